/* schema.c: the workspace database's schema and how it moves forward. The
 * schema is a list of steps; step N takes a database from version N-1 to N
 * and the version lives in PRAGMA user_version, so a workspace written by
 * any older ferry opens in this one. See docs/internals/workspace.md. */
#include "util.h"

#include "store.h"

/*
 * Never edit a step once it has shipped: a workspace that ran it will not
 * run it again. Change the schema by appending a step (and bumping
 * FERRY_WORKSPACE_SCHEMA in workspace.h), and keep
 * tests/fixtures/workspace-v1.sql equal to step 1.
 */
static const char *const steps[] = {
    /* 1: meta, staging and the append-only audit log. */
    "CREATE TABLE meta (\n"
    "  key TEXT PRIMARY KEY NOT NULL,\n"
    "  value TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE staged_objects (\n"
    "  object TEXT PRIMARY KEY NOT NULL,\n"
    "  origin TEXT NOT NULL DEFAULT '',\n"
    "  status TEXT NOT NULL CHECK (status IN ('staging', 'complete')),\n"
    "  record_count INTEGER NOT NULL DEFAULT 0,\n"
    "  staged_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE staged_records (\n"
    "  object TEXT NOT NULL REFERENCES staged_objects(object)\n"
    "    ON DELETE CASCADE,\n"
    "  source_id TEXT NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  fields TEXT NOT NULL,\n"
    "  PRIMARY KEY (object, source_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX staged_records_line ON staged_records(object, line);\n"
    "CREATE TABLE audit (\n"
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  at TEXT NOT NULL,\n"
    "  stage TEXT NOT NULL DEFAULT '',\n"
    "  object TEXT,\n"
    "  source_id TEXT,\n"
    "  event TEXT NOT NULL,\n"
    "  detail TEXT\n"
    ");\n"
    "CREATE INDEX audit_record ON audit(object, source_id);\n"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n",

    /* 2: the ledger, one row per source record written (or not). */
    "CREATE TABLE ledger (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  dest_object TEXT NOT NULL DEFAULT '',\n"
    "  dest_id TEXT NOT NULL DEFAULT '',\n"
    "  payload_hash TEXT NOT NULL DEFAULT '',\n"
    "  status TEXT NOT NULL CHECK (status IN\n"
    "    ('pending', 'written', 'merged', 'skipped', 'failed')),\n"
    "  reason TEXT NOT NULL DEFAULT '',\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  http_status INTEGER NOT NULL DEFAULT 0,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  PRIMARY KEY (object, source_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX ledger_status ON ledger(object, status);\n",

    /* 3: source facts (the schema snapshot and what else extract saw). */
    "CREATE TABLE source_facts (\n"
    "  name TEXT PRIMARY KEY NOT NULL,\n"
    "  json TEXT NOT NULL,\n"
    "  fetched_at TEXT NOT NULL\n"
    ") WITHOUT ROWID;\n",

    /* 4: staged records in a rowid table. A WITHOUT ROWID row over
     * about a kilobyte (a wide Salesforce object's) spills into an
     * overflow page of its own: the file grew to 2.7 times its data and
     * staging was bound by the I/O. */
    "CREATE TABLE staged_records_v4 (\n"
    "  object TEXT NOT NULL REFERENCES staged_objects(object)\n"
    "    ON DELETE CASCADE,\n"
    "  source_id TEXT NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  fields TEXT NOT NULL,\n"
    "  UNIQUE (object, source_id)\n"
    ");\n"
    "INSERT INTO staged_records_v4(object, source_id, line, fields)\n"
    "  SELECT object, source_id, line, fields FROM staged_records\n"
    "  ORDER BY object, line;\n"
    "DROP TABLE staged_records;\n"
    "ALTER TABLE staged_records_v4 RENAME TO staged_records;\n"
    "CREATE INDEX staged_records_line ON staged_records(object, line);\n",

    /* 5: the dedup result, one row per staged record of a deduplicated
     * object: its cluster, its role and why (src/lib/plan/dedup.c). */
    "CREATE TABLE dedup (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  cluster INTEGER NOT NULL,\n"
    "  role TEXT NOT NULL CHECK (role IN ('survivor', 'merged', 'held')),\n"
    "  survivor_object TEXT NOT NULL DEFAULT '',\n"
    "  survivor_id TEXT NOT NULL DEFAULT '',\n"
    "  reason TEXT NOT NULL DEFAULT '',\n"
    "  dest_id TEXT NOT NULL DEFAULT '',\n"
    "  merged TEXT,\n"
    "  filled_from TEXT,\n"
    "  UNIQUE (object, source_id)\n"
    ");\n"
    "CREATE INDEX dedup_cluster ON dedup(cluster);\n",

    /* 6: the plan, one decision per staged record (write, merged, held,
     * skipped) with its payload, reasons and notes (src/lib/plan/). The
     * small columns come first: re-planning compares a record's decision
     * and hashes without reading its payload. Indexed by source id too,
     * with what a reference asks of the record it points at (what became
     * of it), so the answer needs no row. */
    "CREATE TABLE plan (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  decision TEXT NOT NULL CHECK (decision IN\n"
    "    ('write', 'merged', 'held', 'skipped')),\n"
    "  payload_sha256 TEXT NOT NULL DEFAULT '',\n"
    "  dest_object TEXT NOT NULL DEFAULT '',\n"
    "  match_attribute TEXT NOT NULL DEFAULT '',\n"
    "  match_value TEXT NOT NULL DEFAULT '',\n"
    "  survivor_object TEXT NOT NULL DEFAULT '',\n"
    "  survivor_id TEXT NOT NULL DEFAULT '',\n"
    "  planned_at TEXT NOT NULL,\n"
    "  reasons TEXT NOT NULL DEFAULT '[]',\n"
    "  notes TEXT NOT NULL DEFAULT '[]',\n"
    "  payload TEXT NOT NULL DEFAULT '{\"values\":{}}',\n"
    "  UNIQUE (object, source_id)\n"
    ");\n"
    "CREATE INDEX plan_source ON plan(source_id, object, decision,\n"
    "  dest_object, survivor_object, survivor_id);\n"
    "CREATE INDEX plan_decision ON plan(object, decision);\n",

    /* 7: the conflict queue's overrides (src/lib/queue/): a person's
     * value for one field of one staged record, or (field '') a person's
     * decision to leave the record out. The staging stays as the source
     * gave it; the plan reads the record with its overrides on top. The
     * plan is also indexed by matching value, so a re-plan of a few
     * records finds the others that share their value. */
    "CREATE TABLE overrides (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  field TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  note TEXT NOT NULL DEFAULT '',\n"
    "  set_at TEXT NOT NULL,\n"
    "  PRIMARY KEY (object, source_id, field)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX plan_match ON plan(dest_object, match_attribute,\n"
    "  match_value) WHERE match_value != '';\n",

    /* 8: what each planned record's reference columns name (the ids in
     * `refs`, one row each in plan_refs), so the records a change of one
     * record reaches are found by an index, not a scan of the org. */
    "ALTER TABLE plan ADD COLUMN refs TEXT NOT NULL DEFAULT '';\n"
    "CREATE TABLE plan_refs (\n"
    "  target TEXT NOT NULL,\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  PRIMARY KEY (target, object, source_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX plan_refs_record ON plan_refs(object, source_id);\n",

    /* 9: what rollback and sync need of the ledger: held records said so
     * (not "skipped"), a row a rollback undid or a sync removed because
     * the source deleted it, and `op`, what ferry's write did at the
     * destination (created it, updated a record that was there before,
     * appended a link, found it there without its values before). The
     * values of a record ferry updated, as they were before its first
     * write, are kept in ledger_prior: rollback restores them. The CHECK
     * changes, so the table is rebuilt. */
    "CREATE TABLE ledger_v9 (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  dest_object TEXT NOT NULL DEFAULT '',\n"
    "  dest_id TEXT NOT NULL DEFAULT '',\n"
    "  payload_hash TEXT NOT NULL DEFAULT '',\n"
    "  status TEXT NOT NULL CHECK (status IN\n"
    "    ('pending', 'written', 'merged', 'skipped', 'failed', 'held',\n"
    "     'rolled_back', 'deleted')),\n"
    "  reason TEXT NOT NULL DEFAULT '',\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  http_status INTEGER NOT NULL DEFAULT 0,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  op TEXT NOT NULL DEFAULT '' CHECK (op IN\n"
    "    ('', 'created', 'updated', 'appended', 'existed')),\n"
    "  PRIMARY KEY (object, source_id)\n"
    ") WITHOUT ROWID;\n"
    "INSERT INTO ledger_v9(object, source_id, dest_object, dest_id,\n"
    "  payload_hash, status, reason, attempts, http_status, updated_at)\n"
    "  SELECT object, source_id, dest_object, dest_id, payload_hash,\n"
    "  CASE WHEN status = 'skipped' AND reason LIKE 'held:%' THEN 'held'\n"
    "  ELSE status END, reason, attempts, http_status, updated_at\n"
    "  FROM ledger;\n"
    "DROP TABLE ledger;\n"
    "ALTER TABLE ledger_v9 RENAME TO ledger;\n"
    "CREATE INDEX ledger_status ON ledger(object, status);\n"
    "CREATE TABLE ledger_prior (\n"
    "  object TEXT NOT NULL,\n"
    "  source_id TEXT NOT NULL,\n"
    "  dest_object TEXT NOT NULL,\n"
    "  dest_id TEXT NOT NULL,\n"
    "  prior TEXT NOT NULL,\n"
    "  captured_at TEXT NOT NULL,\n"
    "  PRIMARY KEY (object, source_id)\n"
    ") WITHOUT ROWID;\n",
};

