/* keys.c: match keys, and the one pass over the staged records that
 * collects them. Each record is parsed without a JSON tree (analyze's
 * flat reader), numbered in priority order and written to
 * temp.dedup_rec; each key it gives goes to temp.dedup_keys as (key
 * index, normalized key, record). Nothing is kept in memory from one
 * record to the next but scratch buffers. */
#include "util.h"

#include "analyze/analyze_int.h"
#include "dedup_int.h"
#include "ferry/normalize.h"
#include "ferry/queue.h"
#include "ferry/transform.h"
#include "store/store.h"

static const char *const kind_names[] = {
    [FERRY_DEDUP_EMAIL] = "email",
    [FERRY_DEDUP_PHONE] = "phone",
    [FERRY_DEDUP_EXTERNAL_ID] = "external id",
    [FERRY_DEDUP_DOMAIN] = "domain",
};

const char *dd_key_name(const struct ferry_dedup_key *key)
{
	if (key->name && *key->name)
		return key->name;
	if (key->kind == FERRY_DEDUP_EXTERNAL_ID && key->n_fields &&
	    key->fields[0])
		return key->fields[0];
	if ((unsigned)key->kind < FERRY_ARRAY_LEN(kind_names))
		return kind_names[key->kind];
	return "key";
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!is_space(*s))
			return false;
	return true;
}

static bool personal(const char *domain, const struct ferry_dedup_config *cfg)
{
	size_t i;

	if (ferry_is_personal_domain(domain))
		return true;
	for (i = 0; cfg && i < cfg->n_personal_domains; i++)
		if (cfg->personal_domains[i] &&
		    ferry_str_iequal(domain, cfg->personal_domains[i]))
			return true;
	return false;
}

/* The registrable domain, normalized again until it stays put: libpsl's
 * lower-casing is NFKC, which can leave a space in front (U+02DC becomes
 * " \u0303") that the next pass trims, and a key must match the same
 * domain typed as the key itself. A pass that finds no domain (the key
 * "www.co.uk" of "x.www.co.uk", whose "www." the normalizer strips as
 * typed) keeps the key before it. */
static int registrable(struct ferry_buf *out, const char *value)
{
	struct ferry_buf next = FERRY_BUF_INIT;
	int error, i;

	if ((error = ferry_normalize_domain(out, value)) < 0)
		return error;
	for (i = 0; i < 3; i++) {
		if (ferry_normalize_domain(&next, out->ptr) < 0 ||
		    (next.len == out->len &&
		     !memcmp(next.ptr, out->ptr, out->len)))
			break;
		ferry_buf_clear(out);
		if ((error = ferry_buf_put(out, next.ptr, next.len)) < 0)
			break;
	}
	ferry_buf_release(&next);
	return error;
}

static int domain_key(struct ferry_buf *out, const struct ferry_dedup_key *key,
                      const char *value, const struct ferry_dedup_config *cfg)
{
	struct ferry_buf d = FERRY_BUF_INIT;
	int error;

	if ((error = registrable(&d, value)) < 0) {
		ferry_error_wrap(error, "%s", dd_key_name(key));
		goto done;
	}
	if (personal(d.ptr, cfg)) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "%s: '%s' is a personal-email domain, "
		                        "which never names a company",
		                        dd_key_name(key), d.ptr);
		goto done;
	}
	ferry_buf_clear(out);
	error = ferry_buf_put(out, d.ptr, d.len);
done:
	ferry_buf_release(&d);
	return error;
}

static int phone_key(struct ferry_buf *out, const struct ferry_dedup_key *key,
                     const char *value, const char *country,
                     const struct ferry_dedup_config *cfg)
{
	/* An extension is a desk on a shared switchboard: matching on the
	 * main number would merge colleagues, so it gives no key. */
	struct ferry_tx_ctx ctx = {
	    .field = dd_key_name(key),
	    .country = country && *country ? country : NULL,
	    .default_country = cfg ? cfg->default_country : NULL,
	};
	struct ferry_tx_reason why;
	char e164[FERRY_TX_E164_MAX];
	int error;

	if ((error = ferry_tx_phone_e164(e164, value, &ctx, &why)) < 0)
		return error;
	ferry_buf_clear(out);
	return ferry_buf_puts(out, e164);
}

