/* ledger_batch.c: the ledger in batches. A pending row must be committed
 * before its request is handed to the multi handle (a kill after the send
 * must find it), but one transaction per record would cost a disk sync
 * per write: rows wait here and go in one transaction, pending rows right
 * before their requests are added, outcomes every few dozen answers or
 * half a second; the values of a record before ferry's first PATCH are
 * committed (with its pending row naming it) before that PATCH is handed
 * over. An outcome not yet committed when the process dies
 * leaves its pending row, and the next run writes that record again,
 * which an assert (or a find before a create) makes harmless. */
#include "util.h"

#include "load_int.h"

void ld_row_init(struct ferry_ledger_row *row, const struct ld_obj *obj,
                 const char *source_id, const char *dest)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->object, sizeof(row->object), "%s", obj->name);
	snprintf(row->source_id, sizeof(row->source_id), "%s", source_id);
	snprintf(row->dest_object, sizeof(row->dest_object), "%s",
	         dest ? dest : "");
}

void ld_pending(struct ld_run *run, const struct ferry_ledger_row *row)
{
	if (run->n_pend == run->cap_pend) {
		run->cap_pend = run->cap_pend ? run->cap_pend * 2 : 64;
		run->pend = ferry_xrealloc(run->pend,
		                           run->cap_pend * sizeof(*run->pend));
	}
	run->pend[run->n_pend++] = *row;
}

void ld_outcome(struct ld_run *run, const struct ferry_ledger_row *row,
                const struct ferry_ledger_row *old, const char *event,
                json_t *hold)
{
	struct ld_out *o;
	bool changed = !old || old->status != row->status ||
	               strcmp(old->reason, row->reason) ||
	               strcmp(old->dest_id, row->dest_id) ||
	               strcmp(old->payload_hash, row->payload_hash);

	if (run->n_outs == run->cap_outs) {
		run->cap_outs = run->cap_outs ? run->cap_outs * 2 : 64;
		run->outs = ferry_xrealloc(run->outs,
		                           run->cap_outs * sizeof(*run->outs));
	}
	o = &run->outs[run->n_outs++];
	o->row = *row;
	/* A decision the ledger had already is not a new event: a re-run
	 * that decides the same again adds nothing to the log. */
	o->event = changed ? event : NULL;
	o->hold = hold;
}

static int put_all(struct ld_run *run)
{
	size_t i;
	int error = 0;

	for (i = 0; i < run->n_outs && !error; i++) {
		struct ld_out *o = &run->outs[i];

		error = ferry_ledger_put(run->ws, &o->row);
		if (!error && o->event)
			error = ferry_audit_append(
			    run->ws, "load", o->row.object, o->row.source_id,
			    o->event, o->row.reason);
		if (!error && o->hold) {
			error = ferry_plan_hold(run->ws, o->row.object,
			                        o->row.source_id, o->hold);
			if (error == FERRY_ENOTFOUND)
				error = 0; /* re-planned away meanwhile */
		}
	}
	for (i = 0; i < run->n_pend && !error; i++)
		error = ferry_ledger_put(run->ws, &run->pend[i]);
	if (!error)
		error = ld_prior_put_all(run);
	return error;
}

static void clear(struct ld_run *run)
{
	size_t i;

	for (i = 0; i < run->n_outs; i++)
		json_decref(run->outs[i].hold);
	run->n_outs = 0;
	run->n_pend = 0;
}

int ld_flush(struct ld_run *run, bool force)
{
	int64_t now = ferry_clock_mono_us();
	int error;

	if (!run->n_outs && !run->n_pend && !run->prior_wait)
		return 0;
	/* Pending rows and values before hold requests back: at once. */
	if (!force && !run->n_pend && !run->prior_wait &&
	    run->n_outs < LD_FLUSH_ROWS && now - run->flushed_us < LD_FLUSH_US)
		return 0;
	if ((error = ferry_workspace_begin(run->ws)) < 0)
		return error;
	if ((error = put_all(run)) < 0) {
		ferry_workspace_rollback(run->ws);
		return ferry_error_wrap(error,
		                        "recording the load in the ledger");
	}
	if ((error = ferry_workspace_commit(run->ws)) < 0)
		return error;
	clear(run);
	run->flushed_us = now;
	/* Their values before are kept: the PATCHes may go. */
	return ld_prior_send_all(run);
}

void ld_batch_free(struct ld_run *run)
{
	clear(run);
	free(run->outs);
	free(run->pend);
	run->outs = NULL;
	run->pend = NULL;
	run->cap_outs = run->cap_pend = 0;
}
