/* sandbox_attio_objects.c: the Attio sandbox's schema and value rules:
 * deals and their required attributes, statuses, custom objects and
 * attributes (create and PATCH, every error shape), the value types
 * (currency kept exact, dates coerced, actors, references whose target
 * must exist), PUT against PATCH on multiselects, and queries over the
 * new types with sorts and paging. Exact decimals and timestamps are
 * also checked directly. */
#include "helpers.h"
#include "util.h"

#include "attio_sandbox.h"
#include "sandbox_attio_call.h"

static struct test_sandbox sb;

static int setup(void **state)
{
	const char *extra[] = {"--write-rate", "0", "--read-rate", "0", NULL};

	FERRY_UNUSED(state);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return test_sandbox_start(&sb, "attio", extra);
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&sb);
	curl_global_cleanup();
	return 0;
}

/* Expects `status` (and for errors `code`); frees the reply. */
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

static void test_decimals_and_times(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"4.99", "4.99"},
	    {"-4.990", "-4.99"},
	    {"1e3", "1000"},
	    {"+7", "7"},
	    {"0.00005", "0.0001"},
	    {"0.00004", "0"},
	    {"-0.00004", "0"},
	    {"123.45678", "123.4568"},
	    {"9.99995", "10"},
	    {".5", "0.5"},
	    {"12345678901234567.1234", "12345678901234567.1234"},
	    {"4.99E-2", "0.0499"},
	    {"000120", "120"},
	};
	static const char *const bad[] = {"",      ".",   "abc", "1e31",
	                                  "1.2.3", "--1", "1e",  "0x10"};
	char out[ATTIO_NUM_LEN], ts[ATTIO_TS_LEN];
	struct attio_sb s;
	json_error_t jerr;
	json_t *j, *raw;
	char *text;
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		assert_int_equal(attio_decimal(cases[i].in, 4, out), 0);
		assert_string_equal(out, cases[i].out);
	}
	for (i = 0; i < FERRY_ARRAY_LEN(bad); i++)
		assert_int_equal(attio_decimal(bad[i], 4, out), -1);

	assert_int_equal(attio_timestamp_parse("2023", ts, NULL), 0);
	assert_string_equal(ts, "2023-01-01T00:00:00.000000000Z");
	assert_int_equal(
	    attio_timestamp_parse("2023-01-02T23:00-10:00", ts, NULL), 0);
	assert_string_equal(ts, "2023-01-03T09:00:00.000000000Z");
	assert_int_equal(
	    attio_timestamp_parse("2023-01-02T13:00:05.5+0100", ts, NULL), 0);
	assert_string_equal(ts, "2023-01-02T12:00:05.500000000Z");
	assert_int_equal(attio_date_parse("2023-01-02T23:00-10:00", ts), 0);
	assert_string_equal(ts, "2023-01-03");
	assert_int_equal(attio_timestamp_parse("2023-02-30", ts, NULL), -1);
	assert_int_equal(attio_timestamp_parse("2023-01-02T25:00", ts, NULL),
	                 -1);
	assert_int_equal(attio_timestamp_parse("yesterday", ts, NULL), -1);

	/* the literal of a number survives parsing; a raw number is
	 * written bare */
	memset(&s, 0, sizeof(s));
	text = ferry_xstrdup("{\"a\": 4.99, \"b\": [1, "
	                     "123456789012345678901, \"4.5\"]}");
	j = attio_json_parse(&s, text, strlen(text), &jerr);
	free(text);
	assert_non_null(j);
	assert_string_equal(attio_number_text(&s, json_object_get(j, "a")),
	                    "4.99");
	assert_string_equal(
	    attio_number_text(&s, json_array_get(json_object_get(j, "b"), 1)),
	    "123456789012345678901");
	assert_null(
	    attio_number_text(&s, json_array_get(json_object_get(j, "b"), 0)));
	assert_int_equal(
	    attio_number_input(&s, json_object_get(j, "a"), false, 4, out), 0);
	assert_string_equal(out, "4.99");
	json_decref(j);
	attio_json_forget(&s);
	raw = json_pack("{s:o,s:s}", "v", attio_json_raw_number("4.99"), "t",
	                "x");
	text = attio_json_dump(raw);
	assert_string_equal(text, "{\"v\":4.99,\"t\":\"x\"}");
	free(text);
	json_decref(raw);
}

