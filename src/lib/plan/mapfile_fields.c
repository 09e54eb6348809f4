/* mapfile_fields.c: the fields of one object in mapping.yaml: the
 * attribute each Salesforce field goes to, its type (which value
 * transform it goes through), the part of a compound attribute it fills,
 * its value table, its default and the transform's options. An option
 * that does not apply to the type is an error, not ignored, and a default
 * must convert under the field's own rules. */
#include "util.h"

#include "mapfile_int.h"

/* Indexed by enum ferry_mapfile_type. */
static const char *const type_names[] = {
    "text",     "number",      "currency",  "checkbox", "date",  "timestamp",
    "select",   "multiselect", "status",    "domain",   "email", "phone",
    "location", "name",        "reference", "owner",    NULL};
_Static_assert(FERRY_ARRAY_LEN(type_names) == FERRY_MF_TYPE_COUNT + 1,
               "a name for every type");

/* Indexed by enum ferry_mapfile_part. */
static const char *const part_names[] = {
    "",         "first_name",   "last_name",   "full_name",
    "line_1",   "line_2",       "line_3",      "line_4",
    "locality", "region",       "region_code", "postcode",
    "country",  "country_code", "latitude",    "longitude",
    NULL};
_Static_assert(FERRY_ARRAY_LEN(part_names) == FERRY_MF_PART_COUNT + 1,
               "a name for every part");

const char *const *mf_type_names(void)
{
	return type_names;
}

const char *const *mf_part_names(void)
{
	return part_names;
}

enum field_key {
	FLD_TO,
	FLD_TYPE,
	FLD_PART,
	FLD_OBJECT,
	FLD_VALUES,
	FLD_DEFAULT,
	FLD_MAX_LENGTH,
	FLD_TRUNCATE,
	FLD_ROUND,
	FLD_CURRENCY,
	FLD_COUNTRY_FIELD,
	FLD_DEFAULT_COUNTRY,
	FLD_DROP_EXTENSION,
	FLD_DATE_ORDER,
	FLD_TIME_ZONE,
	FLD_COUNT
};
static const char *const field_keys[] = {"to",
                                         "type",
                                         "part",
                                         "object",
                                         "values",
                                         "default",
                                         "max_length",
                                         "truncate",
                                         "round",
                                         "currency",
                                         "country_field",
                                         "default_country",
                                         "drop_extension",
                                         "date_order",
                                         "time_zone",
                                         NULL};

#define T(t) (1u << (t))
/* The types each key applies to (to and type: every one). */
static const unsigned key_types[FLD_COUNT] = {
    [FLD_TO] = ~0u,
    [FLD_TYPE] = ~0u,
    [FLD_PART] = T(FERRY_MF_NAME) | T(FERRY_MF_LOCATION),
    [FLD_OBJECT] = T(FERRY_MF_REFERENCE),
    [FLD_VALUES] =
        T(FERRY_MF_SELECT) | T(FERRY_MF_MULTISELECT) | T(FERRY_MF_STATUS),
    [FLD_DEFAULT] = ~(T(FERRY_MF_REFERENCE) | T(FERRY_MF_OWNER)),
    [FLD_MAX_LENGTH] = T(FERRY_MF_TEXT),
    [FLD_TRUNCATE] = T(FERRY_MF_TEXT),
    [FLD_ROUND] = T(FERRY_MF_NUMBER) | T(FERRY_MF_CURRENCY),
    [FLD_CURRENCY] = T(FERRY_MF_CURRENCY),
    [FLD_COUNTRY_FIELD] = T(FERRY_MF_PHONE),
    [FLD_DEFAULT_COUNTRY] = T(FERRY_MF_PHONE),
    [FLD_DROP_EXTENSION] = T(FERRY_MF_PHONE),
    [FLD_DATE_ORDER] = T(FERRY_MF_DATE) | T(FERRY_MF_TIMESTAMP),
    [FLD_TIME_ZONE] = T(FERRY_MF_DATE) | T(FERRY_MF_TIMESTAMP),
};

