/* readiness_detail.c: the readiness page's long sections: the risks, worst
 * first, and the field profiles, one collapsible table per object. */
#include "util.h"

#include <math.h>

#include "ferry/html.h"
#include "report.h"

/* A report is generated, but its arrays are bounded here anyway so that
 * no list can swamp the page. */
#define EXAMPLES_MAX   10
#define PICKLIST_SHOWN 12

struct risk_ref {
	const json_t *r;
	int rank;
	int64_t affected;
	size_t idx;
};

/* Severity (high first), then the most records affected, then as the
 * report lists them. */
static int risk_order(const void *pa, const void *pb)
{
	const struct risk_ref *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->affected != b->affected)
		return a->affected > b->affected ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static void risk_card(struct ferry_html *h, const json_t *r)
{
	const char *sev = ferry_report__str(r, "severity");
	const json_t *examples = json_object_get(r, "examples");
	size_t i, n = json_array_size(examples);

	ferry_html_rawf(
	    h, "<article class=\"risk %s\"><header>",
	    ferry_html_tone_class(ferry_report__severity_tone(sev)));
	ferry_report__severity_badge(h, sev);
	ferry_html_raw(h, "<h3>");
	ferry_report__put_str(h, r, "title");
	ferry_html_raw(h, "</h3></header>\n<p class=\"facts\">Object: <b>");
	if (ferry_report__str(r, "object"))
		ferry_report__put_str(h, r, "object");
	else
		ferry_html_raw(h, "all");
	ferry_html_raw(h, "</b> \xc2\xb7 <b>");
	ferry_report__put_count(h, r, "affected");
	ferry_html_raw(h, "</b> affected \xc2\xb7 <code>");
	ferry_report__put_str(h, r, "id");
	ferry_html_raw(h, "</code></p>\n<p><b>What to do:</b> ");
	ferry_report__put_str(h, r, "action");
	ferry_html_raw(h, "</p>\n");
	if (n) {
		ferry_html_raw(h, "<ul class=\"examples\" "
		                  "aria-label=\"Examples\">");
		for (i = 0; i < n && i < EXAMPLES_MAX; i++) {
			const json_t *e = json_array_get(examples, i);

			ferry_html_raw(h, "<li>");
			if (json_is_string(e))
				ferry_html_textn(h, json_string_value(e),
				                 json_string_length(e));
			else
				ferry_report__put_none(h);
			ferry_html_raw(h, "</li>");
		}
		if (n > EXAMPLES_MAX)
			ferry_html_rawf(h, "<li>\xe2\x80\xa6 and %zu more</li>",
			                n - EXAMPLES_MAX);
		ferry_html_raw(h, "</ul>\n");
	}
	ferry_html_raw(h, "</article>\n");
}

void ferry_report__readiness_risks(struct ferry_html *h, const json_t *report)
{
	static const char *const words[] = {"High", "Medium", "Low", "Other"};
	static const char *const sevs[] = {"high", "medium", "low", NULL};
	const json_t *risks = json_object_get(report, "risks");
	struct ferry_html_segment segs[4];
	size_t i, n = json_array_size(risks), nsegs = 0;
	struct risk_ref *refs;
	int64_t counts[4] = {0};

	ferry_html_raw(h, "<section id=\"risks\"><h2>Risks</h2>\n");
	if (!json_is_array(risks)) {
		ferry_html_raw(h, "<p>");
		ferry_report__put_none(h);
		ferry_html_raw(h, "</p></section>\n");
		return;
	}
	if (!n) {
		ferry_html_elem(h, "p", "empty", "No risks found.");
		ferry_html_raw(h, "</section>\n");
		return;
	}
	refs = ferry_xcalloc(n, sizeof(*refs));
	for (i = 0; i < n; i++) {
		refs[i].r = json_array_get(risks, i);
		refs[i].idx = i;
		refs[i].rank = ferry_report__severity_rank(
		    ferry_report__str(refs[i].r, "severity"));
		if (!ferry_report__count(refs[i].r, "affected",
		                         &refs[i].affected))
			refs[i].affected = 0;
		counts[refs[i].rank]++;
	}
	qsort(refs, n, sizeof(*refs), risk_order);
	for (i = 0; i < 4; i++) {
		if (i == 3 && !counts[i])
			break;
		segs[nsegs].label = words[i];
		segs[nsegs].value = (double)counts[i];
		segs[nsegs].tone = ferry_report__severity_tone(sevs[i]);
		nsegs++;
	}
	ferry_html_stacked_bar(h, "Risks by severity", segs, nsegs);
	for (i = 0; i < n && !h->error; i++)
		risk_card(h, refs[i].r);
	free(refs);
	ferry_html_raw(h, "</section>\n");
}

static void picklist_cell(struct ferry_html *h, const json_t *pl)
{
	const json_t *values = json_object_get(pl, "values");
	size_t i, n = json_array_size(values), undefined = 0;

	if (!json_is_object(pl)) {
		ferry_report__put_none(h);
		return;
	}
	for (i = 0; i < n; i++)
		if (json_is_false(
		        json_object_get(json_array_get(values, i), "defined")))
			undefined++;
	ferry_html_rawf(h, "<div class=\"small\">%zu of ", n - undefined);
	ferry_report__put_count(h, pl, "defined");
	ferry_html_raw(h, " defined in use");
	if (undefined)
		ferry_html_rawf(h, ", <b>%zu not defined</b>", undefined);
	ferry_html_raw(h, "</div>");
	for (i = 0; i < n && i < PICKLIST_SHOWN; i++) {
		const json_t *v = json_array_get(values, i);

		if (json_is_false(json_object_get(v, "defined")))
			ferry_html_raw(h,
			               "<span class=\"pv undef\" title=\"not "
			               "a value the picklist defines\">");
		else
			ferry_html_raw(h, "<span class=\"pv\">");
		ferry_report__put_str(h, v, "value");
		ferry_html_raw(h, " <span class=\"muted\">");
		ferry_report__put_count(h, v, "count");
		ferry_html_raw(h, "</span></span>");
	}
	if (n > PICKLIST_SHOWN)
		ferry_html_rawf(h,
		                "<span class=\"muted small\">+%zu more</span>",
		                n - PICKLIST_SHOWN);
}

