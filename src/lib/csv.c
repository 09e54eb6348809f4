/* csv.c: the streaming RFC 4180 reader of csv.h. It pulls the input through
 * a 64 KiB window one byte at a time, tracking line and column, checking
 * UTF-8 as it goes, and builds one record at a time in a capped ferry_buf;
 * see docs/internals/csv.md for what it accepts and rejects and why. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "ferry/csv.h"

#define READ_CHUNK ((size_t)64 * 1024)
/* Salesforce objects top out near 800 fields; a header wider than this is
 * not a Salesforce export, and the cap bounds the per-field arrays. */
#define MAX_COLUMNS 10000
#define CSV_EOF     (-1)

struct ferry_csv {
	char *name;
	int fd;             /* -1 when reading from memory */
	const char *win;    /* the window: rbuf, or the caller's memory */
	char *rbuf;         /* READ_CHUNK bytes when reading a file */
	size_t pos, len;    /* the next byte and the end of the window */
	bool eof;           /* nothing more to read into the window */
	size_t line, col;   /* where the next byte is (1-based) */
	size_t bline, bcol; /* where the byte last returned by get() was */
	unsigned u_need;    /* UTF-8: continuation bytes still expected */
	uint32_t u_cp, u_min;
	unsigned u_lead;      /* its first byte */
	size_t u_line, u_col; /* where the sequence being decoded started */

	struct ferry_buf rec; /* the record: fields separated by NULs */
	size_t *off;          /* field i starts at rec.ptr + off[i] */
	size_t *flen;
	size_t *fcol;   /* the column each field starts at (for messages) */
	size_t nalloc;  /* entries in off/flen/fcol */
	size_t nfields; /* fields in the record just read */
	size_t rec_line;

	char **header;
	size_t ncols;

	size_t pending_blank; /* empty records still owed (one-column files) */
	size_t pending_line;
	int failed; /* a sticky error code, 0 if none */
	char *failed_msg;
};

