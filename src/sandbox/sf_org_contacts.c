/* sf_org_contacts.c: Contact. Contact c belongs to account c % accounts,
 * so an account's contacts are found without a search (c, c + accounts,
 * …); a few have no account or one that does not exist, and with person
 * accounts contact a is the person of person account a. Emails carry the
 * mess: blanks, invalid ones, personal providers, and duplicates that
 * differ only in case or spaces. */
#include "util.h"

#include "sf_org_int.h"

enum {
	C_ACCOUNT = SFO_N_AUDIT,
	C_MASTER,
	C_LAST,
	C_FIRST,
	C_SALUTATION,
	C_NAME,
	C_OSTREET,
	C_MSTREET = C_OSTREET + 9,
	C_PHONE = C_MSTREET + 9,
	C_FAX,
	C_MOBILE,
	C_HOMEPHONE,
	C_OTHERPHONE,
	C_ASSTPHONE,
	C_REPORTSTO,
	C_EMAIL,
	C_TITLE,
	C_DEPARTMENT,
	C_ASSTNAME,
	C_LEADSOURCE,
	C_BIRTHDATE,
	C_DESCRIPTION,
	C_OWNER,
	C_OPTOUT,
	C_OPTOUTFAX,
	C_DONOTCALL,
	C_LASTACTIVITY,
	C_LASTVIEWED,
	C_LASTREF,
	C_BOUNCEREASON,
	C_BOUNCEDATE,
	C_ISBOUNCED,
	C_PHOTO,
	C_CLEANSTATUS,
	C_LANGUAGES,
	C_LEVEL,
	C_N_BASE,
	C_ISPERSON = C_N_BASE,
	C_N_ALL
};

static const char *const pl_clean[] = {
    "Matched", "Different",   "Acknowledged", "NotFound", "Inactive",
    "Pending", "SelectMatch", "Skipped",      NULL};
static const char *const pl_languages[] = {
    "English", "French", "German", "Spanish", "Japanese", "Portuguese", NULL};
static const char *const pl_level[] = {"Primary", "Secondary", "Tertiary",
                                       NULL};

