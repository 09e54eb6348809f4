/* mapfile.c: tests of the mapping.yaml loader: every example of
 * docs/mapping.md loads (or fails with the message the page shows); every
 * kind of mistake gives its exact message and line; the lookups, the
 * filter and the load order do what the page says; a mapping drafted by
 * analyze loads cleanly and checks against its workspace, where a
 * misspelt field is named with its line; a mapping of 200 objects of 100
 * fields loads fast. */
#include "helpers.h"
#include "util.h"

#include <time.h>
#include <unistd.h>

#include "ferry/analyze.h"
#include "ferry/export.h"
#include "ferry/mapfile.h"
#include "ferry/workspace.h"

static struct ferry_mapfile *load(const char *text)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("mapping did not load: %s\n%s", ferry_error_last(),
		         text);
	return m;
}

/* The message of a mapping that must not load. */
static const char *refuse(const char *text)
{
	struct ferry_mapfile *m = NULL;
	int rc = ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text));

	if (rc == 0)
		fail_msg("mapping loaded but should not have:\n%s", text);
	assert_null(m);
	assert_true(*ferry_error_last());
	return ferry_error_last();
}

/* --- the examples of docs/mapping.md --- */

struct example {
	char name[64];
	char expect[512]; /* "" for an example that loads */
	char *yaml;
	int line; /* of the marker in the page */
};

static struct example *doc_examples(size_t *n_out)
{
	struct ferry_buf doc = FERRY_BUF_INIT;
	char *path = ferry_xasprintf("%s/docs/mapping.md", test_source_dir());
	struct example *ex = ferry_xcalloc(200, sizeof(*ex));
	const char *p, *end, *start, *close;
	size_t n = 0;
	bool error;

	if (test_read_file(&doc, path) < 0)
		fail_msg("cannot read %s", path);
	for (p = doc.ptr; (p = strstr(p, "<!-- example")) != NULL; p = close) {
		struct example *e = &ex[n];
		const char *colon;
		int line = 1;

		assert_true(n < 200);
		for (start = doc.ptr; start < p; start++)
			line += *start == '\n';
		e->line = line;
		close = strstr(p, " -->");
		assert_non_null(close);
		error = ferry_str_starts_with(p, "<!-- example-error: ");
		if (!error && !ferry_str_starts_with(p, "<!-- example: "))
			fail_msg(
			    "docs/mapping.md:%d: a marker is "
			    "<!-- example: name --> or <!-- example-error: "
			    "name: message -->",
			    line);
		start = strchr(p, ':') + 2;
		colon = error ? strstr(start, ": ") : close;
		assert_true(colon && colon <= close);
		snprintf(e->name, sizeof(e->name), "%.*s", (int)(colon - start),
		         start);
		if (error)
			snprintf(e->expect, sizeof(e->expect), "%.*s",
			         (int)(close - colon - 2), colon + 2);
		/* The YAML block follows the marker directly. */
		start = close + 4;
		while (*start == '\n' || *start == ' ')
			start++;
		if (!ferry_str_starts_with(start, "```yaml\n"))
			fail_msg("docs/mapping.md:%d: example '%s' is not "
			         "followed by a ```yaml block",
			         line, e->name);
		start += strlen("```yaml\n");
		end = strstr(start, "\n```");
		assert_non_null(end);
		e->yaml = ferry_xstrndup(start, (size_t)(end - start) + 1);
		n++;
	}
	free(path);
	ferry_buf_release(&doc);
	*n_out = n;
	return ex;
}

static void free_examples(struct example *ex, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ex[i].yaml);
	free(ex);
}

static char *doc_example(const char *name)
{
	size_t n, i;
	struct example *ex = doc_examples(&n);
	char *yaml = NULL;

	for (i = 0; i < n; i++)
		if (!strcmp(ex[i].name, name))
			yaml = ferry_xstrdup(ex[i].yaml);
	free_examples(ex, n);
	if (!yaml)
		fail_msg("docs/mapping.md has no example '%s'", name);
	return yaml;
}

static void test_doc_examples(void **state)
{
	size_t n, i, j, loads = 0, errors = 0;
	struct example *ex = doc_examples(&n);

	(void)state;
	for (i = 0; i < n; i++) {
		struct ferry_mapfile *m = NULL;
		int rc = ferry_mapfile_parse(&m, "mapping.yaml", ex[i].yaml,
		                             strlen(ex[i].yaml));

		for (j = 0; j < i; j++)
			if (!strcmp(ex[i].name, ex[j].name))
				fail_msg("docs/mapping.md:%d: a second example "
				         "'%s'",
				         ex[i].line, ex[i].name);
		if (!*ex[i].expect) {
			if (rc < 0)
				fail_msg("docs/mapping.md:%d: example '%s' "
				         "does not load: %s",
				         ex[i].line, ex[i].name,
				         ferry_error_last());
			/* The page's examples are clean: no warning. */
			if (m->n_warnings)
				fail_msg("docs/mapping.md:%d: example '%s' "
				         "warns: %s",
				         ex[i].line, ex[i].name,
				         m->warnings[0]);
			loads++;
		} else {
			if (rc == 0)
				fail_msg("docs/mapping.md:%d: example '%s' "
				         "loads, but the page says it fails",
				         ex[i].line, ex[i].name);
			if (rc != FERRY_ECONFIG ||
			    !strstr(ferry_error_last(), ex[i].expect))
				fail_msg("docs/mapping.md:%d: example '%s' "
				         "fails with\n  %s\nnot\n  %s",
				         ex[i].line, ex[i].name,
				         ferry_error_last(), ex[i].expect);
			errors++;
		}
		ferry_mapfile_free(m);
	}
	/* The page keeps its examples: losing them would pass silently. */
	assert_true(loads >= 15);
	assert_true(errors >= 15);
	free_examples(ex, n);
}

/* What the page's complete example means, read back. */
static void test_doc_complete(void **state)
{
	char *yaml = doc_example("complete");
	struct ferry_mapfile *m = load(yaml);
	const struct ferry_mapfile_object *acc =
	    ferry_mapfile_object(m, "Account");
	const struct ferry_mapfile_object *con =
	    ferry_mapfile_object(m, "Contact");
	const struct ferry_mapfile_field *f;
	const char *title;
	enum ferry_mapfile_rule rule;

	(void)state;
	assert_int_equal(m->n_objects, 4);
	assert_string_equal(acc->to, "companies");
	assert_int_equal(acc->kind, FERRY_MF_RECORDS);
	assert_string_equal(acc->match, "domains");
	assert_int_equal(acc->line, 5);
	f = ferry_mapfile_field(acc, "BillingCity");
	assert_non_null(f);
	assert_int_equal(f->type, FERRY_MF_LOCATION);
	assert_int_equal(f->part, FERRY_MF_PART_LOCALITY);
	assert_int_equal(f->line, 16);
	assert_true(ferry_mapfile_field(acc, "ParentId")->deferred);
	f = ferry_mapfile_field(acc, "Industry");
	assert_ptr_equal(f->values, ferry_mapfile_table(m, "Account.Industry"));
	f = ferry_mapfile_field(con, "Phone");
	assert_string_equal(f->country_field, "MailingCountry");
	assert_string_equal(f->tx.default_country, "US");
	assert_string_equal(f->tx.field, "Phone");
	assert_int_equal(ferry_mapfile_field(con, "FirstName")->part,
	                 FERRY_MF_PART_FIRST_NAME);
	assert_false(ferry_mapfile_field(con, "AccountId")->deferred);
	assert_int_equal(con->dedup.n_keys, 2);
	assert_int_equal(con->dedup.keys[1].kind, FERRY_MF_KEY_PHONE);
	assert_int_equal(con->dedup.survivor, FERRY_MF_PICK_MOST_COMPLETE);
	assert_int_equal(con->dedup.undecided, FERRY_MF_PICK_HOLD);
	assert_int_equal(con->dedup.attributes[0].pick, FERRY_MF_PICK_ALL);
	assert_string_equal(
	    ferry_mapfile_field(ferry_mapfile_object(m, "Opportunity"),
	                        "Amount")
	        ->tx.currency,
	    "USD");
	assert_int_equal(ferry_mapfile_object(m, "Case")->kind,
	                 FERRY_MF_NOWHERE);
	assert_null(ferry_mapfile_object(m, "Case")->to);
	assert_int_equal(ferry_mapfile_object(m, "Case")->order, SIZE_MAX);
	/* Account, Contact, Opportunity: Case is not migrated */
	assert_int_equal(m->n_order, 3);
	assert_string_equal(m->order[0]->name, "Account");
	assert_string_equal(m->order[2]->name, "Opportunity");
	assert_int_equal(ferry_mapfile_value(m, "Opportunity.StageName",
	                                     "Closed Won", &title, &rule),
	                 0);
	assert_int_equal(rule, FERRY_MF_MAPPED);
	assert_string_equal(title, "Won 🎉");
	assert_string_equal(ferry_mapfile_owner(m, "005A0000001AbCdEAA"),
	                    "sales-ops@yourco.com");
	assert_true(ferry_mapfile_personal_domain(m, "proton.me"));
	assert_true(ferry_mapfile_personal_domain(m, "gmail.com"));
	assert_false(ferry_mapfile_personal_domain(m, "acme.com"));
	assert_int_equal(m->n_warnings, 0);
	ferry_mapfile_free(m);
	free(yaml);
}

