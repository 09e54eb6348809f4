/* client.c: the synchronous HTTP client of http.h on one reused libcurl easy
 * handle: budget per request class, a 429 blocks the whole destination
 * until its Retry-After, retries with backoff for 5xx and broken
 * transports, and messages that say which end failed and what to do. */
#include <errno.h>
#include <strings.h>

#include <curl/curl.h>

#include "util.h"

#include "ferry/http.h"
#include "http/retry.h"

#define DEFAULT_MAX_ATTEMPTS       6
#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_BACKOFF_BASE_MS    500
#define DEFAULT_BACKOFF_MAX_MS     30000
/* 429s do not use up attempts (the request was not processed), but a
 * destination that never stops answering 429 must still end the call. */
#define MAX_429_IN_A_ROW 20
/* A Retry-After further out than this ends the call instead of leaving
 * ferry silently asleep: the person running it decides when to resume. */
#define RETRY_AFTER_WAIT_MAX_MS ((int64_t)5 * 60 * 1000)
/* Response header lines kept for the caller. */
#define RESP_HEADERS_MAX ((size_t)64 * 1024)

struct ferry_http {
	CURL *curl;
	bool curl_global; /* curl_global_init() to undo */
	char *token;      /* wiped before it is freed */
	char *base_url;
	char *name;
	char *url_setting; /* where the user sets base_url, for messages */
	struct ferry_ratelimit rl[2]; /* indexed by enum ferry_http_class */
	int max_attempts;
	int64_t backoff_base_ms;
	int64_t backoff_max_ms;
	long timeout_ms;
	uint64_t rng;
	struct ferry_http_stats stats;

	/* The attempt in flight. */
	struct ferry_buf body;
	struct ferry_buf resp_headers;
	bool too_big;
	bool has_retry_after;
	char retry_after[128];
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct ferry_http *h = userdata;
	size_t n = size * nmemb;

	if (ferry_buf_put(&h->body, ptr, n) < 0) {
		h->too_big = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

/* Keeps the Retry-After of the last header block (a 100-continue or a
 * proxy's block comes first and is forgotten at the next status line). */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	static const char name[] = "Retry-After:";
	struct ferry_http *h = userdata;
	size_t n = size * nmemb, len;
	const char *v, *e;

	if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		h->has_retry_after = false;
		h->retry_after[0] = '\0';
		ferry_buf_clear(&h->resp_headers);
		return n;
	}
	/* Kept for the caller without the line end; a header block over
	 * the buffer's cap loses its tail, never the request. */
	if (memchr(ptr, ':', n)) {
		size_t hlen = n, before = h->resp_headers.len;

		while (hlen > 0 &&
		       (ptr[hlen - 1] == '\r' || ptr[hlen - 1] == '\n'))
			hlen--;
		if (ferry_buf_put(&h->resp_headers, ptr, hlen) < 0 ||
		    ferry_buf_putc(&h->resp_headers, '\n') < 0)
			ferry_buf_truncate(&h->resp_headers, before);
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
		h->has_retry_after = true;
		if (len >= sizeof(h->retry_after))
			len = 0; /* too long to be valid: use the backoff */
		memcpy(h->retry_after, v, len);
		h->retry_after[len] = '\0';
	}
	return n;
}

