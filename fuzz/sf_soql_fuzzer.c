/* sf_soql_fuzzer.c: the Salesforce sandbox's SOQL parser over arbitrary
 * query text, against a small generated org, and each query that parses
 * run to the end (count and rows, query and queryAll), so a crash, a leak,
 * a runaway recursion or an out-of-bounds read in the lexer, the parser,
 * LIKE or the parent lookups shows up under the sanitizers. An input
 * starting "T:" is a Tooling API query. Every refusal must be a
 * well-formed 400 with one of Salesforce's three codes. */
#include "util.h"

#include "../src/sandbox/sf_sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sf_org *org;
static volatile size_t sink;

static void check_error(const struct sf_err *e)
{
	if (e->status != 400 || !e->code ||
	    (strcmp(e->code, "MALFORMED_QUERY") &&
	     strcmp(e->code, "INVALID_FIELD") &&
	     strcmp(e->code, "INVALID_TYPE")) ||
	    !memchr(e->message, '\0', sizeof(e->message)) || !e->message[0] ||
	    !ferry_utf8_valid(e->message, strlen(e->message), NULL))
		abort();
}

static void run(const struct sf_query *q, bool all)
{
	struct sf_record r;
	const char **row;
	size_t n = sf_query_n_columns(q), i;
	int64_t pos = 0, rows = 0, count = sf_query_count(q, all);

	row = ferry_xcalloc(n + 1, sizeof(*row));
	sf_record_init(&r);
	while (sf_query_next(q, all, &pos, &r, row) == 1) {
		for (i = 0; i < n; i++)
			if (row[i])
				sink += strlen(row[i]);
		rows++;
	}
	/* COUNT(field) counts values, not rows */
	if (!sf_query_is_count_expr(q) && rows != count)
		abort();
	sf_record_release(&r);
	free(row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_org_opts o;
	struct sf_query *q = NULL;
	struct sf_err e;
	bool tooling = size >= 2 && !memcmp(data, "T:", 2);
	char *soql;

	/* a query is text: a NUL would only end it early */
	if (memchr(data, '\0', size) || size > 16 * 1024)
		return 0;
	if (!org) {
		sf_org_opts_default(&o);
		if (sf_org_new(&org, &o) < 0)
			abort();
	}
	soql = ferry_xstrndup((const char *)data + (tooling ? 2 : 0),
	                      size - (tooling ? 2 : 0));
	memset(&e, 0, sizeof(e));
	if (sf_query_parse(&q, org, soql, tooling, &e) < 0) {
		if (q)
			abort();
		check_error(&e);
	} else {
		if (!sf_query_object(q))
			abort();
		run(q, false);
		run(q, true);
		sf_query_free(q);
	}
	free(soql);
	return 0;
}
