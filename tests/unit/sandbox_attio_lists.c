/* sandbox_attio_lists.c: lists and their entries, notes and tasks in the
 * Attio sandbox: every endpoint's success and error shapes, parents that
 * must exist, assert by parent (one entry or multiple_match_results), the
 * parent that cannot change, PATCH against PUT on entries, paging limits,
 * task filters, and a record's delete taking its entries and notes. */
#include "helpers.h"
#include "util.h"

#include "sandbox_attio_call.h"

static struct test_sandbox sb;
static char company[64], person[64];

static int setup(void **state)
{
	const char *extra[] = {"--write-rate", "0", "--read-rate", "0", NULL};
	struct reply r;

	FERRY_UNUSED(state);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (test_sandbox_start(&sb, "attio", extra) < 0)
		return -1;
	call(&sb, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"lists.test\"]}}}", &r);
	snprintf(company, sizeof(company), "%s", record_id(&r));
	reply_free(&r);
	call(&sb, "POST", "/v2/objects/people/records",
	     "{\"data\":{\"values\":{\"email_addresses\":[\"ann@lists.test\"]}"
	     "}}",
	     &r);
	snprintf(person, sizeof(person), "%s", record_id(&r));
	reply_free(&r);
	return 0;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&sb);
	curl_global_cleanup();
	return 0;
}

static void expect(const char *method, const char *path, const char *body,
                   long status, const char *code)
{
	struct reply r;

	call(&sb, method, path, body, &r);
	if (status == 200)
		assert_ok(&r);
	else
		assert_error(&r, status,
		             status == 403 ? "auth_error"
		                           : "invalid_request_error",
		             code);
	reply_free(&r);
}

static size_t data_size(const char *method, const char *path, const char *body)
{
	struct reply r;
	size_t n;

	call(&sb, method, path, body, &r);
	assert_ok(&r);
	n = json_array_size(json_object_get(r.json, "data"));
	reply_free(&r);
	return n;
}

