/* sf_soql.c: the SOQL subset of sf_sandbox.h, parsed into columns and a
 * condition tree against the org's objects. Like Salesforce it refuses
 * mixing AND and OR without parentheses, string literals on number
 * fields, quotes around datetimes and filters on long text; field paths
 * become "hops" through reference fields, shared by every column and
 * condition that goes through the same parent. ORDER BY is checked and
 * then ignored: rows always come in Id order (sf_soql_run.c). */
#include "util.h"

#include <strings.h>

#include "sf_soql_int.h"

#define MAX_HOPS  5  /* Salesforce allows five levels of parents */
#define MAX_DEPTH 64 /* nested parentheses */

/* --- field references --- */

static const char *const name_entity[] = {
    "Id",    "Name",  "Type",  "FirstName", "LastName", "Email",
    "Phone", "Title", "Alias", "IsActive",  "Username", NULL};

static int add_hop(struct sf_query *q, int parent, int field,
                   const struct sf_object *obj)
{
	struct qstate *st = q->st;
	size_t i;

	for (i = 0; i < st->n_hops; i++)
		if (st->hops[i].parent == parent && st->hops[i].field == field)
			return (int)i;
	st->hops =
	    ferry_xrealloc(st->hops, (st->n_hops + 1) * sizeof(*st->hops));
	memset(&st->hops[st->n_hops], 0, sizeof(*st->hops));
	st->hops[st->n_hops].parent = parent;
	st->hops[st->n_hops].field = field;
	st->hops[st->n_hops].obj = obj;
	sf_record_init(&st->hops[st->n_hops].rec);
	return (int)st->n_hops++;
}

/* The reference field of o whose relationshipName is rel. */
static long rel_field(const struct sf_object *o, const char *rel, size_t n)
{
	size_t i;

	for (i = 0; i < o->n_fields; i++) {
		const char *r = o->fields[i].relationship;

		if (r && strlen(r) == n && !strncasecmp(r, rel, n))
			return (long)i;
	}
	return -1;
}

static int no_column(struct parser *ps, const char *at, size_t n,
                     const char *entity)
{
	return sf_soql_fail(
	    ps, at, "INVALID_FIELD",
	    "No such column '%.*s' on entity '%s'. If you are "
	    "attempting to use a custom field, be sure to append "
	    "the '__c' after the custom field name. Please "
	    "reference your WSDL or the describe call for the "
	    "appropriate names.",
	    (int)(n > 80 ? 80 : n), at, entity);
}

