/* text.c: the value transforms of text-like types: text, email, domain,
 * checkbox, select and multiselect. */
#include "util.h"

#include "ferry/normalize.h"
#include "tx_int.h"

/* Attio's cap on a text value. */
#define TEXT_MAX_BYTES ((size_t)10 * 1024 * 1024)
/* More options than any Salesforce multi-picklist can hold (500). */
#define MULTI_MAX 1000

/* Checks `s` is UTF-8, or fills a not_utf8 reason. */
static int check_utf8(const char *s, size_t len, const char *what,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why)
{
	size_t bad = 0;

	if (ferry_utf8_valid(s, len, &bad))
		return 0;
	return tx_reason(why, ctx, "not_utf8",
	                 "%s has a byte that is not UTF-8 (at byte %zu): "
	                 "re-export the file as UTF-8",
	                 what, bad + 1);
}

int ferry_tx_text(json_t **out, const char *value,
                  const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	const char *s = value ? value : "";
	size_t len = strlen(s), tlen, i, chars = 0, cut = len;
	size_t max;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	tx_trim(s, &tlen);
	if (tlen == 0) {
		*out = NULL;
		return 0;
	}
	if (check_utf8(s, len, "text", ctx, why) < 0)
		return FERRY_EINVALID;
	max = ctx->max_text_chars;
	for (i = 0; i < len; i++) {
		unsigned char lead = (unsigned char)s[i];
		size_t n = lead < 0x80   ? 1
		           : lead < 0xE0 ? 2
		           : lead < 0xF0 ? 3
		                         : 4;

		if ((lead & 0xC0) == 0x80)
			continue; /* inside a character */
		if ((max && chars == max) || i + n > TEXT_MAX_BYTES) {
			cut = i;
			break;
		}
		chars++;
	}
	if (cut < len) {
		size_t total = chars;

		for (; i < len; i++)
			if (((unsigned char)s[i] & 0xC0) != 0x80)
				total++;
		if (!ctx->truncate_text) {
			if (max && total > max)
				return tx_reason(
				    why, ctx, "text_too_long",
				    "text of %zu characters is longer "
				    "than the %zu this attribute "
				    "takes: shorten it, or let the "
				    "mapping truncate it",
				    total, max);
			return tx_reason(why, ctx, "text_too_long",
			                 "text of %zu bytes is over Attio's "
			                 "10 MB limit: shorten it, or let the "
			                 "mapping truncate it",
			                 len);
		}
		tx_note(why, ctx, "text_truncated",
		        "text cut from %zu to %zu characters", total, chars);
	}
	*out = tx_string(s, cut);
	return 0;
}

/* The part of a normalize.h message after "<prefix>'<value>': ", where the
 * value is known; `fallback` if it is not of that form (the message would
 * quote the value whole, and it may be long or not UTF-8). */
static const char *why_part(const char *msg, const char *prefix,
                            const char *value, size_t vlen,
                            const char *fallback)
{
	size_t plen = strlen(prefix);

	if (strncmp(msg, prefix, plen) || strlen(msg) < plen + vlen + 3 ||
	    strncmp(msg + plen, value, vlen) ||
	    strncmp(msg + plen + vlen, "': ", 3))
		return fallback;
	return msg + plen + vlen + 3;
}

int ferry_tx_email(json_t **out, const char *value,
                   const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	struct ferry_buf display = FERRY_BUF_INIT;
	char show[TX_SHOW_MAX];
	const char *s;
	size_t len;
	int error = 0;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	if (ferry_normalize_email(&display, NULL, value) < 0) {
		const char *msg = ferry_error_last();

		error = tx_reason(
		    why, ctx, "email_invalid",
		    "email '%s' is not an address: %s",
		    tx_show(show, sizeof(show), s, len),
		    why_part(msg, "invalid email address '", s, len,
		             "it is not of the form name@domain.tld"));
		goto done;
	}
	*out = tx_string(display.ptr, display.len);
done:
	ferry_buf_release(&display);
	return error;
}

int ferry_tx_domain(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	struct ferry_buf domain = FERRY_BUF_INIT;
	char show[TX_SHOW_MAX];
	const char *s;
	size_t len;
	int error = 0;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	tx_show(show, sizeof(show), s, len);
	if (ferry_normalize_domain(&domain, value) < 0) {
		const char *msg = ferry_error_last();

		error = tx_reason(why, ctx, "domain_invalid",
		                  "website '%s' has no domain: %s", show,
		                  why_part(msg, "no domain in website '", value,
		                           strlen(value),
		                           "it is not a website's address"));
		goto done;
	}
	if (ferry_is_personal_domain(domain.ptr)) {
		error = tx_reason(why, ctx, "domain_personal",
		                  "website '%s' is a personal-email provider "
		                  "(%s), which never identifies a company",
		                  show, domain.ptr);
		goto done;
	}
	*out = tx_string(domain.ptr, domain.len);
done:
	ferry_buf_release(&domain);
	return error;
}

int ferry_tx_boolean(json_t **out, const char *value,
                     const struct ferry_tx_ctx *ctx,
                     struct ferry_tx_reason *why)
{
	static const char *const yes[] = {"true", "1", "yes"};
	static const char *const no[] = {"false", "0", "no"};
	char show[TX_SHOW_MAX];
	const char *s;
	size_t len, i;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	for (i = 0; i < FERRY_ARRAY_LEN(yes); i++) {
		if (tx_iequal(s, len, yes[i])) {
			*out = json_true();
			return 0;
		}
		if (tx_iequal(s, len, no[i])) {
			*out = json_false();
			return 0;
		}
	}
	return tx_reason(why, ctx, "boolean_invalid",
	                 "'%s' is not a checkbox value: use true/false, "
	                 "yes/no or 1/0",
	                 tx_show(show, sizeof(show), s, len));
}

int ferry_tx_select(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	const char *s;
	size_t len;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	if (check_utf8(s, len, "option", ctx, why) < 0)
		return FERRY_EINVALID;
	*out = tx_string(s, len);
	return 0;
}

/* True if `list` already holds the string s[0..len). */
static bool has_item(const json_t *list, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *item = json_array_get(list, i);

		if (json_string_length(item) == len &&
		    !memcmp(json_string_value(item), s, len))
			return true;
	}
	return false;
}

int ferry_tx_multiselect(json_t **out, const char *value,
                         const struct ferry_tx_ctx *ctx,
                         struct ferry_tx_reason *why)
{
	const char *s = value ? value : "", *p;
	json_t *list;
	size_t n = 0;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	if (check_utf8(s, strlen(s), "multi-picklist", ctx, why) < 0)
		return FERRY_EINVALID;
	for (p = s; *p; p++)
		if (*p == ';' && ++n >= MULTI_MAX)
			return tx_reason(why, ctx, "too_many_values",
			                 "multi-picklist has more than %d "
			                 "values: it is not a Salesforce "
			                 "multi-picklist",
			                 MULTI_MAX);
	list = json_array();
	if (!list)
		abort();
	for (p = s;;) {
		size_t span = strcspn(p, ";"), len;
		const char *item = tx_trim_span(p, span, &len);

		if (len > 0 && !has_item(list, item, len))
			json_array_append_new(list, tx_string(item, len));
		p += span;
		if (!*p++)
			break;
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		list = NULL;
	}
	*out = list;
	return 0;
}
