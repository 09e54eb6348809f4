/* retry_after_fuzzer.c: ferry_http_parse_retry_after over arbitrary bytes
 * (a Retry-After header value comes straight from the server). */
#include "util.h"

#include "ferry/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = ferry_xstrndup((const char *)data, size);
	int64_t ms = -1;

	/* A fixed "now" and the real one: the result must be sane for both. */
	if (ferry_http_parse_retry_after(&ms, s, (time_t)1700000000) == 0 &&
	    (ms < 0 || ms > (int64_t)86400 * 1000))
		abort();
	if (ferry_http_parse_retry_after(&ms, s, time(NULL)) == 0 && ms < 0)
		abort();
	free(s);
	return 0;
}
