/* sf_org.c: the generated org: its options and scales, its objects (the
 * static definitions of the sf_org_*.c files, sized by the options), the
 * record types, ids (key prefix + base62 of index + 1 + checksum, so an id
 * decodes back to its record) and the dispatch of record generation. */
#include "util.h"

#include <strings.h>

#include "sf_org_int.h"

const char *const sfo_refs_user[] = {"User", NULL};
const char *const sfo_refs_account[] = {"Account", NULL};
const char *const sfo_refs_contact[] = {"Contact", NULL};
const char *const sfo_refs_lead[] = {"Lead", NULL};
const char *const sfo_refs_group_user[] = {"Group", "User", NULL};
const char *const sfo_refs_recordtype[] = {"RecordType", NULL};

const char *const sfo_pl_industry[] = {"Agriculture",
                                       "Apparel",
                                       "Banking",
                                       "Biotechnology",
                                       "Chemicals",
                                       "Communications",
                                       "Construction",
                                       "Consulting",
                                       "Education",
                                       "Electronics",
                                       "Energy",
                                       "Engineering",
                                       "Entertainment",
                                       "Environmental",
                                       "Finance",
                                       "Food & Beverage",
                                       "Government",
                                       "Healthcare",
                                       "Hospitality",
                                       "Insurance",
                                       "Machinery",
                                       "Manufacturing",
                                       "Media",
                                       "Not For Profit",
                                       "Recreation",
                                       "Retail",
                                       "Shipping",
                                       "Technology",
                                       "Telecommunications",
                                       "Transportation",
                                       "Utilities",
                                       "Other",
                                       NULL};
const char *const sfo_pl_leadsource[] = {
    "Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other",
    NULL};
const char *const sfo_pl_salutation[] = {"Mr.", "Ms.",   "Mrs.",
                                         "Dr.", "Prof.", NULL};
const char *const sfo_pl_geocode[] = {
    "Address",      "NearAddress", "Block",  "Street", "ExtendedZip", "Zip",
    "Neighborhood", "City",        "County", "State",  "Unknown",     NULL};
const char *const sfo_pl_rating[] = {"Hot", "Warm", "Cold", NULL};

static const struct sfo_objdef *const all_defs[SFO_COUNT] = {
    [SFO_USER] = &sfo_def_user,
    [SFO_RECORDTYPE] = &sfo_def_recordtype,
    [SFO_ACCOUNT] = &sfo_def_account,
    [SFO_CONTACT] = &sfo_def_contact,
    [SFO_LEAD] = &sfo_def_lead,
    [SFO_OPPORTUNITY] = &sfo_def_opportunity,
    [SFO_OCR] = &sfo_def_ocr,
    [SFO_CASE] = &sfo_def_case,
    [SFO_CASECOMMENT] = &sfo_def_casecomment,
    [SFO_TASK] = &sfo_def_task,
    [SFO_EVENT] = &sfo_def_event,
    [SFO_CAMPAIGN] = &sfo_def_campaign,
    [SFO_CAMPAIGNMEMBER] = &sfo_def_campaignmember,
    [SFO_NOTE] = &sfo_def_note,
    [SFO_CONTENTNOTE] = &sfo_def_contentnote,
    [SFO_CDL] = &sfo_def_cdl,
    [SFO_ATTACHMENT] = &sfo_def_attachment,
    [SFO_PRODUCT2] = &sfo_def_product2,
    [SFO_INVOICE] = &sfo_def_invoice,
    [SFO_FLOWDEFVIEW] = &sfo_def_flowdefview,
    [SFO_APEXTRIGGER] = &sfo_def_apextrigger,
    [SFO_APEXCLASS] = &sfo_def_apexclass,
    [SFO_FLOW] = &sfo_def_flow,
    [SFO_VALIDATIONRULE] = &sfo_def_validationrule,
    [SFO_WORKFLOWRULE] = &sfo_def_workflowrule,
};

/* The org's record types (Master is every object's, and no record). */
static const struct sfo_rtdef rt_business = {SFO_ACCOUNT, "Business Account",
                                             "Business_Account",
                                             "Companies we sell to", true};
