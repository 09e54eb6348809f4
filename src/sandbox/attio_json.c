/* attio_json.c: numbers kept exact from request to reply. jansson turns
 * 4.99 into the nearest double and writes it back as 4.9900000000000002;
 * currency values must keep their decimal text, so the body's literals
 * are remembered as they were sent, stored as canonical decimal text, and
 * written back bare. Also the query-string decoder the handlers share. */
#include "util.h"

#include <ctype.h>
#include <pthread.h>
#include <sys/random.h>

#include "attio_sandbox.h"

#define INT_DIGITS 30 /* the largest canonical decimal: 30 integer digits */
#define MAX_PLACES 9

static char nonce[24]; /* "\x1f" + 16 hex digits + "#" */
static pthread_once_t nonce_once = PTHREAD_ONCE_INIT;

static void make_nonce(void)
{
	unsigned char b[8];
	size_t got = 0, i;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n > 0)
			got += (size_t)n;
	}
	nonce[0] = '\x1f';
	for (i = 0; i < sizeof(b); i++)
		snprintf(nonce + 1 + 2 * i, 3, "%02x", b[i]);
	nonce[17] = '#';
	nonce[18] = '\0';
}

static bool has_point(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '.' || p[i] == 'e' || p[i] == 'E')
			return true;
	return false;
}

/* Is [p, p+n) a number that jansson keeps exactly (an integer of at most
 * 18 digits)? */
static bool plain_integer(const char *p, size_t n)
{
	size_t i, digits = 0;

	if (has_point(p, n))
		return false;
	for (i = 0; i < n; i++)
		digits += isdigit((unsigned char)p[i]) != 0;
	return digits <= 18;
}

/* Two copies of the body: `real` with every number as jansson reads it
 * (an over-long integer made a real so it parses), `quoted` with every
 * number that is not a plain integer as a string of its literal. */
static int rewrite(const char *text, size_t len, struct ferry_buf *real,
                   struct ferry_buf *quoted)
{
	bool in_str = false;
	size_t i = 0;

	while (i < len) {
		char c = text[i];

		if (in_str) {
			size_t n = c == '\\' && i + 1 < len ? 2 : 1;

			if (c == '"')
				in_str = false;
			if (ferry_buf_put(real, text + i, n) < 0 ||
			    ferry_buf_put(quoted, text + i, n) < 0)
				return -1;
			i += n;
			continue;
		}
		if (c == '-' || isdigit((unsigned char)c)) {
			size_t n = 1;

			while (i + n < len &&
			       strchr("0123456789+-.eE", text[i + n]))
				n++;
			if (plain_integer(text + i, n)) {
				if (ferry_buf_put(real, text + i, n) < 0 ||
				    ferry_buf_put(quoted, text + i, n) < 0)
					return -1;
			} else if (ferry_buf_put(real, text + i, n) < 0 ||
			           (!has_point(text + i, n) &&
			            ferry_buf_puts(real, ".0") < 0) ||
			           ferry_buf_putc(quoted, '"') < 0 ||
			           ferry_buf_put(quoted, text + i, n) < 0 ||
			           ferry_buf_putc(quoted, '"') < 0) {
				return -1;
			}
			i += n;
			continue;
		}
		if (c == '"')
			in_str = true;
		if (ferry_buf_putc(real, c) < 0 ||
		    ferry_buf_putc(quoted, c) < 0)
			return -1;
		i++;
	}
	return 0;
}

static void remember(struct attio_sb *sb, json_t *node, const char *text)
{
	sb->numtexts = ferry_xrealloc(sb->numtexts, (sb->n_numtexts + 1) *
	                                                sizeof(*sb->numtexts));
	sb->numtexts[sb->n_numtexts].node = node;
	sb->numtexts[sb->n_numtexts].text = ferry_xstrdup(text);
	sb->n_numtexts++;
}

/* Pairs the two trees node by node (same keys, same indexes). */
static void pair(struct attio_sb *sb, json_t *real, json_t *quoted)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!quoted)
		return;
	if (json_is_real(real) && json_is_string(quoted)) {
		remember(sb, real, json_string_value(quoted));
	} else if (json_is_object(real)) {
		json_object_foreach(real, key, v)
		{
			pair(sb, v, json_object_get(quoted, key));
		}
	} else if (json_is_array(real)) {
		json_array_foreach(real, i, v)
		{
			pair(sb, v, json_array_get(quoted, i));
		}
	}
}

json_t *attio_json_parse(struct attio_sb *sb, const char *text, size_t len,
                         json_error_t *err)
{
	struct ferry_buf real = FERRY_BUF_INIT, quoted = FERRY_BUF_INIT;
	json_t *tree = NULL, *qtree = NULL;

	attio_json_forget(sb);
	ferry_buf_init(&real, len * 2 + 64);
	ferry_buf_init(&quoted, len * 2 + 64);
	if (rewrite(text, len, &real, &quoted) < 0) {
		/* cannot happen below the caps; parse as it is */
		tree = json_loadb(text, len, 0, err);
		goto done;
	}
	tree = json_loadb(real.ptr, real.len, 0, err);
	if (tree && (qtree = json_loadb(quoted.ptr, quoted.len, 0, NULL)))
		pair(sb, tree, qtree);
done:
	json_decref(qtree);
	ferry_buf_release(&real);
	ferry_buf_release(&quoted);
	return tree;
}

