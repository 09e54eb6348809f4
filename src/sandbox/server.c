/* server.c: the libmicrohttpd glue every stand-in shares: binding, the
 * port file, per-request state with a capped body, the request log, the
 * run loop, the sliding-window limiter and measuring window, injected
 * faults and latency, and HTTP authentication pieces. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

void sandbox_limiter_init(struct sandbox_limiter *l, int limit)
{
	l->limit = limit;
	l->ts = limit > 0 ? ferry_xcalloc((size_t)limit, sizeof(*l->ts)) : NULL;
	l->head = l->count = 0;
}

void sandbox_limiter_free(struct sandbox_limiter *l)
{
	free(l->ts);
	l->ts = NULL;
}

bool sandbox_limiter_take(struct sandbox_limiter *l, int64_t now,
                          int64_t *free_at)
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

void sandbox_window_init(struct sandbox_window *w, int64_t span_us)
{
	memset(w, 0, sizeof(*w));
	w->span_us = span_us;
}

void sandbox_window_free(struct sandbox_window *w)
{
	free(w->ts);
	w->ts = NULL;
	w->cap = w->head = w->count = 0;
}

void sandbox_window_add(struct sandbox_window *w, int64_t now_us)
{
	while (w->count > 0 && w->ts[w->head] <= now_us - w->span_us) {
		w->head = (w->head + 1) % w->cap;
		w->count--;
	}
	if (w->count == w->cap) {
		/* unroll the ring into a twice larger one */
		size_t ncap = w->cap ? w->cap * 2 : 64, i;
		int64_t *nts = ferry_xcalloc(ncap, sizeof(*nts));

		for (i = 0; i < w->count; i++)
			nts[i] = w->ts[(w->head + i) % w->cap];
		free(w->ts);
		w->ts = nts;
		w->cap = ncap;
		w->head = 0;
	}
	w->ts[(w->head + w->count) % w->cap] = now_us;
	w->count++;
	if (w->count > w->max)
		w->max = w->count;
}

void sandbox_faults_init(struct sandbox_faults *f)
{
	f->rng = f->seed ^ 0x5f3759df5ba11adull;
	/* jitter has its own stream, so faults stay one seed's sequence
	 * however the delays interleave */
	f->jitter_rng = f->seed ^ 0x6a09e667f3bcc909ull;
	pthread_mutex_init(&f->lock, NULL);
}

void sandbox_faults_free(struct sandbox_faults *f)
{
	pthread_mutex_destroy(&f->lock);
}

