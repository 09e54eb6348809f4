/* attio_json_fuzzer.c: the readers of Attio's answers (error bodies and
 * record envelopes) over arbitrary bytes, as a proxy or an outage might
 * send them. */
#include "util.h"

#include "ferry/attio.h"
#include "../src/lib/connectors/attio_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_attio_result res;
	char id[64];
	long status = size > 0 ? 400 + data[0] % 200 : 500;

	memset(&res, 0x5a, sizeof(res));
	ferry_attio__parse_error(&res, status, (const char *)data, size);
	/* Always terminated, always one line, always valid UTF-8 if the
	 * input was. */
	if (!memchr(res.message, '\0', sizeof(res.message)) ||
	    !memchr(res.code, '\0', sizeof(res.code)) || !res.message[0] ||
	    strchr(res.message, '\n'))
		abort();
	if (ferry_utf8_valid((const char *)data, size, NULL) &&
	    !ferry_utf8_valid(res.message, strlen(res.message), NULL))
		abort();
	if (ferry_attio__parse_record_id(id, sizeof(id), (const char *)data,
	                                 size) == 0 &&
	    (!id[0] || strlen(id) >= sizeof(id)))
		abort();
	return 0;
}
