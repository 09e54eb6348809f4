/* analyze_bench.c: measures `ferry analyze`'s engine on a large staged
 * org. Not built by CMake (it stages over a million records, which no test
 * should): build it by hand against a build folder, stage once, then time
 * the analysis alone:
 *
 *   cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *      -DFERRY_VERSION='"bench"' -Iinclude -Isrc/util -Isrc/lib \
 *      bench/analyze_bench.c build/libferry_core.a build/libferry_util.a \
 *      $(pkg-config --libs libcurl sqlite3 jansson yaml-0.1 libpsl \
 *      libcrypto) -lpthread -lm -o analyze_bench
 *   ./analyze_bench stage /tmp/org 1.0   # 1.15M records (0.25: a quarter)
 *   /usr/bin/time -v ./analyze_bench run /tmp/org
 *
 * The org: 100k accounts, 300k contacts, 100k leads, 150k opportunities,
 * 250k tasks, 250k events, 200 users, with describes, Tooling counts and
 * mess (shared domains and emails, blank emails, broken references,
 * converted leads, queue and inactive owners, undefined picklist values). */
#include "util.h"

#include "ferry/analyze.h"
#include "ferry/workspace.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t pick(int64_t n)
{
	return (int64_t)(next() % (uint64_t)n);
}

static void id(char out[19], const char *prefix, int64_t n)
{
	snprintf(out, 19, "%s%012" PRId64 "AAA", prefix, n);
}

static const char *const industries[] = {
    "Banking",   "Technology", "Retail", "Manufacturing", "Healthcare",
    "Education", "Energy",     "Media",  "Insurance",     "Fintech",
};
static const char *const stages[] = {"Prospecting", "Qualification",
                                     "Closed Won", "Closed Lost", "Pilot"};
static const char *const statuses[] = {"Open - Not Contacted", "Working",
                                       "Nurture", "Junk"};

struct spec {
	const char *name, *type, *refs;
	const char *const *values;
	size_t n_values;
};

static void describe(struct ferry_workspace *ws, const char *object,
                     const char *prefix, const struct spec *s, size_t n)
{
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:b, s:[]}", "name", object, "label",
	              object, "keyPrefix", prefix, "custom", 0, "fields");
	json_t *fields = json_object_get(d, "fields");
	char name[128], *text;
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_t *f =
		    json_pack("{s:s, s:s, s:s, s:b, s:[], s:[]}", "name",
		              s[i].name, "label", s[i].name, "type", s[i].type,
		              "calculated", 0, "referenceTo", "picklistValues");
		if (s[i].refs) {
			char *copy = ferry_xstrdup(s[i].refs), *p, *q;

			for (p = copy; p; p = q) {
				q = strchr(p, ',');
				if (q)
					*q++ = '\0';
				json_array_append_new(
				    json_object_get(f, "referenceTo"),
				    json_string(p));
			}
			free(copy);
		}
		/* the last value of each list is left undefined */
		for (j = 0; j + 1 < s[i].n_values; j++)
			json_array_append_new(
			    json_object_get(f, "picklistValues"),
			    json_pack("{s:s, s:b}", "value", s[i].values[j],
			              "active", 1));
		json_array_append_new(fields, f);
	}
	text = json_dumps(d, JSON_COMPACT);
	snprintf(name, sizeof(name), "salesforce/describe/%s", object);
	if (ferry_facts_put(ws, name, text) < 0)
		exit(1);
	free(text);
	json_decref(d);
}

#define SPEC(name, type)                                                       \
	{                                                                      \
		name, type, NULL, NULL, 0                                      \
	}
#define REF(name, refs)                                                        \
	{                                                                      \
		name, "reference", refs, NULL, 0                               \
	}
#define PICK(name, list)                                                       \
	{                                                                      \
		name, "picklist", NULL, list, FERRY_ARRAY_LEN(list)            \
	}

