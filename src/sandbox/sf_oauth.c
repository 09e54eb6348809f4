/* sf_oauth.c: the Salesforce stand-in's OAuth 2.0 token endpoint (client
 * credentials, refresh token, username-password and JWT bearer grants,
 * answered in Salesforce's shapes) and the session check every API call
 * goes through, which is also where --expire-after kills tokens. */
#include "util.h"

#include <errno.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "server.h"
#include "sf_http.h"

#define JWT_GRANT     "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define JWT_MAX_AHEAD 300 /* seconds an assertion's exp may lie ahead */
#define MAX_TOKENS    10000

int sf_oauth_init(struct sf_sb *sb)
{
	const char *path = sb->opts->jwt_public_key;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	FILE *f;

	if (!path)
		return 0;
	if (!(f = fopen(path, "r")))
		return ferry_error_set(FERRY_ECONFIG,
		                       "cannot open --jwt-public-key '%s': %s",
		                       path, strerror(errno));
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!key) {
		/* what a connected app holds is a certificate */
		rewind(f);
		cert = PEM_read_X509(f, NULL, NULL, NULL);
		if (cert)
			key = X509_get_pubkey(cert);
		X509_free(cert);
	}
	fclose(f);
	if (!key)
		return ferry_error_set(FERRY_ECONFIG,
		                       "'%s' holds no PEM public key or "
		                       "certificate: give --jwt-public-key the "
		                       "public half of the key the JWTs are "
		                       "signed with",
		                       path);
	sb->jwt_key = key;
	return 0;
}

void sf_oauth_free(struct sf_sb *sb)
{
	EVP_PKEY_free(sb->jwt_key);
	sb->jwt_key = NULL;
}

static void oauth_error(struct sf_reply *out, int status, const char *error,
                        const char *description)
{
	out->status = status;
	out->json = json_pack("{s:s,s:s}", "error", error, "error_description",
	                      description);
}

