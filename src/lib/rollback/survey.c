/* survey.c: what the ledger asks rollback to do, object by object in the
 * reverse of the load order, and the ledger reads a run needs: the rows
 * still to undo, the plan's payload of a link, and a temporary table of
 * the destination ids shared by several rows (when ferry last wrote each,
 * and whether this rollback deletes it). */
#include "util.h"

#include "rollback_int.h"
#include "store/store.h"

const char *ferry_rollback_kind_name(enum ferry_rollback_kind k)
{
	static const char *const names[] = {
	    [FERRY_RB_RECORD] = "records", [FERRY_RB_NOTE] = "notes",
	    [FERRY_RB_TASK] = "tasks",     [FERRY_RB_ENTRY] = "list entries",
	    [FERRY_RB_LINK] = "links",
	};

	return (unsigned)k < FERRY_ARRAY_LEN(names) ? names[k] : "?";
}

enum ferry_rollback_todo ferry_rollback_classify(enum ferry_ledger_status st,
                                                 const char *op, bool has_id)
{
	if (st == FERRY_LEDGER_ROLLED_BACK)
		return FERRY_RB_DONE;
	/* A merged row holds its survivor's id: the survivor's row says
	 * what was written. A deleted row was removed by sync. */
	if (st == FERRY_LEDGER_MERGED || st == FERRY_LEDGER_DELETED)
		return FERRY_RB_NOTHING;
	if (!has_id)
		return st == FERRY_LEDGER_PENDING ? FERRY_RB_IN_DOUBT
		                                  : FERRY_RB_NOTHING;
	if (!op || !op[0])
		return FERRY_RB_UNKNOWN;
	if (!strcmp(op, "created"))
		return FERRY_RB_DELETE;
	if (!strcmp(op, "updated"))
		return FERRY_RB_RESTORE;
	if (!strcmp(op, "appended"))
		return FERRY_RB_UNLINK;
	return FERRY_RB_EXISTED;
}

void ferry_rollback_report_release(struct ferry_rollback_report *r)
{
	if (!r)
		return;
	free(r->objects);
	json_decref(r->notes);
	memset(r, 0, sizeof(*r));
}

static enum ferry_rollback_kind kind_of(const struct ferry_mapfile *m,
                                        const char *object, const char *dest)
{
	const struct ferry_mapfile_object *o =
	    m ? ferry_mapfile_object(m, object) : NULL;

	if (!strcmp(dest, "notes"))
		return FERRY_RB_NOTE;
	if (!strcmp(dest, "tasks"))
		return FERRY_RB_TASK;
	if (!strcmp(dest, "links") || (o && o->kind == FERRY_MF_LINKS))
		return FERRY_RB_LINK;
	if (o && o->kind == FERRY_MF_LIST_ENTRIES)
		return FERRY_RB_ENTRY;
	return FERRY_RB_RECORD;
}

/* The place in the load order: the mapping's order, then the rest by
 * name (as the loader goes); without a mapping, records before list
 * entries before notes and tasks before links. */
static size_t load_rank(const struct ferry_mapfile *m,
                        const struct ferry_rollback_object *o)
{
	size_t k;

	if (!m) {
		static const size_t by_kind[] = {
		    [FERRY_RB_RECORD] = 0, [FERRY_RB_ENTRY] = 1,
		    [FERRY_RB_NOTE] = 2,   [FERRY_RB_TASK] = 2,
		    [FERRY_RB_LINK] = 3,
		};
		return by_kind[o->kind];
	}
	for (k = 0; k < m->n_order; k++)
		if (!strcmp(m->order[k]->name, o->object))
			return k;
	return m->n_order;
}

static const struct ferry_mapfile *sort_m;

static int by_rollback_order(const void *pa, const void *pb)
{
	const struct ferry_rollback_object *a = pa, *b = pb;
	size_t ra = load_rank(sort_m, a), rb = load_rank(sort_m, b);
	int c;

	if (ra != rb)
		return ra > rb ? -1 : 1;
	if ((c = strcmp(a->object, b->object)))
		return -c;
	return -strcmp(a->dest_object, b->dest_object);
}

