/* plan_html.c: the plan (plan_report.h) drawn as one page a RevOps person
 * takes in at a glance: does every staged record have its decision, what
 * will be written, merged, held and skipped per object and why, which
 * held records wait for a person and what releases them, and the
 * commands that work that queue. Counts, reasons and held records are
 * read from the plan table; the stats of the run just made add what the
 * table does not keep (order, online, attributes to create). The header,
 * summary and objects are here; the reasons are in plan_reasons.c. */
#include "util.h"

#include "analyze/analyze_int.h"
#include "ferry/html.h"
#include "ferry/plan_report.h"
#include "plan_page.h"
#include "report.h"
#include "store/store.h"

static const char page_css[] =
    ".eq{font-size:15px;margin:2px 0 8px}\n"
    ".eq b{font-variant-numeric:tabular-nums}\n"
    "h3.obj{margin:18px 0 4px}\n"
    "h3.obj .muted{font-weight:400}\n"
    "tfoot th,tfoot td{font-weight:600;border-top:2px solid var(--line)}\n"
    "td .rel{display:block;color:var(--muted);font-size:13px;"
    "margin-top:2px}\n"
    "ul.rl{list-style:none;margin:0;padding:0}\n"
    "ul.rl li+li{margin-top:6px}\n"
    "table.reasons td:nth-child(-n+3),table.held td:first-child{"
    "white-space:nowrap}\n"
    "table.reasons td:nth-child(n+4),table.held td+td{"
    "overflow-wrap:anywhere}\n"
    "dl.cmds{display:grid;grid-template-columns:max-content 1fr;"
    "gap:8px 18px;margin:8px 0}\n"
    "dl.cmds dt{white-space:nowrap}\n"
    "dl.cmds dd{margin:0}\n";

static const char *const words[] = {
    [FERRY_PLAN_WRITE] = "Write",
    [FERRY_PLAN_MERGED] = "Merged",
    [FERRY_PLAN_HELD] = "Held",
    [FERRY_PLAN_SKIPPED] = "Skipped",
};
static const enum ferry_html_tone tones[] = {
    [FERRY_PLAN_WRITE] = FERRY_HTML_GOOD,
    [FERRY_PLAN_MERGED] = FERRY_HTML_INFO,
    [FERRY_PLAN_HELD] = FERRY_HTML_WARN,
    [FERRY_PLAN_SKIPPED] = FERRY_HTML_MUTED,
};
_Static_assert(FERRY_ARRAY_LEN(words) == FERRY_PLAN_DECISIONS &&
                   FERRY_ARRAY_LEN(tones) == FERRY_PLAN_DECISIONS,
               "a word and a colour for every decision");

static const struct ferry_plan_object *
run_stats(const struct ferry_plan_stats *s, const char *object)
{
	size_t i;

	for (i = 0; s && i < s->n_objects; i++)
		if (!strcmp(s->objects[i].object, object))
			return &s->objects[i];
	return NULL;
}

static void add_obj(struct ferry_report__plan_page *p,
                    const struct ferry_plan_count *c)
{
	struct ferry_report__plan_obj *o = &p->objs[p->n++];
	int d;

	o->c = c;
	o->st = run_stats(p->stats, c->object);
	for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
		o->decided = ferry_report__add(o->decided, c->by_decision[d]);
		p->by[d] = ferry_report__add(p->by[d], c->by_decision[d]);
	}
	p->staged = ferry_report__add(p->staged, c->staged);
	if (o->decided != c->staged)
		p->unbalanced++;
}

