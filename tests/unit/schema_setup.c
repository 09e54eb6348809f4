/* schema_setup.c: schema setup. The plan of changes from pairs of
 * mapping.yaml and destination snapshot (each mapping type's Attio type
 * and flags, options and statuses missing, archived ones reported, an
 * incompatible type blocked, custom objects, lists, what cannot be
 * made); applying it against the Attio sandbox (everything created, a
 * second plan empty, a second apply all "existed", Attio's refusal named)
 * and against a scripted server (a 500 part way, then a run that finishes
 * the rest; a taken noun; a refused token; no server at all). */
#include "helpers.h"
#include "util.h"

#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/schema_setup.h"

static struct ferry_mapfile *mapping(const char *text)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	return m;
}

/* JSON written with ' for ". */
static json_t *snapshot(const char *text)
{
	char *s = ferry_xstrdup(text), *p;
	json_error_t jerr;
	json_t *j;

	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(s, 0, &jerr);
	if (!j)
		fail_msg("snapshot: %s at %d", jerr.text, jerr.position);
	free(s);
	return j;
}

static json_t *plan_of(const char *yaml, const char *snap_text)
{
	struct ferry_mapfile *m = mapping(yaml);
	json_t *snap = snapshot(snap_text), *doc = NULL;

	assert_int_equal(ferry_schema_setup_plan(&doc, m, snap), 0);
	json_decref(snap);
	ferry_mapfile_free(m);
	return doc;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The changes' descriptions are exactly `want`, in order. */
static void expect_changes(const json_t *doc, const char *const *want)
{
	const json_t *changes = json_object_get(doc, "changes");
	size_t i, n = 0;

	while (want[n])
		n++;
	for (i = 0; i < json_array_size(changes) || i < n; i++) {
		const char *got =
		    str(json_array_get(changes, i), "description");

		if (i >= n || i >= json_array_size(changes) ||
		    strcmp(got, want[i])) {
			char *all = json_dumps(doc, JSON_INDENT(1));

			fail_msg("change %zu: got '%s', want '%s'\n%s", i + 1,
			         got, i < n ? want[i] : "(none)", all);
		}
	}
}

static const json_t *change(const json_t *doc, const char *description)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(doc, "changes"), i, c)
	{
		if (!strcmp(str(c, "description"), description))
			return c;
	}
	fail_msg("no change '%s'", description);
	return NULL;
}

/* Whether one message of doc[kind] has every one of `parts`. */
static bool reported(const json_t *doc, const char *kind,
                     const char *const *parts)
{
	const json_t *x;
	size_t i, k;

	json_array_foreach(json_object_get(doc, kind), i, x)
	{
		for (k = 0; parts[k] && strstr(str(x, "message"), parts[k]);
		     k++)
			;
		if (!parts[k])
			return true;
	}
	return false;
}

static void expect_reported(const json_t *doc, const char *kind,
                            const char *const *parts)
{
	if (!reported(doc, kind, parts)) {
		char *all =
		    json_dumps(json_object_get(doc, kind), JSON_INDENT(1));

		fail_msg("no %s with '%s'...: %s", kind, parts[0], all);
	}
}

#define EXPECT(doc, kind, ...)                                                 \
	do {                                                                   \
		const char *const parts_[] = {__VA_ARGS__, NULL};              \
		expect_reported(doc, kind, parts_);                            \
	} while (0)

static const char companies_people[] =
    "{'members': [], 'attributes': {"
    "'companies': ["
    " {'api_slug': 'name', 'type': 'text', 'is_system_attribute': true,"
    "  'is_writable': true},"
    " {'api_slug': 'domains', 'type': 'domain', 'is_unique': true,"
    "  'is_multiselect': true, 'is_system_attribute': true},"
    " {'api_slug': 'primary_location', 'type': 'location',"
    "  'is_system_attribute': true}],"
    "'people': ["
    " {'api_slug': 'name', 'type': 'personal-name',"
    "  'is_system_attribute': true},"
    " {'api_slug': 'email_addresses', 'type': 'email-address',"
    "  'is_unique': true, 'is_multiselect': true,"
    "  'is_system_attribute': true},"
    " {'api_slug': 'job_title', 'type': 'text',"
    "  'is_system_attribute': true}]}}";

