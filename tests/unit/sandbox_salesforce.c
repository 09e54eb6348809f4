/* sandbox_salesforce.c: runs the real `ferry-sandbox salesforce` and talks
 * to it over HTTP with libcurl, checking what a Salesforce client relies
 * on: every OAuth grant (JWT signed with a key made here), sessions that
 * expire, the daily API budget, injected faults, REST query paging,
 * COUNT() and its skew, the Tooling envelope, the delta endpoints, Bulk
 * API 2.0 jobs through to the last page, and Salesforce's error shapes. */
#include "helpers.h"
#include "util.h"

#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sf_sandbox.h"

#define STATIC_TOKEN "Bearer ferry-sandbox-access-token"
#define V            "/services/data/v62.0"
#define CLIENT       "client_id=ferry-sandbox-client"
#define SECRET       "client_secret=ferry-sandbox-secret"

struct reply {
	long status;
	CURLcode curl;
	json_t *json;
	struct ferry_buf body;
	char limit_info[128], locator[128], n_records[32];
};

static struct test_sandbox shared, limited, expiring;
static EVP_PKEY *jwt_key, *other_key;
static char *key_dir;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct ferry_buf *b = ud;

	return ferry_buf_put(b, p, size * n) < 0 ? 0 : size * n;
}

static void header_value(const char *p, size_t len, const char *name, char *out,
                         size_t outlen)
{
	size_t nlen = strlen(name);

	if (len > nlen && !strncasecmp(p, name, nlen)) {
		char *v = ferry_xstrndup(p + nlen, len - nlen);

		snprintf(out, outlen, "%s", ferry_str_trim(v));
		free(v);
	}
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = size * n;

	header_value(p, len, "Sforce-Limit-Info:", r->limit_info,
	             sizeof(r->limit_info));
	header_value(p, len, "Sforce-Locator:", r->locator, sizeof(r->locator));
	header_value(p, len, "Sforce-NumberOfRecords:", r->n_records,
	             sizeof(r->n_records));
	return len;
}

/* auth: a whole Authorization value, or NULL for none. */
static void call_full(const struct test_sandbox *sb, const char *method,
                      const char *path, const char *body, const char *ctype,
                      const char *auth, struct reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char *url = ferry_xasprintf("%s%s", sb->url, path), *hv = NULL,
	     *cv = NULL;

	memset(r, 0, sizeof(*r));
	ferry_buf_init(&r->body, (size_t)512 * 1024 * 1024);
	assert_non_null(c);
	if (auth) {
		hv = ferry_xasprintf("Authorization: %s", auth);
		h = curl_slist_append(h, hv);
	}
	if (ctype) {
		cv = ferry_xasprintf("Content-Type: %s", ctype);
		h = curl_slist_append(h, cv);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	r->curl = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->json = json_loadb(r->body.ptr, r->body.len, 0, NULL);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	free(hv);
	free(cv);
}

static void get(const struct test_sandbox *sb, const char *path,
                struct reply *r)
{
	call_full(sb, "GET", path, NULL, NULL, STATIC_TOKEN, r);
	assert_int_equal(r->curl, CURLE_OK);
}

static void send_json(const struct test_sandbox *sb, const char *method,
                      const char *path, const char *body, struct reply *r)
{
	call_full(sb, method, path, body, "application/json", STATIC_TOKEN, r);
	assert_int_equal(r->curl, CURLE_OK);
}

static void token(const struct test_sandbox *sb, const char *form,
                  const char *auth, struct reply *r)
{
	call_full(sb, "POST", "/services/oauth2/token", form,
	          "application/x-www-form-urlencoded", auth, r);
	assert_int_equal(r->curl, CURLE_OK);
}

static void reply_free(struct reply *r)
{
	json_decref(r->json);
	r->json = NULL;
	ferry_buf_release(&r->body);
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* A Salesforce error: [{"message":…,"errorCode":code}] and nothing else. */
static void assert_sf_error(struct reply *r, long status, const char *code)
{
	json_t *e;

	assert_int_equal(r->status, status);
	assert_true(json_is_array(r->json));
	assert_int_equal(json_array_size(r->json), 1);
	e = json_array_get(r->json, 0);
	assert_int_equal(json_object_size(e), 2);
	assert_string_equal(jstr(e, "errorCode"), code);
	assert_non_null(jstr(e, "message"));
}

static void assert_oauth_error(struct reply *r, const char *error)
{
	assert_int_equal(r->status, 400);
	assert_true(json_is_object(r->json));
	assert_int_equal(json_object_size(r->json), 2);
	assert_string_equal(jstr(r->json, "error"), error);
	assert_non_null(jstr(r->json, "error_description"));
}

static char *escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *out = ferry_xstrdup(e);

	curl_free(e);
	return out;
}

/* GET V/query?q=<soql> (or another resource). */
static void soql(const struct test_sandbox *sb, const char *resource,
                 const char *q, struct reply *r)
{
	char *eq = escape(q),
	     *path = ferry_xasprintf("%s/%s?q=%s", V, resource, eq);

	get(sb, path, r);
	free(path);
	free(eq);
}

/* --- JWT --- */

static char *b64url(const unsigned char *d, size_t n)
{
	char *out = ferry_xmalloc(4 * ((n + 2) / 3) + 1), *p;

	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
	for (p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	while (p > out && p[-1] == '=')
		*--p = '\0';
	return out;
}

static char *make_jwt(EVP_PKEY *key, const char *iss, const char *sub,
                      const char *aud, int64_t exp)
{
	const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	json_t *claims = json_pack("{s:s,s:s,s:s,s:I}", "iss", iss, "sub", sub,
	                           "aud", aud, "exp", (json_int_t)exp);
	char *ctext = json_dumps(claims, JSON_COMPACT);
	char *h64 = b64url((const unsigned char *)hdr, strlen(hdr));
	char *c64 = b64url((const unsigned char *)ctext, strlen(ctext));
	char *input = ferry_xasprintf("%s.%s", h64, c64), *s64, *jwt;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key),
	                 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen,
	                                (const unsigned char *)input,
	                                strlen(input)),
	                 1);
	EVP_MD_CTX_free(ctx);
	s64 = b64url(sig, siglen);
	jwt = ferry_xasprintf("%s.%s", input, s64);
	free(s64);
	free(input);
	free(c64);
	free(h64);
	free(ctext);
	json_decref(claims);
	return jwt;
}

