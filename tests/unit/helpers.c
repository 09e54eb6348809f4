/* helpers.c: scratch folders, child processes and the sandbox for tests. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "helpers.h"
#include "server.h"
#include "ferry/alloc.h"
#include "ferry/attio.h"
#include "ferry/clock.h"
#include "ferry/strparse.h"

static void mkdirs(const char *path)
{
	char *p = ferry_xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	}
	mkdir(p, 0700);
	free(p);
}

char *test_tmpdir(const char *name)
{
	const char *base = getenv("FERRY_TEST_TMP");
	static unsigned seq;
	char *dir, *cmd;

	if (!base || !*base)
		base = "/tmp/ferry-tests";
	dir =
	    ferry_xasprintf("%s/%s-%ld-%u", base, name, (long)getpid(), seq++);
	cmd = ferry_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fail_msg("cannot clear %s", dir);
	free(cmd);
	mkdirs(dir);
	return dir;
}

char *test_write_file(const char *dir, const char *name, const char *data,
                      size_t len)
{
	char *path = ferry_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

int test_read_file(struct ferry_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ferry_buf_put(out, chunk, n) < 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

int test_run(struct ferry_buf *out, const char *cwd, const char *const *env,
             const char *const *argv)
{
	int pipefd[2], status;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		size_t i;

		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (cwd && chdir(cwd) < 0)
			_exit(126);
		for (i = 0; env && env[i]; i++)
			putenv(ferry_xstrdup(env[i]));
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0 ||
	       (n < 0 && errno == EINTR))
		if (n > 0 && out && ferry_buf_put(out, chunk, (size_t)n) < 0)
			break;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *env_or_fail(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v)
		fail_msg("%s is not set; run the tests through ctest", name);
	return v;
}

const char *test_ferry_bin(void)
{
	return env_or_fail("FERRY_BIN");
}

const char *test_sandbox_bin(void)
{
	return env_or_fail("FERRY_SANDBOX_BIN");
}

const char *test_source_dir(void)
{
	return env_or_fail("FERRY_SOURCE_DIR");
}

int test_sandbox_start(struct test_sandbox *sb, const char *kind,
                       const char *const *extra)
{
	const char *argv[64];
	char *tmp = test_tmpdir("sandbox");
	char *portfile = ferry_xasprintf("%s/port", tmp);
	char *logfile = ferry_xasprintf("%s/requests.log", tmp);
	size_t n = 0, i;
	int tries;

	memset(sb, 0, sizeof(*sb));
	snprintf(sb->dir, sizeof(sb->dir), "%s", tmp);
	argv[n++] = test_sandbox_bin();
	argv[n++] = kind;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	argv[n++] = "--log";
	argv[n++] = logfile;
	for (i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;

	sb->pid = fork();
	if (sb->pid == 0) {
		setenv("FERRY_SANDBOX_TOKEN", TEST_SANDBOX_TOKEN, 1);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	for (tries = 0; tries < 500; tries++) {
		struct ferry_buf b = FERRY_BUF_INIT;
		int64_t port = 0;

		if (test_read_file(&b, portfile) == 0 && b.len > 0 &&
		    b.ptr[b.len - 1] == '\n') {
			b.ptr[b.len - 1] = '\0';
			if (ferry_parse_i64(b.ptr, &port) == 0 && port > 0) {
				sb->port = (int)port;
				snprintf(sb->url, sizeof(sb->url),
				         "http://127.0.0.1:%d", sb->port);
				ferry_buf_release(&b);
				break;
			}
		}
		ferry_buf_release(&b);
		if (waitpid(sb->pid, NULL, WNOHANG) == sb->pid) {
			sb->pid = 0;
			break;
		}
		ferry_clock_sleep_us(10000);
	}
	free(tmp);
	free(portfile);
	free(logfile);
	return sb->port > 0 ? 0 : -1;
}

void test_sandbox_stop(struct test_sandbox *sb)
{
	if (sb->pid > 0) {
		kill(sb->pid, SIGTERM);
		waitpid(sb->pid, NULL, 0);
		sb->pid = 0;
	}
}

/* ---- the scripted HTTP server ------------------------------------------ */

struct test_http_server {
	struct MHD_Daemon *d;
	char url[64];
	test_http_handler fn;
	void *ctx;
	pthread_mutex_t mu;
	struct test_http_request *seen;
	size_t n_seen, cap_seen;
};

