/* rollback.c: ferry rollback (rollback.h). The read-to-write conversion of
 * each value type; the restore decision (as before: nothing; changed in
 * Attio after ferry's write, or emptied: left; otherwise put back); a
 * reference taken out; the survey's counts and reverse load order; and a
 * whole rollback against the Attio sandbox of ledger rows put by hand: a
 * company, a note, a task and a list entry ferry created are deleted (one
 * already gone counts as done), a person it updated gets its values back
 * (one changed since keeps the changed attribute), a reference it added
 * to a deal is taken out, what existed or is unknown is left, Attio's
 * refusal leaves the row and is reported with Attio's message; a second
 * rollback does nothing more; one stopped midway and run again ends in
 * the same state. */
#include "helpers.h"
#include "util.h"

#include <unistd.h>

#include "ferry/attio.h"
#include "ferry/rollback.h"
#include "store/store.h"

static json_t *J(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);

	if (!v)
		fail_msg("bad JSON in the test: %s: %s", err.text, text);
	return v;
}

static void assert_json(const json_t *got, const char *want)
{
	json_t *w = J(want);
	char *g =
	    json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!json_equal((json_t *)(uintptr_t)got, w))
		fail_msg("got %s, want %s", g ? g : "NULL", want);
	free(g);
	json_decref(w);
}

static void test_classify(void **state)
{
	FERRY_UNUSED(state);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_WRITTEN, "created", true),
	    FERRY_RB_DELETE);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_WRITTEN, "updated", true),
	    FERRY_RB_RESTORE);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_FAILED, "appended", true),
	    FERRY_RB_UNLINK);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_WRITTEN, "existed", true),
	    FERRY_RB_EXISTED);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_WRITTEN, "", true),
	    FERRY_RB_UNKNOWN);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_PENDING, "created", false),
	    FERRY_RB_IN_DOUBT);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_ROLLED_BACK, "created", true),
	    FERRY_RB_DONE);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_MERGED, "created", true),
	    FERRY_RB_NOTHING);
	assert_int_equal(
	    ferry_rollback_classify(FERRY_LEDGER_SKIPPED, "", false),
	    FERRY_RB_NOTHING);
}

static void write_form(const char *read, const char *want)
{
	json_t *r = J(read), *w;
	char why[256];

	w = ferry_rollback_write_value(r, why, sizeof(why));
	if (!want) {
		assert_null(w);
		assert_true(why[0] != '\0');
	} else {
		if (!w)
			fail_msg("%s: %s", read, why);
		assert_json(w, want);
	}
	json_decref(w);
	json_decref(r);
}

static void test_write_values(void **state)
{
	FERRY_UNUSED(state);
	write_form("{\"attribute_type\":\"text\",\"value\":\"x\","
	           "\"active_from\":\"2026-01-01T00:00:00Z\"}",
	           "\"x\"");
	write_form("{\"attribute_type\":\"number\",\"value\":4.5}", "4.5");
	write_form("{\"attribute_type\":\"checkbox\",\"value\":true}", "true");
	write_form("{\"attribute_type\":\"currency\",\"currency_value\":12.5,"
	           "\"currency_code\":\"USD\"}",
	           "{\"currency_value\":12.5}");
	write_form("{\"attribute_type\":\"select\",\"option\":{\"id\":"
	           "{\"option_id\":\"o1\"},\"title\":\"Gold\"}}",
	           "{\"option\":\"o1\"}");
	write_form("{\"attribute_type\":\"status\",\"status\":{\"title\":"
	           "\"Lead\"}}",
	           "{\"status\":\"Lead\"}");
	write_form("{\"attribute_type\":\"record-reference\",\"target_object\":"
	           "\"companies\",\"target_record_id\":\"r1\"}",
	           "{\"target_object\":\"companies\",\"target_record_id\":"
	           "\"r1\"}");
	write_form("{\"attribute_type\":\"actor-reference\","
	           "\"referenced_actor_type\":\"workspace-member\","
	           "\"referenced_actor_id\":\"m1\"}",
	           "{\"referenced_actor_type\":\"workspace-member\","
	           "\"referenced_actor_id\":\"m1\"}");
	write_form("{\"attribute_type\":\"actor-reference\","
	           "\"referenced_actor_type\":\"system\","
	           "\"referenced_actor_id\":\"s\"}",
	           NULL);
	write_form(
	    "{\"attribute_type\":\"personal-name\",\"first_name\":\"Ada\","
	    "\"last_name\":\"Lovelace\",\"full_name\":\"Ada Lovelace\"}",
	    "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
	    "\"full_name\":\"Ada Lovelace\"}");
	write_form("{\"attribute_type\":\"email-address\",\"email_address\":"
	           "\"ada@x.com\",\"original_email_address\":\"Ada@x.com\"}",
	           "{\"email_address\":\"Ada@x.com\"}");
	write_form("{\"attribute_type\":\"domain\",\"domain\":\"acme.com\","
	           "\"root_domain\":\"acme.com\"}",
	           "{\"domain\":\"acme.com\"}");
	write_form(
	    "{\"attribute_type\":\"phone-number\","
	    "\"original_phone_number\":\"07234172834\","
	    "\"country_code\":\"GB\",\"phone_number\":\"+447234172834\"}",
	    "{\"original_phone_number\":\"07234172834\","
	    "\"country_code\":\"GB\"}");
	write_form("{\"attribute_type\":\"location\",\"line_1\":\"1 Road\","
	           "\"locality\":\"Leeds\"}",
	           "{\"line_1\":\"1 Road\",\"line_2\":null,\"line_3\":null,"
	           "\"line_4\":null,\"locality\":\"Leeds\",\"region\":null,"
	           "\"postcode\":null,\"country_code\":null,\"latitude\":null,"
	           "\"longitude\":null}");
	write_form("{\"attribute_type\":\"interaction\"}", NULL);
	write_form("{\"value\":1}", NULL);
}

