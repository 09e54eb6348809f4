/* sf_org_service.c: Case and CaseComment, and the activities Task and
 * Event with their polymorphic WhoId (Contact or Lead) and WhatId
 * (Account, Opportunity, Case, Invoice__c); about 30% of activities name
 * both. */
#include "util.h"

#include "sf_org_int.h"

static const char *const refs_case[] = {"Case", NULL};
static const char *const refs_who[] = {"Contact", "Lead", NULL};
static const char *const refs_what[] = {"Account",     "Campaign",   "Case",
                                        "Opportunity", "Invoice__c", NULL};
static const char *const refs_calendar_user[] = {"Calendar", "User", NULL};

/* --- Case --- */

enum {
	K_MASTER = SFO_N_AUDIT,
	K_NUMBER,
	K_CONTACT,
	K_ACCOUNT,
	K_PARENT,
	K_SNAME,
	K_SEMAIL,
	K_SPHONE,
	K_SCOMPANY,
	K_TYPE,
	K_STATUS,
	K_REASON,
	K_ORIGIN,
	K_SUBJECT,
	K_PRIORITY,
	K_DESCRIPTION,
	K_CLOSED,
	K_CLOSEDDATE,
	K_ESCALATED,
	K_OWNER,
	K_CPHONE,
	K_CEMAIL,
	K_COMMENTS,
	K_LASTVIEWED,
	K_LASTREF,
	K_N
};

static const char *const pl_case_type[] = {
    "Mechanical", "Electrical", "Electronic", "Structural", "Other", NULL};
static const char *const pl_case_status[] = {"New", "Working", "Escalated",
                                             "Closed", NULL};
static const char *const pl_case_reason[] = {"Installation",
                                             "Equipment Complexity",
                                             "Performance",
                                             "Breakdown",
                                             "Equipment Design",
                                             "Feedback",
                                             "Other",
                                             NULL};
static const char *const pl_origin[] = {"Phone", "Email", "Web", NULL};
static const char *const pl_priority[] = {"High", "Medium", "Low", NULL};

static const struct sf_field case_fields[K_N] = {
    SFO_AUDIT("Case ID"),
    [K_MASTER] =
        SFO_FLD("MasterRecordId", "Master Record ID", SF_REFERENCE, 18, SFO_N,
                .refs = refs_case, .relationship = "MasterRecord"),
    [K_NUMBER] = SFO_FLD("CaseNumber", "Case Number", SF_STRING, 30, SFO_RO,
                         .auto_number = true, .name_field = true),
    [K_CONTACT] = SFO_FLD("ContactId", "Contact ID", SF_REFERENCE, 18, SFO_NCU,
                          .refs = sfo_refs_contact, .relationship = "Contact",
                          .child_relationship = "Cases"),
    [K_ACCOUNT] = SFO_FLD("AccountId", "Account ID", SF_REFERENCE, 18, SFO_NCU,
                          .refs = sfo_refs_account, .relationship = "Account",
                          .child_relationship = "Cases"),
    [K_PARENT] = SFO_FLD("ParentId", "Parent Case ID", SF_REFERENCE, 18,
                         SFO_NCU, .refs = refs_case, .relationship = "Parent",
                         .child_relationship = "Cases"),
    [K_SNAME] = SFO_FLD("SuppliedName", "Name", SF_STRING, 80, SFO_NCU),
    [K_SEMAIL] =
        SFO_FLD("SuppliedEmail", "Email Address", SF_EMAIL, 80, SFO_NCU),
    [K_SPHONE] = SFO_FLD("SuppliedPhone", "Phone", SF_STRING, 40, SFO_NCU),
    [K_SCOMPANY] =
        SFO_FLD("SuppliedCompany", "Company", SF_STRING, 80, SFO_NCU),
    [K_TYPE] = SFO_FLD("Type", "Case Type", SF_PICKLIST, 40, SFO_NCU,
                       .picklist = pl_case_type),
    [K_STATUS] = SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = pl_case_status, .picklist_default = "New"),
    [K_REASON] = SFO_FLD("Reason", "Case Reason", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = pl_case_reason),
    [K_ORIGIN] = SFO_FLD("Origin", "Case Origin", SF_PICKLIST, 40, SFO_NCU,
                         .picklist = pl_origin),
    [K_SUBJECT] = SFO_FLD("Subject", "Subject", SF_STRING, 255, SFO_NCU),
    [K_PRIORITY] =
        SFO_FLD("Priority", "Priority", SF_PICKLIST, 40, SFO_NCU,
                .picklist = pl_priority, .picklist_default = "Medium"),
    [K_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [K_CLOSED] = SFO_FLD("IsClosed", "Closed", SF_BOOLEAN, 0, SFO_RO),
    [K_CLOSEDDATE] =
        SFO_FLD("ClosedDate", "Closed Date", SF_DATETIME, 0, SFO_N),
    [K_ESCALATED] = SFO_FLD("IsEscalated", "Escalated", SF_BOOLEAN, 0, SFO_CU),
    [K_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_group_user, .relationship = "Owner"),
    [K_CPHONE] = SFO_FLD("ContactPhone", "Contact Phone", SF_PHONE, 40, SFO_N),
    [K_CEMAIL] = SFO_FLD("ContactEmail", "Contact Email", SF_EMAIL, 80, SFO_N),
    [K_COMMENTS] =
        SFO_FLD("Comments", "Internal Comments", SF_TEXTAREA, 4000, SFO_NCU),
    [K_LASTVIEWED] =
        SFO_FLD("LastViewedDate", "Last Viewed Date", SF_DATETIME, 0, SFO_N),
    [K_LASTREF] = SFO_FLD("LastReferencedDate", "Last Referenced Date",
                          SF_DATETIME, 0, SFO_N),
};

