/* sf_bulk_fuzzer.c: the readers of Bulk API 2.0 answers (a query job's
 * info and a results page's Sforce-Locator and Sforce-NumberOfRecords
 * headers) over arbitrary bytes. An input is header lines, a blank line,
 * then a body; the body is read as a job info, the headers as a page's. */
#include "util.h"

#include "ferry/http.h"
#include "../src/lib/connectors/salesforce/sf_extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all_alnum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static void check_job(const char *body, size_t len)
{
	struct ferry_sf__job job;
	size_t n;

	memset(&job, 0x5a, sizeof(job));
	if (ferry_sf__bulk_parse_job(&job, body, len) < 0)
		return;
	n = strnlen(job.id, sizeof(job.id));
	if ((n != 15 && n != 18) || !all_alnum(job.id) || !job.state[0] ||
	    !memchr(job.state, '\0', sizeof(job.state)) ||
	    !all_alnum(job.state) ||
	    !memchr(job.operation, '\0', sizeof(job.operation)) ||
	    !memchr(job.object, '\0', sizeof(job.object)) ||
	    !memchr(job.api_version, '\0', sizeof(job.api_version)) ||
	    !memchr(job.error_message, '\0', sizeof(job.error_message)) ||
	    strchr(job.error_message, '\n') || job.records < -1)
		abort();
}

static void check_page(const char *headers, size_t len)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_sf__page pg;
	const char *p;

	resp.status = 200;
	if (ferry_buf_put(&resp.headers, headers, len) < 0)
		abort();
	memset(&pg, 0x5a, sizeof(pg));
	if (ferry_sf__bulk_parse_page(&pg, &resp) == 0) {
		if (!memchr(pg.locator, '\0', sizeof(pg.locator)) ||
		    pg.records < -1 || (pg.last && pg.locator[0]) ||
		    (!pg.last && !pg.locator[0]) || !strcmp(pg.locator, "null"))
			abort();
		/* A locator goes into a URL: nothing that could change it. */
		for (p = pg.locator; *p; p++)
			if (strchr(" ?&#%\"'<>\\", *p) ||
			    (unsigned char)*p < 0x21 ||
			    (unsigned char)*p > 0x7e)
				abort();
	}
	ferry_http_response_release(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *sep = NULL;
	size_t i;

	for (i = 0; i + 1 < size; i++)
		if (s[i] == '\n' && s[i + 1] == '\n') {
			sep = s + i;
			break;
		}
	if (!sep) {
		check_job(s, size);
		check_page(s, size);
		return 0;
	}
	check_page(s, (size_t)(sep - s) + 1);
	check_job(sep + 2, size - (size_t)(sep - s) - 2);
	return 0;
}
