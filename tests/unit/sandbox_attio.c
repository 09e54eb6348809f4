/* sandbox_attio.c: runs the real `ferry-sandbox attio` and talks to it
 * over HTTP with libcurl, checking the Attio rules it enforces: auth,
 * shapes, uniqueness, assert, value validation, queries, the rate limits,
 * persistence, the port file and the request log. */
#include "helpers.h"
#include "util.h"

#include <time.h>

#include "sandbox_attio_call.h"

static struct test_sandbox shared; /* functional tests, limits raised */

static int setup(void **state)
{
	const char *extra[] = {"--write-rate", "100000", "--read-rate",
	                       "100000", NULL};

	FERRY_UNUSED(state);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return test_sandbox_start(&shared, "attio", extra);
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&shared);
	curl_global_cleanup();
	return 0;
}

static void test_auth(void **state)
{
	struct reply r;

	FERRY_UNUSED(state);
	call_auth(&shared, "GET", "/v2/objects", NULL, "", &r);
	assert_error(&r, 401, "auth_error", "unauthorized");
	reply_free(&r);
	call_auth(&shared, "GET", "/v2/objects", NULL, "Bearer nope", &r);
	assert_error(&r, 401, "auth_error", "unauthorized");
	reply_free(&r);
	/* Basic: the token as user name, an empty password ("test-token:") */
	call_auth(&shared, "GET", "/v2/self", NULL,
	          "Basic dGVzdC10b2tlbjo=", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "active")));
	assert_string_equal(
	    json_string_value(json_object_get(r.json, "workspace_name")),
	    "ferry sandbox");
	reply_free(&r);
}

static void test_objects_and_attributes(void **state)
{
	struct reply r;
	json_t *a;
	size_t i;
	bool saw_domains = false, saw_team = false;

	FERRY_UNUSED(state);
	/* companies, people and (enabled by default) deals */
	call(&shared, "GET", "/v2/objects", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 3);
	reply_free(&r);
	call(&shared, "GET", "/v2/objects/people", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "singular_noun")),
	    "Person");
	reply_free(&r);
	call(&shared, "GET", "/v2/objects/nonesuch", NULL, &r);
	assert_error(&r, 404, "invalid_request_error", "not_found");
	reply_free(&r);
	call(&shared, "GET", "/v2/objects/companies/attributes", NULL, &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "data"), i, a)
	{
		const char *slug =
		    json_string_value(json_object_get(a, "api_slug"));

		if (!strcmp(slug, "domains")) {
			saw_domains = true;
			assert_true(
			    json_is_true(json_object_get(a, "is_unique")));
			assert_true(
			    json_is_true(json_object_get(a, "is_multiselect")));
			assert_string_equal(
			    json_string_value(json_object_get(a, "type")),
			    "domain");
		}
		if (!strcmp(slug, "team")) {
			saw_team = true;
			assert_string_equal(
			    json_string_value(json_object_get(
			        json_object_get(a, "relationship"),
			        "api_slug")),
			    "company");
		}
	}
	assert_true(saw_domains && saw_team);
	reply_free(&r);
	call(&shared, "GET", "/v2/nowhere", NULL, &r);
	assert_error(&r, 404, "invalid_request_error", "not_found");
	reply_free(&r);
}

