/* phone.c: phone numbers, as people type them into Salesforce's free-text
 * phone fields, normalized to E.164 with the country they are dialled in. */
#include "util.h"

#include "tx_int.h"

#define E164_MIN 8
#define E164_MAX 15

/* A country's calling code and its trunk prefix (what is dialled before a
 * national number within the country and dropped in E.164: "0" in the UK,
 * "1" in North America, "" where there is none, as in Italy where the
 * leading 0 belongs to the number). Only countries whose rules are known
 * for certain are listed: a number from elsewhere needs its + prefix. */
static const struct calling {
	char iso[3];
	const char *code;
	const char *trunk;
} callings[] = {
    /* North America (NANP): 10 national digits, trunk "1". */
    {"US", "1", "1"},
    {"CA", "1", "1"},
    {"PR", "1", "1"},
    {"AG", "1", "1"},
    {"AI", "1", "1"},
    {"AS", "1", "1"},
    {"BB", "1", "1"},
    {"BM", "1", "1"},
    {"BS", "1", "1"},
    {"DM", "1", "1"},
    {"DO", "1", "1"},
    {"GD", "1", "1"},
    {"GU", "1", "1"},
    {"JM", "1", "1"},
    {"KN", "1", "1"},
    {"KY", "1", "1"},
    {"LC", "1", "1"},
    {"MP", "1", "1"},
    {"MS", "1", "1"},
    {"SX", "1", "1"},
    {"TC", "1", "1"},
    {"TT", "1", "1"},
    {"VC", "1", "1"},
    {"VG", "1", "1"},
    {"VI", "1", "1"},
    /* Europe */
    {"GB", "44", "0"},
    {"IE", "353", "0"},
    {"FR", "33", "0"},
    {"DE", "49", "0"},
    {"AT", "43", "0"},
    {"CH", "41", "0"},
    {"LI", "423", ""},
    {"NL", "31", "0"},
    {"BE", "32", "0"},
    {"LU", "352", ""},
    {"ES", "34", ""},
    {"PT", "351", ""},
    {"IT", "39", ""},
    {"SM", "378", ""},
    {"VA", "39", ""},
    {"MT", "356", ""},
    {"GR", "30", ""},
    {"CY", "357", ""},
    {"DK", "45", ""},
    {"NO", "47", ""},
    {"SE", "46", "0"},
    {"FI", "358", "0"},
    {"IS", "354", ""},
    {"EE", "372", ""},
    {"LV", "371", ""},
    {"PL", "48", ""},
    {"CZ", "420", ""},
    {"SK", "421", "0"},
    {"HU", "36", "06"},
    {"RO", "40", "0"},
    {"BG", "359", "0"},
    {"HR", "385", "0"},
    {"SI", "386", "0"},
    {"RS", "381", "0"},
    {"BA", "387", "0"},
    {"ME", "382", "0"},
    {"MK", "389", "0"},
    {"AL", "355", "0"},
    {"UA", "380", "0"},
    {"MD", "373", "0"},
    {"RU", "7", "8"},
    {"KZ", "7", "8"},
    {"BY", "375", "8"},
    {"GE", "995", "0"},
    {"AM", "374", "0"},
    {"AZ", "994", "0"},
    {"TR", "90", "0"},
    {"MC", "377", ""},
    {"AD", "376", ""},
    {"GI", "350", ""},
    {"FO", "298", ""},
    {"GL", "299", ""},
    /* Middle East */
    {"IL", "972", "0"},
    {"PS", "970", "0"},
    {"JO", "962", "0"},
    {"LB", "961", "0"},
    {"SY", "963", "0"},
    {"IQ", "964", "0"},
    {"IR", "98", "0"},
    {"SA", "966", "0"},
    {"AE", "971", "0"},
    {"QA", "974", ""},
    {"KW", "965", ""},
    {"BH", "973", ""},
    {"OM", "968", ""},
    {"YE", "967", "0"},
    /* Africa */
    {"EG", "20", "0"},
    {"MA", "212", "0"},
    {"DZ", "213", "0"},
    {"TN", "216", ""},
    {"LY", "218", "0"},
    {"NG", "234", "0"},
    {"GH", "233", "0"},
    {"KE", "254", "0"},
    {"UG", "256", "0"},
    {"TZ", "255", "0"},
    {"ET", "251", "0"},
    {"ZA", "27", "0"},
    {"ZW", "263", "0"},
    {"ZM", "260", "0"},
    {"SN", "221", ""},
    {"CM", "237", ""},
    /* Asia */
    {"IN", "91", "0"},
    {"PK", "92", "0"},
    {"BD", "880", "0"},
    {"LK", "94", "0"},
    {"NP", "977", "0"},
    {"CN", "86", "0"},
    {"HK", "852", ""},
    {"MO", "853", ""},
    {"TW", "886", "0"},
    {"JP", "81", "0"},
    {"KR", "82", "0"},
    {"SG", "65", ""},
    {"MY", "60", "0"},
    {"TH", "66", "0"},
    {"VN", "84", "0"},
    {"PH", "63", "0"},
    {"ID", "62", "0"},
    {"KH", "855", "0"},
    {"MM", "95", "0"},
    /* Oceania */
    {"AU", "61", "0"},
    {"NZ", "64", "0"},
    {"FJ", "679", ""},
    /* Latin America */
    {"MX", "52", ""},
    {"GT", "502", ""},
    {"SV", "503", ""},
    {"HN", "504", ""},
    {"NI", "505", ""},
    {"CR", "506", ""},
    {"PA", "507", ""},
    {"HT", "509", ""},
    {"CU", "53", "0"},
    {"CO", "57", ""},
    {"VE", "58", "0"},
    {"EC", "593", "0"},
    {"PE", "51", "0"},
    {"BO", "591", "0"},
    {"BR", "55", "0"},
    {"PY", "595", "0"},
    {"UY", "598", "0"},
    {"AR", "54", "0"},
    {"CL", "56", ""},
};

