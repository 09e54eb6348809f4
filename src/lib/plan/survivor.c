/* survivor.c: the merge rules. Which record of a cluster survives (the
 * oldest, the newest or the most complete, among the records of the first
 * object present), what happens when the rule cannot decide (held, or the
 * oldest or newest of the tied), and field-level survivorship: where the
 * merged record takes each field from, or every record's values (all).
 * Pure functions over one loaded cluster (no I/O). */
#include "util.h"

#include "dedup_int.h"
#include "ferry/transform.h"

enum order { BY_OLDEST, BY_NEWEST, BY_COMPLETE };

static bool dated_all(const struct dd_cluster *c, const size_t *ix, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!c->m[ix[i]].created)
			return false;
	return true;
}

/* Older first: by date when `dates`, then in staging order. */
static int cmp_age(const struct dd_member *a, const struct dd_member *b,
                   bool dates)
{
	int d;

	if (dates && (d = strcmp(a->created, b->created)) != 0)
		return d < 0 ? -1 : 1;
	return a->rid < b->rid ? -1 : a->rid > b->rid;
}

static int cmp_order(const struct dd_member *a, const struct dd_member *b,
                     enum order o, bool dates)
{
	switch (o) {
	case BY_NEWEST:
		return -cmp_age(a, b, dates);
	case BY_COMPLETE:
		if (a->filled != b->filled)
			return a->filled > b->filled ? -1 : 1;
		return cmp_age(a, b, dates);
	case BY_OLDEST:
		break;
	}
	return cmp_age(a, b, dates);
}

/* Sorts the members `ix` in `o`'s order (insertion sort: a cluster is
 * small). Dates count only when every one of them has one. */
static void sort_ix(const struct dd_cluster *c, size_t *ix, size_t n,
                    enum order o)
{
	bool dates = dated_all(c, ix, n);
	size_t i, j;

	for (i = 1; i < n; i++) {
		size_t v = ix[i];

		for (j = i; j > 0 &&
		            cmp_order(&c->m[v], &c->m[ix[j - 1]], o, dates) < 0;
		     j--)
			ix[j] = ix[j - 1];
		ix[j] = v;
	}
}

static enum order rule_order(enum ferry_dedup_rule rule)
{
	return rule == FERRY_DEDUP_NEWEST          ? BY_NEWEST
	       : rule == FERRY_DEDUP_MOST_COMPLETE ? BY_COMPLETE
	                                           : BY_OLDEST;
}

static void list_records(struct dd_text *t, const struct dd_cluster *c,
                         const struct dd_run *run, const size_t *ix, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 5; i++)
		dd_say(t, "%s%s %s", i ? ", " : "",
		       run->cfg->objects[c->m[ix[i]].obj],
		       c->m[ix[i]].source_id);
	if (n > 5)
		dd_say(t, " and %zu more", n - 5);
}

/* "two records tie on completeness (12 fields each) and have no
 * CreatedDate": what keeps the rule from deciding. */
static void say_tie(struct dd_text *why, const struct dd_cluster *c,
                    const struct dd_run *run, const size_t *tied, size_t n)
{
	const char *date = run->date_field;
	size_t none = 0, i;

	for (i = 0; i < n; i++)
		none += !c->m[tied[i]].created;
	dd_say_count(why, n);
	dd_say(why, " records tie on completeness (%" PRId64 " fields each) ",
	       c->m[tied[0]].filled);
	if (none == n)
		dd_say(why, "and have no %s", date);
	else if (none)
		dd_say(why, "and not all of them have a %s", date);
	else
		dd_say(why, "and on %s (%.19s)", date, c->m[tied[0]].created);
}

/* A tie on completeness: broken by the oldest date, else by `undecided`
 * (the oldest or newest of the tied, then staging order), else held. */
