/* load_int.h: what the files of the loader share: one run (the objects in
 * load order, the multi handle, the ledger rows waiting to be committed,
 * the error window) and one record on its way to Attio (its requests, its
 * hash, the ledger row it had). Private to src/lib/load; helpers carry the
 * prefix ld_. See docs/internals/writer.md. */
#ifndef FERRY_LOAD_INT_H
#define FERRY_LOAD_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/attio.h"
#include "ferry/load.h"
#include "ferry/multi.h"
#include "ferry/plan.h"

/* Plan rows read at a time. */
#define LD_ROWS_PER_READ 64
/* Outcomes kept before a commit (also committed every LD_FLUSH_US). */
#define LD_FLUSH_ROWS 64
#define LD_FLUSH_US   500000
/* Notes and tasks looked through per page when a resumed run looks for
 * what it may already have made. */
#define LD_NOTES_PAGE 50
#define LD_TASKS_PAGE 500
#define LD_QUERY_PAGE 50
/* The error window's defaults, and the outcomes it needs before it may
 * halt (so that a first refusal is not 100%). */
#define LD_HALT_RATE     0.2
#define LD_HALT_WINDOW   200
#define LD_HALT_MIN_SEEN 20

/* What one plan row becomes at the destination. */
enum ld_kind {
	LD_RECORD = 0, /* a record: assert, update (record_id) or create */
	LD_NOTE,       /* a note per parent */
	LD_TASK,
	LD_ENTRY, /* a list entry, asserted by its parent */
	LD_LINK,  /* a reference added to a record (PATCH appends) */
	LD_NONE,  /* nothing this loader writes (files) */
};

/* The request of a record in flight. */
enum ld_step {
	LD_WRITE = 0, /* the write itself (a copy of a note: `idx`) */
	LD_FIND,      /* looking for what an earlier attempt made */
	LD_ADOPTED,   /* a found record updated with this run's values */
	LD_LIST,      /* the record added to the list lists[idx] */
	LD_PRIOR,     /* reading a matched record before ferry's first
	                 PATCH to it: its values before (ledger_prior) */
};

/* What the answer of an assert (or of a look for a create) is compared
 * with to tell a record Attio made for ferry from one that was there
 * (op.c): a record made by ferry has a created_at no earlier than the
 * commit of its pending row, brought to Attio's clock by the answer's
 * Date header, less LD_OP_MARGIN_US; one made by an earlier run's attempt
 * no later than LD_OP_WINDOW_US after that run's pending row. */
#define LD_OP_MARGIN_US 500000
#define LD_OP_WINDOW_US ((int64_t)120 * 1000000)

struct ld_obj {
	const char *name;
	const struct ferry_mapfile_object *o; /* NULL: not in mapping.yaml */
	struct ferry_load_object *st;
	int64_t done, started_us;
	bool has_deferred; /* fields written in the second pass */
};

/* One record on its way: built from its plan row, sent one request at a
 * time (a note's copies and a record's lists follow each other). */
struct ld_rec {
	struct ld_rec *prev, *next; /* the run's records in flight */
	struct ld_obj *obj;
	char source_id[64];
	enum ld_kind kind;
	bool pass2;     /* the second pass's update */
	char dest[64];  /* the plan's dest_object */
	char match[64]; /* the plan's match_attribute */
	/* The write requests, in order: [{"cls", "method", "path",
	 * "body"}] (a note has one per parent). */
	json_t *writes;
	json_t *info;  /* per kind: what finding a made record needs */
	json_t *lists; /* records: the lists to add it to */
	enum ld_step step;
	int idx, offset;
	char hash[65];     /* of this run's requests */
	char alt_hash[65]; /* the first pass: the hash if the second pass
	                      was done too (a record with deferred links) */
	int dropped;       /* links written without their target */
	struct ferry_ledger_row old; /* the row before this run's write */
	bool had_old;
	bool resume;    /* an earlier attempt may have reached Attio */
	bool once;      /* the request in flight is a create, sent once */
	int unanswered; /* creates of this run that got no answer, each
	                   looked for before the next */
	char dest_id[64];
	struct ferry_buf note; /* what the ledger says of a write */
	/* What the write did (ferry_ledger_row.op): the ledger's when it
	 * wrote the same Attio record before, else decided by the answer
	 * (op.c). */
	char op[16];
	/* A record the plan matched in Attio (record_id): its values are
	 * read (LD_PRIOR) and committed to ledger_prior before the first
	 * PATCH goes out. */
	bool need_prior;
	char update_id[64];
	json_t *prior;                /* read, waiting for its commit */
	struct ld_rec *wait_next;     /* run->prior_wait */
	struct ferry_ledger_row pend; /* this run's pending row */
	int64_t pend_mono_us, old_pend_wall_us; /* see LD_OP_MARGIN_US */
};

