/* schema_setup.c: what the destination needs before the first write,
 * worked out from mapping.yaml and the destination's schema snapshot
 * without a call: custom objects, attributes with the Attio type each
 * field's type implies, matching attributes made unique, the options and
 * statuses the value tables name, lists; and what blocks it (a mapping
 * that writes into an attribute of another type). The attributes planned
 * here are exactly those the plan counts as to create (plan_validate.c:
 * fields, defaults, record types, match), so that after schema setup the
 * plan lists none. They are gathered here and checked against the
 * snapshot in schema_setup_check.c. See docs/cli/schema.md. */
#include "util.h"

#include "ferry/schema_setup.h"
#include "schema_setup_int.h"

bool ss_has_titles(enum ferry_mapfile_type t)
{
	return t == FERRY_MF_SELECT || t == FERRY_MF_MULTISELECT ||
	       t == FERRY_MF_STATUS;
}

void ss_report(json_t *list, const char *object, const char *attribute,
               const char *fmt, ...)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	if (ferry_buf_vprintf(&b, fmt, ap) < 0)
		ferry_buf_clear(&b);
	va_end(ap);
	json_array_append_new(list, json_pack("{s:s, s:s?, s:s}", "object",
	                                      object, "attribute", attribute,
	                                      "message", b.ptr ? b.ptr : ""));
	ferry_buf_release(&b);
}

/*
 * Gathering what the mapping writes.
 */

static struct want *want_get(struct setup *s, const char *target,
                             const char *parent, const char *slug,
                             const struct ferry_mapfile_object *o, int line)
{
	struct want *w;
	size_t i;

	for (i = 0; i < s->n_wants; i++) {
		w = &s->wants[i];
		if (!strcmp(w->target, target) && !strcmp(w->parent, parent) &&
		    !strcmp(w->slug, slug))
			return w;
	}
	s->wants =
	    ferry_xrealloc(s->wants, (s->n_wants + 1) * sizeof(*s->wants));
	w = &s->wants[s->n_wants++];
	memset(w, 0, sizeof(*w));
	w->target = target;
	w->parent = parent;
	w->slug = slug;
	w->o = o;
	w->line = line;
	w->allowed = json_array();
	w->titles = json_array();
	return w;
}

static void add_title(struct want *w, const char *title, const char *from)
{
	const json_t *t;
	size_t i;

	if (!title || !*title)
		return;
	json_array_foreach(w->titles, i, t)
	{
		if (!strcmp(json_string_value(json_object_get(t, "title")),
		            title))
			return;
	}
	json_array_append_new(
	    w->titles, json_pack("{s:s, s:s}", "title", title, "from", from));
}

/* The titles a field's value table and default can write. */
static void field_titles(struct setup *s, struct want *w,
                         const struct ferry_mapfile_object *o,
                         const struct ferry_mapfile_field *f)
{
	struct ferry_tx_reason why;
	json_t *out = NULL, *item;
	char from[200];
	size_t i;

	if (f->values) {
		snprintf(from, sizeof(from), "value table %s", f->values->name);
		for (i = 0; i < f->values->n_values; i++)
			add_title(w, f->values->values[i].title, from);
		if (f->values->unmapped == FERRY_MF_DEFAULT)
			add_title(w, f->values->default_title, from);
	} else if (!f->default_value && !w->untabled) {
		w->untabled = f;
	}
	if (!f->default_value)
		return;
	if ((f->type == FERRY_MF_MULTISELECT
	         ? ferry_tx_multiselect(&out, f->default_value, &f->tx, &why)
	         : ferry_tx_select(&out, f->default_value, &f->tx, &why)) < 0)
		return;
	snprintf(from, sizeof(from), "the default of %s.%s", o->name, f->name);
	for (i = 0; i < (json_is_array(out) ? json_array_size(out) : 1); i++) {
		const char *v, *title = NULL;
		enum ferry_mapfile_rule rule;

		item = json_is_array(out) ? json_array_get(out, i) : out;
		if (!(v = json_string_value(item)))
			continue;
		if (f->values)
			ferry_mapfile_value(s->m, f->values->name, v, &title,
			                    &rule);
		else
			title = v;
		add_title(w, title, from);
	}
	json_decref(out);
}