static int complete_tie(struct dd_cluster *c, const struct dd_run *run,
                        size_t *tied, size_t n, struct dd_text *why)
{
	enum ferry_dedup_undecided u = run->cfg->undecided;
	const char *date = run->date_field;
	const char *object = run->cfg->objects[c->m[tied[0]].obj];
	const char *word =
	    u == FERRY_DEDUP_UNDECIDED_NEWEST ? "newest" : "oldest";
	bool dates = dated_all(c, tied, n);

	if (dates) {
		sort_ix(c, tied, n, BY_OLDEST);
		if (strcmp(c->m[tied[0]].created, c->m[tied[1]].created)) {
			c->survivor = tied[0];
			dd_say(why,
			       "the most complete (%" PRId64 " fields, as "
			       "many as %zu other%s) and the oldest by %s",
			       c->m[tied[0]].filled, n - 1, n > 2 ? "s" : "",
			       date);
			return 0;
		}
	}
	if (u != FERRY_DEDUP_UNDECIDED_HOLD) {
		sort_ix(c, tied, n,
		        u == FERRY_DEDUP_UNDECIDED_NEWEST ? BY_NEWEST
		                                          : BY_OLDEST);
		c->survivor = tied[0];
		if (dates &&
		    strcmp(c->m[tied[0]].created, c->m[tied[1]].created)) {
			dd_say(why,
			       "the most complete (%" PRId64 " fields, as "
			       "many as %zu other%s) and the %s by %s, as "
			       "undecided is %s",
			       c->m[tied[0]].filled, n - 1, n > 2 ? "s" : "",
			       word, date, word);
			return 0;
		}
		say_tie(why, c, run, tied, n);
		dd_say(why, ": the %s staged of them, as undecided is %s",
		       u == FERRY_DEDUP_UNDECIDED_NEWEST ? "last" : "first",
		       word);
		return 0;
	}
	say_tie(why, c, run, tied, n);
	dd_say(why, ": ");
	list_records(why, c, run, tied, n);
	dd_say(why,
	       "; complete one of them, or choose the oldest or newest "
	       "rule for %s",
	       object);
	return 1;
}

int dd_pick_survivor(struct dd_cluster *c, const struct dd_run *run,
                     struct dd_text *why)
{
	const struct ferry_dedup_config *cfg = run->cfg;
	size_t *cand = ferry_xcalloc(c->n, sizeof(*cand)), nc = 0, i, first;
	bool dates;
	int ret = 0;

	first = c->m[0].obj; /* members are in priority order */
	for (i = 0; i < c->n; i++)
		if (c->m[i].obj == first)
			cand[nc++] = i;
	if (nc == 1) {
		c->survivor = cand[0];
		dd_say(why, "the only %s; %s records come first",
		       cfg->objects[first], cfg->objects[first]);
		goto done;
	}
	sort_ix(c, cand, nc, rule_order(cfg->rule));
	dates = dated_all(c, cand, nc);
	switch (cfg->rule) {
	case FERRY_DEDUP_OLDEST:
	case FERRY_DEDUP_NEWEST:
		c->survivor = cand[0];
		if (dates)
			dd_say(why, "the %s by %s",
			       cfg->rule == FERRY_DEDUP_OLDEST ? "oldest"
			                                       : "newest",
			       run->date_field);
		else
			dd_say(
			    why, "the %s staged, as not every record has a %s",
			    cfg->rule == FERRY_DEDUP_OLDEST ? "first" : "last",
			    run->date_field);
		break;
	case FERRY_DEDUP_MOST_COMPLETE:
		for (i = 1;
		     i < nc && c->m[cand[i]].filled == c->m[cand[0]].filled;
		     i++)
			;
		if (i > 1) {
			ret = complete_tie(c, run, cand, i, why);
			break;
		}
		c->survivor = cand[0];
		dd_say(why,
		       "the most complete: %" PRId64 " fields against %" PRId64,
		       c->m[cand[0]].filled, c->m[cand[1]].filled);
		break;
	}
done:
	free(cand);
	return ret;
}

/*
 * What the rules compare, read from a member's staged record: its date
 * (in UTC, as text that sorts in time order) and its completeness.
 */

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool valid_date(int y, int m, int d)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= days[m - 1] + (m == 2 && leap);
}

/* The forms nearly every Salesforce date comes in, already UTC
 * ("2024-01-15", "2024-01-15T18:25:32.000Z", "...+0000", "...+00:00"),
 * straight into the sortable form `out` (31 bytes): the transform's
 * messages and JSON are most of the cost of a million records. False for
 * anything else, which ferry_tx_timestamp() reads. */
static bool utc_fast(char *out, const char *v)
{
	const char *p = v + 19, *tail;
	size_t len = strlen(v), frac;

	if (len < 10 || !digits(v, 4) || v[4] != '-' || !digits(v + 5, 2) ||
	    v[7] != '-' || !digits(v + 8, 2) ||
	    !valid_date(num(v, 4), num(v + 5, 2), num(v + 8, 2)))
		return false;
	memcpy(out, "0000-00-00T00:00:00.000000000Z", 31);
	memcpy(out, v, 10);
	if (len == 10)
		return true;
	if (len < 20 || v[10] != 'T' || !digits(v + 11, 2) || v[13] != ':' ||
	    !digits(v + 14, 2) || v[16] != ':' || !digits(v + 17, 2) ||
	    num(v + 11, 2) > 23 || num(v + 14, 2) > 59 || num(v + 17, 2) > 59)
		return false;
	memcpy(out + 11, v + 11, 8);
	if (*p == '.') {
		for (frac = 0; digits(p + 1 + frac, 1); frac++)
			;
		if (frac == 0 || frac > 9)
			return false;
		memcpy(out + 20, p + 1, frac);
		p += 1 + frac;
	}
	tail = p;
	return !strcmp(tail, "Z") || !strcmp(tail, "+0000") ||
	       !strcmp(tail, "+00:00");
}

