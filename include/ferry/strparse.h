/* strparse.h: number and text parsing without atoi/strtol pitfalls. Each
 * parser takes the whole string and fails on trailing garbage, overflow or
 * an empty input. */
#ifndef FERRY_STRPARSE_H
#define FERRY_STRPARSE_H

#include "ferry/common.h"

int ferry_parse_i64(const char *s, int64_t *out);
int ferry_parse_u64(const char *s, uint64_t *out);
int ferry_parse_double(const char *s, double *out);
/* "true/yes/on/1" and "false/no/off/0", case-insensitive. */
int ferry_parse_bool(const char *s, bool *out);

/* True if `s` (len bytes) is valid UTF-8 (no overlongs, no surrogates). If
 * not and `bad_offset` is given, it receives the offset of the first bad
 * byte. */
bool ferry_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Trims ASCII whitespace from both ends in place; returns s. */
char *ferry_str_trim(char *s);
/* ASCII lower-casing in place; returns s. */
char *ferry_str_lower(char *s);
bool ferry_str_iequal(const char *a, const char *b);
bool ferry_str_starts_with(const char *s, const char *prefix);
/* Appends n bytes of s to the NUL-terminated dst (cap bytes), turning
 * control characters into spaces (a message is one line in logs and the
 * ledger) and never cutting a UTF-8 sequence in half. */
void ferry_str_append_clean(char *dst, size_t cap, const char *s, size_t n);

#endif
