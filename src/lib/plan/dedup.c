/* dedup.c: runs the dedup engine: checks the config, sets up the work
 * tables (TEMP, so they live in SQLite's temporary file, not in memory),
 * runs the steps (keys.c, cluster.c, resolve.c) and replaces the objects'
 * rows in the workspace table `dedup`, in one transaction. */
#include "util.h"

#include <stdarg.h>

#include "dedup_int.h"
#include "store/store.h"

/* The work tables of one run: records in priority order, their keys,
 * the union-find parents, the keys shared by two records or more (and
 * their groups), and destination matches. */
static const char work_sql[] =
    "DROP TABLE IF EXISTS temp.dedup_rec;\n"
    "DROP TABLE IF EXISTS temp.dedup_keys;\n"
    "DROP TABLE IF EXISTS temp.dedup_parent;\n"
    "DROP TABLE IF EXISTS temp.dedup_shared;\n"
    "DROP TABLE IF EXISTS temp.dedup_groups;\n"
    "DROP TABLE IF EXISTS temp.dedup_dest;\n"
    "DROP TABLE IF EXISTS temp.dedup_cdest;\n"
    "DROP TABLE IF EXISTS temp.dedup_out;\n"
    "CREATE TEMP TABLE dedup_rec (rid INTEGER PRIMARY KEY, obj INTEGER NOT "
    "NULL, source_id TEXT NOT NULL, srow INTEGER NOT NULL);\n"
    "CREATE TEMP TABLE dedup_keys (k INTEGER NOT NULL, key TEXT NOT NULL, "
    "rid INTEGER NOT NULL);\n"
    "CREATE TEMP TABLE dedup_parent (rid INTEGER PRIMARY KEY, parent "
    "INTEGER NOT NULL);\n"
    "CREATE TEMP TABLE dedup_shared (rid INTEGER NOT NULL, k INTEGER NOT "
    "NULL, key TEXT NOT NULL);\n"
    "CREATE TEMP TABLE dedup_groups (anchor INTEGER NOT NULL, k INTEGER "
    "NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL);\n"
    "CREATE TEMP TABLE dedup_dest (rid INTEGER NOT NULL, k INTEGER NOT "
    "NULL, key TEXT NOT NULL, dest TEXT NOT NULL);\n"
    "CREATE TEMP TABLE dedup_cdest (cluster INTEGER NOT NULL, k INTEGER "
    "NOT NULL, key TEXT NOT NULL, dest TEXT NOT NULL);\n"
    "CREATE TEMP TABLE dedup_out (rid INTEGER NOT NULL, cluster INTEGER "
    "NOT NULL, role TEXT NOT NULL, survivor_object TEXT NOT NULL, "
    "survivor_id TEXT NOT NULL, reason TEXT NOT NULL, dest TEXT NOT NULL, "
    "merged TEXT, filled_from TEXT);\n";

static const char drop_sql[] = "DROP TABLE temp.dedup_rec;\n"
                               "DROP TABLE temp.dedup_keys;\n"
                               "DROP TABLE temp.dedup_parent;\n"
                               "DROP TABLE temp.dedup_shared;\n"
                               "DROP TABLE temp.dedup_groups;\n"
                               "DROP TABLE temp.dedup_dest;\n"
                               "DROP TABLE temp.dedup_cdest;\n"
                               "DROP TABLE temp.dedup_out;\n";

/* Every record, in record order: its decision, or (alone, unmatched) its
 * own survivor in a cluster of its own. The object's name comes from a
 * CASE over the bound names (a join per row cost a third of the insert),
 * put between these pieces by result_query(). */
static const char *const result_sql[] = {
    "INSERT INTO main.dedup(object, source_id, cluster, role, "
    "survivor_object, survivor_id, reason, dest_id, merged, filled_from)\n"
    "SELECT ",
    ", r.source_id, coalesce(o.cluster, r.srow),\n"
    "  coalesce(o.role, 'survivor'), coalesce(o.survivor_object, ",
    "),\n"
    "  coalesce(o.survivor_id, r.source_id), coalesce(o.reason, ''),\n"
    "  coalesce(o.dest, ''), o.merged, o.filled_from\n"
    "FROM temp.dedup_rec r\n"
    "LEFT JOIN temp.dedup_out o ON o.rid = r.rid\n"
    "ORDER BY r.rid",
};

/* The result query with "CASE r.obj WHEN 0 THEN ?1 WHEN 1 THEN ?2 END"
 * for the names: only numbers and parameters, never a name in the SQL
 * text. */
