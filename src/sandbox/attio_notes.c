/* attio_notes.c: notes of the Attio stand-in (reference §7.1): create on a
 * parent record that must exist (backdating created_at as far as 1970,
 * never into the future), list by parent (limit 10, at most 50), get and
 * delete. Notes have no update endpoint. */
#include "util.h"

#include <sqlite3.h>

#include "attio_sandbox.h"
#include "server.h"

#define COLS                                                                   \
	"note_id, parent_object, parent_record_id, title, meeting_id,"         \
	" content_plaintext, content_markdown, created_at"

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : NULL;
}

static json_t *note_json(struct attio_sb *sb, sqlite3_stmt *st)
{
	return json_pack(
	    "{s:{s:s,s:s},s:s,s:s,s:s,s:s?,s:s,s:s,s:[],s:o,s:s}", "id",
	    "workspace_id", sb->workspace_id, "note_id", col(st, 0),
	    "parent_object", col(st, 1), "parent_record_id", col(st, 2),
	    "title", col(st, 3), "meeting_id", col(st, 4), "content_plaintext",
	    col(st, 5), "content_markdown", col(st, 6), "tags",
	    "created_by_actor", attio_actor_json(sb), "created_at", col(st, 7));
}

/* Markdown to plain text, roughly as Attio shows it: heading marks,
 * emphasis, strikethrough and highlight marks dropped, links reduced to
 * their text. */
static char *plaintext(const char *md)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	const char *p = md;
	bool line_start = true;

	ferry_buf_init(&b, strlen(md) + 1);
	while (*p) {
		if (line_start) {
			const char *h = p;

			while (*h == '#')
				h++;
			if (h > p && h - p <= 3 && *h == ' ')
				p = h + 1;
		}
		line_start = *p == '\n';
		if (!strncmp(p, "**", 2) || !strncmp(p, "__", 2) ||
		    !strncmp(p, "~~", 2) || !strncmp(p, "==", 2)) {
			p += 2;
			continue;
		}
		if (*p == '[') {
			const char *close = strstr(p, "](");
			const char *end = close ? strchr(close, ')') : NULL;
			const char *nl = strchr(p, '\n');

			if (end && (!nl || end < nl)) {
				if (ferry_buf_put(&b, p + 1,
				                  (size_t)(close - p - 1)) < 0)
					break;
				p = end + 1;
				continue;
			}
		}
		if (ferry_buf_putc(&b, *p++) < 0)
			break;
	}
	return ferry_buf_detach(&b, NULL);
}

static int parent_check(struct attio_sb *sb, const char *obj, const char *id,
                        struct attio_object **po, struct attio_err *e)
{
	struct attio_record r = {0};

	if (!(*po = attio_object_find(sb, obj)))
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     obj);
	if (id && attio_store_record_get(sb, *po, id, &r) < 0)
		return attio_err_set(e, 400, "value_not_found",
		                     "Parent record with slug/ID \"%s\" not "
		                     "found.",
		                     id);
	attio_record_release(&r);
	return 0;
}

static int answer(struct attio_sb *sb, const char *id, json_t **out,
                  struct attio_err *e)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT " COLS " FROM notes WHERE note_id = ?");
	int rc = 0;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = json_pack("{s:o}", "data", note_json(sb, st));
	else
		rc = attio_err_set(e, 404, "not_found",
		                   "Note with ID \"%s\" was not found.", id);
	sqlite3_finalize(st);
	return rc;
}

/* created_at: a timestamp from 1970 up to now. */
static int backdate(json_t *v, char out[ATTIO_TS_LEN], struct attio_err *e)
{
	int64_t t;

	if (!v || json_is_null(v)) {
		attio_now(out);
		return 0;
	}
	if (!json_is_string(v) ||
	    attio_timestamp_parse(json_string_value(v), out, &t) < 0 || t < 0 ||
	    t > ferry_clock_wall_us() / 1000000 + 1)
		return attio_err_set(e, 400, "validation_type",
		                     "created_at must be an ISO 8601 timestamp "
		                     "between 1970 and now.");
	return 0;
}

