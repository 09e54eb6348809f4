/* attio.c: `ferry-sandbox attio`: option parsing, the workspace members,
 * the routing table and the small read-only handlers (self, members,
 * stats). Records live in attio_records.c, the schema in attio_schema.c
 * and attio_options.c, lists in attio_lists.c and attio_entries.c, notes
 * and tasks in attio_notes.c and attio_tasks.c, the answers a test asks
 * for in attio_faults.c. */
#include "util.h"

#include <getopt.h>

#include <sqlite3.h>

#include "attio_sandbox.h"
#include "sandbox.h"
#include "server.h"

#define DEFAULT_TOKEN "ferry-sandbox-token"

static const char usage_text[] =
    "usage: ferry-sandbox attio [--bind ADDR] [--port N|0] "
    "[--port-file FILE]\n"
    "                           [--state FILE] [--log FILE] "
    "[--write-rate N]\n"
    "                           [--read-rate N] [--members FILE]\n"
    "                           [--enable-objects LIST] [--object-quota N]\n"
    "                           [--latency-ms N] [--jitter-ms N] "
    "[--fail-rate P]\n"
    "                           [--drop-rate P] [--timeout-rate P] "
    "[--seed N]\n"
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
    "  --enable-objects LIST  optional standard objects to add: deals, "
    "users,\n"
    "                    workspaces, comma-separated, or none (default "
    "deals)\n"
    "  --object-quota N  POST /v2/objects beyond N objects is quota_exceeded"
    "\n"
    "                    (default 0: no quota)\n"
    "  --latency-ms N    delay every answer N ms (default 0), without "
    "holding\n"
    "                    up other connections\n"
    "  --jitter-ms J     ... plus or minus up to J ms, uniformly\n"
    "  --fail-rate P     answer a fraction P (0..1) of writes 500 without "
    "doing them\n"
    "  --drop-rate P     close a fraction P of requests' connections with no"
    "\n"
    "                    answer, after doing them\n"
    "  --timeout-rate P  never answer a fraction P of requests (after doing "
    "them)\n"
    "                    until their client gives up\n"
    "  --seed N          seed of the fault draws (default 1)\n"
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
    {"GET", "/v2/objects", attio_h_objects},
    {"POST", "/v2/objects", attio_h_object_create},
    {"GET", "/v2/objects/*", attio_h_object},
    {"PATCH", "/v2/objects/*", attio_h_object_patch},
    {"GET", "/v2/*/*/attributes", attio_h_attributes},
    {"POST", "/v2/*/*/attributes", attio_h_attribute_create},
    {"GET", "/v2/*/*/attributes/*", attio_h_attribute},
    {"PATCH", "/v2/*/*/attributes/*", attio_h_attribute_patch},
    {"GET", "/v2/*/*/attributes/*/options", attio_h_options},
    {"POST", "/v2/*/*/attributes/*/options", attio_h_option_create},
    {"PATCH", "/v2/*/*/attributes/*/options/*", attio_h_option_patch},
    {"GET", "/v2/*/*/attributes/*/statuses", attio_h_statuses},
    {"POST", "/v2/*/*/attributes/*/statuses", attio_h_status_create},
    {"PATCH", "/v2/*/*/attributes/*/statuses/*", attio_h_status_patch},
    {"POST", "/v2/objects/*/records/query", attio_h_record_query},
    {"POST", "/v2/objects/*/records", attio_h_record_create},
    {"PUT", "/v2/objects/*/records", attio_h_record_assert},
    {"GET", "/v2/objects/*/records/*", attio_h_record_get},
    {"PATCH", "/v2/objects/*/records/*", attio_h_record_patch},
    {"PUT", "/v2/objects/*/records/*", attio_h_record_put},
    {"DELETE", "/v2/objects/*/records/*", attio_h_record_delete},
    {"GET", "/v2/objects/*/records/*/entries", attio_h_record_entries},
    {"GET", "/v2/lists", attio_h_lists},
    {"POST", "/v2/lists", attio_h_list_create},
    {"GET", "/v2/lists/*", attio_h_list},
    {"PATCH", "/v2/lists/*", attio_h_list_patch},
    {"POST", "/v2/lists/*/entries/query", attio_h_entry_query},
    {"POST", "/v2/lists/*/entries", attio_h_entry_create},
    {"PUT", "/v2/lists/*/entries", attio_h_entry_assert},
    {"GET", "/v2/lists/*/entries/*", attio_h_entry_get},
    {"PATCH", "/v2/lists/*/entries/*", attio_h_entry_patch},
    {"PUT", "/v2/lists/*/entries/*", attio_h_entry_put},
    {"DELETE", "/v2/lists/*/entries/*", attio_h_entry_delete},
    {"GET", "/v2/notes", attio_h_notes},
    {"POST", "/v2/notes", attio_h_note_create},
    {"GET", "/v2/notes/*", attio_h_note_get},
    {"DELETE", "/v2/notes/*", attio_h_note_delete},
    {"GET", "/v2/tasks", attio_h_tasks},
    {"POST", "/v2/tasks", attio_h_task_create},
    {"GET", "/v2/tasks/*", attio_h_task_get},
    {"PATCH", "/v2/tasks/*", attio_h_task_patch},
    {"DELETE", "/v2/tasks/*", attio_h_task_delete},
    {"GET", "/v2/workspace_members", h_members},
    {"GET", "/v2/workspace_members/*", h_member},
    {"GET", "/__sandbox/stats", h_stats},
    {"GET", "/__sandbox/faults", attio_h_faults},
    {"POST", "/__sandbox/faults", attio_h_faults_add},
    {"DELETE", "/__sandbox/faults", attio_h_faults_clear},
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
	/* An answer a test asked for comes first (attio_faults.c). */
	if (!ferry_str_starts_with(rq->path, "/__sandbox/") &&
	    attio_faults_take(sb, rq, e) < 0)
		return -1;
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
	int rc = sandbox_parse_i64(opt, s, lo, hi, &v);

	if (rc == 0)
		*out = (int)v;
	return rc;
}

