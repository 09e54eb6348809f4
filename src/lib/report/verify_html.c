/* verify_html.c: `ferry verify`'s report (verify.h) as one page a person
 * takes in at a glance: whether every staged record is accounted for,
 * object by object (and by record type), then what is wrong, if anything:
 * records written and not in Attio, references that name another record,
 * sampled values that differ, and records whose plan and ledger disagree,
 * each with its ids. Drawn from the report's JSON with html.h: no script,
 * a CSP meta, every value escaped; the plan page's look. */
#include "util.h"

#include "analyze/analyze_int.h"
#include "ferry/html.h"
#include "ferry/verify.h"
#include "report.h"

static const char page_css[] =
    ".eq{font-size:15px;margin:2px 0 8px}\n"
    ".eq b{font-variant-numeric:tabular-nums}\n"
    "h3.obj{margin:18px 0 4px}\n"
    "h3.obj .muted{font-weight:400}\n"
    "tfoot th,tfoot td{font-weight:600;border-top:2px solid var(--line)}\n"
    "table.probs td{overflow-wrap:anywhere}\n"
    "table.probs td:first-child{white-space:nowrap}\n"
    "td code,td .id{font-size:12px}\n";

/* The counters of an object as the equation shows them: the accounted
 * ones (with +), then those that keep it unbalanced. */
static const struct {
	const char *key, *word;
	bool open; /* unresolved: failed, pending, not run */
} terms[] = {
    {"written", "written", false},
    {"merged", "merged", false},
    {"held", "held", false},
    {"skipped", "skipped", false},
    {"rolled_back", "rolled back", false},
    {"deleted", "deleted", false},
    {"failed", "failed", true},
    {"pending", "pending", true},
    {"not_run", "not run", true},
};

static int64_t num(const json_t *o, const char *key)
{
	int64_t n = 0;

	ferry_report__count(o, key, &n);
	return n;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = ferry_report__str(o, key);

	return s ? s : "";
}

static bool problems_of(const json_t *o)
{
	return num(o, "missing") || num(o, "wrong_references") ||
	       num(o, "mismatched");
}

static void equation(struct ferry_html *h, const json_t *o)
{
	size_t i;
	bool first = true;

	ferry_html_raw(h, "<p class=\"eq\"><b>");
	ferry_html_int(h, num(o, "staged"));
	ferry_html_raw(h, "</b> staged =");
	for (i = 0; i < FERRY_ARRAY_LEN(terms); i++) {
		int64_t n = num(o, terms[i].key);

		/* The four the plan decides always; the others when any. */
		if (!n && i > 3)
			continue;
		ferry_html_raw(h, first ? " " : " + ");
		if (terms[i].open)
			ferry_html_raw(h, "<span class=\"badge bad\">");
		ferry_html_raw(h, "<b>");
		ferry_html_int(h, n);
		ferry_html_rawf(h, "</b> %s", terms[i].word);
		if (terms[i].open)
			ferry_html_raw(h, "</span>");
		first = false;
	}
	ferry_html_raw(h, "</p>\n");
}

/* Balanced is the counts; what is wrong in Attio is said apart. */
static void balance_badge(struct ferry_html *h, const json_t *o)
{
	if (json_is_true(json_object_get(o, "balanced")))
		ferry_html_badge(h, FERRY_HTML_GOOD, "balanced");
	else
		ferry_html_badge(h, FERRY_HTML_BAD, "unbalanced");
	if (problems_of(o)) {
		ferry_html_raw(h, " ");
		ferry_html_badge(h, FERRY_HTML_BAD, "wrong in Attio");
	}
}

