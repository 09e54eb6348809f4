/* mapfile_check.c: mapping.yaml against what was staged: every Salesforce
 * field the mapping names must be a column of the object's staged records
 * (or, with none staged, a field of its describe), so that a typo is an
 * error with its line instead of a field that silently stays blank. */
#include "util.h"

#include <stdarg.h>

#include "mapfile_int.h"

struct problems {
	const struct ferry_mapfile *m;
	void (*each)(const char *problem, void *payload);
	void *payload;
	char *first;
	size_t n;
};

static void problem(struct problems *p, int line, const char *fmt, ...)
    FERRY_PRINTF(3, 4);

static void problem(struct problems *p, int line, const char *fmt, ...)
{
	char msg[1024];
	char *full;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	full = ferry_xasprintf("%s:%d: %s", p->m->path, line, msg);
	if (p->each)
		p->each(full, p->payload);
	if (!p->first)
		p->first = full;
	else
		free(full);
	p->n++;
}

static int on_staged(const struct ferry_staged_object *o, void *payload)
{
	json_object_set_new(payload, o->object, json_integer(o->count));
	return 0;
}

static int on_first(const char *source_id, int64_t line, json_t *fields,
                    void *payload)
{
	const char *key;
	json_t *v;

	(void)source_id;
	(void)line;
	json_object_foreach(fields, key, v)
	    json_object_set(payload, key, json_true());
	return 1; /* the first record is enough */
}

/* The fields of `object` as a set, or NULL when nothing is known of it. */
static int columns(json_t **out, struct ferry_workspace *ws, const char *object,
                   json_t *staged)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	json_t *cols = json_object(), *desc, *f;
	char name[160];
	size_t i;
	int rc, error = 0;

	if (json_integer_value(json_object_get(staged, object)) > 0) {
		rc = ferry_stage_foreach_record(ws, object, on_first, cols);
		if (rc < 0) {
			error = rc;
			goto done;
		}
		goto found;
	}
	snprintf(name, sizeof(name), "salesforce/describe/%s", object);
	rc = ferry_facts_get(ws, name, &b);
	if (rc == FERRY_ENOTFOUND) {
		ferry_error_clear();
		if (!json_object_get(staged, object)) {
			json_decref(cols);
			cols = NULL;
		}
		goto found;
	}
	if (rc < 0) {
		error = rc;
		goto done;
	}
	desc = json_loadb(b.ptr, b.len, 0, NULL);
	json_array_foreach(json_object_get(desc, "fields"), i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));

		if (n)
			json_object_set(cols, n, json_true());
	}
	json_decref(desc);
found:
	*out = cols;
	cols = NULL;
done:
	json_decref(cols);
	ferry_buf_release(&b);
	return error;
}

static const char **keys_of(json_t *set, size_t *n)
{
	const char **names =
	    ferry_xcalloc(json_object_size(set) + 1, sizeof(*names));
	const char *key;
	json_t *v;

	*n = 0;
	json_object_foreach(set, key, v) names[(*n)++] = key;
	return names;
}

static void need(struct problems *p, json_t *cols,
                 const struct ferry_mapfile_object *o, int line,
                 const char *label, const char *field)
{
	const char **names, *best;
	char hint[160] = "";
	size_t n;

	if (json_object_get(cols, field))
		return;
	names = keys_of(cols, &n);
	if ((best = mf_closest(field, names, n)) != NULL)
		snprintf(hint, sizeof(hint), " (did you mean %s?)", best);
	problem(p, line, "%s is not a field of %s%s", label, o->name, hint);
	free(names);
}

static void check_object(struct problems *p, json_t *cols,
                         const struct ferry_mapfile_object *o)
{
	char label[300];
	size_t i, j;

	for (i = 0; i < o->n_fields; i++) {
		const struct ferry_mapfile_field *f = &o->fields[i];

		snprintf(label, sizeof(label), "%s.%s", o->name, f->name);
		need(p, cols, o, f->line, label, f->name);
		if (f->country_field) {
			snprintf(label, sizeof(label),
			         "%s.%s's country_field %s", o->name, f->name,
			         f->country_field);
			need(p, cols, o, f->line, label, f->country_field);
		}
	}
	for (i = 0; i < o->n_skip_if + o->n_only_if; i++) {
		const struct ferry_mapfile_condition *c =
		    i < o->n_skip_if ? &o->skip_if[i]
		                     : &o->only_if[i - o->n_skip_if];

		snprintf(label, sizeof(label), "%s.filter's %s", o->name,
		         c->field);
		need(p, cols, o, c->line, label, c->field);
	}
	for (j = 0; j < o->dedup.n_keys; j++) {
		const struct ferry_mapfile_key *k = &o->dedup.keys[j];

		if (k->kind != FERRY_MF_KEY_EXTERNAL_ID)
			continue;
		snprintf(label, sizeof(label), "%s.dedup's external_id %s",
		         o->name, k->field);
		need(p, cols, o, k->line, label, k->field);
	}
	if (o->kind == FERRY_MF_LINKS) {
		snprintf(label, sizeof(label), "%s.link's record %s", o->name,
		         o->link.record);
		need(p, cols, o, o->link.line, label, o->link.record);
		snprintf(label, sizeof(label), "%s.link's add %s", o->name,
		         o->link.add);
		need(p, cols, o, o->link.line, label, o->link.add);
	}
	if (o->n_record_types) {
		snprintf(label, sizeof(label),
		         "RecordTypeId (which record_types needs)");
		need(p, cols, o, o->record_types[0].line, label,
		     "RecordTypeId");
	}
}

int ferry_mapfile_check_fields(const struct ferry_mapfile *m,
                               struct ferry_workspace *ws,
                               void (*each)(const char *problem, void *payload),
                               void *payload)
{
	struct problems p = {m, each, payload, NULL, 0};
	json_t *staged = json_object(), *cols = NULL;
	const char **names = NULL, *best;
	char hint[160];
	size_t i, n;
	int error;

	if ((error = ferry_stage_foreach_object(ws, on_staged, staged)) < 0)
		goto done;
	names = keys_of(staged, &n);
	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind == FERRY_MF_NOWHERE)
			continue;
		if (o->comments && !json_object_get(staged, o->comments))
			problem(&p, o->comments_line,
			        "%s.comments: %s is not staged: extract it "
			        "(source.objects in ferry.yaml), or remove "
			        "'comments'",
			        o->name, o->comments);
		json_decref(cols);
		if ((error = columns(&cols, ws, o->name, staged)) < 0)
			goto done;
		if (!cols) {
			hint[0] = '\0';
			if ((best = mf_closest(o->name, names, n)) != NULL)
				snprintf(hint, sizeof(hint),
				         " (did you mean %s?)", best);
			problem(&p, o->line,
			        "%s is not a staged object%s: extract it, or "
			        "set its 'to: null'",
			        o->name, hint);
			continue;
		}
		/* Staged without a record and never described: nothing to
		 * migrate, nothing to check against. */
		if (json_object_size(cols))
			check_object(&p, cols, o);
	}
	if (p.n > 1)
		error = ferry_error_set(FERRY_ECONFIG,
		                        "%s (and %zu more problems with the "
		                        "fields mapping.yaml names)",
		                        p.first, p.n - 1);
	else if (p.n)
		error = ferry_error_set(FERRY_ECONFIG, "%s", p.first);
done:
	free(p.first);
	free(names);
	json_decref(cols);
	json_decref(staged);
	return error;
}
