/* report.h: what the report pages share inside src/lib/report/: readers
 * that take a report JSON of any shape (a missing key, a null, a wrong
 * type all read as "unknown") and the words and colours of statuses. */
#ifndef FERRY_REPORT_H
#define FERRY_REPORT_H

#include <jansson.h>

#include "ferry/html.h"

/* The string at o[key], or NULL when missing or not a string. */
const char *ferry_report__str(const json_t *o, const char *key);
/* A number (integer or real) at o[key]; false when there is none. */
bool ferry_report__num(const json_t *o, const char *key, double *out);
/* An integer count at o[key] (a real is rounded and clamped to int64). */
bool ferry_report__count(const json_t *o, const char *key, int64_t *out);
/* a + b, held at INT64_MAX / INT64_MIN instead of overflowing. */
int64_t ferry_report__add(int64_t a, int64_t b);

/* Writes o[key] escaped (embedded NULs too), or FERRY_HTML_NONE. */
void ferry_report__put_str(struct ferry_html *h, const json_t *o,
                           const char *key);
/* Writes the count at o[key] with separators, or FERRY_HTML_NONE. */
void ferry_report__put_count(struct ferry_html *h, const json_t *o,
                             const char *key);
/* "2026-11-23T10:00:00Z" as "2026-11-23 10:00 UTC"; other text as is. */
void ferry_report__put_time(struct ferry_html *h, const char *iso);
/* A grey "—". */
void ferry_report__put_none(struct ferry_html *h);

/* Object and report statuses: auto, partial, manual_review. */
enum ferry_html_tone ferry_report__status_tone(const char *status);
void ferry_report__status_badge(struct ferry_html *h, const char *status);
/* Risk severities: high (0), medium (1), low (2), anything else (3). */
int ferry_report__severity_rank(const char *severity);
enum ferry_html_tone ferry_report__severity_tone(const char *severity);
void ferry_report__severity_badge(struct ferry_html *h, const char *severity);

/* The readiness page's "Risks" and "Field profiles" sections. */
void ferry_report__readiness_risks(struct ferry_html *h, const json_t *report);
void ferry_report__readiness_fields(struct ferry_html *h, const json_t *report);

#endif
