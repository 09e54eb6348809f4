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

#endif
