/* mapping.h: how a staged source record becomes a destination record. This
 * is the first, built-in mapping (Account -> Attio companies matched on the
 * registrable domain of Website; Contact -> people matched on email and
 * linked to their company); mapping.yaml replaces it with user-edited
 * rules in a later step. A mapping never writes: it decides. */
#ifndef FERRY_MAPPING_H
#define FERRY_MAPPING_H

#include <jansson.h>

#include "ferry/workspace.h"

enum ferry_map_decision {
	FERRY_MAP_WRITE = 0, /* write `values`, matched on `key` */
	FERRY_MAP_SKIP,      /* not writable: `reason` says why */
};

struct ferry_mapped {
	enum ferry_map_decision decision;
	json_t *values;    /* owned; the destination values for WRITE */
	char key[512];     /* the normalized matching value: dedup key */
	char reason[1024]; /* SKIP: why; WRITE: a note (may be empty) */
};
void ferry_mapped_release(struct ferry_mapped *m);

struct ferry_map_rule;

/* Maps one record. `ws` is there for references: a rule reads the ledger
 * to turn a source id (Contact.AccountId) into a destination record id. */
typedef int (*ferry_map_fn)(struct ferry_mapped *out,
                            const struct ferry_map_rule *rule,
                            struct ferry_workspace *ws, const char *source_id,
                            json_t *fields);

struct ferry_map_rule {
	const char *source_object;      /* "Account" */
	const char *dest_object;        /* "companies" */
	const char *matching_attribute; /* "domains" */
	const char *key_name;           /* "domain", for messages */
	ferry_map_fn map;
};

/* The built-in rules in dependency order (parents first). */
const struct ferry_map_rule *ferry_mapping_builtin(size_t *n_out);
/* The rule for a source object, or NULL. */
const struct ferry_map_rule *ferry_mapping_find(const char *source_object);

#endif
