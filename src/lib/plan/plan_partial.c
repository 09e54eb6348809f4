/* plan_partial.c: re-planning a few records (the conflict queue's edit,
 * retry and skip) so that they end as a whole plan would leave them, while
 * every other record keeps its decision untouched. What a record's change
 * can reach, and so what is re-planned with it:
 *  - records sharing its matching value (a unique clash holds both);
 *  - when it has overrides, its dedup keys may differ: dedup runs again
 *    and every record whose cluster row changed is re-planned;
 *  - records whose reference columns name a record whose decision
 *    changed (a reference that now resolves, or no longer does), found
 *    through the plan_refs index, object by object in load order, so the
 *    change flows down the dependency order.
 * temp.plan_only holds the records to decide, temp.plan_done the objects
 * passed so far (the ones a whole plan would have checked unique values
 * against). */
#include "util.h"

#include "plan_int.h"
#include "store/store.h"

static const char temp_sql[] =
    "DROP TABLE IF EXISTS temp.plan_only;\n"
    "DROP TABLE IF EXISTS temp.plan_done;\n"
    "DROP TABLE IF EXISTS temp.dedup_before;\n"
    "CREATE TEMP TABLE plan_only (object TEXT NOT NULL, source_id TEXT "
    "NOT NULL, PRIMARY KEY (object, source_id)) WITHOUT ROWID;\n"
    "CREATE TEMP TABLE plan_done (object TEXT PRIMARY KEY);\n";

/* The dedup columns whose change changes a record's decision. */
#define DEDUP_COLS                                                             \
	"object, source_id, role, survivor_object, survivor_id, reason, "      \
	"dest_id, merged"

static int exec1(struct plan *pl, const char *sql, const char *a,
                 const char *what)
{
	sqlite3_stmt *st = NULL;
	int error;

	if ((error = ferry_store__prepare(&st, pl->ws, sql)) < 0)
		return error;
	if (a)
		ferry_store__bind_text(st, 1, a);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(pl->ws, what);
	sqlite3_finalize(st);
	return error;
}

/* Whether `refs[i]`, not staged, is a record the source deleted (ferry
 * sync): it still has a decision, or sync said so in the audit log (a
 * re-plan stopped after its decision was dropped is run again). */
static bool deleted_ref(struct plan *pl, const struct ferry_plan_ref *r)
{
	sqlite3_stmt *st = NULL;
	bool yes;

	if (ferry_store__prepare(
	        &st, pl->ws,
	        "SELECT 1 FROM main.plan WHERE object = ?1 AND source_id = ?2 "
	        "UNION ALL SELECT 1 FROM main.audit WHERE object = ?1 AND "
	        "source_id = ?2 AND stage = 'sync' AND event = 'deleted' "
	        "LIMIT 1") < 0) {
		ferry_error_clear();
		return false;
	}
	ferry_store__bind_text(st, 1, r->object);
	ferry_store__bind_text(st, 2, r->source_id);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* The records asked for; one that is not staged is an error before
 * anything changes, unless the source deleted it: then what it touched
 * is re-planned without it. */
static int add_refs(struct plan *pl, const struct ferry_plan_ref *refs,
                    size_t n)
{
	sqlite3_stmt *st = NULL, *q = pl->staged;
	size_t i;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, pl->ws,
	         "INSERT OR IGNORE INTO temp.plan_only(object, source_id) "
	         "VALUES (?, ?)")) < 0)
		return error;
	for (i = 0; i < n; i++) {
		ferry_store__bind_text(q, 1, refs[i].object);
		ferry_store__bind_text(q, 2, refs[i].source_id);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
		if (rc != SQLITE_ROW && !deleted_ref(pl, &refs[i])) {
			error = ferry_error_set(
			    FERRY_ENOTFOUND,
			    "%s %s is not staged: check the object and the id "
			    "('ferry queue list' shows the held records)",
			    refs[i].object, refs[i].source_id);
			goto done;
		}
		ferry_store__bind_text(st, 1, refs[i].object);
		ferry_store__bind_text(st, 2, refs[i].source_id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			error = ferry_store__error(pl->ws,
			                           "cannot list the records to "
			                           "re-plan");
			goto done;
		}
	}
