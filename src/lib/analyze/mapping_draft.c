/* mapping_draft.c: the draft mapping.yaml, written from the report: each
 * staged object with its Attio object and matching attribute (or to: null
 * and why), each field with its attribute (Attio's standard ones where
 * they fit, a snake_case custom slug otherwise), the fields left out, a
 * value table per picklist, and the owners section. The format is
 * described in docs/mapping-draft.md. */
#include "util.h"

#include "analyze_int.h"

#define WRAP 78

static const char *str(const json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s ? s : "";
}

struct draft {
	struct ferry_buf *out;
	struct ferry_workspace *ws;
	json_t *tables; /* "Account.Industry" -> picklist, in order */
	int error;
};

static void put(struct draft *d, const char *s)
{
	if (!d->error)
		d->error = ferry_buf_puts(d->out, s);
}

static void scalar(struct draft *d, const char *s)
{
	if (!d->error)
		d->error = an_yaml_scalar(d->out, s);
}

/* A comment holds one line. */
static void comment(struct draft *d, const char *s)
{
	char *copy = ferry_xstrdup(s), *p;

	for (p = copy; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	put(d, copy);
	free(copy);
}

/* Reference targets from the object's describe: field -> the one object
 * it points at (polymorphic fields have none). */
static json_t *ref_targets(struct draft *d, const char *object)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	json_t *out = json_object(), *desc, *f;
	char name[128];
	size_t i;

	snprintf(name, sizeof(name), "salesforce/describe/%s", object);
	if (ferry_facts_get(d->ws, name, &b) < 0)
		goto done;
	desc = json_loadb(b.ptr, b.len, 0, NULL);
	json_array_foreach(json_object_get(desc, "fields"), i, f)
	{
		json_t *to = json_object_get(f, "referenceTo");

		if (json_array_size(to) == 1 &&
		    json_is_string(json_array_get(to, 0)))
			json_object_set(out, str(f, "name"),
			                json_array_get(to, 0));
	}
	json_decref(desc);
done:
	ferry_error_clear();
	ferry_buf_release(&b);
	return out;
}

static bool selectish(const char *type)
{
	return !strcmp(type, "select") || !strcmp(type, "multiselect") ||
	       !strcmp(type, "status");
}

struct mapped {
	bool on;
	struct an_attr attr;
};

/* Attributes for every field; custom slugs that collide with one taken
 * earlier (listed attributes first) get a _2, _3 suffix. */
static void decide(struct draft *d, const char *object, json_t *fields,
                   struct mapped *m)
{
	json_t *targets = ref_targets(d, object), *f;
	struct an_map used = {0};
	size_t i, len;
	int pass, k;

	json_array_foreach(fields, i, f)
	{
		const char *target = str(targets, str(f, "name"));
		const struct an_object_rule *r =
		    *target ? an_rule_object(target) : NULL;
		m[i].on = an_rule_field(
		    &m[i].attr, object, str(f, "name"), str(f, "type"),
		    json_integer_value(json_object_get(f, "filled")),
		    r ? r->to : NULL);
	}
	for (pass = 0; pass < 2; pass++) {
		json_array_foreach(fields, i, f)
		{
			struct an_attr *a = &m[i].attr;

			if (!m[i].on || a->listed != (pass == 0))
				continue;
			if (pass == 1 && an_map_get(&used, a->to)) {
				len = strlen(a->to);
				for (k = 2; k < 100; k++) {
					snprintf(a->to + len,
					         sizeof(a->to) - len, "_%d", k);
					if (!an_map_get(&used, a->to))
						break;
				}
			}
			an_map_put(&used, a->to, NULL);
		}
	}
	an_map_free(&used);
	json_decref(targets);
}

static void field_line(struct draft *d, const char *object, const json_t *f,
                       const struct an_attr *a)
{
	char table[160];

	put(d, "      ");
	scalar(d, str(f, "name"));
	put(d, ": {to: ");
	scalar(d, a->to);
	put(d, ", type: ");
	put(d, a->type);
	if (*a->part) {
		put(d, ", part: ");
		put(d, a->part);
	}
	if (*a->object) {
		put(d, ", object: ");
		put(d, a->object);
	}
	if (selectish(a->type) &&
	    json_is_object(json_object_get(f, "picklist"))) {
		snprintf(table, sizeof(table), "%s.%s", object, str(f, "name"));
		put(d, ", values: ");
		scalar(d, table);
		json_object_set(d->tables, table,
		                json_object_get(f, "picklist"));
	}
	put(d, "}");
	if (json_is_true(json_object_get(f, "calculated")))
		put(d,
		    "   # a formula in Salesforce: copied as a static value");
	else if (!strcmp(str(f, "name"), "WhoId") && !strcmp(a->to, "parent"))
		put(d, "   # used when WhatId is blank");
	put(d, "\n");
}

/* "# not mapped yet: Fax (phone), Sic (string)", wrapped. */
static void unmapped_lines(struct draft *d, json_t *fields,
                           const struct mapped *m)
{
	struct ferry_buf line = FERRY_BUF_INIT;
	const char *lead = "      # not mapped yet: ";
	json_t *f;
	size_t i;
	char item[200];

	json_array_foreach(fields, i, f)
	{
		if (m[i].on)
			continue;
		snprintf(item, sizeof(item), "%s (%s)", str(f, "name"),
		         str(f, "type"));
		if (line.len && line.len + strlen(item) + 2 > WRAP) {
			put(d, line.ptr);
			put(d, ",\n");
			ferry_buf_clear(&line);
		}
		if (!line.len) {
			if (!d->error)
				d->error = ferry_buf_puts(&line, lead);
			lead = "      #   ";
		} else if (!d->error) {
			d->error = ferry_buf_puts(&line, ", ");
		}
		if (!d->error)
			d->error = ferry_buf_puts(&line, item);
	}
	if (line.len) {
		put(d, line.ptr);
		put(d, "\n");
	}
	ferry_buf_release(&line);
}

