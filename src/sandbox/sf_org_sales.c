/* sf_org_sales.c: Lead and Opportunity with their junctions
 * (OpportunityContactRole, CampaignMember), Campaign and Product2. Leads
 * overlap the accounts on purpose (a fifth name an existing company, some
 * with a contact's address), some are converted, some sit in a queue. */
#include "util.h"

#include "sf_org_int.h"

/* --- Lead --- */

enum {
	L_MASTER = SFO_N_AUDIT,
	L_LAST,
	L_FIRST,
	L_SALUTATION,
	L_NAME,
	L_TITLE,
	L_COMPANY,
	L_STREET,
	L_PHONE = L_STREET + 9,
	L_MOBILE,
	L_FAX,
	L_EMAIL,
	L_WEBSITE,
	L_PHOTO,
	L_DESCRIPTION,
	L_SOURCE,
	L_STATUS,
	L_INDUSTRY,
	L_RATING,
	L_REVENUE,
	L_EMPLOYEES,
	L_OWNER,
	L_CONVERTED,
	L_CONVDATE,
	L_CONVACCOUNT,
	L_CONVCONTACT,
	L_CONVOPP,
	L_UNREAD,
	L_LASTACTIVITY,
	L_LASTVIEWED,
	L_LASTREF,
	L_N
};

static const char *const pl_lead_status[] = {
    "Open - Not Contacted", "Working - Contacted", "Closed - Converted",
    "Closed - Not Converted", NULL};
static const char *const refs_opp[] = {"Opportunity", NULL};

