/* csv.c: tests of the streaming CSV reader: what Salesforce exports look
 * like, every rejection with its exact file:line:column, and reads that
 * cross the 64 KiB read window. */
#include "helpers.h"
#include "util.h"

#include "ferry/csv.h"

/* Opens `data` in memory as "t.csv", expecting success. */
static struct ferry_csv *open_str(const char *data)
{
	struct ferry_csv *c = NULL;
	int error = ferry_csv_open_mem(&c, "t.csv", data, strlen(data));

	if (error < 0)
		fail_msg("open failed: %s", ferry_error_last());
	assert_non_null(c);
	return c;
}

/* Reads `data` until the end or an error; returns the error (or 0) and
 * leaves the message for the caller to compare. */
static int read_all(const char *data, size_t len, size_t *records)
{
	struct ferry_csv *c = NULL;
	size_t n = 0;
	int error;

	if ((error = ferry_csv_open_mem(&c, "t.csv", data, len)) < 0)
		goto done;
	while ((error = ferry_csv_next(c)) == 1)
		n++;
done:
	if (records)
		*records = n;
	ferry_csv_free(c);
	return error;
}

static void expect_error(const char *data, int code, const char *message)
{
	int error = read_all(data, strlen(data), NULL);

	assert_int_equal(error, code);
	assert_string_equal(ferry_error_last(), message);
}

static void expect_prefix(const char *data, const char *prefix)
{
	int error = read_all(data, strlen(data), NULL);

	assert_int_equal(error, FERRY_EINVALID);
	if (!ferry_str_starts_with(ferry_error_last(), prefix))
		fail_msg("expected '%s...', got '%s'", prefix,
		         ferry_error_last());
}

static void test_simple_lf(void **state)
{
	struct ferry_csv *c = open_str("Id,Name\n1,Acme\n2,Globex\n");

	(void)state;
	assert_int_equal(ferry_csv_columns(c), 2);
	assert_string_equal(ferry_csv_header(c, 0), "Id");
	assert_string_equal(ferry_csv_header(c, 1), "Name");
	assert_null(ferry_csv_header(c, 2));
	assert_string_equal(ferry_csv_name(c), "t.csv");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_line(c), 2);
	assert_string_equal(ferry_csv_field(c, 0), "1");
	assert_string_equal(ferry_csv_field(c, 1), "Acme");
	assert_int_equal(ferry_csv_field_len(c, 1), 4);
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_line(c), 3);
	assert_string_equal(ferry_csv_field(c, 1), "Globex");
	assert_int_equal(ferry_csv_next(c), 0);
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_bom_crlf_quoted(void **state)
{
	struct ferry_csv *c = open_str("\xEF\xBB\xBF\"Id\",\"Name\"\r\n"
	                               "\"001\",\"Acme, Inc.\"\r\n"
	                               "\"002\",\"The \"\"Best\"\" Co\"\r\n"
	                               "\"003\",\"\"\r\n");

	(void)state;
	assert_string_equal(ferry_csv_header(c, 0), "Id");
	assert_int_equal(ferry_csv_column_index(c, "Id"), 0);
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 1), "Acme, Inc.");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 1), "The \"Best\" Co");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 1), "");
	assert_int_equal(ferry_csv_field_len(c, 1), 0);
	assert_int_equal(ferry_csv_line(c), 4);
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_no_final_newline(void **state)
{
	struct ferry_csv *c = open_str("a,b\r\nx,\"y\"");

	(void)state;
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 0), "x");
	assert_string_equal(ferry_csv_field(c, 1), "y");
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_empty_fields(void **state)
{
	struct ferry_csv *c = open_str("a,b,c\n,,\n\"\",x,\n");

	(void)state;
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 0), "");
	assert_string_equal(ferry_csv_field(c, 2), "");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 1), "x");
	assert_string_equal(ferry_csv_field(c, 2), "");
	assert_null(ferry_csv_field(c, 3));
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_embedded_newlines(void **state)
{
	struct ferry_csv *c =
	    open_str("Id,Description\r\n"
	             "1,\"line one\r\nline two\r\nline three\"\r\n"
	             "2,\"lf\nonly\"\r\n"
	             "3,plain\r\n");

	(void)state;
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_line(c), 2);
	assert_string_equal(ferry_csv_field(c, 1),
	                    "line one\r\nline two\r\nline three");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_line(c), 5);
	assert_string_equal(ferry_csv_field(c, 1), "lf\nonly");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_line(c), 7);
	assert_string_equal(ferry_csv_field(c, 1), "plain");
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_line_numbers_in_errors_after_newlines(void **state)
{
	(void)state;
	/* Three lines for record 1, so the stray quote is on line 5. */
	expect_error("Id,D\n1,\"a\nb\nc\"\n2,ab\"c\n", FERRY_EINVALID,
	             "t.csv:5:5: quote inside an unquoted field (quote the "
	             "whole field and double the quote: \"say \"\"hi\"\"\")");
}

