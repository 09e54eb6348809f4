/* verify.c: `ferry verify` (verify.h) against the Attio sandbox. After a
 * load the report is clean (counts balanced per object and record type,
 * every written record found with its references, sampled values equal);
 * then the sandbox is changed behind ferry's back (a record deleted, a
 * reference moved, values edited, a note copy and a list entry deleted,
 * a link taken out) and a disagreement is put in the ledger, and verify
 * reports exactly those, with their ids. Also: the comparable forms of
 * Attio's value types, exact amounts, the read budget, the page. */
#include "helpers.h"
#include "util.h"

#include "ferry/attio.h"
#include "ferry/load.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/verify.h"
#include "verify/verify_int.h"

struct fx {
	struct test_sandbox sb;
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_mapfile *m;
	struct ferry_attio *attio;
	json_t *schema;
	struct ferry_http_opts ho;
	struct ferry_load_config lc;
	struct ferry_load_report rep;
	json_t *report;
};

static struct fx *current;

static void fx_open(struct fx *f, const char *name, const char *const *args)
{
	memset(f, 0, sizeof(*f));
	current = f;
	assert_int_equal(test_sandbox_start(&f->sb, "attio", args), 0);
	f->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(f->dir), 0);
	assert_int_equal(ferry_workspace_open(&f->ws, f->dir), 0);
	f->ho.base_url = f->sb.url;
	f->ho.token = TEST_SANDBOX_TOKEN;
	f->ho.name = "Attio";
	f->ho.write_rate = 1000;
	f->ho.read_rate = 1000;
	f->ho.backoff_base_ms = 5;
	f->ho.backoff_max_ms = 50;
	assert_int_equal(ferry_attio_new(&f->attio, &f->ho), 0);
	f->lc.http = &f->ho;
}

static void fx_close(struct fx *f)
{
	json_decref(f->report);
	ferry_load_report_release(&f->rep);
	json_decref(f->schema);
	ferry_attio_free(f->attio);
	ferry_mapfile_free(f->m);
	ferry_workspace_free(f->ws);
	test_sandbox_stop(&f->sb);
	free(f->dir);
	current = NULL;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	if (current)
		fx_close(current);
	return 0;
}

/* An API call for the test's own setup and changes: Attio's "data". */
static json_t *api(struct fx *f, const char *method, const char *path,
                   const char *body)
{
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	json_t *root, *data;

	assert_int_equal(ferry_http_request(ferry_attio_http(f->attio),
	                                    FERRY_HTTP_READ, method, path, body,
	                                    &r),
	                 0);
	if (r.status < 200 || r.status > 299)
		fail_msg("%s %s: HTTP %ld %s", method, path, r.status,
		         r.body.ptr);
	root = json_loads(r.body.ptr, 0, NULL);
	assert_non_null(root);
	data = json_object_get(root, "data");
	data = json_incref(data ? data : root);
	json_decref(root);
	ferry_http_response_release(&r);
	return data;
}

/* `method` on `prefix` followed by `id`. */
static void call(struct fx *f, const char *method, const char *body,
                 const char *prefix, const char *id)
{
	char *path = ferry_xasprintf("%s%s", prefix, id);

	json_decref(api(f, method, path, body));
	free(path);
}

static int64_t stat_of(struct fx *f, const char *key)
{
	json_t *s = api(f, "GET", "/__sandbox/stats", NULL);
	int64_t n = json_integer_value(json_object_get(s, key));

	json_decref(s);
	return n;
}

