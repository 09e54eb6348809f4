/* sf_soql_lex.c: the SOQL subset's tokens, its literal formats (dates,
 * datetimes with offsets, strings with backslash escapes) and its error
 * text, which reads like Salesforce's: the query line, a caret under the
 * spot, "ERROR at Row:…:Column:…" and the reason, because clients show
 * it to people. */
#include "util.h"

#include <stdarg.h>
#include <strings.h>

#include "sf_soql_int.h"

/* --- errors --- */

/* Replaces the bytes that are not UTF-8 (a query's own, or one cut by
 * the 512-byte message) with '?', so the message can go into JSON. */
static void utf8_repair(char *s)
{
	size_t len = strlen(s), bad;

	while (!ferry_utf8_valid(s, len, &bad))
		s[bad] = '?';
}

/* Salesforce's error text: the line, a caret under the spot, its row and
 * column, the reason. Long lines are cut to a window around the spot. */
int sf_soql_fail(struct parser *ps, const char *at, const char *code,
                 const char *fmt, ...)
{
	const char *line = ps->text, *s, *end;
	char reason[400];
	int row = 1, col, caret;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (s = ps->text; s < at; s++)
		if (*s == '\n') {
			row++;
			line = s + 1;
		}
	col = (int)(at - line) + 1;
	end = line + strcspn(line, "\r\n");
	if (at - line > 60)
		line = at - 40;
	if (end - line > 100)
		end = line + 100;
	/* cut on character boundaries */
	while (line < at && ((unsigned char)*line & 0xC0) == 0x80)
		line++;
	while (end > at && ((unsigned char)*end & 0xC0) == 0x80)
		end--;
	caret = (int)(at - line);
	sf_err_set(ps->e, 400, code,
	           "\n%.*s\n%*s^\nERROR at Row:%d:Column:%d\n%s",
	           (int)(end - line), line, caret, "", row, col, reason);
	utf8_repair(ps->e->message);
	return -1;
}

int sf_soql_unexpected(struct parser *ps)
{
	if (ps->t.k == TK_EOF)
		return sf_soql_fail(ps, ps->t.s, "MALFORMED_QUERY",
		                    "unexpected token: <EOF>");
	return sf_soql_fail(ps, ps->t.s, "MALFORMED_QUERY",
	                    "unexpected token: '%.*s'",
	                    (int)(ps->t.n > 80 ? 80 : ps->t.n), ps->t.s);
}

/* --- lexer --- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool digits(const char *s, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* The length of a date (YYYY-MM-DD) or datetime literal at s, 0 if
 * neither; *dt says which. */
size_t sf_soql_date_len(const char *s, bool *dt)
{
	size_t n = 10;

	*dt = false;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return 0;
	if (s[10] != 'T')
		return is_ident_start(s[10]) || is_digit(s[10]) ? 0 : 10;
	if (!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2))
		return 0;
	n = 19;
	if (s[n] == '.' && is_digit(s[n + 1])) {
		n++;
		while (is_digit(s[n]))
			n++;
	}
	if (s[n] == 'Z' || s[n] == 'z') {
		n++;
	} else if ((s[n] == '+' || s[n] == '-') && digits(s + n + 1, 2)) {
		n += 3;
		if (s[n] == ':' && digits(s + n + 1, 2))
			n += 3;
		else if (digits(s + n, 2))
			n += 2;
		else
			return 0;
	} else {
		return 0;
	}
	*dt = true;
	return n;
}

