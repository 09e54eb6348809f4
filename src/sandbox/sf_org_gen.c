/* sf_org_gen.c: the record generator's tools: the hash every choice
 * derives from, writers that format values straight into the record's
 * scratch (no allocation, no printf: generation must run at hundreds of
 * thousands of records a second), and the choices several objects share
 * (owners, dates, names, phones, descriptions). */
#include "util.h"

#include "sf_org_int.h"

uint64_t sfo_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 31;
	return x;
}

uint64_t sfo_rec_hash(const struct sf_org *org, enum sfo_obj obj, int64_t i)
{
	return sfo_mix(org->salt[obj] +
	               (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull);
}

int64_t sfo_count(const struct sf_org *org, enum sfo_obj obj)
{
	return org->objects[obj].count;
}

const struct sf_object *sfo_object(const struct sf_org *org, enum sfo_obj obj)
{
	return &org->objects[obj];
}

/* --- writers --- */

void sfo_wn(struct sfo_gen *g, const char *s, size_t n)
{
	size_t room = (size_t)(g->end - g->p);

	if (n > room)
		n = room;
	memcpy(g->p, s, n);
	g->p += n;
}

void sfo_w(struct sfo_gen *g, const char *s)
{
	sfo_wn(g, s, strlen(s));
}

void sfo_wc(struct sfo_gen *g, char c)
{
	if (g->p < g->end)
		*g->p++ = c;
}

/* Ends a value with its NUL. The byte at `end` is spare, so a full
 * scratch (which cannot happen: SFO_RECORD_SCRATCH is ample) truncates
 * values rather than writing past the buffer. */
static void terminate(struct sfo_gen *g)
{
	if (g->p < g->end)
		*g->p++ = '\0';
	else
		*g->end = '\0';
}

void sfo_end(struct sfo_gen *g, int f, char *start)
{
	terminate(g);
	g->v[f] = start;
}

const char *sfo_since(struct sfo_gen *g, char *start)
{
	terminate(g);
	return start;
}

void sfo_wu(struct sfo_gen *g, uint64_t u)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		sfo_wc(g, tmp[--n]);
}

void sfo_wu_pad(struct sfo_gen *g, uint64_t u, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u && n < 20);
	while (n < width && n < 20)
		tmp[n++] = '0';
	while (n)
		sfo_wc(g, tmp[--n]);
}

void sfo_wlower(struct sfo_gen *g, const char *s)
{
	for (; *s; s++)
		sfo_wc(g, *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s);
}

void sfo_wupper(struct sfo_gen *g, const char *s)
{
	for (; *s; s++)
		sfo_wc(g, *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s);
}

/* The ASCII letter of U+00C0..U+017F (Latin-1 and Latin Extended-A) a
 * mail system would use: é -> e, ø -> o, ł -> l; "-" for none. */
static const char latin[] =
    "aaaaaaaceeeeiiiidnooooo-ouuuuytsaaaaaaaceeeeiiiidnooooo-ouuuuyty"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllll"
    "llnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

