/* plan_store.c: writing the workspace table `plan`, one decision per
 * staged record. An object's decisions are replaced in one transaction; a
 * decision equal to the stored one is not written at all, and a changed
 * one keeps what it was in temp.plan_changed, so that at commit the
 * decisions that really changed are found with one join and only those
 * become audit events. The reads are in plan_read.c. */
#include "util.h"

#include "ferry/hash.h"
#include "plan_int.h"
#include "store/store.h"

/* The work tables of a run: the records of the object being planned
 * whose decision may have changed, with what it was (NULL: new), and the
 * unique values of the records to write (per destination object, across
 * source objects). */
static const char temp_sql[] =
    "DROP TABLE IF EXISTS temp.plan_changed;\n"
    "DROP TABLE IF EXISTS temp.plan_unique;\n"
    "CREATE TEMP TABLE plan_changed (source_id TEXT UNIQUE NOT NULL, "
    "decision TEXT, payload_sha256 TEXT, reasons TEXT);\n"
    "CREATE TEMP TABLE plan_unique (dest TEXT NOT NULL, attr TEXT NOT "
    "NULL, value TEXT NOT NULL, object TEXT NOT NULL, source_id TEXT NOT "
    "NULL);\n"
    "CREATE INDEX temp.plan_unique_value ON plan_unique(dest, attr, "
    "value);\n"
    "CREATE INDEX temp.plan_unique_object ON plan_unique(object);\n";

int pl_store_prepare(struct plan *pl)
{
	int error;

	if ((error = ferry_store__exec(pl->ws, temp_sql)) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->ins, pl->ws,
	         "INSERT INTO main.plan(" PL_PLAN_COLS
	         ", refs) VALUES (?1, ?2, "
	         "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->upd, pl->ws,
	         "UPDATE main.plan SET decision = ?3, payload_sha256 = ?4, "
	         "dest_object = ?5, match_attribute = ?6, match_value = ?7, "
	         "survivor_object = ?8, survivor_id = ?9, planned_at = ?10, "
	         "reasons = ?11, notes = ?12, payload = ?13, refs = ?14 WHERE "
	         "object = ?1 AND source_id = ?2")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->old, pl->ws,
	         "SELECT decision, payload_sha256, dest_object, "
	         "match_attribute, match_value, survivor_object, survivor_id, "
	         "reasons, notes, refs FROM main.plan WHERE object = ? AND "
	         "source_id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->stash, pl->ws,
	         "INSERT OR IGNORE INTO temp.plan_changed(source_id, "
	         "decision, payload_sha256, reasons) VALUES (?, ?, ?, ?)")) <
	        0 ||
	    (error = ferry_store__prepare(
	         &pl->lookup, pl->ws,
	         "SELECT object, decision, dest_object, survivor_object, "
	         "survivor_id FROM main.plan WHERE source_id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->user, pl->ws,
	         "SELECT fields FROM main.staged_records WHERE object = "
	         "'User' AND source_id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->staged, pl->ws,
	         "SELECT 1 FROM main.staged_records WHERE object = ? AND "
	         "source_id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->dedup, pl->ws,
	         "SELECT role, survivor_object, survivor_id, dest_id FROM "
	         "main.dedup WHERE object = ? AND source_id = ?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->uniq_ins, pl->ws,
	         "INSERT INTO temp.plan_unique(dest, attr, value, object, "
	         "source_id) VALUES (?, ?, ?, ?, ?)")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->refs_del, pl->ws,
	         "DELETE FROM main.plan_refs WHERE object = ? AND source_id = "
	         "?")) < 0 ||
	    (error = ferry_store__prepare(
	         &pl->refs_ins, pl->ws,
	         "INSERT OR IGNORE INTO main.plan_refs(target, object, "
	         "source_id) VALUES (?, ?, ?)")) < 0)
		return error;
	return 0;
}

void pl_store_finalize(struct plan *pl)
{
	sqlite3_stmt **all[] = {&pl->ins,      &pl->upd,     &pl->old,
	                        &pl->stash,    &pl->lookup,  &pl->user,
	                        &pl->staged,   &pl->dedup,   &pl->uniq_ins,
	                        &pl->refs_del, &pl->refs_ins};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(all); i++) {
		sqlite3_finalize(*all[i]);
		*all[i] = NULL;
	}
	(void)ferry_store__exec(pl->ws, "DROP TABLE IF EXISTS "
	                                "temp.plan_changed;"
	                                "DROP TABLE IF EXISTS "
	                                "temp.plan_unique;");
}

