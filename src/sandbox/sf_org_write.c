/* sf_org_write.c: what clients change in the generated org through the
 * REST API (sf_write.c), kept in memory over the generated records: per
 * object, the records updated, created or deleted, sorted by index, each
 * with the values written and the SystemModstamp of its last write; and
 * the org's clock those writes are stamped with. Readers (queries, Bulk
 * streams outside the stand-in's lock, the delta resources) take a read
 * lock; writes come one at a time under the stand-in's lock and take the
 * write lock. */
#include "util.h"

#include <pthread.h>
#include <time.h>

#include "sf_org_int.h"

struct sfo_wobj {
	struct sfo_wrec *v; /* sorted by index */
	size_t n, cap;
	int64_t created, removed;
};

struct sfo_writes {
	pthread_rwlock_t lock;
	struct sfo_wobj obj[SFO_COUNT];
	int64_t born_wall_us; /* when the org was made */
	int64_t offset;       /* seconds a test moved the clock forward */
};

void sfo_writes_init(struct sf_org *org)
{
	struct sfo_writes *w = ferry_xcalloc(1, sizeof(*w));

	pthread_rwlock_init(&w->lock, NULL);
	w->born_wall_us = ferry_clock_wall_us();
	org->writes = w;
}

static void wrec_free(struct sfo_wrec *r, size_t n_fields)
{
	size_t f;

	for (f = 0; f < n_fields; f++)
		free(r->vals[f]);
	free(r->vals);
	free(r->set);
}

void sfo_writes_free(struct sf_org *org)
{
	struct sfo_writes *w = org->writes;
	size_t k, i;

	if (!w)
		return;
	for (k = 0; k < SFO_COUNT; k++) {
		for (i = 0; i < w->obj[k].n; i++)
			wrec_free(&w->obj[k].v[i], org->objects[k].n_fields);
		free(w->obj[k].v);
	}
	pthread_rwlock_destroy(&w->lock);
	free(w);
	org->writes = NULL;
}

void sfo_writes_rdlock(const struct sf_org *org)
{
	pthread_rwlock_rdlock(&org->writes->lock);
}

void sfo_writes_unlock(const struct sf_org *org)
{
	pthread_rwlock_unlock(&org->writes->lock);
}

/* The slot of `index` in the sorted list: where it is or would go. */
static size_t slot(const struct sfo_wobj *o, int64_t index)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->v[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct sfo_wrec *sfo_writes_find(const struct sf_org *org, size_t k,
                                       int64_t index)
{
	const struct sfo_wobj *o = &org->writes->obj[k];
	size_t i;

	if (o->n == 0)
		return NULL;
	i = slot(o, index);
	return i < o->n && o->v[i].index == index ? &o->v[i] : NULL;
}

size_t sfo_wrec_bytes(const struct sf_org *org, size_t k,
                      const struct sfo_wrec *w)
{
	size_t f, n = 0;

	for (f = 0; f < org->objects[k].n_fields; f++)
		if (w->set[f] && w->vals[f])
			n += strlen(w->vals[f]) + 1;
	return n;
}

void sfo_wrec_apply(const struct sf_org *org, size_t k,
                    const struct sfo_wrec *w, struct sf_record *r)
{
	const struct sf_object *o = &org->objects[k];
	const struct sfo_objmeta *m = &org->meta[k];
	size_t f;

	for (f = 0; f < o->n_fields; f++) {
		size_t n;

		if (!w->set[f])
			continue;
		if (!w->vals[f]) {
			r->values[f] = NULL;
			continue;
		}
		/* sf_org_record made room for every value */
		n = strlen(w->vals[f]);
		r->values[f] = r->scratch.ptr + r->scratch.len;
		memcpy(r->scratch.ptr + r->scratch.len, w->vals[f], n + 1);
		r->scratch.len += n + 1;
	}
	r->is_deleted = w->deleted;
	r->modstamp = w->modstamp;
	if (m->id >= 0)
		r->values[m->id] = r->id;
	if (m->is_deleted >= 0)
		r->values[m->is_deleted] = w->deleted ? "true" : "false";
}

int64_t sfo_writes_removed(const struct sf_org *org, size_t k)
{
	return org->writes->obj[k].removed;
}

int64_t sfo_writes_created(const struct sf_org *org, size_t k)
{
	return org->writes->obj[k].created;
}

/* --- the clock --- */

int64_t sf_org_time_of_wall(const struct sf_org *org, int64_t wall_us)
{
	const struct sfo_writes *w = org->writes;

	return SF_ORG_NOW + w->offset + (wall_us - w->born_wall_us) / 1000000;
}

int64_t sf_org_now(const struct sf_org *org)
{
	return sf_org_time_of_wall(org, ferry_clock_wall_us());
}

void sf_org_clock_advance(struct sf_org *org, int64_t seconds)
{
	if (seconds > 0)
		org->writes->offset += seconds;
}

bool sf_org_plain(const struct sf_org *org, const struct sf_object *o)
{
	size_t k = (size_t)(o - org->objects);
	bool plain;

	if (k >= SFO_COUNT)
		return true;
	sfo_writes_rdlock(org);
	plain = org->writes->obj[k].n == 0;
	sfo_writes_unlock(org);
	return plain;
}

/* --- writes --- */

static size_t obj_index(const struct sf_org *org, const struct sf_object *o)
{
	return (size_t)(o - org->objects);
}

/* The record's entry, made (blank) if it has none; the lock held. */
static struct sfo_wrec *entry(struct sf_org *org, size_t k, int64_t index)
{
	struct sfo_wobj *o = &org->writes->obj[k];
	size_t nf = org->objects[k].n_fields, i = slot(o, index);
	struct sfo_wrec *r;

	if (i < o->n && o->v[i].index == index)
		return &o->v[i];
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 16;
		o->v = ferry_xrealloc(o->v, o->cap * sizeof(*o->v));
	}
	memmove(&o->v[i + 1], &o->v[i], (o->n - i) * sizeof(*o->v));
	o->n++;
	r = &o->v[i];
	memset(r, 0, sizeof(*r));
	r->index = index;
	/* A generated record keeps what the generator made of it. */
	r->deleted = index < org->gen_count[k] && org->opts.deleted_every > 0 &&
	             org->meta[k].is_deleted >= 0 &&
	             (index + 1) % org->opts.deleted_every == 0;
	r->vals = ferry_xcalloc(nf ? nf : 1, sizeof(*r->vals));
	r->set = ferry_xcalloc(nf ? nf : 1, sizeof(*r->set));
	return r;
}

