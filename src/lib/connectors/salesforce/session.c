/* session.c: a Salesforce session: the settings and secrets of ferry.yaml,
 * the two HTTP clients (login host and instance), the login and the API
 * version check; calls are in call.c. */
#include "util.h"

#include <jansson.h>

#include "connectors/salesforce/sf_int.h"

#define SECRET_MAX ((size_t)16 * 1024)
/* A Bulk results page of 50,000 wide records is tens of MB; give a slow
 * link time to carry it before the attempt counts as timed out. */
#define API_TIMEOUT_MS   180000L
#define LOGIN_TIMEOUT_MS 30000L
#define VERSIONS_PATH    "/services/data/"

static const struct {
	const char *name;
	enum ferry_sf_grant grant;
} grants[] = {
    {"client_credentials", FERRY_SF_CLIENT_CREDENTIALS},
    {"refresh_token", FERRY_SF_REFRESH_TOKEN},
    {"jwt", FERRY_SF_JWT},
    {"password", FERRY_SF_PASSWORD},
    {"access_token", FERRY_SF_ACCESS_TOKEN},
};

static void scrub_one(char *text, const struct ferry_buf *secret)
{
	char *at;

	/* Shorter strings would blank ordinary words; they cannot be a
	 * credential worth hiding either. */
	if (secret->len < 4)
		return;
	while ((at = strstr(text, secret->ptr)) != NULL) {
		memcpy(at, "***", 3);
		memmove(at + 3, at + secret->len, strlen(at + secret->len) + 1);
	}
}

void ferry_sf__scrub(const struct ferry_sf *sf, char *text)
{
	scrub_one(text, &sf->client_secret);
	scrub_one(text, &sf->refresh_token);
	scrub_one(text, &sf->password);
	scrub_one(text, &sf->access_token);
	scrub_one(text, &sf->client_id);
}

/* --- settings --- */

static const char *or_default(const char *v, const char *d)
{
	return v && *v ? v : d;
}

static char **copy_list(char *const *list, size_t n)
{
	char **out;
	size_t i;

	if (!list)
		return NULL;
	out = ferry_xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = ferry_xstrdup(list[i] ? list[i] : "");
	return out;
}

static void free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

