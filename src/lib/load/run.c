/* run.c: the load of a plan: the objects in the mapping's load order
 * (parents first, then notes, tasks, list entries and links; objects the
 * mapping does not name last), each read from the plan a few dozen rows
 * at a time, its records sent concurrently through one multi handle, and
 * the multi handle kept just full enough; then the merged records (every
 * survivor now has its id) and the second pass (references deferred to
 * records of the same object). */
#include "util.h"

#include "load_int.h"
#include "store/store.h"

void ferry_load_report_release(struct ferry_load_report *r)
{
	if (!r)
		return;
	free(r->objects);
	memset(r, 0, sizeof(*r));
}

void ld_progress(struct ld_run *run, struct ld_obj *obj, bool force)
{
	struct ferry_load_progress p;
	int64_t now = ferry_clock_mono_us();

	if (!run->cfg->progress ||
	    (!force && now - run->last_progress_us < 50000 &&
	     obj->done < obj->st->to_write))
		return;
	run->last_progress_us = now;
	p.object = obj->name;
	p.dest_object = obj->st->dest_object;
	p.done = obj->done;
	p.total = obj->st->to_write;
	p.started_us = obj->started_us;
	run->cfg->progress(&p, run->cfg->payload);
}

static bool has_deferred(const struct ferry_mapfile_object *o)
{
	size_t i;

	for (i = 0; o && i < o->n_fields; i++)
		if (o->fields[i].type == FERRY_MF_REFERENCE &&
		    o->fields[i].deferred)
			return true;
	return false;
}

static void add_obj(struct ld_run *run, const struct ferry_plan_count *c,
                    const struct ferry_mapfile_object *o)
{
	struct ferry_load_object *st = &run->rep->objects[run->n_objs];
	struct ld_obj *obj = &run->objs[run->n_objs++];

	memset(st, 0, sizeof(*st));
	snprintf(st->object, sizeof(st->object), "%s", c->object);
	snprintf(st->dest_object, sizeof(st->dest_object), "%s",
	         c->dest_object);
	st->staged = c->staged;
	st->to_write = c->by_decision[FERRY_PLAN_WRITE];
	st->merged = c->by_decision[FERRY_PLAN_MERGED];
	st->held = c->by_decision[FERRY_PLAN_HELD];
	st->skipped = c->by_decision[FERRY_PLAN_SKIPPED];
	obj->name = st->object;
	obj->o = o;
	obj->st = st;
	obj->has_deferred = has_deferred(o);
}

/* The planned objects: the mapping's load order first, then the rest
 * (case comments, objects not migrated) by name. */
static int objects(struct ld_run *run)
{
	struct ferry_plan_count *c = NULL;
	size_t n = 0, i, k;
	int64_t decided = 0;
	bool *taken = NULL;
	int error, d;

	if ((error = ferry_plan_counts(&c, &n, run->ws)) < 0)
		return error;
	for (i = 0; i < n; i++)
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			decided += c[i].by_decision[d];
	if (!decided) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "nothing is planned: run 'ferry plan' "
		                        "first");
		goto done;
	}
	run->rep->objects = ferry_xcalloc(n, sizeof(*run->rep->objects));
	run->objs = ferry_xcalloc(n, sizeof(*run->objs));
	taken = ferry_xcalloc(n, sizeof(*taken));
	for (k = 0; k < run->m->n_order; k++) {
		const struct ferry_mapfile_object *o = run->m->order[k];

		for (i = 0; i < n; i++)
			if (!taken[i] && !strcmp(c[i].object, o->name)) {
				taken[i] = true;
				add_obj(run, &c[i], o);
			}
	}
	for (i = 0; i < n; i++)
		if (!taken[i])
			add_obj(run, &c[i],
			        ferry_mapfile_object(run->m, c[i].object));
	run->rep->n_objects = run->n_objs;
done:
	free(taken);
	free(c);
	return error;
}

/* Reads rows and prepares them until `want` requests are added or the
 * object has no more; the pending rows are committed before any request
 * goes out. */
