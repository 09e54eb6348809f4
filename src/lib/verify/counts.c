/* counts.c: does every staged record have its outcome? Per object and per
 * record type (the staged RecordTypeId, named by the staged RecordType
 * when there is one), staged = written + merged + held + skipped + rolled
 * back + deleted, with failed, pending and not run counted apart: they
 * keep the object unbalanced until a run resolves them. One aggregate
 * over the staging, the plan and the ledger, in SQLite; then the records
 * whose decision and ledger row disagree are listed by their group. */
#include "util.h"

#include "store/store.h"
#include "verify_int.h"

/* The ledger's status as verify counts it: a held record of a ledger
 * written before schema 9 was "skipped" with the reason "held: ...";
 * a file the loader does not write is skipped "not loaded: ...". */
#define STATUS_SQL                                                             \
	"CASE WHEN l.status IS NULL THEN '' "                                  \
	"WHEN l.status = 'skipped' AND l.reason LIKE 'held:%' THEN 'held' "    \
	"ELSE l.status END"
#define NOT_LOADED_SQL "(l.status = 'skipped' AND l.reason LIKE 'not loaded:%')"
#define NO_ID_SQL      "(l.status = 'written' AND l.dest_id = '')"

static const char group_sql[] =
    "SELECT s.object, coalesce(json_extract(s.fields, '$.RecordTypeId'), "
    "''), coalesce(p.decision, ''), " STATUS_SQL ", " NOT_LOADED_SQL
    ", " NO_ID_SQL ", count(*) FROM staged_records s "
    "JOIN staged_objects o ON o.object = s.object AND o.status = "
    "'complete' "
    "LEFT JOIN plan p ON p.object = s.object AND p.source_id = s.source_id "
    "LEFT JOIN ledger l ON l.object = s.object AND l.source_id = "
    "s.source_id "
    "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2";

static const char list_sql[] =
    "SELECT s.source_id, coalesce(l.reason, '') FROM staged_records s "
    "LEFT JOIN plan p ON p.object = s.object AND p.source_id = s.source_id "
    "LEFT JOIN ledger l ON l.object = s.object AND l.source_id = "
    "s.source_id "
    "WHERE s.object = ?1 AND coalesce(p.decision, '') = ?2 AND " STATUS_SQL
    " = ?3 AND coalesce(" NOT_LOADED_SQL ", 0) = ?4 AND coalesce(" NO_ID_SQL
    ", 0) = ?5 ORDER BY s.source_id LIMIT ?6";

/* Ledger rows of records that are not (or no longer) staged. */
static const char orphan_sql[] =
    "SELECT l.object, l.source_id, l.status, coalesce(p.decision, '') "
    "FROM ledger l LEFT JOIN staged_records s ON s.object = l.object AND "
    "s.source_id = l.source_id "
    "LEFT JOIN plan p ON p.object = l.object AND p.source_id = l.source_id "
    "WHERE s.source_id IS NULL AND l.status NOT IN ('deleted', "
    "'rolled_back') ORDER BY l.object, l.source_id";

/* The counters of an object or a record type, in the report's order. */
static const char *const counters[] = {
    "staged",      "written", "merged", "held",    "skipped",
    "rolled_back", "deleted", "failed", "pending", "not_run",
};

static json_t *new_counts(void)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(counters); i++)
		json_object_set_new(o, counters[i], json_integer(0));
	json_object_set_new(o, "disagreements", json_integer(0));
	return o;
}

static void add(json_t *o, const char *key, int64_t n)
{
	json_object_set_new(
	    o, key,
	    json_integer(json_integer_value(json_object_get(o, key)) + n));
}

static int64_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Why a decision and a ledger status disagree, or NULL when they agree
 * (a record not run yet agrees with any decision: it is counted as not
 * run). */
static const char *why_disagree(const char *d, const char *s, bool not_loaded,
                                bool no_id)
{
	if (!strcmp(s, "rolled_back") || !strcmp(s, "deleted") || !*s)
		return NULL;
	if (!*d)
		return "the ledger has a row, the plan no decision: run 'ferry "
		       "plan', then 'ferry run'";
	if (!strcmp(d, "write")) {
		if (!strcmp(s, "written"))
			return no_id ? "written, without an Attio id in the "
			               "ledger: run 'ferry run' again"
			             : NULL;
		if (!strcmp(s, "failed") || !strcmp(s, "pending") ||
		    (!strcmp(s, "skipped") && not_loaded))
			return NULL;
	}
	if (!strcmp(d, "merged") && !strcmp(s, "merged"))
		return NULL;
	if (!strcmp(d, "held") && (!strcmp(s, "held") || !strcmp(s, "failed")))
		return NULL;
	if (!strcmp(d, "skipped") && !strcmp(s, "skipped"))
		return NULL;
	if (!strcmp(s, "written"))
		return "the record is in Attio, the plan no longer writes it: "
		       "run 'ferry run' to bring the ledger to the plan, or "
		       "'ferry rollback' to take it out";
	return "run 'ferry run' to bring the ledger to the plan";
}