static const struct spec account[] = {
    SPEC("Id", "id"),
    SPEC("Name", "string"),
    SPEC("Website", "url"),
    PICK("Industry", industries),
    SPEC("BillingCity", "string"),
    SPEC("BillingCountry", "string"),
    SPEC("Phone", "phone"),
    SPEC("Description", "textarea"),
    REF("OwnerId", "User"),
    SPEC("AnnualRevenue", "currency"),
    SPEC("NumberOfEmployees", "int"),
    SPEC("CreatedDate", "datetime"),
    SPEC("IsDeleted", "boolean"),
};
static const struct spec contact[] = {
    SPEC("Id", "id"),
    REF("AccountId", "Account"),
    SPEC("FirstName", "string"),
    SPEC("LastName", "string"),
    SPEC("Email", "email"),
    SPEC("Title", "string"),
    SPEC("Phone", "phone"),
    SPEC("MailingCity", "string"),
    REF("OwnerId", "User"),
    SPEC("CreatedDate", "datetime"),
};
static const struct spec lead[] = {
    SPEC("Id", "id"),
    SPEC("FirstName", "string"),
    SPEC("LastName", "string"),
    SPEC("Company", "string"),
    SPEC("Email", "email"),
    PICK("Status", statuses),
    SPEC("IsConverted", "boolean"),
    REF("OwnerId", "Group,User"),
    SPEC("CreatedDate", "datetime"),
};
static const struct spec opportunity[] = {
    SPEC("Id", "id"),
    SPEC("Name", "string"),
    REF("AccountId", "Account"),
    PICK("StageName", stages),
    SPEC("Amount", "currency"),
    SPEC("CloseDate", "date"),
    REF("OwnerId", "User"),
    SPEC("Probability", "percent"),
};
static const struct spec activity[] = {
    SPEC("Id", "id"),
    SPEC("Subject", "string"),
    REF("WhoId", "Contact,Lead"),
    REF("WhatId", "Account,Opportunity"),
    SPEC("ActivityDate", "date"),
    SPEC("Description", "textarea"),
    REF("OwnerId", "User"),
};
static const struct spec user[] = {
    SPEC("Id", "id"),
    SPEC("Email", "email"),
    SPEC("IsActive", "boolean"),
    SPEC("Name", "string"),
};

static void put(json_t *r, const char *k, const char *v)
{
	json_object_set_new(r, k, json_string(v));
}

static void owner(char out[19])
{
	if (pick(50) == 0)
		id(out, "00G", pick(5));
	else
		id(out, "005", pick(200));
}

static void record(json_t *r, const char *object, int64_t i, int64_t scale_n[])
{
	char a[19], b[19], buf[128];

	owner(a);
	put(r, "OwnerId", a);
	put(r, "CreatedDate", "2024-03-05T14:22:11.000+0000");
	if (!strcmp(object, "Account")) {
		snprintf(buf, sizeof(buf), "Company %" PRId64, i);
		put(r, "Name", buf);
		snprintf(buf, sizeof(buf),
		         "https://www.company%" PRId64 ".com/",
		         i % (scale_n[0] * 9 / 10 + 1));
		put(r, "Website", pick(40) ? buf : "");
		put(r, "Industry", industries[pick(10)]);
		put(r, "BillingCity", "Paris");
		put(r, "BillingCountry", "France");
		put(r, "Phone", "+33 1 23 45 67 89");
		put(r, "Description", pick(3) ? "" : "A customer, since 2019");
		snprintf(buf, sizeof(buf), "%" PRId64, pick(1000000));
		put(r, "AnnualRevenue", buf);
		put(r, "NumberOfEmployees", "250");
		put(r, "IsDeleted", "false");
	} else if (!strcmp(object, "Contact")) {
		id(a, "001", pick(100) ? pick(scale_n[0]) : scale_n[0] + 5);
		put(r, "AccountId", a);
		put(r, "FirstName", "Jane");
		snprintf(buf, sizeof(buf), "Doe%" PRId64, i);
		put(r, "LastName", buf);
		snprintf(buf, sizeof(buf), "jane.doe%" PRId64 "@company.com",
		         pick(50) ? i : i / 2);
		put(r, "Email", pick(33) ? buf : "");
		put(r, "Title", "Buyer");
		put(r, "Phone", "+1 415 555 0100");
		put(r, "MailingCity", "Boston");
	} else if (!strcmp(object, "Lead")) {
		put(r, "FirstName", "Lee");
		snprintf(buf, sizeof(buf), "Lead%" PRId64, i);
		put(r, "LastName", buf);
		put(r, "Company", "Prospect Inc");
		snprintf(buf, sizeof(buf), "lead%" PRId64 "@prospect.io", i);
		put(r, "Email", buf);
		put(r, "Status", statuses[pick(4)]);
		put(r, "IsConverted", pick(10) ? "false" : "true");
	} else if (!strcmp(object, "Opportunity")) {
		snprintf(buf, sizeof(buf), "Deal %" PRId64, i);
		put(r, "Name", buf);
		id(a, "001", pick(scale_n[0]));
		put(r, "AccountId", a);
		put(r, "StageName", stages[pick(5)]);
		put(r, "Amount", "12000");
		put(r, "CloseDate", "2025-01-31");
		put(r, "Probability", "50");
	} else if (!strcmp(object, "Task") || !strcmp(object, "Event")) {
		put(r, "Subject", "Call");
		id(a, "003", pick(scale_n[1]));
		id(b, pick(2) ? "001" : "006",
		   pick(2) ? pick(scale_n[0]) : pick(scale_n[3]));
		put(r, "WhoId", a);
		put(r, "WhatId", pick(2) ? b : "");
		put(r, "ActivityDate", "2024-05-01");
		put(r, "Description", "Talked about the renewal.");
	}
}

