/* load.c: the loader of the plan (load.h) against the Attio sandbox. Each
 * kind written as the reference says (records asserted, updated or
 * created; notes per parent; tasks; list entries; links appended);
 * references resolved through the ledger; a parent Attio refused costs
 * the link, or the record when the link is required; a refusal is failed
 * in the ledger and held in the plan with Attio's code; too many halt the
 * run; an unchanged re-run costs no request; a pending row (a run killed
 * after its commit) is resumed without a duplicate, a created note or
 * record found and adopted; 429s and 5xx are absorbed by the multi
 * handle. */
#include "helpers.h"
#include "util.h"

#include "ferry/attio.h"
#include "ferry/load.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/queue.h"

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
};

/* The fixture open now, closed by the teardown even when a test fails
 * (the sandbox must not outlive it). */
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

/* An API call for the test's own setup and checks: Attio's "data". */
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

static int64_t stat_of(struct fx *f, const char *a, const char *b)
{
	json_t *s = api(f, "GET", "/__sandbox/stats", NULL);
	json_t *v = json_object_get(s, a);
	int64_t n;

	if (b)
		v = json_object_get(v, b);
	n = json_integer_value(v);
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

/* Stages `object` from a JSON array of {"Id":..., ...} objects. */
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

/* Planned against Attio itself: records already there are matched (their
 * payload carries record_id, and they are updated). */
static void fx_plan_online(struct fx *f)
{
	static const char *const objects[] = {"companies", "people", "deals",
	                                      NULL};
	struct ferry_plan_stats s;
	struct ferry_plan_opts o;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	json_decref(f->schema);
	f->schema = NULL;
	assert_int_equal(ferry_attio_schema(&f->schema, f->attio, objects), 0);
	o.schema = f->schema;
	o.dest = f->attio;
	if (ferry_plan_run(f->ws, f->m, &o, &s) < 0)
		fail_msg("plan: %s", ferry_error_last());
	ferry_plan_stats_release(&s);
	f->lc.schema = f->schema;
}

static int fx_load(struct fx *f)
{
	ferry_load_report_release(&f->rep);
	return ferry_load_plan(f->ws, f->m, &f->lc, &f->rep);
}

static void fx_load_ok(struct fx *f)
{
	if (fx_load(f) < 0)
		fail_msg("load: %s", ferry_error_last());
}

static const struct ferry_load_object *obj(struct fx *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->rep.n_objects; i++)
		if (!strcmp(f->rep.objects[i].object, name))
			return &f->rep.objects[i];
	fail_msg("no outcome for %s", name);
	abort();
}

static struct ferry_ledger_row ledger(struct fx *f, const char *object,
                                      const char *id)
{
	struct ferry_ledger_row row;

	if (ferry_ledger_get(&row, f->ws, object, id) < 0)
		fail_msg("ledger %s %s: %s", object, id, ferry_error_last());
	return row;
}

static const char accounts_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: categories, type: select}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      FirstName: {to: name, type: name, part: first_name}\n"
    "      LastName: {to: name, type: name, part: last_name}\n"
    "      Email: {to: email_addresses, type: email}\n"
    "      AccountId: {to: company, type: reference, object: companies}\n";

#define A1 "001000000000001AAA"
#define A2 "001000000000002AAA"
#define A3 "001000000000003AAA"
#define A4 "001000000000004AAA"
#define C1 "003000000000001AAA"
#define C2 "003000000000002AAA"
#define C3 "003000000000003AAA"
#define C4 "003000000000004AAA"

static void stage_accounts(struct fx *f)
{
	fx_stage(f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"https://www.acme.test/\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A2 "\",\"Name\":\"Acme Inc\",\"Website\":"
	         "\"acme.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A4 "\",\"Name\":\"Refused\",\"Website\":"
	         "\"refused.test\",\"Industry\":\"Nonexistent\"}]");
	fx_stage(
	    f, "Contact",
	    "[{\"Id\":\"" C1 "\",\"FirstName\":\"Ann\",\"LastName\":"
	    "\"One\",\"Email\":\"ann@acme.test\",\"AccountId\":\"" A2 "\"},"
	    " {\"Id\":\"" C2 "\",\"FirstName\":\"Bob\",\"LastName\":"
	    "\"Two\",\"Email\":\"bob@globex.test\",\"AccountId\":\"" A3 "\"},"
	    " {\"Id\":\"" C3 "\",\"FirstName\":\"Cy\",\"LastName\":"
	    "\"Three\",\"Email\":\"cy@refused.test\",\"AccountId\":\"" A4 "\"},"
	    " {\"Id\":\"" C4 "\",\"FirstName\":\"Di\",\"LastName\":"
	    "\"Four\",\"Email\":\"\",\"AccountId\":\"" A3 "\"}]");
}

/* Records asserted, references resolved through the ledger, a refused
 * parent costing its children the link (noted), the refusal held in the
 * plan with Attio's code, and a second run that sends nothing. */
