/* analyze.c: tests of the readiness assessment: every planted mess of the
 * sample org is found with the right counts; a small Salesforce-style
 * workspace (describe and Tooling facts written here, a fake list of Attio
 * members) gets the risks only an API extract can show; the draft mapping
 * is written, redrafted while untouched, kept once edited, and parses as
 * YAML; the report files are written. */
#include "helpers.h"
#include "util.h"

#include <yaml.h>

#include "analyze/analyze_int.h"
#include "ferry/analyze.h"
#include "ferry/export.h"
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

static struct ferry_workspace *sample_org(char **dir_out)
{
	struct ferry_workspace *ws = fresh("analyze-sample", dir_out);
	char *src =
	    ferry_xasprintf("%s/examples/sample-org", test_source_dir());

	if (ferry_export_stage(ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	free(src);
	return ws;
}

static json_t *run(struct ferry_workspace *ws,
                   const struct ferry_analyze_opts *o)
{
	json_t *report = NULL;

	if (ferry_analyze_run(&report, ws, o) < 0)
		fail_msg("analyze: %s", ferry_error_last());
	assert_non_null(report);
	return report;
}

/* The risk `id` about `object` (NULL: the org-wide one), or NULL. */
static json_t *risk(json_t *report, const char *id, const char *object)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(report, "risks"), i, r)
	{
		const char *o = json_string_value(json_object_get(r, "object"));

		if (strcmp(json_string_value(json_object_get(r, "id")), id))
			continue;
		if ((!object && !o) || (object && o && !strcmp(o, object)))
			return r;
	}
	return NULL;
}

static json_t *must_risk(json_t *report, const char *id, const char *object)
{
	json_t *r = risk(report, id, object);

	if (!r)
		fail_msg("no risk %s on %s", id, object ? object : "(org)");
	return r;
}

static int64_t affected(json_t *r)
{
	return json_integer_value(json_object_get(r, "affected"));
}

static const char *s_of(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "";
}

static bool examples_mention(json_t *r, const char *needle)
{
	json_t *e;
	size_t i;

	json_array_foreach(
	    json_object_get(r, "examples"), i,
	    e) if (strstr(json_string_value(e), needle)) return true;
	return false;
}

static json_t *object(json_t *report, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(report, "objects"), i,
	                   o) if (!strcmp(s_of(o, "name"), name)) return o;
	fail_msg("no object %s in the report", name);
	return NULL;
}

static json_t *field(json_t *obj, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(obj, "fields"), i,
	                   f) if (!strcmp(s_of(f, "name"), name)) return f;
	fail_msg("no field %s", name);
	return NULL;
}

static void check_sample_risks(json_t *report)
{
	json_t *r;

	r = must_risk(report, "duplicate_domains", "Account");
	assert_int_equal(affected(r), 10);
	assert_non_null(strstr(s_of(r, "title"), ": 10 (4 domains)"));
	assert_true(examples_mention(r, "acme.com (4 records)"));
	r = must_risk(report, "duplicate_emails", "Contact");
	assert_int_equal(affected(r), 6);
	assert_true(examples_mention(r, "ada.lovelace@acme.com (2 records)"));
	r = must_risk(report, "contacts_without_email", "Contact");
	assert_int_equal(affected(r), 9);
	assert_non_null(strstr(s_of(r, "title"), "(6 blank, 3 invalid)"));
	assert_int_equal(json_array_size(json_object_get(r, "examples")), 5);
	assert_true(examples_mention(r, "003"));
	r = must_risk(report, "accounts_without_domain", "Account");
	assert_int_equal(affected(r), 6);
	assert_non_null(strstr(s_of(r, "title"), "(3 blank, 3 unusable)"));
	r = must_risk(report, "personal_email_domains", "Account");
	assert_int_equal(affected(r), 1);
	assert_true(examples_mention(r, "gmail.com"));
	assert_int_equal(
	    affected(must_risk(report, "personal_email_domains", "Contact")),
	    11);
	r = must_risk(report, "broken_references", "Contact");
	assert_int_equal(affected(r), 2);
	assert_true(examples_mention(r, "001Dn00000ZzZz9IAF"));
	assert_non_null(strstr(s_of(r, "title"), "AccountId: 2"));
	/* offline: owners and select options say they were not checked */
	r = must_risk(report, "owners_unresolved", NULL);
	assert_string_equal(s_of(r, "severity"), "low");
	assert_int_equal(affected(r), 112);
	assert_non_null(strstr(s_of(r, "title"), "offline"));
	r = must_risk(report, "picklist_values_unmapped", "Account");
	assert_string_equal(s_of(r, "severity"), "low");
	assert_non_null(strstr(s_of(r, "title"), "offline"));
	r = must_risk(report, "volume_over_plan", NULL);
	assert_string_equal(s_of(r, "severity"), "low");
	assert_non_null(strstr(s_of(r, "title"), "check your plan"));
	/* nothing the sample org does not have */
	assert_null(risk(report, "person_accounts", "Account"));
	assert_null(risk(report, "duplicate_emails", NULL));
	assert_null(risk(report, "converted_leads", "Lead"));
	assert_null(risk(report, "formula_fields", "Account"));
}

