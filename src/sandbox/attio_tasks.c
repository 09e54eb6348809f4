/* attio_tasks.c: tasks of the Attio stand-in (reference §7.2): create with
 * all six fields, linked records that must exist, assignees that must be
 * workspace members; list with its filters, get, PATCH (deadline,
 * completion, links and assignees only) and delete. A task cannot be
 * backdated: created_at is the time of the request. */
#include "util.h"

#include <sqlite3.h>

#include "attio_sandbox.h"
#include "server.h"

#define COLS                                                                   \
	"task_id, content, deadline_at, is_completed, linked_records,"         \
	" assignees, created_at"
#define MAX_CONTENT 2000 /* characters */

int attio_resolve_ref(struct attio_sb *sb, json_t *v, struct attio_object **obj,
                      char id[ATTIO_ID_LEN], struct attio_err *e)
{
	const char *tobj =
	    json_string_value(json_object_get(v, "target_object"));
	struct attio_object *o;
	struct attio_record r = {0};
	const char *key;
	json_t *val;

	if (!tobj)
		return attio_err_set(
		    e, 400, "validation_type",
		    "A linked record needs {\"target_object\", "
		    "\"target_record_id\"} or a matching "
		    "attribute.");
	if (!(o = attio_object_find(sb, tobj)))
		return attio_err_set(
		    e, 400, "validation_type",
		    "\"%s\" is not an object whose records can "
		    "be linked.",
		    tobj);
	json_object_foreach(v, key, val)
	{
		struct attio_attr *ma;
		json_t *norm = NULL, *one;
		size_t i;

		if (!strcmp(key, "target_object"))
			continue;
		if (!strcmp(key, "target_record_id")) {
			if (!json_is_string(val) ||
			    attio_store_record_get(
			        sb, o, json_string_value(val), &r) < 0)
				return attio_err_set(
				    e, 400, "value_not_found",
				    "Record with ID \"%s\" not found.",
				    json_is_string(val) ? json_string_value(val)
				                        : "");
			attio_record_release(&r);
			snprintf(id, ATTIO_ID_LEN, "%s",
			         json_string_value(val));
			*obj = o;
			return 0;
		}
		if (!(ma = attio_attr_find(o, key)) || !ma->is_unique)
			return attio_err_set(
			    e, 400, "value_not_found",
			    "No unique attribute \"%s\" on "
			    "object \"%s\" to match the linked "
			    "record by.",
			    key, o->slug);
		if (attio_values_normalize(sb, ma, val, &norm, e) < 0)
			return -1;
		json_array_foreach(norm, i, one)
		{
			char *k = attio_value_key(ma, one);
			int found = attio_store_unique_find(sb, ma, k, id);

			free(k);
			if (found == 0) {
				json_decref(norm);
				*obj = o;
				return 0;
			}
		}
		json_decref(norm);
		return attio_err_set(e, 400, "value_not_found",
		                     "No %s record matches the given \"%s\".",
		                     o->slug, key);
	}
	return attio_err_set(e, 400, "validation_type",
	                     "A linked record of \"%s\" names no record.",
	                     o->slug);
}

/* The stored forms of linked_records and assignees. */
static int links_of(struct attio_sb *sb, json_t *in, json_t **out,
                    struct attio_err *e)
{
	json_t *arr, *v;
	size_t i;

	if (!json_is_array(in))
		return attio_err_set(e, 400, "validation_type",
		                     "linked_records must be an array.");
	arr = json_array();
	json_array_foreach(in, i, v)
	{
		struct attio_object *o;
		char id[ATTIO_ID_LEN];

		if (attio_resolve_ref(sb, v, &o, id, e) < 0) {
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr,
		                      json_pack("{s:s,s:s}", "target_object_id",
		                                o->id, "target_record_id", id));
	}
	*out = arr;
	return 0;
}

static int assignees_of(struct attio_sb *sb, json_t *in, json_t **out,
                        struct attio_err *e)
{
	json_t *arr, *v;
	size_t i;

