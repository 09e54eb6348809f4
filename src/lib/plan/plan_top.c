/* plan_top.c: the most common reasons of the plan's records, per object
 * and decision, for `ferry plan`'s summary and the plan page. */
#include "util.h"

#include "plan_int.h"
#include "store/store.h"

/*
 * The most common reasons. The plan page, redrawn after every `ferry
 * queue` change, reads them for every object and decision: over every
 * held record of a large org. Grouping in SQL (json_each, then
 * json_extract per key) parsed each reason five times, and a query per
 * object and decision read the table once per section and once more for
 * the latest planned_at. Here each row's array is read once, with a
 * scanner that finds the four keys' strings (memchr to a string's end,
 * unescaping only a value that has an escape), and grouped in a hash map;
 * the page's pass reads the whole table once, in order. What comes out is
 * what the SQL gave: most common first, then by field and code, with the
 * least message and release of each group.
 */

struct span {
	const char *p;
	size_t len;
	bool found, escaped;
};

/* A reason object's strings, as JSON spells them. */
struct raw_reason {
	struct span field, code, message, release;
};

struct group {
	char *object, *field, *code, *message, *release;
	size_t message_len, release_len;
	enum ferry_plan_decision decision;
	int64_t n;
};

struct groups {
	struct an_map index; /* "object\x1f<decision>field\x1fcode" -> i + 1 */
	struct group *g;
	size_t n, cap;
	struct ferry_buf key, tmp;
};

/* The closing quote of a string that starts at `p`, or NULL. */
static const char *string_end(const char *p, const char *end)
{
	const char *q, *b;

	while ((q = memchr(p, '"', (size_t)(end - p)))) {
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q;
		p = q + 1;
	}
	return NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past a value that is not a string: a number, true, false, null, or a
 * nested object or array; NULL if it does not end. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			if (!(p = string_end(p + 1, end)))
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']' || *p == ',') {
			if (!depth)
				return p;
			if (*p != ',' && --depth == 0)
				return p + 1;
		} else if (!depth && (*p == ' ' || *p == '\t' || *p == '\n' ||
		                      *p == '\r')) {
			return p;
		}
	}
	return depth ? NULL : p;
}

static struct span *key_span(struct raw_reason *r, const char *k, size_t len)
{
	if (len == 4 && !memcmp(k, "code", 4))
		return &r->code;
	if (len == 5 && !memcmp(k, "field", 5))
		return &r->field;
	if (len == 7 && !memcmp(k, "message", 7))
		return &r->message;
	if (len == 7 && !memcmp(k, "release", 7))
		return &r->release;
	return NULL;
}

/* One object of the array, from its '{'; returns what follows it. */
static const char *reason_object(const char *p, const char *end,
                                 struct raw_reason *r)
{
	const char *k, *ke, *v, *ve;
	struct span *sp;

	memset(r, 0, sizeof(*r));
	for (p = skip_ws(p + 1, end); p < end && *p != '}';) {
		if (*p != '"' || !(ke = string_end(k = p + 1, end)))
			return NULL;
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return NULL;
		v = skip_ws(p + 1, end);
		sp = key_span(r, k, (size_t)(ke - k));
		if (v < end && *v == '"') {
			if (!(ve = string_end(v + 1, end)))
				return NULL;
			if (sp) {
				sp->p = v + 1;
				sp->len = (size_t)(ve - v - 1);
				sp->found = true;
				sp->escaped = memchr(sp->p, '\\', sp->len);
			}
			p = ve + 1;
		} else if (!(p = skip_value(v, end)) || p == v) {
			return NULL;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else if (p >= end || *p != '}')
			return NULL;
	}
	return p < end ? p + 1 : NULL;
}

/* The string a span stands for, in `tmp` (unescaped by jansson: rare). */
static const char *span_text(const struct span *sp, struct ferry_buf *tmp,
                             size_t *len)
{
	json_t *j;

	ferry_buf_clear(tmp);
	if (!sp->escaped) {
		*len = sp->len;
		if (ferry_buf_put(tmp, sp->p, sp->len) < 0)
			return NULL;
		return tmp->ptr;
	}
	if (ferry_buf_printf(tmp, "\"%.*s\"", (int)sp->len, sp->p) < 0 ||
	    !(j = json_loadb(tmp->ptr, tmp->len, JSON_DECODE_ANY, NULL)))
		return NULL;
	ferry_buf_clear(tmp);
	*len = json_string_length(j);
	if (ferry_buf_put(tmp, json_string_value(j), *len) < 0) {
		json_decref(j);
		return NULL;
	}
	json_decref(j);
	return tmp->ptr;
}

/* Keeps the least value seen, as min() does (absent ones do not count). */
static int keep_least(struct groups *t, char **kept, size_t *kept_len,
                      const struct span *sp)
{
	const char *v;
	size_t len;
	int c;

	if (!sp->found)
		return 0;
	if (*kept && !sp->escaped) {
		c = memcmp(sp->p, *kept,
		           sp->len < *kept_len ? sp->len : *kept_len);
		if (c > 0 || (!c && sp->len >= *kept_len))
			return 0;
	}
	if (!(v = span_text(sp, &t->tmp, &len)))
		return -1;
	if (*kept && strcmp(v, *kept) >= 0)
		return 0;
	free(*kept);
	*kept = ferry_xstrdup(v);
	*kept_len = len;
	return 0;
}

static int group_add(struct groups *t, const char *object,
                     enum ferry_plan_decision d, const struct raw_reason *r)
{
	struct group *g;
	int64_t *slot;
	bool added;
	size_t len, field_at, code_at;
	const char *s;