static const struct calling *calling_find(const char *iso)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(callings); i++)
		if (!strcmp(callings[i].iso, iso))
			return &callings[i];
	return NULL;
}

struct phone {
	const char *main; /* the number as entered, without an extension */
	size_t main_len;
	char digits[E164_MAX + 8]; /* its digits, up to what fits */
	size_t n;                  /* how many digits there are in all */
	bool plus;                 /* it began with "+" */
	char ext[16];              /* a dropped extension's digits */
	char e164[FERRY_TX_E164_MAX];
	const char *country; /* ISO code of a national number */
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The length of a separator at s (ASCII or a Unicode space or dash people
 * paste in), or 0. */
static size_t separator(const char *s, const char *end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = (size_t)(end - s);

	if (strchr(" \t.-/()", *s) && *s)
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
		return 2; /* no-break space */
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
	    ((u[2] >= 0x90 && u[2] <= 0x95) || u[2] == 0x89 || u[2] == 0xAF))
		return 3; /* hyphens and dashes, thin spaces */
	return 0;
}

/* Splits an extension off the end: "x123", "ext. 123", "extension 123",
 * "#123", ", 123"; true with ph->main_len cut and ext set if there is
 * one. */
static bool split_extension(struct phone *ph, char *ext, size_t size)
{
	static const char *const words[] = {"extension", "extn", "ext",
	                                    "x",         "#",    ","};
	const char *s = ph->main, *end = s + ph->main_len, *p, *q;
	size_t i, len, n;

	for (p = s; p < end && !is_alpha(*p) && *p != '#' && *p != ','; p++)
		;
	if (p == end || p == s)
		return false;
	for (i = 0; i < FERRY_ARRAY_LEN(words); i++) {
		len = strlen(words[i]);
		if ((size_t)(end - p) >= len && tx_iequal(p, len, words[i]))
			break;
	}
	if (i == FERRY_ARRAY_LEN(words))
		return false;
	q = p + len;
	if (q < end && (*q == '.' || *q == ':'))
		q++;
	while (q < end && tx_is_space(*q))
		q++;
	for (n = 0; q + n < end && is_digit(q[n]); n++)
		;
	if (n == 0 || n >= size || q + n != end)
		return false;
	memcpy(ext, q, n);
	ext[n] = '\0';
	ph->main = tx_trim_span(s, (size_t)(p - s), &ph->main_len);
	return true;
}