static void test_deals(void **state)
{
	struct reply r, c;
	json_t *v;
	char path[256];

	FERRY_UNUSED(state);
	call(&sb, "GET", "/v2/objects/deals/attributes", NULL, &r);
	assert_ok(&r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 6);
	reply_free(&r);
	call(&sb, "GET", "/v2/objects/deals/attributes/value", NULL, &r);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(
	            json_object_get(json_object_get(r.json, "data"), "config"),
	            "currency"),
	        "default_currency_code")),
	    "USD");
	reply_free(&r);

	call(&sb, "POST", "/v2/objects/companies/records",
	     "{\"data\":{\"values\":{\"domains\":[\"deal-co.test\"]}}}", &c);
	assert_ok(&c);
	/* name, stage and owner are required */
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Lead\"}}}",
	       400, "missing_value");
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"stage\":\"Lead\",\"owner\":"
	       "\"ada@ferry.test\"}}}",
	       400, "missing_value");
	/* an unknown stage, an unknown owner, a missing company */
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Closed "
	       "Won\",\"owner\":\"ada@ferry.test\"}}}",
	       400, "value_not_found");
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Lead\","
	       "\"owner\":\"nobody@ferry.test\"}}}",
	       400, "value_not_found");
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Lead\","
	       "\"owner\":\"ada@ferry.test\",\"associated_company\":{"
	       "\"target_object\":\"companies\",\"target_record_id\":"
	       "\"00000000-0000-4000-8000-000000000000\"}}}}",
	       400, "value_not_found");
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Lead\","
	       "\"owner\":\"ada@ferry.test\",\"value\":\"lots\"}}}",
	       400, "validation_type");
	expect("POST", "/v2/objects/deals/records",
	       "{\"data\":{\"values\":{\"name\":\"D\",\"stage\":\"Lead\","
	       "\"owner\":\"ada@ferry.test\",\"value\":{\"currency_value\":1,"
	       "\"currency_code\":\"EUR\"}}}}",
	       400, "validation_type");

	/* the documented example, with an exact amount */
	call(&sb, "POST", "/v2/objects/deals/records",
	     "{\"data\":{\"values\":{\"name\":\"Renewal 2026\",\"stage\":\"In "
	     "Progress\",\"owner\":\"ada@ferry.test\",\"value\":"
	     "12345678901234567.1234,\"associated_company\":{"
	     "\"target_object\":\"companies\",\"domains\":[{\"domain\":"
	     "\"deal-co.test\"}]}}}}",
	     &r);
	assert_ok(&r);
	assert_non_null(
	    strstr(r.raw, "\"currency_value\":12345678901234567.1234,"));
	assert_string_equal(value_str(&r, "value", 0, "currency_code"), "USD");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(value_at(&r, "values", "stage", 0), "status"),
	        "title")),
	    "In Progress");
	assert_string_equal(value_str(&r, "owner", 0, "referenced_actor_type"),
	                    "workspace-member");
	assert_string_equal(
	    value_str(&r, "associated_company", 0, "target_record_id"),
	    record_id(&c));
	/* the company sees the deal (a two-way relationship) */
	snprintf(path, sizeof(path), "/v2/objects/companies/records/%s",
	         record_id(&c));
	reply_free(&c);
	call(&sb, "GET", path, NULL, &c);
	v = value_at(&c, "values", "associated_deals", 0);
	assert_string_equal(
	    json_string_value(json_object_get(v, "target_record_id")),
	    record_id(&r));
	reply_free(&c);
	/* the amount as a string, 4.99 as a number, rounding to 4 places */
	snprintf(path, sizeof(path), "/v2/objects/deals/records/%s",
	         record_id(&r));
	reply_free(&r);
	call(&sb, "PATCH", path, "{\"data\":{\"values\":{\"value\":4.99}}}",
	     &r);
	assert_ok(&r);
	assert_non_null(strstr(r.raw, "\"currency_value\":4.99,"));
	reply_free(&r);
	call(&sb, "PATCH", path,
	     "{\"data\":{\"values\":{\"value\":\"0.123456\"}}}", &r);
	assert_non_null(strstr(r.raw, "\"currency_value\":0.1235,"));
	reply_free(&r);
	/* by stage title or id */
	call(&sb, "GET", "/v2/objects/deals/attributes/stage/statuses", NULL,
	     &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 4);
	reply_free(&r);
}

