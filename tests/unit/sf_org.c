/* sf_org.c: tests for the Salesforce sandbox's generated org: records are
 * a pure function of (seed, object, index), ids decode back to their
 * record, counts and the planted mess are what the docs say, references
 * land on records of the right object, and the describes have the shape
 * of real recorded ones (the fixtures, when they are there). */
#include "helpers.h"
#include "util.h"

#include <strings.h>

#include "sf_sandbox.h"

static struct sf_org *small_org(bool person_accounts)
{
	struct sf_org_opts o;
	struct sf_org *org = NULL;

	sf_org_opts_default(&o);
	o.person_accounts = person_accounts;
	assert_int_equal(sf_org_new(&org, &o), 0);
	return org;
}

static const struct sf_object *obj(const struct sf_org *org, const char *name)
{
	const struct sf_object *o = sf_org_object(org, name);

	assert_non_null(o);
	return o;
}

static const char *val(const struct sf_object *o, const struct sf_record *r,
                       const char *field)
{
	long f = sf_object_field(o, field);

	assert_true(f >= 0);
	return r->values[f];
}

static void gen(const struct sf_org *org, const struct sf_object *o, int64_t i,
                struct sf_record *r)
{
	assert_int_equal(sf_org_record(org, o, i, r), 0);
}

static void test_deterministic(void **state)
{
	struct sf_org *a = small_org(true), *b = small_org(true), *c;
	struct sf_org_opts o;
	struct sf_record ra, rb;
	size_t k, f;
	int64_t i;
	bool differs = false;

	(void)state;
	sf_record_init(&ra);
	sf_record_init(&rb);
	for (k = 0; k < sf_org_n_objects(a); k++) {
		const struct sf_object *oa = sf_org_object_at(a, k);
		const struct sf_object *ob = sf_org_object_at(b, k);

		assert_string_equal(oa->name, ob->name);
		assert_int_equal(oa->count, ob->count);
		for (i = 0; i < oa->count; i += 7) {
			gen(a, oa, i, &ra);
			/* a record generated twice is the same */
			gen(b, ob, i, &rb);
			gen(b, ob, i, &rb);
			assert_string_equal(ra.id, rb.id);
			assert_int_equal(ra.modstamp, rb.modstamp);
			for (f = 0; f < oa->n_fields; f++) {
				if (!ra.values[f] || !rb.values[f]) {
					assert_ptr_equal(ra.values[f],
					                 rb.values[f]);
					continue;
				}
				assert_string_equal(ra.values[f], rb.values[f]);
			}
		}
	}
	/* another seed, another org */
	sf_org_opts_default(&o);
	o.seed = 7;
	assert_int_equal(sf_org_new(&c, &o), 0);
	for (i = 0; i < 10; i++) {
		gen(a, obj(a, "Contact"), i, &ra);
		gen(c, obj(c, "Contact"), i, &rb);
		differs |= strcmp(val(obj(a, "Contact"), &ra, "Name"),
		                  val(obj(c, "Contact"), &rb, "Name")) != 0;
	}
	assert_true(differs);
	sf_record_release(&ra);
	sf_record_release(&rb);
	sf_org_free(a);
	sf_org_free(b);
	sf_org_free(c);
}

/* The reference's examples of Salesforce's checksum. */
static void test_id18_examples(void **state)
{
	static const char *const cases[][2] = {
	    {"001Da00000xnAk6", "001Da00000xnAk6IAE"},
	    {"001B000000UnQ2v", "001B000000UnQ2vIAF"},
	    {"a0D30000001n7Pi", "a0D30000001n7PiEAI"},
	    {"0019000000B98de", "0019000000B98deAAB"},
	    {"012000000000000", "012000000000000AAA"},
	};
	char out[19];
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		sf_id18(cases[i][0], out);
		assert_string_equal(out, cases[i][1]);
	}
}

