/* load_errors.c: every Attio error class the loader can meet, one test
 * each, on what the person running ferry is told (the run's result and
 * message, the ledger's reason) and what the ledger and the conflict
 * queue hold afterwards. A refusal of one record (400 validation_type,
 * uniqueness_conflict, value_not_found, 404, 409) fails that record in
 * the ledger and holds it in the plan with Attio's code, message and what
 * releases it; a refusal of the token (401, 403) ends the run with
 * FERRY_EAUTH and marks nothing failed; 429 (Retry-After an HTTP date),
 * 5xx, timeouts and dropped connections are waited out and retried, a
 * create looked for before it is made again. Classes the sandbox does not
 * produce by itself come from its POST /__sandbox/faults. */
#include "helpers.h"
#include "util.h"

#include "ferry/attio.h"
#include "ferry/load.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"

struct fx {
	struct test_sandbox sb;
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_mapfile *m;
	struct ferry_attio *attio;
	json_t *schema;
	struct ferry_http_opts ho;
	struct ferry_load_config lc;
	struct ferry_load_report rep;
};

/* The fixture open now, closed by the teardown even when a test fails. */
static struct fx *current;

static void fx_open(struct fx *f, const char *name, const char *const *args)
{
	memset(f, 0, sizeof(*f));
	current = f;
	assert_int_equal(test_sandbox_start(&f->sb, "attio", args), 0);
	f->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(f->dir), 0);
	assert_int_equal(ferry_workspace_open(&f->ws, f->dir), 0);
	f->ho.base_url = f->sb.url;
	f->ho.token = TEST_SANDBOX_TOKEN;
	f->ho.name = "Attio";
	f->ho.write_rate = 1000;
	f->ho.read_rate = 1000;
	f->ho.backoff_base_ms = 5;
	f->ho.backoff_max_ms = 50;
	assert_int_equal(ferry_attio_new(&f->attio, &f->ho), 0);
	f->lc.http = &f->ho;
}

static void fx_close(struct fx *f)
{
	ferry_load_report_release(&f->rep);
	json_decref(f->schema);
	ferry_attio_free(f->attio);
	ferry_mapfile_free(f->m);
	ferry_workspace_free(f->ws);
	test_sandbox_stop(&f->sb);
	free(f->dir);
	current = NULL;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	if (current)
		fx_close(current);
	return 0;
}

/* An API call for the test's own setup and checks: Attio's "data". */
static json_t *api(struct fx *f, const char *method, const char *path,
                   const char *body)
{
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	json_t *root, *data;

	assert_int_equal(ferry_http_request(ferry_attio_http(f->attio),
	                                    FERRY_HTTP_READ, method, path, body,
	                                    &r),
	                 0);
	if (r.status < 200 || r.status > 299)
		fail_msg("%s %s: HTTP %ld %s", method, path, r.status,
		         r.body.ptr);
	root = json_loads(r.body.ptr, 0, NULL);
	assert_non_null(root);
	data = json_object_get(root, "data");
	data = json_incref(data ? data : root);
	json_decref(root);
	ferry_http_response_release(&r);
	return data;
}

/* The next `count` requests `method` `path`... answered `status` `code`
 * `message` by the sandbox. */
static void fault(struct fx *f, const char *method, const char *path,
                  int status, const char *code, const char *message, int count)
{
	json_t *doc = json_pack("{s:s?, s:s, s:i, s:s?, s:s?, s:i}", "method",
	                        method, "path", path, "status", status, "code",
	                        code, "message", message, "count", count);
	char *body = json_dumps(doc, JSON_COMPACT);

	json_decref(api(f, "POST", "/__sandbox/faults", body));
	free(body);
	json_decref(doc);
}

static int64_t stat_of(struct fx *f, const char *a, const char *b)
{
	json_t *s = api(f, "GET", "/__sandbox/stats", NULL);
	json_t *v = json_object_get(s, a);
	int64_t n;

	if (b)
		v = json_object_get(v, b);
	n = json_integer_value(v);
	json_decref(s);
	return n;
}

