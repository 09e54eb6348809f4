/* sf_extract.c: the Salesforce extract against the real `ferry-sandbox
 * salesforce` (small org): every object staged with the org's own counts
 * and the facts saved; an access token dying mid-extract; a failed Bulk
 * job that stops the extract and a re-run that resumes it without
 * fetching the finished objects again; a skewed COUNT(); many small
 * pages; the REST path of ContentDocumentLink; objects missing from the
 * org. And, offline, the readers of job info, page headers and pages. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>

#include "ferry/config.h"
#include "ferry/http.h"
#include "ferry/salesforce.h"
#include "ferry/workspace.h"
#include "connectors/salesforce/sf_extract.h"
#include "sf_sandbox.h"

struct env {
	struct test_sandbox sb;
	char *dir;
	struct ferry_config *cfg;
	struct ferry_sf *sf;
	struct ferry_workspace *ws;
};

/* The progress callback's last word on each object. */
struct seen {
	json_t *ends; /* object -> {resumed, skipped, method, staged, source} */
	int starts;
};

static void on_progress(const struct ferry_sf_object_report *r, void *p)
{
	struct seen *s = p;

	if (!r->done) {
		s->starts++;
		return;
	}
	assert_true(r->seconds >= 0);
	json_object_set_new(
	    s->ends, r->object,
	    json_pack("{s:b, s:b, s:s, s:I, s:I, s:I}", "resumed", r->resumed,
	              "skipped", r->skipped, "method", r->method, "staged",
	              (json_int_t)r->staged, "source", (json_int_t)r->source,
	              "calls", (json_int_t)r->calls));
}

static void write_config(const char *dir, const char *url)
{
	char *yaml = ferry_xasprintf("version: 1\n"
	                             "source:\n"
	                             "  type: salesforce\n"
	                             "  login_url: %s\n"
	                             "  auth: client_credentials\n"
	                             "destination:\n"
	                             "  type: attio\n"
	                             "  base_url: http://127.0.0.1:9\n",
	                             url);

	free(test_write_file(dir, FERRY_CONFIG_FILE, yaml, strlen(yaml)));
	free(yaml);
}

static void connect_env(struct env *e)
{
	char *path = ferry_xasprintf("%s/%s", e->dir, FERRY_CONFIG_FILE);
	int error;

	write_config(e->dir, e->sb.url);
	error = ferry_config_load(&e->cfg, path);
	if (error < 0)
		fail_msg("config: %s", ferry_error_last());
	error = ferry_sf_connect(&e->sf, e->cfg);
	if (error < 0)
		fail_msg("connect: %s", ferry_error_last());
	free(path);
}

/* The sandbox of the test running, stopped by the teardown even when an
 * assertion jumped out of the test (else ctest waits for it forever). */
static struct test_sandbox *live;

static int stop_live(void **state)
{
	FERRY_UNUSED(state);
	if (live)
		test_sandbox_stop(live);
	live = NULL;
	return 0;
}

static void start_sandbox(struct env *e, const char *const *args)
{
	live = &e->sb;
	assert_int_equal(test_sandbox_start(&e->sb, "salesforce", args), 0);
}

/* A sandbox with `args`, a fresh workspace (or `dir`'s), a session. */
static void open_env(struct env *e, const char *name, const char *const *args)
{
	memset(e, 0, sizeof(*e));
	setenv("SF_CLIENT_ID", "ferry-sandbox-client", 1);
	setenv("SF_CLIENT_SECRET", "ferry-sandbox-secret", 1);
	start_sandbox(e, args);
	e->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(e->dir), 0);
	connect_env(e);
	assert_int_equal(ferry_workspace_open(&e->ws, e->dir), 0);
}

static void drop_session(struct env *e)
{
	ferry_sf_free(e->sf);
	ferry_config_free(e->cfg);
	e->sf = NULL;
	e->cfg = NULL;
	test_sandbox_stop(&e->sb);
	live = NULL;
}

/* The same workspace against a new sandbox started with `args`. */
static void restart_sandbox(struct env *e, const char *const *args)
{
	drop_session(e);
	start_sandbox(e, args);
	connect_env(e);
}

static void close_env(struct env *e)
{
	drop_session(e);
	ferry_workspace_free(e->ws);
	free(e->dir);
}

static void fast_opts(struct ferry_sf_extract_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->poll_min_ms = 5;
	o->poll_max_ms = 20;
}

