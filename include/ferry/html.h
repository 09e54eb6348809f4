/* html.h: a small HTML writer for ferry's reports (readiness, plan, verify):
 * escaped text and attributes, tags, inline SVG charts and the number and
 * duration formats a person reads. A page is one self-contained file: no
 * scripts and no external URL of any kind (fonts, images, style sheets).
 *
 * Writes go through a sticky writer: the first failure (the buffer's cap)
 * is kept in `error` and every later write is skipped, so a page is
 * written straight through and checked once with ferry_html_finish(). */
#ifndef FERRY_HTML_H
#define FERRY_HTML_H

#include "ferry/buf.h"
#include "ferry/common.h"

struct ferry_html {
	struct ferry_buf *out;
	int error; /* 0, or the first failure (a negative FERRY_E* code) */
};

void ferry_html_init(struct ferry_html *h, struct ferry_buf *out);
/* Returns the first failure, or 0. */
int ferry_html_finish(const struct ferry_html *h);

/* The colour families a report uses; each maps to one palette colour
 * (SVG fills) and one CSS class (badges, legends). */
enum ferry_html_tone {
	FERRY_HTML_GOOD,  /* green: automatic, passed */
	FERRY_HTML_WARN,  /* amber: partial, medium */
	FERRY_HTML_BAD,   /* red: manual review, high, failed */
	FERRY_HTML_INFO,  /* blue: low, neutral data */
	FERRY_HTML_MUTED, /* grey: unknown, not migrated */
};
const char *ferry_html_tone_color(enum ferry_html_tone t); /* "#1a7f37" */
const char *ferry_html_tone_class(enum ferry_html_tone t); /* "good" */

/* ---- text ---- */

/* What the page shows for a missing or null value. */
#define FERRY_HTML_NONE "\xe2\x80\x94" /* an em dash */

/* Appends trusted markup as is. Never pass text from outside. */
void ferry_html_raw(struct ferry_html *h, const char *s);
void ferry_html_rawf(struct ferry_html *h, const char *fmt, ...)
    FERRY_PRINTF(2, 3);
/* Appends text escaped for element content and quoted attribute values
 * alike: & < > " ' become entities; invalid UTF-8 (overlongs, surrogates,
 * truncated sequences), NUL and the C0 controls other than tab, line feed
 * and carriage return become U+FFFD. NULL writes FERRY_HTML_NONE. */
void ferry_html_text(struct ferry_html *h, const char *s);
void ferry_html_textn(struct ferry_html *h, const char *s, size_t len);
/* A printf whose result is escaped as a whole. */
void ferry_html_textf(struct ferry_html *h, const char *fmt, ...)
    FERRY_PRINTF(2, 3);

/* ---- tags ---- */

/* "<tag class=\"cls\">"; cls may be NULL. */
void ferry_html_open(struct ferry_html *h, const char *tag, const char *cls);
void ferry_html_close(struct ferry_html *h, const char *tag);
/* "<tag class=\"cls\">text</tag>", the text escaped. */
void ferry_html_elem(struct ferry_html *h, const char *tag, const char *cls,
                     const char *text);
/* A tag with more attributes: ferry_html_tag_begin(h, "td"), then
 * ferry_html_attr()s, then ferry_html_tag_end(h) for the ">". */
void ferry_html_tag_begin(struct ferry_html *h, const char *tag);
void ferry_html_attr(struct ferry_html *h, const char *name, const char *value);
void ferry_html_attrf(struct ferry_html *h, const char *name, const char *fmt,
                      ...) FERRY_PRINTF(3, 4);
void ferry_html_tag_end(struct ferry_html *h);
/* A coloured pill with a word: <span class="badge bad">High</span>. */
void ferry_html_badge(struct ferry_html *h, enum ferry_html_tone tone,
                      const char *text);

/* The document: doctype, <head> with the title, the shared style sheet
 * (layout, tables, badges, charts, print rules) plus `extra_css` (the
 * page's own, trusted; may be NULL), and the opening <body><main>. */
void ferry_html_doc_begin(struct ferry_html *h, const char *title,
                          const char *extra_css);
void ferry_html_doc_end(struct ferry_html *h);

/* ---- numbers (plain text: write them with ferry_html_text) ---- */

#define FERRY_HTML_FMT_MAX 48
/* 1234567 -> "1,234,567"; -1234 -> "-1,234". Returns out. */
const char *ferry_html_fmt_int(char out[FERRY_HTML_FMT_MAX], int64_t n);
/* Two units at most, the smaller dropped when zero: "0 s", "59 s",
 * "1 min", "2 min 5 s", "1 h 40 min", "3 d 2 h". Rounded to the second,
 * then cut (not rounded) to two units; negative or not finite gives
 * FERRY_HTML_NONE. */
const char *ferry_html_fmt_duration(char out[FERRY_HTML_FMT_MAX],
                                    double seconds);
/* 0.456 -> "46%"; never "0%" for a non-zero share nor "100%" for one
 * short of whole ("<1%", "99%"). Not finite gives FERRY_HTML_NONE. */
const char *ferry_html_fmt_percent(char out[FERRY_HTML_FMT_MAX],
                                   double fraction);
/* Writes ferry_html_fmt_int(n). */
void ferry_html_int(struct ferry_html *h, int64_t n);

/* ---- charts (inline SVG, role="img", a <title> for screen readers) ---- */

/* Geometry of the horizontal bar chart, in SVG user units: the longest
 * bar is exactly FERRY_HTML_BAR_WIDTH wide. */
#define FERRY_HTML_BAR_WIDTH 360.0

struct ferry_html_bar {
	const char *label; /* left of the bar; long labels are shortened */
	const char *note;  /* after the value ("→ companies"); may be NULL */
	double value;      /* negative or not finite counts as 0 */
	enum ferry_html_tone tone;
};
/* One row per bar, widths proportional to value (the largest spans the
 * full width; a non-zero value is at least 1 unit wide). Each bar is
 * <rect class="bar" ... width="W"> with a <title> of its own. */
void ferry_html_bar_chart(struct ferry_html *h, const char *title,
                          const struct ferry_html_bar *bars, size_t n);

struct ferry_html_segment {
	const char *label;
	double value;
	enum ferry_html_tone tone;
};
/* One bar split into segments proportional to their share of the sum
 * (<rect class="seg" ...>), and a legend with the counts below it. */
void ferry_html_stacked_bar(struct ferry_html *h, const char *title,
                            const struct ferry_html_segment *segs, size_t n);

/* A ring filled to value/max (clamped to 0..max) with `center` written
 * in the middle (e.g. "72"); `label` is its accessible name. A value that
 * is not finite draws an empty grey ring. */
void ferry_html_ring(struct ferry_html *h, double value, double max,
                     enum ferry_html_tone tone, const char *center,
                     const char *label);

/* A small CSS bar filled to `fraction` (0..1), hidden from screen readers:
 * write the percentage next to it. */
void ferry_html_meter(struct ferry_html *h, double fraction);

#endif