static int fill(struct ld_run *run, struct ld_obj *obj, bool pass2,
                int64_t *after, bool *more, size_t want)
{
	struct ld_row rows[LD_ROWS_PER_READ];
	struct ld_rec *batch[LD_ROWS_PER_READ];
	size_t n = 0, i, nb = 0, added = 0;
	int error = 0;

	while (*more && added < want && !error) {
		/* No more rows than requests wanted: a record prepared is
		 * a record sent, and a halt or a stop finds few queued. */
		size_t max = want - added < LD_ROWS_PER_READ ? want - added
		                                             : LD_ROWS_PER_READ;

		if ((error = ld_rows_read(run, obj->name, *after,
		                          pass2 ? FERRY_PLAN_WRITE : -1, rows,
		                          max, &n)) < 0)
			return error;
		if (n < max)
			*more = false;
		nb = 0;
		for (i = 0; i < n; i++) {
			*after = rows[i].rowid;
			if (!error)
				error = ld_prepare(run, obj, &rows[i], pass2,
				                   &batch[nb]);
			if (!error && batch[nb])
				nb++;
			ld_row_release(&rows[i]);
		}
		if (!error)
			error = ld_flush(run, true);
		for (i = 0; i < nb; i++) {
			if (!error) {
				error = ld_first(run, batch[i]);
				added++;
			} else {
				ld_rec_free(batch[i]);
			}
		}
	}
	return error;
}

static int pass(struct ld_run *run, struct ld_obj *obj, bool pass2)
{
	int64_t after = 0;
	bool more = true;
	int target = 0, error = 0;
	size_t low;

	obj->started_us = ferry_clock_mono_us();
	ld_progress(run, obj, true);
	while (!error) {
		if (run->cfg->stop && *run->cfg->stop)
			run->stopping = true;
		if (run->stopping || !more) {
			error = ld_drive(run, 0);
			break;
		}
		ferry_multi_in_flight(run->multi, &target);
		low = (size_t)(target > 4 ? 2 * target : 8);
		if ((error = fill(run, obj, pass2, &after, &more, low)) < 0 ||
		    (error = ld_drive(run, more ? low : 0)) < 0)
			break;
		if (run->fatal)
			break;
	}
	if (!error)
		error = ld_flush(run, true);
	ld_progress(run, obj, true);
	return error;
}

/* Merged records take their survivor's id, now that it is written. */
static int merged(struct ld_run *run, struct ld_obj *obj)
{
	struct ld_row rows[LD_ROWS_PER_READ];
	struct ferry_ledger_row old, now, surv;
	int64_t after = 0;
	size_t n = LD_ROWS_PER_READ, i;
	int error = 0;

	while (n == LD_ROWS_PER_READ && !error) {
		if ((error =
		         ld_rows_read(run, obj->name, after, FERRY_PLAN_MERGED,
		                      rows, LD_ROWS_PER_READ, &n)) < 0)
			return error;
		for (i = 0; i < n; i++) {
			struct ld_row *r = &rows[i];
			bool had = ferry_ledger_get(&old, run->ws, obj->name,
			                            r->source_id) == 0;

			after = r->rowid;
			ld_row_init(&now, obj, r->source_id, r->dest);
			now.status = FERRY_LEDGER_MERGED;
			if (ferry_ledger_get(&surv, run->ws, r->survivor_object,
			                     r->survivor_id) == 0 &&
			    (surv.status == FERRY_LEDGER_WRITTEN ||
			     surv.status == FERRY_LEDGER_MERGED))
				snprintf(now.dest_id, sizeof(now.dest_id), "%s",
				         surv.dest_id);
			ld_reason_text(now.reason, sizeof(now.reason),
			               r->reasons, "");
			if (!now.dest_id[0]) {
				size_t len = strlen(now.reason);

				snprintf(now.reason + len,
				         sizeof(now.reason) - len,
				         " (which is not written)");
			}
			if (!had || old.status != now.status ||
			    strcmp(old.reason, now.reason) ||
			    strcmp(old.dest_id, now.dest_id))
				ld_outcome(run, &now, had ? &old : NULL,
				           "merged", NULL);
			ld_row_release(r);
		}
		error = ld_flush(run, true);
	}
	return error;
}

