/* attio_query.c: the query body shared by records and list entries
 * ({filter?, sorts?, limit?, offset?}, reference §5.4): filter, then sort
 * (by attribute and field, stable, creation order otherwise), then offset
 * and limit; and the paging arguments of the GET list endpoints. */
#include "util.h"

#include <strings.h>

#include "attio_sandbox.h"
#include "server.h"

struct sort_spec {
	const struct attio_attr *attr;
	const char *field;
	bool desc, numeric;
};

struct row {
	size_t seq;
	struct attio_record rec;
	char **keys; /* one per spec; NULL: no value */
	const struct sort_spec *specs;
	size_t n_specs;
};

int attio_body_count(json_t *body, const char *key, long long dflt,
                     long long *out, struct attio_err *e)
{
	json_t *v = json_object_get(body, key);

	*out = dflt;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return attio_err_set(e, 400, "validation_type",
		                     "\"%s\" must be a non-negative number.",
		                     key);
	/* clamp: converting a double beyond long long's range is undefined
	 * (a limit or offset of 1e300 means "all" or "none") */
	*out = json_number_value(v) >= 1e18 ? (long long)1e18
	                                    : (long long)json_number_value(v);
	return 0;
}

int attio_query_count(const struct attio_req *rq, const char *key,
                      long long dflt, long long max, long long *out,
                      struct attio_err *e)
{
	char *s = sandbox_query_arg(rq->query, key);
	int64_t v = dflt;
	int rc = 0;

	if (s && (ferry_parse_i64(s, &v) < 0 || v < 0 || (max && v > max)))
		rc = max ? attio_err_set(
		               e, 400, "validation_type",
		               "Query parameter \"%s\" must be a whole "
		               "number from 0 to %lld, not \"%s\".",
		               key, max, s)
		         : attio_err_set(
		               e, 400, "validation_type",
		               "Query parameter \"%s\" must be a "
		               "non-negative whole number, not \"%s\".",
		               key, s);
	free(s);
	*out = v;
	return rc;
}

static int parse_sorts(struct attio_object *o, json_t *sorts,
                       struct sort_spec **out, size_t *n, struct attio_err *e)
{
	json_t *s;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!sorts || json_is_null(sorts))
		return 0;
	if (!json_is_array(sorts))
		return attio_err_set(e, 400, "validation_type",
		                     "\"sorts\" must be an array.");
	*out = ferry_xcalloc(json_array_size(sorts) + 1, sizeof(**out));
	json_array_foreach(sorts, i, s)
	{
		const char *dir =
		    json_string_value(json_object_get(s, "direction"));
		const char *attr =
		    json_string_value(json_object_get(s, "attribute"));
		const char *field =
		    json_string_value(json_object_get(s, "field"));
		struct sort_spec *sp = &(*out)[(*n)++];

		if (!dir || (strcmp(dir, "asc") && strcmp(dir, "desc")))
			return attio_err_set(
			    e, 400, "validation_type",
			    "Sort %zu needs a \"direction\" of "
			    "\"asc\" or \"desc\".",
			    i);
		if (json_object_get(s, "path"))
			return attio_err_set(e, 400, "validation_type",
			                     "Sort %zu: sorting by \"path\" is "
			                     "not supported by the sandbox.",
			                     i);
		if (!attr || !(sp->attr = attio_attr_find(o, attr)))
			return attio_err_set(e, 400, "validation_type",
			                     "Sort %zu: no attribute \"%s\" on "
			                     "\"%s\".",
			                     i, attr ? attr : "(none)",
			                     o->slug);
		sp->field = field ? attio_field_check(sp->attr, field)
		                  : attio_field_default(sp->attr);
		if (!sp->field)
			return attio_err_set(
			    e, 400, "validation_type",
			    "Sort %zu: attribute \"%s\" cannot "
			    "be sorted by \"%s\".",
			    i, attr, field ? field : "value");
		sp->desc = !strcmp(dir, "desc");
		sp->numeric = attio_field_numeric(sp->attr, sp->field);
	}
	return 0;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	size_t i;

	for (i = 0; i < a->n_specs; i++) {
		const char *x = a->keys[i], *y = b->keys[i];
		int c;

		if (!x || !y) {
			/* no value: after the rest, either direction */
			if (x || y)
				return x ? -1 : 1;
			continue;
		}
		if (a->specs[i].numeric) {
			double dx = 0, dy = 0;

			(void)ferry_parse_double(x, &dx);
			(void)ferry_parse_double(y, &dy);
			c = dx < dy ? -1 : dx > dy;
		} else {
			c = strcasecmp(x, y);
			if (c == 0)
				c = strcmp(x, y);
		}
		if (c)
			return a->specs[i].desc ? -c : c;
	}
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void row_keys(struct row *r, const struct sort_spec *specs, size_t n)
{
	size_t i;

	r->specs = specs;
	r->n_specs = n;
	r->keys = ferry_xcalloc(n + 1, sizeof(*r->keys));
	for (i = 0; i < n; i++) {
		json_t *first = json_array_get(
		    json_object_get(r->rec.values, specs[i].attr->slug), 0);
		char buf[64];
		const char *t = first ? attio_field_text(specs[i].attr, first,
		                                         specs[i].field, buf)
		                      : NULL;

		r->keys[i] = t ? ferry_xstrdup(t) : NULL;
	}
}