static void test_parse_time(void **state)
{
	int64_t a, b;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_rollback_parse_time("1970-01-01T00:00:01Z", &a),
	                 0);
	assert_int_equal(a, 1000000);
	assert_int_equal(
	    ferry_rollback_parse_time("2026-11-23T15:00:16.815088000Z", &a), 0);
	assert_int_equal(
	    ferry_rollback_parse_time("2026-11-23T15:00:16.815089Z", &b), 0);
	assert_int_equal(b - a, 1);
	assert_int_equal(a % 1000000, 815088);
	assert_int_equal(ferry_rollback_parse_time("2026-11-23", &a),
	                 FERRY_EINVALID);
	assert_int_equal(
	    ferry_rollback_parse_time("2026-11-23T15:00:16+02:00", &a),
	    FERRY_EINVALID);
	assert_int_equal(ferry_rollback_parse_time("2026-13-23T15:00:16Z", &a),
	                 FERRY_EINVALID);
}

/* A text value set at `at` by an API token. */
#define TV(v, at)                                                              \
	"{\"attribute_type\":\"text\",\"value\":\"" v                          \
	"\",\"active_from\":\"" at                                             \
	"\",\"active_until\":null,\"created_by_actor\":{\"type\":"             \
	"\"api-token\",\"id\":\"t\"}}"

static void test_restore(void **state)
{
	json_t *prior, *cur, *put = NULL, *left = NULL;
	int64_t ferry_at;

	FERRY_UNUSED(state);
	/* Ferry wrote at 12:00:00. */
	assert_int_equal(
	    ferry_rollback_parse_time("2026-01-01T12:00:00Z", &ferry_at), 0);
	prior = J("{\"job_title\":[" TV(
	    "Before",
	    "2025-01-01T00:00:00Z") "],"
	                            "\"description\":[],"
	                            "\"nickname\":[" TV(
	                                "Nick",
	                                "2025-01-01T00:00:00Z") "],"
	                                                        "\"twitter\":"
	                                                        "[" TV(
	                                                            "tw",
	                                                            "2025-01-"
	                                                            "01T00:00:"
	                                                            "00Z") "],"
	                                                                   "\"c"
	                                                                   "ity"
	                                                                   "\":"
	                                                                   "[" TV(
	                                                                       "Leeds",
	                                                                       "2025-01-01T00:00:00Z") "],"
	                                                                                               "\"owner\":[{\"attribute_type\":\"interaction\"}]}");
	/* job_title: ferry's value (set at ferry's write): put back;
	 * description: ferry added one: cleared; nickname: someone changed
	 * it after ferry: left; twitter: as before: nothing; city: emptied
	 * since: left; owner: cannot be written: left. */
	cur = J("{\"job_title\":[" TV(
	    "Ferry",
	    "2026-01-01T11:59:59.5Z") "],"
	                              "\"description\":[" TV("D",
	                                                     "2026-01-01T11:59:"
	                                                     "59Z") "],"
	                                                            "\"nickname"
	                                                            "\":[" TV(
	                                                                "Change"
	                                                                "d",
	                                                                "2026-"
	                                                                "01-"
	                                                                "01T12:"
	                                                                "00:"
	                                                                "05Z") "],"
	                                                                       "\"twitter\":[" TV(
	                                                                           "tw",
	                                                                           "2025-06-01T00:00:00Z") "],"
	                                                                                                   "\"city\":[],"
	                                                                                                   "\"owner\":[]}");
	assert_int_equal(
	    ferry_rollback_restore(&put, &left, prior, cur, ferry_at), 0);
	assert_json(put, "{\"job_title\":[\"Before\"],\"description\":[]}");
	assert_int_equal(json_array_size(left), 3);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(left, 0), "attribute")),
	                    "nickname");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(left, 0), "why")),
	    "changed in Attio after ferry"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(left, 1), "attribute")),
	                    "city");
	assert_non_null(strstr(
	    json_string_value(json_object_get(json_array_get(left, 1), "why")),
	    "emptied"));
	json_decref(put);
	json_decref(left);
	json_decref(cur);
	/* An API token's value within a second of ferry's write is taken as
	 * ferry's (clock skew); a person's is not. */
	cur = J("{\"job_title\":[" TV(
	    "Ferry",
	    "2026-01-01T12:00:00.9Z") "],"
	                              "\"nickname\":[{\"attribute_type\":"
	                              "\"text\",\"value\":\"P\","
	                              "\"active_from\":\"2026-01-01T12:00:00."
	                              "5Z\","
	                              "\"created_by_actor\":{\"type\":"
	                              "\"workspace-member\"}}]}");
	assert_int_equal(
	    ferry_rollback_restore(&put, &left, prior, cur, ferry_at), 0);
	assert_non_null(json_object_get(put, "job_title"));
	assert_null(json_object_get(put, "nickname"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(left, 0), "attribute")),
	                    "nickname");
	json_decref(put);
	json_decref(left);
	json_decref(cur);
	json_decref(prior);
	assert_int_equal(ferry_rollback_restore(&put, &left, NULL, NULL, 0),
	                 FERRY_EINVALID);
}

