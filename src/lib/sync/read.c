/* read.c: one object's changes since its watermark, read from Salesforce
 * (ferry_sf_delta) straight into the staging, in one transaction: a
 * changed or new record is staged again in place (an audit event says
 * which fields changed), a deleted one is taken out; every record read is
 * planned again (even one whose fields did not change: a sync stopped
 * after staging it, before planning it, is made good by the next one),
 * and every deleted one that ferry had staged, planned or written is
 * settled at the destination later (gone.c). With --dry-run nothing is
 * written: the records are only compared with the staging. */
#include "util.h"

#include "sync_int.h"

struct reader {
	struct sy_run *run;
	struct sy_obj *obj;
};

char *sy_key(const char *object, const char *id)
{
	return ferry_xasprintf("%s %s", object, id);
}

static void add_ref(struct sy_run *run, const char *object, const char *id)
{
	char *key = sy_key(object, id);

	if (!json_object_get(run->seen, key)) {
		json_object_set_new(run->seen, key, json_true());
		json_array_append_new(run->refs,
		                      json_pack("[s, s]", object, id));
	}
	free(key);
}

/* The fields whose values differ, for the audit event. */
static json_t *diff(json_t *old, json_t *now)
{
	json_t *names = json_array();
	const char *key;
	json_t *v;

	json_object_foreach(now, key, v)
	{
		if (!json_equal(json_object_get(old, key), v))
			json_array_append_new(names, json_string(key));
	}
	json_object_foreach(old, key, v)
	{
		if (!json_object_get(now, key))
			json_array_append_new(names, json_string(key));
	}
	return names;
}

static int audit(struct sy_run *run, const char *object, const char *id,
                 const char *event, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int error;

	error = ferry_audit_append(run->ws, "sync", object, id, event, text);
	free(text);
	json_decref(detail);
	return error;
}

static int changed(struct reader *r, const char *id, json_t *fields)
{
	struct sy_run *run = r->run;
	struct ferry_sync_object *st = r->obj->st;
	const char *object = st->object;
	json_t *old = NULL;
	char *key;
	bool differs = false;
	int error;

	error = ferry_stage_get(&old, run->ws, object, id);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		error = 0;
	}
	if (error < 0)
		return error;
	st->read++;
	if (run->cfg->dry_run) {
		if (!old)
			st->created++;
		else if (json_equal(old, fields))
			st->unchanged++;
		else
			st->changed++;
		goto done;
	}
	if ((error = ferry_stage_put(run->ws, object, id, fields, &differs)) <
	    0)
		goto done;
	if (differs && (error = audit(run, object, id, old ? "changed" : "new",
	                              json_pack("{s:o}", "fields",
	                                        old ? diff(old, fields)
	                                            : json_array()))) < 0)
		goto done;
	key = sy_key(object, id);
	/* A record new to this sync: not staged before, or staged by a sync
	 * that stopped before it was written. */
	json_object_set_new(run->reread, key,
	                    json_pack("{s:b}", "new", old == NULL));
	free(key);
	add_ref(run, object, id);
done:
	json_decref(old);
	return error;
}

/* Whether ferry knows the deleted record: staged, planned or in the
 * ledger (not already settled). */
static int known(struct sy_run *run, const char *object, const char *id,
                 bool *staged, bool *out)
{
	struct ferry_ledger_row row;
	json_t *j = NULL;
	int error;

	*out = false;
	error = ferry_stage_get(&j, run->ws, object, id);
	json_decref(j);
	*staged = error == 0;
	if (error < 0 && error != FERRY_ENOTFOUND)
		return error;
	error = ferry_plan_get(&j, run->ws, object, id);
	json_decref(j);
	if (error < 0 && error != FERRY_ENOTFOUND)
		return error;
	*out = *staged || error == 0;
	error = ferry_ledger_get(&row, run->ws, object, id);
	if (error == 0 && row.status != FERRY_LEDGER_DELETED &&
	    row.status != FERRY_LEDGER_ROLLED_BACK &&
	    !ferry_str_starts_with(row.reason, "deleted in Salesforce"))
		*out = true;
	if (error < 0 && error != FERRY_ENOTFOUND)
		return error;
	ferry_error_clear();
	return 0;
}

static int deleted(struct reader *r, const char *id)
{
	struct sy_run *run = r->run;
	struct ferry_sync_object *st = r->obj->st;
	bool staged = false, is_known = false, removed = false;
	int error;

	if ((error = known(run, st->object, id, &staged, &is_known)) < 0 ||
	    !is_known)
		return error;
	st->deleted++;
	if (run->cfg->dry_run) {
		json_array_append_new(run->gone,
		                      json_pack("[s, s]", st->object, id));
		return 0;
	}
	if (staged &&
	    ((error = ferry_stage_remove(run->ws, st->object, id, &removed)) <
	         0 ||
	     (removed &&
	      (error = audit(run, st->object, id, "deleted", NULL)) < 0)))
		return error;
	add_ref(run, st->object, id);
	json_array_append_new(run->gone, json_pack("[s, s]", st->object, id));
	return 0;
}

static int on_change(const struct ferry_sf_change *c, void *payload)
{
	struct reader *r = payload;

	if (r->run->cfg->stop && *r->run->cfg->stop)
		return ferry_error_set(FERRY_EHALTED,
		                       "sync stopped while reading %s: "
		                       "nothing of it was kept; run 'ferry "
		                       "sync' again",
		                       r->obj->st->object);
	/* An org extracted with its deleted records keeps them staged. */
	if (c->deleted && !(r->obj->keep_deleted && c->fields))
		return deleted(r, c->id);
	return changed(r, c->id, c->fields);
}

int sy_read_object(struct sy_run *run, struct sy_obj *obj)
{
	struct reader r = {run, obj};
	int error;

	if ((error = ferry_workspace_begin(run->ws)) < 0)
		return error;
	error = ferry_sf_delta(run->sf, run->ws, obj->st->object, obj->wm.at,
	                       on_change, &r, &obj->delta);
	obj->st->calls = obj->delta.calls;
	/* A failure ends the sync: nothing of this object is kept, and the
	 * next sync reads it again. */
	if (error < 0 || run->cfg->dry_run) {
		ferry_workspace_rollback(run->ws);
		return error;
	}
	return ferry_workspace_commit(run->ws);
}
