/* sf_soql.c: tests for the Salesforce sandbox's SOQL subset: what parses
 * and what is refused with which Salesforce error, what each condition
 * matches (checked against the generated values themselves), and that
 * COUNT() agrees with walking the rows, with and without WHERE, LIMIT,
 * OFFSET and queryAll. */
#include "helpers.h"
#include "util.h"

#include <strings.h>

#include "sf_sandbox.h"

static struct sf_org *org;

static int setup(void **state)
{
	struct sf_org_opts o;

	(void)state;
	sf_org_opts_default(&o);
	return sf_org_new(&org, &o);
}

static int teardown(void **state)
{
	(void)state;
	sf_org_free(org);
	return 0;
}

static struct sf_query *parse_ok(const char *soql, bool tooling)
{
	struct sf_query *q = NULL;
	struct sf_err e;

	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, tooling, &e) < 0)
		fail_msg("%s: %s %s", soql, e.code, e.message);
	return q;
}

/* Walks the rows; checks each against `want` (NULL: any). */
typedef bool (*row_check)(const char **row, int64_t index);

static int64_t walk(const struct sf_query *q, bool all, row_check want)
{
	struct sf_record r;
	const char *row[32];
	int64_t pos = 0, n = 0, last = -1;

	sf_record_init(&r);
	while (sf_query_next(q, all, &pos, &r, row) == 1) {
		/* rows come in raw index (Id) order */
		assert_true(pos - 1 > last);
		last = pos - 1;
		if (want && !want(row, pos - 1))
			fail_msg("row %" PRId64 " should not match",
			         (int64_t)(pos - 1));
		n++;
	}
	sf_record_release(&r);
	return n;
}

/* count == rows, for query and queryAll; returns the count. */
static int64_t agree(const char *soql, row_check want)
{
	struct sf_query *q = parse_ok(soql, false);
	int64_t n = sf_query_count(q, false);

	assert_int_equal(walk(q, false, want), n);
	assert_int_equal(walk(q, true, NULL), sf_query_count(q, true));
	assert_true(sf_query_count(q, true) >= n);
	sf_query_free(q);
	return n;
}

static void expect_error(const char *soql, bool tooling, const char *code,
                         const char *needle)
{
	struct sf_query *q = NULL;
	struct sf_err e;

	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, tooling, &e) == 0)
		fail_msg("%s: parsed", soql);
	assert_null(q);
	assert_int_equal(e.status, 400);
	if (strcmp(e.code, code) || !strstr(e.message, needle))
		fail_msg("%s: got %s %s", soql, e.code, e.message);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("select count() from XYZZY", false, "INVALID_TYPE",
	             "\nselect count() from XYZZY\n                    ^\n"
	             "ERROR at Row:1:Column:21\nsObject type 'XYZZY' is not "
	             "supported. If you are attempting to use a custom "
	             "object, be sure to append the '__c' after the entity "
	             "name.");
	expect_error("SELECT Foo FROM Account", false, "INVALID_FIELD",
	             "ERROR at Row:1:Column:8\nNo such column 'Foo' on entity "
	             "'Account'. If you are attempting to use a custom field, "
	             "be sure to append the '__c' after the custom field "
	             "name.");
	expect_error("SELECT Id FROM Account WHERE Nme = 'x'", false,
	             "INVALID_FIELD", "No such column 'Nme'");
	expect_error("SELECT Id, Parent.Nope FROM Account", false,
	             "INVALID_FIELD",
	             "No such column 'Nope' on entity "
	             "'Account'");
	expect_error("SELECT Id, Foo.Name FROM Contact", false, "INVALID_FIELD",
	             "Didn't understand relationship 'Foo'");
	expect_error("SELECT Id, Who.Industry FROM Task", false,
	             "INVALID_FIELD", "on entity 'Name'");
	expect_error("SELECT Id FROM", false, "MALFORMED_QUERY",
	             "unexpected token: <EOF>");
	expect_error("SELECT Id FROM Account WHERE", false, "MALFORMED_QUERY",
	             "unexpected token: <EOF>");
	expect_error("SELECT Id Name FROM Account", false, "MALFORMED_QUERY",
	             "unexpected token: 'Name'");
	expect_error("SELECT Id, FROM Account", false, "MALFORMED_QUERY",
	             "unexpected token: 'FROM'");
	expect_error("SELEC Id FROM Account", false, "MALFORMED_QUERY",
	             "unexpected token: 'SELEC'");
	expect_error("SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' "
	             "OR Type = 'c'",
	             false, "MALFORMED_QUERY", "unexpected token: 'OR'");
	expect_error("SELECT Id FROM Account WHERE Name = 'unterminated", false,
	             "MALFORMED_QUERY", "unexpected token");
	expect_error("SELECT Id FROM Account LIMIT -1", false,
	             "MALFORMED_QUERY", "unexpected token");
	expect_error("SELECT Id FROM Account WHERE Name > null", false,
	             "MALFORMED_QUERY", "null");
	expect_error("SELECT Id, Id FROM Account", false, "MALFORMED_QUERY",
	             "duplicate field selected: Id");
	expect_error("", false, "MALFORMED_QUERY", "cannot be empty");
	/* literals must suit the field */
	expect_error("SELECT Id FROM Account WHERE CreatedDate > '2020-01-01'",
	             false, "INVALID_FIELD",
	             "value of filter criterion for field 'CreatedDate' must "
	             "be of type dateTime and should not be enclosed in "
	             "quotes");
	expect_error("SELECT Id FROM Account WHERE CreatedDate > 2020-01-01",
	             false, "INVALID_FIELD", "type dateTime");
	expect_error("SELECT Id FROM Opportunity WHERE CloseDate > "
	             "2020-01-01T00:00:00Z",
	             false, "INVALID_FIELD", "type date ");
	expect_error("SELECT Id FROM Account WHERE Name = 5", false,
	             "INVALID_FIELD", "type string and should be enclosed");
	expect_error("SELECT Id FROM Account WHERE AnnualRevenue = '5'", false,
	             "INVALID_FIELD", "type double");
	expect_error("SELECT Id FROM Account WHERE IsDeleted = 'true'", false,
	             "INVALID_FIELD", "type boolean");
	expect_error("SELECT Id FROM Account WHERE Description = 'x'", false,
	             "INVALID_FIELD", "can not be filtered");
	expect_error("SELECT Id FROM Account WHERE BillingAddress != null",
	             false, "INVALID_FIELD", "can not be filtered");
	expect_error("SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'",
	             false, "INVALID_FIELD", "LIKE");
	/* the Tooling API's objects are only there */
	expect_error("SELECT Id FROM ApexTrigger", false, "INVALID_TYPE",
	             "sObject type 'ApexTrigger' is not supported");
	expect_error("SELECT Id FROM Account", true, "INVALID_TYPE",
	             "sObject type 'Account' is not supported");
	/* the row and column of a later line */
	expect_error("SELECT Id\nFROM Account\nWHERE Bogus = 1", false,
	             "INVALID_FIELD", "ERROR at Row:3:Column:7");
}

