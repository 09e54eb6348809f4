/* scan.c: the one pass over each staged object. Records are read straight
 * from the staged_records table in primary-key order and parsed without a
 * JSON tree (flatjson.c). Every record feeds its fields' profiles and the
 * record-level checks (person accounts, missing match keys, converted
 * leads, activities with two parents, oversized attachments); match keys,
 * references and owners go into TEMP tables so the duplicate, reference
 * and owner checks run in SQLite afterwards and memory does not grow with
 * the number of records. */
#include "util.h"

#include "analyze_int.h"
#include "ferry/normalize.h"
#include "store/store.h"

#define OWNERS_FLUSH 4096 /* distinct owners held before a flush */

/* The columns the record-level checks read. */
enum {
	C_ISDELETED,
	C_EMAIL,
	C_WEBSITE,
	C_NAME,
	C_FIRSTNAME,
	C_LASTNAME,
	C_ISPERSON,
	C_ISCONVERTED,
	C_CONVERTEDDATE,
	C_WHOID,
	C_WHATID,
	C_SUBJECT,
	C_BODYLENGTH,
	C_OWNERID,
	C__COUNT
};
static const char *const columns[C__COUNT] = {
    "IsDeleted", "Email",           "Website",     "Name",          "FirstName",
    "LastName",  "IsPersonAccount", "IsConverted", "ConvertedDate", "WhoId",
    "WhatId",    "Subject",         "BodyLength",  "OwnerId",
};

struct scan {
	struct analyze *an;
	struct an_object *obj;
	struct ferry_buf a; /* scratch for the normalizers */
	struct an_flat flat;
	/* the current record's values by field index: valid where
	 * gen[i] == rec */
	const char **vals;
	uint64_t *gen, rec;
	size_t cap;
	int col[C__COUNT]; /* field index of each column, -1: none */
};

static const char *val(const struct scan *sc, int fi)
{
	return fi >= 0 && sc->gen[fi] == sc->rec ? sc->vals[fi] : "";
}

static const char *col(const struct scan *sc, int c)
{
	return val(sc, sc->col[c]);
}

/* Where a field joins the object: note its index if the checks read it. */
static void index_field(struct scan *sc, const char *name, int fi)
{
	struct an_object *obj = sc->obj;
	size_t i;

	for (i = 0; i < C__COUNT; i++)
		if (!strcmp(columns[i], name))
			sc->col[i] = fi;
	for (i = 0; i < obj->n_refs; i++)
		if (!strcmp(obj->refs[i].field, name))
			obj->refs[i].fi = fi;
	if (obj->n_fields > sc->cap) {
		size_t old = sc->cap;

		sc->cap = obj->n_fields * 2;
		sc->vals =
		    ferry_xrealloc(sc->vals, sc->cap * sizeof(*sc->vals));
		sc->gen = ferry_xrealloc(sc->gen, sc->cap * sizeof(*sc->gen));
		memset(sc->gen + old, 0, (sc->cap - old) * sizeof(*sc->gen));
	}
}

static int step(struct analyze *an, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ferry_store__error(an->ws, what);
	return 0;
}

static int add_key(struct scan *sc, const char *kind, const char *key,
                   const char *id)
{
	sqlite3_stmt *st = sc->an->ins_key;

	ferry_store__bind_text(st, 1, kind);
	ferry_store__bind_text(st, 2, key);
	ferry_store__bind_text(st, 3, sc->obj->name);
	ferry_store__bind_text(st, 4, id);
	return step(sc->an, st, "cannot keep a match key");
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* "Jane Doe": Name, or FirstName LastName. */
static void record_name(char *out, size_t len, const struct scan *sc)
{
	const char *name = col(sc, C_NAME), *first = col(sc, C_FIRSTNAME);

	if (*name)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s%s%s", first, *first ? " " : "",
		         col(sc, C_LASTNAME));
}

static int check_email(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	const char *email = col(sc, C_EMAIL), *domain;
	char name[256];

	if (blank(email)) {
		obj->no_key.n++;
		obj->no_key_blank++;
		obj->skipped++;
		record_name(name, sizeof(name), sc);
		an_examples_add(&obj->no_key.ex, "%s: %s (blank email)", id,
		                *name ? name : "(no name)");
		return 0;
	}
	if (ferry_normalize_email(NULL, &sc->a, email) < 0) {
		obj->no_key.n++;
		obj->no_key_invalid++;
		obj->skipped++;
		an_examples_add(&obj->no_key.ex, "%s: %s (invalid: %s)", id,
		                email, ferry_error_last());
		return 0;
	}
	domain = ferry_email_domain(sc->a.ptr);
	if (domain && ferry_is_personal_domain(domain)) {
		obj->personal.n++;
		an_examples_add(&obj->personal.ex, "%s: %s (%s)", id, sc->a.ptr,
		                domain);
	}
	return add_key(sc, "email", sc->a.ptr, id);
}