/* Runs a one-off statement with up to two text parameters. */
static int run(struct plan *pl, const char *sql, const char *a, const char *b,
               const char *what, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	int error;

	if ((error = ferry_store__prepare(&st, pl->ws, sql)) < 0)
		return error;
	if (a)
		ferry_store__bind_text(st, 1, a);
	if (b)
		ferry_store__bind_text(st, 2, b);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(pl->ws, what);
	else if (changes)
		*changes = sqlite3_changes64(sqlite3_db_handle(st));
	sqlite3_finalize(st);
	return error;
}

int pl_store_begin(struct plan *pl, const char *object)
{
	int error;

	(void)object;
	if ((error = ferry_workspace_begin(pl->ws)) < 0)
		return error;
	if ((error = ferry_store__exec(pl->ws,
	                               "DELETE FROM temp.plan_changed")) < 0) {
		ferry_workspace_rollback(pl->ws);
		return error;
	}
	return 0;
}

void pl_store_rollback(struct plan *pl)
{
	ferry_workspace_rollback(pl->ws);
}

static int put_json(const char *buffer, size_t size, void *data)
{
	return ferry_buf_put(data, buffer, size) < 0 ? -1 : 0;
}

/* `j` as compact JSON with sorted keys (a stable text to hash). */
static int dump(struct ferry_buf *out, const json_t *j)
{
	ferry_buf_clear(out);
	if (json_dump_callback(j, put_json, out,
	                       JSON_COMPACT | JSON_SORT_KEYS |
	                           JSON_ENCODE_ANY) < 0)
		return ferry_error_set(FERRY_ETOOBIG,
		                       "a planned record does not fit in "
		                       "memory as JSON");
	return 0;
}

static bool same(sqlite3_stmt *st, int col, const char *s)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t && !strcmp(t, s);
}

static int step_done(struct plan *pl, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : ferry_store__error(pl->ws, what);
}

/* What the record's decision was (NULLs for a new record), kept for the
 * audit at commit. */
static int stash(struct plan *pl, const char *id, sqlite3_stmt *old, bool had)
{
	sqlite3_stmt *st = pl->stash;

	ferry_store__bind_text(st, 1, id);
	if (had) {
		sqlite3_bind_value(st, 2, sqlite3_column_value(old, 0));
		sqlite3_bind_value(st, 3, sqlite3_column_value(old, 1));
		sqlite3_bind_value(st, 4, sqlite3_column_value(old, 7));
	}
	return step_done(pl, st, "cannot keep a previous decision");
}

/* The record's rows of plan_refs, replaced: one per id it names. */
static int put_refs(struct plan *pl, const struct pl_rec *rec)
{
	const char *p = rec->refs.ptr;
	int error;

	ferry_store__bind_text(pl->refs_del, 1, rec->po->name);
	ferry_store__bind_text(pl->refs_del, 2, rec->source_id);
	if ((error = step_done(pl, pl->refs_del, "cannot index references")) <
	    0)
		return error;
	while (*p) {
		size_t n = strcspn(p, " ");

		sqlite3_bind_text(pl->refs_ins, 1, p, (int)n, SQLITE_STATIC);
		ferry_store__bind_text(pl->refs_ins, 2, rec->po->name);
		ferry_store__bind_text(pl->refs_ins, 3, rec->source_id);
		if ((error = step_done(pl, pl->refs_ins,
		                       "cannot index references")) < 0)
			return error;
		p += n;
		p += *p == ' ';
	}
	return 0;
}

