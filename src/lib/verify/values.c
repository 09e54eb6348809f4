/* values.c: a sampled record's planned values against what Attio answers.
 * Attio reads a value back in another shape than it was written in (an
 * email lower-cased, a phone as E.164, a select option as an object with
 * its title, a timestamp with nanoseconds, an amount as a number, an
 * actor as a member id), so both sides are brought to one comparable
 * text per Attio value type first, and compared exactly: amounts as exact
 * decimals (read.c keeps Attio's digits), timestamps to the nanosecond.
 * A multiselect attribute may hold values ferry did not write (Attio adds
 * to a matching attribute; people add): every planned value must be
 * there. References are checked for every record by relationships.c. */
#include "util.h"

#include <ctype.h>

#include "ferry/transform.h"
#include "verify_int.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

bool vf_decimal(const char *s, char *out, size_t cap)
{
	char digits[72];
	size_t nd = 0, i;
	long pos, exp = 0;
	bool neg = false, any = false;
	const char *p = s;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p); p++, any = true) {
		if (nd >= sizeof(digits) - 1)
			return false;
		digits[nd++] = *p;
	}
	pos = (long)nd;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, any = true) {
			if (nd >= sizeof(digits) - 1)
				return false;
			digits[nd++] = *p;
		}
	}
	if (!any)
		return false;
	if (*p == 'e' || *p == 'E') {
		bool eneg = false, edig = false;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; isdigit((unsigned char)*p) && exp < 1000;
		     p++, edig = true)
			exp = exp * 10 + (*p - '0');
		if (!edig)
			return false;
		exp = eneg ? -exp : exp;
	}
	if (*p || exp > 60 || exp < -60)
		return false;
	pos += exp;
	while (nd > 0 && digits[0] == '0') {
		memmove(digits, digits + 1, --nd);
		pos--;
	}
	while (nd > 0 && (long)nd > (pos > 0 ? pos : 0) &&
	       digits[nd - 1] == '0')
		nd--;
	if (!nd) {
		snprintf(out, cap, "0");
		return true;
	}
	digits[nd] = '\0';
	{
		struct ferry_buf b = FERRY_BUF_INIT;
		int error = neg ? ferry_buf_putc(&b, '-') : 0;

		if (pos <= 0) {
			if (!error)
				error = ferry_buf_puts(&b, "0.");
			for (i = 0; i < (size_t)-pos && !error; i++)
				error = ferry_buf_putc(&b, '0');
			if (!error)
				error = ferry_buf_puts(&b, digits);
		} else if ((size_t)pos >= nd) {
			error = error ? error : ferry_buf_puts(&b, digits);
			for (i = nd; i < (size_t)pos && !error; i++)
				error = ferry_buf_putc(&b, '0');
		} else {
			if (!error)
				error = ferry_buf_put(&b, digits, (size_t)pos);
			if (!error)
				error =
				    ferry_buf_printf(&b, ".%s", digits + pos);
		}
		if (error < 0 || b.len >= cap) {
			ferry_buf_release(&b);
			return false;
		}
		memcpy(out, b.ptr, b.len + 1);
		ferry_buf_release(&b);
	}
	return true;
}

/* A number (JSON or text) as its canonical decimal. */
static char *number(const json_t *x)
{
	char text[64], out[160];

	if (json_is_integer(x))
		snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
		         json_integer_value(x));
	else if (json_is_real(x))
		/* Attio and the plan hold at most 15 significant digits */
		snprintf(text, sizeof(text), "%.15g", json_real_value(x));
	else if (json_is_string(x))
		snprintf(text, sizeof(text), "%s", json_string_value(x));
	else
		return NULL;
	return ferry_xstrdup(vf_decimal(text, out, sizeof(out)) ? out : text);
}

static char *lower(const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = ferry_xstrdup(s);
	ferry_str_trim(c);
	return ferry_str_lower(c);
}

/* A timestamp to the nanosecond, in UTC: "2024-01-15T23:25:32.1Z" and
 * "2024-01-15T23:25:32.100000000Z" compare equal. */
