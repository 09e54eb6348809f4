/* attio_client.c: the Attio client against a scripted server inside the
 * test (not the sandbox): the requests it sends (method, path, query,
 * body, token) and how it reads Attio's answers, good and bad. */
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

#include "helpers.h"
#include "util.h"

#include "ferry/attio.h"
#include "connectors/attio_parse.h"

#define TOKEN     "attio-s3cr3t-token"
#define RECORD_ID "bf071e1f-6035-429d-b874-d83ea64ea13b"

/* ---- the scripted server ---------------------------------------------- */

struct step {
	unsigned status;
	const char *body;
};

struct seen {
	char method[16];
	char path[256];
	char matching[128];
	char auth[256];
	char body[2048];
};

#define MAX_SEEN 16

struct server {
	struct MHD_Daemon *d;
	char url[64];
	const struct step *script;
	size_t nsteps;
	pthread_mutex_t mu;
	size_t count;
	struct seen seen[MAX_SEEN];
};

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct ferry_buf *in = *con_cls;
	struct MHD_Response *r;
	struct step st;
	enum MHD_Result ret;
	const char *v;
	size_t n;

	(void)version;
	if (!in) {
		in = ferry_xcalloc(1, sizeof(*in));
		ferry_buf_init(in, 1 << 20);
		*con_cls = in;
		return MHD_YES;
	}
	if (*upload_size) {
		if (ferry_buf_put(in, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	n = s->count++;
	st = s->script[n < s->nsteps ? n : s->nsteps - 1];
	if (n < MAX_SEEN) {
		struct seen *rec = &s->seen[n];

		snprintf(rec->method, sizeof(rec->method), "%s", method);
		snprintf(rec->path, sizeof(rec->path), "%s", url);
		v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		                                "matching_attribute");
		snprintf(rec->matching, sizeof(rec->matching), "%s",
		         v ? v : "");
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                "Authorization");
		snprintf(rec->auth, sizeof(rec->auth), "%s", v ? v : "");
		snprintf(rec->body, sizeof(rec->body), "%s", in->ptr);
	}
	pthread_mutex_unlock(&s->mu);

	r = MHD_create_response_from_buffer(
	    strlen(st.body), (void *)(uintptr_t)st.body, MHD_RESPMEM_MUST_COPY);
	ret = MHD_queue_response(c, st.status, r);
	MHD_destroy_response(r);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct ferry_buf *in = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (in) {
		ferry_buf_release(in);
		free(in);
		*con_cls = NULL;
	}
}

static struct server *server_start(const struct step *script, size_t n)
{
	struct server *s = ferry_xcalloc(1, sizeof(*s));
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;

	s->script = script;
	s->nsteps = n;
	pthread_mutex_init(&s->mu, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	    NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u",
	         (unsigned)info->port);
	return s;
}

