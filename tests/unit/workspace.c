/* workspace.c: tests for opening and creating workspaces, schema
 * migration, transactions and the meta table. */
#include "helpers.h"
#include "util.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "ferry/workspace.h"

static char *db_path(const char *dir)
{
	return ferry_xasprintf("%s/.ferry/state.db", dir);
}

/* Runs SQL through a connection of our own, not the workspace's. */
static void raw_exec(const char *dir, const char *sql)
{
	char *path = db_path(dir);
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
	free(path);
}

static void test_init_and_open(void **state)
{
	char *dir = test_tmpdir("ws-init");
	char *sub = ferry_xasprintf("%s/fresh", dir);
	char *dot = ferry_xasprintf("%s/.ferry", sub);
	char *yaml = ferry_xasprintf("%s/ferry.yaml", sub);
	struct ferry_workspace *ws = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(ferry_workspace_init(sub), 0);
	assert_int_equal(stat(dot, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(yaml, &st), 0);
	assert_int_equal(ferry_workspace_open(&ws, sub), 0);
	assert_non_null(ws);
	assert_string_equal(ferry_workspace_root(ws), sub);
	assert_int_equal(ferry_workspace_schema_version(ws),
	                 FERRY_WORKSPACE_SCHEMA);
	ferry_workspace_free(ws);
	ferry_workspace_free(NULL);
	free(dir);
	free(sub);
	free(dot);
	free(yaml);
}

static void test_init_twice_keeps_config(void **state)
{
	char *dir = test_tmpdir("ws-twice");
	char *yaml = ferry_xasprintf("%s/ferry.yaml", dir);
	struct ferry_buf text = FERRY_BUF_INIT;
	struct ferry_workspace *ws = NULL;
	char *path;

	(void)state;
	path = test_write_file(dir, "ferry.yaml", "# mine\n", 7);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_workspace_meta_set(ws, "k", "v"), 0);
	ferry_workspace_free(ws);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(test_read_file(&text, yaml), 0);
	assert_string_equal(text.ptr, "# mine\n");
	/* The database survived the second init too. */
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	ferry_buf_release(&text);
	assert_int_equal(ferry_workspace_meta_get(ws, "k", &text), 0);
	assert_string_equal(text.ptr, "v");
	ferry_workspace_free(ws);
	ferry_buf_release(&text);
	free(path);
	free(yaml);
	free(dir);
}

static void test_not_a_workspace(void **state)
{
	char *dir = test_tmpdir("ws-none");
	struct ferry_workspace *ws = NULL;
	char *want = ferry_xasprintf("no ferry workspace in '%s' (run 'ferry "
	                             "init' there first)",
	                             dir);

	(void)state;
	assert_int_equal(ferry_workspace_open(&ws, dir), FERRY_ENOTFOUND);
	assert_null(ws);
	assert_string_equal(ferry_error_last(), want);
	free(want);
	free(dir);
}

static void test_newer_schema_refused(void **state)
{
	char *dir = test_tmpdir("ws-newer");
	struct ferry_workspace *ws = NULL;
	char *want;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	raw_exec(dir, "PRAGMA user_version=99");
	assert_int_equal(ferry_workspace_open(&ws, dir), FERRY_ECONFIG);
	assert_null(ws);
	want = ferry_xasprintf("workspace '%s/.ferry/state.db' was written by "
	                       "a newer ferry (schema 99; this ferry knows up "
	                       "to %d): upgrade ferry",
	                       dir, FERRY_WORKSPACE_SCHEMA);
	assert_string_equal(ferry_error_last(), want);
	free(want);
	free(dir);
}

static void test_not_sqlite(void **state)
{
	char *dir = test_tmpdir("ws-garbage");
	char *dot = ferry_xasprintf("%s/.ferry", dir);
	struct ferry_workspace *ws = NULL;
	char garbage[4096];
	char *path;

	(void)state;
	memset(garbage, 'x', sizeof(garbage));
	assert_int_equal(mkdir(dot, 0700), 0);
	path = test_write_file(dot, "state.db", garbage, sizeof(garbage));
	assert_int_equal(ferry_workspace_open(&ws, dir), FERRY_EDB);
	assert_null(ws);
	assert_non_null(strstr(ferry_error_last(), path));
	assert_non_null(strstr(ferry_error_last(), "not a ferry workspace"));
	free(path);
	free(dot);
	free(dir);
}

