/* analyze_flatjson_fuzzer.c: feeds arbitrary bytes to analyze's reader of
 * staged records (a flat JSON object of strings, read without jansson for
 * speed). The text is ferry's own, but the values in it came from a
 * Salesforce org: whatever it gets, the reader must not crash, and what
 * it accepts must agree with jansson. */
#include "util.h"

#include <jansson.h>

#include "../src/lib/analyze/analyze_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct an_flat f;
	json_t *j;
	size_t i;

	memset(&f, 0, sizeof(f));
	if (an_flat_parse(&f, (const char *)data, size) == 0) {
		/* Every pair it gives must be a key jansson reads with the
		 * same string value, when jansson reads the text at all. */
		j = json_loadb((const char *)data, size, JSON_DISABLE_EOF_CHECK,
		               NULL);
		for (i = 0; j && i < f.n; i++) {
			const char *v = json_string_value(
			    json_object_get(j, f.pairs[i].key));
			size_t k, same = 0;

			/* A repeated key (never in ferry's own records):
			 * jansson keeps the last, the reader all. */
			for (k = 0; k < f.n; k++)
				same += !strcmp(f.pairs[k].key, f.pairs[i].key);
			if (v && same == 1 && strcmp(v, f.pairs[i].val) != 0)
				abort();
		}
		json_decref(j);
	}
	/* A second parse reuses the buffers. */
	(void)an_flat_parse(&f, "{\"Id\":\"001\"}", 12);
	an_flat_free(&f);
	return 0;
}
