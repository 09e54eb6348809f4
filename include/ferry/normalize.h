/* normalize.h: the normal forms ferry matches records on. A company is
 * matched on the registrable domain of its website (via libpsl, so
 * "http://www.Acme.co.uk/about" and "acme.co.uk" are one company); a person
 * on the trimmed, lower-cased email address. Personal-email domains
 * (gmail.com, ...) never create or match a company. */
#ifndef FERRY_NORMALIZE_H
#define FERRY_NORMALIZE_H

#include "ferry/buf.h"

/* Turns whatever a person typed into a Website field ("http://www.acme.com/",
 * "ACME.com/about", "acme.com:8080", "  www.acme.com  ") into the
 * registrable domain ("acme.com"), lower case. Returns 0 and fills `out`,
 * or FERRY_EINVALID with a message saying why there is none (empty, no
 * dot, an IP address, a public suffix alone such as "co.uk", bad
 * characters). Non-ASCII host names are returned as given, lower-cased
 * (UTF-8). */
int ferry_normalize_domain(struct ferry_buf *out, const char *website);

/* Checks and normalizes an email address: `display` gets it trimmed, as
 * entered; `match` gets it trimmed and lower-cased. FERRY_EINVALID if it is
 * empty or not of the form local@domain.tld (one @, no spaces, a dot in the
 * domain). Either output may be NULL. */
int ferry_normalize_email(struct ferry_buf *display, struct ferry_buf *match,
                          const char *email);

/* The domain part of a normalized email ("a@b.com" -> "b.com"), or NULL. */
const char *ferry_email_domain(const char *email);

/* True if `domain` (registrable, lower case) is a personal-email provider:
 * gmail.com, yahoo.com, outlook.com, hotmail.com, icloud.com, ... */
bool ferry_is_personal_domain(const char *domain);

#endif
