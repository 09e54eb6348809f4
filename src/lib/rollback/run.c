/* run.c: a rollback: the (object, destination) pairs of the ledger in the
 * reverse of the load order, the rows still to undo of each read a few
 * dozen at a time and kept flowing into one multi handle at the
 * destination's rates, and their outcomes committed in batches (each
 * request is idempotent, so an outcome lost to a kill costs only its
 * request again: a DELETE answered 404, a read showing the values already
 * back). */
#include "util.h"

#include "ferry/attio.h"
#include "rollback_int.h"

void rb_progress(struct rb_run *run, struct ferry_rollback_object *obj,
                 bool force)
{
	int64_t now = ferry_clock_mono_us();

	if (!run->cfg->progress ||
	    (!force && now - run->last_progress_us < 50000 &&
	     obj->done < obj->total))
		return;
	run->last_progress_us = now;
	run->cfg->progress(obj, run->cfg->payload);
}

void rb_note(struct ferry_rollback_report *rep,
             const struct ferry_ledger_row *row, const char *what,
             const char *message)
{
	if (json_array_size(rep->notes) >= FERRY_RB_MAX_NOTES) {
		rep->notes_dropped++;
		return;
	}
	json_array_append_new(
	    rep->notes,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "object", row->object,
	              "source_id", row->source_id, "dest_object",
	              row->dest_object, "dest_id", row->dest_id, "what", what,
	              "message", message ? message : ""));
}

void rb_outcome(struct rb_run *run, const struct ferry_ledger_row *row,
                bool put_row, const char *event, const char *detail)
{
	struct rb_out *o;

	if (run->n_outs == run->cap_outs) {
		run->cap_outs = run->cap_outs ? run->cap_outs * 2 : 64;
		run->outs = ferry_xrealloc(run->outs,
		                           run->cap_outs * sizeof(*run->outs));
	}
	o = &run->outs[run->n_outs++];
	o->row = *row;
	o->put_row = put_row;
	o->event = event;
	o->detail = ferry_xstrdup(detail ? detail : "");
}

static void clear(struct rb_run *run)
{
	size_t i;

	for (i = 0; i < run->n_outs; i++)
		free(run->outs[i].detail);
	run->n_outs = 0;
}

int rb_flush(struct rb_run *run, bool force)
{
	int64_t now = ferry_clock_mono_us();
	size_t i;
	int error = 0;

	if (!run->n_outs)
		return 0;
	if (!force && run->n_outs < RB_FLUSH_ROWS &&
	    now - run->flushed_us < RB_FLUSH_US)
		return 0;
	if ((error = ferry_workspace_begin(run->ws)) < 0)
		return error;
	for (i = 0; i < run->n_outs && !error; i++) {
		struct rb_out *o = &run->outs[i];

		if (o->put_row)
			error = ferry_ledger_put(run->ws, &o->row);
		if (!error)
			error = ferry_audit_append(
			    run->ws, "rollback", o->row.object,
			    o->row.source_id, o->event, o->detail);
	}
	if (error < 0) {
		ferry_workspace_rollback(run->ws);
		return ferry_error_wrap(error,
		                        "recording the rollback in the ledger");
	}
	if ((error = ferry_workspace_commit(run->ws)) < 0)
		return error;
	clear(run);
	run->flushed_us = now;
	return 0;
}

/* Reads rows and starts them until `want` are added or the object has no
 * more. */
static int fill(struct rb_run *run, struct ferry_rollback_object *obj,
                char *after, size_t after_cap, bool *more, size_t want)
{
	struct ferry_ledger_row rows[RB_ROWS_PER_READ];
	size_t n = 0, i, added = 0;
	int error = 0;

	while (*more && added < want && !error && !run->stopping) {
		size_t max = want - added < RB_ROWS_PER_READ ? want - added
		                                             : RB_ROWS_PER_READ;

		if ((error = rb_rows_read(run, obj->object, obj->dest_object,
		                          after, rows, max, &n)) < 0)
			return error;
		if (n < max)
			*more = false;
		for (i = 0; i < n && !error; i++) {
			snprintf(after, after_cap, "%s", rows[i].source_id);
			error = rb_start(run, obj, &rows[i]);
			added++;
		}
	}
	return error;
}

