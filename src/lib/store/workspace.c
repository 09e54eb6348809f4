/* workspace.c: opening and creating a workspace (.ferry/state.db), its
 * transactions, its meta table and the SQLite helpers the other store
 * files share. */
#include "util.h"

#include <errno.h>
#include <sys/stat.h>

#include "ferry/config.h"
#include "store.h"

/* How long a reader (ferry status) or a second writer waits for a lock
 * held by a running migration before giving up. */
#define BUSY_TIMEOUT_MS 5000

int ferry_store__error(struct ferry_workspace *ws, const char *what)
{
	return ferry_error_set(FERRY_EDB, "%s in '%s': %s", what,
	                       ws->db_name ? ws->db_name : "?",
	                       ws->db ? sqlite3_errmsg(ws->db) : "no database");
}

int ferry_store__prepare(sqlite3_stmt **out, struct ferry_workspace *ws,
                         const char *sql)
{
	*out = NULL;
	if (sqlite3_prepare_v2(ws->db, sql, -1, out, NULL) != SQLITE_OK) {
		sqlite3_finalize(*out);
		*out = NULL;
		return ferry_store__error(ws, "cannot prepare a query");
	}
	return 0;
}

int ferry_store__stmt(sqlite3_stmt **out, struct ferry_workspace *ws,
                      enum ferry_store_stmt id, const char *sql)
{
	int error;

	*out = NULL;
	if (!ws->stmts[id] &&
	    (error = ferry_store__prepare(&ws->stmts[id], ws, sql)) < 0)
		return error;
	sqlite3_reset(ws->stmts[id]);
	sqlite3_clear_bindings(ws->stmts[id]);
	*out = ws->stmts[id];
	return 0;
}

int ferry_store__exec(struct ferry_workspace *ws, const char *sql)
{
	const char *tail = sql;
	sqlite3_stmt *stmt = NULL;
	int rc, error = 0;

	while (tail && *tail) {
		if (sqlite3_prepare_v2(ws->db, tail, -1, &stmt, &tail) !=
		    SQLITE_OK) {
			error =
			    ferry_store__error(ws, "cannot prepare a query");
			goto done;
		}
		if (!stmt) /* only whitespace or a comment was left */
			break;
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			error = ferry_store__error(ws, "a query failed");
			goto done;
		}
		sqlite3_finalize(stmt);
		stmt = NULL;
	}
done:
	sqlite3_finalize(stmt);
	return error;
}

int ferry_store__bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

void ferry_store__column_copy(char *dst, size_t dstlen, sqlite3_stmt *stmt,
                              int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	snprintf(dst, dstlen, "%s", s ? (const char *)s : "");
}

void ferry_store__now(char *out, size_t outlen)
{
	ferry_clock_iso8601(ferry_clock_wall_us(), out, outlen);
}

static struct ferry_workspace *workspace_new(const char *dir)
{
	struct ferry_workspace *ws = ferry_xcalloc(1, sizeof(*ws));

	ws->root = ferry_xstrdup(dir);
	ws->db_path = ferry_xasprintf(
	    "%s/" FERRY_WORKSPACE_DIR "/" FERRY_WORKSPACE_DB, dir);
	/* Messages name the database as the user would type it. */
	if (!strcmp(dir, "."))
		ws->db_name =
		    ferry_xstrdup(FERRY_WORKSPACE_DIR "/" FERRY_WORKSPACE_DB);
	else
		ws->db_name = ferry_xstrdup(ws->db_path);
	return ws;
}

void ferry_workspace_free(struct ferry_workspace *ws)
{
	size_t i;

	if (!ws)
		return;
	for (i = 0; i < FERRY_STMT__COUNT; i++)
		sqlite3_finalize(ws->stmts[i]);
	if (ws->db) {
		if (!sqlite3_get_autocommit(ws->db))
			sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(ws->db);
	}
	free(ws->root);
	free(ws->db_path);
	free(ws->db_name);
	free(ws);
}

/* The first statement that reads the file is where SQLite notices it is
 * not a database at all: say so in words a person can act on. */
static int settings_error(struct ferry_workspace *ws)
{
	int rc = sqlite3_errcode(ws->db) & 0xff;

	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return ferry_error_set(
		    FERRY_EDB,
		    "'%s' is not a ferry workspace database (%s): move it "
		    "aside and run 'ferry init' again",
		    ws->db_name, sqlite3_errmsg(ws->db));
	return ferry_store__error(ws, "cannot open the workspace database");
}

