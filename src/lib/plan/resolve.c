/* resolve.c: decides each cluster. Only clusters of two records or more
 * and records matched at the destination get here (a record alone with
 * no match is its own survivor and needs no decision row). The members
 * of the clusters come in one sorted pass over the union-find table, a
 * cluster at a time; each is decided by survivor.c, explained record by
 * record, and written to temp.dedup_out. A cluster over max_cluster
 * records is held by one INSERT, without being kept in memory. */
#include "util.h"

#include "analyze/analyze_int.h"
#include "dedup_int.h"
#include "ferry/queue.h"
#include "store/store.h"

struct dest {
	int64_t k;
	char *key, *id;
};

struct resolver {
	struct dd_run *run;
	sqlite3_stmt *dests, *fields, *hold, *top;
	struct dd_batch out;
	struct dd_cluster c;
	/* the cluster being read */
	int64_t root, root_srow, count, last;
	bool open, giant;
	struct dest *d;
	size_t n_d, cap_d;
	struct dd_text why, reason, filled;
};

static void clear_cluster(struct resolver *r)
{
	size_t i, j;

	for (i = 0; i < r->c.n; i++) {
		struct dd_member *m = &r->c.m[i];

		for (j = 0; j < m->n_keys; j++)
			free(m->keys[j].key);
		free(m->keys);
		free(m->source_id);
		free(m->created);
		json_decref(m->fields);
	}
	r->c.n = 0;
	for (i = 0; i < r->n_d; i++) {
		free(r->d[i].key);
		free(r->d[i].id);
	}
	r->n_d = 0;
	dd_text_clear(&r->why);
	dd_text_clear(&r->reason);
	dd_text_clear(&r->filled);
}

static int finish(struct resolver *r, sqlite3_stmt *st, int rc,
                  const char *what)
{
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ferry_store__error(r->run->ws, what);
	return 0;
}

/* A member from a row of (rid, obj, source_id, srow) starting at column
 * `col`. */
static void add_member(struct resolver *r, sqlite3_stmt *st, int col)
{
	struct dd_member *m;

	if (r->c.n == r->c.cap) {
		r->c.cap = r->c.cap ? r->c.cap * 2 : 8;
		r->c.m = ferry_xrealloc(r->c.m, r->c.cap * sizeof(*r->c.m));
	}
	m = &r->c.m[r->c.n++];
	memset(m, 0, sizeof(*m));
	m->rid = sqlite3_column_int64(st, col);
	m->obj = (size_t)sqlite3_column_int64(st, col + 1);
	m->source_id = ferry_xstrdup(dd_text(st, col + 2));
	m->srow = sqlite3_column_int64(st, col + 3);
}

/* A key the last member shares with another record (the rows come
 * sorted by key). */
static void add_shared(struct resolver *r, sqlite3_stmt *st, int col)
{
	struct dd_member *m = &r->c.m[r->c.n - 1];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	if ((m->n_keys & (m->n_keys - 1)) == 0) /* 0, 1, 2, 4, ... */
		m->keys =
		    ferry_xrealloc(m->keys, (m->n_keys ? m->n_keys * 2 : 1) *
		                                sizeof(*m->keys));
	m->keys[m->n_keys].k = sqlite3_column_int64(st, col);
	m->keys[m->n_keys].key = ferry_xstrdup(dd_text(st, col + 1));
	m->n_keys++;
}

static int load_dests(struct resolver *r, int64_t root)
{
	sqlite3_stmt *st = r->dests;
	int rc;

	sqlite3_bind_int64(st, 1, root);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->n_d == r->cap_d) {
			r->cap_d = r->cap_d ? r->cap_d * 2 : 4;
			r->d = ferry_xrealloc(r->d, r->cap_d * sizeof(*r->d));
		}
		r->d[r->n_d].k = sqlite3_column_int64(st, 0);
		r->d[r->n_d].key = ferry_xstrdup(dd_text(st, 1));
		r->d[r->n_d].id = ferry_xstrdup(dd_text(st, 2));
		r->n_d++;
	}
	return finish(r, st, rc, "cannot read destination matches");
}

