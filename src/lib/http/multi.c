/* multi.c: the multi handle of multi.h: many requests in flight on one
 * libcurl multi handle, each attempt started only when its class's limiter
 * and the in-flight window allow, and each answer sorted into "the
 * caller's", "block the destination and send again" (429) or "back off
 * and send again" (5xx, timeouts, dropped connections; for a
 * FERRY_MULTI_ONCE request these are the caller's too). */
#include <limits.h>

#include "util.h"

#include "ferry/multi.h"
#include "http/multi_int.h"
#include "http/retry.h"

/* on_send needs CURLOPT_PREREQFUNCTION (libcurl 7.80, November 2021): a
 * ONCE request must not be resent behind ferry's back. */
#if LIBCURL_VERSION_NUM < 0x075000
#error "ferry needs libcurl 7.80 or later (CURLOPT_PREREQFUNCTION)"
#endif

#define DEFAULT_MAX_IN_FLIGHT 64
/* More transfers than this are more sockets than any destination wants. */
#define MAX_IN_FLIGHT_CAP 1024

typedef int (*done_cb)(const struct ferry_multi_done *d, void *payload);

/* The limiter for `rate` requests per second: the destination's window
 * plus FERRY_MULTI__SEND_MARGIN_US, a time rather than a share of the
 * window because what it absorbs (how late a server reads a request) is
 * a time whatever the rate. */
static void limiter_init(struct ferry_ratelimit *rl, double rate)
{
	unsigned limit;
	int64_t window_us;

	ferry_http__rate_window(rate, &limit, &window_us);
	if (limit)
		window_us += FERRY_MULTI__SEND_MARGIN_US;
	ferry_ratelimit_init(rl, limit, window_us);
}

/* ---- the handle ---------------------------------------------------------- */

int ferry_multi_new(struct ferry_multi **out, const struct ferry_multi_opts *o)
{
	struct ferry_multi *m = NULL;
	int error = 0, max;

	*out = NULL;
	if (!o || !o->http) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "ferry_multi_new needs HTTP options");
		goto done;
	}
	m = ferry_xcalloc(1, sizeof(*m));
	if ((error = ferry_http__dest_init(&m->dest, o->http)) < 0)
		goto done;
	limiter_init(&m->rl[FERRY_HTTP_READ], o->http->read_rate);
	limiter_init(&m->rl[FERRY_HTTP_WRITE], o->http->write_rate);
	m->rate[FERRY_HTTP_READ] = o->http->read_rate;
	m->rate[FERRY_HTTP_WRITE] = o->http->write_rate;
	max = o->max_in_flight > 0 ? o->max_in_flight : DEFAULT_MAX_IN_FLIGHT;
	m->max_in_flight = max < MAX_IN_FLIGHT_CAP ? max : MAX_IN_FLIGHT_CAP;
	m->flying = ferry_xcalloc((size_t)m->max_in_flight, sizeof(*m->flying));
	m->idle = ferry_xcalloc((size_t)m->max_in_flight, sizeof(*m->idle));
	m->rng = ferry_http__rng_seed();
	ferry_multi__update_target(m);
	if ((error = ferry_http__headers(&m->headers, &m->dest, NULL)) < 0)
		goto done;
	m->multi = curl_multi_init();
	if (!m->multi) {
		error =
		    ferry_error_set(FERRY_ERROR, "cannot initialise libcurl");
		goto done;
	}
	*out = m;
	m = NULL;
done:
	ferry_multi_free(m);
	return error;
}

static void free_req(struct ferry_multi__req *r)
{
	ferry_http__xfer_release(&r->x);
	free(r->method);
	free(r->url);
	free(r->body);
	free(r);
}

void ferry_multi_free(struct ferry_multi *m)
{
	struct ferry_multi__req *r;
	int i;

	if (!m)
		return;
	for (i = 0; i < m->in_flight; i++) {
		r = m->flying[i];
		curl_multi_remove_handle(m->multi, r->easy);
		curl_easy_cleanup(r->easy);
		free_req(r);
	}
	while ((r = ferry_multi__pop_queued(m)))
		free_req(r);
	for (i = 0; i < m->nidle; i++)
		curl_easy_cleanup(m->idle[i]);
	if (m->multi)
		curl_multi_cleanup(m->multi);
	ferry_http__headers_free(m->headers);
	ferry_http__dest_release(&m->dest);
	ferry_ratelimit_release(&m->rl[0]);
	ferry_ratelimit_release(&m->rl[1]);
	free(m->flying);
	free(m->idle);
	free(m);
}

