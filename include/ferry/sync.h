/* sync.h: `ferry sync`: after a migration (extract, plan, run), what
 * changed in Salesforce since each object's watermark goes the same way
 * to Attio. Per object, Salesforce is asked for the records changed,
 * created or deleted since the watermark (ferry_sf_delta); the changed
 * and new ones are staged again in place, the deleted ones taken out of
 * the staging, and only those (and what they reach: references,
 * duplicates, matching values) are planned again (ferry_plan_records).
 * The records Salesforce deleted that ferry had created in Attio are
 * deleted there (their ledger rows become deleted); one ferry did not
 * create is left, and said so. Then the loader executes the plan: a
 * record whose request did not change costs no call. The watermarks move
 * forward only once every change read is written, so a sync stopped at
 * any moment and run again reads the same changes again, and writes
 * nothing twice (the ledger). See docs/internals/sync.md. */
#ifndef FERRY_SYNC_H
#define FERRY_SYNC_H

#include <jansson.h>
#include <signal.h>

#include "ferry/attio.h"
#include "ferry/http.h"
#include "ferry/load.h"
#include "ferry/mapfile.h"
#include "ferry/salesforce.h"
#include "ferry/workspace.h"

/* One object's sync. */
struct ferry_sync_object {
	char object[64];
	char dest_object[64]; /* "" when not migrated (User, ...) */
	/* Not synced, and why ("" when synced). */
	char skipped[256];
	int64_t since;     /* the watermark it started from (Unix seconds) */
	int64_t until;     /* the watermark after (since when not moved) */
	int64_t read;      /* changed records Salesforce gave (new included) */
	int64_t created;   /* of `read`: not staged before ("new") */
	int64_t changed;   /* of `read`: a destination call was made for it
	                      (--dry-run: its staged fields differ) */
	int64_t unchanged; /* of `read`: no call (the same request, or the
	                      same fields as staged) */
	int64_t held;      /* of `read`: held by the plan (conflict queue) */
	int64_t deleted;   /* deleted in Salesforce and taken out of the
	                      staging */
	int64_t dest_deleted; /* of `deleted`: deleted in Attio (ferry had
	                         created them) */
	int64_t left;         /* of `deleted`: left in Attio (not ferry's, or
	                         Attio refused), listed in the report */
	int64_t calls;        /* Salesforce API calls */
};

struct ferry_sync_report {
	struct ferry_sync_object *objects; /* in load order */
	size_t n_objects;
	bool dry_run;
	bool whole_plan;   /* planned whole (the plan was out of date) */
	int64_t replanned; /* records re-planned */
	bool loaded;       /* the loader ran (something changed) */
	struct ferry_load_report load; /* its summary */
	int64_t sf_calls;
	int64_t dest_requests; /* DELETEs sent to Attio */
	/* The watermarks moved forward (not with --dry-run, nor when Attio
	 * refused a delete: the next sync tries it again). */
	bool advanced;
	/* The records deleted in Salesforce and left in Attio:
	 * [{"object", "source_id", "dest_object", "dest_id", "why"}]. */
	json_t *left;
	double seconds;
};
void ferry_sync_report_release(struct ferry_sync_report *r);

struct ferry_sync_config {
	const char *only; /* one source object, or NULL: all */
	bool dry_run;     /* read and count; change nothing */
	/* What plan and load read of the destination (as `ferry run`):
	 * its schema snapshot and a client (both borrowed; NULL: offline). */
	const json_t *schema;
	struct ferry_attio *dest;
	/* The destination for the loader and the deletes. */
	const struct ferry_http_opts *http;
	double halt_error_rate;
	void (*load_progress)(const struct ferry_load_progress *p,
	                      void *payload);
	void *payload;
	const volatile sig_atomic_t *stop;
};

/* Syncs the objects of `m` (those it migrates, their case comments, and
 * User, whose records resolve owners) that extract gave a watermark, or
 * the one `cfg->only` names. Fills `out` (release it) whatever the
 * result. 0 when every change read was written (Attio may have refused
 * some records: the load report and `left` say so); FERRY_ECONFIG when
 * no object can sync (a Data Export workspace) or a watermark is too old
 * (extract again); the source's or destination's error otherwise, with
 * the watermarks where they were. */
int ferry_sync_run(struct ferry_sf *sf, struct ferry_workspace *ws,
                   const struct ferry_mapfile *m,
                   const struct ferry_sync_config *cfg,
                   struct ferry_sync_report *out);

#endif