static int apply_settings(struct ferry_workspace *ws)
{
	sqlite3_stmt *stmt = NULL;
	int error = 0, rc;

	sqlite3_busy_timeout(ws->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(ws->db, 1);
	/* journal_mode answers with a row: the mode now in force. */
	if (sqlite3_prepare_v2(ws->db, "PRAGMA journal_mode=WAL", -1, &stmt,
	                       NULL) != SQLITE_OK ||
	    (rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		error = settings_error(ws);
		goto done;
	}
	if ((error = ferry_store__exec(ws, "PRAGMA synchronous=NORMAL;"
	                                   "PRAGMA foreign_keys=ON")) < 0)
		goto done;
done:
	sqlite3_finalize(stmt);
	return error;
}

static int open_db(struct ferry_workspace **out, const char *dir, bool create)
{
	struct ferry_workspace *ws = workspace_new(dir);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct stat st;
	int error = 0;

	*out = NULL;
	if (!create && stat(ws->db_path, &st) < 0) {
		if (errno == ENOENT)
			error =
			    ferry_error_set(FERRY_ENOTFOUND,
			                    "no ferry workspace in '%s' (run "
			                    "'ferry init' there first)",
			                    dir);
		else
			error =
			    ferry_error_set(FERRY_EIO, "cannot read '%s': %s",
			                    ws->db_name, strerror(errno));
		goto done;
	}
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(ws->db_path, &ws->db, flags, NULL) != SQLITE_OK) {
		error = ferry_store__error(
		    ws, "cannot open the workspace database");
		goto done;
	}
	if ((error = apply_settings(ws)) < 0 ||
	    (error = ferry_store__migrate(ws)) < 0)
		goto done;
	*out = ws;
	ws = NULL;
done:
	ferry_workspace_free(ws);
	return error;
}

int ferry_workspace_open(struct ferry_workspace **out, const char *dir)
{
	return open_db(out, dir, false);
}

static int make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return ferry_error_set(FERRY_EIO, "cannot create '%s': %s",
		                       path, strerror(errno));
	return 0;
}

int ferry_workspace_init(const char *dir)
{
	struct ferry_workspace *ws = NULL;
	char *dotdir = ferry_xasprintf("%s/" FERRY_WORKSPACE_DIR, dir);
	int error;

	if ((error = make_dir(dir, 0777)) < 0)
		goto done;
	if ((error = ferry_config_write_default(dir)) < 0) {
		if (error != FERRY_EEXISTS)
			goto done;
		error = 0;
	}
	/* The workspace holds source data: owner only. */
	if ((error = make_dir(dotdir, 0700)) < 0)
		goto done;
	if ((error = open_db(&ws, dir, true)) < 0)
		goto done;
done:
	ferry_workspace_free(ws);
	free(dotdir);
	if (error == 0)
		ferry_error_clear();
	return error;
}

const char *ferry_workspace_root(const struct ferry_workspace *ws)
{
	return ws->root;
}

int ferry_workspace_schema_version(const struct ferry_workspace *ws)
{
	return ws->schema;
}

/*
 * Transactions nest by counting: only the outermost begin issues BEGIN
 * IMMEDIATE (taking the write lock up front, so a writer never fails half
 * way on a lock upgrade) and only the matching outermost commit issues
 * COMMIT. A rollback at any depth rolls back the whole transaction and
 * resets the depth to 0; the enclosing levels' commits then fail with
 * FERRY_EDB instead of committing half their work.
 */
int ferry_workspace_begin(struct ferry_workspace *ws)
{
	int error;

	if (ws->depth == 0 &&
	    (error = ferry_store__exec(ws, "BEGIN IMMEDIATE")) < 0)
		return ferry_error_wrap(error, "starting a transaction");
	ws->depth++;
	return 0;
}

int ferry_workspace_commit(struct ferry_workspace *ws)
{
	int error;

	if (ws->depth == 0)
		return ferry_error_set(FERRY_EDB,
		                       "no transaction to commit in '%s' (it "
		                       "was rolled back)",
		                       ws->db_name);
	if (--ws->depth > 0)
		return 0;
	if ((error = ferry_store__exec(ws, "COMMIT")) < 0) {
		ferry_error_wrap(error, "committing");
		ferry_workspace_rollback(ws);
		return error;
	}
	return 0;
}

void ferry_workspace_rollback(struct ferry_workspace *ws)
{
	if (!sqlite3_get_autocommit(ws->db))
		sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
	ws->depth = 0;
	ws->generation++;
}

int ferry_workspace_meta_get(struct ferry_workspace *ws, const char *key,
                             struct ferry_buf *out)
{
	sqlite3_stmt *stmt;
	int error, rc;

	if ((error =
	         ferry_store__stmt(&stmt, ws, FERRY_STMT_META_GET,
	                           "SELECT value FROM meta WHERE key = ?")) < 0)
		goto done;
	ferry_store__bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		error = ferry_error_set(
		    FERRY_ENOTFOUND, "no setting '%s' in the workspace", key);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		error = ferry_store__error(ws, "cannot read a setting");
		goto done;
	}
	ferry_buf_clear(out);
	error = ferry_buf_put(out, sqlite3_column_text(stmt, 0),
	                      (size_t)sqlite3_column_bytes(stmt, 0));
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}

int ferry_workspace_meta_set(struct ferry_workspace *ws, const char *key,
                             const char *value)
{
	sqlite3_stmt *stmt;
	int error;

	if ((error = ferry_store__stmt(&stmt, ws, FERRY_STMT_META_SET,
	                               "INSERT INTO meta(key, value) "
	                               "VALUES(?, ?) ON CONFLICT(key) DO "
	                               "UPDATE SET value = excluded.value")) <
	    0)
		goto done;
	ferry_store__bind_text(stmt, 1, key);
	ferry_store__bind_text(stmt, 2, value ? value : "");
	if (sqlite3_step(stmt) != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot save a setting");
done:
	if (stmt)
		sqlite3_reset(stmt);
	return error;
}