static void test_records(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	struct ferry_ledger_row a1, a2, a3, a4, c1, c2, c3;
	const struct ferry_load_object *acc, *con;
	json_t *plan = NULL, *person;
	char *path;
	static struct fx f; /* the teardown reaches it after a failed assert */
	int64_t writes, requests;

	FERRY_UNUSED(state);
	fx_open(&f, "load-records", args);
	fx_mapping(&f, accounts_yaml);
	stage_accounts(&f);
	fx_plan(&f);
	assert_int_equal(fx_load(&f), 0);
	acc = obj(&f, "Account");
	con = obj(&f, "Contact");
	assert_int_equal(acc->to_write, 3);
	assert_int_equal(acc->written, 2);
	assert_int_equal(acc->failed, 1);
	assert_int_equal(acc->merged, 1);
	assert_int_equal(con->to_write, 3);
	assert_int_equal(con->written, 3);
	assert_int_equal(con->held, 1);
	assert_int_equal(con->dropped, 1);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 2);
	assert_int_equal(stat_of(&f, "records_per_object", "people"), 3);

	a1 = ledger(&f, "Account", A1);
	a2 = ledger(&f, "Account", A2);
	a3 = ledger(&f, "Account", A3);
	a4 = ledger(&f, "Account", A4);
	assert_int_equal(a2.status, FERRY_LEDGER_MERGED); /* A1 survives */
	assert_int_equal(a1.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(a2.dest_id, a1.dest_id);
	assert_int_equal(a3.status, FERRY_LEDGER_WRITTEN);
	assert_int_equal(a4.status, FERRY_LEDGER_FAILED);
	assert_int_equal(a4.http_status, 400);
	assert_non_null(strstr(a4.reason, "value_not_found"));

	/* The person of the merged account links to its survivor. */
	c1 = ledger(&f, "Contact", C1);
	path = ferry_xasprintf("/v2/objects/people/records/%s", c1.dest_id);
	person = api(&f, "GET", path, NULL);
	free(path);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(
	            json_object_get(json_object_get(person, "values"),
	                            "company"),
	            0),
	        "target_record_id")),
	    a1.dest_id);
	json_decref(person);
	c2 = ledger(&f, "Contact", C2);
	assert_int_equal(c2.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(c2.reason, "");
	/* Its account refused: written without the link, and it says so. */
	c3 = ledger(&f, "Contact", C3);
	assert_int_equal(c3.status, FERRY_LEDGER_WRITTEN);
	assert_non_null(strstr(c3.reason, "company"));
	assert_non_null(strstr(c3.reason, A4));
	assert_non_null(strstr(c3.reason, "written without this link"));
	/* Held by the plan (no email to match on): the ledger says so. */
	assert_int_equal(ledger(&f, "Contact", C4).status, FERRY_LEDGER_HELD);
	assert_non_null(strstr(ledger(&f, "Contact", C4).reason, "held: "));

	/* The refusal is in the conflict queue with Attio's code. */
	assert_int_equal(ferry_plan_get(&plan, f.ws, "Account", A4), 0);
	assert_string_equal(
	    json_string_value(json_object_get(plan, "decision")), "held");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(plan, "reasons"), 0), "code")),
	    "attio_value_not_found");
	assert_non_null(
	    strstr(json_string_value(json_object_get(
	               json_array_get(json_object_get(plan, "reasons"), 0),
	               "release")),
	           "ferry queue retry"));
	json_decref(plan);

	/* Nothing changed: no request at all, every record unchanged. */
	writes = stat_of(&f, "writes", NULL);
	requests = f.rep.http.requests;
	assert_true(requests > 0);
	fx_load_ok(&f);
	assert_int_equal(f.rep.http.requests, 0);
	assert_int_equal(stat_of(&f, "writes", NULL), writes);
	assert_int_equal(obj(&f, "Account")->unchanged, 2);
	assert_int_equal(obj(&f, "Account")->to_write, 2);
	assert_int_equal(obj(&f, "Contact")->unchanged, 3);
	/* The refused record stays failed, with Attio's words. */
	assert_int_equal(ledger(&f, "Account", A4).status, FERRY_LEDGER_FAILED);
	fx_close(&f);
}

static const char activities_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Name: {to: name, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: categories, type: select}\n"
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
    "  Campaign:\n"
    "    to: companies\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
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
#define K1 "701000000000001AAA"
#define T1 "00T000000000001AAA" /* closed, on A1 and C1: two notes */
#define T2 "00T000000000002AAA" /* open: a task linked to A3 and C2 */
#define T3 "00T000000000003AAA" /* closed, on A4, which Attio refuses */
#define M1 "00v000000000001AAA"
#define M2 "00v000000000002AAA"
#define R1 "00K000000000001AAA"