/* True for characters that must not reach a header line. */
static bool has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void wipe_auth_header(struct curl_slist *l)
{
	for (; l; l = l->next)
		if (strncasecmp(l->data, "Authorization:", 14) == 0)
			explicit_bzero(l->data, strlen(l->data));
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

static void set_limiter(struct ferry_ratelimit *rl, double rate)
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

int ferry_http_new(struct ferry_http **out, const struct ferry_http_opts *o)
{
	struct ferry_http *h = NULL;
	long connect_ms;
	int error = 0;

	*out = NULL;
	if (!o || !o->base_url ||
	    (!ferry_str_starts_with(o->base_url, "https://") &&
	     !ferry_str_starts_with(o->base_url, "http://"))) {
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "URL '%s' must start with https:// (or "
		    "http:// for a local sandbox): check "
		    "%s in ferry.yaml",
		    o && o->base_url ? o->base_url : "",
		    o && o->url_setting ? o->url_setting
		                        : "destination.base_url");
		goto done;
	}
	if (has_control_chars(o->base_url)) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "URL contains a control character: "
		                        "check %s in ferry.yaml",
		                        o->url_setting ? o->url_setting
		                                       : "destination.base_url");
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
	h = ferry_xcalloc(1, sizeof(*h));
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		error =
		    ferry_error_set(FERRY_ERROR, "cannot initialise libcurl");
		goto done;
	}
	h->curl_global = true;
	h->base_url = trimmed_url(o->base_url);
	if (o->token && *o->token)
		h->token = ferry_xstrdup(o->token);
	h->name = ferry_xstrdup(o->name && *o->name ? o->name : "the server");
	h->url_setting = ferry_xstrdup(o->url_setting && *o->url_setting
	                                   ? o->url_setting
	                                   : "destination.base_url");
	set_limiter(&h->rl[FERRY_HTTP_READ], o->read_rate);
	set_limiter(&h->rl[FERRY_HTTP_WRITE], o->write_rate);
	h->max_attempts =
	    o->max_attempts > 0 ? o->max_attempts : DEFAULT_MAX_ATTEMPTS;
	h->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS;
	connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms
	                                       : DEFAULT_CONNECT_TIMEOUT_MS;
	h->backoff_base_ms = o->backoff_base_ms > 0 ? o->backoff_base_ms
	                                            : DEFAULT_BACKOFF_BASE_MS;
	h->backoff_max_ms =
	    o->backoff_max_ms > 0 ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
	if (h->backoff_max_ms < h->backoff_base_ms)
		h->backoff_max_ms = h->backoff_base_ms;
	h->rng = ferry_http__rng_seed();
	ferry_buf_init(&h->body, FERRY_HTTP_BODY_MAX);
	ferry_buf_init(&h->resp_headers, RESP_HEADERS_MAX);

	h->curl = curl_easy_init();
	if (!h->curl) {
		error =
		    ferry_error_set(FERRY_ERROR, "cannot initialise libcurl");
		goto done;
	}
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "ferry/" FERRY_VERSION);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE,
	                 (curl_off_t)FERRY_HTTP_BODY_MAX);
	/* A redirect could carry the Bearer header somewhere else. */
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	/* libcurl's defaults, set anyway so that nobody "fixes" a certificate
	 * problem here: see docs/internals/http.md. */
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);

	*out = h;
	h = NULL;
done:
	ferry_http_free(h);
	return error;
}

void ferry_http_free(struct ferry_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	if (h->curl_global)
		curl_global_cleanup();
	free_secret(h->token);
	ferry_buf_release(&h->resp_headers);
	ferry_ratelimit_release(&h->rl[0]);
	ferry_ratelimit_release(&h->rl[1]);
	ferry_buf_release(&h->body);
	free(h->base_url);
	free(h->name);
	free(h->url_setting);
	free(h);
}

const struct ferry_http_stats *ferry_http_stats(const struct ferry_http *h)
{
	return &h->stats;
}

int ferry_http_set_auth(struct ferry_http *h, const char *token,
                        const char *base_url)
{
	if ((token && has_control_chars(token)) ||
	    (base_url && has_control_chars(base_url)))
		return ferry_error_set(FERRY_EINVALID,
		                       "a token or URL for %s contains a line "
		                       "break or control character",
		                       h->name);
	if (base_url && !ferry_str_starts_with(base_url, "https://") &&
	    !ferry_str_starts_with(base_url, "http://"))
		return ferry_error_set(FERRY_EINVALID,
		                       "%s gave the URL '%.200s', which is "
		                       "not http(s)",
		                       h->name, base_url);
	if (token) {
		free_secret(h->token);
		h->token = *token ? ferry_xstrdup(token) : NULL;
	}
	if (base_url) {
		free(h->base_url);
		h->base_url = trimmed_url(base_url);
	}
	return 0;
}

const char *ferry_http_base_url(const struct ferry_http *h)
{
	return h->base_url;
}

void ferry_http_response_release(struct ferry_http_response *r)
{
	if (!r)
		return;
	ferry_buf_release(&r->body);
	ferry_buf_release(&r->headers);
	r->status = 0;
	r->attempts = 0;
}

int ferry_http_response_header(const struct ferry_http_response *r,
                               const char *name, char *out, size_t outlen)
{
	const char *line = r->headers.ptr, *found = NULL, *end;
	size_t nlen = strlen(name), vlen;

	while (*line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line) > nlen && line[nlen] == ':' &&
		    strncasecmp(line, name, nlen) == 0)
			found = line + nlen + 1;
		line = *end ? end + 1 : end;
	}
	if (!found)
		return FERRY_ENOTFOUND;
	while (*found == ' ' || *found == '\t')
		found++;
	end = strchr(found, '\n');
	vlen = end ? (size_t)(end - found) : strlen(found);
	while (vlen > 0 && (found[vlen - 1] == ' ' || found[vlen - 1] == '\t'))
		vlen--;
	if (vlen >= outlen)
		return FERRY_ETOOBIG;
	memcpy(out, found, vlen);
	out[vlen] = '\0';
	return 0;
}

