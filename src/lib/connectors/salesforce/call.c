/* call.c: calls to the Salesforce instance: the path under the pinned
 * version, one fresh login on 401 INVALID_SESSION_ID, Salesforce's own
 * errorCode and message in every failure, the daily budget from
 * Sforce-Limit-Info, and the small calls the extract needs: /limits and
 * COUNT(). */
#include "util.h"

#include <jansson.h>

#include "connectors/salesforce/sf_int.h"

static void read_limit_info(struct ferry_sf *sf,
                            const struct ferry_http_response *r)
{
	char v[256];
	int64_t used, max;

	if (ferry_http_response_header(r, "Sforce-Limit-Info", v, sizeof(v)) ==
	        0 &&
	    ferry_sf__parse_limit_info(v, &used, &max) == 0) {
		sf->usage.api_used = used;
		sf->usage.api_max = max;
	}
}

/* Salesforce's time: every answer says it in its Date header. */
static void read_date(struct ferry_sf *sf, const struct ferry_http_response *r)
{
	char v[64];
	time_t t;

	if (ferry_http_response_header(r, "Date", v, sizeof(v)) == 0 &&
	    ferry_clock_parse_http_date(ferry_str_trim(v), &t) == 0)
		sf->server_time = (int64_t)t;
}

static bool session_expired(const struct ferry_http_response *r)
{
	char code[64], msg[8];

	return r->status == 401 &&
	       ferry_sf__parse_error(r->body.ptr, r->body.len, code,
	                             sizeof(code), msg, sizeof(msg)) == 0 &&
	       strcmp(code, "INVALID_SESSION_ID") == 0;
}

/* The message for a non-2xx answer to `method shown`. */
static int call_error(struct ferry_sf *sf, const char *method,
                      const char *shown, const struct ferry_http_response *r,
                      bool after_login)
{
	char code[128], msg[1024], budget[64];
	const char *sep;
	long st = r->status;

	if (ferry_sf__parse_error(r->body.ptr, r->body.len, code, sizeof(code),
	                          msg, sizeof(msg)) < 0)
		snprintf(msg, sizeof(msg), "%s",
		         r->body.len == 0 ? "empty body"
		         : r->body.ptr[0] == '[' || r->body.ptr[0] == '{'
		             ? "an unexpected JSON body"
		             : "a body that is not JSON");
	ferry_sf__scrub(sf, code);
	ferry_sf__scrub(sf, msg);
	snprintf(sf->last_code, sizeof(sf->last_code), "%s", code);
	sep = code[0] && msg[0] ? ": " : "";

	if (strcmp(code, "REQUEST_LIMIT_EXCEEDED") == 0) {
		if (sf->usage.api_max >= 0)
			snprintf(budget, sizeof(budget), "api-usage %lld/%lld",
			         (long long)sf->usage.api_used,
			         (long long)sf->usage.api_max);
		else
			snprintf(budget, sizeof(budget), "api-usage unknown");
		return ferry_error_set(FERRY_ERATELIMIT,
		                       "Salesforce's daily API budget is used "
		                       "up (%s): the extract can resume when "
		                       "the rolling 24 h window frees calls; "
		                       "nothing staged is lost",
		                       budget);
	}
	if (st == 401 && sf->grant == FERRY_SF_ACCESS_TOKEN)
		return ferry_error_set(FERRY_EAUTH,
		                       "Salesforce refused %s %s: %s%s%s (HTTP "
		                       "401): the access token in %s has "
		                       "expired or was revoked; get a new one, "
		                       "or use a source.auth that ferry can "
		                       "renew (client_credentials, "
		                       "refresh_token, jwt)",
		                       method, shown, code, sep, msg,
		                       sf->access_token_env);
	if (st == 401 && after_login)
		return ferry_error_set(FERRY_EAUTH,
		                       "Salesforce refused %s %s again after a "
		                       "fresh login: %s%s%s (HTTP 401): check "
		                       "that the integration user may use the "
		                       "API (permission \"API Enabled\")",
		                       method, shown, code, sep, msg);
	if (st >= 500 && st <= 599)
		return ferry_error_set(FERRY_EHTTP,
		                       "Salesforce failed %s %s: %s%s%s (HTTP "
		                       "%ld, %d attempts): retry later",
		                       method, shown, code, sep, msg, st,
		                       r->attempts);
	return ferry_error_set(st == 401 || st == 403 ? FERRY_EAUTH
	                       : st == 404            ? FERRY_ENOTFOUND
	                       : st == 400            ? FERRY_EINVALID
	                                              : FERRY_EHTTP,
	                       "Salesforce refused %s %s: %s%s%s (HTTP %ld)",
	                       method, shown, code, sep, msg, st);
}

static bool bad_path_char(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return true;
	return false;
}

int ferry_sf_call(struct ferry_sf *sf, const char *method, const char *path,
                  const struct ferry_http_req *req,
                  struct ferry_http_response *resp)
{
	struct ferry_http_req r;
	enum ferry_http_class cls;
	char *full = NULL, shown[160];
	int error = 0, attempt;