static void fx_mapping(struct fx *f, const char *yaml)
{
	ferry_mapfile_free(f->m);
	f->m = NULL;
	if (ferry_mapfile_parse(&f->m, "mapping.yaml", yaml, strlen(yaml)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
}

static void fx_stage(struct fx *f, const char *object, const char *records)
{
	struct ferry_stage *st = NULL;
	json_t *arr = json_loads(records, 0, NULL), *rec;
	int64_t count = 0;
	size_t i;

	assert_non_null(arr);
	assert_int_equal(ferry_stage_begin(&st, f->ws, object, "test"), 0);
	json_array_foreach(arr, i, rec)
	{
		assert_int_equal(
		    ferry_stage_add(
		        st, json_string_value(json_object_get(rec, "Id")),
		        (int64_t)i + 2, rec),
		    0);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	json_decref(arr);
}

static void fx_plan(struct fx *f)
{
	static const char *const objects[] = {"companies", "people", "deals",
	                                      NULL};
	struct ferry_plan_stats s;

	memset(&s, 0, sizeof(s));
	json_decref(f->schema);
	f->schema = NULL;
	assert_int_equal(ferry_attio_schema(&f->schema, f->attio, objects), 0);
	if (ferry_plan_run(f->ws, f->m, NULL, &s) < 0)
		fail_msg("plan: %s", ferry_error_last());
	ferry_plan_stats_release(&s);
	f->lc.schema = f->schema;
}

static void fx_load(struct fx *f)
{
	ferry_load_report_release(&f->rep);
	if (ferry_load_plan(f->ws, f->m, &f->lc, &f->rep) < 0)
		fail_msg("load: %s", ferry_error_last());
}

/* Verifies (online unless `offline`), every record's values compared. */
static const json_t *fx_verify(struct fx *f, bool offline)
{
	struct ferry_verify_opts o;

	memset(&o, 0, sizeof(o));
	o.http = offline ? NULL : &f->ho;
	o.m = f->m;
	o.sample = FERRY_VERIFY_SAMPLE_ALL;
	json_decref(f->report);
	f->report = NULL;
	if (ferry_verify_run(&f->report, f->ws, &o) < 0)
		fail_msg("verify: %s", ferry_error_last());
	return f->report;
}

static struct ferry_ledger_row ledger(struct fx *f, const char *object,
                                      const char *id)
{
	struct ferry_ledger_row row;

	if (ferry_ledger_get(&row, f->ws, object, id) < 0)
		fail_msg("ledger %s %s: %s", object, id, ferry_error_last());
	return row;
}

static const json_t *object_of(const json_t *r, const char *name)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(r, "objects"), i, o)
	{
		if (!strcmp(json_string_value(json_object_get(o, "object")),
		            name))
			return o;
	}
	fail_msg("no object %s in the report", name);
	abort();
}

static int64_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int64_t total(const json_t *r, const char *section)
{
	return num(json_object_get(r, section), "total");
}

static const json_t *item(const json_t *r, const char *section, size_t i)
{
	return json_array_get(
	    json_object_get(json_object_get(r, section), "items"), i);
}

static const char *s_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The problem of `section` about (object, source_id) and `attribute`
 * (NULL: any), or NULL. */
static const json_t *find(const json_t *r, const char *section,
                          const char *object, const char *id,
                          const char *attribute)
{
	const json_t *it;
	size_t i;

	json_array_foreach(
	    json_object_get(json_object_get(r, section), "items"), i, it)
	{
		if (!strcmp(s_of(it, "object"), object) &&
		    !strcmp(s_of(it, "source_id"), id) &&
		    (!attribute || !strcmp(s_of(it, "attribute"), attribute)))
			return it;
	}
	return NULL;
}

static void dump_if_not_clean(const json_t *r)
{
	if (!json_is_true(json_object_get(r, "clean"))) {
		char *s = json_dumps(r, JSON_INDENT(1));

		fail_msg("not clean: %s", s);
	}
}

/*
 * The comparable forms.
 */

static void test_decimal(void **state)
{
	static const char *const cases[][2] = {
	    {"1.50", "1.5"},
	    {"-0012e2", "-1200"},
	    {"-0", "0"},
	    {"0.0001", "0.0001"},
	    {"1E-4", "0.0001"},
	    {"1.0E7", "10000000"},
	    {".5", "0.5"},
	    {"100", "100"},
	    {"+7.000", "7"},
	    {"12345678901234567.1234", "12345678901234567.1234"},
	};
	static const char *const bad[] = {"",      ".",     "abc", "1e",
	                                  "1.2.3", "1e999", "--1"};
	char out[96];
	size_t i;

	FERRY_UNUSED(state);
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		assert_true(vf_decimal(cases[i][0], out, sizeof(out)));
		assert_string_equal(out, cases[i][1]);
	}
	for (i = 0; i < FERRY_ARRAY_LEN(bad); i++)
		assert_false(vf_decimal(bad[i], out, sizeof(out)));
}

/* An amount keeps every digit Attio gave (no double on the way); text
 * that only looks like the key is left alone. */
static void test_exact_amounts(void **state)
{
	static const char body[] =
	    "{\"data\":[{\"values\":{\"arr\":[{\"currency_value\": "
	    "12345678901234567.1234,\"currency_code\":\"USD\"}],\"note\":"
	    "[{\"value\":\"\\\"currency_value\\\":5\"}],\"n\":[{\"value\":"
	    "4.5}]}}]}";
	char *out = vf_exact_amounts(body, strlen(body));
	json_t *doc;

	FERRY_UNUSED(state);
	assert_non_null(out);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(
	                json_object_get(
	                    json_array_get(json_object_get(doc, "data"), 0),
	                    "values"),
	                "arr"),
	            0),
	        "currency_value")),
	    "12345678901234567.1234");
	assert_non_null(strstr(out, "\"\\\"currency_value\\\":5\""));
	assert_non_null(strstr(out, "\"value\":4.5"));
	json_decref(doc);
	free(out);
}

