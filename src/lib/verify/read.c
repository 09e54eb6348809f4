/* read.c: Attio read back cheaply. The records ferry wrote are found where
 * they are: each destination object paged through with the records query
 * (500 a page), notes and tasks through their listings, list entries
 * through the entries query, all on one multi handle under the read
 * budget (class READ), many pages in flight. How many pages an object
 * has is estimated from the ledger, and pages past the estimate are
 * asked for a few at a time until one comes back short. What is kept of
 * each record is keep.c's. */
#include "util.h"

#include "ferry/attio.h"
#include "store/store.h"
#include "verify_int.h"

/* One destination paged through. */
struct src {
	enum vf_src kind;
	char slug[64]; /* the object or list; "" for notes and tasks */
	char key[80];  /* vf_seen.kind: slug, "list:<slug>", "notes", "tasks" */
	int page;
	int64_t next; /* the next offset to ask for */
	int64_t end;  /* where the data ends, once a short page said */
	int64_t estimate, pages_done;
};

/* One request queued or in flight (on the reader's list until it ends:
 * a verify stopped early frees the rest). */
struct req {
	struct req *prev, *next;
	struct src *src; /* NULL: the workspace members */
	int64_t offset;
};

struct reader {
	struct vf_run *run;
	struct req *live;
	struct src *srcs;
	size_t n_srcs;
	int64_t pages_total, pages_done;
	int fatal;
};

/* The written records whose values are compared: per source object, an
 * evenly spread sample of its written records (or all of them). */
static int choose_sample(struct vf_run *run)
{
	sqlite3_stmt *st = NULL;
	int error;

	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "INSERT OR IGNORE INTO temp.vf_sample(id) SELECT dest_id FROM "
	         "(SELECT l.dest_id, row_number() OVER w - 1 AS i, count(*) "
	         "OVER (PARTITION BY l.object) AS n FROM ledger l JOIN plan p "
	         "ON p.object = l.object AND p.source_id = l.source_id WHERE "
	         "l.status = 'written' AND l.dest_id != '' AND p.decision = "
	         "'write' AND l.dest_object != 'links' WINDOW w AS (PARTITION "
	         "BY l.object ORDER BY l.source_id)) WHERE ?1 < 0 OR (i % ((n "
	         "+ ?1 - 1) / ?1) = 0)")) < 0)
		return error;
	sqlite3_bind_int64(st, 1, run->sample);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot choose the records "
		                                    "to compare");
	sqlite3_finalize(st);
	return error;
}

static struct src *add_src(struct reader *rd, enum vf_src kind,
                           const char *slug, int64_t estimate)
{
	struct src *s;
	size_t i;
	char key[80];

	if (kind == VF_SRC_ENTRIES)
		snprintf(key, sizeof(key), "list:%s", slug);
	else
		snprintf(key, sizeof(key), "%s", slug);
	for (i = 0; i < rd->n_srcs; i++)
		if (!strcmp(rd->srcs[i].key, key)) {
			rd->srcs[i].estimate += estimate;
			return &rd->srcs[i];
		}
	rd->srcs = ferry_xrealloc(rd->srcs, (rd->n_srcs + 1) * sizeof(*s));
	s = &rd->srcs[rd->n_srcs++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	snprintf(s->slug, sizeof(s->slug), "%s", slug);
	memcpy(s->key, key, sizeof(key));
	s->page = kind == VF_SRC_NOTES   ? VF_NOTES_PAGE
	          : kind == VF_SRC_TASKS ? VF_TASKS_PAGE
	                                 : VF_QUERY_PAGE;
	s->end = INT64_MAX;
	s->estimate = estimate;
	return s;
}

/* Where the written records are: each destination of the ledger's
 * written rows; a link's is the object of the record it was added to. */
static int sources(struct reader *rd)
{
	struct vf_run *run = rd->run;
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT CASE WHEN l.dest_object = 'links' THEN "
	         "coalesce(json_extract(p.payload, "
	         "'$.link.record.target_object'), '') ELSE l.dest_object END, "
	         "l.dest_object = 'links', count(*) FROM ledger l JOIN plan p "
	         "ON p.object = l.object AND p.source_id = l.source_id WHERE "
	         "l.status = 'written' AND l.dest_id != '' AND p.decision = "
	         "'write' GROUP BY 1, 2 ORDER BY 1")) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *dest = (const char *)sqlite3_column_text(st, 0);
		bool link = sqlite3_column_int(st, 1) != 0;
		int64_t n = sqlite3_column_int64(st, 2);

		if (!*dest)
			continue;
		if (!link && !strcmp(dest, "notes"))
			add_src(rd, VF_SRC_NOTES, "notes", n);
		else if (!link && !strcmp(dest, "tasks"))
			add_src(rd, VF_SRC_TASKS, "tasks", n);
		else if (!link && json_object_get(run->lists, dest))
			add_src(rd, VF_SRC_ENTRIES, dest, n);
		else
			add_src(rd, VF_SRC_RECORDS, dest, link ? 0 : n);
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot read the ledger");
	sqlite3_finalize(st);
	if (error < 0)
		return error;
	/* Lists a record type adds its records to: their entries. */
	{
		const char *slug;
		json_t *v;

		json_object_foreach(run->lists, slug, v)
		    add_src(rd, VF_SRC_ENTRIES, slug, 0);
	}
	return 0;
}