int64_t sfo_case_account(const struct sf_org *org, int64_t c)
{
	int64_t n = sfo_count(org, SFO_ACCOUNT);
	uint64_t h = sfo_rec_hash(org, SFO_CASE, c);

	if (n <= 0 || sfo_rk(h, 20) % 100 < 15)
		return -1; /* a web case from someone unknown */
	return (int64_t)(sfo_rk(h, 21) % (uint64_t)n);
}

static void gen_case(struct sfo_gen *g)
{
	int64_t a = sfo_case_account(g->org, g->i), c = -1;
	unsigned st = (unsigned)(sfo_r(g, 22) % 4), origin;
	char *s;

	if (sfo_pct(g, 23) < 50)
		st = 3; /* most cases of an old org are closed */
	s = sfo_begin(g);
	sfo_wu_pad(g, (uint64_t)g->i + 1001, 8);
	sfo_end(g, K_NUMBER, s);
	if (a >= 0) {
		sfo_set_id(g, K_ACCOUNT, SFO_ACCOUNT, a);
		c = sfo_account_contact(g->org, a, sfo_r(g, 24));
	}
	if (c >= 0) {
		sfo_set_id(g, K_CONTACT, SFO_CONTACT, c);
		s = sfo_begin(g);
		sfo_w_contact_email(g, c);
		if (g->p > s)
			sfo_end(g, K_CEMAIL, s);
	}
	if (g->i > 0 && sfo_pct(g, 25) < 5)
		sfo_set_id(g, K_PARENT, SFO_CASE,
		           (int64_t)(sfo_r(g, 26) % (uint64_t)g->i));
	origin = (unsigned)(sfo_r(g, 27) % 3);
	sfo_put(g, K_ORIGIN, pl_origin[origin]);
	if (origin == 2) { /* web-to-case */
		struct sfo_person p = sfo_person_of(sfo_r(g, 28));

		s = sfo_begin(g);
		sfo_w_person_name(g, p);
		sfo_end(g, K_SNAME, s);
		if (sfo_pct(g, 29) < 85) {
			s = sfo_begin(g);
			sfo_w_local_part(g, p, g->i);
			sfo_wc(g, '@');
			sfo_w(g, sfo_word(&sfo_personal_domains, sfo_r(g, 30)));
			sfo_end(g, K_SEMAIL, s);
		}
		if (a >= 0) {
			s = sfo_begin(g);
			sfo_w_account_name(g, a);
			sfo_end(g, K_SCOMPANY, s);
		}
	}
	if (sfo_pct(g, 31) < 60)
		sfo_put(g, K_TYPE, sfo_pl_pick(pl_case_type, sfo_r(g, 32)));
	sfo_put(g, K_STATUS, pl_case_status[st]);
	if (sfo_pct(g, 33) < 50)
		sfo_put(g, K_REASON, sfo_pl_pick(pl_case_reason, sfo_r(g, 34)));
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_subjects, sfo_r(g, 35)));
	sfo_w(g, ": ");
	sfo_w(g, sfo_word(&sfo_products, sfo_r(g, 36)));
	sfo_end(g, K_SUBJECT, s);
	sfo_put(g, K_PRIORITY, sfo_pl_pick(pl_priority, sfo_r(g, 37)));
	sfo_set_description(g, K_DESCRIPTION, sfo_r(g, 38));
	sfo_set_bool(g, K_CLOSED, st == 3);
	if (st == 3)
		sfo_set_datetime(g, K_CLOSEDDATE, g->modified);
	sfo_set_bool(g, K_ESCALATED, st == 2);
	if (sfo_pct(g, 39) < 10)
		sfo_set_raw_id(g, K_OWNER, "00G",
		               (int64_t)(sfo_r(g, 40) % SFO_N_QUEUES + 1));
}

