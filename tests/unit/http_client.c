/* http_client.c: the HTTP client against a scripted server inside the test
 * (libmicrohttpd on 127.0.0.1, ephemeral port): each test lists the
 * answers the server gives in order (429s with and without Retry-After,
 * 5xx, dropped connections, slow and oversized answers) and checks what
 * the client did: waits, retries, stats, errors and their messages. */
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "helpers.h"
#include "util.h"

#include "ferry/http.h"

#define TOKEN "s3cr3t-T0KEN-do-not-print"

/* ---- the scripted server ---------------------------------------------- */

enum act {
	ACT_RESPOND,
	ACT_DROP,        /* close the connection without an answer */
	ACT_SLOW,        /* sleep `slow_ms`, then answer */
	ACT_BIG_LENGTH,  /* a body over the cap, with Content-Length */
	ACT_BIG_CHUNKED, /* a body over the cap, chunked */
};

struct step {
	enum act act;
	unsigned status;
	const char *retry_after; /* header value, or NULL */
	int date_ahead_s;        /* >0: Retry-After is an HTTP date this far */
	const char *body;
	int slow_ms;
};

struct seen {
	char method[16];
	char path[256];
	char auth[256];
	char ua[64];
	char ctype[64];
	char accept[64];
	char body[512];
	int64_t at_us;
};

#define MAX_SEEN 64

struct server {
	struct MHD_Daemon *d;
	char url[64];
	const struct step *script;
	size_t nsteps;
	pthread_mutex_t mu;
	size_t count;       /* requests answered (or dropped) */
	size_t connections; /* TCP connections accepted */
	struct seen seen[MAX_SEEN];
};

static void copy_header(char *dst, size_t n, struct MHD_Connection *c,
                        const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	snprintf(dst, n, "%s", v ? v : "");
}

static ssize_t big_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	if (pos > FERRY_HTTP_BODY_MAX + 4096)
		return MHD_CONTENT_READER_END_OF_STREAM;
	memset(buf, 'x', max);
	return (ssize_t)max;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct ferry_buf *in = *con_cls;
	struct MHD_Response *r;
	struct step st;
	struct seen *rec = NULL;
	enum MHD_Result ret;
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
	if (n < MAX_SEEN)
		rec = &s->seen[n];
	if (rec) {
		snprintf(rec->method, sizeof(rec->method), "%s", method);
		snprintf(rec->path, sizeof(rec->path), "%s", url);
		copy_header(rec->auth, sizeof(rec->auth), c, "Authorization");
		copy_header(rec->ua, sizeof(rec->ua), c, "User-Agent");
		copy_header(rec->ctype, sizeof(rec->ctype), c, "Content-Type");
		copy_header(rec->accept, sizeof(rec->accept), c, "Accept");
		snprintf(rec->body, sizeof(rec->body), "%s", in->ptr);
		rec->at_us = ferry_clock_mono_us();
	}
	pthread_mutex_unlock(&s->mu);

	switch (st.act) {
	case ACT_DROP:
		return MHD_NO;
	case ACT_SLOW:
		ferry_clock_sleep_us((int64_t)st.slow_ms * 1000);
		break;
	case ACT_BIG_LENGTH:
	case ACT_BIG_CHUNKED:
		r = MHD_create_response_from_callback(
		    st.act == ACT_BIG_LENGTH ? FERRY_HTTP_BODY_MAX + 4096
		                             : MHD_SIZE_UNKNOWN,
		    65536, big_body, NULL, NULL);
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	case ACT_RESPOND:
		break;
	}
	r = MHD_create_response_from_buffer(
	    st.body ? strlen(st.body) : 0,
	    (void *)(uintptr_t)(st.body ? st.body : ""), MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (st.date_ahead_s > 0) {
		char date[64];

		ferry_clock_http_date(time(NULL) + st.date_ahead_s, date,
		                      sizeof(date));
		MHD_add_response_header(r, "Retry-After", date);
	} else if (st.retry_after) {
		MHD_add_response_header(r, "Retry-After", st.retry_after);
	}
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

static void on_connection(void *cls, struct MHD_Connection *c, void **sock,
                          enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;

	(void)c;
	(void)sock;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&s->mu);
		s->connections++;
		pthread_mutex_unlock(&s->mu);
	}
}

