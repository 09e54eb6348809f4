/* buf.h: the one string buffer. Invariants (after git's strbuf and curl's
 * dynbuf): `ptr` is never NULL (FERRY_BUF_INIT points at a shared empty
 * string), the contents are always NUL-terminated, embedded NULs are
 * allowed, and a buffer has a hard maximum size fixed at init: an append
 * that would pass it fails with FERRY_ETOOBIG and leaves the buffer as it
 * was. ferry_buf_detach() is the only way to take the memory. */
#ifndef FERRY_BUF_H
#define FERRY_BUF_H

#include <stdarg.h>

#include "ferry/common.h"

struct ferry_buf {
	char *ptr;    /* NUL-terminated, never NULL */
	size_t len;   /* bytes used, excluding the NUL */
	size_t alloc; /* bytes allocated; 0 while ptr is the shared "" */
	size_t max;   /* the cap on len; 0 means FERRY_BUF_DEFAULT_MAX */
};

extern char ferry_buf__empty[];
#define FERRY_BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)
#define FERRY_BUF_INIT                                                         \
	{                                                                      \
		ferry_buf__empty, 0, 0, 0                                      \
	}

void ferry_buf_init(struct ferry_buf *b, size_t max);
/* Frees the memory; the buffer is FERRY_BUF_INIT again (cap kept). */
void ferry_buf_release(struct ferry_buf *b);
/* Empties the buffer but keeps its memory. */
void ferry_buf_clear(struct ferry_buf *b);
/* Hands the string to the caller (who frees it) and resets the buffer. */
char *ferry_buf_detach(struct ferry_buf *b, size_t *len_out);

int ferry_buf_put(struct ferry_buf *b, const void *data,
                  size_t len) FERRY_WARN_UNUSED;
int ferry_buf_puts(struct ferry_buf *b, const char *s) FERRY_WARN_UNUSED;
int ferry_buf_putc(struct ferry_buf *b, char c) FERRY_WARN_UNUSED;
int ferry_buf_printf(struct ferry_buf *b, const char *fmt, ...)
    FERRY_PRINTF(2, 3) FERRY_WARN_UNUSED;
int ferry_buf_vprintf(struct ferry_buf *b, const char *fmt, va_list ap)
    FERRY_PRINTF(2, 0) FERRY_WARN_UNUSED;
/* Makes room for `extra` more bytes without changing len. */
int ferry_buf_grow(struct ferry_buf *b, size_t extra) FERRY_WARN_UNUSED;
/* Appends `s` percent-encoded: every byte but RFC 3986's unreserved
 * characters (A-Z a-z 0-9 - . _ ~) becomes %XX. For URL paths, query
 * values and form bodies. */
int ferry_buf_put_urlencoded(struct ferry_buf *b, const char *s)
    FERRY_WARN_UNUSED;
/* Shortens to `len` bytes (no-op if already shorter). */
void ferry_buf_truncate(struct ferry_buf *b, size_t len);

#endif