const struct sfo_objdef sfo_def_case = {
    .obj = SFO_CASE,
    .name = "Case",
    .label = "Case",
    .label_plural = "Cases",
    .key_prefix = "500",
    .master_rt = true,
    .fields = case_fields,
    .n_fields = K_N,
    .gen = gen_case,
};

/* --- CaseComment: two per case --- */

enum { M_PARENT = SFO_N_AUDIT, M_PUBLISHED, M_BODY, M_N };

static const struct sf_field casecomment_fields[M_N] = {
    SFO_AUDIT("Case Comment ID"),
    [M_PARENT] =
        SFO_FLD("ParentId", "Parent ID", SF_REFERENCE, 18, .createable = true,
                .refs = refs_case, .relationship = "Parent",
                .cascade_delete = true, .child_relationship = "CaseComments"),
    [M_PUBLISHED] = SFO_FLD("IsPublished", "Published", SF_BOOLEAN, 0, SFO_CU),
    [M_BODY] = SFO_FLD("CommentBody", "Body", SF_TEXTAREA, 4000, SFO_NCU),
};

static void gen_casecomment(struct sfo_gen *g)
{
	char *s;

	sfo_set_id(g, M_PARENT, SFO_CASE, g->i / 2);
	sfo_set_bool(g, M_PUBLISHED, sfo_pct(g, 20) < 60);
	s = sfo_begin(g);
	if (g->i % 2 == 0) {
		sfo_w(g, "Customer reports: ");
		sfo_w(g, sfo_word(&sfo_phrases, sfo_r(g, 21)));
	} else {
		sfo_w(g, "Called back, \"resolved\" per customer.\nClosing, "
		         "ref #");
		sfo_wu(g, (uint64_t)g->i);
	}
	sfo_end(g, M_BODY, s);
}

const struct sfo_objdef sfo_def_casecomment = {
    .obj = SFO_CASECOMMENT,
    .name = "CaseComment",
    .label = "Case Comment",
    .label_plural = "Case Comments",
    .key_prefix = "00a",
    .fields = casecomment_fields,
    .n_fields = M_N,
    .gen = gen_casecomment,
};

/* --- activities --- */

