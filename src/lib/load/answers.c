/* answers.c: a record's requests one after another, and what each answer
 * means: the next request (a note's next copy, a record's lists, the
 * PATCH after the values before are kept), an adoption, written or
 * refused. Creates are not idempotent: when an earlier attempt may have
 * reached Attio (the ledger row is pending, or a create sent once got no
 * answer), what it may have made is looked for first (a note among its
 * parent's notes by title, content and created_at; a task among its
 * linked record's; a record by salesforce_id or its text values) and
 * adopted. */
#include "util.h"

#include "load_int.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A create (a POST write: a record without a matching attribute, a note,
 * a task) is sent once: after a timeout, a dropped connection or a 5xx
 * the multi handle hands it back rather than sending it again, and the
 * loader looks for what it may have made first (ld_unanswered). */
static int send_req(struct ld_run *run, struct ld_rec *rec,
                    enum ferry_http_class cls, const char *method,
                    const char *path, const char *body, enum ld_step step)
{
	int error;

	rec->step = step;
	rec->once = step == LD_WRITE && cls == FERRY_HTTP_WRITE &&
	            !strcmp(method, "POST");
	if ((error = ferry_multi_add_flags(run->multi, cls, method, path, body,
	                                   rec->once ? FERRY_MULTI_ONCE : 0,
	                                   rec)) < 0)
		return ferry_error_wrap(error, "%s %s", rec->obj->name,
		                        rec->source_id);
	return 0;
}

int ld_send_write(struct ld_run *run, struct ld_rec *rec)
{
	const json_t *w = json_array_get(rec->writes, (size_t)rec->idx);

	return send_req(run, rec,
	                (enum ferry_http_class)json_integer_value(
	                    json_object_get(w, "cls")),
	                str(w, "method"), str(w, "path"), str(w, "body"),
	                LD_WRITE);
}

static bool can_find(const struct ld_rec *rec)
{
	return rec->resume && !rec->pass2 &&
	       ((rec->kind == LD_RECORD &&
	         json_object_get(rec->info, "filter")) ||
	        rec->kind == LD_NOTE || rec->kind == LD_TASK);
}

static int send_find(struct ld_run *run, struct ld_rec *rec)
{
	struct ferry_attio_request r;
	const json_t *copy;
	int error;

	if (rec->kind == LD_RECORD) {
		error = ferry_attio_req_query(
		    &r, rec->dest, json_object_get(rec->info, "filter"), 1, 0);
	} else if (rec->kind == LD_NOTE) {
		copy = json_array_get(json_object_get(rec->info, "copies"),
		                      (size_t)rec->idx);
		error = ferry_attio_req_notes_of(&r, str(copy, "parent_object"),
		                                 str(copy, "parent_record_id"),
		                                 LD_NOTES_PAGE, rec->offset);
	} else {
		error = ferry_attio_req_tasks_of(
		    &r, str(rec->info, "linked_object"),
		    str(rec->info, "linked_record_id"), LD_TASKS_PAGE,
		    rec->offset);
	}
	if (error < 0)
		return error;
	error =
	    send_req(run, rec, r.cls, r.method, r.path.ptr, r.body, LD_FIND);
	ferry_attio_request_release(&r);
	return error;
}

int ld_unanswered(struct ld_run *run, struct ld_rec *rec)
{
	int max =
	    run->cfg->http->max_attempts > 0 ? run->cfg->http->max_attempts : 6;

	if (!rec->once || ++rec->unanswered >= max)
		return 1;
	rec->resume = true; /* the attempt may have reached Attio */
	if (!can_find(rec))
		return 1;
	rec->offset = 0;
	return send_find(run, rec);
}

/* The write of copy `idx` (or the one write), or first a look for what
 * an earlier attempt made. */
static int step_start(struct ld_run *run, struct ld_rec *rec)
{
	rec->offset = 0;
	return can_find(rec) ? send_find(run, rec) : ld_send_write(run, rec);
}

int ld_first(struct ld_run *run, struct ld_rec *rec)
{
	const json_t *w = json_array_get(rec->writes, 0);

	rec->idx = 0;
	rec->next = run->live;
	if (run->live)
		run->live->prev = rec;
	run->live = rec;
	/* A matched record is read first: the PATCH goes out once what it
	 * held is committed (op.c). Its path is the PATCH's. */
	if (rec->need_prior)
		return send_req(run, rec, FERRY_HTTP_READ, "GET",
		                str(w, "path"), NULL, LD_PRIOR);
	return step_start(run, rec);
}