static void test_statuses_and_options(void **state)
{
	struct reply r;
	char *path, *body;

	FERRY_UNUSED(state);
	expect("POST", "/v2/objects/deals/attributes/stage/statuses",
	       "{\"data\":{\"title\":\"Negotiation\",\"celebration_enabled\":"
	       "false,\"target_time_in_status\":\"P0Y0M1DT0H0M0S\"}}",
	       200, NULL);
	expect("POST", "/v2/objects/deals/attributes/stage/statuses",
	       "{\"data\":{\"title\":\"Negotiation\"}}", 409, "slug_conflict");
	expect("POST", "/v2/objects/deals/attributes/stage/statuses",
	       "{\"data\":{\"title\":\"X\",\"target_time_in_status\":\"1 "
	       "day\"}}",
	       400, "validation_type");
	expect("POST", "/v2/objects/deals/attributes/name/statuses",
	       "{\"data\":{\"title\":\"X\"}}", 400, "validation_type");
	expect("POST", "/v2/objects/deals/attributes/stage/options",
	       "{\"data\":{\"title\":\"X\"}}", 400, "validation_type");
	/* a status attribute lists no options (200 []) */
	call(&sb, "GET", "/v2/objects/deals/attributes/stage/options", NULL,
	     &r);
	assert_ok(&r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
	reply_free(&r);
	expect("GET", "/v2/objects/nope/attributes/stage/statuses", NULL, 404,
	       "not_found");
	expect("GET", "/v2/objects/deals/attributes/nope/statuses", NULL, 404,
	       "not_found");

	/* writing the new status works; once archived it is refused */
	body = ferry_xasprintf("{\"data\":{\"values\":{\"name\":\"N\","
	                       "\"stage\":{\"status\":\"Negotiation\"},"
	                       "\"owner\":{\"workspace_member_email_address\":"
	                       "\"grace@ferry.test\"}}}}");
	expect("POST", "/v2/objects/deals/records", body, 200, NULL);
	expect("PATCH",
	       "/v2/objects/deals/attributes/stage/statuses/Negotiation",
	       "{\"data\":{\"is_archived\":true}}", 200, NULL);
	expect("POST", "/v2/objects/deals/records", body, 400,
	       "value_not_found");
	expect("PATCH", "/v2/objects/deals/attributes/stage/statuses/Nope",
	       "{\"data\":{\"is_archived\":true}}", 400, "value_not_found");
	call(&sb, "GET",
	     "/v2/objects/deals/attributes/stage/statuses?show_archived=true",
	     NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 5);
	reply_free(&r);
	free(body);

	/* options: create, rename, archive */
	expect("POST", "/v2/objects/companies/attributes/categories/options",
	       "{\"data\":{\"title\":\"Retail\"}}", 200, NULL);
	expect("PATCH",
	       "/v2/objects/companies/attributes/categories/options/Retail",
	       "{\"data\":{}}", 400, "validation_type");
	expect("PATCH",
	       "/v2/objects/companies/attributes/categories/options/Retail",
	       "{\"data\":{\"title\":\"Shops\"}}", 200, NULL);
	path = ferry_xasprintf("/v2/objects/companies/records");
	expect("POST", path,
	       "{\"data\":{\"values\":{\"categories\":[\"Retail\"]}}}", 400,
	       "value_not_found");
	expect("POST", path,
	       "{\"data\":{\"values\":{\"categories\":[\"Shops\"]}}}", 200,
	       NULL);
	free(path);
}

static void test_custom_objects(void **state)
{
	struct reply r;

	FERRY_UNUSED(state);
	expect("POST", "/v2/objects",
	       "{\"data\":{\"api_slug\":\"projects\",\"singular_noun\":"
	       "\"Project\",\"plural_noun\":\"Projects\"}}",
	       200, NULL);
	expect("POST", "/v2/objects",
	       "{\"data\":{\"api_slug\":\"projects\",\"singular_noun\":"
	       "\"P\",\"plural_noun\":\"Ps\"}}",
	       409, "slug_conflict");
	expect("POST", "/v2/objects",
	       "{\"data\":{\"api_slug\":\"x\",\"singular_noun\":\"X\"}}", 400,
	       "validation_type");
	expect("POST", "/v2/objects",
	       "{\"data\":{\"api_slug\":\"Bad Slug\",\"singular_noun\":\"X\","
	       "\"plural_noun\":\"Xs\"}}",
	       400, "validation_type");
	expect("PATCH", "/v2/objects/projects", "{\"data\":{}}", 400,
	       "validation_type");
	expect("PATCH", "/v2/objects/projects",
	       "{\"data\":{\"plural_noun\":\"Projects!\"}}", 200, NULL);
	expect("PATCH", "/v2/objects/people",
	       "{\"data\":{\"api_slug\":\"humans\"}}", 400, "validation_type");
	call(&sb, "GET", "/v2/objects/projects", NULL, &r);
	assert_ok(&r);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(r.json, "data"),
	                                      "plural_noun")),
	    "Projects!");
	reply_free(&r);
}

