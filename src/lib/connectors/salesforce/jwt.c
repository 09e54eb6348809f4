/* jwt.c: the JWT bearer assertion of Salesforce's server-to-server login:
 * the private key (a 0600 PEM file read with OpenSSL), the RS256
 * signature and the audience Salesforce expects. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "connectors/salesforce/sf_int.h"

#define KEY_FILE_MAX ((size_t)64 * 1024)
#define CLAIMS_MAX   ((size_t)64 * 1024)
/* Salesforce wants exp "a few minutes" ahead; 3 minutes also bounds what a
 * leaked assertion is worth. */
#define JWT_LIFETIME_S 180

static int pem_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1; /* never prompt on the terminal */
}

int ferry_sf__load_key(EVP_PKEY **out, const char *path)
{
	struct ferry_buf pem = FERRY_BUF_INIT;
	EVP_PKEY *key = NULL;
	BIO *bio = NULL;
	int error = 0;

	if (!path || !*path)
		return ferry_error_set(FERRY_ECONFIG,
		                       "source.auth 'jwt' needs "
		                       "source.private_key_file in ferry.yaml: "
		                       "the PEM private key whose certificate "
		                       "is on the connected app");
	ferry_buf_init(&pem, KEY_FILE_MAX);
	if ((error = ferry_secret_file_read(&pem, path,
	                                    "the JWT private key")) < 0) {
		ferry_error_wrap(error,
		                 "source.private_key_file in ferry.yaml");
		goto done;
	}
	bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	if (bio)
		key =
		    PEM_read_bio_PrivateKey(bio, NULL, pem_no_passphrase, NULL);
	if (!key) {
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "'%s' holds no usable private key%s: "
		    "source.private_key_file must be an unencrypted PEM "
		    "RSA key (openssl genrsa or openssl pkcs8 -nocrypt)",
		    path,
		    strstr(pem.ptr, "ENCRYPTED") ? " (it is encrypted)" : "");
		goto done;
	}
	if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "'%s' is not an RSA key: Salesforce "
		                        "signs the JWT bearer flow with RS256 "
		                        "only",
		                        path);
		goto done;
	}
	*out = key;
	key = NULL;
done:
	ERR_clear_error();
	EVP_PKEY_free(key);
	BIO_free(bio);
	ferry_sf__buf_wipe(&pem);
	return error;
}

static int put_b64url(struct ferry_buf *b, const unsigned char *p, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                         "qrstuvwxyz0123456789-_";
	char q[4];
	size_t i;
	int error = 0;

	for (i = 0; i + 2 < n && !error; i += 3) {
		uint32_t v =
		    (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		q[0] = al[v >> 18];
		q[1] = al[(v >> 12) & 63];
		q[2] = al[(v >> 6) & 63];
		q[3] = al[v & 63];
		error = ferry_buf_put(b, q, 4);
	}
	if (!error && n - i == 1) {
		q[0] = al[p[i] >> 2];
		q[1] = al[(p[i] & 3) << 4];
		error = ferry_buf_put(b, q, 2);
	} else if (!error && n - i == 2) {
		q[0] = al[p[i] >> 2];
		q[1] = al[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = al[(p[i + 1] & 15) << 2];
		error = ferry_buf_put(b, q, 3);
	}
	return error;
}

/* A JSON string literal (the claims are built by hand so that no copy of
 * the client id escapes the wiped buffers). */
static int put_json_string(struct ferry_buf *b, const char *s)
{
	int error = ferry_buf_putc(b, '"');

	for (; *s && !error; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			error = ferry_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			error = ferry_buf_printf(b, "\\u%04x", c);
		else
			error = ferry_buf_putc(b, (char)c);
	}
	return error ? error : ferry_buf_putc(b, '"');
}

int ferry_sf__jwt(struct ferry_buf *out, EVP_PKEY *key, const char *iss,
                  const char *sub, const char *aud, int64_t now)
{
	static const char header[] = "{\"alg\":\"RS256\"}";
	struct ferry_buf claims = FERRY_BUF_INIT;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int error = 0;

	ferry_buf_init(&claims, CLAIMS_MAX);
	ferry_buf_clear(out);
	if (ferry_buf_puts(&claims, "{\"iss\":") < 0 ||
	    put_json_string(&claims, iss) < 0 ||
	    ferry_buf_puts(&claims, ",\"sub\":") < 0 ||
	    put_json_string(&claims, sub) < 0 ||
	    ferry_buf_puts(&claims, ",\"aud\":") < 0 ||
	    put_json_string(&claims, aud) < 0 ||
	    ferry_buf_printf(&claims, ",\"exp\":%lld}",
	                     (long long)(now + JWT_LIFETIME_S)) < 0 ||
	    put_b64url(out, (const unsigned char *)header, sizeof(header) - 1) <
	        0 ||
	    ferry_buf_putc(out, '.') < 0 ||
	    put_b64url(out, (const unsigned char *)claims.ptr, claims.len) <
	        0) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "the JWT claims are too long: check "
		                        "source.username");
		goto done;
	}
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out->ptr,
	                   out->len) != 1) {
		error = ferry_error_set(FERRY_ERROR,
		                        "cannot sign the JWT with the key in "
		                        "source.private_key_file (OpenSSL)");
		goto done;
	}
	sig = ferry_xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out->ptr,
	                   out->len) != 1) {
		error = ferry_error_set(FERRY_ERROR,
		                        "cannot sign the JWT with the key in "
		                        "source.private_key_file (OpenSSL)");
		goto done;
	}
	if (ferry_buf_putc(out, '.') < 0 || put_b64url(out, sig, siglen) < 0)
		error = ferry_error_set(FERRY_ERROR, "the JWT is too long");
done:
	if (error)
		ferry_buf_clear(out);
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	free(sig);
	ferry_sf__buf_wipe(&claims);
	return error;
}

/* The host of a URL ("acme.my.salesforce.com"), lower case, into out. */
void ferry_sf__url_host(char *out, size_t outlen, const char *url)
{
	const char *h = strstr(url, "://"), *e;
	size_t n;

	out[0] = '\0';
	if (!h)
		return;
	h += 3;
	e = h + strcspn(h, ":/?#");
	n = (size_t)(e - h);
	if (n >= outlen)
		return;
	memcpy(out, h, n);
	out[n] = '\0';
	ferry_str_lower(out);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Salesforce checks `aud` against its authorization servers, not against
 * the host the assertion was posted to: a My Domain login still names
 * login.salesforce.com (test.salesforce.com for a sandbox). */
void ferry_sf__jwt_audience(char *out, size_t outlen, const char *login_url)
{
	char host[256];

	ferry_sf__url_host(host, sizeof(host), login_url);
	if (ends_with(host, ".sandbox.my.salesforce.com") ||
	    strcmp(host, "test.salesforce.com") == 0)
		snprintf(out, outlen, "https://test.salesforce.com");
	else if (ends_with(host, ".my.salesforce.com") ||
	         strcmp(host, "login.salesforce.com") == 0)
		snprintf(out, outlen, "https://login.salesforce.com");
	else
		snprintf(out, outlen, "%s", login_url);
}
