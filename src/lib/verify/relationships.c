/* relationships.c: every record the ledger says is written, found again
 * in what was read of Attio, and each of its references checked: the
 * plan's payload names a reference by its source record (object and id),
 * the ledger says which Attio record that became (its dest_id, as the
 * loader resolved it: refs.c), and Attio's answer must name exactly that
 * record: a record-reference attribute, a note's parent (and each copy on
 * a second parent), a list entry's parent, a task's linked records, the
 * reference a link added, and the lists a record type puts a record in.
 * A reference whose target was not written was left out by the loader
 * (the ledger's note says so): nothing is expected of it. The sampled
 * records' values go to values.c. */
#include "util.h"

#include "store/store.h"
#include "verify_int.h"

static const char walk_sql[] =
    "SELECT l.object, l.source_id, l.dest_object, l.dest_id, p.payload, "
    "EXISTS (SELECT 1 FROM temp.vf_sample v WHERE v.id = l.dest_id) "
    "FROM ledger l JOIN plan p ON p.object = l.object AND p.source_id = "
    "l.source_id WHERE l.status = 'written' AND l.dest_id != '' AND "
    "p.decision = 'write' ORDER BY l.object, l.source_id";

/* The Attio record a reference must name. */
struct target {
	char id[64];
	char object[64];  /* its Attio object */
	char source[160]; /* "Account 001..." */
};

static json_t *column_json(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
}

int vf_seen_get(struct vf_run *run, const char *key, const char *id,
                json_t **refs, json_t **vals)
{
	sqlite3_stmt *st = run->seen_get;
	int rc, error = 0;

	*refs = *vals = NULL;
	ferry_store__bind_text(st, 1, key);
	ferry_store__bind_text(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*refs = column_json(st, 0);
		*vals = column_json(st, 1);
	} else if (rc == SQLITE_DONE) {
		error = FERRY_ENOTFOUND;
	} else {
		error = ferry_store__error(run->ws, "cannot read what was "
		                                    "read of Attio");
	}
	sqlite3_reset(st);
	return error;
}

/* Children of `parent` in `key` (a list's entries, notes), with `label`
 * when not NULL. */
static int64_t children(struct vf_run *run, const char *key, const char *parent,
                        const char *label)
{
	sqlite3_stmt *st = run->seen_child;
	int64_t n = 0;

	ferry_store__bind_text(st, 1, key);
	ferry_store__bind_text(st, 2, parent);
	ferry_store__bind_text(st, 3, label);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool is_ref(const json_t *v)
{
	return json_is_object(v) && str(v, "source_object") &&
	       str(v, "source_id");
}

/* What a reference must name: false when its target is not in Attio by
 * the ledger (the loader wrote the record without the link). */
static bool expect(struct vf_run *run, const json_t *ref, struct target *t)
{
	const char *object = str(ref, "source_object");
	const char *id = str(ref, "source_id");
	const char *to = str(ref, "target_object");
	struct ferry_ledger_row row;

	if (!object || !id || ferry_ledger_get(&row, run->ws, object, id) < 0 ||
	    !row.dest_id[0] ||
	    (row.status != FERRY_LEDGER_WRITTEN &&
	     row.status != FERRY_LEDGER_MERGED &&
	     row.status != FERRY_LEDGER_PENDING))
		return false;
	snprintf(t->id, sizeof(t->id), "%s", row.dest_id);
	snprintf(t->object, sizeof(t->object), "%s",
	         to && *to ? to : row.dest_object);
	snprintf(t->source, sizeof(t->source), "%s %s", object, id);
	return true;
}

/* A value as the list of its items. */
static json_t *as_list(json_t *v)
{
	if (!v || json_is_null(v))
		return json_array();
	if (json_is_array(v))
		return json_incref(v);
	return json_pack("[O]", v);
}

static bool has_id(const json_t *list, const char *id)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), id))
			return true;
	}
	return false;
}

static char *ids_text(const json_t *list, const char *none)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (json_is_string(v) &&
		    ferry_buf_printf(&b, "%s%s", b.len ? ", " : "",
		                     json_string_value(v)) < 0)
			break;
	}
	if (!b.len) {
		ferry_buf_release(&b);
		return ferry_xstrdup(none);
	}
	return ferry_buf_detach(&b, NULL);
}