#define ATTR(slug, type, uniq, multi, config)                                  \
	"{\"data\":{\"title\":\"" slug "\",\"description\":null,"              \
	"\"api_slug\":\"" slug "\",\"type\":\"" type "\",\"is_required\":"     \
	"false,\"is_unique\":" uniq ",\"is_multiselect\":" multi               \
	",\"config\":" config "}}"

static void test_attributes(void **state)
{
	static const char *const good[] = {
	    ATTR("salesforce_id", "text", "true", "false", "{}"),
	    ATTR("budget", "currency", "false", "false",
	         "{\"currency\":{\"default_currency_code\":\"EUR\","
	         "\"display_type\":\"code\"}}"),
	    ATTR("score", "number", "false", "false", "{}"),
	    ATTR("active", "checkbox", "false", "false", "{}"),
	    ATTR("starts", "date", "false", "false", "{}"),
	    ATTR("seen_at", "timestamp", "false", "false", "{}"),
	    ATTR("stars", "rating", "false", "false", "{}"),
	    ATTR("tags", "select", "false", "true", "{}"),
	    ATTR("lead", "actor-reference", "false", "false", "{}"),
	    ATTR(
	        "client", "record-reference", "false", "false",
	        "{\"record_reference\":{\"allowed_objects\":[\"companies\"]}}"),
	};
	static const struct {
		const char *body;
		long status;
		const char *code;
	} bad[] = {
	    {ATTR("salesforce_id", "text", "false", "false", "{}"), 409,
	     "slug_conflict"},
	    {ATTR("phase", "status", "false", "false", "{}"), 400,
	     "validation_type"},
	    {ATTR("kind", "select", "true", "false", "{}"), 400,
	     "validation_type"},
	    {ATTR("who", "personal-name", "false", "false", "{}"), 400,
	     "validation_type"},
	    {ATTR("notes2", "text", "false", "true", "{}"), 400,
	     "validation_type"},
	    {ATTR("cost", "currency", "false", "false",
	          "{\"currency\":{\"default_currency_code\":\"XXX\","
	          "\"display_type\":\"code\"}}"),
	     400, "validation_type"},
	    {ATTR("ref", "record-reference", "false", "false",
	          "{\"record_reference\":{\"allowed_objects\":[\"nope\"]}}"),
	     400, "validation_type"},
	    {"{\"data\":{\"title\":\"t\",\"api_slug\":\"t\",\"type\":"
	     "\"text\",\"is_required\":false,\"is_unique\":false,"
	     "\"is_multiselect\":false,\"config\":{}}}",
	     400, "validation_type"},
	    {"{\"data\":{\"title\":\"t\",\"description\":null,\"api_slug\":"
	     "\"t\",\"type\":\"text\",\"is_required\":false,\"is_unique\":"
	     "false,\"is_multiselect\":false,\"config\":{},\"colour\":1}}",
	     400, "validation_type"},
	};
	struct reply r;
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(good); i++)
		expect("POST", "/v2/objects/projects/attributes", good[i], 200,
		       NULL);
	for (i = 0; i < FERRY_ARRAY_LEN(bad); i++)
		expect("POST", "/v2/objects/projects/attributes", bad[i].body,
		       bad[i].status, bad[i].code);
	expect("POST", "/v2/objects/nope/attributes", good[0], 404,
	       "not_found");
	/* a two-way relationship makes the other side too */
	expect("POST", "/v2/objects/projects/attributes",
	       "{\"data\":{\"title\":\"Members\",\"description\":\"who\","
	       "\"api_slug\":\"members\",\"type\":\"record-reference\","
	       "\"is_required\":false,\"is_unique\":false,\"is_multiselect\":"
	       "true,\"config\":{},\"relationship\":{\"object\":\"people\","
	       "\"title\":\"Projects\",\"api_slug\":\"projects\","
	       "\"is_multiselect\":true}}}",
	       200, NULL);
	call(&sb, "GET", "/v2/objects/people/attributes/projects", NULL, &r);
	assert_ok(&r);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_object_get(r.json, "data"),
	                                        "relationship"),
	                        "api_slug")),
	                    "members");
	reply_free(&r);
	call(&sb, "GET", "/v2/objects/projects/attributes/budget", NULL, &r);
	assert_false(json_is_true(json_object_get(
	    json_object_get(r.json, "data"), "is_system_attribute")));
	reply_free(&r);

	/* PATCH: a custom attribute changes, a system one does not */
	expect("PATCH", "/v2/objects/projects/attributes/score",
	       "{\"data\":{\"title\":\"Score\",\"is_required\":false}}", 200,
	       NULL);
	expect("PATCH", "/v2/objects/projects/attributes/score",
	       "{\"data\":{}}", 400, "validation_type");
	expect("PATCH", "/v2/objects/projects/attributes/score",
	       "{\"data\":{\"type\":\"text\"}}", 400, "validation_type");
	expect("PATCH", "/v2/objects/deals/attributes/stage",
	       "{\"data\":{\"title\":\"Phase\"}}", 400,
	       "system_edit_unauthorized");
	expect("PATCH", "/v2/objects/projects/attributes/tags",
	       "{\"data\":{\"is_unique\":true}}", 400, "validation_type");
	expect("POST", "/v2/objects/projects/attributes/tags/options",
	       "{\"data\":{\"title\":\"red\"}}", 200, NULL);
	expect("POST", "/v2/objects/projects/attributes/tags/options",
	       "{\"data\":{\"title\":\"blue\"}}", 200, NULL);
	expect("POST", "/v2/objects/projects/attributes/tags/options",
	       "{\"data\":{\"title\":\"green\"}}", 200, NULL);
}

