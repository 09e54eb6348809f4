/* attio_write.c: Attio's write requests as data for the multi handle (the
 * method, the path and the exact body of an assert, an update, a create,
 * a note, a task, a list entry, and the reads that find what a create may
 * already have made), and the readers of their answers. Bodies are
 * compact JSON with sorted keys: the same record always gives the same
 * bytes, so its payload hash says whether it changed. */
#include <jansson.h>

#include "util.h"

#include "connectors/attio_parse.h"
#include "ferry/attio.h"

void ferry_attio_request_release(struct ferry_attio_request *r)
{
	if (!r)
		return;
	ferry_buf_release(&r->path);
	free(r->body);
	r->body = NULL;
	r->method = NULL;
}

/* Slugs and ids go into paths: Attio's alphabet only ([a-z0-9_-], record
 * ids also upper case), and each segment is percent-encoded anyway. */
static int check_segment(const char *what, const char *s, bool upper_ok)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 128)
		goto bad;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || (upper_ok && c >= 'A' && c <= 'Z'))
			continue;
		goto bad;
	}
	return 0;
bad:
	return ferry_error_set(FERRY_EINVALID,
	                       "'%.128s' is not a valid Attio %s: use lower "
	                       "case letters, digits, '_' and '-'",
	                       s ? s : "", what);
}

/* Starts `r` with `method` and a path of fixed parts and segments:
 * `parts` alternate literal text and a segment to encode (NULL ends). */
static int start(struct ferry_attio_request *r, const char *method,
                 enum ferry_http_class cls, const char *const *parts)
{
	size_t i;
	int error = 0;

	memset(r, 0, sizeof(*r));
	ferry_buf_init(&r->path, 4096);
	r->method = method;
	r->cls = cls;
	for (i = 0; parts[i] && !error; i++)
		error = i % 2 ? ferry_buf_put_urlencoded(&r->path, parts[i])
		              : ferry_buf_puts(&r->path, parts[i]);
	return error;
}

/* Sets the body (`doc` is stolen). */
static int set_body(struct ferry_attio_request *r, json_t *doc,
                    const char *what)
{
	int error = 0;

	if (!doc || !(r->body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)))
		error = ferry_error_set(
		    FERRY_EINVALID, "cannot encode %s for Attio as JSON", what);
	json_decref(doc);
	return error;
}

static int finish(struct ferry_attio_request *r, int error)
{
	if (error < 0)
		ferry_attio_request_release(r);
	return error;
}

static int values_body(struct ferry_attio_request *r, const char *object,
                       const json_t *values)
{
	if (!json_is_object(values))
		return ferry_error_set(FERRY_EINVALID,
		                       "the values for an Attio '%s' record "
		                       "must be a JSON object",
		                       object);
	return set_body(r, json_pack("{s:{s:O}}", "data", "values", values),
	                "a record");
}

int ferry_attio_req_assert(struct ferry_attio_request *r, const char *object,
                           const char *matching_attribute, const json_t *values)
{
	const char *parts[] = {
	    "/v2/objects/", object,
	    "/records?matching_attribute=", matching_attribute, NULL};
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", object, false)) < 0 ||
	    (error = check_segment("attribute", matching_attribute, false)) < 0)
		return error;
	error = start(r, "PUT", FERRY_HTTP_WRITE, parts);
	if (!error)
		error = values_body(r, object, values);
	return finish(r, error);
}

int ferry_attio_req_update(struct ferry_attio_request *r, const char *object,
                           const char *record_id, const json_t *values)
{
	const char *parts[] = {"/v2/objects/", object, "/records/", record_id,
	                       NULL};
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", object, false)) < 0 ||
	    (error = check_segment("record id", record_id, true)) < 0)
		return error;
	error = start(r, "PATCH", FERRY_HTTP_WRITE, parts);
	if (!error)
		error = values_body(r, object, values);
	return finish(r, error);
}

int ferry_attio_req_create(struct ferry_attio_request *r, const char *object,
                           const json_t *values)
{
	const char *parts[] = {"/v2/objects/", object, "/records", NULL};
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", object, false)) < 0)
		return error;
	error = start(r, "POST", FERRY_HTTP_WRITE, parts);
	if (!error)
		error = values_body(r, object, values);
	return finish(r, error);
}

