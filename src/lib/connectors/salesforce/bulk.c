/* bulk.c: Bulk API 2.0 query jobs: create (or find again the job an
 * interrupted run left), poll with backoff until Salesforce is done, then
 * stream the results page by page (each a whole CSV with its own header,
 * Sforce-Locator to the literal "null") into one staging of the object. */
#include <jansson.h>

#include "util.h"

#include "ferry/csv.h"
#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

/* maxRecords never goes below this when a page is too big to take. */
#define PAGE_MIN 100
/* Tries of one results page when no answer came at all (the HTTP client
 * has already retried each of them). */
#define PAGE_TRIES 3

/* Copies a JSON string into dst (cap bytes), control characters as
 * spaces, cut at a character boundary. */
static void copy_clean(char *dst, size_t cap, const json_t *s)
{
	const char *p = json_string_value(s);
	size_t n = json_string_length(s), i;

	dst[0] = '\0';
	if (!p || cap == 0)
		return;
	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		dst[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool valid_job_id(const char *s, size_t len)
{
	size_t i;

	if (len != 15 && len != 18)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]))
			return false;
	return true;
}

int ferry_sf__bulk_parse_job(struct ferry_sf__job *out, const char *body,
                             size_t len)
{
	struct ferry_sf__job job;
	json_t *root = NULL;
	const json_t *v;
	json_error_t jerr;
	size_t i;
	int error = 0;

	memset(&job, 0, sizeof(job));
	job.records = -1;
	if (!body || len == 0) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Salesforce sent an empty job info");
		goto done;
	}
	root = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(root)) {
		error =
		    ferry_error_set(FERRY_EINVALID,
		                    "Salesforce's job info is not a JSON "
		                    "object%s%s",
		                    root ? "" : ": ", root ? "" : jerr.text);
		goto done;
	}
	v = json_object_get(root, "id");
	if (!json_is_string(v) ||
	    !valid_job_id(json_string_value(v), json_string_length(v))) {
		error = ferry_error_set(
		    FERRY_EINVALID, "Salesforce's job info has no valid job "
		                    "id (15 or 18 letters and digits)");
		goto done;
	}
	memcpy(job.id, json_string_value(v), json_string_length(v));
	v = json_object_get(root, "state");
	copy_clean(job.state, sizeof(job.state), v);
	for (i = 0; job.state[i]; i++)
		if (!is_alnum(job.state[i]))
			break;
	if (!job.state[0] || job.state[i]) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Salesforce's job info for %s has no "
		                        "valid state",
		                        job.id);
		goto done;
	}
	copy_clean(job.operation, sizeof(job.operation),
	           json_object_get(root, "operation"));
	copy_clean(job.object, sizeof(job.object),
	           json_object_get(root, "object"));
	copy_clean(job.error_message, sizeof(job.error_message),
	           json_object_get(root, "errorMessage"));
	v = json_object_get(root, "apiVersion");
	if (json_is_number(v) && json_number_value(v) > 0 &&
	    json_number_value(v) < 1000)
		snprintf(job.api_version, sizeof(job.api_version), "%.1f",
		         json_number_value(v));
	else if (json_is_string(v))
		copy_clean(job.api_version, sizeof(job.api_version), v);
	v = json_object_get(root, "numberRecordsProcessed");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		job.records = (int64_t)json_integer_value(v);
	if (!json_is_string(json_object_get(root, "createdDate")) ||
	    ferry_sf__parse_time(
	        json_string_value(json_object_get(root, "createdDate")),
	        &job.created) < 0)
		job.created = 0;
	*out = job;
done:
	json_decref(root);
	return error;
}

static bool locator_char(char c)
{
	return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '-' ||
	       c == '_' || c == '.' || c == '~';
}