	if (!sf || !method || !path || !resp ||
	    (path[0] != '/' && !ferry_str_starts_with(path, "https://") &&
	     !ferry_str_starts_with(path, "http://")) ||
	    bad_path_char(path))
		return ferry_error_set(FERRY_EINVALID,
		                       "bad Salesforce call (path must start "
		                       "with / and hold no spaces or control "
		                       "characters)");
	sf->last_code[0] = '\0';
	if (path[0] != '/' || ferry_str_starts_with(path, "/services/"))
		full = ferry_xstrdup(path);
	else
		full = ferry_xasprintf("%s%s", sf->data_path, path);
	/* Messages show the path without its query: a SOQL text is long,
	 * and Salesforce's message quotes the part it did not like. */
	shown[0] = '\0';
	ferry_str_append_clean(shown, sizeof(shown), path, strcspn(path, "?"));
	if (req)
		r = *req;
	else
		memset(&r, 0, sizeof(r));
	r.no_auth = false;
	cls = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
	          ? FERRY_HTTP_READ
	          : FERRY_HTTP_WRITE;

	for (attempt = 0;; attempt++) {
		error =
		    ferry_http_request_ex(sf->api, cls, method, full, &r, resp);
		if (error < 0) {
			error = ferry_error_wrap(error, "Salesforce %s %s",
			                         method, shown);
			goto done;
		}
		sf->usage.calls += resp->attempts;
		read_limit_info(sf, resp);
		read_date(sf, resp);
		if (resp->status >= 200 && resp->status <= 299)
			goto done;
		/* One fresh login per call: a token that dies again at
		 * once is not a session problem a loop could fix. */
		if (attempt == 0 && sf->grant != FERRY_SF_ACCESS_TOKEN &&
		    session_expired(resp)) {
			if ((error = ferry_sf__login(sf)) < 0) {
				error = ferry_error_wrap(
				    error,
				    "renewing the Salesforce session "
				    "after %s %s answered 401",
				    method, shown);
				goto done;
			}
			continue;
		}
		error = call_error(sf, method, shown, resp, attempt > 0);
		goto done;
	}
done:
	free(full);
	return error;
}

int ferry_sf_get_json(struct ferry_sf *sf, const char *path, json_t **out)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	json_t *root = NULL;
	json_error_t jerr;
	char shown[160];
	int error;

	if ((error = ferry_sf_call(sf, "GET", path, NULL, &resp)) < 0)
		goto done;
	root = json_loadb(resp.body.ptr, resp.body.len, 0, &jerr);
	if (!root) {
		shown[0] = '\0';
		ferry_str_append_clean(shown, sizeof(shown), path,
		                       strcspn(path, "?"));
		error = ferry_error_set(FERRY_EHTTP,
		                        "Salesforce answered GET %s with a "
		                        "body that is not JSON (%s at byte "
		                        "%d)",
		                        shown, jerr.text, jerr.position);
		goto done;
	}
	*out = root;
done:
	ferry_http_response_release(&resp);
	return error;
}

static void limit_pair(const json_t *root, const char *key, int64_t *max,
                       int64_t *remaining)
{
	const json_t *o = json_object_get(root, key);
	const json_t *m = json_object_get(o, "Max");
	const json_t *r = json_object_get(o, "Remaining");

	*max = json_is_integer(m) ? (int64_t)json_integer_value(m) : -1;
	*remaining = json_is_integer(r) ? (int64_t)json_integer_value(r) : -1;
}

int ferry_sf_limits(struct ferry_sf *sf, struct ferry_sf_limits *out)
{
	json_t *root = NULL;
	int error;

	if ((error = ferry_sf_get_json(sf, "/limits", &root)) < 0)
		return error;
	if (!json_is_object(root)) {
		json_decref(root);
		return ferry_error_set(FERRY_EHTTP,
		                       "Salesforce answered GET /limits with "
		                       "something else than an object");
	}
	limit_pair(root, "DailyApiRequests", &out->api_max,
	           &out->api_remaining);
	limit_pair(root, "DailyBulkV2QueryJobs", &out->bulk_jobs_max,
	           &out->bulk_jobs_remaining);
	limit_pair(root, "DailyBulkV2QueryFileStorageMB",
	           &out->bulk_storage_mb_max, &out->bulk_storage_mb_remaining);
	json_decref(root);
	return 0;
}

/* API names are letters, digits and underscores ("Invoice__c",
 * "ns__Thing__kav"); anything else would change the SOQL. */
static bool object_name_ok(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'))
			return false;
	return n > 0 && n <= 120;
}

int ferry_sf_count(struct ferry_sf *sf, const char *object, bool all,
                   int64_t *out)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *root = NULL;
	const json_t *total;
	char *soql = NULL, shown[160];
	int error;

	if (!object_name_ok(object)) {
		shown[0] = '\0';
		if (object)
			ferry_str_append_clean(shown, sizeof(shown), object,
			                       strlen(object));
		return ferry_error_set(FERRY_EINVALID,
		                       "'%s' is not a Salesforce object name",
		                       shown);
	}
	soql = ferry_xasprintf("SELECT COUNT() FROM %s", object);
	if (ferry_buf_puts(&path, all ? "/queryAll?q=" : "/query?q=") < 0 ||
	    ferry_buf_put_urlencoded(&path, soql) < 0) {
		error = ferry_error_set(FERRY_ETOOBIG, "query too long");
		goto done;
	}
	if ((error = ferry_sf_get_json(sf, path.ptr, &root)) < 0)
		goto done;
	total = json_object_get(root, "totalSize");
	if (!json_is_integer(total) || json_integer_value(total) < 0) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "Salesforce answered SELECT COUNT() "
		                        "FROM %s without a totalSize",
		                        object);
		goto done;
	}
	*out = (int64_t)json_integer_value(total);
done:
	json_decref(root);
	ferry_buf_release(&path);
	free(soql);
	return error;
}