int ferry_multi_add(struct ferry_multi *m, enum ferry_http_class cls,
                    const char *method, const char *path, const char *body,
                    void *tag)
{
	return ferry_multi_add_flags(m, cls, method, path, body, 0, tag);
}

int ferry_multi_add_flags(struct ferry_multi *m, enum ferry_http_class cls,
                          const char *method, const char *path,
                          const char *body, unsigned flags, void *tag)
{
	struct ferry_multi__req *r;
	char *url = NULL;
	int error;

	if (!m || !method || !*method || !path ||
	    (cls != FERRY_HTTP_READ && cls != FERRY_HTTP_WRITE) ||
	    (flags & ~FERRY_MULTI_ONCE))
		return ferry_error_set(FERRY_EINVALID,
		                       "bad HTTP request arguments (path '%s')",
		                       path ? path : "");
	if ((error = ferry_http__url(&url, &m->dest, path)) < 0)
		return error;
	r = ferry_xcalloc(1, sizeof(*r));
	r->seq = m->next_seq++;
	r->cls = cls;
	r->method = ferry_xstrdup(method);
	r->url = url;
	if (body) {
		r->body = ferry_xstrdup(body);
		r->body_len = strlen(body);
	}
	r->tag = tag;
	r->m = m;
	r->flags = flags;
	ferry_http__xfer_init(&r->x);
	ferry_multi__push_fresh(m, r);
	m->active[cls]++;
	return 0;
}

size_t ferry_multi_pending(const struct ferry_multi *m)
{
	return m->queued + (size_t)m->in_flight;
}

int ferry_multi_in_flight(const struct ferry_multi *m, int *target)
{
	if (target)
		*target = m->target;
	return m->in_flight;
}

const struct ferry_http_stats *ferry_multi_stats(const struct ferry_multi *m)
{
	return &m->stats;
}

/* ---- one request's end --------------------------------------------------- */

/* Hands the request to the caller and frees it. `resp` NULL: `error` < 0
 * and the message is ferry_error_last(). */
static int finish(struct ferry_multi *m, struct ferry_multi__req *r, int error,
                  const struct ferry_http_response *resp, int64_t latency_us,
                  done_cb cb, void *payload)
{
	struct ferry_multi_done d;
	char *message = NULL;
	int rc;

	memset(&d, 0, sizeof(d));
	d.tag = r->tag;
	d.error = error;
	d.resp = error < 0 ? NULL : resp;
	if (error < 0)
		message = ferry_xstrdup(ferry_error_last());
	d.message = message;
	d.attempts = r->sent;
	d.latency_us = latency_us;
	m->active[r->cls]--;
	free_req(r);
	rc = cb(&d, payload);
	free(message);
	return rc < 0 ? rc : 0;
}

static int finish_answer(struct ferry_multi *m, struct ferry_multi__req *r,
                         long status, int64_t latency_us, done_cb cb,
                         void *payload)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	int rc;

	ferry_http__xfer_to_response(&r->x, status, r->sent, &resp);
	rc = finish(m, r, 0, &resp, latency_us, cb, payload);
	ferry_http_response_release(&resp);
	return rc;
}

/* ---- attempts ------------------------------------------------------------ */

static CURL *take_easy(struct ferry_multi *m)
{
	CURL *c = m->nidle > 0 ? m->idle[--m->nidle] : curl_easy_init();

	if (c) {
		/* From scratch every attempt: no option of the request
		 * before can leak into this one. */
		curl_easy_reset(c);
		ferry_http__easy_setup(c, &m->dest);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, m->headers);
	}
	return c;
}

static void give_easy(struct ferry_multi *m, CURL *c)
{
	if (m->nidle < m->max_in_flight)
		m->idle[m->nidle++] = c;
	else
		curl_easy_cleanup(c);
}