/* Waits until the class's window has room, then records the event. */
static void wait_for_budget(struct ferry_http *h, enum ferry_http_class cls)
{
	for (;;) {
		int64_t now = ferry_clock_mono_us();
		int64_t wait = ferry_ratelimit_wait_us(&h->rl[cls], now);

		if (wait <= 0) {
			ferry_ratelimit_take(&h->rl[cls], now);
			return;
		}
		ferry_clock_sleep_us(wait);
	}
}

static void backoff_sleep(struct ferry_http *h, int retry)
{
	int64_t ms = ferry_http__backoff_ms(h->backoff_base_ms,
	                                    h->backoff_max_ms, retry, &h->rng);

	ferry_clock_sleep_us(ms * 1000);
}

static void os_error_text(struct ferry_http *h, CURLcode rc, char *out,
                          size_t outlen)
{
	long os_errno = 0;

	curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (os_errno != 0 &&
	    (rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR ||
	     rc == CURLE_SEND_ERROR)) {
		if (strerror_r((int)os_errno, out, outlen) != 0)
			snprintf(out, outlen, "error %ld", os_errno);
	} else if (h->errbuf[0]) {
		snprintf(out, outlen, "%s", h->errbuf);
	} else {
		snprintf(out, outlen, "%s", curl_easy_strerror(rc));
	}
}

/* The certificate was checked and found wanting. */
static bool is_tls_verify_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return true;
	default:
		return false;
	}
}

/* TLS never got as far as a certificate (an http server behind an
 * https:// URL, no common cipher, ...). */
static bool is_tls_handshake_error(CURLcode rc)
{
	return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CIPHER ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ENGINE_NOTFOUND ||
	       rc == CURLE_SSL_ENGINE_SETFAILED;
}

/* Broken transports worth another attempt: the server may be restarting
 * or a middlebox dropped an idle keep-alive connection. */
static bool is_retryable(CURLcode rc)
{
	return rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_PARTIAL_FILE;
}

/* How long to hold the destination after the n-th 429 in a row: its
 * Retry-After, or the backoff when there is none, it is unusable, or it
 * says "now" (a date already past: the server's clock is behind ours), so
 * that ferry does not hammer a server that has just said "too many". */
static int64_t delay_after_429(struct ferry_http *h, int n)
{
	int64_t ms = 0;

	if (h->has_retry_after &&
	    ferry_http_parse_retry_after(&ms, h->retry_after, time(NULL)) ==
	        0 &&
	    ms > 0)
		return ms;
	return ferry_http__backoff_ms(h->backoff_base_ms, h->backoff_max_ms, n,
	                              &h->rng);
}

/* The message for a request that got no answer and will not be retried.
 * Only the base URL is named: paths carry record data, never needed to
 * diagnose a connection. */
static int no_answer_error(struct ferry_http *h, CURLcode rc, int attempts)
{
	char detail[CURL_ERROR_SIZE + 64];

	os_error_text(h, rc, detail, sizeof(detail));
	if (h->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return ferry_error_set(FERRY_ETOOBIG,
		                       "the answer from %s at %s is larger "
		                       "than %zu bytes: ferry refuses it",
		                       h->name, h->base_url,
		                       FERRY_HTTP_BODY_MAX);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ferry_error_set(FERRY_ECONN,
		                       "cannot connect to %s at %s (%s): check "
		                       "%s in ferry.yaml and "
		                       "that the server is running",
		                       h->name, h->base_url, detail,
		                       h->url_setting);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ferry_error_set(FERRY_ECONFIG,
		                       "'%s' is not a usable URL for %s (%s): "
		                       "check %s in ferry.yaml",
		                       h->base_url, h->name, detail,
		                       h->url_setting);
	case CURLE_OPERATION_TIMEDOUT:
		return ferry_error_set(FERRY_ETIMEOUT,
		                       "%s at %s did not answer within %ld ms "
		                       "(%d attempts): check the network, or "
		                       "retry later",
		                       h->name, h->base_url, h->timeout_ms,
		                       attempts);
	default:
		break;
	}
	if (is_tls_verify_error(rc))
		return ferry_error_set(FERRY_ECONN,
		                       "TLS certificate verification failed "
		                       "for %s at %s (%s): ferry never "
		                       "disables verification; fix the "
		                       "certificate or CA bundle",
		                       h->name, h->base_url, detail);
	if (is_tls_handshake_error(rc))
		return ferry_error_set(FERRY_ECONN,
		                       "TLS handshake with %s at %s failed "
		                       "(%s): check %s in "
		                       "ferry.yaml (https:// only for a TLS "
		                       "server); ferry never disables "
		                       "verification",
		                       h->name, h->base_url, detail,
		                       h->url_setting);
	if (is_retryable(rc))
		return ferry_error_set(
		    FERRY_ECONN,
		    "the connection to %s at %s broke %d "
		    "times in a row (%s): check the network, "
		    "or retry later",
		    h->name, h->base_url, attempts, detail);
	return ferry_error_set(FERRY_ECONN,
	                       "request to %s at %s failed (%s): check the "
	                       "network and %s in ferry.yaml",
	                       h->name, h->base_url, detail, h->url_setting);
}

