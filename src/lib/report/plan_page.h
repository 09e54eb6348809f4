/* plan_page.h: what the two files of the plan page share inside
 * src/lib/report/: the plan as the page reads it (plan_html.c loads it;
 * plan_reasons.c draws the reasons, the held records and the queue). */
#ifndef FERRY_REPORT_PLAN_PAGE_H
#define FERRY_REPORT_PLAN_PAGE_H

#include "ferry/html.h"
#include "ferry/plan.h"

/* Reasons shown per object and decision: the page shows the shape of
 * the queue, `ferry queue list` all of it. */
#define FERRY_REPORT__REASONS_MAX 8

/* One of an object's most common reasons (ferry_plan_all_top_reasons). */
struct ferry_report__plan_reason {
	char *field, *code, *message, *release;
	int64_t count;
};

struct ferry_report__plan_obj {
	const struct ferry_plan_count *c;
	const struct ferry_plan_object *st; /* the run's, or NULL */
	int64_t decided;
	/* per decision, most common first (for write: the notes) */
	struct ferry_report__plan_reason *reasons[FERRY_PLAN_DECISIONS];
	size_t n_reasons[FERRY_PLAN_DECISIONS];
};

struct ferry_report__plan_page {
	struct ferry_html *h;
	struct ferry_workspace *ws;
	const struct ferry_plan_stats *stats; /* may be NULL */
	struct ferry_plan_count *counts;
	struct ferry_report__plan_obj
	    *objs; /* plan order, then the rest by name */
	size_t n, unbalanced;
	int64_t staged, by[FERRY_PLAN_DECISIONS];
	char planned_at[64];
};

/* "Account → companies", or "Lead not migrated". */
void ferry_report__plan_object_title(struct ferry_html *h,
                                     const struct ferry_report__plan_obj *o);

/* The sections after the objects: held (reasons and the first held
 * records), skipped, merged, notes on writes, then working the queue. */
int ferry_report__plan_reasons(struct ferry_report__plan_page *p);

#endif
