/* plan.c: tests of the plan stage. The sample org, staged and drafted by
 * analyze, planned offline: every staged record has exactly one decision
 * and its planted mess lands where it should. Golden single-record
 * decisions for each rule (filter, value tables, defaults, owners,
 * references, transforms, required and unique attributes, select options)
 * online and offline. Re-planning an unchanged workspace adds no audit
 * events; a stopped plan keeps the previous one. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/analyze.h"
#include "ferry/export.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/workspace.h"

static struct ferry_workspace *open_fresh(const char *name, char **dir_out)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	if (dir_out)
		*dir_out = dir;
	else
		free(dir);
	return ws;
}

/* Stages `object` from records written as JSON with ' for " (each with
 * its Id). */
static void stage(struct ferry_workspace *ws, const char *object,
                  const char *const *records)
{
	struct ferry_stage *st = NULL;
	int64_t count = 0;
	size_t i, k;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; records[i]; i++) {
		char *text = ferry_xstrdup(records[i]);
		json_error_t err;
		json_t *r;

		for (k = 0; text[k]; k++)
			if (text[k] == '\'')
				text[k] = '"';
		if (!(r = json_loads(text, 0, &err)))
			fail_msg("%s record %zu: %s", object, i, err.text);
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

static struct ferry_mapfile *mapping(const char *text)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	return m;
}

