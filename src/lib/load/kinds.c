/* kinds.c: what each kind of plan row sends (answers.c: what its answers
 * mean). A record is asserted on its matching attribute, updated when the
 * plan matched it to a record already in Attio (record_id), or created; a
 * note is created once per parent, a task once; a list entry is asserted
 * by its parent; a link is appended to its record (PATCH adds multiselect
 * values). A create also says how to find what it made (info), for when
 * an attempt may have reached Attio unanswered. */
#include "util.h"

#include <stdarg.h>

#include "load_int.h"

enum ld_kind ld_kind_of(const struct ld_obj *obj, const char *dest)
{
	if (obj->o) {
		switch (obj->o->kind) {
		case FERRY_MF_RECORDS:
			return LD_RECORD;
		case FERRY_MF_LIST_ENTRIES:
			return LD_ENTRY;
		case FERRY_MF_LINKS:
			return LD_LINK;
		case FERRY_MF_FILES:
			return LD_NONE;
		default:
			break;
		}
	}
	/* Notes and tasks by the row: open work and closed history of one
	 * object may go to either; case comments are notes of an object
	 * that is itself `to: null`. */
	if (!strcmp(dest, "notes"))
		return LD_NOTE;
	if (!strcmp(dest, "tasks"))
		return LD_TASK;
	return LD_NONE;
}

static void add_write(struct ld_rec *rec, const struct ferry_attio_request *r)
{
	if (!rec->writes)
		rec->writes = json_array();
	json_array_append_new(rec->writes,
	                      json_pack("{s:i, s:s, s:s, s:s?}", "cls",
	                                (int)r->cls, "method", r->method,
	                                "path", r->path.ptr, "body", r->body));
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A value as the list of its items (a single value is a list of one). */
static json_t *as_list(json_t *v)
{
	if (!v || json_is_null(v))
		return json_array();
	if (json_is_array(v))
		return json_incref(v);
	return json_pack("[O]", v);
}

static void note_printf(struct ld_rec *rec, const char *fmt, ...)
    FERRY_PRINTF(2, 3);
static void note_printf(struct ld_rec *rec, const char *fmt, ...)
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

/* What finds a created record again: its salesforce_id when the mapping
 * writes one, else its text values together. */
static json_t *find_filter(json_t *values)
{
	json_t *v = json_object_get(values, "salesforce_id"), *x;
	json_t *f;
	const char *k;

	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v))
		return json_pack("{s:O}", "salesforce_id", v);
	f = json_object();
	json_object_foreach(values, k, x)
	{
		if (json_is_array(x) && json_array_size(x) == 1)
			x = json_array_get(x, 0);
		if (json_is_string(x) && json_string_length(x))
			json_object_set(f, k, x);
	}
	if (!json_object_size(f)) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static int build_record(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	json_t *values = json_deep_copy(json_object_get(payload, "values"));
	json_t *deferred = json_object(), *lists;
	const char *record_id = str(payload, "record_id");
	struct ferry_attio_request r;
	char first[65];
	int rc, error;

	if (!json_is_object(values)) {
		json_decref(values);
		values = json_object();
	}
	if ((rc = ld_values(run, rec, values, deferred)) != 0)
		goto done;
	/* A plan made online after a load matches the records ferry
	 * asserted itself: asserted as before, the same request, unchanged.
	 * One it updated stays updated. */
	if (record_id && rec->match[0] && rec->had_old &&
	    !strcmp(rec->old.dest_id, record_id) &&
	    strcmp(rec->old.op, "updated"))
		record_id = NULL;
	lists = json_object_get(payload, "lists");
	if (json_is_array(lists) && json_array_size(lists))
		rec->lists = json_incref(lists);
	if (record_id) {
		bool need = false;

		/* Its values before ferry's first write, for rollback. */
		if (!rec->pass2 &&
		    (error = ld_prior_needed(run, rec, record_id, &need)) < 0) {
			rc = error;
			goto done;
		}
		rec->need_prior = need;
		error =
		    ferry_attio_req_update(&r, rec->dest, record_id, values);
	} else if (rec->match[0]) {
		error =
		    ferry_attio_req_assert(&r, rec->dest, rec->match, values);
	} else {
		error = ferry_attio_req_create(&r, rec->dest, values);
		rec->info = json_pack("{s:o*}", "filter", find_filter(values));
	}
	if (error < 0) {
		rc = error;
		goto done;
	}
	add_write(rec, &r);
	ferry_attio_request_release(&r);
	ld_hash(rec->writes, rec->lists, NULL, first);
	if (!rec->pass2) {
		memcpy(rec->hash, first, sizeof(first));
		/* Written by an earlier run with its second pass too? */
		if (rec->had_old && rec->old.status == FERRY_LEDGER_WRITTEN &&
		    rec->old.dest_id[0] &&
		    strcmp(rec->old.payload_hash, first) &&
		    json_object_size(deferred)) {
			size_t keep = rec->note.len;
			json_t *later = json_array();

			if (ld_values(run, rec, deferred, NULL) == 0 &&
			    json_object_size(deferred) &&
			    ferry_attio_req_update(&r, rec->dest,
			                           rec->old.dest_id,
			                           deferred) == 0) {
				json_array_append_new(
				    later,
				    json_pack("{s:s, s:s, s:s}", "method",
				              r.method, "path", r.path.ptr,
				              "body", r.body));
				ferry_attio_request_release(&r);
				ld_hash(later, NULL, first, rec->alt_hash);
			}
			json_decref(later);
			ferry_buf_truncate(&rec->note, keep);
		}
		goto done;
	}
	/* The second pass: the deferred references, once every record of
	 * the object exists, on the record the first pass wrote. */
	json_decref(rec->lists);
	rec->lists = NULL;
	json_array_clear(rec->writes);
	/* The first pass's dropped links are in its ledger reason already. */
	ferry_buf_clear(&rec->note);
	rec->dropped = 0;
	if (!json_object_size(deferred)) {
		rc = 2;
		goto done;
	}
	if ((rc = ld_values(run, rec, deferred, NULL)) != 0)
		goto done;
	if (!json_object_size(deferred)) {
		rc = 2;
		goto done;
	}
	if ((error = ferry_attio_req_update(&r, rec->dest, rec->old.dest_id,
	                                    deferred)) < 0) {
		rc = error;
		goto done;
	}
	add_write(rec, &r);
	ferry_attio_request_release(&r);
	snprintf(rec->dest_id, sizeof(rec->dest_id), "%s", rec->old.dest_id);
	ld_hash(rec->writes, NULL, first, rec->hash);
done:
	json_decref(values);
	json_decref(deferred);
	return rc;
}

