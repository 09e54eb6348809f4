/* sf_auth.c: the Salesforce login: ids, the readers of token and error
 * answers, the JWT (decoded and its signature verified with the public
 * key), the key file's mode, and each grant on the wire against a fake
 * login host (form encoding, grant_type, no token where none belongs),
 * the version check, and the rule that no secret reaches a message. */
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "helpers.h"
#include "util.h"

#include "ferry/salesforce.h"
#include "connectors/salesforce/sf_int.h"

#define S(x) ((char *)(uintptr_t)(x))

#define CLIENT_ID     "ferry-test-client"
#define CLIENT_SECRET "s3cr3t-client&secret=+/%"
#define REFRESH       "s3cr3t-refresh-token"
#define PASSWORD      "s3cr3t-pass word"
#define ACCESS        "s3cr3t-access-token"
#define USERNAME      "integration+sf@ferry.example"

static void assert_no_secret(void)
{
	const char *m = ferry_error_last();

	assert_null(strstr(m, "s3cr3t"));
	assert_null(strstr(m, CLIENT_ID));
}

static void set_secrets(void)
{
	setenv("SF_CLIENT_ID", CLIENT_ID, 1);
	setenv("SF_CLIENT_SECRET", CLIENT_SECRET, 1);
	setenv("SF_REFRESH_TOKEN", REFRESH, 1);
	setenv("SF_PASSWORD", PASSWORD, 1);
	setenv("SF_ACCESS_TOKEN", ACCESS, 1);
}

static void fake_init(struct test_sf_fake *f)
{
	memset(f, 0, sizeof(*f));
	f->client_id = CLIENT_ID;
	f->client_secret = CLIENT_SECRET;
	f->refresh_token = REFRESH;
	f->username = USERNAME;
	f->password = PASSWORD;
	test_sf_fake_start(f);
}

static void cfg_init(struct ferry_config *c, const struct test_sf_fake *f,
                     const char *auth)
{
	memset(c, 0, sizeof(*c));
	c->source_type = S("salesforce");
	c->sf_auth = S(auth);
	c->sf_login_url = f ? S(test_http_url(f->login)) : NULL;
	c->sf_username = S(USERNAME);
}

/* ---- ids and readers ---------------------------------------------------- */

static int tok(struct ferry_sf_token *t, const char *s)
{
	return ferry_sf__parse_token(t, s, strlen(s));
}

static int tokerr(const char *s, char *e, size_t elen, char *d, size_t dlen)
{
	return ferry_sf__parse_token_error(s, strlen(s), e, elen, d, dlen);
}

static int perr(const char *s, char *c, size_t clen, char *m, size_t mlen)
{
	return ferry_sf__parse_error(s, strlen(s), c, clen, m, mlen);
}

static void test_id18(void **state)
{
	char out[19];

	(void)state;
	/* The reference's checked pairs. */
	assert_int_equal(ferry_sf_id18(out, "001Da00000xnAk6"), 0);
	assert_string_equal(out, "001Da00000xnAk6IAE");
	assert_int_equal(ferry_sf_id18(out, "001B000000UnQ2v"), 0);
	assert_string_equal(out, "001B000000UnQ2vIAF");
	assert_int_equal(ferry_sf_id18(out, "a0D30000001n7Pi"), 0);
	assert_string_equal(out, "a0D30000001n7PiEAI");
	assert_int_equal(ferry_sf_id18(out, "0019000000B98de"), 0);
	assert_string_equal(out, "0019000000B98deAAB");
	/* All upper case: every flag set, the last map entry. */
	assert_int_equal(ferry_sf_id18(out, "ABCDEABCDEABCDE"), 0);
	assert_string_equal(out, "ABCDEABCDEABCDE555");
	/* 18 chars come back as given. */
	assert_int_equal(ferry_sf_id18(out, "001Da00000xnAk6XYZ"), 0);
	assert_string_equal(out, "001Da00000xnAk6XYZ");

	memcpy(out, "unchanged-output!!", 19);
	assert_int_equal(ferry_sf_id18(out, "001Da00000xnAk"), FERRY_EINVALID);
	assert_string_equal(out, "unchanged-output!!");
	assert_int_equal(ferry_sf_id18(out, "001Da00000xnAk6I"),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, "001Da00000xnAk6IAEX"),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, "001Da00000xn-k6"), FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, "001Da00000xn k6"), FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, "001Da00000xn\xc3\xa9k"),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, ""), FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, NULL), FERRY_EINVALID);
	assert_int_equal(ferry_sf_id18(out, "001Da\n0000xnAk6"),
	                 FERRY_EINVALID);
	assert_null(strchr(ferry_error_last(), '\n'));
}

static void test_urlencode(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_buf_put_urlencoded(&b, "a-Z_0.~ &=+/%\xc3\xa9"), 0);
	assert_string_equal(b.ptr, "a-Z_0.~%20%26%3D%2B%2F%25%C3%A9");
	ferry_buf_release(&b);
}

