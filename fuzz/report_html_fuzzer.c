/* report_html_fuzzer.c: the readiness page over any JSON a damaged or
 * hand-edited reports/readiness.json could hold (missing keys, wrong
 * types, huge numbers, hostile strings), and the HTML escaper over the
 * raw bytes. The page must always come out whole, valid UTF-8 and with
 * every string escaped. */
#include "util.h"

#include <jansson.h>
#include <strings.h>

#include "ferry/analyze.h"
#include "ferry/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether `needle` occurs in s[0..len), ignoring ASCII case. */
static bool contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n))
			return true;
	return false;
}

/* Escaped text holds none of the characters it must not. */
static void check_escape(const uint8_t *data, size_t size)
{
	struct ferry_buf out = FERRY_BUF_INIT;
	struct ferry_html h;

	ferry_html_init(&h, &out);
	ferry_html_textn(&h, (const char *)data, size);
	if (ferry_html_finish(&h) < 0 || strlen(out.ptr) != out.len ||
	    strpbrk(out.ptr, "<>\"'") ||
	    !ferry_utf8_valid(out.ptr, out.len, NULL))
		abort();
	ferry_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_buf out;
	json_t *report;
	int rc;

	check_escape(data, size);
	report = json_loadb((const char *)data, size,
	                    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!report)
		return 0;
	ferry_buf_init(&out, (size_t)64 * 1024 * 1024);
	rc = ferry_report_readiness_html(report, &out);
	if (!json_is_object(report)) {
		if (rc != FERRY_EINVALID || out.len)
			abort();
	} else if (rc == FERRY_ETOOBIG) {
		if (out.len)
			abort();
	} else if (rc != 0 || strlen(out.ptr) != out.len ||
	           !ferry_utf8_valid(out.ptr, out.len, NULL) ||
	           contains_ci(out.ptr, out.len, "<script") ||
	           !strstr(out.ptr, "</html>\n")) {
		abort();
	}
	ferry_buf_release(&out);
	json_decref(report);
	return 0;
}
