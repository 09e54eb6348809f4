/* dedup_bench.c: measures the dedup engine on a large staged org. Not
 * built by CMake (it stages a million records, which no test should):
 * build it by hand against a build folder, stage once, then time dedup
 * alone (peak memory is the process's, so stage and run are separate):
 *
 *   cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *      -DFERRY_VERSION='"bench"' -Iinclude -Isrc/util -Isrc/lib \
 *      bench/dedup_bench.c build/libferry_core.a build/libferry_util.a \
 *      $(pkg-config --libs libcurl sqlite3 jansson yaml-0.1 libpsl \
 *      libcrypto) -lpthread -lm -o dedup_bench
 *   ./dedup_bench stage /tmp/dd-org 1.0   # 1M records (0.25: a quarter)
 *   ./dedup_bench run /tmp/dd-org         # prints records/s, peak RSS
 *
 * The org: 700k contacts and 300k leads (times the scale). About 5% of
 * the contacts reuse an earlier contact's email, 5% of the leads a
 * contact's email (in capitals), 2% of the phones are another record's
 * (leads write them nationally: "(212) 555-0100"), so clusters chain
 * across keys and objects; 1 key in 200 "exists" at the destination
 * (a fake lookup). */
#include "util.h"

#include <sys/resource.h>

#include "ferry/dedup.h"
#include "ferry/workspace.h"

static uint64_t mix(uint64_t x, uint64_t salt)
{
	x ^= salt * 0x9E3779B97F4A7C15ULL;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static bool chance(int64_t i, uint64_t salt, unsigned percent)
{
	return mix((uint64_t)i, salt) % 100 < percent;
}

static int64_t earlier(int64_t i, uint64_t salt)
{
	return i > 0 ? (int64_t)(mix((uint64_t)i, salt) % (uint64_t)i) : 0;
}

static void base_email(char *out, size_t len, int64_t i, bool caps)
{
	snprintf(out, len,
	         caps ? "User%" PRId64 "@Co%" PRId64 ".COM"
	              : "user%" PRId64 "@co%" PRId64 ".com",
	         i, i % 50000);
}

static void base_phone(char *out, size_t len, int64_t i, bool national)
{
	int64_t n = i % 10000000;

	if (national)
		snprintf(out, len, "(212) %03" PRId64 "-%04" PRId64, n / 10000,
		         n % 10000);
	else
		snprintf(out, len, "+1 212 %03" PRId64 " %04" PRId64, n / 10000,
		         n % 10000);
}

static void put(json_t *r, const char *k, const char *v)
{
	json_object_set_new(r, k, json_string(v));
}

static void record(json_t *r, bool lead, int64_t i, int64_t n_contacts)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "First%" PRId64, i % 977);
	put(r, "FirstName", buf);
	snprintf(buf, sizeof(buf), "Last%" PRId64, i % 4099);
	put(r, "LastName", buf);
	if (!lead)
		base_email(buf, sizeof(buf),
		           chance(i, 1, 5) ? earlier(i, 2) : i, false);
	else if (chance(i, 3, 5))
		base_email(
		    buf, sizeof(buf),
		    (int64_t)(mix((uint64_t)i, 4) % (uint64_t)n_contacts),
		    true);
	else
		snprintf(buf, sizeof(buf),
		         "lead%" PRId64 "@prospect%" PRId64 ".io", i,
		         i % 30000);
	put(r, "Email", buf);
	if (chance(i, lead ? 5 : 6, 60)) {
		if (chance(i, 7, 2))
			base_phone(buf, sizeof(buf),
			           lead ? (int64_t)(mix((uint64_t)i, 8) %
			                            (uint64_t)n_contacts)
			                : earlier(i, 8),
			           lead);
		else
			base_phone(buf, sizeof(buf),
			           lead ? 5000000 + i % 5000000 : i, lead);
		put(r, "Phone", buf);
	}
	if (chance(i, 9, 50))
		put(r, "Title", "Director of Operations");
	put(r, "MailingCity", "London");
	put(r, "OwnerId", "005000000000001AAA");
	snprintf(buf, sizeof(buf), "20%02d-%02d-%02dT10:%02d:00.000+0000",
	         (int)(mix((uint64_t)i, 10) % 20),
	         (int)(mix((uint64_t)i, 11) % 12) + 1,
	         (int)(mix((uint64_t)i, 12) % 28) + 1, (int)(i % 60));
	put(r, "CreatedDate", buf);
	if (lead)
		put(r, "Status", "Working");
}