/* Standard base64 of data, without line breaks; the caller frees it. */
static char *b64(const unsigned char *data, size_t len)
{
	char *out = ferry_xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* base64url (JWT) into out; false if malformed. */
static bool b64url_decode(const char *s, size_t n, struct ferry_buf *out)
{
	char *t = ferry_xstrndup(s, n), *p;
	bool ok;

	for (p = t; *p; p++)
		if (*p == '-')
			*p = '+';
		else if (*p == '_')
			*p = '/';
		else if (*p == '+' || *p == '/')
			*p = '!'; /* not base64url */
	ok = sandbox_b64decode(t, out);
	free(t);
	return ok;
}

/* The client of the request: form fields, else HTTP Basic. */
static void client_of(const struct sf_req *rq, const struct sf_req *form,
                      char **id, char **secret)
{
	const char *h = rq->authorization;
	struct ferry_buf dec = FERRY_BUF_INIT;

	*id = sf_req_arg(form, "client_id");
	*secret = sf_req_arg(form, "client_secret");
	if (*id || !h || strncasecmp(h, "Basic ", 6))
		return;
	ferry_buf_init(&dec, 4096);
	h += 6;
	while (*h == ' ')
		h++;
	if (sandbox_b64decode(h, &dec) && memchr(dec.ptr, ':', dec.len) &&
	    strlen(dec.ptr) == dec.len) {
		char *colon = strchr(dec.ptr, ':');

		*id = ferry_xstrndup(dec.ptr, (size_t)(colon - dec.ptr));
		free(*secret);
		*secret = ferry_xstrdup(colon + 1);
	}
	ferry_buf_release(&dec);
}

static bool equal(const char *given, const char *want)
{
	return given && sandbox_secret_equal(given, strlen(given), want);
}

static bool aud_ok(struct sf_sb *sb, const char *aud)
{
	static const char *const hosts[] = {"https://login.salesforce.com",
	                                    "https://test.salesforce.com"};
	size_t n = strlen(aud), i;

	if (n > 0 && aud[n - 1] == '/')
		n--;
	for (i = 0; i < FERRY_ARRAY_LEN(hosts); i++)
		if (n == strlen(hosts[i]) && !strncmp(aud, hosts[i], n))
			return true;
	return n == strlen(sb->base_url) && !strncmp(aud, sb->base_url, n);
}

static bool verify_rs256(EVP_PKEY *key, const char *signed_part, size_t n,
                         const struct ferry_buf *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx &&
	     EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, (const unsigned char *)sig->ptr, sig->len,
	                      (const unsigned char *)signed_part, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Checks a JWT bearer assertion; on refusal fills out and returns -1. */
static int check_jwt(struct sf_sb *sb, const char *a, struct sf_reply *out)
{
	const char *dot1 = a ? strchr(a, '.') : NULL;
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	struct ferry_buf hb = FERRY_BUF_INIT, pb = FERRY_BUF_INIT,
	                 sig = FERRY_BUF_INIT;
	json_t *hdr = NULL, *claims = NULL, *aud, *exp;
	const char *why = NULL, *error = "invalid_grant";
	int64_t now = ferry_clock_wall_us() / 1000000, expv;
	size_t i;
	bool aud_match = false;

	if (!sb->jwt_key) {
		why = "no certificate uploaded for this connected app";
		goto done;
	}
	ferry_buf_init(&hb, 8192);
	ferry_buf_init(&pb, 65536);
	ferry_buf_init(&sig, 8192);
	if (!dot2 || strchr(dot2 + 1, '.') ||
	    !b64url_decode(a, (size_t)(dot1 - a), &hb) ||
	    !b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pb) ||
	    !b64url_decode(dot2 + 1, strlen(dot2 + 1), &sig) ||
	    !(hdr = json_loadb(hb.ptr, hb.len, 0, NULL)) ||
	    !(claims = json_loadb(pb.ptr, pb.len, 0, NULL)) ||
	    !json_is_object(claims)) {
		why = "invalid assertion";
		goto done;
	}
	if (!json_is_string(json_object_get(hdr, "alg")) ||
	    strcmp(json_string_value(json_object_get(hdr, "alg")), "RS256") ||
	    !verify_rs256(sb->jwt_key, a, (size_t)(dot2 - a), &sig)) {
		why = "invalid assertion";
		goto done;
	}
	if (!equal(json_string_value(json_object_get(claims, "iss")),
	           sb->opts->client_id)) {
		error = "invalid_client_id";
		why = "client identifier invalid";
		goto done;
	}
	if (!equal(json_string_value(json_object_get(claims, "sub")),
	           sb->opts->username)) {
		why = "user hasn't approved this consumer";
		goto done;
	}
	aud = json_object_get(claims, "aud");
	if (json_is_string(aud))
		aud_match = aud_ok(sb, json_string_value(aud));
	for (i = 0; json_is_array(aud) && i < json_array_size(aud); i++)
		if (json_is_string(json_array_get(aud, i)) &&
		    aud_ok(sb, json_string_value(json_array_get(aud, i))))
			aud_match = true;
	if (!aud_match) {
		why = "audience is invalid";
		goto done;
	}
	exp = json_object_get(claims, "exp");
	expv = json_is_integer(exp) ? (int64_t)json_integer_value(exp)
	       : json_is_real(exp)  ? (int64_t)json_real_value(exp)
	                            : 0;
	if (expv <= now)
		why = "expired authorization code";
	else if (expv > now + JWT_MAX_AHEAD)
		why = "invalid assertion: exp lies more than 5 minutes ahead";
done:
	json_decref(hdr);
	json_decref(claims);
	ferry_buf_release(&hb);
	ferry_buf_release(&pb);
	ferry_buf_release(&sig);
	if (!why)
		return 0;
	oauth_error(out, 400, error, why);
	return -1;
}

/* A new access token in sb->tokens and the success body in out. */
static void issue(struct sf_sb *sb, struct sf_reply *out, const char *scope)
{
	unsigned char rnd[72], mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	struct sf_token *t;
	char *r64, *sig64, *id, *signed_part, *p;
	char issued[32];

	if (sb->n_tokens >= MAX_TOKENS) {
		/* the oldest issued token goes; the given one stays */
		memmove(&sb->tokens[1], &sb->tokens[2],
		        (sb->n_tokens - 2) * sizeof(*sb->tokens));
		sb->n_tokens--;
	}
	sb->tokens = ferry_xrealloc(sb->tokens,
	                            (sb->n_tokens + 1) * sizeof(*sb->tokens));
	t = &sb->tokens[sb->n_tokens++];
	memset(t, 0, sizeof(*t));
	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1) {
		uint64_t x = (uint64_t)ferry_clock_mono_us() ^ sb->next_id++;
		size_t i;

		for (i = 0; i < sizeof(rnd); i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			rnd[i] = (unsigned char)(x >> 56);
		}
	}
	r64 = b64(rnd, sizeof(rnd));
	for (p = r64; *p; p++)
		*p = *p == '+' ? '.' : *p == '/' ? '_' : *p;
	/* like Salesforce's: the 15-char org id, '!', then opaque text */
	snprintf(t->value, sizeof(t->value), "%.15s!AQ%s", sb->org_id, r64);
	free(r64);
	snprintf(issued, sizeof(issued), "%lld",
	         (long long)(ferry_clock_wall_us() / 1000));
	id = ferry_xasprintf("%s/id/%s/%s", sb->base_url, sb->org_id,
	                     sb->user_id);
	signed_part = ferry_xasprintf("%s%s", id, issued);
	HMAC(EVP_sha256(), sb->opts->client_secret,
	     (int)strlen(sb->opts->client_secret),
	     (const unsigned char *)signed_part, strlen(signed_part), mac,
	     &mac_len);
	sig64 = b64(mac, mac_len);
	out->status = 200;
	out->json = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "access_token",
	                      t->value, "signature", sig64, "scope", scope,
	                      "instance_url", sb->base_url, "id", id,
	                      "token_type", "Bearer", "issued_at", issued);
	free(sig64);
	free(signed_part);
	free(id);
}