done:
	sqlite3_finalize(st);
	return error;
}

/* Dedup again when a record to re-plan has overrides, or had some a
 * person removed since its last plan (an edit or unset in the audit log
 * after its last decision), or sync staged it anew, added or removed it
 * since (stage 'sync'): its keys may have changed, so may its cluster
 * and those of others. */
static int dedup_again(struct plan *pl)
{
	sqlite3_stmt *st = NULL;
	bool edited;
	int error;

	if ((error = ferry_store__prepare(
	         &st, pl->ws,
	         "SELECT 1 FROM temp.plan_only q WHERE EXISTS (SELECT 1 FROM "
	         "main.overrides o WHERE o.object = q.object AND o.source_id = "
	         "q.source_id AND o.field != '') OR (SELECT max(seq) FROM "
	         "main.audit a WHERE a.object = q.object AND a.source_id = "
	         "q.source_id AND ((a.stage = 'queue' AND a.event IN "
	         "('edit', 'unset')) OR a.stage = 'sync')) > (SELECT "
	         "coalesce(max(seq), 0) FROM main.audit a WHERE a.object = "
	         "q.object AND a.source_id = q.source_id AND a.stage = "
	         "'plan') LIMIT 1")) < 0)
		return error;
	edited = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!edited)
		return 0;
	if ((error = ferry_store__exec(
	         pl->ws, "CREATE TEMP TABLE dedup_before AS SELECT " DEDUP_COLS
	                 " FROM main.dedup")) < 0 ||
	    (error = pl_dedup(pl)) < 0)
		return error;
	/* Rows new or changed, and rows gone. */
	return ferry_store__exec(
	    pl->ws,
	    "INSERT OR IGNORE INTO temp.plan_only(object, source_id) SELECT "
	    "object, source_id FROM (SELECT " DEDUP_COLS
	    " FROM main.dedup EXCEPT SELECT " DEDUP_COLS
	    " FROM temp.dedup_before) UNION SELECT object, source_id FROM "
	    "(SELECT " DEDUP_COLS
	    " FROM temp.dedup_before EXCEPT SELECT " DEDUP_COLS
	    " FROM main.dedup);\n"
	    "DROP TABLE temp.dedup_before;");
}

/* Records the source deleted (asked for, no longer staged): the records
 * that refer to them are re-planned (a reference to a record that is
 * gone), and their decisions and references dropped, as a whole plan
 * would have none for them. One transaction: a stop leaves both or
 * neither; a stop before the records re-planned are committed is made
 * good by the next re-plan asking again (plan_refs still names them). */
static int drop_deleted(struct plan *pl)
{
	int error;

	if ((error = ferry_workspace_begin(pl->ws)) < 0)
		return error;
	if ((error = ferry_store__exec(
	         pl->ws,
	         "CREATE TEMP TABLE IF NOT EXISTS plan_gone (object TEXT NOT "
	         "NULL, source_id TEXT NOT NULL, PRIMARY KEY (object, "
	         "source_id)) WITHOUT ROWID;\n"
	         "DELETE FROM temp.plan_gone;\n"
	         "INSERT INTO temp.plan_gone SELECT q.object, q.source_id FROM "
	         "temp.plan_only q WHERE NOT EXISTS (SELECT 1 FROM "
	         "main.staged_records s WHERE s.object = q.object AND "
	         "s.source_id = q.source_id);\n"
	         "INSERT OR IGNORE INTO temp.plan_only(object, source_id) "
	         "SELECT r.object, r.source_id FROM temp.plan_gone g CROSS "
	         "JOIN main.plan_refs r ON r.target IN (g.source_id, "
	         "substr(g.source_id, 1, 15));\n"
	         "DELETE FROM main.plan WHERE (object, source_id) IN (SELECT "
	         "object, source_id FROM temp.plan_gone);\n"
	         "DELETE FROM main.plan_refs WHERE (object, source_id) IN "
	         "(SELECT object, source_id FROM temp.plan_gone);\n"
	         "DROP TABLE temp.plan_gone;")) < 0) {
		ferry_workspace_rollback(pl->ws);
		return error;
	}
	return ferry_workspace_commit(pl->ws);
}