/* The loader refuses a `match` no field fills (every run would write the
 * records again), so the draft matches only on an attribute one of its
 * fields goes to: an object staged with no record (or whose matching
 * field is not in the staged columns) is drafted with match: null and
 * what to write once it has one. */
static void match_line(struct draft *d, const json_t *obj,
                       const struct an_object_rule *rule, json_t *fields,
                       const struct mapped *m)
{
	char why[320];
	json_t *f;
	size_t i;
	int64_t n;

	if (!rule->match) {
		put(d, "    match: null   # notes and files are not matched: "
		       "the ledger remembers what was written\n");
		return;
	}
	json_array_foreach(fields, i, f)
	{
		if (m[i].on && !strcmp(m[i].attr.to, rule->match)) {
			put(d, "    match: ");
			put(d, rule->match);
			put(d, "\n");
			return;
		}
	}
	n = json_integer_value(json_object_get(obj, "count"));
	snprintf(why, sizeof(why),
	         "no field goes to %s (%s %s staged): once %s is staged, run "
	         "ferry analyze again, or map %s to %s and set match: %s",
	         rule->match, an_num(n).s, n == 1 ? "record" : "records",
	         rule->match_field, rule->match_field, rule->match,
	         rule->match);
	put(d, "    match: null   # ");
	comment(d, why);
	put(d, "\n");
}

static void mapped_object(struct draft *d, const json_t *obj,
                          const struct an_object_rule *rule)
{
	json_t *fields = json_object_get(obj, "fields"), *f;
	struct mapped *m =
	    ferry_xcalloc(json_array_size(fields) + 1, sizeof(*m));
	size_t i, n = 0;

	decide(d, str(obj, "name"), fields, m);
	put(d, "    to: ");
	put(d, rule->to);
	put(d, "\n");
	match_line(d, obj, rule, fields, m);
	if (rule->note) {
		put(d, "    # ");
		comment(d, rule->note);
		put(d, "\n");
	}
	if (!strcmp(rule->object, "Lead"))
		put(d, "    # converted leads (IsConverted) are left out: they "
		       "live on as contacts\n");
	json_array_foreach(fields, i, f) n += m[i].on;
	put(d, n ? "    fields:\n" : "    fields: {}\n");
	json_array_foreach(fields, i, f)
	{
		if (m[i].on)
			field_line(d, str(obj, "name"), f, &m[i].attr);
	}
	unmapped_lines(d, fields, m);
	free(m);
}

static void value_tables(struct draft *d)
{
	const char *key;
	json_t *pl, *v;
	size_t i;

	if (!json_object_size(d->tables)) {
		put(d, "value_tables: {}\n");
		return;
	}
	put(d, "value_tables:\n");
	json_object_foreach(d->tables, key, pl)
	{
		put(d, "  ");
		scalar(d, key);
		put(d, ":\n    unmapped: hold   # hold | default | skip\n");
		if (!json_array_size(json_object_get(pl, "values"))) {
			put(d, "    values: {}\n");
			continue;
		}
		put(d, "    values:\n");
		json_array_foreach(json_object_get(pl, "values"), i, v)
		{
			put(d, "      ");
			scalar(d, str(v, "value"));
			put(d, ": ");
			scalar(d, str(v, "value"));
			if (json_is_false(json_object_get(v, "defined")))
				put(d,
				    "   # in use, not defined in Salesforce");
			else if (json_integer_value(
			             json_object_get(v, "count")) == 0)
				put(d,
				    "   # defined in Salesforce, not in use");
			put(d, "\n");
		}
	}
}

static int by_load_order(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	int ox = an_rule_order(str(x, "name")),
	    oy = an_rule_order(str(y, "name"));

	if (ox != oy)
		return ox < oy ? -1 : 1;
	return strcmp(str(x, "name"), str(y, "name"));
}

int an_mapping_render(struct ferry_buf *out, const json_t *report,
                      struct ferry_workspace *ws)
{
	struct draft d = {.out = out, .ws = ws, .tables = json_object()};
	json_t *objects = json_object_get(report, "objects");
	size_t n = json_array_size(objects), i;
	const json_t **sorted = ferry_xcalloc(n + 1, sizeof(*sorted));

	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(objects, i);
	qsort(sorted, n, sizeof(*sorted), by_load_order);
	put(&d, "# mapping.yaml: drafted by `ferry analyze` on ");
	comment(&d, str(report, "generated_at"));
	put(&d, ".\n# Edit it: `ferry analyze` never overwrites a mapping you "
	        "have changed.\nversion: 1\n");
	put(&d, n ? "objects:\n" : "objects: {}\n");
	for (i = 0; i < n; i++) {
		const char *name = str(sorted[i], "name");
		const struct an_object_rule *rule = an_rule_object(name);

		put(&d, "  ");
		scalar(&d, name);
		put(&d, ":\n");
		if (rule) {
			mapped_object(&d, sorted[i], rule);
			continue;
		}
		put(&d, "    to: null   # ");
		if (strcmp(str(sorted[i], "status"), "auto"))
			put(&d, "manual_review: ");
		comment(&d, str(sorted[i], "status_reason"));
		put(&d, "\n");
	}
	value_tables(&d);
	put(&d, "owners:\n  match: email\n"
	        "  # Salesforce owner id -> Attio member email, for owners "
	        "whose email\n"
	        "  # matches no member (queues, inactive users), e.g. "
	        "\"005...\": someone@yourco.com\n"
	        "  table: {}\n");
	free(sorted);
	json_decref(d.tables);
	return d.error;
}
