/* sf_org_int.h: what the files of the generated Salesforce org share
 * behind sf_sandbox.h: the object definitions (a static field table and a
 * record generator each), the org itself, the record generator's writing
 * helpers, and the cross-object questions one generator asks another
 * ("which account does contact 17 belong to?"), each answered in O(1) from
 * (seed, object, index) alone. */
#ifndef FERRY_SF_ORG_INT_H
#define FERRY_SF_ORG_INT_H

#include "sf_sandbox.h"

/* The objects, in describeGlobal order. */
enum sfo_obj {
	SFO_USER,
	SFO_RECORDTYPE,
	SFO_ACCOUNT,
	SFO_CONTACT,
	SFO_LEAD,
	SFO_OPPORTUNITY,
	SFO_OCR,
	SFO_CASE,
	SFO_CASECOMMENT,
	SFO_TASK,
	SFO_EVENT,
	SFO_CAMPAIGN,
	SFO_CAMPAIGNMEMBER,
	SFO_NOTE,
	SFO_CONTENTNOTE,
	SFO_CDL,
	SFO_ATTACHMENT,
	SFO_PRODUCT2,
	SFO_INVOICE,
	SFO_FLOWDEFVIEW,
	SFO_APEXTRIGGER,
	SFO_APEXCLASS,
	SFO_FLOW,
	SFO_VALIDATIONRULE,
	SFO_WORKFLOWRULE,
	SFO_COUNT
};

/* The most fields any object has (Account with person accounts). */
#define SFO_MAX_FIELDS 128
/* Scratch reserved per record: far more than any generator writes. */
#define SFO_RECORD_SCRATCH ((size_t)32 * 1024)

struct sfo_gen;
struct sfo_city;

/* One object as the org model defines it. */
struct sfo_objdef {
	enum sfo_obj obj;
	const char *name, *label, *label_plural, *key_prefix;
	bool custom, tooling, bulk_unsupported;
	/* describe lists the Master record type (layoutable objects) */
	bool master_rt;
	const struct sf_field *fields;
	size_t n_fields; /* without the person-account fields */
	size_t n_person; /* fields added when person accounts are on */
	void (*gen)(struct sfo_gen *g);
};

extern const struct sfo_objdef sfo_def_user, sfo_def_recordtype,
    sfo_def_account, sfo_def_contact, sfo_def_lead, sfo_def_opportunity,
    sfo_def_ocr, sfo_def_case, sfo_def_casecomment, sfo_def_task, sfo_def_event,
    sfo_def_campaign, sfo_def_campaignmember, sfo_def_note, sfo_def_contentnote,
    sfo_def_cdl, sfo_def_attachment, sfo_def_product2, sfo_def_invoice,
    sfo_def_flowdefview, sfo_def_apextrigger, sfo_def_apexclass, sfo_def_flow,
    sfo_def_validationrule, sfo_def_workflowrule;

/* Where the fields every generator fills are (-1: the object has none). */
struct sfo_objmeta {
	int id, is_deleted, created, created_by, modified, modified_by,
	    modstamp, owner;
};

/* A record type of the org (Master ones are not records). */
struct sfo_rtdef {
	enum sfo_obj obj;
	const char *name, *developer_name, *description;
	bool default_mapping;
};
#define SFO_MAX_RT 8

struct sf_org {
	struct sf_org_opts opts;
	struct sf_object objects[SFO_COUNT];
	const struct sfo_objdef *defs[SFO_COUNT];
	struct sfo_objmeta meta[SFO_COUNT];
	/* the RecordType records, then each object's infos (Master last) */
	const struct sfo_rtdef *rt[SFO_MAX_RT];
	size_t n_rt;
	char rt_id[SFO_MAX_RT][19];
	struct sf_record_type rt_info[SFO_COUNT][SFO_MAX_RT];
	int rt_first[SFO_COUNT], rt_n[SFO_COUNT]; /* into rt[] */
	/* per-object salts of the record hash */
	uint64_t salt[SFO_COUNT];
	/* What clients changed through the REST API (sf_org_write.c), over
	 * the generated records; the generated ones are the first
	 * gen_count[k] of each object, created ones follow. */
	struct sfo_writes *writes;
	int64_t gen_count[SFO_COUNT];
};

