/* sf_describe.c: the describe and describeGlobal bodies of the generated
 * org, in Salesforce's shape: every key a real describe has, on every
 * field and object, with the same JSON types, so a client written against
 * these answers reads a real org's too. Keys the org model has no notion
 * of (masks, help text, lookup filters) carry Salesforce's usual values;
 * the derived ones (byteLength, idLookup, groupable, …) follow the rules
 * real describes show. */
#include "util.h"

#include <strings.h>

#include "sf_org_int.h"

static bool is_text(enum sf_ftype t)
{
	switch (t) {
	case SF_STRING:
	case SF_TEXTAREA:
	case SF_EMAIL:
	case SF_PHONE:
	case SF_URL:
	case SF_PICKLIST:
	case SF_MULTIPICKLIST:
	case SF_COMBOBOX:
		return true;
	default:
		return false;
	}
}

static bool is_long_text(const struct sf_field *f)
{
	return f->type == SF_TEXTAREA && f->length > 255;
}

static size_t n_refs(const struct sf_field *f)
{
	size_t n = 0;

	while (f->refs && f->refs[n])
		n++;
	return n;
}

static bool is_audit(const char *name)
{
	static const char *const audit[] = {"Id",
	                                    "CreatedDate",
	                                    "CreatedById",
	                                    "LastModifiedDate",
	                                    "LastModifiedById",
	                                    "SystemModstamp",
	                                    "OwnerId",
	                                    "IsDeleted"};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(audit); i++)
		if (!strcmp(name, audit[i]))
			return true;
	return false;
}

static json_t *picklist_json(const struct sf_field *f)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; f->picklist && f->picklist[i]; i++) {
		const char *v = f->picklist[i];

		json_array_append_new(
		    a, json_pack("{s:b,s:b,s:s,s:n,s:s}", "active", 1,
		                 "defaultValue",
		                 f->picklist_default &&
		                     !strcmp(f->picklist_default, v),
		                 "label", v, "validFor", "value", v));
	}
	return a;
}

static json_t *refs_json(const struct sf_field *f)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; f->refs && f->refs[i]; i++)
		json_array_append_new(a, json_string(f->refs[i]));
	return a;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *extra_type(const struct sf_field *f)
{
	if (f->type == SF_TEXTAREA)
		return "plaintextarea";
	if (f->type == SF_URL && !strcmp(f->name, "PhotoUrl"))
		return "imageurl";
	if (f->compound && !strcmp(f->compound, "Name"))
		return "personname";
	return NULL;
}

