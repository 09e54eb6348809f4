/* plan_dest.c: records already at the destination (created by hand, by
 * email sync, by an earlier load) are matched, never duplicated. Before
 * dedup runs, each Attio object a dedup key lives in is read once, whole,
 * 500 records a page (POST .../records/query, offset paging: a short
 * page is the last), and each value of the keys' attributes is kept,
 * normalized as the dedup keys are (keys.c), in temp.plan_dest. A key's
 * lookup is then a local query: 100,000 keys cost no read at all, where a
 * query per key would take 17 minutes of the read budget. A destination
 * that fails part way stops the plan before any dedup row or decision
 * changed. See docs/internals/plan.md. */
#include "util.h"

#include "ferry/dedup.h"
#include "plan_int.h"
#include "store/store.h"

/* Records per query: Attio's default (its maximum is not stated). */
#define DEST_PAGE 500

/* One place a key's values live at the destination. */
struct target {
	const char *object; /* the Attio object (the mapping's `to`) */
	const char *attr;   /* the attribute its fields fill */
	enum ferry_dedup_kind kind;
};

/* What one key's lookup asks: its targets, in the fields' order. */
struct bind {
	struct pl_dest *d;
	struct target *t;
	size_t n;
};

struct pl_dest {
	struct plan *pl;
	struct target *want; /* distinct targets, read by pl_dest_load */
	size_t n_want;
	struct bind **binds;
	size_t n_binds;
	sqlite3_stmt *put, *find;
	struct ferry_dedup_config cfg; /* normalization: country, domains */
	struct ferry_buf key;
};

static const char temp_sql[] =
    "DROP TABLE IF EXISTS temp.plan_dest;\n"
    "CREATE TEMP TABLE plan_dest (object TEXT NOT NULL, attr TEXT NOT "
    "NULL, kind INTEGER NOT NULL, key TEXT NOT NULL, record_id TEXT NOT "
    "NULL, n INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (object, attr, kind, "
    "key)) WITHOUT ROWID;\n";

int pl_dest_open(struct pl_dest **out, struct plan *pl)
{
	struct pl_dest *d = ferry_xcalloc(1, sizeof(*d));
	int error;

	d->pl = pl;
	d->key = (struct ferry_buf)FERRY_BUF_INIT;
	d->cfg.default_country = pl->m->default_country;
	d->cfg.personal_domains = pl->m->personal_domains;
	d->cfg.n_personal_domains = pl->m->n_personal_domains;
	/* A key two destination records share (a switchboard phone) is
	 * counted in n and matches neither. */
	if ((error = ferry_store__exec(pl->ws, temp_sql)) < 0 ||
	    (error = ferry_store__prepare(
	         &d->put, pl->ws,
	         "INSERT INTO temp.plan_dest(object, attr, kind, key, "
	         "record_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
	         "n = n + (record_id != excluded.record_id)")) < 0 ||
	    (error = ferry_store__prepare(
	         &d->find, pl->ws,
	         "SELECT record_id, n FROM temp.plan_dest WHERE object = ? "
	         "AND attr = ? AND kind = ? AND key = ?")) < 0) {
		pl_dest_free(d);
		return error;
	}
	*out = d;
	return 0;
}

void pl_dest_free(struct pl_dest *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_binds; i++) {
		free(d->binds[i]->t);
		free(d->binds[i]);
	}
	free(d->binds);
	free(d->want);
	sqlite3_finalize(d->put);
	sqlite3_finalize(d->find);
	ferry_buf_release(&d->key);
	(void)ferry_store__exec(d->pl->ws, "DROP TABLE IF EXISTS "
	                                   "temp.plan_dest;");
	free(d);
}

/*
 * Which attributes a key lives in.
 */