static void test_parse_token(void **state)
{
	struct ferry_sf_token t;
	static const char ms[] =
	    "{\"access_token\":\"00Dxx!AR8AQ\",\"signature\":\"x\","
	    "\"instance_url\":\"https://acme.my.salesforce.com\","
	    "\"id\":\"https://login.salesforce.com/id/00Dxx0000001gPLEAY/"
	    "005xx000001SwiUAAS\",\"token_type\":\"Bearer\","
	    "\"issued_at\":\"1699999999999\"}";

	(void)state;
	ferry_sf__token_init(&t);
	assert_int_equal(ferry_sf__parse_token(&t, ms, strlen(ms)), 0);
	assert_string_equal(t.access_token.ptr, "00Dxx!AR8AQ");
	assert_string_equal(t.refresh_token.ptr, "");
	assert_string_equal(t.instance_url, "https://acme.my.salesforce.com");
	assert_non_null(strstr(t.id, "/id/00Dxx0000001gPLEAY/"));
	assert_int_equal(t.issued_at_ms, INT64_C(1699999999999));

	/* Seconds, as a string and as a number; ms as a number. */
	assert_int_equal(
	    tok(&t, "{\"access_token\":\"a\",\"instance_url\":\"https://x\","
	            "\"refresh_token\":\"r2\",\"issued_at\":\"1699999999\"}"),
	    0);
	assert_int_equal(t.issued_at_ms, INT64_C(1699999999000));
	assert_string_equal(t.refresh_token.ptr, "r2");
	assert_null(t.id);
	assert_int_equal(tok(&t, "{\"access_token\":\"a\",\"instance_url\":"
	                         "\"https://x\",\"issued_at\":1699999999}"),
	                 0);
	assert_int_equal(t.issued_at_ms, INT64_C(1699999999000));
	assert_int_equal(tok(&t, "{\"access_token\":\"a\",\"instance_url\":"
	                         "\"https://x\",\"issued_at\":1699999999123}"),
	                 0);
	assert_int_equal(t.issued_at_ms, INT64_C(1699999999123));
	assert_int_equal(tok(&t, "{\"access_token\":\"a\",\"instance_url\":"
	                         "\"https://x\",\"issued_at\":\"soon\"}"),
	                 0);
	assert_int_equal(t.issued_at_ms, -1);

	/* What is missing is named; the token never is. */
	assert_int_equal(
	    tok(&t, "{\"access_token\":\"s3cr3t-tok\",\"id\":\"x\"}"),
	    FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "instance_url"));
	assert_null(strstr(ferry_error_last(), "s3cr3t"));
	assert_int_equal(tok(&t, "{\"instance_url\":\"https://x\"}"),
	                 FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "access_token"));
	assert_int_equal(tok(&t, "{\"access_token\":7,\"instance_url\":\"h\"}"),
	                 FERRY_EHTTP);
	assert_int_equal(tok(&t, "[1]"), FERRY_EHTTP);
	assert_int_equal(tok(&t, "<html>"), FERRY_EHTTP);
	assert_int_equal(tok(&t, ""), FERRY_EHTTP);
	assert_int_equal(
	    tok(&t, "{\"access_token\":\"a\\u0000b\",\"instance_url\":\"h\"}"),
	    FERRY_EHTTP);
	ferry_sf__token_release(&t);
}

static void test_parse_token_error(void **state)
{
	char e[64], d[64];
	static const char ok[] = "{\"error\":\"invalid_grant\","
	                         "\"error_description\":\"authentication\\n"
	                         "failure\"}";

	(void)state;
	assert_int_equal(ferry_sf__parse_token_error(ok, strlen(ok), e,
	                                             sizeof(e), d, sizeof(d)),
	                 0);
	assert_string_equal(e, "invalid_grant");
	assert_string_equal(d, "authentication failure");
	assert_int_equal(
	    tokerr("{\"error\":\"x\"}", e, sizeof(e), d, sizeof(d)), 0);
	assert_string_equal(d, "");
	assert_int_equal(
	    tokerr("[{\"errorCode\":\"X\"}]", e, sizeof(e), d, sizeof(d)),
	    FERRY_EINVALID);
	assert_string_equal(e, "");
	assert_int_equal(tokerr("Bad Request", e, sizeof(e), d, sizeof(d)),
	                 FERRY_EINVALID);
}

