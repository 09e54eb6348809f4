/* reason.c: the reasons and notes the value transforms give, and the small
 * text helpers they share. */
#include "util.h"

#include <stdarg.h>

#include "tx_int.h"

/* Drops a UTF-8 sequence that vsnprintf cut short at the end of `msg`, so
 * that a message is always valid UTF-8 (it may be sent as JSON). */
static void utf8_tidy(char *msg)
{
	size_t len = strlen(msg), lead = len, need;
	unsigned char c;

	while (lead > 0 && ((unsigned char)msg[lead - 1] & 0xC0) == 0x80 &&
	       len - lead < 3)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)msg[lead - 1];
	if (c < 0xC0)
		return; /* ASCII, or stray continuation bytes: not ours */
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (len - (lead - 1) < need)
		msg[lead - 1] = '\0';
}

static void fill(struct ferry_tx_reason *why, const struct ferry_tx_ctx *ctx,
                 const char *code)
{
	snprintf(why->field, sizeof(why->field), "%s",
	         ctx && ctx->field ? ctx->field : "");
	snprintf(why->code, sizeof(why->code), "%s", code);
}

int tx_reason(struct ferry_tx_reason *why, const struct ferry_tx_ctx *ctx,
              const char *code, const char *fmt, ...)
{
	va_list ap;

	fill(why, ctx, code);
	va_start(ap, fmt);
	vsnprintf(why->message, sizeof(why->message), fmt, ap);
	va_end(ap);
	utf8_tidy(why->message);
	if (why->field[0])
		return ferry_error_set(FERRY_EINVALID, "%s: %s", why->field,
		                       why->message);
	return ferry_error_set(FERRY_EINVALID, "%s", why->message);
}

void tx_note(struct ferry_tx_reason *why, const struct ferry_tx_ctx *ctx,
             const char *code, const char *fmt, ...)
{
	size_t len = 0;
	va_list ap;

	if (why->code[0]) {
		len = strlen(why->message);
		if (len + 2 >= sizeof(why->message))
			return;
		memcpy(why->message + len, "; ", 3);
		len += 2;
	} else {
		fill(why, ctx, code);
	}
	va_start(ap, fmt);
	vsnprintf(why->message + len, sizeof(why->message) - len, fmt, ap);
	va_end(ap);
	utf8_tidy(why->message);
}

void tx_clear(struct ferry_tx_reason *why)
{
	why->field[0] = '\0';
	why->code[0] = '\0';
	why->message[0] = '\0';
}

const struct ferry_tx_ctx *tx_ctx(const struct ferry_tx_ctx *ctx)
{
	static const struct ferry_tx_ctx defaults;

	return ctx ? ctx : &defaults;
}

bool tx_iequal(const char *s, size_t len, const char *word)
{
	size_t i;

	if (strlen(word) != len)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != word[i])
			return false;
	}
	return true;
}

bool tx_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

const char *tx_trim_span(const char *s, size_t n, size_t *len)
{
	while (n > 0 && tx_is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && tx_is_space(s[n - 1]))
		n--;
	*len = n;
	return s;
}

const char *tx_trim(const char *s, size_t *len)
{
	if (!s)
		s = "";
	return tx_trim_span(s, strlen(s), len);
}

json_t *tx_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);

	if (!j)
		abort(); /* checked UTF-8: only out of memory gets here */
	return j;
}

/* The length of the UTF-8 sequence at s[0..left), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return ferry_utf8_valid((const char *)s, n, NULL) ? n : 0;
}

const char *tx_show(char *buf, size_t size, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t i = 0, o = 0, limit = size < 8 ? 0 : size - 4;

	if (limit > 60)
		limit = 60;
	while (i < len && o < limit) {
		size_t n = utf8_seq(u + i, len - i);

		if (n == 0) {
			buf[o++] = '?';
			i++;
		} else if (n == 1) {
			buf[o++] =
			    u[i] < 0x20 || u[i] == 0x7f ? ' ' : (char)u[i];
			i++;
		} else {
			if (o + n > limit)
				break;
			memcpy(buf + o, u + i, n);
			o += n;
			i += n;
		}
	}
	if (i < len && size >= 4) {
		memcpy(buf + o, "\xE2\x80\xA6", 3); /* … */
		o += 3;
	}
	if (size > 0)
		buf[o < size ? o : size - 1] = '\0';
	return buf;
}
