/* schema_setup_check.c: the attributes and lists the mapping writes
 * (gathered by schema_setup.c) against the destination's snapshot: an
 * attribute there is checked (its type, multiselect, currency, whether
 * Attio lets anyone write it, unique when matched on) and its missing
 * options added; one that is not is planned with the Attio type its
 * field's type implies, unless Attio cannot make it; archived attributes
 * and options are reported, never re-created. */
#include "util.h"

#include "ferry/schema_setup.h"
#include "schema_setup_int.h"

static const char *const standard_objects[] = {"companies", "people", "deals",
                                               "users", "workspaces"};

static bool is_standard(const char *slug)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(standard_objects); i++)
		if (!strcmp(standard_objects[i], slug))
			return true;
	return false;
}

/* The Attio type a mapping type writes (a multiselect is a select with
 * is_multiselect). */
static const char *attio_type(enum ferry_mapfile_type t)
{
	switch (t) {
	case FERRY_MF_TEXT:
		return "text";
	case FERRY_MF_NUMBER:
		return "number";
	case FERRY_MF_CURRENCY:
		return "currency";
	case FERRY_MF_CHECKBOX:
		return "checkbox";
	case FERRY_MF_DATE:
		return "date";
	case FERRY_MF_TIMESTAMP:
		return "timestamp";
	case FERRY_MF_SELECT:
	case FERRY_MF_MULTISELECT:
		return "select";
	case FERRY_MF_STATUS:
		return "status";
	case FERRY_MF_DOMAIN:
		return "domain";
	case FERRY_MF_EMAIL:
		return "email-address";
	case FERRY_MF_PHONE:
		return "phone-number";
	case FERRY_MF_LOCATION:
		return "location";
	case FERRY_MF_NAME:
		return "personal-name";
	case FERRY_MF_REFERENCE:
		return "record-reference";
	case FERRY_MF_OWNER:
		return "actor-reference";
	}
	return "text";
}

/* "Salesforce ID" of salesforce_id: a title people read in Attio. */
static char *title_of(const char *slug)
{
	char *t = ferry_xstrdup(slug), *p;
	size_t i, n = strlen(t);

	for (i = 0; i < n; i++)
		if (t[i] == '_' || t[i] == '-')
			t[i] = ' ';
	for (p = t; (p = strstr(p, "id"));) {
		bool start = p == t || p[-1] == ' ';

		if (start && (p[2] == ' ' || !p[2]))
			p[0] = 'I', p[1] = 'D';
		p += 2;
	}
	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 'a' + 'A');
	return t;
}

/*
 * The destination as the snapshot has it.
 */

static const json_t *find_slug(const json_t *array, const char *slug)
{
	const json_t *x;
	size_t i;

	json_array_foreach(array, i, x)
	{
		const char *s =
		    json_string_value(json_object_get(x, "api_slug"));

		if (s && !strcmp(s, slug))
			return x;
	}
	return NULL;
}

static bool archived(const json_t *x)
{
	return json_is_true(json_object_get(x, "is_archived"));
}

static const json_t *snap_list(const struct setup *s, const char *slug)
{
	return find_slug(json_object_get(s->snap, "lists"), slug);
}

/* Whether the object is there, will be made, or cannot be: a custom
 * object the snapshot lacks is made (once, in the mapping's order); a
 * standard one is a problem (an admin enables it). */
const char *ss_object_state(struct setup *s, const char *slug,
                            const struct ferry_mapfile_object *o)
{
	const char *state =
	    json_string_value(json_object_get(s->objects, slug));
	char *plural = NULL, *singular = NULL, *desc = NULL;
	size_t n;

	if (state)
		return state;
	if (json_is_array(json_object_get(
	        json_object_get(s->snap, "attributes"), slug))) {
		state = "exists";
	} else if (is_standard(slug)) {
		state = "missing";
		ss_report(
		    s->problems, slug, NULL,
		    "%s:%d: %s goes to %s, which this Attio workspace does "
		    "not have enabled: an admin enables it in Attio's "
		    "settings (Objects); ferry creates custom objects "
		    "only",
		    s->m->path, o->line, o->name, slug);
	} else {
		state = "create";
		plural = title_of(slug);
		singular = ferry_xstrdup(plural);
		n = strlen(singular);
		if (n > 3 && !strcmp(singular + n - 3, "ies"))
			snprintf(singular + n - 3, 4, "y");
		else if (n > 1 && singular[n - 1] == 's' &&
		         singular[n - 2] != 's' && singular[n - 2] != 'u')
			singular[n - 1] = '\0';
		if (!strcmp(singular, plural)) {
			free(plural);
			plural = ferry_xasprintf("%ss", singular);
		}
		desc = ferry_xasprintf("create object %s (%s, %s)", slug,
		                       singular, plural);
		json_array_append_new(
		    s->phases[PH_OBJECTS],
		    json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s}", "kind",
		              "object", "object", slug, "data", "api_slug",
		              slug, "singular_noun", singular, "plural_noun",
		              plural, "description", desc));
	}
	json_object_set_new(s->objects, slug, json_string(state));
	free(plural);
	free(singular);
	free(desc);
	return state;
}

