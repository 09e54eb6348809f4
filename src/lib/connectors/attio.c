/* attio.c: the Attio destination over ferry's HTTP client: token check,
 * record assert (upsert), query and read-back, and the readers of Attio's
 * answers, which must survive any body a proxy or an outage may send. */
#include <jansson.h>

#include "util.h"

#include "ferry/attio.h"
#include "ferry/config.h"
#include "connectors/attio_parse.h"

struct ferry_attio {
	struct ferry_http *http;
};

static void append_str(char *dst, size_t cap, const char *s)
{
	ferry_str_append_clean(dst, cap, s, strlen(s));
}

static void append_json_string(char *dst, size_t cap, const json_t *s)
{
	ferry_str_append_clean(dst, cap, json_string_value(s),
	                       json_string_length(s));
}

/* "; values.email_addresses[0]: message" for each validation error. */
static void append_validation_errors(char *dst, size_t cap, const json_t *arr)
{
	size_t i, j;
	const json_t *e, *p, *path, *msg;
	char num[32];

	json_array_foreach(arr, i, e)
	{
		msg = json_object_get(e, "message");
		path = json_object_get(e, "path");
		if (!json_is_string(msg))
			continue;
		append_str(dst, cap, "; ");
		if (json_is_array(path) && json_array_size(path) > 0) {
			json_array_foreach(path, j, p)
			{
				if (json_is_string(p)) {
					if (j > 0)
						append_str(dst, cap, ".");
					append_json_string(dst, cap, p);
				} else if (json_is_integer(p)) {
					snprintf(
					    num, sizeof(num), "[%lld]",
					    (long long)json_integer_value(p));
					append_str(dst, cap, num);
				}
			}
			append_str(dst, cap, ": ");
		}
		append_json_string(dst, cap, msg);
	}
}

int ferry_attio__parse_error(struct ferry_attio_result *res, long status,
                             const char *body, size_t len)
{
	json_t *root = NULL;
	const json_t *code, *message, *verrs;
	json_error_t jerr;
	char fallback[128];
	int error = 0;

	res->http_status = status;
	res->code[0] = '\0';
	res->message[0] = '\0';
	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	code = json_object_get(root, "code");
	message = json_object_get(root, "message");
	if (!json_is_object(root) ||
	    (!json_is_string(code) && !json_is_string(message))) {
		snprintf(fallback, sizeof(fallback), "HTTP %ld from Attio (%s)",
		         status,
		         root      ? "unexpected JSON body"
		         : len > 0 ? "non-JSON body"
		                   : "empty body");
		append_str(res->message, sizeof(res->message), fallback);
		error = FERRY_EINVALID;
		goto done;
	}
	if (json_is_string(code))
		append_json_string(res->code, sizeof(res->code), code);
	if (json_is_string(message) && json_string_length(message) > 0) {
		append_json_string(res->message, sizeof(res->message), message);
	} else {
		snprintf(fallback, sizeof(fallback), "HTTP %ld from Attio",
		         status);
		append_str(res->message, sizeof(res->message), fallback);
	}
	verrs = json_object_get(root, "validation_errors");
	if (json_is_array(verrs))
		append_validation_errors(res->message, sizeof(res->message),
		                         verrs);
done:
	json_decref(root);
	return error;
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int ferry_attio__parse_record_id(char *out, size_t out_len, const char *body,
                                 size_t len)
{
	json_t *root = NULL;
	const json_t *id;
	json_error_t jerr;
	const char *s;
	size_t n, i;
	int error = FERRY_EINVALID;

	if (body && len > 0)
		root = json_loadb(body, len, 0, &jerr);
	id = json_object_get(
	    json_object_get(json_object_get(root, "data"), "id"), "record_id");
	if (!json_is_string(id))
		goto done;
	s = json_string_value(id);
	n = json_string_length(id);
	if (n == 0 || n >= out_len)
		goto done;
	for (i = 0; i < n; i++)
		if (!id_char(s[i]))
			goto done;
	memcpy(out, s, n);
	out[n] = '\0';
	error = 0;
done:
	json_decref(root);
	return error;
}

/* Slugs and ids go into paths: only [a-z0-9_-] for slugs (Attio's own
 * alphabet; UUIDs fit it too), also upper case for record ids. */
static int check_segment(const char *what, const char *s, bool upper_ok)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 128)
		goto bad;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || (upper_ok && c >= 'A' && c <= 'Z'))
			continue;
		goto bad;
	}
	return 0;
bad:
	return ferry_error_set(FERRY_EINVALID,
	                       "'%.128s' is not a valid Attio %s: use lower "
	                       "case letters, digits, '_' and '-'",
	                       s ? s : "", what);
}

