/* transform.c: golden tests of the value transforms: each case is an input
 * and the exact JSON text written, or the reason code (and, for some, the
 * message) given instead; the sample org's phones, addresses, names and
 * dates against tests/golden/transform/sample_org.txt. */
#include "helpers.h"
#include "util.h"

#include "ferry/csv.h"
#include "ferry/transform.h"

/* A case lists only the fields it needs; the rest are NULL. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

typedef int (*tx_fn)(json_t **out, const char *value,
                     const struct ferry_tx_ctx *ctx,
                     struct ferry_tx_reason *why);

/* One golden case. `want` is the JSON written, "" for no value, or
 * "!code" for a reason; `note` the note code expected on success. `opt`
 * feeds the one context option a table varies (see each test). */
struct tcase {
	const char *in;
	const char *want;
	const char *note;
	const char *opt;
};

static size_t cases_run;

/* The result of a transform as one line: JSON text, "" or "!code". */
static char *result(int rc, json_t *out, const struct ferry_tx_reason *why)
{
	char *text;

	if (rc < 0)
		return ferry_xasprintf("!%s", why->code);
	if (!out)
		return ferry_xstrdup("");
	text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY |
	                           JSON_REAL_PRECISION(15));
	assert_non_null(text);
	return text;
}

/* Checks one case; returns 1 (and prints it) when it fails. */
static int check(const char *table, const struct tcase *c, int rc, json_t *out,
                 const struct ferry_tx_reason *why,
                 const struct ferry_tx_ctx *ctx)
{
	char *got = result(rc, out, why);
	const char *note = rc == 0 ? why->code : "";
	int bad = 0;

	cases_run++;
	if (strcmp(got, c->want)) {
		print_error("%s: '%s' (%s): want %s, got %s (%s)\n", table,
		            c->in ? c->in : "(null)", c->opt ? c->opt : "-",
		            c->want[0] ? c->want : "(nothing)",
		            got[0] ? got : "(nothing)", why->message);
		bad = 1;
	} else if (strcmp(note, c->note ? c->note : "")) {
		print_error("%s: '%s': want note '%s', got '%s' (%s)\n", table,
		            c->in, c->note ? c->note : "", note, why->message);
		bad = 1;
	} else if ((rc < 0 || note[0]) &&
	           (!why->message[0] ||
	            strcmp(why->field, ctx && ctx->field ? ctx->field : ""))) {
		print_error("%s: '%s': a reason needs a message and the "
		            "field\n",
		            table, c->in);
		bad = 1;
	}
	free(got);
	return bad;
}

static void run(const char *table, tx_fn fn, const struct ferry_tx_ctx *ctx,
                const struct tcase *cases, size_t n)
{
	json_t *sentinel = json_string("untouched");
	size_t i;
	int failed = 0;

	for (i = 0; i < n; i++) {
		struct ferry_tx_reason why;
		json_t *out = sentinel;
		int rc;

		memset(&why, 'x', sizeof(why)); /* must be cleared or filled */
		why.code[sizeof(why.code) - 1] = '\0';
		rc = fn(&out, cases[i].in, ctx, &why);
		assert_true(rc == 0 || rc == FERRY_EINVALID);
		if (rc < 0 && out != sentinel) {
			print_error("%s: '%s': out changed on failure\n", table,
			            cases[i].in);
			failed++;
			continue;
		}
		failed +=
		    check(table, &cases[i], rc, rc < 0 ? NULL : out, &why, ctx);
		if (rc == 0)
			json_decref(out);
	}
	json_decref(sentinel);
	if (failed)
		fail_msg("%s: %d of %zu cases failed", table, failed, n);
}

/* Runs one case and checks the message word for word. */
static void expect_message(tx_fn fn, const struct ferry_tx_ctx *ctx,
                           const char *in, const char *code,
                           const char *message)
{
	struct ferry_tx_reason why;
	json_t *out = NULL;

	assert_int_equal(fn(&out, in, ctx, &why), FERRY_EINVALID);
	assert_null(out);
	assert_string_equal(why.code, code);
	assert_string_equal(why.message, message);
	cases_run++;
}

#define RUN(fn, ctx, cases) run(#cases, fn, ctx, cases, FERRY_ARRAY_LEN(cases))