/* A ledger row waiting for its commit, with what goes with it. */
struct ld_out {
	struct ferry_ledger_row row;
	const char *event; /* the audit event, or NULL: no change */
	json_t *hold;      /* a refusal: the reason the plan holds it with */
};

/* The sliding error window (halt.c). */
struct ld_halt {
	int cap, n, pos, fails;
	bool *failed;
	char **msg; /* each failure's message */
};

struct ld_run {
	struct ferry_workspace *ws;
	const struct ferry_mapfile *m;
	const struct ferry_load_config *cfg;
	struct ferry_load_report *rep;
	struct ferry_multi *multi;
	json_t *attrs; /* dest -> slug -> {"multi": bool, "required": bool} */
	struct ld_obj *objs;
	size_t n_objs;
	struct ld_rec *live; /* records in flight */
	/* Ledger rows to commit: pending ones (before their requests go
	 * out) and outcomes. */
	struct ferry_ledger_row *pend;
	size_t n_pend, cap_pend;
	struct ld_out *outs;
	size_t n_outs, cap_outs;
	/* Records whose values before were read: committed (with their
	 * pending rows, now naming the record) at the next flush, then
	 * their PATCH goes out. */
	struct ld_rec *prior_wait;
	json_t *comments_indexed; /* comment objects in temp.ld_comments */
	int64_t flushed_us;
	struct ld_halt halt;
	double halt_rate;
	bool stopping, halted;
	int db_error; /* the workspace failed under a callback */
	int fatal;    /* the destination's error that ends the run */
	char fatal_msg[1024];
	int64_t last_progress_us;
};

/* run.c */
void ld_progress(struct ld_run *run, struct ld_obj *obj, bool force);

/* rows.c: a plan row and what it becomes. */
struct ld_row {
	int64_t rowid;
	char source_id[64], dest[64], match[64];
	char survivor_object[64], survivor_id[64];
	enum ferry_plan_decision decision;
	json_t *payload, *reasons;
};
void ld_row_release(struct ld_row *r);
/* Up to `max` rows of `object` after `after` (by rowid), of `decision`
 * when >= 0; *n the count read. */
int ld_rows_read(struct ld_run *run, const char *object, int64_t after,
                 int decision, struct ld_row *rows, size_t max, size_t *n);
/* One row of the first pass (pass2: the second) into a record to send
 * (*out), or done with here (*out NULL: unchanged, skipped, failed). */
int ld_prepare(struct ld_run *run, struct ld_obj *obj, struct ld_row *row,
               bool pass2, struct ld_rec **out);
void ld_rec_free(struct ld_rec *rec);
/* The SHA-256 of the requests `writes` and `lists`, on top of `before`
 * (the first pass's hash) when given. */
void ld_hash(const json_t *writes, const json_t *lists, const char *before,
             char out[65]);
/* A record that failed before any request (a required parent not in
 * Attio, a request that cannot be built): the ledger says why. */
int ld_failed_here(struct ld_run *run, struct ld_rec *rec, const char *why);
/* The ledger's words for a plan reason: "Website domain_invalid: ...". */
void ld_reason_text(char *out, size_t cap, const json_t *reasons,
                    const char *prefix);

/* kinds.c: each kind's requests. */
enum ld_kind ld_kind_of(const struct ld_obj *obj, const char *dest);
/* Builds the record's write requests from its plan payload; 0, or 1
 * when the record failed before any request (a required parent). */
int ld_build(struct ld_run *run, struct ld_rec *rec, json_t *payload);

/* answers.c: the requests in turn, and what their answers mean. */
/* The first request to send (a find when resuming a create). */
int ld_first(struct ld_run *run, struct ld_rec *rec);
/* The answer to the request in flight. */
int ld_answer(struct ld_run *run, struct ld_rec *rec,
              const struct ferry_http_response *resp);
/* A create (rec->once) that got no answer (a timeout, a dropped
 * connection, a 5xx): looks for what it may have made, then makes it if
 * it is not there. 0 when the look is sent; 1 when the record cannot be
 * looked for, or has gone unanswered max_attempts times (the run ends,
 * the record pending). */
int ld_unanswered(struct ld_run *run, struct ld_rec *rec);
/* The write of a record whose values before are committed now. */
int ld_send_write(struct ld_run *run, struct ld_rec *rec);

