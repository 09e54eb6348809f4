/* normalize.c: tests of the match keys: registrable domains from whatever
 * people type into Website, email addresses, personal-email providers. */
#include "helpers.h"
#include "util.h"

#include "ferry/csv.h"
#include "ferry/normalize.h"

static void expect_domain(const char *website, const char *want)
{
	struct ferry_buf out = FERRY_BUF_INIT;

	if (ferry_normalize_domain(&out, website) < 0)
		fail_msg("'%s': %s", website, ferry_error_last());
	assert_string_equal(out.ptr, want);
	ferry_buf_release(&out);
}

static void expect_no_domain(const char *website, const char *message)
{
	struct ferry_buf out = FERRY_BUF_INIT;

	assert_int_equal(ferry_buf_puts(&out, "untouched"), 0);
	assert_int_equal(ferry_normalize_domain(&out, website), FERRY_EINVALID);
	assert_string_equal(out.ptr, "untouched");
	assert_string_equal(ferry_error_last(), message);
	ferry_buf_release(&out);
}

static void test_domain_spellings(void **state)
{
	(void)state;
	expect_domain("http://www.acme.com/", "acme.com");
	expect_domain("ACME.com/about", "acme.com");
	expect_domain("https://acme.com", "acme.com");
	expect_domain("https://shop.acme.co.uk:8443/x?y#z", "acme.co.uk");
	expect_domain("  www.Acme.com  ", "acme.com");
	expect_domain("acme.com.", "acme.com");
	expect_domain("acme.com:8080", "acme.com");
	expect_domain("http://www.Acme.co.uk/about", "acme.co.uk");
	expect_domain("https://user:pw@www.acme.com/", "acme.com");
	expect_domain("//acme.com/x", "acme.com");
	expect_domain("acme.com?ref=1", "acme.com");
	expect_domain("HTTPS://WWW.GLOBEX.DE#top", "globex.de");
	expect_domain("https://www.socgen.fr/en/", "socgen.fr");
	expect_domain("M\xC3\x9CLLER.de", "m\xC3\xBCller.de");
	expect_domain("\xE5\x8C\x97\xE4\xBA\xAC\xE7\xA7\x91\xE6\x8A\x80.cn",
	              "\xE5\x8C\x97\xE4\xBA\xAC\xE7\xA7\x91\xE6\x8A\x80.cn");
}

static void test_domain_rejects(void **state)
{
	(void)state;
	expect_no_domain("", "empty website");
	expect_no_domain("   ", "empty website");
	expect_no_domain(NULL, "empty website");
	expect_no_domain("localhost", "no domain in website 'localhost': a "
	                              "domain needs a dot (as in 'acme.com')");
	expect_no_domain("192.168.1.1", "no domain in website '192.168.1.1': "
	                                "it is an IP address, not a domain");
	expect_no_domain("http://[::1]:80/", "no domain in website "
	                                     "'http://[::1]:80/': it is an IP "
	                                     "address, not a domain");
	expect_no_domain("co.uk", "no domain in website 'co.uk': it is a "
	                          "public suffix, not a company's domain");
	expect_no_domain("not a url", "no domain in website 'not a url': it "
	                              "has spaces in it");
	expect_no_domain("acme!.com", "no domain in website 'acme!.com': it "
	                              "has characters a domain cannot have");
	expect_no_domain("acme..com", "no domain in website 'acme..com': it "
	                              "has an empty label");
	expect_no_domain("acme.com:http", "no domain in website "
	                                  "'acme.com:http': its port is not a "
	                                  "number");
	expect_no_domain("http:///path", "no domain in website "
	                                 "'http:///path': there is no host "
	                                 "name in it");
}

static void test_email(void **state)
{
	struct ferry_buf display = FERRY_BUF_INIT, match = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_normalize_email(&display, &match,
	                                       " Ada.Lovelace@Example.COM "),
	                 0);
	assert_string_equal(display.ptr, "Ada.Lovelace@Example.COM");
	assert_string_equal(match.ptr, "ada.lovelace@example.com");
	assert_string_equal(ferry_email_domain(match.ptr), "example.com");
	/* Either output may be NULL; outputs are replaced, not appended. */
	assert_int_equal(ferry_normalize_email(NULL, &match, "\tX@Y.org\r\n"),
	                 0);
	assert_string_equal(match.ptr, "x@y.org");
	assert_int_equal(ferry_normalize_email(&display, NULL, "X@Y.org"), 0);
	assert_string_equal(display.ptr, "X@Y.org");
	assert_int_equal(ferry_normalize_email(NULL, NULL, "a@b.co"), 0);
	ferry_buf_release(&display);
	ferry_buf_release(&match);
}

