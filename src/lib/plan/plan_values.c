/* plan_values.c: a record's values. Each mapped field goes through its
 * value transform (transform.h) with the mapping's context (its country
 * field, the record's currency); select, status and multiselect values
 * then through their value table, whose rule for a value it lacks holds
 * the record, gives the default, or skips it; a name or a location is
 * converted once from all its parts. A value a transform refuses holds
 * the record with a field-level reason; a transform's note is kept. */
#include "util.h"

#include "plan_int.h"

typedef int (*tx_fn)(json_t **, const char *, const struct ferry_tx_ctx *,
                     struct ferry_tx_reason *);

static tx_fn transform_of(enum ferry_mapfile_type t)
{
	switch (t) {
	case FERRY_MF_TEXT:
		return ferry_tx_text;
	case FERRY_MF_NUMBER:
		return ferry_tx_number;
	case FERRY_MF_CURRENCY:
		return ferry_tx_currency;
	case FERRY_MF_CHECKBOX:
		return ferry_tx_boolean;
	case FERRY_MF_DATE:
		return ferry_tx_date;
	case FERRY_MF_TIMESTAMP:
		return ferry_tx_timestamp;
	case FERRY_MF_SELECT:
	case FERRY_MF_STATUS:
		return ferry_tx_select;
	case FERRY_MF_MULTISELECT:
		return ferry_tx_multiselect;
	case FERRY_MF_DOMAIN:
		return ferry_tx_domain;
	case FERRY_MF_EMAIL:
		return ferry_tx_email;
	case FERRY_MF_PHONE:
		return ferry_tx_phone;
	default:
		return NULL;
	}
}

/* What releases a record held for a value its transform refused: most
 * need the value fixed; a phone with no country needs the mapping to say
 * which country national numbers are in. */
static const char *release_of(const char *code)
{
	if (!strcmp(code, "phone_no_country"))
		return "set options.default_country (or the field's "
		       "country_field) in mapping.yaml, then `ferry queue "
		       "retry --code phone_no_country`; or set an override "
		       "with `ferry queue edit`";
	return PL_RELEASE_VALUE;
}

/* A transform's note or reason, kept with the record. */
static void tx_outcome(struct pl_rec *rec, const char *field,
                       const struct ferry_tx_reason *why, bool failed)
{
	if (failed)
		pl_reason(rec->reasons, field, why->code, release_of(why->code),
		          "%s", why->message);
	else if (why->code[0])
		pl_reason(rec->notes, field, why->code, NULL, "%s",
		          why->message);
}

/* One title through the value table: NULL when the record is held or
 * skipped for it (the reason is added). */
static json_t *table_title(struct plan *pl, struct pl_rec *rec,
                           const struct ferry_mapfile_field *f, const char *v)
{
	const struct ferry_mapfile_table *t = f->values;
	enum ferry_mapfile_rule rule;
	const char *title = NULL;
	char msg[512], rel[512];

	if (ferry_mapfile_value(pl->m, t->name, v, &title, &rule) < 0)
		return NULL;
	switch (rule) {
	case FERRY_MF_MAPPED:
		return json_string(title);
	case FERRY_MF_DEFAULT:
		pl_reason(rec->notes, f->name, "value_default", NULL,
		          "%s '%s' is not in value table %s: its default '%s'",
		          f->name, pl_quote(v).s, t->name, title);
		return json_string(title);
	case FERRY_MF_SKIP:
		snprintf(msg, sizeof(msg),
		         "%s '%s' is not in value table %s, whose rule for "
		         "other values is skip",
		         f->name, pl_quote(v).s, t->name);
		snprintf(
		    rel, sizeof(rel),
		    "add '%s' under value_tables.%s in mapping.yaml to keep "
		    "such records",
		    pl_quote(v).s, t->name);
		pl_skip(rec, f->name, "value_skipped", rel, msg);
		return NULL;
	default:
		snprintf(
		    rel, sizeof(rel),
		    "add '%s' under value_tables.%s in mapping.yaml (or set "
		    "its unmapped: default)",
		    pl_quote(v).s, t->name);
		pl_reason(rec->reasons, f->name, "value_unmapped", rel,
		          "%s '%s' is not in value table %s", f->name,
		          pl_quote(v).s, t->name);
		return NULL;
	}
}