/* What one field entry gave, before its type says what it means. */
struct field_read {
	int lines[FLD_COUNT]; /* 0: not given */
	const char *part;
	bool dropped; /* to: null */
	bool own_date_order;
};

int mf_opt_time_zone(const char **out, struct mf_loader *ld, const char *what,
                     const yaml_node_t *node)
{
	const char *v;
	int minutes, error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (ferry_tx_zone_offset(v, &minutes) < 0)
		return mf_fail(ld, mf_line(node),
		               "%s: '%.80s' is not a fixed UTC offset such as "
		               "+02:00, -0500 or UTC (zone names such as "
		               "Europe/Paris are not supported: their "
		               "daylight-saving shifts would move values)",
		               what, v);
	*out = mf_strdup(ld->arena, v);
	return 0;
}

int mf_opt_country(const char **out, struct mf_loader *ld, const char *what,
                   const yaml_node_t *node)
{
	const char *v, *code;
	int error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (!(code = ferry_tx_country_code(v)))
		return mf_fail(ld, mf_line(node),
		               "%s: '%.80s' is not a country ferry knows: use "
		               "its ISO 3166 code, such as GB or US",
		               what, v);
	*out = code;
	return 0;
}

int mf_opt_date_order(enum ferry_tx_date_order *out, struct mf_loader *ld,
                      const char *what, const yaml_node_t *node)
{
	static const char *const orders[] = {"iso", "mdy", "dmy", NULL};
	int which, error;

	if ((error = mf_choice(&which, ld, what, node, orders)) < 0)
		return error;
	*out = (enum ferry_tx_date_order)which;
	return 0;
}

int mf_opt_currency(const char **out, struct mf_loader *ld, const char *what,
                    const yaml_node_t *node)
{
	const char *v;
	int error, i;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	for (i = 0; i < 3 && v[i] >= 'A' && v[i] <= 'Z'; i++)
		;
	if (i != 3 || v[3])
		return mf_fail(ld, mf_line(node),
		               "%s: '%.80s' is not a currency code: use three "
		               "capital letters, such as USD or EUR",
		               what, v);
	*out = mf_strdup(ld->arena, v);
	return 0;
}

static int table(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_mapfile *m = ld->m;
	struct ferry_mapfile_table *t;
	const char **names;
	const char *v;
	char hint[160];
	size_t i;
	int error;

	if ((error = mf_scalar(&v, ld, "'values'", node)) < 0)
		return error;
	if ((t = mf_index_get(m->table_index, v)) != NULL) {
		ld->field->values = t;
		t->used = true;
		return 0;
	}
	names = ferry_xcalloc(m->n_tables + 1, sizeof(*names));
	for (i = 0; i < m->n_tables; i++)
		names[i] = m->tables[i].name;
	error = mf_fail(
	    ld, mf_line(node),
	    "%s: value table '%.80s' is not under value_tables%s", ld->where, v,
	    mf_did_you_mean(hint, sizeof(hint), v, names, m->n_tables));
	free(names);
	return error;
}

