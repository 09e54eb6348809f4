/* send.c: the ledger rows on their way back, on the multi handle: each
 * row's requests in turn (a DELETE; or a read of the record as it is now,
 * then a PUT of what goes back) and what each answer means: undone,
 * already gone (404), or refused by Attio (the row stays as it was, the
 * run goes on). No answer, a 5xx or 429 after every retry, or a refused
 * token is the destination failing: the run ends, the rows in flight are
 * left as they were. */
#include "util.h"

#include <stdarg.h>

#include "ferry/attio.h"
#include "rollback_int.h"

static void rec_free(struct rb_rec *rec)
{
	if (!rec)
		return;
	ferry_buf_release(&rec->path);
	ferry_buf_release(&rec->note);
	json_decref(rec->prior);
	free(rec);
}

static void unlink_rec(struct rb_run *run, struct rb_rec *rec)
{
	if (rec->prev)
		rec->prev->next = rec->next;
	else if (run->live == rec)
		run->live = rec->next;
	if (rec->next)
		rec->next->prev = rec->prev;
	rec->prev = rec->next = NULL;
}

void rb_free_live(struct rb_run *run)
{
	struct rb_rec *rec, *next;

	for (rec = run->live; rec; rec = next) {
		next = rec->next;
		rec_free(rec);
	}
	run->live = NULL;
}

static void note_printf(struct rb_rec *rec, const char *fmt, ...)
    FERRY_PRINTF(2, 3);
static void note_printf(struct rb_rec *rec, const char *fmt, ...)
{
	va_list ap;
	int error;

	if (rec->note.len && ferry_buf_puts(&rec->note, "; ") < 0)
		return;
	va_start(ap, fmt);
	error = ferry_buf_vprintf(&rec->note, fmt, ap);
	va_end(ap);
	if (error < 0)
		ferry_buf_clear(&rec->note);
}

static void fatal(struct rb_run *run, int error, const char *fmt, ...)
    FERRY_PRINTF(3, 4);
static void fatal(struct rb_run *run, int error, const char *fmt, ...)
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

/* The row's end: the rec leaves the run. */
static void end_rec(struct rb_run *run, struct rb_rec *rec)
{
	rec->obj->done++;
	rb_progress(run, rec->obj, false);
	unlink_rec(run, rec);
	rec_free(rec);
}

static int flushed(struct rb_run *run)
{
	int error = rb_flush(run, false);

	if (error < 0 && !run->db_error)
		run->db_error = error;
	return error;
}

/* Undone: the row becomes rolled_back, its op and dest_id kept. */
static int undone(struct rb_run *run, struct rb_rec *rec, long status,
                  const char *event, bool gone)
{
	struct ferry_rollback_object *o = rec->obj;
	struct ferry_ledger_row row = rec->row;

	row.status = FERRY_LEDGER_ROLLED_BACK;
	row.http_status = (int)status;
	snprintf(row.reason, sizeof(row.reason), "rolled back: %s",
	         rec->note.len ? rec->note.ptr : event);
	rb_outcome(run, &row, true, event, row.reason);
	if (gone)
		o->gone++;
	if (!strcmp(event, "with_record"))
		o->with_it++;
	else if (rec->todo == FERRY_RB_DELETE)
		o->deleted++;
	else if (rec->todo == FERRY_RB_RESTORE)
		o->restored++;
	else
		o->unlinked++;
	if (rec->partial) {
		o->partial++;
		rb_note(run->rep, &rec->row, "left", rec->note.ptr);
	}
	end_rec(run, rec);
	return flushed(run);
}

/* Not undone: Attio refused, or ferry cannot (the row stays as it was;
 * the audit log says why). */
static int left(struct rb_run *run, struct rb_rec *rec, const char *what,
                const char *message)
{
	rec->obj->refused++;
	rb_note(run->rep, &rec->row, what, message);
	rb_outcome(run, &rec->row, false, what, message);
	end_rec(run, rec);
	return flushed(run);
}

static int refused(struct rb_run *run, struct rb_rec *rec,
                   const struct ferry_http_response *resp)
{
	struct ferry_attio_result res;
	char msg[1200];

	ferry_attio_parse_written(&res, resp->status, resp->body.ptr,
	                          resp->body.len, "record_id");
	snprintf(msg, sizeof(msg), "Attio answered %ld%s%s to %s: %s",
	         resp->status, res.code[0] ? " " : "", res.code,
	         rec->step == RB_STEP_DELETE ? "the delete"
	         : rec->step == RB_STEP_GET  ? "the read"
	                                     : "the update",
	         res.message[0] ? res.message : "no message");
	return left(run, rec, "refused", msg);
}

