/* sf_session.c: calls through a Salesforce session against a fake org:
 * the paths it builds, the token it sends, one fresh login on 401
 * INVALID_SESSION_ID (with a rotated refresh token and a moved
 * instance_url), a second 401, REQUEST_LIMIT_EXCEEDED, Salesforce's
 * errorCode in every message, Sforce-Limit-Info, /limits and COUNT(). */
#include <jansson.h>

#include "helpers.h"
#include "util.h"

#include "ferry/salesforce.h"
#include "connectors/salesforce/sf_int.h"

#define S(x) ((char *)(uintptr_t)(x))

#define CLIENT_ID     "ferry-test-client"
#define CLIENT_SECRET "s3cr3t-client-secret"
#define REFRESH       "s3cr3t-refresh-1"
#define ROTATED       "s3cr3t-refresh-2"
#define DATA          "/services/data/v66.0"

static void set_secrets(void)
{
	setenv("SF_CLIENT_ID", CLIENT_ID, 1);
	setenv("SF_CLIENT_SECRET", CLIENT_SECRET, 1);
	setenv("SF_REFRESH_TOKEN", REFRESH, 1);
}

static void assert_no_secret(void)
{
	assert_null(strstr(ferry_error_last(), "s3cr3t"));
	assert_null(strstr(ferry_error_last(), "tok-"));
}

/* A fake org with `answers`, and a session logged in to it. */
static struct ferry_sf *start(struct test_sf_fake *f, const char *auth,
                              const struct test_sf_answer *answers,
                              size_t n_answers)
{
	struct ferry_config c;
	struct ferry_sf *sf = NULL;

	set_secrets();
	memset(f, 0, sizeof(*f));
	f->client_id = CLIENT_ID;
	f->client_secret = CLIENT_SECRET;
	f->refresh_token = REFRESH;
	f->answers = answers;
	f->n_answers = n_answers;
	test_sf_fake_start(f);
	memset(&c, 0, sizeof(c));
	c.source_type = S("salesforce");
	c.sf_auth = S(auth);
	c.sf_login_url = S(test_http_url(f->login));
	if (ferry_sf_connect(&sf, &c) < 0)
		fail_msg("%s", ferry_error_last());
	return sf;
}

#define START(f, answers)                                                      \
	start(f, "client_credentials", answers, FERRY_ARRAY_LEN(answers))

static const struct test_http_request *last(struct test_http_server *s)
{
	size_t n = test_http_count(s);

	assert_true(n > 0);
	return test_http_seen(s, n - 1);
}

