/* sync.c: tests of what `ferry sync` is made of. Salesforce's datetimes
 * and the watermarks in the workspace; the staging changed one record at
 * a time; the Salesforce stand-in's record writes (seen by queries,
 * counts and the delta resources, paging right after deletes); the
 * extract's watermark (the Bulk job's createdDate) and ferry_sf_delta
 * against the stand-in: changed, new and deleted records since it, a
 * window too old to read; and the central property of the plan side: after
 * random source changes (edits that make and break duplicates, new
 * records, deletions of referenced records and of survivors), re-planning
 * only the records read and deleted leaves the plan exactly as a whole
 * plan would, over several seeds. The whole command, against both
 * stand-ins, is tests/scenarios/sync.sh. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/analyze.h"
#include "ferry/config.h"
#include "ferry/export.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/salesforce.h"
#include "ferry/workspace.h"
#include "connectors/salesforce/sf_extract.h"
#include "sf_sandbox.h"

/*
 * Times and watermarks.
 */

static void test_times(void **state)
{
	int64_t t;
	char out[32];

	FERRY_UNUSED(state);
	assert_int_equal(
	    ferry_sf__parse_time("2026-11-01T00:00:00.000+0000", &t), 0);
	assert_int_equal(t, SF_ORG_NOW);
	assert_int_equal(ferry_sf__parse_time("2026-11-01T00:00:05Z", &t), 0);
	assert_int_equal(t, SF_ORG_NOW + 5);
	assert_int_equal(
	    ferry_sf__parse_time("2026-11-01T02:00:00.123+02:00", &t), 0);
	assert_int_equal(t, SF_ORG_NOW);
	assert_int_equal(ferry_sf__parse_time("2026-10-31T19:00:00-0500", &t),
	                 0);
	assert_int_equal(t, SF_ORG_NOW);
	assert_int_equal(ferry_sf__parse_time("2026-11-01", &t),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_time("2026-11-01T00:00:00", &t),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_time("2026-13-01T00:00:00Z", &t),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_time("2026-11-01T00:00:00.Z", &t),
	                 FERRY_EINVALID);
	ferry_sf__format_time(SF_ORG_NOW + 61, out, sizeof(out));
	assert_string_equal(out, "2026-11-01T00:01:01Z");
}

static void test_watermarks(void **state)
{
	char *dir = test_tmpdir("sync-watermarks");
	struct ferry_workspace *ws = NULL;
	struct ferry_sf_watermark w;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_sf_watermark_get(ws, "Account", &w),
	                 FERRY_ENOTFOUND);
	assert_int_equal(ferry_sf_watermark_set(ws, "Account", 0, "x"),
	                 FERRY_EINVALID);
	assert_int_equal(
	    ferry_sf_watermark_set(ws, "Account", SF_ORG_NOW + 7, "sync"), 0);
	assert_int_equal(ferry_sf_watermark_get(ws, "Account", &w), 0);
	assert_int_equal(w.at, SF_ORG_NOW + 7);
	assert_string_equal(w.how, "sync");
	assert_int_equal(
	    ferry_workspace_meta_set(ws, "sf.watermark.Contact", "{\"at\":1}"),
	    0);
	assert_int_equal(ferry_sf_watermark_get(ws, "Contact", &w), FERRY_EDB);
	assert_non_null(strstr(ferry_error_last(), "ferry extract"));
	ferry_workspace_free(ws);
	free(dir);
}

/*
 * The staging, one record at a time.
 */

static int64_t staged_count(struct ferry_workspace *ws, const char *object)
{
	struct ferry_ledger_count *c = NULL;
	size_t n = 0, i;
	int64_t v = -1;

	assert_int_equal(ferry_ledger_counts(&c, &n, ws), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(c[i].object, object))
			v = c[i].staged;
	free(c);
	return v;
}