static int build_note(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	json_t *v = json_object_get(payload, "values");
	json_t *parents = as_list(json_object_get(v, "parent")), *p, *ref;
	json_t *copies = json_array();
	const char *title = str(v, "title"), *content = str(v, "content");
	const char *created = str(v, "created_at");
	struct ferry_attio_request r;
	struct ferry_buf text = FERRY_BUF_INIT;
	char why[1200] = "it has no parent";
	size_t i;
	int rc = 0;

	/* A case's note: its comments too, so the hash covers them. */
	if (rec->obj->o && rec->obj->o->comments) {
		if ((content && (rc = ferry_buf_puts(&text, content)) < 0) ||
		    (rc = ld_case_comments(run, rec, &text)) < 0)
			goto done;
		content = text.ptr;
	}

	json_array_foreach(parents, i, p)
	{
		if (!(ref = ld_ref(run, p, why, sizeof(why)))) {
			note_printf(rec, "parent: %s: %s", why,
			            "no note on it");
			rec->dropped++;
			continue;
		}
		rc = ferry_attio_req_note(&r, str(ref, "target_object"),
		                          str(ref, "target_record_id"), title,
		                          "plaintext", content, created);
		if (rc == 0) {
			add_write(rec, &r);
			ferry_attio_request_release(&r);
			json_array_append_new(
			    copies,
			    json_pack(
			        "{s:O, s:O}", "parent_object",
			        json_object_get(ref, "target_object"),
			        "parent_record_id",
			        json_object_get(ref, "target_record_id")));
		}
		json_decref(ref);
		if (rc < 0)
			goto done;
	}
	if (!json_array_size(copies)) {
		ferry_buf_clear(&rec->note);
		note_printf(rec, "parent is required and not in Attio: %s",
		            why);
		rc = 1;
		goto done;
	}
	rec->info = json_pack(
	    "{s:s, s:s, s:s?, s:O}", "title", title ? title : "", "content",
	    content ? content : "", "created_at", created, "copies", copies);
	ld_hash(rec->writes, NULL, NULL, rec->hash);
done:
	ferry_buf_release(&text);
	json_decref(parents);
	json_decref(copies);
	return rc;
}

static bool truthy(const json_t *v)
{
	const char *s = json_string_value(v);

	return json_is_true(v) ||
	       (s && (!strcmp(s, "true") || !strcmp(s, "1")));
}

