/* mapfile_order.c: the order objects are written in. Attio finds a
 * reference's target only once it exists, so an object whose references
 * point at companies waits for every object written to companies, and an
 * object deduplicated against another waits for it. Ties keep the file's
 * order. A reference to the object's own destination (Account.ParentId ->
 * companies) and any reference on a cycle is deferred: written in a second
 * pass, once every record exists. Notes, tasks, files, list entries and
 * links come after all records. */
#include "util.h"

#include "mapfile_int.h"

struct edge {
	size_t obj; /* position among the records objects */
	struct ferry_mapfile_field *field;
};

/* An Attio object as a node: ready once every object written to it is. */
struct slug {
	size_t writers, writers_left;
	struct edge *edges;
	size_t n_edges, cap_edges;
};

struct graph {
	struct mf_loader *ld;
	struct ferry_mapfile_object **objs; /* the records objects, in file
	                                       order */
	size_t n;
	size_t *deps, *against_left;
	size_t **dependents; /* per object: who is deduplicated against it */
	size_t *n_dependents;
	size_t *pos; /* index in m->objects -> position in objs */
	bool *placed;
	size_t *heap, n_heap;
	struct ferry_mapfile_index *slugs;
	struct slug *slug_pool;
	size_t n_slugs;
};

static struct slug *slug_of(struct graph *g, const char *name)
{
	struct slug *s = mf_index_get(g->slugs, name);

	if (!s) {
		s = &g->slug_pool[g->n_slugs++];
		mf_index_put(g->slugs, name, s);
	}
	return s;
}

static void push(struct graph *g, size_t obj)
{
	size_t i = g->n_heap++, parent;

	g->heap[i] = obj;
	while (i && g->heap[(parent = (i - 1) / 2)] > g->heap[i]) {
		size_t t = g->heap[parent];

		g->heap[parent] = g->heap[i];
		g->heap[i] = t;
		i = parent;
	}
}

static size_t pop(struct graph *g)
{
	size_t top = g->heap[0], i = 0, c;

	g->heap[0] = g->heap[--g->n_heap];
	while ((c = 2 * i + 1) < g->n_heap) {
		size_t t;

		if (c + 1 < g->n_heap && g->heap[c + 1] < g->heap[c])
			c++;
		if (g->heap[i] <= g->heap[c])
			break;
		t = g->heap[c];
		g->heap[c] = g->heap[i];
		g->heap[i] = t;
		i = c;
	}
	return top;
}

static void release(struct graph *g, size_t obj)
{
	if (--g->deps[obj] == 0)
		push(g, obj);
}

/* An edge still to wait for: the field points at another object's
 * destination that is not complete yet. */
static bool waits(struct graph *g, const struct ferry_mapfile_object *o,
                  const struct ferry_mapfile_field *f)
{
	struct slug *s;

	if (f->type != FERRY_MF_REFERENCE || !f->object || f->deferred ||
	    !strcmp(f->object, o->to))
		return false;
	s = mf_index_get(g->slugs, f->object);
	return s && s->writers && s->writers_left;
}

static void place(struct graph *g, size_t obj, size_t *k)
{
	struct ferry_mapfile *m = g->ld->m;
	struct ferry_mapfile_object *o = g->objs[obj];
	struct slug *s = mf_index_get(g->slugs, o->to);
	size_t i;

	g->placed[obj] = true;
	o->order = *k;
	m->order[(*k)++] = o;
	for (i = 0; i < g->n_dependents[obj]; i++) {
		g->against_left[g->dependents[obj][i]]--;
		release(g, g->dependents[obj][i]);
	}
	if (--s->writers_left)
		return;
	for (i = 0; i < s->n_edges; i++)
		if (!s->edges[i].field->deferred)
			release(g, s->edges[i].obj);
}

/* Nothing is ready: the first object (in the file's order) that waits on
 * references only goes next, its waiting references deferred. */
static int break_cycle(struct graph *g, size_t *cursor, size_t *k)
{
	struct ferry_mapfile_object *o;
	const struct ferry_mapfile_object *a;
	size_t i, j;

	while (*cursor < g->n && g->placed[*cursor])
		(*cursor)++;
	for (i = *cursor; i < g->n; i++) {
		if (g->placed[i] || g->against_left[i])
			continue;
		o = g->objs[i];
		for (j = 0; j < o->n_fields; j++)
			if (waits(g, o, &o->fields[j])) {
				o->fields[j].deferred = true;
				g->deps[i]--;
			}
		place(g, i, k);
		return 0;
	}
	/* Every object left waits for another through dedup.against. */
	for (i = *cursor; i < g->n && g->placed[i]; i++)
		;
	o = g->objs[i];
	for (j = 0; j < o->dedup.n_against; j++) {
		a = o->dedup.against[j];
		if (!g->placed[g->pos[a - g->ld->m->objects]])
			break;
	}
	a = o->dedup.against[j];
	return mf_fail(g->ld, o->dedup.against_line,
	               "%s.dedup.against names %s, which waits in turn "
	               "(through its own dedup.against) for %s: objects "
	               "matched against each other need an order; remove one "
	               "'against'",
	               o->name, a->name, o->name);
}