static void stage_object(struct ferry_workspace *ws, const char *object,
                         const char *prefix, int64_t n, int64_t scale_n[])
{
	struct ferry_stage *st = NULL;
	char rid[19], buf[64];
	int64_t i;

	if (ferry_stage_begin(&st, ws, object, "bench") < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		json_t *r = json_object();

		id(rid, prefix, i);
		put(r, "Id", rid);
		if (!strcmp(object, "User")) {
			snprintf(buf, sizeof(buf), "user%" PRId64 "@corp.com",
			         i);
			put(r, "Email", buf);
			put(r, "IsActive", i % 20 ? "true" : "false");
			put(r, "Name", "A User");
		} else {
			record(r, object, i, scale_n);
		}
		if (ferry_stage_add(st, rid, i + 2, r) < 0)
			goto fail;
		json_decref(r);
	}
	if (ferry_stage_commit(st, NULL) < 0)
		goto fail;
	fprintf(stderr, "staged %s: %" PRId64 "\n", object, n);
	return;
fail:
	fprintf(stderr, "staging %s: %s\n", object, ferry_error_last());
	exit(1);
}

static int cmd_stage(const char *dir, double scale)
{
	struct ferry_workspace *ws = NULL;
	int64_t n[] = {(int64_t)(100000 * scale), (int64_t)(300000 * scale),
	               (int64_t)(100000 * scale), (int64_t)(150000 * scale),
	               (int64_t)(250000 * scale)};

	if (ferry_workspace_init(dir) < 0 || ferry_workspace_open(&ws, dir) < 0)
		goto fail;
	describe(ws, "Account", "001", account, FERRY_ARRAY_LEN(account));
	describe(ws, "Contact", "003", contact, FERRY_ARRAY_LEN(contact));
	describe(ws, "Lead", "00Q", lead, FERRY_ARRAY_LEN(lead));
	describe(ws, "Opportunity", "006", opportunity,
	         FERRY_ARRAY_LEN(opportunity));
	describe(ws, "Task", "00T", activity, FERRY_ARRAY_LEN(activity));
	describe(ws, "Event", "00U", activity, FERRY_ARRAY_LEN(activity));
	describe(ws, "User", "005", user, FERRY_ARRAY_LEN(user));
	if (ferry_facts_put(ws, "salesforce/tooling/ApexTrigger",
	                    "{\"total\":4,\"by_object\":{\"Account\":3,"
	                    "\"Opportunity\":1}}") < 0)
		goto fail;
	stage_object(ws, "User", "005", 200, n);
	stage_object(ws, "Account", "001", n[0], n);
	stage_object(ws, "Contact", "003", n[1], n);
	stage_object(ws, "Lead", "00Q", n[2], n);
	stage_object(ws, "Opportunity", "006", n[3], n);
	stage_object(ws, "Task", "00T", n[4], n);
	stage_object(ws, "Event", "00U", n[4], n);
	ferry_workspace_free(ws);
	return 0;
fail:
	fprintf(stderr, "%s\n", ferry_error_last());
	return 1;
}

static int cmd_run(const char *dir)
{
	struct ferry_analyze_opts o = {.write_rate = 25};
	struct ferry_workspace *ws = NULL;
	json_t *report = NULL, *r;
	int64_t t0, records;
	double secs;
	size_t i;

	if (ferry_workspace_open(&ws, dir) < 0)
		goto fail;
	t0 = ferry_clock_mono_us();
	if (ferry_analyze_run(&report, ws, &o) < 0)
		goto fail;
	secs = (double)(ferry_clock_mono_us() - t0) / 1e6;
	records = json_integer_value(
	    json_object_get(json_object_get(report, "source"), "records"));
	printf("analyzed %" PRId64 " records in %.2f s: %.0f records/s\n",
	       records, secs, (double)records / secs);
	printf("score: %s\nestimate: %s\n",
	       json_string_value(json_object_get(
	           json_object_get(report, "score"), "explanation")),
	       json_string_value(json_object_get(
	           json_object_get(report, "estimate"), "explanation")));
	json_array_foreach(json_object_get(report, "risks"), i, r) printf(
	    "  %-6s %s\n", json_string_value(json_object_get(r, "severity")),
	    json_string_value(json_object_get(r, "title")));
	if (ferry_analyze_write_mapping(report, ws) < 0 ||
	    ferry_analyze_write_reports(report, ws) < 0)
		goto fail;
	json_decref(report);
	ferry_workspace_free(ws);
	return 0;
fail:
	fprintf(stderr, "%s\n", ferry_error_last());
	return 1;
}

int main(int argc, char **argv)
{
	double scale = 1.0;

	if (argc >= 3 && !strcmp(argv[1], "stage")) {
		if (argc > 3 && ferry_parse_double(argv[3], &scale) < 0)
			return 2;
		return cmd_stage(argv[2], scale);
	}
	if (argc == 3 && !strcmp(argv[1], "run"))
		return cmd_run(argv[2]);
	fprintf(stderr,
	        "usage: analyze_bench stage <dir> [scale] | run <dir>\n");
	return 2;
}
