/* sf_token_fuzzer.c: the readers of what a Salesforce login host and
 * instance answer (token responses, OAuth errors, REST error bodies, the
 * Sforce-Limit-Info header, instance and identity URLs) over arbitrary
 * bytes, as a proxy, an outage or a hostile host might send them. */
#include "util.h"

#include "../src/lib/connectors/salesforce/sf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const char *s, size_t cap, bool utf8_in)
{
	const char *end = memchr(s, '\0', cap);

	if (!end || strchr(s, '\n') || strchr(s, '\r'))
		abort();
	if (utf8_in && !ferry_utf8_valid(s, (size_t)(end - s), NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	bool utf8 = ferry_utf8_valid(in, size, NULL);
	struct ferry_sf_token t;
	char a[64], b[256], org[19], user[19], *text;
	int64_t used = -7, max = -7;

	ferry_sf__token_init(&t);
	if (ferry_sf__parse_token(&t, in, size) == 0) {
		if (!t.access_token.len || !t.instance_url ||
		    strlen(t.access_token.ptr) != t.access_token.len ||
		    t.issued_at_ms < -1)
			abort();
		/* What a login would then check before using it. */
		if (ferry_sf__url_ok(t.instance_url) &&
		    strpbrk(t.instance_url, " \r\n\t@?#"))
			abort();
		ferry_sf__split_identity(t.id, org, user);
		if ((org[0] && strlen(org) != 18) ||
		    (user[0] && strlen(user) != 18) || (!org[0] != !user[0]))
			abort();
	}
	ferry_sf__token_release(&t);

	memset(a, 0x5a, sizeof(a));
	memset(b, 0x5a, sizeof(b));
	if (ferry_sf__parse_token_error(in, size, a, sizeof(a), b, sizeof(b)) ==
	        0 &&
	    !a[0])
		abort();
	check_line(a, sizeof(a), utf8);
	check_line(b, sizeof(b), utf8);

	memset(a, 0x5a, sizeof(a));
	memset(b, 0x5a, sizeof(b));
	if (ferry_sf__parse_error(in, size, a, sizeof(a), b, sizeof(b)) < 0 &&
	    (a[0] || b[0]))
		abort();
	check_line(a, sizeof(a), utf8);
	check_line(b, sizeof(b), utf8);

	/* The header and URL readers take C strings. */
	text = ferry_xstrndup(in, size);
	if (ferry_sf__parse_limit_info(text, &used, &max) == 0) {
		if (used < 0 || max < 0)
			abort();
	} else if (used != -7 || max != -7) {
		abort();
	}
	if (ferry_sf__url_ok(text) &&
	    (!ferry_str_starts_with(text, "http") || strpbrk(text, " \r\n@")))
		abort();
	ferry_sf__split_identity(text, org, user);
	if (!org[0] != !user[0])
		abort();
	free(text);
	return 0;
}
