/* plan_read.c: reading the plan back: one record's decision and the
 * decisions per object (the most common reasons are in plan_top.c). */
#include "util.h"

#include "plan_int.h"
#include "store/store.h"

/* Stored as words, indexed by enum ferry_plan_decision. */
static const char *const decision_names[] = {
    [FERRY_PLAN_WRITE] = "write",
    [FERRY_PLAN_MERGED] = "merged",
    [FERRY_PLAN_HELD] = "held",
    [FERRY_PLAN_SKIPPED] = "skipped",
};

_Static_assert(FERRY_ARRAY_LEN(decision_names) == FERRY_PLAN_DECISIONS,
               "a name for every decision");

const char *ferry_plan_decision_name(enum ferry_plan_decision d)
{
	if ((unsigned)d >= FERRY_ARRAY_LEN(decision_names))
		return "unknown";
	return decision_names[d];
}

int ferry_plan_decision_parse(const char *name, enum ferry_plan_decision *out)
{
	size_t i;

	for (i = 0; name && i < FERRY_ARRAY_LEN(decision_names); i++) {
		if (!strcmp(name, decision_names[i])) {
			*out = (enum ferry_plan_decision)i;
			return 0;
		}
	}
	return ferry_error_set(FERRY_EINVALID,
	                       "'%s' is not a decision (write, merged, held, "
	                       "skipped)",
	                       name ? name : "");
}

static json_t *column_json(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

	return j ? j : json_null();
}

static json_t *column_str(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return json_string(s ? s : "");
}

int ferry_plan_get(json_t **out, struct ferry_workspace *ws, const char *object,
                   const char *source_id)
{
	static const char *const text_cols[] = {
	    "object",      "source_id",       "decision",    "payload_sha256",
	    "dest_object", "match_attribute", "match_value", "survivor_object",
	    "survivor_id", "planned_at",      NULL,          NULL,
	    NULL,
	};
	static const char *const json_cols[] = {
	    [10] = "reasons", [11] = "notes", [12] = "payload"};
	sqlite3_stmt *st = NULL;
	json_t *row;
	int error, rc, i;

	if ((error = ferry_store__prepare(&st, ws,
	                                  "SELECT " PL_PLAN_COLS
	                                  " FROM plan WHERE object = ? AND "
	                                  "source_id = ?")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(
		    FERRY_ENOTFOUND, "%s %s has no decision: run 'ferry plan'",
		    object, source_id);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read the plan");
		goto done;
	}
	row = json_object();
	for (i = 0; i < (int)FERRY_ARRAY_LEN(text_cols); i++) {
		if (text_cols[i])
			json_object_set_new(row, text_cols[i],
			                    column_str(st, i));
		else
			json_object_set_new(row, json_cols[i],
			                    column_json(st, i));
	}
	*out = row;
done:
	sqlite3_finalize(st);
	return error;
}

static struct ferry_plan_count *count_of(struct ferry_plan_count **list,
                                         size_t *n, size_t *cap,
                                         const char *object)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i].object, object))
			return &(*list)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*list = ferry_xrealloc(*list, *cap * sizeof(**list));
	}
	memset(&(*list)[*n], 0, sizeof(**list));
	snprintf((*list)[*n].object, sizeof((*list)[*n].object), "%s", object);
	return &(*list)[(*n)++];
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ferry_plan_count *)a)->object,
	              ((const struct ferry_plan_count *)b)->object);
}

int ferry_plan_counts(struct ferry_plan_count **out, size_t *n_out,
                      struct ferry_workspace *ws)
{
	struct ferry_plan_count *list = NULL, *c;
	sqlite3_stmt *st = NULL, *dest = NULL;
	size_t n = 0, cap = 0, i;
	enum ferry_plan_decision d;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT object, record_count FROM staged_objects WHERE "
	         "status = 'complete' ORDER BY object")) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_of(&list, &n, &cap,
		         (const char *)sqlite3_column_text(st, 0))
		    ->staged = sqlite3_column_int64(st, 1);
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot read staged objects");
		goto done;
	}
	sqlite3_finalize(st);
	/* The index on (object, decision) answers this alone. */
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT object, decision, count(*) FROM plan GROUP BY "
	         "object, decision")) < 0 ||
	    (error = ferry_store__prepare(
	         &dest, ws,
	         "SELECT dest_object FROM plan WHERE object = ? AND "
	         "dest_object != '' LIMIT 1")) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c = count_of(&list, &n, &cap,
		             (const char *)sqlite3_column_text(st, 0));
		if (ferry_plan_decision_parse(
		        (const char *)sqlite3_column_text(st, 1), &d) == 0)
			c->by_decision[d] += sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot count the plan");
		goto done;
	}
	for (i = 0; i < n; i++) {
		ferry_store__bind_text(dest, 1, list[i].object);
		if (sqlite3_step(dest) == SQLITE_ROW)
			ferry_store__column_copy(list[i].dest_object,
			                         sizeof(list[i].dest_object),
			                         dest, 0);
		sqlite3_reset(dest);
	}
	if (n)
		qsort(list, n, sizeof(*list), by_name);
	*out = list;
	*n_out = n;
	list = NULL;
done:
	sqlite3_finalize(st);
	sqlite3_finalize(dest);
	free(list);
	return error;
}
