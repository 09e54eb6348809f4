/* attio_values.c: turns every documented write form of an attribute value
 * into the value's read fields (reference §3.3), rejecting what Attio
 * rejects with the same error codes. The text-like types, names, phones,
 * locations and references are here; numbers, dates, statuses and actors
 * in attio_scalars.c. */
#include "util.h"

#include <ctype.h>

#include <libpsl.h>

#include "attio_sandbox.h"

static bool is_type(const struct attio_attr *a, const char *t)
{
	return !strcmp(a->type, t);
}

/* The object form's one key, or the bare string itself. */
static const char *str_or_key(json_t *v, const char *key)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v))
		return json_string_value(json_object_get(v, key));
	return NULL;
}

static char *root_domain(const char *domain)
{
	const char *r = psl_registrable_domain(psl_builtin(), domain);

	return ferry_xstrdup(r ? r : domain);
}

static bool domain_ok(const char *d)
{
	size_t i, n = strlen(d);

	if (n == 0 || n > 253 || d[0] == '.' || d[0] == '-' || !strchr(d, '.'))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (!isalnum(c) && c != '.' && c != '-' && c < 0x80)
			return false;
		if (c == '.' && d[i + 1] == '.')
			return false;
	}
	return true;
}

static json_t *norm_text(const struct attio_attr *a, json_t *v,
                         struct attio_err *e)
{
	const char *s = str_or_key(v, "value");

	if (!s) {
		attio_err_set(e, 400, "validation_type",
		              "Invalid value for attribute \"%s\": expected a "
		              "string or {\"value\": string}.",
		              a->slug);
		return NULL;
	}
	return json_pack("{s:s}", "value", s);
}

/* "https://Www.Acme.com:443/path?q" -> "www.acme.com". */
static json_t *norm_domain(const struct attio_attr *a, json_t *v,
                           struct attio_err *e)
{
	const char *s = str_or_key(v, "domain"), *p;
	char *d = NULL, *root = NULL;
	json_t *out = NULL;
	size_t n;

	if (!s)
		goto bad;
	d = ferry_xstrdup(s);
	ferry_str_trim(d);
	p = strstr(d, "://");
	p = p ? p + 3 : d;
	n = strcspn(p, "/?#");
	memmove(d, p, n);
	d[n] = '\0';
	if ((p = strrchr(d, '@')))
		memmove(d, p + 1, strlen(p + 1) + 1);
	d[strcspn(d, ":")] = '\0';
	n = strlen(d);
	while (n > 0 && d[n - 1] == '.')
		d[--n] = '\0';
	ferry_str_lower(d);
	if (!domain_ok(d))
		goto bad;
	root = root_domain(d);
	out = json_pack("{s:s,s:s}", "domain", d, "root_domain", root);
	goto done;
bad:
	attio_err_set(e, 400, "validation_type",
	              "Invalid domain \"%s\" for attribute \"%s\".",
	              s ? s : "(not a string)", a->slug);
done:
	free(d);
	free(root);
	return out;
}

static json_t *norm_email(const struct attio_attr *a, json_t *v,
                          struct attio_err *e)
{
	const char *s = str_or_key(v, "email_address");
	char *orig = NULL, *norm = NULL, *at, *root = NULL, *local = NULL;
	json_t *out = NULL;
	size_t i;

	if (!s)
		goto bad;
	orig = ferry_xstrdup(s);
	ferry_str_trim(orig);
	norm = ferry_str_lower(ferry_xstrdup(orig));
	at = strchr(norm, '@');
	if (!at || at == norm || strchr(at + 1, '@') || !domain_ok(at + 1))
		goto bad;
	for (i = 0; norm[i]; i++)
		if (isspace((unsigned char)norm[i]) || norm[i] == ',' ||
		    norm[i] == '<' || norm[i] == '>')
			goto bad;
	root = root_domain(at + 1);
	local = ferry_xstrndup(norm, (size_t)(at - norm));
	out = json_pack("{s:s,s:s,s:s,s:s,s:s}", "original_email_address", orig,
	                "email_address", norm, "email_domain", at + 1,
	                "email_root_domain", root, "email_local_specifier",
	                local);
	goto done;
bad:
	attio_err_set(e, 400, "validation_type",
	              "Invalid email address \"%s\" for attribute \"%s\".",
	              s ? s : "(not a string)", a->slug);
done:
	free(orig);
	free(norm);
	free(root);
	free(local);
	return out;
}