static void test_text(void **state)
{
	static const struct tcase plain[] = {
	    {"Hello", "\"Hello\"", NULL, NULL},
	    {"", "", NULL, NULL},
	    {NULL, "", NULL, NULL},
	    {"   ", "", NULL, NULL},
	    {"\t\r\n", "", NULL, NULL},
	    {"  padded  ", "\"  padded  \"", NULL, NULL},
	    {"line 1\nline 2", "\"line 1\\nline 2\"", NULL, NULL},
	    {"Z\xC3\xBCrich", "\"Z\xC3\xBCrich\"", NULL, NULL},
	    {"\xE5\x8C\x97\xE4\xBA\xAC", "\"\xE5\x8C\x97\xE4\xBA\xAC\"", NULL,
	     NULL},
	    {"\xF0\x9F\x98\x80 ok", "\"\xF0\x9F\x98\x80 ok\"", NULL, NULL},
	    {"Sean \"Mac\" Forbes", "\"Sean \\\"Mac\\\" Forbes\"", NULL, NULL},
	    {"Key account, renewal due in Q3",
	     "\"Key account, renewal due in Q3\"", NULL, NULL},
	    {"\xFF\xFE", "!not_utf8", NULL, NULL},
	    {"caf\xC3", "!not_utf8", NULL, NULL},
	    {"\xED\xA0\x80", "!not_utf8", NULL, NULL},
	};
	static const struct tcase limited[] = {
	    {"abcde", "\"abcde\"", NULL, NULL},
	    {"abcdef", "!text_too_long", NULL, NULL},
	    {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
	     "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"", NULL, NULL},
	    {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
	     "!text_too_long", NULL, NULL},
	};
	static const struct tcase truncated[] = {
	    {"abcdef", "\"abcde\"", "text_truncated", NULL},
	    {"ab", "\"ab\"", NULL, NULL},
	    {"\xE5\x8C\x97\xE4\xBA\xAC\xE7\xA7\x91\xE6\x8A\x80\xE5\xA4\xA7"
	     "\xE5\xAD\xA6",
	     "\"\xE5\x8C\x97\xE4\xBA\xAC\xE7\xA7\x91\xE6\x8A\x80\xE5\xA4\xA7\"",
	     "text_truncated", NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "Description"};

	(void)state;
	RUN(ferry_tx_text, &ctx, plain);
	RUN(ferry_tx_text, NULL, plain);
	ctx.max_text_chars = 5;
	RUN(ferry_tx_text, &ctx, limited);
	expect_message(ferry_tx_text, &ctx, "abcdef", "text_too_long",
	               "text of 6 characters is longer than the 5 this "
	               "attribute takes: shorten it, or let the mapping "
	               "truncate it");
	ctx.truncate_text = true;
	RUN(ferry_tx_text, &ctx, truncated);
}

static void test_email_domain(void **state)
{
	static const struct tcase emails[] = {
	    {" John.Smith@Acme.com ", "\"John.Smith@Acme.com\"", NULL, NULL},
	    {"ada.lovelace@acme.com", "\"ada.lovelace@acme.com\"", NULL, NULL},
	    {"\tX@Y.org\r\n", "\"X@Y.org\"", NULL, NULL},
	    {"m\xC3\xBCller@beispiel.de", "\"m\xC3\xBCller@beispiel.de\"", NULL,
	     NULL},
	    {"", "", NULL, NULL},
	    {"ada.example.com", "!email_invalid", NULL, NULL},
	    {"a@b@c.com", "!email_invalid", NULL, NULL},
	    {"ada@localhost", "!email_invalid", NULL, NULL},
	    {"ada lovelace@example.com", "!email_invalid", NULL, NULL},
	    {"@example.com", "!email_invalid", NULL, NULL},
	    {"ada@example.com.", "!email_invalid", NULL, NULL},
	    {"ada@\xFF.com", "!email_invalid", NULL, NULL},
	};
	static const struct tcase websites[] = {
	    {"http://www.acme.com/", "\"acme.com\"", NULL, NULL},
	    {"ACME.com/about", "\"acme.com\"", NULL, NULL},
	    {"  WWW.ACME.COM  ", "\"acme.com\"", NULL, NULL},
	    {"https://acme.com", "\"acme.com\"", NULL, NULL},
	    {"https://shop.acme.co.uk:8443/x?y", "\"acme.co.uk\"", NULL, NULL},
	    {"https://www.globex.de", "\"globex.de\"", NULL, NULL},
	    {"mail.google.com", "\"google.com\"", NULL, NULL},
	    {"", "", NULL, NULL},
	    {"gmail.com", "!domain_personal", NULL, NULL},
	    {"https://www.Hotmail.co.uk/", "!domain_personal", NULL, NULL},
	    {"http://192.168.10.5/crm", "!domain_invalid", NULL, NULL},
	    {"n/a", "!domain_invalid", NULL, NULL},
	    {"tyrell", "!domain_invalid", NULL, NULL},
	    {"co.uk", "!domain_invalid", NULL, NULL},
	    {"not a url", "!domain_invalid", NULL, NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "Email"};

	(void)state;
	RUN(ferry_tx_email, &ctx, emails);
	expect_message(ferry_tx_email, &ctx, " ada.example.com",
	               "email_invalid",
	               "email 'ada.example.com' is not an address: it has no "
	               "'@'");
	ctx.field = "Website";
	RUN(ferry_tx_domain, &ctx, websites);
	expect_message(ferry_tx_domain, &ctx, "tyrell", "domain_invalid",
	               "website 'tyrell' has no domain: a domain needs a dot "
	               "(as in 'acme.com')");
	expect_message(ferry_tx_domain, &ctx, "gmail.com", "domain_personal",
	               "website 'gmail.com' is a personal-email provider "
	               "(gmail.com), which never identifies a company");
	/* The thread's error message names the field too. */
	assert_string_equal(ferry_error_last(),
	                    "Website: website 'gmail.com' is a personal-email "
	                    "provider (gmail.com), which never identifies a "
	                    "company");
}

static void test_boolean_select(void **state)
{
	static const struct tcase booleans[] = {
	    {"true", "true", NULL, NULL},   {"false", "false", NULL, NULL},
	    {"TRUE", "true", NULL, NULL},   {"False", "false", NULL, NULL},
	    {"1", "true", NULL, NULL},      {"0", "false", NULL, NULL},
	    {"yes", "true", NULL, NULL},    {"No", "false", NULL, NULL},
	    {" true ", "true", NULL, NULL}, {"", "", NULL, NULL},
	    {"Y", "!boolean_invalid"},      {"2", "!boolean_invalid"},
	    {"truee", "!boolean_invalid"},  {"on", "!boolean_invalid"},
	    {"t", "!boolean_invalid"},      {"-1", "!boolean_invalid"},
	};
	static const struct tcase selects[] = {
	    {"Won", "\"Won\"", NULL, NULL},
	    {" Closed Won ", "\"Closed Won\"", NULL, NULL},
	    {"", "", NULL, NULL},
	    {"Banking & Finance", "\"Banking & Finance\"", NULL, NULL},
	    {"\xC3\x89t\xC3\xA9", "\"\xC3\x89t\xC3\xA9\"", NULL, NULL},
	    {"Customer - Direct", "\"Customer - Direct\"", NULL, NULL},
	    {"\xC0", "!not_utf8", NULL, NULL},
	};
	static const struct tcase multis[] = {
	    {"A;B;C", "[\"A\",\"B\",\"C\"]", NULL, NULL},
	    {"A; B ;;C;A", "[\"A\",\"B\",\"C\"]", NULL, NULL},
	    {";;", "", NULL, NULL},
	    {" ; ", "", NULL, NULL},
	    {"", "", NULL, NULL},
	    {"Single", "[\"Single\"]", NULL, NULL},
	    {"b;a;B", "[\"b\",\"a\",\"B\"]", NULL, NULL},
	    {"\xC3\x89t\xC3\xA9;\xC3\xA9t\xC3\xA9",
	     "[\"\xC3\x89t\xC3\xA9\",\"\xC3\xA9t\xC3\xA9\"]", NULL, NULL},
	    {"Hardware;Software;Hardware", "[\"Hardware\",\"Software\"]", NULL,
	     NULL},
	    {"x\xFF;y", "!not_utf8", NULL, NULL},
	    {"Web;Phone Inquiry;Partner Referral",
	     "[\"Web\",\"Phone Inquiry\",\"Partner Referral\"]", NULL, NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "HasOptedOutOfEmail"};
	struct ferry_buf many = FERRY_BUF_INIT;
	struct ferry_tx_reason why;
	json_t *out = NULL;
	int i;

	(void)state;
	RUN(ferry_tx_boolean, &ctx, booleans);
	expect_message(ferry_tx_boolean, &ctx, "Y", "boolean_invalid",
	               "'Y' is not a checkbox value: use true/false, yes/no or "
	               "1/0");
	ctx.field = "Industry";
	RUN(ferry_tx_select, &ctx, selects);
	ctx.field = "Interests__c";
	RUN(ferry_tx_multiselect, &ctx, multis);
	for (i = 0; i < 1000; i++)
		assert_int_equal(ferry_buf_printf(&many, "v%d;", i), 0);
	assert_int_equal(ferry_tx_multiselect(&out, many.ptr, &ctx, &why),
	                 FERRY_EINVALID);
	assert_string_equal(why.code, "too_many_values");
	ferry_buf_release(&many);
}

static void test_number(void **state)
{
	static const struct tcase exact[] = {
	    {"42", "42", NULL, NULL},
	    {"-1E02", "-100", NULL, NULL},
	    {"1.0E7", "10000000", NULL, NULL},
	    {"1.5e-3", "0.0015", NULL, NULL},
	    {"0.0001", "0.0001", NULL, NULL},
	    {"1.2345", "1.2345", NULL, NULL},
	    {"1.23450", "1.2345", NULL, NULL},
	    {"139000000", "139000000", NULL, NULL},
	    {"-2.5", "-2.5", NULL, NULL},
	    {"100.10", "100.1", NULL, NULL},
	    {"1.0", "1", NULL, NULL},
	    {"-0", "0", NULL, NULL},
	    {"-0.0", "0", NULL, NULL},
	    {"+7", "7", NULL, NULL},
	    {".5", "0.5", NULL, NULL},
	    {"5.", "5", NULL, NULL},
	    {"00042.500", "42.5", NULL, NULL},
	    {" 12 ", "12", NULL, NULL},
	    {"0E999999999999", "0", NULL, NULL},
	    {"999999999999999", "999999999999999", NULL, NULL},
	    {"9.99999999999999E14", "999999999999999", NULL, NULL},
	    {"12345678901.2345", "12345678901.2345", NULL, NULL},
	    {"-12345678901.2345", "-12345678901.2345", NULL, NULL},
	    {"75.5", "75.5", NULL, NULL},
	    {"0.1", "0.1", NULL, NULL},
	    {"", "", NULL, NULL},
	    {"   ", "", NULL, NULL},
	    {"0.00001", "!number_too_precise", NULL, NULL},
	    {"1.23456", "!number_too_precise", NULL, NULL},
	    {"3.14159", "!number_too_precise", NULL, NULL},
	    {"1.5e-5", "!number_too_precise", NULL, NULL},
	    {"1E-400", "!number_too_precise", NULL, NULL},
	    {"123456789012345678", "!number_too_long", NULL, NULL},
	    {"123456789012.3456", "!number_too_long", NULL, NULL},
	    {"1000000000000000", "!number_too_large", NULL, NULL},
	    {"1E15", "!number_too_large", NULL, NULL},
	    {"1E400", "!number_too_large", NULL, NULL},
	    {"-1.0E20", "!number_too_large", NULL, NULL},
	    {"abc", "!number_invalid", NULL, NULL},
	    {"1,000", "!number_invalid", NULL, NULL},
	    {"1.000,50", "!number_invalid", NULL, NULL},
	    {".", "!number_invalid", NULL, NULL},
	    {"1e", "!number_invalid", NULL, NULL},
	    {"1e+", "!number_invalid", NULL, NULL},
	    {"e5", "!number_invalid", NULL, NULL},
	    {"--1", "!number_invalid", NULL, NULL},
	    {"1 2", "!number_invalid", NULL, NULL},
	    {"0x10", "!number_invalid", NULL, NULL},
	    {"inf", "!number_invalid", NULL, NULL},
	    {"NaN", "!number_invalid", NULL, NULL},
	    {"$100", "!number_invalid", NULL, NULL},
	    {"50%", "!number_invalid", NULL, NULL},
	    {"1.2.3", "!number_invalid", NULL, NULL},
	};
	static const struct tcase rounded[] = {
	    {"3.14159", "3.1416", "number_rounded", NULL},
	    {"2.00005", "2.0001", "number_rounded", NULL},
	    {"-2.00005", "-2.0001", "number_rounded", NULL},
	    {"2.00004999", "2", "number_rounded", NULL},
	    {"0.00004", "0", "number_rounded", NULL},
	    {"0.00005", "0.0001", "number_rounded", NULL},
	    {"-0.00004", "0", "number_rounded", NULL},
	    {"9.99995", "10", "number_rounded", NULL},
	    {"1E-400", "0", "number_rounded", NULL},
	    {"1.2345", "1.2345", NULL, NULL},
	    {"42", "42", NULL, NULL},
	    {"99999999999999.99995", "100000000000000", "number_rounded", NULL},
	    {"999999999999999.99995", "!number_too_large", NULL, NULL},
	    {"12345678901234.56789", "!number_too_long", NULL, NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "AnnualRevenue"};
	char buf[FERRY_TX_DECIMAL_MAX];
	struct ferry_tx_reason why;

	(void)state;
	RUN(ferry_tx_number, &ctx, exact);
	expect_message(ferry_tx_number, &ctx, "3.14159", "number_too_precise",
	               "'3.14159' has 5 decimals and Attio keeps 4: round it "
	               "in Salesforce, or let the mapping round it");
	expect_message(ferry_tx_number, &ctx, "1,000", "number_invalid",
	               "'1,000' is not a number: a comma is neither a decimal "
	               "point nor allowed between thousands here");
	ctx.round_decimals = true;
	RUN(ferry_tx_number, &ctx, rounded);

	/* Integers are JSON integers, fractions JSON reals. */
	{
		json_t *out = NULL;

		assert_int_equal(ferry_tx_number(&out, "1.0E7", NULL, &why), 0);
		assert_true(json_is_integer(out));
		assert_int_equal(json_integer_value(out), 10000000);
		json_decref(out);
		assert_int_equal(ferry_tx_number(&out, "4.99", NULL, &why), 0);
		assert_true(json_is_real(out));
		assert_true(json_real_value(out) == 4.99);
		json_decref(out);
	}
	assert_int_equal(
	    ferry_tx_decimal(buf, sizeof(buf), "1.0E7", NULL, &why), 0);
	assert_string_equal(buf, "10000000");
	assert_int_equal(
	    ferry_tx_decimal(buf, sizeof(buf), "-0.50", NULL, &why), 0);
	assert_string_equal(buf, "-0.5");
	assert_int_equal(
	    ferry_tx_decimal(buf, sizeof(buf), "-1E-4", NULL, &why), 0);
	assert_string_equal(buf, "-0.0001");
	assert_int_equal(ferry_tx_decimal(buf, sizeof(buf), " ", NULL, &why),
	                 FERRY_EINVALID);
	assert_string_equal(why.code, "empty");
	cases_run += 4;
}

/* ferry_tx_currency with the record's currency from each case's opt. */
static const struct ferry_tx_ctx *currency_ctx;

static int currency_with(json_t **out, const char *value,
                         const struct ferry_tx_ctx *ctx,
                         struct ferry_tx_reason *why)
{
	(void)ctx;
	return ferry_tx_currency(out, value, currency_ctx, why);
}

static void run_opt(const char *table, tx_fn fn, struct ferry_tx_ctx *ctx,
                    const char **slot, const struct tcase *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*slot = cases[i].opt;
		run(table, fn, ctx, &cases[i], 1);
	}
	*slot = NULL;
}

#define RUN_OPT(fn, ctx, slot, cases)                                          \
	run_opt(#cases, fn, ctx, slot, cases, FERRY_ARRAY_LEN(cases))

static void test_currency(void **state)
{
	static const struct tcase usd[] = {
	    {"4.99", "\"4.99\"", NULL, NULL},
	    {"4.99", "\"4.99\"", NULL, "USD"},
	    {"4.99", "\"4.99\"", NULL, "usd"},
	    {"4.99", "\"4.99\"", NULL, " USD "},
	    {"4.99", "!currency_mismatch", NULL, "EUR"},
	    {"4.99", "!currency_mismatch", NULL, "US"},
	    {"4.99", "!currency_mismatch", NULL, "USDX"},
	    {"139000000", "\"139000000\"", NULL, "USD"},
	    {"1.0E7", "\"10000000\"", NULL, NULL},
	    {"-1E02", "\"-100\"", NULL, NULL},
	    {"0.0001", "\"0.0001\"", NULL, NULL},
	    {"1234567890.1234", "\"1234567890.1234\"", NULL, NULL},
	    {"0.1", "\"0.1\"", NULL, NULL},
	    {"4.90", "\"4.9\"", NULL, NULL},
	    {"4.99999", "!number_too_precise", NULL, NULL},
	    {"", "", NULL, "EUR"},
	    {"abc", "!number_invalid", NULL, "EUR"},
	    {"1E16", "!number_too_large", NULL, "USD"},
	};
	static const struct tcase unknown[] = {
	    {"4.99", "\"4.99\"", NULL, NULL},
	    {"4.99", "\"4.99\"", NULL, ""},
	    {"4.99", "!currency_unchecked", NULL, "EUR"},
	};
	struct ferry_tx_ctx ctx = {.field = "Amount", .currency = "USD"};

	(void)state;
	currency_ctx = &ctx;
	RUN_OPT(currency_with, &ctx, &ctx.record_currency, usd);
	ctx.record_currency = "EUR";
	expect_message(ferry_tx_currency, &ctx, "4.99", "currency_mismatch",
	               "amount 4.99 is in EUR, but the attribute holds USD and "
	               "Attio takes the currency from the attribute: convert "
	               "the amount, or map EUR amounts to an attribute in EUR");
	ctx.currency = NULL;
	RUN_OPT(currency_with, &ctx, &ctx.record_currency, unknown);
	ctx.currency = "EUR";
	ctx.record_currency = "EUR";
	ctx.round_decimals = true;
	{
		static const struct tcase eur[] = {
		    {"4.99999", "\"5\"", "number_rounded", NULL},
		    {"19.995", "\"19.995\"", NULL, NULL},
		    {"0.123456", "\"0.1235\"", "number_rounded", NULL},
		};

		RUN(ferry_tx_currency, &ctx, eur);
	}
}

static void test_date(void **state)
{
	static const struct tcase iso[] = {
	    {"2024-01-31", "\"2024-01-31\"", NULL, NULL},
	    {" 2024-01-31 ", "\"2024-01-31\"", NULL, NULL},
	    {"2024-02-29", "\"2024-02-29\"", NULL, NULL},
	    {"2000-02-29", "\"2000-02-29\"", NULL, NULL},
	    {"9999-12-31", "\"9999-12-31\"", NULL, NULL},
	    {"0001-01-01", "\"0001-01-01\"", NULL, NULL},
	    {"", "", NULL, NULL},
	    {"2024-01-15T18:25:32.000Z", "\"2024-01-15\"", NULL, NULL},
	    {"2013-05-20T20:49:32.000+0000", "\"2013-05-20\"", NULL, NULL},
	    {"2024-01-15T23:30:00.000-0500", "\"2024-01-16\"", NULL, NULL},
	    {"2024-01-16T01:00:00+02:00", "\"2024-01-15\"", NULL, NULL},
	    {"2024-01-15 18:25:32", "\"2024-01-15\"", NULL, NULL},
	    {"2023-02-29", "!date_invalid", NULL, NULL},
	    {"1900-02-29", "!date_invalid", NULL, NULL},
	    {"2100-02-29", "!date_invalid", NULL, NULL},
	    {"2024-13-01", "!date_invalid", NULL, NULL},
	    {"2024-00-10", "!date_invalid", NULL, NULL},
	    {"2024-04-31", "!date_invalid", NULL, NULL},
	    {"2024-01-00", "!date_invalid", NULL, NULL},
	    {"0000-01-01", "!date_invalid", NULL, NULL},
	    {"2024-4-1", "!date_invalid", NULL, NULL},
	    {"01/02/2024", "!date_invalid", NULL, NULL},
	    {"2024-01-31x", "!date_invalid", NULL, NULL},
	    {"20240131", "!date_invalid", NULL, NULL},
	    {"2024", "!date_invalid", NULL, NULL},
	    {"yesterday", "!date_invalid", NULL, NULL},
	    {"0001-01-01T00:30:00+01:00", "!date_out_of_range", NULL, NULL},
	};
	static const struct tcase mdy[] = {
	    {"1/31/2024", "\"2024-01-31\"", NULL, NULL},
	    {"12/25/2024", "\"2024-12-25\"", NULL, NULL},
	    {"02/29/2024", "\"2024-02-29\"", NULL, NULL},
	    {"2024-01-31", "\"2024-01-31\"", NULL, NULL},
	    {"02/29/2023", "!date_invalid", NULL, NULL},
	    {"31/1/2024", "!date_invalid", NULL, NULL},
	    {"1/31/24", "!date_invalid", NULL, NULL},
	    {"1.31.2024", "!date_invalid", NULL, NULL},
	};
	static const struct tcase dmy[] = {
	    {"31/1/2024", "\"2024-01-31\"", NULL, NULL},
	    {"31.12.2024", "\"2024-12-31\"", NULL, NULL},
	    {"29-02-2024", "\"2024-02-29\"", NULL, NULL},
	    {"1/31/2024", "!date_invalid", NULL, NULL},
	    {"31/12-2024", "!date_invalid", NULL, NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "Birthdate"};

	(void)state;
	RUN(ferry_tx_date, &ctx, iso);
	expect_message(ferry_tx_date, &ctx, "2023-02-29", "date_invalid",
	               "'2023-02-29' is not a date: February 2023 has 28 days");
	expect_message(ferry_tx_date, &ctx, "03/04/2024", "date_invalid",
	               "'03/04/2024' is not a date: it is not a date like "
	               "2024-01-31");
	ctx.date_order = FERRY_TX_DATE_MDY;
	RUN(ferry_tx_date, &ctx, mdy);
	ctx.date_order = FERRY_TX_DATE_DMY;
	RUN(ferry_tx_date, &ctx, dmy);
}

static void test_timestamp(void **state)
{
	static const struct tcase utc[] = {
	    {"2024-01-15T18:25:32.000Z", "\"2024-01-15T18:25:32.000Z\"", NULL},
	    {"2013-05-20T20:49:32.000+0000", "\"2013-05-20T20:49:32.000Z\"",
	     NULL},
	    {"2013-05-20T20:49:32.000+00:00", "\"2013-05-20T20:49:32.000Z\"",
	     NULL},
	    {"2024-01-15T18:25:32.000 +0000", "\"2024-01-15T18:25:32.000Z\"",
	     NULL},
	    {"2024-01-15T18:25:32.000-0500", "\"2024-01-15T23:25:32.000Z\"",
	     NULL},
	    {"2024-01-15T22:30:00.000-0500", "\"2024-01-16T03:30:00.000Z\"",
	     NULL},
	    {"2024-01-01T01:00:00+02:00", "\"2023-12-31T23:00:00.000Z\"", NULL},
	    {"2024-03-01T00:30:00+01:00", "\"2024-02-29T23:30:00.000Z\"", NULL},
	    {"2023-03-01T00:30:00+01:00", "\"2023-02-28T23:30:00.000Z\"", NULL},
	    {"2024-02-28T23:30:00-01:00", "\"2024-02-29T00:30:00.000Z\"", NULL},
	    {"2024-12-31T23:59:59.999-00:01", "\"2025-01-01T00:00:59.999Z\"",
	     NULL},
	    {"2024-01-15T05:30:00+05:30", "\"2024-01-15T00:00:00.000Z\"", NULL},
	    {"2024-01-15T12:00:00+14:00", "\"2024-01-14T22:00:00.000Z\"", NULL},
	    {"2024-01-15T18:25:32Z", "\"2024-01-15T18:25:32.000Z\"", NULL},
	    {"2024-01-15t18:25:32z", "\"2024-01-15T18:25:32.000Z\"", NULL},
	    {"2024-01-15T18:25:32.5Z", "\"2024-01-15T18:25:32.500Z\"", NULL},
	    {"2024-01-15T18:25:32,25Z", "\"2024-01-15T18:25:32.250Z\"", NULL},
	    {"2024-01-15T18:25:32.123456Z", "\"2024-01-15T18:25:32.123456Z\"",
	     NULL},
	    {"2024-01-15T18:25:32.123456789Z",
	     "\"2024-01-15T18:25:32.123456789Z\"", NULL},
	    {"2024-01-15T18:25Z", "\"2024-01-15T18:25:00.000Z\"", NULL},
	    {"2024-01-15T18:25:32.000-05", "\"2024-01-15T23:25:32.000Z\"",
	     NULL},
	    {" 2024-01-15T18:25:32.000Z ", "\"2024-01-15T18:25:32.000Z\"",
	     NULL},
	    {"2024-01-15 18:25:32", "\"2024-01-15T18:25:32.000Z\"",
	     "timestamp_assumed_utc"},
	    {"2024-01-15", "\"2024-01-15T00:00:00.000Z\"",
	     "timestamp_assumed_utc"},
	    {"", "", NULL},
	    {"2024-01-15T24:00:00Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:60:00Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:60Z", "!timestamp_invalid", NULL},
	    {"2024-02-30T00:00:00Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32.000+2500", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32.000+05:60", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32.0000000000Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32.Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18Z", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32 PST", "!timestamp_invalid", NULL},
	    {"2024-01-15T18:25:32.000Z junk", "!timestamp_invalid", NULL},
	    {"15/01/2024 18:25", "!timestamp_invalid", NULL},
	    {"yesterday", "!timestamp_invalid", NULL},
	    {"0001-01-01T00:30:00+01:00", "!timestamp_out_of_range", NULL},
	    {"9999-12-31T23:00:00-05:00", "!timestamp_out_of_range", NULL},
	};
	static const struct tcase zoned[] = {
	    {"2024-01-15", "\"2024-01-14T22:00:00.000Z\"", NULL, "+02:00"},
	    {"2024-01-15 10:00:00", "\"2024-01-15T08:00:00.000Z\"", NULL,
	     "+02:00"},
	    {"2024-01-15T10:00:00Z", "\"2024-01-15T10:00:00.000Z\"", NULL,
	     "+02:00"},
	    {"2024-01-15", "\"2024-01-15T05:00:00.000Z\"", NULL, "-0500"},
	    {"2024-03-01", "\"2024-02-29T23:00:00.000Z\"", NULL, "UTC+1"},
	    {"2024-01-15", "\"2024-01-15T00:00:00.000Z\"", NULL, "UTC"},
	    {"2024-01-15", "\"2024-01-14T18:30:00.000Z\"", NULL, "+05:30"},
	    {"2024-01-15", "!timezone_invalid", NULL, "Europe/Paris"},
	    {"2024-01-15", "!timezone_invalid", NULL, "CET"},
	    {"2024-01-15T10:00:00Z", "\"2024-01-15T10:00:00.000Z\"", NULL,
	     "Europe/Paris"},
	    {"0001-01-01", "!timestamp_out_of_range", NULL, "+01:00"},
	    {"0001-01-01", "\"0001-01-01T01:00:00.000Z\"", NULL, "-01:00"},
	};
	struct ferry_tx_ctx ctx = {.field = "CreatedDate"};

	(void)state;
	RUN(ferry_tx_timestamp, &ctx, utc);
	RUN_OPT(ferry_tx_timestamp, &ctx, &ctx.time_zone, zoned);
	ctx.time_zone = "Europe/Paris";
	expect_message(ferry_tx_timestamp, &ctx, "2024-01-15",
	               "timezone_invalid",
	               "time zone 'Europe/Paris' is a named zone: ferry takes "
	               "fixed offsets only (such as '+01:00' or 'UTC'), as "
	               "daylight-saving rules would need the zone database");
}

static void test_zone_offset(void **state)
{
	static const struct {
		const char *zone;
		int minutes; /* INT32_MIN: refused */
	} zones[] = {
	    {"Z", 0},
	    {"UTC", 0},
	    {"utc", 0},
	    {"GMT", 0},
	    {"Etc/UTC", 0},
	    {" +02:00 ", 120},
	    {"+0200", 120},
	    {"+02", 120},
	    {"+2", 120},
	    {"-0500", -300},
	    {"UTC+2", 120},
	    {"GMT-05:30", -330},
	    {"+05:45", 345},
	    {"+14:00", 840},
	    {"+18:00", 1080},
	    {"-00:00", 0},
	    {"utc-3", -180},
	    {"Europe/Paris", INT32_MIN},
	    {"+19:00", INT32_MIN},
	    {"+02:60", INT32_MIN},
	    {"2", INT32_MIN},
	    {"", INT32_MIN},
	    {NULL, INT32_MIN},
	    {"+", INT32_MIN},
	    {"UTC+", INT32_MIN},
	    {"+123", INT32_MIN},
	    {"+02:0", INT32_MIN},
	    {"+1800", 1080},
	    {"EST", INT32_MIN},
	    {"+02:00:00", INT32_MIN},
	};
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(zones); i++) {
		int m = 12345, rc = ferry_tx_zone_offset(zones[i].zone, &m);

		if (zones[i].minutes == INT32_MIN) {
			if (rc != FERRY_EINVALID || m != 12345)
				fail_msg("zone '%s' should be refused",
				         zones[i].zone);
		} else if (rc != 0 || m != zones[i].minutes) {
			fail_msg("zone '%s': want %d, got %d (rc %d)",
			         zones[i].zone, zones[i].minutes, m, rc);
		}
		cases_run++;
	}
}

static int phone_with(json_t **out, const char *value,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why)
{
	return ferry_tx_phone(out, value, ctx, why);
}

static void test_phone_international(void **state)
{
	static const struct tcase plus[] = {
	    {"+44 20 7946 0100", "\"+442079460100\""},
	    {"+33 1 42 14 20 00", "\"+33142142000\""},
	    {"+49 30 5550 142", "\"+49305550142\""},
	    {"+49 89 5550 12", "\"+4989555012\""},
	    {"+47 70 55 50 00", "\"+4770555000\""},
	    {"+55 11 5555-0100", "\"+551155550100\""},
	    {"+81 3-5555-0100", "\"+81355550100\""},
	    {"+81 6-5555-0100", "\"+81655550100\""},
	    {"+86 10 5555 0100", "\"+861055550100\""},
	    {"+44 117 555 0100", "\"+441175550100\""},
	    {"+44 161 555 0101", "\"+441615550101\""},
	    {"+44 (0)20 7946 0100", "\"+442079460100\""},
	    {"+49 (0) 30 5550 142", "\"+49305550142\""},
	    {"0044 20 7946 0100", "\"+442079460100\""},
	    {"+1 (415) 555-0100", "\"+14155550100\""},
	    {"+1 800 356 9377", "\"+18003569377\""},
	    {"+91 98765 43210", "\"+919876543210\""},
	    {"+61 2 9374 4000", "\"+61293744000\""},
	    {"+1\xC2\xA0"
	     "415\xC2\xA0"
	     "555\xC2\xA0"
	     "0100",
	     "\"+14155550100\""},
	    {"+1 415\xE2\x80\x93"
	     "555\xE2\x80\x93"
	     "0100",
	     "\"+14155550100\""},
	    {"+1.415.555.0100", "\"+14155550100\""},
	    {"+1/415/555/0100", "\"+14155550100\""},
	    {"(+49) 30 5550 142", "\"+49305550142\""},
	    {"+971 4 555 0100", "\"+97145550100\""},
	    {"+353 1 555 0100", "\"+35315550100\""},
	    {"+852 5555 0100", "\"+85255550100\""},
	    {"", ""},
	    {"   ", ""},
	    {"(415) 555-0100", "!phone_no_country"},
	    {"07234 172834", "!phone_no_country"},
	    {"+1 415 555 010", "!phone_length"},
	    {"+1 415 555 01000", "!phone_length"},
	    {"+12", "!phone_length"},
	    {"+123456789012345678", "!phone_length"},
	    {"+44 20", "!phone_length"},
	    {"+0 123 456 789", "!phone_invalid"},
	    {"0000 123 456 789", "!phone_invalid"},
	    {"+44 20 7946 0100 x123", "!phone_extension"},
	    {"+44 20 7946 0100 ext. 12", "!phone_extension"},
	    {"+1 415 555 0100 #9", "!phone_extension"},
	    {"n/a", "!phone_invalid"},
	    {"unknown", "!phone_invalid"},
	    {"1-800-FLOWERS", "!phone_invalid"},
	    {"++44 20 7946 0100", "!phone_invalid"},
	    {"+44 20 7946 0100 (mobile)", "!phone_invalid"},
	    {"+44 20 7946+0100", "!phone_invalid"},
	    {"\xFF", "!phone_invalid"},
	    {"+", "!phone_invalid"},
	    {"12345678901234567890123456", "!phone_invalid"},
	};
	struct ferry_tx_ctx ctx = {.field = "Phone"};

	(void)state;
	RUN(phone_with, &ctx, plus);
	expect_message(ferry_tx_phone, &ctx, "07234 172834", "phone_no_country",
	               "phone '07234 172834' has no + prefix and the record "
	               "has no country: add a country or a default_country to "
	               "the mapping");
	expect_message(ferry_tx_phone, &ctx, "+44 20 7946 0100 x123",
	               "phone_extension",
	               "phone '+44 20 7946 0100 x123' has an extension (123), "
	               "which Attio's phone numbers cannot hold: remove it, or "
	               "let the mapping drop extensions");
	expect_message(ferry_tx_phone, &ctx, "1-800-FLOWERS", "phone_invalid",
	               "phone '1-800-FLOWERS' has characters a phone number "
	               "cannot have ('F')");
}

#define NAT(num, cc)                                                           \
	"{\"original_phone_number\":\"" num "\",\"country_code\":\"" cc "\"}"

static void test_phone_national(void **state)
{
	static const struct tcase national[] = {
	    {"(415) 555-0100", NAT("(415) 555-0100", "US"), NULL,
	     "United States"},
	    {"415.555.0100", NAT("415.555.0100", "US"), NULL, "USA"},
	    {"512-555-0199", NAT("512-555-0199", "US"), NULL, "US"},
	    {"1-415-555-0100", NAT("1-415-555-0100", "US"), NULL, "U.S."},
	    {"555-0100", "!phone_length", NULL, "United States"},
	    {"1-555-0100", "!phone_length", NULL, "United States"},
	    {"011 44 20 7946 0100", "\"+442079460100\"", NULL, "USA"},
	    {"+44 20 7946 0100", "\"+442079460100\"", NULL, "USA"},
	    {"(415) 555-0100 x204", "!phone_extension", NULL, "USA"},
	    {"(416) 555-0100", NAT("(416) 555-0100", "CA"), NULL, "Canada"},
	    {"01225 555 010", NAT("01225 555 010", "GB"), NULL,
	     "United Kingdom"},
	    {"07234 172834", NAT("07234 172834", "GB"), NULL, "UK"},
	    {"020 7946 0100", NAT("020 7946 0100", "GB"), NULL, "England"},
	    {"07234172834", NAT("07234172834", "GB"), NULL, "GB"},
	    {"030 5550142", NAT("030 5550142", "DE"), NULL, "Germany"},
	    {"089 555012", NAT("089 555012", "DE"), NULL, "Deutschland"},
	    {"01 42 14 20 00", NAT("01 42 14 20 00", "FR"), NULL, "France"},
	    {"02 1234 5678", NAT("02 1234 5678", "IT"), NULL, "Italy"},
	    {"03-5555-0100", NAT("03-5555-0100", "JP"), NULL, "Japan"},
	    {"70 55 50 00", NAT("70 55 50 00", "NO"), NULL, "Norway"},
	    {"(11) 5555-0100", NAT("(11) 5555-0100", "BR"), NULL, "Brazil"},
	    {"010 5555 0100", NAT("010 5555 0100", "CN"), NULL,
	     "\xE4\xB8\xAD\xE5\x9B\xBD"},
	    {"0612 345 678", NAT("0612 345 678", "NL"), NULL, "Netherlands"},
	    {"91 123 45 67", NAT("91 123 45 67", "ES"), NULL,
	     "Espa\xC3\xB1"
	     "a"},
	    {"(02) 9374 4000", NAT("(02) 9374 4000", "AU"), NULL, "Australia"},
	    {"98765 43210", NAT("98765 43210", "IN"), NULL, "India"},
	    {"0044 20 7946 0100", "\"+442079460100\"", NULL, "Germany"},
	    {"555 0100", "!phone_bad_country", NULL, "Atlantis"},
	    {"555 0100", "!phone_country_unsupported", NULL, "Antarctica"},
	    {"12", "!phone_length", NULL, "Germany"},
	    {"0 0", "!phone_length", NULL, "Germany"},
	};
	static const struct tcase fallback[] = {
	    {"07234 172834", NAT("07234 172834", "GB"), NULL, NULL},
	    {"(415) 555-0100", NAT("(415) 555-0100", "US"), NULL, "USA"},
	    {"07234 172834", "!phone_bad_country", NULL, "Narnia"},
	};
	static const struct tcase dropping[] = {
	    {"(415) 555-0100 x204", NAT("(415) 555-0100", "US"),
	     "phone_extension_dropped", NULL},
	    {"+1 415 555 0100 ext. 204", "\"+14155550100\"",
	     "phone_extension_dropped", NULL},
	    {"(415) 555-0100 Extension: 7", NAT("(415) 555-0100", "US"),
	     "phone_extension_dropped", NULL},
	    {"(415) 555-0100", NAT("(415) 555-0100", "US"), NULL, NULL},
	    {"555-0100 x204", "!phone_length", NULL, NULL},
	    {"(415) 555-0100 x", "!phone_invalid", NULL, NULL},
	};
	struct ferry_tx_ctx ctx = {.field = "MobilePhone"};

	(void)state;
	RUN_OPT(phone_with, &ctx, &ctx.country, national);
	expect_message(ferry_tx_phone, &(struct ferry_tx_ctx){.country = "USA"},
	               "555-0100", "phone_length",
	               "phone '555-0100' has 7 digits; a number in US has 10 "
	               "(with its area code)");
	expect_message(ferry_tx_phone,
	               &(struct ferry_tx_ctx){.country = "Atlantis"},
	               "555 0100", "phone_bad_country",
	               "phone '555 0100' has no + prefix and the record's "
	               "country, 'Atlantis', is not a country ferry knows: "
	               "correct it, or give the number with its + prefix");
	ctx.default_country = "GB";
	RUN_OPT(phone_with, &ctx, &ctx.country, fallback);
	ctx.default_country = "Narnia";
	ctx.country = NULL;
	expect_message(ferry_tx_phone, &ctx, "07234 172834",
	               "phone_bad_country",
	               "phone '07234 172834' has no + prefix and the mapping's "
	               "default_country, 'Narnia', is not a country ferry "
	               "knows: correct it, or give the number with its + "
	               "prefix");
	ctx.default_country = "US";
	ctx.drop_extension = true;
	RUN(phone_with, &ctx, dropping);
}

static void test_phone_e164(void **state)
{
	static const struct {
		const char *in, *country, *want;
	} cases[] = {
	    {"01225 555 010", "GB", "+441225555010"},
	    {"02 1234 5678", "Italy", "+390212345678"},
	    {"(415) 555-0100", "US", "+14155550100"},
	    {"1-415-555-0100", "US", "+14155550100"},
	    {"030 5550142", "DE", "+49305550142"},
	    {"06 1 234 5678", "Hungary", "+3612345678"},
	    {"8 495 123-45-67", "Russia", "+74951234567"},
	    {"03-5555-0100", "Japan", "+81355550100"},
	    {"70 55 50 00", "Norway", "+4770555000"},
	    {"(11) 5555-0100", "Brazil", "+551155550100"},
	    {"0612 345 678", "NL", "+31612345678"},
	    {"91 123 45 67", "Spain", "+34911234567"},
	    {"(0)20 7946 0100", "GB", "+442079460100"},
	    {"+44 (0)20 7946 0100", NULL, "+442079460100"},
	    {"(415) 555-0100", "Canada", "+14155550100"},
	};
	char e164[FERRY_TX_E164_MAX];
	struct ferry_tx_reason why;
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		struct ferry_tx_ctx ctx = {.country = cases[i].country};

		if (ferry_tx_phone_e164(e164, cases[i].in, &ctx, &why) < 0)
			fail_msg("'%s': %s", cases[i].in, why.message);
		assert_string_equal(e164, cases[i].want);
		cases_run++;
	}
	assert_int_equal(ferry_tx_phone_e164(e164, "", NULL, &why),
	                 FERRY_EINVALID);
	assert_string_equal(why.code, "empty");
	cases_run++;
}

static void test_country_code(void **state)
{
	static const struct {
		const char *name, *iso; /* iso NULL: not recognized */
	} cases[] = {
	    {"United States", "US"},
	    {"USA", "US"},
	    {"U.S.", "US"},
	    {"U.S.A.", "US"},
	    {"united states of america", "US"},
	    {"  United   Kingdom ", "GB"},
	    {"UK", "GB"},
	    {"gb", "GB"},
	    {"GBR", "GB"},
	    {"Great Britain", "GB"},
	    {"Deutschland", "DE"},
	    {"DEU", "DE"},
	    {"Holland", "NL"},
	    {"The Netherlands", "NL"},
	    {"Korea", "KR"},
	    {"KOREA, REPUBLIC OF", "KR"},
	    {"North Korea", "KP"},
	    {"Russia", "RU"},
	    {"\xD0\xA0\xD0\xBE\xD1\x81\xD1\x81\xD0\xB8\xD1\x8F", "RU"},
	    {"T\xC3\xBCrkiye", "TR"},
	    {"Turkey", "TR"},
	    {"Viet Nam", "VN"},
	    {"Vietnam", "VN"},
	    {"Hong Kong", "HK"},
	    {"Taiwan", "TW"},
	    {"Espa\xC3\xB1"
	     "a",
	     "ES"},
	    {"ESPA\xC3\x91"
	     "A",
	     "ES"},
	    {"\xC3\x96STERREICH", "AT"},
	    {"Schweiz", "CH"},
	    {"UAE", "AE"},
	    {"Czech Republic", "CZ"},
	    {"Czechia", "CZ"},
	    {"C\xC3\xB4te d'Ivoire", "CI"},
	    {"C\xC3\xB4te d\xE2\x80\x99Ivoire", "CI"},
	    {"Ivory Coast", "CI"},
	    {"Bolivia", "BO"},
	    {"Iran", "IR"},
	    {"Macedonia", "MK"},
	    {"Congo", "CG"},
	    {"DR Congo", "CD"},
	    {"the Gambia", "GM"},
	    {"St. Lucia", "LC"},
	    {"Saint Lucia", "LC"},
	    {"bosnia & herzegovina", "BA"},
	    {"Trinidad and Tobago", "TT"},
	    {"\xE4\xB8\xAD\xE5\x9B\xBD", "CN"},
	    {"\xE6\x97\xA5\xE6\x9C\xAC", "JP"},
	    {"Brasil", "BR"},
	    {"M\xC3\xA9xico", "MX"},
	    {"Norway", "NO"},
	    {"Japan", "JP"},
	    {"Atlantis", NULL},
	    {"", NULL},
	    {NULL, NULL},
	    {"XK", NULL},
	    {"EU", NULL},
	    {"Europe", NULL},
	    {"California", NULL},
	    {"the", NULL},
	    {"...", NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		const char *got = ferry_tx_country_code(cases[i].name);

		if (cases[i].iso ? !got || strcmp(got, cases[i].iso) : !!got)
			fail_msg("country '%s': want %s, got %s",
			         cases[i].name ? cases[i].name : "(null)",
			         cases[i].iso ? cases[i].iso : "none",
			         got ? got : "none");
		cases_run++;
	}
}

struct lcase {
	struct ferry_tx_address a;
	const char *want;
	const char *note;
};

#define LOC(l1, l2, l3, l4, loc, reg, pc, cc, lat, lon)                        \
	"{\"line_1\":" l1 ",\"line_2\":" l2 ",\"line_3\":" l3                  \
	",\"line_4\":" l4 ",\"locality\":" loc ",\"region\":" reg              \
	",\"postcode\":" pc ",\"country_code\":" cc ",\"latitude\":" lat       \
	",\"longitude\":" lon "}"
#define N "null"

static void test_location(void **state)
{
	static const struct lcase cases[] = {
	    {{.street = "100 Main Street",
	      .city = "San Francisco",
	      .state = "CA",
	      .postal_code = "94105",
	      .country = "United States"},
	     LOC("\"100 Main Street\"", N, N, N, "\"San Francisco\"", "\"CA\"",
	         "\"94105\"", "\"US\"", N, N)},
	    {{.street = "1 Canada Square\nLevel 39",
	      .city = "London",
	      .postal_code = "E14 5AB",
	      .country = "United Kingdom"},
	     LOC("\"1 Canada Square\"", "\"Level 39\"", N, N, "\"London\"", N,
	         "\"E14 5AB\"", "\"GB\"", N, N)},
	    {{.street = "A\r\nB\n\n  C  \nD\nE\nF"},
	     LOC("\"A\"", "\"B\"", "\"C\"", "\"D, E, F\"", N, N, N, N, N, N)},
	    {{.city = "X", .country = "Atlantis"},
	     LOC(N, N, N, N, "\"X\"", N, N, N, N, N),
	     "country_unknown"},
	    {{.country = "Atlantis"}, "", "country_unknown"},
	    {{0}, "", NULL},
	    {{.street = "  ", .city = "\t", .country = ""}, "", NULL},
	    {{.country = "Germany", .country_code = "DE"},
	     LOC(N, N, N, N, N, N, N, "\"DE\"", N, N)},
	    {{.country = "France", .country_code = "XX"},
	     LOC(N, N, N, N, N, N, N, "\"FR\"", N, N)},
	    {{.country_code = "jp"}, LOC(N, N, N, N, N, N, N, "\"JP\"", N, N)},
	    {{.city = "San Francisco",
	      .latitude = "37.7749",
	      .longitude = "-122.4194"},
	     LOC(N, N, N, N, "\"San Francisco\"", N, N, N, "\"37.7749\"",
	         "\"-122.4194\"")},
	    {{.city = "Nowhere", .latitude = "91", .longitude = "0"},
	     LOC(N, N, N, N, "\"Nowhere\"", N, N, N, N, N),
	     "coordinates_invalid"},
	    {{.city = "Nowhere", .latitude = "45"},
	     LOC(N, N, N, N, "\"Nowhere\"", N, N, N, N, N),
	     "coordinates_invalid"},
	    {{.city = "Nowhere", .latitude = "1e2", .longitude = "3"},
	     LOC(N, N, N, N, "\"Nowhere\"", N, N, N, N, N),
	     "coordinates_invalid"},
	    {{.state_code = "NY"}, LOC(N, N, N, N, N, "\"NY\"", N, N, N, N)},
	    {{.state = "New York", .state_code = "NY"},
	     LOC(N, N, N, N, N, "\"New York\"", N, N, N, N)},
	    {{.city = "S\xC3\xA3o Paulo", .state = "SP", .country = "Brazil"},
	     LOC(N, N, N, N, "\"S\xC3\xA3o Paulo\"", "\"SP\"", N, "\"BR\"", N,
	         N)},
	    {{.city = "\xE6\x9D\xB1\xE4\xBA\xAC", .country = "Japan"},
	     LOC(N, N, N, N, "\"\xE6\x9D\xB1\xE4\xBA\xAC\"", N, N, "\"JP\"", N,
	         N)},
	    {{.street = "Friedrichstra\xC3\x9F"
	                "e 1",
	      .city = "Berlin",
	      .postal_code = "10117",
	      .country = "Deutschland"},
	     LOC("\"Friedrichstra\xC3\x9F"
	         "e 1\"",
	         N, N, N, "\"Berlin\"", N, "\"10117\"", "\"DE\"", N, N)},
	    {{.street = "bad \xFF byte"}, "!not_utf8", NULL},
	    {{.city = "Atlantis City",
	      .country = "Atlantis",
	      .latitude = "x",
	      .longitude = "y"},
	     LOC(N, N, N, N, "\"Atlantis City\"", N, N, N, N, N),
	     "country_unknown"},
	};
	struct ferry_tx_ctx ctx = {.field = "BillingAddress"};
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		struct ferry_tx_reason why;
		struct tcase c = {cases[i].a.city ? cases[i].a.city : "",
		                  cases[i].want, cases[i].note, NULL};
		json_t *out = NULL;
		int rc = ferry_tx_location(&out, &cases[i].a, &ctx, &why);

		failed += check("location", &c, rc, out, &why, &ctx);
		json_decref(out);
	}
	if (failed)
		fail_msg("location: %d cases failed", failed);

	/* Two notes overflow the message: the cut never splits a UTF-8
	 * character, whatever the lengths. */
	for (i = 10; i < 30; i++) {
		struct ferry_buf country = FERRY_BUF_INIT, e = FERRY_BUF_INIT;
		struct ferry_tx_address a = {.city = "x"};
		struct ferry_tx_reason why;
		json_t *out = NULL;
		size_t k;

		for (k = 0; k < i; k++)
			assert_int_equal(ferry_buf_puts(&country, "\xC3\xA9"),
			                 0);
		for (k = 0; k < 40; k++)
			assert_int_equal(ferry_buf_puts(&e, "\xE2\x82\xAC"), 0);
		a.country = country.ptr;
		a.latitude = e.ptr;
		a.longitude = e.ptr;
		assert_int_equal(ferry_tx_location(&out, &a, &ctx, &why), 0);
		assert_string_equal(why.code, "country_unknown");
		assert_true(strstr(why.message, "; coordinates '") != NULL);
		assert_true(
		    ferry_utf8_valid(why.message, strlen(why.message), NULL));
		json_decref(out);
		ferry_buf_release(&country);
		ferry_buf_release(&e);
		cases_run++;
	}
}

struct ncase {
	const char *first, *last, *full;
	const char *want;
};

#define NAME(f, l, n)                                                          \
	"{\"first_name\":\"" f "\",\"last_name\":\"" l "\",\"full_name\":\"" n \
	"\"}"

static void test_name(void **state)
{
	static const struct ncase cases[] = {
	    {"Ada", "Lovelace", NULL, NAME("Ada", "Lovelace", "Ada Lovelace")},
	    {"Wile E.", "Coyote", "",
	     NAME("Wile E.", "Coyote", "Wile E. Coyote")},
	    {NULL, "Coyote", NULL, NAME("", "Coyote", "Coyote")},
	    {"Cher", "", "", NAME("Cher", "", "Cher")},
	    {"  Ada ", " Lovelace ", NULL,
	     NAME("Ada", "Lovelace", "Ada Lovelace")},
	    {"Ada", "Lovelace", "Countess Ada Lovelace",
	     NAME("Ada", "Lovelace", "Countess Ada Lovelace")},
	    {"", "", "Ada Lovelace", NAME("Ada", "Lovelace", "Ada Lovelace")},
	    {"", "", "Lovelace, Ada", NAME("Ada", "Lovelace", "Ada Lovelace")},
	    {"", "", "Lovelace,Ada", NAME("Ada", "Lovelace", "Ada Lovelace")},
	    {"", "", "Smith,", NAME("", "Smith", "Smith")},
	    {"", "", "Madonna", NAME("", "Madonna", "Madonna")},
	    {"", "", "Martin Luther King Jr.",
	     NAME("Martin Luther", "King Jr.", "Martin Luther King Jr.")},
	    {"", "", "Henry Ford II",
	     NAME("Henry", "Ford II", "Henry Ford II")},
	    {"", "", "Jr.", NAME("", "Jr.", "Jr.")},
	    {"", "", "Jean-Luc Picard",
	     NAME("Jean-Luc", "Picard", "Jean-Luc Picard")},
	    {"", "",
	     "  Jos\xC3\xA9   Garc\xC3\xAD"
	     "a  ",
	     NAME("Jos\xC3\xA9",
	          "Garc\xC3\xAD"
	          "a",
	          "Jos\xC3\xA9   Garc\xC3\xAD"
	          "a")},
	    {"\xE5\xA4\xAA\xE9\x83\x8E", "\xE5\xB1\xB1\xE7\x94\xB0", NULL,
	     NAME("\xE5\xA4\xAA\xE9\x83\x8E", "\xE5\xB1\xB1\xE7\x94\xB0",
	          "\xE5\xA4\xAA\xE9\x83\x8E \xE5\xB1\xB1\xE7\x94\xB0")},
	    {"Sean \"Mac\"", "Forbes", NULL,
	     NAME("Sean \\\"Mac\\\"", "Forbes", "Sean \\\"Mac\\\" Forbes")},
	    {"", "", "", ""},
	    {NULL, NULL, NULL, ""},
	    {" ", "\t", " ", ""},
	    {"\xFF", "x", NULL, "!not_utf8"},
	    {"", "", "a\xC3", "!not_utf8"},
	};
	struct ferry_tx_ctx ctx = {.field = "Name"};
	size_t i;
	int failed = 0;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(cases); i++) {
		struct ferry_tx_reason why;
		struct tcase c = {cases[i].full ? cases[i].full : "",
		                  cases[i].want, NULL, NULL};
		json_t *out = NULL;
		int rc = ferry_tx_name(&out, cases[i].first, cases[i].last,
		                       cases[i].full, &ctx, &why);

		failed += check("name", &c, rc, out, &why, &ctx);
		json_decref(out);
	}
	if (failed)
		fail_msg("name: %d cases failed", failed);
}

/* Appends one transform's result to the golden text. */
static void golden_line(struct ferry_buf *g, const char *what, int rc,
                        json_t *out, const struct ferry_tx_reason *why)
{
	char *r = result(rc, out, why);

	assert_int_equal(ferry_buf_printf(g, "  %s %s%s%s\n", what,
	                                  r[0] ? r : "-",
	                                  why->code[0] && rc == 0 ? " ~" : "",
	                                  rc == 0 ? why->code : ""),
	                 0);
	free(r);
	json_decref(out);
}

static const char *col(struct ferry_csv *c, const char *name)
{
	long i = ferry_csv_column_index(c, name);

	return i < 0 ? "" : ferry_csv_field(c, (size_t)i);
}

/* Every record of one sample-org file through the transforms its fields
 * would take, one block per record. */
static void golden_file(struct ferry_buf *g, const char *object,
                        const char *prefix)
{
	char *path = ferry_xasprintf("%s/examples/sample-org/%s.csv",
	                             test_source_dir(), object);
	struct ferry_csv *c = NULL;
	char country[32], street[32], city[32], state_[32], postal[40];

	snprintf(country, sizeof(country), "%sCountry", prefix);
	snprintf(street, sizeof(street), "%sStreet", prefix);
	snprintf(city, sizeof(city), "%sCity", prefix);
	snprintf(state_, sizeof(state_), "%sState", prefix);
	snprintf(postal, sizeof(postal), "%sPostalCode", prefix);
	assert_int_equal(ferry_csv_open(&c, path), 0);
	while (ferry_csv_next(c) == 1) {
		struct ferry_tx_ctx ctx = {.country = col(c, country)};
		struct ferry_tx_address a = {
		    .street = col(c, street),
		    .city = col(c, city),
		    .state = col(c, state_),
		    .postal_code = col(c, postal),
		    .country = col(c, country),
		};
		struct ferry_tx_reason why;
		json_t *out = NULL;
		int rc;

		assert_int_equal(
		    ferry_buf_printf(g, "%s %s\n", object, col(c, "Id")), 0);
		rc = ferry_tx_phone(&out, col(c, "Phone"), &ctx, &why);
		golden_line(g, "phone", rc, out, &why);
		out = NULL;
		rc = ferry_tx_location(&out, &a, &ctx, &why);
		golden_line(g, "location", rc, out, &why);
		out = NULL;
		if (ferry_csv_column_index(c, "LastName") >= 0) {
			rc =
			    ferry_tx_name(&out, col(c, "FirstName"),
			                  col(c, "LastName"), NULL, &ctx, &why);
			golden_line(g, "name", rc, out, &why);
			out = NULL;
			rc = ferry_tx_email(&out, col(c, "Email"), &ctx, &why);
			golden_line(g, "email", rc, out, &why);
			out = NULL;
		} else {
			rc = ferry_tx_domain(&out, col(c, "Website"), &ctx,
			                     &why);
			golden_line(g, "domain", rc, out, &why);
			out = NULL;
			rc = ferry_tx_select(&out, col(c, "Industry"), &ctx,
			                     &why);
			golden_line(g, "industry", rc, out, &why);
			out = NULL;
		}
		rc =
		    ferry_tx_timestamp(&out, col(c, "CreatedDate"), &ctx, &why);
		golden_line(g, "created", rc, out, &why);
		cases_run += 5;
	}
	ferry_csv_free(c);
	free(path);
}

/* The sample org against its golden file; FERRY_UPDATE_GOLDEN=1 rewrites
 * the file instead (review the diff before committing it). */
static void test_sample_org_golden(void **state)
{
	struct ferry_buf got = FERRY_BUF_INIT, want = FERRY_BUF_INIT;
	char *path = ferry_xasprintf("%s/tests/golden/transform/sample_org.txt",
	                             test_source_dir());
	const char *update = getenv("FERRY_UPDATE_GOLDEN");
	size_t line = 1, i;

	(void)state;
	golden_file(&got, "Account", "Billing");
	golden_file(&got, "Contact", "Mailing");
	if (update && !strcmp(update, "1")) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_int_equal(fwrite(got.ptr, 1, got.len, f), got.len);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(test_read_file(&want, path), 0);
	for (i = 0; i < got.len && i < want.len && got.ptr[i] == want.ptr[i];
	     i++)
		if (got.ptr[i] == '\n')
			line++;
	if (i < got.len || i < want.len)
		fail_msg("%s differs from the transforms at line %zu: "
		         "got '%.120s', want '%.120s' (FERRY_UPDATE_GOLDEN=1 "
		         "rewrites it)",
		         path, line, got.ptr + (i > 40 ? i - 40 : 0),
		         want.ptr + (i > 40 ? i - 40 : 0));
	ferry_buf_release(&got);
	ferry_buf_release(&want);
	free(path);
}

static int report(void **state)
{
	(void)state;
	print_message("transform: %zu golden cases\n", cases_run);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_email_domain),
	    cmocka_unit_test(test_boolean_select),
	    cmocka_unit_test(test_number),
	    cmocka_unit_test(test_currency),
	    cmocka_unit_test(test_date),
	    cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_zone_offset),
	    cmocka_unit_test(test_phone_international),
	    cmocka_unit_test(test_phone_national),
	    cmocka_unit_test(test_phone_e164),
	    cmocka_unit_test(test_country_code),
	    cmocka_unit_test(test_location),
	    cmocka_unit_test(test_name),
	    cmocka_unit_test(test_sample_org_golden),
	};

	return cmocka_run_group_tests(tests, NULL, report);
}
