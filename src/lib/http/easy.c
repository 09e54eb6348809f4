/* easy.c: the parts of a ferry request that do not depend on how it is
 * driven, shared by the synchronous client (one easy handle) and the multi
 * handle (many): settings and their checks, one easy handle's options and
 * callbacks, headers and URLs. */
#include <strings.h>

#include "util.h"

#include "http/easy.h"
#include "http/retry.h"

#define DEFAULT_MAX_ATTEMPTS       6
#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_BACKOFF_BASE_MS    500
#define DEFAULT_BACKOFF_MAX_MS     30000
/* Response header lines kept for the caller. */
#define RESP_HEADERS_MAX ((size_t)64 * 1024)

/* ---- settings ------------------------------------------------------------ */

/* True for characters that must not reach a header line. */
static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* A base URL as ferry keeps it: no trailing slashes. */
static char *trimmed_url(const char *url)
{
	size_t len = strlen(url);

	while (len > 0 && url[len - 1] == '/')
		len--;
	return ferry_xstrndup(url, len);
}

int ferry_http__dest_init(struct ferry_http__dest *d,
                          const struct ferry_http_opts *o)
{
	int error = 0;

	memset(d, 0, sizeof(*d));
	if (!o || !o->base_url ||
	    (!ferry_str_starts_with(o->base_url, "https://") &&
	     !ferry_str_starts_with(o->base_url, "http://"))) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "URL '%s' must start with https:// (or "
		                        "http:// for a local sandbox): check "
		                        "%s in ferry.yaml",
		                        o && o->base_url ? o->base_url : "",
		                        o && o->url_setting
		                            ? o->url_setting
		                            : "destination.base_url");
		goto done;
	}
	if (has_control_chars(o->base_url)) {
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "URL contains a control character: "
		    "check %s in ferry.yaml",
		    o->url_setting ? o->url_setting : "destination.base_url");
		goto done;
	}
	if (o->token && has_control_chars(o->token)) {
		/* Never echo the token, not even in this message. */
		error = ferry_error_set(FERRY_ECONFIG,
		                        "the token for '%s' contains a line "
		                        "break or control character: check the "
		                        "environment variable that holds it",
		                        o->name ? o->name : "the destination");
		goto done;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		error =
		    ferry_error_set(FERRY_ERROR, "cannot initialise libcurl");
		goto done;
	}
	d->curl_global = true;
	d->base_url = trimmed_url(o->base_url);
	if (o->token && *o->token)
		d->token = ferry_xstrdup(o->token);
	d->name = ferry_xstrdup(o->name && *o->name ? o->name : "the server");
	d->url_setting = ferry_xstrdup(o->url_setting && *o->url_setting
	                                   ? o->url_setting
	                                   : "destination.base_url");
	d->max_attempts =
	    o->max_attempts > 0 ? o->max_attempts : DEFAULT_MAX_ATTEMPTS;
	d->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	d->connect_timeout_ms = o->connect_timeout_ms > 0
	                            ? o->connect_timeout_ms
	                            : DEFAULT_CONNECT_TIMEOUT_MS;
	d->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms
	                                            : DEFAULT_BACKOFF_BASE_MS;
	d->backoff_max_ms =
	    o->backoff_max_ms > 0 ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
	if (d->backoff_max_ms < d->backoff_base_ms)
		d->backoff_max_ms = d->backoff_base_ms;
done:
	return error;
}

void ferry_http__dest_release(struct ferry_http__dest *d)
{
	if (d->curl_global)
		curl_global_cleanup();
	free_secret(d->token);
	free(d->base_url);
	free(d->name);
	free(d->url_setting);
	memset(d, 0, sizeof(*d));
}

int ferry_http__dest_set_auth(struct ferry_http__dest *d, const char *token,
                              const char *base_url)
{
	if ((token && has_control_chars(token)) ||
	    (base_url && has_control_chars(base_url)))
		return ferry_error_set(FERRY_EINVALID,
		                       "a token or URL for %s contains a line "
		                       "break or control character",
		                       d->name);
	if (base_url && !ferry_str_starts_with(base_url, "https://") &&
	    !ferry_str_starts_with(base_url, "http://"))
		return ferry_error_set(FERRY_EINVALID,
		                       "%s gave the URL '%.200s', which is "
		                       "not http(s)",
		                       d->name, base_url);
	if (token) {
		free_secret(d->token);
		d->token = *token ? ferry_xstrdup(token) : NULL;
	}
	if (base_url) {
		free(d->base_url);
		d->base_url = trimmed_url(base_url);
	}
	return 0;
}