static void test_ids_round_trip(void **state)
{
	struct sf_org *org = small_org(false);
	const struct sf_object *o, *got;
	char id[19], id15[16], lower[19];
	int64_t idx, picks[4];
	size_t k, p, j;

	(void)state;
	for (k = 0; k < sf_org_n_objects(org); k++) {
		o = sf_org_object_at(org, k);
		assert_non_null(o->key_prefix);
		picks[0] = 0;
		picks[1] = o->count / 2;
		picks[2] = o->count - 1;
		picks[3] = o->count / 3;
		for (p = 0; p < 4 && o->count > 0; p++) {
			sf_org_record_id(o, picks[p], id);
			assert_int_equal(strlen(id), 18);
			assert_memory_equal(id, o->key_prefix, 3);
			assert_int_equal(sf_org_lookup_id(org, id, &got, &idx),
			                 0);
			assert_ptr_equal(got, o);
			assert_int_equal(idx, picks[p]);
			/* the 15-char form, and the 18 in any case */
			memcpy(id15, id, 15);
			id15[15] = '\0';
			assert_int_equal(
			    sf_org_lookup_id(org, id15, &got, &idx), 0);
			assert_int_equal(idx, picks[p]);
			for (j = 0; j < 19; j++)
				lower[j] = (char)(id[j] >= 'A' && id[j] <= 'Z'
				                      ? id[j] + 32
				                      : id[j]);
			assert_int_equal(
			    sf_org_lookup_id(org, lower, &got, &idx), 0);
			assert_int_equal(idx, picks[p]);
		}
		/* one past the end names nothing */
		sf_org_record_id(o, o->count, id);
		assert_int_equal(sf_org_lookup_id(org, id, NULL, NULL), -1);
	}
	/* a record id and its checksum differ in case */
	sf_org_record_id(obj(org, "Contact"), 35, id);
	assert_string_equal(id, "00300000000000aAAA");
	sf_org_record_id(obj(org, "Contact"), 9, id);
	assert_string_equal(id, "00300000000000AAAQ");
	id[17] = 'A'; /* the checksum now says "a", not "A" */
	assert_int_equal(sf_org_lookup_id(org, id, NULL, NULL), 0);
	assert_int_equal(
	    sf_org_lookup_id(org, "00300000000000AAA5", NULL, NULL),
	    -1); /* a digit cannot be upper case */
	assert_int_equal(
	    sf_org_lookup_id(org, "012000000000000AAA", NULL, NULL),
	    -1); /* Master is no record */
	assert_int_equal(
	    sf_org_lookup_id(org, "00G000000000001AAA", NULL, NULL),
	    -1); /* queues are not modelled */
	assert_int_equal(sf_org_lookup_id(org, "001", NULL, NULL), -1);
	assert_int_equal(
	    sf_org_lookup_id(org, "001000000000!01AAA", NULL, NULL), -1);
	sf_org_free(org);
}

static void test_counts_and_scales(void **state)
{
	struct sf_org *org = small_org(false);
	struct sf_org_opts o;
	struct sf_record r;
	static const struct {
		const char *name;
		int64_t n;
	} want[] = {
	    {"User", 8},
	    {"RecordType", 4},
	    {"Account", 60},
	    {"Contact", 150},
	    {"Lead", 40},
	    {"Opportunity", 50},
	    {"OpportunityContactRole", 50},
	    {"Case", 20},
	    {"CaseComment", 40},
	    {"Task", 60},
	    {"Event", 40},
	    {"Campaign", 5},
	    {"CampaignMember", 38},
	    {"Note", 10},
	    {"ContentNote", 5},
	    {"ContentDocumentLink", 10},
	    {"Attachment", 6},
	    {"Product2", 10},
	    {"Invoice__c", 10},
	    {"ApexTrigger", 10},
	    {"ApexClass", 18},
	    {"ValidationRule", 10},
	    {"WorkflowRule", 4},
	    {"Flow", 10},
	    {"FlowDefinitionView", 10},
	};
	size_t i;
	int64_t k, live;

	(void)state;
	sf_record_init(&r);
	for (i = 0; i < FERRY_ARRAY_LEN(want); i++) {
		const struct sf_object *ob = obj(org, want[i].name);

		assert_int_equal(ob->count, want[i].n);
		/* the live count is the records not IsDeleted */
		live = 0;
		for (k = 0; k < ob->count; k++) {
			long f = sf_object_field(ob, "IsDeleted");

			gen(org, ob, k, &r);
			assert_int_equal(r.is_deleted,
			                 sf_org_is_deleted(org, ob, k));
			if (f >= 0)
				assert_string_equal(r.values[f], r.is_deleted
				                                     ? "true"
				                                     : "false");
			live += !r.is_deleted;
		}
		assert_int_equal(sf_org_live_count(org, ob), live);
	}
	/* every 25th deletable record; users never */
	assert_int_equal(sf_org_live_count(org, obj(org, "Contact")), 144);
	assert_int_equal(sf_org_live_count(org, obj(org, "User")), 8);
	assert_int_equal(sf_org_n_objects(org), FERRY_ARRAY_LEN(want));
	sf_record_release(&r);
	sf_org_free(org);

	sf_org_opts_default(&o);
	assert_int_equal(sf_org_opts_scale(&o, "bench"), 0);
	assert_int_equal(o.accounts, 100000);
	assert_int_equal(o.contacts, 300000);
	assert_int_equal(o.leads, 100000);
	assert_int_equal(o.opportunities, 150000);
	assert_int_equal(o.tasks + o.events, 500000);
	assert_int_equal(o.users, 200);
	assert_int_equal(sf_org_opts_scale(&o, "1000"), 0);
	assert_int_equal(o.accounts, 1000);
	assert_int_equal(o.contacts, 3000);
	assert_int_equal(o.users, 2);
	assert_int_equal(sf_org_opts_scale(&o, "0"), 0);
	assert_int_equal(o.accounts, 0);
	assert_int_equal(sf_org_new(&org, &o), 0);
	assert_int_equal(obj(org, "Contact")->count, 0);
	assert_true(obj(org, "ApexClass")->count > 0);
	sf_org_free(org);
	assert_int_equal(sf_org_opts_scale(&o, "small"), 0);
	assert_int_equal(o.accounts, 60);
	assert_int_equal(sf_org_opts_scale(&o, "huge"), FERRY_EINVALID);
	assert_int_equal(sf_org_opts_scale(&o, "-5"), FERRY_EINVALID);
	o.contacts = -1;
	assert_int_equal(sf_org_new(&org, &o), FERRY_EINVALID);
}

