/* outcome.c: what the end of an attempt means, shared by the synchronous
 * client and the multi handle: which broken transports are worth another
 * attempt, how long a 429 holds the destination, and the message for a
 * request that got no answer (what failed, at which base URL, what to
 * check; never the path or the token). */
#include "util.h"

#include "http/easy.h"
#include "http/retry.h"

/* The server may be restarting or a middlebox dropped an idle keep-alive
 * connection. */
bool ferry_http__is_retryable(CURLcode rc)
{
	return rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
	       rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	       rc == CURLE_PARTIAL_FILE;
}

/* A Retry-After that is missing, unusable or says "now" (a date already
 * past: the server's clock is behind ours) gives the backoff, so that
 * ferry does not hammer a server that has just said "too many". */
int64_t ferry_http__delay_after_429(const struct ferry_http__xfer *x,
                                    const struct ferry_http__dest *d, int n,
                                    uint64_t *rng)
{
	int64_t ms = 0;

	if (x->has_retry_after &&
	    ferry_http_parse_retry_after(&ms, x->retry_after, time(NULL)) ==
	        0 &&
	    ms > 0)
		return ms;
	return ferry_http__backoff_ms(d->backoff_base_ms, d->backoff_max_ms, n,
	                              rng);
}

static void os_error_text(CURL *c, const struct ferry_http__xfer *x,
                          CURLcode rc, char *out, size_t outlen)
{
	long os_errno = 0;

	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	if (os_errno != 0 &&
	    (rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR ||
	     rc == CURLE_SEND_ERROR)) {
		if (strerror_r((int)os_errno, out, outlen) != 0)
			snprintf(out, outlen, "error %ld", os_errno);
	} else if (x->errbuf[0]) {
		snprintf(out, outlen, "%s", x->errbuf);
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

/* Only the base URL is named: paths carry record data, never needed to
 * diagnose a connection. */
int ferry_http__no_answer_error(const struct ferry_http__dest *d, CURL *c,
                                const struct ferry_http__xfer *x, CURLcode rc,
                                int attempts)
{
	char detail[CURL_ERROR_SIZE + 64];

	os_error_text(c, x, rc, detail, sizeof(detail));
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return ferry_error_set(FERRY_ETOOBIG,
		                       "the answer from %s at %s is larger "
		                       "than %zu bytes: ferry refuses it",
		                       d->name, d->base_url,
		                       FERRY_HTTP_BODY_MAX);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ferry_error_set(FERRY_ECONN,
		                       "cannot connect to %s at %s (%s): check "
		                       "%s in ferry.yaml and "
		                       "that the server is running",
		                       d->name, d->base_url, detail,
		                       d->url_setting);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ferry_error_set(FERRY_ECONFIG,
		                       "'%s' is not a usable URL for %s (%s): "
		                       "check %s in ferry.yaml",
		                       d->base_url, d->name, detail,
		                       d->url_setting);
	case CURLE_OPERATION_TIMEDOUT:
		return ferry_error_set(FERRY_ETIMEOUT,
		                       "%s at %s did not answer within %ld ms "
		                       "(%d attempts): check the network, or "
		                       "retry later",
		                       d->name, d->base_url, d->timeout_ms,
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
		                       d->name, d->base_url, detail);
	if (is_tls_handshake_error(rc))
		return ferry_error_set(FERRY_ECONN,
		                       "TLS handshake with %s at %s failed "
		                       "(%s): check %s in "
		                       "ferry.yaml (https:// only for a TLS "
		                       "server); ferry never disables "
		                       "verification",
		                       d->name, d->base_url, detail,
		                       d->url_setting);
	if (ferry_http__is_retryable(rc))
		return ferry_error_set(
		    FERRY_ECONN,
		    "the connection to %s at %s broke %d "
		    "times in a row (%s): check the network, "
		    "or retry later",
		    d->name, d->base_url, attempts, detail);
	return ferry_error_set(FERRY_ECONN,
	                       "request to %s at %s failed (%s): check the "
	                       "network and %s in ferry.yaml",
	                       d->name, d->base_url, detail, d->url_setting);
}
