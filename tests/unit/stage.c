/* stage.c: tests for staging: all-or-nothing objects, duplicate ids,
 * record order and a large staging. */
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

static json_t *record(const char *id, const char *name)
{
	return json_pack("{s:s, s:s}", "Id", id, "Name", name);
}

static void add(struct ferry_stage *st, const char *id, int64_t line,
                const char *name)
{
	json_t *r = record(id, name);

	assert_int_equal(ferry_stage_add(st, id, line, r), 0);
	json_decref(r);
}

static int list_objects(const struct ferry_staged_object *o, void *payload)
{
	struct ferry_buf *b = payload;

	assert_int_equal(ferry_buf_printf(b, "%s=%lld(%s);", o->object,
	                                  (long long)o->count, o->origin),
	                 0);
	return 0;
}

static int list_records(const char *source_id, int64_t line, json_t *fields,
                        void *payload)
{
	struct ferry_buf *b = payload;

	assert_int_equal(
	    ferry_buf_printf(
	        b, "%s@%lld:%s;", source_id, (long long)line,
	        json_string_value(json_object_get(fields, "Name"))),
	    0);
	return 0;
}

static void test_commit_and_order(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("stage-commit", &dir);
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_stage *st = NULL;
	int64_t count = -1;
	json_t *got = NULL;

	(void)state;
	assert_int_equal(ferry_stage_begin(&st, ws, "Contact", "Contact.csv"),
	                 0);
	add(st, "003C", 9, "Carol");
	add(st, "003A", 2, "Alice");
	add(st, "003B", 5, "Bob");
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, 3);

	assert_int_equal(
	    ferry_stage_foreach_record(ws, "Contact", list_records, &b), 0);
	assert_string_equal(b.ptr, "003A@2:Alice;003B@5:Bob;003C@9:Carol;");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_stage_foreach_object(ws, list_objects, &b), 0);
	assert_string_equal(b.ptr, "Contact=3(Contact.csv);");

	assert_int_equal(ferry_stage_get(&got, ws, "Contact", "003B"), 0);
	assert_string_equal(json_string_value(json_object_get(got, "Name")),
	                    "Bob");
	json_decref(got);
	got = NULL;
	assert_int_equal(ferry_stage_get(&got, ws, "Contact", "nope"),
	                 FERRY_ENOTFOUND);
	assert_null(got);

	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_abort_keeps_previous(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("stage-abort", &dir);
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_stage *st = NULL, *other = NULL;

	(void)state;
	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "v1.csv"), 0);
	add(st, "001A", 2, "Acme");
	assert_int_equal(ferry_stage_commit(st, NULL), 0);

	/* A second staging that fails half way leaves the first intact. */
	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "v2.csv"), 0);
	add(st, "001X", 2, "Initech");
	add(st, "001Y", 3, "Hooli");
	ferry_stage_abort(st);
	ferry_stage_abort(NULL);

	assert_int_equal(
	    ferry_stage_foreach_record(ws, "Account", list_records, &b), 0);
	assert_string_equal(b.ptr, "001A@2:Acme;");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_stage_foreach_object(ws, list_objects, &b), 0);
	assert_string_equal(b.ptr, "Account=1(v1.csv);");

	/* An object first staged and aborted does not appear at all. */
	assert_int_equal(ferry_stage_begin(&other, ws, "Lead", "Lead.csv"), 0);
	add(other, "00QA", 2, "Lead A");
	ferry_stage_abort(other);
	ferry_buf_clear(&b);
	assert_int_equal(ferry_stage_foreach_object(ws, list_objects, &b), 0);
	assert_string_equal(b.ptr, "Account=1(v1.csv);");

	/* A staging in progress is not listed, even to its own writer. */
	assert_int_equal(ferry_stage_begin(&other, ws, "Lead", "Lead.csv"), 0);
	add(other, "00QA", 2, "Lead A");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_stage_foreach_object(ws, list_objects, &b), 0);
	assert_string_equal(b.ptr, "Account=1(v1.csv);");
	assert_int_equal(ferry_stage_commit(other, NULL), 0);

	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_nested_in_caller_transaction(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("stage-nested", &dir);
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_stage *st = NULL;

	(void)state;
	assert_int_equal(ferry_workspace_begin(ws), 0);
	assert_int_equal(ferry_workspace_meta_set(ws, "before", "yes"), 0);
	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "a.csv"), 0);
	add(st, "001A", 2, "Acme");
	ferry_stage_abort(st);
	/* The caller's own work survived the aborted staging. */
	assert_int_equal(ferry_stage_begin(&st, ws, "Contact", "c.csv"), 0);
	add(st, "003A", 2, "Alice");
	assert_int_equal(ferry_stage_commit(st, NULL), 0);
	assert_int_equal(ferry_workspace_commit(ws), 0);

	assert_int_equal(ferry_workspace_meta_get(ws, "before", &b), 0);
	assert_string_equal(b.ptr, "yes");
	ferry_buf_clear(&b);
	assert_int_equal(ferry_stage_foreach_object(ws, list_objects, &b), 0);
	assert_string_equal(b.ptr, "Contact=1(c.csv);");
	ferry_buf_release(&b);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_duplicate_id(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("stage-dup", &dir);
	struct ferry_stage *st = NULL;
	json_t *r = record("001A", "Again");

	(void)state;
	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "a.csv"), 0);
	add(st, "001A", 4, "Acme");
	add(st, "001B", 5, "Globex");
	assert_int_equal(ferry_stage_add(st, "001A", 9, r), FERRY_ECONFLICT);
	assert_string_equal(ferry_error_last(),
	                    "duplicate Id '001A' in Account (lines 4 and 9)");
	/* The staging is still usable; the caller decides. */
	add(st, "001C", 10, "Initech");
	ferry_stage_abort(st);

	assert_int_equal(ferry_stage_begin(&st, ws, "Account", "a.csv"), 0);
	assert_int_equal(ferry_stage_add(st, "", 2, r), FERRY_EINVALID);
	assert_int_equal(ferry_stage_add(st, "x", 2, NULL), FERRY_EINVALID);
	ferry_stage_abort(st);
	assert_int_equal(ferry_stage_begin(&st, ws, "", "a.csv"),
	                 FERRY_EINVALID);
	assert_null(st);
	json_decref(r);
	ferry_workspace_free(ws);
	free(dir);
}

