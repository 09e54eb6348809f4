/* sf_org_misc.c: Campaign and CampaignMember, Product2, and the org's
 * custom object Invoice__c (with the Account roll-up Total_Invoiced__c is
 * computed from). Members of campaign k are members k, k + campaigns, …,
 * so a campaign's roll-up counts are sums over its own members only. */
#include "util.h"

#include "sf_org_int.h"

static const char *const refs_campaign[] = {"Campaign", NULL};

/* --- Campaign --- */

enum {
	P_NAME = SFO_N_AUDIT,
	P_PARENT,
	P_TYPE,
	P_STATUS,
	P_START,
	P_END,
	P_EXPECTED,
	P_BUDGET,
	P_ACTUAL,
	P_RESPONSE,
	P_SENT,
	P_ACTIVE,
	P_DESCRIPTION,
	P_LEADS,
	P_CONTACTS,
	P_RESPONSES,
	P_OWNER,
	P_LASTACTIVITY,
	P_N
};

static const char *const pl_campaign_type[] = {"Conference",
                                               "Webinar",
                                               "Trade Show",
                                               "Public Relations",
                                               "Partners",
                                               "Referral Program",
                                               "Advertisement",
                                               "Banner Ads",
                                               "Direct Mail",
                                               "Email",
                                               "Telemarketing",
                                               "Other",
                                               NULL};
static const char *const pl_campaign_status[] = {"Planned", "In Progress",
                                                 "Completed", "Aborted", NULL};