int pl_store_put(struct plan *pl, struct pl_rec *rec)
{
	const json_t *reasons = rec->decision == FERRY_PLAN_SKIPPED && rec->skip
	                            ? rec->skip
	                            : rec->reasons;
	json_t *payload =
	    rec->extra ? json_deep_copy(rec->extra) : json_object();
	const char *decision = ferry_plan_decision_name(rec->decision);
	const char *dest = rec->dest ? rec->dest : "";
	const char *mattr = rec->match_attr ? rec->match_attr : "";
	char hash[FERRY_SHA256_HEX_LEN + 1];
	char *rtext = NULL, *ntext = NULL;
	sqlite3_stmt *old = pl->old, *st;
	bool had;
	int error, rc;

	json_object_set(payload, "values", rec->values);
	if ((error = dump(&pl->payload, payload)) < 0 ||
	    (error = ferry_sha256_hex(hash, pl->payload.ptr, pl->payload.len)) <
	        0)
		goto done;
	rtext = json_dumps(reasons, JSON_COMPACT);
	ntext = json_dumps(rec->notes, JSON_COMPACT);
	ferry_store__bind_text(old, 1, rec->po->name);
	ferry_store__bind_text(old, 2, rec->source_id);
	rc = sqlite3_step(old);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		error = ferry_store__error(pl->ws, "cannot read the plan");
		goto done;
	}
	had = rc == SQLITE_ROW;
	/* Unchanged: nothing to write, nothing to tell. */
	if (had && same(old, 0, decision) && same(old, 1, hash) &&
	    same(old, 2, dest) && same(old, 3, mattr) &&
	    same(old, 4, rec->match_value.ptr) &&
	    same(old, 5, rec->survivor_object) &&
	    same(old, 6, rec->survivor_id) && same(old, 7, rtext) &&
	    same(old, 8, ntext) && same(old, 9, rec->refs.ptr))
		goto done;
	if ((error = stash(pl, rec->source_id, old, had)) < 0)
		goto done;
	sqlite3_reset(old);
	st = had ? pl->upd : pl->ins;
	ferry_store__bind_text(st, 1, rec->po->name);
	ferry_store__bind_text(st, 2, rec->source_id);
	ferry_store__bind_text(st, 3, decision);
	ferry_store__bind_text(st, 4, hash);
	ferry_store__bind_text(st, 5, dest);
	ferry_store__bind_text(st, 6, mattr);
	ferry_store__bind_text(st, 7, rec->match_value.ptr);
	ferry_store__bind_text(st, 8, rec->survivor_object);
	ferry_store__bind_text(st, 9, rec->survivor_id);
	ferry_store__bind_text(st, 10, pl->planned_at);
	ferry_store__bind_text(st, 11, rtext ? rtext : "[]");
	ferry_store__bind_text(st, 12, ntext ? ntext : "[]");
	sqlite3_bind_text(st, 13, pl->payload.ptr, (int)pl->payload.len,
	                  SQLITE_STATIC);
	ferry_store__bind_text(st, 14, rec->refs.ptr);
	if ((error = step_done(pl, st, "cannot store a decision")) < 0)
		goto done;
	error = put_refs(pl, rec);
done:
	sqlite3_reset(old);
	sqlite3_clear_bindings(old);
	free(rtext);
	free(ntext);
	json_decref(payload);
	return error;
}

int pl_store_skip_all(struct plan *pl, struct pl_object *po, const char *code,
                      const char *release, const char *message)
{
	static const char empty[] = "{\"values\":{}}";
	json_t *reasons = json_array();
	char hash[FERRY_SHA256_HEX_LEN + 1];
	sqlite3_stmt *changed = NULL, *put = NULL;
	char *rtext;
	int error;

	json_array_append_new(
	    reasons, json_pack("{s:s, s:s, s:s, s:s}", "field", "", "code",
	                       code, "message", message, "release", release));
	rtext = json_dumps(reasons, JSON_COMPACT);
	json_decref(reasons);
	/* The records whose decision is not already this one... */
	if ((error = ferry_sha256_hex(hash, empty, sizeof(empty) - 1)) < 0 ||
	    (error = ferry_store__prepare(
	         &changed, pl->ws,
	         "INSERT INTO temp.plan_changed(source_id, decision, "
	         "payload_sha256, reasons) SELECT s.source_id, p.decision, "
	         "p.payload_sha256, p.reasons FROM main.staged_records s LEFT "
	         "JOIN main.plan p ON p.object = s.object AND p.source_id = "
	         "s.source_id WHERE s.object = ?1 AND (p.source_id IS NULL OR "
	         "p.decision IS NOT 'skipped' OR p.payload_sha256 IS NOT ?2 OR "
	         "p.reasons IS NOT ?3 OR p.dest_object != '' OR p.notes != "
	         "'[]') ORDER BY s.line")) < 0 ||
	    /* ...get it. */
	    (error = ferry_store__prepare(
	         &put, pl->ws,
	         "INSERT INTO main.plan(object, source_id, decision, "
	         "payload_sha256, planned_at, reasons, payload) SELECT ?1, "
	         "c.source_id, 'skipped', ?2, ?4, ?3, ?5 FROM "
	         "temp.plan_changed c WHERE true ORDER BY c.rowid ON "
	         "CONFLICT(object, source_id) DO UPDATE SET decision = "
	         "'skipped', payload_sha256 = ?2, dest_object = '', "
	         "match_attribute = '', match_value = '', survivor_object = "
	         "'', survivor_id = '', planned_at = ?4, reasons = ?3, notes = "
	         "'[]', payload = ?5, refs = ''")) < 0)
		goto done;
	ferry_store__bind_text(changed, 1, po->name);
	ferry_store__bind_text(changed, 2, hash);
	ferry_store__bind_text(changed, 3, rtext);
	if ((error = step_done(pl, changed, "cannot store decisions")) < 0)
		goto done;
	ferry_store__bind_text(put, 1, po->name);
	ferry_store__bind_text(put, 2, hash);
	ferry_store__bind_text(put, 3, rtext);
	ferry_store__bind_text(put, 4, pl->planned_at);
	ferry_store__bind_text(put, 5, empty);
	if ((error = step_done(pl, put, "cannot store decisions")) < 0 ||
	    (error = run(pl, "DELETE FROM main.plan_refs WHERE object = ?1",
	                 po->name, NULL, "cannot index references", NULL)) < 0)
		goto done;
	po->stats->by_decision[FERRY_PLAN_SKIPPED] += po->stats->staged;
done:
	sqlite3_finalize(changed);
	sqlite3_finalize(put);
	free(rtext);
	return error;
}

