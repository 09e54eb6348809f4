/* csv.h: a streaming RFC 4180 reader for Salesforce Data Export and Data
 * Loader files. It reads one record at a time (an object is never held
 * whole in memory), accepts an optional UTF-8 BOM, CRLF or LF line ends,
 * quoted fields with embedded commas, doubled quotes and newlines, and
 * rejects what it cannot read faithfully: an unbalanced quote, text after
 * a closing quote, a quote inside an unquoted field, invalid UTF-8, a NUL
 * byte, a record whose field count differs from the header's, or a field
 * over FERRY_CSV_FIELD_MAX. Each error names the file, the line and the
 * column (1-based, in bytes) and says what is wrong. */
#ifndef FERRY_CSV_H
#define FERRY_CSV_H

#include "ferry/common.h"

#define FERRY_CSV_FIELD_MAX ((size_t)32 * 1024 * 1024)

struct ferry_csv;

/* Opens `path` for reading. The first record is the header: it is read
 * here and available from ferry_csv_header(). An empty file is an error
 * (FERRY_EINVALID), and so is a header with an empty or repeated column
 * name. */
int ferry_csv_open(struct ferry_csv **out, const char *path);

/* The same over `len` bytes of memory (not copied: it must outlive the
 * reader); `name` is used in messages in place of a file name. */
int ferry_csv_open_mem(struct ferry_csv **out, const char *name,
                       const char *data, size_t len);

/* The header's column names; valid until ferry_csv_free(). */
size_t ferry_csv_columns(const struct ferry_csv *c);
const char *ferry_csv_header(const struct ferry_csv *c, size_t i);
/* The index of a column by exact name, or -1. */
long ferry_csv_column_index(const struct ferry_csv *c, const char *name);

/* Reads the next record. Returns 1 when one was read, 0 at the end of the
 * input, or a negative error code (FERRY_EINVALID, FERRY_ETOOBIG,
 * FERRY_EIO) with a message of the form
 *   "Contact.csv:12:7: unbalanced quote (the field opened here never closes)"
 * A line holding nothing (a blank line at the end of a file) is skipped.
 * After a record is read, ferry_csv_field() gives field i (i below
 * ferry_csv_columns()) as a NUL-terminated string valid until the next
 * call; ferry_csv_field_len() gives its length. */
int ferry_csv_next(struct ferry_csv *c);
const char *ferry_csv_field(const struct ferry_csv *c, size_t i);
size_t ferry_csv_field_len(const struct ferry_csv *c, size_t i);

/* The line on which the record last read starts (1-based; the header is
 * line 1). */
size_t ferry_csv_line(const struct ferry_csv *c);
/* The name used in messages. */
const char *ferry_csv_name(const struct ferry_csv *c);

void ferry_csv_free(struct ferry_csv *c);

#endif