int pl_partial_start(struct plan *pl, const struct ferry_plan_ref *refs,
                     size_t n)
{
	int error;

	/* The unique values of the records re-planned are looked up by
	 * record (pl_partial_prefill's NOT EXISTS): without this index each
	 * lookup scans the object's values, quadratic in a large re-plan
	 * (the first sync after a run re-plans most of the org). */
	if ((error = ferry_store__exec(pl->ws, temp_sql)) < 0 ||
	    (error = ferry_store__exec(
	         pl->ws, "CREATE INDEX IF NOT EXISTS temp.plan_unique_record "
	                 "ON plan_unique(object, source_id, attr)")) < 0 ||
	    (error = add_refs(pl, refs, n)) < 0 ||
	    (error = dedup_again(pl)) < 0)
		return error;
	/* Records sharing a matching value with one asked for: a clash
	 * held both, and may release both. Here and below, CROSS JOIN keeps
	 * the small temp tables driving the join (the planner has no
	 * statistics to know they are small), and `match_value != ''` lets
	 * it use the partial index plan_match. */
	if ((error = ferry_store__exec(
	         pl->ws,
	         "INSERT OR IGNORE INTO temp.plan_only(object, source_id) "
	         "SELECT p2.object, p2.source_id FROM temp.plan_only q CROSS "
	         "JOIN main.plan p1 ON p1.object = q.object AND p1.source_id = "
	         "q.source_id CROSS JOIN main.plan p2 ON p2.dest_object = "
	         "p1.dest_object AND p2.match_attribute = p1.match_attribute "
	         "AND p2.match_value = p1.match_value WHERE p1.match_value != "
	         "'' AND p2.match_value != ''")) < 0)
		return error;
	return drop_deleted(pl);
}