/* "66.0" (a leading v is tolerated) into major and minor. */
static bool parse_version(const char *s, int64_t *major, int64_t *minor)
{
	char buf[32];
	char *dot;

	if (!s)
		return false;
	if (*s == 'v' || *s == 'V')
		s++;
	if (strlen(s) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", s);
	dot = strchr(buf, '.');
	if (!dot || dot == buf || !dot[1])
		return false;
	*dot = '\0';
	if (buf[0] < '0' || buf[0] > '9' || dot[1] < '0' || dot[1] > '9')
		return false;
	return ferry_parse_i64(buf, major) == 0 &&
	       ferry_parse_i64(dot + 1, minor) == 0 && *major < 1000 &&
	       *minor < 100;
}

static int get_secret(const struct ferry_config *cfg, struct ferry_sf *sf,
                      const char *name, struct ferry_buf *out)
{
	int error = ferry_config_secret(cfg, name, out);

	if (error < 0)
		return ferry_error_wrap(error, "Salesforce source.auth '%s'",
		                        sf->grant_name);
	return 0;
}

static int read_settings(struct ferry_sf *sf, const struct ferry_config *cfg)
{
	const char *auth = or_default(cfg->sf_auth, "client_credentials");
	const char *v;
	int64_t major, minor;
	size_t i, len;

	for (i = 0; i < FERRY_ARRAY_LEN(grants); i++)
		if (strcmp(auth, grants[i].name) == 0)
			break;
	if (i == FERRY_ARRAY_LEN(grants))
		return ferry_error_set(FERRY_ECONFIG,
		                       "source.auth '%.40s' is not a "
		                       "Salesforce login: use "
		                       "client_credentials, refresh_token, "
		                       "jwt, access_token or password",
		                       auth);
	sf->grant = grants[i].grant;
	sf->grant_name = grants[i].name;

	v = or_default(cfg->sf_login_url, FERRY_SF_LOGIN_URL_DEFAULT);
	sf->login_url = ferry_xstrdup(v);
	len = strlen(sf->login_url);
	while (len > 0 && sf->login_url[len - 1] == '/')
		sf->login_url[--len] = '\0';
	if (!ferry_sf__url_ok(sf->login_url))
		return ferry_error_set(FERRY_ECONFIG,
		                       "source.login_url '%.200s' is not an "
		                       "https:// URL (http:// only for "
		                       "127.0.0.1 or localhost): use "
		                       "https://login.salesforce.com, "
		                       "https://test.salesforce.com or the "
		                       "org's My Domain URL",
		                       v);

	v = or_default(cfg->sf_api_version, FERRY_SF_API_VERSION_DEFAULT);
	if (!parse_version(v, &major, &minor))
		return ferry_error_set(FERRY_ECONFIG,
		                       "source.api_version '%.40s' is not a "
		                       "Salesforce API version: write it like "
		                       "\"%s\"",
		                       v, FERRY_SF_API_VERSION_DEFAULT);
	sf->api_version =
	    ferry_xasprintf("%lld.%lld", (long long)major, (long long)minor);
	sf->data_path = ferry_xasprintf("/services/data/v%s", sf->api_version);

	sf->client_id_env =
	    ferry_xstrdup(or_default(cfg->sf_client_id_env, "SF_CLIENT_ID"));
	sf->client_secret_env = ferry_xstrdup(
	    or_default(cfg->sf_client_secret_env, "SF_CLIENT_SECRET"));
	sf->refresh_token_env = ferry_xstrdup(
	    or_default(cfg->sf_refresh_token_env, "SF_REFRESH_TOKEN"));
	sf->access_token_env = ferry_xstrdup(
	    or_default(cfg->sf_access_token_env, "SF_ACCESS_TOKEN"));
	sf->password_env =
	    ferry_xstrdup(or_default(cfg->sf_password_env, "SF_PASSWORD"));
	if (cfg->sf_username && *cfg->sf_username)
		sf->username = ferry_xstrdup(cfg->sf_username);
	if (cfg->sf_private_key_file && *cfg->sf_private_key_file)
		sf->key_file = ferry_xstrdup(cfg->sf_private_key_file);

	sf->objects = copy_list(cfg->sf_objects, cfg->n_sf_objects);
	sf->n_objects = sf->objects ? cfg->n_sf_objects : 0;
	sf->custom_objects =
	    copy_list(cfg->sf_custom_objects, cfg->n_sf_custom_objects);
	sf->n_custom_objects =
	    sf->custom_objects ? cfg->n_sf_custom_objects : 0;
	sf->include_deleted = cfg->sf_include_deleted;
	sf->page_size = cfg->sf_page_size;
	return 0;
}

static void warn_password_flow(void)
{
	static bool warned;

	if (warned)
		return;
	warned = true;
	fprintf(stderr,
	        "ferry: warning: source.auth 'password' uses the OAuth "
	        "username-password flow, which Salesforce is retiring; "
	        "switch to client_credentials (an integration user on an "
	        "external client app)\n");
}

/* The secrets the grant needs, from ferry_config_secret. */
static int read_secrets(struct ferry_sf *sf, const struct ferry_config *cfg)
{
	int error = 0;

	switch (sf->grant) {
	case FERRY_SF_CLIENT_CREDENTIALS:
		if ((error = get_secret(cfg, sf, sf->client_id_env,
		                        &sf->client_id)) < 0 ||
		    (error = get_secret(cfg, sf, sf->client_secret_env,
		                        &sf->client_secret)) < 0)
			return error;
		break;
	case FERRY_SF_REFRESH_TOKEN:
		if ((error = get_secret(cfg, sf, sf->refresh_token_env,
		                        &sf->refresh_token)) < 0 ||
		    (error = get_secret(cfg, sf, sf->client_id_env,
		                        &sf->client_id)) < 0)
			return error;
		/* Optional unless the app requires it; a bad credentials
		 * file has already failed the lookups above. */
		if (ferry_config_secret(cfg, sf->client_secret_env,
		                        &sf->client_secret) < 0) {
			ferry_buf_clear(&sf->client_secret);
			ferry_error_clear();
		}
		break;
	case FERRY_SF_JWT:
		if (!sf->username)
			return ferry_error_set(FERRY_ECONFIG,
			                       "source.auth 'jwt' needs "
			                       "source.username in ferry.yaml "
			                       "(the JWT's subject)");
		if ((error = get_secret(cfg, sf, sf->client_id_env,
		                        &sf->client_id)) < 0 ||
		    (error = ferry_sf__load_key(&sf->key, sf->key_file)) < 0)
			return error;
		break;
	case FERRY_SF_PASSWORD:
		if (!sf->username)
			return ferry_error_set(FERRY_ECONFIG,
			                       "source.auth 'password' needs "
			                       "source.username in ferry.yaml");
		warn_password_flow();
		if ((error = get_secret(cfg, sf, sf->client_id_env,
		                        &sf->client_id)) < 0 ||
		    (error = get_secret(cfg, sf, sf->client_secret_env,
		                        &sf->client_secret)) < 0 ||
		    (error = get_secret(cfg, sf, sf->password_env,
		                        &sf->password)) < 0)
			return error;
		break;
	case FERRY_SF_ACCESS_TOKEN:
		if (!cfg->sf_instance_url || !*cfg->sf_instance_url)
			return ferry_error_set(
			    FERRY_ECONFIG, "source.auth 'access_token' "
			                   "needs source.instance_url in "
			                   "ferry.yaml (where the token "
			                   "works, e.g. "
			                   "https://acme.my.salesforce.com)");
		if (!ferry_sf__url_ok(cfg->sf_instance_url))
			return ferry_error_set(FERRY_ECONFIG,
			                       "source.instance_url '%.200s' "
			                       "is not an https:// URL",
			                       cfg->sf_instance_url);
		if ((error = get_secret(cfg, sf, sf->access_token_env,
		                        &sf->access_token)) < 0)
			return error;
		break;
	}
	return 0;
}

/* --- the session --- */

static int new_http(struct ferry_http **out, const char *url, const char *token,
                    long timeout_ms, const char *url_setting)
{
	struct ferry_http_opts o;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.token = token;
	o.name = "Salesforce";
	o.url_setting = url_setting;
	/* No per-second limit: Salesforce budgets calls per rolling 24 h,
	 * which Sforce-Limit-Info reports and REQUEST_LIMIT_EXCEEDED ends. */
	o.read_rate = 0;
	o.write_rate = 0;
	o.timeout_ms = timeout_ms;
	return ferry_http_new(out, &o);
}

/* Reads the org's version list (GET /services/data/, no token, free of
 * the daily budget) and checks that the pinned version is offered. */
static int check_version(struct ferry_sf *sf)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_http_req req;
	json_t *root = NULL, *e;
	json_error_t jerr;
	int64_t want_major = 0, want_minor = 0, major, minor;
	int64_t best_major = -1, best_minor = -1;
	char newest[32] = "none";
	bool found = false;
	size_t i;
	int error;

	parse_version(sf->api_version, &want_major, &want_minor);
	memset(&req, 0, sizeof(req));
	req.no_auth = true;
	error = ferry_http_request_ex(sf->api, FERRY_HTTP_READ, "GET",
	                              VERSIONS_PATH, &req, &resp);
	if (error < 0) {
		error =
		    ferry_error_wrap(error, "Salesforce GET %s", VERSIONS_PATH);
		goto done;
	}
	sf->usage.calls += resp.attempts;
	if (resp.status < 200 || resp.status > 299) {
		char code[128], msg[512];

		ferry_sf__parse_error(resp.body.ptr, resp.body.len, code,
		                      sizeof(code), msg, sizeof(msg));
		error = ferry_error_set(FERRY_EHTTP,
		                        "Salesforce at %s refused GET %s: "
		                        "%s%s%s (HTTP %ld)",
		                        sf->instance_url, VERSIONS_PATH, code,
		                        code[0] ? ": " : "", msg, resp.status);
		goto done;
	}
	root = json_loadb(resp.body.ptr, resp.body.len, 0, &jerr);
	if (!json_is_array(root)) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "Salesforce at %s answered GET %s "
		                        "with something else than a list of "
		                        "versions",
		                        sf->instance_url, VERSIONS_PATH);
		goto done;
	}
	json_array_foreach(root, i, e)
	{
		const char *v =
		    json_string_value(json_object_get(e, "version"));

		if (!parse_version(v, &major, &minor))
			continue;
		if (major == want_major && minor == want_minor)
			found = true;
		if (major > best_major ||
		    (major == best_major && minor > best_minor)) {
			best_major = major;
			best_minor = minor;
		}
	}
	if (best_major >= 0)
		snprintf(newest, sizeof(newest), "%lld.%lld",
		         (long long)best_major, (long long)best_minor);
	if (!found)
		error = ferry_error_set(FERRY_ECONFIG,
		                        "API version %s is not offered by this "
		                        "org (newest: %s): set "
		                        "source.api_version in ferry.yaml",
		                        sf->api_version, newest);