static void test_wal_and_concurrent_reader(void **state)
{
	char *dir = test_tmpdir("ws-wal");
	struct ferry_workspace *writer = NULL, *reader = NULL;
	struct ferry_buf v = FERRY_BUF_INIT;
	char *path = db_path(dir);
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&writer, dir), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(db);

	/* A reader sees the last committed state while a write is open. */
	assert_int_equal(ferry_workspace_meta_set(writer, "watermark", "1"), 0);
	assert_int_equal(ferry_workspace_begin(writer), 0);
	assert_int_equal(ferry_workspace_meta_set(writer, "watermark", "2"), 0);
	assert_int_equal(ferry_workspace_open(&reader, dir), 0);
	assert_int_equal(ferry_workspace_meta_get(reader, "watermark", &v), 0);
	assert_string_equal(v.ptr, "1");
	assert_int_equal(ferry_workspace_commit(writer), 0);
	assert_int_equal(ferry_workspace_meta_get(reader, "watermark", &v), 0);
	assert_string_equal(v.ptr, "2");
	ferry_workspace_free(reader);
	ferry_workspace_free(writer);
	ferry_buf_release(&v);
	free(path);
	free(dir);
}

static int count_object(const struct ferry_staged_object *o, void *payload)
{
	assert_string_equal(o->object, "Account");
	assert_string_equal(o->origin, "export/Account.csv");
	assert_int_equal(o->count, 2);
	(*(int *)payload)++;
	return 0;
}

static int collect_record(const char *source_id, int64_t line, json_t *fields,
                          void *payload)
{
	struct ferry_buf *b = payload;

	assert_true(json_is_object(fields));
	assert_int_equal(
	    ferry_buf_printf(
	        b, "%s@%lld:%s;", source_id, (long long)line,
	        json_string_value(json_object_get(fields, "Name"))),
	    0);
	return 0;
}

static int count_audit(const struct ferry_audit_event *e, void *payload)
{
	(void)e;
	(*(int *)payload)++;
	return 0;
}

static void test_migrates_v1(void **state)
{
	char *dir = test_tmpdir("ws-v1");
	char *dot = ferry_xasprintf("%s/.ferry", dir);
	char *fixture = ferry_xasprintf("%s/tests/fixtures/workspace-v1.sql",
	                                test_source_dir());
	char *path = db_path(dir);
	struct ferry_buf sql = FERRY_BUF_INIT, recs = FERRY_BUF_INIT;
	struct ferry_workspace *ws = NULL;
	struct ferry_ledger_row row, got;
	sqlite3 *db = NULL;
	char *err = NULL;
	int objects = 0, events = 0;

	(void)state;
	assert_int_equal(mkdir(dot, 0700), 0);
	assert_int_equal(test_read_file(&sql, fixture), 0);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql.ptr, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("fixture: %s", err);
	sqlite3_close(db);

	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_workspace_schema_version(ws),
	                 FERRY_WORKSPACE_SCHEMA);
	assert_int_equal(ferry_stage_foreach_object(ws, count_object, &objects),
	                 0);
	assert_int_equal(objects, 1);
	assert_int_equal(
	    ferry_stage_foreach_record(ws, "Account", collect_record, &recs),
	    0);
	assert_string_equal(recs.ptr, "001000000000001AAA@2:Acme;"
	                              "001000000000002AAA@3:Globex;");
	assert_int_equal(
	    ferry_audit_foreach(ws, NULL, NULL, count_audit, &events), 0);
	assert_int_equal(events, 2);
	ferry_buf_clear(&sql);
	assert_int_equal(ferry_workspace_meta_get(ws, "created_by", &sql), 0);
	assert_string_equal(sql.ptr, "ferry 0.0.9");

	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001000000000001AAA");
	row.status = FERRY_LEDGER_WRITTEN;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	assert_int_equal(
	    ferry_ledger_get(&got, ws, "Account", "001000000000001AAA"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_WRITTEN);
	ferry_workspace_free(ws);

	/* Opening again finds nothing to do. */
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_workspace_schema_version(ws),
	                 FERRY_WORKSPACE_SCHEMA);
	ferry_workspace_free(ws);
	ferry_buf_release(&sql);
	ferry_buf_release(&recs);
	free(path);
	free(fixture);
	free(dot);
	free(dir);
}

/* Schema 9 rebuilds the ledger: a held record that schema 8 kept as
 * skipped with a "held:" reason becomes held, the rest is kept as it was,
 * and `op` and ledger_prior arrive empty. */