static json_t *norm_name(const struct attio_attr *a, json_t *v,
                         struct attio_err *e)
{
	static const char *const keys[] = {"first_name", "last_name",
	                                   "full_name"};
	json_t *out = NULL;
	size_t i;

	if (json_is_string(v)) {
		const char *s = json_string_value(v), *comma = strchr(s, ',');
		char *first, *last, *full;

		if (comma) {
			last = ferry_xstrndup(s, (size_t)(comma - s));
			first = ferry_xstrdup(comma + 1);
		} else {
			last = ferry_xstrdup("");
			first = ferry_xstrdup(s);
		}
		ferry_str_trim(first);
		ferry_str_trim(last);
		full = ferry_xasprintf("%s%s%s", first,
		                       *first && *last ? " " : "", last);
		out = json_pack("{s:s,s:s,s:s}", "first_name", first,
		                "last_name", last, "full_name", full);
		free(first);
		free(last);
		free(full);
		return out;
	}
	if (!json_is_object(v))
		goto bad;
	out = json_object();
	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
		json_t *f = json_object_get(v, keys[i]);

		if (!f || !(json_is_string(f) || json_is_null(f)))
			goto bad;
		json_object_set_new(
		    out, keys[i],
		    json_string(json_is_string(f) ? json_string_value(f) : ""));
	}
	return out;
bad:
	json_decref(out);
	attio_err_set(e, 400, "validation_type",
	              "Invalid value for personal-name attribute \"%s\": "
	              "give an object with first_name, last_name and "
	              "full_name, or a string \"Last, First\".",
	              a->slug);
	return NULL;
}

static json_t *norm_select(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *v, struct attio_err *e)
{
	const char *s = str_or_key(v, "option");
	size_t i;

	if (!s) {
		attio_err_set(e, 400, "validation_type",
		              "Invalid value for select attribute \"%s\".",
		              a->slug);
		return NULL;
	}
	for (i = 0; i < a->n_options; i++) {
		const struct attio_option *op = &a->options[i];

		if (!strcmp(op->title, s) || !strcmp(op->id, s))
			return json_pack(
			    "{s:{s:{s:s,s:s,s:s,s:s},s:s,s:b}}", "option", "id",
			    "workspace_id", sb->workspace_id, "object_id",
			    a->object->id, "attribute_id", a->id, "option_id",
			    op->id, "title", op->title, "is_archived",
			    op->is_archived);
	}
	attio_err_set(e, 400, "value_not_found",
	              "Cannot find select attribute with select option title "
	              "\"%s\".",
	              s);
	return NULL;
}

/* Country calling codes for the national form {original_phone_number,
 * country_code}; a small table, enough for tests and common data. */
static const struct {
	const char *cc, *prefix;
} calling_codes[] = {
    {"US", "1"},   {"CA", "1"},   {"GB", "44"},  {"DE", "49"}, {"FR", "33"},
    {"ES", "34"},  {"IT", "39"},  {"NL", "31"},  {"BE", "32"}, {"CH", "41"},
    {"AT", "43"},  {"SE", "46"},  {"NO", "47"},  {"DK", "45"}, {"FI", "358"},
    {"IE", "353"}, {"PT", "351"}, {"PL", "48"},  {"AU", "61"}, {"NZ", "64"},
    {"JP", "81"},  {"CN", "86"},  {"IN", "91"},  {"BR", "55"}, {"MX", "52"},
    {"ZA", "27"},  {"SG", "65"},  {"IL", "972"},
};

static json_t *norm_phone(const struct attio_attr *a, json_t *v,
                          struct attio_err *e)
{
	const char *orig = str_or_key(v, "original_phone_number"), *cc = NULL;
	const char *prefix = NULL, *p;
	struct ferry_buf e164 = FERRY_BUF_INIT;
	json_t *out = NULL, *ccv;
	size_t i, digits = 0;

