/* sf.c: `ferry-sandbox salesforce`: option parsing, the stand-in's state,
 * the request pipeline (faults, session, daily API budget, version) and
 * the routing table. The small REST handlers live in sf_meta.c, queries in
 * sf_rest.c, Bulk jobs in sf_bulk.c, the token endpoint in sf_oauth.c. */
#include "util.h"

#include <getopt.h>
#include <stdarg.h>

#include "sandbox.h"
#include "server.h"
#include "sf_http.h"

#define DEFAULT_CLIENT_ID     "ferry-sandbox-client"
#define DEFAULT_CLIENT_SECRET "ferry-sandbox-secret"
#define DEFAULT_USERNAME      "integration@ferry.example"
#define DEFAULT_PASSWORD      "ferry-sandbox-password"
#define DEFAULT_REFRESH       "ferry-sandbox-refresh"
#define DEFAULT_ACCESS        "ferry-sandbox-access-token"
#define MAX_CURSORS           1000

static const char usage_text[] =
    "usage: ferry-sandbox salesforce [options]\n"
    "\n"
    "A local stand-in for the Salesforce REST API, Bulk API 2.0, Tooling\n"
    "API and OAuth token endpoint, serving a generated org (see\n"
    "docs/sandbox.md).\n"
    "\n"
    "  --bind ADDR            address to listen on (default 127.0.0.1)\n"
    "  --port N               port; 0 picks a free one (default 0)\n"
    "  --port-file FILE       write the bound port to FILE once listening\n"
    "  --log FILE             append one line per request to FILE\n"
    "\n"
    "The org:\n"
    "  --scale S              small (default), bench (100k accounts, 300k\n"
    "                         contacts, ...) or N accounts with the rest\n"
    "                         in the bench ratios\n"
    "  --seed N               the org's seed (default 1): same seed, same "
    "org\n"
    "  --person-accounts      turn person accounts on\n"
    "  --deleted-every N      soft-delete every Nth record (queryAll sees "
    "it)\n"
    "\n"
    "The API:\n"
    "  --page-size N          rows per REST query page (default 2000)\n"
    "  --api-limit N          DailyApiRequests Max (default 15000); past it\n"
    "                         every call is 403 REQUEST_LIMIT_EXCEEDED\n"
    "  --bulk-polls N         polls a Bulk job answers InProgress before\n"
    "                         JobComplete (default 2)\n"
    "  --bulk-ms N            and milliseconds it works before it is\n"
    "                         complete, as Salesforce's jobs take time\n"
    "                         (default 0)\n"
    "  --jwt-public-key FILE  PEM public key or certificate that JWT bearer\n"
    "                         assertions must be signed for (default: JWT\n"
    "                         grants are refused)\n"
    "\n"
    "Faults:\n"
    "  --expire-after N       each access token dies after N API requests\n"
    "                         (then 401 INVALID_SESSION_ID)\n"
    "  --fail-rate P          answer a fraction P (0..1) of API requests\n"
    "                         503 SERVER_UNAVAILABLE (repeatable with "
    "--seed)\n"
    "  --drop-rate P          close a fraction P of API requests' "
    "connections\n"
    "                         without an answer\n"
    "  --slow-ms N            wait N ms before every answer\n"
    "  --fail-job OBJECT      Bulk jobs on OBJECT end in state Failed\n"
    "  --count-skew OBJ=N     COUNT() on OBJ answers N more than the truth\n"
    "                         (repeatable)\n"
    "\n"
    "Credentials come from the environment, never the command line:\n"
    "  FERRY_SF_CLIENT_ID     (default \"" DEFAULT_CLIENT_ID "\")\n"
    "  FERRY_SF_CLIENT_SECRET (default \"" DEFAULT_CLIENT_SECRET "\")\n"
    "  FERRY_SF_PASSWORD      password of " DEFAULT_USERNAME "\n"
    "                         (default \"" DEFAULT_PASSWORD "\")\n"
    "  FERRY_SF_REFRESH_TOKEN (default \"" DEFAULT_REFRESH "\")\n"
    "  FERRY_SF_ACCESS_TOKEN  a token that works without a login (default\n"
    "                         \"" DEFAULT_ACCESS "\")\n";

