/* sf_bulk.c: the Salesforce stand-in's Bulk API 2.0 query jobs: create
 * (with Bulk's SOQL refusals), the UploadComplete → InProgress →
 * JobComplete (or Failed) walk over polls, abort, delete, the listing,
 * resultPages links, and results pages streamed as CSV while they are
 * generated. A locator is the base64 of the page's first row number; the
 * job remembers where in the object rows it has seen begin, so the next
 * page continues where the last one stopped. */
#include "util.h"

#include "server.h"
#include "sf_http.h"

#define MAX_JOBS        10000
#define MAX_CHECKPOINTS 4096
#define CHUNK           (64 * 1024)
#define RESULT_LINKS    5 /* links per resultPages answer */

static const struct {
	const char *name;
	char c;
} delimiters[] = {
    {"BACKQUOTE", '`'}, {"CARET", '^'},     {"COMMA", ','},
    {"PIPE", '|'},      {"SEMICOLON", ';'}, {"TAB", '\t'},
};

struct sf_stream {
	struct sf_sb *sb;
	char job_id[19];
	struct sf_query *q;
	bool all;
	struct sf_pos at; /* the next row and the raw index to walk from */
	int64_t skip;     /* rows before the page starts */
	int64_t left;     /* rows of the page still to write */
	char delim;
	const char *eol;
	size_t n_cols;
	const char **row;
	struct sf_record rec;
	struct ferry_buf buf;
	size_t off;
	bool started, complete, skipped, short_page;
	struct sf_pos page_start;
	int64_t bytes;
};

void sf_job_free(struct sf_job *j)
{
	if (!j)
		return;
	free(j->soql);
	sf_query_free(j->q);
	free(j->cps);
	free(j);
}

static const char *state_name(enum sf_job_state s)
{
	switch (s) {
	case SF_JOB_UPLOAD_COMPLETE:
		return "UploadComplete";
	case SF_JOB_IN_PROGRESS:
		return "InProgress";
	case SF_JOB_COMPLETE:
		return "JobComplete";
	case SF_JOB_FAILED:
		return "Failed";
	case SF_JOB_ABORTED:
		return "Aborted";
	}
	return "Failed";
}

/* base64 of the decimal row number, without padding (Salesforce's
 * "MTAwMDA" is "10000"). */
static void encode_locator(int64_t row, char *out, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char dec[24];
	size_t n = (size_t)snprintf(dec, sizeof(dec), "%lld", (long long)row);
	size_t i, w = 0;

	for (i = 0; i < n && w + 5 < len; i += 3) {
		unsigned v = (unsigned char)dec[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)dec[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)dec[i + 2];
		out[w++] = tbl[(v >> 18) & 63];
		out[w++] = tbl[(v >> 12) & 63];
		if (i + 1 < n)
			out[w++] = tbl[(v >> 6) & 63];
		if (i + 2 < n)
			out[w++] = tbl[v & 63];
	}
	out[w] = '\0';
}

static bool decode_locator(const char *loc, int64_t *row)
{
	struct ferry_buf dec = FERRY_BUF_INIT;
	bool ok;

	ferry_buf_init(&dec, 32);
	ok = sandbox_b64decode(loc, &dec) && dec.len > 0 &&
	     strlen(dec.ptr) == dec.len && ferry_parse_i64(dec.ptr, row) == 0 &&
	     *row >= 0 && dec.ptr[0] != '+' && dec.ptr[0] != '-';
	ferry_buf_release(&dec);
	return ok;
}

static struct sf_job *find_job(struct sf_sb *sb, const char *id)
{
	size_t i;

	for (i = 0; i < sb->n_jobs; i++)
		if (!strcmp(sb->jobs[i]->id, id))
			return sb->jobs[i];
	return NULL;
}

static struct sf_job *job_or_404(struct sf_sb *sb, const char *id,
                                 struct sf_err *e)
{
	struct sf_job *j = find_job(sb, id);

	if (!j)
		sf_err_set(e, 404, "NOT_FOUND",
		           "The requested resource does not exist");
	return j;
}

