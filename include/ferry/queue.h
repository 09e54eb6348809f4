/* queue.h: the conflict queue. A held record waits in the plan with its
 * field-level reasons and what would release each; a person releases it
 * by fixing mapping.yaml (a value table, the owners table), the
 * destination (an option, a member), or the record itself: an override
 * is that person's value for one field of one staged record, kept beside
 * the staging (which stays as the source gave it) and read by every plan
 * on top of it. A person may also leave a record out (a skip, with the
 * reason they give). Every change is an audit event.
 *
 * After a change, ferry_plan_records() (plan.h) re-plans only the records
 * it touches. See docs/cli/queue.md and docs/internals/queue.md. */
#ifndef FERRY_QUEUE_H
#define FERRY_QUEUE_H

#include <jansson.h>

#include "ferry/workspace.h"

/* Which held records: every NULL or "" member matches anything. */
struct ferry_queue_filter {
	const char *object; /* "Contact" */
	const char *code;   /* a reason's code: "value_unmapped" */
	const char *field;  /* a reason's field: "Industry" */
};

/* One held record of the plan. Valid during the callback only. */
struct ferry_queue_item {
	const char *object, *source_id, *dest_object;
	const json_t *reasons; /* the plan's: [{field, code, message,
	                          release}] */
	const char *planned_at;
	int overrides; /* the person's overrides on it (fields, skip) */
};

/* Every held record matching `filter` (a record matches when one of its
 * reasons does), in object then staging order. A callback that returns
 * non-zero stops the walk; that value is returned. */
int ferry_queue_foreach(struct ferry_workspace *ws,
                        const struct ferry_queue_filter *filter,
                        int (*cb)(const struct ferry_queue_item *item,
                                  void *payload),
                        void *payload);

/* Sets the override of `field` of the staged record (object, source_id)
 * to `value` ("" empties the field for the plan). FERRY_ENOTFOUND when
 * the record is not staged; FERRY_EINVALID when the object's records have
 * no such field (the message lists the nearest ones). An audit event
 * (stage "queue", event "edit") keeps the old and the new value. */
int ferry_queue_set(struct ferry_workspace *ws, const char *object,
                    const char *source_id, const char *field,
                    const char *value);

/* Removes the override of `field` (NULL: every override of the record,
 * its skip too). Returns the number removed (0 is not an error). */
int ferry_queue_unset(struct ferry_workspace *ws, const char *object,
                      const char *source_id, const char *field);

/* A person leaves the record out: the plan skips it with `note` (which
 * must say why: FERRY_EINVALID when empty), until ferry_queue_unset. */
int ferry_queue_skip(struct ferry_workspace *ws, const char *object,
                     const char *source_id, const char *note);

/* The record as the plan reads it: {"object", "source_id", "fields":
 * {the staged fields, overrides applied}, "overrides": {field: {"value",
 * "staged", "set_at"}}, "skip": {"note", "set_at"} or null}.
 * FERRY_ENOTFOUND when the record is not staged. */
int ferry_queue_record(json_t **out, struct ferry_workspace *ws,
                       const char *object, const char *source_id);

/* The staged fields of a record with its overrides on top, as an SQL
 * expression over `s` (a staged_records row): what the plan and dedup
 * read. A record with no override costs one index probe. */
#define FERRY_QUEUE_FIELDS_SQL                                                 \
	"CASE WHEN EXISTS (SELECT 1 FROM main.overrides o WHERE o.object = "   \
	"s.object AND o.source_id = s.source_id AND o.field != '') THEN "      \
	"(SELECT json_patch(s.fields, json_group_object(o.field, o.value)) "   \
	"FROM main.overrides o WHERE o.object = s.object AND o.source_id = "   \
	"s.source_id AND o.field != '') ELSE s.fields END"

/* A person's skip of the record `s`, as an SQL expression: its note, or
 * NULL. */
#define FERRY_QUEUE_SKIP_SQL                                                   \
	"(SELECT o.note FROM main.overrides o WHERE o.object = s.object AND "  \
	"o.source_id = s.source_id AND o.field = '')"

#endif
