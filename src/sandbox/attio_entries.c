/* attio_entries.c: list entries of the Attio stand-in: create (several per
 * parent allowed), assert by parent record (PUT /entries), get, PATCH
 * (multiselects appended), PUT (overwritten), delete, query, and the
 * entries whose parent is a record. An entry is a record of its list
 * (attio_record_write() applies the values), with a parent that must
 * exist and cannot change. */
#include "util.h"

#include "attio_sandbox.h"

static int list_or_404(struct attio_sb *sb, const char *key,
                       struct attio_object **out, struct attio_err *e)
{
	*out = attio_list_find(sb, key);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "List with slug/ID \"%s\" not found.",
		                     key);
	return 0;
}

static int fail_store(struct attio_sb *sb, struct attio_err *e)
{
	attio_store_rollback(sb);
	return attio_err_set(e, 500, "internal_error",
	                     "Sandbox store failure: %s", ferry_error_last());
}

/* entry_values of {"data": {...}}; the parent keys are checked by the
 * caller. */
static json_t *entry_values(json_t *d, bool parent_allowed, struct attio_err *e)
{
	json_t *vals = json_object_get(d, "entry_values"), *v;
	const char *k;

	if (!json_is_object(d) || !json_is_object(vals)) {
		attio_err_set(e, 400, "validation_type",
		              "Body payload validation error: expected "
		              "{\"data\": {\"entry_values\": {...}}}.");
		return NULL;
	}
	json_object_foreach(d, k, v)
	{
		if (strcmp(k, "entry_values") &&
		    !(parent_allowed && (!strcmp(k, "parent_record_id") ||
		                         !strcmp(k, "parent_object")))) {
			attio_err_set(e, 400, "validation_type",
			              "Body payload validation error: "
			              "unrecognized key \"%s\".",
			              k);
			return NULL;
		}
	}
	return vals;
}

/* The parent named by data {parent_object, parent_record_id}: it must be
 * the list's parent object and the record must exist. */
static int parent_of(struct attio_sb *sb, struct attio_object *l, json_t *d,
                     struct attio_record *r, struct attio_err *e)
{
	const char *obj =
	    json_string_value(json_object_get(d, "parent_object"));
	const char *id =
	    json_string_value(json_object_get(d, "parent_record_id"));
	struct attio_object *po;
	struct attio_record p = {0};

	if (!obj || !id)
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: "
		                     "parent_record_id and parent_object are "
		                     "required.");
	if (!(po = attio_object_find(sb, obj)))
		return attio_err_set(e, 400, "value_not_found",
		                     "Parent object with slug/ID \"%s\" not "
		                     "found.",
		                     obj);
	if (strcmp(po->slug, l->parent_object))
		return attio_err_set(e, 400, "validation_type",
		                     "List \"%s\" holds %s records, not %s.",
		                     l->slug, l->parent_object, po->slug);
	if (attio_store_record_get(sb, po, id, &p) < 0)
		return attio_err_set(e, 400, "value_not_found",
		                     "Parent record with slug/ID \"%s\" not "
		                     "found.",
		                     id);
	attio_record_release(&p);
	snprintf(r->parent_object, sizeof(r->parent_object), "%s", po->slug);
	snprintf(r->parent_id, sizeof(r->parent_id), "%s", id);
	return 0;
}

static void new_entry(struct attio_record *r, struct attio_object *l)
{
	memset(r, 0, sizeof(*r));
	attio_uuid(r->id);
	attio_now(r->created_at);
	r->object = l;
	r->values = json_object();
}

/* Commits (or rolls back) and answers with the entry. */
static int finish(struct attio_sb *sb, int rc, struct attio_record *r,
                  json_t **out, struct attio_err *e)
{
	if (rc == 0 && attio_store_commit(sb) < 0)
		rc = fail_store(sb, e);
	if (rc < 0)
		attio_store_rollback(sb);
	else
		*out = json_pack("{s:o}", "data", attio_entry_json(sb, r));
	attio_record_release(r);
	return rc;
}

int attio_h_entry_create(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	struct attio_object *l;
	struct attio_record r;
	json_t *d = json_object_get(rq->body, "data"), *vals;
	int rc;

	if (list_or_404(sb, rq->params[0], &l, e) < 0 ||
	    !(vals = entry_values(d, true, e)))
		return -1;
	new_entry(&r, l);
	if (parent_of(sb, l, d, &r, e) < 0 || attio_store_begin(sb) < 0) {
		if (!e->status)
			fail_store(sb, e);
		attio_record_release(&r);
		return -1;
	}
	rc = attio_record_write(sb, &r, true, vals, W_CREATE, NULL, e);
	return finish(sb, rc, &r, out, e);
}

/* PUT /entries: the one entry of the parent in this list is updated
 * (multiselects overwritten), or one is made; several → 400. */
int attio_h_entry_assert(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	struct attio_object *l;
	struct attio_record r, found = {0};
	json_t *d = json_object_get(rq->body, "data"), *vals, *ids = NULL;
	int rc = -1;

	if (list_or_404(sb, rq->params[0], &l, e) < 0 ||
	    !(vals = entry_values(d, true, e)))
		return -1;
	new_entry(&r, l);
	if (parent_of(sb, l, d, &r, e) < 0)
		goto fail;
	ids = attio_store_entries_of(sb, l, r.parent_id);
	if (json_array_size(ids) > 1) {
		attio_err_set(
		    e, 400, "multiple_match_results",
		    "Multiple entries were found for the given parent "
		    "record. Please remove duplicates or use the "
		    "update or create entry endpoints instead.");
		goto fail;
	}
	if (attio_store_begin(sb) < 0) {
		fail_store(sb, e);
		goto fail;
	}
	if (json_array_size(ids) == 1) {
		if (attio_store_record_get(
		        sb, l, json_string_value(json_array_get(ids, 0)),
		        &found) < 0) {
			fail_store(sb, e);
			goto fail;
		}
		attio_record_release(&r);
		r = found;
		rc = attio_record_write(sb, &r, false, vals, W_PUT, NULL, e);
	} else {
		rc = attio_record_write(sb, &r, true, vals, W_CREATE, NULL, e);
	}
	json_decref(ids);
	return finish(sb, rc, &r, out, e);
fail:
	json_decref(ids);
	attio_record_release(&r);
	return -1;
}

