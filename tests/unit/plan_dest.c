/* plan_dest.c: the plan against the records already at the destination,
 * on the real Attio sandbox: a company with the domain and people with
 * the email, phone or external id of a staged record are matched (a note
 * and "record_id" in the payload), a record with no match is not, two
 * clusters matching one record are held; the snapshot pages past 500
 * records with one query per page; a destination that fails part way
 * (a scripted server) stops the plan with a clear message and leaves the
 * stored plan as it was. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>

#include "ferry/attio.h"
#include "ferry/dedup.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/workspace.h"

static struct ferry_workspace *workspace(const char *name)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	free(dir);
	return ws;
}

/* Stages `object` from records written as JSON with ' for ". */
static void stage(struct ferry_workspace *ws, const char *object,
                  const char *const *records)
{
	struct ferry_stage *st = NULL;
	int64_t count = 0;
	size_t i, k;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; records[i]; i++) {
		char *text = ferry_xstrdup(records[i]);
		json_t *r;

		for (k = 0; text[k]; k++)
			if (text[k] == '\'')
				text[k] = '"';
		r = json_loads(text, 0, NULL);
		if (!r)
			fail_msg("%s record %zu does not parse", object, i);
		assert_int_equal(
		    ferry_stage_add(st,
		                    json_string_value(json_object_get(r, "Id")),
		                    (int64_t)i + 2, r),
		    0);
		json_decref(r);
		free(text);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, (int64_t)i);
}

/* A record at the destination, as a person or email sync made it; its
 * id into `id`. */
static void make(struct ferry_attio *a, const char *object, const char *match,
                 const char *values, char id[64])
{
	struct ferry_attio_result res;
	json_t *v = json_loads(values, 0, NULL);

	assert_non_null(v);
	assert_int_equal(ferry_attio_assert_record(a, object, match, v, &res),
	                 0);
	if (res.http_status != 200 || !res.record_id[0])
		fail_msg("creating %s %s: %ld %s", object, values,
		         res.http_status, res.message);
	snprintf(id, 64, "%s", res.record_id);
	json_decref(v);
}

static struct ferry_mapfile *mapping(const char *text)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	return m;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static json_t *with_code(const json_t *list, const char *code)
{
	json_t *r;
	size_t i;

	json_array_foreach(list, i, r)
	{
		if (!strcmp(str(r, "code"), code))
			return r;
	}
	return NULL;
}

/* The record's decision, its destination record id ("" for none) and
 * the note's message (checked to agree). */
static void expect(struct ferry_workspace *ws, const char *object,
                   const char *id, const char *decision, const char *dest_id,
                   const char *says)
{
	json_t *r = NULL, *note;
	const char *rid;
	char *dump;

	if (ferry_plan_get(&r, ws, object, id) < 0)
		fail_msg("%s %s: %s", object, id, ferry_error_last());
	dump = json_dumps(r, JSON_COMPACT);
	note = with_code(json_object_get(r, "notes"), "exists_in_destination");
	rid = str(json_object_get(r, "payload"), "record_id");
	if (strcmp(str(r, "decision"), decision) || strcmp(rid, dest_id) ||
	    (*dest_id && !note) || (!*dest_id && note))
		fail_msg("%s %s: expected %s into '%s': %s", object, id,
		         decision, dest_id, dump);
	if (note && !strstr(str(note, "message"), dest_id))
		fail_msg("%s %s: the note does not name %s: %s", object, id,
		         dest_id, dump);
	if (says && !strstr(dump, says))
		fail_msg("%s %s: no \"%s\" in %s", object, id, says, dump);
	free(dump);
	json_decref(r);
}

static int64_t matched(const struct ferry_plan_stats *s, const char *object)
{
	size_t i;

	for (i = 0; i < s->n_objects; i++)
		if (!strcmp(s->objects[i].object, object))
			return s->objects[i].matched;
	fail_msg("no stats for %s", object);
	return -1;
}

static int64_t reads(struct ferry_attio *a)
{
	return ferry_http_stats(ferry_attio_http(a))->requests;
}

static const char people_mapping[] =
    "version: 1\n"
    "options:\n"
    "  default_country: US\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      LastName: {to: name, type: name, part: last_name}\n"
    "      Email: {to: email_addresses, type: email}\n"
    "      Phone: {to: phone_numbers, type: phone, country_field: "
    "MailingCountry}\n"
    "      Legacy__c: {to: linkedin, type: text}\n"
    "    dedup:\n"
    "      keys: [email, phone, \"external_id:Legacy__c\"]\n"
    "      survivor: oldest\n";