/* Planned write forms and Attio's read shapes meet in one text. */
static void test_canon(void **state)
{
	static const char *const pairs[][3] = {
	    {"email-address", "\"Ada.Lovelace@ACME.com\"",
	     "{\"email_address\":\"ada.lovelace@acme.com\","
	     "\"original_email_address\":\"Ada.Lovelace@ACME.com\"}"},
	    {"domain", "\"acme.com\"", "{\"domain\":\"acme.com\"}"},
	    {"phone-number",
	     "{\"original_phone_number\":\"(415) 555-0100\","
	     "\"country_code\":\"US\"}",
	     "{\"original_phone_number\":\"(415) 555-0100\","
	     "\"country_code\":\"US\",\"phone_number\":\"+14155550100\"}"},
	    {"phone-number", "\"+442079460111\"",
	     "{\"original_phone_number\":\"+442079460111\","
	     "\"country_code\":\"GB\"}"},
	    {"timestamp", "\"2024-01-15T18:25:32.000Z\"",
	     "{\"value\":\"2024-01-15T18:25:32.000000000Z\"}"},
	    {"date", "\"2024-02-29\"", "{\"value\":\"2024-02-29\"}"},
	    {"currency", "\"4.50\"", "{\"currency_value\":\"4.5\"}"},
	    {"currency", "\"1200\"", "{\"currency_value\":1200}"},
	    {"number", "42.25", "{\"value\":42.25}"},
	    {"number", "1200", "{\"value\":1200.0}"},
	    {"checkbox", "\"true\"", "{\"value\":true}"},
	    {"checkbox", "false", "{\"value\":false}"},
	    {"select", "\"Won\"",
	     "{\"option\":{\"id\":{\"option_id\":\"o1\"},\"title\":\"Won\"}}"},
	    {"status", "{\"status\":\"Lead\"}",
	     "{\"status\":{\"title\":\"Lead\",\"is_archived\":false}}"},
	    {"actor-reference", "\"Ada@Ferry.test\"",
	     "{\"referenced_actor_type\":\"workspace-member\","
	     "\"referenced_actor_id\":\"m1\"}"},
	    {"personal-name",
	     "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
	     "\"full_name\":\"Ada Lovelace\"}",
	     "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
	     "\"full_name\":\"Ada Lovelace\",\"attribute_type\":"
	     "\"personal-name\"}"},
	    {"personal-name", "\"Lovelace, Ada\"",
	     "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
	     "\"full_name\":\"Ada Lovelace\"}"},
	    {"location",
	     "{\"line_1\":\"1 Main St\",\"line_2\":null,\"line_3\":null,"
	     "\"line_4\":null,\"locality\":\"Paris\",\"region\":null,"
	     "\"postcode\":null,\"country_code\":\"FR\",\"latitude\":"
	     "\"48.8500\",\"longitude\":null}",
	     "{\"line_1\":\"1 Main St\",\"line_2\":null,\"line_3\":null,"
	     "\"line_4\":null,\"locality\":\"Paris\",\"region\":null,"
	     "\"postcode\":null,\"country_code\":\"FR\",\"latitude\":"
	     "\"48.85\",\"longitude\":null}"},
	    {"text", "\"  kept as entered \"",
	     "{\"value\":\"  kept as entered \"}"},
	};
	static const char *const differ[][3] = {
	    {"currency", "\"4.51\"", "{\"currency_value\":\"4.5\"}"},
	    {"timestamp", "\"2024-01-15T18:25:32.001Z\"",
	     "{\"value\":\"2024-01-15T18:25:32.000000000Z\"}"},
	    {"text", "\"a\"", "{\"value\":\"A\"}"},
	    {"select", "\"Won\"", "{\"option\":{\"title\":\"Lost\"}}"},
	};
	struct vf_run run;
	size_t i;

	FERRY_UNUSED(state);
	memset(&run, 0, sizeof(run));
	run.members = json_pack("{s:s}", "m1", "ada@ferry.test");
	for (i = 0; i < FERRY_ARRAY_LEN(pairs) + FERRY_ARRAY_LEN(differ); i++) {
		bool same = i < FERRY_ARRAY_LEN(pairs);
		const char *const *c =
		    same ? pairs[i] : differ[i - FERRY_ARRAY_LEN(pairs)];
		json_t *p = json_loads(c[1], JSON_DECODE_ANY, NULL);
		json_t *f = json_loads(c[2], 0, NULL);
		char *a, *b;

		assert_non_null(p);
		assert_non_null(f);
		a = vf_canon(&run, c[0], p, true);
		b = vf_canon(&run, c[0], f, false);
		assert_non_null(a);
		assert_non_null(b);
		if (same && strcmp(a, b))
			fail_msg("%s: %s gives '%s', %s gives '%s'", c[0], c[1],
			         a, c[2], b);
		if (!same && !strcmp(a, b))
			fail_msg("%s: %s and %s both give '%s'", c[0], c[1],
			         c[2], a);
		free(a);
		free(b);
		json_decref(p);
		json_decref(f);
	}
	json_decref(run.members);
}

/*
 * Counts.
 */

static const char accounts_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n";

#define A1     "001000000000001AAA"
#define A2     "001000000000002AAA"
#define A3     "001000000000003AAA"
#define A4     "001000000000004AAA"
#define A5     "001000000000005AAA"
#define RT_BIZ "012000000000001AAA"
#define RT_PTN "012000000000002AAA"

/* Per record type, named by the staged RecordType; not run until run;
 * balanced after the run; a disagreement put in the ledger, a row of a
 * record no longer staged, and a pending write are each reported. */