int sf_err_set(struct sf_err *e, int status, const char *code, const char *fmt,
               ...)
{
	va_list ap;

	e->status = status;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

/* --- small shared helpers --- */

void sf_make_id(char out[19], const char *prefix, uint64_t n)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz";
	char id15[16];
	int i;

	/* prefix, the sandbox's "pod" 5f, then ten base-62 digits */
	snprintf(id15, sizeof(id15), "%.3s5f0000000000", prefix);
	for (i = 14; i >= 5 && n > 0; i--) {
		id15[i] = b62[n % 62];
		n /= 62;
	}
	sf_id18(id15, out);
}

void sf_format_time(int64_t t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
}

json_t *sf_json_str(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

int64_t sf_count_skew(const struct sf_sb *sb, const char *object)
{
	size_t i;

	for (i = 0; i < sb->opts->n_skew; i++)
		if (ferry_str_iequal(sb->opts->skew[i].object, object))
			return sb->opts->skew[i].n;
	return 0;
}

char *sf_req_arg(const struct sf_req *rq, const char *name)
{
	return sandbox_query_arg(rq->query, name);
}

void sf_reply_release(struct sf_reply *r)
{
	json_decref(r->json);
	r->json = NULL;
	if (r->stream)
		sf_stream_free(r->stream);
	r->stream = NULL;
}

/* --- state --- */

int sf_sb_init(struct sf_sb *sb, const struct sf_opts *opts)
{
	const struct sf_object *user;
	int rc;

	memset(sb, 0, sizeof(*sb));
	sb->opts = opts;
	pthread_mutex_init(&sb->lock, NULL);
	if ((rc = sf_org_new(&sb->org, &opts->org)) < 0)
		return rc;
	sb->rng = opts->org.seed ^ 0x5f3759df5ba11adull;
	sf_make_id(sb->org_id, "00D", opts->org.seed + 1);
	/* the integration user is the org's first user */
	user = sf_org_object(sb->org, "User");
	if (user && user->count > 0)
		sf_org_record_id(user, 0, sb->user_id);
	else
		sf_make_id(sb->user_id, "005", 1);
	snprintf(sb->base_url, sizeof(sb->base_url), "http://127.0.0.1");
	/* the given access token is always known */
	sb->tokens = ferry_xcalloc(1, sizeof(*sb->tokens));
	snprintf(sb->tokens[0].value, sizeof(sb->tokens[0].value), "%s",
	         opts->access_token);
	sb->n_tokens = 1;
	return sf_oauth_init(sb);
}

void sf_sb_free(struct sf_sb *sb)
{
	size_t i;

	for (i = 0; i < sb->n_cursors; i++)
		sf_cursor_free(sb->cursors[i]);
	free(sb->cursors);
	for (i = 0; i < sb->n_jobs; i++)
		sf_job_free(sb->jobs[i]);
	free(sb->jobs);
	if (sb->n_tokens)
		memset(sb->tokens, 0, sb->n_tokens * sizeof(*sb->tokens));
	free(sb->tokens);
	sf_oauth_free(sb);
	sf_org_free(sb->org);
	pthread_mutex_destroy(&sb->lock);
	memset(sb, 0, sizeof(*sb));
}

void sf_sb_listening(struct sf_sb *sb, const char *host, int port)
{
	bool v6 = strchr(host, ':') != NULL;

	snprintf(sb->base_url, sizeof(sb->base_url), "http://%s%s%s:%d",
	         v6 ? "[" : "", host, v6 ? "]" : "", port);
}

/* GET /__sandbox/clock: the org's time and the records written through
 * the REST API; POST /__sandbox/clock?advance=SECONDS moves the clock
 * forward first (a test's way to let days pass). */
static int sf_clock(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
                    struct sf_err *e)
{
	char *arg = sf_req_arg(rq, "advance"), now[40];
	int64_t n = 0;

	if (arg && (ferry_parse_i64(arg, &n) < 0 || n < 0 ||
	            n > (int64_t)3650 * 86400)) {
		free(arg);
		return sf_err_set(e, 400, "INVALID_ARGUMENT",
		                  "advance wants seconds from 0 to 3650 days");
	}
	free(arg);
	if (!strcmp(rq->method, "POST"))
		sf_org_clock_advance(sb->org, n);
	sf_format_time(sf_org_now(sb->org), now, sizeof(now));
	out->json = json_pack("{s:s,s:I}", "now", now, "writes",
	                      (json_int_t)sb->stats.writes);
	return 0;
}

/* --- routing --- */

/* Patterns are relative to /services/data/vXX.X; "*" captures a segment
 * into params[]. */
static const struct route {
	const char *method, *pattern;
	sf_handler_fn fn;
} routes[] = {
    {"GET", "", sf_h_resources},
    {"GET", "/sobjects", sf_h_describe_global},
    {"GET", "/sobjects/*", sf_h_sobject},
    {"POST", "/sobjects/*", sf_h_record_create},
    {"GET", "/sobjects/*/describe", sf_h_describe},
    {"GET", "/sobjects/*/updated", sf_h_updated},
    {"GET", "/sobjects/*/deleted", sf_h_deleted},
    {"PATCH", "/sobjects/*/*", sf_h_record_update},
    {"DELETE", "/sobjects/*/*", sf_h_record_delete},
    {"GET", "/query", sf_h_query},
    {"GET", "/queryAll", sf_h_query_all},
    {"GET", "/query/*", sf_h_query_more},
    {"GET", "/queryAll/*", sf_h_query_more},
    {"GET", "/limits", sf_h_limits},
    {"GET", "/limits/recordCount", sf_h_record_count},
    {"GET", "/tooling/query", sf_h_tooling_query},
    {"GET", "/tooling/query/*", sf_h_tooling_query_more},
    {"GET", "/tooling/sobjects", sf_h_tooling_describe_global},
    {"GET", "/tooling/sobjects/*/describe", sf_h_tooling_describe},
    {"POST", "/jobs/query", sf_h_job_create},
    {"GET", "/jobs/query", sf_h_job_list},
    {"GET", "/jobs/query/*", sf_h_job_get},
    {"PATCH", "/jobs/query/*", sf_h_job_patch},
    {"DELETE", "/jobs/query/*", sf_h_job_delete},
    {"GET", "/jobs/query/*/results", sf_h_job_results},
    {"GET", "/jobs/query/*/resultPages", sf_h_job_result_pages},
    {"GET", "/jobs/query/*/resultpages", sf_h_job_result_pages},
};

/* Matches `path` against pattern; the captured segments go to params[]
 * and lens[], their number to *n_out. */
static bool match(const char *pattern, const char *path, const char **params,
                  size_t *lens, size_t *n_out)
{
	size_t n = 0;
	const char *p = path;

	while (*pattern) {
		size_t plen = strcspn(pattern + 1, "/") + 1, slen;

		if (*p != '/')
			return false;
		slen = strcspn(p + 1, "/") + 1;
		if (plen == 2 && pattern[1] == '*') {
			if (slen == 1 || n >= 3)
				return false;
			params[n] = p + 1;
			lens[n++] = slen - 1;
		} else if (plen != slen || strncmp(pattern, p, plen)) {
			return false;
		}
		pattern += plen;
		p += slen;
	}
	*n_out = n;
	return *p == '\0';
}

static int route(struct sf_sb *sb, struct sf_req *rq, const char *rest,
                 struct sf_reply *out, struct sf_err *e)
{
	char *path = ferry_xstrdup(rest), *caps[3] = {NULL, NULL, NULL};
	const char *params[3];
	size_t lens[3], i, j, n = strlen(path), n_caps = 0;
	bool path_known = false;
	int rc = -1;

	/* "/sobjects/Account/updated/" is how the docs spell it */
	if (n > 0 && path[n - 1] == '/')
		path[n - 1] = '\0';
	for (i = 0; i < FERRY_ARRAY_LEN(routes); i++) {
		if (!match(routes[i].pattern, path, params, lens, &n_caps))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, rq->method))
			continue;
		for (j = 0; j < n_caps; j++) {
			caps[j] = ferry_xstrndup(params[j], lens[j]);
			rq->params[j] = caps[j];
		}
		rc = routes[i].fn(sb, rq, out, e);
		goto done;
	}
	if (path_known)
		sf_err_set(e, 405, "METHOD_NOT_ALLOWED",
		           "HTTP Method '%s' not allowed. Allowed are GET,HEAD",
		           rq->method);
	else
		sf_err_set(e, 404, "NOT_FOUND",
		           "The requested resource does not exist");