static void test_values(void **state)
{
	struct reply r, c;
	char *body;

	FERRY_UNUSED(state);
	call(&sb, "GET", "/v2/workspace_members", NULL, &c);
	body = ferry_xasprintf(
	    "{\"data\":{\"values\":{\"salesforce_id\":\"a0X1\",\"budget\":"
	    "\"1500.50\",\"score\":42.5,\"active\":\"true\",\"starts\":"
	    "\"2023-01-02T23:00-10:00\",\"seen_at\":\"2023-01-02T13:00\","
	    "\"stars\":{\"value\":4},\"tags\":[\"red\"],\"lead\":{"
	    "\"referenced_actor_type\":\"workspace-member\","
	    "\"referenced_actor_id\":\"%s\"},\"client\":\"deal-co.test\"}}}",
	    json_string_value(json_object_get(
	        json_object_get(
	            json_array_get(json_object_get(c.json, "data"), 1), "id"),
	        "workspace_member_id")));
	call(&sb, "POST", "/v2/objects/projects/records", body, &r);
	free(body);
	assert_ok(&r);
	assert_non_null(strstr(r.raw, "\"currency_value\":1500.5,"));
	assert_string_equal(value_str(&r, "budget", 0, "currency_code"), "EUR");
	assert_non_null(strstr(r.raw, "\"value\":42.5,"));
	assert_true(json_is_true(
	    json_object_get(value_at(&r, "values", "active", 0), "value")));
	assert_string_equal(value_str(&r, "starts", 0, "value"), "2023-01-03");
	assert_string_equal(value_str(&r, "seen_at", 0, "value"),
	                    "2023-01-02T13:00:00.000000000Z");
	assert_int_equal(json_integer_value(json_object_get(
	                     value_at(&r, "values", "stars", 0), "value")),
	                 4);
	assert_string_equal(
	    value_str(&r, "lead", 0, "referenced_actor_id"),
	    json_string_value(json_object_get(
	        json_object_get(
	            json_array_get(json_object_get(c.json, "data"), 1), "id"),
	        "workspace_member_id")));
	assert_int_equal(value_count(&r, "client"), 1);
	reply_free(&r);
	reply_free(&c);

	/* unique, and every kind of bad value */
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"salesforce_id\":\"a0X1\"}}}", 400,
	       "uniqueness_conflict");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"stars\":6}}}", 400, "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"starts\":\"2023-13-01\"}}}", 400,
	       "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"active\":\"yes\"}}}", 400,
	       "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"score\":\"12\"}}}", 400,
	       "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"lead\":{\"referenced_actor_type\":"
	       "\"api-token\",\"referenced_actor_id\":\"x\"}}}}",
	       400, "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"client\":{\"target_object\":"
	       "\"people\",\"target_record_id\":\"x\"}}}}",
	       400, "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"client\":\"missing.test\"}}}", 400,
	       "value_not_found");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"tags\":\"red\"}}}", 400,
	       "validation_type");
	expect("POST", "/v2/objects/projects/records",
	       "{\"data\":{\"values\":{\"tags\":[\"purple\"]}}}", 400,
	       "value_not_found");
}

