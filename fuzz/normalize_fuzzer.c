/* normalize_fuzzer.c: feeds arbitrary text (as a NUL-terminated string, as
 * it comes out of a CSV field) to the domain and email normalizers. */
#include "util.h"

#include "ferry/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_buf domain = FERRY_BUF_INIT, display = FERRY_BUF_INIT,
	                 match = FERRY_BUF_INIT;
	char *s = ferry_xstrndup((const char *)data, size);

	if (ferry_normalize_domain(&domain, s) == 0)
		(void)ferry_is_personal_domain(domain.ptr);
	if (ferry_normalize_email(&display, &match, s) == 0) {
		const char *d = ferry_email_domain(match.ptr);

		/* A valid address always has a domain part. */
		if (!d)
			abort();
		(void)ferry_is_personal_domain(d);
	}
	ferry_buf_release(&domain);
	ferry_buf_release(&display);
	ferry_buf_release(&match);
	free(s);
	return 0;
}
