/* attio_store.c: the Attio stand-in's SQLite store (objects, attributes,
 * select options, records and the unique-value index) and the catalogue it
 * keeps in memory, plus the resource renderers shared by the handlers. */
#include "util.h"

#include <sys/random.h>
#include <time.h>

#include <sqlite3.h>

#include "attio_sandbox.h"

/* The standard objects and attributes of §4 of the reference, seeded into
 * a new store. Record ids and attribute ids are then stable for as long as
 * the store file lives. */
struct seed_attr {
	const char *object, *slug, *title, *type;
	bool unique, multi;
	const char *target, *rel_object, *rel_slug;
};

static const struct seed_attr seed_attrs[] = {
    {"companies", "domains", "Domains", "domain", true, true, NULL, NULL, NULL},
    {"companies", "name", "Name", "text", false, false, NULL, NULL, NULL},
    {"companies", "description", "Description", "text", false, false, NULL,
     NULL, NULL},
    {"companies", "team", "Team", "record-reference", false, true, "people",
     "people", "company"},
    {"companies", "categories", "Categories", "select", false, true, NULL, NULL,
     NULL},
    {"companies", "primary_location", "Primary location", "location", false,
     false, NULL, NULL, NULL},
    {"companies", "angellist", "AngelList", "text", false, false, NULL, NULL,
     NULL},
    {"companies", "facebook", "Facebook", "text", false, false, NULL, NULL,
     NULL},
    {"companies", "instagram", "Instagram", "text", false, false, NULL, NULL,
     NULL},
    {"companies", "linkedin", "LinkedIn", "text", false, false, NULL, NULL,
     NULL},
    {"companies", "twitter", "Twitter", "text", false, false, NULL, NULL, NULL},
    {"people", "email_addresses", "Email addresses", "email-address", true,
     true, NULL, NULL, NULL},
    {"people", "name", "Name", "personal-name", false, false, NULL, NULL, NULL},
    {"people", "company", "Company", "record-reference", false, false,
     "companies", "companies", "team"},
    {"people", "description", "Description", "text", false, false, NULL, NULL,
     NULL},
    {"people", "job_title", "Job title", "text", false, false, NULL, NULL,
     NULL},
    {"people", "phone_numbers", "Phone numbers", "phone-number", false, true,
     NULL, NULL, NULL},
    {"people", "primary_location", "Primary location", "location", false, false,
     NULL, NULL, NULL},
    {"people", "angellist", "AngelList", "text", false, false, NULL, NULL,
     NULL},
    {"people", "facebook", "Facebook", "text", false, false, NULL, NULL, NULL},
    {"people", "instagram", "Instagram", "text", false, false, NULL, NULL,
     NULL},
    {"people", "linkedin", "LinkedIn", "text", false, false, NULL, NULL, NULL},
    {"people", "twitter", "Twitter", "text", false, false, NULL, NULL, NULL},
};

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS objects(object_id TEXT PRIMARY KEY,"
    " api_slug TEXT UNIQUE NOT NULL, singular_noun TEXT NOT NULL,"
    " plural_noun TEXT NOT NULL, created_at TEXT NOT NULL,"
    " position INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS attributes(attribute_id TEXT PRIMARY KEY,"
    " object_id TEXT NOT NULL, api_slug TEXT NOT NULL, title TEXT NOT NULL,"
    " type TEXT NOT NULL, is_unique INTEGER NOT NULL,"
    " is_required INTEGER NOT NULL, is_multiselect INTEGER NOT NULL,"
    " target_object TEXT NOT NULL, rel_object TEXT NOT NULL,"
    " rel_slug TEXT NOT NULL, created_at TEXT NOT NULL,"
    " position INTEGER NOT NULL, UNIQUE(object_id, api_slug));"
    "CREATE TABLE IF NOT EXISTS select_options(option_id TEXT PRIMARY KEY,"
    " attribute_id TEXT NOT NULL, title TEXT NOT NULL,"
    " is_archived INTEGER NOT NULL DEFAULT 0,"
    " position INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY"
    " AUTOINCREMENT, record_id TEXT UNIQUE NOT NULL,"
    " object_id TEXT NOT NULL, created_at TEXT NOT NULL,"
    " vals TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS records_by_object ON records(object_id,"
    " seq);"
    "CREATE TABLE IF NOT EXISTS unique_values(attribute_id TEXT NOT NULL,"
    " key TEXT NOT NULL, record_id TEXT NOT NULL,"
    " PRIMARY KEY(attribute_id, key));"
    "CREATE INDEX IF NOT EXISTS unique_values_by_record ON"
    " unique_values(record_id);";

void attio_uuid(char out[ATTIO_ID_LEN])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, ATTIO_ID_LEN,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
	         b[10], b[11], b[12], b[13], b[14], b[15]);
}

