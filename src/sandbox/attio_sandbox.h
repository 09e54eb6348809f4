/* attio_sandbox.h: what the files of the Attio stand-in share: the error
 * a handler answers with, the in-memory catalogue of objects, lists and
 * attributes, the SQLite store, value normalisation, exact numbers and
 * the HTTP glue. Everything here runs under the server's one lock (see
 * http.c). */
#ifndef FERRY_ATTIO_SANDBOX_H
#define FERRY_ATTIO_SANDBOX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferry/common.h"

#define ATTIO_ID_LEN      37 /* a UUID and its NUL */
#define ATTIO_TS_LEN      64
#define ATTIO_SLUG_LEN    64
#define ATTIO_ALLOWED_LEN 512 /* comma-separated object slugs */
#define ATTIO_NUM_LEN     64  /* a canonical decimal and its NUL */

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

/* A select option, or a status of a status attribute. */
struct attio_option {
	char id[ATTIO_ID_LEN];
	char title[128];
	bool is_archived;
	bool celebration_enabled; /* statuses */
	char target_time[64];     /* statuses: ISO 8601 duration, "" = null */
};

struct attio_attr {
	char id[ATTIO_ID_LEN];
	char slug[ATTIO_SLUG_LEN];
	char title[128];
	char description[512];
	bool has_description; /* false: description is null */
	char type[32];
	bool is_unique, is_required, is_multiselect;
	bool is_system, is_archived;
	/* record-reference: the objects it may point at, comma-separated
	 * slugs ("" = any) */
	char target_object[ATTIO_ALLOWED_LEN];
	/* the other side of a two-way relationship ("" if one-way) */
	char rel_object[ATTIO_SLUG_LEN];
	char rel_slug[ATTIO_SLUG_LEN];
	/* currency: config.currency ("" = null) */
	char currency_code[8];
	char display_type[16];
	json_t *default_value; /* as given, or NULL */
	char created_at[ATTIO_TS_LEN];
	struct attio_option *options;
	size_t n_options;
	struct attio_object *object; /* back pointer (object or list) */
};

/* An object, or a list (is_list): both hold attributes, and the records
 * of a list are its entries. */
struct attio_object {
	char id[ATTIO_ID_LEN];
	char slug[ATTIO_SLUG_LEN];
	char singular[64];
	char plural[64];
	char created_at[ATTIO_TS_LEN];
	bool is_list;
	bool is_system; /* a standard object */
	/* lists */
	char name[128];
	char parent_object[ATTIO_SLUG_LEN];
	char workspace_access[32]; /* "" = null */
	json_t *member_access;     /* [{workspace_member_id, level}] */
	struct attio_attr *attrs;
	size_t n_attrs;
};

struct attio_member {
	char id[ATTIO_ID_LEN];
	char *email, *first_name, *last_name, *access_level;
};

/* The literal text of a JSON number of the body being handled. */
struct attio_numtext {
	json_t *node;
	char *text;
};

/* The whole stand-in: catalogue, store and counters. Objects and lists
 * are arrays of pointers so a struct never moves once made. */
struct attio_sb {
	struct sqlite3 *db;
	char workspace_id[ATTIO_ID_LEN];
	char token_id[ATTIO_ID_LEN];
	char created_at[ATTIO_TS_LEN];
	struct attio_object **objects;
	size_t n_objects;
	struct attio_object **lists;
	size_t n_lists;
	struct attio_member *members;
	size_t n_members;
	/* configuration, set before attio_store_open() */
	const char *enable_objects; /* optional standard objects to add */
	int object_quota;           /* POST /v2/objects beyond it: 0 = none */
	/* per request (attio_json.c) */
	struct attio_numtext *numtexts;
	size_t n_numtexts;
	/* answers a test asked for (attio_faults.c) */
	struct attio_fault *faults;
	size_t n_faults;
};

/* --- attio_store.c: the SQLite store --- */

