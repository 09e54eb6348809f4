/* analyze_int.h: what the files of analyze share (the per-object and
 * per-field state one run keeps, the small containers it keeps it in, the
 * destination rules and the steps of a run). Private to src/lib/analyze;
 * its helpers carry the prefix an_. See docs/internals/analyze.md. */
#ifndef FERRY_ANALYZE_INT_H
#define FERRY_ANALYZE_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/analyze.h"

#define AN_EXAMPLES         5    /* examples per risk */
#define AN_VALUES_MAX       1000 /* picklist values counted per field */
#define AN_DISTINCT_DEFAULT 1000
#define AN_HLL_BITS         10 /* 2^10 HyperLogLog registers */
#define AN_FILE_LIMIT       (50LL * 1024 * 1024) /* Attio's file limit */

/* --- containers (map.c) --- */

/* A string-keyed open-addressing hash map of counters. Keys are copied. */
struct an_map_ent {
	char *key; /* NULL: an empty slot */
	int64_t val;
};
struct an_map {
	struct an_map_ent *ents;
	size_t cap, len;
};
uint64_t an_hash(const char *s, size_t len);
/* The counter of `key`, or NULL. */
int64_t *an_map_get(const struct an_map *m, const char *key);
/* The counter of `key`, created at 0 if absent (*added says which). The
 * pointer is good until the next put. */
int64_t *an_map_put(struct an_map *m, const char *key, bool *added);
void an_map_clear(struct an_map *m);
void an_map_free(struct an_map *m);
/* The entries, sorted by value (largest first) then key: a new array the
 * caller frees (the keys stay the map's). */
struct an_map_ent *an_map_sorted(const struct an_map *m);

/* Distinct values: exact (a set of 64-bit hashes) up to a maximum, then a
 * HyperLogLog estimate. */
struct an_distinct {
	uint64_t *set;
	size_t cap, len;
	uint8_t *hll; /* non-NULL once estimating */
};
void an_distinct_add(struct an_distinct *d, uint64_t h, size_t exact_max);
int64_t an_distinct_count(const struct an_distinct *d, bool *exact);
void an_distinct_free(struct an_distinct *d);

/* At most AN_EXAMPLES lines of "<id>: <value> (…)". */
struct an_examples {
	char *items[AN_EXAMPLES];
	size_t n;
};
void an_examples_add(struct an_examples *ex, const char *fmt, ...)
    FERRY_PRINTF(2, 3);
json_t *an_examples_json(const struct an_examples *ex);
void an_examples_free(struct an_examples *ex);

/* A staged record read without jansson (flatjson.c): pairs point into
 * `buf`, good until the next parse. */
struct an_pair {
	const char *key, *val;
};
struct an_flat {
	char *buf;
	size_t cap;
	struct an_pair *pairs;
	size_t n, pairs_cap;
};
/* 0, or -1 if `text` is not a JSON object. */
int an_flat_parse(struct an_flat *f, const char *text, size_t len);
void an_flat_free(struct an_flat *f);

/* "1,204": numbers as people read them. */
struct an_num {
	char s[32];
};
struct an_num an_num(int64_t n);
/* "~1 h 40 min", "4 s". */
struct an_num an_duration(int64_t seconds);
/* A rate as JSON: 25, not 25.0, when it is whole. */
json_t *an_rate_json(double rate);

/* --- destination rules (rules.c) --- */

/* What a source object becomes in Attio. */
struct an_object_rule {
	const char *object;      /* "Account" */
	const char *to;          /* "companies" */
	const char *match;       /* "domains"; NULL: none */
	const char *note;        /* why it is not 1:1, or NULL */
	const char *match_field; /* the field that fills `match` */
};
/* The rule for `object`, or NULL when no destination is decided. */
const struct an_object_rule *an_rule_object(const char *object);
/* Position of `object` in the load order (unmapped objects last). */
int an_rule_order(const char *object);
/* The plural noun for messages: "accounts", "Invoice__c records". */
struct an_text {
	char s[96];
};
struct an_text an_noun(const char *object);
/* The same, capitalized for the start of a title: "Accounts". */
struct an_text an_noun_cap(const char *object);
/* Why an object without a rule needs a person (one line). */
const char *an_unmapped_reason(const char *object);

/* What a source field becomes. */
struct an_attr {
	char to[80];     /* attribute slug */
	char type[24];   /* text, number, currency, checkbox, date, timestamp,
	                    select, multiselect, status, domain, email, phone,
	                    location, name, reference, owner */
	char part[24];   /* location/name part, or "" */
	char object[32]; /* reference target (destination), or "" */
	bool standard;   /* an Attio standard attribute */
	bool listed;     /* from the table of known fields, not generic */
};
/* Decides the attribute for `field` (Salesforce `sf_type`) of `object`;
 * `ref_dest` is the destination of the field's reference target (or
 * NULL). Returns false for fields left unmapped (system fields, fields
 * with no data, types Attio cannot hold). */
bool an_rule_field(struct an_attr *out, const char *object, const char *field,
                   const char *sf_type, int64_t filled, const char *ref_dest);
/* True for the standard picklists a CSV export does not declare. */
bool an_rule_known_picklist(const char *field);
/* The Salesforce object a standard key prefix names ("001": Account). */
const char *an_rule_prefix_object(const char *prefix);
/* The well-known reference columns checked when there is no describe. */
const char *const *an_rule_csv_references(size_t *n);

/* --- per-object state --- */