/* The mapping type that writes an Attio type, for advice. */
static const char *mapping_type_of(const char *attio)
{
	static const struct {
		const char *attio, *mapping;
	} pairs[] = {
	    {"text", "text"},
	    {"number", "number"},
	    {"currency", "currency"},
	    {"checkbox", "checkbox"},
	    {"date", "date"},
	    {"timestamp", "timestamp"},
	    {"select", "select (or multiselect)"},
	    {"status", "status"},
	    {"domain", "domain"},
	    {"email-address", "email"},
	    {"phone-number", "phone"},
	    {"location", "location"},
	    {"personal-name", "name"},
	    {"record-reference", "reference"},
	    {"actor-reference", "owner"},
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(pairs); i++)
		if (!strcmp(pairs[i].attio, attio))
			return pairs[i].mapping;
	return NULL;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A title among `options`: live ones (`want_archived` false) or archived
 * ones. */
static bool has_option(const json_t *options, const char *title,
                       bool want_archived)
{
	const json_t *x;
	size_t i;

	json_array_foreach(options, i, x)
	{
		if (!strcmp(jstr(x, "title"), title) &&
		    archived(x) == want_archived)
			return true;
	}
	return false;
}

static json_t *phase(struct setup *s, const struct want *w, bool options)
{
	bool list = !strcmp(w->target, "lists");

	return s->phases[list ? (options ? PH_LIST_OPTIONS : PH_LIST_ATTRS)
	                      : (options ? PH_OPTIONS : PH_ATTRS)];
}

/* "companies.industry", or "list campaign_members.status". */
static char *where(const struct want *w)
{
	return ferry_xasprintf("%s%s.%s",
	                       strcmp(w->target, "lists") ? "" : "list ",
	                       w->parent, w->slug);
}

static void untabled_warning(struct setup *s, const struct want *w)
{
	const struct ferry_mapfile_field *f = w->untabled;
	char *at;

	if (!f)
		return;
	at = where(w);
	ss_report(s->warnings, w->parent, w->slug,
	          "%s:%d: %s.%s writes its values as they are (no value "
	          "table), so the options %s needs are known only from the "
	          "data: give the field a value table, or add the options in "
	          "Attio (records whose value is not an option are held)",
	          s->m->path, f->line, w->o->name, f->name, at);
	free(at);
}

/* The options (or statuses) the attribute lacks; `attr` is NULL for one
 * about to be made. */
static void options_diff(struct setup *s, const struct want *w,
                         const json_t *attr, bool status)
{
	const json_t *live = json_object_get(attr, "options");
	const json_t *old = json_object_get(attr, "archived_options");
	const char *word = status ? "status" : "option";
	const json_t *t;
	char *at = where(w), *desc;
	size_t i;

	json_array_foreach(w->titles, i, t)
	{
		const char *title = jstr(t, "title"), *from = jstr(t, "from");

		if (has_option(live, title, false))
			continue;
		if (has_option(old, title, true) ||
		    has_option(live, title, true)) {
			ss_report(
			    s->warnings, w->parent, w->slug,
			    "'%s' is an archived %s of %s (%s names it): "
			    "restore it in Attio, or map the value to "
			    "another %s; ferry does not re-create archived "
			    "%s, and records with it are held",
			    title, word, at, from, word,
			    status ? "statuses" : "options");
			continue;
		}
		desc = ferry_xasprintf("add %s '%s' to %s (%s)", word, title,
		                       at, from);
		json_array_append_new(
		    phase(s, w, true),
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", word,
		              "target", w->target, "parent", w->parent,
		              "attribute", w->slug, "title", title,
		              "description", desc));
		free(desc);
	}
	free(at);
}

