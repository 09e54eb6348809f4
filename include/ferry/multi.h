/* multi.h: many requests in flight on one libcurl multi handle, under the
 * rules of http.h: a sliding-window limiter per class (reads, writes)
 * that counts each request from when libcurl sends it, and that lets a
 * class's budget in spread over a window at first and after a 429, never
 * in one burst; a 429 blocks the whole destination until its
 * Retry-After; timeouts, dropped connections and 5xx are retried with
 * capped exponential backoff and full jitter (not for FERRY_MULTI_ONCE
 * requests); any other answer goes back to the caller. How many
 * transfers are in flight follows the destination: rate × the latency
 * observed (a moving median), plus a margin, within max_in_flight — so a
 * slow destination is still written at its full rate, and a fast one is
 * not flooded. One thread; the caller drives it with ferry_multi_run().
 * TLS verification is always on; the token is never logged. */
#ifndef FERRY_MULTI_H
#define FERRY_MULTI_H

#include "ferry/http.h"

struct ferry_multi;

/* A request that must not be carried out twice (a create Attio cannot
 * assert). A 429 is still sent again after its Retry-After (Attio did not
 * carry it out), and so is an attempt libcurl never got to send (a
 * connection that could not be made in time). But once it was sent, a
 * timeout, a dropped connection or a 5xx ends it at once: error < 0 with
 * a message for a broken transport, the 5xx as the answer. It may have
 * reached the destination: the caller looks for its result before making
 * it again. libcurl's own resend of a request whose reused connection
 * died is refused too. */
#define FERRY_MULTI_ONCE 0x1u

struct ferry_multi_opts {
	/* Base URL, token, name, rates, attempts, timeouts and backoff, as
	 * for ferry_http_new (copied). */
	const struct ferry_http_opts *http;
	/* Upper bound on transfers in flight (default 64). */
	int max_in_flight;
};

/* One request's end, handed to the ferry_multi_run() callback. */
struct ferry_multi_done {
	void *tag; /* the caller's, from ferry_multi_add */
	int error; /* 0: answered (resp set); < 0: no usable answer after
	              every attempt (FERRY_ECONN, FERRY_ETIMEOUT, ...), or
	              after the one sent attempt of a FERRY_MULTI_ONCE */
	/* The final answer: any 2xx or 4xx but 429, or the 5xx/429 of the
	 * last attempt (a ONCE request's first 5xx). Valid during the
	 * callback only. */
	const struct ferry_http_response *resp;
	const char *message; /* error < 0: what happened (no secret) */
	int attempts;
	int64_t latency_us; /* of the last attempt */
};

int ferry_multi_new(struct ferry_multi **out, const struct ferry_multi_opts *o);
void ferry_multi_free(struct ferry_multi *m);

/* Queues `method` `path` (appended to the base URL) with an optional JSON
 * body (copied). It starts when the budget and the in-flight window
 * allow, in the order added (retries go before new requests once their
 * backoff is over). Never blocks. */
int ferry_multi_add(struct ferry_multi *m, enum ferry_http_class cls,
                    const char *method, const char *path, const char *body,
                    void *tag);
/* The same with `flags` (0 or FERRY_MULTI_ONCE; anything else is
 * FERRY_EINVALID). ferry_multi_add is flags 0. */
int ferry_multi_add_flags(struct ferry_multi *m, enum ferry_http_class cls,
                          const char *method, const char *path,
                          const char *body, unsigned flags, void *tag);

/* Drives the transfers for at most `timeout_ms` (0: one pass without
 * waiting), calling `cb` for each request that ended. Returns the number
 * of requests still queued or in flight (>= 0), or the first negative
 * value `cb` returned (the other requests stay queued), or a negative
 * code when libcurl itself fails. */
int ferry_multi_run(struct ferry_multi *m, int timeout_ms,
                    int (*cb)(const struct ferry_multi_done *d, void *payload),
                    void *payload);

/* Requests queued or in flight. */
size_t ferry_multi_pending(const struct ferry_multi *m);
/* Transfers in flight now, and the window's current target. */
int ferry_multi_in_flight(const struct ferry_multi *m, int *target);

/* Counts over the handle's life (requests are attempts). */
const struct ferry_http_stats *ferry_multi_stats(const struct ferry_multi *m);

#endif
