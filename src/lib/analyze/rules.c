/* rules.c: what each Salesforce object and field becomes in Attio by
 * default: the destination object and its matching attribute, Attio's
 * standard attributes where one fits, a custom attribute slug (the field
 * name in snake_case) for the rest, and the fields left out. The draft
 * mapping, the picklist check and the estimate all read these rules, so
 * they agree on where a value goes. */
#include "util.h"

#include <ctype.h>

#include "analyze_int.h"

/* In load order: parents before the records that point at them. */
static const struct an_object_rule objects[] = {
    {"Account", "companies", "domains", NULL, "Website"},
    {"Contact", "people", "email_addresses", NULL, "Email"},
    {"Lead", "people", "email_addresses", NULL, "Email"},
    {"Opportunity", "deals", "salesforce_id", NULL, "Id"},
    {"Note", "notes", NULL, NULL, NULL},
    {"Task", "notes", NULL,
     "activities become notes on their parent record (Attio has no "
     "activity history)",
     NULL},
    {"Event", "notes", NULL,
     "activities become notes on their parent record (Attio has no "
     "activity history)",
     NULL},
    {"Attachment", "files", NULL, NULL, NULL},
};

const struct an_object_rule *an_rule_object(const char *object)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(objects); i++)
		if (!strcmp(objects[i].object, object))
			return &objects[i];
	return NULL;
}

int an_rule_order(const char *object)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(objects); i++)
		if (!strcmp(objects[i].object, object))
			return (int)i;
	if (!strcmp(object, "User"))
		return (int)FERRY_ARRAY_LEN(objects);
	return (int)FERRY_ARRAY_LEN(objects) + 1;
}

static const struct {
	const char *object, *noun;
} nouns[] = {
    {"Account", "accounts"},   {"Contact", "contacts"},
    {"Lead", "leads"},         {"Opportunity", "opportunities"},
    {"Task", "tasks"},         {"Event", "events"},
    {"Note", "notes"},         {"Attachment", "attachments"},
    {"Case", "cases"},         {"User", "users"},
    {"Campaign", "campaigns"},
};

struct an_text an_noun(const char *object)
{
	struct an_text t;
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(nouns); i++)
		if (!strcmp(nouns[i].object, object)) {
			snprintf(t.s, sizeof(t.s), "%s", nouns[i].noun);
			return t;
		}
	snprintf(t.s, sizeof(t.s), "%s records", object);
	return t;
}

struct an_text an_noun_cap(const char *object)
{
	struct an_text t = an_noun(object);

	if (t.s[0] >= 'a' && t.s[0] <= 'z')
		t.s[0] = (char)(t.s[0] - 'a' + 'A');
	return t;
}

const char *an_unmapped_reason(const char *object)
{
	size_t len = strlen(object);

	if (!strcmp(object, "Case"))
		return "no destination decided: Attio has no cases; choose a "
		       "custom object, notes on the company, or leave them "
		       "out";
	if (!strcmp(object, "OpportunityContactRole"))
		return "no destination decided: link the contacts to their "
		       "deals (deals.associated_people) or leave them out";
	if (!strcmp(object, "CampaignMember") || !strcmp(object, "Campaign"))
		return "no destination decided: campaigns could become an "
		       "Attio list; choose one or leave them out";
	if (len > 3 && !strcmp(object + len - 3, "__c"))
		return "custom object: create a matching Attio custom object "
		       "(or a list) and map it, or leave it out";
	return "no destination decided: choose an Attio object for it or "
	       "leave it out";
}

