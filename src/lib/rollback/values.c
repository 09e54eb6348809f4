/* values.c: a record's values as Attio reads them back, turned into what
 * a write takes (the read and write forms differ), and the two decisions
 * rollback makes on them: what restoring a record's values before ferry
 * writes (only what nobody changed since ferry wrote it), and a reference
 * taken out of an attribute. */
#include "util.h"

#include "ferry/rollback.h"

/* A value an API token set this long after ferry's write is still taken
 * as ferry's (the two clocks are not one). */
#define RB_TOKEN_SKEW_US 1000000

/* jansson's walks take non-const trees; these only read. */
static json_t *mut(const json_t *v)
{
	return (json_t *)(uintptr_t)v;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *pick(const json_t *v, const char *const *keys, size_t n)
{
	json_t *out = json_object();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *x = json_object_get(v, keys[i]);

		json_object_set(out, keys[i], x ? x : json_null());
	}
	return out;
}

/* {"option": id} or {"status": id}, by id (a title may have changed
 * since), else by title. */
static json_t *by_id(const json_t *v, const char *key, const char *id_key)
{
	const json_t *o = json_object_get(v, key);
	const char *id = str(json_object_get(o, "id"), id_key);
	const char *title = str(o, "title");

	if (json_is_string(o))
		return json_pack("{s:O}", key, o);
	if (id || title)
		return json_pack("{s:s}", key, id ? id : title);
	return NULL;
}

json_t *ferry_rollback_write_value(const json_t *read, char *why, size_t cap)
{
	static const char *const name_keys[] = {"first_name", "last_name",
	                                        "full_name"};
	static const char *const location_keys[] = {
	    "line_1", "line_2",   "line_3",       "line_4",   "locality",
	    "region", "postcode", "country_code", "latitude", "longitude"};
	static const char *const ref_keys[] = {"target_object",
	                                       "target_record_id"};
	const char *type = str(read, "attribute_type");
	const char *s;
	json_t *out = NULL;

	why[0] = '\0';
	if (!type) {
		snprintf(why, cap, "a value without its attribute_type");
		return NULL;
	}
	if (!strcmp(type, "text") || !strcmp(type, "number") ||
	    !strcmp(type, "date") || !strcmp(type, "timestamp") ||
	    !strcmp(type, "checkbox") || !strcmp(type, "rating")) {
		out = json_object_get(read, "value");
		out = out ? json_incref(out) : NULL;
	} else if (!strcmp(type, "currency")) {
		out = json_object_get(read, "currency_value");
		out = out ? json_pack("{s:O}", "currency_value", out) : NULL;
	} else if (!strcmp(type, "select")) {
		out = by_id(read, "option", "option_id");
	} else if (!strcmp(type, "status")) {
		out = by_id(read, "status", "status_id");
	} else if (!strcmp(type, "record-reference")) {
		if (str(read, "target_object") && str(read, "target_record_id"))
			out = pick(read, ref_keys, FERRY_ARRAY_LEN(ref_keys));
	} else if (!strcmp(type, "actor-reference")) {
		s = str(read, "referenced_actor_type");
		if (s && strcmp(s, "workspace-member")) {
			snprintf(why, cap,
			         "set by %s, which only Attio can write", s);
			return NULL;
		}
		if (str(read, "referenced_actor_id"))
			out =
			    json_pack("{s:s, s:s}", "referenced_actor_type",
			              "workspace-member", "referenced_actor_id",
			              str(read, "referenced_actor_id"));
	} else if (!strcmp(type, "personal-name")) {
		out = pick(read, name_keys, FERRY_ARRAY_LEN(name_keys));
	} else if (!strcmp(type, "email-address")) {
		s = str(read, "original_email_address");
		if (!s)
			s = str(read, "email_address");
		out = s ? json_pack("{s:s}", "email_address", s) : NULL;
	} else if (!strcmp(type, "domain")) {
		s = str(read, "domain");
		out = s ? json_pack("{s:s}", "domain", s) : NULL;
	} else if (!strcmp(type, "phone-number")) {
		s = str(read, "original_phone_number");
		if (!s)
			s = str(read, "phone_number");
		out = s ? json_pack("{s:s, s:O}", "original_phone_number", s,
		                    "country_code",
		                    json_object_get(read, "country_code")
		                        ? json_object_get(read, "country_code")
		                        : json_null())
		        : NULL;
	} else if (!strcmp(type, "location")) {
		out = pick(read, location_keys, FERRY_ARRAY_LEN(location_keys));
	} else {
		/* interaction and anything newer: Attio's own. */
		snprintf(why, cap, "a value of type %s cannot be written",
		         type);
		return NULL;
	}
	if (!out)
		snprintf(why, cap, "a %s value Attio answered without its data",
		         type);
	return out;
}

int ferry_rollback_parse_time(const char *s, int64_t *out)
{
	int64_t y, mo, d, h, mi, sec, frac = 0, digits = 0;
	const char *p;
	int n = 0;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		goto bad;
	for (p = s; p < s + 19; p++)
		if (p - s != 4 && p - s != 7 && p - s != 10 && p - s != 13 &&
		    p - s != 16 && (*p < '0' || *p > '9'))
			goto bad;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	mo = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	h = (s[11] - '0') * 10 + (s[12] - '0');
	mi = (s[14] - '0') * 10 + (s[15] - '0');
	sec = (s[17] - '0') * 10 + (s[18] - '0');
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		goto bad;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 6) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
		if (!n)
			goto bad;
	}
	for (; digits < 6; digits++)
		frac *= 10;
	if (*p == 'Z')
		p++;
	else if (!strcmp(p, "+00:00"))
		p += 6;
	if (*p)
		goto bad;
	*out =
	    ((ferry_clock_days_from_civil(y, (int)mo, (int)d) * 24 + h) * 60 +
	     mi) *
	        60000000 +
	    sec * 1000000 + frac;
	return 0;
