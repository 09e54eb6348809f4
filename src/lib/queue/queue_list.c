/* queue_list.c: walking the conflict queue: the held records of the plan,
 * filtered by object and by a reason's code or field. */
#include "util.h"

#include "ferry/queue.h"
#include "store/store.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int ferry_queue_foreach(struct ferry_workspace *ws,
                        const struct ferry_queue_filter *filter,
                        int (*cb)(const struct ferry_queue_item *item,
                                  void *payload),
                        void *payload)
{
	static const struct ferry_queue_filter all = {NULL, NULL, NULL};
	const struct ferry_queue_filter *f = filter ? filter : &all;
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT p.object, p.source_id, p.dest_object, p.reasons, "
	         "p.planned_at, (SELECT count(*) FROM main.overrides o WHERE "
	         "o.object = p.object AND o.source_id = p.source_id) FROM "
	         "main.plan p JOIN main.staged_records s ON s.object = "
	         "p.object AND s.source_id = p.source_id WHERE p.decision = "
	         "'held' AND (?1 IS NULL OR p.object = ?1) AND ((?2 IS NULL "
	         "AND ?3 IS NULL) OR EXISTS (SELECT 1 FROM "
	         "json_each(p.reasons) "
	         "r WHERE (?2 IS NULL OR json_extract(r.value, '$.code') = ?2) "
	         "AND (?3 IS NULL OR json_extract(r.value, '$.field') = ?3))) "
	         "ORDER BY p.object, s.line")) < 0)
		return error;
	ferry_store__bind_text(st, 1, nonempty(f->object));
	ferry_store__bind_text(st, 2, nonempty(f->code));
	ferry_store__bind_text(st, 3, nonempty(f->field));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ferry_queue_item item;
		json_error_t jerr;
		json_t *reasons = json_loads(
		    (const char *)sqlite3_column_text(st, 3), 0, &jerr);

		item.object = (const char *)sqlite3_column_text(st, 0);
		item.source_id = (const char *)sqlite3_column_text(st, 1);
		item.dest_object = (const char *)sqlite3_column_text(st, 2);
		if (!reasons)
			reasons = json_array();
		item.reasons = reasons;
		item.planned_at = (const char *)sqlite3_column_text(st, 4);
		item.overrides = sqlite3_column_int(st, 5);
		error = cb(&item, payload);
		json_decref(reasons);
		if (error)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error =
		    ferry_store__error(ws, "cannot read the conflict queue");
done:
	sqlite3_finalize(st);
	return error;
}