static int object_pass(struct rb_run *run, struct ferry_rollback_object *obj)
{
	char after[64] = "";
	bool more = true;
	int target = 0, error = 0;
	size_t low;

	rb_progress(run, obj, true);
	while (!error) {
		if (run->cfg->stop && *run->cfg->stop)
			run->stopping = true;
		if (run->stopping || !more) {
			error = rb_drive(run, 0);
			break;
		}
		ferry_multi_in_flight(run->multi, &target);
		low = (size_t)(target > 4 ? 2 * target : 8);
		if ((error = fill(run, obj, after, sizeof(after), &more, low)) <
		        0 ||
		    (error = rb_drive(run, more ? low : 0)) < 0)
			break;
		if (run->fatal)
			break;
	}
	if (!error)
		error = rb_flush(run, true);
	rb_progress(run, obj, true);
	return error;
}

static int outcome(struct rb_run *run)
{
	if (run->fatal)
		return ferry_error_set(run->fatal,
		                       "%s. Nothing is lost: the rows not "
		                       "answered are as they were, and 'ferry "
		                       "rollback' again goes on from there",
		                       run->fatal_msg);
	if (run->stopping)
		return ferry_error_set(FERRY_EHALTED,
		                       "stopped on request once the requests "
		                       "in flight were answered; 'ferry "
		                       "rollback' again goes on from there");
	return 0;
}

/* Rows of an object the mapping does not name (or no mapping) whose
 * destination is one of Attio's lists are list entries: a DELETE of a
 * record there would answer 404 and look done. */
static int mark_lists(struct rb_run *run)
{
	struct ferry_rollback_report *r = run->rep;
	struct ferry_attio *a = NULL;
	json_t *lists = NULL, *l;
	size_t i, j;
	bool need = false;
	int error;

	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_mapfile_object *o =
		    run->m ? ferry_mapfile_object(run->m, r->objects[i].object)
		           : NULL;

		if (r->objects[i].kind == FERRY_RB_RECORD &&
		    r->objects[i].total && !(o && o->kind == FERRY_MF_RECORDS))
			need = true;
	}
	if (!need)
		return 0;
	if ((error = ferry_attio_new(&a, run->cfg->http)) < 0)
		return error;
	if ((error = ferry_attio_get_data(&lists, a, "/v2/lists")) < 0) {
		ferry_error_wrap(error, "reading Attio's lists (rollback needs "
		                        "to know which destinations are "
		                        "lists)");
		goto done;
	}
	for (i = 0; i < r->n_objects; i++)
		json_array_foreach(lists, j, l)
		{
			const char *slug =
			    json_string_value(json_object_get(l, "api_slug"));

			if (r->objects[i].kind == FERRY_RB_RECORD && slug &&
			    !strcmp(slug, r->objects[i].dest_object))
				r->objects[i].kind = FERRY_RB_ENTRY;
		}
done:
	json_decref(lists);
	ferry_attio_free(a);
	return error;
}

int ferry_rollback_run(struct ferry_workspace *ws,
                       const struct ferry_mapfile *m,
                       const struct ferry_rollback_config *cfg,
                       struct ferry_rollback_report *report)
{
	struct ferry_multi_opts mo;
	struct rb_run run;
	size_t i;
	int error;

	memset(&run, 0, sizeof(run));
	memset(report, 0, sizeof(*report));
	if (!ws || !cfg || !cfg->http)
		return ferry_error_set(FERRY_EINVALID,
		                       "rollback needs a workspace and a "
		                       "destination");
	run.ws = ws;
	run.m = m;
	run.cfg = cfg;
	run.rep = report;
	if ((error = ferry_rollback_survey(report, ws, m, cfg->only)) < 0 ||
	    (error = rb_dest_init(&run)) < 0 || (error = mark_lists(&run)) < 0)
		goto done;
	memset(&mo, 0, sizeof(mo));
	mo.http = cfg->http;
	mo.max_in_flight = cfg->max_in_flight;
	if ((error = ferry_multi_new(&run.multi, &mo)) < 0)
		goto done;
	for (i = 0; i < report->n_objects && !run.stopping; i++) {
		if (!report->objects[i].total)
			continue;
		if ((error = object_pass(&run, &report->objects[i])) < 0)
			goto done;
	}
	error = outcome(&run);
done:
	if (error < 0 && error != FERRY_EDB)
		rb_flush(&run, true); /* what was answered is kept */
	if (run.multi)
		report->http = *ferry_multi_stats(run.multi);
	rb_free_live(&run);
	ferry_multi_free(run.multi);
	clear(&run);
	free(run.outs);
	return error;
}