static int64_t line_of(const char *dir, const char *id)
{
	char *path = ferry_xasprintf("%s/.ferry/state.db", dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t line = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT line FROM staged_records "
	                                    "WHERE source_id = ?",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		line = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return line;
}

static void test_stage_put_remove(void **state)
{
	char *dir = test_tmpdir("sync-stage");
	struct ferry_workspace *ws = NULL;
	struct ferry_stage *st = NULL;
	json_t *a = json_pack("{s:s, s:s}", "Id", "A1", "Name", "One");
	json_t *b = json_pack("{s:s, s:s}", "Id", "A2", "Name", "Two");
	json_t *got = NULL;
	bool changed = true, removed = false;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_stage_put(ws, "Account", "A1", a, &changed),
	                 FERRY_ENOTFOUND);
	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "test"), 0);
	assert_int_equal(ferry_stage_add(st, "A1", 1, a), 0);
	assert_int_equal(ferry_stage_add(st, "A2", 2, b), 0);
	assert_int_equal(ferry_stage_commit(st, NULL), 0);

	/* The same fields, in another order: nothing changes. */
	json_decref(a);
	a = json_pack("{s:s, s:s}", "Name", "One", "Id", "A1");
	assert_int_equal(ferry_stage_put(ws, "Account", "A1", a, &changed), 0);
	assert_false(changed);
	/* Changed in place: its line kept. */
	json_object_set_new(a, "Name", json_string("Uno"));
	assert_int_equal(ferry_stage_put(ws, "Account", "A1", a, &changed), 0);
	assert_true(changed);
	assert_int_equal(line_of(dir, "A1"), 1);
	assert_int_equal(ferry_stage_get(&got, ws, "Account", "A1"), 0);
	assert_string_equal(json_string_value(json_object_get(got, "Name")),
	                    "Uno");
	json_decref(got);
	/* New: after the last line, counted. */
	json_object_set_new(b, "Id", json_string("A3"));
	assert_int_equal(ferry_stage_put(ws, "Account", "A3", b, &changed), 0);
	assert_true(changed);
	assert_int_equal(line_of(dir, "A3"), 3);
	assert_int_equal(staged_count(ws, "Account"), 3);
	/* Removed, counted; removing again changes nothing. */
	assert_int_equal(ferry_stage_remove(ws, "Account", "A2", &removed), 0);
	assert_true(removed);
	assert_int_equal(ferry_stage_remove(ws, "Account", "A2", &removed), 0);
	assert_false(removed);
	assert_int_equal(staged_count(ws, "Account"), 2);
	assert_int_equal(ferry_stage_get(&got, ws, "Account", "A2"),
	                 FERRY_ENOTFOUND);
	/* In a transaction that rolls back, nothing is kept. */
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_stage_remove(ws, "Account", "A1", &removed), 0);
	ferry_workspace_rollback(ws);
	assert_int_equal(staged_count(ws, "Account"), 2);
	assert_int_equal(ferry_stage_put(ws, "Account", "", a, &changed),
	                 FERRY_EINVALID);
	json_decref(a);
	json_decref(b);
	ferry_workspace_free(ws);
	free(dir);
}

/*
 * The stand-in's writes, in its org model.
 */

static int64_t count_where(struct sf_org *org, const char *soql, bool all)
{
	struct sf_query *q = NULL;
	struct sf_err e;
	int64_t n;

	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, false, &e) < 0)
		fail_msg("%s: %s", soql, e.message);
	n = sf_query_count(q, all);
	sf_query_free(q);
	return n;
}

/* The ids a query walks through, joined by spaces. */
static char *walk(struct sf_org *org, const char *soql, bool all)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct sf_query *q = NULL;
	struct sf_record r;
	struct sf_err e;
	const char *row[8];
	int64_t pos = 0;

	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, false, &e) < 0)
		fail_msg("%s: %s", soql, e.message);
	sf_record_init(&r);
	while (sf_query_next(q, all, &pos, &r, row) == 1)
		assert_int_equal(ferry_buf_printf(&b, "%s ", row[0]), 0);
	sf_record_release(&r);
	sf_query_free(q);
	return ferry_buf_detach(&b, NULL);
}

