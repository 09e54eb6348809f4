/* schema_setup.h: schema setup. Before the first write, the destination
 * must have what mapping.yaml writes: custom objects, attributes of the
 * right types, the select options and statuses (a deal's stages) the
 * value tables name, and the lists entries go to. Attio creates none of
 * these on the fly. ferry_schema_setup_plan() works out, without a single
 * call, the changes a workspace needs (from mapping.yaml and the
 * destination's schema snapshot) and what blocks them;
 * ferry_schema_setup_apply() makes them, idempotently: a change Attio
 * says already exists counts as done, so a run that failed half way is
 * finished by running it again. `ferry schema` shows and applies them;
 * docs/cli/schema.md. */
#ifndef FERRY_SCHEMA_SETUP_H
#define FERRY_SCHEMA_SETUP_H

#include <jansson.h>

#include "ferry/attio.h"
#include "ferry/mapfile.h"

/*
 * The plan of changes.
 *
 * `snapshot` is what ferry_attio_schema() gives ({"members", "attributes":
 * {"companies": [...]}}), optionally completed by ferry_schema_setup_read()
 * (archived attributes and options, lists). An object of the mapping
 * that is not a key of "attributes" is not in the workspace: a custom one
 * is created, a standard one (deals, users, workspaces) is a problem (an
 * admin enables it). Without "lists" in the snapshot every list the
 * mapping names is planned as new (applying one that exists is a no-op).
 *
 * *out (the caller's) is
 *   {"changes": [...], "problems": [...], "warnings": [...]}
 * Each change: {"kind", "description", ...}, in the order they must be
 * made: objects, attributes on objects (and matching attributes made
 * unique), their options and statuses, lists, the lists' attributes, their
 * options and statuses.
 *   {"kind": "object", "object", "data": {api_slug, singular_noun,
 *    plural_noun}}
 *   {"kind": "attribute", "target": "objects"|"lists", "parent", "attribute",
 *    "data": <the POST .../attributes body's data>}
 *   {"kind": "unique", "target", "parent", "attribute"}: PATCH is_unique
 *   {"kind": "option"|"status", "target", "parent", "attribute", "title"}
 *   {"kind": "list", "list", "data": <the POST /v2/lists body's data>}
 * "description" is one line for people: "create attribute
 * companies.salesforce_id (text, unique)".
 * A problem blocks applying anything: {"object", "attribute" (or null),
 * "message"}, the message naming mapping.yaml's line, both types when a
 * mapping writes into an attribute of another type, and what to do. A
 * warning does not block (an archived option the value tables name, a
 * select field without a value table): same shape.
 */
int ferry_schema_setup_plan(json_t **out, const struct ferry_mapfile *m,
                            const json_t *snapshot);

/* The Attio objects the mapping writes records to or points references
 * at, NULL-terminated (an array of borrowed strings: free() it). */
const char **ferry_schema_setup_objects(const struct ferry_mapfile *m);

/* Completes a ferry_attio_schema() snapshot with what only schema setup
 * needs (ferry_attio_schema_extra(): archived attributes, archived options
 * and statuses, the workspace's lists and the attributes of those the
 * mapping names). Reads only. */
int ferry_schema_setup_read(json_t *snapshot, struct ferry_attio *a,
                            const struct ferry_mapfile *m);

/* ferry_attio_schema() of ferry_schema_setup_objects(), then
 * ferry_schema_setup_read(): everything ferry_schema_setup_plan() looks
 * at. *out is the caller's. */
int ferry_schema_setup_snapshot(json_t **out, struct ferry_attio *a,
                                const struct ferry_mapfile *m);

/*
 * Applying them.
 */

enum ferry_schema_setup_outcome {
	FERRY_SCHEMA_CREATED = 0, /* Attio made it */
	FERRY_SCHEMA_EXISTED,     /* it was already there (409 slug_conflict) */
	FERRY_SCHEMA_FAILED,      /* Attio refused it: `message` says why */
	FERRY_SCHEMA_SKIPPED,     /* not tried: what it needs failed */
};

/* "created", "existed", "failed", "skipped". */
const char *ferry_schema_setup_outcome_name(enum ferry_schema_setup_outcome o);

struct ferry_schema_setup_step {
	size_t index, total; /* index: 0-based, in the order applied */
	const json_t *change;
	const char *description;
	enum ferry_schema_setup_outcome outcome;
	const char *message; /* FAILED, SKIPPED: why; "" otherwise */
};

typedef void (*ferry_schema_setup_progress_fn)(
    const struct ferry_schema_setup_step *step, void *payload);

struct ferry_schema_setup_result {
	size_t created, existed, failed, skipped;
};

/* Makes `changes` (the plan's document, or its "changes" array) in
 * dependency order (sorted by kind: the order above), each once, calling
 * `progress` (may be NULL) after each. A refused change does not stop the
 * others, but what depends on it (the attributes of an object that was
 * not created, the options of an attribute) is skipped. Fills `res` (may
 * be NULL). Returns 0 when every change was created or already there;
 * FERRY_EHTTP when Attio refused some ("2 of 9 schema changes failed;
 * first: create attribute ...: Attio answered HTTP 400 validation_type:
 * ..."); FERRY_EINVALID for a change of an unknown shape (before anything
 * is sent). When Attio cannot be reached, or refuses the token, the rest
 * is not tried and that error (naming the change) is returned. */
int ferry_schema_setup_apply(struct ferry_attio *a, const json_t *changes,
                             ferry_schema_setup_progress_fn progress,
                             void *payload,
                             struct ferry_schema_setup_result *res);

#endif