/* Collects the digits of ph->main; NULL, or the offending character. */
static const char *scan(struct phone *ph)
{
	const char *p = ph->main, *end = p + ph->main_len;
	bool intl;
	size_t k;

	while (p < end) {
		intl = ph->plus || (ph->n >= 2 && ph->digits[0] == '0' &&
		                    ph->digits[1] == '0');
		if (is_digit(*p)) {
			if (ph->n < sizeof(ph->digits) - 1)
				ph->digits[ph->n] = *p;
			ph->n++;
			p++;
		} else if (*p == '+' && ph->n == 0 && !ph->plus) {
			ph->plus = true;
			p++;
		} else if (intl && ph->n > 0 && end - p >= 3 && p[0] == '(' &&
		           p[1] == '0' && p[2] == ')') {
			p += 3; /* "+44 (0)20": the trunk 0 in brackets */
		} else if ((k = separator(p, end)) > 0) {
			p += k;
		} else {
			return p;
		}
	}
	ph->digits[ph->n < sizeof(ph->digits) ? ph->n
	                                      : sizeof(ph->digits) - 1] = '\0';
	return NULL;
}

/* Resolves the country of a national number into ph->country. */
static int national_country(struct phone *ph, const char *show,
                            const struct ferry_tx_ctx *ctx,
                            struct ferry_tx_reason *why)
{
	char name[TX_SHOW_MAX];
	const char *c, *from = "the record's country";
	size_t len;

	c = tx_trim(ctx->country, &len);
	if (len == 0) {
		c = tx_trim(ctx->default_country, &len);
		from = "the mapping's default_country";
	}
	if (len == 0)
		return tx_reason(why, ctx, "phone_no_country",
		                 "phone '%s' has no + prefix and the record "
		                 "has no country: add a country or a "
		                 "default_country to the mapping",
		                 show);
	tx_show(name, sizeof(name), c, len);
	if (len >= TX_SHOW_MAX || !(ph->country = ferry_tx_country_code(name)))
		return tx_reason(why, ctx, "phone_bad_country",
		                 "phone '%s' has no + prefix and %s, '%s', is "
		                 "not a country ferry knows: correct it, or "
		                 "give the number with its + prefix",
		                 show, from, name);
	return 0;
}

/* Parses a phone (not empty) into ph->e164, or fills a reason. */
static int parse_phone(struct phone *ph, const char *s, size_t len,
                       const struct ferry_tx_ctx *ctx,
                       struct ferry_tx_reason *why)
{
	char show[TX_SHOW_MAX];
	const struct calling *cl = NULL;
	const char *bad, *nsn;
	size_t nlen;