static void test_put_and_patch_multiselect(void **state)
{
	struct reply r;
	char *path;

	FERRY_UNUSED(state);
	call(&sb, "POST", "/v2/objects/projects/records",
	     "{\"data\":{\"values\":{\"salesforce_id\":\"ms\",\"tags\":["
	     "\"red\"]}}}",
	     &r);
	assert_ok(&r);
	path =
	    ferry_xasprintf("/v2/objects/projects/records/%s", record_id(&r));
	reply_free(&r);
	/* PATCH prepends */
	call(&sb, "PATCH", path,
	     "{\"data\":{\"values\":{\"tags\":[\"blue\"]}}}", &r);
	assert_int_equal(value_count(&r, "tags"), 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(value_at(&r, "values", "tags", 0), "option"),
	        "title")),
	    "blue");
	reply_free(&r);
	/* PUT replaces, and can remove */
	call(&sb, "PUT", path, "{\"data\":{\"values\":{\"tags\":[\"green\"]}}}",
	     &r);
	assert_int_equal(value_count(&r, "tags"), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(value_at(&r, "values", "tags", 0), "option"),
	        "title")),
	    "green");
	reply_free(&r);
	call(&sb, "PUT", path, "{\"data\":{\"values\":{\"tags\":[]}}}", &r);
	assert_int_equal(value_count(&r, "tags"), 0);
	/* untouched attributes stay */
	assert_string_equal(value_str(&r, "salesforce_id", 0, "value"), "ms");
	reply_free(&r);
	/* assert on the unique text attribute */
	call(&sb, "PUT",
	     "/v2/objects/projects/records?matching_attribute=salesforce_id",
	     "{\"data\":{\"values\":{\"salesforce_id\":\"ms\",\"tags\":["
	     "\"red\",\"blue\"]}}}",
	     &r);
	assert_ok(&r);
	assert_string_equal(path + strlen("/v2/objects/projects/records/"),
	                    record_id(&r));
	assert_int_equal(value_count(&r, "tags"), 2);
	reply_free(&r);
	free(path);
}