static void header(struct ferry_html *h, const json_t *r)
{
	const json_t *reads = json_object_get(r, "reads");
	const json_t *sample = json_object_get(r, "sample");
	char now[40];
	double secs = 0, rate = 0;

	ferry_clock_iso8601(ferry_clock_wall_us(), now, sizeof(now));
	ferry_html_raw(h, "<header class=\"top\">\n<h1>Migration verified"
	                  "</h1>\n<p class=\"muted\">Whether Attio holds what "
	                  "the plan said it would: every staged record "
	                  "accounted for, every written record found again "
	                  "with its references, and a sample of its values "
	                  "compared.</p>\n<dl class=\"meta\">\n<dt>Verified"
	                  "</dt><dd>");
	ferry_report__put_time(h, now);
	ferry_html_raw(h, "</dd>\n<dt>Destination</dt><dd>");
	if (json_is_true(json_object_get(r, "online"))) {
		ferry_html_badge(h, FERRY_HTML_GOOD, "read back");
		ferry_html_raw(h, " ");
		ferry_html_int(h, num(reads, "records"));
		ferry_html_raw(h, " records in ");
		ferry_html_int(h, num(reads, "requests"));
		ferry_report__num(reads, "seconds", &secs);
		ferry_report__num(reads, "read_rate", &rate);
		ferry_html_rawf(h, " requests, %.1f s", secs);
		if (rate > 0)
			ferry_html_rawf(h, " (read budget %.0f/s)", rate);
	} else {
		ferry_html_badge(h, FERRY_HTML_WARN, "offline");
		ferry_html_raw(h, " the counts only: run <code>ferry verify"
		                  "</code> without <code>--offline</code> to "
		                  "read Attio back");
	}
	ferry_html_raw(h, "</dd>\n<dt>Values</dt><dd>");
	if (json_is_string(sample)) {
		ferry_html_raw(h, "every written record compared");
	} else {
		ferry_html_int(h, json_integer_value(sample));
		ferry_html_raw(h, " records compared per object "
		                  "(<code>--sample</code>)");
	}
	ferry_html_raw(h, "</dd>\n<dt>ferry</dt><dd>" FERRY_VERSION "</dd>\n"
	                  "</dl>\n</header>\n"
	                  "<nav class=\"toc\" aria-label=\"Sections\">"
	                  "<a href=\"#objects\">Objects</a>"
	                  "<a href=\"#missing\">Missing</a>"
	                  "<a href=\"#references\">References</a>"
	                  "<a href=\"#values\">Values</a>"
	                  "<a href=\"#disagreements\">Plan and ledger</a>"
	                  "</nav>\n");
}

/* A summary card: `k` above, `big` (already formatted) large, a badge. */
static void card(struct ferry_html *h, const char *k, const char *big,
                 bool good, const char *good_text, const char *bad_text)
{
	ferry_html_raw(h, "<div class=\"card\"><p class=\"k\">");
	ferry_html_text(h, k);
	ferry_html_raw(h, "</p><p class=\"big\">");
	ferry_html_text(h, big);
	ferry_html_raw(h, "</p>");
	ferry_html_badge(h, good ? FERRY_HTML_GOOD : FERRY_HTML_BAD,
	                 good ? good_text : bad_text);
	ferry_html_raw(h, "</div>\n");
}

static void summary(struct ferry_html *h, const json_t *r)
{
	const json_t *objs = json_object_get(r, "objects"), *o;
	char a[FERRY_HTML_FMT_MAX], b[FERRY_HTML_FMT_MAX], big[160];
	int64_t unbalanced = 0, wrong;
	bool online = json_is_true(json_object_get(r, "online"));
	size_t i;

	json_array_foreach(objs, i, o)
	{
		if (!json_is_true(json_object_get(o, "balanced")))
			unbalanced++;
	}
	ferry_html_raw(h, "<section class=\"summary\" aria-label=\"Summary\">"
	                  "\n");
	snprintf(
	    big, sizeof(big), "%s of %s",
	    ferry_html_fmt_int(a, (int64_t)json_array_size(objs) - unbalanced),
	    ferry_html_fmt_int(b, (int64_t)json_array_size(objs)));
	card(h, "Objects balanced", big, !unbalanced,
	     "every record accounted for", "some records unresolved");
	if (online) {
		wrong = num(json_object_get(r, "missing"), "total") +
		        num(json_object_get(r, "references"), "total");
		snprintf(
		    big, sizeof(big), "%s references",
		    ferry_html_fmt_int(
		        a, num(json_object_get(r, "references"), "checked")));
		card(h, "Written records found again, references checked", big,
		     !wrong, "all in Attio, all right",
		     "missing or wrong: see below");
		snprintf(big, sizeof(big), "%s values",
		         ferry_html_fmt_int(
		             a, num(json_object_get(r, "values"), "compared")));
		card(h, "Sampled values compared", big,
		     !num(json_object_get(r, "values"), "total"), "all equal",
		     "some differ: see below");
	}
	ferry_html_raw(h, "</section>\n");
}

