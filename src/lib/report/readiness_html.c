/* readiness_html.c: the readiness report (analyze.h) drawn as one page a
 * RevOps engineer or a CTO can take in at a glance: the score and the
 * load time first, then records, risks, objects, automation, field
 * profiles and the mapping; risks and fields are in readiness_detail.c. */
#include "util.h"

#include <math.h>

#include "ferry/analyze.h"
#include "ferry/html.h"
#include "report.h"

/* The chart stays readable; the table below lists every object. */
#define CHART_OBJECTS_MAX 30

static const char page_css[] =
    ".card.score{display:flex;gap:16px;align-items:center}\n"
    ".card.score svg{flex:none}\n"
    "td .why{font-size:13px;color:var(--muted);margin-top:2px;"
    "min-width:12em}\n"
    /* The same columns in every object's field table. */
    "table.fields{table-layout:fixed;min-width:760px}\n"
    "table.fields th:nth-child(1){width:19%}"
    "table.fields th:nth-child(2){width:9%}"
    "table.fields th:nth-child(3){width:12%}"
    "table.fields th:nth-child(4){width:8%}"
    "table.fields th:nth-child(5){width:10%}"
    "table.fields th:nth-child(6){width:8%}"
    "table.fields th:nth-child(7){width:10%}\n"
    "table.fields td,table.fields tbody th{overflow-wrap:anywhere}\n"
    ".pv{display:inline-block;margin:1px 4px 1px 0;padding:0 6px;"
    "border:1px solid var(--line);border-radius:4px;font-size:12px;"
    "white-space:nowrap}\n"
    ".pv.undef{background:#fff1c2;border-color:#d4a72c;color:#7d4e00}\n"
    "summary .badge{margin-left:8px}\n"
    "@media print{td .why{font-size:9.5px}}\n";

static void source_name(struct ferry_html *h, const char *type)
{
	if (!type)
		ferry_report__put_none(h);
	else if (!strcmp(type, "salesforce"))
		ferry_html_raw(h, "Salesforce");
	else if (!strcmp(type, "salesforce-export"))
		ferry_html_raw(h, "Salesforce export (CSV)");
	else
		ferry_html_text(h, type);
}

static void dest_name(struct ferry_html *h, const char *type)
{
	if (type && !strcmp(type, "attio"))
		ferry_html_raw(h, "Attio");
	else if (type)
		ferry_html_text(h, type);
	else
		ferry_report__put_none(h);
}

/* "25", "2.5": a rate as a person writes it. */
static void put_rate(struct ferry_html *h, const json_t *o, const char *key)
{
	double rate;

	if (ferry_report__num(o, key, &rate))
		ferry_html_rawf(h, "%.4g", rate);
	else
		ferry_report__put_none(h);
}

static void header(struct ferry_html *h, const json_t *r)
{
	const json_t *src = json_object_get(r, "source");
	const json_t *dst = json_object_get(r, "destination");
	const json_t *reachable = json_object_get(dst, "reachable");
	int64_t n;

	ferry_html_raw(h, "<header class=\"top\">\n<h1>Migration readiness</h1>"
	                  "\n<p class=\"muted\">");
	source_name(h, ferry_report__str(src, "type"));
	ferry_html_raw(h, " \xe2\x86\x92 ");
	dest_name(h, ferry_report__str(dst, "type"));
	ferry_html_raw(h, "</p>\n<dl class=\"meta\">\n<dt>Source</dt><dd>");
	source_name(h, ferry_report__str(src, "type"));
	if (ferry_report__str(src, "instance_url")) {
		ferry_html_raw(h, " <code>");
		ferry_report__put_str(h, src, "instance_url");
		ferry_html_raw(h, "</code>");
	}
	if (ferry_report__str(src, "api_version")) {
		ferry_html_raw(h, " \xc2\xb7 API ");
		ferry_report__put_str(h, src, "api_version");
	}
	ferry_html_raw(h, " \xc2\xb7 extracted ");
	ferry_report__put_time(h, ferry_report__str(src, "extracted_at"));
	ferry_html_raw(h, " \xc2\xb7 ");
	ferry_report__put_count(h, src, "records");
	ferry_html_raw(h, " records</dd>\n<dt>Destination</dt><dd>");
	dest_name(h, ferry_report__str(dst, "type"));
	ferry_html_raw(h, " workspace ");
	if (json_is_true(reachable))
		ferry_html_badge(h, FERRY_HTML_GOOD, "reachable");
	else if (json_is_false(reachable))
		ferry_html_raw(h, "<span class=\"badge warn\">not reached"
		                  "</span> owners and select options were not "
		                  "checked");
	else
		ferry_report__put_none(h);
	if (ferry_report__count(dst, "members", &n)) {
		ferry_html_raw(h, " \xc2\xb7 ");
		ferry_html_int(h, n);
		ferry_html_raw(h, " members");
	}
	ferry_html_raw(h, " \xc2\xb7 plan limit ");
	if (ferry_report__count(dst, "record_limit", &n)) {
		ferry_html_int(h, n);
		ferry_html_raw(h, " records");
	} else {
		ferry_html_raw(h, "unknown");
	}
	ferry_html_raw(h, " \xc2\xb7 ");
	put_rate(h, dst, "write_rate");
	ferry_html_raw(h, " writes/s</dd>\n<dt>Generated</dt><dd>");
	ferry_report__put_time(h, ferry_report__str(r, "generated_at"));
	ferry_html_raw(h, "</dd>\n<dt>ferry</dt><dd>");
	ferry_report__put_str(h, r, "ferry_version");
	ferry_html_raw(h, "</dd>\n</dl>\n</header>\n"
	                  "<nav class=\"toc\" aria-label=\"Sections\">"
	                  "<a href=\"#records\">Records by object</a>"
	                  "<a href=\"#risks\">Risks</a>"
	                  "<a href=\"#objects\">Objects</a>"
	                  "<a href=\"#automation\">Automation</a>"
	                  "<a href=\"#fields\">Field profiles</a>"
	                  "<a href=\"#mapping\">Mapping</a></nav>\n");
}