/* Opens (creating and seeding if new) the store at `path` (NULL: in
 * memory) and loads the catalogue into `sb`. */
int attio_store_open(struct attio_sb *sb, const char *path);
void attio_store_close(struct attio_sb *sb);
int attio_store_begin(struct attio_sb *sb);
int attio_store_commit(struct attio_sb *sb);
void attio_store_rollback(struct attio_sb *sb);
/* A prepared statement; aborts on a statement that does not compile
 * (a programming error, never input). */
struct sqlite3_stmt *attio_store_prep(struct attio_sb *sb, const char *sql);
int attio_store_fail(struct attio_sb *sb, const char *what);

/* A record as stored: values is {slug: [value, ...]} (owned). For a
 * list's entry, id is the entry id and parent_* name its parent. */
struct attio_record {
	char id[ATTIO_ID_LEN];
	char created_at[ATTIO_TS_LEN];
	struct attio_object *object;
	json_t *values;
	char parent_object[ATTIO_SLUG_LEN];
	char parent_id[ATTIO_ID_LEN];
};

/* Loads record (or entry) `id` of `o` into `out`; FERRY_ENOTFOUND if
 * absent. */
int attio_store_record_get(struct attio_sb *sb, struct attio_object *o,
                           const char *id, struct attio_record *out);
/* Inserts or replaces the record and its unique-value index rows. Fails
 * with FERRY_ECONFLICT if a unique key belongs to another record. */
int attio_store_record_put(struct attio_sb *sb, struct attio_record *r);
/* Deletes the record, and for a record the list entries and notes whose
 * parent it is. */
int attio_store_record_delete(struct attio_sb *sb, struct attio_record *r);
void attio_record_release(struct attio_record *r);
/* The record of attribute `a` holding unique key `key`, into out. */
int attio_store_unique_find(struct attio_sb *sb, const struct attio_attr *a,
                            const char *key, char out[ATTIO_ID_LEN]);
/* All records (entries) of `o` in creation order (a JSON array of ids). */
json_t *attio_store_record_ids(struct attio_sb *sb, struct attio_object *o);
long long attio_store_record_count(struct attio_sb *sb, struct attio_object *o);
/* The entries of list `l` (NULL: of every list) whose parent is record
 * `parent_id`, in creation order: a JSON array of entry ids. */
json_t *attio_store_entries_of(struct attio_sb *sb, struct attio_object *l,
                               const char *parent_id);

/* --- attio_catalog.c: objects, lists, attributes and options --- */

void attio_catalog_load(struct attio_sb *sb);
void attio_catalog_free(struct attio_sb *sb);
struct attio_object *attio_object_find(struct attio_sb *sb, const char *key);
struct attio_object *attio_list_find(struct attio_sb *sb, const char *key);
/* target is "objects" or "lists"; NULL for anything else. */
struct attio_object *attio_container_find(struct attio_sb *sb,
                                          const char *target, const char *key);
struct attio_attr *attio_attr_find(struct attio_object *o, const char *key);
/* Adds a new object or list (o filled by the caller but for id and
 * created_at) to the store and the catalogue; the copy into out. */
int attio_catalog_add_object(struct attio_sb *sb, const struct attio_object *o,
                             struct attio_object **out);
int attio_catalog_update_object(struct attio_sb *sb, struct attio_object *o);
/* Adds attribute `a` (all but id, created_at, options, object filled) to
 * object or list `o`. The pointer into out stays valid until the next
 * attribute is added to `o`. */
int attio_catalog_add_attr(struct attio_sb *sb, struct attio_object *o,
                           const struct attio_attr *a, struct attio_attr **out);
int attio_catalog_update_attr(struct attio_sb *sb, struct attio_attr *a);
/* Adds a select option or status to `a` in the store and the catalogue. */
int attio_catalog_add_option(struct attio_sb *sb, struct attio_attr *a,
                             const struct attio_option *op);