/* Emails as a deduplicator would key them. */
static char *norm_email(const char *e)
{
	char *s = ferry_xstrdup(e);

	ferry_str_trim(s);
	ferry_str_lower(s);
	return s;
}

/* Not an address: a space inside, two @, or no dot after the @. */
static bool bad_email(const char *normalized)
{
	const char *at = strchr(normalized, '@');

	return !at || strchr(normalized, ' ') || strchr(at + 1, '@') ||
	       !strchr(at, '.');
}

static bool has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static void test_mess_accounts(void **state)
{
	struct sf_org *org = small_org(false);
	const struct sf_object *o = obj(org, "Account");
	struct sf_record r;
	const char *const *pl = NULL;
	char *domains[60];
	int blank = 0, ip = 0, nodot = 0, personal = 0, dup = 0, unknown = 0;
	int comma = 0, quote = 0, newline = 0, intl = 0, upper = 0;
	int64_t i, j;
	long f_ind = sf_object_field(o, "Industry");

	(void)state;
	pl = o->fields[f_ind].picklist;
	sf_record_init(&r);
	for (i = 0; i < o->count; i++) {
		const char *w, *d, *ind;
		char *s, *p;
		size_t k;

		gen(org, o, i, &r);
		w = val(o, &r, "Website");
		d = val(o, &r, "Description");
		ind = val(o, &r, "Industry");
		domains[i] = NULL;
		if (!w) {
			blank++;
		} else if (strstr(w, "192.168.")) {
			ip++;
		} else if (!strchr(w, '.')) {
			nodot++;
		} else if (!strcmp(w, "gmail.com") || !strcmp(w, "yahoo.com") ||
		           strstr(w, "mail") || strstr(w, "qq.com") ||
		           strstr(w, "icloud") || strstr(w, "gmx") ||
		           strstr(w, "web.de") || strstr(w, "aol") ||
		           strstr(w, "outlook")) {
			personal++;
		} else {
			/* the registrable-ish part: strip scheme, www,
			 * port, path; lower case */
			s = norm_email(w);
			p = strstr(s, "://") ? strstr(s, "://") + 3 : s;
			if (!strncmp(p, "www.", 4))
				p += 4;
			if (!strncmp(p, "shop.", 5))
				p += 5;
			p[strcspn(p, ":/?#")] = '\0';
			domains[i] = ferry_xstrdup(p);
			free(s);
			upper +=
			    strpbrk(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
		}
		if (ind) {
			for (k = 0; pl[k] && strcmp(pl[k], ind); k++)
				;
			unknown += pl[k] == NULL;
		}
		if (d) {
			comma += strchr(d, ',') != NULL;
			quote += strchr(d, '"') != NULL;
			newline += strchr(d, '\n') != NULL;
		}
		intl += has_non_ascii(val(o, &r, "Name"));
	}
	for (i = 0; i < o->count; i++)
		for (j = 0; j < i; j++)
			if (domains[i] && domains[j] &&
			    !strcmp(domains[i], domains[j])) {
				dup++;
				break;
			}
	for (i = 0; i < o->count; i++)
		free(domains[i]);
	assert_in_range(blank, 2, 8);
	assert_in_range(ip, 1, 3);
	assert_in_range(nodot, 1, 3);
	assert_in_range(personal, 1, 3);
	assert_in_range(dup, 1, 4);     /* ~3% by domain */
	assert_in_range(unknown, 1, 3); /* Industry "Fintech" and co. */
	assert_true(upper >= 1);        /* ACME.COM spellings */
	assert_true(comma >= 3);
	assert_true(quote >= 1);
	assert_true(newline >= 1);
	assert_true(intl >= 1);
	sf_record_release(&r);
	sf_org_free(org);
}

static void test_mess_contacts(void **state)
{
	struct sf_org *org = small_org(false);
	const struct sf_object *o = obj(org, "Contact");
	struct sf_record r;
	char *emails[150];
	int blank = 0, invalid = 0, dup = 0, orphan = 0, no_account = 0;
	int personal = 0, padded = 0, accented = 0, cjk = 0;
	int64_t i, j;

	(void)state;
	sf_record_init(&r);
	for (i = 0; i < o->count; i++) {
		const char *e, *a, *n;

		gen(org, o, i, &r);
		e = val(o, &r, "Email");
		a = val(o, &r, "AccountId");
		n = val(o, &r, "Name");
		emails[i] = e ? norm_email(e) : NULL;
		if (!e)
			blank++;
		else if (bad_email(emails[i]))
			invalid++;
		if (e && (strstr(e, "gmail") || strstr(e, "yahoo") ||
		          strstr(e, "hotmail") || strstr(e, "outlook") ||
		          strstr(e, "icloud") || strstr(e, "gmx") ||
		          strstr(e, "web.de") || strstr(e, "qq.com") ||
		          strstr(e, "aol")))
			personal++;
		if (e && e[0] == ' ')
			padded++;
		if (!a)
			no_account++;
		else if (sf_org_lookup_id(org, a, NULL, NULL) < 0)
			orphan++;
		if (has_non_ascii(n)) {
			accented++;
			/* a CJK character is three UTF-8 bytes from 0xE3 */
			cjk += strpbrk(n, "\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea"
			                  "\xeb\xec\xed") != NULL;
		}
	}
	for (i = 0; i < o->count; i++)
		for (j = 0; j < i; j++)
			if (emails[i] && emails[j] &&
			    !strcmp(emails[i], emails[j])) {
				dup++;
				break;
			}
	for (i = 0; i < o->count; i++)
		free(emails[i]);
	/* ~5% blank, ~3% duplicates, ~1% orphans of 150 */
	assert_in_range(blank, 5, 12);
	assert_in_range(dup, 2, 9);
	assert_in_range(orphan, 1, 3);
	assert_in_range(no_account, 1, 5);
	assert_true(invalid >= 1);
	assert_in_range(personal, 10, 30);
	assert_true(accented >= 5);
	assert_true(cjk >= 1);
	FERRY_UNUSED(padded);
	sf_record_release(&r);
	sf_org_free(org);
}

static void test_mess_others(void **state)
{
	struct sf_org *org = small_org(false);
	const struct sf_object *lead = obj(org, "Lead"), *cs = obj(org, "Case");
	const struct sf_object *task = obj(org, "Task"),
	                       *ev = obj(org, "Event");
	const struct sf_object *att = obj(org, "Attachment");
	const struct sf_object *user = obj(org, "User");
	struct sf_record r, u;
	int converted = 0, blank = 0, queue = 0, both = 0, inactive = 0,
	    big = 0;
	int inactive_owner = 0;
	int64_t i, n_act = 0;

	(void)state;
	sf_record_init(&r);
	sf_record_init(&u);
	for (i = 0; i < lead->count; i++) {
		gen(org, lead, i, &r);
		if (!strcmp(val(lead, &r, "IsConverted"), "true")) {
			converted++;
			assert_string_equal(val(lead, &r, "Status"),
			                    "Closed - Converted");
			assert_non_null(val(lead, &r, "ConvertedAccountId"));
			assert_non_null(val(lead, &r, "ConvertedDate"));
		}
		blank += val(lead, &r, "Email") == NULL;
		queue += !strncmp(val(lead, &r, "OwnerId"), "00G", 3);
	}
	assert_in_range(converted, 3, 6); /* ~10% of 40 */
	assert_in_range(blank, 2, 6);     /* ~8% */
	for (i = 0; i < cs->count; i++) {
		gen(org, cs, i, &r);
		queue += !strncmp(val(cs, &r, "OwnerId"), "00G", 3);
		assert_int_equal(strlen(val(cs, &r, "CaseNumber")), 8);
	}
	assert_true(queue >= 1);
	for (i = 0; i < task->count; i++) {
		gen(org, task, i, &r);
		both += val(task, &r, "WhoId") && val(task, &r, "WhatId");
		n_act++;
	}
	for (i = 0; i < ev->count; i++) {
		gen(org, ev, i, &r);
		both += val(ev, &r, "WhoId") && val(ev, &r, "WhatId");
		n_act++;
	}
	assert_in_range(both * 100 / n_act, 20, 40);
	for (i = 0; i < user->count; i++) {
		gen(org, user, i, &u);
		inactive += !strcmp(val(user, &u, "IsActive"), "false");
	}
	assert_in_range(inactive, 1, 3);
	/* inactive users still own records */
	for (i = 0; i < obj(org, "Account")->count; i++) {
		int64_t idx;
		const struct sf_object *uo;

		gen(org, obj(org, "Account"), i, &r);
		assert_int_equal(
		    sf_org_lookup_id(org,
		                     val(obj(org, "Account"), &r, "OwnerId"),
		                     &uo, &idx),
		    0);
		gen(org, user, idx, &u);
		inactive_owner += !strcmp(val(user, &u, "IsActive"), "false");
	}
	assert_true(inactive_owner >= 1);
	for (i = 0; i < att->count; i++) {
		int64_t len;

		gen(org, att, i, &r);
		assert_int_equal(
		    ferry_parse_i64(val(att, &r, "BodyLength"), &len), 0);
		big += len > 50 * 1024 * 1024;
		assert_non_null(val(att, &r, "Body"));
	}
	assert_in_range(big, 1, 3);
	sf_record_release(&r);
	sf_record_release(&u);
	sf_org_free(org);
}

static void test_person_accounts(void **state)
{
	struct sf_org *org = small_org(true);
	const struct sf_object *acc = obj(org, "Account");
	const struct sf_object *con = obj(org, "Contact");
	struct sf_record r, c;
	int persons = 0;
	int64_t i, idx;
	const struct sf_object *got;

	(void)state;
	assert_true(sf_object_field(acc, "IsPersonAccount") >= 0);
	assert_true(sf_object_field(acc, "PersonEmail") >= 0);
	assert_true(sf_object_field(con, "IsPersonAccount") >= 0);
	assert_int_equal(sf_object_field(acc, "NoSuchField"), -1);
	sf_record_init(&r);
	sf_record_init(&c);
	for (i = 0; i < acc->count; i++) {
		gen(org, acc, i, &r);
		if (strcmp(val(acc, &r, "IsPersonAccount"), "true"))
			continue;
		persons++;
		assert_non_null(val(acc, &r, "LastName"));
		/* its contact is the same person, on this account */
		assert_int_equal(
		    sf_org_lookup_id(org, val(acc, &r, "PersonContactId"), &got,
		                     &idx),
		    0);
		assert_ptr_equal(got, con);
		gen(org, con, idx, &c);
		assert_string_equal(val(con, &c, "AccountId"), r.id);
		assert_string_equal(val(con, &c, "LastName"),
		                    val(acc, &r, "LastName"));
		assert_string_equal(val(con, &c, "IsPersonAccount"), "true");
		assert_null(val(acc, &r, "Website"));
	}
	assert_in_range(persons, 4, 8); /* ~10% of 60 */
	/* the person account record type */
	assert_int_equal(acc->n_record_types, 4);
	sf_record_release(&r);
	sf_record_release(&c);
	sf_org_free(org);
}

/* Every reference of every record of `org` names a record of one of its
 * referenceTo objects, but for the planted exceptions, which are
 * counted. Returns the references checked. */
static int64_t check_references(const struct sf_org *org, int64_t *orphans,
                                int64_t *queues)
{
	struct sf_record r;
	size_t k, f, t;
	int64_t i, idx, checked = 0;

	sf_record_init(&r);
	for (k = 0; k < sf_org_n_objects(org); k++) {
		const struct sf_object *o = sf_org_object_at(org, k);

		for (i = 0; i < o->count; i++) {
			gen(org, o, i, &r);
			for (f = 0; f < o->n_fields; f++) {
				const struct sf_field *fd = &o->fields[f];
				const struct sf_object *got;
				const char *v = r.values[f];
				bool ok = false;

				if (fd->type != SF_REFERENCE || !v)
					continue;
				checked++;
				if (!strncmp(v, "00G", 3)) {
					/* a queue, where Group is allowed */
					for (t = 0; fd->refs[t]; t++)
						ok |= !strcmp(fd->refs[t],
						              "Group");
					assert_true(ok);
					(*queues)++;
					continue;
				}
				if (sf_org_lookup_id(org, v, &got, &idx) < 0) {
					/* only Contact.AccountId is orphaned */
					assert_string_equal(o->name, "Contact");
					assert_string_equal(fd->name,
					                    "AccountId");
					(*orphans)++;
					continue;
				}
				for (t = 0; fd->refs[t]; t++)
					ok |=
					    !strcmp(fd->refs[t], got->name) ||
					    (!strcmp(fd->refs[t],
					             "ContentDocument") &&
					     !strcmp(got->name, "ContentNote"));
				if (!ok)
					fail_msg("%s.%s of %s points at a %s",
					         o->name, fd->name, r.id,
					         got->name);
			}
		}
	}
	sf_record_release(&r);
	return checked;
}

static void test_references_resolve(void **state)
{
	struct sf_org *org = small_org(true);
	int64_t orphans = 0, queues = 0;

	(void)state;
	assert_true(check_references(org, &orphans, &queues) > 1000);
	assert_in_range(orphans, 1, 4);
	assert_true(queues >= 1);
	sf_org_free(org);
}

/* Tiny orgs, where some objects are empty: nothing points at a record
 * that is not there. */
static void test_tiny_scales(void **state)
{
	static const char *const scales[] = {"0", "1", "2", "3", "7", "40"};
	struct sf_org_opts o;
	struct sf_org *org;
	int64_t orphans, queues;
	size_t i;
	int person;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(scales); i++) {
		for (person = 0; person < 2; person++) {
			sf_org_opts_default(&o);
			assert_int_equal(sf_org_opts_scale(&o, scales[i]), 0);
			o.person_accounts = person;
			o.deleted_every = 3;
			assert_int_equal(sf_org_new(&org, &o), 0);
			orphans = queues = 0;
			check_references(org, &orphans, &queues);
			sf_org_free(org);
		}
	}
}