static json_t *field_json(const struct sf_field *f)
{
	enum sf_ftype t = f->type;
	bool ro = f->calculated || f->auto_number;
	bool numeric = t == SF_CURRENCY || t == SF_DOUBLE || t == SF_PERCENT;
	bool poly = n_refs(f) > 1;
	bool id_like = t == SF_ID || t == SF_REFERENCE;
	json_t *j = json_object();
	json_t *dflt = json_null();

	if (t == SF_BOOLEAN && !f->calculated)
		dflt = json_false();
	else if (f->picklist_default)
		dflt = json_string(f->picklist_default);
	json_object_set_new(j, "aggregatable",
	                    json_boolean(t != SF_BOOLEAN && t != SF_ADDRESS &&
	                                 t != SF_BASE64 && !is_long_text(f)));
	json_object_set_new(j, "aiPredictionField", json_false());
	json_object_set_new(j, "autoNumber", json_boolean(f->auto_number));
	json_object_set_new(j, "byteLength",
	                    json_integer(id_like      ? 18
	                                 : is_text(t) ? 3 * f->length
	                                              : 0));
	json_object_set_new(j, "calculated", json_boolean(f->calculated));
	json_object_set_new(j, "calculatedFormula", str_or_null(f->formula));
	json_object_set_new(j, "cascadeDelete",
	                    json_boolean(f->cascade_delete));
	json_object_set_new(j, "caseSensitive", json_false());
	json_object_set_new(j, "compoundFieldName", str_or_null(f->compound));
	json_object_set_new(j, "controllerName", json_null());
	json_object_set_new(j, "createable",
	                    json_boolean(f->createable && !ro));
	json_object_set_new(j, "custom", json_boolean(f->custom));
	json_object_set_new(j, "defaultValue", dflt);
	json_object_set_new(j, "defaultValueFormula", json_null());
	json_object_set_new(
	    j, "defaultedOnCreate",
	    json_boolean(t == SF_ID || (t == SF_BOOLEAN && !f->calculated) ||
	                 f->picklist_default != NULL || is_audit(f->name)));
	json_object_set_new(j, "dependentPicklist", json_false());
	json_object_set_new(j, "deprecatedAndHidden", json_false());
	json_object_set_new(j, "digits",
	                    json_integer(t == SF_INT ? f->precision : 0));
	json_object_set_new(j, "displayLocationInDecimal", json_false());
	json_object_set_new(j, "encrypted", json_false());
	json_object_set_new(j, "externalId", json_boolean(f->external_id));
	json_object_set_new(j, "extraTypeInfo", str_or_null(extra_type(f)));
	json_object_set_new(j, "filterable",
	                    json_boolean(!is_long_text(f) && t != SF_BASE64));
	json_object_set_new(j, "filteredLookupInfo", json_null());
	json_object_set_new(j, "formulaTreatNullNumberAsZero", json_false());
	json_object_set_new(
	    j, "groupable",
	    json_boolean(!numeric && t != SF_DATETIME && t != SF_COMBOBOX &&
	                 t != SF_ADDRESS && t != SF_BASE64 &&
	                 t != SF_MULTIPICKLIST && !is_long_text(f)));
	json_object_set_new(j, "highScaleNumber", json_false());
	json_object_set_new(j, "htmlFormatted", json_false());
	json_object_set_new(
	    j, "idLookup",
	    json_boolean(t == SF_ID || f->external_id || f->unique ||
	                 f->auto_number ||
	                 (t == SF_EMAIL && f->createable && !ro) ||
	                 (f->name_field && t == SF_STRING && f->createable)));
	json_object_set_new(j, "inlineHelpText", json_null());
	json_object_set_new(j, "label", json_string(f->label));
	json_object_set_new(j, "length",
	                    json_integer(id_like ? 18 : f->length));
	json_object_set_new(j, "mask", json_null());
	json_object_set_new(j, "maskType", json_null());
	json_object_set_new(j, "name", json_string(f->name));
	json_object_set_new(j, "nameField", json_boolean(f->name_field));
	json_object_set_new(j, "namePointing", json_boolean(poly));
	json_object_set_new(j, "nillable", json_boolean(f->nillable));
	json_object_set_new(
	    j, "permissionable",
	    json_boolean(f->nillable && f->createable && !ro && t != SF_ID));
	json_object_set_new(j, "picklistValues", picklist_json(f));
	json_object_set_new(j, "polymorphicForeignKey", json_boolean(poly));
	json_object_set_new(j, "precision",
	                    json_integer(numeric ? f->precision : 0));
	json_object_set_new(j, "queryByDistance",
	                    json_boolean(t == SF_ADDRESS));
	json_object_set_new(j, "referenceTargetField", json_null());
	json_object_set_new(j, "referenceTo", refs_json(f));
	json_object_set_new(j, "relationshipName",
	                    str_or_null(f->relationship));
	json_object_set_new(j, "relationshipOrder", json_null());
	json_object_set_new(j, "restrictedDelete", json_false());
	json_object_set_new(j, "restrictedPicklist",
	                    json_boolean(f->restricted_picklist));
	json_object_set_new(j, "scale", json_integer(numeric ? f->scale : 0));
	json_object_set_new(
	    j, "searchPrefilterable",
	    json_boolean(t == SF_REFERENCE && !poly && f->createable));
	json_object_set_new(j, "soapType", json_string(sf_ftype_soap(t)));
	json_object_set_new(j, "sortable",
	                    json_boolean(!is_long_text(f) && t != SF_ADDRESS &&
	                                 t != SF_BASE64 &&
	                                 t != SF_MULTIPICKLIST));
	json_object_set_new(j, "type", json_string(sf_ftype_name(t)));
	json_object_set_new(j, "unique", json_boolean(f->unique));
	json_object_set_new(j, "updateable",
	                    json_boolean(f->updateable && !ro));
	json_object_set_new(j, "writeRequiresMasterRead", json_false());
	return j;
}

/* What an object allows, as describe and describeGlobal say it. */
struct caps {
	bool createable, updateable, deletable, undeletable, mergeable;
	bool layoutable, feed, triggerable, replicateable, searchable;
};