/* Standard and well-known attributes; object NULL: any object. */
static const struct field_rule {
	const char *object, *field, *to, *type, *part, *ref;
	bool standard;
} fields[] = {
    {NULL, "Id", "salesforce_id", "text", "", "", false},
    {"Account", "Name", "name", "text", "", "", true},
    {"Account", "Website", "domains", "domain", "", "", true},
    {"Account", "Description", "description", "text", "", "", true},
    {"Account", "Phone", "phone", "phone", "", "", false},
    {"Account", "BillingStreet", "primary_location", "location", "line_1", "",
     true},
    {"Account", "BillingCity", "primary_location", "location", "locality", "",
     true},
    {"Account", "BillingState", "primary_location", "location", "region", "",
     true},
    {"Account", "BillingPostalCode", "primary_location", "location", "postcode",
     "", true},
    {"Account", "BillingCountry", "primary_location", "location", "country", "",
     true},
    {"Account", "ParentId", "parent_company", "reference", "", "companies",
     false},
    {"Account", "OwnerId", "owner", "owner", "", "", false},
    {"Contact", "FirstName", "name", "name", "first_name", "", true},
    {"Contact", "LastName", "name", "name", "last_name", "", true},
    {"Contact", "Email", "email_addresses", "email", "", "", true},
    {"Contact", "Phone", "phone_numbers", "phone", "", "", true},
    {"Contact", "MobilePhone", "phone_numbers", "phone", "", "", true},
    {"Contact", "Title", "job_title", "text", "", "", true},
    {"Contact", "Description", "description", "text", "", "", true},
    {"Contact", "AccountId", "company", "reference", "", "companies", true},
    {"Contact", "ReportsToId", "reports_to", "reference", "", "people", false},
    {"Contact", "MailingStreet", "primary_location", "location", "line_1", "",
     true},
    {"Contact", "MailingCity", "primary_location", "location", "locality", "",
     true},
    {"Contact", "MailingState", "primary_location", "location", "region", "",
     true},
    {"Contact", "MailingPostalCode", "primary_location", "location", "postcode",
     "", true},
    {"Contact", "MailingCountry", "primary_location", "location", "country", "",
     true},
    {"Contact", "OwnerId", "owner", "owner", "", "", false},
    {"Lead", "FirstName", "name", "name", "first_name", "", true},
    {"Lead", "LastName", "name", "name", "last_name", "", true},
    {"Lead", "Email", "email_addresses", "email", "", "", true},
    {"Lead", "Phone", "phone_numbers", "phone", "", "", true},
    {"Lead", "MobilePhone", "phone_numbers", "phone", "", "", true},
    {"Lead", "Title", "job_title", "text", "", "", true},
    {"Lead", "Description", "description", "text", "", "", true},
    {"Lead", "Company", "lead_company", "text", "", "", false},
    {"Lead", "Street", "primary_location", "location", "line_1", "", true},
    {"Lead", "City", "primary_location", "location", "locality", "", true},
    {"Lead", "State", "primary_location", "location", "region", "", true},
    {"Lead", "PostalCode", "primary_location", "location", "postcode", "",
     true},
    {"Lead", "Country", "primary_location", "location", "country", "", true},
    {"Lead", "Status", "lead_status", "select", "", "", false},
    {"Lead", "OwnerId", "owner", "owner", "", "", false},
    {"Opportunity", "Name", "name", "text", "", "", true},
    {"Opportunity", "StageName", "stage", "status", "", "", true},
    {"Opportunity", "Amount", "value", "currency", "", "", true},
    {"Opportunity", "OwnerId", "owner", "owner", "", "", true},
    {"Opportunity", "AccountId", "associated_company", "reference", "",
     "companies", true},
    {"Opportunity", "ContactId", "associated_people", "reference", "", "people",
     true},
    {"Task", "Subject", "title", "text", "", "", true},
    {"Task", "Description", "content", "text", "", "", true},
    {"Task", "WhatId", "parent", "reference", "", "", true},
    {"Task", "WhoId", "parent", "reference", "", "", true},
    {"Task", "ActivityDate", "created_at", "timestamp", "", "", true},
    {"Event", "Subject", "title", "text", "", "", true},
    {"Event", "Description", "content", "text", "", "", true},
    {"Event", "WhatId", "parent", "reference", "", "", true},
    {"Event", "WhoId", "parent", "reference", "", "", true},
    {"Event", "StartDateTime", "created_at", "timestamp", "", "", true},
    {"Note", "Title", "title", "text", "", "", true},
    {"Note", "Body", "content", "text", "", "", true},
    {"Note", "ParentId", "parent", "reference", "", "", true},
    {"Attachment", "Name", "name", "text", "", "", true},
    {"Attachment", "ParentId", "parent", "reference", "", "", true},
};

