/* dedup_keys_fuzzer.c: feeds arbitrary text to the dedup engine's match-key
 * normalizer, as a staged value. The first byte picks the kind of key (low
 * two bits), the default country (next three) and whether the record names
 * its own country (0x20); the rest is the value. A key is never empty, and
 * a key normalized again is itself (keys are fixed points, so two records
 * match however their values were spelled), or for a domain none. */
#include "util.h"

#include "ferry/dedup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const countries[] = {
	    NULL, "US", "GB", "United Kingdom", "FR", "ZZ", "DE", "Japan",
	};
	static const char *const fields[] = {"Field"};
	static const char *const extra[] = {"acme-mail.com"};
	struct ferry_dedup_key key = {.fields = fields, .n_fields = 1};
	struct ferry_dedup_config cfg = {.personal_domains = extra,
	                                 .n_personal_domains = 1};
	struct ferry_buf a = FERRY_BUF_INIT, b = FERRY_BUF_INIT;
	const char *country;
	char *value;

	if (size < 1)
		return 0;
	key.kind = (enum ferry_dedup_kind)(data[0] & 3);
	cfg.default_country = countries[(data[0] >> 2) & 7];
	country = data[0] & 0x20 ? "CA" : NULL;
	value = ferry_xstrndup((const char *)data + 1, size - 1);
	if (ferry_dedup_key_normalize(&a, &key, value, country, &cfg) == 0) {
		int again;

		if (a.len == 0 || strlen(a.ptr) != a.len)
			abort();
		again =
		    ferry_dedup_key_normalize(&b, &key, a.ptr, country, &cfg);
		/* A registrable domain under a two-label suffix can begin
		 * with "www." ("x.www.co.uk" gives "www.co.uk"), which the
		 * domain normalizer strips when it is typed: such a key
		 * gives none again, never another one. */
		if (again == 0 ? strcmp(a.ptr, b.ptr) != 0
		               : key.kind != FERRY_DEDUP_DOMAIN)
			abort();
	}
	ferry_buf_release(&a);
	ferry_buf_release(&b);
	free(value);
	return 0;
}