/* The date as text that sorts in time order (UTC, nanoseconds) into
 * `out`; false when there is none or it is not a date. */
static bool date_key(struct ferry_buf *out, const char *v)
{
	static const char zeros[] = "000000000";
	struct ferry_tx_reason why;
	char fast[32];
	json_t *ts = NULL;
	const char *s, *dot;
	size_t frac;
	bool ok;

	ferry_buf_clear(out);
	if (utc_fast(fast, v))
		return ferry_buf_put(out, fast, 30) == 0;
	if (ferry_tx_timestamp(&ts, v, NULL, &why) < 0 || !ts)
		return false;
	/* "2024-01-15T18:25:32.5Z" -> "2024-01-15T18:25:32.500000000Z" */
	s = json_string_value(ts);
	dot = s ? strchr(s, '.') : NULL;
	frac = dot ? strlen(dot + 1) - 1 : 0; /* without the Z */
	ok = dot && frac <= 9 &&
	     ferry_buf_put(out, s, (size_t)(dot - s) + 1 + frac) == 0 &&
	     ferry_buf_puts(out, zeros + frac) == 0 &&
	     ferry_buf_putc(out, 'Z') == 0;
	json_decref(ts);
	return ok;
}

static bool has_value(const json_t *v);

void dd_describe(struct dd_member *m, const struct dd_run *run)
{
	const struct ferry_dedup_config *cfg = run->cfg;
	struct ferry_buf date = FERRY_BUF_INIT;
	const json_t *d = json_object_get(m->fields, run->date_field);
	const char *name;
	json_t *v;
	size_t i;

	free(m->created);
	m->created = NULL;
	if (json_is_string(d) && date_key(&date, json_string_value(d)))
		m->created = ferry_buf_detach(&date, NULL);
	ferry_buf_release(&date);
	m->filled = 0;
	if (cfg->n_fields) {
		for (i = 0; i < cfg->n_fields; i++)
			m->filled += has_value(
			    json_object_get(m->fields, cfg->fields[i].name));
		return;
	}
	json_object_foreach(m->fields, name, v) m->filled += has_value(v);
}

/*
 * Field-level survivorship.
 */

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

static bool has_value(const json_t *v)
{
	if (!v || json_is_null(v))
		return false;
	return !json_is_string(v) || !blank(json_string_value(v));
}

struct merge {
	const struct dd_cluster *c;
	const struct dd_run *run;
	size_t *orders[3]; /* per enum order, every member */
	size_t *first;     /* the survivor, then the rule's order */
	json_t *merged, *from;
	struct dd_text *filled;
};

/* Two values of one field: strings equal once trimmed, or equal JSON. */
static bool same_value(const json_t *a, const json_t *b)
{
	const char *x, *y;
	size_t lx, ly;

	if (!json_is_string(a) || !json_is_string(b))
		return json_equal(a, b);
	x = json_string_value(a);
	y = json_string_value(b);
	while (*x == ' ' || *x == '\t' || *x == '\r' || *x == '\n')
		x++;
	while (*y == ' ' || *y == '\t' || *y == '\r' || *y == '\n')
		y++;
	for (lx = strlen(x); lx && strchr(" \t\r\n", x[lx - 1]); lx--)
		;
	for (ly = strlen(y); ly && strchr(" \t\r\n", y[ly - 1]); ly--)
		;
	return lx == ly && !memcmp(x, y, lx);
}

/* FERRY_DEDUP_FILL_ALL: the survivor's value stays under `name`; every
 * other record's value not already kept goes under "<name>#<n>" (n its
 * place in the survivor-first order, from 2), with its record's context
 * fields under the same suffix, so that a phone is read with its own
 * record's country. */