static const struct sf_field campaign_fields[P_N] = {
    SFO_AUDIT("Campaign ID"),
    [P_NAME] =
        SFO_FLD("Name", "Name", SF_STRING, 80, SFO_CU, .name_field = true),
    [P_PARENT] =
        SFO_FLD("ParentId", "Parent Campaign ID", SF_REFERENCE, 18, SFO_NCU,
                .refs = refs_campaign, .relationship = "Parent",
                .child_relationship = "ChildCampaigns"),
    [P_TYPE] = SFO_FLD("Type", "Type", SF_PICKLIST, 40, SFO_NCU,
                       .picklist = pl_campaign_type),
    [P_STATUS] = SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = pl_campaign_status),
    [P_START] = SFO_FLD("StartDate", "Start Date", SF_DATE, 0, SFO_NCU),
    [P_END] = SFO_FLD("EndDate", "End Date", SF_DATE, 0, SFO_NCU),
    [P_EXPECTED] =
        SFO_FLD("ExpectedRevenue", "Expected Revenue in Campaign", SF_CURRENCY,
                0, SFO_NCU, .precision = 18, .scale = 0),
    [P_BUDGET] = SFO_FLD("BudgetedCost", "Budgeted Cost in Campaign",
                         SF_CURRENCY, 0, SFO_NCU, .precision = 18, .scale = 0),
    [P_ACTUAL] = SFO_FLD("ActualCost", "Actual Cost in Campaign", SF_CURRENCY,
                         0, SFO_NCU, .precision = 18, .scale = 0),
    [P_RESPONSE] = SFO_FLD("ExpectedResponse", "Expected Response (%)",
                           SF_PERCENT, 0, SFO_NCU, .precision = 8, .scale = 2),
    [P_SENT] = SFO_FLD("NumberSent", "Num Sent in Campaign", SF_DOUBLE, 0,
                       SFO_NCU, .precision = 18, .scale = 0),
    [P_ACTIVE] = SFO_FLD("IsActive", "Active", SF_BOOLEAN, 0, SFO_CU),
    [P_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [P_LEADS] = SFO_FLD("NumberOfLeads", "Leads in Campaign", SF_INT, 0, SFO_RO,
                        .precision = 9),
    [P_CONTACTS] = SFO_FLD("NumberOfContacts", "Contacts in Campaign", SF_INT,
                           0, SFO_RO, .precision = 9),
    [P_RESPONSES] = SFO_FLD("NumberOfResponses", "Responses in Campaign",
                            SF_INT, 0, SFO_RO, .precision = 9),
    [P_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
    [P_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity", SF_DATE, 0, SFO_N),
};

static bool member_is_contact(int64_t m, int64_t n_campaigns)
{
	return (m / n_campaigns) % 2 == 0;
}

static bool member_responded(const struct sf_org *org, int64_t m)
{
	return sfo_rk(sfo_rec_hash(org, SFO_CAMPAIGNMEMBER, m), 21) % 100 < 30;
}

static void gen_campaign(struct sfo_gen *g)
{
	static const char *const season[] = {"Spring", "Summer", "Autumn",
	                                     "Winter"};
	const struct sf_org *org = g->org;
	const struct sf_object *members = sfo_object(org, SFO_CAMPAIGNMEMBER);
	int64_t n = sfo_count(org, SFO_CAMPAIGN), m, leads = 0, contacts = 0,
	        responses = 0, start;
	char *s;

	s = sfo_begin(g);
	sfo_w(g, season[g->i % 4]);
	sfo_wc(g, ' ');
	sfo_w(g, sfo_pl_pick(pl_campaign_type, sfo_r(g, 20)));
	sfo_wc(g, ' ');
	sfo_wu(g, (uint64_t)(2026 - g->i / 4 % 5));
	if (g->i >= 20) {
		sfo_w(g, " #");
		sfo_wu(g, (uint64_t)g->i);
	}
	sfo_end(g, P_NAME, s);
	if (g->i > 0 && sfo_pct(g, 21) < 20)
		sfo_set_id(g, P_PARENT, SFO_CAMPAIGN,
		           (int64_t)(sfo_r(g, 22) % (uint64_t)g->i));
	sfo_put(g, P_TYPE, sfo_pl_pick(pl_campaign_type, sfo_r(g, 20)));
	sfo_put(g, P_STATUS, sfo_pl_pick(pl_campaign_status, sfo_r(g, 23)));
	start = sfo_days_ago(sfo_r(g, 24) % 700 + 30);
	sfo_set_date(g, P_START, start);
	sfo_set_date(g, P_END,
	             start + (int64_t)(sfo_r(g, 25) % 60 + 1) * 86400);
	sfo_set_fixed(g, P_EXPECTED, (int64_t)(sfo_r(g, 26) % 500) * 100000, 2);
	sfo_set_fixed(g, P_BUDGET, (int64_t)(sfo_r(g, 27) % 50) * 100000, 2);
	if (sfo_pct(g, 28) < 70)
		sfo_set_fixed(g, P_ACTUAL,
		              (int64_t)(sfo_r(g, 29) % 50) * 100000, 2);
	sfo_set_fixed(g, P_RESPONSE, (int64_t)(sfo_r(g, 30) % 2000), 2);
	sfo_set_int(g, P_SENT, (int64_t)(sfo_r(g, 31) % 10000));
	sfo_set_bool(g, P_ACTIVE, sfo_pct(g, 32) < 60);
	sfo_set_description(g, P_DESCRIPTION, sfo_r(g, 33));
	for (m = g->i; n > 0 && m < members->count; m += n) {
		if (sf_org_is_deleted(org, members, m))
			continue;
		if (member_is_contact(m, n))
			contacts++;
		else
			leads++;
		responses += member_responded(org, m);
	}
	sfo_set_int(g, P_LEADS, leads);
	sfo_set_int(g, P_CONTACTS, contacts);
	sfo_set_int(g, P_RESPONSES, responses);
}

const struct sfo_objdef sfo_def_campaign = {
    .obj = SFO_CAMPAIGN,
    .name = "Campaign",
    .label = "Campaign",
    .label_plural = "Campaigns",
    .key_prefix = "701",
    .master_rt = true,
    .fields = campaign_fields,
    .n_fields = P_N,
    .gen = gen_campaign,
};

/* --- CampaignMember --- */

enum {
	B_CAMPAIGN = SFO_N_AUDIT,
	B_LEAD,
	B_CONTACT,
	B_STATUS,
	B_RESPONDED,
	B_FIRSTRESPONDED,
	B_TYPE,
	B_LEADORCONTACT,
	B_FIRST,
	B_LAST,
	B_EMAIL,
	B_COMPANY,
	B_N
};

static const char *const refs_who[] = {"Contact", "Lead", NULL};
static const char *const pl_member_status[] = {"Planned", "Received",
                                               "Responded", "Sent", NULL};

static const struct sf_field campaignmember_fields[B_N] = {
    SFO_AUDIT("Campaign Member ID"),
    [B_CAMPAIGN] = SFO_FLD("CampaignId", "Campaign ID", SF_REFERENCE, 18,
                           .createable = true, .refs = refs_campaign,
                           .relationship = "Campaign", .cascade_delete = true,
                           .child_relationship = "CampaignMembers"),
    [B_LEAD] = SFO_FLD("LeadId", "Lead ID", SF_REFERENCE, 18, SFO_NC,
                       .refs = sfo_refs_lead, .relationship = "Lead",
                       .cascade_delete = true,
                       .child_relationship = "CampaignMembers"),
    [B_CONTACT] = SFO_FLD("ContactId", "Contact ID", SF_REFERENCE, 18, SFO_NC,
                          .refs = sfo_refs_contact, .relationship = "Contact",
                          .cascade_delete = true,
                          .child_relationship = "CampaignMembers"),
    [B_STATUS] =
        SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_NCU,
                .picklist = pl_member_status, .picklist_default = "Sent"),
    [B_RESPONDED] = SFO_FLD("HasResponded", "Responded", SF_BOOLEAN, 0, SFO_RO),
    [B_FIRSTRESPONDED] = SFO_FLD("FirstRespondedDate",
                                 "Member First "
                                 "Responded",
                                 SF_DATE, 0, SFO_N),
    [B_TYPE] = SFO_FLD("Type", "Type", SF_STRING, 40, SFO_N),
    [B_LEADORCONTACT] = SFO_FLD("LeadOrContactId", "Lead or Contact ID",
                                SF_REFERENCE, 18, SFO_N, .refs = refs_who),
    [B_FIRST] = SFO_FLD("FirstName", "First Name", SF_STRING, 40, SFO_N),
    [B_LAST] = SFO_FLD("LastName", "Last Name", SF_STRING, 80, SFO_N),
    [B_EMAIL] = SFO_FLD("Email", "Email", SF_EMAIL, 80, SFO_N),
    [B_COMPANY] =
        SFO_FLD("CompanyOrAccount", "Company (Account)", SF_STRING, 255, SFO_N),
};

static void gen_campaignmember(struct sfo_gen *g)
{
	const struct sf_org *org = g->org;
	int64_t nk = sfo_count(org, SFO_CAMPAIGN), k = g->i % nk, m = g->i / nk;
	int64_t nc = sfo_count(org, SFO_CONTACT), nl = sfo_count(org, SFO_LEAD);
	bool contact = member_is_contact(g->i, nk) ? nc > 0 : nl == 0;
	bool responded = member_responded(org, g->i);
	struct sfo_person p;
	int64_t who;
	char *s;

	sfo_set_id(g, B_CAMPAIGN, SFO_CAMPAIGN, k);
	/* distinct people per campaign: m / 2 differs for each member */
	if (contact) {
		who = (m / 2 + k * 13) % nc;
		sfo_set_id(g, B_CONTACT, SFO_CONTACT, who);
		sfo_set_id(g, B_LEADORCONTACT, SFO_CONTACT, who);
		p = sfo_contact_person(org, who);
		s = sfo_begin(g);
		sfo_w_contact_email(g, who);
	} else {
		who = (m / 2 + k * 13) % nl;
		sfo_set_id(g, B_LEAD, SFO_LEAD, who);
		sfo_set_id(g, B_LEADORCONTACT, SFO_LEAD, who);
		p = sfo_lead_person(org, who);
		s = sfo_begin(g);
		sfo_w_lead_email(g, who);
	}
	if (g->p > s)
		sfo_end(g, B_EMAIL, s);
	sfo_put(g, B_FIRST, p.first);
	sfo_put(g, B_LAST, p.last);
	sfo_put(g, B_TYPE, contact ? "Contact" : "Lead");
	sfo_put(g, B_STATUS, responded ? "Responded" : "Sent");
	sfo_set_bool(g, B_RESPONDED, responded);
	if (responded)
		sfo_set_date(g, B_FIRSTRESPONDED, g->created + 86400 * 3);
	if (contact) {
		int64_t a = sfo_contact_account(org, who);

		if (a >= 0 && a < sfo_count(org, SFO_ACCOUNT)) {
			s = sfo_begin(g);
			sfo_w_account_name(g, a);
			sfo_end(g, B_COMPANY, s);
		}
	}
}

const struct sfo_objdef sfo_def_campaignmember = {
    .obj = SFO_CAMPAIGNMEMBER,
    .name = "CampaignMember",
    .label = "Campaign Member",
    .label_plural = "Campaign Members",
    .key_prefix = "00v",
    .fields = campaignmember_fields,
    .n_fields = B_N,
    .gen = gen_campaignmember,
};

/* --- Product2 --- */

enum {
	D_NAME = SFO_N_AUDIT,
	D_CODE,
	D_DESCRIPTION,
	D_ACTIVE,
	D_FAMILY,
	D_UNIT,
	D_SKU,
	D_ARCHIVED,
	D_N
};

static const char *const pl_family[] = {"None", "Software", "Hardware",
                                        "Services", NULL};
static const char *const pl_unit[] = {"Each", NULL};

static const struct sf_field product2_fields[D_N] = {
    SFO_AUDIT("Product ID"),
    [D_NAME] = SFO_FLD("Name", "Product Name", SF_STRING, 255, SFO_CU,
                       .name_field = true),
    [D_CODE] = SFO_FLD("ProductCode", "Product Code", SF_STRING, 255, SFO_NCU),
    [D_DESCRIPTION] = SFO_FLD("Description", "Product Description", SF_TEXTAREA,
                              4000, SFO_NCU),
    [D_ACTIVE] = SFO_FLD("IsActive", "Active", SF_BOOLEAN, 0, SFO_CU),
    [D_FAMILY] = SFO_FLD("Family", "Product Family", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = pl_family),
    [D_UNIT] = SFO_FLD("QuantityUnitOfMeasure", "Quantity Unit Of Measure",
                       SF_PICKLIST, 255, SFO_NCU, .picklist = pl_unit),
    [D_SKU] =
        SFO_FLD("StockKeepingUnit", "Product SKU", SF_STRING, 180, SFO_NCU),
    [D_ARCHIVED] = SFO_FLD("IsArchived", "Archived", SF_BOOLEAN, 0, SFO_RO),
};

static void gen_product2(struct sfo_gen *g)
{
	static const char *const tier[] = {"Standard", "Professional",
	                                   "Enterprise", "Unlimited"};
	char *s;

	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_products, (uint64_t)g->i));
	sfo_wc(g, ' ');
	sfo_w(g, tier[(uint64_t)g->i / sfo_products.n % 4]);
	if ((uint64_t)g->i >= sfo_products.n * 4) {
		sfo_w(g, " v");
		sfo_wu(g, (uint64_t)g->i / (sfo_products.n * 4) + 1);
	}
	sfo_end(g, D_NAME, s);
	s = sfo_begin(g);
	sfo_w(g, "SKU-");
	sfo_wu_pad(g, (uint64_t)g->i + 1, 5);
	sfo_end(g, D_CODE, s);
	g->v[D_SKU] = g->v[D_CODE];
	sfo_set_description(g, D_DESCRIPTION, sfo_r(g, 20));
	sfo_set_bool(g, D_ACTIVE, sfo_pct(g, 21) < 85);
	sfo_put(g, D_FAMILY, sfo_pl_pick(pl_family, sfo_r(g, 22)));
	sfo_put(g, D_UNIT, "Each");
	sfo_set_bool(g, D_ARCHIVED, false);
}