static int check_account(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	const char *website = col(sc, C_WEBSITE);
	char name[256];

	record_name(name, sizeof(name), sc);
	if (an_is_true(col(sc, C_ISPERSON))) {
		obj->person_accounts.n++;
		obj->skipped++;
		an_examples_add(&obj->person_accounts.ex,
		                "%s: %s (person account)", id, name);
		return 0;
	}
	if (blank(website)) {
		obj->no_key.n++;
		obj->no_key_blank++;
		obj->skipped++;
		an_examples_add(&obj->no_key.ex, "%s: %s (blank website)", id,
		                name);
		return 0;
	}
	if (ferry_normalize_domain(&sc->a, website) < 0) {
		obj->no_key.n++;
		obj->no_key_invalid++;
		obj->skipped++;
		an_examples_add(&obj->no_key.ex, "%s: %s (%s: %s)", id, website,
		                name, ferry_error_last());
		return 0;
	}
	if (ferry_is_personal_domain(sc->a.ptr)) {
		obj->personal.n++;
		obj->skipped++;
		an_examples_add(&obj->personal.ex, "%s: %s (%s)", id, sc->a.ptr,
		                name);
		return 0;
	}
	return add_key(sc, "domain", sc->a.ptr, id);
}

static int check_lead(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	const char *date = col(sc, C_CONVERTEDDATE);
	char name[256];

	if (!an_is_true(col(sc, C_ISCONVERTED)))
		return check_email(sc, id);
	obj->converted.n++;
	obj->skipped++;
	record_name(name, sizeof(name), sc);
	an_examples_add(&obj->converted.ex, "%s: %s (converted%s%s)", id,
	                *name ? name : col(sc, C_EMAIL), *date ? " " : "",
	                date);
	return 0;
}

static void check_activity(struct scan *sc, const char *id)
{
	const char *who = col(sc, C_WHOID), *what = col(sc, C_WHATID);

	if (!*who || !*what)
		return;
	sc->obj->two_parents.n++;
	an_examples_add(&sc->obj->two_parents.ex,
	                "%s: %s (WhoId %s, WhatId %s)", id, col(sc, C_SUBJECT),
	                who, what);
}

static void check_attachment(struct scan *sc, const char *id)
{
	int64_t size = 0;

	if (ferry_parse_i64(col(sc, C_BODYLENGTH), &size) < 0 ||
	    size <= AN_FILE_LIMIT)
		return;
	sc->obj->large_files.n++;
	an_examples_add(&sc->obj->large_files.ex, "%s: %s (%.1f MB)", id,
	                col(sc, C_NAME), (double)size / (1024.0 * 1024.0));
}

static int flush_owners(struct scan *sc)
{
	struct an_map *m = &sc->obj->owners;
	sqlite3_stmt *st = sc->an->ins_owner;
	size_t i;
	int error;

	for (i = 0; i < m->cap; i++) {
		if (!m->ents[i].key)
			continue;
		ferry_store__bind_text(st, 1, m->ents[i].key);
		ferry_store__bind_text(st, 2, sc->obj->name);
		sqlite3_bind_int64(st, 3, m->ents[i].val);
		if ((error = step(sc->an, st, "cannot count owners")) < 0)
			return error;
	}
	an_map_clear(m);
	return 0;
}

static bool checked_target(struct analyze *an, const char *target)
{
	/* Owners (User, queues) have their own check. */
	return target && strcmp(target, "User") && strcmp(target, "Group") &&
	       an_object_find(an, target);
}

static int check_refs(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	sqlite3_stmt *st = sc->an->ins_ref;
	size_t i;
	int error;

	for (i = 0; i < obj->n_refs; i++) {
		const char *v = val(sc, obj->refs[i].fi);
		const char *target = obj->refs[i].target;

		if (!*v)
			continue;
		if (!target)
			target = an_id_object(sc->an, v);
		if (!checked_target(sc->an, target))
			continue;
		ferry_store__bind_text(st, 1, obj->name);
		ferry_store__bind_text(st, 2, obj->refs[i].field);
		ferry_store__bind_text(st, 3, id);
		ferry_store__bind_text(st, 4, target);
		ferry_store__bind_text(st, 5, v);
		if ((error = step(sc->an, st, "cannot keep a reference")) < 0)
			return error;
	}
	return 0;
}

static int check_record(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	const char *owner;
	int error = 0;

	if (an_is_true(col(sc, C_ISDELETED))) {
		obj->deleted++; /* not migrated: no further checks */
		return 0;
	}
	switch (obj->kind) {
	case AN_ACCOUNT:
		error = check_account(sc, id);
		break;
	case AN_CONTACT:
		error = check_email(sc, id);
		break;
	case AN_LEAD:
		error = check_lead(sc, id);
		break;
	case AN_TASK:
	case AN_EVENT:
		check_activity(sc, id);
		break;
	case AN_ATTACHMENT:
		check_attachment(sc, id);
		break;
	default:
		break;
	}
	if (error < 0)
		return error;
	owner = col(sc, C_OWNERID);
	if (*owner && obj->kind != AN_USER) {
		(*an_map_put(&obj->owners, owner, NULL))++;
		if (obj->owners.len >= OWNERS_FLUSH &&
		    (error = flush_owners(sc)) < 0)
			return error;
	}
	return check_refs(sc, id);
}

