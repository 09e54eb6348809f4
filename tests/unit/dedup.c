/* dedup.c: tests of the dedup engine: match keys (golden), transitive
 * clusters across objects, personal domains, survivor rules and holds,
 * field-level survivorship, destination matches through a fake lookup,
 * re-runs, and one decision per staged record. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>

#include "ferry/dedup.h"
#include "ferry/workspace.h"

/* --- staging and reading back --- */

#define MAX_KV 16
struct rec {
	const char *id;
	const char *kv[MAX_KV * 2]; /* column, value, ... NULL */
};

static struct ferry_workspace *open_fresh(const char *name)
{
	char *dir = test_tmpdir(name);
	struct ferry_workspace *ws = NULL;

	assert_int_equal(ferry_workspace_init(dir), 0);
	assert_int_equal(ferry_workspace_open(&ws, dir), 0);
	free(dir);
	return ws;
}

static void stage(struct ferry_workspace *ws, const char *object,
                  const struct rec *recs, size_t n)
{
	struct ferry_stage *st = NULL;
	int64_t count = 0;
	size_t i, j;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "test"), 0);
	for (i = 0; i < n; i++) {
		json_t *f = json_pack("{s:s}", "Id", recs[i].id);

		for (j = 0; recs[i].kv[j]; j += 2)
			json_object_set_new(f, recs[i].kv[j],
			                    json_string(recs[i].kv[j + 1]));
		assert_int_equal(
		    ferry_stage_add(st, recs[i].id, (int64_t)i + 2, f), 0);
		json_decref(f);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
	assert_int_equal(count, (int64_t)n);
}

struct got {
	char object[64], source_id[64], survivor_object[64], survivor_id[64];
	char dest_id[64];
	char reason[1024];
	int64_t cluster;
	enum ferry_dedup_role role;
	json_t *merged, *from;
};

static struct got get(struct ferry_workspace *ws, const char *object,
                      const char *id)
{
	struct ferry_dedup_filter f = {.object = object, .source_id = id};
	struct ferry_dedup_iter *it = NULL;
	struct ferry_dedup_row row;
	struct got g;

	memset(&g, 0, sizeof(g));
	assert_int_equal(ferry_dedup_iter_open(&it, ws, &f), 0);
	if (ferry_dedup_next(it, &row) != 1)
		fail_msg("no dedup row for %s %s", object, id);
	snprintf(g.object, sizeof(g.object), "%s", row.object);
	snprintf(g.source_id, sizeof(g.source_id), "%s", row.source_id);
	snprintf(g.survivor_object, sizeof(g.survivor_object), "%s",
	         row.survivor_object);
	snprintf(g.survivor_id, sizeof(g.survivor_id), "%s", row.survivor_id);
	snprintf(g.dest_id, sizeof(g.dest_id), "%s", row.dest_id);
	snprintf(g.reason, sizeof(g.reason), "%s", row.reason);
	g.cluster = row.cluster;
	g.role = row.role;
	g.merged = row.merged ? json_loads(row.merged, 0, NULL) : NULL;
	g.from = row.filled_from ? json_loads(row.filled_from, 0, NULL) : NULL;
	assert_int_equal(ferry_dedup_next(it, &row), 0);
	ferry_dedup_iter_free(it);
	return g;
}

static void got_free(struct got *g)
{
	json_decref(g->merged);
	json_decref(g->from);
}

static void expect(struct ferry_workspace *ws, const char *object,
                   const char *id, enum ferry_dedup_role role,
                   const char *survivor, const char *reason)
{
	struct got g = get(ws, object, id);

	if (g.role != role)
		fail_msg("%s %s: role %s, want %s (%s)", object, id,
		         ferry_dedup_role_name(g.role),
		         ferry_dedup_role_name(role), g.reason);
	assert_string_equal(g.survivor_id, survivor);
	if (reason)
		assert_string_equal(g.reason, reason);
	got_free(&g);
}

static const char *const email_fields[] = {"Email", "PersonEmail"};
static const char *const phone_fields[] = {"Phone", "MobilePhone"};
static const char *const ext_fields[] = {"Customer_Number__c"};
static const char *const web_fields[] = {"Website"};
static const char *const people[] = {"Contact", "Lead"};
static const char *const contacts[] = {"Contact"};
static const char *const accounts[] = {"Account"};

static const struct ferry_dedup_key person_keys[] = {
    {.kind = FERRY_DEDUP_EMAIL, .fields = email_fields, .n_fields = 2},
    {.kind = FERRY_DEDUP_PHONE, .fields = phone_fields, .n_fields = 2},
    {.kind = FERRY_DEDUP_EXTERNAL_ID, .fields = ext_fields, .n_fields = 1},
};

static struct ferry_dedup_config people_cfg(void)
{
	struct ferry_dedup_config c = {
	    .objects = people,
	    .n_objects = 2,
	    .keys = person_keys,
	    .n_keys = FERRY_ARRAY_LEN(person_keys),
	    .default_country = "US",
	};
	return c;
}

/* --- match keys --- */

static void expect_key(enum ferry_dedup_kind kind, const char *value,
                       const char *country, const char *want)
{
	static const char *const extra[] = {"Acme-Mail.com"};
	struct ferry_dedup_key key = {
	    .kind = kind, .fields = email_fields, .n_fields = 1};
	struct ferry_dedup_config cfg = {.default_country = "US",
	                                 .personal_domains = extra,
	                                 .n_personal_domains = 1};
	struct ferry_buf out = FERRY_BUF_INIT;
	int error;

	assert_int_equal(ferry_buf_puts(&out, "untouched"), 0);
	error = ferry_dedup_key_normalize(&out, &key, value, country, &cfg);
	if (want) {
		if (error < 0)
			fail_msg("'%s': %s", value, ferry_error_last());
		assert_string_equal(out.ptr, want);
	} else {
		if (error != FERRY_EINVALID)
			fail_msg("'%s' gave key '%s'", value, out.ptr);
		assert_string_equal(out.ptr, "untouched");
		assert_true(*ferry_error_last());
	}
	ferry_buf_release(&out);
}

