/* facts.c: source facts, the JSON documents extract keeps about the source
 * beside its records (the schema snapshot, automation counts, limits), by
 * name. Analyze and plan read them; they never hold a secret. */
#include "util.h"

#include "store.h"

int ferry_facts_put(struct ferry_workspace *ws, const char *name,
                    const char *json_text)
{
	sqlite3_stmt *stmt = NULL;
	char now[40];
	int error;

	if (!name || !*name || !json_text)
		return ferry_error_set(FERRY_EINVALID,
		                       "a source fact needs a name and a value");
	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "INSERT OR REPLACE INTO source_facts(name, json, fetched_at) "
	         "VALUES(?, ?, ?)")) < 0)
		goto done;
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(stmt, 1, name);
	ferry_store__bind_text(stmt, 2, json_text);
	ferry_store__bind_text(stmt, 3, now);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot save a source fact");
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_facts_get(struct ferry_workspace *ws, const char *name,
                    struct ferry_buf *out)
{
	sqlite3_stmt *stmt = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws, "SELECT json FROM source_facts WHERE name = ?")) <
	    0)
		goto done;
	ferry_store__bind_text(stmt, 1, name);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "no source fact '%s' in the workspace: "
		                        "run 'ferry extract'",
		                        name);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read a source fact");
		goto done;
	}
	ferry_buf_clear(out);
	error = ferry_buf_put(out, sqlite3_column_blob(stmt, 0),
	                      (size_t)sqlite3_column_bytes(stmt, 0));
done:
	sqlite3_finalize(stmt);
	return error;
}

/* Names from `prefix` up to (not including) the first name that no longer
 * starts with it: a range scan on the primary key. */
int ferry_facts_foreach(struct ferry_workspace *ws, const char *prefix,
                        int (*cb)(const char *name, const char *json_text,
                                  void *payload),
                        void *payload)
{
	sqlite3_stmt *stmt = NULL;
	size_t plen = strlen(prefix);
	int error, rc;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "SELECT name, json FROM source_facts WHERE name >= ? "
	         "ORDER BY name")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, prefix);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		const char *json = (const char *)sqlite3_column_text(stmt, 1);

		if (!name || strncmp(name, prefix, plen) != 0) {
			rc = SQLITE_DONE;
			break;
		}
		if ((error = cb(name, json ? json : "", payload)) != 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot read the source facts");
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_facts_delete_prefix(struct ferry_workspace *ws, const char *prefix)
{
	sqlite3_stmt *stmt = NULL;
	int error;

	if ((error = ferry_store__prepare(
	         &stmt, ws,
	         "DELETE FROM source_facts WHERE substr(name, 1, ?) = ?")) < 0)
		goto done;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)strlen(prefix));
	ferry_store__bind_text(stmt, 2, prefix);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot clear source facts");
done:
	sqlite3_finalize(stmt);
	return error;
}