/* The stash of a record about to change outside pl_store_put (a unique
 * clash holds it): what it was, unless pl_store_put already kept that. */
int pl_store_stash(struct plan *pl, const char *object, const char *id)
{
	return run(pl,
	           "INSERT OR IGNORE INTO temp.plan_changed(source_id, "
	           "decision, payload_sha256, reasons) SELECT source_id, "
	           "decision, payload_sha256, reasons FROM main.plan WHERE "
	           "object = ?1 AND source_id = ?2",
	           object, id, "cannot keep a previous decision", NULL);
}

static int drop_unstaged(struct plan *pl, struct pl_object *po)
{
	int error;

	if ((error = run(pl,
	                 "DELETE FROM main.plan WHERE object = ?1 AND "
	                 "source_id NOT IN (SELECT source_id FROM "
	                 "main.staged_records WHERE object = ?1)",
	                 po->name, NULL, "cannot drop old decisions", NULL)) <
	    0)
		return error;
	return run(pl,
	           "DELETE FROM main.plan_refs WHERE object = ?1 AND source_id "
	           "NOT IN (SELECT source_id FROM main.staged_records WHERE "
	           "object = ?1)",
	           po->name, NULL, "cannot drop old references", NULL);
}

int pl_store_commit(struct plan *pl, struct pl_object *po)
{
	int64_t changed = 0;
	int error;

	if ((error = pl_unique_check(pl, po)) < 0 ||
	    /* Records no longer staged have no decision; a re-plan of a few
	     * records changes no staging, and skips the two scans. */
	    (!pl->partial && (error = drop_unstaged(pl, po)) < 0) ||
	    (error = run(pl,
	                 "INSERT INTO main.audit(at, stage, object, "
	                 "source_id, event, detail) SELECT ?2, 'plan', "
	                 "p.object, p.source_id, p.decision, CASE WHEN "
	                 "p.survivor_id != '' THEN json_object('reasons', "
	                 "json(p.reasons), 'notes', json(p.notes), "
	                 "'survivor', json_object('object', "
	                 "p.survivor_object, 'source_id', p.survivor_id)) "
	                 "ELSE json_object('reasons', json(p.reasons), "
	                 "'notes', json(p.notes)) END FROM temp.plan_changed "
	                 "c JOIN main.plan p ON p.object = ?1 AND p.source_id "
	                 "= c.source_id WHERE c.decision IS NOT p.decision OR "
	                 "c.payload_sha256 IS NOT p.payload_sha256 OR "
	                 "c.reasons IS NOT p.reasons ORDER BY c.rowid",
	                 po->name, pl->planned_at,
	                 "cannot append to the audit log", &changed)) < 0 ||
	    (error = ferry_workspace_commit(pl->ws)) < 0) {
		ferry_workspace_rollback(pl->ws);
		return ferry_error_wrap(error, "planning %s", po->name);
	}
	po->stats->changed = changed;
	return 0;
}

int pl_store_prune(struct plan *pl)
{
	int error;

	if ((error = run(pl,
	                 "DELETE FROM main.plan_refs WHERE object NOT IN "
	                 "(SELECT object FROM main.staged_objects WHERE "
	                 "status = 'complete')",
	                 NULL, NULL, "cannot drop old references", NULL)) < 0)
		return error;
	return run(pl,
	           "DELETE FROM main.plan WHERE object NOT IN (SELECT object "
	           "FROM main.staged_objects WHERE status = 'complete')",
	           NULL, NULL,
	           "cannot drop the plan of objects no longer staged", NULL);
}