static void score_card(struct ferry_html *h, const json_t *r)
{
	const json_t *score = json_object_get(r, "score");
	const char *status = ferry_report__str(score, "status");
	char center[32], label[96];
	double v = (double)NAN;

	if (ferry_report__num(score, "value", &v)) {
		v = fmin(fmax(v, 0), 100);
		snprintf(center, sizeof(center), "%.0f", v);
		snprintf(label, sizeof(label), "Readiness score %.0f of 100",
		         v);
	} else {
		snprintf(center, sizeof(center), "%s", FERRY_HTML_NONE);
		snprintf(label, sizeof(label), "Readiness score unknown");
	}
	ferry_html_raw(h, "<div class=\"card score\">");
	ferry_html_ring(h, v, 100, ferry_report__status_tone(status), center,
	                label);
	ferry_html_raw(h, "<div><p class=\"k\">Readiness score</p><p>");
	ferry_report__status_badge(h, status);
	ferry_html_raw(h, "</p><p>");
	ferry_report__put_str(h, score, "explanation");
	ferry_html_raw(h, "</p>");
	if (ferry_report__str(score, "formula")) {
		ferry_html_raw(h, "<p class=\"muted small\">");
		ferry_report__put_str(h, score, "formula");
		ferry_html_raw(h, "</p>");
	}
	ferry_html_raw(h, "</div></div>\n");
}

static void estimate_card(struct ferry_html *h, const json_t *r)
{
	const json_t *est = json_object_get(r, "estimate");
	char dur[FERRY_HTML_FMT_MAX];
	double s;

	ferry_html_raw(h, "<div class=\"card\"><p class=\"k\">Load time "
	                  "(estimate)</p><p class=\"big\">");
	if (ferry_report__num(est, "seconds", &s)) {
		ferry_html_raw(h, "\xe2\x89\x88 ");
		ferry_html_text(h, ferry_html_fmt_duration(dur, s));
	} else {
		ferry_report__put_none(h);
	}
	ferry_html_raw(h, "</p><p>");
	ferry_report__put_count(h, est, "writes");
	ferry_html_raw(h, " writes at ");
	if (json_is_number(json_object_get(est, "write_rate")))
		put_rate(h, est, "write_rate");
	else
		put_rate(h, json_object_get(r, "destination"), "write_rate");
	ferry_html_raw(h, "/s</p><p class=\"muted small\">");
	ferry_report__put_str(h, est, "explanation");
	ferry_html_raw(h, "</p></div>\n");
}

/* auto 0, partial 1, manual_review 2, anything else 3. */
static size_t status_index(const char *status)
{
	switch (ferry_report__status_tone(status)) {
	case FERRY_HTML_GOOD:
		return 0;
	case FERRY_HTML_WARN:
		return 1;
	case FERRY_HTML_BAD:
		return 2;
	default:
		return 3;
	}
}