static void make_unique(struct setup *s, const struct want *w,
                        const json_t *attr, const char *type)
{
	char *at = where(w), *desc;

	if (json_is_true(json_object_get(attr, "is_unique")))
		goto done;
	if (!strcmp(type, "select") || !strcmp(type, "status") ||
	    json_is_true(json_object_get(attr, "is_system_attribute"))) {
		ss_report(
		    s->problems, w->parent, w->slug,
		    "%s:%d: %s matches records on %s, which is not unique "
		    "in Attio and cannot be made so (a %s%s attribute): "
		    "match on another attribute (a unique text "
		    "salesforce_id, which schema setup creates)",
		    s->m->path, w->matcher->match_line, w->matcher->name, at,
		    json_is_true(json_object_get(attr, "is_system_attribute"))
		        ? "system "
		        : "",
		    type);
		goto done;
	}
	desc = ferry_xasprintf("make %s unique (%s matches records on it)", at,
	                       w->matcher->name);
	json_array_append_new(phase(s, w, false),
	                      json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind",
	                                "unique", "target", w->target, "parent",
	                                w->parent, "attribute", w->slug,
	                                "description", desc));
	free(desc);
done:
	free(at);
}

/* The mapping against an attribute Attio has. */
static void check_existing(struct setup *s, const struct want *w,
                           const json_t *attr)
{
	const char *type = jstr(attr, "type");
	const char *code = json_string_value(json_object_get(
	    json_object_get(json_object_get(attr, "config"), "currency"),
	    "default_currency_code"));
	char *at = where(w);

	if (w->typed) {
		const char *want = attio_type(w->type);
		bool choice =
		    w->type == FERRY_MF_SELECT || w->type == FERRY_MF_STATUS;
		const char *fits = mapping_type_of(type);

		if (strcmp(type, want) &&
		    !(choice &&
		      (!strcmp(type, "select") || !strcmp(type, "status")))) {
			ss_report(
			    s->problems, w->parent, w->slug,
			    "%s:%d: %s writes a %s (Attio type %s) into "
			    "%s, which is a %s attribute in Attio: %s%s%s "
			    "send the field to another attribute (schema "
			    "setup creates it as %s), or change %s in "
			    "Attio",
			    s->m->path, w->line, w->from,
			    ferry_mapfile_type_name(w->type), want, at, type,
			    fits ? "change the field's type to " : "",
			    fits ? fits : "", fits ? " in mapping.yaml," : "",
			    want, at);
			goto done;
		}
		if (w->type == FERRY_MF_MULTISELECT &&
		    !json_is_true(json_object_get(attr, "is_multiselect"))) {
			ss_report(s->problems, w->parent, w->slug,
			          "%s:%d: %s writes several values "
			          "(multiselect) into %s, a single select in "
			          "Attio: make it a multiselect in Attio, use "
			          "type: select, or send the field to another "
			          "attribute",
			          s->m->path, w->line, w->from, at);
			goto done;
		}
		if (w->type == FERRY_MF_CURRENCY && w->currency && code &&
		    strcmp(w->currency, code))
			ss_report(
			    s->problems, w->parent, w->slug,
			    "%s:%d: %s writes amounts in %s into %s, whose "
			    "currency in Attio is %s (one currency per "
			    "attribute): set currency: %s on the field if "
			    "the amounts are in %s, or send them to another "
			    "attribute",
			    s->m->path, w->line, w->from, w->currency, at, code,
			    code, code);
	}
	if (json_is_false(json_object_get(attr, "is_writable")))
		ss_report(s->problems, w->parent, w->slug,
		          "%s:%d: %s is filled by Attio itself (not writable): "
		          "send %s to another attribute",
		          s->m->path, w->line, at,
		          w->typed ? w->from : "the value");
	if (w->unique)
		make_unique(s, w, attr, type);
	if (!strcmp(type, "select") || !strcmp(type, "status")) {
		options_diff(s, w, attr, !strcmp(type, "status"));
		untabled_warning(s, w);
	}
done:
	free(at);
}

/* Whether a reference may point at `object`: Attio has it or schema
 * setup makes it. */
static bool object_known(struct setup *s, const char *object)
{
	const char *st = json_string_value(json_object_get(s->objects, object));

	return is_standard(object) || (st && strcmp(st, "missing")) ||
	       json_is_array(json_object_get(
	           json_object_get(s->snap, "attributes"), object));
}

