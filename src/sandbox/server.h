/* server.h: what every ferry-sandbox stand-in's HTTP side shares: the
 * libmicrohttpd daemon bound to an address and port (0 picks one), the
 * port file, the per-request state with a capped body, the request log
 * (path and query only, never a header), the run loop that stops on
 * SIGTERM or SIGINT, a sliding-window rate limiter, the injected faults
 * and latency (--fail-rate, --drop-rate, --timeout-rate, --latency-ms),
 * and the small pieces of HTTP authentication (base64, constant-time
 * comparison). */
#ifndef FERRY_SANDBOX_SERVER_H
#define FERRY_SANDBOX_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <microhttpd.h>

#include "ferry/buf.h"

struct sandbox_server_opts {
	const char *name; /* the stand-in, for the "listening" line */
	const char *bind;
	int port; /* 0: any free port */
	const char *port_file;
	const char *log_file;
	size_t body_max; /* a longer body sets sandbox_request.too_big */
};

/* One request, made before the handler is first called and freed once
 * the answer is sent (or the connection dropped). */
struct sandbox_request {
	char *uri; /* path and query as sent, undecoded */
	struct ferry_buf body;
	bool started, too_big;
	int64_t start_us; /* monotonic */
};

struct sandbox_server;

/* Called once per request, with the whole body in `rq`: must queue an
 * answer on `c` and return its result, or return MHD_NO to close the
 * connection without one. */
typedef enum MHD_Result (*sandbox_server_fn)(struct sandbox_server *s,
                                             struct MHD_Connection *c,
                                             const char *url,
                                             const char *method,
                                             struct sandbox_request *rq);

struct sandbox_server {
	struct sandbox_server_opts opts;
	sandbox_server_fn handle;
	/* Called once listening, before the port file is written (so before
	 * any client that waits for it can call); may be NULL. */
	int (*on_listen)(struct sandbox_server *s);
	void *app; /* the stand-in's state */
	int port;  /* the bound port, once listening */
	/* private */
	FILE *log;
	pthread_mutex_t log_lock;
	atomic_bool stopping; /* set once SIGTERM/SIGINT arrived */
};

/* Runs the server until SIGTERM or SIGINT; 0 on a clean stop. The
 * caller fills opts, handle, on_listen and app. */
int sandbox_server_run(struct sandbox_server *s);

/* Appends "TIME METHOD URI STATUS DURATIONms" to the log, if any. A
 * status of 0 logs a dropped connection, SANDBOX_LOG_HELD one held open
 * until its client gave up. Thread-safe. */
#define SANDBOX_LOG_HELD (-1)
void sandbox_server_log(struct sandbox_server *s, const char *method,
                        const char *uri, int status, int64_t start_us);

/* Writes "PORT\n" to `path` atomically (a temporary file, then rename). */
int sandbox_server_write_port_file(const char *path, int port);

/* A sliding one-second window: the monotonic times of the requests
 * accepted in the last second, at most `limit` of them. */
struct sandbox_limiter {
	int limit; /* 0: unlimited */
	int64_t *ts;
	int head, count;
};
void sandbox_limiter_init(struct sandbox_limiter *l, int limit);
void sandbox_limiter_free(struct sandbox_limiter *l);
/* Takes a slot at `now` (µs); false, and when one frees, if full. */
bool sandbox_limiter_take(struct sandbox_limiter *l, int64_t now,
                          int64_t *free_at);

/* A sliding window of any span counting events, for measurement: the
 * highest number of events that fell in any one window (a window ending
 * at an event is where the count peaks, so checking at each event is
 * exact). Not thread-safe: the caller's lock covers it. */
struct sandbox_window {
	int64_t span_us;
	int64_t *ts; /* ring of the times still in the window */
	size_t cap, head, count;
	size_t max;
};
void sandbox_window_init(struct sandbox_window *w, int64_t span_us);
void sandbox_window_free(struct sandbox_window *w);
void sandbox_window_add(struct sandbox_window *w, int64_t now_us);

/* What a stand-in can inject, set from its options: a fraction of
 * requests failed, dropped (closed with no answer) or held (never
 * answered until the client gives up), and a delay before every answer
 * of latency_ms +- jitter_ms, uniformly. Draws come from splitmix64
 * streams seeded with `seed` (one for faults, one for jitter), so one
 * seed and one request order give the same faults. */
struct sandbox_faults {
	double fail_rate, drop_rate, timeout_rate;
	int64_t latency_ms, jitter_ms;
	uint64_t seed;
	/* private */
	uint64_t rng, jitter_rng;
	pthread_mutex_t lock;
};
void sandbox_faults_init(struct sandbox_faults *f);
void sandbox_faults_free(struct sandbox_faults *f);
/* A uniform draw in [0, 1). Thread-safe. */
double sandbox_faults_draw(struct sandbox_faults *f);
/* True with probability `rate` (never for 0, always for 1). */
bool sandbox_faults_hit(struct sandbox_faults *f, double rate);
/* Sleeps latency_ms +- jitter_ms (never below 0); the caller holds no
 * lock, so other connections are served meanwhile. */
void sandbox_faults_delay(struct sandbox_faults *f);

/* Keeps connection c open without answering until its client closes it
 * or the server is stopping; the handler then returns MHD_NO. */
void sandbox_server_hold(struct sandbox_server *s, struct MHD_Connection *c);

/* Option values: "--opt wants ..." usage errors (FERRY_EUSAGE). */
int sandbox_parse_rate(const char *opt, const char *s, double *out);
int sandbox_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi,
                      int64_t *out);

/* Compares a secret of `alen` bytes with `b` in time independent of
 * where they differ. */
bool sandbox_secret_equal(const char *a, size_t alen, const char *b);
/* Decodes standard base64 (padding optional) into `out`, which caps the
 * size; false if malformed. */
bool sandbox_b64decode(const char *s, struct ferry_buf *out);

/* The value of one hexadecimal digit, or -1; for the percent-decoding
 * the stand-ins (and their fuzzers and test fakes) all do. */
int sandbox_hexval(char c);
/* The decoded value ('+' is a space) of `name` in the query string
 * (undecoded, may be NULL), "" for a bare name, or NULL if absent; the
 * caller frees. Shared by the Attio and Salesforce stand-ins. */
char *sandbox_query_arg(const char *query, const char *name);

#endif
