/* transform_phone_fuzzer.c: feeds arbitrary bytes to the phone, country and
 * location transforms. Input: "flags\ncountry\ndefault_country\nvalue"
 * (fewer lines: the last is the value); an 'x' in flags drops extensions.
 * Checks that every E.164 form is "+" and 8 to 15 digits, and that
 * normalizing it again gives itself. */
#include "util.h"

#include "ferry/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits `s` in place into up to `n` lines; the last takes the rest.
 * Returns how many there are. */
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

static void check_e164(const char *e)
{
	size_t i, n = strlen(e);

	if (e[0] != '+' || n < 9 || n > 16)
		abort();
	for (i = 1; i < n; i++)
		if (e[i] < '0' || e[i] > '9')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ferry_xstrndup((const char *)data, size), *p[4] = {0};
	struct ferry_tx_ctx ctx = {.field = "Phone"};
	struct ferry_tx_address a = {0};
	struct ferry_tx_reason why;
	char e164[FERRY_TX_E164_MAX], again[FERRY_TX_E164_MAX];
	const char *value, *iso;
	json_t *out = NULL;
	size_t n = split(s, p, 4);
	int rc;

	value = p[n - 1];
	if (n == 4) {
		ctx.drop_extension = strchr(p[0], 'x') != NULL;
		ctx.country = p[1];
		ctx.default_country = p[2];
	} else if (n >= 2) {
		ctx.country = p[0];
	}
	rc = ferry_tx_phone(&out, value, &ctx, &why);
	if (rc < 0 && (!why.code[0] || !why.message[0]))
		abort();
	if (rc == 0 && json_is_string(out))
		check_e164(json_string_value(out));
	if (rc == 0 && json_is_object(out)) {
		const char *cc =
		    json_string_value(json_object_get(out, "country_code"));

		if (!cc || strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z')
			abort();
	}
	json_decref(out);
	if (ferry_tx_phone_e164(e164, value, &ctx, &why) == 0) {
		check_e164(e164);
		if (rc < 0)
			abort(); /* the two must agree */
		if (ferry_tx_phone_e164(again, e164, NULL, &why) < 0 ||
		    strcmp(again, e164))
			abort();
	}
	if ((iso = ferry_tx_country_code(value)) != NULL &&
	    (strlen(iso) != 2 || !ferry_tx_country_code(iso) ||
	     strcmp(ferry_tx_country_code(iso), iso)))
		abort();
	/* The same bytes as an address, one component per line. */
	a.country = ctx.country;
	a.street = value;
	a.city = ctx.default_country;
	a.latitude = p[0];
	a.longitude = value;
	out = NULL;
	if (ferry_tx_location(&out, &a, &ctx, &why) == 0 && out &&
	    json_object_size(out) != 10)
		abort();
	json_decref(out);
	free(s);
	return 0;
}