static void test_key_golden(void **state)
{
	(void)state;
	expect_key(FERRY_DEDUP_EMAIL, " Ada.Lovelace@Example.COM ", NULL,
	           "ada.lovelace@example.com");
	expect_key(FERRY_DEDUP_EMAIL, "ADA@gmail.com", NULL, "ada@gmail.com");
	expect_key(FERRY_DEDUP_EMAIL, "not-an-email", NULL, NULL);
	expect_key(FERRY_DEDUP_EMAIL, "a@b@c.com", NULL, NULL);
	expect_key(FERRY_DEDUP_EMAIL, "   ", NULL, NULL);
	expect_key(FERRY_DEDUP_EMAIL, NULL, NULL, NULL);

	expect_key(FERRY_DEDUP_PHONE, "+44 20 7946 0100", NULL,
	           "+442079460100");
	expect_key(FERRY_DEDUP_PHONE, "(415) 555-0100", NULL, "+14155550100");
	expect_key(FERRY_DEDUP_PHONE, "415.555.0100", "", "+14155550100");
	expect_key(FERRY_DEDUP_PHONE, "020 7946 0100", "United Kingdom",
	           "+442079460100");
	expect_key(FERRY_DEDUP_PHONE, "0044 (0)20 7946 0100", NULL,
	           "+442079460100");
	expect_key(FERRY_DEDUP_PHONE, "(415) 555-0100 x12", NULL, NULL);
	expect_key(FERRY_DEDUP_PHONE, "12", NULL, NULL);
	expect_key(FERRY_DEDUP_PHONE, "call me", NULL, NULL);

	expect_key(FERRY_DEDUP_EXTERNAL_ID, "  C-1001\t", NULL, "C-1001");
	expect_key(FERRY_DEDUP_EXTERNAL_ID, "c-1001", NULL, "c-1001");
	expect_key(FERRY_DEDUP_EXTERNAL_ID, " ", NULL, NULL);

	expect_key(FERRY_DEDUP_DOMAIN, "http://www.Acme.co.uk/about", NULL,
	           "acme.co.uk");
	expect_key(FERRY_DEDUP_DOMAIN, "ACME.com/about", NULL, "acme.com");
	expect_key(FERRY_DEDUP_DOMAIN, "https://shop.acme.com:8443/", NULL,
	           "acme.com");
	expect_key(FERRY_DEDUP_DOMAIN, "gmail.com", NULL, NULL);
	expect_key(FERRY_DEDUP_DOMAIN, "https://www.hotmail.co.uk", NULL, NULL);
	expect_key(FERRY_DEDUP_DOMAIN, "www.acme-mail.com", NULL, NULL);
	expect_key(FERRY_DEDUP_DOMAIN, "co.uk", NULL, NULL);
	expect_key(FERRY_DEDUP_DOMAIN, "192.168.1.1", NULL, NULL);
}

static void test_key_messages(void **state)
{
	struct ferry_dedup_key key = {
	    .kind = FERRY_DEDUP_DOMAIN, .fields = web_fields, .n_fields = 1};
	struct ferry_buf out = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(
	    ferry_dedup_key_normalize(&out, &key, "www.GMail.com", NULL, NULL),
	    FERRY_EINVALID);
	assert_string_equal(ferry_error_last(),
	                    "domain: 'gmail.com' is a personal-email domain, "
	                    "which never names a company");
	key.kind = FERRY_DEDUP_EXTERNAL_ID;
	assert_int_equal(ferry_dedup_key_normalize(&out, &key, "", NULL, NULL),
	                 FERRY_EINVALID);
	assert_string_equal(ferry_error_last(), "Website: empty");
	ferry_buf_release(&out);
}

/* --- clusters --- */

static void test_transitive_across_objects(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-transitive");
	static const struct rec cs[] = {
	    {"003A",
	     {"Email", "ada@acme.com", "CreatedDate",
	      "2021-01-01T00:00:00.000+0000", NULL}},
	    {"003B",
	     {"Phone", "(212) 555-0199", "CreatedDate",
	      "2021-02-01T00:00:00.000Z", NULL}},
	    {"003C", {"Email", "carol@globex.com", NULL}},
	    /* a chain inside contacts: D -email- E -phone- F -ext id- G */
	    {"003G", {"Customer_Number__c", "C-7", NULL}},
	    {"003F",
	     {"MobilePhone", "+1 646 555 0100", "Customer_Number__c", " C-7 ",
	      NULL}},
	    {"003E",
	     {"PersonEmail", "dan@initech.com", "Phone", "646-555-0100", NULL}},
	    {"003D", {"Email", "Dan@Initech.com", NULL}},
	};
	static const struct rec ls[] = {
	    /* older than 003A, but contacts come first */
	    {"00QA",
	     {"Email", " ADA@acme.com", "Phone", "415 555 0100", "CreatedDate",
	      "2019-01-01T00:00:00.000Z", NULL}},
	    {"00QB", {"MobilePhone", "+14155550100", NULL}},
	    {"00QC", {"Phone", "212.555.0199", NULL}},
	    {"00QD", {"Email", "nobody@nowhere.com", NULL}},
	};
	struct ferry_dedup_config cfg = people_cfg();
	struct ferry_dedup_stats stats;
	struct got a, qb, d, g;

	(void)state;
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	stage(ws, "Lead", ls, FERRY_ARRAY_LEN(ls));
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.records, 11);
	assert_int_equal(stats.clusters, 3);
	assert_int_equal(stats.merged, 6);
	assert_int_equal(stats.held, 0);
	assert_int_equal(stats.survivors, 5);

	expect(ws, "Contact", "003A", FERRY_DEDUP_SURVIVOR, "003A",
	       "survivor of 3 records (the only Contact; Contact records "
	       "come first); filled from the others: Phone, MobilePhone");
	expect(ws, "Lead", "00QA", FERRY_DEDUP_MERGED, "003A",
	       "same email 'ada@acme.com' as Contact 003A: merged into it");
	expect(ws, "Lead", "00QB", FERRY_DEDUP_MERGED, "003A",
	       "same phone '+14155550100' as Lead 00QA, which is linked to "
	       "Contact 003A: merged into Contact 003A");
	expect(ws, "Lead", "00QC", FERRY_DEDUP_MERGED, "003B",
	       "same phone '+12125550199' as Contact 003B: merged into it");
	expect(ws, "Contact", "003C", FERRY_DEDUP_SURVIVOR, "003C", "");
	expect(ws, "Lead", "00QD", FERRY_DEDUP_SURVIVOR, "00QD", "");

	/* The chain G-F-E-D (staged in that order): one cluster, the
	 * first staged survives (no dates), each explained by its link. */
	expect(ws, "Contact", "003G", FERRY_DEDUP_SURVIVOR, "003G", NULL);
	expect(ws, "Contact", "003F", FERRY_DEDUP_MERGED, "003G",
	       "same Customer_Number__c 'C-7' as Contact 003G: merged into "
	       "it");
	expect(ws, "Contact", "003E", FERRY_DEDUP_MERGED, "003G",
	       "same phone '+16465550100' as Contact 003F, which is linked "
	       "to Contact 003G: merged into Contact 003G");
	expect(ws, "Contact", "003D", FERRY_DEDUP_MERGED, "003G",
	       "same email 'dan@initech.com' as Contact 003E, which is "
	       "linked to Contact 003G: merged into Contact 003G");
	g = get(ws, "Contact", "003G");
	assert_string_equal(g.reason,
	                    "survivor of 4 records (the first staged, as not "
	                    "every record has a CreatedDate); filled from the "
	                    "others: MobilePhone, PersonEmail, Phone, Email");
	/* kept as entered, from the record that has it */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "Email")),
	    "Dan@Initech.com");
	d = get(ws, "Contact", "003D");
	assert_int_equal(d.cluster, g.cluster);

	a = get(ws, "Contact", "003A");
	qb = get(ws, "Lead", "00QB");
	assert_int_equal(a.cluster, qb.cluster);
	assert_true(a.cluster != g.cluster);
	assert_string_equal(qb.survivor_object, "Contact");
	got_free(&a);
	got_free(&qb);
	got_free(&d);
	got_free(&g);
	ferry_workspace_free(ws);
}

