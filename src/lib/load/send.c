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
	size_t n;

	run->stopping = true;
	if (run->fatal)
		return;
	run->fatal = error;
	va_start(ap, fmt);
	vsnprintf(run->fatal_msg, sizeof(run->fatal_msg), fmt, ap);
	va_end(ap);
	/* Attio's sentence ends it; the run's outcome adds its own. */
	n = strlen(run->fatal_msg);
	while (n &&
	       (run->fatal_msg[n - 1] == '.' || run->fatal_msg[n - 1] == ' '))
		run->fatal_msg[--n] = '\0';
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
	snprintf(row.op, sizeof(row.op), "%s", rec->op);
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
		return "the Attio record it was to update was deleted in "
		       "Attio: run `ferry queue retry` (it is matched again "
		       "against Attio, or created), then `ferry run`";
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
	/* What Attio holds of it: what this run made (its op), or what the
	 * pending row said (an earlier write, or the record being
	 * updated). */
	snprintf(row.dest_id, sizeof(row.dest_id), "%s",
	         rec->dest_id[0] ? rec->dest_id : rec->pend.dest_id);
	snprintf(row.op, sizeof(row.op), "%s",
	         rec->dest_id[0] ? rec->op : rec->pend.op);
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

/* The scope Attio's message names ("... scope record_permission:read-write
 * ..."), if any, into out. */
static bool scope_in(const char *message, char *out, size_t cap)
{
	static const char *const scopes[] = {
	    "record_permission",
	    "object_configuration",
	    "list_entry",
	    "list_configuration",
	    "note",
	    "task",
	    "comment",
	    "user_management",
	    "webhook",
	    "file",
	    "meeting",
	    "call_recording",
	    "public_collection",
	    "private_collection",
	    "scim_management",
	};
	const char *p, *end;
	size_t i, n;

	for (i = 0; i < FERRY_ARRAY_LEN(scopes); i++) {
		n = strlen(scopes[i]);
		for (p = strstr(message, scopes[i]); p;
		     p = strstr(p + 1, scopes[i])) {
			if ((p > message && (p[-1] == '_' ||
			                     (p[-1] >= 'a' && p[-1] <= 'z'))) ||
			    p[n] != ':')
				continue;
			for (end = p + n + 1;
			     (*end >= 'a' && *end <= 'z') || *end == '-'; end++)
				;
			if (end == p + n + 1)
				continue;
			snprintf(out, cap, "%.*s", (int)(end - p), p);
			return true;
		}
	}
	return false;
}

/* Attio refused the token, its scope, or its load (429 and 5xx after
 * every retry): not the record's fault, the run ends. */
static void destination_failed(struct ld_run *run, struct ld_rec *rec,
                               const struct ferry_multi_done *d,
                               const struct ferry_attio_result *res)
{
	long st = d->resp->status;
	char scope[80];

	if (st == 401)
		ld_fatal(run, FERRY_EAUTH,
		         "Attio refused the token (HTTP 401%s%s: %s) while "
		         "writing %s %s: check the Attio API token "
		         "(destination.token_env in ferry.yaml names the "
		         "variable holding it) and that it is still active",
		         res->code[0] ? " " : "", res->code, res->message,
		         rec->obj->name, rec->source_id);
	else if (st == 403 && scope_in(res->message, scope, sizeof(scope)))
		ld_fatal(run, FERRY_EAUTH,
		         "Attio refused the request (HTTP 403%s%s: %s) while "
		         "writing %s %s: the token lacks the scope '%s'; give "
		         "the token that scope in Attio (Workspace settings, "
		         "Developers), or use a token that has it",
		         res->code[0] ? " " : "", res->code, res->message,
		         rec->obj->name, rec->source_id, scope);
	else if (st == 403)
		ld_fatal(run, FERRY_EAUTH,
		         "Attio refused the request (HTTP 403%s%s: %s) while "
		         "writing %s %s: the token may lack a scope ferry "
		         "needs (record_permission:read-write, "
		         "list_entry:read-write, note:read-write, "
		         "task:read-write) or the workspace's plan does not "
		         "allow it",
		         res->code[0] ? " " : "", res->code, res->message,
		         rec->obj->name, rec->source_id);
	else
		ld_fatal(run, st == 429 ? FERRY_ERATELIMIT : FERRY_EHTTP,
		         "writing %s %s: Attio answered HTTP %ld%s%s after %d "
		         "attempt%s: %s",
		         rec->obj->name, rec->source_id, st,
		         res->code[0] ? " " : "", res->code, d->attempts,
		         d->attempts == 1 ? "" : "s", res->message);
}

int ld_on_done(const struct ferry_multi_done *d, void *payload)
{
	struct ld_run *run = payload;
	struct ld_rec *rec = d->tag;
	struct ferry_attio_result res;
	long st = d->resp ? d->resp->status : 0;
	int rc;

	/* A create sent once and not answered: looked for, then made
	 * again only if the attempt did not reach Attio. */
	if (rec->once && (d->error < 0 || !d->resp || st >= 500) &&
	    (rc = ld_unanswered(run, rec)) != 1) {
		if (rc < 0) {
			ld_fatal(run, rc, "%s", ferry_error_last());
			unlink_rec(run, rec);
			ld_rec_free(rec);
		}
		return 0;
	}
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
		destination_failed(run, rec, d, &res);
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