static int load_fields(struct resolver *r, struct dd_member *m)
{
	const char *object = r->run->cfg->objects[m->obj];
	sqlite3_stmt *st = r->fields;
	json_error_t jerr;
	int rc;

	sqlite3_bind_int64(st, 1, m->srow);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		m->fields = json_loads(dd_text(st, 0), 0, &jerr);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ferry_store__error(r->run->ws,
		                          "cannot read a staged record");
	if (!json_is_object(m->fields))
		return ferry_error_set(
		    FERRY_EDB,
		    "staged record '%s' of %s is damaged or "
		    "gone from the workspace: stage %s again",
		    m->source_id, object, object);
	return 0;
}

/* Binds text the statement frees (or NULL). */
static void bind_owned(sqlite3_stmt *st, int i, char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, free);
	else
		sqlite3_bind_null(st, i);
}

static int write_row(struct resolver *r, const struct dd_member *m,
                     enum ferry_dedup_role role, const struct dd_member *s,
                     const char *reason, const char *dest, json_t *merged,
                     json_t *from)
{
	const struct ferry_dedup_config *cfg = r->run->cfg;
	sqlite3_stmt *st = r->out.st;
	char *mtext = merged ? json_dumps(merged, JSON_COMPACT) : NULL;
	char *ftext = from ? json_dumps(from, JSON_COMPACT) : NULL;
	int p = dd_batch_param(&r->out), error;

	sqlite3_bind_int64(st, p, m->rid);
	sqlite3_bind_int64(st, p + 1, r->c.m[0].srow); /* the first record's */
	sqlite3_bind_text(st, p + 2, ferry_dedup_role_name(role), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, p + 3, s ? cfg->objects[s->obj] : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, p + 4, s ? s->source_id : "", -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, p + 5, reason ? reason : "", -1,
	                  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, p + 6, dest ? dest : "", -1, SQLITE_TRANSIENT);
	bind_owned(st, p + 7, mtext);
	bind_owned(st, p + 8, ftext);
	error = dd_batch_add(r->run, &r->out);
	if (error == 0) {
		r->run->stats.merged += role == FERRY_DEDUP_MERGED;
		r->run->stats.held += role == FERRY_DEDUP_HELD;
		r->run->stats.matched += dest && *dest;
	}
	return error;
}

/* Too many records linked: nearly always a placeholder value. */
static int hold_giant(struct resolver *r)
{
	const struct ferry_dedup_config *cfg = r->run->cfg;
	sqlite3_stmt *st = r->top;
	int error, rc;

	r->run->stats.clusters++;
	dd_say(&r->why,
	       "one of %s records linked by shared keys, more than the %zu "
	       "merged automatically",
	       an_num(r->count).s, r->run->max_cluster);
	sqlite3_bind_int64(st, 1, r->root);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0);

		if (k >= 0 && (size_t)k < cfg->n_keys)
			dd_say(&r->why, " (%s '%s' alone is shared by %s)",
			       dd_key_name(&cfg->keys[k]), dd_text(st, 1),
			       an_num(sqlite3_column_int64(st, 2)).s);
	}
	if ((error = finish(r, st, rc == SQLITE_ROW ? SQLITE_DONE : rc,
	                    "cannot read a cluster's keys")) < 0)
		return error;
	dd_say(&r->why, ": correct placeholder values in the source, or "
	                "raise the cluster limit");
	if (r->why.error < 0)
		return r->why.error;
	sqlite3_bind_int64(r->hold, 1, r->root);
	sqlite3_bind_int64(r->hold, 2, r->root_srow);
	ferry_store__bind_text(r->hold, 3, r->why.b.ptr);
	if ((error = dd_step_done(r->run, r->hold, "cannot hold a cluster")) <
	    0)
		return error;
	r->run->stats.held += r->count;
	return 0;
}

/* The one destination record the cluster matches; NULL for none, and
 * held (with why) when it matches several. */
