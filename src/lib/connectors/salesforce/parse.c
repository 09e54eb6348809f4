/* parse.c: the readers of what a Salesforce login host and instance
 * answer: token responses, OAuth and REST error bodies, Sforce-Limit-Info,
 * instance and identity URLs. They take untrusted bytes, never fail on
 * their shape, and are fuzzed (fuzz/sf_token_fuzzer.c). */
#include "util.h"

#include <stdint.h>
#include <strings.h>

#include <jansson.h>

#include "connectors/salesforce/sf_int.h"

void ferry_sf__token_init(struct ferry_sf_token *t)
{
	memset(t, 0, sizeof(*t));
	ferry_buf_init(&t->access_token, 16 * 1024);
	ferry_buf_init(&t->refresh_token, 16 * 1024);
	t->issued_at_ms = -1;
}

void ferry_sf__token_release(struct ferry_sf_token *t)
{
	ferry_sf__buf_wipe(&t->access_token);
	ferry_sf__buf_wipe(&t->refresh_token);
	free(t->instance_url);
	free(t->id);
	t->instance_url = NULL;
	t->id = NULL;
	t->issued_at_ms = -1;
}

/* Overwrites a string inside a parsed JSON document before it is freed:
 * jansson frees its copies without wiping them. */
static void wipe_json_string(json_t *s)
{
	if (json_is_string(s))
		explicit_bzero((char *)(uintptr_t)json_string_value(s),
		               json_string_length(s));
}

/* issued_at: a string of milliseconds in real answers; some write-ups say
 * seconds, and a number is as plausible as a string. Anything before
 * 1e11 (year 5138 in seconds, 1973 in ms) is read as seconds. */
static int64_t read_issued_at(const json_t *v)
{
	int64_t n = -1;

	if (json_is_integer(v))
		n = (int64_t)json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) >= 0 &&
	         json_real_value(v) < 9e15)
		n = (int64_t)json_real_value(v);
	else if (!json_is_string(v) ||
	         ferry_parse_i64(json_string_value(v), &n) < 0)
		return -1;
	if (n < 0)
		return -1;
	if (n < INT64_C(100000000000))
		n *= 1000;
	return n;
}

int ferry_sf__parse_token(struct ferry_sf_token *out, const char *body,
                          size_t len)
{
	json_t *root = NULL, *at, *rt, *iu, *id;
	json_error_t jerr;
	const char *missing = NULL;
	int error = 0;

	ferry_buf_clear(&out->access_token);
	ferry_buf_clear(&out->refresh_token);
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	if (!json_is_object(root)) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "the token answer is not a JSON "
		                        "object");
		goto done;
	}
	at = json_object_get(root, "access_token");
	rt = json_object_get(root, "refresh_token");
	iu = json_object_get(root, "instance_url");
	id = json_object_get(root, "id");
	if (!json_is_string(at) || json_string_length(at) == 0)
		missing = "access_token";
	else if (!json_is_string(iu) || json_string_length(iu) == 0)
		missing = "instance_url";
	if (missing) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "the token answer has no %s", missing);
		goto done;
	}
	if (strlen(json_string_value(at)) != json_string_length(at) ||
	    (json_is_string(rt) &&
	     strlen(json_string_value(rt)) != json_string_length(rt))) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "the token answer has a token with a "
		                        "NUL character");
		goto done;
	}
	if (ferry_buf_puts(&out->access_token, json_string_value(at)) < 0 ||
	    (json_is_string(rt) &&
	     ferry_buf_puts(&out->refresh_token, json_string_value(rt)) < 0)) {
		ferry_buf_clear(&out->access_token);
		ferry_buf_clear(&out->refresh_token);
		error = ferry_error_set(FERRY_EHTTP,
		                        "the token answer has a token over "
		                        "%zu bytes",
		                        out->access_token.max);
		goto done;
	}
	free(out->instance_url);
	out->instance_url =
	    ferry_xstrndup(json_string_value(iu), json_string_length(iu));
	free(out->id);
	out->id = json_is_string(id) ? ferry_xstrndup(json_string_value(id),
	                                              json_string_length(id))
	                             : NULL;
	out->issued_at_ms = read_issued_at(json_object_get(root, "issued_at"));
done:
	wipe_json_string(json_object_get(root, "access_token"));
	wipe_json_string(json_object_get(root, "refresh_token"));
	wipe_json_string(json_object_get(root, "id_token"));
	json_decref(root);
	return error;
}

int ferry_sf__parse_token_error(const char *body, size_t len, char *error,
                                size_t error_len, char *desc, size_t desc_len)
{
	json_t *root = NULL;
	const json_t *e, *d;
	json_error_t jerr;
	int rc = FERRY_EINVALID;

	error[0] = '\0';
	desc[0] = '\0';
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	e = json_object_get(root, "error");
	d = json_object_get(root, "error_description");
	if (!json_is_string(e) || json_string_length(e) == 0)
		goto done;
	ferry_str_append_clean(error, error_len, json_string_value(e),
	                       json_string_length(e));
	if (json_is_string(d))
		ferry_str_append_clean(desc, desc_len, json_string_value(d),
		                       json_string_length(d));
	rc = 0;
done:
	json_decref(root);
	return rc;
}

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool path_char(char c)
{
	return host_char(c) || c == '/' || c == '_' || c == '~' || c == '%';
}