static const struct sf_field contact_fields[C_N_ALL] = {
    SFO_AUDIT("Contact ID"),
    [C_ACCOUNT] = SFO_FLD("AccountId", "Account ID", SF_REFERENCE, 18, SFO_NCU,
                          .refs = sfo_refs_account, .relationship = "Account",
                          .child_relationship = "Contacts"),
    [C_MASTER] =
        SFO_FLD("MasterRecordId", "Master Record ID", SF_REFERENCE, 18, SFO_N,
                .refs = sfo_refs_contact, .relationship = "MasterRecord"),
    [C_LAST] = SFO_FLD("LastName", "Last Name", SF_STRING, 80, SFO_CU,
                       .compound = "Name"),
    [C_FIRST] = SFO_FLD("FirstName", "First Name", SF_STRING, 40, SFO_NCU,
                        .compound = "Name"),
    [C_SALUTATION] =
        SFO_FLD("Salutation", "Salutation", SF_PICKLIST, 40, SFO_NCU,
                .picklist = sfo_pl_salutation, .compound = "Name"),
    [C_NAME] = SFO_FLD("Name", "Full Name", SF_STRING, 121, SFO_RO,
                       .name_field = true),
    [C_OSTREET] = SFO_ADDRESS_FIELDS("Other", "Other", "OtherAddress"),
    [C_MSTREET] = SFO_ADDRESS_FIELDS("Mailing", "Mailing", "MailingAddress"),
    [C_PHONE] = SFO_FLD("Phone", "Business Phone", SF_PHONE, 40, SFO_NCU),
    [C_FAX] = SFO_FLD("Fax", "Business Fax", SF_PHONE, 40, SFO_NCU),
    [C_MOBILE] = SFO_FLD("MobilePhone", "Mobile Phone", SF_PHONE, 40, SFO_NCU),
    [C_HOMEPHONE] = SFO_FLD("HomePhone", "Home Phone", SF_PHONE, 40, SFO_NCU),
    [C_OTHERPHONE] =
        SFO_FLD("OtherPhone", "Other Phone", SF_PHONE, 40, SFO_NCU),
    [C_ASSTPHONE] =
        SFO_FLD("AssistantPhone", "Asst. Phone", SF_PHONE, 40, SFO_NCU),
    [C_REPORTSTO] =
        SFO_FLD("ReportsToId", "Reports To ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = sfo_refs_contact, .relationship = "ReportsTo"),
    [C_EMAIL] = SFO_FLD("Email", "Email", SF_EMAIL, 80, SFO_NCU),
    [C_TITLE] = SFO_FLD("Title", "Title", SF_STRING, 128, SFO_NCU),
    [C_DEPARTMENT] =
        SFO_FLD("Department", "Department", SF_STRING, 80, SFO_NCU),
    [C_ASSTNAME] =
        SFO_FLD("AssistantName", "Assistant's Name", SF_STRING, 40, SFO_NCU),
    [C_LEADSOURCE] = SFO_FLD("LeadSource", "Lead Source", SF_PICKLIST, 255,
                             SFO_NCU, .picklist = sfo_pl_leadsource),
    [C_BIRTHDATE] = SFO_FLD("Birthdate", "Birthdate", SF_DATE, 0, SFO_NCU),
    [C_DESCRIPTION] = SFO_FLD("Description", "Contact Description", SF_TEXTAREA,
                              32000, SFO_NCU),
    [C_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
    [C_OPTOUT] =
        SFO_FLD("HasOptedOutOfEmail", "Email Opt Out", SF_BOOLEAN, 0, SFO_CU),
    [C_OPTOUTFAX] =
        SFO_FLD("HasOptedOutOfFax", "Fax Opt Out", SF_BOOLEAN, 0, SFO_CU),
    [C_DONOTCALL] = SFO_FLD("DoNotCall", "Do Not Call", SF_BOOLEAN, 0, SFO_CU),
    [C_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity", SF_DATE, 0, SFO_N),
    [C_LASTVIEWED] =
        SFO_FLD("LastViewedDate", "Last Viewed Date", SF_DATETIME, 0, SFO_N),
    [C_LASTREF] = SFO_FLD("LastReferencedDate", "Last Referenced Date",
                          SF_DATETIME, 0, SFO_N),
    [C_BOUNCEREASON] = SFO_FLD("EmailBouncedReason", "Email Bounced Reason",
                               SF_STRING, 255, SFO_NCU),
    [C_BOUNCEDATE] = SFO_FLD("EmailBouncedDate", "Email Bounced Date",
                             SF_DATETIME, 0, SFO_NCU),
    [C_ISBOUNCED] =
        SFO_FLD("IsEmailBounced", "Is Email Bounced", SF_BOOLEAN, 0, SFO_RO),
    [C_PHOTO] = SFO_FLD("PhotoUrl", "Photo URL", SF_URL, 255, SFO_N),
    [C_CLEANSTATUS] =
        SFO_FLD("CleanStatus", "Clean Status", SF_PICKLIST, 40, SFO_NCU,
                .restricted_picklist = true, .picklist = pl_clean),
    [C_LANGUAGES] = SFO_FLD("Languages__c", "Languages", SF_MULTIPICKLIST, 4099,
                            SFO_NCU, .custom = true, .picklist = pl_languages),
    [C_LEVEL] = SFO_FLD("Level__c", "Level", SF_PICKLIST, 255, SFO_NCU,
                        .custom = true, .picklist = pl_level),
    [C_ISPERSON] =
        SFO_FLD("IsPersonAccount", "Is Person Account", SF_BOOLEAN, 0, SFO_RO),
};

static bool is_person_contact(const struct sf_org *org, int64_t c)
{
	return sfo_account_is_person(org, c);
}

int64_t sfo_contact_account(const struct sf_org *org, int64_t c)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT), a;
	unsigned p;

	if (n <= 0)
		return -1;
	if (is_person_contact(org, c))
		return c;
	/* permutations of 0..99: every kind occurs in any 100 contacts */
	p = (unsigned)((c * 13 + 7) % 100);
	if (p < 2)
		return -1;
	if (p < 3)
		return n + c % 1000; /* an orphan: no such account */
	a = c % n;
	/* a person account has exactly one contact, its person */
	if (sfo_account_is_person(org, a))
		a = (a + 1) % n;
	return a;
}

int64_t sfo_account_contact(const struct sf_org *org, int64_t a, uint64_t k)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT),
	        nc = sfo_count(org, SFO_CONTACT);
	int64_t per, j, c;
	int tries;

	if (a < 0 || a >= n || a >= nc)
		return -1;
	per = (nc - 1 - a) / n + 1;
	for (tries = 0; tries < 4; tries++) {
		j = (int64_t)((k + (uint64_t)tries) % (uint64_t)per);
		c = a + j * n;
		if (sfo_contact_account(org, c) == a)
			return c;
	}
	return -1;
}

struct sfo_person sfo_contact_person(const struct sf_org *org, int64_t c)
{
	if (is_person_contact(org, c))
		return sfo_account_person(org, c);
	return sfo_person_of(sfo_rk(sfo_rec_hash(org, SFO_CONTACT, c), 32));
}

