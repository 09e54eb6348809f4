/* sf_write.c: the stand-in's REST record writes, answered as Salesforce
 * answers them: POST /sobjects/{obj} creates (201 {"id", "success",
 * "errors"}), PATCH /sobjects/{obj}/{id} updates (204), DELETE
 * /sobjects/{obj}/{id} deletes softly (204); a record that does not exist
 * is 404 NOT_FOUND and one already deleted 404 ENTITY_IS_DELETED, in the
 * errors array. The body's values are checked against the describe
 * (field names, createable or updateable, types, lengths, required
 * fields) and stored as Bulk CSV text (sf_org_write.c), so every reader
 * (query, Bulk, the delta resources) sees them. */
#include "util.h"

#include <time.h>

#include "sf_http.h"
#include "sf_soql_int.h"

/* The written values, as text the org keeps. */
struct values {
	struct sf_write_field *f;
	char **text; /* owned, per entry */
	size_t n;
};

static void values_free(struct values *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->text[i]);
	free(v->text);
	free(v->f);
	memset(v, 0, sizeof(*v));
}

static void values_add(struct values *v, long field, char *text)
{
	v->f = ferry_xrealloc(v->f, (v->n + 1) * sizeof(*v->f));
	v->text = ferry_xrealloc(v->text, (v->n + 1) * sizeof(*v->text));
	v->f[v->n].field = field;
	v->f[v->n].value = text;
	v->text[v->n] = text;
	v->n++;
}

static bool numeric(enum sf_ftype t)
{
	return t == SF_CURRENCY || t == SF_DOUBLE || t == SF_PERCENT ||
	       t == SF_INT;
}

static int bad_type(struct sf_err *e, const char *type, const char *field,
                    const json_t *v)
{
	return sf_err_set(e, 400, "JSON_PARSER_ERROR",
	                  "Cannot deserialize instance of %s from %s value for "
	                  "field %s",
	                  type,
	                  json_is_string(v)    ? "VALUE_STRING"
	                  : json_is_number(v)  ? "VALUE_NUMBER"
	                  : json_is_boolean(v) ? "VALUE_BOOLEAN"
	                                       : "START_OBJECT",
	                  field);
}

/* A number's text the way the org stores one of this field. */
static int number_text(const struct sf_field *fd, const json_t *v, char **out,
                       struct sf_err *e)
{
	double d;

	if (json_is_number(v))
		d = json_number_value(v);
	else if (!json_is_string(v) ||
	         ferry_parse_double(json_string_value(v), &d) < 0)
		return bad_type(e, fd->type == SF_INT ? "int" : "double",
		                fd->name, v);
	if (fd->type == SF_INT)
		*out = ferry_xasprintf("%lld", (long long)d);
	else if (fd->scale > 0)
		*out = ferry_xasprintf("%.*f", fd->scale, d);
	else
		*out = ferry_xasprintf("%.15g", d);
	return 0;
}

/* "2024-01-15T18:25:32.000Z" for any datetime Salesforce takes. */
static int datetime_text(const struct sf_field *fd, const char *s, char **out,
                         struct sf_err *e)
{
	int64_t ms;
	time_t t;
	struct tm tm;
	char buf[40];

	if (!sf_soql_parse_datetime(s, strlen(s), &ms))
		return sf_err_set(
		    e, 400, "JSON_PARSER_ERROR",
		    "Cannot deserialize instance of datetime from "
		    "VALUE_STRING value %.60s for field %s",
		    s, fd->name);
	t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	*out = ferry_xasprintf("%s.%03dZ", buf, (int)(ms - (int64_t)t * 1000));
	return 0;
}

static bool date_ok(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9')
		                    : s[i] != shape[i])
			return false;
	return true;
}

/* Characters (not bytes) of valid UTF-8, as Salesforce counts a
 * length. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* One value of the body into the text the org keeps (NULL: null). */
static int value_text(const struct sf_field *fd, const json_t *v, char **out,
                      struct sf_err *e)
{
	const char *s;

	*out = NULL;
	if (json_is_null(v)) {
		if (!fd->nillable && fd->type != SF_BOOLEAN)
			return sf_err_set(e, 400, "REQUIRED_FIELD_MISSING",
			                  "Required fields are missing: [%s]",
			                  fd->name);
		if (fd->type == SF_BOOLEAN)
			*out = ferry_xstrdup("false");
		return 0;
	}
	if (fd->type == SF_BOOLEAN) {
		if (json_is_boolean(v))
			s = json_is_true(v) ? "true" : "false";
		else if (json_is_string(v) &&
		         (!strcmp(json_string_value(v), "true") ||
		          !strcmp(json_string_value(v), "false")))
			s = json_string_value(v);
		else
			return bad_type(e, "boolean", fd->name, v);
		*out = ferry_xstrdup(s);
		return 0;
	}
	if (numeric(fd->type))
		return number_text(fd, v, out, e);
	if (!json_is_string(v))
		return bad_type(e, "String", fd->name, v);
	s = json_string_value(v);
	if (fd->type == SF_DATETIME)
		return datetime_text(fd, s, out, e);
	if (fd->type == SF_DATE && !date_ok(s))
		return sf_err_set(e, 400, "JSON_PARSER_ERROR",
		                  "Cannot deserialize instance of date from "
		                  "VALUE_STRING value %.60s for field %s",
		                  s, fd->name);
	if (!ferry_utf8_valid(s, json_string_length(v), NULL))
		return sf_err_set(e, 400, "JSON_PARSER_ERROR",
		                  "Invalid UTF-8 in the value of %s", fd->name);
	if (fd->length > 0 && chars(s) > (size_t)fd->length)
		return sf_err_set(e, 400, "STRING_TOO_LONG",
		                  "%s: data value too large: %.40s... (max "
		                  "length=%d)",
		                  fd->name, s, fd->length);
	if (fd->type == SF_REFERENCE && json_string_length(v) > 0 &&
	    json_string_length(v) != 15 && json_string_length(v) != 18)
		return sf_err_set(e, 400, "MALFORMED_ID",
		                  "%s: id value of incorrect type: %.40s",
		                  fd->name, s);
	*out = ferry_xstrdup(s);
	return 0;
}