/* --- writes over the generated org (sf_org_write.c) --- */

/* One record a client changed, created or deleted. */
struct sfo_wrec {
	int64_t index;
	bool created, deleted;
	int64_t modstamp; /* SystemModstamp of the last write, Unix seconds */
	char **vals;      /* per field: its value (NULL: null) when set[f] */
	bool *set;
};

void sfo_writes_init(struct sf_org *org);
void sfo_writes_free(struct sf_org *org);
/* Readers hold the lock while they look at a written record (Bulk
 * results are generated outside the stand-in's own lock). */
void sfo_writes_rdlock(const struct sf_org *org);
void sfo_writes_unlock(const struct sf_org *org);
/* The written record `index` of object k, or NULL (the lock held). */
const struct sfo_wrec *sfo_writes_find(const struct sf_org *org, size_t k,
                                       int64_t index);
/* The bytes the written values take in a record's scratch. */
size_t sfo_wrec_bytes(const struct sf_org *org, size_t k,
                      const struct sfo_wrec *w);
/* Puts the written values over `r` (generated, or blank for a created
 * record), copying them into the free part of r->scratch. */
void sfo_wrec_apply(const struct sf_org *org, size_t k,
                    const struct sfo_wrec *w, struct sf_record *r);
/* Records of object k live before a client deleted them, and records
 * clients created. */
int64_t sfo_writes_removed(const struct sf_org *org, size_t k);
int64_t sfo_writes_created(const struct sf_org *org, size_t k);

/* --- the generator (sf_org_gen.c) --- */

struct sfo_gen {
	const struct sf_org *org;
	const struct sf_object *o;
	enum sfo_obj obj;
	int64_t i;
	uint64_t h;     /* this record's hash */
	const char **v; /* the values being filled */
	char *p, *end;  /* the free part of the scratch */
	int64_t created, modified;
};

uint64_t sfo_mix(uint64_t x);
/* The hash of record i of obj: every choice about it derives from it. */
uint64_t sfo_rec_hash(const struct sf_org *org, enum sfo_obj obj, int64_t i);
/* The k-th independent random number of a record with hash h. */
static inline uint64_t sfo_rk(uint64_t h, unsigned k)
{
	return sfo_mix(h + (uint64_t)k * 0x9E3779B97F4A7C15ull);
}
static inline uint64_t sfo_r(const struct sfo_gen *g, unsigned k)
{
	return sfo_rk(g->h, k);
}
/* 0..99, for "x% of the records". */
static inline unsigned sfo_pct(const struct sfo_gen *g, unsigned k)
{
	return (unsigned)(sfo_r(g, k) % 100);
}
#define SFO_PICK(g, k, arr) ((arr)[sfo_r((g), (k)) % FERRY_ARRAY_LEN(arr)])

/* prefix + base62(n) in 12 digits + the checksum: the id of record
 * n - 1 of the object with that key prefix. */
void sfo_make_id(char out[19], const char *prefix, uint64_t n);
/* Tooling objects count the automation in the org, not its data. */
int64_t sfo_tooling_count(enum sfo_obj obj);
int64_t sfo_count(const struct sf_org *org, enum sfo_obj obj);
const struct sf_object *sfo_object(const struct sf_org *org, enum sfo_obj obj);