/* splitmix64 */
static double draw(struct sandbox_faults *f, uint64_t *state)
{
	uint64_t z;

	pthread_mutex_lock(&f->lock);
	z = (*state += 0x9E3779B97F4A7C15ull);
	pthread_mutex_unlock(&f->lock);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

double sandbox_faults_draw(struct sandbox_faults *f)
{
	return draw(f, &f->rng);
}

bool sandbox_faults_hit(struct sandbox_faults *f, double rate)
{
	return rate > 0 && sandbox_faults_draw(f) < rate;
}

void sandbox_faults_delay(struct sandbox_faults *f)
{
	int64_t ms = f->latency_ms;

	if (f->jitter_ms > 0)
		ms += (int64_t)((2.0 * draw(f, &f->jitter_rng) - 1.0) *
		                (double)f->jitter_ms);
	if (ms > 0)
		ferry_clock_sleep_us(ms * 1000);
}

void sandbox_server_hold(struct sandbox_server *s, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

	while (!atomic_load(&s->stopping)) {
		struct pollfd p = {.fd = info ? info->connect_fd : -1,
		                   .events = POLLIN};
		char byte;

		if (!info) {
			ferry_clock_sleep_us(100000);
			continue;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return;
		if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
			return;
		if (p.revents & POLLIN) {
			/* 0 bytes waiting means the client closed; bytes
			 * mean it pipelined more: keep holding */
			if (recv(p.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
				return;
			ferry_clock_sleep_us(100000);
		}
	}
}

int sandbox_parse_rate(const char *opt, const char *s, double *out)
{
	double v;

	if (ferry_parse_double(s, &v) < 0 || !(v >= 0.0 && v <= 1.0))
		return ferry_error_set(FERRY_EUSAGE,
		                       "%s wants a fraction from 0 to 1, not "
		                       "'%s'",
		                       opt, s);
	*out = v;
	return 0;
}

int sandbox_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi,
                      int64_t *out)
{
	int64_t v;

	if (ferry_parse_i64(s, &v) < 0 || v < lo || v > hi)
		return ferry_error_set(FERRY_EUSAGE,
		                       "%s wants a number from %lld to %lld, "
		                       "not '%s'",
		                       opt, (long long)lo, (long long)hi, s);
	*out = v;
	return 0;
}

bool sandbox_secret_equal(const char *a, size_t alen, const char *b)
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

bool sandbox_b64decode(const char *s, struct ferry_buf *out)
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
	while (*s == '=')
		s++;
	return *s == '\0';
}

void sandbox_server_log(struct sandbox_server *s, const char *method,
                        const char *uri, int status, int64_t start_us)
{
	char ts[40];
	int64_t dur = ferry_clock_mono_us() - start_us;

	if (!s->log)
		return;
	ferry_clock_iso8601(ferry_clock_wall_us(), ts, sizeof(ts));
	pthread_mutex_lock(&s->log_lock);
	if (status > 0)
		fprintf(s->log, "%s %s %s %d %lld.%03lldms\n", ts, method, uri,
		        status, (long long)(dur / 1000),
		        (long long)(dur % 1000));
	else
		fprintf(s->log, "%s %s %s %s %lld.%03lldms\n", ts, method, uri,
		        status == SANDBOX_LOG_HELD ? "held" : "dropped",
		        (long long)(dur / 1000), (long long)(dur % 1000));
	fflush(s->log);
	pthread_mutex_unlock(&s->log_lock);
}

/* libmicrohttpd's own messages, except the one a deliberately dropped
 * connection (MHD_NO from a handler) causes every time. */
static void mhd_log(void *cls, const char *fmt, va_list ap) FERRY_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct sandbox_server *s = cls;
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strstr(msg, "Application reported internal error"))
		return;
	fprintf(stderr, "ferry-sandbox %s: %s", s->opts.name, msg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct sandbox_server *s = cls;
	struct sandbox_request *rq = *con_cls;

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
	return s->handle(s, c, url, method, rq);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct sandbox_server *s = cls;
	struct sandbox_request *rq = ferry_xcalloc(1, sizeof(*rq));

	FERRY_UNUSED(c);
	rq->uri = ferry_xstrdup(uri ? uri : "");
	ferry_buf_init(&rq->body, s->opts.body_max);
	rq->start_us = ferry_clock_mono_us();
	return rq;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
	struct sandbox_request *rq = *con_cls;

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

int sandbox_server_write_port_file(const char *path, int port)
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

/* Binds opts.bind:opts.port; the daemon into out, its port into s. */
static int start(struct sandbox_server *s, struct MHD_Daemon **out)
{
	const struct sandbox_server_opts *o = &s->opts;
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
	d = MHD_start_daemon(
	    flags, (uint16_t)o->port, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
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
	s->port = ntohs(ss.ss_family == AF_INET6
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

int sandbox_server_run(struct sandbox_server *s)
{
	const struct sandbox_server_opts *o = &s->opts;
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	int sig = 0, rc = 0;

	pthread_mutex_init(&s->log_lock, NULL);
	atomic_init(&s->stopping, false);
	s->log = NULL;
	if (o->log_file && !(s->log = fopen(o->log_file, "a"))) {
		rc = ferry_error_set(FERRY_EIO, "cannot open log '%s': %s",
		                     o->log_file, strerror(errno));
		goto done;
	}
	/* every thread inherits this mask; the main thread waits below */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = start(s, &d)) < 0)
		goto done;
	if (s->on_listen && (rc = s->on_listen(s)) < 0)
		goto done;
	if (o->port_file &&
	    (rc = sandbox_server_write_port_file(o->port_file, s->port)) < 0)
		goto done;
	fprintf(stderr, "ferry-sandbox %s listening on http://%s%s%s:%d\n",
	        o->name, strchr(o->bind, ':') ? "[" : "", o->bind,
	        strchr(o->bind, ':') ? "]" : "", s->port);
	while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
done:
	/* connections held open (--timeout-rate) let go now */
	atomic_store(&s->stopping, true);
	if (d)
		MHD_stop_daemon(d);
	if (s->log)
		fclose(s->log);
	s->log = NULL;
	pthread_mutex_destroy(&s->log_lock);
	return rc;
}

int sandbox_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *sandbox_query_arg(const char *query, const char *name)
{
	size_t nlen = strlen(name);

	while (query && *query) {
		size_t len = strcspn(query, "&");

		if (len >= nlen && !strncmp(query, name, nlen) &&
		    (len == nlen || query[nlen] == '=')) {
			const char *s =
			    len == nlen ? query + len : query + nlen + 1;
			const char *end = query + len;
			char *v = ferry_xcalloc(1, (size_t)(end - s) + 1),
			     *w = v;

			for (; s < end; s++) {
				if (*s == '%' && s + 2 < end &&
				    sandbox_hexval(s[1]) >= 0 &&
				    sandbox_hexval(s[2]) >= 0) {
					*w++ =
					    (char)(sandbox_hexval(s[1]) * 16 +
					           sandbox_hexval(s[2]));
					s += 2;
				} else {
					*w++ = *s == '+' ? ' ' : *s;
				}
			}
			*w = '\0';
			return v;
		}
		query += len;
		if (*query == '&')
			query++;
	}
	return NULL;
}
