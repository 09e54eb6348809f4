/* report.c: reading a report's JSON whatever its shape, and the words and
 * colours every report page gives statuses and severities. */
#include "util.h"

#include <math.h>

#include "report.h"

const char *ferry_report__str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

bool ferry_report__num(const json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return isfinite(*out);
}

bool ferry_report__count(const json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	double d;

	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_real(v) || !isfinite(d = json_real_value(v)))
		return false;
	/* 2^63 is exactly representable; anything at or past it clamps. */
	if (d >= 9223372036854775808.0)
		*out = INT64_MAX;
	else if (d <= -9223372036854775808.0)
		*out = INT64_MIN;
	else
		*out = (int64_t)llround(d);
	return true;
}

int64_t ferry_report__add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

void ferry_report__put_none(struct ferry_html *h)
{
	ferry_html_raw(h, "<span class=\"none\">" FERRY_HTML_NONE "</span>");
}

void ferry_report__put_str(struct ferry_html *h, const json_t *o,
                           const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		ferry_report__put_none(h);
		return;
	}
	ferry_html_textn(h, json_string_value(v), json_string_length(v));
}

void ferry_report__put_count(struct ferry_html *h, const json_t *o,
                             const char *key)
{
	int64_t n;

	if (ferry_report__count(o, key, &n))
		ferry_html_int(h, n);
	else
		ferry_report__put_none(h);
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

void ferry_report__put_time(struct ferry_html *h, const char *iso)
{
	size_t len = iso ? strlen(iso) : 0;

	if (!iso) {
		ferry_report__put_none(h);
		return;
	}
	/* YYYY-MM-DDTHH:MM:SS[.fff]Z, as ferry writes its times. */
	if (len >= 20 && len <= 30 && digits(iso, 4) && iso[4] == '-' &&
	    digits(iso + 5, 2) && iso[7] == '-' && digits(iso + 8, 2) &&
	    iso[10] == 'T' && digits(iso + 11, 2) && iso[13] == ':' &&
	    digits(iso + 14, 2) && iso[16] == ':' && iso[len - 1] == 'Z') {
		ferry_html_textf(h, "%.10s %.5s UTC", iso, iso + 11);
		return;
	}
	ferry_html_text(h, iso);
}

enum ferry_html_tone ferry_report__status_tone(const char *status)
{
	if (!status)
		return FERRY_HTML_MUTED;
	if (!strcmp(status, "auto"))
		return FERRY_HTML_GOOD;
	if (!strcmp(status, "partial"))
		return FERRY_HTML_WARN;
	if (!strcmp(status, "manual_review"))
		return FERRY_HTML_BAD;
	return FERRY_HTML_MUTED;
}

void ferry_report__status_badge(struct ferry_html *h, const char *status)
{
	const char *word = status;

	if (!status)
		word = FERRY_HTML_NONE;
	else if (!strcmp(status, "auto"))
		word = "Automatic";
	else if (!strcmp(status, "partial"))
		word = "Partial";
	else if (!strcmp(status, "manual_review"))
		word = "Manual review";
	ferry_html_badge(h, ferry_report__status_tone(status), word);
}

int ferry_report__severity_rank(const char *severity)
{
	if (!severity)
		return 3;
	if (!strcmp(severity, "high"))
		return 0;
	if (!strcmp(severity, "medium"))
		return 1;
	if (!strcmp(severity, "low"))
		return 2;
	return 3;
}

enum ferry_html_tone ferry_report__severity_tone(const char *severity)
{
	static const enum ferry_html_tone tones[] = {
	    FERRY_HTML_BAD, FERRY_HTML_WARN, FERRY_HTML_INFO, FERRY_HTML_MUTED};

	return tones[ferry_report__severity_rank(severity)];
}

void ferry_report__severity_badge(struct ferry_html *h, const char *severity)
{
	static const char *const words[] = {"High", "Medium", "Low"};
	int rank = ferry_report__severity_rank(severity);

	ferry_html_badge(h, ferry_report__severity_tone(severity),
	                 rank < 3   ? words[rank]
	                 : severity ? severity
	                            : FERRY_HTML_NONE);
}