static void activities(struct fx *f)
{
	json_t *x;

	x = api(f, "POST", "/v2/objects/deals/attributes",
	        "{\"data\":{\"title\":\"Salesforce ID\",\"description\":null,"
	        "\"api_slug\":\"salesforce_id\",\"type\":\"text\","
	        "\"is_required\":false,\"is_unique\":true,"
	        "\"is_multiselect\":false,\"config\":{}}}");
	json_decref(x);
	x = api(f, "POST", "/v2/objects/companies/attributes",
	        "{\"data\":{\"title\":\"Salesforce ID\",\"description\":null,"
	        "\"api_slug\":\"salesforce_id\",\"type\":\"text\","
	        "\"is_required\":false,\"is_unique\":false,"
	        "\"is_multiselect\":false,\"config\":{}}}");
	json_decref(x);
	x = api(f, "POST", "/v2/lists",
	        "{\"data\":{\"name\":\"Campaign members\",\"api_slug\":"
	        "\"campaign_members\",\"parent_object\":\"people\","
	        "\"workspace_access\":\"full-access\","
	        "\"workspace_member_access\":[]}}");
	json_decref(x);
	fx_mapping(f, activities_yaml);
	fx_stage(f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A4 "\",\"Name\":\"Refused\",\"Website\":"
	         "\"refused.test\",\"Industry\":\"Nonexistent\"}]");
	fx_stage(f, "Contact",
	         "[{\"Id\":\"" C1 "\",\"LastName\":\"One\",\"Email\":"
	         "\"ann@acme.test\"},"
	         " {\"Id\":\"" C2 "\",\"LastName\":\"Two\",\"Email\":"
	         "\"bob@globex.test\"}]");
	fx_stage(f, "Opportunity",
	         "[{\"Id\":\"" D1 "\",\"Name\":\"Renewal\",\"StageName\":"
	         "\"Lead\",\"OwnerId\":\"005000000000001AAA\"}]");
	fx_stage(f, "Campaign",
	         "[{\"Id\":\"" K1 "\",\"Name\":\"Spring campaign\"}]");
	fx_stage(f, "Task",
	         "[{\"Id\":\"" T1 "\",\"Subject\":\"Call\",\"Description\":"
	         "\"Talked renewals\",\"WhatId\":\"" A1 "\",\"WhoId\":\"" C1
	         "\",\"ActivityDate\":\"2024-03-05\",\"IsClosed\":\"true\"},"
	         " {\"Id\":\"" T2 "\",\"Subject\":\"Send contract\","
	         "\"Description\":\"\",\"WhatId\":\"" A3 "\",\"WhoId\":\"" C2
	         "\",\"ActivityDate\":\"2031-01-10\",\"IsClosed\":\"false\"},"
	         " {\"Id\":\"" T3 "\",\"Subject\":\"Lost\",\"Description\":"
	         "\"x\",\"WhatId\":\"" A4 "\",\"WhoId\":\"\",\"ActivityDate\":"
	         "\"2024-01-02\",\"IsClosed\":\"true\"}]");
	fx_stage(f, "CampaignMember",
	         "[{\"Id\":\"" M1 "\",\"ContactId\":\"" C1 "\"},"
	         " {\"Id\":\"" M2 "\",\"ContactId\":\"" C2 "\"}]");
	fx_stage(f, "OpportunityContactRole",
	         "[{\"Id\":\"" R1 "\",\"OpportunityId\":\"" D1
	         "\",\"ContactId\":\"" C2 "\"}]");
	fx_plan(f);
}

static const char *first_ref(json_t *record, const char *attr)
{
	return json_string_value(json_object_get(
	    json_array_get(
	        json_object_get(json_object_get(record, "values"), attr), 0),
	    "target_record_id"));
}

/* Every kind: notes per parent, a task, list entries, a link appended to
 * a deal, a created record; a note whose required parent Attio refused
 * fails naming it; and nothing is sent again. */