/* WhoId, WhatId and the derived AccountId of an activity. */
static void gen_who_what(struct sfo_gen *g, int f_who, int f_what,
                         int f_account)
{
	const struct sf_org *org = g->org;
	int64_t nc = sfo_count(org, SFO_CONTACT), nl = sfo_count(org, SFO_LEAD);
	int64_t na = sfo_count(org, SFO_ACCOUNT), acc = -1, who = -1, x;
	unsigned p = sfo_pct(g, 20), q = sfo_pct(g, 22);
	bool want_who = p < 65, want_what = p < 30 || p >= 65;
	enum sfo_obj what = SFO_ACCOUNT;

	if (want_who && nc > 0 && (nl == 0 || sfo_pct(g, 21) < 70)) {
		who = (int64_t)(sfo_r(g, 23) % (uint64_t)nc);
		sfo_set_id(g, f_who, SFO_CONTACT, who);
		acc = sfo_contact_account(org, who);
		if (acc >= na)
			acc = -1;
	} else if (want_who && nl > 0) {
		sfo_set_id(g, f_who, SFO_LEAD,
		           (int64_t)(sfo_r(g, 23) % (uint64_t)nl));
	}
	if (!want_what)
		goto done;
	if (q >= 50 && q < 80 && sfo_count(org, SFO_OPPORTUNITY) > 0)
		what = SFO_OPPORTUNITY;
	else if (q >= 80 && q < 95 && sfo_count(org, SFO_CASE) > 0)
		what = SFO_CASE;
	else if (q >= 95 && sfo_count(org, SFO_INVOICE) > 0)
		what = SFO_INVOICE;
	if (sfo_count(org, what) <= 0)
		goto done;
	x = (int64_t)(sfo_r(g, 24) % (uint64_t)sfo_count(org, what));
	/* an activity on a contact's account names that account */
	if (what == SFO_ACCOUNT && acc >= 0)
		x = acc;
	sfo_set_id(g, f_what, what, x);
	acc = what == SFO_ACCOUNT       ? x
	      : what == SFO_OPPORTUNITY ? sfo_opp_account(org, x)
	      : what == SFO_CASE        ? sfo_case_account(org, x)
	                                : sfo_invoice_account(org, x);
done:
	if (acc >= 0)
		sfo_set_id(g, f_account, SFO_ACCOUNT, acc);
}

enum {
	T_WHO = SFO_N_AUDIT,
	T_WHAT,
	T_SUBJECT,
	T_DATE,
	T_STATUS,
	T_PRIORITY,
	T_HIGH,
	T_OWNER,
	T_DESCRIPTION,
	T_ACCOUNT,
	T_CLOSED,
	T_ARCHIVED,
	T_CALLDURATION,
	T_CALLTYPE,
	T_CALLDISPOSITION,
	T_REMINDER,
	T_REMINDERSET,
	T_RECURRENCE,
	T_SUBTYPE,
	T_COMPLETED,
	T_N
};

static const char *const pl_task_subject[] = {"Call", "Send Letter",
                                              "Send Quote", "Other", NULL};
static const char *const pl_task_status[] = {
    "Not Started", "In Progress", "Completed", "Waiting on someone else",
    "Deferred",    NULL};
static const char *const pl_task_priority[] = {"High", "Normal", "Low", NULL};
static const char *const pl_calltype[] = {"Internal", "Inbound", "Outbound",
                                          NULL};
static const char *const pl_task_subtype[] = {"Task",    "Email", "ListEmail",
                                              "Cadence", "Call",  NULL};