static void test_utf8(void **state)
{
	struct ferry_csv *c =
	    open_str("Name,City\n"
	             "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale,"
	             "S\xC3\xA3o Paulo\n"
	             "\xE6\xA0\xAA\xE5\xBC\x8F\xE4\xBC\x9A\xE7\xA4\xBE"
	             "\xE6\x9D\xB1\xE4\xBA\xAC,\xE5\x8C\x97\xE4\xBA\xAC\n"
	             "emoji \xF0\x9F\x9A\xA2,x\n");

	(void)state;
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 0),
	                    "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale");
	assert_string_equal(ferry_csv_field(c, 1), "S\xC3\xA3o Paulo");
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 0),
	                    "\xE6\xA0\xAA\xE5\xBC\x8F\xE4\xBC\x9A\xE7\xA4\xBE"
	                    "\xE6\x9D\xB1\xE4\xBA\xAC");
	assert_int_equal(ferry_csv_field_len(c, 0), 18);
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_next(c), 0);
	ferry_csv_free(c);
}

static void test_unbalanced_quote(void **state)
{
	(void)state;
	expect_error("Id,Name\r\n1,ok\r\n2,\"never closes\r\n3,x\r\n",
	             FERRY_EINVALID,
	             "t.csv:3:3: unbalanced quote: the field opened here never "
	             "closes (check for a stray '\"')");
	expect_error("Id,Name\n1,\"", FERRY_EINVALID,
	             "t.csv:2:3: unbalanced quote: the field opened here never "
	             "closes (check for a stray '\"')");
}

static void test_text_after_closing_quote(void **state)
{
	(void)state;
	expect_error("Id,Name\n1,\"Acme\" Inc\n", FERRY_EINVALID,
	             "t.csv:2:9: text after a closing quote: a quoted field "
	             "must end right before ',' or the line end (double a '\"' "
	             "inside it: \"\")");
}

static void test_quote_in_unquoted_field(void **state)
{
	(void)state;
	expect_prefix("Id,Name\n1,Acme \"Best\"\n",
	              "t.csv:2:8: quote inside an unquoted field");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* Latin-1 'é' (0xE9) followed by 'e': a broken sequence. */
	expect_error("Id,Name\n1,caf\xE9s\n", FERRY_EINVALID,
	             "t.csv:2:6: invalid UTF-8 (byte 0xe9): the file must be "
	             "UTF-8 (export it again as UTF-8 or convert it with "
	             "iconv)");
	/* A stray continuation byte. */
	expect_prefix("Id,Name\n1,ab\x80\n",
	              "t.csv:2:5: invalid UTF-8 (byte 0x80)");
	/* An overlong '/' and a UTF-16 surrogate. */
	expect_prefix("Id\n\xC0\xAF\n", "t.csv:2:1: invalid UTF-8");
	expect_prefix("Id\nx\xED\xA0\x80\n", "t.csv:2:2: invalid UTF-8");
	/* Truncated at the end of the input, and inside the header. */
	expect_prefix("Id\nab\xC3", "t.csv:2:3: invalid UTF-8 (byte 0xc3)");
	expect_prefix("I\xFF"
	              "d\n1\n",
	              "t.csv:1:2: invalid UTF-8 (byte 0xff)");
}

static void test_nul_byte(void **state)
{
	static const char data[] = "Id,Name\n1,a\0b\n";
	int error = read_all(data, sizeof(data) - 1, NULL);

	(void)state;
	assert_int_equal(error, FERRY_EINVALID);
	assert_string_equal(ferry_error_last(),
	                    "t.csv:2:4: NUL byte: the file looks binary or "
	                    "UTF-16 (export it again as UTF-8)");
}

static void test_utf16(void **state)
{
	static const char data[] = "\xFF\xFEI\0d\0\n\0";
	int error = read_all(data, sizeof(data) - 1, NULL);

	(void)state;
	assert_int_equal(error, FERRY_EINVALID);
	assert_true(ferry_str_starts_with(ferry_error_last(),
	                                  "t.csv:1:1: the file is UTF-16"));
}

