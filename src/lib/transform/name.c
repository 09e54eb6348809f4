/* name.c: Salesforce's FirstName, LastName and Name as one Attio
 * personal-name, which needs its first, last and full names together. */
#include "util.h"

#include "tx_int.h"

/* Words that follow a last name rather than being one. */
static const char *const suffixes[] = {"jr", "jr.", "sr", "sr.",
                                       "ii", "iii", "iv"};

struct span {
	const char *s;
	size_t len;
};

static bool is_suffix(struct span w)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(suffixes); i++)
		if (tx_iequal(w.s, w.len, suffixes[i]))
			return true;
	return false;
}

/* The last whitespace-separated word of `all`, as a span within it. */
static struct span last_word(struct span all)
{
	struct span w = all;
	size_t i = all.len;

	while (i > 0 && !tx_is_space(all.s[i - 1]))
		i--;
	w.s = all.s + i;
	w.len = all.len - i;
	return w;
}

/* `all` without its last `cut` bytes, trimmed. */
static struct span before(struct span all, size_t cut)
{
	struct span b;

	b.s = tx_trim_span(all.s, all.len - cut, &b.len);
	return b;
}

/* Splits a full name into first and last: "Last, First", or the last word
 * (with a suffix such as "Jr." kept on it) as the last name. */
static void split_full(struct span full, struct span *first, struct span *last)
{
	const char *comma = memchr(full.s, ',', full.len);
	struct span w, rest;

	if (comma) {
		last->s =
		    tx_trim_span(full.s, (size_t)(comma - full.s), &last->len);
		first->s = tx_trim_span(comma + 1,
		                        full.len - (size_t)(comma - full.s) - 1,
		                        &first->len);
		return;
	}
	w = last_word(full);
	rest = before(full, w.len);
	if (is_suffix(w) && rest.len > 0) {
		struct span w2 = last_word(rest);
		struct span r2 = before(rest, w2.len);

		if (r2.len > 0) {
			w.s = w2.s;
			w.len = (size_t)(full.s + full.len - w2.s);
			rest = r2;
		}
	}
	*last = w;
	*first = rest;
}

static json_t *join(struct span a, struct span b)
{
	struct ferry_buf buf = FERRY_BUF_INIT;
	json_t *j;

	if (ferry_buf_put(&buf, a.s, a.len) < 0 ||
	    (a.len && b.len && ferry_buf_putc(&buf, ' ') < 0) ||
	    ferry_buf_put(&buf, b.s, b.len) < 0)
		abort(); /* three fields of a CSV record: far below the cap */
	j = tx_string(buf.ptr, buf.len);
	ferry_buf_release(&buf);
	return j;
}

int ferry_tx_name(json_t **out, const char *first, const char *last,
                  const char *full, const struct ferry_tx_ctx *ctx,
                  struct ferry_tx_reason *why)
{
	static const char *const names[] = {"first name", "last name",
	                                    "full name"};
	struct span f, l, n, *parts[3] = {&f, &l, &n};
	json_t *o, *full_json;
	size_t i, bad;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	f.s = tx_trim(first, &f.len);
	l.s = tx_trim(last, &l.len);
	n.s = tx_trim(full, &n.len);
	for (i = 0; i < 3; i++)
		if (!ferry_utf8_valid(parts[i]->s, parts[i]->len, &bad))
			return tx_reason(why, ctx, "not_utf8",
			                 "the %s has a byte that is not UTF-8 "
			                 "(at byte %zu): re-export the file as "
			                 "UTF-8",
			                 names[i], bad + 1);
	if (f.len == 0 && l.len == 0 && n.len == 0) {
		*out = NULL;
		return 0;
	}
	if (f.len || l.len) {
		full_json = n.len ? tx_string(n.s, n.len) : join(f, l);
	} else {
		split_full(n, &f, &l);
		/* "Lovelace, Ada" is a sorting form: the full name reads
		 * "Ada Lovelace". */
		full_json = memchr(n.s, ',', n.len) ? join(f, l)
		                                    : tx_string(n.s, n.len);
	}
	o = json_object();
	if (!o)
		abort();
	json_object_set_new(o, "first_name", tx_string(f.s, f.len));
	json_object_set_new(o, "last_name", tx_string(l.s, l.len));
	json_object_set_new(o, "full_name", full_json);
	*out = o;
	return 0;
}