static bool field_fits(const struct ferry_mapfile_field *f,
                       const struct ferry_dedup_key *key)
{
	size_t i;

	if (!f->to)
		return false;
	switch (key->kind) {
	case FERRY_DEDUP_EMAIL:
		if (f->type != FERRY_MF_EMAIL)
			return false;
		break;
	case FERRY_DEDUP_PHONE:
		if (f->type != FERRY_MF_PHONE)
			return false;
		break;
	case FERRY_DEDUP_DOMAIN:
		if (f->type != FERRY_MF_DOMAIN)
			return false;
		break;
	case FERRY_DEDUP_EXTERNAL_ID:
		break;
	}
	for (i = 0; i < key->n_fields; i++)
		if (!strcmp(key->fields[i], f->name))
			return true;
	return false;
}

/* Whether the destination has the attribute: online, its schema says;
 * without a schema, it is tried (a missing object answers 404). */
static bool dest_has(const struct plan *pl, const char *object,
                     const char *attr)
{
	const json_t *attrs, *a;
	size_t i;

	if (!pl->opts->schema)
		return true;
	attrs = json_object_get(json_object_get(pl->opts->schema, "attributes"),
	                        object);
	json_array_foreach(attrs, i, a)
	{
		const char *slug =
		    json_string_value(json_object_get(a, "api_slug"));

		if (slug && !strcmp(slug, attr))
			return true;
	}
	return false;
}

static bool same_target(const struct target *a, const struct target *b)
{
	return a->kind == b->kind && !strcmp(a->object, b->object) &&
	       !strcmp(a->attr, b->attr);
}

static void add_target(struct target **list, size_t *n, const struct target *t)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (same_target(&(*list)[i], t))
			return;
	*list = ferry_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = *t;
}

static int lookup(const char *key, char *dest_id, size_t size, void *payload)
{
	const struct bind *b = payload;
	sqlite3_stmt *st = b->d->find;
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		ferry_store__bind_text(st, 1, b->t[i].object);
		ferry_store__bind_text(st, 2, b->t[i].attr);
		sqlite3_bind_int(st, 3, (int)b->t[i].kind);
		ferry_store__bind_text(st, 4, key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) == 1) {
			ferry_store__column_copy(dest_id, size, st, 0);
			sqlite3_reset(st);
			return 0;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return ferry_store__error(
			    b->d->pl->ws, "cannot read the destination's "
			                  "records");
	}
	return FERRY_ENOTFOUND;
}

void pl_dest_key(struct pl_dest *d, struct ferry_dedup_key *key,
                 const char *const *objects, size_t n_objects)
{
	struct bind *b = ferry_xcalloc(1, sizeof(*b));
	size_t i, j;

	b->d = d;
	for (i = 0; i < n_objects; i++) {
		const struct ferry_mapfile_object *o =
		    ferry_mapfile_object(d->pl->m, objects[i]);

		if (!o || o->kind != FERRY_MF_RECORDS || !o->to)
			continue;
		for (j = 0; j < o->n_fields; j++) {
			struct target t = {o->to, o->fields[j].to, key->kind};

			if (!field_fits(&o->fields[j], key) ||
			    !dest_has(d->pl, t.object, t.attr))
				continue;
			add_target(&b->t, &b->n, &t);
			add_target(&d->want, &d->n_want, &t);
		}
	}
	if (!b->n) {
		free(b);
		return;
	}
	d->binds =
	    ferry_xrealloc(d->binds, (d->n_binds + 1) * sizeof(*d->binds));
	d->binds[d->n_binds++] = b;
	key->lookup = lookup;
	key->lookup_payload = b;
}

/*
 * The snapshot.
 */

