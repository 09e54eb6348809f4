/* html.c: the HTML writer of html.h: escaping, tags, the shared style sheet
 * and the number formats; the charts are in html_chart.c. */
#include "util.h"

#include <math.h>
#include <stdarg.h>

#include "ferry/html.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

static const char *const tone_colors[] = {
    [FERRY_HTML_GOOD] = "#1a7f37",  [FERRY_HTML_WARN] = "#d08700",
    [FERRY_HTML_BAD] = "#cf222e",   [FERRY_HTML_INFO] = "#2f6fdf",
    [FERRY_HTML_MUTED] = "#8c959f",
};
static const char *const tone_classes[] = {
    [FERRY_HTML_GOOD] = "good",   [FERRY_HTML_WARN] = "warn",
    [FERRY_HTML_BAD] = "bad",     [FERRY_HTML_INFO] = "info",
    [FERRY_HTML_MUTED] = "muted",
};

/* Shared by every report. Only local font names and no url(): a report is
 * read offline, mailed, attached to a ticket, printed. */
static const char base_css[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;"
    "--good:#1a7f37;--warn:#d08700;--bad:#cf222e;--info:#2f6fdf;"
    "--grey:#8c959f}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#fff;color:var(--fg);font:15px/1.5 "
    "system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\","
    "Arial,sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:28px 32px 56px}\n"
    "h1{font-size:28px;line-height:1.2;margin:0 0 4px}\n"
    "h2{font-size:20px;margin:44px 0 12px;padding-bottom:6px;"
    "border-bottom:1px solid var(--line)}\n"
    "h3{font-size:16px;margin:0}\n"
    "p{margin:6px 0}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "\"Liberation Mono\",monospace;font-size:.87em}\n"
    ".muted{color:var(--muted)}\n"
    ".none{color:var(--grey)}\n"
    ".small{font-size:13px}\n"
    ".empty{color:var(--muted);font-style:italic}\n"
    "table{border-collapse:collapse;width:100%;font-size:14px}\n"
    "th,td{text-align:left;vertical-align:top;padding:6px 10px;"
    "border-bottom:1px solid var(--line)}\n"
    "thead th{background:var(--soft);font-weight:600;font-size:13px}\n"
    "th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.n{white-space:nowrap}\n"
    "tbody tr:hover{background:#fafbfc}\n"
    ".badge{display:inline-block;padding:0 8px;border-radius:10px;"
    "font-size:12px;font-weight:600;line-height:20px;white-space:nowrap}\n"
    ".badge.good{background:#dafbe1;color:#116329}\n"
    ".badge.warn{background:#fff1c2;color:#7d4e00}\n"
    ".badge.bad{background:#ffe1e1;color:#a40e26}\n"
    ".badge.info{background:#ddf4ff;color:#0a4f9e}\n"
    ".badge.muted{background:#eef1f4;color:#424a53}\n"
    "figure.chart{margin:8px 0 16px}\n"
    "figure.chart svg,svg.ring{display:block;max-width:100%;height:auto}\n"
    "figure.chart svg.stack{width:100%;height:28px}\n"
    "svg text{font-family:inherit;font-size:13px;fill:var(--fg)}\n"
    "svg .note{fill:var(--muted)}\n"
    "svg .ring-v{font-size:34px;font-weight:700}\n"
    ".legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 20px;"
    "padding:0;margin:8px 0;font-size:14px}\n"
    ".legend .sw{display:inline-block;width:12px;height:12px;"
    "border-radius:3px;margin-right:6px;vertical-align:-1px}\n"
    ".meter{display:inline-block;width:48px;height:8px;background:#e6eaef;"
    "border-radius:4px;overflow:hidden;vertical-align:middle;"
    "margin-left:6px}\n"
    ".meter i{display:block;height:100%;background:var(--info)}\n"
    "details{border:1px solid var(--line);border-radius:8px;margin:8px 0}\n"
    "details>summary{cursor:pointer;padding:8px 12px}\n"
    "details[open]>summary{border-bottom:1px solid var(--line)}\n"
    "details table{margin:0}\n";

/* A page's parts (header, summary cards, item cards, footer) and the
 * screen and print rules, which come last so that they win. */
static const char parts_css[] =
    "header.top p{margin:2px 0}\n"
    ".meta{display:grid;grid-template-columns:max-content 1fr;"
    "gap:4px 16px;margin:14px 0 0;font-size:14px}\n"
    ".meta dt{color:var(--muted)}\n"
    ".meta dd{margin:0;overflow-wrap:anywhere}\n"
    "nav.toc{margin:18px 0 0;font-size:14px}\n"
    "nav.toc a{color:var(--info);text-decoration:none;margin-right:16px}\n"
    "nav.toc a:hover{text-decoration:underline}\n"
    ".summary{display:grid;grid-template-columns:"
    "repeat(auto-fit,minmax(280px,1fr));gap:16px;margin-top:22px}\n"
    ".card{border:1px solid var(--line);border-radius:10px;"
    "padding:16px 18px}\n"
    ".k{margin:0 0 6px;font-size:12px;font-weight:600;"
    "text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}\n"
    ".big{font-size:34px;font-weight:700;line-height:1.15;"
    "white-space:nowrap;margin:4px 0}\n"
    ".totals{display:grid;grid-template-columns:max-content 1fr;"
    "gap:6px 14px;margin:0}\n"
    ".totals dt{color:var(--muted)}\n"
    ".totals dd{margin:0}\n"
    ".badge+.badge{margin-left:4px}\n"
    ".scroll{overflow-x:auto}\n"
    ".stats{list-style:none;display:flex;flex-wrap:wrap;gap:12px;"
    "padding:0;margin:8px 0}\n"
    ".stats li{border:1px solid var(--line);border-radius:8px;"
    "padding:10px 16px;min-width:150px;color:var(--muted)}\n"
    ".stats b{display:block;font-size:24px;color:var(--fg)}\n"
    ".risk{border:1px solid var(--line);border-left:5px solid var(--grey);"
    "border-radius:8px;padding:12px 16px;margin:12px 0}\n"
    ".risk.bad{border-left-color:var(--bad)}\n"
    ".risk.warn{border-left-color:var(--warn)}\n"
    ".risk.info{border-left-color:var(--info)}\n"
    ".risk>header{display:flex;gap:10px;align-items:center;"
    "flex-wrap:wrap}\n"
    ".facts{font-size:14px;color:var(--muted)}\n"
    ".facts b{color:var(--fg)}\n"
    ".examples{list-style:none;margin:8px 0 0;padding:8px 12px;"
    "background:var(--soft);border-radius:6px;"
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "\"Liberation Mono\",monospace;font-size:12.5px}\n"
    ".examples li{white-space:pre-wrap;overflow-wrap:anywhere}\n"
    "footer{margin-top:48px;border-top:1px solid var(--line);"
    "padding-top:8px}\n"
    "@media (max-width:720px){main{padding:16px}}\n"
    "@media print{@page{margin:14mm}"
    "body{font-size:11px;-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}"
    "main{max-width:none;padding:0}nav{display:none}"
    "h2{break-after:avoid}tr,figure,.card,.risk{break-inside:avoid}"
    ".big{font-size:26px}"
    "tbody tr:hover{background:none}"
    /* Paper does not scroll: tables shrink to the page instead. */
    ".scroll{overflow:visible}table,thead th{font-size:9.5px}"
    "th,td{padding:3px 5px}"
    "table,td *,th *{min-width:0!important}}\n"
    /* Closed <details> print open where the browser allows it (the
     * pseudo-element is new: a rule of its own, so older browsers drop
     * only this line). */
    "@media print{details::details-content{content-visibility:visible;"
    "display:block}}\n";

const char *ferry_html_tone_color(enum ferry_html_tone t)
{
	if ((unsigned)t >= FERRY_ARRAY_LEN(tone_colors))
		t = FERRY_HTML_MUTED;
	return tone_colors[t];
}

const char *ferry_html_tone_class(enum ferry_html_tone t)
{
	if ((unsigned)t >= FERRY_ARRAY_LEN(tone_classes))
		t = FERRY_HTML_MUTED;
	return tone_classes[t];
}

void ferry_html_init(struct ferry_html *h, struct ferry_buf *out)
{
	h->out = out;
	h->error = 0;
}

int ferry_html_finish(const struct ferry_html *h)
{
	return h->error;
}

static void put(struct ferry_html *h, const char *s, size_t len)
{
	int error;

	if (h->error || !len)
		return;
	if ((error = ferry_buf_put(h->out, s, len)) < 0)
		h->error = error;
}

void ferry_html_raw(struct ferry_html *h, const char *s)
{
	put(h, s, strlen(s));
}

void ferry_html_rawf(struct ferry_html *h, const char *fmt, ...)
{
	va_list ap;
	int error;

	if (h->error)
		return;
	va_start(ap, fmt);
	error = ferry_buf_vprintf(h->out, fmt, ap);
	va_end(ap);
	if (error < 0)
		h->error = error;
}

/* The length of the well-formed UTF-8 sequence at s, or 0: overlongs,
 * surrogates, code points past U+10FFFF and cut sequences are not. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0fu, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls are well-formed but are parse errors in HTML. */
	if (cp < 0xa0)
		return 0;
	return n;
}

