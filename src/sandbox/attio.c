/* attio.c: `ferry-sandbox attio`: option parsing, the workspace members,
 * the routing table and the small read-only handlers (self, objects,
 * attributes, options, members, stats). Records live in attio_records.c. */
#include "util.h"

#include <getopt.h>

#include <sqlite3.h>

#include "attio_sandbox.h"
#include "sandbox.h"

#define DEFAULT_TOKEN "ferry-sandbox-token"

static const char usage_text[] =
    "usage: ferry-sandbox attio [--bind ADDR] [--port N|0] "
    "[--port-file FILE]\n"
    "                           [--state FILE] [--log FILE] "
    "[--write-rate N]\n"
    "                           [--read-rate N] [--members FILE]\n"
    "\n"
    "A local stand-in for the Attio REST API v2 (see docs/sandbox.md).\n"
    "\n"
    "  --bind ADDR       address to listen on (default 127.0.0.1)\n"
    "  --port N          port; 0 picks a free one (default 0)\n"
    "  --port-file FILE  write the bound port to FILE once listening\n"
    "  --state FILE      keep records in this SQLite file (default: in "
    "memory)\n"
    "  --log FILE        append one line per request to FILE\n"
    "  --write-rate N    writes allowed per second (default 25; 0 = no "
    "limit)\n"
    "  --read-rate N     reads allowed per second (default 100; 0 = no "
    "limit)\n"
    "  --members FILE    workspace members, a JSON array of {email_address,"
    "\n"
    "                    first_name, last_name, access_level}\n"
    "\n"
    "The API token is $FERRY_SANDBOX_TOKEN (default \"" DEFAULT_TOKEN "\").\n";

/* --- handlers --- */

static int h_self(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e)
{
	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	/* the spec's /v2/self body is not wrapped in "data" */
	*out = json_pack(
	    "{s:b,s:s,s:s,s:s,s:n,s:I,s:s,s:s,s:s,s:s?,s:s,s:s,s:s,s:n}",
	    "active", 1, "scope",
	    "record_permission:read-write object_configuration:read-write "
	    "user_management:read",
	    "client_id", sb->token_id, "token_type", "Bearer", "exp", "iat",
	    (json_int_t)(ferry_clock_wall_us() / 1000000), "sub",
	    sb->workspace_id, "aud", sb->token_id, "iss", "attio.com",
	    "authorized_by_workspace_member_id",
	    sb->n_members ? sb->members[0].id : NULL, "workspace_id",
	    sb->workspace_id, "workspace_name", "ferry sandbox",
	    "workspace_slug", "ferry-sandbox", "workspace_logo_url");
	return 0;
}

static int object_or_404(struct attio_sb *sb, const char *key,
                         struct attio_object **out, struct attio_err *e)
{
	*out = attio_object_find(sb, key);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "Object with slug/ID \"%s\" not found.",
		                     key);
	return 0;
}

static int attr_or_404(struct attio_sb *sb, struct attio_req *rq,
                       struct attio_attr **out, struct attio_err *e)
{
	struct attio_object *o;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	*out = attio_attr_find(o, rq->params[1]);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "Attribute with slug/ID \"%s\" not found.",
		                     rq->params[1]);
	return 0;
}