/* A value as the key reads it: Attio's normalized field first. */
static const char *value_text(const json_t *v, enum ferry_dedup_kind kind,
                              const char **country, char *num, size_t size)
{
	static const char *const email[] = {"email_address",
	                                    "original_email_address", NULL};
	static const char *const phone[] = {"phone_number",
	                                    "normalized_phone_number",
	                                    "original_phone_number", NULL};
	static const char *const domain[] = {"domain", NULL};
	static const char *const other[] = {NULL};
	const char *const *keys = kind == FERRY_DEDUP_EMAIL    ? email
	                          : kind == FERRY_DEDUP_PHONE  ? phone
	                          : kind == FERRY_DEDUP_DOMAIN ? domain
	                                                       : other;
	const json_t *x;

	*country = NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (!json_is_object(v))
		return NULL;
	/* A value that ended is history, not the record's. */
	if ((x = json_object_get(v, "active_until")) && !json_is_null(x))
		return NULL;
	if (kind == FERRY_DEDUP_PHONE)
		*country =
		    json_string_value(json_object_get(v, "country_code"));
	for (; *keys; keys++)
		if ((x = json_object_get(v, *keys)) && json_is_string(x))
			return json_string_value(x);
	x = json_object_get(v, "value");
	if (json_is_string(x))
		return json_string_value(x);
	if (json_is_integer(x)) {
		snprintf(num, size, "%" JSON_INTEGER_FORMAT,
		         json_integer_value(x));
		return num;
	}
	return NULL;
}

static int put_values(struct pl_dest *d, const struct target *t, const char *id,
                      const json_t *values)
{
	struct ferry_dedup_key k;
	const json_t *v;
	size_t i;
	char num[32];

	memset(&k, 0, sizeof(k));
	k.kind = t->kind;
	json_array_foreach(json_object_get(values, t->attr), i, v)
	{
		const char *country, *s;

		s = value_text(v, t->kind, &country, num, sizeof(num));
		/* A value no key can be made of matches nothing. */
		if (!s || ferry_dedup_key_normalize(&d->key, &k, s, country,
		                                    &d->cfg) < 0)
			continue;
		ferry_store__bind_text(d->put, 1, t->object);
		ferry_store__bind_text(d->put, 2, t->attr);
		sqlite3_bind_int(d->put, 3, (int)t->kind);
		sqlite3_bind_text(d->put, 4, d->key.ptr, (int)d->key.len,
		                  SQLITE_STATIC);
		ferry_store__bind_text(d->put, 5, id);
		if (sqlite3_step(d->put) != SQLITE_DONE) {
			sqlite3_reset(d->put);
			return ferry_store__error(
			    d->pl->ws, "cannot keep the destination's "
			               "records");
		}
		sqlite3_reset(d->put);
	}
	return 0;
}

/* One page: every record's values of the object's targets. */
static int put_page(struct pl_dest *d, const char *object, const json_t *page)
{
	const json_t *r;
	size_t i, j;
	int error;

	if ((error = ferry_store__exec(d->pl->ws, "SAVEPOINT pl_dest")) < 0)
		return error;
	json_array_foreach(page, i, r)
	{
		const char *id = json_string_value(
		    json_object_get(json_object_get(r, "id"), "record_id"));
		const json_t *values = json_object_get(r, "values");

		if (!id || !*id)
			continue;
		for (j = 0; j < d->n_want && error == 0; j++)
			if (!strcmp(d->want[j].object, object))
				error = put_values(d, &d->want[j], id, values);
		if (error < 0)
			break;
	}
	if (error < 0) {
		(void)ferry_store__exec(d->pl->ws, "ROLLBACK TO pl_dest; "
		                                   "RELEASE pl_dest");
		return error;
	}
	return ferry_store__exec(d->pl->ws, "RELEASE pl_dest");
}