/* The counter a ledger status counts under. */
static const char *counter_of(const char *s)
{
	return *s ? s : "not_run";
}

/* A describe's record types into `names`. */
static int describe_types(const char *name, const char *json_text,
                          void *payload)
{
	json_t *names = payload, *d = json_loads(json_text, 0, NULL), *rt;
	size_t i;

	FERRY_UNUSED(name);
	json_array_foreach(json_object_get(d, "recordTypeInfos"), i, rt)
	{
		const char *id =
		    json_string_value(json_object_get(rt, "recordTypeId"));
		const char *dev =
		    json_string_value(json_object_get(rt, "developerName"));
		char key[16];

		if (!id || !dev || !*dev)
			continue;
		snprintf(key, sizeof(key), "%.15s", id);
		json_object_set_new(names, key, json_string(dev));
	}
	json_decref(d);
	return 0;
}

/* Record type ids (their first 15 characters: the staging may hold
 * either form) -> DeveloperName (or Name): from the staged RecordType
 * records, else the objects' describes (an API extract keeps them). */
static int record_type_names(struct vf_run *run, json_t **out)
{
	sqlite3_stmt *st = NULL;
	json_t *names = json_object();
	int error, rc;

	if ((error = ferry_facts_foreach(run->ws, "salesforce/describe/",
	                                 describe_types, names)) < 0 ||
	    (error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT substr(source_id, 1, 15), coalesce(nullif("
	         "json_extract(fields, '$.DeveloperName'), ''), "
	         "json_extract(fields, '$.Name'), '') FROM "
	         "main.staged_records WHERE object = 'RecordType'")) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(
		    names, (const char *)sqlite3_column_text(st, 0),
		    json_string((const char *)sqlite3_column_text(st, 1)));
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot read the staged "
		                                    "record types");
done:
	sqlite3_finalize(st);
	if (error < 0)
		json_decref(names);
	else
		*out = names;
	return error;
}

static json_t *object_entry(struct vf_run *run, const char *object)
{
	json_t *o = json_object_get(run->by_object, object);

	if (o)
		return o;
	o = new_counts();
	json_object_set_new(o, "object", json_string(object));
	json_object_set_new(o, "destinations", json_array());
	json_object_set_new(o, "record_types", json_array());
	if (run->o->http) {
		json_object_set_new(o, "checked", json_integer(0));
		json_object_set_new(o, "missing", json_integer(0));
		json_object_set_new(o, "wrong_references", json_integer(0));
		json_object_set_new(o, "sampled", json_integer(0));
		json_object_set_new(o, "mismatched", json_integer(0));
	}
	json_array_append_new(run->objects, o);
	json_object_set(run->by_object, object, o);
	return o;
}

static json_t *type_entry(json_t *o, const char *id, const json_t *names)
{
	json_t *list = json_object_get(o, "record_types"), *t;
	const char *name;
	char key[16];
	size_t i;

	json_array_foreach(list, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "id")), id))
			return t;
	}
	snprintf(key, sizeof(key), "%.15s", id);
	name = json_string_value(json_object_get(names, key));
	t = new_counts();
	json_object_set_new(t, "id", json_string(id));
	json_object_set_new(t, "name", json_string(name ? name : ""));
	json_array_append_new(list, t);
	return t;
}

/* Lists the records of one disagreeing group, while under the cap. */
static int list_group(struct vf_run *run, const char *object, const char *d,
                      const char *s, int not_loaded, int no_id, const char *why)
{
	sqlite3_stmt *st = NULL;
	size_t room =
	    run->list_max > json_array_size(run->items[VF_DISAGREE])
	        ? run->list_max - json_array_size(run->items[VF_DISAGREE])
	        : 0;
	int error, rc;

	if (!room)
		return 0;
	if ((error = ferry_store__prepare(&st, run->ws, list_sql)) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, d);
	ferry_store__bind_text(st, 3, s);
	sqlite3_bind_int(st, 4, not_loaded);
	sqlite3_bind_int(st, 5, no_id);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)room);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
		    run->items[VF_DISAGREE],
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "object",
		              object, "source_id", sqlite3_column_text(st, 0),
		              "decision", *d ? d : "(none)", "ledger", s,
		              "reason", sqlite3_column_text(st, 1), "why",
		              why));
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot list the records "
		                                    "the plan and the ledger "
		                                    "disagree on");
	sqlite3_finalize(st);
	return error;
}