static void expect_bad_email(const char *email, const char *message)
{
	struct ferry_buf match = FERRY_BUF_INIT;

	assert_int_equal(ferry_buf_puts(&match, "untouched"), 0);
	assert_int_equal(ferry_normalize_email(NULL, &match, email),
	                 FERRY_EINVALID);
	assert_string_equal(match.ptr, "untouched");
	assert_string_equal(ferry_error_last(), message);
	ferry_buf_release(&match);
}

static void test_email_rejects(void **state)
{
	(void)state;
	expect_bad_email("", "empty email address");
	expect_bad_email("  ", "empty email address");
	expect_bad_email(NULL, "empty email address");
	expect_bad_email("ada.example.com", "invalid email address "
	                                    "'ada.example.com': it has no '@'");
	expect_bad_email("ada@lovelace@example.com",
	                 "invalid email address 'ada@lovelace@example.com': "
	                 "it has more than one '@'");
	expect_bad_email("ada@localhost", "invalid email address "
	                                  "'ada@localhost': the part after '@' "
	                                  "is not a domain like 'acme.com'");
	expect_bad_email("@example.com", "invalid email address "
	                                 "'@example.com': nothing comes before "
	                                 "the '@'");
	expect_bad_email("ada@", "invalid email address 'ada@': the part after "
	                         "'@' is not a domain like 'acme.com'");
	expect_bad_email("ada@example.com.", "invalid email address "
	                                     "'ada@example.com.': the part "
	                                     "after '@' is not a domain like "
	                                     "'acme.com'");
	expect_bad_email("ada lovelace@example.com",
	                 "invalid email address 'ada lovelace@example.com': "
	                 "it has spaces or control characters inside");
}

static void test_email_domain(void **state)
{
	(void)state;
	assert_string_equal(ferry_email_domain("a@b.com"), "b.com");
	assert_null(ferry_email_domain("ab.com"));
	assert_null(ferry_email_domain("a@"));
	assert_null(ferry_email_domain("a@b@c.com"));
	assert_null(ferry_email_domain(NULL));
}

static void test_personal_domains(void **state)
{
	static const char *const personal[] = {
	    "gmail.com",   "googlemail.com", "yahoo.com", "yahoo.co.uk",
	    "outlook.com", "hotmail.com",    "live.com",  "msn.com",
	    "icloud.com",  "me.com",         "mac.com",   "aol.com",
	    "proton.me",   "protonmail.com", "gmx.de",    "gmx.net",
	    "web.de",      "mail.ru",        "yandex.ru", "qq.com",
	    "163.com",     "126.com",        "zoho.com",  "fastmail.com",
	    "hey.com",     "GMail.com",
	};
	size_t i;

	(void)state;
	for (i = 0; i < FERRY_ARRAY_LEN(personal); i++)
		if (!ferry_is_personal_domain(personal[i]))
			fail_msg("'%s' should be personal", personal[i]);
	assert_false(ferry_is_personal_domain("acme.com"));
	assert_false(ferry_is_personal_domain("google.com"));
	assert_false(ferry_is_personal_domain("mail.gmail.com"));
	assert_false(ferry_is_personal_domain(""));
	assert_false(ferry_is_personal_domain(NULL));
}

/* The pipeline as the matcher uses it: a website of "gmail.com" normalizes
 * fine and is then recognised as personal. */
static void test_personal_website(void **state)
{
	struct ferry_buf out = FERRY_BUF_INIT;

	(void)state;
	assert_int_equal(ferry_normalize_domain(&out, "https://www.GMAIL.com/"),
	                 0);
	assert_string_equal(out.ptr, "gmail.com");
	assert_true(ferry_is_personal_domain(out.ptr));
	ferry_buf_release(&out);
}

/* The counts examples/sample-org/README.md states, recomputed from the
 * files with the reader and normalizers, so the README cannot drift. */