/* libcurl is about to send the attempt (the connection is up): its limiter
 * event moves to now. A second call for one attempt is libcurl resending
 * on a new connection because a reused one died unanswered; for a ONCE
 * request that first copy may have been carried out, so the resend is
 * refused and the attempt ends. */
static int on_send(void *clientp, char *primary_ip, char *local_ip,
                   int primary_port, int local_port)
{
	struct ferry_multi__req *r = clientp;
	struct ferry_multi *m = r->m;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (r->sends++ > 0 && (r->flags & FERRY_MULTI_ONCE)) {
		r->refused_resend = true;
		return CURL_PREREQFUNC_ABORT;
	}
	ferry_ratelimit__restamp(&m->rl[r->cls], r->take, m->takes[r->cls],
	                         ferry_clock_mono_us());
	return CURL_PREREQFUNC_OK;
}

/* Starts one attempt; the class's budget is taken here, so retries count
 * against it as much as first attempts. The class's first request finds
 * the window before it spread evenly (see ferry_ratelimit__spread). */
static int start(struct ferry_multi *m, struct ferry_multi__req *r, int64_t now,
                 done_cb cb, void *payload)
{
	CURL *c = take_easy(m);
	CURLMcode mc;

	if (!c) {
		ferry_error_set(FERRY_ERROR, "cannot create a libcurl handle "
		                             "(out of memory?)");
		return finish(m, r, FERRY_ERROR, NULL, 0, cb, payload);
	}
	ferry_http__xfer_reset(&r->x);
	ferry_http__easy_bind(c, &r->x);
	ferry_http__easy_request(c, r->url, r->method, r->body, r->body_len);
	curl_easy_setopt(c, CURLOPT_PRIVATE, (void *)r);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_send);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, (void *)r);
	r->sends = 0;
	r->refused_resend = false;
	mc = curl_multi_add_handle(m->multi, c);
	if (mc != CURLM_OK) {
		give_easy(m, c);
		ferry_error_set(FERRY_ERROR, "libcurl refused a transfer: %s",
		                curl_multi_strerror(mc));
		return finish(m, r, FERRY_ERROR, NULL, 0, cb, payload);
	}
	if (m->takes[r->cls] == 0)
		ferry_ratelimit__spread(&m->rl[r->cls], now);
	r->take = m->takes[r->cls]++;
	ferry_ratelimit_take(&m->rl[r->cls], now);
	m->stats.requests++;
	if (r->sent++ > 0)
		m->stats.retries++;
	r->started_us = now;
	r->easy = c;
	m->flying[m->in_flight++] = r;
	return 0;
}

static int start_ready(struct ferry_multi *m, done_cb cb, void *payload)
{
	struct ferry_multi__req *r;
	int64_t now, wait[2];
	int rc;

	ferry_multi__update_target(m);
	while (m->in_flight < m->target) {
		now = ferry_clock_mono_us();
		wait[FERRY_HTTP_READ] =
		    ferry_ratelimit_wait_us(&m->rl[FERRY_HTTP_READ], now);
		wait[FERRY_HTTP_WRITE] =
		    ferry_ratelimit_wait_us(&m->rl[FERRY_HTTP_WRITE], now);
		if (!(r = ferry_multi__pick(m, now, wait)))
			break;
		if ((rc = start(m, r, now, cb, payload)) < 0)
			return rc;
	}
	return 0;
}

/* A Retry-After beyond FERRY_HTTP__RETRY_AFTER_WAIT_MAX_MS: what is not in
 * flight ends now instead of sleeping silently; the person running ferry
 * decides when to resume. Requests added by a callback meanwhile wait for
 * the next run. */
static int fail_long_block(struct ferry_multi *m, int64_t now, done_cb cb,
                           void *payload)
{
	int64_t left = m->rl[FERRY_HTTP_WRITE].blocked_until_us - now;
	size_t n = m->queued;
	struct ferry_multi__req *r;
	int rc;

	if (left <= FERRY_HTTP__RETRY_AFTER_WAIT_MAX_MS * 1000)
		return 0;
	while (n-- > 0 && (r = ferry_multi__pop_queued(m))) {
		ferry_error_set(FERRY_ERATELIMIT,
		                "%s at %s answered 429 and asked ferry to "
		                "wait %lld s (Retry-After): not sent; retry "
		                "later",
		                m->dest.name, m->dest.base_url,
		                (long long)((left + 999999) / 1000000));
		if ((rc = finish(m, r, FERRY_ERATELIMIT, NULL, 0, cb,
		                 payload)) < 0)
			return rc;
	}
	return 0;
}

