/* attio_parse.h: the readers of Attio's answers (success envelopes and
 * error bodies), private to attio.c and shared with its tests and fuzzer.
 * Both take untrusted bytes and never fail on their shape. */
#ifndef FERRY_ATTIO_PARSE_H
#define FERRY_ATTIO_PARSE_H

#include "ferry/attio.h"

/* Fills res->http_status, res->code and res->message from an error answer.
 * Attio's shape is {status_code, type, code, message, validation_errors?};
 * the messages of validation_errors are appended. Any other body (HTML
 * from a proxy, other JSON) gives "HTTP 502 from Attio (non-JSON body)" or
 * similar. Returns 0 if the body had Attio's shape, FERRY_EINVALID if not;
 * res is filled either way. */
int ferry_attio__parse_error(struct ferry_attio_result *res, long status,
                             const char *body, size_t len);

/* Copies data.id.record_id of a record answer into out (out_len bytes, at
 * least 1). FERRY_EINVALID if it is missing or does not fit. */
int ferry_attio__parse_record_id(char *out, size_t out_len, const char *body,
                                 size_t len);

#endif