	if (!orig)
		goto bad;
	if (json_is_object(v)) {
		ccv = json_object_get(v, "country_code");
		if (ccv && !json_is_null(ccv) && !json_is_string(ccv))
			goto bad;
		cc = json_string_value(ccv);
	}
	for (p = orig; isspace((unsigned char)*p); p++)
		;
	if (*p != '+') {
		if (!cc)
			goto bad;
		for (i = 0; i < FERRY_ARRAY_LEN(calling_codes); i++)
			if (ferry_str_iequal(calling_codes[i].cc, cc))
				prefix = calling_codes[i].prefix;
		if (!prefix)
			goto bad;
		if (ferry_buf_printf(&e164, "+%s", prefix) < 0)
			goto bad;
		while (*p == '0' || isspace((unsigned char)*p))
			p++; /* the national trunk prefix */
	} else {
		p++;
		if (ferry_buf_putc(&e164, '+') < 0)
			goto bad;
	}
	for (; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (ferry_buf_putc(&e164, *p) < 0)
				goto bad;
		} else if (!strchr(" -().", *p))
			goto bad;
	}
	digits = e164.len - 1;
	if (digits < 7 || digits > 15)
		goto bad;
	if (!cc) {
		/* longest calling-code prefix wins; US for +1 */
		size_t best = 0;

		for (i = 0; i < FERRY_ARRAY_LEN(calling_codes); i++) {
			size_t n = strlen(calling_codes[i].prefix);

			if (n > best && !strncmp(e164.ptr + 1,
			                         calling_codes[i].prefix, n)) {
				best = n;
				cc = calling_codes[i].cc;
			}
		}
	}
	out = json_pack("{s:s,s:s?,s:s}", "original_phone_number", orig,
	                "country_code", cc, "phone_number", e164.ptr);
	goto done;
bad:
	attio_err_set(e, 400, "validation_type",
	              "Invalid phone number for attribute \"%s\": give an "
	              "E.164 number starting with \"+\", or "
	              "{\"original_phone_number\", \"country_code\"}.",
	              a->slug);
done:
	ferry_buf_release(&e164);
	return out;
}

static json_t *norm_location(const struct attio_attr *a, json_t *v,
                             struct attio_err *e)
{
	static const char *const keys[] = {
	    "line_1", "line_2",   "line_3",       "line_4",   "locality",
	    "region", "postcode", "country_code", "latitude", "longitude",
	};
	json_t *out = json_object();
	size_t i;

	if (json_is_string(v)) {
		/* Attio parses free text; the sandbox keeps it as line_1 */
		for (i = 0; i < FERRY_ARRAY_LEN(keys); i++)
			json_object_set_new(
			    out, keys[i], i == 0 ? json_copy(v) : json_null());
		return out;
	}
	if (!json_is_object(v))
		goto bad;
	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
		json_t *f = json_object_get(v, keys[i]);
		double d;

		if (!f || !(json_is_string(f) || json_is_null(f)))
			goto bad;
		if (i >= 8 && json_is_string(f) &&
		    ferry_parse_double(json_string_value(f), &d) < 0)
			goto bad;
		json_object_set(out, keys[i], f);
	}
	return out;
bad:
	json_decref(out);
	attio_err_set(e, 400, "validation_type",
	              "Invalid value for location attribute \"%s\": give a "
	              "string or an object with all 10 keys (line_1..line_4, "
	              "locality, region, postcode, country_code, latitude, "
	              "longitude), null where unknown.",
	              a->slug);
	return NULL;
}

/* Is `slug` one of the comma-separated slugs of `list`? */
static bool allowed(const char *list, const char *slug)
{
	size_t n = strlen(slug);

	while (*list) {
		size_t len = strcspn(list, ",");

		if (len == n && !strncmp(list, slug, n))
			return true;
		list += len;
		if (*list == ',')
			list++;
	}
	return false;
}

