/* extract.c: ferry_sf_extract, the orchestration: which objects, in what
 * order, by which path (Bulk, REST, or REST by ids for
 * ContentDocumentLink), the check of every staged count against the
 * source's COUNT(), the bookkeeping in the workspace's meta that lets an
 * interrupted extract resume where it stopped, and the "salesforce/extract"
 * fact that says what was read, how, and at what cost in API calls. */
#include <jansson.h>

#include "util.h"

#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

#define PAGE_SIZE_DEFAULT 50000
#define POLL_MIN_DEFAULT  250
#define POLL_MAX_DEFAULT  5000
/* Bulk jobs created ahead of the object being read: Salesforce runs them
 * in parallel, so the wait for each job overlaps the download of
 * another. Kept small: every job counts against the org's daily 10,000
 * and holds its results for 7 days. */
#define JOBS_AHEAD 6
/* A long job or download reports progress at most this often. */
#define TICK_US ((int64_t)5 * 1000 * 1000)

#define RUN_KEY  "sf.extract.run"
#define FACT_KEY "salesforce/extract"
#define LINKS    "ContentDocumentLink"

const char *const ferry_sf_default_objects[] = {
    "User",
    "RecordType",
    "Account",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityContactRole",
    "Case",
    "CaseComment",
    "Task",
    "Event",
    "Campaign",
    "CampaignMember",
    "Note",
    "ContentNote",
    LINKS,
    "Attachment",
    "Product2",
    NULL,
};

struct target {
	char name[64];     /* as describeGlobal spells it */
	bool skipped;      /* not in this org */
	bool prepared;     /* its Bulk job is created (or not needed) */
	bool bulk_refused; /* Bulk said no when the job was created */
	char *select;      /* the field list, from its describe */
};

struct extract {
	struct ferry_sf__run r;
	struct target *t;
	size_t n;
	bool resuming;
	json_t *fact;   /* "salesforce/extract" as it is being built */
	json_t *staged; /* object -> count, of completely staged objects */
	int64_t calls0, jobs0;         /* usage when this extract began */
	int64_t calls_base, jobs_base; /* spent by the interrupted run */
};

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

bool ferry_sf__is_sf_error(const struct ferry_sf *sf, int error,
                           const char *sf_code)
{
	return error < 0 && sf->last_code[0] && !strcmp(sf->last_code, sf_code);
}

static void fill_report(struct ferry_sf__run *r, int64_t now)
{
	r->rep.calls = ferry_sf_usage(r->sf)->calls - r->obj_calls0;
	r->rep.seconds = (double)(now - r->obj_started_us) / 1e6;
}

void ferry_sf__progress(struct ferry_sf__run *r, bool force)
{
	int64_t now = ferry_clock_mono_us();

	/* Before the first object (describes, Tooling) there is nothing
	 * to report on. */
	if (!r->cb || !r->rep.object[0] ||
	    (!force && now - r->last_tick_us < TICK_US))
		return;
	r->last_tick_us = now;
	fill_report(r, now);
	r->rep.done = false;
	r->cb(&r->rep, r->payload);
}

static void report_done(struct ferry_sf__run *r)
{
	fill_report(r, ferry_clock_mono_us());
	r->rep.done = true;
	if (r->cb)
		r->cb(&r->rep, r->payload);
}

