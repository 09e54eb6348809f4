/* sandbox_sf_fuzzer.c: the Salesforce sandbox's request handling (the
 * token endpoint, routing, versions, SOQL over REST and Tooling, cursors,
 * Bulk jobs and their streamed CSV pages) over arbitrary requests, built
 * the way src/sandbox/sf_http.c builds them, against a fresh small org
 * per input so every finding replays the same way.
 *
 * An input is up to MAX_REQUESTS requests separated by a line "===".
 * Each is a method line (GET, POST, PATCH or DELETE; anything else picks
 * one by its first byte; a trailing " noauth" sends no token), a path
 * line with an optional query string, and the body. In a path or body
 * "@job" stands for the id of the last Bulk job created and "@next" for
 * the last nextRecordsUrl, so one input can create a job and read it,
 * or follow a query's pages. */
#include "util.h"

#include "../src/sandbox/server.h"
#include "../src/sandbox/sf_http.h"

#define MAX_REQUESTS 6
#define SEPARATOR    "\n===\n"
#define TOKEN        "fuzz-token"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE"};

struct state {
	char job[19];
	char next[256];
};

static char *take_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl : end;
	char *line = ferry_xstrndup(*p, (size_t)(stop - *p));

	*p = nl ? nl + 1 : end;
	return line;
}

/* Percent-decodes the path in place, as libmicrohttpd does. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%' && sandbox_hexval(s[1]) >= 0 &&
		    sandbox_hexval(s[2]) >= 0) {
			*w++ = (char)(sandbox_hexval(s[1]) * 16 +
			              sandbox_hexval(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static char *substitute(const char *text, size_t len, const struct state *st)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t i = 0;
	int rc;

	ferry_buf_init(&b, (size_t)1024 * 1024);
	while (i < len) {
		if (len - i >= 4 && !memcmp(text + i, "@job", 4)) {
			rc = ferry_buf_puts(&b, st->job);
			i += 4;
		} else if (len - i >= 5 && !memcmp(text + i, "@next", 5)) {
			rc = ferry_buf_puts(&b, st->next);
			i += 5;
		} else {
			rc = ferry_buf_putc(&b, text[i++]);
		}
		if (rc < 0)
			abort(); /* 64 KiB of input cannot fill 1 MiB */
	}
	return ferry_buf_detach(&b, NULL);
}

static const char *find_sep(const char *p, const char *end)
{
	size_t n = strlen(SEPARATOR);

	for (; (size_t)(end - p) >= n; p++)
		if (!memcmp(p, SEPARATOR, n))
			return p;
	return NULL;
}

/* What every reply must satisfy. */
static void check_reply(struct sf_reply *r)
{
	json_t *err;
	char buf[4096];
	ssize_t n;
	char *text;

	if (r->drop)
		return;
	if (r->status < 200 || r->status > 599)
		abort();
	/* nothing a client sends makes the sandbox itself fail */
	if (r->status >= 500 && r->status != 503)
		abort();
	if (r->stream) {
		if (r->status != 200 || !r->bulk_headers)
			abort();
		while ((n = sf_stream_read(r->stream, buf, sizeof(buf))) >= 0)
			if (n == 0 || (size_t)n > sizeof(buf))
				abort();
		return;
	}
	if (r->status == 204) {
		if (r->json)
			abort();
		return;
	}
	if (!r->json || !(text = json_dumps(r->json, JSON_COMPACT)))
		abort();
	free(text);
	if (r->status < 400)
		return;
	/* OAuth errors are {error, error_description}; the rest arrays */
	if (json_is_object(r->json)) {
		if (!json_is_string(json_object_get(r->json, "error")))
			abort();
		return;
	}
	err = json_array_get(r->json, 0);
	if (json_array_size(r->json) != 1 ||
	    !json_is_string(json_object_get(err, "message")) ||
	    !json_is_string(json_object_get(err, "errorCode")))
		abort();
}

static void one_request(struct sf_sb *sb, const char *p, const char *end,
                        struct state *st)
{
	struct sf_req req;
	struct sf_reply reply;
	char *mline = take_line(&p, end);
	char *raw = take_line(&p, end);
	char *uri = substitute(raw, strlen(raw), st);
	char *body = substitute(p, (size_t)(end - p), st);
	char *query = strchr(uri, '?'), *sp = strchr(mline, ' ');
	const char *next, *id;
	size_t i;
	bool noauth = sp && !strcmp(sp, " noauth");

	if (sp)
		*sp = '\0';
	memset(&req, 0, sizeof(req));
	req.method =
	    methods[(unsigned char)mline[0] % FERRY_ARRAY_LEN(methods)];
	for (i = 0; i < FERRY_ARRAY_LEN(methods); i++)
		if (!strcmp(mline, methods[i]))
			req.method = methods[i];
	if (query)
		*query++ = '\0';
	unescape(uri);
	req.path = uri;
	req.query = query ? query : "";
	req.body = body;
	req.body_len = strlen(body);
	req.authorization = noauth ? NULL : "Bearer " TOKEN;
	req.content_type = ferry_str_starts_with(uri, "/services/oauth2/")
	                       ? "application/x-www-form-urlencoded"
	                       : "application/json";
	sf_handle(sb, &req, &reply);
	check_reply(&reply);
	id = json_string_value(json_object_get(reply.json, "id"));
	if (id && ferry_str_starts_with(id, "750"))
		snprintf(st->job, sizeof(st->job), "%s", id);
	next = json_string_value(json_object_get(reply.json, "nextRecordsUrl"));
	if (next)
		snprintf(st->next, sizeof(st->next), "%s", next);
	sf_reply_release(&reply);
	free(body);
	free(uri);
	free(raw);
	free(mline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct sf_opts o;
	struct sf_sb sb;
	struct state st;
	int n;

	if (memchr(data, '\0', size) || size > 64 * 1024)
		return 0;
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	sf_org_opts_default(&o.org);
	o.org.deleted_every = 5;
	o.bind = "127.0.0.1";
	o.page_size = 7;
	o.api_limit = 1000;
	o.bulk_polls = 1;
	o.fail_job = "Lead";
	o.skew[0].n = 2;
	snprintf(o.skew[0].object, sizeof(o.skew[0].object), "Case");
	o.n_skew = 1;
	o.client_id = "fuzz-client";
	o.client_secret = "fuzz-secret";
	o.username = "integration@ferry.example";
	o.password = "fuzz-password";
	o.refresh_token = "fuzz-refresh";
	o.access_token = TOKEN;
	if (sf_sb_init(&sb, &o) < 0) {
		fprintf(stderr, "sandbox_sf_fuzzer: %s\n", ferry_error_last());
		abort();
	}
	sf_sb_listening(&sb, "127.0.0.1", 8080);
	for (n = 0; n < MAX_REQUESTS && p < end; n++) {
		const char *sep = find_sep(p, end);
		const char *stop = sep ? sep : end;

		one_request(&sb, p, stop, &st);
		p = sep ? sep + strlen(SEPARATOR) : end;
	}
	sf_sb_free(&sb);
	return 0;
}
