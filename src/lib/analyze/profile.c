/* profile.c: one field's profile, built one value at a time as records
 * stream past: how often it is filled, its distinct values (exact up to a
 * bound, then estimated), its longest value, the values of a picklist
 * with their counts, and, when the source did not declare a type (a CSV
 * export), what its values look like. */
#include "util.h"

#include <ctype.h>
#include <math.h>

#include "analyze_int.h"

static int64_t utf8_len(const char *s, size_t *bytes)
{
	int64_t n = 0;
	const char *p;

	for (p = s; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	*bytes = (size_t)(p - s);
	return n;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* YYYY-MM-DD */
static bool is_date(const char *s)
{
	return all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) &&
	       s[7] == '-' && all_digits(s + 8, 2);
}

static bool is_sfid(const char *s, size_t len)
{
	size_t i;
	bool digit = false;

	if (len != 15 && len != 18)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]))
			return false;
		digit |= isdigit((unsigned char)s[i]) != 0;
	}
	return digit;
}

static bool is_url(const char *s)
{
	const char *p;

	if (ferry_str_starts_with(s, "http://") ||
	    ferry_str_starts_with(s, "https://") ||
	    ferry_str_starts_with(s, "www."))
		return true;
	/* bare host names: "acme.com", "acme.com/about" */
	if (*s == '/')
		return false;
	for (p = s; *p && *p != '/'; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' ||
		      *p == ':'))
			return false;
	return strchr(s, '.') && !isdigit((unsigned char)p[-1]);
}

static void classify_trimmed(struct an_field *f, const char *v, size_t len)
{
	double d;
	bool b;

	if (ferry_parse_bool(v, &b) == 0 && !isdigit((unsigned char)v[0]))
		f->n_bool++;
	else if (ferry_parse_double(v, &d) == 0 && isfinite(d))
		f->n_number++;
	else if (is_date(v))
		len == 10 ? f->n_date++ : f->n_datetime++;
	else if (strchr(v, '@'))
		f->n_email++;
	else if (is_sfid(v, len))
		f->n_sfid++;
	else if (is_url(v))
		f->n_url++;
}

/* What a value looks like, padding aside ("  www.acme.com  " is a URL). */
static void classify(struct an_field *f, const char *v, size_t len)
{
	char *copy;

	if (strchr(v, '\n'))
		f->n_multiline++;
	if (!isspace((unsigned char)v[0]) &&
	    !isspace((unsigned char)v[len - 1])) {
		classify_trimmed(f, v, len);
		return;
	}
	copy = ferry_str_trim(ferry_xstrndup(v, len));
	if (*copy)
		classify_trimmed(f, copy, strlen(copy));
	free(copy);
}

static void count_value(struct an_field *f, const char *v)
{
	int64_t *n = an_map_get(&f->values, v);

	if (!n) {
		if (f->values.len >= AN_VALUES_MAX) {
			f->values_over++;
			return;
		}
		n = an_map_put(&f->values, v, NULL);
	}
	(*n)++;
}

/* Multipicklist values are stored "A;B;C". */
static void count_values(struct an_field *f, const char *v)
{
	char *copy, *p, *next;

	if (!f->multi) {
		count_value(f, v);
		return;
	}
	copy = ferry_xstrdup(v);
	for (p = copy; p; p = next) {
		next = strchr(p, ';');
		if (next)
			*next++ = '\0';
		if (*ferry_str_trim(p))
			count_value(f, p);
	}
	free(copy);
}

void an_profile_add(struct an_field *f, const char *v, size_t exact_max)
{
	size_t bytes;
	int64_t chars;

	if (!v || !*v)
		return;
	f->filled++;
	chars = utf8_len(v, &bytes);
	if (chars > f->longest)
		f->longest = chars;
	an_distinct_add(&f->distinct, an_hash(v, bytes), exact_max);
	if (f->track)
		count_values(f, v);
	if (!f->described)
		classify(f, v, bytes);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The type of a field the source did not describe: the kind most of its
 * values (80%) have, named as Salesforce names types. */
static const char *infer(const struct an_field *f)
{
	int64_t need = f->filled - f->filled / 5;

	if (!strcmp(f->name, "Id"))
		return "id";
	if (f->track)
		return f->multi ? "multipicklist" : "picklist";
	if (ends_with(f->name, "Phone") || !strcmp(f->name, "Fax"))
		return "phone";
	if (f->filled == 0)
		return "string";
	if (f->n_bool >= need)
		return "boolean";
	if (f->n_number >= need)
		return "double";
	if (f->n_date >= need)
		return "date";
	if (f->n_date + f->n_datetime >= need)
		return "datetime";
	if (f->n_email >= need)
		return "email";
	if (f->n_sfid >= need && ends_with(f->name, "Id"))
		return "reference";
	if (f->n_url >= need)
		return "url";
	if (f->n_multiline || f->longest > 255)
		return "textarea";
	return "string";
}

void an_profile_finish(struct an_field *f)
{
	if (f->described)
		return;
	free(f->type);
	f->type = ferry_xstrdup(infer(f));
}

static json_t *picklist_json(const struct an_field *f)
{
	struct an_map_ent *sorted = an_map_sorted(&f->values);
	json_t *pl = json_object(), *values = json_array();
	bool known = f->described;
	size_t i;

	for (i = 0; i < f->values.len; i++) {
		json_t *v = json_object();

		json_object_set_new(v, "value", json_string(sorted[i].key));
		json_object_set_new(v, "count", json_integer(sorted[i].val));
		json_object_set_new(
		    v, "defined",
		    known ? json_boolean(an_map_get(&f->defined, sorted[i].key))
		          : json_null());
		json_array_append_new(values, v);
	}
	/* Defined, active values no record uses: a mapping needs them for
	 * the records that come later. */
	for (i = 0; i < f->n_active; i++) {
		json_t *v;

		if (an_map_get(&f->values, f->active[i]))
			continue;
		v = json_object();
		json_object_set_new(v, "value", json_string(f->active[i]));
		json_object_set_new(v, "count", json_integer(0));
		json_object_set_new(v, "defined", json_true());
		json_array_append_new(values, v);
	}
	free(sorted);
	json_object_set_new(pl, "defined",
	                    known ? json_integer((json_int_t)f->defined.len)
	                          : json_null());
	json_object_set_new(pl, "values", values);
	return pl;
}

json_t *an_field_json(const struct an_field *f, int64_t count)
{
	json_t *j = json_object();
	bool exact;
	int64_t distinct = an_distinct_count(&f->distinct, &exact);
	double rate = count ? (double)f->filled / (double)count : 0.0;

	json_object_set_new(j, "name", json_string(f->name));
	json_object_set_new(j, "label", json_string(f->label));
	json_object_set_new(j, "type", json_string(f->type ? f->type : ""));
	json_object_set_new(j, "filled", json_integer(f->filled));
	json_object_set_new(j, "fill_rate",
	                    json_real(round(rate * 10000.0) / 10000.0));
	json_object_set_new(j, "distinct", json_integer(distinct));
	json_object_set_new(j, "distinct_exact", json_boolean(exact));
	json_object_set_new(j, "longest", json_integer(f->longest));
	json_object_set_new(j, "calculated", json_boolean(f->calculated));
	json_object_set_new(j, "picklist",
	                    f->track ? picklist_json(f) : json_null());
	return j;
}