static void jwt_grant(const struct test_sandbox *sb, const char *jwt,
                      struct reply *r)
{
	char *ej = escape(jwt);
	char *form = ferry_xasprintf(
	    "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-"
	    "bearer&assertion=%s",
	    ej);

	token(sb, form, NULL, r);
	free(form);
	free(ej);
}

/* --- setup --- */

static int setup(void **state)
{
	char *pem;
	FILE *f;
	const char *shared_args[] = {"--jwt-public-key",
	                             NULL,
	                             "--page-size",
	                             "50",
	                             "--bulk-polls",
	                             "1",
	                             "--fail-job",
	                             "Lead",
	                             "--count-skew",
	                             "Case=3",
	                             "--deleted-every",
	                             "7",
	                             NULL};
	const char *limited_args[] = {"--api-limit", "5", NULL};
	const char *expiring_args[] = {"--expire-after", "3", NULL};

	FERRY_UNUSED(state);
	/* the sandboxes must use their default credentials */
	unsetenv("FERRY_SF_CLIENT_ID");
	unsetenv("FERRY_SF_CLIENT_SECRET");
	unsetenv("FERRY_SF_PASSWORD");
	unsetenv("FERRY_SF_REFRESH_TOKEN");
	unsetenv("FERRY_SF_ACCESS_TOKEN");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	jwt_key = EVP_RSA_gen(2048);
	other_key = EVP_RSA_gen(2048);
	if (!jwt_key || !other_key)
		return -1;
	key_dir = test_tmpdir("sf_jwt");
	pem = ferry_xasprintf("%s/server.pem", key_dir);
	f = fopen(pem, "w");
	if (!f || PEM_write_PUBKEY(f, jwt_key) != 1)
		return -1;
	fclose(f);
	shared_args[1] = pem;
	if (test_sandbox_start(&shared, "salesforce", shared_args) < 0 ||
	    test_sandbox_start(&limited, "salesforce", limited_args) < 0 ||
	    test_sandbox_start(&expiring, "salesforce", expiring_args) < 0)
		return -1;
	free(pem);
	return 0;
}

static int teardown(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&shared);
	test_sandbox_stop(&limited);
	test_sandbox_stop(&expiring);
	EVP_PKEY_free(jwt_key);
	EVP_PKEY_free(other_key);
	free(key_dir);
	curl_global_cleanup();
	return 0;
}

/* --- versions, auth, errors --- */

static void test_versions_and_auth(void **state)
{
	struct reply r;
	json_t *first, *last;

	FERRY_UNUSED(state);
	call_full(&shared, "GET", "/services/data/", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(r.json), 67 - 31 + 1);
	first = json_array_get(r.json, 0);
	last = json_array_get(r.json, json_array_size(r.json) - 1);
	assert_string_equal(jstr(first, "version"), "31.0");
	assert_string_equal(jstr(first, "label"), "Summer '14");
	assert_string_equal(jstr(first, "url"), "/services/data/v31.0");
	assert_string_equal(jstr(last, "label"), "Summer '26");
	assert_string_equal(jstr(json_array_get(r.json, 65 - 31), "label"),
	                    "Winter '26");
	assert_string_equal(jstr(json_array_get(r.json, 66 - 31), "label"),
	                    "Spring '26");
	assert_string_equal(r.limit_info, ""); /* not on the versions list */
	reply_free(&r);

	call_full(&shared, "GET", V "/sobjects", NULL, NULL, NULL, &r);
	assert_sf_error(&r, 401, "INVALID_SESSION_ID");
	assert_string_equal(jstr(json_array_get(r.json, 0), "message"),
	                    "Session expired or invalid");
	reply_free(&r);
	call_full(&shared, "GET", V "/sobjects", NULL, NULL, "Bearer nope", &r);
	assert_sf_error(&r, 401, "INVALID_SESSION_ID");
	reply_free(&r);

	get(&shared, "/services/data/v99.0/sobjects", &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);
	get(&shared, V "/nothing/here", &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);
	send_json(&shared, "PUT", V "/limits", "{}", &r);
	assert_sf_error(&r, 405, "METHOD_NOT_ALLOWED");
	reply_free(&r);

	get(&shared, V "/", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "query"), V "/query");
	assert_string_equal(jstr(r.json, "jobs"), V "/jobs");
	assert_true(ferry_str_starts_with(r.limit_info, "api-usage="));
	reply_free(&r);
}

static void test_describe(void **state)
{
	struct reply r;
	json_t *fields;

	FERRY_UNUSED(state);
	get(&shared, V "/sobjects", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "encoding"), "UTF-8");
	assert_true(json_array_size(json_object_get(r.json, "sobjects")) > 10);
	reply_free(&r);
	get(&shared, V "/sobjects/Account/describe", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), "Account");
	fields = json_object_get(r.json, "fields");
	assert_true(json_array_size(fields) > 10);
	reply_free(&r);
	get(&shared, V "/sobjects/account/describe", &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get(&shared, V "/sobjects/NoSuchThing__c/describe", &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);
	get(&shared, V "/limits/recordCount?sObjects=Account,Contact,Nope", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "sObjects")),
	                 2);
	assert_string_equal(
	    jstr(json_array_get(json_object_get(r.json, "sObjects"), 1),
	         "name"),
	    "Contact");
	reply_free(&r);
}