static int queue(struct reader *rd, struct src *s, int64_t offset)
{
	struct vf_run *run = rd->run;
	struct ferry_attio_request r;
	struct req *q;
	char *body = NULL;
	int error;

	memset(&r, 0, sizeof(r));
	ferry_buf_init(&r.path, 4096);
	switch (s ? s->kind : VF_SRC_NOTES) {
	case VF_SRC_RECORDS:
		ferry_buf_release(&r.path);
		if ((error = ferry_attio_req_query(&r, s->slug, NULL, s->page,
		                                   (int)offset)) < 0)
			return ferry_error_wrap(error, "reading %s", s->slug);
		break;
	case VF_SRC_ENTRIES:
		r.method = "POST";
		error = ferry_buf_puts(&r.path, "/v2/lists/");
		if (!error)
			error = ferry_buf_put_urlencoded(&r.path, s->slug);
		if (!error)
			error = ferry_buf_puts(&r.path, "/entries/query");
		body = ferry_xasprintf("{\"limit\":%d,\"offset\":%" PRId64 "}",
		                       s->page, offset);
		r.body = body;
		if (error < 0)
			goto fail;
		break;
	default:
		r.method = "GET";
		error = s ? ferry_buf_printf(&r.path,
		                             "/v2/%s?limit=%d&offset=%" PRId64,
		                             s->key, s->page, offset)
		          : ferry_buf_puts(&r.path, "/v2/workspace_members");
		if (error < 0)
			goto fail;
		break;
	}
	q = ferry_xcalloc(1, sizeof(*q));
	q->src = s;
	q->offset = offset;
	error = ferry_multi_add(run->multi, FERRY_HTTP_READ, r.method,
	                        r.path.ptr, r.body, q);
	if (error < 0) {
		free(q);
		goto fail;
	}
	q->next = rd->live;
	if (rd->live)
		rd->live->prev = q;
	rd->live = q;
	if (s)
		s->next = offset + s->page;
fail:
	ferry_attio_request_release(&r);
	return error;
}

static const char *what_of(const struct src *s)
{
	return s ? s->key : "workspace members";
}

/* A page read: its records kept, and the next pages asked for. */
static int on_page(struct reader *rd, struct req *q, const json_t *data)
{
	struct vf_run *run = rd->run;
	struct src *s = q->src;
	size_t n = json_array_size(data), i;
	int error = 0;

	rd->pages_done++;
	if (!s) {
		vf_keep_members(run, data);
		return 0;
	}
	s->pages_done++;
	if (!run->ws->depth && (error = ferry_workspace_begin(run->ws)) < 0)
		return error;
	for (i = 0; i < n && !error; i++)
		error = vf_keep(run, s->kind, s->key, json_array_get(data, i));
	run->rows_in_txn += (int64_t)n;
	if (!error && run->rows_in_txn >= VF_ROWS_PER_COMMIT) {
		error = ferry_workspace_commit(run->ws);
		run->rows_in_txn = 0;
	}
	if (error < 0)
		return error;
	if (n < (size_t)s->page) {
		if (q->offset + (int64_t)n < s->end)
			s->end = q->offset + (int64_t)n;
		return 0;
	}
	while (s->next < s->end &&
	       s->next <= q->offset + (int64_t)s->page * VF_LOOKAHEAD) {
		rd->pages_total++;
		if ((error = queue(rd, s, s->next)) < 0)
			return error;
	}
	return 0;
}

static int fail_answer(struct reader *rd, const struct req *q, long status,
                       const char *body, size_t len)
{
	struct ferry_attio_result res;
	int code = status == 401 || status == 403 ? FERRY_EAUTH
	           : status == 429                ? FERRY_ERATELIMIT
	                                          : FERRY_EHTTP;

	ferry_attio_parse_written(&res, status, body, len, "record_id");
	rd->fatal = ferry_error_set(
	    code,
	    "reading %s from Attio (offset %" PRId64 "): HTTP %ld%s%s: %s",
	    what_of(q->src), q->offset, status, res.code[0] ? " " : "",
	    res.code, res.message);
	return rd->fatal;
}