static bool many_values(enum ferry_mapfile_type t)
{
	return t == FERRY_MF_MULTISELECT || t == FERRY_MF_EMAIL ||
	       t == FERRY_MF_PHONE || t == FERRY_MF_DOMAIN;
}

/* Reference fields of `o` that go to `slug`: two make it multiselect. */
static size_t references_to(const struct ferry_mapfile_object *o,
                            const char *slug)
{
	size_t i, n = 0;

	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to &&
		    o->fields[i].type == FERRY_MF_REFERENCE &&
		    !strcmp(o->fields[i].to, slug))
			n++;
	return n;
}

static void add_allowed(struct want *w, const char *object)
{
	const json_t *x;
	size_t i;

	json_array_foreach(w->allowed, i, x)
	{
		if (!strcmp(json_string_value(x), object))
			return;
	}
	json_array_append_new(w->allowed, json_string(object));
}

static void want_field(struct setup *s, const char *target, const char *parent,
                       const struct ferry_mapfile_object *o,
                       const struct ferry_mapfile_field *f)
{
	struct want *w = want_get(s, target, parent, f->to, o, f->line);

	if (!w->typed) {
		w->typed = true;
		w->type = f->type;
		w->line = f->line;
		snprintf(w->from, sizeof(w->from), "%s.%s", o->name, f->name);
	} else if (w->type != f->type && !w->conflict) {
		w->conflict = true;
		ss_report(s->problems, parent, f->to,
		          "%s:%d: %s.%s writes a %s into %s.%s, which %s (line "
		          "%d) writes as a %s: give both fields the same type, "
		          "or send one to another attribute",
		          s->m->path, f->line, o->name, f->name,
		          ferry_mapfile_type_name(f->type), parent, f->to,
		          w->from, w->line, ferry_mapfile_type_name(w->type));
	}
	if (many_values(f->type) ||
	    (f->type == FERRY_MF_REFERENCE && references_to(o, f->to) > 1))
		w->multi = true;
	if (f->type == FERRY_MF_CURRENCY && !w->currency)
		w->currency = f->tx.currency;
	if (f->type == FERRY_MF_REFERENCE && f->object)
		add_allowed(w, f->object);
	if (ss_has_titles(f->type))
		field_titles(s, w, o, f);
}

static void want_list(struct setup *s, const char *slug, const char *parent,
                      const struct ferry_mapfile_object *o, int line)
{
	struct list_want *l;
	size_t i;

	for (i = 0; i < s->n_lists; i++) {
		l = &s->lists[i];
		if (strcmp(l->slug, slug))
			continue;
		if (!l->parent)
			l->parent = parent;
		else if (parent && strcmp(l->parent, parent) && !l->conflict) {
			l->conflict = true;
			ss_report(
			    s->problems, slug, NULL,
			    "%s:%d: %s puts entries of %s records in the "
			    "list %s, which %s (line %d) fills with %s "
			    "records: an Attio list has one parent object; "
			    "use two lists",
			    s->m->path, line, o->name, parent, slug, l->o->name,
			    l->line, l->parent);
		}
		return;
	}
	s->lists =
	    ferry_xrealloc(s->lists, (s->n_lists + 1) * sizeof(*s->lists));
	l = &s->lists[s->n_lists++];
	memset(l, 0, sizeof(*l));
	l->slug = slug;
	l->parent = parent;
	l->o = o;
	l->line = line;
}

static void gather_records(struct setup *s,
                           const struct ferry_mapfile_object *o)
{
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to)
			want_field(s, "objects", o->to, o, &o->fields[i]);
	for (i = 0; i < o->n_defaults; i++) {
		const struct ferry_mapfile_default *d = &o->defaults[i];
		struct want *w =
		    want_get(s, "objects", o->to, d->attribute, o, d->line);
		char from[160];

		snprintf(from, sizeof(from), "%s.defaults", o->name);
		add_title(w, d->value, from);
	}
	if (o->record_type_attribute) {
		struct want *w = want_get(
		    s, "objects", o->to, o->record_type_attribute, o,
		    o->n_record_types ? o->record_types[0].line : o->line);
		char from[160];

		if (!w->typed) {
			w->typed = true;
			w->type = FERRY_MF_SELECT;
			snprintf(w->from, sizeof(w->from), "%s record types",
			         o->name);
		}
		snprintf(from, sizeof(from), "%s.record_types", o->name);
		for (i = 0; i < o->n_record_types; i++)
			add_title(w, o->record_types[i].option, from);
	}
	for (i = 0; i < o->n_record_types; i++)
		if (o->record_types[i].list)
			want_list(s, o->record_types[i].list, o->to, o,
			          o->record_types[i].line);
	if (o->match) {
		struct want *w =
		    want_get(s, "objects", o->to, o->match, o, o->match_line);

		w->unique = true;
		if (!w->matcher)
			w->matcher = o;
	}
}

