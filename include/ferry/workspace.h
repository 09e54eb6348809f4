/* workspace.h: the migration workspace, the spine of ferry. A folder holds
 * ferry.yaml, mapping.yaml, reports/ and .ferry/state.db, an SQLite
 * database in WAL mode whose schema is versioned and migrated forward when
 * opened (a workspace written by an older ferry opens in a newer one; one
 * written by a newer ferry is refused with a message). Every stage reads
 * from and writes to it: staged records, the ledger (one row per source
 * record: what happened to it at the destination) and the audit log (an
 * append-only table: the database itself refuses UPDATE and DELETE on it).
 * No secret is ever written here. All SQL is prepared statements. */
#ifndef FERRY_WORKSPACE_H
#define FERRY_WORKSPACE_H

#include <jansson.h>

#include "ferry/buf.h"

#define FERRY_WORKSPACE_DIR ".ferry"
#define FERRY_WORKSPACE_DB  "state.db"
/* The schema version this ferry writes. */
#define FERRY_WORKSPACE_SCHEMA 9

struct ferry_workspace;

/* Creates `dir` (if needed), writes a starter ferry.yaml there (unless one
 * exists) and creates .ferry/state.db at the current schema. */
int ferry_workspace_init(const char *dir);

/* Opens the workspace whose root is `dir` (the folder with ferry.yaml and
 * .ferry/). FERRY_ENOTFOUND, naming `ferry init`, if there is none. The
 * schema is migrated forward inside one transaction. */
int ferry_workspace_open(struct ferry_workspace **out, const char *dir);
void ferry_workspace_free(struct ferry_workspace *ws);

const char *ferry_workspace_root(const struct ferry_workspace *ws);
/* The schema version of the open database (after migration). */
int ferry_workspace_schema_version(const struct ferry_workspace *ws);

/* Transactions around many calls below (they nest: only the outermost
 * begin/commit pair reaches SQLite). */
int ferry_workspace_begin(struct ferry_workspace *ws);
int ferry_workspace_commit(struct ferry_workspace *ws);
void ferry_workspace_rollback(struct ferry_workspace *ws);

/*
 * Staging. An object is staged whole or not at all: begin() replaces any
 * earlier staging of the object and opens a transaction, add() inserts one
 * record, commit() records the count and marks the object complete, and
 * abort() rolls everything back, so a file that fails at line 40,000
 * leaves the previous staging (or nothing) in place, never half a file.
 * commit() and abort() both free `st`; a failed commit rolls back.
 */
struct ferry_stage;
int ferry_stage_begin(struct ferry_stage **out, struct ferry_workspace *ws,
                      const char *object, const char *origin);
/* `fields` is a JSON object of column -> string; it is not stolen.
 * FERRY_ECONFLICT if `source_id` was already added to this staging. */
int ferry_stage_add(struct ferry_stage *st, const char *source_id, int64_t line,
                    json_t *fields);
/* The same for the record a CSV reader has just read: its columns as a
 * JSON object of column -> string, written without building a JSON tree
 * (the same text ferry_stage_add would store). */
struct ferry_csv;
int ferry_stage_add_csv(struct ferry_stage *st, const char *source_id,
                        int64_t line, const struct ferry_csv *csv);
int ferry_stage_commit(struct ferry_stage *st, int64_t *count_out);
void ferry_stage_abort(struct ferry_stage *st);

struct ferry_staged_object {
	char object[64];
	char origin[512]; /* where it came from: a file path or an API */
	int64_t count;
	char staged_at[40];
};
/* Calls `cb` for every completely staged object, in name order. A
 * non-zero return from cb stops the walk and is returned. */
int ferry_stage_foreach_object(struct ferry_workspace *ws,
                               int (*cb)(const struct ferry_staged_object *o,
                                         void *payload),
                               void *payload);
/* Calls `cb` for every staged record of `object` in staging order; the
 * JSON is borrowed for the call. */
int ferry_stage_foreach_record(struct ferry_workspace *ws, const char *object,
                               int (*cb)(const char *source_id, int64_t line,
                                         json_t *fields, void *payload),
                               void *payload);
/* Reads one staged record: FERRY_ENOTFOUND if absent. The caller owns
 * *out (json_decref). */
int ferry_stage_get(json_t **out, struct ferry_workspace *ws,
                    const char *object, const char *source_id);
/* One record of a completely staged object changed in place (`ferry
 * sync`), in the caller's transaction if one is open: put stages
 * `fields` (not stolen) for `source_id`, replacing the record's fields
 * (its line kept) or adding it after the last line; remove takes it out.
 * Both keep the object's record count. *changed: the fields differed or
 * the record is new; *removed: it was staged. FERRY_ENOTFOUND when the
 * object is not staged. */
int ferry_stage_put(struct ferry_workspace *ws, const char *object,
                    const char *source_id, json_t *fields, bool *changed);
int ferry_stage_remove(struct ferry_workspace *ws, const char *object,
                       const char *source_id, bool *removed);

/*
 * The ledger: one row per (object, source_id), written before a write is
 * attempted (status pending, with the payload hash) and after it (the
 * destination id, the outcome, attempts, the HTTP status). It is the map
 * from source ids to destination ids that a resumed run, verify and
 * rollback rely on.
 */
