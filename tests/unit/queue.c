/* queue.c: tests of the conflict queue. Overrides and skips are kept
 * beside the staging and read by every plan; each is an audit event; a
 * bad field or record is refused with a clear message. The central
 * property: re-planning a few records (ferry_plan_records) leaves the
 * plan exactly as a whole plan would, checked on the sample org after
 * random edits (values copied from other records, so merges and unique
 * clashes come and go), skips and mapping fixes, over several seeds. */
#include "helpers.h"
#include "util.h"

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/analyze.h"
#include "ferry/export.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/queue.h"
#include "ferry/workspace.h"

struct fixture {
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_mapfile *m;
	char *mapping;
};

static char *read_text(const char *path)
{
	struct ferry_buf b = FERRY_BUF_INIT;

	assert_int_equal(test_read_file(&b, path), 0);
	return ferry_buf_detach(&b, NULL);
}

static struct ferry_mapfile *parse(const char *text)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_mapfile_parse(&m, "mapping.yaml", text, strlen(text)) < 0)
		fail_msg("mapping: %s", ferry_error_last());
	return m;
}

/* The sample org staged and analyzed, with the owners a person would
 * add, so what is held is held for the data. */
static void setup(struct fixture *f, const char *name)
{
	char *src, *path, *draft;
	json_t *report = NULL;
	struct ferry_analyze_opts ao;
	const char *cut;

	memset(f, 0, sizeof(*f));
	f->dir = test_tmpdir(name);
	assert_int_equal(ferry_workspace_init(f->dir), 0);
	assert_int_equal(ferry_workspace_open(&f->ws, f->dir), 0);
	src = ferry_xasprintf("%s/examples/sample-org", test_source_dir());
	if (ferry_export_stage(f->ws, src, NULL, NULL) < 0)
		fail_msg("staging the sample org: %s", ferry_error_last());
	memset(&ao, 0, sizeof(ao));
	ao.write_rate = 25;
	assert_int_equal(ferry_analyze_run(&report, f->ws, &ao), 0);
	assert_int_equal(ferry_analyze_write_mapping(report, f->ws), 0);
	path = ferry_xasprintf("%s/mapping.yaml", f->dir);
	draft = read_text(path);
	assert_non_null(cut = strstr(draft, "  table: {}"));
	f->mapping = ferry_xasprintf("%.*s  table:\n"
	                             "    005Dn000001AbCdIAK: ann@yourco.com\n"
	                             "    005Dn000001QrStIAK: bob@yourco.com\n"
	                             "options:\n  default_country: US\n",
	                             (int)(cut - draft), draft);
	f->m = parse(f->mapping);
	json_decref(report);
	free(draft);
	free(path);
	free(src);
}

static void teardown(struct fixture *f)
{
	ferry_mapfile_free(f->m);
	ferry_workspace_free(f->ws);
	free(f->mapping);
	free(f->dir);
}

static void plan_all(struct fixture *f, int64_t *changed)
{
	struct ferry_plan_stats s;

	memset(&s, 0, sizeof(s));
	if (ferry_plan_run(f->ws, f->m, NULL, &s) < 0)
		fail_msg("plan: %s", ferry_error_last());
	if (changed)
		*changed = s.changed;
	ferry_plan_stats_release(&s);
}

static void replan(struct fixture *f, const struct ferry_plan_ref *refs,
                   size_t n, struct ferry_plan_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (ferry_plan_records(f->ws, f->m, NULL, refs, n, s) < 0)
		fail_msg("re-plan: %s", ferry_error_last());
}

static sqlite3 *db_open(struct fixture *f)
{
	char *path = ferry_xasprintf("%s/.ferry/state.db", f->dir);
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	free(path);
	return db;
}

/* The whole plan as one text, planned_at left out. */
static char *snapshot(struct fixture *f)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	sqlite3 *db = db_open(f);
	sqlite3_stmt *st = NULL;
	int c;

	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT object, source_id, decision, "
	                       "payload_sha256, dest_object, match_attribute, "
	                       "match_value, survivor_object, survivor_id, "
	                       "reasons, notes FROM plan ORDER BY object, "
	                       "source_id",
	                       -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (c = 0; c < 11; c++)
			assert_int_equal(
			    ferry_buf_printf(
			        &b, "%s\t",
			        (const char *)sqlite3_column_text(st, c)),
			    0);
		assert_int_equal(ferry_buf_puts(&b, "\n"), 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ferry_buf_detach(&b, NULL);
}

