/* ledger.c: tests for the ledger: rows in and out, replacement, counts per
 * staged object and the commonest reasons. */
#include "helpers.h"
#include "util.h"

#include "ferry/workspace.h"

static struct ferry_workspace *open_fresh(const char *name, char **dir_out)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	*dir_out = dir;
	return ws;
}

static void put(struct ferry_workspace *ws, const char *object, const char *id,
                enum ferry_ledger_status status, const char *reason)
{
	struct ferry_ledger_row row;

	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "%s", object);
	snprintf(row.source_id, sizeof(row.source_id), "%s", id);
	snprintf(row.dest_object, sizeof(row.dest_object), "companies");
	snprintf(row.reason, sizeof(row.reason), "%s", reason);
	row.status = status;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
}

static void stage(struct ferry_workspace *ws, const char *object, int n)
{
	struct ferry_stage *st = NULL;
	char id[32];
	int i;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "x.csv"), 0);
	for (i = 0; i < n; i++) {
		json_t *r = json_object();

		snprintf(id, sizeof(id), "%s-%d", object, i);
		assert_int_equal(ferry_stage_add(st, id, i + 2, r), 0);
		json_decref(r);
	}
	assert_int_equal(ferry_stage_commit(st, NULL), 0);
}

static void test_put_get_replace(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("ledger-put", &dir);
	struct ferry_ledger_row row, got;

	(void)state;
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "001A"),
	                 FERRY_ENOTFOUND);

	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001A");
	snprintf(row.dest_object, sizeof(row.dest_object), "companies");
	snprintf(row.payload_hash, sizeof(row.payload_hash), "%064d", 7);
	row.status = FERRY_LEDGER_PENDING;
	row.attempts = 1;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "001A"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_PENDING);
	assert_string_equal(got.payload_hash, row.payload_hash);
	assert_string_equal(got.dest_id, "");
	assert_int_equal(got.attempts, 1);
	assert_true(strlen(got.updated_at) > 20);

	snprintf(row.dest_id, sizeof(row.dest_id), "rec-123");
	row.status = FERRY_LEDGER_WRITTEN;
	row.attempts = 2;
	row.http_status = 200;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "001A"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(got.dest_id, "rec-123");
	assert_string_equal(got.dest_object, "companies");
	assert_int_equal(got.attempts, 2);
	assert_int_equal(got.http_status, 200);

	row.status = (enum ferry_ledger_status)42;
	assert_int_equal(ferry_ledger_put(ws, &row), FERRY_EINVALID);
	assert_string_equal(ferry_ledger_status_name(FERRY_LEDGER_SKIPPED),
	                    "skipped");
	assert_string_equal(
	    ferry_ledger_status_name((enum ferry_ledger_status)42), "unknown");
	ferry_workspace_free(ws);
	free(dir);
}

static void test_counts(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("ledger-counts", &dir);
	struct ferry_ledger_count *c = NULL;
	struct ferry_stage *st = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(ferry_ledger_counts(&c, &n, ws), 0);
	assert_int_equal(n, 0);
	free(c);

	stage(ws, "Contact", 4);
	stage(ws, "Account", 3);
	/* A staging in progress is not counted. */
	assert_int_equal(ferry_stage_begin(&st, ws, "Lead", "Lead.csv"), 0);
	put(ws, "Account", "a1", FERRY_LEDGER_WRITTEN, "");
	put(ws, "Account", "a2", FERRY_LEDGER_WRITTEN, "");
	put(ws, "Account", "a3", FERRY_LEDGER_FAILED, "bad domain");
	put(ws, "Contact", "c1", FERRY_LEDGER_SKIPPED, "no email");
	put(ws, "Opportunity", "o1", FERRY_LEDGER_WRITTEN, "");
	ferry_stage_abort(st); /* takes the puts with it: they were inside */
	put(ws, "Account", "a1", FERRY_LEDGER_WRITTEN, "");
	put(ws, "Account", "a2", FERRY_LEDGER_WRITTEN, "");
	put(ws, "Account", "a3", FERRY_LEDGER_FAILED, "bad domain");
	put(ws, "Contact", "c1", FERRY_LEDGER_SKIPPED, "no email");
	put(ws, "Opportunity", "o1", FERRY_LEDGER_WRITTEN, "");

	assert_int_equal(ferry_ledger_counts(&c, &n, ws), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].object, "Account");
	assert_int_equal(c[0].staged, 3);
	assert_int_equal(c[0].by_status[FERRY_LEDGER_WRITTEN], 2);
	assert_int_equal(c[0].by_status[FERRY_LEDGER_FAILED], 1);
	assert_int_equal(c[0].by_status[FERRY_LEDGER_PENDING], 0);
	assert_string_equal(c[1].object, "Contact");
	assert_int_equal(c[1].staged, 4);
	assert_int_equal(c[1].by_status[FERRY_LEDGER_SKIPPED], 1);
	assert_int_equal(c[1].by_status[FERRY_LEDGER_WRITTEN], 0);
	free(c);
	ferry_workspace_free(ws);
	free(dir);
}