static void test_personal_domains(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-domains");
	static const char *const extra[] = {"ACME-MAIL.com"};
	static const struct ferry_dedup_key keys[] = {
	    {.kind = FERRY_DEDUP_DOMAIN, .fields = web_fields, .n_fields = 1},
	};
	static const struct rec as[] = {
	    {"001A", {"Website", "http://gmail.com", NULL}},
	    {"001B", {"Website", "www.gmail.com", NULL}},
	    {"001C", {"Website", "https://www.Acme.com/about", NULL}},
	    {"001D", {"Website", "acme.com", NULL}},
	    {"001E", {"Website", "acme-mail.com", NULL}},
	    {"001F", {"Website", "www.acme-mail.com", NULL}},
	    {"001G", {"Website", "hotmail.com", NULL}},
	    {"001H", {"Website", "mail.hotmail.com", NULL}},
	};
	struct ferry_dedup_config cfg = {.objects = accounts,
	                                 .n_objects = 1,
	                                 .keys = keys,
	                                 .n_keys = 1,
	                                 .personal_domains = extra,
	                                 .n_personal_domains = 1};
	struct ferry_dedup_stats stats;

	(void)state;
	stage(ws, "Account", as, FERRY_ARRAY_LEN(as));
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.clusters, 1);
	assert_int_equal(stats.merged, 1);
	expect(ws, "Account", "001D", FERRY_DEDUP_MERGED, "001C",
	       "same domain 'acme.com' as Account 001C: merged into it");
	expect(ws, "Account", "001A", FERRY_DEDUP_SURVIVOR, "001A", "");
	expect(ws, "Account", "001B", FERRY_DEDUP_SURVIVOR, "001B", "");
	expect(ws, "Account", "001E", FERRY_DEDUP_SURVIVOR, "001E", "");
	expect(ws, "Account", "001F", FERRY_DEDUP_SURVIVOR, "001F", "");
	expect(ws, "Account", "001G", FERRY_DEDUP_SURVIVOR, "001G", "");
	expect(ws, "Account", "001H", FERRY_DEDUP_SURVIVOR, "001H", "");
	ferry_workspace_free(ws);
}

/* --- survivor rules --- */

static const struct rec dated[] = {
    {"003M",
     {"Email", "m@x.com", "FirstName", "Mid", "CreatedDate",
      "2022-06-01T12:00:00.000+0000", NULL}},
    {"003O",
     {"Email", "m@x.com", "CreatedDate", "2020-06-01T12:00:00.000+0200", NULL}},
    {"003N",
     {"Email", "m@x.com", "FirstName", "New", "LastName", "N", "Title", "CTO",
      "CreatedDate", "2024-06-01T12:00:00Z", NULL}},
};

static void run_rule(struct ferry_workspace *ws, enum ferry_dedup_rule rule)
{
	struct ferry_dedup_config cfg = people_cfg();

	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.rule = rule;
	if (ferry_dedup_run(ws, &cfg, NULL) < 0)
		fail_msg("%s", ferry_error_last());
}

static void test_rules(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-rules");
	struct got g;

	(void)state;
	stage(ws, "Contact", dated, FERRY_ARRAY_LEN(dated));
	run_rule(ws, FERRY_DEDUP_OLDEST);
	expect(ws, "Contact", "003O", FERRY_DEDUP_SURVIVOR, "003O",
	       "survivor of 3 records (the oldest by CreatedDate); filled "
	       "from the others: FirstName, LastName, Title");
	expect(ws, "Contact", "003M", FERRY_DEDUP_MERGED, "003O",
	       "same email 'm@x.com' as Contact 003O: merged into it");

	/* Re-running replaces the result. */
	run_rule(ws, FERRY_DEDUP_NEWEST);
	expect(ws, "Contact", "003N", FERRY_DEDUP_SURVIVOR, "003N",
	       "survivor of 3 records (the newest by CreatedDate)");
	expect(ws, "Contact", "003O", FERRY_DEDUP_MERGED, "003N", NULL);

	run_rule(ws, FERRY_DEDUP_MOST_COMPLETE);
	g = get(ws, "Contact", "003N");
	assert_int_equal(g.role, FERRY_DEDUP_SURVIVOR);
	/* Id, Email, FirstName, LastName, Title, CreatedDate */
	assert_string_equal(g.reason, "survivor of 3 records (the most "
	                              "complete: 6 fields against 4)");
	got_free(&g);
	ferry_workspace_free(ws);
}