static void fx_mapping(struct fx *f, const char *yaml)
{
	ferry_mapfile_free(f->m);
	f->m = NULL;
	if (ferry_mapfile_parse(&f->m, "mapping.yaml", yaml, strlen(yaml)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
}

/* Stages `object` from a JSON array of {"Id":..., ...} objects. */
static void fx_stage(struct fx *f, const char *object, const char *records)
{
	struct ferry_stage *st = NULL;
	json_t *arr = json_loads(records, 0, NULL), *rec;
	int64_t count = 0;
	size_t i;

	assert_non_null(arr);
	assert_int_equal(ferry_stage_begin(&st, f->ws, object, "test"), 0);
	json_array_foreach(arr, i, rec)
	{
		assert_int_equal(
		    ferry_stage_add(
		        st, json_string_value(json_object_get(rec, "Id")),
		        (int64_t)i + 2, rec),
		    0);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	json_decref(arr);
}

/* Planned against the sandbox's schema; `online` also matches the
 * records already in Attio (they are updated). */
static void fx_plan(struct fx *f, bool online)
{
	static const char *const objects[] = {"companies", "people", "deals",
	                                      NULL};
	struct ferry_plan_stats s;
	struct ferry_plan_opts o;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	json_decref(f->schema);
	f->schema = NULL;
	assert_int_equal(ferry_attio_schema(&f->schema, f->attio, objects), 0);
	o.schema = f->schema;
	o.dest = online ? f->attio : NULL;
	if (ferry_plan_run(f->ws, f->m, online ? &o : NULL, &s) < 0)
		fail_msg("plan: %s", ferry_error_last());
	ferry_plan_stats_release(&s);
	f->lc.schema = f->schema;
}

static int fx_load(struct fx *f)
{
	ferry_load_report_release(&f->rep);
	return ferry_load_plan(f->ws, f->m, &f->lc, &f->rep);
}

static const struct ferry_load_object *obj(struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->rep.n_objects; i++)
		if (!strcmp(f->rep.objects[i].object, name))
			return &f->rep.objects[i];
	fail_msg("no outcome for %s", name);
	abort();
}

static struct ferry_ledger_row ledger(struct fx *f, const char *object,
                                      const char *id)
{
	struct ferry_ledger_row row;

	if (ferry_ledger_get(&row, f->ws, object, id) < 0)
		fail_msg("ledger %s %s: %s", object, id, ferry_error_last());
	return row;
}

/* The record's first plan reason ({field, code, message, release}) once
 * the load held it; fails when it is not held. */
static json_t *held_reason(struct fx *f, const char *object, const char *id)
{
	json_t *plan = NULL, *r;

	assert_int_equal(ferry_plan_get(&plan, f->ws, object, id), 0);
	assert_string_equal(
	    json_string_value(json_object_get(plan, "decision")), "held");
	r = json_incref(json_array_get(json_object_get(plan, "reasons"), 0));
	json_decref(plan);
	return r;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Rows of the ledger with `status`. */
static int count_status(struct fx *f, enum ferry_ledger_status st)
{
	struct ferry_ledger_count *c = NULL;
	size_t n = 0, i;
	int total = 0;

	assert_int_equal(ferry_ledger_counts(&c, &n, f->ws), 0);
	for (i = 0; i < n; i++)
		total += (int)c[i].by_status[st];
	free(c);
	return total;
}

static const char accounts_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: categories, type: select}\n";

#define A1 "001000000000001AAA"
#define A2 "001000000000002AAA"
#define A3 "001000000000003AAA"

/* Three accounts; `industry` the third one's. */
static void three_accounts(struct fx *f, const char *industry)
{
	char *recs = ferry_xasprintf(
	    "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	    "\"acme.test\",\"Industry\":\"\"},"
	    " {\"Id\":\"" A2 "\",\"Name\":\"Globex\",\"Website\":"
	    "\"globex.test\",\"Industry\":\"\"},"
	    " {\"Id\":\"" A3 "\",\"Name\":\"Initech\",\"Website\":"
	    "\"initech.test\",\"Industry\":\"%s\"}]",
	    industry);

	fx_mapping(f, accounts_yaml);
	fx_stage(f, "Account", recs);
	free(recs);
}

/* Lines of the sandbox's request log containing `what`. */
static int logged(struct fx *f, const char *what)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	char *path = ferry_xasprintf("%s/requests.log", f->sb.dir);
	const char *p;
	int n = 0;

	assert_int_equal(test_read_file(&b, path), 0);
	for (p = b.ptr; (p = strstr(p, what)); p++)
		n++;
	ferry_buf_release(&b);
	free(path);
	return n;
}

/* 400 validation_type: the record fails, Attio's message in the ledger
 * and the queue (on the Salesforce field whose attribute it quotes); the
 * others are written. */
static void test_validation_type(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	const char *ids[] = {A1, A2, A3}, *failed = NULL;
	struct ferry_ledger_row row;
	json_t *r;
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-validation", args);
	three_accounts(&f, "");
	fx_plan(&f, false);
	fault(&f, "PUT", "/v2/objects/companies/records", 400,
	      "validation_type",
	      "Invalid value was passed to attribute with slug \"name\": "
	      "expected a string.",
	      1);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	assert_int_equal(obj(&f, "Account")->failed, 1);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 2);
	for (i = 0; i < 3; i++)
		if (ledger(&f, "Account", ids[i]).status == FERRY_LEDGER_FAILED)
			failed = ids[i];
	assert_non_null(failed);
	row = ledger(&f, "Account", failed);
	assert_int_equal(row.http_status, 400);
	assert_non_null(
	    strstr(row.reason, "Attio answered 400 validation_type"));
	assert_non_null(strstr(row.reason, "expected a string"));
	assert_string_equal(row.op, "");
	r = held_reason(&f, "Account", failed);
	assert_string_equal(str(r, "code"), "attio_validation_type");
	assert_string_equal(str(r, "field"), "Name");
	assert_non_null(strstr(str(r, "message"), "expected a string"));
	assert_non_null(strstr(str(r, "release"), "ferry queue retry"));
	json_decref(r);
	fx_close(&f);
}