static void test_doc_load_order(void **state)
{
	char *yaml = doc_example("load-order");
	struct ferry_mapfile *m = load(yaml);
	const struct ferry_mapfile_object *acc =
	    ferry_mapfile_object(m, "Account");
	const struct ferry_mapfile_object *con =
	    ferry_mapfile_object(m, "Contact");

	(void)state;
	assert_int_equal(m->n_order, 2);
	assert_ptr_equal(m->order[0], acc);
	assert_ptr_equal(m->order[1], con);
	assert_true(ferry_mapfile_field(acc, "ParentId")->deferred);
	assert_true(ferry_mapfile_field(acc, "Primary_Contact__c")->deferred);
	assert_true(ferry_mapfile_field(con, "ReportsToId")->deferred);
	assert_false(ferry_mapfile_field(con, "AccountId")->deferred);
	ferry_mapfile_free(m);
	free(yaml);
}

static void test_doc_rules(void **state)
{
	char *yaml = doc_example("activities");
	struct ferry_mapfile *m = load(yaml);
	const struct ferry_mapfile_object *o = ferry_mapfile_object(m, "Task");

	(void)state;
	assert_int_equal(o->kind, FERRY_MF_NOTES);
	assert_int_equal(o->open, FERRY_MF_TASKS);
	assert_int_equal(o->closed, FERRY_MF_NOTES);
	assert_int_equal(o->two_parents, FERRY_MF_PARENTS_BOTH);
	o = ferry_mapfile_object(m, "Event");
	assert_int_equal(o->open, FERRY_MF_NOWHERE);
	assert_int_equal(o->closed, FERRY_MF_NOTES);
	assert_int_equal(o->two_parents, FERRY_MF_PARENTS_WHAT);
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("record-types");
	m = load(yaml);
	o = ferry_mapfile_object(m, "Account");
	assert_string_equal(o->record_type_attribute, "account_kind");
	assert_string_equal(ferry_mapfile_record_type(o, "Customer")->option,
	                    "Customer");
	assert_string_equal(ferry_mapfile_record_type(o, "Partner")->list,
	                    "partners");
	assert_null(ferry_mapfile_record_type(o, "Internal")->option);
	assert_null(ferry_mapfile_record_type(o, "Other"));
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("links");
	m = load(yaml);
	o = ferry_mapfile_object(m, "OpportunityContactRole");
	assert_int_equal(o->kind, FERRY_MF_LINKS);
	assert_string_equal(o->link.record, "OpportunityId");
	assert_string_equal(o->link.attribute, "associated_people");
	assert_string_equal(o->link.add, "ContactId");
	/* links after the records */
	assert_ptr_equal(m->order[2], o);
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("case-custom-object");
	m = load(yaml);
	/* Case points at companies: Account goes first, though listed
	 * after it. */
	assert_int_equal(m->n_order, 2);
	assert_string_equal(m->order[0]->name, "Account");
	assert_string_equal(m->order[1]->name, "Case");
	assert_string_equal(m->order[1]->comments, "CaseComment");
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("dedup");
	m = load(yaml);
	o = ferry_mapfile_object(m, "Lead");
	assert_int_equal(o->dedup.n_against, 1);
	assert_ptr_equal(o->dedup.against[0],
	                 ferry_mapfile_object(m, "Contact"));
	o = ferry_mapfile_object(m, "Contact");
	assert_int_equal(o->dedup.keys[2].kind, FERRY_MF_KEY_EXTERNAL_ID);
	assert_int_equal(o->dedup.survivor, FERRY_MF_PICK_OLDEST);
	assert_int_equal(ferry_mapfile_object(m, "Lead")->dedup.survivor,
	                 FERRY_MF_PICK_OLDEST);
	assert_int_equal(ferry_mapfile_object(m, "Lead")->dedup.undecided,
	                 FERRY_MF_PICK_HOLD);
	assert_string_equal(o->dedup.keys[2].field, "Legacy_Id__c");
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("owners");
	m = load(yaml);
	/* an 18-character id matches its 15-character table entry, and
	 * back; emails ignore case */
	assert_string_equal(ferry_mapfile_owner(m, "005A0000001AbCd"),
	                    "alice@yourco.com");
	assert_string_equal(ferry_mapfile_owner(m, "00GA0000000QueUAAA"),
	                    "support-lead@yourco.com");
	assert_string_equal(ferry_mapfile_owner(m, " Old.Rep@YourCo.com"),
	                    "bob@yourco.com");
	assert_null(ferry_mapfile_owner(m, "005A0000001XXXX"));
	/* ids are case-sensitive */
	assert_null(ferry_mapfile_owner(m, "005a0000001abcd"));
	assert_string_equal(ferry_mapfile_owner_default(m, "Task"),
	                    "ops@yourco.com");
	assert_null(ferry_mapfile_owner_default(m, "Account"));
	assert_true(m->owners.by_email);
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("options");
	m = load(yaml);
	o = ferry_mapfile_object(m, "Contact");
	assert_string_equal(ferry_mapfile_field(o, "Phone")->tx.default_country,
	                    "DE");
	assert_string_equal(ferry_mapfile_field(o, "Birthdate")->tx.time_zone,
	                    "+01:00");
	assert_int_equal(ferry_mapfile_field(o, "Birthdate")->tx.date_order,
	                 FERRY_TX_DATE_DMY);
	ferry_mapfile_free(m);
	free(yaml);

	yaml = doc_example("field-options");
	m = load(yaml);
	o = ferry_mapfile_object(m, "Contact");
	/* a field's own option wins over options: */
	assert_int_equal(ferry_mapfile_field(o, "Birthdate")->tx.date_order,
	                 FERRY_TX_DATE_ISO);
	assert_string_equal(ferry_mapfile_field(o, "Birthdate")->tx.time_zone,
	                    "-05:00");
	assert_int_equal(
	    ferry_mapfile_field(o, "Description")->tx.max_text_chars, 2000);
	assert_true(ferry_mapfile_field(o, "Description")->tx.truncate_text);
	assert_true(ferry_mapfile_field(o, "Score__c")->tx.round_decimals);
	assert_true(ferry_mapfile_field(o, "Phone")->tx.drop_extension);
	assert_string_equal(ferry_mapfile_field(o, "Active__c")->default_value,
	                    "false");
	assert_int_equal(ferry_mapfile_field(o, "Name")->part,
	                 FERRY_MF_PART_FULL_NAME);
	assert_null(ferry_mapfile_field(o, "Fax"));
	assert_int_equal(o->n_fields, 10);
	ferry_mapfile_free(m);
	free(yaml);
}

/* --- every mistake: its exact message and line --- */

struct mistake {
	const char *yaml, *message;
};

#define HEAD "version: 1\nobjects:\n"