int ferry_attio_new(struct ferry_attio **out, const struct ferry_http_opts *o)
{
	struct ferry_http_opts opts;
	struct ferry_attio *a = NULL;
	int error;

	*out = NULL;
	if (!o)
		return ferry_error_set(FERRY_EINVALID, "no Attio options");
	opts = *o;
	if (!opts.name || !*opts.name)
		opts.name = "Attio";
	if (!opts.base_url || !*opts.base_url)
		opts.base_url = FERRY_ATTIO_DEFAULT_URL;
	if (opts.write_rate == 0.0)
		opts.write_rate = FERRY_ATTIO_WRITE_RATE;
	if (opts.read_rate == 0.0)
		opts.read_rate = FERRY_ATTIO_READ_RATE;
	if (!opts.token || !*opts.token)
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "no Attio token: set the environment "
		    "variable named by destination.token_env "
		    "in ferry.yaml (default %s)",
		    FERRY_ATTIO_DEFAULT_TOKEN_ENV);
	a = ferry_xcalloc(1, sizeof(*a));
	if ((error = ferry_http_new(&a->http, &opts)) < 0) {
		free(a);
		return error;
	}
	*out = a;
	return 0;
}

void ferry_attio_free(struct ferry_attio *a)
{
	if (!a)
		return;
	ferry_http_free(a->http);
	free(a);
}

struct ferry_http *ferry_attio_http(struct ferry_attio *a)
{
	return a ? a->http : NULL;
}

/* Sends one request with an optional JSON body. */
static int call(struct ferry_attio *a, enum ferry_http_class cls,
                const char *method, const char *path, const json_t *body,
                struct ferry_http_response *resp)
{
	char *text = NULL;
	int error;

	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "cannot encode the request to Attio "
		                        "%s %s as JSON",
		                        method, path);
		goto done;
	}
	error = ferry_http_request(a->http, cls, method, path, text, resp);
done:
	free(text);
	return error;
}

static bool is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/* Turns a final non-2xx answer into an error carrying Attio's code and
 * message. */
static int answer_error(const struct ferry_http_response *r, const char *what)
{
	struct ferry_attio_result res;
	int code;

	ferry_attio__parse_error(&res, r->status, r->body.ptr, r->body.len);
	switch (r->status) {
	case 401:
	case 403:
		code = FERRY_EAUTH;
		break;
	case 404:
		code = FERRY_ENOTFOUND;
		break;
	case 429:
		code = FERRY_ERATELIMIT;
		break;
	default:
		code = FERRY_EHTTP;
		break;
	}
	return ferry_error_set(code, "%s: Attio answered HTTP %ld%s%s: %s",
	                       what, r->status, res.code[0] ? " " : "",
	                       res.code, res.message);
}

/* The parsed body of a 2xx answer. */
static int parse_answer(json_t **out, const struct ferry_http_response *r,
                        const char *what)
{
	json_error_t jerr;
	json_t *root = json_loadb(r->body.ptr, r->body.len, 0, &jerr);

	if (!json_is_object(root)) {
		json_decref(root);
		return ferry_error_set(
		    FERRY_EHTTP,
		    "%s: Attio answered HTTP %ld with a body "
		    "that is not a JSON object",
		    what, r->status);
	}
	*out = root;
	return 0;
}

int ferry_attio_check(struct ferry_attio *a, struct ferry_buf *workspace_name)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	json_t *root = NULL;
	const json_t *self, *name;
	int error;

	if ((error = call(a, FERRY_HTTP_READ, "GET", "/v2/self", NULL, &resp)) <
	    0)
		goto done;
	if (resp.status == 401 || resp.status == 403) {
		error = answer_error(&resp, "Attio refused the token");
		goto done;
	}
	if (!is_2xx(resp.status)) {
		error = answer_error(&resp, "checking the Attio token");
		goto done;
	}
	if ((error = parse_answer(&root, &resp, "checking the Attio token")) <
	    0)
		goto done;
	/* The spec gives /v2/self unwrapped; accept a {"data":...} too. */
	self = json_is_object(json_object_get(root, "data"))
	           ? json_object_get(root, "data")
	           : root;
	if (!json_is_true(json_object_get(self, "active"))) {
		error = ferry_error_set(
		    FERRY_EAUTH, "Attio says the token is not active "
		                 "(GET /v2/self answered active: false)");
		goto done;
	}
	name = json_object_get(self, "workspace_name");
	if (workspace_name && json_is_string(name) &&
	    (error = ferry_buf_put(workspace_name, json_string_value(name),
	                           json_string_length(name))) < 0)
		goto done;
