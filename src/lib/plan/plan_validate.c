/* plan_validate.c: a record against the destination's rules, from the
 * schema snapshot ferry_attio_schema() gives (or, offline, the rules of
 * Attio's standard objects): attributes it requires, select options that
 * exist, values that must be unique. An attribute the destination does
 * not have yet is not a reason to hold anything: schema setup creates
 * it, so the plan only counts it. Unique values are checked once the
 * object's records are all decided, in SQLite (temp.plan_unique), since a
 * value is a clash only when a second record to write has it too. */
#include "util.h"

#include "plan_int.h"
#include "store/store.h"

/* How far ahead of the run's clock a note's created_at may be: Attio's
 * clock and this machine's may disagree by a little. */
#define PL_FUTURE_GRACE_S 60

/* What Attio's standard objects require or keep unique, for offline. */
static const struct builtin {
	const char *object, *slug;
	bool required, unique;
} builtins[] = {
    {"people", "email_addresses", false, true},
    {"companies", "domains", false, true},
    {"deals", "name", true, false},
    {"deals", "stage", true, false},
    {"deals", "owner", true, false},
    {"users", "primary_email_address", true, true},
    {"users", "user_id", true, true},
    {"workspaces", "workspace_id", true, true},
};

static bool jtrue(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static const json_t *dest_attr(const struct pl_object *po, const char *slug)
{
	const json_t *a;
	size_t i;

	json_array_foreach(po->dest_attrs, i, a)
	{
		const char *s =
		    json_string_value(json_object_get(a, "api_slug"));

		if (s && !strcmp(s, slug))
			return a;
	}
	return NULL;
}

static struct pl_attr *attr_add(struct pl_object *po, const char *slug)
{
	size_t i;

	for (i = 0; i < po->n_attrs; i++)
		if (!strcmp(po->attrs[i].slug, slug))
			return &po->attrs[i];
	po->attrs =
	    ferry_xrealloc(po->attrs, (po->n_attrs + 1) * sizeof(*po->attrs));
	memset(&po->attrs[po->n_attrs], 0, sizeof(*po->attrs));
	po->attrs[po->n_attrs].slug = slug;
	po->attrs[po->n_attrs].type = "";
	return &po->attrs[po->n_attrs++];
}

void pl_dest_attr(const struct plan *pl, const struct pl_object *po,
                  const char *slug, struct pl_attr *out)
{
	const json_t *a, *dflt;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->slug = slug;
	out->type = "";
	if (!po->dest_known) {
		out->exists = !pl->online;
		for (i = 0; i < FERRY_ARRAY_LEN(builtins); i++) {
			if (strcmp(builtins[i].object, po->o->to) ||
			    strcmp(builtins[i].slug, slug))
				continue;
			out->required = builtins[i].required;
			out->unique = builtins[i].unique;
		}
		if (po->o->match && !strcmp(po->o->match, slug))
			out->unique = true;
		return;
	}
	if (!(a = dest_attr(po, slug)) || jtrue(a, "is_archived"))
		return;
	out->exists = true;
	out->type = json_string_value(json_object_get(a, "type"));
	if (!out->type)
		out->type = "";
	/* An attribute Attio fills itself is not the mapping's to give. */
	dflt = json_object_get(a, "default_value");
	out->required = jtrue(a, "is_required") &&
	                !json_is_false(json_object_get(a, "is_writable")) &&
	                (!dflt || json_is_null(dflt));
	out->unique = jtrue(a, "is_unique");
	out->multiselect = jtrue(a, "is_multiselect");
	/* Select options and statuses (a deal's stage) alike: the snapshot
	 * keeps both under "options" (attio_schema.c). */
	if (!strcmp(out->type, "select") || !strcmp(out->type, "status"))
		out->options = json_object_get(a, "options");
}

void pl_dest_init(struct plan *pl, struct pl_object *po)
{
	const struct ferry_mapfile_object *o = po->o;
	const json_t *attrs, *a;
	size_t i;

	if (!o || o->kind != FERRY_MF_RECORDS)
		return;
	attrs = json_object_get(json_object_get(pl->opts->schema, "attributes"),
	                        o->to);
	po->dest_known = pl->online && json_is_array(attrs);
	po->dest_attrs = po->dest_known ? attrs : NULL;
	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to)
			attr_add(po, o->fields[i].to);
	for (i = 0; i < o->n_defaults; i++)
		attr_add(po, o->defaults[i].attribute);
	if (o->record_type_attribute)
		attr_add(po, o->record_type_attribute);
	if (o->match)
		attr_add(po, o->match);
	if (po->dest_known) {
		json_array_foreach(attrs, i, a)
		{
			const char *slug =
			    json_string_value(json_object_get(a, "api_slug"));
			struct pl_attr probe;

			if (!slug)
				continue;
			pl_dest_attr(pl, po, slug, &probe);
			if (probe.required)
				attr_add(po, slug);
		}
	} else if (!pl->online) {
		for (i = 0; i < FERRY_ARRAY_LEN(builtins); i++)
			if (!strcmp(builtins[i].object, o->to) &&
			    builtins[i].required)
				attr_add(po, builtins[i].slug);
	}
	for (i = 0; i < po->n_attrs; i++) {
		const char *slug = po->attrs[i].slug;

		pl_dest_attr(pl, po, slug, &po->attrs[i]);
		po->attrs[i].slug = slug;
	}
}

