/* verify_int.h: what the files of verify share: one verify run (the report
 * being built, the problem lists and their caps, what was read of Attio)
 * and one written record as the checks see it. Private to src/lib/verify;
 * helpers carry the prefix vf_. See docs/internals/verify.md. */
#ifndef FERRY_VERIFY_INT_H
#define FERRY_VERIFY_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/multi.h"
#include "ferry/verify.h"

/* Records asked for per page of a records or entries query, and per page
 * of the note and task listings (Attio's maximum for notes). */
#define VF_QUERY_PAGE 500
#define VF_NOTES_PAGE 50
#define VF_TASKS_PAGE 500
/* Pages queued ahead of the last full page, once the estimate is used
 * up (records made in Attio besides ferry's). */
#define VF_LOOKAHEAD 2
/* Rows of the temporary tables written per transaction. */
#define VF_ROWS_PER_COMMIT 5000

/* The kinds of problem, each a list in the report. */
enum vf_problem {
	VF_DISAGREE = 0, /* the plan's decision and the ledger disagree */
	VF_MISSING,      /* written, not in Attio */
	VF_REFERENCE,    /* a reference names another record, or none */
	VF_VALUE,        /* a sampled value differs */
	VF_PROBLEMS
};

/* What a written record is at the destination (by its plan row). */
enum vf_kind {
	VF_RECORD = 0, /* a record of an Attio object */
	VF_NOTE,
	VF_TASK,
	VF_ENTRY, /* an entry of a list */
	VF_LINK,  /* a reference added to a record */
};

struct vf_run {
	struct ferry_workspace *ws;
	const struct ferry_verify_opts *o;
	size_t list_max;
	int64_t sample; /* per object; < 0: all */
	json_t *report;
	json_t *objects;   /* the report's "objects" array */
	json_t *by_object; /* object name -> its entry (borrowed) */
	json_t *lists;     /* the list slugs of the mapping: slug -> true */
	json_t *members;   /* workspace member id -> lower-cased email */
	json_t *items[VF_PROBLEMS];
	int64_t totals[VF_PROBLEMS];
	int64_t refs_checked, values_compared, records_sampled;
	/* Attio reads */
	struct ferry_multi *multi;
	int64_t read_records, rows_in_txn;
	double read_seconds;
	int64_t last_progress_us;
	/* temporary-table statements */
	sqlite3_stmt *seen_put, *seen_get, *seen_child, *sampled;
};

/* A written record as its checks see it. */
struct vf_row {
	const char *object, *source_id; /* the source record */
	const char *dest_object;        /* the plan's: companies, notes, ... */
	const char *dest_id;            /* the ledger's Attio id */
	json_t *payload;                /* the plan's */
	bool sampled;
};

/* verify.c */
/* Adds a problem of `kind` (the item is stolen) about the source record
 * `object`: counted always, listed while under the cap, and counted on
 * the object's entry under `counter` (may be NULL). */
void vf_problem(struct vf_run *run, enum vf_problem kind, const char *object,
                const char *counter, json_t *item);
/* Adds `n` to the integer `key` of the object's entry. */
void vf_count(struct vf_run *run, const char *object, const char *key,
              int64_t n);
/* Calls the progress callback, at most 10 times a second unless `force`. */
void vf_progress(struct vf_run *run, const char *phase, const char *what,
                 int64_t done, int64_t total, bool force);

/* counts.c: per object and record type, and the plan against the
 * ledger. Fills run->objects and the disagreements. */
int vf_counts(struct vf_run *run);

/* read.c: the destinations the written records are in, paged through
 * into the temporary table vf_seen (with the values of the sampled
 * records, chosen first into vf_sample). */
int vf_read(struct vf_run *run);

/* keep.c: one record of a page into vf_seen (`key` its kind there: the
 * object's slug, "list:<slug>", "notes", "tasks"). */
enum vf_src { VF_SRC_RECORDS = 0, VF_SRC_ENTRIES, VF_SRC_NOTES, VF_SRC_TASKS };
int vf_keep(struct vf_run *run, enum vf_src kind, const char *key,
            const json_t *item);
/* The workspace members' answer: id -> lower-cased email. */
void vf_keep_members(struct vf_run *run, const json_t *data);
/* Attio's body with each "currency_value" number turned into a string of
 * its exact text, so that no amount goes through a double (a new buffer,
 * the caller's). */
char *vf_exact_amounts(const char *body, size_t len);

/* relationships.c: every written record, found again, and its
 * references; the sampled ones' values through values.c. */
int vf_check(struct vf_run *run);
/* What was read of Attio for (`key`, `id`): 0 with *refs and *vals (the
 * caller's; NULL when none), or FERRY_ENOTFOUND. */
int vf_seen_get(struct vf_run *run, const char *key, const char *id,
                json_t **refs, json_t **vals);

/* values.c: planned values against Attio's, one comparable form per
 * Attio value type. */
/* Record or entry values: `planned` the payload's values, `found` the
 * attributes Attio answered (attribute -> [value objects]); `skip` an
 * attribute checked elsewhere (may be NULL). References are left to
 * relationships.c. */
void vf_values_attrs(struct vf_run *run, const struct vf_row *row,
                     json_t *planned, const json_t *found, const char *skip);
/* A note's title, content and created_at; a task's content, deadline_at
 * and is_completed (`found` as read.c keeps them). */
void vf_values_note(struct vf_run *run, const struct vf_row *row,
                    const json_t *planned, const json_t *found);
void vf_values_task(struct vf_run *run, const struct vf_row *row,
                    const json_t *planned, const json_t *found);
/* A value's comparable form (the caller frees it), or NULL when it is
 * empty: `type` is Attio's attribute type (NULL: unknown), `v` a value
 * in a write form (planned) or as Attio reads it back (!planned). */
char *vf_canon(struct vf_run *run, const char *type, const json_t *v,
               bool planned);
/* "1.50" -> "1.5", "-0012e2" -> "-1200", "-0" -> "0": the exact
 * canonical decimal of `s` into out; false when `s` is not a number. */
bool vf_decimal(const char *s, char *out, size_t cap);

#endif
