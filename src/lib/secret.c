/* secret.c: the secrets ferry.yaml names: an environment variable, else a
 * NAME=value line in a credentials file that only its owner may read.
 * Buffers that held a secret are wiped before they are freed, and no
 * message ever contains a secret's value. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/config.h"

#define CREDENTIALS_MAX ((size_t)64 * 1024)

/* Overwrites memory that held secrets before it is freed (a plain memset
 * before free may be optimised away). */
static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

int ferry_secret_file_read(struct ferry_buf *out, const char *path,
                           const char *what)
{
	char chunk[4096];
	struct stat st;
	ssize_t n;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ferry_error_set(FERRY_ECONFIG, "cannot read %s '%s': %s",
		                       what, path, strerror(errno));
	/* The checks are made on the open descriptor, so the file cannot
	 * be swapped between the check and the read. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error = ferry_error_set(
		    FERRY_ECONFIG, "%s '%s' is not a regular file", what, path);
		goto done;
	}
	if (st.st_mode & 077) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "%s '%s' is readable by others (mode "
		                        "%04o): run chmod 600 '%s'",
		                        what, path,
		                        (unsigned)(st.st_mode & 07777), path);
		goto done;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = ferry_error_set(FERRY_ECONFIG,
			                        "cannot read %s '%s': %s", what,
			                        path, strerror(errno));
			goto done;
		}
		if (ferry_buf_put(out, chunk, (size_t)n) < 0) {
			error = ferry_error_set(FERRY_ECONFIG,
			                        "%s '%s' is larger than %zu "
			                        "bytes",
			                        what, path, out->max);
			goto done;
		}
	}
done:
	wipe(chunk, sizeof(chunk));
	close(fd);
	return error;
}

/* Finds `NAME=value` in the file's text (which it edits in place). Lines
 * may start with `export `; `#` starts a comment line; the value may be
 * quoted with ' or ". */
static bool find_secret(char *text, const char *name, const char **value)
{
	char *line = text, *next, *eq, *key, *v;
	size_t vlen;

	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		key = ferry_str_trim(line);
		if (!*key || *key == '#')
			continue;
		if (ferry_str_starts_with(key, "export "))
			key = ferry_str_trim(key + 7);
		if (!(eq = strchr(key, '=')))
			continue;
		*eq = '\0';
		if (strcmp(ferry_str_trim(key), name))
			continue;
		v = ferry_str_trim(eq + 1);
		vlen = strlen(v);
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vlen - 1] == v[0]) {
			v[vlen - 1] = '\0';
			v++;
		}
		*value = v;
		return true;
	}
	return false;
}

int ferry_config_secret(const struct ferry_config *cfg, const char *name,
                        struct ferry_buf *out)
{
	struct ferry_buf file = FERRY_BUF_INIT;
	const char *value = getenv(name);
	int error = 0;

	if (value && *value) {
		ferry_buf_clear(out);
		return ferry_buf_puts(out, value);
	}
	if (!cfg || !cfg->credentials_file)
		return ferry_error_set(FERRY_ECONFIG,
		                       "environment variable '%s' is not set: "
		                       "export it (or add %s=... to a 0600 "
		                       "credentials file named in ferry.yaml)",
		                       name, name);
	ferry_buf_init(&file, CREDENTIALS_MAX);
	if ((error = ferry_secret_file_read(&file, cfg->credentials_file,
	                                    "credentials file")) < 0)
		goto done;
	value = NULL;
	if (!find_secret(file.ptr, name, &value) || !*value) {
		error =
		    ferry_error_set(FERRY_ECONFIG,
		                    "environment variable '%s' is not set "
		                    "and credentials file '%s' has no %s= "
		                    "line: export it or add %s=... there",
		                    name, cfg->credentials_file, name, name);
		goto done;
	}
	ferry_buf_clear(out);
	error = ferry_buf_puts(out, value);
done:
	if (file.alloc)
		wipe(file.ptr, file.alloc);
	ferry_buf_release(&file);
	return error;
}