void pl_to_create(struct plan *pl, struct pl_object *po)
{
	struct ferry_plan_object *s = po->stats;
	size_t i;

	if (!pl->online)
		return;
	for (i = 0; i < po->n_attrs; i++) {
		if (po->attrs[i].exists)
			continue;
		s->to_create = ferry_xrealloc(
		    s->to_create, (s->n_to_create + 1) * sizeof(*s->to_create));
		s->to_create[s->n_to_create++] =
		    ferry_xstrdup(po->attrs[i].slug);
	}
}

static const struct pl_attr *attr_of(const struct pl_object *po,
                                     const char *slug)
{
	size_t i;

	for (i = 0; i < po->n_attrs; i++)
		if (!strcmp(po->attrs[i].slug, slug))
			return &po->attrs[i];
	return NULL;
}

bool pl_required(const struct plan *pl, const struct pl_rec *rec,
                 const char *attr)
{
	const struct pl_attr *a;

	(void)pl;
	if (rec->kind == FERRY_MF_NOTES || rec->kind == FERRY_MF_FILES ||
	    rec->kind == FERRY_MF_LIST_ENTRIES)
		return !strcmp(attr, "parent");
	if (rec->kind != FERRY_MF_RECORDS)
		return false;
	return (a = attr_of(rec->po, attr)) && a->required;
}

/* Whether a reason already names a field that goes to `attr`. */
static bool said(const struct pl_rec *rec, const char *attr)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	const json_t *r;
	size_t i, j;

	json_array_foreach(rec->reasons, j, r)
	{
		const char *field =
		    json_string_value(json_object_get(r, "field"));

		for (i = 0; field && i < o->n_fields; i++)
			if (o->fields[i].to && !strcmp(o->fields[i].to, attr) &&
			    !strcmp(o->fields[i].name, field))
				return true;
	}
	return false;
}

static bool empty(const json_t *v)
{
	return !v || json_is_null(v) ||
	       (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_string(v) && !*json_string_value(v));
}

static bool has_option(const json_t *options, const char *title)
{
	const json_t *opt;
	size_t i;

	json_array_foreach(options, i, opt)
	{
		const char *t =
		    json_string_value(json_object_get(opt, "title"));

		if (t && !strcmp(t, title) && !jtrue(opt, "is_archived"))
			return true;
	}
	return false;
}

/* The Salesforce field and value table behind an attribute, for
 * messages. */
static const struct ferry_mapfile_field *field_of(const struct pl_rec *rec,
                                                  const char *attr)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to && !strcmp(o->fields[i].to, attr))
			return &o->fields[i];
	return NULL;
}