int attio_catalog_update_option(struct attio_sb *sb, struct attio_attr *a,
                                const struct attio_option *op);
/* The option or status of `a` whose id or title is `key`. */
struct attio_option *attio_option_find(const struct attio_attr *a,
                                       const char *key);

/* --- attio_seed.c: the standard objects --- */

/* Adds the standard objects and attributes of reference §4 the store
 * lacks: companies and people always, and those of sb->enable_objects
 * ("deals", "users", "workspaces", comma-separated). */
int attio_seed(struct attio_sb *sb);
/* Whether `list` ("deals,users") names a known optional standard object
 * each, or is "none"; for option checking. */
bool attio_seed_valid(const char *list);

/* --- attio_values.c, attio_scalars.c: input forms to stored values --- */

/* Normalises the input for attribute `a` (a bare value or an array) into
 * a new array of value objects holding the type's read fields and
 * attribute_type. */
int attio_values_normalize(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *input, json_t **out, struct attio_err *e);
/* The key two values of `a` are the same by (and the unique index key):
 * a new string the caller frees. */
char *attio_value_key(const struct attio_attr *a, json_t *v);
/* The value forms of number, currency, checkbox, date, timestamp,
 * rating, status and actor-reference (NULL and e set on a bad one). */
json_t *attio_norm_scalar(struct attio_sb *sb, const struct attio_attr *a,
                          json_t *v, struct attio_err *e);
/* A workspace member by email (case-insensitive) or id; NULL if none. */
struct attio_member *attio_member_find(struct attio_sb *sb, const char *key);
/* The {referenced_actor_type, referenced_actor_id} of an assignee or
 * actor-reference input naming a workspace member, or NULL and e. */
json_t *attio_norm_member(struct attio_sb *sb, const char *what, json_t *v,
                          struct attio_err *e);

/* --- attio_json.c: exact numbers, query strings --- */

/* Parses a request body like json_loadb(), remembering the literal text
 * of every number that is not a plain integer (attio_number_text()). */
json_t *attio_json_parse(struct attio_sb *sb, const char *text, size_t len,
                         json_error_t *err);
/* Forgets the texts attio_json_parse() remembered. */
void attio_json_forget(struct attio_sb *sb);
/* The literal text of number node `v` of the current body, or NULL. */
const char *attio_number_text(struct attio_sb *sb, json_t *v);
/* `in` ("-4.990", "1e3", "+7") as a canonical decimal rounded half away
 * from zero to at most `places` decimals ("-4.99", "1000", "7"); -1 if
 * it is not a decimal number or has more than 30 integer digits. */
int attio_decimal(const char *in, int places, char out[ATTIO_NUM_LEN]);
/* A JSON number (using its literal text when known) or, when
 * `allow_string`, a string holding one, as a canonical decimal. */
int attio_number_input(struct attio_sb *sb, json_t *v, bool allow_string,
                       int places, char out[ATTIO_NUM_LEN]);
/* A node that attio_json_dump() writes as the bare number `decimal`. */
json_t *attio_json_raw_number(const char *decimal);
/* json_dumps() of a reply with every raw number written bare; the
 * caller frees. */
char *attio_json_dump(json_t *body);

/* --- attio_time.c: dates and timestamps --- */

/* Any ISO 8601 prefix ("2023", "2023-01-02T13:00", "...+02:00") as a
 * UTC timestamp with 9 fractional digits; a missing zone means UTC. -1
 * if malformed. `epoch_s` (may be NULL) gets the seconds since 1970. */
int attio_timestamp_parse(const char *s, char out[ATTIO_TS_LEN],
                          int64_t *epoch_s);
/* The same, truncated to the UTC date "YYYY-MM-DD". */
int attio_date_parse(const char *s, char out[ATTIO_TS_LEN]);

/* --- attio_records.c: record handlers --- */

