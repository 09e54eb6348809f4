/* rows.c: the plan's rows, and what each becomes in this run: a record to
 * send, one already written with the very same request (unchanged: no
 * call), or a ledger row without any request (skipped and held records,
 * a record whose required parent is not in Attio). */
#include "util.h"

#include "ferry/hash.h"
#include "load_int.h"
#include "store/store.h"

void ld_row_release(struct ld_row *r)
{
	json_decref(r->payload);
	json_decref(r->reasons);
	memset(r, 0, sizeof(*r));
}

static json_t *column_json(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

	return j ? j : json_object();
}

int ld_rows_read(struct ld_run *run, const char *object, int64_t after,
                 int decision, struct ld_row *rows, size_t max, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	*n = 0;
	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT rowid, source_id, decision, dest_object, "
	         "match_attribute, payload, reasons, survivor_object, "
	         "survivor_id FROM plan WHERE object = ?1 AND rowid > ?2 AND "
	         "(?3 IS NULL OR decision = ?3) ORDER BY rowid LIMIT ?4")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	sqlite3_bind_int64(st, 2, after);
	ferry_store__bind_text(
	    st, 3,
	    decision >= 0
	        ? ferry_plan_decision_name((enum ferry_plan_decision)decision)
	        : NULL);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	/* Read whole, then act: acting may change the plan (a hold). */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct ld_row *r = &rows[(*n)++];

		memset(r, 0, sizeof(*r));
		r->rowid = sqlite3_column_int64(st, 0);
		ferry_store__column_copy(r->source_id, sizeof(r->source_id), st,
		                         1);
		ferry_plan_decision_parse(
		    (const char *)sqlite3_column_text(st, 2), &r->decision);
		ferry_store__column_copy(r->dest, sizeof(r->dest), st, 3);
		ferry_store__column_copy(r->match, sizeof(r->match), st, 4);
		r->payload = column_json(st, 5);
		r->reasons = column_json(st, 6);
		ferry_store__column_copy(r->survivor_object,
		                         sizeof(r->survivor_object), st, 7);
		ferry_store__column_copy(r->survivor_id, sizeof(r->survivor_id),
		                         st, 8);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = ferry_store__error(run->ws, "cannot read the plan");
	sqlite3_finalize(st);
	return error;
}

void ld_reason_text(char *out, size_t cap, const json_t *reasons,
                    const char *prefix)
{
	const json_t *r = json_array_get(reasons, 0);
	const char *field = json_string_value(json_object_get(r, "field"));
	const char *code = json_string_value(json_object_get(r, "code"));
	const char *msg = json_string_value(json_object_get(r, "message"));

	snprintf(out, cap, "%s%s%s%s%s%s", prefix, field && *field ? field : "",
	         field && *field ? " " : "", code ? code : "", code ? ": " : "",
	         msg ? msg : "no reason recorded");
	if (json_array_size(reasons) > 1) {
		size_t len = strlen(out);

		snprintf(out + len, cap - len, " (+%zu more)",
		         json_array_size(reasons) - 1);
	}
}

void ld_rec_free(struct ld_rec *rec)
{
	if (!rec)
		return;
	json_decref(rec->writes);
	json_decref(rec->info);
	json_decref(rec->lists);
	json_decref(rec->prior);
	ferry_buf_release(&rec->note);
	free(rec);
}

/* Skipped and held records: the ledger says so, once. A record Attio
 * refused is held in the plan and failed in the ledger, with Attio's
 * words: those stay. */
static int not_written(struct ld_run *run, struct ld_obj *obj,
                       struct ld_row *row)
{
	struct ferry_ledger_row old, now;
	bool had =
	    ferry_ledger_get(&old, run->ws, obj->name, row->source_id) == 0;
	const char *code = json_string_value(
	    json_object_get(json_array_get(row->reasons, 0), "code"));
	bool held = row->decision == FERRY_PLAN_HELD;