static void server_stop(struct server *s)
{
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

#define START(script) server_start(script, FERRY_ARRAY_LEN(script))

static struct ferry_attio *attio(const char *url)
{
	struct ferry_http_opts o;
	struct ferry_attio *a = NULL;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.token = TOKEN;
	o.max_attempts = 2;
	o.backoff_base_ms = 5;
	o.backoff_max_ms = 10;
	assert_int_equal(ferry_attio_new(&a, &o), 0);
	return a;
}

static void assert_no_token(void)
{
	assert_null(strstr(ferry_error_last(), TOKEN));
}

/* ---- tests -------------------------------------------------------------- */

static void test_assert_request_and_record_id(void **state)
{
	static const struct step script[] = {
	    {200, "{\"data\":{\"id\":{\"workspace_id\":\"14beef7a-99f7-"
	          "4534-a87e-70b564330a4c\",\"object_id\":\"97052eb9-e65e-"
	          "443f-a297-f2d9a4a7f795\",\"record_id\":\"" RECORD_ID
	          "\"},\"created_at\":\"2022-11-21T13:22:49.061281000Z\","
	          "\"web_url\":\"https://app.attio.com/x\",\"values\":{}}}"},
	};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	struct ferry_attio_result res;
	json_error_t jerr;
	json_t *values = json_pack("{s:[s],s:s}", "email_addresses",
	                           "ada@example.com", "job_title", "Analyst");
	json_t *sent, *expect;

	(void)state;
	assert_int_equal(ferry_attio_assert_record(
	                     a, "people", "email_addresses", values, &res),
	                 0);
	assert_int_equal(res.http_status, 200);
	assert_int_equal(res.attempts, 1);
	assert_string_equal(res.record_id, RECORD_ID);
	assert_string_equal(res.code, "");
	assert_string_equal(s->seen[0].method, "PUT");
	assert_string_equal(s->seen[0].path, "/v2/objects/people/records");
	assert_string_equal(s->seen[0].matching, "email_addresses");
	assert_string_equal(s->seen[0].auth, "Bearer " TOKEN);
	sent = json_loads(s->seen[0].body, 0, &jerr);
	assert_non_null(sent);
	expect = json_pack("{s:{s:O}}", "data", "values", values);
	assert_true(json_equal(sent, expect));
	json_decref(sent);
	json_decref(expect);
	json_decref(values);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_assert_error_body(void **state)
{
	static const struct step script[] = {
	    {400, "{\"status_code\":400,\"type\":\"invalid_request_error\","
	          "\"code\":\"validation_type\",\"message\":\"Body payload "
	          "validation error.\",\"validation_errors\":[{\"code\":"
	          "\"invalid_type\",\"path\":[\"data\",\"values\","
	          "\"email_addresses\",0],\"message\":\"Expected array, "
	          "received string\"}]}"},
	    {400, "{\"status_code\":400,\"type\":\"invalid_request_error\","
	          "\"code\":\"uniqueness_conflict\",\"message\":\"The value "
	          "\\\"x\\\" conflicts with one already in the system.\"}"},
	};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	struct ferry_attio_result res;
	json_t *values = json_pack("{s:s}", "email_addresses", "a@b.com");

	(void)state;
	assert_int_equal(ferry_attio_assert_record(
	                     a, "people", "email_addresses", values, &res),
	                 0);
	assert_int_equal(res.http_status, 400);
	assert_string_equal(res.code, "validation_type");
	assert_string_equal(res.record_id, "");
	assert_string_equal(res.message,
	                    "Body payload validation error.; "
	                    "data.values.email_addresses[0]: Expected array, "
	                    "received string");
	assert_int_equal(ferry_attio_assert_record(
	                     a, "people", "email_addresses", values, &res),
	                 0);
	assert_string_equal(res.code, "uniqueness_conflict");
	assert_non_null(strstr(res.message, "conflicts with one already"));
	/* 4xx is an answer: not retried. */
	assert_int_equal(res.attempts, 1);
	json_decref(values);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_assert_502_html(void **state)
{
	static const struct step script[] = {
	    {502, "<html><head><title>502 Bad Gateway</title></head>"
	          "<body>nginx</body></html>"},
	};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	struct ferry_attio_result res;
	json_t *values = json_pack("{s:s}", "name", "Acme");

	(void)state;
	assert_int_equal(
	    ferry_attio_assert_record(a, "companies", "domains", values, &res),
	    0);
	assert_int_equal(res.http_status, 502);
	assert_int_equal(res.attempts, 2); /* retried, then given back */
	assert_string_equal(res.message, "HTTP 502 from Attio (non-JSON body)");
	assert_string_equal(res.code, "");
	assert_string_equal(res.record_id, "");
	json_decref(values);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_assert_bad_input(void **state)
{
	static const struct step script[] = {{200, "{}"}};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	struct ferry_attio_result res;
	json_t *values = json_pack("{s:s}", "name", "Acme");
	json_t *arr = json_array();

	(void)state;
	assert_int_equal(
	    ferry_attio_assert_record(a, "../admin", "domains", values, &res),
	    FERRY_EINVALID);
	assert_non_null(strstr(res.message, "not a valid Attio object"));
	assert_int_equal(res.http_status, 0);
	assert_int_equal(ferry_attio_assert_record(
	                     a, "people", "email addresses", values, &res),
	                 FERRY_EINVALID);
	assert_int_equal(
	    ferry_attio_assert_record(a, "People", "domains", values, &res),
	    FERRY_EINVALID);
	assert_int_equal(
	    ferry_attio_assert_record(a, "people", "domains", arr, &res),
	    FERRY_EINVALID);
	assert_int_equal(s->count, 0);
	/* 200 without a record id: an answer, but not a written record. */
	assert_int_equal(
	    ferry_attio_assert_record(a, "people", "domains", values, &res), 0);
	assert_int_equal(res.http_status, 200);
	assert_string_equal(res.record_id, "");
	assert_string_equal(res.code, "invalid_response");
	json_decref(arr);
	json_decref(values);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_assert_no_answer(void **state)
{
	struct ferry_attio *a = attio("http://127.0.0.1:1");
	struct ferry_attio_result res;
	json_t *values = json_pack("{s:s}", "name", "Acme");

	(void)state;
	assert_int_equal(
	    ferry_attio_assert_record(a, "people", "domains", values, &res),
	    FERRY_ECONN);
	assert_int_equal(res.http_status, 0);
	assert_non_null(strstr(res.message, "cannot connect to Attio"));
	assert_null(strstr(res.message, TOKEN));
	json_decref(values);
	ferry_attio_free(a);
}

static void test_check(void **state)
{
	static const struct step script[] = {
	    {401, "{\"status_code\":401,\"type\":\"auth_error\",\"code\":"
	          "\"unauthorized\",\"message\":\"Invalid or expired "
	          "token.\"}"},
	    {200, "{\"active\":true,\"scope\":\"record_permission:read-"
	          "write\",\"client_id\":\"c\",\"token_type\":\"Bearer\","
	          "\"exp\":null,\"iat\":1700000000,\"sub\":\"w\",\"aud\":"
	          "\"c\",\"iss\":\"attio.com\",\"workspace_id\":\"w\","
	          "\"workspace_name\":\"Acme Inc\",\"workspace_slug\":"
	          "\"acme\"}"},
	    {200, "{\"active\":false}"},
	    {403, "<html>forbidden</html>"},
	};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	struct ferry_buf name = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_attio_check(a, &name), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "unauthorized"));
	assert_non_null(strstr(ferry_error_last(), "Invalid or expired"));
	assert_no_token();
	assert_string_equal(s->seen[0].method, "GET");
	assert_string_equal(s->seen[0].path, "/v2/self");
	assert_int_equal(ferry_attio_check(a, &name), 0);
	assert_string_equal(name.ptr, "Acme Inc");
	assert_int_equal(ferry_attio_check(a, NULL), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "not active"));
	assert_int_equal(ferry_attio_check(a, NULL), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "HTTP 403"));
	ferry_buf_release(&name);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_query_and_get(void **state)
{
	static const struct step script[] = {
	    {200, "{\"data\":[{\"id\":{\"record_id\":\"r1\"}},"
	          "{\"id\":{\"record_id\":\"r2\"}}]}"},
	    {200, "{\"data\":{\"id\":{\"record_id\":\"" RECORD_ID
	          "\"},\"values\":{}}}"},
	    {404, "{\"status_code\":404,\"type\":\"invalid_request_error\","
	          "\"code\":\"not_found\",\"message\":\"Record with ID "
	          "\\\"x\\\" not found.\"}"},
	    {400, "{\"status_code\":400,\"type\":\"invalid_request_error\","
	          "\"code\":\"filter_error\",\"message\":\"Bad filter\"}"},
	};
	struct server *s = START(script);
	struct ferry_attio *a = attio(s->url);
	json_t *filter = json_pack("{s:s}", "salesforce_id", "001XX");
	json_t *out = NULL, *sent;
	json_error_t jerr;

	(void)state;
	assert_int_equal(
	    ferry_attio_query(&out, a, "companies", filter, 50, 100), 0);
	assert_true(json_is_array(out));
	assert_int_equal(json_array_size(out), 2);
	json_decref(out);
	assert_string_equal(s->seen[0].method, "POST");
	assert_string_equal(s->seen[0].path,
	                    "/v2/objects/companies/records/query");
	sent = json_loads(s->seen[0].body, 0, &jerr);
	assert_non_null(sent);
	assert_true(json_equal(json_object_get(sent, "filter"), filter));
	assert_int_equal(json_integer_value(json_object_get(sent, "limit")),
	                 50);
	assert_int_equal(json_integer_value(json_object_get(sent, "offset")),
	                 100);
	json_decref(sent);

	assert_int_equal(ferry_attio_get_record(&out, a, "people", RECORD_ID),
	                 0);
	assert_string_equal(s->seen[1].method, "GET");
	assert_string_equal(s->seen[1].path,
	                    "/v2/objects/people/records/" RECORD_ID);
	assert_true(json_is_object(out));
	json_decref(out);
	out = NULL;
	assert_int_equal(ferry_attio_get_record(&out, a, "people", RECORD_ID),
	                 FERRY_ENOTFOUND);
	assert_null(out);
	assert_non_null(strstr(ferry_error_last(), "not_found"));
	assert_int_equal(ferry_attio_query(&out, a, "companies", NULL, 10, 0),
	                 FERRY_EHTTP);
	assert_null(out);
	assert_non_null(strstr(ferry_error_last(), "filter_error"));
	assert_int_equal(ferry_attio_query(&out, a, "companies", NULL, 0, 0),
	                 FERRY_EINVALID);
	json_decref(filter);
	ferry_attio_free(a);
	server_stop(s);
}

static void test_new_defaults(void **state)
{
	struct ferry_http_opts o;
	struct ferry_attio *a = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(ferry_attio_new(&a, &o), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "ATTIO_API_TOKEN"));
	assert_null(a);
	o.token = TOKEN; /* default URL, never contacted here */
	assert_int_equal(ferry_attio_new(&a, &o), 0);
	assert_non_null(ferry_attio_http(a));
	ferry_attio_free(a);
	ferry_attio_free(NULL);
}

/* The parsers on their own: odd shapes, truncation and hygiene. */
#define PARSE_ERR(res, status, text)                                           \
	ferry_attio__parse_error(res, status, text, strlen(text))
#define PARSE_ID(out, n, text)                                                 \
	ferry_attio__parse_record_id(out, n, text, strlen(text))

static void test_parsers(void **state)
{
	struct ferry_attio_result res;
	struct ferry_buf big = FERRY_BUF_INIT;
	char id[64];
	size_t i;

	(void)state;
	assert_int_equal(ferry_attio__parse_error(&res, 500, "", 0),
	                 FERRY_EINVALID);
	assert_string_equal(res.message, "HTTP 500 from Attio (empty body)");
	assert_int_equal(PARSE_ERR(&res, 503, "[1,2]"), FERRY_EINVALID);
	assert_string_equal(res.message,
	                    "HTTP 503 from Attio (unexpected JSON body)");
	assert_int_equal(PARSE_ERR(&res, 400, "{\"code\":\"x\"}"), 0);
	assert_string_equal(res.code, "x");
	assert_string_equal(res.message, "HTTP 400 from Attio");
	/* Control characters become spaces: one line per message. */
	assert_int_equal(
	    PARSE_ERR(&res, 400, "{\"message\":\"a\\nb\\u0001c\"}"), 0);
	assert_string_equal(res.message, "a b c");

	/* A long message of 3-byte characters is cut on a boundary. */
	assert_int_equal(ferry_buf_puts(&big, "{\"code\":\""), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(ferry_buf_puts(&big, "c"), 0);
	assert_int_equal(ferry_buf_puts(&big, "\",\"message\":\""), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(ferry_buf_puts(&big, "\xe2\x82\xac"), 0);
	assert_int_equal(ferry_buf_puts(&big, "\"}"), 0);
	assert_int_equal(ferry_attio__parse_error(&res, 400, big.ptr, big.len),
	                 0);
	assert_int_equal(strlen(res.code), sizeof(res.code) - 1);
	assert_true(strlen(res.message) <= sizeof(res.message) - 1);
	assert_int_equal(strlen(res.message) % 3, 0);
	assert_true(ferry_utf8_valid(res.message, strlen(res.message), NULL));
	ferry_buf_release(&big);

	assert_int_equal(
	    PARSE_ID(id, sizeof(id),
	             "{\"data\":{\"id\":{\"record_id\":\"abc\"}}}"),
	    0);
	assert_string_equal(id, "abc");
	assert_int_equal(PARSE_ID(id, sizeof(id), "{}"), FERRY_EINVALID);
	assert_int_equal(
	    PARSE_ID(id, 4, "{\"data\":{\"id\":{\"record_id\":\"abcd\"}}}"),
	    FERRY_EINVALID);
	assert_int_equal(
	    PARSE_ID(id, sizeof(id),
	             "{\"data\":{\"id\":{\"record_id\":\"a/b\"}}}"),
	    FERRY_EINVALID);
	assert_int_equal(ferry_attio__parse_record_id(id, sizeof(id), NULL, 0),
	                 FERRY_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_assert_request_and_record_id),
	    cmocka_unit_test(test_assert_error_body),
	    cmocka_unit_test(test_assert_502_html),
	    cmocka_unit_test(test_assert_bad_input),
	    cmocka_unit_test(test_assert_no_answer),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_query_and_get),
	    cmocka_unit_test(test_new_defaults),
	    cmocka_unit_test(test_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
