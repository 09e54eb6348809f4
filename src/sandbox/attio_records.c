/* attio_records.c: the record endpoints of the Attio stand-in: create,
 * assert (upsert by a unique attribute), get, patch, put, delete and
 * query, with Attio's multiselect semantics, uniqueness and the two-way
 * people.company <-> companies.team relationship kept in sync. */
#include "util.h"

#include "attio_sandbox.h"

static int object_or_404(struct attio_sb *sb, const char *key,
                         struct attio_object **out, struct attio_err *e)
{
	*out = attio_object_find(sb, key);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     key);
	return 0;
}

static int record_or_404(struct attio_sb *sb, struct attio_object *o,
                         const char *id, struct attio_record *out,
                         struct attio_err *e)
{
	if (attio_store_record_get(sb, o, id, out) < 0)
		return attio_err_set(e, 404, "not_found",
		                     "Record with ID \"%s\" not found.", id);
	return 0;
}

/* {"data": {"values": {...}}} -> the values object. */
static json_t *body_values(struct attio_req *rq, struct attio_err *e)
{
	json_t *vals =
	    json_object_get(json_object_get(rq->body, "data"), "values");

	if (!json_is_object(vals))
		attio_err_set(e, 400, "validation_type",
		              "Body payload validation error: expected "
		              "{\"data\": {\"values\": {...}}}.");
	return json_is_object(vals) ? vals : NULL;
}

static json_t *with_bookkeeping(struct attio_sb *sb, json_t *norm,
                                const char *now)
{
	json_t *v = json_pack("{s:s,s:n,s:{s:s,s:s}}", "active_from", now,
	                      "active_until", "created_by_actor", "type",
	                      "api-token", "id", sb->token_id);

	json_object_update(v, norm);
	return v;
}

static json_t *find_by_key(const struct attio_attr *a, json_t *list,
                           const char *key)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		char *k = attio_value_key(a, v);
		bool same = !strcmp(k, key);

		free(k);
		if (same)
			return v;
	}
	return NULL;
}

/* The attribute's new value list: the supplied values (keeping the stored
 * bookkeeping of values already there), then, when `keep_old`, the stored
 * values not supplied again. */
static json_t *merge(struct attio_sb *sb, const struct attio_attr *a,
                     json_t *old, json_t *norm, bool keep_old, const char *now)
{
	json_t *out = json_array(), *seen = json_object(), *v;
	size_t i;

	json_array_foreach(norm, i, v)
	{
		char *k = attio_value_key(a, v);
		json_t *was = find_by_key(a, old, k);

		if (!json_object_get(seen, k)) {
			json_object_set_new(seen, k, json_true());
			json_array_append_new(
			    out, was ? json_deep_copy(was)
			             : with_bookkeeping(sb, v, now));
		}
		free(k);
	}
	json_array_foreach(keep_old ? old : NULL, i, v)
	{
		char *k = attio_value_key(a, v);

		if (!json_object_get(seen, k)) {
			json_object_set_new(seen, k, json_true());
			json_array_append(out, v);
		}
		free(k);
	}
	json_decref(seen);
	return out;
}

static const char *ref_id(json_t *v)
{
	const char *s =
	    json_string_value(json_object_get(v, "target_record_id"));

	return s ? s : "";
}

static bool holds_ref(json_t *list, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (!strcmp(ref_id(v), id))
			return true;
	}
	return false;
}

/* Removes every reference to `src_id` from record `tid`'s attribute. */
static int unlink_ref(struct attio_sb *sb, struct attio_attr *ta,
                      const char *tid, const char *src_id)
{
	struct attio_record t = {0};
	json_t *list, *keep;
	json_t *v;
	size_t i;
	int rc = 0;

	if (attio_store_record_get(sb, ta->object, tid, &t) < 0)
		return 0; /* gone: nothing to keep in sync */
	list = json_object_get(t.values, ta->slug);
	keep = json_array();
	json_array_foreach(list, i, v)
	{
		if (strcmp(ref_id(v), src_id))
			json_array_append(keep, v);
	}
	json_object_set_new(t.values, ta->slug, keep);
	rc = attio_store_record_put(sb, &t);
	attio_record_release(&t);
	return rc;
}

/* Makes record `tid`'s attribute `ta` point back at src_id (of src_obj
 * through src_attr). A single-valued back attribute that pointed
 * elsewhere is moved, and the record it pointed at loses `tid`. */