static void check_options(struct pl_rec *rec, const struct pl_attr *a,
                          const json_t *v)
{
	const struct ferry_mapfile_field *f = field_of(rec, a->slug);
	bool status = !strcmp(a->type, "status");
	const char *word = status ? "status" : "option";
	const json_t *item;
	char rel[512];
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		const char *title;

		item = json_is_array(v) ? json_array_get(v, i) : v;
		if (!(title = json_string_value(item)) ||
		    has_option(a->options, title))
			continue;
		if (f && f->values)
			snprintf(rel, sizeof(rel),
			         "add the %s '%s' to %s.%s in Attio, or map "
			         "the value to an existing %s in "
			         "value_tables.%s in mapping.yaml",
			         word, title, rec->dest, a->slug, word,
			         f->values->name);
		else
			snprintf(rel, sizeof(rel),
			         "add the %s '%s' to %s.%s in Attio, or give "
			         "the field a value table in mapping.yaml",
			         word, title, rec->dest, a->slug);
		pl_reason(rec->reasons, f ? f->name : "", "option_missing", rel,
		          "'%s' is not %s of %s.%s in Attio", title,
		          status ? "a status" : "an option", rec->dest,
		          a->slug);
	}
}

/* The values of a unique attribute, as Attio compares them. */
static int keep_unique(struct plan *pl, struct pl_rec *rec,
                       const struct pl_attr *a, const json_t *v)
{
	sqlite3_stmt *st = pl->uniq_ins;
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;
	bool fold = !strcmp(a->slug, "email_addresses") ||
	            !strcmp(a->slug, "domains") ||
	            !strcmp(a->type, "email-address") ||
	            !strcmp(a->type, "domain");

	for (i = 0; i < n; i++) {
		const json_t *item =
		    json_is_array(v) ? json_array_get(v, i) : v;
		char *s;

		if (json_is_string(item))
			s = ferry_xstrdup(json_string_value(item));
		else if (json_is_number(item))
			s = json_dumps(item, JSON_ENCODE_ANY);
		else
			continue;
		if (!s)
			continue;
		if (fold)
			ferry_str_lower(s);
		ferry_store__bind_text(st, 1, rec->dest);
		ferry_store__bind_text(st, 2, a->slug);
		ferry_store__bind_text(st, 3, s);
		ferry_store__bind_text(st, 4, rec->po->name);
		ferry_store__bind_text(st, 5, rec->source_id);
		free(s);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return ferry_store__error(pl->ws,
			                          "cannot keep a unique value");
		}
		sqlite3_reset(st);
	}
	return 0;
}

/* Seconds since the epoch of a date or timestamp as the transforms write
 * them ("2024-02-29", "2024-01-15T23:25:32.000Z": UTC), or false. */
static bool utc_seconds(const char *s, int64_t *out)
{
	static const struct {
		size_t at, len;
	} parts[] = {{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}};
	int64_t v[6] = {0};
	size_t i, k, n = strlen(s) >= 19 && s[10] == 'T' ? 6 : 3;

	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < n; i++)
		for (k = 0; k < parts[i].len; k++) {
			char c = s[parts[i].at + k];

			if (c < '0' || c > '9')
				return false;
			v[i] = v[i] * 10 + (c - '0');
		}
	*out = ferry_clock_days_from_civil(v[0], (int)v[1], (int)v[2]) * 86400 +
	       v[3] * 3600 + v[4] * 60 + v[5];
	return true;
}

/* Attio refuses a note whose created_at is after the moment it is made
 * (POST /v2/notes: "between 1970 and now"): an open activity dated ahead
 * (a Task due next week, an Event to come) would fail at load, so the
 * plan holds it now. "Now" is the run's clock (planned_at), with a
 * minute's grace for clocks that disagree a little. */
static void future_note(const struct plan *pl, struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	const json_t *v = json_object_get(rec->values, "created_at");
	const struct ferry_mapfile_field *f;
	const char *when = json_string_value(v), *staged = "";
	int64_t t, now;
	char rel[640], open[128] = "";

	if (!when || !utc_seconds(when, &t) ||
	    !utc_seconds(pl->planned_at, &now) || t <= now + PL_FUTURE_GRACE_S)
		return;
	/* A task-shaped record's date is its deadline_at field. */
	f = field_of(rec, "created_at");
	if (!f)
		f = field_of(rec, "deadline_at");
	if (f)
		staged = pl_val(rec, rec->po->field_col[f - o->fields]);
	if (o->open != FERRY_MF_TASKS &&
	    (!strcmp(o->name, "Task") || !strcmp(o->name, "Event")))
		snprintf(open, sizeof(open),
		         "; or make open work Attio tasks (open: tasks on %s), "
		         "which may be due ahead",
		         o->name);
	snprintf(rel, sizeof(rel),
	         "edit the record's date (in Salesforce, then extract again; "
	         "or `ferry queue edit %s <id> %s=<a date not ahead>`, which "
	         "re-plans it at once), or in mapping.yaml map %s to another "
	         "attribute or drop it (the note is then dated when it is "
	         "written)%s, then `ferry queue retry --code "
	         "created_at_future`",
	         o->name, f ? f->name : "<Field>",
	         f ? f->name : "the date field", open);
	/* The message leaves the run's time out: an unchanged record
	 * planned again keeps the same reason (and no new audit event). */
	if (*staged && strcmp(staged, when))
		pl_reason(rec->reasons, f->name, "created_at_future", rel,
		          "%s '%s' is created_at %s, in the future: Attio "
		          "refuses a note dated after it is made",
		          f->name, pl_quote(staged).s, when);
	else
		pl_reason(rec->reasons, f ? f->name : "", "created_at_future",
		          rel,
		          "created_at '%s' is in the future: Attio refuses a "
		          "note dated after it is made",
		          when);
}