static void test_column_count(void **state)
{
	(void)state;
	expect_error("A,B,C,D,E,F\n1,2,3,4,5,6\n1,2,3,4,5,6\n1,2,3,4,5,6\n"
	             "1,2,3,4,5,6,7\n",
	             FERRY_EINVALID,
	             "t.csv:5: record has 7 fields, the header has 6");
	expect_error("A,B\n1\n", FERRY_EINVALID,
	             "t.csv:2: record has 1 field, the header has 2");
	/* A very wide bad record is counted, not stored. */
	{
		struct ferry_buf b = FERRY_BUF_INIT;
		size_t i;

		assert_int_equal(ferry_buf_puts(&b, "A,B\n1"), 0);
		for (i = 0; i < 20000; i++)
			assert_int_equal(ferry_buf_puts(&b, ",x"), 0);
		assert_int_equal(read_all(b.ptr, b.len, NULL), FERRY_EINVALID);
		assert_string_equal(ferry_error_last(),
		                    "t.csv:2: record has 20001 fields, the "
		                    "header has 2");
		ferry_buf_release(&b);
	}
}

static void test_field_too_big(void **state)
{
	size_t len = FERRY_CSV_FIELD_MAX + 16;
	char *data = ferry_xmalloc(len);

	(void)state;
	memset(data, 'x', len);
	memcpy(data, "A,B\n1,\"", 7);
	assert_int_equal(read_all(data, len, NULL), FERRY_ETOOBIG);
	assert_true(ferry_str_starts_with(
	    ferry_error_last(), "t.csv:2:3: field over 33554432 bytes"));
	free(data);
}

