/* mapping.c: the built-in mapping's decisions, record by record: what is
 * written (exact values), what is skipped and the reason given. */
#include "helpers.h"
#include "util.h"
#include "ferry/mapping.h"

static struct ferry_workspace *ws;
static char *dir;

static int setup(void **state)
{
	FERRY_UNUSED(state);
	dir = test_tmpdir("mapping");
	if (ferry_workspace_init(dir) < 0 || ferry_workspace_open(&ws, dir) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	ferry_workspace_free(ws);
	free(dir);
	return 0;
}

/* Maps `fields_json` with the rule for `object`; returns the decision. */
static void map(struct ferry_mapped *m, const char *object,
                const char *fields_json)
{
	const struct ferry_map_rule *rule = ferry_mapping_find(object);
	json_t *fields = json_loads(fields_json, 0, NULL);

	assert_non_null(rule);
	assert_non_null(fields);
	assert_int_equal(rule->map(m, rule, ws, "001X", fields), 0);
	json_decref(fields);
}

static void assert_values(const struct ferry_mapped *m, const char *want)
{
	json_t *expected = json_loads(want, 0, NULL);

	assert_non_null(expected);
	if (!json_equal(expected, m->values)) {
		char *got = json_dumps(m->values, JSON_SORT_KEYS);

		fail_msg("values %s, expected %s", got, want);
	}
	json_decref(expected);
}

static void test_account_domain_spellings(void **state)
{
	static const char *const websites[] = {
	    "http://www.acme.com/",
	    "ACME.com/about",
	    "https://acme.com",
	    "  www.Acme.com  ",
	};
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(websites); i++) {
		struct ferry_mapped m;
		char *fields = ferry_xasprintf(
		    "{\"Name\":\"Acme\",\"Website\":\"%s\"}", websites[i]);

		map(&m, "Account", fields);
		assert_int_equal(m.decision, FERRY_MAP_WRITE);
		assert_string_equal(m.key, "acme.com");
		assert_values(&m,
		              "{\"name\":\"Acme\",\"domains\":[\"acme.com\"]}");
		ferry_mapped_release(&m);
		free(fields);
	}
}

static void test_account_description_kept_verbatim(void **state)
{
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	map(&m, "Account",
	    "{\"Name\":\"Société Générale\",\"Website\":\"societegenerale.fr\","
	    "\"Description\":\"Banks, \\\"big\\\" ones\\nline two\"}");
	assert_int_equal(m.decision, FERRY_MAP_WRITE);
	assert_values(
	    &m, "{\"name\":\"Société Générale\","
	        "\"domains\":[\"societegenerale.fr\"],"
	        "\"description\":\"Banks, \\\"big\\\" ones\\nline two\"}");
	ferry_mapped_release(&m);
}

static void test_account_without_domain_is_skipped(void **state)
{
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	map(&m, "Account", "{\"Name\":\"Nowhere\",\"Website\":\"\"}");
	assert_int_equal(m.decision, FERRY_MAP_SKIP);
	assert_null(m.values);
	assert_non_null(strstr(m.reason, "Website is blank"));
	assert_non_null(strstr(m.reason, "matched on their domain"));
	ferry_mapped_release(&m);

	map(&m, "Account", "{\"Name\":\"Bad\",\"Website\":\"not a url\"}");
	assert_int_equal(m.decision, FERRY_MAP_SKIP);
	assert_non_null(strstr(m.reason, "no usable website domain"));
	ferry_mapped_release(&m);
}

static void test_account_personal_domain_is_skipped(void **state)
{
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	map(&m, "Account",
	    "{\"Name\":\"Bob's\",\"Website\":\"www.gmail.com\"}");
	assert_int_equal(m.decision, FERRY_MAP_SKIP);
	assert_non_null(strstr(m.reason, "personal-email domain"));
	ferry_mapped_release(&m);
}