static struct caps caps_of(const struct sf_org *org, const struct sf_object *o)
{
	static const char *const mergeable[] = {"Account", "Contact", "Lead",
	                                        "Case"};
	static const char *const feed[] = {"Account",     "Contact", "Lead",
	                                   "Opportunity", "Case",    "Campaign",
	                                   "User"};
	const struct sfo_objdef *d = org->defs[o - org->objects];
	bool view = !strcmp(o->name, "FlowDefinitionView");
	bool deletes = sf_object_field(o, "IsDeleted") >= 0;
	struct caps c;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.createable = !view && strcmp(o->name, "RecordType") != 0;
	c.updateable = !view;
	c.deletable = !view && (deletes || o->tooling);
	c.undeletable = deletes;
	c.layoutable = d->master_rt || o->custom;
	c.triggerable = !view && !o->tooling;
	c.replicateable = !view && !o->tooling;
	c.searchable = c.layoutable;
	for (i = 0; i < FERRY_ARRAY_LEN(mergeable); i++)
		c.mergeable |= !strcmp(o->name, mergeable[i]);
	for (i = 0; i < FERRY_ARRAY_LEN(feed); i++)
		c.feed |= !strcmp(o->name, feed[i]);
	return c;
}

static char *url(const struct sf_object *o, const char *version,
                 const char *rest)
{
	return ferry_xasprintf("/services/data/v%s/%ssobjects/%s%s", version,
	                       o->tooling ? "tooling/" : "", o->name, rest);
}

static void set_url(json_t *urls, const char *key, const struct sf_object *o,
                    const char *version, const char *rest)
{
	char *u = url(o, version, rest);

	json_object_set_new(urls, key, json_string(u));
	free(u);
}

static json_t *urls_json(const struct sf_object *o, const struct caps *c,
                         const char *version)
{
	json_t *u = json_object();

	if (c->layoutable) {
		set_url(u, "compactLayouts", o, version,
		        "/describe/compactLayouts");
		set_url(u, "approvalLayouts", o, version,
		        "/describe/approvalLayouts");
		set_url(u, "listviews", o, version, "/listviews");
		set_url(u, "quickActions", o, version, "/quickActions");
		set_url(u, "layouts", o, version, "/describe/layouts");
	}
	set_url(u, "rowTemplate", o, version, "/{ID}");
	set_url(u, "defaultValues", o, version,
	        "/defaultValues?recordTypeId&fields");
	set_url(u, "describe", o, version, "/describe");
	set_url(u, "sobject", o, version, "");
	return u;
}

/* The keys describe and describeGlobal share. */
static void common_keys(json_t *j, const struct sf_object *o,
                        const struct caps *c, const char *version)
{
	json_object_set_new(j, "activateable", json_false());
	json_object_set_new(j, "associateEntityType", json_null());
	json_object_set_new(j, "associateParentEntity", json_null());
	json_object_set_new(j, "createable", json_boolean(c->createable));
	json_object_set_new(j, "custom", json_boolean(o->custom));
	json_object_set_new(j, "customSetting", json_false());
	json_object_set_new(j, "deepCloneable", json_false());
	json_object_set_new(j, "deletable", json_boolean(c->deletable));
	json_object_set_new(j, "deprecatedAndHidden", json_false());
	json_object_set_new(j, "feedEnabled", json_boolean(c->feed));
	json_object_set_new(j, "hasSubtypes", json_false());
	json_object_set_new(j, "isInterface", json_false());
	json_object_set_new(j, "isSubtype", json_false());
	json_object_set_new(j, "keyPrefix", str_or_null(o->key_prefix));
	json_object_set_new(j, "label", json_string(o->label));
	json_object_set_new(j, "labelPlural", json_string(o->label_plural));
	json_object_set_new(j, "layoutable", json_boolean(c->layoutable));
	json_object_set_new(j, "mergeable", json_boolean(c->mergeable));
	json_object_set_new(j, "mruEnabled", json_boolean(c->layoutable));
	json_object_set_new(j, "name", json_string(o->name));
	json_object_set_new(j, "queryable", json_boolean(o->queryable));
	json_object_set_new(j, "replicateable", json_boolean(c->replicateable));
	json_object_set_new(j, "retrieveable", json_true());
	json_object_set_new(j, "searchable", json_boolean(c->searchable));
	json_object_set_new(j, "triggerable", json_boolean(c->triggerable));
	json_object_set_new(j, "undeletable", json_boolean(c->undeletable));
	json_object_set_new(j, "updateable", json_boolean(c->updateable));
	json_object_set_new(j, "urls", urls_json(o, c, version));
}