/* Resolves the field path at tok (e.g. "Account.Owner.Email"). */
static int resolve(struct parser *ps, const struct tok *tok, struct fref *out)
{
	struct sf_query *q = ps->q;
	const struct sf_object *o = q->obj;
	const char *s = tok->s, *end = tok->s + tok->n, *dot;
	int hop = -1, hops = 0;
	long f;

	memset(out, 0, sizeof(*out));
	out->last_idx = -1;
	/* "Account.Name" in a query FROM Account names its own field */
	dot = memchr(s, '.', (size_t)(end - s));
	if (dot && (size_t)(dot - s) == strlen(o->name) &&
	    !strncasecmp(s, o->name, (size_t)(dot - s)) &&
	    rel_field(o, s, (size_t)(dot - s)) < 0)
		s = dot + 1;
	while ((dot = memchr(s, '.', (size_t)(end - s))) != NULL) {
		const struct sf_field *fd;
		const struct sf_object *to = NULL;

		f = rel_field(o, s, (size_t)(dot - s));
		if (f < 0 || ++hops > MAX_HOPS)
			return sf_soql_fail(
			    ps, s, "INVALID_FIELD",
			    "Didn't understand relationship '%.*s' "
			    "in field path. If you are attempting to "
			    "use a custom relationship, be sure to "
			    "append the '__r' after the custom "
			    "relationship name. Please reference your "
			    "WSDL or the describe call for the "
			    "appropriate names.",
			    (int)(dot - s > 80 ? 80 : dot - s), s);
		fd = &o->fields[f];
		if (fd->refs && fd->refs[0] && !fd->refs[1]) {
			/* ContentNote ids are ContentDocument ids */
			to = sf_org_object(
			    q->org, strcmp(fd->refs[0], "ContentDocument")
			                ? fd->refs[0]
			                : "ContentNote");
			if (!to)
				return no_column(ps, dot + 1,
				                 (size_t)(end - dot - 1),
				                 fd->refs[0]);
		}
		hop = add_hop(q, hop, (int)f, to);
		s = dot + 1;
		if (!to) {
			/* polymorphic: only the Name entity's fields, and
			 * no further */
			size_t i, n = (size_t)(end - s);

			if (memchr(s, '.', n))
				return sf_soql_fail(
				    ps, s, "INVALID_FIELD",
				    "Didn't understand relationship "
				    "'%.*s' in field path.",
				    (int)(n > 80 ? 80 : n), s);
			for (i = 0; name_entity[i]; i++)
				if (strlen(name_entity[i]) == n &&
				    !strncasecmp(name_entity[i], s, n))
					break;
			if (!name_entity[i])
				return no_column(ps, s, n, "Name");
			out->hop = hop;
			out->leaf = name_entity[i];
			out->poly = !strcmp(out->leaf, "Type")   ? P_TYPE
			            : !strcmp(out->leaf, "Name") ? P_NAME
			                                         : P_FIELD;
			out->type = !strcmp(out->leaf, "IsActive") ? SF_BOOLEAN
			            : !strcmp(out->leaf, "Id")     ? SF_ID
			                                           : SF_STRING;
			return 0;
		}
		o = to;
	}
	{
		char *name = ferry_xstrndup(s, (size_t)(end - s));

		f = sf_object_field(o, name);
		free(name);
	}
	if (f < 0)
		return no_column(ps, s, (size_t)(end - s), o->name);
	out->hop = hop;
	out->field = (int)f;
	out->fd = &o->fields[f];
	out->type = out->fd->type;
	return 0;
}

static bool stringish(enum sf_ftype t)
{
	switch (t) {
	case SF_ID:
	case SF_REFERENCE:
	case SF_STRING:
	case SF_TEXTAREA:
	case SF_EMAIL:
	case SF_PHONE:
	case SF_URL:
	case SF_PICKLIST:
	case SF_MULTIPICKLIST:
	case SF_COMBOBOX:
		return true;
	default:
		return false;
	}
}

static bool numeric(enum sf_ftype t)
{
	return t == SF_CURRENCY || t == SF_DOUBLE || t == SF_PERCENT ||
	       t == SF_INT;
}

static const char *field_name(const struct fref *f)
{
	return f->fd ? f->fd->name : f->leaf;
}

static int wrong_type(struct parser *ps, const struct fref *f, const char *at)
{
	const char *want, *quotes = "should not be enclosed in quotes";

	switch (f->type) {
	case SF_BOOLEAN:
		want = "boolean";
		break;
	case SF_INT:
		want = "integer";
		break;
	case SF_CURRENCY:
	case SF_DOUBLE:
	case SF_PERCENT:
		want = "double";
		break;
	case SF_DATETIME:
		want = "dateTime";
		break;
	case SF_DATE:
		want = "date";
		break;
	default:
		want = "string";
		quotes = "should be enclosed in quotes";
		break;
	}
	return sf_soql_fail(
	    ps, at, "INVALID_FIELD",
	    "value of filter criterion for field '%s' must be of "
	    "type %s and %s",
	    field_name(f), want, quotes);
}

static size_t new_lit(struct sf_query *q)
{
	if (q->n_lits == q->a_lits) {
		q->a_lits = q->a_lits ? 2 * q->a_lits : 8;
		q->lits = ferry_xrealloc(q->lits, q->a_lits * sizeof(*q->lits));
	}
	memset(&q->lits[q->n_lits], 0, sizeof(*q->lits));
	return q->n_lits++;
}

