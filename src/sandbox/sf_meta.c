/* sf_meta.c: the Salesforce stand-in's small REST handlers: the versions
 * list, a version's resources, describes, /limits and recordCount, the
 * updated/deleted delta endpoints, and the sandbox's own stats. */
#include "util.h"

#include <time.h>

#include "sf_http.h"

#define DAY          86400
#define MAX_DELTA_ID 600000

json_t *sf_versions_json(void)
{
	static const char *const season[] = {"Summer", "Winter", "Spring"};
	json_t *arr = json_array();
	int v;

	/* 31.0 is Summer '14; three releases a year, Winter counts as the
	 * next year's */
	for (v = SF_VERSION_MIN; v <= SF_VERSION_MAX; v++) {
		int k = v - SF_VERSION_MIN, year = 14 + k / 3 + (k % 3 ? 1 : 0);
		char label[32], url[32], ver[8];

		snprintf(label, sizeof(label), "%s '%02d", season[k % 3], year);
		snprintf(url, sizeof(url), "/services/data/v%d.0", v);
		snprintf(ver, sizeof(ver), "%d.0", v);
		json_array_append_new(arr,
		                      json_pack("{s:s,s:s,s:s}", "label", label,
		                                "url", url, "version", ver));
	}
	return arr;
}

json_t *sf_stats_json(struct sf_sb *sb)
{
	const struct sf_stats *s = &sb->stats;

	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "requests",
	                 (json_int_t)s->requests, "api_requests",
	                 (json_int_t)s->api_requests, "token_requests",
	                 (json_int_t)s->token_requests, "bulk_jobs",
	                 (json_int_t)s->bulk_jobs, "results_pages",
	                 (json_int_t)s->results_pages, "expired_tokens",
	                 (json_int_t)s->expired_tokens, "faults_injected",
	                 (json_int_t)s->faults_injected);
}

int sf_h_resources(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e)
{
	static const char *const names[] = {
	    "tooling",        "metadata",
	    "eclair",         "folders",
	    "prechatForms",   "chatter",
	    "tabs",           "appMenu",
	    "quickActions",   "queryAll",
	    "commerce",       "wave",
	    "analytics",      "search",
	    "composite",      "parameterizedSearch",
	    "theme",          "nouns",
	    "event",          "serviceTemplates",
	    "recent",         "connect",
	    "licensing",      "limits",
	    "process",        "async-queries",
	    "query",          "emailConnect",
	    "compactLayouts", "knowledgeManagement",
	    "sobjects",       "actions",
	    "support",        "jobs",
	};
	json_t *map = json_object();
	char *v;
	size_t i;

	FERRY_UNUSED(e);
	for (i = 0; i < FERRY_ARRAY_LEN(names); i++) {
		v = ferry_xasprintf("/services/data/v%s/%s", rq->version,
		                    names[i]);
		json_object_set_new(map, names[i], json_string(v));
		free(v);
	}
	v = ferry_xasprintf("%s/id/%s/%s", sb->base_url, sb->org_id,
	                    sb->user_id);
	json_object_set_new(map, "identity", json_string(v));
	free(v);
	out->json = map;
	return 0;
}

static int object_or_404(struct sf_sb *sb, const char *name,
                         const struct sf_object **out, struct sf_err *e)
{
	*out = sf_org_object(sb->org, name);
	if (!*out)
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	return 0;
}

int sf_h_describe_global(struct sf_sb *sb, struct sf_req *rq,
                         struct sf_reply *out, struct sf_err *e)
{
	FERRY_UNUSED(e);
	out->json = sf_describe_global_json(sb->org, rq->version);
	return 0;
}

int sf_h_sobject(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e)
{
	const struct sf_object *o;
	json_t *global, *entry, *found = NULL;
	size_t i;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	global = sf_describe_global_json(sb->org, rq->version);
	json_array_foreach(json_object_get(global, "sobjects"), i, entry)
	{
		const char *name =
		    json_string_value(json_object_get(entry, "name"));

		if (name && !strcmp(name, o->name)) {
			found = json_incref(entry);
			break;
		}
	}
	json_decref(global);
	if (!found)
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	out->json =
	    json_pack("{s:o,s:[]}", "objectDescribe", found, "recentItems");
	return 0;
}

