/* hash.h: SHA-256 (OpenSSL libcrypto) as lower-case hex, for the payload
 * hashes in the ledger that tell a re-run what it already wrote. */
#ifndef FERRY_HASH_H
#define FERRY_HASH_H

#include "ferry/common.h"

#define FERRY_SHA256_HEX_LEN 64

/* Writes 64 hex digits and a NUL into out (65 bytes). */
int ferry_sha256_hex(char out[FERRY_SHA256_HEX_LEN + 1], const void *data,
                     size_t len);

#endif
