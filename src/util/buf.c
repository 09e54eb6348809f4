/* buf.c: the bounded, always-terminated string buffer of buf.h. */
#include <stdarg.h>

#include "util.h"

char ferry_buf__empty[1];

static size_t buf_max(const struct ferry_buf *b)
{
	return b->max ? b->max : FERRY_BUF_DEFAULT_MAX;
}

void ferry_buf_init(struct ferry_buf *b, size_t max)
{
	b->ptr = ferry_buf__empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void ferry_buf_release(struct ferry_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	ferry_buf_init(b, b->max);
}

void ferry_buf_clear(struct ferry_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

char *ferry_buf_detach(struct ferry_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	p = b->alloc ? b->ptr : ferry_xstrdup("");
	ferry_buf_init(b, b->max);
	return p;
}

int ferry_buf_grow(struct ferry_buf *b, size_t extra)
{
	size_t need, nalloc;

	if (extra > buf_max(b) - b->len)
		return ferry_error_set(FERRY_ETOOBIG,
		                       "value too large (over %zu bytes)",
		                       buf_max(b));
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	nalloc = b->alloc ? b->alloc : 64;
	while (nalloc < need)
		nalloc = nalloc < SIZE_MAX / 2 ? nalloc * 2 : need;
	if (b->alloc) {
		b->ptr = ferry_xrealloc(b->ptr, nalloc);
	} else {
		b->ptr = ferry_xmalloc(nalloc);
		b->ptr[0] = '\0';
	}
	b->alloc = nalloc;
	return 0;
}

int ferry_buf_put(struct ferry_buf *b, const void *data, size_t len)
{
	int error;

	if ((error = ferry_buf_grow(b, len)) < 0)
		return error;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int ferry_buf_puts(struct ferry_buf *b, const char *s)
{
	return ferry_buf_put(b, s, strlen(s));
}

int ferry_buf_putc(struct ferry_buf *b, char c)
{
	return ferry_buf_put(b, &c, 1);
}

int ferry_buf_vprintf(struct ferry_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, error;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ferry_error_set(FERRY_EINVALID, "bad format '%s'", fmt);
	if ((error = ferry_buf_grow(b, (size_t)n)) < 0)
		return error;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ferry_buf_printf(struct ferry_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = ferry_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return error;
}

void ferry_buf_truncate(struct ferry_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

int ferry_buf_put_urlencoded(struct ferry_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int error = 0;

	for (; *s && !error; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			error = ferry_buf_putc(b, (char)c);
		else
			error = ferry_buf_printf(b, "%%%c%c", hex[c >> 4],
			                         hex[c & 15]);
	}
	return error;
}