static json_t *through_table(struct plan *pl, struct pl_rec *rec,
                             const struct ferry_mapfile_field *f, json_t *v)
{
	json_t *out, *item;
	size_t i;

	if (!f->values)
		return v;
	if (json_is_string(v)) {
		out = table_title(pl, rec, f, json_string_value(v));
		json_decref(v);
		return out;
	}
	out = json_array();
	json_array_foreach(v, i, item)
	{
		json_t *t = table_title(pl, rec, f, json_string_value(item));
		bool seen = false;
		size_t j;

		if (!t)
			continue;
		for (j = 0; j < json_array_size(out) && !seen; j++)
			seen = json_equal(json_array_get(out, j), t);
		if (!seen)
			json_array_append(out, t);
		json_decref(t);
	}
	json_decref(v);
	if (!json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* A phone value as E.164, the form two ways of writing one number share:
 * "+14155550100" is already; {"original_phone_number": "(415) 555-0100",
 * "country_code": "US"} is read again with its country. */
static bool phone_key(char *e164, const json_t *v,
                      const struct ferry_mapfile_field *f)
{
	struct ferry_tx_ctx ctx = f->tx;
	struct ferry_tx_reason why;
	const char *orig;

	if (json_is_string(v)) {
		snprintf(e164, FERRY_TX_E164_MAX, "%s", json_string_value(v));
		return true;
	}
	orig = json_string_value(json_object_get(v, "original_phone_number"));
	ctx.country = json_string_value(json_object_get(v, "country_code"));
	memset(&why, 0, sizeof(why));
	return orig && ferry_tx_phone_e164(e164, orig, &ctx, &why) == 0;
}

/* Whether `a` and `b` are one email address or one phone number written
 * two ways ("Ada@X.com" and "ada@x.com"; "(415) 555-0100" and
 * "+1 415 555 0100"): the attribute keeps the first. */
static bool same_value(const struct ferry_mapfile_field *f, const json_t *a,
                       const json_t *b)
{
	char ka[FERRY_TX_E164_MAX], kb[FERRY_TX_E164_MAX];

	if (f->type == FERRY_MF_EMAIL)
		return json_is_string(a) && json_is_string(b) &&
		       ferry_str_iequal(json_string_value(a),
		                        json_string_value(b));
	if (f->type == FERRY_MF_PHONE)
		return phone_key(ka, a, f) && phone_key(kb, b, f) &&
		       !strcmp(ka, kb);
	return json_equal(a, b);
}

static bool already_there(const struct pl_rec *rec,
                          const struct ferry_mapfile_field *f, const json_t *v)
{
	const json_t *cur = json_object_get(rec->values, f->to);
	size_t i;

	if (!cur)
		return false;
	if (!json_is_array(cur))
		return same_value(f, cur, v);
	for (i = 0; i < json_array_size(cur); i++)
		if (same_value(f, json_array_get(cur, i), v))
			return true;
	return false;
}

/* One value of field `i` (the record's own, or one dedup kept from a
 * record merged into it: `kept`) through its transform and value table
 * into rec->values. `country`: its record's country, NULL for the
 * record's own country field. */
static int one_value(struct plan *pl, struct pl_rec *rec, size_t i,
                     const char *v, const char *country, bool kept)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_field *f = &po->o->fields[i];
	const char *from = kept ? " (a value of a record merged into this "
	                          "one, kept by dedup.fields all)"
	                        : "";
	struct ferry_tx_ctx ctx = f->tx;
	struct ferry_tx_reason why;
	tx_fn tx = transform_of(f->type);
	json_t *out = NULL;
	int rc;

	ctx.field = f->name;
	if (country)
		ctx.country = country;
	else if (po->country_col[i] >= 0)
		ctx.country = pl_val(rec, po->country_col[i]);
	if (po->fixed[PL_C_CURRENCY] >= 0)
		ctx.record_currency = pl_val(rec, po->fixed[PL_C_CURRENCY]);
	memset(&why, 0, sizeof(why));
	rc = tx(&out, v, &ctx, &why);
	if (rc == FERRY_EINVALID && kept) {
		pl_reason(rec->reasons, f->name, why.code, release_of(why.code),
		          "%s%s", why.message, from);
		return 0;
	}
	if (rc == FERRY_EINVALID) {
		tx_outcome(rec, f->name, &why, true);
		return 0;
	}
	if (rc < 0)
		return rc;
	tx_outcome(rec, f->name, &why, false);
	if (!out)
		return 0;
	if (f->type == FERRY_MF_DOMAIN &&
	    ferry_mapfile_personal_domain(pl->m, json_string_value(out))) {
		pl_reason(
		    rec->reasons, f->name, "domain_personal", PL_RELEASE_VALUE,
		    "%s '%s' is a personal-email domain (personal_domains "
		    "in mapping.yaml), which never names a company%s",
		    f->name, json_string_value(out), from);
		json_decref(out);
		return 0;
	}
	if (f->type == FERRY_MF_SELECT || f->type == FERRY_MF_STATUS ||
	    f->type == FERRY_MF_MULTISELECT)
		out = through_table(pl, rec, f, out);
	if (out && (f->type == FERRY_MF_EMAIL || f->type == FERRY_MF_PHONE) &&
	    already_there(rec, f, out)) {
		json_decref(out);
		return 0;
	}
	pl_add_value(rec->values, f->to, out);
	return 0;
}

/* A value dedup kept from another record: "Phone#3" and, beside it, its
 * record's country "MailingCountry#3". */
struct kept_value {
	int64_t n;
	const char *value, *country;
};

/* The values `all` kept for field `f` from the records merged into this
 * one, in the order dedup put them (survivor first, then its rule's). */
static size_t kept_values(struct kept_value **out, const struct pl_rec *rec,
                          const struct ferry_mapfile_field *f)
{
	const struct an_flat *m = rec->mflat;
	struct kept_value *kv = NULL, tmp;
	size_t len = strlen(f->name), n = 0, i, j;
	char key[256];

	*out = NULL;
	for (i = 0; m && i < m->n; i++) {
		const char *k = m->pairs[i].key;
		int64_t num;

		if (strncmp(k, f->name, len) || k[len] != '#' ||
		    ferry_parse_i64(k + len + 1, &num) < 0 || num < 2 ||
		    pl_blank(m->pairs[i].val))
			continue;
		kv = ferry_xrealloc(kv, (n + 1) * sizeof(*kv));
		kv[n].n = num;
		kv[n].value = m->pairs[i].val;
		kv[n].country = NULL;
		if (f->country_field) {
			kv[n].country = "";
			snprintf(key, sizeof(key), "%s#%" PRId64,
			         f->country_field, num);
			for (j = 0; j < m->n; j++)
				if (!strcmp(m->pairs[j].key, key))
					kv[n].country = m->pairs[j].val;
		}
		for (j = n++; j > 0 && kv[j - 1].n > kv[j].n; j--) {
			tmp = kv[j - 1];
			kv[j - 1] = kv[j];
			kv[j] = tmp;
		}
	}
	*out = kv;
	return n;
}

/* One field of a simple type (not a part, a reference or an owner): the
 * record's value, then those dedup kept from the records merged into it
 * (dedup.fields all). */
int pl_field_value(struct plan *pl, struct pl_rec *rec, size_t i)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_field *f = &po->o->fields[i];
	const char *v = pl_val(rec, po->field_col[i]);
	struct kept_value *kept = NULL;
	size_t n, k;
	int error;

	if (!transform_of(f->type))
		return 0;
	n = kept_values(&kept, rec, f);
	/* The default stands in for no value at all, not for the
	 * survivor's own when the others give some. */
	if (pl_blank(v) && f->default_value && !n)
		v = f->default_value;
	error = one_value(pl, rec, i, v, NULL, false);
	for (k = 0; error == 0 && k < n; k++)
		error =
		    one_value(pl, rec, i, kept[k].value, kept[k].country, true);
	free(kept);
	return error;
}

