/* mapfile_rules.c: the rules an object of mapping.yaml may carry besides
 * its fields: the filter that leaves records out, defaults for attributes
 * a record leaves empty, record types, dedup (keys, survivor, attribute
 * rules, the objects matched against) and the link of to: links. */
#include "util.h"

#include "mapfile_int.h"

/* --- filter --- */

struct conditions {
	struct ferry_mapfile_condition *list;
	size_t n;
};

static int on_condition(struct mf_loader *ld, const char *name,
                        yaml_node_t *key, yaml_node_t *value, void *payload)
{
	struct conditions *c = payload;
	struct ferry_mapfile_condition *cond = &c->list[c->n];
	const char **values;
	yaml_node_item_t *it;
	const char *v;
	size_t n = 0;
	int error;

	if ((error = mf_api_name(&cond->field, ld, "a filter field", name,
	                         mf_line(key))) < 0)
		return error;
	cond->line = mf_line(key);
	if (value->type == YAML_MAPPING_NODE)
		return mf_fail(ld, mf_line(value),
		               "%s: the filter on %s must be a value or a list "
		               "of values, not a mapping",
		               ld->obj->name, name);
	/* Any of a list; a blank (null or "") matches a blank field. */
	values = mf_array(ld->arena, mf_size(value) + 1, sizeof(*values));
	if (value->type == YAML_SCALAR_NODE) {
		if ((error = mf_scalar(&v, ld, "a filter value", value)) < 0)
			return error;
		values[n++] = mf_strdup(ld->arena, mf_is_null(value) ? "" : v);
	}
	for (it = value->data.sequence.items.start;
	     value->type == YAML_SEQUENCE_NODE &&
	     it < value->data.sequence.items.top;
	     it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

		if (!item)
			continue;
		if ((error = mf_visit(ld, item)) < 0 ||
		    (error = mf_scalar(&v, ld, "a filter value", item)) < 0)
			return error;
		values[n++] = mf_strdup(ld->arena, mf_is_null(item) ? "" : v);
	}
	if (!n)
		return mf_fail(ld, mf_line(value),
		               "%s: the filter on %s lists no value",
		               ld->obj->name, name);
	cond->values = values;
	cond->n_values = n;
	c->n++;
	return 0;
}

static int conditions(struct ferry_mapfile_condition **out, size_t *n_out,
                      struct mf_loader *ld, const char *what, yaml_node_t *node)
{
	struct conditions c = {0};
	int error;

	if ((error = mf_need_mapping(ld, what, node, "{IsDeleted: true}")) < 0)
		return error;
	c.list = mf_array(ld->arena, mf_size(node), sizeof(*c.list));
	if ((error = mf_names(ld, node, what, on_condition, &c)) < 0)
		return error;
	*out = c.list;
	*n_out = c.n;
	return 0;
}

enum filter_key { FLT_SKIP_IF, FLT_ONLY_IF };
static const char *const filter_keys[] = {"skip_if", "only_if", NULL};

static int on_filter_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	char what[160];

	snprintf(what, sizeof(what), "%s.filter.%s", o->name, filter_keys[key]);
	if (key == FLT_SKIP_IF)
		return conditions(&o->skip_if, &o->n_skip_if, ld, what, value);
	return conditions(&o->only_if, &o->n_only_if, ld, what, value);
}

/* --- defaults, record types --- */

static int on_default(struct mf_loader *ld, const char *name, yaml_node_t *key,
                      yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_object *o = ld->obj;
	struct ferry_mapfile_default *d = &o->defaults[o->n_defaults];
	int error;

	(void)payload;
	if (!mf_valid_slug(name))
		return mf_fail(ld, mf_line(key),
		               "%s.defaults: '%.80s' is not an Attio attribute "
		               "slug (lower-case letters, digits and _)",
		               o->name, name);
	d->attribute = mf_strdup(ld->arena, name);
	d->line = mf_line(key);
	if ((error = mf_string(&d->value, ld, "a default value", value)) < 0)
		return error;
	o->n_defaults++;
	return 0;
}

enum rtype_key { RT_OPTION, RT_LIST };
static const char *const rtype_keys[] = {"option", "list", NULL};

static int on_rtype_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_record_type *rt = ld->cur;

	if (key == RT_OPTION)
		return mf_string(&rt->option, ld, "'option'", value);
	return mf_slug(&rt->list, ld, "'list'", value);
}