int ferry_dedup_key_normalize(struct ferry_buf *out,
                              const struct ferry_dedup_key *key,
                              const char *value, const char *country,
                              const struct ferry_dedup_config *cfg)
{
	const char *s, *end;
	int error;

	if (!value || blank(value))
		return ferry_error_set(FERRY_EINVALID, "%s: empty",
		                       dd_key_name(key));
	switch (key->kind) {
	case FERRY_DEDUP_EMAIL:
		if ((error = ferry_normalize_email(NULL, out, value)) < 0)
			ferry_error_wrap(error, "%s", dd_key_name(key));
		return error;
	case FERRY_DEDUP_PHONE:
		return phone_key(out, key, value, country, cfg);
	case FERRY_DEDUP_EXTERNAL_ID:
		for (s = value; is_space(*s); s++)
			;
		for (end = s + strlen(s); end > s && is_space(end[-1]); end--)
			;
		ferry_buf_clear(out);
		return ferry_buf_put(out, s, (size_t)(end - s));
	case FERRY_DEDUP_DOMAIN:
		return domain_key(out, key, value, cfg);
	}
	return ferry_error_set(FERRY_EINVALID, "%s: unknown key kind %d",
	                       dd_key_name(key), (int)key->kind);
}

/*
 * The pass over the records.
 */

struct reader {
	struct dd_run *run;
	struct an_flat flat;
	struct an_map cols; /* column -> slot */
	size_t n_slots;
	/* the current record's value per slot: valid where gen == rec */
	const char **vals;
	uint64_t *gen, rec;
	int *country_slot; /* per key; -1: none */
	int **field_slots; /* per key, per field */
	struct ferry_buf key, seen;
	struct dd_batch recs, keys;
	int64_t rid;
};

static int slot(struct reader *r, const char *name)
{
	bool added;
	int64_t *v = an_map_put(&r->cols, name, &added);

	if (added)
		*v = (int64_t)r->n_slots++;
	return (int)*v;
}

static void setup(struct reader *r)
{
	const struct ferry_dedup_config *cfg = r->run->cfg;
	size_t k, f;

	r->country_slot = ferry_xcalloc(cfg->n_keys + 1, sizeof(int));
	r->field_slots = ferry_xcalloc(cfg->n_keys + 1, sizeof(int *));
	for (k = 0; k < cfg->n_keys; k++) {
		const struct ferry_dedup_key *key = &cfg->keys[k];

		r->country_slot[k] = key->country_field && *key->country_field
		                         ? slot(r, key->country_field)
		                         : -1;
		r->field_slots[k] =
		    ferry_xcalloc(key->n_fields + 1, sizeof(int));
		for (f = 0; f < key->n_fields; f++)
			r->field_slots[k][f] = slot(r, key->fields[f]);
	}
	r->vals = ferry_xcalloc(r->n_slots + 1, sizeof(*r->vals));
	r->gen = ferry_xcalloc(r->n_slots + 1, sizeof(*r->gen));
}

static void teardown(struct reader *r)
{
	size_t k;

	for (k = 0; r->field_slots && k < r->run->cfg->n_keys; k++)
		free(r->field_slots[k]);
	free(r->field_slots);
	free(r->country_slot);
	free(r->vals);
	free(r->gen);
	an_map_free(&r->cols);
	an_flat_free(&r->flat);
	ferry_buf_release(&r->key);
	ferry_buf_release(&r->seen);
	dd_batch_close(&r->recs);
	dd_batch_close(&r->keys);
}

static const char *val(const struct reader *r, int s)
{
	return s >= 0 && r->gen[s] == r->rec ? r->vals[s] : "";
}

/* True if the record gave `key` under this key index already (from
 * another of its fields). */
static bool seen_before(struct reader *r, const char *key, size_t len)
{
	const char *p = r->seen.ptr, *end = r->seen.ptr + r->seen.len;

	for (; p < end; p += strlen(p) + 1)
		if (strlen(p) == len && !memcmp(p, key, len))
			return true;
	return false;
}

