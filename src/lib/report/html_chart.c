/* html_chart.c: the inline SVG charts of html.h. Colours are written as
 * fill attributes, not classes, so a chart keeps them when copied out of
 * its page; no chart uses url() (gradients, clip paths), which keeps the
 * "nothing external" check a plain text search. */
#include "util.h"

#include <math.h>

#include "ferry/html.h"

#define CHART_W   720
#define LABEL_END 172.0 /* right edge of the labels */
#define BAR_X     180.0
#define ROW_H     26
#define BAR_H     16
#define LABEL_MAX 24 /* code points shown before "…" */
#define STACK_H   28
#define RING_SIZE 132.0
#define RING_R    52.0
#define RING_W    14.0

static double clean(double v)
{
	return isfinite(v) && v > 0 ? v : 0;
}

/* Counts read as integers with separators; anything else as is. */
static const char *fmt_value(char out[FERRY_HTML_FMT_MAX], double v)
{
	if (isfinite(v) && v == floor(v) && fabs(v) < 9e18)
		return ferry_html_fmt_int(out, (int64_t)v);
	snprintf(out, FERRY_HTML_FMT_MAX, "%.4g", v);
	return out;
}

/* Writes at most LABEL_MAX code points of s, then "…" if it was longer.
 * Cuts only before a lead byte, so no valid sequence is split. */
static void short_label(struct ferry_html *h, const char *s)
{
	size_t i, points = 0;

	if (!s) {
		ferry_html_text(h, NULL);
		return;
	}
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (points++ == LABEL_MAX) {
			ferry_html_textn(h, s, i);
			ferry_html_raw(h, "\xe2\x80\xa6");
			return;
		}
	}
	ferry_html_textn(h, s, i);
}

/* `stretch`: drawn to the box's width, for charts without text. */
static void svg_open(struct ferry_html *h, const char *cls, int w, size_t ht,
                     bool stretch, const char *title)
{
	ferry_html_rawf(h,
	                "<svg class=\"%s\" viewBox=\"0 0 %d %zu\" width=\"%d\" "
	                "height=\"%zu\" preserveAspectRatio=\"%s\" "
	                "role=\"img\"",
	                cls, w, ht, w, ht, stretch ? "none" : "xMinYMin meet");
	ferry_html_attr(h, "aria-label", title);
	ferry_html_raw(h, "><title>");
	ferry_html_text(h, title);
	ferry_html_raw(h, "</title>\n");
}

void ferry_html_bar_chart(struct ferry_html *h, const char *title,
                          const struct ferry_html_bar *bars, size_t n)
{
	char num[FERRY_HTML_FMT_MAX];
	double max = 0, v, w, y;
	size_t i;

	if (!n) {
		ferry_html_elem(h, "p", "empty", "Nothing to show.");
		return;
	}
	for (i = 0; i < n; i++)
		max = fmax(max, clean(bars[i].value));
	ferry_html_raw(h, "<figure class=\"chart\">");
	svg_open(h, "bars", CHART_W, n * ROW_H + 8, false, title);
	for (i = 0; i < n && !h->error; i++) {
		v = clean(bars[i].value);
		w = max > 0 ? v / max * FERRY_HTML_BAR_WIDTH : 0;
		if (v > 0 && w < 1)
			w = 1;
		y = 4.0 + (double)i * ROW_H;
		fmt_value(num, v);
		ferry_html_raw(h, "<g><title>");
		ferry_html_text(h, bars[i].label);
		ferry_html_textf(h, ": %s", num);
		if (bars[i].note) {
			ferry_html_raw(h, " ");
			ferry_html_text(h, bars[i].note);
		}
		ferry_html_rawf(h,
		                "</title><text x=\"%.0f\" y=\"%.1f\" "
		                "text-anchor=\"end\">",
		                LABEL_END, y + 12.5);
		short_label(h, bars[i].label);
		ferry_html_rawf(
		    h,
		    "</text><rect class=\"bar\" x=\"%.0f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\" rx=\"3\" "
		    "fill=\"%s\"/>",
		    BAR_X, y, w, BAR_H, ferry_html_tone_color(bars[i].tone));
		ferry_html_rawf(h, "<text x=\"%.1f\" y=\"%.1f\">%s",
		                BAR_X + w + 6, y + 12.5, num);
		if (bars[i].note) {
			ferry_html_raw(h, "<tspan class=\"note\"> ");
			ferry_html_text(h, bars[i].note);
			ferry_html_raw(h, "</tspan>");
		}
		ferry_html_raw(h, "</text></g>\n");
	}
	ferry_html_raw(h, "</svg></figure>\n");
}