static size_t count(const char *object, const char *body)
{
	struct reply r;
	char *path = ferry_xasprintf("/v2/objects/%s/records/query", object);
	size_t n;

	call(&sb, "POST", path, body, &r);
	assert_ok(&r);
	n = json_array_size(json_object_get(r.json, "data"));
	reply_free(&r);
	free(path);
	return n;
}

static void test_query_new_types(void **state)
{
	struct reply r;
	int i;

	FERRY_UNUSED(state);
	for (i = 0; i < 7; i++) {
		char *body = ferry_xasprintf(
		    "{\"data\":{\"values\":{\"name\":\"Q%d\",\"stage\":\"%s\","
		    "\"owner\":\"ada@ferry.test\",\"value\":%d.5}}}",
		    i, i % 2 ? "Won \xf0\x9f\x8e\x89" : "Lost", i * 100);

		expect("POST", "/v2/objects/deals/records", body, 200, NULL);
		free(body);
	}
	assert_int_equal(count("deals", "{\"filter\":{\"stage\":\"Lost\"}}"),
	                 4);
	assert_int_equal(count("deals", "{\"filter\":{\"stage\":{\"$eq\":\"Won "
	                                "\xf0\x9f\x8e\x89\"}}}"),
	                 3);
	assert_int_equal(
	    count(
	        "deals",
	        "{\"filter\":{\"value\":{\"currency_value\":{\"$gte\":400}}}}"),
	    3);
	assert_int_equal(count("deals",
	                       "{\"filter\":{\"value\":{\"currency_value\":"
	                       "300.5}}}"),
	                 1);
	assert_int_equal(count("deals",
	                       "{\"filter\":{\"$and\":[{\"stage\":\"Lost\"},"
	                       "{\"name\":{\"$starts_with\":\"Q\"}}]}}"),
	                 4);
	assert_int_equal(count("projects",
	                       "{\"filter\":{\"client\":{"
	                       "\"target_object\":\"companies\"}}}"),
	                 1);
	assert_int_equal(count("projects", "{\"filter\":{\"tags\":\"red\"}}"),
	                 2);
	assert_int_equal(count("projects", "{\"filter\":{\"active\":true}}"),
	                 1);
	expect("POST", "/v2/objects/deals/records/query",
	       "{\"filter\":{\"value\":{\"$regex\":\"x\"}}}", 400,
	       "filter_error");

	/* sorts and paging */
	call(&sb, "POST", "/v2/objects/deals/records/query",
	     "{\"filter\":{\"name\":{\"$starts_with\":\"Q\"}},\"sorts\":[{"
	     "\"direction\":\"desc\",\"attribute\":\"value\"}],\"limit\":2,"
	     "\"offset\":1}",
	     &r);
	assert_ok(&r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(
	                json_object_get(
	                    json_array_get(json_object_get(r.json, "data"), 0),
	                    "values"),
	                "name"),
	            0),
	        "value")),
	    "Q5");
	reply_free(&r);
	expect("POST", "/v2/objects/deals/records/query",
	       "{\"sorts\":[{\"direction\":\"up\",\"attribute\":\"value\"}]}",
	       400, "validation_type");
	expect("POST", "/v2/objects/deals/records/query",
	       "{\"sorts\":[{\"direction\":\"asc\",\"attribute\":\"nope\"}]}",
	       400, "validation_type");
	assert_int_equal(
	    count("deals", "{\"filter\":{\"name\":{\"$starts_with\":\"Q\"}},"
	                   "\"limit\":5,\"offset\":5}"),
	    2);
}