/* Keeps a group of ferry_plan_all_top_reasons with its object. */
static int keep_reason(const struct ferry_plan_reason_group *g, void *payload)
{
	struct ferry_report__plan_page *p = payload;
	struct ferry_report__plan_obj *o = NULL;
	struct ferry_report__plan_reason *r;
	size_t i, *n;

	for (i = 0; i < p->n && !o; i++)
		if (!strcmp(p->objs[i].c->object, g->object))
			o = &p->objs[i];
	if (!o || (unsigned)g->decision >= FERRY_PLAN_DECISIONS)
		return 0;
	n = &o->n_reasons[g->decision];
	o->reasons[g->decision] =
	    ferry_xrealloc(o->reasons[g->decision], (*n + 1) * sizeof(*r));
	r = &o->reasons[g->decision][(*n)++];
	r->field = ferry_xstrdup(g->field);
	r->code = ferry_xstrdup(g->code);
	r->message = ferry_xstrdup(g->message);
	r->release = ferry_xstrdup(g->release);
	r->count = g->count;
	return 0;
}

static void release_reasons(struct ferry_report__plan_page *p)
{
	size_t i, k;
	int d;

	for (i = 0; i < p->n; i++)
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
			struct ferry_report__plan_reason *r =
			    p->objs[i].reasons[d];

			for (k = 0; k < p->objs[i].n_reasons[d]; k++) {
				free(r[k].field);
				free(r[k].code);
				free(r[k].message);
				free(r[k].release);
			}
			free(r);
		}
}

static int load(struct ferry_report__plan_page *p)
{
	size_t n = 0, i, k;
	bool *taken;
	int error;

	if ((error = ferry_plan_counts(&p->counts, &n, p->ws)) < 0)
		return error;
	p->objs = ferry_xcalloc(n ? n : 1, sizeof(*p->objs));
	taken = ferry_xcalloc(n ? n : 1, sizeof(*taken));
	for (i = 0; p->stats && i < p->stats->n_objects; i++)
		for (k = 0; k < n; k++)
			if (!taken[k] && !strcmp(p->counts[k].object,
			                         p->stats->objects[i].object)) {
				taken[k] = true;
				add_obj(p, &p->counts[k]);
			}
	for (k = 0; k < n; k++)
		if (!taken[k])
			add_obj(p, &p->counts[k]);
	free(taken);
	/* One pass over the plan for every section's reasons and the time
	 * of the latest decision: the page is redrawn after every change
	 * `ferry queue` makes, and reading the table once per object and
	 * section was most of that. */
	return ferry_plan_all_top_reasons(p->ws, FERRY_REPORT__REASONS_MAX,
	                                  keep_reason, p, p->planned_at,
	                                  sizeof(p->planned_at));
}

void ferry_report__plan_object_title(struct ferry_html *h,
                                     const struct ferry_report__plan_obj *o)
{
	ferry_html_text(h, o->c->object);
	ferry_html_raw(h, " <span class=\"muted\">");
	if (o->c->dest_object[0]) {
		ferry_html_raw(h, "\xe2\x86\x92 ");
		ferry_html_text(h, o->c->dest_object);
	} else {
		ferry_html_raw(h, "not migrated");
	}
	ferry_html_raw(h, "</span>");
}

static void equation(struct ferry_html *h, int64_t staged, const int64_t *by)
{
	int d;

	ferry_html_raw(h, "<p class=\"eq\"><b>");
	ferry_html_int(h, staged);
	ferry_html_raw(h, "</b> staged =");
	for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
		ferry_html_raw(h, d ? " + <b>" : " <b>");
		ferry_html_int(h, by[d]);
		ferry_html_rawf(
		    h, "</b> %s",
		    ferry_plan_decision_name((enum ferry_plan_decision)d));
	}
	ferry_html_raw(h, "</p>\n");
}