static char *decision_of(struct fixture *f, const char *object, const char *id)
{
	json_t *r = NULL;
	char *d;

	if (ferry_plan_get(&r, f->ws, object, id) < 0)
		fail_msg("%s %s: %s", object, id, ferry_error_last());
	d = ferry_xstrdup(json_string_value(json_object_get(r, "decision")));
	json_decref(r);
	return d;
}

/* The first line where two snapshots differ, in the failure message. */
static void assert_same_plan(const char *partial, const char *whole,
                             const char *what)
{
	size_t i = 0, line = 1, start = 0;

	if (!strcmp(partial, whole))
		return;
	while (partial[i] && partial[i] == whole[i]) {
		if (partial[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	fail_msg("%s: the re-plan differs from a whole plan at row %zu:\n"
	         "  re-plan: %.300s\n  whole:   %.300s",
	         what, line, partial + start, whole + start);
}

/*
 * Overrides.
 */

static void test_overrides(void **state)
{
	struct fixture f;
	json_t *rec = NULL;
	int64_t before, after;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;

	(void)state;
	setup(&f, "queue-overrides");
	plan_all(&f, NULL);
	/* An unknown field names the nearest one. */
	assert_int_equal(ferry_queue_set(f.ws, "Contact", "003Dn0000001A21IAE",
	                                 "Emial", "x@y.com"),
	                 FERRY_EINVALID);
	assert_non_null(strstr(ferry_error_last(), "did you mean 'Email'"));
	assert_int_equal(
	    ferry_queue_set(f.ws, "Contact", "003NOPE", "Email", "x@y.com"),
	    FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "Contact 003NOPE is not "
	                                           "staged"));
	assert_int_equal(
	    ferry_queue_skip(f.ws, "Contact", "003Dn0000001A21IAE", ""),
	    FERRY_EINVALID);
	assert_int_equal(ferry_queue_set(f.ws, "Contact", "003Dn0000001A21IAE",
	                                 "Email", "bad\xff"),
	                 FERRY_EINVALID);

	db = db_open(&f);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM audit", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	before = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	assert_int_equal(ferry_queue_set(f.ws, "Contact", "003Dn0000001A21IAE",
	                                 "Email", "john@acme.com"),
	                 0);
	assert_int_equal(
	    ferry_queue_set(f.ws, "Contact", "003Dn0000001A21IAE", "Title", ""),
	    0);
	assert_int_equal(ferry_queue_skip(f.ws, "Contact", "003Dn0000001A21IAE",
	                                  "a test contact"),
	                 0);
	assert_int_equal(
	    ferry_queue_record(&rec, f.ws, "Contact", "003Dn0000001A21IAE"), 0);
	/* The staging is untouched; the record as planned has the edit. */
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(rec, "overrides"), "Email"),
	        "staged")),
	    " John.Smith@Acme.com ");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(rec, "fields"), "Email")),
	                    "john@acme.com");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(rec, "fields"), "Title")),
	                    "");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(rec, "skip"), "note")),
	                    "a test contact");
	json_decref(rec);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	after = sqlite3_column_int64(st, 0);
	assert_int_equal(after - before, 3);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* One field, then everything. */
	assert_int_equal(
	    ferry_queue_unset(f.ws, "Contact", "003Dn0000001A21IAE", "Title"),
	    1);
	assert_int_equal(
	    ferry_queue_unset(f.ws, "Contact", "003Dn0000001A21IAE", NULL), 2);
	assert_int_equal(
	    ferry_queue_unset(f.ws, "Contact", "003Dn0000001A21IAE", NULL), 0);
	teardown(&f);
}

struct held_list {
	json_t *ids; /* ["object id"] */
	const char *code;
};

static int on_held(const struct ferry_queue_item *item, void *payload)
{
	struct held_list *l = payload;
	size_t i;
	json_t *r;

	json_array_foreach(item->reasons, i, r)
	{
		assert_non_null(
		    json_string_value(json_object_get(r, "message")));
	}
	json_array_append_new(
	    l->ids, json_pack("[s, s]", item->object, item->source_id));
	return 0;
}