/* 400 uniqueness_conflict: a create whose unique value another Attio
 * record holds; the queue says to merge or correct one of them. */
static void test_uniqueness_conflict(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row l1, l2;
	json_t *r;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-unique", args);
	json_decref(api(&f, "POST", "/v2/objects/companies/records",
	                "{\"data\":{\"values\":{\"domains\":[\"taken.test\"],"
	                "\"name\":\"Taken\"}}}"));
	fx_mapping(&f, "version: 1\n"
	               "objects:\n"
	               "  Lead:\n"
	               "    to: companies\n"
	               "    fields:\n"
	               "      Company: {to: name, type: text}\n"
	               "      Website: {to: domains, type: domain}\n");
	fx_stage(&f, "Lead",
	         "[{\"Id\":\"00Q000000000001AAA\",\"Company\":\"Taken Co\","
	         "\"Website\":\"taken.test\"},"
	         " {\"Id\":\"00Q000000000002AAA\",\"Company\":\"Free Co\","
	         "\"Website\":\"free.test\"}]");
	fx_plan(&f, false);
	assert_int_equal(fx_load(&f), 0);
	l1 = ledger(&f, "Lead", "00Q000000000001AAA");
	l2 = ledger(&f, "Lead", "00Q000000000002AAA");
	assert_int_equal(l1.status, FERRY_LEDGER_FAILED);
	assert_non_null(strstr(l1.reason, "400 uniqueness_conflict"));
	assert_int_equal(l2.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(l2.op, "created");
	r = held_reason(&f, "Lead", "00Q000000000001AAA");
	assert_string_equal(str(r, "code"), "attio_uniqueness_conflict");
	assert_non_null(strstr(str(r, "release"), "unique value"));
	json_decref(r);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 2);
	fx_close(&f);
}

/* 400 value_not_found: a select option Attio does not have; the queue
 * says to add it (or correct the value). */