static json_t *job_json(struct sf_sb *sb, const struct sf_job *j, bool full)
{
	char created[40], modstamp[40];
	double version = 0;
	json_t *o;

	/* by the org's clock, as the records' SystemModstamp */
	sf_format_time(sf_org_time_of_wall(sb->org, j->created_us), created,
	               sizeof(created));
	sf_format_time(sf_org_time_of_wall(sb->org, j->modstamp_us), modstamp,
	               sizeof(modstamp));
	ferry_parse_double(j->version, &version);
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s}",
	              "id", j->id, "operation", j->all ? "queryAll" : "query",
	              "object", j->obj->name, "createdById", sb->user_id,
	              "createdDate", created, "systemModstamp", modstamp,
	              "state", state_name(j->state), "concurrencyMode",
	              "Parallel", "contentType", "CSV", "apiVersion", version,
	              "jobType", "V2Query", "lineEnding", j->eol_name,
	              "columnDelimiter", j->delim_name);
	if (!full)
		return o;
	json_object_set_new(
	    o, "numberRecordsProcessed",
	    json_integer(j->state == SF_JOB_COMPLETE ? j->total : 0));
	json_object_set_new(o, "retries", json_integer(0));
	json_object_set_new(o, "totalProcessingTime",
	                    json_integer(j->processing_ms));
	json_object_set_new(o, "isPkChunkingSupported",
	                    json_boolean(!j->obj->tooling));
	if (j->state == SF_JOB_FAILED)
		json_object_set_new(o, "errorMessage",
		                    json_string(j->error_message));
	return o;
}

/* --- create --- */

static const char *body_str(json_t *body, const char *key, const char *def)
{
	json_t *v = json_object_get(body, key);

	return json_is_string(v) ? json_string_value(v) : v ? NULL : def;
}

/* Bulk's refusals of a parsed query. */
static int bulk_refusals(const struct sf_query *q, struct sf_err *e)
{
	const struct sf_object *o = sf_query_object(q);
	size_t i;

	if (sf_query_is_count(q) || sf_query_is_count_expr(q))
		return sf_err_set(e, 400, "API_ERROR",
		                  "Aggregate queries are not supported by Bulk "
		                  "API 2.0: run COUNT() through the REST query "
		                  "resource");
	if (o->bulk_unsupported)
		return sf_err_set(e, 400, "API_ERROR",
		                  "Entity '%s' is not supported by the Bulk "
		                  "API.",
		                  o->name);
	for (i = 0; i < sf_query_n_columns(q); i++) {
		const char *col = sf_query_column(q, i);
		enum sf_ftype t = sf_query_column_type(q, i);
		long fi = strchr(col, '.') ? -1 : sf_object_field(o, col);

		if (t == SF_ADDRESS ||
		    (fi >= 0 && !o->fields[fi].bulk_ok && t != SF_BASE64))
			return sf_err_set(
			    e, 400, "INVALID_FIELD",
			    "Selecting compound data not supported "
			    "in Bulk Query: %s",
			    col);
		if (t == SF_BASE64)
			return sf_err_set(
			    e, 400, "INVALID_FIELD",
			    "Binary field '%s' is not supported in "
			    "Bulk Query: fetch it through REST",
			    col);
	}
	return 0;
}

