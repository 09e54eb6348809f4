/* sync.c: ferry_sync_run, the order of a sync: which objects (the
 * mapping's, in load order, with their case comments and User), each
 * object's changes read into the staging (read.c), the records read and
 * deleted planned again (ferry_plan_records; a whole plan when the plan
 * was already out of date), the deleted ones settled at the destination
 * (gone.c), the loader, the tally (tally.c), and last the watermarks:
 * moved forward only when all of that is done, so a sync stopped at any
 * point reads the same changes again next time. */
#include "util.h"

#include "ferry/plan.h"
#include "sync_int.h"

#define LINKS "ContentDocumentLink"

void ferry_sync_report_release(struct ferry_sync_report *r)
{
	if (!r)
		return;
	free(r->objects);
	json_decref(r->left);
	ferry_load_report_release(&r->load);
	memset(r, 0, sizeof(*r));
}

static int on_staged(const struct ferry_staged_object *o, void *payload)
{
	json_object_set_new(payload, o->object, json_true());
	return 0;
}

/* Whether extract read the object with its deleted records (queryAll). */
static bool with_deleted(struct ferry_workspace *ws, const char *object)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	json_t *doc = NULL;
	bool all = false;

	if (ferry_facts_get(ws, "salesforce/extract", &text) == 0 &&
	    (doc = json_loadb(text.ptr, text.len, 0, NULL)))
		all = json_is_true(json_object_get(
		    json_object_get(json_object_get(doc, "objects"), object),
		    "all"));
	ferry_error_clear();
	json_decref(doc);
	ferry_buf_release(&text);
	return all;
}

static const char *dest_of(const struct ferry_mapfile_object *o, bool comments)
{
	if (comments)
		return "notes";
	if (!o || o->kind == FERRY_MF_NOWHERE)
		return "";
	if (o->kind == FERRY_MF_LIST_ENTRIES)
		return o->list ? o->list : "";
	if (o->kind == FERRY_MF_LINKS)
		return "links";
	return o->to ? o->to : "";
}

static int add_obj(struct sy_run *run, const char *name,
                   const struct ferry_mapfile_object *o, bool comments)
{
	struct ferry_sync_report *rep = run->rep;
	struct ferry_sync_object *st;
	struct sy_obj *obj;
	size_t i;
	int error;

	for (i = 0; i < run->n_objs; i++)
		if (!strcmp(run->objs[i].st->object, name))
			return 0;
	rep->objects = ferry_xrealloc(rep->objects, (rep->n_objects + 1) *
	                                                sizeof(*rep->objects));
	run->objs =
	    ferry_xrealloc(run->objs, (run->n_objs + 1) * sizeof(*run->objs));
	/* The report's array moved: point the run's entries at it again. */
	for (i = 0; i < run->n_objs; i++)
		run->objs[i].st = &rep->objects[i];
	st = &rep->objects[rep->n_objects++];
	obj = &run->objs[run->n_objs++];
	memset(st, 0, sizeof(*st));
	memset(obj, 0, sizeof(*obj));
	obj->st = st;
	obj->o = o;
	snprintf(st->object, sizeof(st->object), "%s", name);
	snprintf(st->dest_object, sizeof(st->dest_object), "%s",
	         dest_of(o, comments));
	if (!strcmp(name, LINKS)) {
		snprintf(st->skipped, sizeof(st->skipped),
		         "Salesforce serves %s only by the ids of its "
		         "parents: 'ferry extract' refreshes it",
		         LINKS);
		return 0;
	}
	error = ferry_sf_watermark_get(run->ws, name, &obj->wm);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		snprintf(st->skipped, sizeof(st->skipped),
		         "no watermark: staged from a Data Export folder, or "
		         "by a ferry that kept none ('ferry extract' from the "
		         "org sets one)");
		return 0;
	}
	if (error < 0)
		return error;
	st->since = st->until = obj->wm.at;
	obj->keep_deleted = with_deleted(run->ws, name);
	return 0;
}

static bool synced(const struct sy_obj *obj)
{
	return !obj->st->skipped[0];
}