static bool form_type_ok(const char *ct)
{
	return !ct || !*ct ||
	       !strncasecmp(ct, "application/x-www-form-urlencoded", 33);
}

void sf_oauth_token(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out)
{
	struct sf_req form;
	char *grant = NULL, *id = NULL, *secret = NULL, *a = NULL, *b = NULL;
	char *body = ferry_xstrndup(rq->body ? rq->body : "", rq->body_len);
	const struct sf_opts *o = sb->opts;

	sb->stats.token_requests++;
	memset(&form, 0, sizeof(form));
	form.query = body;
	if (strcmp(rq->method, "POST")) {
		oauth_error(out, 400, "invalid_request", "must use HTTP POST");
		goto done;
	}
	if (!form_type_ok(rq->content_type) || rq->too_big) {
		oauth_error(out, 400, "invalid_request",
		            "send the parameters as "
		            "application/x-www-form-urlencoded");
		goto done;
	}
	grant = sf_req_arg(&form, "grant_type");
	client_of(rq, &form, &id, &secret);
	if (!grant || !*grant) {
		oauth_error(out, 400, "invalid_request",
		            "grant type is missing");
	} else if (!strcmp(grant, "client_credentials") ||
	           !strcmp(grant, "password")) {
		bool pw = !strcmp(grant, "password");

		a = pw ? sf_req_arg(&form, "username") : NULL;
		b = pw ? sf_req_arg(&form, "password") : NULL;
		if (!equal(id, o->client_id))
			oauth_error(out, 400, "invalid_client_id",
			            "client identifier invalid");
		else if (!equal(secret, o->client_secret))
			oauth_error(out, 400, "invalid_client",
			            "invalid client credentials");
		else if (pw && (!a || strcmp(a, o->username) ||
		                !equal(b, o->password)))
			oauth_error(out, 400, "invalid_grant",
			            "authentication failure");
		else
			issue(sb, out, "api");
	} else if (!strcmp(grant, "refresh_token")) {
		a = sf_req_arg(&form, "refresh_token");
		if (!equal(id, o->client_id))
			oauth_error(out, 400, "invalid_client_id",
			            "client identifier invalid");
		else if (secret && !equal(secret, o->client_secret))
			oauth_error(out, 400, "invalid_client",
			            "invalid client credentials");
		else if (!equal(a, o->refresh_token))
			oauth_error(out, 400, "invalid_grant",
			            "expired access/refresh token");
		else
			issue(sb, out, "refresh_token api");
	} else if (!strcmp(grant, JWT_GRANT)) {
		a = sf_req_arg(&form, "assertion");
		if (!a)
			oauth_error(out, 400, "invalid_request",
			            "assertion is missing");
		else if (check_jwt(sb, a, out) == 0)
			issue(sb, out, "api");
	} else {
		oauth_error(out, 400, "unsupported_grant_type",
		            "grant type not supported");
	}
done:
	free(grant);
	free(id);
	free(secret);
	free(a);
	free(b);
	free(body);
}

int sf_oauth_check(struct sf_sb *sb, const char *authorization,
                   struct sf_err *e)
{
	const char *h = authorization;
	struct sf_token *t = NULL;
	size_t i;

	if (h && !strncasecmp(h, "Bearer ", 7))
		h += 7;
	else if (h && !strncasecmp(h, "OAuth ", 6))
		h += 6;
	else
		h = NULL;
	while (h && *h == ' ')
		h++;
	for (i = 0; h && i < sb->n_tokens; i++)
		if (sandbox_secret_equal(h, strlen(h), sb->tokens[i].value))
			t = &sb->tokens[i];
	if (t && !t->dead && sb->opts->expire_after > 0 &&
	    t->uses >= sb->opts->expire_after) {
		t->dead = true;
		sb->stats.expired_tokens++;
	}
	if (!t || t->dead)
		return sf_err_set(e, 401, "INVALID_SESSION_ID",
		                  "Session expired or invalid");
	t->uses++;
	return 0;
}
