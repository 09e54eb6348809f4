/* send.c: the records in flight on the multi handle: driving it, and what
 * each finished request means for its record. An answer is Attio's word
 * on the record (written, or refused: failed in the ledger and held in the
 * plan with Attio's message, counted in the error window). No answer at
 * all, a 5xx or 429 after every retry, or a refused token is the
 * destination failing, not the record: the run ends and the records in
 * flight stay pending for the next one. */
#include "util.h"

#include <stdarg.h>

#include "load_int.h"

void ld_fatal(struct ld_run *run, int error, const char *fmt, ...)
{
	va_list ap;

	run->stopping = true;
	if (run->fatal)
		return;
	run->fatal = error;
	va_start(ap, fmt);
	vsnprintf(run->fatal_msg, sizeof(run->fatal_msg), fmt, ap);
	va_end(ap);
}

static void unlink_rec(struct ld_run *run, struct ld_rec *rec)
{
	if (rec->prev)
		rec->prev->next = rec->next;
	else if (run->live == rec)
		run->live = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	rec->prev = rec->next = NULL;
}

static void end_rec(struct ld_run *run, struct ld_rec *rec)
{
	if (!rec->pass2) {
		rec->obj->done++;
		ld_progress(run, rec->obj, false);
	}
	unlink_rec(run, rec);
	ld_rec_free(rec);
}

static int flushed(struct ld_run *run)
{
	int error = ld_flush(run, false);

	if (error < 0 && !run->db_error)
		run->db_error = error;
	return error;
}

int ld_written(struct ld_run *run, struct ld_rec *rec, long http_status)
{
	struct ferry_ledger_row row;

	ld_row_init(&row, rec->obj, rec->source_id, rec->dest);
	row.status = FERRY_LEDGER_WRITTEN;
	snprintf(row.dest_id, sizeof(row.dest_id), "%s", rec->dest_id);
	snprintf(row.payload_hash, sizeof(row.payload_hash), "%s", rec->hash);
	row.attempts = (rec->had_old ? rec->old.attempts : 0) + 1;
	row.http_status = (int)http_status;
	if (rec->pass2 && rec->old.reason[0] && rec->note.len)
		snprintf(row.reason, sizeof(row.reason), "%s; %s",
		         rec->old.reason, rec->note.ptr);
	else if (rec->pass2)
		snprintf(row.reason, sizeof(row.reason), "%s",
		         rec->old.reason[0] ? rec->old.reason : rec->note.ptr);
	else
		snprintf(row.reason, sizeof(row.reason), "%s", rec->note.ptr);
	ld_outcome(run, &row, rec->had_old ? &rec->old : NULL, "written", NULL);
	if (rec->pass2)
		rec->obj->st->deferred++;
	else
		rec->obj->st->written++;
	rec->obj->st->dropped += rec->dropped;
	ld_halt_push(&run->halt, false, NULL, run->halt_rate);
	end_rec(run, rec);
	return flushed(run);
}

/* What releases a record Attio refused, by Attio's code. */
static const char *release_of(const char *code)
{
	if (!strcmp(code, "value_not_found"))
		return "add what Attio's message names (a select option, a "
		       "member, a record) in Attio or correct the value "
		       "(mapping.yaml, or `ferry queue edit`), then run `ferry "
		       "queue retry` and `ferry run`";
	if (!strcmp(code, "uniqueness_conflict"))
		return "another Attio record holds this unique value: merge "
		       "or correct one of them (in Attio, or `ferry queue "
		       "edit`), then run `ferry queue retry` and `ferry run`";
	if (!strcmp(code, "not_found"))
		return "the record Attio was asked to update is gone: run "
		       "`ferry plan` to match it again, then `ferry run`";
	return "fix what Attio's message names (in Attio, mapping.yaml, or "
	       "the record with `ferry queue edit`), then run `ferry queue "
	       "retry` and `ferry run`";
}

/* The Salesforce field of the attribute Attio's message names, if any. */
static const char *field_of(const struct ld_rec *rec, const char *message)
{
	const struct ferry_mapfile_object *o = rec->obj->o;
	size_t i;

	for (i = 0; o && i < o->n_fields; i++) {
		const char *to = o->fields[i].to;
		char quoted[80];

		if (!to)
			continue;
		snprintf(quoted, sizeof(quoted), "\"%s\"", to);
		if (strstr(message, quoted))
			return o->fields[i].name;
	}
	return "";
}

