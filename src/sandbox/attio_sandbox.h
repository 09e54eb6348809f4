/* attio_sandbox.h: what the files of the Attio stand-in share: the error
 * a handler answers with, the in-memory catalogue of objects and
 * attributes, the SQLite store, value normalisation and the HTTP glue.
 * Everything here runs under the server's one lock (see http.c). */
#ifndef FERRY_ATTIO_SANDBOX_H
#define FERRY_ATTIO_SANDBOX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferry/common.h"

#define ATTIO_ID_LEN   37 /* a UUID and its NUL */
#define ATTIO_TS_LEN   64
#define ATTIO_SLUG_LEN 64

/* An Attio error body: {status_code, type, code, message}. */
struct attio_err {
	int status;
	const char *type;
	const char *code;
	char message[512];
};

/* Fills `e` (type follows from the status) and returns -1. */
int attio_err_set(struct attio_err *e, int status, const char *code,
                  const char *fmt, ...) FERRY_PRINTF(4, 5);

struct attio_option {
	char id[ATTIO_ID_LEN];
	char title[128];
	bool is_archived;
};

struct attio_attr {
	char id[ATTIO_ID_LEN];
	char slug[ATTIO_SLUG_LEN];
	char title[64];
	char type[32];
	bool is_unique, is_required, is_multiselect;
	/* record-reference: the one object it may point at ("" = any) */
	char target_object[ATTIO_SLUG_LEN];
	/* the other side of a two-way relationship ("" if one-way) */
	char rel_object[ATTIO_SLUG_LEN];
	char rel_slug[ATTIO_SLUG_LEN];
	char created_at[ATTIO_TS_LEN];
	struct attio_option *options;
	size_t n_options;
	struct attio_object *object; /* back pointer */
};

struct attio_object {
	char id[ATTIO_ID_LEN];
	char slug[ATTIO_SLUG_LEN];
	char singular[64];
	char plural[64];
	char created_at[ATTIO_TS_LEN];
	struct attio_attr *attrs;
	size_t n_attrs;
};

struct attio_member {
	char id[ATTIO_ID_LEN];
	char *email, *first_name, *last_name, *access_level;
};

/* The whole stand-in: catalogue, store and counters. */
struct attio_sb {
	struct sqlite3 *db;
	char workspace_id[ATTIO_ID_LEN];
	char token_id[ATTIO_ID_LEN];
	char created_at[ATTIO_TS_LEN];
	struct attio_object *objects;
	size_t n_objects;
	struct attio_member *members;
	size_t n_members;
};

/* --- attio_store.c: the SQLite store --- */

/* Opens (creating and seeding if new) the store at `path` (NULL: in
 * memory) and loads the catalogue into `sb`. */
int attio_store_open(struct attio_sb *sb, const char *path);
void attio_store_close(struct attio_sb *sb);
int attio_store_begin(struct attio_sb *sb);
int attio_store_commit(struct attio_sb *sb);
void attio_store_rollback(struct attio_sb *sb);

struct attio_object *attio_object_find(struct attio_sb *sb, const char *key);
struct attio_attr *attio_attr_find(struct attio_object *o, const char *key);

/* A record as stored: values is {slug: [value, ...]} (owned). */
struct attio_record {
	char id[ATTIO_ID_LEN];
	char created_at[ATTIO_TS_LEN];
	struct attio_object *object;
	json_t *values;
};

/* Loads record `id` of `o` into `out`; FERRY_ENOTFOUND if absent. */
int attio_store_record_get(struct attio_sb *sb, struct attio_object *o,
                           const char *id, struct attio_record *out);
/* Inserts or replaces the record and its unique-value index rows. Fails
 * with FERRY_ECONFLICT if a unique key belongs to another record. */
int attio_store_record_put(struct attio_sb *sb, struct attio_record *r);
int attio_store_record_delete(struct attio_sb *sb, struct attio_record *r);
void attio_record_release(struct attio_record *r);
/* Adds a select option to `a` in the store and the catalogue. */
int attio_store_option_add(struct attio_sb *sb, struct attio_attr *a,
                           const struct attio_option *op);
/* The record of attribute `a` holding unique key `key`, into out. */
int attio_store_unique_find(struct attio_sb *sb, const struct attio_attr *a,
                            const char *key, char out[ATTIO_ID_LEN]);
/* All records of `o` in creation order (a JSON array of record ids). */
json_t *attio_store_record_ids(struct attio_sb *sb, struct attio_object *o);
long long attio_store_record_count(struct attio_sb *sb, struct attio_object *o);

/* --- attio_values.c: input forms to stored values, and back --- */

/* Normalises the input for attribute `a` (a bare value or an array) into
 * a new array of value objects holding the type's read fields and
 * attribute_type. */
int attio_values_normalize(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *input, json_t **out, struct attio_err *e);
/* The key two values of `a` are the same by (and the unique index key):
 * a new string the caller frees. */
char *attio_value_key(const struct attio_attr *a, json_t *v);

/* --- attio_records.c: record handlers --- */

struct attio_req {
	const char *method;
	const char *path;
	const char *params[4];          /* captured path segments, in order */
	const char *matching_attribute; /* query string, or NULL */
	json_t *body;                   /* parsed body, or NULL */
};

typedef int (*attio_handler_fn)(struct attio_sb *sb, struct attio_req *rq,
                                json_t **out, struct attio_err *e);

int attio_h_record_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_record_assert(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_record_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_record_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
int attio_h_record_put(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_record_delete(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_record_query(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);

/* --- attio_filter.c: the records query filter --- */

/* Checks a filter's shape; filter_error on anything unsupported. */
int attio_filter_check(struct attio_object *o, json_t *filter,
                       struct attio_err *e);
bool attio_filter_match(struct attio_object *o, json_t *filter,
                        const struct attio_record *r);

/* --- shared small helpers (attio_store.c) --- */

void attio_uuid(char out[ATTIO_ID_LEN]);
/* "2026-01-05T10:00:00.123456000Z": 9 fractional digits. */
void attio_now(char out[ATTIO_TS_LEN]);
json_t *attio_object_json(struct attio_sb *sb, struct attio_object *o);
json_t *attio_attr_json(struct attio_sb *sb, struct attio_attr *a);
json_t *attio_record_json(struct attio_sb *sb, const struct attio_record *r);

/* --- http.c: libmicrohttpd glue --- */

struct attio_http_opts {
	const char *bind;
	int port;
	const char *port_file;
	const char *log_file;
	int write_rate, read_rate;
	size_t body_max;
	const char *token;
};

/* The router the HTTP layer calls with the lock held: fills out (a body
 * to send with status 200) or e. */
int attio_route(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                struct attio_err *e);
/* Runs the server until SIGTERM or SIGINT; 0 on a clean stop. */
int attio_http_run(struct attio_sb *sb, const struct attio_http_opts *opts);
/* The stats body for GET /__sandbox/stats (http.c owns the counters). */
json_t *attio_http_stats(struct attio_sb *sb);

#endif