static const char *entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\t':
	case '\n':
	case '\r':
		return NULL;
	default:
		return c < 0x20 || c == 0x7f ? REPLACEMENT : NULL;
	}
}

void ferry_html_textn(struct ferry_html *h, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	const char *e;

	if (!s) {
		ferry_html_raw(h, FERRY_HTML_NONE);
		return;
	}
	/* Safe bytes are copied in runs: one append per run, not per byte. */
	while (i < len && !h->error) {
		if (u[i] < 0x80) {
			e = entity(u[i]);
			n = 1;
		} else {
			n = utf8_seq(u + i, len - i);
			e = n ? NULL : REPLACEMENT;
			if (!n)
				n = 1;
		}
		if (e) {
			put(h, s + run, i - run);
			ferry_html_raw(h, e);
			run = i + n;
		}
		i += n;
	}
	put(h, s + run, i - run);
}

void ferry_html_text(struct ferry_html *h, const char *s)
{
	ferry_html_textn(h, s, s ? strlen(s) : 0);
}

void ferry_html_textf(struct ferry_html *h, const char *fmt, ...)
{
	struct ferry_buf tmp = FERRY_BUF_INIT;
	va_list ap;
	int error;

	if (h->error)
		return;
	ferry_buf_init(&tmp, h->out->max);
	va_start(ap, fmt);
	error = ferry_buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	if (error < 0)
		h->error = error;
	else
		ferry_html_textn(h, tmp.ptr, tmp.len);
	ferry_buf_release(&tmp);
}

