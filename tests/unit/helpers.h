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

#endif