static void wrong(struct vf_run *run, const struct vf_row *row,
                  const char *attr, const struct target *t, const json_t *found,
                  const char *none)
{
	char *f = ids_text(found, none);

	vf_problem(run, VF_REFERENCE, row->object, "wrong_references",
	           json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                     "object", row->object, "source_id", row->source_id,
	                     "dest_object", row->dest_object, "dest_id",
	                     row->dest_id, "attribute", attr, "target_object",
	                     t->object, "target_source_id", t->source,
	                     "expected", t->id, "found", f));
	free(f);
}

static void missing(struct vf_run *run, const struct vf_row *row,
                    const char *why)
{
	vf_problem(run, VF_MISSING, row->object, "missing",
	           json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", row->object,
	                     "source_id", row->source_id, "dest_object",
	                     row->dest_object, "dest_id", row->dest_id, "why",
	                     why));
}

/* Each reference among `values` (but `skip`) against the ids Attio's
 * answer names for its attribute. */
static void check_refs(struct vf_run *run, const struct vf_row *row,
                       json_t *values, const json_t *refs, const char *skip)
{
	const char *attr;
	json_t *v;

	json_object_foreach(values, attr, v)
	{
		json_t *items, *item;
		struct target t;
		size_t i;

		if (skip && !strcmp(attr, skip))
			continue;
		items = as_list(v);
		json_array_foreach(items, i, item)
		{
			if (!is_ref(item) || !expect(run, item, &t))
				continue;
			run->refs_checked++;
			if (!has_id(json_object_get(refs, attr), t.id))
				wrong(run, row, attr, &t,
				      json_object_get(refs, attr), "(none)");
		}
		json_decref(items);
	}
}

static void sampled(struct vf_run *run, const struct vf_row *row)
{
	run->records_sampled++;
	vf_count(run, row->object, "sampled", 1);
}

/* The lists a record type adds the record to: an entry for it in each. */
static void check_lists(struct vf_run *run, const struct vf_row *row)
{
	const json_t *lists = json_object_get(row->payload, "lists"), *l;
	size_t i;

	json_array_foreach(lists, i, l)
	{
		char key[96], attr[96];
		struct target t;

		if (!json_is_string(l))
			continue;
		snprintf(key, sizeof(key), "list:%s", json_string_value(l));
		run->refs_checked++;
		if (children(run, key, row->dest_id, NULL))
			continue;
		snprintf(attr, sizeof(attr), "list %s", json_string_value(l));
		snprintf(t.id, sizeof(t.id), "%s", row->dest_id);
		snprintf(t.object, sizeof(t.object), "%s",
		         json_string_value(l));
		snprintf(t.source, sizeof(t.source), "%s %s", row->object,
		         row->source_id);
		wrong(run, row, attr, &t, NULL, "(no entry for the record)");
	}
}

static void check_note(struct vf_run *run, const struct vf_row *row,
                       json_t *values, const json_t *refs, const json_t *vals)
{
	json_t *parents = as_list(json_object_get(values, "parent")), *p;
	const char *title = str(values, "title");
	struct target t;
	bool first = true;
	size_t i;

	json_array_foreach(parents, i, p)
	{
		if (!expect(run, p, &t))
			continue;
		run->refs_checked++;
		if (first && !has_id(json_object_get(refs, "parent"), t.id))
			wrong(run, row, "parent", &t,
			      json_object_get(refs, "parent"), "(none)");
		/* A copy on each further parent, with the same title. */
		if (!first && !children(run, "notes", t.id, title ? title : ""))
			wrong(run, row, "parent", &t, NULL,
			      "(no copy of the note on it)");
		first = false;
	}
	json_decref(parents);
	if (row->sampled) {
		sampled(run, row);
		vf_values_note(run, row, values, vals);
	}
}

static void check_task(struct vf_run *run, const struct vf_row *row,
                       json_t *values, const json_t *refs, const json_t *vals)
{
	json_t *links = as_list(json_object_get(values, "linked_records")), *x;
	const json_t *found = json_object_get(refs, "linked_records");
	struct target t;
	size_t i;

	json_array_foreach(links, i, x)
	{
		if (!is_ref(x) || !expect(run, x, &t))
			continue;
		run->refs_checked++;
		if (!has_id(found, t.id))
			wrong(run, row, "linked_records", &t, found, "(none)");
	}
	json_decref(links);
	if (row->sampled) {
		sampled(run, row);
		vf_values_task(run, row, values, vals);
	}
}