static void test_migrates_ledger_v8(void **state)
{
	char *dir = test_tmpdir("ws-v8");
	struct ferry_workspace *ws = NULL;
	struct ferry_ledger_row got;
	json_t *prior = NULL;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	raw_exec(dir,
	         "DROP TABLE ledger; DROP TABLE ledger_prior;"
	         "CREATE TABLE ledger (object TEXT NOT NULL, source_id TEXT "
	         "NOT NULL, dest_object TEXT NOT NULL DEFAULT '', dest_id TEXT "
	         "NOT NULL DEFAULT '', payload_hash TEXT NOT NULL DEFAULT '', "
	         "status TEXT NOT NULL CHECK (status IN ('pending', "
	         "'written', 'merged', 'skipped', 'failed')), reason TEXT NOT "
	         "NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, "
	         "http_status INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT "
	         "NULL, PRIMARY KEY (object, source_id)) WITHOUT ROWID;"
	         "INSERT INTO ledger VALUES('Account', 'A1', 'companies', "
	         "'rec-1', 'h1', 'written', '', 1, 200, 't');"
	         "INSERT INTO ledger VALUES('Account', 'A2', 'companies', '', "
	         "'', 'skipped', 'held: Website domain_invalid', 0, 0, 't');"
	         "INSERT INTO ledger VALUES('Account', 'A3', 'companies', '', "
	         "'', 'skipped', 'no name', 0, 0, 't');"
	         "PRAGMA user_version=8;");
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_workspace_schema_version(ws), 9);
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "A1"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(got.dest_id, "rec-1");
	assert_string_equal(got.payload_hash, "h1");
	assert_string_equal(got.op, "");
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "A2"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_HELD);
	assert_string_equal(got.reason, "held: Website domain_invalid");
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "A3"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_SKIPPED);
	assert_int_equal(ferry_ledger_prior_get(&prior, ws, "Account", "A1"),
	                 FERRY_ENOTFOUND);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_nested_transactions(void **state)
{
	char *dir = test_tmpdir("ws-txn");
	struct ferry_workspace *ws = NULL;
	struct ferry_buf v = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);

	/* Inner commit, outer commit: the work lands. */
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_workspace_meta_set(ws, "a", "1"), 0);
	assert_int_equal(ferry_workspace_commit(ws), 0);
	assert_int_equal(ferry_workspace_commit(ws), 0);
	assert_int_equal(ferry_workspace_meta_get(ws, "a", &v), 0);
	assert_string_equal(v.ptr, "1");

	/* A rollback at depth 2 undoes everything; the outer commit then
	 * has nothing to commit. */
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_workspace_meta_set(ws, "b", "1"), 0);
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_workspace_meta_set(ws, "c", "1"), 0);
	ferry_workspace_rollback(ws);
	assert_int_equal(ferry_workspace_commit(ws), FERRY_EDB);
	assert_int_equal(ferry_workspace_meta_get(ws, "b", &v),
	                 FERRY_ENOTFOUND);
	assert_int_equal(ferry_workspace_meta_get(ws, "c", &v),
	                 FERRY_ENOTFOUND);
	assert_string_equal(v.ptr, "1"); /* untouched on failure */

	/* Settings are replaced, not duplicated. */
	assert_int_equal(ferry_workspace_meta_set(ws, "a", "2"), 0);
	assert_int_equal(ferry_workspace_meta_get(ws, "a", &v), 0);
	assert_string_equal(v.ptr, "2");
	ferry_workspace_free(ws);
	ferry_buf_release(&v);
	free(dir);
}

static int collect_fact(const char *name, const char *json, void *payload)
{
	struct ferry_buf *b = payload;

	assert_int_equal(ferry_buf_printf(b, "%s=%s;", name, json), 0);
	return 0;
}

/* Facts are replaced by name, found by prefix (and only by prefix), and
 * survive reopening. */
static void test_facts(void **state)
{
	char *dir = test_tmpdir("ws-facts");
	struct ferry_workspace *ws = NULL;
	struct ferry_buf b = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_facts_put(ws, "sf/describe/Account", "{}"), 0);
	assert_int_equal(ferry_facts_put(ws, "sf/describe/Contact", "[1]"), 0);
	assert_int_equal(
	    ferry_facts_put(ws, "sf/describe/Account", "{\"a\":1}"), 0);
	assert_int_equal(ferry_facts_put(ws, "sf/describeX", "2"), 0);
	assert_int_equal(ferry_facts_put(ws, "sf/limits", "3"), 0);
	ferry_workspace_free(ws);

	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_facts_get(ws, "sf/describe/Account", &b), 0);
	assert_string_equal(b.ptr, "{\"a\":1}");
	assert_int_equal(ferry_facts_get(ws, "sf/nope", &b), FERRY_ENOTFOUND);
	ferry_buf_clear(&b);
	assert_int_equal(
	    ferry_facts_foreach(ws, "sf/describe/", collect_fact, &b), 0);
	assert_string_equal(b.ptr, "sf/describe/Account={\"a\":1};"
	                           "sf/describe/Contact=[1];");
	assert_int_equal(ferry_facts_delete_prefix(ws, "sf/describe/"), 0);
	ferry_buf_clear(&b);
	assert_int_equal(ferry_facts_foreach(ws, "sf/", collect_fact, &b), 0);
	assert_string_equal(b.ptr, "sf/describeX=2;sf/limits=3;");
	ferry_workspace_free(ws);
	ferry_buf_release(&b);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_and_open),
	    cmocka_unit_test(test_init_twice_keeps_config),
	    cmocka_unit_test(test_not_a_workspace),
	    cmocka_unit_test(test_newer_schema_refused),
	    cmocka_unit_test(test_not_sqlite),
	    cmocka_unit_test(test_wal_and_concurrent_reader),
	    cmocka_unit_test(test_migrates_v1),
	    cmocka_unit_test(test_migrates_ledger_v8),
	    cmocka_unit_test(test_nested_transactions),
	    cmocka_unit_test(test_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