/* After the record's write: its lists, then done. */
static int after_write(struct ld_run *run, struct ld_rec *rec, long status)
{
	struct ferry_attio_request r;
	int error;

	if (rec->step != LD_LIST)
		rec->idx = 0;
	else
		rec->idx++;
	if ((size_t)rec->idx >= json_array_size(rec->lists))
		return ld_written(run, rec, status);
	if ((error = ferry_attio_req_entry(&r,
	                                   json_string_value(json_array_get(
	                                       rec->lists, (size_t)rec->idx)),
	                                   rec->dest, rec->dest_id, NULL)) < 0)
		return error;
	error =
	    send_req(run, rec, r.cls, r.method, r.path.ptr, r.body, LD_LIST);
	ferry_attio_request_release(&r);
	return error;
}

/* Timestamps as the same second: Attio answers with nanoseconds. */
static bool same_time(const char *a, const char *b)
{
	char x[20], y[20];

	if (!a || !b)
		return !a == !b;
	snprintf(x, sizeof(x), "%.10sT%.8s", a,
	         strlen(a) > 11 ? a + 11 : "00:00:00");
	snprintf(y, sizeof(y), "%.10sT%.8s", b,
	         strlen(b) > 11 ? b + 11 : "00:00:00");
	return !strcmp(x, y);
}

static const json_t *found_in(const struct ld_rec *rec, const json_t *data)
{
	const json_t *item;
	size_t i;

	json_array_foreach(data, i, item)
	{
		const json_t *id = json_object_get(item, "id");

		if (rec->kind == LD_RECORD)
			return str(id, "record_id") ? item : NULL;
		if (rec->kind == LD_NOTE &&
		    !strcmp(str(item, "title") ? str(item, "title") : "",
		            str(rec->info, "title")) &&
		    !strcmp(str(item, "content_plaintext")
		                ? str(item, "content_plaintext")
		                : "",
		            str(rec->info, "content")) &&
		    (!str(rec->info, "created_at") ||
		     same_time(str(item, "created_at"),
		               str(rec->info, "created_at"))))
			return str(id, "note_id") ? item : NULL;
		if (rec->kind == LD_TASK &&
		    !strcmp(str(item, "content_plaintext")
		                ? str(item, "content_plaintext")
		                : "",
		            str(rec->info, "content")) &&
		    json_is_true(json_object_get(item, "is_completed")) ==
		        json_is_true(
		            json_object_get(rec->info, "is_completed")) &&
		    same_time(str(item, "deadline_at"),
		              str(rec->info, "deadline_at")))
			return str(id, "task_id") ? item : NULL;
	}
	return NULL;
}

/* A record found from an earlier attempt gets this run's values. */
static int send_adopted(struct ld_run *run, struct ld_rec *rec)
{
	const json_t *w = json_array_get(rec->writes, 0);
	json_t *body = json_loads(str(w, "body"), 0, NULL);
	struct ferry_attio_request r;
	int error;

	error = ferry_attio_req_update(
	    &r, rec->dest, rec->dest_id,
	    json_object_get(json_object_get(body, "data"), "values"));
	json_decref(body);
	if (error < 0)
		return error;
	error =
	    send_req(run, rec, r.cls, r.method, r.path.ptr, r.body, LD_ADOPTED);
	ferry_attio_request_release(&r);
	return error;
}

static int on_found(struct ld_run *run, struct ld_rec *rec,
                    const struct ferry_http_response *resp)
{
	json_t *data = NULL;
	const json_t *item;
	const char *id;
	int error = 0, page;

	if (ferry_attio_parse_list(&data, resp->body.ptr, resp->body.len) < 0) {
		struct ferry_attio_result res;

		memset(&res, 0, sizeof(res));
		res.http_status = resp->status;
		snprintf(res.code, sizeof(res.code), "invalid_response");
		snprintf(res.message, sizeof(res.message),
		         "Attio answered HTTP %ld without a data array",
		         resp->status);
		return ld_refused(run, rec, &res);
	}
	item = found_in(rec, data);
	id = item ? str(json_object_get(item, "id"),
	                rec->kind == LD_RECORD ? "record_id"
	                : rec->kind == LD_NOTE ? "note_id"
	                                       : "task_id")
	          : NULL;
	if (id && (rec->kind != LD_NOTE || rec->idx == 0)) {
		snprintf(rec->dest_id, sizeof(rec->dest_id), "%s", id);
		/* Found: ferry's only if Attio made it after the pending
		 * row; a note sent with its (backdated) created_at matched
		 * to the second with its title and content is. */
		if (rec->kind == LD_NOTE && str(rec->info, "created_at"))
			snprintf(rec->op, sizeof(rec->op), "created");
		else
			ld_op_answered(rec, resp, item);
	}
	page = rec->kind == LD_NOTE   ? LD_NOTES_PAGE
	       : rec->kind == LD_TASK ? LD_TASKS_PAGE
	                              : 1;
	if (id && rec->kind == LD_RECORD) {
		/* Adopted: made by an earlier attempt of this request, or
		 * of an older one, which the values bring up to date. */
		error =
		    rec->unanswered || !strcmp(rec->old.payload_hash, rec->hash)
		        ? after_write(run, rec, resp->status)
		        : send_adopted(run, rec);
	} else if (id && rec->kind == LD_NOTE) {
		rec->idx++;
		error = (size_t)rec->idx < json_array_size(rec->writes)
		            ? step_start(run, rec)
		            : ld_written(run, rec, resp->status);
	} else if (id) {
		error = ld_written(run, rec, resp->status);
	} else if (rec->kind != LD_RECORD &&
	           json_array_size(data) >= (size_t)page) {
		rec->offset += page;
		error = send_find(run, rec);
	} else {
		error = ld_send_write(run, rec);
	}
	json_decref(data);
	return error;
}