bool pl_partial_wanted(struct plan *pl, const char *object)
{
	sqlite3_stmt *st = NULL;
	bool any;

	(void)exec1(pl, "INSERT OR IGNORE INTO temp.plan_done VALUES (?)",
	            object, "cannot keep an object planned");
	if (ferry_store__prepare(&st, pl->ws,
	                         "SELECT 1 FROM temp.plan_only WHERE object "
	                         "= ? LIMIT 1") < 0)
		return true; /* deciding more than needed is never wrong */
	ferry_store__bind_text(st, 1, object);
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

int pl_partial_begin(struct plan *pl, struct pl_object *po)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	json_decref(pl->want);
	pl->want = json_object();
	if ((error = ferry_store__prepare(&st, pl->ws,
	                                  "SELECT source_id FROM "
	                                  "temp.plan_only WHERE object = ?")) <
	    0)
		return error;
	ferry_store__bind_text(st, 1, po->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(pl->want,
		                    (const char *)sqlite3_column_text(st, 0),
		                    json_true());
	if (rc != SQLITE_DONE)
		error = ferry_store__error(
		    pl->ws, "cannot read the records to re-plan");
	sqlite3_finalize(st);
	return error;
}

bool pl_partial_take(struct plan *pl, struct pl_object *po, const char *id)
{
	(void)po;
	return json_object_get(pl->want, id) != NULL;
}

/* Whether a record of `object` re-planned holds a destination record id
 * (plan_dest.c), without reading any payload. */
static bool has_record_ids(struct plan *pl, const char *object)
{
	sqlite3_stmt *st = NULL;
	bool any;

	if (ferry_store__prepare(&st, pl->ws,
	                         "SELECT 1 FROM temp.plan_unique WHERE object "
	                         "= ? AND attr = 'record_id' LIMIT 1") < 0)
		return true;
	ferry_store__bind_text(st, 1, object);
	any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

int pl_partial_prefill(struct plan *pl, struct pl_object *po)
{
	int error;

	/* Two clusters matched to one Attio record clash on its id
	 * (plan_dest.c): the payloads are read (a scan of the plan) only
	 * when a record re-planned has such an id; each id is looked up by
	 * the index on (dest, attr, value), not by scanning the object's
	 * values for every row of the plan. */
	if (has_record_ids(pl, po->name) &&
	    (error = exec1(
	         pl,
	         "INSERT INTO temp.plan_unique(dest, attr, value, object, "
	         "source_id) SELECT p.dest_object, 'record_id', "
	         "json_extract(p.payload, '$.record_id'), p.object, "
	         "p.source_id FROM main.plan p WHERE p.decision = 'write' AND "
	         "p.object IN (SELECT object FROM temp.plan_done) AND EXISTS "
	         "(SELECT 1 FROM temp.plan_unique u WHERE u.dest = "
	         "p.dest_object AND u.attr = 'record_id' AND u.value = "
	         "json_extract(p.payload, '$.record_id') AND u.object = ?1) "
	         "AND NOT EXISTS (SELECT 1 FROM temp.plan_unique v WHERE "
	         "v.object = p.object AND v.source_id = p.source_id AND v.attr "
	         "= 'record_id')",
	         po->name, "cannot check unique values")) < 0)
		return error;
	return exec1(
	    pl,
	    "INSERT INTO temp.plan_unique(dest, attr, value, object, "
	    "source_id) SELECT p.dest_object, p.match_attribute, "
	    "p.match_value, p.object, p.source_id FROM (SELECT DISTINCT dest, "
	    "attr, value FROM temp.plan_unique WHERE object = ?1) u CROSS JOIN "
	    "main.plan p ON p.dest_object = u.dest AND p.match_attribute = "
	    "u.attr AND p.match_value = u.value WHERE p.match_value != '' AND "
	    "p.decision = 'write' AND p.object IN (SELECT object FROM "
	    "temp.plan_done) AND NOT EXISTS (SELECT 1 FROM temp.plan_unique v "
	    "WHERE v.object = p.object AND v.source_id = p.source_id AND "
	    "v.attr = p.match_attribute)",
	    po->name, "cannot check unique values");
}

int pl_partial_end(struct plan *pl, struct pl_object *po)
{
	int error;

	/* Records of later objects naming a record whose decision changed,
	 * or one merged into it (a reference to it resolves through it);
	 * by the 18-character id or its case-sensitive 15. */
	if ((error = exec1(
	         pl,
	         "INSERT OR IGNORE INTO temp.plan_only(object, source_id) "
	         "SELECT r.object, r.source_id FROM (SELECT c.source_id AS id "
	         "FROM temp.plan_changed c UNION SELECT d2.source_id FROM "
	         "temp.plan_changed c CROSS JOIN main.dedup d1 ON d1.object = "
	         "?1 "
	         "AND d1.source_id = c.source_id CROSS JOIN main.dedup d2 ON "
	         "d2.cluster = d1.cluster AND d2.survivor_object = d1.object "
	         "AND "
	         "d2.survivor_id = d1.source_id) t CROSS JOIN main.plan_refs r "
	         "ON "
	         "r.target IN (t.id, substr(t.id, 1, 15)) WHERE r.object NOT "
	         "IN (SELECT object FROM temp.plan_done)",
	         po->name, "cannot list the records to re-plan")) < 0)
		return error;
	return exec1(
	    pl,
	    "INSERT OR IGNORE INTO temp.plan_only(object, source_id) SELECT "
	    "p2.object, p2.source_id FROM temp.plan_changed c CROSS JOIN "
	    "main.plan p1 ON p1.object = ?1 AND p1.source_id = c.source_id "
	    "CROSS JOIN main.plan p2 ON p2.dest_object = p1.dest_object AND "
	    "p2.match_attribute = p1.match_attribute AND p2.match_value = "
	    "p1.match_value WHERE p1.match_value != '' AND p2.match_value != "
	    "'' AND p2.object NOT IN (SELECT object FROM temp.plan_done)",
	    po->name, "cannot list the records to re-plan");
}

void pl_partial_free(struct plan *pl)
{
	json_decref(pl->want);
	pl->want = NULL;
	if (pl->partial)
		(void)ferry_store__exec(pl->ws,
		                        "DROP TABLE IF EXISTS temp.plan_only;"
		                        "DROP TABLE IF EXISTS temp.plan_done;"
		                        "DROP TABLE IF EXISTS "
		                        "temp.dedup_before;");
}