static const struct dest *pick_dest(struct resolver *r, bool *held)
{
	const struct ferry_dedup_config *cfg = r->run->cfg;
	size_t distinct = 0, i, j, shown = 0;

	for (i = 0; i < r->n_d; i++) {
		for (j = 0; j < i && strcmp(r->d[i].id, r->d[j].id); j++)
			;
		distinct += j == i;
	}
	if (distinct <= 1)
		return r->n_d ? &r->d[0] : NULL;
	*held = true;
	dd_say(&r->why,
	       "matches %zu records already at the destination: ", distinct);
	for (i = 0; i < r->n_d && shown < 3; i++) {
		for (j = 0; j < i && strcmp(r->d[i].id, r->d[j].id); j++)
			;
		if (j < i)
			continue;
		dd_say(&r->why, "%s'%s' (%s '%s')", shown ? ", " : "",
		       r->d[i].id, dd_key_name(&cfg->keys[r->d[i].k]),
		       r->d[i].key);
		shown++;
	}
	if (distinct > shown)
		dd_say(&r->why, " and %zu more", distinct - shown);
	dd_say(&r->why, "; merge them there, or correct the keys in the "
	                "source");
	return NULL;
}

static void say_dest(struct dd_text *t, const struct dd_run *run,
                     const struct dest *d)
{
	dd_say(t, "matches the existing destination record '%s' by %s '%s'",
	       d->id, dd_key_name(&run->cfg->keys[d->k]), d->key);
}

/* The first key `a` and `b` share (both lists are sorted). */
static const struct dd_shared *common_key(const struct dd_member *a,
                                          const struct dd_member *b)
{
	size_t i = 0, j = 0;

	while (i < a->n_keys && j < b->n_keys) {
		const struct dd_shared *x = &a->keys[i], *y = &b->keys[j];
		int d = x->k != y->k ? (x->k < y->k ? -1 : 1)
		                     : strcmp(x->key, y->key);

		if (d == 0)
			return x;
		if (d < 0)
			i++;
		else
			j++;
	}
	return NULL;
}

/* Why each merged record is merged: the key it shares with the next
 * record on its shortest way to the survivor (breadth first from the
 * survivor, so that record is the survivor itself when they share one). */
static int explain_merged(struct resolver *r, const struct dest *dest)
{
	const struct dd_cluster *c = &r->c;
	const struct ferry_dedup_config *cfg = r->run->cfg;
	const struct dd_member *s = &c->m[c->survivor];
	size_t *queue = ferry_xcalloc(c->n, sizeof(size_t)), head = 0, tail = 0,
	       i, u;
	size_t *next = ferry_xcalloc(c->n, sizeof(size_t));
	const struct dd_shared **via = ferry_xcalloc(c->n, sizeof(*via));
	bool *seen = ferry_xcalloc(c->n, sizeof(bool));
	int error = 0;

	queue[tail++] = c->survivor;
	seen[c->survivor] = true;
	while (head < tail) {
		u = queue[head++];
		for (i = 0; i < c->n; i++) {
			const struct dd_shared *k;

			if (seen[i] || !(k = common_key(&c->m[i], &c->m[u])))
				continue;
			seen[i] = true;
			next[i] = u;
			via[i] = k;
			queue[tail++] = i;
		}
	}
	for (i = 0; i < c->n && error == 0; i++) {
		const struct dd_member *m = &c->m[i], *n = &c->m[next[i]];

		if (i == c->survivor)
			continue;
		dd_text_clear(&r->reason);
		if (!via[i])
			dd_say(&r->reason, "in one cluster with %s %s",
			       cfg->objects[s->obj], s->source_id);
		else
			dd_say(&r->reason, "same %s '%s' as %s %s",
			       dd_key_name(&cfg->keys[via[i]->k]), via[i]->key,
			       cfg->objects[n->obj], n->source_id);
		if (via[i] && next[i] != c->survivor)
			dd_say(&r->reason,
			       ", which is linked to %s %s: merged into %s %s",
			       cfg->objects[s->obj], s->source_id,
			       cfg->objects[s->obj], s->source_id);
		else
			dd_say(&r->reason, ": merged into it");
		if ((error = r->reason.error) == 0)
			error = write_row(r, m, FERRY_DEDUP_MERGED, s,
			                  r->reason.b.ptr,
			                  dest ? dest->id : NULL, NULL, NULL);
	}
	free(queue);
	free(next);
	free(via);
	free(seen);
	return error;
}