static void test_parse_error(void **state)
{
	char c[32], m[40];

	(void)state;
	/* The documented array; the first element counts. */
	assert_int_equal(perr("[{\"message\":\"Session expired or "
	                      "invalid\",\"errorCode\":"
	                      "\"INVALID_SESSION_ID\"},{\"message\":\"b\","
	                      "\"errorCode\":\"B\"}]",
	                      c, sizeof(c), m, sizeof(m)),
	                 0);
	assert_string_equal(c, "INVALID_SESSION_ID");
	assert_string_equal(m, "Session expired or invalid");
	/* A single object (Bulk answers some errors that way). */
	assert_int_equal(perr("{\"errorCode\":\"NOT_FOUND\",\"message\":"
	                      "\"Job not found\"}",
	                      c, sizeof(c), m, sizeof(m)),
	                 0);
	assert_string_equal(c, "NOT_FOUND");
	assert_string_equal(m, "Job not found");
	/* The OAuth shape. */
	assert_int_equal(
	    perr("{\"error\":\"invalid_grant\",\"error_description\":"
	         "\"expired access/refresh token\"}",
	         c, sizeof(c), m, sizeof(m)),
	    0);
	assert_string_equal(c, "invalid_grant");
	assert_string_equal(m, "expired access/refresh token");
	/* Long messages are cut on a character boundary, one line. */
	assert_int_equal(perr("[{\"message\":\"line one\\nline two "
	                      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                      "\xc3\xa9\xc3\xa9\xc3\xa9\",\"errorCode\":"
	                      "\"X\"}]",
	                      c, sizeof(c), m, sizeof(m)),
	                 0);
	assert_null(strchr(m, '\n'));
	assert_true(ferry_utf8_valid(m, strlen(m), NULL));
	assert_true(strlen(m) < sizeof(m));
	/* Anything else. */
	assert_int_equal(perr("<html>503</html>", c, sizeof(c), m, sizeof(m)),
	                 FERRY_EINVALID);
	assert_string_equal(c, "");
	assert_string_equal(m, "");
	assert_int_equal(perr("[]", c, sizeof(c), m, sizeof(m)),
	                 FERRY_EINVALID);
	assert_int_equal(perr("[\"x\"]", c, sizeof(c), m, sizeof(m)),
	                 FERRY_EINVALID);
	assert_int_equal(perr("{\"a\":1}", c, sizeof(c), m, sizeof(m)),
	                 FERRY_EINVALID);
	assert_int_equal(
	    ferry_sf__parse_error(NULL, 0, c, sizeof(c), m, sizeof(m)),
	    FERRY_EINVALID);
}

static void test_limit_info(void **state)
{
	int64_t u = -1, m = -1;

	(void)state;
	assert_int_equal(
	    ferry_sf__parse_limit_info("api-usage=54/15000", &u, &m), 0);
	assert_int_equal(u, 54);
	assert_int_equal(m, 15000);
	assert_int_equal(ferry_sf__parse_limit_info(
	                     "per-app-api-usage=17/250(appName=sample-app), "
	                     "api-usage=25/5000",
	                     &u, &m),
	                 0);
	assert_int_equal(u, 25);
	assert_int_equal(m, 5000);
	assert_int_equal(ferry_sf__parse_limit_info(
	                     "api-usage=3/15000;api-bursts=1/750", &u, &m),
	                 0);
	assert_int_equal(u, 3);
	u = m = 7;
	assert_int_equal(ferry_sf__parse_limit_info(
	                     "per-app-api-usage=17/250(appName=x)", &u, &m),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_limit_info("api-usage=/5", &u, &m),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_limit_info("api-usage=5", &u, &m),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_limit_info(
	                     "api-usage=99999999999999999999/1", &u, &m),
	                 FERRY_EINVALID);
	assert_int_equal(ferry_sf__parse_limit_info("", &u, &m),
	                 FERRY_EINVALID);
	assert_int_equal(u, 7);
	assert_int_equal(m, 7);
}

static void test_url_ok(void **state)
{
	(void)state;
	assert_true(ferry_sf__url_ok("https://acme.my.salesforce.com"));
	assert_true(ferry_sf__url_ok("https://acme.my.salesforce.com/"));
	assert_true(ferry_sf__url_ok("https://acme.my.salesforce.com:443"));
	assert_true(ferry_sf__url_ok("https://site.force.com/customers"));
	assert_true(ferry_sf__url_ok("http://127.0.0.1:8080"));
	assert_true(ferry_sf__url_ok("http://localhost:1"));
	assert_true(ferry_sf__url_ok("http://[::1]:9"));
	assert_false(ferry_sf__url_ok("http://acme.my.salesforce.com"));
	assert_false(ferry_sf__url_ok("http://127.0.0.1.evil.com"));
	assert_false(ferry_sf__url_ok("http://127.0.0.1@evil.com"));
	assert_false(ferry_sf__url_ok("https://user@acme.com"));
	assert_false(ferry_sf__url_ok("https://acme.com\r\nX-Evil: 1"));
	assert_false(ferry_sf__url_ok("https://acme .com"));
	assert_false(ferry_sf__url_ok("https://acme.com?x=1"));
	assert_false(ferry_sf__url_ok("https://acme.com#x"));
	assert_false(ferry_sf__url_ok("https://acme.com:80a"));
	assert_false(ferry_sf__url_ok("https://acme.com:"));
	assert_false(ferry_sf__url_ok("https://"));
	assert_false(ferry_sf__url_ok("https:///x"));
	assert_false(ferry_sf__url_ok("ftp://acme.com"));
	assert_false(ferry_sf__url_ok("https://acm\xc3\xa9.com"));
	assert_false(ferry_sf__url_ok(""));
	assert_false(ferry_sf__url_ok(NULL));
}