void ferry_html_tag_begin(struct ferry_html *h, const char *tag)
{
	ferry_html_raw(h, "<");
	ferry_html_raw(h, tag);
}

void ferry_html_attr(struct ferry_html *h, const char *name, const char *value)
{
	ferry_html_raw(h, " ");
	ferry_html_raw(h, name);
	ferry_html_raw(h, "=\"");
	ferry_html_text(h, value);
	ferry_html_raw(h, "\"");
}

void ferry_html_attrf(struct ferry_html *h, const char *name, const char *fmt,
                      ...)
{
	struct ferry_buf tmp = FERRY_BUF_INIT;
	va_list ap;
	int error;

	if (h->error)
		return;
	ferry_buf_init(&tmp, h->out->max);
	va_start(ap, fmt);
	error = ferry_buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	if (error < 0)
		h->error = error;
	else
		ferry_html_attr(h, name, tmp.ptr);
	ferry_buf_release(&tmp);
}

void ferry_html_tag_end(struct ferry_html *h)
{
	ferry_html_raw(h, ">");
}

void ferry_html_open(struct ferry_html *h, const char *tag, const char *cls)
{
	ferry_html_tag_begin(h, tag);
	if (cls)
		ferry_html_attr(h, "class", cls);
	ferry_html_tag_end(h);
}

void ferry_html_close(struct ferry_html *h, const char *tag)
{
	ferry_html_raw(h, "</");
	ferry_html_raw(h, tag);
	ferry_html_raw(h, ">");
}

void ferry_html_elem(struct ferry_html *h, const char *tag, const char *cls,
                     const char *text)
{
	ferry_html_open(h, tag, cls);
	ferry_html_text(h, text);
	ferry_html_close(h, tag);
}