static void test_ties(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-ties");
	static const struct rec tied[] = {
	    /* no dates: held */
	    {"003A", {"Email", "t@x.com", "FirstName", "A", NULL}},
	    {"003B", {"Email", "T@X.com", "LastName", "B", NULL}},
	    /* dated: the oldest wins the tie */
	    {"003C", {"Email", "u@x.com", "CreatedDate", "2023-01-02", NULL}},
	    {"003D", {"Email", "u@x.com", "CreatedDate", "2023-01-01", NULL}},
	    /* equal dates: held */
	    {"003E", {"Email", "v@x.com", "CreatedDate", "2023-01-01", NULL}},
	    {"003F",
	     {"Email", "v@x.com", "CreatedDate", "2023-01-01T00:00:00Z", NULL}},
	    /* one of three without a date, a tie: held */
	    {"003G", {"Email", "w@x.com", "CreatedDate", "2023-01-01", NULL}},
	    {"003H", {"Email", "w@x.com", "Title", "t", NULL}},
	    {"003I", {"Email", "w@x.com", "Phone", "x", NULL}},
	};
	struct ferry_dedup_count n;
	struct got g;

	(void)state;
	stage(ws, "Contact", tied, FERRY_ARRAY_LEN(tied));
	run_rule(ws, FERRY_DEDUP_MOST_COMPLETE);
	g = get(ws, "Contact", "003A");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_string_equal(g.survivor_id, "");
	assert_string_equal(
	    g.reason, "two records tie on completeness (3 fields each) and "
	              "have no CreatedDate: Contact 003A, Contact 003B; "
	              "complete one of them, or choose the oldest or newest "
	              "rule for Contact");
	got_free(&g);
	expect(ws, "Contact", "003B", FERRY_DEDUP_HELD, "", NULL);
	expect(ws, "Contact", "003D", FERRY_DEDUP_SURVIVOR, "003D",
	       "survivor of 2 records (the most complete (3 fields, as many "
	       "as 1 other) and the oldest by CreatedDate)");
	expect(ws, "Contact", "003C", FERRY_DEDUP_MERGED, "003D", NULL);
	g = get(ws, "Contact", "003F");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_string_equal(
	    g.reason, "two records tie on completeness (3 fields each) and on "
	              "CreatedDate (2023-01-01T00:00:00): Contact 003E, "
	              "Contact 003F; complete one of them, or choose the "
	              "oldest or newest rule for Contact");
	got_free(&g);
	g = get(ws, "Contact", "003I");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_true(strstr(g.reason, "three records tie on completeness (3 "
	                             "fields each) and not all of them have "
	                             "a CreatedDate"));
	got_free(&g);

	/* The oldest rule has no tie to break: staging order decides. */
	run_rule(ws, FERRY_DEDUP_OLDEST);
	expect(ws, "Contact", "003A", FERRY_DEDUP_SURVIVOR, "003A", NULL);
	expect(ws, "Contact", "003E", FERRY_DEDUP_SURVIVOR, "003E", NULL);
	expect(ws, "Contact", "003G", FERRY_DEDUP_SURVIVOR, "003G", NULL);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_HELD], 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_SURVIVOR], 4);
	assert_int_equal(n.by_role[FERRY_DEDUP_MERGED], 5);
	ferry_workspace_free(ws);
}

/* undecided: a tie the most_complete rule cannot break is held, or goes
 * to the oldest or newest of the tied, then to staging order (first for
 * oldest, last for newest). A tie the oldest date breaks is the rule's. */
static const struct rec undecided_recs[] = {
    /* no dates */
    {"003A", {"Email", "t@x.com", "FirstName", "A", NULL}},
    {"003B", {"Email", "t@x.com", "LastName", "B", NULL}},
    /* equal dates */
    {"003E", {"Email", "v@x.com", "CreatedDate", "2023-01-01", NULL}},
    {"003F", {"Email", "v@x.com", "CreatedDate", "2023-01-01T00:00:00Z", NULL}},
    /* the two oldest equal, a third newer */
    {"003J", {"Email", "j@x.com", "CreatedDate", "2023-01-01", NULL}},
    {"003K", {"Email", "j@x.com", "CreatedDate", "2023-01-01", NULL}},
    {"003L", {"Email", "j@x.com", "CreatedDate", "2023-03-01", NULL}},
    /* dates on only some */
    {"003G", {"Email", "w@x.com", "CreatedDate", "2023-01-01", NULL}},
    {"003H", {"Email", "w@x.com", "Title", "t", NULL}},
    {"003I", {"Email", "w@x.com", "Phone", "x", NULL}},
    /* the oldest date breaks the tie, whatever undecided says */
    {"003C", {"Email", "u@x.com", "CreatedDate", "2023-01-02", NULL}},
    {"003D", {"Email", "u@x.com", "CreatedDate", "2023-01-01", NULL}},
};

static void run_undecided(struct ferry_workspace *ws,
                          enum ferry_dedup_undecided u)
{
	struct ferry_dedup_config cfg = people_cfg();

	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.rule = FERRY_DEDUP_MOST_COMPLETE;
	cfg.undecided = u;
	if (ferry_dedup_run(ws, &cfg, NULL) < 0)
		fail_msg("%s", ferry_error_last());
}

static void test_undecided(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-undecided");
	struct ferry_dedup_config cfg = people_cfg();
	struct ferry_dedup_count n;

	(void)state;
	stage(ws, "Contact", undecided_recs, FERRY_ARRAY_LEN(undecided_recs));

	/* hold (the default): every undecided cluster waits */
	run_undecided(ws, FERRY_DEDUP_UNDECIDED_HOLD);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_HELD], 10);
	expect(ws, "Contact", "003J", FERRY_DEDUP_HELD, "",
	       "three records tie on completeness (3 fields each) and on "
	       "CreatedDate (2023-01-01T00:00:00): Contact 003J, Contact "
	       "003K, Contact 003L; complete one of them, or choose the "
	       "oldest or newest rule for Contact");
	expect(ws, "Contact", "003D", FERRY_DEDUP_SURVIVOR, "003D", NULL);

	/* oldest: the oldest of the tied; equal or missing dates, the
	 * first staged */
	run_undecided(ws, FERRY_DEDUP_UNDECIDED_OLDEST);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_HELD], 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_SURVIVOR], 5);
	expect(ws, "Contact", "003A", FERRY_DEDUP_SURVIVOR, "003A",
	       "survivor of 2 records (two records tie on completeness (3 "
	       "fields each) and have no CreatedDate: the first staged of "
	       "them, as undecided is oldest); filled from the others: "
	       "LastName");
	expect(ws, "Contact", "003B", FERRY_DEDUP_MERGED, "003A", NULL);
	expect(ws, "Contact", "003E", FERRY_DEDUP_SURVIVOR, "003E",
	       "survivor of 2 records (two records tie on completeness (3 "
	       "fields each) and on CreatedDate (2023-01-01T00:00:00): the "
	       "first staged of them, as undecided is oldest)");
	expect(ws, "Contact", "003F", FERRY_DEDUP_MERGED, "003E", NULL);
	expect(ws, "Contact", "003J", FERRY_DEDUP_SURVIVOR, "003J", NULL);
	expect(ws, "Contact", "003L", FERRY_DEDUP_MERGED, "003J", NULL);
	expect(ws, "Contact", "003G", FERRY_DEDUP_SURVIVOR, "003G",
	       "survivor of 3 records (three records tie on completeness (3 "
	       "fields each) and not all of them have a CreatedDate: the "
	       "first staged of them, as undecided is oldest); filled from "
	       "the others: Title, Phone");
	expect(ws, "Contact", "003D", FERRY_DEDUP_SURVIVOR, "003D",
	       "survivor of 2 records (the most complete (3 fields, as many "
	       "as 1 other) and the oldest by CreatedDate)");

	/* newest: the newest of the tied; equal or missing dates, the
	 * last staged */
	run_undecided(ws, FERRY_DEDUP_UNDECIDED_NEWEST);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_HELD], 0);
	expect(ws, "Contact", "003B", FERRY_DEDUP_SURVIVOR, "003B",
	       "survivor of 2 records (two records tie on completeness (3 "
	       "fields each) and have no CreatedDate: the last staged of "
	       "them, as undecided is newest); filled from the others: "
	       "FirstName");
	expect(ws, "Contact", "003F", FERRY_DEDUP_SURVIVOR, "003F", NULL);
	expect(ws, "Contact", "003E", FERRY_DEDUP_MERGED, "003F", NULL);
	expect(ws, "Contact", "003L", FERRY_DEDUP_SURVIVOR, "003L",
	       "survivor of 3 records (the most complete (3 fields, as many "
	       "as 2 others) and the newest by CreatedDate, as undecided is "
	       "newest)");
	expect(ws, "Contact", "003I", FERRY_DEDUP_SURVIVOR, "003I", NULL);
	expect(ws, "Contact", "003G", FERRY_DEDUP_MERGED, "003I", NULL);
	/* the rule decided this one: undecided has no say */
	expect(ws, "Contact", "003D", FERRY_DEDUP_SURVIVOR, "003D", NULL);

	/* an unknown value is a bad config */
	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.undecided = (enum ferry_dedup_undecided)7;
	assert_int_equal(ferry_dedup_run(ws, &cfg, NULL), FERRY_EINVALID);
	ferry_workspace_free(ws);
}