static void build(struct graph *g)
{
	struct ferry_mapfile *m = g->ld->m;
	size_t i, j, n_refs = 0;

	for (i = 0; i < m->n_objects; i++)
		if (m->objects[i].kind == FERRY_MF_RECORDS) {
			g->pos[i] = g->n;
			g->objs[g->n++] = &m->objects[i];
			n_refs += m->objects[i].n_fields;
		}
	g->slugs = mf_index_new(g->ld->arena, g->n + n_refs);
	g->slug_pool = ferry_xcalloc(g->n + n_refs + 1, sizeof(*g->slug_pool));
	for (i = 0; i < g->n; i++) {
		struct slug *s = slug_of(g, g->objs[i]->to);

		s->writers++;
		s->writers_left++;
	}
	for (i = 0; i < g->n; i++) {
		struct ferry_mapfile_object *o = g->objs[i];

		for (j = 0; j < o->n_fields; j++) {
			struct ferry_mapfile_field *f = &o->fields[j];
			struct slug *s;

			if (f->type != FERRY_MF_REFERENCE)
				continue;
			/* A reference with no object, or to its own
			 * destination, may name a record not written
			 * yet. */
			if (!f->object || !strcmp(f->object, o->to)) {
				f->deferred = true;
				continue;
			}
			s = slug_of(g, f->object);
			if (!s->writers)
				continue;
			if (s->n_edges == s->cap_edges) {
				s->cap_edges =
				    s->cap_edges ? 2 * s->cap_edges : 4;
				s->edges = ferry_xrealloc(
				    s->edges, s->cap_edges * sizeof(*s->edges));
			}
			s->edges[s->n_edges].obj = i;
			s->edges[s->n_edges++].field = f;
			g->deps[i]++;
		}
		for (j = 0; j < o->dedup.n_against; j++) {
			size_t a = g->pos[o->dedup.against[j] - m->objects];

			g->dependents[a] = ferry_xrealloc(
			    g->dependents[a],
			    (g->n_dependents[a] + 1) * sizeof(size_t));
			g->dependents[a][g->n_dependents[a]++] = i;
			g->deps[i]++;
			g->against_left[i]++;
		}
	}
}

int mf_order(struct mf_loader *ld)
{
	struct ferry_mapfile *m = ld->m;
	size_t n = m->n_objects, i, k = 0, cursor = 0;
	struct graph g;
	int error = 0;

	memset(&g, 0, sizeof(g));
	g.ld = ld;
	g.objs = ferry_xcalloc(n + 1, sizeof(*g.objs));
	g.deps = ferry_xcalloc(n + 1, sizeof(*g.deps));
	g.against_left = ferry_xcalloc(n + 1, sizeof(*g.against_left));
	g.dependents = ferry_xcalloc(n + 1, sizeof(*g.dependents));
	g.n_dependents = ferry_xcalloc(n + 1, sizeof(*g.n_dependents));
	g.pos = ferry_xcalloc(n + 1, sizeof(*g.pos));
	g.placed = ferry_xcalloc(n + 1, sizeof(*g.placed));
	g.heap = ferry_xcalloc(n + 1, sizeof(*g.heap));
	m->order = mf_array(ld->arena, n, sizeof(*m->order));
	build(&g);
	for (i = 0; i < g.n; i++)
		if (!g.deps[i])
			push(&g, i);
	while (k < g.n) {
		if (g.n_heap)
			place(&g, pop(&g), &k);
		else if ((error = break_cycle(&g, &cursor, &k)) < 0)
			goto done;
	}
	for (i = 0; i < n; i++) {
		struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind == FERRY_MF_RECORDS || o->kind == FERRY_MF_NOWHERE)
			continue;
		o->order = k;
		m->order[k++] = o;
	}
	m->n_order = k;
done:
	for (i = 0; i < g.n_slugs; i++)
		free(g.slug_pool[i].edges);
	for (i = 0; i < g.n; i++)
		free(g.dependents[i]);
	free(g.slug_pool);
	free(g.objs);
	free(g.deps);
	free(g.against_left);
	free(g.dependents);
	free(g.n_dependents);
	free(g.pos);
	free(g.placed);
	free(g.heap);
	return error;
}