/* Reads more of the file into the free end of the window. */
static int read_more(struct ferry_csv *c)
{
	ssize_t n;
	int error = 0;

	do {
		n = read(c->fd, c->rbuf + c->len, READ_CHUNK - c->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		error = ferry_error_set(FERRY_EIO, "cannot read '%s': %s",
		                        c->name, strerror(errno));
	else if (n == 0)
		c->eof = true;
	else
		c->len += (size_t)n;
	return error;
}

/* Fills the window with the next chunk of the file; at the end of the
 * input (or in memory mode) sets eof. */
static int refill(struct ferry_csv *c)
{
	if (c->fd < 0) {
		c->eof = true;
		return 0;
	}
	c->pos = c->len = 0;
	return read_more(c);
}

/* The next byte without consuming it, CSV_EOF, or an error code. */
static int peek(struct ferry_csv *c)
{
	int error;

	while (c->pos >= c->len) {
		if (c->eof)
			return CSV_EOF;
		if ((error = refill(c)) < 0)
			return error;
	}
	return (unsigned char)c->win[c->pos];
}

static int utf8_error(struct ferry_csv *c, size_t line, size_t col,
                      unsigned byte)
{
	return ferry_error_set(
	    FERRY_EINVALID,
	    "%s:%zu:%zu: invalid UTF-8 (byte 0x%02x): the "
	    "file must be UTF-8 (export it again as UTF-8 or "
	    "convert it with iconv)",
	    c->name, line, col, byte);
}

/* Checks one byte against the UTF-8 decoder state. A broken sequence is
 * reported where it started, so the column points at the character. */
static int utf8_step(struct ferry_csv *c, unsigned b)
{
	if (c->u_need) {
		if ((b & 0xC0) != 0x80)
			return utf8_error(c, c->u_line, c->u_col, c->u_lead);
		c->u_cp = (c->u_cp << 6) | (b & 0x3F);
		if (--c->u_need == 0 &&
		    (c->u_cp < c->u_min || c->u_cp > 0x10FFFF ||
		     (c->u_cp >= 0xD800 && c->u_cp <= 0xDFFF)))
			return utf8_error(c, c->u_line, c->u_col, c->u_lead);
		return 0;
	}
	if (b < 0x80)
		return 0;
	if ((b & 0xE0) == 0xC0) {
		c->u_need = 1;
		c->u_cp = b & 0x1F;
		c->u_min = 0x80;
	} else if ((b & 0xF0) == 0xE0) {
		c->u_need = 2;
		c->u_cp = b & 0x0F;
		c->u_min = 0x800;
	} else if ((b & 0xF8) == 0xF0) {
		c->u_need = 3;
		c->u_cp = b & 0x07;
		c->u_min = 0x10000;
	} else {
		return utf8_error(c, c->bline, c->bcol, b);
	}
	c->u_lead = b;
	c->u_line = c->bline;
	c->u_col = c->bcol;
	return 0;
}

/* Consumes and returns the next byte (its place is left in bline/bcol),
 * CSV_EOF, or an error code. Every byte of the input passes through here,
 * so this is where NULs and bad UTF-8 are caught. */
static int get(struct ferry_csv *c)
{
	int b = peek(c), error;

	if (b < 0) {
		if (b == CSV_EOF && c->u_need) {
			c->u_need = 0;
			return utf8_error(c, c->u_line, c->u_col, c->u_lead);
		}
		return b;
	}
	c->pos++;
	c->bline = c->line;
	c->bcol = c->col;
	if (b == '\n') {
		c->line++;
		c->col = 1;
	} else {
		c->col++;
	}
	if (b == 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "%s:%zu:%zu: NUL byte: the file looks "
		                       "binary or UTF-16 (export it again as "
		                       "UTF-8)",
		                       c->name, c->bline, c->bcol);
	if ((error = utf8_step(c, (unsigned)b)) < 0)
		return error;
	return b;
}

/* After a '\r' was consumed: the '\n' that must follow it. */
static int expect_lf(struct ferry_csv *c)
{
	size_t line = c->bline, col = c->bcol;
	int b = peek(c);

	if (b < CSV_EOF)
		return b;
	if (b != '\n')
		return ferry_error_set(FERRY_EINVALID,
		                       "%s:%zu:%zu: carriage return without a "
		                       "line feed (old Mac line ends? convert "
		                       "them to LF or CRLF)",
		                       c->name, line, col);
	return get(c);
}

static void ensure_fields(struct ferry_csv *c, size_t n)
{
	size_t nalloc = c->nalloc ? c->nalloc : 16;

	if (n <= c->nalloc)
		return;
	while (nalloc < n)
		nalloc *= 2;
	c->off = ferry_xrealloc(c->off, nalloc * sizeof(*c->off));
	c->flen = ferry_xrealloc(c->flen, nalloc * sizeof(*c->flen));
	c->fcol = ferry_xrealloc(c->fcol, nalloc * sizeof(*c->fcol));
	c->nalloc = nalloc;
}

/* Appends one byte to the field being read, enforcing the caps. `store` is
 * false for fields past the header's count, which are only counted. */
static int put(struct ferry_csv *c, size_t field_off, size_t fline, size_t fcol,
               bool store, char ch)
{
	if (!store)
		return 0;
	if (c->rec.len - field_off >= FERRY_CSV_FIELD_MAX)
		return ferry_error_set(
		    FERRY_ETOOBIG,
		    "%s:%zu:%zu: field over %zu bytes (a "
		    "stray '\"' can swallow the rest of the "
		    "file; check the field that starts here)",
		    c->name, fline, fcol, (size_t)FERRY_CSV_FIELD_MAX);
	if (ferry_buf_putc(&c->rec, ch) < 0)
		return ferry_error_set(
		    FERRY_ETOOBIG, "%s:%zu: record over %zu bytes", c->name,
		    c->rec_line, (size_t)FERRY_BUF_DEFAULT_MAX);
	return 0;
}

/* Reads one field whose first byte `b` was just consumed. Leaves in *end
 * what ended it: ',' for another field, '\n' for the end of the record,
 * CSV_EOF at the end of the input. */
static int read_field(struct ferry_csv *c, int b, bool store, int *end)
{
	size_t field_off = c->rec.len, fline = c->bline, fcol = c->bcol;
	int error = 0;

	if (store) {
		ensure_fields(c, c->nfields + 1);
		c->off[c->nfields] = field_off;
		c->fcol[c->nfields] = fcol;
	}
	if (b == '"') {
		for (;;) {
			if ((b = get(c)) < CSV_EOF) {
				error = b;
				goto done;
			}
			if (b == CSV_EOF) {
				error = ferry_error_set(
				    FERRY_EINVALID,
				    "%s:%zu:%zu: unbalanced quote: the "
				    "field opened here never closes (check "
				    "for a stray '\"')",
				    c->name, fline, fcol);
				goto done;
			}
			if (b == '"') {
				if ((b = peek(c)) < CSV_EOF) {
					error = b;
					goto done;
				}
				if (b != '"')
					break;
				if ((b = get(c)) < 0) {
					error = b;
					goto done;
				}
			}
			if ((error = put(c, field_off, fline, fcol, store,
			                 (char)b)) < 0)
				goto done;
		}
		if ((b = get(c)) < CSV_EOF) {
			error = b;
			goto done;
		}
		if (b == '\r' && (b = expect_lf(c)) < 0) {
			error = b;
			goto done;
		}
		if (b != ',' && b != '\n' && b != CSV_EOF) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:%zu:%zu: text after a closing quote: a "
			    "quoted field must end right before ',' or the "
			    "line end (double a '\"' inside it: \"\")",
			    c->name, c->bline, c->bcol);
			goto done;
		}
	} else {
		while (b != ',' && b != '\n' && b != CSV_EOF) {
			if (b == '\r') {
				if ((b = expect_lf(c)) < 0) {
					error = b;
					goto done;
				}
				break;
			}
			if (b == '"') {
				error = ferry_error_set(
				    FERRY_EINVALID,
				    "%s:%zu:%zu: quote inside an unquoted "
				    "field (quote the whole field and double "
				    "the quote: \"say \"\"hi\"\"\")",
				    c->name, c->bline, c->bcol);
				goto done;
			}
			if ((error = put(c, field_off, fline, fcol, store,
			                 (char)b)) < 0)
				goto done;
			if ((b = get(c)) < CSV_EOF) {
				error = b;
				goto done;
			}
		}
	}
	if (store) {
		c->flen[c->nfields] = c->rec.len - field_off;
		if ((error = put(c, field_off, fline, fcol, true, '\0')) < 0)
			goto done;
	}
	*end = b;
done:
	return error;
}