/* 300000 -> "300,000" */
static const char *grouped(char out[32], int64_t v)
{
	char digits[24];
	size_t n, i, o = 0;

	snprintf(digits, sizeof(digits), "%" PRId64, v < 0 ? -v : v);
	n = strlen(digits);
	if (v < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

static int put_json(struct extract *x, const char *name, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int error;

	if (!text)
		return ferry_error_set(FERRY_EINVALID, "cannot encode '%s'",
		                       name);
	error = ferry_facts_put(x->r.ws, name, text);
	free(text);
	return error;
}

static int save_fact(struct extract *x)
{
	const struct ferry_sf_usage *u = ferry_sf_usage(x->r.sf);

	json_object_set_new(x->fact, "calls",
	                    json_integer(x->calls_base + u->calls - x->calls0));
	json_object_set_new(
	    x->fact, "bulk_jobs",
	    json_integer(x->jobs_base + u->bulk_jobs - x->jobs0));
	return put_json(x, FACT_KEY, x->fact);
}

static int save_run(struct extract *x, const char *state,
                    const char *started_at)
{
	json_t *doc =
	    json_pack("{s:s, s:s, s:b, s:s, s:s}", "id", x->r.run_id, "state",
	              state, "all", x->r.all, "org", ferry_sf_org_id(x->r.sf),
	              "started_at", started_at);
	char *text = json_dumps(doc, JSON_COMPACT);
	int error =
	    ferry_workspace_meta_set(x->r.ws, RUN_KEY, text ? text : "");

	free(text);
	json_decref(doc);
	return error;
}

static json_t *load_json_meta(struct ferry_workspace *ws, const char *key)
{
	struct ferry_buf val = FERRY_BUF_INIT;
	json_t *doc = NULL;

	if (ferry_workspace_meta_get(ws, key, &val) == 0)
		doc = json_loadb(val.ptr, val.len, 0, NULL);
	else
		ferry_error_clear();
	ferry_buf_release(&val);
	return doc;
}

/* Resumes the unfinished run of the same kind (same org, same
 * include_deleted) unless told to restart; starts a new one otherwise. */
static int begin_run(struct extract *x, bool restart)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	json_t *run = load_json_meta(x->r.ws, RUN_KEY), *old = NULL;
	const char *id = json_string_value(json_object_get(run, "id"));
	const char *state = json_string_value(json_object_get(run, "state"));
	const char *org = json_string_value(json_object_get(run, "org"));
	const char *me = ferry_sf_org_id(x->r.sf);
	char started[40];
	int error = 0;

	if (!restart && id && state && !strcmp(state, "running") &&
	    json_is_true(json_object_get(run, "all")) == x->r.all &&
	    (!org || !*org || !*me || !strcmp(org, me)) &&
	    strlen(id) < sizeof(x->r.run_id)) {
		if (ferry_facts_get(x->r.ws, FACT_KEY, &text) == 0)
			old = json_loadb(text.ptr, text.len, 0, NULL);
		ferry_error_clear();
		if (json_is_object(old) &&
		    json_is_object(json_object_get(old, "objects")) &&
		    json_is_string(json_object_get(old, "run")) &&
		    !strcmp(json_string_value(json_object_get(old, "run")),
		            id)) {
			x->resuming = true;
			snprintf(x->r.run_id, sizeof(x->r.run_id), "%s", id);
			x->calls_base =
			    json_integer_value(json_object_get(old, "calls"));
			x->jobs_base = json_integer_value(
			    json_object_get(old, "bulk_jobs"));
			x->fact = old;
			old = NULL;
			json_object_set_new(
			    x->fact, "instance_url",
			    json_string(ferry_sf_instance_url(x->r.sf)));
			json_object_set_new(x->fact, "finished_at",
			                    json_null());
			json_object_del(x->fact, "error");
			goto done;
		}
	}
	ferry_clock_iso8601(ferry_clock_wall_us(), started, sizeof(started));
	snprintf(x->r.run_id, sizeof(x->r.run_id), "%s", started);
	x->fact = json_pack("{s:s, s:s, s:s, s:s, s:n, s:{}, s:[], s:I, s:I}",
	                    "run", x->r.run_id, "instance_url",
	                    ferry_sf_instance_url(x->r.sf), "api_version",
	                    ferry_sf_api_version(x->r.sf), "started_at",
	                    started, "finished_at", "objects", "skipped",
	                    "calls", (json_int_t)0, "bulk_jobs", (json_int_t)0);
	/* A new run's schema snapshot replaces the old one whole. */
	if ((error = ferry_facts_delete_prefix(x->r.ws,
	                                       "salesforce/describe/")) < 0 ||
	    (error =
	         ferry_facts_delete_prefix(x->r.ws, "salesforce/tooling/")) < 0)
		goto done;
	/* The fact first: a run killed before its first object is staged
	 * is still resumed, and its Bulk jobs read rather than made again. */
	if ((error = save_fact(x)) < 0)
		goto done;
	error = save_run(x, "running", started);
done:
	json_decref(old);
	json_decref(run);
	ferry_buf_release(&text);
	return error;
}

static int on_staged(const struct ferry_staged_object *o, void *payload)
{
	json_object_set_new(payload, o->object, json_integer(o->count));
	return 0;
}

static bool name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!ident_char(s[n]))
			return false;
	return n > 0 && n < 64;
}