/* Every mapping type becomes its Attio type, with its flags and config. */
static void test_types(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: salesforce_id\n"
	    "    fields:\n"
	    "      Id: {to: salesforce_id, type: text}\n"
	    "      Name: {to: name, type: text}\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      NumberOfEmployees: {to: employees, type: number}\n"
	    "      AnnualRevenue: {to: revenue, type: currency, currency: "
	    "EUR}\n"
	    "      Active__c: {to: active, type: checkbox}\n"
	    "      Founded__c: {to: founded, type: date}\n"
	    "      LastActivity__c: {to: last_activity, type: timestamp}\n"
	    "      Industry: {to: industry, type: select, values: "
	    "Account.Industry}\n"
	    "      Tags__c: {to: tags, type: multiselect}\n"
	    "      Email__c: {to: contact_email, type: email}\n"
	    "      Phone: {to: phone, type: phone}\n"
	    "      BillingCity: {to: primary_location, type: location, part: "
	    "locality}\n"
	    "      Main_Contact__c: {to: main_contact, type: reference, "
	    "object: people}\n"
	    "      OwnerId: {to: owner, type: owner}\n"
	    "value_tables:\n"
	    "  Account.Industry:\n"
	    "    unmapped: default\n"
	    "    default: Other\n"
	    "    values: {Banking: Financial services, Finance: Financial "
	    "services}\n";
	static const char *const want[] = {
	    "create attribute companies.salesforce_id (text, unique)",
	    "create attribute companies.employees (number)",
	    "create attribute companies.revenue (currency, EUR)",
	    "create attribute companies.active (checkbox)",
	    "create attribute companies.founded (date)",
	    "create attribute companies.last_activity (timestamp)",
	    "create attribute companies.industry (select)",
	    "create attribute companies.tags (select, multiselect)",
	    "create attribute companies.contact_email (email-address, "
	    "multiselect)",
	    "create attribute companies.phone (phone-number, multiselect)",
	    "create attribute companies.main_contact (record-reference to "
	    "people)",
	    "create attribute companies.owner (actor-reference)",
	    "add option 'Financial services' to companies.industry (value "
	    "table Account.Industry)",
	    "add option 'Other' to companies.industry (value table "
	    "Account.Industry)",
	    NULL};
	json_t *doc = plan_of(yaml, companies_people);
	const json_t *c, *d;

	FERRY_UNUSED(state);
	expect_changes(doc, want);
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
	/* The select without a value table is a warning, not a change. */
	EXPECT(doc, "warnings", "mapping.yaml:16: ", "Account.Tags__c",
	       "no value table");
	c = change(doc, want[0]);
	assert_string_equal(str(c, "kind"), "attribute");
	assert_string_equal(str(c, "target"), "objects");
	assert_string_equal(str(c, "parent"), "companies");
	d = json_object_get(c, "data");
	assert_string_equal(str(d, "api_slug"), "salesforce_id");
	assert_string_equal(str(d, "title"), "Salesforce ID");
	assert_string_equal(str(d, "type"), "text");
	assert_true(json_is_true(json_object_get(d, "is_unique")));
	assert_true(json_is_false(json_object_get(d, "is_required")));
	assert_true(json_is_false(json_object_get(d, "is_multiselect")));
	assert_non_null(strstr(str(d, "description"), "Account.Id"));
	d = json_object_get(change(doc, want[2]), "data");
	assert_string_equal(
	    str(json_object_get(json_object_get(d, "config"), "currency"),
	        "default_currency_code"),
	    "EUR");
	d = json_object_get(change(doc, want[7]), "data");
	assert_true(json_is_true(json_object_get(d, "is_multiselect")));
	d = json_object_get(change(doc, want[10]), "data");
	assert_string_equal(
	    json_string_value(json_array_get(
	        json_object_get(json_object_get(json_object_get(d, "config"),
	                                        "record_reference"),
	                        "allowed_objects"),
	        0)),
	    "people");
	c = change(doc, want[12]);
	assert_string_equal(str(c, "kind"), "option");
	assert_string_equal(str(c, "attribute"), "industry");
	assert_string_equal(str(c, "title"), "Financial services");
	json_decref(doc);
}

static const char options_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    fields:\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: industry, type: select, values: "
    "Account.Industry}\n"
    "  Opportunity:\n"
    "    to: deals\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      StageName: {to: stage, type: status, values: "
    "Opportunity.StageName}\n"
    "      Amount: {to: value, type: currency, currency: USD}\n"
    "value_tables:\n"
    "  Account.Industry:\n"
    "    values: {Banking: Banking, Finance: Financial services, Legacy: "
    "Old}\n"
    "  Opportunity.StageName:\n"
    "    unmapped: default\n"
    "    default: Lead\n"
    "    values: {Prospecting: Lead, Negotiation: Negotiation, Closed Won: "
    "Won, Dead: Abandoned}\n";

static const char options_snap[] =
    "{'members': [], 'attributes': {"
    "'companies': ["
    " {'api_slug': 'domains', 'type': 'domain', 'is_unique': true,"
    "  'is_multiselect': true},"
    " {'api_slug': 'industry', 'type': 'select',"
    "  'options': [{'title': 'Banking', 'is_archived': false}%s],"
    "  'archived_options': [{'title': 'Old', 'is_archived': true}]}],"
    "'deals': ["
    " {'api_slug': 'name', 'type': 'text', 'is_required': true},"
    " {'api_slug': 'stage', 'type': 'status', 'is_required': true,"
    "  'is_system_attribute': true,"
    "  'options': [{'title': 'Lead', 'is_archived': false},"
    "   {'title': 'Won', 'is_archived': false}%s],"
    "  'archived_options': [{'title': 'Abandoned', 'is_archived': true}]},"
    " {'api_slug': 'owner', 'type': 'actor-reference', 'is_required': true},"
    " {'api_slug': 'value', 'type': 'currency',"
    "  'config': {'currency': {'default_currency_code': 'USD'}}},"
    " {'api_slug': 'salesforce_id', 'type': 'text', 'is_unique': true}]}}";