static const struct sf_field lead_fields[L_N] = {
    SFO_AUDIT("Lead ID"),
    [L_MASTER] =
        SFO_FLD("MasterRecordId", "Master Record ID", SF_REFERENCE, 18, SFO_N,
                .refs = sfo_refs_lead, .relationship = "MasterRecord"),
    [L_LAST] = SFO_FLD("LastName", "Last Name", SF_STRING, 80, SFO_CU,
                       .compound = "Name"),
    [L_FIRST] = SFO_FLD("FirstName", "First Name", SF_STRING, 40, SFO_NCU,
                        .compound = "Name"),
    [L_SALUTATION] =
        SFO_FLD("Salutation", "Salutation", SF_PICKLIST, 40, SFO_NCU,
                .picklist = sfo_pl_salutation, .compound = "Name"),
    [L_NAME] = SFO_FLD("Name", "Full Name", SF_STRING, 121, SFO_RO,
                       .name_field = true),
    [L_TITLE] = SFO_FLD("Title", "Title", SF_STRING, 128, SFO_NCU),
    [L_COMPANY] = SFO_FLD("Company", "Company", SF_STRING, 255, SFO_CU),
    [L_STREET] = SFO_ADDRESS_FIELDS("", "Lead", "Address"),
    [L_PHONE] = SFO_FLD("Phone", "Phone", SF_PHONE, 40, SFO_NCU),
    [L_MOBILE] = SFO_FLD("MobilePhone", "Mobile Phone", SF_PHONE, 40, SFO_NCU),
    [L_FAX] = SFO_FLD("Fax", "Fax", SF_PHONE, 40, SFO_NCU),
    [L_EMAIL] = SFO_FLD("Email", "Email", SF_EMAIL, 80, SFO_NCU),
    [L_WEBSITE] = SFO_FLD("Website", "Website", SF_URL, 255, SFO_NCU),
    [L_PHOTO] = SFO_FLD("PhotoUrl", "Photo URL", SF_URL, 255, SFO_N),
    [L_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [L_SOURCE] = SFO_FLD("LeadSource", "Lead Source", SF_PICKLIST, 255, SFO_NCU,
                         .picklist = sfo_pl_leadsource),
    [L_STATUS] = SFO_FLD("Status", "Status", SF_PICKLIST, 255, SFO_CU,
                         .picklist = pl_lead_status,
                         .picklist_default = "Open - Not Contacted"),
    [L_INDUSTRY] = SFO_FLD("Industry", "Industry", SF_PICKLIST, 255, SFO_NCU,
                           .picklist = sfo_pl_industry),
    [L_RATING] = SFO_FLD("Rating", "Rating", SF_PICKLIST, 255, SFO_NCU,
                         .picklist = sfo_pl_rating),
    [L_REVENUE] = SFO_FLD("AnnualRevenue", "Annual Revenue", SF_CURRENCY, 0,
                          SFO_NCU, .precision = 18, .scale = 0),
    [L_EMPLOYEES] = SFO_FLD("NumberOfEmployees", "Employees", SF_INT, 0,
                            SFO_NCU, .precision = 8),
    [L_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_group_user, .relationship = "Owner"),
    [L_CONVERTED] =
        SFO_FLD("IsConverted", "Converted", SF_BOOLEAN, 0, .createable = true),
    [L_CONVDATE] =
        SFO_FLD("ConvertedDate", "Converted Date", SF_DATE, 0, SFO_N),
    [L_CONVACCOUNT] = SFO_FLD("ConvertedAccountId", "Converted Account ID",
                              SF_REFERENCE, 18, SFO_N, .refs = sfo_refs_account,
                              .relationship = "ConvertedAccount"),
    [L_CONVCONTACT] = SFO_FLD("ConvertedContactId", "Converted Contact ID",
                              SF_REFERENCE, 18, SFO_N, .refs = sfo_refs_contact,
                              .relationship = "ConvertedContact"),
    [L_CONVOPP] = SFO_FLD("ConvertedOpportunityId", "Converted Opportunity ID",
                          SF_REFERENCE, 18, SFO_N, .refs = refs_opp,
                          .relationship = "ConvertedOpportunity"),
    [L_UNREAD] =
        SFO_FLD("IsUnreadByOwner", "Unread By Owner", SF_BOOLEAN, 0, SFO_CU),
    [L_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity", SF_DATE, 0, SFO_N),
    [L_LASTVIEWED] =
        SFO_FLD("LastViewedDate", "Last Viewed Date", SF_DATETIME, 0, SFO_N),
    [L_LASTREF] = SFO_FLD("LastReferencedDate", "Last Referenced Date",
                          SF_DATETIME, 0, SFO_N),
};

struct sfo_person sfo_lead_person(const struct sf_org *org, int64_t l)
{
	return sfo_person_of(sfo_rk(sfo_rec_hash(org, SFO_LEAD, l), 30));
}

/* The company a lead names: an existing account (a fifth of the leads)
 * or one of its own. */
static int64_t lead_account(const struct sf_org *org, uint64_t h)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT);

	if (n > 0 && sfo_rk(h, 20) % 100 < 20)
		return (int64_t)(sfo_rk(h, 21) % (uint64_t)n);
	return -1;
}

static int64_t lead_company(const struct sf_org *org, int64_t l, uint64_t h)
{
	int64_t a = lead_account(org, h);
	bool dup;

	if (a >= 0 && !sfo_account_is_person(org, a))
		return sfo_account_company(org, a, &dup);
	/* past every account index: a company of the lead's own */
	return sfo_count(org, SFO_ACCOUNT) + 1000 + l;
}

void sfo_w_lead_email(struct sfo_gen *g, int64_t l)
{
	uint64_t h = sfo_rec_hash(g->org, SFO_LEAD, l);
	unsigned p = (unsigned)((l * 11 + 7) % 100);
	int64_t a = lead_account(g->org, h);
	struct sfo_person who = sfo_lead_person(g->org, l);

	if (p < 8)
		return; /* blank */
	if (p < 10) {   /* invalid */
		sfo_w_local_part(g, who, l);
		sfo_w(g, "@localhost");
		return;
	}
	if (a >= 0 && p < 40) {
		/* the same person as a contact of the account */
		int64_t c = sfo_account_contact(g->org, a, sfo_rk(h, 23));

		if (c >= 0) {
			char *s = g->p;

			sfo_w_contact_email(g, c);
			if (g->p > s)
				return;
		}
	}
	sfo_w_local_part(g, who, l);
	if (p < 20) {
		sfo_wu(g, (uint64_t)l);
		sfo_wc(g, '@');
		sfo_w(g, sfo_word(&sfo_personal_domains, sfo_rk(h, 24)));
		return;
	}
	sfo_wc(g, '@');
	sfo_w_domain(g, lead_company(g->org, l, h));
}