void attio_now(char out[ATTIO_TS_LEN])
{
	int64_t us = ferry_clock_wall_us();
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char day[32];

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, ATTIO_TS_LEN, "%s.%06lld000Z", day,
	         (long long)(us % 1000000));
}

static int db_fail(struct attio_sb *sb, const char *what)
{
	return ferry_error_set(FERRY_EDB, "sandbox store: %s: %s", what,
	                       sqlite3_errmsg(sb->db));
}

static sqlite3_stmt *prep(struct attio_sb *sb, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(sb->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "ferry-sandbox: cannot prepare '%s': %s\n", sql,
		        sqlite3_errmsg(sb->db));
		abort();
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static int exec(struct attio_sb *sb, const char *sql)
{
	char *msg = NULL;
	int rc = 0;

	if (sqlite3_exec(sb->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		rc = ferry_error_set(FERRY_EDB, "sandbox store: %s",
		                     msg ? msg : "exec failed");
	sqlite3_free(msg);
	return rc;
}

int attio_store_begin(struct attio_sb *sb)
{
	return exec(sb, "BEGIN IMMEDIATE");
}

int attio_store_commit(struct attio_sb *sb)
{
	return exec(sb, "COMMIT");
}

void attio_store_rollback(struct attio_sb *sb)
{
	if (!sqlite3_get_autocommit(sb->db))
		(void)exec(sb, "ROLLBACK");
}

/* Reads meta key into out, creating it with a fresh value if absent. */
static int meta_get_or_make(struct attio_sb *sb, const char *key, char *out,
                            size_t n, bool uuid)
{
	sqlite3_stmt *st = prep(sb, "SELECT value FROM meta WHERE key = ?");
	int rc = 0;

	bind_text(st, 1, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		col_copy(out, n, st, 0);
		goto done;
	}
	sqlite3_finalize(st);
	if (uuid) {
		char id[ATTIO_ID_LEN];

		attio_uuid(id);
		snprintf(out, n, "%s", id);
	} else {
		char ts[ATTIO_TS_LEN];

		attio_now(ts);
		snprintf(out, n, "%s", ts);
	}
	st = prep(sb, "INSERT INTO meta(key, value) VALUES(?, ?)");
	bind_text(st, 1, key);
	bind_text(st, 2, out);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(sb, "writing meta");
done:
	sqlite3_finalize(st);
	return rc;
}

static int seed(struct attio_sb *sb)
{
	static const char *const objs[][3] = {
	    {"companies", "Company", "Companies"},
	    {"people", "Person", "People"},
	};
	char ids[2][ATTIO_ID_LEN], ts[ATTIO_TS_LEN];
	sqlite3_stmt *st = NULL;
	size_t i, j;
	int rc = 0;

	attio_now(ts);
	for (i = 0; i < 2; i++) {
		attio_uuid(ids[i]);
		st = prep(sb, "INSERT INTO objects VALUES(?, ?, ?, ?, ?, ?)");
		bind_text(st, 1, ids[i]);
		for (j = 0; j < 3; j++)
			bind_text(st, (int)j + 2, objs[i][j]);
		bind_text(st, 5, ts);
		sqlite3_bind_int(st, 6, (int)i);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_fail(sb, "seeding objects");
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	for (i = 0; i < FERRY_ARRAY_LEN(seed_attrs); i++) {
		const struct seed_attr *a = &seed_attrs[i];
		char id[ATTIO_ID_LEN];

		attio_uuid(id);
		st = prep(sb, "INSERT INTO attributes VALUES(?, ?, ?, ?, ?, ?,"
		              " 0, ?, ?, ?, ?, ?, ?)");
		bind_text(st, 1, id);
		bind_text(st, 2, ids[strcmp(a->object, "people") == 0]);
		bind_text(st, 3, a->slug);
		bind_text(st, 4, a->title);
		bind_text(st, 5, a->type);
		sqlite3_bind_int(st, 6, a->unique);
		sqlite3_bind_int(st, 7, a->multi);
		bind_text(st, 8, a->target ? a->target : "");
		bind_text(st, 9, a->rel_object ? a->rel_object : "");
		bind_text(st, 10, a->rel_slug ? a->rel_slug : "");
		bind_text(st, 11, ts);
		sqlite3_bind_int(st, 12, (int)i);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_fail(sb, "seeding attributes");
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
done:
	sqlite3_finalize(st);
	return rc;
}

static void load_options(struct attio_sb *sb, struct attio_attr *a)
{
	sqlite3_stmt *st = prep(sb, "SELECT option_id, title, is_archived"
	                            " FROM select_options WHERE attribute_id"
	                            " = ? ORDER BY position");

	bind_text(st, 1, a->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attio_option *op;

		a->options = ferry_xrealloc(a->options,
		                            (a->n_options + 1) * sizeof(*op));
		op = &a->options[a->n_options++];
		col_copy(op->id, sizeof(op->id), st, 0);
		col_copy(op->title, sizeof(op->title), st, 1);
		op->is_archived = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
}

static void load_catalogue(struct attio_sb *sb)
{
	sqlite3_stmt *st = prep(sb, "SELECT object_id, api_slug,"
	                            " singular_noun, plural_noun, created_at"
	                            " FROM objects ORDER BY position");
	size_t i;

	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attio_object *o;

		sb->objects = ferry_xrealloc(sb->objects,
		                             (sb->n_objects + 1) * sizeof(*o));
		o = &sb->objects[sb->n_objects++];
		memset(o, 0, sizeof(*o));
		col_copy(o->id, sizeof(o->id), st, 0);
		col_copy(o->slug, sizeof(o->slug), st, 1);
		col_copy(o->singular, sizeof(o->singular), st, 2);
		col_copy(o->plural, sizeof(o->plural), st, 3);
		col_copy(o->created_at, sizeof(o->created_at), st, 4);
	}
	sqlite3_finalize(st);
	for (i = 0; i < sb->n_objects; i++) {
		struct attio_object *o = &sb->objects[i];

		st = prep(sb, "SELECT attribute_id, api_slug, title, type,"
		              " is_unique, is_required, is_multiselect,"
		              " target_object, rel_object, rel_slug,"
		              " created_at FROM attributes WHERE object_id = ?"
		              " ORDER BY position");
		bind_text(st, 1, o->id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct attio_attr *a;

			o->attrs = ferry_xrealloc(o->attrs, (o->n_attrs + 1) *
			                                        sizeof(*a));
			a = &o->attrs[o->n_attrs++];
			memset(a, 0, sizeof(*a));
			col_copy(a->id, sizeof(a->id), st, 0);
			col_copy(a->slug, sizeof(a->slug), st, 1);
			col_copy(a->title, sizeof(a->title), st, 2);
			col_copy(a->type, sizeof(a->type), st, 3);
			a->is_unique = sqlite3_column_int(st, 4) != 0;
			a->is_required = sqlite3_column_int(st, 5) != 0;
			a->is_multiselect = sqlite3_column_int(st, 6) != 0;
			col_copy(a->target_object, sizeof(a->target_object), st,
			         7);
			col_copy(a->rel_object, sizeof(a->rel_object), st, 8);
			col_copy(a->rel_slug, sizeof(a->rel_slug), st, 9);
			col_copy(a->created_at, sizeof(a->created_at), st, 10);
		}
		sqlite3_finalize(st);
	}
	/* back pointers only once the arrays have stopped moving */
	for (i = 0; i < sb->n_objects; i++) {
		size_t j;

		for (j = 0; j < sb->objects[i].n_attrs; j++) {
			sb->objects[i].attrs[j].object = &sb->objects[i];
			load_options(sb, &sb->objects[i].attrs[j]);
		}
	}
}

int attio_store_open(struct attio_sb *sb, const char *path)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_FULLMUTEX;

	if (sqlite3_open_v2(path ? path : ":memory:", &sb->db, flags, NULL) !=
	    SQLITE_OK) {
		rc = ferry_error_set(
		    FERRY_EDB, "cannot open sandbox state '%s': %s",
		    path ? path : ":memory:", sqlite3_errmsg(sb->db));
		goto done;
	}
	sqlite3_busy_timeout(sb->db, 5000);
	if ((rc = exec(sb, schema_sql)) < 0 || (rc = attio_store_begin(sb)) < 0)
		goto done;
	if ((rc = meta_get_or_make(sb, "workspace_id", sb->workspace_id,
	                           sizeof(sb->workspace_id), true)) < 0 ||
	    (rc = meta_get_or_make(sb, "token_id", sb->token_id,
	                           sizeof(sb->token_id), true)) < 0 ||
	    (rc = meta_get_or_make(sb, "created_at", sb->created_at,
	                           sizeof(sb->created_at), false)) < 0)
		goto done;
	st = prep(sb, "SELECT count(*) FROM objects");
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0 &&
	    (rc = seed(sb)) < 0)
		goto done;
	if ((rc = attio_store_commit(sb)) < 0)
		goto done;
	load_catalogue(sb);
done:
	sqlite3_finalize(st);
	if (rc < 0 && sb->db)
		attio_store_rollback(sb);
	return rc;
}

void attio_store_close(struct attio_sb *sb)
{
	size_t i, j;

	for (i = 0; i < sb->n_objects; i++) {
		for (j = 0; j < sb->objects[i].n_attrs; j++)
			free(sb->objects[i].attrs[j].options);
		free(sb->objects[i].attrs);
	}
	free(sb->objects);
	sb->objects = NULL;
	sb->n_objects = 0;
	if (sb->db)
		sqlite3_close(sb->db);
	sb->db = NULL;
}

struct attio_object *attio_object_find(struct attio_sb *sb, const char *key)
{
	size_t i;

	for (i = 0; i < sb->n_objects; i++)
		if (!strcmp(sb->objects[i].slug, key) ||
		    !strcmp(sb->objects[i].id, key))
			return &sb->objects[i];
	return NULL;
}

struct attio_attr *attio_attr_find(struct attio_object *o, const char *key)
{
	size_t i;

	for (i = 0; o && i < o->n_attrs; i++)
		if (!strcmp(o->attrs[i].slug, key) ||
		    !strcmp(o->attrs[i].id, key))
			return &o->attrs[i];
	return NULL;
}

void attio_record_release(struct attio_record *r)
{
	if (r) {
		json_decref(r->values);
		r->values = NULL;
	}
}

int attio_store_record_get(struct attio_sb *sb, struct attio_object *o,
                           const char *id, struct attio_record *out)
{
	sqlite3_stmt *st = prep(sb, "SELECT created_at, vals FROM records"
	                            " WHERE record_id = ? AND object_id = ?");
	int rc = 0;
	json_t *vals = NULL;

	bind_text(st, 1, id);
	bind_text(st, 2, o->id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = FERRY_ENOTFOUND;
		goto done;
	}
	vals = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
	if (!json_is_object(vals)) {
		rc = ferry_error_set(FERRY_EDB, "record '%s' is corrupt", id);
		goto done;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	col_copy(out->created_at, sizeof(out->created_at), st, 0);
	out->object = o;
	out->values = vals;
	vals = NULL;
done:
	json_decref(vals);
	sqlite3_finalize(st);
	return rc;
}

int attio_store_option_add(struct attio_sb *sb, struct attio_attr *a,
                           const struct attio_option *op)
{
	sqlite3_stmt *st = prep(sb, "INSERT INTO select_options(option_id,"
	                            " attribute_id, title, position)"
	                            " VALUES(?, ?, ?, ?)");
	int rc = 0;

	bind_text(st, 1, op->id);
	bind_text(st, 2, a->id);
	bind_text(st, 3, op->title);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)a->n_options);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_fail(sb, "adding a select option");
		goto done;
	}
	a->options =
	    ferry_xrealloc(a->options, (a->n_options + 1) * sizeof(*op));
	a->options[a->n_options++] = *op;
done:
	sqlite3_finalize(st);
	return rc;
}

int attio_store_unique_find(struct attio_sb *sb, const struct attio_attr *a,
                            const char *key, char out[ATTIO_ID_LEN])
{
	sqlite3_stmt *st = prep(sb, "SELECT record_id FROM unique_values"
	                            " WHERE attribute_id = ? AND key = ?");
	int rc = FERRY_ENOTFOUND;

	bind_text(st, 1, a->id);
	bind_text(st, 2, key);
	if (sqlite3_step(st) == SQLITE_ROW) {
		col_copy(out, ATTIO_ID_LEN, st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Rewrites the unique-index rows of one attribute of one record. */
static int index_attr(struct attio_sb *sb, struct attio_record *r,
                      struct attio_attr *a)
{
	sqlite3_stmt *st = prep(sb, "DELETE FROM unique_values WHERE"
	                            " attribute_id = ? AND record_id = ?");
	json_t *arr = json_object_get(r->values, a->slug), *v;
	size_t i;
	int rc = 0;

	bind_text(st, 1, a->id);
	bind_text(st, 2, r->id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_fail(sb, "indexing");
		goto done;
	}
	json_array_foreach(arr, i, v)
	{
		char *key = attio_value_key(a, v);
		char owner[ATTIO_ID_LEN];

		if (attio_store_unique_find(sb, a, key, owner) == 0 &&
		    strcmp(owner, r->id) != 0) {
			rc = ferry_error_set(FERRY_ECONFLICT,
			                     "unique value '%s' taken", key);
			free(key);
			goto done;
		}
		sqlite3_finalize(st);
		st =
		    prep(sb, "INSERT OR IGNORE INTO unique_values(attribute_id,"
		             " key, record_id) VALUES(?, ?, ?)");
		bind_text(st, 1, a->id);
		bind_text(st, 2, key);
		bind_text(st, 3, r->id);
		free(key);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_fail(sb, "indexing");
			goto done;
		}
	}
done:
	sqlite3_finalize(st);
	return rc;
}

int attio_store_record_put(struct attio_sb *sb, struct attio_record *r)
{
	sqlite3_stmt *st = prep(sb, "INSERT INTO records(record_id, object_id,"
	                            " created_at, vals) VALUES(?, ?, ?, ?)"
	                            " ON CONFLICT(record_id) DO UPDATE SET"
	                            " vals = excluded.vals");
	char *vals = json_dumps(r->values, JSON_COMPACT);
	size_t i;
	int rc = 0;

	bind_text(st, 1, r->id);
	bind_text(st, 2, r->object->id);
	bind_text(st, 3, r->created_at);
	bind_text(st, 4, vals);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_fail(sb, "writing a record");
		goto done;
	}
	for (i = 0; i < r->object->n_attrs; i++)
		if (r->object->attrs[i].is_unique &&
		    (rc = index_attr(sb, r, &r->object->attrs[i])) < 0)
			goto done;
done:
	free(vals);
	sqlite3_finalize(st);
	return rc;
}

int attio_store_record_delete(struct attio_sb *sb, struct attio_record *r)
{
	sqlite3_stmt *st = prep(sb, "DELETE FROM records WHERE record_id = ?");
	int rc = 0;

	bind_text(st, 1, r->id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(sb, "deleting a record");
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	st = prep(sb, "DELETE FROM unique_values WHERE record_id = ?");
	bind_text(st, 1, r->id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_fail(sb, "deleting a record");
	sqlite3_finalize(st);
	return rc;
}

json_t *attio_store_record_ids(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st = prep(sb, "SELECT record_id FROM records WHERE"
	                            " object_id = ? ORDER BY seq");
	json_t *ids = json_array();

	bind_text(st, 1, o->id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(
		    ids, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
	return ids;
}

long long attio_store_record_count(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st =
	    prep(sb, "SELECT count(*) FROM records WHERE object_id = ?");
	long long n = 0;

	bind_text(st, 1, o->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* --- resource renderers --- */

json_t *attio_object_json(struct attio_sb *sb, struct attio_object *o)
{
	return json_pack("{s:{s:s,s:s},s:s,s:s,s:s,s:s}", "id", "workspace_id",
	                 sb->workspace_id, "object_id", o->id, "api_slug",
	                 o->slug, "singular_noun", o->singular, "plural_noun",
	                 o->plural, "created_at", o->created_at);
}

json_t *attio_attr_json(struct attio_sb *sb, struct attio_attr *a)
{
	json_t *rel = json_null(), *allowed = json_null(), *j;

	if (a->rel_object[0]) {
		struct attio_object *ro = attio_object_find(sb, a->rel_object);
		struct attio_attr *ra = attio_attr_find(ro, a->rel_slug);

		if (ra)
			rel = json_pack(
			    "{s:{s:s,s:s,s:s},s:s,s:s,s:s,s:b}", "id",
			    "workspace_id", sb->workspace_id, "object_id",
			    ro->id, "attribute_id", ra->id, "object_slug",
			    ro->slug, "title", ra->title, "api_slug", ra->slug,
			    "is_multiselect", ra->is_multiselect);
	}
	if (!strcmp(a->type, "record-reference")) {
		struct attio_object *to =
		    attio_object_find(sb, a->target_object);

		allowed = json_array();
		if (to)
			json_array_append_new(allowed, json_string(to->id));
	}
	j = json_pack(
	    "{s:{s:s,s:s,s:s},s:s,s:n,s:s,s:s,s:b,s:b,s:b,s:b,s:b,"
	    "s:b,s:b,s:n,s:o,s:s,s:{s:{s:n,s:n},s:{s:o}}}",
	    "id", "workspace_id", sb->workspace_id, "object_id", a->object->id,
	    "attribute_id", a->id, "title", a->title, "description", "api_slug",
	    a->slug, "type", a->type, "is_system_attribute", 1, "is_writable",
	    1, "is_required", a->is_required, "is_unique", a->is_unique,
	    "is_multiselect", a->is_multiselect, "is_default_value_enabled", 0,
	    "is_archived", 0, "default_value", "relationship", rel,
	    "created_at", a->created_at, "config", "currency",
	    "default_currency_code", "display_type", "record_reference",
	    "allowed_object_ids", allowed);
	return j;
}

json_t *attio_record_json(struct attio_sb *sb, const struct attio_record *r)
{
	json_t *vals = json_object();
	char *url;
	json_t *j;
	size_t i;

	for (i = 0; i < r->object->n_attrs; i++) {
		const char *slug = r->object->attrs[i].slug;
		json_t *v = json_object_get(r->values, slug);

		json_object_set_new(vals, slug,
		                    v ? json_deep_copy(v) : json_array());
	}
	url = ferry_xasprintf("https://app.attio.com/ferry-sandbox/%s/%s",
	                      !strcmp(r->object->slug, "people") ? "person"
	                      : !strcmp(r->object->slug, "companies")
	                          ? "company"
	                          : r->object->slug,
	                      r->id);
	j = json_pack("{s:{s:s,s:s,s:s},s:s,s:s,s:o}", "id", "workspace_id",
	              sb->workspace_id, "object_id", r->object->id, "record_id",
	              r->id, "created_at", r->created_at, "web_url", url,
	              "values", vals);
	free(url);
	return j;
}
