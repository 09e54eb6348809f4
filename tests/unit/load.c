/* load.c: the loader against the real Attio sandbox: one decision per
 * record, duplicates merged, a pending row from a crash resent once, a
 * re-run with nothing new makes no call, and a record the destination
 * refuses is marked failed with Attio's own reason. */
#include "helpers.h"
#include "util.h"
#include "ferry/load.h"

static struct test_sandbox sb;

static int group_setup(void **state)
{
	FERRY_UNUSED(state);
	return test_sandbox_start(&sb, "attio", NULL);
}

static int group_teardown(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&sb);
	return 0;
}

struct env {
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_attio *attio;
};

static void env_open(struct env *e, const char *name)
{
	struct ferry_http_opts o;

	memset(e, 0, sizeof(*e));
	e->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(e->dir), 0);
	assert_int_equal(ferry_workspace_open(&e->ws, e->dir), 0);
	memset(&o, 0, sizeof(o));
	o.base_url = sb.url;
	o.token = TEST_SANDBOX_TOKEN;
	o.name = "Attio";
	assert_int_equal(ferry_attio_new(&e->attio, &o), 0);
}

static void env_close(struct env *e)
{
	ferry_attio_free(e->attio);
	ferry_workspace_free(e->ws);
	free(e->dir);
}

/* Stages `object` from a JSON array of {"Id":..., ...} objects. */
static void stage(struct env *e, const char *object, const char *records)
{
	struct ferry_stage *st = NULL;
	json_t *arr = json_loads(records, 0, NULL), *rec;
	int64_t count = 0;
	size_t i;

	assert_non_null(arr);
	assert_int_equal(ferry_stage_begin(&st, e->ws, object, "test"), 0);
	json_array_foreach(arr, i, rec)
	{
		assert_int_equal(
		    ferry_stage_add(
		        st, json_string_value(json_object_get(rec, "Id")),
		        (int64_t)i + 2, rec),
		    0);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, (int64_t)json_array_size(arr));
	json_decref(arr);
}

static const struct ferry_load_stats *find(const struct ferry_load_stats *s,
                                           size_t n, const char *object)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s[i].object, object))
			return &s[i];
	fail_msg("no stats for %s", object);
	abort();
}

static void run(struct env *e, struct ferry_load_stats **s, size_t *n)
{
	if (ferry_load_run(e->ws, e->attio, NULL, s, n) < 0)
		fail_msg("load failed: %s", ferry_error_last());
}

static void ledger(struct ferry_ledger_row *row, struct env *e,
                   const char *object, const char *id)
{
	assert_int_equal(ferry_ledger_get(row, e->ws, object, id), 0);
}

static void test_decisions_and_rerun(void **state)
{
	struct env e;
	struct ferry_load_stats *s = NULL;
	struct ferry_ledger_row a1, a2, a3, c1, c2;
	const struct ferry_load_stats *acc, *con;
	size_t n = 0;
	int64_t requests;

	FERRY_UNUSED(state);
	env_open(&e, "load-decisions");
	stage(&e, "Account",
	      "[{\"Id\":\"001A\",\"Name\":\"Acme\",\"Website\":\"http://"
	      "www.acme-load.com/\"},"
	      " {\"Id\":\"001B\",\"Name\":\"ACME "
	      "Inc\",\"Website\":\"ACME-load.com/about\"},"
	      " {\"Id\":\"001C\",\"Name\":\"Blank\",\"Website\":\"\"}]");
	stage(&e, "Contact",
	      "[{\"Id\":\"003A\",\"AccountId\":\"001B\",\"LastName\":\"One\","
	      "\"Email\":\"one@acme-load.com\"},"
	      " {\"Id\":\"003B\",\"AccountId\":\"001A\",\"LastName\":\"Dup\","
	      "\"Email\":\" ONE@acme-load.com\"},"
	      " {\"Id\":\"003C\",\"AccountId\":\"\",\"LastName\":\"None\","
	      "\"Email\":\"\"}]");
	stage(&e, "Opportunity", "[{\"Id\":\"006A\",\"Name\":\"Deal\"}]");
	run(&e, &s, &n);
	assert_int_equal(n, 3);
	acc = find(s, n, "Account");
	con = find(s, n, "Contact");
	assert_int_equal(acc->written, 1);
	assert_int_equal(acc->merged, 1);
	assert_int_equal(acc->skipped, 1);
	assert_int_equal(con->written, 1);
	assert_int_equal(con->merged, 1);
	assert_int_equal(con->skipped, 1);
	assert_int_equal(find(s, n, "Opportunity")->skipped, 1);
	free(s);

	ledger(&a1, &e, "Account", "001A");
	ledger(&a2, &e, "Account", "001B");
	ledger(&a3, &e, "Account", "001C");
	assert_int_equal(a1.status, FERRY_LEDGER_WRITTEN);
	assert_int_equal(a2.status, FERRY_LEDGER_MERGED);
	assert_string_equal(a2.dest_id, a1.dest_id);
	assert_non_null(strstr(a2.reason, "acme-load.com"));
	assert_int_equal(a3.status, FERRY_LEDGER_SKIPPED);
	assert_int_equal(a1.http_status, 200);
	assert_int_equal(strlen(a1.payload_hash), 64);

	/* The contact of the merged account links to the survivor's record. */
	ledger(&c1, &e, "Contact", "003A");
	ledger(&c2, &e, "Contact", "003B");
	assert_int_equal(c1.status, FERRY_LEDGER_WRITTEN);
	assert_int_equal(c2.status, FERRY_LEDGER_MERGED);
	{
		json_t *rec = NULL, *company;

		assert_int_equal(
		    ferry_attio_get_record(&rec, e.attio, "people", c1.dest_id),
		    0);
		company = json_array_get(
		    json_object_get(json_object_get(rec, "values"), "company"),
		    0);
		assert_string_equal(json_string_value(json_object_get(
		                        company, "target_record_id")),
		                    a1.dest_id);
		json_decref(rec);
	}

	/* Again: nothing new, no request at all. */
	requests = ferry_http_stats(ferry_attio_http(e.attio))->requests;
	run(&e, &s, &n);
	acc = find(s, n, "Account");
	assert_int_equal(acc->written, 0);
	assert_int_equal(acc->unchanged, 1);
	assert_int_equal(find(s, n, "Contact")->written, 0);
	free(s);
	assert_int_equal(ferry_http_stats(ferry_attio_http(e.attio))->requests,
	                 requests);
	env_close(&e);
}