int ferry_attio_req_query(struct ferry_attio_request *r, const char *object,
                          const json_t *filter, int limit, int offset)
{
	const char *parts[] = {"/v2/objects/", object, "/records/query", NULL};
	json_t *doc;
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", object, false)) < 0)
		return error;
	if (limit <= 0 || offset < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "bad page for querying '%s' (limit %d, "
		                       "offset %d)",
		                       object, limit, offset);
	/* Attio counts queries as reads, though they are POSTs. */
	error = start(r, "POST", FERRY_HTTP_READ, parts);
	doc = json_pack("{s:i, s:i}", "limit", limit, "offset", offset);
	if (filter)
		json_object_set_new(doc, "filter", json_deep_copy(filter));
	if (!error)
		error = set_body(r, doc, "a query");
	else
		json_decref(doc);
	return finish(r, error);
}

int ferry_attio_req_note(struct ferry_attio_request *r,
                         const char *parent_object,
                         const char *parent_record_id, const char *title,
                         const char *format, const char *content,
                         const char *created_at)
{
	const char *parts[] = {"/v2/notes", NULL};
	json_t *data;
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", parent_object, false)) < 0 ||
	    (error = check_segment("record id", parent_record_id, true)) < 0)
		return error;
	if (strcmp(format, "plaintext") && strcmp(format, "markdown"))
		return ferry_error_set(FERRY_EINVALID,
		                       "a note's format is plaintext or "
		                       "markdown, not '%s'",
		                       format);
	error = start(r, "POST", FERRY_HTTP_WRITE, parts);
	data = json_pack("{s:s, s:s, s:s, s:s, s:s}", "parent_object",
	                 parent_object, "parent_record_id", parent_record_id,
	                 "title", title ? title : "", "format", format,
	                 "content", content ? content : "");
	if (data && created_at && *created_at)
		json_object_set_new(data, "created_at",
		                    json_string(created_at));
	if (!error)
		error = set_body(r, json_pack("{s:o}", "data", data), "a note");
	else
		json_decref(data);
	return finish(r, error);
}

/* A listing's query string: name=value pairs, each value encoded. */
static int query_args(struct ferry_buf *b, const char *const *kv)
{
	size_t i;
	int error = 0;

	for (i = 0; kv[i] && !error; i += 2) {
		if (!kv[i + 1])
			continue;
		error = ferry_buf_puts(b, strchr(b->ptr, '?') ? "&" : "?");
		if (!error)
			error = ferry_buf_puts(b, kv[i]);
		if (!error)
			error = ferry_buf_putc(b, '=');
		if (!error)
			error = ferry_buf_put_urlencoded(b, kv[i + 1]);
	}
	return error;
}

static int listing(struct ferry_attio_request *r, const char *path,
                   const char *k1, const char *v1, const char *k2,
                   const char *v2, int limit, int offset)
{
	const char *parts[] = {path, NULL};
	char lim[24], off[24];
	const char *kv[] = {k1, v1, k2, v2, "limit", lim, "offset", off, NULL};
	int error;

	if (limit <= 0 || offset < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "bad page for listing %s (limit %d, "
		                       "offset %d)",
		                       path, limit, offset);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	error = start(r, "GET", FERRY_HTTP_READ, parts);
	if (!error)
		error = query_args(&r->path, kv);
	return finish(r, error);
}

int ferry_attio_req_notes_of(struct ferry_attio_request *r,
                             const char *parent_object,
                             const char *parent_record_id, int limit,
                             int offset)
{
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("object", parent_object, false)) < 0 ||
	    (error = check_segment("record id", parent_record_id, true)) < 0)
		return error;
	return listing(r, "/v2/notes", "parent_object", parent_object,
	               "parent_record_id", parent_record_id, limit, offset);
}