done:
	for (j = 0; j < 3; j++) {
		free(caps[j]);
		rq->params[j] = NULL;
	}
	free(path);
	return rc;
}

/* --- the pipeline --- */

static json_t *err_json(const struct sf_err *e)
{
	char msg[sizeof(e->message)];
	size_t n = strnlen(e->message, sizeof(e->message) - 1), bad;

	/* messages quote the request, which need not be UTF-8 */
	memcpy(msg, e->message, n);
	msg[n] = '\0';
	while (!ferry_utf8_valid(msg, n, &bad))
		msg[bad] = '?';
	return json_pack("[{s:s,s:s}]", "message", msg, "errorCode",
	                 e->code ? e->code : "UNKNOWN_EXCEPTION");
}

static double draw(struct sf_sb *sb)
{
	uint64_t z = (sb->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (double)(z >> 11) * 0x1.0p-53;
}

/* "vNN.N/rest" → version "NN.N" and rest; false if not a version. */
static bool split_version(const char *p, char *version, size_t vlen,
                          const char **rest, bool *known)
{
	size_t n = strcspn(p, "/");
	int64_t major;
	char buf[16];

	*known = false;
	if (n < 2 || n >= sizeof(buf) || n - 1 >= vlen)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	snprintf(version, vlen, "%s", buf + 1);
	*rest = p + n;
	if (buf[0] != 'v' || n < 4 || strcmp(buf + n - 2, ".0"))
		return true;
	buf[n - 2] = '\0';
	*known = ferry_parse_i64(buf + 1, &major) == 0 &&
	         major >= SF_VERSION_MIN && major <= SF_VERSION_MAX &&
	         buf[1] != '0' && buf[1] != '+';
	return true;
}

static int api(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out,
               struct sf_err *e)
{
	const char *rest = "";
	bool known;

	if (!split_version(rq->path + strlen("/services/data/"), rq->version,
	                   sizeof(rq->version), &rest, &known))
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	out->limit_info = true;
	if (sb->opts->drop_rate > 0 && draw(sb) < sb->opts->drop_rate) {
		sb->stats.faults_injected++;
		out->drop = true;
		return sf_err_set(e, 503, "SERVER_UNAVAILABLE", "dropped");
	}
	if (sb->opts->fail_rate > 0 && draw(sb) < sb->opts->fail_rate) {
		sb->stats.faults_injected++;
		return sf_err_set(e, 503, "SERVER_UNAVAILABLE",
		                  "Server temporarily unavailable (injected "
		                  "by ferry-sandbox --fail-rate)");
	}
	if (sf_oauth_check(sb, rq->authorization, e) < 0)
		return -1;
	if (sb->api_used >= sb->opts->api_limit)
		return sf_err_set(e, 403, "REQUEST_LIMIT_EXCEEDED",
		                  "TotalRequests Limit exceeded.");
	sb->api_used++;
	sb->stats.api_requests++;
	if (!known)
		return sf_err_set(e, 404, "NOT_FOUND",
		                  "The requested resource does not exist");
	if (rq->too_big)
		return sf_err_set(e, 413, "REQUEST_ENTITY_TOO_LARGE",
		                  "The request body is too large.");
	return route(sb, rq, rest, out, e);
}

void sf_handle(struct sf_sb *sb, struct sf_req *rq, struct sf_reply *out)
{
	struct sf_err e;
	int rc;

	memset(&e, 0, sizeof(e));
	memset(out, 0, sizeof(*out));
	out->status = 200;
	sb->clock++;
	if (ferry_str_starts_with(rq->path, "/__sandbox/")) {
		if (!strcmp(rq->path, "/__sandbox/stats") &&
		    !strcmp(rq->method, "GET")) {
			out->json = sf_stats_json(sb);
			return;
		}
		if (!strcmp(rq->path, "/__sandbox/clock") &&
		    (!strcmp(rq->method, "POST") ||
		     !strcmp(rq->method, "GET"))) {
			if (sf_clock(sb, rq, out, &e) == 0)
				return;
			rc = -1;
			goto fail;
		}
		rc = sf_err_set(&e, 404, "NOT_FOUND",
		                "The requested resource does not exist");
		goto fail;
	}
	sb->stats.requests++;
	if (!strcmp(rq->path, "/services/oauth2/token")) {
		sf_oauth_token(sb, rq, out);
		return;
	}
	if (!strcmp(rq->path, "/services/data") ||
	    !strcmp(rq->path, "/services/data/")) {
		if (strcmp(rq->method, "GET")) {
			rc = sf_err_set(&e, 405, "METHOD_NOT_ALLOWED",
			                "HTTP Method '%s' not allowed. Allowed "
			                "are GET,HEAD",
			                rq->method);
			goto fail;
		}
		out->json = sf_versions_json();
		return;
	}
	if (ferry_str_starts_with(rq->path, "/services/data/"))
		rc = api(sb, rq, out, &e);
	else
		rc = sf_err_set(&e, 404, "NOT_FOUND",
		                "The requested resource does not exist");
	if (out->limit_info)
		snprintf(out->limit_value, sizeof(out->limit_value),
		         "api-usage=%lld/%lld", (long long)sb->api_used,
		         (long long)sb->opts->api_limit);
	if (rc == 0)
		return;
fail:
	json_decref(out->json);
	out->json = NULL;
	if (out->stream)
		sf_stream_free(out->stream);
	out->stream = NULL;
	out->bulk_headers = false;
	out->status = e.status ? e.status : 500;
	out->json = err_json(&e);
}

/* --- options --- */

static int parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi,
                     int64_t *out)
{
	int64_t v;

	if (ferry_parse_i64(s, &v) < 0 || v < lo || v > hi)
		return ferry_error_set(
		    FERRY_EUSAGE,
		    "%s wants a number from %lld to %lld, not "
		    "'%s'",
		    opt, (long long)lo, (long long)hi, s);
	*out = v;
	return 0;
}