void sfo_wslug(struct sfo_gen *g, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		unsigned c = *u;

		if (c >= 'A' && c <= 'Z') {
			sfo_wc(g, (char)(c + 32));
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			sfo_wc(g, (char)c);
		} else if ((c & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
			unsigned cp = (c & 0x1F) << 6 | (u[1] & 0x3F);

			if (cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0] != '-')
				sfo_wc(g, latin[cp - 0xC0]);
			u++;
		}
		u++;
	}
}

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void sf_id18(const char in[15], char out[19])
{
	static const char map[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
	int c, j;

	memcpy(out, in, 15);
	for (c = 0; c < 3; c++) {
		int flags = 0;

		for (j = 0; j < 5; j++) {
			char ch = in[c * 5 + j];

			if (ch >= 'A' && ch <= 'Z')
				flags |= 1 << j;
		}
		out[15 + c] = map[flags];
	}
	out[18] = '\0';
}

void sfo_make_id(char out[19], const char *prefix, uint64_t n)
{
	char id15[15];
	int k;

	memcpy(id15, prefix, 3);
	for (k = 14; k >= 3; k--) {
		id15[k] = b62[n % 62];
		n /= 62;
	}
	sf_id18(id15, out);
}

void sf_org_record_id(const struct sf_object *o, int64_t index, char out[19])
{
	sfo_make_id(out, o->key_prefix ? o->key_prefix : "000",
	            (uint64_t)index + 1);
}

void sfo_wid(struct sfo_gen *g, enum sfo_obj obj, int64_t index)
{
	char id[19];

	sf_org_record_id(&g->org->objects[obj], index, id);
	sfo_wn(g, id, 18);
}

void sfo_set_raw_id(struct sfo_gen *g, int f, const char *prefix, int64_t n)
{
	char id[19], *s = sfo_begin(g);

	sfo_make_id(id, prefix, (uint64_t)n);
	sfo_wn(g, id, 18);
	sfo_end(g, f, s);
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void sfo_wdate(struct sfo_gen *g, int64_t secs)
{
	int64_t y;
	unsigned m, d;

	civil(floor_div(secs, 86400), &y, &m, &d);
	sfo_wu_pad(g, (uint64_t)(y < 0 ? 0 : y), 4);
	sfo_wc(g, '-');
	sfo_wu_pad(g, m, 2);
	sfo_wc(g, '-');
	sfo_wu_pad(g, d, 2);
}

void sfo_wdatetime(struct sfo_gen *g, int64_t secs)
{
	int64_t t = secs - floor_div(secs, 86400) * 86400;

	sfo_wdate(g, secs);
	sfo_wc(g, 'T');
	sfo_wu_pad(g, (uint64_t)(t / 3600), 2);
	sfo_wc(g, ':');
	sfo_wu_pad(g, (uint64_t)(t / 60 % 60), 2);
	sfo_wc(g, ':');
	sfo_wu_pad(g, (uint64_t)(t % 60), 2);
	sfo_wn(g, ".000Z", 5);
}

void sfo_wfixed(struct sfo_gen *g, int64_t v, int scale)
{
	uint64_t u, p = 1;
	int k;

	if (v < 0) {
		sfo_wc(g, '-');
		u = (uint64_t)0 - (uint64_t)v;
	} else {
		u = (uint64_t)v;
	}
	for (k = 0; k < scale; k++)
		p *= 10;
	sfo_wu(g, u / p);
	if (scale > 0) {
		sfo_wc(g, '.');
		sfo_wu_pad(g, u % p, scale);
	}
}

void sfo_set_bool(struct sfo_gen *g, int f, bool b)
{
	g->v[f] = b ? "true" : "false";
}

void sfo_set_id(struct sfo_gen *g, int f, enum sfo_obj obj, int64_t index)
{
	char *s = sfo_begin(g);

	sfo_wid(g, obj, index);
	sfo_end(g, f, s);
}

void sfo_set_datetime(struct sfo_gen *g, int f, int64_t secs)
{
	char *s = sfo_begin(g);

	sfo_wdatetime(g, secs);
	sfo_end(g, f, s);
}

void sfo_set_date(struct sfo_gen *g, int f, int64_t secs)
{
	char *s = sfo_begin(g);

	sfo_wdate(g, secs);
	sfo_end(g, f, s);
}

void sfo_set_int(struct sfo_gen *g, int f, int64_t v)
{
	char *s = sfo_begin(g);

	sfo_wfixed(g, v, 0);
	sfo_end(g, f, s);
}

void sfo_set_fixed(struct sfo_gen *g, int f, int64_t v, int scale)
{
	char *s = sfo_begin(g);

	sfo_wfixed(g, v, scale);
	sfo_end(g, f, s);
}

static void wjson_str(struct sfo_gen *g, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (!s || !*s) {
		sfo_w(g, "null");
		return;
	}
	sfo_wc(g, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sfo_wc(g, '\\');
			sfo_wc(g, (char)c);
		} else if (c == '\n') {
			sfo_wn(g, "\\n", 2);
		} else if (c < 0x20) {
			sfo_wn(g, "\\u00", 4);
			sfo_wc(g, hex[c >> 4]);
			sfo_wc(g, hex[c & 15]);
		} else {
			sfo_wc(g, (char)c);
		}
	}
	sfo_wc(g, '"');
}

void sfo_set_address(struct sfo_gen *g, int f, const char *street,
                     const char *city, const char *state, const char *postal,
                     const char *country, const char *lat, const char *lon)
{
	char *s;

	if (!street && !city && !postal && !country)
		return; /* null */
	s = sfo_begin(g);
	sfo_w(g, "{\"city\":");
	wjson_str(g, city);
	sfo_w(g, ",\"country\":");
	wjson_str(g, country);
	sfo_w(g, ",\"geocodeAccuracy\":null,\"latitude\":");
	sfo_w(g, lat ? lat : "null");
	sfo_w(g, ",\"longitude\":");
	sfo_w(g, lon ? lon : "null");
	sfo_w(g, ",\"postalCode\":");
	wjson_str(g, postal);
	sfo_w(g, ",\"state\":");
	wjson_str(g, state);
	sfo_w(g, ",\"street\":");
	wjson_str(g, street);
	sfo_wc(g, '}');
	sfo_end(g, f, s);
}

void sfo_wbase64(struct sfo_gen *g, const char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v =
		    (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8 | u[i + 2];

		sfo_wc(g, tab[v >> 18]);
		sfo_wc(g, tab[v >> 12 & 63]);
		sfo_wc(g, tab[v >> 6 & 63]);
		sfo_wc(g, tab[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)u[i] << 16;

		sfo_wc(g, tab[v >> 18]);
		sfo_wc(g, tab[v >> 12 & 63]);
		sfo_wn(g, "==", 2);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)u[i] << 16 | (uint32_t)u[i + 1] << 8;

		sfo_wc(g, tab[v >> 18]);
		sfo_wc(g, tab[v >> 12 & 63]);
		sfo_wc(g, tab[v >> 6 & 63]);
		sfo_wc(g, '=');
	}
}

/* --- shared choices --- */

int64_t sfo_pick_user(const struct sf_org *org, uint64_t r)
{
	int64_t n = sfo_count(org, SFO_USER);

	if (n <= 0)
		return -1;
	/* half the records belong to the first few users */
	if (r % 2 == 0)
		return (int64_t)((r >> 8) % (uint64_t)(n < 4 ? n : 4));
	return (int64_t)((r >> 8) % (uint64_t)n);
}

int64_t sfo_recent(uint64_t r)
{
	return SF_ORG_NOW - 1 - (int64_t)(r % (60 * 86400));
}

struct sfo_person sfo_person_of(uint64_t r)
{
	struct sfo_person p;

	if (r % 100 < 6) {
		/* family and given name from the same language */
		const struct sfo_words *fam = &sfo_cjk_family[(r >> 4) % 3];
		const struct sfo_words *giv = &sfo_cjk_given[(r >> 4) % 3];

		p.first = sfo_word(giv, r >> 8);
		p.last = sfo_word(fam, r >> 20);
		p.cjk = true;
	} else {
		p.first = sfo_word(&sfo_first_names, r >> 8);
		p.last = sfo_word(&sfo_last_names, r >> 20);
		p.cjk = false;
	}
	return p;
}

void sfo_wphone(struct sfo_gen *g, uint64_t r)
{
	uint64_t n = (r >> 8) % 10000;

	switch (r % 7) {
	case 0:
		sfo_w(g, "(415) 555-");
		sfo_wu_pad(g, n, 4);
		break;
	case 1:
		sfo_w(g, "415.555.");
		sfo_wu_pad(g, n, 4);
		break;
	case 2:
		sfo_w(g, "+1 212 555 ");
		sfo_wu_pad(g, n, 4);
		break;
	case 3:
		sfo_w(g, "+44 20 7946 ");
		sfo_wu_pad(g, n, 4);
		break;
	case 4:
		sfo_w(g, "555-");
		sfo_wu_pad(g, n, 4);
		sfo_w(g, " ext. ");
		sfo_wu(g, n % 90 + 10);
		break;
	case 5:
		sfo_w(g, "+49 89 ");
		sfo_wu_pad(g, n * 97 % 10000000, 7);
		break;
	default:
		sfo_w(g, "03-");
		sfo_wu_pad(g, n, 4);
		sfo_w(g, "-5678");
		break;
	}
}

void sfo_set_description(struct sfo_gen *g, int f, uint64_t r)
{
	char *s;
	unsigned kind = (unsigned)(r % 100);

	if (kind < 35)
		return; /* null */
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_phrases, r >> 8));
	if (kind < 45) {
		sfo_w(g, ".\nSecond line: call ");
		sfo_w(g, sfo_word(&sfo_first_names, r >> 16));
		sfo_w(g, ", then email.");
	} else if (kind < 48) {
		sfo_w(g, ".\r\n\r\nAfter an empty line, a \"quoted\" part, "
		         "and a comma.");
	} else if (kind < 55) {
		sfo_w(g, " (\"VIP\", see contract)");
	}
	sfo_end(g, f, s);
}