static void test_split_identity(void **state)
{
	char org[19], user[19];

	(void)state;
	ferry_sf__split_identity("https://login.salesforce.com/id/"
	                         "00Dxx0000001gPLEAY/005xx000001SwiUAAS",
	                         org, user);
	assert_string_equal(org, "00Dxx0000001gPLEAY");
	assert_string_equal(user, "005xx000001SwiUAAS");
	ferry_sf__split_identity("https://test.salesforce.com/id/"
	                         "00Dxx0000001gPL/005xx000001SwiU",
	                         org, user);
	assert_int_equal(strlen(org), 18);
	assert_int_equal(strlen(user), 18);
	ferry_sf__split_identity("https://x/id/00Dxx0000001gPLEAY", org, user);
	assert_string_equal(org, "");
	ferry_sf__split_identity("https://x/id/00Dx-x/005xx000001SwiUAAS", org,
	                         user);
	assert_string_equal(org, "");
	assert_string_equal(user, "");
	ferry_sf__split_identity(NULL, org, user);
	assert_string_equal(org, "");
}

/* ---- the JWT ------------------------------------------------------------ */

static EVP_PKEY *test_key(void)
{
	static EVP_PKEY *key;

	if (!key)
		key = EVP_RSA_gen(2048);
	assert_non_null(key);
	return key;
}

static char *write_key(const char *dir, const char *name, EVP_PKEY *key,
                       mode_t mode, bool encrypted)
{
	char *path = ferry_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (encrypted)
		assert_int_equal(
		    PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(),
		                         (unsigned char *)(uintptr_t) "pw", 2,
		                         NULL, NULL),
		    1);
	else
		assert_int_equal(
		    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static size_t b64url_decode(unsigned char *out, const char *s, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                         "qrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		const char *p = strchr(al, s[i]);

		assert_non_null(p);
		assert_true(s[i] != '\0');
		acc = acc << 6 | (uint32_t)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

/* Splits a JWT, checks the header, returns the claims and verifies the
 * signature with the key's public half only. */
static json_t *check_jwt(const char *jwt, EVP_PKEY *priv)
{
	const char *d1 = strchr(jwt, '.'),
	           *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	unsigned char buf[4096], sig[1024];
	size_t n, siglen;
	json_t *claims;
	json_error_t jerr;
	BIO *bio = BIO_new(BIO_s_mem());
	EVP_PKEY *pub = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	assert_non_null(d2);
	assert_null(strchr(jwt, '='));
	n = b64url_decode(buf, jwt, (size_t)(d1 - jwt));
	buf[n] = '\0';
	assert_string_equal((char *)buf, "{\"alg\":\"RS256\"}");
	n = b64url_decode(buf, d1 + 1, (size_t)(d2 - d1 - 1));
	claims = json_loadb((char *)buf, n, 0, &jerr);
	assert_non_null(claims);
	siglen = b64url_decode(sig, d2 + 1, strlen(d2 + 1));
	assert_int_equal(siglen, 256);

	assert_int_equal(PEM_write_bio_PUBKEY(bio, priv), 1);
	pub = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	assert_non_null(pub);
	assert_int_equal(
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, siglen,
	                                  (const unsigned char *)jwt,
	                                  (size_t)(d2 - jwt)),
	                 1);
	/* One flipped byte of the signed part must fail. */
	{
		char *bad = ferry_xstrdup(jwt);

		bad[3] = bad[3] == 'A' ? 'B' : 'A';
		assert_int_equal(
		    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
		assert_int_not_equal(
		    EVP_DigestVerify(md, sig, siglen,
		                     (const unsigned char *)bad,
		                     (size_t)(d2 - jwt)),
		    1);
		free(bad);
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pub);
	BIO_free(bio);
	return claims;
}

static void test_jwt(void **state)
{
	struct ferry_buf jwt = FERRY_BUF_INIT;
	EVP_PKEY *key = test_key();
	json_t *claims;

	(void)state;
	assert_int_equal(
	    ferry_sf__jwt(&jwt, key, CLIENT_ID, "a\"b\\c@x.example",
	                  "https://login.salesforce.com", 1700000000),
	    0);
	claims = check_jwt(jwt.ptr, key);
	assert_string_equal(json_string_value(json_object_get(claims, "iss")),
	                    CLIENT_ID);
	assert_string_equal(json_string_value(json_object_get(claims, "sub")),
	                    "a\"b\\c@x.example");
	assert_string_equal(json_string_value(json_object_get(claims, "aud")),
	                    "https://login.salesforce.com");
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")),
	                 1700000180);
	assert_int_equal(json_object_size(claims), 4);
	json_decref(claims);
	ferry_buf_release(&jwt);
}

static void test_jwt_audience(void **state)
{
	char aud[128];

	(void)state;
	ferry_sf__jwt_audience(aud, sizeof(aud),
	                       "https://login.salesforce.com");
	assert_string_equal(aud, "https://login.salesforce.com");
	ferry_sf__jwt_audience(aud, sizeof(aud), "https://test.salesforce.com");
	assert_string_equal(aud, "https://test.salesforce.com");
	ferry_sf__jwt_audience(aud, sizeof(aud),
	                       "https://Acme.my.salesforce.com");
	assert_string_equal(aud, "https://login.salesforce.com");
	ferry_sf__jwt_audience(aud, sizeof(aud),
	                       "https://acme--uat.sandbox.my.salesforce.com");
	assert_string_equal(aud, "https://test.salesforce.com");
	ferry_sf__jwt_audience(aud, sizeof(aud),
	                       "https://acme.my.site.com/customers");
	assert_string_equal(aud, "https://acme.my.site.com/customers");
	ferry_sf__jwt_audience(aud, sizeof(aud), "http://127.0.0.1:5000");
	assert_string_equal(aud, "http://127.0.0.1:5000");
}

static void test_key_file(void **state)
{
	char *dir = test_tmpdir("sf-key");
	char *good = write_key(dir, "good.pem", test_key(), 0600, false);
	char *open_ = write_key(dir, "open.pem", test_key(), 0644, false);
	char *enc = write_key(dir, "enc.pem", test_key(), 0600, true);
	char *junk, *ec_path;
	EVP_PKEY *k = NULL, *ec = EVP_EC_gen("P-256");

	(void)state;
	assert_int_equal(ferry_sf__load_key(&k, good), 0);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, test_key()), 1);
	EVP_PKEY_free(k);
	k = NULL;

	assert_int_equal(ferry_sf__load_key(&k, open_), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "chmod 600"));
	assert_non_null(strstr(ferry_error_last(), "0644"));
	assert_null(k);
	/* Encrypted: refused, and no passphrase prompt (stdin would hang). */
	assert_int_equal(ferry_sf__load_key(&k, enc), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "encrypted"));
	junk = test_write_file(dir, "junk.pem", "not a key\n", 10);
	chmod(junk, 0600);
	assert_int_equal(ferry_sf__load_key(&k, junk), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "junk.pem"));
	assert_non_null(ec);
	ec_path = write_key(dir, "ec.pem", ec, 0600, false);
	assert_int_equal(ferry_sf__load_key(&k, ec_path), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "RSA"));
	assert_int_equal(ferry_sf__load_key(&k, dir), FERRY_ECONFIG);
	assert_int_equal(ferry_sf__load_key(&k, "/nonexistent/key.pem"),
	                 FERRY_ECONFIG);
	assert_int_equal(ferry_sf__load_key(&k, NULL), FERRY_ECONFIG);
	assert_null(k);
	EVP_PKEY_free(ec);
	free(good);
	free(open_);
	free(enc);
	free(junk);
	free(ec_path);
	free(dir);
}

