/* sf_sandbox.h: what the files of the Salesforce stand-in share. The org
 * is generated, not stored: record i of an object is a pure function of
 * (seed, object, i), so an org of any size costs no memory and no start-up
 * time, and the same options always serve the same org. sf_org.c and
 * sf_describe.c build the model (objects, fields, records, describes),
 * sf_soql.c parses and runs the SOQL subset, and the HTTP side (sf.c,
 * sf_http.c, sf_bulk.c, sf_oauth.c) serves it with Salesforce's
 * protocol, error shapes, limits and injected faults. */
#ifndef FERRY_SF_SANDBOX_H
#define FERRY_SF_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ferry/buf.h"
#include "ferry/common.h"

/* A Salesforce error, answered as [{"message":…,"errorCode":…}]. */
struct sf_err {
	int status;            /* HTTP status */
	const char *code;      /* errorCode, e.g. "MALFORMED_QUERY" */
	char message[512];
};
/* Fills `e` and returns -1. */
int sf_err_set(struct sf_err *e, int status, const char *code,
               const char *fmt, ...) FERRY_PRINTF(4, 5);

/* --- the org model (sf_org.c, sf_describe.c) --- */

/* How big the org is and what is switched on. Counts are records per
 * object; 0 keeps the object (it is described and queryable) but empty. */
struct sf_org_opts {
	uint64_t seed;
	int64_t users, accounts, contacts, leads, opportunities;
	int64_t tasks, events, cases, campaigns, notes, attachments;
	int64_t custom; /* records of the custom object Invoice__c */
	bool person_accounts;
	/* Every Nth record of each object is soft-deleted (only queryAll
	 * sees it); 0: none. */
	int64_t deleted_every;
};
/* Fills the defaults: the "small" org (every object non-empty, a few
 * hundred records, the mess of examples/sample-org). */
void sf_org_opts_default(struct sf_org_opts *o);
/* Sets the counts from a named scale: "small", "bench" (100k accounts,
 * 300k contacts, 100k leads, 150k opportunities, 500k activities) or
 * "N" for N accounts with the others in the bench ratios. */
int sf_org_opts_scale(struct sf_org_opts *o, const char *scale);

enum sf_ftype {
	SF_ID, SF_STRING, SF_TEXTAREA, SF_EMAIL, SF_PHONE, SF_URL,
	SF_PICKLIST, SF_MULTIPICKLIST, SF_COMBOBOX, SF_REFERENCE, SF_BOOLEAN,
	SF_CURRENCY, SF_DOUBLE, SF_PERCENT, SF_INT, SF_DATE, SF_DATETIME,
	SF_ADDRESS, SF_BASE64,
};
/* The describe `type` and `soapType` strings of a field type. */
const char *sf_ftype_name(enum sf_ftype t);
const char *sf_ftype_soap(enum sf_ftype t);

struct sf_field {
	const char *name;  /* API name, e.g. "AccountId" */
	const char *label;
	enum sf_ftype type;
	int length;        /* text types; 0 otherwise */
	int precision, scale;
	bool nillable, createable, updateable, unique, external_id;
	bool calculated;   /* formula or roll-up */
	const char *formula; /* calculatedFormula, or NULL */
	bool auto_number, name_field, custom;
	bool restricted_picklist;
	const char *const *picklist; /* NULL-terminated defined values */
	const char *const *refs;     /* NULL-terminated referenceTo */
	const char *relationship;    /* relationshipName, or NULL */
	const char *compound;        /* compoundFieldName, or NULL */
	bool bulk_ok;      /* false for compound and base64 fields */
	/* Added by the org model: the picklist's default value (NULL: none),
	 * whether deleting the parent deletes this record (a master-detail
	 * reference), and the relationshipName the parent's
	 * childRelationships give this reference (NULL: null). */
	const char *picklist_default;
	bool cascade_delete;
	const char *child_relationship;
};

struct sf_record_type {
	const char *id;    /* 18 chars */
	const char *name, *developer_name;
	bool master, active, default_mapping;
};

struct sf_object {
	const char *name, *label, *label_plural;
	const char *key_prefix; /* NULL for objects without ids */
	bool custom, queryable, tooling;
	/* Bulk API 2.0 cannot serve it (a REST query must). */
	bool bulk_unsupported;
	const struct sf_field *fields;
	size_t n_fields;
	const struct sf_record_type *record_types;
	size_t n_record_types;
	int64_t count; /* records, soft-deleted ones included */
};

/* An org never changes once made: any number of threads may generate
 * its records at once (each with its own struct sf_record). */
