/* dedup.h: the dedup engine. It finds the staged records that are one
 * person or one company, transitively (A shares an email with B and B a
 * phone with C: A, B and C are one cluster), across one or more staged
 * objects deduplicated together (contacts and leads: contacts first); it
 * picks a survivor per cluster by a rule, fills the survivor's gaps from
 * the others field by field, holds a cluster for review when the rule
 * cannot decide, and matches clusters against records already at the
 * destination so nothing there is created twice.
 *
 * The work happens in the workspace (SQLite), so memory does not grow with
 * the org: records are read once, their keys sorted and clustered by
 * SQLite. The result is one row per staged record in the workspace table
 * `dedup` (see docs/internals/dedup.md), which the plan stage joins on
 * (object, source_id), and through the iterator below. */
#ifndef FERRY_DEDUP_H
#define FERRY_DEDUP_H

#include "ferry/buf.h"
#include "ferry/common.h"

struct ferry_workspace;

/* What a match key is made of. */
enum ferry_dedup_kind {
	FERRY_DEDUP_EMAIL = 0,   /* trimmed, lower-cased (normalize.h) */
	FERRY_DEDUP_PHONE,       /* E.164, with the record's country or the
	                            default; one with an extension gives none */
	FERRY_DEDUP_EXTERNAL_ID, /* exact, after trimming white space */
	FERRY_DEDUP_DOMAIN,      /* the registrable domain of a website;
	                            never a personal-email domain */
};

/* Asks the destination whether it already holds a record with `key` (the
 * normalized key: "ada@acme.com", "+14155550100", "acme.com"). Returns 0
 * with its id in `dest_id` (NUL-terminated, at most `size` bytes),
 * FERRY_ENOTFOUND when there is none, or another negative code (message
 * set) to stop the run. Called once per distinct key. */
typedef int (*ferry_dedup_lookup_fn)(const char *key, char *dest_id,
                                     size_t size, void *payload);

/* One match key. Each key of the config is its own key space: the values
 * of all its fields match each other (Email of one record, PersonEmail of
 * another), and never those of another key. */
struct ferry_dedup_key {
	enum ferry_dedup_kind kind;
	const char *const *fields; /* the columns it is read from */
	size_t n_fields;
	/* In reasons: "same <name> '<key>'". NULL: "email", "phone",
	 * "domain"; for an external id, fields[0]. */
	const char *name;
	/* Phone: the column holding the record's country ("MailingCountry");
	 * NULL or empty: the default country of the config alone. */
	const char *country_field;
	/* Optional: records already at the destination. */
	ferry_dedup_lookup_fn lookup;
	void *lookup_payload;
};

/* Which record of a cluster survives (and the order gaps are filled in). */
enum ferry_dedup_rule {
	FERRY_DEDUP_OLDEST = 0,    /* the earliest date; else staging order */
	FERRY_DEDUP_NEWEST,        /* the latest date; else staging order */
	FERRY_DEDUP_MOST_COMPLETE, /* the most non-empty fields; a tie goes
	                              to the oldest date, else `undecided` */
};

/* What happens when the rule cannot decide (a tie on completeness with
 * equal dates, no dates, or dates on only some of the tied records). */
enum ferry_dedup_undecided {
	FERRY_DEDUP_UNDECIDED_HOLD = 0, /* the cluster is held for a person */
	FERRY_DEDUP_UNDECIDED_OLDEST,   /* the oldest of the tied; equal or
	                                   missing dates: the first staged */
	FERRY_DEDUP_UNDECIDED_NEWEST,   /* the newest of the tied; equal or
	                                   missing dates: the last staged */
};

/* Where a merged record takes one field from. */
enum ferry_dedup_fill {
	FERRY_DEDUP_FILL_DEFAULT = 0,   /* the survivor's value; when it has
	                                   none, the first other record in the
	                                   rule's order that has one */
	FERRY_DEDUP_FILL_SURVIVOR,      /* the survivor's value only */
	FERRY_DEDUP_FILL_OLDEST,        /* the oldest record with a value */
	FERRY_DEDUP_FILL_NEWEST,        /* the newest record with a value */
	FERRY_DEDUP_FILL_MOST_COMPLETE, /* the most complete record with a
	                                   value */
	FERRY_DEDUP_FILL_ALL,           /* the survivor's value, and every
	                                   other distinct one, each under
	                                   "<field>#<n>" (see `merged`) */
};

/* A mapped field: what completeness counts and what is filled. */
struct ferry_dedup_field {
	const char *name; /* the staged column */
	enum ferry_dedup_fill fill;
};

#define FERRY_DEDUP_MAX_CLUSTER 100