static void totals_card(struct ferry_html *h, const json_t *r)
{
	const json_t *objects = json_object_get(r, "objects");
	const json_t *risks = json_object_get(r, "risks");
	static const char *const sev[] = {"high", "medium", "low", "other"};
	int64_t records = 0, deleted = 0, n, by_status[4] = {0};
	int64_t by_sev[4] = {0};
	size_t i;

	for (i = 0; i < json_array_size(objects); i++) {
		const json_t *o = json_array_get(objects, i);
		const char *st = ferry_report__str(o, "status");

		if (ferry_report__count(o, "count", &n))
			records = ferry_report__add(records, n);
		if (ferry_report__count(o, "deleted", &n))
			deleted = ferry_report__add(deleted, n);
		by_status[status_index(st)]++;
	}
	for (i = 0; i < json_array_size(risks); i++)
		by_sev[ferry_report__severity_rank(
		    ferry_report__str(json_array_get(risks, i), "severity"))]++;
	/* The source's own total wins: it counts what the objects list may
	 * leave out. */
	if (ferry_report__count(json_object_get(r, "source"), "records", &n))
		records = n;
	ferry_html_raw(h, "<div class=\"card\"><p class=\"k\">Totals</p>"
	                  "<dl class=\"totals\"><dt>Records</dt><dd><b>");
	ferry_html_int(h, records);
	ferry_html_raw(h, "</b>");
	if (deleted) {
		ferry_html_raw(h, " <span class=\"muted\">and ");
		ferry_html_int(h, deleted);
		ferry_html_raw(h, " deleted</span>");
	}
	ferry_html_raw(h, "</dd><dt>Objects</dt><dd><b>");
	ferry_html_int(h, (int64_t)json_array_size(objects));
	ferry_html_rawf(h,
	                "</b> <span class=\"muted\">%" PRId64
	                " automatic \xc2\xb7 %" PRId64
	                " partial \xc2\xb7 %" PRId64
	                " manual review</span></dd><dt>Risks</dt><dd>",
	                by_status[0], by_status[1], by_status[2]);
	for (i = 0; i < 4; i++) {
		if (!by_sev[i] && i == 3)
			continue;
		ferry_html_rawf(
		    h, "<span class=\"badge %s\">%" PRId64 " %s</span>",
		    ferry_html_tone_class(ferry_report__severity_tone(sev[i])),
		    by_sev[i], sev[i]);
	}
	ferry_html_raw(h, "</dd></dl></div>\n");
}

struct ranked {
	const json_t *o;
	int64_t count;
	size_t idx;
};