/* Parses the literal at the current token for a comparison on f. */
static int literal(struct parser *ps, const struct fref *f)
{
	struct sf_query *q = ps->q;
	const struct tok t = ps->t;
	struct lit *l;
	size_t k;

	k = new_lit(q);
	l = &q->lits[k];
	if (sf_soql_is_kw(&t, "null")) {
		l->k = LIT_NULL;
	} else if (sf_soql_is_kw(&t, "true") || sf_soql_is_kw(&t, "false")) {
		if (f->type != SF_BOOLEAN)
			return wrong_type(ps, f, t.s);
		l->k = LIT_BOOL;
		l->b = sf_soql_is_kw(&t, "true");
	} else if (t.k == TK_STRING) {
		if (!stringish(f->type))
			return wrong_type(ps, f, t.s);
		l->k = LIT_STRING;
		l->s = sf_soql_unquote(t.s, t.n);
		if ((f->type == SF_ID || f->type == SF_REFERENCE) &&
		    strlen(l->s) == 15) {
			char id18[19];

			sf_id18(l->s, id18);
			free(l->s);
			l->s = ferry_xstrdup(id18);
		}
	} else if (t.k == TK_NUMBER) {
		char *s = ferry_xstrndup(t.s, t.n);
		int rc = ferry_parse_double(s, &l->num);

		free(s);
		if (rc < 0)
			return sf_soql_unexpected(ps);
		if (!numeric(f->type))
			return wrong_type(ps, f, t.s);
		l->k = LIT_NUMBER;
	} else if (t.k == TK_DATETIME) {
		if (f->type != SF_DATETIME)
			return wrong_type(ps, f, t.s);
		if (!sf_soql_parse_datetime(t.s, t.n, &l->ms))
			return sf_soql_fail(
			    ps, t.s, "INVALID_FIELD",
			    "value of filter criterion for field "
			    "'%s' must be a valid dateTime",
			    field_name(f));
		l->k = LIT_DATETIME;
	} else if (t.k == TK_DATE) {
		if (f->type != SF_DATE)
			return wrong_type(ps, f, t.s);
		l->k = LIT_DATE;
		l->s = ferry_xstrndup(t.s, t.n);
	} else {
		return sf_soql_unexpected(ps);
	}
	sf_soql_next(ps);
	return 0;
}

/* --- conditions --- */

static int new_node(struct sf_query *q, enum ck k)
{
	if (q->n_nodes == q->a_nodes) {
		q->a_nodes = q->a_nodes ? 2 * q->a_nodes : 8;
		q->nodes =
		    ferry_xrealloc(q->nodes, q->a_nodes * sizeof(*q->nodes));
	}
	memset(&q->nodes[q->n_nodes], 0, sizeof(*q->nodes));
	q->nodes[q->n_nodes].k = k;
	q->nodes[q->n_nodes].child = -1;
	q->nodes[q->n_nodes].next = -1;
	return (int)q->n_nodes++;
}

static int condition(struct parser *ps, int *out);

static int filterable(struct parser *ps, const struct fref *f, const char *at)
{
	if (f->fd && (f->type == SF_ADDRESS || f->type == SF_BASE64 ||
	              (f->type == SF_TEXTAREA && f->fd->length > 255)))
		return sf_soql_fail(
		    ps, at, "INVALID_FIELD",
		    "field '%s' can not be filtered in a query call",
		    f->fd->name);
	return 0;
}

/* field op literal | field [NOT] IN (…) | field LIKE '…' | ( cond ) |
 * NOT x */
