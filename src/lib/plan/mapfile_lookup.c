/* mapfile_lookup.c: what the plan stage asks a loaded mapping: an object,
 * a field or a value table by name, what a picklist value becomes, who an
 * owner is, whether a domain is personal, whether a record passes its
 * object's filter. */
#include "util.h"

#include <ctype.h>
#include <strings.h>

#include "ferry/normalize.h"
#include "mapfile_int.h"

const struct ferry_mapfile_object *
ferry_mapfile_object(const struct ferry_mapfile *m, const char *name)
{
	return mf_index_get(m->index, name);
}

const struct ferry_mapfile_field *
ferry_mapfile_field(const struct ferry_mapfile_object *o, const char *name)
{
	return mf_index_get(o->index, name);
}

const struct ferry_mapfile_table *
ferry_mapfile_table(const struct ferry_mapfile *m, const char *name)
{
	return mf_index_get(m->table_index, name);
}

const struct ferry_mapfile_record_type *
ferry_mapfile_record_type(const struct ferry_mapfile_object *o,
                          const char *developer_name)
{
	size_t i;

	for (i = 0; i < o->n_record_types; i++)
		if (!strcmp(o->record_types[i].name, developer_name))
			return &o->record_types[i];
	return NULL;
}

int ferry_mapfile_value(const struct ferry_mapfile *m, const char *table,
                        const char *value, const char **title_out,
                        enum ferry_mapfile_rule *rule_out)
{
	const struct ferry_mapfile_table *t = ferry_mapfile_table(m, table);
	const struct ferry_mapfile_value *v;
	const char *start = value, *end;
	char *trimmed;

	if (!t)
		return ferry_error_set(
		    FERRY_ENOTFOUND, "%s: no value table '%s'", m->path, table);
	/* As it is first, then trimmed: a table may list " Banking" apart
	 * from "Banking" (analyze lists the values in use as they are). */
	if (!(v = mf_index_get(t->index, value))) {
		while (isspace((unsigned char)*start))
			start++;
		end = start + strlen(start);
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (start != value || *end) {
			trimmed = ferry_xstrndup(start, (size_t)(end - start));
			v = mf_index_get(t->index, trimmed);
			free(trimmed);
		}
	}
	if (v) {
		*rule_out = FERRY_MF_MAPPED;
		if (title_out)
			*title_out = v->title;
		return 0;
	}
	*rule_out = t->unmapped;
	if (title_out)
		*title_out =
		    t->unmapped == FERRY_MF_DEFAULT ? t->default_title : NULL;
	return 0;
}

const char *ferry_mapfile_owner(const struct ferry_mapfile *m,
                                const char *owner)
{
	const struct ferry_mapfile_owner *o;
	char *key = mf_owner_key(owner);

	o = mf_index_get(m->owners.index, key);
	free(key);
	return o ? o->member : NULL;
}

const char *ferry_mapfile_owner_default(const struct ferry_mapfile *m,
                                        const char *object)
{
	size_t i;

	for (i = 0; i < m->owners.n_default_for; i++)
		if (!strcmp(m->owners.default_for[i]->name, object))
			return m->owners.default_member;
	return NULL;
}

bool ferry_mapfile_personal_domain(const struct ferry_mapfile *m,
                                   const char *domain)
{
	size_t i;

	if (ferry_is_personal_domain(domain))
		return true;
	for (i = 0; i < m->n_personal_domains; i++)
		if (ferry_str_iequal(m->personal_domains[i], domain))
			return true;
	return false;
}

/* `have` (a record's value) against `want` (a filter's): trimmed, case
 * ignored, true/false also written 1/0. */
static bool same_value(const char *have, const char *want)
{
	const char *end;
	size_t len;

	while (isspace((unsigned char)*have))
		have++;
	end = have + strlen(have);
	while (end > have && isspace((unsigned char)end[-1]))
		end--;
	len = (size_t)(end - have);
	if (len == strlen(want) && !strncasecmp(have, want, len))
		return true;
	if (len == 1 && *have == '1')
		return ferry_str_iequal(want, "true");
	if (len == 1 && *have == '0')
		return ferry_str_iequal(want, "false");
	return false;
}

static bool holds(const struct ferry_mapfile_condition *c, json_t *fields)
{
	const char *have = json_string_value(json_object_get(fields, c->field));
	size_t i;

	for (i = 0; i < c->n_values; i++)
		if (same_value(have ? have : "", c->values[i]))
			return true;
	return false;
}

bool ferry_mapfile_keep(const struct ferry_mapfile_object *o, json_t *fields,
                        const struct ferry_mapfile_condition **why)
{
	size_t i;

	for (i = 0; i < o->n_skip_if; i++)
		if (holds(&o->skip_if[i], fields)) {
			if (why)
				*why = &o->skip_if[i];
			return false;
		}
	for (i = 0; i < o->n_only_if; i++)
		if (!holds(&o->only_if[i], fields)) {
			if (why)
				*why = &o->only_if[i];
			return false;
		}
	return true;
}

const char *ferry_mapfile_type_name(enum ferry_mapfile_type t)
{
	if ((int)t < 0 || (int)t >= FERRY_MF_TYPE_COUNT)
		return "unknown";
	return mf_type_names()[t];
}

const char *ferry_mapfile_part_name(enum ferry_mapfile_part p)
{
	if ((int)p < 0 || (int)p >= FERRY_MF_PART_COUNT)
		return "unknown";
	return mf_part_names()[p];
}
