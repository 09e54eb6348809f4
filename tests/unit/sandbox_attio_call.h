/* sandbox_attio_call.h: what the Attio sandbox tests share: one HTTP call
 * with libcurl (status, parsed body, raw body, Retry-After), the check of
 * Attio's error shape, and readers for ids and values. Include after
 * helpers.h and util.h. */
#ifndef FERRY_TEST_SANDBOX_ATTIO_CALL_H
#define FERRY_TEST_SANDBOX_ATTIO_CALL_H

#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

struct reply {
	long status;
	json_t *json;
	char *raw; /* the body as sent */
	char retry_after[128];
	CURLcode curl; /* what curl_easy_perform said */
};

static inline size_t test_attio_on_body(char *p, size_t size, size_t n,
                                        void *ud)
{
	struct ferry_buf *b = ud;

	return ferry_buf_put(b, p, size * n) < 0 ? 0 : size * n;
}

static inline size_t test_attio_on_header(char *p, size_t size, size_t n,
                                          void *ud)
{
	struct reply *r = ud;
	size_t len = size * n;

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		char *v = ferry_xstrndup(p + 12, len - 12);

		snprintf(r->retry_after, sizeof(r->retry_after), "%s",
		         ferry_str_trim(v));
		free(v);
	}
	return len;
}

/* auth: NULL sends the right Bearer token, "" sends none, else the
 * header value as given. timeout_ms 0: 30 s; the call may then fail
 * (r->curl), and the caller checks. */
static inline void call_full(const struct test_sandbox *sb, const char *method,
                             const char *path, const char *body,
                             const char *auth, long timeout_ms, struct reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct ferry_buf out = FERRY_BUF_INIT;
	char *url = ferry_xasprintf("%s%s", sb->url, path), *hv = NULL;

	memset(r, 0, sizeof(*r));
	assert_non_null(c);
	if (!auth)
		hv = ferry_xasprintf("Authorization: Bearer %s",
		                     TEST_SANDBOX_TOKEN);
	else if (*auth)
		hv = ferry_xasprintf("Authorization: %s", auth);
	if (hv)
		h = curl_slist_append(h, hv);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, test_attio_on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, test_attio_on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                 timeout_ms > 0 ? timeout_ms : 30000L);
	r->curl = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->json = json_loadb(out.ptr, out.len, 0, NULL);
	r->raw = ferry_xstrdup(out.ptr);
	ferry_buf_release(&out);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	free(hv);
}

static inline void call_auth(const struct test_sandbox *sb, const char *method,
                             const char *path, const char *body,
                             const char *auth, struct reply *r)
{
	call_full(sb, method, path, body, auth, 0, r);
	assert_int_equal(r->curl, CURLE_OK);
}

static inline void call(const struct test_sandbox *sb, const char *method,
                        const char *path, const char *body, struct reply *r)
{
	call_auth(sb, method, path, body, NULL, r);
}

static inline void reply_free(struct reply *r)
{
	json_decref(r->json);
	free(r->raw);
	r->json = NULL;
	r->raw = NULL;
}

/* Checks an Attio error body: exactly the four keys. */
static inline void assert_error(struct reply *r, long status, const char *type,
                                const char *code)
{
	if (r->status != status || !r->json ||
	    strcmp(json_string_value(json_object_get(r->json, "code"))
	               ? json_string_value(json_object_get(r->json, "code"))
	               : "",
	           code))
		fail_msg("wanted %ld %s, got %ld %s", status, code, r->status,
		         r->raw ? r->raw : "(no body)");
	assert_int_equal(json_object_size(r->json), 4);
	assert_int_equal(
	    json_integer_value(json_object_get(r->json, "status_code")),
	    status);
	assert_string_equal(json_string_value(json_object_get(r->json, "type")),
	                    type);
	assert_non_null(json_string_value(json_object_get(r->json, "message")));
}

/* Checks a 200 and says what came instead. */
static inline void assert_ok(struct reply *r)
{
	if (r->status != 200)
		fail_msg("wanted 200, got %ld %s", r->status,
		         r->raw ? r->raw : "(no body)");
}

/* data.id.<field> */
static inline const char *data_id(struct reply *r, const char *field)
{
	const char *id = json_string_value(json_object_get(
	    json_object_get(json_object_get(r->json, "data"), "id"), field));

	assert_non_null(id);
	return id;
}

static inline const char *record_id(struct reply *r)
{
	return data_id(r, "record_id");
}

/* data.<values>.<slug>[i] */
static inline json_t *value_at(struct reply *r, const char *values,
                               const char *slug, size_t i)
{
	return json_array_get(
	    json_object_get(
	        json_object_get(json_object_get(r->json, "data"), values),
	        slug),
	    i);
}

static inline const char *value_str(struct reply *r, const char *slug, size_t i,
                                    const char *field)
{
	return json_string_value(
	    json_object_get(value_at(r, "values", slug, i), field));
}

static inline size_t value_count(struct reply *r, const char *slug)
{
	return json_array_size(json_object_get(
	    json_object_get(json_object_get(r->json, "data"), "values"), slug));
}

#endif