static void unlink_req(struct reader *rd, struct req *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		rd->live = q->next;
	if (q->next)
		q->next->prev = q->prev;
	free(q);
}

static int on_done(const struct ferry_multi_done *d, void *payload)
{
	struct reader *rd = payload;
	struct req *q = d->tag;
	const struct ferry_http_response *resp = d->resp;
	json_t *data = NULL;
	char *body = NULL;
	int error = 0;

	if (d->error < 0 || !resp) {
		error = rd->fatal = ferry_error_set(
		    d->error < 0 ? d->error : FERRY_ECONN,
		    "reading %s from Attio: %s", what_of(q->src),
		    d->message ? d->message : "no answer");
		goto done;
	}
	if (resp->status == 404 && q->src) {
		/* The object or list is gone: every record ferry wrote to
		 * it is missing, which the checks say record by record. */
		q->src->end = 0;
		rd->pages_done++;
		goto done;
	}
	if (resp->status < 200 || resp->status > 299) {
		error = fail_answer(rd, q, resp->status, resp->body.ptr,
		                    resp->body.len);
		goto done;
	}
	body = vf_exact_amounts(resp->body.ptr, resp->body.len);
	if (!body || ferry_attio_parse_list(&data, body, strlen(body)) < 0) {
		error = rd->fatal = ferry_error_set(
		    FERRY_EHTTP,
		    "reading %s from Attio: HTTP %ld without a data array",
		    what_of(q->src), resp->status);
		goto done;
	}
	error = on_page(rd, q, data);
	if (error < 0 && !rd->fatal)
		rd->fatal = error;
done:
	vf_progress(rd->run, "reading", what_of(q->src), rd->pages_done,
	            rd->pages_total, false);
	json_decref(data);
	free(body);
	unlink_req(rd, q);
	return error;
}

static int prepare(struct vf_run *run)
{
	int error;

	if ((error = ferry_store__prepare(
	         &run->seen_put, run->ws,
	         "INSERT OR REPLACE INTO temp.vf_seen(kind, id, parent, "
	         "label, refs, vals) VALUES(?, ?, ?, ?, ?, ?)")) < 0 ||
	    (error = ferry_store__prepare(
	         &run->sampled, run->ws,
	         "SELECT 1 FROM temp.vf_sample WHERE id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &run->seen_get, run->ws,
	         "SELECT refs, vals FROM temp.vf_seen WHERE kind = ? AND id "
	         "= ?")) < 0)
		return error;
	return ferry_store__prepare(
	    &run->seen_child, run->ws,
	    "SELECT count(*) FROM temp.vf_seen WHERE kind = ?1 AND parent = "
	    "?2 AND (?3 IS NULL OR label IS ?3)");
}

int vf_read(struct vf_run *run)
{
	struct ferry_multi_opts mo;
	struct reader rd;
	int64_t started = ferry_clock_mono_us();
	size_t i;
	int error, rc;

	memset(&rd, 0, sizeof(rd));
	rd.run = run;
	memset(&mo, 0, sizeof(mo));
	mo.http = run->o->http;
	mo.max_in_flight = run->o->max_in_flight;
	if ((error = prepare(run)) < 0 || (error = choose_sample(run)) < 0 ||
	    (error = sources(&rd)) < 0 ||
	    (error = ferry_multi_new(&run->multi, &mo)) < 0)
		goto done;
	if ((error = queue(&rd, NULL, 0)) < 0)
		goto done;
	for (i = 0; i < rd.n_srcs; i++) {
		struct src *s = &rd.srcs[i];

		/* The pages the ledger says there are, and one more. */
		while (s->next <= s->estimate) {
			rd.pages_total++;
			if ((error = queue(&rd, s, s->next)) < 0)
				goto done;
		}
	}
	vf_progress(run, "reading", "", 0, rd.pages_total, true);
	while ((rc = ferry_multi_run(run->multi, 100, on_done, &rd)) > 0) {
		if (run->o->stop && *run->o->stop) {
			error = ferry_error_set(FERRY_EHALTED,
			                        "verify was stopped while "
			                        "reading Attio");
			goto done;
		}
	}
	if (rc < 0) {
		error = rd.fatal ? rd.fatal : rc;
		goto done;
	}
	if (run->ws->depth)
		error = ferry_workspace_commit(run->ws);
	vf_progress(run, "reading", "", rd.pages_done, rd.pages_total, true);
done:
	if (error < 0 && run->ws->depth)
		ferry_workspace_rollback(run->ws);
	run->read_seconds =
	    (double)(ferry_clock_mono_us() - started) / 1000000.0;
	/* Requests left queued when verify stopped: the handle goes with
	 * the run, their tags here. */
	while (rd.live)
		unlink_req(&rd, rd.live);
	free(rd.srcs);
	return error;
}