/* One request in flight: its raw target, headers and body so far. */
struct http_pending {
	char *uri;
	struct ferry_buf body;
	bool started; /* the first call (headers only) has been seen */
};

static void *http_uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_pending *p = ferry_xcalloc(1, sizeof(*p));

	(void)cls;
	(void)c;
	p->uri = ferry_xstrdup(uri ? uri : "");
	ferry_buf_init(&p->body, 16 << 20);
	return p;
}

static enum MHD_Result http_header_it(void *cls, enum MHD_ValueKind kind,
                                      const char *key, const char *value)
{
	struct ferry_buf *b = cls;

	(void)kind;
	if (ferry_buf_printf(b, "%s: %s\n", key, value ? value : "") < 0)
		return MHD_NO;
	return MHD_YES;
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *c,
                                    const char *url, const char *method,
                                    const char *version, const char *upload,
                                    size_t *upload_size, void **con_cls)
{
	struct test_http_server *s = cls;
	struct http_pending *p = *con_cls;
	struct test_http_request *rec;
	struct test_http_answer ans;
	struct ferry_buf hdrs = FERRY_BUF_INIT;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *line, *next, *colon;

	(void)version;
	if (!p)
		return MHD_NO;
	if (!p->started) {
		p->started = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (ferry_buf_put(&p->body, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	MHD_get_connection_values(c, MHD_HEADER_KIND, http_header_it, &hdrs);

	pthread_mutex_lock(&s->mu);
	if (s->n_seen == s->cap_seen) {
		s->cap_seen = s->cap_seen ? s->cap_seen * 2 : 16;
		s->seen =
		    ferry_xrealloc(s->seen, s->cap_seen * sizeof(*s->seen));
	}
	rec = &s->seen[s->n_seen++];
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->method, sizeof(rec->method), "%s", method);
	rec->uri = ferry_xstrdup(p->uri);
	rec->path = ferry_xstrdup(url);
	rec->headers = ferry_xstrdup(hdrs.ptr);
	rec->body = ferry_xstrndup(p->body.ptr, p->body.len);
	rec->body_len = p->body.len;
	memset(&ans, 0, sizeof(ans));
	ans.status = 200;
	ferry_buf_init(&ans.body, 64 << 20);
	ferry_buf_init(&ans.headers, 1 << 20);
	s->fn(s->ctx, rec, &ans);
	pthread_mutex_unlock(&s->mu);
	ferry_buf_release(&hdrs);

	r = MHD_create_response_from_buffer(ans.body.len, ans.body.ptr,
	                                    MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type",
	                        ans.content_type ? ans.content_type
	                                         : "application/json");
	for (line = ans.headers.ptr; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon++ = '\0';
		while (*colon == ' ')
			colon++;
		MHD_add_response_header(r, line, colon);
	}
	ret = MHD_queue_response(c, ans.status, r);
	MHD_destroy_response(r);
	ferry_buf_release(&ans.body);
	ferry_buf_release(&ans.headers);
	return ret;
}

static void http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
	struct http_pending *p = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (p) {
		free(p->uri);
		ferry_buf_release(&p->body);
		free(p);
		*con_cls = NULL;
	}
}

struct test_http_server *test_http_start(test_http_handler fn, void *ctx)
{
	struct test_http_server *s = ferry_xcalloc(1, sizeof(*s));
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;

	s->fn = fn;
	s->ctx = ctx;
	pthread_mutex_init(&s->mu, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	    NULL, NULL, http_handler, s, MHD_OPTION_SOCK_ADDR, &sin,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, s,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, s, MHD_OPTION_END);
	assert_non_null(s->d);
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u",
	         (unsigned)info->port);
	return s;
}