static void test_counts(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	const json_t *r, *acc, *t, *it;
	struct ferry_ledger_row row;
	size_t i;
	int seen = 0;

	FERRY_UNUSED(state);
	fx_open(&f, "verify-counts", args);
	fx_mapping(&f, accounts_yaml);
	fx_stage(&f, "RecordType",
	         "[{\"Id\":\"" RT_BIZ "\",\"DeveloperName\":\"Business\","
	         "\"Name\":\"Business account\",\"SobjectType\":\"Account\"},"
	         " {\"Id\":\"" RT_PTN "\",\"DeveloperName\":\"\",\"Name\":"
	         "\"Partner\",\"SobjectType\":\"Account\"}]");
	/* A2 duplicates A1's domain: merged; A5 has none: held. The
	 * staging's RecordTypeId may be 15 characters. */
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\",\"RecordTypeId\":\"" RT_BIZ "\"},"
	         " {\"Id\":\"" A2 "\",\"Name\":\"Acme 2\",\"Website\":"
	         "\"acme.test\",\"RecordTypeId\":\"012000000000001\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"RecordTypeId\":\"" RT_PTN "\"},"
	         " {\"Id\":\"" A4 "\",\"Name\":\"Initech\",\"Website\":"
	         "\"initech.test\"},"
	         " {\"Id\":\"" A5 "\",\"Name\":\"Nowhere\",\"Website\":\"\","
	         "\"RecordTypeId\":\"" RT_PTN "\"}]");
	fx_plan(&f);

	/* Planned, not run: everything is not run, nothing disagrees. */
	r = fx_verify(&f, true);
	acc = object_of(r, "Account");
	assert_int_equal(num(acc, "staged"), 5);
	assert_int_equal(num(acc, "not_run"), 5);
	assert_false(json_is_true(json_object_get(acc, "balanced")));
	assert_false(json_is_true(json_object_get(r, "clean")));
	assert_int_equal(total(r, "disagreements"), 0);
	assert_null(json_object_get(r, "reads"));

	fx_load(&f);
	r = fx_verify(&f, true);
	dump_if_not_clean(r);
	acc = object_of(r, "Account");
	assert_int_equal(num(acc, "written"), 3);
	assert_int_equal(num(acc, "merged"), 1);
	assert_int_equal(num(acc, "held"), 1);
	assert_int_equal(num(acc, "not_run"), 0);
	/* Business (two records, one by its 15-character id), Partner (by
	 * its Name: no DeveloperName), and none. */
	assert_int_equal(json_array_size(json_object_get(acc, "record_types")),
	                 4);
	json_array_foreach(json_object_get(acc, "record_types"), i, t)
	{
		const char *id = s_of(t, "id");

		if (!strcmp(id, RT_BIZ) || !strcmp(id, "012000000000001")) {
			assert_string_equal(s_of(t, "name"), "Business");
			seen |= 1;
		} else if (!strcmp(id, RT_PTN)) {
			assert_string_equal(s_of(t, "name"), "Partner");
			assert_int_equal(num(t, "staged"), 2);
			assert_int_equal(num(t, "written"), 1);
			assert_int_equal(num(t, "held"), 1);
			seen |= 2;
		} else {
			assert_string_equal(id, "");
			assert_int_equal(num(t, "staged"), 1);
			seen |= 4;
		}
		assert_true(json_is_true(json_object_get(t, "balanced")));
	}
	assert_int_equal(seen, 7);

	/* A ledger older than schema 9 said held as skipped "held: ...". */
	row = ledger(&f, "Account", A5);
	row.status = FERRY_LEDGER_SKIPPED;
	snprintf(row.reason, sizeof(row.reason), "held: Website match_missing");
	assert_int_equal(ferry_ledger_put(f.ws, &row), 0);
	r = fx_verify(&f, true);
	dump_if_not_clean(r);
	assert_int_equal(num(object_of(r, "Account"), "held"), 1);
	assert_int_equal(num(object_of(r, "Account"), "skipped"), 0);

	/* Behind the loader's back: a written record says skipped, a record
	 * gone from the staging has a row, a write is pending. */
	row = ledger(&f, "Account", A3);
	row.status = FERRY_LEDGER_SKIPPED;
	snprintf(row.reason, sizeof(row.reason), "edited by the test");
	assert_int_equal(ferry_ledger_put(f.ws, &row), 0);
	row = ledger(&f, "Account", A4);
	snprintf(row.source_id, sizeof(row.source_id), "001000000000009AAA");
	assert_int_equal(ferry_ledger_put(f.ws, &row), 0);
	row = ledger(&f, "Account", A4);
	row.status = FERRY_LEDGER_PENDING;
	assert_int_equal(ferry_ledger_put(f.ws, &row), 0);
	r = fx_verify(&f, true);
	acc = object_of(r, "Account");
	assert_false(json_is_true(json_object_get(r, "clean")));
	assert_false(json_is_true(json_object_get(acc, "balanced")));
	assert_int_equal(num(acc, "pending"), 1);
	assert_int_equal(num(acc, "disagreements"), 2);
	assert_int_equal(total(r, "disagreements"), 2);
	it = find(r, "disagreements", "Account", A3, NULL);
	assert_non_null(it);
	assert_string_equal(s_of(it, "decision"), "write");
	assert_string_equal(s_of(it, "ledger"), "skipped");
	it = find(r, "disagreements", "Account", "001000000000009AAA", NULL);
	assert_non_null(it);
	assert_non_null(strstr(s_of(it, "why"), "not in the staging"));
	/* The pending write agrees with the plan: unbalanced, no more. */
	assert_null(find(r, "disagreements", "Account", A4, NULL));
	fx_close(&f);
}

/*
 * Records: references and values.
 */

static const char values_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      NumberOfEmployees: {to: employees, type: number}\n"
    "      AnnualRevenue: {to: revenue, type: currency}\n"
    "      Active__c: {to: active, type: checkbox}\n"
    "      Founded__c: {to: founded, type: date}\n"
    "      LastContact__c: {to: last_contact, type: timestamp}\n"
    "      Tier__c: {to: tier, type: select}\n"
    "      Phone: {to: phone, type: phone}\n"
    "      BillingCity: {to: primary_location, type: location, part: "
    "locality}\n"
    "      BillingCountry: {to: primary_location, type: location, part: "
    "country}\n"
    "      OwnerId: {to: owner, type: owner}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      FirstName: {to: name, type: name, part: first_name}\n"
    "      LastName: {to: name, type: name, part: last_name}\n"
    "      Email: {to: email_addresses, type: email}\n"
    "      Phone: {to: phone_numbers, type: phone}\n"
    "      AccountId: {to: company, type: reference, object: companies}\n"
    "owners:\n"
    "  match: table\n"
    "  table:\n"
    "    \"005000000000001AAA\": ada@ferry.test\n"
    "options:\n"
    "  default_country: US\n";

#define C1 "003000000000001AAA"
#define C2 "003000000000002AAA"
#define C3 "003000000000003AAA"