static void fill_all(struct merge *mg, const char *name)
{
	const struct dd_cluster *c = mg->c;
	const struct ferry_dedup_config *cfg = mg->run->cfg;
	const json_t **kept = ferry_xcalloc(c->n, sizeof(*kept));
	size_t n_kept = 0, i, j, k;
	bool any = false;
	char *key;

	for (i = 0; i < c->n; i++) {
		const struct dd_member *m = &c->m[mg->first[i]];
		json_t *v = json_object_get(m->fields, name), *x;

		if (!has_value(v))
			continue;
		for (j = 0; j < n_kept && !same_value(kept[j], v); j++)
			;
		if (j < n_kept)
			continue;
		kept[n_kept++] = v;
		if (i == 0)
			continue;
		key = ferry_xasprintf("%s#%zu", name, i + 1);
		json_object_set(mg->merged, key, v);
		json_object_set_new(mg->from, key,
		                    json_pack("{s:s, s:s}", "object",
		                              cfg->objects[m->obj], "source_id",
		                              m->source_id));
		free(key);
		for (k = 0; k < cfg->n_context_fields; k++) {
			x = json_object_get(m->fields, cfg->context_fields[k]);
			if (!has_value(x))
				continue;
			key = ferry_xasprintf("%s#%zu", cfg->context_fields[k],
			                      i + 1);
			json_object_set(mg->merged, key, x);
			free(key);
		}
		any = true;
	}
	free(kept);
	if (any)
		dd_say(mg->filled, "%s%s", mg->filled->b.len ? ", " : "", name);
}

static void fill(struct merge *mg, const char *name, enum ferry_dedup_fill f)
{
	const struct dd_cluster *c = mg->c;
	const size_t *ord = mg->first;
	size_t n = c->n, i;
	const struct dd_member *m = NULL;
	json_t *v = NULL;

	switch (f) {
	case FERRY_DEDUP_FILL_SURVIVOR:
		return;
	case FERRY_DEDUP_FILL_OLDEST:
		ord = mg->orders[BY_OLDEST];
		break;
	case FERRY_DEDUP_FILL_NEWEST:
		ord = mg->orders[BY_NEWEST];
		break;
	case FERRY_DEDUP_FILL_MOST_COMPLETE:
		ord = mg->orders[BY_COMPLETE];
		break;
	case FERRY_DEDUP_FILL_ALL:
		fill_all(mg, name);
		return;
	case FERRY_DEDUP_FILL_DEFAULT:
		break;
	}
	for (i = 0; i < n; i++) {
		m = &c->m[ord[i]];
		if (has_value(v = json_object_get(m->fields, name)))
			break;
	}
	if (i == n || ord[i] == c->survivor)
		return;
	json_object_set(mg->merged, name, v);
	json_object_set_new(mg->from, name,
	                    json_pack("{s:s, s:s}", "object",
	                              mg->run->cfg->objects[m->obj],
	                              "source_id", m->source_id));
	dd_say(mg->filled, "%s%s", mg->filled->b.len ? ", " : "", name);
}

int dd_merge_fields(const struct dd_cluster *c, const struct dd_run *run,
                    json_t **merged, json_t **from, struct dd_text *filled)
{
	const struct ferry_dedup_config *cfg = run->cfg;
	struct merge mg = {.c = c, .run = run, .filled = filled};
	const size_t *rule;
	json_t *seen = NULL, *v;
	const char *name;
	size_t o, i, j;

	for (o = 0; o < 3; o++) {
		mg.orders[o] = ferry_xcalloc(c->n, sizeof(size_t));
		for (i = 0; i < c->n; i++)
			mg.orders[o][i] = i;
		sort_ix(c, mg.orders[o], c->n, (enum order)o);
	}
	rule = mg.orders[rule_order(cfg->rule)];
	mg.first = ferry_xcalloc(c->n, sizeof(size_t));
	mg.first[0] = c->survivor;
	for (i = 0, j = 1; i < c->n; i++)
		if (rule[i] != c->survivor)
			mg.first[j++] = rule[i];
	mg.merged = json_copy(c->m[c->survivor].fields);
	mg.from = json_object();
	if (!mg.merged || !mg.from)
		abort();
	if (cfg->n_fields) {
		for (i = 0; i < cfg->n_fields; i++)
			fill(&mg, cfg->fields[i].name, cfg->fields[i].fill);
	} else {
		/* Every column any of them has, the survivor's first. */
		seen = json_object();
		for (i = 0; i < c->n; i++) {
			json_object_foreach(c->m[mg.first[i]].fields, name, v)
			{
				if (json_object_get(seen, name))
					continue;
				json_object_set_new(seen, name, json_true());
				fill(&mg, name, FERRY_DEDUP_FILL_DEFAULT);
			}
		}
		json_decref(seen);
	}
	for (o = 0; o < 3; o++)
		free(mg.orders[o]);
	free(mg.first);
	if (filled->error < 0) {
		json_decref(mg.merged);
		json_decref(mg.from);
		return filled->error;
	}
	*merged = mg.merged;
	*from = mg.from;
	return 0;
}