static void test_values_format(void **state)
{
	struct sf_org *org = small_org(false);
	struct sf_record r;
	size_t k, f;
	int64_t i;

	(void)state;
	sf_record_init(&r);
	for (k = 0; k < sf_org_n_objects(org); k++) {
		const struct sf_object *o = sf_org_object_at(org, k);

		for (i = 0; i < o->count; i++) {
			gen(org, o, i, &r);
			assert_true(r.modstamp < SF_ORG_NOW);
			assert_true(r.modstamp >= SF_ORG_NOW - 60 * 86400);
			for (f = 0; f < o->n_fields; f++) {
				const char *v = r.values[f];
				double d;

				if (!v)
					continue;
				assert_true(
				    ferry_utf8_valid(v, strlen(v), NULL));
				switch (o->fields[f].type) {
				case SF_BOOLEAN:
					assert_true(!strcmp(v, "true") ||
					            !strcmp(v, "false"));
					break;
				case SF_DATE:
					assert_int_equal(strlen(v), 10);
					assert_true(v[4] == '-' && v[7] == '-');
					break;
				case SF_DATETIME:
					assert_int_equal(strlen(v), 24);
					assert_true(v[10] == 'T' &&
					            !strcmp(v + 19, ".000Z"));
					break;
				case SF_CURRENCY:
					assert_int_equal(
					    ferry_parse_double(v, &d), 0);
					assert_true(strchr(v, '.') &&
					            strlen(strchr(v, '.')) ==
					                3);
					break;
				case SF_INT:
				case SF_DOUBLE:
				case SF_PERCENT:
					assert_int_equal(
					    ferry_parse_double(v, &d), 0);
					break;
				case SF_ID:
				case SF_REFERENCE:
					assert_int_equal(strlen(v), 18);
					break;
				case SF_ADDRESS: {
					json_error_t je;
					json_t *j = json_loads(v, 0, &je);

					assert_true(json_is_object(j));
					assert_non_null(
					    json_object_get(j, "postalCode"));
					json_decref(j);
					break;
				}
				default:
					break;
				}
			}
		}
	}
	sf_record_release(&r);
	sf_org_free(org);
}