static const struct sfo_rtdef rt_partner = {SFO_ACCOUNT, "Partner", "Partner",
                                            "Resellers and referral partners",
                                            false};
static const struct sfo_rtdef rt_person = {
    SFO_ACCOUNT, "Person Account", "PersonAccount",
    "Individual customers (person accounts)", false};
static const struct sfo_rtdef rt_newbiz = {SFO_OPPORTUNITY, "New Business",
                                           "New_Business",
                                           "First deal with a customer", true};
static const struct sfo_rtdef rt_renewal = {
    SFO_OPPORTUNITY, "Renewal", "Renewal", "Renewal of a contract", false};

/* The scales: "bench" counts; "N" scales them to N accounts. */
static const struct sf_org_opts bench = {
    .users = 200,
    .accounts = 100000,
    .contacts = 300000,
    .leads = 100000,
    .opportunities = 150000,
    .tasks = 250000,
    .events = 250000,
    .cases = 20000,
    .campaigns = 200,
    .notes = 20000,
    .attachments = 5000,
    .custom = 50000,
};

/* The largest count an object may have: ids have room for far more, but
 * a bigger org is a typo, not a test. */
#define MAX_RECORDS ((int64_t)10 * 1000 * 1000 * 1000)

void sf_org_opts_default(struct sf_org_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 20261101;
	o->users = 8;
	o->accounts = 60;
	o->contacts = 150;
	o->leads = 40;
	o->opportunities = 50;
	o->tasks = 60;
	o->events = 40;
	o->cases = 20;
	o->campaigns = 5;
	o->notes = 10;
	o->attachments = 6;
	o->custom = 10;
	o->person_accounts = false;
	o->deleted_every = 25;
}

static int64_t scaled(int64_t bench_n, int64_t n)
{
	/* n <= MAX_RECORDS and bench_n <= 300k: no overflow */
	return bench_n * n / bench.accounts;
}

int sf_org_opts_scale(struct sf_org_opts *o, const char *scale)
{
	struct sf_org_opts d;
	int64_t n;

	if (!strcmp(scale, "small")) {
		sf_org_opts_default(&d);
	} else if (!strcmp(scale, "bench")) {
		d = bench;
	} else if (ferry_parse_i64(scale, &n) == 0 && n >= 0 &&
	           n <= MAX_RECORDS / 3) {
		d.users = scaled(bench.users, n);
		d.accounts = n;
		d.contacts = scaled(bench.contacts, n);
		d.leads = scaled(bench.leads, n);
		d.opportunities = scaled(bench.opportunities, n);
		d.tasks = scaled(bench.tasks, n);
		d.events = scaled(bench.events, n);
		d.cases = scaled(bench.cases, n);
		d.campaigns = scaled(bench.campaigns, n);
		d.notes = scaled(bench.notes, n);
		d.attachments = scaled(bench.attachments, n);
		d.custom = scaled(bench.custom, n);
		/* records need owners, and campaigns their members */
		if (d.users < 2)
			d.users = 2;
		if (n > 0 && d.campaigns < 1)
			d.campaigns = 1;
	} else {
		return ferry_error_set(
		    FERRY_EINVALID,
		    "unknown Salesforce sandbox scale '%s': "
		    "use small, bench or a number of accounts",
		    scale);
	}
	o->users = d.users;
	o->accounts = d.accounts;
	o->contacts = d.contacts;
	o->leads = d.leads;
	o->opportunities = d.opportunities;
	o->tasks = d.tasks;
	o->events = d.events;
	o->cases = d.cases;
	o->campaigns = d.campaigns;
	o->notes = d.notes;
	o->attachments = d.attachments;
	o->custom = d.custom;
	return 0;
}