enum ferry_ledger_status {
	FERRY_LEDGER_PENDING = 0, /* a write was started; outcome unknown */
	FERRY_LEDGER_WRITTEN,     /* the destination has it: dest_id set */
	FERRY_LEDGER_MERGED,      /* folded into another source record */
	FERRY_LEDGER_SKIPPED,     /* not written by a rule: reason set */
	FERRY_LEDGER_FAILED,      /* the destination rejected it: reason */
	FERRY_LEDGER_HELD,        /* held by the plan (the conflict queue):
	                             reason "held: ..." */
	FERRY_LEDGER_ROLLED_BACK, /* ferry rollback undid the write */
	FERRY_LEDGER_DELETED,     /* deleted in the source: ferry sync
	                             removed what ferry had created */
};
#define FERRY_LEDGER_STATUSES 8
const char *ferry_ledger_status_name(enum ferry_ledger_status s);

struct ferry_ledger_row {
	char object[64]; /* source object, e.g. "Account" */
	char source_id[64];
	char dest_object[64];  /* e.g. "companies" */
	char dest_id[64];      /* empty until written */
	char payload_hash[65]; /* hex SHA-256 of the payload sent */
	enum ferry_ledger_status status;
	char reason[1024]; /* why skipped/failed/merged; may be empty */
	int attempts;
	int http_status; /* last HTTP status, 0 if none */
	char updated_at[40];
	/* What the write did at the destination ("" until written, or for a
	 * row of a workspace older than schema 9):
	 *   "created"  ferry made it (a record an assert or a create made, a
	 *              note, a task, a list entry): rollback deletes it;
	 *   "updated"  it was there before ferry's first write, whose values
	 *              before are in ledger_prior: rollback restores them;
	 *   "appended" a link added to a record (a reference appended):
	 *              rollback takes the reference out again;
	 *   "existed"  an assert found it there, but its values before were
	 *              not captured (the plan did not see it): rollback
	 *              leaves it and says so. */
	char op[16];
};

/* FERRY_ENOTFOUND if there is no row. */
int ferry_ledger_get(struct ferry_ledger_row *out, struct ferry_workspace *ws,
                     const char *object, const char *source_id);
/* Inserts or replaces the row for (row->object, row->source_id);
 * updated_at is set here. */
int ferry_ledger_put(struct ferry_workspace *ws,
                     const struct ferry_ledger_row *row);

/* The values of a destination record before ferry's first write to it
 * (the record's "values" as Attio answers them, for the attributes ferry
 * writes). The first capture is kept: a later one (a re-run, a sync) is
 * ignored, so rollback always restores what was there before ferry. */
int ferry_ledger_prior_put(struct ferry_workspace *ws, const char *object,
                           const char *source_id, const char *dest_object,
                           const char *dest_id, const json_t *prior);
/* *out (the caller's) the values captured; FERRY_ENOTFOUND when none. */
int ferry_ledger_prior_get(json_t **out, struct ferry_workspace *ws,
                           const char *object, const char *source_id);

struct ferry_ledger_count {
	char object[64];
	int64_t staged;
	int64_t
	    by_status[FERRY_LEDGER_STATUSES]; /* by enum ferry_ledger_status */
};
/* Per staged object: the staged count and ledger rows by status, in
 * object-name order. `*out` is allocated (free()). */
int ferry_ledger_counts(struct ferry_ledger_count **out, size_t *n_out,
                        struct ferry_workspace *ws);

/* The most common reasons for rows of `object` with `status`, most common
 * first, at most `max`; cb gets each reason and its count. */
int ferry_ledger_top_reasons(struct ferry_workspace *ws, const char *object,
                             enum ferry_ledger_status status, int max,
                             int (*cb)(const char *reason, int64_t count,
                                       void *payload),
                             void *payload);

/*
 * The audit log: append-only. Every decision and every write is an event:
 * when, which stage, which record, what happened and why.
 */
int ferry_audit_append(struct ferry_workspace *ws, const char *stage,
                       const char *object, const char *source_id,
                       const char *event, const char *detail);

struct ferry_audit_event {
	int64_t seq;
	char at[40];
	char stage[32];
	char object[64];
	char source_id[64];
	char event[64];
	const char *detail; /* borrowed for the callback */
};
/* Events in order; `object`/`source_id` filter when non-NULL. */
int ferry_audit_foreach(
    struct ferry_workspace *ws, const char *object, const char *source_id,
    int (*cb)(const struct ferry_audit_event *e, void *payload), void *payload);

/* Small key/value settings kept in the workspace (watermarks, the
 * sandbox-free facts a later run needs). Never secrets. */
int ferry_workspace_meta_get(struct ferry_workspace *ws, const char *key,
                             struct ferry_buf *out);
int ferry_workspace_meta_set(struct ferry_workspace *ws, const char *key,
                             const char *value);

/*
 * Source facts: what extract learned about the source besides its records
 * (the schema snapshot, automation counts, limits, the extract's own
 * bookkeeping), as JSON text under a name such as
 * "salesforce/describe/Account". A put replaces the fact of that name.
 */
int ferry_facts_put(struct ferry_workspace *ws, const char *name,
                    const char *json_text);
/* FERRY_ENOTFOUND if there is no such fact. */
int ferry_facts_get(struct ferry_workspace *ws, const char *name,
                    struct ferry_buf *out);
/* Every fact whose name starts with `prefix`, in name order; the text is
 * borrowed for the call. */
int ferry_facts_foreach(struct ferry_workspace *ws, const char *prefix,
                        int (*cb)(const char *name, const char *json_text,
                                  void *payload),
                        void *payload);
int ferry_facts_delete_prefix(struct ferry_workspace *ws, const char *prefix);

#endif
