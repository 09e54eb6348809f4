/* ledger.c: the ledger, one row per source record saying what happened to
 * it at the destination; the map a resumed run, verify and rollback read. */
#include "util.h"

#include "store.h"

/* Stored as words, so a person reading state.db with sqlite3 understands
 * it; indexed by enum ferry_ledger_status. */
static const char *const status_names[] = {
    [FERRY_LEDGER_PENDING] = "pending",
    [FERRY_LEDGER_WRITTEN] = "written",
    [FERRY_LEDGER_MERGED] = "merged",
    [FERRY_LEDGER_SKIPPED] = "skipped",
    [FERRY_LEDGER_FAILED] = "failed",
    [FERRY_LEDGER_HELD] = "held",
    [FERRY_LEDGER_ROLLED_BACK] = "rolled_back",
    [FERRY_LEDGER_DELETED] = "deleted",
};

/* What a write did (ferry_ledger_row.op); the schema's CHECK lists the
 * same words. */
static const char *const op_names[] = {"", "created", "updated", "appended",
                                       "existed"};

_Static_assert(FERRY_ARRAY_LEN(status_names) ==
                   FERRY_ARRAY_LEN(((struct ferry_ledger_count *)0)->by_status),
               "a name and a count for every ledger status");

const char *ferry_ledger_status_name(enum ferry_ledger_status s)
{
	if ((unsigned)s >= FERRY_ARRAY_LEN(status_names))
		return "unknown";
	return status_names[s];
}

static int status_from_name(const char *name, enum ferry_ledger_status *out)
{
	size_t i;

	for (i = 0; name && i < FERRY_ARRAY_LEN(status_names); i++) {
		if (!strcmp(name, status_names[i])) {
			*out = (enum ferry_ledger_status)i;
			return 0;
		}
	}
	return -1;
}

int ferry_ledger_get(struct ferry_ledger_row *out, struct ferry_workspace *ws,
                     const char *object, const char *source_id)
{
	struct ferry_ledger_row row;
	sqlite3_stmt *stmt;
	int error, rc;

	if ((error = ferry_store__stmt(
	         &stmt, ws, FERRY_STMT_LEDGER_GET,
	         "SELECT object, source_id, dest_object, dest_id, "
	         "payload_hash, status, reason, attempts, http_status, "
	         "updated_at, op FROM ledger WHERE object = ? AND "
	         "source_id = ?")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, source_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "no ledger entry for '%s' in %s",
		                        source_id, object);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read the ledger");
		goto done;
	}
	memset(&row, 0, sizeof(row));
	ferry_store__column_copy(row.object, sizeof(row.object), stmt, 0);
	ferry_store__column_copy(row.source_id, sizeof(row.source_id), stmt, 1);
	ferry_store__column_copy(row.dest_object, sizeof(row.dest_object), stmt,
	                         2);
	ferry_store__column_copy(row.dest_id, sizeof(row.dest_id), stmt, 3);
	ferry_store__column_copy(row.payload_hash, sizeof(row.payload_hash),
	                         stmt, 4);
	if (status_from_name((const char *)sqlite3_column_text(stmt, 5),
	                     &row.status) < 0) {
		error = ferry_error_set(FERRY_EDB,
		                        "ledger entry for '%s' in %s has an "
		                        "unknown status in '%s'",
		                        source_id, object, ws->db_name);
		goto done;
	}
	ferry_store__column_copy(row.reason, sizeof(row.reason), stmt, 6);
	row.attempts = sqlite3_column_int(stmt, 7);
	row.http_status = sqlite3_column_int(stmt, 8);
	ferry_store__column_copy(row.updated_at, sizeof(row.updated_at), stmt,
	                         9);
	ferry_store__column_copy(row.op, sizeof(row.op), stmt, 10);
	*out = row;
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

int ferry_ledger_put(struct ferry_workspace *ws,
                     const struct ferry_ledger_row *row)
{
	sqlite3_stmt *stmt;
	char now[40];
	size_t i;
	int error;

	if ((unsigned)row->status >= FERRY_ARRAY_LEN(status_names))
		return ferry_error_set(
		    FERRY_EINVALID, "bad ledger status %d for '%s' in %s",
		    (int)row->status, row->source_id, row->object);
	if (!row->object[0] || !row->source_id[0])
		return ferry_error_set(FERRY_EINVALID,
		                       "a ledger entry needs an object and an "
		                       "id");
	for (i = 0; i < FERRY_ARRAY_LEN(op_names); i++)
		if (!strcmp(row->op, op_names[i]))
			break;
	if (i == FERRY_ARRAY_LEN(op_names))
		return ferry_error_set(FERRY_EINVALID,
		                       "bad ledger op '%s' for '%s' in %s",
		                       row->op, row->source_id, row->object);
	if ((error = ferry_store__stmt(
	         &stmt, ws, FERRY_STMT_LEDGER_PUT,
	         "INSERT OR REPLACE INTO ledger(object, source_id, "
	         "dest_object, dest_id, payload_hash, status, reason, "
	         "attempts, http_status, updated_at, op) VALUES(?, ?, ?, ?, "
	         "?, ?, ?, ?, ?, ?, ?)")) < 0)
		goto done;
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(stmt, 1, row->object);
	ferry_store__bind_text(stmt, 2, row->source_id);
	ferry_store__bind_text(stmt, 3, row->dest_object);
	ferry_store__bind_text(stmt, 4, row->dest_id);
	ferry_store__bind_text(stmt, 5, row->payload_hash);
	ferry_store__bind_text(stmt, 6, status_names[row->status]);
	ferry_store__bind_text(stmt, 7, row->reason);
	sqlite3_bind_int(stmt, 8, row->attempts);
	sqlite3_bind_int(stmt, 9, row->http_status);
	ferry_store__bind_text(stmt, 10, now);
	ferry_store__bind_text(stmt, 11, row->op);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot write the ledger");
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

/* One row per (object, status) present, plus one with a NULL status for a
 * staged object with no ledger rows yet; rows arrive grouped by object. */
int ferry_ledger_counts(struct ferry_ledger_count **out, size_t *n_out,
                        struct ferry_workspace *ws)
{
	struct ferry_ledger_count *v = NULL, *cur = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *stmt = NULL;
	enum ferry_ledger_status s;
	int error, rc;

	*out = NULL;
	*n_out = 0;
	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT o.object, o.record_count, l.status, "
	         "COUNT(l.status) FROM staged_objects o LEFT JOIN ledger l "
	         "ON l.object = o.object WHERE o.status = 'complete' GROUP "
	         "BY o.object, l.status ORDER BY o.object")) < 0)
		goto done;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(stmt, 0);

		if (!object)
			object = "";
		if (!cur || strcmp(cur->object, object)) {
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 8;
				v = ferry_xrealloc(v, alloc * sizeof(*v));
			}
			cur = &v[n++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->object, sizeof(cur->object), "%s",
			         object);
			cur->staged = sqlite3_column_int64(stmt, 1);
		}
		if (status_from_name((const char *)sqlite3_column_text(stmt, 2),
		                     &s) == 0)
			cur->by_status[s] += sqlite3_column_int64(stmt, 3);
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(ws, "cannot count the ledger");
		goto done;
	}
	*out = v;
	*n_out = n;
	v = NULL;
