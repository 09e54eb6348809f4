/* overrides.c: a person's changes to staged records for the conflict
 * queue: a value for one field, or a skip with its reason. The staging
 * keeps what the source gave; every plan reads the record with these on
 * top (FERRY_QUEUE_FIELDS_SQL). Each change is an audit event. */
#include "util.h"

#include "ferry/queue.h"
#include "plan/mapfile_int.h"
#include "store/store.h"

/* The staged fields of the record (its JSON text), or FERRY_ENOTFOUND. */
static int staged_fields(json_t **out, struct ferry_workspace *ws,
                         const char *object, const char *source_id)
{
	sqlite3_stmt *st = NULL;
	json_error_t jerr;
	json_t *fields;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT fields FROM main.staged_records WHERE object = ? AND "
	         "source_id = ?")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(
		    FERRY_ENOTFOUND,
		    "%s %s is not staged: check the object and the id "
		    "('ferry queue list' shows the held records)",
		    object, source_id);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read a staged record");
		goto done;
	}
	fields = json_loads((const char *)sqlite3_column_text(st, 0), 0, &jerr);
	if (!json_is_object(fields)) {
		json_decref(fields);
		error = ferry_error_set(FERRY_EINVALID,
		                        "staged record %s %s is not a JSON "
		                        "object: stage the object again",
		                        object, source_id);
		goto done;
	}
	*out = fields;
done:
	sqlite3_finalize(st);
	return error;
}

/* FERRY_EINVALID naming the nearest fields when `field` is not one. */
static int check_field(json_t *fields, const char *object, const char *field)
{
	const char **names;
	const char *key;
	json_t *v;
	char hint[160];
	size_t n = 0;
	int error;

	if (json_object_get(fields, field))
		return 0;
	names = ferry_xcalloc(json_object_size(fields) + 1, sizeof(*names));
	json_object_foreach(fields, key, v) names[n++] = key;
	error = ferry_error_set(
	    FERRY_EINVALID,
	    "%s has no field '%.80s'%s: name a field of the staged record "
	    "('ferry queue show %s <id>' lists them)",
	    object, field, mf_did_you_mean(hint, sizeof(hint), field, names, n),
	    object);
	free(names);
	return error;
}

static int audit(struct ferry_workspace *ws, const char *object,
                 const char *source_id, const char *event, json_t *detail)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	int error = ferry_audit_append(ws, "queue", object, source_id, event,
	                               text ? text : "{}");

	free(text);
	json_decref(detail);
	return error;
}

/* The override of (object, id, field) as it is now, or NULL. */
static json_t *current(struct ferry_workspace *ws, const char *object,
                       const char *source_id, const char *field)
{
	sqlite3_stmt *st = NULL;
	json_t *v = NULL;

	if (ferry_store__prepare(&st, ws,
	                         "SELECT value, note FROM main.overrides "
	                         "WHERE object = ? AND source_id = ? AND "
	                         "field = ?") < 0)
		return NULL;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	ferry_store__bind_text(st, 3, field);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = json_string(
		    (const char *)sqlite3_column_text(st, field[0] ? 0 : 1));
	sqlite3_finalize(st);
	return v;
}

static int put(struct ferry_workspace *ws, const char *object,
               const char *source_id, const char *field, const char *value,
               const char *note)
{
	sqlite3_stmt *st = NULL;
	char now[40];
	int error;

	ferry_store__now(now, sizeof(now));
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "INSERT INTO main.overrides(object, source_id, field, value, "
	         "note, set_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(object, "
	         "source_id, field) DO UPDATE SET value = excluded.value, note "
	         "= excluded.note, set_at = excluded.set_at")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	ferry_store__bind_text(st, 3, field);
	ferry_store__bind_text(st, 4, value);
	ferry_store__bind_text(st, 5, note);
	ferry_store__bind_text(st, 6, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot keep an override");
	sqlite3_finalize(st);
	return error;
}

static bool valid_utf8_text(const char *s)
{
	json_t *j = json_string(s); /* jansson checks UTF-8 */
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}