int attio_query_run(struct attio_sb *sb, struct attio_object *o, json_t *body,
                    json_t *(*render)(struct attio_sb *,
                                      const struct attio_record *),
                    json_t **out, struct attio_err *e)
{
	struct sort_spec *specs = NULL;
	struct row *rows = NULL;
	size_t n_specs = 0, n_rows = 0, i, j;
	json_t *filter, *ids = NULL, *data = NULL, *idv;
	long long limit, offset;
	int rc = -1;

	if (body && !json_is_object(body))
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: expected "
		                     "an object.");
	filter = json_object_get(body, "filter");
	if (attio_body_count(body, "limit", 500, &limit, e) < 0 ||
	    attio_body_count(body, "offset", 0, &offset, e) < 0 ||
	    (filter && !json_is_null(filter) &&
	     attio_filter_check(o, filter, e) < 0) ||
	    parse_sorts(o, json_object_get(body, "sorts"), &specs, &n_specs,
	                e) < 0)
		goto done;
	if (json_is_null(filter))
		filter = NULL;
	ids = attio_store_record_ids(sb, o);
	rows = ferry_xcalloc(json_array_size(ids) + 1, sizeof(*rows));
	json_array_foreach(ids, i, idv)
	{
		struct row *r = &rows[n_rows];

		if (attio_store_record_get(sb, o, json_string_value(idv),
		                           &r->rec) < 0)
			continue;
		if (filter && !attio_filter_match(o, filter, &r->rec)) {
			attio_record_release(&r->rec);
			continue;
		}
		r->seq = i;
		row_keys(r, specs, n_specs);
		n_rows++;
	}
	if (n_specs)
		qsort(rows, n_rows, sizeof(*rows), cmp_rows);
	data = json_array();
	for (i = (size_t)(offset < (long long)n_rows ? offset
	                                             : (long long)n_rows);
	     i < n_rows && (long long)json_array_size(data) < limit; i++)
		json_array_append_new(data, render(sb, &rows[i].rec));
	*out = json_pack("{s:O}", "data", data);
	rc = 0;
done:
	for (i = 0; i < n_rows; i++) {
		for (j = 0; j < n_specs; j++)
			free(rows[i].keys[j]);
		free(rows[i].keys);
		attio_record_release(&rows[i].rec);
	}
	free(rows);
	free(specs);
	json_decref(ids);
	json_decref(data);
	return rc;
}