static void plan(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                 const json_t *schema, struct ferry_plan_stats *stats)
{
	struct ferry_plan_opts o;

	memset(&o, 0, sizeof(o));
	o.schema = schema;
	memset(stats, 0, sizeof(*stats));
	if (ferry_plan_run(ws, m, &o, stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
}

/* Every staged object: staged = write + merged + held + skipped, from
 * the stored plan. */
static void assert_identity(struct ferry_workspace *ws)
{
	struct ferry_plan_count *c = NULL;
	size_t n = 0, i;
	int d;

	assert_int_equal(ferry_plan_counts(&c, &n, ws), 0);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		int64_t sum = 0;

		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			sum += c[i].by_decision[d];
		if (sum != c[i].staged)
			fail_msg("%s: %" PRId64 " staged, %" PRId64 " decided",
			         c[i].object, c[i].staged, sum);
	}
	free(c);
}

static const struct ferry_plan_object *
stats_of(const struct ferry_plan_stats *s, const char *object)
{
	size_t i;

	for (i = 0; i < s->n_objects; i++)
		if (!strcmp(s->objects[i].object, object))
			return &s->objects[i];
	static const struct ferry_plan_object none;

	fail_msg("no stats for %s", object);
	return &none;
}

static json_t *row(struct ferry_workspace *ws, const char *object,
                   const char *id)
{
	json_t *r = NULL;

	if (ferry_plan_get(&r, ws, object, id) < 0)
		fail_msg("%s %s: %s", object, id, ferry_error_last());
	return r;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The reason (or note) with `code`, or NULL. */
static json_t *with_code(json_t *list, const char *code)
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

/* Asserts the decision of a record, and a reason (or note) code when
 * given; returns the row (caller decrefs). */
static json_t *expect(struct ferry_workspace *ws, const char *object,
                      const char *id, const char *decision, const char *code)
{
	json_t *r = row(ws, object, id);

	if (strcmp(str(r, "decision"), decision))
		fail_msg("%s %s: %s, expected %s: %s", object, id,
		         str(r, "decision"), decision,
		         json_dumps(r, JSON_COMPACT));
	if (code && !with_code(json_object_get(r, "reasons"), code) &&
	    !with_code(json_object_get(r, "notes"), code))
		fail_msg("%s %s: no %s in %s", object, id, code,
		         json_dumps(r, JSON_COMPACT));
	return r;
}

static void expect_only(struct ferry_workspace *ws, const char *object,
                        const char *id, const char *decision, const char *code)
{
	json_decref(expect(ws, object, id, decision, code));
}

static json_t *value(json_t *r, const char *attr)
{
	return json_object_get(
	    json_object_get(json_object_get(r, "payload"), "values"), attr);
}

static int64_t audit_count(struct ferry_workspace *ws);

/*
 * The sample org.
 */

static char *read_text(const char *path)
{
	struct ferry_buf b = FERRY_BUF_INIT;

	assert_int_equal(test_read_file(&b, path), 0);
	return ferry_buf_detach(&b, NULL);
}

/* mapping.yaml drafted by analyze from the sample org. */
static char *sample_org(struct ferry_workspace **ws_out)
{
	char *dir = NULL, *src, *path, *text;
	struct ferry_workspace *ws = open_fresh("plan-sample", &dir);
	json_t *report = NULL;
	struct ferry_analyze_opts ao;

	src = ferry_xasprintf("%s/examples/sample-org", test_source_dir());
	if (ferry_export_stage(ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	memset(&ao, 0, sizeof(ao));
	ao.write_rate = 25;
	assert_int_equal(ferry_analyze_run(&report, ws, &ao), 0);
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	path = ferry_xasprintf("%s/mapping.yaml", dir);
	text = read_text(path);
	json_decref(report);
	free(path);
	free(src);
	free(dir);
	*ws_out = ws;
	return text;
}

static void test_sample_org_draft(void **state)
{
	struct ferry_workspace *ws = NULL;
	char *text = sample_org(&ws);
	struct ferry_mapfile *m = mapping(text);
	struct ferry_plan_stats s;
	const struct ferry_plan_object *acc, *con;
	json_t *r;

	(void)state;
	assert_int_equal(ferry_mapfile_check_fields(m, ws, NULL, NULL), 0);
	plan(ws, m, NULL, &s);
	assert_identity(ws);
	acc = stats_of(&s, "Account");
	con = stats_of(&s, "Contact");
	assert_int_equal(acc->staged, 32);
	assert_int_equal(con->staged, 80);
	assert_int_equal(s.staged, 112);
	/* acme.com x4, globex.com x2, umbrella-corp.co.uk x2,
	 * nordiskfisk.no x2: 10 accounts, 6 merged into 4 survivors. */
	assert_int_equal(acc->by_decision[FERRY_PLAN_MERGED], 6);
	/* Three addresses shared by six contacts. */
	assert_int_equal(con->by_decision[FERRY_PLAN_MERGED], 3);
	/* The sample org stages no User: no owner can be resolved, so every
	 * record not merged is held, and says what releases it. */
	assert_int_equal(acc->by_decision[FERRY_PLAN_HELD], 26);
	assert_int_equal(con->by_decision[FERRY_PLAN_HELD], 77);
	r = expect(ws, "Account", "001Dn00000Cr9LmIAJ", "held",
	           "owner_no_user");
	assert_non_null(strstr(
	    str(with_code(json_object_get(r, "reasons"), "owner_no_user"),
	        "release"),
	    "add 005Dn000001AbCdIAK to owners.table in mapping.yaml"));
	json_decref(r);
	assert_int_equal(s.changed, 112);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	free(text);
	ferry_workspace_free(ws);
}

static void test_sample_org_owned(void **state)
{
	struct ferry_workspace *ws = NULL;
	char *draft = sample_org(&ws), *text;
	struct ferry_mapfile *m;
	struct ferry_plan_stats s;
	const struct ferry_plan_object *acc, *con;
	int64_t events;
	json_t *r, *v;

	(void)state;
	/* A person's edits: the owners' table and a default country. */
	assert_non_null(strstr(draft, "  table: {}"));
	text =
	    ferry_xasprintf("%.*s  table:\n"
	                    "    005Dn000001AbCdIAK: ann@yourco.com\n"
	                    "    005Dn000001QrStIAK: bob@yourco.com\n"
	                    "    005Dn000001XyZwIAK: cy@yourco.com\n"
	                    "options:\n  default_country: US\n",
	                    (int)(strstr(draft, "  table: {}") - draft), draft);
	m = mapping(text);
	plan(ws, m, NULL, &s);
	assert_identity(ws);
	acc = stats_of(&s, "Account");
	con = stats_of(&s, "Contact");
	assert_int_equal(acc->by_decision[FERRY_PLAN_MERGED], 6);
	assert_int_equal(con->by_decision[FERRY_PLAN_MERGED], 3);
	assert_int_equal(acc->by_decision[FERRY_PLAN_SKIPPED], 0);

	/* Acme: four spellings of one website, merged into the oldest. */
	r = expect(ws, "Account", "001Dn00000AbCdEIAV", "write", NULL);
	v = value(r, "domains");
	assert_string_equal(json_string_value(v), "acme.com");
	assert_string_equal(str(r, "match_value"), "acme.com");
	assert_string_equal(json_string_value(value(r, "owner")),
	                    "ann@yourco.com");
	assert_string_equal(str(value(r, "primary_location"), "country_code"),
	                    "US");
	json_decref(r);
	r = expect(ws, "Account", "001Dn00000AbCdFIAV", "merged", "merged");
	assert_string_equal(str(r, "survivor_id"), "001Dn00000AbCdEIAV");
	json_decref(r);
	expect_only(ws, "Account", "001Dn00000Bq3ZtIAJ", "merged", "merged");
	/* Blank websites: no value to match on. */
	expect_only(ws, "Account", "001Dn00000Jt7QaIAJ", "held",
	            "match_missing");
	expect_only(ws, "Account", "001Dn00000Jt7QbIAJ", "held",
	            "match_missing");
	expect_only(ws, "Account", "001Dn00000Yn4FqIAJ", "held",
	            "match_missing");
	/* Websites with no domain, and a personal-email domain. */
	expect_only(ws, "Account", "001Dn00000Nb8UgIAJ", "held",
	            "domain_invalid");
	expect_only(ws, "Account", "001Dn00000Rf7YjIAJ", "held",
	            "domain_invalid");
	expect_only(ws, "Account", "001Dn00000Sg2ZkIAJ", "held",
	            "domain_invalid");
	r = expect(ws, "Account", "001Dn00000Kv2WdIAJ", "held",
	           "domain_personal");
	v = with_code(json_object_get(r, "reasons"), "domain_personal");
	assert_string_equal(str(v, "field"), "Website");
	assert_non_null(strstr(str(v, "release"), "ferry queue edit"));
	json_decref(r);

	/* Contacts: invalid emails held with the field, blank ones held
	 * (nothing to match on), the same address merged. */
	r = expect(ws, "Contact", "003Dn00000Y2723IAB", "held",
	           "email_invalid");
	assert_string_equal(
	    str(with_code(json_object_get(r, "reasons"), "email_invalid"),
	        "field"),
	    "Email");
	json_decref(r);
	expect_only(ws, "Contact", "003Dn00000C2871IAB", "held",
	            "email_invalid");
	expect_only(ws, "Contact", "003Dn00000E2945IAB", "held",
	            "email_invalid");
	expect_only(ws, "Contact", "003Dn00000E1169IAB", "held",
	            "match_missing");
	r = expect(ws, "Contact", "003Dn00000b1058IAA", "merged", "merged");
	assert_string_equal(str(r, "survivor_id"), "003Dn00000C1095IAB");
	json_decref(r);
	/* References: to a written account, to a merged one (its
	 * survivor), to a held one and to one never staged (notes). */
	r = expect(ws, "Contact", "003Dn0000001A21IAE", "write", NULL);
	assert_string_equal(str(value(r, "company"), "source_id"),
	                    "001Dn00000AbCdEIAV");
	assert_string_equal(str(value(r, "company"), "source_object"),
	                    "Account");
	assert_string_equal(json_string_value(value(r, "email_addresses")),
	                    "John.Smith@Acme.com");
	assert_string_equal(str(r, "match_value"), "john.smith@acme.com");
	json_decref(r);
	r = expect(ws, "Contact", "003Dn00000C1095IAB", "write", NULL);
	assert_string_equal(str(value(r, "company"), "source_id"),
	                    "001Dn00000AbCdEIAV"); /* AbX7q was merged */
	json_decref(r);
	r = expect(ws, "Contact", "003Dn00000h2168IAA", "write",
	           "link_dropped");
	assert_null(value(r, "company"));
	json_decref(r);
	expect_only(ws, "Contact", "003Dn00000C3759IAB", "write",
	            "link_dropped");

	/* Planning the unchanged workspace again changes nothing. */
	events = audit_count(ws);
	ferry_plan_stats_release(&s);
	plan(ws, m, NULL, &s);
	assert_int_equal(s.changed, 0);
	assert_int_equal(audit_count(ws), events);
	assert_identity(ws);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	free(text);
	free(draft);
	ferry_workspace_free(ws);
}

/*
 * Golden single-record decisions.
 */

static const char golden_mapping[] =
    "version: 1\n"
    "options:\n"
    "  default_country: US\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    filter:\n"
    "      skip_if: {IsDeleted: true}\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: industry, type: select, values: Account.Industry}\n"
    "      Rating: {to: rating, type: select, values: Account.Rating}\n"
    "      Type: {to: account_type, type: select, values: Account.Type}\n"
    "      BillingStreet: {to: primary_location, type: location, part: "
    "line_1}\n"
    "      BillingCity: {to: primary_location, type: location, part: "
    "locality}\n"
    "      BillingCountry: {to: primary_location, type: location, part: "
    "country}\n"
    "      OwnerId: {to: owner, type: owner}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      FirstName: {to: name, type: name, part: first_name}\n"
    "      LastName: {to: name, type: name, part: last_name}\n"
    "      Email: {to: email_addresses, type: email}\n"
    "      AccountId: {to: company, type: reference, object: companies}\n"
    "      OwnerId: {to: owner, type: owner}\n"
    "  Opportunity:\n"
    "    to: deals\n"
    "    match: legacy_id\n"
    "    defaults:\n"
    "      stage: Lead\n"
    "    fields:\n"
    "      Legacy__c: {to: legacy_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      StageName: {to: stage, type: status, values: "
    "Opportunity.StageName}\n"
    "      OwnerId: {to: owner, type: owner}\n"
    "      AccountId: {to: associated_company, type: reference, object: "
    "companies}\n"
    "  Note:\n"
    "    to: notes\n"
    "    fields:\n"
    "      ParentId: {to: parent, type: reference}\n"
    "      Title: {to: title, type: text}\n"
    "  User:\n"
    "    to: null\n"
    "value_tables:\n"
    "  Account.Industry:\n"
    "    unmapped: default\n"
    "    default: Other\n"
    "    values: {Banking: Financial services}\n"
    "  Account.Rating:\n"
    "    unmapped: skip\n"
    "    values: {Hot: Hot}\n"
    "  Account.Type:\n"
    "    unmapped: hold\n"
    "    values: {Customer: Customer}\n"
    "  Opportunity.StageName:\n"
    "    unmapped: hold\n"
    "    values: {Prospecting: Lead, Closed Won: Won}\n"
    "owners:\n"
    "  match: email\n"
    "  table:\n"
    "    \"005000000000003AAA\": table.person@yourco.com\n"
    "    \"005000000000005AAA\": gone@yourco.com\n";

/* Records are written with ' for " (stage() turns them back). */
static const char *const golden_accounts[] = {
    /* A1: written; A2 (newer, same domain) merged into it and gives it
     * its name. */
    "{'Id': '001000000000001AAA', 'Name': '', 'Website': 'acme.com', "
    "'Industry': 'Banking', 'Rating': 'Hot', 'Type': 'Customer', "
    "'BillingStreet': '1 Main St\\nSuite 2', 'BillingCity': 'Springfield', "
    "'BillingCountry': 'USA', 'OwnerId': '005000000000001AAA', "
    "'CreatedDate': '2020-01-01T00:00:00.000Z', 'IsDeleted': 'false'}",
    "{'Id': '001000000000002AAA', 'Name': 'Acme Inc.', 'Website': "
    "'https://www.acme.com/x', 'Industry': 'Mining', 'Rating': 'Hot', "
    "'Type': 'Customer', 'OwnerId': '005000000000001AAA', 'CreatedDate': "
    "'2021-01-01T00:00:00.000Z', 'IsDeleted': 'false'}",
    /* A3: Rating not in its table, whose rule is skip. */
    "{'Id': '001000000000003AAA', 'Name': 'Globex', 'Website': "
    "'globex.com', 'Rating': 'Cold', 'Type': 'Customer', 'OwnerId': "
    "'005000000000001AAA', 'IsDeleted': 'false'}",
    /* A4: Type not in its table, whose rule is hold. */
    "{'Id': '001000000000004AAA', 'Name': 'Initech', 'Website': "
    "'initech.io', 'Rating': 'Hot', 'Type': 'Partner', 'OwnerId': "
    "'005000000000001AAA', 'IsDeleted': 'false'}",
    /* A5: no website to match on. */
    "{'Id': '001000000000005AAA', 'Name': 'Stark', 'Website': '', "
    "'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': '005000000000001AAA', "
    "'IsDeleted': 'false'}",
    /* A6: deleted: the filter leaves it out. */
    "{'Id': '001000000000006AAA', 'Name': 'Gone', 'Website': 'gone.com', "
    "'IsDeleted': 'true', 'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': "
    "'005000000000001AAA'}",
    /* A7: an inactive owner. */
    "{'Id': '001000000000007AAA', 'Name': 'Hooli', 'Website': 'hooli.xyz', "
    "'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': '005000000000002AAA', "
    "'IsDeleted': 'false'}",
    /* A8: an owner by owners.table. */
    "{'Id': '001000000000008AAA', 'Name': 'Stark2', 'Website': 'stark.com', "
    "'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': '005000000000003AAA', "
    "'IsDeleted': 'false'}",
    /* A9: a queue. */
    "{'Id': '001000000000009AAA', 'Name': 'Wayne', 'Website': 'wayne.com', "
    "'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': '00G000000000001AAA', "
    "'IsDeleted': 'false'}",
    /* A10: no such user. */
    "{'Id': '00100000000000AAAA', 'Name': 'Umbrella', 'Website': "
    "'umbrella.com', 'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': "
    "'005000000000009AAA', 'IsDeleted': 'false'}",
    /* A11: an industry the table defaults (Other). */
    "{'Id': '00100000000000BAAA', 'Name': 'Cyberdyne', 'Website': "
    "'cyberdyne.com', 'Industry': 'Mining', 'Rating': 'Hot', 'Type': "
    "'Customer', 'OwnerId': '005000000000001AAA', 'IsDeleted': 'false'}",
    /* A12: an active user who is no member of Attio. */
    "{'Id': '00100000000000CAAA', 'Name': 'Massive', 'Website': "
    "'massive.com', 'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': "
    "'005000000000004AAA', 'IsDeleted': 'false'}",
    /* A13: owners.table names someone who is no member of Attio. */
    "{'Id': '00100000000000DAAA', 'Name': 'Tyrell', 'Website': "
    "'tyrell.com', 'Rating': 'Hot', 'Type': 'Customer', 'OwnerId': "
    "'005000000000005AAA', 'IsDeleted': 'false'}",
    NULL,
};

static const char *const golden_contacts[] = {
    /* To a written account, to a merged one, to a held one, to one
     * never staged; an invalid email; a name from its parts. */
    "{'Id': '003000000000001AAA', 'Email': 'ann.x@acme.com', 'AccountId': "
    "'001000000000001AAA', 'OwnerId': '005000000000001AAA'}",
    "{'Id': '003000000000002AAA', 'Email': 'bob@acme.com', 'AccountId': "
    "'001000000000002AAA', 'OwnerId': '005000000000001AAA'}",
    "{'Id': '003000000000003AAA', 'Email': 'carl@initech.io', 'AccountId': "
    "'001000000000004AAA', 'OwnerId': '005000000000001AAA'}",
    "{'Id': '003000000000004AAA', 'Email': 'dina@nowhere.com', "
    "'AccountId': '001000000000099AAA', 'OwnerId': '005000000000001AAA'}",
    "{'Id': '003000000000005AAA', 'Email': 'not-an-email', 'AccountId': "
    "'', 'OwnerId': '005000000000001AAA'}",
    "{'Id': '003000000000006AAA', 'Email': 'zoe@acme.com', 'AccountId': "
    "'', 'OwnerId': '005000000000001AAA', 'FirstName': 'Zo\\u00eb', "
    "'LastName': 'Sch\\u00e4fer'}",
    NULL,
};

/* Deals: a status through its table, a default stage, no name, a
 * unique clash (L-4 twice), a stage the table lacks. */
#define OPP(id, legacy, name, stage)                                           \
	"{'Id': '" id "', 'Legacy__c': '" legacy "', 'Name': '" name           \
	"', 'StageName': '" stage "', 'OwnerId': '005000000000001AAA', "       \
	"'AccountId': '001000000000001AAA'}"
#define OPPS_2_TO_6                                                            \
	OPP("006000000000002AAA", "L-2", "Deal 2", ""),                        \
	    OPP("006000000000003AAA", "L-3", "", "Closed Won"),                \
	    OPP("006000000000004AAA", "L-4", "Deal 4", "Prospecting"),         \
	    OPP("006000000000005AAA", "L-4", "Deal 5", "Prospecting"),         \
	    OPP("006000000000006AAA", "L-6", "Deal 6", "Weird")

static const char *const golden_opps[] = {
    OPP("006000000000001AAA", "L-1", "Deal 1", "Prospecting"), OPPS_2_TO_6,
    NULL};

static const char *const golden_opps_renamed[] = {
    OPP("006000000000001AAA", "L-1", "Deal 1 (renamed)", "Prospecting"),
    OPPS_2_TO_6, NULL};

static const char *const golden_notes[] = {
    "{'Id': '002000000000001AAA', 'ParentId': '001000000000001AAA', "
    "'Title': 'On a written account'}",
    "{'Id': '002000000000002AAA', 'ParentId': '001000000000004AAA', "
    "'Title': 'On a held account'}",
    "{'Id': '002000000000003AAA', 'ParentId': '001000000000003AAA', "
    "'Title': 'On a skipped account'}",
    "{'Id': '002000000000004AAA', 'ParentId': '', 'Title': 'On nothing'}",
    NULL,
};

static const char *const golden_users[] = {
    "{'Id': '005000000000001AAA', 'Email': 'Ann@YourCo.com', 'IsActive': "
    "'true'}",
    "{'Id': '005000000000002AAA', 'Email': 'old@yourco.com', 'IsActive': "
    "'false'}",
    "{'Id': '005000000000003AAA', 'Email': 'x@yourco.com', 'IsActive': "
    "'true'}",
    "{'Id': '005000000000004AAA', 'Email': 'eve@yourco.com', 'IsActive': "
    "'true'}",
    "{'Id': '005000000000005AAA', 'Email': 'left@yourco.com', 'IsActive': "
    "'false'}",
    NULL,
};

static const char *const one_campaign[] = {"{'Id': '701000000000001AAA'}",
                                           NULL};

static const char golden_schema[] =
    "{\"members\": [{\"email_address\": \"ann@yourco.com\", "
    "\"access_level\": \"admin\"}, {\"email_address\": "
    "\"old@yourco.com\", \"access_level\": \"suspended\"}, "
    "{\"email_address\": \"Table.Person@yourco.com\", \"access_level\": "
    "\"member\"}],"
    " \"attributes\": {"
    "\"companies\": ["
    "{\"api_slug\": \"name\", \"type\": \"text\"},"
    "{\"api_slug\": \"domains\", \"type\": \"domain\", \"is_unique\": true, "
    "\"is_multiselect\": true},"
    "{\"api_slug\": \"industry\", \"type\": \"select\", \"options\": "
    "[{\"title\": \"Financial services\", \"is_archived\": false}, "
    "{\"title\": \"Other\", \"is_archived\": true}]},"
    "{\"api_slug\": \"rating\", \"type\": \"select\", \"options\": "
    "[{\"title\": \"Hot\", \"is_archived\": false}]},"
    "{\"api_slug\": \"account_type\", \"type\": \"select\", \"options\": "
    "[{\"title\": \"Customer\", \"is_archived\": false}]},"
    "{\"api_slug\": \"primary_location\", \"type\": \"location\"},"
    "{\"api_slug\": \"owner\", \"type\": \"actor-reference\"},"
    "{\"api_slug\": \"created_at\", \"type\": \"timestamp\", "
    "\"is_required\": true, \"is_writable\": false}],"
    "\"people\": ["
    "{\"api_slug\": \"name\", \"type\": \"personal-name\"},"
    "{\"api_slug\": \"email_addresses\", \"type\": \"email-address\", "
    "\"is_unique\": true, \"is_multiselect\": true},"
    "{\"api_slug\": \"company\", \"type\": \"record-reference\"},"
    "{\"api_slug\": \"owner\", \"type\": \"actor-reference\"},"
    "{\"api_slug\": \"salesforce_id\", \"type\": \"text\"}],"
    "\"deals\": ["
    "{\"api_slug\": \"name\", \"type\": \"text\", \"is_required\": true, "
    "\"is_writable\": true, \"default_value\": null},"
    "{\"api_slug\": \"stage\", \"type\": \"status\", \"is_required\": "
    "true, \"options\": [{\"title\": \"Lead\", \"is_archived\": false}, "
    "{\"title\": \"Won\", \"is_archived\": true}]},"
    "{\"api_slug\": \"owner\", \"type\": \"actor-reference\", "
    "\"is_required\": true},"
    "{\"api_slug\": \"legacy_id\", \"type\": \"text\", \"is_unique\": "
    "true},"
    "{\"api_slug\": \"associated_company\", \"type\": "
    "\"record-reference\"}]}}";

static struct ferry_workspace *golden_workspace(const char *name)
{
	struct ferry_workspace *ws = open_fresh(name, NULL);

	stage(ws, "Account", golden_accounts);
	stage(ws, "Contact", golden_contacts);
	stage(ws, "Opportunity", golden_opps);
	stage(ws, "Note", golden_notes);
	stage(ws, "User", golden_users);
	stage(ws, "Campaign", one_campaign);
	return ws;
}

/* The decisions that are the same online and offline. */
static void golden_common(struct ferry_workspace *ws)
{
	json_t *r, *v;

	/* Survivor: its own values, gaps filled from what merged into it
	 * (its blank name from A2), the location from its parts. */
	r = expect(ws, "Account", "001000000000001AAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "name")), "Acme Inc.");
	assert_string_equal(json_string_value(value(r, "industry")),
	                    "Financial services");
	v = value(r, "primary_location");
	assert_string_equal(str(v, "line_1"), "1 Main St");
	assert_string_equal(str(v, "line_2"), "Suite 2");
	assert_string_equal(str(v, "locality"), "Springfield");
	assert_string_equal(str(v, "country_code"), "US");
	assert_true(json_is_null(json_object_get(v, "postcode")));
	assert_string_equal(json_string_value(value(r, "owner")),
	                    "Ann@YourCo.com");
	assert_int_equal(strlen(str(r, "payload_sha256")), 64);
	json_decref(r);
	r = expect(ws, "Account", "001000000000002AAA", "merged", "merged");
	assert_string_equal(str(r, "survivor_object"), "Account");
	assert_string_equal(str(r, "survivor_id"), "001000000000001AAA");
	json_decref(r);
	/* Value tables: skip, hold (with the table to fix). */
	r = expect(ws, "Account", "001000000000003AAA", "skipped",
	           "value_skipped");
	v = with_code(json_object_get(r, "reasons"), "value_skipped");
	assert_string_equal(str(v, "field"), "Rating");
	assert_non_null(strstr(str(v, "message"), "'Cold'"));
	json_decref(r);
	r = expect(ws, "Account", "001000000000004AAA", "held",
	           "value_unmapped");
	v = with_code(json_object_get(r, "reasons"), "value_unmapped");
	assert_string_equal(str(v, "field"), "Type");
	assert_non_null(strstr(str(v, "release"),
	                       "add 'Partner' under "
	                       "value_tables.Account.Type in "
	                       "mapping.yaml"));
	json_decref(r);
	expect_only(ws, "Account", "001000000000005AAA", "held",
	            "match_missing");
	/* The filter. */
	r = expect(ws, "Account", "001000000000006AAA", "skipped", "filter");
	v = with_code(json_object_get(r, "reasons"), "filter");
	assert_string_equal(str(v, "field"), "IsDeleted");
	assert_non_null(strstr(str(v, "message"), "skip_if"));
	assert_non_null(strstr(str(v, "message"), "mapping.yaml:9"));
	json_decref(r);
	/* Owners: by the table (by id), a queue, no such user. */
	r = expect(ws, "Account", "001000000000008AAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "owner")),
	                    "table.person@yourco.com");
	json_decref(r);
	r = expect(ws, "Account", "001000000000009AAA", "held", "owner_queue");
	v = with_code(json_object_get(r, "reasons"), "owner_queue");
	assert_string_equal(str(v, "field"), "OwnerId");
	assert_string_equal(str(v, "release"),
	                    "add 00G000000000001AAA to owners.table in "
	                    "mapping.yaml");
	json_decref(r);
	expect_only(ws, "Account", "00100000000000AAAA", "held",
	            "owner_no_user");
	expect_only(ws, "Account", "001000000000007AAA", "held",
	            "owner_inactive");

	/* References: written, merged (its survivor), held and absent
	 * (written without the link, with a note). */
	r = expect(ws, "Contact", "003000000000001AAA", "write", NULL);
	assert_string_equal(str(value(r, "company"), "source_id"),
	                    "001000000000001AAA");
	assert_string_equal(str(value(r, "company"), "target_object"),
	                    "companies");
	json_decref(r);
	r = expect(ws, "Contact", "003000000000002AAA", "write", NULL);
	assert_string_equal(str(value(r, "company"), "source_id"),
	                    "001000000000001AAA");
	json_decref(r);
	r = expect(ws, "Contact", "003000000000003AAA", "write",
	           "link_dropped");
	assert_null(value(r, "company"));
	assert_non_null(
	    strstr(str(with_code(json_object_get(r, "notes"), "link_dropped"),
	               "message"),
	           "is held"));
	json_decref(r);
	r = expect(ws, "Contact", "003000000000004AAA", "write",
	           "link_dropped");
	assert_non_null(
	    strstr(str(with_code(json_object_get(r, "notes"), "link_dropped"),
	               "message"),
	           "not a staged record"));
	json_decref(r);
	/* A value the transform refuses: held, field-level. */
	r = expect(ws, "Contact", "003000000000005AAA", "held",
	           "email_invalid");
	v = with_code(json_object_get(r, "reasons"), "email_invalid");
	assert_string_equal(str(v, "field"), "Email");
	assert_true(*str(v, "message"));
	assert_string_equal(str(v, "release"),
	                    "edit the record in Salesforce and extract "
	                    "again, or set an override with `ferry queue "
	                    "edit`");
	json_decref(r);
	/* A name from its parts. */
	r = expect(ws, "Contact", "003000000000006AAA", "write", NULL);
	assert_string_equal(str(value(r, "name"), "full_name"),
	                    "Zo\xc3\xab Sch\xc3\xa4"
	                    "fer");
	json_decref(r);

	/* Deals: a status through its table, the default for a required
	 * attribute, a required one missing, a unique clash. */
	r = expect(ws, "Opportunity", "006000000000001AAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "stage")), "Lead");
	assert_string_equal(str(r, "match_attribute"), "legacy_id");
	assert_string_equal(str(r, "match_value"), "L-1");
	json_decref(r);
	r = expect(ws, "Opportunity", "006000000000002AAA", "write", "default");
	assert_string_equal(json_string_value(value(r, "stage")), "Lead");
	json_decref(r);
	r = expect(ws, "Opportunity", "006000000000003AAA", "held",
	           "required_missing");
	assert_non_null(strstr(
	    str(with_code(json_object_get(r, "reasons"), "required_missing"),
	        "message"),
	    "deals.name"));
	json_decref(r);
	expect_only(ws, "Opportunity", "006000000000004AAA", "held",
	            "unique_clash");
	expect_only(ws, "Opportunity", "006000000000005AAA", "held",
	            "unique_clash");
	expect_only(ws, "Opportunity", "006000000000006AAA", "held",
	            "value_unmapped");

	/* Notes: a parent the destination requires. */
	r = expect(ws, "Note", "002000000000001AAA", "write", NULL);
	assert_string_equal(str(value(r, "parent"), "source_id"),
	                    "001000000000001AAA");
	json_decref(r);
	expect_only(ws, "Note", "002000000000002AAA", "held", "link_required");
	expect_only(ws, "Note", "002000000000003AAA", "skipped",
	            "link_skipped");
	expect_only(ws, "Note", "002000000000004AAA", "held", "parent_missing");

	/* Objects not migrated. */
	r = expect(ws, "User", "005000000000001AAA", "skipped",
	           "no_destination");
	assert_string_equal(
	    str(json_array_get(json_object_get(r, "reasons"), 0), "message"),
	    "User: no destination in mapping.yaml (to: null)");
	json_decref(r);
	expect_only(ws, "Campaign", "701000000000001AAA", "skipped",
	            "not_in_mapping");
}

static void test_golden_offline(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-golden-offline");
	struct ferry_mapfile *m = mapping(golden_mapping);
	struct ferry_plan_stats s;
	json_t *r;

	(void)state;
	plan(ws, m, NULL, &s);
	assert_identity(ws);
	golden_common(ws);
	/* Offline: a default the table gives is written (options are not
	 * checked), the user's email is taken unchecked. */
	r = expect(ws, "Account", "00100000000000BAAA", "write",
	           "value_default");
	assert_string_equal(json_string_value(value(r, "industry")), "Other");
	json_decref(r);
	r = expect(ws, "Account", "00100000000000CAAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "owner")),
	                    "eve@yourco.com");
	json_decref(r);
	r = expect(ws, "Account", "00100000000000DAAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "owner")),
	                    "gone@yourco.com");
	json_decref(r);
	assert_false(s.online);
	assert_true(s.owners_unchecked > 0);
	assert_int_equal(stats_of(&s, "Account")->n_to_create, 0);
	assert_int_equal(stats_of(&s, "Note")->by_decision[FERRY_PLAN_WRITE],
	                 1);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

static void test_golden_online(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-golden-online");
	struct ferry_mapfile *m = mapping(golden_mapping);
	json_t *schema = json_loads(golden_schema, 0, NULL), *r, *v;
	const struct ferry_plan_object *acc;
	struct ferry_plan_stats s;
	size_t i;
	bool sfid = false;

	(void)state;
	assert_non_null(schema);
	plan(ws, m, schema, &s);
	assert_identity(ws);
	golden_common(ws);
	/* Online: the default option is archived in Attio: held with what
	 * fixes it; an active user who is no member is held. */
	r = expect(ws, "Account", "00100000000000BAAA", "held",
	           "option_missing");
	v = with_code(json_object_get(r, "reasons"), "option_missing");
	assert_string_equal(str(v, "field"), "Industry");
	assert_non_null(
	    strstr(str(v, "release"), "value_tables.Account.Industry"));
	json_decref(r);
	/* A deal stage is a status: an archived one is no stage. */
	r = expect(ws, "Opportunity", "006000000000003AAA", "held",
	           "option_missing");
	v = with_code(json_object_get(r, "reasons"), "option_missing");
	assert_string_equal(str(v, "message"),
	                    "'Won' is not a status of deals.stage in Attio");
	assert_non_null(strstr(str(v, "release"), "add the status 'Won'"));
	json_decref(r);
	expect_only(ws, "Opportunity", "006000000000001AAA", "write", NULL);
	expect_only(ws, "Account", "00100000000000CAAA", "held",
	            "owner_no_member");
	r = expect(ws, "Account", "00100000000000DAAA", "held",
	           "owner_not_member");
	assert_non_null(strstr(
	    str(with_code(json_object_get(r, "reasons"), "owner_not_member"),
	        "message"),
	    "gone@yourco.com"));
	json_decref(r);
	/* An attribute Attio lacks is counted, not held. */
	acc = stats_of(&s, "Account");
	for (i = 0; i < acc->n_to_create; i++)
		sfid = sfid || !strcmp(acc->to_create[i], "salesforce_id");
	assert_true(sfid);
	assert_int_equal(stats_of(&s, "Contact")->n_to_create, 0);
	assert_true(s.online);
	assert_int_equal(s.owners_unchecked, 0);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	json_decref(schema);
	ferry_workspace_free(ws);
}

static int count_event(const struct ferry_audit_event *e, void *payload)
{
	(void)e;
	(*(int64_t *)payload)++;
	return 0;
}

static int64_t audit_count(struct ferry_workspace *ws)
{
	int64_t n = 0;

	assert_int_equal(ferry_audit_foreach(ws, NULL, NULL, count_event, &n),
	                 0);
	return n;
}

static int64_t audit_count_of(struct ferry_workspace *ws, const char *object,
                              const char *id)
{
	int64_t n = 0;

	assert_int_equal(ferry_audit_foreach(ws, object, id, count_event, &n),
	                 0);
	return n;
}

static void test_replan_audit(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-replan");
	struct ferry_mapfile *m = mapping(golden_mapping);
	struct ferry_plan_stats s;
	int64_t events;

	(void)state;
	plan(ws, m, NULL, &s);
	/* The first plan: an event per decision. */
	assert_int_equal(s.changed, s.staged);
	events = audit_count(ws);
	assert_true(events >= s.staged);
	assert_int_equal(audit_count_of(ws, "Account", "001000000000001AAA"),
	                 1);
	ferry_plan_stats_release(&s);
	/* Unchanged: no event at all. */
	plan(ws, m, NULL, &s);
	assert_int_equal(s.changed, 0);
	assert_int_equal(audit_count(ws), events);
	ferry_plan_stats_release(&s);
	/* One deal renamed: one event, for it. */
	stage(ws, "Opportunity", golden_opps_renamed);
	plan(ws, m, NULL, &s);
	assert_int_equal(s.changed, 1);
	assert_int_equal(stats_of(&s, "Opportunity")->changed, 1);
	assert_int_equal(audit_count(ws), events + 1);
	assert_int_equal(
	    audit_count_of(ws, "Opportunity", "006000000000001AAA"), 2);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

/*
 * Dedup rules the plan follows: dedup.fields all and dedup.undecided.
 */

static const char dedup_mapping[] =
    "version: 1\n"
    "options:\n"
    "  default_country: US\n"
    "objects:\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "      Phone: {to: phone_numbers, type: phone, country_field: "
    "MailingCountry}\n"
    "      MobilePhone: {to: phone_numbers, type: phone, country_field: "
    "MailingCountry}\n"
    "      Title: {to: job_title, type: text}\n"
    "    dedup:\n"
    "      keys: [email]\n"
    "      survivor: oldest\n"
    "      fields:\n"
    "        phone_numbers: all\n"
    "        email_addresses: all\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Website: {to: domains, type: domain}\n"
    "      Name: {to: name, type: text}\n"
    "    dedup:\n"
    "      keys: [domain]\n"
    "      survivor: most_complete\n"
    "      undecided: newest\n";

static const char *const dedup_contacts[] = {
    /* The survivor (the oldest): its two phones are one number. */
    "{'Id': '003000000000001AAA', 'Email': 'ada@acme.com', 'Phone': '+1 "
    "415 555 0100', 'MobilePhone': '(415) 555-0100', 'MailingCountry': "
    "'US', 'Title': 'CTO', 'CreatedDate': '2020-01-01T00:00:00.000Z'}",
    /* A national number of its own country (GB, not the survivor's);
     * its email, differently cased, is the survivor's. */
    "{'Id': '003000000000002AAA', 'Email': 'ADA@acme.com', 'Phone': '020 "
    "7946 0958', 'MailingCountry': 'GB', 'CreatedDate': "
    "'2021-01-01T00:00:00.000Z'}",
    /* The survivor's number written another way, and a new mobile. */
    "{'Id': '003000000000003AAA', 'Email': 'ada@acme.com', 'Phone': "
    "'415.555.0100', 'MobilePhone': '+1 646 555 0199', 'MailingCountry': "
    "'US', 'CreatedDate': '2022-01-01T00:00:00.000Z'}",
    NULL,
};

static const char *const dedup_accounts[] = {
    /* As complete as each other, no dates: undecided newest takes the
     * last staged. */
    "{'Id': '001000000000001AAA', 'Website': 'acme.com', 'Name': 'Acme'}",
    "{'Id': '001000000000002AAA', 'Website': 'www.acme.com', 'Name': "
    "'Acme Inc.'}",
    NULL,
};

static void test_dedup_rules(void **state)
{
	struct ferry_workspace *ws = open_fresh("plan-dedup-rules", NULL);
	struct ferry_mapfile *m = mapping(dedup_mapping);
	struct ferry_plan_stats s;
	json_t *r, *phones, *want;
	const char *at;
	char *text;

	(void)state;
	stage(ws, "Contact", dedup_contacts);
	stage(ws, "Account", dedup_accounts);
	plan(ws, m, NULL, &s);
	assert_identity(ws);
	ferry_plan_stats_release(&s);
	expect_only(ws, "Contact", "003000000000002AAA", "merged", "merged");
	expect_only(ws, "Contact", "003000000000003AAA", "merged", "merged");
	r = expect(ws, "Contact", "003000000000001AAA", "write", NULL);
	/* Every distinct number of the three, the survivor's first, each
	 * read with its own record's country, none twice. */
	phones = value(r, "phone_numbers");
	want = json_pack("[s, {s:s, s:s}, s]", "+14155550100",
	                 "original_phone_number", "020 7946 0958",
	                 "country_code", "GB", "+16465550199");
	if (!json_equal(phones, want))
		fail_msg("phone_numbers: %s", json_dumps(phones, JSON_COMPACT));
	json_decref(want);
	/* One address, however it is cased. */
	assert_string_equal(json_string_value(value(r, "email_addresses")),
	                    "ada@acme.com");
	json_decref(r);
	r = expect(ws, "Account", "001000000000002AAA", "write", NULL);
	assert_string_equal(json_string_value(value(r, "name")), "Acme Inc.");
	json_decref(r);
	expect_only(ws, "Account", "001000000000001AAA", "merged", "merged");

	/* The same input plans the same payloads: nothing changes. */
	plan(ws, m, NULL, &s);
	assert_int_equal(s.changed, 0);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);

	/* 'all' on an attribute that holds one value is refused, with its
	 * line. */
	text = ferry_xasprintf("%s", dedup_mapping);
	memcpy(strstr(text, "email_addresses: all"), "job_title: all      ",
	       20);
	m = NULL;
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)),
	    FERRY_ECONFIG);
	assert_null(m);
	assert_string_equal(ferry_error_last(),
	                    "mapping.yaml:18: Contact.dedup.fields: "
	                    "'job_title' holds one text value, so 'all' "
	                    "cannot keep every record's: use survivor, "
	                    "oldest, newest or most_complete");
	free(text);
	/* Nor on a reference: its values are other records. */
	at = strstr(dedup_mapping, "type: text}");
	text =
	    ferry_xasprintf("%.*stype: reference}%s", (int)(at - dedup_mapping),
	                    dedup_mapping, at + strlen("type: text}"));
	memcpy(strstr(text, "email_addresses: all"), "job_title: all      ",
	       20);
	m = NULL;
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)),
	    FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(),
	                       "mapping.yaml:18: Contact.dedup.fields: "
	                       "'job_title' is a reference"));
	free(text);
	ferry_workspace_free(ws);
}

static volatile sig_atomic_t stop_flag;

static void stop_now(const struct ferry_plan_progress *p, void *payload)
{
	(void)p;
	(void)payload;
	stop_flag = 1;
}

/* A plan stopped in the middle of an object keeps that object's previous
 * plan whole; the objects done before it have their new one. */
static void test_stopped(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-stopped");
	struct ferry_mapfile *m = mapping(golden_mapping);
	struct ferry_mapfile *m2;
	struct ferry_plan_stats s;
	struct ferry_plan_opts o;
	char *text;
	json_t *r;

	(void)state;
	plan(ws, m, NULL, &s);
	ferry_plan_stats_release(&s);
	/* Now every deal's stage is held (no table entry for it)... */
	text = ferry_xasprintf("%s", golden_mapping);
	memcpy(strstr(text, "Prospecting: Lead"), "Prospectinx", 11);
	m2 = mapping(text);
	/* ...but the plan stops after the first object it plans. */
	memset(&o, 0, sizeof(o));
	stop_flag = 0;
	o.progress = stop_now;
	o.stop = &stop_flag;
	memset(&s, 0, sizeof(s));
	assert_int_equal(ferry_plan_run(ws, m2, &o, &s), FERRY_EHALTED);
	assert_identity(ws);
	r = expect(ws, "Opportunity", "006000000000001AAA", "write", NULL);
	json_decref(r);
	stop_flag = 0;
	o.progress = NULL;
	assert_int_equal(ferry_plan_run(ws, m2, &o, &s), 0);
	expect_only(ws, "Opportunity", "006000000000001AAA", "held",
	            "value_unmapped");
	assert_identity(ws);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m2);
	ferry_mapfile_free(m);
	free(text);
	ferry_workspace_free(ws);
}

