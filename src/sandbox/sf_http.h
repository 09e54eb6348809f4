/* sf_http.h: what the HTTP side of the Salesforce stand-in shares (sf.c,
 * sf_meta.c, sf_rest.c, sf_oauth.c, sf_bulk.c, sf_http.c). A request is decided
 * by sf_handle() with the one lock held, without libmicrohttpd (so the fuzz
 * target drives the same code), into a reply: a JSON body, or a Bulk
 * results page as a stream that sf_http.c sends while it is generated,
 * outside the lock. */
#ifndef FERRY_SF_HTTP_H
#define FERRY_SF_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "sf_sandbox.h"

#define SF_MAX_SKEW    16
#define SF_VERSION_MIN 31
#define SF_VERSION_MAX 67
/* Rows of a Bulk results page when the request names no maxRecords
 * (also the size of the pages resultPages links to). */
#define SF_BULK_DEFAULT_PAGE 50000

struct sf_skew {
	char object[64];
	int64_t n;
};

struct sf_opts {
	const char *bind;
	int port;
	const char *port_file, *log_file;
	struct sf_org_opts org;
	int64_t page_size; /* REST query page */
	int64_t api_limit; /* DailyApiRequests Max */
	int64_t bulk_polls;
	int64_t bulk_ms; /* a Bulk job's processing time */
	int64_t expire_after; /* API requests per access token; 0: never */
	double fail_rate, drop_rate;
	int64_t slow_ms;
	const char *fail_job; /* Bulk jobs on this object fail */
	struct sf_skew skew[SF_MAX_SKEW];
	size_t n_skew;
	const char *jwt_public_key; /* PEM file, or NULL */
	/* the connected app and its user (from the environment) */
	const char *client_id, *client_secret, *username, *password;
	const char *refresh_token, *access_token;
};

struct sf_token {
	char value[128];
	int64_t uses;
	bool dead;
};

struct sf_pos {
	int64_t row, raw; /* the row number and the raw index it starts at */
};

/* An open REST or Tooling query (sf_rest.c). */
struct sf_cursor {
	char id[19];
	struct sf_query *q;
	bool all, tooling;
	int64_t total;
	struct sf_pos *starts; /* page starts handed out */
	size_t n_starts;
	uint64_t used; /* sb->clock when last used, for eviction */
};

enum sf_job_state {
	SF_JOB_UPLOAD_COMPLETE,
	SF_JOB_IN_PROGRESS,
	SF_JOB_COMPLETE,
	SF_JOB_FAILED,
	SF_JOB_ABORTED,
};

/* A Bulk API 2.0 query job (sf_bulk.c). */
struct sf_job {
	char id[19];
	char *soql;
	struct sf_query *q;
	const struct sf_object *obj;
	bool all;
	char version[8];
	char delim;
	const char *delim_name, *eol_name;
	enum sf_job_state state;
	int64_t polls;
	int64_t created_us, modstamp_us; /* wall */
	int64_t total, processing_ms;
	char error_message[256];
	struct sf_pos *cps; /* known row → raw positions, sorted by row */
	size_t n_cps;
};

struct sf_stats {
	int64_t requests, api_requests, token_requests, bulk_jobs;
	int64_t results_pages, expired_tokens, faults_injected;
	int64_t writes; /* records created, updated or deleted */
};

/* The whole stand-in. Everything but the org (read-only) and the streams
 * already handed out is guarded by `lock`. */
struct sf_sb {
	const struct sf_opts *opts;
	struct sf_org *org;
	pthread_mutex_t lock;
	char base_url[80];
	char org_id[19], user_id[19];
	void *jwt_key; /* EVP_PKEY, or NULL */
	struct sf_token *tokens;
	size_t n_tokens;
	struct sf_cursor **cursors;
	size_t n_cursors;
	struct sf_job **jobs;
	size_t n_jobs;
	uint64_t rng;     /* fault injection */
	uint64_t next_id; /* cursor and job ids */
	uint64_t clock;   /* counts requests, for cursor eviction */
	int64_t api_used, bulk_jobs_used, bulk_bytes;
	struct sf_stats stats;
};

/* One request as the router sees it. */
struct sf_req {
	const char *method;
	const char *path;  /* decoded, without the query */
	const char *query; /* raw query string, "" if none */
	const char *body;
	size_t body_len;
	bool too_big;
	const char *authorization, *content_type; /* headers, or NULL */
	/* set by the router */
	char version[8]; /* "62.0" */
	const char *params[3];
};

struct sf_stream;

struct sf_reply {
	int status;
	json_t *json;             /* the body, or NULL for an empty one */
	struct sf_stream *stream; /* a CSV body instead */
	bool limit_info;          /* send Sforce-Limit-Info */
	char limit_value[64];
	bool bulk_headers; /* send Sforce-Locator and Sforce-NumberOfRecords */
	char locator[32];
	int64_t n_records;
	bool drop; /* close the connection without an answer */
};