static void test_org_writes(void **state)
{
	struct sf_org_opts oo;
	struct sf_org *org = NULL;
	const struct sf_object *acc;
	struct sf_record r;
	struct sf_write_field f[2];
	int64_t live, n, idx;
	long name, desc;
	char id0[19], id1[19], *ids, *soql;

	FERRY_UNUSED(state);
	sf_org_opts_default(&oo);
	assert_int_equal(sf_org_new(&org, &oo), 0);
	acc = sf_org_object(org, "Account");
	name = sf_object_field(acc, "Name");
	desc = sf_object_field(acc, "Description");
	live = sf_org_live_count(org, acc);
	n = acc->count;
	assert_true(sf_org_plain(org, acc));
	sf_org_record_id(acc, 0, id0);
	sf_org_record_id(acc, 1, id1);

	/* An update: the field, LastModifiedDate and SystemModstamp. */
	f[0].field = name;
	f[0].value = "Renamed";
	f[1].field = desc;
	f[1].value = NULL;
	sf_org_update(org, acc, 0, f, 2, "005000000000001AAA");
	assert_false(sf_org_plain(org, acc));
	sf_record_init(&r);
	assert_int_equal(sf_org_record(org, acc, 0, &r), 0);
	assert_string_equal(r.values[name], "Renamed");
	assert_null(r.values[desc]);
	assert_true(r.modstamp >= SF_ORG_NOW);
	assert_true(ferry_str_starts_with(
	    r.values[sf_object_field(acc, "SystemModstamp")],
	    "2026-11-01T00:"));
	assert_int_equal(count_where(org,
	                             "SELECT Id FROM Account WHERE "
	                             "SystemModstamp >= 2026-11-01T00:00:00Z",
	                             false),
	                 1);

	/* A create: the next id, counted, defaults filled. */
	f[0].value = "Brand New";
	sf_org_create(org, acc, f, 1, "005000000000001AAA", &idx);
	assert_int_equal(idx, n);
	assert_int_equal(acc->count, n + 1);
	assert_int_equal(sf_org_live_count(org, acc), live + 1);
	assert_int_equal(sf_org_record(org, acc, idx, &r), 0);
	assert_string_equal(r.values[name], "Brand New");
	assert_string_equal(r.values[sf_object_field(acc, "IsDeleted")],
	                    "false");
	assert_string_equal(r.values[sf_object_field(acc, "OwnerId")],
	                    "005000000000001AAA");
	assert_non_null(r.values[sf_object_field(acc, "CreatedDate")]);

	/* A delete: soft, seen by queryAll only; paging skips it. */
	sf_org_delete(org, acc, 1, "005000000000001AAA");
	assert_true(sf_org_is_deleted(org, acc, 1));
	assert_int_equal(sf_org_live_count(org, acc), live);
	assert_int_equal(count_where(org, "SELECT Id FROM Account", false),
	                 live);
	assert_int_equal(count_where(org, "SELECT COUNT() FROM Account", true),
	                 n + 1);
	ids = walk(org, "SELECT Id FROM Account LIMIT 2", false);
	assert_null(strstr(ids, id1));
	assert_non_null(strstr(ids, id0));
	free(ids);
	ids = walk(org, "SELECT Id FROM Account LIMIT 1 OFFSET 1", false);
	assert_null(strstr(ids, id1));
	free(ids);
	soql = ferry_xasprintf("SELECT Id FROM Account WHERE Id = '%s' AND "
	                       "IsDeleted = true",
	                       id1);
	assert_int_equal(count_where(org, soql, true), 1);
	free(soql);
	sf_record_release(&r);
	sf_org_free(org);
}

/*
 * The connector against the stand-in.
 */

static struct test_sandbox sfsb;
static bool sfsb_up;

