/* plan.h: the plan stage. Before anything is written, every staged record
 * of every object gets exactly one decision: write (with the payload a load
 * will send), merged (into the record that survives its duplicates), held
 * (a person must act: each reason says on which field, what is wrong and
 * what releases it) or skipped (a rule leaves it out, and says which). The
 * plan reads mapping.yaml (mapfile.h), deduplicates (dedup.h), converts
 * every value (transform.h), resolves owners and references, and checks
 * the result against the destination's schema when it has one.
 *
 * Decisions go to the workspace table `plan`, one row per staged record,
 * replaced whole object by object (one transaction each: a plan stopped
 * halfway leaves every object with its previous plan or its new one, never
 * a mix). A decision that changed since the last plan (a new decision, a
 * new payload, new reasons) is also an audit event; an unchanged one is
 * not, so planning an unchanged org again adds nothing to the audit log.
 * Records are streamed and per-object lookups run in SQLite, so memory
 * does not grow with the org. See docs/internals/plan.md. */
#ifndef FERRY_PLAN_H
#define FERRY_PLAN_H

#include <jansson.h>
#include <signal.h>

#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

enum ferry_plan_decision {
	FERRY_PLAN_WRITE = 0, /* written as the payload says */
	FERRY_PLAN_MERGED,    /* folded into survivor_object/survivor_id */
	FERRY_PLAN_HELD,      /* waits for a person: reasons say why */
	FERRY_PLAN_SKIPPED,   /* left out by a rule: reasons say which */
};
#define FERRY_PLAN_DECISIONS 4

/* "write", "merged", "held", "skipped" (as stored). */
const char *ferry_plan_decision_name(enum ferry_plan_decision d);
/* The decision named `name`; FERRY_EINVALID for any other word. */
int ferry_plan_decision_parse(const char *name, enum ferry_plan_decision *out);

struct ferry_plan_progress {
	const char *object;
	int64_t done, total; /* records of the object */
};

struct ferry_plan_opts {
	/* The destination snapshot ferry_attio_schema() gives:
	 * {"members": [...], "attributes": {"companies": [...], ...}}.
	 * Borrowed. NULL: offline (owners are taken on the Salesforce
	 * user's email unchecked, attributes and options are unchecked). */
	const json_t *schema;
	/* Online: the destination itself, to match dedup keys against the
	 * records already there (plan_dest.c), so a record created by hand
	 * or by email sync is updated, never duplicated. Borrowed; NULL:
	 * not matched (offline). */
	struct ferry_attio *dest;
	/* Called every few thousand records and at the end of each object. */
	void (*progress)(const struct ferry_plan_progress *p, void *payload);
	void *payload;
	/* Checked between records: non-zero stops the plan with
	 * FERRY_EHALTED (the object being planned keeps its previous plan). */
	const volatile sig_atomic_t *stop;
};

/* One staged object's plan. */
struct ferry_plan_object {
	char object[64];
	char dest_object[64]; /* "companies", "notes", ...; "" when not
	                         migrated */
	int64_t staged;
	int64_t by_decision[FERRY_PLAN_DECISIONS];
	int64_t changed; /* decisions new or changed since the last plan
	                    (each one an audit event) */
	/* Attributes the mapping writes that the destination does not have
	 * yet (schema setup creates them); empty offline. */
	char **to_create;
	size_t n_to_create;
	/* Records matched at the destination (opts->dest): each updates
	 * the record already there instead of creating one. */
	int64_t matched;
};

struct ferry_plan_stats {
	struct ferry_plan_object *objects; /* in plan order */
	size_t n_objects;
	int64_t staged, by_decision[FERRY_PLAN_DECISIONS], changed;
	bool online;              /* checked against a destination schema */
	int64_t owners_unchecked; /* offline: records whose owner was taken
	                             on the user's email, not checked */
	/* ferry_plan_records(): the records re-planned (by_decision counts
	 * them alone), of which `asked` were asked for; the rest were
	 * touched by them. */
	bool partial;
	int64_t replanned, asked;
};
void ferry_plan_stats_release(struct ferry_plan_stats *s);

/* Plans every staged object: the objects of `m` in its load order (after
 * the staged objects it does not migrate, whose records are skipped),
 * each record decided once. Fills `stats` (which may be NULL; release it
 * with ferry_plan_stats_release). Returns 0 when every staged record has a
 * decision (held records are not an error), FERRY_EHALTED on a stop
 * request, or another negative code when the plan could not go on. */