done:
	free(v);
	sqlite3_finalize(stmt);
	return error;
}

int ferry_ledger_top_reasons(struct ferry_workspace *ws, const char *object,
                             enum ferry_ledger_status status, int max,
                             int (*cb)(const char *reason, int64_t count,
                                       void *payload),
                             void *payload)
{
	sqlite3_stmt *stmt = NULL;
	int error, rc;

	if (max <= 0)
		return 0;
	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT reason, COUNT(*) AS n FROM ledger WHERE object = ? "
	         "AND status = ? AND reason <> '' GROUP BY reason ORDER BY "
	         "n DESC, reason LIMIT ?")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, ferry_ledger_status_name(status));
	sqlite3_bind_int(stmt, 3, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *reason = (const char *)sqlite3_column_text(stmt, 0);

		if ((error = cb(reason ? reason : "",
		                sqlite3_column_int64(stmt, 1), payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot read the ledger");
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_ledger_prior_put(struct ferry_workspace *ws, const char *object,
                           const char *source_id, const char *dest_object,
                           const char *dest_id, const json_t *prior)
{
	sqlite3_stmt *stmt;
	char now[40], *text = NULL;
	int error;

	if ((error = ferry_store__stmt(
	         &stmt, ws, FERRY_STMT_PRIOR_PUT,
	         "INSERT OR IGNORE INTO ledger_prior(object, source_id, "
	         "dest_object, dest_id, prior, captured_at) VALUES(?, ?, ?, "
	         "?, ?, ?)")) < 0)
		goto done;
	text = json_dumps(prior, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "the values before the update of '%s' "
		                        "in %s cannot be kept",
		                        source_id, object);
		goto done;
	}
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, source_id);
	ferry_store__bind_text(stmt, 3, dest_object);
	ferry_store__bind_text(stmt, 4, dest_id);
	ferry_store__bind_text(stmt, 5, text);
	ferry_store__bind_text(stmt, 6, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot keep the values before "
		                               "an update");
done:
	free(text);
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

int ferry_ledger_prior_get(json_t **out, struct ferry_workspace *ws,
                           const char *object, const char *source_id)
{
	sqlite3_stmt *stmt;
	json_error_t jerr;
	json_t *v;
	int error, rc;

	if ((error = ferry_store__stmt(
	         &stmt, ws, FERRY_STMT_PRIOR_GET,
	         "SELECT prior FROM ledger_prior WHERE object = ? AND "
	         "source_id = ?")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, object);
	ferry_store__bind_text(stmt, 2, source_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "no values before ferry's update of "
		                        "'%s' in %s",
		                        source_id, object);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read the values before "
		                               "an update");
		goto done;
	}
	v = json_loads((const char *)sqlite3_column_text(stmt, 0), 0, &jerr);
	if (!v) {
		error =
		    ferry_error_set(FERRY_EDB,
		                    "the values before ferry's update of "
		                    "'%s' in %s are damaged in '%s': %s",
		                    source_id, object, ws->db_name, jerr.text);
		goto done;
	}
	*out = v;
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}