static int by_count_desc(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const char *object_label(const json_t *o)
{
	const char *label = ferry_report__str(o, "label");

	return label && label[0] ? label : ferry_report__str(o, "name");
}

static void records_chart(struct ferry_html *h, const json_t *r)
{
	const json_t *objects = json_object_get(r, "objects");
	size_t i, n = json_array_size(objects), shown;
	struct ferry_html_bar *bars;
	struct ranked *rank;
	char **notes;
	int64_t rest = 0;

	ferry_html_raw(h, "<section id=\"records\"><h2>Records by object</h2>"
	                  "\n");
	if (!n) {
		ferry_html_elem(h, "p", "empty", "No objects were extracted.");
		ferry_html_raw(h, "</section>\n");
		return;
	}
	rank = ferry_xcalloc(n, sizeof(*rank));
	for (i = 0; i < n; i++) {
		rank[i].o = json_array_get(objects, i);
		rank[i].idx = i;
		if (!ferry_report__count(rank[i].o, "count", &rank[i].count))
			rank[i].count = 0;
	}
	qsort(rank, n, sizeof(*rank), by_count_desc);
	shown = n < CHART_OBJECTS_MAX ? n : CHART_OBJECTS_MAX;
	bars = ferry_xcalloc(shown, sizeof(*bars));
	notes = ferry_xcalloc(shown, sizeof(*notes));
	for (i = 0; i < shown; i++) {
		const char *dest = ferry_report__str(rank[i].o, "destination");

		notes[i] = dest ? ferry_xasprintf("\xe2\x86\x92 %s", dest)
		                : ferry_xstrdup("not migrated");
		bars[i].label = object_label(rank[i].o);
		bars[i].note = notes[i];
		bars[i].value = (double)rank[i].count;
		bars[i].tone = ferry_report__status_tone(
		    ferry_report__str(rank[i].o, "status"));
	}
	ferry_html_bar_chart(h, "Records per object, largest first", bars,
	                     shown);
	ferry_html_raw(h, "<p class=\"small muted\">Bar colour is the "
	                  "object's status: ");
	ferry_report__status_badge(h, "auto");
	ferry_report__status_badge(h, "partial");
	ferry_report__status_badge(h, "manual_review");
	ferry_html_raw(h, "</p>\n");
	if (n > shown) {
		for (i = shown; i < n; i++)
			rest = ferry_report__add(rest, rank[i].count);
		ferry_html_rawf(h,
		                "<p class=\"small muted\">The %zu largest of "
		                "%zu objects; the other %zu hold ",
		                shown, n, n - shown);
		ferry_html_int(h, rest);
		ferry_html_raw(h, " records (all are in the Objects table).</p>"
		                  "\n");
	}
	for (i = 0; i < shown; i++)
		free(notes[i]);
	free(notes);
	free(bars);
	free(rank);
	ferry_html_raw(h, "</section>\n");
}

/* The object's label, with the API name under it when they differ. */
static void object_cell(struct ferry_html *h, const json_t *o)
{
	const char *label = ferry_report__str(o, "label");
	const char *name = ferry_report__str(o, "name");

	if (label && name && strcmp(label, name)) {
		ferry_html_raw(h, "<b>");
		ferry_report__put_str(h, o, "label");
		ferry_html_raw(h, "</b><br><code class=\"muted\">");
		ferry_report__put_str(h, o, "name");
		ferry_html_raw(h, "</code>");
	} else {
		ferry_html_raw(h, "<b>");
		ferry_report__put_str(h, o, name ? "name" : "label");
		ferry_html_raw(h, "</b>");
	}
}

static void objects_table(struct ferry_html *h, const json_t *r)
{
	static const char *const autos[] = {
	    "apex_triggers", "flows", "validation_rules", "workflow_rules"};
	const json_t *objects = json_object_get(r, "objects");
	size_t i, j;

	ferry_html_raw(h, "<section id=\"objects\"><h2>Objects</h2>\n");
	if (!json_array_size(objects)) {
		ferry_html_elem(h, "p", "empty", "No objects were extracted.");
		ferry_html_raw(h, "</section>\n");
		return;
	}
	ferry_html_raw(h, "<div class=\"scroll\"><table>\n<thead><tr>"
	                  "<th scope=\"col\">Object</th>"
	                  "<th scope=\"col\" class=\"n\">Records</th>"
	                  "<th scope=\"col\" class=\"n\">Deleted</th>"
	                  "<th scope=\"col\">Destination</th>"
	                  "<th scope=\"col\">Status</th>"
	                  "<th scope=\"col\" class=\"n\">Apex triggers</th>"
	                  "<th scope=\"col\" class=\"n\">Flows</th>"
	                  "<th scope=\"col\" class=\"n\">Validation rules</th>"
	                  "<th scope=\"col\" class=\"n\">Workflow rules</th>"
	                  "</tr></thead>\n<tbody>\n");
	for (i = 0; i < json_array_size(objects) && !h->error; i++) {
		const json_t *o = json_array_get(objects, i);
		const json_t *am = json_object_get(o, "automation");

		ferry_html_raw(h, "<tr><th scope=\"row\">");
		object_cell(h, o);
		ferry_html_raw(h, "</th><td class=\"n\">");
		ferry_report__put_count(h, o, "count");
		ferry_html_raw(h, "</td><td class=\"n\">");
		ferry_report__put_count(h, o, "deleted");
		ferry_html_raw(h, "</td><td>");
		if (ferry_report__str(o, "destination")) {
			ferry_html_raw(h, "<code>");
			ferry_report__put_str(h, o, "destination");
			ferry_html_raw(h, "</code>");
		} else {
			ferry_html_raw(h, "<span class=\"none\">not migrated"
			                  "</span>");
		}
		ferry_html_raw(h, "</td><td>");
		ferry_report__status_badge(h, ferry_report__str(o, "status"));
		ferry_html_raw(h, "<div class=\"why\">");
		ferry_report__put_str(h, o, "status_reason");
		ferry_html_raw(h, "</div></td>");
		for (j = 0; j < FERRY_ARRAY_LEN(autos); j++) {
			ferry_html_raw(h, "<td class=\"n\">");
			ferry_report__put_count(h, am, autos[j]);
			ferry_html_raw(h, "</td>");
		}
		ferry_html_raw(h, "</tr>\n");
	}
	ferry_html_raw(h, "</tbody></table></div>\n</section>\n");
}

static void automation(struct ferry_html *h, const json_t *r)
{
	static const char *const keys[] = {"apex_triggers", "apex_classes",
	                                   "flows", "validation_rules",
	                                   "workflow_rules"};
	static const char *const words[] = {"Apex triggers", "Apex classes",
	                                    "Flows", "Validation rules",
	                                    "Workflow rules"};
	const json_t *am = json_object_get(r, "automation");
	size_t i;

	ferry_html_raw(h, "<section id=\"automation\"><h2>Automation</h2>\n");
	if (json_is_false(json_object_get(am, "known"))) {
		ferry_html_raw(h, "<p>Automation: unknown (CSV export: no "
		                  "metadata).</p>\n");
	} else if (!json_is_object(am)) {
		ferry_html_raw(h, "<p>Automation: ");
		ferry_report__put_none(h);
		ferry_html_raw(h, "</p>\n");
	} else {
		ferry_html_raw(h, "<ul class=\"stats\">");
		for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
			ferry_html_raw(h, "<li><b>");
			ferry_report__put_count(h, am, keys[i]);
			ferry_html_rawf(h, "</b>%s</li>", words[i]);
		}
		ferry_html_raw(h, "</ul>\n");
	}
	ferry_html_raw(h, "<p class=\"small muted\">Salesforce automation does "
	                  "not move to Attio: each trigger, flow and rule is "
	                  "behaviour to rebuild there or to let go. The "
	                  "Objects table counts them per object.</p>\n"
	                  "</section>\n");
}

