/* normalize.c: the match keys of normalize.h. A website becomes the
 * registrable domain libpsl gives for its host; an email is trimmed and
 * checked, with a lower-cased form to match on. */
#include "util.h"

#include <libpsl.h>

#include "ferry/normalize.h"

/* Well-known free mailbox providers: a company whose "website" is one of
 * these, or a person whose address is at one, says nothing about which
 * company they belong to. Sorted, for bsearch. */
static const char *const personal_domains[] = {
    "126.com",        "139.com",       "163.com",       "aim.com",
    "aol.com",        "att.net",       "bellsouth.net", "btinternet.com",
    "comcast.net",    "cox.net",       "fastmail.com",  "fastmail.fm",
    "free.fr",        "gmail.com",     "gmx.at",        "gmx.ch",
    "gmx.com",        "gmx.de",        "gmx.net",       "googlemail.com",
    "hey.com",        "hotmail.co.uk", "hotmail.com",   "hotmail.de",
    "hotmail.es",     "hotmail.fr",    "hotmail.it",    "icloud.com",
    "inbox.ru",       "laposte.net",   "libero.it",     "list.ru",
    "live.co.uk",     "live.com",      "live.fr",       "mac.com",
    "mail.com",       "mail.ru",       "me.com",        "msn.com",
    "naver.com",      "orange.fr",     "outlook.com",   "outlook.de",
    "outlook.fr",     "pm.me",         "proton.me",     "protonmail.ch",
    "protonmail.com", "qq.com",        "rambler.ru",    "rocketmail.com",
    "sbcglobal.net",  "seznam.cz",     "sina.com",      "t-online.de",
    "tuta.io",        "tutanota.com",  "verizon.net",   "wanadoo.fr",
    "web.de",         "yahoo.ca",      "yahoo.co.in",   "yahoo.co.jp",
    "yahoo.co.uk",    "yahoo.com",     "yahoo.com.au",  "yahoo.com.br",
    "yahoo.de",       "yahoo.es",      "yahoo.fr",      "yahoo.it",
    "yandex.com",     "yandex.ru",     "ymail.com",     "zoho.com",
    "zohomail.com",
};

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

static bool is_ascii_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A host character: ASCII letters, digits, '-', '.', '_' (seen in real
 * sub-domains), or any byte of a UTF-8 name. */
static bool host_char(char ch)
{
	unsigned char u = (unsigned char)ch;

	return (ch >= 'a' && ch <= 'z') || is_ascii_digit(ch) || ch == '-' ||
	       ch == '.' || ch == '_' || u >= 0x80;
}

/* Cuts "scheme://" off the front of `s`, in place; returns the rest. */
static char *strip_scheme(char *s)
{
	char *p = strstr(s, "://"), *q;

	if (!p)
		return s;
	for (q = s; q < p; q++)
		if (!((*q >= 'a' && *q <= 'z') || is_ascii_digit(*q) ||
		      *q == '+' || *q == '-' || *q == '.'))
			return s;
	return p > s ? p + 3 : s;
}

/* Checks that `host` has only host characters, no empty label, and is
 * not an address: returns NULL or why not. */
static const char *check_host(const char *host)
{
	const char *p, *last;
	bool digits_only = true;

	if (!*host)
		return "there is no host name in it";
	for (p = host; *p; p++)
		if (!host_char(*p))
			return "it has characters a domain cannot have";
	if (!ferry_utf8_valid(host, strlen(host), NULL))
		return "it is not valid UTF-8";
	if (!strchr(host, '.'))
		return "a domain needs a dot (as in 'acme.com')";
	if (host[0] == '.' || strstr(host, ".."))
		return "it has an empty label";
	last = strrchr(host, '.') + 1;
	for (p = last; *p; p++)
		if (!is_ascii_digit(*p))
			digits_only = false;
	if (digits_only)
		return "it is an IP address, not a domain";
	return NULL;
}

/* libpsl's own copy of the Public Suffix List; the system's file if this
 * libpsl was built without one. */
static const psl_ctx_t *psl_context(void)
{
	const psl_ctx_t *psl = psl_builtin();

	if (!psl) {
		static psl_ctx_t *latest;

		if (!latest)
			latest = psl_latest(NULL);
		psl = latest;
	}
	return psl;
}