/* ---- the grants on the wire --------------------------------------------- */

static void assert_token_request(const struct test_http_request *r,
                                 const char *grant)
{
	char v[256];

	assert_string_equal(r->method, "POST");
	assert_string_equal(r->path, "/services/oauth2/token");
	assert_string_equal(test_http_header(r, "Content-Type", v, sizeof(v)),
	                    "application/x-www-form-urlencoded");
	assert_string_equal(test_http_header(r, "Authorization", v, sizeof(v)),
	                    "");
	assert_true(test_form_get(r->body, "grant_type", v, sizeof(v)));
	assert_string_equal(v, grant);
	/* Every value percent-encoded: no raw space, '+' or '/'. */
	assert_null(strchr(r->body, ' '));
	assert_null(strchr(r->body, '+'));
	assert_null(strchr(r->body, '/'));
}

static void test_client_credentials(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	const struct test_http_request *r;
	char v[256];

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "client_credentials");
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);

	assert_int_equal(test_http_count(f.login), 1);
	r = test_http_seen(f.login, 0);
	assert_token_request(r, "client_credentials");
	assert_true(test_form_get(r->body, "client_id", v, sizeof(v)));
	assert_string_equal(v, CLIENT_ID);
	assert_true(test_form_get(r->body, "client_secret", v, sizeof(v)));
	assert_string_equal(v, CLIENT_SECRET);
	assert_non_null(strstr(r->body, "client_secret=s3cr3t-client%26secret"
	                                "%3D%2B%2F%25"));
	assert_false(test_form_get(r->body, "username", v, sizeof(v)));

	/* Then the version list, on the instance, without the token. */
	assert_int_equal(test_http_count(f.inst), 1);
	r = test_http_seen(f.inst, 0);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->path, "/services/data/");
	assert_string_equal(test_http_header(r, "Authorization", v, sizeof(v)),
	                    "");

	assert_string_equal(ferry_sf_instance_url(sf), test_http_url(f.inst));
	assert_string_equal(ferry_sf_api_version(sf), "66.0");
	assert_string_equal(ferry_sf_org_id(sf), "00Dxx0000001gPLEAY");
	assert_int_equal(ferry_sf_usage(sf)->logins, 1);
	assert_int_equal(ferry_sf_usage(sf)->calls, 1);
	assert_int_equal(ferry_sf_usage(sf)->api_used, -1);
	assert_int_equal(ferry_sf_usage(sf)->api_max, -1);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_refresh_token(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	const struct test_http_request *r;
	char v[512];

	(void)state;
	set_secrets();
	fake_init(&f);
	f.issued_at = "1699999999"; /* seconds, as a number */
	cfg_init(&c, &f, "refresh_token");
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	r = test_http_seen(f.login, 0);
	assert_token_request(r, "refresh_token");
	assert_true(test_form_get(r->body, "refresh_token", v, sizeof(v)));
	assert_string_equal(v, REFRESH);
	assert_true(test_form_get(r->body, "client_id", v, sizeof(v)));
	assert_true(test_form_get(r->body, "client_secret", v, sizeof(v)));
	ferry_sf_free(sf);

	/* The client secret is optional for this grant. */
	unsetenv("SF_CLIENT_SECRET");
	sf = NULL;
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	r = test_http_seen(f.login, 1);
	assert_false(test_form_get(r->body, "client_secret", v, sizeof(v)));
	ferry_sf_free(sf);
	set_secrets();

	/* A refused refresh names the variables, not the values. */
	setenv("SF_REFRESH_TOKEN", "s3cr3t-revoked", 1);
	sf = NULL;
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_null(sf);
	snprintf(v, sizeof(v),
	         "Salesforce login at %s refused refresh_token: "
	         "invalid_grant: authentication failure; check "
	         "SF_REFRESH_TOKEN and SF_CLIENT_ID and SF_CLIENT_SECRET (a "
	         "refresh token stops working when it is revoked or "
	         "rotated: get a new one)",
	         test_http_url(f.login));
	assert_string_equal(ferry_error_last(), v);
	test_sf_fake_stop(&f);
}

