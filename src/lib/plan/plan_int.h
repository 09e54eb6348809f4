/* plan_int.h: what the files of the plan stage share: one run's state,
 * one object's (the columns it reads, its compound attributes, what the
 * destination says of its attributes) and one record's decision as it is
 * built. Private to src/lib/plan; helpers carry the prefix pl_. See
 * docs/internals/plan.md. */
#ifndef FERRY_PLAN_INT_H
#define FERRY_PLAN_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "analyze/analyze_int.h"
#include "ferry/plan.h"

/* Owners resolved and kept for the run (distinct owners, not records):
 * the cache starts over past this. */
#define PL_OWNER_CACHE_MAX 65536
/* Progress is reported every this many records. */
#define PL_PROGRESS_EVERY 4096

/* A column of the staged records the plan reads. Records of one object
 * nearly always list their columns in one order, so where the column was
 * in the last record is tried first. */
struct pl_col {
	const char *name;
	size_t pos;
};

/* A name or location attribute, filled from the fields of its parts. */
struct pl_compound {
	const char *attribute;
	enum ferry_mapfile_type type;            /* NAME or LOCATION */
	const struct ferry_mapfile_field *first; /* named in reasons */
	const struct ferry_mapfile_field *part[FERRY_MF_PART_COUNT];
	int col[FERRY_MF_PART_COUNT]; /* -1: no field for the part */
};

/* What the destination says of an attribute (plan_validate.c). */
struct pl_attr {
	const char *slug;
	const char *type; /* Attio's: "select", "status", ... or "" */
	bool exists;      /* in the destination (or offline: assumed) */
	bool required, unique, multiselect;
	const json_t *options; /* select: the options, or NULL */
};

/* Columns every object may read besides its fields. */
enum pl_fixed_col {
	PL_C_CURRENCY,    /* CurrencyIsoCode: record_currency */
	PL_C_RECORD_TYPE, /* RecordTypeId */
	PL_C_PERSON,      /* IsPersonAccount */
	PL_C_CLOSED,      /* IsClosed (Task) */
	PL_C_END,         /* EndDateTime (Event) */
	PL_C_START,       /* ActivityDateTime (Event) */
	PL_C_WHAT,        /* WhatId: two parents */
	PL_C_WHO,         /* WhoId */
	PL_C_PARENT,      /* ParentId: case comments */
	PL_C_BODY,        /* CommentBody */
	PL_C_CREATED,     /* CreatedDate */
	PL_C__COUNT
};

struct pl_object {
	const char *name;
	/* Its entry in mapping.yaml, or NULL when it has none. */
	const struct ferry_mapfile_object *o;
	/* Case comments: the case object whose `comments` this is. */
	const struct ferry_mapfile_object *case_of;
	struct pl_col *cols;
	size_t n_cols;
	int fixed[PL_C__COUNT]; /* column of each fixed column, or -1 */
	int *field_col;         /* per field of o: its column, -1 for none */
	int *country_col; /* per field: its country_field's column, or -1 */
	int *compound_of; /* per field: its compound, or -1 */
	struct pl_compound *compounds;
	size_t n_compounds;
	int *filter_col;    /* per filter condition (skip_if, then only_if) */
	json_t *filter_rec; /* the conditions' fields of one record */
	int link_col[2];    /* to: links: the record's and the added one's */
	bool two_parents;   /* WhatId and WhoId both go to one parent */
	/* What the destination says of the attributes the object writes
	 * and of those it requires (plan_validate.c). */
	struct pl_attr *attrs;
	size_t n_attrs;
	/* The destination's attributes of `o->to` (an array) or NULL when
	 * offline or the object is not there. */
	const json_t *dest_attrs;
	bool dest_known; /* online and the object exists */
	/* Record type ids (18 characters) -> DeveloperName. */
	json_t *record_types;
	struct ferry_plan_object *stats;
};

/* A reason a record is held or skipped, or a note on a written one. */
void pl_reason(json_t *list, const char *field, const char *code,
               const char *release, const char *fmt, ...) FERRY_PRINTF(5, 6);

/* One record's decision as it is built. */
struct pl_rec {
	struct pl_object *po;
	const char *source_id;
	const char **vals;            /* per column; "" when absent */
	enum ferry_mapfile_kind kind; /* what this record becomes */
	const char *dest;             /* its destination object */
	json_t *values;               /* attribute -> Attio value */
	json_t *extra;                /* payload keys besides "values" */
	json_t *reasons, *notes;      /* arrays */
	json_t *skip;                 /* a rule left it out: its reasons */
	enum ferry_plan_decision decision;
	const char *match_attr;       /* the object's match, or NULL */
	struct ferry_buf match_value; /* its (first) value, normalized */
	char survivor_object[64], survivor_id[64];
	/* dedup: the role (-1: no row), its reason and merged record */
	int role;
	const char *dedup_reason;
	const char *merged;
	/* A survivor's merged record, whose "<column>#<n>" are the values
	 * dedup.fields `all` keeps from the others (plan_values.c); NULL
	 * for any other record. */
	const struct an_flat *mflat;
	/* The ids its reference columns name, space-separated (plan_refs). */
	struct ferry_buf refs;
};

