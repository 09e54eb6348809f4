/* sandbox_attio_faults.c: the Attio sandbox's injected faults and its
 * measurements: --latency-ms delays answers without serialising the
 * connections, --fail-rate, --drop-rate and --timeout-rate are roughly
 * honoured (and a dropped or held write still happened), and the stats
 * count writes by method and object, the busiest 10-second window and
 * duplicates by unique attribute. */
#include "helpers.h"
#include "util.h"

#include "server.h"
#include "sandbox_attio_call.h"

static int setup(void **state)
{
	FERRY_UNUSED(state);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	curl_global_cleanup();
	return 0;
}

static long long stat_of(const struct test_sandbox *sb, const char *key)
{
	struct reply r;
	long long v;

	call(sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_ok(&r);
	v = json_integer_value(json_object_get(r.json, key));
	reply_free(&r);
	return v;
}

static void test_window(void **state)
{
	struct sandbox_window w;
	int64_t t;
	int i;

	FERRY_UNUSED(state);
	sandbox_window_init(&w, 10 * 1000000);
	/* 30 events in 3 s, then one a second for 20 s */
	for (i = 0; i < 30; i++)
		sandbox_window_add(&w, (int64_t)i * 100000);
	assert_int_equal(w.max, 30);
	for (t = 3; t < 23; t++)
		sandbox_window_add(&w, t * 1000000);
	/* at 12 s the window (2 s, 12 s] holds 10 s of the slow part plus
	 * the burst's tail: never more than the burst and 7 after it */
	assert_int_equal(w.max, 37);
	assert_true(w.count <= 10);
	sandbox_window_free(&w);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	FERRY_UNUSED(p);
	FERRY_UNUSED(ud);
	return size * n;
}

static void test_latency_is_concurrent(void **state)
{
	const char *extra[] = {"--latency-ms", "200", "--jitter-ms", "20",
	                       "--read-rate",  "0",   NULL};
	struct test_sandbox sb;
	CURLM *m = curl_multi_init();
	CURL *h[20];
	struct curl_slist *hdr = NULL;
	char *url, *auth;
	int64_t start, took;
	int running = 1, i, done = 0;
	CURLMsg *msg;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	url = ferry_xasprintf("%s/v2/objects", sb.url);
	auth = ferry_xasprintf("Authorization: Bearer %s", TEST_SANDBOX_TOKEN);
	hdr = curl_slist_append(hdr, auth);
	for (i = 0; i < 20; i++) {
		h[i] = curl_easy_init();
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 30L);
		curl_multi_add_handle(m, h[i]);
	}
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 20L);
	start = ferry_clock_mono_us();
	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	took = ferry_clock_mono_us() - start;
	while ((msg = curl_multi_info_read(m, &i))) {
		long status = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		assert_int_equal(msg->data.result, CURLE_OK);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		                  &status);
		assert_int_equal(status, 200);
		done++;
	}
	assert_int_equal(done, 20);
	/* serial would be 20 x 200 ms = 4 s */
	print_message("20 concurrent requests at 200 +- 20 ms: %lld ms\n",
	              (long long)(took / 1000));
	assert_true(took >= 180 * 1000);
	assert_true(took < 1500 * 1000);
	for (i = 0; i < 20; i++) {
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdr);
	free(url);
	free(auth);
	test_sandbox_stop(&sb);
}

static void test_fail_rate(void **state)
{
	const char *extra[] = {
	    "--fail-rate", "0.5",         "--seed", "7", "--write-rate",
	    "0",           "--read-rate", "0",      NULL};
	struct test_sandbox sb;
	struct reply r;
	int i, failed = 0;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	for (i = 0; i < 100; i++) {
		char *body = ferry_xasprintf(
		    "{\"data\":{\"values\":{\"name\":\"f%d\"}}}", i);

		call(&sb, "POST", "/v2/objects/companies/records", body, &r);
		free(body);
		if (r.status == 500) {
			assert_error(&r, 500, "internal_server_error",
			             "internal_server_error");
			failed++;
		} else {
			assert_ok(&r);
		}
		reply_free(&r);
	}
	print_message("--fail-rate 0.5: %d of 100 writes failed\n", failed);
	assert_true(failed >= 30 && failed <= 70);
	/* reads are never failed; a failed write did nothing */
	for (i = 0; i < 20; i++) {
		call(&sb, "GET", "/v2/objects", NULL, &r);
		assert_ok(&r);
		reply_free(&r);
	}
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "records_per_object"), "companies")),
	    100 - failed);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "server_errors")),
	    failed);
	assert_int_equal(json_integer_value(json_object_get(r.json, "writes")),
	                 100);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

static void test_drop_rate(void **state)
{
	const char *extra[] = {"--drop-rate", "0.3", "--read-rate", "0", NULL};
	const char *always[] = {"--drop-rate", "1", NULL};
	struct test_sandbox sb;
	struct reply r;
	int i, dropped = 0;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	for (i = 0; i < 100; i++) {
		call_full(&sb, "GET", "/v2/objects", NULL, NULL, 0, &r);
		if (r.curl == CURLE_GOT_NOTHING)
			dropped++;
		else
			assert_int_equal(r.status, 200);
		reply_free(&r);
	}
	print_message("--drop-rate 0.3: %d of 100 dropped\n", dropped);
	assert_true(dropped >= 15 && dropped <= 45);
	assert_int_equal(stat_of(&sb, "dropped"), dropped);
	test_sandbox_stop(&sb);

	/* a dropped write was still done: the client must look before it
	 * tries again */
	assert_int_equal(test_sandbox_start(&sb, "attio", always), 0);
	call_full(&sb, "POST", "/v2/objects/companies/records",
	          "{\"data\":{\"values\":{\"domains\":[\"dropped.test\"]}}}",
	          NULL, 0, &r);
	assert_int_equal(r.curl, CURLE_GOT_NOTHING);
	reply_free(&r);
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "records_per_object"), "companies")),
	    1);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