/* A TLS server when key and cert (PEM) are given. */
static struct server *server_start_tls(const struct step *script, size_t n,
                                       const char *key, const char *cert)
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
	sin.sin_port = 0;
	if (key)
		s->d = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD |
		        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS,
		    0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sin,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT,
		    cert, MHD_OPTION_END);
	else
		s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
		                            MHD_USE_THREAD_PER_CONNECTION,
		                        0, NULL, NULL, handler, s,
		                        MHD_OPTION_SOCK_ADDR, &sin,
		                        MHD_OPTION_NOTIFY_COMPLETED, completed,
		                        s, MHD_OPTION_NOTIFY_CONNECTION,
		                        on_connection, s, MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u",
	         key ? "https" : "http", (unsigned)info->port);
	return s;
}

static void server_stop(struct server *s)
{
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static size_t server_count(struct server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->count;
	pthread_mutex_unlock(&s->mu);
	return n;
}

#define START(script)                                                          \
	server_start_tls(script, FERRY_ARRAY_LEN(script), NULL, NULL)

/* ---- helpers ------------------------------------------------------------ */

static struct ferry_http *client(const char *url, int max_attempts)
{
	struct ferry_http_opts o;
	struct ferry_http *h = NULL;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.token = TOKEN;
	o.name = "Attio";
	o.max_attempts = max_attempts;
	o.timeout_ms = 5000;
	o.connect_timeout_ms = 2000;
	o.backoff_base_ms = 10;
	o.backoff_max_ms = 50;
	assert_int_equal(ferry_http_new(&h, &o), 0);
	return h;
}

static void assert_no_token(void)
{
	assert_null(strstr(ferry_error_last(), TOKEN));
	assert_null(strstr(ferry_error_last(), "s3cr3t"));
}

static int64_t elapsed_ms(int64_t since_us)
{
	return (ferry_clock_mono_us() - since_us) / 1000;
}

/* ---- tests -------------------------------------------------------------- */

static void test_429_date_then_200(void **state)
{
	/* Two seconds ahead, not one: a date one second ahead can name the
	 * current second by the time the client reads it, if the answer
	 * crosses a second boundary in transit. The client must wait at
	 * least ~1 s either way. */
	static const struct step script[] = {
	    {ACT_RESPOND, 429, NULL, 2,
	     "{\"status_code\":429,\"type\":\"rate_limit_error\","
	     "\"code\":\"rate_limit_exceeded\",\"message\":\"Rate limit "
	     "exceeded, please try again later\"}",
	     0},
	    {ACT_RESPOND, 200, NULL, 0, "{\"data\":{}}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	const struct ferry_http_stats *st;
	int64_t t0 = ferry_clock_mono_us();

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_WRITE, "PUT", "/v2/x", "{}", &r),
	    0);
	assert_true(elapsed_ms(t0) >= 900);
	assert_true(s->seen[1].at_us - s->seen[0].at_us >= 900000);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.ptr, "{\"data\":{}}");
	assert_int_equal(r.attempts, 2);
	st = ferry_http_stats(h);
	assert_int_equal(st->rate_limited, 1);
	assert_int_equal(st->requests, 2);
	assert_int_equal(st->retries, 1);
	assert_int_equal(st->server_errors, 0);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_429_delta_seconds(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 429, "1", 0, "{}", 0},
	    {ACT_RESPOND, 200, NULL, 0, "ok", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	int64_t t0 = ferry_clock_mono_us();

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r), 0);
	assert_true(elapsed_ms(t0) >= 950);
	assert_int_equal(r.status, 200);
	assert_int_equal(ferry_http_stats(h)->rate_limited, 1);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_429_without_retry_after(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 429, NULL, 0, "{}", 0},
	    {ACT_RESPOND, 429, "soon", 0, "{}", 0}, /* invalid value */
	    {ACT_RESPOND, 200, NULL, 0, "ok", 0},
	};
	struct server *s = START(script);
	/* One attempt only: 429s must not use attempts up. */
	struct ferry_http *h = client(s->url, 1);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(ferry_http_stats(h)->rate_limited, 2);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_503_twice_then_200(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 503, NULL, 0, "busy", 0},
	    {ACT_RESPOND, 503, NULL, 0, "busy", 0},
	    {ACT_RESPOND, 200, NULL, 0, "{\"ok\":true}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	const struct ferry_http_stats *st;

	(void)state;
	assert_int_equal(ferry_http_request(h, FERRY_HTTP_WRITE, "POST", "/p",
	                                    "{\"a\":1}", &r),
	                 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	st = ferry_http_stats(h);
	assert_int_equal(st->server_errors, 2);
	assert_int_equal(st->retries, 2);
	assert_int_equal(st->requests, 3);
	/* The body was sent again on every attempt. */
	assert_string_equal(s->seen[2].body, "{\"a\":1}");
	assert_string_equal(s->seen[2].method, "POST");
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_permanent_500(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 500, NULL, 0, "{\"error\":\"boom\"}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 4);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r), 0);
	assert_int_equal(r.status, 500);
	assert_int_equal(r.attempts, 4);
	assert_string_equal(r.body.ptr, "{\"error\":\"boom\"}");
	assert_int_equal(server_count(s), 4);
	assert_int_equal(ferry_http_stats(h)->server_errors, 4);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_dropped_then_200(void **state)
{
	static const struct step script[] = {
	    {ACT_DROP, 0, NULL, 0, NULL, 0},
	    {ACT_RESPOND, 200, NULL, 0, "ok", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(ferry_http_stats(h)->transport_errors, 1);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_always_dropped(void **state)
{
	static const struct step script[] = {
	    {ACT_DROP, 0, NULL, 0, NULL, 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ECONN);
	assert_int_equal(r.status, 0);
	assert_int_equal(server_count(s), 3);
	assert_non_null(strstr(ferry_error_last(), s->url));
	assert_non_null(strstr(ferry_error_last(), "Attio"));
	assert_no_token();
	ferry_http_free(h);
	server_stop(s);
}

static void test_timeout_then_200_and_permanent(void **state)
{
	static const struct step script[] = {
	    {ACT_SLOW, 200, NULL, 0, "late", 1500},
	    {ACT_RESPOND, 200, NULL, 0, "ok", 0},
	    {ACT_SLOW, 200, NULL, 0, "late", 1500},
	};
	struct server *s = START(script);
	struct ferry_http_opts o;
	struct ferry_http *h = NULL;
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.base_url = s->url;
	o.token = TOKEN;
	o.name = "Attio";
	o.max_attempts = 2;
	o.timeout_ms = 300;
	o.backoff_base_ms = 10;
	o.backoff_max_ms = 20;
	assert_int_equal(ferry_http_new(&h, &o), 0);
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body.ptr, "ok");
	assert_int_equal(ferry_http_stats(h)->transport_errors, 1);
	/* From now on every answer is late. */
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ETIMEOUT);
	assert_non_null(strstr(ferry_error_last(), "did not answer"));
	assert_no_token();
	/* The earlier response is untouched by the failed call. */
	assert_string_equal(r.body.ptr, "ok");
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_permanent_429(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 429, "0", 0, "{}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_WRITE, "PUT", "/a", "{}", &r),
	    FERRY_ERATELIMIT);
	assert_non_null(strstr(ferry_error_last(), "kept answering 429"));
	assert_non_null(strstr(ferry_error_last(), "retry later"));
	assert_no_token();
	assert_int_equal(server_count(s), 21);
	assert_int_equal(ferry_http_stats(h)->rate_limited, 21);
	ferry_http_free(h);
	server_stop(s);
}

static void test_long_retry_after_ends(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 429, "3600", 0, "{}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ERATELIMIT);
	assert_non_null(strstr(ferry_error_last(), "3600 s"));
	assert_int_equal(server_count(s), 1);
	ferry_http_free(h);
	server_stop(s);
}

static void test_connection_refused(void **state)
{
	struct ferry_http *h = client("http://127.0.0.1:1", 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/v2/self", NULL, &r),
	    FERRY_ECONN);
	assert_non_null(
	    strstr(ferry_error_last(),
	           "cannot connect to Attio at http://127.0.0.1:1"));
	assert_non_null(strstr(ferry_error_last(), "Connection refused"));
	assert_non_null(strstr(ferry_error_last(), "destination.base_url"));
	assert_no_token();
	/* Refused is not retried. */
	assert_int_equal(ferry_http_stats(h)->requests, 1);
	ferry_http_free(h);
}

static void test_headers_and_methods(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 200, NULL, 0, "{}", 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	int i;

	(void)state;
	assert_int_equal(ferry_http_request(h, FERRY_HTTP_WRITE, "PUT",
	                                    "/v2/objects/people/records",
	                                    "{\"data\":{}}", &r),
	                 0);
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/g", NULL, &r), 0);
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_WRITE, "DELETE", "/d", NULL, &r),
	    0);
	assert_int_equal(ferry_http_request(h, FERRY_HTTP_READ, "POST", "/q",
	                                    "{\"limit\":1}", &r),
	                 0);
	assert_string_equal(s->seen[0].method, "PUT");
	assert_string_equal(s->seen[0].path, "/v2/objects/people/records");
	assert_string_equal(s->seen[0].body, "{\"data\":{}}");
	assert_string_equal(s->seen[1].method, "GET");
	assert_string_equal(s->seen[1].body, "");
	assert_string_equal(s->seen[2].method, "DELETE");
	assert_string_equal(s->seen[3].method, "POST");
	assert_string_equal(s->seen[3].body, "{\"limit\":1}");
	for (i = 0; i < 4; i++) {
		assert_string_equal(s->seen[i].auth, "Bearer " TOKEN);
		assert_string_equal(s->seen[i].ctype, "application/json");
		assert_string_equal(s->seen[i].accept, "application/json");
		assert_string_equal(s->seen[i].ua, "ferry/" FERRY_VERSION);
	}
	/* One keep-alive connection for all four. */
	assert_int_equal(s->connections, 1);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

/* request_ex: its own content type, Accept and extra headers, a request
 * without the token, the answer's headers, whole URLs only on the base
 * URL's origin, a switched token and base URL, and no retry when asked. */
static void test_request_ex(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 200, "7", 0, "a,b\n", 0},
	    {ACT_RESPOND, 200, NULL, 0, "{}", 0},
	    {ACT_RESPOND, 200, NULL, 0, "{}", 0},
	    {ACT_RESPOND, 503, NULL, 0, "{}", 0},
	};
	static const char *const extra[] = {"Sforce-Call-Options: client=x",
	                                    NULL};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	char v[64], *abs_url;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.content_type = "application/x-www-form-urlencoded";
	req.accept = "text/csv";
	req.body = "a=1&b=2";
	req.no_auth = true;
	req.headers = extra;
	assert_int_equal(ferry_http_request_ex(h, FERRY_HTTP_READ, "POST",
	                                       "/token", &req, &r),
	                 0);
	assert_string_equal(s->seen[0].ctype,
	                    "application/x-www-form-urlencoded");
	assert_string_equal(s->seen[0].accept, "text/csv");
	assert_string_equal(s->seen[0].auth, "");
	assert_string_equal(s->seen[0].body, "a=1&b=2");
	assert_string_equal(r.body.ptr, "a,b\n");
	assert_int_equal(ferry_http_response_header(&r, "retry-after", v,
	                                            sizeof(v)),
	                 0);
	assert_string_equal(v, "7");
	assert_int_equal(ferry_http_response_header(&r, "Content-Type", v,
	                                            sizeof(v)),
	                 0);
	assert_string_equal(v, "application/json");
	assert_int_equal(ferry_http_response_header(&r, "Content-Type", v, 4),
	                 FERRY_ETOOBIG);
	assert_int_equal(
	    ferry_http_response_header(&r, "Sforce-Locator", v, sizeof(v)),
	    FERRY_ENOTFOUND);

	/* A new token and the same origin as a whole URL. */
	assert_int_equal(ferry_http_set_auth(h, "t2", NULL), 0);
	abs_url = ferry_xasprintf("%s/services/data/v66.0/query/01g-2000",
	                          s->url);
	assert_int_equal(ferry_http_request_ex(h, FERRY_HTTP_READ, "GET",
	                                       abs_url, NULL, &r),
	                 0);
	assert_string_equal(s->seen[1].auth, "Bearer t2");
	assert_string_equal(s->seen[1].path,
	                    "/services/data/v66.0/query/01g-2000");
	free(abs_url);
	/* Another origin is refused before anything is sent. */
	assert_int_equal(ferry_http_request_ex(h, FERRY_HTTP_READ, "GET",
	                                       "http://127.0.0.2:1/x", NULL,
	                                       &r),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_http_set_auth(h, NULL, "ftp://x"),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_http_set_auth(h, "a\nb", NULL), FERRY_EINVALID);
	abs_url = ferry_xasprintf("%s/", s->url);
	assert_int_equal(ferry_http_set_auth(h, NULL, abs_url), 0);
	assert_string_equal(ferry_http_base_url(h), s->url);
	free(abs_url);
	assert_int_equal(
	    ferry_http_request_ex(h, FERRY_HTTP_READ, "GET", "/p", NULL, &r),
	    0);
	/* no_retry: a 503 is the answer at once. */
	memset(&req, 0, sizeof(req));
	req.no_retry = true;
	assert_int_equal(
	    ferry_http_request_ex(h, FERRY_HTTP_READ, "GET", "/p", &req, &r),
	    0);
	assert_int_equal(r.status, 503);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(server_count(s), 4);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_write_limiter(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 200, NULL, 0, "{}", 0},
	};
	struct server *s = START(script);
	struct ferry_http_opts o;
	struct ferry_http *h = NULL;
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	int64_t t0;
	int i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.base_url = s->url;
	o.token = TOKEN;
	o.name = "Attio";
	o.write_rate = 10;
	o.read_rate = 0; /* unlimited */
	assert_int_equal(ferry_http_new(&h, &o), 0);
	t0 = ferry_clock_mono_us();
	for (i = 0; i < 30; i++)
		assert_int_equal(ferry_http_request(h, FERRY_HTTP_WRITE, "PUT",
		                                    "/w", "{}", &r),
		                 0);
	/* 10 at 0 s, 10 at 1 s, 10 at 2 s: a lower bound only. */
	assert_true(elapsed_ms(t0) >= 1950);
	/* No window of one second held more than 10 writes (as the server
	 * saw them, give or take the latency of the loopback). */
	for (i = 10; i < 30; i++)
		assert_true(s->seen[i].at_us - s->seen[i - 10].at_us >= 900000);
	assert_int_equal(s->connections, 1);
	ferry_http_response_release(&r);
	ferry_http_free(h);
	server_stop(s);
}

static void test_too_big(void **state)
{
	static const struct step script[] = {
	    {ACT_BIG_LENGTH, 200, NULL, 0, NULL, 0},
	    {ACT_BIG_CHUNKED, 200, NULL, 0, NULL, 0},
	};
	struct server *s = START(script);
	struct ferry_http *h = client(s->url, 3);
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;

	(void)state;
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ETOOBIG);
	assert_non_null(strstr(ferry_error_last(), "larger than"));
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/b", NULL, &r),
	    FERRY_ETOOBIG);
	assert_non_null(strstr(ferry_error_last(), "larger than"));
	assert_no_token();
	assert_int_equal(server_count(s), 2); /* not retried */
	ferry_http_free(h);
	server_stop(s);
}