static void test_pending_row_is_resent_once(void **state)
{
	struct env e, e2;
	struct ferry_load_stats *s = NULL;
	struct ferry_ledger_row row, first;
	json_t *found = NULL, *filter;
	size_t n = 0;

	FERRY_UNUSED(state);
	/* A first workspace writes the company... */
	env_open(&e, "load-pending-a");
	stage(&e, "Account",
	      "[{\"Id\":\"001P\",\"Name\":\"Pending\",\"Website\":\"pending-co."
	      "com\"}]");
	run(&e, &s, &n);
	free(s);
	ledger(&first, &e, "Account", "001P");

	/* ...a second one crashed after sending it: its row is pending. */
	env_open(&e2, "load-pending-b");
	stage(&e2, "Account",
	      "[{\"Id\":\"001P\",\"Name\":\"Pending\",\"Website\":\"pending-co."
	      "com\"}]");
	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001P");
	snprintf(row.dest_object, sizeof(row.dest_object), "companies");
	row.status = FERRY_LEDGER_PENDING;
	row.attempts = 1;
	assert_int_equal(ferry_ledger_put(e2.ws, &row), 0);
	run(&e2, &s, &n);
	assert_int_equal(find(s, n, "Account")->written, 1);
	free(s);
	ledger(&row, &e2, "Account", "001P");
	assert_int_equal(row.status, FERRY_LEDGER_WRITTEN);
	assert_int_equal(row.attempts, 2);
	/* The assert matched the same record: still one company. */
	assert_string_equal(row.dest_id, first.dest_id);
	filter = json_pack("{s:s}", "domains", "pending-co.com");
	assert_int_equal(
	    ferry_attio_query(&found, e2.attio, "companies", filter, 10, 0), 0);
	json_decref(filter);
	assert_int_equal(json_array_size(found), 1);
	json_decref(found);
	env_close(&e);
	env_close(&e2);
}

static void test_refused_record_fails_with_attio_reason(void **state)
{
	struct env e;
	struct ferry_load_stats *s = NULL;
	struct ferry_ledger_row row;
	size_t n = 0;

	FERRY_UNUSED(state);
	env_open(&e, "load-refused");
	/* The account's ledger points at a record that does not exist in
	 * the destination: Attio refuses the reference. */
	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001G");
	snprintf(row.dest_id, sizeof(row.dest_id),
	         "00000000-0000-4000-8000-000000000000");
	row.status = FERRY_LEDGER_WRITTEN;
	assert_int_equal(ferry_ledger_put(e.ws, &row), 0);
	stage(&e, "Contact",
	      "[{\"Id\":\"003G\",\"AccountId\":\"001G\",\"LastName\":\"Ghost\","
	      "\"Email\":\"ghost@ghost-co.com\"}]");
	run(&e, &s, &n);
	assert_int_equal(find(s, n, "Contact")->failed, 1);
	free(s);
	ledger(&row, &e, "Contact", "003G");
	assert_int_equal(row.status, FERRY_LEDGER_FAILED);
	assert_int_equal(row.http_status, 400);
	assert_non_null(strstr(row.reason, "value_not_found"));
	env_close(&e);
}

static void test_stop_request_halts_cleanly(void **state)
{
	struct env e;
	struct ferry_load_stats *s = NULL;
	struct ferry_load_opts o;
	volatile sig_atomic_t stop = 1;
	size_t n = 0;

	FERRY_UNUSED(state);
	env_open(&e, "load-stop");
	stage(&e, "Account",
	      "[{\"Id\":\"001S\",\"Name\":\"Stop\",\"Website\":\"stop-co.com\"}"
	      "]");
	memset(&o, 0, sizeof(o));
	o.stop = &stop;
	assert_int_equal(ferry_load_run(e.ws, e.attio, &o, &s, &n),
	                 FERRY_EHALTED);
	assert_non_null(strstr(ferry_error_last(), "run 'ferry run' again"));
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decisions_and_rerun),
	    cmocka_unit_test(test_pending_row_is_resent_once),
	    cmocka_unit_test(test_refused_record_fails_with_attio_reason),
	    cmocka_unit_test(test_stop_request_halts_cleanly),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