int sf_h_describe(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                  struct sf_err *e)
{
	const struct sf_object *o;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	out->json = sf_describe_json(sb->org, o, rq->version);
	return 0;
}

/* A describe's urls under /tooling/sobjects/ rather than /sobjects/. */
static void tooling_urls(json_t *desc)
{
	json_t *urls = json_object_get(desc, "urls"), *v;
	const char *key;
	void *tmp;

	json_object_foreach_safe(urls, tmp, key, v)
	{
		const char *s = json_string_value(v);
		const char *at = s ? strstr(s, "/sobjects/") : NULL;
		char *t;

		if (!at || strstr(s, "/tooling/"))
			continue;
		t = ferry_xasprintf("%.*s/tooling%s", (int)(at - s), s, at);
		json_object_set_new(urls, key, json_string(t));
		free(t);
	}
}

int sf_h_tooling_describe_global(struct sf_sb *sb, struct sf_req *rq,
                                 struct sf_reply *out, struct sf_err *e)
{
	json_t *global = sf_describe_global_json(sb->org, rq->version);
	json_t *shape = json_array_get(json_object_get(global, "sobjects"), 0);
	json_t *list = json_array(), *v;
	const char *key;
	size_t i;

	FERRY_UNUSED(e);
	/* the data API's describeGlobal has no Tooling objects: make their
	 * entries from their describes, with the keys an entry has */
	for (i = 0; i < sf_org_n_objects(sb->org); i++) {
		const struct sf_object *o = sf_org_object_at(sb->org, i);
		json_t *desc, *entry;

		if (!o->tooling)
			continue;
		desc = sf_describe_json(sb->org, o, rq->version);
		tooling_urls(desc);
		entry = json_object();
		json_object_foreach(desc, key, v)
		{
			if (!shape || json_object_get(shape, key))
				json_object_set(entry, key, v);
		}
		json_array_append_new(list, entry);
		json_decref(desc);
	}
	json_object_set_new(global, "sobjects", list);
	out->json = global;
	return 0;
}

int sf_h_tooling_describe(struct sf_sb *sb, struct sf_req *rq,
                          struct sf_reply *out, struct sf_err *e)
{
	const struct sf_object *o = sf_org_object(sb->org, rq->params[0]);

	if (!o || !o->tooling)
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	out->json = sf_describe_json(sb->org, o, rq->version);
	tooling_urls(out->json);
	return 0;
}

/* --- limits --- */

static void put_limit(json_t *obj, const char *name, int64_t max,
                      int64_t remaining)
{
	json_object_set_new(
	    obj, name,
	    json_pack("{s:I,s:I}", "Max", (json_int_t)max, "Remaining",
	              (json_int_t)(remaining < 0 ? 0 : remaining)));
}