void ferry_http__limiter_init(struct ferry_ratelimit *rl, double rate)
{
	unsigned limit;
	int64_t window_us;

	ferry_http__rate_window(rate, &limit, &window_us);
	/* We time a request when we send it, the server when it arrives: a
	 * request that travels faster than the one `limit` places before it
	 * lands inside the server's window and earns a 429 (and a wait for
	 * the next whole second). A 2% wider window absorbs that jitter for
	 * 2% of the budget. */
	window_us += window_us / 50;
	ferry_ratelimit_init(rl, limit, window_us);
}

/* ---- one attempt's answer ------------------------------------------------ */

void ferry_http__xfer_init(struct ferry_http__xfer *x)
{
	memset(x, 0, sizeof(*x));
	ferry_buf_init(&x->body, FERRY_HTTP_BODY_MAX);
	ferry_buf_init(&x->headers, RESP_HEADERS_MAX);
}

void ferry_http__xfer_reset(struct ferry_http__xfer *x)
{
	ferry_buf_release(&x->body);
	ferry_buf_init(&x->body, FERRY_HTTP_BODY_MAX);
	ferry_buf_clear(&x->headers);
	x->too_big = false;
	x->has_retry_after = false;
	x->retry_after[0] = '\0';
	x->errbuf[0] = '\0';
}

void ferry_http__xfer_release(struct ferry_http__xfer *x)
{
	ferry_buf_release(&x->body);
	ferry_buf_release(&x->headers);
}

void ferry_http__xfer_to_response(struct ferry_http__xfer *x, long status,
                                  int attempts, struct ferry_http_response *r)
{
	ferry_buf_release(&r->body);
	r->body = x->body;
	ferry_buf_init(&x->body, FERRY_HTTP_BODY_MAX);
	ferry_buf_release(&r->headers);
	ferry_buf_clear(&r->headers);
	if (ferry_buf_put(&r->headers, x->headers.ptr, x->headers.len) < 0)
		ferry_buf_clear(&r->headers);
	r->status = status;
	r->attempts = attempts;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct ferry_http__xfer *x = userdata;
	size_t n = size * nmemb;

	if (ferry_buf_put(&x->body, ptr, n) < 0) {
		x->too_big = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

/* Keeps the Retry-After of the last header block (a 100-continue or a
 * proxy's block comes first and is forgotten at the next status line). */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	static const char name[] = "Retry-After:";
	struct ferry_http__xfer *x = userdata;
	size_t n = size * nmemb, len;
	const char *v, *e;

	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		x->has_retry_after = false;
		x->retry_after[0] = '\0';
		ferry_buf_clear(&x->headers);
		return n;
	}
	/* Kept for the caller without the line end; a header block over
	 * the buffer's cap loses its tail, never the request. */
	if (memchr(ptr, ':', n)) {
		size_t hlen = n, before = x->headers.len;

		while (hlen > 0 &&
		       (ptr[hlen - 1] == '\r' || ptr[hlen - 1] == '\n'))
			hlen--;
		if (ferry_buf_put(&x->headers, ptr, hlen) < 0 ||
		    ferry_buf_putc(&x->headers, '\n') < 0)
			ferry_buf_truncate(&x->headers, before);
	}
	if (n > sizeof(name) - 1 &&
	    strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
		v = ptr + sizeof(name) - 1;
		e = ptr + n;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		while (e > v && (e[-1] == '\r' || e[-1] == '\n' ||
		                 e[-1] == ' ' || e[-1] == '\t'))
			e--;
		len = (size_t)(e - v);
		x->has_retry_after = true;
		if (len >= sizeof(x->retry_after))
			len = 0; /* too long to be valid: use the backoff */
		memcpy(x->retry_after, v, len);
		x->retry_after[len] = '\0';
	}
	return n;
}

