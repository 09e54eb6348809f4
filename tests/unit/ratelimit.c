/* ratelimit.c: the sliding-window limiter, as pure arithmetic on made-up
 * times, the rate-to-window rule, and the multi handle's extras: a budget
 * spread over a window (at first and after a 429) and events moved to
 * when they were really sent. */
#include "helpers.h"
#include "util.h"

#include "ferry/http.h"
#include "http/multi_int.h"
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

/* A fresh limiter spread to T lets one event through at T, then one
 * every window/limit, never `limit` at once: the destination may have
 * counted others' writes in the second before T. */
static void test_spread_paces_a_fresh_limiter(void **state)
{
	struct ferry_ratelimit rl;
	int64_t t = 5 * SEC, now = t;
	int i;

	(void)state;
	ferry_ratelimit_init(&rl, 25, SEC);
	ferry_ratelimit__spread(&rl, t);
	for (i = 0; i < 60; i++) {
		now += ferry_ratelimit_wait_us(&rl, now);
		/* event i no earlier than T + i × 40 ms */
		assert_int_equal(now, t + (int64_t)i * (SEC / 25));
		ferry_ratelimit_take(&rl, now);
	}
	ferry_ratelimit_release(&rl);
}

/* Spreading a limiter that already holds recent events keeps them (it
 * never lowers a time), and the k-th take still lands where restamp looks
 * for it. */
static void test_spread_keeps_recent_events(void **state)
{
	struct ferry_ratelimit rl;
	int i;

	(void)state;
	ferry_ratelimit_init(&rl, 5, SEC);
	for (i = 0; i < 3; i++)
		ferry_ratelimit_take(&rl, 10 * SEC + i);
	ferry_ratelimit__spread(&rl, 10 * SEC);
	/* Ranks: the spread's 10 - 1 s and 10 - 0.8 s, then the three
	 * real events at 10 s, 10 s + 1, 10 s + 2. */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 10 * SEC), 0);
	ferry_ratelimit_take(&rl, 10 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 10 * SEC), SEC / 5);
	ferry_ratelimit_take(&rl, 10 * SEC + SEC / 5);
	/* Now the oldest is the first real event: it leaves at 11 s. */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 10 * SEC + SEC / 5),
	                 SEC - SEC / 5);
	/* Take 4 (the fifth) is the one at 10 s + SEC/5: move it. */
	ferry_ratelimit__restamp(&rl, 4, 5, 10 * SEC + SEC / 2);
	ferry_ratelimit_take(&rl, 11 * SEC);
	ferry_ratelimit_take(&rl, 11 * SEC + 1);
	ferry_ratelimit_take(&rl, 11 * SEC + 2);
	ferry_ratelimit_take(&rl, 11 * SEC + 3);
	/* The oldest is take 4, moved to 10.5 s: it leaves at 11.5 s. */
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 11 * SEC + 3),
	                 SEC / 2 - 3);
	/* A spread to an earlier end changes nothing. */
	ferry_ratelimit__spread(&rl, 9 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 11 * SEC + 3),
	                 SEC / 2 - 3);
	ferry_ratelimit_release(&rl);

	/* No limit: nothing to spread or move. */
	ferry_ratelimit_init(&rl, 0, SEC);
	ferry_ratelimit__spread(&rl, SEC);
	ferry_ratelimit__restamp(&rl, 0, 1, SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, 0), 0);
	ferry_ratelimit_release(&rl);
}

static void test_restamp(void **state)
{
	struct ferry_ratelimit rl;
	int i;

	(void)state;
	ferry_ratelimit_init(&rl, 3, SEC);
	for (i = 0; i < 3; i++)
		ferry_ratelimit_take(&rl, i * 10);
	/* Take 0 was sent 30 ms after it was counted. */
	ferry_ratelimit__restamp(&rl, 0, 3, 30000);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC), 30000);
	/* Earlier than recorded: ignored. */
	ferry_ratelimit__restamp(&rl, 0, 3, 5);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC), 30000);
	ferry_ratelimit_take(&rl, SEC + 30000);
	/* Take 0 has left the ring (slot 0 is take 3 now): not touched. */
	ferry_ratelimit__restamp(&rl, 0, 4, 2 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC + 30000), 0);
	/* Nor an event not recorded yet. */
	ferry_ratelimit__restamp(&rl, 9, 4, 2 * SEC);
	assert_int_equal(ferry_ratelimit_wait_us(&rl, SEC + 30000), 0);
	ferry_ratelimit_release(&rl);
}

/* Property: events are counted when decided and each is sent 0..30 ms
 * later (a new connection, a busy loop), its event moved to the send as
 * it happens. However the sends bunch up, no window of window_us holds
 * more than `limit` sends. Counted at the decision alone, it does. */
static size_t send_property(unsigned limit, uint64_t seed, bool restamp)
{
	struct ferry_ratelimit rl;
	int64_t *decided = ferry_xcalloc(4000, sizeof(*decided));
	int64_t *sent = ferry_xcalloc(4000, sizeof(*sent));
	int64_t *sorted = ferry_xcalloc(4000, sizeof(*sorted));
	int64_t now = 0, window = SEC;
	size_t n = 0, done = 0, i, lo = 0, over = 0, j;

	ferry_ratelimit_init(&rl, limit, window);
	ferry_ratelimit__spread(&rl, 0);
	while (n < 4000) {
		now += (int64_t)(rng_next(&seed) % 3000);
		/* The sends due by now happen first (libcurl's callback). */
		for (; done < n && sent[done] <= now; done++)
			if (restamp)
				ferry_ratelimit__restamp(&rl, done, n,
				                         sent[done]);
		now += ferry_ratelimit_wait_us(&rl, now);
		for (; done < n && sent[done] <= now; done++)
			if (restamp)
				ferry_ratelimit__restamp(&rl, done, n,
				                         sent[done]);
		if (ferry_ratelimit_wait_us(&rl, now) > 0)
			continue;
		ferry_ratelimit_take(&rl, now);
		decided[n] = now;
		/* Mostly at once; one in five 5..30 ms late. Sends keep
		 * the order of the decisions' callbacks. */
		sent[n] = now + (rng_next(&seed) % 5 == 0
		                     ? 5000 + (int64_t)(rng_next(&seed) % 25000)
		                     : (int64_t)(rng_next(&seed) % 300));
		if (n > 0 && sent[n] < sent[n - 1])
			sent[n] = sent[n - 1];
		n++;
	}
	memcpy(sorted, sent, n * sizeof(*sorted));
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			int64_t t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		while (sorted[lo] <= sorted[i] - window)
			lo++;
		if (i - lo + 1 > limit)
			over++;
	}
	ferry_ratelimit_release(&rl);
	free(decided);
	free(sent);
	free(sorted);
	return over;
}

static void test_property_counted_from_send(void **state)
{
	(void)state;
	assert_int_equal(send_property(25, 0xfeedULL, true), 0);
	assert_int_equal(send_property(100, 77, true), 0);
	assert_int_equal(send_property(3, 5, true), 0);
	/* The same sends counted at the decision overrun the window:
	 * the property can fail. */
	assert_true(send_property(25, 0xfeedULL, false) > 0);
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
	    cmocka_unit_test(test_spread_paces_a_fresh_limiter),
	    cmocka_unit_test(test_spread_keeps_recent_events),
	    cmocka_unit_test(test_restamp),
	    cmocka_unit_test(test_property_counted_from_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