static int on_record_type(struct mf_loader *ld, const char *name,
                          yaml_node_t *key, yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_object *o = ld->obj;
	struct ferry_mapfile_record_type *rt =
	    &o->record_types[o->n_record_types];
	char section[160];
	int error;

	(void)payload;
	if ((error = mf_api_name(&rt->name, ld, "a record type's DeveloperName",
	                         name, mf_line(key))) < 0)
		return error;
	rt->line = mf_line(key);
	if (value->type == YAML_MAPPING_NODE) {
		snprintf(section, sizeof(section), "%s.record_types.%s",
		         o->name, name);
		ld->cur = rt;
		if ((error = mf_walk(ld, value, section, rtype_keys,
		                     on_rtype_key, NULL)) < 0)
			return error;
	} else if (!mf_is_null(value) &&
	           (error = mf_string(&rt->option, ld, "a record type option",
	                              value)) < 0) {
		return error;
	}
	if (!rt->option && !rt->list)
		return mf_fail(ld, rt->line,
		               "%s.record_types: %s becomes nothing: give the "
		               "option title (Partner: Partner) or a list "
		               "({list: partners})",
		               o->name, name);
	o->n_record_types++;
	return 0;
}

/* --- dedup --- */

enum dedup_key { DD_KEYS, DD_SURVIVOR, DD_UNDECIDED, DD_FIELDS, DD_AGAINST };
static const char *const dedup_keys[] = {"keys",   "survivor", "undecided",
                                         "fields", "against",  NULL};
static const char *const key_kinds[] = {"email", "phone", "domain",
                                        "external_id:<Field>", NULL};
/* Indexed by enum ferry_mapfile_pick. */
static const char *const picks[] = {
    "survivor", "oldest", "newest", "most_complete", "all", "hold", NULL};

static int pick(enum ferry_mapfile_pick *out, struct mf_loader *ld,
                const char *what, yaml_node_t *node, unsigned allowed)
{
	const char *names[FERRY_ARRAY_LEN(picks)];
	int which[FERRY_ARRAY_LEN(picks)], i, n = 0, k, error;

	for (i = 0; picks[i]; i++)
		if (allowed & (1u << i)) {
			which[n] = i;
			names[n++] = picks[i];
		}
	names[n] = NULL;
	if ((error = mf_choice(&k, ld, what, node, names)) < 0)
		return error;
	*out = (enum ferry_mapfile_pick)which[k];
	return 0;
}

#define PICK(p) (1u << (p))

static int dedup_keys_list(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_dedup *d = &ld->obj->dedup;
	const char *const *items;
	const char *field;
	char hint[160];
	int *lines, k, error;
	size_t n, i;

	if ((error = mf_list(&items, &lines, &n, ld, "dedup.keys", value)) < 0)
		return error;
	d->keys = mf_array(ld->arena, n, sizeof(*d->keys));
	for (i = 0; i < n; i++) {
		struct ferry_mapfile_key *key = &d->keys[i];

		key->line = lines[i];
		if (ferry_str_starts_with(items[i], "external_id:")) {
			field = items[i] + strlen("external_id:");
			while (*field == ' ')
				field++;
			key->kind = FERRY_MF_KEY_EXTERNAL_ID;
			if ((error = mf_api_name(&key->field, ld,
			                         "an external_id field", field,
			                         lines[i])) < 0)
				return error;
			continue;
		}
		for (k = 0; k < 3 && strcmp(items[i], key_kinds[k]); k++)
			;
		if (k == 3)
			return mf_fail(ld, lines[i],
			               "%s.dedup: unknown key '%.80s'%s; use "
			               "email, phone, "
			               "domain or external_id:<Field>",
			               ld->obj->name, items[i],
			               mf_did_you_mean(hint, sizeof(hint),
			                               items[i], key_kinds, 4));
		key->kind = (enum ferry_mapfile_key_kind)k;
	}
	d->n_keys = n;
	return 0;
}

static int on_dedup_attr(struct mf_loader *ld, const char *name,
                         yaml_node_t *key, yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_dedup *d = &ld->obj->dedup;
	struct ferry_mapfile_attr_rule *r = &d->attributes[d->n_attributes];
	int error;

	(void)payload;
	if (!mf_valid_slug(name))
		return mf_fail(ld, mf_line(key),
		               "%s.dedup.fields: '%.80s' is not an Attio "
		               "attribute slug (lower-case letters, digits "
		               "and _)",
		               ld->obj->name, name);
	r->attribute = mf_strdup(ld->arena, name);
	r->line = mf_line(key);
	if ((error = pick(&r->pick, ld, "the rule of an attribute", value,
	                  PICK(FERRY_MF_PICK_SURVIVOR) |
	                      PICK(FERRY_MF_PICK_OLDEST) |
	                      PICK(FERRY_MF_PICK_NEWEST) |
	                      PICK(FERRY_MF_PICK_MOST_COMPLETE) |
	                      PICK(FERRY_MF_PICK_ALL))) < 0)
		return error;
	d->n_attributes++;
	return 0;
}

