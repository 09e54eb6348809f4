/* cluster.c: transitive clustering in SQLite. The keys are read once in
 * sorted order, so the records sharing a key come together; each such
 * group is joined by union-find over a parent table (temp.dedup_parent),
 * which holds only the records that share a key with another: memory
 * stays flat however large the org, and a chain of any length is one
 * pass, not one pass per link. A root is always the smallest record
 * number of its cluster (the larger root is linked under the smaller), so
 * a parent is always smaller than its child and one pass in record order
 * flattens every tree. Each distinct key is also put to the destination
 * lookup of its key, once. */
#include "util.h"

#include "dedup_int.h"
#include "store/store.h"

#define PATH_MAX_KEPT 64 /* nodes of a path compressed per find */

struct uf {
	struct dd_run *run;
	sqlite3_stmt *get, *set, *add_root, *shared, *group, *dest;
};

static int parent_of(struct uf *u, int64_t rid, int64_t *out)
{
	int rc;

	sqlite3_bind_int64(u->get, 1, rid);
	rc = sqlite3_step(u->get);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(u->get, 0) : rid;
	sqlite3_reset(u->get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ferry_store__error(u->run->ws, "cannot read a cluster");
	return 0;
}

static int set_parent(struct uf *u, int64_t rid, int64_t parent)
{
	sqlite3_bind_int64(u->set, 1, parent);
	sqlite3_bind_int64(u->set, 2, rid);
	return dd_step_done(u->run, u->set, "cannot join a cluster");
}

/* The root of `x`, pointing the nodes on the way straight at it. */
static int find(struct uf *u, int64_t x, int64_t *root)
{
	int64_t path[PATH_MAX_KEPT], p;
	size_t n = 0, i;
	bool cut = false;
	int error;

	for (;;) {
		if ((error = parent_of(u, x, &p)) < 0)
			return error;
		if (p == x)
			break;
		if (n < PATH_MAX_KEPT)
			path[n++] = x;
		else
			cut = true;
		x = p;
	}
	/* The last node kept points at the root already, unless the path
	 * was longer than what was kept. */
	for (i = 0; i < n; i++)
		if ((i + 1 < n || cut) &&
		    (error = set_parent(u, path[i], x)) < 0)
			return error;
	*root = x;
	return 0;
}

/* Joins the cluster rooted at `ra` with b's; *root gets the new root. */
static int join(struct uf *u, int64_t ra, int64_t b, int64_t *root)
{
	int64_t rb, lo, hi;
	int error;

	if ((error = find(u, b, &rb)) < 0)
		return error;
	if (ra == rb) {
		*root = ra;
		return 0;
	}
	lo = ra < rb ? ra : rb;
	hi = ra < rb ? rb : ra;
	sqlite3_bind_int64(u->add_root, 1, lo);
	if ((error = set_parent(u, hi, lo)) < 0 ||
	    (error = dd_step_done(u->run, u->add_root,
	                          "cannot start a cluster")) < 0)
		return error;
	*root = lo;
	return 0;
}

static int keep_shared(struct uf *u, int64_t rid, int64_t k, const char *key,
                       size_t len)
{
	sqlite3_bind_int64(u->shared, 1, rid);
	sqlite3_bind_int64(u->shared, 2, k);
	sqlite3_bind_text(u->shared, 3, key, (int)len, SQLITE_STATIC);
	return dd_step_done(u->run, u->shared, "cannot keep a shared key");
}

/* Asks the destination about a key, once. */
static int lookup(struct uf *u, int64_t k, const char *key, size_t len,
                  int64_t anchor)
{
	const struct ferry_dedup_key *def = &u->run->cfg->keys[k];
	char dest[256];
	int error;

	if (!def->lookup)
		return 0;
	dest[0] = '\0';
	error = def->lookup(key, dest, sizeof(dest), def->lookup_payload);
	if (error == FERRY_ENOTFOUND)
		return 0;
	if (error < 0)
		return ferry_error_wrap(error,
		                        "looking up %s '%s' at the destination",
		                        dd_key_name(def), key);
	dest[sizeof(dest) - 1] = '\0';
	if (error > 0 || !dest[0])
		return 0;
	sqlite3_bind_int64(u->dest, 1, anchor);
	sqlite3_bind_int64(u->dest, 2, k);
	sqlite3_bind_text(u->dest, 3, key, (int)len, SQLITE_STATIC);
	ferry_store__bind_text(u->dest, 4, dest);
	return dd_step_done(u->run, u->dest, "cannot keep a destination match");
}

/* The group of records sharing one key, as the sorted keys come. */
struct group {
	int64_t k, anchor, last, root, n;
	struct ferry_buf key;
	bool open;
};

static int close_group(struct uf *u, struct group *g)
{
	if (!g->open || g->n < 2)
		return 0;
	sqlite3_bind_int64(u->group, 1, g->anchor);
	sqlite3_bind_int64(u->group, 2, g->k);
	sqlite3_bind_text(u->group, 3, g->key.ptr, (int)g->key.len,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(u->group, 4, g->n);
	return dd_step_done(u->run, u->group, "cannot keep a key group");
}

static int on_key(struct uf *u, struct group *g, int64_t k, const char *key,
                  size_t len, int64_t rid)
{
	int error;

	if (!g->open || k != g->k || len != g->key.len ||
	    memcmp(key, g->key.ptr, len) != 0) {
		if ((error = close_group(u, g)) < 0)
			return error;
		ferry_buf_clear(&g->key);
		if ((error = ferry_buf_put(&g->key, key, len)) < 0)
			return error;
		g->open = true;
		g->k = k;
		g->anchor = g->last = rid;
		g->n = 1;
		return lookup(u, k, g->key.ptr, g->key.len, rid);
	}
	if (rid == g->last)
		return 0;
	g->last = rid;
	if (++g->n == 2 && ((error = keep_shared(u, g->anchor, k, g->key.ptr,
	                                         g->key.len)) < 0 ||
	                    (error = find(u, g->anchor, &g->root)) < 0))
		return error;
	if ((error = keep_shared(u, rid, k, g->key.ptr, g->key.len)) < 0)
		return error;
	return join(u, g->root, rid, &g->root);
}

static int group_keys(struct uf *u)
{
	struct group g = {.key = FERRY_BUF_INIT};
	sqlite3_stmt *st = NULL;
	int error, rc;

	/* SQLite's sorter spills to its temporary file; an index would be
	 * the same sort, then written out as well. */
	if ((error = dd_prepare(u->run, &st,
	                        "SELECT k, key, rid FROM temp.dedup_keys "
	                        "ORDER BY k, key, rid")) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if ((error = on_key(u, &g, sqlite3_column_int64(st, 0),
		                    key ? key : "", key ? len : 0,
		                    sqlite3_column_int64(st, 2))) < 0)
			goto done;
	}
	if (rc != SQLITE_DONE) {
		error =
		    ferry_store__error(u->run->ws, "cannot sort match keys");
		goto done;
	}
	error = close_group(u, &g);
done:
	sqlite3_finalize(st);
	ferry_buf_release(&g.key);
	return error;
}

/* Points every record straight at its root: parents are smaller than
 * their children, so in record order a parent is final before its
 * children are read. */
static int flatten(struct uf *u)
{
	sqlite3_stmt *st = NULL;
	int64_t rid, parent, root;
	int error, rc;

	if ((error = dd_prepare(u->run, &st,
	                        "SELECT rid, parent FROM temp.dedup_parent "
	                        "ORDER BY rid")) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rid = sqlite3_column_int64(st, 0);
		parent = sqlite3_column_int64(st, 1);
		if (parent == rid)
			continue;
		if ((error = parent_of(u, parent, &root)) < 0)
			goto done;
		if (root != parent && (error = set_parent(u, rid, root)) < 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(u->run->ws, "cannot read clusters");
done:
	sqlite3_finalize(st);
	return error;
}

int dd_cluster(struct dd_run *run)
{
	struct uf u = {.run = run};
	int error;

	if ((error = dd_prepare(run, &u.get,
	                        "SELECT parent FROM temp.dedup_parent WHERE "
	                        "rid = ?")) < 0 ||
	    (error = dd_prepare(run, &u.set,
	                        "INSERT INTO temp.dedup_parent(parent, rid) "
	                        "VALUES (?, ?) ON CONFLICT(rid) DO UPDATE "
	                        "SET parent = excluded.parent")) < 0 ||
	    (error = dd_prepare(run, &u.add_root,
	                        "INSERT OR IGNORE INTO temp.dedup_parent(rid, "
	                        "parent) VALUES (?1, ?1)")) < 0 ||
	    (error = dd_prepare(run, &u.shared,
	                        "INSERT INTO temp.dedup_shared(rid, k, key) "
	                        "VALUES (?, ?, ?)")) < 0 ||
	    (error = dd_prepare(run, &u.group,
	                        "INSERT INTO temp.dedup_groups(anchor, k, "
	                        "key, n) VALUES (?, ?, ?, ?)")) < 0 ||
	    (error = dd_prepare(run, &u.dest,
	                        "INSERT INTO temp.dedup_dest(rid, k, key, "
	                        "dest) VALUES (?, ?, ?, ?)")) < 0)
		goto done;
	if ((error = group_keys(&u)) < 0 || (error = flatten(&u)) < 0)
		goto done;
	error = ferry_store__exec(
	    run->ws,
	    "CREATE INDEX temp.dedup_parent_cluster ON "
	    "dedup_parent(parent, rid);\n"
	    "CREATE INDEX temp.dedup_shared_rid ON dedup_shared(rid, k, key);\n"
	    "CREATE INDEX temp.dedup_groups_anchor ON dedup_groups(anchor);\n"
	    "INSERT INTO temp.dedup_cdest(cluster, k, key, dest)\n"
	    "  SELECT coalesce(p.parent, d.rid), d.k, d.key, d.dest\n"
	    "  FROM temp.dedup_dest d\n"
	    "  LEFT JOIN temp.dedup_parent p ON p.rid = d.rid;\n"
	    "CREATE INDEX temp.dedup_cdest_cluster ON "
	    "dedup_cdest(cluster, k, key);\n");
done:
	sqlite3_finalize(u.get);
	sqlite3_finalize(u.set);
	sqlite3_finalize(u.add_root);
	sqlite3_finalize(u.shared);
	sqlite3_finalize(u.group);
	sqlite3_finalize(u.dest);
	if (error < 0)
		ferry_error_wrap(error, "clustering");
	return error;
}