const struct sfo_objdef sfo_def_product2 = {
    .obj = SFO_PRODUCT2,
    .name = "Product2",
    .label = "Product",
    .label_plural = "Products",
    .key_prefix = "01t",
    .master_rt = true,
    .fields = product2_fields,
    .n_fields = D_N,
    .gen = gen_product2,
};

/* --- Invoice__c, the custom object --- */

enum {
	I_NAME = SFO_N_AUDIT,
	I_OWNER,
	I_AMOUNT,
	I_ACCOUNT,
	I_STATUS,
	I_DUE,
	I_LASTACTIVITY,
	I_N
};

static const char *const pl_invoice_status[] = {"Draft", "Sent", "Paid", "Void",
                                                NULL};

static const struct sf_field invoice_fields[I_N] = {
    SFO_AUDIT("Record ID"),
    [I_NAME] = SFO_FLD("Name", "Invoice Number", SF_STRING, 80, SFO_RO,
                       .auto_number = true, .name_field = true),
    [I_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_group_user, .relationship = "Owner"),
    [I_AMOUNT] = SFO_FLD("Amount__c", "Amount", SF_CURRENCY, 0, SFO_NCU,
                         .precision = 16, .scale = 2, .custom = true),
    [I_ACCOUNT] = SFO_FLD("Account__c", "Account", SF_REFERENCE, 18, SFO_NCU,
                          .custom = true, .refs = sfo_refs_account,
                          .relationship = "Account__r",
                          .child_relationship = "Invoices__r"),
    [I_STATUS] = SFO_FLD("Status__c", "Status", SF_PICKLIST, 255, SFO_NCU,
                         .custom = true, .picklist = pl_invoice_status,
                         .picklist_default = "Draft"),
    [I_DUE] =
        SFO_FLD("Due_Date__c", "Due Date", SF_DATE, 0, SFO_NCU, .custom = true),
    [I_LASTACTIVITY] =
        SFO_FLD("LastActivityDate", "Last Activity Date", SF_DATE, 0, SFO_N),
};

