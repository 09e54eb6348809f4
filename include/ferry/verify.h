/* verify.h: after `ferry run`, proof that the destination holds what the
 * plan said it would. Three checks, each on what the workspace recorded:
 *  - counts: per staged object and per record type, staged = written +
 *    merged + held + skipped (+ rolled back and deleted), with failed,
 *    pending and not run shown and keeping the object unbalanced until
 *    resolved; and the plan's decision of every record agreeing with
 *    its ledger row (a record decided write is written, failed, pending
 *    or not run yet; one decided held is held; ...);
 *  - relationships: every written record is in Attio, and each of its
 *    references (a record-reference attribute, a note's parent, a list
 *    entry's parent, a task's linked records, a link, a list a record
 *    type adds it to) names the Attio record its target was written as
 *    (the ledger's dest_id);
 *  - values: for a sample of written records per object, each value of
 *    the planned payload against the value Attio answers, both brought
 *    to one comparable form per Attio value type.
 * Attio is read cheaply: each destination object paged through with the
 * records query (500 a page), notes, tasks and list entries through their
 * listings, all on one multi handle (multi.h) under the read budget; what
 * was read is kept in temporary tables of the workspace's connection, so
 * memory does not grow with the org. Nothing is written to Attio or to the
 * workspace. See docs/internals/verify.md. */
#ifndef FERRY_VERIFY_H
#define FERRY_VERIFY_H

#include <jansson.h>
#include <signal.h>

#include "ferry/buf.h"
#include "ferry/http.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

/* Records compared per object when the options give no sample. */
#define FERRY_VERIFY_SAMPLE_DEFAULT 200
/* ferry_verify_opts.sample: compare every written record. */
#define FERRY_VERIFY_SAMPLE_ALL (-1)
/* Problems listed per kind when the options give no cap (all are
 * counted). */
#define FERRY_VERIFY_LIST_DEFAULT 1000

struct ferry_verify_progress {
	const char *phase;   /* "counting", "reading", "checking" */
	const char *what;    /* the Attio object or listing being read, or "" */
	int64_t done, total; /* total 0: unknown */
};

struct ferry_verify_opts {
	/* The destination (base URL, token, read rate; copied by the multi
	 * handle). NULL: offline, the counts only. */
	const struct ferry_http_opts *http;
	/* mapping.yaml: which destinations are lists. Online, required. */
	const struct ferry_mapfile *m;
	/* Written records whose values are compared, per object: 0 is
	 * FERRY_VERIFY_SAMPLE_DEFAULT, FERRY_VERIFY_SAMPLE_ALL every one. */
	int64_t sample;
	int max_in_flight; /* 0: the multi handle's default */
	size_t list_max;   /* 0: FERRY_VERIFY_LIST_DEFAULT */
	/* Called now and then (the callback throttles its drawing). */
	void (*progress)(const struct ferry_verify_progress *p, void *payload);
	void *payload;
	/* Non-zero stops the reading (FERRY_EHALTED). */
	const volatile sig_atomic_t *stop;
};

/* Verifies the workspace against the destination (or offline, only the
 * counts) and gives the report as JSON (*out, the caller's):
 *   {"online", "clean", "balanced", "sample" (a number or "all"),
 *    "objects": [{"object", "destinations": [...], "staged", "written",
 *      "merged", "held", "skipped", "rolled_back", "deleted", "failed",
 *      "pending", "not_run", "disagreements", "balanced",
 *      "record_types": [{"id", "name", "staged", "written", ...}],
 *      "checked", "missing", "wrong_references", "sampled",
 *      "mismatched"}],
 *    "disagreements": {"total", "items": [{"object", "source_id",
 *      "decision", "ledger", "why"}]},
 *    "missing": {"total", "items": [{"object", "source_id",
 *      "dest_object", "dest_id", "why"}]},
 *    "references": {"checked", "total", "items": [{"object",
 *      "source_id", "dest_object", "dest_id", "attribute",
 *      "target_object", "target_source_id", "expected", "found"}]},
 *    "values": {"records", "compared", "total", "items": [{"object",
 *      "source_id", "dest_object", "dest_id", "attribute", "type",
 *      "expected", "found"}]},
 *    "reads": {"requests", "records", "seconds", "read_rate"}}
 * Lists hold at most opts->list_max items each; "total" counts them all.
 * Problems are data, not errors: the return is 0 whenever verify ran to
 * its end; the destination's failure (FERRY_ECONN, FERRY_ETIMEOUT,
 * FERRY_EHTTP, FERRY_ERATELIMIT, FERRY_EAUTH), FERRY_EHALTED or the
 * workspace's otherwise. */
int ferry_verify_run(json_t **out, struct ferry_workspace *ws,
                     const struct ferry_verify_opts *opts);

/* Whether a report is clean: every object balanced, nothing missing,
 * no wrong reference, no mismatched value, no disagreement. */
bool ferry_verify_clean(const json_t *report);

/*
 * The report as a page (src/lib/report/verify_html.c): one
 * self-contained file drawn with html.h (a CSP meta, no script, every
 * value escaped), the plan page's look.
 */
#define FERRY_REPORT_VERIFY_HTML "reports/verify.html"
/* Appends the page to `out` (left as it was on error). */
int ferry_report_verify_html(const json_t *report, struct ferry_buf *out);
/* Draws it into FERRY_REPORT_VERIFY_HTML under the workspace's root
 * (through a temporary file renamed into place; owner-only: it quotes
 * records). */
int ferry_report_verify_write(struct ferry_workspace *ws, const json_t *report);

#endif