static int build_task(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	json_t *v = json_object_get(payload, "values");
	json_t *links = as_list(json_object_get(v, "linked_records"));
	json_t *who = as_list(json_object_get(v, "assignees"));
	json_t *linked = json_array(), *assignees = json_array(), *x, *ref;
	const char *content = str(v, "content"),
	           *deadline = str(v, "deadline_at");
	bool done_v = truthy(json_object_get(v, "is_completed"));
	struct ferry_attio_request r;
	char why[1200];
	size_t i;
	int rc;

	json_array_foreach(links, i, x)
	{
		if (!ld_is_ref(x)) {
			json_array_append(linked, x);
		} else if ((ref = ld_ref(run, x, why, sizeof(why)))) {
			json_array_append_new(linked, ref);
		} else {
			note_printf(rec, "linked_records: %s: %s", why,
			            "written without this link");
			rec->dropped++;
		}
	}
	json_array_foreach(who, i, x)
	{
		if (json_is_string(x))
			json_array_append_new(
			    assignees,
			    json_pack("{s:O}", "workspace_member_email_address",
			              x));
		else if (json_is_object(x))
			json_array_append(assignees, x);
	}
	rc = ferry_attio_req_task(&r, content, deadline, done_v, linked,
	                          assignees);
	if (rc == 0) {
		add_write(rec, &r);
		ferry_attio_request_release(&r);
		x = json_array_get(linked, 0);
		rec->info =
		    json_pack("{s:s, s:s?, s:b, s:s?, s:s?}", "content",
		              content ? content : "", "deadline_at", deadline,
		              "is_completed", done_v, "linked_object",
		              str(x, "target_object"), "linked_record_id",
		              str(x, "target_record_id"));
		ld_hash(rec->writes, NULL, NULL, rec->hash);
	}
	json_decref(links);
	json_decref(who);
	json_decref(linked);
	json_decref(assignees);
	return rc;
}

static int build_entry(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	json_t *values = json_deep_copy(json_object_get(payload, "values"));
	json_t *ref = NULL;
	struct ferry_attio_request r;
	char why[1200] = "it names no parent record";
	int rc;

	if (!json_is_object(values)) {
		json_decref(values);
		values = json_object();
	}
	if (!ld_is_ref(json_object_get(values, "parent")) ||
	    !(ref = ld_ref(run, json_object_get(values, "parent"), why,
	                   sizeof(why)))) {
		note_printf(rec, "parent is required and not in Attio: %s",
		            why);
		rc = 1;
		goto done;
	}
	json_object_del(values, "parent");
	if ((rc = ld_values(run, rec, values, NULL)) != 0)
		goto done;
	rc = ferry_attio_req_entry(&r, rec->dest, str(ref, "target_object"),
	                           str(ref, "target_record_id"), values);
	if (rc == 0) {
		add_write(rec, &r);
		ferry_attio_request_release(&r);
		ld_hash(rec->writes, NULL, NULL, rec->hash);
	}
done:
	json_decref(ref);
	json_decref(values);
	return rc;
}

static int build_link(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	json_t *link = json_object_get(payload, "link");
	const char *attr = str(link, "attribute");
	json_t *a = NULL, *b = NULL, *values = NULL;
	struct ferry_attio_request r;
	char why[1200] = "the plan gives no link";
	int rc = 1;

	if (!attr ||
	    !(a = ld_ref(run, json_object_get(link, "record"), why,
	                 sizeof(why))) ||
	    !(b = ld_ref(run, json_object_get(link, "add"), why,
	                 sizeof(why)))) {
		note_printf(rec, "%s: %s", attr ? attr : "link", why);
		goto done;
	}
	values = json_pack("{s:[O]}", attr, b);
	rc = ferry_attio_req_update(&r, str(a, "target_object"),
	                            str(a, "target_record_id"), values);
	if (rc == 0) {
		add_write(rec, &r);
		ferry_attio_request_release(&r);
		ld_hash(rec->writes, NULL, NULL, rec->hash);
	}
done:
	json_decref(a);
	json_decref(b);
	json_decref(values);
	return rc;
}

int ld_build(struct ld_run *run, struct ld_rec *rec, json_t *payload)
{
	switch (rec->kind) {
	case LD_RECORD:
		return build_record(run, rec, payload);
	case LD_NOTE:
		return build_note(run, rec, payload);
	case LD_TASK:
		return build_task(run, rec, payload);
	case LD_ENTRY:
		return build_entry(run, rec, payload);
	case LD_LINK:
		return build_link(run, rec, payload);
	default:
		return ferry_error_set(
		    FERRY_EINVALID, "%s %s: nothing to write for '%s'",
		    rec->obj->name, rec->source_id, rec->dest);
	}
}