static int simple(struct parser *ps, int *out)
{
	struct sf_query *q = ps->q;
	struct fref f;
	struct tok field;
	int n;

	if (ps->t.k == TK_LPAREN) {
		if (++ps->depth > MAX_DEPTH)
			return sf_soql_fail(ps, ps->t.s, "MALFORMED_QUERY",
			                    "unexpected token: '(': too deeply "
			                    "nested");
		sf_soql_next(ps);
		if (condition(ps, out) < 0)
			return -1;
		if (ps->t.k != TK_RPAREN)
			return sf_soql_unexpected(ps);
		ps->depth--;
		sf_soql_next(ps);
		return 0;
	}
	if (sf_soql_is_kw(&ps->t, "NOT")) {
		int child;

		if (++ps->depth > MAX_DEPTH)
			return sf_soql_unexpected(ps);
		sf_soql_next(ps);
		if (simple(ps, &child) < 0)
			return -1;
		ps->depth--;
		n = new_node(q, C_NOT);
		q->nodes[n].child = child;
		*out = n;
		return 0;
	}
	if (ps->t.k != TK_IDENT || sf_soql_reserved(&ps->t))
		return sf_soql_unexpected(ps);
	field = ps->t;
	if (resolve(ps, &field, &f) < 0 || filterable(ps, &f, field.s) < 0)
		return -1;
	sf_soql_next(ps);
	if (ps->t.k == TK_OP) {
		enum op op = ps->t.op;

		sf_soql_next(ps);
		n = new_node(q, C_CMP);
		q->nodes[n].op = op;
		q->nodes[n].f = f;
		q->nodes[n].lit = q->n_lits;
		q->nodes[n].nlit = 1;
		if (literal(ps, &f) < 0)
			return -1;
		if (q->lits[q->nodes[n].lit].k == LIT_NULL && op != OP_EQ &&
		    op != OP_NE)
			return sf_soql_fail(
			    ps, field.s, "MALFORMED_QUERY",
			    "invalid operator on null: only = and "
			    "!= compare with null");
		*out = n;
		return 0;
	}
	if (sf_soql_is_kw(&ps->t, "LIKE")) {
		if (!stringish(f.type) || f.type == SF_ID ||
		    f.type == SF_REFERENCE)
			return sf_soql_fail(
			    ps, ps->t.s, "INVALID_FIELD",
			    "invalid operator on field '%s': LIKE "
			    "works on text fields",
			    field_name(&f));
		sf_soql_next(ps);
		if (ps->t.k != TK_STRING)
			return sf_soql_unexpected(ps);
		n = new_node(q, C_LIKE);
		q->nodes[n].f = f;
		q->nodes[n].lit = q->n_lits;
		q->nodes[n].nlit = 1;
		*out = n;
		return literal(ps, &f);
	}
	{
		bool negated = sf_soql_accept_kw(ps, "NOT");

		if (!sf_soql_accept_kw(ps, "IN"))
			return sf_soql_unexpected(ps);
		if (ps->t.k != TK_LPAREN)
			return sf_soql_unexpected(ps);
		sf_soql_next(ps);
		n = new_node(q, negated ? C_NOTIN : C_IN);
		q->nodes[n].f = f;
		q->nodes[n].lit = q->n_lits;
		for (;;) {
			if (literal(ps, &f) < 0)
				return -1;
			q->nodes[n].nlit++;
			if (ps->t.k == TK_RPAREN)
				break;
			if (ps->t.k != TK_COMMA)
				return sf_soql_unexpected(ps);
			sf_soql_next(ps);
		}
		sf_soql_next(ps);
		*out = n;
		return 0;
	}
}

/* a [AND b]… or a [OR b]…: Salesforce wants parentheses to mix them. */
static int condition(struct parser *ps, int *out)
{
	struct sf_query *q = ps->q;
	int first, last, n;
	const char *conj = NULL;

	if (simple(ps, &first) < 0)
		return -1;
	if (!sf_soql_is_kw(&ps->t, "AND") && !sf_soql_is_kw(&ps->t, "OR")) {
		*out = first;
		return 0;
	}
	conj = sf_soql_is_kw(&ps->t, "AND") ? "AND" : "OR";
	n = new_node(q, conj[0] == 'A' ? C_AND : C_OR);
	q->nodes[n].child = first;
	last = first;
	while (sf_soql_is_kw(&ps->t, "AND") || sf_soql_is_kw(&ps->t, "OR")) {
		int c;

		if (!sf_soql_is_kw(&ps->t, conj))
			return sf_soql_unexpected(ps);
		sf_soql_next(ps);
		if (simple(ps, &c) < 0)
			return -1;
		q->nodes[last].next = c;
		last = c;
	}
	*out = n;
	return 0;
}

/* --- parsing the query --- */