static void test_skip_and_edit(void **state)
{
	struct fixture f;
	struct held_list l = {json_array(), NULL};
	struct ferry_queue_filter flt = {"Contact", NULL, NULL};
	struct ferry_plan_stats s;
	struct ferry_plan_ref ref;
	char *whole, *partial, *d, *text;
	const char *obj, *id;
	json_t *r = NULL;
	int64_t changed;

	(void)state;
	setup(&f, "queue-skip");
	plan_all(&f, NULL);
	assert_int_equal(ferry_queue_foreach(f.ws, &flt, on_held, &l), 0);
	assert_true(json_array_size(l.ids) > 0);
	obj = json_string_value(json_array_get(json_array_get(l.ids, 0), 0));
	id = json_string_value(json_array_get(json_array_get(l.ids, 0), 1));

	/* Skipped by a person, with the reason given. */
	assert_int_equal(ferry_queue_skip(f.ws, obj, id, "test record"), 0);
	ref.object = obj;
	ref.source_id = id;
	replan(&f, &ref, 1, &s);
	assert_true(s.partial);
	assert_int_equal(s.asked, 1);
	assert_true(s.replanned >= 1);
	ferry_plan_stats_release(&s);
	d = decision_of(&f, obj, id);
	assert_string_equal(d, "skipped");
	free(d);
	assert_int_equal(ferry_plan_get(&r, f.ws, obj, id), 0);
	text = json_dumps(json_object_get(r, "reasons"), 0);
	assert_non_null(
	    strstr(text, "left out with `ferry queue skip`: test record"));
	free(text);
	json_decref(r);
	partial = snapshot(&f);
	plan_all(&f, &changed);
	assert_int_equal(changed, 0);
	whole = snapshot(&f);
	assert_same_plan(partial, whole, "skip");
	free(partial);
	free(whole);

	/* Cleared: back to held as before. */
	assert_int_equal(ferry_queue_unset(f.ws, obj, id, NULL), 1);
	replan(&f, &ref, 1, &s);
	ferry_plan_stats_release(&s);
	d = decision_of(&f, obj, id);
	assert_string_equal(d, "held");
	free(d);

	/* A ref that is not staged changes nothing. */
	ref.source_id = "003NOTSTAGED000AAA";
	memset(&s, 0, sizeof(s));
	assert_int_equal(ferry_plan_records(f.ws, f.m, NULL, &ref, 1, &s),
	                 FERRY_ENOTFOUND);
	json_decref(l.ids);
	teardown(&f);
}

/* An edit merges a record into another; removing the edit must undo
 * the merge (dedup runs again for a record whose overrides went away). */
static void test_unset_unmerges(void **state)
{
	static const char id[] = "001Dn00000Kv2WdIAJ";
	struct ferry_plan_ref ref = {"Account", id};
	struct ferry_plan_stats s;
	struct fixture f;
	char *before, *d, *partial, *whole;
	int64_t changed;

	(void)state;
	setup(&f, "queue-unmerge");
	plan_all(&f, NULL);
	before = decision_of(&f, "Account", id);
	assert_string_not_equal(before, "merged");
	assert_int_equal(
	    ferry_queue_set(f.ws, "Account", id, "Website", "acme.com"), 0);
	replan(&f, &ref, 1, &s);
	ferry_plan_stats_release(&s);
	d = decision_of(&f, "Account", id);
	assert_string_equal(d, "merged");
	free(d);
	assert_int_equal(ferry_queue_unset(f.ws, "Account", id, NULL), 1);
	replan(&f, &ref, 1, &s);
	ferry_plan_stats_release(&s);
	d = decision_of(&f, "Account", id);
	assert_string_equal(d, before);
	free(d);
	partial = snapshot(&f);
	plan_all(&f, &changed);
	whole = snapshot(&f);
	assert_same_plan(partial, whole, "edit removed");
	assert_int_equal(changed, 0);
	free(partial);
	free(whole);
	free(before);
	teardown(&f);
}

/* Staged values of one column, to copy between records. */
static json_t *column(struct fixture *f, const char *object, const char *col)
{
	json_t *out = json_array();
	sqlite3 *db = db_open(f);
	sqlite3_stmt *st = NULL;
	char *path = ferry_xasprintf("$.%s", col);

	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT source_id, "
	                                    "json_extract(fields, ?2) FROM "
	                                    "staged_records WHERE object = ?1 "
	                                    "ORDER BY line",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 1);

		json_array_append_new(
		    out, json_pack("[s, s]",
		                   (const char *)sqlite3_column_text(st, 0),
		                   v ? v : ""));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return out;
}

/* A small deterministic generator (xorshift). */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random edits: a column's value copied from another record (a shared
 * email or website merges or clashes), emptied, or a skip; then the
 * edited records alone are re-planned, and the plan must be the one a
 * whole plan gives. */
