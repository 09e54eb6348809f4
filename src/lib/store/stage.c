/* stage.c: staging source records into the workspace, one object at a
 * time and all or nothing, and reading them back in file order. */
#include "util.h"

#include "ferry/csv.h"
#include "store.h"

#define MAX_NAME 63 /* fits struct ferry_staged_object.object */

struct ferry_stage {
	struct ferry_workspace *ws;
	char object[MAX_NAME + 1];
	sqlite3_stmt *insert; /* reused for every add() */
	sqlite3_stmt *lookup; /* the first line of a duplicate id */
	int64_t count;
	unsigned generation;  /* ws->generation at begin() */
	struct ferry_buf row; /* add_row()'s JSON text, reused */
};

static void stage_free(struct ferry_stage *st)
{
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->lookup);
	ferry_buf_release(&st->row);
	free(st);
}

/* False (with a message) if the workspace transaction under this staging
 * was rolled back by someone else. */
static int check_alive(struct ferry_stage *st)
{
	if (st->generation != st->ws->generation)
		return ferry_error_set(FERRY_EDB,
		                       "the staging of '%s' was rolled back",
		                       st->object);
	return 0;
}

/*
 * Each staging runs under a savepoint inside a workspace transaction. If
 * this staging owns the transaction (depth 1), abort rolls it back; if it
 * is nested in a caller's transaction, abort rolls back to the savepoint
 * only, so the caller's earlier work survives.
 */
static void undo(struct ferry_stage *st)
{
	struct ferry_workspace *ws = st->ws;

	if (check_alive(st) < 0)
		return;
	if (ws->depth <= 1) {
		ferry_workspace_rollback(ws);
		return;
	}
	sqlite3_exec(ws->db, "ROLLBACK TO ferry_stage; RELEASE ferry_stage",
	             NULL, NULL, NULL);
	ws->depth--;
}