const char *sfo_pl_pick(const char *const *pl, uint64_t r)
{
	size_t n = 0;

	while (pl[n])
		n++;
	return n ? pl[r % n] : NULL;
}

/* Street, city, … of an address block starting at field `f0` (the
 * ADDRESS_FIELDS order), and its compound value. */
void sfo_gen_address(struct sfo_gen *g, int f0, const struct sfo_city *c,
                     unsigned k)
{
	char *s = sfo_begin(g);
	const char *street;

	sfo_wu(g, sfo_r(g, k) % 2000 + 1);
	sfo_wc(g, ' ');
	sfo_w(g, sfo_word(&sfo_streets, sfo_r(g, k + 1)));
	street = sfo_since(g, s);
	g->v[f0] = street;
	sfo_put(g, f0 + 1, c->city);
	if (*c->state)
		sfo_put(g, f0 + 2, c->state);
	sfo_put(g, f0 + 3, c->postal);
	sfo_put(g, f0 + 4, c->country);
	sfo_put(g, f0 + 5, c->lat);
	sfo_put(g, f0 + 6, c->lon);
	sfo_set_address(g, f0 + 8, street, c->city, *c->state ? c->state : NULL,
	                c->postal, c->country, c->lat, c->lon);
}

void sfo_w_person_name(struct sfo_gen *g, struct sfo_person p)
{
	/* Japanese, Chinese and Korean names put the family name first */
	sfo_w(g, p.cjk ? p.last : p.first);
	sfo_wc(g, ' ');
	sfo_w(g, p.cjk ? p.first : p.last);
}

void sfo_civil(int64_t secs, int64_t *y, unsigned *m, unsigned *d)
{
	civil(floor_div(secs, 86400), y, m, d);
}
