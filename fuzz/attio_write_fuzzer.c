/* attio_write_fuzzer.c: the readers of the loader's answers (a write's id
 * under data.id, a listing's data array, an error body) over arbitrary
 * bytes; the first byte picks the status and the kind of id. */
#include "util.h"

#include "ferry/attio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"record_id", "note_id", "task_id",
	                                   "entry_id"};
	static const long statuses[] = {200, 201, 400, 404, 409, 413, 500};
	struct ferry_attio_result res;
	const char *body = size > 1 ? (const char *)data + 1 : "";
	size_t len = size > 1 ? size - 1 : 0;
	long status = statuses[size ? data[0] % 7 : 0];
	const char *key = keys[size ? (data[0] >> 3) % 4 : 0];
	json_t *list = NULL;
	int rc;

	memset(&res, 0x5a, sizeof(res));
	rc = ferry_attio_parse_written(&res, status, body, len, key);
	/* Always terminated and one line; an id only for a success. */
	if (!memchr(res.message, '\0', sizeof(res.message)) ||
	    !memchr(res.code, '\0', sizeof(res.code)) ||
	    !memchr(res.record_id, '\0', sizeof(res.record_id)) ||
	    strchr(res.message, '\n'))
		abort();
	if (rc == 0 && (status > 299 || !res.record_id[0]))
		abort();
	if (rc < 0 && !res.message[0])
		abort();
	if (ferry_attio_parse_list(&list, body, len) == 0 &&
	    !json_is_array(list))
		abort();
	json_decref(list);
	return 0;
}