/* A link: the reference it added, on the record it was added to. */
static int check_link(struct vf_run *run, const struct vf_row *row)
{
	const json_t *link = json_object_get(row->payload, "link");
	const char *attr = str(link, "attribute");
	json_t *refs = NULL, *vals = NULL;
	struct target rec, add;
	int error;

	if (!attr || !expect(run, json_object_get(link, "record"), &rec))
		return 0;
	error = vf_seen_get(run, rec.object, row->dest_id, &refs, &vals);
	if (error == FERRY_ENOTFOUND) {
		missing(run, row,
		        "the record the link was added to is not in "
		        "Attio");
		return 0;
	}
	if (error < 0)
		return error;
	vf_count(run, row->object, "checked", 1);
	if (strcmp(rec.id, row->dest_id)) {
		json_t *was = json_pack("[s]", row->dest_id);

		wrong(run, row, "record", &rec, was, "(none)");
		json_decref(was);
	}
	if (expect(run, json_object_get(link, "add"), &add)) {
		run->refs_checked++;
		if (!has_id(json_object_get(refs, attr), add.id))
			wrong(run, row, attr, &add, json_object_get(refs, attr),
			      "(none)");
	}
	json_decref(refs);
	json_decref(vals);
	return 0;
}

static enum vf_kind kind_of(struct vf_run *run, const char *dest)
{
	if (!strcmp(dest, "notes"))
		return VF_NOTE;
	if (!strcmp(dest, "tasks"))
		return VF_TASK;
	if (!strcmp(dest, "links"))
		return VF_LINK;
	if (json_object_get(run->lists, dest))
		return VF_ENTRY;
	return VF_RECORD;
}

static int check_row(struct vf_run *run, const struct vf_row *row)
{
	enum vf_kind kind = kind_of(run, row->dest_object);
	json_t *values = json_object_get(row->payload, "values");
	json_t *refs = NULL, *vals = NULL;
	const json_t *parent;
	char key[96];
	struct target t;
	int error;

	if (kind == VF_LINK)
		return check_link(run, row);
	if (kind == VF_ENTRY)
		snprintf(key, sizeof(key), "list:%s", row->dest_object);
	else
		snprintf(key, sizeof(key), "%s", row->dest_object);
	error = vf_seen_get(run, key, row->dest_id, &refs, &vals);
	if (error == FERRY_ENOTFOUND) {
		missing(run, row,
		        kind == VF_NOTE   ? "not among Attio's notes"
		        : kind == VF_TASK ? "not among Attio's tasks"
		        : kind == VF_ENTRY
		            ? "not among the list's entries"
		            : "not among the Attio object's records");
		return 0;
	}
	if (error < 0)
		return error;
	vf_count(run, row->object, "checked", 1);
	switch (kind) {
	case VF_NOTE:
		check_note(run, row, values, refs, vals);
		break;
	case VF_TASK:
		check_task(run, row, values, refs, vals);
		break;
	case VF_ENTRY:
		parent = json_object_get(values, "parent");
		if (is_ref(parent) && expect(run, parent, &t)) {
			run->refs_checked++;
			if (!has_id(json_object_get(refs, "parent"), t.id))
				wrong(run, row, "parent", &t,
				      json_object_get(refs, "parent"),
				      "(none)");
		}
		check_refs(run, row, values, refs, "parent");
		if (row->sampled) {
			sampled(run, row);
			vf_values_attrs(run, row, values, vals, "parent");
		}
		break;
	default:
		check_refs(run, row, values, refs, NULL);
		check_lists(run, row);
		if (row->sampled) {
			sampled(run, row);
			vf_values_attrs(run, row, values, vals, NULL);
		}
		break;
	}
	json_decref(refs);
	json_decref(vals);
	return 0;
}

int vf_check(struct vf_run *run)
{
	sqlite3_stmt *st = NULL;
	int64_t done = 0, total = 0;
	const json_t *o;
	size_t i;
	int error, rc;

	json_array_foreach(run->objects, i, o) total +=
	    json_integer_value(json_object_get(o, "written"));
	if ((error = ferry_store__prepare(&st, run->ws, walk_sql)) < 0)
		return error;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct vf_row row;

		row.object = (const char *)sqlite3_column_text(st, 0);
		row.source_id = (const char *)sqlite3_column_text(st, 1);
		row.dest_object = (const char *)sqlite3_column_text(st, 2);
		row.dest_id = (const char *)sqlite3_column_text(st, 3);
		row.payload = column_json(st, 4);
		row.sampled = sqlite3_column_int(st, 5) != 0;
		error = check_row(run, &row);
		json_decref(row.payload);
		if (error < 0)
			goto done;
		vf_progress(run, "checking", row.object, ++done, total, false);
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot read the ledger");
	vf_progress(run, "checking", "", done, total, true);
done:
	sqlite3_finalize(st);
	return error;
}