static int load_object(struct pl_dest *d, const char *object)
{
	const struct ferry_plan_opts *opts = d->pl->opts;
	json_t *page = NULL;
	size_t n;
	int offset = 0, error = 0;

	for (;;) {
		if (opts->stop && *opts->stop)
			return ferry_error_set(
			    FERRY_EHALTED,
			    "stopped while reading the Attio "
			    "%s records: nothing was planned",
			    object);
		if ((error = ferry_attio_query(&page, opts->dest, object, NULL,
		                               DEST_PAGE, offset)) < 0) {
			char *why = ferry_xstrdup(ferry_error_last());

			error = ferry_error_set(
			    error,
			    "reading the Attio %s records already there "
			    "(records %d to %d), to match the plan against "
			    "them: %s. Nothing was planned (the previous plan "
			    "stands): run 'ferry plan' again, or 'ferry plan "
			    "--offline' to plan without the destination",
			    object, offset + 1, offset + DEST_PAGE, why);
			free(why);
			return error;
		}
		n = json_array_size(page);
		error = put_page(d, object, page);
		json_decref(page);
		page = NULL;
		if (error < 0 || n < DEST_PAGE)
			return error;
		if (offset > INT32_MAX - DEST_PAGE)
			return ferry_error_set(
			    FERRY_ETOOBIG,
			    "the Attio %s object has more than %d records: "
			    "too many to match against; plan with --offline",
			    object, offset + DEST_PAGE);
		offset += DEST_PAGE;
	}
}

int pl_dest_load(struct pl_dest *d)
{
	size_t i, j;
	int error;

	for (i = 0; i < d->n_want; i++) {
		for (j = 0;
		     j < i && strcmp(d->want[j].object, d->want[i].object); j++)
			;
		if (j < i)
			continue; /* read with its first target */
		if ((error = load_object(d, d->want[i].object)) < 0)
			return error;
	}
	return 0;
}

/*
 * The decision.
 */

/* "domain 'acme.com'" of the dedup reason "... matches the existing
 * destination record '<id>' by domain 'acme.com'" (resolve.c). */
static const char *matched_by(const char *reason)
{
	static const char mark[] = "destination record '";
	const char *p = reason, *q, *last = NULL;

	while ((q = strstr(p, mark))) {
		last = q + sizeof(mark) - 1;
		p = last;
	}
	if (!last || !(q = strstr(last, "' by ")))
		return NULL;
	return q + 5;
}

int pl_dest_note(struct plan *pl, struct pl_rec *rec)
{
	sqlite3_stmt *st = pl->dedup;
	const char *by;
	char id[128];
	int rc;

	/* Only a survivor dedup matched says so in its reason. */
	if (rec->role != 0 || !rec->dedup_reason ||
	    !strstr(rec->dedup_reason, "destination record '"))
		return 0;
	id[0] = '\0';
	ferry_store__bind_text(st, 1, rec->po->name);
	ferry_store__bind_text(st, 2, rec->source_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ferry_store__column_copy(id, sizeof(id), st, 3);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return ferry_store__error(pl->ws, "cannot read a dedup row");
	if (!id[0])
		return 0;
	by = matched_by(rec->dedup_reason);
	pl_reason(rec->notes, "", "exists_in_destination", NULL,
	          "matches Attio %s record %s%s%s%s: it is updated, not "
	          "created",
	          rec->dest, id, by ? " (same " : "", by ? by : "",
	          by ? ")" : "");
	if (!rec->extra)
		rec->extra = json_object();
	json_object_set_new(rec->extra, "record_id", json_string(id));
	rec->po->stats->matched++;
	return 0;
}

int pl_dest_unique(struct plan *pl, struct pl_rec *rec)
{
	sqlite3_stmt *st = pl->uniq_ins;
	const char *id =
	    json_string_value(json_object_get(rec->extra, "record_id"));

	if (!id || rec->decision != FERRY_PLAN_WRITE)
		return 0;
	ferry_store__bind_text(st, 1, rec->dest);
	ferry_store__bind_text(st, 2, "record_id");
	ferry_store__bind_text(st, 3, id);
	ferry_store__bind_text(st, 4, rec->po->name);
	ferry_store__bind_text(st, 5, rec->source_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return ferry_store__error(pl->ws, "cannot keep a unique value");
	}
	sqlite3_reset(st);
	return 0;
}
