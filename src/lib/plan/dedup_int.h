/* dedup_int.h: what the files of the dedup engine share: one run's state
 * and its steps (keys.c reads the records and their keys, cluster.c joins
 * them into clusters, resolve.c decides each cluster by the rules of
 * survivor.c, dedup.c runs the steps and keeps the result, result.c reads
 * it back). Private to src/lib/plan; helpers carry the prefix dd_. See
 * docs/internals/dedup.md. */
#ifndef FERRY_DEDUP_INT_H
#define FERRY_DEDUP_INT_H

#include <jansson.h>
#include <sqlite3.h>

#include "ferry/dedup.h"

/* One run. Records are numbered 1, 2, ... in priority order (the first
 * object's records in staging order, then the next object's): that
 * number, the rid, orders everything that follows. */
struct dd_run {
	struct ferry_workspace *ws;
	const struct ferry_dedup_config *cfg;
	const char *date_field;
	size_t max_cluster;
	struct ferry_dedup_stats stats;
};

/* The name a key goes by in reasons: "email", "Customer_Number__c". */
const char *dd_key_name(const struct ferry_dedup_key *key);

/* Steps of a run, in order (each returns 0 or a negative code). */

/* Reads every staged record of the config's objects once into
 * temp.dedup_rec and its match keys into temp.dedup_keys (keys.c). */
int dd_read_records(struct dd_run *run);

/* Groups the keys, asks the destination about each distinct one, and
 * joins the records sharing one into clusters: temp.dedup_parent maps
 * each record in a cluster of two or more to the cluster's first record
 * (cluster.c). */
int dd_cluster(struct dd_run *run);

/* Decides every cluster of two records or more and every record matched
 * at the destination: temp.dedup_out gets their cluster, role, survivor,
 * reason, destination id and merged record (resolve.c, with the rules of
 * survivor.c). A record without a row there is its own survivor. */
int dd_resolve(struct dd_run *run);

/* Text built a piece at a time; the first error sticks. */
struct dd_text {
	struct ferry_buf b;
	int error;
};
void dd_say(struct dd_text *t, const char *fmt, ...) FERRY_PRINTF(2, 3);
void dd_text_clear(struct dd_text *t);
/* "two", "three" ... "ten", then digits. */
void dd_say_count(struct dd_text *t, size_t n);

/*
 * One cluster, as survivor.c decides it (resolve.c loads and writes it).
 * Clusters are at most cfg->max_cluster records, so this is bounded.
 */
struct dd_shared {
	int64_t k;
	char *key;
};
struct dd_member {
	int64_t rid, srow, filled;
	size_t obj;
	char *source_id;
	char *created;          /* sortable UTC text, NULL: none */
	struct dd_shared *keys; /* shared with another record, by (k, key) */
	size_t n_keys;
	json_t *fields; /* the staged record, loaded to decide */
};
struct dd_cluster {
	struct dd_member *m; /* in record (priority) order */
	size_t n, cap;
	size_t survivor;
};

/* Reads m->created (the date field, in UTC) and m->filled (the mapped
 * fields with a value) from m->fields. */
void dd_describe(struct dd_member *m, const struct dd_run *run);

/* Picks the survivor among the records of the first object present:
 * 0 with c->survivor set and `why` naming the rule that chose it
 * ("the oldest by CreatedDate"), or 1 when the rule cannot decide and
 * cfg->undecided says hold, with `why` saying why for a person. */
int dd_pick_survivor(struct dd_cluster *c, const struct dd_run *run,
                     struct dd_text *why);

/* Field-level survivorship: `merged` gets the survivor's record with each
 * mapped field taken by its fill rule (FERRY_DEDUP_FILL_ALL: the others'
 * values added under "<field>#<n>"), `from` the field -> {object,
 * source_id} of every value not the survivor's own, and `filled` their
 * names ("Phone, Title"). */
int dd_merge_fields(const struct dd_cluster *c, const struct dd_run *run,
                    json_t **merged, json_t **from, struct dd_text *filled);

/* Rows inserted many to a statement: one step per row was half the cost
 * of reading a record. Bind row i's values at dd_batch_param(b) + 0 ..
 * cols - 1, then call dd_batch_add(); dd_batch_flush() writes the rest. */
struct dd_batch {
	sqlite3_stmt *st;
	int cols, rows, n;
	const char *what;
};
/* `into` is constant SQL naming the table and columns, "temp.t(a, b)". */
int dd_batch_open(struct dd_run *run, struct dd_batch *b, const char *into,
                  int cols, const char *what);
int dd_batch_param(const struct dd_batch *b);
int dd_batch_add(struct dd_run *run, struct dd_batch *b);
int dd_batch_flush(struct dd_run *run, struct dd_batch *b);
void dd_batch_close(struct dd_batch *b);

/* Small SQLite helpers over the workspace's connection. */
int dd_prepare(struct dd_run *run, sqlite3_stmt **out, const char *sql);
/* Steps a statement that returns no row, then resets it. */
int dd_step_done(struct dd_run *run, sqlite3_stmt *st, const char *what);
/* The text of column `col`, "" for NULL. */
const char *dd_text(sqlite3_stmt *st, int col);

#endif