static void test_jwt_grant(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	const struct test_http_request *r;
	char *dir = test_tmpdir("sf-jwt");
	char *key = write_key(dir, "key.pem", test_key(), 0600, false);
	char *open_key = write_key(dir, "open.pem", test_key(), 0640, false);
	char assertion[4096];
	json_t *claims;
	int64_t now = ferry_clock_wall_us() / 1000000, exp;

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "jwt");
	c.sf_private_key_file = key;
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	r = test_http_seen(f.login, 0);
	assert_token_request(r, "urn:ietf:params:oauth:grant-type:jwt-bearer");
	assert_false(test_form_get(r->body, "client_secret", assertion,
	                           sizeof(assertion)));
	assert_true(
	    test_form_get(r->body, "assertion", assertion, sizeof(assertion)));
	claims = check_jwt(assertion, test_key());
	assert_string_equal(json_string_value(json_object_get(claims, "iss")),
	                    CLIENT_ID);
	assert_string_equal(json_string_value(json_object_get(claims, "sub")),
	                    USERNAME);
	/* The local login host is its own audience. */
	assert_string_equal(json_string_value(json_object_get(claims, "aud")),
	                    test_http_url(f.login));
	exp = json_integer_value(json_object_get(claims, "exp"));
	assert_true(exp >= now + 170 && exp <= now + 190);
	json_decref(claims);
	ferry_sf_free(sf);

	/* A key others can read is refused before anything is sent. */
	c.sf_private_key_file = open_key;
	sf = NULL;
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "chmod 600"));
	assert_int_equal(test_http_count(f.login), 1);
	/* And a username is required. */
	c.sf_private_key_file = key;
	c.sf_username = NULL;
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.username"));
	test_sf_fake_stop(&f);
	free(key);
	free(open_key);
	free(dir);
}

static void test_password_grant(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	const struct test_http_request *r;
	char v[256];

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "password");
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	r = test_http_seen(f.login, 0);
	assert_token_request(r, "password");
	assert_true(test_form_get(r->body, "username", v, sizeof(v)));
	assert_string_equal(v, USERNAME);
	assert_true(test_form_get(r->body, "password", v, sizeof(v)));
	assert_string_equal(v, PASSWORD);
	assert_true(test_form_get(r->body, "client_secret", v, sizeof(v)));
	assert_string_equal(v, CLIENT_SECRET);
	ferry_sf_free(sf);

	setenv("SF_PASSWORD", "s3cr3t-wrong", 1);
	sf = NULL;
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "refused password: "
	                                           "invalid_grant"));
	assert_non_null(strstr(ferry_error_last(), "SF_PASSWORD"));
	assert_no_secret();
	test_sf_fake_stop(&f);
}

static void test_access_token(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	const struct test_http_request *r;
	char v[256];

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "access_token");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.instance_url"));

	c.sf_instance_url = S(test_http_url(f.inst));
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	assert_int_equal(test_http_count(f.login), 0);
	assert_int_equal(ferry_sf_usage(sf)->logins, 0);
	assert_string_equal(ferry_sf_org_id(sf), "");
	/* The fake knows no token but its own: 401 INVALID_SESSION_ID, and
	 * a given token cannot be renewed. */
	assert_int_equal(ferry_sf_call(sf, "GET", "/sobjects", NULL, &resp),
	                 FERRY_EAUTH);
	r = test_http_seen(f.inst, 1);
	assert_string_equal(test_http_header(r, "Authorization", v, sizeof(v)),
	                    "Bearer " ACCESS);
	assert_non_null(strstr(ferry_error_last(), "SF_ACCESS_TOKEN"));
	assert_non_null(strstr(ferry_error_last(), "INVALID_SESSION_ID"));
	assert_non_null(strstr(ferry_error_last(), "expired"));
	assert_no_secret();
	assert_int_equal(test_http_count(f.login), 0);
	assert_int_equal(test_http_count(f.inst), 2);
	ferry_http_response_release(&resp);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
}

