/* transform_money_fuzzer.c: feeds arbitrary bytes to the number, currency
 * and checkbox transforms. Input: "flags\ncurrency\nrecord_currency\nvalue"
 * (fewer lines: the last is the value); an 'r' in flags rounds. Checks the
 * exactness claim: a canonical decimal parses to itself, and so does the
 * 64-bit float it becomes, printed with 15 significant digits. */
#include "util.h"

#include "ferry/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t split(char *s, char **parts, size_t n)
{
	size_t k = 0;

	parts[k++] = s;
	while (k < n && (s = strchr(s, '\n')) != NULL) {
		*s++ = '\0';
		parts[k++] = s;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ferry_xstrndup((const char *)data, size), *p[4] = {0};
	char dec[FERRY_TX_DECIMAL_MAX], again[FERRY_TX_DECIMAL_MAX], g[64];
	struct ferry_tx_ctx ctx = {.field = "Amount"};
	struct ferry_tx_reason why;
	const char *value;
	json_t *out = NULL;
	size_t n = split(s, p, 4);
	double d;

	value = p[n - 1];
	if (n == 4) {
		ctx.round_decimals = strchr(p[0], 'r') != NULL;
		ctx.currency = p[1];
		ctx.record_currency = p[2];
	}
	if (ferry_tx_decimal(dec, sizeof(dec), value, &ctx, &why) == 0) {
		if (strlen(dec) >= FERRY_TX_DECIMAL_MAX)
			abort();
		if (ferry_tx_decimal(again, sizeof(again), dec, NULL, &why) ||
		    strcmp(dec, again))
			abort();
		if (ferry_parse_double(dec, &d) < 0)
			abort();
		snprintf(g, sizeof(g), "%.15g", d);
		if (ferry_tx_decimal(again, sizeof(again), g, NULL, &why) ||
		    strcmp(dec, again))
			abort();
	}
	if (ferry_tx_number(&out, value, &ctx, &why) == 0 && out &&
	    !json_is_number(out))
		abort();
	json_decref(out);
	out = NULL;
	if (ferry_tx_currency(&out, value, &ctx, &why) == 0 && out &&
	    !json_is_string(out))
		abort();
	json_decref(out);
	out = NULL;
	if (ferry_tx_boolean(&out, value, &ctx, &why) == 0 && out &&
	    !json_is_boolean(out))
		abort();
	json_decref(out);
	free(s);
	return 0;
}