/* Options and statuses the tables name that Attio lacks are added; the
 * archived ones are reported, never re-created. */
static void test_options_and_statuses(void **state)
{
	static const char *const want[] = {
	    "add option 'Financial services' to companies.industry (value "
	    "table Account.Industry)",
	    "add status 'Negotiation' to deals.stage (value table "
	    "Opportunity.StageName)",
	    NULL};
	static const char *const none[] = {NULL};
	char *text = ferry_xasprintf(options_snap, "", "");
	json_t *doc = plan_of(options_yaml, text);

	FERRY_UNUSED(state);
	expect_changes(doc, want);
	assert_string_equal(str(change(doc, want[1]), "kind"), "status");
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
	EXPECT(doc, "warnings",
	       "'Old' is an archived option of "
	       "companies.industry",
	       "value table Account.Industry", "restore it in Attio");
	EXPECT(doc, "warnings",
	       "'Abandoned' is an archived status of "
	       "deals.stage");
	assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 2);
	json_decref(doc);
	free(text);
	/* Everything there: nothing to do (the archived ones still said). */
	text =
	    ferry_xasprintf(options_snap, ", {'title': 'Financial services'}",
	                    ", {'title': 'Negotiation'}");
	doc = plan_of(options_yaml, text);
	expect_changes(doc, none);
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
	json_decref(doc);
	free(text);
}

/* A mapping that writes into an attribute of another type is blocked,
 * naming the attribute, both types and what to do. */
static void test_incompatible(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    fields:\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      Industry: {to: industry, type: select}\n"
	    "      Tags__c: {to: tags, type: multiselect}\n"
	    "      Followers__c: {to: twitter_follower_count, type: number}\n"
	    "      Revenue__c: {to: revenue, type: currency, currency: USD}\n"
	    "      Phone: {to: phone, type: text}\n";
	static const char snap[] =
	    "{'attributes': {'companies': ["
	    " {'api_slug': 'domains', 'type': 'domain', 'is_unique': true},"
	    " {'api_slug': 'industry', 'type': 'text'},"
	    " {'api_slug': 'tags', 'type': 'select', 'is_multiselect': false,"
	    "  'options': []},"
	    " {'api_slug': 'twitter_follower_count', 'type': 'number',"
	    "  'is_writable': false},"
	    " {'api_slug': 'revenue', 'type': 'currency',"
	    "  'config': {'currency': {'default_currency_code': 'EUR'}}},"
	    " {'api_slug': 'phone', 'type': 'phone-number'}]}}";
	static const char *const none[] = {NULL};
	json_t *doc = plan_of(yaml, snap);

	FERRY_UNUSED(state);
	expect_changes(doc, none);
	EXPECT(doc, "problems", "mapping.yaml:8: ", "Account.Industry",
	       "writes a select (Attio type select) into companies.industry",
	       "which is a text attribute in Attio",
	       "change the field's type to text in mapping.yaml");
	EXPECT(doc, "problems", "mapping.yaml:9: ", "companies.tags",
	       "a single select in Attio");
	EXPECT(doc, "problems", "companies.twitter_follower_count",
	       "not writable");
	EXPECT(doc, "problems", "amounts in USD into companies.revenue",
	       "currency in Attio is EUR");
	EXPECT(doc, "problems",
	       "writes a text (Attio type text) into "
	       "companies.phone",
	       "phone-number attribute", "change the field's type to phone");
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 5);
	assert_string_equal(
	    str(json_array_get(json_object_get(doc, "problems"), 0), "object"),
	    "companies");
	assert_string_equal(
	    str(json_array_get(json_object_get(doc, "problems"), 0),
	        "attribute"),
	    "industry");
	json_decref(doc);
}

static const char objects_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: domains\n"
    "    record_type_attribute: account_kind\n"
    "    record_types:\n"
    "      Customer: Customer\n"
    "      Partner: {option: Partner, list: partners}\n"
    "    fields:\n"
    "      Website: {to: domains, type: domain}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "  Invoice__c:\n"
    "    to: invoices\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      Amount__c: {to: amount, type: currency, currency: EUR}\n"
    "      Account__c: {to: company, type: reference, object: companies}\n"
    "  CampaignMember:\n"
    "    to: list_entries\n"
    "    list: campaign_members\n"
    "    fields:\n"
    "      ContactId: {to: parent, type: reference, object: people}\n"
    "      Status: {to: member_status, type: select, values: "
    "CampaignMember.Status}\n"
    "value_tables:\n"
    "  CampaignMember.Status:\n"
    "    values: {Sent: Sent, Responded: Responded}\n";

/* A custom object is made first, then the attributes, the options, the
 * lists and the lists' attributes. */
