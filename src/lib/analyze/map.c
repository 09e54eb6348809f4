/* map.c: the small containers analyze keeps its counts in: a counter map
 * keyed by strings, a distinct counter that is exact up to a bound and then
 * a HyperLogLog estimate, example lists, and numbers written for people.
 * Each is bounded by the shape of the org (fields, picklist values),
 * never by its number of records. */
#include "util.h"

#include <math.h>
#include <stdarg.h>

#include "analyze_int.h"

/* FNV-1a, then a splitmix64 finalizer so every bit is mixed well enough
 * for HyperLogLog, which reads the top bits and the leading zeros. */
uint64_t an_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static size_t slot_of(const struct an_map *m, const char *key)
{
	size_t mask = m->cap - 1;
	size_t i = (size_t)an_hash(key, strlen(key)) & mask;

	while (m->ents[i].key && strcmp(m->ents[i].key, key) != 0)
		i = (i + 1) & mask;
	return i;
}

int64_t *an_map_get(const struct an_map *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot_of(m, key);
	return m->ents[i].key ? &m->ents[i].val : NULL;
}

static void grow(struct an_map *m)
{
	struct an_map_ent *old = m->ents;
	size_t oldcap = m->cap, i;

	m->cap = oldcap ? oldcap * 2 : 16;
	m->ents = ferry_xcalloc(m->cap, sizeof(*m->ents));
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			m->ents[slot_of(m, old[i].key)] = old[i];
	free(old);
}

int64_t *an_map_put(struct an_map *m, const char *key, bool *added)
{
	size_t i;

	if ((m->len + 1) * 10 > m->cap * 7)
		grow(m);
	i = slot_of(m, key);
	if (added)
		*added = !m->ents[i].key;
	if (!m->ents[i].key) {
		m->ents[i].key = ferry_xstrdup(key);
		m->ents[i].val = 0;
		m->len++;
	}
	return &m->ents[i].val;
}

void an_map_clear(struct an_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->ents[i].key);
		m->ents[i].key = NULL;
	}
	m->len = 0;
}

void an_map_free(struct an_map *m)
{
	an_map_clear(m);
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

static int by_value(const void *a, const void *b)
{
	const struct an_map_ent *x = a, *y = b;

	if (x->val != y->val)
		return x->val > y->val ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct an_map_ent *an_map_sorted(const struct an_map *m)
{
	struct an_map_ent *out = ferry_xcalloc(m->len + 1, sizeof(*out));
	size_t i, n = 0;

	for (i = 0; i < m->cap; i++)
		if (m->ents[i].key)
			out[n++] = m->ents[i];
	qsort(out, n, sizeof(*out), by_value);
	return out;
}

/*
 * Distinct values. Up to exact_max values are kept as 64-bit hashes in an
 * open-addressing set (two values colliding in 64 bits is vanishingly
 * rare), then the set is poured into 2^10 HyperLogLog registers (about 3%
 * standard error) and freed.
 */
#define HLL_M (1u << AN_HLL_BITS)

static void hll_add(uint8_t *hll, uint64_t h)
{
	uint32_t idx = (uint32_t)(h >> (64 - AN_HLL_BITS));
	uint64_t w = h << AN_HLL_BITS;
	uint8_t rank = 1;

	while (rank <= 64 - AN_HLL_BITS && !(w & (1ULL << 63))) {
		rank++;
		w <<= 1;
	}
	if (rank > hll[idx])
		hll[idx] = rank;
}

static bool set_insert(struct an_distinct *d, uint64_t h)
{
	size_t mask = d->cap - 1, i = (size_t)h & mask;

	while (d->set[i]) {
		if (d->set[i] == h)
			return false;
		i = (i + 1) & mask;
	}
	d->set[i] = h;
	d->len++;
	return true;
}

static void set_grow(struct an_distinct *d)
{
	uint64_t *old = d->set;
	size_t oldcap = d->cap, i;

	d->cap = oldcap ? oldcap * 2 : 16;
	d->set = ferry_xcalloc(d->cap, sizeof(*d->set));
	d->len = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i])
			set_insert(d, old[i]);
	free(old);
}

void an_distinct_add(struct an_distinct *d, uint64_t h, size_t exact_max)
{
	size_t i;

	if (!h)
		h = 1; /* 0 marks an empty slot */
	if (d->hll) {
		hll_add(d->hll, h);
		return;
	}
	if ((d->len + 1) * 2 > d->cap)
		set_grow(d);
	if (!set_insert(d, h) || d->len <= exact_max)
		return;
	d->hll = ferry_xcalloc(HLL_M, 1);
	for (i = 0; i < d->cap; i++)
		if (d->set[i])
			hll_add(d->hll, d->set[i]);
	free(d->set);
	d->set = NULL;
	d->cap = d->len = 0;
}

int64_t an_distinct_count(const struct an_distinct *d, bool *exact)
{
	double sum = 0.0, m = HLL_M, e;
	unsigned zeros = 0, i;

	*exact = !d->hll;
	if (!d->hll)
		return (int64_t)d->len;
	for (i = 0; i < HLL_M; i++) {
		sum += ldexp(1.0, -(int)d->hll[i]);
		zeros += !d->hll[i];
	}
	e = (0.7213 / (1.0 + 1.079 / m)) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros); /* linear counting for small sets */
	return (int64_t)llround(e);
}

void an_distinct_free(struct an_distinct *d)
{
	free(d->set);
	free(d->hll);
	memset(d, 0, sizeof(*d));
}

void an_examples_add(struct an_examples *ex, const char *fmt, ...)
{
	char line[512]; /* an example is one short line: longer ones are cut */
	va_list ap;

	if (ex->n >= AN_EXAMPLES)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ex->items[ex->n++] = ferry_xstrdup(line);
}

json_t *an_examples_json(const struct an_examples *ex)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; ex && i < ex->n; i++)
		json_array_append_new(a, json_string(ex->items[i]));
	return a;
}

void an_examples_free(struct an_examples *ex)
{
	size_t i;

	for (i = 0; i < ex->n; i++)
		free(ex->items[i]);
	ex->n = 0;
}

struct an_num an_num(int64_t n)
{
	struct an_num out;
	char digits[24];
	size_t len, i, o = 0;
	bool neg = n < 0;

	snprintf(digits, sizeof(digits), "%" PRIu64,
	         neg ? (uint64_t)0 - (uint64_t)n : (uint64_t)n);
	len = strlen(digits);
	if (neg)
		out.s[o++] = '-';
	for (i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out.s[o++] = ',';
		out.s[o++] = digits[i];
	}
	out.s[o] = '\0';
	return out;
}

json_t *an_rate_json(double rate)
{
	if (rate == floor(rate) && fabs(rate) < 1e15)
		return json_integer((json_int_t)rate);
	return json_real(rate);
}

struct an_num an_duration(int64_t s)
{
	struct an_num out;

	if (s < 60)
		snprintf(out.s, sizeof(out.s), "%" PRId64 " s", s);
	else if (s < 3600)
		snprintf(out.s, sizeof(out.s), "%" PRId64 " min",
		         (s + 30) / 60);
	else if (s < 48 * 3600)
		snprintf(out.s, sizeof(out.s), "%" PRId64 " h %" PRId64 " min",
		         s / 3600, (s % 3600) / 60);
	else
		snprintf(out.s, sizeof(out.s), "%.1f days",
		         (double)s / 86400.0);
	return out;
}