static void test_sample_org(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	char *dir;
	struct ferry_workspace *ws = sample_org(&dir);
	json_t *report = run(ws, &o), *acc, *con, *ind, *est, *score;

	(void)state;
	check_sample_risks(report);
	assert_string_equal(s_of(json_object_get(report, "source"), "type"),
	                    "salesforce-export");
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(report, "source"), "records")),
	                 112);
	assert_false(json_is_true(
	    json_object_get(json_object_get(report, "automation"), "known")));
	assert_true(json_is_null(json_object_get(
	    json_object_get(report, "destination"), "members")));
	acc = object(report, "Account");
	con = object(report, "Contact");
	assert_int_equal(json_integer_value(json_object_get(acc, "count")), 32);
	assert_int_equal(json_integer_value(json_object_get(con, "count")), 80);
	assert_string_equal(s_of(acc, "destination"), "companies");
	assert_string_equal(s_of(acc, "status"), "partial");
	assert_string_equal(s_of(con, "status"), "partial");
	assert_true(*s_of(acc, "status_reason"));
	/* types inferred from the values of a CSV export */
	assert_string_equal(s_of(field(acc, "Id"), "type"), "id");
	assert_string_equal(s_of(field(acc, "Website"), "type"), "url");
	assert_string_equal(s_of(field(con, "Email"), "type"), "email");
	assert_string_equal(s_of(field(con, "AccountId"), "type"), "reference");
	assert_string_equal(s_of(field(con, "CreatedDate"), "type"),
	                    "datetime");
	ind = field(acc, "Industry");
	assert_string_equal(s_of(ind, "type"), "picklist");
	assert_true(json_array_size(json_object_get(
	                json_object_get(ind, "picklist"), "values")) > 0);
	assert_int_equal(
	    json_integer_value(json_object_get(field(con, "Email"), "filled")),
	    74);
	assert_true(json_is_true(
	    json_object_get(field(con, "Email"), "distinct_exact")));
	/* 19 companies (distinct usable domains) + 68 people */
	est = json_object_get(report, "estimate");
	assert_int_equal(json_integer_value(json_object_get(est, "writes")),
	                 87);
	assert_int_equal(json_integer_value(json_object_get(est, "seconds")),
	                 4);
	assert_non_null(strstr(s_of(est, "explanation"), "~87 writes at 25/s"));
	score = json_object_get(report, "score");
	assert_true(json_integer_value(json_object_get(score, "value")) > 50);
	assert_true(json_integer_value(json_object_get(score, "value")) < 95);
	assert_string_equal(s_of(score, "status"), "partial");
	assert_true(ferry_str_starts_with(s_of(score, "formula"), "100 "));
	assert_non_null(strstr(s_of(score, "explanation"),
	                       "need a decision before loading"));
	json_decref(report);
	ferry_workspace_free(ws);
	free(dir);
}

/* --- a Salesforce-style workspace --- */

static void fact(struct ferry_workspace *ws, const char *name, const char *json)
{
	assert_int_equal(ferry_facts_put(ws, name, json), 0);
}

#define REF(name, ...)                                                         \
	"{\"name\":\"" name "\",\"label\":\"" name                             \
	"\",\"type\":\"reference\","                                           \
	"\"calculated\":false,\"referenceTo\":[" __VA_ARGS__ "]}"
#define FIELD(name, type)                                                      \
	"{\"name\":\"" name "\",\"label\":\"" name "\",\"type\":\"" type "\"," \
	"\"calculated\":false,\"referenceTo\":[]}"

