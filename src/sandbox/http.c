/* http.c: the Attio stand-in's HTTP side on top of server.c: body cap,
 * authentication, the per-class rate limiter, injected faults and
 * latency, JSON and error replies and the stats the handlers report. */
#include "util.h"

#include <pthread.h>

#include "attio_sandbox.h"
#include "server.h"

/* Attio's limits are per second of wall time; the sandbox keeps, per
 * class, the monotonic times of the requests accepted in the last second
 * (a sliding window, server.c). A request that finds the window full is
 * answered 429 and not processed; its Retry-After is the whole second at
 * which the oldest request in the window leaves it. */
struct server {
	struct attio_sb *sb;
	const struct attio_http_opts *opts;
	pthread_mutex_t lock; /* the store, the limiters and the stats */
	struct sandbox_limiter writes, reads;
	struct sandbox_faults faults;
	struct sandbox_window writes_10s; /* measures, never refuses */
	long long requests, n_writes, n_reads, rate_limited;
	long long server_errors, failed, dropped, held;
	int max_writes_window;
	json_t *writes_by; /* {method: {label: n}} */
};

/* What happens to an answer once decided. */
enum fate { SEND, DROP, HOLD };

static struct server *the_server; /* for attio_http_stats() */

int attio_err_set(struct attio_err *e, int status, const char *code,
                  const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	e->code = code;
	e->type = status == 401 || status == 403 ? "auth_error"
	          : status == 429                ? "rate_limit_error"
	          : status >= 500                ? "internal_server_error"
	                                         : "invalid_request_error";
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* Bearer <token>, or Basic with the token as user and no password. */
static bool authorized(struct MHD_Connection *c, const char *token)
{
	const char *h = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	struct ferry_buf dec = FERRY_BUF_INIT;
	bool ok = false;

	if (!h)
		return false;
	if (!strncasecmp(h, "Bearer ", 7)) {
		h += 7;
		while (*h == ' ')
			h++;
		return sandbox_secret_equal(h, strlen(h), token);
	}
	if (!strncasecmp(h, "Basic ", 6)) {
		ferry_buf_init(&dec, 4096);
		h += 6;
		while (*h == ' ')
			h++;
		if (sandbox_b64decode(h, &dec) && dec.len > 0 &&
		    dec.ptr[dec.len - 1] == ':')
			ok = sandbox_secret_equal(dec.ptr, dec.len - 1, token);
		ferry_buf_release(&dec);
	}
	return ok;
}

static bool is_write(const char *method, const char *path)
{
	size_t n = strlen(path);

	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		return false;
	/* queries are reads whatever their method */
	return !(n >= 6 && !strcmp(path + n - 6, "/query"));
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status,
                                 json_t *body, const char *retry_after)
{
	char *text = attio_json_dump(body);
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(strlen(text), text,
	                                       MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json; charset=utf-8");
	if (retry_after)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
		                        retry_after);
	r = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static json_t *err_json(const struct attio_err *e)
{
	return json_pack("{s:i,s:s,s:s,s:s}", "status_code", e->status, "type",
	                 e->type, "code", e->code, "message", e->message);
}

static void count_write(struct server *s, const char *method, const char *url,
                        int64_t now)
{
	char *label = attio_stats_label(s->sb, url);
	json_t *by = json_object_get(s->writes_by, method);

	s->n_writes++;
	if (s->writes.count > s->max_writes_window)
		s->max_writes_window = s->writes.count;
	sandbox_window_add(&s->writes_10s, now);
	if (!by) {
		by = json_object();
		json_object_set_new(s->writes_by, method, by);
	}
	json_object_set_new(
	    by, label,
	    json_integer(json_integer_value(json_object_get(by, label)) + 1));
	free(label);
}

/* Decides one request with the lock held: status and body to send. */
static int process(struct server *s, struct MHD_Connection *c, const char *url,
                   const char *method, struct sandbox_request *rq, json_t **out,
                   char *retry_after, size_t ra_len)
{
	struct attio_err e = {0};
	struct attio_req req = {0};
	bool sandbox_path = ferry_str_starts_with(url, "/__sandbox/");
	bool write = is_write(method, url);
	json_error_t jerr;
	int64_t now = ferry_clock_mono_us(), free_at = 0;
	int status = 200;

	if (!sandbox_path)
		s->requests++;
	if (!authorized(c, s->opts->token)) {
		attio_err_set(&e, 401, "unauthorized",
		              "Authentication failed: send \"Authorization: "
		              "Bearer <token>\" with a valid API token.");
		goto fail;
	}
	if (!sandbox_path &&
	    !sandbox_limiter_take(write ? &s->writes : &s->reads, now,
	                          &free_at)) {
		int64_t wall = ferry_clock_wall_us() + (free_at - now);

		ferry_clock_http_date((time_t)((wall + 999999) / 1000000),
		                      retry_after, ra_len);
		attio_err_set(&e, 429, "rate_limit_exceeded",
		              "Rate limit exceeded, please try again later");
		goto fail;
	}
	if (!sandbox_path) {
		if (write)
			count_write(s, method, url, now);
		else
			s->n_reads++;
	}
	/* --fail-rate: the write is refused before anything is done */
	if (!sandbox_path && write &&
	    sandbox_faults_hit(&s->faults, s->opts->fail_rate)) {
		s->failed++;
		attio_err_set(&e, 500, "internal_server_error",
		              "An internal error occurred; please retry "
		              "(injected by ferry-sandbox --fail-rate).");
		goto fail;
	}
	if (rq->too_big) {
		attio_err_set(&e, 413, "validation_type",
		              "Request body is larger than %zu bytes.",
		              s->opts->body_max);
		goto fail;
	}
	if (rq->body.len > 0) {
		req.body =
		    attio_json_parse(s->sb, rq->body.ptr, rq->body.len, &jerr);
		if (!req.body) {
			attio_err_set(&e, 400, "validation_type",
			              "Body is not valid JSON: %s (line %d, "
			              "column %d).",
			              jerr.text, jerr.line, jerr.column);
			goto fail;
		}
	}
	req.method = method;
	req.path = url;
	req.matching_attribute = MHD_lookup_connection_value(
	    c, MHD_GET_ARGUMENT_KIND, "matching_attribute");
	req.query = strchr(rq->uri, '?') ? strchr(rq->uri, '?') + 1 : NULL;
	if (attio_route(s->sb, &req, out, &e) == 0)
		goto done;
fail:
	status = e.status;
	json_decref(*out);
	*out = err_json(&e);
done:
	json_decref(req.body);
	attio_json_forget(s->sb);
	return status;
}

/* --drop-rate and --timeout-rate: after the request was processed, so a
 * write may have happened although its client never hears of it. */
static enum fate fate_of(struct server *s, const char *url, int status)
{
	if (ferry_str_starts_with(url, "/__sandbox/"))
		return SEND;
	if (sandbox_faults_hit(&s->faults, s->opts->drop_rate)) {
		s->dropped++;
		return DROP;
	}
	if (sandbox_faults_hit(&s->faults, s->opts->timeout_rate)) {
		s->held++;
		return HOLD;
	}
	if (status == 429)
		s->rate_limited++;
	if (status >= 500)
		s->server_errors++;
	return SEND;
}

static enum MHD_Result handle(struct sandbox_server *srv,
                              struct MHD_Connection *c, const char *url,
                              const char *method, struct sandbox_request *rq)
{
	struct server *s = srv->app;
	char retry_after[64] = "";
	json_t *out = NULL;
	enum MHD_Result r;
	enum fate fate;
	int status;

	pthread_mutex_lock(&s->lock);
	status = process(s, c, url, method, rq, &out, retry_after,
	                 sizeof(retry_after));
	fate = fate_of(s, url, status);
	pthread_mutex_unlock(&s->lock);
	/* outside the lock: other connections go on meanwhile */
	if (!ferry_str_starts_with(url, "/__sandbox/"))
		sandbox_faults_delay(&s->faults);
	if (fate == HOLD)
		sandbox_server_hold(srv, c);
	sandbox_server_log(srv, method, rq->uri,
	                   fate == DROP   ? 0
	                   : fate == HOLD ? SANDBOX_LOG_HELD
	                                  : status,
	                   rq->start_us);
	if (fate != SEND) {
		json_decref(out);
		return MHD_NO;
	}
	r = send_json(c, status, out, retry_after[0] ? retry_after : NULL);
	json_decref(out);
	return r;
}

json_t *attio_http_stats(struct attio_sb *sb)
{
	struct server *s = the_server;
	json_t *st, *by_object = json_object(), *per, *n;
	const char *method, *label;
	char rate[32];

	json_object_foreach(s->writes_by, method, per)
	{
		json_object_foreach(per, label, n)
		{
			json_object_set_new(
			    by_object, label,
			    json_integer(json_integer_value(json_object_get(
			                     by_object, label)) +
			                 json_integer_value(n)));
		}
	}
	/* one decimal, written bare (attio_json.c) */
	snprintf(rate, sizeof(rate), "%lld.%lld",
	         (long long)(s->writes_10s.max / 10),
	         (long long)(s->writes_10s.max % 10));
	st = json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O,s:o,s:i,s:I,s:o}", "requests",
	    (json_int_t)s->requests, "writes", (json_int_t)s->n_writes, "reads",
	    (json_int_t)s->n_reads, "rate_limited", (json_int_t)s->rate_limited,
	    "server_errors", (json_int_t)s->server_errors, "failed_injected",
	    (json_int_t)s->failed, "dropped", (json_int_t)s->dropped,
	    "timed_out", (json_int_t)s->held, "writes_by_method_and_object",
	    s->writes_by, "writes_by_object", by_object,
	    "max_writes_in_any_1s_window", s->max_writes_window,
	    "max_writes_in_any_10s_window", (json_int_t)s->writes_10s.max,
	    "max_write_rate_10s", attio_json_raw_number(rate));
	attio_stats_store(sb, st);
	return st;
}