done:
	json_decref(root);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_attio_assert_record(struct ferry_attio *a, const char *object,
                              const char *matching_attribute, json_t *values,
                              struct ferry_attio_result *res)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *body = NULL;
	int error;

	memset(res, 0, sizeof(*res));
	if ((error = check_segment("object", object, false)) < 0 ||
	    (error = check_segment("attribute", matching_attribute, false)) < 0)
		goto done;
	if (!json_is_object(values)) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "the values for an Attio '%s' record "
		                        "must be a JSON object",
		                        object);
		goto done;
	}
	if ((error = ferry_buf_puts(&path, "/v2/objects/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, object)) < 0 ||
	    (error = ferry_buf_puts(&path, "/records?matching_attribute=")) <
	        0 ||
	    (error = ferry_buf_put_urlencoded(&path, matching_attribute)) < 0)
		goto done;
	body = json_pack("{s:{s:O}}", "data", "values", values);
	if ((error = call(a, FERRY_HTTP_WRITE, "PUT", path.ptr, body, &resp)) <
	    0)
		goto done;
	res->http_status = resp.status;
	res->attempts = resp.attempts;
	if (!is_2xx(resp.status)) {
		ferry_attio__parse_error(res, resp.status, resp.body.ptr,
		                         resp.body.len);
	} else if (ferry_attio__parse_record_id(
	               res->record_id, sizeof(res->record_id), resp.body.ptr,
	               resp.body.len) < 0) {
		append_str(res->code, sizeof(res->code), "invalid_response");
		snprintf(res->message, sizeof(res->message),
		         "Attio answered HTTP %ld without data.id.record_id",
		         resp.status);
	}
done:
	if (error < 0)
		append_str(res->message, sizeof(res->message),
		           ferry_error_last());
	json_decref(body);
	ferry_buf_release(&path);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_attio_query(json_t **out, struct ferry_attio *a, const char *object,
                      json_t *filter, int limit, int offset)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *body = NULL, *root = NULL, *data;
	int error;

	*out = NULL;
	if ((error = check_segment("object", object, false)) < 0)
		goto done;
	if (limit <= 0 || offset < 0) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "bad page for querying '%s' (limit %d, "
		                        "offset %d)",
		                        object, limit, offset);
		goto done;
	}
	if ((error = ferry_buf_puts(&path, "/v2/objects/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, object)) < 0 ||
	    (error = ferry_buf_puts(&path, "/records/query")) < 0)
		goto done;
	body = json_pack("{s:i,s:i}", "limit", limit, "offset", offset);
	if (filter)
		json_object_set(body, "filter", filter);
	/* Attio counts queries as reads, though they are POSTs. */
	if ((error = call(a, FERRY_HTTP_READ, "POST", path.ptr, body, &resp)) <
	    0)
		goto done;
	if (!is_2xx(resp.status)) {
		error = answer_error(&resp, "querying Attio records");
		goto done;
	}
	if ((error = parse_answer(&root, &resp, "querying Attio records")) < 0)
		goto done;
	data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "querying Attio '%s' records: the "
		                        "answer has no \"data\" array",
		                        object);
		goto done;
	}
	*out = json_incref(data);
done:
	json_decref(root);
	json_decref(body);
	ferry_buf_release(&path);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_attio_get_record(json_t **out, struct ferry_attio *a,
                           const char *object, const char *record_id)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *root = NULL, *data;
	int error;

	*out = NULL;
	if ((error = check_segment("object", object, false)) < 0 ||
	    (error = check_segment("record id", record_id, true)) < 0)
		goto done;
	if ((error = ferry_buf_puts(&path, "/v2/objects/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, object)) < 0 ||
	    (error = ferry_buf_puts(&path, "/records/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, record_id)) < 0)
		goto done;
	if ((error = call(a, FERRY_HTTP_READ, "GET", path.ptr, NULL, &resp)) <
	    0)
		goto done;
	if (resp.status == 404) {
		answer_error(&resp, "reading an Attio record");
		error = ferry_error_wrap(FERRY_ENOTFOUND,
		                         "record '%s' of '%s' is not in Attio",
		                         record_id, object);
		goto done;
	}
	if (!is_2xx(resp.status)) {
		error = answer_error(&resp, "reading an Attio record");
		goto done;
	}
	if ((error = parse_answer(&root, &resp, "reading an Attio record")) < 0)
		goto done;
	data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "reading Attio record '%s': the answer "
		                        "has no \"data\" object",
		                        record_id);
		goto done;
	}
	*out = json_incref(data);
done:
	json_decref(root);
	ferry_buf_release(&path);
	ferry_http_response_release(&resp);
	return error;
}

int ferry_attio_get_data(json_t **out, struct ferry_attio *a, const char *path)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	json_t *root = NULL, *data;
	int error;

	*out = NULL;
	if ((error = call(a, FERRY_HTTP_READ, "GET", path, NULL, &resp)) < 0)
		goto done;
	if (resp.status == 404) {
		answer_error(&resp, "reading from Attio");
		error = ferry_error_wrap(FERRY_ENOTFOUND, "GET %s", path);
		goto done;
	}
	if (!is_2xx(resp.status)) {
		error = answer_error(&resp, "reading from Attio");
		goto done;
	}
	if ((error = parse_answer(&root, &resp, "reading from Attio")) < 0)
		goto done;
	data = json_object_get(root, "data");
	if (!data) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "GET %s: Attio's answer has no "
		                        "\"data\"",
		                        path);
		goto done;
	}
	*out = json_incref(data);
done:
	json_decref(root);
	ferry_http_response_release(&resp);
	return error;
}