static void test_describe_shape(void **state)
{
	struct sf_org *org = small_org(false);
	json_t *d, *f, *g, *e;
	size_t i;
	bool master = false, tier = false, rollup = false;
	int poly = 0;

	(void)state;
	d = sf_describe_json(org, obj(org, "Account"), "62.0");
	assert_string_equal(json_string_value(json_object_get(d, "keyPrefix")),
	                    "001");
	json_array_foreach(json_object_get(d, "recordTypeInfos"), i, e)
	    master |=
	    json_is_true(json_object_get(e, "master")) &&
	    !strcmp(json_string_value(json_object_get(e, "recordTypeId")),
	            "012000000000000AAA");
	assert_true(master);
	assert_int_equal(json_array_size(json_object_get(d, "recordTypeInfos")),
	                 3);
	json_array_foreach(json_object_get(d, "fields"), i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));

		assert_int_equal(json_object_size(f), 57);
		if (!strcmp(n, "Formula_Tier__c"))
			tier = json_is_true(json_object_get(f, "calculated")) &&
			       json_is_string(
			           json_object_get(f, "calculatedFormula"));
		if (!strcmp(n, "Total_Invoiced__c"))
			rollup =
			    json_is_true(json_object_get(f, "calculated")) &&
			    json_is_null(
			        json_object_get(f, "calculatedFormula"));
		if (!strcmp(n, "BillingCity"))
			assert_string_equal(json_string_value(json_object_get(
			                        f, "compoundFieldName")),
			                    "BillingAddress");
	}
	assert_true(tier && rollup);
	/* children derive from references: Contacts, Opportunities, … */
	json_array_foreach(json_object_get(d, "childRelationships"), i, e)
	    poly +=
	    !strcmp(json_string_value(json_object_get(e, "childSObject")),
	            "Contact") &&
	    !strcmp(json_string_value(json_object_get(e, "relationshipName")),
	            "Contacts");
	assert_int_equal(poly, 1);
	assert_non_null(strstr(json_string_value(json_object_get(
	                           json_object_get(d, "urls"), "describe")),
	                       "/services/data/v62.0/sobjects/Account/"));
	json_decref(d);

	d = sf_describe_json(org, obj(org, "Case"), "62.0");
	json_array_foreach(json_object_get(d, "fields"), i, f)
	{
		if (!strcmp(json_string_value(json_object_get(f, "name")),
		            "CaseNumber"))
			assert_true(
			    json_is_true(json_object_get(f, "autoNumber")));
	}
	json_decref(d);

	g = sf_describe_global_json(org, "62.0");
	assert_string_equal(json_string_value(json_object_get(g, "encoding")),
	                    "UTF-8");
	assert_int_equal(json_integer_value(json_object_get(g, "maxBatchSize")),
	                 200);
	json_array_foreach(json_object_get(g, "sobjects"), i, e)
	    assert_string_not_equal(
	        json_string_value(json_object_get(e, "name")), "ApexTrigger");
	json_decref(g);
	g = sf_describe_global_tooling_json(org, "62.0");
	assert_int_equal(json_array_size(json_object_get(g, "sobjects")), 5);
	json_decref(g);
	sf_org_free(org);
}

