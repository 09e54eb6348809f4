/* strparse.c: whole-string number parsing, UTF-8 validation and the small
 * string helpers of strparse.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "util.h"

static bool blank(const char *s)
{
	return !s || !*s || isspace((unsigned char)*s);
}

int ferry_parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (blank(s))
		return ferry_error_set(FERRY_EINVALID, "'%s' is not a number",
		                       s ? s : "");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return ferry_error_set(
		    FERRY_EINVALID, "'%s' is not a whole number in range", s);
	*out = (int64_t)v;
	return 0;
}

int ferry_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (blank(s) || *s == '-')
		return ferry_error_set(FERRY_EINVALID,
		                       "'%s' is not a positive number",
		                       s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return ferry_error_set(
		    FERRY_EINVALID, "'%s' is not a whole number in range", s);
	*out = (uint64_t)v;
	return 0;
}

int ferry_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (blank(s))
		return ferry_error_set(FERRY_EINVALID, "'%s' is not a number",
		                       s ? s : "");
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return ferry_error_set(FERRY_EINVALID, "'%s' is not a number",
		                       s);
	*out = v;
	return 0;
}

int ferry_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; s && i < FERRY_ARRAY_LEN(yes); i++) {
		if (ferry_str_iequal(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (ferry_str_iequal(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return ferry_error_set(FERRY_EINVALID, "'%s' is not true or false",
	                       s ? s : "");
}

/*
 * UTF-8 validation after RFC 3629: a lead byte says how many continuation
 * bytes follow; overlong forms, surrogates (U+D800..U+DFFF) and code
 * points past U+10FFFF are rejected.
 */
bool ferry_utf8_valid(const char *str, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			goto bad;
		}
		if (n > len - i - 1)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return true;
bad:
	if (bad_offset)
		*bad_offset = i;
	return false;
}

char *ferry_str_trim(char *s)
{
	size_t len = strlen(s), start = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return s;
}

char *ferry_str_lower(char *s)
{
	char *p;

	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

bool ferry_str_iequal(const char *a, const char *b)
{
	while (*a && *b) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

bool ferry_str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void ferry_str_append_clean(char *dst, size_t cap, const char *s, size_t n)
{
	size_t len = strlen(dst), room, i;

	if (len + 1 >= cap)
		return;
	room = cap - 1 - len;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[len + i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	dst[len + n] = '\0';
}
