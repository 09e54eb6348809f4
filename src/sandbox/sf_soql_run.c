/* sf_soql_run.c: running a parsed query over the generated records:
 * parent values through hops (each parent generated once per row, and
 * kept while consecutive rows share it), condition evaluation, LIKE, and
 * OFFSET/LIMIT turned into raw index bounds so paging from any position
 * stays cheap. COUNT() without WHERE is arithmetic. Nothing is allocated
 * per row. */
#include "util.h"

#include "sf_soql_int.h"

/* --- runtime: values of a row --- */

static const struct sf_record *resolve_hop(const struct sf_query *q, int h,
                                           const struct sf_record *base)
{
	struct hop *hp = &q->st->hops[h];
	const struct sf_record *parent;
	const struct sf_object *o;
	const char *id;
	int64_t idx;

	if (hp->stamp == q->st->stamp)
		return hp->cur ? &hp->rec : NULL;
	hp->stamp = q->st->stamp;
	hp->cur = NULL;
	parent = hp->parent < 0 ? base : resolve_hop(q, hp->parent, base);
	if (!parent || !(id = parent->values[hp->field]) ||
	    sf_org_lookup_id(q->org, id, &o, &idx) < 0 ||
	    (hp->obj && o != hp->obj))
		return NULL;
	if (!hp->have || hp->rec.index != idx || strcmp(hp->rec.id, id) != 0) {
		if (sf_org_record(q->org, o, idx, &hp->rec) < 0)
			return NULL;
		hp->have = true;
	}
	hp->cur = o;
	return &hp->rec;
}

const char *sf_soql_value(const struct sf_query *q, struct fref *f,
                          const struct sf_record *base)
{
	const struct sf_record *r;
	const struct sf_object *o;

	if (f->hop < 0)
		return base->values[f->field];
	if (!(r = resolve_hop(q, f->hop, base)))
		return NULL;
	if (f->poly == P_NONE)
		return r->values[f->field];
	o = q->st->hops[f->hop].cur;
	if (f->poly == P_TYPE)
		return o->name;
	if (o != f->last_obj) {
		size_t i;

		f->last_obj = o;
		f->last_idx = sf_object_field(o, f->leaf);
		if (f->poly == P_NAME && f->last_idx < 0)
			for (i = 0; i < o->n_fields; i++)
				if (o->fields[i].name_field) {
					f->last_idx = (long)i;
					break;
				}
	}
	return f->last_idx >= 0 ? r->values[f->last_idx] : NULL;
}

/* --- evaluation --- */

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int icmp(const char *a, const char *b)
{
	for (; *a && fold((unsigned char)*a) == fold((unsigned char)*b);
	     a++, b++)
		;
	return fold((unsigned char)*a) - fold((unsigned char)*b);
}

static const char *utf8_next(const char *s)
{
	s++;
	while ((*s & 0xC0) == 0x80)
		s++;
	return s;
}

/* SOQL LIKE: % any run, _ one character, \ escapes; case-insensitive.
 * The classic backtrack-to-last-% walk: no recursion, O(len × len). */
static bool like(const char *s, const char *p)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*p == '%') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '_') {
			s = utf8_next(s);
			p++;
			continue;
		}
		if (*p == '\\' && p[1] &&
		    fold((unsigned char)p[1]) == fold((unsigned char)*s)) {
			s++;
			p += 2;
			continue;
		}
		if (*p && *p != '\\' &&
		    fold((unsigned char)*p) == fold((unsigned char)*s)) {
			s++;
			p++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '%')
		p++;
	return !*p;
}

/* -1, 0, 1 for value v against literal l (both non-null), or 2 when they
 * cannot be compared (a stored value that does not parse). */
static int compare(const char *v, const struct lit *l)
{
	switch (l->k) {
	case LIT_STRING:
	case LIT_DATE: {
		int c = icmp(v, l->s);

		return (c > 0) - (c < 0);
	}
	case LIT_BOOL:
		return (strcmp(v, "true") == 0) == l->b ? 0 : 2;
	case LIT_NUMBER: {
		double d;

		if (ferry_parse_double(v, &d) < 0)
			return 2;
		return (d > l->num) - (d < l->num);
	}
	case LIT_DATETIME: {
		int64_t ms;

		if (!sf_soql_parse_datetime(v, strlen(v), &ms))
			return 2;
		return (ms > l->ms) - (ms < l->ms);
	}
	default:
		return 2;
	}
}

static bool cmp_op(const char *v, enum op op, const struct lit *l)
{
	int c;

	if (l->k == LIT_NULL)
		return op == OP_EQ ? v == NULL : v != NULL;
	if (!v)
		return op == OP_NE; /* SOQL: null != 'x' */
	c = compare(v, l);
	if (c == 2)
		return op == OP_NE;
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_GT:
		return c > 0;
	case OP_LE:
		return c <= 0;
	default:
		return c >= 0;
	}
}

