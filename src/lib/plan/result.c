/* result.c: reading the dedup result back: the rows of the workspace
 * table `dedup` one at a time, and their counts by role. */
#include "util.h"

#include "dedup_int.h"
#include "store/store.h"

/* Stored as words, indexed by enum ferry_dedup_role. */
static const char *const role_names[] = {
    [FERRY_DEDUP_SURVIVOR] = "survivor",
    [FERRY_DEDUP_MERGED] = "merged",
    [FERRY_DEDUP_HELD] = "held",
};

_Static_assert(FERRY_ARRAY_LEN(role_names) ==
                   FERRY_ARRAY_LEN(((struct ferry_dedup_count *)0)->by_role),
               "a name and a count for every role");

const char *ferry_dedup_role_name(enum ferry_dedup_role role)
{
	if ((unsigned)role >= FERRY_ARRAY_LEN(role_names))
		return "unknown";
	return role_names[role];
}

static int role_from_name(const char *name, enum ferry_dedup_role *out)
{
	size_t i;

	for (i = 0; name && i < FERRY_ARRAY_LEN(role_names); i++) {
		if (!strcmp(name, role_names[i])) {
			*out = (enum ferry_dedup_role)i;
			return 0;
		}
	}
	return -1;
}

struct ferry_dedup_iter {
	struct ferry_workspace *ws;
	sqlite3_stmt *st;
};

#define ROW_COLUMNS                                                            \
	"SELECT object, source_id, cluster, role, survivor_object, "           \
	"survivor_id, reason, dest_id, merged, filled_from FROM main.dedup "

static const char *iter_sql(const struct ferry_dedup_filter *f)
{
	if (f->object && f->source_id)
		return ROW_COLUMNS "WHERE object = ?1 AND source_id = ?2 AND "
		                   "(?3 = 0 OR cluster = ?3)";
	if (f->cluster)
		return ROW_COLUMNS "WHERE cluster = ?3 AND (?1 IS NULL OR "
		                   "object = ?1) ORDER BY rowid";
	if (f->object)
		return ROW_COLUMNS "WHERE object = ?1 ORDER BY rowid";
	return ROW_COLUMNS "ORDER BY rowid";
}

int ferry_dedup_iter_open(struct ferry_dedup_iter **out,
                          struct ferry_workspace *ws,
                          const struct ferry_dedup_filter *filter)
{
	static const struct ferry_dedup_filter all = {0};
	struct ferry_dedup_iter *it;
	int error;

	if (!filter)
		filter = &all;
	if (filter->source_id && !filter->object)
		return ferry_error_set(FERRY_EINVALID,
		                       "dedup: a source id needs its object");
	it = ferry_xcalloc(1, sizeof(*it));
	it->ws = ws;
	/* One query per filter, so each has its index (a "?1 IS NULL OR"
	 * would scan the whole table). */
	if ((error = ferry_store__prepare(&it->st, ws, iter_sql(filter))) < 0) {
		free(it);
		return error;
	}
	ferry_store__bind_text(it->st, 1, filter->object);
	ferry_store__bind_text(it->st, 2, filter->source_id);
	sqlite3_bind_int64(it->st, 3, filter->cluster);
	*out = it;
	return 0;
}

int ferry_dedup_next(struct ferry_dedup_iter *it, struct ferry_dedup_row *row)
{
	sqlite3_stmt *st = it->st;
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return ferry_store__error(it->ws,
		                          "cannot read the dedup result");
	memset(row, 0, sizeof(*row));
	row->object = dd_text(st, 0);
	row->source_id = dd_text(st, 1);
	row->cluster = sqlite3_column_int64(st, 2);
	if (role_from_name(dd_text(st, 3), &row->role) < 0)
		return ferry_error_set(
		    FERRY_EDB,
		    "dedup row for '%s' in %s has an unknown "
		    "role: run the plan again",
		    row->source_id, row->object);
	row->survivor_object = dd_text(st, 4);
	row->survivor_id = dd_text(st, 5);
	row->reason = dd_text(st, 6);
	row->dest_id = dd_text(st, 7);
	row->merged = (const char *)sqlite3_column_text(st, 8);
	row->filled_from = (const char *)sqlite3_column_text(st, 9);
	return 1;
}

void ferry_dedup_iter_free(struct ferry_dedup_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}

int ferry_dedup_counts(struct ferry_workspace *ws, const char *object,
                       struct ferry_dedup_count *out)
{
	struct ferry_dedup_count n = {{0}, 0};
	sqlite3_stmt *st = NULL;
	enum ferry_dedup_role role;
	int error, rc;

	if ((error = ferry_store__prepare(
	         &st, ws,
	         object ? "SELECT role, count(*), sum(dest_id <> '') FROM "
	                  "main.dedup WHERE object = ?1 GROUP BY role"
	                : "SELECT role, count(*), sum(dest_id <> '') FROM "
	                  "main.dedup GROUP BY role")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (role_from_name(dd_text(st, 0), &role) == 0)
			n.by_role[role] += sqlite3_column_int64(st, 1);
		n.matched += sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(ws, "cannot count the dedup result");
	else
		*out = n;
	sqlite3_finalize(st);
	return error;
}