/* The truth, from the sandbox's own org model (same seed, same org);
 * `deleted_every` (-1: the sandbox's default) and `all` as the sandbox
 * and the extract were told. */
static int64_t truth_of(const char *object, int64_t deleted_every, bool all)
{
	struct sf_org_opts oo;
	struct sf_org *org = NULL;
	struct sf_query *q = NULL;
	struct sf_err e;
	char *soql = ferry_xasprintf("SELECT Id FROM %s", object);
	int64_t n;

	sf_org_opts_default(&oo);
	if (deleted_every >= 0)
		oo.deleted_every = deleted_every;
	assert_int_equal(sf_org_new(&org, &oo), 0);
	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, false, &e) < 0)
		fail_msg("truth for %s: %s", object, e.message);
	n = sf_query_count(q, all);
	sf_query_free(q);
	sf_org_free(org);
	free(soql);
	return n;
}

static int64_t truth(const char *object)
{
	return truth_of(object, -1, false);
}

static int on_staged(const struct ferry_staged_object *o, void *payload)
{
	json_object_set_new(payload, o->object, json_integer(o->count));
	return 0;
}

static json_t *staged_counts(struct ferry_workspace *ws)
{
	json_t *m = json_object();

	assert_int_equal(ferry_stage_foreach_object(ws, on_staged, m), 0);
	return m;
}

static json_t *fact(struct ferry_workspace *ws, const char *name)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	json_t *doc;

	if (ferry_facts_get(ws, name, &b) < 0)
		fail_msg("no fact %s: %s", name, ferry_error_last());
	doc = json_loadb(b.ptr, b.len, 0, NULL);
	assert_non_null(doc);
	ferry_buf_release(&b);
	return doc;
}

static json_t *sandbox_stats(const struct test_sandbox *sb)
{
	struct ferry_http_opts ho;
	struct ferry_http *h = NULL;
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	json_t *doc;

	memset(&ho, 0, sizeof(ho));
	ho.base_url = sb->url;
	ho.token = "unused";
	ho.name = "sandbox";
	assert_int_equal(ferry_http_new(&h, &ho), 0);
	assert_int_equal(ferry_http_request(h, FERRY_HTTP_READ, "GET",
	                                    "/__sandbox/stats", NULL, &resp),
	                 0);
	assert_int_equal(resp.status, 200);
	doc = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
	assert_non_null(doc);
	ferry_http_response_release(&resp);
	ferry_http_free(h);
	return doc;
}