static int orphans(struct vf_run *run)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(&st, run->ws, orphan_sql)) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(st, 0);

		vf_problem(
		    run, VF_DISAGREE, object, "disagreements",
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "object",
		              object, "source_id", sqlite3_column_text(st, 1),
		              "decision",
		              *(const char *)sqlite3_column_text(st, 3)
		                  ? (const char *)sqlite3_column_text(st, 3)
		                  : "(none)",
		              "ledger", sqlite3_column_text(st, 2), "reason",
		              "", "why",
		              "in the ledger, not in the staging: the "
		              "record is gone from the source since it "
		              "was run ('ferry sync' removes it)"));
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws,
		                           "cannot read the ledger's rows");
	sqlite3_finalize(st);
	return error;
}

/* Where each object's records go (the plan's destinations). */
static int destinations(struct vf_run *run)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT object, dest_object FROM plan WHERE dest_object != "
	         "'' AND decision IN ('write', 'merged') GROUP BY 1, 2 ORDER "
	         "BY 1, 2")) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object_get(
		    run->by_object, (const char *)sqlite3_column_text(st, 0));

		if (o)
			json_array_append_new(
			    json_object_get(o, "destinations"),
			    json_string(
			        (const char *)sqlite3_column_text(st, 1)));
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot read the plan");
	sqlite3_finalize(st);
	return error;
}

static void set_balanced(json_t *o)
{
	json_object_set_new(
	    o, "balanced",
	    json_boolean(!num(o, "failed") && !num(o, "pending") &&
	                 !num(o, "not_run") && !num(o, "disagreements")));
}

int vf_counts(struct vf_run *run)
{
	sqlite3_stmt *st = NULL;
	json_t *names = NULL, *groups = json_array(), *g, *o, *t;
	size_t i;
	int error, rc;

	if ((error = record_type_names(run, &names)) < 0 ||
	    (error = ferry_store__prepare(&st, run->ws, group_sql)) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(st, 0);
		const char *rt = (const char *)sqlite3_column_text(st, 1);
		const char *d = (const char *)sqlite3_column_text(st, 2);
		const char *s = (const char *)sqlite3_column_text(st, 3);
		int not_loaded = sqlite3_column_int(st, 4);
		int no_id = sqlite3_column_int(st, 5);
		int64_t n = sqlite3_column_int64(st, 6);
		const char *why = why_disagree(d, s, not_loaded, no_id);

		o = object_entry(run, object);
		t = type_entry(o, rt, names);
		add(o, "staged", n);
		add(t, "staged", n);
		add(o, counter_of(s), n);
		add(t, counter_of(s), n);
		if (!why)
			continue;
		add(o, "disagreements", n);
		add(t, "disagreements", n);
		run->totals[VF_DISAGREE] += n;
		json_array_append_new(
		    groups, json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}",
		                      "object", object, "d", d, "s", s, "nl",
		                      not_loaded, "noid", no_id, "why", why));
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(run->ws, "cannot count the staged "
		                                    "records");
		goto done;
	}
	/* One group per record type: list each distinct group once. */
	json_array_foreach(groups, i, g)
	{
		size_t k;
		bool seen = false;

		for (k = 0; k < i && !seen; k++)
			seen = json_equal(json_array_get(groups, k), g);
		if (!seen &&
		    (error = list_group(
		         run, json_string_value(json_object_get(g, "object")),
		         json_string_value(json_object_get(g, "d")),
		         json_string_value(json_object_get(g, "s")),
		         (int)json_integer_value(json_object_get(g, "nl")),
		         (int)json_integer_value(json_object_get(g, "noid")),
		         json_string_value(json_object_get(g, "why")))) < 0)
			goto done;
	}
	if ((error = orphans(run)) < 0 || (error = destinations(run)) < 0)
		goto done;
	json_array_foreach(run->objects, i, o)
	{
		size_t k;

		set_balanced(o);
		json_array_foreach(json_object_get(o, "record_types"), k, t)
		    set_balanced(t);
	}
done:
	sqlite3_finalize(st);
	json_decref(names);
	json_decref(groups);
	return error;
}
