/* attio.h: the Attio destination: its REST API v2 as documented
 * (shared/reference/attio-api.md), over ferry's HTTP client. */
#ifndef FERRY_ATTIO_H
#define FERRY_ATTIO_H

#include <jansson.h>

#include "ferry/http.h"

#define FERRY_ATTIO_WRITE_RATE 25.0
#define FERRY_ATTIO_READ_RATE  100.0

struct ferry_attio;

int ferry_attio_new(struct ferry_attio **out, const struct ferry_http_opts *o);
void ferry_attio_free(struct ferry_attio *a);
struct ferry_http *ferry_attio_http(struct ferry_attio *a);

/* The outcome of one record write: data, not an error. */
struct ferry_attio_result {
	long http_status; /* 0 if no answer */
	int attempts;
	char record_id[64]; /* set on success */
	char code[64];      /* Attio's error code, e.g. "uniqueness_conflict" */
	char message[1024]; /* Attio's message, or ferry's */
};

/* GET /v2/self: proves the token works. FERRY_EAUTH on 401/403 or an
 * inactive token, with Attio's message; fills workspace name if given. */
int ferry_attio_check(struct ferry_attio *a, struct ferry_buf *workspace_name);

/* PUT /v2/objects/{object}/records?matching_attribute={attr} with body
 * {"data":{"values":values}}. Returns 0 whenever Attio answered (the
 * result says whether the record was written: http_status 200 and
 * record_id set); a negative code only when no answer came at all. */
int ferry_attio_assert_record(struct ferry_attio *a, const char *object,
                              const char *matching_attribute, json_t *values,
                              struct ferry_attio_result *res);

/* POST /v2/objects/{object}/records/query with {"filter":filter,"limit":n}.
 * *out receives the "data" array (caller decrefs). */
int ferry_attio_query(json_t **out, struct ferry_attio *a, const char *object,
                      json_t *filter, int limit, int offset);

/* GET /v2/objects/{object}/records/{id}; FERRY_ENOTFOUND on 404. */
int ferry_attio_get_record(json_t **out, struct ferry_attio *a,
                           const char *object, const char *record_id);

/* GET `path` (e.g. "/v2/workspace_members"): *out receives the answer's
 * "data" (caller decrefs). FERRY_ENOTFOUND on 404. */
int ferry_attio_get_data(json_t **out, struct ferry_attio *a, const char *path);

/* What analyze and plan check against (attio_schema.c): the workspace
 * members (an array) and, for each of `objects`, its attributes with the
 * options of every select attribute under "options":
 *   {"members": [...], "attributes": {"companies": [...], ...}}
 * An object the workspace does not have is left out. */
int ferry_attio_schema(json_t **out, struct ferry_attio *a,
                       const char *const *objects);

/*
 * Writes as requests for the multi handle (multi.h): each builder gives
 * the method, the path and the exact JSON body (compact, keys sorted, so
 * one record always gives the same bytes and the same payload hash), and
 * each reader turns an answer into a ferry_attio_result or the "data" of
 * a listing. Shapes as in the Attio reference (§5, §6, §7.1, §7.2).
 * attio_write.c.
 */
struct ferry_attio_request {
	const char *method;        /* "PUT", "PATCH", "POST", "GET" */
	enum ferry_http_class cls; /* queries are POSTs counted as reads */
	struct ferry_buf path;     /* "/v2/objects/companies/records?..." */
	char *body;                /* JSON text, or NULL (GET) */
};
void ferry_attio_request_release(struct ferry_attio_request *r);

/* PUT /v2/objects/{object}/records?matching_attribute={attr}
 * {"data":{"values":values}}: the assert (upsert). */
int ferry_attio_req_assert(struct ferry_attio_request *r, const char *object,
                           const char *matching_attribute,
                           const json_t *values);
/* PATCH /v2/objects/{object}/records/{record_id} {"data":{"values":...}}:
 * updates the record; multiselect values are added to the ones there. */
int ferry_attio_req_update(struct ferry_attio_request *r, const char *object,
                           const char *record_id, const json_t *values);
/* POST /v2/objects/{object}/records {"data":{"values":...}}: a create,
 * which is not idempotent (the caller makes it findable). */
int ferry_attio_req_create(struct ferry_attio_request *r, const char *object,
                           const json_t *values);
/* POST /v2/objects/{object}/records/query {"filter","limit","offset"}. */
int ferry_attio_req_query(struct ferry_attio_request *r, const char *object,
                          const json_t *filter, int limit, int offset);
/* POST /v2/notes {"data":{"parent_object","parent_record_id","title",
 * "format","content","created_at"}}; `created_at` may be NULL (now). */
int ferry_attio_req_note(struct ferry_attio_request *r,
                         const char *parent_object,
                         const char *parent_record_id, const char *title,
                         const char *format, const char *content,
                         const char *created_at);
