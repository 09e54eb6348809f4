/* tx_int.h: what the value transforms share: filling a reason or a note,
 * trimming, and building JSON strings from text already checked. */
#ifndef FERRY_TX_INT_H
#define FERRY_TX_INT_H

#include <jansson.h>

#include "ferry/transform.h"

/* Fills `why` with a reason, sets the thread's error message to
 * "<field>: <message>", and returns FERRY_EINVALID. */
int tx_reason(struct ferry_tx_reason *why, const struct ferry_tx_ctx *ctx,
              const char *code, const char *fmt, ...) FERRY_PRINTF(4, 5);

/* Adds a note to `why` after a success; a second note keeps the first
 * code and appends its message after "; ". */
void tx_note(struct ferry_tx_reason *why, const struct ferry_tx_ctx *ctx,
             const char *code, const char *fmt, ...) FERRY_PRINTF(4, 5);

/* Clears `why` at the start of a transform. */
void tx_clear(struct ferry_tx_reason *why);

/* `ctx`, or the all-defaults context when it is NULL. */
const struct ferry_tx_ctx *tx_ctx(const struct ferry_tx_ctx *ctx);

/* True if `s` (len bytes) equals `word` (lower case ASCII), ignoring
 * ASCII case. */
bool tx_iequal(const char *s, size_t len, const char *word);

bool tx_is_space(char ch);
/* The bounds of `s` without ASCII whitespace at either end: returns the
 * first byte kept and sets *len. `s` may be NULL (empty). */
const char *tx_trim(const char *s, size_t *len);
/* The same within the `n` bytes at `s`. */
const char *tx_trim_span(const char *s, size_t n, size_t *len);

/* A JSON string of `len` bytes the caller has checked to be UTF-8; aborts
 * on out-of-memory as the ferry_x* allocators do. */
json_t *tx_string(const char *s, size_t len);

/* Shows at most 60 bytes of a value in a message: "abc" or "abc…". The
 * cut never splits a UTF-8 sequence; bad bytes become '?'. */
const char *tx_show(char *buf, size_t size, const char *s, size_t len);
#define TX_SHOW_MAX 80

#endif