static int link_ref(struct attio_sb *sb, struct attio_attr *ta, const char *tid,
                    struct attio_attr *src_attr, const char *src_id,
                    const char *now)
{
	struct attio_record t = {0};
	json_t *list, *ref = NULL, *v;
	size_t i;
	int rc = 0;

	if (attio_store_record_get(sb, ta->object, tid, &t) < 0)
		return 0;
	list = json_object_get(t.values, ta->slug);
	if (holds_ref(list, src_id))
		goto done;
	ref = json_pack("{s:s,s:s,s:s}", "target_object",
	                src_attr->object->slug, "target_record_id", src_id,
	                "attribute_type", "record-reference");
	if (ta->is_multiselect) {
		json_t *nl = json_array();

		json_array_append_new(nl, with_bookkeeping(sb, ref, now));
		if (list)
			json_array_extend(nl, list);
		json_object_set_new(t.values, ta->slug, nl);
	} else {
		json_array_foreach(list, i, v)
		{
			const char *old = json_string_value(
			    json_object_get(v, "target_record_id"));

			if (old && strcmp(old, src_id) &&
			    (rc = unlink_ref(sb, src_attr, old, tid)) < 0)
				goto done;
		}
		json_object_set_new(
		    t.values, ta->slug,
		    json_pack("[o]", with_bookkeeping(sb, ref, now)));
	}
	rc = attio_store_record_put(sb, &t);
done:
	json_decref(ref);
	attio_record_release(&t);
	return rc;
}

static int sync_relationship(struct attio_sb *sb, struct attio_attr *a,
                             const char *id, json_t *before, json_t *after,
                             const char *now)
{
	struct attio_object *ro = attio_object_find(sb, a->rel_object);
	struct attio_attr *ra = attio_attr_find(ro, a->rel_slug);
	json_t *v;
	size_t i;
	int rc = 0;

	if (!ra)
		return 0;
	json_array_foreach(before, i, v)
	{
		const char *t =
		    json_string_value(json_object_get(v, "target_record_id"));

		if (t && !holds_ref(after, t) &&
		    (rc = unlink_ref(sb, ra, t, id)) < 0)
			return rc;
	}
	json_array_foreach(after, i, v)
	{
		const char *t =
		    json_string_value(json_object_get(v, "target_record_id"));

		if (t && (rc = link_ref(sb, ra, t, a, id, now)) < 0)
			return rc;
	}
	return 0;
}

/* Applies `values` to record r (new or loaded) and saves it; how
 * multiselects merge is `mode` (enum attio_write_mode). */
int attio_record_write(struct attio_sb *sb, struct attio_record *r, bool is_new,
                       json_t *values, enum attio_write_mode mode,
                       const struct attio_attr *matching, struct attio_err *e)
{
	json_t *before = r->values, *after = json_deep_copy(r->values);
	json_t *supplied = json_object(), *input, *norm = NULL;
	char now[ATTIO_TS_LEN];
	const char *key;
	size_t i;
	int rc = -1;

	attio_now(now);
	json_object_foreach(values, key, input)
	{
		struct attio_attr *a = attio_attr_find(r->object, key);
		bool keep_old;

		if (!a) {
			attio_err_set(e, 400, "value_not_found",
			              "Cannot find attribute with slug/ID "
			              "\"%s\".",
			              key);
			goto done;
		}
		if (attio_values_normalize(sb, a, input, &norm, e) < 0)
			goto done;
		keep_old =
		    a->is_multiselect &&
		    (mode == W_PATCH || (mode == W_ASSERT && a == matching));
		json_object_set_new(after, a->slug,
		                    merge(sb, a,
		                          json_object_get(before, a->slug),
		                          norm, keep_old, now));
		json_object_set_new(supplied, a->slug, json_true());
		json_decref(norm);
		norm = NULL;
	}
	for (i = 0; i < r->object->n_attrs; i++) {
		struct attio_attr *a = &r->object->attrs[i];
		json_t *list = json_object_get(after, a->slug);
		json_t *v;
		size_t j;

		if (a->is_required && json_array_size(list) == 0 &&
		    (is_new || json_object_get(supplied, a->slug))) {
			attio_err_set(e, 400, "missing_value",
			              "Required value for attribute with ID "
			              "\"%s\" was not provided.",
			              a->id);
			goto done;
		}
		if (!a->is_unique || !json_object_get(supplied, a->slug))
			continue;
		json_array_foreach(list, j, v)
		{
			char *k = attio_value_key(a, v), owner[ATTIO_ID_LEN];
			bool taken =
			    attio_store_unique_find(sb, a, k, owner) == 0 &&
			    strcmp(owner, r->id) != 0;

			if (taken)
				attio_err_set(e, 400, "uniqueness_conflict",
				              "The value \"%s\" provided for "
				              "attribute with ID \"%s\" "
				              "conflicts with one already in "
				              "the system.",
				              k, a->id);
			free(k);
			if (taken)
				goto done;
		}
	}
	r->values = after;
	after = NULL;
	if (attio_store_record_put(sb, r) < 0)
		goto db_fail;
	for (i = 0; i < r->object->n_attrs; i++) {
		struct attio_attr *a = &r->object->attrs[i];

		if (a->rel_object[0] && json_object_get(supplied, a->slug) &&
		    sync_relationship(
		        sb, a, r->id, json_object_get(before, a->slug),
		        json_object_get(r->values, a->slug), now) < 0)
			goto db_fail;
	}
	rc = 0;
	goto done;
db_fail:
	attio_err_set(e, 500, "internal_error", "Sandbox store failure: %s",
	              ferry_error_last());
done:
	if (rc == 0)
		json_decref(before);
	else {
		json_decref(r->values == before ? after : r->values);
		r->values = before;
	}
	json_decref(norm);
	json_decref(supplied);
	return rc;
}