static int record_keys(struct reader *r)
{
	const struct ferry_dedup_config *cfg = r->run->cfg;
	size_t k, f;
	int error, p;

	for (k = 0; k < cfg->n_keys; k++) {
		const struct ferry_dedup_key *key = &cfg->keys[k];
		const char *country = val(r, r->country_slot[k]);

		ferry_buf_clear(&r->seen);
		for (f = 0; f < key->n_fields; f++) {
			const char *v = val(r, r->field_slots[k][f]);

			if (blank(v) ||
			    ferry_dedup_key_normalize(&r->key, key, v, country,
			                              cfg) < 0 ||
			    r->key.len == 0 ||
			    seen_before(r, r->key.ptr, r->key.len))
				continue;
			if ((error = ferry_buf_put(&r->seen, r->key.ptr,
			                           r->key.len + 1)) < 0)
				return error;
			p = dd_batch_param(&r->keys);
			sqlite3_bind_int64(r->keys.st, p, (int64_t)k);
			sqlite3_bind_text(r->keys.st, p + 1, r->key.ptr,
			                  (int)r->key.len, SQLITE_TRANSIENT);
			sqlite3_bind_int64(r->keys.st, p + 2, r->rid);
			if ((error = dd_batch_add(r->run, &r->keys)) < 0)
				return error;
		}
	}
	return 0;
}

static int on_record(struct reader *r, size_t obj, int64_t srow, const char *id)
{
	size_t i;
	int error, p;

	r->rec++;
	r->rid++;
	for (i = 0; i < r->flat.n; i++) {
		int64_t *s = an_map_get(&r->cols, r->flat.pairs[i].key);

		if (s) {
			r->vals[*s] = r->flat.pairs[i].val;
			r->gen[*s] = r->rec;
		}
	}
	p = dd_batch_param(&r->recs);
	sqlite3_bind_int64(r->recs.st, p, r->rid);
	sqlite3_bind_int64(r->recs.st, p + 1, (int64_t)obj);
	sqlite3_bind_text(r->recs.st, p + 2, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(r->recs.st, p + 3, srow);
	if ((error = dd_batch_add(r->run, &r->recs)) < 0)
		return error;
	return record_keys(r);
}

static int read_object(struct reader *r, size_t obj)
{
	const char *object = r->run->cfg->objects[obj];
	sqlite3_stmt *st = NULL;
	int error, rc;

	/* Staging order (the index on (object, line) gives it without a sort;
	 * rowid breaks ties, as the order the records were staged in). The
	 * record as the plan reads it: the conflict queue's overrides on
	 * top. */
	if ((error = dd_prepare(
	         r->run, &st,
	         "SELECT s.rowid, s.source_id, " FERRY_QUEUE_FIELDS_SQL
	         " FROM main.staged_records s WHERE "
	         "s.object = ? ORDER BY s.line, s.rowid")) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 1);
		const char *text = (const char *)sqlite3_column_text(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);

		if (!id || !text || an_flat_parse(&r->flat, text, len) < 0) {
			error = ferry_error_set(
			    FERRY_EDB,
			    "staged record '%s' of %s is damaged in the "
			    "workspace: stage %s again",
			    id ? id : "", object, object);
			goto done;
		}
		if ((error = on_record(r, obj, sqlite3_column_int64(st, 0),
		                       id)) < 0)
			goto done;
		r->run->stats.records++;
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(r->run->ws,
		                           "cannot read staged records");
done:
	sqlite3_finalize(st);
	if (error < 0)
		ferry_error_wrap(error, "reading %s", object);
	return error;
}

int dd_read_records(struct dd_run *run)
{
	struct reader r = {
	    .run = run, .key = FERRY_BUF_INIT, .seen = FERRY_BUF_INIT};
	size_t i;
	int error;

	setup(&r);
	if ((error = dd_batch_open(run, &r.recs,
	                           "temp.dedup_rec(rid, obj, source_id, srow)",
	                           4, "cannot keep a record")) < 0 ||
	    (error = dd_batch_open(run, &r.keys, "temp.dedup_keys(k, key, rid)",
	                           3, "cannot keep a match key")) < 0)
		goto done;
	for (i = 0; i < run->cfg->n_objects; i++)
		if ((error = read_object(&r, i)) < 0)
			goto done;
	if ((error = dd_batch_flush(run, &r.recs)) < 0 ||
	    (error = dd_batch_flush(run, &r.keys)) < 0)
		goto done;
done:
	teardown(&r);
	return error;
}