static void test_kinds(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	struct ferry_ledger_row t1, t3, r1, c2, k1;
	json_t *deal, *notes;
	char *path;
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "load-kinds", args);
	activities(&f);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Task")->written, 2);
	assert_int_equal(obj(&f, "Task")->failed, 1);
	assert_int_equal(stat_of(&f, "notes", NULL), 2);
	assert_int_equal(stat_of(&f, "tasks", NULL), 1);
	assert_int_equal(stat_of(&f, "entries_per_list", "campaign_members"),
	                 2);
	assert_int_equal(stat_of(&f, "records_per_object", "deals"), 1);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 3);
	assert_int_equal(obj(&f, "CampaignMember")->written, 2);
	assert_int_equal(obj(&f, "OpportunityContactRole")->written, 1);

	/* The closed task became a note on each of its parents. */
	t1 = ledger(&f, "Task", T1);
	assert_int_equal(t1.status, FERRY_LEDGER_WRITTEN);
	path = ferry_xasprintf("/v2/notes?parent_object=people&"
	                       "parent_record_id=%s",
	                       ledger(&f, "Contact", C1).dest_id);
	notes = api(&f, "GET", path, NULL);
	free(path);
	assert_int_equal(json_array_size(notes), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(notes, 0), "title")),
	                    "Call");
	json_decref(notes);
	/* The note on the refused account fails, naming its parent. */
	t3 = ledger(&f, "Task", T3);
	assert_int_equal(t3.status, FERRY_LEDGER_FAILED);
	assert_non_null(strstr(t3.reason, "parent"));
	assert_non_null(strstr(t3.reason, A4));
	/* The contact role is a person added to the deal. */
	r1 = ledger(&f, "OpportunityContactRole", R1);
	c2 = ledger(&f, "Contact", C2);
	assert_int_equal(r1.status, FERRY_LEDGER_WRITTEN);
	path = ferry_xasprintf("/v2/objects/deals/records/%s",
	                       ledger(&f, "Opportunity", D1).dest_id);
	deal = api(&f, "GET", path, NULL);
	free(path);
	assert_string_equal(first_ref(deal, "associated_people"), c2.dest_id);
	json_decref(deal);
	/* A record without a matching attribute was created. */
	k1 = ledger(&f, "Campaign", K1);
	assert_int_equal(k1.status, FERRY_LEDGER_WRITTEN);
	assert_true(k1.dest_id[0] != '\0');
	/* What each write did, for rollback. */
	assert_string_equal(k1.op, "created");
	assert_string_equal(t1.op, "created");
	assert_string_equal(ledger(&f, "Task", T2).op, "created");
	assert_string_equal(t3.op, "");
	assert_string_equal(r1.op, "appended");
	assert_string_equal(ledger(&f, "CampaignMember", M1).op, "created");
	assert_string_equal(ledger(&f, "Account", A1).op, "created");
	assert_string_equal(ledger(&f, "Opportunity", D1).op, "created");

	fx_load_ok(&f);
	assert_int_equal(f.rep.http.requests, 0);
	assert_int_equal(obj(&f, "Task")->unchanged, 2);
	fx_close(&f);
}

/* Sets a written row back to pending: what a run killed after its commit
 * and before the answer's leaves. */
static void make_pending(struct fx *f, const char *object, const char *id)
{
	struct ferry_ledger_row row = ledger(f, object, id);

	assert_int_equal(row.status, FERRY_LEDGER_WRITTEN);
	row.status = FERRY_LEDGER_PENDING;
	row.dest_id[0] = '\0';
	assert_int_equal(ferry_ledger_put(f->ws, &row), 0);
}

/* A run killed between a create and its answer: the next one finds what
 * was made (notes by parent, title, content and date; a task by its link;
 * a record by salesforce_id) and adopts it; what was not made is made. */
static void test_resume_adopts(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	struct ferry_ledger_row t1, t2, k1, t1b, t2b, k1b;
	int64_t writes;
	char *path;
	json_t *x;
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "load-resume", args);
	activities(&f);
	assert_int_equal(fx_load(&f), 0);
	t1 = ledger(&f, "Task", T1);
	t2 = ledger(&f, "Task", T2);
	k1 = ledger(&f, "Campaign", K1);
	make_pending(&f, "Task", T1);
	make_pending(&f, "Task", T2);
	make_pending(&f, "Campaign", K1);
	writes = stat_of(&f, "writes", NULL);
	fx_load_ok(&f);
	/* Found, not made again: reads only. */
	assert_int_equal(stat_of(&f, "writes", NULL), writes);
	assert_int_equal(stat_of(&f, "notes", NULL), 2);
	assert_int_equal(stat_of(&f, "tasks", NULL), 1);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 3);
	t1b = ledger(&f, "Task", T1);
	t2b = ledger(&f, "Task", T2);
	k1b = ledger(&f, "Campaign", K1);
	assert_int_equal(t1b.status, FERRY_LEDGER_WRITTEN);
	assert_string_equal(t1b.dest_id, t1.dest_id);
	assert_string_equal(t2b.dest_id, t2.dest_id);
	assert_string_equal(k1b.dest_id, k1.dest_id);
	assert_int_equal(obj(&f, "Task")->written, 2);

	/* The note was never made (the kill came before the send): made. */
	path = ferry_xasprintf("/v2/notes/%s", t1.dest_id);
	x = api(&f, "DELETE", path, NULL);
	json_decref(x);
	free(path);
	assert_int_equal(stat_of(&f, "notes", NULL), 1);
	make_pending(&f, "Task", T1);
	fx_load_ok(&f);
	assert_int_equal(stat_of(&f, "notes", NULL), 2);
	assert_int_equal(stat_of(&f, "tasks", NULL), 1);
	assert_string_not_equal(ledger(&f, "Task", T1).dest_id, t1.dest_id);
	fx_close(&f);
}

/* Too many refusals in the window halt the run, with the counts and
 * Attio's most common message; what was refused is in the queue. */
