/* datetime.c: dates and timestamps. Salesforce writes datetimes in UTC with
 * "Z" or "+0000"; other tools add offsets or leave the zone out. Everything
 * is converted with plain calendar arithmetic on fixed offsets, never
 * through the C library's local time (TZ and mktime are process-wide). */
#include "util.h"

#include "tx_int.h"

#define OFFSET_MAX_MIN (18 * 60)

struct when {
	int y, mo, d;     /* the calendar date */
	bool has_time;    /* a time of day followed the date */
	int h, mi, s;     /* the time of day */
	char frac[10];    /* fraction-of-second digits as written, <= 9 */
	bool has_zone;    /* the value named its offset */
	int offset;       /* minutes east of UTC */
	const char *fail; /* why it did not parse, for the message */
};

static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly `n` digits at *p; -1 if they are not there. */
static int digits(const char **p, const char *end, int n)
{
	int v = 0;

	for (; n > 0; n--, (*p)++) {
		if (*p >= end || !is_digit(**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* Reads 1 or 2 digits at *p; -1 if there are none. */
static int digits12(const char **p, const char *end)
{
	int v;

	if (*p >= end || !is_digit(**p))
		return -1;
	v = *(*p)++ - '0';
	if (*p < end && is_digit(**p))
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

/* A fixed offset: Z, UTC, GMT, Etc/UTC, or [UTC|GMT](+|-)H[H][[:]MM]. */
static bool parse_offset(const char *s, size_t len, int *minutes)
{
	const char *p, *end;
	int sign, h, m = 0;

	s = tx_trim_span(s, len, &len);
	end = s + len;
	if (tx_iequal(s, len, "z") || tx_iequal(s, len, "utc") ||
	    tx_iequal(s, len, "gmt") || tx_iequal(s, len, "etc/utc") ||
	    tx_iequal(s, len, "etc/gmt")) {
		*minutes = 0;
		return true;
	}
	if (len > 3 && (tx_iequal(s, 3, "utc") || tx_iequal(s, 3, "gmt")))
		s += 3;
	p = s;
	if (p >= end || (*p != '+' && *p != '-'))
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if ((h = digits12(&p, end)) < 0)
		return false;
	if (p < end && *p == ':') {
		p++;
		if ((m = digits(&p, end, 2)) < 0)
			return false;
	} else if (p < end) {
		/* "+0530": two hour digits then two minute digits */
		if (p - s != 3 || (m = digits(&p, end, 2)) < 0)
			return false;
	}
	if (p != end || m > 59 || h * 60 + m > OFFSET_MAX_MIN)
		return false;
	*minutes = sign * (h * 60 + m);
	return true;
}

int ferry_tx_zone_offset(const char *zone, int *minutes)
{
	const char *z = zone ? zone : "";
	int m;

	if (parse_offset(z, strlen(z), &m)) {
		*minutes = m;
		return 0;
	}
	if (strchr(z, '/'))
		return ferry_error_set(
		    FERRY_EINVALID,
		    "time zone '%.64s' is a named zone: ferry takes fixed "
		    "offsets only (such as '+01:00' or 'UTC'), as daylight-"
		    "saving rules would need the zone database",
		    z);
	return ferry_error_set(FERRY_EINVALID,
	                       "time zone '%.64s' is not a fixed offset: give "
	                       "'UTC', 'Z' or one like '+02:00' or '-0500'",
	                       z);
}

/* Checks the calendar date in `w`; false with w->fail set if it is off. */
static bool check_date(struct when *w, char *why, size_t size)
{
	if (w->y < 1) {
		snprintf(why, size, "year %d is before year 1", w->y);
		return false;
	}
	if (w->mo < 1 || w->mo > 12) {
		snprintf(why, size, "there is no month %d", w->mo);
		return false;
	}
	if (w->d < 1 || w->d > days_in_month(w->y, w->mo)) {
		snprintf(why, size, "%s %d has %d days", month_names[w->mo - 1],
		         w->y, days_in_month(w->y, w->mo));
		return false;
	}
	return true;
}

/* The date at the front of [s, end): YYYY-MM-DD, or a slashed one in the
 * context's order; NULL if there is none. */
static const char *parse_date(struct when *w, const char *s, const char *end,
                              enum ferry_tx_date_order order)
{
	const char *p = s;
	int a, b;
	char sep;

	if ((w->y = digits(&p, end, 4)) >= 0 && p < end && *p == '-') {
		p++;
		if ((w->mo = digits(&p, end, 2)) < 0 || p >= end ||
		    *p++ != '-' || (w->d = digits(&p, end, 2)) < 0)
			return NULL;
		return p;
	}
	if (order == FERRY_TX_DATE_ISO)
		return NULL;
	p = s;
	if ((a = digits12(&p, end)) < 0 || p >= end)
		return NULL;
	sep = *p++;
	if (sep != '/' &&
	    (order != FERRY_TX_DATE_DMY || (sep != '.' && sep != '-')))
		return NULL;
	if ((b = digits12(&p, end)) < 0 || p >= end || *p++ != sep ||
	    (w->y = digits(&p, end, 4)) < 0)
		return NULL;
	w->mo = order == FERRY_TX_DATE_MDY ? a : b;
	w->d = order == FERRY_TX_DATE_MDY ? b : a;
	return p;
}

/* Parses a date, a date and time, and an optional zone. */
static bool parse_when(struct when *w, const char *s, size_t len,
                       enum ferry_tx_date_order order, char *why, size_t size)
{
	const char *end = s + len, *p;
	size_t n = 0;

	memset(w, 0, sizeof(*w));
	snprintf(why, size, "it is not a date like 2024-01-31%s",
	         order == FERRY_TX_DATE_MDY   ? " or 1/31/2024"
	         : order == FERRY_TX_DATE_DMY ? " or 31/1/2024"
	                                      : "");
	if (!(p = parse_date(w, s, end, order)))
		return false;
	if (p == end)
		return check_date(w, why, size);
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	snprintf(why, size, "its time is not like 18:25:32.000Z");
	w->has_time = true;
	if ((w->h = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
	    (w->mi = digits(&p, end, 2)) < 0)
		return false;
	if (p < end && *p == ':') {
		p++;
		if ((w->s = digits(&p, end, 2)) < 0)
			return false;
		if (p < end && (*p == '.' || *p == ',')) {
			for (p++; p < end && is_digit(*p); p++) {
				if (n == sizeof(w->frac) - 1)
					return false;
				w->frac[n++] = *p;
			}
			if (n == 0)
				return false;
		}
	}
	if (p < end) {
		if (*p == ' ')
			p++;
		snprintf(why, size,
		         "its zone is not Z or an offset like +0000");
		if (!parse_offset(p, (size_t)(end - p), &w->offset))
			return false;
		w->has_zone = true;
	}
	if (w->h > 23 || w->mi > 59 || w->s > 59) {
		snprintf(why, size, "%02d:%02d:%02d is not a time of day", w->h,
		         w->mi, w->s);
		return false;
	}
	return check_date(w, why, size);
}

/* The context's zone for values without one: 0 with *found false when
 * there is none, FERRY_EINVALID with a reason when it is unusable. */
static int ctx_zone(int *minutes, bool *found, const struct ferry_tx_ctx *ctx,
                    struct ferry_tx_reason *why)
{
	size_t len;
	const char *z = tx_trim(ctx->time_zone, &len);

	*found = len > 0;
	*minutes = 0;
	if (!*found)
		return 0;
	if (ferry_tx_zone_offset(z, minutes) < 0)
		return tx_reason(why, ctx, "timezone_invalid", "%s",
		                 ferry_error_last());
	return 0;
}

/* Moves `w` to UTC by its offset; false if that leaves years 1-9999. */
static bool to_utc(struct when *w, int offset)
{
	int64_t days = ferry_clock_days_from_civil(w->y, w->mo, w->d), y;
	int64_t secs = days * 86400 + w->h * 3600 + w->mi * 60 + w->s -
	               (int64_t)offset * 60;
	int64_t day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rest = secs - day * 86400;

	civil_from_days(day, &y, &w->mo, &w->d);
	if (y < 1 || y > 9999)
		return false;
	w->y = (int)y;
	w->h = (int)(rest / 3600);
	w->mi = (int)(rest / 60 % 60);
	w->s = (int)(rest % 60);
	w->offset = 0;
	return true;
}

int ferry_tx_date(json_t **out, const char *value,
                  const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	char show[TX_SHOW_MAX], fail[128], buf[16];
	struct when w;
	const char *s;
	size_t len;
	bool found;
	int zone;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	tx_show(show, sizeof(show), s, len);
	if (!parse_when(&w, s, len, ctx->date_order, fail, sizeof(fail)))
		return tx_reason(why, ctx, "date_invalid",
		                 "'%s' is not a date: %s", show, fail);
	if (w.has_time) {
		/* A datetime's date is its UTC date, as Attio takes it. */
		if (!w.has_zone) {
			if (ctx_zone(&zone, &found, ctx, why) < 0)
				return FERRY_EINVALID;
			w.offset = zone;
		}
		if (!to_utc(&w, w.offset))
			return tx_reason(why, ctx, "date_out_of_range",
			                 "'%s' falls outside the years "
			                 "0001-9999 in UTC",
			                 show);
	}
	if (w.y > 9999)
		return tx_reason(why, ctx, "date_out_of_range",
		                 "'%s' is past the year 9999", show);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", w.y, w.mo, w.d);
	*out = tx_string(buf, strlen(buf));
	return 0;
}

int ferry_tx_timestamp(json_t **out, const char *value,
                       const struct ferry_tx_ctx *ctx,
                       struct ferry_tx_reason *why)
{
	char show[TX_SHOW_MAX], fail[128], buf[48];
	struct when w;
	const char *s;
	size_t len;
	bool found = true;
	int offset;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	tx_show(show, sizeof(show), s, len);
	if (!parse_when(&w, s, len, ctx->date_order, fail, sizeof(fail)))
		return tx_reason(why, ctx, "timestamp_invalid",
		                 "'%s' is not a date and time: %s", show, fail);
	offset = w.offset;
	if (!w.has_zone && ctx_zone(&offset, &found, ctx, why) < 0)
		return FERRY_EINVALID;
	if (!to_utc(&w, offset))
		return tx_reason(
		    why, ctx, "timestamp_out_of_range",
		    "'%s' falls outside the years 0001-9999 in UTC", show);
	if (!found)
		tx_note(why, ctx, "timestamp_assumed_utc",
		        w.has_time ? "'%s' names no time zone: taken as UTC"
		                   : "'%s' has no time: taken as midnight UTC",
		        show);
	while (strlen(w.frac) < 3)
		w.frac[strlen(w.frac)] = '0';
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%sZ", w.y,
	         w.mo, w.d, w.h, w.mi, w.s, w.frac);
	*out = tx_string(buf, strlen(buf));
	return 0;
}