static const json_t *find_global(const json_t *global, const char *name)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(global, "sobjects"), i, o)
	{
		const char *n = json_string_value(json_object_get(o, "name"));

		if (n && ferry_str_iequal(n, name))
			return o;
	}
	return NULL;
}

/* `from` says who named the object (NULL: the default set, where an
 * object the org lacks is skipped rather than refused). */
static int add_target(struct extract *x, const json_t *global, const char *name,
                      const char *from)
{
	const json_t *g;
	struct target *t;
	size_t i;

	if (!name_ok(name))
		return ferry_error_set(
		    FERRY_EINVALID,
		    "'%.80s' is not a Salesforce object name "
		    "(letters, digits and _, at most 63): fix %s",
		    name, from ? from : "the object list");
	g = find_global(global, name);
	if (g && !json_is_true(json_object_get(g, "queryable")))
		g = NULL;
	if (!g && from)
		return ferry_error_set(
		    FERRY_ENOTFOUND,
		    "Salesforce has no queryable object '%s' in this org "
		    "(%s names it): check its API name (custom objects end in "
		    "__c) or remove it",
		    name, from);
	if (g)
		name = json_string_value(json_object_get(g, "name"));
	for (i = 0; i < x->n; i++)
		if (!strcmp(x->t[i].name, name))
			return 0;
	x->t = ferry_xrealloc(x->t, (x->n + 1) * sizeof(*x->t));
	t = &x->t[x->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->skipped = !g;
	return 0;
}

static int build_scope(struct extract *x, const struct ferry_sf_extract_opts *o,
                       const json_t *global)
{
	struct ferry_sf *sf = x->r.sf;
	struct target links;
	size_t i;
	int error = 0;

	if (o->objects) {
		for (i = 0; i < o->n_objects && !error; i++)
			error = add_target(x, global, o->objects[i],
			                   "source.objects in ferry.yaml");
	} else if (sf->n_objects > 0) {
		for (i = 0; i < sf->n_objects && !error; i++)
			error = add_target(x, global, sf->objects[i],
			                   "source.objects in ferry.yaml");
	} else {
		for (i = 0; ferry_sf_default_objects[i] && !error; i++)
			error = add_target(x, global,
			                   ferry_sf_default_objects[i], NULL);
		/* Custom objects are named on purpose: they must exist. */
		for (i = 0; i < sf->n_custom_objects && !error; i++)
			error = add_target(x, global, sf->custom_objects[i],
			                   "source.custom_objects in "
			                   "ferry.yaml");
	}
	if (error < 0)
		return error;
	/* ContentDocumentLink is read by the ids of what was staged before
	 * it, so it goes last. */
	for (i = 0; i + 1 < x->n; i++) {
		if (strcmp(x->t[i].name, LINKS) != 0)
			continue;
		links = x->t[i];
		memmove(&x->t[i], &x->t[i + 1], (x->n - i - 1) * sizeof(*x->t));
		x->t[x->n - 1] = links;
		break;
	}
	return 0;
}

static int describe_all(struct extract *x)
{
	struct ferry_buf list = FERRY_BUF_INIT;
	json_t *doc = NULL;
	size_t i;
	int error = 0;

	for (i = 0; i < x->n; i++) {
		if (x->t[i].skipped)
			continue;
		if ((error = ferry_sf__describe_object(&x->r, x->t[i].name,
		                                       &doc)) < 0 ||
		    (error = ferry_sf__select_list(&list, doc, x->t[i].name)) <
		        0)
			goto done;
		x->t[i].select = ferry_buf_detach(&list, NULL);
		json_decref(doc);
		doc = NULL;
	}
done:
	json_decref(doc);
	ferry_buf_release(&list);
	return error;
}

static int64_t limit_remaining(const json_t *limits, const char *key)
{
	const json_t *r =
	    json_object_get(json_object_get(limits, key), "Remaining");

	return json_is_integer(r) ? (int64_t)json_integer_value(r) : -1;
}

/* Stopping before the first call that would be refused says more than
 * REQUEST_LIMIT_EXCEEDED halfway through. */
static int check_limits(const json_t *limits)
{
	if (limit_remaining(limits, "DailyApiRequests") == 0)
		return ferry_error_set(
		    FERRY_ERATELIMIT, "Salesforce's daily API budget is used "
		                      "up (DailyApiRequests: 0 remaining): run "
		                      "'ferry extract' again when the rolling "
		                      "24 h window frees calls");
	if (limit_remaining(limits, "DailyBulkV2QueryJobs") == 0)
		return ferry_error_set(
		    FERRY_ERATELIMIT,
		    "the org has no Bulk API 2.0 query jobs "
		    "left today (DailyBulkV2QueryJobs: 0 "
		    "remaining): run 'ferry extract' again "
		    "when the rolling 24 h window frees some");
	return 0;
}

/* The links are read by the ids of the staged ContentNotes when the
 * extract has them (one query per 200 notes), else by the ids of every
 * other object staged (LinkedEntityId). */
static int extract_links(struct extract *x, const struct target *t,
                         int64_t *staged, int64_t *source)
{
	const char **parents = ferry_xcalloc(x->n + 1, sizeof(*parents));
	const char *field = "LinkedEntityId";
	size_t i, n = 0;
	int error;

	for (i = 0; i < x->n; i++)
		if (!x->t[i].skipped && !strcmp(x->t[i].name, "ContentNote"))
			break;
	if (i < x->n) {
		field = "ContentDocumentId";
		parents[n++] = "ContentNote";
	} else {
		for (i = 0; i < x->n; i++)
			if (!x->t[i].skipped && strcmp(x->t[i].name, LINKS))
				parents[n++] = x->t[i].name;
	}
	error = ferry_sf__rest_extract_links(&x->r, t->select, field, parents,
	                                     n, staged, source);
	free(parents);
	return error;
}

static int record_object(struct extract *x, const struct target *t,
                         bool verified)
{
	const struct ferry_sf_object_report *rep = &x->r.rep;
	json_t *o = json_pack("{s:I, s:I, s:s, s:b, s:b, s:I, s:f}", "staged",
	                      (json_int_t)rep->staged, "source",
	                      (json_int_t)rep->source, "method", rep->method,
	                      "all", x->r.all, "verified", verified, "calls",
	                      (json_int_t)rep->calls, "seconds", rep->seconds);

	json_object_set_new(json_object_get(x->fact, "objects"), t->name, o);
	return save_fact(x);
}

static int resume_object(struct extract *x, const struct target *t)
{
	struct ferry_sf__run *r = &x->r;
	const json_t *prev =
	    json_object_get(json_object_get(x->fact, "objects"), t->name);
	const char *method = json_string_value(json_object_get(prev, "method"));

	r->rep.resumed = true;
	r->rep.staged = json_integer_value(json_object_get(x->staged, t->name));
	r->rep.source =
	    json_is_integer(json_object_get(prev, "source"))
	        ? json_integer_value(json_object_get(prev, "source"))
	        : r->rep.staged;
	snprintf(r->rep.method, sizeof(r->rep.method), "%s",
	         method ? method : "bulk");
	ferry_sf__progress(r, true);
	report_done(r);
	return 0;
}

/* True if the interrupted run this one resumes staged `t` completely. */
static bool done_in_run(struct extract *x, const struct target *t)
{
	struct ferry_buf done_run = FERRY_BUF_INIT;
	char key[128];
	bool done;

	snprintf(key, sizeof(key), "sf.extract.done.%s", t->name);
	done = x->resuming &&
	       ferry_workspace_meta_get(x->r.ws, key, &done_run) == 0 &&
	       !strcmp(done_run.ptr, x->r.run_id) &&
	       json_object_get(x->staged, t->name);
	ferry_error_clear();
	ferry_buf_release(&done_run);
	return done;
}

/* Creates the Bulk jobs of the next JOBS_AHEAD objects from `from`. */
static int prepare_ahead(struct extract *x, size_t from)
{
	size_t i, made = 0;
	char *soql;
	int error = 0;

	for (i = from; i < x->n && made < JOBS_AHEAD; i++) {
		struct target *t = &x->t[i];

		if (t->skipped || !strcmp(t->name, LINKS) ||
		    done_in_run(x, t)) {
			t->prepared = true;
			continue;
		}
		made++;
		if (t->prepared)
			continue;
		soql = ferry_xasprintf("SELECT %s FROM %s", t->select, t->name);
		error = ferry_sf__bulk_prepare(&x->r, t->name, soql,
		                               &t->bulk_refused);
		free(soql);
		if (error < 0)
			return error;
		t->prepared = true;
	}
	return error;
}

static int extract_object(struct extract *x, const struct target *t)
{
	struct ferry_sf__run *r = &x->r;
	struct ferry_buf done_run = FERRY_BUF_INIT;
	char key[128], jobkey[128], a[32], b[32], c[32];
	char *soql = NULL;
	int64_t staged = 0, source = -1, total = -1;
	bool unsupported = false;
	int error;

	memset(&r->rep, 0, sizeof(r->rep));
	r->read_at = 0;
	snprintf(r->rep.object, sizeof(r->rep.object), "%s", t->name);
	snprintf(r->rep.method, sizeof(r->rep.method), "bulk");
	r->obj_started_us = r->last_tick_us = ferry_clock_mono_us();
	r->obj_calls0 = ferry_sf_usage(r->sf)->calls;
	if (t->skipped) {
		r->rep.skipped = true;
		ferry_sf__progress(r, true);
		report_done(r);
		json_array_append_new(json_object_get(x->fact, "skipped"),
		                      json_string(t->name));
		return 0;
	}
	snprintf(key, sizeof(key), "sf.extract.done.%s", t->name);
	snprintf(jobkey, sizeof(jobkey), "sf.extract.job.%s", t->name);
	if (x->resuming &&
	    ferry_workspace_meta_get(r->ws, key, &done_run) == 0 &&
	    !strcmp(done_run.ptr, r->run_id) &&
	    json_object_get(x->staged, t->name)) {
		ferry_buf_release(&done_run);
		return resume_object(x, t);
	}
	ferry_error_clear();
	ferry_buf_release(&done_run);
	ferry_sf__progress(r, true);

	soql = ferry_xasprintf("SELECT %s FROM %s", t->select, t->name);
	if (!strcmp(t->name, LINKS)) {
		if ((error = extract_links(x, t, &staged, &source)) < 0)
			goto done;
	} else {
		unsupported = t->bulk_refused;
		if (!unsupported &&
		    (error = ferry_sf__bulk_extract(r, t->name, soql,
		                                    &unsupported, &staged)) < 0)
			goto done;
		/* The Date of Salesforce's last answer (its refusal of
		 * the Bulk job) is before the query reads anything. */
		if (unsupported && !r->read_at)
			r->read_at = r->sf->server_time;
		if (unsupported && (error = ferry_sf__rest_extract(
		                        r, t->name, soql, &staged, &total)) < 0)
			goto done;
		error = ferry_sf_count(r->sf, t->name, r->all, &source);
		/* An object REST serves but COUNT() does not: its own
		 * query's totalSize is the count it reported. */
		if (error == FERRY_EINVALID && unsupported && total >= 0) {
			ferry_error_clear();
			source = total;
			error = 0;
		}
		if (error < 0) {
			ferry_error_wrap(error, "counting %s", t->name);
			goto done;
		}
	}
	r->rep.staged = staged;
	r->rep.source = source;
	fill_report(r, ferry_clock_mono_us());
	if ((error = record_object(x, t, staged == source)) < 0)
		goto done;
	if (staged != source) {
		/* The next run reads a new job: this one's snapshot is the
		 * one that did not add up. */
		(void)ferry_workspace_meta_set(r->ws, jobkey, "");
		error = ferry_error_set(
		    FERRY_ECONFLICT,
		    "%s: staged %s records but Salesforce counts %s (%s %s): "
		    "the extract stopped; re-run 'ferry extract' to fetch %s "
		    "again (records created or deleted in Salesforce while "
		    "the extract ran also cause this)",
		    t->name, grouped(a, staged), grouped(b, source),
		    grouped(c, staged < source ? source - staged
		                               : staged - source),
		    staged < source ? "missing" : "more than counted", t->name);
		goto done;
	}
	/* Where `ferry sync` starts from, before the object counts as
	 * done: a resumed extract never leaves one without the other. */
	if (r->read_at > 0 && strcmp(t->name, LINKS) != 0 &&
	    (error = ferry_sf_watermark_set(
	         r->ws, t->name, r->read_at,
	         unsupported ? "extract (REST query)"
	                     : "extract (Bulk job createdDate)")) < 0)
		goto done;
	if ((error = ferry_workspace_meta_set(r->ws, key, r->run_id)) < 0 ||
	    (error = ferry_workspace_meta_set(r->ws, jobkey, "")) < 0)
		goto done;
	json_object_set_new(x->staged, t->name, json_integer(staged));
	report_done(r);
done:
	free(soql);
	return error;
}

/* What the options leave unset comes from ferry.yaml, then defaults. */
static void fill_opts(struct ferry_sf__run *r,
                      const struct ferry_sf_extract_opts *o)
{
	r->all = o->include_deleted || r->sf->include_deleted;
	r->page_size = o->page_size > 0       ? o->page_size
	               : r->sf->page_size > 0 ? r->sf->page_size
	                                      : PAGE_SIZE_DEFAULT;
	r->poll_min_ms = o->poll_min_ms > 0 ? o->poll_min_ms : POLL_MIN_DEFAULT;
	r->poll_max_ms = o->poll_max_ms > 0 ? o->poll_max_ms : POLL_MAX_DEFAULT;
	if (r->poll_max_ms < r->poll_min_ms)
		r->poll_max_ms = r->poll_min_ms;
}

int ferry_sf_extract(struct ferry_sf *sf, struct ferry_workspace *ws,
                     const struct ferry_sf_extract_opts *o,
                     ferry_sf_progress_cb cb, void *payload)
{
	struct ferry_sf_extract_opts defaults;
	struct extract x;
	json_t *global = NULL, *limits = NULL;
	char now[40];
	const char *started;
	size_t i;
	int error;

	memset(&defaults, 0, sizeof(defaults));
	memset(&x, 0, sizeof(x));
	if (!o)
		o = &defaults;
	x.r.sf = sf;
	x.r.ws = ws;
	x.r.cb = cb;
	x.r.payload = payload;
	fill_opts(&x.r, o);
	x.calls0 = ferry_sf_usage(sf)->calls;
	x.jobs0 = ferry_sf_usage(sf)->bulk_jobs;
	x.staged = json_object();

	if ((error = begin_run(&x, o->restart)) < 0 ||
	    (error = ferry_stage_foreach_object(ws, on_staged, x.staged)) < 0 ||
	    (error = ferry_sf__limits_fact(&x.r, &limits)) < 0 ||
	    (error = check_limits(limits)) < 0 ||
	    (error = ferry_sf__describe_global(&x.r, &global)) < 0 ||
	    (error = build_scope(&x, o, global)) < 0 ||
	    (error = describe_all(&x)) < 0 ||
	    (error = ferry_sf__tooling_facts(&x.r)) < 0)
		goto done;
	json_array_clear(json_object_get(x.fact, "skipped"));
	for (i = 0; i < x.n; i++)
		if ((error = prepare_ahead(&x, i)) < 0 ||
		    (error = extract_object(&x, &x.t[i])) < 0)
			goto done;
	started = json_string_value(json_object_get(x.fact, "started_at"));
	ferry_clock_iso8601(ferry_clock_wall_us(), now, sizeof(now));
	json_object_set_new(x.fact, "finished_at", json_string(now));
	if ((error = save_fact(&x)) < 0 ||
	    (error = save_run(&x, "done", started ? started : now)) < 0)
		goto done;
done:
	if (error < 0 && x.fact) {
		/* The fact says where the extract stopped and why; the run
		 * stays unfinished, so the next extract resumes it. */
		int code = ferry_error_code();
		char *msg = ferry_xstrdup(ferry_error_last());

		json_object_set_new(x.fact, "error", json_string(msg));
		(void)save_fact(&x);
		ferry_error_set(code, "%s", msg);
		free(msg);
	}
	for (i = 0; i < x.n; i++)
		free(x.t[i].select);
	free(x.t);
	json_decref(x.fact);
	json_decref(x.staged);
	json_decref(global);
	json_decref(limits);
	return error;
}
