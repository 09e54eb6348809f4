/* sf_rest.c: the Salesforce stand-in's SOQL over REST: query and
 * queryAll pages with nextRecordsUrl cursors, COUNT() and COUNT(Id), the
 * Tooling query envelope, and records rendered the way REST gives them
 * (typed JSON values, parent paths nested as objects with attributes). */
#include "util.h"

#include <ctype.h>
#include <strings.h>

#include "sf_http.h"

#define MAX_CURSORS 1000
#define MAX_DEPTH   5

/* One selected column: its canonical segments ("Account", "Name"). */
struct col {
	char *seg[MAX_DEPTH + 1];
	int depth; /* relationship hops */
	enum sf_ftype type;
};

struct render {
	struct sf_sb *sb;
	const struct sf_query *q;
	const struct sf_object *obj;
	const char *version;
	bool tooling;
	struct col *cols;
	size_t n_cols;
	bool need_base;
	struct sf_record base, hop[MAX_DEPTH];
};

void sf_cursor_free(struct sf_cursor *c)
{
	if (!c)
		return;
	sf_query_free(c->q);
	free(c->starts);
	free(c);
}

/* --- column plans --- */

static const struct sf_field *rel_field(const struct sf_object *o,
                                        const char *rel)
{
	size_t i;

	for (i = 0; o && i < o->n_fields; i++)
		if (o->fields[i].relationship &&
		    ferry_str_iequal(o->fields[i].relationship, rel))
			return &o->fields[i];
	return NULL;
}

/* Splits a column as written into canonical names, following the
 * first target of each relationship (polymorphic ones resolve per
 * record when rendering). */
static void plan_col(struct sf_sb *sb, const struct sf_object *o,
                     const char *written, enum sf_ftype type, struct col *c)
{
	const char *p = written;
	long fi;

	memset(c, 0, sizeof(*c));
	c->type = type;
	while (strchr(p, '.') && c->depth < MAX_DEPTH) {
		size_t n = strcspn(p, ".");
		char *seg = ferry_xstrndup(p, n);
		const struct sf_field *f = rel_field(o, seg);

		if (f) {
			free(seg);
			seg = ferry_xstrdup(f->relationship);
			o = f->refs && f->refs[0]
			        ? sf_org_object(sb->org, f->refs[0])
			        : NULL;
		} else {
			o = NULL;
		}
		c->seg[c->depth++] = seg;
		p += n + 1;
	}
	fi = o ? sf_object_field(o, p) : -1;
	c->seg[c->depth] = ferry_xstrdup(fi >= 0 ? o->fields[fi].name : p);
}

static void render_init(struct render *r, struct sf_sb *sb,
                        const struct sf_query *q, const char *version,
                        bool tooling)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->sb = sb;
	r->q = q;
	r->obj = sf_query_object(q);
	r->version = version;
	r->tooling = tooling;
	r->n_cols = sf_query_n_columns(q);
	r->cols = ferry_xcalloc(r->n_cols ? r->n_cols : 1, sizeof(*r->cols));
	for (i = 0; i < r->n_cols; i++) {
		plan_col(sb, r->obj, sf_query_column(q, i),
		         sf_query_column_type(q, i), &r->cols[i]);
		if (r->cols[i].depth > 0)
			r->need_base = true;
	}
	sf_record_init(&r->base);
	for (i = 0; i < MAX_DEPTH; i++)
		sf_record_init(&r->hop[i]);
}

static void render_release(struct render *r)
{
	size_t i;
	int d;

	for (i = 0; i < r->n_cols; i++)
		for (d = 0; d <= r->cols[i].depth; d++)
			free(r->cols[i].seg[d]);
	free(r->cols);
	sf_record_release(&r->base);
	for (d = 0; d < MAX_DEPTH; d++)
		sf_record_release(&r->hop[d]);
}

/* --- values --- */

static json_t *typed(const char *v, enum sf_ftype t)
{
	int64_t i;
	double d;
	size_t n;
	char buf[40];

	if (!v)
		return json_null();
	switch (t) {
	case SF_BOOLEAN:
		return json_boolean(!strcmp(v, "true"));
	case SF_INT:
	case SF_DOUBLE:
	case SF_CURRENCY:
	case SF_PERCENT:
		if (ferry_parse_i64(v, &i) == 0)
			return json_integer(i);
		if (ferry_parse_double(v, &d) == 0)
			return json_real(d);
		break;
	case SF_DATETIME:
		/* Bulk's "…:32.000Z" is REST's "…:32.000+0000" */
		n = strlen(v);
		if (n >= 20 && n < 30 && v[n - 1] == 'Z') {
			snprintf(buf, sizeof(buf), "%.*s%s+0000", (int)(n - 1),
			         v, n == 20 ? ".000" : "");
			return json_string(buf);
		}
		break;
	case SF_ADDRESS: {
		json_t *obj = json_loads(v, 0, NULL);

		if (obj)
			return obj;
		break;
	}
	default:
		break;
	}
	return sf_json_str(v);
}