int pl_validate(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	size_t i;
	int error;

	if (rec->kind == FERRY_MF_NOTES || rec->kind == FERRY_MF_FILES ||
	    rec->kind == FERRY_MF_LIST_ENTRIES) {
		if (empty(json_object_get(rec->values, "parent")) &&
		    !said(rec, "parent"))
			pl_reason(
			    rec->reasons, "", "parent_missing",
			    "fill its parent in Salesforce and extract "
			    "again, or leave such records out with a filter "
			    "in mapping.yaml",
			    "no record to put it on: its parent fields are "
			    "blank");
		if (rec->kind == FERRY_MF_NOTES)
			future_note(pl, rec);
		return 0;
	}
	if (rec->kind != FERRY_MF_RECORDS)
		return 0;
	for (i = 0; i < po->n_attrs; i++) {
		const struct pl_attr *a = &po->attrs[i];
		const json_t *v = json_object_get(rec->values, a->slug);
		char rel[512];

		if (a->required && empty(v) && !said(rec, a->slug)) {
			snprintf(
			    rel, sizeof(rel),
			    "map a field to '%s', or give it a value under "
			    "%s.defaults in mapping.yaml",
			    a->slug, po->name);
			pl_reason(rec->reasons, "", "required_missing", rel,
			          "%s.%s is required in Attio and this record "
			          "gives it no value",
			          rec->dest, a->slug);
		}
		if (a->options && !empty(v))
			check_options(rec, a, v);
	}
	if (json_array_size(rec->reasons) || rec->skip)
		return 0;
	for (i = 0; i < po->n_attrs; i++) {
		const struct pl_attr *a = &po->attrs[i];
		const json_t *v = json_object_get(rec->values, a->slug);

		if (a->unique && !empty(v) &&
		    (error = keep_unique(pl, rec, a, v)) < 0)
			return error;
	}
	return 0;
}

static int clash_hold(struct plan *pl, struct pl_object *po, sqlite3_stmt *hold,
                      sqlite3_stmt *add, sqlite3_stmt *row)
{
	const char *id = (const char *)sqlite3_column_text(row, 0);
	const char *attr = (const char *)sqlite3_column_text(row, 1);
	const char *value = (const char *)sqlite3_column_text(row, 2);
	int64_t n = sqlite3_column_int64(row, 3);
	const char *other = (const char *)sqlite3_column_text(row, 4);
	json_t *list = json_array();
	char *text = NULL;
	char rel[256];
	int error = 0;

	snprintf(rel, sizeof(rel),
	         "merge them (a dedup section for %s in mapping.yaml), or "
	         "correct one in Salesforce and extract again",
	         po->name);
	pl_reason(
	    list, "", "unique_clash", rel,
	    "%s '%s' is unique in Attio, and %s would write it too (%" PRId64
	    " records to write have it)",
	    attr, value, other ? other : "another record", n);
	text = json_dumps(json_array_get(list, 0), JSON_COMPACT);
	if ((error = pl_store_stash(pl, po->name, id)) < 0)
		goto done;
	ferry_store__bind_text(hold, 1, po->name);
	ferry_store__bind_text(hold, 2, id);
	ferry_store__bind_text(hold, 3, text);
	if (sqlite3_step(hold) != SQLITE_DONE) {
		error = ferry_store__error(pl->ws, "cannot hold a record");
		goto done;
	}
	if (sqlite3_changes64(pl->ws->db) > 0) {
		po->stats->by_decision[FERRY_PLAN_WRITE]--;
		po->stats->by_decision[FERRY_PLAN_HELD]++;
		goto done;
	}
	/* Already held for another unique value: one more reason. */
	ferry_store__bind_text(add, 1, po->name);
	ferry_store__bind_text(add, 2, id);
	ferry_store__bind_text(add, 3, text);
	if (sqlite3_step(add) != SQLITE_DONE)
		error = ferry_store__error(pl->ws, "cannot hold a record");
done:
	sqlite3_reset(hold);
	sqlite3_reset(add);
	free(text);
	json_decref(list);
	return error;
}

