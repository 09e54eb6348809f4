/* plan_report.c: reports/plan.html drawn from a small planned workspace:
 * the headline balances (and says so when it does not), the counts per
 * object, the reasons with what releases them, the held records bounded
 * and each with its command, every record value escaped (a <script> in a
 * value, a tag in a record id), the CSP meta, the page drawn without the
 * run's stats, and written to reports/plan.html owner-only. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/stat.h>

#include "ferry/html.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/plan_report.h"
#include "ferry/workspace.h"

#define HOSTILE_VALUE "<script>alert(1)</script>"
#define HOSTILE_ID    "<img src=x onerror=alert(2)>"

static const char mapping_text[] =
    "version: 1\n"
    "objects:\n"
    "  Account:\n"
    "    to: companies\n"
    "    fields:\n"
    "      Type: {to: account_type, type: select, values: Account.Type}\n"
    "      Website: {to: domains, type: domain}\n"
    "      Name: {to: name, type: text}\n"
    "    match: domains\n"
    "    filter: {skip_if: {IsDeleted: true}}\n"
    "  Contact:\n"
    "    to: people\n"
    "    match: email_addresses\n"
    "    fields:\n"
    "      Email: {to: email_addresses, type: email}\n"
    "value_tables:\n"
    "  Account.Type:\n"
    "    unmapped: hold\n"
    "    values: {Customer: Customer}\n";

/* Id, Name, Website, Type, IsDeleted, CreatedDate. */
static const char *const accounts[][6] = {
    /* written; the next one (newer, same domain) is merged into it */
    {"001000000000001AAA", "Acme", "acme.com", "Customer", "false",
     "2020-01-01T00:00:00.000Z"},
    {"001000000000002AAA", "Acme Inc.", "https://www.acme.com/", "Customer",
     "false", "2021-01-01T00:00:00.000Z"},
    /* held: a type the value table does not have, quoted in the reason */
    {"001000000000003AAA", "Globex", "globex.com", HOSTILE_VALUE, "false",
     "2020-01-01T00:00:00.000Z"},
    /* held: nothing to match on; its id is hostile too */
    {HOSTILE_ID, "Initech", "", "Customer", "false",
     "2020-01-01T00:00:00.000Z"},
    /* skipped by the filter */
    {"001000000000005AAA", "Gone", "gone.com", "Customer", "true",
     "2020-01-01T00:00:00.000Z"},
};
#define CONTACTS_HELD 12

static void stage_begin(struct ferry_stage **st, struct ferry_workspace *ws,
                        const char *object)
{
	assert_int_equal(ferry_stage_begin(st, ws, object, "test"), 0);
}

static void stage_end(struct ferry_stage *st, int64_t want)
{
	int64_t count = -1;

	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, want);
}

/* Accounts as above, contacts without an email (all held), and leads the
 * mapping does not name (skipped). */
static struct ferry_workspace *planned(const char *name,
                                       struct ferry_plan_stats *stats)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;
	struct ferry_mapfile *m = NULL;
	struct ferry_plan_opts o;
	struct ferry_stage *st = NULL;
	char id[32];
	size_t i;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	free(dir);
	stage_begin(&st, ws, "Account");
	for (i = 0; i < FERRY_ARRAY_LEN(accounts); i++) {
		const char *const *a = accounts[i];
		json_t *r =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "Id", a[0],
		              "Name", a[1], "Website", a[2], "Type", a[3],
		              "IsDeleted", a[4], "CreatedDate", a[5]);

		assert_int_equal(ferry_stage_add(st, a[0], (int64_t)i + 2, r),
		                 0);
		json_decref(r);
	}
	stage_end(st, (int64_t)FERRY_ARRAY_LEN(accounts));
	stage_begin(&st, ws, "Contact");
	for (i = 0; i < CONTACTS_HELD; i++) {
		json_t *r;

		snprintf(id, sizeof(id), "0030000000000%02zuAAA", i);
		r = json_pack("{s:s, s:s}", "Id", id, "Email", "");
		assert_int_equal(ferry_stage_add(st, id, (int64_t)i + 2, r), 0);
		json_decref(r);
	}
	stage_end(st, CONTACTS_HELD);
	stage_begin(&st, ws, "Lead");
	for (i = 0; i < 2; i++) {
		json_t *r;

		snprintf(id, sizeof(id), "00Q00000000000%zuAAA", i);
		r = json_pack("{s:s}", "Id", id);
		assert_int_equal(ferry_stage_add(st, id, (int64_t)i + 2, r), 0);
		json_decref(r);
	}
	stage_end(st, 2);
	if (ferry_mapfile_parse(&m, "mapping.yaml", mapping_text,
	                        strlen(mapping_text)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	memset(&o, 0, sizeof(o));
	memset(stats, 0, sizeof(*stats));
	if (ferry_plan_run(ws, m, &o, stats) < 0)
		fail_msg("plan: %s", ferry_error_last());
	ferry_mapfile_free(m);
	return ws;
}

static char *render(struct ferry_workspace *ws,
                    const struct ferry_plan_stats *stats)
{
	struct ferry_buf b = FERRY_BUF_INIT;

	if (ferry_report_plan_html(ws, stats, &b) < 0)
		fail_msg("render: %s", ferry_error_last());
	return ferry_buf_detach(&b, NULL);
}

/* s as the page writes it. */
static char *escaped(const char *s)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_html h;

	ferry_html_init(&h, &b);
	ferry_html_text(&h, s);
	assert_int_equal(ferry_html_finish(&h), 0);
	return ferry_buf_detach(&b, NULL);
}