static struct ferry_rollback_object *group(struct ferry_rollback_report *out,
                                           const struct ferry_mapfile *m,
                                           const char *object, const char *dest)
{
	struct ferry_rollback_object *o;
	size_t i;

	for (i = 0; i < out->n_objects; i++)
		if (!strcmp(out->objects[i].object, object) &&
		    !strcmp(out->objects[i].dest_object, dest))
			return &out->objects[i];
	out->objects = ferry_xrealloc(out->objects, (out->n_objects + 1) *
	                                                sizeof(*out->objects));
	o = &out->objects[out->n_objects++];
	memset(o, 0, sizeof(*o));
	snprintf(o->object, sizeof(o->object), "%s", object);
	snprintf(o->dest_object, sizeof(o->dest_object), "%s", dest);
	o->kind = kind_of(m, object, dest);
	return o;
}

static int status_of(const char *name, enum ferry_ledger_status *out)
{
	int s;

	for (s = 0; s < FERRY_LEDGER_STATUSES; s++)
		if (!strcmp(
		        ferry_ledger_status_name((enum ferry_ledger_status)s),
		        name)) {
			*out = (enum ferry_ledger_status)s;
			return 0;
		}
	return FERRY_EINVALID;
}

int ferry_rollback_survey(struct ferry_rollback_report *out,
                          struct ferry_workspace *ws,
                          const struct ferry_mapfile *m, const char *only)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int error, rc;

	memset(out, 0, sizeof(*out));
	out->notes = json_array();
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT object, dest_object, status, op, dest_id != '', "
	         "count(*) FROM ledger WHERE ?1 IS NULL OR object = ?1 "
	         "GROUP BY 1, 2, 3, 4, 5")) < 0)
		return error;
	ferry_store__bind_text(st, 1, only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(st, 0);
		const char *dest = (const char *)sqlite3_column_text(st, 1);
		const char *status = (const char *)sqlite3_column_text(st, 2);
		const char *op = (const char *)sqlite3_column_text(st, 3);
		enum ferry_ledger_status s;
		enum ferry_rollback_todo t;

		if (!object || !dest || !status || status_of(status, &s) < 0)
			continue;
		t = ferry_rollback_classify(s, op ? op : "",
		                            sqlite3_column_int(st, 4) != 0);
		if (t == FERRY_RB_NOTHING)
			continue;
		group(out, m, object, dest)->todo[t] +=
		    sqlite3_column_int64(st, 5);
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot read the ledger");
	sqlite3_finalize(st);
	if (error < 0) {
		ferry_rollback_report_release(out);
		return error;
	}
	for (i = 0; i < out->n_objects; i++) {
		struct ferry_rollback_object *o = &out->objects[i];

		o->total = o->todo[FERRY_RB_DELETE] +
		           o->todo[FERRY_RB_RESTORE] + o->todo[FERRY_RB_UNLINK];
	}
	sort_m = m;
	if (out->n_objects)
		qsort(out->objects, out->n_objects, sizeof(*out->objects),
		      by_rollback_order);
	sort_m = NULL;
	return 0;
}

int rb_rows_read(struct rb_run *run, const char *object, const char *dest,
                 const char *after, struct ferry_ledger_row *rows, size_t max,
                 size_t *n)
{
	sqlite3_stmt *st = NULL;
	char ids[RB_ROWS_PER_READ][64];
	size_t got = 0, i;
	int error, rc;

	*n = 0;
	if (max > RB_ROWS_PER_READ)
		max = RB_ROWS_PER_READ;
	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT source_id FROM ledger WHERE object = ?1 AND "
	         "dest_object = ?2 AND source_id > ?3 AND dest_id != '' AND "
	         "op IN ('created', 'updated', 'appended') AND status NOT IN "
	         "('rolled_back', 'deleted', 'merged') ORDER BY source_id "
	         "LIMIT ?4")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, dest);
	ferry_store__bind_text(st, 3, after);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && got < max)
		ferry_store__column_copy(ids[got++], sizeof(ids[0]), st, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = ferry_store__error(run->ws, "cannot read the ledger");
	sqlite3_finalize(st);
	for (i = 0; i < got && !error; i++)
		error = ferry_ledger_get(&rows[i], run->ws, object, ids[i]);
	if (!error)
		*n = got;
	return error;
}

