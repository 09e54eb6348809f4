/* sfid.c: Salesforce record ids, normalised to the 18-char form that every
 * API answer uses, so that ids from exports, ferry.yaml and the API join. */
#include "util.h"

#include "ferry/salesforce.h"
#include "connectors/salesforce/sf_int.h"

static bool id_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

/* The checksum (reference §6): each 5-char chunk gives a 5-bit number whose
 * bit j says "char j is upper case", mapped onto A-Z0-5. It restores the
 * case information a case-insensitive comparison would lose. */
int ferry_sf_id18(char out[19], const char *id)
{
	static const char map[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
	char shown[48];
	size_t n = 0, i;
	int c, j, flags;

	if (!id)
		goto bad;
	while (n < 19 && id[n])
		n++;
	if (n != 15 && n != 18)
		goto bad;
	for (i = 0; i < n; i++)
		if (!id_char(id[i]))
			goto bad;
	memcpy(out, id, n);
	if (n == 15) {
		for (c = 0; c < 3; c++) {
			flags = 0;
			for (j = 0; j < 5; j++) {
				char ch = id[c * 5 + j];

				if (ch >= 'A' && ch <= 'Z')
					flags |= 1 << j;
			}
			out[15 + c] = map[flags];
		}
	}
	out[18] = '\0';
	return 0;
bad:
	shown[0] = '\0';
	if (id)
		ferry_str_append_clean(shown, sizeof(shown), id,
		                       strnlen(id, sizeof(shown)));
	return ferry_error_set(FERRY_EINVALID,
	                       "'%s' is not a Salesforce id: an id is 15 or "
	                       "18 letters and digits",
	                       shown);
}