/* Points the handle at one request. Requests without a body are sent
 * without one; POST, PUT and PATCH always carry a (possibly empty) body. */
static void setup_request(struct ferry_http *h, const char *url,
                          const char *method, const char *body,
                          size_t body_len)
{
	bool bodyless =
	    strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0;

	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	if (!body && bodyless) {
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST,
		                 strcmp(method, "GET") == 0 ? NULL : method);
		return;
	}
	if (!body)
		body = "";
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	                 (curl_off_t)body_len);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST,
	                 strcmp(method, "POST") == 0 ? NULL : method);
}

/* The header lines of one request; the Authorization line is wiped
 * before the list is freed. */
static int request_headers(struct curl_slist **out, struct ferry_http *h,
                           const struct ferry_http_req *req)
{
	struct curl_slist *l = NULL, *n;
	char *line = NULL;
	const char *const *x;
	int error = 0;

	line = ferry_xasprintf(
	    "Content-Type: %s",
	    req->content_type ? req->content_type : "application/json");
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
			error = ferry_error_set(FERRY_EINVALID,
			                        "bad request header '%.80s'", *x);
			goto done;
		}
		if (!(n = curl_slist_append(l, *x)))
			goto oom;
		l = n;
	}
	if (h->token && !req->no_auth) {
		free_secret(line);
		line = ferry_xasprintf("Authorization: Bearer %s", h->token);
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
	wipe_auth_header(l);
	curl_slist_free_all(l);
	return error;
}

/* The URL for `path`: appended to the base URL, or a whole URL that must
 * be on the base URL's scheme, host and port (a nextRecordsUrl or a
 * login's links), so a server cannot send the token elsewhere. */
static int request_url(char **out, struct ferry_http *h, const char *path)
{
	const char *origin_end;
	size_t olen;

	if (path[0] == '/') {
		*out = ferry_xasprintf("%s%s", h->base_url, path);
		return 0;
	}
	origin_end = strstr(h->base_url, "://");
	origin_end = origin_end ? strchr(origin_end + 3, '/') : NULL;
	olen = origin_end ? (size_t)(origin_end - h->base_url)
	                  : strlen(h->base_url);
	if (strncmp(path, h->base_url, olen) != 0 ||
	    (path[olen] != '/' && path[olen] != '\0'))
		return ferry_error_set(FERRY_EINVALID,
		                       "%s pointed ferry at '%.200s', which "
		                       "is not on %s: refused",
		                       h->name, path, h->base_url);
	if (has_control_chars(path))
		return ferry_error_set(FERRY_EINVALID,
		                       "a URL from %s contains a control "
		                       "character: refused",
		                       h->name);
	*out = ferry_xstrdup(path);
	return 0;
}

/*
 * One request, possibly several attempts:
 *
 *   wait for the class's window (and any 429 block) -> send
 *     2xx, 4xx but 429  -> the answer
 *     429               -> block reads and writes until Retry-After (or a
 *                          backoff without one); not an attempt used up,
 *                          but 20 in a row end with FERRY_ERATELIMIT
 *     5xx               -> backoff and retry; the last one is the answer
 *     timeout, dropped  -> backoff and retry; the last one is an error
 *     refused, DNS, TLS -> an error at once: retrying will not help
 */
int ferry_http_request(struct ferry_http *h, enum ferry_http_class cls,
                       const char *method, const char *path, const char *body,
                       struct ferry_http_response *resp)
{
	struct ferry_http_req req;