void test_http_stop(struct test_http_server *s)
{
	size_t i;

	if (!s)
		return;
	MHD_stop_daemon(s->d);
	for (i = 0; i < s->n_seen; i++) {
		free(s->seen[i].uri);
		free(s->seen[i].path);
		free(s->seen[i].headers);
		free(s->seen[i].body);
	}
	free(s->seen);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

const char *test_http_url(const struct test_http_server *s)
{
	return s->url;
}

size_t test_http_count(struct test_http_server *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->n_seen;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const struct test_http_request *test_http_seen(struct test_http_server *s,
                                               size_t i)
{
	const struct test_http_request *r;

	pthread_mutex_lock(&s->mu);
	r = i < s->n_seen ? &s->seen[i] : NULL;
	pthread_mutex_unlock(&s->mu);
	return r;
}

char *test_http_header(const struct test_http_request *r, const char *name,
                       char *out, size_t outlen)
{
	size_t n = strlen(name);
	const char *line, *end;

	out[0] = '\0';
	for (line = r->headers; line && *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if ((size_t)(end - line) > n + 1 && line[n] == ':' &&
		    strncasecmp(line, name, n) == 0) {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			snprintf(out, outlen, "%.*s", (int)(end - v), v);
		}
	}
	return out;
}

/* ---- a fake Salesforce -------------------------------------------------- */

bool test_form_get(const char *body, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), o = 0;
	const char *p = body, *v, *end;

	out[0] = '\0';
	while (p && *p) {
		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && p[nlen] == '=' &&
		    strncmp(p, name, nlen) == 0) {
			for (v = p + nlen + 1; v < end && o + 1 < outlen; v++) {
				if (*v == '+') {
					out[o++] = ' ';
				} else if (*v == '%' && end - v > 2 &&
				           sandbox_hexval(v[1]) >= 0 &&
				           sandbox_hexval(v[2]) >= 0) {
					out[o++] =
					    (char)(sandbox_hexval(v[1]) * 16 +
					           sandbox_hexval(v[2]));
					v += 2;
				} else {
					out[o++] = *v;
				}
			}
			out[o] = '\0';
			return true;
		}
		p = *end ? end + 1 : end;
	}
	return false;
}

static void sf_fake_error(struct test_http_answer *a, unsigned status,
                          const char *code, const char *msg)
{
	a->status = status;
	if (ferry_buf_printf(&a->body,
	                     "[{\"message\":\"%s\",\"errorCode\":\"%s\"}]", msg,
	                     code) < 0)
		fail_msg("fake answer too long");
}

static bool field_is(const char *body, const char *name, const char *want)
{
	char v[4096];

	if (!want)
		return true;
	return test_form_get(body, name, v, sizeof(v)) && strcmp(v, want) == 0;
}

static void sf_fake_token(void *ctx, const struct test_http_request *req,
                          struct test_http_answer *a)
{
	struct test_sf_fake *f = ctx;
	char grant[256];
	bool ok;

	if (strcmp(req->path, "/services/oauth2/token") != 0 ||
	    strcmp(req->method, "POST") != 0) {
		sf_fake_error(a, 404, "NOT_FOUND", "no such resource");
		return;
	}
	if (f->token_status) {
		a->status = f->token_status;
		if (ferry_buf_puts(&a->body,
		                   f->token_body ? f->token_body : "") < 0)
			fail_msg("fake answer too long");
		return;
	}
	test_form_get(req->body, "grant_type", grant, sizeof(grant));
	if (strcmp(grant, "client_credentials") == 0)
		ok = field_is(req->body, "client_id", f->client_id) &&
		     field_is(req->body, "client_secret", f->client_secret);
	else if (strcmp(grant, "refresh_token") == 0)
		ok = field_is(req->body, "client_id", f->client_id) &&
		     field_is(req->body, "refresh_token", f->refresh_token);
	else if (strcmp(grant, "password") == 0)
		ok = field_is(req->body, "client_id", f->client_id) &&
		     field_is(req->body, "client_secret", f->client_secret) &&
		     field_is(req->body, "username", f->username) &&
		     field_is(req->body, "password", f->password);
	else
		ok = strcmp(grant,
		            "urn:ietf:params:oauth:grant-type:jwt-bearer") == 0;
	if (!ok) {
		a->status = 400;
		if (ferry_buf_puts(&a->body,
		                   "{\"error\":\"invalid_grant\","
		                   "\"error_description\":\"authentication "
		                   "failure\"}") < 0)
			fail_msg("fake answer too long");
		return;
	}
	if (strcmp(grant, "refresh_token") == 0 && f->rotate_to)
		f->refresh_token = f->rotate_to;
	f->tokens++;
	f->uses = 0;
	if (ferry_buf_printf(
	        &a->body,
	        "{\"access_token\":\"tok-%d\",%s%s%s\"instance_url\":\"%s\","
	        "\"id\":\"%s\",\"token_type\":\"Bearer\",\"issued_at\":%s,"
	        "\"signature\":\"c2ln\"}",
	        f->tokens,
	        strcmp(grant, "refresh_token") == 0 && f->rotate_to
	            ? "\"refresh_token\":\""
	            : "",
	        strcmp(grant, "refresh_token") == 0 && f->rotate_to
	            ? f->rotate_to
	            : "",
	        strcmp(grant, "refresh_token") == 0 && f->rotate_to ? "\","
	                                                            : "",
	        f->instance_url ? f->instance_url : test_http_url(f->inst),
	        f->id_url ? f->id_url
	                  : "https://login.salesforce.com/id/"
	                    "00Dxx0000001gPLEAY/005xx000001SwiUAAS",
	        f->issued_at ? f->issued_at : "\"1699999999999\"") < 0)
		fail_msg("fake answer too long");
}

