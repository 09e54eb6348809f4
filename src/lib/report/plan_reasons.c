/* plan_reasons.c: the plan page's long sections: per decision, the most
 * common reasons of each object's records (held ones with what releases
 * them, and the first held records themselves with all their reasons),
 * then the commands that work the conflict queue. */
#include "util.h"

#include "plan_page.h"
#include "report.h"
#include "store/store.h"

/* Held records shown per object: the page shows the shape of the queue,
 * `ferry queue list` all of it. */
#define HELD_SHOWN 10

/* One section's reason tables (read for the whole page at once by
 * ferry_plan_all_top_reasons): the object's heading and the table open
 * on its first reason. */
struct reasons {
	struct ferry_html *h;
	const struct ferry_report__plan_obj *o;
	enum ferry_plan_decision d;
	bool open;
};

static void reasons_heading(struct ferry_html *h,
                            const struct ferry_report__plan_obj *o,
                            enum ferry_plan_decision d)
{
	ferry_html_raw(h, "<h3 class=\"obj\">");
	ferry_report__plan_object_title(h, o);
	if (d != FERRY_PLAN_WRITE) {
		ferry_html_raw(h, " <span class=\"muted\">\xc2\xb7 ");
		ferry_html_int(h, o->c->by_decision[d]);
		ferry_html_rawf(h, " %s</span>", ferry_plan_decision_name(d));
	}
	ferry_html_raw(h, "</h3>\n");
}

static void reasons_open(struct reasons *r)
{
	struct ferry_html *h = r->h;

	reasons_heading(h, r->o, r->d);
	ferry_html_rawf(h,
	                "<div class=\"scroll\"><table "
	                "class=\"reasons\">\n<thead><tr>"
	                "<th scope=\"col\" class=\"n\">Records</th>"
	                "<th scope=\"col\">Field</th>"
	                "<th scope=\"col\">Reason</th>"
	                "<th scope=\"col\">Example</th>%s</tr></thead>\n"
	                "<tbody>\n",
	                r->d == FERRY_PLAN_HELD
	                    ? "<th scope=\"col\">What releases it</th>"
	                    : "");
	r->open = true;
}

static int on_reason(struct reasons *r,
                     const struct ferry_report__plan_reason *why)
{
	struct ferry_html *h = r->h;
	const char *field = why->field, *code = why->code,
	           *message = why->message, *release = why->release;
	int64_t count = why->count;

	if (!r->open)
		reasons_open(r);
	ferry_html_raw(h, "<tr><td class=\"n\">");
	ferry_html_int(h, count);
	ferry_html_raw(h, "</td><td>");
	if (*field) {
		ferry_html_raw(h, "<code>");
		ferry_html_text(h, field);
		ferry_html_raw(h, "</code>");
	} else {
		ferry_html_raw(h, "<span class=\"muted\">the record</span>");
	}
	ferry_html_raw(h, "</td><td><code>");
	ferry_html_text(h, code);
	ferry_html_raw(h, "</code></td><td>");
	ferry_html_text(h, message);
	if (r->d == FERRY_PLAN_HELD) {
		ferry_html_raw(h, "</td><td>");
		if (*release)
			ferry_html_text(h, release);
		else
			ferry_report__put_none(h);
	} else if (*release) {
		ferry_html_raw(h, "<span class=\"rel\">");
		ferry_html_text(h, release);
		ferry_html_raw(h, "</span>");
	}
	ferry_html_raw(h, "</td></tr>\n");
	return h->error;
}

/* A record's reasons: field, code and message, and what releases it. */
static void reason_list(struct ferry_html *h, const json_t *reasons)
{
	const json_t *r;
	size_t i;

	if (!json_array_size(reasons)) {
		ferry_report__put_none(h);
		return;
	}
	ferry_html_raw(h, "<ul class=\"rl\">");
	json_array_foreach(reasons, i, r)
	{
		const char *field = ferry_report__str(r, "field");

		ferry_html_raw(h, "<li>");
		if (field && *field) {
			ferry_html_raw(h, "<code>");
			ferry_report__put_str(h, r, "field");
			ferry_html_raw(h, "</code> ");
		}
		ferry_html_raw(h, "<b>");
		ferry_report__put_str(h, r, "code");
		ferry_html_raw(h, "</b>: ");
		ferry_report__put_str(h, r, "message");
		if (ferry_report__str(r, "release")) {
			ferry_html_raw(h, "<span class=\"rel\">\xe2\x86\x92 ");
			ferry_report__put_str(h, r, "release");
			ferry_html_raw(h, "</span>");
		}
		ferry_html_raw(h, "</li>");
	}
	ferry_html_raw(h, "</ul>");
}

static void held_row(struct ferry_html *h,
                     const struct ferry_report__plan_obj *o, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const char *match = (const char *)sqlite3_column_text(st, 1);
	const char *text = (const char *)sqlite3_column_text(st, 2);
	json_t *reasons = text ? json_loads(text, 0, NULL) : NULL;

	ferry_html_raw(h, "<tr><td><code>");
	ferry_html_text(h, id);
	ferry_html_raw(h, "</code></td><td>");
	if (match && *match)
		ferry_html_text(h, match);
	else
		ferry_report__put_none(h);
	ferry_html_raw(h, "</td><td>");
	reason_list(h, reasons);
	ferry_html_raw(h, "</td><td><code>ferry queue show ");
	ferry_html_text(h, o->c->object);
	ferry_html_raw(h, " ");
	ferry_html_text(h, id);
	ferry_html_raw(h, "</code></td></tr>\n");
	json_decref(reasons);
}