enum {
	OPT_ENABLE = 256,
	OPT_QUOTA,
	OPT_LATENCY,
	OPT_JITTER,
	OPT_FAIL,
	OPT_DROP,
	OPT_TIMEOUT,
	OPT_SEED,
};

/* The fault and schema options; 1 if `c` is none of them. */
static int parse_more(int c, struct attio_http_opts *o, struct attio_sb *sb)
{
	int64_t v;
	int rc = 0;

	switch (c) {
	case OPT_ENABLE:
		if (!attio_seed_valid(optarg))
			return ferry_error_set(FERRY_EUSAGE,
			                       "--enable-objects wants deals, "
			                       "users, workspaces "
			                       "(comma-separated) or none, not "
			                       "'%s'",
			                       optarg);
		sb->enable_objects = optarg;
		return 0;
	case OPT_QUOTA:
		return parse_int("--object-quota", optarg, 0, 1000000,
		                 &sb->object_quota);
	case OPT_LATENCY:
		return sandbox_parse_i64("--latency-ms", optarg, 0, 600000,
		                         &o->latency_ms);
	case OPT_JITTER:
		return sandbox_parse_i64("--jitter-ms", optarg, 0, 600000,
		                         &o->jitter_ms);
	case OPT_FAIL:
		return sandbox_parse_rate("--fail-rate", optarg, &o->fail_rate);
	case OPT_DROP:
		return sandbox_parse_rate("--drop-rate", optarg, &o->drop_rate);
	case OPT_TIMEOUT:
		return sandbox_parse_rate("--timeout-rate", optarg,
		                          &o->timeout_rate);
	case OPT_SEED:
		if ((rc = sandbox_parse_i64("--seed", optarg, 0, INT64_MAX,
		                            &v)) == 0)
			o->seed = (uint64_t)v;
		return rc;
	default:
		return 1;
	}
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
	    {"enable-objects", required_argument, NULL, OPT_ENABLE},
	    {"object-quota", required_argument, NULL, OPT_QUOTA},
	    {"latency-ms", required_argument, NULL, OPT_LATENCY},
	    {"jitter-ms", required_argument, NULL, OPT_JITTER},
	    {"fail-rate", required_argument, NULL, OPT_FAIL},
	    {"drop-rate", required_argument, NULL, OPT_DROP},
	    {"timeout-rate", required_argument, NULL, OPT_TIMEOUT},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct attio_http_opts opts = {
	    .bind = "127.0.0.1",
	    .write_rate = 25,
	    .read_rate = 100,
	    .body_max = (size_t)10 * 1024 * 1024,
	    .seed = 1,
	};
	struct attio_sb sb;
	const char *state = NULL, *members = NULL, *tok;
	int c, rc = 0;

	memset(&sb, 0, sizeof(sb));
	sb.enable_objects = "deals";
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
			if ((rc = parse_more(c, &opts, &sb)) == 1) {
				fputs(usage_text, stderr);
				return 2;
			}
			break;
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
	attio_faults_free(&sb);
	free_members(&sb);
	return rc < 0 ? 1 : 0;
}
