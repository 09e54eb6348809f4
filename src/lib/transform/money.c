/* money.c: numbers and currency amounts, parsed as exact decimal text. A
 * value is held as its significant digits and a power of ten, rounded (if
 * asked) and checked in that form, and only the final canonical decimal
 * ever meets a float: Attio stores 64-bit floats, and every number accepted
 * here survives that trip without a changed digit. */
#include "util.h"

#include "tx_int.h"

/* Past 15 significant digits a 64-bit float no longer holds every decimal
 * (DBL_DIG); below 10^15 every integer is exact (2^53 is about 9 x 10^15);
 * Attio keeps 4 decimals. */
#define SIG_MAX      15
#define INT_DIGITS   15
#define DECIMALS     4
#define DIGITS_KEPT  64
#define EXPONENT_CAP 100000000L

struct decimal {
	bool neg;
	char digits[DIGITS_KEPT + 2]; /* significant, no leading zero */
	size_t n;                     /* 0 means the value is zero */
	long exp;                     /* value = digits x 10^exp */
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Adds one mantissa digit; `frac` if it comes after the point. */
static void add_digit(struct decimal *d, char ch, bool frac)
{
	if (d->n == 0 && ch == '0') {
		if (frac)
			d->exp--;
		return;
	}
	if (d->n < DIGITS_KEPT) {
		d->digits[d->n++] = ch;
		if (frac)
			d->exp--;
	} else if (!frac) {
		d->exp++; /* an integer digit past what is kept */
	}
}

static void strip_zeros(struct decimal *d)
{
	while (d->n > 0 && d->digits[d->n - 1] == '0') {
		d->n--;
		d->exp++;
	}
	if (d->n == 0) {
		d->neg = false;
		d->exp = 0;
	}
}

/* Parses [+-]digits[.digits][(e|E)[+-]digits]; false if it is not that. */
static bool parse(struct decimal *d, const char *s, size_t len)
{
	const char *end = s + len;
	size_t mantissa = 0;
	long e = 0;
	bool eneg = false;

	memset(d, 0, sizeof(*d));
	if (s < end && (*s == '+' || *s == '-'))
		d->neg = *s++ == '-';
	for (; s < end && is_digit(*s); s++, mantissa++)
		add_digit(d, *s, false);
	if (s < end && *s == '.')
		for (s++; s < end && is_digit(*s); s++, mantissa++)
			add_digit(d, *s, true);
	if (mantissa == 0)
		return false;
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		if (s == end || !is_digit(*s))
			return false;
		for (; s < end && is_digit(*s); s++)
			if (e < EXPONENT_CAP)
				e = e * 10 + (*s - '0');
		d->exp += eneg ? -e : e;
	}
	if (s != end)
		return false;
	strip_zeros(d);
	return true;
}

/* Rounds to 4 decimals, half away from zero. */
static void round4(struct decimal *d)
{
	long drop = -DECIMALS - d->exp; /* digits below 10^-4 */
	long keep = (long)d->n - drop;
	bool up;
	long i;

	if (drop <= 0)
		return;
	if (keep < 0) {
		d->n = 0;
		strip_zeros(d);
		return;
	}
	up = d->digits[keep] >= '5';
	d->n = (size_t)keep;
	d->exp = -DECIMALS;
	if (up) {
		for (i = keep - 1; i >= 0 && d->digits[i] == '9'; i--)
			d->digits[i] = '0';
		if (i >= 0) {
			d->digits[i]++;
		} else {
			memmove(d->digits + 1, d->digits, d->n);
			d->digits[0] = '1';
			d->n++;
		}
	}
	strip_zeros(d);
}

/* The canonical decimal: "-12.5", "0.0001", "10000000". The value has at
 * most 15 digits and 4 decimals, so it always fits FERRY_TX_DECIMAL_MAX. */
static void format(char *buf, size_t size, const struct decimal *d)
{
	size_t o = 0, i;
	long point = (long)d->n + d->exp, z;

	if (d->n == 0) {
		snprintf(buf, size, "0");
		return;
	}
	if (d->neg)
		buf[o++] = '-';
	if (point <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (z = point; z < 0; z++)
			buf[o++] = '0';
	}
	for (i = 0; i < d->n; i++) {
		if (point > 0 && (long)i == point)
			buf[o++] = '.';
		buf[o++] = d->digits[i];
	}
	for (z = d->exp; z > 0; z--)
		buf[o++] = '0';
	buf[o] = '\0';
}

/* Parses and checks `value` (trimmed, not empty) into `buf`. */
static int decimal(char *buf, size_t size, struct decimal *d, const char *s,
                   size_t len, const struct ferry_tx_ctx *ctx,
                   struct ferry_tx_reason *why)
{
	char show[TX_SHOW_MAX];
	bool rounded = false;