static const char *id_key(const struct ld_rec *rec)
{
	switch (rec->kind) {
	case LD_NOTE:
		return "note_id";
	case LD_TASK:
		return "task_id";
	case LD_ENTRY:
		return rec->step == LD_WRITE ? "entry_id" : "record_id";
	default:
		return rec->step == LD_LIST ? "entry_id" : "record_id";
	}
}

/* A PATCH answered 404: the record is gone from Attio since the plan
 * matched it (or since ferry wrote it). */
static void gone(const struct ld_rec *rec, struct ferry_attio_result *res)
{
	char attio[sizeof(res->message)];

	snprintf(attio, sizeof(attio), "%s", res->message);
	snprintf(res->code, sizeof(res->code), "not_found");
	snprintf(res->message, sizeof(res->message),
	         "the %s record %s %s is no longer in Attio (deleted there "
	         "since %s); Attio said: %.600s",
	         rec->dest, rec->update_id[0] ? rec->update_id : rec->dest_id,
	         rec->update_id[0] ? "the plan matched" : "ferry wrote",
	         rec->update_id[0] ? "the plan" : "ferry wrote it", attio);
}

/* What the write just answered did (its op), by kind and method. */
static void op_of_write(struct ld_rec *rec,
                        const struct ferry_http_response *resp)
{
	const char *method =
	    str(json_array_get(rec->writes, (size_t)rec->idx), "method");
	json_t *root;

	if (rec->pass2)
		return; /* the record of the first pass: its op */
	if (rec->kind == LD_LINK) {
		snprintf(rec->op, sizeof(rec->op), "appended");
		return;
	}
	if (rec->kind == LD_NOTE || rec->kind == LD_TASK ||
	    (method && !strcmp(method, "POST"))) {
		snprintf(rec->op, sizeof(rec->op), "created");
		return;
	}
	if (method && !strcmp(method, "PATCH"))
		return; /* updated (or the record ferry wrote before) */
	/* An assert (a record, a list entry): made here, or there. */
	root = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	ld_op_answered(rec, resp, json_object_get(root, "data"));
	json_decref(root);
}

int ld_answer(struct ld_run *run, struct ld_rec *rec,
              const struct ferry_http_response *resp)
{
	struct ferry_attio_result res;
	const char *method;

	if (rec->step == LD_FIND) {
		if (resp->status < 200 || resp->status > 299) {
			ferry_attio_parse_written(&res, resp->status,
			                          resp->body.ptr,
			                          resp->body.len, "record_id");
			return ld_refused(run, rec, &res);
		}
		return on_found(run, rec, resp);
	}
	if (rec->step == LD_PRIOR)
		return ld_prior_read(run, rec, resp, &res) == 1
		           ? ld_refused(run, rec, &res)
		           : 0;
	if (ferry_attio_parse_written(&res, resp->status, resp->body.ptr,
	                              resp->body.len, id_key(rec)) < 0) {
		method = str(json_array_get(rec->writes, (size_t)rec->idx),
		             "method");
		if (resp->status == 404 && rec->step == LD_WRITE && method &&
		    !strcmp(method, "PATCH") && rec->kind == LD_RECORD)
			gone(rec, &res);
		return ld_refused(run, rec, &res);
	}
	switch (rec->step) {
	case LD_LIST:
		return after_write(run, rec, resp->status);
	case LD_ADOPTED:
		return after_write(run, rec, resp->status);
	default:
		break;
	}
	if (rec->kind == LD_NOTE) {
		if (rec->idx == 0)
			snprintf(rec->dest_id, sizeof(rec->dest_id), "%s",
			         res.record_id);
		op_of_write(rec, resp);
		rec->idx++;
		return (size_t)rec->idx < json_array_size(rec->writes)
		           ? step_start(run, rec)
		           : ld_written(run, rec, resp->status);
	}
	if (!rec->pass2)
		snprintf(rec->dest_id, sizeof(rec->dest_id), "%s",
		         res.record_id);
	op_of_write(rec, resp);
	if (rec->kind == LD_RECORD)
		return after_write(run, rec, resp->status);
	return ld_written(run, rec, resp->status);
}