static void new_record(struct attio_record *r, struct attio_object *o)
{
	memset(r, 0, sizeof(*r));
	attio_uuid(r->id);
	attio_now(r->created_at);
	r->object = o;
	r->values = json_object();
}

/* Runs a write in one transaction and answers with the record. */
static int finish_write(struct attio_sb *sb, int rc, struct attio_record *r,
                        json_t **out, struct attio_err *e)
{
	if (rc == 0 && attio_store_commit(sb) < 0)
		rc = attio_err_set(e, 500, "internal_error",
		                   "Sandbox store failure: %s",
		                   ferry_error_last());
	if (rc < 0)
		attio_store_rollback(sb);
	else
		*out = json_pack("{s:o}", "data", attio_record_json(sb, r));
	attio_record_release(r);
	return rc;
}

static int begin(struct attio_sb *sb, struct attio_err *e)
{
	if (attio_store_begin(sb) < 0)
		return attio_err_set(e, 500, "internal_error",
		                     "Sandbox store failure: %s",
		                     ferry_error_last());
	return 0;
}

int attio_h_record_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	struct attio_object *o;
	struct attio_record r = {0};
	json_t *vals;
	int rc;

	if (object_or_404(sb, rq->params[0], &o, e) < 0 ||
	    !(vals = body_values(rq, e)) || begin(sb, e) < 0)
		return -1;
	new_record(&r, o);
	rc = attio_record_write(sb, &r, true, vals, W_CREATE, NULL, e);
	return finish_write(sb, rc, &r, out, e);
}

/* PUT ?matching_attribute=: finds the one record holding any of the
 * supplied values of the (unique) matching attribute and updates it, or
 * creates a record when none does. */
int attio_h_record_assert(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	struct attio_object *o;
	struct attio_attr *m;
	struct attio_record r = {0};
	json_t *vals, *input = NULL, *norm = NULL, *v;
	char found[ATTIO_ID_LEN] = "";
	const char *key;
	size_t i;
	int rc = -1;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	if (!rq->matching_attribute)
		return attio_err_set(e, 400, "validation_type",
		                     "The query parameter matching_attribute "
		                     "is required.");
	m = attio_attr_find(o, rq->matching_attribute);
	if (!m)
		return attio_err_set(e, 400, "value_not_found",
		                     "No attribute was found for "
		                     "matching_attribute slug/ID \"%s\".",
		                     rq->matching_attribute);
	if (!m->is_unique)
		return attio_err_set(e, 400,
		                     "matching_attribute_definition_not_unique",
		                     "The matching attribute specified is not "
		                     "a unique attribute.");
	if (!(vals = body_values(rq, e)))
		return -1;
	json_object_foreach(vals, key, v)
	{
		if (attio_attr_find(o, key) == m)
			input = v;
	}
	if (!input || json_is_null(input) ||
	    (json_is_array(input) && json_array_size(input) == 0))
		return attio_err_set(e, 400, "validation_type",
		                     "No value was provided for the matching "
		                     "attribute \"%s\".",
		                     m->slug);
	if (begin(sb, e) < 0)
		return -1;
	if (attio_values_normalize(sb, m, input, &norm, e) < 0)
		goto done;
	json_array_foreach(norm, i, v)
	{
		char *k = attio_value_key(m, v), owner[ATTIO_ID_LEN];

		if (attio_store_unique_find(sb, m, k, owner) == 0) {
			if (found[0] && strcmp(found, owner)) {
				free(k);
				attio_err_set(e, 400, "multiple_match_results",
				              "Multiple records match the "
				              "values given for matching "
				              "attribute \"%s\".",
				              m->slug);
				goto done;
			}
			snprintf(found, sizeof(found), "%s", owner);
		}
		free(k);
	}
	if (found[0]) {
		if (attio_store_record_get(sb, o, found, &r) < 0) {
			attio_err_set(e, 500, "internal_error",
			              "Sandbox index names a missing record.");
			goto done;
		}
		rc = attio_record_write(sb, &r, false, vals, W_ASSERT, m, e);
	} else {
		new_record(&r, o);
		rc = attio_record_write(sb, &r, true, vals, W_CREATE, m, e);
	}
done:
	json_decref(norm);
	return finish_write(sb, rc, &r, out, e);
}

