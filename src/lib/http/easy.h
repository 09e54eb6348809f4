/* easy.h: what the synchronous client (client.c) and the multi handle
 * (multi.c) share. easy.c: the destination's settings and their checks,
 * the setup of a libcurl easy handle (TLS verification, timeouts,
 * User-Agent, size cap, header capture), the Bearer header list, URLs from
 * the base URL. outcome.c: what is retried, the 429 delay and the messages
 * for a request that got no answer. Not part of the public API. */
#ifndef FERRY_HTTP_EASY_H
#define FERRY_HTTP_EASY_H

#include <curl/curl.h>

#include "ferry/http.h"

/* 429s do not use up attempts (the request was not processed), but a
 * destination that never stops answering 429 must still end the request. */
#define FERRY_HTTP__MAX_429_IN_A_ROW 20
/* A Retry-After further out than this ends the request instead of leaving
 * ferry silently asleep: the person running it decides when to resume. */
#define FERRY_HTTP__RETRY_AFTER_WAIT_MAX_MS ((int64_t)5 * 60 * 1000)

/* A destination: ferry_http_opts checked, copied and given defaults. */
struct ferry_http__dest {
	char *token; /* NULL: none; wiped before it is freed */
	char *base_url;
	char *name;
	char *url_setting; /* where the user sets base_url, for messages */
	int max_attempts;
	long timeout_ms;
	long connect_timeout_ms;
	int64_t backoff_base_ms;
	int64_t backoff_max_ms;
	bool curl_global; /* curl_global_init() to undo */
};

/* FERRY_ECONFIG for a URL that is not http(s) or a token or URL with a
 * control character (the token is never echoed). Also initialises libcurl
 * (curl_global_init); ferry_http__dest_release undoes it. */
int ferry_http__dest_init(struct ferry_http__dest *d,
                          const struct ferry_http_opts *o);
void ferry_http__dest_release(struct ferry_http__dest *d);
/* Replaces the token and/or the base URL (NULL keeps it). */
int ferry_http__dest_set_auth(struct ferry_http__dest *d, const char *token,
                              const char *base_url);

/* The limiter for `rate` requests per second (0: unlimited), its window
 * 2% wider to absorb the jitter between our clock and the server's. */
void ferry_http__limiter_init(struct ferry_ratelimit *rl, double rate);

/* One attempt's answer as libcurl delivers it. */
struct ferry_http__xfer {
	struct ferry_buf body;    /* capped at FERRY_HTTP_BODY_MAX */
	struct ferry_buf headers; /* "Name: value\n" of the last block */
	bool too_big;
	bool has_retry_after;
	char retry_after[128];
	char errbuf[CURL_ERROR_SIZE];
};
void ferry_http__xfer_init(struct ferry_http__xfer *x);
/* Empties it before an attempt (the body's memory is freed). */
void ferry_http__xfer_reset(struct ferry_http__xfer *x);
void ferry_http__xfer_release(struct ferry_http__xfer *x);
/* Moves the body and copies the headers into `r` (status, attempts). */
void ferry_http__xfer_to_response(struct ferry_http__xfer *x, long status,
                                  int attempts, struct ferry_http_response *r);

/* The options every ferry request has: TLS verification on, no
 * redirects, http(s) only, timeouts, User-Agent, size cap, keep-alive. */
void ferry_http__easy_setup(CURL *c, const struct ferry_http__dest *d);
/* Points the handle's body, header and error callbacks at `x`. */
void ferry_http__easy_bind(CURL *c, struct ferry_http__xfer *x);
/* Method, URL and body for one request (the body is not copied). */
void ferry_http__easy_request(CURL *c, const char *url, const char *method,
                              const char *body, size_t body_len);

/* The header lines of a request (`req` NULL: JSON, with the token). */
int ferry_http__headers(struct curl_slist **out,
                        const struct ferry_http__dest *d,
                        const struct ferry_http_req *req);
/* Wipes the Authorization line, then frees the list. */
void ferry_http__headers_free(struct curl_slist *l);

/* The URL for `path`: appended to the base URL, or a whole URL on the
 * base URL's origin (else FERRY_EINVALID, before anything is sent). */
int ferry_http__url(char **out, const struct ferry_http__dest *d,
                    const char *path);

/* Broken transports worth another attempt. */
bool ferry_http__is_retryable(CURLcode rc);

/* How long to hold the destination after the n-th 429 in a row: its
 * Retry-After, or the backoff when it has none or says "now". */
int64_t ferry_http__delay_after_429(const struct ferry_http__xfer *x,
                                    const struct ferry_http__dest *d, int n,
                                    uint64_t *rng);

/* Sets and returns the error for an attempt that got no answer and will
 * not be retried (FERRY_ECONN, FERRY_ETIMEOUT, FERRY_ETOOBIG,
 * FERRY_ECONFIG), naming the destination and its base URL, never the
 * path or the token. */
int ferry_http__no_answer_error(const struct ferry_http__dest *d, CURL *c,
                                const struct ferry_http__xfer *x, CURLcode rc,
                                int attempts);

#endif