static int reset_object(struct ferry_stage *st, const char *origin)
{
	struct ferry_workspace *ws = st->ws;
	sqlite3_stmt *stmt = NULL;
	char now[40];
	int error;

	if ((error = ferry_store__prepare(
	         &stmt, ws, "DELETE FROM staged_records WHERE object = ?")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, st->object);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot clear a staging");
		goto done;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;

	ferry_store__now(now, sizeof(now));
	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "INSERT INTO staged_objects(object, origin, status, "
	         "record_count, staged_at) VALUES(?, ?, 'staging', 0, ?) "
	         "ON CONFLICT(object) DO UPDATE SET origin = "
	         "excluded.origin, status = 'staging', record_count = 0, "
	         "staged_at = excluded.staged_at")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, st->object);
	ferry_store__bind_text(stmt, 2, origin ? origin : "");
	ferry_store__bind_text(stmt, 3, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot start a staging");
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_stage_begin(struct ferry_stage **out, struct ferry_workspace *ws,
                      const char *object, const char *origin)
{
	struct ferry_stage *st = NULL;
	bool begun = false;
	int error;

	*out = NULL;
	if (!object || !*object || strlen(object) > MAX_NAME)
		return ferry_error_set(FERRY_EINVALID,
		                       "bad object name '%.80s' (1 to %d "
		                       "characters)",
		                       object ? object : "", MAX_NAME);
	st = ferry_xcalloc(1, sizeof(*st));
	ferry_buf_init(&st->row, 0);
	st->ws = ws;
	snprintf(st->object, sizeof(st->object), "%s", object);

	if ((error = ferry_workspace_begin(ws)) < 0)
		goto done;
	begun = true;
	st->generation = ws->generation;
	if ((error = ferry_store__exec(ws, "SAVEPOINT ferry_stage")) < 0 ||
	    (error = reset_object(st, origin)) < 0 ||
	    (error = ferry_store__prepare(
	         &st->insert, ws,
	         "INSERT INTO staged_records(object, source_id, line, "
	         "fields) VALUES(?, ?, ?, ?)")) < 0 ||
	    (error = ferry_store__prepare(
	         &st->lookup, ws,
	         "SELECT line FROM staged_records WHERE object = ? AND "
	         "source_id = ?")) < 0)
		goto done;
	*out = st;
	st = NULL;
done:
	if (st) {
		if (begun)
			undo(st);
		stage_free(st);
	}
	return error;
}

static int duplicate(struct ferry_stage *st, const char *source_id,
                     int64_t line)
{
	int64_t first = 0;

	sqlite3_reset(st->lookup);
	ferry_store__bind_text(st->lookup, 1, st->object);
	ferry_store__bind_text(st->lookup, 2, source_id);
	if (sqlite3_step(st->lookup) == SQLITE_ROW)
		first = sqlite3_column_int64(st->lookup, 0);
	sqlite3_reset(st->lookup);
	return ferry_error_set(
	    FERRY_ECONFLICT, "duplicate Id '%s' in %s (lines %lld and %lld)",
	    source_id, st->object, (long long)first, (long long)line);
}

/* Inserts one record's JSON text (`len` bytes) under its id. */
static int insert_text(struct ferry_stage *st, const char *source_id,
                       int64_t line, const char *text, size_t len)
{
	int error = 0, rc;

	sqlite3_reset(st->insert);
	ferry_store__bind_text(st->insert, 1, st->object);
	ferry_store__bind_text(st->insert, 2, source_id);
	sqlite3_bind_int64(st->insert, 3, line);
	sqlite3_bind_text(st->insert, 4, text, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(st->insert);
	sqlite3_reset(st->insert);
	/* `text` is the caller's: no statement may keep pointing at it. */
	sqlite3_bind_null(st->insert, 4);
	if (rc == SQLITE_CONSTRAINT_UNIQUE ||
	    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return duplicate(st, source_id, line);
	if (rc != SQLITE_DONE)
		return ferry_store__error(st->ws, "cannot stage a record");
	st->count++;
	return error;
}

static int check_id(struct ferry_stage *st, const char *source_id, int64_t line)
{
	if (!source_id || !*source_id)
		return ferry_error_set(
		    FERRY_EINVALID, "the record at line %lld of %s has no Id",
		    (long long)line, st->object);
	return 0;
}

int ferry_stage_add(struct ferry_stage *st, const char *source_id, int64_t line,
                    json_t *fields)
{
	char *text = NULL;
	int error;

	if ((error = check_alive(st)) < 0 ||
	    (error = check_id(st, source_id, line)) < 0)
		goto done;
	if (!json_is_object(fields)) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "the record '%s' of %s is not a JSON "
		                        "object",
		                        source_id, st->object);
		goto done;
	}
	text = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "cannot encode the record '%s' of %s",
		                        source_id, st->object);
		goto done;
	}
	error = insert_text(st, source_id, line, text, strlen(text));
done:
	free(text);
	return error;
}

/* Appends `s` as a JSON string the way jansson's compact dump writes it,
 * so both ways of staging store the same text. `s` is valid UTF-8 (the
 * CSV reader checks it). */
static int put_json_string(struct ferry_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	int error;

	if ((error = ferry_buf_putc(b, '"')) < 0)
		return error;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if ((error = ferry_buf_put(b, s + run, i - run)) < 0)
			return error;
		run = i + 1;
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if ((error = ferry_buf_put(b, esc, n)) < 0)
			return error;
	}
	if ((error = ferry_buf_put(b, s + run, len - run)) < 0)
		return error;
	return ferry_buf_putc(b, '"');
}

int ferry_stage_add_csv(struct ferry_stage *st, const char *source_id,
                        int64_t line, const struct ferry_csv *csv)
{
	struct ferry_buf *b = &st->row;
	size_t i, n = ferry_csv_columns(csv);
	int error;

	if ((error = check_alive(st)) < 0 ||
	    (error = check_id(st, source_id, line)) < 0)
		return error;
	ferry_buf_clear(b);
	if ((error = ferry_buf_putc(b, '{')) < 0)
		goto done;
	for (i = 0; i < n; i++) {
		const char *name = ferry_csv_header(csv, i);

		if ((i && (error = ferry_buf_putc(b, ',')) < 0) ||
		    (error = put_json_string(b, name, strlen(name))) < 0 ||
		    (error = ferry_buf_putc(b, ':')) < 0 ||
		    (error = put_json_string(b, ferry_csv_field(csv, i),
		                             ferry_csv_field_len(csv, i))) < 0)
			goto done;
	}
	if ((error = ferry_buf_putc(b, '}')) < 0)
		goto done;
	error = insert_text(st, source_id, line, b->ptr, b->len);
done:
	if (error == FERRY_ETOOBIG)
		ferry_error_set(error, "the record '%s' of %s is too large",
		                source_id, st->object);
	return error;
}