static void test_value_not_found(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row row;
	json_t *r;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-option", args);
	three_accounts(&f, "Nonexistent");
	fx_plan(&f, false);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	row = ledger(&f, "Account", A3);
	assert_int_equal(row.status, FERRY_LEDGER_FAILED);
	assert_non_null(strstr(row.reason, "400 value_not_found"));
	assert_non_null(strstr(row.reason, "Nonexistent"));
	r = held_reason(&f, "Account", A3);
	assert_string_equal(str(r, "code"), "attio_value_not_found");
	assert_non_null(strstr(str(r, "release"), "select option"));
	json_decref(r);
	fx_close(&f);
}

/* 404: the record the plan matched was deleted in Attio since: the read
 * before the PATCH says so, nothing is written, the record is held; and a
 * record ferry updated before, deleted since, fails its PATCH the same
 * way, keeping what the first write did. */
static void test_not_found(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row row;
	json_t *seeded, *r, *prior = NULL;
	char *path;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-gone", args);
	seeded = api(&f, "POST", "/v2/objects/companies/records",
	             "{\"data\":{\"values\":{\"domains\":[\"acme.test\"],"
	             "\"name\":\"Acme\"}}}");
	three_accounts(&f, "");
	fx_plan(&f, true);
	path = ferry_xasprintf("/v2/objects/companies/records/%s",
	                       str(json_object_get(seeded, "id"), "record_id"));
	json_decref(api(&f, "DELETE", path, NULL));
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	assert_int_equal(obj(&f, "Account")->failed, 1);
	row = ledger(&f, "Account", A1);
	assert_int_equal(row.status, FERRY_LEDGER_FAILED);
	assert_int_equal(row.http_status, 404);
	assert_non_null(strstr(row.reason, "no longer in Attio"));
	assert_non_null(strstr(row.reason, "deleted there since the plan"));
	assert_string_equal(row.dest_id, "");
	assert_int_equal(ferry_ledger_prior_get(&prior, f.ws, "Account", A1),
	                 FERRY_ENOTFOUND);
	r = held_reason(&f, "Account", A1);
	assert_string_equal(str(r, "code"), "attio_not_found");
	assert_non_null(strstr(str(r, "message"), "no longer in Attio"));
	assert_non_null(strstr(str(r, "release"), "ferry queue retry"));
	json_decref(r);
	/* Nothing was made in its place. */
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 2);
	assert_int_equal(logged(&f, "PATCH "), 0);
	free(path);
	json_decref(seeded);

	/* Updated once (its values before kept), deleted in Attio, then
	 * sent again: the PATCH itself answers 404. */
	seeded = api(&f, "POST", "/v2/objects/companies/records",
	             "{\"data\":{\"values\":{\"domains\":[\"hooli.test\"],"
	             "\"name\":\"Hooli\"}}}");
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A2 "\",\"Name\":\"Hooli XYZ\",\"Website\":"
	         "\"hooli.test\",\"Industry\":\"\"}]");
	fx_plan(&f, true);
	assert_int_equal(fx_load(&f), 0);
	assert_string_equal(ledger(&f, "Account", A2).op, "updated");
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A2 "\",\"Name\":\"Hooli Inc\",\"Website\":"
	         "\"hooli.test\",\"Industry\":\"\"}]");
	fx_plan(&f, true);
	path = ferry_xasprintf("/v2/objects/companies/records/%s",
	                       str(json_object_get(seeded, "id"), "record_id"));
	json_decref(api(&f, "DELETE", path, NULL));
	assert_int_equal(fx_load(&f), 0);
	row = ledger(&f, "Account", A2);
	assert_int_equal(row.status, FERRY_LEDGER_FAILED);
	assert_non_null(strstr(row.reason, "no longer in Attio"));
	assert_string_equal(row.op, "updated");
	assert_string_equal(row.dest_id,
	                    str(json_object_get(seeded, "id"), "record_id"));
	r = held_reason(&f, "Account", A2);
	assert_string_equal(str(r, "code"), "attio_not_found");
	json_decref(r);
	free(path);
	json_decref(seeded);
	fx_close(&f);
}

/* 401: the token is refused: the run stops with FERRY_EAUTH and says
 * what to check; no record is failed or held, the ones begun are pending
 * and the next run (with a good token) writes them. */