static void test_halt(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	struct ferry_buf b = FERRY_BUF_INIT;
	static struct fx f; /* the teardown reaches it after a failed assert */
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "load-halt", args);
	fx_mapping(&f, accounts_yaml);
	assert_int_equal(ferry_buf_puts(&b, "["), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(
		    ferry_buf_printf(
		        &b,
		        "%s{\"Id\":\"0010000000001%02dAAA\","
		        "\"Name\":\"N%d\",\"Website\":\"n%d.test\","
		        "\"Industry\":\"%s\"}",
		        i ? "," : "", i, i, i, i % 4 ? "Nope" : ""),
		    0);
	assert_int_equal(ferry_buf_puts(&b, "]"), 0);
	fx_stage(&f, "Account", b.ptr);
	ferry_buf_release(&b);
	fx_plan(&f);
	f.lc.halt_window = 10;
	f.lc.halt_error_rate = 0.5;
	f.lc.max_in_flight = 2;
	assert_int_equal(fx_load(&f), FERRY_EHALTED);
	assert_true(f.rep.halted);
	assert_true(f.rep.window_failed * 2 > f.rep.window_size);
	assert_non_null(strstr(f.rep.top_message, "value_not_found"));
	assert_non_null(strstr(ferry_error_last(), "halt_error_rate"));
	assert_true(obj(&f, "Account")->failed < 30);
	assert_true(obj(&f, "Account")->failed >= 6);
	fx_close(&f);
}

/* A destination stricter than ferry was told (429s) and one that fails
 * a third of its writes (500, not done): every record written once. */
static void test_faults(void **state)
{
	static const char *const strict[] = {"--write-rate", "4", NULL};
	static const char *const flaky[] = {
	    "--write-rate", "0",           "--fail-rate", "0.3", "--latency-ms",
	    "20",           "--jitter-ms", "10",          NULL};
	const char *const *args[] = {strict, flaky};
	struct ferry_buf b = FERRY_BUF_INIT;
	int i, k;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_buf_puts(&b, "["), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(
		    ferry_buf_printf(
		        &b,
		        "%s{\"Id\":\"0010000000002%02dAAA\","
		        "\"Name\":\"F%d\",\"Website\":\"f%d.test\","
		        "\"Industry\":\"\"}",
		        i ? "," : "", i, i, i),
		    0);
	assert_int_equal(ferry_buf_puts(&b, "]"), 0);
	for (k = 0; k < 2; k++) {
		static struct fx f;
		json_t *s;

		fx_open(&f, "load-faults", args[k]);
		fx_mapping(&f, accounts_yaml);
		fx_stage(&f, "Account", b.ptr);
		fx_plan(&f);
		assert_int_equal(fx_load(&f), 0);
		assert_int_equal(obj(&f, "Account")->written, 12);
		assert_int_equal(stat_of(&f, "records_per_object", "companies"),
		                 12);
		if (k == 0)
			assert_true(f.rep.http.rate_limited > 0);
		else
			assert_true(f.rep.http.server_errors > 0);
		s = api(&f, "GET", "/__sandbox/stats", NULL);
		assert_int_equal(
		    json_object_size(json_object_get(s, "duplicates")), 0);
		json_decref(s);
		fx_close(&f);
	}
	ferry_buf_release(&b);
}

/* Account.ParentId: a reference to the object's own records, written in
 * the second pass once every account exists; a re-run sends nothing. */
static void test_deferred(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    fields:\n"
	    "      Name: {to: name, type: text}\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      ParentId: {to: parent_company, type: reference, object: "
	    "companies}\n";
	struct ferry_ledger_row a1, a3;
	json_t *x;
	char *path;
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "load-deferred", args);
	x = api(&f, "POST", "/v2/objects/companies/attributes",
	        "{\"data\":{\"title\":\"Parent\",\"description\":null,"
	        "\"api_slug\":\"parent_company\",\"type\":\"record-reference\","
	        "\"is_required\":false,\"is_unique\":false,"
	        "\"is_multiselect\":false,\"config\":{\"record_reference\":"
	        "{\"allowed_objects\":[\"companies\"]}}}}");
	json_decref(x);
	fx_mapping(&f, yaml);
	/* The child comes first: its parent does not exist yet then. */
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Child\",\"Website\":"
	         "\"child.test\",\"ParentId\":\"" A3 "\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Parent\",\"Website\":"
	         "\"parent.test\",\"ParentId\":\"\"}]");
	fx_plan(&f);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	assert_int_equal(obj(&f, "Account")->deferred, 1);
	a1 = ledger(&f, "Account", A1);
	a3 = ledger(&f, "Account", A3);
	path = ferry_xasprintf("/v2/objects/companies/records/%s", a1.dest_id);
	x = api(&f, "GET", path, NULL);
	free(path);
	assert_string_equal(first_ref(x, "parent_company"), a3.dest_id);
	json_decref(x);
	fx_load_ok(&f);
	assert_int_equal(f.rep.http.requests, 0);
	assert_int_equal(obj(&f, "Account")->unchanged, 2);
	assert_int_equal(obj(&f, "Account")->deferred, 0);
	fx_close(&f);
}