done:
	json_decref(root);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_sf_connect(struct ferry_sf **out, const struct ferry_config *cfg)
{
	struct ferry_sf *sf = NULL;
	int error;

	if (!out || !cfg)
		return ferry_error_set(FERRY_EINVALID,
		                       "no configuration for Salesforce");
	sf = ferry_xcalloc(1, sizeof(*sf));
	ferry_buf_init(&sf->client_id, SECRET_MAX);
	ferry_buf_init(&sf->client_secret, SECRET_MAX);
	ferry_buf_init(&sf->refresh_token, SECRET_MAX);
	ferry_buf_init(&sf->password, SECRET_MAX);
	ferry_buf_init(&sf->access_token, SECRET_MAX);
	sf->usage.api_used = -1;
	sf->usage.api_max = -1;
	if ((error = read_settings(sf, cfg)) < 0 ||
	    (error = read_secrets(sf, cfg)) < 0)
		goto done;

	if (sf->grant == FERRY_SF_ACCESS_TOKEN) {
		sf->instance_url = ferry_xstrdup(cfg->sf_instance_url);
		if ((error = new_http(&sf->api, sf->instance_url,
		                      sf->access_token.ptr, API_TIMEOUT_MS,
		                      "source.instance_url")) < 0)
			goto done;
		free(sf->instance_url);
		sf->instance_url = ferry_xstrdup(ferry_http_base_url(sf->api));
	} else {
		/* The instance is not known before the login: the handle
		 * points at the login host until then. */
		sf->instance_url = ferry_xstrdup(sf->login_url);
		if ((error = new_http(&sf->login, sf->login_url, NULL,
		                      LOGIN_TIMEOUT_MS, "source.login_url")) <
		        0 ||
		    (error = new_http(&sf->api, sf->login_url, NULL,
		                      API_TIMEOUT_MS, "source.login_url")) <
		        0 ||
		    (error = ferry_sf__login(sf)) < 0)
			goto done;
	}
	if ((error = check_version(sf)) < 0)
		goto done;
	*out = sf;
	sf = NULL;
done:
	ferry_sf_free(sf);
	return error;
}

