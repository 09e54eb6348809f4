/* transform.h: value transforms. Each turns one staged Salesforce field
 * value (a string; "" is null) into one Attio attribute value in a write
 * form Attio documents (shared/reference/attio-api.md §3.3), or into a
 * field-level reason a person can act on. They are pure: no I/O, no global
 * state, safe from any thread, and they accept any bytes without crashing.
 *
 * The contract every ferry_tx_<type>() keeps:
 * - returns 0 and sets *out to a new reference (the caller json_decref()s
 *   it), or to NULL when the value is empty: "write nothing", never a
 *   blank written in its place;
 * - returns FERRY_EINVALID with `why` filled (and the thread's error
 *   message set to "<field>: <message>") when the value cannot be
 *   converted; *out is then left as it was;
 * - on success `why` is cleared, unless the value was converted with a
 *   change a person should know about (rounded, truncated, an extension
 *   dropped, a country left out): then `why` holds a note, with a code
 *   and a message like a reason's. Callers keep notes with the record.
 * `ctx` may be NULL (every option at its default); `out` and `why` may
 * not. docs/internals/transforms.md lists every reason and note code. */
#ifndef FERRY_TRANSFORM_H
#define FERRY_TRANSFORM_H

#include <jansson.h>

#include "ferry/common.h"

/* Why a value could not be converted (or, after success, a note). */
struct ferry_tx_reason {
	char field[64];    /* the source field (ctx->field), e.g. "Phone" */
	char code[32];     /* stable and machine-readable: "phone_no_country" */
	char message[256]; /* for a person: what is wrong, what to do */
};

/* Which day/month order a slashed date ("03/04/2024") is read in. */
enum ferry_tx_date_order {
	FERRY_TX_DATE_ISO = 0, /* YYYY-MM-DD only (every Salesforce export) */
	FERRY_TX_DATE_MDY,     /* also M/D/YYYY (a US-locale Data Loader) */
	FERRY_TX_DATE_DMY,     /* also D/M/YYYY, D.M.YYYY, D-M-YYYY */
};

/* The options a mapping gives a transform. All-zero is a valid context:
 * no country, no currency, no time zone, nothing rounded or dropped. */
struct ferry_tx_ctx {
	const char *field; /* the source field, named in reasons */
	/* text */
	size_t max_text_chars; /* characters (code points); 0: no limit but
	                          Attio's 10 MB */
	bool truncate_text;    /* cut at max_text_chars with a note instead
	                          of a reason */
	/* number and currency */
	bool round_decimals;         /* round past 4 decimals (half away from
	                                zero) with a note instead of a reason */
	const char *currency;        /* the attribute's currency code (its
	                                config.currency.default_currency_code) */
	const char *record_currency; /* the record's CurrencyIsoCode; NULL or
	                                "" in a single-currency org */
	/* phone (and the location's country) */
	const char *country;         /* the record's own country, a name or a
	                                code ("United Kingdom", "GB") */
	const char *default_country; /* the mapping's fallback country */
	bool drop_extension;         /* drop "x123" with a note instead of a
	                                reason */
	/* date and timestamp */
	enum ferry_tx_date_order date_order;
	const char *time_zone; /* a fixed offset for values that carry none:
	                          "Z", "UTC", "+02:00", "-0500", "UTC+1" */
};

/* Text, kept exactly as entered (leading and trailing spaces too); a value
 * of only whitespace is empty. Reasons: not_utf8, text_too_long. Note:
 * text_truncated. Writes a JSON string. */
int ferry_tx_text(json_t **out, const char *value,
                  const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why);

/* An email address, trimmed and kept as entered for display (matching on
 * the lower-cased form is ferry_normalize_email()'s job). Reason:
 * email_invalid. Writes "Ada.Lovelace@Example.com". */
int ferry_tx_email(json_t **out, const char *value,
                   const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why);

/* A website or URL reduced to its registrable domain (libpsl):
 * "https://shop.Acme.co.uk/x" writes "acme.co.uk". Reasons:
 * domain_invalid (no dot, an IP address, a public suffix, ...),
 * domain_personal (gmail.com and the like never name a company). */
int ferry_tx_domain(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx,
                    struct ferry_tx_reason *why);

/* true/false, 1/0, yes/no, case-insensitive, spaces around ignored.
 * Reason: boolean_invalid. Writes a JSON true or false. */
int ferry_tx_boolean(json_t **out, const char *value,
                     const struct ferry_tx_ctx *ctx,
                     struct ferry_tx_reason *why);

/* A select option's title: trimmed, otherwise as is (a value table maps it
 * elsewhere). Reason: not_utf8. Writes "Won". */
int ferry_tx_select(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx,
                    struct ferry_tx_reason *why);

/* A multi-picklist "A;B; ;A" split on ';', each trimmed, empties and
 * repeats dropped, order kept. Reason: not_utf8. Writes ["A","B"]. */
int ferry_tx_multiselect(json_t **out, const char *value,
                         const struct ferry_tx_ctx *ctx,
                         struct ferry_tx_reason *why);

/* A number, parsed exactly as decimal text ("42", "-1E02", "1.0E7",
 * "0.0001"), never through a float on the way. Accepted when it has at
 * most 4 decimals (or round_decimals), at most 15 significant digits and
 * is below 10^15 in magnitude: then a 64-bit float, which is what Attio
 * stores, holds it without changing a digit. Writes a JSON integer for
 * whole numbers, else a JSON real. Reasons: number_invalid,
 * number_too_precise, number_too_long, number_too_large. Note:
 * number_rounded. */
int ferry_tx_number(json_t **out, const char *value,
                    const struct ferry_tx_ctx *ctx,
                    struct ferry_tx_reason *why);

