/* sf_org_accounts.c: Account and Contact, the objects a migration is
 * mostly about, and where the org keeps most of its planted mess: one
 * company under several website spellings and names, personal and blank
 * websites, duplicate and invalid emails, orphaned AccountIds, person
 * accounts, unknown picklist values. */
#include "util.h"

#include "sf_org_int.h"

/* --- the Account table --- */

enum {
	A_NAME = SFO_N_AUDIT,
	A_MASTER,
	A_TYPE,
	A_RECORDTYPE,
	A_PARENT,
	A_BSTREET,
	A_BCITY,
	A_BSTATE,
	A_BPOSTAL,
	A_BCOUNTRY,
	A_BLAT,
	A_BLON,
	A_BGEO,
	A_BADDR,
	A_SSTREET,
	A_SCITY,
	A_SSTATE,
	A_SPOSTAL,
	A_SCOUNTRY,
	A_SLAT,
	A_SLON,
	A_SGEO,
	A_SADDR,
	A_PHONE,
	A_FAX,
	A_NUMBER,
	A_WEBSITE,
	A_PHOTO,
	A_SIC,
	A_INDUSTRY,
	A_REVENUE,
	A_EMPLOYEES,
	A_OWNERSHIP,
	A_TICKER,
	A_DESCRIPTION,
	A_RATING,
	A_SITE,
	A_OWNER,
	A_LASTACTIVITY,
	A_LASTVIEWED,
	A_LASTREF,
	A_SOURCE,
	A_YEAR,
	A_TIER,
	A_INVOICED,
	A_LEGACY,
	A_N_BASE,
	/* person accounts */
	A_ISPERSON = A_N_BASE,
	A_PCONTACT,
	A_FIRST,
	A_LAST,
	A_SALUTATION,
	A_PEMAIL,
	A_PMOBILE,
	A_PHOME,
	A_PBIRTH,
	A_PTITLE,
	A_PMSTREET,
	A_PMCITY,
	A_PMSTATE,
	A_PMPOSTAL,
	A_PMCOUNTRY,
	A_PMADDR,
	A_PSOURCE,
	A_POPTOUT,
	A_PDONOTCALL,
	A_N_ALL
};

static const char *const pl_acc_type[] = {"Prospect",
                                          "Customer - Direct",
                                          "Customer - Channel",
                                          "Channel Partner / Reseller",
                                          "Installation Partner",
                                          "Technology Partner",
                                          "Other",
                                          NULL};
static const char *const pl_ownership[] = {"Public", "Private", "Subsidiary",
                                           "Other", NULL};
static const char *const refs_parent_acc[] = {"Account", NULL};