/* --- OAuth --- */

static void assert_token(struct reply *r, const struct test_sandbox *sb)
{
	char *prefix = ferry_xasprintf("%s/id/00D", sb->url);
	const char *issued;
	struct reply api;
	char *auth;

	assert_int_equal(r->status, 200);
	assert_non_null(jstr(r->json, "access_token"));
	assert_string_equal(jstr(r->json, "instance_url"), sb->url);
	assert_true(ferry_str_starts_with(jstr(r->json, "id"), prefix));
	assert_string_equal(jstr(r->json, "token_type"), "Bearer");
	issued = jstr(r->json, "issued_at");
	assert_non_null(issued);
	assert_int_equal(strlen(issued), 13); /* milliseconds */
	assert_non_null(jstr(r->json, "signature"));
	assert_non_null(jstr(r->json, "scope"));
	assert_null(json_object_get(r->json, "refresh_token"));
	assert_null(json_object_get(r->json, "expires_in"));
	auth = ferry_xasprintf("Bearer %s", jstr(r->json, "access_token"));
	call_full(sb, "GET", V "/limits", NULL, NULL, auth, &api);
	assert_int_equal(api.status, 200);
	reply_free(&api);
	free(auth);
	free(prefix);
}

static void test_grants(void **state)
{
	struct reply r;
	char *basic;

	FERRY_UNUSED(state);
	token(&shared, "grant_type=client_credentials&" CLIENT "&" SECRET, NULL,
	      &r);
	assert_token(&r, &shared);
	reply_free(&r);
	/* client credentials through HTTP Basic */
	basic = ferry_xasprintf("Basic %s",
	                        "ZmVycnktc2FuZGJveC1jbGllbnQ6ZmVycnktc2FuZGJv"
	                        "eC1zZWNyZXQ=");
	token(&shared, "grant_type=client_credentials", basic, &r);
	assert_token(&r, &shared);
	reply_free(&r);
	free(basic);
	token(&shared,
	      "grant_type=password&" CLIENT "&" SECRET
	      "&username=integration%40ferry.example&password=ferry-sandbox-"
	      "password",
	      NULL, &r);
	assert_token(&r, &shared);
	reply_free(&r);
	token(&shared,
	      "grant_type=refresh_token&" CLIENT
	      "&refresh_token=ferry-sandbox-refresh",
	      NULL, &r);
	assert_token(&r, &shared);
	reply_free(&r);

	token(&shared,
	      "grant_type=client_credentials&" CLIENT "&client_secret=nope",
	      NULL, &r);
	assert_oauth_error(&r, "invalid_client");
	reply_free(&r);
	token(&shared, "grant_type=client_credentials&client_id=x&" SECRET,
	      NULL, &r);
	assert_oauth_error(&r, "invalid_client_id");
	reply_free(&r);
	token(&shared,
	      "grant_type=password&" CLIENT "&" SECRET
	      "&username=integration%40ferry.example&password=wrong",
	      NULL, &r);
	assert_oauth_error(&r, "invalid_grant");
	assert_string_equal(jstr(r.json, "error_description"),
	                    "authentication failure");
	reply_free(&r);
	token(&shared, "grant_type=refresh_token&" CLIENT "&refresh_token=old",
	      NULL, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	token(&shared, "grant_type=authorization_code&code=x", NULL, &r);
	assert_oauth_error(&r, "unsupported_grant_type");
	reply_free(&r);
	token(&shared, CLIENT, NULL, &r);
	assert_oauth_error(&r, "invalid_request");
	reply_free(&r);
}

static void test_jwt(void **state)
{
	int64_t now = (int64_t)time(NULL);
	const char *iss = "ferry-sandbox-client",
	           *sub = "integration@ferry.example";
	struct reply r;
	char *jwt, *self;

	FERRY_UNUSED(state);
	jwt = make_jwt(jwt_key, iss, sub, "https://login.salesforce.com",
	               now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_token(&r, &shared);
	reply_free(&r);
	/* the sandbox's own URL is an audience too */
	free(jwt);
	jwt = make_jwt(jwt_key, iss, sub, shared.url, now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_token(&r, &shared);
	reply_free(&r);
	/* a sandbox with no key refuses every JWT */
	jwt_grant(&limited, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	assert_string_equal(jstr(r.json, "error_description"),
	                    "no certificate uploaded for this connected app");
	reply_free(&r);
	free(jwt);

	/* signed with another key */
	jwt = make_jwt(other_key, iss, sub, "https://login.salesforce.com",
	               now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(jwt);
	/* a tampered signature */
	jwt = make_jwt(jwt_key, iss, sub, "https://login.salesforce.com",
	               now + 120);
	jwt[strlen(jwt) - 5] = jwt[strlen(jwt) - 5] == 'A' ? 'B' : 'A';
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(jwt);
	/* the wrong audience */
	jwt = make_jwt(jwt_key, iss, sub, "https://example.com", now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	assert_string_equal(jstr(r.json, "error_description"),
	                    "audience is invalid");
	reply_free(&r);
	free(jwt);
	/* expired, and too far ahead */
	jwt = make_jwt(jwt_key, iss, sub, "https://test.salesforce.com",
	               now - 10);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(jwt);
	jwt = make_jwt(jwt_key, iss, sub, "https://test.salesforce.com",
	               now + 3600);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(jwt);
	/* another issuer or user */
	jwt = make_jwt(jwt_key, "someone-else", sub,
	               "https://login.salesforce.com", now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_client_id");
	reply_free(&r);
	free(jwt);
	jwt = make_jwt(jwt_key, iss, "mallory@ferry.example",
	               "https://login.salesforce.com", now + 120);
	jwt_grant(&shared, jwt, &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(jwt);
	self = NULL;
	jwt_grant(&shared, "not.a.jwt", &r);
	assert_oauth_error(&r, "invalid_grant");
	reply_free(&r);
	free(self);
}

static void test_token_expiry(void **state)
{
	struct reply r;
	char *auth;
	int i;

	FERRY_UNUSED(state);
	token(&expiring, "grant_type=client_credentials&" CLIENT "&" SECRET,
	      NULL, &r);
	assert_int_equal(r.status, 200);
	auth = ferry_xasprintf("Bearer %s", jstr(r.json, "access_token"));
	reply_free(&r);
	for (i = 0; i < 3; i++) {
		call_full(&expiring, "GET", V "/limits", NULL, NULL, auth, &r);
		assert_int_equal(r.status, 200);
		reply_free(&r);
	}
	call_full(&expiring, "GET", V "/limits", NULL, NULL, auth, &r);
	assert_sf_error(&r, 401, "INVALID_SESSION_ID");
	assert_true(ferry_str_starts_with(r.limit_info, "api-usage=3/"));
	reply_free(&r);
	/* dead stays dead */
	call_full(&expiring, "GET", V "/limits", NULL, NULL, auth, &r);
	assert_int_equal(r.status, 401);
	reply_free(&r);
	free(auth);
	/* a new login works */
	token(&expiring,
	      "grant_type=refresh_token&" CLIENT
	      "&refresh_token=ferry-sandbox-refresh",
	      NULL, &r);
	assert_int_equal(r.status, 200);
	auth = ferry_xasprintf("Bearer %s", jstr(r.json, "access_token"));
	reply_free(&r);
	call_full(&expiring, "GET", V "/limits", NULL, NULL, auth, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	free(auth);
	call_full(&expiring, "GET", "/__sandbox/stats", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "expired_tokens"), 1);
	assert_int_equal(jint(r.json, "token_requests"), 2);
	assert_int_equal(jint(r.json, "api_requests"), 4);
	reply_free(&r);
}

/* --- limits and faults --- */

static void test_limits(void **state)
{
	struct reply r;
	json_int_t rem1, rem2, jobs1, jobs2, used;
	long long u = 0, m = 0;

	FERRY_UNUSED(state);
	get(&shared, V "/limits", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_object_size(r.json) >= 15);
	assert_int_equal(
	    jint(json_object_get(r.json, "DailyApiRequests"), "Max"), 15000);
	rem1 = jint(json_object_get(r.json, "DailyApiRequests"), "Remaining");
	jobs1 =
	    jint(json_object_get(r.json, "DailyBulkV2QueryJobs"), "Remaining");
	assert_non_null(json_object_get(r.json, "DataStorageMB"));
	assert_non_null(
	    json_object_get(r.json, "DailyBulkV2QueryFileStorageMB"));
	assert_int_equal(sscanf(r.limit_info, "api-usage=%lld/%lld", &u, &m),
	                 2);
	used = (json_int_t)u;
	assert_int_equal(m, 15000);
	assert_int_equal(15000 - used, rem1);
	reply_free(&r);
	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"query\",\"query\":\"SELECT Id FROM "
	          "Account\"}",
	          &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get(&shared, V "/limits", &r);
	rem2 = jint(json_object_get(r.json, "DailyApiRequests"), "Remaining");
	jobs2 =
	    jint(json_object_get(r.json, "DailyBulkV2QueryJobs"), "Remaining");
	assert_int_equal(rem1 - rem2, 2);
	assert_int_equal(jobs1 - jobs2, 1);
	reply_free(&r);
}

static void test_request_limit(void **state)
{
	struct reply r;
	int i;

	FERRY_UNUSED(state);
	for (i = 0; i < 5; i++) {
		get(&limited, V "/sobjects", &r);
		assert_int_equal(r.status, 200);
		reply_free(&r);
	}
	get(&limited, V "/limits", &r);
	assert_sf_error(&r, 403, "REQUEST_LIMIT_EXCEEDED");
	assert_string_equal(jstr(json_array_get(r.json, 0), "message"),
	                    "TotalRequests Limit exceeded.");
	assert_string_equal(r.limit_info, "api-usage=5/5");
	reply_free(&r);
	/* the versions list is not an API call */
	call_full(&limited, "GET", "/services/data/", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

/* The statuses of 30 calls to a fresh sandbox with --fail-rate. */
static void fail_pattern(char out[31], int64_t *faults)
{
	const char *args[] = {"--fail-rate", "0.4", "--seed", "7", NULL};
	struct test_sandbox sb;
	struct reply r;
	int i;

	assert_int_equal(test_sandbox_start(&sb, "salesforce", args), 0);
	for (i = 0; i < 30; i++) {
		get(&sb, V "/limits", &r);
		if (r.status == 503)
			assert_sf_error(&r, 503, "SERVER_UNAVAILABLE");
		else
			assert_int_equal(r.status, 200);
		out[i] = r.status == 503 ? 'x' : '.';
		reply_free(&r);
	}
	out[30] = '\0';
	call_full(&sb, "GET", "/__sandbox/stats", NULL, NULL, NULL, &r);
	*faults = jint(r.json, "faults_injected");
	reply_free(&r);
	test_sandbox_stop(&sb);
}

static void test_faults(void **state)
{
	const char *drop_args[] = {"--drop-rate", "1", NULL};
	const char *slow_args[] = {"--slow-ms", "150", NULL};
	int64_t t0;
	char a[31], b[31];
	int64_t fa = 0, fb = 0, n = 0;
	struct test_sandbox sb;
	struct reply r;
	int i;

	FERRY_UNUSED(state);
	fail_pattern(a, &fa);
	fail_pattern(b, &fb);
	assert_string_equal(a, b); /* the same seed, the same faults */
	for (i = 0; i < 30; i++)
		n += a[i] == 'x';
	assert_true(n > 0 && n < 30);
	assert_int_equal(fa, n);
	assert_int_equal(test_sandbox_start(&sb, "salesforce", drop_args), 0);
	call_full(&sb, "GET", V "/limits", NULL, NULL, STATIC_TOKEN, &r);
	assert_int_equal(r.curl, CURLE_GOT_NOTHING);
	reply_free(&r);
	call_full(&sb, "GET", "/services/data/", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	test_sandbox_stop(&sb);
	/* --slow-ms delays every answer */
	assert_int_equal(test_sandbox_start(&sb, "salesforce", slow_args), 0);
	t0 = ferry_clock_mono_us();
	get(&sb, V "/limits", &r);
	assert_int_equal(r.status, 200);
	assert_true(ferry_clock_mono_us() - t0 >= 150000);
	reply_free(&r);
	test_sandbox_stop(&sb);
}

/* --- REST queries --- */

static json_int_t count_of(const char *resource, const char *object)
{
	struct reply r;
	char *q = ferry_xasprintf("SELECT COUNT() FROM %s", object);
	json_int_t n;

	soql(&shared, resource, q, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "records")),
	                 0);
	assert_true(json_is_true(json_object_get(r.json, "done")));
	n = jint(r.json, "totalSize");
	reply_free(&r);
	free(q);
	return n;
}

static void test_query_paging(void **state)
{
	struct reply r;
	json_t *ids = json_object(), *rec;
	json_int_t total = -1, seen = 0;
	char *next = NULL;
	int pages = 0;
	size_t i;

	FERRY_UNUSED(state);
	soql(&shared, "query", "SELECT Id, Name FROM Contact", &r);
	for (;;) {
		assert_int_equal(r.status, 200);
		if (total < 0)
			total = jint(r.json, "totalSize");
		assert_int_equal(jint(r.json, "totalSize"), total);
		pages++;
		json_array_foreach(json_object_get(r.json, "records"), i, rec)
		{
			json_t *a = json_object_get(rec, "attributes");

			assert_string_equal(jstr(a, "type"), "Contact");
			assert_true(ferry_str_starts_with(
			    jstr(a, "url"), V "/sobjects/Contact/003"));
			assert_int_equal(strlen(jstr(rec, "Id")), 18);
			json_object_set_new(ids, jstr(rec, "Id"), json_true());
			seen++;
		}
		free(next);
		next = NULL;
		if (json_is_true(json_object_get(r.json, "done"))) {
			assert_null(json_object_get(r.json, "nextRecordsUrl"));
			break;
		}
		assert_int_equal(
		    json_array_size(json_object_get(r.json, "records")), 50);
		next = ferry_xstrdup(jstr(r.json, "nextRecordsUrl"));
		assert_true(ferry_str_starts_with(next, V "/query/01g"));
		reply_free(&r);
		get(&shared, next, &r);
	}
	reply_free(&r);
	assert_true(total > 50);
	assert_int_equal(seen, total);
	assert_int_equal((json_int_t)json_object_size(ids), total);
	assert_true(pages >= 2);
	json_decref(ids);
	/* COUNT() and COUNT(Id) agree with the paging */
	assert_int_equal(count_of("query", "Contact"), total);
	soql(&shared, "query", "SELECT COUNT(Id) FROM Contact", &r);
	assert_int_equal(jint(r.json, "totalSize"), 1);
	rec = json_array_get(json_object_get(r.json, "records"), 0);
	assert_string_equal(jstr(json_object_get(rec, "attributes"), "type"),
	                    "AggregateResult");
	assert_null(json_object_get(json_object_get(rec, "attributes"), "url"));
	assert_int_equal(jint(rec, "expr0"), total);
	reply_free(&r);
	/* queryAll sees the soft-deleted ones (--deleted-every 7) */
	assert_true(count_of("queryAll", "Contact") > total);

	get(&shared, V "/query/01g5f0000000000AAA-50", &r);
	assert_sf_error(&r, 400, "INVALID_QUERY_LOCATOR");
	reply_free(&r);
}

static void test_query_values(void **state)
{
	struct reply r;
	json_t *rec, *owner;
	size_t i;
	bool saw_rev = false;

	FERRY_UNUSED(state);
	soql(&shared, "query",
	     "SELECT Id, Name, IsDeleted, NumberOfEmployees, AnnualRevenue, "
	     "CreatedDate, Owner.Name FROM Account",
	     &r);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "records"), i, rec)
	{
		json_t *emp = json_object_get(rec, "NumberOfEmployees");
		json_t *rev = json_object_get(rec, "AnnualRevenue");

		assert_true(json_is_false(json_object_get(rec, "IsDeleted")));
		assert_true(json_is_integer(emp) || json_is_null(emp));
		assert_true(json_is_number(rev) || json_is_null(rev));
		saw_rev |= json_is_number(rev);
		assert_true(strstr(jstr(rec, "CreatedDate"), "+0000") != NULL);
		owner = json_object_get(rec, "Owner");
		assert_true(json_is_object(owner));
		assert_string_equal(
		    jstr(json_object_get(owner, "attributes"), "type"), "User");
		assert_true(json_is_string(json_object_get(owner, "Name")));
	}
	assert_true(saw_rev);
	reply_free(&r);

	/* Salesforce's implementation restriction */
	soql(&shared, "query", "SELECT Id FROM ContentDocumentLink", &r);
	assert_sf_error(&r, 400, "MALFORMED_QUERY");
	assert_true(ferry_str_starts_with(
	    jstr(json_array_get(r.json, 0), "message"),
	    "Implementation restriction: ContentDocumentLink requires a "
	    "filter by a single Id on ContentDocumentId or LinkedEntityId"));
	reply_free(&r);
	soql(&shared, "query",
	     "SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = "
	     "'001000000000000AAA'",
	     &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	get(&shared, V "/query", &r);
	assert_sf_error(&r, 400, "MALFORMED_QUERY");
	reply_free(&r);
	soql(&shared, "query", "SELECT Id FROM NoSuchObject", &r);
	assert_int_equal(r.status, 400);
	assert_true(json_is_array(r.json));
	reply_free(&r);
}

static void test_count_skew(void **state)
{
	struct reply r;
	json_int_t rows = 0;

	FERRY_UNUSED(state);
	/* --count-skew Case=3: COUNT() says 3 more than the rows */
	soql(&shared, "query", "SELECT Id FROM Case", &r);
	assert_int_equal(r.status, 200);
	rows = jint(r.json, "totalSize");
	reply_free(&r);
	assert_int_equal(count_of("query", "Case"), rows + 3);
}

static void test_tooling(void **state)
{
	struct reply r;
	json_t *rec;
	size_t i;

	FERRY_UNUSED(state);
	soql(&shared, "tooling/query", "SELECT Id, Name FROM ApexClass", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(
	    jint(r.json, "size"),
	    (json_int_t)json_array_size(json_object_get(r.json, "records")));
	assert_true(jint(r.json, "totalSize") >= jint(r.json, "size"));
	assert_true(json_is_boolean(json_object_get(r.json, "done")));
	assert_non_null(json_object_get(r.json, "queryLocator"));
	assert_string_equal(jstr(r.json, "entityTypeName"), "ApexClass");
	json_array_foreach(json_object_get(r.json, "records"), i, rec)
	    assert_true(ferry_str_starts_with(
	        jstr(json_object_get(rec, "attributes"), "url"),
	        V "/tooling/sobjects/ApexClass/"));
	reply_free(&r);
	soql(&shared, "tooling/query", "SELECT COUNT() FROM ApexTrigger", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(jint(r.json, "size"), 0);
	assert_true(json_is_null(json_object_get(r.json, "queryLocator")));
	reply_free(&r);
	get(&shared, V "/tooling/sobjects", &r);
	assert_int_equal(r.status, 200);
	rec = json_array_get(json_object_get(r.json, "sobjects"), 0);
	assert_non_null(rec);
	assert_true(ferry_str_starts_with(
	    jstr(json_object_get(rec, "urls"), "describe"),
	    V "/tooling/sobjects/"));
	reply_free(&r);
	get(&shared, V "/tooling/sobjects/ApexClass/describe", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "name"), "ApexClass");
	reply_free(&r);
	get(&shared, V "/tooling/sobjects/Account/describe", &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);
}

static void test_deltas(void **state)
{
	struct reply r;

	FERRY_UNUSED(state);
	get(&shared,
	    V "/sobjects/Account/updated/?start=2026-10-05T00%3A00%3A00%2B00%3A"
	      "00&end=2026-11-01T00%3A00%3A00%2B00%3A00",
	    &r);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "ids")) > 0);
	assert_string_equal(jstr(r.json, "latestDateCovered"),
	                    "2026-11-01T00:00:00.000+0000");
	reply_free(&r);
	get(&shared,
	    V "/sobjects/Account/deleted/?start=2026-10-01T00:00:00Z&end="
	      "2026-11-01T00:00:00Z",
	    &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(json_object_get(r.json, "deletedRecords")));
	assert_non_null(jstr(r.json, "earliestDateAvailable"));
	reply_free(&r);
	get(&shared,
	    V "/sobjects/Account/updated/?start=2026-01-01T00:00:00Z&end="
	      "2026-11-01T00:00:00Z",
	    &r);
	assert_sf_error(&r, 400, "INVALID_REPLICATION_DATE");
	reply_free(&r);
	get(&shared, V "/sobjects/Account/updated/", &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
}

/* --- Bulk API 2.0 --- */

/* Parses one CSV page (quoted values, "" inside, empty = null). */
static json_t *parse_csv(const char *s, size_t n, char delim)
{
	json_t *rows = json_array(), *row = json_array();
	struct ferry_buf f = FERRY_BUF_INIT;
	size_t i = 0;

	while (i < n) {
		bool quoted = false;

		ferry_buf_clear(&f);
		if (s[i] == '"') {
			quoted = true;
			for (i++; i < n; i++) {
				if (s[i] == '"' && i + 1 < n &&
				    s[i + 1] == '"') {
					assert_int_equal(
					    ferry_buf_putc(&f, '"'), 0);
					i++;
				} else if (s[i] == '"') {
					i++;
					break;
				} else {
					assert_int_equal(
					    ferry_buf_putc(&f, s[i]), 0);
				}
			}
		}
		json_array_append_new(row, quoted ? json_stringn(f.ptr, f.len)
		                                  : json_null());
		if (i < n && s[i] == delim) {
			i++;
			continue;
		}
		if (i < n && s[i] == '\r')
			i++;
		assert_true(i >= n || s[i] == '\n');
		i++;
		json_array_append_new(rows, row);
		row = json_array();
	}
	json_decref(row);
	ferry_buf_release(&f);
	return rows;
}

/* Creates a job and polls it to a final state; returns its id. */
static char *run_job(const char *body, const char *want_state, json_t **info)
{
	struct reply r;
	char *id, *path;
	int polls = 0;

	send_json(&shared, "POST", V "/jobs/query", body, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "state"), "UploadComplete");
	id = ferry_xstrdup(jstr(r.json, "id"));
	reply_free(&r);
	path = ferry_xasprintf(V "/jobs/query/%s", id);
	for (;;) {
		get(&shared, path, &r);
		assert_int_equal(r.status, 200);
		polls++;
		if (strcmp(jstr(r.json, "state"), "InProgress"))
			break;
		reply_free(&r);
	}
	assert_int_equal(polls, 2); /* --bulk-polls 1 */
	assert_string_equal(jstr(r.json, "state"), want_state);
	*info = json_incref(r.json);
	reply_free(&r);
	free(path);
	return id;
}

static void test_bulk_job(void **state)
{
	struct reply r;
	json_t *info, *rows, *ids = json_object(), *row;
	json_int_t total = count_of("query", "Contact"), got = 0;
	char *id, *path, locator[128] = "";
	int pages = 0;
	size_t i;

	FERRY_UNUSED(state);
	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"query\",\"query\":\"SELECT Id, Name, "
	          "Email, Account.Name FROM Contact\",\"contentType\":\"CSV\","
	          "\"columnDelimiter\":\"COMMA\",\"lineEnding\":\"LF\"}",
	          &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "object"), "Contact");
	assert_string_equal(jstr(r.json, "state"), "UploadComplete");
	assert_true(json_is_real(json_object_get(r.json, "apiVersion")));
	assert_true(json_real_value(json_object_get(r.json, "apiVersion")) ==
	            62.0);
	assert_null(json_object_get(r.json, "numberRecordsProcessed"));
	assert_true(ferry_str_starts_with(jstr(r.json, "id"), "750"));
	/* results before the job is done */
	path = ferry_xasprintf(V "/jobs/query/%s/results", jstr(r.json, "id"));
	reply_free(&r);
	get(&shared, path, &r);
	assert_sf_error(&r, 400, "JOB_NOT_COMPLETE");
	reply_free(&r);
	free(path);

	id = run_job("{\"operation\":\"query\",\"query\":\"SELECT Id, Name, "
	             "Email, Account.Name FROM Contact\"}",
	             "JobComplete", &info);
	assert_int_equal(jint(info, "numberRecordsProcessed"), total);
	assert_int_equal(jint(info, "retries"), 0);
	assert_true(
	    json_is_boolean(json_object_get(info, "isPkChunkingSupported")));
	json_decref(info);
	for (;;) {
		path = locator[0]
		           ? ferry_xasprintf(V "/jobs/query/%s/results?"
		                               "maxRecords=97&locator=%s",
		                             id, locator)
		           : ferry_xasprintf(V "/jobs/query/%s/results?"
		                               "maxRecords=97",
		                             id);
		get(&shared, path, &r);
		free(path);
		assert_int_equal(r.status, 200);
		rows = parse_csv(r.body.ptr, r.body.len, ',');
		row = json_array_get(rows, 0);
		assert_string_equal(json_string_value(json_array_get(row, 0)),
		                    "Id");
		assert_string_equal(json_string_value(json_array_get(row, 3)),
		                    "Account.Name");
		assert_int_equal(json_array_size(rows) - 1,
		                 strtol(r.n_records, NULL, 10));
		json_array_foreach(rows, i, row)
		{
			if (i == 0)
				continue;
			assert_int_equal(json_array_size(row), 4);
			json_object_set_new(
			    ids, json_string_value(json_array_get(row, 0)),
			    json_true());
			got++;
		}
		json_decref(rows);
		pages++;
		snprintf(locator, sizeof(locator), "%s", r.locator);
		reply_free(&r);
		if (!strcmp(locator, "null"))
			break;
		assert_true(pages < 10000);
	}
	assert_int_equal(got, total);
	assert_int_equal((json_int_t)json_object_size(ids), total);
	assert_int_equal(pages, (total + 96) / 97);
	json_decref(ids);

	/* a page again, from its locator (base64 of "97") */
	path = ferry_xasprintf(V "/jobs/query/%s/results?maxRecords=97&"
	                         "locator=OTc",
	                       id);
	get(&shared, path, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.n_records, total > 194 ? "97" : r.n_records);
	reply_free(&r);
	free(path);
	/* another API version than the job's */
	path =
	    ferry_xasprintf("/services/data/v61.0/jobs/query/%s/results", id);
	get(&shared, path, &r);
	assert_int_equal(r.status, 409);
	reply_free(&r);
	free(path);
	/* parallel result links (v58+) */
	path = ferry_xasprintf(V "/jobs/query/%s/resultPages", id);
	get(&shared, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "resultPages")) >=
	            1);
	assert_true(ferry_str_starts_with(
	    jstr(json_array_get(json_object_get(r.json, "resultPages"), 0),
	         "resultLink"),
	    "/jobs/query/"));
	assert_true(json_is_boolean(json_object_get(r.json, "done")));
	reply_free(&r);
	free(path);
	/* the listing, then delete */
	get(&shared, V "/jobs/query", &r);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "records")) >= 1);
	reply_free(&r);
	path = ferry_xasprintf(V "/jobs/query/%s", id);
	send_json(&shared, "DELETE", path, NULL, &r);
	assert_int_equal(r.status, 204);
	assert_int_equal(r.body.len, 0);
	reply_free(&r);
	get(&shared, path, &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);
	free(path);
	free(id);
}