	if (held && had && old.status == FERRY_LEDGER_FAILED && code &&
	    !strncmp(code, "attio_", 6))
		return 0;
	ld_row_init(&now, obj, row->source_id, row->dest);
	now.status = held ? FERRY_LEDGER_HELD : FERRY_LEDGER_SKIPPED;
	ld_reason_text(now.reason, sizeof(now.reason), row->reasons,
	               held ? "held: " : "");
	if (had) {
		/* What an earlier write made stays known to rollback. */
		snprintf(now.dest_id, sizeof(now.dest_id), "%s", old.dest_id);
		snprintf(now.op, sizeof(now.op), "%s", old.op);
		now.attempts = old.attempts;
		if (old.status == now.status && !strcmp(old.reason, now.reason))
			return 0;
	}
	ld_outcome(run, &now, had ? &old : NULL, held ? "held" : "skipped",
	           NULL);
	return ld_flush(run, false);
}

void ld_hash(const json_t *writes, const json_t *lists, const char *before,
             char out[65])
{
	struct ferry_buf b = FERRY_BUF_INIT;
	const json_t *w;
	size_t i;
	int error = 0;

	/* The second pass's requests on top of the first's. */
	if (before)
		error = ferry_buf_printf(&b, "after %s\n", before);
	json_array_foreach(writes, i, w)
	{
		if (!error)
			error = ferry_buf_printf(
			    &b, "%s %s\n%s\n",
			    json_string_value(json_object_get(w, "method")),
			    json_string_value(json_object_get(w, "path")),
			    json_string_value(json_object_get(w, "body")));
	}
	json_array_foreach(lists, i, w)
	{
		if (!error)
			error = ferry_buf_printf(&b, "list %s\n",
			                         json_string_value(w));
	}
	if (error || ferry_sha256_hex(out, b.ptr, b.len) < 0)
		out[0] = '\0';
	ferry_buf_release(&b);
}

/* A record that failed before any request (its required parent is not in
 * Attio, or its request could not be built). */
int ld_failed_here(struct ld_run *run, struct ld_rec *rec, const char *why)
{
	struct ferry_ledger_row now;

	ld_row_init(&now, rec->obj, rec->source_id, rec->dest);
	now.status = FERRY_LEDGER_FAILED;
	snprintf(now.reason, sizeof(now.reason), "%s", why);
	if (rec->had_old) {
		snprintf(now.dest_id, sizeof(now.dest_id), "%s",
		         rec->old.dest_id);
		snprintf(now.op, sizeof(now.op), "%s", rec->old.op);
		now.attempts = rec->old.attempts;
	}
	ld_outcome(run, &now, rec->had_old ? &rec->old : NULL, "failed", NULL);
	if (!rec->pass2) {
		rec->obj->st->failed++;
		rec->obj->done++;
	}
	ld_progress(run, rec->obj, false);
	return ld_flush(run, false);
}

/* A kind this loader does not write (files): skipped, saying so. */
static int not_loaded(struct ld_run *run, struct ld_rec *rec)
{
	struct ferry_ledger_row now;

	ld_row_init(&now, rec->obj, rec->source_id, rec->dest);
	now.status = FERRY_LEDGER_SKIPPED;
	snprintf(now.reason, sizeof(now.reason),
	         "not loaded: this version of ferry writes no %s", rec->dest);
	if (rec->had_old) {
		snprintf(now.dest_id, sizeof(now.dest_id), "%s",
		         rec->old.dest_id);
		snprintf(now.op, sizeof(now.op), "%s", rec->old.op);
	}
	rec->obj->st->not_loaded++;
	rec->obj->done++;
	if (rec->had_old && rec->old.status == now.status &&
	    !strcmp(rec->old.reason, now.reason))
		return 0;
	ld_outcome(run, &now, rec->had_old ? &rec->old : NULL, "skipped", NULL);
	return ld_flush(run, false);
}

static int done_unchanged(struct ld_run *run, struct ld_rec *rec)
{
	if (!rec->pass2) {
		rec->obj->st->unchanged++;
		rec->obj->done++;
		ld_progress(run, rec->obj, false);
	}
	ld_rec_free(rec);
	return 0;
}

