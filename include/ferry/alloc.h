/* alloc.h: allocation that aborts on out-of-memory. ferry is an application,
 * not a library inside someone else's process, so running out of memory
 * ends it with a message; sizes from the outside world are capped before
 * they get here (see buf.h). */
#ifndef FERRY_ALLOC_H
#define FERRY_ALLOC_H

#include "ferry/common.h"

void *ferry_xmalloc(size_t size);
void *ferry_xcalloc(size_t nmemb, size_t size); /* overflow-checked */
void *ferry_xrealloc(void *ptr, size_t size);
char *ferry_xstrdup(const char *s);
char *ferry_xstrndup(const char *s, size_t n);
/* A printf into a new string the caller frees. */
char *ferry_xasprintf(const char *fmt, ...) FERRY_PRINTF(1, 2);

#endif