static void describe_org(struct ferry_workspace *ws)
{
	fact(ws, "salesforce/describeGlobal",
	     "{\"sobjects\":[{\"name\":\"Account\",\"keyPrefix\":\"001\"},"
	     "{\"name\":\"Contact\",\"keyPrefix\":\"003\"},{\"name\":\"Lead\","
	     "\"keyPrefix\":\"00Q\"},{\"name\":\"Task\",\"keyPrefix\":\"00T\"},"
	     "{\"name\":\"Widget__c\",\"keyPrefix\":\"a01\"}]}");
	fact(
	    ws, "salesforce/describe/Account",
	    "{\"name\":\"Account\",\"label\":\"Account\",\"keyPrefix\":\"001\","
	    "\"custom\":false,\"fields\":[" FIELD("Id", "id") "," FIELD("Name", "string") "," FIELD(
	        "Website",
	        "url") ","
	               "{\"name\":\"Industry\",\"label\":\"Industry\",\"type\":"
	               "\"picklist\",\"calculated\":false,\"referenceTo\":[],"
	               "\"picklistValues\":[{\"value\":\"Banking\",\"active\":"
	               "true},"
	               "{\"value\":\"Retail\",\"active\":true},{\"value\":"
	               "\"Legacy\","
	               "\"active\":false}]},"
	               "{\"name\":\"Score__c\",\"label\":\"Score\",\"type\":"
	               "\"double\","
	               "\"calculated\":true,\"calculatedFormula\":\"1+1\","
	               "\"referenceTo\":[]}," FIELD(
	                   "IsPersonAccount",
	                   "boolea"
	                   "n") "," REF("OwnerId",
	                                "\"Group\",\"User\"") "," REF("ParentI"
	                                                              "d",
	                                                              "\"Accoun"
	                                                              "t\"") "]"
	                                                                     "}");
	fact(ws, "salesforce/describe/Contact",
	     "{\"name\":\"Contact\",\"label\":\"Contact\",\"fields\":[" FIELD("Id", "id") "," FIELD(
	         "LastName",
	         "string") "," FIELD("Email",
	                             "email") "," REF("AccountI"
	                                              "d",
	                                              "\"Account"
	                                              "\"") "," REF("OwnerId",
	                                                            "\"User\"") "]}");
	fact(
	    ws, "salesforce/describe/Lead",
	    "{\"name\":\"Lead\",\"label\":\"Lead\",\"fields\":[" FIELD(
	        "Id",
	        "id") "," FIELD("Email",
	                        "email") "," FIELD("IsConverted",
	                                           "boolean") ","
	                                                      "{\"name\":"
	                                                      "\"Status\","
	                                                      "\"label\":"
	                                                      "\"Status\","
	                                                      "\"type\":"
	                                                      "\"picklist\","
	                                                      "\"calculated\":"
	                                                      "false,"
	                                                      "\"referenceTo\":"
	                                                      "[],"
	                                                      "\"picklistValues"
	                                                      "\":["
	                                                      "{\"value\":"
	                                                      "\"Open\","
	                                                      "\"active\":true}"
	                                                      ",{\"value\":"
	                                                      "\"yes\","
	                                                      "\"active\":true}"
	                                                      ",{\"value\":\"a:"
	                                                      " b # "
	                                                      "c\",\"active\":"
	                                                      "true}]},"
	                                                      "" REF("OwnerId",
	                                                             "\"Group\""
	                                                             ",\"User"
	                                                             "\"") "]"
	                                                                   "}");
	fact(
	    ws, "salesforce/describe/Task",
	    "{\"name\":\"Task\",\"label\":\"Task\",\"fields\":[" FIELD(
	        "Id",
	        "id") "," FIELD("Subject",
	                        "string") "," REF("WhoId",
	                                          "\"Contact\","
	                                          "\"Lead\"") "," REF("WhatId",
	                                                              "\"Accou"
	                                                              "nt\","
	                                                              "\"Oppor"
	                                                              "tunity"
	                                                              "\"") "]"
	                                                                    "}");
	fact(ws, "salesforce/tooling/ApexTrigger",
	     "{\"total\":3,\"by_object\":{\"Account\":2,\"Widget__c\":1}}");
	fact(ws, "salesforce/tooling/Flow",
	     "{\"total\":1,\"by_object\":{\"Lead\":1}}");
	fact(ws, "salesforce/extract",
	     "{\"instance_url\":\"https://acme.my.salesforce.com\","
	     "\"api_version\":\"66.0\",\"finished_at\":"
	     "\"2026-11-23T09:00:00Z\",\"objects\":{}}");
}