struct attio_req {
	const char *method;
	const char *path;
	const char *params[4];          /* captured path segments, in order */
	const char *matching_attribute; /* query string, or NULL */
	const char *query;              /* the raw query string, or NULL */
	json_t *body;                   /* parsed body, or NULL */
};

typedef int (*attio_handler_fn)(struct attio_sb *sb, struct attio_req *rq,
                                json_t **out, struct attio_err *e);

/* How supplied multiselect values meet the stored ones: PATCH prepends
 * them; PUT overwrites; assert adds to the matching attribute and
 * overwrites every other one (reference §5.2). */
enum attio_write_mode { W_CREATE, W_PATCH, W_PUT, W_ASSERT };

/* Applies `values` to record (or entry) r, new or loaded, and saves it;
 * the caller runs the transaction. */
int attio_record_write(struct attio_sb *sb, struct attio_record *r, bool is_new,
                       json_t *values, enum attio_write_mode mode,
                       const struct attio_attr *matching, struct attio_err *e);

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

/* --- attio_schema.c: objects, attributes, options, statuses --- */

int attio_h_objects(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e);
int attio_h_object(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                   struct attio_err *e);
int attio_h_object_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_object_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
/* The attribute handlers take params {target, identifier, attribute,
 * option-or-status}. */
int attio_h_attributes(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_attribute(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e);
int attio_h_attribute_create(struct attio_sb *sb, struct attio_req *rq,
                             json_t **out, struct attio_err *e);
int attio_h_attribute_patch(struct attio_sb *sb, struct attio_req *rq,
                            json_t **out, struct attio_err *e);
int attio_h_options(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e);
int attio_h_option_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_option_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
int attio_h_statuses(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e);
int attio_h_status_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e);
int attio_h_status_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
/* Validates data.config of an attribute of type `type` into a (currency
 * and record-reference); shared by create and PATCH. */
int attio_schema_config(struct attio_sb *sb, struct attio_attr *a,
                        json_t *config, struct attio_err *e);

/* --- attio_lists.c, attio_entries.c --- */

