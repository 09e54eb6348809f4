/* attio_faults.c: answers a test asks for, for the error classes the
 * stand-in does not produce by itself (a 403 naming a missing scope, a
 * 409, a 5xx or a 404 on one route): POST /__sandbox/faults {"method",
 * "path", "status", "code", "message", "count"} answers the next `count`
 * requests whose method is `method` (any, when absent) and whose path
 * starts with `path` with Attio's error body, without doing them. GET
 * lists the faults waiting, DELETE forgets them. */
#include "util.h"

#include "attio_sandbox.h"

struct attio_fault {
	char method[16]; /* "" = any */
	char path[256];  /* a prefix of the request's path */
	int status;
	char code[64];
	char message[512];
	long long count; /* answers left */
};

/* The code Attio answers a status with when the test names none. */
static const char *default_code(int status)
{
	switch (status) {
	case 400:
		return "validation_type";
	case 401:
	case 403:
		return "unauthorized";
	case 404:
		return "not_found";
	case 409:
		return "slug_conflict";
	case 429:
		return "rate_limit_exceeded";
	default:
		return "internal_server_error";
	}
}

static json_t *fault_json(const struct attio_fault *f)
{
	return json_pack("{s:s?, s:s, s:i, s:s, s:s, s:I}", "method",
	                 f->method[0] ? f->method : NULL, "path", f->path,
	                 "status", f->status, "code", f->code, "message",
	                 f->message, "count", (json_int_t)f->count);
}

/* Faults used up are dropped here, not when they answer: the error an
 * answer is being built from points into them. */
static void compact(struct attio_sb *sb)
{
	size_t i, n = 0;

	for (i = 0; i < sb->n_faults; i++)
		if (sb->faults[i].count > 0)
			sb->faults[n++] = sb->faults[i];
	sb->n_faults = n;
}

static int text(json_t *data, const char *key, char *out, size_t cap,
                const char *dflt, struct attio_err *e)
{
	json_t *v = json_object_get(data, key);

	if (!v || json_is_null(v)) {
		snprintf(out, cap, "%s", dflt);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= cap)
		return attio_err_set(e, 400, "validation_type",
		                     "\"%s\" must be a string of fewer than "
		                     "%zu characters.",
		                     key, cap);
	snprintf(out, cap, "%s", json_string_value(v));
	return 0;
}

int attio_h_faults_add(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	json_t *data = json_object_get(rq->body, "data");
	json_t *status, *count;
	struct attio_fault f;
	char msg[512];

	if (!data)
		data = rq->body;
	memset(&f, 0, sizeof(f));
	status = json_object_get(data, "status");
	count = json_object_get(data, "count");
	if (!json_is_object(data) || !json_is_integer(status) ||
	    json_integer_value(status) < 400 ||
	    json_integer_value(status) > 599 ||
	    (count &&
	     (!json_is_integer(count) || json_integer_value(count) < 1)))
		return attio_err_set(e, 400, "validation_type",
		                     "A fault is {\"method\"?, \"path\", "
		                     "\"status\" (400-599), \"code\"?, "
		                     "\"message\"?, \"count\"? (at least 1)}.");
	f.status = (int)json_integer_value(status);
	f.count = count ? (long long)json_integer_value(count) : 1;
	snprintf(msg, sizeof(msg),
	         "Injected by ferry-sandbox (/__sandbox/faults): HTTP %d.",
	         f.status);
	if (text(data, "method", f.method, sizeof(f.method), "", e) < 0 ||
	    text(data, "path", f.path, sizeof(f.path), "", e) < 0 ||
	    text(data, "code", f.code, sizeof(f.code), default_code(f.status),
	         e) < 0 ||
	    text(data, "message", f.message, sizeof(f.message), msg, e) < 0)
		return -1;
	if (f.path[0] != '/')
		return attio_err_set(
		    e, 400, "validation_type",
		    "A fault's \"path\" is the start of the "
		    "paths it answers, such as \"/v2/notes\".");
	compact(sb);
	sb->faults = ferry_xrealloc(sb->faults, (sb->n_faults + 1) * sizeof(f));
	sb->faults[sb->n_faults++] = f;
	*out = json_pack("{s:o}", "data", fault_json(&f));
	return 0;
}

int attio_h_faults(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                   struct attio_err *e)
{
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < sb->n_faults; i++)
		if (sb->faults[i].count > 0)
			json_array_append_new(arr, fault_json(&sb->faults[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

int attio_h_faults_clear(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	attio_faults_free(sb);
	*out = json_object();
	return 0;
}

int attio_faults_take(struct attio_sb *sb, const struct attio_req *rq,
                      struct attio_err *e)
{
	size_t i;

	for (i = 0; i < sb->n_faults; i++) {
		struct attio_fault *f = &sb->faults[i];

		if (f->count <= 0 ||
		    (f->method[0] && strcmp(f->method, rq->method)) ||
		    strncmp(rq->path, f->path, strlen(f->path)))
			continue;
		f->count--;
		attio_err_set(e, f->status, "", "%s", f->message);
		e->code = f->code;
		return -1;
	}
	return 0;
}

void attio_faults_free(struct attio_sb *sb)
{
	free(sb->faults);
	sb->faults = NULL;
	sb->n_faults = 0;
}