struct ferry_dedup_config {
	/* The staged objects deduplicated together, in priority order: the
	 * survivor is taken from the first of them present in a cluster. */
	const char *const *objects;
	size_t n_objects;
	const struct ferry_dedup_key *keys; /* in order: earlier keys are
	                                       named first in reasons */
	size_t n_keys;
	enum ferry_dedup_rule rule;
	enum ferry_dedup_undecided undecided;
	const char *date_field; /* NULL: "CreatedDate" */
	/* The mapped fields; NULL: every staged column, each with
	 * FERRY_DEDUP_FILL_DEFAULT. */
	const struct ferry_dedup_field *fields;
	size_t n_fields;
	/* Columns written beside the values FERRY_DEDUP_FILL_ALL takes from
	 * another record, with the same "#<n>", so that each value is read
	 * in its own record's context (a phone's country: "MailingCountry").
	 * May be NULL. */
	const char *const *context_fields;
	size_t n_context_fields;
	const char *default_country; /* for phones: "GB", "United States" */
	/* Domains that, like gmail.com, never create or match a company
	 * (registrable domains, any case). */
	const char *const *personal_domains;
	size_t n_personal_domains;
	/* A cluster of more records is held whole: it is nearly always a
	 * placeholder value ("n/a@none.com", "0000000000") linking strangers.
	 * 0: FERRY_DEDUP_MAX_CLUSTER. */
	size_t max_cluster;
};

struct ferry_dedup_stats {
	int64_t records;   /* staged records read */
	int64_t clusters;  /* clusters of two records or more */
	int64_t survivors; /* one per cluster not held, singletons too */
	int64_t merged;
	int64_t held;
	int64_t matched; /* records given a destination id */
};

/* Deduplicates the objects of `cfg` and replaces the `dedup` rows of those
 * objects with the result, in one transaction (on failure the previous
 * result stays). Every staged record of the objects gets exactly one row.
 * `stats` may be NULL. FERRY_EINVALID for a bad config, FERRY_ENOTFOUND
 * for an object that is not staged. */
int ferry_dedup_run(struct ferry_workspace *ws,
                    const struct ferry_dedup_config *cfg,
                    struct ferry_dedup_stats *stats);

/* The match key `value` gives under `key`, into `out`: 0, or
 * FERRY_EINVALID (message set) when it gives none: empty, invalid, a
 * personal domain. `country` is the record's country (NULL: none); `cfg`
 * gives the default country and the extra personal domains (may be
 * NULL). */
int ferry_dedup_key_normalize(struct ferry_buf *out,
                              const struct ferry_dedup_key *key,
                              const char *value, const char *country,
                              const struct ferry_dedup_config *cfg);

/*
 * The result.
 */
enum ferry_dedup_role {
	FERRY_DEDUP_SURVIVOR = 0, /* written (or matched at the destination) */
	FERRY_DEDUP_MERGED,       /* folded into its survivor */
	FERRY_DEDUP_HELD,         /* a person must decide: reason says why */
};
const char *ferry_dedup_role_name(enum ferry_dedup_role role);

/* One record's row; the strings are borrowed until the next call. */
struct ferry_dedup_row {
	const char *object, *source_id;
	/* The workspace-wide id of its cluster (the staged row id of the
	 * cluster's first record): equal for every record of a cluster. */
	int64_t cluster;
	enum ferry_dedup_role role;
	/* The survivor (the record itself for a survivor; "" when held). */
	const char *survivor_object, *survivor_id;
	const char *reason;  /* why merged or held; for a survivor, what
	                        it absorbed or matched; "" for a singleton */
	const char *dest_id; /* the destination record it matched, or "" */
	/* Survivors of a cluster of two or more: the record after
	 * field-level survivorship (JSON object column -> string) and where
	 * each field not its own came from ({"Phone": {"object": "Lead",
	 * "source_id": "00Q..."}}); NULL otherwise. A FERRY_DEDUP_FILL_ALL
	 * field keeps the survivor's own value under its name and each other
	 * record's distinct value under "<field>#<n>", n the record's place
	 * in the order (2 for the first after the survivor), with its
	 * context fields under "<context>#<n>"; '#' is in no Salesforce
	 * field name. */
	const char *merged, *filled_from;
};

/* Which rows to walk; zeroes mean "any". */
struct ferry_dedup_filter {
	const char *object;
	const char *source_id; /* with object */
	int64_t cluster;
};

/* Rows in the order dedup wrote them (objects in config order, each in
 * staging order). ferry_dedup_next() returns 1 with a row, 0 at the end,
 * or a negative code. */
struct ferry_dedup_iter;
int ferry_dedup_iter_open(struct ferry_dedup_iter **out,
                          struct ferry_workspace *ws,
                          const struct ferry_dedup_filter *filter);
int ferry_dedup_next(struct ferry_dedup_iter *it, struct ferry_dedup_row *row);
void ferry_dedup_iter_free(struct ferry_dedup_iter *it);

struct ferry_dedup_count {
	int64_t by_role[3]; /* indexed by enum ferry_dedup_role */
	int64_t matched;
};
/* The rows of `object` (NULL: all) by role. */
int ferry_dedup_counts(struct ferry_workspace *ws, const char *object,
                       struct ferry_dedup_count *out);

#endif