static const struct sf_field task_fields[T_N] = {
    SFO_AUDIT("Activity ID"),
    [T_WHO] =
        SFO_FLD("WhoId", "Name ID", SF_REFERENCE, 18, SFO_NCU, .refs = refs_who,
                .relationship = "Who", .child_relationship = "Tasks"),
    [T_WHAT] = SFO_FLD("WhatId", "Related To ID", SF_REFERENCE, 18, SFO_NCU,
                       .refs = refs_what, .relationship = "What",
                       .child_relationship = "Tasks"),
    [T_SUBJECT] = SFO_FLD("Subject", "Subject", SF_COMBOBOX, 255, SFO_NCU,
                          .picklist = pl_task_subject, .name_field = true),
    [T_DATE] = SFO_FLD("ActivityDate", "Due Date Only", SF_DATE, 0, SFO_NCU),
    [T_STATUS] =
        SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_CU,
                .picklist = pl_task_status, .picklist_default = "Not Started"),
    [T_PRIORITY] =
        SFO_FLD("Priority", "Priority", SF_PICKLIST, 40, SFO_CU,
                .picklist = pl_task_priority, .picklist_default = "Normal"),
    [T_HIGH] =
        SFO_FLD("IsHighPriority", "High Priority", SF_BOOLEAN, 0, SFO_RO),
    [T_OWNER] = SFO_FLD("OwnerId", "Assigned To ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_group_user, .relationship = "Owner"),
    [T_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [T_ACCOUNT] = SFO_FLD("AccountId", "Account ID", SF_REFERENCE, 18, SFO_N,
                          .refs = sfo_refs_account, .relationship = "Account"),
    [T_CLOSED] = SFO_FLD("IsClosed", "Closed", SF_BOOLEAN, 0, SFO_RO),
    [T_ARCHIVED] = SFO_FLD("IsArchived", "Archived", SF_BOOLEAN, 0, SFO_RO),
    [T_CALLDURATION] = SFO_FLD("CallDurationInSeconds", "Call Duration", SF_INT,
                               0, SFO_NCU, .precision = 8),
    [T_CALLTYPE] =
        SFO_FLD("CallType", "Call Type", SF_PICKLIST, 40, SFO_NCU,
                .restricted_picklist = true, .picklist = pl_calltype),
    [T_CALLDISPOSITION] =
        SFO_FLD("CallDisposition", "Call Result", SF_STRING, 255, SFO_NCU),
    [T_REMINDER] = SFO_FLD("ReminderDateTime", "Reminder Date/Time",
                           SF_DATETIME, 0, SFO_NCU),
    [T_REMINDERSET] =
        SFO_FLD("IsReminderSet", "Reminder Set", SF_BOOLEAN, 0, SFO_CU),
    [T_RECURRENCE] = SFO_FLD("IsRecurrence",
                             "Create Recurring Series of "
                             "Tasks",
                             SF_BOOLEAN, 0, .createable = true),
    [T_SUBTYPE] =
        SFO_FLD("TaskSubtype", "Task Subtype", SF_PICKLIST, 40, SFO_NC,
                .restricted_picklist = true, .picklist = pl_task_subtype),
    [T_COMPLETED] = SFO_FLD("CompletedDateTime", "Completed Date/Time",
                            SF_DATETIME, 0, SFO_N),
};

static void gen_task(struct sfo_gen *g)
{
	unsigned st = (unsigned)(sfo_r(g, 30) % 5), sub;
	bool closed, high;
	char *s;

	if (sfo_pct(g, 31) < 60)
		st = 2; /* completed */
	closed = st == 2;
	gen_who_what(g, T_WHO, T_WHAT, T_ACCOUNT);
	sub = (unsigned)(sfo_r(g, 32) % 5);
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_subjects, sfo_r(g, 33)));
	sfo_end(g, T_SUBJECT, s);
	if (sfo_pct(g, 34) < 85)
		sfo_set_date(g, T_DATE,
		             g->created + (int64_t)(sfo_r(g, 35) % 30) * 86400);
	sfo_put(g, T_STATUS, pl_task_status[st]);
	high = sfo_pct(g, 36) < 15;
	sfo_put(g, T_PRIORITY,
	        high                  ? "High"
	        : sfo_pct(g, 37) < 80 ? "Normal"
	                              : "Low");
	sfo_set_bool(g, T_HIGH, high);
	sfo_set_description(g, T_DESCRIPTION, sfo_r(g, 38));
	sfo_set_bool(g, T_CLOSED, closed);
	sfo_set_bool(g, T_ARCHIVED, false);
	if (sub == 4) {
		sfo_set_int(g, T_CALLDURATION, (int64_t)(sfo_r(g, 39) % 3600));
		sfo_put(g, T_CALLTYPE, sfo_pl_pick(pl_calltype, sfo_r(g, 40)));
		if (sfo_pct(g, 41) < 50)
			sfo_put(g, T_CALLDISPOSITION,
			        "Left voicemail, will "
			        "call back");
	}
	sfo_set_bool(g, T_REMINDERSET, false);
	sfo_set_bool(g, T_RECURRENCE, false);
	sfo_put(g, T_SUBTYPE, pl_task_subtype[sub]);
	if (closed)
		sfo_set_datetime(g, T_COMPLETED, g->modified);
}