void ferry_html_badge(struct ferry_html *h, enum ferry_html_tone tone,
                      const char *text)
{
	ferry_html_rawf(h, "<span class=\"badge %s\">",
	                ferry_html_tone_class(tone));
	ferry_html_text(h, text);
	ferry_html_raw(h, "</span>");
}

void ferry_html_doc_begin(struct ferry_html *h, const char *title,
                          const char *extra_css)
{
	/* The policy makes the browser itself hold the page to its rule: no
	 * script runs and nothing is fetched, even if some text slipped
	 * through unescaped. */
	ferry_html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	                  "<meta charset=\"utf-8\">\n"
	                  "<meta http-equiv=\"Content-Security-Policy\" "
	                  "content=\"default-src 'none'; "
	                  "style-src 'unsafe-inline'\">\n"
	                  "<meta name=\"viewport\" "
	                  "content=\"width=device-width, initial-scale=1\">\n"
	                  "<title>");
	ferry_html_text(h, title);
	ferry_html_raw(h, "</title>\n<style>\n");
	ferry_html_raw(h, base_css);
	ferry_html_raw(h, parts_css);
	if (extra_css)
		ferry_html_raw(h, extra_css);
	ferry_html_raw(h, "</style>\n</head>\n<body>\n<main>\n");
}

void ferry_html_doc_end(struct ferry_html *h)
{
	ferry_html_raw(h, "</main>\n</body>\n</html>\n");
}

const char *ferry_html_fmt_int(char out[FERRY_HTML_FMT_MAX], int64_t n)
{
	uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
	char digits[24];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, u);
	if (n < 0)
		out[o++] = '-';
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

void ferry_html_int(struct ferry_html *h, int64_t n)
{
	char num[FERRY_HTML_FMT_MAX];

	ferry_html_raw(h, ferry_html_fmt_int(num, n));
}

const char *ferry_html_fmt_duration(char out[FERRY_HTML_FMT_MAX],
                                    double seconds)
{
	char big[FERRY_HTML_FMT_MAX];
	uint64_t s;

	if (!isfinite(seconds) || seconds < 0) {
		snprintf(out, FERRY_HTML_FMT_MAX, "%s", FERRY_HTML_NONE);
		return out;
	}
	/* Past 30 million years the exact figure no longer matters. */
	if (seconds > 1e15)
		seconds = 1e15;
	s = (uint64_t)llround(seconds);
	if (s < 60)
		snprintf(out, FERRY_HTML_FMT_MAX, "%" PRIu64 " s", s);
	else if (s < 3600 && s % 60)
		snprintf(out, FERRY_HTML_FMT_MAX,
		         "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
	else if (s < 3600)
		snprintf(out, FERRY_HTML_FMT_MAX, "%" PRIu64 " min", s / 60);
	else if (s < 86400 && s % 3600 / 60)
		snprintf(out, FERRY_HTML_FMT_MAX,
		         "%" PRIu64 " h %" PRIu64 " min", s / 3600,
		         s % 3600 / 60);
	else if (s < 86400)
		snprintf(out, FERRY_HTML_FMT_MAX, "%" PRIu64 " h", s / 3600);
	else if (s % 86400 / 3600)
		snprintf(out, FERRY_HTML_FMT_MAX, "%s d %" PRIu64 " h",
		         ferry_html_fmt_int(big, (int64_t)(s / 86400)),
		         s % 86400 / 3600);
	else
		snprintf(out, FERRY_HTML_FMT_MAX, "%s d",
		         ferry_html_fmt_int(big, (int64_t)(s / 86400)));
	return out;
}

const char *ferry_html_fmt_percent(char out[FERRY_HTML_FMT_MAX],
                                   double fraction)
{
	double p;
	long r;

	if (!isfinite(fraction)) {
		snprintf(out, FERRY_HTML_FMT_MAX, "%s", FERRY_HTML_NONE);
		return out;
	}
	p = fraction * 100.0;
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	r = lround(p);
	if (r == 0 && p > 0)
		snprintf(out, FERRY_HTML_FMT_MAX, "<1%%");
	else if (r == 100 && p < 100)
		snprintf(out, FERRY_HTML_FMT_MAX, "99%%");
	else
		snprintf(out, FERRY_HTML_FMT_MAX, "%ld%%", r);
	return out;
}