void sfo_w_contact_name(struct sfo_gen *g, int64_t c)
{
	struct sfo_person p = sfo_contact_person(g->org, c);
	uint64_t h = sfo_rec_hash(g->org, SFO_CONTACT, c);

	if (is_person_contact(g->org, c) || sfo_rk(h, 35) % 100 >= 2)
		sfo_w_person_name(g, p);
	else
		sfo_w(g, p.last);
}

enum email_kind { E_BLANK, E_INVALID, E_DUP, E_PERSONAL, E_WORK, E_PERSON };

static enum email_kind email_kind(const struct sf_org *org, int64_t c)
{
	unsigned p;

	if (is_person_contact(org, c))
		return E_PERSON;
	p = (unsigned)((c * 7 + 5) % 100);
	if (p < 5)
		return E_BLANK;
	if (p < 6)
		return E_INVALID;
	if (p < 9 && c > 0)
		return E_DUP;
	if (p < 19 || sfo_contact_account(org, c) < 0)
		return E_PERSONAL;
	return E_WORK;
}

static void title_case(char *s, char *end)
{
	bool start = true;

	for (; s < end; s++) {
		if (start && *s >= 'a' && *s <= 'z')
			*s = (char)(*s - 32);
		start = *s == '.' || *s == '@' || *s == '-';
	}
}

static void w_plain_email(struct sfo_gen *g, int64_t c, enum email_kind k)
{
	uint64_t h = sfo_rec_hash(g->org, SFO_CONTACT, c);
	char *s = g->p;
	bool dup;

	if (k == E_PERSON) {
		sfo_w_person_email(g, c);
		return;
	}
	sfo_w_local_part(g, sfo_contact_person(g->org, c), c);
	if (k == E_PERSONAL) {
		sfo_wu(g, (uint64_t)c);
		sfo_wc(g, '@');
		sfo_w(g, sfo_word(&sfo_personal_domains, sfo_rk(h, 34)));
		return;
	}
	sfo_wc(g, '@');
	sfo_w_domain(g, sfo_account_company(
	                    g->org, sfo_contact_account(g->org, c), &dup));
	if (sfo_rk(h, 36) % 100 < 10)
		title_case(s, g->p);
}

void sfo_w_contact_email(struct sfo_gen *g, int64_t c)
{
	uint64_t h = sfo_rec_hash(g->org, SFO_CONTACT, c);
	enum email_kind k = email_kind(g->org, c);
	char *s = g->p;

	switch (k) {
	case E_BLANK:
		return;
	case E_INVALID: {
		struct sfo_person p = sfo_contact_person(g->org, c);
		char *dot;
		bool dup;
		int64_t b = sfo_account_company(
		    g->org, sfo_contact_account(g->org, c), &dup);

		switch (sfo_rk(h, 37) % 3) {
		case 0: /* no dot in the domain */
			sfo_w_local_part(g, p, c);
			sfo_wc(g, '@');
			s = g->p;
			sfo_w_domain(g, b);
			dot = memchr(s, '.', (size_t)(g->p - s));
			if (dot)
				g->p = dot;
			break;
		case 1: /* a space */
			sfo_wslug(g, p.first);
			sfo_wc(g, ' ');
			sfo_wslug(g, p.last);
			sfo_wu(g, (uint64_t)c);
			sfo_wc(g, '@');
			sfo_w_domain(g, b);
			break;
		default: /* two @ */
			sfo_w_local_part(g, p, c);
			sfo_w(g, "@@");
			sfo_w_domain(g, b);
			break;
		}
		return;
	}
	case E_DUP: {
		int64_t span = c < 30 ? c : 30;
		int64_t src = c - 1 - (int64_t)(sfo_rk(h, 38) % (uint64_t)span);
		enum email_kind ks = email_kind(g->org, src);

		if (ks != E_WORK && ks != E_PERSONAL && ks != E_PERSON) {
			w_plain_email(g, c, E_PERSONAL);
			return;
		}
		switch (sfo_rk(h, 39) % 3) {
		case 0: /* the same address */
			w_plain_email(g, src, ks);
			break;
		case 1: /* in other case */
			w_plain_email(g, src, ks);
			for (; s < g->p; s++)
				if (*s >= 'a' && *s <= 'z')
					*s = (char)(*s - 32);
			break;
		default: /* padded */
			sfo_wc(g, ' ');
			w_plain_email(g, src, ks);
			sfo_wc(g, ' ');
			break;
		}
		return;
	}
	default:
		w_plain_email(g, c, k);
		return;
	}
}

