/* report_html.c: the HTML writer (escaping, number and duration formats,
 * chart geometry) and the readiness page drawn from it: every string
 * escaped, nothing external, any JSON shape survived, big reports fast. */
#include "helpers.h"
#include "util.h"

#include <math.h>
#include <strings.h>
#include <time.h>

#include "ferry/analyze.h"
#include "ferry/html.h"

#define DASH "\xe2\x80\x94"
#define FFFD "\xef\xbf\xbd"

/* Whether `needle` (lower case) is in `s`, ignoring ASCII case. */
static const char *has_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (!strncasecmp(s, needle, n))
			return s;
	return NULL;
}

/* Escapes `len` bytes of s and compares with want. */
static void assert_escaped(const char *s, size_t len, const char *want)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_html h;

	ferry_html_init(&h, &b);
	ferry_html_textn(&h, s, len);
	assert_int_equal(ferry_html_finish(&h), 0);
	assert_string_equal(b.ptr, want);
	ferry_buf_release(&b);
}

static void test_escape_text(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_html h;

	FERRY_UNUSED(state);
	assert_escaped("&<>\"'", 5, "&amp;&lt;&gt;&quot;&#39;");
	assert_escaped("plain text", 10, "plain text");
	assert_escaped("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", 14,
	               "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80");
	assert_escaped("tab\tnew\nline\r", 13, "tab\tnew\nline\r");
	/* Invalid UTF-8, each bad byte replaced, the rest kept. */
	assert_escaped("a\xff"
	               "b",
	               3, "a" FFFD "b");
	assert_escaped("\xc0\xaf", 2, FFFD FFFD);          /* overlong '/' */
	assert_escaped("\xed\xa0\x80", 3, FFFD FFFD FFFD); /* surrogate */
	assert_escaped("x\xe2\x82", 3, "x" FFFD FFFD);     /* cut short */
	assert_escaped("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD);
	/* NUL, C0 and C1 controls are parse errors in HTML. */
	assert_escaped("a\0b\x01\x7f", 5, "a" FFFD "b" FFFD FFFD);
	assert_escaped("\xc2\x85", 2, FFFD FFFD);
	assert_escaped("<\xff>", 3, "&lt;" FFFD "&gt;");

	ferry_html_init(&h, &b);
	ferry_html_text(&h, NULL);
	ferry_html_tag_begin(&h, "td");
	ferry_html_attr(&h, "title", "say \"hi\" & <go>");
	ferry_html_tag_end(&h);
	ferry_html_textf(&h, "%s/%d", "<a>", 5);
	ferry_html_close(&h, "td");
	ferry_html_badge(&h, FERRY_HTML_BAD, "<High>");
	assert_int_equal(ferry_html_finish(&h), 0);
	assert_string_equal(b.ptr, DASH
	                    "<td title=\"say &quot;hi&quot; &amp; "
	                    "&lt;go&gt;\">&lt;a&gt;/5</td>"
	                    "<span class=\"badge bad\">&lt;High&gt;</span>");
	ferry_buf_release(&b);
}

static void test_sticky_error(void **state)
{
	struct ferry_buf b;
	struct ferry_html h;

	FERRY_UNUSED(state);
	ferry_buf_init(&b, 8);
	ferry_html_init(&h, &b);
	ferry_html_raw(&h, "12345");
	ferry_html_raw(&h, "67890"); /* over the cap: fails, stays failed */
	ferry_html_raw(&h, "a");
	assert_int_equal(ferry_html_finish(&h), FERRY_ETOOBIG);
	assert_string_equal(b.ptr, "12345");
	ferry_buf_release(&b);
}

static void test_fmt_int(void **state)
{
	char s[FERRY_HTML_FMT_MAX];

	FERRY_UNUSED(state);
	assert_string_equal(ferry_html_fmt_int(s, 0), "0");
	assert_string_equal(ferry_html_fmt_int(s, 999), "999");
	assert_string_equal(ferry_html_fmt_int(s, 1000), "1,000");
	assert_string_equal(ferry_html_fmt_int(s, 25000), "25,000");
	assert_string_equal(ferry_html_fmt_int(s, 1234567), "1,234,567");
	assert_string_equal(ferry_html_fmt_int(s, -1234), "-1,234");
	assert_string_equal(ferry_html_fmt_int(s, -999), "-999");
	assert_string_equal(ferry_html_fmt_int(s, INT64_MAX),
	                    "9,223,372,036,854,775,807");
	assert_string_equal(ferry_html_fmt_int(s, INT64_MIN),
	                    "-9,223,372,036,854,775,808");
}

static void test_fmt_duration(void **state)
{
	char s[FERRY_HTML_FMT_MAX];

	FERRY_UNUSED(state);
	assert_string_equal(ferry_html_fmt_duration(s, 0), "0 s");
	assert_string_equal(ferry_html_fmt_duration(s, 0.4), "0 s");
	assert_string_equal(ferry_html_fmt_duration(s, 59), "59 s");
	assert_string_equal(ferry_html_fmt_duration(s, 59.6), "1 min");
	assert_string_equal(ferry_html_fmt_duration(s, 60), "1 min");
	assert_string_equal(ferry_html_fmt_duration(s, 125), "2 min 5 s");
	assert_string_equal(ferry_html_fmt_duration(s, 3600), "1 h");
	assert_string_equal(ferry_html_fmt_duration(s, 6000), "1 h 40 min");
	assert_string_equal(ferry_html_fmt_duration(s, 6029), "1 h 40 min");
	assert_string_equal(ferry_html_fmt_duration(s, 86400), "1 d");
	assert_string_equal(ferry_html_fmt_duration(s, 3 * 86400 + 2 * 3600),
	                    "3 d 2 h");
	assert_string_equal(ferry_html_fmt_duration(s, 1500 * 86400.0),
	                    "1,500 d");
	assert_string_equal(ferry_html_fmt_duration(s, -1), DASH);
	assert_string_equal(ferry_html_fmt_duration(s, (double)NAN), DASH);
	assert_string_equal(ferry_html_fmt_duration(s, (double)INFINITY), DASH);
	assert_string_equal(ferry_html_fmt_duration(s, 1e300),
	                    "11,574,074,074 d 1 h");
}

static void test_fmt_percent(void **state)
{
	char s[FERRY_HTML_FMT_MAX];

	FERRY_UNUSED(state);
	assert_string_equal(ferry_html_fmt_percent(s, 0), "0%");
	assert_string_equal(ferry_html_fmt_percent(s, 0.456), "46%");
	assert_string_equal(ferry_html_fmt_percent(s, 1), "100%");
	assert_string_equal(ferry_html_fmt_percent(s, 0.001), "<1%");
	assert_string_equal(ferry_html_fmt_percent(s, 0.9991), "99%");
	assert_string_equal(ferry_html_fmt_percent(s, 7), "100%");
	assert_string_equal(ferry_html_fmt_percent(s, -1), "0%");
	assert_string_equal(ferry_html_fmt_percent(s, (double)NAN), DASH);
}

/* The `width` of each element that starts with `marker`, in order. */
static size_t widths(const char *html, const char *marker, double *w,
                     size_t max)
{
	const char *p = html, *q, *end;
	size_t n = 0;
	char num[32];

	while ((p = strstr(p, marker)) != NULL) {
		end = strchr(p, '>');
		q = strstr(p, " width=\"");
		assert_non_null(end);
		assert_true(q && q < end);
		q += 8;
		assert_true(strchr(q, '"') - q < (long)sizeof(num));
		snprintf(num, sizeof(num), "%.*s", (int)(strchr(q, '"') - q),
		         q);
		assert_true(n < max);
		assert_int_equal(ferry_parse_double(num, &w[n]), 0);
		n++;
		p = end;
	}
	return n;
}

static void test_bar_chart(void **state)
{
	static const struct ferry_html_bar bars[] = {
	    {"Account", "\xe2\x86\x92 companies", 400, FERRY_HTML_GOOD},
	    {"Con<tact>", NULL, 200, FERRY_HTML_WARN},
	    {"A label far longer than any chart column allows", NULL, 100,
	     FERRY_HTML_BAD},
	    {"Empty", NULL, 0, FERRY_HTML_MUTED},
	    {"Tiny", NULL, 0.1, FERRY_HTML_INFO},
	    {"Broken", NULL, (double)NAN, FERRY_HTML_INFO},
	};
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_html h;
	double w[8];

	FERRY_UNUSED(state);
	ferry_html_init(&h, &b);
	ferry_html_bar_chart(&h, "Records \"by\" object", bars,
	                     FERRY_ARRAY_LEN(bars));
	assert_int_equal(ferry_html_finish(&h), 0);
	assert_int_equal(widths(b.ptr, "<rect class=\"bar\"", w, 8), 6);
	/* The largest is the full width; the others in proportion. */
	assert_true(w[0] == FERRY_HTML_BAR_WIDTH);
	assert_true(fabs(w[1] - FERRY_HTML_BAR_WIDTH / 2) < 0.05);
	assert_true(fabs(w[2] - FERRY_HTML_BAR_WIDTH / 4) < 0.05);
	assert_true(w[3] == 0);
	assert_true(w[4] == 1); /* never invisible when not zero */
	assert_true(w[5] == 0);
	assert_non_null(strstr(b.ptr, "role=\"img\" aria-label=\"Records "
	                              "&quot;by&quot; object\"><title>"));
	assert_non_null(strstr(b.ptr, "Con&lt;tact&gt;"));
	assert_non_null(strstr(b.ptr, "fill=\"#1a7f37\""));
	assert_non_null(strstr(b.ptr, "400<tspan class=\"note\"> \xe2\x86\x92 "
	                              "companies</tspan>"));
	/* A long label is cut on screen, whole in its tooltip. */
	assert_non_null(
	    strstr(b.ptr, ">A label far longer than \xe2\x80\xa6<"));
	assert_non_null(strstr(b.ptr, "<title>A label far longer than any "
	                              "chart column allows: 100</title>"));

	/* No bars at all, or only zeros: no division by zero. */
	ferry_buf_clear(&b);
	ferry_html_bar_chart(&h, "none", bars, 0);
	assert_non_null(strstr(b.ptr, "Nothing to show."));
	ferry_buf_clear(&b);
	ferry_html_bar_chart(&h, "zeros", bars + 3, 1);
	assert_int_equal(widths(b.ptr, "<rect class=\"bar\"", w, 8), 1);
	assert_true(w[0] == 0);
	ferry_buf_release(&b);
}

static void test_stacked_bar_and_ring(void **state)
{
	static const struct ferry_html_segment segs[] = {
	    {"High", 3, FERRY_HTML_BAD},
	    {"Medium", 4, FERRY_HTML_WARN},
	    {"Low", 2, FERRY_HTML_INFO},
	    {"Other", 0, FERRY_HTML_MUTED},
	};
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_html h;
	double w[8];

	FERRY_UNUSED(state);
	ferry_html_init(&h, &b);
	ferry_html_stacked_bar(&h, "Risks", segs, FERRY_ARRAY_LEN(segs));
	assert_int_equal(ferry_html_finish(&h), 0);
	assert_int_equal(widths(b.ptr, "<rect class=\"seg\"", w, 8), 3);
	assert_true(fabs(w[0] - 240) < 0.05);
	assert_true(fabs(w[1] - 320) < 0.05);
	assert_true(fabs(w[2] - 160) < 0.05);
	assert_non_null(strstr(b.ptr, "x=\"560.0\""));
	assert_non_null(strstr(b.ptr, "Medium <b>4</b>"));
	assert_non_null(strstr(b.ptr, "Other <b>0</b>"));

	ferry_buf_clear(&b);
	ferry_html_stacked_bar(&h, "empty", segs + 3, 1);
	assert_null(strstr(b.ptr, "class=\"seg\""));

	/* Half a ring: the arc's dash is half the circumference. */
	ferry_buf_clear(&b);
	ferry_html_ring(&h, 50, 100, FERRY_HTML_WARN, "50", "Score 50");
	assert_non_null(strstr(b.ptr, "stroke-dasharray=\"163.36 326.73\""));
	assert_non_null(strstr(b.ptr, "aria-label=\"Score 50\""));
	assert_non_null(strstr(b.ptr, ">50</text>"));
	ferry_buf_clear(&b);
	ferry_html_ring(&h, 250, 100, FERRY_HTML_GOOD, "100", "x");
	assert_non_null(strstr(b.ptr, "stroke-dasharray=\"326.73 326.73\""));
	ferry_buf_clear(&b);
	ferry_html_ring(&h, (double)NAN, 100, FERRY_HTML_GOOD, DASH, "unknown");
	assert_null(strstr(b.ptr, "class=\"arc\""));
	ferry_buf_clear(&b);
	ferry_html_meter(&h, 0.456);
	assert_non_null(strstr(b.ptr, "width:46%"));
	assert_int_equal(ferry_html_finish(&h), 0);
	ferry_buf_release(&b);
}

/* Renders a report given as JSON text; returns the render's result. */
static int render_json(struct ferry_buf *out, const char *text)
{
	json_error_t jerr;
	json_t *report = json_loads(text, JSON_DECODE_ANY, &jerr);
	int rc;

	if (!report)
		fail_msg("bad test JSON: %s at %d", jerr.text, jerr.line);
	rc = ferry_report_readiness_html(report, out);
	json_decref(report);
	return rc;
}

/* The page's promise: nothing that runs or is fetched. Instance URLs are
 * user text, so "https://" itself may appear, but never as a link or a
 * source. */
static void assert_self_contained(const char *html)
{
	assert_null(has_ci(html, "<script"));
	assert_null(has_ci(html, " src="));
	assert_null(has_ci(html, "href=\"http"));
	assert_null(has_ci(html, "href='http"));
	assert_null(has_ci(html, "@import"));
	assert_null(has_ci(html, "url("));
	assert_null(has_ci(html, "<link"));
	assert_null(has_ci(html, "<iframe"));
	assert_null(has_ci(html, "<img"));
	assert_null(has_ci(html, " onerror="));
	assert_true(ferry_utf8_valid(html, strlen(html), NULL));
	assert_non_null(strstr(html, "default-src 'none'"));
	assert_true(ferry_str_starts_with(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "</html>\n"));
}

static const char *find_after(const char *html, const char *needle,
                              const char *after)
{
	const char *p = strstr(html, needle);

	if (!p)
		fail_msg("'%s' not in the page", needle);
	if (after && p < after)
		fail_msg("'%s' comes too early", needle);
	return p;
}

static void test_sample_page(void **state)
{
	/* Worst first: high, medium, low; the most affected first within. */
	static const char *const order[] = {
	    "record_limit",           "unmatched_owners",
	    "duplicate_emails",       "automation_not_migrated",
	    "unmapped_custom_object", "undefined_picklist_values",
	    "duplicate_domains",      "orphan_references",
	    "invalid_emails",         "empty_fields",
	};
	struct ferry_buf json = FERRY_BUF_INIT, page = FERRY_BUF_INIT;
	char *path, *dir, id[64];
	const char *p = NULL;
	double w[64];
	size_t i;

	FERRY_UNUSED(state);
	path = ferry_xasprintf("%s/tests/fixtures/readiness-sample.json",
	                       test_source_dir());
	assert_int_equal(test_read_file(&json, path), 0);
	assert_int_equal(ferry_buf_putc(&page, 'X'), 0);
	assert_int_equal(render_json(&page, json.ptr), 0);
	assert_true(page.ptr[0] == 'X'); /* appended, not replaced */
	assert_self_contained(page.ptr + 1);

	find_after(page.ptr, "<h1>Migration readiness</h1>", NULL);
	find_after(page.ptr, "<code>https://acme.my.salesforce.com</code>",
	           NULL);
	find_after(page.ptr, "Generated</dt><dd>2026-11-23 10:00 UTC", NULL);
	find_after(page.ptr, "<dt>ferry</dt><dd>0.1.0</dd>", NULL);
	find_after(page.ptr, "stroke=\"#d08700\"", NULL); /* partial: amber */
	find_after(page.ptr, "\xe2\x89\x88 3 h 48 min", NULL);
	find_after(page.ptr, "343,207 writes at 25/s", NULL);
	find_after(page.ptr, "<b>350,041</b>", NULL);
	find_after(page.ptr, "2 automatic \xc2\xb7 5 partial \xc2\xb7 5 manual",
	           NULL);
	find_after(page.ptr, "<span class=\"badge bad\">3 high</span>", NULL);
	find_after(page.ptr, "plan limit 100,000 records", NULL);

	/* Records by object: Task is the largest, so it has the full width;
	 * Account (18,432) is in proportion. */
	assert_int_equal(widths(page.ptr, "<rect class=\"bar\"", w, 64), 12);
	assert_true(w[0] == FERRY_HTML_BAR_WIDTH);
	assert_non_null(strstr(page.ptr, "<title>Task: 148,903 \xe2\x86\x92 "
	                                 "tasks</title>"));
	for (i = 1; i < 12; i++)
		assert_true(w[i] <= w[i - 1]);
	assert_true(fabs(w[5] - 18432.0 / 148903 * FERRY_HTML_BAR_WIDTH) <
	            0.06);

	for (i = 0; i < FERRY_ARRAY_LEN(order); i++) {
		snprintf(id, sizeof(id), "<code>%s</code></p>", order[i]);
		p = find_after(page.ptr, id, p);
	}
	p = find_after(page.ptr, "<section id=\"objects\">", p);
	p = find_after(page.ptr, "<code class=\"muted\">Subscription__c</code>",
	               p);
	p = find_after(page.ptr, "Automation</h2>", p);
	p = find_after(page.ptr, "<b>141</b>Apex classes", p);
	p = find_after(page.ptr, "Field profiles</h2>", p);
	find_after(page.ptr, "\xe2\x89\x88 17,988", p);
	find_after(page.ptr, "<span class=\"pv undef\"", p);
	find_after(page.ptr, "Fintech <span class=\"muted\">402</span>", p);
	find_after(page.ptr, "6 of 31 defined in use, <b>1 not defined</b>", p);
	find_after(page.ptr, "<span class=\"badge muted\">calculated</span>",
	           p);
	p = find_after(page.ptr, "<section id=\"mapping\">", p);
	find_after(page.ptr, "<code>mapping.yaml</code> written", p);

	/* Kept where a person can open it. */
	dir = test_tmpdir("report_html");
	free(test_write_file(dir, "readiness-sample.html", page.ptr + 1,
	                     page.len - 1));
	print_message("sample page: %zu bytes in %s/readiness-sample.html\n",
	              page.len - 1, dir);
	assert_true(page.len < 200 * 1024);
	free(dir);
	free(path);
	ferry_buf_release(&json);
	ferry_buf_release(&page);
}

static void test_hostile_strings(void **state)
{
	struct ferry_buf page = FERRY_BUF_INIT;
	json_t *report = json_loads(
	    "{\"source\": {\"type\": \"<b>sf</b>\", \"instance_url\": "
	    "\"javascript:alert(1)\\\"><script>x()</script>\"},"
	    " \"score\": {\"value\": 40, \"status\": \"<i>\", "
	    "\"explanation\": \"a & b\"},"
	    " \"objects\": [{\"name\": \"Acc\\\"ount'\", \"label\": "
	    "\"<b>x</b>\", \"destination\": \"co\\\"mp\", "
	    "\"status\": \"auto\", \"status_reason\": \"'\\u0000'\","
	    " \"fields\": [{\"name\": \"</td><script>alert(1)</script>\", "
	    "\"type\": \"<img src=x onerror=alert(1)>\", \"picklist\": "
	    "{\"defined\": 1, \"values\": [{\"value\": \"</span><script>\","
	    " \"count\": 1, \"defined\": false}]}}]}],"
	    " \"risks\": [{\"severity\": \"<high>\", \"title\": "
	    "\"<style>@import url(https://evil.example/x.css)</style>\", "
	    "\"examples\": [\"<a href='https://evil.example'>x</a>\"]}],"
	    " \"mapping\": {\"path\": \"</code><script>\", \"action\": "
	    "\"<kept>\"}}",
	    JSON_ALLOW_NUL, NULL);
	json_t *objects;

	FERRY_UNUSED(state);
	assert_non_null(report);
	/* A label that is not UTF-8 (jansson accepts it when built so). */
	objects = json_object_get(report, "objects");
	json_object_set_new(json_array_get(objects, 0), "label",
	                    json_stringn_nocheck("\xff\xfe<", 3));
	assert_int_equal(ferry_report_readiness_html(report, &page), 0);
	assert_null(has_ci(page.ptr, "<script"));
	assert_null(has_ci(page.ptr, "<img"));
	assert_null(has_ci(page.ptr, "<a href='"));
	assert_null(has_ci(page.ptr, "<style>@"));
	assert_null(has_ci(page.ptr, "<b>sf"));
	assert_null(strstr(page.ptr, "Acc\"ount"));
	assert_true(ferry_utf8_valid(page.ptr, page.len, NULL));
	assert_non_null(strstr(page.ptr, "&lt;/td&gt;&lt;script&gt;alert(1)"
	                                 "&lt;/script&gt;"));
	assert_non_null(strstr(page.ptr, "Acc&quot;ount&#39;"));
	assert_non_null(strstr(page.ptr, "co&quot;mp"));
	assert_non_null(strstr(page.ptr, FFFD FFFD "&lt;"));
	assert_non_null(strstr(page.ptr, "&#39;" FFFD "&#39;"));
	assert_non_null(strstr(page.ptr, "&lt;a href=&#39;https://"));
	assert_non_null(strstr(page.ptr, "&lt;img src=x onerror"));
	/* The only href is to the page's own sections. */
	assert_null(strstr(page.ptr, "href=\"http"));
	assert_null(strstr(page.ptr, "href=\"j"));
	ferry_buf_release(&page);
	json_decref(report);
}

static void test_missing_and_wrong_types(void **state)
{
	static const char *const shapes[] = {
	    "{}",
	    "{\"source\": null, \"destination\": null, \"score\": null, "
	    "\"estimate\": null, \"automation\": null, \"objects\": null, "
	    "\"risks\": null, \"mapping\": null}",
	    "{\"source\": 5, \"destination\": [], \"score\": {\"value\": "
	    "\"x\", \"status\": 7}, \"estimate\": {\"seconds\": -5, "
	    "\"writes\": \"many\"}, \"objects\": [1, null, {\"fields\": {}}, "
	    "{\"automation\": 3, \"fields\": [1, {\"picklist\": []}, "
	    "{\"picklist\": {\"values\": 5}}, {\"picklist\": {\"values\": "
	    "[7, {\"value\": 3}]}}]}], \"risks\": [null, 5, {\"severity\": 1, "
	    "\"examples\": \"x\", \"affected\": \"y\"}, {\"examples\": [1, "
	    "null, []]}], \"automation\": \"yes\", \"mapping\": 7}",
	    "{\"objects\": {\"Account\": 1}, \"risks\": {\"a\": 1}}",
	    "{\"source\": {\"records\": 1e300}, \"objects\": [{\"count\": "
	    "9223372036854775807, \"deleted\": 9223372036854775807}, "
	    "{\"count\": 9223372036854775807, \"deleted\": -1e300}], "
	    "\"estimate\": {\"seconds\": 1e300, \"writes\": "
	    "-9223372036854775808, \"write_rate\": 1e-300}, \"score\": "
	    "{\"value\": -1e300}, \"risks\": [{\"affected\": 1e300}, "
	    "{\"affected\": -1e300}]}",
	};
	struct ferry_buf page = FERRY_BUF_INIT;
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(shapes); i++) {
		ferry_buf_clear(&page);
		assert_int_equal(render_json(&page, shapes[i]), 0);
		assert_self_contained(page.ptr);
		assert_non_null(strstr(page.ptr, "<span class=\"none\">" DASH));
		assert_non_null(strstr(page.ptr, "Field profiles</h2>"));
	}
	/* Saturated, not wrapped around. */
	assert_non_null(strstr(page.ptr, "9,223,372,036,854,775,807"));
	assert_null(strstr(page.ptr, ">-9,223,372,036,854,775,806"));

	/* Not an object: refused, and the buffer untouched. */
	ferry_buf_clear(&page);
	assert_int_equal(ferry_buf_puts(&page, "keep"), 0);
	assert_int_equal(render_json(&page, "[]"), FERRY_EINVALID);
	assert_int_equal(render_json(&page, "\"text\""), FERRY_EINVALID);
	assert_int_equal(ferry_report_readiness_html(NULL, &page),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "ferry analyze"));
	assert_string_equal(page.ptr, "keep");
	ferry_buf_release(&page);
}