static void gen_lead(struct sfo_gen *g)
{
	static const int open_status[] = {0, 1, 3};
	const struct sf_org *org = g->org;
	struct sfo_person p = sfo_lead_person(org, g->i);
	int64_t b = lead_company(org, g->i, g->h);
	int64_t n_acc = sfo_count(org, SFO_ACCOUNT);
	bool converted = (g->i * 7 + 3) % 10 == 0 && n_acc > 0;
	char *s;

	sfo_put(g, L_LAST, p.last);
	sfo_put(g, L_FIRST, p.first);
	if (sfo_pct(g, 26) < 30)
		sfo_put(g, L_SALUTATION,
		        sfo_pl_pick(sfo_pl_salutation, sfo_r(g, 27)));
	s = sfo_begin(g);
	sfo_w_person_name(g, p);
	sfo_end(g, L_NAME, s);
	if (sfo_pct(g, 28) < 70)
		sfo_put(g, L_TITLE, sfo_word(&sfo_titles, sfo_r(g, 29)));
	s = sfo_begin(g);
	if (sfo_pct(g, 30) < 4)
		sfo_w(g, "[not provided]");
	else
		sfo_w_company(g, b);
	sfo_end(g, L_COMPANY, s);
	if (sfo_pct(g, 31) < 70)
		sfo_gen_address(g, L_STREET,
		                &sfo_cities[sfo_r(g, 32) % sfo_n_cities], 33);
	if (sfo_pct(g, 35) < 70) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 36));
		sfo_end(g, L_PHONE, s);
	}
	if (sfo_pct(g, 37) < 30) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 38));
		sfo_end(g, L_MOBILE, s);
	}
	s = sfo_begin(g);
	sfo_w_lead_email(g, g->i);
	if (g->p > s)
		sfo_end(g, L_EMAIL, s);
	if (sfo_pct(g, 39) < 50) {
		s = sfo_begin(g);
		sfo_w(g, "www.");
		sfo_w_domain(g, b);
		sfo_end(g, L_WEBSITE, s);
	}
	sfo_set_description(g, L_DESCRIPTION, sfo_r(g, 40));
	if (sfo_pct(g, 41) < 80)
		sfo_put(g, L_SOURCE,
		        sfo_pl_pick(sfo_pl_leadsource, sfo_r(g, 42)));
	if (converted)
		sfo_put(g, L_STATUS, "Closed - Converted");
	else if (sfo_pct(g, 43) < 3)
		sfo_put(g, L_STATUS, "Nurturing"); /* not a defined value */
	else
		sfo_put(g, L_STATUS,
		        pl_lead_status[open_status[sfo_r(g, 44) % 3]]);
	if (sfo_pct(g, 45) < 60)
		sfo_put(g, L_INDUSTRY,
		        sfo_pl_pick(sfo_pl_industry, sfo_r(g, 46)));
	if (sfo_pct(g, 47) < 40)
		sfo_put(g, L_RATING, sfo_pl_pick(sfo_pl_rating, sfo_r(g, 48)));
	if (sfo_pct(g, 49) < 40)
		sfo_set_fixed(g, L_REVENUE,
		              (int64_t)(sfo_r(g, 50) % 500 + 1) * 100000 * 100,
		              2);
	if (sfo_pct(g, 51) < 50)
		sfo_set_int(g, L_EMPLOYEES, (int64_t)(sfo_r(g, 52) % 2000 + 1));
	if (sfo_pct(g, 53) < 10)
		sfo_set_raw_id(g, L_OWNER, "00G",
		               (int64_t)(sfo_r(g, 54) % SFO_N_QUEUES + 1));
	sfo_set_bool(g, L_CONVERTED, converted);
	if (converted) {
		int64_t a = (int64_t)(sfo_r(g, 55) % (uint64_t)n_acc);
		int64_t c = sfo_account_contact(org, a, sfo_r(g, 56));
		int64_t n_opp = sfo_count(org, SFO_OPPORTUNITY);

		sfo_set_date(g, L_CONVDATE, g->modified);
		sfo_set_id(g, L_CONVACCOUNT, SFO_ACCOUNT, a);
		if (c >= 0)
			sfo_set_id(g, L_CONVCONTACT, SFO_CONTACT, c);
		if (a < n_opp && sfo_opp_account(org, a) == a &&
		    sfo_pct(g, 57) < 70)
			sfo_set_id(g, L_CONVOPP, SFO_OPPORTUNITY, a);
	}
	sfo_set_bool(g, L_UNREAD, sfo_pct(g, 58) < 20);
	if (sfo_pct(g, 59) < 30)
		sfo_set_date(g, L_LASTACTIVITY,
		             sfo_days_ago(sfo_r(g, 60) % 200 + 1));
}