/* A 429 holds every class until its Retry-After (or the backoff): the
 * limit is the destination's, and others may be spending it, so after the
 * pause the budget comes back spread over a window, not in one burst. The
 * request goes back to the head of the line unless the 429s never stop or
 * the wait is too long, when the 429 is the answer. A 429 was not carried
 * out: a ONCE request is sent again too. */
static int on_429(struct ferry_multi *m, struct ferry_multi__req *r,
                  int64_t now, int64_t latency_us, done_cb cb, void *payload)
{
	int64_t delay_ms, until;

	m->stats.rate_limited++;
	r->in_a_row_429++;
	delay_ms = ferry_http__delay_after_429(&r->x, &m->dest, r->in_a_row_429,
	                                       &m->rng);
	until = now + delay_ms * 1000;
	ferry_ratelimit_block_until(&m->rl[FERRY_HTTP_READ], until);
	ferry_ratelimit_block_until(&m->rl[FERRY_HTTP_WRITE], until);
	ferry_ratelimit__spread(&m->rl[FERRY_HTTP_READ], until);
	ferry_ratelimit__spread(&m->rl[FERRY_HTTP_WRITE], until);
	if (r->in_a_row_429 > FERRY_HTTP__MAX_429_IN_A_ROW ||
	    delay_ms > FERRY_HTTP__RETRY_AFTER_WAIT_MAX_MS)
		return finish_answer(m, r, 429, latency_us, cb, payload);
	ferry_multi__push_retry(m, r, now);
	return 0;
}

/* A ONCE request whose attempt was sent and got no answer: it may have
 * been carried out, so it is not sent again; the caller looks first. */
static int finish_once(struct ferry_multi *m, struct ferry_multi__req *r,
                       CURLcode rc, int64_t latency_us, done_cb cb,
                       void *payload)
{
	const char *detail =
	    r->x.errbuf[0] ? r->x.errbuf : curl_easy_strerror(rc);
	int error;

	if (rc == CURLE_OPERATION_TIMEDOUT)
		error = ferry_error_set(
		    FERRY_ETIMEOUT,
		    "%s at %s did not answer within %ld ms; the request was "
		    "sent and may have been carried out, so it was not sent "
		    "again: look for its result before making it again",
		    m->dest.name, m->dest.base_url, m->dest.timeout_ms);
	else
		error = ferry_error_set(
		    FERRY_ECONN,
		    "the connection to %s at %s broke after the request was "
		    "sent (%s); it may have been carried out, so it was not "
		    "sent again: look for its result before making it again",
		    m->dest.name, m->dest.base_url,
		    r->refused_resend ? "closed without an answer" : detail);
	return finish(m, r, error, NULL, latency_us, cb, payload);
}