int attio_h_lists(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e);
int attio_h_list(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                 struct attio_err *e);
int attio_h_list_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_list_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_entry_create(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
int attio_h_entry_assert(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
int attio_h_entry_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e);
int attio_h_entry_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_entry_put(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                      struct attio_err *e);
int attio_h_entry_delete(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
int attio_h_entry_query(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_record_entries(struct attio_sb *sb, struct attio_req *rq,
                           json_t **out, struct attio_err *e);

/* --- attio_notes.c, attio_tasks.c --- */

int attio_h_note_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_notes(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e);
int attio_h_note_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e);
int attio_h_note_delete(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_task_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
int attio_h_tasks(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e);
int attio_h_task_get(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e);
int attio_h_task_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_task_delete(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e);
/* A record reference {target_object, target_record_id} or {target_object,
 * <unique attribute>: [values]} of a task or note, resolved to the
 * object and record id; the record must exist. */
int attio_resolve_ref(struct attio_sb *sb, json_t *v, struct attio_object **obj,
                      char id[ATTIO_ID_LEN], struct attio_err *e);

/* --- attio_faults.c: answers a test asks for --- */

/* POST /__sandbox/faults {"method"?, "path", "status", "code"?,
 * "message"?, "count"?}; GET lists them; DELETE forgets them. */
int attio_h_faults_add(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e);
int attio_h_faults(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                   struct attio_err *e);
int attio_h_faults_clear(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e);
/* -1 with `e` filled when a fault answers request `rq`, else 0. */
int attio_faults_take(struct attio_sb *sb, const struct attio_req *rq,
                      struct attio_err *e);
void attio_faults_free(struct attio_sb *sb);

/* --- attio_filter.c, attio_query.c: queries --- */

/* Checks a filter's shape; filter_error on anything unsupported. */
int attio_filter_check(struct attio_object *o, json_t *filter,
                       struct attio_err *e);
bool attio_filter_match(struct attio_object *o, json_t *filter,
                        const struct attio_record *r);
/* The field a shorthand filter or a sort without "field" uses; whether
 * `field` is one of the type's (NULL if not); whether it compares as a
 * number; and a value's field as text (select and status: the title;
 * numbers into buf). */
const char *attio_field_default(const struct attio_attr *a);
const char *attio_field_check(const struct attio_attr *a, const char *field);
bool attio_field_numeric(const struct attio_attr *a, const char *field);
const char *attio_field_text(const struct attio_attr *a, json_t *v,
                             const char *field, char buf[64]);
/* The records (entries) query: {filter?, sorts?, limit?, offset?} over
 * `o`, each match rendered by `render`, into {"data": [...]}. */
int attio_query_run(struct attio_sb *sb, struct attio_object *o, json_t *body,
                    json_t *(*render)(struct attio_sb *,
                                      const struct attio_record *),
                    json_t **out, struct attio_err *e);
/* A non-negative integer body field, `dflt` when absent. */
int attio_body_count(json_t *body, const char *key, long long dflt,
                     long long *out, struct attio_err *e);
/* A non-negative integer query argument up to `max` (0: none), `dflt`
 * when absent; validation_type otherwise. */
int attio_query_count(const struct attio_req *rq, const char *key,
                      long long dflt, long long max, long long *out,
                      struct attio_err *e);

/* --- attio_render.c: resources as the API shows them --- */

void attio_uuid(char out[ATTIO_ID_LEN]);
/* "2026-01-05T10:00:00.123456000Z": 9 fractional digits. */
void attio_now(char out[ATTIO_TS_LEN]);
json_t *attio_object_json(struct attio_sb *sb, struct attio_object *o);
json_t *attio_list_json(struct attio_sb *sb, struct attio_object *l);
json_t *attio_attr_json(struct attio_sb *sb, struct attio_attr *a);
json_t *attio_option_json(struct attio_sb *sb, const struct attio_attr *a,
                          const struct attio_option *op);
json_t *attio_status_json(struct attio_sb *sb, const struct attio_attr *a,
                          const struct attio_option *op);
json_t *attio_record_json(struct attio_sb *sb, const struct attio_record *r);
json_t *attio_entry_json(struct attio_sb *sb, const struct attio_record *r);
/* The stored value list of an attribute as the API shows it (currency
 * and number values as bare numbers). */
json_t *attio_values_json(const struct attio_attr *a, json_t *list);
json_t *attio_actor_json(struct attio_sb *sb);

/* --- http.c: libmicrohttpd glue --- */

struct attio_http_opts {
	const char *bind;
	int port;
	const char *port_file;
	const char *log_file;
	int write_rate, read_rate;
	size_t body_max;
	const char *token;
	double fail_rate, drop_rate, timeout_rate;
	int64_t latency_ms, jitter_ms;
	uint64_t seed;
};

/* The router the HTTP layer calls with the lock held: fills out (a body
 * to send with status 200) or e. */
int attio_route(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                struct attio_err *e);
/* Runs the server until SIGTERM or SIGINT; 0 on a clean stop. */
int attio_http_run(struct attio_sb *sb, const struct attio_http_opts *opts);
/* The stats body for GET /__sandbox/stats (http.c owns the counters). */
json_t *attio_http_stats(struct attio_sb *sb);
/* The store's part of the stats: records per object, entries per list,
 * notes, tasks and duplicates by unique attribute (attio_stats.c). */
void attio_stats_store(struct attio_sb *sb, json_t *stats);
/* What a write to `path` is counted under: the object's slug for
 * records, "lists/<slug>" for entries, "notes", "tasks", else
 * "schema"; the caller frees. */
char *attio_stats_label(struct attio_sb *sb, const char *path);

#endif