typedef int (*sf_handler_fn)(struct sf_sb *sb, struct sf_req *rq,
                             struct sf_reply *out, struct sf_err *e);

/* --- sf.c --- */

/* Fills `sb` from `opts` (builds the org, loads the JWT key). */
int sf_sb_init(struct sf_sb *sb, const struct sf_opts *opts);
void sf_sb_free(struct sf_sb *sb);
/* Sets the base URL once the port is known. */
void sf_sb_listening(struct sf_sb *sb, const char *host, int port);
/* Decides one request (the lock held by the caller): fills `out`. */
void sf_handle(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out);
void sf_reply_release(struct sf_reply *r);
/* The decoded value of query parameter `name` (+ is a space), or NULL;
 * the caller frees it. */
char *sf_req_arg(const struct sf_req *rq, const char *name);
/* An 18-char id: prefix (3 chars), then a serial number, then the
 * checksum. */
void sf_make_id(char out[19], const char *prefix, uint64_t n);
/* "2024-01-15T18:25:32.000+0000" for Unix seconds `t`. */
void sf_format_time(int64_t t, char *out, size_t len);
json_t *sf_json_str(const char *s); /* null for NULL or bad UTF-8 */
/* The COUNT() skew configured for `object` (0 if none). */
int64_t sf_count_skew(const struct sf_sb *sb, const char *object);

/* --- sf_meta.c: versions, resources, describes, limits, deltas --- */

json_t *sf_versions_json(void);
json_t *sf_stats_json(struct sf_sb *sb);
int sf_h_resources(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e);
int sf_h_describe_global(struct sf_sb *sb, struct sf_req *rq,
                         struct sf_reply *out, struct sf_err *e);
int sf_h_sobject(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e);
int sf_h_describe(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                  struct sf_err *e);
int sf_h_tooling_describe_global(struct sf_sb *sb, struct sf_req *rq,
                                 struct sf_reply *out, struct sf_err *e);
int sf_h_tooling_describe(struct sf_sb *sb, struct sf_req *rq,
                          struct sf_reply *out, struct sf_err *e);
int sf_h_limits(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                struct sf_err *e);
int sf_h_record_count(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                      struct sf_err *e);
int sf_h_updated(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e);
int sf_h_deleted(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e);

/* --- sf_write.c: record writes (create, update, soft delete) --- */

int sf_h_record_create(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e);
int sf_h_record_update(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e);
int sf_h_record_delete(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e);

/* --- sf_rest.c: query, queryAll, next pages, the Tooling query --- */

int sf_h_query(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
               struct sf_err *e);
int sf_h_query_all(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e);
int sf_h_query_more(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e);
int sf_h_tooling_query(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e);
int sf_h_tooling_query_more(struct sf_sb *sb, struct sf_req *rq,
                            struct sf_reply *out, struct sf_err *e);
void sf_cursor_free(struct sf_cursor *c);

/* --- sf_oauth.c: the token endpoint and session checks --- */

/* Loads --jwt-public-key (a PEM public key or certificate). */
int sf_oauth_init(struct sf_sb *sb);
void sf_oauth_free(struct sf_sb *sb);
/* POST /services/oauth2/token: fills out (200 or an OAuth error). */
void sf_oauth_token(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out);
/* Checks the Authorization header and spends one use of the token:
 * 0, or -1 with 401 INVALID_SESSION_ID in `e`. */
int sf_oauth_check(struct sf_sb *sb, const char *authorization,
                   struct sf_err *e);

/* --- sf_bulk.c: Bulk API 2.0 query jobs --- */

int sf_h_job_create(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e);
int sf_h_job_list(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                  struct sf_err *e);
int sf_h_job_get(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e);
int sf_h_job_patch(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e);
int sf_h_job_delete(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e);
int sf_h_job_results(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                     struct sf_err *e);
int sf_h_job_result_pages(struct sf_sb *sb, struct sf_req *rq,
                          struct sf_reply *out, struct sf_err *e);
void sf_job_free(struct sf_job *j);
/* Copies up to `max` bytes of the page into buf: the count, or -1 once
 * the page is complete. Runs without the lock. */
ssize_t sf_stream_read(struct sf_stream *st, char *buf, size_t max);
/* Records where the page ended (under the lock) and frees it. */
void sf_stream_free(struct sf_stream *st);

/* --- sf_http.c: libmicrohttpd glue --- */

/* Runs the server until SIGTERM or SIGINT; 0 on a clean stop. */
int sf_http_run(struct sf_sb *sb);

#endif
