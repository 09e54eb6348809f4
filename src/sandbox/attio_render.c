/* attio_render.c: the Attio stand-in's resources as the API shows them
 * (objects, lists, attributes, options, statuses, records, entries), and
 * the ids and timestamps they carry. */
#include "util.h"

#include <sys/random.h>
#include <time.h>

#include "attio_sandbox.h"

void attio_uuid(char out[ATTIO_ID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, ATTIO_ID_LEN,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	         b[10], b[11], b[12], b[13], b[14], b[15]);
}

void attio_now(char out[ATTIO_TS_LEN])
{
	int64_t us = ferry_clock_wall_us();
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, ATTIO_TS_LEN, "%s.%06lld000Z", day,
	         (long long)(us % 1000000));
}

json_t *attio_actor_json(struct attio_sb *sb)
{
	return json_pack("{s:s,s:s}", "type", "api-token", "id", sb->token_id);
}

json_t *attio_object_json(struct attio_sb *sb, struct attio_object *o)
{
	return json_pack("{s:{s:s,s:s},s:s,s:s,s:s,s:s}", "id", "workspace_id",
	                 sb->workspace_id, "object_id", o->id, "api_slug",
	                 o->slug, "singular_noun", o->singular, "plural_noun",
	                 o->plural, "created_at", o->created_at);
}

json_t *attio_list_json(struct attio_sb *sb, struct attio_object *l)
{
	return json_pack("{s:{s:s,s:s},s:s,s:s,s:[s],s:s?,s:O,s:o,s:s}", "id",
	                 "workspace_id", sb->workspace_id, "list_id", l->id,
	                 "api_slug", l->slug, "name", l->name, "parent_object",
	                 l->parent_object, "workspace_access",
	                 l->workspace_access[0] ? l->workspace_access : NULL,
	                 "workspace_member_access", l->member_access,
	                 "created_by_actor", attio_actor_json(sb), "created_at",
	                 l->created_at);
}

static json_t *allowed_ids(struct attio_sb *sb, const char *slugs)
{
	json_t *ids = json_array();

	while (*slugs) {
		size_t len = strcspn(slugs, ",");
		char slug[ATTIO_SLUG_LEN];
		struct attio_object *o;

		snprintf(slug, sizeof(slug), "%.*s", (int)len, slugs);
		if ((o = attio_object_find(sb, slug)))
			json_array_append_new(ids, json_string(o->id));
		slugs += len;
		if (*slugs == ',')
			slugs++;
	}
	return ids;
}

json_t *attio_attr_json(struct attio_sb *sb, struct attio_attr *a)
{
	json_t *rel = json_null(), *allowed = json_null();

	if (a->rel_object[0]) {
		struct attio_object *ro = attio_object_find(sb, a->rel_object);
		struct attio_attr *ra = attio_attr_find(ro, a->rel_slug);

		if (ra)
			rel = json_pack(
			    "{s:{s:s,s:s,s:s},s:s,s:s,s:s,s:b}", "id",
			    "workspace_id", sb->workspace_id, "object_id",
			    ro->id, "attribute_id", ra->id, "object_slug",
			    ro->slug, "title", ra->title, "api_slug", ra->slug,
			    "is_multiselect", ra->is_multiselect);
	}
	if (!strcmp(a->type, "record-reference")) {
		json_decref(allowed);
		allowed = allowed_ids(sb, a->target_object);
	}
	return json_pack(
	    "{s:{s:s,s:s,s:s},s:s,s:s?,s:s,s:s,s:b,s:b,s:b,s:b,s:b,"
	    "s:b,s:b,s:O?,s:o,s:s,s:{s:{s:s?,s:s?},s:{s:o}}}",
	    "id", "workspace_id", sb->workspace_id, "object_id", a->object->id,
	    "attribute_id", a->id, "title", a->title, "description",
	    a->has_description ? a->description : NULL, "api_slug", a->slug,
	    "type", a->type, "is_system_attribute", a->is_system, "is_writable",
	    strcmp(a->type, "interaction") != 0, "is_required", a->is_required,
	    "is_unique", a->is_unique, "is_multiselect", a->is_multiselect,
	    "is_default_value_enabled", a->default_value != NULL, "is_archived",
	    a->is_archived, "default_value", a->default_value, "relationship",
	    rel, "created_at", a->created_at, "config", "currency",
	    "default_currency_code",
	    a->currency_code[0] ? a->currency_code : NULL, "display_type",
	    a->display_type[0] ? a->display_type : NULL, "record_reference",
	    "allowed_object_ids", allowed);
}