/* Dates compare in UTC whatever their form. */
static void test_date_forms(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-dates");
	static const struct rec cs[] = {
	    /* 2023-01-01T00:00Z both: a tie, held */
	    {"003A",
	     {"Email", "a@x.com", "CreatedDate", "2023-01-01T01:00:00.000+0100",
	      NULL}},
	    {"003B", {"Email", "a@x.com", "CreatedDate", "2023-01-01", NULL}},
	    /* 2022-12-31T23:30Z is older than 2023-01-01T00:00:00.5Z */
	    {"003C",
	     {"Email", "c@x.com", "CreatedDate", "2023-01-01T00:00:00.5Z",
	      NULL}},
	    {"003D",
	     {"Email", "c@x.com", "CreatedDate", "2023-01-01T00:30:00+01:00",
	      NULL}},
	    /* not a date: no date, so staging order */
	    {"003E", {"Email", "e@x.com", "CreatedDate", "2023-02-30", NULL}},
	    {"003F", {"Email", "e@x.com", "CreatedDate", "2020-01-01", NULL}},
	};
	struct got g;

	(void)state;
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	run_rule(ws, FERRY_DEDUP_MOST_COMPLETE);
	g = get(ws, "Contact", "003A");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_non_null(strstr(g.reason, "and on CreatedDate "
	                                 "(2023-01-01T00:00:00)"));
	got_free(&g);
	expect(ws, "Contact", "003D", FERRY_DEDUP_SURVIVOR, "003D", NULL);
	g = get(ws, "Contact", "003E");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_non_null(strstr(g.reason, "not all of them have a CreatedDate"));
	got_free(&g);
	run_rule(ws, FERRY_DEDUP_NEWEST);
	expect(ws, "Contact", "003C", FERRY_DEDUP_SURVIVOR, "003C",
	       "survivor of 2 records (the newest by CreatedDate)");
	expect(ws, "Contact", "003F", FERRY_DEDUP_SURVIVOR, "003F",
	       "survivor of 2 records (the last staged, as not every record "
	       "has a CreatedDate)");
	ferry_workspace_free(ws);
}

static int walk(struct ferry_workspace *ws, const struct ferry_dedup_filter *f,
                struct ferry_buf *out)
{
	struct ferry_dedup_iter *it = NULL;
	struct ferry_dedup_row row;
	int rc, n = 0;

	ferry_buf_clear(out);
	assert_int_equal(ferry_dedup_iter_open(&it, ws, f), 0);
	while ((rc = ferry_dedup_next(it, &row)) == 1) {
		assert_int_equal(
		    ferry_buf_printf(out, "%s %s %s;", row.object,
		                     row.source_id,
		                     ferry_dedup_role_name(row.role)),
		    0);
		n++;
	}
	assert_int_equal(rc, 0);
	ferry_dedup_iter_free(it);
	return n;
}

static void test_iterator(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-iter");
	static const struct rec cs[] = {
	    {"003A", {"Email", "a@x.com", NULL}},
	    {"003B", {"Email", "b@x.com", NULL}},
	};
	static const struct rec ls[] = {
	    {"00QA", {"Email", "b@x.com", NULL}},
	    {"00QB", {"Email", "A@x.com", NULL}},
	};
	struct ferry_dedup_config cfg = people_cfg();
	struct ferry_dedup_filter f = {0};
	struct ferry_dedup_iter *it = NULL;
	struct ferry_buf b = FERRY_BUF_INIT;
	struct got a;

	(void)state;
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	stage(ws, "Lead", ls, FERRY_ARRAY_LEN(ls));
	if (ferry_dedup_run(ws, &cfg, NULL) < 0)
		fail_msg("%s", ferry_error_last());
	/* all, in the order written: contacts first, staging order */
	assert_int_equal(walk(ws, NULL, &b), 4);
	assert_string_equal(b.ptr, "Contact 003A survivor;Contact 003B "
	                           "survivor;Lead 00QA merged;Lead 00QB "
	                           "merged;");
	f.object = "Lead";
	assert_int_equal(walk(ws, &f, &b), 2);
	assert_string_equal(b.ptr, "Lead 00QA merged;Lead 00QB merged;");
	a = get(ws, "Contact", "003A");
	f.object = NULL;
	f.cluster = a.cluster;
	assert_int_equal(walk(ws, &f, &b), 2);
	assert_string_equal(b.ptr, "Contact 003A survivor;Lead 00QB merged;");
	f.object = "Contact";
	assert_int_equal(walk(ws, &f, &b), 1);
	f.object = "Nothing";
	f.cluster = 0;
	assert_int_equal(walk(ws, &f, &b), 0);
	f.object = NULL;
	f.source_id = "003A";
	assert_int_equal(ferry_dedup_iter_open(&it, ws, &f), FERRY_EINVALID);
	assert_null(it);
	got_free(&a);
	ferry_buf_release(&b);
	ferry_workspace_free(ws);
}