int ld_prepare(struct ld_run *run, struct ld_obj *obj, struct ld_row *row,
               bool pass2, struct ld_rec **out)
{
	struct ld_rec *rec;
	struct ferry_ledger_row pend;
	int rc, error;

	*out = NULL;
	if (row->decision == FERRY_PLAN_SKIPPED ||
	    row->decision == FERRY_PLAN_HELD)
		return pass2 ? 0 : not_written(run, obj, row);
	if (row->decision != FERRY_PLAN_WRITE)
		return 0; /* merged: once every survivor is written */
	rec = ferry_xcalloc(1, sizeof(*rec));
	ferry_buf_init(&rec->note, 900);
	rec->obj = obj;
	rec->pass2 = pass2;
	snprintf(rec->source_id, sizeof(rec->source_id), "%s", row->source_id);
	snprintf(rec->dest, sizeof(rec->dest), "%s", row->dest);
	snprintf(rec->match, sizeof(rec->match), "%s", row->match);
	rec->kind = ld_kind_of(obj, row->dest);
	error = ferry_ledger_get(&rec->old, run->ws, obj->name, row->source_id);
	if (error < 0 && error != FERRY_ENOTFOUND)
		goto fail;
	rec->had_old = error == 0;
	error = 0;
	/* A rolled-back write is gone from Attio: this one starts afresh,
	 * with no destination id or op of its own yet (a rollback of a run
	 * killed now must not delete the old id and miss the new record). */
	if (rec->had_old && rec->old.status == FERRY_LEDGER_ROLLED_BACK) {
		rec->old.dest_id[0] = '\0';
		rec->old.op[0] = '\0';
	}
	if (rec->had_old) /* the first write's op, unless this one differs */
		snprintf(rec->op, sizeof(rec->op), "%s", rec->old.op);
	if (pass2 &&
	    (!rec->had_old || rec->old.status != FERRY_LEDGER_WRITTEN ||
	     !rec->old.dest_id[0])) {
		ld_rec_free(rec); /* its first pass did not write it */
		return 0;
	}
	if (rec->kind == LD_NONE) {
		error = not_loaded(run, rec);
		ld_rec_free(rec);
		return error;
	}
	rc = ld_build(run, rec, row->payload);
	if (rc < 0) {
		error = ld_failed_here(run, rec, ferry_error_last());
		ld_rec_free(rec);
		return error;
	}
	if (rc == 1) {
		error = ld_failed_here(run, rec, rec->note.ptr);
		ld_rec_free(rec);
		return error;
	}
	if (rc == 2) { /* the second pass has nothing for it */
		ld_rec_free(rec);
		return 0;
	}
	if (rec->had_old && rec->old.status == FERRY_LEDGER_WRITTEN &&
	    rec->old.dest_id[0] &&
	    (!strcmp(rec->old.payload_hash, rec->hash) ||
	     (rec->alt_hash[0] &&
	      !strcmp(rec->old.payload_hash, rec->alt_hash)) ||
	     (!pass2 && (rec->kind == LD_NOTE || rec->kind == LD_TASK))))
		/* Notes cannot be updated in Attio and a task's content
		 * neither: one already written is not written again. */
		return done_unchanged(run, rec);
	rec->resume = rec->had_old && rec->old.status == FERRY_LEDGER_PENDING;
	ld_row_init(&pend, obj, rec->source_id, rec->dest);
	pend.status = FERRY_LEDGER_PENDING;
	snprintf(pend.payload_hash, sizeof(pend.payload_hash), "%s", rec->hash);
	if (rec->had_old) {
		snprintf(pend.dest_id, sizeof(pend.dest_id), "%s",
		         rec->old.dest_id);
		snprintf(pend.reason, sizeof(pend.reason), "%s",
		         rec->old.reason);
		pend.attempts = rec->old.attempts;
		pend.http_status = rec->old.http_status;
	}
	pend.attempts++;
	snprintf(pend.op, sizeof(pend.op), "%s", rec->op);
	/* Updating a record whose values before are kept: the pending row
	 * names it (rollback can restore it if the run dies). */
	if (rec->update_id[0] && !rec->need_prior && !pass2)
		snprintf(pend.dest_id, sizeof(pend.dest_id), "%s",
		         rec->update_id);
	rec->pend = pend;
	ld_op_start(rec);
	/* The same pending row is committed already (a run stopped before
	 * the answer): kept as it is, so its time stays that of the first
	 * attempt, which tells a record that attempt made (op.c). */
	if (!rec->resume || strcmp(rec->old.payload_hash, pend.payload_hash) ||
	    strcmp(rec->old.dest_id, pend.dest_id) ||
	    strcmp(rec->old.op, pend.op))
		ld_pending(run, &pend);
	*out = rec;
	return 0;
fail:
	ld_rec_free(rec);
	return error;
}