/* What one finished attempt means for its request. */
static int on_done(struct ferry_multi *m, struct ferry_multi__req *r,
                   CURLcode rc, done_cb cb, void *payload)
{
	int64_t now = ferry_clock_mono_us(), latency = now - r->started_us;
	CURL *c = r->easy;
	long status = 0;
	int error;

	r->easy = NULL;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		give_easy(m, c);
		ferry_multi__record_latency(m, latency);
		if (status == 429)
			return on_429(m, r, now, latency, cb, payload);
		r->in_a_row_429 = 0;
		if (status < 500 || status > 599)
			return finish_answer(m, r, status, latency, cb,
			                     payload);
		m->stats.server_errors++;
		if (++r->failures >= m->dest.max_attempts ||
		    (r->flags & FERRY_MULTI_ONCE))
			return finish_answer(m, r, status, latency, cb,
			                     payload);
	} else {
		r->in_a_row_429 = 0;
		/* Sent (libcurl got as far as sending it) and unanswered. A
		 * ONCE request that never left, a connection that timed out,
		 * is retried as any other. */
		if ((r->flags & FERRY_MULTI_ONCE) && r->sends > 0 &&
		    !r->x.too_big && rc != CURLE_FILESIZE_EXCEEDED &&
		    (r->refused_resend || ferry_http__is_retryable(rc))) {
			m->stats.transport_errors++;
			give_easy(m, c);
			return finish_once(m, r, rc, latency, cb, payload);
		}
		if (r->x.too_big || rc == CURLE_FILESIZE_EXCEEDED ||
		    !ferry_http__is_retryable(rc)) {
			error = ferry_http__no_answer_error(&m->dest, c, &r->x,
			                                    rc, r->sent);
			give_easy(m, c);
			return finish(m, r, error, NULL, latency, cb, payload);
		}
		m->stats.transport_errors++;
		if (++r->failures >= m->dest.max_attempts) {
			error = ferry_http__no_answer_error(&m->dest, c, &r->x,
			                                    rc, r->failures);
			give_easy(m, c);
			return finish(m, r, error, NULL, latency, cb, payload);
		}
		give_easy(m, c);
	}
	/* A retry waits its backoff in the queue, not in a sleep: the other
	 * transfers go on meanwhile. */
	ferry_multi__push_retry(
	    m, r,
	    now + 1000 * ferry_http__backoff_ms(m->dest.backoff_base_ms,
	                                        m->dest.backoff_max_ms,
	                                        r->failures, &m->rng));
	return 0;
}

static void unfly(struct ferry_multi *m, struct ferry_multi__req *r)
{
	int i;

	for (i = 0; i < m->in_flight; i++)
		if (m->flying[i] == r) {
			m->flying[i] = m->flying[--m->in_flight];
			return;
		}
}

/* Reads the transfers that ended. A negative callback leaves the rest of
 * libcurl's messages for the next run. */
static int harvest(struct ferry_multi *m, done_cb cb, void *payload)
{
	struct ferry_multi__req *r;
	CURLMsg *msg;
	CURLcode result;
	void *priv;
	int left, rc;

	while ((msg = curl_multi_info_read(m->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		r = priv;
		result = msg->data.result;
		curl_multi_remove_handle(m->multi, r->easy);
		unfly(m, r);
		if ((rc = on_done(m, r, result, cb, payload)) < 0)
			return rc;
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------ */

static int multi_error(CURLMcode mc)
{
	return ferry_error_set(FERRY_ERROR,
	                       "libcurl's multi interface "
	                       "failed: %s",
	                       curl_multi_strerror(mc));
}

/* Milliseconds until `wake_us`, rounded up so that a wait shorter than a
 * millisecond sleeps instead of spinning. */
static int wait_ms(int64_t now_us, int64_t wake_us)
{
	int64_t ms;

	if (wake_us <= now_us)
		return 0;
	ms = (wake_us - now_us + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ferry_multi_run(struct ferry_multi *m, int timeout_ms,
                    int (*cb)(const struct ferry_multi_done *d, void *payload),
                    void *payload)
{
	int64_t deadline, now;
	CURLMcode mc;
	size_t pending;
	int rc, running;

	if (!m || !cb)
		return ferry_error_set(FERRY_EINVALID,
		                       "ferry_multi_run needs a handle and a "
		                       "callback");
	deadline = ferry_clock_mono_us() +
	           (int64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000;
	for (;;) {
		if ((rc = fail_long_block(m, ferry_clock_mono_us(), cb,
		                          payload)) < 0 ||
		    (rc = start_ready(m, cb, payload)) < 0)
			return rc;
		if ((mc = curl_multi_perform(m->multi, &running)) != CURLM_OK)
			return multi_error(mc);
		if ((rc = harvest(m, cb, payload)) < 0)
			return rc;
		pending = ferry_multi_pending(m);
		now = ferry_clock_mono_us();
		if (pending == 0 || now >= deadline)
			return pending > INT_MAX ? INT_MAX : (int)pending;
		mc = curl_multi_poll(
		    m->multi, NULL, 0,
		    wait_ms(now, ferry_multi__next_wake_us(m, now, deadline)),
		    NULL);
		if (mc != CURLM_OK)
			return multi_error(mc);
	}
}
