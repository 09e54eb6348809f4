/* mapfile_objects.c: mapping.yaml's objects section: each Salesforce
 * object's destination and matching attribute, and the rules that apply to
 * its records that belong to particular objects (person accounts, lead
 * status, activities, case comments, list entries). Fields are read in
 * mapfile_fields.c, the other rules (filter, defaults, record types,
 * dedup, links) in mapfile_rules.c, and the checks that need the whole
 * object in mapfile_link.c. */
#include "util.h"

#include "mapfile_int.h"

enum object_key {
	OBJ_TO,
	OBJ_MATCH,
	OBJ_FIELDS,
	OBJ_RECORD_TYPES,
	OBJ_RECORD_TYPE_ATTRIBUTE,
	OBJ_FILTER,
	OBJ_DEFAULTS,
	OBJ_DEDUP,
	OBJ_LEAD_STATUS,
	OBJ_PERSON_ACCOUNTS,
	OBJ_OPEN,
	OBJ_CLOSED,
	OBJ_TWO_PARENTS,
	OBJ_COMMENTS,
	OBJ_LIST,
	OBJ_LINK,
};
static const char *const object_keys[] = {"to",
                                          "match",
                                          "fields",
                                          "record_types",
                                          "record_type_attribute",
                                          "filter",
                                          "defaults",
                                          "dedup",
                                          "lead_status_attribute",
                                          "person_accounts",
                                          "open",
                                          "closed",
                                          "two_parents",
                                          "comments",
                                          "list",
                                          "link",
                                          NULL};

/* The destinations that are not Attio objects; indexed from
 * FERRY_MF_NOTES. */
static const char *const special_to[] = {"notes",        "tasks", "files",
                                         "list_entries", "links", NULL};
static const char *const open_rules[] = {"tasks", "notes", "skip", NULL};
static const char *const closed_rules[] = {"notes", "tasks", "skip", NULL};
static const char *const parent_rules[] = {"what", "who", "both", NULL};
static const char *const person_rules[] = {"person", "company_and_person",
                                           NULL};

int mf_find_object(struct ferry_mapfile_object **out, struct mf_loader *ld,
                   const char *what, const char *name, int line)
{
	struct ferry_mapfile *m = ld->m;
	const char **names;
	char hint[160];
	size_t i;
	int error;

	if ((*out = mf_index_get(m->index, name)) != NULL)
		return 0;
	names = ferry_xcalloc(m->n_objects + 1, sizeof(*names));
	for (i = 0; i < m->n_objects; i++)
		names[i] = m->objects[i].name;
	error = mf_fail(
	    ld, line,
	    "%s: '%.80s' is not an object of this "
	    "mapping%s",
	    what, name,
	    mf_did_you_mean(hint, sizeof(hint), name, names, m->n_objects));
	free(names);
	return error;
}

/* An attribute slug, checked. */
int mf_slug(const char **out, struct mf_loader *ld, const char *what,
            const yaml_node_t *node)
{
	const char *v;
	char *lower;
	int error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (mf_valid_slug(v)) {
		*out = mf_strdup(ld->arena, v);
		return 0;
	}
	lower = ferry_str_lower(ferry_xstrdup(v));
	error = mf_fail(ld, mf_line(node),
	                "%s: %s must be an Attio slug (lower-case letters, "
	                "digits and _, starting with a letter), not "
	                "'%.80s'%s%s%s",
	                ld->where, what, v,
	                mf_valid_slug(lower) ? " (did you mean '" : "",
	                mf_valid_slug(lower) ? lower : "",
	                mf_valid_slug(lower) ? "'?)" : "");
	free(lower);
	return error;
}

/* A Salesforce field or object API name, checked. */
int mf_api_name(const char **out, struct mf_loader *ld, const char *what,
                const char *v, int line)
{
	if (!mf_valid_api_name(v))
		return mf_fail(ld, line,
		               "%s: %s must be a Salesforce API name (letters, "
		               "digits and _), not '%.80s'",
		               ld->where, what, v);
	*out = mf_strdup(ld->arena, v);
	return 0;
}

static int destination(struct mf_loader *ld, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	const char *v;
	int i, error;

	if ((error = mf_scalar(&v, ld, "'to'", value)) < 0)
		return error;
	for (i = 0; special_to[i]; i++)
		if (!strcmp(special_to[i], v)) {
			o->to = special_to[i];
			o->kind = (enum ferry_mapfile_kind)(FERRY_MF_NOTES + i);
			return 0;
		}
	o->kind = FERRY_MF_RECORDS;
	return mf_slug(&o->to, ld, "'to' (an Attio object)", value);
}

/* Only some Salesforce objects have these rules. */
static int only_for(struct mf_loader *ld, yaml_node_t *value, const char *key,
                    const char *a, const char *b)
{
	const char *name = ld->obj->name;

	if (!strcmp(name, a) || (b && !strcmp(name, b)))
		return 0;
	return mf_fail(ld, mf_line(value), "%s: '%s' applies to %s%s%s only",
	               name, key, a, b ? " and " : "", b ? b : "");
}

