/* transform_datetime_fuzzer.c: feeds arbitrary bytes to the date and
 * timestamp transforms and the fixed-offset parser, and the text-like ones
 * (text, select, multiselect, name). Input: "flags\ntime_zone\nvalue"
 * (fewer lines: the last is the value); 'm' or 'd' in flags picks the
 * day/month order, 't' truncates text. Checks that a timestamp written
 * reads back as itself. */
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
	char *s = ferry_xstrndup((const char *)data, size), *p[3] = {0};
	struct ferry_tx_ctx ctx = {.field = "CreatedDate"};
	struct ferry_tx_reason why;
	const char *value;
	json_t *out = NULL, *back = NULL;
	size_t n = split(s, p, 3);
	int minutes;

	value = p[n - 1];
	if (n == 3) {
		ctx.date_order = strchr(p[0], 'm')   ? FERRY_TX_DATE_MDY
		                 : strchr(p[0], 'd') ? FERRY_TX_DATE_DMY
		                                     : FERRY_TX_DATE_ISO;
		ctx.truncate_text = strchr(p[0], 't') != NULL;
		ctx.max_text_chars = strlen(p[0]);
		ctx.time_zone = p[1];
	}
	if (ferry_tx_zone_offset(ctx.time_zone, &minutes) == 0 &&
	    (minutes < -18 * 60 || minutes > 18 * 60))
		abort();
	if (ferry_tx_timestamp(&out, value, &ctx, &why) == 0 && out) {
		const char *ts = json_string_value(out);

		if (!ts || ts[strlen(ts) - 1] != 'Z')
			abort();
		if (ferry_tx_timestamp(&back, ts, NULL, &why) < 0 ||
		    why.code[0] || strcmp(json_string_value(back), ts))
			abort();
		json_decref(back);
	}
	json_decref(out);
	out = NULL;
	if (ferry_tx_date(&out, value, &ctx, &why) == 0 && out &&
	    json_string_length(out) != 10)
		abort();
	json_decref(out);
	out = NULL;
	if (ferry_tx_text(&out, value, &ctx, &why) == 0 && out &&
	    !json_is_string(out))
		abort();
	json_decref(out);
	out = NULL;
	(void)ferry_tx_select(&out, value, &ctx, &why);
	json_decref(out);
	out = NULL;
	if (ferry_tx_multiselect(&out, value, &ctx, &why) == 0 && out &&
	    json_array_size(out) == 0)
		abort();
	json_decref(out);
	out = NULL;
	if (ferry_tx_name(&out, p[0], n > 1 ? p[1] : NULL, value, &ctx, &why) ==
	        0 &&
	    out && json_object_size(out) != 3)
		abort();
	json_decref(out);
	free(s);
	return 0;
}