static int select_list(struct parser *ps, struct tok **fields, size_t *n)
{
	if (sf_soql_is_kw(&ps->t, "COUNT")) {
		const char *p = ps->p;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '(') {
			sf_soql_next(ps);
			sf_soql_next(ps);
			if (ps->t.k == TK_RPAREN) {
				ps->q->count = true;
			} else if (ps->t.k == TK_IDENT &&
			           !sf_soql_reserved(&ps->t)) {
				ps->q->count_expr = true;
				*fields = ferry_xcalloc(1, sizeof(**fields));
				(*fields)[0] = ps->t;
				*n = 1;
				sf_soql_next(ps);
				if (ps->t.k != TK_RPAREN)
					return sf_soql_unexpected(ps);
			} else {
				return sf_soql_unexpected(ps);
			}
			sf_soql_next(ps);
			return 0;
		}
	}
	for (;;) {
		if (ps->t.k != TK_IDENT || sf_soql_reserved(&ps->t))
			return sf_soql_unexpected(ps);
		*fields = ferry_xrealloc(*fields, (*n + 1) * sizeof(**fields));
		(*fields)[(*n)++] = ps->t;
		sf_soql_next(ps);
		if (ps->t.k != TK_COMMA)
			return 0;
		sf_soql_next(ps);
	}
}

static int columns(struct parser *ps, const struct tok *fields, size_t n)
{
	struct sf_query *q = ps->q;
	size_t i, j;

	if (q->count_expr) {
		q->count_field = ferry_xcalloc(1, sizeof(*q->count_field));
		if (resolve(ps, &fields[0], q->count_field) < 0)
			return -1;
		q->count_nonnull = q->count_field->hop >= 0 ||
		                   !q->count_field->fd ||
		                   q->count_field->fd->type != SF_ID;
		return 0;
	}
	q->cols = ferry_xcalloc(n ? n : 1, sizeof(*q->cols));
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (fields[j].n == fields[i].n &&
			    !strncasecmp(fields[j].s, fields[i].s, fields[i].n))
				return sf_soql_fail(
				    ps, fields[i].s, "MALFORMED_QUERY",
				    "duplicate field selected: %.*s",
				    (int)(fields[i].n > 80 ? 80 : fields[i].n),
				    fields[i].s);
		if (resolve(ps, &fields[i], &q->cols[i].f) < 0)
			return -1;
		q->cols[i].written = ferry_xstrndup(fields[i].s, fields[i].n);
		q->n_cols++;
	}
	return 0;
}

static int object(struct parser *ps)
{
	const struct sf_object *o;
	char *name;

	if (ps->t.k != TK_IDENT || sf_soql_reserved(&ps->t) ||
	    memchr(ps->t.s, '.', ps->t.n))
		return sf_soql_unexpected(ps);
	name = ferry_xstrndup(ps->t.s, ps->t.n);
	o = sf_org_object(ps->q->org, name);
	free(name);
	if (!o || o->tooling != ps->tooling)
		return sf_soql_fail(
		    ps, ps->t.s, "INVALID_TYPE",
		    "sObject type '%.*s' is not supported. If you "
		    "are attempting to use a custom object, be sure "
		    "to append the '__c' after the entity name. "
		    "Please reference your WSDL or the describe call "
		    "for the appropriate names.",
		    (int)(ps->t.n > 80 ? 80 : ps->t.n), ps->t.s);
	ps->q->obj = o;
	sf_soql_next(ps);
	return 0;
}

static int order_by(struct parser *ps)
{
	for (;;) {
		struct fref f;

		if (ps->t.k != TK_IDENT || sf_soql_reserved(&ps->t))
			return sf_soql_unexpected(ps);
		if (resolve(ps, &ps->t, &f) < 0)
			return -1;
		sf_soql_next(ps);
		if (!sf_soql_accept_kw(ps, "ASC"))
			sf_soql_accept_kw(ps, "DESC");
		if (sf_soql_accept_kw(ps, "NULLS") &&
		    !sf_soql_accept_kw(ps, "FIRST") &&
		    !sf_soql_accept_kw(ps, "LAST"))
			return sf_soql_unexpected(ps);
		if (ps->t.k != TK_COMMA)
			return 0;
		sf_soql_next(ps);
	}
}

