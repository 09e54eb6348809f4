/* attio_scalars.c: the write forms of number, currency, checkbox, date,
 * timestamp, rating, status and actor-reference values (reference §3.3).
 * Numbers and currency amounts are kept as decimal text, never through a
 * double, rounded to Attio's 4 decimal places. */
#include "util.h"

#include <strings.h>

#include "attio_sandbox.h"

#define PLACES 4

static bool is_type(const struct attio_attr *a, const char *t)
{
	return !strcmp(a->type, t);
}

/* The bare value, or the one key of the object form. */
static json_t *unwrap(json_t *v, const char *key)
{
	return json_is_object(v) ? json_object_get(v, key) : v;
}

static json_t *bad(const struct attio_attr *a, struct attio_err *e,
                   const char *expected)
{
	attio_err_set(e, 400, "validation_type",
	              "Invalid value for %s attribute \"%s\": expected %s.",
	              a->type, a->slug, expected);
	return NULL;
}

static json_t *norm_number(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *v, struct attio_err *e)
{
	char num[ATTIO_NUM_LEN];

	if (attio_number_input(sb, unwrap(v, "value"), false, PLACES, num) < 0)
		return bad(a, e, "a number or {\"value\": number}");
	return json_pack("{s:s}", "value", num);
}

static json_t *norm_currency(struct attio_sb *sb, const struct attio_attr *a,
                             json_t *v, struct attio_err *e)
{
	char num[ATTIO_NUM_LEN];
	json_t *code =
	    json_is_object(v) ? json_object_get(v, "currency_code") : NULL;

	if (attio_number_input(sb, unwrap(v, "currency_value"), true, PLACES,
	                       num) < 0)
		return bad(a, e,
		           "a number, a numeric string or "
		           "{\"currency_value\": number}");
	if (code && !json_is_null(code) &&
	    (!json_is_string(code) ||
	     strcmp(json_string_value(code), a->currency_code))) {
		attio_err_set(
		    e, 400, "validation_type",
		    "The currency of attribute \"%s\" is set by its "
		    "configuration (%s) and cannot be given per value.",
		    a->slug, a->currency_code[0] ? a->currency_code : "none");
		return NULL;
	}
	return json_pack("{s:s,s:s?}", "currency_value", num, "currency_code",
	                 a->currency_code[0] ? a->currency_code : NULL);
}

static json_t *norm_checkbox(const struct attio_attr *a, json_t *v,
                             struct attio_err *e)
{
	json_t *x = unwrap(v, "value");
	const char *s = json_string_value(x);

	if (json_is_boolean(x))
		return json_pack("{s:b}", "value", json_is_true(x));
	if (s && (!strcmp(s, "true") || !strcmp(s, "false")))
		return json_pack("{s:b}", "value", !strcmp(s, "true"));
	return bad(a, e,
	           "true, false, \"true\", \"false\" or {\"value\": ...}");
}

static json_t *norm_when(const struct attio_attr *a, json_t *v,
                         struct attio_err *e)
{
	const char *s = json_string_value(unwrap(v, "value"));
	char out[ATTIO_TS_LEN];
	bool date = is_type(a, "date");

	if (!s || (date ? attio_date_parse(s, out)
	                : attio_timestamp_parse(s, out, NULL)) < 0)
		return bad(a, e,
		           date ? "an ISO 8601 date such as \"2023-01-02\""
		                : "an ISO 8601 timestamp such as "
		                  "\"2023-01-02T13:00:00Z\"");
	return json_pack("{s:s}", "value", out);
}

static json_t *norm_rating(const struct attio_attr *a, json_t *v,
                           struct attio_err *e)
{
	json_t *x = unwrap(v, "value");
	double d = json_is_number(x) ? json_number_value(x) : -1;

	if (!json_is_number(x) || d < 0 || d > 5 || d != (double)(int)d)
		return bad(a, e, "a whole number from 0 to 5");
	return json_pack("{s:i}", "value", (int)d);
}

static json_t *norm_status(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *v, struct attio_err *e)
{
	const char *s = json_string_value(unwrap(v, "status"));
	struct attio_option *op;

	if (!s)
		return bad(a, e, "a status title or {\"status\": title or id}");
	op = attio_option_find(a, s);
	if (!op || op->is_archived) {
		attio_err_set(e, 400, "value_not_found",
		              "Cannot find status attribute with status option "
		              "title \"%s\".",
		              s);
		return NULL;
	}
	return json_pack("{s:o}", "status", attio_status_json(sb, a, op));
}

struct attio_member *attio_member_find(struct attio_sb *sb, const char *key)
{
	size_t i;

	for (i = 0; key && i < sb->n_members; i++)
		if (!strcasecmp(sb->members[i].email, key) ||
		    !strcmp(sb->members[i].id, key))
			return &sb->members[i];
	return NULL;
}

json_t *attio_norm_member(struct attio_sb *sb, const char *what, json_t *v,
                          struct attio_err *e)
{
	const char *email = json_string_value(
	    json_is_object(v)
	        ? json_object_get(v, "workspace_member_email_address")
	        : v);
	const char *type =
	    json_string_value(json_object_get(v, "referenced_actor_type"));
	const char *id =
	    json_string_value(json_object_get(v, "referenced_actor_id"));
	struct attio_member *m = NULL;

	if (email) {
		m = attio_member_find(sb, email);
		if (!m || !strchr(email, '@')) {
			attio_err_set(e, 400, "value_not_found",
			              "Workspace member with email \"%s\" not "
			              "found (%s).",
			              email, what);
			return NULL;
		}
	} else if (type && id) {
		if (strcmp(type, "workspace-member")) {
			attio_err_set(e, 400, "validation_type",
			              "Only workspace-member actors can be "
			              "written (%s), not \"%s\".",
			              what, type);
			return NULL;
		}
		m = attio_member_find(sb, id);
		if (!m || strchr(id, '@')) {
			attio_err_set(
			    e, 400, "value_not_found",
			    "Workspace member with ID \"%s\" not found "
			    "(%s).",
			    id, what);
			return NULL;
		}
	} else {
		attio_err_set(
		    e, 400, "validation_type",
		    "Invalid workspace member for %s: give an email "
		    "address, {\"workspace_member_email_address\"} or "
		    "{\"referenced_actor_type\": \"workspace-member\", "
		    "\"referenced_actor_id\"}.",
		    what);
		return NULL;
	}
	return json_pack("{s:s,s:s}", "referenced_actor_type",
	                 "workspace-member", "referenced_actor_id", m->id);
}

json_t *attio_norm_scalar(struct attio_sb *sb, const struct attio_attr *a,
                          json_t *v, struct attio_err *e)
{
	if (is_type(a, "number"))
		return norm_number(sb, a, v, e);
	if (is_type(a, "currency"))
		return norm_currency(sb, a, v, e);
	if (is_type(a, "checkbox"))
		return norm_checkbox(a, v, e);
	if (is_type(a, "date") || is_type(a, "timestamp"))
		return norm_when(a, v, e);
	if (is_type(a, "rating"))
		return norm_rating(a, v, e);
	if (is_type(a, "status"))
		return norm_status(sb, a, v, e);
	if (is_type(a, "actor-reference")) {
		char what[128];

		snprintf(what, sizeof(what), "attribute \"%s\"", a->slug);
		return attio_norm_member(sb, what, v, e);
	}
	attio_err_set(e, 400, "validation_type",
	              "Attribute \"%s\" of type \"%s\" cannot be written "
	              "through the API.",
	              a->slug, a->type);
	return NULL;
}
