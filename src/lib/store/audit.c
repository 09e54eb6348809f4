/* audit.c: the audit log, an append-only record of every decision and
 * write. Triggers in the schema make the database itself refuse UPDATE and
 * DELETE on it, so nothing in ferry (or a hand with sqlite3) can rewrite
 * history. */
#include "util.h"

#include "store.h"

int ferry_audit_append(struct ferry_workspace *ws, const char *stage,
                       const char *object, const char *source_id,
                       const char *event, const char *detail)
{
	sqlite3_stmt *stmt;
	char now[40];
	int error;

	if (!event || !*event)
		return ferry_error_set(FERRY_EINVALID,
		                       "an audit event needs a name");
	if ((error = ferry_store__stmt(
	         &stmt, ws, FERRY_STMT_AUDIT_APPEND,
	         "INSERT INTO audit(at, stage, object, source_id, event, "
	         "detail) VALUES(?, ?, ?, ?, ?, ?)")) < 0)
		goto done;
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(stmt, 1, now);
	ferry_store__bind_text(stmt, 2, stage ? stage : "");
	ferry_store__bind_text(stmt, 3, object);
	ferry_store__bind_text(stmt, 4, source_id);
	ferry_store__bind_text(stmt, 5, event);
	ferry_store__bind_text(stmt, 6, detail);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error =
		    ferry_store__error(ws, "cannot append to the audit log");
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

int ferry_audit_foreach(
    struct ferry_workspace *ws, const char *object, const char *source_id,
    int (*cb)(const struct ferry_audit_event *e, void *payload), void *payload)
{
	struct ferry_audit_event e;
	sqlite3_stmt *stmt = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT seq, at, stage, object, source_id, event, detail "
	         "FROM audit WHERE (?1 IS NULL OR object = ?1) AND (?2 IS "
	         "NULL OR source_id = ?2) ORDER BY seq")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, source_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(stmt, 6);

		memset(&e, 0, sizeof(e));
		e.seq = sqlite3_column_int64(stmt, 0);
		ferry_store__column_copy(e.at, sizeof(e.at), stmt, 1);
		ferry_store__column_copy(e.stage, sizeof(e.stage), stmt, 2);
		ferry_store__column_copy(e.object, sizeof(e.object), stmt, 3);
		ferry_store__column_copy(e.source_id, sizeof(e.source_id), stmt,
		                         4);
		ferry_store__column_copy(e.event, sizeof(e.event), stmt, 5);
		e.detail = detail ? detail : "";
		if ((error = cb(&e, payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot read the audit log");
done:
	sqlite3_finalize(stmt);
	return error;
}
