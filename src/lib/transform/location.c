/* location.c: a Salesforce address (street, city, state, postal code,
 * country, coordinates: separate fields) as one Attio location, the object
 * form with all 10 keys. */
#include "util.h"

#include "tx_int.h"

#define LINES 4

/* A trimmed component, NULL when empty. */
struct part {
	const char *s;
	size_t len;
};

static struct part part(const char *s)
{
	struct part p;

	p.s = tx_trim(s, &p.len);
	if (p.len == 0)
		p.s = NULL;
	return p;
}

static json_t *string_or_null(struct part p)
{
	return p.s ? tx_string(p.s, p.len) : json_null();
}

/* A coordinate as Attio's regex takes it: [-+]digits[.digits], within
 * +-limit. */
static bool coordinate(struct part p, double limit)
{
	char buf[40];
	size_t i = 0, digits = 0;
	double v;

	if (!p.s || p.len >= sizeof(buf))
		return false;
	if (p.s[0] == '-' || p.s[0] == '+')
		i++;
	for (; i < p.len && p.s[i] >= '0' && p.s[i] <= '9'; i++)
		digits++;
	if (i < p.len && p.s[i] == '.')
		for (i++; i < p.len && p.s[i] >= '0' && p.s[i] <= '9'; i++)
			digits++;
	if (i != p.len || digits == 0)
		return false;
	memcpy(buf, p.s, p.len);
	buf[p.len] = '\0';
	return ferry_parse_double(buf, &v) == 0 && v >= -limit && v <= limit;
}

/* Splits the street into up to 4 non-empty lines; the fourth gets every
 * line from there on, joined with ", ". */
static void street_lines(json_t *o, struct part street)
{
	static const char *const keys[LINES] = {"line_1", "line_2", "line_3",
	                                        "line_4"};
	struct ferry_buf last = FERRY_BUF_INIT;
	const char *p = street.s, *end = p ? p + street.len : NULL;
	size_t n = 0;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t span = nl ? (size_t)(nl - p) : (size_t)(end - p), len;
		const char *line = tx_trim_span(p, span, &len);

		p += span + 1;
		if (len == 0)
			continue;
		if (n < LINES - 1) {
			json_object_set_new(o, keys[n++], tx_string(line, len));
			continue;
		}
		if ((last.len && ferry_buf_puts(&last, ", ") < 0) ||
		    ferry_buf_put(&last, line, len) < 0)
			abort(); /* street is at most a CSV field: far below */
	}
	for (; n < LINES - 1; n++)
		json_object_set_new(o, keys[n], json_null());
	json_object_set_new(o, keys[LINES - 1],
	                    last.len ? tx_string(last.ptr, last.len)
	                             : json_null());
	ferry_buf_release(&last);
}

/* The ISO code of the address's country, from the code field first. */
static const char *country_of(struct part code, struct part name)
{
	char buf[TX_SHOW_MAX];
	const char *iso = NULL;

	if (code.s && code.len < sizeof(buf)) {
		memcpy(buf, code.s, code.len);
		buf[code.len] = '\0';
		iso = ferry_tx_country_code(buf);
	}
	if (!iso && name.s && name.len < sizeof(buf)) {
		memcpy(buf, name.s, name.len);
		buf[name.len] = '\0';
		iso = ferry_tx_country_code(buf);
	}
	return iso;
}

int ferry_tx_location(json_t **out, const struct ferry_tx_address *address,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why)
{
	static const struct ferry_tx_address none;
	static const char *const names[] = {
	    "street",  "city",         "state",    "state code", "postal code",
	    "country", "country code", "latitude", "longitude",
	};
	const struct ferry_tx_address *a = address ? address : &none;
	struct part parts[9];
	char show[TX_SHOW_MAX];
	const char *iso, *key;
	size_t i, filled = 0;
	json_t *o, *v;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	parts[0] = part(a->street);
	parts[1] = part(a->city);
	parts[2] = part(a->state);
	parts[3] = part(a->state_code);
	parts[4] = part(a->postal_code);
	parts[5] = part(a->country);
	parts[6] = part(a->country_code);
	parts[7] = part(a->latitude);
	parts[8] = part(a->longitude);
	for (i = 0; i < FERRY_ARRAY_LEN(parts); i++) {
		size_t bad;

		if (!parts[i].s)
			continue;
		if (!ferry_utf8_valid(parts[i].s, parts[i].len, &bad))
			return tx_reason(
			    why, ctx, "not_utf8",
			    "the address's %s has a byte that is "
			    "not UTF-8 (at byte %zu): re-export the "
			    "file as UTF-8",
			    names[i], bad + 1);
	}
	iso = country_of(parts[6], parts[5]);
	if (!iso && (parts[5].s || parts[6].s)) {
		struct part given = parts[5].s ? parts[5] : parts[6];

		tx_note(why, ctx, "country_unknown",
		        "country '%s' is not one ferry knows: the address is "
		        "written without a country",
		        tx_show(show, sizeof(show), given.s, given.len));
	}
	if ((parts[7].s || parts[8].s) &&
	    !(coordinate(parts[7], 90) && coordinate(parts[8], 180))) {
		char lon[TX_SHOW_MAX];

		tx_show(show, sizeof(show), parts[7].s, parts[7].len);
		tx_show(lon, sizeof(lon), parts[8].s, parts[8].len);
		tx_note(why, ctx, "coordinates_invalid",
		        "coordinates '%s', '%s' are not a latitude and a "
		        "longitude: the address is written without them",
		        show, lon);
		parts[7].s = parts[8].s = NULL;
	}
	o = json_object();
	if (!o)
		abort();
	street_lines(o, parts[0]);
	json_object_set_new(o, "locality", string_or_null(parts[1]));
	json_object_set_new(o, "region",
	                    string_or_null(parts[2].s ? parts[2] : parts[3]));
	json_object_set_new(o, "postcode", string_or_null(parts[4]));
	json_object_set_new(o, "country_code",
	                    iso ? tx_string(iso, 2) : json_null());
	json_object_set_new(o, "latitude", string_or_null(parts[7]));
	json_object_set_new(o, "longitude", string_or_null(parts[8]));
	json_object_foreach(o, key, v)
	{
		if (!json_is_null(v))
			filled++;
	}
	if (filled == 0) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return 0;
}