/* The objects to sync: the mapping's in load order, the case comments
 * it writes as notes, and User (owners are resolved through it); or the
 * one asked for. */
static int build(struct sy_run *run)
{
	const struct ferry_mapfile *m = run->m;
	json_t *staged = json_object();
	const char *only = run->cfg->only;
	size_t i, n = 0;
	int error;

	if ((error = ferry_stage_foreach_object(run->ws, on_staged, staged)) <
	    0)
		goto done;
	if (only) {
		const struct ferry_mapfile_object *o =
		    ferry_mapfile_object(m, only);

		if (!json_object_get(staged, only)) {
			error =
			    ferry_error_set(FERRY_ENOTFOUND,
			                    "%s is not staged in this "
			                    "workspace: 'ferry status' lists "
			                    "the objects",
			                    only);
			goto done;
		}
		error = add_obj(run, only, o, false);
		if (error == 0 && run->objs[0].st->skipped[0])
			error = ferry_error_set(FERRY_ECONFIG, "%s: %s", only,
			                        run->objs[0].st->skipped);
		goto done;
	}
	for (i = 0; i < m->n_order && !error; i++)
		if (json_object_get(staged, m->order[i]->name))
			error =
			    add_obj(run, m->order[i]->name, m->order[i], false);
	for (i = 0; i < m->n_objects && !error; i++)
		if (m->objects[i].comments &&
		    m->objects[i].kind != FERRY_MF_NOWHERE &&
		    json_object_get(staged, m->objects[i].comments))
			error =
			    add_obj(run, m->objects[i].comments, NULL, true);
	if (!error && json_object_get(staged, "User"))
		error = add_obj(run, "User", ferry_mapfile_object(m, "User"),
		                false);
	for (i = 0; i < run->n_objs; i++)
		n += synced(&run->objs[i]);
	if (!error && n == 0)
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "no object of this workspace can sync: none has a "
		    "watermark, as a workspace staged from a Salesforce Data "
		    "Export folder has none. Sync reads the org through its "
		    "API: set source.type: salesforce (and its login) in "
		    "ferry.yaml, run 'ferry extract', 'ferry plan' and "
		    "'ferry run', then 'ferry sync'");
done:
	json_decref(staged);
	return error;
}

/* Whether the stored plan is the one a whole plan of today's
 * mapping.yaml and staging would make. */
static int plan_current(struct sy_run *run, bool *out)
{
	struct ferry_buf stored = FERRY_BUF_INIT;
	char fp[65];
	int error;

	*out = false;
	if ((error = ferry_plan_fingerprint(run->ws, run->m->path, fp)) < 0)
		return error;
	error = ferry_workspace_meta_get(run->ws, FERRY_PLAN_FINGERPRINT_KEY,
	                                 &stored);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		error = 0;
	} else if (error == 0) {
		*out = !strcmp(stored.ptr, fp);
	}
	ferry_buf_release(&stored);
	return error;
}

/* The records read and deleted, planned again: what they reach too, or
 * everything when the plan was out of date already. A re-plan of a few
 * records ends as a whole plan would, so the plan stays current. */
static int replan(struct sy_run *run, bool current)
{
	struct ferry_plan_stats stats;
	struct ferry_plan_opts o;
	struct ferry_plan_ref *refs;
	size_t n = json_array_size(run->refs), i;
	char fp[65];
	int error;

	memset(&stats, 0, sizeof(stats));
	memset(&o, 0, sizeof(o));
	o.schema = run->cfg->schema;
	o.dest = run->cfg->dest;
	o.stop = run->cfg->stop;
	if (!current) {
		run->rep->whole_plan = true;
		error = ferry_plan_run(run->ws, run->m, &o, &stats);
		run->rep->replanned = stats.staged;
		goto done;
	}
	refs = ferry_xcalloc(n ? n : 1, sizeof(*refs));
	for (i = 0; i < n; i++) {
		const json_t *r = json_array_get(run->refs, i);

		refs[i].object = json_string_value(json_array_get(r, 0));
		refs[i].source_id = json_string_value(json_array_get(r, 1));
	}
	error = ferry_plan_records(run->ws, run->m, &o, refs, n, &stats);
	free(refs);
	run->rep->replanned = stats.replanned;
	if (error == 0 &&
	    (error = ferry_plan_fingerprint(run->ws, run->m->path, fp)) == 0)
		error = ferry_workspace_meta_set(
		    run->ws, FERRY_PLAN_FINGERPRINT_KEY, fp);
done:
	if (error < 0)
		ferry_error_wrap(error, "planning again what changed");
	ferry_plan_stats_release(&stats);
	return error;
}