const struct sfo_objdef sfo_def_task = {
    .obj = SFO_TASK,
    .name = "Task",
    .label = "Task",
    .label_plural = "Tasks",
    .key_prefix = "00T",
    .master_rt = true,
    .fields = task_fields,
    .n_fields = T_N,
    .gen = gen_task,
};

/* --- Event --- */

enum {
	E_WHO = SFO_N_AUDIT,
	E_WHAT,
	E_SUBJECT,
	E_LOCATION,
	E_ALLDAY,
	E_ACTIVITYDT,
	E_ACTIVITYDATE,
	E_DURATION,
	E_START,
	E_END,
	E_ENDDATE,
	E_DESCRIPTION,
	E_ACCOUNT,
	E_OWNER,
	E_PRIVATE,
	E_SHOWAS,
	E_CHILD,
	E_GROUP,
	E_GROUPTYPE,
	E_ARCHIVED,
	E_RECURRENCE,
	E_REMINDER,
	E_REMINDERSET,
	E_SUBTYPE,
	E_N
};

static const char *const pl_event_subject[] = {
    "Call", "Email", "Meeting", "Send Letter/Quote", "Other", NULL};
static const char *const pl_showas[] = {"Busy", "OutOfOffice", "Free", NULL};
static const char *const pl_group_type[] = {"0", "1", "2", "3", NULL};
static const char *const pl_event_subtype[] = {"Event", NULL};