/* --- field-level survivorship --- */

static void test_field_survivorship(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-fields");
	static const struct ferry_dedup_field fields[] = {
	    {"FirstName", FERRY_DEDUP_FILL_DEFAULT},
	    {"Phone", FERRY_DEDUP_FILL_DEFAULT},
	    {"Title", FERRY_DEDUP_FILL_NEWEST},
	    {"Department", FERRY_DEDUP_FILL_SURVIVOR},
	    {"Description", FERRY_DEDUP_FILL_MOST_COMPLETE},
	    {"LeadSource", FERRY_DEDUP_FILL_OLDEST},
	};
	static const struct rec cs[] = {
	    {"003S",
	     {"Email", "s@x.com", "FirstName", "Sam", "Title", "Eng", "Phone",
	      " ", "CreatedDate", "2020-01-01", NULL}},
	    {"003T",
	     {"Email", "s@x.com", "Phone", "+1 212 555 0100", "Title", "CTO",
	      "Department", "R&D", "Description", "short", "LeadSource", "Web",
	      "CreatedDate", "2023-01-01", NULL}},
	    {"003U",
	     {"Email", "s@x.com", "FirstName", "Samuel", "Phone",
	      "+1 646 555 0100", "Title", "VP", "Description", "long",
	      "LeadSource", "Fair", "Department", "Ops", "Unmapped", "u",
	      "CreatedDate", "2021-01-01", NULL}},
	};
	struct ferry_dedup_config cfg = people_cfg();
	struct got g;

	(void)state;
	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.fields = fields;
	cfg.n_fields = FERRY_ARRAY_LEN(fields);
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	if (ferry_dedup_run(ws, &cfg, NULL) < 0)
		fail_msg("%s", ferry_error_last());
	g = get(ws, "Contact", "003S");
	assert_int_equal(g.role, FERRY_DEDUP_SURVIVOR);
	assert_non_null(g.merged);
	/* kept: the survivor has one */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "FirstName")), "Sam");
	/* a gap, filled from the oldest other (003U, 2021) */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "Phone")),
	    "+1 646 555 0100");
	/* the newest record's title, over the survivor's own */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "Title")), "CTO");
	/* the survivor's only: it has none */
	assert_null(json_object_get(g.merged, "Department"));
	/* the most complete record's (003U: 6 mapped fields) */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "Description")),
	    "long");
	/* the oldest record with a value (003U, 2021) */
	assert_string_equal(
	    json_string_value(json_object_get(g.merged, "LeadSource")), "Fair");
	/* not mapped: not filled */
	assert_null(json_object_get(g.merged, "Unmapped"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(g.from, "Title"), "source_id")),
	                    "003T");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(g.from, "Phone"), "object")),
	                    "Contact");
	assert_null(json_object_get(g.from, "FirstName"));
	assert_int_equal(json_object_size(g.from), 4);
	assert_string_equal(g.reason,
	                    "survivor of 3 records (the oldest by "
	                    "CreatedDate); filled from the others: Phone, "
	                    "Title, Description, LeadSource");
	got_free(&g);
	g = get(ws, "Contact", "003T");
	assert_null(g.merged);
	assert_null(g.from);
	got_free(&g);
	ferry_workspace_free(ws);
}

/* all: the survivor's value stays under its column, every other
 * record's distinct one goes under "<column>#<n>" (n its place, the
 * survivor first, then the rule's order), with its record's context
 * (the country a national phone is read with) under the same suffix. */
static void test_fill_all(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-fill-all");
	static const struct ferry_dedup_field fields[] = {
	    {"Email", FERRY_DEDUP_FILL_DEFAULT},
	    {"Phone", FERRY_DEDUP_FILL_ALL},
	    {"MobilePhone", FERRY_DEDUP_FILL_ALL},
	    {"Title", FERRY_DEDUP_FILL_ALL},
	};
	static const char *const context[] = {"MailingCountry"};
	/* the order: 003S (oldest), 003U, 003V, 003T */
	static const char *const want[][2] = {
	    {"Phone", "+1 212 555 0100"},
	    {"Phone#4", "020 7946 0958"},
	    {"MailingCountry", "US"},
	    {"MailingCountry#4", "GB"},
	    {"MobilePhone#2", "+1 646 555 0100"},
	    {"MailingCountry#2", "US"},
	    {"MobilePhone#4", "07700 900123"},
	    {"Title", "CTO"},
	};
	static const struct rec cs[] = {
	    {"003T",
	     {"Email", "s@x.com", "Phone", "020 7946 0958", "MobilePhone",
	      "07700 900123", "MailingCountry", "GB", "CreatedDate",
	      "2023-01-01", NULL}},
	    {"003S",
	     {"Email", "s@x.com", "Phone", "+1 212 555 0100", "MailingCountry",
	      "US", "Title", "CTO", "CreatedDate", "2020-01-01", NULL}},
	    /* the survivor's phone again (once trimmed): not kept twice */
	    {"003U",
	     {"Email", "s@x.com", "Phone", " +1 212 555 0100 ", "MobilePhone",
	      "+1 646 555 0100", "MailingCountry", "US", "CreatedDate",
	      "2021-01-01", NULL}},
	    /* no phone: nothing of it is kept */
	    {"003V",
	     {"Email", "s@x.com", "MailingCountry", "FR", "Title", "CTO",
	      "CreatedDate", "2022-01-01", NULL}},
	};
	struct ferry_dedup_config cfg = people_cfg();
	const char *key;
	json_t *v;
	struct got g;
	size_t i;

	(void)state;
	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.fields = fields;
	cfg.n_fields = FERRY_ARRAY_LEN(fields);
	cfg.context_fields = context;
	cfg.n_context_fields = 1;
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	if (ferry_dedup_run(ws, &cfg, NULL) < 0)
		fail_msg("%s", ferry_error_last());
	g = get(ws, "Contact", "003S");
	assert_int_equal(g.role, FERRY_DEDUP_SURVIVOR);
	for (i = 0; i < FERRY_ARRAY_LEN(want); i++)
		assert_string_equal(
		    json_string_value(json_object_get(g.merged, want[i][0])),
		    want[i][1]);
	/* nothing else under a suffix: no 003U phone, no 003V anything, no
	 * second CTO */
	i = 0;
	json_object_foreach(g.merged, key, v)
	{
		(void)v;
		i += strchr(key, '#') != NULL;
	}
	assert_int_equal(i, 5);
	assert_null(json_object_get(g.merged, "MobilePhone"));
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(g.from, "Phone#4"), "source_id")),
	    "003T");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(g.from, "MobilePhone#2"), "source_id")),
	    "003U");
	assert_int_equal(json_object_size(g.from), 3);
	assert_string_equal(g.reason,
	                    "survivor of 4 records (the oldest by "
	                    "CreatedDate); filled from the others: Phone, "
	                    "MobilePhone");
	got_free(&g);
	ferry_workspace_free(ws);
}