int ferry_sf__bulk_parse_page(struct ferry_sf__page *out,
                              const struct ferry_http_response *resp)
{
	struct ferry_sf__page pg;
	char num[64], *loc;
	size_t i;
	int error;

	memset(&pg, 0, sizeof(pg));
	pg.records = -1;
	error = ferry_http_response_header(resp, "Sforce-Locator", pg.locator,
	                                   sizeof(pg.locator));
	if (error == FERRY_ETOOBIG)
		return ferry_error_set(FERRY_EINVALID,
		                       "the Sforce-Locator header of a results "
		                       "page is over %zu characters",
		                       sizeof(pg.locator) - 1);
	if (error < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "a results page came without the "
		                       "Sforce-Locator header, so ferry cannot "
		                       "tell whether it was the last one");
	loc = ferry_str_trim(pg.locator);
	memmove(pg.locator, loc, strlen(loc) + 1);
	if (!strcmp(pg.locator, "null")) {
		pg.last = true;
		pg.locator[0] = '\0';
	} else {
		for (i = 0; pg.locator[i]; i++)
			if (!locator_char(pg.locator[i]))
				break;
		if (!pg.locator[0] || pg.locator[i])
			return ferry_error_set(FERRY_EINVALID,
			                       "the Sforce-Locator header of a "
			                       "results page is not a locator "
			                       "(%s)",
			                       pg.locator[0] ? "unexpected "
			                                       "characters"
			                                     : "empty");
	}
	if (ferry_http_response_header(resp, "Sforce-NumberOfRecords", num,
	                               sizeof(num)) == 0) {
		int64_t n;

		if (ferry_parse_i64(ferry_str_trim(num), &n) < 0 || n < 0)
			return ferry_error_set(
			    FERRY_EINVALID, "the Sforce-NumberOfRecords header "
			                    "of a results page is not a count");
		pg.records = n;
	}
	*out = pg;
	return 0;
}

void ferry_sf__sink_release(struct ferry_sf__sink *s)
{
	if (s->st)
		ferry_stage_abort(s->st);
	s->st = NULL;
	json_decref(s->columns);
	s->columns = NULL;
}

/* Each page repeats the header; a page whose header differs from the
 * first page's would mix columns, so it is refused. */
static int check_header(struct ferry_sf__sink *s, struct ferry_csv *csv)
{
	size_t n = ferry_csv_columns(csv), i;

	if (!s->columns) {
		s->columns = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(
			    s->columns, json_string(ferry_csv_header(csv, i)));
		return 0;
	}
	if (json_array_size(s->columns) != n)
		goto differs;
	for (i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(s->columns, i)),
		           ferry_csv_header(csv, i)) != 0)
			goto differs;
	return 0;
differs:
	return ferry_error_set(FERRY_EINVALID,
	                       "%s: its header differs from the first "
	                       "page's (%zu columns, then %zu)",
	                       ferry_csv_name(csv), json_array_size(s->columns),
	                       n);
}

int ferry_sf__stage_csv(struct ferry_sf__sink *s, const char *name,
                        const char *data, size_t len, int64_t *rows_out)
{
	struct ferry_csv *csv = NULL;
	char id[19];
	long id_col;
	int64_t rows = 0;
	int error, more;

	if (len == 0) /* a page of no records may come without a header */
		goto out;
	if ((error = ferry_csv_open_mem(&csv, name, data, len)) < 0)
		goto done;
	if ((error = check_header(s, csv)) < 0)
		goto done;
	if ((id_col = ferry_csv_column_index(csv, "Id")) < 0) {
		error =
		    ferry_error_set(FERRY_EINVALID,
		                    "%s:1: no Id column: ferry tracks every "
		                    "record by its Salesforce id",
		                    name);
		goto done;
	}
	while ((more = ferry_csv_next(csv)) > 0) {
		if (ferry_sf_id18(id, ferry_csv_field(csv, (size_t)id_col)) <
		    0) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:%zu: '%.40s' is not a Salesforce id", name,
			    ferry_csv_line(csv),
			    ferry_csv_field(csv, (size_t)id_col));
			goto done;
		}
		error = ferry_stage_add_csv(s->st, id, s->staged + 1, csv);
		if (error < 0) {
			ferry_error_wrap(error, "%s:%zu", name,
			                 ferry_csv_line(csv));
			goto done;
		}
		s->staged++;
		rows++;
	}
	if ((error = more) < 0)
		goto done;