json_t *attio_option_json(struct attio_sb *sb, const struct attio_attr *a,
                          const struct attio_option *op)
{
	return json_pack("{s:{s:s,s:s,s:s,s:s},s:s,s:b}", "id", "workspace_id",
	                 sb->workspace_id, "object_id", a->object->id,
	                 "attribute_id", a->id, "option_id", op->id, "title",
	                 op->title, "is_archived", op->is_archived);
}

json_t *attio_status_json(struct attio_sb *sb, const struct attio_attr *a,
                          const struct attio_option *op)
{
	return json_pack("{s:{s:s,s:s,s:s,s:s},s:s,s:b,s:b,s:s?}", "id",
	                 "workspace_id", sb->workspace_id, "object_id",
	                 a->object->id, "attribute_id", a->id, "status_id",
	                 op->id, "title", op->title, "is_archived",
	                 op->is_archived, "celebration_enabled",
	                 op->celebration_enabled, "target_time_in_status",
	                 op->target_time[0] ? op->target_time : NULL);
}

json_t *attio_values_json(const struct attio_attr *a, json_t *list)
{
	const char *field = !strcmp(a->type, "currency") ? "currency_value"
	                    : !strcmp(a->type, "number") ? "value"
	                                                 : NULL;
	json_t *out = list ? json_deep_copy(list) : json_array(), *v;
	size_t i;

	json_array_foreach(field ? out : NULL, i, v)
	{
		const char *text = json_string_value(json_object_get(v, field));

		/* stored as decimal text, shown as a bare number */
		if (text)
			json_object_set_new(v, field,
			                    attio_json_raw_number(text));
	}
	return out;
}

static json_t *values_of(const struct attio_record *r)
{
	json_t *vals = json_object();
	size_t i;

	for (i = 0; i < r->object->n_attrs; i++) {
		const struct attio_attr *a = &r->object->attrs[i];

		json_object_set_new(
		    vals, a->slug,
		    attio_values_json(a, json_object_get(r->values, a->slug)));
	}
	return vals;
}

json_t *attio_record_json(struct attio_sb *sb, const struct attio_record *r)
{
	const char *kind = r->object->slug;
	char *url;
	json_t *j;

	if (!strcmp(kind, "people"))
		kind = "person";
	else if (!strcmp(kind, "companies"))
		kind = "company";
	else if (!strcmp(kind, "deals"))
		kind = "deal";
	url = ferry_xasprintf("https://app.attio.com/ferry-sandbox/%s/%s", kind,
	                      r->id);
	j = json_pack("{s:{s:s,s:s,s:s},s:s,s:s,s:o}", "id", "workspace_id",
	              sb->workspace_id, "object_id", r->object->id, "record_id",
	              r->id, "created_at", r->created_at, "web_url", url,
	              "values", values_of(r));
	free(url);
	return j;
}

json_t *attio_entry_json(struct attio_sb *sb, const struct attio_record *r)
{
	return json_pack(
	    "{s:{s:s,s:s,s:s},s:s,s:s,s:s,s:o}", "id", "workspace_id",
	    sb->workspace_id, "list_id", r->object->id, "entry_id", r->id,
	    "parent_record_id", r->parent_id, "parent_object", r->parent_object,
	    "created_at", r->created_at, "entry_values", values_of(r));
}