int64_t sfo_invoice_account(const struct sf_org *org, int64_t i)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT);

	if (n <= 0 || sfo_rk(sfo_rec_hash(org, SFO_INVOICE, i), 20) % 100 < 3)
		return -1;
	return i % n;
}

/* An invoice's amount in cents, and its status (3 = Void, 4 = an
 * undefined "Overdue"). */
static int64_t invoice_amount(uint64_t h)
{
	return (int64_t)(sfo_rk(h, 21) % 5000000 + 1000);
}

static unsigned invoice_status(uint64_t h)
{
	return sfo_rk(h, 22) % 100 < 3 ? 4 : (unsigned)(sfo_rk(h, 23) % 4);
}

int64_t sfo_account_invoiced(const struct sf_org *org, int64_t a)
{
	const struct sf_object *inv = sfo_object(org, SFO_INVOICE);
	int64_t n = sfo_count(org, SFO_ACCOUNT), i, sum = 0;

	for (i = a; n > 0 && i < inv->count; i += n) {
		uint64_t h = sfo_rec_hash(org, SFO_INVOICE, i);

		if (sfo_invoice_account(org, i) != a ||
		    sf_org_is_deleted(org, inv, i) || invoice_status(h) == 3)
			continue;
		sum += invoice_amount(h);
	}
	return sum;
}

static void gen_invoice(struct sfo_gen *g)
{
	int64_t a = sfo_invoice_account(g->org, g->i);
	unsigned st = invoice_status(g->h);
	char *s;

	s = sfo_begin(g);
	sfo_w(g, "INV-");
	sfo_wu_pad(g, (uint64_t)g->i + 1, 6);
	sfo_end(g, I_NAME, s);
	sfo_set_fixed(g, I_AMOUNT, invoice_amount(g->h), 2);
	if (a >= 0)
		sfo_set_id(g, I_ACCOUNT, SFO_ACCOUNT, a);
	sfo_put(g, I_STATUS, st == 4 ? "Overdue" : pl_invoice_status[st]);
	sfo_set_date(g, I_DUE, g->created + 30 * 86400);
}

const struct sfo_objdef sfo_def_invoice = {
    .obj = SFO_INVOICE,
    .name = "Invoice__c",
    .label = "Invoice",
    .label_plural = "Invoices",
    .key_prefix = "a0B",
    .custom = true,
    .fields = invoice_fields,
    .n_fields = I_N,
    .gen = gen_invoice,
};
