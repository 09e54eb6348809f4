/* mapfile_link.c: the checks of mapping.yaml that need a whole object
 * (attributes two fields would both fill, the matching attribute, the
 * fixed shape of notes, tasks and files, dedup keys that have no field)
 * or the whole file (dedup against other objects, case comments, value
 * tables nobody uses). */
#include "util.h"

#include "mapfile_int.h"

/* The attributes of the destinations that are not Attio objects, and
 * the type each takes. */
struct fixed_attr {
	const char *slug;
	unsigned types; /* bits of enum ferry_mapfile_type */
};
#define T(t) (1u << (t))
static const struct fixed_attr note_attrs[] = {
    {"title", T(FERRY_MF_TEXT)},
    {"content", T(FERRY_MF_TEXT)},
    {"parent", T(FERRY_MF_REFERENCE)},
    {"created_at", T(FERRY_MF_TIMESTAMP) | T(FERRY_MF_DATE)},
    {NULL, 0},
};
static const struct fixed_attr task_attrs[] = {
    {"content", T(FERRY_MF_TEXT)},
    {"deadline_at", T(FERRY_MF_TIMESTAMP) | T(FERRY_MF_DATE)},
    {"is_completed", T(FERRY_MF_CHECKBOX)},
    {"linked_records", T(FERRY_MF_REFERENCE)},
    {"assignees", T(FERRY_MF_OWNER)},
    {NULL, 0},
};
static const struct fixed_attr file_attrs[] = {
    {"name", T(FERRY_MF_TEXT)},
    {"parent", T(FERRY_MF_REFERENCE)},
    {NULL, 0},
};

/* Types whose attribute holds many values (or, for references, may):
 * several fields may go to one. */
static const unsigned multi_types =
    T(FERRY_MF_EMAIL) | T(FERRY_MF_PHONE) | T(FERRY_MF_DOMAIN) |
    T(FERRY_MF_MULTISELECT) | T(FERRY_MF_REFERENCE);

static const char *kind_noun(enum ferry_mapfile_kind k)
{
	switch (k) {
	case FERRY_MF_NOTES:
		return "notes";
	case FERRY_MF_TASKS:
		return "tasks";
	case FERRY_MF_FILES:
		return "files";
	case FERRY_MF_LIST_ENTRIES:
		return "list entries";
	case FERRY_MF_LINKS:
		return "links";
	case FERRY_MF_RECORDS:
	case FERRY_MF_NOWHERE:
		break;
	}
	return "records";
}

static const char *type_name(enum ferry_mapfile_type t)
{
	return ferry_mapfile_type_name(t);
}

static int fixed_shape(struct mf_loader *ld, struct ferry_mapfile_object *o,
                       const struct fixed_attr *attrs)
{
	const char *names[8];
	struct ferry_buf list = FERRY_BUF_INIT;
	char hint[160];
	size_t n, i, k;
	int error = 0;

	for (n = 0; attrs[n].slug; n++) {
		names[n] = attrs[n].slug;
		if (ferry_buf_printf(&list, "%s%s", n ? ", " : "",
		                     attrs[n].slug) < 0)
			break;
	}
	for (i = 0; i < o->n_fields + o->n_defaults && !error; i++) {
		bool is_field = i < o->n_fields;
		const struct ferry_mapfile_field *f =
		    is_field ? &o->fields[i] : NULL;
		const char *to =
		    is_field ? f->to : o->defaults[i - o->n_fields].attribute;
		int line =
		    is_field ? f->line : o->defaults[i - o->n_fields].line;

		for (k = 0; k < n && strcmp(attrs[k].slug, to); k++)
			;
		if (k == n)
			error = mf_fail(
			    ld, line,
			    "%s%s%s: %s hold only %s; '%s' is not "
			    "one of them%s",
			    o->name, is_field ? "." : ".defaults",
			    is_field ? f->name : "", kind_noun(o->kind),
			    list.ptr, to,
			    mf_did_you_mean(hint, sizeof(hint), to, names, n));
		else if (is_field && !(attrs[k].types & T(f->type)))
			error = mf_fail(
			    ld, line, "%s.%s: the %s of %s is %s, not %s",
			    o->name, f->name, to, kind_noun(o->kind),
			    attrs[k].types & T(FERRY_MF_TIMESTAMP)
			        ? "a timestamp (or a date)"
			        : type_name((enum ferry_mapfile_type)
			                        __builtin_ctz(attrs[k].types)),
			    type_name(f->type));
	}
	ferry_buf_release(&list);
	return error;
}

