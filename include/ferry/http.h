/* http.h: ferry's HTTP client for CRM APIs, on libcurl. It holds the
 * destination's budget with a sliding-window limiter per class (reads,
 * writes), treats a 429 as "the whole destination is blocked until
 * Retry-After" (an HTTP date or delta-seconds), retries timeouts, dropped
 * connections and 5xx with capped exponential backoff and jitter, and
 * hands any other answer (2xx, 4xx) back to the caller. TLS verification
 * is always on. The token is sent as a Bearer header and never logged. */
#ifndef FERRY_HTTP_H
#define FERRY_HTTP_H

#include <time.h>

#include "ferry/buf.h"

/* Responses over this size are refused (FERRY_ETOOBIG). */
#define FERRY_HTTP_BODY_MAX ((size_t)64 * 1024 * 1024)

/*
 * A sliding-window rate limiter: at most `limit` events in any window of
 * `window_us` microseconds, plus a blocked-until instant set by a 429. It
 * keeps the times of the last `limit` events in a ring.
 */
struct ferry_ratelimit {
	int64_t *ring;  /* times of the last `limit` events (mono us) */
	unsigned limit; /* events per window */
	unsigned next;  /* ring slot of the oldest event */
	unsigned used;  /* events recorded so far, up to limit */
	int64_t window_us;
	int64_t blocked_until_us;
};
void ferry_ratelimit_init(struct ferry_ratelimit *rl, unsigned limit,
                          int64_t window_us);
void ferry_ratelimit_release(struct ferry_ratelimit *rl);
/* Microseconds to wait from `now_us` before one more event fits (0: now). */
int64_t ferry_ratelimit_wait_us(const struct ferry_ratelimit *rl,
                                int64_t now_us);
/* Records an event at `now_us` (call after waiting). */
void ferry_ratelimit_take(struct ferry_ratelimit *rl, int64_t now_us);
/* Blocks every event until `until_us` (keeps the later of two blocks). */
void ferry_ratelimit_block_until(struct ferry_ratelimit *rl, int64_t until_us);

/* Parses a Retry-After value: delta-seconds ("2") or an HTTP date, read
 * against `now`. Gives the delay in milliseconds (0 for a date in the
 * past). FERRY_EINVALID for anything else. */
int ferry_http_parse_retry_after(int64_t *out_ms, const char *value,
                                 time_t now);

enum ferry_http_class { FERRY_HTTP_READ = 0, FERRY_HTTP_WRITE = 1 };

struct ferry_http_opts {
	const char *base_url; /* "https://api.attio.com"; no trailing slash */
	const char *token;    /* Bearer token; copied */
	const char *name;     /* for messages: "Attio" */
	/* The ferry.yaml key that sets base_url, for messages (default
	 * "destination.base_url"). */
	const char *url_setting;
	double read_rate;     /* requests per second; 0: unlimited */
	double write_rate;
	int max_attempts; /* per request, including the first; default 6 */
	long timeout_ms;  /* per attempt; default 60000 */
	long connect_timeout_ms; /* default 10000 */
	int64_t backoff_base_ms; /* first retry delay; default 500 */
	int64_t backoff_max_ms;  /* cap; default 30000 */
};

struct ferry_http_stats {
	int64_t requests;      /* attempts sent */
	int64_t retries;       /* attempts after the first */
	int64_t rate_limited;  /* 429s received */
	int64_t server_errors; /* 5xx received */
	int64_t transport_errors;
};

struct ferry_http_response {
	long status;
	struct ferry_buf body;
	int attempts;
	/* The final answer's header lines, "Name: value\n" each. */
	struct ferry_buf headers;
};
#define FERRY_HTTP_RESPONSE_INIT                                               \
	{                                                                      \
		0, FERRY_BUF_INIT, 0, FERRY_BUF_INIT                           \
	}
void ferry_http_response_release(struct ferry_http_response *r);
/* Copies the value of response header `name` (case-insensitive; the last
 * one if repeated) into out. FERRY_ENOTFOUND if absent, FERRY_ETOOBIG if
 * it does not fit. */
int ferry_http_response_header(const struct ferry_http_response *r,
                               const char *name, char *out, size_t outlen);

/* A request beyond the JSON default (ferry_http_request_ex). */
struct ferry_http_req {
	/* Content-Type of the body (default "application/json"). */
	const char *content_type;
	/* Accept (default "application/json"). */
	const char *accept;
	/* The body and its length (body_len 0: strlen(body)); NULL: none. */
	const char *body;
	size_t body_len;
	/* Send no Authorization header (token endpoints, version lists). */
	bool no_auth;
	/* Extra header lines ("Name: value"), NULL-terminated, or NULL. */
	const char *const *headers;
	/* Hand back 5xx at once instead of retrying: for a caller that must
	 * not repeat a request (a token grant that rotates). */
	bool no_retry;
};


struct ferry_http;
int ferry_http_new(struct ferry_http **out, const struct ferry_http_opts *o);
void ferry_http_free(struct ferry_http *h);
/* Replaces the Bearer token (after a login or a refresh) and the base URL
 * (a login's instance_url). Either may be NULL to keep it. */
int ferry_http_set_auth(struct ferry_http *h, const char *token,
                        const char *base_url);
const char *ferry_http_base_url(const struct ferry_http *h);

/* Sends `method` `path` (appended to base_url) with an optional JSON
 * `body`, waiting for the class's budget first. Returns 0 once the server
 * gave a final answer (any 2xx or 4xx but 429; or a 5xx/429 after the last
 * attempt), with `resp` filled. Returns a negative code without a response
 * when no answer came: FERRY_ECONN ("cannot connect to Attio at
 * http://127.0.0.1:1: Connection refused; check destination.base_url in
 * ferry.yaml"), FERRY_ETIMEOUT, FERRY_ETOOBIG. */
int ferry_http_request(struct ferry_http *h, enum ferry_http_class cls,
                       const char *method, const char *path, const char *body,
                       struct ferry_http_response *resp);

/* The same with the options of `req` (NULL: as ferry_http_request with
 * no body). `path` is appended to base_url, unless it is a whole URL
 * (https://… or http://…) on the base URL's host, as a login or a
 * nextRecordsUrl may give. */
int ferry_http_request_ex(struct ferry_http *h, enum ferry_http_class cls,
                          const char *method, const char *path,
                          const struct ferry_http_req *req,
                          struct ferry_http_response *resp);

const struct ferry_http_stats *ferry_http_stats(const struct ferry_http *h);

#endif
