/* mapfile_tables.c: mapping.yaml's value tables (a Salesforce value ->
 * the Attio option title, and what happens to a value the table lacks)
 * and its owners section (Salesforce owners -> Attio workspace members). */
#include "util.h"

#include <ctype.h>

#include "ferry/normalize.h"
#include "mapfile_int.h"

enum table_key { TBL_UNMAPPED, TBL_DEFAULT, TBL_VALUES };
static const char *const table_keys[] = {"unmapped", "default", "values", NULL};
/* Indexed from FERRY_MF_HOLD. */
static const char *const unmapped_rules[] = {"hold", "default", "skip", NULL};

static int on_value(struct mf_loader *ld, const char *name, yaml_node_t *key,
                    yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_table *t = ld->table;
	struct ferry_mapfile_value *v = &t->values[t->n_values];
	const char *title;
	int error;

	(void)payload;
	if (!*name)
		return mf_fail(ld, mf_line(key),
		               "value table '%s': an empty value is never "
		               "looked up (a blank field writes nothing; give "
		               "the field a 'default' instead)",
		               t->name);
	if (mf_is_null(value))
		return mf_fail(
		    ld, mf_line(value),
		    "value table '%s': '%.80s' maps to nothing: give "
		    "the Attio option title, or remove the line to "
		    "let 'unmapped' decide",
		    t->name, name);
	if ((error = mf_scalar(&title, ld, "an option title", value)) < 0)
		return error;
	if (!*title)
		return mf_fail(ld, mf_line(value),
		               "value table '%s': '%.80s' maps to an empty "
		               "title: give the Attio option title, or remove "
		               "the line to let 'unmapped' decide",
		               t->name, name);
	v->from = mf_strdup(ld->arena, name);
	v->title = mf_strdup(ld->arena, title);
	v->line = mf_line(key);
	mf_index_put(t->index, v->from, v);
	t->n_values++;
	return 0;
}

static int on_table_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_table *t = ld->table;
	char what[300];
	int rule, error;

	snprintf(what, sizeof(what), "%s: '%s'", ld->where, table_keys[key]);
	switch ((enum table_key)key) {
	case TBL_UNMAPPED:
		if ((error =
		         mf_choice(&rule, ld, what, value, unmapped_rules)) < 0)
			return error;
		t->unmapped = (enum ferry_mapfile_rule)(rule + FERRY_MF_HOLD);
		return 0;
	case TBL_DEFAULT:
		return mf_string(&t->default_title, ld, what, value);
	case TBL_VALUES:
		if ((error = mf_need_mapping(
		         ld, what, value, "{Banking: Financial services}")) < 0)
			return error;
		t->values =
		    mf_array(ld->arena, mf_size(value), sizeof(*t->values));
		t->index = mf_index_new(ld->arena, mf_size(value));
		return mf_names(ld, value, ld->where, on_value, NULL);
	}
	return 0;
}

static int on_table(struct mf_loader *ld, const char *name, yaml_node_t *key,
                    yaml_node_t *value, void *payload)
{
	struct ferry_mapfile *m = ld->m;
	struct ferry_mapfile_table *t = &m->tables[m->n_tables];
	int error;

	(void)payload;
	if (!*name)
		return mf_fail(ld, mf_line(key),
		               "a value table needs a name, such as "
		               "Account.Industry");
	t->name = mf_strdup(ld->arena, name);
	t->line = mf_line(key);
	t->unmapped = FERRY_MF_HOLD;
	snprintf(ld->where, sizeof(ld->where), "value table '%.120s'", name);
	if ((error = mf_need_mapping(ld, ld->where, value,
	                             "{unmapped: hold, values: {...}}")) < 0)
		return error;
	ld->table = t;
	if ((error = mf_walk(ld, value, ld->where, table_keys, on_table_key,
	                     NULL)) < 0)
		return error;
	if (!t->index)
		t->index = mf_index_new(ld->arena, 0);
	if (t->unmapped == FERRY_MF_DEFAULT && !t->default_title)
		return mf_fail(ld, t->line,
		               "value table '%s' says 'unmapped: default' but "
		               "gives no 'default' (the Attio option title a "
		               "value not in the table becomes)",
		               t->name);
	if (t->unmapped != FERRY_MF_DEFAULT && t->default_title)
		return mf_fail(
		    ld, t->line,
		    "value table '%s' has a 'default' but 'unmapped' "
		    "is %s: write 'unmapped: default' to use it, or "
		    "remove 'default'",
		    t->name, unmapped_rules[t->unmapped - FERRY_MF_HOLD]);
	mf_index_put(m->table_index, t->name, t);
	m->n_tables++;
	return 0;
}

int mf_value_tables(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_mapfile *m = ld->m;
	int error;

	if ((error = mf_need_mapping(ld, "value_tables", node,
	                             "{Account.Industry: {unmapped: hold, "
	                             "values: {...}}}")) < 0)
		return error;
	m->tables = mf_array(ld->arena, mf_size(node), sizeof(*m->tables));
	m->table_index = mf_index_new(ld->arena, mf_size(node));
	return mf_names(ld, node, "value_tables", on_table, NULL);
}