static int64_t count_of(const struct sf_org_opts *o, enum sfo_obj obj,
                        size_t n_rt)
{
	int64_t notes = (o->notes + 1) / 2;

	switch (obj) {
	case SFO_USER:
		return o->users;
	case SFO_RECORDTYPE:
		return (int64_t)n_rt;
	case SFO_ACCOUNT:
		return o->accounts;
	case SFO_CONTACT:
		return o->contacts;
	case SFO_LEAD:
		return o->leads;
	case SFO_OPPORTUNITY:
		return o->opportunities;
	case SFO_OCR:
		return o->contacts > 0 ? o->opportunities : 0;
	case SFO_CASE:
		return o->cases;
	case SFO_CASECOMMENT:
		return 2 * o->cases;
	case SFO_TASK:
		return o->tasks;
	case SFO_EVENT:
		return o->events;
	case SFO_CAMPAIGN:
		return o->campaigns;
	case SFO_CAMPAIGNMEMBER:
		return o->campaigns > 0 ? (o->contacts + o->leads) / 5 : 0;
	case SFO_NOTE:
		return o->notes;
	case SFO_CONTENTNOTE:
		return o->notes > 0 ? notes : 0;
	case SFO_CDL:
		return o->notes > 0 ? 2 * notes : 0;
	case SFO_ATTACHMENT:
		return o->attachments;
	case SFO_PRODUCT2:
		return o->accounts / 200 > 10 ? o->accounts / 200 : 10;
	case SFO_INVOICE:
		return o->custom;
	default:
		return sfo_tooling_count(obj);
	}
}

static int field_index(const struct sf_object *o, const char *name)
{
	long f = sf_object_field(o, name);

	return (int)f;
}

static void add_rt(struct sf_org *org, const struct sfo_rtdef *rt)
{
	size_t k = org->n_rt++;

	org->rt[k] = rt;
	sfo_make_id(org->rt_id[k], "012", (uint64_t)k + 1);
	if (!org->rt_n[rt->obj])
		org->rt_first[rt->obj] = (int)k;
	org->rt_n[rt->obj]++;
}

static void set_record_types(struct sf_org *org, enum sfo_obj obj)
{
	struct sf_object *o = &org->objects[obj];
	struct sf_record_type *info = org->rt_info[obj];
	int k, n = org->rt_n[obj];

	if (!n && !org->defs[obj]->master_rt)
		return;
	for (k = 0; k < n; k++) {
		const struct sfo_rtdef *rt = org->rt[org->rt_first[obj] + k];

		info[k].id = org->rt_id[org->rt_first[obj] + k];
		info[k].name = rt->name;
		info[k].developer_name = rt->developer_name;
		info[k].master = false;
		info[k].active = true;
		info[k].default_mapping = rt->default_mapping;
	}
	info[n].id = "012000000000000AAA";
	info[n].name = "Master";
	info[n].developer_name = "Master";
	info[n].master = true;
	info[n].active = true;
	info[n].default_mapping = n == 0;
	o->record_types = info;
	o->n_record_types = (size_t)n + 1;
}

