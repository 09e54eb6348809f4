/* mapfile.h: mapping.yaml, the file a person edits to say what each
 * Salesforce object and field becomes in Attio, loaded into the model the
 * plan stage reads. `ferry analyze` drafts the file; this loader checks
 * every entry (unknown keys with a "did you mean", wrong types, value
 * tables that are not there, attributes two fields would both fill, ...)
 * and reports the first mistake with its file and line. The format is
 * documented in docs/mapping.md.
 *
 * Everything a loaded mapping points at (names, arrays, tables) is owned
 * by it and lives until ferry_mapfile_free(). Arrays keep the file's
 * order; `line` fields are 1-based lines of mapping.yaml, for messages. */
#ifndef FERRY_MAPFILE_H
#define FERRY_MAPFILE_H

#include <jansson.h>

#include "ferry/transform.h"
#include "ferry/workspace.h"

#define FERRY_MAPFILE_FILE "mapping.yaml"
/* Larger files are refused (a mapping of 200 objects of 100 fields each
 * is about 2 MB). */
#define FERRY_MAPFILE_MAX ((size_t)16 * 1024 * 1024)

/* A field's `type`: which value transform (transform.h) it goes through. */
enum ferry_mapfile_type {
	FERRY_MF_TEXT = 0,    /* ferry_tx_text */
	FERRY_MF_NUMBER,      /* ferry_tx_number */
	FERRY_MF_CURRENCY,    /* ferry_tx_currency */
	FERRY_MF_CHECKBOX,    /* ferry_tx_boolean */
	FERRY_MF_DATE,        /* ferry_tx_date */
	FERRY_MF_TIMESTAMP,   /* ferry_tx_timestamp */
	FERRY_MF_SELECT,      /* ferry_tx_select, then the value table */
	FERRY_MF_MULTISELECT, /* ferry_tx_multiselect, each value through the
	                         value table */
	FERRY_MF_STATUS,      /* ferry_tx_select, then the value table */
	FERRY_MF_DOMAIN,      /* ferry_tx_domain */
	FERRY_MF_EMAIL,       /* ferry_tx_email */
	FERRY_MF_PHONE,       /* ferry_tx_phone */
	FERRY_MF_LOCATION,    /* one `part` of ferry_tx_location */
	FERRY_MF_NAME,        /* one `part` of ferry_tx_name */
	FERRY_MF_REFERENCE,   /* a Salesforce id: the record it became */
	FERRY_MF_OWNER,       /* a User id: a workspace member (owners) */
};
#define FERRY_MF_TYPE_COUNT ((int)FERRY_MF_OWNER + 1)

/* Which part of a compound attribute a field fills. */
enum ferry_mapfile_part {
	FERRY_MF_PART_NONE = 0,
	/* name (ferry_tx_name's first, last, full) */
	FERRY_MF_PART_FIRST_NAME,
	FERRY_MF_PART_LAST_NAME,
	FERRY_MF_PART_FULL_NAME, /* also a name field without `part` */
	/* location (struct ferry_tx_address) */
	FERRY_MF_PART_LINE_1, /* the street: its lines fill line_1..line_4 */
	FERRY_MF_PART_LINE_2,
	FERRY_MF_PART_LINE_3,
	FERRY_MF_PART_LINE_4,
	FERRY_MF_PART_LOCALITY,
	FERRY_MF_PART_REGION,
	FERRY_MF_PART_REGION_CODE, /* address.state_code */
	FERRY_MF_PART_POSTCODE,
	FERRY_MF_PART_COUNTRY,      /* a name or a code */
	FERRY_MF_PART_COUNTRY_CODE, /* address.country_code */
	FERRY_MF_PART_LATITUDE,
	FERRY_MF_PART_LONGITUDE,
};
#define FERRY_MF_PART_COUNT ((int)FERRY_MF_PART_LONGITUDE + 1)

/* What an object's records become (its `to`). */
enum ferry_mapfile_kind {
	FERRY_MF_NOWHERE = 0,  /* to: null: staged, not migrated */
	FERRY_MF_RECORDS,      /* records of the Attio object `to` */
	FERRY_MF_NOTES,        /* to: notes */
	FERRY_MF_TASKS,        /* to: tasks */
	FERRY_MF_FILES,        /* to: files */
	FERRY_MF_LIST_ENTRIES, /* to: list_entries: entries of `list` */
	FERRY_MF_LINKS,        /* to: links: reference values added (`link`) */
};