const struct sfo_objdef sfo_def_lead = {
    .obj = SFO_LEAD,
    .name = "Lead",
    .label = "Lead",
    .label_plural = "Leads",
    .key_prefix = "00Q",
    .master_rt = true,
    .fields = lead_fields,
    .n_fields = L_N,
    .gen = gen_lead,
};

/* --- Opportunity --- */

enum {
	O_ACCOUNT = SFO_N_AUDIT,
	O_RECORDTYPE,
	O_PRIVATE,
	O_NAME,
	O_DESCRIPTION,
	O_STAGE,
	O_AMOUNT,
	O_PROBABILITY,
	O_EXPECTED,
	O_QUANTITY,
	O_CLOSEDATE,
	O_TYPE,
	O_NEXTSTEP,
	O_SOURCE,
	O_CLOSED,
	O_WON,
	O_FORECAST,
	O_FORECASTNAME,
	O_CAMPAIGN,
	O_LINEITEM,
	O_OWNER,
	O_LASTACTIVITY,
	O_LASTSTAGE,
	O_QUARTER,
	O_YEAR,
	O_FISCAL,
	O_CONTACT,
	O_OPENACTIVITY,
	O_OVERDUE,
	O_AGE,
	O_N
};

static const char *const pl_stage[] = {"Prospecting",
                                       "Qualification",
                                       "Needs Analysis",
                                       "Value Proposition",
                                       "Id. Decision Makers",
                                       "Perception Analysis",
                                       "Proposal/Price Quote",
                                       "Negotiation/Review",
                                       "Closed Won",
                                       "Closed Lost",
                                       NULL};
static const int stage_probability[] = {10, 10, 20, 50, 60, 70, 75, 90, 100, 0};
static const char *const pl_opp_type[] = {
    "Existing Customer - Upgrade", "Existing Customer - Replacement",
    "Existing Customer - Downgrade", "New Customer", NULL};
static const char *const pl_forecast[] = {"Omitted",    "Pipeline", "BestCase",
                                          "MostLikely", "Forecast", "Closed",
                                          NULL};
static const char *const pl_forecast_name[] = {
    "Omitted", "Pipeline", "Best Case", "Commit", "Closed", NULL};
static const char *const refs_campaign[] = {"Campaign", NULL};