static void test_custom_object_and_lists(void **state)
{
	static const char *const want[] = {
	    "create object invoices (Invoice, Invoices)",
	    "create attribute companies.account_kind (select)",
	    "create attribute invoices.salesforce_id (text, unique)",
	    "create attribute invoices.name (text)",
	    "create attribute invoices.amount (currency, EUR)",
	    "create attribute invoices.company (record-reference to "
	    "companies)",
	    "add option 'Customer' to companies.account_kind "
	    "(Account.record_types)",
	    "add option 'Partner' to companies.account_kind "
	    "(Account.record_types)",
	    "create list partners (entries of companies)",
	    "create list campaign_members (entries of people)",
	    "create list attribute campaign_members.member_status (select)",
	    "add option 'Sent' to list campaign_members.member_status (value "
	    "table CampaignMember.Status)",
	    "add option 'Responded' to list campaign_members.member_status "
	    "(value table CampaignMember.Status)",
	    NULL};
	static const char *const some[] = {
	    "create object invoices (Invoice, Invoices)",
	    "create attribute companies.account_kind (select)",
	    "create attribute invoices.salesforce_id (text, unique)",
	    "create attribute invoices.name (text)",
	    "create attribute invoices.amount (currency, EUR)",
	    "create attribute invoices.company (record-reference to "
	    "companies)",
	    "add option 'Customer' to companies.account_kind "
	    "(Account.record_types)",
	    "add option 'Partner' to companies.account_kind "
	    "(Account.record_types)",
	    "add option 'Responded' to list campaign_members.member_status "
	    "(value table CampaignMember.Status)",
	    NULL};
	const json_t *c;
	json_t *doc, *snap_j;
	char *text;

	FERRY_UNUSED(state);
	/* Lists read: there are none. */
	snap_j = snapshot(companies_people);
	json_object_set_new(snap_j, "lists", json_array());
	{
		struct ferry_mapfile *m = mapping(objects_yaml);

		assert_int_equal(ferry_schema_setup_plan(&doc, m, snap_j), 0);
		ferry_mapfile_free(m);
	}
	expect_changes(doc, want);
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
	c = change(doc, want[0]);
	assert_string_equal(str(c, "kind"), "object");
	assert_string_equal(str(json_object_get(c, "data"), "singular_noun"),
	                    "Invoice");
	assert_string_equal(str(json_object_get(c, "data"), "plural_noun"),
	                    "Invoices");
	c = json_object_get(change(doc, want[9]), "data");
	assert_string_equal(str(c, "parent_object"), "people");
	assert_string_equal(str(c, "workspace_access"), "full-access");
	assert_string_equal(str(c, "name"), "Campaign members");
	c = change(doc, want[10]);
	assert_string_equal(str(c, "target"), "lists");
	assert_string_equal(str(c, "parent"), "campaign_members");
	json_decref(doc);
	json_decref(snap_j);

	/* The lists there, one of its options too; partners holds people,
	 * not companies: a problem. */
	text = ferry_xasprintf(
	    "%.*s, 'lists': ["
	    " {'api_slug': 'campaign_members', 'parent_object': ['people'],"
	    "  'attributes': [{'api_slug': 'member_status', 'type': 'select',"
	    "   'options': [{'title': 'Sent', 'is_archived': false}]}]},"
	    " {'api_slug': 'partners', 'parent_object': ['people'],"
	    "  'attributes': []}]}",
	    (int)(strlen(companies_people) - 1), companies_people);
	doc = plan_of(objects_yaml, text);
	expect_changes(doc, some);
	EXPECT(doc, "problems", "mapping.yaml:9: ",
	       "puts companies records in the list partners",
	       "whose parent object in Attio is people");
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 1);
	json_decref(doc);
	free(text);
}

/* What cannot be made is a problem that says what to do. */
static void test_cannot_make(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    defaults: {tier: Gold}\n"
	    "    fields:\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      Contact_Name__c: {to: contact_name, type: name}\n"
	    "      Budget__c: {to: budget, type: currency}\n"
	    "      Legacy__c: {to: legacy, type: text}\n"
	    "  Contact:\n"
	    "    to: people\n"
	    "    match: job_title\n"
	    "    fields:\n"
	    "      Title: {to: job_title, type: text}\n"
	    "      Nickname__c: {to: nickname, type: name}\n"
	    "      Legacy_Id__c: {to: legacy_id, type: text}\n"
	    "      Parent__c: {to: parent_record, type: reference}\n"
	    "  Case:\n"
	    "    to: support_cases\n"
	    "    match: salesforce_id\n"
	    "    fields:\n"
	    "      Id: {to: salesforce_id, type: text}\n"
	    "      Status: {to: status, type: status}\n"
	    "  Opportunity:\n"
	    "    to: deals\n"
	    "    match: salesforce_id\n"
	    "    fields:\n"
	    "      Id: {to: salesforce_id, type: text}\n"
	    "  Lead:\n"
	    "    to: people\n"
	    "    match: legacy_id\n"
	    "    fields:\n"
	    "      Legacy_Id__c: {to: legacy_id, type: text}\n";
	static const char snap[] =
	    "{'attributes': {"
	    "'companies': [{'api_slug': 'domains', 'type': 'domain',"
	    " 'is_unique': true}],"
	    "'people': [{'api_slug': 'job_title', 'type': 'text',"
	    " 'is_system_attribute': true},"
	    " {'api_slug': 'legacy_id', 'type': 'text'}]},"
	    "'archived': {'companies': [{'api_slug': 'legacy', 'type': 'text',"
	    " 'is_archived': true}]}}";
	static const char *const want[] = {
	    "create object support_cases (Support case, Support cases)",
	    "make people.legacy_id unique (Lead matches records on it)",
	    "create attribute support_cases.salesforce_id (text, unique)",
	    NULL};
	json_t *doc = plan_of(yaml, snap);

	FERRY_UNUSED(state);
	expect_changes(doc, want);
	EXPECT(doc, "problems", "Opportunity goes to deals",
	       "does not have enabled", "an admin enables it");
	EXPECT(doc, "problems", "mapping.yaml:9: ", "companies.contact_name",
	       "only people have a personal name", "use type: text");
	EXPECT(doc, "problems", "people.nickname",
	       "cannot create personal-name attributes",
	       "send the name parts to people.name");
	EXPECT(doc, "problems", "companies.budget",
	       "set currency: on the field, or options.currency");
	EXPECT(doc, "problems",
	       "mapping.yaml:11: companies.legacy is archived "
	       "in Attio",
	       "restore it");
	EXPECT(doc, "problems", "Contact matches records on people.job_title",
	       "system text attribute");
	EXPECT(doc, "problems", "people.parent_record",
	       "give the field object:");
	EXPECT(doc, "problems", "support_cases.status",
	       "status attributes on lists and deals' stage only",
	       "use type: select");
	EXPECT(doc, "problems",
	       "mapping.yaml:6: Account.defaults fills "
	       "companies.tier",
	       "its type is unknown");
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 9);
	json_decref(doc);
}