static const struct sf_field account_fields[A_N_ALL] = {
    SFO_AUDIT("Account ID"),
    [A_NAME] = SFO_FLD("Name", "Account Name", SF_STRING, 255, SFO_CU,
                       .name_field = true),
    [A_MASTER] =
        SFO_FLD("MasterRecordId", "Master Record ID", SF_REFERENCE, 18, SFO_N,
                .refs = sfo_refs_account, .relationship = "MasterRecord"),
    [A_TYPE] = SFO_FLD("Type", "Account Type", SF_PICKLIST, 40, SFO_NCU,
                       .picklist = pl_acc_type),
    [A_RECORDTYPE] =
        SFO_FLD("RecordTypeId", "Record Type ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = sfo_refs_recordtype, .relationship = "RecordType"),
    [A_PARENT] =
        SFO_FLD("ParentId", "Parent Account ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = refs_parent_acc, .relationship = "Parent",
                .child_relationship = "ChildAccounts"),
    [A_BSTREET] = SFO_ADDRESS_FIELDS("Billing", "Billing", "BillingAddress"),
    [A_SSTREET] = SFO_ADDRESS_FIELDS("Shipping", "Shipping", "ShippingAddress"),
    [A_PHONE] = SFO_FLD("Phone", "Account Phone", SF_PHONE, 40, SFO_NCU),
    [A_FAX] = SFO_FLD("Fax", "Account Fax", SF_PHONE, 40, SFO_NCU),
    [A_NUMBER] =
        SFO_FLD("AccountNumber", "Account Number", SF_STRING, 40, SFO_NCU),
    [A_WEBSITE] = SFO_FLD("Website", "Website", SF_URL, 255, SFO_NCU),
    [A_PHOTO] = SFO_FLD("PhotoUrl", "Photo URL", SF_URL, 255, SFO_N),
    [A_SIC] = SFO_FLD("Sic", "SIC Code", SF_STRING, 20, SFO_NCU),
    [A_INDUSTRY] = SFO_FLD("Industry", "Industry", SF_PICKLIST, 40, SFO_NCU,
                           .picklist = sfo_pl_industry),
    [A_REVENUE] = SFO_FLD("AnnualRevenue", "Annual Revenue", SF_CURRENCY, 0,
                          SFO_NCU, .precision = 18, .scale = 0),
    [A_EMPLOYEES] = SFO_FLD("NumberOfEmployees", "Employees", SF_INT, 0,
                            SFO_NCU, .precision = 8),
    [A_OWNERSHIP] = SFO_FLD("Ownership", "Ownership", SF_PICKLIST, 40, SFO_NCU,
                            .picklist = pl_ownership),
    [A_TICKER] =
        SFO_FLD("TickerSymbol", "Ticker Symbol", SF_STRING, 20, SFO_NCU),
    [A_DESCRIPTION] = SFO_FLD("Description", "Account Description", SF_TEXTAREA,
                              32000, SFO_NCU),
    [A_RATING] = SFO_FLD("Rating", "Account Rating", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = sfo_pl_rating),
    [A_SITE] = SFO_FLD("Site", "Account Site", SF_STRING, 80, SFO_NCU),
    [A_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
    [A_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity", SF_DATE, 0, SFO_N),
    [A_LASTVIEWED] =
        SFO_FLD("LastViewedDate", "Last Viewed Date", SF_DATETIME, 0, SFO_N),
    [A_LASTREF] = SFO_FLD("LastReferencedDate", "Last Referenced Date",
                          SF_DATETIME, 0, SFO_N),
    [A_SOURCE] = SFO_FLD("AccountSource", "Account Source", SF_PICKLIST, 40,
                         SFO_NCU, .picklist = sfo_pl_leadsource),
    [A_YEAR] = SFO_FLD("YearStarted", "Year Started", SF_STRING, 4, SFO_NCU),
    [A_TIER] =
        SFO_FLD("Formula_Tier__c", "Tier", SF_STRING, 1300, SFO_N,
                .custom = true, .calculated = true,
                .formula = "IF(ISBLANK(AnnualRevenue), \"Unknown\",\n"
                           "  IF(AnnualRevenue >= 10000000, \"Enterprise\",\n"
                           "  IF(AnnualRevenue >= 1000000, \"Mid-Market\", "
                           "\"SMB\")))"),
    /* a roll-up summary: describe says calculated, formula null */
    [A_INVOICED] = SFO_FLD("Total_Invoiced__c", "Total Invoiced", SF_CURRENCY,
                           0, SFO_N, .precision = 18, .scale = 2,
                           .custom = true, .calculated = true),
    [A_LEGACY] = SFO_FLD("Legacy_Id__c", "Legacy ID", SF_STRING, 20, SFO_NCU,
                         .custom = true, .unique = true, .external_id = true),
    [A_ISPERSON] =
        SFO_FLD("IsPersonAccount", "Is Person Account", SF_BOOLEAN, 0, SFO_RO),
    [A_PCONTACT] =
        SFO_FLD("PersonContactId", "Person Contact ID", SF_REFERENCE, 18, SFO_N,
                .refs = sfo_refs_contact, .relationship = "PersonContact"),
    [A_FIRST] = SFO_FLD("FirstName", "First Name", SF_STRING, 40, SFO_NCU,
                        .compound = "Name"),
    [A_LAST] = SFO_FLD("LastName", "Last Name", SF_STRING, 80, SFO_NCU,
                       .compound = "Name"),
    [A_SALUTATION] =
        SFO_FLD("Salutation", "Salutation", SF_PICKLIST, 40, SFO_NCU,
                .picklist = sfo_pl_salutation, .compound = "Name"),
    [A_PEMAIL] = SFO_FLD("PersonEmail", "Email", SF_EMAIL, 80, SFO_NCU),
    [A_PMOBILE] = SFO_FLD("PersonMobilePhone", "Mobile", SF_PHONE, 40, SFO_NCU),
    [A_PHOME] = SFO_FLD("PersonHomePhone", "Home Phone", SF_PHONE, 40, SFO_NCU),
    [A_PBIRTH] = SFO_FLD("PersonBirthdate", "Birthdate", SF_DATE, 0, SFO_NCU),
    [A_PTITLE] = SFO_FLD("PersonTitle", "Title", SF_STRING, 80, SFO_NCU),
    [A_PMSTREET] = SFO_FLD("PersonMailingStreet", "Mailing Street", SF_TEXTAREA,
                           255, SFO_NCU, .compound = "PersonMailingAddress"),
    [A_PMCITY] = SFO_FLD("PersonMailingCity", "Mailing City", SF_STRING, 40,
                         SFO_NCU, .compound = "PersonMailingAddress"),
    [A_PMSTATE] =
        SFO_FLD("PersonMailingState", "Mailing State/Province", SF_STRING, 80,
                SFO_NCU, .compound = "PersonMailingAddress"),
    [A_PMPOSTAL] =
        SFO_FLD("PersonMailingPostalCode", "Mailing Zip/Postal Code", SF_STRING,
                20, SFO_NCU, .compound = "PersonMailingAddress"),
    [A_PMCOUNTRY] =
        SFO_FLD("PersonMailingCountry", "Mailing Country", SF_STRING, 80,
                SFO_NCU, .compound = "PersonMailingAddress"),
    [A_PMADDR] = SFO_FLD_NB("PersonMailingAddress", "Mailing Address",
                            SF_ADDRESS, 0, SFO_N),
    [A_PSOURCE] = SFO_FLD("PersonLeadSource", "Lead Source", SF_PICKLIST, 255,
                          SFO_NCU, .picklist = sfo_pl_leadsource),
    [A_POPTOUT] = SFO_FLD("PersonHasOptedOutOfEmail", "Email Opt Out",
                          SF_BOOLEAN, 0, SFO_CU),
    [A_PDONOTCALL] =
        SFO_FLD("PersonDoNotCall", "Do Not Call", SF_BOOLEAN, 0, SFO_CU),
};

/* --- who is who: accounts --- */

bool sfo_account_is_person(const struct sf_org *org, int64_t a)
{
	return org->opts.person_accounts && a % 10 == 7 &&
	       a < sfo_count(org, SFO_ACCOUNT);
}

/* The company an account stands for: itself, or (every 33rd account,
 * 3%) an earlier account it duplicates under another name and website
 * spelling. Rare mess is placed by index rather than by chance, so that
 * even the small org has some of each kind. */
int64_t sfo_account_company(const struct sf_org *org, int64_t a, bool *dup)
{
	uint64_t h = sfo_rec_hash(org, SFO_ACCOUNT, a);

	*dup = false;
	if (a > 0 && a % 33 == 20) {
		int64_t span = a < 40 ? a : 40;
		int64_t t = a - 1 - (int64_t)(sfo_rk(h, 21) % (uint64_t)span);

		/* only an original can be duplicated, so one step suffices */
		if (t % 33 != 20 && !sfo_account_is_person(org, t)) {
			*dup = true;
			return t;
		}
	}
	return a;
}

static bool is_intl(const struct sf_org *org, int64_t b)
{
	return sfo_rk(sfo_rec_hash(org, SFO_ACCOUNT, b), 22) % 100 < 5;
}

/* Which of the 1,600 head+tail names company u has: a bijection on each
 * block of 1,600, so names stay unique yet do not come in order. */
static uint64_t combo(uint64_t u)
{
	return u % 1600 * 617 % 1600;
}

/* The company's core name: "Northwind", "Müller GmbH", … */
static void w_core(struct sfo_gen *g, int64_t b)
{
	uint64_t u = (uint64_t)b;

	if (is_intl(g->org, b)) {
		sfo_w(g, sfo_intl_cos[u % sfo_n_intl_cos].name);
		if (u / sfo_n_intl_cos) {
			sfo_wc(g, ' ');
			sfo_wu(g, u / sfo_n_intl_cos + 1);
		}
		return;
	}
	sfo_w(g, sfo_co_head.w[combo(u) % sfo_co_head.n]);
	sfo_w(g, sfo_co_tail.w[combo(u) / sfo_co_head.n]);
	if (u / 1600) {
		sfo_wc(g, ' ');
		sfo_wu(g, u / 1600 + 1);
	}
}

/* The company's registrable domain: "northwind.com", "tokyo-kk.co.jp". */
void sfo_w_domain(struct sfo_gen *g, int64_t b)
{
	uint64_t u = (uint64_t)b;

	if (is_intl(g->org, b)) {
		const struct sfo_intl_co *c = &sfo_intl_cos[u % sfo_n_intl_cos];

		sfo_w(g, c->stem);
		if (u / sfo_n_intl_cos)
			sfo_wu(g, u / sfo_n_intl_cos + 1);
		sfo_w(g, c->tld);
		return;
	}
	sfo_wlower(g, sfo_co_head.w[combo(u) % sfo_co_head.n]);
	sfo_w(g, sfo_co_tail.w[combo(u) / sfo_co_head.n]);
	if (u / 1600)
		sfo_wu(g, u / 1600 + 1);
	sfo_w(g, sfo_word(&sfo_tlds,
	                  sfo_rk(sfo_rec_hash(g->org, SFO_ACCOUNT, b), 23)));
}

const struct sfo_city *sfo_company_city(const struct sf_org *org, int64_t b)
{
	if (is_intl(org, b))
		return &sfo_cities[sfo_intl_cos[(uint64_t)b % sfo_n_intl_cos]
		                       .city];
	return &sfo_cities[sfo_rk(sfo_rec_hash(org, SFO_ACCOUNT, b), 24) %
	                   sfo_n_cities];
}

struct sfo_person sfo_account_person(const struct sf_org *org, int64_t a)
{
	return sfo_person_of(sfo_rk(sfo_rec_hash(org, SFO_ACCOUNT, a), 30));
}

/* first.last in ASCII, or "user<n>" when the name has no ASCII letters. */
void sfo_w_local_part(struct sfo_gen *g, struct sfo_person p, int64_t n)
{
	char *s = g->p;

	if (!p.cjk) {
		sfo_wslug(g, p.first);
		sfo_wc(g, '.');
		sfo_wslug(g, p.last);
	}
	if (g->p - s < 3) {
		g->p = s;
		sfo_w(g, "user");
		sfo_wu(g, (uint64_t)n);
	}
}

void sfo_w_person_email(struct sfo_gen *g, int64_t a)
{
	uint64_t h = sfo_rec_hash(g->org, SFO_ACCOUNT, a);

	sfo_w_local_part(g, sfo_account_person(g->org, a), a);
	sfo_wu(g, (uint64_t)a);
	sfo_wc(g, '@');
	sfo_w(g, sfo_word(&sfo_personal_domains, sfo_rk(h, 31)));
}

void sfo_w_company(struct sfo_gen *g, int64_t b)
{
	w_core(g, b);
	sfo_wc(g, ' ');
	sfo_w(g, sfo_word(&sfo_co_suffix,
	                  sfo_rk(sfo_rec_hash(g->org, SFO_ACCOUNT, b), 25)));
}

void sfo_w_account_name(struct sfo_gen *g, int64_t a)
{
	uint64_t h = sfo_rec_hash(g->org, SFO_ACCOUNT, a);
	bool dup;
	int64_t b;

	if (sfo_account_is_person(g->org, a)) {
		sfo_w_person_name(g, sfo_account_person(g->org, a));
		return;
	}
	b = sfo_account_company(g->org, a, &dup);
	if (!dup) {
		sfo_w_company(g, b);
		return;
	}
	switch (sfo_rk(h, 26) % 4) {
	case 0: {
		char *s = g->p;

		w_core(g, b);
		for (; s < g->p; s++)
			if (*s >= 'a' && *s <= 'z')
				*s = (char)(*s - 32);
		sfo_w(g, " Corp (EMEA)");
		break;
	}
	case 1:
		w_core(g, b);
		sfo_w(g, ", Inc.");
		break;
	case 2:
		w_core(g, b);
		sfo_w(g, " Corp");
		break;
	default:
		sfo_w(g, "The ");
		w_core(g, b);
		sfo_w(g, " Company");
		break;
	}
}

static void gen_website(struct sfo_gen *g, int64_t b)
{
	/* a permutation of 0..49: every kind occurs in any 50 accounts */
	unsigned p = (unsigned)((g->i * 7 + 3) % 50);
	char *s;

	if (sfo_account_is_person(g->org, g->i) || p < 2)
		return; /* blank */
	if (p < 3) {
		static const char *const junk[] = {"n/a", "none", "tyrell",
		                                   "www", "-"};
		sfo_put(g, A_WEBSITE, SFO_PICK(g, 28, junk));
		return;
	}
	s = sfo_begin(g);
	if (p < 4) {
		sfo_w(g, "http://192.168.");
		sfo_wu(g, sfo_r(g, 28) % 256);
		sfo_wc(g, '.');
		sfo_wu(g, sfo_r(g, 29) % 254 + 1);
		sfo_w(g, "/crm");
	} else if (p < 5) {
		sfo_w(g, sfo_word(&sfo_personal_domains, sfo_r(g, 28)));
	} else {
		switch (sfo_r(g, 28) % 9) {
		case 0:
			sfo_w(g, "https://www.");
			sfo_w_domain(g, b);
			sfo_wc(g, '/');
			break;
		case 1:
			sfo_w_domain(g, b);
			break;
		case 2: {
			char *d = g->p;

			sfo_w_domain(g, b);
			for (; d < g->p; d++)
				if (*d >= 'a' && *d <= 'z')
					*d = (char)(*d - 32);
			break;
		}
		case 3:
			sfo_w(g, "http://");
			sfo_w_domain(g, b);
			sfo_w(g, "/about");
			break;
		case 4:
			sfo_w(g, "www.");
			sfo_w_domain(g, b);
			break;
		case 5:
			sfo_w(g, "https://");
			sfo_w_domain(g, b);
			break;
		case 6: {
			char *d;

			sfo_w(g, "  WWW.");
			d = g->p;
			sfo_w_domain(g, b);
			for (; d < g->p; d++)
				if (*d >= 'a' && *d <= 'z')
					*d = (char)(*d - 32);
			sfo_w(g, "  ");
			break;
		}
		case 7:
			sfo_w(g, "https://shop.");
			sfo_w_domain(g, b);
			sfo_w(g, ":8443/x?y#z");
			break;
		default:
			sfo_w(g, "http://www.");
			sfo_w_domain(g, b);
			sfo_wc(g, '/');
			break;
		}
	}
	sfo_end(g, A_WEBSITE, s);
}

static void gen_person(struct sfo_gen *g)
{
	struct sfo_person p = sfo_account_person(g->org, g->i);
	const struct sfo_city *c = &sfo_cities[sfo_r(g, 40) % sfo_n_cities];
	char *s;

	if (g->i < sfo_count(g->org, SFO_CONTACT))
		sfo_set_id(g, A_PCONTACT, SFO_CONTACT, g->i);
	sfo_put(g, A_FIRST, p.first);
	sfo_put(g, A_LAST, p.last);
	if (sfo_pct(g, 41) < 40)
		sfo_put(g, A_SALUTATION,
		        sfo_pl_pick(sfo_pl_salutation, sfo_r(g, 42)));
	if (sfo_pct(g, 43) >= 10) {
		s = sfo_begin(g);
		sfo_w_person_email(g, g->i);
		sfo_end(g, A_PEMAIL, s);
	}
	if (sfo_pct(g, 44) < 60) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 45));
		sfo_end(g, A_PMOBILE, s);
	}
	if (sfo_pct(g, 46) < 30)
		sfo_set_date(
		    g, A_PBIRTH,
		    sfo_days_ago(20 * 365 + sfo_r(g, 47) % (50 * 365)));
	s = sfo_begin(g);
	sfo_wu(g, sfo_r(g, 48) % 300 + 1);
	sfo_wc(g, ' ');
	sfo_w(g, sfo_word(&sfo_streets, sfo_r(g, 49)));
	g->v[A_PMSTREET] = sfo_since(g, s);
	sfo_put(g, A_PMCITY, c->city);
	if (*c->state)
		sfo_put(g, A_PMSTATE, c->state);
	sfo_put(g, A_PMPOSTAL, c->postal);
	sfo_put(g, A_PMCOUNTRY, c->country);
	sfo_set_address(g, A_PMADDR, g->v[A_PMSTREET], c->city,
	                *c->state ? c->state : NULL, c->postal, c->country,
	                c->lat, c->lon);
	if (sfo_pct(g, 50) < 50)
		sfo_put(g, A_PSOURCE,
		        sfo_pl_pick(sfo_pl_leadsource, sfo_r(g, 51)));
}