static void gather_entries(struct setup *s,
                           const struct ferry_mapfile_object *o)
{
	const char *parent = NULL;
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to && !strcmp(o->fields[i].to, "parent") &&
		    o->fields[i].object && !parent)
			parent = o->fields[i].object;
	want_list(s, o->list, parent, o, o->line);
	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to && strcmp(o->fields[i].to, "parent"))
			want_field(s, "lists", o->list, o, &o->fields[i]);
}

const char **ferry_schema_setup_objects(const struct ferry_mapfile *m)
{
	size_t cap = 8, n = 0, i, j, k;
	const char **list = ferry_xcalloc(cap + 1, sizeof(*list));

	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind != FERRY_MF_RECORDS &&
		    o->kind != FERRY_MF_LIST_ENTRIES)
			continue;
		for (j = 0; j <= o->n_fields; j++) {
			const char *slug =
			    j == 0
			        ? (o->kind == FERRY_MF_RECORDS ? o->to : NULL)
			    : o->fields[j - 1].type == FERRY_MF_REFERENCE
			        ? o->fields[j - 1].object
			        : NULL;

			if (!slug)
				continue;
			for (k = 0; k < n && strcmp(list[k], slug); k++)
				;
			if (k < n)
				continue;
			if (n == cap) {
				cap *= 2;
				list = ferry_xrealloc(list, (cap + 1) *
				                                sizeof(*list));
			}
			list[n++] = slug;
			list[n] = NULL;
		}
	}
	return list;
}

int ferry_schema_setup_plan(json_t **out, const struct ferry_mapfile *m,
                            const json_t *snapshot)
{
	struct setup s;
	json_t *changes = json_array();
	size_t i;
	int p;

	memset(&s, 0, sizeof(s));
	s.m = m;
	s.snap = snapshot;
	s.objects = json_object();
	s.list_states = json_object();
	s.problems = json_array();
	s.warnings = json_array();
	for (p = 0; p < PH_COUNT; p++)
		s.phases[p] = json_array();
	/* Objects first, in the mapping's order, so that a custom object is
	 * made before anything points at it. */
	for (i = 0; i < m->n_objects; i++)
		if (m->objects[i].kind == FERRY_MF_RECORDS)
			ss_object_state(&s, m->objects[i].to, &m->objects[i]);
	for (i = 0; i < m->n_objects; i++) {
		if (m->objects[i].kind == FERRY_MF_RECORDS)
			gather_records(&s, &m->objects[i]);
		else if (m->objects[i].kind == FERRY_MF_LIST_ENTRIES)
			gather_entries(&s, &m->objects[i]);
	}
	for (i = 0; i < s.n_lists; i++)
		ss_eval_list(&s, &s.lists[i]);
	for (i = 0; i < s.n_wants; i++)
		ss_eval_want(&s, &s.wants[i]);
	for (p = 0; p < PH_COUNT; p++)
		json_array_extend(changes, s.phases[p]);
	*out = json_pack("{s:o, s:o, s:o}", "changes", changes, "problems",
	                 s.problems, "warnings", s.warnings);
	for (i = 0; i < s.n_wants; i++) {
		json_decref(s.wants[i].allowed);
		json_decref(s.wants[i].titles);
	}
	free(s.wants);
	free(s.lists);
	for (p = 0; p < PH_COUNT; p++)
		json_decref(s.phases[p]);
	json_decref(s.objects);
	json_decref(s.list_states);
	return 0;
}
