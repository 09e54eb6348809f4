/* rollback_int.h: what the files of rollback share: one run (the objects
 * in rollback order, the multi handle, the outcomes waiting for their
 * commit) and one ledger row on its way back (its requests in turn).
 * Private to src/lib/rollback; helpers carry the prefix rb_. See
 * docs/internals/rollback.md. */
#ifndef FERRY_ROLLBACK_INT_H
#define FERRY_ROLLBACK_INT_H

#include <jansson.h>

#include "ferry/multi.h"
#include "ferry/rollback.h"

/* Ledger rows read at a time; outcomes kept before a commit (also
 * committed every RB_FLUSH_US). */
#define RB_ROWS_PER_READ 64
#define RB_FLUSH_ROWS    64
#define RB_FLUSH_US      500000

/* The request of a row in flight. */
enum rb_step {
	RB_STEP_DELETE = 0, /* DELETE the record, note, task or entry */
	RB_STEP_GET,        /* read the record (or entry) as it is now */
	RB_STEP_PUT,        /* write back its values before, or the
	                       references without the one ferry added */
};

struct rb_rec {
	struct rb_rec *prev, *next; /* the run's rows in flight */
	struct ferry_rollback_object *obj;
	struct ferry_ledger_row row;
	enum ferry_rollback_todo todo;
	enum rb_step step;
	struct ferry_buf path; /* the record's (or entry's) path */
	json_t *prior;         /* restore: the values before ferry */
	int64_t written_us;    /* restore: ferry's last write to it */
	char attr[64];         /* unlink: the attribute */
	char target_id[64];    /* unlink: the record referenced */
	struct ferry_buf note; /* what the ledger and the audit say */
	bool partial;          /* attributes were left */
};

/* An outcome waiting for its commit: the row rolled back (with its audit
 * event), or only an audit event (a refusal: the row stays as it was). */
struct rb_out {
	struct ferry_ledger_row row;
	bool put_row;
	const char *event;
	char *detail;
};

struct rb_run {
	struct ferry_workspace *ws;
	const struct ferry_mapfile *m;
	const struct ferry_rollback_config *cfg;
	struct ferry_rollback_report *rep;
	struct ferry_multi *multi;
	struct rb_rec *live;
	struct rb_out *outs;
	size_t n_outs, cap_outs;
	int64_t flushed_us, last_progress_us;
	bool stopping;
	int db_error; /* the workspace failed under a callback */
	int fatal;    /* the destination's error that ends the run */
	char fatal_msg[1024];
};

/* survey.c */
/* The rows of (object, dest) still to undo, after `after` (by source_id):
 * up to `max` ledger rows into `rows`, *n the count. */
int rb_rows_read(struct rb_run *run, const char *object, const char *dest,
                 const char *after, struct ferry_ledger_row *rows, size_t max,
                 size_t *n);
/* The temporary table of the destination ids the run looks up: when ferry
 * (or a rollback) last wrote each, and whether this rollback deletes it. */
int rb_dest_init(struct rb_run *run);
/* 1 when a row of the run deletes `dest_id` (0 when none; < 0 an error);
 * *last_us when ferry last wrote it (0: unknown). */
int rb_dest_get(struct rb_run *run, const char *dest_id, bool *doomed,
                int64_t *last_us);
/* Records that `dest_id` was written just now (by the rollback). */
int rb_dest_touch(struct rb_run *run, const char *dest_id);
/* The plan's payload of a record (*out the caller's), FERRY_ENOTFOUND. */
int rb_plan_payload(struct rb_run *run, const char *object,
                    const char *source_id, json_t **out);

/* send.c: the rows in flight and what each answer means. */
/* Prepares `row` and hands its first request to the handle (or ends it
 * here: nothing to ask Attio). */
int rb_start(struct rb_run *run, struct ferry_rollback_object *obj,
             const struct ferry_ledger_row *row);
int rb_on_done(const struct ferry_multi_done *d, void *payload);
/* Drives the handle until it holds at most `low` requests or the run
 * must stop. */
int rb_drive(struct rb_run *run, size_t low);
void rb_free_live(struct rb_run *run);

/* run.c */
void rb_progress(struct rb_run *run, struct ferry_rollback_object *obj,
                 bool force);
/* An outcome to commit: the row rolled back (put_row) or only the audit
 * event; `detail` is copied. */
void rb_outcome(struct rb_run *run, const struct ferry_ledger_row *row,
                bool put_row, const char *event, const char *detail);
int rb_flush(struct rb_run *run, bool force);
/* A note for the report (refused or left), the first FERRY_RB_MAX_NOTES. */
void rb_note(struct ferry_rollback_report *rep,
             const struct ferry_ledger_row *row, const char *what,
             const char *message);

#endif