/* The part `p` of a compound: its field's value, or its default. */
static const char *part(const struct pl_rec *rec, const struct pl_compound *c,
                        int p)
{
	const char *v = pl_val(rec, c->col[p]);

	if (pl_blank(v) && c->part[p] && c->part[p]->default_value)
		return c->part[p]->default_value;
	return v;
}

int pl_compound_value(struct pl_rec *rec, const struct pl_compound *c)
{
	struct ferry_tx_ctx ctx = c->first->tx;
	struct ferry_tx_reason why;
	json_t *out = NULL;
	int rc;

	ctx.field = c->first->name;
	memset(&why, 0, sizeof(why));
	if (c->type == FERRY_MF_NAME) {
		rc = ferry_tx_name(&out, part(rec, c, FERRY_MF_PART_FIRST_NAME),
		                   part(rec, c, FERRY_MF_PART_LAST_NAME),
		                   part(rec, c, FERRY_MF_PART_FULL_NAME), &ctx,
		                   &why);
	} else {
		struct ferry_tx_address a;
		struct ferry_buf street = FERRY_BUF_INIT;
		int p;

		for (p = FERRY_MF_PART_LINE_1; p <= FERRY_MF_PART_LINE_4; p++) {
			const char *line = part(rec, c, p);

			if (pl_blank(line))
				continue;
			if ((street.len && ferry_buf_putc(&street, '\n') < 0) ||
			    ferry_buf_puts(&street, line) < 0) {
				ferry_buf_release(&street);
				return FERRY_ETOOBIG;
			}
		}
		memset(&a, 0, sizeof(a));
		a.street = street.ptr;
		a.city = part(rec, c, FERRY_MF_PART_LOCALITY);
		a.state = part(rec, c, FERRY_MF_PART_REGION);
		a.state_code = part(rec, c, FERRY_MF_PART_REGION_CODE);
		a.postal_code = part(rec, c, FERRY_MF_PART_POSTCODE);
		a.country = part(rec, c, FERRY_MF_PART_COUNTRY);
		a.country_code = part(rec, c, FERRY_MF_PART_COUNTRY_CODE);
		a.latitude = part(rec, c, FERRY_MF_PART_LATITUDE);
		a.longitude = part(rec, c, FERRY_MF_PART_LONGITUDE);
		rc = ferry_tx_location(&out, &a, &ctx, &why);
		ferry_buf_release(&street);
	}
	if (rc == FERRY_EINVALID) {
		tx_outcome(rec, c->first->name, &why, true);
		return 0;
	}
	if (rc < 0)
		return rc;
	tx_outcome(rec, c->first->name, &why, false);
	if (out)
		pl_add_value(rec->values, c->attribute, out);
	return 0;
}