/* What becomes of a value: a value table's `unmapped` rule, and what
 * ferry_mapfile_value() says of one value. */
enum ferry_mapfile_rule {
	FERRY_MF_MAPPED = 0, /* in the table: its title */
	FERRY_MF_HOLD,       /* hold the record until the table has it */
	FERRY_MF_DEFAULT,    /* the table's default title */
	FERRY_MF_SKIP,       /* skip the record */
};

/* Dedup rules: which record survives a merge, which value an attribute
 * keeps, what happens when the rule cannot decide. */
enum ferry_mapfile_pick {
	FERRY_MF_PICK_SURVIVOR = 0, /* the survivor's value (attributes) */
	FERRY_MF_PICK_OLDEST,       /* by CreatedDate */
	FERRY_MF_PICK_NEWEST,
	FERRY_MF_PICK_MOST_COMPLETE, /* the most attributes filled */
	FERRY_MF_PICK_ALL,  /* every record's values (multi-value attributes) */
	FERRY_MF_PICK_HOLD, /* hold the cluster for review (undecided) */
};

enum ferry_mapfile_key_kind {
	FERRY_MF_KEY_EMAIL = 0,   /* the fields of type email, lower-cased */
	FERRY_MF_KEY_PHONE,       /* the fields of type phone, in E.164 */
	FERRY_MF_KEY_DOMAIN,      /* the fields of type domain, registrable */
	FERRY_MF_KEY_EXTERNAL_ID, /* `field`, exactly */
};

enum ferry_mapfile_person_accounts {
	FERRY_MF_PA_PERSON = 0,         /* the person only (its Contact) */
	FERRY_MF_PA_COMPANY_AND_PERSON, /* and the Account as a company */
};

/* Which parent a Task or Event with both WhoId and WhatId goes to. */
enum ferry_mapfile_parents {
	FERRY_MF_PARENTS_WHAT = 0, /* WhatId; WhoId when WhatId is blank */
	FERRY_MF_PARENTS_WHO,      /* WhoId; WhatId when WhoId is blank */
	FERRY_MF_PARENTS_BOTH,     /* a copy on each */
};

struct ferry_mapfile_index; /* private: lookups by name */
struct ferry_mapfile_object;

struct ferry_mapfile_value {
	const char *from;  /* the Salesforce value, "Banking" */
	const char *title; /* the Attio option or status title */
	int line;
};

struct ferry_mapfile_table {
	const char *name; /* "Account.Industry" */
	int line;
	enum ferry_mapfile_rule unmapped; /* HOLD (the default), DEFAULT,
	                                     SKIP */
	const char *default_title;        /* set when unmapped is DEFAULT */
	struct ferry_mapfile_value *values;
	size_t n_values;
	bool used; /* some field's `values` names it */
	struct ferry_mapfile_index *index;
};

struct ferry_mapfile_field {
	const char *name; /* the Salesforce field, "BillingCity" */
	const char *to;   /* the attribute slug, "primary_location" */
	enum ferry_mapfile_type type;
	enum ferry_mapfile_part part; /* NONE unless name or location */
	const char *object; /* reference: the Attio object it points at, or
	                       NULL (whatever the referenced record became) */
	const struct ferry_mapfile_table *values; /* select, multiselect,
	                                             status: or NULL */
	const char *default_value; /* used for an empty source value (then
	                              converted like one), or NULL */
	const char *country_field; /* phone: the field holding the record's
	                              country, or NULL */
	/* The transform's options: the top-level `options` and the field's
	 * own. tx.field is `name`; the plan sets tx.country (from
	 * country_field) and tx.record_currency (CurrencyIsoCode) per
	 * record. */
	struct ferry_tx_ctx tx;
	/* reference: written in a second pass, once every object is written
	 * (it may point at a record of its own destination object, or the
	 * load order has a cycle through it). */
	bool deferred;
	int line;
};

/* A filter condition: `field` holds one of `values` (trimmed, ignoring
 * case; "true"/"false" also match "1"/"0"; "" matches a blank). */
struct ferry_mapfile_condition {
	const char *field;
	const char *const *values;
	size_t n_values;
	int line;
};