/* Why an attribute of this type cannot be made, or NULL. */
static const char *cannot_make(struct setup *s, const struct want *w,
                               const char **currency)
{
	const json_t *x;
	size_t i;

	*currency = w->currency ? w->currency : s->m->currency;
	switch (w->type) {
	case FERRY_MF_NAME:
		return !strcmp(w->parent, "people")
		           ? "Attio cannot create personal-name attributes: "
		             "send the name parts to people.name"
		           : "only people have a personal name in Attio: use "
		             "type: text for the field";
	case FERRY_MF_STATUS:
		return strcmp(w->target, "lists")
		           ? "Attio has status attributes on lists and deals' "
		             "stage only: use type: select"
		           : NULL;
	case FERRY_MF_CURRENCY:
		return *currency ? NULL
		                 : "Attio keeps one currency per attribute and "
		                   "the mapping names none: set currency: on "
		                   "the field, or options.currency";
	case FERRY_MF_REFERENCE:
		if (!json_array_size(w->allowed))
			return "a new record-reference attribute needs the "
			       "object it points at: give the field object: in "
			       "mapping.yaml, or create the attribute in Attio";
		json_array_foreach(w->allowed, i, x)
		{
			if (!object_known(s, json_string_value(x)))
				return "it points at an object neither Attio "
				       "nor the mapping has: correct the "
				       "field's object:";
		}
		return NULL;
	case FERRY_MF_SELECT:
	case FERRY_MF_MULTISELECT:
		return w->unique ? "select attributes cannot be unique in "
		                   "Attio: match on another attribute"
		                 : NULL;
	default:
		return NULL;
	}
}

/* "create attribute invoices.company (record-reference to companies)" */
static int describe(struct ferry_buf *d, const struct want *w, const char *type,
                    const char *currency)
{
	const json_t *x;
	size_t i;

	if (ferry_buf_printf(d, "create %sattribute %s.%s (%s",
	                     strcmp(w->target, "lists") ? "" : "list ",
	                     w->parent, w->slug, type) < 0 ||
	    (w->type == FERRY_MF_REFERENCE && ferry_buf_puts(d, " to") < 0))
		return -1;
	json_array_foreach(w->allowed, i, x)
	{
		if (w->type == FERRY_MF_REFERENCE &&
		    ferry_buf_printf(d, "%s %s", i ? "," : "",
		                     json_string_value(x)) < 0)
			return -1;
	}
	if ((w->multi && ferry_buf_puts(d, ", multiselect") < 0) ||
	    (w->unique && ferry_buf_puts(d, ", unique") < 0) ||
	    (w->type == FERRY_MF_CURRENCY &&
	     ferry_buf_printf(d, ", %s", currency) < 0) ||
	    ferry_buf_puts(d, ")") < 0)
		return -1;
	return 0;
}

static void create(struct setup *s, const struct want *w)
{
	const char *type = attio_type(w->type), *currency, *why;
	json_t *config = json_object(), *data;
	struct ferry_buf d = FERRY_BUF_INIT;
	char *title, *at = where(w), *note;

	if (!w->typed) {
		ss_report(
		    s->problems, w->parent, w->slug,
		    "%s:%d: %s.defaults fills %s, which Attio does not have "
		    "and no field maps, so its type is unknown: map a "
		    "field to it, or create it in Attio",
		    s->m->path, w->line, w->o->name, at);
		goto done;
	}
	if ((why = cannot_make(s, w, &currency))) {
		ss_report(s->problems, w->parent, w->slug,
		          "%s:%d: %s writes a %s into %s, which Attio does not "
		          "have and schema setup cannot create as mapped: %s",
		          s->m->path, w->line, w->from,
		          ferry_mapfile_type_name(w->type), at, why);
		goto done;
	}
	if (w->type == FERRY_MF_CURRENCY)
		json_object_set_new(config, "currency",
		                    json_pack("{s:s, s:s}",
		                              "default_currency_code", currency,
		                              "display_type", "code"));
	if (w->type == FERRY_MF_REFERENCE)
		json_object_set_new(
		    config, "record_reference",
		    json_pack("{s:O}", "allowed_objects", w->allowed));
	title = title_of(w->slug);
	note = ferry_xasprintf("From Salesforce %s; made by ferry schema "
	                       "setup.",
	                       w->from);
	data = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o}", "title",
	                 title, "description", note, "api_slug", w->slug,
	                 "type", type, "is_required", 0, "is_unique", w->unique,
	                 "is_multiselect", w->multi, "config", config);
	config = NULL;
	free(title);
	free(note);
	if (describe(&d, w, type, currency) < 0)
		ferry_buf_clear(&d);
	json_array_append_new(phase(s, w, false),
	                      json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}",
	                                "kind", "attribute", "target",
	                                w->target, "parent", w->parent,
	                                "attribute", w->slug, "data", data,
	                                "description", d.ptr ? d.ptr : ""));
	if (ss_has_titles(w->type)) {
		options_diff(s, w, NULL, w->type == FERRY_MF_STATUS);
		untabled_warning(s, w);
	}