/* Twenty accounts, each the parent of the one ten rows on (a ring): the
 * second pass sends a batch while it prepares the next, whose parents are
 * then pending (in flight): each still gets its parent. */
static void test_deferred_in_flight(void **state)
{
	static const char *const args[] = {"--write-rate", "0", "--latency-ms",
	                                   "80", NULL};
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_ledger_row child, parent;
	static struct fx f; /* the teardown reaches it after a failed assert */
	char id[32], pid[32], *path;
	json_t *x;
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "load-deferred-flight", args);
	x = api(&f, "POST", "/v2/objects/companies/attributes",
	        "{\"data\":{\"title\":\"Parent\",\"description\":null,"
	        "\"api_slug\":\"parent_company\",\"type\":\"record-reference\","
	        "\"is_required\":false,\"is_unique\":false,"
	        "\"is_multiselect\":false,\"config\":{\"record_reference\":"
	        "{\"allowed_objects\":[\"companies\"]}}}}");
	json_decref(x);
	fx_mapping(&f, "version: 1\n"
	               "objects:\n"
	               "  Account:\n"
	               "    to: companies\n"
	               "    match: domains\n"
	               "    fields:\n"
	               "      Website: {to: domains, type: domain}\n"
	               "      ParentId: {to: parent_company, type: reference, "
	               "object: companies}\n");
	assert_int_equal(ferry_buf_puts(&b, "["), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(
		    ferry_buf_printf(&b,
		                     "%s{\"Id\":\"0010000000003%02dAAA\","
		                     "\"Website\":\"r%d.test\",\"ParentId\":"
		                     "\"0010000000003%02dAAA\"}",
		                     i ? "," : "", i, i, (i + 10) % 20),
		    0);
	assert_int_equal(ferry_buf_puts(&b, "]"), 0);
	fx_stage(&f, "Account", b.ptr);
	ferry_buf_release(&b);
	fx_plan(&f);
	f.lc.max_in_flight = 4;
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->deferred, 20);
	for (i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "0010000000003%02dAAA", i);
		snprintf(pid, sizeof(pid), "0010000000003%02dAAA",
		         (i + 10) % 20);
		child = ledger(&f, "Account", id);
		parent = ledger(&f, "Account", pid);
		assert_string_equal(child.reason, "");
		path = ferry_xasprintf("/v2/objects/companies/records/%s",
		                       child.dest_id);
		x = api(&f, "GET", path, NULL);
		free(path);
		assert_non_null(first_ref(x, "parent_company"));
		assert_string_equal(first_ref(x, "parent_company"),
		                    parent.dest_id);
		json_decref(x);
	}
	fx_close(&f);
}

/* No destination at all: the run stops with the connection's error and
 * the rows it committed pending; the next run, against the sandbox,
 * writes every record once. */
static void test_no_destination(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	const char *url;
	static struct fx f; /* the teardown reaches it after a failed assert */

	FERRY_UNUSED(state);
	fx_open(&f, "load-down", args);
	fx_mapping(&f, accounts_yaml);
	stage_accounts(&f);
	fx_plan(&f);
	url = f.ho.base_url;
	f.ho.base_url = "http://127.0.0.1:9";
	assert_int_equal(fx_load(&f), FERRY_ECONN);
	assert_non_null(strstr(ferry_error_last(), "pending"));
	assert_int_equal(ledger(&f, "Account", A1).status,
	                 FERRY_LEDGER_PENDING);
	f.ho.base_url = url;
	fx_load_ok(&f);
	assert_int_equal(ledger(&f, "Account", A1).status,
	                 FERRY_LEDGER_WRITTEN);
	assert_int_equal(stat_of(&f, "records_per_object", "companies"), 2);
	assert_int_equal(stat_of(&f, "records_per_object", "people"), 3);
	fx_close(&f);
}

static const char *first_text(json_t *values, const char *attr)
{
	return json_string_value(json_object_get(
	    json_array_get(json_object_get(values, attr), 0), "value"));
}

/* What each write did, for rollback: a record the plan matched in Attio
 * is read before ferry's first PATCH (its values kept in ledger_prior)
 * and is "updated"; an assert that made the record "created"; a re-run,
 * a resumed run and a changed plan keep the first values before. */