static void test_create_get_duplicate(void **state)
{
	struct reply r, g;
	json_t *vals, *dom;
	char id[64];
	const char *ts;

	FERRY_UNUSED(state);
	call(&shared, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"https://Create.Example."
	     "co.uk/about?x=1\"],\"name\":\"Create Ltd\"}}}",
	     &r);
	assert_int_equal(r.status, 200);
	snprintf(id, sizeof(id), "%s", record_id(&r));
	vals = json_object_get(json_object_get(r.json, "data"), "values");
	dom = json_array_get(json_object_get(vals, "domains"), 0);
	assert_string_equal(json_string_value(json_object_get(dom, "domain")),
	                    "create.example.co.uk");
	assert_string_equal(
	    json_string_value(json_object_get(dom, "root_domain")),
	    "example.co.uk");
	assert_true(json_is_null(json_object_get(dom, "active_until")));
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(dom, "created_by_actor"), "type")),
	    "api-token");
	/* every attribute is present; empty ones as [] */
	assert_int_equal(json_array_size(json_object_get(vals, "twitter")), 0);
	ts = json_string_value(
	    json_object_get(json_object_get(r.json, "data"), "created_at"));
	assert_int_equal(strlen(ts), strlen("2026-01-05T10:00:00.123456789Z"));
	assert_int_equal(ts[strlen(ts) - 1], 'Z');
	reply_free(&r);

	call(&shared, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"create.example.co.uk\"]}}}",
	     &r);
	assert_error(&r, 400, "invalid_request_error", "uniqueness_conflict");
	reply_free(&r);

	{
		char *path =
		    ferry_xasprintf("/v2/objects/companies/records/%s", id);

		call(&shared, "GET", path, NULL, &g);
		assert_int_equal(g.status, 200);
		assert_string_equal(record_id(&g), id);
		reply_free(&g);
		call(&shared, "DELETE", path, NULL, &g);
		assert_int_equal(g.status, 200);
		assert_int_equal(json_object_size(g.json), 0);
		reply_free(&g);
		call(&shared, "GET", path, NULL, &g);
		assert_error(&g, 404, "invalid_request_error", "not_found");
		assert_non_null(strstr(
		    json_string_value(json_object_get(g.json, "message")), id));
		reply_free(&g);
		free(path);
	}
}

static size_t query_count(const char *object, const char *body)
{
	struct reply r;
	char *path = ferry_xasprintf("/v2/objects/%s/records/query", object);
	size_t n;

	call(&shared, "POST", path, body, &r);
	assert_int_equal(r.status, 200);
	n = json_array_size(json_object_get(r.json, "data"));
	reply_free(&r);
	free(path);
	return n;
}

static void test_assert(void **state)
{
	struct reply a, b;

	FERRY_UNUSED(state);
	call(&shared, "PUT",
	     "/v2/objects/companies/records?matching_attribute=domains",
	     "{\"data\":{\"values\":{\"domains\":[\"assert.test\"],\"name\":"
	     "\"One\"}}}",
	     &a);
	assert_int_equal(a.status, 200);
	call(&shared, "PUT",
	     "/v2/objects/companies/records?matching_attribute=domains",
	     "{\"data\":{\"values\":{\"domains\":[{\"domain\":\"ASSERT.test\"}"
	     "],\"name\":\"Two\"}}}",
	     &b);
	assert_int_equal(b.status, 200);
	assert_string_equal(record_id(&a), record_id(&b));
	assert_int_equal(query_count("companies", "{\"filter\":{\"domains\":"
	                                          "\"assert.test\"}}"),
	                 1);
	reply_free(&a);
	reply_free(&b);

	call(&shared, "PUT",
	     "/v2/objects/people/records?matching_attribute=email_addresses",
	     "{\"data\":{\"values\":{\"email_addresses\":[\"Case@Ferry.Test\"],"
	     "\"name\":\"Lovelace, Ada\"}}}",
	     &a);
	assert_int_equal(a.status, 200);
	call(&shared, "PUT",
	     "/v2/objects/people/records?matching_attribute=email_addresses",
	     "{\"data\":{\"values\":{\"email_addresses\":[\"case@ferry.test\"],"
	     "\"job_title\":\"Analyst\"}}}",
	     &b);
	assert_int_equal(b.status, 200);
	assert_string_equal(record_id(&a), record_id(&b));
	reply_free(&a);
	reply_free(&b);

	call(&shared, "PUT",
	     "/v2/objects/people/records?matching_attribute=job_title",
	     "{\"data\":{\"values\":{\"job_title\":\"Analyst\"}}}", &a);
	assert_error(&a, 400, "invalid_request_error",
	             "matching_attribute_definition_not_unique");
	reply_free(&a);
	call(&shared, "PUT",
	     "/v2/objects/people/records?matching_attribute=nope",
	     "{\"data\":{\"values\":{\"job_title\":\"Analyst\"}}}", &a);
	assert_error(&a, 400, "invalid_request_error", "value_not_found");
	reply_free(&a);
	call(&shared, "PUT",
	     "/v2/objects/people/records?matching_attribute=email_addresses",
	     "{\"data\":{\"values\":{\"job_title\":\"Analyst\"}}}", &a);
	assert_error(&a, 400, "invalid_request_error", "validation_type");
	reply_free(&a);
}