int sf_h_job_create(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e)
{
	json_error_t jerr;
	json_t *body =
	    rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &jerr) : NULL;
	const char *op, *soql, *ct, *delim, *eol;
	struct sf_query *q = NULL;
	struct sf_job *j;
	size_t i, di = FERRY_ARRAY_LEN(delimiters);
	int rc = -1;

	if (!json_is_object(body)) {
		sf_err_set(e, 400, "JSON_PARSER_ERROR",
		           "The request body must be a JSON object such as "
		           "{\"operation\":\"query\",\"query\":\"SELECT Id "
		           "FROM Account\"}");
		goto done;
	}
	op = body_str(body, "operation", NULL);
	soql = body_str(body, "query", NULL);
	ct = body_str(body, "contentType", "CSV");
	delim = body_str(body, "columnDelimiter", "COMMA");
	eol = body_str(body, "lineEnding", "LF");
	for (i = 0; delim && i < FERRY_ARRAY_LEN(delimiters); i++)
		if (!strcmp(delim, delimiters[i].name))
			di = i;
	if (!op || (strcmp(op, "query") && strcmp(op, "queryAll")))
		sf_err_set(
		    e, 400, "API_ERROR",
		    "Invalid value for operation: use query or queryAll");
	else if (!soql || !*soql)
		sf_err_set(e, 400, "API_ERROR", "The query is missing");
	else if (!ct || strcmp(ct, "CSV"))
		sf_err_set(e, 400, "API_ERROR",
		           "Invalid value for contentType: only CSV is "
		           "supported");
	else if (di == FERRY_ARRAY_LEN(delimiters))
		sf_err_set(e, 400, "API_ERROR",
		           "Invalid value for columnDelimiter: use BACKQUOTE, "
		           "CARET, COMMA, PIPE, SEMICOLON or TAB");
	else if (!eol || (strcmp(eol, "LF") && strcmp(eol, "CRLF")))
		sf_err_set(e, 400, "API_ERROR",
		           "Invalid value for lineEnding: use LF or CRLF");
	else if (sf_query_parse(&q, sb->org, soql, false, e) < 0)
		q = NULL;
	else if (bulk_refusals(q, e) == 0)
		rc = 0;
	if (rc < 0)
		goto done;
	if (sb->n_jobs >= MAX_JOBS) {
		/* Salesforce keeps jobs 7 days; the sandbox, the last 10,000 */
		sf_job_free(sb->jobs[0]);
		memmove(&sb->jobs[0], &sb->jobs[1],
		        (sb->n_jobs - 1) * sizeof(*sb->jobs));
		sb->n_jobs--;
	}
	j = ferry_xcalloc(1, sizeof(*j));
	sf_make_id(j->id, "750", ++sb->next_id);
	j->soql = ferry_xstrdup(soql);
	j->q = q;
	q = NULL;
	j->obj = sf_query_object(j->q);
	j->all = !strcmp(op, "queryAll");
	snprintf(j->version, sizeof(j->version), "%s", rq->version);
	j->delim = delimiters[di].c;
	j->delim_name = delimiters[di].name;
	j->eol_name = !strcmp(eol, "CRLF") ? "CRLF" : "LF";
	j->state = SF_JOB_UPLOAD_COMPLETE;
	j->created_us = j->modstamp_us = ferry_clock_wall_us();
	sb->jobs =
	    ferry_xrealloc(sb->jobs, (sb->n_jobs + 1) * sizeof(*sb->jobs));
	sb->jobs[sb->n_jobs++] = j;
	sb->bulk_jobs_used++;
	sb->stats.bulk_jobs++;
	out->json = job_json(sb, j, false);
done:
	sf_query_free(q);
	json_decref(body);
	return rc;
}

/* --- state --- */

/* One poll's worth of progress. */
static void advance(struct sf_sb *sb, struct sf_job *j)
{
	int64_t now = ferry_clock_wall_us();

	if (j->state != SF_JOB_UPLOAD_COMPLETE &&
	    j->state != SF_JOB_IN_PROGRESS)
		return;
	j->polls++;
	j->modstamp_us = now;
	j->processing_ms = (now - j->created_us) / 1000;
	if (j->polls <= sb->opts->bulk_polls ||
	    now - j->created_us < sb->opts->bulk_ms * 1000) {
		j->state = SF_JOB_IN_PROGRESS;
		return;
	}
	if (sb->opts->fail_job &&
	    ferry_str_iequal(sb->opts->fail_job, j->obj->name)) {
		j->state = SF_JOB_FAILED;
		snprintf(j->error_message, sizeof(j->error_message),
		         "InternalServerError: the query failed after 15 "
		         "retries (injected by ferry-sandbox --fail-job %s)",
		         j->obj->name);
		return;
	}
	j->total = sf_query_count(j->q, j->all);
	j->state = SF_JOB_COMPLETE;
}

int sf_h_job_get(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e)
{
	struct sf_job *j;

	if (!(j = job_or_404(sb, rq->params[0], e)))
		return -1;
	advance(sb, j);
	out->json = job_json(sb, j, true);
	return 0;
}

