/* sf_org_tooling.c: the org's automation, for the complexity assessment:
 * Apex triggers and classes, flows, validation and workflow rules, a
 * handful per object from one plan table (the same at every scale), some
 * of them from a managed package (NamespacePrefix "npsp"). These are
 * Tooling API objects, except FlowDefinitionView, which is the data API's
 * view of flow definitions and the way to count flows per object: its
 * TriggerObjectOrEventLabel names the object a record-triggered flow runs
 * on (the Tooling Flow object has no such field). For a custom object,
 * TableEnumOrId and EntityDefinitionId hold its 01I id, as in Salesforce. */
#include "util.h"

#include "sf_org_int.h"

/* Per object: triggers, validation rules, workflow rules, flows. */
enum { TRIGGERS, VRULES, WRULES, FLOWS };
struct plan {
	const char *object;
	int n[4];
};

static const struct plan plan[] = {
    {"Account", {2, 3, 1, 2}},    {"Contact", {1, 2, 0, 1}},
    {"Lead", {1, 1, 1, 1}},       {"Opportunity", {2, 2, 1, 2}},
    {"Case", {1, 1, 1, 1}},       {"Task", {0, 0, 0, 1}},
    {"Invoice__c", {1, 1, 0, 0}},
};
/* Managed-package triggers (on Account and Contact) and classes. */
#define N_NS_TRIGGERS 2
#define N_NS_CLASSES  3
#define N_OWN_CLASSES 15
/* Screen flows: no object. */
#define N_SCREEN_FLOWS 2

static const char *const own_classes[N_OWN_CLASSES] = {
    "AccountService",    "AccountServiceTest",
    "ContactSelector",   "LeadRouter",
    "LeadRouterTest",    "OpportunityTriggerHandler",
    "CaseEscalation",    "CaseEscalationTest",
    "InvoiceCalculator", "InvoiceCalculatorTest",
    "DedupeUtil",        "SlackNotifier",
    "ERPSyncQueueable",  "ERPSyncBatch",
    "TestDataFactory"};
static const char *const ns_classes[N_NS_CLASSES] = {
    "TDTM_Runnable", "TDTM_TriggerHandler", "ADDR_Addresses_TDTM"};

/* The n-th item of a per-object count in the plan: its plan row and the
 * item's number within the row, or -1 past the plan. */
static int plan_item(int64_t n, size_t field, int *k)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(plan); i++) {
		int c = plan[i].n[field];

		if (n < c) {
			*k = (int)n;
			return (int)i;
		}
		n -= c;
	}
	*k = (int)n;
	return -1;
}

static int64_t plan_total(size_t field)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(plan); i++)
		n += plan[i].n[field];
	return n;
}

int64_t sfo_tooling_count(enum sfo_obj obj)
{
	switch (obj) {
	case SFO_APEXTRIGGER:
		return plan_total(TRIGGERS) + N_NS_TRIGGERS;
	case SFO_APEXCLASS:
		return N_OWN_CLASSES + N_NS_CLASSES;
	case SFO_VALIDATIONRULE:
		return plan_total(VRULES);
	case SFO_WORKFLOWRULE:
		return plan_total(WRULES);
	case SFO_FLOW:
	case SFO_FLOWDEFVIEW:
		return plan_total(FLOWS) + N_SCREEN_FLOWS;
	default:
		return 0;
	}
}

/* The TableEnumOrId of an object: its name, or its 01I id if custom. */
static void put_table(struct sfo_gen *g, int f, const char *object)
{
	const struct sf_object *o = sf_org_object(g->org, object);

	if (o && o->custom)
		sfo_set_raw_id(g, f, "01I", 1);
	else
		sfo_put(g, f, object);
}

#define TOOLING_COMMON                                                         \
	SFO_FLD("NamespacePrefix", "Namespace Prefix", SF_STRING, 15, SFO_N)

/* --- ApexTrigger --- */

enum {
	AT_NAME = SFO_N_AUDIT_NODEL,
	AT_NS,
	AT_TABLE,
	AT_STATUS,
	AT_API,
	AT_VALID,
	AT_LENGTH,
	AT_BI,
	AT_AI,
	AT_BU,
	AT_AU,
	AT_N
};