/* Reads the fields of one record into c->rec; returns 1, 0 at the end of
 * the input, or an error. A line holding nothing is returned as one empty
 * field with *blank set; `limit` is how many fields to keep (0: all). */
static int read_record(struct ferry_csv *c, size_t limit, size_t *count,
                       bool *blank)
{
	size_t n = 0;
	int b, end = 0, error = 0;

	ferry_buf_clear(&c->rec);
	c->nfields = 0;
	*blank = false;
	if ((b = get(c)) < 0) {
		error = b == CSV_EOF ? 0 : b;
		goto done;
	}
	c->rec_line = c->bline;
	if (b == '\r' && (b = expect_lf(c)) < 0) {
		error = b;
		goto done;
	}
	*blank = b == '\n';
	for (;;) {
		bool store = !limit || n < limit;

		if (n == MAX_COLUMNS && !limit) {
			error =
			    ferry_error_set(FERRY_ETOOBIG,
			                    "%s:%zu: more than %d columns "
			                    "(this is not a Salesforce "
			                    "export)",
			                    c->name, c->rec_line, MAX_COLUMNS);
			goto done;
		}
		if ((error = read_field(c, b, store, &end)) < 0)
			goto done;
		if (store)
			c->nfields++;
		n++;
		if (end != ',')
			break;
		if ((b = get(c)) < CSV_EOF) {
			error = b;
			goto done;
		}
	}
	*count = n;
	error = 1;
done:
	return error;
}