/* --- conformance with the recorded describes --- */

static json_t *load_fixture(const char *rel)
{
	const char *dir = getenv("FERRY_FIXTURES_DIR");
	char *path;
	json_t *j;
	json_error_t e;

	if (!dir)
		return NULL;
	path = ferry_xasprintf("%s/salesforce/%s", dir, rel);
	j = json_load_file(path, 0, &e);
	free(path);
	return j;
}

/* JSON types a key may take: booleans are one type, and a key whose
 * value is null somewhere may be a string (or object) elsewhere. */
static unsigned type_bit(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_TRUE:
	case JSON_FALSE:
		return 1;
	case JSON_INTEGER:
	case JSON_REAL:
		return 2;
	case JSON_STRING:
		return 4;
	case JSON_ARRAY:
		return 8;
	case JSON_OBJECT:
		return 16;
	default:
		return 32; /* null */
	}
}

static bool type_ok(unsigned seen, const json_t *mine)
{
	unsigned b = type_bit(mine);

	/* a key that is null somewhere may hold text or an object */
	return (seen & b) || ((seen & 32) && (b == 4 || b == 16));
}

static void check_keys(const char *where, json_t *fixture, json_t *mine,
                       json_t *seen)
{
	const char *k;
	json_t *v;

	json_object_foreach(fixture, k, v)
	{
		json_t *m = json_object_get(mine, k);
		unsigned s =
		    (unsigned)json_integer_value(json_object_get(seen, k));

		if (!m)
			fail_msg("%s: key '%s' missing", where, k);
		if (!type_ok(s | type_bit(v), m))
			fail_msg("%s: key '%s' has the wrong JSON type", where,
			         k);
	}
}

