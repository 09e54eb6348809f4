/* risks.c: the risks found while streaming, and those read off the field
 * profiles and the source facts (formula fields, picklist values nobody
 * defined or Attio has no option for, automation that stops at the
 * cut-over), each with a severity, how many records it touches, a few
 * examples and what a person should do about it. */
#include "util.h"

#include <stdarg.h>

#include "analyze_int.h"

void an_risk_add(struct analyze *an, const char *id, const char *severity,
                 const char *object, int64_t affected,
                 const struct an_examples *ex, const char *action,
                 const char *title_fmt, ...)
{
	json_t *r = json_object();
	char title[512];
	va_list ap;

	va_start(ap, title_fmt);
	vsnprintf(title, sizeof(title), title_fmt, ap);
	va_end(ap);
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(r, "severity", json_string(severity));
	json_object_set_new(r, "object",
	                    object ? json_string(object) : json_null());
	json_object_set_new(r, "title", json_string(title));
	json_object_set_new(r, "affected", json_integer(affected));
	json_object_set_new(r, "examples", an_examples_json(ex));
	json_object_set_new(r, "action", json_string(action));
	json_array_append_new(an->risks, r);
}

const char *an_severity(const char *base, int64_t affected, int64_t of)
{
	if (!strcmp(base, "medium") && of > 0 && affected * 4 >= of)
		return "high";
	return base;
}

static void risk_no_key(struct analyze *an, struct an_object *obj)
{
	const char *sev = an_severity("medium", obj->no_key.n, obj->count);
	struct an_text noun = an_noun_cap(obj->name);

	if (!obj->no_key.n)
		return;
	if (obj->kind == AN_ACCOUNT)
		an_risk_add(
		    an, "accounts_without_domain", sev, obj->name,
		    obj->no_key.n, &obj->no_key.ex,
		    "Companies are matched on their website domain: add "
		    "the company's website in Salesforce and extract "
		    "again; until then these accounts are skipped.",
		    "Accounts with no usable website domain: %s (%s "
		    "blank, %s unusable)",
		    an_num(obj->no_key.n).s, an_num(obj->no_key_blank).s,
		    an_num(obj->no_key_invalid).s);
	else
		an_risk_add(
		    an,
		    obj->kind == AN_LEAD ? "leads_without_email"
		                         : "contacts_without_email",
		    sev, obj->name, obj->no_key.n, &obj->no_key.ex,
		    "People are matched on their email address: add or "
		    "correct the email in Salesforce and extract again; "
		    "until then these records are skipped.",
		    "%s with no usable email: %s (%s blank, %s invalid)",
		    noun.s, an_num(obj->no_key.n).s,
		    an_num(obj->no_key_blank).s, an_num(obj->no_key_invalid).s);
}

static void risk_personal(struct analyze *an, struct an_object *obj)
{
	struct an_text noun = an_noun_cap(obj->name);

	if (!obj->personal.n)
		return;
	if (obj->kind == AN_ACCOUNT)
		an_risk_add(
		    an, "personal_email_domains",
		    an_severity("medium", obj->personal.n, obj->count),
		    obj->name, obj->personal.n, &obj->personal.ex,
		    "A personal-email domain such as gmail.com never "
		    "identifies a company: set the company's own website "
		    "in Salesforce; until then these accounts are "
		    "skipped.",
		    "Accounts with a personal-email domain as their "
		    "website: %s",
		    an_num(obj->personal.n).s);
	else
		an_risk_add(
		    an, "personal_email_domains", "low", obj->name,
		    obj->personal.n, &obj->personal.ex,
		    "These people are loaded, but Attio cannot link them "
		    "to a company by their email domain; the link comes "
		    "from their Salesforce account only. Nothing to do "
		    "unless you expected work addresses.",
		    "%s with a personal email address (gmail.com, …): %s",
		    noun.s, an_num(obj->personal.n).s);
}