static void test_op_prior(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	struct ferry_ledger_row a1, a3;
	static struct fx f; /* the teardown reaches it after a failed assert */
	json_t *seeded, *prior = NULL, *now;
	char *path;
	int64_t reads;

	FERRY_UNUSED(state);
	fx_open(&f, "load-op-prior", args);
	seeded = api(&f, "POST", "/v2/objects/companies/records",
	             "{\"data\":{\"values\":{\"domains\":[\"acme.test\"],"
	             "\"name\":\"Acme (typed by hand)\",\"description\":"
	             "\"a customer since 2019\"}}}");
	fx_mapping(&f, accounts_yaml);
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"Industry\":\"\"}]");
	fx_plan_online(&f);
	reads = stat_of(&f, "reads", NULL);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Account")->written, 2);
	/* One read: the matched record, before its PATCH. */
	assert_int_equal(stat_of(&f, "reads", NULL) - reads, 1);
	a1 = ledger(&f, "Account", A1);
	a3 = ledger(&f, "Account", A3);
	assert_string_equal(a1.dest_id,
	                    json_string_value(json_object_get(
	                        json_object_get(seeded, "id"), "record_id")));
	assert_string_equal(a1.op, "updated");
	assert_string_equal(a3.op, "created");
	assert_int_equal(ferry_ledger_prior_get(&prior, f.ws, "Account", A1),
	                 0);
	assert_string_equal(first_text(prior, "name"), "Acme (typed by hand)");
	assert_string_equal(first_text(prior, "description"),
	                    "a customer since 2019");
	json_decref(prior);
	assert_int_equal(ferry_ledger_prior_get(&prior, f.ws, "Account", A3),
	                 FERRY_ENOTFOUND);
	path = ferry_xasprintf("/v2/objects/companies/records/%s", a1.dest_id);
	now = api(&f, "GET", path, NULL);
	assert_string_equal(first_text(json_object_get(now, "values"), "name"),
	                    "Acme");
	json_decref(now);

	/* The name changes in Salesforce; the run is killed after its
	 * pending row; planned again (still matched) and run: the values
	 * before stay the hand-typed ones, not ferry's, and no read. */
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme Corp\",\"Website\":"
	         "\"acme.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"Industry\":\"\"}]");
	fx_plan_online(&f);
	make_pending(&f, "Account", A1);
	reads = stat_of(&f, "reads", NULL);
	fx_load_ok(&f);
	assert_int_equal(stat_of(&f, "reads", NULL), reads);
	a1 = ledger(&f, "Account", A1);
	assert_string_equal(a1.op, "updated");
	assert_int_equal(a1.status, FERRY_LEDGER_WRITTEN);
	assert_int_equal(ferry_ledger_prior_get(&prior, f.ws, "Account", A1),
	                 0);
	assert_string_equal(first_text(prior, "name"), "Acme (typed by hand)");
	json_decref(prior);
	now = api(&f, "GET", path, NULL);
	assert_string_equal(first_text(json_object_get(now, "values"), "name"),
	                    "Acme Corp");
	json_decref(now);
	free(path);
	/* Unchanged: the op stays, nothing sent. */
	fx_load_ok(&f);
	assert_int_equal(f.rep.http.requests, 0);
	assert_string_equal(ledger(&f, "Account", A3).op, "created");
	json_decref(seeded);
	fx_close(&f);
}

/* An assert on a record that was in Attio before (the plan, offline, did
 * not see it): "existed", which rollback leaves; its values before were
 * not read. */
static void test_op_existed(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	json_t *x, *prior = NULL;
	int i;

	FERRY_UNUSED(state);
	fx_open(&f, "load-op-existed", args);
	x = api(&f, "POST", "/v2/objects/companies/records",
	        "{\"data\":{\"values\":{\"domains\":[\"acme.test\"],"
	        "\"name\":\"Acme (typed by hand)\"}}}");
	json_decref(x);
	/* Made seconds before the run (beyond the second the Date header
	 * is truncated to, and the margin): before it. */
	ferry_clock_sleep_us(2200000);
	fx_mapping(&f, accounts_yaml);
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Name\":\"Acme\",\"Website\":"
	         "\"acme.test\",\"Industry\":\"\"},"
	         " {\"Id\":\"" A3 "\",\"Name\":\"Globex\",\"Website\":"
	         "\"globex.test\",\"Industry\":\"\"}]");
	fx_plan(&f);
	assert_int_equal(fx_load(&f), 0);
	assert_string_equal(ledger(&f, "Account", A1).op, "existed");
	assert_string_equal(ledger(&f, "Account", A3).op, "created");
	assert_int_equal(ferry_ledger_prior_get(&prior, f.ws, "Account", A1),
	                 FERRY_ENOTFOUND);
	/* Sent again (its pending row, as a resumed run finds it, names
	 * the record): still what the first write found and made. */
	for (i = 0; i < 2; i++) {
		struct ferry_ledger_row row =
		    ledger(&f, "Account", i ? A3 : A1);

		row.status = FERRY_LEDGER_PENDING;
		row.payload_hash[0] = '\0';
		assert_int_equal(ferry_ledger_put(f.ws, &row), 0);
	}
	fx_load_ok(&f);
	assert_int_equal(obj(&f, "Account")->written, 2);
	assert_string_equal(ledger(&f, "Account", A1).op, "existed");
	assert_string_equal(ledger(&f, "Account", A3).op, "created");
	fx_close(&f);
}

