/* refs.c: a record's references, resolved at load time through the ledger
 * (the Attio id its target was written as), and the shape Attio wants its
 * values in (a multiselect attribute takes an array). A target that was
 * not written costs the link, with a note in the ledger, unless the
 * attribute is required: then the record fails, naming its parent. */
#include "util.h"

#include "load_int.h"

/* Attio's standard multiselect attributes (reference §4), for a
 * destination whose schema was not read. */
static const char *const standard_multi[][2] = {
    {"companies", "domains"},
    {"companies", "team"},
    {"companies", "categories"},
    {"companies", "associated_deals"},
    {"companies", "associated_workspaces"},
    {"people", "email_addresses"},
    {"people", "phone_numbers"},
    {"people", "associated_deals"},
    {"people", "associated_users"},
    {"deals", "associated_people"},
    {"workspaces", "users"},
};

int ld_attrs_init(struct ld_run *run)
{
	json_t *by_object =
	    json_deep_copy(json_object_get(run->cfg->schema, "attributes"));
	const char *dest;
	json_t *list, *a;
	size_t i;

	run->attrs = json_object();
	for (i = 0; i < FERRY_ARRAY_LEN(standard_multi); i++) {
		json_t *o = json_object_get(run->attrs, standard_multi[i][0]);

		if (!o) {
			o = json_object();
			json_object_set_new(run->attrs, standard_multi[i][0],
			                    o);
		}
		json_object_set_new(
		    o, standard_multi[i][1],
		    json_pack("{s:b, s:b}", "multi", 1, "required", 0));
	}
	json_object_foreach(by_object, dest, list)
	{
		json_t *o = json_object();

		/* The destination's own word replaces the standard one. */
		json_array_foreach(list, i, a)
		{
			const char *slug =
			    json_string_value(json_object_get(a, "api_slug"));

			if (!slug)
				continue;
			json_object_set_new(
			    o, slug,
			    json_pack("{s:b, s:b}", "multi",
			              json_is_true(
			                  json_object_get(a, "is_multiselect")),
			              "required",
			              json_is_true(
			                  json_object_get(a, "is_required"))));
		}
		json_object_set_new(run->attrs, dest, o);
	}
	json_decref(by_object);
	return 0;
}

static bool attr_flag(struct ld_run *run, const char *dest, const char *slug,
                      const char *flag)
{
	return json_is_true(json_object_get(
	    json_object_get(json_object_get(run->attrs, dest), slug), flag));
}

bool ld_attr_multi(struct ld_run *run, const char *dest, const char *slug)
{
	return attr_flag(run, dest, slug, "multi");
}

bool ld_attr_required(struct ld_run *run, const char *dest, const char *slug)
{
	return attr_flag(run, dest, slug, "required");
}

bool ld_is_ref(const json_t *v)
{
	return json_is_object(v) &&
	       json_is_string(json_object_get(v, "source_object")) &&
	       json_is_string(json_object_get(v, "source_id"));
}

bool ld_is_deferred(const json_t *v)
{
	return ld_is_ref(v) && json_is_true(json_object_get(v, "deferred"));
}

json_t *ld_ref(struct ld_run *run, const json_t *ref, char *why, size_t cap)
{
	const char *object =
	    json_string_value(json_object_get(ref, "source_object"));
	const char *id = json_string_value(json_object_get(ref, "source_id"));
	const char *target =
	    json_string_value(json_object_get(ref, "target_object"));
	struct ferry_ledger_row row;
	int error;

	why[0] = '\0';
	if (!object || !id) {
		snprintf(why, cap, "a reference of the plan names no record");
		return NULL;
	}
	error = ferry_ledger_get(&row, run->ws, object, id);
	if (error == FERRY_ENOTFOUND) {
		snprintf(why, cap, "%s %s was not loaded", object, id);
		return NULL;
	}
	if (error < 0) {
		snprintf(why, cap, "%s %s: %s", object, id, ferry_error_last());
		return NULL;
	}
	/* A pending row with an id is a record Attio has, being written
	 * again (the second pass updates records of its own object while
	 * others of them are in flight). */
	if ((row.status == FERRY_LEDGER_WRITTEN ||
	     row.status == FERRY_LEDGER_MERGED ||
	     row.status == FERRY_LEDGER_PENDING) &&
	    row.dest_id[0])
		return json_pack("{s:s, s:s}", "target_object",
		                 target && *target ? target : row.dest_object,
		                 "target_record_id", row.dest_id);
	switch (row.status) {
	case FERRY_LEDGER_FAILED:
		snprintf(why, cap, "%s %s was refused (%s)", object, id,
		         row.reason);
		break;
	case FERRY_LEDGER_PENDING:
		snprintf(why, cap,
		         "%s %s is not written yet (its write is pending)",
		         object, id);
		break;
	case FERRY_LEDGER_MERGED:
		snprintf(why, cap, "%s %s was merged into a record not written",
		         object, id);
		break;
	default:
		snprintf(why, cap, "%s %s was not written (%s)", object, id,
		         row.reason);
		break;
	}
	return NULL;
}

static void add_note(struct ld_rec *rec, const char *attr, const char *why)
{
	if (rec->note.len && ferry_buf_puts(&rec->note, "; ") < 0)
		return;
	if (ferry_buf_printf(&rec->note, "%s: %s: written without this link",
	                     attr, why) < 0)
		ferry_buf_clear(&rec->note);
}

/* Resolves one value (a reference or anything else) of `attr`: *out the
 * value to send (NULL: dropped). */
static void one(struct ld_run *run, const char *attr, json_t *v,
                json_t *deferred, json_t **out, bool *dropped, char *why,
                size_t cap)
{
	*out = NULL;
	if (!ld_is_ref(v)) {
		*out = json_incref(v);
		return;
	}
	if (deferred && ld_is_deferred(v)) {
		json_t *list = json_object_get(deferred, attr);

		if (!list) {
			list = json_array();
			json_object_set_new(deferred, attr, list);
		}
		json_array_append(list, v);
		return;
	}
	if (!(*out = ld_ref(run, v, why, cap)))
		*dropped = true;
}

int ld_values(struct ld_run *run, struct ld_rec *rec, json_t *values,
              json_t *deferred)
{
	const char *attr;
	json_t *v, *tmp, *r, *e;
	char why[1200];
	size_t i;

	json_object_foreach_safe(values, tmp, attr, v)
	{
		bool dropped = false;

		if (json_is_array(v)) {
			json_t *a = json_array();

			json_array_foreach(v, i, e)
			{
				one(run, attr, e, deferred, &r, &dropped, why,
				    sizeof(why));
				if (r)
					json_array_append_new(a, r);
			}
			r = a;
			if (!json_array_size(a)) {
				json_decref(a);
				r = NULL;
			}
		} else {
			one(run, attr, v, deferred, &r, &dropped, why,
			    sizeof(why));
		}
		if (dropped && !r && ld_attr_required(run, rec->dest, attr)) {
			ferry_buf_clear(&rec->note);
			if (ferry_buf_printf(&rec->note,
			                     "%s is required and its target "
			                     "is not in Attio: %s",
			                     attr, why) < 0)
				ferry_buf_clear(&rec->note);
			return 1;
		}
		if (dropped) {
			add_note(rec, attr, why);
			rec->dropped++;
		}
		if (!r) {
			json_object_del(values, attr);
			continue;
		}
		if (!json_is_array(r) && ld_attr_multi(run, rec->dest, attr)) {
			json_t *a = json_array();

			json_array_append_new(a, r);
			r = a;
		}
		json_object_set_new(values, attr, r);
	}
	return 0;
}