int ferry_queue_set(struct ferry_workspace *ws, const char *object,
                    const char *source_id, const char *field, const char *value)
{
	json_t *fields = NULL, *was = NULL;
	int error;

	if (!field || !*field || !value)
		return ferry_error_set(FERRY_EINVALID,
		                       "an override needs a field and a value");
	if (!valid_utf8_text(value))
		return ferry_error_set(FERRY_EINVALID,
		                       "the value for %s.%s is not valid UTF-8",
		                       object, field);
	if ((error = staged_fields(&fields, ws, object, source_id)) < 0 ||
	    (error = check_field(fields, object, field)) < 0 ||
	    (error = ferry_workspace_begin(ws)) < 0)
		goto done;
	was = current(ws, object, source_id, field);
	if ((error = put(ws, object, source_id, field, value, "")) < 0 ||
	    (error = audit(ws, object, source_id, "edit",
	                   json_pack("{s:s, s:O, s:o, s:s}", "field", field,
	                             "staged", json_object_get(fields, field),
	                             "was", was ? was : json_null(), "value",
	                             value))) < 0) {
		ferry_workspace_rollback(ws);
		goto done;
	}
	error = ferry_workspace_commit(ws);
done:
	json_decref(fields);
	return error;
}

int ferry_queue_skip(struct ferry_workspace *ws, const char *object,
                     const char *source_id, const char *note)
{
	json_t *fields = NULL;
	int error;

	if (!note || !*note)
		return ferry_error_set(FERRY_EINVALID,
		                       "say why %s %s is left out: a skip "
		                       "needs a reason",
		                       object, source_id);
	if (!valid_utf8_text(note))
		return ferry_error_set(FERRY_EINVALID,
		                       "the reason is not valid UTF-8");
	if ((error = staged_fields(&fields, ws, object, source_id)) < 0 ||
	    (error = ferry_workspace_begin(ws)) < 0)
		goto done;
	if ((error = put(ws, object, source_id, "", "skip", note)) < 0 ||
	    (error = audit(ws, object, source_id, "skip",
	                   json_pack("{s:s}", "reason", note))) < 0) {
		ferry_workspace_rollback(ws);
		goto done;
	}
	error = ferry_workspace_commit(ws);
done:
	json_decref(fields);
	return error;
}

int ferry_queue_unset(struct ferry_workspace *ws, const char *object,
                      const char *source_id, const char *field)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;
	int error;

	if ((error = ferry_workspace_begin(ws)) < 0)
		return error;
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "DELETE FROM main.overrides WHERE object = ?1 AND source_id "
	         "= ?2 AND (?3 IS NULL OR field = ?3)")) < 0)
		goto fail;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	ferry_store__bind_text(st, 3, field);
	if (sqlite3_step(st) != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot remove an override");
		goto fail;
	}
	n = sqlite3_changes64(ws->db);
	if (n > 0 && (error = audit(ws, object, source_id, "unset",
	                            field ? json_pack("{s:s}", "field", field)
	                                  : json_pack("{s:b}", "all", 1))) < 0)
		goto fail;
	sqlite3_finalize(st);
	if ((error = ferry_workspace_commit(ws)) < 0)
		return error;
	return (int)(n > INT32_MAX ? INT32_MAX : n);
fail:
	sqlite3_finalize(st);
	ferry_workspace_rollback(ws);
	return error;
}

int ferry_queue_record(json_t **out, struct ferry_workspace *ws,
                       const char *object, const char *source_id)
{
	json_t *fields = NULL, *overrides = json_object(), *skip = json_null();
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = staged_fields(&fields, ws, object, source_id)) < 0 ||
	    (error = ferry_store__prepare(
	         &st, ws,
	         "SELECT field, value, note, set_at FROM main.overrides WHERE "
	         "object = ? AND source_id = ? ORDER BY field")) < 0)
		goto done;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);
		const char *at = (const char *)sqlite3_column_text(st, 3);

		if (!*field) {
			json_decref(skip);
			skip =
			    json_pack("{s:s, s:s}", "note",
			              (const char *)sqlite3_column_text(st, 2),
			              "set_at", at);
			continue;
		}
		json_object_set_new(
		    overrides, field,
		    json_pack("{s:s, s:O, s:s}", "value", value, "staged",
		              json_object_get(fields, field)
		                  ? json_object_get(fields, field)
		                  : json_null(),
		              "set_at", at));
		json_object_set_new(fields, field, json_string(value));
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot read overrides");
		goto done;
	}
	*out = json_pack("{s:s, s:s, s:O, s:O, s:O}", "object", object,
	                 "source_id", source_id, "fields", fields, "overrides",
	                 overrides, "skip", skip);
done:
	sqlite3_finalize(st);
	json_decref(fields);
	json_decref(overrides);
	json_decref(skip);
	return error;
}