/* --- owners --- */

enum owner_key { OWN_MATCH, OWN_TABLE, OWN_DEFAULT, OWN_DEFAULT_FOR };
static const char *const owner_keys[] = {"match", "table", "default",
                                         "default_for", NULL};
static const char *const owner_matches[] = {"email", "table", NULL};

static bool is_sf_id(const char *s)
{
	size_t i, len = strlen(s);

	if (len != 15 && len != 18)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

char *mf_owner_key(const char *owner)
{
	char *key = ferry_str_trim(ferry_xstrdup(owner));

	if (strchr(key, '@'))
		return ferry_str_lower(key);
	if (is_sf_id(key))
		key[15] = '\0';
	return key;
}

static int member_email(const char **out, struct mf_loader *ld,
                        const char *what, const yaml_node_t *node)
{
	struct ferry_buf display = FERRY_BUF_INIT;
	const char *v;
	int error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (ferry_normalize_email(&display, NULL, v) < 0) {
		error = mf_fail(ld, mf_line(node),
		                "%s must be an Attio workspace member's email, "
		                "not '%.80s'",
		                what, v);
		goto done;
	}
	*out = mf_strdup(ld->arena, display.ptr);
done:
	ferry_buf_release(&display);
	return error;
}

static int on_owner(struct mf_loader *ld, const char *name, yaml_node_t *key,
                    yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_owners *o = &ld->m->owners;
	struct ferry_mapfile_owner *e = &o->table[o->n_table];
	char *k;
	int error;

	(void)payload;
	if (!strchr(name, '@') && !is_sf_id(name))
		return mf_fail(ld, mf_line(key),
		               "owners.table: '%.80s' is neither a Salesforce "
		               "user or queue id (005..., 00G..., 15 or 18 "
		               "characters) nor an email",
		               name);
	if (mf_is_null(value))
		return mf_fail(ld, mf_line(value),
		               "owners.table: '%.80s' maps to nobody: give the "
		               "Attio member's email",
		               name);
	if ((error = member_email(&e->member, ld, "an owners.table entry",
	                          value)) < 0)
		return error;
	e->from = mf_strdup(ld->arena, name);
	e->line = mf_line(key);
	k = mf_owner_key(name);
	if (mf_index_put(o->index, mf_strdup(ld->arena, k), e)) {
		free(k);
		return mf_fail(ld, e->line,
		               "owners.table: '%.80s' is given twice (an 18- "
		               "and a 15-character id name the same user)",
		               name);
	}
	free(k);
	o->n_table++;
	return 0;
}

static int on_owner_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_owners *o = &ld->m->owners;
	const char *const *names;
	int *lines, which, error;
	size_t n, i;

	switch ((enum owner_key)key) {
	case OWN_MATCH:
		if ((error = mf_choice(&which, ld, "owners.match", value,
		                       owner_matches)) < 0)
			return error;
		o->by_email = which == 0;
		return 0;
	case OWN_TABLE:
		if ((error = mf_need_mapping(
		         ld, "owners.table", value,
		         "{\"005A000000AbCdE\": someone@yourco.com}")) < 0)
			return error;
		o->table =
		    mf_array(ld->arena, mf_size(value), sizeof(*o->table));
		o->index = mf_index_new(ld->arena, mf_size(value));
		return mf_names(ld, value, "owners.table", on_owner, NULL);
	case OWN_DEFAULT:
		o->default_line = ld->key_line;
		return member_email(&o->default_member, ld, "owners.default",
		                    value);
	case OWN_DEFAULT_FOR:
		o->default_for_line = ld->key_line;
		if ((error = mf_list(&names, &lines, &n, ld,
		                     "owners.default_for", value)) < 0)
			return error;
		o->default_for =
		    mf_array(ld->arena, n, sizeof(*o->default_for));
		for (i = 0; i < n; i++) {
			struct ferry_mapfile_object *obj;

			if ((error =
			         mf_find_object(&obj, ld, "owners.default_for",
			                        names[i], lines[i])) < 0)
				return error;
			o->default_for[i] = obj;
		}
		o->n_default_for = n;
		return 0;
	}
	return 0;
}

int mf_owners(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_mapfile_owners *o = &ld->m->owners;
	unsigned seen = 0;
	int error;

	if ((error = mf_need_mapping(ld, "owners", node,
	                             "{match: email, table: {}}")) < 0)
		return error;
	if ((error = mf_walk(ld, node, "owners", owner_keys, on_owner_key,
	                     &seen)) < 0)
		return error;
	if (!o->index)
		o->index = mf_index_new(ld->arena, 0);
	if (o->default_member && !o->n_default_for)
		return mf_fail(ld, o->default_line,
		               "owners.default is used only for the objects "
		               "listed in owners.default_for (elsewhere an "
		               "owner nobody matches holds the record): list "
		               "them, e.g. default_for: [Task, Event]");
	if (o->n_default_for && !o->default_member)
		return mf_fail(ld, o->default_for_line,
		               "owners.default_for needs owners.default: the "
		               "member email those records go to");
	return 0;
}