static int64_t ival(const json_t *o, const char *k1, const char *k2)
{
	const json_t *v = json_object_get(o, k1);

	if (k2)
		v = json_object_get(v, k2);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Every staged object matches the org, every object the progress
 * callback reported staged is staged with that count. */
static void assert_org_staged(struct ferry_workspace *ws, const json_t *ends)
{
	json_t *staged = staged_counts(ws);
	const char *name;
	json_t *rep;

	json_object_foreach((json_t *)(uintptr_t)ends, name, rep)
	{
		if (json_is_true(json_object_get(rep, "skipped")))
			continue;
		assert_int_equal(ival(staged, name, NULL),
		                 ival(rep, "staged", NULL));
		assert_int_equal(ival(rep, "staged", NULL),
		                 ival(rep, "source", NULL));
		/* ContentDocumentLink too: every link in the org belongs
		 * to a note. */
		assert_int_equal(ival(rep, "staged", NULL), truth(name));
	}
	json_decref(staged);
}

struct first {
	char id[64];
	json_t *fields;
};

static int first_record(const char *id, int64_t line, json_t *fields,
                        void *payload)
{
	struct first *f = payload;

	FERRY_UNUSED(line);
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->fields = json_incref(fields);
	return 1;
}

static void test_full_extract(void **state)
{
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	struct first f = {"", NULL};
	json_t *doc, *objects, *tool;
	int64_t t0 = ferry_clock_mono_us(), total = 0, calls;
	const char *name;
	json_t *rep;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-full", NULL);
	fast_opts(&o);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	assert_org_staged(e.ws, s.ends);
	json_object_foreach(s.ends, name, rep)
	{
		assert_false(json_is_true(json_object_get(rep, "resumed")));
		total += ival(rep, "staged", NULL);
	}
	assert_true(s.starts >= (int)json_object_size(s.ends));
	assert_true(ival(s.ends, "Account", "staged") > 0);
	assert_true(ival(s.ends, "Contact", "staged") > 0);
	/* The REST path, by the ids of the staged notes. */
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(s.ends, "ContentDocumentLink"), "method")),
	    "rest");
	assert_true(ival(s.ends, "ContentDocumentLink", "staged") > 0);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(s.ends, "Account"), "method")),
	                    "bulk");
	print_message("small org: %" PRId64 " records in %.2f s\n", total,
	              (double)(ferry_clock_mono_us() - t0) / 1e6);

	/* The facts. */
	doc = fact(e.ws, "salesforce/describeGlobal");
	assert_true(json_array_size(json_object_get(doc, "sobjects")) > 10);
	json_decref(doc);
	doc = fact(e.ws, "salesforce/describe/Account");
	assert_true(json_array_size(json_object_get(doc, "fields")) > 10);
	json_decref(doc);
	doc = fact(e.ws, "salesforce/limits");
	assert_true(ival(doc, "DailyApiRequests", "Max") > 0);
	json_decref(doc);
	tool = fact(e.ws, "salesforce/tooling/ApexTrigger");
	assert_true(json_is_object(json_object_get(tool, "by_object")));
	assert_true(json_is_integer(json_object_get(tool, "total")) ||
	            json_is_true(json_object_get(tool, "unknown")));
	json_decref(tool);
	tool = fact(e.ws, "salesforce/tooling/WorkflowRule");
	json_decref(tool);
	doc = fact(e.ws, "salesforce/extract");
	objects = json_object_get(doc, "objects");
	assert_int_equal(ival(objects, "Account", "staged"), truth("Account"));
	assert_int_equal(ival(objects, "Account", "source"), truth("Account"));
	assert_true(json_is_string(json_object_get(doc, "finished_at")));
	assert_string_equal(
	    json_string_value(json_object_get(doc, "api_version")),
	    ferry_sf_api_version(e.sf));
	calls = ival(doc, "calls", NULL);
	assert_true(calls > 0);
	assert_true(ival(doc, "bulk_jobs", NULL) > 0);
	/* No per-record calls: a few per object and the schema. */
	assert_true(calls < 20 + 12 * (int64_t)json_object_size(s.ends));
	print_message("small org: %" PRId64 " API calls, %" PRId64
	              " Bulk jobs\n",
	              calls, ival(doc, "bulk_jobs", NULL));
	json_decref(doc);

	/* A record: 18-char id; compound and base64 fields left out. */
	assert_int_equal(
	    ferry_stage_foreach_record(e.ws, "Account", first_record, &f), 1);
	assert_int_equal(strlen(f.id), 18);
	assert_string_equal(json_string_value(json_object_get(f.fields, "Id")),
	                    f.id);
	assert_non_null(json_object_get(f.fields, "Name"));
	assert_null(json_object_get(f.fields, "BillingAddress"));
	json_decref(f.fields);
	f.fields = NULL;
	if (ferry_stage_foreach_record(e.ws, "Attachment", first_record, &f) ==
	    1) {
		assert_null(json_object_get(f.fields, "Body"));
		json_decref(f.fields);
	}

	/* A finished extract: the next one is a new run, nothing resumed. */
	json_object_clear(s.ends);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("second extract: %s", ferry_error_last());
	json_object_foreach(s.ends, name, rep)
	    assert_false(json_is_true(json_object_get(rep, "resumed")));
	assert_org_staged(e.ws, s.ends);
	json_decref(s.ends);
	close_env(&e);
}

static int origin_of(const struct ferry_staged_object *o, void *payload)
{
	struct first *f = payload;

	if (!strcmp(o->object, f->id))
		snprintf(f->id, sizeof(f->id), "%s", o->origin);
	return 0;
}

/* An extract interrupted after Account's job was made: the re-run reads
 * that job again (no new job) and resumes everything else. */