static void header(struct ferry_report__plan_page *p)
{
	struct ferry_html *h = p->h;
	const struct ferry_plan_stats *s = p->stats;
	char now[40];

	ferry_clock_iso8601(ferry_clock_wall_us(), now, sizeof(now));
	ferry_html_raw(h, "<header class=\"top\">\n<h1>Migration plan</h1>\n"
	                  "<p class=\"muted\">What ferry will do with every "
	                  "staged record, decided before anything is written "
	                  "to Attio.</p>\n<dl class=\"meta\">\n<dt>Planned"
	                  "</dt><dd>");
	if (p->planned_at[0])
		ferry_report__put_time(h, p->planned_at);
	else
		ferry_html_raw(h, "not yet: run <code>ferry plan</code>");
	ferry_html_raw(h, "</dd>\n<dt>Destination</dt><dd>");
	if (!s) {
		ferry_html_raw(h,
		               "<span class=\"badge muted\">not recorded"
		               "</span> whether the plan was checked against "
		               "Attio: <code>ferry plan</code> says so");
	} else if (s->online) {
		ferry_html_badge(h, FERRY_HTML_GOOD, "checked");
		ferry_html_raw(h, " against the Attio workspace: members, "
		                  "attributes, select options and required "
		                  "values");
	} else {
		ferry_html_badge(h, FERRY_HTML_WARN, "offline");
		ferry_html_raw(h, " owners were taken on the Salesforce users' "
		                  "emails without checking Attio's members (");
		ferry_html_int(h, s->owners_unchecked);
		ferry_html_raw(h, " records); select options and required "
		                  "attributes were not checked");
	}
	ferry_html_raw(h, "</dd>\n");
	if (s) {
		ferry_html_raw(h, "<dt>Changed</dt><dd>");
		ferry_html_int(h, s->changed);
		ferry_html_raw(h, " decisions new or changed since the last "
		                  "plan (each one an audit event: <code>ferry "
		                  "audit</code>)</dd>\n");
	}
	ferry_html_raw(h, "<dt>Generated</dt><dd>");
	ferry_report__put_time(h, now);
	ferry_html_raw(h, "</dd>\n<dt>ferry</dt><dd>" FERRY_VERSION "</dd>\n"
	                  "</dl>\n</header>\n"
	                  "<nav class=\"toc\" aria-label=\"Sections\">"
	                  "<a href=\"#objects\">Decisions by object</a>"
	                  "<a href=\"#held\">Held</a>"
	                  "<a href=\"#skipped\">Skipped</a>"
	                  "<a href=\"#merged\">Merged</a>"
	                  "<a href=\"#notes\">Notes</a>"
	                  "<a href=\"#queue\">Working the queue</a></nav>\n");
}

static void summary(struct ferry_report__plan_page *p)
{
	struct ferry_html *h = p->h;
	int64_t held = p->by[FERRY_PLAN_HELD];

	ferry_html_raw(h, "<section class=\"summary\" aria-label=\"Summary\">"
	                  "\n<div class=\"card\"><p class=\"k\">Every staged "
	                  "record decided</p><p class=\"big\">");
	ferry_html_int(h, p->staged);
	ferry_html_raw(h, " staged</p>");
	equation(h, p->staged, p->by);
	if (!p->unbalanced) {
		ferry_html_badge(h, FERRY_HTML_GOOD, "balances");
		ferry_html_raw(h, " <span class=\"small muted\">checked per "
		                  "object on what the plan stored</span>");
	} else {
		ferry_html_badge(h, FERRY_HTML_BAD, "does not balance");
		ferry_html_rawf(h,
		                " <span class=\"small\">%zu object%s with "
		                "records without a decision, or with two (see "
		                "the table). This is a bug in ferry: please "
		                "report it with <code>ferry plan "
		                "--json</code>.</span>",
		                p->unbalanced, p->unbalanced == 1 ? "" : "s");
	}
	ferry_html_raw(h, "</div>\n<div class=\"card\"><p class=\"k\">The "
	                  "conflict queue</p><p class=\"big\">");
	ferry_html_int(h, held);
	ferry_html_raw(h, " held</p>");
	if (held)
		ferry_html_raw(h, "<p>records wait for a person: each reason "
		                  "says what releases it.</p><p><code>ferry "
		                  "queue list</code></p>");
	else
		ferry_html_raw(h,
		               "<p>Nothing waits for a person: every record "
		               "is written, merged or left out by a rule.</p>");
	ferry_html_raw(h, "</div>\n<div class=\"card\"><p class=\"k\">To "
	                  "Attio</p><p class=\"big\">");
	ferry_html_int(h, p->by[FERRY_PLAN_WRITE]);
	ferry_html_raw(h, " to write</p><p>");
	ferry_html_int(h, p->by[FERRY_PLAN_MERGED]);
	ferry_html_raw(h, " merged into the records that survive them, ");
	ferry_html_int(h, p->by[FERRY_PLAN_SKIPPED]);
	ferry_html_raw(h, " skipped by a rule.</p></div>\n</section>\n");
}