struct sf_org;
int sf_org_new(struct sf_org **out, const struct sf_org_opts *o);
void sf_org_free(struct sf_org *org);

size_t sf_org_n_objects(const struct sf_org *org);
const struct sf_object *sf_org_object_at(const struct sf_org *org, size_t i);
/* By API name, case-insensitively; NULL if unknown. */
const struct sf_object *sf_org_object(const struct sf_org *org,
                                      const char *name);
/* The field of `o` by name, case-insensitively; -1 if unknown. */
long sf_object_field(const struct sf_object *o, const char *name);

/* One generated record. values[i] is field i's value as its Bulk CSV
 * text (NULL for null), valid until the next sf_org_record() on the same
 * struct; `scratch` holds the text. Two types are not CSV: an SF_ADDRESS
 * value is the JSON object a REST query gives ({"city":…,"street":…}),
 * an SF_BASE64 one a short stand-in body (whatever BodyLength says).
 * The objects, the mess they carry and the scales are described in
 * docs/internals/sandbox-salesforce.md. The automation (Tooling
 * ApexTrigger, ApexClass, Flow, ValidationRule, WorkflowRule) is a fixed
 * handful per object; flows are counted per object through the data
 * API's FlowDefinitionView.TriggerObjectOrEventLabel, as on a real org
 * (the Tooling Flow object has no object field). */
struct sf_record {
	int64_t index;
	char id[19];
	bool is_deleted;
	int64_t modstamp; /* SystemModstamp, Unix seconds */
	const char **values;
	struct ferry_buf scratch;
};
void sf_record_init(struct sf_record *r);
void sf_record_release(struct sf_record *r);
/* Generates record `index` (0 <= index < o->count) of `o`. */
int sf_org_record(const struct sf_org *org, const struct sf_object *o,
                  int64_t index, struct sf_record *r);
/* The object and index an 18- (or 15-) char id names; -1 if none. An
 * 18-char id is read case-insensitively, as Salesforce does (its last
 * three chars say which letters are upper case). */
int sf_org_lookup_id(const struct sf_org *org, const char *id,
                     const struct sf_object **obj_out, int64_t *index_out);

/* The org's clock: every date in it lies before this instant
 * (2026-11-01T00:00:00Z), and SystemModstamp spreads over the 60 days
 * that end here, so answers do not depend on when they are asked. */
#define SF_ORG_NOW ((int64_t)1793491200)
/* The options the org was made with (counts filled in). */
const struct sf_org_opts *sf_org_options(const struct sf_org *org);
/* The 18-char id of record `index` of `o` (o must have a key prefix). */
void sf_org_record_id(const struct sf_object *o, int64_t index,
                      char out[19]);
/* Whether record `index` is soft-deleted (objects without IsDeleted,
 * such as User, RecordType and the Tooling objects, never are), and how
 * many records a plain query sees (count minus the deleted ones). */
bool sf_org_is_deleted(const struct sf_org *org, const struct sf_object *o,
                       int64_t index);
int64_t sf_org_live_count(const struct sf_org *org,
                          const struct sf_object *o);
/* Salesforce's 15 -> 18 char id: appends the case checksum. */
void sf_id18(const char in[15], char out[19]);

/* --- writes (sf_org_write.c) ---
 * A client changes the org through the REST API the way Salesforce
 * documents: an update sets the fields it names and bumps
 * LastModifiedDate, LastModifiedById and SystemModstamp; a create adds a
 * record after the generated ones (the next id of its key prefix); a
 * delete is soft (IsDeleted true, SystemModstamp bumped: queryAll and the
 * deleted resource see it). The writes live in memory, over the
 * generated records, for as long as the stand-in runs. Only the record
 * written changes: a delete does not cascade to children. */

/* The org's clock: SF_ORG_NOW when the org was made, then running with
 * the wall clock, plus whatever a test moved it forward by. Unix
 * seconds. */
int64_t sf_org_now(const struct sf_org *org);
/* The org's time of a wall-clock instant (microseconds). */
int64_t sf_org_time_of_wall(const struct sf_org *org, int64_t wall_us);
void sf_org_clock_advance(struct sf_org *org, int64_t seconds);
/* No client wrote to `o`: which records are deleted is arithmetic. */
bool sf_org_plain(const struct sf_org *org, const struct sf_object *o);

/* One field of a write: its index in o->fields and its value as Bulk CSV
 * text (NULL: null). The values are copied. */