/* Every reference to `o` from an object of the same API. */
static json_t *children_json(const struct sf_org *org,
                             const struct sf_object *o)
{
	json_t *a = json_array();
	size_t i, f, r;

	for (i = 0; i < SFO_COUNT; i++) {
		const struct sf_object *c = &org->objects[i];

		if (c->tooling != o->tooling)
			continue;
		for (f = 0; f < c->n_fields; f++) {
			const struct sf_field *fd = &c->fields[f];

			for (r = 0; fd->refs && fd->refs[r]; r++) {
				if (strcmp(fd->refs[r], o->name))
					continue;
				json_array_append_new(
				    a, json_pack(
				           "{s:b,s:s,s:b,s:s,s:[],s:[],s:o,"
				           "s:b}",
				           "cascadeDelete", fd->cascade_delete,
				           "childSObject", c->name,
				           "deprecatedAndHidden", 0, "field",
				           fd->name, "junctionIdListNames",
				           "junctionReferenceTo",
				           "relationshipName",
				           str_or_null(fd->child_relationship),
				           "restrictedDelete", 0));
			}
		}
	}
	return a;
}

static json_t *record_types_json(const struct sf_object *o, const char *version)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < o->n_record_types; i++) {
		const struct sf_record_type *rt = &o->record_types[i];
		char *rest = ferry_xasprintf("/describe/layouts/%s", rt->id);
		char *u = url(o, version, rest);

		json_array_append_new(
		    a,
		    json_pack("{s:b,s:b,s:b,s:s,s:b,s:s,s:s,s:{s:s}}", "active",
		              rt->active, "available", 1,
		              "defaultRecordTypeMapping", rt->default_mapping,
		              "developerName", rt->developer_name, "master",
		              rt->master, "name", rt->name, "recordTypeId",
		              rt->id, "urls", "layout", u));
		free(u);
		free(rest);
	}
	return a;
}

static json_t *scopes_json(const struct sf_object *o)
{
	json_t *a = json_array();
	char *plural, *all, *mine;

	if (sf_object_field(o, "OwnerId") < 0)
		return a;
	plural = ferry_xstrdup(o->label_plural);
	ferry_str_lower(plural);
	all = ferry_xasprintf("All %s", plural);
	mine = ferry_xasprintf("My %s", plural);
	json_array_append_new(
	    a, json_pack("{s:s,s:s}", "label", all, "name", "everything"));
	json_array_append_new(
	    a, json_pack("{s:s,s:s}", "label", mine, "name", "mine"));
	free(mine);
	free(all);
	free(plural);
	return a;
}

json_t *sf_describe_json(const struct sf_org *org, const struct sf_object *o,
                         const char *version)
{
	struct caps c = caps_of(org, o);
	json_t *j = json_object(), *fields = json_array();
	size_t i;

	common_keys(j, o, &c, version);
	json_object_set_new(j, "actionOverrides", json_array());
	json_object_set_new(j, "childRelationships", children_json(org, o));
	json_object_set_new(j, "compactLayoutable", json_boolean(c.layoutable));
	json_object_set_new(j, "defaultImplementation", json_null());
	json_object_set_new(j, "extendedBy", json_null());
	json_object_set_new(j, "extendsInterfaces", json_null());
	for (i = 0; i < o->n_fields; i++)
		json_array_append_new(fields, field_json(&o->fields[i]));
	json_object_set_new(j, "fields", fields);
	json_object_set_new(j, "implementedBy", json_null());
	json_object_set_new(j, "implementsInterfaces", json_null());
	json_object_set_new(j, "listviewable", json_null());
	json_object_set_new(j, "lookupLayoutable", json_null());
	json_object_set_new(j, "namedLayoutInfos", json_array());
	json_object_set_new(j, "networkScopeFieldName", json_null());
	json_object_set_new(j, "recordTypeInfos",
	                    record_types_json(o, version));
	json_object_set_new(j, "searchLayoutable", json_boolean(c.layoutable));
	json_object_set_new(j, "sobjectDescribeOption", json_string("FULL"));
	json_object_set_new(j, "supportedScopes", scopes_json(o));
	return j;
}

static json_t *global_json(const struct sf_org *org, const char *version,
                           bool tooling)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < SFO_COUNT; i++) {
		const struct sf_object *o = &org->objects[i];
		struct caps c;
		json_t *j;

		if (o->tooling != tooling)
			continue;
		c = caps_of(org, o);
		j = json_object();
		common_keys(j, o, &c, version);
		json_array_append_new(list, j);
	}
	return json_pack("{s:s,s:i,s:o}", "encoding", "UTF-8", "maxBatchSize",
	                 200, "sobjects", list);
}

json_t *sf_describe_global_json(const struct sf_org *org, const char *version)
{
	return global_json(org, version, false);
}

json_t *sf_describe_global_tooling_json(const struct sf_org *org,
                                        const char *version)
{
	return global_json(org, version, true);
}