static int add(struct rb_run *run, struct rb_rec *rec, enum rb_step step,
               const char *body)
{
	static const char *const methods[] = {"DELETE", "GET", "PUT"};
	int error;

	rec->step = step;
	if ((error = ferry_multi_add(
	         run->multi,
	         step == RB_STEP_GET ? FERRY_HTTP_READ : FERRY_HTTP_WRITE,
	         methods[step], rec->path.ptr, body, rec)) < 0)
		return ferry_error_wrap(error, "%s %s", rec->row.object,
		                        rec->row.source_id);
	return 0;
}

/* The path of the thing the row is about: parts alternate literal text
 * and a segment to encode, NULL-terminated. */
static int set_path(struct rb_rec *rec, const char *const *parts)
{
	size_t i;
	int error = 0;

	ferry_buf_clear(&rec->path);
	for (i = 0; parts[i] && !error; i++)
		error = i % 2 ? ferry_buf_put_urlencoded(&rec->path, parts[i])
		              : ferry_buf_puts(&rec->path, parts[i]);
	return error;
}

static int start_delete(struct rb_run *run, struct rb_rec *rec)
{
	const char *id = rec->row.dest_id, *dest = rec->row.dest_object;
	int error;

	switch (rec->obj->kind) {
	case FERRY_RB_NOTE:
		error = set_path(rec, (const char *[]){"/v2/notes/", id, NULL});
		break;
	case FERRY_RB_TASK:
		error = set_path(rec, (const char *[]){"/v2/tasks/", id, NULL});
		break;
	case FERRY_RB_ENTRY:
		error = set_path(rec, (const char *[]){"/v2/lists/", dest,
		                                       "/entries/", id, NULL});
		break;
	default:
		error = set_path(rec, (const char *[]){"/v2/objects/", dest,
		                                       "/records/", id, NULL});
	}
	note_printf(rec, "deleted %s %s", dest, id);
	return error < 0 ? error : add(run, rec, RB_STEP_DELETE, NULL);
}

static int start_restore(struct rb_run *run, struct rb_rec *rec)
{
	const char *id = rec->row.dest_id, *dest = rec->row.dest_object;
	int64_t last = 0;
	bool doomed;
	int error;

	if (rec->obj->kind != FERRY_RB_RECORD &&
	    rec->obj->kind != FERRY_RB_ENTRY)
		return left(run, rec, "left",
		            "Attio has no way to put back a note's or a "
		            "task's values: left as ferry wrote it");
	if ((error = rb_dest_get(run, id, &doomed, &last)) < 0)
		return error;
	if (doomed) {
		note_printf(rec,
		            "%s %s is deleted by this rollback (another "
		            "row created it)",
		            dest, id);
		return undone(run, rec, 0, "with_record", false);
	}
	error = ferry_ledger_prior_get(&rec->prior, run->ws, rec->row.object,
	                               rec->row.source_id);
	if (error == FERRY_ENOTFOUND)
		return left(run, rec, "left",
		            "ferry updated it, but its values before were not "
		            "captured: left as ferry wrote it");
	if (error < 0)
		return error;
	if (!last && ferry_rollback_parse_time(rec->row.updated_at, &last) < 0)
		last = 0;
	rec->written_us = last;
	error = rec->obj->kind == FERRY_RB_ENTRY
	            ? set_path(rec, (const char *[]){"/v2/lists/", dest,
	                                             "/entries/", id, NULL})
	            : set_path(rec, (const char *[]){"/v2/objects/", dest,
	                                             "/records/", id, NULL});
	return error < 0 ? error : add(run, rec, RB_STEP_GET, NULL);
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A reference of the plan ({source_object, source_id, target_object?})
 * through the ledger: the object and the id it was written as. */
static int ref_of(struct rb_run *run, const json_t *ref, char *object,
                  size_t ocap, char *id, size_t icap)
{
	struct ferry_ledger_row r;
	const char *so = str(ref, "source_object"), *si = str(ref, "source_id");
	const char *to = str(ref, "target_object");
	int error;

	if (!so || !si)
		return ferry_error_set(FERRY_ENOTFOUND,
		                       "the plan's link names no record");
	if ((error = ferry_ledger_get(&r, run->ws, so, si)) < 0)
		return error;
	if (!r.dest_id[0])
		return ferry_error_set(FERRY_ENOTFOUND,
		                       "%s %s has no Attio id in the ledger",
		                       so, si);
	snprintf(object, ocap, "%s", to && *to ? to : r.dest_object);
	snprintf(id, icap, "%s", r.dest_id);
	return 0;
}

static int start_unlink(struct rb_run *run, struct rb_rec *rec)
{
	json_t *payload = NULL, *link;
	char object[64], rid[64], why[1200];
	const char *attr;
	int64_t last;
	bool doomed;
	int error;

	if ((error = rb_dest_get(run, rec->row.dest_id, &doomed, &last)) < 0)
		return error;
	if (doomed) {
		note_printf(rec, "the record %s is deleted by this rollback",
		            rec->row.dest_id);
		return undone(run, rec, 0, "with_record", false);
	}
	error =
	    rb_plan_payload(run, rec->row.object, rec->row.source_id, &payload);
	link = json_object_get(payload, "link");
	attr = str(link, "attribute");
	if (!error && !attr)
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "the plan's row names no attribute");
	if (!error)
		error = ref_of(run, json_object_get(link, "record"), object,
		               sizeof(object), rid, sizeof(rid));
	if (!error && strcmp(rid, rec->row.dest_id))
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "the plan now links another record");
	if (!error)
		error = ref_of(run, json_object_get(link, "add"), why, 1,
		               rec->target_id, sizeof(rec->target_id));
	if (error == FERRY_ENOTFOUND) {
		snprintf(why, sizeof(why),
		         "which reference ferry appended is no longer known "
		         "(%s): left",
		         ferry_error_last());
		json_decref(payload);
		return left(run, rec, "left", why);
	}
	if (!error) {
		snprintf(rec->attr, sizeof(rec->attr), "%s", attr);
		error = set_path(rec, (const char *[]){"/v2/objects/", object,
		                                       "/records/",
		                                       rec->row.dest_id, NULL});
	}
	json_decref(payload);
	return error < 0 ? error : add(run, rec, RB_STEP_GET, NULL);
}