static void count_cells(struct ferry_html *h, const json_t *o, bool online)
{
	static const char *const keys[] = {
	    "staged", "written", "merged",  "held",          "skipped",
	    "failed", "pending", "not_run", "disagreements",
	};
	static const char *const checks[] = {"missing", "wrong_references",
	                                     "mismatched"};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
		ferry_html_raw(h, "<td class=\"n\">");
		ferry_html_int(h, num(o, keys[i]));
		ferry_html_raw(h, "</td>");
	}
	for (i = 0; online && i < FERRY_ARRAY_LEN(checks); i++) {
		ferry_html_raw(h, "<td class=\"n\">");
		if (json_object_get(o, checks[i]))
			ferry_html_int(h, num(o, checks[i]));
		else
			ferry_report__put_none(h);
		ferry_html_raw(h, "</td>");
	}
}

static void table_head(struct ferry_html *h, const char *first, bool online)
{
	ferry_html_raw(h, "<div class=\"scroll\"><table>\n<thead><tr>"
	                  "<th scope=\"col\">");
	ferry_html_text(h, first);
	ferry_html_raw(h, "</th><th scope=\"col\" class=\"n\">Staged</th>"
	                  "<th scope=\"col\" class=\"n\">Written</th>"
	                  "<th scope=\"col\" class=\"n\">Merged</th>"
	                  "<th scope=\"col\" class=\"n\">Held</th>"
	                  "<th scope=\"col\" class=\"n\">Skipped</th>"
	                  "<th scope=\"col\" class=\"n\">Failed</th>"
	                  "<th scope=\"col\" class=\"n\">Pending</th>"
	                  "<th scope=\"col\" class=\"n\">Not run</th>"
	                  "<th scope=\"col\" class=\"n\">Disagree</th>");
	if (online)
		ferry_html_raw(h,
		               "<th scope=\"col\" class=\"n\">Missing</th>"
		               "<th scope=\"col\" class=\"n\">Wrong refs</th>"
		               "<th scope=\"col\" class=\"n\">Values differ"
		               "</th>");
	ferry_html_raw(h, "<th scope=\"col\">Balance</th></tr></thead>\n"
	                  "<tbody>\n");
}

/* Record types, when the object has any (or more than one group). */
static void record_types(struct ferry_html *h, const json_t *o)
{
	const json_t *types = json_object_get(o, "record_types"), *t;
	size_t i;

	if (json_array_size(types) < 2 && !*str(json_array_get(types, 0), "id"))
		return;
	table_head(h, "Record type", false);
	json_array_foreach(types, i, t)
	{
		ferry_html_raw(h, "<tr><th scope=\"row\">");
		if (*str(t, "id")) {
			ferry_html_text(h, *str(t, "name") ? str(t, "name")
			                                   : "(not staged)");
			ferry_html_raw(h, " <span class=\"muted id\">");
			ferry_html_text(h, str(t, "id"));
			ferry_html_raw(h, "</span>");
		} else {
			ferry_html_raw(h,
			               "<span class=\"muted\">(none)</span>");
		}
		ferry_html_raw(h, "</th>");
		count_cells(h, t, false);
		ferry_html_raw(h, "<td>");
		balance_badge(h, t);
		ferry_html_raw(h, "</td></tr>\n");
	}
	ferry_html_raw(h, "</tbody>\n</table></div>\n");
}