static void stage_object(struct ferry_workspace *ws, const char *object,
                         int64_t n, int64_t n_contacts)
{
	bool lead = !strcmp(object, "Lead");
	struct ferry_stage *st = NULL;
	char rid[32];
	int64_t i;

	if (ferry_stage_begin(&st, ws, object, "dedup_bench") < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		json_t *r = json_object();

		snprintf(rid, sizeof(rid), "%s%012" PRId64 "AAA",
		         lead ? "00Q" : "003", i);
		put(r, "Id", rid);
		record(r, lead, i, n_contacts);
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
	int64_t contacts = (int64_t)(700000 * scale);

	if (ferry_workspace_init(dir) < 0 || ferry_workspace_open(&ws, dir) < 0)
		goto fail;
	stage_object(ws, "Contact", contacts, contacts);
	stage_object(ws, "Lead", (int64_t)(300000 * scale), contacts);
	ferry_workspace_free(ws);
	return 0;
fail:
	fprintf(stderr, "%s\n", ferry_error_last());
	return 1;
}

static int lookups;

/* One key in 200 is "already at the destination". */
static int fake_lookup(const char *key, char *dest_id, size_t size,
                       void *payload)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	(void)payload;
	lookups++;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	if (mix(h, 13) % 200)
		return FERRY_ENOTFOUND;
	snprintf(dest_id, size, "rec-%016" PRIx64, h);
	return 0;
}

static int cmd_run(const char *dir)
{
	static const char *const objects[] = {"Contact", "Lead"};
	static const char *const emails[] = {"Email"};
	static const char *const phones[] = {"Phone", "MobilePhone"};
	static const struct ferry_dedup_field fields[] = {
	    {"FirstName", FERRY_DEDUP_FILL_DEFAULT},
	    {"LastName", FERRY_DEDUP_FILL_DEFAULT},
	    {"Email", FERRY_DEDUP_FILL_DEFAULT},
	    {"Phone", FERRY_DEDUP_FILL_DEFAULT},
	    {"Title", FERRY_DEDUP_FILL_NEWEST},
	    {"MailingCity", FERRY_DEDUP_FILL_DEFAULT},
	};
	struct ferry_dedup_key keys[] = {
	    {.kind = FERRY_DEDUP_EMAIL,
	     .fields = emails,
	     .n_fields = 1,
	     .lookup = fake_lookup},
	    {.kind = FERRY_DEDUP_PHONE,
	     .fields = phones,
	     .n_fields = 2,
	     .lookup = fake_lookup},
	};
	struct ferry_dedup_config cfg = {
	    .objects = objects,
	    .n_objects = 2,
	    .keys = keys,
	    .n_keys = 2,
	    .rule = FERRY_DEDUP_OLDEST,
	    .fields = fields,
	    .n_fields = FERRY_ARRAY_LEN(fields),
	    .default_country = "US",
	};
	struct ferry_workspace *ws = NULL;
	struct ferry_dedup_stats s;
	struct rusage ru;
	int64_t t0;
	double secs;

	if (ferry_workspace_open(&ws, dir) < 0)
		goto fail;
	t0 = ferry_clock_mono_us();
	if (ferry_dedup_run(ws, &cfg, &s) < 0)
		goto fail;
	secs = (double)(ferry_clock_mono_us() - t0) / 1e6;
	getrusage(RUSAGE_SELF, &ru);
	printf("deduplicated %" PRId64 " records in %.2f s: %.0f records/s\n",
	       s.records, secs, (double)s.records / secs);
	printf("clusters %" PRId64 ", survivors %" PRId64 ", merged %" PRId64
	       ", held %" PRId64 ", matched %" PRId64 ", lookups %d\n",
	       s.clusters, s.survivors, s.merged, s.held, s.matched, lookups);
	printf("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
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
	fprintf(stderr, "usage: dedup_bench stage <dir> [scale] | run <dir>\n");
	return 2;
}
