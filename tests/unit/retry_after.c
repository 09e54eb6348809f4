/* retry_after.c: reading Retry-After (delta-seconds and the three HTTP
 * date forms) and the backoff schedule. */
#include "helpers.h"
#include "util.h"

#include "ferry/http.h"
#include "http/retry.h"

/* 1994-11-06 08:49:37 UTC, RFC 9110's example instant. */
#define T0 ((time_t)784111777)

static int64_t ra(const char *value, time_t now)
{
	int64_t ms = -12345;

	assert_int_equal(ferry_http_parse_retry_after(&ms, value, now), 0);
	return ms;
}

static void ra_bad(const char *value)
{
	int64_t ms = -12345;

	assert_int_equal(ferry_http_parse_retry_after(&ms, value, T0),
	                 FERRY_EINVALID);
	assert_int_equal(ms, -12345); /* untouched on failure */
}

static void test_delta_seconds(void **state)
{
	(void)state;
	assert_int_equal(ra("0", T0), 0);
	assert_int_equal(ra("2", T0), 2000);
	assert_int_equal(ra("120", T0), 120000);
	assert_int_equal(ra(" 3 ", T0), 3000);
	assert_int_equal(ra("007", T0), 7000);
	/* Huge values saturate at a day instead of overflowing. */
	assert_int_equal(ra("99999999999999999999999999999", T0),
	                 FERRY_HTTP_RETRY_AFTER_MAX_S * 1000);
	assert_int_equal(ra("86401", T0), FERRY_HTTP_RETRY_AFTER_MAX_S * 1000);
}

static void test_dates(void **state)
{
	(void)state;
	/* IMF-fixdate, in the future, now, and in the past. */
	assert_int_equal(ra("Sun, 06 Nov 1994 08:49:37 GMT", T0 - 1), 1000);
	assert_int_equal(ra("Sun, 06 Nov 1994 08:49:39 GMT", T0), 2000);
	assert_int_equal(ra("Sun, 06 Nov 1994 08:49:37 GMT", T0), 0);
	assert_int_equal(ra("Sun, 06 Nov 1994 08:49:37 GMT", T0 + 60), 0);
	/* RFC 850 and asctime. */
	assert_int_equal(ra("Sunday, 06-Nov-94 08:49:40 GMT", T0), 3000);
	assert_int_equal(ra("Sun Nov  6 08:49:42 1994", T0), 5000);
	/* Attio's form, as in its docs, read a second before. */
	assert_int_equal(ra("Tue, 23 May 2023 14:42:01 GMT", 1684852920), 1000);
	/* A date far ahead saturates too. */
	assert_int_equal(ra("Sun, 06 Nov 2094 08:49:37 GMT", T0),
	                 FERRY_HTTP_RETRY_AFTER_MAX_S * 1000);
}

static void test_invalid(void **state)
{
	(void)state;
	ra_bad("");
	ra_bad("   ");
	ra_bad("-1");
	ra_bad("+5");
	ra_bad("1.5");
	ra_bad("5s");
	ra_bad("soon");
	ra_bad("Sun, 06 Nov 1994 08:49:37");
	ra_bad("Sun, 32 Nov 1994 08:49:37 GMT");
	ra_bad("Sun, 06 Foo 1994 08:49:37 GMT");
	ra_bad("Sun, 06 Nov 1994 25:49:37 GMT");
	ra_bad("Sun, 06 Nov 1994 08:49:37 GMT trailing");
	ra_bad(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaa");
	ra_bad(NULL);
}

static void test_backoff(void **state)
{
	uint64_t rng = 12345;
	int64_t prev = 0;
	int retry, i;

	(void)state;
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, 1), 500);
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, 2), 1000);
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, 3), 2000);
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, 7), 30000);
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, 1000),
	                 30000);
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 30000, -1), 500);
	/* A cap below the base is the base. */
	assert_int_equal(ferry_http__backoff_ceiling_ms(500, 100, 3), 500);

	for (retry = 1; retry < 200; retry++) {
		int64_t ceiling =
		    ferry_http__backoff_ceiling_ms(500, 30000, retry);
		int64_t sum = 0;

		/* The ceiling grows until it reaches the cap... */
		assert_true(ceiling >= prev);
		assert_true(ceiling <= 30000);
		if (prev < 30000 && retry > 1)
			assert_true(ceiling > prev);
		prev = ceiling;
		/* ...and every draw stays within [0, ceiling]. */
		for (i = 0; i < 200; i++) {
			int64_t d =
			    ferry_http__backoff_ms(500, 30000, retry, &rng);

			assert_true(d >= 0);
			assert_true(d <= ceiling);
			sum += d;
		}
		/* Full jitter: the mean is about half the ceiling. */
		assert_true(sum / 200 > ceiling / 4);
		assert_true(sum / 200 < ceiling * 3 / 4 + 1);
	}
	/* A zero state is repaired rather than stuck at zero. */
	rng = 0;
	assert_true(ferry_http__backoff_ms(500, 30000, 3, &rng) <= 2000);
	assert_true(rng != 0);
	assert_true(ferry_http__rng_seed() != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delta_seconds),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