void ferry_html_stacked_bar(struct ferry_html *h, const char *title,
                            const struct ferry_html_segment *segs, size_t n)
{
	char num[FERRY_HTML_FMT_MAX];
	double sum = 0, x = 0, w, v;
	size_t i;

	for (i = 0; i < n; i++)
		sum += clean(segs[i].value);
	ferry_html_raw(h, "<figure class=\"chart\">");
	svg_open(h, "stack", CHART_W, STACK_H, true, title);
	ferry_html_rawf(h,
	                "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
	                "fill=\"#eef1f4\"/>\n",
	                CHART_W, STACK_H);
	for (i = 0; i < n && sum > 0 && !h->error; i++) {
		v = clean(segs[i].value);
		if (v <= 0)
			continue;
		w = v / sum * CHART_W;
		ferry_html_rawf(h,
		                "<rect class=\"seg\" x=\"%.1f\" y=\"0\" "
		                "width=\"%.1f\" height=\"%d\" fill=\"%s\">"
		                "<title>",
		                x, w, STACK_H,
		                ferry_html_tone_color(segs[i].tone));
		ferry_html_text(h, segs[i].label);
		ferry_html_textf(h, ": %s", fmt_value(num, v));
		ferry_html_raw(h, "</title></rect>\n");
		x += w;
	}
	ferry_html_raw(h, "</svg>\n<ul class=\"legend\">");
	for (i = 0; i < n && !h->error; i++) {
		ferry_html_rawf(h,
		                "<li><span class=\"sw\" "
		                "style=\"background:%s\"></span>",
		                ferry_html_tone_color(segs[i].tone));
		ferry_html_text(h, segs[i].label);
		ferry_html_rawf(h, " <b>%s</b></li>",
		                fmt_value(num, clean(segs[i].value)));
	}
	ferry_html_raw(h, "</ul></figure>\n");
}

void ferry_html_ring(struct ferry_html *h, double value, double max,
                     enum ferry_html_tone tone, const char *center,
                     const char *label)
{
	double c = 2 * 3.14159265358979 * RING_R, frac = 0, mid = RING_SIZE / 2;

	if (isfinite(value) && isfinite(max) && max > 0)
		frac = fmin(fmax(value / max, 0), 1);
	ferry_html_rawf(h,
	                "<svg class=\"ring\" viewBox=\"0 0 %.0f %.0f\" "
	                "width=\"%.0f\" height=\"%.0f\" role=\"img\"",
	                RING_SIZE, RING_SIZE, RING_SIZE, RING_SIZE);
	ferry_html_attr(h, "aria-label", label);
	ferry_html_raw(h, "><title>");
	ferry_html_text(h, label);
	ferry_html_rawf(h,
	                "</title><circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.0f\" "
	                "fill=\"none\" stroke=\"#e6eaef\" "
	                "stroke-width=\"%.0f\"/>",
	                mid, mid, RING_R, RING_W);
	/* The arc starts at twelve o'clock and runs clockwise. */
	if (frac > 0)
		ferry_html_rawf(h,
		                "<circle class=\"arc\" cx=\"%.0f\" cy=\"%.0f\" "
		                "r=\"%.0f\" fill=\"none\" stroke=\"%s\" "
		                "stroke-width=\"%.0f\" "
		                "stroke-dasharray=\"%.2f %.2f\" "
		                "transform=\"rotate(-90 %.0f %.0f)\"/>",
		                mid, mid, RING_R, ferry_html_tone_color(tone),
		                RING_W, frac * c, c, mid, mid);
	ferry_html_rawf(h,
	                "<text class=\"ring-v\" x=\"%.0f\" y=\"%.0f\" "
	                "text-anchor=\"middle\">",
	                mid, mid + 12);
	ferry_html_text(h, center);
	ferry_html_raw(h, "</text></svg>");
}

void ferry_html_meter(struct ferry_html *h, double fraction)
{
	double p = isfinite(fraction) ? fmin(fmax(fraction, 0), 1) * 100 : 0;

	ferry_html_rawf(h,
	                "<span class=\"meter\" aria-hidden=\"true\">"
	                "<i style=\"width:%.0f%%\"></i></span>",
	                p);
}