/* Writing a value: sfo_begin, then sfo_w*, then sfo_end(g, field, start). */
static inline char *sfo_begin(struct sfo_gen *g)
{
	return g->p;
}
void sfo_end(struct sfo_gen *g, int f, char *start);
void sfo_wn(struct sfo_gen *g, const char *s, size_t n);
void sfo_w(struct sfo_gen *g, const char *s);
void sfo_wc(struct sfo_gen *g, char c);
void sfo_wu(struct sfo_gen *g, uint64_t u);
void sfo_wu_pad(struct sfo_gen *g, uint64_t u, int width);
void sfo_wlower(struct sfo_gen *g, const char *s);
void sfo_wupper(struct sfo_gen *g, const char *s);
/* An ASCII slug of s: lower case letters and digits, accents dropped. */
void sfo_wslug(struct sfo_gen *g, const char *s);
void sfo_wid(struct sfo_gen *g, enum sfo_obj obj, int64_t index);
void sfo_wdatetime(struct sfo_gen *g, int64_t secs);
/* The UTC calendar date of an instant. */
void sfo_civil(int64_t secs, int64_t *y, unsigned *m, unsigned *d);
void sfo_wdate(struct sfo_gen *g, int64_t secs);
/* v / 10^scale with exactly `scale` decimals ("1234.50"). */
void sfo_wfixed(struct sfo_gen *g, int64_t v, int scale);
/* The text written since start, as a value of its own (no NUL yet). */
const char *sfo_since(struct sfo_gen *g, char *start);

/* Whole values. */
static inline void sfo_put(struct sfo_gen *g, int f, const char *s)
{
	g->v[f] = s;
}
void sfo_set_bool(struct sfo_gen *g, int f, bool b);
void sfo_set_id(struct sfo_gen *g, int f, enum sfo_obj obj, int64_t index);
void sfo_set_datetime(struct sfo_gen *g, int f, int64_t secs);
void sfo_set_date(struct sfo_gen *g, int f, int64_t secs);
void sfo_set_int(struct sfo_gen *g, int f, int64_t v);
void sfo_set_fixed(struct sfo_gen *g, int f, int64_t v, int scale);
/* An id with another object's key prefix that names no record. */
void sfo_set_raw_id(struct sfo_gen *g, int f, const char *prefix, int64_t n);

/* The compound address value: the JSON object a REST query gives. */
void sfo_set_address(struct sfo_gen *g, int f, const char *street,
                     const char *city, const char *state, const char *postal,
                     const char *country, const char *lat, const char *lon);
/* An address block (SFO_ADDRESS_FIELDS order) from field f0: a street
 * drawn with draws k and k + 1, the city's other parts. */
void sfo_gen_address(struct sfo_gen *g, int f0, const struct sfo_city *c,
                     unsigned k);
/* Standard base64 of s. */
void sfo_wbase64(struct sfo_gen *g, const char *s, size_t n);

/* --- shared choices (sf_org_gen.c) --- */

/* A user, weighted so that a few own most records (some are inactive). */
int64_t sfo_pick_user(const struct sf_org *org, uint64_t r);
/* The queues (Group 00G) Lead and Case owners can be. */
#define SFO_N_QUEUES 3
/* A datetime in the last 60 days before SF_ORG_NOW. */
int64_t sfo_recent(uint64_t r);
/* A person's name: first and last (may be accented or CJK). */
struct sfo_person {
	const char *first, *last;
	bool cjk; /* written family name first, no space */
};
struct sfo_person sfo_person_of(uint64_t r);
/* "First Last", or "Family Given" for a CJK name. */
void sfo_w_person_name(struct sfo_gen *g, struct sfo_person p);
/* A phone number in one of several spellings. */
void sfo_wphone(struct sfo_gen *g, uint64_t r);
/* A Description with the CSV mess: commas, quotes, newlines, accents. */
void sfo_set_description(struct sfo_gen *g, int f, uint64_t r);

/* A picklist value (pl is NULL-terminated). */
const char *sfo_pl_pick(const char *const *pl, uint64_t r);
/* The instant `days` days before SF_ORG_NOW. */
static inline int64_t sfo_days_ago(uint64_t days)
{
	return SF_ORG_NOW - (int64_t)days * 86400;
}

/* --- cross-object questions (the object files) --- */