static int result_query(struct ferry_buf *out, size_t n)
{
	struct ferry_buf name = FERRY_BUF_INIT;
	size_t i;
	int error = ferry_buf_puts(&name, "CASE r.obj");

	for (i = 0; error == 0 && i < n; i++)
		error =
		    ferry_buf_printf(&name, " WHEN %zu THEN ?%zu", i, i + 1);
	for (i = 0; error == 0 && i < FERRY_ARRAY_LEN(result_sql); i++)
		if ((error = ferry_buf_puts(out, result_sql[i])) == 0 &&
		    i + 1 < FERRY_ARRAY_LEN(result_sql))
			error = ferry_buf_printf(out, "%s END", name.ptr);
	ferry_buf_release(&name);
	return error;
}

int dd_prepare(struct dd_run *run, sqlite3_stmt **out, const char *sql)
{
	return ferry_store__prepare(out, run->ws, sql);
}

int dd_step_done(struct dd_run *run, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ferry_store__error(run->ws, what);
	return 0;
}

#define BATCH_ROWS 64

int dd_batch_open(struct dd_run *run, struct dd_batch *b, const char *into,
                  int cols, const char *what)
{
	struct ferry_buf sql = FERRY_BUF_INIT;
	int error, i, j;

	memset(b, 0, sizeof(*b));
	b->cols = cols;
	b->rows = BATCH_ROWS;
	b->what = what;
	/* Rows left unused by the last flush have a NULL first column. */
	error = ferry_buf_printf(&sql, "INSERT INTO %s SELECT * FROM (VALUES ",
	                         into);
	for (i = 0; error == 0 && i < b->rows; i++)
		for (j = 0; error == 0 && j < cols; j++)
			error = ferry_buf_puts(
			    &sql, j == 0 ? (i ? ", (?" : "(?")
			                 : (j + 1 < cols ? ", ?" : ", ?)"));
	if (error == 0)
		error = ferry_buf_puts(&sql, ") WHERE column1 IS NOT NULL");
	if (error == 0)
		error = dd_prepare(run, &b->st, sql.ptr);
	ferry_buf_release(&sql);
	return error;
}

int dd_batch_param(const struct dd_batch *b)
{
	return b->n * b->cols + 1;
}

static int batch_step(struct dd_run *run, struct dd_batch *b)
{
	int error = dd_step_done(run, b->st, b->what);

	b->n = 0;
	return error;
}

int dd_batch_add(struct dd_run *run, struct dd_batch *b)
{
	if (++b->n < b->rows)
		return 0;
	return batch_step(run, b);
}

int dd_batch_flush(struct dd_run *run, struct dd_batch *b)
{
	int i, error;

	if (b->n == 0)
		return 0;
	for (i = b->n; i < b->rows; i++)
		sqlite3_bind_null(b->st, i * b->cols + 1);
	error = batch_step(run, b);
	sqlite3_clear_bindings(b->st);
	return error;
}

void dd_batch_close(struct dd_batch *b)
{
	sqlite3_finalize(b->st);
	b->st = NULL;
}