static void test_attribute_rename(void **state)
{
	struct reply r;
	char *path;

	FERRY_UNUSED(state);
	call(&sb, "POST", "/v2/objects/projects/records",
	     "{\"data\":{\"values\":{\"salesforce_id\":\"rn\",\"score\":"
	     "7}}}",
	     &r);
	assert_ok(&r);
	path =
	    ferry_xasprintf("/v2/objects/projects/records/%s", record_id(&r));
	reply_free(&r);
	expect("PATCH", "/v2/objects/projects/attributes/score",
	       "{\"data\":{\"api_slug\":\"salesforce_id\"}}", 409,
	       "slug_conflict");
	expect("PATCH", "/v2/objects/projects/attributes/score",
	       "{\"data\":{\"api_slug\":\"points\"}}", 200, NULL);
	/* the stored values follow the new slug */
	call(&sb, "GET", path, NULL, &r);
	assert_ok(&r);
	assert_non_null(strstr(r.raw, "\"points\":[{"));
	assert_null(strstr(r.raw, "\"score\""));
	reply_free(&r);
	free(path);
}

static void test_enable_objects(void **state)
{
	const char *none[] = {"--enable-objects", "none", NULL};
	const char *all[] = {"--enable-objects", "deals,users,workspaces",
	                     "--object-quota", "5", NULL};
	struct test_sandbox other;
	struct reply r;

	FERRY_UNUSED(state);
	assert_int_equal(test_sandbox_start(&other, "attio", none), 0);
	call(&other, "GET", "/v2/objects/deals", NULL, &r);
	assert_error(&r, 404, "invalid_request_error", "not_found");
	reply_free(&r);
	call(&other, "GET", "/v2/objects/people/attributes/associated_deals",
	     NULL, &r);
	assert_error(&r, 404, "invalid_request_error", "not_found");
	reply_free(&r);
	test_sandbox_stop(&other);

	assert_int_equal(test_sandbox_start(&other, "attio", all), 0);
	call(&other, "GET", "/v2/objects", NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "data")), 5);
	reply_free(&r);
	/* a bare string names a workspace by workspace_id */
	call(&other, "POST", "/v2/objects/workspaces/records",
	     "{\"data\":{\"values\":{\"workspace_id\":\"w-1\"}}}", &r);
	assert_ok(&r);
	reply_free(&r);
	call(&other, "POST", "/v2/objects/users/records",
	     "{\"data\":{\"values\":{\"user_id\":\"u-1\","
	     "\"primary_email_address\":\"u@ferry.test\",\"workspace\":"
	     "\"w-1\"}}}",
	     &r);
	assert_ok(&r);
	assert_int_equal(value_count(&r, "workspace"), 1);
	reply_free(&r);
	call(&other, "POST", "/v2/objects/users/records",
	     "{\"data\":{\"values\":{\"user_id\":\"u-2\"}}}", &r);
	assert_error(&r, 400, "invalid_request_error", "missing_value");
	reply_free(&r);
	call(&other, "POST", "/v2/objects",
	     "{\"data\":{\"api_slug\":\"extra\",\"singular_noun\":\"E\","
	     "\"plural_noun\":\"Es\"}}",
	     &r);
	assert_error(&r, 400, "invalid_request_error", "quota_exceeded");
	reply_free(&r);
	test_sandbox_stop(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decimals_and_times),
	    cmocka_unit_test(test_deals),
	    cmocka_unit_test(test_statuses_and_options),
	    cmocka_unit_test(test_custom_objects),
	    cmocka_unit_test(test_attributes),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_put_and_patch_multiselect),
	    cmocka_unit_test(test_query_new_types),
	    cmocka_unit_test(test_attribute_rename),
	    cmocka_unit_test(test_enable_objects),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
