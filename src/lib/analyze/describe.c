/* describe.c: the objects analyze looks at and what the source said about
 * them: each object's describe (labels, field types, formulas, picklist
 * values, reference targets), the org's key prefixes and the Tooling
 * counts of its automation. A CSV export has none of these; its fields
 * are typed from their values later (profile.c). */
#include "util.h"

#include "analyze_int.h"

struct an_object *an_object_find(struct analyze *an, const char *name)
{
	int64_t *idx = an_map_get(&an->obj_index, name);

	return idx ? &an->objs[*idx] : NULL;
}

struct an_field *an_field_get(struct an_object *obj, const char *name)
{
	struct an_field *f;
	bool added;
	int64_t *idx = an_map_put(&obj->field_index, name, &added);

	if (!added)
		return &obj->fields[*idx];
	if (obj->n_fields == obj->cap_fields) {
		obj->cap_fields = obj->cap_fields ? obj->cap_fields * 2 : 32;
		obj->fields = ferry_xrealloc(
		    obj->fields, obj->cap_fields * sizeof(*obj->fields));
	}
	*idx = (int64_t)obj->n_fields;
	f = &obj->fields[obj->n_fields++];
	memset(f, 0, sizeof(*f));
	f->name = ferry_xstrdup(name);
	f->label = ferry_xstrdup(name);
	/* A CSV export does not say which columns are picklists: the
	 * standard ones are known by name. */
	if (!obj->described && an_rule_known_picklist(name)) {
		f->type = ferry_xstrdup("picklist");
		f->track = true;
	}
	return f;
}

const char *an_id_object(struct analyze *an, const char *id)
{
	char prefix[4];
	int64_t *idx;

	if (strlen(id) < 15)
		return NULL;
	memcpy(prefix, id, 3);
	prefix[3] = '\0';
	idx = an_map_get(&an->prefixes, prefix);
	if (idx)
		return an->prefix_names[*idx];
	return an_rule_prefix_object(prefix);
}

bool an_is_true(const char *s)
{
	bool b = false;

	return s && *s && ferry_parse_bool(s, &b) == 0 && b;
}

const char *an_get(json_t *fields, const char *name)
{
	const char *s = json_string_value(json_object_get(fields, name));

	return s ? s : "";
}

static void add_prefix(struct analyze *an, const char *prefix, const char *name)
{
	bool added;
	int64_t *idx = an_map_put(&an->prefixes, prefix, &added);

	if (!added)
		return;
	an->prefix_names =
	    ferry_xrealloc(an->prefix_names, (an->n_prefix_names + 1) *
	                                         sizeof(*an->prefix_names));
	*idx = (int64_t)an->n_prefix_names;
	an->prefix_names[an->n_prefix_names++] = ferry_xstrdup(name);
}

static json_t *load_fact(struct analyze *an, const char *name, int *error)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	json_error_t jerr;
	json_t *j = NULL;
	int rc;

	*error = 0;
	rc = ferry_facts_get(an->ws, name, &b);
	if (rc == FERRY_ENOTFOUND)
		goto done;
	if (rc < 0) {
		*error = rc;
		goto done;
	}
	j = json_loadb(b.ptr, b.len, 0, &jerr);
	if (!j)
		*error =
		    ferry_error_set(FERRY_EDB,
		                    "the source fact '%s' in the workspace "
		                    "is not JSON (%s at line %d): run "
		                    "'ferry extract' again",
		                    name, jerr.text, jerr.line);
done:
	ferry_buf_release(&b);
	return j;
}

static void load_picklist(struct an_field *f, json_t *values)
{
	size_t i;
	json_t *v;

	json_array_foreach(values, i, v)
	{
		const char *value =
		    json_string_value(json_object_get(v, "value"));
		bool active = json_is_true(json_object_get(v, "active"));

		if (!value)
			continue;
		*an_map_put(&f->defined, value, NULL) = active ? 1 : 2;
		if (active) {
			f->active = ferry_xrealloc(
			    f->active, (f->n_active + 1) * sizeof(*f->active));
			f->active[f->n_active++] = ferry_xstrdup(value);
		}
	}
}

