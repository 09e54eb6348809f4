/* attio_store.c: the Attio stand-in's SQLite store: the schema, opening
 * (and seeding) it, transactions, and records, list entries and the
 * unique-value index. The catalogue lives in attio_catalog.c. */
#include "util.h"

#include <sqlite3.h>

#include "attio_sandbox.h"

/* Bumped when a table changes shape; an older file is refused rather
 * than half-read. */
#define SCHEMA_VERSION "2"

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS objects(object_id TEXT PRIMARY KEY,"
    " api_slug TEXT UNIQUE NOT NULL, singular_noun TEXT NOT NULL,"
    " plural_noun TEXT NOT NULL, created_at TEXT NOT NULL,"
    " position INTEGER NOT NULL, is_system INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS lists(list_id TEXT PRIMARY KEY,"
    " api_slug TEXT UNIQUE NOT NULL, name TEXT NOT NULL,"
    " parent_object TEXT NOT NULL, workspace_access TEXT,"
    " member_access TEXT NOT NULL, created_at TEXT NOT NULL,"
    " position INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS attributes(attribute_id TEXT PRIMARY KEY,"
    " object_id TEXT NOT NULL, api_slug TEXT NOT NULL, title TEXT NOT NULL,"
    " description TEXT, type TEXT NOT NULL, is_unique INTEGER NOT NULL,"
    " is_required INTEGER NOT NULL, is_multiselect INTEGER NOT NULL,"
    " is_system INTEGER NOT NULL, is_archived INTEGER NOT NULL,"
    " target_object TEXT NOT NULL, rel_object TEXT NOT NULL,"
    " rel_slug TEXT NOT NULL, currency_code TEXT NOT NULL,"
    " display_type TEXT NOT NULL, default_value TEXT,"
    " created_at TEXT NOT NULL, position INTEGER NOT NULL,"
    " UNIQUE(object_id, api_slug));"
    "CREATE TABLE IF NOT EXISTS select_options(option_id TEXT PRIMARY KEY,"
    " attribute_id TEXT NOT NULL, title TEXT NOT NULL,"
    " is_archived INTEGER NOT NULL DEFAULT 0,"
    " celebration_enabled INTEGER NOT NULL DEFAULT 0,"
    " target_time TEXT NOT NULL DEFAULT '',"
    " position INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY"
    " AUTOINCREMENT, record_id TEXT UNIQUE NOT NULL,"
    " object_id TEXT NOT NULL, created_at TEXT NOT NULL,"
    " vals TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS records_by_object ON records(object_id,"
    " seq);"
    "CREATE TABLE IF NOT EXISTS entries(seq INTEGER PRIMARY KEY"
    " AUTOINCREMENT, entry_id TEXT UNIQUE NOT NULL,"
    " list_id TEXT NOT NULL, parent_object TEXT NOT NULL,"
    " parent_record_id TEXT NOT NULL, created_at TEXT NOT NULL,"
    " vals TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS entries_by_list ON entries(list_id, seq);"
    "CREATE INDEX IF NOT EXISTS entries_by_parent ON"
    " entries(parent_record_id);"
    "CREATE TABLE IF NOT EXISTS unique_values(attribute_id TEXT NOT NULL,"
    " key TEXT NOT NULL, record_id TEXT NOT NULL,"
    " PRIMARY KEY(attribute_id, key));"
    "CREATE INDEX IF NOT EXISTS unique_values_by_record ON"
    " unique_values(record_id);"
    "CREATE TABLE IF NOT EXISTS notes(seq INTEGER PRIMARY KEY"
    " AUTOINCREMENT, note_id TEXT UNIQUE NOT NULL,"
    " parent_object TEXT NOT NULL, parent_record_id TEXT NOT NULL,"
    " title TEXT NOT NULL, meeting_id TEXT,"
    " content_plaintext TEXT NOT NULL, content_markdown TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS notes_by_parent ON"
    " notes(parent_record_id);"
    "CREATE TABLE IF NOT EXISTS tasks(seq INTEGER PRIMARY KEY"
    " AUTOINCREMENT, task_id TEXT UNIQUE NOT NULL, content TEXT NOT NULL,"
    " deadline_at TEXT, is_completed INTEGER NOT NULL,"
    " linked_records TEXT NOT NULL, assignees TEXT NOT NULL,"
    " created_at TEXT NOT NULL);";

int attio_store_fail(struct attio_sb *sb, const char *what)
{
	return ferry_error_set(FERRY_EDB, "sandbox store: %s: %s", what,
	                       sqlite3_errmsg(sb->db));
}

sqlite3_stmt *attio_store_prep(struct attio_sb *sb, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(sb->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "ferry-sandbox: cannot prepare '%s': %s\n", sql,
		        sqlite3_errmsg(sb->db));
		abort();
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static int exec(struct attio_sb *sb, const char *sql)
{
	char *msg = NULL;
	int rc = 0;

	if (sqlite3_exec(sb->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		rc = ferry_error_set(FERRY_EDB, "sandbox store: %s",
		                     msg ? msg : "exec failed");
	sqlite3_free(msg);
	return rc;
}

int attio_store_begin(struct attio_sb *sb)
{
	return exec(sb, "BEGIN IMMEDIATE");
}

int attio_store_commit(struct attio_sb *sb)
{
	return exec(sb, "COMMIT");
}

void attio_store_rollback(struct attio_sb *sb)
{
	if (!sqlite3_get_autocommit(sb->db))
		(void)exec(sb, "ROLLBACK");
}

/* Reads meta key into out; when absent, stores `make` (or a fresh UUID,
 * or the time) under it. */
static int meta_get_or_make(struct attio_sb *sb, const char *key, char *out,
                            size_t n, const char *make, bool uuid)
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "SELECT value FROM meta WHERE key = ?");
	int rc = 0;

	bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		col_copy(out, n, st, 0);
		goto done;
	}
	sqlite3_finalize(st);
	if (make) {
		snprintf(out, n, "%s", make);
	} else if (uuid) {
		char id[ATTIO_ID_LEN];

		attio_uuid(id);
		snprintf(out, n, "%s", id);
	} else {
		char ts[ATTIO_TS_LEN];

		attio_now(ts);
		snprintf(out, n, "%s", ts);
	}
	st = attio_store_prep(sb, "INSERT INTO meta(key, value) VALUES(?, ?)");
	bind_text(st, 1, key);
	bind_text(st, 2, out);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = attio_store_fail(sb, "writing meta");
done:
	sqlite3_finalize(st);
	return rc;
}

static bool table_exists(struct attio_sb *sb, const char *name)
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "SELECT 1 FROM sqlite_master WHERE"
	                         " type = 'table' AND name = ?");
	bool yes;

	bind_text(st, 1, name);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* A file from before SCHEMA_VERSION has objects but no version. */