_Static_assert(FERRY_ARRAY_LEN(steps) == FERRY_WORKSPACE_SCHEMA,
               "one schema step per version");

static int read_version(struct ferry_workspace *ws, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int error;

	if ((error = ferry_store__prepare(&stmt, ws, "PRAGMA user_version")) <
	    0)
		goto done;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		error =
		    ferry_store__error(ws, "cannot read the schema version");
		goto done;
	}
	*out = sqlite3_column_int(stmt, 0);
done:
	sqlite3_finalize(stmt);
	return error;
}

static int check_known(struct ferry_workspace *ws, int version)
{
	if (version > FERRY_WORKSPACE_SCHEMA)
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "workspace '%s' was written by a newer ferry (schema %d; "
		    "this ferry knows up to %d): upgrade ferry",
		    ws->db_name, version, FERRY_WORKSPACE_SCHEMA);
	if (version < 0)
		return ferry_error_set(
		    FERRY_EDB,
		    "workspace '%s' has a bad schema version (%d): it was "
		    "not written by ferry",
		    ws->db_name, version);
	return 0;
}

/*
 * All pending steps run in one IMMEDIATE transaction, so a crash half way
 * leaves the old version intact and two processes opening an old workspace
 * at once migrate it once: the second waits for the write lock, then sees
 * the new version and has nothing to do.
 */