struct sf_write_field {
	long field;
	const char *value;
};
/* `user_id` is the writer (LastModifiedById, CreatedById, the default
 * OwnerId). sf_org_create gives the new record's index. The caller has
 * checked the fields (types, createable or updateable) and that the
 * record is live (update, delete). */
void sf_org_create(struct sf_org *org, const struct sf_object *o,
                   const struct sf_write_field *f, size_t n,
                   const char *user_id, int64_t *index_out);
void sf_org_update(struct sf_org *org, const struct sf_object *o, int64_t index,
                   const struct sf_write_field *f, size_t n,
                   const char *user_id);
void sf_org_delete(struct sf_org *org, const struct sf_object *o, int64_t index,
                   const char *user_id);

/* The describe and describeGlobal bodies, in the shape of Salesforce's
 * (every key of every field; URLs carry `version`, e.g. "62.0"). */
json_t *sf_describe_json(const struct sf_org *org, const struct sf_object *o,
                         const char *version);
json_t *sf_describe_global_json(const struct sf_org *org,
                                const char *version);
/* describeGlobal lists the data API's objects only; the Tooling API's
 * (ApexTrigger, ApexClass, Flow, ValidationRule, WorkflowRule) are in
 * this one. */
json_t *sf_describe_global_tooling_json(const struct sf_org *org,
                                        const char *version);

/* --- the SOQL subset (sf_soql.c) --- */

/* SELECT f1, f2, Parent.f3 | COUNT() | COUNT(Id) FROM Obj
 *   [WHERE cond [AND|OR cond]...] [ORDER BY f [ASC|DESC]] [LIMIT n]
 *   [OFFSET n]
 * cond: field op literal (op: = != <> < > <= >=), field [NOT] IN (…),
 * field LIKE 'pattern' (% and _), NOT cond, ( cond ); AND and OR do not
 * mix without parentheses (as in Salesforce). Literals: 'strings' (with
 * \ escapes), numbers, true/false, null (= and != only), datetimes
 * (2024-01-01T00:00:00Z, .000, +01:00), dates (2024-01-01); each must
 * suit its field's type, or INVALID_FIELD says which it wants. Keywords
 * and names are case-insensitive. Parent paths follow relationship names
 * up to five levels (Account.Owner.Email); through a polymorphic one
 * (Who, What, Owner on Lead/Case/Task) only the Name fields (Id, Name,
 * Type, FirstName, LastName, Email, …), resolved per record. String
 * comparisons ignore case; a null value matches != and NOT IN. ORDER BY
 * is checked and ignored: rows come in Id order. Long text, address and
 * base64 fields cannot be filtered. The ContentDocumentLink Id-filter
 * rule is the HTTP side's. */
struct sf_query;
/* Parses `soql` against the org (`tooling` selects the Tooling API's
 * objects). On error fills `e` with 400 MALFORMED_QUERY, INVALID_FIELD
 * or INVALID_TYPE and a message in Salesforce's style. */
int sf_query_parse(struct sf_query **out, const struct sf_org *org,
                   const char *soql, bool tooling, struct sf_err *e);
void sf_query_free(struct sf_query *q);
const struct sf_object *sf_query_object(const struct sf_query *q);
bool sf_query_is_count(const struct sf_query *q);
/* COUNT(Id) (answered as expr0) rather than COUNT() (totalSize). */
bool sf_query_is_count_expr(const struct sf_query *q);
/* The selected column names as written in the query (Bulk CSV header). */
size_t sf_query_n_columns(const struct sf_query *q);
const char *sf_query_column(const struct sf_query *q, size_t i);
/* The type of column i's field (the parent's field for a dot path), so a
 * REST answer can give numbers and booleans as JSON numbers and booleans. */
enum sf_ftype sf_query_column_type(const struct sf_query *q, size_t i);
/* Walks matching records from raw index `*pos` (advanced past each record
 * visited, so after a 1 the record's index is *pos - 1); fills `row[i]`
 * for each column (NULL for null; a parent path's value is the parent's
 * field) and returns 1, or 0 at the end. OFFSET and LIMIT are applied.
 * `all` includes soft-deleted records (queryAll). The values live in
 * `scratch` and the query's own parent records until the next call: a
 * query is used by one thread at a time. */
int sf_query_next(const struct sf_query *q, bool all, int64_t *pos,
                  struct sf_record *scratch, const char **row);
/* The number of matching records after OFFSET and LIMIT: arithmetic
 * without a WHERE, a scan with one. For COUNT(field) the records whose
 * field is not null. */
int64_t sf_query_count(const struct sf_query *q, bool all);
/* The LIMIT, or -1. */
int64_t sf_query_limit(const struct sf_query *q);

#endif