int attio_http_run(struct attio_sb *sb, const struct attio_http_opts *opts)
{
	struct sandbox_server srv;
	struct server s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.sb = sb;
	s.opts = opts;
	pthread_mutex_init(&s.lock, NULL);
	sandbox_limiter_init(&s.writes, opts->write_rate);
	sandbox_limiter_init(&s.reads, opts->read_rate);
	sandbox_window_init(&s.writes_10s, (int64_t)10 * 1000000);
	s.writes_by = json_object();
	s.faults.fail_rate = opts->fail_rate;
	s.faults.drop_rate = opts->drop_rate;
	s.faults.timeout_rate = opts->timeout_rate;
	s.faults.latency_ms = opts->latency_ms;
	s.faults.jitter_ms = opts->jitter_ms;
	s.faults.seed = opts->seed;
	sandbox_faults_init(&s.faults);
	the_server = &s;
	memset(&srv, 0, sizeof(srv));
	srv.opts.name = "attio";
	srv.opts.bind = opts->bind;
	srv.opts.port = opts->port;
	srv.opts.port_file = opts->port_file;
	srv.opts.log_file = opts->log_file;
	srv.opts.body_max = opts->body_max;
	srv.handle = handle;
	srv.app = &s;
	rc = sandbox_server_run(&srv);
	the_server = NULL;
	sandbox_limiter_free(&s.writes);
	sandbox_limiter_free(&s.reads);
	sandbox_window_free(&s.writes_10s);
	sandbox_faults_free(&s.faults);
	json_decref(s.writes_by);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