/* The first held records of `o` (in the order they were staged). */
static int held_records(struct ferry_report__plan_page *p,
                        const struct ferry_report__plan_obj *o)
{
	struct ferry_html *h = p->h;
	int64_t held = o->c->by_decision[FERRY_PLAN_HELD];
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, p->ws,
	         "SELECT source_id, match_value, reasons FROM plan WHERE "
	         "object = ?1 AND decision = 'held' LIMIT ?2")) < 0)
		return error;
	ferry_store__bind_text(st, 1, o->c->object);
	sqlite3_bind_int(st, 2, HELD_SHOWN);
	ferry_html_raw(h, "<details open><summary>");
	if (held > HELD_SHOWN)
		ferry_html_rawf(h, "The first %d of ", HELD_SHOWN);
	else
		ferry_html_raw(h, "All ");
	ferry_html_int(h, held);
	ferry_html_raw(h, " held ");
	ferry_html_text(h, o->c->object);
	ferry_html_raw(h, " records</summary><div class=\"scroll\"><table "
	                  "class=\"held\">\n<thead><tr>"
	                  "<th scope=\"col\">Record</th>"
	                  "<th scope=\"col\">Matched on</th>"
	                  "<th scope=\"col\">Reasons, and what releases them"
	                  "</th><th scope=\"col\">Look at it</th>"
	                  "</tr></thead>\n<tbody>\n");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !h->error)
		held_row(h, o, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		error = ferry_store__error(p->ws, "cannot read held records");
	ferry_html_raw(h, "</tbody></table></div></details>\n");
	sqlite3_finalize(st);
	return error;
}

struct section {
	enum ferry_plan_decision d;
	const char *id, *title, *intro, *empty;
};

static const struct section sections[] = {
    {FERRY_PLAN_HELD, "held", "Held, and what releases them",
     "A person must act before these records can be written. Each reason "
     "names the field, says what is wrong and what releases it: fix the "
     "record in Salesforce (then extract), fix mapping.yaml, or set an "
     "override with <code>ferry queue edit</code>; then plan again.",
     "Nothing is held."},
    {FERRY_PLAN_SKIPPED, "skipped", "Skipped, and why",
     "A rule leaves these records out: a filter, an object that is not "
     "migrated, a value table whose rule is skip.",
     "Nothing is skipped."},
    {FERRY_PLAN_MERGED, "merged", "Merged into their survivors",
     "Duplicates, folded into the record that survives them; the "
     "survivor is written with the values survivorship gave it.",
     "Nothing is merged."},
    {FERRY_PLAN_WRITE, "notes", "Written, with a note",
     "These records are written, with something worth knowing: a default "
     "value, a link left out because its target is not written.",
     "No record to write has a note."},
};

static int reasons_section(struct ferry_report__plan_page *p,
                           const struct section *s)
{
	struct ferry_html *h = p->h;
	bool any = false;
	size_t i, k;
	int error = 0;

	ferry_html_rawf(h, "<section id=\"%s\"><h2>%s</h2>\n<p>%s</p>\n", s->id,
	                s->title, s->intro);
	for (i = 0; i < p->n && !error && !h->error; i++) {
		struct reasons r = {h, &p->objs[i], s->d, false};

		if (!r.o->c->by_decision[s->d])
			continue;
		for (k = 0; k < r.o->n_reasons[s->d] && !error; k++)
			error = on_reason(&r, &r.o->reasons[s->d][k]);
		if (r.open)
			ferry_html_raw(h, "</tbody></table></div>\n");
		any = any || r.open;
		if (!error && s->d == FERRY_PLAN_HELD) {
			if (!r.open)
				reasons_heading(h, r.o, r.d);
			any = true;
			error = held_records(p, r.o);
		}
	}
	if (!any)
		ferry_html_rawf(h, "<p class=\"empty\">%s</p>\n", s->empty);
	ferry_html_raw(h, "</section>\n");
	return error;
}

static void queue_section(struct ferry_html *h)
{
	ferry_html_raw(
	    h,
	    "<section id=\"queue\"><h2>Working the queue</h2>\n"
	    "<p>Held records are the conflict queue. These commands act on "
	    "it; each change is an audit event (<code>ferry audit --record "
	    "&lt;id&gt;</code> tells a record's story).</p>\n"
	    "<dl class=\"cmds\">"
	    "<dt><code>ferry queue list</code></dt><dd>every held record, "
	    "with its first reason</dd>"
	    "<dt><code>ferry queue show &lt;object&gt; &lt;id&gt;</code></dt>"
	    "<dd>one record: its values, every reason and what releases "
	    "it</dd>"
	    "<dt><code>ferry queue edit</code></dt><dd>set an override for a "
	    "field of a held record, kept across extracts</dd>"
	    "<dt><code>ferry queue retry</code></dt><dd>plan the held records "
	    "again once their cause is fixed</dd>"
	    "<dt><code>ferry queue skip</code></dt><dd>leave a record out on "
	    "purpose, with the reason you give</dd>"
	    "<dt><code>ferry plan</code></dt><dd>plan everything again "
	    "after editing mapping.yaml or extracting</dd>"
	    "</dl>\n</section>\n");
}

int ferry_report__plan_reasons(struct ferry_report__plan_page *p)
{
	size_t i;
	int error = 0;

	for (i = 0; i < FERRY_ARRAY_LEN(sections) && !error; i++)
		error = reasons_section(p, &sections[i]);
	if (!error)
		queue_section(p->h);
	return error;
}