void ferry_sf_free(struct ferry_sf *sf)
{
	if (!sf)
		return;
	ferry_http_free(sf->login);
	ferry_http_free(sf->api);
	ferry_sf__buf_wipe(&sf->client_id);
	ferry_sf__buf_wipe(&sf->client_secret);
	ferry_sf__buf_wipe(&sf->refresh_token);
	ferry_sf__buf_wipe(&sf->password);
	ferry_sf__buf_wipe(&sf->access_token);
	EVP_PKEY_free(sf->key);
	free(sf->login_url);
	free(sf->api_version);
	free(sf->data_path);
	free(sf->instance_url);
	free(sf->username);
	free(sf->key_file);
	free(sf->client_id_env);
	free(sf->client_secret_env);
	free(sf->refresh_token_env);
	free(sf->access_token_env);
	free(sf->password_env);
	free_list(sf->objects, sf->n_objects);
	free_list(sf->custom_objects, sf->n_custom_objects);
	free(sf);
}

const char *ferry_sf_instance_url(const struct ferry_sf *sf)
{
	return sf->instance_url;
}

const char *ferry_sf_api_version(const struct ferry_sf *sf)
{
	return sf->api_version;
}

const char *ferry_sf_org_id(const struct ferry_sf *sf)
{
	return sf->org_id;
}

const struct ferry_sf_usage *ferry_sf_usage(const struct ferry_sf *sf)
{
	return &sf->usage;
}