static void test_login_refused(void **state)
{
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	char want[512];

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "client_credentials");

	f.token_status = 400;
	f.token_body = "{\"error\":\"invalid_client\",\"error_description\":"
	               "\"invalid client credentials\"}";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	snprintf(want, sizeof(want),
	         "Salesforce login at %s refused client_credentials: "
	         "invalid_client: invalid client credentials; check "
	         "SF_CLIENT_ID and SF_CLIENT_SECRET",
	         test_http_url(f.login));
	assert_string_equal(ferry_error_last(), want);
	assert_null(sf);

	/* 401 is documented too; a description that echoes what it was sent
	 * is scrubbed. */
	f.token_status = 401;
	f.token_body = "{\"error\":\"invalid_client_id\",\"error_description\":"
	               "\"client identifier ferry-test-client invalid, "
	               "secret s3cr3t-client&secret=+/%\"}";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "invalid_client_id"));
	assert_non_null(strstr(ferry_error_last(), "client identifier ***"));
	assert_no_secret();

	f.token_status = 400;
	f.token_body = "{\"error\":\"rate_limit_exceeded\"}";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ERATELIMIT);

	f.token_status = 400;
	f.token_body = "<html>Bad Request</html>";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(), "HTTP 400"));

	f.token_status = 404;
	f.token_body = "";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.login_url"));

	/* A 200 that is not a token is not a login. */
	f.token_status = 200;
	f.token_body = "{\"access_token\":\"s3cr3t-x\"}";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EHTTP);
	assert_non_null(strstr(ferry_error_last(), "instance_url"));
	assert_no_secret();

	/* Nobody there. */
	f.token_status = 0;
	c.sf_login_url = S("http://127.0.0.1:1");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONN);
	assert_non_null(strstr(ferry_error_last(), "Salesforce"));
	assert_null(sf);
	test_sf_fake_stop(&f);
}

static void test_bad_instance_url(void **state)
{
	static const char *const bad[] = {
	    "http://evil.example.com",
	    "ftp://127.0.0.1",
	    "https://a.com\\r\\nX: y",
	    "https://u:p@a.com",
	};
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	size_t i;

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "client_credentials");
	for (i = 0; i < FERRY_ARRAY_LEN(bad); i++) {
		f.instance_url = bad[i];
		assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EHTTP);
		assert_non_null(strstr(ferry_error_last(), "instance_url"));
		assert_null(strchr(ferry_error_last(), '\n'));
		assert_null(sf);
	}
	assert_int_equal(test_http_count(f.inst), 0);
	test_sf_fake_stop(&f);
}

static void test_settings(void **state)
{
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	struct test_sf_fake f;

	(void)state;
	set_secrets();
	fake_init(&f);
	cfg_init(&c, &f, "oauth");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.auth 'oauth'"));

	cfg_init(&c, &f, "client_credentials");
	c.sf_login_url = S("http://login.salesforce.com");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.login_url"));

	cfg_init(&c, &f, "client_credentials");
	c.sf_api_version = S("latest");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "source.api_version"));

	/* A missing secret is named by its variable (a custom one here). */
	cfg_init(&c, &f, "client_credentials");
	c.sf_client_secret_env = S("FERRY_TEST_NO_SUCH_SECRET");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(
	    strstr(ferry_error_last(), "FERRY_TEST_NO_SUCH_SECRET"));
	assert_int_equal(test_http_count(f.login), 0);

	/* The version check: the pinned one must be offered. */
	cfg_init(&c, &f, "client_credentials");
	c.sf_api_version = S("70.0");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_string_equal(ferry_error_last(),
	                    "API version 70.0 is not offered by this org "
	                    "(newest: 66.0): set source.api_version in "
	                    "ferry.yaml");
	c.sf_api_version = S("v65.0");
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	assert_string_equal(ferry_sf_api_version(sf), "65.0");
	ferry_sf_free(sf);
	sf = NULL;
	f.versions = "{\"not\":\"a list\"}";
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EHTTP);
	test_sf_fake_stop(&f);
}

/* The recorded versions list of a real org (21.0 .. 53.0), when the shared
 * fixtures are there. */
static void test_versions_fixture(void **state)
{
	struct ferry_buf body = FERRY_BUF_INIT;
	const char *dir = getenv("FERRY_FIXTURES_DIR");
	char *path;
	struct test_sf_fake f;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;

	(void)state;
	if (!dir)
		skip();
	path = ferry_xasprintf("%s/salesforce/rest/versions.json", dir);
	if (test_read_file(&body, path) < 0) {
		free(path);
		skip();
	}
	set_secrets();
	fake_init(&f);
	f.versions = body.ptr;
	cfg_init(&c, &f, "client_credentials");
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "(newest: 53.0)"));
	c.sf_api_version = S("53.0");
	assert_int_equal(ferry_sf_connect(&sf, &c), 0);
	ferry_sf_free(sf);
	test_sf_fake_stop(&f);
	ferry_buf_release(&body);
	free(path);
}