#define REF(id)                                                                \
	"{\"attribute_type\":\"record-reference\",\"target_object\":"          \
	"\"people\",\"target_record_id\":\"" id "\",\"active_until\":null}"

static void test_unlink_values(void **state)
{
	json_t *cur = J("[" REF("p1") "," REF("p2") "]"), *put = NULL;

	FERRY_UNUSED(state);
	assert_int_equal(ferry_rollback_unlink(&put, cur, "p2"), 1);
	assert_json(put, "[{\"target_object\":\"people\",\"target_record_id\":"
	                 "\"p1\"}]");
	json_decref(put);
	put = NULL;
	assert_int_equal(ferry_rollback_unlink(&put, cur, "p9"), 0);
	assert_null(put);
	json_decref(cur);
	cur = J("[" REF("p2") "]");
	assert_int_equal(ferry_rollback_unlink(&put, cur, "p2"), 1);
	assert_json(put, "[]");
	json_decref(put);
	json_decref(cur);
}

/*
 * The ledger and the sandbox.
 */

struct fx {
	struct test_sandbox sb;
	char *dir;
	struct ferry_workspace *ws;
	struct ferry_attio *attio;
	struct ferry_http_opts ho;
	struct ferry_rollback_config rc;
	struct ferry_rollback_report rep;
};

static struct fx *current;

static void fx_open(struct fx *f, const char *name, bool sandbox)
{
	memset(f, 0, sizeof(*f));
	current = f;
	if (sandbox) {
		assert_int_equal(test_sandbox_start(&f->sb, "attio", NULL), 0);
		f->attio = test_attio_client(f->sb.url, 0);
	}
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
	f->rc.http = &f->ho;
}