static int parse_rate(const char *opt, const char *s, double *out)
{
	double v;

	if (ferry_parse_double(s, &v) < 0 || !(v >= 0.0 && v <= 1.0))
		return ferry_error_set(FERRY_EUSAGE,
		                       "%s wants a fraction from 0 to 1, not "
		                       "'%s'",
		                       opt, s);
	*out = v;
	return 0;
}

static int parse_skew(struct sf_opts *o, const char *s)
{
	const char *eq = strchr(s, '=');
	struct sf_skew *k;

	if (o->n_skew >= SF_MAX_SKEW)
		return ferry_error_set(FERRY_EUSAGE,
		                       "--count-skew given more than %d times",
		                       SF_MAX_SKEW);
	k = &o->skew[o->n_skew];
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(k->object) ||
	    ferry_parse_i64(eq + 1, &k->n) < 0)
		return ferry_error_set(FERRY_EUSAGE,
		                       "--count-skew wants OBJECT=N (e.g. "
		                       "Contact=3), not '%s'",
		                       s);
	snprintf(k->object, sizeof(k->object), "%.*s", (int)(eq - s), s);
	o->n_skew++;
	return 0;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

enum {
	OPT_PORT_FILE = 256,
	OPT_SCALE,
	OPT_SEED,
	OPT_PERSON,
	OPT_DELETED,
	OPT_PAGE,
	OPT_API_LIMIT,
	OPT_POLLS,
	OPT_BULK_MS,
	OPT_EXPIRE,
	OPT_FAIL_RATE,
	OPT_DROP_RATE,
	OPT_SLOW,
	OPT_FAIL_JOB,
	OPT_SKEW,
	OPT_JWT_KEY,
};