int rb_dest_init(struct rb_run *run)
{
	sqlite3_stmt *st = NULL;
	int error;

	/* Only the ids a restore or an unlink shares with another row. */
	if ((error = ferry_store__exec(
	         run->ws, "CREATE TEMP TABLE IF NOT EXISTS rb_dest (\n"
	                  "  dest_id TEXT PRIMARY KEY,\n"
	                  "  last_at TEXT NOT NULL DEFAULT '',\n"
	                  "  doomed INTEGER NOT NULL DEFAULT 0\n"
	                  ") WITHOUT ROWID;\n"
	                  "DELETE FROM temp.rb_dest;")) < 0)
		return error;
	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "INSERT INTO temp.rb_dest(dest_id, last_at, doomed) "
	         "SELECT dest_id, max(CASE WHEN status IN ('written', "
	         "'rolled_back') THEN updated_at ELSE '' END), "
	         "max(op = 'created' AND status NOT IN ('rolled_back', "
	         "'deleted', 'merged') AND (?1 IS NULL OR object = ?1)) "
	         "FROM ledger WHERE dest_id IN (SELECT dest_id FROM ledger "
	         "WHERE op IN ('updated', 'appended') AND dest_id != '') "
	         "GROUP BY dest_id")) < 0)
		return error;
	ferry_store__bind_text(st, 1, run->cfg->only);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot index the ledger's "
		                                    "destination ids");
	sqlite3_finalize(st);
	return error;
}

int rb_dest_get(struct rb_run *run, const char *dest_id, bool *doomed,
                int64_t *last_us)
{
	sqlite3_stmt *st = NULL;
	const char *at;
	int error, rc;

	*doomed = false;
	*last_us = 0;
	if ((error = ferry_store__prepare(&st, run->ws,
	                                  "SELECT last_at, doomed FROM "
	                                  "temp.rb_dest WHERE dest_id = ?")) <
	    0)
		return error;
	ferry_store__bind_text(st, 1, dest_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		at = (const char *)sqlite3_column_text(st, 0);
		if (at && at[0] && ferry_rollback_parse_time(at, last_us) < 0)
			*last_us = 0;
		*doomed = sqlite3_column_int(st, 1) != 0;
	} else if (rc != SQLITE_DONE) {
		error = ferry_store__error(run->ws, "cannot read the ledger's "
		                                    "destination ids");
	}
	sqlite3_finalize(st);
	return error;
}

int rb_dest_touch(struct rb_run *run, const char *dest_id)
{
	sqlite3_stmt *st = NULL;
	char now[40];
	int error;

	if ((error = ferry_store__prepare(
	         &st, run->ws,
	         "UPDATE temp.rb_dest SET last_at = ?2 WHERE dest_id = ?1")) <
	    0)
		return error;
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(st, 1, dest_id);
	ferry_store__bind_text(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot index the ledger's "
		                                    "destination ids");
	sqlite3_finalize(st);
	return error;
}

int rb_plan_payload(struct rb_run *run, const char *object,
                    const char *source_id, json_t **out)
{
	sqlite3_stmt *st = NULL;
	const char *text;
	json_t *v = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(&st, run->ws,
	                                  "SELECT payload FROM plan WHERE "
	                                  "object = ? AND source_id = ?")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, source_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		v = text ? json_loads(text, 0, NULL) : NULL;
		if (!v)
			error = ferry_error_set(FERRY_ENOTFOUND,
			                        "the plan has no payload for "
			                        "%s %s",
			                        object, source_id);
	} else if (rc == SQLITE_DONE) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "%s %s is no longer in the plan",
		                        object, source_id);
	} else {
		error = ferry_store__error(run->ws, "cannot read the plan");
	}
	sqlite3_finalize(st);
	if (!error)
		*out = v;
	return error;
}
