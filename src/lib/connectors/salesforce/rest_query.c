/* rest_query.c: the REST query and queryAll resources, page by page with
 * nextRecordsUrl, for the objects Bulk API 2.0 cannot serve (and for
 * ContentDocumentLink, which Salesforce serves only filtered by ids), and
 * for the Tooling queries. Records are staged in the same shape as the
 * Bulk CSV gives them, so later stages never know which path read them. */
#include <jansson.h>

#include "util.h"

#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

/* Ids per ContentDocumentLink query: 200 quoted, encoded ids keep the
 * URL near 6 KB, well under the ~16 KB Salesforce takes. */
#define LINK_CHUNK 200

int ferry_sf__rest_query(struct ferry_sf__run *r, const char *resource,
                         const char *soql,
                         int (*page_cb)(json_t *page, void *payload),
                         void *payload, int64_t *total_out)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *page = NULL;
	const json_t *next, *done;
	bool first = true;
	int error;

	if ((error = ferry_buf_printf(&path, "%s?q=", resource)) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, soql)) < 0)
		goto done;
	if (path.len > FERRY_SF_URL_MAX) {
		error = ferry_error_set(
		    FERRY_ETOOBIG,
		    "the REST query '%.60s...' would make a URL of %zu bytes, "
		    "over the ~16 KB Salesforce accepts: ferry cannot read an "
		    "object this wide through REST yet; leave it out of "
		    "source.objects or export it with Data Export",
		    soql, path.len);
		goto done;
	}
	for (;;) {
		if ((error = ferry_sf_get_json(r->sf, path.ptr, &page)) < 0)
			goto done;
		done = json_object_get(page, "done");
		if (!json_is_array(json_object_get(page, "records")) ||
		    !json_is_boolean(done)) {
			error =
			    ferry_error_set(FERRY_EINVALID,
			                    "Salesforce's answer to GET %.200s "
			                    "is not a query result (no "
			                    "records or done)",
			                    path.ptr);
			goto done;
		}
		if (first && total_out) {
			const json_t *t = json_object_get(page, "totalSize");

			*total_out = json_is_integer(t)
			                 ? (int64_t)json_integer_value(t)
			                 : -1;
		}
		first = false;
		if ((error = page_cb(page, payload)) != 0) {
			if (error > 0) /* the caller has what it needs */
				error = 0;
			goto done;
		}
		if (json_is_true(done))
			break;
		next = json_object_get(page, "nextRecordsUrl");
		if (!json_is_string(next) ||
		    !ferry_str_starts_with(json_string_value(next),
		                           "/services/") ||
		    !strcmp(json_string_value(next), path.ptr)) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "Salesforce's answer to GET %.200s says more "
			    "records "
			    "follow but gives no usable nextRecordsUrl",
			    path.ptr);
			goto done;
		}
		ferry_buf_clear(&path);
		if ((error = ferry_buf_puts(&path, json_string_value(next))) <
		    0)
			goto done;
		json_decref(page);
		page = NULL;
		ferry_sf__progress(r, false);
	}
done:
	json_decref(page);
	ferry_buf_release(&path);
	return error;
}

/* "2024-01-15T18:25:32.000+0000" (REST) as "2024-01-15T18:25:32.000Z"
 * (Bulk CSV): one form in staging whichever path read the record. */
static bool rest_datetime(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i, n = sizeof(shape) - 1;

	if (len < n + 5 || len > n + 15 || strcmp(s + len - 5, "+0000") != 0)
		return false;
	for (i = 0; i < len - 5; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';

		if (i < n ? (shape[i] == 'd' ? !digit : s[i] != shape[i])
		          : (i == n ? s[i] != '.' : !digit))
			return false;
	}
	return len - 5 != n + 1; /* a '.' with no digits after it */
}

/* The text of a JSON scalar as a Bulk CSV cell would hold it; NULL for
 * what is not a scalar (a nested parent or a compound value). */
static json_t *scalar_text(const json_t *v)
{
	char num[64];
	int prec;

	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);

		if (rest_datetime(s, len)) {
			snprintf(num, sizeof(num), "%.*sZ", (int)(len - 5), s);
			return json_string(num);
		}
		return json_stringn(s, len);
	}
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld",
		         (long long)json_integer_value(v));
		return json_string(num);
	case JSON_REAL:
		/* The shortest text that reads back as the same double. */
		for (prec = 15; prec <= 17; prec++) {
			double back;

			snprintf(num, sizeof(num), "%.*g", prec,
			         json_real_value(v));
			if (ferry_parse_double(num, &back) == 0 &&
			    back == json_real_value(v))
				break;
		}
		return json_string(num);
	case JSON_TRUE:
		return json_string("true");
	case JSON_FALSE:
		return json_string("false");
	case JSON_NULL:
		return json_string("");
	default:
		return NULL;
	}
}

int ferry_sf__flatten(json_t *rec, const char *object, int64_t n, char id[19],
                      json_t **out)
{
	const json_t *idv = json_object_get(rec, "Id");
	const char *key;
	json_t *fields, *t, *v;

	if (!json_is_string(idv) ||
	    ferry_sf_id18(id, json_string_value(idv)) < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "record %" PRId64 " of %s in a REST "
		                       "query answer has no valid Id",
		                       n, object);
	fields = json_object();
	json_object_foreach(rec, key, v)
	{
		if (!strcmp(key, "attributes") || !(t = scalar_text(v)))
			continue;
		json_object_set_new(fields, key, t);
	}
	*out = fields;
	return 0;
}