static int count_value(struct parser *ps, int64_t *out)
{
	char *s;
	int rc;

	if (ps->t.k != TK_NUMBER)
		return sf_soql_unexpected(ps);
	s = ferry_xstrndup(ps->t.s, ps->t.n);
	rc = ferry_parse_i64(s, out);
	free(s);
	if (rc < 0 || *out < 0)
		return sf_soql_unexpected(ps);
	sf_soql_next(ps);
	return 0;
}

static int parse(struct parser *ps)
{
	struct tok *fields = NULL;
	size_t n = 0;
	int rc = -1;

	sf_soql_next(ps);
	if (ps->t.k == TK_EOF) {
		sf_err_set(ps->e, 400, "MALFORMED_QUERY",
		           "SOQL statements cannot be empty or null");
		goto done;
	}
	if (sf_soql_expect_kw(ps, "SELECT") < 0 ||
	    select_list(ps, &fields, &n) < 0 ||
	    sf_soql_expect_kw(ps, "FROM") < 0 || object(ps) < 0 ||
	    columns(ps, fields, n) < 0)
		goto done;
	if (sf_soql_accept_kw(ps, "WHERE") && condition(ps, &ps->q->where) < 0)
		goto done;
	if (sf_soql_is_kw(&ps->t, "ORDER")) {
		sf_soql_next(ps);
		if (sf_soql_expect_kw(ps, "BY") < 0 || order_by(ps) < 0)
			goto done;
	}
	if (sf_soql_accept_kw(ps, "LIMIT") &&
	    count_value(ps, &ps->q->limit) < 0)
		goto done;
	if (sf_soql_accept_kw(ps, "OFFSET") &&
	    count_value(ps, &ps->q->offset) < 0)
		goto done;
	if (ps->t.k != TK_EOF) {
		sf_soql_unexpected(ps);
		goto done;
	}
	rc = 0;
done:
	free(fields);
	return rc;
}

int sf_query_parse(struct sf_query **out, const struct sf_org *org,
                   const char *soql, bool tooling, struct sf_err *e)
{
	struct parser ps;
	struct sf_query *q = ferry_xcalloc(1, sizeof(*q));

	q->org = org;
	q->where = -1;
	q->limit = -1;
	q->offset = -1;
	q->st = ferry_xcalloc(1, sizeof(*q->st));
	memset(&ps, 0, sizeof(ps));
	ps.text = soql;
	ps.p = soql;
	ps.q = q;
	ps.e = e;
	ps.tooling = tooling;
	if (parse(&ps) < 0) {
		sf_query_free(q);
		return -1;
	}
	*out = q;
	return 0;
}

void sf_query_free(struct sf_query *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->n_cols; i++)
		free(q->cols[i].written);
	free(q->cols);
	for (i = 0; i < q->n_lits; i++)
		free(q->lits[i].s);
	free(q->lits);
	free(q->nodes);
	free(q->count_field);
	for (i = 0; i < q->st->n_hops; i++)
		sf_record_release(&q->st->hops[i].rec);
	free(q->st->hops);
	if (q->st->scan_init)
		sf_record_release(&q->st->scan);
	free(q->st);
	free(q);
}

const struct sf_object *sf_query_object(const struct sf_query *q)
{
	return q->obj;
}

bool sf_query_is_count(const struct sf_query *q)
{
	return q->count;
}

bool sf_query_is_count_expr(const struct sf_query *q)
{
	return q->count_expr;
}

size_t sf_query_n_columns(const struct sf_query *q)
{
	return q->n_cols;
}

const char *sf_query_column(const struct sf_query *q, size_t i)
{
	return i < q->n_cols ? q->cols[i].written : NULL;
}

enum sf_ftype sf_query_column_type(const struct sf_query *q, size_t i)
{
	return i < q->n_cols ? q->cols[i].f.type : SF_STRING;
}

int64_t sf_query_limit(const struct sf_query *q)
{
	return q->limit;
}