int ferry_normalize_domain(struct ferry_buf *out, const char *website)
{
	char *copy = NULL, *host, *p, *lower = NULL;
	const char *why = NULL, *reg;
	const psl_ctx_t *psl;
	size_t len;
	int error = 0;

	copy = ferry_xstrdup(website ? website : "");
	ferry_str_lower(ferry_str_trim(copy));
	if (!*copy) {
		error = ferry_error_set(FERRY_EINVALID, "empty website");
		goto done;
	}
	for (p = copy; *p; p++)
		if (is_space(*p)) {
			why = "it has spaces in it";
			goto invalid;
		}
	host = strip_scheme(copy);
	if (ferry_str_starts_with(host, "//"))
		host += 2;
	host[strcspn(host, "/?#")] = '\0';
	if ((p = strrchr(host, '@')) != NULL)
		host = p + 1;
	if (host[0] == '[') {
		why = "it is an IP address, not a domain";
		goto invalid;
	}
	if ((p = strchr(host, ':')) != NULL) {
		const char *q;

		for (q = p + 1; *q; q++)
			if (!is_ascii_digit(*q)) {
				why = "its port is not a number";
				goto invalid;
			}
		*p = '\0';
	}
	len = strlen(host);
	if (len && host[len - 1] == '.')
		host[len - 1] = '\0';
	if (ferry_str_starts_with(host, "www."))
		host += 4;
	if ((why = check_host(host)) != NULL)
		goto invalid;
	/* ASCII is already lower case; lower the rest the Unicode way. */
	for (p = host; *p && (unsigned char)*p < 0x80; p++)
		;
	if (*p &&
	    psl_str_to_utf8lower(host, "utf-8", "en", &lower) == PSL_SUCCESS)
		host = lower;
	if (!(psl = psl_context())) {
		error = ferry_error_set(
		    FERRY_ERROR, "no Public Suffix List: libpsl has none "
		                 "built in and none is installed");
		goto done;
	}
	if (!(reg = psl_registrable_domain(psl, host))) {
		why = "it is a public suffix, not a company's domain";
		goto invalid;
	}
	ferry_buf_clear(out);
	error = ferry_buf_puts(out, reg);
	goto done;
invalid:
	error = ferry_error_set(FERRY_EINVALID, "no domain in website '%s': %s",
	                        website, why);
done:
	psl_free_string(lower);
	free(copy);
	return error;
}

int ferry_normalize_email(struct ferry_buf *display, struct ferry_buf *match,
                          const char *email)
{
	char *copy = NULL, *at = NULL, *domain, *p;
	const char *why = NULL;
	size_t len;
	int error = 0;

	copy = ferry_xstrdup(email ? email : "");
	ferry_str_trim(copy);
	if (!*copy) {
		error = ferry_error_set(FERRY_EINVALID, "empty email address");
		goto done;
	}
	len = strlen(copy);
	for (p = copy; *p; p++) {
		if (is_space(*p) || (unsigned char)*p < 0x20 || *p == 0x7f) {
			why = "it has spaces or control characters inside";
			goto invalid;
		}
		if (*p == '@') {
			if (at) {
				why = "it has more than one '@'";
				goto invalid;
			}
			at = p;
		}
	}
	if (!at) {
		why = "it has no '@'";
		goto invalid;
	}
	if (at == copy) {
		why = "nothing comes before the '@'";
		goto invalid;
	}
	domain = at + 1;
	if (!*domain || !strchr(domain, '.') || domain[0] == '.' ||
	    copy[len - 1] == '.' || strstr(domain, "..")) {
		why = "the part after '@' is not a domain like 'acme.com'";
		goto invalid;
	}
	if (!ferry_utf8_valid(copy, len, NULL)) {
		why = "it is not valid UTF-8";
		goto invalid;
	}
	if (display) {
		ferry_buf_clear(display);
		if ((error = ferry_buf_put(display, copy, len)) < 0)
			goto done;
	}
	if (match) {
		ferry_buf_clear(match);
		if ((error = ferry_buf_puts(match, ferry_str_lower(copy))) < 0)
			goto done;
	}
	goto done;
invalid:
	error = ferry_error_set(FERRY_EINVALID,
	                        "invalid email address '%s': %s", copy, why);
done:
	free(copy);
	return error;
}

const char *ferry_email_domain(const char *email)
{
	const char *at;

	if (!email || !(at = strchr(email, '@')) || strchr(at + 1, '@') ||
	    !at[1])
		return NULL;
	return at + 1;
}

static int cmp_domain(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool ferry_is_personal_domain(const char *domain)
{
	char lower[256];
	size_t len;

	if (!domain || (len = strlen(domain)) == 0 || len >= sizeof(lower))
		return false;
	memcpy(lower, domain, len + 1);
	ferry_str_lower(lower);
	return bsearch(lower, personal_domains,
	               FERRY_ARRAY_LEN(personal_domains),
	               sizeof(personal_domains[0]), cmp_domain) != NULL;
}
