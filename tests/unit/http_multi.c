/* http_multi.c: the multi handle against a fake server inside the test
 * (libmicrohttpd on 127.0.0.1, one thread per connection so that slow
 * answers do not queue behind each other). Each test gives the server a
 * rule that answers request /r/<id> by its id and attempt (a delay, a
 * 429, a 5xx, a dropped connection, a 400), and the server records when
 * each request arrived: the rate and the 429 pause are checked from the
 * server's own clock, not the client's. FERRY_MULTI_ONCE is checked
 * against `ferry-sandbox attio`, whose counts say how many times each
 * create reached it. */
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

#include "helpers.h"
#include "util.h"

#include "ferry/http.h"
#include "ferry/multi.h"

#define TOKEN   "s3cr3t-T0KEN-do-not-print"
#define MAX_IDS 512
#define MAX_LOG 2048

/* ---- the fake server ----------------------------------------------------- */

struct answer {
	unsigned status;
	int delay_ms;
	bool drop;               /* close the connection without an answer */
	bool cut;                /* close it in the middle of the body */
	const char *retry_after; /* header value, or NULL */
	int date_ahead_s;        /* > 0: Retry-After is an HTTP date */
	char body[128];          /* "": {"id":<id>} */
};

struct server;
typedef void (*rule_fn)(const struct server *s, unsigned id, int attempt,
                        size_t nth, struct answer *a);

struct server {
	struct MHD_Daemon *d;
	char url[64];
	rule_fn rule;
	int delay_ms; /* for rules that want one */
	pthread_mutex_t mu;
	size_t count; /* requests seen */
	int attempts[MAX_IDS];
	int64_t at_us[MAX_LOG];  /* arrival of the nth request */
	unsigned id_of[MAX_LOG]; /* its id */
	int active, max_active;  /* requests inside the handler */
	/* rule_window: a strict sliding second of `win_limit` requests,
	 * counted when the rule runs, as Attio and the sandbox count. */
	int64_t win[128];
	int nwin, win_limit, n429;
	char auth[256], ua[64], method[16], body[64];
};

struct conn {
	struct ferry_buf in;
	int64_t at_us; /* when the request's headers arrived */
};