static const char *const pl_apex_status[] = {"Inactive", "Active", "Deleted",
                                             NULL};

static const struct sf_field apextrigger_fields[AT_N] = {
    SFO_AUDIT_NODEL("Trigger ID"),
    [AT_NAME] =
        SFO_FLD("Name", "Name", SF_STRING, 255, SFO_CU, .name_field = true),
    [AT_NS] = TOOLING_COMMON,
    [AT_TABLE] = SFO_FLD("TableEnumOrId", "Custom Object Definition ID",
                         SF_PICKLIST, 40, SFO_CU, .restricted_picklist = true),
    [AT_STATUS] =
        SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_apex_status),
    [AT_API] = SFO_FLD("ApiVersion", "Api Version", SF_DOUBLE, 0, SFO_CU,
                       .precision = 18, .scale = 1),
    [AT_VALID] = SFO_FLD("IsValid", "Is Valid", SF_BOOLEAN, 0, SFO_CU),
    [AT_LENGTH] = SFO_FLD("LengthWithoutComments", "Size Without Comments",
                          SF_INT, 0, SFO_CU, .precision = 9),
    [AT_BI] =
        SFO_FLD("UsageBeforeInsert", "Before Insert", SF_BOOLEAN, 0, SFO_CU),
    [AT_AI] =
        SFO_FLD("UsageAfterInsert", "After Insert", SF_BOOLEAN, 0, SFO_CU),
    [AT_BU] =
        SFO_FLD("UsageBeforeUpdate", "Before Update", SF_BOOLEAN, 0, SFO_CU),
    [AT_AU] =
        SFO_FLD("UsageAfterUpdate", "After Update", SF_BOOLEAN, 0, SFO_CU),
};

static void gen_apextrigger(struct sfo_gen *g)
{
	int k, row = plan_item(g->i, TRIGGERS, &k);
	const char *object = row >= 0 ? plan[row].object
	                     : k == 0 ? "Account"
	                              : "Contact";
	char *s;

	s = sfo_begin(g);
	if (row < 0) {
		sfo_w(g, "TDTM_");
		sfo_w(g, object);
		sfo_put(g, AT_NS, "npsp");
	} else {
		/* InvoiceTrigger, not Invoice__cTrigger */
		sfo_wn(g, object, strcspn(object, "_"));
		sfo_w(g, k == 0 ? "Trigger" : "AuditTrigger");
	}
	sfo_end(g, AT_NAME, s);
	put_table(g, AT_TABLE, object);
	/* one of the org's own triggers was switched off */
	sfo_put(g, AT_STATUS, g->i == 3 ? "Inactive" : "Active");
	sfo_put(g, AT_API, row < 0 ? "48.0" : "59.0");
	sfo_set_bool(g, AT_VALID, true);
	sfo_set_int(g, AT_LENGTH, (int64_t)(sfo_r(g, 20) % 4000 + 200));
	sfo_set_bool(g, AT_BI, true);
	sfo_set_bool(g, AT_AI, k % 2 == 1);
	sfo_set_bool(g, AT_BU, true);
	sfo_set_bool(g, AT_AU, k % 2 == 1);
}

const struct sfo_objdef sfo_def_apextrigger = {
    .obj = SFO_APEXTRIGGER,
    .name = "ApexTrigger",
    .label = "Apex Trigger",
    .label_plural = "Apex Triggers",
    .key_prefix = "01q",
    .tooling = true,
    .fields = apextrigger_fields,
    .n_fields = AT_N,
    .gen = gen_apextrigger,
};

/* --- ApexClass --- */

enum {
	AC_NAME = SFO_N_AUDIT_NODEL,
	AC_NS,
	AC_STATUS,
	AC_API,
	AC_VALID,
	AC_LENGTH,
	AC_N
};

static const struct sf_field apexclass_fields[AC_N] = {
    SFO_AUDIT_NODEL("Class ID"),
    [AC_NAME] =
        SFO_FLD("Name", "Name", SF_STRING, 255, SFO_CU, .name_field = true),
    [AC_NS] = TOOLING_COMMON,
    [AC_STATUS] =
        SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_apex_status),
    [AC_API] = SFO_FLD("ApiVersion", "Api Version", SF_DOUBLE, 0, SFO_CU,
                       .precision = 18, .scale = 1),
    [AC_VALID] = SFO_FLD("IsValid", "Is Valid", SF_BOOLEAN, 0, SFO_CU),
    [AC_LENGTH] = SFO_FLD("LengthWithoutComments", "Size Without Comments",
                          SF_INT, 0, SFO_CU, .precision = 9),
};

