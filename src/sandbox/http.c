/* http.c: the Attio stand-in's libmicrohttpd glue: body accumulation with
 * a cap, authentication, the per-class rate limiter, the request log, JSON
 * and error replies, and the run loop that stops on SIGTERM or SIGINT. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "attio_sandbox.h"

/* Attio's limits are per second of wall time; the sandbox keeps, per
 * class, the monotonic times of the requests accepted in the last second
 * (a sliding window). A request that finds the window full is answered
 * 429 and not processed; its Retry-After is the whole second at which the
 * oldest request in the window leaves it. */
struct limiter {
	int limit; /* 0: unlimited */
	int64_t *ts;
	int head, count;
};

struct server {
	struct attio_sb *sb;
	const struct attio_http_opts *opts;
	pthread_mutex_t lock; /* the store, the limiters, stats and the log */
	struct limiter writes, reads;
	FILE *log;
	long long requests, n_writes, n_reads, rate_limited;
	int max_writes_window;
};

static struct server *the_server; /* for attio_http_stats() */

/* Per-request state, made by the URI-log callback, before the handler. */
struct request {
	char *uri; /* path and query as sent */
	struct ferry_buf body;
	bool started, too_big;
	int64_t start_us;
};

int attio_err_set(struct attio_err *e, int status, const char *code,
                  const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	e->code = code;
	e->type = status == 401   ? "auth_error"
	          : status == 429 ? "rate_limit_error"
	          : status >= 500 ? "internal_server_error"
	                          : "invalid_request_error";
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

static void limiter_init(struct limiter *l, int limit)
{
	l->limit = limit;
	l->ts = limit > 0 ? ferry_xcalloc((size_t)limit, sizeof(*l->ts)) : NULL;
	l->head = l->count = 0;
}

/* Takes a slot at `now`; false (and when it frees) if the window is full. */
static bool limiter_take(struct limiter *l, int64_t now, int64_t *free_at)
{
	if (l->limit <= 0)
		return true;
	while (l->count > 0 && l->ts[l->head] <= now - 1000000) {
		l->head = (l->head + 1) % l->limit;
		l->count--;
	}
	if (l->count >= l->limit) {
		*free_at = l->ts[l->head] + 1000000;
		return false;
	}
	l->ts[(l->head + l->count) % l->limit] = now;
	l->count++;
	return true;
}

static bool token_equal(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), i;
	unsigned char diff = alen != blen;

	for (i = 0; i < alen && i < blen; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

static int b64val(char c)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(tbl, c) : NULL;

	return p ? (int)(p - tbl) : -1;
}

/* Decodes standard base64 into out (capped); false if malformed. */
static bool b64decode(const char *s, struct ferry_buf *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		int v = b64val(*s);

		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (ferry_buf_putc(out, (char)((acc >> bits) & 0xff)) <
			    0)
				return false;
		}
	}
	return true;
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
		return token_equal(h, strlen(h), token);
	}
	if (!strncasecmp(h, "Basic ", 6)) {
		ferry_buf_init(&dec, 4096);
		h += 6;
		while (*h == ' ')
			h++;
		if (b64decode(h, &dec) && dec.len > 0 &&
		    dec.ptr[dec.len - 1] == ':')
			ok = token_equal(dec.ptr, dec.len - 1, token);
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
	char *text = json_dumps(body, JSON_COMPACT);
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (!text)
		text = ferry_xstrdup("{}");
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

static void log_line(struct server *s, const char *method, const char *uri,
                     int status, int64_t start_us)
{
	char ts[40];
	int64_t dur = ferry_clock_mono_us() - start_us;

	if (!s->log)
		return;
	ferry_clock_iso8601(ferry_clock_wall_us(), ts, sizeof(ts));
	fprintf(s->log, "%s %s %s %d %lld.%03lldms\n", ts, method, uri, status,
	        (long long)(dur / 1000), (long long)(dur % 1000));
	fflush(s->log);
}

/* Decides one request with the lock held: status and body to send. */
static int process(struct server *s, struct MHD_Connection *c, const char *url,
                   const char *method, struct request *rq, json_t **out,
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
	    !limiter_take(write ? &s->writes : &s->reads, now, &free_at)) {
		int64_t wall = ferry_clock_wall_us() + (free_at - now);

		ferry_clock_http_date((time_t)((wall + 999999) / 1000000),
		                      retry_after, ra_len);
		s->rate_limited++;
		attio_err_set(&e, 429, "rate_limit_exceeded",
		              "Rate limit exceeded, please try again later");
		goto fail;
	}
	if (!sandbox_path) {
		if (write) {
			s->n_writes++;
			if (s->writes.count > s->max_writes_window)
				s->max_writes_window = s->writes.count;
		} else {
			s->n_reads++;
		}
	}
	if (rq->too_big) {
		attio_err_set(&e, 413, "validation_type",
		              "Request body is larger than %zu bytes.",
		              s->opts->body_max);
		goto fail;
	}
	if (rq->body.len > 0) {
		req.body = json_loadb(rq->body.ptr, rq->body.len, 0, &jerr);
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
	if (attio_route(s->sb, &req, out, &e) == 0)
		goto done;
fail:
	status = e.status;
	json_decref(*out);
	*out = err_json(&e);
done:
	json_decref(req.body);
	return status;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct request *rq = *con_cls;
	char retry_after[64] = "";
	json_t *out = NULL;
	enum MHD_Result r;
	int status;

	FERRY_UNUSED(version);
	if (!rq)
		return MHD_NO;
	if (!rq->started) {
		rq->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!rq->too_big && ferry_buf_put(&rq->body, upload_data,
		                                  *upload_data_size) < 0) {
			rq->too_big = true;
			ferry_buf_release(&rq->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->lock);
	status = process(s, c, url, method, rq, &out, retry_after,
	                 sizeof(retry_after));
	log_line(s, method, rq->uri, status, rq->start_us);
	pthread_mutex_unlock(&s->lock);
	r = send_json(c, status, out, retry_after[0] ? retry_after : NULL);
	json_decref(out);
	return r;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct server *s = cls;
	struct request *rq = ferry_xcalloc(1, sizeof(*rq));

	FERRY_UNUSED(c);
	rq->uri = ferry_xstrdup(uri ? uri : "");
	ferry_buf_init(&rq->body, s->opts->body_max);
	rq->start_us = ferry_clock_mono_us();
	return rq;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	FERRY_UNUSED(cls);
	FERRY_UNUSED(c);
	FERRY_UNUSED(toe);
	if (rq) {
		ferry_buf_release(&rq->body);
		free(rq->uri);
		free(rq);
	}
	*con_cls = NULL;
}

json_t *attio_http_stats(struct attio_sb *sb)
{
	struct server *s = the_server;
	json_t *per = json_object();
	size_t i;

	for (i = 0; i < sb->n_objects; i++)
		json_object_set_new(per, sb->objects[i].slug,
		                    json_integer(attio_store_record_count(
		                        sb, &sb->objects[i])));
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:o,s:i}", "requests", (json_int_t)s->requests,
	    "writes", (json_int_t)s->n_writes, "reads", (json_int_t)s->n_reads,
	    "rate_limited", (json_int_t)s->rate_limited, "records_per_object",
	    per, "max_writes_in_any_1s_window", s->max_writes_window);
}