static void test_matched(void **state)
{
	static const char *const accounts[] = {
	    "{'Id': '001000000000001AAA', 'Name': 'Acme', 'Website': "
	    "'https://www.Acme.com/about'}",
	    "{'Id': '001000000000002AAA', 'Name': 'Globex', 'Website': "
	    "'globex.com'}",
	    NULL};
	static const char *const contacts[] = {
	    /* the email of a person already there */
	    "{'Id': '003000000000001AAA', 'LastName': 'Lovelace', 'Email': "
	    "' Ada@Acme.com', 'CreatedDate': '2020-01-01T00:00:00Z'}",
	    /* nobody there */
	    "{'Id': '003000000000002AAA', 'LastName': 'Nobody', 'Email': "
	    "'bob@nowhere.org', 'CreatedDate': '2020-01-02T00:00:00Z'}",
	    /* the phone of a person there, in the national form */
	    "{'Id': '003000000000003AAA', 'LastName': 'Hopper', 'Email': "
	    "'grace@navy.example.com', 'Phone': '(415) 555-0100', "
	    "'MailingCountry': 'US', 'CreatedDate': '2020-01-03T00:00:00Z'}",
	    /* the external id in a text attribute */
	    "{'Id': '003000000000004AAA', 'LastName': 'Turing', 'Email': "
	    "'alan@bletchley.example.com', 'Legacy__c': 'L-77', "
	    "'CreatedDate': '2020-01-04T00:00:00Z'}",
	    /* two duplicates of a person there: one survivor matched */
	    "{'Id': '003000000000005AAA', 'LastName': 'Noether', 'Email': "
	    "'emmy@math.example.com', 'CreatedDate': '2020-01-05T00:00:00Z'}",
	    "{'Id': '003000000000006AAA', 'LastName': 'Noether', 'Email': "
	    "'EMMY@math.example.com', 'CreatedDate': '2020-01-06T00:00:00Z'}",
	    /* two records of their own, one person there by email and by
	     * phone: both held */
	    "{'Id': '003000000000007AAA', 'LastName': 'Kim', 'Email': "
	    "'kim@acme.com', 'CreatedDate': '2020-01-07T00:00:00Z'}",
	    "{'Id': '003000000000008AAA', 'LastName': 'Kim', 'Email': "
	    "'k.kim@home.example.com', 'Phone': '+1 415 555 0199', "
	    "'CreatedDate': '2020-01-08T00:00:00Z'}",
	    /* a switchboard two people there share: neither is taken */
	    "{'Id': '003000000000009AAA', 'LastName': 'Desk', 'Email': "
	    "'desk@initech.com', 'Phone': '415-555-0123', "
	    "'CreatedDate': '2020-01-09T00:00:00Z'}",
	    NULL};
	static const char *const objects[] = {"companies", "people", NULL};
	struct ferry_attio *a = test_attio_client(test_attio_sb.url, 0);
	struct ferry_workspace *ws = workspace("plan_dest_matched");
	struct ferry_mapfile *m = mapping(people_mapping);
	struct ferry_plan_stats stats;
	struct ferry_plan_opts o;
	json_t *schema = NULL;
	char acme[64], ada[64], grace[64], alan[64], emmy[64], kim[64];
	char other[64];
	int64_t before;

	FERRY_UNUSED(state);
	make(a, "companies", "domains",
	     "{\"domains\": [\"acme.com\"], \"name\": \"Acme Inc\"}", acme);
	make(a, "companies", "domains", "{\"domains\": [\"initech.com\"]}",
	     other);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"ada@acme.com\"]}", ada);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"g.hopper@mail.example.com\"], "
	     "\"phone_numbers\": [\"+14155550100\"]}",
	     grace);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"turing@mail.example.com\"], "
	     "\"linkedin\": \"L-77\"}",
	     alan);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"emmy@math.example.com\"]}", emmy);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"kim@acme.com\"], \"phone_numbers\": "
	     "[\"+14155550199\"]}",
	     kim);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"a@initech.com\"], \"phone_numbers\": "
	     "[\"+14155550123\"]}",
	     other);
	make(a, "people", "email_addresses",
	     "{\"email_addresses\": [\"b@initech.com\"], \"phone_numbers\": "
	     "[\"+14155550123\"]}",
	     other);
	stage(ws, "Account", accounts);
	stage(ws, "Contact", contacts);
	assert_int_equal(ferry_attio_schema(&schema, a, objects), 0);

	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	o.schema = schema;
	o.dest = a;
	before = reads(a);
	if (ferry_plan_run(ws, m, &o, &stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
	/* One query per Attio object, not one per key. */
	assert_int_equal(reads(a) - before, 2);

	expect(ws, "Account", "001000000000001AAA", "write", acme,
	       "matches Attio companies record");
	expect(ws, "Account", "001000000000001AAA", "write", acme,
	       "(same domain 'acme.com'): it is updated, not created");
	expect(ws, "Account", "001000000000002AAA", "write", "", NULL);
	expect(ws, "Contact", "003000000000001AAA", "write", ada,
	       "same email 'ada@acme.com'");
	expect(ws, "Contact", "003000000000002AAA", "write", "", NULL);
	expect(ws, "Contact", "003000000000003AAA", "write", grace,
	       "same phone '+14155550100'");
	expect(ws, "Contact", "003000000000004AAA", "write", alan,
	       "same Legacy__c 'L-77'");
	expect(ws, "Contact", "003000000000005AAA", "write", emmy,
	       "(same email 'emmy@math.example.com')");
	expect(ws, "Contact", "003000000000006AAA", "merged", "", NULL);
	expect(ws, "Contact", "003000000000007AAA", "held", kim,
	       "unique_clash");
	expect(ws, "Contact", "003000000000008AAA", "held", kim,
	       "unique_clash");
	expect(ws, "Contact", "003000000000009AAA", "write", "", NULL);
	assert_int_equal(matched(&stats, "Account"), 1);
	assert_int_equal(matched(&stats, "Contact"), 6);
	ferry_plan_stats_release(&stats);

	/* Offline nothing is matched: the ids go, with their notes. */
	o.dest = NULL;
	o.schema = NULL;
	if (ferry_plan_run(ws, m, &o, &stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
	expect(ws, "Account", "001000000000001AAA", "write", "", NULL);
	expect(ws, "Contact", "003000000000001AAA", "write", "", NULL);
	assert_int_equal(matched(&stats, "Contact"), 0);
	ferry_plan_stats_release(&stats);

	json_decref(schema);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	ferry_attio_free(a);
}

static const char company_mapping[] = "version: 1\n"
                                      "objects:\n"
                                      "  Account:\n"
                                      "    to: companies\n"
                                      "    match: domains\n"
                                      "    fields:\n"
                                      "      Name: {to: name, type: text}\n"
                                      "      Website: {to: domains, type: "
                                      "domain}\n";

/* 1,100 companies at the destination: three pages, the last short. */
static void test_paging(void **state)
{
	static const char *const accounts[] = {
	    "{'Id': '001000000000001AAA', 'Name': 'First', 'Website': "
	    "'co0000.com'}",
	    "{'Id': '001000000000002AAA', 'Name': 'Second page', 'Website': "
	    "'www.co0777.com'}",
	    "{'Id': '001000000000003AAA', 'Name': 'Last', 'Website': "
	    "'co1099.com'}",
	    "{'Id': '001000000000004AAA', 'Name': 'Not there', 'Website': "
	    "'co1100.com'}",
	    NULL};
	struct ferry_attio *a = test_attio_client(test_attio_sb.url, 0);
	struct ferry_workspace *ws = workspace("plan_dest_paging");
	struct ferry_mapfile *m = mapping(company_mapping);
	struct ferry_plan_stats stats;
	struct ferry_plan_opts o;
	char ids[3][64], id[64], values[128];
	int64_t before, t0;
	int i;

	FERRY_UNUSED(state);
	for (i = 0; i < 1100; i++) {
		snprintf(values, sizeof(values),
		         "{\"domains\": [\"co%04d.com\"]}", i);
		make(a, "companies", "domains", values, id);
		if (i == 0 || i == 777 || i == 1099)
			memcpy(ids[i == 0 ? 0 : i == 777 ? 1 : 2], id, 64);
	}
	stage(ws, "Account", accounts);
	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	o.dest = a;
	before = reads(a);
	t0 = ferry_clock_mono_us();
	if (ferry_plan_run(ws, m, &o, &stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
	print_message("snapshot and plan of 1,100 destination records: "
	              "%.2f s\n",
	              (double)(ferry_clock_mono_us() - t0) / 1e6);
	/* offsets 0, 500 and 1000 (a page of 100: the last) */
	assert_int_equal(reads(a) - before, 3);
	expect(ws, "Account", "001000000000001AAA", "write", ids[0], NULL);
	expect(ws, "Account", "001000000000002AAA", "write", ids[1],
	       "same domain 'co0777.com'");
	expect(ws, "Account", "001000000000003AAA", "write", ids[2], NULL);
	expect(ws, "Account", "001000000000004AAA", "write", "", NULL);
	assert_int_equal(matched(&stats, "Account"), 3);
	ferry_plan_stats_release(&stats);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	ferry_attio_free(a);
}

/* A destination whose second page fails. */
static void failing_attio(void *ctx, const struct test_http_request *req,
                          struct test_http_answer *ans)
{
	json_t *body = json_loads(req->body, 0, NULL);
	json_int_t offset = json_integer_value(json_object_get(body, "offset"));
	int i, e = 0;

	FERRY_UNUSED(ctx);
	json_decref(body);
	if (offset > 0) {
		ans->status = 503;
		e = ferry_buf_puts(&ans->body,
		                   "{\"status_code\": 503, \"type\": "
		                   "\"api_error\", \"code\": \"unavailable\", "
		                   "\"message\": \"Service unavailable\"}");
		return;
	}
	e |= ferry_buf_puts(&ans->body, "{\"data\": [");
	for (i = 0; i < 500 && !e; i++)
		e |= ferry_buf_printf(&ans->body,
		                      "%s{\"id\": {\"record_id\": \"rec-%d\"}, "
		                      "\"values\": {\"domains\": [{\"domain\": "
		                      "\"f%d.com\", \"active_until\": null}]}}",
		                      i ? ", " : "", i, i);
	e |= ferry_buf_puts(&ans->body, "]}");
	if (e)
		ans->status = 500;
}

static void test_failure(void **state)
{
	static const char *const accounts[] = {
	    "{'Id': '001000000000001AAA', 'Name': 'F1', 'Website': 'f1.com'}",
	    "{'Id': '001000000000002AAA', 'Name': 'Dup', 'Website': "
	    "'f1.com'}",
	    NULL};
	struct test_http_server *srv = test_http_start(failing_attio, NULL);
	struct ferry_attio *a = test_attio_client(test_http_url(srv), 1);
	struct ferry_workspace *ws = workspace("plan_dest_failure");
	struct ferry_mapfile *m = mapping(company_mapping);
	struct ferry_plan_stats stats;
	struct ferry_plan_opts o;
	struct ferry_dedup_count c1, c2;
	json_t *r1 = NULL, *r2 = NULL;
	int error;

	FERRY_UNUSED(state);
	stage(ws, "Account", accounts);
	memset(&o, 0, sizeof(o));
	memset(&stats, 0, sizeof(stats));
	/* The plan made offline first. */
	if (ferry_plan_run(ws, m, &o, &stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
	ferry_plan_stats_release(&stats);
	assert_int_equal(
	    ferry_plan_get(&r1, ws, "Account", "001000000000001AAA"), 0);
	assert_int_equal(ferry_dedup_counts(ws, "Account", &c1), 0);
	assert_int_equal(c1.by_role[FERRY_DEDUP_MERGED], 1);

	o.dest = a;
	error = ferry_plan_run(ws, m, &o, &stats);
	assert_true(error < 0);
	print_message("%s\n", ferry_error_last());
	assert_non_null(strstr(ferry_error_last(),
	                       "reading the Attio companies records already "
	                       "there (records 501 to 1000)"));
	assert_non_null(strstr(ferry_error_last(), "HTTP 503"));
	assert_non_null(strstr(ferry_error_last(), "Nothing was planned"));
	assert_non_null(strstr(ferry_error_last(), "--offline"));
	assert_int_equal(test_http_count(srv), 2);
	/* The stored plan and dedup rows are the previous ones, whole. */
	assert_int_equal(
	    ferry_plan_get(&r2, ws, "Account", "001000000000001AAA"), 0);
	assert_true(json_equal(r1, r2));
	assert_int_equal(ferry_dedup_counts(ws, "Account", &c2), 0);
	assert_memory_equal(&c1, &c2, sizeof(c1));

	json_decref(r1);
	json_decref(r2);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	ferry_attio_free(a);
	test_http_stop(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_matched, test_attio_up,
	                                    test_attio_down),
	    cmocka_unit_test_setup_teardown(test_paging, test_attio_up,
	                                    test_attio_down),
	    cmocka_unit_test(test_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