static void test_columns(void **state)
{
	struct sf_query *q;

	(void)state;
	q = parse_ok("select id, NAME, account.name, Owner.Email, "
	             "Account.Owner.IsActive FROM contact",
	             false);
	assert_string_equal(sf_query_object(q)->name, "Contact");
	assert_int_equal(sf_query_n_columns(q), 5);
	/* as written, for the Bulk CSV header */
	assert_string_equal(sf_query_column(q, 2), "account.name");
	assert_int_equal(sf_query_column_type(q, 0), SF_ID);
	assert_int_equal(sf_query_column_type(q, 3), SF_EMAIL);
	assert_int_equal(sf_query_column_type(q, 4), SF_BOOLEAN);
	assert_false(sf_query_is_count(q));
	assert_int_equal(sf_query_limit(q), -1);
	sf_query_free(q);

	q = parse_ok("SELECT COUNT() FROM Account", false);
	assert_true(sf_query_is_count(q));
	assert_false(sf_query_is_count_expr(q));
	assert_int_equal(sf_query_n_columns(q), 0);
	sf_query_free(q);
	q = parse_ok("SELECT count(Id) FROM Account", false);
	assert_false(sf_query_is_count(q));
	assert_true(sf_query_is_count_expr(q));
	sf_query_free(q);
	/* ORDER BY is accepted (and ignored), LIMIT kept */
	q = parse_ok("SELECT Id FROM Account ORDER BY Name DESC NULLS LAST, "
	             "Id LIMIT 7",
	             false);
	assert_int_equal(sf_query_limit(q), 7);
	assert_int_equal(walk(q, false, NULL), 7);
	sf_query_free(q);
	/* qualified by the object's own name */
	q = parse_ok("SELECT Account.Name FROM Account", false);
	sf_query_free(q);
	/* tooling */
	q = parse_ok("SELECT Id, Name, TableEnumOrId, Status FROM ApexTrigger "
	             "WHERE NamespacePrefix = null",
	             true);
	assert_int_equal(sf_query_count(q, false), 8);
	sf_query_free(q);
}

static bool recent(const char **row, int64_t i)
{
	(void)i;
	return strcmp(row[1], "2026-10-15T00:00:00.000Z") > 0;
}

static bool banking_or_fintech(const char **row, int64_t i)
{
	(void)i;
	return row[1] &&
	       (!strcmp(row[1], "Banking") || !strcmp(row[1], "Fintech"));
}

