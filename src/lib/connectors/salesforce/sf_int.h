/* sf_int.h: what the files of the Salesforce connector share: the session
 * (struct ferry_sf, session.c, call.c), the login (auth.c, jwt.c), and the
 * readers of Salesforce's answers (parse.c), which take untrusted bytes
 * and are fuzzed (fuzz/sf_token_fuzzer.c). Not part of the public API. */
#ifndef FERRY_SF_INT_H
#define FERRY_SF_INT_H

#include <openssl/evp.h>

#include "ferry/buf.h"
#include "ferry/config.h"
#include "ferry/http.h"
#include "ferry/salesforce.h"

/* source.auth */
enum ferry_sf_grant {
	FERRY_SF_CLIENT_CREDENTIALS,
	FERRY_SF_REFRESH_TOKEN,
	FERRY_SF_JWT,
	FERRY_SF_PASSWORD,
	FERRY_SF_ACCESS_TOKEN,
};

struct ferry_sf {
	enum ferry_sf_grant grant;
	const char *grant_name; /* "client_credentials", ... (static) */
	char *login_url;        /* no trailing slash */
	char *api_version;      /* "66.0" */
	char *data_path;        /* "/services/data/v66.0" */
	char *instance_url;     /* the login's instance_url, no trailing / */
	char org_id[19];        /* "" when the identity URL gave none */
	/* Salesforce's errorCode of the last refused call ("" if none). */
	char last_code[128];
	char user_id[19];
	struct ferry_http *login; /* the login host; NULL for access_token */
	struct ferry_http *api;   /* the instance */

	/* The settings of ferry.yaml the session needs later (copies). */
	char *username; /* jwt sub, password flow */
	char *key_file; /* jwt */
	char *client_id_env, *client_secret_env, *refresh_token_env;
	char *access_token_env, *password_env;

	/* Secrets: wiped before they are freed, never in a message. A
	 * rotated refresh token replaces refresh_token here only. */
	struct ferry_buf client_id, client_secret, refresh_token;
	struct ferry_buf password, access_token;
	EVP_PKEY *key; /* jwt */

	/* The extract settings of ferry.yaml (copies; see config.h). */
	char **objects;
	size_t n_objects;
	char **custom_objects;
	size_t n_custom_objects;
	bool include_deleted;
	int64_t page_size;

	/* bulk.c counts usage.bulk_jobs; session.c the rest. */
	struct ferry_sf_usage usage;
	/* Salesforce's clock: the Date header of the last answer (Unix
	 * seconds; 0 until one came). call.c. */
	int64_t server_time;
};

/* --- parse.c: token answers --- */

/* A token response. Every member is a copy; access_token and
 * refresh_token are secrets (ferry_sf__token_release wipes them). */
struct ferry_sf_token {
	struct ferry_buf access_token;
	struct ferry_buf refresh_token; /* "" when none was returned */
	char *instance_url;
	char *id;             /* the identity URL, or NULL */
	int64_t issued_at_ms; /* -1 when absent or unreadable */
};
void ferry_sf__token_init(struct ferry_sf_token *t);
void ferry_sf__token_release(struct ferry_sf_token *t);

/* Reads a successful token response (§2.3). issued_at may be a string or
 * a number, in milliseconds or seconds (read as ms either way). Fails
 * with FERRY_EHTTP when access_token or instance_url is missing or not a
 * string, naming the member but never quoting a value. */
int ferry_sf__parse_token(struct ferry_sf_token *out, const char *body,
                          size_t len);

/* Reads an OAuth error body {"error":…,"error_description":…} (§2.4)
 * into `error` and `desc` (one line, control characters blanked, UTF-8
 * kept whole). Returns 0 if the body had that shape, FERRY_EINVALID if
 * not (both are then ""). */
int ferry_sf__parse_token_error(const char *body, size_t len, char *error,
                                size_t error_len, char *desc, size_t desc_len);

/* --- jwt.c --- */

/* Loads the JWT signing key: a PEM private key (RSA) in a regular file
 * that only its owner may read (mode 0600 or stricter); FERRY_ECONFIG
 * otherwise, naming the file. Never prompts for a passphrase. */
int ferry_sf__load_key(EVP_PKEY **out, const char *path);

/* The JWT bearer assertion: base64url({"alg":"RS256"}) "."
 * base64url(claims) "." base64url(RS256 signature), claims iss, sub, aud
 * and exp = now + 180 s. `out` receives it (a secret: wipe it). */
int ferry_sf__jwt(struct ferry_buf *out, EVP_PKEY *key, const char *iss,
                  const char *sub, const char *aud, int64_t now);

/* The `aud` of the JWT for a login URL: https://login.salesforce.com for
 * production hosts (My Domain included), https://test.salesforce.com for
 * sandboxes, the login URL itself otherwise (Experience Cloud sites, the
 * local sandbox). `out` must hold the login URL. */
void ferry_sf__jwt_audience(char *out, size_t outlen, const char *login_url);

/* The host of a URL ("acme.my.salesforce.com"), lower case, into out
 * ("" if there is none or it does not fit). */
void ferry_sf__url_host(char *out, size_t outlen, const char *url);

/* --- auth.c --- */

/* Logs in with the session's grant (not for access_token) and, on
 * success, points sf->api at the new instance_url with the new token,
 * stores a rotated refresh token, and reads the org and user ids. */
int ferry_sf__login(struct ferry_sf *sf);

/* Wipes a buffer's memory, then releases it. */
void ferry_sf__buf_wipe(struct ferry_buf *b);

/* --- parse.c: REST answers, URLs --- */

/* A URL a login may point ferry at: https://host[:port][/path], or
 * http:// only for 127.0.0.1, localhost or [::1] (the local sandbox).
 * The host is letters, digits, '-' and '.'; the path adds '/', '_', '~'
 * and '%': no userinfo, query, fragment, whitespace or control
 * character. */
bool ferry_sf__url_ok(const char *url);

/* Splits an identity URL ".../id/<org id>/<user id>" into 18-char ids;
 * both "" unless the URL has that shape with valid ids. */
void ferry_sf__split_identity(const char *id_url, char org[19], char user[19]);

/* Reads Salesforce's error body (§3.7): an array of {message, errorCode}
 * (the first one is used), a single such object, or an OAuth error
 * object. Fills `code` and `message` (one line each; "" when absent).
 * Returns 0 if the body had one of those shapes, FERRY_EINVALID if not. */
int ferry_sf__parse_error(const char *body, size_t len, char *code,
                          size_t code_len, char *message, size_t message_len);

/* Reads "api-usage=N/M" out of a Sforce-Limit-Info value (other parts
 * are ignored). FERRY_EINVALID when it is not there. */
int ferry_sf__parse_limit_info(const char *value, int64_t *used, int64_t *max);


/* --- session.c --- */

/* Replaces every occurrence of the session's secrets in `text` with
 * "***": for text a server wrote (an error description may echo what it
 * was sent) before it goes into a message. */
void ferry_sf__scrub(const struct ferry_sf *sf, char *text);

#endif