static json_t *attributes(struct render *r, const struct sf_object *o,
                          const char *id)
{
	char *url =
	    ferry_xasprintf("/services/data/v%s/%ssobjects/%s/%s", r->version,
	                    r->tooling ? "tooling/" : "", o->name, id);
	json_t *a = json_pack("{s:s,s:s}", "type", o->name, "url", url);

	free(url);
	return a;
}

/* Sets the value of a dot-path column, nesting parents as objects (or
 * null when the reference is empty or names no record). */
static void put_path(struct render *r, json_t *rec, const struct col *c,
                     const char *leaf)
{
	const struct sf_object *o = r->obj, *po;
	const char *const *vals = r->base.values;
	json_t *container = rec, *have;
	int64_t pidx;
	int h;

	for (h = 0; h < c->depth; h++) {
		const struct sf_field *f = rel_field(o, c->seg[h]);
		const char *id = f ? vals[f - o->fields] : NULL;

		have = json_object_get(container, c->seg[h]);
		if (json_is_null(have))
			return;
		if (!id || sf_org_lookup_id(r->sb->org, id, &po, &pidx) < 0) {
			json_object_set_new(container, c->seg[h], json_null());
			return;
		}
		if (!json_is_object(have)) {
			have = json_pack("{s:o}", "attributes",
			                 attributes(r, po, id));
			json_object_set_new(container, c->seg[h], have);
		}
		container = have;
		if (h + 1 < c->depth) {
			if (sf_org_record(r->sb->org, po, pidx, &r->hop[h]) <
			    0) {
				json_object_set_new(container, c->seg[h + 1],
				                    json_null());
				return;
			}
			o = po;
			vals = r->hop[h].values;
		}
	}
	json_object_set_new(container, c->seg[c->depth], typed(leaf, c->type));
}

/* The JSON of the record at raw index `index` whose columns are `row`. */
static json_t *render_row(struct render *r, int64_t index, const char **row)
{
	json_t *rec = json_object();
	char id[19] = "";
	size_t i;

	if (r->obj->key_prefix)
		sf_org_record_id(r->obj, index, id);
	json_object_set_new(rec, "attributes", attributes(r, r->obj, id));
	if (r->need_base &&
	    sf_org_record(r->sb->org, r->obj, index, &r->base) < 0)
		r->need_base = false; /* cannot happen for a matched index */
	for (i = 0; i < r->n_cols; i++) {
		const struct col *c = &r->cols[i];

		if (c->depth > 0 && r->need_base) {
			put_path(r, rec, c, row[i]);
		} else if (c->type == SF_BASE64 && row[i]) {
			/* REST gives a blob's URL, never its bytes */
			char *url = ferry_xasprintf(
			    "/services/data/v%s/sobjects/%s/%s/%s", r->version,
			    r->obj->name, id, c->seg[c->depth]);

			json_object_set_new(rec, c->seg[c->depth],
			                    json_string(url));
			free(url);
		} else {
			json_object_set_new(rec, c->seg[c->depth],
			                    typed(row[i], c->type));
		}
	}
	return rec;
}

/* --- the ContentDocumentLink restriction --- */

/* Whether the WHERE clause filters ContentDocumentId or LinkedEntityId
 * with = or IN (a lexical check: strings are skipped). */
static bool cdl_filtered(const char *soql)
{
	const char *p = soql;
	bool in_where = false, want = false;

	while (*p) {
		if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
			want = false;
		} else if (isalnum((unsigned char)*p) || *p == '_') {
			size_t n =
			    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEF"
			              "GHIJKLMNOPQRSTUVWXYZ0123456789_.");

			if (n == 5 && !strncasecmp(p, "WHERE", 5))
				in_where = true;
			else if (want && n == 2 && !strncasecmp(p, "IN", 2))
				return true;
			want = in_where &&
			       ((n == 17 &&
			         !strncasecmp(p, "ContentDocumentId", 17)) ||
			        (n == 14 &&
			         !strncasecmp(p, "LinkedEntityId", 14)));
			p += n;
		} else if (*p == '=' && want) {
			return true;
		} else {
			if (!isspace((unsigned char)*p))
				want = false;
			p++;
		}
	}
	return false;
}