static char *timestamp(const char *s)
{
	struct ferry_tx_reason why;
	json_t *t = NULL;
	const char *u, *dot, *end;
	char frac[10] = "000000000", *out;
	size_t n;

	if (!s || !*s)
		return NULL;
	if (ferry_tx_timestamp(&t, s, NULL, &why) < 0 || !json_is_string(t)) {
		json_decref(t);
		return ferry_xstrdup(s);
	}
	u = json_string_value(t);
	dot = strchr(u, '.');
	end = strchr(u, 'Z');
	if (!end || strlen(u) < 19) {
		out = ferry_xstrdup(u);
	} else {
		if (dot && dot < end) {
			n = (size_t)(end - dot - 1);
			memcpy(frac, dot + 1, n < 9 ? n : 9);
		}
		out = ferry_xasprintf("%.19s.%sZ", u, frac);
	}
	json_decref(t);
	return out;
}

static char *date(const char *s)
{
	struct ferry_tx_reason why;
	json_t *d = NULL;
	char *out;

	if (!s || !*s)
		return NULL;
	if (ferry_tx_date(&d, s, NULL, &why) < 0 || !json_is_string(d))
		out = ferry_xstrdup(s);
	else
		out = ferry_xstrdup(json_string_value(d));
	json_decref(d);
	return out;
}

static char *e164(const char *number_text, const char *country)
{
	struct ferry_tx_reason why;
	struct ferry_tx_ctx ctx;
	char e[FERRY_TX_E164_MAX];

	if (!number_text)
		return NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.country = country;
	if (ferry_tx_phone_e164(e, number_text, &ctx, &why) == 0)
		return ferry_xstrdup(e);
	return ferry_xstrdup(number_text);
}

static char *phone(const json_t *v, bool planned)
{
	const char *n;

	if (json_is_string(v))
		return e164(json_string_value(v), NULL);
	if (!planned && (n = str(v, "phone_number")))
		return ferry_xstrdup(n);
	if (!planned && (n = str(v, "normalized_phone_number")))
		return ferry_xstrdup(n);
	return e164(str(v, "original_phone_number"), str(v, "country_code"));
}

/* "key=value; ..." over `keys` that have a value (coordinates as
 * decimals). */
static char *joined(const json_t *v, const char *const *keys, size_t n)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *s = str(v, keys[i]);
		char dec[96];

		if (!s || !*s)
			continue;
		if ((!strcmp(keys[i], "latitude") ||
		     !strcmp(keys[i], "longitude")) &&
		    vf_decimal(s, dec, sizeof(dec)))
			s = dec;
		if (ferry_buf_printf(&b, "%s%s=%s", b.len ? "; " : "", keys[i],
		                     s) < 0)
			break;
	}
	return b.len ? ferry_buf_detach(&b, NULL)
	             : (ferry_buf_release(&b), NULL);
}

static char *location(const json_t *v)
{
	static const char *const keys[] = {
	    "line_1", "line_2",   "line_3",       "line_4",   "locality",
	    "region", "postcode", "country_code", "latitude", "longitude",
	};

	if (json_is_string(v))
		return ferry_xasprintf("line_1=%s", json_string_value(v));
	return joined(v, keys, FERRY_ARRAY_LEN(keys));
}

static char *name(const json_t *v)
{
	static const char *const keys[] = {"first_name", "last_name",
	                                   "full_name"};
	json_t *parsed = NULL;
	char *out;

	if (json_is_string(v)) {
		/* "Last, First", as Attio reads the string form */
		const char *s = json_string_value(v), *comma = strchr(s, ',');
		char *first, *last, *full;

		last = comma ? ferry_xstrndup(s, (size_t)(comma - s))
		             : ferry_xstrdup("");
		first = ferry_xstrdup(comma ? comma + 1 : s);
		ferry_str_trim(first);
		ferry_str_trim(last);
		full = ferry_xasprintf("%s%s%s", first,
		                       *first && *last ? " " : "", last);
		parsed = json_pack("{s:s, s:s, s:s}", "first_name", first,
		                   "last_name", last, "full_name", full);
		free(first);
		free(last);
		free(full);
		v = parsed;
	}
	out = joined(v, keys, FERRY_ARRAY_LEN(keys));
	json_decref(parsed);
	return out;
}