out:
	*rows_out = rows;
	error = 0;
done:
	ferry_csv_free(csv);
	return error;
}

static int job_info(struct ferry_sf__run *r, const char *job_id,
                    struct ferry_sf__job *out)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	char path[64];
	int error;

	snprintf(path, sizeof(path), "/jobs/query/%s", job_id);
	if ((error = ferry_sf_call(r->sf, "GET", path, NULL, &resp)) < 0)
		goto done;
	error = ferry_sf__bulk_parse_job(out, resp.body.ptr, resp.body.len);
done:
	ferry_http_response_release(&resp);
	return error;
}

static int create_job(struct ferry_sf__run *r, const char *object,
                      const char *soql, struct ferry_sf__job *out,
                      bool *unsupported)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	json_t *body;
	char *text = NULL;
	int error;

	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "operation",
	                 r->all ? "queryAll" : "query", "query", soql,
	                 "contentType", "CSV", "columnDelimiter", "COMMA",
	                 "lineEnding", "LF");
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (!text)
		return ferry_error_set(FERRY_EINVALID,
		                       "cannot encode the Bulk query of %s",
		                       object);
	memset(&req, 0, sizeof(req));
	req.body = text;
	error = ferry_sf_call(r->sf, "POST", "/jobs/query", &req, &resp);
	/* Salesforce's words: API_ERROR "Entity 'X' is not supported by
	 * the Bulk API." */
	if (error == FERRY_EINVALID &&
	    ferry_sf__is_sf_error(r->sf, error, "API_ERROR") &&
	    strstr(ferry_error_last(), "not supported by the Bulk API")) {
		*unsupported = true;
		ferry_error_clear();
		error = 0;
		goto done;
	}
	if (error < 0) {
		ferry_error_wrap(error, "creating the Bulk query job for %s",
		                 object);
		goto done;
	}
	if ((error = ferry_sf__bulk_parse_job(out, resp.body.ptr,
	                                      resp.body.len)) < 0)
		ferry_error_wrap(error, "creating the Bulk query job for %s",
		                 object);
	else
		r->sf->usage.bulk_jobs++;
done:
	ferry_http_response_release(&resp);
	free(text);
	return error;
}

static bool same_version(const char *a, const char *b)
{
	double x, y;

	return a && b && ferry_parse_double(a, &x) == 0 &&
	       ferry_parse_double(b, &y) == 0 && x - y < 0.01 && y - x < 0.01;
}

/* The job the interrupted run stored for `object`, if Salesforce still
 * has it and it can still give what this run wants: the same object, same
 * operation, same API version (results are refused with 409 otherwise),
 * not failed. */
static int stored_job(struct ferry_sf__run *r, const char *object,
                      const char *key, struct ferry_sf__job *out, bool *found)
{
	struct ferry_buf val = FERRY_BUF_INIT;
	struct ferry_sf__job job;
	json_t *doc = NULL;
	const char *run, *id;
	int error;

	*found = false;
	error = ferry_workspace_meta_get(r->ws, key, &val);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	doc = json_loadb(val.ptr, val.len, 0, NULL);
	run = json_string_value(json_object_get(doc, "run"));
	id = json_string_value(json_object_get(doc, "job"));
	if (!run || !id || strcmp(run, r->run_id) != 0 ||
	    !valid_job_id(id, strlen(id)))
		goto done;
	error = job_info(r, id, &job);
	if (error == FERRY_ENOTFOUND) { /* deleted or expired (7 days) */
		ferry_error_clear();
		error = 0;
		goto done;
	}
	if (error < 0)
		goto done;
	if (!ferry_str_iequal(job.object, object) ||
	    strcmp(job.operation, r->all ? "queryAll" : "query") != 0 ||
	    !same_version(job.api_version, ferry_sf_api_version(r->sf)) ||
	    !(!strcmp(job.state, "UploadComplete") ||
	      !strcmp(job.state, "InProgress") ||
	      !strcmp(job.state, "JobComplete")))
		goto done;
	*out = job;
	*found = true;
done:
	json_decref(doc);
	ferry_buf_release(&val);
	return error;
}