static int on_field_key(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile_field *f = ld->field;
	struct field_read *r = ld->cur;
	char what[300];
	const char *v;
	int64_t n;
	int which, error;

	r->lines[key] = mf_line(value);
	snprintf(what, sizeof(what), "%s: '%s'", ld->where, field_keys[key]);
	switch ((enum field_key)key) {
	case FLD_TO:
		if ((error = mf_scalar(&v, ld, what, value)) < 0)
			return error;
		if (!mf_valid_slug(v))
			return mf_fail(ld, mf_line(value),
			               "%s must be an Attio attribute slug "
			               "(lower-case letters, digits and _, "
			               "starting with a letter), not '%.80s'",
			               what, v);
		f->to = mf_strdup(ld->arena, v);
		return 0;
	case FLD_TYPE:
		if ((error = mf_choice(&which, ld, what, value, type_names)) <
		    0)
			return error;
		f->type = (enum ferry_mapfile_type)which;
		return 0;
	case FLD_PART:
		return mf_string(&r->part, ld, what, value);
	case FLD_OBJECT:
		if ((error = mf_scalar(&v, ld, what, value)) < 0)
			return error;
		if (!mf_valid_slug(v))
			return mf_fail(ld, mf_line(value),
			               "%s must be an Attio object slug, such "
			               "as companies, not '%.80s'",
			               what, v);
		f->object = mf_strdup(ld->arena, v);
		return 0;
	case FLD_VALUES:
		return table(ld, value);
	case FLD_DEFAULT:
		return mf_string(&f->default_value, ld, what, value);
	case FLD_MAX_LENGTH:
		if ((error = mf_scalar(&v, ld, what, value)) < 0)
			return error;
		if (ferry_parse_i64(v, &n) < 0 || n < 1 || n > 10000000)
			return mf_fail(ld, mf_line(value),
			               "%s must be a number of characters from "
			               "1 to 10000000, not '%.80s'",
			               what, v);
		f->tx.max_text_chars = (size_t)n;
		return 0;
	case FLD_TRUNCATE:
		return mf_bool(&f->tx.truncate_text, ld, what, value);
	case FLD_ROUND:
		return mf_bool(&f->tx.round_decimals, ld, what, value);
	case FLD_CURRENCY:
		return mf_opt_currency(&f->tx.currency, ld, what, value);
	case FLD_COUNTRY_FIELD:
		if ((error = mf_scalar(&v, ld, what, value)) < 0)
			return error;
		if (!mf_valid_api_name(v))
			return mf_fail(ld, mf_line(value),
			               "%s must be a Salesforce field, such as "
			               "MailingCountry, not '%.80s'",
			               what, v);
		f->country_field = mf_strdup(ld->arena, v);
		return 0;
	case FLD_DEFAULT_COUNTRY:
		return mf_opt_country(&f->tx.default_country, ld, what, value);
	case FLD_DROP_EXTENSION:
		return mf_bool(&f->tx.drop_extension, ld, what, value);
	case FLD_DATE_ORDER:
		r->own_date_order = true;
		return mf_opt_date_order(&f->tx.date_order, ld, what, value);
	case FLD_TIME_ZONE:
		return mf_opt_time_zone(&f->tx.time_zone, ld, what, value);
	case FLD_COUNT:
		break;
	}
	return 0;
}

/* "number and currency fields" */
static void type_list(char *buf, size_t size, unsigned types)
{
	size_t len = 0, n = 0, total = 0, i;

	for (i = 0; type_names[i]; i++)
		total += (types >> i) & 1u;
	buf[0] = '\0';
	for (i = 0; type_names[i] && len < size; i++) {
		if (!((types >> i) & 1u))
			continue;
		n++;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		                        n == 1       ? ""
		                        : n == total ? " and "
		                                     : ", ",
		                        type_names[i]);
	}
}

static int check_part(struct mf_loader *ld, struct field_read *r)
{
	struct ferry_mapfile_field *f = ld->field;
	const char *choices[FERRY_MF_PART_COUNT + 1];
	size_t n = 0, i, first, last;
	struct ferry_buf list = FERRY_BUF_INIT;
	char hint[160];
	int error;

	if (f->type == FERRY_MF_NAME) {
		first = FERRY_MF_PART_FIRST_NAME;
		last = FERRY_MF_PART_FULL_NAME;
	} else if (f->type == FERRY_MF_LOCATION) {
		first = FERRY_MF_PART_LINE_1;
		last = FERRY_MF_PART_LONGITUDE;
	} else {
		return 0;
	}
	if (!r->part && f->type == FERRY_MF_NAME) {
		f->part = FERRY_MF_PART_FULL_NAME;
		return 0;
	}
	for (i = first; i <= last; i++) {
		if (r->part && !strcmp(r->part, part_names[i])) {
			f->part = (enum ferry_mapfile_part)i;
			return 0;
		}
		choices[n++] = part_names[i];
	}
	for (i = 0; i < n; i++)
		if (ferry_buf_printf(&list, "%s%s", i ? ", " : "", choices[i]) <
		    0)
			break;
	if (!r->part)
		error = mf_fail(ld, f->line,
		                "%s: a location field needs a 'part': one of "
		                "%s",
		                ld->where, list.ptr);
	else
		error = mf_fail(
		    ld, r->lines[FLD_PART],
		    "%s: '%.80s' is not a part of a %s%s; use one "
		    "of %s",
		    ld->where, r->part, type_names[f->type],
		    mf_did_you_mean(hint, sizeof(hint), r->part, choices, n),
		    list.ptr);
	ferry_buf_release(&list);
	return error;
}