/* A self-signed certificate must fail verification, with a message that
 * says so; and a plain-HTTP server behind https:// is a handshake error. */
static void test_tls_failures(void **state)
{
	static const struct step script[] = {
	    {ACT_RESPOND, 200, NULL, 0, "{}", 0},
	};
	struct ferry_buf key = FERRY_BUF_INIT, cert = FERRY_BUF_INIT;
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	struct server *s;
	struct ferry_http *h;
	char *dir = test_tmpdir("http-tls"), *cmd, *path, url[80];

	(void)state;
	cmd = ferry_xasprintf(
	    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 "
	    "-subj /CN=127.0.0.1 -keyout '%s/key.pem' -out '%s/cert.pem' "
	    ">/dev/null 2>&1",
	    dir, dir);
	if (system(cmd) != 0) {
		free(cmd);
		free(dir);
		skip();
	}
	free(cmd);
	path = ferry_xasprintf("%s/key.pem", dir);
	assert_int_equal(test_read_file(&key, path), 0);
	free(path);
	path = ferry_xasprintf("%s/cert.pem", dir);
	assert_int_equal(test_read_file(&cert, path), 0);
	free(path);

	s = server_start_tls(script, 1, key.ptr, cert.ptr);
	h = client(s->url, 3);
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ECONN);
	assert_non_null(
	    strstr(ferry_error_last(), "TLS certificate verification"));
	assert_non_null(strstr(ferry_error_last(), s->url));
	assert_non_null(strstr(ferry_error_last(), "never disables"));
	assert_no_token();
	assert_int_equal(server_count(s), 0);
	ferry_http_free(h);
	server_stop(s);

	s = START(script);
	snprintf(url, sizeof(url), "https://%s", s->url + strlen("http://"));
	h = client(url, 3);
	assert_int_equal(
	    ferry_http_request(h, FERRY_HTTP_READ, "GET", "/a", NULL, &r),
	    FERRY_ECONN);
	assert_non_null(strstr(ferry_error_last(), "TLS"));
	assert_no_token();
	ferry_http_free(h);
	server_stop(s);

	ferry_buf_release(&key);
	ferry_buf_release(&cert);
	free(dir);
}