static int check_version(struct attio_sb *sb, const char *path)
{
	sqlite3_stmt *st;
	char version[16] = "";

	if (!table_exists(sb, "objects"))
		return 0;
	if (table_exists(sb, "meta")) {
		st = attio_store_prep(sb, "SELECT value FROM meta WHERE key ="
		                          " 'schema_version'");
		if (sqlite3_step(st) == SQLITE_ROW)
			col_copy(version, sizeof(version), st, 0);
		sqlite3_finalize(st);
	}
	if (!strcmp(version, SCHEMA_VERSION))
		return 0;
	return ferry_error_set(FERRY_ECONFIG,
	                       "sandbox state '%s' was written by another "
	                       "version of ferry-sandbox (schema %s, this one "
	                       "reads %s); remove it to start afresh",
	                       path ? path : ":memory:",
	                       version[0] ? version : "1", SCHEMA_VERSION);
}

int attio_store_open(struct attio_sb *sb, const char *path)
{
	char version[16];
	int rc = 0, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_FULLMUTEX;

	if (sqlite3_open_v2(path ? path : ":memory:", &sb->db, flags, NULL) !=
	    SQLITE_OK) {
		rc = ferry_error_set(
		    FERRY_EDB, "cannot open sandbox state '%s': %s",
		    path ? path : ":memory:", sqlite3_errmsg(sb->db));
		goto done;
	}
	sqlite3_busy_timeout(sb->db, 5000);
	/* an older file is refused before anything in it changes */
	if ((rc = check_version(sb, path)) < 0 ||
	    (rc = exec(sb, schema_sql)) < 0 || (rc = attio_store_begin(sb)) < 0)
		goto done;
	if ((rc = meta_get_or_make(sb, "schema_version", version,
	                           sizeof(version), SCHEMA_VERSION, false)) <
	        0 ||
	    (rc = meta_get_or_make(sb, "workspace_id", sb->workspace_id,
	                           sizeof(sb->workspace_id), NULL, true)) < 0 ||
	    (rc = meta_get_or_make(sb, "token_id", sb->token_id,
	                           sizeof(sb->token_id), NULL, true)) < 0 ||
	    (rc = meta_get_or_make(sb, "created_at", sb->created_at,
	                           sizeof(sb->created_at), NULL, false)) < 0)
		goto done;
	attio_catalog_load(sb);
	if ((rc = attio_seed(sb)) < 0 || (rc = attio_store_commit(sb)) < 0)
		goto done;
done:
	if (rc < 0 && sb->db)
		attio_store_rollback(sb);
	return rc;
}