	if (!json_is_array(in))
		return attio_err_set(e, 400, "validation_type",
		                     "assignees must be an array.");
	arr = json_array();
	json_array_foreach(in, i, v)
	{
		json_t *m = json_is_object(v)
		                ? attio_norm_member(sb, "task assignee", v, e)
		                : NULL;

		if (!m) {
			if (!e->status)
				attio_err_set(e, 400, "validation_type",
				              "Each assignee is an object.");
			json_decref(arr);
			return -1;
		}
		json_array_append_new(arr, m);
	}
	*out = arr;
	return 0;
}

static int deadline_of(json_t *v, char out[ATTIO_TS_LEN], struct attio_err *e)
{
	out[0] = '\0';
	if (json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    attio_timestamp_parse(json_string_value(v), out, NULL) < 0)
		return attio_err_set(
		    e, 400, "validation_type",
		    "deadline_at must be an ISO 8601 timestamp "
		    "or null.");
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static json_t *parsed(const unsigned char *s)
{
	json_t *j = s ? json_loads((const char *)s, 0, NULL) : NULL;

	return j ? j : json_array();
}

static json_t *task_json(struct attio_sb *sb, sqlite3_stmt *st)
{
	const unsigned char *deadline = sqlite3_column_text(st, 2);

	return json_pack(
	    "{s:{s:s,s:s},s:s,s:s?,s:b,s:o,s:o,s:o,s:s}", "id", "workspace_id",
	    sb->workspace_id, "task_id",
	    (const char *)sqlite3_column_text(st, 0), "content_plaintext",
	    (const char *)sqlite3_column_text(st, 1), "deadline_at",
	    (const char *)deadline, "is_completed", sqlite3_column_int(st, 3),
	    "linked_records", parsed(sqlite3_column_text(st, 4)), "assignees",
	    parsed(sqlite3_column_text(st, 5)), "created_by_actor",
	    attio_actor_json(sb), "created_at",
	    (const char *)sqlite3_column_text(st, 6));
}

static int answer(struct attio_sb *sb, const char *id, json_t **out,
                  struct attio_err *e)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT " COLS " FROM tasks WHERE task_id = ?");
	int rc = 0;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = json_pack("{s:o}", "data", task_json(sb, st));
	else
		rc = attio_err_set(e, 404, "not_found",
		                   "Task with ID \"%s\" not found.", id);
	sqlite3_finalize(st);
	return rc;
}

static int store_failed(struct attio_sb *sb, const char *what,
                        struct attio_err *e)
{
	attio_store_fail(sb, what);
	return attio_err_set(e, 500, "internal_error",
	                     "Sandbox store failure: %s", ferry_error_last());
}

/* Writes the columns given (NULL: unchanged) of task `id`. */
static int save(struct attio_sb *sb, const char *id, bool insert,
                const char *content, const char *deadline, int completed,
                json_t *links, json_t *assignees, struct attio_err *e)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, insert ? "INSERT INTO tasks(" COLS ") VALUES(?1, ?2, ?3, ?4,"
	                 " ?5, ?6, ?7)"
	               : "UPDATE tasks SET deadline_at = CASE WHEN ?8 THEN ?3"
	                 " ELSE deadline_at END, is_completed = coalesce(?4,"
	                 " is_completed), linked_records = coalesce(?5,"
	                 " linked_records), assignees = coalesce(?6,"
	                 " assignees) WHERE task_id = ?1");
	char *l = links ? json_dumps(links, JSON_COMPACT) : NULL;
	char *a = assignees ? json_dumps(assignees, JSON_COMPACT) : NULL;
	char now[ATTIO_TS_LEN];
	int rc = 0;

	attio_now(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (content)
		sqlite3_bind_text(st, 2, content, -1, SQLITE_TRANSIENT);
	if (deadline && *deadline)
		sqlite3_bind_text(st, 3, deadline, -1, SQLITE_TRANSIENT);
	if (completed >= 0)
		sqlite3_bind_int(st, 4, completed);
	if (l)
		sqlite3_bind_text(st, 5, l, -1, SQLITE_TRANSIENT);
	if (a)
		sqlite3_bind_text(st, 6, a, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 8, deadline != NULL);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_failed(sb, "writing a task", e);
	sqlite3_finalize(st);
	free(l);
	free(a);
	return rc;
}