static void test_contact_email_and_name(void **state)
{
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	map(&m, "Contact",
	    "{\"FirstName\":\" Ada \",\"LastName\":\"Lovelace\","
	    "\"Email\":\"  Ada.Lovelace@Example.COM \",\"Title\":\"Analyst\","
	    "\"AccountId\":\"\"}");
	assert_int_equal(m.decision, FERRY_MAP_WRITE);
	assert_string_equal(m.key, "ada.lovelace@example.com");
	assert_values(&m, "{\"name\":[{\"first_name\":\"Ada\","
	                  "\"last_name\":\"Lovelace\","
	                  "\"full_name\":\"Ada Lovelace\"}],"
	                  "\"email_addresses\":[\"Ada.Lovelace@Example.COM\"],"
	                  "\"job_title\":\"Analyst\"}");
	assert_string_equal(m.reason, "");
	ferry_mapped_release(&m);

	map(&m, "Contact",
	    "{\"FirstName\":\"\",\"LastName\":\"田中\",\"Email\":\"t@x.jp\"}");
	assert_values(&m, "{\"name\":[{\"first_name\":\"\",\"last_name\":"
	                  "\"田中\",\"full_name\":\"田中\"}],"
	                  "\"email_addresses\":[\"t@x.jp\"]}");
	ferry_mapped_release(&m);
}

static void test_contact_without_email_is_skipped(void **state)
{
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	map(&m, "Contact", "{\"LastName\":\"Nomail\",\"Email\":\"\"}");
	assert_int_equal(m.decision, FERRY_MAP_SKIP);
	assert_non_null(strstr(m.reason, "Email is blank"));
	ferry_mapped_release(&m);
	map(&m, "Contact", "{\"LastName\":\"Bad\",\"Email\":\"bad@@x.com\"}");
	assert_int_equal(m.decision, FERRY_MAP_SKIP);
	assert_non_null(strstr(m.reason, "no usable email"));
	ferry_mapped_release(&m);
}

static void test_contact_links_to_written_account(void **state)
{
	struct ferry_ledger_row row;
	struct ferry_mapped m;

	FERRY_UNUSED(state);
	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "Account");
	snprintf(row.source_id, sizeof(row.source_id), "001A");
	snprintf(row.dest_object, sizeof(row.dest_object), "companies");
	snprintf(row.dest_id, sizeof(row.dest_id), "rec-1");
	row.status = FERRY_LEDGER_WRITTEN;
	assert_int_equal(ferry_ledger_put(ws, &row), 0);

	map(&m, "Contact",
	    "{\"LastName\":\"L\",\"Email\":\"l@acme.com\",\"AccountId\":"
	    "\"001A\"}");
	assert_values(&m, "{\"name\":[{\"first_name\":\"\",\"last_name\":\"L\","
	                  "\"full_name\":\"L\"}],"
	                  "\"email_addresses\":[\"l@acme.com\"],"
	                  "\"company\":[{\"target_object\":\"companies\","
	                  "\"target_record_id\":\"rec-1\"}]}");
	ferry_mapped_release(&m);

	/* An account that was skipped: the person is written without the
	 * link, and the note says why. */
	snprintf(row.source_id, sizeof(row.source_id), "001B");
	row.dest_id[0] = '\0';
	row.status = FERRY_LEDGER_SKIPPED;
	snprintf(row.reason, sizeof(row.reason), "no usable website domain");
	assert_int_equal(ferry_ledger_put(ws, &row), 0);
	map(&m, "Contact",
	    "{\"LastName\":\"M\",\"Email\":\"m@b.com\",\"AccountId\":"
	    "\"001B\"}");
	assert_int_equal(m.decision, FERRY_MAP_WRITE);
	assert_null(json_object_get(m.values, "company"));
	assert_non_null(strstr(m.reason, "written without a company"));
	assert_non_null(strstr(m.reason, "no usable website domain"));
	ferry_mapped_release(&m);

	/* An account that is not in the export at all. */
	map(&m, "Contact",
	    "{\"LastName\":\"N\",\"Email\":\"n@b.com\",\"AccountId\":"
	    "\"001Z\"}");
	assert_non_null(strstr(m.reason, "not in the export"));
	ferry_mapped_release(&m);
}

static void test_builtin_order(void **state)
{
	size_t n;
	const struct ferry_map_rule *r = ferry_mapping_builtin(&n);

	FERRY_UNUSED(state);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].source_object, "Account");
	assert_string_equal(r[1].source_object, "Contact");
	assert_null(ferry_mapping_find("Opportunity"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_account_domain_spellings),
	    cmocka_unit_test(test_account_description_kept_verbatim),
	    cmocka_unit_test(test_account_without_domain_is_skipped),
	    cmocka_unit_test(test_account_personal_domain_is_skipped),
	    cmocka_unit_test(test_contact_email_and_name),
	    cmocka_unit_test(test_contact_without_email_is_skipped),
	    cmocka_unit_test(test_contact_links_to_written_account),
	    cmocka_unit_test(test_builtin_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
