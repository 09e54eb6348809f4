/* watermark.c: where each object of the workspace stands against
 * Salesforce (the moment after which a change may be missing from the
 * staging), kept in the workspace's meta, and Salesforce's datetimes read
 * and written as Unix seconds. */
#include <jansson.h>

#include "util.h"

#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

#define KEY_PREFIX "sf.watermark."

static int two(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int ferry_sf__parse_time(const char *s, int64_t *out)
{
	int y1, y2, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	size_t n;
	const char *p;

	if (!s || strlen(s) < 19 || two(s, &y1) < 0 || two(s + 2, &y2) < 0 ||
	    s[4] != '-' || two(s + 5, &mo) < 0 || s[7] != '-' ||
	    two(s + 8, &d) < 0 || s[10] != 'T' || two(s + 11, &h) < 0 ||
	    s[13] != ':' || two(s + 14, &mi) < 0 || s[16] != ':' ||
	    two(s + 17, &sec) < 0)
		goto bad;
	p = s + 19;
	if (*p == '.') {
		n = strspn(p + 1, "0123456789");
		if (n == 0)
			goto bad;
		p += 1 + n;
	}
	if (*p == 'Z' && p[1] == '\0') {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && two(p + 1, &oh) == 0) {
		sign = *p == '-' ? -1 : 1;
		p += 3;
		if (*p == ':')
			p++;
		if (two(p, &om) < 0 || p[2] != '\0')
			goto bad;
	} else {
		goto bad;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || oh > 23 || om > 59)
		goto bad;
	*out = ferry_clock_days_from_civil(y1 * 100 + y2, mo, d) * 86400 +
	       h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
bad:
	return ferry_error_set(
	    FERRY_EINVALID, "'%.40s' is not a Salesforce datetime", s ? s : "");
}

void ferry_sf__format_time(int64_t t, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	if (strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && outlen)
		out[0] = '\0';
}

int ferry_sf_watermark_get(struct ferry_workspace *ws, const char *object,
                           struct ferry_sf_watermark *out)
{
	struct ferry_buf val = FERRY_BUF_INIT;
	struct ferry_sf_watermark w;
	json_t *doc = NULL;
	const char *at, *how;
	char key[128];
	int error;

	memset(&w, 0, sizeof(w));
	snprintf(key, sizeof(key), KEY_PREFIX "%s", object);
	if ((error = ferry_workspace_meta_get(ws, key, &val)) < 0) {
		if (error == FERRY_ENOTFOUND)
			ferry_error_set(error, "%s has no watermark", object);
		goto done;
	}
	doc = json_loadb(val.ptr, val.len, 0, NULL);
	at = json_string_value(json_object_get(doc, "at"));
	how = json_string_value(json_object_get(doc, "how"));
	if (!at || ferry_sf__parse_time(at, &w.at) < 0) {
		error =
		    ferry_error_set(FERRY_EDB,
		                    "the watermark of %s in the workspace "
		                    "is damaged ('%s'): run 'ferry extract' "
		                    "to stage %s again",
		                    object, key, object);
		goto done;
	}
	snprintf(w.how, sizeof(w.how), "%s", how ? how : "");
	*out = w;
done:
	json_decref(doc);
	ferry_buf_release(&val);
	return error;
}

int ferry_sf_watermark_set(struct ferry_workspace *ws, const char *object,
                           int64_t at, const char *how)
{
	char key[128], when[32], *text;
	json_t *doc;
	int error;

	if (at <= 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "no time to set the watermark of %s to",
		                       object);
	snprintf(key, sizeof(key), KEY_PREFIX "%s", object);
	ferry_sf__format_time(at, when, sizeof(when));
	doc = json_pack("{s:s, s:s}", "at", when, "how", how ? how : "");
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	error = ferry_workspace_meta_set(ws, key, text ? text : "");
	free(text);
	json_decref(doc);
	return error;
}