static int by_attribute(const void *a, const void *b)
{
	const struct ferry_mapfile_field *x =
	    *(const struct ferry_mapfile_field *const *)a;
	const struct ferry_mapfile_field *y =
	    *(const struct ferry_mapfile_field *const *)b;
	int c = strcmp(x->to, y->to);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Two fields to one attribute: fine for many-valued attributes and for
 * different parts of a name or location; a conflict otherwise. */
static int conflicts(struct mf_loader *ld, struct ferry_mapfile_object *o)
{
	struct ferry_mapfile_field **sorted;
	size_t i, j, start;
	int error = 0;

	if (o->n_fields < 2)
		return 0;
	sorted = ferry_xcalloc(o->n_fields, sizeof(*sorted));
	for (i = 0; i < o->n_fields; i++)
		sorted[i] = &o->fields[i];
	qsort(sorted, o->n_fields, sizeof(*sorted), by_attribute);
	for (start = 0, i = 1; i < o->n_fields && !error; i++) {
		const struct ferry_mapfile_field *f = sorted[i];

		if (strcmp(sorted[start]->to, f->to)) {
			start = i;
			continue;
		}
		for (j = start; j < i && !error; j++) {
			const struct ferry_mapfile_field *g = sorted[j];

			if (g->type != f->type)
				error = mf_fail(
				    ld, f->line,
				    "%s.%s and %s.%s (line %d) both go to "
				    "'%s', as %s and as %s: one attribute "
				    "has one type",
				    o->name, f->name, o->name, g->name, g->line,
				    f->to, type_name(f->type),
				    type_name(g->type));
			else if (f->part != FERRY_MF_PART_NONE &&
			         f->part == g->part)
				error = mf_fail(
				    ld, f->line,
				    "%s.%s and %s.%s (line %d) both fill "
				    "the %s of '%s': map one of them "
				    "elsewhere (or to null)",
				    o->name, f->name, o->name, g->name, g->line,
				    ferry_mapfile_part_name(f->part), f->to);
			else if (f->part == FERRY_MF_PART_NONE &&
			         !(multi_types & T(f->type)))
				error = mf_fail(
				    ld, f->line,
				    "%s.%s and %s.%s (line %d) both go to "
				    "'%s', which holds one %s value: map one "
				    "of them elsewhere (or to null)",
				    o->name, f->name, o->name, g->name, g->line,
				    f->to, type_name(f->type));
		}
	}
	free(sorted);
	return error;
}

/* The field that goes to `attribute`, or NULL. */
static const struct ferry_mapfile_field *
field_to(const struct ferry_mapfile_object *o, const char *attribute)
{
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (!strcmp(o->fields[i].to, attribute))
			return &o->fields[i];
	return NULL;
}

/* An attribute some field must fill. */
static int mapped(struct mf_loader *ld, const struct ferry_mapfile_object *o,
                  const char *what, const char *attribute, int line,
                  const char *why)
{
	const char **names;
	char hint[160];
	size_t i;
	int error;

	if (field_to(o, attribute))
		return 0;
	names = ferry_xcalloc(o->n_fields + 1, sizeof(*names));
	for (i = 0; i < o->n_fields; i++)
		names[i] = o->fields[i].to;
	error = mf_fail(
	    ld, line,
	    "%s: %s '%s' is not an attribute any field of %s goes "
	    "to%s: %s",
	    o->name, what, attribute, o->name,
	    mf_did_you_mean(hint, sizeof(hint), attribute, names, o->n_fields),
	    why);
	free(names);
	return error;
}

static int check_dedup(struct mf_loader *ld, struct ferry_mapfile_object *o)
{
	static const enum ferry_mapfile_type key_type[] = {
	    FERRY_MF_EMAIL, FERRY_MF_PHONE, FERRY_MF_DOMAIN};
	static const char *const key_word[] = {"email", "phone", "domain"};
	const struct ferry_mapfile_dedup *d = &o->dedup;
	const struct ferry_mapfile_field *f;
	size_t i, k;
	int error;

	if (!d->on)
		return 0;
	if (o->kind != FERRY_MF_RECORDS)
		return mf_fail(ld, d->line,
		               "%s: %s are not deduplicated: remove 'dedup'",
		               o->name, kind_noun(o->kind));
	if (!d->n_keys)
		return mf_fail(
		    ld, d->line,
		    "%s.dedup: no 'keys' to match records on (email, "
		    "phone, domain, external_id:<Field>)",
		    o->name);
	for (i = 0; i < d->n_keys; i++) {
		const struct ferry_mapfile_key *key = &d->keys[i];

		if (key->kind == FERRY_MF_KEY_EXTERNAL_ID)
			continue;
		for (k = 0; k < o->n_fields; k++)
			if (o->fields[k].type == key_type[key->kind])
				break;
		if (k == o->n_fields)
			return mf_fail(ld, key->line,
			               "%s.dedup: key '%s' needs a field of "
			               "type %s in %s, and there is none",
			               o->name, key_word[key->kind],
			               key_word[key->kind], o->name);
	}
	for (i = 0; i < d->n_attributes; i++) {
		const struct ferry_mapfile_attr_rule *r = &d->attributes[i];

		if ((error = mapped(ld, o, "the dedup.fields entry",
		                    r->attribute, r->line,
		                    "name the attributes of the merged "
		                    "record")) < 0)
			return error;
		f = field_to(o, r->attribute);
		/* A reference's many values are other records, which dedup
		 * does not gather. */
		if (r->pick == FERRY_MF_PICK_ALL &&
		    f->type == FERRY_MF_REFERENCE)
			return mf_fail(ld, r->line,
			               "%s.dedup.fields: '%s' is a reference, "
			               "and 'all' keeps every record's emails, "
			               "phones, domains or multiselect options "
			               "only: use survivor, oldest, newest or "
			               "most_complete",
			               o->name, r->attribute);
		if (r->pick == FERRY_MF_PICK_ALL && !(multi_types & T(f->type)))
			return mf_fail(ld, r->line,
			               "%s.dedup.fields: '%s' holds one %s "
			               "value, so 'all' cannot keep every "
			               "record's: use survivor, oldest, newest "
			               "or most_complete",
			               o->name, r->attribute,
			               type_name(f->type));
	}
	return 0;
}

static int check_shape(struct mf_loader *ld, struct ferry_mapfile_object *o)
{
	size_t i;

	switch (o->kind) {
	case FERRY_MF_NOTES:
		return fixed_shape(ld, o, note_attrs);
	case FERRY_MF_TASKS:
		return fixed_shape(ld, o, task_attrs);
	case FERRY_MF_FILES:
		return fixed_shape(ld, o, file_attrs);
	case FERRY_MF_LINKS:
		if (o->n_fields)
			return mf_fail(ld, o->fields[0].line,
			               "%s: links have no fields ('link' says "
			               "what each record adds): remove "
			               "'fields'",
			               o->name);
		if (!o->link.record || !o->link.attribute || !o->link.add)
			return mf_fail(
			    ld, o->link.line ? o->link.line : o->line,
			    "%s: to: links needs 'link: {record: "
			    "<field>, attribute: <slug>, add: "
			    "<field>}', e.g. {record: OpportunityId, "
			    "attribute: associated_people, add: "
			    "ContactId}",
			    o->name);
		return 0;
	case FERRY_MF_LIST_ENTRIES:
		if (!o->list)
			return mf_fail(ld, o->line,
			               "%s: to: list_entries needs 'list' (the "
			               "Attio list's slug)",
			               o->name);
		for (i = 0; i < o->n_fields; i++)
			if (!strcmp(o->fields[i].to, "parent") &&
			    o->fields[i].type == FERRY_MF_REFERENCE)
				return 0;
		return mf_fail(ld, o->line,
		               "%s: list entries need the record each entry "
		               "is for: map a reference field to 'parent', "
		               "e.g. ContactId: {to: parent, type: "
		               "reference, object: people}",
		               o->name);
	case FERRY_MF_RECORDS:
	case FERRY_MF_NOWHERE:
		break;
	}
	return 0;
}

int mf_check_object(struct mf_loader *ld, struct ferry_mapfile_object *o)
{
	size_t i;
	int error;

	if (o->kind == FERRY_MF_NOWHERE)
		return 0;
	if (o->list && o->kind != FERRY_MF_LIST_ENTRIES)
		return mf_fail(ld, o->line,
		               "%s: 'list' applies to to: list_entries only",
		               o->name);
	if (o->link.line && o->kind != FERRY_MF_LINKS)
		return mf_fail(ld, o->link.line,
		               "%s: 'link' applies to to: links only", o->name);
	if (o->match && o->kind != FERRY_MF_RECORDS)
		return mf_fail(ld, o->match_line,
		               "%s: %s are not matched: remove 'match' (the "
		               "ledger remembers what was written)",
		               o->name, kind_noun(o->kind));
	if ((error = check_shape(ld, o)) < 0 || (error = conflicts(ld, o)) < 0)
		return error;
	if (o->match &&
	    (error = mapped(ld, o, "match", o->match, o->match_line,
	                    "matching on an attribute no record fills "
	                    "would write a new record on every run")) < 0)
		return error;
	if (o->lead_status_attribute &&
	    (error = mapped(ld, o, "lead_status_attribute",
	                    o->lead_status_attribute, o->line,
	                    "map Status to it, e.g. Status: {to: "
	                    "lead_status, type: select}")) < 0)
		return error;
	for (i = 0; i < o->n_record_types; i++)
		if (o->record_types[i].option && !o->record_type_attribute)
			return mf_fail(
			    ld, o->record_types[i].line,
			    "%s: record type %s becomes option '%s', "
			    "but there is no record_type_attribute "
			    "(the select attribute it goes to)",
			    o->name, o->record_types[i].name,
			    o->record_types[i].option);
	if (o->record_type_attribute && !o->n_record_types)
		return mf_fail(ld, o->line,
		               "%s: record_type_attribute without "
		               "record_types: list what each record type "
		               "becomes",
		               o->name);
	if (o->record_type_attribute && field_to(o, o->record_type_attribute))
		return mf_fail(ld, field_to(o, o->record_type_attribute)->line,
		               "%s.%s goes to '%s', which record types fill "
		               "(record_type_attribute): map one of them "
		               "elsewhere",
		               o->name,
		               field_to(o, o->record_type_attribute)->name,
		               o->record_type_attribute);
	return check_dedup(ld, o);
}

int mf_check_all(struct mf_loader *ld)
{
	struct ferry_mapfile *m = ld->m;
	struct ferry_mapfile_index *written =
	    mf_index_new(ld->arena, m->n_objects);
	const struct ferry_mapfile_object *c;
	size_t i, j;

	for (i = 0; i < m->n_objects; i++)
		if (m->objects[i].kind == FERRY_MF_RECORDS)
			mf_index_put(written, m->objects[i].to, &m->objects[i]);
	for (i = 0; i < m->n_objects; i++) {
		struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind == FERRY_MF_NOWHERE)
			continue;
		for (j = 0; j < o->dedup.n_against; j++) {
			const struct ferry_mapfile_object *a =
			    o->dedup.against[j];

			if (a->kind != FERRY_MF_RECORDS || strcmp(a->to, o->to))
				return mf_fail(
				    ld, o->dedup.against_line,
				    "%s.dedup.against: %s is written "
				    "to %s, not to %s: only records "
				    "of one Attio object are matched "
				    "with each other",
				    o->name, a->name,
				    a->to ? a->to : "nowhere (to: null)",
				    o->to);
		}
		if (o->comments && (c = mf_index_get(m->index, o->comments)) &&
		    c->kind != FERRY_MF_NOWHERE)
			return mf_fail(ld, c->line,
			               "%s is written as %s.comments: set its "
			               "own 'to: null', or remove 'comments' "
			               "from %s",
			               c->name, o->name, o->name);
		for (j = 0; j < o->n_fields; j++) {
			const struct ferry_mapfile_field *f = &o->fields[j];

			if (f->object && !mf_index_get(written, f->object))
				mf_warn(ld, f->line,
				        "%s.%s points at %s, but no object of "
				        "this mapping is written to %s: only "
				        "records already in Attio will be "
				        "found",
				        o->name, f->name, f->object, f->object);
		}
	}
	for (i = 0; i < m->n_tables; i++)
		if (!m->tables[i].used)
			mf_warn(ld, m->tables[i].line,
			        "value table '%s' is not used: no field names "
			        "it in 'values'",
			        m->tables[i].name);
	return 0;
}