void attio_store_close(struct attio_sb *sb)
{
	attio_catalog_free(sb);
	attio_json_forget(sb);
	if (sb->db)
		sqlite3_close(sb->db);
	sb->db = NULL;
}

void attio_record_release(struct attio_record *r)
{
	if (r) {
		json_decref(r->values);
		r->values = NULL;
	}
}

int attio_store_record_get(struct attio_sb *sb, struct attio_object *o,
                           const char *id, struct attio_record *out)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, o->is_list ? "SELECT created_at, vals, parent_object,"
	                     " parent_record_id FROM entries WHERE"
	                     " entry_id = ? AND list_id = ?"
	                   : "SELECT created_at, vals, '', '' FROM records"
	                     " WHERE record_id = ? AND object_id = ?");
	int rc = 0;
	json_t *vals = NULL;

	bind_text(st, 1, id);
	bind_text(st, 2, o->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = FERRY_ENOTFOUND;
		goto done;
	}
	vals = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
	if (!json_is_object(vals)) {
		rc = ferry_error_set(FERRY_EDB, "record '%s' is corrupt", id);
		goto done;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	col_copy(out->created_at, sizeof(out->created_at), st, 0);
	col_copy(out->parent_object, sizeof(out->parent_object), st, 2);
	col_copy(out->parent_id, sizeof(out->parent_id), st, 3);
	out->object = o;
	out->values = vals;
	vals = NULL;
done:
	json_decref(vals);
	sqlite3_finalize(st);
	return rc;
}

int attio_store_unique_find(struct attio_sb *sb, const struct attio_attr *a,
                            const char *key, char out[ATTIO_ID_LEN])
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "SELECT record_id FROM unique_values"
	                         " WHERE attribute_id = ? AND key = ?");
	int rc = FERRY_ENOTFOUND;

	bind_text(st, 1, a->id);
	bind_text(st, 2, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		col_copy(out, ATTIO_ID_LEN, st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Rewrites the unique-index rows of one attribute of one record. */
static int index_attr(struct attio_sb *sb, struct attio_record *r,
                      struct attio_attr *a)
{
	sqlite3_stmt *st =
	    attio_store_prep(sb, "DELETE FROM unique_values WHERE"
	                         " attribute_id = ? AND record_id = ?");
	json_t *arr = json_object_get(r->values, a->slug), *v;
	size_t i;
	int rc = 0;

	bind_text(st, 1, a->id);
	bind_text(st, 2, r->id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = attio_store_fail(sb, "indexing");
		goto done;
	}
	json_array_foreach(arr, i, v)
	{
		char *key = attio_value_key(a, v);
		char owner[ATTIO_ID_LEN];

		if (attio_store_unique_find(sb, a, key, owner) == 0 &&
		    strcmp(owner, r->id) != 0) {
			rc = ferry_error_set(FERRY_ECONFLICT,
			                     "unique value '%s' taken", key);
			free(key);
			goto done;
		}
		sqlite3_finalize(st);
		st = attio_store_prep(sb, "INSERT OR IGNORE INTO"
		                          " unique_values(attribute_id, key,"
		                          " record_id) VALUES(?, ?, ?)");
		bind_text(st, 1, a->id);
		bind_text(st, 2, key);
		bind_text(st, 3, r->id);
		free(key);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = attio_store_fail(sb, "indexing");
			goto done;
		}
	}
done:
	sqlite3_finalize(st);
	return rc;
}

int attio_store_record_put(struct attio_sb *sb, struct attio_record *r)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, r->object->is_list
	            ? "INSERT INTO entries(entry_id, list_id, created_at,"
	              " vals, parent_object, parent_record_id)"
	              " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(entry_id)"
	              " DO UPDATE SET vals = excluded.vals"
	            : "INSERT INTO records(record_id, object_id, created_at,"
	              " vals) VALUES(?, ?, ?, ?) ON CONFLICT(record_id) DO"
	              " UPDATE SET vals = excluded.vals");
	char *vals = json_dumps(r->values, JSON_COMPACT);
	size_t i;
	int rc = 0;

	bind_text(st, 1, r->id);
	bind_text(st, 2, r->object->id);
	bind_text(st, 3, r->created_at);
	bind_text(st, 4, vals);
	if (r->object->is_list) {
		bind_text(st, 5, r->parent_object);
		bind_text(st, 6, r->parent_id);
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = attio_store_fail(sb, "writing a record");
		goto done;
	}
	for (i = 0; i < r->object->n_attrs; i++)
		if (r->object->attrs[i].is_unique &&
		    (rc = index_attr(sb, r, &r->object->attrs[i])) < 0)
			goto done;