/*
 * Activities, links and case comments.
 */

static const char activities_mapping[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Website: {to: domains, type: domain}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "  Lead:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "  Opportunity:\n"
    "    to: deals\n"
    "    match: legacy_id\n"
    "    defaults: {stage: Lead, owner: ops@yourco.com}\n"
    "    fields:\n"
    "      Legacy__c: {to: legacy_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "  Task:\n"
    "    to: notes\n"
    "    open: tasks\n"
    "    two_parents: both\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      WhatId: {to: parent, type: reference}\n"
    "      WhoId: {to: parent, type: reference}\n"
    "  Case:\n"
    "    to: notes\n"
    "    comments: CaseComment\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      AccountId: {to: parent, type: reference, object: companies}\n"
    "  CaseComment:\n"
    "    to: null\n"
    "  OpportunityContactRole:\n"
    "    to: links\n"
    "    link: {record: OpportunityId, attribute: associated_people, add: "
    "ContactId}\n";

static void test_activities_links_comments(void **state)
{
	static const char *const accounts[] = {
	    "{'Id': '001000000000001AAA', 'Website': 'acme.com'}",
	    "{'Id': '001000000000002AAA', 'Website': ''}", NULL};
	static const char *const contacts[] = {
	    "{'Id': '003000000000001AAA', 'Email': 'a@acme.com'}", NULL};
	/* Leads are matched against contacts first (the key their match
	 * implies): the same email is one person. */
	static const char *const leads[] = {
	    "{'Id': '00Q000000000001AAA', 'Email': 'A@Acme.com'}",
	    "{'Id': '00Q000000000002AAA', 'Email': 'new@lead.com'}", NULL};
	static const char *const opps[] = {
	    "{'Id': '006000000000001AAA', 'Legacy__c': 'L-1', 'Name': 'Deal'}",
	    NULL};
	static const char *const tasks[] = {
	    /* closed, on both parents; open (a task); closed, one parent
	     * held */
	    "{'Id': '00T000000000001AAA', 'Subject': 'Call', 'IsClosed': "
	    "'true', 'WhatId': '001000000000001AAA', 'WhoId': "
	    "'003000000000001AAA'}",
	    "{'Id': '00T000000000002AAA', 'Subject': 'Follow up', 'IsClosed': "
	    "'false', 'WhatId': '001000000000001AAA', 'WhoId': ''}",
	    "{'Id': '00T000000000003AAA', 'Subject': 'Lunch', 'IsClosed': "
	    "'true', 'WhatId': '001000000000002AAA', 'WhoId': "
	    "'003000000000001AAA'}",
	    NULL};
	static const char *const cases[] = {
	    "{'Id': '500000000000001AAA', 'Subject': 'Broken', 'AccountId': "
	    "'001000000000001AAA'}",
	    "{'Id': '500000000000002AAA', 'Subject': 'Lost', 'AccountId': "
	    "'001000000000002AAA'}",
	    NULL};
	static const char *const comments[] = {
	    "{'Id': '00a000000000001AAA', 'ParentId': '500000000000001AAA', "
	    "'CommentBody': 'Fixed', 'CreatedDate': "
	    "'2024-01-01T00:00:00.000Z'}",
	    "{'Id': '00a000000000002AAA', 'ParentId': '500000000000002AAA', "
	    "'CommentBody': 'Still lost', 'CreatedDate': "
	    "'2024-01-02T00:00:00.000Z'}",
	    NULL};
	static const char *const roles[] = {
	    "{'Id': '00K000000000001AAA', 'OpportunityId': "
	    "'006000000000001AAA', 'ContactId': '003000000000001AAA'}",
	    "{'Id': '00K000000000002AAA', 'OpportunityId': "
	    "'006000000000001AAA', 'ContactId': '003000000000099AAA'}",
	    NULL};
	struct ferry_workspace *ws = open_fresh("plan-activities", NULL);
	struct ferry_mapfile *m = mapping(activities_mapping);
	struct ferry_plan_stats s;
	json_t *r, *v;

	(void)state;
	stage(ws, "Account", accounts);
	stage(ws, "Contact", contacts);
	stage(ws, "Lead", leads);
	stage(ws, "Opportunity", opps);
	stage(ws, "Task", tasks);
	stage(ws, "Case", cases);
	stage(ws, "CaseComment", comments);
	stage(ws, "OpportunityContactRole", roles);
	plan(ws, m, NULL, &s);
	assert_identity(ws);

	r = expect(ws, "Lead", "00Q000000000001AAA", "merged", "merged");
	assert_string_equal(str(r, "survivor_object"), "Contact");
	assert_string_equal(str(r, "survivor_id"), "003000000000001AAA");
	json_decref(r);
	expect_only(ws, "Lead", "00Q000000000002AAA", "write", NULL);

	/* Closed history on both parents: one note per parent. */
	r = expect(ws, "Task", "00T000000000001AAA", "write", NULL);
	assert_string_equal(str(r, "dest_object"), "notes");
	v = value(r, "parent");
	assert_int_equal(json_array_size(v), 2);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(r, "payload"), "copies")),
	                 2);
	json_decref(r);
	/* Open work: an Attio task. */
	r = expect(ws, "Task", "00T000000000002AAA", "write", NULL);
	assert_string_equal(str(r, "dest_object"), "tasks");
	assert_string_equal(json_string_value(value(r, "content")),
	                    "Follow up");
	assert_string_equal(
	    str(json_array_get(value(r, "linked_records"), 0), "source_id"),
	    "001000000000001AAA");
	assert_true(json_is_false(value(r, "is_completed")));
	assert_null(value(r, "title"));
	json_decref(r);
	/* One parent held: the copy on the other, with a note. */
	r = expect(ws, "Task", "00T000000000003AAA", "write", "link_dropped");
	assert_string_equal(str(value(r, "parent"), "source_id"),
	                    "003000000000001AAA");
	json_decref(r);

	/* Cases as notes: their comments go into them, or wait with them. */
	expect_only(ws, "Case", "500000000000001AAA", "write", NULL);
	expect_only(ws, "Case", "500000000000002AAA", "held", "link_required");
	r = expect(ws, "CaseComment", "00a000000000001AAA", "merged",
	           "comment_appended");
	assert_string_equal(str(r, "survivor_id"), "500000000000001AAA");
	json_decref(r);
	expect_only(ws, "CaseComment", "00a000000000002AAA", "held",
	            "case_held");

	/* Links: a contact added to a deal; a contact never staged. */
	r = expect(ws, "OpportunityContactRole", "00K000000000001AAA", "write",
	           NULL);
	v = json_object_get(json_object_get(r, "payload"), "link");
	assert_string_equal(str(v, "attribute"), "associated_people");
	assert_string_equal(str(json_object_get(v, "record"), "source_id"),
	                    "006000000000001AAA");
	assert_string_equal(str(json_object_get(v, "add"), "source_id"),
	                    "003000000000001AAA");
	json_decref(r);
	expect_only(ws, "OpportunityContactRole", "00K000000000002AAA",
	            "skipped", "link_skipped");
	expect_only(ws, "Opportunity", "006000000000001AAA", "write", NULL);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