bool ferry_sf__url_ok(const char *url)
{
	const char *h, *e, *p, *port = NULL;
	bool local_only;
	size_t hlen;

	if (!url)
		return false;
	if (ferry_str_starts_with(url, "https://")) {
		h = url + 8;
		local_only = false;
	} else if (ferry_str_starts_with(url, "http://")) {
		h = url + 7;
		local_only = true;
	} else {
		return false;
	}
	e = h + strcspn(h, "/");
	for (p = e; *p; p++)
		if (!path_char(*p))
			return false;
	if (*h == '[') {
		/* Only the loopback literal: no IPv6 instance exists. */
		if (!ferry_str_starts_with(h, "[::1]"))
			return false;
		hlen = 5;
	} else {
		for (hlen = 0; h + hlen < e && host_char(h[hlen]); hlen++)
			;
	}
	if (hlen == 0)
		return false;
	if (h + hlen < e) {
		if (h[hlen] != ':')
			return false;
		port = h + hlen + 1;
		if (port == e || e - port > 5)
			return false;
		for (p = port; p < e; p++)
			if (*p < '0' || *p > '9')
				return false;
	}
	if (local_only &&
	    !((hlen == 9 && strncmp(h, "127.0.0.1", 9) == 0) ||
	      (hlen == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	      (hlen == 5 && strncmp(h, "[::1]", 5) == 0)))
		return false;
	return true;
}

static bool id_chars(const char *s, size_t n)
{
	size_t i;

	if (n != 15 && n != 18)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return true;
}

void ferry_sf__split_identity(const char *id_url, char org[19], char user[19])
{
	const char *p, *o, *u;
	char tmp[19];
	size_t olen, ulen;

	org[0] = '\0';
	user[0] = '\0';
	if (!id_url || !(p = strstr(id_url, "/id/")))
		return;
	o = p + 4;
	olen = strcspn(o, "/?#");
	if (o[olen] != '/')
		return;
	u = o + olen + 1;
	ulen = strcspn(u, "/?#");
	if (!id_chars(o, olen) || !id_chars(u, ulen))
		return;
	memcpy(tmp, o, olen);
	tmp[olen] = '\0';
	if (ferry_sf_id18(org, tmp) < 0)
		return;
	memcpy(tmp, u, ulen);
	tmp[ulen] = '\0';
	if (ferry_sf_id18(user, tmp) < 0)
		org[0] = '\0';
}

static void put_json_text(char *dst, size_t cap, const json_t *s)
{
	if (json_is_string(s))
		ferry_str_append_clean(dst, cap, json_string_value(s),
		                       json_string_length(s));
}

int ferry_sf__parse_error(const char *body, size_t len, char *code,
                          size_t code_len, char *message, size_t message_len)
{
	json_t *root = NULL;
	const json_t *e, *c, *m;
	json_error_t jerr;
	int error = FERRY_EINVALID;

	code[0] = '\0';
	message[0] = '\0';
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	e = json_is_array(root) ? json_array_get(root, 0) : root;
	if (!json_is_object(e))
		goto done;
	c = json_object_get(e, "errorCode");
	m = json_object_get(e, "message");
	if (!json_is_string(c) && !json_is_string(m)) {
		/* The OAuth shape, which some gateways answer API calls
		 * with too. */
		c = json_object_get(e, "error");
		m = json_object_get(e, "error_description");
	}
	if (!json_is_string(c) && !json_is_string(m))
		goto done;
	put_json_text(code, code_len, c);
	put_json_text(message, message_len, m);
	error = 0;
done:
	json_decref(root);
	return error;
}

/* An unsigned decimal of at most 18 digits at *p; advances *p. */
static bool read_count(const char **p, int64_t *out)
{
	int64_t n = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9' && digits < 18) {
		n = n * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	if (digits == 0 || (**p >= '0' && **p <= '9'))
		return false;
	*out = n;
	return true;
}

int ferry_sf__parse_limit_info(const char *value, int64_t *used, int64_t *max)
{
	static const char key[] = "api-usage=";
	const char *p = value;
	int64_t u, m;

	for (; value && (p = strstr(p, key)) != NULL; p++) {
		/* Not the tail of "per-app-api-usage=". */
		if (p > value && p[-1] != ',' && p[-1] != ';' && p[-1] != ' ' &&
		    p[-1] != '\t')
			continue;
		p += sizeof(key) - 1;
		if (!read_count(&p, &u) || *p++ != '/' || !read_count(&p, &m))
			return FERRY_EINVALID;
		*used = u;
		*max = m;
		return 0;
	}
	return FERRY_EINVALID;
}