static void test_lists(void **state)
{
	struct reply r;

	FERRY_UNUSED(state);
	call(&sb, "POST", "/v2/lists",
	     "{\"data\":{\"name\":\"Enterprise Sales\",\"api_slug\":"
	     "\"enterprise_sales\",\"parent_object\":\"companies\","
	     "\"workspace_access\":\"full-access\","
	     "\"workspace_member_access\":[]}}",
	     &r);
	assert_ok(&r);
	assert_string_equal(json_string_value(json_array_get(
	                        json_object_get(json_object_get(r.json, "data"),
	                                        "parent_object"),
	                        0)),
	                    "companies");
	assert_non_null(data_id(&r, "list_id"));
	reply_free(&r);
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"Again\",\"api_slug\":"
	       "\"enterprise_sales\",\"parent_object\":\"companies\","
	       "\"workspace_access\":\"full-access\","
	       "\"workspace_member_access\":[]}}",
	       409, "slug_conflict");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"P\",\"api_slug\":\"p\",\"parent_object\":"
	       "\"nope\",\"workspace_access\":\"full-access\","
	       "\"workspace_member_access\":[]}}",
	       404, "not_found");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"P\",\"api_slug\":\"p\",\"parent_object\":"
	       "\"people\",\"workspace_access\":null,"
	       "\"workspace_member_access\":[]}}",
	       403, "billing_error");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"P\",\"api_slug\":\"p\",\"parent_object\":"
	       "\"people\",\"workspace_access\":\"read-only\","
	       "\"workspace_member_access\":[{\"workspace_member_id\":"
	       "\"00000000-0000-4000-8000-000000000000\",\"level\":"
	       "\"full-access\"}]}}",
	       400, "value_not_found");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"P\",\"api_slug\":\"p\",\"parent_object\":"
	       "\"people\"}}",
	       400, "validation_type");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"Hiring\",\"api_slug\":\"hiring\","
	       "\"parent_object\":\"people\",\"workspace_access\":"
	       "\"read-and-write\",\"workspace_member_access\":[]}}",
	       403, "billing_error");
	expect("POST", "/v2/lists",
	       "{\"data\":{\"name\":\"Hiring\",\"api_slug\":\"hiring\","
	       "\"parent_object\":\"people\",\"workspace_access\":"
	       "\"full-access\",\"workspace_member_access\":[]}}",
	       200, NULL);
	assert_int_equal(data_size("GET", "/v2/lists", NULL), 2);
	expect("GET", "/v2/lists/hiring", NULL, 200, NULL);
	expect("GET", "/v2/lists/nope", NULL, 404, "not_found");
	expect("PATCH", "/v2/lists/hiring",
	       "{\"data\":{\"name\":\"Hiring 2\"}}", 200, NULL);
	expect("PATCH", "/v2/lists/hiring",
	       "{\"data\":{\"parent_object\":\"companies\"}}", 400,
	       "validation_type");
	expect("PATCH", "/v2/lists/hiring", "{\"data\":{}}", 400,
	       "validation_type");

	/* list attributes, a status among them (lists may have one) */
	expect("POST", "/v2/lists/enterprise_sales/attributes",
	       "{\"data\":{\"title\":\"Stage\",\"description\":null,"
	       "\"api_slug\":\"stage\",\"type\":\"status\",\"is_required\":"
	       "false,\"is_unique\":false,\"is_multiselect\":false,"
	       "\"config\":{}}}",
	       200, NULL);
	expect("POST", "/v2/lists/enterprise_sales/attributes/stage/statuses",
	       "{\"data\":{\"title\":\"Qualified\"}}", 200, NULL);
	expect("POST", "/v2/lists/enterprise_sales/attributes",
	       "{\"data\":{\"title\":\"Regions\",\"description\":null,"
	       "\"api_slug\":\"regions\",\"type\":\"select\",\"is_required\":"
	       "false,\"is_unique\":false,\"is_multiselect\":true,"
	       "\"config\":{}}}",
	       200, NULL);
	expect("POST", "/v2/lists/enterprise_sales/attributes/regions/options",
	       "{\"data\":{\"title\":\"EMEA\"}}", 200, NULL);
	expect("POST", "/v2/lists/enterprise_sales/attributes/regions/options",
	       "{\"data\":{\"title\":\"APAC\"}}", 200, NULL);
	assert_int_equal(
	    data_size("GET", "/v2/lists/enterprise_sales/attributes", NULL), 2);
}