static void test_bulk_csv_options(void **state)
{
	struct reply r;
	json_t *info;
	char *id, *path;

	FERRY_UNUSED(state);
	id = run_job("{\"operation\":\"queryAll\",\"query\":\"SELECT Id, "
	             "Name FROM Account\",\"columnDelimiter\":\"PIPE\","
	             "\"lineEnding\":\"CRLF\"}",
	             "JobComplete", &info);
	assert_string_equal(jstr(info, "columnDelimiter"), "PIPE");
	assert_string_equal(jstr(info, "lineEnding"), "CRLF");
	assert_string_equal(jstr(info, "operation"), "queryAll");
	assert_int_equal(jint(info, "numberRecordsProcessed"),
	                 count_of("queryAll", "Account"));
	json_decref(info);
	path = ferry_xasprintf(V "/jobs/query/%s/results?maxRecords=3", id);
	get(&shared, path, &r);
	assert_int_equal(r.status, 200);
	assert_true(ferry_str_starts_with(r.body.ptr, "\"Id\"|\"Name\"\r\n"));
	assert_string_equal(r.n_records, "3");
	assert_string_equal(r.locator, "Mw"); /* base64("3") */
	reply_free(&r);
	free(path);
	free(id);
}

static void test_bulk_failures(void **state)
{
	struct reply r;
	json_t *info;
	char *id, *path;

	FERRY_UNUSED(state);
	/* --fail-job Lead */
	id = run_job("{\"operation\":\"query\",\"query\":\"SELECT Id FROM "
	             "Lead\"}",
	             "Failed", &info);
	assert_non_null(jstr(info, "errorMessage"));
	json_decref(info);
	path = ferry_xasprintf(V "/jobs/query/%s/results", id);
	get(&shared, path, &r);
	assert_sf_error(&r, 400, "JOB_NOT_COMPLETE");
	reply_free(&r);
	free(path);
	free(id);

	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"query\",\"query\":\"SELECT COUNT() FROM "
	          "Account\"}",
	          &r);
	assert_sf_error(&r, 400, "API_ERROR");
	reply_free(&r);
	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"query\",\"query\":\"SELECT Id, "
	          "BillingAddress FROM Account\"}",
	          &r);
	assert_sf_error(&r, 400, "INVALID_FIELD");
	reply_free(&r);
	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"upsert\",\"query\":\"SELECT Id FROM "
	          "Account\"}",
	          &r);
	assert_sf_error(&r, 400, "API_ERROR");
	reply_free(&r);
	send_json(&shared, "POST", V "/jobs/query", "{not json", &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	get(&shared, V "/jobs/query/750000000000000AAA", &r);
	assert_sf_error(&r, 404, "NOT_FOUND");
	reply_free(&r);

	/* abort, then abort again */
	send_json(&shared, "POST", V "/jobs/query",
	          "{\"operation\":\"query\",\"query\":\"SELECT Id FROM "
	          "Account\"}",
	          &r);
	path = ferry_xasprintf(V "/jobs/query/%s", jstr(r.json, "id"));
	reply_free(&r);
	send_json(&shared, "PATCH", path, "{\"state\":\"Aborted\"}", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "state"), "Aborted");
	reply_free(&r);
	send_json(&shared, "PATCH", path, "{\"state\":\"Aborted\"}", &r);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	free(path);
}