static void put(struct sfo_wrec *r, long f, const char *value)
{
	if (f < 0)
		return;
	free(r->vals[f]);
	r->vals[f] = value ? ferry_xstrdup(value) : NULL;
	r->set[f] = true;
}

/* "2026-11-01T00:00:05.000Z", as the generator writes a datetime. */
static void datetime_text(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/* The audit fields every write bumps. */
static void stamp(struct sf_org *org, size_t k, struct sfo_wrec *r, int64_t now,
                  const char *user_id)
{
	const struct sfo_objmeta *m = &org->meta[k];
	char when[32];

	datetime_text(now, when);
	r->modstamp = now;
	put(r, m->modified, when);
	put(r, m->modstamp, when);
	if (user_id && *user_id)
		put(r, m->modified_by, user_id);
}

void sf_org_update(struct sf_org *org, const struct sf_object *o, int64_t index,
                   const struct sf_write_field *f, size_t n,
                   const char *user_id)
{
	size_t k = obj_index(org, o), i;
	int64_t now = sf_org_now(org);
	struct sfo_wrec *r;

	pthread_rwlock_wrlock(&org->writes->lock);
	r = entry(org, k, index);
	for (i = 0; i < n; i++)
		put(r, f[i].field, f[i].value);
	stamp(org, k, r, now, user_id);
	pthread_rwlock_unlock(&org->writes->lock);
}

void sf_org_create(struct sf_org *org, const struct sf_object *o,
                   const struct sf_write_field *f, size_t n,
                   const char *user_id, int64_t *index_out)
{
	size_t k = obj_index(org, o), i;
	const struct sfo_objmeta *m = &org->meta[k];
	int64_t now = sf_org_now(org), index;
	struct sfo_wrec *r;
	char when[32];

	pthread_rwlock_wrlock(&org->writes->lock);
	index = org->objects[k].count;
	r = entry(org, k, index);
	r->created = true;
	/* What Salesforce fills in itself: defaults, then the audit
	 * fields, then the record's own values. */
	for (i = 0; i < o->n_fields; i++) {
		const struct sf_field *fd = &o->fields[i];

		if (fd->type == SF_BOOLEAN)
			put(r, (long)i, "false");
		else if (fd->picklist_default)
			put(r, (long)i, fd->picklist_default);
	}
	datetime_text(now, when);
	put(r, m->created, when);
	if (user_id && *user_id) {
		put(r, m->created_by, user_id);
		put(r, m->owner, user_id);
	}
	for (i = 0; i < n; i++)
		put(r, f[i].field, f[i].value);
	stamp(org, k, r, now, user_id);
	org->writes->obj[k].created++;
	/* Last: a reader that sees the new count finds the record. */
	org->objects[k].count = index + 1;
	pthread_rwlock_unlock(&org->writes->lock);
	*index_out = index;
}

void sf_org_delete(struct sf_org *org, const struct sf_object *o, int64_t index,
                   const char *user_id)
{
	size_t k = obj_index(org, o);
	int64_t now = sf_org_now(org);
	struct sfo_wrec *r;

	pthread_rwlock_wrlock(&org->writes->lock);
	r = entry(org, k, index);
	r->deleted = true;
	stamp(org, k, r, now, user_id);
	org->writes->obj[k].removed++;
	pthread_rwlock_unlock(&org->writes->lock);
}