int sf_org_new(struct sf_org **out, const struct sf_org_opts *opts)
{
	const int64_t counts[] = {
	    opts->users,  opts->accounts,      opts->contacts,
	    opts->leads,  opts->opportunities, opts->tasks,
	    opts->events, opts->cases,         opts->campaigns,
	    opts->notes,  opts->attachments,   opts->custom};
	struct sf_org *org;
	size_t k, f;

	for (k = 0; k < FERRY_ARRAY_LEN(counts); k++)
		if (counts[k] < 0 || counts[k] > MAX_RECORDS)
			return ferry_error_set(
			    FERRY_EINVALID,
			    "Salesforce sandbox: a record count of %" PRId64
			    " is out of range (0 to %" PRId64 ")",
			    counts[k], MAX_RECORDS);
	if (opts->deleted_every < 0)
		return ferry_error_set(FERRY_EINVALID,
		                       "Salesforce sandbox: deleted_every must "
		                       "be 0 (none) or positive, not %" PRId64,
		                       opts->deleted_every);
	org = ferry_xcalloc(1, sizeof(*org));
	org->opts = *opts;
	add_rt(org, &rt_business);
	add_rt(org, &rt_partner);
	if (opts->person_accounts)
		add_rt(org, &rt_person);
	add_rt(org, &rt_newbiz);
	add_rt(org, &rt_renewal);
	for (k = 0; k < SFO_COUNT; k++) {
		const struct sfo_objdef *d = all_defs[k];
		struct sf_object *o = &org->objects[k];
		struct sfo_objmeta *m = &org->meta[k];

		org->defs[k] = d;
		org->salt[k] = sfo_mix(opts->seed ^ sfo_mix((uint64_t)k + 1));
		o->name = d->name;
		o->label = d->label;
		o->label_plural = d->label_plural;
		o->key_prefix = d->key_prefix;
		o->custom = d->custom;
		o->queryable = true;
		o->tooling = d->tooling;
		o->bulk_unsupported = d->bulk_unsupported;
		o->fields = d->fields;
		o->n_fields =
		    d->n_fields + (opts->person_accounts ? d->n_person : 0);
		o->count = count_of(&org->opts, (enum sfo_obj)k, org->n_rt);
		for (f = 0; f < o->n_fields; f++)
			if (!o->fields[f].name)
				abort(); /* a hole in a field table */
		m->id = field_index(o, "Id");
		m->is_deleted = field_index(o, "IsDeleted");
		m->created = field_index(o, "CreatedDate");
		m->created_by = field_index(o, "CreatedById");
		m->modified = field_index(o, "LastModifiedDate");
		m->modified_by = field_index(o, "LastModifiedById");
		m->modstamp = field_index(o, "SystemModstamp");
		m->owner = field_index(o, "OwnerId");
		set_record_types(org, (enum sfo_obj)k);
		org->gen_count[k] = o->count;
	}
	sfo_writes_init(org);
	*out = org;
	return 0;
}

void sf_org_free(struct sf_org *org)
{
	if (!org)
		return;
	sfo_writes_free(org);
	free(org);
}

const struct sf_org_opts *sf_org_options(const struct sf_org *org)
{
	return &org->opts;
}

size_t sf_org_n_objects(const struct sf_org *org)
{
	FERRY_UNUSED(org);
	return SFO_COUNT;
}

const struct sf_object *sf_org_object_at(const struct sf_org *org, size_t i)
{
	return i < SFO_COUNT ? &org->objects[i] : NULL;
}

const struct sf_object *sf_org_object(const struct sf_org *org,
                                      const char *name)
{
	size_t i;

	for (i = 0; i < SFO_COUNT; i++)
		if (!strcasecmp(org->objects[i].name, name))
			return &org->objects[i];
	return NULL;
}

long sf_object_field(const struct sf_object *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (!strcasecmp(o->fields[i].name, name))
			return (long)i;
	return -1;
}

static const char *const type_names[][2] = {
    [SF_ID] = {"id", "tns:ID"},
    [SF_STRING] = {"string", "xsd:string"},
    [SF_TEXTAREA] = {"textarea", "xsd:string"},
    [SF_EMAIL] = {"email", "xsd:string"},
    [SF_PHONE] = {"phone", "xsd:string"},
    [SF_URL] = {"url", "xsd:string"},
    [SF_PICKLIST] = {"picklist", "xsd:string"},
    [SF_MULTIPICKLIST] = {"multipicklist", "xsd:string"},
    [SF_COMBOBOX] = {"combobox", "xsd:string"},
    [SF_REFERENCE] = {"reference", "tns:ID"},
    [SF_BOOLEAN] = {"boolean", "xsd:boolean"},
    [SF_CURRENCY] = {"currency", "xsd:double"},
    [SF_DOUBLE] = {"double", "xsd:double"},
    [SF_PERCENT] = {"percent", "xsd:double"},
    [SF_INT] = {"int", "xsd:int"},
    [SF_DATE] = {"date", "xsd:date"},
    [SF_DATETIME] = {"datetime", "xsd:dateTime"},
    [SF_ADDRESS] = {"address", "urn:address"},
    [SF_BASE64] = {"base64", "xsd:base64Binary"},
};

const char *sf_ftype_name(enum sf_ftype t)
{
	return (size_t)t < FERRY_ARRAY_LEN(type_names) ? type_names[t][0]
	                                               : "string";
}

const char *sf_ftype_soap(enum sf_ftype t)
{
	return (size_t)t < FERRY_ARRAY_LEN(type_names) ? type_names[t][1]
	                                               : "xsd:string";
}