static void test_unauthorized(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	json_t *plan = NULL;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-401", args);
	three_accounts(&f, "");
	fx_plan(&f, false);
	f.ho.token = "not-the-token";
	assert_int_equal(fx_load(&f), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "refused the token"));
	assert_non_null(strstr(ferry_error_last(), "401"));
	assert_non_null(strstr(ferry_error_last(), "destination.token_env"));
	assert_non_null(strstr(ferry_error_last(), "pending"));
	assert_null(strstr(ferry_error_last(), "not-the-token"));
	assert_int_equal(count_status(&f, FERRY_LEDGER_FAILED), 0);
	assert_int_equal(count_status(&f, FERRY_LEDGER_WRITTEN), 0);
	assert_true(count_status(&f, FERRY_LEDGER_PENDING) >= 1);
	assert_int_equal(obj(&f, "Account")->failed, 0);
	assert_int_equal(ferry_plan_get(&plan, f.ws, "Account", A1), 0);
	assert_string_equal(str(plan, "decision"), "write");
	json_decref(plan);
	f.ho.token = TEST_SANDBOX_TOKEN;
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 3);
	assert_int_equal(count_status(&f, FERRY_LEDGER_PENDING), 0);
	fx_close(&f);
}

/* 403 for a missing scope: as a 401, naming the scope Attio names. */
static void test_forbidden_scope(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-403", args);
	three_accounts(&f, "");
	fx_plan(&f, false);
	fault(&f, NULL, "/v2/", 403, "unauthorized",
	      "This API token does not have the scope "
	      "record_permission:read-write required by this endpoint.",
	      1000);
	assert_int_equal(fx_load(&f), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(),
	                       "lacks the scope "
	                       "'record_permission:read-write'"));
	assert_non_null(strstr(ferry_error_last(), "403"));
	assert_int_equal(count_status(&f, FERRY_LEDGER_FAILED), 0);
	assert_true(count_status(&f, FERRY_LEDGER_PENDING) >= 1);
	json_decref(api(&f, "DELETE", "/__sandbox/faults", NULL));
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 3);
	fx_close(&f);
}

/* 409: not an answer Attio gives a record write, but a refusal all the
 * same: the record is held with Attio's words, the rest written. */
static void test_conflict(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	const char *ids[] = {A1, A2, A3};
	json_t *r;
	int i, n = 0;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-409", args);
	three_accounts(&f, "");
	fx_plan(&f, false);
	fault(&f, "PUT", "/v2/objects/companies/records", 409, "conflict",
	      "Another change to this record is in progress.", 1);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	for (i = 0; i < 3; i++) {
		struct ferry_ledger_row row = ledger(&f, "Account", ids[i]);

		if (row.status != FERRY_LEDGER_FAILED)
			continue;
		n++;
		assert_int_equal(row.http_status, 409);
		assert_non_null(strstr(row.reason, "in progress"));
		r = held_reason(&f, "Account", ids[i]);
		assert_string_equal(str(r, "code"), "attio_conflict");
		json_decref(r);
	}
	assert_int_equal(n, 1);
	fx_close(&f);
}

/* 429 with Retry-After an HTTP date (the sandbox's limiter at 2 writes a
 * second, ferry told 1000): the run waits as told, and writes all. */
static void test_rate_limited(void **state)
{
	static const char *const args[] = {"--write-rate", "2", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_buf b = FERRY_BUF_INIT;
	int64_t t0;
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-429", args);
	fx_mapping(&f, accounts_yaml);
	assert_int_equal(ferry_buf_puts(&b, "["), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(
		    ferry_buf_printf(&b,
		                     "%s{\"Id\":\"0010000000005%02dAAA\","
		                     "\"Name\":\"R%d\",\"Website\":"
		                     "\"r%d.test\",\"Industry\":\"\"}",
		                     i ? "," : "", i, i, i),
		    0);
	assert_int_equal(ferry_buf_puts(&b, "]"), 0);
	fx_stage(&f, "Account", b.ptr);
	ferry_buf_release(&b);
	fx_plan(&f, false);
	t0 = ferry_clock_mono_us();
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 6);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 6);
	assert_true(f.rep.http.rate_limited > 0);
	/* Six writes at two a second: the limiter's whole seconds. */
	assert_true(ferry_clock_mono_us() - t0 >= 1500000);
	/* Told when to come back, ferry does not hammer. */
	assert_true(f.rep.http.rate_limited <= 12);
	fx_close(&f);
}