int ferry_attio_req_task(struct ferry_attio_request *r, const char *content,
                         const char *deadline_at, bool is_completed,
                         const json_t *linked_records, const json_t *assignees)
{
	const char *parts[] = {"/v2/tasks", NULL};
	json_t *data;
	int error;

	memset(r, 0, sizeof(*r));
	if (!json_is_array(linked_records) || !json_is_array(assignees))
		return ferry_error_set(FERRY_EINVALID,
		                       "a task's linked_records and assignees "
		                       "must be arrays");
	error = start(r, "POST", FERRY_HTTP_WRITE, parts);
	data = json_pack("{s:s, s:s, s:b, s:O, s:O}", "content",
	                 content ? content : "", "format", "plaintext",
	                 "is_completed", is_completed, "linked_records",
	                 linked_records, "assignees", assignees);
	if (data)
		json_object_set_new(data, "deadline_at",
		                    deadline_at && *deadline_at
		                        ? json_string(deadline_at)
		                        : json_null());
	if (!error)
		error = set_body(r, json_pack("{s:o}", "data", data), "a task");
	else
		json_decref(data);
	return finish(r, error);
}

int ferry_attio_req_tasks_of(struct ferry_attio_request *r,
                             const char *linked_object,
                             const char *linked_record_id, int limit,
                             int offset)
{
	int error;

	memset(r, 0, sizeof(*r));
	if (linked_object &&
	    ((error = check_segment("object", linked_object, false)) < 0 ||
	     (error = check_segment("record id", linked_record_id, true)) < 0))
		return error;
	return listing(r, "/v2/tasks", linked_object ? "linked_object" : NULL,
	               linked_object, linked_object ? "linked_record_id" : NULL,
	               linked_object ? linked_record_id : NULL, limit, offset);
}

int ferry_attio_req_entry(struct ferry_attio_request *r, const char *list,
                          const char *parent_object,
                          const char *parent_record_id,
                          const json_t *entry_values)
{
	const char *parts[] = {"/v2/lists/", list, "/entries", NULL};
	int error;

	memset(r, 0, sizeof(*r));
	if ((error = check_segment("list", list, false)) < 0 ||
	    (error = check_segment("object", parent_object, false)) < 0 ||
	    (error = check_segment("record id", parent_record_id, true)) < 0)
		return error;
	if (entry_values && !json_is_object(entry_values))
		return ferry_error_set(FERRY_EINVALID,
		                       "the values of an entry of list '%s' "
		                       "must be a JSON object",
		                       list);
	error = start(r, "PUT", FERRY_HTTP_WRITE, parts);
	if (!error)
		error = set_body(
		    r,
		    json_pack("{s:{s:s, s:s, s:o}}", "data", "parent_record_id",
		              parent_record_id, "parent_object", parent_object,
		              "entry_values",
		              entry_values ? json_deep_copy(entry_values)
		                           : json_object()),
		    "a list entry");
	return finish(r, error);
}

/*
 * Answers.
 */

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int ferry_attio_parse_written(struct ferry_attio_result *res, long status,
                              const char *body, size_t len, const char *id_key)
{
	json_t *root = NULL;
	const json_t *id;
	json_error_t jerr;
	const char *s;
	size_t n, i;

	memset(res, 0, sizeof(*res));
	res->http_status = status;
	if (status < 200 || status > 299) {
		ferry_attio__parse_error(res, status, body, len);
		return FERRY_EINVALID;
	}
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	id = json_object_get(
	    json_object_get(json_object_get(root, "data"), "id"), id_key);
	s = json_string_value(id);
	n = s ? json_string_length(id) : 0;
	for (i = 0; i < n && id_char(s[i]); i++)
		;
	if (!s || n == 0 || n >= sizeof(res->record_id) || i < n) {
		json_decref(root);
		snprintf(res->code, sizeof(res->code), "invalid_response");
		snprintf(res->message, sizeof(res->message),
		         "Attio answered HTTP %ld without data.id.%s", status,
		         id_key);
		return FERRY_EINVALID;
	}
	memcpy(res->record_id, s, n);
	res->record_id[n] = '\0';
	json_decref(root);
	return 0;
}

int ferry_attio_parse_list(json_t **out, const char *body, size_t len)
{
	json_t *root = NULL, *data;
	json_error_t jerr;

	*out = NULL;
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		json_decref(root);
		return ferry_error_set(FERRY_EINVALID,
		                       "Attio's answer has no \"data\" array");
	}
	*out = json_incref(data);
	json_decref(root);
	return 0;
}