/* The default goes through the field's own transform, so a default that
 * could never be written is found now, not on every blank record. */
static int check_default(struct mf_loader *ld)
{
	struct ferry_mapfile_field *f = ld->field;
	struct ferry_tx_reason why;
	json_t *out = NULL, *item;
	const char *d = f->default_value;
	enum ferry_mapfile_rule rule;
	size_t i;
	int rc = 0;

	switch (f->type) {
	case FERRY_MF_TEXT:
		rc = ferry_tx_text(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_NUMBER:
		rc = ferry_tx_number(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_CURRENCY:
		rc = ferry_tx_currency(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_CHECKBOX:
		rc = ferry_tx_boolean(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_DATE:
		rc = ferry_tx_date(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_TIMESTAMP:
		rc = ferry_tx_timestamp(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_SELECT:
	case FERRY_MF_STATUS:
		rc = ferry_tx_select(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_MULTISELECT:
		rc = ferry_tx_multiselect(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_DOMAIN:
		rc = ferry_tx_domain(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_EMAIL:
		rc = ferry_tx_email(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_PHONE:
		rc = ferry_tx_phone(&out, d, &f->tx, &why);
		break;
	case FERRY_MF_LOCATION:
		if ((f->part == FERRY_MF_PART_COUNTRY ||
		     f->part == FERRY_MF_PART_COUNTRY_CODE) &&
		    !ferry_tx_country_code(d))
			return mf_fail(ld, f->line,
			               "%s: default '%.80s' is not a country "
			               "ferry knows: use its ISO 3166 code, "
			               "such as US",
			               ld->where, d);
		return 0;
	case FERRY_MF_NAME:
	case FERRY_MF_REFERENCE:
	case FERRY_MF_OWNER:
		return 0;
	}
	if (rc < 0)
		return mf_fail(ld, f->line,
		               "%s: default '%.80s' is not a %s value: %s",
		               ld->where, d, type_names[f->type], why.message);
	/* A default the value table would hold holds every blank record. */
	for (i = 0;
	     f->values && i < (json_is_array(out) ? json_array_size(out) : 1);
	     i++) {
		item = json_is_array(out) ? json_array_get(out, i) : out;
		if (!json_is_string(item))
			continue;
		ferry_mapfile_value(ld->m, f->values->name,
		                    json_string_value(item), NULL, &rule);
		if (rule == FERRY_MF_HOLD || rule == FERRY_MF_SKIP) {
			rc = mf_fail(
			    ld, f->line,
			    "%s: default '%.80s' is not in value table "
			    "'%s', which would %s every blank record: "
			    "add it to the table",
			    ld->where, json_string_value(item), f->values->name,
			    rule == FERRY_MF_HOLD ? "hold" : "skip");
			break;
		}
	}
	json_decref(out);
	return rc;
}

static int finish_field(struct mf_loader *ld, struct field_read *r)
{
	struct ferry_mapfile *m = ld->m;
	struct ferry_mapfile_field *f = ld->field;
	char types[200];
	int key, error;

	for (key = 0; key < FLD_COUNT; key++) {
		if (!r->lines[key] || (key_types[key] & T(f->type)))
			continue;
		if (key == FLD_PART)
			return mf_fail(ld, r->lines[key],
			               "%s: a %s field has no parts; remove "
			               "'part' (parts belong to name and "
			               "location fields)",
			               ld->where, type_names[f->type]);
		type_list(types, sizeof(types), key_types[key]);
		return mf_fail(
		    ld, r->lines[key], "%s: '%s' applies to %s fields, not %s",
		    ld->where, field_keys[key], types, type_names[f->type]);
	}
	if ((error = check_part(ld, r)) < 0)
		return error;
	if (f->tx.truncate_text && !f->tx.max_text_chars)
		return mf_fail(ld, r->lines[FLD_TRUNCATE],
		               "%s: 'truncate' needs 'max_length' (the number "
		               "of characters to cut at)",
		               ld->where);
	f->tx.field = f->name;
	if (!f->tx.time_zone)
		f->tx.time_zone = m->time_zone;
	if (!f->tx.default_country)
		f->tx.default_country = m->default_country;
	if (!f->tx.currency)
		f->tx.currency = m->currency;
	if (!r->own_date_order)
		f->tx.date_order = m->date_order;
	if (f->default_value)
		return check_default(ld);
	return 0;
}

static int on_field(struct mf_loader *ld, const char *name, yaml_node_t *key,
                    yaml_node_t *value, void *payload)
{
	struct ferry_mapfile_object *o = ld->obj;
	struct ferry_mapfile_field *f = &o->fields[o->n_fields];
	struct field_read r;
	unsigned seen = 0;
	int error;

	(void)payload;
	memset(&r, 0, sizeof(r));
	snprintf(ld->where, sizeof(ld->where), "%s.%.80s", o->name, name);
	if (!mf_valid_api_name(name))
		return mf_fail(ld, mf_line(key),
		               "%s: '%.80s' is not a Salesforce field API name "
		               "(letters, digits and _)",
		               o->name, name);
	if (mf_is_null(value))
		return 0; /* "Fax: null": left out on purpose */
	if ((error = mf_need_mapping(ld, ld->where, value,
	                             "{to: name, type: text}")) < 0)
		return error;
	memset(f, 0, sizeof(*f));
	f->name = mf_strdup(ld->arena, name);
	f->line = mf_line(key);
	ld->field = f;
	ld->cur = &r;
	if ((error = mf_walk(ld, value, ld->where, field_keys, on_field_key,
	                     &seen)) < 0)
		return error;
	if (!(seen & (1u << FLD_TO)))
		return mf_fail(ld, f->line,
		               "%s: missing 'to' (the attribute it goes to, or "
		               "null to leave it out)",
		               ld->where);
	if (!f->to)
		return 0; /* to: null */
	if (!(seen & (1u << FLD_TYPE)))
		return mf_fail(ld, f->line,
		               "%s: missing 'type' (text, number, currency, "
		               "checkbox, date, timestamp, select, "
		               "multiselect, status, domain, email, phone, "
		               "location, name, reference or owner)",
		               ld->where);
	if ((error = finish_field(ld, &r)) < 0)
		return error;
	mf_index_put(o->index, f->name, f);
	o->n_fields++;
	return 0;
}

int mf_fields(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_mapfile_object *o = ld->obj;
	char section[160];
	int error;

	snprintf(section, sizeof(section), "%s.fields", o->name);
	if ((error = mf_need_mapping(ld, section, node,
	                             "{Name: {to: name, type: text}}")) < 0)
		return error;
	o->fields = mf_array(ld->arena, mf_size(node), sizeof(*o->fields));
	o->index = mf_index_new(ld->arena, mf_size(node));
	error = mf_names(ld, node, section, on_field, NULL);
	ld->cur = NULL;
	ld->field = NULL;
	snprintf(ld->where, sizeof(ld->where), "%s", o->name);
	return error;
}
