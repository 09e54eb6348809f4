/* mapping_draft.c: tests that the mapping `ferry analyze` drafts is one
 * the mapfile loader (and so `ferry plan`) accepts, whatever was staged:
 * objects with no record at all (with and without a describe), objects
 * whose matching field is never filled, and a whole org of empty
 * objects. */
#include "helpers.h"
#include "util.h"

#include "ferry/analyze.h"
#include "ferry/export.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

static struct ferry_workspace *fresh(const char *name, char **dir_out)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	*dir_out = dir;
	return ws;
}

/* Stages `object` from "Id|k=v|k=v" lines; n may be 0. */
static void stage(struct ferry_workspace *ws, const char *object,
                  const char *const *rows, size_t n)
{
	struct ferry_stage *st = NULL;
	size_t i;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; i < n; i++) {
		char *copy = ferry_xstrdup(rows[i]), *p, *next, *eq;
		json_t *rec = json_object();

		next = strchr(copy, '|');
		if (next)
			*next++ = '\0';
		json_object_set_new(rec, "Id", json_string(copy));
		for (p = next; p; p = next) {
			next = strchr(p, '|');
			if (next)
				*next++ = '\0';
			eq = strchr(p, '=');
			assert_non_null(eq);
			*eq = '\0';
			json_object_set_new(rec, p, json_string(eq + 1));
		}
		assert_int_equal(ferry_stage_add(st, copy, (int64_t)i + 2, rec),
		                 0);
		json_decref(rec);
		free(copy);
	}
	assert_int_equal(ferry_stage_commit(st, NULL), 0);
}

#define STAGE(ws, object, ...)                                                 \
	do {                                                                   \
		static const char *const rows_[] = {__VA_ARGS__};              \
		stage(ws, object, rows_, FERRY_ARRAY_LEN(rows_));              \
	} while (0)
#define STAGE_EMPTY(ws, object) stage(ws, object, NULL, 0)

#define FIELD(name, type)                                                      \
	"{\"name\":\"" name "\",\"label\":\"" name "\",\"type\":\"" type "\"," \
	"\"calculated\":false,\"referenceTo\":[]}"
#define REF(name, to)                                                          \
	"{\"name\":\"" name "\",\"label\":\"" name                             \
	"\",\"type\":\"reference\",\"calculated\":false,\"referenceTo\":["     \
	"\"" to "\"]}"

static void describe(struct ferry_workspace *ws, const char *object,
                     const char *fields)
{
	char *name = ferry_xasprintf("salesforce/describe/%s", object);
	char *json = ferry_xasprintf(
	    "{\"name\":\"%s\",\"label\":\"%s\",\"fields\":[%s]}", object,
	    object, fields);

	assert_int_equal(ferry_facts_put(ws, name, json), 0);
	free(name);
	free(json);
}

/* The API extract's facts: describes of the standard objects. */
static void describe_org(struct ferry_workspace *ws)
{
	assert_int_equal(
	    ferry_facts_put(
	        ws, "salesforce/describeGlobal",
	        "{\"sobjects\":[{\"name\":\"Account\",\"keyPrefix\":\"001\"},"
	        "{\"name\":\"Contact\",\"keyPrefix\":\"003\"},"
	        "{\"name\":\"Lead\",\"keyPrefix\":\"00Q\"},"
	        "{\"name\":\"Opportunity\",\"keyPrefix\":\"006\"},"
	        "{\"name\":\"Task\",\"keyPrefix\":\"00T\"},"
	        "{\"name\":\"Note\",\"keyPrefix\":\"002\"}]}"),
	    0);
	describe(ws, "Account",
	         FIELD("Id", "id") "," FIELD("Name", "string") "," FIELD(
	             "Website", "url") "," REF("ParentId", "Account"));
	describe(ws, "Contact",
	         FIELD("Id", "id") "," FIELD("LastName", "string") "," FIELD(
	             "Email", "email") "," REF("AccountId", "Account"));
	describe(ws, "Lead",
	         FIELD("Id", "id") "," FIELD("LastName", "string") "," FIELD(
	             "Email", "email") "," FIELD("Status", "picklist"));
	describe(ws, "Opportunity",
	         FIELD("Id", "id") "," FIELD("Name", "string") "," REF(
	             "AccountId", "Account"));
	describe(ws, "Task",
	         FIELD("Id", "id") "," FIELD("Subject", "string") "," REF(
	             "WhatId", "Account"));
	describe(ws, "Note",
	         FIELD("Id", "id") "," FIELD("Title", "string") "," FIELD(
	             "Body", "textarea") "," REF("ParentId", "Account"));
	assert_int_equal(
	    ferry_facts_put(ws, "salesforce/extract",
	                    "{\"instance_url\":\"https://acme.my.salesforce."
	                    "com\",\"api_version\":\"66.0\",\"finished_at\":"
	                    "\"2026-11-23T09:00:00Z\",\"objects\":{}}"),
	    0);
}

/* Analyzes offline, drafts mapping.yaml and loads it with the loader
 * `ferry plan` uses; fails with the loader's message and the draft. */
static struct ferry_mapfile *draft_and_load(struct ferry_workspace *ws,
                                            const char *dir)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_mapfile *m = NULL;
	struct ferry_buf text = FERRY_BUF_INIT;
	json_t *report = NULL;
	char *path = ferry_xasprintf("%s/mapping.yaml", dir);

	if (ferry_analyze_run(&report, ws, &o) < 0)
		fail_msg("analyze: %s", ferry_error_last());
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	assert_int_equal(test_read_file(&text, path), 0);
	if (ferry_mapfile_load(&m, path) < 0)
		fail_msg("the draft does not load: %s\n%s", ferry_error_last(),
		         text.ptr);
	assert_non_null(m);
	ferry_buf_release(&text);
	json_decref(report);
	free(path);
	return m;
}