const char *dd_text(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

void dd_say(struct dd_text *t, const char *fmt, ...)
{
	va_list ap;

	if (t->error < 0)
		return;
	va_start(ap, fmt);
	t->error = ferry_buf_vprintf(&t->b, fmt, ap);
	va_end(ap);
}

void dd_text_clear(struct dd_text *t)
{
	ferry_buf_clear(&t->b);
	t->error = 0;
}

void dd_say_count(struct dd_text *t, size_t n)
{
	static const char *const words[] = {"no",    "one",  "two", "three",
	                                    "four",  "five", "six", "seven",
	                                    "eight", "nine", "ten"};

	if (n < FERRY_ARRAY_LEN(words))
		dd_say(t, "%s", words[n]);
	else
		dd_say(t, "%zu", n);
}

static int check_config(const struct ferry_dedup_config *cfg)
{
	size_t i, j;

	if (!cfg || !cfg->n_objects || !cfg->objects)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: no object to deduplicate");
	for (i = 0; i < cfg->n_objects; i++) {
		if (!cfg->objects[i] || !*cfg->objects[i])
			return ferry_error_set(FERRY_EINVALID,
			                       "dedup: object %zu has no name",
			                       i + 1);
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->objects[i], cfg->objects[j]))
				return ferry_error_set(
				    FERRY_EINVALID, "dedup: %s is listed twice",
				    cfg->objects[i]);
	}
	if (cfg->n_keys && !cfg->keys)
		return ferry_error_set(FERRY_EINVALID, "dedup: no keys given");
	for (i = 0; i < cfg->n_keys; i++) {
		const struct ferry_dedup_key *k = &cfg->keys[i];

		if ((unsigned)k->kind > FERRY_DEDUP_DOMAIN)
			return ferry_error_set(FERRY_EINVALID,
			                       "dedup: key %zu has an unknown "
			                       "kind (%d)",
			                       i + 1, (int)k->kind);
		if (!k->n_fields || !k->fields)
			return ferry_error_set(FERRY_EINVALID,
			                       "dedup: key %zu (%s) names no "
			                       "field to read it from",
			                       i + 1, dd_key_name(k));
		for (j = 0; j < k->n_fields; j++)
			if (!k->fields[j] || !*k->fields[j])
				return ferry_error_set(
				    FERRY_EINVALID,
				    "dedup: key %zu (%s) has an empty field "
				    "name",
				    i + 1, dd_key_name(k));
	}
	if ((unsigned)cfg->rule > FERRY_DEDUP_MOST_COMPLETE)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: unknown survivor rule %d",
		                       (int)cfg->rule);
	if ((unsigned)cfg->undecided > FERRY_DEDUP_UNDECIDED_NEWEST)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: unknown undecided rule %d",
		                       (int)cfg->undecided);
	if (cfg->n_context_fields && !cfg->context_fields)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: no context fields given");
	for (i = 0; i < cfg->n_context_fields; i++)
		if (!cfg->context_fields[i] || !*cfg->context_fields[i])
			return ferry_error_set(
			    FERRY_EINVALID,
			    "dedup: context field %zu has no name", i + 1);
	if (cfg->n_fields && !cfg->fields)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: no mapped fields given");
	for (i = 0; i < cfg->n_fields; i++)
		if (!cfg->fields[i].name || !*cfg->fields[i].name ||
		    (unsigned)cfg->fields[i].fill > FERRY_DEDUP_FILL_ALL)
			return ferry_error_set(FERRY_EINVALID,
			                       "dedup: mapped field %zu has no "
			                       "name or an unknown fill rule",
			                       i + 1);
	return 0;
}

/* Every object must be staged completely: a half-staged object would
 * leave records without a decision. */
static int check_staged(struct dd_run *run)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int error, rc;

	if ((error = dd_prepare(run, &st,
	                        "SELECT status FROM main.staged_objects "
	                        "WHERE object = ?")) < 0)
		return error;
	for (i = 0; i < run->cfg->n_objects; i++) {
		const char *object = run->cfg->objects[i];

		ferry_store__bind_text(st, 1, object);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			error = ferry_store__error(
			    run->ws, "cannot read staged objects");
			goto done;
		}
		if (rc == SQLITE_DONE || strcmp(dd_text(st, 0), "complete")) {
			error = ferry_error_set(
			    FERRY_ENOTFOUND,
			    "%s is not staged in '%s': run 'ferry extract' "
			    "first",
			    object, ferry_workspace_root(run->ws));
			goto done;
		}
		sqlite3_reset(st);
	}
done:
	sqlite3_finalize(st);
	return error;
}

static bool ours(const struct dd_run *run, const char *object)
{
	size_t i;

	for (i = 0; i < run->cfg->n_objects; i++)
		if (!strcmp(run->cfg->objects[i], object))
			return true;
	return false;
}

/* True when every row of the table is of these objects: then it is
 * emptied whole, much faster than row by row. The distinct objects are
 * found by one index seek each. */
