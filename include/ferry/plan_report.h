/* plan_report.h: the plan (plan.h) as a page for people, reports/plan.html:
 * whether every staged record has its decision (staged = write + merged +
 * held + skipped), the decisions per object as stacked bars and a table,
 * the most common reasons of each decision with what releases a held
 * record, a few held records per object with their reasons, and the
 * commands that work the conflict queue. One self-contained page drawn
 * with html.h (inline CSS and SVG, no script, a CSP meta); every value
 * read from the workspace (record ids, match values, reasons) is escaped.
 * See docs/internals/reports.md. */
#ifndef FERRY_PLAN_REPORT_H
#define FERRY_PLAN_REPORT_H

#include "ferry/buf.h"
#include "ferry/plan.h"
#include "ferry/workspace.h"

/* Appends the page to `out` (left as it was on error), drawn from the
 * workspace's plan table. `stats` is the plan that was just run (object
 * order, online or offline, attributes to create, decisions changed);
 * NULL draws from ferry_plan_counts() alone, in object-name order, and
 * says what the workspace does not record. */
int ferry_report_plan_html(struct ferry_workspace *ws,
                           const struct ferry_plan_stats *stats,
                           struct ferry_buf *out);

/* The report's path inside the workspace. */
#define FERRY_REPORT_PLAN_HTML "reports/plan.html"

/* Draws the page and writes it to FERRY_REPORT_PLAN_HTML under the
 * workspace's root (creating reports/), through a temporary file renamed
 * into place: a reader never sees half a page. Owner-only (0600): the
 * page quotes records. */
int ferry_report_plan_write(struct ferry_workspace *ws,
                            const struct ferry_plan_stats *stats);

#endif