static void gen_contact(struct sfo_gen *g)
{
	const struct sf_org *org = g->org;
	int64_t a = sfo_contact_account(org, g->i);
	int64_t n_acc = sfo_count(org, SFO_ACCOUNT);
	bool person = is_person_contact(org, g->i), dup;
	struct sfo_person p = sfo_contact_person(org, g->i);
	const struct sfo_city *city;
	char *s;

	if (a >= 0)
		sfo_set_id(g, C_ACCOUNT, SFO_ACCOUNT, a);
	sfo_put(g, C_LAST, p.last);
	if (person || sfo_pct(g, 35) >= 2)
		sfo_put(g, C_FIRST, p.first);
	if (sfo_pct(g, 40) < 30)
		sfo_put(g, C_SALUTATION,
		        sfo_pl_pick(sfo_pl_salutation, sfo_r(g, 41)));
	s = sfo_begin(g);
	sfo_w_contact_name(g, g->i);
	sfo_end(g, C_NAME, s);
	if (a >= 0 && a < n_acc && sfo_pct(g, 42) < 80)
		city = sfo_company_city(org, sfo_account_company(org, a, &dup));
	else
		city = &sfo_cities[sfo_r(g, 43) % sfo_n_cities];
	if (sfo_pct(g, 44) >= 8)
		sfo_gen_address(g, C_MSTREET, city, 45);
	if (sfo_pct(g, 47) >= 20) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 48));
		sfo_end(g, C_PHONE, s);
	}
	if (sfo_pct(g, 49) < 50) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 50));
		sfo_end(g, C_MOBILE, s);
	}
	if (sfo_pct(g, 51) < 10) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 52));
		sfo_end(g, C_HOMEPHONE, s);
	}
	if (!person && g->i >= n_acc && sfo_pct(g, 53) < 10 && n_acc > 0)
		sfo_set_id(g, C_REPORTSTO, SFO_CONTACT, g->i - n_acc);
	s = sfo_begin(g);
	sfo_w_contact_email(g, g->i);
	if (g->p > s)
		sfo_end(g, C_EMAIL, s);
	if (!person && sfo_pct(g, 54) < 75)
		sfo_put(g, C_TITLE, sfo_word(&sfo_titles, sfo_r(g, 55)));
	if (!person && sfo_pct(g, 56) < 40)
		sfo_put(g, C_DEPARTMENT,
		        sfo_word(&sfo_departments, sfo_r(g, 57)));
	if (sfo_pct(g, 58) < 60)
		sfo_put(g, C_LEADSOURCE,
		        sfo_pl_pick(sfo_pl_leadsource, sfo_r(g, 59)));
	if (sfo_pct(g, 60) < 20)
		sfo_set_date(
		    g, C_BIRTHDATE,
		    sfo_days_ago(20 * 365 + sfo_r(g, 61) % (45 * 365)));
	sfo_set_description(g, C_DESCRIPTION, sfo_r(g, 62));
	sfo_set_bool(g, C_OPTOUT, sfo_pct(g, 63) < 10);
	sfo_set_bool(g, C_OPTOUTFAX, false);
	sfo_set_bool(g, C_DONOTCALL, sfo_pct(g, 64) < 5);
	if (sfo_pct(g, 65) < 40)
		sfo_set_date(g, C_LASTACTIVITY,
		             sfo_days_ago(sfo_r(g, 66) % 400 + 1));
	if (g->v[C_EMAIL] && sfo_pct(g, 67) < 3) {
		sfo_set_bool(g, C_ISBOUNCED, true);
		sfo_put(g, C_BOUNCEREASON,
		        "550 5.1.1 <recipient>: user unknown");
		sfo_set_datetime(g, C_BOUNCEDATE, g->modified - 86400);
	} else {
		sfo_set_bool(g, C_ISBOUNCED, false);
	}
	if (sfo_pct(g, 68) < 30) {
		const char *l1 = sfo_pl_pick(pl_languages, sfo_r(g, 69));
		const char *l2 = sfo_pl_pick(pl_languages, sfo_r(g, 70));

		s = sfo_begin(g);
		sfo_w(g, l1);
		if (l2 != l1 && sfo_pct(g, 71) < 50) {
			sfo_wc(g, ';');
			sfo_w(g, l2);
		}
		sfo_end(g, C_LANGUAGES, s);
	}
	if (sfo_pct(g, 72) < 50)
		sfo_put(g, C_LEVEL, sfo_pl_pick(pl_level, sfo_r(g, 73)));
	if (org->opts.person_accounts)
		sfo_set_bool(g, C_ISPERSON, person);
}

const struct sfo_objdef sfo_def_contact = {
    .obj = SFO_CONTACT,
    .name = "Contact",
    .label = "Contact",
    .label_plural = "Contacts",
    .key_prefix = "003",
    .master_rt = true,
    .fields = contact_fields,
    .n_fields = C_N_BASE,
    .n_person = C_N_ALL - C_N_BASE,
    .gen = gen_contact,
};