/* A record type (by DeveloperName): an option of record_type_attribute
 * and/or membership in a list. */
struct ferry_mapfile_record_type {
	const char *name;
	const char *option; /* or NULL */
	const char *list;   /* an Attio list slug, or NULL */
	int line;
};

/* An Attio value written when a record gives the attribute none. */
struct ferry_mapfile_default {
	const char *attribute;
	const char *value;
	int line;
};

struct ferry_mapfile_key {
	enum ferry_mapfile_key_kind kind;
	const char *field; /* EXTERNAL_ID: the Salesforce field */
	int line;
};

struct ferry_mapfile_attr_rule {
	const char *attribute;
	enum ferry_mapfile_pick pick; /* SURVIVOR, OLDEST, NEWEST,
	                                 MOST_COMPLETE, ALL */
	int line;
};

struct ferry_mapfile_dedup {
	bool on; /* the object has a dedup section */
	int line;
	struct ferry_mapfile_key *keys; /* in the order they are tried */
	size_t n_keys;
	enum ferry_mapfile_pick survivor;           /* OLDEST (default), NEWEST,
	                                               MOST_COMPLETE */
	enum ferry_mapfile_pick undecided;          /* HOLD (default), OLDEST,
	                                               NEWEST */
	struct ferry_mapfile_attr_rule *attributes; /* the rest: SURVIVOR */
	size_t n_attributes;
	/* Objects written to the same Attio object before this one, whose
	 * records this one's are matched against (Lead: [Contact]). */
	const struct ferry_mapfile_object **against;
	size_t n_against;
	int against_line;
};

/* to: links: each record adds the record of field `add` to the
 * record-reference `attribute` of the record of field `record`. */
struct ferry_mapfile_link {
	const char *record, *attribute, *add;
	int line;
};

struct ferry_mapfile_object {
	const char *name; /* the Salesforce object, "Account" */
	int line;
	const char *to; /* the Attio object slug or notes, tasks, files,
	                   list_entries, links; NULL for to: null */
	enum ferry_mapfile_kind kind;
	const char *match; /* the matching attribute, or NULL */
	int match_line;
	struct ferry_mapfile_field *fields;
	size_t n_fields;
	struct ferry_mapfile_condition *skip_if; /* skip when any holds */
	size_t n_skip_if;
	struct ferry_mapfile_condition *only_if; /* keep only when all hold */
	size_t n_only_if;
	struct ferry_mapfile_default *defaults;
	size_t n_defaults;
	const char *record_type_attribute; /* or NULL */
	struct ferry_mapfile_record_type *record_types;
	size_t n_record_types;
	struct ferry_mapfile_dedup dedup;
	const char *lead_status_attribute;                  /* Lead, or NULL */
	enum ferry_mapfile_person_accounts person_accounts; /* Account */
	/* Task and Event: where open work and closed history go (NOTES,
	 * TASKS, or NOWHERE: left out); both are `kind` unless set. */
	enum ferry_mapfile_kind open, closed;
	enum ferry_mapfile_parents two_parents; /* Task and Event */
	const char *comments; /* Case: the comment object, or NULL */
	int comments_line;
	const char *list;               /* to: list_entries: the list slug */
	struct ferry_mapfile_link link; /* to: links */
	size_t order; /* its place in ferry_mapfile.order; SIZE_MAX when it
	                 is not migrated */
	struct ferry_mapfile_index *index;
};

struct ferry_mapfile_owner {
	const char *from;   /* a Salesforce User or queue id, or an email */
	const char *member; /* the Attio workspace member's email */
	int line;
};

struct ferry_mapfile_owners {
	bool by_email; /* match: email (the default): the User's email
	                  first; false (match: table): the table only */
	struct ferry_mapfile_owner *table;
	size_t n_table;
	/* The member an owner nobody matches goes to, for the objects in
	 * default_for only; everywhere else such a record is held. */
	const char *default_member;
	const struct ferry_mapfile_object **default_for;
	size_t n_default_for;
	int line, default_line, default_for_line;
	struct ferry_mapfile_index *index;
};