/* The attribute a bare string names a record of `object` by, when the
 * reference allows exactly that one standard object (reference §3.3). */
static const char *bare_key(const char *object)
{
	static const char *const keys[][2] = {
	    {"companies", "domains"},
	    {"people", "email_addresses"},
	    {"users", "user_id"},
	    {"workspaces", "workspace_id"},
	};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++)
		if (!strcmp(object, keys[i][0]))
			return keys[i][1];
	return NULL;
}

/* {target_object, target_record_id} or {target_object, <unique slug>:
 * [values]}; the target must exist. */
static json_t *norm_ref(struct attio_sb *sb, const struct attio_attr *a,
                        json_t *v, struct attio_err *e)
{
	const char *tobj = NULL, *key;
	struct attio_object *to = NULL;
	char found[ATTIO_ID_LEN] = "";
	json_t *val, *tmp = NULL;
	struct attio_record r = {0};

	if (json_is_string(v) && a->target_object[0] &&
	    !strchr(a->target_object, ',') && bare_key(a->target_object)) {
		tmp =
		    json_pack("{s:s,s:[O]}", "target_object", a->target_object,
		              bare_key(a->target_object), v);
		v = tmp;
	}
	if (!json_is_object(v) ||
	    !(tobj = json_string_value(json_object_get(v, "target_object")))) {
		attio_err_set(e, 400, "validation_type",
		              "Invalid value for record-reference attribute "
		              "\"%s\": expected {\"target_object\", "
		              "\"target_record_id\"}.",
		              a->slug);
		goto fail;
	}
	to = attio_object_find(sb, tobj);
	if (!to) {
		attio_err_set(e, 400, "value_not_found",
		              "Object with slug/ID \"%s\" not found.", tobj);
		goto fail;
	}
	if (a->target_object[0] && !allowed(a->target_object, to->slug)) {
		attio_err_set(e, 400, "validation_type",
		              "Attribute \"%s\" cannot reference records of "
		              "object \"%s\".",
		              a->slug, to->slug);
		goto fail;
	}
	json_object_foreach(v, key, val)
	{
		struct attio_attr *ma;
		json_t *norm = NULL, *one;
		size_t i;

		if (!strcmp(key, "target_object"))
			continue;
		if (!strcmp(key, "target_record_id")) {
			const char *id = json_string_value(val);

			if (!id || attio_store_record_get(sb, to, id, &r) < 0) {
				attio_err_set(e, 400, "value_not_found",
				              "Record with ID \"%s\" not "
				              "found.",
				              id ? id : "");
				goto fail;
			}
			snprintf(found, sizeof(found), "%s", id);
			attio_record_release(&r);
			continue;
		}
		ma = attio_attr_find(to, key);
		if (!ma || !ma->is_unique) {
			attio_err_set(e, 400, "value_not_found",
			              "No unique attribute \"%s\" on object "
			              "\"%s\" to match the referenced record "
			              "by.",
			              key, to->slug);
			goto fail;
		}
		if (attio_values_normalize(sb, ma, val, &norm, e) < 0)
			goto fail;
		json_array_foreach(norm, i, one)
		{
			char *k = attio_value_key(ma, one);
			int rc = attio_store_unique_find(sb, ma, k, found);

			free(k);
			if (rc == 0)
				break;
		}
		json_decref(norm);
		if (!found[0]) {
			attio_err_set(e, 400, "value_not_found",
			              "Referenced record not found: no %s "
			              "record matches the given \"%s\".",
			              to->slug, key);
			goto fail;
		}
	}
	if (!found[0]) {
		attio_err_set(e, 400, "validation_type",
		              "Record-reference value for \"%s\" names no "
		              "target record.",
		              a->slug);
		goto fail;
	}
	json_decref(tmp);
	return json_pack("{s:s,s:s}", "target_object", to->slug,
	                 "target_record_id", found);
fail:
	json_decref(tmp);
	return NULL;
}