/* Sets the sticky error: once the reader has failed it stays failed, and
 * says so again with the same message. */
static int fail(struct ferry_csv *c, int code)
{
	c->failed = code;
	free(c->failed_msg);
	c->failed_msg = ferry_xstrdup(ferry_error_last());
	return code;
}

/* The byte order mark: skip UTF-8's, refuse UTF-16's by name. */
static int skip_bom(struct ferry_csv *c)
{
	const unsigned char *p;
	int error = 0;

	/* A short read must not split the BOM. */
	while (c->fd >= 0 && !c->eof && c->len < 3)
		if ((error = read_more(c)) < 0)
			goto done;
	p = (const unsigned char *)c->win;
	if (c->len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		c->pos = 3;
	else if (c->len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) ||
	                         (p[0] == 0xFE && p[1] == 0xFF)))
		error = ferry_error_set(FERRY_EINVALID,
		                        "%s:1:1: the file is UTF-16 (export it "
		                        "again as UTF-8, or convert it with "
		                        "iconv -f UTF-16 -t UTF-8)",
		                        c->name);
done:
	return error;
}

static int read_header(struct ferry_csv *c)
{
	size_t count = 0, i, j;
	bool blank;
	int error;

	if ((error = read_record(c, 0, &count, &blank)) < 0)
		goto done;
	if (error == 1 && blank) {
		/* Blank lines and nothing else is still an empty file. */
		while ((error = read_record(c, 0, &count, &blank)) == 1 &&
		       blank)
			;
		if (error < 0)
			goto done;
		if (error == 1) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:1: the first line is blank: the header "
			    "row must be the first line (delete the blank "
			    "lines above it)",
			    c->name);
			goto done;
		}
	}
	if (error == 0) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "%s: empty file: there is no header "
		                        "row (export the object again)",
		                        c->name);
		goto done;
	}
	error = 0;
	c->header = ferry_xcalloc(c->nfields, sizeof(*c->header));
	c->ncols = c->nfields;
	for (i = 0; i < c->ncols; i++) {
		const char *name = c->rec.ptr + c->off[i];

		c->header[i] = ferry_xstrdup(name);
		if (!*name) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:%zu:%zu: empty column name in the header "
			    "(column %zu): every column needs its API name",
			    c->name, c->rec_line, c->fcol[i], i + 1);
			goto done;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(c->header[j], name))
				continue;
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:%zu:%zu: duplicate column name '%s' in "
			    "the header (column %zu repeats column %zu): "
			    "rename or drop one",
			    c->name, c->rec_line, c->fcol[i], name, i + 1,
			    j + 1);
			goto done;
		}
	}
done:
	return error;
}

static struct ferry_csv *csv_new(const char *name)
{
	struct ferry_csv *c = ferry_xcalloc(1, sizeof(*c));

	c->name = ferry_xstrdup(name);
	c->fd = -1;
	c->line = c->col = 1;
	ferry_buf_init(&c->rec, 0);
	return c;
}

/* Reads the BOM and the header; takes `c` and frees it on failure. */
static int csv_start(struct ferry_csv **out, struct ferry_csv *c)
{
	int error;

	if ((error = skip_bom(c)) < 0 || (error = read_header(c)) < 0)
		goto done;
	*out = c;
	c = NULL;
done:
	ferry_csv_free(c);
	return error;
}

int ferry_csv_open(struct ferry_csv **out, const char *path)
{
	struct ferry_csv *c = NULL;
	int error = 0;

	*out = NULL;
	c = csv_new(path);
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		error = ferry_error_set(
		    errno == ENOENT ? FERRY_ENOTFOUND : FERRY_EIO,
		    "cannot open '%s': %s", path, strerror(errno));
		goto done;
	}
	c->rbuf = ferry_xmalloc(READ_CHUNK);
	c->win = c->rbuf;
	error = csv_start(out, c);
	c = NULL; /* csv_start owns it now */
