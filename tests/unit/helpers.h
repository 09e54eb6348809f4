/* helpers.h: what the unit tests share: scratch folders, running the real
 * binaries, and a sandbox started on an ephemeral port. Include after
 * <cmocka.h>'s prerequisites. */
#ifndef FERRY_TEST_HELPERS_H
#define FERRY_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/types.h>

#include "ferry/buf.h"

/* A new empty folder under $FERRY_TEST_TMP (or /tmp); caller frees. */
char *test_tmpdir(const char *name);
/* Writes `len` bytes to dir/name; returns the path (caller frees). */
char *test_write_file(const char *dir, const char *name, const char *data,
                      size_t len);
/* Reads a whole file into `out`; 0 or -1. */
int test_read_file(struct ferry_buf *out, const char *path);

/* Runs argv[0] (a path) with argv in `cwd`, with `env` (NULL-terminated
 * "NAME=value" list added to the environment; may be NULL); captures
 * stdout and stderr together into `out` (may be NULL). Returns the exit
 * status, or -1 if it did not exit normally. */
int test_run(struct ferry_buf *out, const char *cwd, const char *const *env,
             const char *const *argv);

/* $FERRY_BIN and $FERRY_SANDBOX_BIN, set by ctest. */
const char *test_ferry_bin(void);
const char *test_sandbox_bin(void);
/* $FERRY_SOURCE_DIR: the repository. */
const char *test_source_dir(void);

struct test_sandbox {
	pid_t pid;
	int port;
	char url[64];   /* http://127.0.0.1:PORT */
	char dir[1024]; /* its scratch folder (port file, log) */
};
#define TEST_SANDBOX_TOKEN "test-token"
/* Starts `ferry-sandbox <kind> --port 0 --port-file ... <extra...>` with
 * FERRY_SANDBOX_TOKEN=TEST_SANDBOX_TOKEN and waits for its port file. */
int test_sandbox_start(struct test_sandbox *sb, const char *kind,
                       const char *const *extra);
void test_sandbox_stop(struct test_sandbox *sb);

/* The Attio sandbox (no rate limit) the client tests share: cmocka
 * setup and teardown for test_attio_sb; test_attio_client() makes a
 * client of `url` with the sandbox token, `attempts` tries (0: the
 * default), a short backoff and no client-side rate limit. */
extern struct test_sandbox test_attio_sb;
int test_attio_up(void **state);
int test_attio_down(void **state);
struct ferry_attio;
struct ferry_attio *test_attio_client(const char *url, int attempts);

/* A scripted HTTP server inside the test (libmicrohttpd on 127.0.0.1, an
 * ephemeral port, plain http). The handler decides every answer, one
 * request at a time; every request is recorded as it was sent. */
struct test_http_request {
	char method[16];
	char *uri;     /* the request target as sent: path and raw query */
	char *path;    /* the path, as libmicrohttpd decoded it */
	char *headers; /* "Name: value\n" for each request header */
	char *body;    /* NUL-terminated */
	size_t body_len;
};
struct test_http_answer {
	unsigned status;          /* default 200 */
	struct ferry_buf body;    /* default empty */
	struct ferry_buf headers; /* extra "Name: value\n" lines */
	const char *content_type; /* default application/json */
};
typedef void (*test_http_handler)(void *ctx,
                                  const struct test_http_request *req,
                                  struct test_http_answer *ans);
struct test_http_server;
struct test_http_server *test_http_start(test_http_handler fn, void *ctx);
void test_http_stop(struct test_http_server *s);
/* "http://127.0.0.1:PORT" */
const char *test_http_url(const struct test_http_server *s);
size_t test_http_count(struct test_http_server *s);
/* Request i (0 = the first), valid until the server's next request;
 * NULL if none. */
const struct test_http_request *test_http_seen(struct test_http_server *s,
                                               size_t i);
/* The value of header `name` (case-insensitive) into out; "" if absent.
 * Returns out. */
char *test_http_header(const struct test_http_request *r, const char *name,
                       char *out, size_t outlen);

/* The value of field `name` of an application/x-www-form-urlencoded body,
 * decoded, into out; returns false if the field is absent. */
bool test_form_get(const char *body, const char *name, char *out,
                   size_t outlen);

/* A fake Salesforce for the connector's tests: a login host answering
 * POST /services/oauth2/token and an instance answering GET
 * /services/data/ and, for any other path, the first of `answers` whose
 * path_prefix starts the request target (default 200 {}). Tokens are
 * "tok-1", "tok-2", ...; an API request with another Bearer token, or
 * after `expire_after` uses of the live one, gets 401 INVALID_SESSION_ID. */
struct test_sf_answer {
	const char *path_prefix; /* e.g. "/services/data/v66.0/limits" */
	unsigned status;
	const char *body;
};
struct test_sf_fake {
	struct test_http_server *login, *inst;
	/* What the token endpoint accepts (NULL: anything). */
	const char *client_id, *client_secret, *refresh_token, *username;
	const char *password;
	const char *rotate_to;    /* refresh grants return this new one */
	unsigned token_status;    /* non-zero: answer every token request */
	const char *token_body;   /* ... with this status and body */
	const char *instance_url; /* NULL: the instance's own URL */
	const char *id_url;       /* the token's "id" (NULL: a default) */
	const char *issued_at;    /* the JSON of issued_at (NULL: "ms") */
	const char *versions;     /* NULL: versions 64.0 .. 66.0 */
	int expire_after;         /* API uses per token; 0: unlimited */
	const char *limit_info;   /* Sforce-Limit-Info; NULL: none */
	const struct test_sf_answer *answers;
	size_t n_answers;
	/* Kept by the fake. */
	int tokens; /* issued; the live one is tok-<tokens> */
	int uses;   /* API requests on the live token */
};
void test_sf_fake_start(struct test_sf_fake *f);
void test_sf_fake_stop(struct test_sf_fake *f);

#endif