int rb_start(struct rb_run *run, struct ferry_rollback_object *obj,
             const struct ferry_ledger_row *row)
{
	struct rb_rec *rec = ferry_xcalloc(1, sizeof(*rec));
	int error;

	rec->obj = obj;
	rec->row = *row;
	rec->todo = ferry_rollback_classify(row->status, row->op,
	                                    row->dest_id[0] != '\0');
	if (obj->kind == FERRY_RB_LINK)
		rec->todo = FERRY_RB_UNLINK; /* a link is only appended */
	ferry_buf_init(&rec->path, 4096);
	ferry_buf_init(&rec->note, 900);
	rec->next = run->live;
	if (run->live)
		run->live->prev = rec;
	run->live = rec;
	switch (rec->todo) {
	case FERRY_RB_DELETE:
		error = start_delete(run, rec);
		break;
	case FERRY_RB_RESTORE:
		error = start_restore(run, rec);
		break;
	case FERRY_RB_UNLINK:
		error = start_unlink(run, rec);
		break;
	default:
		end_rec(run, rec);
		return 0;
	}
	if (error < 0) {
		char why[1024];

		/* The request could not be made: the row is left, the run
		 * goes on (a workspace error ends it; the rec, if still in
		 * flight, is freed with the run). */
		if (run->db_error)
			return run->db_error;
		if (error == FERRY_EDB)
			return error;
		snprintf(why, sizeof(why), "%s", ferry_error_last());
		return left(run, rec, "left", why);
	}
	return 0;
}

/* The values of what was read: a record's, or an entry's. */
static json_t *read_values(struct rb_rec *rec,
                           const struct ferry_http_response *resp)
{
	json_t *doc = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	json_t *v = json_object_get(
	    json_object_get(doc, "data"),
	    rec->obj->kind == FERRY_RB_ENTRY ? "entry_values" : "values");

	v = json_is_object(v) ? json_incref(v) : NULL;
	json_decref(doc);
	return v;
}

static int put_body(struct rb_run *run, struct rb_rec *rec, json_t *values)
{
	json_t *doc = json_pack(
	    "{s:{s:o}}", "data",
	    rec->obj->kind == FERRY_RB_ENTRY ? "entry_values" : "values",
	    values);
	char *body =
	    doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int error;

	json_decref(doc);
	if (!body)
		return ferry_error_set(FERRY_EINVALID,
		                       "cannot encode the values of %s %s",
		                       rec->row.object, rec->row.source_id);
	error = add(run, rec, RB_STEP_PUT, body);
	free(body);
	return error;
}

static void note_list(struct rb_rec *rec, const char *verb, json_t *o)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach(o, k, v)
	{
		note_printf(rec, "%s%s", n ? "" : verb, k);
		n++;
	}
	FERRY_UNUSED(v);
}