static void gen_apexclass(struct sfo_gen *g)
{
	bool own = g->i < N_OWN_CLASSES;

	sfo_put(g, AC_NAME,
	        own ? own_classes[g->i]
	            : ns_classes[(g->i - N_OWN_CLASSES) % N_NS_CLASSES]);
	if (!own)
		sfo_put(g, AC_NS, "npsp");
	sfo_put(g, AC_STATUS, "Active");
	sfo_put(g, AC_API, own ? "59.0" : "48.0");
	sfo_set_bool(g, AC_VALID, g->i != 11);
	sfo_set_int(g, AC_LENGTH, (int64_t)(sfo_r(g, 20) % 20000 + 300));
}

const struct sfo_objdef sfo_def_apexclass = {
    .obj = SFO_APEXCLASS,
    .name = "ApexClass",
    .label = "Apex Class",
    .label_plural = "Apex Classes",
    .key_prefix = "01p",
    .tooling = true,
    .fields = apexclass_fields,
    .n_fields = AC_N,
    .gen = gen_apexclass,
};

/* --- flows: Flow (Tooling, the versions) and FlowDefinitionView --- */

/* Flow n: its object (NULL for a screen flow) and label. */
static const char *flow_object(int64_t n, int *k)
{
	int row = plan_item(n, FLOWS, k);

	return row >= 0 ? plan[row].object : NULL;
}

static void w_flow_label(struct sfo_gen *g, int64_t n)
{
	int k;
	const char *object = flow_object(n, &k);

	if (object) {
		sfo_w(g, object);
		sfo_w(g, k == 0 ? " - After Save" : " - Before Save Defaults");
	} else {
		sfo_w(g, k == 0 ? "Onboarding Wizard" : "Réclamation client");
	}
}

static bool flow_active(int64_t n)
{
	return n % 4 != 3; /* one in four was left inactive */
}

enum {
	FL_LABEL = SFO_N_AUDIT_NODEL,
	FL_STATUS,
	FL_PROCESS,
	FL_VERSION,
	FL_DESCRIPTION,
	FL_API,
	FL_N
};

static const char *const pl_flow_status[] = {"Active", "Draft", "Obsolete",
                                             "InvalidDraft", NULL};
static const char *const pl_process[] = {"AutoLaunchedFlow", "Flow", "Workflow",
                                         "Orchestrator", NULL};

static const struct sf_field flow_fields[FL_N] = {
    SFO_AUDIT_NODEL("Flow ID"),
    [FL_LABEL] = SFO_FLD("MasterLabel", "Label", SF_STRING, 255, SFO_CU,
                         .name_field = true),
    [FL_STATUS] =
        SFO_FLD("Status", "Status", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_flow_status),
    [FL_PROCESS] =
        SFO_FLD("ProcessType", "Process Type", SF_PICKLIST, 40, SFO_NCU,
                .restricted_picklist = true, .picklist = pl_process),
    [FL_VERSION] = SFO_FLD("VersionNumber", "Version Number", SF_INT, 0, SFO_N,
                           .precision = 9),
    [FL_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 4000, SFO_NCU),
    [FL_API] = SFO_FLD("ApiVersion", "API Version", SF_DOUBLE, 0, SFO_NCU,
                       .precision = 18, .scale = 1),
};

static void gen_flow(struct sfo_gen *g)
{
	int k;
	const char *object = flow_object(g->i, &k);
	char *s = sfo_begin(g);

	w_flow_label(g, g->i);
	sfo_end(g, FL_LABEL, s);
	sfo_put(g, FL_STATUS, flow_active(g->i) ? "Active" : "Draft");
	sfo_put(g, FL_PROCESS, object ? "AutoLaunchedFlow" : "Flow");
	sfo_set_int(g, FL_VERSION, (int64_t)(sfo_r(g, 20) % 5 + 1));
	sfo_put(g, FL_API, "59.0");
}