int attio_h_record_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	struct attio_object *o;
	struct attio_record r = {0};

	if (object_or_404(sb, rq->params[0], &o, e) < 0 ||
	    record_or_404(sb, o, rq->params[1], &r, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_record_json(sb, &r));
	attio_record_release(&r);
	return 0;
}

static int update(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e, enum attio_write_mode mode)
{
	struct attio_object *o;
	struct attio_record r = {0};
	json_t *vals;
	int rc;

	if (object_or_404(sb, rq->params[0], &o, e) < 0 ||
	    !(vals = body_values(rq, e)) || begin(sb, e) < 0)
		return -1;
	if (record_or_404(sb, o, rq->params[1], &r, e) < 0) {
		attio_store_rollback(sb);
		return -1;
	}
	rc = attio_record_write(sb, &r, false, vals, mode, NULL, e);
	return finish_write(sb, rc, &r, out, e);
}

int attio_h_record_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	return update(sb, rq, out, e, W_PATCH);
}

int attio_h_record_put(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	return update(sb, rq, out, e, W_PUT);
}

int attio_h_record_delete(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	struct attio_object *o;
	struct attio_record r = {0};
	char now[ATTIO_TS_LEN];
	size_t i;
	int rc = -1;

	if (object_or_404(sb, rq->params[0], &o, e) < 0 || begin(sb, e) < 0)
		return -1;
	if (record_or_404(sb, o, rq->params[1], &r, e) < 0)
		goto done;
	attio_now(now);
	if (attio_store_record_delete(sb, &r) < 0)
		goto db_fail;
	for (i = 0; i < o->n_attrs; i++) {
		struct attio_attr *a = &o->attrs[i];

		if (a->rel_object[0] &&
		    sync_relationship(sb, a, r.id,
		                      json_object_get(r.values, a->slug), NULL,
		                      now) < 0)
			goto db_fail;
	}
	if (attio_store_commit(sb) < 0)
		goto db_fail;
	*out = json_object();
	rc = 0;
	goto done;
db_fail:
	attio_err_set(e, 500, "internal_error", "Sandbox store failure: %s",
	              ferry_error_last());
done:
	if (rc < 0)
		attio_store_rollback(sb);
	attio_record_release(&r);
	return rc;
}

/* POST .../records/query: filter, then offset and limit, in creation
 * order; with sorts, the shared query of attio_query.c. */
int attio_h_record_query(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	struct attio_object *o;
	json_t *filter, *ids = NULL, *data = NULL, *idv;
	long long limit, offset, skipped = 0;
	size_t i;
	int rc = -1;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	if (rq->body && !json_is_object(rq->body))
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: expected "
		                     "an object.");
	/* sorting needs every match first: the shared query (attio_query.c) */
	if (json_array_size(json_object_get(rq->body, "sorts")) > 0 ||
	    (json_object_get(rq->body, "sorts") &&
	     !json_is_array(json_object_get(rq->body, "sorts")) &&
	     !json_is_null(json_object_get(rq->body, "sorts"))))
		return attio_query_run(sb, o, rq->body, attio_record_json, out,
		                       e);
	filter = json_object_get(rq->body, "filter");
	if (attio_body_count(rq->body, "limit", 500, &limit, e) < 0 ||
	    attio_body_count(rq->body, "offset", 0, &offset, e) < 0 ||
	    (filter && attio_filter_check(o, filter, e) < 0))
		goto done;
	ids = attio_store_record_ids(sb, o);
	data = json_array();
	json_array_foreach(ids, i, idv)
	{
		struct attio_record r = {0};

		if ((long long)json_array_size(data) >= limit)
			break;
		/* Unfiltered, the records before the offset are not read:
		 * paging through a large object stays linear. */
		if (!filter && skipped < offset) {
			skipped++;
			continue;
		}
		if (attio_store_record_get(sb, o, json_string_value(idv), &r) <
		    0)
			continue;
		if (!filter || attio_filter_match(o, filter, &r)) {
			if (skipped++ >= offset)
				json_array_append_new(
				    data, attio_record_json(sb, &r));
		}
		attio_record_release(&r);
	}
	*out = json_pack("{s:O}", "data", data);
	rc = 0;
done:
	json_decref(ids);
	json_decref(data);
	return rc;
}