	/* The key: object, decision, field and code (Salesforce names and
	 * the plan's codes: neither NUL nor \x1f is in them). */
	ferry_buf_clear(&t->key);
	if (ferry_buf_puts(&t->key, object) < 0 ||
	    ferry_buf_putc(&t->key, '\x1f') < 0 ||
	    ferry_buf_putc(&t->key, (char)('0' + (int)d)) < 0)
		return -1;
	field_at = t->key.len;
	if (r->field.found && (!(s = span_text(&r->field, &t->tmp, &len)) ||
	                       ferry_buf_put(&t->key, s, len) < 0))
		return -1;
	if (ferry_buf_putc(&t->key, '\x1f') < 0)
		return -1;
	code_at = t->key.len;
	if (r->code.found && (!(s = span_text(&r->code, &t->tmp, &len)) ||
	                      ferry_buf_put(&t->key, s, len) < 0))
		return -1;
	slot = an_map_put(&t->index, t->key.ptr, &added);
	if (added) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->g = ferry_xrealloc(t->g, t->cap * sizeof(*t->g));
		}
		g = memset(&t->g[t->n], 0, sizeof(*t->g));
		g->object = ferry_xstrdup(object);
		g->decision = d;
		g->field = ferry_xstrndup(t->key.ptr + field_at,
		                          code_at - 1 - field_at);
		g->code = ferry_xstrdup(t->key.ptr + code_at);
		*slot = (int64_t)++t->n;
	}
	g = &t->g[*slot - 1];
	g->n++;
	if (keep_least(t, &g->message, &g->message_len, &r->message) < 0 ||
	    keep_least(t, &g->release, &g->release_len, &r->release) < 0)
		return -1;
	return 0;
}

/* Each object of a row's JSON array; anything else in it is passed
 * over. -1 if the text is not an array. */
static int group_row(struct groups *t, const char *object,
                     enum ferry_plan_decision d, const char *s, size_t len)
{
	const char *p = skip_ws(s, s + len), *end = s + len;
	struct raw_reason r;

	if (p >= end || *p++ != '[')
		return -1;
	for (p = skip_ws(p, end); p < end && *p != ']';) {
		if (*p == '{') {
			if (!(p = reason_object(p, end, &r)) ||
			    group_add(t, object, d, &r) < 0)
				return -1;
		} else if (!(p = skip_value(p, end)) || p >= end) {
			return -1;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else if (p >= end || *p != ']')
			return -1;
	}
	return p < end ? 0 : -1;
}

static int by_count(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;

	if ((c = strcmp(x->object, y->object)))
		return c;
	if (x->decision != y->decision)
		return x->decision < y->decision ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if ((c = strcmp(x->field, y->field)))
		return c;
	return strcmp(x->code, y->code);
}

static void groups_free(struct groups *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->g[i].object);
		free(t->g[i].field);
		free(t->g[i].code);
		free(t->g[i].message);
		free(t->g[i].release);
	}
	free(t->g);
	an_map_free(&t->index);
	ferry_buf_release(&t->key);
	ferry_buf_release(&t->tmp);
}

typedef int (*group_fn)(const struct group *g, void *payload);

/* Rows of `st` (object, decision, reasons, notes, planned_at), grouped;
 * then at most `max` groups per object and decision to `fn`, in order. */