/* Stages `object` from "Id|k=v|k=v" lines. */
static void stage(struct ferry_workspace *ws, const char *object,
                  const char *const *rows, size_t n)
{
	struct ferry_stage *st = NULL;
	size_t i;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; i < n; i++) {
		char *copy = ferry_xstrdup(rows[i]), *p = copy, *next, *eq;
		json_t *rec = json_object();
		const char *id = copy;

		next = strchr(p, '|');
		if (next)
			*next++ = '\0';
		json_object_set_new(rec, "Id", json_string(id));
		for (p = next; p; p = next) {
			next = strchr(p, '|');
			if (next)
				*next++ = '\0';
			eq = strchr(p, '=');
			assert_non_null(eq);
			*eq = '\0';
			json_object_set_new(rec, p, json_string(eq + 1));
		}
		assert_int_equal(ferry_stage_add(st, id, (int64_t)i + 2, rec),
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

static struct ferry_workspace *sf_org(char **dir_out)
{
	struct ferry_workspace *ws = fresh("analyze-sf", dir_out);

	describe_org(ws);
	STAGE(
	    ws, "Account",
	    "001A00000000001AAA|Name=Acme|Website=acme.com|Industry=Fintech|"
	    "OwnerId=005A00000000001AAA|Score__c=2",
	    "001A00000000002AAA|Name=Jane Doe|IsPersonAccount=true|"
	    "OwnerId=005A00000000001AAA",
	    "001A00000000003AAA|Name=Acme EU|Website=www.acme.com|Industry="
	    "Banking|OwnerId=00GA00000000001AAA",
	    "001A00000000004AAA|Name=Old Co|Website=oldco.com|Industry=Legacy|"
	    "OwnerId=005A00000000002AAA|ParentId=001A00000000099AAA");
	STAGE(ws, "Contact",
	      "003A00000000001AAA|LastName=One|Email=a@acme.com|AccountId="
	      "001A00000000001AAA|OwnerId=005A00000000003AAA",
	      "003A00000000002AAA|LastName=Two|Email=two@acme.com|AccountId="
	      "001A00000000077AAA|OwnerId=005A00000000001AAA",
	      "003A00000000003AAA|LastName=Three|Email= A@Acme.com|"
	      "OwnerId=005A00000000001AAA");
	STAGE(ws, "Lead",
	      "00QA00000000001AAA|Email=conv@x.com|IsConverted=true|"
	      "Status=Open|OwnerId=005A00000000001AAA",
	      "00QA00000000002AAA|Email=a@acme.com|IsConverted=false|"
	      "Status=yes|OwnerId=005A00000000002AAA",
	      "00QA00000000003AAA|Email=l3@y.com|IsConverted=false|"
	      "Status=a: b # c|OwnerId=00GA00000000001AAA");
	STAGE(ws, "Task",
	      "00TA00000000001AAA|Subject=Call|WhoId=003A00000000001AAA|WhatId="
	      "001A00000000001AAA|OwnerId=005A00000000001AAA",
	      "00TA00000000002AAA|Subject=Mail|WhoId=003A00000000099AAA|"
	      "OwnerId=005A00000000001AAA");
	STAGE(ws, "Attachment",
	      "00PA00000000001AAA|Name=huge.zip|BodyLength=62914560|"
	      "ParentId=001A00000000001AAA",
	      "00PA00000000002AAA|Name=small.pdf|BodyLength=1000|"
	      "ParentId=001A00000000001AAA");
	STAGE(ws, "User",
	      "005A00000000001AAA|Email=Alice@Corp.com|IsActive=true",
	      "005A00000000002AAA|Email=bob@corp.com|IsActive=false",
	      "005A00000000003AAA|Email=carol@corp.com|IsActive=true");
	STAGE(ws, "Widget__c", "a01A00000000001AAA|Name=W1");
	return ws;
}

static struct ferry_analyze_dest *fake_dest(void)
{
	static struct ferry_analyze_dest d;

	json_decref(d.members);
	json_decref(d.attributes);
	d.members = json_pack("[{s:s, s:s}, {s:s, s:s}]", "email_address",
	                      "alice@corp.com", "access_level", "admin",
	                      "email_address", "carol@corp.com", "access_level",
	                      "suspended");
	d.attributes =
	    json_pack("{s:[{s:s, s:s, s:[{s:s, s:b}]}]}", "companies",
	              "api_slug", "industry", "type", "select", "options",
	              "title", "Banking", "is_archived", 0);
	return &d;
}

static void check_sf_risks(json_t *report)
{
	json_t *r;

	r = must_risk(report, "person_accounts", "Account");
	assert_int_equal(affected(r), 1);
	assert_string_equal(s_of(r, "severity"), "high");
	r = must_risk(report, "formula_fields", "Account");
	assert_int_equal(affected(r), 1);
	assert_true(examples_mention(r, "Score__c"));
	/* Fintech is not defined; Legacy is (inactive) but has no option;
	 * Banking has both */
	r = must_risk(report, "picklist_values_unmapped", "Account");
	assert_int_equal(affected(r), 2);
	assert_true(examples_mention(r, "Fintech (1 records; not defined in "
	                                "Salesforce; no Attio option)"));
	assert_true(examples_mention(r, "Legacy (1 records; no Attio option)"));
	assert_false(examples_mention(r, "Banking"));
	/* a queue (Account, Lead), an inactive user (Account, Lead), a user
	 * whose member is suspended (Contact); Alice resolves */
	r = must_risk(report, "owners_unresolved", NULL);
	assert_int_equal(affected(r), 5);
	assert_true(examples_mention(r, "queue"));
	assert_true(examples_mention(r, "bob@corp.com"));
	assert_true(examples_mention(r, "inactive user"));
	assert_true(examples_mention(r, "carol@corp.com"));
	assert_false(examples_mention(r, "alice@corp.com"));
	assert_int_equal(
	    affected(must_risk(report, "activities_with_two_parents", "Task")),
	    1);
	r = must_risk(report, "broken_references", "Contact");
	assert_int_equal(affected(r), 1);
	assert_true(examples_mention(r, "001A00000000077AAA"));
	r = must_risk(report, "broken_references", "Task");
	assert_int_equal(affected(r), 1); /* WhoId resolved by prefix */
	assert_true(examples_mention(r, "003A00000000099AAA (no such Contact"));
	r = must_risk(report, "broken_references", "Account");
	assert_int_equal(affected(r), 1); /* ParentId */
	r = must_risk(report, "attachments_too_large", "Attachment");
	assert_int_equal(affected(r), 1);
	assert_true(examples_mention(r, "huge.zip (60.0 MB)"));
	assert_int_equal(affected(must_risk(report, "converted_leads", "Lead")),
	                 1);
	assert_int_equal(
	    affected(must_risk(report, "duplicate_emails", "Contact")), 2);
	assert_int_equal(affected(must_risk(report, "duplicate_emails", NULL)),
	                 1);
	assert_int_equal(
	    affected(must_risk(report, "duplicate_domains", "Account")), 2);
	r = must_risk(report, "automation", NULL);
	assert_int_equal(affected(r), 3); /* not Widget__c's: not migrated */
	assert_true(examples_mention(r, "Account: 2 Apex triggers"));
	r = must_risk(report, "volume_over_plan", NULL);
	assert_string_equal(s_of(r, "severity"), "high");
	/* 2 companies, 3 people (a@acme.com, two@acme.com, l3@y.com) */
	assert_int_equal(affected(r), 5 - 3);
	/* people has no lead_status attribute yet: every value needs one */
	r = must_risk(report, "picklist_values_unmapped", "Lead");
	assert_int_equal(affected(r), 3);
	assert_true(examples_mention(r, "no Attio attribute yet"));
}

static void test_salesforce_org(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 10,
	                               .record_limit = 3,
	                               .dest = fake_dest(),
	                               .distinct_exact_max = 2};
	char *dir;
	struct ferry_workspace *ws = sf_org(&dir);
	json_t *report = run(ws, &o), *acc, *ind, *v, *auto_;
	size_t i;
	bool fintech = false, retail = false;

	(void)state;
	check_sf_risks(report);
	assert_string_equal(s_of(json_object_get(report, "source"), "type"),
	                    "salesforce");
	assert_string_equal(
	    s_of(json_object_get(report, "source"), "instance_url"),
	    "https://acme.my.salesforce.com");
	assert_true(json_is_true(json_object_get(
	    json_object_get(report, "destination"), "reachable")));
	auto_ = json_object_get(report, "automation");
	assert_true(json_is_true(json_object_get(auto_, "known")));
	assert_int_equal(
	    json_integer_value(json_object_get(auto_, "apex_triggers")), 3);
	assert_true(json_is_null(json_object_get(auto_, "validation_rules")) ==
	            false);
	acc = object(report, "Account");
	assert_string_equal(s_of(acc, "status"), "partial");
	assert_true(json_is_true(
	    json_object_get(field(acc, "Score__c"), "calculated")));
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(acc, "automation"), "apex_triggers")),
	    2);
	/* 4 names, exact only up to 2: an estimate */
	assert_false(json_is_true(
	    json_object_get(field(acc, "Name"), "distinct_exact")));
	assert_int_equal(
	    json_integer_value(json_object_get(field(acc, "Name"), "distinct")),
	    4);
	ind = json_object_get(field(acc, "Industry"), "picklist");
	assert_int_equal(json_integer_value(json_object_get(ind, "defined")),
	                 3);
	json_array_foreach(json_object_get(ind, "values"), i, v)
	{
		if (!strcmp(s_of(v, "value"), "Fintech"))
			fintech = json_is_false(json_object_get(v, "defined"));
		if (!strcmp(s_of(v, "value"), "Retail"))
			retail = json_integer_value(
			             json_object_get(v, "count")) == 0;
	}
	assert_true(fintech);
	assert_true(retail); /* defined, not in use: listed for the mapping */
	assert_string_equal(s_of(object(report, "Widget__c"), "status"),
	                    "manual_review");
	assert_true(json_is_null(
	    json_object_get(object(report, "Widget__c"), "destination")));
	assert_string_equal(s_of(object(report, "User"), "status"), "auto");
	assert_string_equal(s_of(object(report, "Task"), "status"), "partial");
	assert_string_not_equal(
	    s_of(json_object_get(report, "score"), "status"), "auto");
	json_decref(report);
	ferry_workspace_free(ws);
	free(dir);
}