/* Salesforce bookkeeping and derived fields: never copied. */
static const char *const system_fields[] = {
    "IsDeleted",
    "CreatedById",
    "LastModifiedById",
    "SystemModstamp",
    "LastViewedDate",
    "LastReferencedDate",
    "LastActivityDate",
    "MasterRecordId",
    "Jigsaw",
    "JigsawCompanyId",
    "JigsawContactId",
    "CleanStatus",
    "PhotoUrl",
    "IsPersonAccount",
    "PersonContactId",
    "RecordTypeId",
    "IsConverted",
    "ConvertedDate",
    "ConvertedAccountId",
    "ConvertedContactId",
    "ConvertedOpportunityId",
    "IsUnreadByOwner",
    "IsClosed",
    "IsWon",
    "IsArchived",
    "CreatedDate",
    "LastModifiedDate",
    "EmailBouncedReason",
    "EmailBouncedDate",
    "IndividualId",
    "DandbCompanyId",
    "HasOpportunityLineItem",
    "Pricebook2Id",
    "FiscalQuarter",
    "FiscalYear",
    "Fiscal",
    "ForecastCategory",
    "OperatingHoursId",
    "LastStageChangeDate",
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool is_system(const char *object, const char *field)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(system_fields); i++)
		if (!strcmp(system_fields[i], field))
			return true;
	/* Contact and Lead Name is FirstName + LastName, read-only. */
	if (!strcmp(field, "Name") &&
	    (!strcmp(object, "Contact") || !strcmp(object, "Lead")))
		return true;
	return ends_with(field, "Latitude") || ends_with(field, "Longitude") ||
	       ends_with(field, "GeocodeAccuracy");
}

/* "AnnualRevenue" -> "annual_revenue", "SLAExpirationDate__c" ->
 * "sla_expiration_date", "npsp__Batch__c" -> "npsp_batch". */