/* Two fields giving one attribute two types, and the objects a snapshot
 * is read for. */
static void test_conflicts_and_objects(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Contact:\n"
	    "    to: people\n"
	    "    match: email_addresses\n"
	    "    fields:\n"
	    "      Email: {to: email_addresses, type: email}\n"
	    "      Status__c: {to: status, type: select}\n"
	    "      AccountId: {to: company, type: reference, object: "
	    "companies}\n"
	    "  Lead:\n"
	    "    to: people\n"
	    "    match: email_addresses\n"
	    "    fields:\n"
	    "      Email: {to: email_addresses, type: email}\n"
	    "      Status: {to: status, type: multiselect}\n"
	    "  Invoice__c:\n"
	    "    to: invoices\n"
	    "    match: salesforce_id\n"
	    "    fields:\n"
	    "      Id: {to: salesforce_id, type: text}\n"
	    "      Owner__c: {to: customer, type: reference, object: "
	    "people}\n";
	struct ferry_mapfile *m = mapping(yaml);
	const char **objects = ferry_schema_setup_objects(m);
	json_t *doc;

	FERRY_UNUSED(state);
	assert_string_equal(objects[0], "people");
	assert_string_equal(objects[1], "companies");
	assert_string_equal(objects[2], "invoices");
	assert_null(objects[3]);
	free(objects);
	ferry_mapfile_free(m);
	doc = plan_of(yaml, companies_people);
	EXPECT(doc, "problems",
	       "mapping.yaml:15: Lead.Status writes a "
	       "multiselect into people.status",
	       "which Contact.Status__c (line 8) writes as a select");
	json_decref(doc);
}

/*
 * Applying, against the sandbox.
 */