static int on_read(struct rb_run *run, struct rb_rec *rec,
                   const struct ferry_http_response *resp)
{
	json_t *values = read_values(rec, resp), *put = NULL, *lft = NULL;
	json_t *x;
	size_t i;
	int rc;

	if (!values)
		return left(run, rec, "refused",
		            "Attio answered the read without the values");
	if (rec->todo == FERRY_RB_UNLINK) {
		rc = ferry_rollback_unlink(
		    &put, json_object_get(values, rec->attr), rec->target_id);
		json_decref(values);
		if (rc < 0)
			return left(run, rec, "left", ferry_error_last());
		if (rc == 0) {
			note_printf(rec, "%s no longer held %s", rec->attr,
			            rec->target_id);
			return undone(run, rec, resp->status, "unlinked",
			              false);
		}
		note_printf(rec, "took %s out of %s of %s", rec->target_id,
		            rec->attr, rec->row.dest_id);
		return put_body(run, rec, json_pack("{s:o}", rec->attr, put));
	}
	rc = ferry_rollback_restore(&put, &lft, rec->prior, values,
	                            rec->written_us);
	json_decref(values);
	if (rc < 0)
		return left(run, rec, "left", ferry_error_last());
	if (json_object_size(put))
		note_list(rec, "restored ", put);
	else
		note_printf(rec, "its values were as before ferry");
	json_array_foreach(lft, i, x)
	{
		note_printf(rec, "left %s: %s", str(x, "attribute"),
		            str(x, "why"));
		rec->partial = true;
	}
	json_decref(lft);
	if (!json_object_size(put)) {
		json_decref(put);
		return undone(run, rec, resp->status, "restored", false);
	}
	return put_body(run, rec, put);
}

static int answer(struct rb_run *run, struct rb_rec *rec,
                  const struct ferry_http_response *resp)
{
	int error;

	if (resp->status == 404) {
		ferry_buf_clear(&rec->note);
		note_printf(rec, "%s %s was no longer in Attio",
		            rec->row.dest_object, rec->row.dest_id);
		return undone(run, rec, resp->status,
		              rec->todo == FERRY_RB_DELETE    ? "deleted"
		              : rec->todo == FERRY_RB_RESTORE ? "restored"
		                                              : "unlinked",
		              true);
	}
	if (resp->status < 200 || resp->status > 299)
		return refused(run, rec, resp);
	switch (rec->step) {
	case RB_STEP_GET:
		return on_read(run, rec, resp);
	case RB_STEP_PUT:
		if ((error = rb_dest_touch(run, rec->row.dest_id)) < 0)
			return error;
		return undone(run, rec, resp->status,
		              rec->todo == FERRY_RB_RESTORE ? "restored"
		                                            : "unlinked",
		              false);
	default:
		return undone(run, rec, resp->status, "deleted", false);
	}
}

int rb_on_done(const struct ferry_multi_done *d, void *payload)
{
	struct rb_run *run = payload;
	struct rb_rec *rec = d->tag;
	struct ferry_attio_result res;
	long st = d->resp ? d->resp->status : 0;
	int rc;

	if (d->error < 0 || !d->resp) {
		fatal(run, d->error < 0 ? d->error : FERRY_ECONN,
		      "rolling back %s %s: %s", rec->row.object,
		      rec->row.source_id,
		      d->message ? d->message : "no answer");
		unlink_rec(run, rec);
		rec_free(rec);
		return 0;
	}
	if (st == 429 || st >= 500 || st == 401 || st == 403) {
		ferry_attio_parse_written(&res, st, d->resp->body.ptr,
		                          d->resp->body.len, "record_id");
		fatal(run,
		      st == 429   ? FERRY_ERATELIMIT
		      : st >= 500 ? FERRY_EHTTP
		                  : FERRY_EAUTH,
		      "rolling back %s %s: Attio answered HTTP %ld%s%s after "
		      "%d attempt%s: %s",
		      rec->row.object, rec->row.source_id, st,
		      res.code[0] ? " " : "", res.code, d->attempts,
		      d->attempts == 1 ? "" : "s", res.message);
		unlink_rec(run, rec);
		rec_free(rec);
		return 0;
	}
	rc = answer(run, rec, d->resp);
	if (run->db_error)
		return run->db_error;
	if (rc < 0) {
		char why[1024];

		if (rc == FERRY_EDB)
			return run->db_error = rc;
		snprintf(why, sizeof(why), "%s", ferry_error_last());
		if ((rc = left(run, rec, "left", why)) < 0)
			return run->db_error = rc;
	}
	return 0;
}

int rb_drive(struct rb_run *run, size_t low)
{
	int rc, error;

	while (ferry_multi_pending(run->multi) > low && !run->fatal) {
		rc = ferry_multi_run(run->multi, 100, rb_on_done, run);
		if (run->db_error)
			return run->db_error;
		if (rc < 0)
			return rc;
		if ((error = rb_flush(run, false)) < 0)
			return error;
		if (run->cfg->stop && *run->cfg->stop)
			run->stopping = true;
	}
	return 0;
}