int ferry_stage_commit(struct ferry_stage *st, int64_t *count_out)
{
	struct ferry_workspace *ws = st->ws;
	sqlite3_stmt *stmt = NULL;
	char now[40];
	int error;

	if ((error = check_alive(st)) < 0)
		goto done;
	ferry_store__now(now, sizeof(now));
	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "UPDATE staged_objects SET status = 'complete', "
	         "record_count = ?, staged_at = ? WHERE object = ?")) < 0)
		goto done;
	sqlite3_bind_int64(stmt, 1, st->count);
	ferry_store__bind_text(stmt, 2, now);
	ferry_store__bind_text(stmt, 3, st->object);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot finish a staging");
		goto done;
	}
	if ((error = ferry_store__exec(ws, "RELEASE ferry_stage")) < 0)
		goto done;
	/* From here the savepoint is gone: a failed COMMIT rolls back in
	 * ferry_workspace_commit itself. */
	error = ferry_workspace_commit(ws);
	if (error == 0 && count_out)
		*count_out = st->count;
	sqlite3_finalize(stmt);
	stage_free(st);
	return error;
done:
	sqlite3_finalize(stmt);
	undo(st);
	stage_free(st);
	return error;
}

void ferry_stage_abort(struct ferry_stage *st)
{
	if (!st)
		return;
	undo(st);
	stage_free(st);
}

int ferry_stage_foreach_object(struct ferry_workspace *ws,
                               int (*cb)(const struct ferry_staged_object *o,
                                         void *payload),
                               void *payload)
{
	struct ferry_staged_object o;
	sqlite3_stmt *stmt = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT object, origin, record_count, staged_at FROM "
	         "staged_objects WHERE status = 'complete' ORDER BY "
	         "object")) < 0)
		goto done;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		ferry_store__column_copy(o.object, sizeof(o.object), stmt, 0);
		ferry_store__column_copy(o.origin, sizeof(o.origin), stmt, 1);
		o.count = sqlite3_column_int64(stmt, 2);
		ferry_store__column_copy(o.staged_at, sizeof(o.staged_at), stmt,
		                         3);
		if ((error = cb(&o, payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot list staged objects");
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_stage_foreach_record(struct ferry_workspace *ws, const char *object,
                               int (*cb)(const char *source_id, int64_t line,
                                         json_t *fields, void *payload),
                               void *payload)
{
	sqlite3_stmt *stmt = NULL;
	json_t *fields = NULL;
	json_error_t jerr;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT source_id, line, fields FROM staged_records WHERE "
	         "object = ? ORDER BY line, source_id")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		const char *text = (const char *)sqlite3_column_text(stmt, 2);

		fields = json_loads(text ? text : "", 0, &jerr);
		if (!fields) {
			error = ferry_error_set(FERRY_EDB,
			                        "staged record '%s' of %s is "
			                        "damaged in '%s': %s",
			                        id ? id : "", object,
			                        ws->db_name, jerr.text);
			goto done;
		}
		if ((error = cb(id ? id : "", sqlite3_column_int64(stmt, 1),
		                fields, payload)) != 0)
			goto done;
		json_decref(fields);
		fields = NULL;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot read staged records");
done:
	json_decref(fields);
	sqlite3_finalize(stmt);
	return error;
}

int ferry_stage_get(json_t **out, struct ferry_workspace *ws,
                    const char *object, const char *source_id)
{
	sqlite3_stmt *stmt;
	json_error_t jerr;
	json_t *fields;
	int error, rc;

	*out = NULL;
	if ((error = ferry_store__stmt(&stmt, ws, FERRY_STMT_STAGE_GET,
	                               "SELECT fields FROM staged_records "
	                               "WHERE object = ? AND source_id = ?")) <
	    0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, source_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "no staged record '%s' in %s",
		                        source_id, object);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read a staged record");
		goto done;
	}
	fields =
	    json_loads((const char *)sqlite3_column_text(stmt, 0), 0, &jerr);
	if (!fields) {
		error =
		    ferry_error_set(FERRY_EDB,
		                    "staged record '%s' of %s is damaged in "
		                    "'%s': %s",
		                    source_id, object, ws->db_name, jerr.text);
		goto done;
	}
	*out = fields;
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

/*
 * One record at a time (ferry sync): the staging of a completely staged
 * object changed in place, in the caller's transaction.
 */

/* Runs `sql` with up to three text parameters; *changes the rows it
 * changed (may be NULL). */
static int run3(struct ferry_workspace *ws, const char *sql, const char *a,
                const char *b, const char *c, int64_t *changes,
                const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int error;

	if ((error = ferry_store__prepare(&stmt, ws, sql)) < 0)
		return error;
	if (a)
		ferry_store__bind_text(stmt, 1, a);
	if (b)
		ferry_store__bind_text(stmt, 2, b);
	if (c)
		ferry_store__bind_text(stmt, 3, c);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, what);
	else if (changes)
		*changes = sqlite3_changes64(ws->db);
	sqlite3_finalize(stmt);
	return error;
}

static int complete(struct ferry_workspace *ws, const char *object)
{
	sqlite3_stmt *stmt = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT 1 FROM staged_objects WHERE object = ? AND status = "
	         "'complete'")) < 0)
		return error;
	ferry_store__bind_text(stmt, 1, object);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return ferry_store__error(ws, "cannot read the staging");
	return ferry_error_set(FERRY_ENOTFOUND,
	                       "%s is not staged: run 'ferry extract' first",
	                       object);
}