static void test_bad_options(void **state)
{
	struct ferry_http_opts o;
	struct ferry_http *h = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.base_url = "ftp://example.com";
	o.token = TOKEN;
	assert_int_equal(ferry_http_new(&h, &o), FERRY_ECONFIG);
	assert_null(h);
	o.base_url = "http://127.0.0.1:1/";
	o.token = "abc\r\nX-Evil: 1";
	assert_int_equal(ferry_http_new(&h, &o), FERRY_ECONFIG);
	assert_null(strstr(ferry_error_last(), "abc"));
	assert_null(h);
	ferry_http_free(NULL);
	ferry_http_response_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_429_date_then_200),
	    cmocka_unit_test(test_429_delta_seconds),
	    cmocka_unit_test(test_429_without_retry_after),
	    cmocka_unit_test(test_503_twice_then_200),
	    cmocka_unit_test(test_permanent_500),
	    cmocka_unit_test(test_dropped_then_200),
	    cmocka_unit_test(test_always_dropped),
	    cmocka_unit_test(test_timeout_then_200_and_permanent),
	    cmocka_unit_test(test_permanent_429),
	    cmocka_unit_test(test_long_retry_after_ends),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_headers_and_methods),
	    cmocka_unit_test(test_request_ex),
	    cmocka_unit_test(test_write_limiter),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_tls_failures),
	    cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
