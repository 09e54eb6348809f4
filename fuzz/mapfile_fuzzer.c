/* mapfile_fuzzer.c: feeds arbitrary bytes to the mapping.yaml loader as
 * the file a person edits. It must load or refuse with a message, never
 * crash, leak or loop; what it loads must hold together: every lookup by
 * name finds what the arrays hold, the load order lists each migrated
 * object once, every value of a table looks up to its own title, every
 * owner of the table to a member. */
#include "util.h"

#include "ferry/mapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ferry_mapfile *m)
{
	const char *title;
	enum ferry_mapfile_rule rule;
	size_t i, j, migrated = 0;

	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		if (ferry_mapfile_object(m, o->name) != o)
			abort();
		for (j = 0; j < o->n_fields; j++)
			if (ferry_mapfile_field(o, o->fields[j].name) !=
			        &o->fields[j] ||
			    !o->fields[j].to || o->fields[j].line <= 0)
				abort();
		if (o->kind != FERRY_MF_NOWHERE) {
			migrated++;
			if (o->order >= m->n_order || m->order[o->order] != o)
				abort();
		} else if (o->order != SIZE_MAX) {
			abort();
		}
	}
	if (migrated != m->n_order)
		abort();
	for (i = 0; i < m->n_tables; i++) {
		const struct ferry_mapfile_table *t = &m->tables[i];

		for (j = 0; j < t->n_values; j++) {
			if (ferry_mapfile_value(m, t->name, t->values[j].from,
			                        &title, &rule) < 0)
				abort();
			if (rule != FERRY_MF_MAPPED ||
			    strcmp(title, t->values[j].title))
				abort();
		}
	}
	for (i = 0; i < m->owners.n_table; i++)
		if (!ferry_mapfile_owner(m, m->owners.table[i].from))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_mapfile *m = NULL;

	ferry_error_clear();
	if (ferry_mapfile_parse(&m, "mapping.yaml", (const char *)data, size) <
	    0) {
		/* A refusal always says why. */
		if (m || !*ferry_error_last())
			abort();
		return 0;
	}
	check(m);
	ferry_mapfile_free(m);
	return 0;
}