/* A currency amount under the same rules as ferry_tx_number(), written as
 * the exact decimal string Attio documents ("4.99", "-100", "0.0001"),
 * which no float ever touched. Attio takes the currency code from the
 * attribute, so a record whose CurrencyIsoCode differs from ctx->currency
 * gets currency_mismatch, and one with a CurrencyIsoCode when ctx->currency
 * is unknown gets currency_unchecked: never an amount in the wrong
 * currency. */
int ferry_tx_currency(json_t **out, const char *value,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why);

/* The exact canonical decimal of a number as ferry_tx_number() accepts it
 * ("1.0E7" -> "10000000", "-0.50" -> "-0.5"), into `buf` (at least
 * FERRY_TX_DECIMAL_MAX bytes). Same reasons and notes. */
#define FERRY_TX_DECIMAL_MAX 32
int ferry_tx_decimal(char *buf, size_t size, const char *value,
                     const struct ferry_tx_ctx *ctx,
                     struct ferry_tx_reason *why);

/* A date: YYYY-MM-DD (checked, leap years included), a Salesforce datetime
 * (its UTC date, as Attio would take it), or with ctx->date_order a slashed
 * date. Reasons: date_invalid, date_out_of_range, timezone_invalid (a
 * datetime without a zone, read in a bad ctx->time_zone). Writes
 * "2024-02-29". */
int ferry_tx_date(json_t **out, const char *value,
                  const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why);

/* A datetime in any Salesforce form ("2024-01-15T18:25:32.000Z",
 * "...+0000", "...+00:00", "...-0500") converted to UTC:
 * "2024-01-15T23:25:32.000Z" (milliseconds always; finer fractions kept up
 * to nanoseconds). A value without a zone is read in ctx->time_zone, and a
 * date alone is midnight there; without a time zone both are taken as UTC
 * with a note (timestamp_assumed_utc). Only fixed offsets are supported,
 * never daylight-saving rules. Reasons: timestamp_invalid,
 * timestamp_out_of_range, timezone_invalid. */
int ferry_tx_timestamp(json_t **out, const char *value,
                       const struct ferry_tx_ctx *ctx,
                       struct ferry_tx_reason *why);

/* A fixed UTC offset in minutes from "Z", "UTC", "GMT", "+02:00", "+0200",
 * "+02", "UTC+2", "GMT-05:30". FERRY_EINVALID (with a message) for
 * anything else, IANA names such as "Europe/Paris" included. */
int ferry_tx_zone_offset(const char *zone, int *minutes);

/* A phone number, normalized to E.164: spaces, dots, dashes, slashes and
 * parentheses go, "(0)" after a country code goes, "00" (and "011" in
 * North America) is read as "+". A number with a + prefix writes
 * "+442079460100"; a national number takes the record's country (else the
 * default) and writes {"original_phone_number": as entered,
 * "country_code": "GB"} once its E.164 form checks out (8 to 15 digits;
 * 10 national digits in North America). An extension ("x123", "ext. 123",
 * "#123") is a reason, or dropped with a note under drop_extension.
 * Reasons: phone_invalid, phone_no_country, phone_bad_country,
 * phone_country_unsupported, phone_length, phone_extension. Note:
 * phone_extension_dropped. */
int ferry_tx_phone(json_t **out, const char *value,
                   const struct ferry_tx_ctx *ctx, struct ferry_tx_reason *why);

/* The E.164 form ("+14155550100") of a phone under the same rules, for
 * matching; `e164` has at least FERRY_TX_E164_MAX bytes. An empty value
 * is FERRY_EINVALID with the code "empty". */
#define FERRY_TX_E164_MAX 17
int ferry_tx_phone_e164(char *e164, const char *value,
                        const struct ferry_tx_ctx *ctx,
                        struct ferry_tx_reason *why);

/* The components of a Salesforce address (BillingStreet, BillingCity, ...);
 * any may be NULL or "". */
struct ferry_tx_address {
	const char *street; /* up to 4 lines, separated by newlines */
	const char *city;
	const char *state;
	const char *state_code;
	const char *postal_code;
	const char *country;
	const char *country_code;
	const char *latitude;
	const char *longitude;
};

/* An Attio location with all 10 keys (null where unknown): street lines
 * into line_1..line_4 (a fifth line and more joined into line_4 with ", "),
 * city -> locality, state (else state_code) -> region, postal code ->
 * postcode, the country (code first, else name) -> an ISO 3166-1 alpha-2
 * country_code, coordinates as strings. A country that is not recognized
 * is left out and the rest written, with the note country_unknown; bad
 * coordinates likewise (coordinates_invalid). Empty when every component
 * is. Reason: not_utf8. */
int ferry_tx_location(json_t **out, const struct ferry_tx_address *address,
                      const struct ferry_tx_ctx *ctx,
                      struct ferry_tx_reason *why);

/* The ISO 3166-1 alpha-2 code of a country given by code (alpha-2 or a
 * common alpha-3), English name, local name or common variant ("USA",
 * "U.S.", "United Kingdom", "UK", "Deutschland", "中国"), ignoring case,
 * dots and extra spaces; NULL when not recognized. A static string. */
const char *ferry_tx_country_code(const char *name);

/* A personal name from Salesforce's FirstName, LastName and Name (any may
 * be NULL or ""): {"first_name", "last_name", "full_name"}, all three
 * always present (Attio needs them). The full name is the parts joined
 * when not given; the parts come from the full name when neither is
 * given: "Last, First", else the last word is the last name and the rest
 * the first name (a single word is a last name, as Salesforce's LastName
 * is the required one). Empty when all three are. Reason: not_utf8. */
int ferry_tx_name(json_t **out, const char *first, const char *last,
                  const char *full, const struct ferry_tx_ctx *ctx,
                  struct ferry_tx_reason *why);

#endif
