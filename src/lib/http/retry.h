/* retry.h: internals of the HTTP client shared by client.c, the unit
 * tests and the fuzzers: the rate-to-window rule, the precise Retry-After
 * reading and the backoff schedule. Not part of the public API. */
#ifndef FERRY_HTTP_RETRY_H
#define FERRY_HTTP_RETRY_H

#include "ferry/common.h"

/* Delta-seconds above this are read as this (a day): nothing ferry does
 * should sit still longer, and it keeps the millisecond arithmetic far
 * from overflow. */
#define FERRY_HTTP_RETRY_AFTER_MAX_S ((int64_t)86400)

/* Turns "requests per second" into the limiter's (limit, window): limit =
 * ceil(rate) events per window of limit / rate seconds. Integer rates give
 * a 1 s window (25/s: 25 events per second); 0.5/s gives 1 event per 2 s;
 * 10.5/s gives 11 events per 1.048 s, never faster than asked. A rate of
 * 0, below 0, not finite or above 100000 means no limit (limit 0). */
void ferry_http__rate_window(double rate, unsigned *limit, int64_t *window_us);

/* The backoff ceiling before retry number `retry` (1 for the first
 * retry): min(cap, base * 2^(retry-1)). */
int64_t ferry_http__backoff_ceiling_ms(int64_t base_ms, int64_t cap_ms,
                                       int retry);
/* "Full jitter": a uniform draw from [0, ceiling] using the xorshift state
 * `*rng` (never 0; seed it with ferry_http__rng_seed). */
int64_t ferry_http__backoff_ms(int64_t base_ms, int64_t cap_ms, int retry,
                               uint64_t *rng);
uint64_t ferry_http__rng_seed(void);

#endif