static void assert_has(const char *page, const char *needle)
{
	if (!strstr(page, needle))
		fail_msg("the page has no '%s'", needle);
}

static void assert_has_text(const char *page, const char *text)
{
	char *e = escaped(text);

	assert_has(page, e);
	free(e);
}

static size_t occurrences(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Nothing runs, nothing is fetched: no script or image tag, and no tag
 * with a src or an event handler (text may say anything, escaped). */
static void assert_inert(const char *page)
{
	const char *p, *end, *a;

	assert_has(page, "<meta http-equiv=\"Content-Security-Policy\" "
	                 "content=\"default-src 'none'; "
	                 "style-src 'unsafe-inline'\">");
	assert_null(strstr(page, "url("));
	for (p = page; (p = strchr(p, '<')) != NULL; p = end) {
		if (!strncasecmp(p, "<script", 7) || !strncasecmp(p, "<img", 4))
			fail_msg("markup from a record: %.60s", p);
		end = strchr(p, '>');
		assert_non_null(end);
		for (a = p; a < end; a++)
			if (!strncasecmp(a, " src=", 5) ||
			    !strncasecmp(a, " onerror=", 9))
				fail_msg("an attribute from a record: %.60s",
				         p);
	}
}

/* A reason of a stored decision, with `code`. */
static json_t *reason_of(struct ferry_workspace *ws, const char *object,
                         const char *id, const char *code)
{
	json_t *row = NULL, *r, *out = NULL;
	size_t i;

	assert_int_equal(ferry_plan_get(&row, ws, object, id), 0);
	json_array_foreach(json_object_get(row, "reasons"), i, r)
	{
		if (!strcmp(json_string_value(json_object_get(r, "code")),
		            code))
			out = json_incref(r);
	}
	json_decref(row);
	if (!out)
		fail_msg("%s %s has no reason %s", object, id, code);
	return out;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void test_page(void **state)
{
	struct ferry_plan_stats stats;
	struct ferry_workspace *ws = planned("plan_report-page", &stats);
	char *page = render(ws, &stats), *row;
	json_t *r;

	FERRY_UNUSED(state);
	assert_inert(page);
	/* 5 accounts + 12 contacts + 2 leads = 1 write + 1 merged + 2 + 12
	 * held + 1 + 2 skipped. */
	assert_has(page, "<p class=\"eq\"><b>19</b> staged = <b>1</b> write "
	                 "+ <b>1</b> merged + <b>14</b> held + <b>3</b> "
	                 "skipped</p>");
	assert_has(page, "<span class=\"badge good\">balances</span>");
	assert_null(strstr(page, "does not balance"));
	assert_has(page, "<p class=\"big\">14 held</p>");
	/* The objects table: a row per object, in plan order, with the
	 * counts; leads are not migrated. */
	row = strstr(page, "<tr><th scope=\"row\">Account</th>");
	assert_non_null(row);
	assert_has(row, "<td><code>companies</code></td><td class=\"n\">5</td>"
	                "<td class=\"n\">1</td><td class=\"n\">1</td>"
	                "<td class=\"n\">2</td><td class=\"n\">1</td>");
	assert_true(row < strstr(page, "<tr><th scope=\"row\">Contact</th>"));
	assert_has(page, "<tr><th scope=\"row\">Lead</th><td><span "
	                 "class=\"none\">not migrated</span></td>");
	/* A stacked bar per object, and one for all of them. */
	assert_has(page, "aria-label=\"Decisions, all objects\"");
	assert_has(page, "aria-label=\"Decisions, Account\"");
	assert_has(page, "aria-label=\"Decisions, Lead\"");
	/* The held reasons, each with what releases it; the hostile value
	 * is in the message, escaped. */
	r = reason_of(ws, "Account", "001000000000003AAA", "value_unmapped");
	assert_non_null(strstr(jstr(r, "message"), HOSTILE_VALUE));
	assert_true(*jstr(r, "release"));
	assert_has_text(page, jstr(r, "message"));
	assert_has_text(page, jstr(r, "release"));
	assert_has(page, "&lt;script&gt;alert(1)&lt;/script&gt;");
	json_decref(r);
	r = reason_of(ws, "Account", HOSTILE_ID, "match_missing");
	assert_has_text(page, jstr(r, "release"));
	json_decref(r);
	assert_has(page, "<code>value_unmapped</code>");
	assert_has(page, "<code>filter</code>");
	assert_has(page, "<code>merged</code>");
	/* Held records: every one of the two accounts, the first 10 of the
	 * 12 contacts, each with the command that shows it. */
	assert_has(page, "All 2 held Account records");
	assert_has(page, "The first 10 of 12 held Contact records");
	assert_int_equal(occurrences(page, "ferry queue show Contact "), 10);
	assert_has(page, "<code>ferry queue show Account "
	                 "&lt;img src=x onerror=alert(2)&gt;</code>");
	/* The run's facts and the commands. */
	assert_has(page, "<span class=\"badge warn\">offline</span>");
	assert_has(page, "<code>ferry queue list</code>");
	assert_has(page, "<code>ferry queue edit</code>");
	assert_has(page, "<code>ferry queue retry</code>");
	assert_has(page, "<code>ferry queue skip</code>");
	free(page);
	ferry_plan_stats_release(&stats);
	ferry_workspace_free(ws);
}

/* Without the run's stats: the same counts from the table, and the page
 * says what it does not know. */
static void test_without_stats(void **state)
{
	struct ferry_plan_stats stats;
	struct ferry_workspace *ws = planned("plan_report-nostats", &stats);
	char *page = render(ws, NULL);

	FERRY_UNUSED(state);
	assert_inert(page);
	assert_has(page, "<b>19</b> staged = <b>1</b> write + <b>1</b> "
	                 "merged + <b>14</b> held + <b>3</b> skipped");
	assert_has(page, "<span class=\"badge muted\">not recorded</span>");
	assert_null(strstr(page, "badge warn\">offline"));
	assert_has(page, "The first 10 of 12 held Contact records");
	free(page);
	ferry_plan_stats_release(&stats);
	ferry_workspace_free(ws);
}

/* A decision gone from the table: the headline and the row say so. */
static void test_unbalanced(void **state)
{
	struct ferry_plan_stats stats;
	struct ferry_workspace *ws = planned("plan_report-off", &stats);
	char *path =
	    ferry_xasprintf("%s/.ferry/state.db", ferry_workspace_root(ws));
	sqlite3 *db = NULL;
	char *page;

	FERRY_UNUSED(state);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	                              "DELETE FROM plan WHERE object = "
	                              "'Contact' AND source_id = "
	                              "'003000000000000AAA'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
	page = render(ws, &stats);
	assert_has(page, "<b>19</b> staged = <b>1</b> write + <b>1</b> "
	                 "merged + <b>13</b> held");
	assert_has(page, "<span class=\"badge bad\">does not balance</span>");
	assert_has(page, "1 object with records without a decision");
	assert_has(page, "<span class=\"badge bad\">off</span> 11 decisions");
	free(page);
	free(path);
	ferry_plan_stats_release(&stats);
	ferry_workspace_free(ws);
}

static void test_empty(void **state)
{
	char *dir = test_tmpdir("plan_report-empty");
	struct ferry_workspace *ws = NULL;
	char *page;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	page = render(ws, NULL);
	assert_inert(page);
	assert_has(page, "Nothing is staged yet");
	assert_has(page, "<b>0</b> staged = <b>0</b> write");
	assert_has(page, "Nothing is held.");
	free(page);
	free(dir);
	ferry_workspace_free(ws);
}

static void test_write(void **state)
{
	struct ferry_plan_stats stats;
	struct ferry_workspace *ws = planned("plan_report-write", &stats);
	struct ferry_buf b = FERRY_BUF_INIT;
	char *path = ferry_xasprintf("%s/%s", ferry_workspace_root(ws),
	                             FERRY_REPORT_PLAN_HTML);
	struct stat sb;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_report_plan_write(ws, &stats), 0);
	assert_int_equal(test_read_file(&b, path), 0);
	assert_non_null(strstr(b.ptr, "<title>Migration plan</title>"));
	assert_non_null(strstr(b.ptr, "</html>\n"));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	ferry_buf_release(&b);
	free(path);
	ferry_plan_stats_release(&stats);
	ferry_workspace_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_page),
	    cmocka_unit_test(test_without_stats),
	    cmocka_unit_test(test_unbalanced),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