static void attribute(struct fx *f, const char *slug, const char *type,
                      const char *config)
{
	char *body = ferry_xasprintf(
	    "{\"data\":{\"title\":\"%s\",\"description\":null,\"api_slug\":"
	    "\"%s\",\"type\":\"%s\",\"is_required\":false,\"is_unique\":"
	    "false,\"is_multiselect\":false,\"config\":%s}}",
	    slug, slug, type, config);

	json_decref(api(f, "POST", "/v2/objects/companies/attributes", body));
	free(body);
}

static void records(struct fx *f)
{
	attribute(f, "employees", "number", "{}");
	attribute(f, "revenue", "currency",
	          "{\"currency\":{\"default_currency_code\":\"USD\","
	          "\"display_type\":\"symbol\"}}");
	attribute(f, "active", "checkbox", "{}");
	attribute(f, "founded", "date", "{}");
	attribute(f, "last_contact", "timestamp", "{}");
	attribute(f, "tier", "select", "{}");
	attribute(f, "phone", "phone-number", "{}");
	attribute(f, "owner", "actor-reference", "{}");
	json_decref(api(f, "POST",
	                "/v2/objects/companies/attributes/tier/options",
	                "{\"data\":{\"title\":\"Gold\"}}"));
	json_decref(api(f, "POST",
	                "/v2/objects/companies/attributes/tier/options",
	                "{\"data\":{\"title\":\"Silver\"}}"));
	fx_mapping(f, values_yaml);
	fx_stage(f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"https://www.Acme.test/x\",\"NumberOfEmployees\":\"1200\","
	         "\"AnnualRevenue\":\"1234567.89\",\"Active__c\":\"true\","
	         "\"Founded__c\":\"1999-02-28\",\"LastContact__c\":"
	         "\"2024-01-15T18:25:32.000+0000\",\"Tier__c\":\"Gold\","
	         "\"Phone\":\"(415) 555-0100\",\"BillingCity\":\"San "
	         "Francisco\",\"BillingCountry\":\"United States\","
	         "\"OwnerId\":\"005000000000001AAA\"},"
	         " {\"Id\":\"" A2 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"NumberOfEmployees\":\"12.5\","
	         "\"AnnualRevenue\":\"0.01\",\"Active__c\":\"false\","
	         "\"Founded__c\":\"\",\"LastContact__c\":\"\",\"Tier__c\":"
	         "\"Silver\",\"Phone\":\"+44 20 7946 0100\",\"BillingCity\":"
	         "\"\",\"BillingCountry\":\"\",\"OwnerId\":\"\"}]");
	fx_stage(f, "Contact",
	         "[{\"Id\":\"" C1 "\",\"FirstName\":\"Ann\",\"LastName\":"
	         "\"One\",\"Email\":\"Ann.One@Acme.test\",\"Phone\":"
	         "\"+1 415 555 0101\",\"AccountId\":\"" A1 "\"},"
	         " {\"Id\":\"" C2 "\",\"FirstName\":\"Bob\",\"LastName\":"
	         "\"Two\",\"Email\":\"bob@globex.test\",\"Phone\":\"\","
	         "\"AccountId\":\"" A2 "\"},"
	         " {\"Id\":\"" C3 "\",\"FirstName\":\"Cy\",\"LastName\":"
	         "\"Three\",\"Email\":\"cy@globex.test\",\"Phone\":\"\","
	         "\"AccountId\":\"" A2 "\"}]");
	fx_plan(f);
	fx_load(f);
}

/* Clean after the run; then a person deleted, another moved to another
 * company, two values edited: exactly those four, with their ids. */
static void test_records(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row a1, a2, c1, c2, c3;
	const json_t *r, *it;

	FERRY_UNUSED(state);
	fx_open(&f, "verify-records", args);
	records(&f);
	r = fx_verify(&f, false);
	dump_if_not_clean(r);
	assert_int_equal(num(object_of(r, "Account"), "checked"), 2);
	assert_int_equal(num(object_of(r, "Contact"), "checked"), 3);
	assert_int_equal(num(json_object_get(r, "references"), "checked"), 3);
	assert_int_equal(num(json_object_get(r, "values"), "records"), 5);
	/* Account 1: every one of its 11 attributes; the rest fewer. */
	assert_true(num(json_object_get(r, "values"), "compared") >= 25);

	a1 = ledger(&f, "Account", A1);
	a2 = ledger(&f, "Account", A2);
	c1 = ledger(&f, "Contact", C1);
	c2 = ledger(&f, "Contact", C2);
	c3 = ledger(&f, "Contact", C3);
	call(&f, "DELETE", NULL, "/v2/objects/people/records/", c3.dest_id);
	{
		char *body = ferry_xasprintf(
		    "{\"data\":{\"values\":{\"company\":[{\"target_object\":"
		    "\"companies\",\"target_record_id\":\"%s\"}]}}}",
		    a1.dest_id);

		call(&f, "PUT", body, "/v2/objects/people/records/",
		     c2.dest_id);
		free(body);
	}
	call(&f, "PATCH",
	     "{\"data\":{\"values\":{\"revenue\":\"1234567.8\",\"tier\":"
	     "\"Silver\"}}}",
	     "/v2/objects/companies/records/", a1.dest_id);
	r = fx_verify(&f, false);
	assert_false(json_is_true(json_object_get(r, "clean")));
	assert_int_equal(total(r, "missing"), 1);
	assert_int_equal(total(r, "references"), 1);
	assert_int_equal(total(r, "values"), 2);
	assert_int_equal(total(r, "disagreements"), 0);
	it = item(r, "missing", 0);
	assert_string_equal(s_of(it, "object"), "Contact");
	assert_string_equal(s_of(it, "source_id"), C3);
	assert_string_equal(s_of(it, "dest_id"), c3.dest_id);
	it = item(r, "references", 0);
	assert_string_equal(s_of(it, "source_id"), C2);
	assert_string_equal(s_of(it, "dest_id"), c2.dest_id);
	assert_string_equal(s_of(it, "attribute"), "company");
	assert_string_equal(s_of(it, "expected"), a2.dest_id);
	assert_string_equal(s_of(it, "found"), a1.dest_id);
	assert_string_equal(s_of(it, "target_source_id"), "Account " A2);
	it = find(r, "values", "Account", A1, "revenue");
	assert_non_null(it);
	assert_string_equal(s_of(it, "dest_id"), a1.dest_id);
	assert_string_equal(s_of(it, "type"), "currency");
	assert_string_equal(s_of(it, "expected"), "1234567.89");
	assert_string_equal(s_of(it, "found"), "1234567.8");
	it = find(r, "values", "Account", A1, "tier");
	assert_non_null(it);
	assert_string_equal(s_of(it, "expected"), "Gold");
	assert_string_equal(s_of(it, "found"), "Silver");
	assert_int_equal(num(object_of(r, "Account"), "mismatched"), 2);
	assert_int_equal(num(object_of(r, "Contact"), "missing"), 1);
	assert_int_equal(num(object_of(r, "Contact"), "wrong_references"), 1);
	/* Counts stay balanced: the ledger did not change. */
	assert_true(json_is_true(json_object_get(r, "balanced")));
	(void)c1;
	fx_close(&f);
}