static void test_timeout_rate(void **state)
{
	const char *extra[] = {"--timeout-rate", "1", NULL};
	struct test_sandbox sb;
	struct reply r;
	int64_t start, took;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	start = ferry_clock_mono_us();
	call_full(&sb, "POST", "/v2/objects/companies/records",
	          "{\"data\":{\"values\":{\"domains\":[\"held.test\"]}}}", NULL,
	          400, &r);
	took = ferry_clock_mono_us() - start;
	assert_int_equal(r.curl, CURLE_OPERATION_TIMEDOUT);
	assert_true(took >= 390 * 1000);
	reply_free(&r);
	/* the stats are never held; the write happened */
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_int_equal(
	    json_integer_value(json_object_get(r.json, "timed_out")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "records_per_object"), "companies")),
	    1);
	reply_free(&r);
	/* a request still held when the sandbox stops does not stop it */
	call_full(&sb, "GET", "/v2/objects", NULL, NULL, 200, &r);
	assert_int_equal(r.curl, CURLE_OPERATION_TIMEDOUT);
	reply_free(&r);
	start = ferry_clock_mono_us();
	test_sandbox_stop(&sb);
	assert_true(ferry_clock_mono_us() - start < 5 * 1000000);
}

static void test_stats(void **state)
{
	const char *extra[] = {"--write-rate", "0", "--read-rate", "0", NULL};
	struct test_sandbox sb;
	struct reply r;
	json_t *dups;
	char *path = NULL;
	int i;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	for (i = 0; i < 30; i++) {
		char *body = ferry_xasprintf(
		    "{\"data\":{\"values\":{\"name\":\"s%d\"}}}", i);

		call(&sb, "POST", "/v2/objects/companies/records", body, &r);
		assert_ok(&r);
		if (i == 0)
			path = ferry_xasprintf(
			    "/v2/objects/companies/records/%s", record_id(&r));
		reply_free(&r);
		free(body);
	}
	call(&sb, "PATCH", path, "{\"data\":{\"values\":{\"name\":\"x\"}}}",
	     &r);
	reply_free(&r);
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_int_equal(json_integer_value(json_object_get(
	                     r.json, "max_writes_in_any_10s_window")),
	                 31);
	assert_non_null(strstr(r.raw, "\"max_write_rate_10s\":3.1"));
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(
	            json_object_get(r.json, "writes_by_method_and_object"),
	            "POST"),
	        "companies")),
	    30);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "writes_by_object"), "companies")),
	    31);
	assert_int_equal(
	    json_object_size(json_object_get(r.json, "duplicates")), 0);
	reply_free(&r);
	free(path);

	/* two records share a value; the attribute then becomes unique */
	call(&sb, "POST", "/v2/objects",
	     "{\"data\":{\"api_slug\":\"things\",\"singular_noun\":\"Thing\","
	     "\"plural_noun\":\"Things\"}}",
	     &r);
	assert_ok(&r);
	reply_free(&r);
	call(&sb, "POST", "/v2/objects/things/attributes",
	     "{\"data\":{\"title\":\"Code\",\"description\":null,\"api_slug\":"
	     "\"code\",\"type\":\"text\",\"is_required\":false,\"is_unique\":"
	     "false,\"is_multiselect\":false,\"config\":{}}}",
	     &r);
	assert_ok(&r);
	reply_free(&r);
	for (i = 0; i < 2; i++) {
		call(&sb, "POST", "/v2/objects/things/records",
		     "{\"data\":{\"values\":{\"code\":\"X-1\"}}}", &r);
		assert_ok(&r);
		reply_free(&r);
	}
	call(&sb, "PATCH", "/v2/objects/things/attributes/code",
	     "{\"data\":{\"is_unique\":true}}", &r);
	assert_ok(&r);
	reply_free(&r);
	/* new data is held to it; the old duplicates show in the stats */
	call(&sb, "POST", "/v2/objects/things/records",
	     "{\"data\":{\"values\":{\"code\":\"Y-1\"}}}", &r);
	reply_free(&r);
	call(&sb, "POST", "/v2/objects/things/records",
	     "{\"data\":{\"values\":{\"code\":\"Y-1\"}}}", &r);
	assert_error(&r, 400, "invalid_request_error", "uniqueness_conflict");
	reply_free(&r);
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	dups = json_object_get(
	    json_object_get(json_object_get(r.json, "duplicates"), "things"),
	    "code");
	assert_int_equal(json_array_size(dups), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(dups, 0), "value")),
	                    "X-1");
	assert_int_equal(json_array_size(json_object_get(
	                     json_array_get(dups, 0), "record_ids")),
	                 2);
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(r.json, "records_per_object"), "things")),
	    3);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_window),
	    cmocka_unit_test(test_latency_is_concurrent),
	    cmocka_unit_test(test_fail_rate),
	    cmocka_unit_test(test_drop_rate),
	    cmocka_unit_test(test_timeout_rate),
	    cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
