/* retry.c: when to try again. Reads a Retry-After header (delta-seconds or
 * an HTTP date) and computes the capped exponential backoff, with full
 * jitter, that ferry uses when a server gives no Retry-After. */
#include <ctype.h>
#include <math.h>
#include <unistd.h>

#include "util.h"

#include "ferry/http.h"
#include "http/retry.h"

#define RETRY_AFTER_MAX_LEN 64
#define RATE_MAX            100000.0
#define WINDOW_MAX_US       ((int64_t)86400 * 1000000)

void ferry_http__rate_window(double rate, unsigned *limit, int64_t *window_us)
{
	double n, w;

	if (!(rate > 0.0) || !isfinite(rate) || rate > RATE_MAX) {
		*limit = 0;
		*window_us = 1000000;
		return;
	}
	n = ceil(rate);
	w = n * 1e6 / rate;
	*limit = (unsigned)n;
	*window_us =
	    w >= (double)WINDOW_MAX_US ? WINDOW_MAX_US : (int64_t)ceil(w);
}

/*
 * Retry-After (RFC 9110 §10.2.3) is either delta-seconds (1*DIGIT) or an
 * HTTP date. Attio sends a date, "usually the next second". A date has
 * one-second resolution and `now` is a whole second too, so the delay is
 * (date - now) seconds: a date at or before the current second is "now"
 * (0 ms), one second ahead is 1000 ms. Waiting the whole second from the
 * moment the answer is read lands inside the named second, never before
 * it, which also absorbs a little clock skew between us and the server.
 * Signs, fractions and anything else are invalid: the caller falls back to
 * its own backoff.
 */
int ferry_http_parse_retry_after(int64_t *out_ms, const char *value, time_t now)
{
	char tmp[RETRY_AFTER_MAX_LEN + 1];
	const char *s, *e;
	size_t len, i;
	int error = 0;

	if (!value)
		return ferry_error_set(FERRY_EINVALID,
		                       "missing Retry-After value");
	s = value;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	                 e[-1] == '\n'))
		e--;
	len = (size_t)(e - s);
	if (len == 0 || len > RETRY_AFTER_MAX_LEN) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Retry-After value is empty or too "
		                        "long (%zu bytes)",
		                        len);
		goto done;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';

	for (i = 0; i < len && isdigit((unsigned char)tmp[i]); i++)
		;
	if (i == len) {
		int64_t secs = 0;

		/* Saturate instead of overflowing: 1*DIGIT can be long. */
		for (i = 0; i < len; i++) {
			secs = secs * 10 + (tmp[i] - '0');
			if (secs > FERRY_HTTP_RETRY_AFTER_MAX_S) {
				secs = FERRY_HTTP_RETRY_AFTER_MAX_S;
				break;
			}
		}
		*out_ms = secs * 1000;
	} else {
		time_t when;
		int64_t delta;

		if (ferry_clock_parse_http_date(tmp, &when) < 0) {
			error = ferry_error_set(FERRY_EINVALID,
			                        "'%s' is neither delta-seconds "
			                        "nor an HTTP date",
			                        tmp);
			goto done;
		}
		delta = (int64_t)when - (int64_t)now;
		if (delta < 0)
			delta = 0;
		if (delta > FERRY_HTTP_RETRY_AFTER_MAX_S)
			delta = FERRY_HTTP_RETRY_AFTER_MAX_S;
		*out_ms = delta * 1000;
	}
done:
	return error;
}

/*
 * Backoff, for 5xx answers, timeouts, dropped connections and a 429 that
 * came without a usable Retry-After: before retry number r (r = 1 for the
 * first retry) ferry sleeps
 *
 *     ceiling(r) = min(cap, base * 2^(r-1))
 *     delay(r)   = uniform random in [0, ceiling(r)]        ("full jitter")
 *
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter")
 * spreads clients that failed together, so they do not come back in step
 * and knock the server over again; the ceiling still grows, so a server
 * that stays down gets fewer and fewer requests.
 */
int64_t ferry_http__backoff_ceiling_ms(int64_t base_ms, int64_t cap_ms,
                                       int retry)
{
	int64_t c = base_ms > 0 ? base_ms : 1;
	int i;

	if (cap_ms < c)
		cap_ms = c;
	for (i = 1; i < retry && c < cap_ms; i++)
		c = c > cap_ms / 2 ? cap_ms : c * 2;
	return c < cap_ms ? c : cap_ms;
}

static uint64_t xorshift64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

int64_t ferry_http__backoff_ms(int64_t base_ms, int64_t cap_ms, int retry,
                               uint64_t *rng)
{
	int64_t ceiling =
	    ferry_http__backoff_ceiling_ms(base_ms, cap_ms, retry);

	if (*rng == 0)
		*rng = 0x9e3779b97f4a7c15ULL;
	return (int64_t)(xorshift64(rng) % ((uint64_t)ceiling + 1));
}

uint64_t ferry_http__rng_seed(void)
{
	uint64_t seed = (uint64_t)ferry_clock_wall_us() ^
	                ((uint64_t)getpid() << 32) ^
	                (uint64_t)ferry_clock_mono_us() * 0x9e3779b97f4a7c15ULL;

	return seed ? seed : 1;
}