static void snake_case(char *out, size_t outlen, const char *name)
{
	char tmp[128];
	size_t n = 0, i, len;
	const char *end;

	snprintf(tmp, sizeof(tmp), "%s", name);
	len = strlen(tmp);
	if (ends_with(tmp, "__c") || ends_with(tmp, "__pc"))
		tmp[len - (ends_with(tmp, "__c") ? 3 : 4)] = '\0';
	end = tmp + strlen(tmp);
	for (i = 0; tmp + i < end && n + 2 < outlen; i++) {
		unsigned char c = (unsigned char)tmp[i];
		unsigned char prev = i ? (unsigned char)tmp[i - 1] : 0;
		unsigned char next = (unsigned char)tmp[i + 1];

		if (isupper(c) && i &&
		    (islower(prev) || isdigit(prev) ||
		     (isupper(prev) && islower(next))) &&
		    n && out[n - 1] != '_')
			out[n++] = '_';
		if (isalnum(c))
			out[n++] = (char)tolower(c);
		else if (n && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	if (!n || isdigit((unsigned char)out[0])) {
		snprintf(tmp, sizeof(tmp), "sf_%s", out);
		snprintf(out, outlen, "%s", tmp);
	}
}

static const char *generic_type(const char *sf_type)
{
	static const struct {
		const char *sf, *attio;
	} types[] = {
	    {"string", "text"},      {"textarea", "text"},
	    {"combobox", "text"},    {"encryptedstring", "text"},
	    {"time", "text"},        {"url", "text"},
	    {"email", "email"},      {"phone", "phone"},
	    {"picklist", "select"},  {"multipicklist", "multiselect"},
	    {"boolean", "checkbox"}, {"int", "number"},
	    {"double", "number"},    {"percent", "number"},
	    {"long", "number"},      {"currency", "currency"},
	    {"date", "date"},        {"datetime", "timestamp"},
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(types); i++)
		if (!strcmp(types[i].sf, sf_type))
			return types[i].attio;
	return NULL;
}

bool an_rule_field(struct an_attr *out, const char *object, const char *field,
                   const char *sf_type, int64_t filled, const char *ref_dest)
{
	const struct an_object_rule *rule = an_rule_object(object);
	const char *type;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!rule)
		return false;
	for (i = 0; i < FERRY_ARRAY_LEN(fields); i++) {
		const struct field_rule *r = &fields[i];

		if ((r->object && strcmp(r->object, object)) ||
		    strcmp(r->field, field))
			continue;
		/* notes and files hold no custom attribute */
		if (!r->object &&
		    (!strcmp(rule->to, "notes") || !strcmp(rule->to, "files")))
			break;
		/* notes and files hold no custom attribute */
		if (!r->object &&
		    (!strcmp(rule->to, "notes") || !strcmp(rule->to, "files")))
			break;
		snprintf(out->to, sizeof(out->to), "%s", r->to);
		snprintf(out->type, sizeof(out->type), "%s", r->type);
		snprintf(out->part, sizeof(out->part), "%s", r->part);
		snprintf(out->object, sizeof(out->object), "%s", r->ref);
		out->standard = r->standard;
		out->listed = true;
		/* the picklist of a standard select keeps its values */
		if (!strcmp(r->type, "select") && sf_type &&
		    !strcmp(sf_type, "multipicklist"))
			snprintf(out->type, sizeof(out->type), "multiselect");
		return true;
	}
	/* Notes and files have a fixed shape: no custom attributes. */
	if (!strcmp(rule->to, "notes") || !strcmp(rule->to, "files"))
		return false;
	if (filled <= 0 || is_system(object, field) || !sf_type)
		return false;
	if (!strcmp(field, "OwnerId")) {
		snprintf(out->to, sizeof(out->to), "owner");
		snprintf(out->type, sizeof(out->type), "owner");
		return true;
	}
	if (!strcmp(sf_type, "reference")) {
		if (!ref_dest || !*ref_dest)
			return false;
		type = "reference";
		snprintf(out->object, sizeof(out->object), "%s", ref_dest);
	} else if (!(type = generic_type(sf_type))) {
		return false; /* address, base64, anyType, … */
	}
	snake_case(out->to, sizeof(out->to), field);
	if (!strcmp(type, "reference") && ends_with(out->to, "_id"))
		out->to[strlen(out->to) - 3] = '\0';
	snprintf(out->type, sizeof(out->type), "%s", type);
	return true;
}

bool an_rule_known_picklist(const char *field)
{
	static const char *const names[] = {
	    "Industry",  "Type",     "LeadSource",           "StageName",
	    "Status",    "Rating",   "Salutation",           "AccountSource",
	    "Ownership", "Priority", "ForecastCategoryName",
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(names); i++)
		if (!strcmp(names[i], field))
			return true;
	return false;
}

static const char *const csv_references[] = {
    "AccountId",
    "ContactId",
    "OpportunityId",
    "ParentId",
    "WhoId",
    "WhatId",
    "ReportsToId",
    "LeadId",
    "CampaignId",
    "ConvertedAccountId",
    "ConvertedContactId",
    "ConvertedOpportunityId",
};

const char *const *an_rule_csv_references(size_t *n)
{
	*n = FERRY_ARRAY_LEN(csv_references);
	return csv_references;
}

/* Standard key prefixes, the same in every org (custom objects come from
 * describeGlobal). */
static const struct {
	const char *prefix, *object;
} prefixes[] = {
    {"001", "Account"},
    {"003", "Contact"},
    {"005", "User"},
    {"006", "Opportunity"},
    {"00Q", "Lead"},
    {"00T", "Task"},
    {"00U", "Event"},
    {"500", "Case"},
    {"00P", "Attachment"},
    {"002", "Note"},
    {"00G", "Group"},
    {"701", "Campaign"},
    {"00v", "CampaignMember"},
    {"00K", "OpportunityContactRole"},
    {"00a", "CaseComment"},
    {"012", "RecordType"},
    {"069", "ContentDocument"},
    {"068", "ContentVersion"},
};

const char *an_rule_prefix_object(const char *prefix)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(prefixes); i++)
		if (!strncmp(prefixes[i].prefix, prefix, 3))
			return prefixes[i].object;
	return NULL;
}