/* --- the draft mapping --- */

/* The node at `key` of mapping node `map`, or NULL. */
static yaml_node_t *ykey(yaml_document_t *doc, yaml_node_t *map,
                         const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((const char *)k->data.scalar.value, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static const char *yscalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE
	           ? (const char *)n->data.scalar.value
	           : NULL;
}

/* Parses `text`; fails the test if it is not one YAML document. */
static void yparse(yaml_document_t *doc, const char *text)
{
	yaml_parser_t parser;

	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	                             strlen(text));
	if (!yaml_parser_load(&parser, doc))
		fail_msg("YAML error at line %zu: %s\n%s",
		         parser.problem_mark.line + 1, parser.problem, text);
	assert_non_null(yaml_document_get_root_node(doc));
	yaml_parser_delete(&parser);
}

static void read_file(struct ferry_buf *b, const char *dir, const char *name)
{
	char *path = ferry_xasprintf("%s/%s", dir, name);

	ferry_buf_clear(b);
	if (test_read_file(b, path) < 0)
		fail_msg("cannot read %s", path);
	free(path);
}

static void check_sample_mapping(const char *text)
{
	yaml_document_t doc;
	yaml_node_t *root, *objs, *acc, *f, *vt;

	yparse(&doc, text);
	root = yaml_document_get_root_node(&doc);
	assert_string_equal(yscalar(ykey(&doc, root, "version")), "1");
	objs = ykey(&doc, root, "objects");
	acc = ykey(&doc, objs, "Account");
	assert_string_equal(yscalar(ykey(&doc, acc, "to")), "companies");
	assert_string_equal(yscalar(ykey(&doc, acc, "match")), "domains");
	f = ykey(&doc, ykey(&doc, acc, "fields"), "Website");
	assert_string_equal(yscalar(ykey(&doc, f, "to")), "domains");
	assert_string_equal(yscalar(ykey(&doc, f, "type")), "domain");
	f = ykey(&doc, ykey(&doc, acc, "fields"), "Industry");
	assert_string_equal(yscalar(ykey(&doc, f, "type")), "select");
	assert_string_equal(yscalar(ykey(&doc, f, "values")),
	                    "Account.Industry");
	f = ykey(&doc, ykey(&doc, ykey(&doc, objs, "Contact"), "fields"),
	         "AccountId");
	assert_string_equal(yscalar(ykey(&doc, f, "to")), "company");
	assert_string_equal(yscalar(ykey(&doc, f, "object")), "companies");
	vt = ykey(&doc, ykey(&doc, root, "value_tables"), "Account.Industry");
	assert_string_equal(yscalar(ykey(&doc, vt, "unmapped")), "hold");
	assert_non_null(ykey(&doc, ykey(&doc, vt, "values"), "Manufacturing"));
	assert_string_equal(
	    yscalar(ykey(&doc, ykey(&doc, root, "owners"), "match")), "email");
	yaml_document_delete(&doc);
}