static const char notes_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: categories, type: select}\n"
    "  Task:\n"
    "    to: notes\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      Description: {to: content, type: text}\n"
    "      WhatId: {to: parent, type: reference}\n"
    "      ActivityDate: {to: created_at, type: date}\n";

/* 500, 502, 503: an assert is retried by the multi handle; a note (a
 * create, sent once) is looked for after each 5xx, then made: each
 * written once. */
static void test_server_errors(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row t1;

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-5xx", args);
	three_accounts(&f, "");
	fx_mapping(&f, notes_yaml);
	fx_stage(&f, "Task",
	         "[{\"Id\":\"00T000000000001AAA\",\"Subject\":\"Call\","
	         "\"Description\":\"Renewal\",\"WhatId\":\"" A1 "\","
	         "\"ActivityDate\":\"2024-03-05\"},"
	         " {\"Id\":\"00T000000000002AAA\",\"Subject\":\"Visit\","
	         "\"Description\":\"On site\",\"WhatId\":\"" A2 "\","
	         "\"ActivityDate\":\"2024-03-06\"}]");
	fx_plan(&f, false);
	fault(&f, "PUT", "/v2/objects/companies/records", 503, NULL,
	      "Service unavailable.", 2);
	fault(&f, "POST", "/v2/notes", 502, NULL, "Bad gateway.", 1);
	fault(&f, "POST", "/v2/notes", 500, NULL, "Internal error.", 1);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 3);
	assert_int_equal(obj(&f, "Task")->written, 2);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 3);
	assert_int_equal(stat_of(&f, "notes", NULL), 2);
	assert_true(f.rep.http.server_errors >= 4);
	/* Each unanswered note was looked for before it was made again. */
	assert_int_equal(logged(&f, "GET /v2/notes?parent"), 2);
	t1 = ledger(&f, "Task", "00T000000000001AAA");
	assert_int_equal(t1.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(t1.op, "created");
	fx_close(&f);
}

/* A 5xx that does not stop: after every retry the run ends
 * (FERRY_EHTTP) with Attio's words, nothing failed, the records pending;
 * once Attio is back the next run writes them. */
static void test_server_down(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "lerr-down", args);
	three_accounts(&f, "");
	fx_plan(&f, false);
	fault(&f, "PUT", "/v2/objects/companies/records", 500, NULL,
	      "Attio is having trouble.", 1000);
	f.ho.max_attempts = 3;
	assert_int_equal(fx_load(&f), FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "HTTP 500"));
	assert_non_null(strstr(ferry_error_last(), "having trouble"));
	assert_non_null(strstr(ferry_error_last(), "3 attempts"));
	assert_non_null(strstr(ferry_error_last(), "pending"));
	assert_int_equal(count_status(&f, FERRY_LEDGER_FAILED), 0);
	assert_true(count_status(&f, FERRY_LEDGER_PENDING) >= 1);
	json_decref(api(&f, "DELETE", "/__sandbox/faults", NULL));
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 3);
	fx_close(&f);
}

/* A destination that drops connections, lets requests time out and
 * fails writes with 500 (after or before doing them): the notes and tasks
 * (creates, sent once) are looked for after each unanswered attempt and
 * made again only when the attempt did not reach Attio: never twice,
 * whatever the seed. */