static bool eval(const struct sf_query *q, int n, const struct sf_record *r)
{
	struct cnode *c = &q->nodes[n];
	const char *v;
	size_t i;
	int k;

	switch (c->k) {
	case C_AND:
		for (k = c->child; k >= 0; k = q->nodes[k].next)
			if (!eval(q, k, r))
				return false;
		return true;
	case C_OR:
		for (k = c->child; k >= 0; k = q->nodes[k].next)
			if (eval(q, k, r))
				return true;
		return false;
	case C_NOT:
		return !eval(q, c->child, r);
	case C_CMP:
		return cmp_op(sf_soql_value(q, &c->f, r), c->op,
		              &q->lits[c->lit]);
	case C_LIKE:
		v = sf_soql_value(q, &c->f, r);
		return v && like(v, q->lits[c->lit].s);
	case C_IN:
	case C_NOTIN:
		v = sf_soql_value(q, &c->f, r);
		for (i = 0; i < c->nlit; i++)
			if (cmp_op(v, OP_EQ, &q->lits[c->lit + i]))
				return c->k == C_IN;
		return c->k == C_NOTIN;
	}
	return false;
}

/* --- running --- */

/* Record i matches (generated into r when anything needs its values). */
static bool matches(const struct sf_query *q, bool all, int64_t i,
                    struct sf_record *r, bool need_values)
{
	if (!all && sf_org_is_deleted(q->org, q->obj, i))
		return false;
	if (q->where < 0 && !need_values)
		return true;
	if (sf_org_record(q->org, q->obj, i, r) < 0)
		return false;
	q->st->stamp++;
	return q->where < 0 || eval(q, q->where, r);
}

/* The raw index just past the k-th (0-based k - 1) live record: plain
 * arithmetic, since every deleted_every-th record is deleted. */
static int64_t past_kth_live(const struct sf_query *q, bool all, int64_t k)
{
	int64_t de = q->org->opts.deleted_every, lo = k, hi, mid;

	if (all || sf_org_live_count(q->org, q->obj) == q->obj->count ||
	    de <= 0)
		return k;
	/* live(p) = p - p / de is monotonic: the least p with live(p) = k */
	hi = k + k / (de - 1 > 0 ? de - 1 : 1) + 2;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mid - mid / de >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static struct sf_record *scan_record(const struct sf_query *q)
{
	if (!q->st->scan_init) {
		sf_record_init(&q->st->scan);
		q->st->scan_init = true;
	}
	return &q->st->scan;
}

/* The raw index past the k-th match, scanning from 0. */
static int64_t past_kth_match(const struct sf_query *q, bool all, int64_t k)
{
	struct sf_record *r = scan_record(q);
	int64_t i, seen = 0;

	if (k <= 0)
		return 0;
	/* Deletions are arithmetic until a client wrote to the object. */
	if (q->where < 0 && sf_org_plain(q->org, q->obj))
		return past_kth_live(q, all, k);
	for (i = 0; i < q->obj->count; i++)
		if (matches(q, all, i, r, false) && ++seen == k)
			return i + 1;
	return q->obj->count;
}

static void bounds(const struct sf_query *q, bool all, int64_t *start,
                   int64_t *end)
{
	struct qstate *st = q->st;
	int a = all ? 1 : 0;

	if (!st->bounds_known[a]) {
		int64_t off = q->offset > 0 ? q->offset : 0;

		st->start[a] = past_kth_match(q, all, off);
		st->end[a] = q->limit < 0
		                 ? q->obj->count
		                 : past_kth_match(q, all, off + q->limit);
		if (q->limit == 0)
			st->end[a] = st->start[a];
		/* an OFFSET past the last match ends at the end */
		if (st->start[a] > q->obj->count)
			st->start[a] = q->obj->count;
		if (st->end[a] > q->obj->count)
			st->end[a] = q->obj->count;
		st->bounds_known[a] = true;
	}
	*start = st->start[a];
	*end = st->end[a];
}

int sf_query_next(const struct sf_query *q, bool all, int64_t *pos,
                  struct sf_record *scratch, const char **row)
{
	int64_t start, end;
	size_t c;

	bounds(q, all, &start, &end);
	if (*pos < start)
		*pos = start;
	while (*pos < end) {
		int64_t i = (*pos)++;

		if (!matches(q, all, i, scratch, true))
			continue;
		for (c = 0; c < q->n_cols; c++)
			row[c] = sf_soql_value(q, &q->cols[c].f, scratch);
		return 1;
	}
	return 0;
}

int64_t sf_query_count(const struct sf_query *q, bool all)
{
	int64_t n = 0, i, off = q->offset > 0 ? q->offset : 0;

	if (q->where < 0 && !q->count_nonnull) {
		n = all ? q->obj->count : sf_org_live_count(q->org, q->obj);
	} else {
		struct sf_record *r = scan_record(q);

		for (i = 0; i < q->obj->count; i++) {
			if (!matches(q, all, i, r, q->count_nonnull))
				continue;
			if (q->count_nonnull &&
			    !sf_soql_value(q, q->count_field, r))
				continue;
			n++;
		}
	}
	n = n > off ? n - off : 0;
	if (q->limit >= 0 && n > q->limit)
		n = q->limit;
	return n;
}