static int entry_or_404(struct attio_sb *sb, struct attio_req *rq,
                        struct attio_object **l, struct attio_record *r,
                        struct attio_err *e)
{
	if (list_or_404(sb, rq->params[0], l, e) < 0)
		return -1;
	if (attio_store_record_get(sb, *l, rq->params[1], r) < 0)
		return attio_err_set(e, 404, "not_found",
		                     "Entry with ID \"%s\" not found in list "
		                     "\"%s\".",
		                     rq->params[1], (*l)->slug);
	return 0;
}

int attio_h_entry_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e)
{
	struct attio_object *l;
	struct attio_record r = {0};

	if (entry_or_404(sb, rq, &l, &r, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_entry_json(sb, &r));
	attio_record_release(&r);
	return 0;
}

static int update(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e, enum attio_write_mode mode)
{
	struct attio_object *l;
	struct attio_record r = {0};
	json_t *d = json_object_get(rq->body, "data"), *vals;
	const char *pid, *pobj;
	struct attio_object *po;
	int rc;

	if (!(vals = entry_values(d, true, e)) ||
	    entry_or_404(sb, rq, &l, &r, e) < 0)
		return -1;
	pid = json_string_value(json_object_get(d, "parent_record_id"));
	pobj = json_string_value(json_object_get(d, "parent_object"));
	po = pobj ? attio_object_find(sb, pobj) : NULL;
	if ((json_object_get(d, "parent_record_id") &&
	     (!pid || strcmp(pid, r.parent_id))) ||
	    (json_object_get(d, "parent_object") &&
	     (!po || strcmp(po->slug, r.parent_object)))) {
		attio_record_release(&r);
		return attio_err_set(
		    e, 400, "immutable_value",
		    "The parent record for a list entry cannot "
		    "be updated once created.");
	}
	if (attio_store_begin(sb) < 0) {
		attio_record_release(&r);
		return fail_store(sb, e);
	}
	rc = attio_record_write(sb, &r, false, vals, mode, NULL, e);
	return finish(sb, rc, &r, out, e);
}

int attio_h_entry_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	return update(sb, rq, out, e, W_PATCH);
}

int attio_h_entry_put(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e)
{
	return update(sb, rq, out, e, W_PUT);
}

int attio_h_entry_delete(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	struct attio_object *l;
	struct attio_record r = {0};
	int rc = 0;

	if (entry_or_404(sb, rq, &l, &r, e) < 0)
		return -1;
	if (attio_store_begin(sb) < 0 ||
	    attio_store_record_delete(sb, &r) < 0 || attio_store_commit(sb) < 0)
		rc = fail_store(sb, e);
	else
		*out = json_object();
	attio_record_release(&r);
	return rc;
}

int attio_h_entry_query(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	struct attio_object *l;

	if (list_or_404(sb, rq->params[0], &l, e) < 0)
		return -1;
	return attio_query_run(sb, l, rq->body, attio_entry_json, out, e);
}

/* GET /v2/objects/{object}/records/{id}/entries: limit 100 (max 1000). */
int attio_h_record_entries(struct attio_sb *sb, struct attio_req *rq,
                           json_t **out, struct attio_err *e)
{
	struct attio_object *o = attio_object_find(sb, rq->params[0]);
	struct attio_record r = {0};
	long long limit, offset;
	json_t *ids, *data, *idv;
	size_t i, n;

	if (!o)
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     rq->params[0]);
	if (attio_store_record_get(sb, o, rq->params[1], &r) < 0)
		return attio_err_set(e, 404, "not_found",
		                     "Record with ID \"%s\" not found.",
		                     rq->params[1]);
	attio_record_release(&r);
	if (attio_query_count(rq, "limit", 100, 1000, &limit, e) < 0 ||
	    attio_query_count(rq, "offset", 0, 0, &offset, e) < 0)
		return -1;
	ids = attio_store_entries_of(sb, NULL, rq->params[1]);
	data = json_array();
	n = json_array_size(ids);
	for (i = (size_t)(offset < (long long)n ? offset : (long long)n);
	     i < n && (long long)json_array_size(data) < limit; i++) {
		struct attio_record en = {0};
		size_t j;

		idv = json_array_get(ids, i);
		for (j = 0; j < sb->n_lists; j++)
			if (attio_store_record_get(sb, sb->lists[j],
			                           json_string_value(idv),
			                           &en) == 0)
				break;
		if (j == sb->n_lists)
			continue;
		json_array_append_new(
		    data,
		    json_pack("{s:s,s:s,s:s,s:s}", "list_id", sb->lists[j]->id,
		              "list_api_slug", sb->lists[j]->slug, "entry_id",
		              en.id, "created_at", en.created_at));
		attio_record_release(&en);
	}
	json_decref(ids);
	*out = json_pack("{s:o}", "data", data);
	return 0;
}
