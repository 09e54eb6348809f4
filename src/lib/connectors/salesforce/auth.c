/* auth.c: logging in to Salesforce: the form of each OAuth 2.0 grant
 * (client credentials, refresh token, JWT bearer, username-password), the
 * token endpoint on the login host, and what a refusal tells the person
 * running ferry. Every buffer that held a secret is wiped before it is
 * freed; messages name the variables that hold secrets, never their
 * values. */
#include "util.h"

#include "connectors/salesforce/sf_int.h"

#define FORM_MAX   ((size_t)64 * 1024)
#define JWT_GRANT  "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define TOKEN_PATH "/services/oauth2/token"

void ferry_sf__buf_wipe(struct ferry_buf *b)
{
	if (b->alloc)
		explicit_bzero(b->ptr, b->alloc);
	ferry_buf_release(b);
}

/* --- the grants --- */

static int put_field(struct ferry_buf *b, const char *name, const char *value)
{
	if (b->len > 0 && ferry_buf_putc(b, '&') < 0)
		return FERRY_ETOOBIG;
	if (ferry_buf_puts(b, name) < 0 || ferry_buf_putc(b, '=') < 0 ||
	    ferry_buf_put_urlencoded(b, value) < 0)
		return FERRY_ETOOBIG;
	return 0;
}

/* The form of the session's grant (§2.2). */
static int build_form(struct ferry_sf *sf, struct ferry_buf *form)
{
	struct ferry_buf jwt = FERRY_BUF_INIT;
	char aud[512];
	int error = 0;

	ferry_buf_init(&jwt, FORM_MAX);
	switch (sf->grant) {
	case FERRY_SF_CLIENT_CREDENTIALS:
		error = put_field(form, "grant_type", "client_credentials") ||
		        put_field(form, "client_id", sf->client_id.ptr) ||
		        put_field(form, "client_secret", sf->client_secret.ptr);
		break;
	case FERRY_SF_REFRESH_TOKEN:
		error =
		    put_field(form, "grant_type", "refresh_token") ||
		    put_field(form, "refresh_token", sf->refresh_token.ptr) ||
		    put_field(form, "client_id", sf->client_id.ptr) ||
		    (sf->client_secret.len > 0 &&
		     put_field(form, "client_secret", sf->client_secret.ptr));
		break;
	case FERRY_SF_JWT:
		ferry_sf__jwt_audience(aud, sizeof(aud), sf->login_url);
		if ((error = ferry_sf__jwt(
		         &jwt, sf->key, sf->client_id.ptr, sf->username, aud,
		         ferry_clock_wall_us() / 1000000)) < 0)
			goto done;
		error = put_field(form, "grant_type", JWT_GRANT) ||
		        put_field(form, "assertion", jwt.ptr);
		break;
	case FERRY_SF_PASSWORD:
		error =
		    put_field(form, "grant_type", "password") ||
		    put_field(form, "client_id", sf->client_id.ptr) ||
		    put_field(form, "client_secret", sf->client_secret.ptr) ||
		    put_field(form, "username", sf->username) ||
		    put_field(form, "password", sf->password.ptr);
		break;
	case FERRY_SF_ACCESS_TOKEN:
		error = ferry_error_set(FERRY_EAUTH,
		                        "source.auth 'access_token' cannot "
		                        "log in");
		goto done;
	}
	if (error)
		error = ferry_error_set(FERRY_ECONFIG,
		                        "the Salesforce login form is over "
		                        "%zu bytes: check the credentials' "
		                        "lengths",
		                        FORM_MAX);
done:
	ferry_sf__buf_wipe(&jwt);
	return error;
}

/* "check SF_CLIENT_ID and SF_CLIENT_SECRET": what to look at when the
 * login is refused, by grant; variable names only. */
static void refusal_hint(const struct ferry_sf *sf, char *out, size_t outlen)
{
	char host[256];

	switch (sf->grant) {
	case FERRY_SF_CLIENT_CREDENTIALS:
		ferry_sf__url_host(host, sizeof(host), sf->login_url);
		snprintf(out, outlen, "check %s and %s%s", sf->client_id_env,
		         sf->client_secret_env,
		         strcmp(host, "login.salesforce.com") == 0 ||
		                 strcmp(host, "test.salesforce.com") == 0
		             ? " (the client credentials flow needs the "
		               "org's My Domain URL as source.login_url, "
		               "e.g. https://acme.my.salesforce.com)"
		             : "");
		break;
	case FERRY_SF_REFRESH_TOKEN:
		snprintf(out, outlen,
		         "check %s and %s%s%s (a refresh token stops working "
		         "when it is revoked or rotated: get a new one)",
		         sf->refresh_token_env, sf->client_id_env,
		         sf->client_secret.len > 0 ? " and " : "",
		         sf->client_secret.len > 0 ? sf->client_secret_env
		                                   : "");
		break;
	case FERRY_SF_JWT:
		snprintf(out, outlen,
		         "check %s, source.username and "
		         "source.private_key_file (the key's certificate must "
		         "be on the app and the user pre-authorised)",
		         sf->client_id_env);
		break;
	case FERRY_SF_PASSWORD:
		snprintf(out, outlen,
		         "check %s, %s, source.username and %s (with the "
		         "security token appended when your IP is not "
		         "trusted)",
		         sf->client_id_env, sf->client_secret_env,
		         sf->password_env);
		break;
	case FERRY_SF_ACCESS_TOKEN:
		snprintf(out, outlen, "check %s", sf->access_token_env);
		break;
	}
}