/* ---- against the sandbox ------------------------------------------------ */

#define SB_USER "integration@ferry.example"

static void set_sandbox_secrets(void)
{
	setenv("SF_CLIENT_ID", "ferry-sandbox-client", 1);
	setenv("SF_CLIENT_SECRET", "ferry-sandbox-secret", 1);
	setenv("SF_REFRESH_TOKEN", "ferry-sandbox-refresh", 1);
	setenv("SF_PASSWORD", "ferry-sandbox-password", 1);
	setenv("SF_ACCESS_TOKEN", "ferry-sandbox-access-token", 1);
}

/* Every grant logs in to `ferry-sandbox salesforce` (the JWT one signed
 * for the public key it was given) and makes real calls. */
static void test_sandbox_grants(void **state)
{
	static const char *const grants[] = {
	    "client_credentials", "refresh_token", "jwt",
	    "password",           "access_token",
	};
	char *dir = test_tmpdir("sf-sandbox");
	char *key = write_key(dir, "key.pem", test_key(), 0600, false);
	char *pub = ferry_xasprintf("%s/public.pem", dir);
	const char *extra[] = {"--jwt-public-key", pub, NULL};
	struct test_sandbox sb;
	struct ferry_config c;
	struct ferry_sf *sf = NULL;
	struct ferry_sf_limits l;
	int64_t n = -1;
	FILE *f = fopen(pub, "w");
	size_t i;

	(void)state;
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, test_key()), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(test_sandbox_start(&sb, "salesforce", extra), 0);
	set_sandbox_secrets();
	for (i = 0; i < FERRY_ARRAY_LEN(grants); i++) {
		cfg_init(&c, NULL, grants[i]);
		c.sf_login_url = sb.url;
		c.sf_username = S(SB_USER);
		c.sf_private_key_file = key;
		c.sf_instance_url = sb.url;
		if (ferry_sf_connect(&sf, &c) < 0)
			fail_msg("%s: %s", grants[i], ferry_error_last());
		assert_string_equal(ferry_sf_instance_url(sf), sb.url);
		assert_int_equal(strlen(ferry_sf_org_id(sf)),
		                 strcmp(grants[i], "access_token") ? 18 : 0);
		assert_int_equal(ferry_sf_limits(sf, &l), 0);
		assert_true(l.api_max > 0);
		assert_int_equal(ferry_sf_count(sf, "Account", false, &n), 0);
		assert_true(n > 0);
		assert_int_equal(ferry_sf_usage(sf)->logins,
		                 strcmp(grants[i], "access_token") ? 1 : 0);
		assert_int_equal(ferry_sf_usage(sf)->calls, 3);
		assert_true(ferry_sf_usage(sf)->api_used > 0);
		ferry_sf_free(sf);
		sf = NULL;
	}

	/* Refusals, as the sandbox words them. */
	cfg_init(&c, NULL, "client_credentials");
	c.sf_login_url = sb.url;
	setenv("SF_CLIENT_SECRET", "s3cr3t-wrong", 1);
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_non_null(strstr(ferry_error_last(),
	                       "refused client_credentials: invalid_client: "
	                       "invalid client credentials; check "
	                       "SF_CLIENT_ID and SF_CLIENT_SECRET"));
	assert_no_secret();
	set_sandbox_secrets();
	cfg_init(&c, NULL, "jwt");
	c.sf_login_url = sb.url;
	c.sf_username = S("someone.else@ferry.example");
	c.sf_private_key_file = key;
	assert_int_equal(ferry_sf_connect(&sf, &c), FERRY_EAUTH);
	assert_non_null(
	    strstr(ferry_error_last(), "refused jwt: invalid_grant"));
	assert_null(sf);
	test_sandbox_stop(&sb);
	free(key);
	free(pub);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id18),
	    cmocka_unit_test(test_urlencode),
	    cmocka_unit_test(test_parse_token),
	    cmocka_unit_test(test_parse_token_error),
	    cmocka_unit_test(test_parse_error),
	    cmocka_unit_test(test_limit_info),
	    cmocka_unit_test(test_url_ok),
	    cmocka_unit_test(test_split_identity),
	    cmocka_unit_test(test_jwt),
	    cmocka_unit_test(test_jwt_audience),
	    cmocka_unit_test(test_key_file),
	    cmocka_unit_test(test_client_credentials),
	    cmocka_unit_test(test_refresh_token),
	    cmocka_unit_test(test_jwt_grant),
	    cmocka_unit_test(test_password_grant),
	    cmocka_unit_test(test_access_token),
	    cmocka_unit_test(test_login_refused),
	    cmocka_unit_test(test_bad_instance_url),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_versions_fixture),
	    cmocka_unit_test(test_sandbox_grants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