	memset(ph, 0, sizeof(*ph));
	ph->main = s;
	ph->main_len = len;
	tx_show(show, sizeof(show), s, len);
	if (split_extension(ph, ph->ext, sizeof(ph->ext)) &&
	    !ctx->drop_extension)
		return tx_reason(why, ctx, "phone_extension",
		                 "phone '%s' has an extension (%s), which "
		                 "Attio's phone numbers cannot hold: remove "
		                 "it, or let the mapping drop extensions",
		                 show, ph->ext);
	if ((bad = scan(ph)) != NULL) {
		char what[8];

		tx_show(what, sizeof(what), bad, 1);
		return tx_reason(why, ctx, "phone_invalid",
		                 "phone '%s' has characters a phone number "
		                 "cannot have ('%s')",
		                 show, what);
	}
	if (ph->n == 0 || ph->n > E164_MAX + 4)
		return tx_reason(why, ctx, "phone_invalid",
		                 "phone '%s' is not a phone number: it has %zu "
		                 "digits",
		                 show, ph->n);
	nsn = ph->digits;
	nlen = ph->n;
	if (!ph->plus && nlen > 2 && !strncmp(nsn, "00", 2)) {
		ph->plus =
		    true; /* the international prefix of most countries */
		nsn += 2;
		nlen -= 2;
	} else if (!ph->plus) {
		if (national_country(ph, show, ctx, why) < 0)
			return FERRY_EINVALID;
		if (!(cl = calling_find(ph->country)))
			return tx_reason(
			    why, ctx, "phone_country_unsupported",
			    "phone '%s' has no + prefix and ferry "
			    "does not know how numbers are dialled "
			    "in %s: give it with its + prefix",
			    show, ph->country);
		if (!strcmp(cl->code, "1") && nlen > 3 &&
		    !strncmp(nsn, "011", 3)) {
			ph->plus =
			    true; /* North America's international prefix */
			nsn += 3;
			nlen -= 3;
			cl = NULL;
		}
	}
	if (cl) {
		size_t tlen = strlen(cl->trunk);

		if (!strcmp(cl->code, "1")) {
			if (nlen == 11 && nsn[0] == '1') {
				nsn++;
				nlen--;
			}
			if (nlen != 10)
				return tx_reason(
				    why, ctx, "phone_length",
				    "phone '%s' has %zu digits; a number in "
				    "%s has 10 (with its area code)",
				    show, nlen, ph->country);
		} else if (tlen && nlen > tlen &&
		           !strncmp(nsn, cl->trunk, tlen)) {
			nsn += tlen;
			nlen -= tlen;
		}
		snprintf(ph->e164, sizeof(ph->e164), "+%s%.*s", cl->code,
		         (int)(nlen <= E164_MAX ? nlen : E164_MAX), nsn);
		nlen += strlen(cl->code);
	} else {
		if (nsn[0] == '0')
			return tx_reason(why, ctx, "phone_invalid",
			                 "phone '%s' has no country code after "
			                 "its international prefix",
			                 show);
		ph->country = NULL;
		snprintf(ph->e164, sizeof(ph->e164), "+%.*s",
		         (int)(nlen <= E164_MAX ? nlen : E164_MAX), nsn);
		if (nsn[0] == '1' && nlen != 11 && nlen >= E164_MIN &&
		    nlen <= E164_MAX)
			return tx_reason(
			    why, ctx, "phone_length",
			    "phone '%s' has %zu digits after +1; a "
			    "North American number has 10",
			    show, nlen - 1);
	}
	if (nlen < E164_MIN || nlen > E164_MAX)
		return tx_reason(why, ctx, "phone_length",
		                 "phone '%s' makes %zu digits with its country "
		                 "code; a full international number has %d to "
		                 "%d",
		                 show, nlen, E164_MIN, E164_MAX);
	if (ph->ext[0])
		tx_note(why, ctx, "phone_extension_dropped",
		        "extension %s of phone '%s' dropped", ph->ext, show);
	return 0;
}

int ferry_tx_phone_e164(char *e164, const char *value,
                        const struct ferry_tx_ctx *ctx,
                        struct ferry_tx_reason *why)
{
	struct phone ph;
	const char *s;
	size_t len;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0)
		return tx_reason(why, ctx, "empty", "no phone number");
	if (parse_phone(&ph, s, len, ctx, why) < 0)
		return FERRY_EINVALID;
	memcpy(e164, ph.e164, strlen(ph.e164) + 1);
	return 0;
}

int ferry_tx_phone(json_t **out, const char *value,
                   const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why)
{
	struct phone ph;
	const char *s;
	size_t len;
	json_t *o;

	ctx = tx_ctx(ctx);
	tx_clear(why);
	s = tx_trim(value, &len);
	if (len == 0) {
		*out = NULL;
		return 0;
	}
	if (parse_phone(&ph, s, len, ctx, why) < 0)
		return FERRY_EINVALID;
	if (!ph.country) {
		*out = tx_string(ph.e164, strlen(ph.e164));
		return 0;
	}
	/* The main part passed scan(): ASCII digits and separators, or
	 * whole UTF-8 separators, so it is valid UTF-8. */
	o = json_object();
	if (!o)
		abort();
	json_object_set_new(o, "original_phone_number",
	                    tx_string(ph.main, ph.main_len));
	json_object_set_new(o, "country_code", tx_string(ph.country, 2));
	*out = o;
	return 0;
}
