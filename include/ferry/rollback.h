/* rollback.h: `ferry rollback`: undoes at the destination what the loader
 * did, row by row of the ledger, in reverse load order: what ferry created
 * is deleted, what it updated gets back the values it had before ferry's
 * first write (ledger_prior), a reference it appended is taken out, and
 * what it found there (or wrote before it recorded what a write did) is
 * left, said so. Each undone row becomes rolled_back (its op and dest_id
 * kept), with an audit event; every request is idempotent, so a rollback
 * stopped at any moment and run again ends in the same state. See
 * docs/internals/rollback.md. */
#ifndef FERRY_ROLLBACK_H
#define FERRY_ROLLBACK_H

#include <jansson.h>
#include <signal.h>

#include "ferry/http.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

/* What a ledger row is at the destination. */
enum ferry_rollback_kind {
	FERRY_RB_RECORD = 0, /* a record of an Attio object */
	FERRY_RB_NOTE,
	FERRY_RB_TASK,
	FERRY_RB_ENTRY, /* a list entry (dest_object: the list) */
	FERRY_RB_LINK,  /* a reference appended to a record (dest_id) */
};
const char *ferry_rollback_kind_name(enum ferry_rollback_kind k);

/* What rollback does with a ledger row (by its op and status). */
enum ferry_rollback_todo {
	FERRY_RB_DELETE = 0, /* "created": deleted */
	FERRY_RB_RESTORE,    /* "updated": its values before put back */
	FERRY_RB_UNLINK,     /* "appended": the reference taken out */
	FERRY_RB_EXISTED,    /* "existed": there before ferry, its values
	                        before not captured: left */
	FERRY_RB_UNKNOWN,    /* op "": written before ferry recorded what a
	                        write did (schema 9): left */
	FERRY_RB_IN_DOUBT,   /* pending without an id: a write in flight
	                        when a run stopped: left */
	FERRY_RB_DONE,       /* rolled back by an earlier rollback */
	FERRY_RB_NOTHING,    /* nothing of it at the destination */
};
#define FERRY_RB_TODOS 7 /* the counted ones (not NOTHING) */

/* The todo of a row (status, op, whether it has a destination id). */
enum ferry_rollback_todo ferry_rollback_classify(enum ferry_ledger_status st,
                                                 const char *op, bool has_id);

/* One (object, destination) pair of the ledger. */
struct ferry_rollback_object {
	char object[64];      /* the source object, "Contact" */
	char dest_object[64]; /* "people", "notes", a list's slug, "links" */
	enum ferry_rollback_kind kind;
	int64_t todo[FERRY_RB_TODOS]; /* rows by what rollback does */
	/* What a run did. */
	int64_t deleted;     /* deleted, or already gone (404) */
	int64_t gone;        /* of `deleted` and `restored`: not in Attio */
	int64_t restored;    /* values put back (or nothing to put back) */
	int64_t unlinked;    /* references taken out (or already out) */
	int64_t with_it;     /* updated or appended on a record this rollback
	                        deletes: nothing to do */
	int64_t partial;     /* restored, with attributes left that were
	                        changed in Attio after ferry wrote them */
	int64_t refused;     /* Attio refused: the row is left as it was */
	int64_t done, total; /* progress (rows to undo) */
};

/* What a survey or a run found: the objects in rollback order (the
 * reverse of the load order), the requests, and what was left or refused
 * with Attio's or ferry's words: [{"object", "source_id", "dest_object",
 * "dest_id", "what": "refused"|"left", "message"}], the first
 * FERRY_RB_MAX_NOTES (notes_dropped counts the rest). */
#define FERRY_RB_MAX_NOTES 200
struct ferry_rollback_report {
	struct ferry_rollback_object *objects;
	size_t n_objects;
	struct ferry_http_stats http;
	json_t *notes;
	int64_t notes_dropped;
};
void ferry_rollback_report_release(struct ferry_rollback_report *r);

/* What rollback would do, from the ledger alone (no request): every
 * (object, destination) with a row, in rollback order: objects the
 * mapping does not order first (by name, reversed), then the mapping's
 * load order reversed. `m` may be NULL (then: links, notes, tasks, list
 * entries, then records, each by name reversed). `only`: one source
 * object (NULL: all). */
int ferry_rollback_survey(struct ferry_rollback_report *out,
                          struct ferry_workspace *ws,
                          const struct ferry_mapfile *m, const char *only);

struct ferry_rollback_config {
	/* The destination: base URL, token, rates (copied by the handle). */
	const struct ferry_http_opts *http;
	int max_in_flight; /* 0: the handle's default */
	const char *only;  /* one source object, or NULL */
	/* Called as rows end (the callback throttles its drawing). */
	void (*progress)(const struct ferry_rollback_object *o, void *payload);
	void *payload;
	/* Non-zero stops the run once the requests in flight are answered. */
	const volatile sig_atomic_t *stop;
};

/* Rolls back what the survey lists, object by object, the rows of an
 * object concurrently through one multi handle at the destination's rates.
 * Fills `report` (release it) whatever the result. 0 when every row was
 * handled (some may have been refused: report counts them); FERRY_EHALTED
 * when `stop` ended it; the destination's error (FERRY_ECONN,
 * FERRY_ETIMEOUT, FERRY_ERATELIMIT, FERRY_EHTTP, FERRY_EAUTH) when it
 * failed, the rows not answered left as they were. */
int ferry_rollback_run(struct ferry_workspace *ws,
                       const struct ferry_mapfile *m,
                       const struct ferry_rollback_config *cfg,
                       struct ferry_rollback_report *report);

/*
 * Values (values.c), exposed for the tests.
 */

/* Attio's write form of one value as Attio reads it back (by its
 * attribute_type): a select's {"option": id}, an email's
 * {"email_address"}, a reference's {"target_object", "target_record_id"},
 * ... NULL, with why in `why`, for a value that cannot be written (an
 * interaction, an actor that is not a workspace member). */
json_t *ferry_rollback_write_value(const json_t *read, char *why, size_t cap);

/* What restoring `prior` ({attribute: [values as read]}, captured before
 * ferry's first write) over `current` (the record's values now) writes:
 * *put gets {attribute: [write forms]} for each attribute whose values
 * differ and were not changed by someone else since ferry's last write at
 * `written_us` (wall microseconds); *left gets [{"attribute", "why"}] for
 * the others. An attribute was changed by someone else when a value of it
 * became active after ferry's last write (for a value an API token set, a
 * second later, for clock skew), or when it has no value where it had one
 * before ferry (ferry never clears a value). Both are the caller's. */
int ferry_rollback_restore(json_t **put, json_t **left, const json_t *prior,
                           const json_t *current, int64_t written_us);

/* The write forms of `current` (one attribute's values as read) without
 * the reference to `target_id`: 1 with *put set when the reference was
 * there, 0 when it was not. */
int ferry_rollback_unlink(json_t **put, const json_t *current,
                          const char *target_id);

/* "2026-11-23T15:00:16.815088000Z" (any fraction, or none) into wall
 * microseconds; FERRY_EINVALID for anything else. */
int ferry_rollback_parse_time(const char *s, int64_t *out);

#endif