static bool gmail(const char **row, int64_t i)
{
	char *lower;
	bool ok;

	(void)i;
	if (!row[1])
		return false;
	lower = ferry_str_lower(ferry_xstrdup(row[1]));
	ok = strstr(lower, "@gmail.") != NULL;
	free(lower);
	return ok;
}

static bool no_email(const char **row, int64_t i)
{
	(void)i;
	return row[1] == NULL;
}

static bool account_named_like_parent(const char **row, int64_t i)
{
	struct sf_record r;
	const struct sf_object *o;
	int64_t idx;
	bool ok;

	(void)i;
	/* Account.Name is the name of the record AccountId names */
	if (!row[1])
		return row[2] == NULL;
	if (sf_org_lookup_id(org, row[1], &o, &idx) < 0)
		return row[2] == NULL; /* an orphan */
	sf_record_init(&r);
	assert_int_equal(sf_org_record(org, o, idx, &r), 0);
	ok = row[2] && !strcmp(row[2], r.values[sf_object_field(o, "Name")]);
	sf_record_release(&r);
	return ok;
}

static bool who_type(const char **row, int64_t i)
{
	(void)i;
	if (!row[1])
		return row[2] == NULL;
	return !strcmp(row[2], !strncmp(row[1], "003", 3) ? "Contact" : "Lead");
}

static bool stage_closed(const char **row, int64_t i)
{
	(void)i;
	return !strncmp(row[1], "Closed", 6) && !strcmp(row[2], "true");
}

static bool big_money(const char **row, int64_t i)
{
	double d;

	(void)i;
	return row[1] && ferry_parse_double(row[1], &d) == 0 && d >= 1e6;
}

static void test_conditions(void **state)
{
	int64_t all, with, without, n;

	(void)state;
	all = agree("SELECT Id FROM Account", NULL);
	assert_int_equal(all, 58); /* 60 less every 25th */
	n = agree("SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp "
	          "> 2026-10-15T00:00:00Z",
	          recent);
	assert_true(n > 0 && n < all);
	/* the same instant written with an offset */
	assert_int_equal(agree("SELECT Id, SystemModstamp FROM Account WHERE "
	                       "SystemModstamp > 2026-10-15T02:00:00.000+02:00",
	                       recent),
	                 n);
	n = agree("SELECT Id, Industry FROM Account WHERE Industry IN "
	          "('Banking', 'FINTECH')",
	          banking_or_fintech);
	assert_true(n >= 1);
	n = agree("SELECT Id, Email FROM Contact WHERE Email LIKE '%@GMAIL.%'",
	          gmail);
	assert_true(n >= 1);
	/* = null and != null split the records */
	with = agree("SELECT Id, Email FROM Contact WHERE Email != null", NULL);
	without =
	    agree("SELECT Id, Email FROM Contact WHERE Email = null", no_email);
	assert_int_equal(with + without, agree("SELECT Id FROM Contact", NULL));
	assert_true(without >= 5);
	/* NOT, and OR in parentheses */
	assert_int_equal(
	    agree("SELECT Id FROM Contact WHERE NOT Email = null", NULL), with);
	n = agree("SELECT Id FROM Contact WHERE (Email = null OR Email LIKE "
	          "'%gmail%') AND LastName != null",
	          NULL);
	assert_true(n >= without);
	/* a null value matches != and NOT IN */
	assert_int_equal(agree("SELECT Id FROM Contact WHERE Email != "
	                       "'nobody@example.com'",
	                       NULL),
	                 with + without);
	assert_int_equal(agree("SELECT Id FROM Contact WHERE Email NOT IN "
	                       "('nobody@example.com')",
	                       NULL),
	                 with + without);
	/* numbers, booleans, dates */
	n = agree("SELECT Id, AnnualRevenue FROM Account WHERE AnnualRevenue "
	          ">= 1000000",
	          big_money);
	assert_true(n >= 1);
	n = agree("SELECT Id, StageName, IsClosed FROM Opportunity WHERE "
	          "IsClosed = TRUE",
	          stage_closed);
	assert_true(n >= 1);
	assert_true(agree("SELECT Id FROM Opportunity WHERE CloseDate < "
	                  "2026-11-01",
	                  NULL) >= 1);
	/* parent paths */
	agree("SELECT Id, AccountId, Account.Name FROM Contact",
	      account_named_like_parent);
	assert_true(agree("SELECT Id FROM Contact WHERE Account.Industry != "
	                  "null",
	                  NULL) >= 1);
	assert_true(agree("SELECT Id FROM Account WHERE Owner.IsActive = false",
	                  NULL) >= 1);
	agree("SELECT Id, WhoId, Who.Type, Who.Name FROM Task", who_type);
	assert_true(agree("SELECT Id FROM Task WHERE What.Type = 'Account'",
	                  NULL) >= 1);
	/* queues own some leads: Owner.Name is null for them */
	assert_true(
	    agree("SELECT Id FROM Lead WHERE Owner.Name = null", NULL) >= 1);
}