done:
	free(vals);
	sqlite3_finalize(st);
	return rc;
}

static int run_with_id(struct attio_sb *sb, const char *sql, const char *id)
{
	sqlite3_stmt *st = attio_store_prep(sb, sql);
	int rc = 0;

	bind_text(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = attio_store_fail(sb, "deleting");
	sqlite3_finalize(st);
	return rc;
}

int attio_store_record_delete(struct attio_sb *sb, struct attio_record *r)
{
	int rc;

	if (r->object->is_list)
		return (rc = run_with_id(
		            sb, "DELETE FROM entries WHERE entry_id = ?",
		            r->id)) < 0
		           ? rc
		           : run_with_id(sb,
		                         "DELETE FROM unique_values WHERE"
		                         " record_id = ?",
		                         r->id);
	/* a record takes its list entries (and their index rows) and its
	 * notes with it */
	if ((rc = run_with_id(sb, "DELETE FROM records WHERE record_id = ?",
	                      r->id)) < 0 ||
	    (rc = run_with_id(sb,
	                      "DELETE FROM unique_values WHERE record_id = ?"
	                      " OR record_id IN (SELECT entry_id FROM entries"
	                      " WHERE parent_record_id = ?1)",
	                      r->id)) < 0 ||
	    (rc = run_with_id(sb,
	                      "DELETE FROM entries WHERE parent_record_id = ?",
	                      r->id)) < 0)
		return rc;
	return run_with_id(sb, "DELETE FROM notes WHERE parent_record_id = ?",
	                   r->id);
}

static json_t *ids_of(sqlite3_stmt *st)
{
	json_t *ids = json_array();

	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(
		    ids, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	return ids;
}

json_t *attio_store_record_ids(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, o->is_list ? "SELECT entry_id FROM entries WHERE list_id = ?"
	                     " ORDER BY seq"
	                   : "SELECT record_id FROM records WHERE"
	                     " object_id = ? ORDER BY seq");

	bind_text(st, 1, o->id);
	return ids_of(st);
}

json_t *attio_store_entries_of(struct attio_sb *sb, struct attio_object *l,
                               const char *parent_id)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT entry_id FROM entries WHERE parent_record_id = ?1"
	        " AND (?2 IS NULL OR list_id = ?2) ORDER BY seq");

	bind_text(st, 1, parent_id);
	if (l)
		bind_text(st, 2, l->id);
	return ids_of(st);
}

long long attio_store_record_count(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, o->is_list
	            ? "SELECT count(*) FROM entries WHERE list_id = ?"
	            : "SELECT count(*) FROM records WHERE object_id = ?");
	long long n = 0;

	bind_text(st, 1, o->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