struct key_counts {
	size_t total, usable, blank, invalid, personal, distinct, shared_keys,
	    shared_records;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void count_shared(struct key_counts *k, char **keys, size_t n)
{
	size_t i = 0, j;

	qsort(keys, n, sizeof(*keys), cmp_str);
	while (i < n) {
		for (j = i; j < n && !strcmp(keys[i], keys[j]); j++)
			;
		k->distinct++;
		if (j - i > 1) {
			k->shared_keys++;
			k->shared_records += j - i;
		}
		i = j;
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
}

static struct ferry_csv *open_sample(const char *file)
{
	struct ferry_csv *c = NULL;
	char *path = ferry_xasprintf("%s/examples/sample-org/%s",
	                             test_source_dir(), file);

	if (ferry_csv_open(&c, path) < 0)
		fail_msg("%s", ferry_error_last());
	free(path);
	return c;
}

static void test_sample_org_counts(void **state)
{
	struct ferry_buf b = FERRY_BUF_INIT;
	struct key_counts acc = {0}, con = {0};
	char *keys[256], *ids[256];
	size_t nkeys = 0, nids = 0, no_account = 0, missing_account = 0, i;
	struct ferry_csv *c = open_sample("Account.csv");
	long col = ferry_csv_column_index(c, "Website");
	int error;

	(void)state;
	assert_true(col >= 0);
	while ((error = ferry_csv_next(c)) == 1) {
		const char *site = ferry_csv_field(c, (size_t)col);

		assert_true(nids < FERRY_ARRAY_LEN(ids));
		ids[nids++] = ferry_xstrdup(ferry_csv_field(c, 0));
		acc.total++;
		if (!*site)
			acc.blank++;
		else if (ferry_normalize_domain(&b, site) < 0)
			acc.invalid++;
		else if (ferry_is_personal_domain(b.ptr))
			acc.personal++;
		else
			keys[nkeys++] = ferry_xstrdup(b.ptr);
	}
	assert_int_equal(error, 0);
	ferry_csv_free(c);
	acc.usable = nkeys;
	count_shared(&acc, keys, nkeys);
	nkeys = 0;

	c = open_sample("Contact.csv");
	col = ferry_csv_column_index(c, "Email");
	assert_true(col >= 0);
	while ((error = ferry_csv_next(c)) == 1) {
		const char *email = ferry_csv_field(c, (size_t)col);
		const char *account = ferry_csv_field(c, 1);

		con.total++;
		if (!*account) {
			no_account++;
		} else {
			for (i = 0; i < nids && strcmp(ids[i], account); i++)
				;
			missing_account += i == nids;
		}
		if (!*email) {
			con.blank++;
		} else if (ferry_normalize_email(NULL, &b, email) < 0) {
			con.invalid++;
		} else {
			assert_true(nkeys < FERRY_ARRAY_LEN(keys));
			con.personal +=
			    ferry_is_personal_domain(ferry_email_domain(b.ptr));
			keys[nkeys++] = ferry_xstrdup(b.ptr);
		}
	}
	assert_int_equal(error, 0);
	ferry_csv_free(c);
	con.usable = nkeys;
	count_shared(&con, keys, nkeys);
	for (i = 0; i < nids; i++)
		free(ids[i]);
	ferry_buf_release(&b);

	/* Keep in step with examples/sample-org/README.md. */
	assert_int_equal(acc.total, 32);
	assert_int_equal(acc.usable, 25);
	assert_int_equal(acc.blank, 3);
	assert_int_equal(acc.invalid, 3);
	assert_int_equal(acc.personal, 1);
	assert_int_equal(acc.distinct, 19);
	assert_int_equal(acc.shared_keys, 4);
	assert_int_equal(acc.shared_records, 10);
	assert_int_equal(con.total, 80);
	assert_int_equal(con.usable, 71);
	assert_int_equal(con.blank, 6);
	assert_int_equal(con.invalid, 3);
	assert_int_equal(con.personal, 11);
	assert_int_equal(con.distinct, 68);
	assert_int_equal(con.shared_keys, 3);
	assert_int_equal(con.shared_records, 6);
	assert_int_equal(no_account, 4);
	assert_int_equal(missing_account, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_domain_spellings),
	    cmocka_unit_test(test_domain_rejects),
	    cmocka_unit_test(test_email),
	    cmocka_unit_test(test_email_rejects),
	    cmocka_unit_test(test_email_domain),
	    cmocka_unit_test(test_personal_domains),
	    cmocka_unit_test(test_personal_website),
	    cmocka_unit_test(test_sample_org_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