static int write_port_file(const char *path, int port)
{
	char *tmp = ferry_xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = 0;

	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
		if (f)
			fclose(f);
		rc = ferry_error_set(FERRY_EIO, "cannot write port file '%s'",
		                     tmp);
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		rc =
		    ferry_error_set(FERRY_EIO, "cannot rename '%s' to '%s': %s",
		                    tmp, path, strerror(errno));
done:
	free(tmp);
	return rc;
}

/* Binds opts->bind:opts->port; the daemon into out, its port into port. */
static int start(struct server *s, struct MHD_Daemon **out, int *port)
{
	const struct attio_http_opts *o = s->opts;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;

	memset(&ss, 0, sizeof(ss));
	if (strchr(o->bind, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->bind, &a6->sin6_addr) != 1)
			goto bad_addr;
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET, o->bind, &a4->sin_addr) != 1)
			goto bad_addr;
	}
	d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request,
	                     s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                     MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	                     MHD_OPTION_END);
	if (!d)
		return ferry_error_set(FERRY_ECONN,
		                       "cannot listen on %s:%d (is the port "
		                       "in use?)",
		                       o->bind, o->port);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info ||
	    getsockname(info->listen_fd, (struct sockaddr *)&ss, &sl) < 0) {
		MHD_stop_daemon(d);
		return ferry_error_set(FERRY_ECONN,
		                       "cannot read the bound port");
	}
	*port = ntohs(ss.ss_family == AF_INET6
	                  ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                  : ((struct sockaddr_in *)&ss)->sin_port);
	*out = d;
	return 0;
bad_addr:
	return ferry_error_set(FERRY_EUSAGE,
	                       "'%s' is not an IP address; give --bind an "
	                       "address such as 127.0.0.1",
	                       o->bind);
}

int attio_http_run(struct attio_sb *sb, const struct attio_http_opts *opts)
{
	struct server s;
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	int port = 0, sig = 0, rc = 0;

	memset(&s, 0, sizeof(s));
	s.sb = sb;
	s.opts = opts;
	pthread_mutex_init(&s.lock, NULL);
	limiter_init(&s.writes, opts->write_rate);
	limiter_init(&s.reads, opts->read_rate);
	the_server = &s;
	if (opts->log_file && !(s.log = fopen(opts->log_file, "a"))) {
		rc = ferry_error_set(FERRY_EIO, "cannot open log '%s': %s",
		                     opts->log_file, strerror(errno));
		goto done;
	}
	/* every thread inherits this mask; the main thread waits below */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = start(&s, &d, &port)) < 0)
		goto done;
	if (opts->port_file &&
	    (rc = write_port_file(opts->port_file, port)) < 0)
		goto done;
	fprintf(stderr, "ferry-sandbox attio listening on http://%s%s%s:%d\n",
	        strchr(opts->bind, ':') ? "[" : "", opts->bind,
	        strchr(opts->bind, ':') ? "]" : "", port);
	while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
done:
	if (d)
		MHD_stop_daemon(d);
	if (s.log)
		fclose(s.log);
	the_server = NULL;
	free(s.writes.ts);
	free(s.reads.ts);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