static void test_automation_unknown(void **state)
{
	struct ferry_buf page = FERRY_BUF_INIT;

	FERRY_UNUSED(state);
	assert_int_equal(
	    render_json(&page, "{\"source\": {\"type\": \"salesforce-export\", "
	                       "\"instance_url\": null}, \"automation\": "
	                       "{\"apex_triggers\": 0, \"known\": false}}"),
	    0);
	assert_non_null(strstr(page.ptr, "unknown (CSV export: no metadata)"));
	assert_non_null(strstr(page.ptr, "Salesforce export (CSV)"));
	assert_null(strstr(page.ptr, "Apex triggers</li>"));
	ferry_buf_release(&page);
}

static void test_too_big_for_buffer(void **state)
{
	struct ferry_buf page;

	FERRY_UNUSED(state);
	ferry_buf_init(&page, 4096);
	assert_int_equal(ferry_buf_puts(&page, "keep"), 0);
	assert_int_equal(render_json(&page, "{}"), FERRY_ETOOBIG);
	assert_string_equal(page.ptr, "keep");
	assert_non_null(strstr(ferry_error_last(), "readiness report"));
	ferry_buf_release(&page);
}

/* 300 objects of 200 fields: linear time and a page of sane size. */
static void test_large_report(void **state)
{
	json_t *report = json_object(), *objects = json_array();
	struct ferry_buf page = FERRY_BUF_INIT;
	struct timespec t0, t1;
	double secs;
	size_t i, j;

	FERRY_UNUSED(state);
	for (i = 0; i < 300; i++) {
		json_t *fields = json_array();

		for (j = 0; j < 200; j++) {
			json_t *pick = json_null();

			if (j % 10 == 0)
				pick = json_pack("{s:i, s:[{s:s, s:i, s:b}, "
				                 "{s:s, s:i, s:b}]}",
				                 "defined", 5, "values",
				                 "value", "Alpha", "count", 10,
				                 "defined", 1, "value", "Beta",
				                 "count", 3, "defined", 0);
			json_array_append_new(
			    fields,
			    json_pack("{s:s++, s:s, s:s, s:I, s:f, s:I, s:b, "
			              "s:I, s:b, s:o}",
			              "name", "Field_", "X", "__c", "label",
			              "Some field", "type", "string", "filled",
			              (json_int_t)(j * 37), "fill_rate",
			              (double)j / 200.0, "distinct",
			              (json_int_t)j, "distinct_exact", j % 2,
			              "longest", (json_int_t)80, "calculated",
			              j % 7 == 0, "picklist", pick));
		}
		json_array_append_new(
		    objects,
		    json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:o}",
		              "name", "Custom_Object__c", "label",
		              "Custom object", "count", (json_int_t)(i * 1000),
		              "deleted", (json_int_t)i, "destination", "things",
		              "status", i % 3 ? "partial" : "auto",
		              "status_reason", "a reason", "fields", fields));
	}
	json_object_set_new(report, "objects", objects);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ferry_report_readiness_html(report, &page), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("300 x 200 fields: %zu bytes (%zu per field) in "
	              "%.3f s\n",
	              page.len, page.len / 60000, secs);
	/* Each field is one table row: a few hundred bytes, not more. */
	assert_true(page.len > 60000 * 200);
	assert_true(page.len < 60000 * 600);
	assert_true(secs < 10);
	/* The chart keeps to the largest objects; the table has them all. */
	assert_int_equal(
	    widths(page.ptr, "<rect class=\"bar\"", (double[40]){0}, 40), 30);
	assert_non_null(strstr(page.ptr, "The 30 largest of 300 objects"));
	ferry_buf_release(&page);
	json_decref(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_text),
	    cmocka_unit_test(test_sticky_error),
	    cmocka_unit_test(test_fmt_int),
	    cmocka_unit_test(test_fmt_duration),
	    cmocka_unit_test(test_fmt_percent),
	    cmocka_unit_test(test_bar_chart),
	    cmocka_unit_test(test_stacked_bar_and_ring),
	    cmocka_unit_test(test_sample_page),
	    cmocka_unit_test(test_hostile_strings),
	    cmocka_unit_test(test_missing_and_wrong_types),
	    cmocka_unit_test(test_automation_unknown),
	    cmocka_unit_test(test_too_big_for_buffer),
	    cmocka_unit_test(test_large_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