static const char apply_yaml[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Industry: {to: industry, type: select, values: "
    "Account.Industry}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "  Invoice__c:\n"
    "    to: invoices\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Amount__c: {to: amount, type: currency, currency: EUR}\n"
    "      Paid__c: {to: paid, type: checkbox}\n"
    "      Account__c: {to: company, type: reference, object: companies}\n"
    "  Opportunity:\n"
    "    to: deals\n"
    "    match: salesforce_id\n"
    "    fields:\n"
    "      Id: {to: salesforce_id, type: text}\n"
    "      Name: {to: name, type: text}\n"
    "      StageName: {to: stage, type: status, values: "
    "Opportunity.StageName}\n"
    "  CampaignMember:\n"
    "    to: list_entries\n"
    "    list: campaign_members\n"
    "    fields:\n"
    "      ContactId: {to: parent, type: reference, object: people}\n"
    "      Status: {to: member_status, type: status, values: "
    "CampaignMember.Status}\n"
    "value_tables:\n"
    "  Account.Industry:\n"
    "    values: {Banking: Banking, Finance: Financial services}\n"
    "  Opportunity.StageName:\n"
    "    values: {Prospecting: Lead, Negotiation: Negotiation, Closed "
    "Won: Won 🎉}\n"
    "  CampaignMember.Status:\n"
    "    values: {Sent: Sent, Responded: Responded}\n";

struct seen {
	size_t n;
	size_t by[4];
	char last_failed[1024];
};

static void on_step(const struct ferry_schema_setup_step *st, void *payload)
{
	struct seen *s = payload;

	assert_int_equal(st->index, s->n);
	s->n++;
	s->by[st->outcome]++;
	if (st->outcome == FERRY_SCHEMA_FAILED)
		snprintf(s->last_failed, sizeof(s->last_failed), "%s: %s",
		         st->description, st->message);
}

static json_t *plan_live(struct ferry_attio *a, struct ferry_mapfile *m)
{
	json_t *snap = NULL, *doc = NULL;

	if (ferry_schema_setup_snapshot(&snap, a, m) < 0)
		fail_msg("snapshot: %s", ferry_error_last());
	assert_int_equal(ferry_schema_setup_plan(&doc, m, snap), 0);
	json_decref(snap);
	return doc;
}

static void test_apply_sandbox(void **state)
{
	struct ferry_mapfile *m = mapping(apply_yaml);
	struct ferry_attio *a = test_attio_client(test_attio_sb.url, 2);
	struct ferry_schema_setup_result r;
	struct seen seen;
	json_t *doc, *again, *got = NULL;
	size_t n;

	FERRY_UNUSED(state);
	doc = plan_live(a, m);
	assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
	n = json_array_size(json_object_get(doc, "changes"));
	/* invoices; 2 companies, 4 invoices and 1 deals attributes; 2
	 * options, 1 status; the list, its attribute, its 2 statuses. */
	assert_int_equal(n, 15);
	memset(&seen, 0, sizeof(seen));
	if (ferry_schema_setup_apply(a, doc, on_step, &seen, &r) < 0)
		fail_msg("apply: %s", ferry_error_last());
	assert_int_equal(r.created, n);
	assert_int_equal(seen.n, n);
	assert_int_equal(seen.by[FERRY_SCHEMA_CREATED], n);

	/* What was made is what was meant. */
	assert_int_equal(ferry_attio_get_data(&got, a,
	                                      "/v2/objects/invoices/"
	                                      "attributes/amount"),
	                 0);
	assert_string_equal(str(got, "type"), "currency");
	assert_string_equal(
	    str(json_object_get(json_object_get(got, "config"), "currency"),
	        "default_currency_code"),
	    "EUR");
	json_decref(got);
	assert_int_equal(ferry_attio_get_data(&got, a,
	                                      "/v2/objects/companies/"
	                                      "attributes/salesforce_id"),
	                 0);
	assert_true(json_is_true(json_object_get(got, "is_unique")));
	json_decref(got);

	/* Planned again: nothing left to do, nothing wrong. */
	again = plan_live(a, m);
	assert_int_equal(json_array_size(json_object_get(again, "changes")), 0);
	assert_int_equal(json_array_size(json_object_get(again, "problems")),
	                 0);
	json_decref(again);

	/* The same changes applied again: all already there. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ferry_schema_setup_apply(a, doc, on_step, &seen, &r),
	                 0);
	assert_int_equal(r.existed, n);
	assert_int_equal(r.created, 0);
	json_decref(doc);
	ferry_attio_free(a);
	ferry_mapfile_free(m);
}

/* PATCH through the client, for the test to archive things. */
static void patch(struct ferry_attio *a, const char *path, const char *body)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;

	assert_int_equal(ferry_http_request(ferry_attio_http(a),
	                                    FERRY_HTTP_WRITE, "PATCH", path,
	                                    body, &resp),
	                 0);
	if (resp.status != 200)
		fail_msg("PATCH %s: %ld %s", path, resp.status, resp.body.ptr);
	ferry_http_response_release(&resp);
}

/* Archived options and attributes, as the sandbox reports them, are
 * reported, never re-created; Attio's refusal names the change. */
static void test_archived_and_refused(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    fields:\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      Rating: {to: rating_tier, type: select, values: "
	    "Account.Rating}\n"
	    "      Old__c: {to: old_code, type: text}\n"
	    "value_tables:\n"
	    "  Account.Rating:\n"
	    "    values: {Hot: Hot, Warm: Warm}\n";
	struct ferry_mapfile *m = mapping(yaml);
	struct ferry_attio *a = test_attio_client(test_attio_sb.url, 2);
	struct ferry_schema_setup_result r;
	struct seen seen;
	json_t *doc, *bad;

	FERRY_UNUSED(state);
	doc = plan_live(a, m);
	assert_int_equal(ferry_schema_setup_apply(a, doc, NULL, NULL, &r), 0);
	assert_int_equal(r.created, 4);
	json_decref(doc);
	patch(a, "/v2/objects/companies/attributes/rating_tier/options/Warm",
	      "{\"data\": {\"is_archived\": true}}");
	patch(a, "/v2/objects/companies/attributes/old_code",
	      "{\"data\": {\"is_archived\": true}}");
	doc = plan_live(a, m);
	assert_int_equal(json_array_size(json_object_get(doc, "changes")), 0);
	EXPECT(doc, "warnings",
	       "'Warm' is an archived option of "
	       "companies.rating_tier");
	EXPECT(doc, "problems", "companies.old_code is archived in Attio");
	json_decref(doc);

	/* A change Attio refuses: named with Attio's message; what needs it
	 * is not tried, the rest is made. */
	bad = json_loads(
	    "[{\"kind\": \"option\", \"target\": \"objects\", \"parent\": "
	    "\"companies\", \"attribute\": \"full_name\", \"title\": \"X\", "
	    "\"description\": \"add option 'X' to companies.full_name\"},"
	    "{\"kind\": \"attribute\", \"target\": \"objects\", \"parent\": "
	    "\"companies\", \"attribute\": \"full_name\", \"description\": "
	    "\"create attribute companies.full_name (personal-name)\", "
	    "\"data\": {\"title\": \"Full name\", \"description\": null, "
	    "\"api_slug\": \"full_name\", \"type\": \"personal-name\", "
	    "\"is_required\": false, \"is_unique\": false, "
	    "\"is_multiselect\": false, \"config\": {}}},"
	    "{\"kind\": \"attribute\", \"target\": \"objects\", \"parent\": "
	    "\"companies\", \"attribute\": \"notes_count\", \"description\": "
	    "\"create attribute companies.notes_count (number)\", "
	    "\"data\": {\"title\": \"Notes count\", \"description\": null, "
	    "\"api_slug\": \"notes_count\", \"type\": \"number\", "
	    "\"is_required\": false, \"is_unique\": false, "
	    "\"is_multiselect\": false, \"config\": {}}}]",
	    0, NULL);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ferry_schema_setup_apply(a, bad, on_step, &seen, &r),
	                 FERRY_EHTTP);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.created, 1);
	assert_int_equal(r.skipped, 1);
	assert_non_null(strstr(seen.last_failed,
	                       "create attribute companies.full_name "
	                       "(personal-name): Attio answered HTTP 400 "
	                       "validation_type"));
	assert_non_null(strstr(seen.last_failed, "cannot be created"));
	assert_non_null(strstr(ferry_error_last(), "1 of 3 schema changes "
	                                           "failed (1 more not "
	                                           "tried)"));
	assert_non_null(strstr(ferry_error_last(), "run again"));
	json_decref(bad);
	ferry_attio_free(a);
	ferry_mapfile_free(m);
}

/*
 * Applying, against a scripted Attio.
 */

/* A stand-in that remembers what was made (by path and slug or title),
 * answers 409 slug_conflict for what exists, and 500 to the request
 * numbered `fail_at` (0: none). */
struct fake {
	json_t *made; /* "POST <path> <slug>" -> true */
	size_t posts; /* POSTs so far */
	size_t fail_at;
	unsigned status_for_all; /* non-zero: answer every write this */
	bool lie_object;         /* 409 for objects that are not there */
};

static void fake_attio(void *ctx, const struct test_http_request *req,
                       struct test_http_answer *ans)
{
	struct fake *f = ctx;
	json_t *body = json_loads(req->body ? req->body : "", 0, NULL);
	json_t *d = json_object_get(body, "data");
	const char *slug = json_string_value(json_object_get(d, "api_slug"));
	char *key;
	int e = 0;

	if (!strcmp(req->method, "GET")) {
		key = ferry_xasprintf("POST %s %s", "/v2/objects",
		                      req->path + strlen("/v2/objects/"));
		if (!strncmp(req->path, "/v2/lists/", 10)) {
			free(key);
			key = ferry_xasprintf("POST /v2/lists %s",
			                      req->path + 10);
		}
		if (json_object_get(f->made, key)) {
			e = ferry_buf_puts(&ans->body, "{\"data\": {}}");
		} else {
			ans->status = 404;
			e = ferry_buf_puts(
			    &ans->body, "{\"status_code\": 404, \"type\": "
			                "\"invalid_request_error\", \"code\": "
			                "\"not_found\", \"message\": \"Not "
			                "found.\"}");
		}
		free(key);
		json_decref(body);
		assert_int_equal(e, 0);
		return;
	}
	f->posts++;
	key = ferry_xasprintf(
	    "POST %s %s", req->path,
	    slug ? slug : json_string_value(json_object_get(d, "title")));
	if (f->status_for_all) {
		ans->status = f->status_for_all;
		e = ferry_buf_printf(&ans->body,
		                     "{\"status_code\": %u, \"type\": "
		                     "\"auth_error\", \"code\": "
		                     "\"unauthorized\", \"message\": \"The "
		                     "token is not valid.\"}",
		                     f->status_for_all);
	} else if (f->posts == f->fail_at) {
		ans->status = 500;
		e = ferry_buf_puts(&ans->body,
		                   "{\"status_code\": 500, \"type\": "
		                   "\"internal_server_error\", \"code\": "
		                   "\"internal_server_error\", \"message\": "
		                   "\"Something broke.\"}");
	} else if (json_object_get(f->made, key) ||
	           (f->lie_object && !strcmp(req->path, "/v2/objects"))) {
		ans->status = 409;
		e = ferry_buf_puts(&ans->body,
		                   "{\"status_code\": 409, \"type\": "
		                   "\"invalid_request_error\", \"code\": "
		                   "\"slug_conflict\", \"message\": \"Already "
		                   "taken.\"}");
	} else {
		json_object_set_new(f->made, key, json_true());
		e = ferry_buf_puts(&ans->body, "{\"data\": {}}");
	}
	free(key);
	json_decref(body);
	assert_int_equal(e, 0);
}

static json_t *fake_changes(void)
{
	json_t *doc = plan_of(objects_yaml, companies_people);
	json_t *changes = json_incref(json_object_get(doc, "changes"));

	json_decref(doc);
	return changes;
}

static void test_partial_failure_then_resume(void **state)
{
	struct fake f = {json_object(), 0, 4, 0, false};
	struct test_http_server *srv = test_http_start(fake_attio, &f);
	struct ferry_attio *a = test_attio_client(test_http_url(srv), 1);
	json_t *changes = fake_changes();
	struct ferry_schema_setup_result r;
	struct seen seen;
	size_t n = json_array_size(changes);
	int error;

	FERRY_UNUSED(state);
	/* The 4th write (create attribute invoices.name) answers 500. */
	memset(&seen, 0, sizeof(seen));
	error = ferry_schema_setup_apply(a, changes, on_step, &seen, &r);
	assert_int_equal(error, FERRY_EHTTP);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.skipped, 0);
	assert_int_equal(r.created, n - 1);
	assert_non_null(strstr(seen.last_failed,
	                       "create attribute invoices.name (text): Attio "
	                       "answered HTTP 500 internal_server_error: "
	                       "Something broke."));
	assert_non_null(
	    strstr(ferry_error_last(), "1 of 13 schema changes failed"));

	/* Run again: what was made counts as there, the rest is made. */
	f.fail_at = 0;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
	    ferry_schema_setup_apply(a, changes, on_step, &seen, &r), 0);
	assert_int_equal(r.created, 1);
	assert_int_equal(r.existed, n - 1);
	assert_int_equal(r.failed, 0);
	json_decref(changes);
	ferry_attio_free(a);
	test_http_stop(srv);
	json_decref(f.made);
}