done:
	json_decref(config);
	ferry_buf_release(&d);
	free(at);
}

void ss_eval_want(struct setup *s, const struct want *w)
{
	const json_t *live = NULL, *old = NULL, *a = NULL, *l;
	const char *state;
	char *at;

	if (w->conflict)
		return;
	if (!strcmp(w->target, "objects")) {
		state = ss_object_state(s, w->parent, w->o);
		live = json_object_get(json_object_get(s->snap, "attributes"),
		                       w->parent);
		old = json_object_get(json_object_get(s->snap, "archived"),
		                      w->parent);
	} else {
		state = json_string_value(
		    json_object_get(s->list_states, w->parent));
		l = snap_list(s, w->parent);
		live = json_object_get(l, "attributes");
		old = json_object_get(l, "archived_attributes");
	}
	if (!state || !strcmp(state, "missing"))
		return;
	if (strcmp(state, "create"))
		a = find_slug(live, w->slug);
	if (a && !archived(a)) {
		check_existing(s, w, a);
		return;
	}
	if (a || (strcmp(state, "create") && find_slug(old, w->slug))) {
		at = where(w);
		ss_report(s->problems, w->parent, w->slug,
		          "%s:%d: %s is archived in Attio: restore it there "
		          "(ferry does not re-create archived attributes), or "
		          "send the mapping's values to another attribute",
		          s->m->path, w->line, at);
		free(at);
		return;
	}
	create(s, w);
}

/* The first parent object of a list resource (Attio gives an array). */
static const char *list_parent(const json_t *l)
{
	const json_t *p = json_object_get(l, "parent_object");

	if (json_is_array(p))
		p = json_array_get(p, 0);
	return json_string_value(p);
}

void ss_eval_list(struct setup *s, const struct list_want *l)
{
	const json_t *have = snap_list(s, l->slug);
	const char *state = "missing", *parent;
	char *name = NULL, *desc = NULL;

	if (l->conflict)
		goto done;
	if (have) {
		parent = list_parent(have);
		if (l->parent && parent && strcmp(parent, l->parent))
			ss_report(s->problems, l->slug, NULL,
			          "%s:%d: %s puts %s records in the list %s, "
			          "whose parent object in Attio is %s: use "
			          "another list (Attio cannot change a list's "
			          "parent)",
			          s->m->path, l->line, l->o->name, l->parent,
			          l->slug, parent);
		else
			state = "exists";
		goto done;
	}
	if (!l->parent) {
		ss_report(
		    s->problems, l->slug, NULL,
		    "%s:%d: %s writes entries of the list %s, which Attio "
		    "does not have, and the mapping does not say what "
		    "records it holds: give the parent field object: in "
		    "mapping.yaml (people, companies, ...), or create the "
		    "list in Attio",
		    s->m->path, l->line, l->o->name, l->slug);
		goto done;
	}
	if (!object_known(s, l->parent)) {
		ss_report(
		    s->problems, l->slug, NULL,
		    "%s:%d: the list %s would hold %s records, an object "
		    "neither Attio nor the mapping has: correct the parent "
		    "field's object: in mapping.yaml",
		    s->m->path, l->line, l->slug, l->parent);
		goto done;
	}
	state = "create";
	name = title_of(l->slug);
	desc = ferry_xasprintf("create list %s (entries of %s)", l->slug,
	                       l->parent);
	json_array_append_new(
	    s->phases[PH_LISTS],
	    json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:[]}, s:s}", "kind",
	              "list", "list", l->slug, "data", "name", name, "api_slug",
	              l->slug, "parent_object", l->parent, "workspace_access",
	              "full-access", "workspace_member_access", "description",
	              desc));
done:
	json_object_set_new(s->list_states, l->slug, json_string(state));
	free(name);
	free(desc);
}