static void stacked(struct ferry_html *h, const char *title, const int64_t *by)
{
	struct ferry_html_segment segs[FERRY_PLAN_DECISIONS];
	int d;

	for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
		segs[d].label = words[d];
		segs[d].value = (double)by[d];
		segs[d].tone = tones[d];
	}
	ferry_html_stacked_bar(h, title, segs, FERRY_PLAN_DECISIONS);
}

static void count_cells(struct ferry_html *h, int64_t staged, const int64_t *by)
{
	int d;

	ferry_html_raw(h, "<td class=\"n\">");
	ferry_html_int(h, staged);
	ferry_html_raw(h, "</td>");
	for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
		ferry_html_raw(h, "<td class=\"n\">");
		ferry_html_int(h, by[d]);
		ferry_html_raw(h, "</td>");
	}
}

static void to_create_cell(struct ferry_html *h,
                           const struct ferry_report__plan_page *p,
                           const struct ferry_report__plan_obj *o)
{
	size_t j;

	if (o->st && o->st->n_to_create) {
		for (j = 0; j < o->st->n_to_create; j++) {
			ferry_html_raw(h, j ? ", <code>" : "<code>");
			ferry_html_text(h, o->st->to_create[j]);
			ferry_html_raw(h, "</code>");
		}
	} else if (o->st && p->stats->online) {
		ferry_html_raw(h, "<span class=\"muted\">none</span>");
	} else {
		/* Offline, or no run: nothing was compared. */
		ferry_report__put_none(h);
	}
}

static void objects_table(struct ferry_report__plan_page *p)
{
	struct ferry_html *h = p->h;
	size_t i;

	ferry_html_raw(h, "<div class=\"scroll\"><table>\n<thead><tr>"
	                  "<th scope=\"col\">Object</th>"
	                  "<th scope=\"col\">Attio object</th>"
	                  "<th scope=\"col\" class=\"n\">Staged</th>"
	                  "<th scope=\"col\" class=\"n\">Write</th>"
	                  "<th scope=\"col\" class=\"n\">Merged</th>"
	                  "<th scope=\"col\" class=\"n\">Held</th>"
	                  "<th scope=\"col\" class=\"n\">Skipped</th>"
	                  "<th scope=\"col\">Balance</th>"
	                  "<th scope=\"col\">Attributes to create</th>"
	                  "</tr></thead>\n<tbody>\n");
	for (i = 0; i < p->n && !h->error; i++) {
		const struct ferry_report__plan_obj *o = &p->objs[i];

		ferry_html_raw(h, "<tr><th scope=\"row\">");
		ferry_html_text(h, o->c->object);
		ferry_html_raw(h, "</th><td>");
		if (o->c->dest_object[0]) {
			ferry_html_raw(h, "<code>");
			ferry_html_text(h, o->c->dest_object);
			ferry_html_raw(h, "</code>");
		} else {
			ferry_html_raw(h, "<span class=\"none\">not migrated"
			                  "</span>");
		}
		ferry_html_raw(h, "</td>");
		count_cells(h, o->c->staged, o->c->by_decision);
		ferry_html_raw(h, "<td>");
		if (o->decided == o->c->staged) {
			ferry_html_badge(h, FERRY_HTML_GOOD, "balances");
		} else {
			ferry_html_badge(h, FERRY_HTML_BAD, "off");
			ferry_html_raw(h, " ");
			ferry_html_int(h, o->decided);
			ferry_html_raw(h, " decisions");
		}
		ferry_html_raw(h, "</td><td>");
		to_create_cell(h, p, o);
		ferry_html_raw(h, "</td></tr>\n");
	}
	ferry_html_raw(h, "</tbody>\n<tfoot><tr><th scope=\"row\">All objects"
	                  "</th><td></td>");
	count_cells(h, p->staged, p->by);
	ferry_html_raw(h, "<td></td><td></td></tr></tfoot>\n</table></div>\n");
}