static int load(struct sy_run *run)
{
	const struct ferry_sync_config *cfg = run->cfg;
	struct ferry_load_config lc;
	int error;

	memset(&lc, 0, sizeof(lc));
	lc.http = cfg->http;
	lc.schema = cfg->schema;
	lc.halt_error_rate = cfg->halt_error_rate;
	lc.progress = cfg->load_progress;
	lc.payload = cfg->payload;
	lc.stop = cfg->stop;
	run->rep->loaded = true;
	error = ferry_load_plan(run->ws, run->m, &lc, &run->rep->load);
	if (error < 0)
		ferry_error_wrap(error, "writing what changed (the watermarks "
		                        "stay: 'ferry sync' again reads the "
		                        "same changes and writes only what is "
		                        "not written yet)");
	return error;
}

/* Each object synced now stands where Salesforce vouched for. */
static int advance(struct sy_run *run)
{
	size_t i;
	int error;

	for (i = 0; i < run->n_objs; i++) {
		struct sy_obj *obj = &run->objs[i];
		int64_t to = obj->delta.covered;

		if (!synced(obj))
			continue;
		if (to < obj->wm.at)
			to = obj->wm.at;
		if ((error = ferry_sf_watermark_set(run->ws, obj->st->object,
		                                    to, "sync")) < 0)
			return error;
		obj->st->until = to;
	}
	run->rep->advanced = true;
	return 0;
}

static int go(struct sy_run *run)
{
	struct ferry_sync_report *rep = run->rep;
	bool current = false, refused = false;
	size_t i;
	int error;

	if ((error = build(run)) < 0 ||
	    (error = plan_current(run, &current)) < 0)
		return error;
	for (i = 0; i < run->n_objs; i++) {
		if (!synced(&run->objs[i]))
			continue;
		error = sy_read_object(run, &run->objs[i]);
		rep->sf_calls += run->objs[i].st->calls;
		if (error < 0)
			return error;
	}
	if (run->cfg->dry_run)
		return sy_settle_gone(run, &refused);
	if (json_array_size(run->refs) > 0 &&
	    ((error = replan(run, current)) < 0 ||
	     (error = sy_settle_gone(run, &refused)) < 0 ||
	     (error = sy_snapshot(run)) < 0 || (error = load(run)) < 0 ||
	     (error = sy_tally(run)) < 0))
		return error;
	return refused ? 0 : advance(run);
}

int ferry_sync_run(struct ferry_sf *sf, struct ferry_workspace *ws,
                   const struct ferry_mapfile *m,
                   const struct ferry_sync_config *cfg,
                   struct ferry_sync_report *out)
{
	struct sy_run run;
	int64_t t0 = ferry_clock_mono_us();
	int error;

	memset(out, 0, sizeof(*out));
	memset(&run, 0, sizeof(run));
	out->dry_run = cfg->dry_run;
	out->left = json_array();
	run.sf = sf;
	run.ws = ws;
	run.m = m;
	run.cfg = cfg;
	run.rep = out;
	run.refs = json_array();
	run.seen = json_object();
	run.reread = json_object();
	run.gone = json_array();
	run.before = json_object();
	error = go(&run);
	out->seconds = (double)(ferry_clock_mono_us() - t0) / 1e6;
	free(run.objs);
	json_decref(run.refs);
	json_decref(run.seen);
	json_decref(run.reread);
	json_decref(run.gone);
	json_decref(run.before);
	return error;
}