/* --- records --- */

void sf_record_init(struct sf_record *r)
{
	memset(r, 0, sizeof(*r));
	r->values = ferry_xcalloc(SFO_MAX_FIELDS, sizeof(*r->values));
	ferry_buf_init(&r->scratch, 0); /* grows for written values */
}

void sf_record_release(struct sf_record *r)
{
	free(r->values);
	r->values = NULL;
	ferry_buf_release(&r->scratch);
}

/* Deleted as generated: every deleted_every-th generated record. */
static bool gen_deleted(const struct sf_org *org, size_t k, int64_t index)
{
	return org->opts.deleted_every > 0 && k < SFO_COUNT &&
	       org->meta[k].is_deleted >= 0 && index < org->gen_count[k] &&
	       (index + 1) % org->opts.deleted_every == 0;
}

bool sf_org_is_deleted(const struct sf_org *org, const struct sf_object *o,
                       int64_t index)
{
	size_t k = (size_t)(o - org->objects);
	const struct sfo_wrec *w;
	bool deleted;

	if (k >= SFO_COUNT)
		return false;
	sfo_writes_rdlock(org);
	w = sfo_writes_find(org, k, index);
	deleted = w ? w->deleted : gen_deleted(org, k, index);
	sfo_writes_unlock(org);
	return deleted;
}

int64_t sf_org_live_count(const struct sf_org *org, const struct sf_object *o)
{
	size_t k = (size_t)(o - org->objects);
	int64_t n;

	if (k >= SFO_COUNT)
		return o->count;
	n = org->gen_count[k];
	if (org->opts.deleted_every > 0 && org->meta[k].is_deleted >= 0)
		n -= n / org->opts.deleted_every;
	sfo_writes_rdlock(org);
	n += sfo_writes_created(org, k) - sfo_writes_removed(org, k);
	sfo_writes_unlock(org);
	return n;
}

/* The fields every record has: id, audit dates and users, owner. The
 * hash's first ten draws are theirs; generators use 10 and up. */
static void gen_common(struct sfo_gen *g, const struct sfo_objmeta *m,
                       struct sf_record *r)
{
	int64_t stamp = sfo_recent(sfo_r(g, 1));
	int64_t created =
	    stamp - 3600 - (int64_t)(sfo_r(g, 2) % (3 * 365 * 86400ull));
	int64_t modified = sfo_pct(g, 3) < 80
	                       ? stamp
	                       : stamp - (int64_t)(sfo_r(g, 4) % (6 * 3600));
	int64_t by = sfo_pick_user(g->org, sfo_r(g, 5));

	g->created = created;
	g->modified = modified;
	r->modstamp = stamp;
	if (m->id >= 0)
		g->v[m->id] = r->id;
	if (m->is_deleted >= 0)
		sfo_set_bool(g, m->is_deleted, r->is_deleted);
	if (m->created >= 0)
		sfo_set_datetime(g, m->created, created);
	if (m->modified >= 0)
		sfo_set_datetime(g, m->modified, modified);
	if (m->modstamp >= 0)
		sfo_set_datetime(g, m->modstamp, stamp);
	if (by >= 0 && m->created_by >= 0)
		sfo_set_id(g, m->created_by, SFO_USER, by);
	if (by >= 0 && m->modified_by >= 0)
		sfo_set_id(g, m->modified_by, SFO_USER,
		           sfo_pct(g, 6) < 70
		               ? by
		               : sfo_pick_user(g->org, sfo_r(g, 7)));
	by = sfo_pick_user(g->org, sfo_r(g, 8));
	if (by >= 0 && m->owner >= 0)
		sfo_set_id(g, m->owner, SFO_USER, by);
}