static void gen_account(struct sfo_gen *g)
{
	const struct sf_org *org = g->org;
	bool dup, person = sfo_account_is_person(org, g->i);
	int64_t b = sfo_account_company(org, g->i, &dup), revenue = -1;
	const struct sfo_city *c = sfo_company_city(org, b);
	unsigned p;
	char *s;

	s = sfo_begin(g);
	sfo_w_account_name(g, g->i);
	sfo_end(g, A_NAME, s);
	if (sfo_pct(g, 11) < 85)
		sfo_put(g, A_TYPE, sfo_pl_pick(pl_acc_type, sfo_r(g, 12)));
	if (person)
		sfo_set_id(g, A_RECORDTYPE, SFO_RECORDTYPE,
		           org->rt_first[SFO_ACCOUNT] + 2);
	else
		sfo_set_id(g, A_RECORDTYPE, SFO_RECORDTYPE,
		           org->rt_first[SFO_ACCOUNT] +
		               (sfo_pct(g, 13) < 80 ? 0 : 1));
	if (g->i > 0 && sfo_pct(g, 14) < 5 && !person) {
		int64_t span = g->i < 20 ? g->i : 20;

		sfo_set_id(g, A_PARENT, SFO_ACCOUNT,
		           g->i - 1 - (int64_t)(sfo_r(g, 15) % (uint64_t)span));
	}
	if (sfo_pct(g, 16) >= 10)
		sfo_gen_address(g, A_BSTREET, c, 17);
	if (g->v[A_BSTREET] && sfo_pct(g, 19) < 40) {
		int f;

		for (f = 0; f <= 8; f++)
			g->v[A_SSTREET + f] = g->v[A_BSTREET + f];
	}
	if (sfo_pct(g, 20) >= 10) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 21));
		sfo_end(g, A_PHONE, s);
	}
	if (sfo_pct(g, 22) < 10) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 23));
		sfo_end(g, A_FAX, s);
	}
	if (sfo_pct(g, 24) < 50) {
		s = sfo_begin(g);
		sfo_w(g, "CD");
		sfo_wu_pad(g, (uint64_t)g->i * 7 + 100000, 6);
		sfo_end(g, A_NUMBER, s);
	}
	gen_website(g, b);
	if (sfo_pct(g, 30) < 30) {
		s = sfo_begin(g);
		sfo_wu_pad(g, sfo_r(g, 31) % 9000 + 1000, 4);
		sfo_end(g, A_SIC, s);
	}
	p = sfo_pct(g, 32);
	if (g->i % 33 == 5) {
		/* in use, yet not a defined value: the picklist is open */
		static const char *const unknown[] = {"Fintech", "Crypto",
		                                      "SaaS"};
		sfo_put(g, A_INDUSTRY, SFO_PICK(g, 33, unknown));
	} else if (p >= 10) {
		sfo_put(g, A_INDUSTRY,
		        sfo_pl_pick(sfo_pl_industry, sfo_r(g, 33)));
	}
	if (sfo_pct(g, 34) >= 20) {
		static const int64_t scale[] = {100000, 1000000, 10000000,
		                                100000000};

		revenue =
		    SFO_PICK(g, 35, scale) * (int64_t)(sfo_r(g, 36) % 9 + 1);
		sfo_set_fixed(g, A_REVENUE, revenue * 100, 2);
	}
	if (sfo_pct(g, 37) >= 15)
		sfo_set_int(g, A_EMPLOYEES, (int64_t)(sfo_r(g, 38) % 5000 + 1));
	if (sfo_pct(g, 39) < 30)
		sfo_put(g, A_OWNERSHIP,
		        sfo_pl_pick(pl_ownership, sfo_r(g, 52)));
	if (sfo_pct(g, 53) < 5) {
		s = sfo_begin(g);
		sfo_wupper(g,
		           sfo_co_head.w[combo((uint64_t)b) % sfo_co_head.n]);
		sfo_end(g, A_TICKER, s);
	}
	sfo_set_description(g, A_DESCRIPTION, sfo_r(g, 54));
	if (sfo_pct(g, 55) < 50)
		sfo_put(g, A_RATING, sfo_pl_pick(sfo_pl_rating, sfo_r(g, 56)));
	if (sfo_pct(g, 57) < 10)
		sfo_put(g, A_SITE,
		        sfo_pct(g, 58) < 50 ? "HQ" : "Branch office");
	if (sfo_pct(g, 59) < 50)
		sfo_set_date(g, A_LASTACTIVITY,
		             sfo_days_ago(sfo_r(g, 60) % 365 + 1));
	if (sfo_pct(g, 61) < 60)
		sfo_put(g, A_SOURCE,
		        sfo_pl_pick(sfo_pl_leadsource, sfo_r(g, 62)));
	if (sfo_pct(g, 63) < 30) {
		s = sfo_begin(g);
		sfo_wu(g, 1950 + sfo_r(g, 64) % 75);
		sfo_end(g, A_YEAR, s);
	}
	sfo_put(g, A_TIER,
	        revenue < 0           ? "Unknown"
	        : revenue >= 10000000 ? "Enterprise"
	        : revenue >= 1000000  ? "Mid-Market"
	                              : "SMB");
	sfo_set_fixed(g, A_INVOICED, sfo_account_invoiced(org, g->i), 2);
	if (sfo_pct(g, 65) < 70) {
		s = sfo_begin(g);
		sfo_w(g, "LEG-");
		sfo_wu_pad(g, (uint64_t)g->i + 1, 7);
		sfo_end(g, A_LEGACY, s);
	}
	if (!org->opts.person_accounts)
		return;
	sfo_set_bool(g, A_ISPERSON, person);
	sfo_set_bool(g, A_POPTOUT, person && sfo_pct(g, 66) < 10);
	sfo_set_bool(g, A_PDONOTCALL, person && sfo_pct(g, 67) < 5);
	if (person)
		gen_person(g);
}

const struct sfo_objdef sfo_def_account = {
    .obj = SFO_ACCOUNT,
    .name = "Account",
    .label = "Account",
    .label_plural = "Accounts",
    .key_prefix = "001",
    .master_rt = true,
    .fields = account_fields,
    .n_fields = A_N_BASE,
    .n_person = A_N_ALL - A_N_BASE,
    .gen = gen_account,
};