static int merge_cluster(struct resolver *r, const struct dest *dest)
{
	struct dd_cluster *c = &r->c;
	const struct dd_member *s = &c->m[c->survivor];
	json_t *merged = NULL, *from = NULL;
	int error;

	if ((error = dd_merge_fields(c, r->run, &merged, &from, &r->filled)) <
	    0)
		return error;
	dd_say(&r->reason, "survivor of %zu records (%s)", c->n, r->why.b.ptr);
	if (r->filled.b.len)
		dd_say(&r->reason, "; filled from the others: %s",
		       r->filled.b.ptr);
	if (dest) {
		dd_say(&r->reason, "; ");
		say_dest(&r->reason, r->run, dest);
	}
	if ((error = r->reason.error) == 0)
		error =
		    write_row(r, s, FERRY_DEDUP_SURVIVOR, s, r->reason.b.ptr,
		              dest ? dest->id : NULL, merged, from);
	json_decref(merged);
	json_decref(from);
	if (error < 0)
		return error;
	return explain_merged(r, dest);
}

static int resolve_one(struct resolver *r)
{
	struct dd_cluster *c = &r->c;
	const struct dest *dest;
	bool held = false;
	size_t i;
	int error;

	if (c->n == 0)
		return 0;
	if ((error = load_dests(r, c->m[0].rid)) < 0)
		return error;
	if (c->n > 1)
		r->run->stats.clusters++;
	dest = pick_dest(r, &held);
	c->survivor = 0;
	for (i = 0; !held && c->n > 1 && i < c->n; i++) {
		if ((error = load_fields(r, &c->m[i])) < 0)
			return error;
		dd_describe(&c->m[i], r->run);
	}
	if (!held && c->n > 1)
		held = dd_pick_survivor(c, r->run, &r->why) == 1;
	if (r->why.error < 0)
		return r->why.error;
	if (held) {
		for (i = 0; i < c->n; i++)
			if ((error =
			         write_row(r, &c->m[i], FERRY_DEDUP_HELD, NULL,
			                   r->why.b.ptr, dest ? dest->id : NULL,
			                   NULL, NULL)) < 0)
				return error;
		return 0;
	}
	if (c->n > 1)
		return merge_cluster(r, dest);
	if (!dest)
		return 0;
	say_dest(&r->reason, r->run, dest);
	if (r->reason.error < 0)
		return r->reason.error;
	return write_row(r, &c->m[0], FERRY_DEDUP_SURVIVOR, &c->m[0],
	                 r->reason.b.ptr, dest->id, NULL, NULL);
}

static int close_cluster(struct resolver *r)
{
	int error;

	if (!r->open)
		return 0;
	r->open = false;
	error = r->giant ? hold_giant(r) : resolve_one(r);
	clear_cluster(r);
	return error;
}

/* One row of the sorted members: (cluster, rid, obj, ...). */
/* One row of the sorted members: (cluster, rid, obj, source_id, srow,
 * k, key), a row per key the member shares. */
static int on_member(struct resolver *r, sqlite3_stmt *st)
{
	int64_t root = sqlite3_column_int64(st, 0);
	int64_t rid = sqlite3_column_int64(st, 1);
	int error;

	if (r->open && root != r->root && (error = close_cluster(r)) < 0)
		return error;
	if (!r->open) {
		r->open = true;
		r->giant = false;
		r->root = root;
		r->root_srow = sqlite3_column_int64(st, 4);
		r->count = 0;
		r->last = 0;
	}
	if (rid != r->last) {
		r->last = rid;
		r->count++;
		if (!r->giant && r->c.n == r->run->max_cluster) {
			/* too many to decide: hold them all, keep none */
			r->giant = true;
			clear_cluster(r);
		}
		if (!r->giant)
			add_member(r, st, 1);
	}
	if (!r->giant)
		add_shared(r, st, 5);
	return 0;
}