static void field_row(struct ferry_html *h, const json_t *f)
{
	const char *label = ferry_report__str(f, "label");
	const char *name = ferry_report__str(f, "name");
	const json_t *calc = json_object_get(f, "calculated");
	char pct[FERRY_HTML_FMT_MAX];
	double rate;

	ferry_html_raw(h, "<tr><th scope=\"row\">");
	if (label && name && strcmp(label, name)) {
		ferry_report__put_str(h, f, "label");
		ferry_html_raw(h, "<br><code class=\"muted\">");
		ferry_report__put_str(h, f, "name");
		ferry_html_raw(h, "</code>");
	} else {
		ferry_report__put_str(h, f, name ? "name" : "label");
	}
	ferry_html_raw(h, "</th><td><code>");
	ferry_report__put_str(h, f, "type");
	ferry_html_raw(h, "</code></td><td class=\"n\">");
	if (ferry_report__num(f, "fill_rate", &rate)) {
		ferry_html_text(h, ferry_html_fmt_percent(pct, rate));
		ferry_html_meter(h, rate);
	} else {
		ferry_report__put_none(h);
	}
	ferry_html_raw(h, "</td><td class=\"n\">");
	ferry_report__put_count(h, f, "filled");
	ferry_html_raw(h, "</td><td class=\"n\">");
	if (json_is_false(json_object_get(f, "distinct_exact")) &&
	    json_is_number(json_object_get(f, "distinct")))
		ferry_html_raw(h, "\xe2\x89\x88 ");
	ferry_report__put_count(h, f, "distinct");
	ferry_html_raw(h, "</td><td class=\"n\">");
	ferry_report__put_count(h, f, "longest");
	ferry_html_raw(h, "</td><td>");
	if (json_is_true(calc))
		ferry_html_raw(h, "<span class=\"badge muted\">calculated"
		                  "</span>");
	else if (!json_is_false(calc))
		ferry_report__put_none(h);
	ferry_html_raw(h, "</td><td>");
	picklist_cell(h, json_object_get(f, "picklist"));
	ferry_html_raw(h, "</td></tr>\n");
}

static void object_fields(struct ferry_html *h, const json_t *o)
{
	const json_t *fields = json_object_get(o, "fields");
	size_t i, n = json_array_size(fields);
	const char *label = ferry_report__str(o, "label");

	ferry_html_raw(h, "<details><summary><b>");
	ferry_report__put_str(h, o, label ? "label" : "name");
	ferry_html_raw(h, "</b> <code class=\"muted\">");
	ferry_report__put_str(h, o, "name");
	ferry_html_rawf(h,
	                "</code> <span class=\"muted\">\xc2\xb7 %zu fields "
	                "\xc2\xb7 ",
	                n);
	ferry_report__put_count(h, o, "count");
	ferry_html_raw(h, " records</span>");
	ferry_report__status_badge(h, ferry_report__str(o, "status"));
	ferry_html_raw(h, "</summary>\n");
	if (!n) {
		ferry_html_elem(h, "p", "empty", "No fields were profiled.");
		ferry_html_raw(h, "</details>\n");
		return;
	}
	ferry_html_raw(h, "<div class=\"scroll\"><table class=\"fields\">\n"
	                  "<thead><tr><th scope=\"col\">Field</th>"
	                  "<th scope=\"col\">Type</th>"
	                  "<th scope=\"col\" class=\"n\">Fill rate</th>"
	                  "<th scope=\"col\" class=\"n\">Filled</th>"
	                  "<th scope=\"col\" class=\"n\">Distinct</th>"
	                  "<th scope=\"col\" class=\"n\">Longest</th>"
	                  "<th scope=\"col\">Calculated</th>"
	                  "<th scope=\"col\">Picklist values</th>"
	                  "</tr></thead>\n<tbody>\n");
	for (i = 0; i < n && !h->error; i++)
		field_row(h, json_array_get(fields, i));
	ferry_html_raw(h, "</tbody></table></div>\n</details>\n");
}

void ferry_report__readiness_fields(struct ferry_html *h, const json_t *report)
{
	const json_t *objects = json_object_get(report, "objects");
	size_t i, n = json_array_size(objects);

	ferry_html_raw(h, "<section id=\"fields\"><h2>Field profiles</h2>\n"
	                  "<p class=\"small muted\">Open an object to see how "
	                  "full each field is, how many distinct values it "
	                  "holds (\xe2\x89\x88: estimated) and which picklist "
	                  "values are in use. Highlighted values are not "
	                  "defined in the picklist: they need an option in "
	                  "Attio before they can load.</p>\n");
	if (!n)
		ferry_html_elem(h, "p", "empty", "No objects were extracted.");
	for (i = 0; i < n && !h->error; i++)
		object_fields(h, json_array_get(objects, i));
	ferry_html_raw(h, "</section>\n");
}