/*
 * Notes, tasks, list entries, links, lists of record types.
 */

static const char kinds_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    record_type_attribute: kind\n"
    "    record_types:\n"
    "      Partner: {option: Partner, list: partners}\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      LastName: {to: name, type: name, part: last_name}\n"
    "      Email: {to: email_addresses, type: email}\n"
    "  Opportunity:\n"
    "    to: deals\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      StageName: {to: stage, type: status}\n"
    "      OwnerId: {to: owner, type: owner}\n"
    "  Task:\n"
    "    to: notes\n"
    "    open: tasks\n"
    "    closed: notes\n"
    "    two_parents: both\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      Description: {to: content, type: text}\n"
    "      WhatId: {to: parent, type: reference}\n"
    "      WhoId: {to: parent, type: reference}\n"
    "      ActivityDate: {to: created_at, type: date}\n"
    "  CampaignMember:\n"
    "    to: list_entries\n"
    "    list: campaign_members\n"
    "    fields:\n"
    "      ContactId: {to: parent, type: reference, object: people}\n"
    "  OpportunityContactRole:\n"
    "    to: links\n"
    "    link: {record: OpportunityId, attribute: associated_people, "
    "add: ContactId}\n"
    "owners:\n"
    "  match: table\n"
    "  table:\n"
    "    \"005000000000001AAA\": ada@ferry.test\n";

#define D1 "006000000000001AAA"
#define T1 "00T000000000001AAA" /* closed, on A1 and C1: two notes */
#define T2 "00T000000000002AAA" /* open: a task linked to A3 and C2 */
#define M1 "00v000000000001AAA"
#define M2 "00v000000000002AAA"
#define R1 "00K000000000001AAA"

static void list(struct fx *f, const char *slug, const char *parent)
{
	char *body = ferry_xasprintf(
	    "{\"data\":{\"name\":\"%s\",\"api_slug\":\"%s\","
	    "\"parent_object\":\"%s\",\"workspace_access\":\"full-access\","
	    "\"workspace_member_access\":[]}}",
	    slug, slug, parent);

	json_decref(api(f, "POST", "/v2/lists", body));
	free(body);
}

static void kinds(struct fx *f)
{
	json_decref(
	    api(f, "POST", "/v2/objects/deals/attributes",
	        "{\"data\":{\"title\":\"Salesforce ID\",\"description\":null,"
	        "\"api_slug\":\"salesforce_id\",\"type\":\"text\","
	        "\"is_required\":false,\"is_unique\":true,"
	        "\"is_multiselect\":false,\"config\":{}}}"));
	attribute(f, "kind", "select", "{}");
	json_decref(api(f, "POST",
	                "/v2/objects/companies/attributes/kind/options",
	                "{\"data\":{\"title\":\"Partner\"}}"));
	list(f, "campaign_members", "people");
	list(f, "partners", "companies");
	fx_mapping(f, kinds_yaml);
	fx_stage(f, "RecordType",
	         "[{\"Id\":\"" RT_PTN "\",\"DeveloperName\":\"Partner\","
	         "\"SobjectType\":\"Account\"}]");
	fx_stage(f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\",\"RecordTypeId\":\"" RT_PTN "\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"RecordTypeId\":\"\"}]");
	fx_stage(f, "Contact",
	         "[{\"Id\":\"" C1 "\",\"LastName\":\"One\",\"Email\":"
	         "\"ann@acme.test\"},"
	         " {\"Id\":\"" C2 "\",\"LastName\":\"Two\",\"Email\":"
	         "\"bob@globex.test\"}]");
	fx_stage(f, "Opportunity",
	         "[{\"Id\":\"" D1 "\",\"Name\":\"Renewal\",\"StageName\":"
	         "\"Lead\",\"OwnerId\":\"005000000000001AAA\"}]");
	fx_stage(f, "Task",
	         "[{\"Id\":\"" T1 "\",\"Subject\":\"Call\",\"Description\":"
	         "\"Talked renewals\",\"WhatId\":\"" A1 "\",\"WhoId\":\"" C1
	         "\",\"ActivityDate\":\"2024-03-05\",\"IsClosed\":\"true\"},"
	         " {\"Id\":\"" T2 "\",\"Subject\":\"Send contract\","
	         "\"Description\":\"\",\"WhatId\":\"" A3 "\",\"WhoId\":\"" C2
	         "\",\"ActivityDate\":\"2031-01-10\",\"IsClosed\":\"false\"}]");
	fx_stage(f, "CampaignMember",
	         "[{\"Id\":\"" M1 "\",\"ContactId\":\"" C1 "\"},"
	         " {\"Id\":\"" M2 "\",\"ContactId\":\"" C2 "\"}]");
	fx_stage(f, "OpportunityContactRole",
	         "[{\"Id\":\"" R1 "\",\"OpportunityId\":\"" D1
	         "\",\"ContactId\":\"" C2 "\"}]");
	fx_plan(f);
	fx_load(f);
}