static void test_resume_stored_job(void **state)
{
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	struct first f = {"Account", NULL};
	struct ferry_buf b = FERRY_BUF_INIT;
	json_t *run, *stats;
	char job[32], *val;
	int64_t jobs;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-stored-job", NULL);
	fast_opts(&o);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	assert_int_equal(ferry_stage_foreach_object(e.ws, origin_of, &f), 0);
	assert_true(ferry_str_starts_with(f.id, "salesforce bulk job 750"));
	snprintf(job, sizeof(job), "%s", f.id + strlen("salesforce bulk job "));
	stats = sandbox_stats(&e.sb);
	jobs = ival(stats, "bulk_jobs", NULL);
	json_decref(stats);

	/* Rewind the bookkeeping to "stopped while Account's job ran". */
	assert_int_equal(ferry_workspace_meta_get(e.ws, "sf.extract.run", &b),
	                 0);
	run = json_loadb(b.ptr, b.len, 0, NULL);
	assert_non_null(run);
	json_object_set_new(run, "state", json_string("running"));
	val = json_dumps(run, JSON_COMPACT);
	assert_int_equal(ferry_workspace_meta_set(e.ws, "sf.extract.run", val),
	                 0);
	free(val);
	val =
	    ferry_xasprintf("{\"run\":\"%s\",\"job\":\"%s\"}",
	                    json_string_value(json_object_get(run, "id")), job);
	assert_int_equal(
	    ferry_workspace_meta_set(e.ws, "sf.extract.job.Account", val), 0);
	free(val);
	assert_int_equal(
	    ferry_workspace_meta_set(e.ws, "sf.extract.done.Account", ""), 0);
	json_decref(run);
	ferry_buf_release(&b);

	json_object_clear(s.ends);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("re-run: %s", ferry_error_last());
	assert_false(json_is_true(
	    json_object_get(json_object_get(s.ends, "Account"), "resumed")));
	assert_true(json_is_true(
	    json_object_get(json_object_get(s.ends, "Contact"), "resumed")));
	assert_org_staged(e.ws, s.ends);
	stats = sandbox_stats(&e.sb);
	assert_int_equal(ival(stats, "bulk_jobs", NULL), jobs);
	json_decref(stats);
	f.fields = NULL;
	snprintf(f.id, sizeof(f.id), "Account");
	assert_int_equal(ferry_stage_foreach_object(e.ws, origin_of, &f), 0);
	/* Staged from the very job the interrupted run had made. */
	assert_string_equal(f.id + strlen("salesforce bulk job "), job);
	json_decref(s.ends);
	close_env(&e);
}

static void test_token_expires(void **state)
{
	static const char *const args[] = {"--expire-after", "7", NULL};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-expire", args);
	fast_opts(&o);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	assert_org_staged(e.ws, s.ends);
	assert_true(ferry_sf_usage(e.sf)->logins > 3);
	json_decref(s.ends);
	close_env(&e);
}

/* 503s on one request in twenty: the HTTP client's retries absorb them and
 * nothing is lost or staged twice. */
static void test_flaky_server(void **state)
{
	static const char *const args[] = {"--fail-rate", "0.05", NULL};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *stats;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-flaky", args);
	fast_opts(&o);
	o.page_size = 100;
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	assert_org_staged(e.ws, s.ends);
	stats = sandbox_stats(&e.sb);
	assert_true(ival(stats, "faults_injected", NULL) > 0);
	json_decref(stats);
	json_decref(s.ends);
	close_env(&e);
}

static void test_failed_job_resumes(void **state)
{
	static const char *const faulty[] = {"--fail-job", "Contact", NULL};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *stats, *doc, *rep;
	const char *name;
	int64_t fresh_bulk = 0;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-failjob", faulty);
	fast_opts(&o);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	assert_int_equal(error, FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "Contact"));
	assert_non_null(strstr(ferry_error_last(), "Failed"));
	assert_non_null(strstr(ferry_error_last(), "ferry extract"));
	assert_true(ival(s.ends, "Account", "staged") > 0);
	assert_null(json_object_get(s.ends, "Contact"));
	doc = fact(e.ws, "salesforce/extract");
	assert_non_null(strstr(json_string_value(json_object_get(doc, "error")),
	                       "Contact"));
	assert_true(json_is_null(json_object_get(doc, "finished_at")));
	json_decref(doc);

	/* The fault is gone: the re-run resumes. */
	restart_sandbox(&e, NULL);
	json_object_clear(s.ends);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("re-run: %s", ferry_error_last());
	assert_true(json_is_true(
	    json_object_get(json_object_get(s.ends, "Account"), "resumed")));
	assert_true(json_is_true(
	    json_object_get(json_object_get(s.ends, "User"), "resumed")));
	assert_false(json_is_true(
	    json_object_get(json_object_get(s.ends, "Contact"), "resumed")));
	assert_org_staged(e.ws, s.ends);
	json_object_foreach(s.ends, name, rep)
	{
		if (!json_is_true(json_object_get(rep, "resumed")) &&
		    !json_is_true(json_object_get(rep, "skipped")) &&
		    !strcmp(json_string_value(json_object_get(rep, "method")),
		            "bulk"))
			fresh_bulk++;
	}
	/* The resumed objects made no job on the new org. */
	stats = sandbox_stats(&e.sb);
	assert_int_equal(ival(stats, "bulk_jobs", NULL), fresh_bulk);
	json_decref(stats);
	doc = fact(e.ws, "salesforce/extract");
	assert_null(json_object_get(doc, "error"));
	assert_true(json_is_string(json_object_get(doc, "finished_at")));
	json_decref(doc);
	json_decref(s.ends);
	close_env(&e);
}

