/* clock.h: time in the units ferry uses: monotonic microseconds for
 * scheduling, UTC wall time for logs, the ledger and HTTP dates. */
#ifndef FERRY_CLOCK_H
#define FERRY_CLOCK_H

#include <time.h>

#include "ferry/common.h"

int64_t ferry_clock_mono_us(void);
/* Wall-clock time in microseconds since the epoch. */
int64_t ferry_clock_wall_us(void);
/* Sleeps for `us` microseconds (restarting on EINTR). */
void ferry_clock_sleep_us(int64_t us);
/* "2026-11-23T06:52:52.123456Z" into out (at least 32 bytes). */
void ferry_clock_iso8601(int64_t wall_us, char *out, size_t outlen);
/* "Mon, 23 Nov 2026 06:52:52 GMT" (RFC 9110 IMF-fixdate), at least 32. */
void ferry_clock_http_date(time_t t, char *out, size_t outlen);
/* Parses an HTTP date in any of the three forms RFC 9110 requires a
 * recipient to accept (IMF-fixdate, RFC 850, asctime). */
int ferry_clock_parse_http_date(const char *s, time_t *out);
/* Days from 1970-01-01 to y-m-d (month 1-12) in the proleptic Gregorian
 * calendar; negative before the epoch. */
int64_t ferry_clock_days_from_civil(int64_t y, int m, int d);

#endif