/* Ten bytes of a promised hundred, then the connection closes. */
static ssize_t cut_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	if (pos > 0 || max < 10)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	memset(buf, 'x', 10);
	return 10;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct conn *in = *con_cls;
	struct answer a;
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *v;
	uint64_t id = 0;
	size_t nth;

	(void)version;
	if (!in) {
		in = ferry_xcalloc(1, sizeof(*in));
		ferry_buf_init(&in->in, 1 << 16);
		in->at_us = ferry_clock_mono_us();
		*con_cls = in;
		return MHD_YES;
	}
	if (*upload_size) {
		if (ferry_buf_put(&in->in, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (strncmp(url, "/r/", 3) != 0 || ferry_parse_u64(url + 3, &id) < 0 ||
	    id >= MAX_IDS)
		id = MAX_IDS - 1;

	memset(&a, 0, sizeof(a));
	a.status = 200;
	pthread_mutex_lock(&s->mu);
	nth = s->count++;
	if (nth < MAX_LOG) {
		s->at_us[nth] = in->at_us;
		s->id_of[nth] = (unsigned)id;
	}
	if (nth == 0) {
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                "Authorization");
		snprintf(s->auth, sizeof(s->auth), "%s", v ? v : "");
		v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                "User-Agent");
		snprintf(s->ua, sizeof(s->ua), "%s", v ? v : "");
		snprintf(s->method, sizeof(s->method), "%s", method);
		snprintf(s->body, sizeof(s->body), "%s", in->in.ptr);
	}
	s->rule(s, (unsigned)id, ++s->attempts[id], nth, &a);
	if (++s->active > s->max_active)
		s->max_active = s->active;
	pthread_mutex_unlock(&s->mu);

	if (a.delay_ms > 0)
		ferry_clock_sleep_us((int64_t)a.delay_ms * 1000);
	pthread_mutex_lock(&s->mu);
	s->active--;
	pthread_mutex_unlock(&s->mu);
	if (a.drop)
		return MHD_NO;
	if (a.cut) {
		r = MHD_create_response_from_callback(100, 64, cut_body, NULL,
		                                      NULL);
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!a.body[0])
		snprintf(a.body, sizeof(a.body), "{\"id\":%u}", (unsigned)id);
	r = MHD_create_response_from_buffer(strlen(a.body), a.body,
	                                    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (a.date_ahead_s > 0) {
		char date[64];

		ferry_clock_http_date(time(NULL) + a.date_ahead_s, date,
		                      sizeof(date));
		MHD_add_response_header(r, "Retry-After", date);
	} else if (a.retry_after) {
		MHD_add_response_header(r, "Retry-After", a.retry_after);
	}
	ret = MHD_queue_response(c, a.status, r);
	MHD_destroy_response(r);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct conn *in = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (in) {
		ferry_buf_release(&in->in);
		free(in);
		*con_cls = NULL;
	}
}

static struct server *server_start(rule_fn rule, int delay_ms)
{
	struct server *s = ferry_xcalloc(1, sizeof(*s));
	struct sockaddr_in sin;
	const union MHD_DaemonInfo *info;

	s->rule = rule;
	s->delay_ms = delay_ms;
	pthread_mutex_init(&s->mu, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	        MHD_USE_POLL,
	    0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &sin,
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

/* ---- the client side ----------------------------------------------------- */

struct results {
	int calls[MAX_IDS];
	int error[MAX_IDS];
	long status[MAX_IDS];
	int attempts[MAX_IDS];
	char body[MAX_IDS][64];
	char message[MAX_IDS][512];
	int order[MAX_IDS]; /* ids in callback order */
	int n;
	int stop_after; /* > 0: return -42 from this callback on */
};

static int on_done(const struct ferry_multi_done *d, void *payload)
{
	struct results *res = payload;
	unsigned id = (unsigned)(uintptr_t)d->tag;

	assert_true(id < MAX_IDS);
	res->calls[id]++;
	res->error[id] = d->error;
	res->attempts[id] = d->attempts;
	if (d->error == 0) {
		assert_non_null(d->resp);
		res->status[id] = d->resp->status;
		snprintf(res->body[id], sizeof(res->body[id]), "%s",
		         d->resp->body.ptr);
	} else {
		assert_null(d->resp);
		assert_non_null(d->message);
		snprintf(res->message[id], sizeof(res->message[id]), "%s",
		         d->message);
		assert_null(strstr(d->message, TOKEN));
		assert_null(strstr(d->message, "s3cr3t"));
	}
	res->order[res->n++] = (int)id;
	if (res->stop_after > 0 && res->n >= res->stop_after)
		return -42;
	return 0;
}

static struct ferry_http_opts http_opts(const char *url)
{
	struct ferry_http_opts o;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.token = TOKEN;
	o.name = "Attio";
	o.max_attempts = 4;
	o.timeout_ms = 5000;
	o.connect_timeout_ms = 2000;
	o.backoff_base_ms = 10;
	o.backoff_max_ms = 50;
	return o;
}

static struct ferry_multi *multi(const struct ferry_http_opts *ho,
                                 int max_in_flight)
{
	struct ferry_multi_opts o;
	struct ferry_multi *m = NULL;

	o.http = ho;
	o.max_in_flight = max_in_flight;
	assert_int_equal(ferry_multi_new(&m, &o), 0);
	return m;
}

static void add_n(struct ferry_multi *m, unsigned from, unsigned n,
                  bool reads_too)
{
	unsigned i;
	char path[32];

	for (i = from; i < from + n; i++) {
		snprintf(path, sizeof(path), "/r/%u", i);
		if (reads_too && i % 3 == 2)
			assert_int_equal(ferry_multi_add(m, FERRY_HTTP_READ,
			                                 "GET", path, NULL,
			                                 (void *)(uintptr_t)i),
			                 0);
		else
			assert_int_equal(ferry_multi_add(m, FERRY_HTTP_WRITE,
			                                 "PUT", path, "{}",
			                                 (void *)(uintptr_t)i),
			                 0);
	}
}

/* Runs until nothing is pending (at most `limit_s`). */
static void run_all(struct ferry_multi *m, struct results *res, int limit_s)
{
	int64_t t0 = ferry_clock_mono_us();
	int n;

	while ((n = ferry_multi_run(m, 500, on_done, res)) > 0)
		assert_true(ferry_clock_mono_us() - t0 <
		            (int64_t)limit_s * 1000000);
	assert_int_equal(n, 0);
	assert_int_equal(ferry_multi_pending(m), 0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- rules --------------------------------------------------------------- */

static void rule_slow(const struct server *s, unsigned id, int attempt,
                      size_t nth, struct answer *a)
{
	(void)id;
	(void)attempt;
	(void)nth;
	a->delay_ms = s->delay_ms;
}

/* The 21st request to arrive gets a 429 (Retry-After: 1). */
static void rule_429_delta(const struct server *s, unsigned id, int attempt,
                           size_t nth, struct answer *a)
{
	(void)id;
	(void)attempt;
	a->delay_ms = s->delay_ms;
	if (nth == 20) {
		a->status = 429;
		a->delay_ms = 0;
		a->retry_after = "1";
		snprintf(a->body, sizeof(a->body), "{\"code\":\"rate_limit\"}");
	}
}

/* The same with Attio's form: an HTTP date, two seconds ahead (one
 * second ahead can name the current second by the time it is read). */
static void rule_429_date(const struct server *s, unsigned id, int attempt,
                          size_t nth, struct answer *a)
{
	rule_429_delta(s, id, attempt, nth, a);
	if (nth == 20) {
		a->retry_after = NULL;
		a->date_ahead_s = 2;
	}
}

/* By id % 10: 0, 1: a 503 first (20%); 2: dropped unanswered twice;
 * 3: 400; 4: cut in the middle of the answer once. */
static void rule_mixed(const struct server *s, unsigned id, int attempt,
                       size_t nth, struct answer *a)
{
	(void)s;
	(void)nth;
	a->delay_ms = 5;
	switch (id % 10) {
	case 0:
	case 1:
		if (attempt == 1) {
			a->status = 503;
			snprintf(a->body, sizeof(a->body), "busy");
		}
		break;
	case 2:
		a->drop = attempt <= 2;
		break;
	case 4:
		a->cut = attempt == 1;
		break;
	case 3:
		a->status = 400;
		snprintf(a->body, sizeof(a->body),
		         "{\"code\":\"validation_type\",\"id\":%u}", id);
		break;
	default:
		break;
	}
}

static void rule_502(const struct server *s, unsigned id, int attempt,
                     size_t nth, struct answer *a)
{
	(void)s;
	(void)id;
	(void)attempt;
	(void)nth;
	a->status = 502;
	snprintf(a->body, sizeof(a->body), "{\"error\":\"gateway\"}");
}

/* Request 0 is always too slow; the others are quick. */
static void rule_timeout(const struct server *s, unsigned id, int attempt,
                         size_t nth, struct answer *a)
{
	(void)s;
	(void)attempt;
	(void)nth;
	if (id == 0)
		a->delay_ms = 700;
}

static void rule_drop(const struct server *s, unsigned id, int attempt,
                      size_t nth, struct answer *a)
{
	(void)s;
	(void)id;
	(void)attempt;
	(void)nth;
	a->drop = true;
}

/* At most win_limit requests in any second of the server's clock, else
 * 429 with Retry-After: 1; each answered after 0..19 ms. */
static void rule_window(const struct server *cs, unsigned id, int attempt,
                        size_t nth, struct answer *a)
{
	struct server *s = (struct server *)(uintptr_t)cs; /* under its lock */
	int64_t now = ferry_clock_mono_us();
	int i, keep = 0;

	(void)attempt;
	(void)nth;
	for (i = 0; i < s->nwin; i++)
		if (s->win[i] > now - 1000000)
			s->win[keep++] = s->win[i];
	s->nwin = keep;
	if (s->nwin >= s->win_limit || s->nwin >= 128) {
		s->n429++;
		a->status = 429;
		a->retry_after = "1";
		return;
	}
	s->win[s->nwin++] = now;
	a->delay_ms = (int)(id * 7 % 20);
}

static void rule_429_hour(const struct server *s, unsigned id, int attempt,
                          size_t nth, struct answer *a)
{
	(void)s;
	(void)id;
	(void)attempt;
	(void)nth;
	a->status = 429;
	a->retry_after = "3600";
}

/* ---- tests --------------------------------------------------------------- */

/* (a) 200 writes at 100/s against 50 ms of latency: the window opens
 * past one transfer (one at a time would take 10 s), no second of the
 * server's clock sees more than 100, answers reach the right request, and
 * waiting for the limiter costs no CPU. */
static void test_rate_and_window(void **state)
{
	struct server *s = server_start(rule_slow, 50);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;
	const struct ferry_http_stats *st;
	int64_t t0, elapsed, cpu0, cpu, sorted[200], gap = INT64_MAX;
	int target = 0;
	unsigned i;
	char want[32];

	(void)state;
	ho.write_rate = 100;
	ho.read_rate = 100;
	m = multi(&ho, 64);
	ferry_multi_in_flight(m, &target);
	assert_int_equal(target, 4); /* before any latency is known */
	add_n(m, 0, 200, false);
	assert_int_equal(ferry_multi_pending(m), 200);
	t0 = ferry_clock_mono_us();
	cpu0 = cpu_us();
	run_all(m, res, 10);
	elapsed = ferry_clock_mono_us() - t0;
	cpu = cpu_us() - cpu0;
	print_message("200 writes at 100/s, 50 ms latency: %.2f s, client "
	              "CPU %.1f%%, server saw %d at once\n",
	              (double)elapsed / 1e6,
	              100.0 * (double)cpu / (double)elapsed, s->max_active);
	/* The second hundred cannot start before the first leaves the
	 * window; one at a time would take 10 s. */
	assert_true(elapsed >= 1000000);
	assert_true(elapsed < 4000000);
	assert_true(s->max_active > 1);
	assert_true(cpu < elapsed / 4);
	assert_int_equal(s->count, 200);
	for (i = 0; i < 200; i++)
		sorted[i] = s->at_us[i];
	qsort(sorted, 200, sizeof(sorted[0]), cmp_i64);
	/* The client's window is 1.02 s; the server's clock reads when
	 * its thread gets to a request, which a busy machine delays. */
	for (i = 100; i < 200; i++)
		if (sorted[i] - sorted[i - 100] < gap)
			gap = sorted[i] - sorted[i - 100];
	print_message("shortest span of 101 arrivals: %.3f s\n",
	              (double)gap / 1e6);
	assert_true(gap >= 900000);
	for (i = 0; i < 200; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->status[i], 200);
		assert_int_equal(res->attempts[i], 1);
		snprintf(want, sizeof(want), "{\"id\":%u}", i);
		assert_string_equal(res->body[i], want);
	}
	/* ceil(100/s × ~50 ms × 1.25) + 2 = 9, give or take the latency. */
	ferry_multi_in_flight(m, &target);
	assert_true(target >= 7 && target <= 14);
	st = ferry_multi_stats(m);
	assert_int_equal(st->requests, 200);
	assert_int_equal(st->retries, 0);
	assert_string_equal(s->auth, "Bearer " TOKEN);
	assert_string_equal(s->ua, "ferry/" FERRY_VERSION);
	assert_string_equal(s->method, "PUT");
	assert_string_equal(s->body, "{}");
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* (b) One 429 holds every request, reads and writes, for its
 * Retry-After; then they all go on and the 429'd one is sent again. */
static void check_429_pause(rule_fn rule, int64_t min_gap_us)
{
	struct server *s = server_start(rule, 20);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;
	int64_t t429 = 0, first_after = INT64_MAX, at;
	unsigned i, id429;
	size_t n;

	ho.max_attempts = 1; /* a 429 must not use attempts up */
	m = multi(&ho, 8);
	add_n(m, 0, 60, true);
	run_all(m, res, 10);
	n = s->count;
	assert_int_equal(n, 61);
	t429 = s->at_us[20];
	id429 = s->id_of[20];
	for (i = 0; i < n; i++) {
		at = s->at_us[i];
		/* Sent before the client read the 429, or after the pause. */
		assert_true(at <= t429 + 200000 || at >= t429 + min_gap_us);
		if (at > t429 + 200000 && at < first_after)
			first_after = at;
	}
	assert_true(first_after != INT64_MAX);
	for (i = 0; i < 60; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->error[i], 0);
		assert_int_equal(res->status[i], 200);
		assert_int_equal(res->attempts[i], i == id429 ? 2 : 1);
	}
	assert_int_equal(ferry_multi_stats(m)->rate_limited, 1);
	assert_int_equal(ferry_multi_stats(m)->requests, 61);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

static void test_429_delta_seconds(void **state)
{
	(void)state;
	check_429_pause(rule_429_delta, 950000);
}

static void test_429_http_date(void **state)
{
	(void)state;
	check_429_pause(rule_429_date, 900000);
}

/* (c) 5xx at 20%, dropped connections and answers cut short are
 * retried; every request ends exactly once; a 400 comes back at once
 * with its body. */
static void test_retries_and_4xx(void **state)
{
	struct server *s = server_start(rule_mixed, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;
	const struct ferry_http_stats *st;
	unsigned i;
	char want[64];

	(void)state;
	m = multi(&ho, 16);
	add_n(m, 0, 100, true);
	run_all(m, res, 10);
	for (i = 0; i < 100; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->error[i], 0);
		if (i % 10 == 3) {
			assert_int_equal(res->status[i], 400);
			snprintf(want, sizeof(want),
			         "{\"code\":\"validation_type\",\"id\":%u}", i);
			assert_string_equal(res->body[i], want);
			assert_int_equal(res->attempts[i], 1);
			assert_int_equal(s->attempts[i], 1);
		} else {
			assert_int_equal(res->status[i], 200);
		}
		if (i % 10 <= 1 || i % 10 == 4)
			assert_int_equal(res->attempts[i], 2);
		/* libcurl itself resends once when a reused connection
		 * dies unanswered: 2 or 3 attempts of ours. */
		if (i % 10 == 2)
			assert_int_equal(s->attempts[i], 3);
	}
	assert_int_equal(res->n, 100);
	st = ferry_multi_stats(m);
	assert_int_equal(st->server_errors, 20);
	/* The cut answers, and the drops libcurl did not resend itself. */
	assert_true(st->transport_errors >= 10 && st->transport_errors <= 30);
	assert_int_equal(st->retries, st->requests - 100);
	assert_int_equal(st->rate_limited, 0);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* (d) A 5xx on every attempt: the last one is the answer. */
static void test_attempts_exhausted(void **state)
{
	struct server *s = server_start(rule_502, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;

	(void)state;
	ho.max_attempts = 3;
	m = multi(&ho, 4);
	add_n(m, 0, 2, false);
	run_all(m, res, 5);
	assert_int_equal(res->error[0], 0);
	assert_int_equal(res->status[0], 502);
	assert_int_equal(res->attempts[0], 3);
	assert_string_equal(res->body[0], "{\"error\":\"gateway\"}");
	assert_int_equal(s->count, 6);
	assert_int_equal(ferry_multi_stats(m)->server_errors, 6);
	assert_int_equal(ferry_multi_stats(m)->retries, 4);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* Timeouts are retried, then end as FERRY_ETIMEOUT, while the other
 * transfers go on; a connection that always drops ends as FERRY_ECONN. */
static void test_timeout_and_drops(void **state)
{
	struct server *s = server_start(rule_timeout, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;

	(void)state;
	ho.max_attempts = 2;
	ho.timeout_ms = 200;
	m = multi(&ho, 4);
	add_n(m, 0, 6, false);
	run_all(m, res, 5);
	assert_int_equal(res->error[0], FERRY_ETIMEOUT);
	assert_int_equal(res->attempts[0], 2);
	assert_non_null(strstr(res->message[0], "did not answer"));
	assert_non_null(strstr(res->message[0], s->url));
	assert_int_equal(res->order[5], 0); /* the others did not wait */
	assert_int_equal(ferry_multi_stats(m)->transport_errors, 2);
	ferry_multi_free(m);
	server_stop(s);

	memset(res, 0, sizeof(*res));
	s = server_start(rule_drop, 0);
	ho = http_opts(s->url);
	ho.max_attempts = 2;
	m = multi(&ho, 4);
	add_n(m, 0, 1, false);
	run_all(m, res, 5);
	assert_int_equal(res->error[0], FERRY_ECONN);
	assert_non_null(strstr(res->message[0], "broke"));
	assert_non_null(strstr(res->message[0], s->url));
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* (e) Connection refused: FERRY_ECONN naming the URL and the setting. */
static void test_connection_refused(void **state)
{
	struct ferry_http_opts ho = http_opts("http://127.0.0.1:1");
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;

	(void)state;
	m = multi(&ho, 4);
	add_n(m, 0, 3, false);
	run_all(m, res, 5);
	assert_int_equal(res->error[1], FERRY_ECONN);
	assert_non_null(strstr(
	    res->message[1], "cannot connect to Attio at http://127.0.0.1:1"));
	assert_non_null(strstr(res->message[1], "Connection refused"));
	assert_non_null(strstr(res->message[1], "destination.base_url"));
	assert_int_equal(res->attempts[1], 1); /* refused is not retried */
	assert_int_equal(res->n, 3);
	ferry_multi_free(m);
	free(res);
}

/* (f) A callback's negative value stops the run; the rest stay pending
 * and finish on the next run, each exactly once. */
static void test_callback_stops(void **state)
{
	struct server *s = server_start(rule_slow, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;
	unsigned i;
	int rc;

	(void)state;
	m = multi(&ho, 2);
	add_n(m, 0, 10, false);
	res->stop_after = 3;
	while ((rc = ferry_multi_run(m, 500, on_done, res)) > 0)
		;
	assert_int_equal(rc, -42);
	assert_int_equal(res->n, 3);
	assert_int_equal(ferry_multi_pending(m), 7);
	res->stop_after = 0;
	run_all(m, res, 5);
	assert_int_equal(res->n, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(res->calls[i], 1);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* (h) Someone else wrote just before (three writes 300 ms ago, as `ferry
 * schema --apply` does before `ferry run`): the first second's budget is
 * let in spread over the second, not in one burst, so the destination's
 * strict window never answers 429; and the limiter's margin leaves the
 * rate above 95% of the budget. */
static void test_budget_shared_with_others(void **state)
{
	struct server *s = server_start(rule_window, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;
	int64_t t0, elapsed, first = INT64_MAX, last = 0;
	unsigned i;

	(void)state;
	ho.write_rate = 25;
	m = multi(&ho, 16);
	pthread_mutex_lock(&s->mu);
	s->win_limit = 25;
	t0 = ferry_clock_mono_us();
	for (i = 0; i < 3; i++)
		s->win[s->nwin++] = t0 - 300000;
	pthread_mutex_unlock(&s->mu);
	add_n(m, 0, 100, false);
	run_all(m, res, 15);
	elapsed = ferry_clock_mono_us() - t0;
	for (i = 0; i < s->count; i++) {
		if (s->at_us[i] < first)
			first = s->at_us[i];
		if (s->at_us[i] > last)
			last = s->at_us[i];
	}
	print_message("100 writes at 25/s after 3 others: %.2f s, %d 429s, "
	              "%.2f writes/s from the first to the last\n",
	              (double)elapsed / 1e6, s->n429,
	              99e6 / (double)(last - first));
	assert_int_equal(s->n429, 0);
	assert_int_equal(ferry_multi_stats(m)->rate_limited, 0);
	assert_int_equal(s->count, 100);
	for (i = 0; i < 100; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->status[i], 200);
	}
	/* 99 gaps at 25 per 1.02 s: 4.04 s; 95% of 25/s: 4.17 s. */
	assert_true(last - first >= 3900000);
	assert_true(last - first <= 4170000);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* ---- FERRY_MULTI_ONCE against the sandbox -------------------------------- */

static json_t *sandbox_stats(const char *url)
{
	struct ferry_http_opts ho = http_opts(url);
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http *h = NULL;
	json_t *j;

	ho.token = TEST_SANDBOX_TOKEN;
	assert_int_equal(ferry_http_new(&h, &ho), 0);
	assert_int_equal(ferry_http_request(h, FERRY_HTTP_READ, "GET",
	                                    "/__sandbox/stats", NULL, &resp),
	                 0);
	assert_int_equal(resp.status, 200);
	j = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
	assert_non_null(j);
	ferry_http_response_release(&resp);
	ferry_http_free(h);
	return j;
}

static json_int_t stat_of(const json_t *j, const char *key, const char *sub)
{
	const json_t *v = json_object_get(j, key);

	if (sub)
		v = json_object_get(v, sub);
	return json_integer_value(v);
}

/* n creates of companies once-<i>.test on a sandbox started with `args`,
 * with `flags`; returns the sandbox's stats. */
static json_t *creates(const char *const *args, unsigned flags, unsigned n,
                       struct results *res, struct ferry_http_stats *st)
{
	struct test_sandbox sb;
	struct ferry_http_opts ho;
	struct ferry_multi *m;
	char body[160];
	json_t *stats;
	unsigned i;

	assert_int_equal(test_sandbox_start(&sb, "attio", args), 0);
	ho = http_opts(sb.url);
	ho.token = TEST_SANDBOX_TOKEN;
	ho.timeout_ms = 400;
	ho.max_attempts = 6;
	m = multi(&ho, 8);
	for (i = 0; i < n; i++) {
		snprintf(
		    body, sizeof(body),
		    "{\"data\":{\"values\":{\"domains\":[\"once-%u.test\"],"
		    "\"name\":\"Once %u\"}}}",
		    i, i);
		assert_int_equal(
		    ferry_multi_add_flags(m, FERRY_HTTP_WRITE, "POST",
		                          "/v2/objects/companies/records", body,
		                          flags, (void *)(uintptr_t)i),
		    0);
	}
	run_all(m, res, 30);
	*st = *ferry_multi_stats(m);
	ferry_multi_free(m);
	stats = sandbox_stats(sb.url);
	test_sandbox_stop(&sb);
	return stats;
}

/* (i) A ONCE create is sent once: a dropped connection, a timeout or a
 * 5xx goes to the caller at once (with what happened and that it may
 * have been carried out), and libcurl's own resend of a request whose
 * reused connection died is refused. The sandbox counts every write that
 * reached it, so "sent once" is its count, not ferry's word. The same
 * creates without the flag are sent again: the test can fail. */
static void test_once_is_not_resent(void **state)
{
	const char *const args[] = {
	    "--write-rate",   "0",   "--drop-rate", "0.2",
	    "--timeout-rate", "0.1", "--fail-rate", "0.15",
	    "--seed",         "7",   NULL};
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_http_stats st;
	json_t *stats;
	unsigned i, n = 60, dropped = 0, timed_out = 0, failed = 0, ok = 0;

	(void)state;
	stats = creates(args, FERRY_MULTI_ONCE, n, res, &st);
	for (i = 0; i < n; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->attempts[i], 1);
		if (res->error[i] == FERRY_ECONN) {
			dropped++;
			assert_non_null(strstr(res->message[i],
			                       "may have been carried out"));
			assert_non_null(
			    strstr(res->message[i], "not sent again"));
		} else if (res->error[i] == FERRY_ETIMEOUT) {
			timed_out++;
			assert_non_null(strstr(res->message[i],
			                       "may have been carried out"));
		} else {
			assert_int_equal(res->error[i], 0);
			if (res->status[i] == 500)
				failed++;
			else
				ok++;
		}
	}
	print_message("ONCE: %u created, %u 500, %u dropped, %u timed out; "
	              "the sandbox saw %lld writes\n",
	              ok, failed, dropped, timed_out,
	              (long long)stat_of(stats, "writes", NULL));
	assert_true(dropped > 0 && timed_out > 0 && failed > 0 && ok > 0);
	/* Each create reached the sandbox exactly once. */
	assert_int_equal(stat_of(stats, "writes", NULL), n);
	assert_int_equal(stat_of(stats, "dropped", NULL), dropped);
	assert_int_equal(stat_of(stats, "timed_out", NULL), timed_out);
	assert_int_equal(stat_of(stats, "records_per_object", "companies"),
	                 n - stat_of(stats, "failed_injected", NULL));
	assert_int_equal(st.requests, n);
	assert_int_equal(st.retries, 0);
	assert_int_equal(st.server_errors, failed);
	assert_int_equal(st.transport_errors, dropped + timed_out);
	json_decref(stats);

	/* Without the flag: the same faults are retried, so the sandbox
	 * sees more writes than creates. */
	memset(res, 0, sizeof(*res));
	stats = creates(args, 0, n, res, &st);
	print_message("without ONCE: the sandbox saw %lld writes for %u "
	              "creates\n",
	              (long long)stat_of(stats, "writes", NULL), n);
	assert_true(stat_of(stats, "writes", NULL) > n);
	assert_true(st.retries > 0);
	json_decref(stats);
	free(res);
}

/* (j) A 429 was not carried out: a ONCE create is sent again after its
 * Retry-After, and each is made exactly once. */
static void test_once_429_is_resent(void **state)
{
	const char *const args[] = {"--write-rate", "5", NULL};
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_http_stats st;
	json_t *stats;
	unsigned i, n = 8, again = 0;

	(void)state;
	stats = creates(args, FERRY_MULTI_ONCE, n, res, &st);
	for (i = 0; i < n; i++) {
		assert_int_equal(res->calls[i], 1);
		assert_int_equal(res->error[i], 0);
		assert_int_equal(res->status[i], 200);
		if (res->attempts[i] > 1)
			again++;
	}
	assert_true(again > 0);
	assert_true(st.rate_limited > 0);
	assert_int_equal(stat_of(stats, "writes", NULL), n);
	assert_int_equal(stat_of(stats, "records_per_object", "companies"), n);
	json_decref(stats);
	free(res);
}

/* A Retry-After of an hour: that 429 is the answer, and what is queued
 * ends with FERRY_ERATELIMIT instead of sleeping an hour unsent. */
static void test_long_retry_after(void **state)
{
	struct server *s = server_start(rule_429_hour, 0);
	struct ferry_http_opts ho = http_opts(s->url);
	struct results *res = ferry_xcalloc(1, sizeof(*res));
	struct ferry_multi *m;

	(void)state;
	m = multi(&ho, 1);
	add_n(m, 0, 3, false);
	run_all(m, res, 5);
	assert_int_equal(s->count, 1);
	assert_int_equal(res->error[0], 0);
	assert_int_equal(res->status[0], 429);
	assert_int_equal(res->error[1], FERRY_ERATELIMIT);
	assert_int_equal(res->error[2], FERRY_ERATELIMIT);
	assert_non_null(strstr(res->message[2], "3600 s"));
	assert_int_equal(res->attempts[2], 0);
	ferry_multi_free(m);
	server_stop(s);
	free(res);
}

/* (g) and the arguments: bad options and paths are refused before
 * anything is sent, without the token in any message. */
static void test_bad_arguments(void **state)
{
	struct ferry_http_opts ho = http_opts("ftp://example.com");
	struct ferry_multi_opts o;
	struct ferry_multi *m = NULL;

	(void)state;
	o.http = &ho;
	o.max_in_flight = 0;
	assert_int_equal(ferry_multi_new(&m, &o), FERRY_ECONFIG);
	assert_null(m);
	ho = http_opts("http://127.0.0.1:1");
	ho.token = "abc\r\nX-Evil: 1";
	assert_int_equal(ferry_multi_new(&m, &o), FERRY_ECONFIG);
	assert_null(strstr(ferry_error_last(), "abc"));
	o.http = NULL;
	assert_int_equal(ferry_multi_new(&m, &o), FERRY_EINVALID);
	ho = http_opts("http://127.0.0.1:1");
	m = multi(&ho, 0);
	assert_int_equal(ferry_multi_add(m, FERRY_HTTP_WRITE, "PUT",
	                                 "http://127.0.0.2:1/x", "{}", NULL),
	                 FERRY_EINVALID);
	assert_null(strstr(ferry_error_last(), TOKEN));
	assert_int_equal(ferry_multi_add(m, (enum ferry_http_class)7, "PUT",
	                                 "/x", "{}", NULL),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_multi_add_flags(m, FERRY_HTTP_WRITE, "POST",
	                                       "/x", "{}", 0x80u, NULL),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_multi_pending(m), 0);
	assert_int_equal(ferry_multi_run(m, 0, on_done, NULL), 0);
	ferry_multi_free(m);
	ferry_multi_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rate_and_window),
	    cmocka_unit_test(test_429_delta_seconds),
	    cmocka_unit_test(test_429_http_date),
	    cmocka_unit_test(test_retries_and_4xx),
	    cmocka_unit_test(test_attempts_exhausted),
	    cmocka_unit_test(test_timeout_and_drops),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_long_retry_after),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_budget_shared_with_others),
	    cmocka_unit_test(test_once_is_not_resent),
	    cmocka_unit_test(test_once_429_is_resent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