int sf_h_job_list(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                  struct sf_err *e)
{
	char *loc = sf_req_arg(rq, "queryLocator");
	int64_t from = 0, i;
	json_t *recs = json_array();
	char *next = NULL;

	FERRY_UNUSED(e);
	if (loc && (ferry_parse_i64(loc, &from) < 0 || from < 0))
		from = 0;
	if (from > (int64_t)sb->n_jobs)
		from = (int64_t)sb->n_jobs;
	for (i = from; i < (int64_t)sb->n_jobs && i < from + 1000; i++)
		json_array_append_new(recs, job_json(sb, sb->jobs[i], true));
	if (i < (int64_t)sb->n_jobs)
		next = ferry_xasprintf(
		    "/services/data/v%s/jobs/query?queryLocator=%lld",
		    rq->version, (long long)i);
	out->json = json_pack("{s:b,s:o,s:s?}", "done", next == NULL, "records",
	                      recs, "nextRecordsUrl", next);
	if (!next)
		json_object_set_new(out->json, "nextRecordsUrl", json_null());
	free(next);
	free(loc);
	return 0;
}

int sf_h_job_patch(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e)
{
	struct sf_job *j;
	json_t *body;
	const char *state;

	if (!(j = job_or_404(sb, rq->params[0], e)))
		return -1;
	body =
	    rq->body_len ? json_loadb(rq->body, rq->body_len, 0, NULL) : NULL;
	state = json_string_value(json_object_get(body, "state"));
	if (!state || strcmp(state, "Aborted")) {
		json_decref(body);
		return sf_err_set(e, 400, "API_ERROR",
		                  "A query job can only be changed to "
		                  "{\"state\":\"Aborted\"}");
	}
	json_decref(body);
	if (j->state != SF_JOB_UPLOAD_COMPLETE &&
	    j->state != SF_JOB_IN_PROGRESS)
		return sf_err_set(
		    e, 400, "API_ERROR",
		    "Job %s is already %s; only an UploadComplete "
		    "or InProgress job can be aborted",
		    j->id, state_name(j->state));
	j->state = SF_JOB_ABORTED;
	j->modstamp_us = ferry_clock_wall_us();
	out->json = job_json(sb, j, false);
	return 0;
}

int sf_h_job_delete(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e)
{
	size_t i;

	for (i = 0; i < sb->n_jobs; i++)
		if (!strcmp(sb->jobs[i]->id, rq->params[0])) {
			sf_job_free(sb->jobs[i]);
			memmove(&sb->jobs[i], &sb->jobs[i + 1],
			        (sb->n_jobs - i - 1) * sizeof(*sb->jobs));
			sb->n_jobs--;
			out->status = 204;
			return 0;
		}
	return sf_err_set(e, 404, "NOT_FOUND",
	                  "The requested resource does not exist");
}

/* --- results --- */

/* The job of a results request, complete and under its own version. */
static int completed_job(struct sf_sb *sb, struct sf_req *rq,
                         struct sf_job **out, struct sf_err *e)
{
	struct sf_job *j;

	if (!(j = job_or_404(sb, rq->params[0], e)))
		return -1;
	if (strcmp(j->version, rq->version))
		return sf_err_set(e, 409, "API_ERROR",
		                  "Job %s was created with API version %s: "
		                  "request its results under "
		                  "/services/data/v%s/",
		                  j->id, j->version, j->version);
	if (j->state != SF_JOB_COMPLETE)
		return sf_err_set(
		    e, 400, "JOB_NOT_COMPLETE",
		    "can only download query results of "
		    "successfully completed bulk job with status: "
		    "JOB_COMPLETE. Current status: %s",
		    j->state == SF_JOB_IN_PROGRESS ? "IN_PROGRESS"
		    : j->state == SF_JOB_FAILED    ? "FAILED"
		    : j->state == SF_JOB_ABORTED   ? "ABORTED"
		                                   : "UPLOAD_COMPLETE");
	*out = j;
	return 0;
}

