/* alloc.c: allocation that aborts on out-of-memory, with overflow checks. */
#include <stdarg.h>

#include "util.h"

FERRY_NORETURN static void oom(size_t size)
{
	fprintf(stderr, "ferry: out of memory allocating %zu bytes\n", size);
	abort();
}

void *ferry_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *ferry_xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *ferry_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

char *ferry_xstrdup(const char *s)
{
	return ferry_xstrndup(s, strlen(s));
}

char *ferry_xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = ferry_xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *ferry_xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	p = ferry_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