/* --- the destination --- */

struct fake_dest {
	const char *const *pairs; /* key, id, ..., NULL */
	int calls;
	bool fail;
};

static int fake_lookup(const char *key, char *dest_id, size_t size,
                       void *payload)
{
	struct fake_dest *f = payload;
	size_t i;

	f->calls++;
	if (f->fail)
		return ferry_error_set(FERRY_ECONN, "the destination is down");
	for (i = 0; f->pairs[i]; i += 2) {
		if (!strcmp(f->pairs[i], key)) {
			snprintf(dest_id, size, "%s", f->pairs[i + 1]);
			return 0;
		}
	}
	return FERRY_ENOTFOUND;
}

static void test_destination(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-dest");
	static const char *const emails[] = {
	    "ada@acme.com", "rec-ada",   "solo@x.com", "rec-solo",
	    "two@x.com",    "rec-two-a", NULL};
	static const char *const phones[] = {"+12125550100", "rec-two-b", NULL};
	static const struct rec cs[] = {
	    {"003A", {"Email", "Ada@Acme.com", NULL}},
	    {"003B", {"Email", "ada@acme.com", "Phone", "2125550111", NULL}},
	    {"003C", {"Email", "solo@x.com", NULL}},
	    {"003D", {"Email", "two@x.com", NULL}},
	    {"003E", {"Email", "two@x.com", "Phone", "212 555 0100", NULL}},
	    {"003F", {"Email", "new@x.com", NULL}},
	};
	struct fake_dest fe = {.pairs = emails}, fp = {.pairs = phones};
	struct ferry_dedup_key keys[2] = {
	    {.kind = FERRY_DEDUP_EMAIL,
	     .fields = email_fields,
	     .n_fields = 1,
	     .lookup = fake_lookup,
	     .lookup_payload = &fe},
	    {.kind = FERRY_DEDUP_PHONE,
	     .fields = phone_fields,
	     .n_fields = 1,
	     .lookup = fake_lookup,
	     .lookup_payload = &fp},
	};
	struct ferry_dedup_config cfg = {.objects = contacts,
	                                 .n_objects = 1,
	                                 .keys = keys,
	                                 .n_keys = 2,
	                                 .default_country = "US"};
	struct ferry_dedup_stats stats;
	struct got g;

	(void)state;
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	/* once per distinct key: 4 emails, 2 phones */
	assert_int_equal(fe.calls, 4);
	assert_int_equal(fp.calls, 2);
	assert_int_equal(stats.matched, 3);
	assert_int_equal(stats.held, 2);

	g = get(ws, "Contact", "003A");
	assert_string_equal(g.dest_id, "rec-ada");
	assert_string_equal(g.reason,
	                    "survivor of 2 records (the first staged, as not "
	                    "every record has a CreatedDate); filled from "
	                    "the others: Phone; matches the existing "
	                    "destination record 'rec-ada' by email "
	                    "'ada@acme.com'");
	got_free(&g);
	g = get(ws, "Contact", "003B");
	assert_int_equal(g.role, FERRY_DEDUP_MERGED);
	assert_string_equal(g.dest_id, "rec-ada");
	got_free(&g);
	expect(ws, "Contact", "003C", FERRY_DEDUP_SURVIVOR, "003C",
	       "matches the existing destination record 'rec-solo' by email "
	       "'solo@x.com'");
	g = get(ws, "Contact", "003C");
	assert_string_equal(g.dest_id, "rec-solo");
	got_free(&g);
	/* two records at the destination: never guess */
	g = get(ws, "Contact", "003E");
	assert_int_equal(g.role, FERRY_DEDUP_HELD);
	assert_string_equal(g.dest_id, "");
	assert_string_equal(g.reason,
	                    "matches 2 records already at the destination: "
	                    "'rec-two-a' (email 'two@x.com'), 'rec-two-b' "
	                    "(phone '+12125550100'); merge them there, or "
	                    "correct the keys in the source");
	got_free(&g);
	expect(ws, "Contact", "003D", FERRY_DEDUP_HELD, "", NULL);
	g = get(ws, "Contact", "003F");
	assert_int_equal(g.role, FERRY_DEDUP_SURVIVOR);
	assert_string_equal(g.dest_id, "");
	got_free(&g);

	/* A failing lookup stops the run and keeps the previous result. */
	fe.fail = true;
	assert_int_equal(ferry_dedup_run(ws, &cfg, NULL), FERRY_ECONN);
	assert_non_null(strstr(ferry_error_last(), "the destination is down"));
	g = get(ws, "Contact", "003C");
	assert_string_equal(g.dest_id, "rec-solo");
	got_free(&g);
	ferry_workspace_free(ws);
}

/* --- limits, errors, re-runs, counts --- */

static void test_giant_cluster(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-giant");
	static const struct rec cs[] = {
	    {"003A", {"Phone", "555-555-5555", "Email", "a@x.com", NULL}},
	    {"003B", {"Phone", "(555) 555-5555", NULL}},
	    {"003C", {"Phone", "555.555.5555", NULL}},
	    {"003D", {"Phone", "5555555555", NULL}},
	    {"003E", {"Email", "a@x.com", NULL}},
	};
	struct ferry_dedup_config cfg = people_cfg();
	struct ferry_dedup_stats stats;
	const char *why =
	    "one of 5 records linked by shared keys, more than the 3 merged "
	    "automatically (phone '+15555555555' alone is shared by 4): "
	    "correct placeholder values in the source, or raise the cluster "
	    "limit";

	(void)state;
	cfg.objects = contacts;
	cfg.n_objects = 1;
	cfg.max_cluster = 3;
	cfg.default_country = "ZZ";
	stage(ws, "Contact", cs, FERRY_ARRAY_LEN(cs));
	/* "ZZ" is no country: no phone key, so only A and E match. */
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.merged, 1);
	cfg.default_country = NULL;
	/* Without a country, numbers without + give no key either. */
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.merged, 1);
	cfg.default_country = "CA";
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.held, 5);
	assert_int_equal(stats.clusters, 1);
	expect(ws, "Contact", "003A", FERRY_DEDUP_HELD, "", why);
	expect(ws, "Contact", "003E", FERRY_DEDUP_HELD, "", why);
	ferry_workspace_free(ws);
}

