/* sync_int.h: what the files of `ferry sync` share: one run (the objects
 * synced, the records to plan again, the records Salesforce deleted, the
 * ledger as it was before the load) and the steps each file takes.
 * Private to src/lib/sync; helpers carry the prefix sy_. See
 * docs/internals/sync.md. */
#ifndef FERRY_SYNC_INT_H
#define FERRY_SYNC_INT_H

#include <jansson.h>

#include "ferry/plan.h"
#include "ferry/sync.h"

/* One object being synced. */
struct sy_obj {
	struct ferry_sync_object *st;
	const struct ferry_mapfile_object *o; /* NULL: not in mapping.yaml */
	struct ferry_sf_watermark wm;
	bool keep_deleted; /* extract staged its deleted records (queryAll):
	                      a deletion is a change of IsDeleted */
	struct ferry_sf_delta delta;
};

struct sy_run {
	struct ferry_sf *sf;
	struct ferry_workspace *ws;
	const struct ferry_mapfile *m;
	const struct ferry_sync_config *cfg;
	struct ferry_sync_report *rep;
	struct sy_obj *objs;
	size_t n_objs;
	/* The records to plan again: [object, id] pairs, each once. */
	json_t *refs;
	json_t *seen; /* "object id" -> true, for `refs` */
	/* The records Salesforce gave as changed: "object id" -> {"new"} */
	json_t *reread;
	/* Deleted in Salesforce, to settle at the destination: [object, id] */
	json_t *gone;
	/* The ledger rows of `reread` before the load: "object id" ->
	 * "status hash updated_at". */
	json_t *before;
};

/* "Account 001..." : the key of a record in the run's maps. */
char *sy_key(const char *object, const char *id);

/* read.c: what changed in one object, into the staging (one
 * transaction), `refs`, `reread` and `gone`; --dry-run only counts. */
int sy_read_object(struct sy_run *run, struct sy_obj *obj);

/* gone.c: the records Salesforce deleted, at the destination: what ferry
 * created is deleted, the rest is left and listed. *refused: Attio
 * refused a delete (the watermarks then stay). */
int sy_settle_gone(struct sy_run *run, bool *refused);

/* tally.c: the ledger rows of the records read, before the load; after
 * it, each record counted as new, changed, unchanged or held. */
int sy_snapshot(struct sy_run *run);
int sy_tally(struct sy_run *run);

/* The object's entry in the run, or NULL. */
struct sy_obj *sy_find(struct sy_run *run, const char *object);

#endif
