/* audit.c: tests for the audit log: appending, reading back with filters,
 * and the database refusing to rewrite it. */
#include "helpers.h"
#include "util.h"

#include <sqlite3.h>

#include "ferry/workspace.h"

static int collect(const struct ferry_audit_event *e, void *payload)
{
	struct ferry_buf *b = payload;

	assert_true(e->seq > 0);
	assert_true(strlen(e->at) > 20);
	assert_int_equal(ferry_buf_printf(b, "%s/%s/%s/%s/%s;", e->stage,
	                                  e->object, e->source_id, e->event,
	                                  e->detail),
	                 0);
	return 0;
}

/* Runs `sql` on a second connection to the same file; returns the SQLite
 * result and leaves the message in `err`. */
static int raw_exec(const char *dir, const char *sql, char *err, size_t len)
{
	char *path = ferry_xasprintf("%s/.ferry/state.db", dir);
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	snprintf(err, len, "%s", msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(db);
	free(path);
	return rc;
}

static void test_append_and_filter(void **state)
{
	char *dir = test_tmpdir("audit");
	struct ferry_workspace *ws = NULL;
	struct ferry_buf b = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_audit_append(ws, "extract", "Account", NULL,
	                                    "staged", "3 records"),
	                 0);
	assert_int_equal(ferry_audit_append(ws, "load", "Account", "001A",
	                                    "written", "rec-1"),
	                 0);
	assert_int_equal(
	    ferry_audit_append(ws, "load", "Contact", "003A", "failed", NULL),
	    0);
	assert_int_equal(ferry_audit_append(ws, "load", "Account", "001B",
	                                    "written", "rec-2"),
	                 0);
	assert_int_equal(ferry_audit_append(ws, "load", NULL, NULL, "", NULL),
	                 FERRY_EINVALID);

	assert_int_equal(ferry_audit_foreach(ws, NULL, NULL, collect, &b), 0);
	assert_string_equal(b.ptr, "extract/Account//staged/3 records;"
	                           "load/Account/001A/written/rec-1;"
	                           "load/Contact/003A/failed/;"
	                           "load/Account/001B/written/rec-2;");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_audit_foreach(ws, "Account", NULL, collect, &b),
	                 0);
	assert_string_equal(b.ptr, "extract/Account//staged/3 records;"
	                           "load/Account/001A/written/rec-1;"
	                           "load/Account/001B/written/rec-2;");
	ferry_buf_clear(&b);
	assert_int_equal(
	    ferry_audit_foreach(ws, "Account", "001B", collect, &b), 0);
	assert_string_equal(b.ptr, "load/Account/001B/written/rec-2;");
	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_append_only(void **state)
{
	char *dir = test_tmpdir("audit-ro");
	struct ferry_workspace *ws = NULL;
	struct ferry_buf b = FERRY_BUF_INIT;
	char err[256];

	(void)state;
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	assert_int_equal(ferry_audit_append(ws, "load", "Account", "001A",
	                                    "written", "rec-1"),
	                 0);

	assert_int_equal(raw_exec(dir, "UPDATE audit SET detail = 'forged'",
	                          err, sizeof(err)),
	                 SQLITE_CONSTRAINT);
	assert_string_equal(err, "the audit log is append-only");
	assert_int_equal(raw_exec(dir, "DELETE FROM audit", err, sizeof(err)),
	                 SQLITE_CONSTRAINT);
	assert_string_equal(err, "the audit log is append-only");
	/* Appending through SQL is still fine. */
	assert_int_equal(raw_exec(dir,
	                          "INSERT INTO audit(at, event) VALUES('t', "
	                          "'note')",
	                          err, sizeof(err)),
	                 SQLITE_OK);

	assert_int_equal(ferry_audit_foreach(ws, "Account", NULL, collect, &b),
	                 0);
	assert_string_equal(b.ptr, "load/Account/001A/written/rec-1;");
	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_and_filter),
	    cmocka_unit_test(test_append_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