void attio_json_forget(struct attio_sb *sb)
{
	size_t i;

	for (i = 0; i < sb->n_numtexts; i++)
		free(sb->numtexts[i].text);
	free(sb->numtexts);
	sb->numtexts = NULL;
	sb->n_numtexts = 0;
}

const char *attio_number_text(struct attio_sb *sb, json_t *v)
{
	size_t i;

	for (i = 0; i < sb->n_numtexts; i++)
		if (sb->numtexts[i].node == v)
			return sb->numtexts[i].text;
	return NULL;
}

int attio_decimal(const char *in, int places, char out[ATTIO_NUM_LEN])
{
	/* slot k holds the digit of 10^(INT_DIGITS - 1 - k) */
	char slot[INT_DIGITS + MAX_PLACES];
	const char *p = in;
	long point = 0, exp = 0, pos;
	size_t n = 0, k, nslots;
	bool neg = false, any = false, round_up = false, seen = false;
	char digs[160];

	if (places < 0 || places > MAX_PLACES)
		return -1;
	nslots = (size_t)(INT_DIGITS + places);
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p); p++) {
		any = true;
		if (!seen && *p == '0')
			continue; /* leading zero */
		seen = true;
		if (n < sizeof(digs))
			digs[n++] = *p;
		point++;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			any = true;
			if (!seen && *p == '0') {
				point--;
				continue;
			}
			seen = true;
			if (n < sizeof(digs))
				digs[n++] = *p;
		}
	}
	if (!any)
		return -1;
	if (*p == 'e' || *p == 'E') {
		bool eneg = false;
		int ed = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; isdigit((unsigned char)*p); p++, ed++)
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
		if (ed == 0)
			return -1;
		exp = eneg ? -exp : exp;
	}
	if (*p != '\0')
		return -1;
	point += exp;
	if (n > 0 && point > INT_DIGITS)
		return -1;
	memset(slot, '0', sizeof(slot));
	for (k = 0; k < n; k++) {
		/* digit k is worth 10^(point - 1 - k) */
		pos = (long)INT_DIGITS - point + (long)k;
		if (pos >= 0 && pos < (long)nslots)
			slot[pos] = digs[k];
		else if (pos == (long)nslots)
			round_up = digs[k] >= '5';
	}
	for (k = nslots; round_up && k > 0; k--) {
		round_up = slot[k - 1] == '9';
		slot[k - 1] = round_up ? '0' : (char)(slot[k - 1] + 1);
	}
	if (round_up)
		return -1;
	{
		size_t first = 0, last = nslots, o = 0;

		while (first < INT_DIGITS - 1 && slot[first] == '0')
			first++;
		while (last > INT_DIGITS && slot[last - 1] == '0')
			last--;
		for (k = first; k < last && slot[k] == '0'; k++)
			;
		if (neg && k < last)
			out[o++] = '-';
		for (k = first; k < INT_DIGITS; k++)
			out[o++] = slot[k];
		if (last > INT_DIGITS)
			out[o++] = '.';
		for (k = INT_DIGITS; k < last; k++)
			out[o++] = slot[k];
		out[o] = '\0';
	}
	return 0;
}

int attio_number_input(struct attio_sb *sb, json_t *v, bool allow_string,
                       int places, char out[ATTIO_NUM_LEN])
{
	char buf[64];
	const char *text = NULL;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld",
		         (long long)json_integer_value(v));
		text = buf;
	} else if (json_is_real(v)) {
		text = attio_number_text(sb, v);
		if (!text) {
			/* no literal known (the fuzzer calls the router
			 * directly): the shortest text that reads back */
			double d = json_real_value(v), back = 0;

			snprintf(buf, sizeof(buf), "%.15g", d);
			if (ferry_parse_double(buf, &back) < 0 || back != d)
				snprintf(buf, sizeof(buf), "%.17g", d);
			text = buf;
		}
	} else if (allow_string && json_is_string(v)) {
		snprintf(buf, sizeof(buf), "%s", json_string_value(v));
		text = ferry_str_trim(buf);
	}
	if (!text || attio_decimal(text, places, out) < 0)
		return -1;
	return 0;
}

json_t *attio_json_raw_number(const char *decimal)
{
	char buf[ATTIO_NUM_LEN + 32];

	pthread_once(&nonce_once, make_nonce);
	snprintf(buf, sizeof(buf), "%s%s", nonce, decimal);
	return json_string(buf);
}

char *attio_json_dump(json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT), *mark, *p;
	char pat[40];
	size_t plen;
	struct ferry_buf out = FERRY_BUF_INIT;

	if (!text)
		return ferry_xstrdup("{}");
	pthread_once(&nonce_once, make_nonce);
	/* jansson writes the 0x1f as \u001F or \u001f */
	snprintf(pat, sizeof(pat), "\"\\u001%c%s", 'F', nonce + 1);
	plen = strlen(pat);
	if (!strstr(text, pat)) {
		pat[5] = 'f';
		if (!strstr(text, pat))
			return text;
	}
	ferry_buf_init(&out, strlen(text) + 1);
	for (p = text; (mark = strstr(p, pat)); p = mark) {
		char *end = strchr(mark + plen, '"');

		if (!end)
			break;
		if (ferry_buf_put(&out, p, (size_t)(mark - p)) < 0 ||
		    ferry_buf_put(&out, mark + plen,
		                  (size_t)(end - mark - (ptrdiff_t)plen)) < 0)
			abort(); /* the output is never longer than text */
		mark = end + 1;
	}
	if (ferry_buf_puts(&out, p) < 0)
		abort();
	free(text);
	return ferry_buf_detach(&out, NULL);
}