int ferry_stage_put(struct ferry_workspace *ws, const char *object,
                    const char *source_id, json_t *fields, bool *changed)
{
	json_t *old = NULL;
	char *text = NULL;
	int64_t n = 0;
	bool same = false;
	int error;

	if (!source_id || !*source_id || !json_is_object(fields))
		return ferry_error_set(
		    FERRY_EINVALID,
		    "a record of %s to stage needs an Id and "
		    "a JSON object of fields",
		    object);
	if ((error = complete(ws, object)) < 0)
		return error;
	error = ferry_stage_get(&old, ws, object, source_id);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		error = 0;
	} else if (error < 0) {
		return error;
	} else {
		same = json_equal(old, fields);
	}
	if (same)
		goto done;
	text = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "cannot encode the record '%s' of %s",
		                        source_id, object);
		goto done;
	}
	if (old) {
		error = run3(ws,
		             "UPDATE staged_records SET fields = ?3 WHERE "
		             "object = ?1 AND source_id = ?2",
		             object, source_id, text, NULL,
		             "cannot restage a record");
		goto done;
	}
	/* A new record goes after the last one, as a new line of the file
	 * would. */
	if ((error = run3(ws,
	                  "INSERT INTO staged_records(object, source_id, "
	                  "line, fields) SELECT ?1, ?2, coalesce(max(line), "
	                  "0) + 1, ?3 FROM staged_records WHERE object = ?1",
	                  object, source_id, text, &n,
	                  "cannot stage a record")) < 0 ||
	    (error = run3(ws,
	                  "UPDATE staged_objects SET record_count = "
	                  "record_count + 1 WHERE object = ?1",
	                  object, NULL, NULL, NULL,
	                  "cannot count a staged record")) < 0)
		goto done;
done:
	if (error == 0 && changed)
		*changed = !same;
	json_decref(old);
	free(text);
	return error;
}

int ferry_stage_remove(struct ferry_workspace *ws, const char *object,
                       const char *source_id, bool *removed)
{
	int64_t n = 0;
	int error;

	if ((error = complete(ws, object)) < 0 ||
	    (error = run3(ws,
	                  "DELETE FROM staged_records WHERE object = ?1 AND "
	                  "source_id = ?2",
	                  object, source_id, NULL, &n,
	                  "cannot remove a staged record")) < 0)
		return error;
	if (n > 0 && (error = run3(ws,
	                           "UPDATE staged_objects SET record_count = "
	                           "max(record_count - 1, 0) WHERE object = ?1",
	                           object, NULL, NULL, NULL,
	                           "cannot count a staged record")) < 0)
		return error;
	if (removed)
		*removed = n > 0;
	return 0;
}