/* ---- the easy handle ----------------------------------------------------- */

void ferry_http__easy_setup(CURL *c, const struct ferry_http__dest *d)
{
	curl_easy_setopt(c, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, d->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, d->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)FERRY_HTTP_BODY_MAX);
	/* A redirect could carry the Bearer header somewhere else. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	/* libcurl's defaults, set anyway so that nobody "fixes" a certificate
	 * problem here: see docs/internals/http.md. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
}

void ferry_http__easy_bind(CURL *c, struct ferry_http__xfer *x)
{
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
}

/* Requests without a body are sent without one; POST, PUT and PATCH
 * always carry a (possibly empty) body. */
void ferry_http__easy_request(CURL *c, const char *url, const char *method,
                              const char *body, size_t body_len)
{
	bool bodyless =
	    strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	if (!body && bodyless) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
		                 strcmp(method, "GET") == 0 ? NULL : method);
		return;
	}
	if (!body)
		body = "";
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
	                 strcmp(method, "POST") == 0 ? NULL : method);
}

/* ---- headers and URLs ---------------------------------------------------- */

void ferry_http__headers_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i; i = i->next)
		if (strncasecmp(i->data, "Authorization:", 14) == 0)
			explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(l);
}

int ferry_http__headers(struct curl_slist **out,
                        const struct ferry_http__dest *d,
                        const struct ferry_http_req *req_in)
{
	static const struct ferry_http_req no_options;
	const struct ferry_http_req *req = req_in ? req_in : &no_options;
	struct curl_slist *l = NULL, *n;
	char *line = NULL;
	const char *const *x;
	int error = 0;

	line = ferry_xasprintf("Content-Type: %s", req->content_type
	                                               ? req->content_type
	                                               : "application/json");
	if (!(n = curl_slist_append(l, line)))
		goto oom;
	l = n;
	free(line);
	line = ferry_xasprintf("Accept: %s",
	                       req->accept ? req->accept : "application/json");
	if (!(n = curl_slist_append(l, line)))
		goto oom;
	l = n;
	/* No "Expect: 100-continue" round trip before large bodies. */
	if (!(n = curl_slist_append(l, "Expect:")))
		goto oom;
	l = n;
	for (x = req->headers; x && *x; x++) {
		if (has_control_chars(*x) || !strchr(*x, ':')) {
			error = ferry_error_set(
			    FERRY_EINVALID, "bad request header '%.80s'", *x);
			goto done;
		}
		if (!(n = curl_slist_append(l, *x)))
			goto oom;
		l = n;
	}
	if (d->token && !req->no_auth) {
		free_secret(line);
		line = ferry_xasprintf("Authorization: Bearer %s", d->token);
		if (!(n = curl_slist_append(l, line)))
			goto oom;
		l = n;
	}
	*out = l;
	l = NULL;
	goto done;
oom:
	error = ferry_error_set(FERRY_ERROR, "out of memory for headers");
done:
	free_secret(line);
	ferry_http__headers_free(l);
	return error;
}

/* A whole URL must be on the base URL's scheme, host and port (a
 * nextRecordsUrl or a login's links), so a server cannot send the token
 * elsewhere. */
int ferry_http__url(char **out, const struct ferry_http__dest *d,
                    const char *path)
{
	const char *origin_end;
	size_t olen;

	if (path[0] == '/') {
		*out = ferry_xasprintf("%s%s", d->base_url, path);
		return 0;
	}
	origin_end = strstr(d->base_url, "://");
	origin_end = origin_end ? strchr(origin_end + 3, '/') : NULL;
	olen = origin_end ? (size_t)(origin_end - d->base_url)
	                  : strlen(d->base_url);
	if (strncmp(path, d->base_url, olen) != 0 ||
	    (path[olen] != '/' && path[olen] != '\0'))
		return ferry_error_set(FERRY_EINVALID,
		                       "%s pointed ferry at '%.200s', which "
		                       "is not on %s: refused",
		                       d->name, path, d->base_url);
	if (has_control_chars(path))
		return ferry_error_set(FERRY_EINVALID,
		                       "a URL from %s contains a control "
		                       "character: refused",
		                       d->name);
	*out = ferry_xstrdup(path);
	return 0;
}