/* --- cursors and pages --- */

static struct sf_cursor *cursor_new(struct sf_sb *sb)
{
	struct sf_cursor *c = ferry_xcalloc(1, sizeof(*c));
	size_t i, oldest = 0;

	if (sb->n_cursors >= MAX_CURSORS) {
		/* like Salesforce's cap on open cursors: the least recently
		 * used goes, and its locators become invalid */
		for (i = 1; i < sb->n_cursors; i++)
			if (sb->cursors[i]->used < sb->cursors[oldest]->used)
				oldest = i;
		sf_cursor_free(sb->cursors[oldest]);
		sb->cursors[oldest] = sb->cursors[--sb->n_cursors];
	}
	sb->cursors = ferry_xrealloc(sb->cursors, (sb->n_cursors + 1) *
	                                              sizeof(*sb->cursors));
	sb->cursors[sb->n_cursors++] = c;
	sf_make_id(c->id, "01g", ++sb->next_id);
	c->used = sb->clock;
	return c;
}

static void remember_start(struct sf_cursor *c, struct sf_pos p)
{
	size_t i;

	for (i = 0; i < c->n_starts; i++)
		if (c->starts[i].row == p.row)
			return;
	c->starts =
	    ferry_xrealloc(c->starts, (c->n_starts + 1) * sizeof(*c->starts));
	c->starts[c->n_starts++] = p;
}

/* One page from `start`: the body with its records, cursor kept. */
static int page(struct sf_sb *sb, struct sf_cursor *c, struct sf_pos start,
                const char *version, struct sf_reply *out)
{
	struct render r;
	struct sf_record scratch;
	const char **row;
	int64_t want = c->total - start.row, got = 0, pos = start.raw;
	json_t *recs = json_array();
	char *next = NULL, *loc = NULL;
	bool done;

	if (want > sb->opts->page_size)
		want = sb->opts->page_size;
	render_init(&r, sb, c->q, version, c->tooling);
	sf_record_init(&scratch);
	row = ferry_xcalloc(r.n_cols ? r.n_cols : 1, sizeof(*row));
	while (got < want &&
	       sf_query_next(c->q, c->all, &pos, &scratch, row) == 1) {
		json_array_append_new(recs, render_row(&r, pos - 1, row));
		got++;
	}
	done = got < want || start.row + got >= c->total;
	if (!done) {
		struct sf_pos np = {start.row + got, pos};

		remember_start(c, np);
		loc = ferry_xasprintf("%s-%lld", c->id, (long long)np.row);
		next = ferry_xasprintf("/services/data/v%s/%s%s/%s", version,
		                       c->tooling ? "tooling/" : "",
		                       c->all ? "queryAll" : "query", loc);
	}
	if (c->tooling)
		out->json = json_pack(
		    "{s:I,s:I,s:b,s:s?,s:s?,s:s,s:o}", "size", (json_int_t)got,
		    "totalSize", (json_int_t)c->total, "done", done,
		    "queryLocator", loc, "nextRecordsUrl", next,
		    "entityTypeName", r.obj->name, "records", recs);
	else if (next)
		out->json = json_pack("{s:I,s:b,s:s,s:o}", "totalSize",
		                      (json_int_t)c->total, "done", done,
		                      "nextRecordsUrl", next, "records", recs);
	else
		out->json = json_pack("{s:I,s:b,s:o}", "totalSize",
		                      (json_int_t)c->total, "done", done,
		                      "records", recs);
	free(row);
	free(next);
	free(loc);
	sf_record_release(&scratch);
	render_release(&r);
	return 0;
}

/* SELECT COUNT() and COUNT(Id): one answer, no cursor. */
static void count_answer(struct sf_sb *sb, struct sf_query *q, bool all,
                         bool tooling, struct sf_reply *out)
{
	const struct sf_object *o = sf_query_object(q);
	int64_t n = sf_query_count(q, all) + sf_count_skew(sb, o->name);
	bool expr = sf_query_is_count_expr(q);
	json_t *recs = json_array();

	if (n < 0)
		n = 0;
	if (expr)
		json_array_append_new(
		    recs, json_pack("{s:{s:s},s:I}", "attributes", "type",
		                    "AggregateResult", "expr0", (json_int_t)n));
	if (tooling)
		out->json = json_pack("{s:I,s:I,s:b,s:n,s:s,s:o}", "size",
		                      (json_int_t)(expr ? 1 : 0), "totalSize",
		                      (json_int_t)(expr ? 1 : n), "done", 1,
		                      "queryLocator", "entityTypeName",
		                      expr ? "AggregateResult" : o->name,
		                      "records", recs);
	else
		out->json = json_pack("{s:I,s:b,s:o}", "totalSize",
		                      (json_int_t)(expr ? 1 : n), "done", 1,
		                      "records", recs);
}