static const struct sf_field event_fields[E_N] = {
    SFO_AUDIT("Activity ID"),
    [E_WHO] =
        SFO_FLD("WhoId", "Name ID", SF_REFERENCE, 18, SFO_NCU, .refs = refs_who,
                .relationship = "Who", .child_relationship = "Events"),
    [E_WHAT] = SFO_FLD("WhatId", "Related To ID", SF_REFERENCE, 18, SFO_NCU,
                       .refs = refs_what, .relationship = "What",
                       .child_relationship = "Events"),
    [E_SUBJECT] = SFO_FLD("Subject", "Subject", SF_COMBOBOX, 255, SFO_NCU,
                          .picklist = pl_event_subject, .name_field = true),
    [E_LOCATION] = SFO_FLD("Location", "Location", SF_STRING, 255, SFO_NCU),
    [E_ALLDAY] =
        SFO_FLD("IsAllDayEvent", "All-Day Event", SF_BOOLEAN, 0, SFO_CU),
    [E_ACTIVITYDT] =
        SFO_FLD("ActivityDateTime", "Due Date Time", SF_DATETIME, 0, SFO_NCU),
    [E_ACTIVITYDATE] =
        SFO_FLD("ActivityDate", "Due Date Only", SF_DATE, 0, SFO_NCU),
    [E_DURATION] = SFO_FLD("DurationInMinutes", "Duration", SF_INT, 0, SFO_NCU,
                           .precision = 8),
    [E_START] =
        SFO_FLD("StartDateTime", "Start Date Time", SF_DATETIME, 0, SFO_NCU),
    [E_END] = SFO_FLD("EndDateTime", "End Date Time", SF_DATETIME, 0, SFO_NCU),
    [E_ENDDATE] = SFO_FLD("EndDate", "End", SF_DATE, 0, SFO_N),
    [E_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 32000, SFO_NCU),
    [E_ACCOUNT] = SFO_FLD("AccountId", "Account ID", SF_REFERENCE, 18, SFO_N,
                          .refs = sfo_refs_account, .relationship = "Account"),
    [E_OWNER] = SFO_FLD("OwnerId", "Assigned To ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = refs_calendar_user, .relationship = "Owner"),
    [E_PRIVATE] = SFO_FLD("IsPrivate", "Private", SF_BOOLEAN, 0, SFO_CU),
    [E_SHOWAS] = SFO_FLD("ShowAs", "Show Time As", SF_PICKLIST, 40, SFO_NCU,
                         .restricted_picklist = true, .picklist = pl_showas,
                         .picklist_default = "Busy"),
    [E_CHILD] = SFO_FLD("IsChild", "Is Child", SF_BOOLEAN, 0, SFO_RO),
    [E_GROUP] =
        SFO_FLD("IsGroupEvent", "Is Group Event", SF_BOOLEAN, 0, SFO_RO),
    [E_GROUPTYPE] = SFO_FLD("GroupEventType", "Group Event Type", SF_PICKLIST,
                            40, SFO_N, .restricted_picklist = true,
                            .picklist = pl_group_type, .picklist_default = "0"),
    [E_ARCHIVED] = SFO_FLD("IsArchived", "Archived", SF_BOOLEAN, 0, SFO_RO),
    [E_RECURRENCE] = SFO_FLD("IsRecurrence",
                             "Create Recurring Series of "
                             "Events",
                             SF_BOOLEAN, 0, .createable = true),
    [E_REMINDER] = SFO_FLD("ReminderDateTime", "Reminder Date/Time",
                           SF_DATETIME, 0, SFO_NCU),
    [E_REMINDERSET] =
        SFO_FLD("IsReminderSet", "Reminder Set", SF_BOOLEAN, 0, SFO_CU),
    [E_SUBTYPE] =
        SFO_FLD("EventSubtype", "Event Subtype", SF_PICKLIST, 40, SFO_NC,
                .restricted_picklist = true, .picklist = pl_event_subtype),
};

static void gen_event(struct sfo_gen *g)
{
	bool allday = sfo_pct(g, 30) < 10;
	int64_t start = SF_ORG_NOW - 365 * 86400 +
	                (int64_t)(sfo_r(g, 31) % (425 * 24)) * 3600;
	int64_t minutes = allday ? 1440 : (int64_t)(sfo_r(g, 32) % 8 + 1) * 15;
	char *s;

	if (allday)
		start -= start % 86400;
	gen_who_what(g, E_WHO, E_WHAT, E_ACCOUNT);
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_subjects, sfo_r(g, 33)));
	sfo_end(g, E_SUBJECT, s);
	if (sfo_pct(g, 34) < 40)
		sfo_put(g, E_LOCATION,
		        sfo_pct(g, 35) < 50
		            ? "Zoom"
		            : sfo_cities[sfo_r(g, 36) % sfo_n_cities].city);
	sfo_set_bool(g, E_ALLDAY, allday);
	sfo_set_datetime(g, E_ACTIVITYDT, start);
	sfo_set_date(g, E_ACTIVITYDATE, start);
	sfo_set_int(g, E_DURATION, minutes);
	sfo_set_datetime(g, E_START, start);
	sfo_set_datetime(g, E_END, start + minutes * 60);
	sfo_set_date(g, E_ENDDATE, start + minutes * 60 - 1);
	sfo_set_description(g, E_DESCRIPTION, sfo_r(g, 37));
	sfo_set_bool(g, E_PRIVATE, sfo_pct(g, 38) < 5);
	sfo_put(g, E_SHOWAS, allday ? "Free" : "Busy");
	sfo_set_bool(g, E_CHILD, false);
	sfo_set_bool(g, E_GROUP, false);
	sfo_set_bool(g, E_ARCHIVED, false);
	sfo_set_bool(g, E_RECURRENCE, false);
	if (sfo_pct(g, 39) < 30)
		sfo_set_datetime(g, E_REMINDER, start - 900);
	sfo_set_bool(g, E_REMINDERSET, g->v[E_REMINDER] != NULL);
	sfo_put(g, E_SUBTYPE, "Event");
}

const struct sfo_objdef sfo_def_event = {
    .obj = SFO_EVENT,
    .name = "Event",
    .label = "Event",
    .label_plural = "Events",
    .key_prefix = "00U",
    .master_rt = true,
    .fields = event_fields,
    .n_fields = E_N,
    .gen = gen_event,
};
