/* attio_filter.c: the subset of Attio's records-query filter language the
 * sandbox understands: shorthand equality, $eq, $in, $contains,
 * $starts_with, $ends_with, $not_empty, $lt, $lte, $gt, $gte on an
 * attribute or one of its fields, record_id, and $and / $or / $not.
 * Anything else is a filter_error, so a client never mistakes an ignored
 * filter for an empty result. */
#include "util.h"

#include <strings.h>

#include "attio_sandbox.h"

static const char *const type_fields[][11] = {
    {"text", "value"},
    {"domain", "domain", "root_domain"},
    {"email-address", "email_address", "email_domain", "email_root_domain",
     "email_local_specifier", "original_email_address"},
    {"personal-name", "full_name", "first_name", "last_name"},
    {"record-reference", "target_record_id", "target_object"},
    {"select", "option"},
    {"status", "status"},
    {"phone-number", "phone_number", "original_phone_number", "country_code"},
    {"location", "line_1", "line_2", "line_3", "line_4", "locality", "region",
     "postcode", "country_code", "latitude", "longitude"},
    {"number", "value"},
    {"currency", "currency_value", "currency_code"},
    {"checkbox", "value"},
    {"date", "value"},
    {"timestamp", "value"},
    {"rating", "value"},
    {"actor-reference", "referenced_actor_id", "referenced_actor_type"},
};

/* How two values of a field compare. */
enum kind { PLAIN, FOLD, NUMERIC };

/* The field a shorthand filter compares (the first listed), or whether
 * `field` is one of the type's fields. */
static const char *field_of(const struct attio_attr *a, const char *field)
{
	size_t i, j;

	for (i = 0; i < FERRY_ARRAY_LEN(type_fields); i++) {
		if (strcmp(type_fields[i][0], a->type))
			continue;
		if (!field)
			return type_fields[i][1];
		for (j = 1; j < 11 && type_fields[i][j]; j++)
			if (!strcmp(type_fields[i][j], field))
				return type_fields[i][j];
	}
	return NULL;
}

static enum kind kind_of(const struct attio_attr *a, const char *field)
{
	if (!strcmp(a->type, "email-address") || !strcmp(a->type, "domain"))
		return FOLD;
	if (!strcmp(field, "currency_value") ||
	    (!strcmp(field, "value") &&
	     (!strcmp(a->type, "number") || !strcmp(a->type, "rating"))))
		return NUMERIC;
	return PLAIN;
}

static bool is_op(const char *k)
{
	return k[0] == '$';
}