static int group_rows(struct ferry_workspace *ws, sqlite3_stmt *st, int max,
                      group_fn fn, void *payload, char *latest,
                      size_t latest_len)
{
	struct groups t;
	enum ferry_plan_decision d;
	size_t i, shown = 0;
	int error = 0, rc, col;

	memset(&t, 0, sizeof(t));
	ferry_buf_init(&t.key, 0);
	ferry_buf_init(&t.tmp, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 4);

		if (!object ||
		    ferry_plan_decision_parse(
		        (const char *)sqlite3_column_text(st, 1), &d) < 0)
			continue;
		if (latest && at && strcmp(at, latest) > 0)
			snprintf(latest, latest_len, "%s", at);
		/* Written records carry notes, the others reasons. */
		col = d == FERRY_PLAN_WRITE ? 3 : 2;
		if (sqlite3_column_bytes(st, col) <= 2)
			continue; /* "[]" */
		if (group_row(&t, object, d,
		              (const char *)sqlite3_column_text(st, col),
		              (size_t)sqlite3_column_bytes(st, col)) < 0) {
			error = ferry_error_set(
			    FERRY_EDB,
			    "the plan's %s of %s %s are not a JSON array of "
			    "reasons: run 'ferry plan' again",
			    col == 3 ? "notes" : "reasons", object,
			    (const char *)sqlite3_column_text(st, 5));
			goto done;
		}
	}
	if (rc != SQLITE_DONE) {
		error =
		    ferry_store__error(ws, "cannot read the plan's reasons");
		goto done;
	}
	if (t.n)
		qsort(t.g, t.n, sizeof(*t.g), by_count);
	for (i = 0; i < t.n; i++) {
		if (i && (strcmp(t.g[i].object, t.g[i - 1].object) ||
		          t.g[i].decision != t.g[i - 1].decision))
			shown = 0;
		if (max >= 0 && shown >= (size_t)max)
			continue;
		shown++;
		if ((error = fn(&t.g[i], payload)) != 0)
			goto done;
	}
done:
	groups_free(&t);
	return error;
}

#define GROUP_COLS "object, decision, reasons, notes, planned_at, source_id"

struct one_object {
	int (*cb)(const char *field, const char *code, const char *message,
	          const char *release, int64_t count, void *payload);
	void *payload;
};

static int to_one(const struct group *g, void *payload)
{
	struct one_object *o = payload;

	return o->cb(g->field, g->code, g->message ? g->message : "",
	             g->release ? g->release : "", g->n, o->payload);
}

int ferry_plan_top_reasons(struct ferry_workspace *ws, const char *object,
                           enum ferry_plan_decision decision, int max,
                           int (*cb)(const char *field, const char *code,
                                     const char *message, const char *release,
                                     int64_t count, void *payload),
                           void *payload)
{
	/* The index on (object, decision) finds the rows. */
	static const char reasons_sql[] =
	    "SELECT " GROUP_COLS " FROM plan WHERE object = ?1 AND decision = "
	    "?2 AND reasons != '[]'";
	static const char notes_sql[] =
	    "SELECT " GROUP_COLS " FROM plan WHERE object = ?1 AND decision = "
	    "?2 AND notes != '[]'";
	struct one_object o = {cb, payload};
	sqlite3_stmt *st = NULL;
	int error;

	if ((error = ferry_store__prepare(
	         &st, ws,
	         decision == FERRY_PLAN_WRITE ? notes_sql : reasons_sql)) < 0)
		return error;
	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, ferry_plan_decision_name(decision));
	error = group_rows(ws, st, max, to_one, &o, NULL, 0);
	sqlite3_finalize(st);
	return error;
}

struct all_objects {
	ferry_plan_reasons_fn cb;
	void *payload;
};

static int to_all(const struct group *g, void *payload)
{
	struct all_objects *a = payload;
	struct ferry_plan_reason_group r = {
	    .object = g->object,
	    .decision = g->decision,
	    .field = g->field,
	    .code = g->code,
	    .message = g->message ? g->message : "",
	    .release = g->release ? g->release : "",
	    .count = g->n,
	};

	return a->cb(&r, a->payload);
}

int ferry_plan_all_top_reasons(struct ferry_workspace *ws, int max,
                               ferry_plan_reasons_fn cb, void *payload,
                               char *planned_at, size_t planned_at_len)
{
	struct all_objects a = {cb, payload};
	sqlite3_stmt *st = NULL;
	int error;

	if (planned_at && planned_at_len)
		planned_at[0] = '\0';
	/* The whole table in order: every row is read for its reasons or
	 * notes anyway, and once is cheaper than once per section. */
	if ((error = ferry_store__prepare(
	         &st, ws, "SELECT " GROUP_COLS " FROM plan")) < 0)
		return error;
	error = group_rows(ws, st, max, to_all, &a, planned_at, planned_at_len);
	sqlite3_finalize(st);
	return error;
}