int pl_unique_check(struct plan *pl, struct pl_object *po)
{
	sqlite3_stmt *find = NULL, *row = NULL, *hold = NULL, *add = NULL,
	             *drop = NULL;
	int error, rc;

	if ((error = ferry_store__exec(
	         pl->ws, "DROP TABLE IF EXISTS temp.plan_clash;"
	                 "CREATE TEMP TABLE plan_clash (source_id TEXT, attr "
	                 "TEXT, value TEXT, n INTEGER, other TEXT);")) < 0 ||
	    (error = ferry_store__prepare(
	         &find, pl->ws,
	         "INSERT INTO temp.plan_clash SELECT u.source_id, u.attr, "
	         "u.value, (SELECT count(*) FROM temp.plan_unique v WHERE "
	         "v.dest = u.dest AND v.attr = u.attr AND v.value = u.value), "
	         "(SELECT v.object || ' ' || v.source_id FROM temp.plan_unique "
	         "v WHERE v.dest = u.dest AND v.attr = u.attr AND v.value = "
	         "u.value AND NOT (v.object = u.object AND v.source_id = "
	         "u.source_id) ORDER BY v.rowid LIMIT 1) FROM temp.plan_unique "
	         "u WHERE u.object = ?1 AND EXISTS (SELECT 1 FROM "
	         "temp.plan_unique v WHERE v.dest = u.dest AND v.attr = u.attr "
	         "AND v.value = u.value AND NOT (v.object = u.object AND "
	         "v.source_id = u.source_id)) ORDER BY u.rowid")) < 0 ||
	    (error = ferry_store__prepare(
	         &row, pl->ws,
	         "SELECT source_id, attr, value, n, other FROM "
	         "temp.plan_clash ORDER BY rowid")) < 0 ||
	    (error = ferry_store__prepare(
	         &hold, pl->ws,
	         "UPDATE main.plan SET decision = 'held', reasons = "
	         "json_insert(reasons, '$[#]', json(?3)) WHERE object = ?1 "
	         "AND source_id = ?2 AND decision = 'write'")) < 0 ||
	    (error = ferry_store__prepare(
	         &add, pl->ws,
	         "UPDATE main.plan SET reasons = json_insert(reasons, '$[#]', "
	         "json(?3)) WHERE object = ?1 AND source_id = ?2")) < 0 ||
	    (error = ferry_store__prepare(
	         &drop, pl->ws,
	         "DELETE FROM temp.plan_unique WHERE object = ?1 AND "
	         "source_id IN (SELECT source_id FROM temp.plan_clash)")) < 0)
		goto done;
	ferry_store__bind_text(find, 1, po->name);
	if (sqlite3_step(find) != SQLITE_DONE) {
		error =
		    ferry_store__error(pl->ws, "cannot check unique values");
		goto done;
	}
	while ((rc = sqlite3_step(row)) == SQLITE_ROW)
		if ((error = clash_hold(pl, po, hold, add, row)) < 0)
			goto done;
	if (rc != SQLITE_DONE) {
		error =
		    ferry_store__error(pl->ws, "cannot check unique values");
		goto done;
	}
	ferry_store__bind_text(drop, 1, po->name);
	if (sqlite3_step(drop) != SQLITE_DONE)
		error =
		    ferry_store__error(pl->ws, "cannot check unique values");
done:
	sqlite3_finalize(find);
	sqlite3_finalize(row);
	sqlite3_finalize(hold);
	sqlite3_finalize(add);
	sqlite3_finalize(drop);
	return error;
}