static void test_paths(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{\"sobjects\":[]}"},
	    {DATA "/query/01gD0000002HU6KIAW-2000", 200, "{\"done\":true}"},
	    {"/services/data/v66.0/jobs/query", 201, "{\"id\":\"750\"}"},
	};
	static const char *const extra[] = {"Sforce-Query-Options: "
	                                    "batchSize=2000",
	                                    NULL};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	const struct test_http_request *seen;
	char v[256], *abs;

	(void)state;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.ptr, "{\"sobjects\":[]}");
	seen = last(f.inst);
	assert_string_equal(seen->uri, DATA "/sobjects");
	assert_string_equal(
	    test_http_header(seen, "Authorization", v, sizeof(v)),
	    "Bearer tok-1");

	/* A nextRecordsUrl is taken as it is. */
	assert_int_equal(ferry_sf_call(sf, "GET",
	                               DATA "/query/01gD0000002HU6KIAW-2000",
	                               NULL, &r),
	                 0);
	assert_string_equal(last(f.inst)->uri,
	                    DATA "/query/01gD0000002HU6KIAW-2000");
	/* So is a whole URL on the instance. */
	abs = ferry_xasprintf("%s" DATA "/sobjects", test_http_url(f.inst));
	assert_int_equal(ferry_sf_call(sf, "GET", abs, NULL, &r), 0);
	assert_string_equal(last(f.inst)->uri, DATA "/sobjects");
	free(abs);
	/* ... but not one elsewhere: the token stays home. */
	assert_int_equal(ferry_sf_call(sf, "GET",
	                               "http://127.0.0.1:1" DATA "/sobjects",
	                               NULL, &r),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects x", NULL, &r),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf_call(sf, "GET", "sobjects", NULL, &r),
	                 FERRY_EINVALID);

	/* The caller's body, content type and headers go through; the
	 * token is added even when the caller asked for none. */
	memset(&req, 0, sizeof(req));
	req.body = "{\"operation\":\"query\"}";
	req.headers = extra;
	req.no_auth = true;
	assert_int_equal(ferry_sf_call(sf, "POST", "/jobs/query", &req, &r), 0);
	assert_int_equal(r.status, 201);
	seen = last(f.inst);
	assert_string_equal(seen->method, "POST");
	assert_string_equal(seen->body, "{\"operation\":\"query\"}");
	assert_string_equal(
	    test_http_header(seen, "Sforce-Query-Options", v, sizeof(v)),
	    "batchSize=2000");
	assert_string_equal(
	    test_http_header(seen, "Authorization", v, sizeof(v)),
	    "Bearer tok-1");
	/* versions + 4 good calls */
	assert_int_equal(ferry_sf_usage(sf)->calls, 5);
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_expired_session_renews_once(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{\"sobjects\":[]}"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	char v[64];

	(void)state;
	f.expire_after = 1;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	/* tok-1 is used up: 401, a new login, the same call again. */
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(test_http_count(f.login), 2);
	assert_int_equal(test_http_count(f.inst), 4);
	assert_int_equal(test_http_seen(f.inst, 2)->uri[0], '/');
	assert_string_equal(test_http_header(test_http_seen(f.inst, 3),
	                                     "Authorization", v, sizeof(v)),
	                    "Bearer tok-2");
	assert_string_equal(test_http_seen(f.inst, 3)->uri, DATA "/sobjects");
	assert_int_equal(ferry_sf_usage(sf)->logins, 2);
	assert_int_equal(ferry_sf_usage(sf)->calls, 4);
	/* Each call gets its own renewal. */
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(ferry_sf_usage(sf)->logins, 3);
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_second_401_gives_up(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 401,
	     "[{\"message\":\"Session expired or invalid\",\"errorCode\":"
	     "\"INVALID_SESSION_ID\"}]"},
	    {DATA "/limits", 401,
	     "[{\"message\":\"This session is not valid for use with the "
	     "REST API\",\"errorCode\":\"INVALID_AUTH_HEADER\"}]"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r),
	                 FERRY_EAUTH);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce refused GET /sobjects again after a "
	                    "fresh login: INVALID_SESSION_ID: Session expired "
	                    "or invalid (HTTP 401): check that the "
	                    "integration user may use the API (permission "
	                    "\"API Enabled\")");
	assert_int_equal(test_http_count(f.login), 2);
	assert_int_equal(test_http_count(f.inst), 3);

	/* Another 401 is not a session to renew. */
	assert_int_equal(ferry_sf_call(sf, "GET", "/limits", NULL, &r),
	                 FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "INVALID_AUTH_HEADER"));
	assert_int_equal(test_http_count(f.login), 2);
	assert_no_secret();
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_renewal_refused(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{}"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	f.expire_after = 1;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	f.client_secret = "changed";
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r),
	                 FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "renewing the Salesforce "
	                                           "session after GET "
	                                           "/sobjects answered 401"));
	assert_non_null(strstr(ferry_error_last(), "invalid_grant"));
	assert_no_secret();
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_rotated_refresh_token(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{}"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf;
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	char v[128];

	(void)state;
	sf = start(&f, "refresh_token", answers, 1);
	/* The fake rotates from now on: the first renewal gets ROTATED,
	 * and the old token is dead. */
	f.rotate_to = ROTATED;
	f.expire_after = 1;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_true(test_form_get(test_http_seen(f.login, 1)->body,
	                          "refresh_token", v, sizeof(v)));
	assert_string_equal(v, REFRESH);
	f.rotate_to = "s3cr3t-refresh-3";
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_true(test_form_get(test_http_seen(f.login, 2)->body,
	                          "refresh_token", v, sizeof(v)));
	assert_string_equal(v, ROTATED);
	/* Memory only: the environment still holds the first one. */
	assert_string_equal(getenv("SF_REFRESH_TOKEN"), REFRESH);
	assert_int_equal(ferry_sf_usage(sf)->logins, 3);
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

/* The second instance: answers anything with {"moved":true}. */
static void moved_handler(void *ctx, const struct test_http_request *req,
                          struct test_http_answer *a)
{
	(void)ctx;
	(void)req;
	if (ferry_buf_puts(&a->body, "{\"moved\":true}") < 0)
		fail();
}

static void test_instance_moves(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 401,
	     "[{\"message\":\"Session expired or invalid\",\"errorCode\":"
	     "\"INVALID_SESSION_ID\"}]"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct test_http_server *moved = test_http_start(moved_handler, NULL);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	char v[64];

	(void)state;
	f.instance_url = test_http_url(moved);
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_string_equal(r.body.ptr, "{\"moved\":true}");
	assert_string_equal(ferry_sf_instance_url(sf), test_http_url(moved));
	assert_int_equal(test_http_count(moved), 1);
	assert_string_equal(test_http_seen(moved, 0)->uri, DATA "/sobjects");
	assert_string_equal(test_http_header(test_http_seen(moved, 0),
	                                     "Authorization", v, sizeof(v)),
	                    "Bearer tok-2");
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_http_stop(moved);
	test_sf_fake_stop(&f);
}

static void test_request_limit_exceeded(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 403,
	     "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":"
	     "\"REQUEST_LIMIT_EXCEEDED\"}]"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	f.limit_info = "api-usage=15000/15000";
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r),
	                 FERRY_ERATELIMIT);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce's daily API budget is used up "
	                    "(api-usage 15000/15000): the extract can resume "
	                    "when the rolling 24 h window frees calls; "
	                    "nothing staged is lost");
	assert_int_equal(ferry_sf_usage(sf)->api_used, 15000);
	/* Not retried, not a login. */
	assert_int_equal(test_http_count(f.inst), 2);
	assert_int_equal(test_http_count(f.login), 1);
	f.limit_info = NULL;
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_error_messages(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects/Foo/describe", 404,
	     "[{\"errorCode\":\"NOT_FOUND\",\"message\":\"The requested "
	     "resource does not exist\"}]"},
	    {DATA "/query?", 400,
	     "[{\"message\":\"\\nSELECT Foo FROM Account\\n       ^\\nERROR "
	     "at Row:1:Column:8\\nNo such column 'Foo' on entity "
	     "'Account'.\",\"errorCode\":\"INVALID_FIELD\"}]"},
	    {DATA "/sobjects/User", 403,
	     "[{\"message\":\"insufficient access rights on object id\","
	     "\"errorCode\":\"INSUFFICIENT_ACCESS\"}]"},
	    {DATA "/jobs/query/750x", 409,
	     "{\"errorCode\":\"API_ERROR\",\"message\":\"Job is complete\"}"},
	    {DATA "/html", 502, "<html><body>Bad gateway</body></html>"},
	    {DATA "/moved", 302, ""},
	    {DATA "/echo", 400,
	     "[{\"message\":\"bad secret s3cr3t-client-secret\","
	     "\"errorCode\":\"X\"}]"},
	    {DATA "/empty", 204, ""},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req no_retry;

	(void)state;
	assert_int_equal(
	    ferry_sf_call(sf, "GET", "/sobjects/Foo/describe", NULL, &r),
	    FERRY_ENOTFOUND);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce refused GET /sobjects/Foo/describe: "
	                    "NOT_FOUND: The requested resource does not exist "
	                    "(HTTP 404)");
	assert_int_equal(ferry_sf_call(sf, "GET",
	                               "/query?q=SELECT%20Foo%20FROM%20Account",
	                               NULL, &r),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(),
	                       "Salesforce refused GET /query: INVALID_FIELD:  "
	                       "SELECT Foo FROM Account "));
	assert_null(strchr(ferry_error_last(), '\n'));
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects/User", NULL, &r),
	                 FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "INSUFFICIENT_ACCESS"));
	assert_int_equal(
	    ferry_sf_call(sf, "PATCH", "/jobs/query/750x", NULL, &r),
	    FERRY_EHTTP);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce refused PATCH /jobs/query/750x: "
	                    "API_ERROR: Job is complete (HTTP 409)");
	memset(&no_retry, 0, sizeof(no_retry));
	no_retry.no_retry = true;
	assert_int_equal(ferry_sf_call(sf, "GET", "/html", &no_retry, &r),
	                 FERRY_EHTTP);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce failed GET /html: a body that is not "
	                    "JSON (HTTP 502, 1 attempts): retry later");
	/* Not 2xx is never success. */
	assert_int_equal(ferry_sf_call(sf, "GET", "/moved", NULL, &r),
	                 FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "(HTTP 302)"));
	assert_int_equal(ferry_sf_call(sf, "GET", "/echo", NULL, &r),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "bad secret ***"));
	assert_no_secret();
	assert_int_equal(ferry_sf_call(sf, "DELETE", "/empty", NULL, &r), 0);
	assert_int_equal(r.status, 204);
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_limit_info_usage(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{}"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(ferry_sf_usage(sf)->api_used, -1);
	f.limit_info = "api-usage=54/15000, per-app-api-usage=17/250("
	               "appName=sample-connected-app)";
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(ferry_sf_usage(sf)->api_used, 54);
	assert_int_equal(ferry_sf_usage(sf)->api_max, 15000);
	/* A later answer without the header keeps the last count. */
	f.limit_info = NULL;
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(ferry_sf_usage(sf)->api_used, 54);
	f.limit_info = "api-usage=55/15000";
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &r), 0);
	assert_int_equal(ferry_sf_usage(sf)->api_used, 55);
	ferry_http_response_release(&r);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_limits(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/limits", 200,
	     "{\"DailyApiRequests\":{\"Max\":15000,\"Remaining\":14999},"
	     "\"DailyBulkV2QueryJobs\":{\"Max\":10000,\"Remaining\":9998},"
	     "\"DailyBulkV2QueryFileStorageMB\":{\"Max\":976562,"
	     "\"Remaining\":976000},\"DataStorageMB\":{\"Max\":5,"
	     "\"Remaining\":5}}"},
	};
	static const struct test_sf_answer partial[] = {
	    {DATA "/limits", 200,
	     "{\"DailyApiRequests\":{\"Max\":15000},"
	     "\"DailyBulkV2QueryJobs\":\"lots\"}"},
	};
	static const struct test_sf_answer list[] = {
	    {DATA "/limits", 200, "[]"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	struct ferry_sf_limits l;

	(void)state;
	assert_int_equal(ferry_sf_limits(sf, &l), 0);
	assert_int_equal(l.api_max, 15000);
	assert_int_equal(l.api_remaining, 14999);
	assert_int_equal(l.bulk_jobs_max, 10000);
	assert_int_equal(l.bulk_jobs_remaining, 9998);
	assert_int_equal(l.bulk_storage_mb_max, 976562);
	assert_int_equal(l.bulk_storage_mb_remaining, 976000);
	assert_string_equal(last(f.inst)->uri, DATA "/limits");

	f.answers = partial;
	assert_int_equal(ferry_sf_limits(sf, &l), 0);
	assert_int_equal(l.api_max, 15000);
	assert_int_equal(l.api_remaining, -1);
	assert_int_equal(l.bulk_jobs_max, -1);
	assert_int_equal(l.bulk_storage_mb_max, -1);
	f.answers = list;
	assert_int_equal(ferry_sf_limits(sf, &l), FERRY_EHTTP);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_count(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/query?q=SELECT%20COUNT%28%29%20FROM%20Account", 200,
	     "{\"totalSize\":12,\"done\":true,\"records\":[]}"},
	    {DATA "/queryAll?q=SELECT%20COUNT%28%29%20FROM%20Invoice__c", 200,
	     "{\"totalSize\":40,\"done\":true,\"records\":[]}"},
	    {DATA "/query?q=SELECT%20COUNT%28%29%20FROM%20Lead", 200,
	     "{\"done\":true}"},
	    {DATA "/query?q=SELECT%20COUNT%28%29%20FROM%20Nope", 400,
	     "[{\"message\":\"sObject type 'Nope' is not supported.\","
	     "\"errorCode\":\"INVALID_TYPE\"}]"},
	    {DATA "/query?", 200, "not json"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	int64_t n = -5;
	size_t before;

	(void)state;
	assert_int_equal(ferry_sf_count(sf, "Account", false, &n), 0);
	assert_int_equal(n, 12);
	assert_int_equal(ferry_sf_count(sf, "Invoice__c", true, &n), 0);
	assert_int_equal(n, 40);
	n = -5;
	assert_int_equal(ferry_sf_count(sf, "Lead", false, &n), FERRY_EHTTP);
	assert_int_equal(n, -5);
	assert_int_equal(ferry_sf_count(sf, "Nope", false, &n), FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "INVALID_TYPE"));
	assert_int_equal(ferry_sf_count(sf, "Other", false, &n), FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "not JSON"));
	/* Names that would change the SOQL are refused before a call. */
	before = test_http_count(f.inst);
	assert_int_equal(
	    ferry_sf_count(sf, "Account WHERE Name != null", false, &n),
	    FERRY_EINVALID);
	assert_int_equal(ferry_sf_count(sf, "", false, &n), FERRY_EINVALID);
	assert_int_equal(test_http_count(f.inst), before);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_get_json(void **state)
{
	static const struct test_sf_answer answers[] = {
	    {DATA "/sobjects", 200, "{\"encoding\":\"UTF-8\"}"},
	    {DATA "/bad", 200, "{\"encoding\":"},
	};
	struct test_sf_fake f;
	struct ferry_sf *sf = START(&f, answers);
	json_t *j = NULL;

	(void)state;
	assert_int_equal(ferry_sf_get_json(sf, "/sobjects", &j), 0);
	assert_string_equal(json_string_value(json_object_get(j, "encoding")),
	                    "UTF-8");
	json_decref(j);
	j = NULL;
	assert_int_equal(ferry_sf_get_json(sf, "/bad", &j), FERRY_EHTTP);
	assert_null(j);
	assert_non_null(strstr(ferry_error_last(), "GET /bad"));
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

/* ---- against the sandbox ------------------------------------------------ */

static struct ferry_sf *sandbox_session(struct test_sandbox *sb,
                                        const char *const *extra,
                                        const char *auth)
{
	struct ferry_config c;
	struct ferry_sf *sf = NULL;

	assert_int_equal(test_sandbox_start(sb, "salesforce", extra), 0);
	setenv("SF_CLIENT_ID", "ferry-sandbox-client", 1);
	setenv("SF_CLIENT_SECRET", "ferry-sandbox-secret", 1);
	setenv("SF_REFRESH_TOKEN", "ferry-sandbox-refresh", 1);
	memset(&c, 0, sizeof(c));
	c.source_type = S("salesforce");
	c.sf_auth = S(auth);
	c.sf_login_url = sb->url;
	if (ferry_sf_connect(&sf, &c) < 0)
		fail_msg("%s", ferry_error_last());
	return sf;
}

/* Tokens that die after 2 requests: every third call renews once. */
static void test_sandbox_expiry(void **state)
{
	static const char *const extra[] = {"--expire-after", "2", NULL};
	struct test_sandbox sb;
	struct ferry_sf *sf = sandbox_session(&sb, extra, "refresh_token");
	json_t *j = NULL;
	int i;

	(void)state;
	for (i = 0; i < 7; i++) {
		if (ferry_sf_get_json(sf, "/sobjects", &j) < 0)
			fail_msg("call %d: %s", i, ferry_error_last());
		assert_true(json_is_object(j));
		json_decref(j);
		j = NULL;
	}
	/* logins: the first, then before calls 3, 5 and 7 */
	assert_int_equal(ferry_sf_usage(sf)->logins, 4);
	/* versions + 7 calls + 3 refused ones */
	assert_int_equal(ferry_sf_usage(sf)->calls, 11);
	ferry_sf_free(sf);
	test_sandbox_stop(&sb);
}

static void test_sandbox_budget(void **state)
{
	static const char *const extra[] = {"--api-limit", "3", NULL};
	struct test_sandbox sb;
	struct ferry_sf *sf = sandbox_session(&sb, extra, "client_credentials");
	struct ferry_sf_limits l;
	int i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_int_equal(ferry_sf_limits(sf, &l), 0);
	assert_int_equal(l.api_max, 3);
	assert_int_equal(ferry_sf_limits(sf, &l), FERRY_ERATELIMIT);
	assert_string_equal(ferry_error_last(),
	                    "Salesforce's daily API budget is used up "
	                    "(api-usage 3/3): the extract can resume when the "
	                    "rolling 24 h window frees calls; nothing staged "
	                    "is lost");
	assert_int_equal(ferry_sf_usage(sf)->api_used, 3);
	assert_int_equal(ferry_sf_usage(sf)->api_max, 3);
	ferry_sf_free(sf);
	test_sandbox_stop(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_expired_session_renews_once),
	    cmocka_unit_test(test_second_401_gives_up),
	    cmocka_unit_test(test_renewal_refused),
	    cmocka_unit_test(test_rotated_refresh_token),
	    cmocka_unit_test(test_instance_moves),
	    cmocka_unit_test(test_request_limit_exceeded),
	    cmocka_unit_test(test_error_messages),
	    cmocka_unit_test(test_limit_info_usage),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_get_json),
	    cmocka_unit_test(test_sandbox_expiry),
	    cmocka_unit_test(test_sandbox_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