static void object_title(struct ferry_html *h, const json_t *o)
{
	const json_t *dests = json_object_get(o, "destinations"), *d;
	size_t i;

	ferry_html_text(h, str(o, "object"));
	ferry_html_raw(h, " <span class=\"muted\">");
	if (!json_array_size(dests))
		ferry_html_raw(h, "nothing written");
	json_array_foreach(dests, i, d)
	{
		ferry_html_raw(h, i ? ", " : "\xe2\x86\x92 ");
		ferry_html_text(h, json_string_value(d));
	}
	ferry_html_raw(h, "</span>");
}

static void objects_section(struct ferry_html *h, const json_t *r)
{
	const json_t *objs = json_object_get(r, "objects"), *o;
	bool online = json_is_true(json_object_get(r, "online"));
	size_t i;

	ferry_html_raw(h, "<section id=\"objects\"><h2>Every staged record "
	                  "accounted for</h2>\n");
	if (!json_array_size(objs)) {
		ferry_html_raw(h, "<p class=\"empty\">Nothing is staged yet: "
		                  "run <code>ferry extract</code>.</p>"
		                  "</section>\n");
		return;
	}
	json_array_foreach(objs, i, o)
	{
		ferry_html_raw(h, "<h3 class=\"obj\">");
		object_title(h, o);
		ferry_html_raw(h, " ");
		balance_badge(h, o);
		ferry_html_raw(h, "</h3>\n");
		equation(h, o);
		record_types(h, o);
	}
	table_head(h, "Object", online);
	json_array_foreach(objs, i, o)
	{
		ferry_html_raw(h, "<tr><th scope=\"row\">");
		ferry_html_text(h, str(o, "object"));
		ferry_html_raw(h, "</th>");
		count_cells(h, o, online);
		ferry_html_raw(h, "<td>");
		balance_badge(h, o);
		ferry_html_raw(h, "</td></tr>\n");
	}
	ferry_html_raw(h, "</tbody>\n</table></div>\n</section>\n");
}

/* One problem list: `cols` are the item keys shown, `heads` their
 * headings. */
static void problems(struct ferry_html *h, const json_t *r, const char *key,
                     const char *title, const char *none,
                     const char *const *cols, const char *const *heads,
                     size_t n)
{
	const json_t *sec = json_object_get(r, key), *items, *it;
	int64_t total = num(sec, "total");
	size_t i, k;

	ferry_html_rawf(h, "<section id=\"%s\"><h2>", key);
	ferry_html_text(h, title);
	ferry_html_raw(h, " <span class=\"muted\">\xc2\xb7 ");
	ferry_html_int(h, total);
	ferry_html_raw(h, "</span></h2>\n");
	if (!sec) {
		ferry_html_raw(h, "<p class=\"empty\">Not checked offline."
		                  "</p></section>\n");
		return;
	}
	if (!total) {
		ferry_html_raw(h, "<p class=\"empty\">");
		ferry_html_text(h, none);
		ferry_html_raw(h, "</p></section>\n");
		return;
	}
	items = json_object_get(sec, "items");
	ferry_html_raw(h, "<div class=\"scroll\"><table class=\"probs\">\n"
	                  "<thead><tr>");
	for (k = 0; k < n; k++) {
		ferry_html_raw(h, "<th scope=\"col\">");
		ferry_html_text(h, heads[k]);
		ferry_html_raw(h, "</th>");
	}
	ferry_html_raw(h, "</tr></thead>\n<tbody>\n");
	json_array_foreach(items, i, it)
	{
		ferry_html_raw(h, "<tr>");
		for (k = 0; k < n; k++) {
			ferry_html_raw(h, "<td>");
			ferry_html_text(h, str(it, cols[k]));
			ferry_html_raw(h, "</td>");
		}
		ferry_html_raw(h, "</tr>\n");
	}
	ferry_html_raw(h, "</tbody>\n</table></div>\n");
	if ((int64_t)json_array_size(items) < total) {
		ferry_html_raw(h, "<p class=\"small muted\">The first ");
		ferry_html_int(h, (int64_t)json_array_size(items));
		ferry_html_raw(h, " of ");
		ferry_html_int(h, total);
		ferry_html_raw(h, ": <code>ferry verify --json</code> lists "
		                  "them as far as its cap.</p>\n");
	}
	ferry_html_raw(h, "</section>\n");
}