static const struct option longopts[] = {
    {"bind", required_argument, NULL, 'b'},
    {"port", required_argument, NULL, 'p'},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"log", required_argument, NULL, 'l'},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"person-accounts", no_argument, NULL, OPT_PERSON},
    {"deleted-every", required_argument, NULL, OPT_DELETED},
    {"page-size", required_argument, NULL, OPT_PAGE},
    {"api-limit", required_argument, NULL, OPT_API_LIMIT},
    {"bulk-polls", required_argument, NULL, OPT_POLLS},
    {"bulk-ms", required_argument, NULL, OPT_BULK_MS},
    {"expire-after", required_argument, NULL, OPT_EXPIRE},
    {"fail-rate", required_argument, NULL, OPT_FAIL_RATE},
    {"drop-rate", required_argument, NULL, OPT_DROP_RATE},
    {"slow-ms", required_argument, NULL, OPT_SLOW},
    {"fail-job", required_argument, NULL, OPT_FAIL_JOB},
    {"count-skew", required_argument, NULL, OPT_SKEW},
    {"jwt-public-key", required_argument, NULL, OPT_JWT_KEY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option into o; 1 for --help, 2 for an unknown option, 3 for a
 * bad value (said on stderr). */
static int parse_opt(struct sf_opts *o, int c, const char **scale,
                     int64_t *seed, int64_t *deleted, bool *person)
{
	int64_t port = 0;
	int rc = 0;

	switch (c) {
	case 'b':
		o->bind = optarg;
		break;
	case 'p':
		rc = parse_i64("--port", optarg, 0, 65535, &port);
		o->port = (int)port;
		break;
	case OPT_PORT_FILE:
		o->port_file = optarg;
		break;
	case 'l':
		o->log_file = optarg;
		break;
	case OPT_SCALE:
		*scale = optarg;
		break;
	case OPT_SEED:
		rc = parse_i64("--seed", optarg, 0, INT64_MAX, seed);
		break;
	case OPT_PERSON:
		*person = true;
		break;
	case OPT_DELETED:
		rc =
		    parse_i64("--deleted-every", optarg, 0, INT64_MAX, deleted);
		break;
	case OPT_PAGE:
		rc =
		    parse_i64("--page-size", optarg, 1, 1000000, &o->page_size);
		break;
	case OPT_API_LIMIT:
		rc = parse_i64("--api-limit", optarg, 0, INT64_MAX / 2,
		               &o->api_limit);
		break;
	case OPT_POLLS:
		rc = parse_i64("--bulk-polls", optarg, 0, 1000000,
		               &o->bulk_polls);
		break;
	case OPT_BULK_MS:
		rc = parse_i64("--bulk-ms", optarg, 0, 3600000, &o->bulk_ms);
		break;
	case OPT_EXPIRE:
		rc = parse_i64("--expire-after", optarg, 0, INT64_MAX / 2,
		               &o->expire_after);
		break;
	case OPT_FAIL_RATE:
		rc = parse_rate("--fail-rate", optarg, &o->fail_rate);
		break;
	case OPT_DROP_RATE:
		rc = parse_rate("--drop-rate", optarg, &o->drop_rate);
		break;
	case OPT_SLOW:
		rc = parse_i64("--slow-ms", optarg, 0, 600000, &o->slow_ms);
		break;
	case OPT_FAIL_JOB:
		o->fail_job = optarg;
		break;
	case OPT_SKEW:
		rc = parse_skew(o, optarg);
		break;
	case OPT_JWT_KEY:
		o->jwt_public_key = optarg;
		break;
	case 'h':
		return 1;
	default:
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "ferry-sandbox salesforce: %s\n",
		        ferry_error_last());
		return 3;
	}
	return 0;
}