/* The company account a stands for: a itself, or (*dup) the earlier
 * account it duplicates. Its core name, domain and city follow. */
int64_t sfo_account_company(const struct sf_org *org, int64_t a, bool *dup);
void sfo_w_domain(struct sfo_gen *g, int64_t company);
/* A company's name as its own account spells it ("Northwind Ltd"); any
 * index works, so leads can name companies that are not accounts. */
void sfo_w_company(struct sfo_gen *g, int64_t company);
const struct sfo_city *sfo_company_city(const struct sf_org *org,
                                        int64_t company);
/* The person of a person account, and its (personal) email. */
struct sfo_person sfo_account_person(const struct sf_org *org, int64_t a);
void sfo_w_person_email(struct sfo_gen *g, int64_t a);
/* first.last in ASCII, or user<n> when the name has no ASCII letters. */
void sfo_w_local_part(struct sfo_gen *g, struct sfo_person p, int64_t n);

/* The account a contact belongs to: an index < accounts, -1 for none,
 * or an index >= accounts (a deliberate orphan: the id names no
 * record). */
int64_t sfo_contact_account(const struct sf_org *org, int64_t c);
/* A contact of account a (k picks one), or -1 if it has none. */
int64_t sfo_account_contact(const struct sf_org *org, int64_t a, uint64_t k);
bool sfo_account_is_person(const struct sf_org *org, int64_t a);
int64_t sfo_opp_account(const struct sf_org *org, int64_t o);
int64_t sfo_case_account(const struct sf_org *org, int64_t c);
int64_t sfo_invoice_account(const struct sf_org *org, int64_t i);
/* Writes the account's name / contact's email (as stored) / full name. */
void sfo_w_account_name(struct sfo_gen *g, int64_t a);
void sfo_w_contact_email(struct sfo_gen *g, int64_t c);
void sfo_w_contact_name(struct sfo_gen *g, int64_t c);
void sfo_w_user_name(struct sfo_gen *g, int64_t u);
void sfo_w_lead_email(struct sfo_gen *g, int64_t l);
struct sfo_person sfo_contact_person(const struct sf_org *org, int64_t c);
struct sfo_person sfo_lead_person(const struct sf_org *org, int64_t l);
/* The sum of an account's live invoices, in cents (a roll-up). */
int64_t sfo_account_invoiced(const struct sf_org *org, int64_t a);

/* --- field table shorthands --- */

#define SFO_FLD(n, l, t, len, ...)                                             \
	{                                                                      \
		.name = (n), .label = (l), .type = (t), .length = (len),       \
		.bulk_ok = true, __VA_ARGS__                                   \
	}
/* A field Bulk API 2.0 cannot give (compound, base64). */
#define SFO_FLD_NB(n, l, t, len, ...)                                          \
	{                                                                      \
		.name = (n), .label = (l), .type = (t), .length = (len),       \
		.bulk_ok = false, __VA_ARGS__                                  \
	}
#define SFO_NCU .nillable = true, .createable = true, .updateable = true
#define SFO_CU  .createable = true, .updateable = true
#define SFO_NC  .nillable = true, .createable = true
#define SFO_N   .nillable = true
#define SFO_RO  .nillable = false

#define SFO_AUDIT_NODEL(idlabel)                                               \
	SFO_FLD("Id", idlabel, SF_ID, 18, SFO_RO),                             \
	    SFO_FLD("CreatedDate", "Created Date", SF_DATETIME, 0, SFO_RO),    \
	    SFO_FLD("CreatedById", "Created By ID", SF_REFERENCE, 18, SFO_RO,  \
	            .refs = sfo_refs_user, .relationship = "CreatedBy"),       \
	    SFO_FLD("LastModifiedDate", "Last Modified Date", SF_DATETIME, 0,  \
	            SFO_RO),                                                   \
	    SFO_FLD("LastModifiedById", "Last Modified By ID", SF_REFERENCE,   \
	            18, SFO_RO, .refs = sfo_refs_user,                         \
	            .relationship = "LastModifiedBy"),                         \
	    SFO_FLD("SystemModstamp", "System Modstamp", SF_DATETIME, 0,       \
	            SFO_RO)