static void test_timeouts_drops(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    fields:\n"
	    "      Name: {to: name, type: text}\n"
	    "      Website: {to: domains, type: domain}\n"
	    "  Task:\n"
	    "    to: notes\n"
	    "    open: tasks\n"
	    "    closed: notes\n"
	    "    fields:\n"
	    "      Subject: {to: title, type: text}\n"
	    "      Description: {to: content, type: text}\n"
	    "      WhatId: {to: parent, type: reference}\n"
	    "      ActivityDate: {to: created_at, type: date}\n";
	struct ferry_buf acc = FERRY_BUF_INIT, tasks = FERRY_BUF_INIT;
	int64_t faults = 0, reads = 0;
	int i, k, runs;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_buf_puts(&acc, "["), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(
		    ferry_buf_printf(&acc,
		                     "%s{\"Id\":\"0010000000004%02dAAA\","
		                     "\"Name\":\"O%d\",\"Website\":"
		                     "\"o%d.test\"}",
		                     i ? "," : "", i, i, i),
		    0);
	assert_int_equal(ferry_buf_puts(&acc, "]"), 0);
	assert_int_equal(ferry_buf_puts(&tasks, "["), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(
		    ferry_buf_printf(
		        &tasks,
		        "%s{\"Id\":\"00T0000000004%02dAAA\",\"Subject\":"
		        "\"Call %d\",\"Description\":\"About %d\","
		        "\"WhatId\":\"0010000000004%02dAAA\",\"ActivityDate\":"
		        "\"%s\",\"IsClosed\":\"%s\"}",
		        i ? "," : "", i, i, i, i % 6,
		        i % 4 ? "2024-03-05" : "2031-01-10",
		        i % 4 ? "true" : "false"),
		    0);
	assert_int_equal(ferry_buf_puts(&tasks, "]"), 0);
	for (k = 0; k < 3; k++) {
		static struct fx f;
		char seed[16];
		const char *args[] = {
		    "--write-rate",   "0",    "--drop-rate", "0.12",
		    "--timeout-rate", "0.06", "--fail-rate", "0.12",
		    "--seed",         seed,   NULL};
		json_t *s;

		snprintf(seed, sizeof(seed), "%d", 7 + 31 * k);
		fx_open(&f, "lerr-once", args);
		f.ho.timeout_ms = 300;
		fx_mapping(&f, yaml);
		fx_stage(&f, "Account", acc.ptr);
		fx_stage(&f, "Task", tasks.ptr);
		fx_plan(&f, false);
		/* As a person would: run again until it ends well. */
		for (runs = 0; runs < 5 && fx_load(&f) < 0; runs++)
			;
		assert_true(runs < 5);
		assert_int_equal(stat_of(&f, "notes", NULL), 30);
		assert_int_equal(stat_of(&f, "tasks", NULL), 10);
		assert_int_equal(stat_of(&f, "records_per_object", "companies"),
		                 6);
		for (i = 0; i < 40; i++) {
			char id[32];
			struct ferry_ledger_row row;

			snprintf(id, sizeof(id), "00T0000000004%02dAAA", i);
			row = ledger(&f, "Task", id);
			assert_int_equal(row.status, FERRY_LEDGER_WRITTEN);
			assert_string_equal(row.op, "created");
		}
		s = api(&f, "GET", "/__sandbox/stats", NULL);
		faults +=
		    json_integer_value(json_object_get(s, "dropped")) +
		    json_integer_value(json_object_get(s, "timed_out")) +
		    json_integer_value(json_object_get(s, "failed_injected"));
		reads += json_integer_value(json_object_get(s, "reads"));
		json_decref(s);
		fx_close(&f);
	}
	/* The faults came, and creates were looked for after them. */
	assert_true(faults > 20);
	assert_true(reads > 5);
	ferry_buf_release(&acc);
	ferry_buf_release(&tasks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_validation_type, teardown),
	    cmocka_unit_test_teardown(test_uniqueness_conflict, teardown),
	    cmocka_unit_test_teardown(test_value_not_found, teardown),
	    cmocka_unit_test_teardown(test_not_found, teardown),
	    cmocka_unit_test_teardown(test_unauthorized, teardown),
	    cmocka_unit_test_teardown(test_forbidden_scope, teardown),
	    cmocka_unit_test_teardown(test_conflict, teardown),
	    cmocka_unit_test_teardown(test_rate_limited, teardown),
	    cmocka_unit_test_teardown(test_server_errors, teardown),
	    cmocka_unit_test_teardown(test_server_down, teardown),
	    cmocka_unit_test_teardown(test_timeouts_drops, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