struct plan {
	struct ferry_workspace *ws;
	const struct ferry_mapfile *m;
	const struct ferry_plan_opts *opts;
	struct ferry_plan_stats *stats;
	bool online;
	json_t *members; /* lower-cased emails of active members (online) */
	json_t *owners;  /* owner id -> {"member"} | {"code", "message"} */
	bool users_staged;
	char planned_at[40];
	char now[40]; /* the same instant as a UTC timestamp (activities) */
	/* the record; a survivor's merged one; a User */
	struct an_flat flat, mflat, uflat;
	struct ferry_buf payload; /* a decision's payload as JSON */
	const char **vals;
	size_t vals_cap;
	/* prepared statements */
	sqlite3_stmt *ins;      /* a new plan row */
	sqlite3_stmt *upd;      /* a changed one */
	sqlite3_stmt *old;      /* a record's previous decision */
	sqlite3_stmt *stash;    /* kept for the audit at commit */
	sqlite3_stmt *lookup;   /* a decided record by source id */
	sqlite3_stmt *user;     /* a staged User */
	sqlite3_stmt *staged;   /* is (object, source_id) staged */
	sqlite3_stmt *dedup;    /* a record's dedup row */
	sqlite3_stmt *uniq_ins; /* a unique value of a record to write */
	sqlite3_stmt *refs_del; /* a record's rows of plan_refs */
	sqlite3_stmt *refs_ins; /* one id a record's references name */
	/* A re-plan of a few records (plan_partial.c). */
	bool partial;
	json_t *want; /* ids of the current object to decide */
};

/* What releases a record held for a value a transform refused. The
 * queue commands come with the conflict queue. */
#define PL_RELEASE_VALUE                                                       \
	"edit the record in Salesforce and extract again, or set an override " \
	"with `ferry queue edit`"

/* True for "" and white space. */
bool pl_blank(const char *s);
/* A record value quoted in a message: at most 80 bytes, one line. */
struct pl_quote {
	char s[96];
};
struct pl_quote pl_quote(const char *v);

/* plan_values.c: field `i` of the object (not a part, reference or
 * owner), and one compound attribute, into rec->values. */
int pl_field_value(struct plan *pl, struct pl_rec *rec, size_t i);
int pl_compound_value(struct pl_rec *rec, const struct pl_compound *c);

/* plan_record.c: decides one record (rec->vals read, rec->po set). */
int pl_decide(struct plan *pl, struct pl_rec *rec);
void pl_rec_reset(struct pl_rec *rec);
void pl_rec_release(struct pl_rec *rec);
/* The value of column `col` of the record ("" when absent). */
const char *pl_val(const struct pl_rec *rec, int col);
/* Adds `v` (stolen) to attribute `attr`: a second value makes an array. */
void pl_add_value(json_t *values, const char *attr, json_t *v);

/* Leaves the record out (the first such reason is the one kept). */
void pl_skip(struct pl_rec *rec, const char *field, const char *code,
             const char *release, const char *message);

/* plan_owner.c: an owner field's value -> a workspace member email. */
int pl_owner(struct plan *pl, struct pl_rec *rec,
             const struct ferry_mapfile_field *f, const char *id);

/* plan_refs.c: the reference fields: a reference to be resolved at load
 * time, its survivor's, or none (with a note, or held). */
int pl_references(struct plan *pl, struct pl_rec *rec);
/* A case comment: a note on its case's record, or merged into the case's
 * note (Case.comments). */
int pl_decide_comment(struct plan *pl, struct pl_rec *rec);
/* What became of the record `id`: its object, decision, destination and
 * survivor (after following merges). FERRY_ENOTFOUND when it has no
 * decision yet. */
struct pl_fate {
	char object[64], source_id[64], dest[64];
	char survivor_object[64], survivor_id[64];
	enum ferry_plan_decision decision;
};
int pl_fate(struct plan *pl, const char *id, const char *dest_object,
            struct pl_fate *out);

/* plan_object.c: sets up `po` (name, stats and case_of set) for the
 * mapping's object `o` (NULL: not in the mapping). */