int ferry_store__migrate(struct ferry_workspace *ws)
{
	char pragma[64];
	int version = 0, error, v;
	bool in_txn = false;

	if ((error = read_version(ws, &version)) < 0 ||
	    (error = check_known(ws, version)) < 0)
		goto done;
	if (version == FERRY_WORKSPACE_SCHEMA)
		goto done;

	if ((error = ferry_store__exec(ws, "BEGIN IMMEDIATE")) < 0)
		goto done;
	in_txn = true;
	if ((error = read_version(ws, &version)) < 0 ||
	    (error = check_known(ws, version)) < 0)
		goto done;
	for (v = version + 1; v <= FERRY_WORKSPACE_SCHEMA; v++) {
		if ((error = ferry_store__exec(ws, steps[v - 1])) < 0) {
			ferry_error_wrap(
			    error, "migrating the workspace to schema %d", v);
			goto done;
		}
	}
	/* PRAGMA takes no parameters; the number is our own constant. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
	         FERRY_WORKSPACE_SCHEMA);
	if ((error = ferry_store__exec(ws, pragma)) < 0 ||
	    (error = ferry_store__exec(ws, "COMMIT")) < 0)
		goto done;
	in_txn = false;
	version = FERRY_WORKSPACE_SCHEMA;
done:
	if (in_txn)
		sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
	if (error == 0)
		ws->schema = version;
	return error;
}