/* Top reasons group by field and code, most common first. */
static int on_top(const char *field, const char *code, const char *message,
                  const char *release, int64_t count, void *payload)
{
	json_t *list = payload;

	(void)release;
	json_array_append_new(list,
	                      json_pack("{s:s, s:s, s:s, s:I}", "field", field,
	                                "code", code, "message", message,
	                                "count", (json_int_t)count));
	return 0;
}

/* A national phone number with no country anywhere: held, and the
 * release names the mapping's default_country, not the record. */
static void test_phone_no_country_release(void **state)
{
	static const char *const contacts[] = {
	    "{'Id': '003000000000001AAA', 'Email': 'ada@acme.com', 'Phone': "
	    "'(415) 555-0100'}",
	    NULL};
	struct ferry_workspace *ws = open_fresh("plan-phone-country", NULL);
	struct ferry_mapfile *m =
	    mapping("version: 1\n"
	            "objects:\n"
	            "  Contact:\n"
	            "    to: people\n"
	            "    match: email_addresses\n"
	            "    fields:\n"
	            "      Email: {to: email_addresses, type: email}\n"
	            "      Phone: {to: phone_numbers, type: phone}\n");
	struct ferry_plan_stats s;
	json_t *r;

	(void)state;
	stage(ws, "Contact", contacts);
	plan(ws, m, NULL, &s);
	r = expect(ws, "Contact", "003000000000001AAA", "held",
	           "phone_no_country");
	assert_non_null(strstr(
	    str(with_code(json_object_get(r, "reasons"), "phone_no_country"),
	        "release"),
	    "options.default_country"));
	json_decref(r);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

/* Notes dated ahead of the run: Attio refuses a note whose created_at
 * is in the future, so the plan holds it (created_at_future) with the
 * value and what releases it; a minute's clock skew is let through, and
 * open work that becomes an Attio task may be due ahead. */
static const char future_mapping[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Website: {to: domains, type: domain}\n"
    "  Task:\n"
    "    to: notes\n"
    "    open: tasks\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      WhatId: {to: parent, type: reference}\n"
    "      ActivityDate: {to: created_at, type: date}\n"
    "  Event:\n"
    "    to: notes\n"
    "    fields:\n"
    "      Subject: {to: title, type: text}\n"
    "      WhatId: {to: parent, type: reference}\n";

static void test_future_notes(void **state)
{
	static const char *const accounts[] = {
	    "{'Id': '001000000000001AAA', 'Website': 'acme.com'}", NULL};
	/* closed and dated ahead: a note, held; open and dated ahead: a
	 * task due then; closed in the past: a note */
	static const char *const tasks[] = {
	    "{'Id': '00T000000000001AAA', 'Subject': 'Call', 'IsClosed': "
	    "'true', 'WhatId': '001000000000001AAA', 'ActivityDate': "
	    "'2999-01-01'}",
	    "{'Id': '00T000000000002AAA', 'Subject': 'Next', 'IsClosed': "
	    "'false', 'WhatId': '001000000000001AAA', 'ActivityDate': "
	    "'2999-01-01'}",
	    "{'Id': '00T000000000003AAA', 'Subject': 'Done', 'IsClosed': "
	    "'true', 'WhatId': '001000000000001AAA', 'ActivityDate': "
	    "'2001-01-01'}",
	    NULL};
	int64_t now = ferry_clock_wall_us();
	char soon[40], later[40];
	char *events[4];
	struct ferry_workspace *ws = open_fresh("plan-future", NULL);
	char *text = ferry_xasprintf(
	    "%s      StartDateTime: {to: created_at, type: timestamp}\n",
	    future_mapping);
	struct ferry_mapfile *m = mapping(text), *dropped;
	struct ferry_plan_stats s;
	json_t *r, *why;

	(void)state;
	/* 30 s ahead: within the skew; 10 minutes ahead: refused */
	ferry_clock_iso8601(now + 30 * 1000000LL, soon, sizeof(soon));
	ferry_clock_iso8601(now + 600 * 1000000LL, later, sizeof(later));
	events[0] = ferry_xasprintf(
	    "{'Id': '00U000000000001AAA', 'Subject': 'Soon', 'WhatId': "
	    "'001000000000001AAA', 'StartDateTime': '%s'}",
	    soon);
	events[1] = ferry_xasprintf(
	    "{'Id': '00U000000000002AAA', 'Subject': 'Later', 'WhatId': "
	    "'001000000000001AAA', 'StartDateTime': '%s'}",
	    later);
	events[2] = ferry_xstrdup(
	    "{'Id': '00U000000000003AAA', 'Subject': 'Past', 'WhatId': "
	    "'001000000000001AAA', 'StartDateTime': "
	    "'2024-01-15T18:25:32.000Z'}");
	events[3] = NULL;
	stage(ws, "Account", accounts);
	stage(ws, "Task", tasks);
	stage(ws, "Event", (const char *const *)events);
	plan(ws, m, NULL, &s);
	assert_identity(ws);

	r = expect(ws, "Task", "00T000000000001AAA", "held",
	           "created_at_future");
	why = with_code(json_object_get(r, "reasons"), "created_at_future");
	assert_string_equal(str(why, "field"), "ActivityDate");
	assert_non_null(strstr(str(why, "message"), "2999-01-01"));
	assert_non_null(strstr(str(why, "message"), "in the future"));
	assert_non_null(strstr(str(why, "release"),
	                       "ferry queue retry --code created_at_future"));
	assert_non_null(strstr(str(why, "release"), "ActivityDate"));
	json_decref(r);
	r = expect(ws, "Task", "00T000000000002AAA", "write", NULL);
	assert_string_equal(str(r, "dest_object"), "tasks");
	assert_non_null(
	    strstr(json_string_value(value(r, "deadline_at")), "2999-01-01"));
	json_decref(r);
	expect_only(ws, "Task", "00T000000000003AAA", "write", NULL);

	expect_only(ws, "Event", "00U000000000001AAA", "write", NULL);
	r = expect(ws, "Event", "00U000000000002AAA", "held",
	           "created_at_future");
	why = with_code(json_object_get(r, "reasons"), "created_at_future");
	assert_string_equal(str(why, "field"), "StartDateTime");
	assert_non_null(strstr(str(why, "message"), later));
	/* Event's open work could become tasks: the release says so */
	assert_non_null(strstr(str(why, "release"), "open: tasks"));
	json_decref(r);
	expect_only(ws, "Event", "00U000000000003AAA", "write", NULL);
	ferry_plan_stats_release(&s);
	/* Planned again, unchanged: the same reasons, nothing to audit. */
	plan(ws, m, NULL, &s);
	assert_int_equal(s.changed, 0);
	ferry_plan_stats_release(&s);

	/* Released by the mapping: the date no longer goes to created_at. */
	free(text);
	text = ferry_xstrdup(future_mapping);
	dropped = mapping(text);
	plan(ws, dropped, NULL, &s);
	r = expect(ws, "Event", "00U000000000002AAA", "write", NULL);
	assert_null(value(r, "created_at"));
	json_decref(r);
	ferry_plan_stats_release(&s);

	ferry_mapfile_free(dropped);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
	free(text);
	free(events[0]);
	free(events[1]);
	free(events[2]);
}

static void test_top_reasons(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-top");
	struct ferry_mapfile *m = mapping(golden_mapping);
	struct ferry_plan_stats s;
	json_t *list = json_array();

	(void)state;
	plan(ws, m, NULL, &s);
	assert_int_equal(ferry_plan_top_reasons(ws, "Opportunity",
	                                        FERRY_PLAN_HELD, 10, on_top,
	                                        list),
	                 0);
	assert_string_equal(str(json_array_get(list, 0), "code"),
	                    "unique_clash");
	assert_int_equal(json_integer_value(
	                     json_object_get(json_array_get(list, 0), "count")),
	                 2);
	json_array_clear(list);
	assert_int_equal(ferry_plan_top_reasons(ws, "Contact", FERRY_PLAN_WRITE,
	                                        10, on_top, list),
	                 0);
	assert_string_equal(str(json_array_get(list, 0), "code"),
	                    "link_dropped");
	assert_int_equal(json_integer_value(
	                     json_object_get(json_array_get(list, 0), "count")),
	                 2);
	json_decref(list);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

/*
 * The most common reasons, read in C, against the SQL that grouped them
 * before (the oracle): the same groups, counts, order and least message
 * and release, for reasons written with escapes, \u sequences, keys in
 * another order, spaces, several per record and no release.
 */

static sqlite3 *raw_db(struct ferry_workspace *ws)
{
	char *path = ferry_xasprintf("%s/.ferry/%s", ferry_workspace_root(ws),
	                             FERRY_WORKSPACE_DB);
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	free(path);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_free(msg);
}

/* What the SQL grouping gave, as on_top's list. */
static json_t *oracle(sqlite3 *db, const char *object, const char *decision)
{
	const char *col = strcmp(decision, "write") ? "reasons" : "notes";
	char *sql = ferry_xasprintf(
	    "SELECT coalesce(json_extract(j.value, '$.field'), '') AS f, "
	    "coalesce(json_extract(j.value, '$.code'), '') AS c, count(*) AS "
	    "n, min(json_extract(j.value, '$.message')), "
	    "min(json_extract(j.value, '$.release')) FROM plan p, "
	    "json_each(p.%s) j WHERE p.object = ?1 AND p.decision = ?2 "
	    "GROUP BY f, c ORDER BY n DESC, f, c LIMIT 8",
	    col);
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, decision, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 3);
		const char *r = (const char *)sqlite3_column_text(st, 4);

		json_array_append_new(
		    list,
		    json_pack("{s:s, s:s, s:s, s:s, s:I}", "field",
		              (const char *)sqlite3_column_text(st, 0), "code",
		              (const char *)sqlite3_column_text(st, 1),
		              "message", m ? m : "", "release", r ? r : "",
		              "count",
		              (json_int_t)sqlite3_column_int64(st, 2)));
	}
	sqlite3_finalize(st);
	free(sql);
	return list;
}

static int on_top_full(const char *field, const char *code, const char *message,
                       const char *release, int64_t count, void *payload)
{
	json_array_append_new(
	    payload, json_pack("{s:s, s:s, s:s, s:s, s:I}", "field", field,
	                       "code", code, "message", message, "release",
	                       release, "count", (json_int_t)count));
	return 0;
}

/* ferry_plan_all_top_reasons' groups as {"object decision": [...]}. */
static int on_all(const struct ferry_plan_reason_group *g, void *payload)
{
	char key[128];
	json_t *list;

	snprintf(key, sizeof(key), "%s %s", g->object,
	         ferry_plan_decision_name(g->decision));
	if (!(list = json_object_get(payload, key)))
		json_object_set_new(payload, key, list = json_array());
	return on_top_full(g->field, g->code, g->message, g->release, g->count,
	                   list);
}

static void assert_json_equal(json_t *got, json_t *want, const char *what)
{
	if (!json_equal(got, want))
		fail_msg("%s:\n got  %s\n want %s", what,
		         json_dumps(got, JSON_COMPACT),
		         json_dumps(want, JSON_COMPACT));
}

static void test_top_reasons_match_sql(void **state)
{
	struct ferry_workspace *ws = golden_workspace("plan-top-sql");
	struct ferry_mapfile *m = mapping(golden_mapping);
	struct ferry_plan_stats s;
	struct ferry_plan_count *c = NULL;
	json_t *all = json_object(), *got, *want, *empty = json_array();
	char latest[64], key[128];
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	size_t n = 0, i;
	int d;

	(void)state;
	plan(ws, m, NULL, &s);
	db = raw_db(ws);
	/* Reasons as another writer (SQLite's json(), a person) may spell
	 * them, on records of every decision. */
	raw_exec(
	    db,
	    "UPDATE plan SET decision = 'held', reasons = '["
	    "{\"field\":\"Name\",\"code\":\"odd\",\"message\":\"say "
	    "\\\"hi\\\" \\\\ back\",\"release\":\"caf\\u00e9 \\ud83d\\ude00\"},"
	    " { \"code\" : \"odd\" , \"message\" : \"\\u0041lpha\" , \"field\" "
	    ": \"Name\" } ,"
	    "{\"field\":\"\",\"code\":\"plain\",\"message\":\"b\"}]' "
	    "WHERE rowid IN (SELECT rowid FROM plan WHERE object = 'Account' "
	    "ORDER BY rowid LIMIT 3)");
	raw_exec(db, "UPDATE plan SET decision = 'held', reasons = "
	             "'[{\"field\":\"Name\",\"code\":\"odd\",\"message\":"
	             "\"Beta\",\"release\":\"a\"},{\"code\":\"plain\","
	             "\"message\":\"a\",\"release\":\"r\\n2\"}]' WHERE rowid "
	             "= (SELECT max(rowid) FROM plan WHERE object = "
	             "'Account')");
	raw_exec(db, "UPDATE plan SET notes = '[{\"field\":\"Website\","
	             "\"code\":\"n\\u00f6te\",\"message\":\"x\"}]' WHERE "
	             "decision = 'write' AND rowid = (SELECT min(rowid) FROM "
	             "plan WHERE decision = 'write')");

	assert_int_equal(ferry_plan_all_top_reasons(ws, 8, on_all, all, latest,
	                                            sizeof(latest)),
	                 0);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT max(planned_at) FROM plan",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(latest, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);

	assert_int_equal(ferry_plan_counts(&c, &n, ws), 0);
	for (i = 0; i < n; i++)
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++) {
			const char *dn = ferry_plan_decision_name(
			    (enum ferry_plan_decision)d);

			snprintf(key, sizeof(key), "%s %s", c[i].object, dn);
			want = oracle(db, c[i].object, dn);
			got = json_array();
			assert_int_equal(
			    ferry_plan_top_reasons(ws, c[i].object,
			                           (enum ferry_plan_decision)d,
			                           8, on_top_full, got),
			    0);
			assert_json_equal(got, want, key);
			json_decref(got);
			got = json_object_get(all, key);
			assert_json_equal(got ? got : empty, want, key);
			json_decref(want);
		}
	/* the odd reasons were grouped, the least message kept */
	want = oracle(db, "Account", "held");
	got = NULL;
	for (i = 0; i < json_array_size(want); i++)
		if (!strcmp(str(json_array_get(want, i), "code"), "odd"))
			got = json_array_get(want, i);
	assert_non_null(got);
	assert_int_equal(json_integer_value(json_object_get(got, "count")), 7);
	assert_string_equal(str(got, "message"), "Alpha");
	assert_string_equal(str(got, "release"), "a");
	json_decref(want);

	/* A row that is not JSON: an error naming the record. */
	raw_exec(db, "UPDATE plan SET reasons = '[{\"field\":' WHERE rowid = "
	             "(SELECT max(rowid) FROM plan)");
	json_object_clear(all);
	assert_int_equal(
	    ferry_plan_all_top_reasons(ws, 8, on_all, all, NULL, 0), FERRY_EDB);
	assert_non_null(strstr(ferry_error_last(), "not a JSON array"));

	sqlite3_close(db);
	free(c);
	json_decref(all);
	json_decref(empty);
	ferry_plan_stats_release(&s);
	ferry_mapfile_free(m);
	ferry_workspace_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_org_draft),
	    cmocka_unit_test(test_sample_org_owned),
	    cmocka_unit_test(test_golden_offline),
	    cmocka_unit_test(test_golden_online),
	    cmocka_unit_test(test_replan_audit),
	    cmocka_unit_test(test_dedup_rules),
	    cmocka_unit_test(test_stopped),
	    cmocka_unit_test(test_activities_links_comments),
	    cmocka_unit_test(test_phone_no_country_release),
	    cmocka_unit_test(test_future_notes),
	    cmocka_unit_test(test_top_reasons),
	    cmocka_unit_test(test_top_reasons_match_sql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