static char *actor(struct vf_run *run, const json_t *v, bool planned)
{
	const char *email = json_is_string(v)
	                        ? json_string_value(v)
	                        : str(v, "workspace_member_email_address");
	const char *id = str(v, "referenced_actor_id");
	const char *known = id ? str(run->members, id) : NULL;
	const char *type;

	if (email)
		return lower(email);
	if (known)
		return ferry_xstrdup(known);
	if (!id)
		return NULL;
	type = planned ? NULL : str(v, "referenced_actor_type");
	return ferry_xasprintf("%s:%s", type ? type : "workspace-member", id);
}

/* An option or a status: its title (or the id Attio was given). */
static char *titled(const json_t *v, const char *key)
{
	const json_t *x = json_is_object(v) ? json_object_get(v, key) : v;

	if (json_is_object(x))
		x = json_object_get(x, "title");
	return json_is_string(x) ? ferry_xstrdup(json_string_value(x)) : NULL;
}

/* Any other value: its text, or its JSON without Attio's bookkeeping. */
static char *generic(const json_t *v)
{
	json_t *c;
	char *s;

	if (json_is_string(v))
		return ferry_xstrdup(json_string_value(v));
	if (json_is_number(v))
		return number(v);
	if (json_is_boolean(v))
		return ferry_xstrdup(json_is_true(v) ? "true" : "false");
	c = json_deep_copy(v);
	if (json_is_object(c)) {
		json_object_del(c, "active_from");
		json_object_del(c, "active_until");
		json_object_del(c, "created_by_actor");
		json_object_del(c, "attribute_type");
	}
	s = c ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
	      : NULL;
	json_decref(c);
	return s;
}

static char *checkbox(const json_t *x)
{
	bool b;

	if (json_is_boolean(x))
		return ferry_xstrdup(json_is_true(x) ? "true" : "false");
	if (json_is_string(x) &&
	    ferry_parse_bool(json_string_value(x), &b) == 0)
		return ferry_xstrdup(b ? "true" : "false");
	return generic(x);
}

static bool is(const char *type, const char *t)
{
	return !strcmp(type, t);
}

char *vf_canon(struct vf_run *run, const char *type, const json_t *v,
               bool planned)
{
	const json_t *x;

	if (!v || json_is_null(v))
		return NULL;
	if (!type)
		return generic(v);
	x = json_is_object(v) ? NULL : v;
	if (is(type, "text"))
		return generic(x ? x : json_object_get(v, "value"));
	if (is(type, "number") || is(type, "rating"))
		return number(x ? x : json_object_get(v, "value"));
	if (is(type, "currency"))
		return number(x ? x : json_object_get(v, "currency_value"));
	if (is(type, "checkbox"))
		return checkbox(x ? x : json_object_get(v, "value"));
	if (is(type, "date"))
		return date(
		    json_string_value(x ? x : json_object_get(v, "value")));
	if (is(type, "timestamp"))
		return timestamp(
		    json_string_value(x ? x : json_object_get(v, "value")));
	if (is(type, "select"))
		return titled(v, "option");
	if (is(type, "status"))
		return titled(v, "status");
	if (is(type, "email-address"))
		return lower(json_string_value(
		    x ? x : json_object_get(v, "email_address")));
	if (is(type, "domain"))
		return lower(
		    json_string_value(x ? x : json_object_get(v, "domain")));
	if (is(type, "phone-number"))
		return phone(v, planned);
	if (is(type, "location"))
		return location(v);
	if (is(type, "personal-name"))
		return name(v);
	if (is(type, "actor-reference"))
		return actor(run, v, planned);
	if (is(type, "record-reference"))
		return generic(x ? x : json_object_get(v, "target_record_id"));
	return generic(v);
}

static void mismatch(struct vf_run *run, const struct vf_row *row,
                     const char *attr, const char *type, const char *expected,
                     const char *found)
{
	vf_problem(run, VF_VALUE, row->object, "mismatched",
	           json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                     "object", row->object, "source_id", row->source_id,
	                     "dest_object", row->dest_object, "dest_id",
	                     row->dest_id, "attribute", attr, "type",
	                     type ? type : "unknown", "expected", expected,
	                     "found", found));
}