static void test_entries(void **state)
{
	struct reply r;
	char body[512], path[256], entry[64];
	json_t *reg;

	FERRY_UNUSED(state);
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"parent_object\":"
	         "\"companies\",\"entry_values\":{\"stage\":\"Qualified\","
	         "\"regions\":[\"EMEA\"]}}}",
	         company);
	call(&sb, "PUT", "/v2/lists/enterprise_sales/entries", body, &r);
	assert_ok(&r);
	snprintf(entry, sizeof(entry), "%s", data_id(&r, "entry_id"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "parent_record_id")),
	    company);
	reply_free(&r);
	/* asserting again finds the same entry, multiselects overwritten */
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"parent_object\":"
	         "\"companies\",\"entry_values\":{\"regions\":[\"APAC\"]}}}",
	         company);
	call(&sb, "PUT", "/v2/lists/enterprise_sales/entries", body, &r);
	assert_string_equal(data_id(&r, "entry_id"), entry);
	reg = json_object_get(json_object_get(r.json, "data"), "entry_values");
	assert_int_equal(json_array_size(json_object_get(reg, "regions")), 1);
	assert_int_equal(json_array_size(json_object_get(reg, "stage")), 1);
	reply_free(&r);
	/* PATCH appends */
	snprintf(path, sizeof(path), "/v2/lists/enterprise_sales/entries/%s",
	         entry);
	call(&sb, "PATCH", path,
	     "{\"data\":{\"entry_values\":{\"regions\":[\"EMEA\"]}}}", &r);
	assert_ok(&r);
	assert_int_equal(json_array_size(json_object_get(
	                     json_object_get(json_object_get(r.json, "data"),
	                                     "entry_values"),
	                     "regions")),
	                 2);
	reply_free(&r);
	/* PUT overwrites */
	call(&sb, "PUT", path,
	     "{\"data\":{\"entry_values\":{\"regions\":[\"EMEA\"]}}}", &r);
	assert_int_equal(json_array_size(json_object_get(
	                     json_object_get(json_object_get(r.json, "data"),
	                                     "entry_values"),
	                     "regions")),
	                 1);
	reply_free(&r);
	/* the parent cannot change; unknown values and keys are refused */
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"entry_values\":{}}}",
	         person);
	expect("PATCH", path, body, 400, "immutable_value");
	expect("PATCH", path,
	       "{\"data\":{\"entry_values\":{\"stage\":\"Nope\"}}}", 400,
	       "value_not_found");
	expect("PATCH", path, "{\"data\":{\"entry_values\":{},\"colour\":1}}",
	       400, "validation_type");
	expect("GET", path, NULL, 200, NULL);

	/* a second entry for the same parent: assert is ambiguous */
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"parent_object\":"
	         "\"companies\",\"entry_values\":{}}}",
	         company);
	expect("POST", "/v2/lists/enterprise_sales/entries", body, 200, NULL);
	expect("PUT", "/v2/lists/enterprise_sales/entries", body, 400,
	       "multiple_match_results");
	/* parents must exist and be of the list's object */
	expect("POST", "/v2/lists/enterprise_sales/entries",
	       "{\"data\":{\"parent_record_id\":\"00000000-0000-4000-8000-"
	       "000000000000\",\"parent_object\":\"companies\","
	       "\"entry_values\":{}}}",
	       400, "value_not_found");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"parent_object\":"
	         "\"people\",\"entry_values\":{}}}",
	         person);
	expect("POST", "/v2/lists/enterprise_sales/entries", body, 400,
	       "validation_type");
	expect("POST", "/v2/lists/nope/entries", body, 404, "not_found");

	/* query, the record's entries, delete */
	assert_int_equal(data_size("POST",
	                           "/v2/lists/enterprise_sales/entries/query",
	                           "{\"filter\":{\"stage\":\"Qualified\"}}"),
	                 1);
	assert_int_equal(data_size("POST",
	                           "/v2/lists/enterprise_sales/entries/query",
	                           "{\"limit\":1,\"offset\":1}"),
	                 1);
	snprintf(path, sizeof(path), "/v2/objects/companies/records/%s/entries",
	         company);
	call(&sb, "GET", path, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "data"), 0),
	        "list_api_slug")),
	    "enterprise_sales");
	reply_free(&r);
	snprintf(path, sizeof(path),
	         "/v2/objects/companies/records/%s/entries?limit=1001",
	         company);
	expect("GET", path, NULL, 400, "validation_type");
	snprintf(path, sizeof(path), "/v2/lists/enterprise_sales/entries/%s",
	         entry);
	expect("DELETE", path, NULL, 200, NULL);
	expect("GET", path, NULL, 404, "not_found");
	expect("DELETE", path, NULL, 404, "not_found");
}