/* GET /v2/notes?parent_object=&parent_record_id=&limit=&offset= */
int ferry_attio_req_notes_of(struct ferry_attio_request *r,
                             const char *parent_object,
                             const char *parent_record_id, int limit,
                             int offset);
/* POST /v2/tasks {"data":{"content","format":"plaintext","deadline_at",
 * "is_completed","linked_records","assignees"}}: `deadline_at` NULL is
 * null; linked_records and assignees are arrays in Attio's write forms. */
int ferry_attio_req_task(struct ferry_attio_request *r, const char *content,
                         const char *deadline_at, bool is_completed,
                         const json_t *linked_records, const json_t *assignees);
/* GET /v2/tasks?linked_object=&linked_record_id=&limit=&offset= (the
 * link NULL: every task). */
int ferry_attio_req_tasks_of(struct ferry_attio_request *r,
                             const char *linked_object,
                             const char *linked_record_id, int limit,
                             int offset);
/* PUT /v2/lists/{list}/entries {"data":{"parent_record_id",
 * "parent_object","entry_values"}}: the entry asserted by its parent. */
int ferry_attio_req_entry(struct ferry_attio_request *r, const char *list,
                          const char *parent_object,
                          const char *parent_record_id,
                          const json_t *entry_values);

/* What a write's answer says: a 2xx fills res->record_id with data.id's
 * `id_key` ("record_id", "note_id", "task_id", "entry_id"); any other
 * status fills res->code and res->message with Attio's (or ferry's words
 * for a body of another shape). Returns 0 when the write took (2xx with
 * an id), FERRY_EINVALID otherwise; res is filled either way. */
int ferry_attio_parse_written(struct ferry_attio_result *res, long status,
                              const char *body, size_t len, const char *id_key);
/* The "data" array of a 2xx listing (a query, notes, tasks): *out is the
 * caller's. FERRY_EINVALID when the body has no such array. */
int ferry_attio_parse_list(json_t **out, const char *body, size_t len);

/*
 * Schema administration (attio_admin.c), for schema setup
 * (schema_setup.h): objects, attributes, select options, statuses and
 * lists made through the API (reference §2, §3.2, §6). Each returns 0
 * whenever Attio answered, with `res` saying how (http_status, and for
 * anything but a 2xx Attio's code and message); a negative code only
 * when no answer came (FERRY_ECONN, FERRY_ETIMEOUT, ...) or a slug is
 * not one Attio could have. Writes, under the write budget; a 5xx is
 * retried by the HTTP client, and a retried create that had been made
 * answers 409 slug_conflict, which ferry_attio_result_exists() reads as
 * "already there".
 */

/* POST /v2/objects {"data": {api_slug, singular_noun, plural_noun}}. */
int ferry_attio_create_object(struct ferry_attio *a, const json_t *data,
                              struct ferry_attio_result *res);
/* POST /v2/{target}/{parent}/attributes {"data": data}; target is
 * "objects" or "lists". */
int ferry_attio_create_attribute(struct ferry_attio *a, const char *target,
                                 const char *parent, const json_t *data,
                                 struct ferry_attio_result *res);
/* PATCH /v2/{target}/{parent}/attributes/{attribute} {"data": data}. */
int ferry_attio_update_attribute(struct ferry_attio *a, const char *target,
                                 const char *parent, const char *attribute,
                                 const json_t *data,
                                 struct ferry_attio_result *res);
/* POST .../attributes/{attribute}/options {"data": {"title"}}, or
 * .../statuses when `status`. */
int ferry_attio_create_option(struct ferry_attio *a, const char *target,
                              const char *parent, const char *attribute,
                              bool status, const char *title,
                              struct ferry_attio_result *res);
/* POST /v2/lists {"data": {name, api_slug, parent_object,
 * workspace_access, workspace_member_access}}. */
int ferry_attio_create_list(struct ferry_attio *a, const json_t *data,
                            struct ferry_attio_result *res);
/* Whether an answer says the thing is already there: 409 slug_conflict
 * (a taken slug or option title). */
bool ferry_attio_result_exists(const struct ferry_attio_result *res);

/* Adds to a ferry_attio_schema() snapshot what only schema setup reads
 * (show_archived=true):
 *   "archived": {"<object>": [its archived attributes]} for each of
 *   `objects` the snapshot has;
 *   "archived_options": [...] on each select or status attribute of the
 *   snapshot: its archived options or statuses;
 *   "lists": every list of the workspace (GET /v2/lists), and on those
 *   named in `lists`, "attributes" (with "options" and
 *   "archived_options" as above) and "archived_attributes".
 * Either array may be NULL (nothing of that kind). Reads only. */
int ferry_attio_schema_extra(json_t *snapshot, struct ferry_attio *a,
                             const char *const *objects,
                             const char *const *lists);

#endif