/* A Case written as a note carries its comments (merged into it by the
 * plan), oldest first; a re-run and a resumed run add nothing. */
static void test_case_comments(void **state)
{
	static const char *const args[] = {"--write-rate", "0", NULL};
	static struct fx f; /* the teardown reaches it after a failed assert */
	struct ferry_ledger_row cs, c1, c2;
	json_t *notes;
	const char *content;
	char *path;

	FERRY_UNUSED(state);
	fx_open(&f, "load-comments", args);
	fx_mapping(&f, "version: 1\n"
	               "objects:\n"
	               "  Account:\n"
	               "    to: companies\n"
	               "    match: domains\n"
	               "    fields:\n"
	               "      Website: {to: domains, type: domain}\n"
	               "  Case:\n"
	               "    to: notes\n"
	               "    comments: CaseComment\n"
	               "    fields:\n"
	               "      Subject: {to: title, type: text}\n"
	               "      Description: {to: content, type: text}\n"
	               "      AccountId: {to: parent, type: reference, object: "
	               "companies}\n"
	               "  CaseComment:\n"
	               "    to: null\n");
	fx_stage(&f, "Account",
	         "[{\"Id\":\"" A1 "\",\"Website\":\"acme.test\"}]");
	fx_stage(&f, "Case",
	         "[{\"Id\":\"500000000000001AAA\",\"Subject\":\"Printer "
	         "jam\",\"Description\":\"It jams.\",\"AccountId\":\"" A1
	         "\"}]");
	/* Staged newest first: written oldest first. */
	fx_stage(&f, "CaseComment",
	         "[{\"Id\":\"00a000000000002AAA\",\"ParentId\":"
	         "\"500000000000001AAA\",\"CommentBody\":\"Fixed by a "
	         "reboot.\",\"CreatedDate\":\"2024-03-06T09:30:00.000+0000\"},"
	         " {\"Id\":\"00a000000000001AAA\",\"ParentId\":"
	         "\"500000000000001AAA\",\"CommentBody\":\"Asked for the "
	         "model.\",\"CreatedDate\":\"2024-03-05T10:00:00.000+0000\"}]");
	fx_plan(&f);
	assert_int_equal(fx_load(&f), 0);
	assert_int_equal(obj(&f, "Case")->written, 1);
	assert_int_equal(obj(&f, "CaseComment")->merged, 2);
	assert_int_equal(stat_of(&f, "notes", NULL), 1);
	cs = ledger(&f, "Case", "500000000000001AAA");
	c1 = ledger(&f, "CaseComment", "00a000000000001AAA");
	c2 = ledger(&f, "CaseComment", "00a000000000002AAA");
	assert_int_equal(c1.status, FERRY_LEDGER_MERGED);
	assert_string_equal(c1.dest_id, cs.dest_id);
	assert_string_equal(c2.dest_id, cs.dest_id);
	path = ferry_xasprintf("/v2/notes?parent_object=companies&"
	                       "parent_record_id=%s",
	                       ledger(&f, "Account", A1).dest_id);
	notes = api(&f, "GET", path, NULL);
	assert_int_equal(json_array_size(notes), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(notes, 0), "title")),
	                    "Printer jam");
	content = json_string_value(
	    json_object_get(json_array_get(notes, 0), "content_plaintext"));
	assert_string_equal(
	    content, "It jams.\n\n"
	             "Comment, 2024-03-05 10:00 UTC:\nAsked for the "
	             "model.\n\n"
	             "Comment, 2024-03-06 09:30 UTC:\nFixed by a reboot.");
	json_decref(notes);

	/* Again: nothing sent. Killed after its commit: found, not made
	 * twice (its content, comments and all, is what is looked for). */
	fx_load_ok(&f);
	assert_int_equal(f.rep.http.requests, 0);
	make_pending(&f, "Case", "500000000000001AAA");
	fx_load_ok(&f);
	assert_int_equal(stat_of(&f, "notes", NULL), 1);
	assert_string_equal(ledger(&f, "Case", "500000000000001AAA").dest_id,
	                    cs.dest_id);
	free(path);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_records, teardown),
	    cmocka_unit_test_teardown(test_kinds, teardown),
	    cmocka_unit_test_teardown(test_resume_adopts, teardown),
	    cmocka_unit_test_teardown(test_halt, teardown),
	    cmocka_unit_test_teardown(test_faults, teardown),
	    cmocka_unit_test_teardown(test_deferred, teardown),
	    cmocka_unit_test_teardown(test_deferred_in_flight, teardown),
	    cmocka_unit_test_teardown(test_no_destination, teardown),
	    cmocka_unit_test_teardown(test_op_prior, teardown),
	    cmocka_unit_test_teardown(test_op_existed, teardown),
	    cmocka_unit_test_teardown(test_case_comments, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