static void test_value_errors(void **state)
{
	static const struct {
		const char *object, *values, *code;
	} cases[] = {
	    {"people",
	     "{\"company\":{\"target_object\":\"companies\","
	     "\"target_record_id\":\"00000000-0000-4000-8000-"
	     "000000000000\"}}",
	     "value_not_found"},
	    {"people",
	     "{\"company\":{\"target_object\":\"companies\","
	     "\"domains\":[{\"domain\":\"missing.test\"}]}}",
	     "value_not_found"},
	    {"companies", "{\"categories\":[\"No Such Option\"]}",
	     "value_not_found"},
	    {"companies", "{\"domains\":\"bare.test\"}", "validation_type"},
	    {"people",
	     "{\"name\":{\"first_name\":\"Ada\",\"last_name\":"
	     "\"Lovelace\"}}",
	     "validation_type"},
	    {"people", "{\"email_addresses\":[\"not-an-email\"]}",
	     "validation_type"},
	    {"people", "{\"phone_numbers\":[\"020 7123 4567\"]}",
	     "validation_type"},
	    {"people", "{\"no_such_attribute\":\"x\"}", "value_not_found"},
	};
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		struct reply r;
		char *path =
		    ferry_xasprintf("/v2/objects/%s/records", cases[i].object);
		char *body = ferry_xasprintf("{\"data\":{\"values\":%s}}",
		                             cases[i].values);

		call(&shared, "POST", path, body, &r);
		if (r.status != 400)
			fail_msg("case %zu: status %ld", i, r.status);
		assert_error(&r, 400, "invalid_request_error", cases[i].code);
		reply_free(&r);
		free(path);
		free(body);
	}
	{
		struct reply r;

		call(&shared, "POST", "/v2/objects/people/records", "{bad", &r);
		assert_error(&r, 400, "invalid_request_error",
		             "validation_type");
		reply_free(&r);
		call(&shared, "POST", "/v2/objects/people/records/query",
		     "{\"filter\":{\"email_addresses\":{\"$regex\":\"x\"}}}",
		     &r);
		assert_error(&r, 400, "invalid_request_error", "filter_error");
		reply_free(&r);
	}
}

static void test_query_and_relationship(void **state)
{
	struct reply c, p, q;
	char cid[64], pid[64], *path;
	json_t *team;

	FERRY_UNUSED(state);
	call(&shared, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"rel.test\"]}}}", &c);
	assert_int_equal(c.status, 200);
	snprintf(cid, sizeof(cid), "%s", record_id(&c));
	call(&shared, "POST", "/v2/objects/people/records",
	     "{\"data\":{\"values\":{\"email_addresses\":[\"grace@rel.test\"],"
	     "\"company\":{\"target_object\":\"companies\",\"domains\":"
	     "[{\"domain\":\"rel.test\"}]}}}}",
	     &p);
	assert_int_equal(p.status, 200);
	snprintf(pid, sizeof(pid), "%s", record_id(&p));

	call(&shared, "POST", "/v2/objects/people/records/query",
	     "{\"filter\":{\"email_addresses\":\"GRACE@rel.test\"}}", &q);
	assert_int_equal(q.status, 200);
	assert_int_equal(json_array_size(json_object_get(q.json, "data")), 1);
	reply_free(&q);
	path = ferry_xasprintf(
	    "{\"filter\":{\"record_id\":{\"$in\":[\"%s\"]}}}", pid);
	assert_int_equal(query_count("people", path), 1);
	free(path);
	assert_int_equal(query_count("people", "{\"filter\":{"
	                                       "\"email_addresses\":{\"$eq\":"
	                                       "\"nobody@rel.test\"}}}"),
	                 0);

	/* the other side of people.company is companies.team */
	path = ferry_xasprintf("/v2/objects/companies/records/%s", cid);
	call(&shared, "GET", path, NULL, &q);
	team = json_object_get(
	    json_object_get(json_object_get(q.json, "data"), "values"), "team");
	assert_int_equal(json_array_size(team), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(team, 0), "target_record_id")),
	                    pid);
	reply_free(&q);
	free(path);
	reply_free(&c);
	reply_free(&p);
}