static void sf_fake_api(void *ctx, const struct test_http_request *req,
                        struct test_http_answer *a)
{
	struct test_sf_fake *f = ctx;
	char auth[256], want[64];
	size_t i;

	if (strcmp(req->path, "/services/data/") == 0 ||
	    strcmp(req->path, "/services/data") == 0) {
		if (ferry_buf_puts(
		        &a->body,
		        f->versions
		            ? f->versions
		            : "[{\"label\":\"Summer '25\",\"url\":"
		              "\"/services/data/v64.0\",\"version\":\"64.0\"},"
		              "{\"label\":\"Winter '26\",\"url\":"
		              "\"/services/data/v65.0\",\"version\":\"65.0\"},"
		              "{\"label\":\"Spring '26\",\"url\":"
		              "\"/services/data/"
		              "v66.0\",\"version\":\"66.0\"}]") < 0)
			fail_msg("fake answer too long");
		return;
	}
	if (f->limit_info &&
	    ferry_buf_printf(&a->headers, "Sforce-Limit-Info: %s\n",
	                     f->limit_info) < 0)
		fail_msg("fake answer too long");
	test_http_header(req, "Authorization", auth, sizeof(auth));
	snprintf(want, sizeof(want), "Bearer tok-%d", f->tokens);
	if (f->tokens == 0 || strcmp(auth, want) != 0 ||
	    (f->expire_after > 0 && f->uses >= f->expire_after)) {
		sf_fake_error(a, 401, "INVALID_SESSION_ID",
		              "Session expired or invalid");
		return;
	}
	f->uses++;
	for (i = 0; i < f->n_answers; i++) {
		const struct test_sf_answer *ans = &f->answers[i];

		if (!ferry_str_starts_with(req->uri, ans->path_prefix))
			continue;
		a->status = ans->status ? ans->status : 200;
		if (ferry_buf_puts(&a->body, ans->body ? ans->body : "") < 0)
			fail_msg("fake answer too long");
		return;
	}
	if (ferry_buf_puts(&a->body, "{}") < 0)
		fail_msg("fake answer too long");
}

void test_sf_fake_start(struct test_sf_fake *f)
{
	f->tokens = 0;
	f->uses = 0;
	f->inst = test_http_start(sf_fake_api, f);
	f->login = test_http_start(sf_fake_token, f);
}

void test_sf_fake_stop(struct test_sf_fake *f)
{
	test_http_stop(f->login);
	test_http_stop(f->inst);
	f->login = NULL;
	f->inst = NULL;
}

/* ---- the Attio sandbox most client tests share ---------------------- */

struct test_sandbox test_attio_sb;

int test_attio_up(void **state)
{
	static const char *const extra[] = {"--write-rate", "0", "--read-rate",
	                                    "0", NULL};

	FERRY_UNUSED(state);
	return test_sandbox_start(&test_attio_sb, "attio", extra);
}

int test_attio_down(void **state)
{
	FERRY_UNUSED(state);
	test_sandbox_stop(&test_attio_sb);
	return 0;
}

struct ferry_attio *test_attio_client(const char *url, int attempts)
{
	struct ferry_attio *a = NULL;
	struct ferry_http_opts o;

	memset(&o, 0, sizeof(o));
	o.base_url = url;
	o.token = TEST_SANDBOX_TOKEN;
	o.name = "Attio";
	o.max_attempts = attempts;
	o.backoff_base_ms = 5;
	o.backoff_max_ms = 10;
	o.write_rate = 1e6;
	o.read_rate = 1e6;
	assert_int_equal(ferry_attio_new(&a, &o), 0);
	return a;
}