int sf_h_limits(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                struct sf_err *e)
{
	/* Developer Edition's values for what the sandbox does not model */
	static const struct {
		const char *name;
		int64_t max;
	} fixed[] = {
	    {"ActiveScratchOrgs", 3},
	    {"AnalyticsExternalDataSizeMB", 40960},
	    {"ConcurrentAsyncGetReportInstances", 200},
	    {"ConcurrentSyncReportRuns", 20},
	    {"DailyAnalyticsDataflowJobExecutions", 60},
	    {"DailyAsyncApexExecutions", 250000},
	    {"DailyBulkApiBatches", 15000},
	    {"DailyDurableStreamingApiEvents", 10000},
	    {"DailyGenericStreamingApiEvents", 10000},
	    {"DailyStreamingApiEvents", 10000},
	    {"DailyWorkflowEmails", 405},
	    {"HourlyAsyncReportRuns", 1200},
	    {"HourlyDashboardRefreshes", 200},
	    {"HourlySyncReportRuns", 500},
	    {"HourlyTimeBasedWorkflow", 50},
	    {"MassEmail", 10},
	    {"SingleEmail", 15},
	    {"StreamingApiConcurrentClients", 20},
	};
	json_t *obj = json_object();
	int64_t records = 0, data_mb, data_max, files = 0;
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < FERRY_ARRAY_LEN(fixed); i++)
		put_limit(obj, fixed[i].name, fixed[i].max, fixed[i].max);
	for (i = 0; i < sf_org_n_objects(sb->org); i++) {
		const struct sf_object *o = sf_org_object_at(sb->org, i);

		if (o->tooling)
			continue;
		records += o->count;
		if (!strcmp(o->name, "Attachment"))
			files += o->count;
	}
	/* Salesforce counts most records as 2 KB of data storage */
	data_mb = (records * 2 + 1023) / 1024;
	data_max = data_mb < 4 ? 5 : data_mb + data_mb / 4 + 1;
	put_limit(obj, "DailyApiRequests", sb->opts->api_limit,
	          sb->opts->api_limit - sb->api_used);
	put_limit(obj, "DailyBulkV2QueryJobs", 10000,
	          10000 - sb->bulk_jobs_used);
	put_limit(obj, "DailyBulkV2QueryFileStorageMB", 976562,
	          976562 - sb->bulk_bytes / (1024 * 1024));
	put_limit(obj, "DataStorageMB", data_max, data_max - data_mb);
	put_limit(obj, "FileStorageMB", 20, 20 - (files * 16) / 1024);
	put_limit(obj, "PermissionSets", 1500, 1498);
	json_object_set_new(
	    json_object_get(obj, "PermissionSets"), "CreateCustom",
	    json_pack("{s:i,s:i}", "Max", 1000, "Remaining", 998));
	out->json = obj;
	return 0;
}

static int64_t live_count(struct sf_sb *sb, const struct sf_object *o)
{
	return sf_org_live_count(sb->org, o);
}

int sf_h_record_count(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                      struct sf_err *e)
{
	char *list = sf_req_arg(rq, "sObjects");
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(e);
	if (list) {
		char *p = list;

		while (*p) {
			size_t n = strcspn(p, ",");
			char save = p[n];
			const struct sf_object *o;

			p[n] = '\0';
			o = sf_org_object(sb->org, ferry_str_trim(p));
			if (o && !o->tooling && live_count(sb, o) > 0)
				json_array_append_new(
				    arr,
				    json_pack("{s:I,s:s}", "count",
				              (json_int_t)live_count(sb, o),
				              "name", o->name));
			p += n + (save ? 1 : 0);
		}
	} else {
		for (i = 0; i < sf_org_n_objects(sb->org); i++) {
			const struct sf_object *o =
			    sf_org_object_at(sb->org, i);

			if (!o->tooling && live_count(sb, o) > 0)
				json_array_append_new(
				    arr,
				    json_pack("{s:I,s:s}", "count",
				              (json_int_t)live_count(sb, o),
				              "name", o->name));
		}
	}
	free(list);
	out->json = json_pack("{s:o}", "sObjects", arr);
	return 0;
}

/* --- updated / deleted --- */