/* The note on its second parent, its parent, a task's link, an entry, a
 * link and a record type's list entry: clean after the run, then each
 * taken away (and a task completed) and each reported. */
static void test_kinds(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row a1, c1, c2, t1, t2, m2, d1;
	const json_t *r, *it, *e;
	json_t *notes, *entries;
	char *path;
	size_t i;

	FERRY_UNUSED(state);
	fx_open(&f, "verify-kinds", args);
	kinds(&f);
	r = fx_verify(&f, false);
	dump_if_not_clean(r);
	assert_int_equal(num(object_of(r, "Task"), "checked"), 2);
	assert_int_equal(num(object_of(r, "CampaignMember"), "checked"), 2);
	assert_int_equal(num(object_of(r, "OpportunityContactRole"), "checked"),
	                 1);
	/* T1's two parents, T2's two links, two entries' parents, the link,
	 * A1's list. */
	assert_int_equal(num(json_object_get(r, "references"), "checked"), 8);

	a1 = ledger(&f, "Account", A1);
	c1 = ledger(&f, "Contact", C1);
	c2 = ledger(&f, "Contact", C2);
	t1 = ledger(&f, "Task", T1);
	t2 = ledger(&f, "Task", T2);
	m2 = ledger(&f, "CampaignMember", M2);
	d1 = ledger(&f, "Opportunity", D1);
	/* T1's copy on its second parent (the person) goes. */
	path = ferry_xasprintf("/v2/notes?parent_object=people&"
	                       "parent_record_id=%s",
	                       c1.dest_id);
	notes = api(&f, "GET", path, NULL);
	free(path);
	assert_int_equal(json_array_size(notes), 1);
	call(&f, "DELETE", NULL, "/v2/notes/",
	     json_string_value(json_object_get(
	         json_object_get(json_array_get(notes, 0), "id"), "note_id")));
	json_decref(notes);
	call(&f, "DELETE", NULL, "/v2/lists/campaign_members/entries/",
	     m2.dest_id);
	call(&f, "PUT", "{\"data\":{\"values\":{\"associated_people\":[]}}}",
	     "/v2/objects/deals/records/", d1.dest_id);
	call(&f, "PATCH", "{\"data\":{\"is_completed\":true}}", "/v2/tasks/",
	     t2.dest_id);
	entries = api(&f, "POST", "/v2/lists/partners/entries/query", "{}");
	assert_int_equal(json_array_size(entries), 1);
	json_array_foreach(entries, i, e)
	    call(&f, "DELETE", NULL, "/v2/lists/partners/entries/",
	         json_string_value(
	             json_object_get(json_object_get(e, "id"), "entry_id")));
	json_decref(entries);

	r = fx_verify(&f, false);
	assert_int_equal(total(r, "missing"), 1);
	it = item(r, "missing", 0);
	assert_string_equal(s_of(it, "object"), "CampaignMember");
	assert_string_equal(s_of(it, "source_id"), M2);
	assert_string_equal(s_of(it, "dest_id"), m2.dest_id);
	assert_int_equal(total(r, "references"), 3);
	it = find(r, "references", "Task", T1, "parent");
	assert_non_null(it);
	assert_string_equal(s_of(it, "expected"), c1.dest_id);
	assert_string_equal(s_of(it, "dest_id"), t1.dest_id);
	it = find(r, "references", "OpportunityContactRole", R1,
	          "associated_people");
	assert_non_null(it);
	assert_string_equal(s_of(it, "expected"), c2.dest_id);
	assert_string_equal(s_of(it, "dest_id"), d1.dest_id);
	assert_string_equal(s_of(it, "found"), "(none)");
	it = find(r, "references", "Account", A1, "list partners");
	assert_non_null(it);
	assert_string_equal(s_of(it, "dest_id"), a1.dest_id);
	assert_int_equal(total(r, "values"), 1);
	it = find(r, "values", "Task", T2, "is_completed");
	assert_non_null(it);
	assert_string_equal(s_of(it, "expected"), "false");
	assert_string_equal(s_of(it, "found"), "true");
	assert_int_equal(total(r, "disagreements"), 0);
	fx_close(&f);
}

/* Reads stay under destination.read_rate: a sandbox that allows 4 reads
 * a second is never exceeded (no 429), and the pages are few: notes 50
 * at a time, records 500. */