static void test_errors(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-errors");
	static const struct ferry_dedup_key nofield[] = {
	    {.kind = FERRY_DEDUP_EMAIL},
	};
	struct ferry_dedup_config cfg = people_cfg();

	(void)state;
	stage(ws, "Contact", dated, FERRY_ARRAY_LEN(dated));
	assert_int_equal(ferry_dedup_run(ws, &cfg, NULL), FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "Lead is not staged"));
	cfg.n_objects = 0;
	assert_int_equal(ferry_dedup_run(ws, &cfg, NULL), FERRY_EINVALID);
	cfg = people_cfg();
	cfg.keys = nofield;
	cfg.n_keys = 1;
	assert_int_equal(ferry_dedup_run(ws, &cfg, NULL), FERRY_EINVALID);
	assert_string_equal(ferry_error_last(),
	                    "dedup: key 1 (email) names no field to read it "
	                    "from");
	ferry_workspace_free(ws);
}

static void test_rerun_after_restage(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-restage");
	struct ferry_dedup_count n;

	(void)state;
	stage(ws, "Contact", dated, FERRY_ARRAY_LEN(dated));
	run_rule(ws, FERRY_DEDUP_OLDEST);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_MERGED], 2);
	stage(ws, "Contact", dated, 1);
	run_rule(ws, FERRY_DEDUP_OLDEST);
	assert_int_equal(ferry_dedup_counts(ws, "Contact", &n), 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_SURVIVOR], 1);
	assert_int_equal(n.by_role[FERRY_DEDUP_MERGED], 0);
	assert_int_equal(n.by_role[FERRY_DEDUP_HELD], 0);
	expect(ws, "Contact", "003M", FERRY_DEDUP_SURVIVOR, "003M", "");
	ferry_workspace_free(ws);
}

/* A generated org: every record gets exactly one row and role, every
 * cluster one survivor (or all held), every merged record points at a
 * survivor of its own cluster. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void stage_generated(struct ferry_workspace *ws, const char *object,
                            const char *prefix, int n)
{
	struct ferry_stage *st = NULL;
	char id[32], email[64], phone[32], date[32];
	int64_t count;
	int i;

	assert_int_equal(ferry_stage_begin(&st, ws, object, "generated"), 0);
	for (i = 0; i < n; i++) {
		json_t *f;

		snprintf(id, sizeof(id), "%s%06d", prefix, i);
		snprintf(email, sizeof(email), "p%d@x.com",
		         (int)(next_rand() % 1500));
		snprintf(phone, sizeof(phone), "+1212555%04d",
		         (int)(next_rand() % 3000));
		snprintf(date, sizeof(date), "2020-01-%02d",
		         (int)(next_rand() % 3) + 1);
		f = json_pack("{s:s, s:s, s:s}", "Id", id, "Email", email,
		              "CreatedDate", date);
		if (next_rand() % 3 == 0)
			json_object_set_new(f, "Phone", json_string(phone));
		if (next_rand() % 2 == 0)
			json_object_set_new(f, "Title", json_string("T"));
		assert_int_equal(ferry_stage_add(st, id, i, f), 0);
		json_decref(f);
	}
	assert_int_equal(ferry_stage_commit(st, &count), 0);
}

static void test_one_role_each(void **state)
{
	struct ferry_workspace *ws = open_fresh("dedup-count");
	struct ferry_dedup_config cfg = people_cfg();
	struct ferry_dedup_iter *it = NULL, *c = NULL;
	struct ferry_dedup_row row, cr;
	struct ferry_dedup_count n;
	struct ferry_dedup_stats stats;
	int64_t rows = 0;
	const char *objs[] = {"Contact", "Lead"};
	size_t i;
	int rc;

	(void)state;
	cfg.rule = FERRY_DEDUP_MOST_COMPLETE; /* ties: some held */
	stage_generated(ws, "Contact", "003", 1400);
	stage_generated(ws, "Lead", "00Q", 600);
	if (ferry_dedup_run(ws, &cfg, &stats) < 0)
		fail_msg("%s", ferry_error_last());
	assert_int_equal(stats.records, 2000);
	assert_true(stats.merged > 0);
	assert_true(stats.held > 0);
	assert_int_equal(stats.survivors + stats.merged + stats.held, 2000);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ferry_dedup_counts(ws, objs[i], &n), 0);
		assert_int_equal(n.by_role[0] + n.by_role[1] + n.by_role[2],
		                 i == 0 ? 1400 : 600);
	}
	assert_int_equal(ferry_dedup_iter_open(&it, ws, NULL), 0);
	while ((rc = ferry_dedup_next(it, &row)) == 1) {
		struct ferry_dedup_filter f = {.cluster = row.cluster};
		int survivors = 0, held = 0, members = 0;
		bool found = false;

		rows++;
		assert_true(row.cluster > 0);
		if (row.role == FERRY_DEDUP_HELD)
			assert_string_equal(row.survivor_id, "");
		else
			assert_true(*row.survivor_id);
		if (row.role == FERRY_DEDUP_SURVIVOR)
			assert_string_equal(row.survivor_id, row.source_id);
		if (rows % 7) /* a sample of clusters is enough */
			continue;
		assert_int_equal(ferry_dedup_iter_open(&c, ws, &f), 0);
		while (ferry_dedup_next(c, &cr) == 1) {
			members++;
			survivors += cr.role == FERRY_DEDUP_SURVIVOR;
			held += cr.role == FERRY_DEDUP_HELD;
			if (!strcmp(cr.source_id, row.survivor_id) &&
			    !strcmp(cr.object, row.survivor_object)) {
				assert_int_equal(cr.role, FERRY_DEDUP_SURVIVOR);
				found = true;
			}
		}
		ferry_dedup_iter_free(c);
		if (held)
			assert_int_equal(held, members);
		else
			assert_int_equal(survivors, 1);
		assert_true(found || row.role == FERRY_DEDUP_HELD);
	}
	assert_int_equal(rc, 0);
	ferry_dedup_iter_free(it);
	assert_int_equal(rows, 2000);
	ferry_workspace_free(ws);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_golden),
	    cmocka_unit_test(test_key_messages),
	    cmocka_unit_test(test_transitive_across_objects),
	    cmocka_unit_test(test_personal_domains),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_ties),
	    cmocka_unit_test(test_undecided),
	    cmocka_unit_test(test_date_forms),
	    cmocka_unit_test(test_iterator),
	    cmocka_unit_test(test_field_survivorship),
	    cmocka_unit_test(test_fill_all),
	    cmocka_unit_test(test_destination),
	    cmocka_unit_test(test_giant_cluster),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_rerun_after_restage),
	    cmocka_unit_test(test_one_role_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