static int on_object_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_object *o = ld->obj;
	const char *v;
	int which, error;

	ld->set |= 1u << key;
	switch ((enum object_key)key) {
	case OBJ_TO:
		return destination(ld, value);
	case OBJ_MATCH:
		o->match_line = mf_line(value);
		return mf_slug(&o->match, ld, "'match' (an attribute)", value);
	case OBJ_FIELDS:
		return mf_fields(ld, value);
	case OBJ_RECORD_TYPES:
		return mf_record_types(ld, value);
	case OBJ_RECORD_TYPE_ATTRIBUTE:
		return mf_slug(&o->record_type_attribute, ld,
		               "'record_type_attribute'", value);
	case OBJ_FILTER:
		return mf_filter(ld, value);
	case OBJ_DEFAULTS:
		return mf_defaults(ld, value);
	case OBJ_DEDUP:
		return mf_dedup(ld, value);
	case OBJ_LEAD_STATUS:
		if ((error = only_for(ld, value, "lead_status_attribute",
		                      "Lead", NULL)) < 0)
			return error;
		return mf_slug(&o->lead_status_attribute, ld,
		               "'lead_status_attribute'", value);
	case OBJ_PERSON_ACCOUNTS:
		if ((error = only_for(ld, value, "person_accounts", "Account",
		                      NULL)) < 0 ||
		    (error = mf_choice(&which, ld, "'person_accounts'", value,
		                       person_rules)) < 0)
			return error;
		o->person_accounts = (enum ferry_mapfile_person_accounts)which;
		return 0;
	case OBJ_OPEN:
		if ((error = only_for(ld, value, "open", "Task", "Event")) <
		        0 ||
		    (error = mf_choice(&which, ld, "'open'", value,
		                       open_rules)) < 0)
			return error;
		o->open = which == 0   ? FERRY_MF_TASKS
		          : which == 1 ? FERRY_MF_NOTES
		                       : FERRY_MF_NOWHERE;
		return 0;
	case OBJ_CLOSED:
		if ((error = only_for(ld, value, "closed", "Task", "Event")) <
		        0 ||
		    (error = mf_choice(&which, ld, "'closed'", value,
		                       closed_rules)) < 0)
			return error;
		o->closed = which == 0   ? FERRY_MF_NOTES
		            : which == 1 ? FERRY_MF_TASKS
		                         : FERRY_MF_NOWHERE;
		return 0;
	case OBJ_TWO_PARENTS:
		if ((error = only_for(ld, value, "two_parents", "Task",
		                      "Event")) < 0 ||
		    (error = mf_choice(&which, ld, "'two_parents'", value,
		                       parent_rules)) < 0)
			return error;
		o->two_parents = (enum ferry_mapfile_parents)which;
		return 0;
	case OBJ_COMMENTS:
		if ((error = only_for(ld, value, "comments", "Case", NULL)) <
		        0 ||
		    (error = mf_scalar(&v, ld, "'comments'", value)) < 0)
			return error;
		o->comments_line = mf_line(value);
		return mf_api_name(&o->comments, ld, "'comments' (an object)",
		                   v, mf_line(value));
	case OBJ_LIST:
		return mf_slug(&o->list, ld, "'list'", value);
	case OBJ_LINK:
		return mf_link(ld, value);
	}
	return 0;
}

/* First pass: every object's name, so that rules may name objects the
 * file lists later. */
static int on_name(struct mf_loader *ld, const char *name, yaml_node_t *key,
                   yaml_node_t *value, void *payload)
{
	struct ferry_mapfile *m = ld->m;
	struct ferry_mapfile_object *o = &m->objects[m->n_objects];

	(void)value;
	(void)payload;
	if (!mf_valid_api_name(name))
		return mf_fail(ld, mf_line(key),
		               "'%.80s' is not a Salesforce object API name "
		               "(letters, digits and _, such as Account or "
		               "Invoice__c)",
		               name);
	o->name = mf_strdup(ld->arena, name);
	o->line = mf_line(key);
	o->order = SIZE_MAX;
	mf_index_put(m->index, o->name, o);
	m->n_objects++;
	return 0;
}

static int on_object(struct mf_loader *ld, const char *name, yaml_node_t *key,
                     yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_object *o = mf_index_get(ld->m->index, name);
	unsigned seen = 0;
	int error;

	(void)key;
	(void)payload;
	ld->obj = o;
	ld->set = 0;
	snprintf(ld->where, sizeof(ld->where), "%s", o->name);
	if (!mf_is_null(value)) {
		if ((error = mf_need_mapping(ld, o->name, value,
		                             "{to: companies, match: domains, "
		                             "fields: {...}}")) < 0)
			return error;
		if ((error = mf_walk(ld, value, o->name, object_keys,
		                     on_object_key, &seen)) < 0)
			return error;
		if (!(seen & (1u << OBJ_TO)))
			return mf_fail(ld, o->line,
			               "%s: missing 'to' (the Attio object its "
			               "records become, such as companies, or "
			               "null to leave %s out)",
			               o->name, o->name);
	}
	if (!o->index)
		o->index = mf_index_new(ld->arena, 0);
	/* Open work and closed history go where `to` says unless told. */
	if (!(ld->set & (1u << OBJ_OPEN)))
		o->open = o->kind;
	if (!(ld->set & (1u << OBJ_CLOSED)))
		o->closed = o->kind;
	if ((ld->set & ((1u << OBJ_OPEN) | (1u << OBJ_CLOSED))) &&
	    o->kind != FERRY_MF_NOWHERE && o->kind != FERRY_MF_NOTES &&
	    o->kind != FERRY_MF_TASKS)
		return mf_fail(ld, o->line,
		               "%s: 'open' and 'closed' need 'to: notes' (or "
		               "tasks): they say which of the two each record "
		               "becomes",
		               o->name);
	return mf_check_object(ld, o);
}

int mf_objects(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_mapfile *m = ld->m;
	int error;

	if ((error = mf_need_mapping(ld, "objects", node,
	                             "{Account: {to: companies}}")) < 0)
		return error;
	m->objects = mf_array(ld->arena, mf_size(node), sizeof(*m->objects));
	m->index = mf_index_new(ld->arena, mf_size(node));
	if ((error = mf_names(ld, node, "objects", on_name, NULL)) < 0)
		return error;
	return mf_names(ld, node, "objects", on_object, NULL);
}