const struct sfo_objdef sfo_def_flow = {
    .obj = SFO_FLOW,
    .name = "Flow",
    .label = "Flow",
    .label_plural = "Flows",
    .key_prefix = "301",
    .tooling = true,
    .fields = flow_fields,
    .n_fields = FL_N,
    .gen = gen_flow,
};

enum {
	FD_ID,
	FD_MODIFIED,
	FD_DURABLE,
	FD_APINAME,
	FD_LABEL,
	FD_PROCESS,
	FD_TRIGGER,
	FD_OBJID,
	FD_OBJLABEL,
	FD_ACTIVE,
	FD_ACTIVEVERSION,
	FD_LATESTVERSION,
	FD_NS,
	FD_N
};

static const char *const pl_trigger_type[] = {
    "RecordAfterSave", "RecordBeforeSave", "RecordBeforeDelete",
    "Scheduled",       "PlatformEvent",    NULL};

static const struct sf_field flowdefview_fields[FD_N] = {
    [FD_ID] = SFO_FLD("Id", "Flow Definition View ID", SF_ID, 18, SFO_RO),
    [FD_MODIFIED] = SFO_FLD("LastModifiedDate", "Last Modified Date",
                            SF_DATETIME, 0, SFO_N),
    [FD_DURABLE] =
        SFO_FLD("DurableId", "Durable Identifier", SF_STRING, 255, SFO_N),
    [FD_APINAME] = SFO_FLD("ApiName", "API Name", SF_STRING, 255, SFO_RO),
    [FD_LABEL] =
        SFO_FLD("Label", "Label", SF_STRING, 255, SFO_RO, .name_field = true),
    [FD_PROCESS] =
        SFO_FLD("ProcessType", "Process Type", SF_PICKLIST, 40, SFO_N,
                .restricted_picklist = true, .picklist = pl_process),
    [FD_TRIGGER] =
        SFO_FLD("TriggerType", "Trigger Type", SF_PICKLIST, 40, SFO_N,
                .restricted_picklist = true, .picklist = pl_trigger_type),
    [FD_OBJID] = SFO_FLD("TriggerObjectOrEventId", "Trigger Object or Event ID",
                         SF_STRING, 255, SFO_N),
    [FD_OBJLABEL] =
        SFO_FLD("TriggerObjectOrEventLabel", "Trigger Object or Event Label",
                SF_STRING, 255, SFO_N),
    [FD_ACTIVE] = SFO_FLD("IsActive", "Is Active", SF_BOOLEAN, 0, SFO_RO),
    [FD_ACTIVEVERSION] =
        SFO_FLD("ActiveVersionId", "Active Version ID", SF_STRING, 18, SFO_N),
    [FD_LATESTVERSION] =
        SFO_FLD("LatestVersionId", "Latest Version ID", SF_STRING, 18, SFO_N),
    [FD_NS] = TOOLING_COMMON,
};

static void gen_flowdefview(struct sfo_gen *g)
{
	int k;
	const char *object = flow_object(g->i, &k);
	char *s;

	g->v[FD_DURABLE] = g->v[FD_ID];
	s = sfo_begin(g);
	sfo_w(g, "Flow_");
	sfo_wu(g, (uint64_t)g->i + 1);
	sfo_end(g, FD_APINAME, s);
	s = sfo_begin(g);
	w_flow_label(g, g->i);
	sfo_end(g, FD_LABEL, s);
	sfo_put(g, FD_PROCESS, object ? "AutoLaunchedFlow" : "Flow");
	if (object) {
		sfo_put(g, FD_TRIGGER,
		        k == 0 ? "RecordAfterSave" : "RecordBeforeSave");
		put_table(g, FD_OBJID, object);
		sfo_put(g, FD_OBJLABEL, sf_org_object(g->org, object)->label);
	}
	sfo_set_bool(g, FD_ACTIVE, flow_active(g->i));
	s = sfo_begin(g);
	sfo_wid(g, SFO_FLOW, g->i);
	sfo_end(g, FD_LATESTVERSION, s);
	if (flow_active(g->i))
		g->v[FD_ACTIVEVERSION] = g->v[FD_LATESTVERSION];
}

