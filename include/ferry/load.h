/* load.h: writes the staged records to the destination through a mapping,
 * one decision per record, with a ledger row before and after every
 * write. Running it again writes nothing that is already there: a record
 * whose ledger row says written with the same payload hash costs no call,
 * and every write is an assert (upsert) on a unique attribute, so even a
 * lost ledger creates no duplicate. */
#ifndef FERRY_LOAD_H
#define FERRY_LOAD_H

#include <signal.h>

#include "ferry/attio.h"
#include "ferry/workspace.h"

struct ferry_load_stats {
	char object[64];      /* source object */
	char dest_object[64]; /* "" when the object has no mapping */
	int64_t staged;
	int64_t written;   /* asserted in this run */
	int64_t unchanged; /* already written with the same payload: no call */
	int64_t merged;    /* same match key as an earlier record */
	int64_t skipped;   /* not writable, with a reason */
	int64_t failed;    /* the destination refused it */
};

struct ferry_load_progress {
	const char *object;
	const char *dest_object;
	int64_t done;
	int64_t total;
	int64_t started_us; /* monotonic time the object started */
};

struct ferry_load_opts {
	/* Called after every record (cheap; the callback rate-limits its
	 * own drawing). */
	void (*progress)(const struct ferry_load_progress *p, void *payload);
	void *payload;
	/* Checked between records: non-zero stops the run cleanly with
	 * FERRY_EHALTED (the ledger is consistent; a re-run resumes). */
	const volatile sig_atomic_t *stop;
};

/* Loads every staged object, mapped ones in dependency order. *stats_out
 * receives one entry per staged object (free()). Returns 0 when every
 * record got a decision (some may have failed: see the stats), or a
 * negative code when the run could not go on (the destination unreachable,
 * the workspace failing, a stop request). */
int ferry_load_run(struct ferry_workspace *ws, struct ferry_attio *attio,
                   const struct ferry_load_opts *opts,
                   struct ferry_load_stats **stats_out, size_t *n_out);

#endif