static json_t *norm_one(struct attio_sb *sb, const struct attio_attr *a,
                        json_t *v, struct attio_err *e)
{
	json_t *out;

	if (is_type(a, "text"))
		out = norm_text(a, v, e);
	else if (is_type(a, "domain"))
		out = norm_domain(a, v, e);
	else if (is_type(a, "email-address"))
		out = norm_email(a, v, e);
	else if (is_type(a, "personal-name"))
		out = norm_name(a, v, e);
	else if (is_type(a, "select"))
		out = norm_select(sb, a, v, e);
	else if (is_type(a, "phone-number"))
		out = norm_phone(a, v, e);
	else if (is_type(a, "location"))
		out = norm_location(a, v, e);
	else if (is_type(a, "record-reference"))
		out = norm_ref(sb, a, v, e);
	else if (is_type(a, "number") || is_type(a, "currency") ||
	         is_type(a, "checkbox") || is_type(a, "date") ||
	         is_type(a, "timestamp") || is_type(a, "rating") ||
	         is_type(a, "status") || is_type(a, "actor-reference"))
		out = attio_norm_scalar(sb, a, v, e);
	else {
		attio_err_set(e, 400, "validation_type",
		              "Attribute \"%s\" of type \"%s\" cannot be "
		              "written through the API.",
		              a->slug, a->type);
		return NULL;
	}
	if (out)
		json_object_set_new(out, "attribute_type",
		                    json_string(a->type));
	return out;
}

int attio_values_normalize(struct attio_sb *sb, const struct attio_attr *a,
                           json_t *input, json_t **out, struct attio_err *e)
{
	json_t *list = json_array(), *v;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (json_is_array(input)) {
		if (!a->is_multiselect && json_array_size(input) > 1) {
			attio_err_set(e, 400, "validation_type",
			              "Attribute \"%s\" is not multiselect: "
			              "give at most one value.",
			              a->slug);
			goto done;
		}
	} else if (a->is_multiselect && !json_is_null(input)) {
		attio_err_set(e, 400, "validation_type",
		              "Multiselect attribute \"%s\" must be given an "
		              "array of values.",
		              a->slug);
		goto done;
	}
	if (json_is_array(input)) {
		json_array_foreach(input, i, v)
		{
			json_t *one = norm_one(sb, a, v, e);

			if (!one)
				goto done;
			json_array_append_new(list, one);
		}
	} else if (!json_is_null(input)) {
		json_t *one = norm_one(sb, a, input, e);

		if (!one)
			goto done;
		json_array_append_new(list, one);
	}
	*out = list;
	list = NULL;
	rc = 0;
done:
	json_decref(list);
	return rc;
}

char *attio_value_key(const struct attio_attr *a, json_t *v)
{
	static const char *const fields[][2] = {
	    {"text", "value"},
	    {"domain", "domain"},
	    {"email-address", "email_address"},
	    {"record-reference", "target_record_id"},
	    {"phone-number", "phone_number"},
	    {"number", "value"},
	    {"currency", "currency_value"},
	    {"checkbox", "value"},
	    {"date", "value"},
	    {"timestamp", "value"},
	    {"rating", "value"},
	    {"actor-reference", "referenced_actor_id"},
	};
	const char *field = NULL;
	json_t *f, *c;
	char *s;
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(fields); i++)
		if (is_type(a, fields[i][0]))
			field = fields[i][1];
	if (is_type(a, "select") || is_type(a, "status")) {
		bool sel = is_type(a, "select");
		const char *id = json_string_value(json_object_get(
		    json_object_get(
		        json_object_get(v, sel ? "option" : "status"), "id"),
		    sel ? "option_id" : "status_id"));

		return ferry_xstrdup(id ? id : "");
	}
	if (field) {
		f = json_object_get(v, field);
		if (json_is_string(f))
			return ferry_xstrdup(json_string_value(f));
		s = f ? json_dumps(f, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		return s ? s : ferry_xstrdup("");
	}
	/* whole value minus the bookkeeping fields */
	c = json_copy(v);
	json_object_del(c, "active_from");
	json_object_del(c, "active_until");
	json_object_del(c, "created_by_actor");
	s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(c);
	return s ? s : ferry_xstrdup("");
}
