/* hash.c: SHA-256 through OpenSSL's EVP interface. */
#include <openssl/evp.h>

#include "util.h"
#include "ferry/hash.h"

int ferry_sha256_hex(char out[FERRY_SHA256_HEX_LEN + 1], const void *data,
                     size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32)
		return ferry_error_set(FERRY_ERROR, "sha-256 failed");
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
	return 0;
}