static void free_live(struct ld_run *run)
{
	struct ld_rec *rec, *next;

	for (rec = run->live; rec; rec = next) {
		next = rec->next;
		ld_rec_free(rec);
	}
	run->live = NULL;
	run->prior_wait = NULL; /* records of the live list */
}

static int outcome(struct ld_run *run)
{
	struct ferry_load_report *r = run->rep;

	if (run->fatal)
		return ferry_error_set(run->fatal,
		                       "%s. Nothing is lost: the records in "
		                       "flight are pending in the ledger and "
		                       "the next 'ferry run' sends them again",
		                       run->fatal_msg);
	if (run->halted)
		return ferry_error_set(
		    FERRY_EHALTED,
		    "halted: Attio refused %" PRId64 " of the last %" PRId64
		    " records (over %.0f%%, destination.halt_error_rate in "
		    "ferry.yaml); the most common refusal (%" PRId64
		    " times): %s. The refused records are in the conflict "
		    "queue ('ferry queue list') and the ledger keeps the "
		    "rest: fix the cause, then 'ferry queue retry' and 'ferry "
		    "run'",
		    r->window_failed, r->window_size, run->halt_rate * 100.0,
		    r->top_count, r->top_message);
	if (run->stopping)
		return ferry_error_set(FERRY_EHALTED,
		                       "stopped on request once the writes in "
		                       "flight were answered; the ledger is "
		                       "consistent: run 'ferry run' again to "
		                       "resume");
	return 0;
}

int ferry_load_plan(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                    const struct ferry_load_config *cfg,
                    struct ferry_load_report *report)
{
	struct ferry_multi_opts mo;
	struct ld_run run;
	size_t i;
	int error;

	memset(report, 0, sizeof(*report));
	memset(&run, 0, sizeof(run));
	if (!ws || !m || !cfg || !cfg->http)
		return ferry_error_set(FERRY_EINVALID,
		                       "the load needs a workspace, a mapping "
		                       "and a destination");
	run.ws = ws;
	run.m = m;
	run.cfg = cfg;
	run.rep = report;
	run.halt_rate =
	    cfg->halt_error_rate > 0 ? cfg->halt_error_rate : LD_HALT_RATE;
	ld_halt_init(&run.halt, cfg->halt_window);
	if ((error = objects(&run)) < 0 || (error = ld_attrs_init(&run)) < 0)
		goto done;
	memset(&mo, 0, sizeof(mo));
	mo.http = cfg->http;
	mo.max_in_flight = cfg->max_in_flight;
	if ((error = ferry_multi_new(&run.multi, &mo)) < 0)
		goto done;
	for (i = 0; i < run.n_objs && !run.stopping; i++)
		if ((error = pass(&run, &run.objs[i], false)) < 0)
			goto done;
	/* Bookkeeping that needs no destination, whatever stopped the run. */
	for (i = 0; i < run.n_objs; i++)
		if (run.objs[i].st->merged &&
		    (error = merged(&run, &run.objs[i])) < 0)
			goto done;
	for (i = 0; i < run.n_objs && !run.stopping; i++)
		if (run.objs[i].has_deferred &&
		    (error = pass(&run, &run.objs[i], true)) < 0)
			goto done;
	error = outcome(&run);
done:
	if (error < 0 && error != run.fatal && error != FERRY_EHALTED)
		ld_flush(&run, true); /* what was answered is kept */
	if (run.multi)
		report->http = *ferry_multi_stats(run.multi);
	free_live(&run);
	ferry_multi_free(run.multi);
	ld_batch_free(&run);
	ld_halt_free(&run.halt);
	json_decref(run.attrs);
	json_decref(run.comments_indexed);
	if (run.comments_indexed)
		ferry_store__exec(ws, "DROP TABLE IF EXISTS temp.ld_comments");
	free(run.objs);
	return error;
}