static bool scalar(json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

static int bad(struct attio_err *e, const char *what, const char *key)
{
	return attio_err_set(e, 400, "filter_error",
	                     "Error in filter: %s \"%s\" is not supported by "
	                     "the sandbox.",
	                     what, key);
}

static bool ordering(const char *op)
{
	return !strcmp(op, "$lt") || !strcmp(op, "$lte") ||
	       !strcmp(op, "$gt") || !strcmp(op, "$gte");
}

/* A condition is a scalar (equality) or an object of operators. */
static int check_cond(json_t *cond, const char *name, struct attio_err *e)
{
	const char *op;
	json_t *arg;

	if (scalar(cond))
		return 0;
	if (!json_is_object(cond) || json_object_size(cond) == 0)
		return bad(e, "condition for", name);
	json_object_foreach(cond, op, arg)
	{
		if (!strcmp(op, "$eq") || !strcmp(op, "$contains") ||
		    !strcmp(op, "$starts_with") || !strcmp(op, "$ends_with") ||
		    ordering(op)) {
			if (!scalar(arg))
				return bad(e, "operand of", op);
		} else if (!strcmp(op, "$in")) {
			json_t *x;
			size_t i;

			if (!json_is_array(arg))
				return bad(e, "operand of", op);
			json_array_foreach(arg, i, x)
			{
				if (!scalar(x))
					return bad(e, "operand of", op);
			}
		} else if (!strcmp(op, "$not_empty")) {
			if (!json_is_boolean(arg))
				return bad(e, "operand of", op);
		} else
			return bad(e, "operator", op);
	}
	return 0;
}

int attio_filter_check(struct attio_object *o, json_t *filter,
                       struct attio_err *e)
{
	const char *key;
	json_t *v;

	if (!json_is_object(filter))
		return attio_err_set(e, 400, "filter_error",
		                     "Error in filter: expected an object.");
	json_object_foreach(filter, key, v)
	{
		struct attio_attr *a;

		if (!strcmp(key, "$and") || !strcmp(key, "$or")) {
			json_t *sub;
			size_t i;

			if (!json_is_array(v))
				return bad(e, "operand of", key);
			json_array_foreach(v, i, sub)
			{
				if (attio_filter_check(o, sub, e) < 0)
					return -1;
			}
		} else if (!strcmp(key, "$not")) {
			if (attio_filter_check(o, v, e) < 0)
				return -1;
		} else if (!strcmp(key, "record_id") && !o->is_list) {
			if (check_cond(v, key, e) < 0)
				return -1;
		} else if (!(a = attio_attr_find(o, key)) || is_op(key)) {
			return bad(e, "attribute", key);
		} else if (!field_of(a, NULL)) {
			return bad(e, "attribute type", a->type);
		} else if (scalar(v)) {
			continue;
		} else if (!json_is_object(v) || json_object_size(v) == 0) {
			return bad(e, "condition for", key);
		} else {
			const char *k;
			json_t *c;
			int ops = 0, fields = 0;

			json_object_foreach(v, k, c)
			{
				if (is_op(k)) {
					ops++;
				} else {
					fields++;
					if (!field_of(a, k))
						return bad(e, "field", k);
					if (check_cond(c, k, e) < 0)
						return -1;
				}
			}
			if (ops && fields)
				return bad(e, "mixed condition for", key);
			if (ops && check_cond(v, key, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* The operand as text (booleans as true/false). */
static const char *operand(json_t *want, char buf[64])
{
	if (json_is_string(want))
		return json_string_value(want);
	if (json_is_boolean(want))
		return json_is_true(want) ? "true" : "false";
	if (json_is_integer(want))
		snprintf(buf, 64, "%lld", (long long)json_integer_value(want));
	else
		snprintf(buf, 64, "%.17g", json_number_value(want));
	return buf;
}

/* Three-way comparison of a stored field with an operand. */
static int compare(const char *have, json_t *want, enum kind k)
{
	char buf[64];

	if (k == NUMERIC) {
		double h = 0, w = 0;

		if (ferry_parse_double(have, &h) < 0)
			return -2;
		if (json_is_number(want))
			w = json_number_value(want);
		else if (!json_is_string(want) ||
		         ferry_parse_double(json_string_value(want), &w) < 0)
			return -2;
		return h < w ? -1 : h > w ? 1 : 0;
	}
	return k == FOLD ? strcasecmp(have, operand(want, buf))
	                 : strcmp(have, operand(want, buf));
}

static bool str_match(const char *have, json_t *want, const char *op,
                      enum kind k)
{
	char buf[64];
	const char *w = operand(want, buf);
	size_t hl = strlen(have), wl = strlen(w), i;
	bool ci = k == FOLD;
	int c;

	if (!strcmp(op, "$contains")) {
		/* ASCII case folding only where the type folds */
		for (i = 0; i + wl <= hl; i++)
			if (ci ? !strncasecmp(have + i, w, wl)
			       : !strncmp(have + i, w, wl))
				return true;
		return false;
	}
	if (!strcmp(op, "$starts_with"))
		return wl <= hl &&
		       (ci ? !strncasecmp(have, w, wl) : !strncmp(have, w, wl));
	if (!strcmp(op, "$ends_with"))
		return wl <= hl && (ci ? !strcasecmp(have + hl - wl, w)
		                       : !strcmp(have + hl - wl, w));
	c = compare(have, want, k);
	if (c == -2)
		return false;
	if (!strcmp(op, "$lt"))
		return c < 0;
	if (!strcmp(op, "$lte"))
		return c <= 0;
	if (!strcmp(op, "$gt"))
		return c > 0;
	if (!strcmp(op, "$gte"))
		return c >= 0;
	return c == 0;
}

/* Does the string `have` satisfy every operator of `cond`? */
static bool cond_match(const char *have, json_t *cond, enum kind k)
{
	const char *op;
	json_t *arg;

	if (scalar(cond))
		return have && str_match(have, cond, "$eq", k);
	json_object_foreach(cond, op, arg)
	{
		if (!strcmp(op, "$not_empty")) {
			if ((have && *have) != json_is_true(arg))
				return false;
		} else if (!strcmp(op, "$in")) {
			json_t *x;
			size_t i;
			bool any = false;

			json_array_foreach(arg, i, x)
			{
				if (have && str_match(have, x, "$eq", k))
					any = true;
			}
			if (!any)
				return false;
		} else if (!have || !str_match(have, arg, op, k))
			return false;
	}
	return true;
}

static const char *field_value(const struct attio_attr *a, json_t *v,
                               const char *field, bool id, char buf[64]);

const char *attio_field_default(const struct attio_attr *a)
{
	return field_of(a, NULL);
}

const char *attio_field_check(const struct attio_attr *a, const char *field)
{
	return field_of(a, field);
}

bool attio_field_numeric(const struct attio_attr *a, const char *field)
{
	return kind_of(a, field) == NUMERIC;
}

const char *attio_field_text(const struct attio_attr *a, json_t *v,
                             const char *field, char buf[64])
{
	return field_value(a, v, field, false, buf);
}

/* A field of a value as text into buf (select and status: the title,
 * or with `id` the option's or status's id). */
static const char *field_value(const struct attio_attr *a, json_t *v,
                               const char *field, bool id, char buf[64])
{
	json_t *f;

	if ((!strcmp(a->type, "select") && !strcmp(field, "option")) ||
	    (!strcmp(a->type, "status") && !strcmp(field, "status"))) {
		f = json_object_get(v, field);
		return json_string_value(
		    id ? json_object_get(json_object_get(f, "id"),
		                         *field == 'o' ? "option_id"
		                                       : "status_id")
		       : json_object_get(f, "title"));
	}
	f = json_object_get(v, field);
	if (json_is_string(f))
		return json_string_value(f);
	if (json_is_boolean(f))
		return json_is_true(f) ? "true" : "false";
	if (json_is_integer(f)) {
		snprintf(buf, 64, "%lld", (long long)json_integer_value(f));
		return buf;
	}
	return NULL;
}

/* Some value of the attribute satisfies the condition on `field`. An
 * attribute with no value only satisfies {"$not_empty": false}. */
static bool attr_match(const struct attio_attr *a, json_t *list,
                       const char *field, json_t *cond)
{
	enum kind k = kind_of(a, field);
	bool by_id = !strcmp(a->type, "select") || !strcmp(a->type, "status");
	char buf[64];
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		if (cond_match(field_value(a, v, field, false, buf), cond, k))
			return true;
		/* an option or status may be named by id too */
		if (by_id &&
		    cond_match(field_value(a, v, field, true, buf), cond, k))
			return true;
	}
	return json_array_size(list) == 0 && cond_match(NULL, cond, PLAIN);
}

bool attio_filter_match(struct attio_object *o, json_t *filter,
                        const struct attio_record *r)
{
	const char *key;
	json_t *v;

	json_object_foreach(filter, key, v)
	{
		struct attio_attr *a;
		json_t *list;

		if (!strcmp(key, "$and") || !strcmp(key, "$or")) {
			json_t *sub;
			size_t i;
			bool any = false, all = true;

			json_array_foreach(v, i, sub)
			{
				if (attio_filter_match(o, sub, r))
					any = true;
				else
					all = false;
			}
			if (!strcmp(key, "$and") ? !all : !any)
				return false;
			continue;
		}
		if (!strcmp(key, "$not")) {
			if (attio_filter_match(o, v, r))
				return false;
			continue;
		}
		if (!strcmp(key, "record_id") && !o->is_list) {
			if (!cond_match(r->id, v, FOLD))
				return false;
			continue;
		}
		a = attio_attr_find(o, key);
		list = json_object_get(r->values, a->slug);
		if (scalar(v) ||
		    is_op(json_object_iter_key(json_object_iter(v)))) {
			if (!attr_match(a, list, field_of(a, NULL), v))
				return false;
		} else {
			const char *f;
			json_t *c;

			json_object_foreach(v, f, c)
			{
				if (!attr_match(a, list, f, c))
					return false;
			}
		}
	}
	return true;
}