/* The comparable forms of a list of values, " | "-joined into `text`. */
static char **canon_list(struct vf_run *run, const char *type,
                         const json_t *list, bool planned, size_t *n,
                         struct ferry_buf *text)
{
	char **out = ferry_xcalloc(json_array_size(list) + 1, sizeof(*out));
	const json_t *v;
	size_t i;

	*n = 0;
	json_array_foreach(list, i, v)
	{
		char *c = vf_canon(run, type, v, planned);

		if (!c)
			continue;
		out[(*n)++] = c;
		if (ferry_buf_printf(text, "%s%s", text->len ? " | " : "", c) <
		    0)
			ferry_buf_clear(text);
	}
	return out;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static bool is_ref(const json_t *v)
{
	return json_is_object(v) && str(v, "source_object") &&
	       str(v, "source_id");
}

/* One attribute: `planned` (one value or a list) against `found` (the
 * value objects Attio answered, or NULL when it has no such attribute). */
static void compare(struct vf_run *run, const struct vf_row *row,
                    const char *attr, json_t *planned, const json_t *found,
                    const char *type)
{
	json_t *items = json_is_array(planned) ? json_incref(planned)
	                                       : json_pack("[O]", planned);
	struct ferry_buf want = FERRY_BUF_INIT, got = FERRY_BUF_INIT;
	char **p = NULL, **f = NULL;
	size_t np = 0, nf = 0, i, k;
	const json_t *v;
	bool ok = true;

	json_array_foreach(items, i, v)
	{
		if (is_ref(v))
			goto done; /* relationships.c */
	}
	if (!type)
		type = str(json_array_get(found, 0), "attribute_type");
	p = canon_list(run, type, items, true, &np, &want);
	if (!np)
		goto done;
	f = canon_list(run, type, found, false, &nf, &got);
	run->values_compared++;
	for (i = 0; i < np && ok; i++) {
		for (k = 0; k < nf && strcmp(p[i], f[k]); k++)
			;
		ok = k < nf;
	}
	if (!ok)
		mismatch(run, row, attr, type, want.len ? want.ptr : "",
		         !found ? "(no such attribute)"
		         : nf   ? got.ptr
		                : "(none)");
done:
	free_list(p, np);
	free_list(f, nf);
	ferry_buf_release(&want);
	ferry_buf_release(&got);
	json_decref(items);
}

void vf_values_attrs(struct vf_run *run, const struct vf_row *row,
                     json_t *planned, const json_t *found, const char *skip)
{
	const char *attr;
	json_t *v;

	json_object_foreach(planned, attr, v)
	{
		if ((skip && !strcmp(attr, skip)) || json_is_null(v))
			continue;
		compare(run, row, attr, v, json_object_get(found, attr), NULL);
	}
}

/* A field of a note or task: `type` says how it compares. */
static void field(struct vf_run *run, const struct vf_row *row,
                  const json_t *planned, const json_t *found, const char *attr,
                  const char *type)
{
	json_t *p = json_object_get(planned, attr);
	json_t *f = json_object_get(found, attr);
	json_t *fl;

	if (!p || json_is_null(p))
		return;
	fl = f && !json_is_null(f) ? json_pack("[O]", f) : json_array();
	compare(run, row, attr, p, fl, type);
	json_decref(fl);
}

void vf_values_note(struct vf_run *run, const struct vf_row *row,
                    const json_t *planned, const json_t *found)
{
	field(run, row, planned, found, "title", "text");
	field(run, row, planned, found, "content", "text");
	field(run, row, planned, found, "created_at", "timestamp");
}

void vf_values_task(struct vf_run *run, const struct vf_row *row,
                    const json_t *planned, const json_t *found)
{
	field(run, row, planned, found, "content", "text");
	field(run, row, planned, found, "deadline_at", "timestamp");
	field(run, row, planned, found, "is_completed", "checkbox");
}