/* comments.c: a Case written as a note: its merged comments appended
 * to `content` (the note's), oldest first. */
int ld_case_comments(struct ld_run *run, struct ld_rec *rec,
                     struct ferry_buf *content);

/* op.c: what a write did at the destination, and the values before. */
/* Its pending row is being committed: the times an answer's created_at
 * is read against (this run's, and an earlier run's pending row). */
void ld_op_start(struct ld_rec *rec);
/* Whether Attio made `created_at` (a record's, an entry's, a task's) for
 * this record's write, read against the answer's Date header. */
bool ld_op_made_here(const struct ld_rec *rec,
                     const struct ferry_http_response *resp,
                     const char *created_at);
/* Decides rec->op from a write's answer (`body` data, with created_at)
 * or keeps the ledger's (same record). */
void ld_op_answered(struct ld_rec *rec, const struct ferry_http_response *resp,
                    const json_t *item);
/* Whether a matched record's values before must be read: not when ferry
 * wrote that record before, nor when they are kept already. */
int ld_prior_needed(struct ld_run *run, struct ld_rec *rec,
                    const char *record_id, bool *need);
/* The answer to LD_PRIOR: the record's values wait for the next commit;
 * 0, or 1 when it is refused (the record is gone: *res says so). */
int ld_prior_read(struct ld_run *run, struct ld_rec *rec,
                  const struct ferry_http_response *resp,
                  struct ferry_attio_result *res);
/* Inside the flush's transaction: the values before and the pending
 * rows of the records waiting. */
int ld_prior_put_all(struct ld_run *run);
/* After the commit: their PATCHes go out. */
int ld_prior_send_all(struct ld_run *run);

/* refs.c: references through the ledger, and the values' shape. */
int ld_attrs_init(struct ld_run *run);
bool ld_attr_multi(struct ld_run *run, const char *dest, const char *slug);
bool ld_attr_required(struct ld_run *run, const char *dest, const char *slug);
/* A reference of the plan ({target_object, source_object, source_id})
 * in Attio's write form ({target_object, target_record_id}), or NULL with
 * what became of its target in `why`. */
json_t *ld_ref(struct ld_run *run, const json_t *ref, char *why, size_t cap);
bool ld_is_ref(const json_t *v);
bool ld_is_deferred(const json_t *v);
/* Resolves the references of `values` in place (deferred ones are taken
 * out, into `deferred` when given), wraps the values of multiselect
 * attributes in arrays, and notes dropped links in rec->note. Returns 1
 * when a required reference did not resolve (rec->note says which). */
int ld_values(struct ld_run *run, struct ld_rec *rec, json_t *values,
              json_t *deferred);

/* send.c: the multi handle and the records in flight. */
int ld_on_done(const struct ferry_multi_done *d, void *payload);
/* Drives the handle until it holds at most `low` requests (0: none) or
 * the run must stop. */
int ld_drive(struct ld_run *run, size_t low);
/* A record's end: written (dest_id set) or refused (Attio's answer). */
int ld_written(struct ld_run *run, struct ld_rec *rec, long http_status);
int ld_refused(struct ld_run *run, struct ld_rec *rec,
               const struct ferry_attio_result *res);
/* The run must end: the destination's error (the first one is kept). */
void ld_fatal(struct ld_run *run, int error, const char *fmt, ...)
    FERRY_PRINTF(3, 4);

/* ledger_batch.c: ledger rows in batches. */
void ld_row_init(struct ferry_ledger_row *row, const struct ld_obj *obj,
                 const char *source_id, const char *dest);
/* A pending row, committed before the request goes out. */
void ld_pending(struct ld_run *run, const struct ferry_ledger_row *row);
/* An outcome: an audit event when it differs from `old` (NULL: none). */
void ld_outcome(struct ld_run *run, const struct ferry_ledger_row *row,
                const struct ferry_ledger_row *old, const char *event,
                json_t *hold);
/* Commits what waits (force: whatever the time). */
int ld_flush(struct ld_run *run, bool force);
void ld_batch_free(struct ld_run *run);

/* halt.c */
void ld_halt_init(struct ld_halt *h, int window);
void ld_halt_free(struct ld_halt *h);
/* Adds an outcome; true when the failures of the window are over `rate`
 * (once enough outcomes are in). */
bool ld_halt_push(struct ld_halt *h, bool failed, const char *msg, double rate);
/* The window's most common failure message and its count. */
void ld_halt_top(const struct ld_halt *h, char *msg, size_t cap,
                 int64_t *count);

#endif