int pl_object_init(struct plan *pl, struct pl_object *po,
                   const struct ferry_mapfile_object *o);
void pl_object_free(struct pl_object *po);

/* plan_dedup.c: runs dedup for every object that has it. */
int pl_dedup(struct plan *pl);

/* plan_dest.c: the records already at the destination (opts->dest),
 * read once per Attio object before dedup and matched on its keys. */
struct pl_dest;
struct ferry_dedup_key;
/* A snapshot (empty until pl_dest_load) for the run `pl`. */
int pl_dest_open(struct pl_dest **out, struct plan *pl);
void pl_dest_free(struct pl_dest *d);
/* Where `key` (of a dedup run over `objects`) lives at the destination:
 * wanted in the snapshot, and key->lookup answers from it. */
void pl_dest_key(struct pl_dest *d, struct ferry_dedup_key *key,
                 const char *const *objects, size_t n_objects);
/* Reads every Attio object some key wants, a page of records at a time. */
int pl_dest_load(struct pl_dest *d);
/* A survivor dedup matched at the destination: the note
 * `exists_in_destination` and "record_id" in its payload. */
int pl_dest_note(struct plan *pl, struct pl_rec *rec);
/* A record to write into an existing record: two such records into one
 * are a unique clash (temp.plan_unique, attribute "record_id"). */
int pl_dest_unique(struct plan *pl, struct pl_rec *rec);

/* plan_validate.c */
void pl_dest_init(struct plan *pl, struct pl_object *po);
/* What the destination says of `slug` of the object (*out zeroed and
 * `exists` true offline). */
void pl_dest_attr(const struct plan *pl, const struct pl_object *po,
                  const char *slug, struct pl_attr *out);
/* The record against the destination: required values, select options,
 * attributes to create; unique values are kept for pl_unique_check. */
int pl_validate(struct plan *pl, struct pl_rec *rec);
/* Whether the destination requires `attr` of the record's kind. */
bool pl_required(const struct plan *pl, const struct pl_rec *rec,
                 const char *attr);
/* Unique values the object's records to write share with another record
 * to write: those records are held. */
int pl_unique_check(struct plan *pl, struct pl_object *po);
/* The attributes `po` writes that the destination lacks, into stats. */
void pl_to_create(struct plan *pl, struct pl_object *po);

/* plan_partial.c: re-planning a few records (ferry_plan_records). */
/* Fills temp.plan_only with the records asked and those sharing their
 * matching value, and runs dedup again when one has overrides. */
int pl_partial_start(struct plan *pl, const struct ferry_plan_ref *refs,
                     size_t n);
/* Whether the object has anything to re-plan. */
bool pl_partial_wanted(struct plan *pl, const char *object);
/* Loads the object's records to decide. */
int pl_partial_begin(struct plan *pl, struct pl_object *po);
/* Whether to decide record `id`: one to re-plan. */
bool pl_partial_take(struct plan *pl, struct pl_object *po, const char *id);
/* Before the unique check: the records not re-planned that hold the
 * same matching values, as a whole plan would have them. */
int pl_partial_prefill(struct plan *pl, struct pl_object *po);
/* After the commit: later objects' records that refer to a record whose
 * decision changed (plan_refs), or share a new matching value, are
 * re-planned too. */
int pl_partial_end(struct plan *pl, struct pl_object *po);
void pl_partial_free(struct plan *pl);

/* The columns a decision is stored with, in the order of ?1..?13. */
#define PL_PLAN_COLS                                                           \
	"object, source_id, decision, payload_sha256, dest_object, "           \
	"match_attribute, match_value, survivor_object, survivor_id, "         \
	"planned_at, reasons, notes, payload"

/* plan_store.c */
int pl_store_prepare(struct plan *pl);
void pl_store_finalize(struct plan *pl);
/* Opens the object's transaction. */
int pl_store_begin(struct plan *pl, const char *object);
/* Stores the record's decision, unless it is the one already stored. */
int pl_store_put(struct plan *pl, struct pl_rec *rec);
/* Every staged record of `object` skipped with one reason, in SQL. */
int pl_store_skip_all(struct plan *pl, struct pl_object *po, const char *code,
                      const char *release, const char *message);
/* Keeps what a record's decision was before a change that does not go
 * through pl_store_put (a unique clash). */
int pl_store_stash(struct plan *pl, const char *object, const char *id);
/* Holds records that share a unique value, drops the decisions of
 * records no longer staged, writes the audit events of what changed, and
 * commits. */
int pl_store_commit(struct plan *pl, struct pl_object *po);
void pl_store_rollback(struct plan *pl);
/* Drops the decisions of objects that are no longer staged. */
int pl_store_prune(struct plan *pl);

#endif