/* The body's values, checked: a JSON object of field -> value (an
 * "attributes" member is Salesforce's own and ignored). */
static int read_body(const struct sf_object *o, struct sf_req *rq, bool create,
                     struct values *out, struct sf_err *e)
{
	json_t *body = NULL, *v;
	json_error_t jerr;
	const char *key;
	char *text;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	body =
	    rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &jerr) : NULL;
	if (!json_is_object(body)) {
		rc = sf_err_set(e, 400, "JSON_PARSER_ERROR",
		                "The request body must be a JSON object of "
		                "field values%s%s",
		                body || !rq->body_len ? "" : ": ",
		                body || !rq->body_len ? "" : jerr.text);
		goto done;
	}
	json_object_foreach(body, key, v)
	{
		long f;
		const struct sf_field *fd;

		if (!strcmp(key, "attributes"))
			continue;
		if ((f = sf_object_field(o, key)) < 0) {
			rc = sf_err_set(e, 400, "INVALID_FIELD",
			                "No such column '%.80s' on sobject of "
			                "type %s",
			                key, o->name);
			goto done;
		}
		fd = &o->fields[f];
		if (create ? !fd->createable : !fd->updateable) {
			rc = sf_err_set(
			    e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
			    "Unable to create/update fields: %s. Please check "
			    "the security settings of this field and verify "
			    "that it is read/write for your profile or "
			    "permission set.",
			    fd->name);
			goto done;
		}
		if (fd->type == SF_ADDRESS || fd->type == SF_BASE64 ||
		    fd->calculated) {
			rc = sf_err_set(
			    e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
			    "Unable to create/update fields: %s.", fd->name);
			goto done;
		}
		if ((rc = value_text(fd, v, &text, e)) < 0)
			goto done;
		values_add(out, f, text);
	}
done:
	json_decref(body);
	if (rc < 0)
		values_free(out);
	return rc;
}

/* A create must give what the describe requires: createable, not
 * nillable, and nothing Salesforce fills in itself. */
static int check_required(const struct sf_object *o, const struct values *v,
                          struct sf_err *e)
{
	size_t i, j;

	for (i = 0; i < o->n_fields; i++) {
		const struct sf_field *fd = &o->fields[i];
		bool given = false;

		if (!fd->createable || fd->nillable || fd->type == SF_BOOLEAN ||
		    fd->picklist_default || !strcmp(fd->name, "OwnerId"))
			continue;
		for (j = 0; j < v->n && !given; j++)
			given = v->f[j].field == (long)i && v->f[j].value;
		if (!given)
			return sf_err_set(e, 400, "REQUIRED_FIELD_MISSING",
			                  "Required fields are missing: [%s]",
			                  fd->name);
	}
	return 0;
}

/* The object of the path, one a client may write to. */
static int writable_object(struct sf_sb *sb, const char *name,
                           const struct sf_object **out, struct sf_err *e)
{
	const struct sf_object *o = sf_org_object(sb->org, name);

	if (!o || o->tooling || !o->key_prefix)
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	*out = o;
	return 0;
}

/* The live record the path's id names. */
static int live_record(struct sf_sb *sb, const struct sf_object *o,
                       const char *id, int64_t *index, struct sf_err *e)
{
	const struct sf_object *found = NULL;

	if (sf_org_lookup_id(sb->org, id, &found, index) < 0 || found != o)
		return sf_err_set(
		    e, 404, "NOT_FOUND",
		    "Provided external ID field does not exist or "
		    "is not accessible: %.40s",
		    id);
	if (sf_org_is_deleted(sb->org, o, *index))
		return sf_err_set(e, 404, "ENTITY_IS_DELETED",
		                  "entity is deleted");
	return 0;
}

int sf_h_record_create(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e)
{
	const struct sf_object *o = NULL;
	struct values v;
	int64_t index;
	char id[19];

	if (writable_object(sb, rq->params[0], &o, e) < 0 ||
	    read_body(o, rq, true, &v, e) < 0)
		return -1;
	if (check_required(o, &v, e) < 0) {
		values_free(&v);
		return -1;
	}
	sf_org_create(sb->org, o, v.f, v.n, sb->user_id, &index);
	values_free(&v);
	sf_org_record_id(o, index, id);
	sb->stats.writes++;
	out->status = 201;
	out->json =
	    json_pack("{s:s,s:b,s:[]}", "id", id, "success", true, "errors");
	return 0;
}

int sf_h_record_update(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e)
{
	const struct sf_object *o = NULL;
	struct values v;
	int64_t index;

	if (writable_object(sb, rq->params[0], &o, e) < 0 ||
	    live_record(sb, o, rq->params[1], &index, e) < 0 ||
	    read_body(o, rq, false, &v, e) < 0)
		return -1;
	sf_org_update(sb->org, o, index, v.f, v.n, sb->user_id);
	values_free(&v);
	sb->stats.writes++;
	out->status = 204;
	return 0;
}

int sf_h_record_delete(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e)
{
	const struct sf_object *o = NULL;
	int64_t index;

	if (writable_object(sb, rq->params[0], &o, e) < 0 ||
	    live_record(sb, o, rq->params[1], &index, e) < 0)
		return -1;
	sf_org_delete(sb->org, o, index, sb->user_id);
	sb->stats.writes++;
	out->status = 204;
	return 0;
}
