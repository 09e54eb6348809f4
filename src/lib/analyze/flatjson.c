/* flatjson.c: reads a staged record, a flat JSON object of column to
 * string, without building a jansson tree: the scan reads every record of
 * the org once, and allocating a node per field was most of its cost. The
 * strings are unescaped into one scratch buffer the caller keeps from
 * record to record. Values that are not strings come as their JSON text
 * (12, true), null as "", and a nested object or array as "". */
#include "util.h"

#include "analyze_int.h"

struct parser {
	const char *p, *end;
	char *w; /* the write position in the scratch buffer */
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	                           *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct parser *ps, unsigned cp)
{
	if (cp < 0x80) {
		*ps->w++ = (char)cp;
	} else if (cp < 0x800) {
		*ps->w++ = (char)(0xC0 | (cp >> 6));
		*ps->w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*ps->w++ = (char)(0xE0 | (cp >> 12));
		*ps->w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*ps->w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*ps->w++ = (char)(0xF0 | (cp >> 18));
		*ps->w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*ps->w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*ps->w++ = (char)(0x80 | (cp & 0x3F));
	}
}

/* \uXXXX, with a following low surrogate for a high one. */
static int unicode_escape(struct parser *ps)
{
	unsigned cp, lo;

	if (ps->end - ps->p < 4 || hex4(ps->p, &cp) < 0)
		return -1;
	ps->p += 4;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (ps->end - ps->p < 6 || ps->p[0] != '\\' ||
		    ps->p[1] != 'u' || hex4(ps->p + 2, &lo) < 0 ||
		    lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return -1;
	}
	put_utf8(ps, cp);
	return 0;
}

/* A string after its opening quote, unescaped and NUL-terminated. */
static int string(struct parser *ps)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *q;

	while (ps->p < ps->end && *ps->p != '"') {
		if (*ps->p != '\\') {
			*ps->w++ = *ps->p++;
			continue;
		}
		if (++ps->p >= ps->end)
			return -1;
		if (*ps->p == 'u') {
			ps->p++;
			if (unicode_escape(ps) < 0)
				return -1;
			continue;
		}
		if (!(q = memchr(from, *ps->p, sizeof(from) - 1)))
			return -1;
		*ps->w++ = to[q - from];
		ps->p++;
	}
	if (ps->p >= ps->end)
		return -1;
	ps->p++;
	*ps->w++ = '\0';
	return 0;
}

/* A nested object or array, skipped whole. */
static int skip_nested(struct parser *ps)
{
	int depth = 0;

	for (; ps->p < ps->end; ps->p++) {
		char c = *ps->p;

		if (c == '"') {
			for (ps->p++; ps->p < ps->end && *ps->p != '"'; ps->p++)
				if (*ps->p == '\\')
					ps->p++;
			if (ps->p >= ps->end)
				return -1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			ps->p++;
			return 0;
		}
	}
	return -1;
}

static int value(struct parser *ps)
{
	const char *start = ps->p;

	if (ps->p >= ps->end)
		return -1;
	if (*ps->p == '"') {
		ps->p++;
		return string(ps);
	}
	if (*ps->p == '{' || *ps->p == '[') {
		if (skip_nested(ps) < 0)
			return -1;
		*ps->w++ = '\0';
		return 0;
	}
	while (ps->p < ps->end && *ps->p != ',' && *ps->p != '}' &&
	       *ps->p != ' ' && *ps->p != '\n' && *ps->p != '\t' &&
	       *ps->p != '\r')
		ps->p++;
	if (ps->p == start)
		return -1;
	if (!(ps->p - start == 4 && !memcmp(start, "null", 4))) {
		memcpy(ps->w, start, (size_t)(ps->p - start));
		ps->w += ps->p - start;
	}
	*ps->w++ = '\0';
	return 0;
}

int an_flat_parse(struct an_flat *f, const char *text, size_t len)
{
	struct parser ps = {.p = text, .end = text + len};
	size_t need = len + 2; /* unescaping never grows; plus the NULs */

	need += len / 2;
	if (need > f->cap) {
		free(f->buf);
		f->cap = need * 2;
		f->buf = ferry_xmalloc(f->cap);
	}
	ps.w = f->buf;
	f->n = 0;
	skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p++ != '{')
		return -1;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}')
		return 0;
	for (;;) {
		size_t key, val;

		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p++ != '"')
			return -1;
		key = (size_t)(ps.w - f->buf);
		if (string(&ps) < 0)
			return -1;
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p++ != ':')
			return -1;
		skip_ws(&ps);
		val = (size_t)(ps.w - f->buf);
		if (value(&ps) < 0)
			return -1;
		if (f->n == f->pairs_cap) {
			f->pairs_cap = f->pairs_cap ? f->pairs_cap * 2 : 32;
			f->pairs = ferry_xrealloc(
			    f->pairs, f->pairs_cap * sizeof(*f->pairs));
		}
		f->pairs[f->n].key = f->buf + key;
		f->pairs[f->n].val = f->buf + val;
		f->n++;
		skip_ws(&ps);
		if (ps.p < ps.end && *ps.p == ',') {
			ps.p++;
			continue;
		}
		if (ps.p < ps.end && *ps.p == '}')
			return 0;
		return -1;
	}
}

void an_flat_free(struct an_flat *f)
{
	free(f->buf);
	free(f->pairs);
	memset(f, 0, sizeof(*f));
}
