/* ratelimit.c: the sliding-window limiter, as pure arithmetic on made-up
 * times, and the rate-to-window rule. */
#include "helpers.h"
#include "util.h"

#include "ferry/http.h"
#include "http/retry.h"

#define SEC 1000000

static void test_fills_then_waits_for_oldest(void **state)
{
	struct ferry_ratelimit rl;
	int i;

	(void)state;
	ferry_ratelimit_init(&rl, 25, SEC);
	for (i = 0; i < 25; i++) {
		assert_int_equal(ferry_ratelimit_wait_us(&rl, 1000 + i * 10),
		                 0);
		ferry_ratelimit_take(&rl, 1000 + i * 10);
	}
	/* The 26th waits until the first (at 1000) leaves the window. */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 5000), 1000 + SEC - 5000);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 1000 + SEC), 0);
	ferry_ratelimit_take(&rl, 1000 + SEC);
	/* Now the oldest is the second event, at 1010. */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 1000 + SEC), 10);
	ferry_ratelimit_release(&rl);
}

static void test_blocked_until_dominates(void **state)
{
	struct ferry_ratelimit rl;

	(void)state;
	ferry_ratelimit_init(&rl, 5, SEC);
	ferry_ratelimit_take(&rl, 0);
	ferry_ratelimit_block_until(&rl, 3 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC), 2 * SEC);
	/* An earlier block does not shorten a later one. */
	ferry_ratelimit_block_until(&rl, 2 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC), 2 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 3 * SEC), 0);
	/* When the window is full and a block is set, the later one wins. */
	ferry_ratelimit_take(&rl, 3 * SEC);
	ferry_ratelimit_take(&rl, 3 * SEC);
	ferry_ratelimit_take(&rl, 3 * SEC);
	ferry_ratelimit_take(&rl, 3 * SEC);
	ferry_ratelimit_take(&rl, 3 * SEC); /* replaces the event at 0 */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 3 * SEC), SEC);
	ferry_ratelimit_block_until(&rl, 10 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 3 * SEC), 7 * SEC);
	ferry_ratelimit_release(&rl);
}

static void test_unlimited(void **state)
{
	struct ferry_ratelimit rl;
	int i;

	(void)state;
	ferry_ratelimit_init(&rl, 0, SEC);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(ferry_ratelimit_wait_us(&rl, i), 0);
		ferry_ratelimit_take(&rl, i);
	}
	ferry_ratelimit_block_until(&rl, 50000);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 10000), 40000);
	ferry_ratelimit_release(&rl);
	ferry_ratelimit_release(NULL);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Property: over a long run of random arrivals that always wait as told,
 * no window of window_us ever holds more than `limit` events, and the
 * limiter never makes anyone wait when there is room. */
static void run_property(unsigned limit, int64_t window, uint64_t seed)
{
	struct ferry_ratelimit rl;
	int64_t *times = ferry_xcalloc(5000, sizeof(*times));
	int64_t now = 0;
	size_t n = 0, i, lo = 0;

	ferry_ratelimit_init(&rl, limit, window);
	while (n < 5000) {
		int64_t wait;

		/* Bursts and lulls: mostly tiny gaps, sometimes long ones. */
		now += (int64_t)(rng_next(&seed) % 8 == 0
		                     ? rng_next(&seed) % (uint64_t)window
		                     : rng_next(&seed) % 2000);
		if (rng_next(&seed) % 500 == 0)
			ferry_ratelimit_block_until(
			    &rl, now + (int64_t)(rng_next(&seed) %
			                         (uint64_t)(3 * window)));
		wait = ferry_ratelimit_wait_us(&rl, now);
		assert_true(wait >= 0);
		now += wait;
		assert_int_equal(ferry_ratelimit_wait_us(&rl, now), 0);
		ferry_ratelimit_take(&rl, now);
		times[n++] = now;
	}
	/* Sliding check: events in (t - window, t] for each event t. */
	for (i = 0; i < n; i++) {
		while (times[lo] <= times[i] - window)
			lo++;
		assert_true(i - lo + 1 <= limit);
	}
	ferry_ratelimit_release(&rl);
	free(times);
}

static void test_property_never_over_limit(void **state)
{
	(void)state;
	run_property(25, SEC, 0x1234567887654321ULL);
	run_property(1, 2 * SEC, 42);
	run_property(100, SEC, 7);
	run_property(3, 1000, 99);
}

static void test_rate_window(void **state)
{
	unsigned limit;
	int64_t window;

	(void)state;
	ferry_http__rate_window(25.0, &limit, &window);
	assert_int_equal(limit, 25);
	assert_int_equal(window, SEC);
	ferry_http__rate_window(100.0, &limit, &window);
	assert_int_equal(limit, 100);
	assert_int_equal(window, SEC);
	ferry_http__rate_window(0.5, &limit, &window);
	assert_int_equal(limit, 1);
	assert_int_equal(window, 2 * SEC);
	/* 10.5/s: 11 events per 1.0476 s, never faster than asked. */
	ferry_http__rate_window(10.5, &limit, &window);
	assert_int_equal(limit, 11);
	assert_true((double)limit / ((double)window / SEC) <= 10.5);
	assert_true(window < 11 * SEC / 10);
	ferry_http__rate_window(0.0, &limit, &window);
	assert_int_equal(limit, 0);
	ferry_http__rate_window(-3.0, &limit, &window);
	assert_int_equal(limit, 0);
	ferry_http__rate_window(1e12, &limit, &window);
	assert_int_equal(limit, 0);
	/* Tiny rates stay within a day's window. */
	ferry_http__rate_window(1e-9, &limit, &window);
	assert_int_equal(limit, 1);
	assert_true(window <= (int64_t)86400 * SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fills_then_waits_for_oldest),
	    cmocka_unit_test(test_blocked_until_dominates),
	    cmocka_unit_test(test_unlimited),
	    cmocka_unit_test(test_property_never_over_limit),
	    cmocka_unit_test(test_rate_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