/* An object the org marks as one Bulk cannot serve, found in-process. */
static void test_bulk_unsupported(void **state)
{
	struct sf_org_opts o;
	struct sf_org *org = NULL;
	const char *name = NULL;
	struct reply r;
	char *body;
	size_t i;

	FERRY_UNUSED(state);
	sf_org_opts_default(&o);
	assert_int_equal(sf_org_new(&org, &o), 0);
	for (i = 0; i < sf_org_n_objects(org) && !name; i++)
		if (sf_org_object_at(org, i)->bulk_unsupported &&
		    !sf_org_object_at(org, i)->tooling &&
		    strcmp(sf_org_object_at(org, i)->name,
		           "ContentDocumentLink"))
			name = sf_org_object_at(org, i)->name;
	if (name) {
		body = ferry_xasprintf("{\"operation\":\"query\",\"query\":"
		                       "\"SELECT Id FROM %s\"}",
		                       name);
		send_json(&shared, "POST", V "/jobs/query", body, &r);
		assert_sf_error(&r, 400, "API_ERROR");
		assert_true(strstr(jstr(json_array_get(r.json, 0), "message"),
		                   "is not supported by the Bulk API.") !=
		            NULL);
		reply_free(&r);
		free(body);
	}
	sf_org_free(org);
}