static void test_mapping_lifecycle(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_buf b = FERRY_BUF_INIT, edited = FERRY_BUF_INIT;
	char *dir, *path;
	struct ferry_workspace *ws = sample_org(&dir);
	json_t *report = run(ws, &o), *m;
	FILE *fp;

	(void)state;
	/* none there: written */
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	m = json_object_get(report, "mapping");
	assert_string_equal(s_of(m, "action"), "written");
	assert_true(json_is_null(json_object_get(m, "draft")));
	read_file(&b, dir, "mapping.yaml");
	assert_true(ferry_str_starts_with(
	    b.ptr, "# mapping.yaml: drafted by `ferry analyze` on "));
	check_sample_mapping(b.ptr);
	assert_int_equal(
	    ferry_workspace_meta_get(ws, "analyze.mapping_sha256", &edited), 0);
	assert_int_equal(edited.len, 64);

	/* untouched: drafted again */
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	assert_string_equal(s_of(json_object_get(report, "mapping"), "action"),
	                    "updated");

	/* edited: kept, the draft goes beside the reports */
	path = ferry_xasprintf("%s/mapping.yaml", dir);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs("# my change\n", fp);
	fclose(fp);
	read_file(&edited, dir, "mapping.yaml");
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	m = json_object_get(report, "mapping");
	assert_string_equal(s_of(m, "action"), "kept");
	assert_string_equal(s_of(m, "draft"), "reports/mapping.draft.yaml");
	assert_non_null(strstr(s_of(m, "note"), "left alone"));
	read_file(&b, dir, "mapping.yaml");
	assert_string_equal(b.ptr, edited.ptr);
	read_file(&b, dir, "reports/mapping.draft.yaml");
	check_sample_mapping(b.ptr);
	/* still edited: still kept */
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	assert_string_equal(s_of(json_object_get(report, "mapping"), "action"),
	                    "kept");

	free(path);
	ferry_buf_release(&b);
	ferry_buf_release(&edited);
	json_decref(report);
	ferry_workspace_free(ws);
	free(dir);
}