static void test_partial_equals_whole(void **state)
{
	static const struct {
		const char *object, *col;
	} cols[] = {
	    {"Contact", "Email"},    {"Contact", "AccountId"},
	    {"Contact", "Phone"},    {"Contact", "MailingCountry"},
	    {"Account", "Website"},  {"Account", "Name"},
	    {"Account", "Industry"},
	};
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 6; seed++) {
		struct fixture f;
		uint64_t rng = 0x9e3779b97f4a7c15ULL * seed;
		int round;

		setup(&f, "queue-property");
		plan_all(&f, NULL);
		for (round = 0; round < 4; round++) {
			struct ferry_plan_ref refs[4];
			char *partial, *whole, what[64];
			struct ferry_plan_stats s;
			int64_t changed;
			size_t k, n = 1 + next(&rng) % 3;
			char *keep[4];

			for (k = 0; k < n; k++) {
				size_t c = next(&rng) % FERRY_ARRAY_LEN(cols);
				json_t *vals =
				    column(&f, cols[c].object, cols[c].col);
				size_t sz = json_array_size(vals);
				json_t *to =
				    json_array_get(vals, next(&rng) % sz);
				json_t *from =
				    json_array_get(vals, next(&rng) % sz);
				const char *id =
				    json_string_value(json_array_get(to, 0));
				int what_kind = (int)(next(&rng) % 6);

				keep[k] = ferry_xstrdup(id);
				refs[k].object = cols[c].object;
				refs[k].source_id = keep[k];
				if (what_kind == 0)
					assert_int_equal(
					    ferry_queue_skip(f.ws,
					                     cols[c].object, id,
					                     "property"),
					    0);
				else if (what_kind == 1)
					assert_int_equal(
					    ferry_queue_set(f.ws,
					                    cols[c].object, id,
					                    cols[c].col, ""),
					    0);
				else if (what_kind == 2)
					assert_true(ferry_queue_unset(
					                f.ws, cols[c].object,
					                id, NULL) >= 0);
				else
					assert_int_equal(
					    ferry_queue_set(
					        f.ws, cols[c].object, id,
					        cols[c].col,
					        json_string_value(
					            json_array_get(from, 1))),
					    0);
				json_decref(vals);
			}
			replan(&f, refs, n, &s);
			ferry_plan_stats_release(&s);
			partial = snapshot(&f);
			plan_all(&f, &changed);
			whole = snapshot(&f);
			snprintf(what, sizeof(what), "seed %d round %d",
			         (int)seed, round);
			assert_same_plan(partial, whole, what);
			if (changed != 0)
				fail_msg("%s: a whole plan changed %" PRId64
				         " decisions the re-plan left",
				         what, changed);
			free(partial);
			free(whole);
			for (k = 0; k < n; k++)
				free(keep[k]);
		}
		teardown(&f);
	}
}

/* A person fixes a value table: retrying the records held for it
 * releases them and nothing else moves. */
static void test_value_table_retry(void **state)
{
	struct fixture f;
	struct held_list l = {json_array(), NULL};
	struct ferry_queue_filter flt = {NULL, "owner_no_user", NULL};
	struct ferry_plan_ref *refs;
	struct ferry_plan_stats s;
	char *partial, *whole, *text;
	int64_t changed;
	size_t i, n;

	(void)state;
	setup(&f, "queue-retry");
	plan_all(&f, NULL);
	/* Records owned by 005Dn000001XyZwIAK wait for the owners table. */
	assert_int_equal(ferry_queue_foreach(f.ws, &flt, on_held, &l), 0);
	n = json_array_size(l.ids);
	assert_true(n > 0);
	text = ferry_xasprintf("%s", f.mapping);
	{
		char *at =
		    strstr(text, "    005Dn000001QrStIAK: bob@yourco.com\n");
		char *fixed;

		assert_non_null(at);
		fixed = ferry_xasprintf(
		    "%.*s    005Dn000001XyZwIAK: cy@yourco.com\n%s",
		    (int)(at - text), text, at);
		free(text);
		text = fixed;
	}
	ferry_mapfile_free(f.m);
	f.m = parse(text);
	refs = ferry_xcalloc(n, sizeof(*refs));
	for (i = 0; i < n; i++) {
		refs[i].object = json_string_value(
		    json_array_get(json_array_get(l.ids, i), 0));
		refs[i].source_id = json_string_value(
		    json_array_get(json_array_get(l.ids, i), 1));
	}
	replan(&f, refs, n, &s);
	assert_int_equal(s.asked, (int64_t)n);
	assert_true(s.by_decision[FERRY_PLAN_WRITE] > 0);
	ferry_plan_stats_release(&s);
	partial = snapshot(&f);
	plan_all(&f, &changed);
	whole = snapshot(&f);
	assert_same_plan(partial, whole, "owners table fixed");
	free(partial);
	free(whole);
	free(refs);
	free(text);
	json_decref(l.ids);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overrides),
	    cmocka_unit_test(test_skip_and_edit),
	    cmocka_unit_test(test_unset_unmerges),
	    cmocka_unit_test(test_partial_equals_whole),
	    cmocka_unit_test(test_value_table_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