static int start_query(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e, bool all,
                       bool tooling)
{
	char *soql = sf_req_arg(rq, "q");
	struct sf_query *q = NULL;
	struct sf_cursor *c;
	struct sf_pos zero = {0, 0};
	int rc = -1;

	if (!soql || !*ferry_str_trim(soql)) {
		sf_err_set(e, 400, "MALFORMED_QUERY",
		           "A query string has to be specified");
		goto done;
	}
	if (sf_query_parse(&q, sb->org, soql, tooling, e) < 0) {
		q = NULL;
		goto done;
	}
	if (!strcmp(sf_query_object(q)->name, "ContentDocumentLink") &&
	    !cdl_filtered(soql)) {
		sf_err_set(e, 400, "MALFORMED_QUERY",
		           "Implementation restriction: ContentDocumentLink "
		           "requires a filter by a single Id on "
		           "ContentDocumentId or LinkedEntityId using the "
		           "equals operator or multiple Id's using the IN "
		           "operator.");
		goto done;
	}
	if (sf_query_is_count(q) || sf_query_is_count_expr(q)) {
		count_answer(sb, q, all, tooling, out);
		rc = 0;
		goto done;
	}
	c = cursor_new(sb);
	c->q = q;
	q = NULL;
	c->all = all;
	c->tooling = tooling;
	c->total = sf_query_count(c->q, all);
	remember_start(c, zero);
	rc = page(sb, c, zero, rq->version, out);
done:
	sf_query_free(q);
	free(soql);
	return rc;
}

int sf_h_query(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
               struct sf_err *e)
{
	return start_query(sb, rq, out, e, false, false);
}

int sf_h_query_all(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                   struct sf_err *e)
{
	return start_query(sb, rq, out, e, true, false);
}

int sf_h_tooling_query(struct sf_sb *sb, struct sf_req *rq,
                       struct sf_reply *out, struct sf_err *e)
{
	return start_query(sb, rq, out, e, false, true);
}

/* "01g…-2000": the cursor and where the page starts. */
static int locate(struct sf_sb *sb, const char *loc, bool tooling,
                  struct sf_cursor **cur, struct sf_pos *start,
                  struct sf_err *e)
{
	const char *dash = strrchr(loc, '-');
	struct sf_cursor *c = NULL;
	struct sf_pos best = {-1, -1};
	struct sf_record scratch;
	const char **row;
	int64_t off;
	size_t i;

	for (i = 0; dash && i < sb->n_cursors; i++)
		if ((size_t)(dash - loc) == strlen(sb->cursors[i]->id) &&
		    !strncmp(loc, sb->cursors[i]->id, (size_t)(dash - loc)))
			c = sb->cursors[i];
	if (!c || c->tooling != tooling ||
	    ferry_parse_i64(dash + 1, &off) < 0 || off < 0 || off > c->total)
		return sf_err_set(e, 400, "INVALID_QUERY_LOCATOR",
		                  "invalid query locator");
	c->used = sb->clock;
	for (i = 0; i < c->n_starts; i++)
		if (c->starts[i].row <= off && c->starts[i].row > best.row)
			best = c->starts[i];
	/* a locator nobody was given: walk there from the closest page */
	sf_record_init(&scratch);
	row = ferry_xcalloc(sf_query_n_columns(c->q) + 1, sizeof(*row));
	while (best.row < off &&
	       sf_query_next(c->q, c->all, &best.raw, &scratch, row) == 1)
		best.row++;
	free(row);
	sf_record_release(&scratch);
	*cur = c;
	*start = best;
	return 0;
}

int sf_h_query_more(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e)
{
	struct sf_cursor *c;
	struct sf_pos start;

	if (locate(sb, rq->params[0], false, &c, &start, e) < 0)
		return -1;
	return page(sb, c, start, rq->version, out);
}

int sf_h_tooling_query_more(struct sf_sb *sb, struct sf_req *rq,
                            struct sf_reply *out, struct sf_err *e)
{
	struct sf_cursor *c;
	struct sf_pos start;

	if (locate(sb, rq->params[0], true, &c, &start, e) < 0)
		return -1;
	return page(sb, c, start, rq->version, out);
}
