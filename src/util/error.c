/* error.c: the per-thread error slot behind errors.h. One message per
 * thread, replaced by each ferry_error_set() and extended by wrap(). */
#include <stdarg.h>

#include "util.h"

#define ERROR_MAX 2048

static _Thread_local char error_msg[ERROR_MAX];
static _Thread_local int error_code;

int ferry_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	error_code = code;
	return code;
}

int ferry_error_wrap(int code, const char *fmt, ...)
{
	char old[ERROR_MAX];
	size_t len;
	va_list ap;

	memcpy(old, error_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	/* "<prefix>: <old message>", cut at the slot's size. */
	len = strlen(error_msg);
	if (old[0] && len + 2 < sizeof(error_msg)) {
		size_t room = sizeof(error_msg) - len - 2 - 1;
		size_t oldlen = strnlen(old, room);

		memcpy(error_msg + len, ": ", 2);
		memcpy(error_msg + len + 2, old, oldlen);
		error_msg[len + 2 + oldlen] = '\0';
	}
	error_code = code;
	return code;
}

const char *ferry_error_last(void)
{
	return error_msg;
}

int ferry_error_code(void)
{
	return error_code;
}

void ferry_error_clear(void)
{
	error_msg[0] = '\0';
	error_code = 0;
}

const char *ferry_error_name(int code)
{
	switch (code) {
	case FERRY_OK:
		return "ok";
	case FERRY_ENOTFOUND:
		return "not found";
	case FERRY_EEXISTS:
		return "already exists";
	case FERRY_EINVALID:
		return "invalid input";
	case FERRY_ETOOBIG:
		return "too big";
	case FERRY_ECONFIG:
		return "configuration error";
	case FERRY_EAUTH:
		return "authentication failed";
	case FERRY_ECONN:
		return "connection failed";
	case FERRY_ERATELIMIT:
		return "rate limited";
	case FERRY_ETIMEOUT:
		return "timed out";
	case FERRY_EHTTP:
		return "remote error";
	case FERRY_EDB:
		return "workspace database error";
	case FERRY_EIO:
		return "i/o error";
	case FERRY_ECONFLICT:
		return "conflict";
	case FERRY_EUSAGE:
		return "usage error";
	case FERRY_EHALTED:
		return "halted";
	default:
		return "error";
	}
}
