/* client.c: the synchronous HTTP client of http.h on one reused libcurl easy
 * handle: budget per request class, a 429 blocks the whole destination
 * until its Retry-After, retries with backoff for 5xx and broken
 * transports, and messages that say which end failed and what to do. */
#include <strings.h>

#include "util.h"

#include "http/easy.h"
#include "http/retry.h"

struct ferry_http {
	CURL *curl;
	struct ferry_http__dest dest;
	struct ferry_ratelimit rl[2]; /* indexed by enum ferry_http_class */
	uint64_t rng;
	struct ferry_http_stats stats;
	struct ferry_http__xfer x; /* the attempt in flight */
};

int ferry_http_new(struct ferry_http **out, const struct ferry_http_opts *o)
{
	struct ferry_http *h = ferry_xcalloc(1, sizeof(*h));
	int error = 0;

	*out = NULL;
	ferry_http__xfer_init(&h->x);
	if ((error = ferry_http__dest_init(&h->dest, o)) < 0)
		goto done;
	ferry_http__limiter_init(&h->rl[FERRY_HTTP_READ], o->read_rate);
	ferry_http__limiter_init(&h->rl[FERRY_HTTP_WRITE], o->write_rate);
	h->rng = ferry_http__rng_seed();
	h->curl = curl_easy_init();
	if (!h->curl) {
		error =
		    ferry_error_set(FERRY_ERROR, "cannot initialise libcurl");
		goto done;
	}
	ferry_http__easy_setup(h->curl, &h->dest);
	ferry_http__easy_bind(h->curl, &h->x);
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
	ferry_http__dest_release(&h->dest);
	ferry_ratelimit_release(&h->rl[0]);
	ferry_ratelimit_release(&h->rl[1]);
	ferry_http__xfer_release(&h->x);
	free(h);
}

const struct ferry_http_stats *ferry_http_stats(const struct ferry_http *h)
{
	return &h->stats;
}

int ferry_http_set_auth(struct ferry_http *h, const char *token,
                        const char *base_url)
{
	return ferry_http__dest_set_auth(&h->dest, token, base_url);
}

const char *ferry_http_base_url(const struct ferry_http *h)
{
	return h->dest.base_url;
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
	int64_t ms = ferry_http__backoff_ms(
	    h->dest.backoff_base_ms, h->dest.backoff_max_ms, retry, &h->rng);

	ferry_clock_sleep_us(ms * 1000);
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
	if ((error = ferry_http__url(&url, &h->dest, path)) < 0 ||
	    (error = ferry_http__headers(&headers, &h->dest, req)) < 0)
		goto done;
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, headers);
	ferry_http__easy_request(h->curl, url, method, req->body,
	                         req->body && !req->body_len ? strlen(req->body)
	                                                     : req->body_len);

	for (;;) {
		CURLcode rc;

		wait_for_budget(h, cls);
		ferry_http__xfer_reset(&h->x);
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
				if (++in_a_row_429 >
				    FERRY_HTTP__MAX_429_IN_A_ROW) {
					error = ferry_error_set(
					    FERRY_ERATELIMIT,
					    "%s at %s kept answering 429 "
					    "(too many requests) %d times "
					    "in a row: its rate limit is "
					    "shared with other tokens and "
					    "apps; retry later",
					    h->dest.name, h->dest.base_url,
					    in_a_row_429);
					goto done;
				}
				delay_ms = ferry_http__delay_after_429(
				    &h->x, &h->dest, in_a_row_429, &h->rng);
				if (delay_ms >
				    FERRY_HTTP__RETRY_AFTER_WAIT_MAX_MS) {
					error = ferry_error_set(
					    FERRY_ERATELIMIT,
					    "%s at %s answered 429 and "
					    "asked ferry to wait %lld s "
					    "(Retry-After): retry later",
					    h->dest.name, h->dest.base_url,
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
				if (++failures >= h->dest.max_attempts ||
				    req->no_retry)
					break;
				backoff_sleep(h, failures);
				continue;
			}
			break;
		}
		in_a_row_429 = 0;
		if (h->x.too_big || rc == CURLE_FILESIZE_EXCEEDED ||
		    !ferry_http__is_retryable(rc)) {
			error = ferry_http__no_answer_error(&h->dest, h->curl,
			                                    &h->x, rc, sent);
			goto done;
		}
		h->stats.transport_errors++;
		if (++failures >= h->dest.max_attempts) {
			error = ferry_http__no_answer_error(
			    &h->dest, h->curl, &h->x, rc, failures);
			goto done;
		}
		backoff_sleep(h, failures);
	}

	ferry_http__xfer_to_response(&h->x, status, sent, resp);
done:
	if (h) {
		ferry_http__xfer_reset(&h->x);
		/* The handle keeps a pointer to the list: drop it first. */
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	}
	ferry_http__headers_free(headers);
	free(url);
	return error;
}