static void objects_section(struct ferry_report__plan_page *p)
{
	struct ferry_html *h = p->h;
	size_t i;

	ferry_html_raw(h, "<section id=\"objects\"><h2>Decisions by object"
	                  "</h2>\n");
	if (!p->n) {
		ferry_html_raw(h, "<p class=\"empty\">Nothing is staged yet: "
		                  "run <code>ferry extract</code>, then "
		                  "<code>ferry plan</code>.</p></section>\n");
		return;
	}
	stacked(h, "Decisions, all objects", p->by);
	for (i = 0; i < p->n && !h->error; i++) {
		const struct ferry_report__plan_obj *o = &p->objs[i];
		char *title = ferry_xasprintf("Decisions, %s", o->c->object);

		ferry_html_raw(h, "<h3 class=\"obj\">");
		ferry_report__plan_object_title(h, o);
		ferry_html_raw(h, "</h3>\n");
		stacked(h, title, o->c->by_decision);
		free(title);
	}
	objects_table(p);
	ferry_html_raw(h, "</section>\n");
}

int ferry_report_plan_html(struct ferry_workspace *ws,
                           const struct ferry_plan_stats *stats,
                           struct ferry_buf *out)
{
	struct ferry_html h;
	struct ferry_report__plan_page p;
	size_t start = out->len;
	int error;

	memset(&p, 0, sizeof(p));
	p.h = &h;
	p.ws = ws;
	p.stats = stats;
	ferry_html_init(&h, out);
	if ((error = load(&p)) < 0)
		goto done;
	ferry_html_doc_begin(&h, "Migration plan", page_css);
	header(&p);
	summary(&p);
	objects_section(&p);
	if ((error = ferry_report__plan_reasons(&p)) < 0)
		goto done;
	ferry_html_raw(
	    &h, "<footer class=\"small muted\"><p>Drawn by ferry " FERRY_VERSION
	        " from the workspace's plan. The "
	        "page is self-contained (no scripts, nothing "
	        "fetched): mail it, attach it, print it. It quotes "
	        "records: share it as you would the data.</p>"
	        "</footer>\n");
	ferry_html_doc_end(&h);
	error = ferry_html_finish(&h);
done:
	if (error < 0) {
		ferry_buf_truncate(out, start);
		error = ferry_error_wrap(error, "cannot draw the plan report");
	}
	release_reasons(&p);
	free(p.objs);
	free(p.counts);
	return error;
}

int ferry_report_plan_write(struct ferry_workspace *ws,
                            const struct ferry_plan_stats *stats)
{
	struct ferry_buf html = FERRY_BUF_INIT;
	const char *root = ferry_workspace_root(ws);
	char *dir = ferry_xasprintf("%s/reports", root);
	char *path = ferry_xasprintf("%s/%s", root, FERRY_REPORT_PLAN_HTML);
	int error;

	if ((error = an_mkdir(dir, 0700)) < 0 ||
	    (error = ferry_report_plan_html(ws, stats, &html)) < 0 ||
	    (error = an_write_file(path, html.ptr, html.len, 0600)) < 0)
		ferry_error_wrap(error, "writing %s", path);
	ferry_buf_release(&html);
	free(dir);
	free(path);
	return error;
}