bad:
	return ferry_error_set(
	    FERRY_EINVALID, "'%.40s' is not an ISO 8601 UTC time", s ? s : "");
}

/* A value as compared: without when it was set and by whom. */
static char *value_key(const json_t *v)
{
	json_t *c = json_copy(mut(v));
	char *s;

	json_object_del(c, "active_from");
	json_object_del(c, "active_until");
	json_object_del(c, "created_by_actor");
	s = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(c);
	return s ? s : ferry_xstrdup("");
}

/* The values now in force (a read may carry historic ones). */
static json_t *active(const json_t *list)
{
	json_t *out = json_array();
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		const json_t *until = json_object_get(v, "active_until");

		if (!until || json_is_null(until))
			json_array_append(out, mut(v));
	}
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same values, in any order. */
static bool same_values(const json_t *a, const json_t *b)
{
	size_t n = json_array_size(a), i;
	char **ka, **kb;
	bool same = true;

	if (n != json_array_size(b))
		return false;
	if (!n)
		return true;
	ka = ferry_xcalloc(n, sizeof(*ka));
	kb = ferry_xcalloc(n, sizeof(*kb));
	for (i = 0; i < n; i++) {
		ka[i] = value_key(json_array_get(a, i));
		kb[i] = value_key(json_array_get(b, i));
	}
	qsort(ka, n, sizeof(*ka), cmp_str);
	qsort(kb, n, sizeof(*kb), cmp_str);
	for (i = 0; i < n; i++) {
		if (strcmp(ka[i], kb[i]))
			same = false;
		free(ka[i]);
		free(kb[i]);
	}
	free(ka);
	free(kb);
	return same;
}

/* Why the attribute's values now are someone else's, or NULL. */
static bool changed_since(const json_t *now, const json_t *before,
                          int64_t written_us, char *why, size_t cap)
{
	const json_t *v;
	size_t i;

	if (json_array_size(before) && !json_array_size(now)) {
		snprintf(why, cap, "emptied in Attio after ferry wrote it");
		return true;
	}
	json_array_foreach(now, i, v)
	{
		const char *from = str(v, "active_from");
		const char *actor =
		    str(json_object_get(v, "created_by_actor"), "type");
		int64_t at, skew = 0;

		if (!from || ferry_rollback_parse_time(from, &at) < 0)
			continue;
		if (actor && !strcmp(actor, "api-token"))
			skew = RB_TOKEN_SKEW_US;
		if (at > written_us + skew) {
			snprintf(why, cap,
			         "changed in Attio after ferry wrote it (a "
			         "value set at %.19s by %s)",
			         from, actor ? actor : "someone");
			return true;
		}
	}
	return false;
}

static json_t *write_list(const json_t *values, char *why, size_t cap)
{
	json_t *out = json_array(), *w;
	const json_t *v;
	size_t i;

	json_array_foreach(values, i, v)
	{
		if (!(w = ferry_rollback_write_value(v, why, cap))) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, w);
	}
	return out;
}

int ferry_rollback_restore(json_t **put, json_t **left, const json_t *prior,
                           const json_t *current, int64_t written_us)
{
	json_t *p = json_object(), *l = json_array(), *w;
	const json_t *list;
	const char *attr;
	char why[512];

	if (!json_is_object(prior) || !json_is_object(current)) {
		json_decref(p);
		json_decref(l);
		return ferry_error_set(FERRY_EINVALID,
		                       "values before and now must be objects "
		                       "of attributes");
	}
	json_object_foreach(mut(prior), attr, list)
	{
		json_t *before = active(list);
		json_t *now = active(json_object_get(current, attr));

		if (same_values(before, now)) {
			/* as before ferry: nothing to put back */
		} else if (changed_since(now, before, written_us, why,
		                         sizeof(why))) {
			json_array_append_new(l, json_pack("{s:s, s:s}",
			                                   "attribute", attr,
			                                   "why", why));
		} else if (!(w = write_list(before, why, sizeof(why)))) {
			json_array_append_new(l, json_pack("{s:s, s:s}",
			                                   "attribute", attr,
			                                   "why", why));
		} else {
			json_object_set_new(p, attr, w);
		}
		json_decref(before);
		json_decref(now);
	}
	*put = p;
	*left = l;
	return 0;
}

int ferry_rollback_unlink(json_t **put, const json_t *current,
                          const char *target_id)
{
	json_t *now = active(current), *keep = json_array(), *out;
	const json_t *v;
	char why[256];
	size_t i;
	bool found = false;

	json_array_foreach(now, i, v)
	{
		const char *id = str(v, "target_record_id");

		if (id && !strcmp(id, target_id))
			found = true;
		else
			json_array_append(keep, mut(v));
	}
	json_decref(now);
	if (!found) {
		json_decref(keep);
		return 0;
	}
	out = write_list(keep, why, sizeof(why));
	json_decref(keep);
	if (!out)
		return ferry_error_set(FERRY_EINVALID,
		                       "the other references of the attribute "
		                       "cannot be written back: %s",
		                       why);
	*put = out;
	return 1;
}
