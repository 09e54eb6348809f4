/* attio_schema.c: the object and attribute endpoints of the Attio
 * stand-in: list, get, create and update objects (POST /v2/objects) and
 * attributes on objects and lists, with the spec's body rules (every
 * field required, no unknown keys, slugs unique, status attributes only
 * on lists, select attributes never unique) and two-way relationships. */
#include "util.h"

#include <ctype.h>

#include <sqlite3.h>

#include "attio_sandbox.h"
#include "server.h"

static const char *const currency_codes[] = {
    "ARS", "AUD", "BRL", "BGN", "CAD", "CLP", "CNY", "COP", "CZK", "DKK",
    "EUR", "HKD", "HUF", "ISK", "INR", "ILS", "JPY", "KES", "KRW", "MYR",
    "MXN", "NTD", "NZD", "NGN", "NOK", "XPF", "PEN", "PHP", "PLN", "GBP",
    "RWF", "SAR", "SGD", "ZAR", "SEK", "CHF", "THB", "AED", "UYU", "USD",
};

/* The types POST .../attributes accepts (personal-name and interaction
 * are system-only), and those that may be multiselect. */
static const char *const creatable[] = {
    "text",   "number",           "checkbox",        "currency",
    "date",   "timestamp",        "rating",          "status",
    "select", "record-reference", "actor-reference", "location",
    "domain", "email-address",    "phone-number",
};
static const char *const multi_types[] = {
    "select", "record-reference", "actor-reference",
    "domain", "email-address",    "phone-number",
};