static void mapping(struct ferry_html *h, const json_t *r)
{
	const json_t *m = json_object_get(r, "mapping");
	const char *action = ferry_report__str(m, "action");

	ferry_html_raw(h, "<section id=\"mapping\"><h2>Mapping</h2>\n"
	                  "<dl class=\"meta\"><dt>File</dt><dd><code>");
	ferry_report__put_str(h, m, "path");
	ferry_html_raw(h, "</code> ");
	if (!action)
		ferry_report__put_none(h);
	else if (!strcmp(action, "written"))
		ferry_html_raw(h, "written: the first draft for this "
		                  "workspace");
	else if (!strcmp(action, "updated"))
		ferry_html_raw(h, "updated: it was still exactly as analyze "
		                  "last wrote it");
	else if (!strcmp(action, "kept"))
		ferry_html_raw(h, "kept: it has your edits, so it was left "
		                  "alone and the new draft went beside it");
	else
		ferry_html_text(h, action);
	ferry_html_raw(h, "</dd><dt>Draft</dt><dd>");
	if (ferry_report__str(m, "draft")) {
		ferry_html_raw(h, "<code>");
		ferry_report__put_str(h, m, "draft");
		ferry_html_raw(h, "</code>");
	} else {
		ferry_report__put_none(h);
	}
	ferry_html_raw(h, "</dd><dt>Note</dt><dd>");
	ferry_report__put_str(h, m, "note");
	ferry_html_raw(h, "</dd></dl>\n</section>\n");
}

int ferry_report_readiness_html(const json_t *report, struct ferry_buf *out)
{
	struct ferry_html h;
	size_t start = out->len;
	int error;

	if (!json_is_object(report))
		return ferry_error_set(FERRY_EINVALID,
		                       "the readiness report is not a JSON "
		                       "object; run 'ferry analyze' again to "
		                       "rebuild reports/readiness.json");
	ferry_html_init(&h, out);
	ferry_html_doc_begin(&h, "Migration readiness", page_css);
	header(&h, report);
	ferry_html_raw(&h, "<section class=\"summary\" aria-label=\"Summary\">"
	                   "\n");
	score_card(&h, report);
	estimate_card(&h, report);
	totals_card(&h, report);
	ferry_html_raw(&h, "</section>\n");
	records_chart(&h, report);
	ferry_report__readiness_risks(&h, report);
	objects_table(&h, report);
	automation(&h, report);
	ferry_report__readiness_fields(&h, report);
	mapping(&h, report);
	ferry_html_raw(&h, "<footer class=\"small muted\"><p>Drawn by ferry ");
	ferry_report__put_str(&h, report, "ferry_version");
	ferry_html_raw(&h, " from reports/readiness.json. The page is "
	                   "self-contained (no scripts, nothing fetched): "
	                   "mail it, attach it, print it.</p></footer>\n");
	ferry_html_doc_end(&h);
	if ((error = ferry_html_finish(&h)) < 0) {
		ferry_buf_truncate(out, start);
		return ferry_error_wrap(error, "cannot render the readiness "
		                               "report as HTML");
	}
	return 0;
}