/* The message for a token answer that is not a token. */
static int refused(struct ferry_sf *sf, const struct ferry_http_response *r)
{
	char err[128], desc[512], code[128], msg[512], hint[512];

	refusal_hint(sf, hint, sizeof(hint));
	if (ferry_sf__parse_token_error(r->body.ptr, r->body.len, err,
	                                sizeof(err), desc, sizeof(desc)) == 0) {
		ferry_sf__scrub(sf, desc);
		ferry_sf__scrub(sf, err);
		if (strcmp(err, "rate_limit_exceeded") == 0)
			return ferry_error_set(
			    FERRY_ERATELIMIT,
			    "Salesforce login at %s refused %s: %s%s%s: too "
			    "many logins in the last hour; wait and retry",
			    sf->login_url, sf->grant_name, err,
			    desc[0] ? ": " : "", desc);
		return ferry_error_set(FERRY_EAUTH,
		                       "Salesforce login at %s refused %s: "
		                       "%s%s%s; %s",
		                       sf->login_url, sf->grant_name, err,
		                       desc[0] ? ": " : "", desc, hint);
	}
	if (ferry_sf__parse_error(r->body.ptr, r->body.len, code, sizeof(code),
	                          msg, sizeof(msg)) == 0) {
		ferry_sf__scrub(sf, code);
		ferry_sf__scrub(sf, msg);
	} else {
		snprintf(msg, sizeof(msg), "%s",
		         r->body.len ? "not an OAuth answer" : "empty body");
		code[0] = '\0';
	}
	if (r->status == 404)
		return ferry_error_set(FERRY_ECONFIG,
		                       "Salesforce login at %s: %s is not "
		                       "there (HTTP 404): check "
		                       "source.login_url in ferry.yaml",
		                       sf->login_url, TOKEN_PATH);
	if (r->status != 400 && r->status != 401 && r->status != 403)
		return ferry_error_set(FERRY_EHTTP,
		                       "Salesforce login at %s failed: %s%s%s "
		                       "(HTTP %ld): retry later",
		                       sf->login_url, code, code[0] ? ": " : "",
		                       msg, r->status);
	return ferry_error_set(FERRY_EAUTH,
	                       "Salesforce login at %s refused %s: %s%s%s "
	                       "(HTTP %ld); %s",
	                       sf->login_url, sf->grant_name, code,
	                       code[0] ? ": " : "", msg, r->status, hint);
}

/* Takes a good token answer: the new token and instance, a rotated
 * refresh token, the ids. */
static int take_token(struct ferry_sf *sf, struct ferry_sf_token *t)
{
	char shown[128];
	int error;

	if (!ferry_sf__url_ok(t->instance_url)) {
		shown[0] = '\0';
		ferry_str_append_clean(shown, sizeof(shown), t->instance_url,
		                       strlen(t->instance_url));
		return ferry_error_set(FERRY_EHTTP,
		                       "Salesforce login at %s gave the "
		                       "instance_url '%s', which is not an "
		                       "https:// URL: refused",
		                       sf->login_url, shown);
	}
	if ((error = ferry_http_set_auth(sf->api, t->access_token.ptr,
	                                 t->instance_url)) < 0)
		return ferry_error_wrap(error, "Salesforce login at %s",
		                        sf->login_url);
	free(sf->instance_url);
	sf->instance_url = ferry_xstrdup(ferry_http_base_url(sf->api));
	if (sf->grant == FERRY_SF_REFRESH_TOKEN && t->refresh_token.len > 0) {
		/* Rotation: the old one is dead now. Memory only: ferry never
		 * writes a secret anywhere. */
		ferry_buf_clear(&sf->refresh_token);
		if (ferry_buf_put(&sf->refresh_token, t->refresh_token.ptr,
		                  t->refresh_token.len) < 0)
			return ferry_error_set(FERRY_EHTTP,
			                       "the rotated refresh token is "
			                       "too long");
	}
	ferry_sf__split_identity(t->id, sf->org_id, sf->user_id);
	return 0;
}

int ferry_sf__login(struct ferry_sf *sf)
{
	struct ferry_buf form = FERRY_BUF_INIT;
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	struct ferry_sf_token tok;
	int error;

	ferry_sf__token_init(&tok);
	ferry_buf_init(&form, FORM_MAX);
	if ((error = build_form(sf, &form)) < 0)
		goto done;
	memset(&req, 0, sizeof(req));
	req.content_type = "application/x-www-form-urlencoded";
	req.accept = "application/json";
	req.body = form.ptr;
	req.body_len = form.len;
	req.no_auth = true;
	/* A refresh that rotates must not be sent twice: the second would
	 * present a token the first one killed. */
	req.no_retry = sf->grant == FERRY_SF_REFRESH_TOKEN;
	sf->usage.logins++;
	error = ferry_http_request_ex(sf->login, FERRY_HTTP_WRITE, "POST",
	                              TOKEN_PATH, &req, &resp);
	if (error < 0) {
		error = ferry_error_wrap(error, "Salesforce login at %s",
		                         sf->login_url);
		goto done;
	}
	if (resp.status < 200 || resp.status > 299) {
		error = refused(sf, &resp);
		goto done;
	}
	if ((error = ferry_sf__parse_token(&tok, resp.body.ptr,
	                                   resp.body.len)) < 0) {
		error = ferry_error_wrap(error, "Salesforce login at %s",
		                         sf->login_url);
		goto done;
	}
	error = take_token(sf, &tok);
done:
	ferry_sf__buf_wipe(&form);
	ferry_sf__buf_wipe(&resp.body);
	ferry_http_response_release(&resp);
	ferry_sf__token_release(&tok);
	return error;
}