static int collect(const char *reason, int64_t count, void *payload)
{
	struct ferry_buf *b = payload;

	assert_int_equal(
	    ferry_buf_printf(b, "%s=%lld;", reason, (long long)count), 0);
	return 0;
}

static int stop_early(const char *reason, int64_t count, void *payload)
{
	(void)reason;
	(void)count;
	(*(int *)payload)++;
	return 7;
}

static void test_top_reasons(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("ledger-reasons", &dir);
	struct ferry_buf b = FERRY_BUF_INIT;
	int calls = 0;

	(void)state;
	put(ws, "Contact", "c1", FERRY_LEDGER_FAILED, "invalid email");
	put(ws, "Contact", "c2", FERRY_LEDGER_FAILED, "invalid email");
	put(ws, "Contact", "c3", FERRY_LEDGER_FAILED, "invalid email");
	put(ws, "Contact", "c4", FERRY_LEDGER_FAILED, "phone too long");
	put(ws, "Contact", "c5", FERRY_LEDGER_FAILED, "bad country");
	put(ws, "Contact", "c6", FERRY_LEDGER_FAILED, "bad country");
	put(ws, "Contact", "c7", FERRY_LEDGER_SKIPPED, "no email");
	put(ws, "Account", "a1", FERRY_LEDGER_FAILED, "invalid email");

	assert_int_equal(ferry_ledger_top_reasons(ws, "Contact",
	                                          FERRY_LEDGER_FAILED, 2,
	                                          collect, &b),
	                 0);
	assert_string_equal(b.ptr, "invalid email=3;bad country=2;");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_ledger_top_reasons(ws, "Contact",
	                                          FERRY_LEDGER_SKIPPED, 5,
	                                          collect, &b),
	                 0);
	assert_string_equal(b.ptr, "no email=1;");
	assert_int_equal(ferry_ledger_top_reasons(ws, "Contact",
	                                          FERRY_LEDGER_FAILED, 5,
	                                          stop_early, &calls),
	                 7);
	assert_int_equal(calls, 1);
	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

/* What a write did travels with its row; the values before ferry's first
 * update are kept once: a second capture (a re-run, after ferry's own
 * write) must not replace them, or rollback would restore ferry's values. */
static void test_op_and_prior(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("ledger-prior", &dir);
	struct ferry_ledger_row row, got;
	json_t *before = json_pack("{s:[{s:s}]}", "name", "value", "Acme Inc");
	json_t *after = json_pack("{s:[{s:s}]}", "name", "value", "Acme");
	json_t *prior = NULL;

	(void)state;
	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001A");
	snprintf(row.dest_id, sizeof(row.dest_id), "rec-1");
	snprintf(row.op, sizeof(row.op), "updated");
	row.status = FERRY_LEDGER_WRITTEN;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "001A"), 0);
	assert_string_equal(got.op, "updated");

	snprintf(row.op, sizeof(row.op), "deleted-it");
	assert_int_equal(ferry_ledger_put(ws, &row), FERRY_EINVALID);
	snprintf(row.op, sizeof(row.op), "created");
	row.status = FERRY_LEDGER_ROLLED_BACK;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	assert_int_equal(ferry_ledger_get(&got, ws, "Account", "001A"), 0);
	assert_int_equal(got.status, FERRY_LEDGER_ROLLED_BACK);
	assert_string_equal(ferry_ledger_status_name(got.status),
	                    "rolled_back");

	assert_int_equal(ferry_ledger_prior_get(&prior, ws, "Account", "001A"),
	                 FERRY_ENOTFOUND);
	assert_int_equal(ferry_ledger_prior_put(ws, "Account", "001A",
	                                        "companies", "rec-1", before),
	                 0);
	assert_int_equal(ferry_ledger_prior_put(ws, "Account", "001A",
	                                        "companies", "rec-1", after),
	                 0);
	assert_int_equal(ferry_ledger_prior_get(&prior, ws, "Account", "001A"),
	                 0);
	assert_true(json_equal(prior, before));
	json_decref(prior);
	json_decref(before);
	json_decref(after);
	ferry_workspace_free(ws);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_get_replace),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_top_reasons),
	    cmocka_unit_test(test_op_and_prior),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
