/* sandbox_attio_fuzzer.c: the Attio sandbox's request handling (routing,
 * JSON record values, exact numbers, assert matching, query filters and
 * sorts, the schema, lists and entries, notes and tasks) over arbitrary
 * requests, built the way src/sandbox/http.c builds them, against a fresh
 * in-memory store (deals enabled) per input so every finding replays the
 * same way.
 *
 * An input is up to MAX_REQUESTS requests separated by a line "===". Each
 * is a method line (GET, POST, PUT, PATCH or DELETE; anything else picks
 * one by its first byte), a path line with an optional query string, and
 * the body. "@last" in a path or body stands for the id of the record
 * (entry, note, task) the previous request answered with, so one input
 * can create a record and then read, patch, reference or delete it. */
#include "util.h"

#include "../src/sandbox/attio_sandbox.h"
#include "../src/sandbox/server.h"

#define MAX_REQUESTS 6
#define SEPARATOR    "\n===\n"
#define LAST_TOKEN   "@last"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

/* The next line of [*p, end) into a new string; *p moves past it. */
static char *take_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl : end;
	char *line = ferry_xstrndup(*p, (size_t)(stop - *p));

	*p = nl ? nl + 1 : end;
	return line;
}

static const char *pick_method(const char *line)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(methods); i++)
		if (!strcmp(line, methods[i]))
			return methods[i];
	return methods[(unsigned char)line[0] % FERRY_ARRAY_LEN(methods)];
}

/* Percent-decodes s in place up to the first NUL it decodes, as
 * libmicrohttpd hands the handler a decoded C string. */
static void unescape(char *s, bool plus_is_space)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%' && sandbox_hexval(s[1]) >= 0 &&
		    sandbox_hexval(s[2]) >= 0) {
			*w++ = (char)(sandbox_hexval(s[1]) * 16 +
			              sandbox_hexval(s[2]));
			s += 2;
		} else {
			*w++ = plus_is_space && *s == '+' ? ' ' : *s;
		}
	}
	*w = '\0';
}

/* text with every "@last" replaced by `last` ("" before any record). */
static char *substitute(const char *text, size_t len, const char *last)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t tlen = strlen(LAST_TOKEN), i = 0;
	int rc;

	ferry_buf_init(&b, (size_t)1024 * 1024);
	while (i < len) {
		if (len - i >= tlen && !memcmp(text + i, LAST_TOKEN, tlen)) {
			rc = ferry_buf_puts(&b, last);
			i += tlen;
		} else {
			rc = ferry_buf_putc(&b, text[i++]);
		}
		if (rc < 0)
			abort(); /* 64 KiB of input cannot fill 1 MiB */
	}
	return ferry_buf_detach(&b, NULL);
}

/* The start of the next separator in [p, end), or NULL. */
static const char *find_sep(const char *p, const char *end)
{
	size_t n = strlen(SEPARATOR);

	for (; (size_t)(end - p) >= n; p++)
		if (!memcmp(p, SEPARATOR, n))
			return p;
	return NULL;
}

/* What every reply must satisfy, error or not. */
static void check_reply(int rc, json_t *out, const struct attio_err *e)
{
	char *text;

	if (rc == 0) {
		if (!out || !(text = attio_json_dump(out)))
			abort();
		free(text);
		return;
	}
	if (rc != -1 || out || e->status < 400 || e->status > 599 || !e->code ||
	    !e->type || !memchr(e->message, '\0', sizeof(e->message)))
		abort();
	/* a client's request never makes the store itself fail */
	if (e->status >= 500)
		abort();
}

/* One request against sb; remembers the record id it answers with. */
static void one_request(struct attio_sb *sb, const char *p, const char *end,
                        char last[ATTIO_ID_LEN])
{
	struct attio_req req = {0};
	struct attio_err e = {0};
	json_t *out = NULL;
	json_error_t jerr;
	char *mline = take_line(&p, end);
	char *raw = take_line(&p, end);
	char *uri = substitute(raw, strlen(raw), last);
	char *body = substitute(p, (size_t)(end - p), last);
	char *query = strchr(uri, '?'), *match = NULL;
	static const char *const id_keys[] = {"record_id", "entry_id",
	                                      "note_id", "task_id"};
	const char *id;
	size_t i;
	int rc;

	if (query)
		*query++ = '\0';
	unescape(uri, false);
	/* /__sandbox/ paths need the running server (its counters) */
	if (ferry_str_starts_with(uri, "/__sandbox/"))
		goto done;
	if (body[0]) {
		req.body = attio_json_parse(sb, body, strlen(body), &jerr);
		if (!req.body)
			goto done; /* http.c answers 400 before routing */
	}
	req.method = pick_method(mline);
	req.path = uri;
	match = sandbox_query_arg(query, "matching_attribute");
	req.matching_attribute = match;
	req.query = query;
	rc = attio_route(sb, &req, &out, &e);
	check_reply(rc, out, &e);
	for (i = 0; i < FERRY_ARRAY_LEN(id_keys); i++) {
		id = json_string_value(json_object_get(
		    json_object_get(json_object_get(out, "data"), "id"),
		    id_keys[i]));
		if (id) {
			snprintf(last, ATTIO_ID_LEN, "%s", id);
			break;
		}
	}
done:
	attio_json_forget(sb);
	free(match);
	json_decref(out);
	json_decref(req.body);
	free(body);
	free(uri);
	free(raw);
	free(mline);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct attio_sb sb;
	char last[ATTIO_ID_LEN] = "";
	int n;

	/* requests are text: a NUL would only end them early */
	if (memchr(data, '\0', size) || size > 64 * 1024)
		return 0;
	memset(&sb, 0, sizeof(sb));
	sb.enable_objects = "deals";
	if (attio_store_open(&sb, NULL) < 0) {
		fprintf(stderr, "sandbox_attio_fuzzer: %s\n",
		        ferry_error_last());
		abort();
	}
	for (n = 0; n < MAX_REQUESTS && p < end; n++) {
		const char *sep = find_sep(p, end);
		const char *stop = sep ? sep : end;

		one_request(&sb, p, stop, last);
		p = sep ? sep + strlen(SEPARATOR) : end;
	}
	attio_store_close(&sb);
	return 0;
}