int attio_h_task_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	json_t *d = json_object_get(rq->body, "data");
	const char *content = json_string_value(json_object_get(d, "content"));
	const char *format = json_string_value(json_object_get(d, "format"));
	json_t *deadline = json_object_get(d, "deadline_at");
	json_t *done_v = json_object_get(d, "is_completed");
	json_t *links = NULL, *assignees = NULL;
	char id[ATTIO_ID_LEN], when[ATTIO_TS_LEN];
	int rc = -1;

	if (!content || !format || !deadline || !json_is_boolean(done_v) ||
	    !json_object_get(d, "linked_records") ||
	    !json_object_get(d, "assignees"))
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: content, "
		                     "format, deadline_at, is_completed, "
		                     "linked_records and assignees are all "
		                     "required.");
	if (strcmp(format, "plaintext"))
		return attio_err_set(e, 400, "validation_type",
		                     "Task format must be \"plaintext\".");
	if (utf8_chars(content) > MAX_CONTENT)
		return attio_err_set(
		    e, 400, "validation_type",
		    "Task content is longer than %d characters.", MAX_CONTENT);
	if (deadline_of(deadline, when, e) < 0 ||
	    links_of(sb, json_object_get(d, "linked_records"), &links, e) < 0 ||
	    assignees_of(sb, json_object_get(d, "assignees"), &assignees, e) <
	        0)
		goto done;
	attio_uuid(id);
	if (save(sb, id, true, content, when, json_is_true(done_v), links,
	         assignees, e) == 0)
		rc = answer(sb, id, out, e);
done:
	json_decref(links);
	json_decref(assignees);
	return rc;
}

int attio_h_task_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	json_t *d = json_object_get(rq->body, "data"), *v;
	json_t *links = NULL, *assignees = NULL, *deadline, *done_v;
	char when[ATTIO_TS_LEN] = "";
	const char *k;
	int rc = -1;

	if (answer(sb, rq->params[0], out, e) < 0)
		return -1;
	json_decref(*out);
	*out = NULL;
	if (!json_is_object(d) || json_object_size(d) == 0)
		return attio_err_set(
		    e, 400, "validation_type",
		    "Body payload validation error: expected "
		    "{\"data\": {...}} with at least one of "
		    "deadline_at, is_completed, linked_records, "
		    "assignees.");
	json_object_foreach(d, k, v)
	{
		if (strcmp(k, "deadline_at") && strcmp(k, "is_completed") &&
		    strcmp(k, "linked_records") && strcmp(k, "assignees"))
			return attio_err_set(
			    e, 400, "validation_type",
			    "A task's \"%s\" cannot be updated; "
			    "only deadline_at, is_completed, "
			    "linked_records and assignees can.",
			    k);
	}
	deadline = json_object_get(d, "deadline_at");
	done_v = json_object_get(d, "is_completed");
	if (done_v && !json_is_boolean(done_v))
		return attio_err_set(e, 400, "validation_type",
		                     "is_completed must be a boolean.");
	if ((deadline && deadline_of(deadline, when, e) < 0) ||
	    (json_object_get(d, "linked_records") &&
	     links_of(sb, json_object_get(d, "linked_records"), &links, e) <
	         0) ||
	    (json_object_get(d, "assignees") &&
	     assignees_of(sb, json_object_get(d, "assignees"), &assignees, e) <
	         0))
		goto done;
	if (save(sb, rq->params[0], false, NULL, deadline ? when : NULL,
	         done_v ? json_is_true(done_v) : -1, links, assignees, e) == 0)
		rc = answer(sb, rq->params[0], out, e);
done:
	json_decref(links);
	json_decref(assignees);
	return rc;
}

int attio_h_task_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	return answer(sb, rq->params[0], out, e);
}

int attio_h_task_delete(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "DELETE FROM tasks WHERE task_id = ?");
	int rc = 0;

	sqlite3_bind_text(st, 1, rq->params[0], -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_failed(sb, "deleting a task", e);
	else if (sqlite3_changes(sb->db) == 0)
		rc = attio_err_set(e, 404, "not_found",
		                   "Task with ID \"%s\" not found.",
		                   rq->params[0]);
	else
		*out = json_object();
	sqlite3_finalize(st);
	return rc;
}