static int walk(struct resolver *r, const char *sql, const char *what)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = dd_prepare(r->run, &st, sql)) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((error = on_member(r, st)) < 0)
			goto done;
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(r->run->ws, what);
		goto done;
	}
	error = close_cluster(r);
done:
	sqlite3_finalize(st);
	return error;
}

static int prepare_all(struct resolver *r)
{
	struct dd_run *run = r->run;
	int error;

	if ((error = dd_prepare(run, &r->dests,
	                        "SELECT k, key, dest FROM temp.dedup_cdest "
	                        "WHERE cluster = ? ORDER BY k, key")) < 0 ||
	    (error = dd_prepare(run, &r->fields,
	                        "SELECT " FERRY_QUEUE_FIELDS_SQL
	                        " FROM main.staged_records s WHERE "
	                        "s.rowid = ?")) < 0 ||
	    (error =
	         dd_batch_open(run, &r->out,
	                       "temp.dedup_out(rid, cluster, role, "
	                       "survivor_object, survivor_id, reason, dest, "
	                       "merged, filled_from)",
	                       9, "cannot keep a dedup decision")) < 0 ||
	    (error = dd_prepare(run, &r->hold,
	                        "INSERT INTO temp.dedup_out(rid, cluster, "
	                        "role, survivor_object, survivor_id, reason, "
	                        "dest) SELECT rid, ?2, 'held', '', '', ?3, '' "
	                        "FROM temp.dedup_parent WHERE parent = "
	                        "?1")) < 0)
		return error;
	return dd_prepare(run, &r->top,
	                  "SELECT g.k, g.key, g.n FROM temp.dedup_groups g "
	                  "JOIN temp.dedup_parent p ON p.rid = g.anchor "
	                  "WHERE p.parent = ? ORDER BY g.n DESC, g.k, g.key "
	                  "LIMIT 1");
}

/* Clusters of two or more, by cluster then record, a row per key a
 * record shares with another (every record here shares one). */
static const char clusters_sql[] =
    "SELECT p.parent, r.rid, r.obj, r.source_id, r.srow, s.k, s.key "
    "FROM temp.dedup_parent p "
    "JOIN temp.dedup_rec r ON r.rid = p.rid "
    "JOIN temp.dedup_shared s ON s.rid = p.rid "
    "ORDER BY p.parent, p.rid, s.k, s.key";

/* Records alone, matched at the destination. */
static const char singles_sql[] =
    "SELECT r.rid, r.rid, r.obj, r.source_id, r.srow, NULL, NULL "
    "FROM (SELECT DISTINCT cluster FROM temp.dedup_cdest) c "
    "JOIN temp.dedup_rec r ON r.rid = c.cluster "
    "WHERE NOT EXISTS (SELECT 1 FROM temp.dedup_parent p WHERE p.rid = "
    "c.cluster) ORDER BY r.rid";

int dd_resolve(struct dd_run *run)
{
	struct resolver r = {.run = run,
	                     .why = {FERRY_BUF_INIT, 0},
	                     .reason = {FERRY_BUF_INIT, 0},
	                     .filled = {FERRY_BUF_INIT, 0}};
	int error;

	if ((error = prepare_all(&r)) < 0 ||
	    (error = walk(&r, clusters_sql, "cannot read clusters")) < 0 ||
	    (error = walk(&r, singles_sql, "cannot read matched records")) <
	        0 ||
	    (error = dd_batch_flush(run, &r.out)) < 0)
		goto done;
done:
	clear_cluster(&r);
	free(r.c.m);
	free(r.d);
	ferry_buf_release(&r.why.b);
	ferry_buf_release(&r.reason.b);
	ferry_buf_release(&r.filled.b);
	sqlite3_finalize(r.dests);
	sqlite3_finalize(r.fields);
	dd_batch_close(&r.out);
	sqlite3_finalize(r.hold);
	sqlite3_finalize(r.top);
	if (error < 0)
		ferry_error_wrap(error, "deciding clusters");
	return error;
}
