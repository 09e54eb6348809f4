/* load.c: the first loader. For each mapped object in dependency order it
 * walks the staged records, asks the mapping for a decision, folds records
 * that share a match key into the first one (merged), and writes the rest
 * with an assert, bracketing every write with ledger rows:
 *
 *   ledger: pending (payload hash) --PUT assert--> written (record id)
 *                                              \-> failed (Attio's reason)
 *
 * A crash between the two leaves a pending row; the next run sends that
 * record again, and the assert makes the second send harmless. A record
 * whose row is already written with the same payload hash is not sent. */
#include "util.h"
#include "ferry/hash.h"
#include "ferry/load.h"
#include "ferry/mapping.h"

struct load_ctx {
	struct ferry_workspace *ws;
	struct ferry_attio *attio;
	const struct ferry_load_opts *opts;
	const struct ferry_map_rule *rule; /* NULL: object not mapped */
	struct ferry_load_stats *stats;
	struct ferry_load_progress progress;
	json_t *seen; /* match key -> first source id with it */
};

static void copy_str(char *dst, size_t dstlen, const char *src)
{
	snprintf(dst, dstlen, "%s", src ? src : "");
}

/* Writes `row` and, when the decision changed, an audit event: a re-run
 * that decides the same again adds nothing to the log. */
static int record_decision(struct load_ctx *c, struct ferry_ledger_row *row,
                           const char *event)
{
	struct ferry_ledger_row old;
	bool changed = true;
	int error;

	if (ferry_ledger_get(&old, c->ws, row->object, row->source_id) == 0)
		changed = old.status != row->status ||
		          strcmp(old.reason, row->reason) != 0 ||
		          strcmp(old.dest_id, row->dest_id) != 0 ||
		          strcmp(old.payload_hash, row->payload_hash) != 0;
	if ((error = ferry_ledger_put(c->ws, row)) < 0)
		return error;
	if (!changed)
		return 0;
	return ferry_audit_append(c->ws, "load", row->object, row->source_id,
	                          event, row->reason);
}

static void row_init(struct ferry_ledger_row *row, const struct load_ctx *c,
                     const char *source_id)
{
	memset(row, 0, sizeof(*row));
	copy_str(row->object, sizeof(row->object), c->stats->object);
	copy_str(row->source_id, sizeof(row->source_id), source_id);
	copy_str(row->dest_object, sizeof(row->dest_object),
	         c->rule ? c->rule->dest_object : "");
}

/* The canonical payload: what is sent and where, with sorted keys, so the
 * same record always hashes the same. */
static int payload_hash(char out[65], const struct ferry_map_rule *rule,
                        json_t *values)
{
	json_t *doc = json_pack("{s:s, s:s, s:O}", "object", rule->dest_object,
	                        "matching_attribute", rule->matching_attribute,
	                        "values", values);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	int error;

	error = ferry_sha256_hex(out, text, strlen(text));
	free(text);
	json_decref(doc);
	return error;
}

static int merge_into(struct load_ctx *c, struct ferry_ledger_row *row,
                      const struct ferry_mapped *m, const char *survivor)
{
	struct ferry_ledger_row first;

	if (ferry_ledger_get(&first, c->ws, row->object, survivor) == 0 &&
	    first.dest_id[0])
		copy_str(row->dest_id, sizeof(row->dest_id), first.dest_id);
	row->status = FERRY_LEDGER_MERGED;
	snprintf(row->reason, sizeof(row->reason),
	         "same %s '%s' as %s '%s': merged into it%s", c->rule->key_name,
	         m->key, row->object, survivor,
	         row->dest_id[0] ? "" : " (which was not written)");
	c->stats->merged++;
	return record_decision(c, row, "merged");
}

static int write_record(struct load_ctx *c, struct ferry_ledger_row *row,
                        const struct ferry_mapped *m)
{
	struct ferry_ledger_row old;
	struct ferry_attio_result res;
	char hash[65];
	int error, attempts = 0;

	if ((error = payload_hash(hash, c->rule, m->values)) < 0)
		return error;
	if (ferry_ledger_get(&old, c->ws, row->object, row->source_id) == 0) {
		if (old.status == FERRY_LEDGER_WRITTEN && old.dest_id[0] &&
		    !strcmp(old.payload_hash, hash)) {
			c->stats->unchanged++;
			return 0;
		}
		attempts = old.attempts;
	}
	copy_str(row->payload_hash, sizeof(row->payload_hash), hash);
	row->status = FERRY_LEDGER_PENDING;
	row->attempts = attempts + 1;
	if ((error = ferry_ledger_put(c->ws, row)) < 0)
		return error;

	memset(&res, 0, sizeof(res));
	error = ferry_attio_assert_record(c->attio, c->rule->dest_object,
	                                  c->rule->matching_attribute,
	                                  m->values, &res);
	if (error < 0)
		return ferry_error_wrap(error, "writing %s '%s'", row->object,
		                        row->source_id);
	row->http_status = (int)res.http_status;
	if (res.http_status >= 200 && res.http_status < 300 &&
	    res.record_id[0]) {
		row->status = FERRY_LEDGER_WRITTEN;
		copy_str(row->dest_id, sizeof(row->dest_id), res.record_id);
		copy_str(row->reason, sizeof(row->reason), m->reason);
		c->stats->written++;
		return record_decision(c, row, "written");
	}
	row->status = FERRY_LEDGER_FAILED;
	snprintf(row->reason, sizeof(row->reason), "Attio answered %ld%s%s: %s",
	         res.http_status, res.code[0] ? " " : "", res.code,
	         res.message[0] ? res.message : "no message");
	c->stats->failed++;
	return record_decision(c, row, "failed");
}