	tx_show(show, sizeof(show), s, len);
	if (!parse(d, s, len)) {
		if (memchr(s, ',', len))
			return tx_reason(why, ctx, "number_invalid",
			                 "'%s' is not a number: a comma is "
			                 "neither a decimal point nor allowed "
			                 "between thousands here",
			                 show);
		return tx_reason(why, ctx, "number_invalid",
		                 "'%s' is not a number (digits, an optional "
		                 "sign, '.' and E exponent, as Salesforce "
		                 "exports them)",
		                 show);
	}
	if (d->exp < -DECIMALS) {
		if (!ctx->round_decimals)
			return tx_reason(
			    why, ctx, "number_too_precise",
			    "'%s' has %ld decimals and Attio keeps "
			    "%d: round it in Salesforce, or let the "
			    "mapping round it",
			    show, -d->exp, DECIMALS);
		round4(d);
		rounded = true;
	}
	if (d->n > SIG_MAX)
		return tx_reason(
		    why, ctx, "number_too_long",
		    "'%s' has %zu significant digits; Attio stores "
		    "numbers as 64-bit floats, which keep %d "
		    "without changing one",
		    show, d->n, SIG_MAX);
	if (d->n > 0 && (long)d->n + d->exp > INT_DIGITS)
		return tx_reason(why, ctx, "number_too_large",
		                 "'%s' is 10^%d or more: ferry writes numbers "
		                 "below that exactly, and a larger one is most "
		                 "likely a data error",
		                 show, INT_DIGITS);
	if (size < FERRY_TX_DECIMAL_MAX)
		return tx_reason(why, ctx, "internal",
		                 "decimal buffer too small");
	format(buf, size, d);
	if (rounded)
		tx_note(why, ctx, "number_rounded",
		        "'%s' rounded to %s (Attio keeps %d decimals)", show,
		        buf, DECIMALS);
	return 0;
}

int ferry_tx_decimal(char *buf, size_t size, const char *value,
                     const struct ferry_tx_ctx *ctx,
                     struct ferry_tx_reason *why)
{
	struct decimal d;
	const char *s;
	size_t len;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0)
		return tx_reason(why, ctx, "empty", "no value");
	return decimal(buf, size, &d, s, len, ctx, why);
}

int ferry_tx_number(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	char buf[FERRY_TX_DECIMAL_MAX];
	struct decimal d;
	const char *s;
	size_t len;
	json_t *j;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	if (decimal(buf, sizeof(buf), &d, s, len, ctx, why) < 0)
		return FERRY_EINVALID;
	if (d.exp >= 0) {
		int64_t i;

		if (ferry_parse_i64(buf, &i) < 0)
			abort(); /* below 10^15 by construction */
		j = json_integer(i);
	} else {
		double x;

		if (ferry_parse_double(buf, &x) < 0)
			abort();
		j = json_real(x);
	}
	if (!j)
		abort();
	*out = j;
	return 0;
}

/* Currency codes compared ignoring ASCII case. */
static bool same_code(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 'a' + 'A');
		if (x != y)
			return false;
	}
	return true;
}

int ferry_tx_currency(json_t **out, const char *value,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why)
{
	char buf[FERRY_TX_DECIMAL_MAX], rec[TX_SHOW_MAX], attr[TX_SHOW_MAX];
	const char *s, *rc, *ac;
	size_t len, rlen, alen;
	struct decimal d;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	if (decimal(buf, sizeof(buf), &d, s, len, ctx, why) < 0)
		return FERRY_EINVALID;
	rc = tx_trim(ctx->record_currency, &rlen);
	ac = tx_trim(ctx->currency, &alen);
	if (rlen > 0) {
		tx_show(rec, sizeof(rec), rc, rlen);
		if (alen == 0)
			return tx_reason(why, ctx, "currency_unchecked",
			                 "amount %s is in %s, but the "
			                 "attribute's currency is not known: "
			                 "ferry cannot tell whether they agree",
			                 buf, rec);
		tx_show(attr, sizeof(attr), ac, alen);
		if (!same_code(rc, rlen, ac, alen))
			return tx_reason(
			    why, ctx, "currency_mismatch",
			    "amount %s is in %s, but the attribute holds %s "
			    "and "
			    "Attio takes the currency from the attribute: "
			    "convert the amount, or map %s amounts to an "
			    "attribute in %s",
			    buf, rec, attr, rec, rec);
	}
	*out = tx_string(buf, strlen(buf));
	return 0;
}