static void test_count_skew(void **state)
{
	static const char *const args[] = {"--count-skew", "Account=2", NULL};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *doc;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-skew", args);
	fast_opts(&o);
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	assert_int_equal(error, FERRY_ECONFLICT);
	assert_non_null(strstr(ferry_error_last(), "Account: staged"));
	assert_non_null(strstr(ferry_error_last(), "(2 missing)"));
	assert_non_null(strstr(ferry_error_last(), "fetch Account again"));
	doc = fact(e.ws, "salesforce/extract");
	assert_false(json_is_true(json_object_get(
	    json_object_get(json_object_get(doc, "objects"), "Account"),
	    "verified")));
	assert_int_equal(
	    ival(json_object_get(doc, "objects"), "Account", "source"),
	    truth("Account") + 2);
	json_decref(doc);
	json_decref(s.ends);
	close_env(&e);
}

static void test_small_pages(void **state)
{
	static const char *const args[] = {"--page-size", "200", NULL};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *stats;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-pages", args);
	fast_opts(&o);
	o.page_size = 7;
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	assert_org_staged(e.ws, s.ends);
	stats = sandbox_stats(&e.sb);
	assert_true(ival(stats, "results_pages", NULL) >=
	            (truth("Contact") + 6) / 7);
	json_decref(stats);
	json_decref(s.ends);
	close_env(&e);
}

/* queryAll: soft-deleted records come too, and COUNT() counts them. */
static void test_include_deleted(void **state)
{
	static const char *const args[] = {"--deleted-every", "4", NULL};
	static const char *const objects[] = {"Account", "Task"};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *staged, *doc;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-deleted", args);
	fast_opts(&o);
	o.objects = objects;
	o.n_objects = 2;
	o.include_deleted = true;
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	staged = staged_counts(e.ws);
	assert_int_equal(ival(staged, "Account", NULL),
	                 truth_of("Account", 4, true));
	assert_true(truth_of("Account", 4, true) >
	            truth_of("Account", 4, false));
	assert_int_equal(ival(staged, "Task", NULL), truth_of("Task", 4, true));
	json_decref(staged);
	doc = fact(e.ws, "salesforce/extract");
	assert_true(json_is_true(json_object_get(
	    json_object_get(json_object_get(doc, "objects"), "Account"),
	    "all")));
	json_decref(doc);
	json_decref(s.ends);
	close_env(&e);
}

static void test_scope(void **state)
{
	static const char *const missing[] = {"Account", "Nope__c"};
	/* FlowDefinitionView: Bulk refuses it, REST serves it. */
	static const char *const lower[] = {"account", "Contact",
	                                    "FlowDefinitionView"};
	struct env e;
	struct ferry_sf_extract_opts o;
	struct seen s = {json_object(), 0};
	json_t *staged;
	int error;

	FERRY_UNUSED(state);
	open_env(&e, "sfx-scope", NULL);
	fast_opts(&o);
	o.objects = missing;
	o.n_objects = 2;
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	assert_int_equal(error, FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "Nope__c"));
	/* Checked before anything is fetched. */
	assert_int_equal(json_object_size(s.ends), 0);

	o.objects = lower;
	o.n_objects = 3;
	o.restart = true;
	error = ferry_sf_extract(e.sf, e.ws, &o, on_progress, &s);
	if (error < 0)
		fail_msg("extract: %s", ferry_error_last());
	staged = staged_counts(e.ws);
	assert_int_equal(ival(staged, "Account", NULL), truth("Account"));
	assert_int_equal(ival(staged, "Contact", NULL), truth("Contact"));
	assert_int_equal(ival(staged, "FlowDefinitionView", NULL),
	                 truth("FlowDefinitionView"));
	assert_true(ival(staged, "FlowDefinitionView", NULL) > 0);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(s.ends, "FlowDefinitionView"), "method")),
	    "rest");
	assert_int_equal(json_object_size(staged), 3);
	json_decref(staged);
	json_decref(s.ends);
	close_env(&e);
}