struct an_field {
	char *name, *label, *type;
	bool described;  /* from a describe, not inferred */
	bool calculated; /* a formula field */
	bool multi;      /* multipicklist */
	bool track;      /* count values (picklists) */
	bool seen;       /* a column of the staged records */
	/* describe: defined picklist values (value -> 1 active, 2 inactive)
	 * and the active ones in order */
	struct an_map defined;
	char **active;
	size_t n_active;
	char **ref_to; /* describe referenceTo */
	size_t n_ref_to;
	/* profile */
	int64_t filled, longest;
	struct an_distinct distinct;
	struct an_map values;
	int64_t values_over; /* values beyond AN_VALUES_MAX */
	/* inference (no describe): how many filled values look like each */
	int64_t n_bool, n_number, n_date, n_datetime, n_email, n_url, n_sfid,
	    n_multiline;
};

enum an_kind {
	AN_OTHER = 0,
	AN_ACCOUNT,
	AN_CONTACT,
	AN_LEAD,
	AN_OPPORTUNITY,
	AN_TASK,
	AN_EVENT,
	AN_ATTACHMENT,
	AN_USER,
};

/* One record-level finding: how many, and the first examples. */
struct an_tally {
	int64_t n;
	struct an_examples ex;
};

struct an_ref {
	char *field;
	int fi;       /* its index in the object's fields, -1 until seen */
	char *target; /* fixed target object; NULL: by the id's prefix */
};

struct an_object {
	char name[64];
	char *label;
	enum an_kind kind;
	bool described, custom;
	const struct an_object_rule *rule;
	int64_t staged; /* the staging's own count */
	int64_t count, deleted;
	struct an_field *fields;
	size_t n_fields, cap_fields;
	struct an_map field_index; /* name -> index */
	struct an_ref *refs;
	size_t n_refs;
	/* automation (-1: unknown) */
	int64_t triggers, flows, vrules, wrules;
	/* record-level findings */
	struct an_tally person_accounts, converted, no_key, personal,
	    two_parents, large_files;
	int64_t no_key_blank, no_key_invalid;
	int64_t skipped; /* not written by a rule (no key, personal, …) */
	int64_t writes;
	/* owners seen, flushed to SQLite when the map gets big */
	struct an_map owners;
	/* results */
	const char *status;
	char *status_reason;
};

struct analyze {
	struct ferry_workspace *ws;
	const struct ferry_analyze_opts *o;
	size_t exact_max;
	struct an_object *objs;
	size_t n_objs;
	struct an_map obj_index; /* name -> index */
	struct an_map prefixes;  /* key prefix -> index in prefix_names */
	char **prefix_names;
	size_t n_prefix_names;
	bool from_api; /* facts from extract: describes, tooling */
	bool automation_known;
	int64_t auto_totals[5]; /* triggers, classes, flows, vrules, wrules */
	json_t *extract;        /* the salesforce/extract fact, or NULL */
	char staged_at[40];     /* the latest staging, for a CSV export */
	int64_t total;          /* records staged */
	int64_t writes;         /* writes a run would make */
	int64_t dest_records;   /* Attio records they create */
	/* the destination */
	bool online;
	struct an_map members; /* lower-cased emails of active members */
	json_t *risks;
	/* SQLite: temp tables filled while streaming */
	sqlite3_stmt *ins_key, *ins_ref, *ins_owner;
};

struct an_object *an_object_find(struct analyze *an, const char *name);
/* The field `name` of `obj`, added when new. */
struct an_field *an_field_get(struct an_object *obj, const char *name);
/* The Salesforce object an id points at (by key prefix), or NULL. */
const char *an_id_object(struct analyze *an, const char *id);
bool an_is_true(const char *s);
/* A field of a staged record ("" when absent). */
const char *an_get(json_t *fields, const char *name);

/* --- the steps of a run --- */

/* describe.c: the source facts into objects and fields. */
int an_load_facts(struct analyze *an);
/* profile.c */
void an_profile_add(struct an_field *f, const char *v, size_t exact_max);
void an_profile_finish(struct an_field *f);
json_t *an_field_json(const struct an_field *f, int64_t count);
/* scan.c: streams each object once. */
int an_scan(struct analyze *an);
/* duplicates.c, references.c, owners.c: the checks that run in SQLite. */
int an_check_duplicates(struct analyze *an);
int an_check_references(struct analyze *an);
int an_check_owners(struct analyze *an);
/* risks.c */
void an_risk_add(struct analyze *an, const char *id, const char *severity,
                 const char *object, int64_t affected,
                 const struct an_examples *ex, const char *action,
                 const char *title_fmt, ...) FERRY_PRINTF(8, 9);
/* "medium", or "high" when `share` of the object is affected. */
const char *an_severity(const char *base, int64_t affected, int64_t of);
void an_risks_records(struct analyze *an);
void an_risks_formulas(struct analyze *an);
void an_risks_picklists(struct analyze *an);
void an_risks_automation(struct analyze *an);
void an_risks_sort(struct analyze *an);
/* score.c */
int an_estimate(struct analyze *an, json_t **out);
void an_risks_volume(struct analyze *an);
void an_statuses(struct analyze *an);
json_t *an_score(struct analyze *an);
/* yaml.c: a YAML scalar, quoted when it needs to be. */
int an_yaml_scalar(struct ferry_buf *out, const char *s);
/* mapping_draft.c */
int an_mapping_render(struct ferry_buf *out, const json_t *report,
                      struct ferry_workspace *ws);
/* files.c: writes `path` (with `mode`) through a temporary file renamed
 * into place; reads a whole file (FERRY_ENOTFOUND if it is not there). */
int an_write_file(const char *path, const char *data, size_t len, int mode);
int an_read_file(const char *path, struct ferry_buf *out);
int an_mkdir(const char *path, int mode);

#endif