/* Record `index` as generated (or blank, for one a client created). */
static void generate(const struct sf_org *org, const struct sf_object *o,
                     size_t k, int64_t index, struct sf_record *r)
{
	struct sfo_gen g;

	memset(r->values, 0, o->n_fields * sizeof(*r->values));
	r->index = index;
	r->is_deleted = gen_deleted(org, k, index);
	r->modstamp = 0;
	if (o->key_prefix)
		sf_org_record_id(o, index, r->id);
	else
		r->id[0] = '\0';
	if (index >= org->gen_count[k]) {
		r->scratch.len = 0;
		r->scratch.ptr[0] = '\0';
		return;
	}
	g.org = org;
	g.o = o;
	g.obj = (enum sfo_obj)k;
	g.i = index;
	g.h = sfo_rec_hash(org, g.obj, index);
	g.v = r->values;
	g.p = r->scratch.ptr;
	g.end = r->scratch.ptr + SFO_RECORD_SCRATCH - 1;
	gen_common(&g, &org->meta[k], r);
	org->defs[k]->gen(&g);
	r->scratch.len = (size_t)(g.p - r->scratch.ptr);
	r->scratch.ptr[r->scratch.len] = '\0';
}

int sf_org_record(const struct sf_org *org, const struct sf_object *o,
                  int64_t index, struct sf_record *r)
{
	size_t k = (size_t)(o - org->objects);
	const struct sfo_wrec *w;
	int rc;

	if (k >= SFO_COUNT || index < 0 || index >= o->count)
		return ferry_error_set(FERRY_EINVALID,
		                       "Salesforce sandbox: no record %" PRId64
		                       " of %s (it has %" PRId64 ")",
		                       index, o->name, o->count);
	sfo_writes_rdlock(org);
	w = sfo_writes_find(org, k, index);
	ferry_buf_clear(&r->scratch);
	/* Room for the generator, then for what clients wrote over it (the
	 * values point into the scratch: it must not move after this). */
	rc = ferry_buf_grow(&r->scratch,
	                    SFO_RECORD_SCRATCH +
	                        (w ? sfo_wrec_bytes(org, k, w) : 0) + 64);
	if (rc == 0) {
		generate(org, o, k, index, r);
		if (w)
			sfo_wrec_apply(org, k, w, r);
	}
	sfo_writes_unlock(org);
	return rc;
}

/* --- ids --- */

static int b62_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

/* Restores the case of an 18-char id's first 15 chars from its
 * checksum; false if the checksum cannot be the id's. */
static bool restore_case(const char *id, char out[16])
{
	int c, j;

	for (c = 0; c < 3; c++) {
		char k = id[15 + c];
		int flags;

		if (k >= 'a' && k <= 'z')
			k = (char)(k - 32);
		if (k >= 'A' && k <= 'Z')
			flags = k - 'A';
		else if (k >= '0' && k <= '5')
			flags = k - '0' + 26;
		else
			return false;
		for (j = 0; j < 5; j++) {
			char ch = id[c * 5 + j];
			bool letter = (ch >= 'A' && ch <= 'Z') ||
			              (ch >= 'a' && ch <= 'z');

			if (flags & (1 << j)) {
				if (!letter)
					return false;
				ch = (char)(ch >= 'a' ? ch - 32 : ch);
			} else if (letter) {
				ch = (char)(ch <= 'Z' ? ch + 32 : ch);
			}
			out[c * 5 + j] = ch;
		}
	}
	out[15] = '\0';
	return true;
}

int sf_org_lookup_id(const struct sf_org *org, const char *id,
                     const struct sf_object **obj_out, int64_t *index_out)
{
	char id15[16];
	size_t len = strlen(id), k;
	uint64_t n = 0;
	int j;

	if (len == 18) {
		if (!restore_case(id, id15))
			return -1;
	} else if (len == 15) {
		memcpy(id15, id, 16);
	} else {
		return -1;
	}
	for (j = 3; j < 15; j++) {
		int v = b62_value(id15[j]);

		if (v < 0)
			return -1;
		n = n * 62 + (uint64_t)v;
	}
	for (k = 0; k < SFO_COUNT; k++) {
		const struct sf_object *o = &org->objects[k];

		if (!o->key_prefix || memcmp(o->key_prefix, id15, 3))
			continue;
		if (n < 1 || n > (uint64_t)o->count)
			return -1;
		if (obj_out)
			*obj_out = o;
		if (index_out)
			*index_out = (int64_t)n - 1;
		return 0;
	}
	return -1;
}