const struct sfo_objdef sfo_def_flowdefview = {
    .obj = SFO_FLOWDEFVIEW,
    .name = "FlowDefinitionView",
    .label = "Flow Definition",
    .label_plural = "Flow Definitions",
    .key_prefix = "300",
    .bulk_unsupported = true,
    .fields = flowdefview_fields,
    .n_fields = FD_N,
    .gen = gen_flowdefview,
};

/* --- ValidationRule --- */

enum {
	VR_NAME = SFO_N_AUDIT_NODEL,
	VR_NS,
	VR_ACTIVE,
	VR_ENTITY,
	VR_DESCRIPTION,
	VR_FIELD,
	VR_MESSAGE,
	VR_N
};

static const struct sf_field validationrule_fields[VR_N] = {
    SFO_AUDIT_NODEL("Validation Rule ID"),
    [VR_NAME] = SFO_FLD("ValidationName", "Rule Name", SF_STRING, 40, SFO_CU,
                        .name_field = true),
    [VR_NS] = TOOLING_COMMON,
    [VR_ACTIVE] = SFO_FLD("Active", "Active", SF_BOOLEAN, 0, SFO_CU),
    [VR_ENTITY] = SFO_FLD("EntityDefinitionId", "Entity Definition ID",
                          SF_STRING, 18, SFO_CU),
    [VR_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 4000, SFO_NCU),
    [VR_FIELD] =
        SFO_FLD("ErrorDisplayField", "Error Location", SF_STRING, 255, SFO_N),
    [VR_MESSAGE] =
        SFO_FLD("ErrorMessage", "Error Message", SF_STRING, 255, SFO_CU),
};

static void gen_validationrule(struct sfo_gen *g)
{
	static const char *const names[] = {"Require_Industry",
	                                    "Block_Free_Email", "Phone_Format"};
	int k, row = plan_item(g->i, VRULES, &k);
	const char *object = row >= 0 ? plan[row].object : "Account";
	char *s = sfo_begin(g);

	sfo_w(g, object);
	sfo_wc(g, '_');
	sfo_w(g, names[k % 3]);
	sfo_end(g, VR_NAME, s);
	sfo_set_bool(g, VR_ACTIVE, g->i % 5 != 4);
	put_table(g, VR_ENTITY, object);
	sfo_put(g, VR_FIELD, k == 0 ? "Industry" : NULL);
	sfo_put(g, VR_MESSAGE,
	        "Please fill in the field, it is required for "
	        "reporting.");
}

const struct sfo_objdef sfo_def_validationrule = {
    .obj = SFO_VALIDATIONRULE,
    .name = "ValidationRule",
    .label = "Validation Rule",
    .label_plural = "Validation Rules",
    .key_prefix = "03d",
    .tooling = true,
    .fields = validationrule_fields,
    .n_fields = VR_N,
    .gen = gen_validationrule,
};

/* --- WorkflowRule --- */

enum { WR_NAME = SFO_N_AUDIT_NODEL, WR_NS, WR_TABLE, WR_N };

static const struct sf_field workflowrule_fields[WR_N] = {
    SFO_AUDIT_NODEL("Workflow Rule ID"),
    [WR_NAME] =
        SFO_FLD("Name", "Rule Name", SF_STRING, 80, SFO_CU, .name_field = true),
    [WR_NS] = TOOLING_COMMON,
    [WR_TABLE] = SFO_FLD("TableEnumOrId", "Object", SF_PICKLIST, 40, SFO_CU,
                         .restricted_picklist = true),
};

static void gen_workflowrule(struct sfo_gen *g)
{
	int k, row = plan_item(g->i, WRULES, &k);
	const char *object = row >= 0 ? plan[row].object : "Account";
	char *s = sfo_begin(g);

	sfo_w(g, "Notify owner on ");
	sfo_w(g, object);
	sfo_w(g, " change");
	sfo_end(g, WR_NAME, s);
	put_table(g, WR_TABLE, object);
}

const struct sfo_objdef sfo_def_workflowrule = {
    .obj = SFO_WORKFLOWRULE,
    .name = "WorkflowRule",
    .label = "Workflow Rule",
    .label_plural = "Workflow Rules",
    .key_prefix = "01Q",
    .tooling = true,
    .fields = workflowrule_fields,
    .n_fields = WR_N,
    .gen = gen_workflowrule,
};