	memset(&req, 0, sizeof(req));
	req.body = body;
	return ferry_http_request_ex(h, cls, method, path, &req, resp);
}

int ferry_http_request_ex(struct ferry_http *h, enum ferry_http_class cls,
                          const char *method, const char *path,
                          const struct ferry_http_req *req_in,
                          struct ferry_http_response *resp)
{
	static const struct ferry_http_req no_options;
	const struct ferry_http_req *req = req_in ? req_in : &no_options;
	struct curl_slist *headers = NULL;
	char *url = NULL;
	int error = 0, failures = 0, sent = 0, in_a_row_429 = 0;
	long status = 0;

	if (!h || !method || !path || !resp ||
	    (cls != FERRY_HTTP_READ && cls != FERRY_HTTP_WRITE)) {
		error = ferry_error_set(
		    FERRY_EINVALID, "bad HTTP request arguments (path '%s')",
		    path ? path : "");
		goto done;
	}
	if ((error = request_url(&url, h, path)) < 0 ||
	    (error = request_headers(&headers, h, req)) < 0)
		goto done;
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
	setup_request(h, url, method, req->body,
	              req->body && !req->body_len ? strlen(req->body)
	                                          : req->body_len);

	for (;;) {
		CURLcode rc;

		wait_for_budget(h, cls);
		ferry_buf_release(&h->body);
		ferry_buf_init(&h->body, FERRY_HTTP_BODY_MAX);
		ferry_buf_clear(&h->resp_headers);
		h->too_big = false;
		h->has_retry_after = false;
		h->retry_after[0] = '\0';
		h->errbuf[0] = '\0';
		h->stats.requests++;
		if (sent++ > 0)
			h->stats.retries++;

		rc = curl_easy_perform(h->curl);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE,
			                  &status);
			if (status == 429) {
				int64_t delay_ms, until;

				h->stats.rate_limited++;
				if (++in_a_row_429 > MAX_429_IN_A_ROW) {
					error = ferry_error_set(
					    FERRY_ERATELIMIT,
					    "%s at %s kept answering 429 "
					    "(too many requests) %d times "
					    "in a row: its rate limit is "
					    "shared with other tokens and "
					    "apps; retry later",
					    h->name, h->base_url, in_a_row_429);
					goto done;
				}
				delay_ms = delay_after_429(h, in_a_row_429);
				if (delay_ms > RETRY_AFTER_WAIT_MAX_MS) {
					error = ferry_error_set(
					    FERRY_ERATELIMIT,
					    "%s at %s answered 429 and "
					    "asked ferry to wait %lld s "
					    "(Retry-After): retry later",
					    h->name, h->base_url,
					    (long long)(delay_ms / 1000));
					goto done;
				}
				/* The budget is the destination's, not the
				 * class's: block both. */
				until = ferry_clock_mono_us() + delay_ms * 1000;
				ferry_ratelimit_block_until(
				    &h->rl[FERRY_HTTP_READ], until);
				ferry_ratelimit_block_until(
				    &h->rl[FERRY_HTTP_WRITE], until);
				continue;
			}
			in_a_row_429 = 0;
			if (status >= 500 && status <= 599) {
				h->stats.server_errors++;
				if (++failures >= h->max_attempts ||
				    req->no_retry)
					break;
				backoff_sleep(h, failures);
				continue;
			}
			break;
		}
		in_a_row_429 = 0;
		if (h->too_big || rc == CURLE_FILESIZE_EXCEEDED ||
		    !is_retryable(rc)) {
			error = no_answer_error(h, rc, sent);
			goto done;
		}
		h->stats.transport_errors++;
		if (++failures >= h->max_attempts) {
			error = no_answer_error(h, rc, failures);
			goto done;
		}
		backoff_sleep(h, failures);
	}

	ferry_buf_release(&resp->body);
	resp->body = h->body;
	ferry_buf_init(&h->body, FERRY_HTTP_BODY_MAX);
	ferry_buf_release(&resp->headers);
	ferry_buf_clear(&resp->headers);
	if (ferry_buf_put(&resp->headers, h->resp_headers.ptr,
	                  h->resp_headers.len) < 0)
		ferry_buf_clear(&resp->headers);
	resp->status = status;
	resp->attempts = sent;
done:
	if (h) {
		ferry_buf_release(&h->body);
		/* The handle keeps a pointer to the list: drop it first. */
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	}
	wipe_auth_header(headers);
	curl_slist_free_all(headers);
	free(url);
	return error;
}