void sf_soql_next(struct parser *ps)
{
	const char *p = ps->p;
	struct tok *t = &ps->t;
	bool dt;
	size_t n;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	t->s = p;
	t->n = 1;
	if (!*p) {
		t->k = TK_EOF;
		t->n = 0;
	} else if (is_ident_start(*p)) {
		t->k = TK_IDENT;
		while (is_ident_start(p[t->n]) || is_digit(p[t->n]) ||
		       (p[t->n] == '.' && is_ident_start(p[t->n + 1])))
			t->n++;
	} else if ((n = sf_soql_date_len(p, &dt)) > 0) {
		t->k = dt ? TK_DATETIME : TK_DATE;
		t->n = n;
	} else if (is_digit(*p) ||
	           ((*p == '-' || *p == '+' || *p == '.') &&
	            (is_digit(p[1]) || (p[1] == '.' && is_digit(p[2]))))) {
		t->k = TK_NUMBER;
		while (is_digit(p[t->n]) || p[t->n] == '.')
			t->n++;
	} else if (*p == '\'') {
		t->k = TK_BAD; /* unless it ends */
		while (p[t->n] && p[t->n] != '\'') {
			if (p[t->n] == '\\' && p[t->n + 1])
				t->n++;
			t->n++;
		}
		if (p[t->n] == '\'') {
			t->k = TK_STRING;
			t->n++;
		}
	} else if (*p == ',') {
		t->k = TK_COMMA;
	} else if (*p == '(') {
		t->k = TK_LPAREN;
	} else if (*p == ')') {
		t->k = TK_RPAREN;
	} else if (*p == '=') {
		t->k = TK_OP;
		t->op = OP_EQ;
	} else if (*p == '!' && p[1] == '=') {
		t->k = TK_OP;
		t->op = OP_NE;
		t->n = 2;
	} else if (*p == '<') {
		t->k = TK_OP;
		t->op = p[1] == '=' ? OP_LE : p[1] == '>' ? OP_NE : OP_LT;
		t->n = p[1] == '=' || p[1] == '>' ? 2 : 1;
	} else if (*p == '>') {
		t->k = TK_OP;
		t->op = p[1] == '=' ? OP_GE : OP_GT;
		t->n = p[1] == '=' ? 2 : 1;
	} else {
		t->k = TK_BAD;
		/* one UTF-8 character */
		while ((p[t->n] & 0xC0) == 0x80)
			t->n++;
	}
	ps->p = t->s + t->n;
}

bool sf_soql_is_kw(const struct tok *t, const char *kw)
{
	return t->k == TK_IDENT && strlen(kw) == t->n &&
	       !strncasecmp(t->s, kw, t->n);
}

bool sf_soql_accept_kw(struct parser *ps, const char *kw)
{
	if (!sf_soql_is_kw(&ps->t, kw))
		return false;
	sf_soql_next(ps);
	return true;
}

int sf_soql_expect_kw(struct parser *ps, const char *kw)
{
	return sf_soql_accept_kw(ps, kw) ? 0 : sf_soql_unexpected(ps);
}

bool sf_soql_reserved(const struct tok *t)
{
	static const char *const words[] = {
	    "SELECT", "FROM",  "WHERE", "AND",   "OR",     "NOT",   "LIKE",
	    "IN",     "ORDER", "BY",    "LIMIT", "OFFSET", "ASC",   "DESC",
	    "NULLS",  "NULL",  "TRUE",  "FALSE", "GROUP",  "HAVING"};
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(words); i++)
		if (sf_soql_is_kw(t, words[i]))
			return true;
	return false;
}

/* --- literals --- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Milliseconds since the epoch of a datetime literal or a stored value
 * ("2024-01-15T18:25:32.000Z"); false if it is neither. */
bool sf_soql_parse_datetime(const char *s, size_t len, int64_t *ms)
{
	bool dt;
	size_t n = sf_soql_date_len(s, &dt), i;
	int64_t v, frac = 0, scale = 1000;
	int mon, day, h, mi, sec;

	if (!dt || n != len)
		return false;
	mon = num(s + 5, 2);
	day = num(s + 8, 2);
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	sec = num(s + 17, 2);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	v = days_from_civil(num(s, 4), (unsigned)mon, (unsigned)day) * 86400 +
	    h * 3600 + mi * 60 + sec;
	i = 19;
	if (s[i] == '.') {
		for (i++; is_digit(s[i]); i++) {
			scale /= 10;
			frac += scale * (s[i] - '0');
		}
	}
	if (s[i] == '+' || s[i] == '-') {
		int off = num(s + i + 1, 2) * 3600 +
		          num(s + i + (s[i + 3] == ':' ? 4 : 3), 2) * 60;

		v += s[i] == '+' ? -off : off;
	}
	*ms = v * 1000 + frac;
	return true;
}

char *sf_soql_unquote(const char *s, size_t n)
{
	char *out = ferry_xmalloc(n + 1), *w = out;
	size_t i;

	for (i = 1; i + 1 < n; i++) {
		if (s[i] != '\\') {
			*w++ = s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n':
			*w++ = '\n';
			break;
		case 'r':
			*w++ = '\r';
			break;
		case 't':
			*w++ = '\t';
			break;
		case 'b':
			*w++ = '\b';
			break;
		case 'f':
			*w++ = '\f';
			break;
		case '%':
		case '_':
			/* LIKE escapes stay escaped */
			*w++ = '\\';
			*w++ = s[i];
			break;
		default:
			*w++ = s[i];
			break;
		}
	}
	*w = '\0';
	return out;
}