/* --- offline: the readers --- */

static void test_parse_job(void **state)
{
	struct ferry_sf__job job;
	const char *ok = "{\"id\":\"750R0000000zlh9IAA\",\"operation\":"
	                 "\"query\",\"object\":\"Account\",\"state\":"
	                 "\"JobComplete\",\"apiVersion\":46.0,"
	                 "\"numberRecordsProcessed\":500}";
	const char *failed = "{\"id\":\"750R0000000zlh9\",\"state\":\"Failed\","
	                     "\"errorMessage\":\"line\\none\",\"apiVersion\":"
	                     "\"62.0\"}";
	const char *bad_id = "{\"id\":\"750R0000000zl/9\",\"state\":"
	                     "\"JobComplete\"}";

	FERRY_UNUSED(state);
	assert_int_equal(ferry_sf__bulk_parse_job(&job, ok, strlen(ok)), 0);
	assert_string_equal(job.id, "750R0000000zlh9IAA");
	assert_string_equal(job.state, "JobComplete");
	assert_string_equal(job.operation, "query");
	assert_string_equal(job.api_version, "46.0");
	assert_int_equal(job.records, 500);
	assert_int_equal(ferry_sf__bulk_parse_job(&job, failed, strlen(failed)),
	                 0);
	assert_string_equal(job.error_message, "line one");
	assert_string_equal(job.api_version, "62.0");
	assert_int_equal(job.records, -1);
	assert_int_equal(ferry_sf__bulk_parse_job(&job, "[]", 2),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__bulk_parse_job(&job, "", 0), FERRY_EINVALID);
	assert_int_equal(ferry_sf__bulk_parse_job(&job, bad_id, strlen(bad_id)),
	                 FERRY_EINVALID);
}

static void page(struct ferry_http_response *r, const char *headers)
{
	ferry_buf_clear(&r->headers);
	assert_int_equal(ferry_buf_puts(&r->headers, headers), 0);
}

static void test_parse_page(void **state)
{
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_sf__page pg;

	FERRY_UNUSED(state);
	page(&r, "Sforce-Locator: MTAwMDA\nSforce-NumberOfRecords: 7\n");
	assert_int_equal(ferry_sf__bulk_parse_page(&pg, &r), 0);
	assert_false(pg.last);
	assert_string_equal(pg.locator, "MTAwMDA");
	assert_int_equal(pg.records, 7);
	page(&r, "sforce-locator: null\n");
	assert_int_equal(ferry_sf__bulk_parse_page(&pg, &r), 0);
	assert_true(pg.last);
	assert_int_equal(pg.records, -1);
	page(&r, "Sforce-NumberOfRecords: 7\n");
	assert_int_equal(ferry_sf__bulk_parse_page(&pg, &r), FERRY_EINVALID);
	page(&r, "Sforce-Locator: a&b=c\n");
	assert_int_equal(ferry_sf__bulk_parse_page(&pg, &r), FERRY_EINVALID);
	page(&r, "Sforce-Locator: abc\nSforce-NumberOfRecords: x\n");
	assert_int_equal(ferry_sf__bulk_parse_page(&pg, &r), FERRY_EINVALID);
	ferry_http_response_release(&r);
}