static void add_checkpoint(struct sf_job *j, struct sf_pos p)
{
	size_t i = 0;

	while (i < j->n_cps && j->cps[i].row < p.row)
		i++;
	if ((i < j->n_cps && j->cps[i].row == p.row) ||
	    j->n_cps >= MAX_CHECKPOINTS)
		return;
	j->cps = ferry_xrealloc(j->cps, (j->n_cps + 1) * sizeof(*j->cps));
	memmove(&j->cps[i + 1], &j->cps[i], (j->n_cps - i) * sizeof(*j->cps));
	j->cps[i] = p;
	j->n_cps++;
}

int sf_h_job_results(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                     struct sf_err *e)
{
	struct sf_job *j;
	struct sf_stream *st;
	char *max_s = sf_req_arg(rq, "maxRecords"),
	     *loc = sf_req_arg(rq, "locator");
	int64_t max = SF_BULK_DEFAULT_PAGE, row = 0, n;
	struct sf_pos best = {0, 0};
	size_t i;
	int rc = -1;

	if (completed_job(sb, rq, &j, e) < 0)
		goto done;
	if (max_s &&
	    (ferry_parse_i64(max_s, &max) < 0 || max < 1 || max > 1000000000)) {
		sf_err_set(e, 400, "API_ERROR",
		           "maxRecords must be a whole number from 1 to "
		           "1000000000");
		goto done;
	}
	if (loc && *loc && (!decode_locator(loc, &row) || row > j->total)) {
		sf_err_set(e, 400, "INVALID_QUERY_LOCATOR",
		           "Invalid locator '%s' for job %s", loc, j->id);
		goto done;
	}
	n = j->total - row < max ? j->total - row : max;
	for (i = 0; i < j->n_cps && j->cps[i].row <= row; i++)
		best = j->cps[i];
	st = ferry_xcalloc(1, sizeof(*st));
	if (sf_query_parse(&st->q, sb->org, j->soql, false, e) < 0) {
		free(st);
		goto done;
	}
	st->sb = sb;
	snprintf(st->job_id, sizeof(st->job_id), "%s", j->id);
	st->all = j->all;
	st->at = best;
	st->skip = row - best.row;
	st->left = n;
	st->delim = j->delim;
	st->eol = !strcmp(j->eol_name, "CRLF") ? "\r\n" : "\n";
	st->n_cols = sf_query_n_columns(st->q);
	st->row = ferry_xcalloc(st->n_cols + 1, sizeof(*st->row));
	sf_record_init(&st->rec);
	ferry_buf_init(&st->buf, (size_t)64 * 1024 * 1024);
	out->stream = st;
	out->bulk_headers = true;
	out->n_records = n;
	if (row + n < j->total)
		encode_locator(row + n, out->locator, sizeof(out->locator));
	else
		snprintf(out->locator, sizeof(out->locator), "null");
	sb->stats.results_pages++;
	rc = 0;
done:
	free(max_s);
	free(loc);
	return rc;
}

int sf_h_job_result_pages(struct sf_sb *sb, struct sf_req *rq,
                          struct sf_reply *out, struct sf_err *e)
{
	struct sf_job *j;
	char *loc = sf_req_arg(rq, "locator"), enc[32];
	int64_t from = 0, major = 0, row;
	json_t *links;
	char *next = NULL;
	int k, rc = -1;
	char major_s[8];

	snprintf(major_s, sizeof(major_s), "%.*s",
	         (int)strcspn(rq->version, "."), rq->version);
	if (ferry_parse_i64(major_s, &major) < 0 || major < 58) {
		sf_err_set(e, 404, "NOT_FOUND",
		           "The requested resource does not exist");
		goto done;
	}
	if (completed_job(sb, rq, &j, e) < 0)
		goto done;
	if (loc && *loc && (!decode_locator(loc, &from) || from > j->total)) {
		sf_err_set(e, 400, "INVALID_QUERY_LOCATOR",
		           "Invalid locator '%s' for job %s", loc, j->id);
		goto done;
	}
	links = json_array();
	for (k = 0, row = from; k < RESULT_LINKS; k++) {
		char *link;

		if (row >= j->total && !(row == 0 && k == 0))
			break;
		encode_locator(row, enc, sizeof(enc));
		link = ferry_xasprintf("/jobs/query/%s/results?locator=%s",
		                       j->id, enc);
		json_array_append_new(links,
		                      json_pack("{s:s}", "resultLink", link));
		free(link);
		row += SF_BULK_DEFAULT_PAGE;
	}
	if (row < j->total) {
		encode_locator(row, enc, sizeof(enc));
		next = ferry_xasprintf("/jobs/query/%s/resultpages?locator=%s",
		                       j->id, enc);
	}
	out->json = json_pack("{s:o,s:s?,s:b}", "resultPages", links,
	                      "nextRecordsUrl", next, "done", next == NULL);
	if (!next)
		json_object_set_new(out->json, "nextRecordsUrl", json_null());
	rc = 0;
done:
	free(next);
	free(loc);
	return rc;
}

