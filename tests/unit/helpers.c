/* helpers.c: scratch folders, child processes and the sandbox for tests. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "ferry/alloc.h"
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
