/* store.h: what the workspace files (workspace.c, schema.c, stage.c,
 * ledger.c, audit.c) share: the workspace handle, a cache of prepared
 * statements and the SQLite error helpers. Private to src/lib/store. */
#ifndef FERRY_STORE_H
#define FERRY_STORE_H

#include <sqlite3.h>

#include "ferry/workspace.h"

/* Statements prepared once per workspace and reused (one per call site
 * that runs per record). Streaming queries (the foreach walks) prepare
 * their own, so a callback may call back into the workspace. */
enum ferry_store_stmt {
	FERRY_STMT_META_GET,
	FERRY_STMT_META_SET,
	FERRY_STMT_LEDGER_GET,
	FERRY_STMT_LEDGER_PUT,
	FERRY_STMT_AUDIT_APPEND,
	FERRY_STMT_STAGE_GET,
	FERRY_STMT_PRIOR_PUT,
	FERRY_STMT_PRIOR_GET,
	FERRY_STMT__COUNT
};

struct ferry_workspace {
	char *root;    /* the folder holding ferry.yaml and .ferry/ */
	char *db_path; /* root/.ferry/state.db */
	char *db_name; /* the path as messages show it */
	sqlite3 *db;
	int schema;
	/* Nesting depth of ferry_workspace_begin(); 0 outside a transaction. */
	int depth;
	/* Bumped by every rollback, so an open staging can tell that its
	 * transaction is gone. */
	unsigned generation;
	sqlite3_stmt *stmts[FERRY_STMT__COUNT];
};

/* Sets FERRY_EDB "<what> in '<db>': <sqlite message>" and returns it. */
int ferry_store__error(struct ferry_workspace *ws, const char *what);

/* Hands back the cached statement `id`, preparing `sql` the first time;
 * it comes reset with its bindings cleared. */
int ferry_store__stmt(sqlite3_stmt **out, struct ferry_workspace *ws,
                      enum ferry_store_stmt id, const char *sql);

/* Prepares a one-off statement (the caller finalizes it). */
int ferry_store__prepare(sqlite3_stmt **out, struct ferry_workspace *ws,
                         const char *sql);

/* Runs constant SQL that returns no rows we need (one or more statements;
 * never text from outside). */
int ferry_store__exec(struct ferry_workspace *ws, const char *sql);

/* Binds a C string as text (NULL binds NULL). */
int ferry_store__bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* Copies a text column into a fixed buffer (NULL becomes ""). */
void ferry_store__column_copy(char *dst, size_t dstlen, sqlite3_stmt *stmt,
                              int col);

/* The current UTC time as ISO 8601, for the *_at columns. */
void ferry_store__now(char *out, size_t outlen);

/* Brings the database forward to FERRY_WORKSPACE_SCHEMA (schema.c). Sets
 * ws->schema. FERRY_ECONFIG for a database newer than this ferry. */
int ferry_store__migrate(struct ferry_workspace *ws);

#endif