/* One record: its values into the profiles, then the checks. */
static int on_record(struct scan *sc, const char *id)
{
	struct an_object *obj = sc->obj;
	size_t i;

	sc->rec++;
	obj->count++;
	for (i = 0; i < sc->flat.n; i++) {
		const char *key = sc->flat.pairs[i].key;
		size_t before = obj->n_fields;
		struct an_field *f = an_field_get(obj, key);
		int fi = (int)(f - obj->fields);

		if (obj->n_fields != before)
			index_field(sc, key, fi);
		f->seen = true;
		an_profile_add(f, sc->flat.pairs[i].val, sc->an->exact_max);
		sc->vals[fi] = sc->flat.pairs[i].val;
		sc->gen[fi] = sc->rec;
	}
	return check_record(sc, id);
}

static int read_records(struct scan *sc)
{
	struct analyze *an = sc->an;
	sqlite3_stmt *st = NULL;
	int error, rc;

	/* Primary-key order: one sequential pass over the table. */
	if ((error = ferry_store__prepare(
	         &st, an->ws,
	         "SELECT source_id, fields FROM main.staged_records WHERE "
	         "object = ?")) < 0)
		return error;
	ferry_store__bind_text(st, 1, sc->obj->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (!id || !text || an_flat_parse(&sc->flat, text, len) < 0) {
			error = ferry_error_set(
			    FERRY_EDB,
			    "staged record '%s' of %s is damaged in the "
			    "workspace: run 'ferry extract' again",
			    id ? id : "", sc->obj->name);
			goto done;
		}
		if ((error = on_record(sc, id)) < 0)
			goto done;
	}
	if (rc != SQLITE_DONE)
		error =
		    ferry_store__error(an->ws, "cannot read staged records");
done:
	sqlite3_finalize(st);
	return error;
}

static void add_ref(struct an_object *obj, const char *field,
                    const char *target)
{
	int64_t *fi = an_map_get(&obj->field_index, field);

	obj->refs =
	    ferry_xrealloc(obj->refs, (obj->n_refs + 1) * sizeof(*obj->refs));
	obj->refs[obj->n_refs].field = ferry_xstrdup(field);
	obj->refs[obj->n_refs].fi = fi ? (int)*fi : -1;
	obj->refs[obj->n_refs].target = target ? ferry_xstrdup(target) : NULL;
	obj->n_refs++;
}

/* The reference fields worth checking: a describe's referenceTo that
 * names a staged object (a polymorphic field is resolved per value by
 * the id's key prefix); without a describe, the well-known columns. */
static void plan_refs(struct analyze *an, struct an_object *obj)
{
	size_t n_csv, i, j;
	const char *const *csv = an_rule_csv_references(&n_csv);

	/* Only what will be loaded: a broken link on an object nobody
	 * migrates is noise. */
	if (!obj->rule)
		return;
	if (!obj->described) {
		for (i = 0; i < n_csv; i++)
			add_ref(obj, csv[i], NULL);
		return;
	}
	for (i = 0; i < obj->n_fields; i++) {
		struct an_field *f = &obj->fields[i];
		bool any = false;

		for (j = 0; j < f->n_ref_to; j++)
			any |= checked_target(an, f->ref_to[j]);
		if (!any)
			continue;
		add_ref(obj, f->name, f->n_ref_to == 1 ? f->ref_to[0] : NULL);
	}
}

static enum an_kind kind_of(const char *name)
{
	static const struct {
		const char *name;
		enum an_kind kind;
	} kinds[] = {
	    {"Account", AN_ACCOUNT},
	    {"Contact", AN_CONTACT},
	    {"Lead", AN_LEAD},
	    {"Opportunity", AN_OPPORTUNITY},
	    {"Task", AN_TASK},
	    {"Event", AN_EVENT},
	    {"Attachment", AN_ATTACHMENT},
	    {"User", AN_USER},
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(kinds); i++)
		if (!strcmp(kinds[i].name, name))
			return kinds[i].kind;
	return AN_OTHER;
}

static int scan_object(struct analyze *an, struct an_object *obj)
{
	struct scan sc = {.an = an, .obj = obj};
	size_t i;
	int error;

	obj->kind = kind_of(obj->name);
	plan_refs(an, obj);
	for (i = 0; i < C__COUNT; i++)
		sc.col[i] = -1;
	for (i = 0; i < obj->n_fields; i++) /* from the describe */
		index_field(&sc, obj->fields[i].name, (int)i);
	error = read_records(&sc);
	if (error == 0)
		error = flush_owners(&sc);
	for (i = 0; i < obj->n_fields; i++)
		an_profile_finish(&obj->fields[i]);
	ferry_buf_release(&sc.a);
	an_flat_free(&sc.flat);
	free(sc.vals);
	free(sc.gen);
	if (error < 0)
		ferry_error_wrap(error, "analyzing %s", obj->name);
	return error;
}

int an_scan(struct analyze *an)
{
	size_t i;
	int error;

	for (i = 0; i < an->n_objs; i++) {
		if ((error = scan_object(an, &an->objs[i])) < 0)
			return error;
		an->total += an->objs[i].count;
	}
	return 0;
}