static int only_ours(struct dd_run *run, bool *out)
{
	sqlite3_stmt *st = NULL;
	char last[256] = "";
	int error, rc;

	*out = true;
	if ((error = dd_prepare(run, &st,
	                        "SELECT object FROM main.dedup WHERE object > "
	                        "? ORDER BY object LIMIT 1")) < 0)
		return error;
	for (;;) {
		ferry_store__bind_text(st, 1, last);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		snprintf(last, sizeof(last), "%s", dd_text(st, 0));
		sqlite3_reset(st);
		if (!ours(run, last)) {
			*out = false;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot read dedup rows");
	sqlite3_finalize(st);
	return error;
}

/* The objects' earlier rows make way for the new ones. */
static int replace_result(struct dd_run *run)
{
	struct ferry_buf sql = FERRY_BUF_INIT;
	sqlite3_stmt *del = NULL, *ins = NULL;
	size_t i;
	bool all;
	int error;

	if ((error = only_ours(run, &all)) < 0)
		goto done;
	if ((error = dd_prepare(run, &del,
	                        all ? "DELETE FROM main.dedup"
	                            : "DELETE FROM main.dedup WHERE object = "
	                              "?")) < 0)
		goto done;
	for (i = 0; i < run->cfg->n_objects; i++) {
		ferry_store__bind_text(del, 1, run->cfg->objects[i]);
		if ((error = dd_step_done(run, del,
		                          "cannot clear an earlier dedup")) < 0)
			goto done;
		if (all)
			break;
	}
	/* Decisions are written cluster by cluster, appended (a keyed
	 * insert in record order would be a random write each); the index
	 * is sorted once now. */
	if ((error = ferry_store__exec(run->ws,
	                               "CREATE UNIQUE INDEX temp.dedup_out_rid "
	                               "ON dedup_out(rid)")) < 0)
		goto done;
	if ((error = result_query(&sql, run->cfg->n_objects)) < 0 ||
	    (error = dd_prepare(run, &ins, sql.ptr)) < 0)
		goto done;
	for (i = 0; i < run->cfg->n_objects; i++)
		ferry_store__bind_text(ins, (int)i + 1, run->cfg->objects[i]);
	error = dd_step_done(run, ins, "cannot write the dedup result");
done:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	ferry_buf_release(&sql);
	return error;
}

/* The work tables live in SQLite's temporary file, unlinked when opened
 * and gone with the connection: zeroing their pages as they are dropped
 * (secure_delete, which the workspace's own tables keep) cost a twentieth
 * of a run for nothing, so it is off for the temp schema during a run.
 * Sets it to `on` (0, 1 or 2 for FAST) and gives the value it had in
 * *old (may be NULL). */
static int temp_secure_delete(struct ferry_workspace *ws, int on, int *old)
{
	sqlite3_stmt *st = NULL;
	int error;

	if (old) {
		if ((error = ferry_store__prepare(
		         &st, ws, "PRAGMA temp.secure_delete")) < 0)
			return error;
		*old = sqlite3_step(st) == SQLITE_ROW
		           ? sqlite3_column_int(st, 0)
		           : 0;
		sqlite3_finalize(st);
	}
	return ferry_store__exec(ws,
	                         on == 2   ? "PRAGMA temp.secure_delete = FAST"
	                         : on == 1 ? "PRAGMA temp.secure_delete = 1"
	                                   : "PRAGMA temp.secure_delete = 0");
}

int ferry_dedup_run(struct ferry_workspace *ws,
                    const struct ferry_dedup_config *cfg,
                    struct ferry_dedup_stats *stats)
{
	struct dd_run run = {.ws = ws, .cfg = cfg};
	bool in_txn = false;
	int error, secure = -1;

	if ((error = check_config(cfg)) < 0)
		return error;
	run.date_field = cfg->date_field && *cfg->date_field ? cfg->date_field
	                                                     : "CreatedDate";
	run.max_cluster =
	    cfg->max_cluster ? cfg->max_cluster : FERRY_DEDUP_MAX_CLUSTER;
	if ((error = temp_secure_delete(ws, 0, &secure)) < 0 ||
	    (error = ferry_workspace_begin(ws)) < 0)
		goto done;
	in_txn = true;
	if ((error = ferry_store__exec(ws, work_sql)) < 0 ||
	    (error = check_staged(&run)) < 0 ||
	    (error = dd_read_records(&run)) < 0 ||
	    (error = dd_cluster(&run)) < 0 || (error = dd_resolve(&run)) < 0 ||
	    (error = replace_result(&run)) < 0 ||
	    (error = ferry_store__exec(ws, drop_sql)) < 0)
		goto done;
	in_txn = false;
	if ((error = ferry_workspace_commit(ws)) < 0)
		goto done;
	run.stats.survivors =
	    run.stats.records - run.stats.merged - run.stats.held;
	if (stats)
		*stats = run.stats;
done:
	if (in_txn)
		ferry_workspace_rollback(ws);
	if (secure > 0)
		(void)temp_secure_delete(ws, secure, NULL);
	if (error < 0)
		ferry_error_wrap(error, "deduplicating %s%s", cfg->objects[0],
		                 cfg->n_objects > 1 ? " and others" : "");
	return error;
}