int attio_h_note_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	json_t *d = json_object_get(rq->body, "data");
	const char *obj =
	    json_string_value(json_object_get(d, "parent_object"));
	const char *pid =
	    json_string_value(json_object_get(d, "parent_record_id"));
	const char *title = json_string_value(json_object_get(d, "title"));
	const char *format = json_string_value(json_object_get(d, "format"));
	const char *content = json_string_value(json_object_get(d, "content"));
	json_t *meeting = json_object_get(d, "meeting_id");
	struct attio_object *po;
	char id[ATTIO_ID_LEN], created[ATTIO_TS_LEN];
	char *plain = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (!obj || !pid || !title || !format || !content ||
	    (strcmp(format, "plaintext") && strcmp(format, "markdown")))
		return attio_err_set(
		    e, 400, "validation_type",
		    "Body payload validation error: "
		    "parent_object, parent_record_id, title, "
		    "format (plaintext or markdown) and content "
		    "are required.");
	if (parent_check(sb, obj, pid, &po, e) < 0 ||
	    backdate(json_object_get(d, "created_at"), created, e) < 0)
		return -1;
	if (meeting && !json_is_null(meeting))
		return attio_err_set(e, 400, "value_not_found",
		                     "Meeting with ID \"%s\" not found (the "
		                     "sandbox has no meetings).",
		                     json_is_string(meeting)
		                         ? json_string_value(meeting)
		                         : "(not a string)");
	attio_uuid(id);
	plain = !strcmp(format, "markdown") ? plaintext(content)
	                                    : ferry_xstrdup(content);
	st = attio_store_prep(sb, "INSERT INTO notes(" COLS
	                          ") VALUES(?, ?, ?, ?, NULL, ?, ?, ?)");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, po->slug, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, pid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, plain, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, content, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, created, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		attio_store_fail(sb, "writing a note");
		attio_err_set(e, 500, "internal_error",
		              "Sandbox store failure: %s", ferry_error_last());
	} else {
		rc = answer(sb, id, out, e);
	}
	sqlite3_finalize(st);
	free(plain);
	return rc;
}

int attio_h_notes(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e)
{
	char *obj = sandbox_query_arg(rq->query, "parent_object");
	char *pid = sandbox_query_arg(rq->query, "parent_record_id");
	struct attio_object *po = NULL;
	long long limit, offset;
	sqlite3_stmt *st = NULL;
	json_t *data;
	int rc = -1;

	if (attio_query_count(rq, "limit", 10, 50, &limit, e) < 0 ||
	    attio_query_count(rq, "offset", 0, 0, &offset, e) < 0 ||
	    (obj && parent_check(sb, obj, NULL, &po, e) < 0))
		goto done;
	st = attio_store_prep(sb, "SELECT " COLS " FROM notes WHERE"
	                          " (?1 IS NULL OR parent_object = ?1) AND"
	                          " (?2 IS NULL OR parent_record_id = ?2)"
	                          " ORDER BY seq LIMIT ?3 OFFSET ?4");
	if (po)
		sqlite3_bind_text(st, 1, po->slug, -1, SQLITE_TRANSIENT);
	if (pid)
		sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	data = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(data, note_json(sb, st));
	*out = json_pack("{s:o}", "data", data);
	rc = 0;
done:
	sqlite3_finalize(st);
	free(obj);
	free(pid);
	return rc;
}

int attio_h_note_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	return answer(sb, rq->params[0], out, e);
}

int attio_h_note_delete(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "DELETE FROM notes WHERE note_id = ?");
	int rc = 0;

	sqlite3_bind_text(st, 1, rq->params[0], -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE) {
		attio_store_fail(sb, "deleting a note");
		rc = attio_err_set(e, 500, "internal_error",
		                   "Sandbox store failure: %s",
		                   ferry_error_last());
	} else if (sqlite3_changes(sb->db) == 0) {
		rc = attio_err_set(e, 404, "not_found",
		                   "Note with ID \"%s\" was not found.",
		                   rq->params[0]);
	} else {
		*out = json_object();
	}
	sqlite3_finalize(st);
	return rc;
}