static void fx_close(struct fx *f)
{
	ferry_rollback_report_release(&f->rep);
	ferry_attio_free(f->attio);
	ferry_workspace_free(f->ws);
	if (f->sb.pid)
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

/* An API call of the test's own: Attio's "data" (NULL on a 404). */
static json_t *api(struct fx *f, const char *method, const char *path,
                   const char *body)
{
	struct ferry_http_response r = FERRY_HTTP_RESPONSE_INIT;
	json_t *root, *data;

	assert_int_equal(ferry_http_request(ferry_attio_http(f->attio),
	                                    FERRY_HTTP_READ, method, path, body,
	                                    &r),
	                 0);
	if (r.status == 404) {
		ferry_http_response_release(&r);
		return NULL;
	}
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

/* The id `key` of what a POST made. */
static char *make(struct fx *f, const char *path, const char *body,
                  const char *key)
{
	json_t *d = api(f, "POST", path, body);
	char *id = ferry_xstrdup(
	    json_string_value(json_object_get(json_object_get(d, "id"), key)));

	json_decref(d);
	return id;
}

static json_t *record(struct fx *f, const char *object, const char *id)
{
	char *path = ferry_xasprintf("/v2/objects/%s/records/%s", object, id);
	json_t *d = api(f, "GET", path, NULL);

	free(path);
	return d;
}

/* The first value of a record's text attribute, or "" (NULL: no record). */
static char *text_of(struct fx *f, const char *object, const char *id,
                     const char *attr)
{
	json_t *d = record(f, object, id);
	const char *s;
	char *out;

	if (!d)
		return NULL;
	s = json_string_value(json_object_get(
	    json_array_get(json_object_get(json_object_get(d, "values"), attr),
	                   0),
	    "value"));
	out = ferry_xstrdup(s ? s : "");
	json_decref(d);
	return out;
}

static void put_row(struct fx *f, const char *object, const char *source_id,
                    const char *dest, const char *dest_id,
                    enum ferry_ledger_status st, const char *op)
{
	struct ferry_ledger_row row;

	memset(&row, 0, sizeof(row));
	snprintf(row.object, sizeof(row.object), "%s", object);
	snprintf(row.source_id, sizeof(row.source_id), "%s", source_id);
	snprintf(row.dest_object, sizeof(row.dest_object), "%s", dest);
	snprintf(row.dest_id, sizeof(row.dest_id), "%s", dest_id);
	snprintf(row.op, sizeof(row.op), "%s", op);
	row.status = st;
	row.attempts = 1;
	row.http_status = 200;
	assert_int_equal(ferry_ledger_put(f->ws, &row), 0);
}

static struct ferry_ledger_row row_of(struct fx *f, const char *object,
                                      const char *source_id)
{
	struct ferry_ledger_row row;

	assert_int_equal(ferry_ledger_get(&row, f->ws, object, source_id), 0);
	return row;
}

/* The values of `attrs` of a record, as a capture before ferry's write. */
static void capture(struct fx *f, const char *object, const char *source_id,
                    const char *dest, const char *id, const char *const *attrs)
{
	json_t *d = record(f, dest, id), *prior = json_object();
	size_t i;

	for (i = 0; attrs[i]; i++)
		json_object_set(
		    prior, attrs[i],
		    json_object_get(json_object_get(d, "values"), attrs[i]));
	assert_int_equal(
	    ferry_ledger_prior_put(f->ws, object, source_id, dest, id, prior),
	    0);
	json_decref(prior);
	json_decref(d);
}

static void patch(struct fx *f, const char *object, const char *id,
                  const char *values)
{
	char *path = ferry_xasprintf("/v2/objects/%s/records/%s", object, id);
	char *body = ferry_xasprintf("{\"data\":{\"values\":%s}}", values);

	json_decref(api(f, "PATCH", path, body));
	free(path);
	free(body);
}

static void add_plan_link(struct fx *f, const char *object,
                          const char *source_id, const char *payload)
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(
	    ferry_store__prepare(&st, f->ws,
	                         "INSERT INTO plan(object, source_id, "
	                         "decision, dest_object, planned_at, payload) "
	                         "VALUES(?, ?, 'write', 'links', 'now', ?)"),
	    0);
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	ferry_store__bind_text(st, 3, payload);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static int64_t audit_count(struct fx *f, const char *event)
{
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(ferry_store__prepare(&st, f->ws,
	                                      "SELECT count(*) FROM audit "
	                                      "WHERE stage = 'rollback' AND "
	                                      "event = ?"),
	                 0);
	ferry_store__bind_text(st, 1, event);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct ferry_rollback_object *obj(struct fx *f, const char *object)
{
	static const struct ferry_rollback_object none;
	size_t i;

	for (i = 0; i < f->rep.n_objects; i++)
		if (!strcmp(f->rep.objects[i].object, object))
			return &f->rep.objects[i];
	fail_msg("no %s in the report", object);
	return &none;
}

static void test_survey_order(void **state)
{
	static const char yaml[] =
	    "version: 1\n"
	    "objects:\n"
	    "  Account:\n"
	    "    to: companies\n"
	    "    match: domains\n"
	    "    fields:\n"
	    "      Website: {to: domains, type: domain}\n"
	    "  Contact:\n"
	    "    to: people\n"
	    "    match: email_addresses\n"
	    "    fields:\n"
	    "      Email: {to: email_addresses, type: email}\n"
	    "      AccountId: {to: company, type: reference, object: "
	    "companies}\n"
	    "  Task:\n"
	    "    to: notes\n"
	    "    fields:\n"
	    "      Subject: {to: title, type: text}\n"
	    "      WhatId: {to: parent, type: reference}\n";
	struct ferry_mapfile *m = NULL;
	struct fx f;

	FERRY_UNUSED(state);
	fx_open(&f, "rollback-survey", false);
	assert_int_equal(
	    ferry_mapfile_parse(&m, "mapping.yaml", yaml, strlen(yaml)), 0);
	put_row(&f, "Account", "A1", "companies", "c1", FERRY_LEDGER_WRITTEN,
	        "created");
	put_row(&f, "Account", "A2", "companies", "c2", FERRY_LEDGER_WRITTEN,
	        "existed");
	put_row(&f, "Account", "A3", "companies", "", FERRY_LEDGER_SKIPPED, "");
	put_row(&f, "Contact", "C1", "people", "p1", FERRY_LEDGER_WRITTEN,
	        "updated");
	put_row(&f, "Contact", "C2", "people", "p2", FERRY_LEDGER_WRITTEN, "");
	put_row(&f, "Contact", "C3", "people", "", FERRY_LEDGER_PENDING, "");
	put_row(&f, "Contact", "C4", "people", "p4", FERRY_LEDGER_ROLLED_BACK,
	        "created");
	put_row(&f, "Contact", "C5", "people", "p1", FERRY_LEDGER_MERGED, "");
	put_row(&f, "Task", "T1", "notes", "n1", FERRY_LEDGER_WRITTEN,
	        "created");
	put_row(&f, "CaseComment", "K1", "notes", "n2", FERRY_LEDGER_WRITTEN,
	        "created");
	put_row(&f, "Zed", "Z1", "links", "d1", FERRY_LEDGER_WRITTEN,
	        "appended");

	assert_int_equal(ferry_rollback_survey(&f.rep, f.ws, m, NULL), 0);
	assert_int_equal(f.rep.n_objects, 5);
	/* Not in the mapping first (reverse name order), then the reverse
	 * of the load order. */
	assert_string_equal(f.rep.objects[0].object, "Zed");
	assert_int_equal(f.rep.objects[0].kind, FERRY_RB_LINK);
	assert_string_equal(f.rep.objects[1].object, "CaseComment");
	assert_int_equal(f.rep.objects[1].kind, FERRY_RB_NOTE);
	assert_string_equal(f.rep.objects[2].object, "Task");
	assert_string_equal(f.rep.objects[3].object, "Contact");
	assert_string_equal(f.rep.objects[4].object, "Account");
	assert_int_equal(obj(&f, "Account")->todo[FERRY_RB_DELETE], 1);
	assert_int_equal(obj(&f, "Account")->todo[FERRY_RB_EXISTED], 1);
	assert_int_equal(obj(&f, "Account")->total, 1);
	assert_int_equal(obj(&f, "Contact")->todo[FERRY_RB_RESTORE], 1);
	assert_int_equal(obj(&f, "Contact")->todo[FERRY_RB_UNKNOWN], 1);
	assert_int_equal(obj(&f, "Contact")->todo[FERRY_RB_IN_DOUBT], 1);
	assert_int_equal(obj(&f, "Contact")->todo[FERRY_RB_DONE], 1);
	assert_int_equal(obj(&f, "Zed")->todo[FERRY_RB_UNLINK], 1);
	ferry_rollback_report_release(&f.rep);

	/* One object; and without a mapping, by kind: links, notes,
	 * records. */
	assert_int_equal(ferry_rollback_survey(&f.rep, f.ws, m, "Contact"), 0);
	assert_int_equal(f.rep.n_objects, 1);
	ferry_rollback_report_release(&f.rep);
	assert_int_equal(ferry_rollback_survey(&f.rep, f.ws, NULL, NULL), 0);
	assert_string_equal(f.rep.objects[0].object, "Zed");
	assert_string_equal(f.rep.objects[1].object, "Task");
	assert_string_equal(f.rep.objects[2].object, "CaseComment");
	assert_string_equal(f.rep.objects[3].object, "Contact");
	assert_string_equal(f.rep.objects[4].object, "Account");
	ferry_mapfile_free(m);
	fx_close(&f);
}

/* What the sandbox test puts in place: Attio's ids by name. */
struct scene {
	char *c1, *c2, *p0, *p2, *p3, *p4, *d0, *note, *task, *entry, *gone;
};

static void scene_free(struct scene *s)
{
	free(s->c1);
	free(s->c2);
	free(s->p0);
	free(s->p2);
	free(s->p3);
	free(s->p4);
	free(s->d0);
	free(s->note);
	free(s->task);
	free(s->entry);
	free(s->gone);
}

static void set_scene(struct fx *f, struct scene *s)
{
	static const char *const person_attrs[] = {"job_title", "description",
	                                           NULL};
	char body[1024], *x;

	memset(s, 0, sizeof(*s));
	/* Before ferry: P0 and P2 (people), P3 on deal D0, P4 with a tier,
	 * and C2 (a company an assert found). */
	json_decref(api(f, "POST", "/v2/objects/people/attributes",
	                "{\"data\":{\"title\":\"Tier\",\"description\":null,"
	                "\"api_slug\":\"tier\",\"type\":\"select\","
	                "\"is_required\":false,\"is_unique\":false,"
	                "\"is_multiselect\":false,\"config\":{}}}"));
	json_decref(api(f, "POST", "/v2/objects/people/attributes/tier/options",
	                "{\"data\":{\"title\":\"Gold\"}}"));
	json_decref(api(f, "POST", "/v2/lists",
	                "{\"data\":{\"name\":\"VIP\",\"api_slug\":\"vip\","
	                "\"parent_object\":\"people\",\"workspace_access\":"
	                "\"full-access\",\"workspace_member_access\":[]}}"));
	s->p0 =
	    make(f, "/v2/objects/people/records",
	         "{\"data\":{\"values\":{\"email_addresses\":[\"p0@x.test\"],"
	         "\"job_title\":\"Before\"}}}",
	         "record_id");
	s->p2 =
	    make(f, "/v2/objects/people/records",
	         "{\"data\":{\"values\":{\"email_addresses\":[\"p2@x.test\"],"
	         "\"job_title\":\"Old\"}}}",
	         "record_id");
	s->p3 = make(f, "/v2/objects/people/records",
	             "{\"data\":{\"values\":{\"email_addresses\":"
	             "[\"p3@x.test\"]}}}",
	             "record_id");
	s->p4 =
	    make(f, "/v2/objects/people/records",
	         "{\"data\":{\"values\":{\"email_addresses\":[\"p4@x.test\"],"
	         "\"tier\":\"Gold\"}}}",
	         "record_id");
	s->c2 = make(f, "/v2/objects/companies/records",
	             "{\"data\":{\"values\":{\"domains\":[\"c2.test\"]}}}",
	             "record_id");
	snprintf(
	    body, sizeof(body),
	    "{\"data\":{\"values\":{\"name\":\"Deal\",\"stage\":\"Lead\","
	    "\"owner\":\"ada@ferry.test\",\"associated_people\":"
	    "[{\"target_object\":\"people\",\"target_record_id\":\"%s\"}]}}}",
	    s->p3);
	s->d0 = make(f, "/v2/objects/deals/records", body, "record_id");

	/* Ferry's writes: the values before captured first. */
	capture(f, "Contact", "003P0", "people", s->p0, person_attrs);
	patch(f, "people", s->p0,
	      "{\"job_title\":\"Ferry\",\"description\":\"by ferry\"}");
	put_row(f, "Contact", "003P0", "people", s->p0, FERRY_LEDGER_WRITTEN,
	        "updated");
	capture(f, "Contact", "003P2", "people", s->p2, person_attrs);
	patch(f, "people", s->p2,
	      "{\"job_title\":\"Ferry2\",\"description\":\"by ferry\"}");
	put_row(f, "Contact", "003P2", "people", s->p2, FERRY_LEDGER_WRITTEN,
	        "updated");
	/* P4's values before name an option Attio does not have: the
	 * restore is refused. */
	{
		json_t *prior =
		    J("{\"tier\":[{\"attribute_type\":\"select\",\"option\":"
		      "{\"id\":{\"option_id\":"
		      "\"00000000-0000-4000-8000-000000000000\"},\"title\":"
		      "\"Platinum\"}}]}");

		assert_int_equal(ferry_ledger_prior_put(f->ws, "Contact",
		                                        "003P4", "people",
		                                        s->p4, prior),
		                 0);
		json_decref(prior);
	}
	put_row(f, "Contact", "003P4", "people", s->p4, FERRY_LEDGER_WRITTEN,
	        "updated");
	put_row(f, "Contact", "003P3", "people", s->p3, FERRY_LEDGER_WRITTEN,
	        "existed");
	s->c1 = make(f, "/v2/objects/companies/records",
	             "{\"data\":{\"values\":{\"domains\":[\"c1.test\"]}}}",
	             "record_id");
	put_row(f, "Account", "001C1", "companies", s->c1, FERRY_LEDGER_WRITTEN,
	        "created");
	put_row(f, "Account", "001C2", "companies", s->c2, FERRY_LEDGER_WRITTEN,
	        "");
	s->gone = make(f, "/v2/objects/companies/records",
	               "{\"data\":{\"values\":{\"domains\":[\"gone.test\"]}}}",
	               "record_id");
	put_row(f, "Account", "001GONE", "companies", s->gone,
	        FERRY_LEDGER_WRITTEN, "created");
	x = ferry_xasprintf("/v2/objects/companies/records/%s", s->gone);
	json_decref(api(f, "DELETE", x, NULL));
	free(x);
	put_row(f, "Opportunity", "006D0", "deals", s->d0, FERRY_LEDGER_WRITTEN,
	        "existed");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"title\":\"Call\",\"format\":\"plaintext\","
	         "\"content\":\"c\"}}",
	         s->p0);
	s->note = make(f, "/v2/notes", body, "note_id");
	put_row(f, "Task", "00TN", "notes", s->note, FERRY_LEDGER_WRITTEN,
	        "created");
	s->task = make(f, "/v2/tasks",
	               "{\"data\":{\"content\":\"Follow up\",\"format\":"
	               "\"plaintext\",\"deadline_at\":null,\"is_completed\":"
	               "false,\"linked_records\":[],\"assignees\":[]}}",
	               "task_id");
	put_row(f, "Task", "00TT", "tasks", s->task, FERRY_LEDGER_WRITTEN,
	        "created");
	snprintf(body, sizeof(body),
	         "{\"data\":{\"parent_object\":\"people\",\"parent_record_id\":"
	         "\"%s\",\"entry_values\":{}}}",
	         s->p0);
	s->entry = make(f, "/v2/lists/vip/entries", body, "entry_id");
	put_row(f, "VipMember", "V1", "vip", s->entry, FERRY_LEDGER_WRITTEN,
	        "created");
	/* The link: P0 appended to D0's associated_people. */
	snprintf(body, sizeof(body),
	         "[{\"target_object\":\"people\",\"target_record_id\":\"%s\"}]",
	         s->p0);
	x = ferry_xasprintf("{\"associated_people\":%s}", body);
	patch(f, "deals", s->d0, x);
	free(x);
	put_row(f, "OpportunityContactRole", "00KL", "links", s->d0,
	        FERRY_LEDGER_WRITTEN, "appended");
	add_plan_link(
	    f, "OpportunityContactRole", "00KL",
	    "{\"link\":{\"attribute\":\"associated_people\",\"record\":"
	    "{\"source_object\":\"Opportunity\",\"source_id\":\"006D0\","
	    "\"target_object\":\"deals\"},\"add\":{\"source_object\":"
	    "\"Contact\",\"source_id\":\"003P0\"}}}");
	/* Someone changes P2's job title after ferry wrote it (more than
	 * the second allowed for clock skew later). */
	usleep(1200000);
	patch(f, "people", s->p2, "{\"job_title\":\"Someone\"}");
}

static bool has_ref(struct fx *f, const char *deal, const char *person)
{
	json_t *d = record(f, "deals", deal), *v;
	size_t i;
	bool found = false;

	json_array_foreach(
	    json_object_get(json_object_get(d, "values"), "associated_people"),
	    i, v)
	{
		if (!strcmp(json_string_value(
		                json_object_get(v, "target_record_id")),
		            person))
			found = true;
	}
	json_decref(d);
	return found;
}

static void check_end_state(struct fx *f, const struct scene *s)
{
	char *t;
	json_t *d;
	char path[256];

	assert_null(record(f, "companies", s->c1));
	assert_non_null(d = record(f, "companies", s->c2)); /* unknown */
	json_decref(d);
	assert_non_null(d = record(f, "deals", s->d0)); /* existed */
	json_decref(d);
	t = text_of(f, "people", s->p0, "job_title");
	assert_string_equal(t, "Before");
	free(t);
	t = text_of(f, "people", s->p0, "description");
	assert_string_equal(t, "");
	free(t);
	/* P2: the description is ferry's no more, the job title someone
	 * changed is left. */
	t = text_of(f, "people", s->p2, "job_title");
	assert_string_equal(t, "Someone");
	free(t);
	t = text_of(f, "people", s->p2, "description");
	assert_string_equal(t, "");
	free(t);
	assert_false(has_ref(f, s->d0, s->p0));
	assert_true(has_ref(f, s->d0, s->p3));
	snprintf(path, sizeof(path), "/v2/notes/%s", s->note);
	assert_null(api(f, "GET", path, NULL));
	snprintf(path, sizeof(path), "/v2/tasks/%s", s->task);
	assert_null(api(f, "GET", path, NULL));
	snprintf(path, sizeof(path), "/v2/lists/vip/entries/%s", s->entry);
	assert_null(api(f, "GET", path, NULL));
}

static void test_rollback_run(void **state)
{
	struct ferry_ledger_row row;
	struct scene s;
	struct fx f;
	const json_t *n;
	size_t i;
	bool saw = false;

	FERRY_UNUSED(state);
	fx_open(&f, "rollback-run", true);
	set_scene(&f, &s);
	assert_int_equal(ferry_rollback_run(f.ws, NULL, &f.rc, &f.rep), 0);
	check_end_state(&f, &s);
	assert_int_equal(obj(&f, "Account")->deleted, 2);
	assert_int_equal(obj(&f, "Account")->gone, 1);
	assert_int_equal(obj(&f, "Account")->todo[FERRY_RB_UNKNOWN], 1);
	assert_int_equal(obj(&f, "Contact")->restored, 2);
	assert_int_equal(obj(&f, "Contact")->partial, 1);
	assert_int_equal(obj(&f, "Contact")->refused, 1);
	assert_int_equal(obj(&f, "Contact")->todo[FERRY_RB_EXISTED], 1);
	assert_int_equal(obj(&f, "OpportunityContactRole")->unlinked, 1);
	assert_int_equal(obj(&f, "Task")->deleted, 1);
	assert_int_equal(obj(&f, "VipMember")->deleted, 1);
	/* Order: the link before the people it names (no mapping: by
	 * kind). */
	assert_string_equal(f.rep.objects[0].object, "OpportunityContactRole");
	/* Attio's refusal, with its message; the row as it was. */
	json_array_foreach(f.rep.notes, i, n)
	{
		const char *msg =
		    json_string_value(json_object_get(n, "message"));

		if (!strcmp(json_string_value(json_object_get(n, "what")),
		            "refused")) {
			assert_string_equal(
			    json_string_value(json_object_get(n, "source_id")),
			    "003P4");
			assert_non_null(strstr(msg, "value_not_found"));
			saw = true;
		}
	}
	assert_true(saw);
	row = row_of(&f, "Contact", "003P4");
	assert_int_equal(row.status, FERRY_LEDGER_WRITTEN);
	row = row_of(&f, "Account", "001C1");
	assert_int_equal(row.status, FERRY_LEDGER_ROLLED_BACK);
	assert_string_equal(row.op, "created");
	assert_string_equal(row.dest_id, s.c1);
	assert_non_null(strstr(row.reason, "rolled back: deleted"));
	row = row_of(&f, "Contact", "003P2");
	assert_int_equal(row.status, FERRY_LEDGER_ROLLED_BACK);
	assert_non_null(strstr(row.reason, "left job_title"));
	row = row_of(&f, "Contact", "003P3");
	assert_int_equal(row.status, FERRY_LEDGER_WRITTEN); /* existed */
	row = row_of(&f, "Account", "001C2");
	assert_int_equal(row.status, FERRY_LEDGER_WRITTEN); /* unknown */
	assert_int_equal(audit_count(&f, "deleted"), 5);
	assert_int_equal(audit_count(&f, "restored"), 2);
	assert_int_equal(audit_count(&f, "unlinked"), 1);
	assert_int_equal(audit_count(&f, "refused"), 1);

	/* Again: only the refused row is tried again. */
	ferry_rollback_report_release(&f.rep);
	assert_int_equal(ferry_rollback_run(f.ws, NULL, &f.rc, &f.rep), 0);
	assert_int_equal(obj(&f, "Account")->deleted, 0);
	assert_int_equal(obj(&f, "Account")->todo[FERRY_RB_DONE], 2);
	assert_int_equal(obj(&f, "Contact")->restored, 0);
	assert_int_equal(obj(&f, "Contact")->refused, 1);
	/* P4: its read, and the update Attio refuses again. */
	assert_int_equal(f.rep.http.requests, 2);
	check_end_state(&f, &s);
	scene_free(&s);
	fx_close(&f);
}

static volatile sig_atomic_t stop_flag;

static void stop_after_two(const struct ferry_rollback_object *o, void *payload)
{
	FERRY_UNUSED(payload);
	if (o->done >= 2)
		stop_flag = 1;
}

static void test_stop_resume(void **state)
{
	struct scene s;
	struct fx f;
	int64_t undone = 0;
	size_t i;

	FERRY_UNUSED(state);
	fx_open(&f, "rollback-resume", true);
	set_scene(&f, &s);
	f.rc.progress = stop_after_two;
	f.rc.stop = &stop_flag;
	f.rc.max_in_flight = 1;
	assert_int_equal(ferry_rollback_run(f.ws, NULL, &f.rc, &f.rep),
	                 FERRY_EHALTED);
	for (i = 0; i < f.rep.n_objects; i++)
		undone += f.rep.objects[i].deleted + f.rep.objects[i].restored +
		          f.rep.objects[i].unlinked;
	assert_true(undone >= 1 && undone < 10);
	ferry_rollback_report_release(&f.rep);
	f.rc.progress = NULL;
	f.rc.stop = NULL;
	assert_int_equal(ferry_rollback_run(f.ws, NULL, &f.rc, &f.rep), 0);
	check_end_state(&f, &s);
	assert_int_equal(obj(&f, "Contact")->refused, 1);
	scene_free(&s);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_write_values),
	    cmocka_unit_test(test_parse_time),
	    cmocka_unit_test(test_restore),
	    cmocka_unit_test(test_unlink_values),
	    cmocka_unit_test_teardown(test_survey_order, teardown),
	    cmocka_unit_test_teardown(test_rollback_run, teardown),
	    cmocka_unit_test_teardown(test_stop_resume, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
