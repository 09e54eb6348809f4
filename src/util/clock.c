/* clock.c: monotonic and wall time, ISO 8601 and HTTP dates. */
#include <errno.h>

#include "util.h"

int64_t ferry_clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t ferry_clock_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void ferry_clock_sleep_us(int64_t us)
{
	struct timespec ts;

	if (us <= 0)
		return;
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void ferry_clock_iso8601(int64_t wall_us, char *out, size_t outlen)
{
	time_t t = (time_t)(wall_us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(wall_us % 1000000));
}

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed",
                                    "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void ferry_clock_http_date(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int month_index(const char *m)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

/* Howard Hinnant's days_from_civil, so no timegm() is needed; shared
 * (through clock.h) by the transforms and the Attio sandbox. */
int64_t ferry_clock_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int ferry_clock_parse_http_date(const char *s, time_t *out)
{
	char wday[16], mon[4];
	int d = 0, y = 0, hh = 0, mm = 0, ss = 0, n = 0, mi;

	mon[0] = '\0';
	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (sscanf(s, "%15[A-Za-z], %d %3s %d %d:%d:%d GMT%n", wday, &d, mon,
	           &y, &hh, &mm, &ss, &n) == 7 &&
	    n > 0 && !s[n])
		goto parsed;
	/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
	n = 0;
	if (sscanf(s, "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT%n", wday, &d, mon,
	           &y, &hh, &mm, &ss, &n) == 7 &&
	    n > 0 && !s[n]) {
		/* Two-digit years: RFC 9110 says to read one that looks more
		 * than 50 years ahead as the past century. */
		if (y < 100)
			y += y < 70 ? 2000 : 1900;
		goto parsed;
	}
	/* asctime: Sun Nov  6 08:49:37 1994 */
	n = 0;
	if (sscanf(s, "%15[A-Za-z] %3s %d %d:%d:%d %d%n", wday, mon, &d, &hh,
	           &mm, &ss, &y, &n) == 7 &&
	    n > 0 && !s[n])
		goto parsed;
	return ferry_error_set(FERRY_EINVALID, "'%s' is not an HTTP date", s);
parsed:
	mi = month_index(mon);
	if (mi < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 ||
	    y < 1970 || hh < 0 || mm < 0 || ss < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "'%s' is not an HTTP date", s);
	*out = (time_t)(ferry_clock_days_from_civil(y, mi + 1, d) * 86400 +
	                hh * 3600 + mm * 60 + ss);
	return 0;
}