/* A failed object: what lives on it is not tried. A 409 for an object
 * that is not there (a taken noun) is a failure, not "existed". */
static void test_dependents_skipped(void **state)
{
	struct fake f = {json_object(), 0, 0, 0, true};
	struct test_http_server *srv = test_http_start(fake_attio, &f);
	struct ferry_attio *a = test_attio_client(test_http_url(srv), 1);
	json_t *changes = fake_changes();
	struct ferry_schema_setup_result r;
	struct seen seen;

	FERRY_UNUSED(state);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(
	    ferry_schema_setup_apply(a, changes, on_step, &seen, &r),
	    FERRY_EHTTP);
	assert_int_equal(r.failed, 1);
	/* invoices' 4 attributes. */
	assert_int_equal(r.skipped, 4);
	assert_int_equal(r.created, json_array_size(changes) - 5);
	assert_non_null(strstr(seen.last_failed,
	                       "create object invoices (Invoice, Invoices): "
	                       "Attio answered HTTP 409 slug_conflict"));
	json_decref(changes);
	ferry_attio_free(a);
	test_http_stop(srv);
	json_decref(f.made);
}

/* A refused token stops everything at once; so does no server. */
static void test_stops(void **state)
{
	struct fake f = {json_object(), 0, 0, 401, false};
	struct test_http_server *srv = test_http_start(fake_attio, &f);
	struct ferry_attio *a = test_attio_client(test_http_url(srv), 1);
	json_t *changes = fake_changes(), *bad;
	struct ferry_schema_setup_result r;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_schema_setup_apply(a, changes, NULL, NULL, &r),
	                 FERRY_EAUTH);
	assert_int_equal(f.posts, 1);
	assert_non_null(strstr(ferry_error_last(),
	                       "create object invoices (Invoice, Invoices): "
	                       "Attio answered HTTP 401 unauthorized"));
	assert_non_null(strstr(ferry_error_last(), "nothing more was tried"));
	ferry_attio_free(a);
	test_http_stop(srv);

	a = test_attio_client("http://127.0.0.1:1", 1);
	assert_int_equal(ferry_schema_setup_apply(a, changes, NULL, NULL, &r),
	                 FERRY_ECONN);
	assert_non_null(strstr(ferry_error_last(), "create object invoices"));
	ferry_attio_free(a);

	/* A change of an unknown shape: refused before anything is sent. */
	bad = json_pack("[{s:s}]", "kind", "drop table");
	assert_int_equal(ferry_schema_setup_apply(NULL, bad, NULL, NULL, &r),
	                 FERRY_EINVALID);
	json_decref(bad);
	json_decref(changes);
	json_decref(f.made);
}

int main(void)
{
	const struct CMUnitTest plan_tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_options_and_statuses),
	    cmocka_unit_test(test_incompatible),
	    cmocka_unit_test(test_custom_object_and_lists),
	    cmocka_unit_test(test_cannot_make),
	    cmocka_unit_test(test_conflicts_and_objects),
	    cmocka_unit_test(test_partial_failure_then_resume),
	    cmocka_unit_test(test_dependents_skipped),
	    cmocka_unit_test(test_stops),
	};
	const struct CMUnitTest sandbox_tests[] = {
	    cmocka_unit_test(test_apply_sandbox),
	    cmocka_unit_test(test_archived_and_refused),
	};
	int failed = cmocka_run_group_tests(plan_tests, NULL, NULL);

	return failed + cmocka_run_group_tests(sandbox_tests, test_attio_up,
	                                       test_attio_down);
}
