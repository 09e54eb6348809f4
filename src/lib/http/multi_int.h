/* multi_int.h: the inside of a ferry_multi, shared by multi.c (the handle,
 * the run loop and what each answer means) and multi_queue.c (which
 * request starts next, how many may be in flight, when to wake up). Not
 * part of the public API. */
#ifndef FERRY_HTTP_MULTI_INT_H
#define FERRY_HTTP_MULTI_INT_H

#include "ferry/multi.h"
#include "http/easy.h"

/* Latencies kept for the window's moving median. */
#define FERRY_MULTI__LATENCY_SAMPLES 32
/* The window before any latency is known. */
#define FERRY_MULTI__INITIAL_WINDOW 4
/* The margin of the multi handle's limiter over the destination's window
 * (25 writes in 1 s + 20 ms). Each event is counted from the moment
 * libcurl sends the request, not from when it was queued for sending (a
 * new connection, a TLS handshake), so what is left to absorb is how much
 * later the server reads one request than another. On a busy two-core
 * machine against ferry-sandbox that varies by more than 10 ms: at 25/s
 * a 5 ms margin drew 5 or 6 429s per 2,000 writes, 10 ms about one per
 * 4,000, 20 ms one in 10,000 (and none in the 5,000 of `make bench`). 2%
 * of the budget; a 429 costs about as much (a whole second of
 * Retry-After). */
#define FERRY_MULTI__SEND_MARGIN_US 20000

/* One request, from ferry_multi_add to its callback. */
struct ferry_multi__req {
	struct ferry_multi__req *next; /* in its queue */
	uint64_t seq;                  /* order added */
	enum ferry_http_class cls;
	char *method;
	char *url;
	char *body; /* NULL: none */
	size_t body_len;
	void *tag;
	struct ferry_multi *m; /* for libcurl's callbacks */
	unsigned flags;        /* FERRY_MULTI_ONCE */
	int sent;              /* attempts sent, 429s included */
	int failures;          /* 5xx and broken transports: use up attempts */
	int in_a_row_429;      /* 429s since the last other outcome */
	int64_t not_before_us; /* a retry waits its backoff (mono us) */
	int64_t started_us;    /* of the attempt in flight */
	uint64_t take;         /* its class's limiter event, numbered */
	int sends; /* times libcurl sent the attempt (its own resends) */
	bool refused_resend; /* a ONCE attempt libcurl wanted to resend */
	CURL *easy;          /* while in flight */
	struct ferry_http__xfer x;
};

struct ferry_multi__fifo {
	struct ferry_multi__req *head, *tail;
};

struct ferry_multi {
	CURLM *multi;
	struct ferry_http__dest dest;
	struct ferry_ratelimit rl[2]; /* indexed by enum ferry_http_class */
	uint64_t takes[2];            /* events each limiter recorded */
	double rate[2];
	/* The header lines of every transfer: built once, so the token is
	 * copied once, and wiped when the handle is freed. */
	struct curl_slist *headers;
	uint64_t rng;
	struct ferry_http_stats stats;
	uint64_t next_seq;

	/* Not in flight: new requests per class in the order added, and
	 * retries sorted by the end of their backoff. */
	struct ferry_multi__fifo fresh[2];
	struct ferry_multi__req *retry;
	size_t queued;
	size_t active[2]; /* per class, queued or in flight */

	/* In flight: up to max_in_flight. */
	struct ferry_multi__req **flying;
	int in_flight;
	int max_in_flight;
	int target;

	/* Easy handles between transfers (their connections stay in the
	 * multi handle's cache either way). */
	CURL **idle;
	int nidle;

	int64_t latency_us[FERRY_MULTI__LATENCY_SAMPLES];
	unsigned nlatency, latency_next;
};

void ferry_multi__push_fresh(struct ferry_multi *m, struct ferry_multi__req *r);
/* Queues a retry that may start at `not_before_us`. */
void ferry_multi__push_retry(struct ferry_multi *m, struct ferry_multi__req *r,
                             int64_t not_before_us);
/* Takes the request to start now, if any: the first retry whose backoff
 * is over and whose class has budget, else the oldest new request whose
 * class has budget. `wait_us` is each class's limiter wait. */
struct ferry_multi__req *ferry_multi__pick(struct ferry_multi *m,
                                           int64_t now_us,
                                           const int64_t wait_us[2]);
/* Takes any request not in flight (retries first), or NULL. */
struct ferry_multi__req *ferry_multi__pop_queued(struct ferry_multi *m);

/* Records an answered attempt's latency and recomputes the target. */
void ferry_multi__record_latency(struct ferry_multi *m, int64_t us);
/* The window rule: see docs/internals/http.md. */
void ferry_multi__update_target(struct ferry_multi *m);
/* When the run loop must look again without a socket event: the next
 * limiter slot or backoff end of a request that could start, capped at
 * `deadline_us`. */
int64_t ferry_multi__next_wake_us(const struct ferry_multi *m, int64_t now_us,
                                  int64_t deadline_us);

/* ratelimit.c's extras for the multi handle. */

/* As if the window before `end_us` had been spent evenly: from `end_us`
 * on, the limiter lets one event through every window/limit, not `limit`
 * at once, until real events are older. For the first request of a class
 * and after a 429: the destination may have counted writes ferry did not
 * make (`ferry schema --apply` a moment before, another app), and a burst
 * of `limit` on top of them is answered 429. Never lowers a recorded
 * event's time. */
void ferry_ratelimit__spread(struct ferry_ratelimit *rl, int64_t end_us);
/* Moves event number `take` (0: the first ever recorded; `takes` were
 * recorded) to `at_us` if that is later and the event is still in the
 * ring: the request was queued at one time and sent at another. */
void ferry_ratelimit__restamp(struct ferry_ratelimit *rl, uint64_t take,
                              uint64_t takes, int64_t at_us);

#endif