struct counter {
	int64_t n, last_line;
};

static int count_records(const char *source_id, int64_t line, json_t *fields,
                         void *payload)
{
	struct counter *c = payload;

	(void)source_id;
	(void)fields;
	assert_true(line > c->last_line);
	c->last_line = line;
	c->n++;
	return 0;
}

static void test_large_staging(void **state)
{
	char *dir;
	struct ferry_workspace *ws = open_fresh("stage-large", &dir);
	struct ferry_stage *st = NULL;
	struct counter c = {0, 0};
	int64_t count = 0, i, t0 = ferry_clock_mono_us();
	char id[32], name[32];

	(void)state;
	assert_int_equal(ferry_stage_begin(&st, ws, "Contact", "big.csv"), 0);
	for (i = 0; i < 20000; i++) {
		json_t *r;

		snprintf(id, sizeof(id), "003%015lld", (long long)i);
		snprintf(name, sizeof(name), "Person %lld", (long long)i);
		r = json_pack("{s:s, s:s, s:s, s:s}", "Id", id, "Name", name,
		              "Email", "someone@example.com", "Phone",
		              "+1 555 0100");
		assert_int_equal(ferry_stage_add(st, id, i + 2, r), 0);
		json_decref(r);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, 20000);
	assert_int_equal(
	    ferry_stage_foreach_record(ws, "Contact", count_records, &c), 0);
	assert_int_equal(c.n, 20000);
	print_message("staged and read 20,000 records in %.2f s\n",
	              (double)(ferry_clock_mono_us() - t0) / 1e6);
	ferry_workspace_free(ws);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_and_order),
	    cmocka_unit_test(test_abort_keeps_previous),
	    cmocka_unit_test(test_nested_in_caller_transaction),
	    cmocka_unit_test(test_duplicate_id),
	    cmocka_unit_test(test_large_staging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