static int h_objects(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < sb->n_objects; i++)
		json_array_append_new(arr,
		                      attio_object_json(sb, &sb->objects[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

static int h_object(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e)
{
	struct attio_object *o;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_object_json(sb, o));
	return 0;
}

static int h_attributes(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	struct attio_object *o;
	json_t *arr;
	size_t i;

	if (object_or_404(sb, rq->params[0], &o, e) < 0)
		return -1;
	arr = json_array();
	for (i = 0; i < o->n_attrs; i++)
		json_array_append_new(arr, attio_attr_json(sb, &o->attrs[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

static int h_attribute(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	struct attio_attr *a;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_attr_json(sb, a));
	return 0;
}

static json_t *option_json(struct attio_sb *sb, struct attio_attr *a,
                           struct attio_option *op)
{
	return json_pack("{s:{s:s,s:s,s:s,s:s},s:s,s:b}", "id", "workspace_id",
	                 sb->workspace_id, "object_id", a->object->id,
	                 "attribute_id", a->id, "option_id", op->id, "title",
	                 op->title, "is_archived", op->is_archived);
}

static int h_options(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	struct attio_attr *a;
	json_t *arr;
	size_t i;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	arr = json_array();
	for (i = 0; i < a->n_options; i++)
		json_array_append_new(arr, option_json(sb, a, &a->options[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

static int h_option_create(struct attio_sb *sb, struct attio_req *rq,
                           json_t **out, struct attio_err *e)
{
	struct attio_attr *a;
	struct attio_option op;
	const char *title;
	size_t i;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	if (strcmp(a->type, "select"))
		return attio_err_set(e, 400, "validation_type",
		                     "This attribute is not a select "
		                     "attribute.");
	title = json_string_value(
	    json_object_get(json_object_get(rq->body, "data"), "title"));
	if (!title || !*title || strlen(title) >= sizeof(op.title))
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: expected "
		                     "{\"data\": {\"title\": string}}.");
	for (i = 0; i < a->n_options; i++)
		if (!strcmp(a->options[i].title, title))
			return attio_err_set(
			    e, 409, "slug_conflict",
			    "A select option with title \"%s\" "
			    "already exists.",
			    title);
	memset(&op, 0, sizeof(op));
	attio_uuid(op.id);
	snprintf(op.title, sizeof(op.title), "%s", title);
	if (attio_store_option_add(sb, a, &op) < 0)
		return attio_err_set(e, 500, "internal_error",
		                     "Sandbox store failure: %s",
		                     ferry_error_last());
	*out = json_pack("{s:o}", "data",
	                 option_json(sb, a, &a->options[a->n_options - 1]));
	return 0;
}

static json_t *member_json(struct attio_sb *sb, struct attio_member *m)
{
	return json_pack("{s:{s:s,s:s},s:s,s:s,s:n,s:s,s:s,s:s}", "id",
	                 "workspace_id", sb->workspace_id,
	                 "workspace_member_id", m->id, "first_name",
	                 m->first_name, "last_name", m->last_name, "avatar_url",
	                 "email_address", m->email, "created_at",
	                 sb->created_at, "access_level", m->access_level);
}

static int h_members(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < sb->n_members; i++)
		json_array_append_new(arr, member_json(sb, &sb->members[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

static int h_member(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e)
{
	size_t i;

	for (i = 0; i < sb->n_members; i++)
		if (!strcmp(sb->members[i].id, rq->params[0])) {
			*out = json_pack("{s:o}", "data",
			                 member_json(sb, &sb->members[i]));
			return 0;
		}
	return attio_err_set(e, 404, "not_found",
	                     "Workspace member with ID \"%s\" not found.",
	                     rq->params[0]);
}

static int h_stats(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                   struct attio_err *e)
{
	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	*out = attio_http_stats(sb);
	return 0;
}

/* --- routing --- */

/* Patterns are '/'-separated; a segment "*" captures into params[]. */
static const struct route {
	const char *method, *pattern;
	attio_handler_fn fn;
} routes[] = {
    {"GET", "/v2/self", h_self},
    {"GET", "/v2/objects", h_objects},
    {"GET", "/v2/objects/*", h_object},
    {"GET", "/v2/objects/*/attributes", h_attributes},
    {"GET", "/v2/objects/*/attributes/*", h_attribute},
    {"GET", "/v2/objects/*/attributes/*/options", h_options},
    {"POST", "/v2/objects/*/attributes/*/options", h_option_create},
    {"POST", "/v2/objects/*/records/query", attio_h_record_query},
    {"POST", "/v2/objects/*/records", attio_h_record_create},
    {"PUT", "/v2/objects/*/records", attio_h_record_assert},
    {"GET", "/v2/objects/*/records/*", attio_h_record_get},
    {"PATCH", "/v2/objects/*/records/*", attio_h_record_patch},
    {"PUT", "/v2/objects/*/records/*", attio_h_record_put},
    {"DELETE", "/v2/objects/*/records/*", attio_h_record_delete},
    {"GET", "/v2/workspace_members", h_members},
    {"GET", "/v2/workspace_members/*", h_member},
    {"GET", "/__sandbox/stats", h_stats},
};

/* Matches `path` (a copy the caller owns) against pattern; on a match
 * the captured segments are cut out of the copy into params[]. */
static bool match(const char *pattern, char *path, char **params)
{
	size_t n = 0, i;
	char *p = path;

	while (*pattern) {
		size_t plen = strcspn(pattern + 1, "/") + 1, slen;

		if (*p != '/')
			return false;
		slen = strcspn(p + 1, "/") + 1;
		if (plen == 2 && pattern[1] == '*') {
			if (slen == 1 || n >= 4)
				return false;
			params[n++] = p + 1;
		} else if (plen != slen || strncmp(pattern, p, plen)) {
			return false;
		}
		pattern += plen;
		p += slen;
	}
	if (*p != '\0')
		return false;
	for (i = 0; i < n; i++)
		params[i][strcspn(params[i], "/")] = '\0';
	return true;
}

int attio_route(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                struct attio_err *e)
{
	char *path = NULL, *params[4];
	size_t i, j;
	int rc = -1;
	bool path_known = false;

	*out = NULL;
	for (i = 0; i < FERRY_ARRAY_LEN(routes); i++) {
		free(path);
		path = ferry_xstrdup(rq->path);
		for (j = 0; j < 4; j++)
			params[j] = NULL;
		if (!match(routes[i].pattern, path, params))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, rq->method))
			continue;
		for (j = 0; j < 4; j++)
			rq->params[j] = params[j];
		rc = routes[i].fn(sb, rq, out, e);
		goto done;
	}
	attio_err_set(e, 404, "not_found",
	              path_known ? "Method %s is not supported on \"%s\"."
	                         : "%s \"%s\" does not match any route.",
	              rq->method, rq->path);
done:
	for (j = 0; j < 4; j++)
		rq->params[j] = NULL;
	free(path);
	return rc;
}

/* --- members and options --- */

static void add_member(struct attio_sb *sb, const char *email,
                       const char *first, const char *last, const char *level)
{
	struct attio_member *m;

	sb->members =
	    ferry_xrealloc(sb->members, (sb->n_members + 1) * sizeof(*m));
	m = &sb->members[sb->n_members++];
	attio_uuid(m->id);
	m->email = ferry_xstrdup(email);
	m->first_name = ferry_xstrdup(first);
	m->last_name = ferry_xstrdup(last);
	m->access_level = ferry_xstrdup(level);
}

static int load_members(struct attio_sb *sb, const char *path)
{
	json_error_t jerr;
	json_t *arr, *m;
	size_t i;
	int rc = 0;

	if (!path) {
		add_member(sb, "ada@ferry.test", "Ada", "Lovelace", "admin");
		add_member(sb, "grace@ferry.test", "Grace", "Hopper", "member");
		return 0;
	}
	arr = json_load_file(path, 0, &jerr);
	if (!json_is_array(arr)) {
		rc = ferry_error_set(FERRY_ECONFIG,
		                     "'%s' is not a JSON array of members: %s",
		                     path, jerr.text);
		goto done;
	}
	json_array_foreach(arr, i, m)
	{
		const char *email =
		    json_string_value(json_object_get(m, "email_address"));
		const char *first =
		    json_string_value(json_object_get(m, "first_name"));
		const char *last =
		    json_string_value(json_object_get(m, "last_name"));
		const char *level =
		    json_string_value(json_object_get(m, "access_level"));

		if (!email) {
			rc = ferry_error_set(FERRY_ECONFIG,
			                     "member %zu in '%s' has no "
			                     "email_address",
			                     i, path);
			goto done;
		}
		add_member(sb, email, first ? first : "", last ? last : "",
		           level ? level : "member");
	}
done:
	json_decref(arr);
	return rc;
}

static void free_members(struct attio_sb *sb)
{
	size_t i;

	for (i = 0; i < sb->n_members; i++) {
		free(sb->members[i].email);
		free(sb->members[i].first_name);
		free(sb->members[i].last_name);
		free(sb->members[i].access_level);
	}
	free(sb->members);
	sb->members = NULL;
	sb->n_members = 0;
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
	int64_t v;

	if (ferry_parse_i64(s, &v) < 0 || v < lo || v > hi)
		return ferry_error_set(FERRY_EUSAGE,
		                       "%s wants a number from %d to %d, not "
		                       "'%s'",
		                       opt, lo, hi, s);
	*out = (int)v;
	return 0;
}

int sandbox_attio_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"bind", required_argument, NULL, 'b'},
	    {"port", required_argument, NULL, 'p'},
	    {"port-file", required_argument, NULL, 'f'},
	    {"state", required_argument, NULL, 's'},
	    {"log", required_argument, NULL, 'l'},
	    {"write-rate", required_argument, NULL, 'w'},
	    {"read-rate", required_argument, NULL, 'r'},
	    {"members", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct attio_http_opts opts = {
	    .bind = "127.0.0.1",
	    .write_rate = 25,
	    .read_rate = 100,
	    .body_max = (size_t)10 * 1024 * 1024,
	};
	struct attio_sb sb;
	const char *state = NULL, *members = NULL, *tok;
	int c, rc = 0;

	memset(&sb, 0, sizeof(sb));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			opts.bind = optarg;
			break;
		case 'p':
			rc = parse_int("--port", optarg, 0, 65535, &opts.port);
			break;
		case 'f':
			opts.port_file = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'l':
			opts.log_file = optarg;
			break;
		case 'w':
			rc = parse_int("--write-rate", optarg, 0, 1000000,
			               &opts.write_rate);
			break;
		case 'r':
			rc = parse_int("--read-rate", optarg, 0, 1000000,
			               &opts.read_rate);
			break;
		case 'm':
			members = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
		if (rc < 0) {
			fprintf(stderr, "ferry-sandbox attio: %s\n",
			        ferry_error_last());
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ferry-sandbox attio: unexpected '%s'\n%s",
		        argv[optind], usage_text);
		return 2;
	}
	tok = getenv("FERRY_SANDBOX_TOKEN");
	opts.token = tok && *tok ? tok : DEFAULT_TOKEN;
	if ((rc = load_members(&sb, members)) < 0 ||
	    (rc = attio_store_open(&sb, state)) < 0 ||
	    (rc = attio_http_run(&sb, &opts)) < 0)
		fprintf(stderr, "ferry-sandbox attio: %s\n",
		        ferry_error_last());
	attio_store_close(&sb);
	free_members(&sb);
	return rc < 0 ? 1 : 0;
}