struct ferry_mapfile {
	const char *path;                     /* as messages name it */
	struct ferry_mapfile_object *objects; /* in the file's order */
	size_t n_objects;
	/* The objects migrated, in load order: records objects with their
	 * parents first (reference `object`s, dedup `against`), then notes,
	 * tasks, files, list entries and links, each in the file's order. */
	struct ferry_mapfile_object **order;
	size_t n_order;
	struct ferry_mapfile_table *tables;
	size_t n_tables;
	struct ferry_mapfile_owners owners;
	const char *const *personal_domains; /* besides ferry's own list */
	size_t n_personal_domains;
	/* The top-level options (each field's tx has them unless it sets its
	 * own). */
	const char *time_zone, *default_country, *currency;
	enum ferry_tx_date_order date_order;
	/* "mapping.yaml:40: ..." lines for things that load but are likely
	 * mistakes (a value table no field uses, ...). */
	const char *const *warnings;
	size_t n_warnings;
	struct ferry_mapfile_index *index, *table_index;
	void *arena; /* private */
};

/* Loads and checks `path`. FERRY_ENOTFOUND if there is no such file,
 * FERRY_ECONFIG with "<path>:<line>: what is wrong, what to do" for any
 * mistake, FERRY_ETOOBIG past FERRY_MAPFILE_MAX. */
int ferry_mapfile_load(struct ferry_mapfile **out, const char *path);
/* The same for text already read; `path` only names it in messages. */
int ferry_mapfile_parse(struct ferry_mapfile **out, const char *path,
                        const char *text, size_t len);
void ferry_mapfile_free(struct ferry_mapfile *m);

/* Lookups by name; NULL when absent. */
const struct ferry_mapfile_object *
ferry_mapfile_object(const struct ferry_mapfile *m, const char *name);
const struct ferry_mapfile_field *
ferry_mapfile_field(const struct ferry_mapfile_object *o, const char *name);
const struct ferry_mapfile_table *
ferry_mapfile_table(const struct ferry_mapfile *m, const char *name);
const struct ferry_mapfile_record_type *
ferry_mapfile_record_type(const struct ferry_mapfile_object *o,
                          const char *developer_name);

/* What the value `value` (as it is, else trimmed) of the table `table`
 * becomes:
 * MAPPED with its title, DEFAULT with the default title, or HOLD or SKIP
 * with *title_out NULL. FERRY_ENOTFOUND if there is no such table.
 * title_out may be NULL. */
int ferry_mapfile_value(const struct ferry_mapfile *m, const char *table,
                        const char *value, const char **title_out,
                        enum ferry_mapfile_rule *rule_out);

/* The member email owners.table gives a Salesforce owner id (15 or 18
 * characters: either form matches) or email (ignoring case), or NULL. */
const char *ferry_mapfile_owner(const struct ferry_mapfile *m,
                                const char *owner);
/* owners.default when `object` is in owners.default_for, else NULL. */
const char *ferry_mapfile_owner_default(const struct ferry_mapfile *m,
                                        const char *object);

/* True when `domain` (registrable, lower case) is a personal-email domain:
 * ferry's list (normalize.h) or personal_domains. */
bool ferry_mapfile_personal_domain(const struct ferry_mapfile *m,
                                   const char *domain);

/* Whether the record `fields` (a staged record: column -> string) passes
 * the object's filter. When it does not, *why (if given) gets the
 * condition that left it out (a skip_if that holds or an only_if that
 * does not). */
bool ferry_mapfile_keep(const struct ferry_mapfile_object *o, json_t *fields,
                        const struct ferry_mapfile_condition **why);

/* "text", "first_name", "companies"...: the words mapping.yaml uses. */
const char *ferry_mapfile_type_name(enum ferry_mapfile_type t);
const char *ferry_mapfile_part_name(enum ferry_mapfile_part p);

/* Checks every Salesforce field the mapping names (fields, filters,
 * country fields, external ids, links) against the workspace: the
 * columns of the object's first staged record, or the
 * "salesforce/describe/<Object>" fact when it has no staged record. Each
 * problem ("mapping.yaml:14: Contact.Emial is not a field of Contact (did
 * you mean Email?)") goes to `each` (which may be NULL); returns 0, or
 * FERRY_ECONFIG with the first problem as the message, or a workspace
 * error. Objects with to: null are not checked. */
int ferry_mapfile_check_fields(const struct ferry_mapfile *m,
                               struct ferry_workspace *ws,
                               void (*each)(const char *problem, void *payload),
                               void *payload);

#endif