static void test_notes(void **state)
{
	struct reply r;
	char body[768], path[256], note[64];
	int i;

	FERRY_UNUSED(state);
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"Call summary\",\"format\":\"markdown\","
	         "\"content\":\"# Recap\\n- **item** with [a link](https://"
	         "x.test)\",\"created_at\":\"2021-04-01T09:00:00Z\","
	         "\"meeting_id\":null}}",
	         person);
	call(&sb, "POST", "/v2/notes", body, &r);
	assert_ok(&r);
	snprintf(note, sizeof(note), "%s", data_id(&r, "note_id"));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "content_plaintext")),
	    "Recap\n- item with a link");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(r.json, "data"), "created_at")),
	                    "2021-04-01T09:00:00.000000000Z");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "parent_object")),
	    "people");
	reply_free(&r);
	/* missing parent, unknown object, bad format, future date */
	expect("POST", "/v2/notes",
	       "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	       "\"00000000-0000-4000-8000-000000000000\",\"title\":\"t\","
	       "\"format\":\"plaintext\",\"content\":\"c\"}}",
	       400, "value_not_found");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"nope\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"t\",\"format\":\"plaintext\",\"content\":"
	         "\"c\"}}",
	         person);
	expect("POST", "/v2/notes", body, 404, "not_found");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"t\",\"format\":\"html\",\"content\":"
	         "\"c\"}}",
	         person);
	expect("POST", "/v2/notes", body, 400, "validation_type");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"t\",\"format\":\"plaintext\",\"content\":"
	         "\"c\",\"created_at\":\"2999-01-01T00:00:00Z\"}}",
	         person);
	expect("POST", "/v2/notes", body, 400, "validation_type");
	/* listing: by parent, limit at most 50 */
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body),
		         "{\"data\":{\"parent_object\":\"companies\","
		         "\"parent_record_id\":\"%s\",\"title\":\"n%d\","
		         "\"format\":\"plaintext\",\"content\":\"c\"}}",
		         company, i);
		expect("POST", "/v2/notes", body, 200, NULL);
	}
	snprintf(path, sizeof(path),
	         "/v2/notes?parent_object=companies&parent_record_id=%s",
	         company);
	assert_int_equal(data_size("GET", path, NULL), 3);
	assert_int_equal(data_size("GET", "/v2/notes?limit=2&offset=1", NULL),
	                 2);
	assert_int_equal(data_size("GET", "/v2/notes", NULL), 4);
	expect("GET", "/v2/notes?limit=51", NULL, 400, "validation_type");
	expect("GET", "/v2/notes?parent_object=nope", NULL, 404, "not_found");
	snprintf(path, sizeof(path), "/v2/notes/%s", note);
	expect("GET", path, NULL, 200, NULL);
	expect("DELETE", path, NULL, 200, NULL);
	expect("GET", path, NULL, 404, "not_found");
	expect("DELETE", path, NULL, 404, "not_found");
}

