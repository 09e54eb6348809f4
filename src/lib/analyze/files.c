/* files.c: the files analyze leaves for people (reports, the draft
 * mapping): each written to a temporary file beside it, flushed and
 * renamed into place, so a reader never sees half a report and a crash
 * never leaves a truncated mapping.yaml. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze_int.h"

int an_mkdir(const char *path, int mode)
{
	if (mkdir(path, (mode_t)mode) < 0 && errno != EEXIST)
		return ferry_error_set(FERRY_EIO, "cannot create '%s': %s",
		                       path, strerror(errno));
	return 0;
}

int an_write_file(const char *path, const char *data, size_t len, int mode)
{
	char *tmp = ferry_xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t off = 0;
	ssize_t n;
	int fd, error = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		error = ferry_error_set(FERRY_EIO, "cannot create '%s': %s",
		                        tmp, strerror(errno));
		goto done;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error =
			    ferry_error_set(FERRY_EIO, "cannot write '%s': %s",
			                    tmp, strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		error = ferry_error_set(FERRY_EIO, "cannot write '%s': %s", tmp,
		                        strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = ferry_error_set(FERRY_EIO, "cannot write '%s': %s", tmp,
		                        strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		error =
		    ferry_error_set(FERRY_EIO, "cannot rename '%s' to '%s': %s",
		                    tmp, path, strerror(errno));
done:
	if (fd >= 0)
		close(fd);
	if (error < 0)
		unlink(tmp);
	free(tmp);
	return error;
}

int an_read_file(const char *path, struct ferry_buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return ferry_error_set(FERRY_ENOTFOUND,
			                       "'%s' does not exist", path);
		return ferry_error_set(FERRY_EIO, "cannot open '%s': %s", path,
		                       strerror(errno));
	}
	ferry_buf_clear(out);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error =
			    ferry_error_set(FERRY_EIO, "cannot read '%s': %s",
			                    path, strerror(errno));
			break;
		}
		if ((error = ferry_buf_put(out, chunk, (size_t)n)) < 0) {
			ferry_error_wrap(error, "reading '%s'", path);
			break;
		}
	}
	close(fd);
	return error;
}