static void test_stats(void **state)
{
	struct reply r;

	FERRY_UNUSED(state);
	call_full(&shared, "GET", "/__sandbox/stats", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_object_size(r.json), 7);
	assert_true(jint(r.json, "requests") > 0);
	assert_true(jint(r.json, "api_requests") > 0);
	assert_true(jint(r.json, "token_requests") > 0);
	assert_true(jint(r.json, "bulk_jobs") > 0);
	assert_true(jint(r.json, "results_pages") > 0);
	assert_int_equal(jint(r.json, "faults_injected"), 0);
	reply_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_versions_and_auth),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_grants),
	    cmocka_unit_test(test_jwt),
	    cmocka_unit_test(test_token_expiry),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_request_limit),
	    cmocka_unit_test(test_faults),
	    cmocka_unit_test(test_query_paging),
	    cmocka_unit_test(test_query_values),
	    cmocka_unit_test(test_count_skew),
	    cmocka_unit_test(test_tooling),
	    cmocka_unit_test(test_deltas),
	    cmocka_unit_test(test_bulk_job),
	    cmocka_unit_test(test_bulk_csv_options),
	    cmocka_unit_test(test_bulk_failures),
	    cmocka_unit_test(test_bulk_unsupported),
	    cmocka_unit_test(test_stats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
