/* yaml.c: YAML scalars for the draft mapping. A value goes out plain when
 * any YAML reader would read it back as the same string, and double-quoted
 * otherwise: indicators, ": " and " #", flow characters (the draft uses
 * flow mappings), leading or trailing spaces, words a YAML 1.1 reader
 * takes for booleans or null, and anything that looks like a number. */
#include "util.h"

#include <ctype.h>

#include "analyze_int.h"

static bool reserved(const char *s)
{
	static const char *const words[] = {
	    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(words); i++)
		if (ferry_str_iequal(s, words[i]))
			return true;
	return false;
}

static bool numeric(const char *s)
{
	double d;

	return ferry_parse_double(s, &d) == 0 || !strcmp(s, ".inf") ||
	       !strcmp(s, ".nan") || ferry_str_starts_with(s, "0x") ||
	       ferry_str_starts_with(s, "0o");
}

/* Characters YAML reads as line breaks or a byte-order mark: escaped in
 * quotes, never plain. */
static const char *special(const unsigned char *p)
{
	if (p[0] == 0xC2 && p[1] == 0x85)
		return "\\N";
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA8)
		return "\\L";
	if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA9)
		return "\\P";
	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return "\\uFEFF";
	return NULL;
}

static bool plain_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	if (!len || reserved(s) || numeric(s))
		return false;
	if (isspace(p[0]) || isspace(p[len - 1]))
		return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@`", p[0]))
		return false;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (strchr(",[]{}\"'\\", *p))
			return false;
		if (*p == ':' && (p[1] == ' ' || !p[1]))
			return false;
		if (*p == ' ' && p[1] == '#')
			return false;
		if (*p >= 0x80 && special(p))
			return false;
	}
	return ferry_utf8_valid(s, len, NULL);
}

/* The length of the UTF-8 sequence at p, or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
	size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 0;

	if (!n || strnlen((const char *)p, n) < n ||
	    !ferry_utf8_valid((const char *)p, n, NULL))
		return 0;
	return n;
}

int an_yaml_scalar(struct ferry_buf *out, const char *s)
{
	const unsigned char *p;
	size_t n;
	int error = 0;

	if (!s)
		return ferry_buf_puts(out, "null");
	if (plain_ok(s))
		return ferry_buf_puts(out, s);
	if ((error = ferry_buf_putc(out, '"')) < 0)
		return error;
	for (p = (const unsigned char *)s; *p && !error; p++) {
		if (*p == '"' || *p == '\\')
			error = ferry_buf_printf(out, "\\%c", *p);
		else if (*p == '\n')
			error = ferry_buf_puts(out, "\\n");
		else if (*p == '\t')
			error = ferry_buf_puts(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			error = ferry_buf_printf(out, "\\x%02x", *p);
		else if (*p < 0x80)
			error = ferry_buf_putc(out, (char)*p);
		else if (special(p)) {
			error = ferry_buf_puts(out, special(p));
			p += *p == 0xC2 ? 1 : 2;
		} else if ((n = utf8_seq(p)) > 0) {
			error = ferry_buf_put(out, p, n);
			p += n - 1;
		} else {
			/* not UTF-8: an escape keeps the file valid */
			error = ferry_buf_printf(out, "\\x%02x", *p);
		}
	}
	if (!error)
		error = ferry_buf_putc(out, '"');
	return error;
}
