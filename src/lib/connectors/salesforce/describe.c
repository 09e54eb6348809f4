/* describe.c: what extract learns about the org besides its records: the
 * describeGlobal and describe bodies (the schema snapshot), the field list
 * each object is queried with, the Tooling counts of the org's automation
 * and its /limits, each saved as a source fact. */
#include <jansson.h>

#include "util.h"

#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

static int put_fact(struct ferry_sf__run *r, const char *name,
                    const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int error;

	if (!text)
		return ferry_error_set(
		    FERRY_EINVALID, "cannot encode the source fact '%s'", name);
	error = ferry_facts_put(r->ws, name, text);
	free(text);
	return error;
}

int ferry_sf__describe_global(struct ferry_sf__run *r, json_t **out)
{
	json_t *doc = NULL;
	int error;

	if ((error = ferry_sf_get_json(r->sf, "/sobjects", &doc)) < 0)
		goto done;
	if (!json_is_array(json_object_get(doc, "sobjects"))) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Salesforce's answer to GET /sobjects "
		                        "has no sobjects list");
		goto done;
	}
	if ((error = put_fact(r, "salesforce/describeGlobal", doc)) < 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	return error;
}

int ferry_sf__describe_object(struct ferry_sf__run *r, const char *object,
                              json_t **out)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *doc = NULL;
	char name[128];
	int error;

	if ((error = ferry_buf_puts(&path, "/sobjects/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, object)) < 0 ||
	    (error = ferry_buf_puts(&path, "/describe")) < 0 ||
	    (error = ferry_sf_get_json(r->sf, path.ptr, &doc)) < 0)
		goto done;
	if (!json_is_array(json_object_get(doc, "fields"))) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Salesforce's describe of %s has no "
		                        "fields list",
		                        object);
		goto done;
	}
	snprintf(name, sizeof(name), "salesforce/describe/%s", object);
	if ((error = put_fact(r, name, doc)) < 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	ferry_buf_release(&path);
	return error;
}

static bool field_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

int ferry_sf__select_list(struct ferry_buf *out, const json_t *describe,
                          const char *object)
{
	const json_t *f;
	size_t i;
	bool has_id = false;
	int error = 0;

	ferry_buf_clear(out);
	json_array_foreach(json_object_get(describe, "fields"), i, f)
	{
		const char *name =
		    json_string_value(json_object_get(f, "name"));
		const char *type =
		    json_string_value(json_object_get(f, "type"));

		/* Compound values can't be queried in Bulk (their parts
		 * are fields of their own); blobs are fetched per record,
		 * which ferry does not do: Attachment.Body stays behind. */
		if (!type || !strcmp(type, "address") ||
		    !strcmp(type, "location") || !strcmp(type, "base64") ||
		    json_is_true(json_object_get(f, "deprecatedAndHidden")))
			continue;
		if (!field_name_ok(name))
			return ferry_error_set(
			    FERRY_EINVALID,
			    "Salesforce's describe of %s names "
			    "a field '%.80s' that is not an API "
			    "name",
			    object, name ? name : "");
		if (!strcmp(name, "Id"))
			has_id = true;
		if ((out->len && (error = ferry_buf_puts(out, ", ")) < 0) ||
		    (error = ferry_buf_puts(out, name)) < 0)
			return error;
	}
	if (!has_id)
		return ferry_error_set(
		    FERRY_EINVALID,
		    "Salesforce's describe of %s has no Id "
		    "field: ferry tracks every record by its "
		    "id, so it cannot extract %s",
		    object, object);
	return 0;
}

/* The automation kinds counted: for each, the queries to try in turn,
 * with the field that names the object each item acts on (NULL: the
 * first page's totalSize is all that is read). The field names of Flow,
 * ValidationRule and WorkflowRule are not the same in every org and API
 * version: a query refused as invalid falls back to the next, plainer
 * one, and a kind the org answers no query about is recorded as unknown.
 * Flows per object come from the data API's FlowDefinitionView (the
 * Tooling Flow has no object field). */