static const struct mistake mistakes[] = {
    /* the file */
    {"", "mapping.yaml: the file is empty (run 'ferry analyze' to draft "
         "it; see docs/mapping.md)"},
    {"objects: {}\n", "mapping.yaml: missing 'version' (write 'version: 1' "
                      "at the top)"},
    {"version: 2\nobjects: {}\n",
     "mapping.yaml:1: version '2' is not one this ferry reads (it knows "
     "version 1)"},
    {"version: 1\n", "mapping.yaml: missing 'objects' (run 'ferry analyze' "
                     "to draft them)"},
    {"- a\n- b\n", "mapping.yaml:1: expected 'key: value' entries at the top "
                   "level (version, objects, value_tables, ...)"},
    {"version: 1\nobjects: {}\n---\nversion: 1\n",
     "mapping.yaml:3: more than one YAML document ('---'); mapping.yaml "
     "holds one"},
    {"version: 1\nobjects: {a: [}\n",
     "mapping.yaml:2:15: did not find expected node content while parsing "
     "a flow node"},
    {"version: 1\nobject: {}\n",
     "mapping.yaml:2: unknown key 'object' (did you mean 'objects'?)"},
    {"version: 1\nversion: 1\n", "mapping.yaml:2: 'version' is given twice"},
    {"version: 1\nzzz: 1\n",
     "mapping.yaml:2: unknown key 'zzz' (known keys: version, objects, "
     "value_tables, owners, personal_domains, options)"},
    {"version: 1\n? [a]\n: b\n",
     "mapping.yaml:2: keys must be plain words, not a list"},
    {HEAD "  Account: [companies]\n",
     "mapping.yaml:3: Account must be a mapping (key: value entries, e.g. "
     "{to: companies, match: domains, fields: {...}}), not a list"},
    {HEAD "  Account: {to: companies}\n  Account: {to: people}\n",
     "mapping.yaml:4: 'Account' is given twice in objects (first on line "
     "3)"},
    {HEAD "  Acc-ount: {to: companies}\n",
     "mapping.yaml:3: 'Acc-ount' is not a Salesforce object API name "
     "(letters, digits and _, such as Account or Invoice__c)"},
    {HEAD "  Account: {match: domains}\n",
     "mapping.yaml:3: Account: missing 'to' (the Attio object its records "
     "become, such as companies, or null to leave Account out)"},
    {HEAD "  Account: {to: [companies]}\n",
     "mapping.yaml:3: 'to' must be a single value, not a list"},
    {HEAD "  Account: {to: Companies}\n",
     "mapping.yaml:3: Account: 'to' (an Attio object) must be an Attio slug "
     "(lower-case letters, digits and _, starting with a letter), not "
     "'Companies' (did you mean 'companies'?)"},
    {HEAD "  Account: {to: 9lives}\n",
     "mapping.yaml:3: Account: 'to' (an Attio object) must be an Attio slug "
     "(lower-case letters, digits and _, starting with a letter), not "
     "'9lives'"},
    /* fields */
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: text\n",
     "mapping.yaml:6: Account.Name must be a mapping (key: value entries, "
     "e.g. {to: name, type: text}), not a single value"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {to: "
          "name}\n",
     "mapping.yaml:6: Account.Name: missing 'type' (text, number, "
     "currency, checkbox, date, timestamp, select, multiselect, status, "
     "domain, email, phone, location, name, reference or owner)"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {type: "
          "text}\n",
     "mapping.yaml:6: Account.Name: missing 'to' (the attribute it goes "
     "to, or null to leave it out)"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {to: "
          "Name, type: text}\n",
     "mapping.yaml:6: Account.Name: 'to' must be an Attio attribute slug "
     "(lower-case letters, digits and _, starting with a letter), not "
     "'Name'"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {to: "
          "name, type: text, typ: text}\n",
     "mapping.yaml:6: unknown key 'typ' in Account.Name (did you mean "
     "'type'?)"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {to: "
          "name, type: text}\n      Name: {to: name, type: text}\n",
     "mapping.yaml:7: 'Name' is given twice in Account.fields (first on "
     "line 6)"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Name: {to: "
          "name, type: string}\n",
     "mapping.yaml:6: Account.Name: 'type' is 'string'; use one of text, "
     "number, currency, checkbox, date, timestamp, select, multiselect, "
     "status, domain, email, phone, location, name, reference, owner"},
    {HEAD "  Contact:\n    to: people\n    fields:\n      FirstName: {to: "
          "name, type: name, part: first}\n",
     "mapping.yaml:6: Contact.FirstName: 'first' is not a part of a name "
     "(did you mean 'first_name'?); use one of first_name, last_name, "
     "full_name"},
    {HEAD "  Contact:\n    to: people\n    fields:\n      MailingCity: {to: "
          "primary_location, type: location}\n",
     "mapping.yaml:6: Contact.MailingCity: a location field needs a "
     "'part': one of line_1, line_2, line_3, line_4, locality, region, "
     "region_code, postcode, country, country_code, latitude, longitude"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      ParentId: {to: "
          "parent, type: text, object: companies}\n",
     "mapping.yaml:6: Account.ParentId: 'object' applies to reference "
     "fields, not text"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Phone: {to: "
          "phone, type: phone, time_zone: UTC}\n",
     "mapping.yaml:6: Account.Phone: 'time_zone' applies to date and "
     "timestamp fields, not phone"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      OwnerId: {to: "
          "owner, type: owner, default: x}\n",
     "mapping.yaml:6: Account.OwnerId: 'default' applies to text, number, "
     "currency, checkbox, date, timestamp, select, multiselect, status, "
     "domain, email, phone, location and name fields, not owner"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      D: {to: d, "
          "type: text, truncate: true}\n",
     "mapping.yaml:6: Account.D: 'truncate' needs 'max_length' (the number "
     "of characters to cut at)"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      D: {to: d, "
          "type: text, max_length: 0}\n",
     "mapping.yaml:6: Account.D: 'max_length' must be a number of "
     "characters from 1 to 10000000, not '0'"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      D: {to: d, "
          "type: text, truncate: maybe, max_length: 3}\n",
     "mapping.yaml:6: Account.D: 'truncate' must be true or false, not "
     "'maybe'"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      A: {to: a, "
          "type: currency, currency: usd}\n",
     "mapping.yaml:6: Account.A: 'currency': 'usd' is not a currency code: "
     "use three capital letters, such as USD or EUR"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      P: {to: p, "
          "type: phone, default_country: Atlantis}\n",
     "mapping.yaml:6: Account.P: 'default_country': 'Atlantis' is not a "
     "country ferry knows: use its ISO 3166 code, such as GB or US"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      P: {to: p, "
          "type: phone, country_field: Mailing Country}\n",
     "mapping.yaml:6: Account.P: 'country_field' must be a Salesforce "
     "field, such as MailingCountry, not 'Mailing Country'"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      D: {to: d, "
          "type: date, date_order: ymd}\n",
     "mapping.yaml:6: Account.D: 'date_order' is 'ymd'; use one of iso, "
     "mdy, dmy"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      N: {to: n, "
          "type: number, default: 1.23456}\n",
     "mapping.yaml:6: Account.N: default '1.23456' is not a number value: "},
    {HEAD "  Account:\n    to: companies\n    fields:\n      C: {to: "
          "primary_location, type: location, part: country, default: "
          "Atlantis}\n",
     "mapping.yaml:6: Account.C: default 'Atlantis' is not a country ferry "
     "knows: use its ISO 3166 code, such as US"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Industry: {to: "
          "industry, type: select, values: T, default: Mining}\n"
          "value_tables:\n  T: {values: {Banking: Banking}}\n",
     "mapping.yaml:6: Account.Industry: default 'Mining' is not in value "
     "table 'T', which would hold every blank record: add it to the "
     "table"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Industry: {to: "
          "industry, type: select, values: Nope}\n",
     "mapping.yaml:6: Account.Industry: value table 'Nope' is not under "
     "value_tables"},
    {HEAD "  Account:\n    to: companies\n    fields:\n      Bad-Name: {to: "
          "x, type: text}\n",
     "mapping.yaml:6: Account: 'Bad-Name' is not a Salesforce field API "
     "name (letters, digits and _)"},
    /* attributes two fields fill */
    {HEAD "  Contact:\n    to: people\n    fields:\n      A: {to: x, type: "
          "text}\n      B: {to: x, type: number}\n",
     "mapping.yaml:7: Contact.B and Contact.A (line 6) both go to 'x', as "
     "number and as text: one attribute has one type"},
    {HEAD "  Contact:\n    to: people\n    fields:\n      FirstName: {to: "
          "name, type: name, part: first_name}\n      First2: {to: name, "
          "type: name, part: first_name}\n",
     "mapping.yaml:7: Contact.First2 and Contact.FirstName (line 6) both "
     "fill the first_name of 'name': map one of them elsewhere (or to "
     "null)"},
    {HEAD "  Contact:\n    to: people\n    fields:\n      Name: {to: name, "
          "type: name}\n      Full: {to: name, type: name, part: "
          "full_name}\n",
     "mapping.yaml:7: Contact.Full and Contact.Name (line 6) both fill the "
     "full_name of 'name': map one of them elsewhere (or to null)"},
    /* match */
    {HEAD "  Account:\n    to: companies\n    match: domains\n",
     "mapping.yaml:5: Account: match 'domains' is not an attribute any "
     "field of Account goes to: matching on an attribute no record fills "
     "would write a new record on every run"},
    {HEAD "  Note:\n    to: notes\n    match: title\n",
     "mapping.yaml:5: Note: notes are not matched: remove 'match' (the "
     "ledger remembers what was written)"},
    /* the fixed shapes */
    {HEAD "  Note:\n    to: notes\n    fields:\n      Body: {to: content, "
          "type: number}\n",
     "mapping.yaml:6: Note.Body: the content of notes is text, not "
     "number"},
    {HEAD "  Note:\n    to: notes\n    fields:\n      CreatedDate: {to: "
          "created_at, type: text}\n",
     "mapping.yaml:6: Note.CreatedDate: the created_at of notes is a "
     "timestamp (or a date), not text"},
    {HEAD "  Note:\n    to: notes\n    defaults: {titel: Note}\n",
     "mapping.yaml:5: Note.defaults: notes hold only title, content, "
     "parent, created_at; 'titel' is not one of them (did you mean "
     "'title'?)"},
    {HEAD "  Attachment:\n    to: files\n    fields:\n      Body: {to: "
          "body, type: text}\n",
     "mapping.yaml:6: Attachment.Body: files hold only name, parent; 'body' "
     "is not one of them"},
    {HEAD "  Task:\n    to: tasks\n    fields:\n      OwnerId: {to: "
          "assignees, type: text}\n",
     "mapping.yaml:6: Task.OwnerId: the assignees of tasks is owner, not "
     "text"},
    {HEAD "  OpportunityContactRole:\n    to: links\n",
     "mapping.yaml:3: OpportunityContactRole: to: links needs 'link: "
     "{record: <field>, attribute: <slug>, add: <field>}', e.g. {record: "
     "OpportunityId, attribute: associated_people, add: ContactId}"},
    {HEAD "  OpportunityContactRole:\n    to: links\n    link: {record: "
          "OpportunityId, attribute: associated_people}\n",
     "mapping.yaml:5: OpportunityContactRole: to: links needs 'link: "},
    {HEAD "  OpportunityContactRole:\n    to: links\n    link: {record: "
          "OpportunityId, attribute: associated_people, add: ContactId}\n"
          "    fields:\n      Role: {to: role, type: text}\n",
     "mapping.yaml:7: OpportunityContactRole: links have no fields ('link' "
     "says what each record adds): remove 'fields'"},
    {HEAD "  Account:\n    to: companies\n    link: {record: A, attribute: "
          "b, add: C}\n",
     "mapping.yaml:5: Account: 'link' applies to to: links only"},
    {HEAD "  CampaignMember:\n    to: list_entries\n",
     "mapping.yaml:3: CampaignMember: to: list_entries needs 'list' (the "
     "Attio list's slug)"},
    {HEAD "  CampaignMember:\n    to: list_entries\n    list: members\n",
     "mapping.yaml:3: CampaignMember: list entries need the record each "
     "entry is for: map a reference field to 'parent', e.g. ContactId: "
     "{to: parent, type: reference, object: people}"},
    {HEAD "  Account:\n    to: companies\n    list: members\n",
     "mapping.yaml:3: Account: 'list' applies to to: list_entries only"},
    /* the rules of particular objects */
    {HEAD "  Contact:\n    to: people\n    person_accounts: person\n",
     "mapping.yaml:5: Contact: 'person_accounts' applies to Account only"},
    {HEAD "  Account:\n    to: companies\n    person_accounts: both\n",
     "mapping.yaml:5: 'person_accounts' is 'both'; use one of person, "
     "company_and_person"},
    {HEAD "  Account:\n    to: companies\n    open: tasks\n",
     "mapping.yaml:5: Account: 'open' applies to Task and Event only"},
    {HEAD "  Task:\n    to: companies\n    open: tasks\n",
     "mapping.yaml:3: Task: 'open' and 'closed' need 'to: notes' (or "
     "tasks): they say which of the two each record becomes"},
    {HEAD "  Task:\n    to: notes\n    closed: open\n",
     "mapping.yaml:5: 'closed' is 'open'; use one of notes, tasks, skip"},
    {HEAD "  Task:\n    to: notes\n    two_parents: whom\n",
     "mapping.yaml:5: 'two_parents' is 'whom' (did you mean 'who'?); use "
     "one of what, who, both"},
    {HEAD "  Account:\n    to: companies\n    comments: CaseComment\n",
     "mapping.yaml:5: Account: 'comments' applies to Case only"},
    {HEAD "  Case:\n    to: notes\n    comments: CaseComment\n"
          "  CaseComment:\n    to: notes\n",
     "mapping.yaml:6: CaseComment is written as Case.comments: set its own "
     "'to: null', or remove 'comments' from Case"},
    {HEAD "  Lead:\n    to: people\n    lead_status_attribute: lead_status\n",
     "mapping.yaml:3: Lead: lead_status_attribute 'lead_status' is not an "
     "attribute any field of Lead goes to: map Status to it, e.g. Status: "
     "{to: lead_status, type: select}"},
    {HEAD "  Account:\n    to: companies\n    record_types: {Partner: "
          "Partner}\n",
     "mapping.yaml:5: Account: record type Partner becomes option "
     "'Partner', but there is no record_type_attribute (the select "
     "attribute it goes to)"},
    {HEAD "  Account:\n    to: companies\n    record_type_attribute: kind\n",
     "mapping.yaml:3: Account: record_type_attribute without record_types: "
     "list what each record type becomes"},
    {HEAD "  Account:\n    to: companies\n    record_type_attribute: kind\n"
          "    record_types: {Partner: Partner}\n    fields:\n      Type: "
          "{to: kind, type: select}\n",
     "mapping.yaml:8: Account.Type goes to 'kind', which record types fill "
     "(record_type_attribute): map one of them elsewhere"},
    {HEAD "  Account:\n    to: companies\n    record_types: {Partner: ~}\n",
     "mapping.yaml:5: Account.record_types: Partner becomes nothing: give "
     "the option title (Partner: Partner) or a list ({list: partners})"},
    {HEAD "  Account:\n    to: companies\n    record_types: {Partner: "
          "{optoin: P}}\n",
     "mapping.yaml:5: unknown key 'optoin' in Account.record_types.Partner "
     "(did you mean 'option'?)"},
    /* filter and defaults */
    {HEAD "  Account:\n    to: companies\n    filter: {skip: {IsDeleted: "
          "true}}\n",
     "mapping.yaml:5: unknown key 'skip' in Account.filter (did you mean "
     "'skip_if'?)"},
    {HEAD "  Account:\n    to: companies\n    filter: {skip_if: {IsDeleted: "
          "{is: true}}}\n",
     "mapping.yaml:5: Account: the filter on IsDeleted must be a value or "
     "a list of values, not a mapping"},
    {HEAD "  Account:\n    to: companies\n    filter: {skip_if: [IsDeleted]}"
          "\n",
     "mapping.yaml:5: Account.filter.skip_if must be a mapping (key: value "
     "entries, e.g. {IsDeleted: true}), not a list"},
    {HEAD "  Account:\n    to: companies\n    defaults: {Stage: Lead}\n",
     "mapping.yaml:5: Account.defaults: 'Stage' is not an Attio attribute "
     "slug (lower-case letters, digits and _)"},
    /* dedup */
    {HEAD "  Account:\n    to: companies\n    dedup: {survivor: oldest}\n",
     "mapping.yaml:5: Account.dedup: no 'keys' to match records on (email, "
     "phone, domain, external_id:<Field>)"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [emial]}\n",
     "mapping.yaml:5: Account.dedup: unknown key 'emial' (did you mean "
     "'email'?); use email, phone, domain or external_id:<Field>"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "survivor: first}\n    fields:\n      W: {to: domains, type: "
          "domain}\n",
     "mapping.yaml:5: dedup.survivor is 'first'; use one of oldest, "
     "newest, most_complete"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "undecided: skip}\n    fields:\n      W: {to: domains, type: "
          "domain}\n",
     "mapping.yaml:5: dedup.undecided is 'skip'; use one of oldest, "
     "newest, hold"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "fields: {name: all}}\n    fields:\n      W: {to: domains, type: "
          "domain}\n      Name: {to: name, type: text}\n",
     "mapping.yaml:5: Account.dedup.fields: 'name' holds one text value, "
     "so 'all' cannot keep every record's: use survivor, oldest, newest "
     "or most_complete"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "fields: {nme: newest}}\n    fields:\n      W: {to: domains, "
          "type: domain}\n      Name: {to: name, type: text}\n",
     "mapping.yaml:5: Account: the dedup.fields entry 'nme' is not an "
     "attribute any field of Account goes to (did you mean 'name'?): name "
     "the attributes of the merged record"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "against: [Account]}\n    fields:\n      W: {to: domains, type: "
          "domain}\n",
     "mapping.yaml:5: Account.dedup.against names Account itself: its "
     "records are always matched with each other"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "against: [Contct]}\n    fields:\n      W: {to: domains, type: "
          "domain}\n  Contact: {to: people}\n",
     "mapping.yaml:5: dedup.against: 'Contct' is not an object of this "
     "mapping (did you mean 'Contact'?)"},
    {HEAD "  Account:\n    to: companies\n    dedup: {keys: [domain], "
          "against: [Contact]}\n    fields:\n      W: {to: domains, type: "
          "domain}\n  Contact: {to: people}\n",
     "mapping.yaml:5: Account.dedup.against: Contact is written to people, "
     "not to companies: only records of one Attio object are matched with "
     "each other"},
    {HEAD "  Note:\n    to: notes\n    dedup: {keys: [email]}\n",
     "mapping.yaml:5: Note: notes are not deduplicated: remove 'dedup'"},
    /* value tables */
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T: {unmapped: drop}\n",
     "mapping.yaml:5: value table 'T': 'unmapped' is 'drop'; use one of "
     "hold, default, skip"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T: {default: Other}\n",
     "mapping.yaml:5: value table 'T' has a 'default' but 'unmapped' is "
     "hold: write 'unmapped: default' to use it, or remove 'default'"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T:\n    values:\n      "
          "Banking: ~\n",
     "mapping.yaml:7: value table 'T': 'Banking' maps to nothing: give the "
     "Attio option title, or remove the line to let 'unmapped' decide"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T:\n    values:\n      "
          "Banking: \"\"\n",
     "mapping.yaml:7: value table 'T': 'Banking' maps to an empty title: "
     "give the Attio option title, or remove the line to let 'unmapped' "
     "decide"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T:\n    values:\n      "
          "Banking: A\n      Banking: B\n",
     "mapping.yaml:8: 'Banking' is given twice in value table 'T' (first "
     "on line 7)"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T:\n    values:\n      "
          "\"\": A\n",
     "mapping.yaml:7: value table 'T': an empty value is never looked up (a "
     "blank field writes nothing; give the field a 'default' instead)"},
    {HEAD "  Account: {to: null}\nvalue_tables:\n  T:\n    values: [A, B]\n",
     "mapping.yaml:6: value table 'T': 'values' must be a mapping (key: "
     "value entries, e.g. "
     "{Banking: Financial services}), not a list"},
    /* owners */
    {HEAD "  Account: {to: null}\nowners: {match: name}\n",
     "mapping.yaml:4: owners.match is 'name'; use one of email, table"},
    {HEAD "  Account: {to: null}\nowners:\n  table: {bob: a@b.com}\n",
     "mapping.yaml:5: owners.table: 'bob' is neither a Salesforce user or "
     "queue id (005..., 00G..., 15 or 18 characters) nor an email"},
    {HEAD "  Account: {to: null}\nowners:\n  table: {\"005A0000001AbCd\": "
          "bob}\n",
     "mapping.yaml:5: an owners.table entry must be an Attio workspace "
     "member's email, not 'bob'"},
    {HEAD "  Account: {to: null}\nowners:\n  table:\n    "
          "\"005A0000001AbCd\": a@b.com\n    \"005A0000001AbCdAAA\": "
          "c@b.com\n",
     "mapping.yaml:7: owners.table: '005A0000001AbCdAAA' is given twice (an "
     "18- and a 15-character id name the same user)"},
    {HEAD "  Account: {to: null}\nowners:\n  default_for: [Task]\n",
     "mapping.yaml:5: owners.default_for: 'Task' is not an object of this "
     "mapping"},
    {HEAD "  Task: {to: null}\nowners:\n  default_for: [Task]\n",
     "mapping.yaml:5: owners.default_for needs owners.default: the member "
     "email those records go to"},
    /* personal domains, options */
    {HEAD "  Account: {to: null}\npersonal_domains: [mail.example.co.uk]\n",
     "mapping.yaml:4: personal_domains: 'mail.example.co.uk' is not a "
     "registrable domain (did you mean 'example.co.uk'?)"},
    {HEAD "  Account: {to: null}\npersonal_domains: [co.uk]\n",
     "mapping.yaml:4: personal_domains: 'co.uk' is not a domain ("},
    {HEAD "  Account: {to: null}\noptions: {date_order: us}\n",
     "mapping.yaml:4: options.date_order is 'us'; use one of iso, mdy, "
     "dmy"},
    {HEAD "  Account: {to: null}\noptions: [x]\n",
     "mapping.yaml:4: options must be a mapping (key: value entries, e.g. "
     "{time_zone: \"+01:00\"}), not a list"},
    {HEAD "  Account: {to: null}\noptions: {time_zone: \"+25:00\"}\n",
     "mapping.yaml:4: options.time_zone: '+25:00' is not a fixed UTC "
     "offset such as +02:00, -0500 or UTC (zone names such as "
     "Europe/Paris are not supported: their daylight-saving shifts would "
     "move values)"},
};

static void test_mistakes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(mistakes); i++) {
		const char *msg = refuse(mistakes[i].yaml);

		if (!ferry_str_starts_with(msg, mistakes[i].message))
			fail_msg("mistake %zu:\n%s\ngave\n  %s\nnot\n  %s", i,
			         mistakes[i].yaml, msg, mistakes[i].message);
		assert_int_equal(ferry_error_code(), FERRY_ECONFIG);
	}
}

/* Bytes YAML itself refuses, and a file too large. */
static void test_bad_bytes(void **state)
{
	static const char nul[] = "version: 1\nobjects: {A: {to: \"a\\0b\"}}\n";
	struct ferry_mapfile *m = NULL;
	char *dir = test_tmpdir("mapfile-bytes"), *path;
	int rc;
	FILE *f;

	(void)state;
	assert_non_null(strstr(refuse("version: 1\nobjects: {\xff: 1}\n"),
	                       "(is it UTF-8 text?)"));
	assert_string_equal(refuse(nul), "mapping.yaml:2: 'to' contains a NUL "
	                                 "character");
	rc =
	    ferry_mapfile_parse(&m, "mapping.yaml", "x", FERRY_MAPFILE_MAX + 1);
	assert_int_equal(rc, FERRY_ETOOBIG);
	path = ferry_xasprintf("%s/absent.yaml", dir);
	assert_int_equal(ferry_mapfile_load(&m, path), FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "ferry analyze"));
	free(path);
	path = ferry_xasprintf("%s/big.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)FERRY_MAPFILE_MAX + 1), 0);
	fclose(f);
	assert_int_equal(ferry_mapfile_load(&m, path), FERRY_ETOOBIG);
	assert_null(m);
	free(path);
	free(dir);
}

/* Aliases that would repeat a large mapping many times are refused,
 * quickly. */
static void test_alias_bomb(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(ferry_buf_puts(&b, "version: 1\nobjects:\n  O0:\n    "
	                                    "to: o\n    fields: &f\n"),
	                 0);
	for (i = 0; i < 2000; i++)
		assert_int_equal(ferry_buf_printf(&b,
		                                  "      F%d: {to: a%d, type: "
		                                  "text}\n",
		                                  i, i),
		                 0);
	for (i = 1; i < 2000; i++)
		assert_int_equal(
		    ferry_buf_printf(&b, "  O%d: {to: o, fields: *f}\n", i), 0);
	assert_non_null(
	    strstr(refuse(b.ptr), "aliases (*name) repeat more than"));
	ferry_buf_release(&b);
}

/* --- lookups --- */

static void test_values(void **state)
{
	struct ferry_mapfile *m = load(
	    HEAD "  Account:\n    to: companies\n    fields:\n"
	         "      Industry: {to: industry, type: select, values: I}\n"
	         "      Type: {to: type, type: multiselect, values: T}\n"
	         "      Rating: {to: rating, type: status, values: R}\n"
	         "value_tables:\n"
	         "  I: {unmapped: default, default: Other, values: {Banking: "
	         "Finance}}\n"
	         "  T: {values: {A: Alpha}}\n"
	         "  R: {unmapped: skip, values: {Hot: Hot}}\n"
	         "  Unused: {values: {\" x\": Spaced, x: Plain}}\n");
	const char *title = "x";
	enum ferry_mapfile_rule rule;

	(void)state;
	assert_int_equal(ferry_mapfile_value(m, "I", "Banking", &title, &rule),
	                 0);
	assert_int_equal(rule, FERRY_MF_MAPPED);
	assert_string_equal(title, "Finance");
	assert_int_equal(
	    ferry_mapfile_value(m, "I", "  Banking \t", &title, &rule), 0);
	assert_string_equal(title, "Finance");
	assert_int_equal(ferry_mapfile_value(m, "I", "banking", &title, &rule),
	                 0);
	assert_int_equal(rule, FERRY_MF_DEFAULT);
	assert_string_equal(title, "Other");
	assert_int_equal(ferry_mapfile_value(m, "T", "B", &title, &rule), 0);
	assert_int_equal(rule, FERRY_MF_HOLD);
	assert_null(title);
	assert_int_equal(ferry_mapfile_value(m, "R", "Cold", NULL, &rule), 0);
	assert_int_equal(rule, FERRY_MF_SKIP);
	assert_int_equal(ferry_mapfile_value(m, "Nope", "A", &title, &rule),
	                 FERRY_ENOTFOUND);
	/* as it is first, then trimmed */
	assert_int_equal(ferry_mapfile_value(m, "Unused", " x", &title, &rule),
	                 0);
	assert_string_equal(title, "Spaced");
	assert_int_equal(ferry_mapfile_value(m, "Unused", "x ", &title, &rule),
	                 0);
	assert_string_equal(title, "Plain");
	assert_int_equal(ferry_mapfile_table(m, "I")->line, 10);
	assert_int_equal(ferry_mapfile_table(m, "I")->values[0].line, 10);
	assert_true(ferry_mapfile_table(m, "I")->used);
	assert_false(ferry_mapfile_table(m, "Unused")->used);
	/* the table nobody uses is a warning, not an error */
	assert_int_equal(m->n_warnings, 1);
	assert_string_equal(m->warnings[0],
	                    "mapping.yaml:13: value table 'Unused' is not "
	                    "used: no field names it in 'values'");
	assert_string_equal(ferry_mapfile_type_name(FERRY_MF_MULTISELECT),
	                    "multiselect");
	assert_string_equal(ferry_mapfile_part_name(FERRY_MF_PART_REGION_CODE),
	                    "region_code");
	assert_string_equal(ferry_mapfile_part_name(FERRY_MF_PART_NONE), "");
	assert_string_equal(
	    ferry_mapfile_type_name((enum ferry_mapfile_type)99), "unknown");
	ferry_mapfile_free(m);
}

static json_t *record(const char *json)
{
	json_error_t err;
	json_t *j = json_loads(json, 0, &err);

	assert_non_null(j);
	return j;
}

static bool keep(const struct ferry_mapfile_object *o, const char *json,
                 int *line)
{
	const struct ferry_mapfile_condition *why = NULL;
	json_t *r = record(json);
	bool k = ferry_mapfile_keep(o, r, &why);

	*line = why ? why->line : 0;
	json_decref(r);
	return k;
}

static void test_filter(void **state)
{
	struct ferry_mapfile *m =
	    load(HEAD "  Lead:\n    to: people\n    filter:\n"
	              "      skip_if: {IsConverted: true, Email: \"\"}\n"
	              "      only_if:\n        Status: [Open, Working]\n"
	              "        Country: ~\n    fields:\n"
	              "      Email: {to: email_addresses, type: email}\n");
	const struct ferry_mapfile_object *o = ferry_mapfile_object(m, "Lead");
	int line;

	(void)state;
	assert_true(keep(o,
	                 "{\"IsConverted\":\"false\",\"Email\":\"a@b.c\","
	                 "\"Status\":\"open \",\"Country\":\"\"}",
	                 &line));
	assert_int_equal(line, 0);
	/* skip_if: any; 1 is true */
	assert_false(keep(o,
	                  "{\"IsConverted\":\"1\",\"Email\":\"a@b.c\","
	                  "\"Status\":\"Open\"}",
	                  &line));
	assert_int_equal(line, 6);
	assert_false(keep(o,
	                  "{\"IsConverted\":\"false\",\"Email\":\"  \","
	                  "\"Status\":\"Open\"}",
	                  &line));
	assert_int_equal(line, 6);
	/* only_if: all */
	assert_false(keep(o,
	                  "{\"IsConverted\":\"0\",\"Email\":\"a@b.c\","
	                  "\"Status\":\"Closed\"}",
	                  &line));
	assert_int_equal(line, 8);
	assert_false(keep(o,
	                  "{\"IsConverted\":\"0\",\"Email\":\"a@b.c\","
	                  "\"Status\":\"Working\",\"Country\":\"FR\"}",
	                  &line));
	assert_int_equal(line, 9);
	/* a field the record lacks is blank */
	assert_true(
	    keep(o, "{\"Email\":\"a@b.c\",\"Status\":\"Working\"}", &line));
	ferry_mapfile_free(m);
}

/* --- load order --- */

static void assert_order(const struct ferry_mapfile *m, const char *want)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t i;

	for (i = 0; i < m->n_order; i++) {
		assert_int_equal(ferry_buf_printf(&b, "%s%s", i ? " " : "",
		                                  m->order[i]->name),
		                 0);
		assert_int_equal(m->order[i]->order, i);
	}
	assert_string_equal(b.ptr, want);
	ferry_buf_release(&b);
}

static void test_order(void **state)
{
	struct ferry_mapfile *m;

	(void)state;
	/* children listed first still go after their parents; notes after
	 * every record; ties keep the file's order */
	m = load(HEAD
	         "  Task:\n    to: notes\n    fields:\n"
	         "      WhatId: {to: parent, type: reference}\n"
	         "  Opportunity:\n    to: deals\n    fields:\n"
	         "      AccountId: {to: associated_company, type: reference, "
	         "object: companies}\n"
	         "      ContactId: {to: associated_people, type: reference, "
	         "object: people}\n"
	         "  Contact:\n    to: people\n    fields:\n"
	         "      AccountId: {to: company, type: reference, object: "
	         "companies}\n"
	         "  Zed__c: {to: zeds}\n"
	         "  Account: {to: companies}\n"
	         "  Lead:\n    to: people\n    fields:\n"
	         "      Email: {to: email_addresses, type: email}\n"
	         "    dedup: {keys: [email], against: [Contact]}\n"
	         "  Skipped: {to: null}\n");
	assert_order(m, "Zed__c Account Contact Lead Opportunity Task");
	/* a reference with no object is written in the second pass on a
	 * record object, not on a note */
	assert_false(
	    ferry_mapfile_field(ferry_mapfile_object(m, "Task"), "WhatId")
	        ->deferred);
	assert_false(ferry_mapfile_field(ferry_mapfile_object(m, "Opportunity"),
	                                 "ContactId")
	                 ->deferred);
	ferry_mapfile_free(m);

	/* a cycle of three: the first listed waits for the second pass */
	m = load(HEAD "  A:\n    to: a\n    fields:\n"
	              "      B: {to: b, type: reference, object: b}\n"
	              "  B:\n    to: b\n    fields:\n"
	              "      C: {to: c, type: reference, object: c}\n"
	              "  C:\n    to: c\n    fields:\n"
	              "      A: {to: a, type: reference, object: a}\n"
	              "      X: {to: x, type: reference}\n"
	              "  D:\n    to: d\n    fields:\n"
	              "      A: {to: a, type: reference, object: a}\n");
	assert_order(m, "A C B D");
	assert_true(
	    ferry_mapfile_field(ferry_mapfile_object(m, "A"), "B")->deferred);
	assert_false(
	    ferry_mapfile_field(ferry_mapfile_object(m, "B"), "C")->deferred);
	assert_false(
	    ferry_mapfile_field(ferry_mapfile_object(m, "C"), "A")->deferred);
	assert_true(
	    ferry_mapfile_field(ferry_mapfile_object(m, "C"), "X")->deferred);
	ferry_mapfile_free(m);

	/* a reference to an object nothing writes waits for nothing, with a
	 * warning */
	m = load(HEAD "  Contact:\n    to: people\n    fields:\n"
	              "      AccountId: {to: company, type: reference, object: "
	              "companies}\n");
	assert_order(m, "Contact");
	assert_int_equal(m->n_warnings, 1);
	assert_string_equal(m->warnings[0],
	                    "mapping.yaml:6: Contact.AccountId points at "
	                    "companies, but no object of this mapping is "
	                    "written to companies: only records already in "
	                    "Attio will be found");
	ferry_mapfile_free(m);
}

/* --- a mapping drafted by analyze --- */

static struct ferry_workspace *workspace(const char *name, char **dir_out)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	*dir_out = dir;
	return ws;
}

/* Runs analyze and writes its draft; returns the draft's text. */
static char *draft(struct ferry_workspace *ws, const char *dir)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_buf b = FERRY_BUF_INIT;
	json_t *report = NULL;
	char *path;

	if (ferry_analyze_run(&report, ws, &o) < 0)
		fail_msg("analyze: %s", ferry_error_last());
	assert_int_equal(ferry_analyze_write_mapping(report, ws), 0);
	json_decref(report);
	path = ferry_xasprintf("%s/" FERRY_MAPFILE_FILE, dir);
	assert_int_equal(test_read_file(&b, path), 0);
	free(path);
	return ferry_buf_detach(&b, NULL);
}

static void collect(const char *problem, void *payload)
{
	struct ferry_buf *b = payload;

	assert_int_equal(ferry_buf_printf(b, "%s\n", problem), 0);
}

/* The 1-based line of the first line of `text` holding `needle`. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle), *p;
	int line = 1;

	assert_non_null(at);
	for (p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	assert_non_null(at);
	return ferry_xasprintf("%.*s%s%s", (int)(at - text), text, to,
	                       at + strlen(from));
}

static void test_sample_org_round_trip(void **state)
{
	struct ferry_buf problems = FERRY_BUF_INIT;
	struct ferry_mapfile *m = NULL;
	char *dir, *src, *text, *path, *bad, *want;
	struct ferry_workspace *ws = workspace("mapfile-sample", &dir);
	const struct ferry_mapfile_object *acc;

	(void)state;
	src = ferry_xasprintf("%s/examples/sample-org", test_source_dir());
	if (ferry_export_stage(ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	text = draft(ws, dir);
	path = ferry_xasprintf("%s/" FERRY_MAPFILE_FILE, dir);
	if (ferry_mapfile_load(&m, path) < 0)
		fail_msg("the draft does not load: %s\n%s", ferry_error_last(),
		         text);
	assert_int_equal(m->n_warnings, 0);
	assert_order(m, "Account Contact");
	acc = ferry_mapfile_object(m, "Account");
	assert_string_equal(acc->match, "domains");
	assert_non_null(ferry_mapfile_field(acc, "Industry")->values);
	assert_int_equal(ferry_mapfile_field(acc, "Industry")->line,
	                 line_of(text, "      Industry:"));
	if (ferry_mapfile_check_fields(m, ws, collect, &problems) < 0)
		fail_msg("the draft does not check: %s", ferry_error_last());
	assert_string_equal(problems.ptr, "");
	ferry_mapfile_free(m);

	/* a misspelt field: named with its line, and a suggestion */
	bad = replace(text, "      Email: {", "      Emial: {");
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", bad, strlen(bad)), 0);
	assert_int_equal(ferry_mapfile_check_fields(m, ws, collect, &problems),
	                 FERRY_ECONFIG);
	want = ferry_xasprintf("mapping.yaml:%d: Contact.Emial is not a field "
	                       "of Contact (did you mean Email?)",
	                       line_of(bad, "Emial"));
	assert_string_equal(ferry_error_last(), want);
	assert_int_equal(ferry_buf_printf(&problems, "%s", ""), 0);
	assert_non_null(strstr(problems.ptr, want));
	ferry_mapfile_free(m);
	free(want);
	free(bad);

	/* several problems: all to the callback, the first in the error */
	ferry_buf_clear(&problems);
	bad = replace(text, "  Contact:\n", "  Contacts:\n");
	src = (free(src), replace(bad, "BillingCity:", "BillingCty:"));
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", src, strlen(src)), 0);
	assert_int_equal(ferry_mapfile_check_fields(m, ws, collect, &problems),
	                 FERRY_ECONFIG);
	want = ferry_xasprintf(
	    "mapping.yaml:%d: Account.BillingCty is not a field of Account "
	    "(did you mean BillingCity?)\n"
	    "mapping.yaml:%d: Contacts is not a staged object (did you mean "
	    "Contact?): extract it, or set its 'to: null'\n",
	    line_of(src, "BillingCty"), line_of(src, "Contacts:"));
	assert_string_equal(problems.ptr, want);
	assert_non_null(strstr(ferry_error_last(), "(and 1 more problems"));
	ferry_mapfile_free(m);
	free(want);
	free(bad);

	free(src);
	free(path);
	free(text);
	ferry_buf_release(&problems);
	ferry_workspace_free(ws);
	free(dir);
}

static void stage(struct ferry_workspace *ws, const char *object,
                  const char *const *rows, size_t n)
{
	struct ferry_stage *st = NULL;
	size_t i;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; i < n; i++) {
		json_t *rec = record(rows[i]);

		assert_int_equal(
		    ferry_stage_add(
		        st, json_string_value(json_object_get(rec, "Id")),
		        (int64_t)i + 2, rec),
		    0);
		json_decref(rec);
	}
	assert_int_equal(ferry_stage_commit(st, NULL), 0);
}

#define STAGE(ws, object, ...)                                                 \
	do {                                                                   \
		static const char *const rows_[] = {__VA_ARGS__};              \
		stage(ws, object, rows_, FERRY_ARRAY_LEN(rows_));              \
	} while (0)

/* An org with leads, activities, attachments, users and a custom object:
 * the draft's notes, files and to: null objects load too. */
static void test_salesforce_round_trip(void **state)
{
	struct ferry_buf problems = FERRY_BUF_INIT;
	struct ferry_mapfile *m = NULL;
	char *dir, *text, *bad;
	struct ferry_workspace *ws = workspace("mapfile-sf", &dir);
	const struct ferry_mapfile_object *o;

	(void)state;
	assert_int_equal(
	    ferry_facts_put(
	        ws, "salesforce/describe/Account",
	        "{\"name\":\"Account\",\"fields\":["
	        "{\"name\":\"Id\",\"type\":\"id\",\"referenceTo\":[]},"
	        "{\"name\":\"Name\",\"type\":\"string\",\"referenceTo\":[]},"
	        "{\"name\":\"Website\",\"type\":\"url\",\"referenceTo\":[]},"
	        "{\"name\":\"ParentId\",\"type\":\"reference\","
	        "\"referenceTo\":[\"Account\"]}]}"),
	    0);
	STAGE(
	    ws, "Account",
	    "{\"Id\":\"001A00000000001AAA\",\"Name\":\"Acme\",\"Website\":"
	    "\"acme.com\",\"ParentId\":\"\",\"OwnerId\":\"005A0000000001A\"}");
	STAGE(ws, "Contact",
	      "{\"Id\":\"003A00000000001AAA\",\"LastName\":\"One\",\"Email\":"
	      "\"a@acme.com\",\"AccountId\":\"001A00000000001AAA\"}");
	STAGE(ws, "Lead",
	      "{\"Id\":\"00QA00000000001AAA\",\"LastName\":\"L\",\"Email\":"
	      "\"l@x.com\",\"Status\":\"Open\",\"Company\":\"X\"}");
	STAGE(ws, "Task",
	      "{\"Id\":\"00TA00000000001AAA\",\"Subject\":\"Call\",\"WhoId\":"
	      "\"003A00000000001AAA\",\"WhatId\":\"001A00000000001AAA\"}");
	STAGE(ws, "Attachment",
	      "{\"Id\":\"00PA00000000001AAA\",\"Name\":\"a.pdf\",\"ParentId\":"
	      "\"001A00000000001AAA\"}");
	STAGE(ws, "User",
	      "{\"Id\":\"005A00000000001AAA\",\"Email\":\"a@corp.com\"}");
	STAGE(ws, "Widget__c",
	      "{\"Id\":\"a01A00000000001AAA\",\"Name\":\"W\"}");
	text = draft(ws, dir);
	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("the draft does not load: %s\n%s", ferry_error_last(),
		         text);
	if (ferry_mapfile_check_fields(m, ws, collect, &problems) < 0)
		fail_msg("the draft does not check: %s\n%s", ferry_error_last(),
		         text);
	assert_int_equal(m->n_warnings, 0);
	assert_order(m, "Account Contact Lead Task Attachment");
	o = ferry_mapfile_object(m, "Task");
	assert_int_equal(o->kind, FERRY_MF_NOTES);
	assert_int_equal(ferry_mapfile_field(o, "WhoId")->type,
	                 FERRY_MF_REFERENCE);
	assert_int_equal(ferry_mapfile_object(m, "Attachment")->kind,
	                 FERRY_MF_FILES);
	assert_int_equal(ferry_mapfile_object(m, "Widget__c")->kind,
	                 FERRY_MF_NOWHERE);
	assert_true(
	    ferry_mapfile_field(ferry_mapfile_object(m, "Account"), "ParentId")
	        ->deferred);
	ferry_mapfile_free(m);

	/* with no record staged, the describe is checked instead; an object
	 * staged with no record and no describe has nothing to check */
	{
		struct ferry_stage *st = NULL;

		assert_int_equal(ferry_stage_begin(&st, ws, "Account", "t"), 0);
		assert_int_equal(ferry_stage_commit(st, NULL), 0);
		assert_int_equal(ferry_stage_begin(&st, ws, "Widget__c", "t"),
		                 0);
		assert_int_equal(ferry_stage_commit(st, NULL), 0);
	}
	bad = ferry_xasprintf(
	    "version: 1\nobjects:\n  Account:\n    to: companies\n    fields:\n"
	    "      Website: {to: domains, type: domain}\n"
	    "      Webiste: {to: domains, type: domain}\n"
	    "    filter: {skip_if: {IsDeleted: true}}\n"
	    "    dedup: {keys: [\"external_id:Legacy__c\"]}\n"
	    "  Widget__c:\n    to: widgets\n    fields:\n"
	    "      Nmae: {to: name, type: text}\n"
	    "  Case:\n    to: notes\n    comments: CaseComment\n"
	    "  OpportunityContactRole:\n    to: links\n"
	    "    link: {record: OpportunityId, attribute: associated_people, "
	    "add: ContactId}\n");
	ferry_buf_clear(&problems);
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", bad, strlen(bad)), 0);
	assert_int_equal(ferry_mapfile_check_fields(m, ws, collect, &problems),
	                 FERRY_ECONFIG);
	assert_string_equal(
	    problems.ptr,
	    "mapping.yaml:7: Account.Webiste is not a field of Account (did "
	    "you "
	    "mean Website?)\n"
	    "mapping.yaml:8: Account.filter's IsDeleted is not a field of "
	    "Account\n"
	    "mapping.yaml:9: Account.dedup's external_id Legacy__c is not a "
	    "field of Account\n"
	    "mapping.yaml:16: Case.comments: CaseComment is not staged: "
	    "extract "
	    "it (source.objects in ferry.yaml), or remove 'comments'\n"
	    "mapping.yaml:14: Case is not a staged object: extract it, or set "
	    "its 'to: null'\n"
	    "mapping.yaml:17: OpportunityContactRole is not a staged object: "
	    "extract it, or set its 'to: null'\n");
	/* no callback: the same first message */
	assert_int_equal(ferry_mapfile_check_fields(m, ws, NULL, NULL),
	                 FERRY_ECONFIG);
	assert_true(ferry_str_starts_with(
	    ferry_error_last(), "mapping.yaml:7: Account.Webiste is not"));
	ferry_mapfile_free(m);
	free(bad);
	free(text);
	ferry_buf_release(&problems);
	ferry_workspace_free(ws);
	free(dir);
}

/* --- a big mapping --- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_big_mapping(void **state)
{
	static const char *const types[] = {"text", "number", "date",
	                                    "checkbox", "timestamp"};
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_mapfile *m = NULL;
	double t0, elapsed;
	int i, j;

	(void)state;
	assert_int_equal(ferry_buf_puts(&b, "version: 1\nobjects:\n"), 0);
	for (i = 0; i < 200; i++) {
		assert_int_equal(
		    ferry_buf_printf(&b,
		                     "  Object%d__c:\n    to: "
		                     "object_%d\n    match: "
		                     "salesforce_id\n    fields:\n"
		                     "      Id: {to: salesforce_id, "
		                     "type: text}\n",
		                     i, i),
		    0);
		for (j = 1; j < 99; j++)
			assert_int_equal(
			    ferry_buf_printf(&b,
			                     "      Field%d__c: {to: field_%d, "
			                     "type: %s}\n",
			                     j, j, types[j % 5]),
			    0);
		assert_int_equal(ferry_buf_printf(&b,
		                                  "      Pick__c: {to: pick, "
		                                  "type: select, values: "
		                                  "Object%d__c.Pick__c}\n",
		                                  i),
		                 0);
		/* each points at the one before: the order is reversed */
		assert_int_equal(
		    ferry_buf_printf(&b,
		                     "      Parent__c: {to: parent, "
		                     "type: reference, object: "
		                     "object_%d}\n",
		                     i + 1 < 200 ? i + 1 : 0),
		    0);
	}
	assert_int_equal(ferry_buf_puts(&b, "value_tables:\n"), 0);
	for (i = 0; i < 200; i++) {
		assert_int_equal(ferry_buf_printf(&b,
		                                  "  Object%d__c.Pick__c:\n    "
		                                  "values:\n",
		                                  i),
		                 0);
		for (j = 0; j < 50; j++)
			assert_int_equal(
			    ferry_buf_printf(&b,
			                     "      Value %d: Title "
			                     "%d\n",
			                     j, j),
			    0);
	}
	t0 = now();
	if (ferry_mapfile_parse(&m, "mapping.yaml", b.ptr, b.len) < 0)
		fail_msg("%s", ferry_error_last());
	elapsed = now() - t0;
	print_message("      a mapping of 200 objects x 100 fields (%zu "
	              "bytes) loads in %.0f ms\n",
	              b.len, elapsed * 1000);
	assert_int_equal(m->n_objects, 200);
	assert_int_equal(m->n_order, 200);
	assert_int_equal(m->objects[7].n_fields, 101);
	/* a cycle through all 200: Object0 goes first, the rest reversed */
	assert_string_equal(m->order[0]->name, "Object0__c");
	assert_string_equal(m->order[1]->name, "Object199__c");
	assert_string_equal(m->order[199]->name, "Object1__c");
	assert_true(ferry_mapfile_field(&m->objects[0], "Parent__c")->deferred);
	assert_false(
	    ferry_mapfile_field(&m->objects[1], "Parent__c")->deferred);
	assert_non_null(ferry_mapfile_field(&m->objects[150], "Field77__c"));
	/* generous: it takes tens of milliseconds, sanitizers included */
	assert_true(elapsed < 5.0);
	ferry_mapfile_free(m);
	ferry_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_doc_examples),
	    cmocka_unit_test(test_doc_complete),
	    cmocka_unit_test(test_doc_load_order),
	    cmocka_unit_test(test_doc_rules),
	    cmocka_unit_test(test_mistakes),
	    cmocka_unit_test(test_bad_bytes),
	    cmocka_unit_test(test_alias_bomb),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_filter),
	    cmocka_unit_test(test_order),
	    cmocka_unit_test(test_sample_org_round_trip),
	    cmocka_unit_test(test_salesforce_round_trip),
	    cmocka_unit_test(test_big_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