/* Does the task row match the list filters? */
static bool task_matches(sqlite3_stmt *st, const char *obj_id,
                         const char *rec_id, struct attio_member *assignee,
                         bool unassigned, int completed)
{
	json_t *links = parsed(sqlite3_column_text(st, 4));
	json_t *as = parsed(sqlite3_column_text(st, 5)), *v;
	bool ok = completed < 0 || sqlite3_column_int(st, 3) == completed;
	bool hit;
	size_t i;

	if (ok && (obj_id || rec_id)) {
		hit = false;
		json_array_foreach(links, i, v)
		{
			const char *o = json_string_value(
			    json_object_get(v, "target_object_id"));
			const char *r = json_string_value(
			    json_object_get(v, "target_record_id"));

			if ((!obj_id || (o && !strcmp(o, obj_id))) &&
			    (!rec_id || (r && !strcmp(r, rec_id))))
				hit = true;
		}
		ok = hit;
	}
	if (ok && unassigned)
		ok = json_array_size(as) == 0;
	if (ok && assignee) {
		hit = false;
		json_array_foreach(as, i, v)
		{
			const char *id = json_string_value(
			    json_object_get(v, "referenced_actor_id"));

			if (id && !strcmp(id, assignee->id))
				hit = true;
		}
		ok = hit;
	}
	json_decref(links);
	json_decref(as);
	return ok;
}

int attio_h_tasks(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e)
{
	char *sort = sandbox_query_arg(rq->query, "sort");
	char *lobj = sandbox_query_arg(rq->query, "linked_object");
	char *lrec = sandbox_query_arg(rq->query, "linked_record_id");
	char *who = sandbox_query_arg(rq->query, "assignee");
	char *done_s = sandbox_query_arg(rq->query, "is_completed");
	struct attio_object *o = NULL;
	struct attio_member *m = NULL;
	long long limit, offset, skipped = 0;
	sqlite3_stmt *st = NULL;
	json_t *data = NULL;
	int completed = -1, rc = -1;

	if (attio_query_count(rq, "limit", 500, 0, &limit, e) < 0 ||
	    attio_query_count(rq, "offset", 0, 0, &offset, e) < 0)
		goto done;
	if (sort && strcmp(sort, "created_at:asc") &&
	    strcmp(sort, "created_at:desc")) {
		attio_err_set(
		    e, 400, "validation_type",
		    "sort must be created_at:asc or created_at:desc.");
		goto done;
	}
	if (done_s && strcmp(done_s, "true") && strcmp(done_s, "false")) {
		attio_err_set(e, 400, "validation_type",
		              "is_completed must be true or false.");
		goto done;
	}
	completed = done_s ? !strcmp(done_s, "true") : -1;
	if (lobj && !(o = attio_object_find(sb, lobj))) {
		attio_err_set(e, 404, "not_found",
		              "Object with slug/ID \"%s\" not found.", lobj);
		goto done;
	}
	if (who && *who && !(m = attio_member_find(sb, who))) {
		attio_err_set(e, 400, "value_not_found",
		              "Workspace member \"%s\" not found.", who);
		goto done;
	}
	st = attio_store_prep(sb, sort && !strcmp(sort, "created_at:desc")
	                              ? "SELECT " COLS " FROM tasks ORDER BY"
	                                " seq DESC"
	                              : "SELECT " COLS " FROM tasks ORDER BY"
	                                " seq");
	data = json_array();
	while ((long long)json_array_size(data) < limit &&
	       sqlite3_step(st) == SQLITE_ROW)
		if (task_matches(st, o ? o->id : NULL, lrec, m, who && !*who,
		                 completed) &&
		    skipped++ >= offset)
			json_array_append_new(data, task_json(sb, st));
	*out = json_pack("{s:O}", "data", data);
	rc = 0;
done:
	json_decref(data);
	sqlite3_finalize(st);
	free(sort);
	free(lobj);
	free(lrec);
	free(who);
	free(done_s);
	return rc;
}