static void risks_of(struct analyze *an, struct an_object *obj)
{
	struct an_text noun = an_noun_cap(obj->name);

	if (obj->person_accounts.n)
		an_risk_add(an, "person_accounts", "high", obj->name,
		            obj->person_accounts.n, &obj->person_accounts.ex,
		            "Person accounts are people, not companies: ferry "
		            "leaves them out of companies; load them as people "
		            "(their Contact rows) or decide otherwise in "
		            "mapping.yaml before running.",
		            "Person accounts (people, not companies): %s",
		            an_num(obj->person_accounts.n).s);
	if (obj->converted.n)
		an_risk_add(
		    an, "converted_leads",
		    an_severity("medium", obj->converted.n, obj->count),
		    obj->name, obj->converted.n, &obj->converted.ex,
		    "A converted lead already lives on as the account, "
		    "contact and opportunity it became: ferry leaves "
		    "converted leads out. Keep them only if you need "
		    "them as separate people.",
		    "Converted leads (their accounts and contacts already "
		    "exist): %s",
		    an_num(obj->converted.n).s);
	risk_no_key(an, obj);
	risk_personal(an, obj);
	if (obj->two_parents.n)
		an_risk_add(
		    an, "activities_with_two_parents", "low", obj->name,
		    obj->two_parents.n, &obj->two_parents.ex,
		    "An Attio note has one parent record: ferry attaches "
		    "these to the WhatId record (account, opportunity) "
		    "and names the person in the note; change WhoId/"
		    "WhatId in mapping.yaml to prefer the person.",
		    "%s with both a person (WhoId) and a record (WhatId): "
		    "%s",
		    noun.s, an_num(obj->two_parents.n).s);
	if (obj->large_files.n)
		an_risk_add(
		    an, "attachments_too_large", "medium", obj->name,
		    obj->large_files.n, &obj->large_files.ex,
		    "Attio refuses files over 50 MB: these are skipped. "
		    "Keep them in a file store and link them in a note "
		    "on the record.",
		    "Attachments larger than Attio's 50 MB file limit: %s",
		    an_num(obj->large_files.n).s);
}

void an_risks_records(struct analyze *an)
{
	size_t i;

	for (i = 0; i < an->n_objs; i++)
		risks_of(an, &an->objs[i]);
}

void an_risks_formulas(struct analyze *an)
{
	struct an_examples ex = {0};
	size_t i, j;
	int64_t n;

	for (i = 0; i < an->n_objs; i++) {
		struct an_object *obj = &an->objs[i];

		if (!obj->rule)
			continue;
		n = 0;
		for (j = 0; j < obj->n_fields; j++) {
			struct an_field *f = &obj->fields[j];

			if (!f->calculated || !f->seen)
				continue;
			n++;
			an_examples_add(&ex,
			                "%s: %s formula (%s records filled)",
			                f->name, f->type, an_num(f->filled).s);
		}
		if (n)
			an_risk_add(
			    an, "formula_fields", "low", obj->name, n, &ex,
			    "Attio stores these as plain values, computed "
			    "once at load time: rebuild the ones that must "
			    "stay live as Attio workflows or leave them out "
			    "of mapping.yaml.",
			    "Formula fields on %s, copied as static values "
			    "and not as formulas: %s",
			    obj->name, an_num(n).s);
		an_examples_free(&ex);
	}
}

/* The option titles of the Attio attribute a picklist goes to: a map, or
 * NULL when the attribute is not there. */
static bool dest_options(struct analyze *an, const char *dest_object,
                         const char *slug, struct an_map *out)
{
	json_t *attrs, *a, *opts, *o;
	size_t i, j;

	attrs = json_object_get(an->o->dest->attributes, dest_object);
	json_array_foreach(attrs, i, a)
	{
		const char *s =
		    json_string_value(json_object_get(a, "api_slug"));

		if (!s || strcmp(s, slug))
			continue;
		opts = json_object_get(a, "options");
		if (!json_is_array(opts))
			opts = json_object_get(a, "statuses");
		json_array_foreach(opts, j, o)
		{
			const char *t =
			    json_string_value(json_object_get(o, "title"));

			if (t &&
			    !json_is_true(json_object_get(o, "is_archived")))
				an_map_put(out, t, NULL);
		}
		return true;
	}
	return false;
}

struct picklist_check {
	int64_t affected, values, undefined, no_option;
	int64_t unchecked, unchecked_values, fields;
	struct an_examples ex, unchecked_ex;
};

static void check_field(struct analyze *an, struct an_object *obj,
                        struct an_field *f, struct picklist_check *pc)
{
	bool attrs = an->online && an->o->dest->attributes;
	struct an_map options = {0};
	struct an_map_ent *vals;
	struct an_attr attr;
	bool has_attr = false;
	size_t i;

	if (!an_rule_field(&attr, obj->name, f->name, f->type, f->filled,
	                   NULL) ||
	    (strcmp(attr.type, "select") && strcmp(attr.type, "multiselect") &&
	     strcmp(attr.type, "status")))
		return;
	if (attrs)
		has_attr = dest_options(an, obj->rule->to, attr.to, &options);
	vals = an_map_sorted(&f->values);
	pc->fields++;
	for (i = 0; i < f->values.len; i++) {
		bool undefined =
		    f->described && !an_map_get(&f->defined, vals[i].key);
		bool no_option = attrs && !an_map_get(&options, vals[i].key);

		if (!attrs) {
			pc->unchecked += vals[i].val;
			pc->unchecked_values++;
			an_examples_add(&pc->unchecked_ex,
			                "%s: %s (%s records)", f->name,
			                vals[i].key, an_num(vals[i].val).s);
		}
		if (!undefined && !no_option)
			continue;
		pc->affected += vals[i].val;
		pc->values++;
		pc->undefined += undefined;
		pc->no_option += no_option;
		an_examples_add(&pc->ex, "%s: %s (%s records%s%s)", f->name,
		                vals[i].key, an_num(vals[i].val).s,
		                undefined ? "; not defined in Salesforce" : "",
		                !no_option ? ""
		                : has_attr ? "; no Attio option"
		                           : "; no Attio attribute yet");
	}
	free(vals);
	an_map_free(&options);
}