static int on_dedup_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	struct ferry_mapfile_dedup *d = &o->dedup;
	const char *const *names;
	int *lines, error;
	size_t n, i;

	switch ((enum dedup_key)key) {
	case DD_KEYS:
		return dedup_keys_list(ld, value);
	case DD_SURVIVOR:
		return pick(&d->survivor, ld, "dedup.survivor", value,
		            PICK(FERRY_MF_PICK_OLDEST) |
		                PICK(FERRY_MF_PICK_NEWEST) |
		                PICK(FERRY_MF_PICK_MOST_COMPLETE));
	case DD_UNDECIDED:
		return pick(&d->undecided, ld, "dedup.undecided", value,
		            PICK(FERRY_MF_PICK_HOLD) |
		                PICK(FERRY_MF_PICK_OLDEST) |
		                PICK(FERRY_MF_PICK_NEWEST));
	case DD_FIELDS:
		if ((error = mf_need_mapping(ld, "dedup.fields", value,
		                             "{job_title: newest}")) < 0)
			return error;
		d->attributes =
		    mf_array(ld->arena, mf_size(value), sizeof(*d->attributes));
		return mf_names(ld, value, "dedup.fields", on_dedup_attr, NULL);
	case DD_AGAINST:
		d->against_line = ld->key_line;
		if ((error = mf_list(&names, &lines, &n, ld, "dedup.against",
		                     value)) < 0)
			return error;
		d->against = mf_array(ld->arena, n, sizeof(*d->against));
		for (i = 0; i < n; i++) {
			struct ferry_mapfile_object *other;

			if ((error = mf_find_object(&other, ld, "dedup.against",
			                            names[i], lines[i])) < 0)
				return error;
			if (other == o)
				return mf_fail(ld, lines[i],
				               "%s.dedup.against names %s "
				               "itself: its records are always "
				               "matched with each other",
				               o->name, o->name);
			d->against[i] = other;
		}
		d->n_against = n;
		return 0;
	}
	return 0;
}

/* --- links --- */

enum link_key { LNK_RECORD, LNK_ATTRIBUTE, LNK_ADD };
static const char *const link_keys[] = {"record", "attribute", "add", NULL};

static int on_link_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_link *l = &ld->obj->link;
	const char *v;
	int error;

	if (key == LNK_ATTRIBUTE)
		return mf_slug(&l->attribute, ld, "link.attribute", value);
	if ((error = mf_scalar(&v, ld, "a link field", value)) < 0)
		return error;
	return mf_api_name(key == LNK_RECORD ? &l->record : &l->add, ld,
	                   key == LNK_RECORD ? "link.record" : "link.add", v,
	                   mf_line(value));
}

int mf_filter(struct mf_loader *ld, yaml_node_t *value)
{
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.filter", ld->obj->name);
	if ((error = mf_need_mapping(ld, section, value,
	                             "{skip_if: {IsDeleted: true}}")) < 0)
		return error;
	return mf_walk(ld, value, section, filter_keys, on_filter_key, NULL);
}

int mf_defaults(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.defaults", o->name);
	if ((error = mf_need_mapping(ld, section, value, "{stage: Lead}")) < 0)
		return error;
	o->defaults = mf_array(ld->arena, mf_size(value), sizeof(*o->defaults));
	return mf_names(ld, value, section, on_default, NULL);
}

int mf_record_types(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.record_types", o->name);
	if ((error =
	         mf_need_mapping(ld, section, value, "{Partner: Partner}")) < 0)
		return error;
	o->record_types =
	    mf_array(ld->arena, mf_size(value), sizeof(*o->record_types));
	return mf_names(ld, value, section, on_record_type, NULL);
}

int mf_dedup(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.dedup", o->name);
	if ((error = mf_need_mapping(ld, section, value, "{keys: [email]}")) <
	    0)
		return error;
	o->dedup.on = true;
	o->dedup.line = ld->key_line;
	o->dedup.survivor = FERRY_MF_PICK_OLDEST;
	o->dedup.undecided = FERRY_MF_PICK_HOLD;
	return mf_walk(ld, value, section, dedup_keys, on_dedup_key, NULL);
}

int mf_link(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.link", o->name);
	if ((error = mf_need_mapping(ld, section, value,
	                             "{record: OpportunityId, attribute: "
	                             "associated_people, add: ContactId}")) < 0)
		return error;
	o->link.line = ld->key_line;
	return mf_walk(ld, value, section, link_keys, on_link_key, NULL);
}