/* The Salesforce-style org's draft: value tables with values that need
 * quoting, custom slugs, a manual_review object. */
static void test_mapping_salesforce(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_buf b = FERRY_BUF_INIT;
	yaml_document_t doc;
	yaml_node_t *root, *objs, *vals, *f;
	char *dir;
	struct ferry_workspace *ws = sf_org(&dir);
	json_t *report = run(ws, &o);

	(void)state;
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	read_file(&b, dir, "mapping.yaml");
	yparse(&doc, b.ptr);
	root = yaml_document_get_root_node(&doc);
	objs = ykey(&doc, root, "objects");
	assert_string_equal(
	    yscalar(ykey(&doc, ykey(&doc, objs, "Widget__c"), "to")), "null");
	assert_non_null(strstr(b.ptr, "Widget__c:\n    to: null   # "
	                              "manual_review: custom object"));
	f = ykey(&doc, ykey(&doc, ykey(&doc, objs, "Account"), "fields"),
	         "Score__c");
	assert_string_equal(yscalar(ykey(&doc, f, "to")), "score");
	assert_string_equal(yscalar(ykey(&doc, f, "type")), "number");
	f = ykey(&doc, ykey(&doc, ykey(&doc, objs, "Lead"), "fields"),
	         "Status");
	assert_string_equal(yscalar(ykey(&doc, f, "to")), "lead_status");
	vals = ykey(&doc,
	            ykey(&doc, ykey(&doc, root, "value_tables"), "Lead.Status"),
	            "values");
	assert_string_equal(yscalar(ykey(&doc, vals, "a: b # c")), "a: b # c");
	assert_string_equal(yscalar(ykey(&doc, vals, "yes")), "yes");
	assert_non_null(strstr(b.ptr, "\"yes\": \"yes\""));
	assert_non_null(strstr(b.ptr, "Fintech: Fintech   # in use, not "
	                              "defined in Salesforce"));
	assert_non_null(strstr(b.ptr, "Retail: Retail   # defined in "
	                              "Salesforce, not in use"));
	yaml_document_delete(&doc);
	ferry_buf_release(&b);
	json_decref(report);
	ferry_workspace_free(ws);
	free(dir);
}

static void yaml_roundtrip(const char *value)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	yaml_document_t doc;

	assert_int_equal(ferry_buf_puts(&b, "k: "), 0);
	assert_int_equal(an_yaml_scalar(&b, value), 0);
	assert_int_equal(ferry_buf_puts(&b, "\n"), 0);
	yparse(&doc, b.ptr);
	if (strcmp(yscalar(ykey(&doc, yaml_document_get_root_node(&doc), "k")),
	           value))
		fail_msg("'%s' came back from '%s'", value, b.ptr);
	yaml_document_delete(&doc);
	ferry_buf_release(&b);
}

static void test_yaml_scalars(void **state)
{
	static const char *const values[] = {
	    "Banking",
	    "yes",
	    "No",
	    "null",
	    "~",
	    "12",
	    "1.5",
	    "0x1F",
	    "",
	    " padded ",
	    "a: b",
	    "a #b",
	    "#x",
	    "- x",
	    "[x]",
	    "{x}",
	    "a,b",
	    "it's",
	    "say \"hi\"",
	    "back\\slash",
	    "two\nlines",
	    "tab\there",
	    "Société Générale",
	    "株式会社",
	    "ends:",
	    "@home",
	    "%x",
	    "*x",
	    "line\xe2\x80\xa8sep",
	    "bad \xff byte",
	};
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(values); i++)
		if (strcmp(values[i], "bad \xff byte"))
			yaml_roundtrip(values[i]);
	assert_int_equal(an_yaml_scalar(&b, "Banking"), 0);
	assert_int_equal(an_yaml_scalar(&b, "yes"), 0);
	assert_int_equal(an_yaml_scalar(&b, "bad \xff byte"), 0);
	assert_string_equal(b.ptr, "Banking\"yes\"\"bad \\xff byte\"");
	ferry_buf_release(&b);
}