static int store_job(struct ferry_sf__run *r, const char *key,
                     const char *job_id)
{
	json_t *doc = json_pack("{s:s, s:s}", "run", r->run_id, "job", job_id);
	char *text = json_dumps(doc, JSON_COMPACT);
	int error = ferry_workspace_meta_set(r->ws, key, text ? text : "");

	free(text);
	json_decref(doc);
	return error;
}

static int wait_job(struct ferry_sf__run *r, const char *object,
                    const char *key, struct ferry_sf__job *job)
{
	int64_t delay = r->poll_min_ms;
	int error;

	while (!strcmp(job->state, "UploadComplete") ||
	       !strcmp(job->state, "InProgress")) {
		ferry_clock_sleep_us(delay * 1000);
		delay = delay * 2 > r->poll_max_ms ? r->poll_max_ms : delay * 2;
		if ((error = job_info(r, job->id, job)) < 0)
			return ferry_error_wrap(
			    error,
			    "polling Bulk job %s for %s (the job id is kept: "
			    "'ferry extract' resumes it)",
			    job->id, object);
		ferry_sf__progress(r, false);
	}
	if (!strcmp(job->state, "JobComplete"))
		return 0;
	/* A failed job cannot be read: the next run must make a new one. */
	(void)ferry_workspace_meta_set(r->ws, key, "");
	return ferry_error_set(
	    FERRY_EHTTP,
	    "%s: Salesforce's Bulk query job %s ended %s: %s; re-run 'ferry "
	    "extract' to start a new job for %s (objects already staged are "
	    "kept), and if it fails again, look the job up in Setup > Bulk "
	    "Data Load Jobs",
	    object, job->id, job->state,
	    job->error_message[0] ? job->error_message
	                          : "Salesforce gave no reason",
	    object);
}

static int fetch_page(struct ferry_sf__run *r, const char *path,
                      struct ferry_http_response *resp)
{
	struct ferry_http_req req;
	int error = 0, t;

	memset(&req, 0, sizeof(req));
	req.accept = "text/csv";
	for (t = 0; t < PAGE_TRIES; t++) {
		if (t > 0)
			ferry_clock_sleep_us(r->poll_max_ms * 1000);
		ferry_http_response_release(resp);
		error = ferry_sf_call(r->sf, "GET", path, &req, resp);
		if (error != FERRY_ECONN && error != FERRY_ETIMEOUT)
			break;
	}
	return error;
}

static int download(struct ferry_sf__run *r, const char *object,
                    const struct ferry_sf__job *job, int64_t *staged_out)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_sf__sink s;
	struct ferry_sf__page pg;
	struct ferry_buf path = FERRY_BUF_INIT;
	char origin[96], locator[256] = "", name[160];
	int64_t max = r->page_size, rows, count = 0, pageno = 0;
	int error;

	memset(&s, 0, sizeof(s));
	s.object = object;
	snprintf(origin, sizeof(origin), "salesforce bulk job %s", job->id);
	if ((error = ferry_stage_begin(&s.st, r->ws, object, origin)) < 0)
		goto done;
	for (;;) {
		ferry_buf_clear(&path);
		if ((error = ferry_buf_printf(&path,
		                              "/jobs/query/%s/results?"
		                              "maxRecords=%" PRId64,
		                              job->id, max)) < 0 ||
		    (locator[0] &&
		     ((error = ferry_buf_puts(&path, "&locator=")) < 0 ||
		      (error = ferry_buf_put_urlencoded(&path, locator)) < 0)))
			goto done;
		error = fetch_page(r, path.ptr, &resp);
		if (error == FERRY_ETOOBIG && max / 2 >= PAGE_MIN) {
			/* A locator is an offset: the same page, smaller. */
			max /= 2;
			ferry_error_clear();
			continue;
		}
		if (error < 0)
			goto fail;
		pageno++;
		snprintf(name, sizeof(name),
		         "%s results page %" PRId64 " of Bulk job %s", object,
		         pageno, job->id);
		if ((error = ferry_sf__bulk_parse_page(&pg, &resp)) < 0 ||
		    (error = ferry_sf__stage_csv(&s, name, resp.body.ptr,
		                                 resp.body.len, &rows)) < 0)
			goto fail;
		if (pg.records >= 0 && pg.records != rows) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s held %" PRId64 " records but its "
			    "Sforce-NumberOfRecords header says %" PRId64,
			    name, rows, pg.records);
			goto fail;
		}
		r->rep.staged = s.staged;
		ferry_sf__progress(r, false);
		if (pg.last)
			break;
		if (!strcmp(pg.locator, locator)) {
			error =
			    ferry_error_set(FERRY_EINVALID,
			                    "%s gave the same locator as the "
			                    "page before it",
			                    name);
			goto fail;
		}
		snprintf(locator, sizeof(locator), "%s", pg.locator);
		ferry_http_response_release(&resp);
	}
	error = ferry_stage_commit(s.st, &count);
	s.st = NULL;
	if (error < 0)
		goto done;
	*staged_out = count;
	goto done;
