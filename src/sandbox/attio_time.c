/* attio_time.c: Attio's date and timestamp coercion (reference §3.3): any
 * ISO 8601 prefix is accepted, a missing zone means UTC, and the result
 * is UTC with nanosecond precision (a date keeps only the UTC day). */
#include "util.h"

#include <ctype.h>
#include <time.h>

#include "attio_sandbox.h"

/* Reads exactly `n` digits at *p into *out; false if not there. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The zone suffix: "Z", "+HH", "+HHMM", "+HH:MM"; seconds east of UTC. */
static bool zone(const char **p, int *offset)
{
	int sign, h = 0, m = 0;

	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		*offset = 0;
		return true;
	}
	if (**p != '+' && **p != '-')
		return false;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!digits(p, 2, &h) || h > 23)
		return false;
	if (**p == ':')
		(*p)++;
	if (isdigit((unsigned char)**p) && (!digits(p, 2, &m) || m > 59))
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return true;
}

int attio_timestamp_parse(const char *s, char out[ATTIO_TS_LEN],
                          int64_t *epoch_s)
{
	const char *p = s;
	int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, offset = 0;
	long nanos = 0;
	int64_t t;
	time_t tt;
	struct tm tm;

	while (isspace((unsigned char)*p))
		p++;
	if (!digits(&p, 4, &y))
		return -1;
	if (*p == '-') {
		p++;
		if (!digits(&p, 2, &mo) || mo < 1 || mo > 12)
			return -1;
		if (*p == '-') {
			p++;
			if (!digits(&p, 2, &d) || d < 1 ||
			    d > days_in_month(y, mo))
				return -1;
		}
	}
	if (*p == 'T' || *p == 't' ||
	    (*p == ' ' && isdigit((unsigned char)p[1]))) {
		p++;
		if (!digits(&p, 2, &h) || h > 23)
			return -1;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &mi) || mi > 59)
				return -1;
			if (*p == ':') {
				p++;
				if (!digits(&p, 2, &sec) || sec > 59)
					return -1;
				if (*p == '.' || *p == ',') {
					int n = 0;

					for (p++; isdigit((unsigned char)*p);
					     p++, n++)
						if (n < 9)
							nanos = nanos * 10 +
							        (*p - '0');
					if (n == 0)
						return -1;
					for (; n < 9; n++)
						nanos *= 10;
				}
			}
		}
		if (*p && !zone(&p, &offset))
			return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return -1;
	t = ferry_clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec - offset;
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(out, ATTIO_TS_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, nanos);
	if (epoch_s)
		*epoch_s = t;
	return 0;
}

int attio_date_parse(const char *s, char out[ATTIO_TS_LEN])
{
	char ts[ATTIO_TS_LEN];

	if (attio_timestamp_parse(s, ts, NULL) < 0)
		return -1;
	snprintf(out, ATTIO_TS_LEN, "%.10s", ts);
	return 0;
}