static int flat(struct an_flat *f, const char *s)
{
	return an_flat_parse(f, s, strlen(s));
}

/* The record reader agrees with jansson on what staging writes. */
static void test_flat_json(void **state)
{
	static const char *const ok[] = {
	    "{}",
	    " { \"a\" : \"b\" , \"c\":\"\"} ",
	    "{\"Name\":\"Acme, \\\"Inc.\\\"\",\"D\":\"a\\nb\\t\\\\\\/\"}",
	    "{\"U\":\"\\u00e9\\u6771\\ud83d\\ude00\",\"R\":\"Ålesund 東京\"}",
	};
	struct an_flat f = {0};
	json_error_t jerr;
	size_t i, j;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(ok); i++) {
		json_t *want = json_loads(ok[i], 0, &jerr);

		assert_non_null(want);
		assert_int_equal(flat(&f, ok[i]), 0);
		assert_int_equal(f.n, json_object_size(want));
		for (j = 0; j < f.n; j++)
			assert_string_equal(f.pairs[j].val,
			                    json_string_value(json_object_get(
			                        want, f.pairs[j].key)));
		json_decref(want);
	}
	assert_int_equal(flat(&f, "{\"n\":null,\"x\":12,\"t\":true,\"o\":"
	                          "{\"a\":[1,\"}\"]},\"z\":\"z\"}"),
	                 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.pairs[0].val, "");
	assert_string_equal(f.pairs[1].val, "12");
	assert_string_equal(f.pairs[2].val, "true");
	assert_string_equal(f.pairs[3].val, "");
	assert_string_equal(f.pairs[4].val, "z");
	assert_int_equal(flat(&f, "{\"a\":\"b\""), -1);
	assert_int_equal(flat(&f, "[\"a\"]"), -1);
	assert_int_equal(flat(&f, "{\"a\":\"\\ud800\"}"), -1);
	assert_int_equal(flat(&f, "{\"a\" \"b\"}"), -1);
	assert_int_equal(flat(&f, "{\"a\":\"b\\x\"}"), -1);
	an_flat_free(&f);
}

/* Exact up to the bound, then an estimate within a few percent. */
static void test_distinct(void **state)
{
	struct an_distinct d = {0};
	char v[32];
	bool exact;
	int64_t n;
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(v, sizeof(v), "value-%d", i % 50);
		an_distinct_add(&d, an_hash(v, strlen(v)), 1000);
	}
	assert_int_equal(an_distinct_count(&d, &exact), 50);
	assert_true(exact);
	for (i = 0; i < 20000; i++) {
		snprintf(v, sizeof(v), "value-%d", i);
		an_distinct_add(&d, an_hash(v, strlen(v)), 1000);
	}
	n = an_distinct_count(&d, &exact);
	assert_false(exact);
	assert_true(n > 18000 && n < 22000);
	an_distinct_free(&d);
}

/* --- the report files --- */

static void test_write_reports(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_buf b = FERRY_BUF_INIT;
	json_error_t jerr;
	char *dir, *path;
	struct ferry_workspace *ws = sample_org(&dir);
	json_t *report = run(ws, &o), *back;

	(void)state;
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	if (ferry_analyze_write_reports(report, ws) < 0)
		fail_msg("%s", ferry_error_last());
	path = ferry_xasprintf("%s/reports/readiness.json", dir);
	back = json_load_file(path, 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(back, report));
	read_file(&b, dir, "reports/readiness.html");
	assert_true(b.len > 1000);
	assert_non_null(strstr(b.ptr, "<html"));
	free(path);
	json_decref(back);
	ferry_buf_release(&b);
	json_decref(report);
	ferry_workspace_free(ws);
	free(dir);
}

static void test_nothing_staged(void **state)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	char *dir;
	struct ferry_workspace *ws = fresh("analyze-empty", &dir);
	json_t *report = NULL;

	(void)state;
	assert_int_equal(ferry_analyze_run(&report, ws, &o), FERRY_ENOTFOUND);
	assert_null(report);
	assert_non_null(strstr(ferry_error_last(), "ferry extract"));
	ferry_workspace_free(ws);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_org),
	    cmocka_unit_test(test_salesforce_org),
	    cmocka_unit_test(test_mapping_lifecycle),
	    cmocka_unit_test(test_mapping_salesforce),
	    cmocka_unit_test(test_yaml_scalars),
	    cmocka_unit_test(test_flat_json),
	    cmocka_unit_test(test_distinct),
	    cmocka_unit_test(test_write_reports),
	    cmocka_unit_test(test_nothing_staged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