static int stop_sf(void **state)
{
	FERRY_UNUSED(state);
	if (sfsb_up)
		test_sandbox_stop(&sfsb);
	sfsb_up = false;
	return 0;
}

struct collected {
	json_t *changed; /* id -> fields */
	json_t *deleted; /* id -> true */
};

static int collect(const struct ferry_sf_change *c, void *payload)
{
	struct collected *s = payload;

	if (c->deleted)
		json_object_set_new(s->deleted, c->id, json_true());
	else
		json_object_set(s->changed, c->id, c->fields);
	return 0;
}

static int sf_json(struct ferry_sf *sf, const char *method, const char *path,
                   const char *body, json_t **out)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	int error;

	memset(&req, 0, sizeof(req));
	req.body = body;
	error = ferry_sf_call(sf, method, path, body ? &req : NULL, &resp);
	if (error == 0 && out)
		*out = resp.body.len
		           ? json_loadb(resp.body.ptr, resp.body.len, 0, NULL)
		           : NULL;
	if (error == 0 && !out && resp.status != 204)
		error = -1;
	ferry_http_response_release(&resp);
	return error;
}

static void test_delta(void **state)
{
	const char *const args[] = {"--bulk-polls", "0", NULL};
	const char *const objects[] = {"Account", "Contact"};
	char *dir = test_tmpdir("sync-delta"), *path, *yaml, *p;
	struct ferry_config *cfg = NULL;
	struct ferry_sf *sf = NULL;
	struct ferry_workspace *ws = NULL;
	struct ferry_sf_extract_opts o;
	struct ferry_sf_watermark w;
	struct ferry_sf_delta d;
	struct collected s = {json_object(), json_object()};
	json_t *res = NULL, *fields;
	char acc[19], con[19], newid[19];
	const char *key;
	json_t *v;

	FERRY_UNUSED(state);
	setenv("SF_CLIENT_ID", "ferry-sandbox-client", 1);
	setenv("SF_CLIENT_SECRET", "ferry-sandbox-secret", 1);
	assert_int_equal(test_sandbox_start(&sfsb, "salesforce", args), 0);
	sfsb_up = true;
	assert_int_equal(ferry_workspace_init(dir), 0);
	yaml = ferry_xasprintf("version: 1\nsource:\n  type: salesforce\n"
	                       "  login_url: %s\n  auth: client_credentials\n"
	                       "destination:\n  type: attio\n"
	                       "  base_url: http://127.0.0.1:9\n",
	                       sfsb.url);
	free(test_write_file(dir, FERRY_CONFIG_FILE, yaml, strlen(yaml)));
	path = ferry_xasprintf("%s/%s", dir, FERRY_CONFIG_FILE);
	assert_int_equal(ferry_config_load(&cfg, path), 0);
	if (ferry_sf_connect(&sf, cfg) < 0)
		fail_msg("connect: %s", ferry_error_last());
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	memset(&o, 0, sizeof(o));
	o.objects = objects;
	o.n_objects = 2;
	o.poll_min_ms = 5;
	o.poll_max_ms = 20;
	if (ferry_sf_extract(sf, ws, &o, NULL, NULL) < 0)
		fail_msg("extract: %s", ferry_error_last());

	/* The watermark: the Bulk job's createdDate, by the org's clock. */
	assert_int_equal(ferry_sf_watermark_get(ws, "Account", &w), 0);
	assert_true(w.at >= SF_ORG_NOW && w.at < SF_ORG_NOW + 300);
	assert_non_null(strstr(w.how, "Bulk"));

	/* Nothing changed: only what the overlap reads again, all staged
	 * as it is. */
	if (ferry_sf_delta(sf, ws, "Account", w.at, collect, &s, &d) < 0)
		fail_msg("delta: %s", ferry_error_last());
	assert_int_equal(json_object_size(s.deleted), 0);
	json_object_foreach(s.changed, key, v)
	{
		json_t *staged = NULL;

		assert_int_equal(ferry_stage_get(&staged, ws, "Account", key),
		                 0);
		assert_true(json_equal(staged, v));
		json_decref(staged);
	}
	assert_true(d.covered <= SF_ORG_NOW + 300 && d.covered > 0);
	assert_int_equal(d.since, w.at - FERRY_SF_SYNC_OVERLAP_S);
	json_object_clear(s.changed);

	/* Changes the documented way. */
	assert_int_equal(sf_json(sf, "GET",
	                         "/query?q=SELECT+Id+FROM+Contact+LIMIT+1",
	                         NULL, &res),
	                 0);
	snprintf(
	    con, sizeof(con), "%s",
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(res, "records"), 0), "Id")));
	json_decref(res);
	assert_int_equal(sf_json(sf, "GET",
	                         "/query?q=SELECT+Id+FROM+Account+LIMIT+1",
	                         NULL, &res),
	                 0);
	snprintf(
	    acc, sizeof(acc), "%s",
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(res, "records"), 0), "Id")));
	json_decref(res);
	p = ferry_xasprintf("/sobjects/Account/%s", acc);
	assert_int_equal(sf_json(sf, "PATCH", p,
	                         "{\"Name\":\"Changed\",\"NumberOfEmployees\":"
	                         "12}",
	                         NULL),
	                 0);
	/* What Salesforce refuses, it refuses in its words. */
	assert_int_equal(sf_json(sf, "PATCH", p, "{\"Nope\":1}", NULL),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "INVALID_FIELD"));
	assert_int_equal(
	    sf_json(sf, "PATCH", p, "{\"SystemModstamp\":null}", NULL),
	    FERRY_EINVALID);
	assert_non_null(
	    strstr(ferry_error_last(), "INVALID_FIELD_FOR_INSERT_UPDATE"));
	free(p);
	assert_int_equal(sf_json(sf, "POST", "/sobjects/Account",
	                         "{\"Name\":\"Made by a test\"}", &res),
	                 0);
	assert_true(json_is_true(json_object_get(res, "success")));
	assert_int_equal(json_array_size(json_object_get(res, "errors")), 0);
	snprintf(newid, sizeof(newid), "%s",
	         json_string_value(json_object_get(res, "id")));
	json_decref(res);
	assert_int_equal(sf_json(sf, "POST", "/sobjects/Contact",
	                         "{\"FirstName\":\"No\"}", NULL),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "REQUIRED_FIELD_MISSING"));
	p = ferry_xasprintf("/sobjects/Contact/%s", con);
	assert_int_equal(sf_json(sf, "DELETE", p, NULL, NULL), 0);
	assert_int_equal(sf_json(sf, "DELETE", p, NULL, NULL), FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "ENTITY_IS_DELETED"));
	free(p);
	assert_int_equal(sf_json(sf, "DELETE",
	                         "/sobjects/Contact/003000000000000AAA", NULL,
	                         NULL),
	                 FERRY_ENOTFOUND);

	if (ferry_sf_delta(sf, ws, "Account", w.at, collect, &s, &d) < 0)
		fail_msg("delta: %s", ferry_error_last());
	fields = json_object_get(s.changed, acc);
	assert_non_null(fields);
	assert_string_equal(json_string_value(json_object_get(fields, "Name")),
	                    "Changed");
	/* Staged the way extract staged it: text, as the Bulk CSV has it. */
	assert_string_equal(
	    json_string_value(json_object_get(fields, "NumberOfEmployees")),
	    "12");
	v = json_object_get(fields, "SystemModstamp");
	assert_true(json_string_length(v) > 0 &&
	            json_string_value(v)[json_string_length(v) - 1] == 'Z');
	assert_non_null(json_object_get(s.changed, newid));
	assert_int_equal(d.calls, 2);
	json_object_clear(s.changed);
	if (ferry_sf_delta(sf, ws, "Contact", w.at, collect, &s, &d) < 0)
		fail_msg("delta: %s", ferry_error_last());
	assert_true(json_is_true(json_object_get(s.deleted, con)));
	assert_null(json_object_get(s.changed, con));
	assert_int_equal(d.deleted, 1);

	/* Older than Salesforce keeps: extract again. */
	assert_int_equal(ferry_sf_delta(sf, ws, "Account", w.at - 31 * 86400,
	                                collect, &s, &d),
	                 FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "ferry extract"));
	/* Past the recycle bin (15 days in the stand-in). */
	assert_int_equal(ferry_sf_delta(sf, ws, "Account", w.at - 20 * 86400,
	                                collect, &s, &d),
	                 FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "recycle bin"));
	/* An object extract did not describe. */
	assert_int_equal(ferry_sf_delta(sf, ws, "Lead", w.at, collect, &s, &d),
	                 FERRY_ECONFIG);

	json_decref(s.changed);
	json_decref(s.deleted);
	ferry_workspace_free(ws);
	ferry_sf_free(sf);
	ferry_config_free(cfg);
	stop_sf(NULL);
	free(path);
	free(yaml);
	free(dir);
}