/* 2024-05-06T00:00:00[.fff](Z|±HH:MM|±HHMM) or a date; Unix seconds. */
static bool parse_datetime(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	int64_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return false;
	s += n;
	if (*s == 'T') {
		if (sscanf(s, "T%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 ||
		    n != 9)
			return false;
		s += n;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	if (*s == 'Z') {
		s++;
	} else if (*s == '+' || *s == '-' || *s == ' ') {
		/* a '+' the client forgot to encode arrives as a space */
		int sign = *s == '-' ? -1 : 1;

		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5)
			s += 6;
		else if (sscanf(s + 1, "%2d%2d%n", &oh, &om, &n) == 2 && n == 4)
			s += 5;
		else
			return false;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*s)
		return false;
	*out = t;
	return true;
}

/* The window of an updated/deleted request, truncated to the minute. */
static int delta_window(struct sf_req *rq, int64_t *start, int64_t *end,
                        struct sf_err *e)
{
	char *s = sf_req_arg(rq, "start"), *en = sf_req_arg(rq, "end");
	int rc = 0;

	if (!s || !en) {
		rc = sf_err_set(e, 400, "MISSING_ARGUMENT",
		                "Missing argument: %s", !s ? "start" : "end");
		goto done;
	}
	if (!parse_datetime(s, start) || !parse_datetime(en, end)) {
		rc = sf_err_set(e, 400, "INVALID_REPLICATION_DATE",
		                "start and end must be dateTimes such as "
		                "2026-10-20T00:00:00+00:00");
		goto done;
	}
	*start -= *start % 60;
	*end -= *end % 60;
	if (*end <= *start)
		rc = sf_err_set(
		    e, 400, "INVALID_REPLICATION_DATE",
		    "startDate must chronologically precede endDate");
done:
	free(s);
	free(en);
	return rc;
}

int sf_h_updated(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e)
{
	const struct sf_object *o;
	struct sf_record r;
	int64_t start, end, i, n = 0, now;
	json_t *ids;
	char latest[40];

	if (object_or_404(sb, rq->params[0], &o, e) < 0 ||
	    delta_window(rq, &start, &end, e) < 0)
		return -1;
	/* the org's clock, not the wall's: see SF_ORG_NOW */
	now = sf_org_now(sb->org);
	if (start < now - 30 * DAY)
		return sf_err_set(e, 400, "INVALID_REPLICATION_DATE",
		                  "startDate cannot be more than 30 days ago");
	if (end > now - now % 60)
		end = now - now % 60;
	ids = json_array();
	sf_record_init(&r);
	for (i = 0; i < o->count && start < end; i++) {
		if (sf_org_record(sb->org, o, i, &r) < 0 || r.is_deleted ||
		    r.modstamp < start || r.modstamp >= end)
			continue;
		if (++n > MAX_DELTA_ID) {
			sf_record_release(&r);
			json_decref(ids);
			return sf_err_set(e, 400, "EXCEEDED_ID_LIMIT",
			                  "too many ids: narrow the window");
		}
		json_array_append_new(ids, json_string(r.id));
	}
	sf_record_release(&r);
	sf_format_time(end, latest, sizeof(latest));
	out->json =
	    json_pack("{s:o,s:s}", "ids", ids, "latestDateCovered", latest);
	return 0;
}

int sf_h_deleted(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                 struct sf_err *e)
{
	const struct sf_object *o;
	struct sf_record r;
	int64_t now = sf_org_now(sb->org), earliest = now - 15 * DAY;
	int64_t start, end, i, n = 0;
	json_t *recs;
	char latest[40], first[40], when[40];

	if (object_or_404(sb, rq->params[0], &o, e) < 0 ||
	    delta_window(rq, &start, &end, e) < 0)
		return -1;
	if (end > now - now % 60)
		end = now - now % 60;
	if (start < earliest)
		start = earliest;
	recs = json_array();
	sf_record_init(&r);
	for (i = 0; i < o->count && start < end; i++) {
		if (!sf_org_is_deleted(sb->org, o, i) ||
		    sf_org_record(sb->org, o, i, &r) < 0 ||
		    r.modstamp < start || r.modstamp >= end)
			continue;
		if (++n > MAX_DELTA_ID) {
			sf_record_release(&r);
			json_decref(recs);
			return sf_err_set(e, 400, "EXCEEDED_ID_LIMIT",
			                  "too many ids: narrow the window");
		}
		sf_format_time(r.modstamp, when, sizeof(when));
		json_array_append_new(recs, json_pack("{s:s,s:s}", "id", r.id,
		                                      "deletedDate", when));
	}
	sf_record_release(&r);
	sf_format_time(earliest, first, sizeof(first));
	sf_format_time(end, latest, sizeof(latest));
	out->json = json_pack("{s:o,s:s,s:s}", "deletedRecords", recs,
	                      "earliestDateAvailable", first,
	                      "latestDateCovered", latest);
	return 0;
}