int ferry_plan_run(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                   const struct ferry_plan_opts *opts,
                   struct ferry_plan_stats *stats);

/*
 * Reading the plan back.
 */

/* The stored decision of one record as a JSON object: {"object",
 * "source_id", "decision", "dest_object", "match_attribute",
 * "match_value", "payload": {"values": {...}}, "payload_sha256",
 * "reasons": [...], "notes": [...], "survivor_object", "survivor_id",
 * "planned_at"}. FERRY_ENOTFOUND when the record has no decision. */
int ferry_plan_get(json_t **out, struct ferry_workspace *ws, const char *object,
                   const char *source_id);

struct ferry_plan_count {
	char object[64];
	char dest_object[64];
	int64_t staged; /* the staging's own count */
	int64_t by_decision[FERRY_PLAN_DECISIONS];
};
/* Per staged object (and any object that still has decisions), in
 * object-name order: its staged count and its decisions. `*out` is
 * allocated (free()). */
int ferry_plan_counts(struct ferry_plan_count **out, size_t *n_out,
                      struct ferry_workspace *ws);

/* The most common reasons of `object`'s records with `decision` (for
 * write: their notes), grouped by field and code, most common first, at
 * most `max`. cb gets the group's field ("" for the record), its code,
 * one example's message and release ("" when none) and the count. */
int ferry_plan_top_reasons(struct ferry_workspace *ws, const char *object,
                           enum ferry_plan_decision decision, int max,
                           int (*cb)(const char *field, const char *code,
                                     const char *message, const char *release,
                                     int64_t count, void *payload),
                           void *payload);

/* The same for every object and decision at once, in one pass over the
 * plan table (the plan page reads them all): groups come in object-name
 * order, then by decision, then as above, at most `max` per object and
 * decision. `planned_at` (when not NULL) gets the latest decision's
 * planned_at ("" when there is none). */
struct ferry_plan_reason_group {
	const char *object;
	enum ferry_plan_decision decision;
	const char *field, *code, *message, *release;
	int64_t count;
};
typedef int (*ferry_plan_reasons_fn)(const struct ferry_plan_reason_group *g,
                                     void *payload);
int ferry_plan_all_top_reasons(struct ferry_workspace *ws, int max,
                               ferry_plan_reasons_fn cb, void *payload,
                               char *planned_at, size_t planned_at_len);

/*
 * Re-planning a few records (the conflict queue, queue.h).
 */

struct ferry_plan_ref {
	const char *object;
	const char *source_id;
};

/* Re-plans the records `refs` and those a change of theirs touches, and
 * leaves every other decision as it is: dedup runs again when a record
 * has overrides (its keys may have changed) and the records whose
 * cluster changed are re-planned too; so are the records that refer to
 * a re-planned one, and those that share its matching value. The result
 * is the one a whole plan would give for these records (a test holds it
 * to that). A ref that is not staged is FERRY_ENOTFOUND, before anything
 * changes. Each object still commits alone, so a stop leaves each with
 * its previous decisions or its new ones. */
int ferry_plan_records(struct ferry_workspace *ws,
                       const struct ferry_mapfile *m,
                       const struct ferry_plan_opts *opts,
                       const struct ferry_plan_ref *refs, size_t n,
                       struct ferry_plan_stats *stats);

/*
 * What the load (load.h) asks of the plan.
 */

/* A record Attio refused goes back to the conflict queue: its decision
 * becomes held with the one reason `reason` ({"field", "code", "message",
 * "release"}), until a re-plan (`ferry queue retry`, `ferry plan`) decides
 * it again. An audit event (stage "load", event "held"). FERRY_ENOTFOUND
 * when the record has no decision. */
int ferry_plan_hold(struct ferry_workspace *ws, const char *object,
                    const char *source_id, const json_t *reason);

/* What a whole plan was made from, as 64 hex digits: SHA-256 over the
 * bytes of mapping.yaml (at `mapping_path`; a missing file counts as
 * empty) and the staging (each completely staged object with its count
 * and when it was staged). A whole plan keeps it in the workspace's meta
 * under FERRY_PLAN_FINGERPRINT_KEY; `ferry run` plans again first when
 * the two differ. */
#define FERRY_PLAN_FINGERPRINT_KEY "plan.fingerprint"
int ferry_plan_fingerprint(struct ferry_workspace *ws, const char *mapping_path,
                           char out[65]);

#endif