static const struct sf_field opportunity_fields[O_N] = {
    SFO_AUDIT("Opportunity ID"),
    [O_ACCOUNT] = SFO_FLD("AccountId", "Account ID", SF_REFERENCE, 18, SFO_NCU,
                          .refs = sfo_refs_account, .relationship = "Account",
                          .child_relationship = "Opportunities"),
    [O_RECORDTYPE] =
        SFO_FLD("RecordTypeId", "Record Type ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = sfo_refs_recordtype, .relationship = "RecordType"),
    [O_PRIVATE] = SFO_FLD("IsPrivate", "Private", SF_BOOLEAN, 0, SFO_CU),
    [O_NAME] =
        SFO_FLD("Name", "Name", SF_STRING, 120, SFO_CU, .name_field = true),
    [O_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [O_STAGE] = SFO_FLD("StageName", "Stage", SF_PICKLIST, 255, SFO_CU,
                        .picklist = pl_stage),
    [O_AMOUNT] = SFO_FLD("Amount", "Amount", SF_CURRENCY, 0, SFO_NCU,
                         .precision = 18, .scale = 2),
    [O_PROBABILITY] = SFO_FLD("Probability", "Probability (%)", SF_PERCENT, 0,
                              SFO_NCU, .precision = 3, .scale = 0),
    /* read-only, derived by Salesforce (describe: not calculated) */
    [O_EXPECTED] = SFO_FLD("ExpectedRevenue", "Expected Amount", SF_CURRENCY, 0,
                           SFO_N, .precision = 18, .scale = 2),
    [O_QUANTITY] = SFO_FLD("TotalOpportunityQuantity", "Quantity", SF_DOUBLE, 0,
                           SFO_NCU, .precision = 18, .scale = 2),
    [O_CLOSEDATE] = SFO_FLD("CloseDate", "Close Date", SF_DATE, 0, SFO_CU),
    [O_TYPE] = SFO_FLD("Type", "Opportunity Type", SF_PICKLIST, 255, SFO_NCU,
                       .picklist = pl_opp_type),
    [O_NEXTSTEP] = SFO_FLD("NextStep", "Next Step", SF_STRING, 255, SFO_NCU),
    [O_SOURCE] = SFO_FLD("LeadSource", "Lead Source", SF_PICKLIST, 255, SFO_NCU,
                         .picklist = sfo_pl_leadsource),
    [O_CLOSED] = SFO_FLD("IsClosed", "Closed", SF_BOOLEAN, 0, SFO_RO),
    [O_WON] = SFO_FLD("IsWon", "Won", SF_BOOLEAN, 0, SFO_RO),
    [O_FORECAST] =
        SFO_FLD("ForecastCategory", "Forecast Category", SF_PICKLIST, 40,
                SFO_RO, .restricted_picklist = true, .picklist = pl_forecast),
    [O_FORECASTNAME] = SFO_FLD(
        "ForecastCategoryName", "Forecast Category", SF_PICKLIST, 255, SFO_NCU,
        .restricted_picklist = true, .picklist = pl_forecast_name),
    [O_CAMPAIGN] =
        SFO_FLD("CampaignId", "Campaign ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = refs_campaign, .relationship = "Campaign",
                .child_relationship = "Opportunities"),
    [O_LINEITEM] = SFO_FLD("HasOpportunityLineItem", "Has Line Item",
                           SF_BOOLEAN, 0, SFO_RO),
    [O_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
    [O_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity", SF_DATE, 0, SFO_N),
    [O_LASTSTAGE] = SFO_FLD("LastStageChangeDate", "Last Stage Change Date",
                            SF_DATETIME, 0, SFO_N),
    [O_QUARTER] = SFO_FLD("FiscalQuarter", "Fiscal Quarter", SF_INT, 0, SFO_N,
                          .precision = 8, .compound = "Fiscal"),
    [O_YEAR] = SFO_FLD("FiscalYear", "Fiscal Year", SF_INT, 0, SFO_N,
                       .precision = 8, .compound = "Fiscal"),
    [O_FISCAL] = SFO_FLD("Fiscal", "Fiscal Period", SF_STRING, 6, SFO_N),
    [O_CONTACT] = SFO_FLD("ContactId", "Contact ID", SF_REFERENCE, 18, SFO_NC,
                          .refs = sfo_refs_contact),
    [O_OPENACTIVITY] =
        SFO_FLD("HasOpenActivity", "Has Open Activity", SF_BOOLEAN, 0, SFO_RO),
    [O_OVERDUE] =
        SFO_FLD("HasOverdueTask", "Has Overdue Task", SF_BOOLEAN, 0, SFO_RO),
    [O_AGE] =
        SFO_FLD("Age_In_Days__c", "Age (days)", SF_DOUBLE, 0, SFO_N,
                .precision = 18, .scale = 0, .custom = true, .calculated = true,
                .formula = "IF(IsClosed, CloseDate - "
                           "DATEVALUE(CreatedDate), TODAY() - "
                           "DATEVALUE(CreatedDate))"),
};

int64_t sfo_opp_account(const struct sf_org *org, int64_t o)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT);

	if (n <= 0 ||
	    sfo_rk(sfo_rec_hash(org, SFO_OPPORTUNITY, o), 20) % 100 < 2)
		return -1;
	return o % n;
}

static void gen_opportunity(struct sfo_gen *g)
{
	const struct sf_org *org = g->org;
	int64_t a = sfo_opp_account(org, g->i), amount, close, year;
	unsigned month, day;
	unsigned st = (unsigned)(sfo_r(g, 21) % 10);
	bool closed = st >= 8, won = st == 8;
	char *s;

	/* closed deals are the common case in an old org */
	if (sfo_pct(g, 22) < 40) {
		st = 8 + (unsigned)(sfo_r(g, 23) % 2);
		closed = true;
		won = st == 8;
	}
	if (a >= 0)
		sfo_set_id(g, O_ACCOUNT, SFO_ACCOUNT, a);
	sfo_set_id(g, O_RECORDTYPE, SFO_RECORDTYPE,
	           org->rt_first[SFO_OPPORTUNITY] +
	               (sfo_pct(g, 24) < 70 ? 0 : 1));
	sfo_set_bool(g, O_PRIVATE, false);
	s = sfo_begin(g);
	if (a >= 0) {
		sfo_w_account_name(g, a);
		sfo_w(g, " - ");
	}
	sfo_w(g, sfo_word(&sfo_products, sfo_r(g, 25)));
	sfo_end(g, O_NAME, s);
	sfo_set_description(g, O_DESCRIPTION, sfo_r(g, 26));
	sfo_put(g, O_STAGE, pl_stage[st]);
	if (sfo_pct(g, 27) < 90) {
		amount = (int64_t)(sfo_r(g, 28) % 250000 + 500) * 100;
		sfo_set_fixed(g, O_AMOUNT, amount, 2);
		sfo_set_fixed(g, O_EXPECTED,
		              amount * stage_probability[st] / 100, 2);
	}
	sfo_set_int(g, O_PROBABILITY, stage_probability[st]);
	if (sfo_pct(g, 29) < 30)
		sfo_set_fixed(g, O_QUANTITY,
		              (int64_t)(sfo_r(g, 30) % 500 + 1) * 100, 2);
	close = closed ? g->created + (int64_t)(sfo_r(g, 31) % 200) * 86400
	               : SF_ORG_NOW + (int64_t)(sfo_r(g, 31) % 365) * 86400;
	sfo_set_date(g, O_CLOSEDATE, close);
	if (sfo_pct(g, 32) < 70)
		sfo_put(g, O_TYPE, sfo_pl_pick(pl_opp_type, sfo_r(g, 33)));
	if (!closed && sfo_pct(g, 34) < 40)
		sfo_put(g, O_NEXTSTEP, "Send proposal, then call back");
	if (sfo_pct(g, 35) < 60)
		sfo_put(g, O_SOURCE,
		        sfo_pl_pick(sfo_pl_leadsource, sfo_r(g, 36)));
	sfo_set_bool(g, O_CLOSED, closed);
	sfo_set_bool(g, O_WON, won);
	sfo_put(g, O_FORECAST,
	        won       ? "Closed"
	        : closed  ? "Omitted"
	        : st >= 6 ? "Forecast"
	                  : "Pipeline");
	sfo_put(g, O_FORECASTNAME,
	        won       ? "Closed"
	        : closed  ? "Omitted"
	        : st >= 6 ? "Commit"
	                  : "Pipeline");
	if (sfo_count(org, SFO_CAMPAIGN) > 0 && sfo_pct(g, 37) < 20)
		sfo_set_id(g, O_CAMPAIGN, SFO_CAMPAIGN,
		           (int64_t)(sfo_r(g, 38) %
		                     (uint64_t)sfo_count(org, SFO_CAMPAIGN)));
	sfo_set_bool(g, O_LINEITEM, false);
	if (sfo_pct(g, 39) < 50)
		sfo_set_date(g, O_LASTACTIVITY,
		             sfo_days_ago(sfo_r(g, 40) % 300 + 1));
	sfo_set_datetime(g, O_LASTSTAGE, g->modified);
	sfo_civil(close, &year, &month, &day);
	sfo_set_int(g, O_QUARTER, (month - 1) / 3 + 1);
	sfo_set_int(g, O_YEAR, year);
	s = sfo_begin(g);
	sfo_wu(g, (uint64_t)year);
	sfo_wc(g, ' ');
	sfo_wu(g, (month - 1) / 3 + 1);
	sfo_end(g, O_FISCAL, s);
	if (a >= 0 && sfo_pct(g, 41) < 50) {
		int64_t c = sfo_account_contact(org, a, sfo_r(g, 42));

		if (c >= 0)
			sfo_set_id(g, O_CONTACT, SFO_CONTACT, c);
	}
	sfo_set_bool(g, O_OPENACTIVITY, !closed && sfo_pct(g, 43) < 50);
	sfo_set_bool(g, O_OVERDUE, !closed && sfo_pct(g, 44) < 10);
	sfo_set_int(g, O_AGE,
	            ((closed ? close : SF_ORG_NOW) - g->created) / 86400);
}

const struct sfo_objdef sfo_def_opportunity = {
    .obj = SFO_OPPORTUNITY,
    .name = "Opportunity",
    .label = "Opportunity",
    .label_plural = "Opportunities",
    .key_prefix = "006",
    .master_rt = true,
    .fields = opportunity_fields,
    .n_fields = O_N,
    .gen = gen_opportunity,
};

/* --- OpportunityContactRole: one per opportunity --- */

enum { R_OPP = SFO_N_AUDIT, R_CONTACT, R_ROLE, R_PRIMARY, R_N };

static const char *const pl_role[] = {
    "Business User",  "Decision Maker",
    "Economic Buyer", "Economic Decision Maker",
    "Evaluator",      "Executive Sponsor",
    "Influencer",     "Technical Buyer",
    "Other",          NULL};

static const struct sf_field ocr_fields[R_N] = {
    SFO_AUDIT("Contact Role ID"),
    [R_OPP] = SFO_FLD("OpportunityId", "Opportunity ID", SF_REFERENCE, 18,
                      .createable = true, .refs = refs_opp,
                      .relationship = "Opportunity", .cascade_delete = true,
                      .child_relationship = "OpportunityContactRoles"),
    [R_CONTACT] = SFO_FLD("ContactId", "Contact ID", SF_REFERENCE, 18, SFO_CU,
                          .refs = sfo_refs_contact, .relationship = "Contact",
                          .child_relationship = "OpportunityContactRoles"),
    [R_ROLE] =
        SFO_FLD("Role", "Role", SF_PICKLIST, 40, SFO_NCU, .picklist = pl_role),
    [R_PRIMARY] = SFO_FLD("IsPrimary", "Primary", SF_BOOLEAN, 0, SFO_CU),
};

static void gen_ocr(struct sfo_gen *g)
{
	int64_t a = sfo_opp_account(g->org, g->i);
	int64_t c = a >= 0 ? sfo_account_contact(g->org, a, sfo_r(g, 20)) : -1;

	if (c < 0)
		c = (int64_t)(sfo_r(g, 21) %
		              (uint64_t)sfo_count(g->org, SFO_CONTACT));
	sfo_set_id(g, R_OPP, SFO_OPPORTUNITY, g->i);
	sfo_set_id(g, R_CONTACT, SFO_CONTACT, c);
	if (sfo_pct(g, 22) < 80)
		sfo_put(g, R_ROLE, sfo_pl_pick(pl_role, sfo_r(g, 23)));
	sfo_set_bool(g, R_PRIMARY, true);
}

const struct sfo_objdef sfo_def_ocr = {
    .obj = SFO_OCR,
    .name = "OpportunityContactRole",
    .label = "Opportunity Contact Role",
    .label_plural = "Opportunity Contact Role",
    .key_prefix = "00K",
    .fields = ocr_fields,
    .n_fields = R_N,
    .gen = gen_ocr,
};