int ld_refused(struct ld_run *run, struct ld_rec *rec,
               const struct ferry_attio_result *res)
{
	struct ferry_ledger_row row;
	char code[80];
	json_t *hold;

	ld_row_init(&row, rec->obj, rec->source_id, rec->dest);
	row.status = FERRY_LEDGER_FAILED;
	snprintf(row.dest_id, sizeof(row.dest_id), "%s",
	         rec->dest_id[0] ? rec->dest_id
	                         : (rec->had_old ? rec->old.dest_id : ""));
	snprintf(row.payload_hash, sizeof(row.payload_hash), "%s", rec->hash);
	row.attempts = (rec->had_old ? rec->old.attempts : 0) + 1;
	row.http_status = (int)res->http_status;
	snprintf(row.reason, sizeof(row.reason), "Attio answered %ld%s%s: %s",
	         res->http_status, res->code[0] ? " " : "", res->code,
	         res->message[0] ? res->message : "no message");
	snprintf(code, sizeof(code), "attio_%s",
	         res->code[0] ? res->code : "refused");
	hold = json_pack("{s:s, s:s, s:s, s:s}", "field",
	                 field_of(rec, res->message), "code", code, "message",
	                 res->message[0] ? res->message : row.reason, "release",
	                 release_of(res->code));
	ld_outcome(run, &row, rec->had_old ? &rec->old : NULL, "failed", hold);
	rec->obj->st->failed++;
	if (ld_halt_push(&run->halt, true, row.reason, run->halt_rate) &&
	    !run->halted) {
		run->halted = true;
		run->stopping = true;
		run->rep->halted = true;
		run->rep->window_failed = run->halt.fails;
		run->rep->window_size = run->halt.n;
		ld_halt_top(&run->halt, run->rep->top_message,
		            sizeof(run->rep->top_message),
		            &run->rep->top_count);
	}
	end_rec(run, rec);
	return flushed(run);
}

int ld_on_done(const struct ferry_multi_done *d, void *payload)
{
	struct ld_run *run = payload;
	struct ld_rec *rec = d->tag;
	struct ferry_attio_result res;
	long st = d->resp ? d->resp->status : 0;
	int rc;

	if (d->error < 0 || !d->resp) {
		/* No answer after every retry: the record stays pending. */
		ld_fatal(run, d->error < 0 ? d->error : FERRY_ECONN,
		         "writing %s %s: %s", rec->obj->name, rec->source_id,
		         d->message ? d->message : "no answer");
		unlink_rec(run, rec);
		ld_rec_free(rec);
		return 0;
	}
	if (st == 429 || st >= 500 || st == 401 || st == 403) {
		ferry_attio_parse_written(&res, st, d->resp->body.ptr,
		                          d->resp->body.len, "record_id");
		ld_fatal(run,
		         st == 429   ? FERRY_ERATELIMIT
		         : st >= 500 ? FERRY_EHTTP
		                     : FERRY_EAUTH,
		         "writing %s %s: Attio answered HTTP %ld%s%s after %d "
		         "attempt%s: %s",
		         rec->obj->name, rec->source_id, st,
		         res.code[0] ? " " : "", res.code, d->attempts,
		         d->attempts == 1 ? "" : "s", res.message);
		unlink_rec(run, rec);
		ld_rec_free(rec);
		return 0;
	}
	rc = ld_answer(run, rec, d->resp);
	if (run->db_error)
		return run->db_error;
	if (rc < 0) {
		/* The next request could not be built: the record fails,
		 * the run goes on. */
		char why[1024];

		snprintf(why, sizeof(why), "%s", ferry_error_last());
		unlink_rec(run, rec);
		rc = ld_failed_here(run, rec, why);
		ld_rec_free(rec);
		if (rc < 0)
			return run->db_error = rc;
	}
	return 0;
}

int ld_drive(struct ld_run *run, size_t low)
{
	int rc, error;

	while (ferry_multi_pending(run->multi) > low && !run->fatal) {
		rc = ferry_multi_run(run->multi, 100, ld_on_done, run);
		if (run->db_error)
			return run->db_error;
		if (rc < 0)
			return rc;
		if ((error = ld_flush(run, false)) < 0)
			return error;
		if (run->cfg->stop && *run->cfg->stop)
			run->stopping = true;
	}
	return 0;
}