static void test_stage_pages(void **state)
{
	char *dir = test_tmpdir("sfx-sink");
	struct ferry_workspace *ws = NULL;
	struct ferry_sf__sink s;
	json_t *rec = NULL;
	int64_t rows, count = 0;
	const char *p1 = "\"Id\",\"Name\",\"Description\"\n"
	                 "\"001Da00000xnAk6\",\"Edge\",\"two\nlines\"\n"
	                 "\"001B000000UnQ2vIAF\",\"Sean \"\"Mac\"\"\",\"\"\n";
	const char *p2 = "\"Id\",\"Name\",\"Description\"\n"
	                 "\"0019000000B98deAAB\",\"Third\",\n";
	const char *bad = "\"Id\",\"Name\"\n\"a0D30000001n7PiEAI\",\"x\"\n";

	FERRY_UNUSED(state);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	memset(&s, 0, sizeof(s));
	s.object = "Account";
	assert_int_equal(ferry_stage_begin(&s.st, ws, "Account", "test"), 0);
	assert_int_equal(ferry_sf__stage_csv(&s, "p1", p1, strlen(p1), &rows),
	                 0);
	assert_int_equal(rows, 2);
	assert_int_equal(ferry_sf__stage_csv(&s, "p2", p2, strlen(p2), &rows),
	                 0);
	assert_int_equal(rows, 1);
	assert_int_equal(ferry_sf__stage_csv(&s, "p3", "", 0, &rows), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(ferry_sf__stage_csv(&s, "p4", bad, strlen(bad), &rows),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "header differs"));
	assert_int_equal(ferry_stage_commit(s.st, &count), 0);
	s.st = NULL;
	ferry_sf__sink_release(&s);
	assert_int_equal(count, 3);
	/* The 15-char id is staged as 18. */
	assert_int_equal(
	    ferry_stage_get(&rec, ws, "Account", "001Da00000xnAk6IAE"), 0);
	assert_string_equal(
	    json_string_value(json_object_get(rec, "Description")),
	    "two\nlines");
	json_decref(rec);
	assert_int_equal(
	    ferry_stage_get(&rec, ws, "Account", "001B000000UnQ2vIAF"), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "Name")),
	                    "Sean \"Mac\"");
	assert_string_equal(
	    json_string_value(json_object_get(rec, "Description")), "");
	json_decref(rec);

	/* REST records: scalars as the CSV would give them. */
	memset(&s, 0, sizeof(s));
	s.object = "Task";
	assert_int_equal(ferry_stage_begin(&s.st, ws, "Task", "test"), 0);
	rec = json_pack("{s:{s:s}, s:s, s:b, s:i, s:f, s:n, s:s, s:{s:s}}",
	                "attributes", "type", "Task", "Id",
	                "00T000000000001AAA", "IsClosed", 1, "Calls", 3,
	                "Amount", 2.5, "WhoId", "ActivityDate",
	                "2024-01-15T18:25:32.000+0000", "Who", "Name", "x");
	assert_int_equal(ferry_sf__stage_json(&s, rec), 0);
	json_decref(rec);
	assert_int_equal(ferry_stage_commit(s.st, &count), 0);
	s.st = NULL;
	ferry_sf__sink_release(&s);
	assert_int_equal(
	    ferry_stage_get(&rec, ws, "Task", "00T000000000001AAA"), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "IsClosed")),
	                    "true");
	assert_string_equal(json_string_value(json_object_get(rec, "Calls")),
	                    "3");
	assert_string_equal(json_string_value(json_object_get(rec, "Amount")),
	                    "2.5");
	assert_string_equal(json_string_value(json_object_get(rec, "WhoId")),
	                    "");
	assert_string_equal(
	    json_string_value(json_object_get(rec, "ActivityDate")),
	    "2024-01-15T18:25:32.000Z");
	assert_null(json_object_get(rec, "attributes"));
	assert_null(json_object_get(rec, "Who"));
	json_decref(rec);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_default_objects(void **state)
{
	size_t n;

	FERRY_UNUSED(state);
	for (n = 0; ferry_sf_default_objects[n]; n++)
		;
	assert_int_equal(n, 18);
	assert_string_equal(ferry_sf_default_objects[0], "User");
	assert_string_equal(ferry_sf_default_objects[17], "Product2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_objects),
	    cmocka_unit_test(test_parse_job),
	    cmocka_unit_test(test_parse_page),
	    cmocka_unit_test(test_stage_pages),
	    cmocka_unit_test_teardown(test_full_extract, stop_live),
	    cmocka_unit_test_teardown(test_resume_stored_job, stop_live),
	    cmocka_unit_test_teardown(test_token_expires, stop_live),
	    cmocka_unit_test_teardown(test_flaky_server, stop_live),
	    cmocka_unit_test_teardown(test_failed_job_resumes, stop_live),
	    cmocka_unit_test_teardown(test_count_skew, stop_live),
	    cmocka_unit_test_teardown(test_small_pages, stop_live),
	    cmocka_unit_test_teardown(test_include_deleted, stop_live),
	    cmocka_unit_test_teardown(test_scope, stop_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