#define SFO_AUDIT(idlabel)                                                     \
	SFO_AUDIT_NODEL(idlabel),                                              \
	    SFO_FLD("IsDeleted", "Deleted", SF_BOOLEAN, 0, SFO_RO)
#define SFO_N_AUDIT_NODEL 6
#define SFO_N_AUDIT       7

/* Street, City, State, PostalCode, Country, Latitude, Longitude,
 * GeocodeAccuracy and the compound Address, in that order. */
#define SFO_ADDRESS_FIELDS(P, L, cmp)                                          \
	SFO_FLD(P "Street", L " Street", SF_TEXTAREA, 255, SFO_NCU,            \
	        .compound = (cmp)),                                            \
	    SFO_FLD(P "City", L " City", SF_STRING, 40, SFO_NCU,               \
	            .compound = (cmp)),                                        \
	    SFO_FLD(P "State", L " State/Province", SF_STRING, 80, SFO_NCU,    \
	            .compound = (cmp)),                                        \
	    SFO_FLD(P "PostalCode", L " Zip/Postal Code", SF_STRING, 20,       \
	            SFO_NCU, .compound = (cmp)),                               \
	    SFO_FLD(P "Country", L " Country", SF_STRING, 80, SFO_NCU,         \
	            .compound = (cmp)),                                        \
	    SFO_FLD(P "Latitude", L " Latitude", SF_DOUBLE, 0, SFO_NCU,        \
	            .precision = 18, .scale = 15, .compound = (cmp)),          \
	    SFO_FLD(P "Longitude", L " Longitude", SF_DOUBLE, 0, SFO_NCU,      \
	            .precision = 18, .scale = 15, .compound = (cmp)),          \
	    SFO_FLD(P "GeocodeAccuracy", L " Geocode Accuracy", SF_PICKLIST,   \
	            40, SFO_NCU, .restricted_picklist = true,                  \
	            .picklist = sfo_pl_geocode, .compound = (cmp)),            \
	    SFO_FLD_NB(P "Address", L " Address", SF_ADDRESS, 0, SFO_N)

extern const char *const sfo_refs_user[],
    *const sfo_refs_account[], *const sfo_refs_contact[],
                                   *const sfo_refs_lead[],
                                       *const sfo_refs_group_user[],
                                           *const sfo_refs_recordtype[];
extern const char *const sfo_pl_industry[], *const sfo_pl_leadsource[],
                                                *const sfo_pl_salutation[],
                                                    *const sfo_pl_geocode[],
                                                        *const sfo_pl_rating[];

/* --- word lists (sf_org_data.c) --- */

struct sfo_words {
	const char *const *w;
	size_t n;
};
struct sfo_city {
	const char *city, *state, *postal, *country, *lat, *lon;
};
/* CJK names: Japanese, Chinese and Korean lists, in that order. */
extern const struct sfo_words sfo_cjk_family[3], sfo_cjk_given[3];
extern const struct sfo_words sfo_first_names, sfo_last_names, sfo_co_head,
    sfo_co_tail, sfo_co_suffix, sfo_streets, sfo_titles, sfo_departments,
    sfo_subjects, sfo_phrases, sfo_products, sfo_tlds, sfo_personal_domains;
extern const struct sfo_city sfo_cities[];
extern const size_t sfo_n_cities;
/* Companies whose names are not ASCII, with an ASCII domain stem. */
struct sfo_intl_co {
	const char *name, *stem, *tld;
	int city; /* index into sfo_cities */
};
extern const struct sfo_intl_co sfo_intl_cos[];
extern const size_t sfo_n_intl_cos;

static inline const char *sfo_word(const struct sfo_words *w, uint64_t r)
{
	return w->w[r % w->n];
}

#endif