/* --- the CSV stream --- */

/* One CSV line: every value quoted with quotes doubled, null as an empty
 * unquoted field. */
static int put_row(struct ferry_buf *b, const char *const *vals, size_t n,
                   char delim, const char *eol)
{
	size_t need = strlen(eol) + 1, i, len;
	char *w;

	for (i = 0; i < n; i++)
		need += vals[i] ? 2 * strlen(vals[i]) + 3 : 1;
	if (ferry_buf_grow(b, need) < 0)
		return -1;
	w = b->ptr + b->len;
	for (i = 0; i < n; i++) {
		const char *v = vals[i];

		if (i > 0)
			*w++ = delim;
		if (!v)
			continue;
		len = strlen(v);
		*w++ = '"';
		if (!memchr(v, '"', len)) {
			memcpy(w, v, len);
			w += len;
		} else {
			for (; *v; v++) {
				if (*v == '"')
					*w++ = '"';
				*w++ = *v;
			}
		}
		*w++ = '"';
	}
	len = strlen(eol);
	memcpy(w, eol, len);
	w += len;
	*w = '\0';
	b->len = (size_t)(w - b->ptr);
	return 0;
}

/* Generates the next chunk of the page into st->buf. */
static void fill(struct sf_stream *st)
{
	ferry_buf_clear(&st->buf);
	st->off = 0;
	if (!st->started) {
		size_t i;

		st->started = true;
		while (st->skip > 0 &&
		       sf_query_next(st->q, st->all, &st->at.raw, &st->rec,
		                     st->row) == 1) {
			st->skip--;
			st->at.row++;
		}
		st->skipped = st->skip == 0;
		st->page_start = st->at;
		for (i = 0; i < st->n_cols; i++)
			st->row[i] = sf_query_column(st->q, i);
		if (put_row(&st->buf, st->row, st->n_cols, st->delim, st->eol) <
		    0)
			st->left = 0;
	}
	while (st->left > 0 && st->buf.len < CHUNK) {
		if (sf_query_next(st->q, st->all, &st->at.raw, &st->rec,
		                  st->row) != 1 ||
		    put_row(&st->buf, st->row, st->n_cols, st->delim, st->eol) <
		        0) {
			st->short_page = true;
			st->left = 0;
			break;
		}
		st->left--;
		st->at.row++;
	}
	if (st->left == 0)
		st->complete = true;
}

ssize_t sf_stream_read(struct sf_stream *st, char *buf, size_t max)
{
	size_t n;

	while (st->off >= st->buf.len) {
		if (st->complete)
			return -1;
		fill(st);
	}
	n = st->buf.len - st->off;
	if (n > max)
		n = max;
	memcpy(buf, st->buf.ptr + st->off, n);
	st->off += n;
	st->bytes += (int64_t)n;
	return (ssize_t)n;
}

void sf_stream_free(struct sf_stream *st)
{
	struct sf_job *j;

	if (!st)
		return;
	if (st->started) {
		pthread_mutex_lock(&st->sb->lock);
		j = find_job(st->sb, st->job_id);
		if (j && st->skipped)
			add_checkpoint(j, st->page_start);
		if (j && st->complete && !st->short_page && st->skipped)
			add_checkpoint(j, st->at);
		st->sb->bulk_bytes += st->bytes;
		pthread_mutex_unlock(&st->sb->lock);
	}
	sf_query_free(st->q);
	free(st->row);
	sf_record_release(&st->rec);
	ferry_buf_release(&st->buf);
	free(st);
}