void an_risks_picklists(struct analyze *an)
{
	static const char action[] =
	    "Attio never creates select options: for each value under "
	    "value_tables in mapping.yaml, create the option in Attio or map "
	    "the value to one that exists (unmapped: hold keeps those "
	    "records back until you decide).";
	size_t i, j;

	for (i = 0; i < an->n_objs; i++) {
		struct an_object *obj = &an->objs[i];
		struct picklist_check pc = {0};
		const char *why, *offline;

		if (!obj->rule)
			continue;
		for (j = 0; j < obj->n_fields; j++)
			if (obj->fields[j].track && obj->fields[j].seen)
				check_field(an, obj, &obj->fields[j], &pc);
		offline = an->online && an->o->dest->attributes ? ""
		          : an->online
		              ? "; Attio's select options were not "
		                "checked (not read from the destination)"
		              : "; Attio's select options were not "
		                "checked (destination offline)";
		if (pc.values) {
			why = !pc.no_option ? "are not defined in Salesforce"
			      : !pc.undefined
			          ? "have no option in Attio"
			          : "are not defined in Salesforce or have no "
			            "option in Attio";
			an_risk_add(
			    an, "picklist_values_unmapped", "medium", obj->name,
			    pc.affected, &pc.ex, action,
			    "Picklist values in use on %s that %s: %s (in "
			    "%s records)%s",
			    obj->name, why, an_num(pc.values).s,
			    an_num(pc.affected).s, offline);
		} else if (pc.unchecked_values) {
			an_risk_add(
			    an, "picklist_values_unmapped", "low", obj->name,
			    pc.unchecked, &pc.unchecked_ex, action,
			    "Picklist values in use on %s not checked "
			    "against Attio's select options (%s): %s in %s "
			    "fields",
			    obj->name,
			    an->online ? "not read from the destination"
			               : "destination offline",
			    an_num(pc.unchecked_values).s, an_num(pc.fields).s);
		}
		an_examples_free(&pc.ex);
		an_examples_free(&pc.unchecked_ex);
	}
}

void an_risks_automation(struct analyze *an)
{
	struct an_examples ex = {0};
	int64_t total = 0, n;
	size_t i;

	if (!an->automation_known) {
		an_risk_add(an, "automation", "low", NULL, 0, NULL,
		            "Look in Salesforce Setup (Apex Triggers, Flows, "
		            "Validation Rules, Workflow Rules) for logic on "
		            "these objects: none of it runs in Attio.",
		            "Automation unknown: a CSV export does not include "
		            "Apex, flows or validation rules");
		return;
	}
	for (i = 0; i < an->n_objs; i++) {
		struct an_object *obj = &an->objs[i];

		if (!obj->rule)
			continue;
		n = obj->triggers + obj->flows + obj->vrules + obj->wrules;
		if (!n)
			continue;
		total += n;
		an_examples_add(&ex,
		                "%s: %" PRId64 " Apex triggers, %" PRId64
		                " flows, %" PRId64 " validation rules, %" PRId64
		                " workflow rules",
		                obj->name, obj->triggers, obj->flows,
		                obj->vrules, obj->wrules);
	}
	if (total)
		an_risk_add(
		    an, "automation", "medium", NULL, total, &ex,
		    "Rebuild what these did (defaults, validations, "
		    "follow-up tasks) as Attio workflows, or accept "
		    "that it stops at the cut-over.",
		    "Automations on migrated objects that will not run in "
		    "Attio: %s",
		    an_num(total).s);
	an_examples_free(&ex);
}

static int severity_rank(const json_t *r)
{
	const char *s = json_string_value(json_object_get(r, "severity"));

	return !strcmp(s, "high") ? 0 : !strcmp(s, "medium") ? 1 : 2;
}

void an_risks_sort(struct analyze *an)
{
	json_t *sorted = json_array();
	size_t i;
	int rank;

	/* Stable: by severity, then in the order found. */
	for (rank = 0; rank < 3; rank++)
		for (i = 0; i < json_array_size(an->risks); i++)
			if (severity_rank(json_array_get(an->risks, i)) == rank)
				json_array_append(sorted,
				                  json_array_get(an->risks, i));
	json_decref(an->risks);
	an->risks = sorted;
}