#define TOOLING  "/tooling/query"
#define DATA     "/query"
#define ATTEMPTS 3
static const struct kind {
	const char *name;
	struct attempt {
		const char *resource, *soql, *by;
	} a[ATTEMPTS];
} kinds[] = {
    {"ApexTrigger",
     {{TOOLING,
       "SELECT Id, TableEnumOrId FROM ApexTrigger WHERE NamespacePrefix "
       "= null",
       "TableEnumOrId"},
      {TOOLING, "SELECT Id FROM ApexTrigger", NULL}}},
    {"ApexClass",
     {{TOOLING, "SELECT Id FROM ApexClass WHERE NamespacePrefix = null", NULL},
      {TOOLING, "SELECT Id FROM ApexClass", NULL}}},
    {"Flow",
     {{DATA,
       "SELECT Id, TriggerObjectOrEventId FROM FlowDefinitionView WHERE "
       "IsActive = true",
       "TriggerObjectOrEventId"},
      {TOOLING, "SELECT Id FROM Flow WHERE Status = 'Active'", NULL},
      {TOOLING, "SELECT Id FROM Flow", NULL}}},
    {"ValidationRule",
     {{TOOLING,
       "SELECT Id, EntityDefinitionId FROM ValidationRule WHERE Active = "
       "true",
       "EntityDefinitionId"},
      {TOOLING, "SELECT Id, EntityDefinitionId FROM ValidationRule",
       "EntityDefinitionId"},
      {TOOLING, "SELECT Id FROM ValidationRule", NULL}}},
    {"WorkflowRule",
     {{TOOLING, "SELECT Id, TableEnumOrId FROM WorkflowRule", "TableEnumOrId"},
      {TOOLING, "SELECT Id FROM WorkflowRule", NULL}}},
};

struct tally {
	const char *by; /* NULL: the first page's totalSize is enough */
	json_t *by_object;
};

static int tally_page(json_t *page, void *payload)
{
	struct tally *t = payload;
	const json_t *rec;
	size_t i;

	if (!t->by)
		return 1;
	json_array_foreach(json_object_get(page, "records"), i, rec)
	{
		const char *o = json_string_value(json_object_get(rec, t->by));
		json_int_t n;

		if (!o || !*o)
			o = "(none)";
		n = json_integer_value(json_object_get(t->by_object, o));
		json_object_set_new(t->by_object, o, json_integer(n + 1));
	}
	return 0;
}

/* Refusals that say "this org can't be asked that", not "stop". */
static bool unanswerable(const struct ferry_sf *sf, int error)
{
	return ferry_sf__is_sf_error(sf, error, "INVALID_FIELD") ||
	       ferry_sf__is_sf_error(sf, error, "INVALID_TYPE") ||
	       ferry_sf__is_sf_error(sf, error, "MALFORMED_QUERY") ||
	       ferry_sf__is_sf_error(sf, error, "INSUFFICIENT_ACCESS");
}

static int count_kind(struct ferry_sf__run *r, const struct kind *k)
{
	struct tally t = {NULL, NULL};
	const struct attempt *a = NULL;
	json_t *doc = NULL;
	char name[96], reason[512];
	int64_t total = -1;
	size_t i;
	int error = 0;

	t.by_object = json_object();
	for (i = 0; i < ATTEMPTS && k->a[i].soql; i++) {
		a = &k->a[i];
		t.by = a->by;
		total = -1;
		json_object_clear(t.by_object);
		error = ferry_sf__rest_query(r, a->resource, a->soql,
		                             tally_page, &t, &total);
		if (error == 0 || !unanswerable(r->sf, error))
			break;
	}
	if (error < 0 && !unanswerable(r->sf, error))
		goto done;
	if (error < 0 || total < 0) {
		snprintf(reason, sizeof(reason), "%s",
		         error < 0 ? ferry_error_last()
		                   : "the answer had no totalSize");
		ferry_error_clear();
		doc = json_pack("{s:n, s:{}, s:b, s:s, s:s}", "total",
		                "by_object", "unknown", 1, "query", a->soql,
		                "reason", reason);
	} else {
		doc = json_pack("{s:I, s:O, s:s, s:s}", "total",
		                (json_int_t)total, "by_object", t.by_object,
		                "api",
		                strcmp(a->resource, DATA) ? "tooling" : "data",
		                "query", a->soql);
	}
	snprintf(name, sizeof(name), "salesforce/tooling/%s", k->name);
	error = put_fact(r, name, doc);
done:
	json_decref(doc);
	json_decref(t.by_object);
	return error;
}

int ferry_sf__tooling_facts(struct ferry_sf__run *r)
{
	size_t i;
	int error;

	for (i = 0; i < FERRY_ARRAY_LEN(kinds); i++)
		if ((error = count_kind(r, &kinds[i])) < 0)
			return ferry_error_wrap(error, "counting the org's %s",
			                        kinds[i].name);
	return 0;
}

int ferry_sf__limits_fact(struct ferry_sf__run *r, json_t **out)
{
	json_t *doc = NULL;
	int error;

	if ((error = ferry_sf_get_json(r->sf, "/limits", &doc)) < 0)
		goto done;
	if (!json_is_object(doc)) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "Salesforce's answer to GET /limits is "
		                        "not a JSON object");
		goto done;
	}
	if ((error = put_fact(r, "salesforce/limits", doc)) < 0)
		goto done;
	*out = doc;
	doc = NULL;
done:
	json_decref(doc);
	return error;
}