static bool one_of(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

static int invalid(struct attio_err *e, const char *what)
{
	return attio_err_set(e, 400, "validation_type",
	                     "Body payload validation error: %s.", what);
}

/* A snake-case slug: a letter, then letters, digits, '_' or '-'. */
static bool slug_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n >= ATTIO_SLUG_LEN || !islower((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static json_t *body_data(struct attio_req *rq, struct attio_err *e)
{
	json_t *d = json_object_get(rq->body, "data");

	if (!json_is_object(d)) {
		invalid(e, "expected {\"data\": {...}}");
		return NULL;
	}
	return d;
}

/* Keys of `d` outside `allowed` are refused (additionalProperties). */
static int only_keys(json_t *d, const char *const *allowed, size_t n,
                     struct attio_err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach(d, k, v)
	{
		if (!one_of(k, allowed, n))
			return attio_err_set(e, 400, "validation_type",
			                     "Body payload validation error: "
			                     "unrecognized key \"%s\".",
			                     k);
	}
	return 0;
}

static int container_or_404(struct attio_sb *sb, struct attio_req *rq,
                            struct attio_object **out, struct attio_err *e)
{
	bool list = !strcmp(rq->params[0], "lists");

	*out = attio_container_find(sb, rq->params[0], rq->params[1]);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "%s with slug/ID \"%s\" not found.",
		                     list ? "List" : "Object", rq->params[1]);
	return 0;
}

static int attr_or_404(struct attio_sb *sb, struct attio_req *rq,
                       struct attio_attr **out, struct attio_err *e)
{
	struct attio_object *o;

	if (container_or_404(sb, rq, &o, e) < 0)
		return -1;
	*out = attio_attr_find(o, rq->params[2]);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "Attribute with slug/ID \"%s\" not found.",
		                     rq->params[2]);
	return 0;
}

static int store_failed(struct attio_sb *sb, struct attio_err *e)
{
	attio_store_rollback(sb);
	return attio_err_set(e, 500, "internal_error",
	                     "Sandbox store failure: %s", ferry_error_last());
}

static int begin(struct attio_sb *sb, struct attio_err *e)
{
	return attio_store_begin(sb) < 0 ? store_failed(sb, e) : 0;
}

static int commit(struct attio_sb *sb, struct attio_err *e)
{
	return attio_store_commit(sb) < 0 ? store_failed(sb, e) : 0;
}

/* --- objects --- */

int attio_h_objects(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e)
{
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < sb->n_objects; i++)
		json_array_append_new(arr,
		                      attio_object_json(sb, sb->objects[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

int attio_h_object(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                   struct attio_err *e)
{
	struct attio_object *o = attio_object_find(sb, rq->params[0]);

	if (!o)
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     rq->params[0]);
	*out = json_pack("{s:o}", "data", attio_object_json(sb, o));
	return 0;
}

static bool nouns_taken(struct attio_sb *sb, const struct attio_object *self,
                        const char *slug, const char *singular,
                        const char *plural)
{
	size_t i;

	for (i = 0; i < sb->n_objects; i++) {
		const struct attio_object *o = sb->objects[i];

		if (o == self)
			continue;
		if ((slug && !strcmp(o->slug, slug)) ||
		    (singular && !strcmp(o->singular, singular)) ||
		    (plural && !strcmp(o->plural, plural)))
			return true;
	}
	return false;
}

static int nouns(json_t *d, const char **slug, const char **singular,
                 const char **plural, bool required, struct attio_err *e)
{
	json_t *s = json_object_get(d, "api_slug");
	json_t *sg = json_object_get(d, "singular_noun");
	json_t *pl = json_object_get(d, "plural_noun");

	*slug = json_string_value(s);
	*singular = json_string_value(sg);
	*plural = json_string_value(pl);
	if (required && (!*slug || !*singular || !*plural))
		return invalid(e, "api_slug, singular_noun and plural_noun "
		                  "are required strings");
	if ((s && !slug_ok(*slug)) ||
	    (sg && (!*singular || !**singular || strlen(*singular) >= 64)) ||
	    (pl && (!*plural || !**plural || strlen(*plural) >= 64)))
		return invalid(e, "api_slug must be a snake_case slug and the "
		                  "nouns non-empty strings under 64 bytes");
	return 0;
}

int attio_h_object_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	struct attio_object o, *made;
	const char *slug, *singular, *plural;
	json_t *d;

	if (!(d = body_data(rq, e)) ||
	    nouns(d, &slug, &singular, &plural, true, e) < 0)
		return -1;
	if (nouns_taken(sb, NULL, slug, singular, plural))
		return attio_err_set(e, 409, "slug_conflict",
		                     "Failed to create object. Please ensure "
		                     "your api_slug and names are unique.");
	if (sb->object_quota > 0 && sb->n_objects >= (size_t)sb->object_quota)
		return attio_err_set(e, 400, "quota_exceeded",
		                     "The workspace already has %zu objects, "
		                     "the most its plan allows (%d).",
		                     sb->n_objects, sb->object_quota);
	memset(&o, 0, sizeof(o));
	snprintf(o.slug, sizeof(o.slug), "%s", slug);
	snprintf(o.singular, sizeof(o.singular), "%s", singular);
	snprintf(o.plural, sizeof(o.plural), "%s", plural);
	if (begin(sb, e) < 0)
		return -1;
	if (attio_catalog_add_object(sb, &o, &made) < 0)
		return store_failed(sb, e);
	if (commit(sb, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_object_json(sb, made));
	return 0;
}

/* Whether anything names object `o` by slug (attributes, lists). */
static bool referenced(struct attio_sb *sb, const struct attio_object *o)
{
	size_t i, j;

	for (i = 0; i < sb->n_lists; i++)
		if (!strcmp(sb->lists[i]->parent_object, o->slug))
			return true;
	for (i = 0; i < sb->n_objects; i++)
		for (j = 0; j < sb->objects[i]->n_attrs; j++) {
			const struct attio_attr *a = &sb->objects[i]->attrs[j];

			if (!strcmp(a->rel_object, o->slug) ||
			    strstr(a->target_object, o->slug))
				return true;
		}
	return false;
}

int attio_h_object_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	static const char *const keys[] = {"api_slug", "singular_noun",
	                                   "plural_noun"};
	struct attio_object *o = attio_object_find(sb, rq->params[0]), saved;
	const char *slug, *singular, *plural;
	json_t *d;

	if (!o)
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     rq->params[0]);
	if (!(d = body_data(rq, e)) ||
	    only_keys(d, keys, FERRY_ARRAY_LEN(keys), e) < 0 ||
	    nouns(d, &slug, &singular, &plural, false, e) < 0)
		return -1;
	if (json_object_size(d) == 0)
		return invalid(e, "You passed an empty payload. Please ensure "
		                  "you are updating at least one property in "
		                  "your request");
	if (nouns_taken(sb, o, slug, singular, plural))
		return attio_err_set(e, 409, "slug_conflict",
		                     "Failed to update object. Please ensure "
		                     "api_slug is unique.");
	if (slug && strcmp(slug, o->slug) &&
	    (o->is_system || referenced(sb, o) ||
	     attio_store_record_count(sb, o) > 0))
		return attio_err_set(e, 400, "validation_type",
		                     "The sandbox renames only custom objects "
		                     "that have no records and that nothing "
		                     "references (\"%s\").",
		                     o->slug);
	saved = *o;
	if (slug)
		snprintf(o->slug, sizeof(o->slug), "%s", slug);
	if (singular)
		snprintf(o->singular, sizeof(o->singular), "%s", singular);
	if (plural)
		snprintf(o->plural, sizeof(o->plural), "%s", plural);
	if (begin(sb, e) < 0 || attio_catalog_update_object(sb, o) < 0 ||
	    commit(sb, e) < 0) {
		*o = saved;
		return e->status ? -1 : store_failed(sb, e);
	}
	*out = json_pack("{s:o}", "data", attio_object_json(sb, o));
	return 0;
}

/* --- attributes --- */

int attio_h_attributes(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	struct attio_object *o;
	char *archived = sandbox_query_arg(rq->query, "show_archived");
	bool show = archived && !strcmp(archived, "true");
	long long limit, offset, seen = 0;
	json_t *arr;
	size_t i;

	free(archived);
	if (container_or_404(sb, rq, &o, e) < 0 ||
	    attio_query_count(rq, "limit", 1000000, 0, &limit, e) < 0 ||
	    attio_query_count(rq, "offset", 0, 0, &offset, e) < 0)
		return -1;
	arr = json_array();
	for (i = 0; i < o->n_attrs && (long long)json_array_size(arr) < limit;
	     i++)
		if ((show || !o->attrs[i].is_archived) && seen++ >= offset)
			json_array_append_new(
			    arr, attio_attr_json(sb, &o->attrs[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

int attio_h_attribute(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e)
{
	struct attio_attr *a;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_attr_json(sb, a));
	return 0;
}

int attio_schema_config(struct attio_sb *sb, struct attio_attr *a,
                        json_t *config, struct attio_err *e)
{
	json_t *cur = json_object_get(config, "currency");
	json_t *ref = json_object_get(config, "record_reference");

	if (config && !json_is_object(config))
		return invalid(e, "config must be an object");
	if (cur && !strcmp(a->type, "currency")) {
		const char *code = json_string_value(
		    json_object_get(cur, "default_currency_code"));
		const char *disp =
		    json_string_value(json_object_get(cur, "display_type"));
		static const char *const displays[] = {
		    "code", "name", "narrowSymbol", "symbol"};

		if (!one_of(code, currency_codes,
		            FERRY_ARRAY_LEN(currency_codes)) ||
		    !one_of(disp, displays, FERRY_ARRAY_LEN(displays)))
			return invalid(e,
			               "config.currency needs a supported "
			               "default_currency_code (ISO 4217) and "
			               "display_type (code, name, "
			               "narrowSymbol, symbol)");
		snprintf(a->currency_code, sizeof(a->currency_code), "%s",
		         code);
		snprintf(a->display_type, sizeof(a->display_type), "%s", disp);
	}
	if (ref && !strcmp(a->type, "record-reference")) {
		json_t *objs = json_object_get(ref, "allowed_objects"), *s;
		struct ferry_buf b = FERRY_BUF_INIT;
		size_t i;

		if (!json_is_array(objs) || json_array_size(objs) == 0)
			return invalid(e, "config.record_reference."
			                  "allowed_objects must list at least "
			                  "one object");
		ferry_buf_init(&b, sizeof(a->target_object) - 1);
		json_array_foreach(objs, i, s)
		{
			struct attio_object *t =
			    attio_object_find(sb, json_string_value(s));

			if (!t) {
				ferry_buf_release(&b);
				return attio_err_set(
				    e, 400, "validation_type",
				    "Could not find an object with slug "
				    "\"%s\" for config.record_reference.",
				    json_is_string(s) ? json_string_value(s)
				                      : "(not a string)");
			}
			if ((b.len && ferry_buf_putc(&b, ',') < 0) ||
			    ferry_buf_puts(&b, t->slug) < 0) {
				ferry_buf_release(&b);
				return invalid(e, "too many allowed_objects");
			}
		}
		snprintf(a->target_object, sizeof(a->target_object), "%s",
		         b.ptr);
		ferry_buf_release(&b);
	}
	return 0;
}

static int default_value_ok(json_t *dv, struct attio_err *e)
{
	const char *type = json_string_value(json_object_get(dv, "type"));
	json_t *tmpl = json_object_get(dv, "template");

	if (!dv || json_is_null(dv))
		return 0;
	if (type && ((!strcmp(type, "dynamic") && json_is_string(tmpl)) ||
	             (!strcmp(type, "static") && json_is_array(tmpl))))
		return 0;
	return invalid(e, "default_value must be null, {\"type\": "
	                  "\"dynamic\", \"template\": string} or {\"type\": "
	                  "\"static\", \"template\": [values]}");
}

/* The common fields of a new attribute from `d` into a. */
static int attr_fields(struct attio_sb *sb, struct attio_object *o, json_t *d,
                       struct attio_attr *a, struct attio_err *e)
{
	static const char *const keys[] = {
	    "title",        "description", "api_slug",       "type",
	    "is_required",  "is_unique",   "is_multiselect", "default_value",
	    "relationship", "config",
	};
	const char *title = json_string_value(json_object_get(d, "title"));
	const char *slug = json_string_value(json_object_get(d, "api_slug"));
	const char *type = json_string_value(json_object_get(d, "type"));
	json_t *desc = json_object_get(d, "description");
	json_t *req = json_object_get(d, "is_required");
	json_t *uniq = json_object_get(d, "is_unique");
	json_t *multi = json_object_get(d, "is_multiselect");
	json_t *config = json_object_get(d, "config");

	if (only_keys(d, keys, FERRY_ARRAY_LEN(keys), e) < 0)
		return -1;
	if (!title || !slug || !type || !desc ||
	    !(json_is_string(desc) || json_is_null(desc)) ||
	    !json_is_boolean(req) || !json_is_boolean(uniq) ||
	    !json_is_boolean(multi) || !json_is_object(config))
		return invalid(e, "title, description, api_slug, type, "
		                  "is_required, is_unique, is_multiselect and "
		                  "config are all required");
	if (!slug_ok(slug) || strlen(title) >= sizeof(a->title) ||
	    (json_is_string(desc) &&
	     strlen(json_string_value(desc)) >= sizeof(a->description)))
		return invalid(e, "api_slug must be a snake_case slug; title "
		                  "and description must be shorter");
	if (!one_of(type, creatable, FERRY_ARRAY_LEN(creatable)))
		return attio_err_set(e, 400, "validation_type",
		                     "Attributes of type \"%s\" cannot be "
		                     "created.",
		                     type);
	if (!strcmp(type, "status") && !o->is_list)
		return attio_err_set(e, 400, "validation_type",
		                     "Attributes of type \"status\" are not "
		                     "supported on objects.");
	if (json_is_true(uniq) &&
	    (!strcmp(type, "select") || !strcmp(type, "status")))
		return attio_err_set(e, 400, "validation_type",
		                     "%s attributes cannot be unique.", type);
	if (json_is_true(multi) &&
	    !one_of(type, multi_types, FERRY_ARRAY_LEN(multi_types)))
		return attio_err_set(e, 400, "validation_type",
		                     "Attributes of type \"%s\" cannot be "
		                     "multiselect.",
		                     type);
	if (attio_attr_find(o, slug))
		return attio_err_set(e, 409, "slug_conflict",
		                     "An attribute with the same API slug "
		                     "already exists on this %s. Please choose "
		                     "a different API slug.",
		                     o->is_list ? "list" : "object");
	if (default_value_ok(json_object_get(d, "default_value"), e) < 0)
		return -1;
	memset(a, 0, sizeof(*a));
	snprintf(a->title, sizeof(a->title), "%s", title);
	snprintf(a->slug, sizeof(a->slug), "%s", slug);
	snprintf(a->type, sizeof(a->type), "%s", type);
	a->has_description = json_is_string(desc);
	snprintf(a->description, sizeof(a->description), "%s",
	         a->has_description ? json_string_value(desc) : "");
	a->is_required = json_is_true(req);
	a->is_unique = json_is_true(uniq);
	a->is_multiselect = json_is_true(multi);
	if (!json_is_null(json_object_get(d, "default_value")))
		a->default_value = json_object_get(d, "default_value");
	return attio_schema_config(sb, a, config, e);
}

/* relationship {object, title, api_slug, is_multiselect}: the reverse
 * attribute on the other object, made after `a`'s fields are known. */
static int reverse_attr(struct attio_sb *sb, struct attio_object *o,
                        struct attio_attr *a, json_t *rel,
                        struct attio_object **ro, struct attio_attr *r,
                        struct attio_err *e)
{
	static const char *const keys[] = {"object", "title", "api_slug",
	                                   "is_multiselect"};
	const char *obj = json_string_value(json_object_get(rel, "object"));
	const char *title = json_string_value(json_object_get(rel, "title"));
	const char *slug = json_string_value(json_object_get(rel, "api_slug"));
	json_t *multi = json_object_get(rel, "is_multiselect");

	if (!json_is_object(rel) ||
	    only_keys(rel, keys, FERRY_ARRAY_LEN(keys), e) < 0 || !obj ||
	    !title || !slug || !json_is_boolean(multi) || !slug_ok(slug) ||
	    strlen(title) >= sizeof(r->title))
		return e->status ? -1
		                 : invalid(e, "relationship needs object, "
		                              "title, api_slug and "
		                              "is_multiselect");
	if (strcmp(a->type, "record-reference") || o->is_list)
		return invalid(e, "relationship can only be used with "
		                  "record-reference attributes on objects");
	if (!(*ro = attio_object_find(sb, obj)))
		return attio_err_set(
		    e, 400, "validation_type",
		    "Could not find an object with slug \"%s\" "
		    "for the relationship.",
		    obj);
	if (a->target_object[0] && strcmp(a->target_object, (*ro)->slug))
		return invalid(e, "config.record_reference.allowed_objects "
		                  "must contain only the relationship object");
	if (attio_attr_find(*ro, slug) || (*ro == o && !strcmp(slug, a->slug)))
		return attio_err_set(e, 409, "slug_conflict",
		                     "An attribute with the API slug \"%s\" "
		                     "already exists on object \"%s\".",
		                     slug, (*ro)->slug);
	memset(r, 0, sizeof(*r));
	snprintf(r->slug, sizeof(r->slug), "%s", slug);
	snprintf(r->title, sizeof(r->title), "%s", title);
	snprintf(r->type, sizeof(r->type), "record-reference");
	r->is_multiselect = json_is_true(multi);
	snprintf(r->target_object, sizeof(r->target_object), "%s", o->slug);
	snprintf(r->rel_object, sizeof(r->rel_object), "%s", o->slug);
	snprintf(r->rel_slug, sizeof(r->rel_slug), "%s", a->slug);
	snprintf(a->target_object, sizeof(a->target_object), "%s", (*ro)->slug);
	snprintf(a->rel_object, sizeof(a->rel_object), "%s", (*ro)->slug);
	snprintf(a->rel_slug, sizeof(a->rel_slug), "%s", slug);
	return 0;
}

int attio_h_attribute_create(struct attio_sb *sb, struct attio_req *rq,
                             json_t **out, struct attio_err *e)
{
	struct attio_object *o, *ro = NULL;
	struct attio_attr a, r, *made;
	json_t *d, *rel;
	char slug[ATTIO_SLUG_LEN];

	if (container_or_404(sb, rq, &o, e) < 0 || !(d = body_data(rq, e)) ||
	    attr_fields(sb, o, d, &a, e) < 0)
		return -1;
	rel = json_object_get(d, "relationship");
	if (rel && !json_is_null(rel) &&
	    reverse_attr(sb, o, &a, rel, &ro, &r, e) < 0)
		return -1;
	if (begin(sb, e) < 0)
		return -1;
	if (attio_catalog_add_attr(sb, o, &a, &made) < 0 ||
	    (ro && attio_catalog_add_attr(sb, ro, &r, &made) < 0))
		return store_failed(sb, e);
	if (commit(sb, e) < 0)
		return -1;
	/* adding the reverse may have moved the first */
	snprintf(slug, sizeof(slug), "%s", a.slug);
	*out = json_pack("{s:o}", "data",
	                 attio_attr_json(sb, attio_attr_find(o, slug)));
	return 0;
}

/* Renames the stored values of attribute `a` to `slug` (they are keyed by
 * slug) and the other side of its relationship. */
static int rename_values(struct attio_sb *sb, struct attio_attr *a,
                         const char *slug)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, a->object->is_list
	            ? "UPDATE entries SET vals = json_set(json_remove(vals,"
	              " ?1), ?2, json_extract(vals, ?1)) WHERE list_id = ?3"
	              " AND json_type(vals, ?1) IS NOT NULL"
	            : "UPDATE records SET vals = json_set(json_remove(vals,"
	              " ?1), ?2, json_extract(vals, ?1)) WHERE object_id = ?3"
	              " AND json_type(vals, ?1) IS NOT NULL");
	char *from = ferry_xasprintf("$.\"%s\"", a->slug);
	char *to = ferry_xasprintf("$.\"%s\"", slug);
	int rc = 0;

	sqlite3_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, a->object->id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = attio_store_fail(sb, "renaming an attribute's values");
	sqlite3_finalize(st);
	free(from);
	free(to);
	if (rc == 0 && a->rel_object[0]) {
		struct attio_attr *ra = attio_attr_find(
		    attio_object_find(sb, a->rel_object), a->rel_slug);

		if (ra) {
			snprintf(ra->rel_slug, sizeof(ra->rel_slug), "%s",
			         slug);
			rc = attio_catalog_update_attr(sb, ra);
		}
	}
	return rc;
}

/* The changes of a PATCH into the copy `n` of attribute `a`. */
static int patch_fields(struct attio_sb *sb, struct attio_attr *a, json_t *d,
                        struct attio_attr *n, struct attio_err *e)
{
	static const char *const keys[] = {
	    "title",     "description",   "api_slug", "is_required",
	    "is_unique", "default_value", "config",   "is_archived",
	};
	json_t *v;

	if (only_keys(d, keys, FERRY_ARRAY_LEN(keys), e) < 0)
		return -1;
	if (json_object_size(d) == 0)
		return invalid(e, "You passed an empty payload. Please ensure "
		                  "you are updating at least one property in "
		                  "your request");
	if (a->is_system)
		return attio_err_set(e, 400, "system_edit_unauthorized",
		                     "Cannot update a System attribute.");
	*n = *a;
	if ((v = json_object_get(d, "title"))) {
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) >= sizeof(n->title))
			return invalid(e, "title must be a string");
		snprintf(n->title, sizeof(n->title), "%s",
		         json_string_value(v));
	}
	if ((v = json_object_get(d, "description"))) {
		if (!json_is_string(v) && !json_is_null(v))
			return invalid(e, "description must be a string or "
			                  "null");
		n->has_description = json_is_string(v);
		snprintf(n->description, sizeof(n->description), "%s",
		         n->has_description ? json_string_value(v) : "");
	}
	if ((v = json_object_get(d, "api_slug"))) {
		if (!slug_ok(json_string_value(v)))
			return invalid(e, "api_slug must be a snake_case slug");
		if (attio_attr_find(a->object, json_string_value(v)) &&
		    attio_attr_find(a->object, json_string_value(v)) != a)
			return attio_err_set(e, 409, "slug_conflict",
			                     "An attribute with the same API "
			                     "slug already exists.");
		snprintf(n->slug, sizeof(n->slug), "%s", json_string_value(v));
	}
	if ((v = json_object_get(d, "is_required")))
		n->is_required = json_is_true(v);
	if ((v = json_object_get(d, "is_unique"))) {
		n->is_unique = json_is_true(v);
		if (n->is_unique &&
		    (!strcmp(a->type, "select") || !strcmp(a->type, "status")))
			return attio_err_set(e, 400, "validation_type",
			                     "%s attributes cannot be unique.",
			                     a->type);
	}
	if ((v = json_object_get(d, "is_archived")))
		n->is_archived = json_is_true(v);
	if ((v = json_object_get(d, "default_value"))) {
		if (default_value_ok(v, e) < 0)
			return -1;
		n->default_value = json_is_null(v) ? NULL : v;
	}
	return attio_schema_config(sb, n, json_object_get(d, "config"), e);
}

int attio_h_attribute_patch(struct attio_sb *sb, struct attio_req *rq,
                            json_t **out, struct attio_err *e)
{
	struct attio_attr *a, n;
	json_t *d, *old_dv;

	if (attr_or_404(sb, rq, &a, e) < 0 || !(d = body_data(rq, e)) ||
	    patch_fields(sb, a, d, &n, e) < 0)
		return -1;
	if (begin(sb, e) < 0)
		return -1;
	old_dv = a->default_value;
	n.default_value = n.default_value == old_dv
	                      ? json_incref(old_dv)
	                      : json_deep_copy(n.default_value);
	if ((strcmp(n.slug, a->slug) && rename_values(sb, a, n.slug) < 0) ||
	    attio_catalog_update_attr(sb, &n) < 0) {
		json_decref(n.default_value);
		return store_failed(sb, e);
	}
	if (commit(sb, e) < 0) {
		json_decref(n.default_value);
		return -1;
	}
	json_decref(old_dv);
	*a = n;
	*out = json_pack("{s:o}", "data", attio_attr_json(sb, a));
	return 0;
}