int sandbox_salesforce_main(int argc, char **argv)
{
	struct sf_opts o;
	struct sf_sb sb;
	const char *scale = NULL;
	int64_t seed = -1, deleted = -1;
	bool person = false;
	int c, rc = 0;

	memset(&o, 0, sizeof(o));
	o.bind = "127.0.0.1";
	o.page_size = 2000;
	o.api_limit = 15000;
	o.bulk_polls = 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		rc = parse_opt(&o, c, &scale, &seed, &deleted, &person);
		if (rc == 1) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (rc == 2)
			fputs(usage_text, stderr);
		if (rc >= 2)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "ferry-sandbox salesforce: unexpected '%s'\n%s",
		        argv[optind], usage_text);
		return 2;
	}
	sf_org_opts_default(&o.org);
	if (scale && sf_org_opts_scale(&o.org, scale) < 0) {
		fprintf(stderr, "ferry-sandbox salesforce: %s\n",
		        ferry_error_last());
		return 2;
	}
	if (seed >= 0)
		o.org.seed = (uint64_t)seed;
	if (deleted >= 0)
		o.org.deleted_every = deleted;
	if (person)
		o.org.person_accounts = true;
	o.client_id = env_or("FERRY_SF_CLIENT_ID", DEFAULT_CLIENT_ID);
	o.client_secret =
	    env_or("FERRY_SF_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
	o.username = DEFAULT_USERNAME;
	o.password = env_or("FERRY_SF_PASSWORD", DEFAULT_PASSWORD);
	o.refresh_token = env_or("FERRY_SF_REFRESH_TOKEN", DEFAULT_REFRESH);
	o.access_token = env_or("FERRY_SF_ACCESS_TOKEN", DEFAULT_ACCESS);
	if ((rc = sf_sb_init(&sb, &o)) < 0 || (rc = sf_http_run(&sb)) < 0)
		fprintf(stderr, "ferry-sandbox salesforce: %s\n",
		        ferry_error_last());
	sf_sb_free(&sb);
	return rc < 0 ? 1 : 0;
}