done:
	ferry_csv_free(c);
	return error;
}

int ferry_csv_open_mem(struct ferry_csv **out, const char *name,
                       const char *data, size_t len)
{
	struct ferry_csv *c = NULL;

	*out = NULL;
	c = csv_new(name ? name : "(memory)");
	c->win = data ? data : "";
	c->len = data ? len : 0;
	c->eof = true;
	return csv_start(out, c);
}

size_t ferry_csv_columns(const struct ferry_csv *c)
{
	return c->ncols;
}

const char *ferry_csv_header(const struct ferry_csv *c, size_t i)
{
	return i < c->ncols ? c->header[i] : NULL;
}

long ferry_csv_column_index(const struct ferry_csv *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ncols; i++)
		if (!strcmp(c->header[i], name))
			return (long)i;
	return -1;
}

/* A line holding nothing: at the end of the file it is skipped (exports
 * often end with one); in the middle it is a record of one empty field,
 * which only a one-column file can take. Looks past any further blank
 * lines to tell the two apart. */
static int blank_line(struct ferry_csv *c)
{
	size_t first = c->rec_line, extra = 0;
	int b, error = 0;

	for (;;) {
		if ((b = peek(c)) < CSV_EOF) {
			error = b;
			goto done;
		}
		if (b != '\r' && b != '\n')
			break;
		if ((b = get(c)) < 0 || (b == '\r' && (b = expect_lf(c)) < 0)) {
			error = b;
			goto done;
		}
		extra++;
	}
	if (b == CSV_EOF)
		goto done;
	if (c->ncols != 1) {
		error =
		    ferry_error_set(FERRY_EINVALID,
		                    "%s:%zu: record has 1 field, the header "
		                    "has %zu (a blank line in the middle of "
		                    "the file: delete it)",
		                    c->name, first, c->ncols);
		goto done;
	}
	c->pending_blank = extra;
	c->pending_line = first + 1;
	c->rec_line = first;
	error = 1;
done:
	return error;
}

int ferry_csv_next(struct ferry_csv *c)
{
	size_t count = 0;
	bool blank;
	int error;

	if (c->failed)
		return ferry_error_set(c->failed, "%s", c->failed_msg);
	if (c->pending_blank) {
		/* The one empty field from the blank line is still in rec. */
		c->pending_blank--;
		c->rec_line = c->pending_line++;
		c->nfields = 1;
		return 1;
	}
	if ((error = read_record(c, c->ncols, &count, &blank)) <= 0)
		goto done;
	if (blank) {
		error = blank_line(c);
		goto done;
	}
	if (count != c->ncols) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "%s:%zu: record has %zu field%s, the "
		                        "header has %zu",
		                        c->name, c->rec_line, count,
		                        count == 1 ? "" : "s", c->ncols);
		goto done;
	}
	error = 1;
done:
	if (error < 0)
		return fail(c, error);
	if (error == 0)
		c->nfields = 0;
	return error;
}

const char *ferry_csv_field(const struct ferry_csv *c, size_t i)
{
	return i < c->nfields ? c->rec.ptr + c->off[i] : NULL;
}

size_t ferry_csv_field_len(const struct ferry_csv *c, size_t i)
{
	return i < c->nfields ? c->flen[i] : 0;
}

size_t ferry_csv_line(const struct ferry_csv *c)
{
	return c->rec_line;
}

const char *ferry_csv_name(const struct ferry_csv *c)
{
	return c->name;
}

void ferry_csv_free(struct ferry_csv *c)
{
	size_t i;

	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	for (i = 0; i < c->ncols; i++)
		free(c->header[i]);
	free(c->header);
	free(c->rbuf);
	free(c->off);
	free(c->flen);
	free(c->fcol);
	ferry_buf_release(&c->rec);
	free(c->failed_msg);
	free(c->name);
	free(c);
}