static void test_read_budget(void **state)
{
	static const char *const args[] = {"--write-rate", "0", "--read-rate",
	                                   "4", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_buf b = FERRY_BUF_INIT;
	int64_t reads, limited;
	const json_t *r, *rd;
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "verify-budget", args);
	fx_mapping(&f, "version: 1\n"
	               "objects:\n"
	               "  Account:\n"
	               "    to: companies\n"
	               "    match: domains\n"
	               "    fields:\n"
	               "      Name: {to: name, type: text}\n"
	               "      Website: {to: domains, type: domain}\n"
	               "  Task:\n"
	               "    to: notes\n"
	               "    fields:\n"
	               "      Subject: {to: title, type: text}\n"
	               "      WhatId: {to: parent, type: reference}\n");
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\"}]");
	assert_int_equal(ferry_buf_puts(&b, "["), 0);
	for (i = 0; i < 180; i++)
		assert_int_equal(
		    ferry_buf_printf(&b,
		                     "%s{\"Id\":\"00T0000000%05dAAA\","
		                     "\"Subject\":\"Call %d\","
		                     "\"WhatId\":\"" A1 "\"}",
		                     i ? "," : "", i, i),
		    0);
	assert_int_equal(ferry_buf_puts(&b, "]"), 0);
	fx_stage(&f, "Task", b.ptr);
	ferry_buf_release(&b);
	fx_plan(&f);
	f.ho.read_rate = 0; /* the load's reads are not under test */
	fx_load(&f);
	/* The plan's reads of the schema are a second behind. */
	ferry_clock_sleep_us(1100000);
	reads = stat_of(&f, "reads");
	limited = stat_of(&f, "rate_limited");
	f.ho.read_rate = 4;
	r = fx_verify(&f, false);
	dump_if_not_clean(r);
	rd = json_object_get(r, "reads");
	/* members, one page of companies (+1), 180 notes: 4 pages (+1), a
	 * page or two ahead */
	assert_true(num(rd, "requests") >= 6);
	assert_true(num(rd, "requests") <= 10);
	assert_int_equal(stat_of(&f, "reads") - reads, num(rd, "requests"));
	assert_int_equal(stat_of(&f, "rate_limited"), limited);
	/* more than 4 requests at 4 a second take a second at least */
	assert_true(json_real_value(json_object_get(rd, "seconds")) >= 0.9);
	assert_int_equal(num(rd, "records"), 181);
	fx_close(&f);
}

/* Attio gone: the destination's error, not a report. */
static void test_unreachable(void **state)
{
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_verify_opts o;
	json_t *r = NULL;

	FERRY_UNUSED(state);
	fx_open(&f, "verify-unreachable", NULL);
	fx_mapping(&f, accounts_yaml);
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\"}]");
	fx_plan(&f);
	fx_load(&f);
	test_sandbox_stop(&f.sb);
	f.ho.max_attempts = 1;
	memset(&o, 0, sizeof(o));
	o.http = &f.ho;
	o.m = f.m;
	assert_int_equal(ferry_verify_run(&r, f.ws, &o), FERRY_ECONN);
	assert_null(r);
	fx_close(&f);
}

/* The page: self-contained, every value escaped. */
static void test_html(void **state)
{
	struct ferry_buf out = FERRY_BUF_INIT;
	json_t *r = json_pack(
	    "{s:b, s:b, s:b, s:i, s:[{s:s, s:[s], s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:i, s:i, s:i, s:b, s:[], s:i, s:i, s:i}], s:{s:i, s:[{s:s, "
	    "s:s, s:s, s:s, s:s}]}, s:{s:i, s:i, s:[]}, s:{s:i, s:i, s:i, "
	    "s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:s}]}, s:{s:i, s:[]}, "
	    "s:{s:i, s:i, s:f, s:f}}",
	    "online", 1, "clean", 0, "balanced", 1, "sample", 200, "objects",
	    "object", "Acc<script>", "destinations", "companies", "staged", 3,
	    "written", 2, "merged", 0, "held", 1, "skipped", 0, "failed", 0,
	    "pending", 0, "not_run", 0, "disagreements", 0, "balanced", 1,
	    "record_types", "missing", 1, "wrong_references", 0, "mismatched",
	    1, "missing", "total", 1, "items", "object", "Acc<script>",
	    "source_id", "001\"><img src=x>", "dest_object", "companies",
	    "dest_id", "d1", "why", "gone", "references", "total", 0, "checked",
	    4, "items", "values", "total", 1, "records", 2, "compared", 9,
	    "items", "object", "Acc<script>", "source_id", "001", "dest_id",
	    "d2", "attribute", "name", "type", "text", "expected", "A & B",
	    "found", "<b>x</b>", "disagreements", "total", 0, "items", "reads",
	    "requests", 3, "records", 2, "seconds", 0.2, "read_rate", 100.0);

	FERRY_UNUSED(state);
	assert_non_null(r);
	assert_int_equal(ferry_report_verify_html(r, &out), 0);
	assert_non_null(strstr(out.ptr, "Content-Security-Policy"));
	assert_null(strstr(out.ptr, "<script"));
	assert_null(strstr(out.ptr, "<img"));
	assert_null(strstr(out.ptr, "<b>x"));
	assert_non_null(strstr(out.ptr, "Acc&lt;script&gt;"));
	assert_non_null(strstr(out.ptr, "A &amp; B"));
	assert_non_null(strstr(out.ptr, "wrong in Attio"));
	assert_non_null(strstr(out.ptr, "Written, not in Attio"));
	assert_false(ferry_verify_clean(r));
	ferry_buf_release(&out);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decimal),
	    cmocka_unit_test(test_exact_amounts),
	    cmocka_unit_test(test_canon),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test_teardown(test_counts, teardown),
	    cmocka_unit_test_teardown(test_records, teardown),
	    cmocka_unit_test_teardown(test_kinds, teardown),
	    cmocka_unit_test_teardown(test_read_budget, teardown),
	    cmocka_unit_test_teardown(test_unreachable, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