static void test_blank_lines(void **state)
{
	size_t n;

	(void)state;
	/* Blank lines at the end are skipped, LF or CRLF. */
	assert_int_equal(read_all("A,B\n1,2\n\n", 9, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(read_all("A,B\r\n1,2\r\n\r\n\r\n", 14, &n), 0);
	assert_int_equal(n, 1);
	/* In the middle they are a wrong field count. */
	expect_error("A,B\n1,2\n\n3,4\n", FERRY_EINVALID,
	             "t.csv:3: record has 1 field, the header has 2 (a blank "
	             "line in the middle of the file: delete it)");
	/* In a one-column file a blank line is an empty value. */
	{
		struct ferry_csv *c = open_str("A\nx\n\n\ny\n\n");

		assert_int_equal(ferry_csv_next(c), 1);
		assert_string_equal(ferry_csv_field(c, 0), "x");
		assert_int_equal(ferry_csv_next(c), 1);
		assert_int_equal(ferry_csv_line(c), 3);
		assert_string_equal(ferry_csv_field(c, 0), "");
		assert_int_equal(ferry_csv_next(c), 1);
		assert_int_equal(ferry_csv_line(c), 4);
		assert_string_equal(ferry_csv_field(c, 0), "");
		assert_int_equal(ferry_csv_next(c), 1);
		assert_int_equal(ferry_csv_line(c), 5);
		assert_string_equal(ferry_csv_field(c, 0), "y");
		assert_int_equal(ferry_csv_next(c), 0);
		ferry_csv_free(c);
	}
}

static void test_lone_cr(void **state)
{
	(void)state;
	expect_prefix("A,B\r1,2\r",
	              "t.csv:1:4: carriage return without a line feed");
}

static void test_empty_file_and_header(void **state)
{
	struct ferry_csv *c = (struct ferry_csv *)1;

	(void)state;
	assert_int_equal(ferry_csv_open_mem(&c, "t.csv", "", 0),
	                 FERRY_EINVALID);
	assert_null(c);
	assert_string_equal(ferry_error_last(),
	                    "t.csv: empty file: there is no header row (export "
	                    "the object again)");
	expect_error("\xEF\xBB\xBF", FERRY_EINVALID,
	             "t.csv: empty file: there is no header row (export the "
	             "object again)");
	expect_error("\r\n\n", FERRY_EINVALID,
	             "t.csv: empty file: there is no header row (export the "
	             "object again)");
	expect_prefix("\nId\n1\n", "t.csv:1: the first line is blank");
	expect_error("Id,,Name\n", FERRY_EINVALID,
	             "t.csv:1:4: empty column name in the header (column 2): "
	             "every column needs its API name");
	expect_error("Id,Name,\"Id\"\n", FERRY_EINVALID,
	             "t.csv:1:9: duplicate column name 'Id' in the header "
	             "(column 3 repeats column 1): rename or drop one");
	/* A header alone is a file with no records. */
	{
		size_t n;

		assert_int_equal(read_all("Id,Name\r\n", 9, &n), 0);
		assert_int_equal(n, 0);
	}
}

static void test_error_is_sticky(void **state)
{
	struct ferry_csv *c = open_str("A,B\n1\n2,3\n");

	(void)state;
	assert_int_equal(ferry_csv_next(c), FERRY_EINVALID);
	ferry_error_clear();
	assert_int_equal(ferry_csv_next(c), FERRY_EINVALID);
	assert_string_equal(ferry_error_last(),
	                    "t.csv:2: record has 1 field, the header has 2");
	ferry_csv_free(c);
}

static void test_header_lookup(void **state)
{
	struct ferry_csv *c = open_str(
	    "Id,AccountId,FirstName,LastName,Email\n1,2,Ada,Lovelace,a@b.c\n");

	(void)state;
	assert_int_equal(ferry_csv_column_index(c, "Email"), 4);
	assert_int_equal(ferry_csv_column_index(c, "AccountId"), 1);
	assert_int_equal(ferry_csv_column_index(c, "email"), -1);
	assert_int_equal(ferry_csv_column_index(c, "Missing"), -1);
	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(
	    ferry_csv_field(c, (size_t)ferry_csv_column_index(c, "LastName")),
	    "Lovelace");
	ferry_csv_free(c);
	ferry_csv_free(NULL);
}

/* A data set larger than the read window: one field of about 200 000 bytes
 * with quotes, commas and newlines in it, then many small records. */
static void build_big(struct ferry_buf *b, size_t records)
{
	size_t i;

	assert_int_equal(ferry_buf_puts(b, "\xEF\xBB\xBFId,Body,Tail\r\n"), 0);
	assert_int_equal(ferry_buf_puts(b, "big,\""), 0);
	for (i = 0; i < 20000; i++)
		assert_int_equal(ferry_buf_puts(b, i % 1000 == 999
		                                       ? "\"\",\r\n67\xC3\xA9"
		                                       : "0123456789"),
		                 0);
	assert_int_equal(ferry_buf_puts(b, "\",end\r\n"), 0);
	for (i = 0; i < records; i++)
		assert_int_equal(
		    ferry_buf_printf(b, "r%zu,\"v,%zu\",t\r\n", i, i), 0);
}

static void check_big(struct ferry_csv *c, size_t records)
{
	size_t i;
	char want[64];

	assert_int_equal(ferry_csv_next(c), 1);
	assert_string_equal(ferry_csv_field(c, 0), "big");
	assert_int_equal(ferry_csv_field_len(c, 1), 19980 * 10 + 20 * 8);
	assert_int_equal(memcmp(ferry_csv_field(c, 1), "0123456789", 10), 0);
	assert_int_equal(
	    memcmp(ferry_csv_field(c, 1) + 9990, "\",\r\n67\xC3\xA9", 8), 0);
	assert_string_equal(ferry_csv_field(c, 2), "end");
	for (i = 0; i < records; i++) {
		assert_int_equal(ferry_csv_next(c), 1);
		/* 20 CRLFs inside the big field, then one per record. */
		assert_int_equal(ferry_csv_line(c), 3 + 20 + i);
		snprintf(want, sizeof(want), "v,%zu", i);
		assert_string_equal(ferry_csv_field(c, 1), want);
	}
	assert_int_equal(ferry_csv_next(c), 0);
}

static void test_big_in_memory(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_csv *c = NULL;

	(void)state;
	build_big(&b, 1000);
	assert_int_equal(ferry_csv_open_mem(&c, "big.csv", b.ptr, b.len), 0);
	check_big(c, 1000);
	ferry_csv_free(c);
	ferry_buf_release(&b);
}

static void test_big_file(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_csv *c = NULL;
	char *dir = test_tmpdir("csv"), *path;

	(void)state;
	build_big(&b, 30000);
	assert_true(b.len > 4 * 64 * 1024);
	path = test_write_file(dir, "Big.csv", b.ptr, b.len);
	if (ferry_csv_open(&c, path) < 0)
		fail_msg("%s", ferry_error_last());
	assert_string_equal(ferry_csv_name(c), path);
	assert_string_equal(ferry_csv_header(c, 0), "Id");
	check_big(c, 30000);
	ferry_csv_free(c);
	ferry_buf_release(&b);
	free(path);
	free(dir);
}

/* Errors found deep in a file, past the first read window, still give the
 * right line and column. */
static void test_file_errors(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct ferry_csv *c = NULL;
	char *dir = test_tmpdir("csv"), *path, *want;
	size_t i;
	int error;

	(void)state;
	assert_int_equal(ferry_buf_puts(&b, "Id,Name\r\n"), 0);
	for (i = 0; i < 10000; i++)
		assert_int_equal(ferry_buf_puts(&b, "\"0011\",\"Acme\"\r\n"),
		                 0);
	assert_int_equal(ferry_buf_puts(&b, "\"0012\",\"Bad\xC3(\"\r\n"), 0);
	path = test_write_file(dir, "Account.csv", b.ptr, b.len);
	assert_int_equal(ferry_csv_open(&c, path), 0);
	while ((error = ferry_csv_next(c)) == 1)
		;
	assert_int_equal(error, FERRY_EINVALID);
	want = ferry_xasprintf("%s:10002:12: invalid UTF-8 (byte 0xc3)", path);
	assert_true(ferry_str_starts_with(ferry_error_last(), want));
	ferry_csv_free(c);
	free(want);
	free(path);

	/* An unbalanced quote that runs to the end of a big file. */
	ferry_buf_clear(&b);
	assert_int_equal(ferry_buf_puts(&b, "Id,Name\n1,x\n2,\"open"), 0);
	for (i = 0; i < 20000; i++)
		assert_int_equal(ferry_buf_puts(&b, "more text, more\n"), 0);
	path = test_write_file(dir, "Contact.csv", b.ptr, b.len);
	assert_int_equal(ferry_csv_open(&c, path), 0);
	assert_int_equal(ferry_csv_next(c), 1);
	assert_int_equal(ferry_csv_next(c), FERRY_EINVALID);
	want = ferry_xasprintf("%s:3:3: unbalanced quote", path);
	assert_true(ferry_str_starts_with(ferry_error_last(), want));
	ferry_csv_free(c);
	free(want);
	free(path);

	/* Empty and missing files. */
	path = test_write_file(dir, "Empty.csv", "", 0);
	assert_int_equal(ferry_csv_open(&c, path), FERRY_EINVALID);
	assert_null(c);
	free(path);
	path = ferry_xasprintf("%s/Missing.csv", dir);
	assert_int_equal(ferry_csv_open(&c, path), FERRY_ENOTFOUND);
	assert_true(ferry_str_starts_with(ferry_error_last(), "cannot open '"));
	free(path);
	ferry_buf_release(&b);
	free(dir);
}

/* The bundled sample org must read cleanly from end to end. */
static void test_sample_org(void **state)
{
	static const char *const files[] = {"Account.csv", "Contact.csv"};
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(files); i++) {
		struct ferry_csv *c = NULL;
		char *path = ferry_xasprintf("%s/examples/sample-org/%s",
		                             test_source_dir(), files[i]);
		size_t n = 0;
		int error;

		if (ferry_csv_open(&c, path) < 0)
			fail_msg("%s", ferry_error_last());
		assert_int_equal(ferry_csv_column_index(c, "Id"), 0);
		while ((error = ferry_csv_next(c)) == 1)
			n++;
		if (error < 0)
			fail_msg("%s", ferry_error_last());
		assert_true(n >= 25);
		ferry_csv_free(c);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simple_lf),
	    cmocka_unit_test(test_bom_crlf_quoted),
	    cmocka_unit_test(test_no_final_newline),
	    cmocka_unit_test(test_empty_fields),
	    cmocka_unit_test(test_embedded_newlines),
	    cmocka_unit_test(test_line_numbers_in_errors_after_newlines),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_unbalanced_quote),
	    cmocka_unit_test(test_text_after_closing_quote),
	    cmocka_unit_test(test_quote_in_unquoted_field),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_nul_byte),
	    cmocka_unit_test(test_utf16),
	    cmocka_unit_test(test_column_count),
	    cmocka_unit_test(test_field_too_big),
	    cmocka_unit_test(test_blank_lines),
	    cmocka_unit_test(test_lone_cr),
	    cmocka_unit_test(test_empty_file_and_header),
	    cmocka_unit_test(test_error_is_sticky),
	    cmocka_unit_test(test_header_lookup),
	    cmocka_unit_test(test_big_in_memory),
	    cmocka_unit_test(test_big_file),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_sample_org),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