static const struct ferry_mapfile_object *
must_object(const struct ferry_mapfile *m, const char *name)
{
	const struct ferry_mapfile_object *o = ferry_mapfile_object(m, name);

	if (!o)
		fail_msg("no object %s in the draft", name);
	return o;
}

/* A CSV export: Contact and Opportunity have a file with no rows, so no
 * column is known either. */
static void test_empty_objects_csv(void **state)
{
	char *dir;
	struct ferry_workspace *ws = fresh("draft-empty-csv", &dir);
	struct ferry_mapfile *m;
	const struct ferry_mapfile_object *o;

	(void)state;
	STAGE(ws, "Account", "001A00000000001AAA|Name=Acme|Website=acme.com",
	      "001A00000000002AAA|Name=Beta|Website=beta.io");
	STAGE_EMPTY(ws, "Contact");
	STAGE_EMPTY(ws, "Opportunity");
	STAGE_EMPTY(ws, "Task");
	m = draft_and_load(ws, dir);
	o = must_object(m, "Account");
	assert_string_equal(o->to, "companies");
	assert_string_equal(o->match, "domains");
	/* an empty object is still drafted where it goes, unmatched */
	o = must_object(m, "Contact");
	assert_string_equal(o->to, "people");
	assert_null(o->match);
	o = must_object(m, "Opportunity");
	assert_string_equal(o->to, "deals");
	assert_null(o->match);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	free(dir);
}

/* An API extract: describes say what the fields are, but every object
 * has 0 records, so no field is staged: nothing is matched on, and the
 * draft says what to do once there are records. */
static void test_empty_objects_described(void **state)
{
	char *dir;
	struct ferry_workspace *ws = fresh("draft-empty-api", &dir);
	struct ferry_buf text = FERRY_BUF_INIT;
	struct ferry_mapfile *m;
	char *path;
	static const char *const names[] = {"Account", "Contact", "Lead",
	                                    "Opportunity"};
	size_t i;

	(void)state;
	describe_org(ws);
	STAGE_EMPTY(ws, "Account");
	STAGE_EMPTY(ws, "Contact");
	STAGE_EMPTY(ws, "Lead");
	STAGE_EMPTY(ws, "Opportunity");
	STAGE_EMPTY(ws, "Task");
	STAGE_EMPTY(ws, "Note");
	m = draft_and_load(ws, dir);
	for (i = 0; i < FERRY_ARRAY_LEN(names); i++) {
		assert_int_equal(must_object(m, names[i])->kind,
		                 FERRY_MF_RECORDS);
		assert_null(must_object(m, names[i])->match);
	}
	assert_int_equal(must_object(m, "Note")->kind, FERRY_MF_NOTES);
	assert_int_equal(must_object(m, "Task")->kind, FERRY_MF_NOTES);
	path = ferry_xasprintf("%s/mapping.yaml", dir);
	assert_int_equal(test_read_file(&text, path), 0);
	assert_non_null(strstr(
	    text.ptr, "  Account:\n    to: companies\n    match: null   # no "
	              "field goes to domains (0 records staged): once Website "
	              "is staged, run ferry analyze again, or map Website to "
	              "domains and set match: domains\n"));
	assert_non_null(strstr(text.ptr, "  Opportunity:\n    to: deals\n"
	                                 "    match: null   # no field goes to "
	                                 "salesforce_id (0 records staged): "
	                                 "once Id is staged"));
	ferry_buf_release(&text);
	free(path);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	free(dir);
}

/* Records, but the matching field is never filled (and, without a
 * describe, not even a column): the draft does not match on it. */
static void test_match_field_never_filled(void **state)
{
	char *dir;
	struct ferry_workspace *ws = fresh("draft-no-match-field", &dir);
	struct ferry_mapfile *m;
	const struct ferry_mapfile_object *o;

	(void)state;
	STAGE(ws, "Account", "001A00000000001AAA|Name=Acme",
	      "001A00000000002AAA|Name=Beta");
	STAGE(ws, "Contact", "003A00000000001AAA|LastName=One|Email=",
	      "003A00000000002AAA|LastName=Two|Email=");
	m = draft_and_load(ws, dir);
	assert_null(must_object(m, "Account")->match);
	/* the column is there, empty: mapped, so matching stays on */
	o = must_object(m, "Contact");
	assert_non_null(ferry_mapfile_field(o, "Email"));
	assert_string_equal(o->match, "email_addresses");
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	free(dir);
}

/* The sample CSV export, with an Opportunity file that has no rows. */
static void test_sample_org(void **state)
{
	char *dir, *src;
	struct ferry_workspace *ws = fresh("draft-sample", &dir);
	struct ferry_mapfile *m;

	(void)state;
	src = ferry_xasprintf("%s/examples/sample-org", test_source_dir());
	if (ferry_export_stage(ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	STAGE_EMPTY(ws, "Opportunity");
	m = draft_and_load(ws, dir);
	assert_string_equal(must_object(m, "Account")->match, "domains");
	assert_string_equal(must_object(m, "Contact")->match,
	                    "email_addresses");
	assert_null(must_object(m, "Opportunity")->match);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	free(src);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_objects_csv),
	    cmocka_unit_test(test_empty_objects_described),
	    cmocka_unit_test(test_match_field_never_filled),
	    cmocka_unit_test(test_sample_org),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