static void test_ids_and_deleted(void **state)
{
	struct sf_query *q;
	char id[19], soql[200];
	const struct sf_object *acc = sf_org_object(org, "Account");
	int64_t n;

	(void)state;
	sf_org_record_id(acc, 12, id);
	/* 18 chars, 15 chars, and a lower-case 18 */
	snprintf(soql, sizeof(soql), "SELECT Id FROM Account WHERE Id = '%s'",
	         id);
	assert_int_equal(agree(soql, NULL), 1);
	snprintf(soql, sizeof(soql),
	         "SELECT Id FROM Account WHERE Id = '%.15s'", id);
	assert_int_equal(agree(soql, NULL), 1);
	snprintf(
	    soql, sizeof(soql),
	    "SELECT Id FROM Account WHERE Id IN ('%s', '001000000000000AAA')",
	    id);
	assert_int_equal(agree(soql, NULL), 1);
	/* soft-deleted records: only queryAll sees them */
	q = parse_ok("SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true",
	             false);
	assert_int_equal(sf_query_count(q, false), 0);
	assert_int_equal(sf_query_count(q, true), 2);
	assert_int_equal(walk(q, true, NULL), 2);
	sf_query_free(q);
	q = parse_ok("SELECT COUNT() FROM Contact", false);
	assert_int_equal(sf_query_count(q, false), 144);
	assert_int_equal(sf_query_count(q, true), 150);
	sf_query_free(q);
	/* COUNT(field) counts the non-null values */
	q = parse_ok("SELECT COUNT(Email) FROM Contact", false);
	n = sf_query_count(q, false);
	sf_query_free(q);
	assert_int_equal(
	    n, agree("SELECT Id FROM Contact WHERE Email != null", NULL));
}

static void test_limit_offset(void **state)
{
	struct sf_query *q;
	struct sf_record r;
	const char *row[4];
	int64_t pos = 0, first = -1;

	(void)state;
	assert_int_equal(agree("SELECT Id FROM Contact LIMIT 30", NULL), 30);
	assert_int_equal(agree("SELECT Id FROM Contact LIMIT 0", NULL), 0);
	assert_int_equal(agree("SELECT Id FROM Contact LIMIT 100000", NULL),
	                 144);
	assert_int_equal(agree("SELECT Id FROM Contact OFFSET 140", NULL), 4);
	assert_int_equal(
	    agree("SELECT Id FROM Contact LIMIT 10 OFFSET 20", NULL), 10);
	assert_int_equal(agree("SELECT Id FROM Contact WHERE Email = null "
	                       "LIMIT 3",
	                       NULL),
	                 3);
	/* OFFSET 24 skips the 24 live ones before the first deleted: the
	 * 25th row is record 25 (record 24 is deleted) */
	q = parse_ok("SELECT Id FROM Contact LIMIT 1 OFFSET 24", false);
	sf_record_init(&r);
	assert_int_equal(sf_query_next(q, false, &pos, &r, row), 1);
	first = pos - 1;
	assert_int_equal(first, 25);
	assert_int_equal(sf_query_next(q, false, &pos, &r, row), 0);
	sf_record_release(&r);
	sf_query_free(q);
}

/* Flows per object: the data API's FlowDefinitionView. */
static void test_automation(void **state)
{
	struct sf_query *q;

	(void)state;
	q = parse_ok("SELECT ApiName, TriggerObjectOrEventLabel FROM "
	             "FlowDefinitionView WHERE TriggerObjectOrEventLabel = "
	             "'Account'",
	             false);
	assert_int_equal(sf_query_count(q, false), 2);
	sf_query_free(q);
	q = parse_ok("SELECT Id FROM ValidationRule WHERE EntityDefinitionId "
	             "= 'Account' AND Active = true",
	             true);
	assert_true(sf_query_count(q, false) >= 2);
	sf_query_free(q);
	q = parse_ok("SELECT COUNT() FROM ApexClass WHERE NamespacePrefix != "
	             "null",
	             true);
	assert_int_equal(sf_query_count(q, false), 3);
	sf_query_free(q);
	q = parse_ok("SELECT Id, MasterLabel, Status, ProcessType FROM Flow "
	             "WHERE Status = 'Active'",
	             true);
	assert_true(sf_query_count(q, false) > 0);
	sf_query_free(q);
	q = parse_ok("SELECT Id, Name, TableEnumOrId FROM WorkflowRule", true);
	assert_int_equal(sf_query_count(q, false), 4);
	sf_query_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_columns),
	    cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_ids_and_deleted),
	    cmocka_unit_test(test_limit_offset),
	    cmocka_unit_test(test_automation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