static bool in_list(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i,
	                   v) if (!strcmp(json_string_value(v), s)) return true;
	return false;
}

static void test_describe_conformance(void **state)
{
	static const char *const objects[] = {"Account",
	                                      "Contact",
	                                      "Lead",
	                                      "Opportunity",
	                                      "Case",
	                                      "Event",
	                                      "OpportunityContactRole"};
	struct sf_org *org;
	json_t *probe = load_fixture("describe/Account.json");
	json_t *seen = json_object();
	size_t i, j, k;
	json_t *fx, *mine, *ff, *mf, *v;
	const char *key;
	int compared = 0;

	(void)state;
	if (!probe) {
		json_decref(seen);
		skip();
	}
	json_decref(probe);
	org = small_org(false);
	/* the JSON types each field key takes across all fixtures */
	for (i = 0; i < FERRY_ARRAY_LEN(objects); i++) {
		char *rel = ferry_xasprintf("describe/%s.json", objects[i]);

		fx = load_fixture(rel);
		free(rel);
		assert_non_null(fx);
		json_array_foreach(json_object_get(fx, "fields"), j, ff)
		    json_object_foreach(ff, key, v)
		{
			json_int_t s =
			    json_integer_value(json_object_get(seen, key));

			json_object_set_new(seen, key,
			                    json_integer(s | type_bit(v)));
		}
		json_decref(fx);
	}
	for (i = 0; i < FERRY_ARRAY_LEN(objects); i++) {
		char *rel = ferry_xasprintf("describe/%s.json", objects[i]);
		json_t *empty = json_object();

		fx = load_fixture(rel);
		free(rel);
		mine = sf_describe_json(org, obj(org, objects[i]), "48.0");
		check_keys(objects[i], fx, mine, empty);
		json_decref(empty);
		/* every field key on every field of mine */
		json_array_foreach(json_object_get(mine, "fields"), j, mf)
		    check_keys(json_string_value(json_object_get(mf, "name")),
		               json_array_get(json_object_get(fx, "fields"), 0),
		               mf, seen);
		/* the fields both have agree on their type */
		json_array_foreach(json_object_get(mine, "fields"), j, mf)
		{
			const char *name =
			    json_string_value(json_object_get(mf, "name"));
			json_t *fr = NULL, *rm, *rf;

			json_array_foreach(json_object_get(fx, "fields"), k, ff) if (
			    !strcmp(
			        json_string_value(json_object_get(ff, "name")),
			        name)) fr = ff;
			if (!fr || json_is_true(json_object_get(mf, "custom")))
				continue;
			compared++;
			if (!json_equal(json_object_get(fr, "type"),
			                json_object_get(mf, "type")) ||
			    !json_equal(json_object_get(fr, "soapType"),
			                json_object_get(mf, "soapType")))
				fail_msg("%s.%s: the sandbox says type %s, "
				         "the recorded describe %s",
				         objects[i], name,
				         json_string_value(
				             json_object_get(mf, "type")),
				         json_string_value(
				             json_object_get(fr, "type")));
			rm = json_object_get(mf, "referenceTo");
			rf = json_object_get(fr, "referenceTo");
			if (json_array_size(rf) <= 1) {
				if (!json_equal(rm, rf))
					fail_msg("%s.%s: referenceTo differs",
					         objects[i], name);
				continue;
			}
			/* polymorphic: a subset (plus custom objects) */
			json_array_foreach(rm, k, v)
			{
				const char *t = json_string_value(v);

				if (!in_list(rf, t) && !strstr(t, "__c"))
					fail_msg("%s.%s: refers to %s",
					         objects[i], name, t);
			}
		}
		json_decref(mine);
		json_decref(fx);
	}
	assert_true(compared > 150);
	json_decref(seen);

	/* describeGlobal entries */
	fx = load_fixture("describeGlobal.json");
	assert_non_null(fx);
	mine = sf_describe_global_json(org, "52.0");
	check_keys("describeGlobal", fx, mine, seen = json_object());
	{
		json_t *fseen = json_object();

		json_array_foreach(json_object_get(fx, "sobjects"), j, ff)
		    json_object_foreach(ff, key, v)
		{
			json_int_t s =
			    json_integer_value(json_object_get(fseen, key));

			json_object_set_new(fseen, key,
			                    json_integer(s | type_bit(v)));
		}
		json_array_foreach(json_object_get(mine, "sobjects"), j, mf)
		    check_keys(
		        "describeGlobal entry",
		        json_array_get(json_object_get(fx, "sobjects"), 0), mf,
		        fseen);
		json_decref(fseen);
	}
	json_decref(seen);
	json_decref(mine);
	json_decref(fx);
	sf_org_free(org);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_id18_examples),
	    cmocka_unit_test(test_ids_round_trip),
	    cmocka_unit_test(test_counts_and_scales),
	    cmocka_unit_test(test_mess_accounts),
	    cmocka_unit_test(test_mess_contacts),
	    cmocka_unit_test(test_mess_others),
	    cmocka_unit_test(test_person_accounts),
	    cmocka_unit_test(test_references_resolve),
	    cmocka_unit_test(test_tiny_scales),
	    cmocka_unit_test(test_values_format),
	    cmocka_unit_test(test_describe_shape),
	    cmocka_unit_test(test_describe_conformance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