static void test_tasks(void **state)
{
	struct reply r;
	char body[1024], path[256], task[64];

	FERRY_UNUSED(state);
	snprintf(
	    body, sizeof(body),
	    "{\"data\":{\"content\":\"Follow up\",\"format\":\"plaintext\","
	    "\"deadline_at\":\"2026-02-01T17:00:00Z\",\"is_completed\":"
	    "false,\"linked_records\":[{\"target_object\":\"companies\","
	    "\"target_record_id\":\"%s\"},{\"target_object\":\"people\","
	    "\"email_addresses\":[{\"email_address\":\"ann@lists.test\"}]}"
	    "],\"assignees\":[{\"workspace_member_email_address\":"
	    "\"ada@ferry.test\"}]}}",
	    company);
	call(&sb, "POST", "/v2/tasks", body, &r);
	assert_ok(&r);
	snprintf(task, sizeof(task), "%s", data_id(&r, "task_id"));
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(r.json, "data"),
	                                    "linked_records")),
	    2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(json_object_get(r.json, "data"),
	                                       "linked_records"),
	                       1),
	        "target_record_id")),
	    person);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "deadline_at")),
	    "2026-02-01T17:00:00.000000000Z");
	reply_free(&r);
	/* all six fields, existing links, known members, plaintext only */
	expect("POST", "/v2/tasks",
	       "{\"data\":{\"content\":\"x\",\"format\":\"plaintext\"}}", 400,
	       "validation_type");
	expect("POST", "/v2/tasks",
	       "{\"data\":{\"content\":\"x\",\"format\":\"markdown\","
	       "\"deadline_at\":null,\"is_completed\":false,"
	       "\"linked_records\":[],\"assignees\":[]}}",
	       400, "validation_type");
	expect("POST", "/v2/tasks",
	       "{\"data\":{\"content\":\"x\",\"format\":\"plaintext\","
	       "\"deadline_at\":null,\"is_completed\":false,"
	       "\"linked_records\":[{\"target_object\":\"companies\","
	       "\"target_record_id\":\"00000000-0000-4000-8000-000000000000\"}"
	       "],\"assignees\":[]}}",
	       400, "value_not_found");
	expect("POST", "/v2/tasks",
	       "{\"data\":{\"content\":\"x\",\"format\":\"plaintext\","
	       "\"deadline_at\":null,\"is_completed\":false,"
	       "\"linked_records\":[],\"assignees\":[{"
	       "\"workspace_member_email_address\":\"who@ferry.test\"}]}}",
	       400, "value_not_found");
	expect("POST", "/v2/tasks",
	       "{\"data\":{\"content\":\"unlinked\",\"format\":\"plaintext\","
	       "\"deadline_at\":null,\"is_completed\":true,"
	       "\"linked_records\":[],\"assignees\":[]}}",
	       200, NULL);
	/* filters */
	snprintf(path, sizeof(path),
	         "/v2/tasks?linked_object=companies&linked_record_id=%s",
	         company);
	assert_int_equal(data_size("GET", path, NULL), 1);
	assert_int_equal(data_size("GET", "/v2/tasks?is_completed=true", NULL),
	                 1);
	assert_int_equal(
	    data_size("GET", "/v2/tasks?assignee=ada%40ferry.test", NULL), 1);
	assert_int_equal(data_size("GET", "/v2/tasks?assignee=", NULL), 1);
	assert_int_equal(data_size("GET", "/v2/tasks?limit=1&offset=1", NULL),
	                 1);
	call(&sb, "GET", "/v2/tasks?sort=created_at:desc", NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(r.json, "data"), 0),
	        "content_plaintext")),
	    "unlinked");
	reply_free(&r);
	expect("GET", "/v2/tasks?sort=sideways", NULL, 400, "validation_type");
	/* PATCH only what may change */
	snprintf(path, sizeof(path), "/v2/tasks/%s", task);
	call(&sb, "PATCH", path,
	     "{\"data\":{\"is_completed\":true,\"deadline_at\":null,"
	     "\"assignees\":[]}}",
	     &r);
	assert_ok(&r);
	assert_true(json_is_true(
	    json_object_get(json_object_get(r.json, "data"), "is_completed")));
	assert_true(json_is_null(
	    json_object_get(json_object_get(r.json, "data"), "deadline_at")));
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(r.json, "data"),
	                                    "linked_records")),
	    2);
	reply_free(&r);
	expect("PATCH", path, "{\"data\":{\"content\":\"new\"}}", 400,
	       "validation_type");
	expect("PATCH", path, "{\"data\":{}}", 400, "validation_type");
	expect("DELETE", path, NULL, 200, NULL);
	expect("GET", path, NULL, 404, "not_found");
	expect("PATCH", path, "{\"data\":{\"is_completed\":true}}", 404,
	       "not_found");
}

static void test_delete_cascades(void **state)
{
	struct reply r;
	char body[512], path[256], id[64];

	FERRY_UNUSED(state);
	call(&sb, "POST", "/v2/objects/people/records",
	     "{\"data\":{\"values\":{\"email_addresses\":[\"gone@lists."
	     "test\"]}}}",
	     &r);
	snprintf(id, sizeof(id), "%s", record_id(&r));
	reply_free(&r);
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_record_id\":\"%s\",\"parent_object\":"
	         "\"people\",\"entry_values\":{}}}",
	         id);
	expect("POST", "/v2/lists/hiring/entries", body, 200, NULL);
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"t\",\"format\":\"plaintext\",\"content\":"
	         "\"c\"}}",
	         id);
	expect("POST", "/v2/notes", body, 200, NULL);
	snprintf(path, sizeof(path), "/v2/objects/people/records/%s", id);
	expect("DELETE", path, NULL, 200, NULL);
	assert_int_equal(
	    data_size("POST", "/v2/lists/hiring/entries/query", NULL), 0);
	snprintf(path, sizeof(path), "/v2/notes?parent_record_id=%s", id);
	assert_int_equal(data_size("GET", path, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_entries),
	    cmocka_unit_test(test_notes),
	    cmocka_unit_test(test_tasks),
	    cmocka_unit_test(test_delete_cascades),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