static int load_record(const char *source_id, int64_t line, json_t *fields,
                       void *payload)
{
	struct load_ctx *c = payload;
	struct ferry_ledger_row row;
	struct ferry_mapped m;
	const char *survivor;
	int error = 0;

	FERRY_UNUSED(line);
	memset(&m, 0, sizeof(m));
	if (c->opts && c->opts->stop && *c->opts->stop)
		return ferry_error_set(FERRY_EHALTED,
		                       "stopped on request; the ledger is "
		                       "consistent: run 'ferry run' again to "
		                       "resume");
	row_init(&row, c, source_id);
	if (!c->rule) {
		row.status = FERRY_LEDGER_SKIPPED;
		snprintf(row.reason, sizeof(row.reason),
		         "ferry has no mapping for '%s' yet: only Account "
		         "and Contact are migrated in this version",
		         row.object);
		c->stats->skipped++;
		error = record_decision(c, &row, "skipped");
		goto done;
	}
	if ((error = c->rule->map(&m, c->rule, c->ws, source_id, fields)) < 0)
		goto done;
	if (m.decision == FERRY_MAP_SKIP) {
		row.status = FERRY_LEDGER_SKIPPED;
		copy_str(row.reason, sizeof(row.reason), m.reason);
		c->stats->skipped++;
		error = record_decision(c, &row, "skipped");
		goto done;
	}
	survivor = json_string_value(json_object_get(c->seen, m.key));
	if (survivor) {
		error = merge_into(c, &row, &m, survivor);
		goto done;
	}
	json_object_set_new(c->seen, m.key, json_string(source_id));
	error = write_record(c, &row, &m);
done:
	ferry_mapped_release(&m);
	c->progress.done++;
	if (c->opts && c->opts->progress)
		c->opts->progress(&c->progress, c->opts->payload);
	return error;
}

static int load_object(struct load_ctx *c)
{
	int error;

	c->seen = json_object();
	memset(&c->progress, 0, sizeof(c->progress));
	c->progress.object = c->stats->object;
	c->progress.dest_object = c->stats->dest_object;
	c->progress.total = c->stats->staged;
	c->progress.started_us = ferry_clock_mono_us();
	error =
	    ferry_stage_foreach_record(c->ws, c->stats->object, load_record, c);
	json_decref(c->seen);
	c->seen = NULL;
	return error;
}

struct object_list {
	struct ferry_load_stats *stats;
	size_t n;
};

static int collect_object(const struct ferry_staged_object *o, void *payload)
{
	struct object_list *l = payload;
	struct ferry_load_stats *s;
	const struct ferry_map_rule *rule = ferry_mapping_find(o->object);

	l->stats = ferry_xrealloc(l->stats, (l->n + 1) * sizeof(*l->stats));
	s = &l->stats[l->n++];
	memset(s, 0, sizeof(*s));
	copy_str(s->object, sizeof(s->object), o->object);
	copy_str(s->dest_object, sizeof(s->dest_object),
	         rule ? rule->dest_object : "");
	s->staged = o->count;
	return 0;
}

/* Mapped objects first, in the builtin rules' dependency order; then the
 * unmapped ones, which are only marked skipped. */
static size_t load_rank(const struct ferry_load_stats *s)
{
	size_t n, i;
	const struct ferry_map_rule *rules = ferry_mapping_builtin(&n);

	for (i = 0; i < n; i++)
		if (!strcmp(rules[i].source_object, s->object))
			return i;
	return n;
}

static int cmp_rank(const void *a, const void *b)
{
	size_t ra = load_rank(a), rb = load_rank(b);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(((const struct ferry_load_stats *)a)->object,
	              ((const struct ferry_load_stats *)b)->object);
}

int ferry_load_run(struct ferry_workspace *ws, struct ferry_attio *attio,
                   const struct ferry_load_opts *opts,
                   struct ferry_load_stats **stats_out, size_t *n_out)
{
	struct object_list list = {NULL, 0};
	struct load_ctx c;
	size_t i;
	int error;

	memset(&c, 0, sizeof(c));
	c.ws = ws;
	c.attio = attio;
	c.opts = opts;
	if ((error = ferry_stage_foreach_object(ws, collect_object, &list)) < 0)
		goto done;
	if (list.n == 0) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "nothing is staged: run 'ferry "
		                        "extract' first");
		goto done;
	}
	qsort(list.stats, list.n, sizeof(*list.stats), cmp_rank);
	for (i = 0; i < list.n; i++) {
		c.stats = &list.stats[i];
		c.rule = ferry_mapping_find(c.stats->object);
		if ((error = load_object(&c)) < 0)
			goto done;
	}
	*stats_out = list.stats;
	*n_out = list.n;
	list.stats = NULL;
done:
	free(list.stats);
	return error;
}