int ferry_sf__stage_json(struct ferry_sf__sink *s, json_t *rec)
{
	json_t *fields = NULL;
	char id[19];
	int error;

	if ((error = ferry_sf__flatten(rec, s->object, s->staged + 1, id,
	                               &fields)) < 0)
		goto done;
	if ((error = ferry_stage_add(s->st, id, s->staged + 1, fields)) < 0)
		goto done;
	s->staged++;
done:
	json_decref(fields);
	return error;
}

struct stage_ctx {
	struct ferry_sf__run *r;
	struct ferry_sf__sink *s;
};

static int stage_page(json_t *page, void *payload)
{
	struct stage_ctx *c = payload;
	json_t *rec;
	size_t i;
	int error;

	json_array_foreach(json_object_get(page, "records"), i, rec)
	{
		if (!json_is_object(rec))
			return ferry_error_set(
			    FERRY_EINVALID,
			    "a REST query answer for %s holds "
			    "a record that is not an object",
			    c->s->object);
		if ((error = ferry_sf__stage_json(c->s, rec)) < 0)
			return error;
	}
	c->r->rep.staged = c->s->staged;
	return 0;
}

static const char *resource(const struct ferry_sf__run *r)
{
	return r->all ? "/queryAll" : "/query";
}

int ferry_sf__rest_extract(struct ferry_sf__run *r, const char *object,
                           const char *soql, int64_t *staged_out,
                           int64_t *total_out)
{
	struct ferry_sf__sink s;
	struct stage_ctx c = {r, &s};
	int64_t total = -1, count = 0;
	int error;

	memset(&s, 0, sizeof(s));
	s.object = object;
	snprintf(r->rep.method, sizeof(r->rep.method), "rest");
	if ((error = ferry_stage_begin(&s.st, r->ws, object,
	                               r->all ? "salesforce REST queryAll"
	                                      : "salesforce REST query")) < 0)
		goto done;
	if ((error = ferry_sf__rest_query(r, resource(r), soql, stage_page, &c,
	                                  &total)) < 0) {
		ferry_error_wrap(error, "%s (nothing of it was staged)",
		                 object);
		goto done;
	}
	error = ferry_stage_commit(s.st, &count);
	s.st = NULL;
	if (error < 0)
		goto done;
	*staged_out = count;
	*total_out = total;
done:
	ferry_sf__sink_release(&s);
	return error;
}

struct links_ctx {
	struct ferry_sf__run *r;
	struct ferry_sf__sink *s;
	const char *select_list, *filter_field;
	struct ferry_buf ids; /* 'id1','id2',... */
	int n;
	int64_t total;
};

static int flush_links(struct links_ctx *c)
{
	struct stage_ctx sc = {c->r, c->s};
	char *soql;
	int64_t t = 0;
	int error;

	if (c->n == 0)
		return 0;
	soql = ferry_xasprintf("SELECT %s FROM ContentDocumentLink WHERE %s "
	                       "IN (%s)",
	                       c->select_list, c->filter_field, c->ids.ptr);
	error = ferry_sf__rest_query(c->r, resource(c->r), soql, stage_page,
	                             &sc, &t);
	free(soql);
	if (error < 0)
		return error;
	c->total += t > 0 ? t : 0;
	ferry_buf_clear(&c->ids);
	c->n = 0;
	return 0;
}

static int on_parent(const char *source_id, int64_t line, json_t *fields,
                     void *payload)
{
	struct links_ctx *c = payload;
	char id[19];
	int error;

	FERRY_UNUSED(line);
	FERRY_UNUSED(fields);
	/* Staged ids are Salesforce's, but they go into SOQL: check. */
	if (ferry_sf_id18(id, source_id) < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "the staged id '%.40s' is not a "
		                       "Salesforce id",
		                       source_id);
	if ((error = ferry_buf_printf(&c->ids, "%s'%s'", c->n ? "," : "", id)) <
	    0)
		return error;
	if (++c->n >= LINK_CHUNK)
		return flush_links(c);
	return 0;
}

int ferry_sf__rest_extract_links(struct ferry_sf__run *r,
                                 const char *select_list,
                                 const char *filter_field,
                                 const char *const *parents, size_t n_parents,
                                 int64_t *staged_out, int64_t *total_out)
{
	struct ferry_sf__sink s;
	struct links_ctx c;
	int64_t count = 0;
	size_t i;
	int error;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	s.object = "ContentDocumentLink";
	c.r = r;
	c.s = &s;
	c.select_list = select_list;
	c.filter_field = filter_field;
	snprintf(r->rep.method, sizeof(r->rep.method), "rest");
	if ((error = ferry_stage_begin(&s.st, r->ws, s.object,
	                               "salesforce REST query by id")) < 0)
		goto done;
	for (i = 0; i < n_parents; i++) {
		if ((error = ferry_stage_foreach_record(r->ws, parents[i],
		                                        on_parent, &c)) < 0 ||
		    (error = flush_links(&c)) < 0) {
			ferry_error_wrap(error,
			                 "ContentDocumentLink of the staged %s "
			                 "(nothing of it was staged)",
			                 parents[i]);
			goto done;
		}
	}
	error = ferry_stage_commit(s.st, &count);
	s.st = NULL;
	if (error < 0)
		goto done;
	*staged_out = count;
	*total_out = c.total;
done:
	ferry_buf_release(&c.ids);
	ferry_sf__sink_release(&s);
	return error;
}