fail:
	ferry_error_wrap(error,
	                 "reading the results of Bulk job %s for %s (none of "
	                 "them was kept; the job id is: 'ferry extract' reads "
	                 "it again)",
	                 job->id, object);
done:
	ferry_sf__sink_release(&s);
	ferry_buf_release(&path);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_sf__bulk_prepare(struct ferry_sf__run *r, const char *object,
                           const char *soql, bool *unsupported)
{
	struct ferry_buf val = FERRY_BUF_INIT;
	struct ferry_sf__job job;
	char key[128];
	json_t *doc = NULL;
	const char *run;
	int error;

	*unsupported = false;
	snprintf(key, sizeof(key), "sf.extract.job.%s", object);
	error = ferry_workspace_meta_get(r->ws, key, &val);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		error = 0;
	} else if (error < 0) {
		goto done;
	} else {
		/* This run already has a job for it: bulk_extract checks
		 * that Salesforce still does. */
		doc = json_loadb(val.ptr, val.len, 0, NULL);
		run = json_string_value(json_object_get(doc, "run"));
		if (run && !strcmp(run, r->run_id))
			goto done;
	}
	memset(&job, 0, sizeof(job));
	if ((error = create_job(r, object, soql, &job, unsupported)) < 0 ||
	    *unsupported)
		goto done;
	error = store_job(r, key, job.id);
done:
	json_decref(doc);
	ferry_buf_release(&val);
	return error;
}

int ferry_sf__bulk_extract(struct ferry_sf__run *r, const char *object,
                           const char *soql, bool *unsupported,
                           int64_t *staged_out)
{
	struct ferry_sf__job job;
	char key[128];
	bool found = false;
	int error;

	*unsupported = false;
	snprintf(key, sizeof(key), "sf.extract.job.%s", object);
	memset(&job, 0, sizeof(job));
	if ((error = stored_job(r, object, key, &job, &found)) < 0) {
		ferry_error_wrap(error, "resuming the Bulk job of %s", object);
		goto done;
	}
	if (!found) {
		if ((error = create_job(r, object, soql, &job, unsupported)) <
		        0 ||
		    *unsupported)
			goto done;
		/* Kept before the first poll: a run that stops while
		 * Salesforce works resumes this job, not a new one. */
		if ((error = store_job(r, key, job.id)) < 0)
			goto done;
	}
	snprintf(r->rep.method, sizeof(r->rep.method), "bulk");
	/* Salesforce reads the records after it made the job: a change
	 * after its createdDate is one the next sync asks for. */
	r->read_at = job.created;
	if ((error = wait_job(r, object, key, &job)) < 0 ||
	    (error = download(r, object, &job, staged_out)) < 0)
		goto done;
done:
	return error;
}
