/* load.h: the loader: executes the plan (plan.h) against the destination,
 * one decision per staged record, with a ledger row before and after every
 * write. Running it again writes nothing that is already there: a record
 * whose ledger row says written with the same request costs no call. */
#ifndef FERRY_LOAD_H
#define FERRY_LOAD_H

#include <signal.h>

#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

struct ferry_load_progress {
	const char *object;
	const char *dest_object;
	int64_t done;       /* records of the object done (written, unchanged,
	                       failed) */
	int64_t total;      /* records of the object to write */
	int64_t started_us; /* monotonic time the object started */
};

/*
 * The loader of the plan (src/lib/load/): executes the decisions `ferry
 * plan` stored (plan.h), one per staged record, in the mapping's load
 * order. Within an object the records are independent and go
 * concurrently through one multi handle (multi.h) at the destination's
 * write rate; deferred references (a hierarchy inside one object) are
 * written in a second pass once every record exists. A ledger row is
 * committed before every write (pending, with the SHA-256 of the exact
 * request) and after it (the destination id, or Attio's refusal), so a
 * run killed at any moment and run again ends in the destination state
 * of an uninterrupted run: asserts are idempotent, and what a create may
 * already have made is looked for before it is made again (also within a
 * run, after a create got no answer). A record Attio refuses goes back to
 * the conflict queue (held, with Attio's message). Each ledger row says
 * what the write did (op: created, updated, appended, existed), and a
 * record the plan matched in Attio has its values before ferry's first
 * write kept (ledger_prior), for rollback. See docs/internals/writer.md.
 */

/* One planned object's outcome. staged = to_write + merged + held +
 * skipped (the plan's); to_write = written + unchanged + failed +
 * not_loaded once the object is done (a record written in the first pass
 * whose second-pass update Attio refused counts as written and failed). */
struct ferry_load_object {
	char object[64];
	char dest_object[64]; /* "" when not migrated */
	int64_t staged;
	int64_t to_write;  /* decided write by the plan */
	int64_t written;   /* written in this run */
	int64_t unchanged; /* written before with the same request: no call */
	int64_t failed;    /* refused by Attio (in either pass), or a
	                      required parent not written */
	int64_t merged, held, skipped; /* the plan's */
	int64_t deferred;   /* second-pass updates written (references to
	                       records of the same object) */
	int64_t dropped;    /* links written without their target, which
	                       failed */
	int64_t not_loaded; /* to write, but of a kind this version does not
	                       write (files): skipped in the ledger */
};

struct ferry_load_report {
	struct ferry_load_object *objects; /* in load order */
	size_t n_objects;
	struct ferry_http_stats http;       /* the multi handle's requests */
	bool halted;                        /* the error rate stopped the run */
	int64_t window_failed, window_size; /* when halted */
	char top_message[512];              /* the most common refusal then */
	int64_t top_count;
};
void ferry_load_report_release(struct ferry_load_report *r);

struct ferry_load_config {
	/* The destination: base URL, token, rates (copied by the handle). */
	const struct ferry_http_opts *http;
	/* The destination's attributes ({"attributes": {"companies":
	 * [...]}}, as ferry_attio_schema gives): which are multiselect (a
	 * single value is sent as an array) and which are required (a
	 * reference whose target failed then fails the record). Borrowed;
	 * NULL: only Attio's standard attributes are known. */
	const json_t *schema;
	int max_in_flight;      /* 0: the handle's default */
	double halt_error_rate; /* 0: the default 0.2; > 1: never halt */
	int halt_window;        /* outcomes in the window; 0: 200 */
	/* Called as records end (the callback throttles its drawing). */
	void (*progress)(const struct ferry_load_progress *p, void *payload);
	void *payload;
	/* Non-zero stops the run (FERRY_EHALTED) once the writes in flight
	 * have answered. */
	const volatile sig_atomic_t *stop;
};

/* Executes the plan stored in `ws` with the load order of `m`. Fills
 * `report` (release it) whatever the result. Returns 0 when every record
 * to write was written or refused, FERRY_EHALTED when the error rate or a
 * stop request ended the run, or the destination's error (FERRY_ECONN,
 * FERRY_ETIMEOUT, FERRY_ERATELIMIT, FERRY_EHTTP, FERRY_EAUTH) with the
 * records in flight left pending for the next run. FERRY_ENOTFOUND when
 * nothing is planned. */
int ferry_load_plan(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                    const struct ferry_load_config *cfg,
                    struct ferry_load_report *report);

#endif