static void test_multiselect_semantics(void **state)
{
	struct reply r;
	char *path;
	json_t *cat;

	FERRY_UNUSED(state);
	call(&shared, "POST",
	     "/v2/objects/companies/attributes/categories/options",
	     "{\"data\":{\"title\":\"SaaS\"}}", &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	call(&shared, "POST",
	     "/v2/objects/companies/attributes/categories/options",
	     "{\"data\":{\"title\":\"SaaS\"}}", &r);
	assert_error(&r, 409, "invalid_request_error", "slug_conflict");
	reply_free(&r);

	call(&shared, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"ms1.test\"],"
	     "\"categories\":[\"SaaS\"]}}}",
	     &r);
	assert_int_equal(r.status, 200);
	cat = json_object_get(
	    json_object_get(
	        json_array_get(
	            json_object_get(
	                json_object_get(json_object_get(r.json, "data"),
	                                "values"),
	                "categories"),
	            0),
	        "option"),
	    "title");
	assert_string_equal(json_string_value(cat), "SaaS");
	path =
	    ferry_xasprintf("/v2/objects/companies/records/%s", record_id(&r));
	reply_free(&r);

	/* PATCH prepends to a multiselect */
	call(&shared, "PATCH", path,
	     "{\"data\":{\"values\":{\"domains\":[\"ms2.test\"]}}}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(value_str(&r, "domains", 0, "domain"), "ms2.test");
	assert_string_equal(value_str(&r, "domains", 1, "domain"), "ms1.test");
	reply_free(&r);

	/* assert adds to the matching attribute, sets the others */
	call(&shared, "PUT",
	     "/v2/objects/companies/records?matching_attribute=domains",
	     "{\"data\":{\"values\":{\"domains\":[\"ms3.test\","
	     "\"ms1.test\"],\"categories\":[]}}}",
	     &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    json_array_size(json_object_get(
	        json_object_get(json_object_get(r.json, "data"), "values"),
	        "domains")),
	    3);
	assert_int_equal(
	    json_array_size(json_object_get(
	        json_object_get(json_object_get(r.json, "data"), "values"),
	        "categories")),
	    0);
	reply_free(&r);
	free(path);
}

static void test_write_rate_limit(void **state)
{
	struct test_sandbox sb;
	struct reply r;
	int i, limited = 0;
	time_t when = 0;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", NULL), 0);
	for (i = 0; i < 40 && !limited; i++) {
		char *body = ferry_xasprintf(
		    "{\"data\":{\"values\":{\"name\":\"n%d\"}}}", i);

		call(&sb, "POST", "/v2/objects/companies/records", body, &r);
		free(body);
		if (r.status == 429) {
			limited++;
			assert_error(&r, 429, "rate_limit_error",
			             "rate_limit_exceeded");
			assert_string_equal(
			    json_string_value(
			        json_object_get(r.json, "message")),
			    "Rate limit exceeded, please try again later");
			assert_int_equal(
			    ferry_clock_parse_http_date(r.retry_after, &when),
			    0);
			assert_true(when >= time(NULL) - 1);
			assert_true(when <= time(NULL) + 2);
		} else {
			assert_int_equal(r.status, 200);
		}
		reply_free(&r);
	}
	assert_true(limited > 0);
	assert_true(i >= 26);
	/* reads have their own budget */
	call(&sb, "GET", "/v2/objects", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	call(&sb, "GET", "/__sandbox/stats", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(
	    json_integer_value(json_object_get(r.json, "rate_limited")) >= 1);
	assert_true(json_integer_value(json_object_get(
	                r.json, "max_writes_in_any_1s_window")) <= 25);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

static void test_read_rate_limit(void **state)
{
	struct test_sandbox sb;
	struct reply r;
	int i, limited = 0;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", NULL), 0);
	for (i = 0; i < 200 && !limited; i++) {
		call(&sb, "GET", "/v2/objects/people", NULL, &r);
		if (r.status == 429) {
			limited++;
			assert_error(&r, 429, "rate_limit_error",
			             "rate_limit_exceeded");
			assert_true(r.retry_after[0] != '\0');
		}
		reply_free(&r);
	}
	assert_true(limited > 0);
	assert_true(i > 100);
	/* writes are a separate class */
	call(&sb, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"name\":\"w\"}}}", &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

static void test_state_persists(void **state)
{
	struct test_sandbox sb;
	struct reply r;
	char *dir = test_tmpdir("sandbox-state");
	char *file = ferry_xasprintf("%s/attio.sqlite", dir);
	const char *extra[] = {"--state", file, NULL};
	char *path;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	call(&sb, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"persist.test\"]}}}", &r);
	assert_int_equal(r.status, 200);
	path =
	    ferry_xasprintf("/v2/objects/companies/records/%s", record_id(&r));
	reply_free(&r);
	test_sandbox_stop(&sb);

	assert_int_equal(test_sandbox_start(&sb, "attio", extra), 0);
	call(&sb, "GET", path, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	call(&sb, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"persist.test\"]}}}", &r);
	assert_error(&r, 400, "invalid_request_error", "uniqueness_conflict");
	reply_free(&r);
	test_sandbox_stop(&sb);
	free(path);
	free(file);
	free(dir);
}

static void test_port_file_and_log(void **state)
{
	struct test_sandbox sb;
	struct ferry_buf b = FERRY_BUF_INIT;
	struct reply r;
	char *p, want[32];
	size_t lines = 0;
	int i;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&sb, "attio", NULL), 0);
	p = ferry_xasprintf("%s/port", sb.dir);
	assert_int_equal(test_read_file(&b, p), 0);
	snprintf(want, sizeof(want), "%d\n", sb.port);
	assert_string_equal(b.ptr, want);
	ferry_buf_release(&b);
	free(p);

	for (i = 0; i < 5; i++) {
		call(&sb, "GET", "/v2/objects?x=1", NULL, &r);
		reply_free(&r);
	}
	call_auth(&sb, "GET", "/v2/self", NULL, "Bearer wrong", &r);
	reply_free(&r);
	test_sandbox_stop(&sb);

	p = ferry_xasprintf("%s/requests.log", sb.dir);
	assert_int_equal(test_read_file(&b, p), 0);
	for (i = 0; (size_t)i < b.len; i++)
		lines += b.ptr[i] == '\n';
	assert_int_equal(lines, 6);
	assert_null(strstr(b.ptr, TEST_SANDBOX_TOKEN));
	assert_non_null(strstr(b.ptr, "GET /v2/objects?x=1 200 "));
	assert_non_null(strstr(b.ptr, "GET /v2/self 401 "));
	ferry_buf_release(&b);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_objects_and_attributes),
	    cmocka_unit_test(test_create_get_duplicate),
	    cmocka_unit_test(test_assert),
	    cmocka_unit_test(test_value_errors),
	    cmocka_unit_test(test_query_and_relationship),
	    cmocka_unit_test(test_multiselect_semantics),
	    cmocka_unit_test(test_write_rate_limit),
	    cmocka_unit_test(test_read_rate_limit),
	    cmocka_unit_test(test_state_persists),
	    cmocka_unit_test(test_port_file_and_log),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