/*
 * The plan side: sync's changes re-planned equal a whole plan.
 */

struct fixture {
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_mapfile *m;
};

static void setup(struct fixture *f, const char *name)
{
	char *src, *path, *cut, *mapping;
	struct ferry_buf draft = FERRY_BUF_INIT;
	struct ferry_analyze_opts ao;
	json_t *report = NULL;

	memset(f, 0, sizeof(*f));
	f->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(f->dir), 0);
	assert_int_equal(ferry_workspace_open(&f->ws, f->dir), 0);
	src = ferry_xasprintf("%s/examples/sample-org", test_source_dir());
	if (ferry_export_stage(f->ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	memset(&ao, 0, sizeof(ao));
	ao.write_rate = 25;
	assert_int_equal(ferry_analyze_run(&report, f->ws, &ao), 0);
	assert_int_equal(ferry_analyze_write_mapping(report, f->ws), 0);
	path = ferry_xasprintf("%s/mapping.yaml", f->dir);
	assert_int_equal(test_read_file(&draft, path), 0);
	assert_non_null(cut = strstr(draft.ptr, "  table: {}"));
	mapping = ferry_xasprintf("%.*s  table:\n"
	                          "    005Dn000001AbCdIAK: ann@yourco.com\n"
	                          "    005Dn000001QrStIAK: bob@yourco.com\n"
	                          "options:\n  default_country: US\n",
	                          (int)(cut - draft.ptr), draft.ptr);
	if (ferry_mapfile_parse(&f->m, "mapping.yaml", mapping,
	                        strlen(mapping)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	json_decref(report);
	ferry_buf_release(&draft);
	free(mapping);
	free(path);
	free(src);
}

static void teardown(struct fixture *f)
{
	ferry_mapfile_free(f->m);
	ferry_workspace_free(f->ws);
	free(f->dir);
}

static char *snapshot(struct fixture *f)
{
	char *path = ferry_xasprintf("%s/.ferry/state.db", f->dir);
	struct ferry_buf b = FERRY_BUF_INIT;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int c;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(
	                     db,
	                     "SELECT object, source_id, decision, "
	                     "payload_sha256, dest_object, match_attribute, "
	                     "match_value, survivor_object, survivor_id, "
	                     "reasons, notes, refs FROM plan ORDER BY object, "
	                     "source_id",
	                     -1, &st, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (c = 0; c < 12; c++)
			assert_int_equal(
			    ferry_buf_printf(
			        &b, "%s\t",
			        (const char *)sqlite3_column_text(st, c)),
			    0);
		assert_int_equal(ferry_buf_puts(&b, "\n"), 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return ferry_buf_detach(&b, NULL);
}

static void assert_same_plan(const char *partial, const char *whole,
                             const char *what)
{
	size_t i = 0, line = 1, start = 0;

	if (!strcmp(partial, whole))
		return;
	while (partial[i] && partial[i] == whole[i]) {
		if (partial[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	fail_msg("%s: the re-plan differs from a whole plan at row %zu:\n"
	         "  re-plan: %.300s\n  whole:   %.300s",
	         what, line, partial + start, whole + start);
}

/* The staged ids of `object`, in staging order. */
struct idlist {
	json_t *ids;
};

static int on_record(const char *id, int64_t line, json_t *fields,
                     void *payload)
{
	FERRY_UNUSED(line);
	FERRY_UNUSED(fields);
	json_array_append_new(((struct idlist *)payload)->ids, json_string(id));
	return 0;
}

static json_t *ids_of(struct fixture *f, const char *object)
{
	struct idlist l = {json_array()};

	assert_int_equal(
	    ferry_stage_foreach_record(f->ws, object, on_record, &l), 0);
	return l.ids;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* What read.c does with one change: staged anew (or removed), an audit
 * event, and the record asked for. */
static void sync_put(struct fixture *f, json_t *refs, const char *object,
                     const char *id, json_t *fields)
{
	json_t *old = NULL;
	bool changed = false;

	if (ferry_stage_get(&old, f->ws, object, id) < 0)
		ferry_error_clear();
	assert_int_equal(ferry_stage_put(f->ws, object, id, fields, &changed),
	                 0);
	if (changed)
		assert_int_equal(ferry_audit_append(f->ws, "sync", object, id,
		                                    old ? "changed" : "new",
		                                    NULL),
		                 0);
	json_decref(old);
	json_array_append_new(refs, json_pack("[s, s]", object, id));
}

static void sync_delete(struct fixture *f, json_t *refs, const char *object,
                        const char *id)
{
	bool removed = false;

	assert_int_equal(ferry_stage_remove(f->ws, object, id, &removed), 0);
	assert_true(removed);
	assert_int_equal(
	    ferry_audit_append(f->ws, "sync", object, id, "deleted", NULL), 0);
	json_array_append_new(refs, json_pack("[s, s]", object, id));
}

/* One random change: an edit copying another record's value (a new
 * duplicate, or one no more), a new record (a copy with a new id), or a
 * deletion (of a record others refer to, or merge into). */
static void random_change(struct fixture *f, json_t *refs, uint64_t *seed,
                          int serial)
{
	static const char *const objects[] = {"Account", "Contact"};
	static const char *const fields[] = {"Email",  "Website",  "Name",
	                                     "Phone",  "LastName", "AccountId",
	                                     "Company"};
	const char *object = objects[rnd(seed) % FERRY_ARRAY_LEN(objects)];
	json_t *ids = ids_of(f, object), *rec = NULL, *other = NULL;
	size_t n = json_array_size(ids);
	const char *id, *oid, *field;
	unsigned kind = (unsigned)(rnd(seed) % 10);

	if (n < 2)
		goto done;
	id = json_string_value(json_array_get(ids, rnd(seed) % n));
	oid = json_string_value(json_array_get(ids, rnd(seed) % n));
	assert_int_equal(ferry_stage_get(&rec, f->ws, object, id), 0);
	assert_int_equal(ferry_stage_get(&other, f->ws, object, oid), 0);
	if (kind < 5) {
		field = fields[rnd(seed) % FERRY_ARRAY_LEN(fields)];
		if (json_object_get(other, field))
			json_object_set(rec, field,
			                json_object_get(other, field));
		else
			json_object_set_new(rec, "Description",
			                    json_string("edited"));
		sync_put(f, refs, object, id, rec);
	} else if (kind < 8) {
		char newid[19];

		/* The key prefix of the object, a serial beyond the org's. */
		snprintf(newid, sizeof(newid), "%.3sZZ%010dAAA", id, serial);
		json_object_set_new(other, "Id", json_string(newid));
		sync_put(f, refs, object, newid, other);
	} else {
		sync_delete(f, refs, object, id);
	}
done:
	json_decref(rec);
	json_decref(other);
	json_decref(ids);
}

static void test_replan_equals_whole(void **state)
{
	uint64_t seeds[] = {3, 17, 101};
	size_t k, i, n;

	FERRY_UNUSED(state);
	for (k = 0; k < FERRY_ARRAY_LEN(seeds); k++) {
		struct fixture f;
		struct ferry_plan_stats s;
		struct ferry_plan_ref *refs;
		json_t *list = json_array();
		uint64_t seed = seeds[k];
		char *partial, *whole, *before = NULL, what[64];
		int round, moved = 0;

		setup(&f, "sync-replan");
		memset(&s, 0, sizeof(s));
		if (ferry_plan_run(f.ws, f.m, NULL, &s) < 0)
			fail_msg("plan: %s", ferry_error_last());
		ferry_plan_stats_release(&s);
		for (round = 0; round < 3; round++) {
			free(before);
			before = snapshot(&f);
			json_array_clear(list);
			for (i = 0; i < 6; i++)
				random_change(&f, list, &seed,
				              round * 100 + (int)i);
			n = json_array_size(list);
			assert_true(n > 0);
			refs = ferry_xcalloc(n ? n : 1, sizeof(*refs));
			for (i = 0; i < n; i++) {
				json_t *r = json_array_get(list, i);

				refs[i].object =
				    json_string_value(json_array_get(r, 0));
				refs[i].source_id =
				    json_string_value(json_array_get(r, 1));
			}
			memset(&s, 0, sizeof(s));
			if (ferry_plan_records(f.ws, f.m, NULL, refs, n, &s) <
			    0)
				fail_msg("re-plan: %s", ferry_error_last());
			assert_true(s.partial);
			ferry_plan_stats_release(&s);
			/* Asked again (a sync stopped and run again): the
			 * same plan, deleted records included. */
			if (ferry_plan_records(f.ws, f.m, NULL, refs, n, &s) <
			    0)
				fail_msg("re-plan again: %s",
				         ferry_error_last());
			ferry_plan_stats_release(&s);
			free(refs);
			partial = snapshot(&f);
			memset(&s, 0, sizeof(s));
			if (ferry_plan_run(f.ws, f.m, NULL, &s) < 0)
				fail_msg("plan: %s", ferry_error_last());
			ferry_plan_stats_release(&s);
			whole = snapshot(&f);
			snprintf(what, sizeof(what), "seed %llu round %d",
			         (unsigned long long)seeds[k], round);
			assert_same_plan(partial, whole, what);
			moved += strcmp(before, partial) != 0;
			free(partial);
			free(whole);
		}
		/* The changes changed the plan (else nothing was tested). */
		assert_true(moved > 0);
		free(before);
		json_decref(list);
		teardown(&f);
	}
}

/* A record no one staged, planned or deleted is still refused. */
static void test_unknown_ref(void **state)
{
	struct fixture f;
	struct ferry_plan_stats s;
	struct ferry_plan_ref r = {"Account", "001ZZ0000000000AAA"};

	FERRY_UNUSED(state);
	setup(&f, "sync-unknown");
	memset(&s, 0, sizeof(s));
	assert_int_equal(ferry_plan_run(f.ws, f.m, NULL, &s), 0);
	ferry_plan_stats_release(&s);
	assert_int_equal(ferry_plan_records(f.ws, f.m, NULL, &r, 1, &s),
	                 FERRY_ENOTFOUND);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_watermarks),
	    cmocka_unit_test(test_stage_put_remove),
	    cmocka_unit_test(test_org_writes),
	    cmocka_unit_test_teardown(test_delta, stop_sf),
	    cmocka_unit_test(test_replan_equals_whole),
	    cmocka_unit_test(test_unknown_ref),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