static void load_describe_field(struct an_object *obj, json_t *jf)
{
	const char *name = json_string_value(json_object_get(jf, "name"));
	const char *label = json_string_value(json_object_get(jf, "label"));
	const char *type = json_string_value(json_object_get(jf, "type"));
	json_t *refs = json_object_get(jf, "referenceTo"), *r;
	struct an_field *f;
	size_t i;

	if (!name || !type)
		return;
	f = an_field_get(obj, name);
	free(f->label);
	f->label = ferry_xstrdup(label ? label : name);
	free(f->type);
	f->type = ferry_xstrdup(type);
	f->described = true;
	f->calculated = json_is_true(json_object_get(jf, "calculated"));
	f->multi = !strcmp(type, "multipicklist");
	f->track = f->multi || !strcmp(type, "picklist");
	if (f->track)
		load_picklist(f, json_object_get(jf, "picklistValues"));
	json_array_foreach(refs, i, r)
	{
		if (!json_is_string(r))
			continue;
		f->ref_to = ferry_xrealloc(f->ref_to, (f->n_ref_to + 1) *
		                                          sizeof(*f->ref_to));
		f->ref_to[f->n_ref_to++] = ferry_xstrdup(json_string_value(r));
	}
}

static int load_describe(struct analyze *an, struct an_object *obj)
{
	char name[128];
	const char *label, *prefix;
	json_t *d, *jf;
	size_t i;
	int error;

	snprintf(name, sizeof(name), "salesforce/describe/%s", obj->name);
	d = load_fact(an, name, &error);
	if (!d)
		return error;
	an->from_api = true;
	obj->described = true;
	label = json_string_value(json_object_get(d, "label"));
	if (label) {
		free(obj->label);
		obj->label = ferry_xstrdup(label);
	}
	obj->custom = json_is_true(json_object_get(d, "custom"));
	prefix = json_string_value(json_object_get(d, "keyPrefix"));
	if (prefix && strlen(prefix) == 3)
		add_prefix(an, prefix, obj->name);
	json_array_foreach(json_object_get(d, "fields"), i, jf)
	    load_describe_field(obj, jf);
	json_decref(d);
	return 0;
}

static int load_global(struct analyze *an)
{
	json_t *g, *o;
	size_t i;
	int error;

	g = load_fact(an, "salesforce/describeGlobal", &error);
	if (!g)
		return error;
	an->from_api = true;
	json_array_foreach(json_object_get(g, "sobjects"), i, o)
	{
		const char *name =
		    json_string_value(json_object_get(o, "name"));
		const char *prefix =
		    json_string_value(json_object_get(o, "keyPrefix"));

		if (name && prefix && strlen(prefix) == 3)
			add_prefix(an, prefix, name);
	}
	json_decref(g);
	return 0;
}

/* Tooling kinds in the order of analyze's automation totals. */
static const char *const tooling[] = {"ApexTrigger", "ApexClass", "Flow",
                                      "ValidationRule", "WorkflowRule"};

static void count_automation(struct analyze *an, size_t kind, json_t *t)
{
	json_t *by = json_object_get(t, "by_object");
	size_t i;

	an->auto_totals[kind] = json_integer_value(json_object_get(t, "total"));
	for (i = 0; i < an->n_objs; i++) {
		struct an_object *obj = &an->objs[i];
		int64_t n = json_integer_value(json_object_get(by, obj->name));

		switch (kind) {
		case 0:
			obj->triggers = n;
			break;
		case 2:
			obj->flows = n;
			break;
		case 3:
			obj->vrules = n;
			break;
		case 4:
			obj->wrules = n;
			break;
		default:
			break;
		}
	}
}

static int load_tooling(struct analyze *an)
{
	char name[128];
	size_t k, i;
	json_t *t;
	int error;

	for (i = 0; i < an->n_objs; i++)
		an->objs[i].triggers = an->objs[i].flows = an->objs[i].vrules =
		    an->objs[i].wrules = -1;
	for (k = 0; k < FERRY_ARRAY_LEN(tooling); k++)
		an->auto_totals[k] = -1;
	for (k = 0; k < FERRY_ARRAY_LEN(tooling); k++) {
		snprintf(name, sizeof(name), "salesforce/tooling/%s",
		         tooling[k]);
		t = load_fact(an, name, &error);
		if (error < 0)
			return error;
		if (!t)
			continue;
		if (!an->automation_known) {
			/* Known: kinds with no fact count as none. */
			an->automation_known = true;
			for (i = 0; i < an->n_objs; i++)
				an->objs[i].triggers = an->objs[i].flows =
				    an->objs[i].vrules = an->objs[i].wrules = 0;
			memset(an->auto_totals, 0, sizeof(an->auto_totals));
		}
		count_automation(an, k, t);
		json_decref(t);
	}
	return 0;
}

int an_load_facts(struct analyze *an)
{
	size_t i;
	int error;

	if ((error = load_global(an)) < 0)
		return error;
	for (i = 0; i < an->n_objs; i++)
		if ((error = load_describe(an, &an->objs[i])) < 0)
			return error;
	an->extract = load_fact(an, "salesforce/extract", &error);
	if (error < 0)
		return error;
	if (an->extract)
		an->from_api = true;
	return load_tooling(an);
}