static void problem_sections(struct ferry_html *h, const json_t *r)
{
	static const char *const miss_c[] = {"object", "source_id",
	                                     "dest_object", "dest_id", "why"};
	static const char *const miss_h[] = {"Object", "Source id",
	                                     "Attio object", "Attio id", "Why"};
	static const char *const ref_c[] = {
	    "object",        "source_id",        "dest_id",  "attribute",
	    "target_object", "target_source_id", "expected", "found"};
	static const char *const ref_h[] = {
	    "Object", "Source id",     "Attio id", "Attribute",
	    "Target", "Target source", "Expected", "Found"};
	static const char *const val_c[] = {
	    "object", "source_id", "dest_id", "attribute",
	    "type",   "expected",  "found"};
	static const char *const val_h[] = {
	    "Object", "Source id", "Attio id", "Attribute",
	    "Type",   "Expected",  "Found"};
	static const char *const dis_c[] = {"object", "source_id", "decision",
	                                    "ledger", "why"};
	static const char *const dis_h[] = {"Object", "Source id", "Plan",
	                                    "Ledger", "What to do"};

	problems(h, r, "missing", "Written, not in Attio",
	         "Every written record is in Attio.", miss_c, miss_h,
	         FERRY_ARRAY_LEN(miss_c));
	problems(h, r, "references", "References that name another record",
	         "Every reference names the record its target was written as.",
	         ref_c, ref_h, FERRY_ARRAY_LEN(ref_c));
	problems(h, r, "values", "Sampled values that differ",
	         "Every sampled value is as planned.", val_c, val_h,
	         FERRY_ARRAY_LEN(val_c));
	problems(h, r, "disagreements", "Plan and ledger disagree",
	         "The ledger agrees with the plan on every record.", dis_c,
	         dis_h, FERRY_ARRAY_LEN(dis_c));
}

int ferry_report_verify_html(const json_t *report, struct ferry_buf *out)
{
	struct ferry_html h;
	size_t start = out->len;
	int error;

	ferry_html_init(&h, out);
	ferry_html_doc_begin(&h, "Migration verified", page_css);
	header(&h, report);
	summary(&h, report);
	objects_section(&h, report);
	problem_sections(&h, report);
	ferry_html_raw(
	    &h, "<footer class=\"small muted\"><p>Drawn by ferry " FERRY_VERSION
	        " from <code>ferry verify</code>. The page is self-contained "
	        "(no scripts, nothing fetched): mail it, attach it, print it. "
	        "It quotes records: share it as you would the data.</p>"
	        "</footer>\n");
	ferry_html_doc_end(&h);
	if ((error = ferry_html_finish(&h)) < 0) {
		ferry_buf_truncate(out, start);
		error =
		    ferry_error_wrap(error, "cannot draw the verify report");
	}
	return error;
}

int ferry_report_verify_write(struct ferry_workspace *ws, const json_t *report)
{
	struct ferry_buf html = FERRY_BUF_INIT;
	const char *root = ferry_workspace_root(ws);
	char *dir = ferry_xasprintf("%s/reports", root);
	char *path = ferry_xasprintf("%s/%s", root, FERRY_REPORT_VERIFY_HTML);
	int error;

	if ((error = an_mkdir(dir, 0700)) < 0 ||
	    (error = ferry_report_verify_html(report, &html)) < 0 ||
	    (error = an_write_file(path, html.ptr, html.len, 0600)) < 0)
		ferry_error_wrap(error, "writing %s", path);
	ferry_buf_release(&html);
	free(dir);
	free(path);
	return error;
}
