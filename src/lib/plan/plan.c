/* plan.c: runs the plan. Dedup first (plan_dedup.c), then the staged
 * objects the mapping does not migrate (every record skipped, in one
 * statement), then the mapped objects in load order, then case comments,
 * each object in its own transaction (plan_store.c): its records are
 * streamed from staged_records in staging order with their dedup rows,
 * read without a JSON tree (analyze's flat reader) and decided one by one
 * (plan_record.c). Only the columns the mapping reads are looked at, each
 * where it was in the previous record first. */
#include "util.h"

#include "ferry/queue.h"
#include "plan_int.h"
#include "store/store.h"

void ferry_plan_stats_release(struct ferry_plan_stats *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->n_objects; i++) {
		for (j = 0; j < s->objects[i].n_to_create; j++)
			free(s->objects[i].to_create[j]);
		free(s->objects[i].to_create);
	}
	free(s->objects);
	memset(s, 0, sizeof(*s));
}

/*
 * Records.
 */

/* The value of each column the object reads, from the flat record. */
static void read_cols(struct plan *pl, struct pl_object *po,
                      const struct an_flat *f, bool overlay)
{
	size_t c, k;

	for (c = 0; c < po->n_cols; c++) {
		struct pl_col *col = &po->cols[c];
		const char *v = NULL;

		if (col->pos < f->n &&
		    !strcmp(f->pairs[col->pos].key, col->name))
			v = f->pairs[col->pos].val;
		for (k = 0; !v && k < f->n; k++) {
			if (strcmp(f->pairs[k].key, col->name))
				continue;
			v = f->pairs[k].val;
			if (!overlay)
				col->pos = k;
		}
		if (v || !overlay)
			pl->vals[c] = v ? v : "";
	}
}

static int role_of(const char *s)
{
	if (!s)
		return -1;
	return !strcmp(s, "merged") ? 1 : !strcmp(s, "held") ? 2 : 0;
}

static void progress(struct plan *pl, const char *object, int64_t done,
                     int64_t total)
{
	struct ferry_plan_progress p = {object, done, total};

	if (pl->opts->progress)
		pl->opts->progress(&p, pl->opts->payload);
}

/* What plan_records reads of a staged record `s` and its dedup row `d`. */
#define RECORD_COLS                                                            \
	"s.source_id, " FERRY_QUEUE_FIELDS_SQL                                 \
	", d.role, d.survivor_object, d.survivor_id, d.reason, "               \
	"d.merged, " FERRY_QUEUE_SKIP_SQL

/* The ids the record's reference columns name, space-separated, each
 * once: what plan_refs indexes, so a re-plan finds the records a change
 * reaches. */
static int ref_ids(const struct plan *pl, const struct pl_object *po,
                   struct ferry_buf *out)
{
	int cols[64];
	size_t n = 0, i, k;
	int error = 0;

	ferry_buf_clear(out);
	for (i = 0; po->o && i < po->o->n_fields && n < 61; i++)
		if (po->o->fields[i].type == FERRY_MF_REFERENCE &&
		    po->field_col[i] >= 0)
			cols[n++] = po->field_col[i];
	if (po->fixed[PL_C_PARENT] >= 0)
		cols[n++] = po->fixed[PL_C_PARENT];
	if (po->o && po->o->kind == FERRY_MF_LINKS) {
		cols[n++] = po->link_col[0];
		cols[n++] = po->link_col[1];
	}
	for (i = 0; i < n && !error; i++) {
		const char *v = cols[i] >= 0 ? pl->vals[cols[i]] : "";
		bool seen = false;

		if (pl_blank(v) || strchr(v, ' '))
			continue;
		for (k = 0; k < i && !seen; k++)
			seen = cols[k] >= 0 && !strcmp(pl->vals[cols[k]], v);
		if (seen)
			continue;
		if (out->len)
			error = ferry_buf_puts(out, " ");
		if (!error)
			error = ferry_buf_puts(out, v);
	}
	return error;
}

/* A person left the record out with `ferry queue skip`. */
static void person_skip(struct plan *pl, struct pl_rec *rec, const char *note)
{
	char rel[256], msg[640];

	(void)pl;
	snprintf(rel, sizeof(rel),
	         "`ferry queue edit %s %s --clear` brings it back",
	         rec->po->name, rec->source_id);
	snprintf(msg, sizeof(msg), "left out with `ferry queue skip`: %s",
	         pl_quote(note).s);
	pl_skip(rec, "", "queue_skip", rel, msg);
}

static int plan_records(struct plan *pl, struct pl_object *po)
{
	struct pl_rec rec;
	sqlite3_stmt *st = NULL;
	int64_t done = 0;
	int error, rc;

	memset(&rec, 0, sizeof(rec));
	ferry_buf_init(&rec.match_value, 0);
	ferry_buf_init(&rec.refs, 0);
	if (po->n_cols > pl->vals_cap) {
		pl->vals_cap = po->n_cols * 2;
		pl->vals =
		    ferry_xrealloc(pl->vals, pl->vals_cap * sizeof(*pl->vals));
	}
	/* The record as the plan reads it: the conflict queue's overrides
	 * on top of the staging (queue.h). A re-plan of a few records reads
	 * only those (temp.plan_only, plan_partial.c). */
	if ((error = ferry_store__prepare(
	         &st, pl->ws,
	         pl->partial
	             ? "SELECT " RECORD_COLS
	               " FROM temp.plan_only q JOIN main.staged_records "
	               "s ON s.object = q.object AND s.source_id = "
	               "q.source_id LEFT JOIN main.dedup d ON d.object = "
	               "s.object AND d.source_id = s.source_id WHERE "
	               "q.object = ?1 ORDER BY s.line"
	             : "SELECT " RECORD_COLS
	               " FROM main.staged_records s LEFT JOIN main.dedup "
	               "d ON d.object = s.object AND d.source_id = "
	               "s.source_id WHERE s.object = ?1 ORDER BY "
	               "s.line")) < 0)
		goto done;
	ferry_store__bind_text(st, 1, po->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *merged = (const char *)sqlite3_column_text(st, 6);
		const char *skip = (const char *)sqlite3_column_text(st, 7);

		if (pl->opts->stop && *pl->opts->stop) {
			error =
			    ferry_error_set(FERRY_EHALTED,
			                    "the plan was stopped while "
			                    "planning %s: its previous plan "
			                    "stays",
			                    po->name);
			goto done;
		}
		if (an_flat_parse(&pl->flat,
		                  (const char *)sqlite3_column_text(st, 1),
		                  (size_t)sqlite3_column_bytes(st, 1)) < 0) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "staged record %s %s is not a JSON object: stage "
			    "the object again ('ferry extract')",
			    po->name, id);
			goto done;
		}
		read_cols(pl, po, &pl->flat, false);
		/* A re-plan of a few records decides only those and the
		 * ones that refer to them. */
		if (pl->partial && !pl_partial_take(pl, po, id))
			continue;
		pl_rec_reset(&rec);
		if ((error = ref_ids(pl, po, &rec.refs)) < 0)
			goto done;
		rec.po = po;
		rec.source_id = id;
		rec.vals = pl->vals;
		rec.role = role_of((const char *)sqlite3_column_text(st, 2));
		rec.dedup_reason = (const char *)sqlite3_column_text(st, 5);
		if (rec.role == 1) {
			ferry_store__column_copy(rec.survivor_object,
			                         sizeof(rec.survivor_object),
			                         st, 3);
			ferry_store__column_copy(
			    rec.survivor_id, sizeof(rec.survivor_id), st, 4);
		}
		/* A survivor is written as field-level survivorship made
		 * it: the merged record's values first. */
		if (rec.role == 0 && merged &&
		    an_flat_parse(&pl->mflat, merged,
		                  (size_t)sqlite3_column_bytes(st, 6)) == 0) {
			read_cols(pl, po, &pl->mflat, true);
			rec.mflat = &pl->mflat;
		}
		if (skip)
			person_skip(pl, &rec, skip);
		error = po->case_of ? pl_decide_comment(pl, &rec)
		                    : pl_decide(pl, &rec);
		if (skip)
			rec.decision = FERRY_PLAN_SKIPPED;
		if (error < 0 || (error = pl_store_put(pl, &rec)) < 0) {
			ferry_error_wrap(error, "planning %s %s", po->name, id);
			goto done;
		}
		po->stats->by_decision[rec.decision]++;
		if (++done % PL_PROGRESS_EVERY == 0)
			progress(pl, po->name, done, po->stats->staged);
	}
	if (rc != SQLITE_DONE)
		error =
		    ferry_store__error(pl->ws, "cannot read staged records");
	progress(pl, po->name, done, po->stats->staged);
done:
	sqlite3_finalize(st);
	ferry_buf_release(&rec.refs);
	pl_rec_release(&rec);
	return error;
}

/* One object, in its own transaction. */
static int plan_object(struct plan *pl, struct ferry_plan_object *stats,
                       const struct ferry_mapfile_object *o,
                       const struct ferry_mapfile_object *case_of)
{
	struct pl_object po;
	char msg[256], rel[256];
	int error;

	memset(&po, 0, sizeof(po));
	po.name = stats->object;
	po.stats = stats;
	po.case_of = case_of;
	if (pl->partial && !pl_partial_wanted(pl, po.name))
		return 0;
	if ((error = pl_object_init(pl, &po, o)) < 0 ||
	    (pl->partial && (error = pl_partial_begin(pl, &po)) < 0))
		goto done;
	if (o && o->kind == FERRY_MF_RECORDS)
		snprintf(stats->dest_object, sizeof(stats->dest_object), "%s",
		         o->to);
	else if (o && o->kind != FERRY_MF_NOWHERE)
		snprintf(stats->dest_object, sizeof(stats->dest_object), "%s",
		         o->kind == FERRY_MF_LIST_ENTRIES ? o->list
		         : o->kind == FERRY_MF_LINKS      ? "links"
		                                          : o->to);
	else if (case_of)
		snprintf(stats->dest_object, sizeof(stats->dest_object),
		         "notes");
	if ((error = pl_store_begin(pl, po.name)) < 0)
		goto done;
	if (!o && !case_of) {
		snprintf(msg, sizeof(msg), "%s: not in mapping.yaml", po.name);
		snprintf(rel, sizeof(rel),
		         "add %s under objects in mapping.yaml to migrate it",
		         po.name);
		error = pl_store_skip_all(pl, &po, "not_in_mapping", rel, msg);
	} else if (!case_of && o->kind == FERRY_MF_NOWHERE) {
		snprintf(msg, sizeof(msg),
		         "%s: no destination in mapping.yaml (to: null)",
		         po.name);
		snprintf(rel, sizeof(rel),
		         "give %s a 'to' in mapping.yaml to migrate it",
		         po.name);
		error = pl_store_skip_all(pl, &po, "no_destination", rel, msg);
	} else {
		error = plan_records(pl, &po);
	}
	if (!error && pl->partial)
		error = pl_partial_prefill(pl, &po);
	if (error < 0) {
		pl_store_rollback(pl);
		goto done;
	}
	if ((error = pl_store_commit(pl, &po)) < 0)
		goto done;
	if (pl->partial)
		error = pl_partial_end(pl, &po);
done:
	pl_object_free(&po);
	return error;
}

/*
 * The run.
 */

struct staged_list {
	struct ferry_plan_stats *stats;
	size_t cap;
};

static int on_staged(const struct ferry_staged_object *so, void *payload)
{
	struct staged_list *l = payload;
	struct ferry_plan_stats *s = l->stats;
	struct ferry_plan_object *o;

	if (s->n_objects == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		s->objects =
		    ferry_xrealloc(s->objects, l->cap * sizeof(*s->objects));
	}
	o = &s->objects[s->n_objects++];
	memset(o, 0, sizeof(*o));
	snprintf(o->object, sizeof(o->object), "%s", so->object);
	o->staged = so->count;
	return 0;
}

static void members_load(struct plan *pl)
{
	const json_t *m;
	size_t i;

	pl->members = json_object();
	json_array_foreach(json_object_get(pl->opts->schema, "members"), i, m)
	{
		const char *e =
		    json_string_value(json_object_get(m, "email_address"));
		const char *level =
		    json_string_value(json_object_get(m, "access_level"));
		char *lower;

		if (!e || (level && !strcmp(level, "suspended")))
			continue;
		lower = ferry_xstrdup(e);
		ferry_str_lower(ferry_str_trim(lower));
		json_object_set_new(pl->members, lower, json_true());
		free(lower);
	}
}

/* The Case object whose comments `name` holds, when `name` itself is not
 * migrated on its own. */
static const struct ferry_mapfile_object *
comments_of(const struct ferry_mapfile *m, const char *name)
{
	const struct ferry_mapfile_object *self = ferry_mapfile_object(m, name);
	size_t i;

	if (self && self->kind != FERRY_MF_NOWHERE)
		return NULL;
	for (i = 0; i < m->n_objects; i++)
		if (m->objects[i].comments &&
		    !strcmp(m->objects[i].comments, name) &&
		    m->objects[i].kind != FERRY_MF_NOWHERE)
			return &m->objects[i];
	return NULL;
}

static struct ferry_plan_object *find(struct ferry_plan_stats *s,
                                      const char *name)
{
	size_t i;

	for (i = 0; i < s->n_objects; i++)
		if (!strcmp(s->objects[i].object, name))
			return &s->objects[i];
	return NULL;
}

static int plan_all(struct plan *pl)
{
	const struct ferry_mapfile *m = pl->m;
	struct ferry_plan_stats *s = pl->stats;
	struct ferry_plan_object *so;
	size_t i;
	int error;

	/* Not migrated: first, so references to them find their fate. */
	for (i = 0; i < s->n_objects; i++) {
		const struct ferry_mapfile_object *o =
		    ferry_mapfile_object(m, s->objects[i].object);

		if ((o && o->kind != FERRY_MF_NOWHERE) ||
		    comments_of(m, s->objects[i].object))
			continue;
		if ((error = plan_object(pl, &s->objects[i], o, NULL)) < 0)
			return error;
	}
	for (i = 0; i < m->n_order; i++)
		if ((so = find(s, m->order[i]->name)) &&
		    (error = plan_object(pl, so, m->order[i], NULL)) < 0)
			return error;
	for (i = 0; i < s->n_objects; i++) {
		const struct ferry_mapfile_object *c =
		    comments_of(m, s->objects[i].object);

		if (c && (error = plan_object(pl, &s->objects[i], NULL, c)) < 0)
			return error;
	}
	return 0;
}

/* Objects in the order they were planned. */
static void order_stats(struct plan *pl)
{
	struct ferry_plan_stats *s = pl->stats;
	struct ferry_plan_object *sorted =
	    ferry_xcalloc(s->n_objects ? s->n_objects : 1, sizeof(*sorted));
	bool *taken = ferry_xcalloc(s->n_objects ? s->n_objects : 1, 1);
	size_t n = 0, i, k;

	for (i = 0; i < pl->m->n_order; i++)
		for (k = 0; k < s->n_objects; k++)
			if (!taken[k] && !strcmp(s->objects[k].object,
			                         pl->m->order[i]->name)) {
				sorted[n++] = s->objects[k];
				taken[k] = true;
			}
	for (k = 0; k < s->n_objects; k++)
		if (!taken[k])
			sorted[n++] = s->objects[k];
	free(s->objects);
	free(taken);
	s->objects = sorted;
}

/* A whole plan (refs NULL), or the re-plan of `refs` and what they touch. */
static int plan_go(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                   const struct ferry_plan_opts *opts,
                   const struct ferry_plan_ref *refs, size_t n_refs,
                   struct ferry_plan_stats *stats_out)
{
	static const struct ferry_plan_opts none = {0};
	struct ferry_plan_stats stats;
	struct staged_list list;
	struct plan pl;
	sqlite3_stmt *st = NULL;
	char fp[65];
	size_t i;
	int error, d;

	memset(&pl, 0, sizeof(pl));
	memset(&stats, 0, sizeof(stats));
	list.stats = &stats;
	list.cap = 0;
	pl.ws = ws;
	pl.m = m;
	pl.opts = opts ? opts : &none;
	pl.stats = &stats;
	pl.online = pl.opts->schema != NULL;
	pl.owners = json_object();
	pl.partial = refs != NULL;
	stats.online = pl.online;
	stats.partial = pl.partial;
	ferry_clock_iso8601(ferry_clock_wall_us(), pl.planned_at,
	                    sizeof(pl.planned_at));
	snprintf(pl.now, sizeof(pl.now), "%s", pl.planned_at);
	members_load(&pl);
	if ((error = ferry_stage_foreach_object(ws, on_staged, &list)) < 0 ||
	    (error = pl_store_prepare(&pl)) < 0)
		goto done;
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "SELECT 1 FROM main.staged_objects WHERE object = 'User' AND "
	         "status = 'complete'")) < 0)
		goto done;
	pl.users_staged = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (pl.partial) {
		if ((error = pl_partial_start(&pl, refs, n_refs)) < 0 ||
		    (error = plan_all(&pl)) < 0)
			goto done;
	} else if ((error = pl_dedup(&pl)) < 0 || (error = plan_all(&pl)) < 0 ||
	           (error = pl_store_prune(&pl)) < 0 ||
	           (error = ferry_plan_fingerprint(ws, m->path, fp)) < 0 ||
	           (error = ferry_workspace_meta_set(
	                ws, FERRY_PLAN_FINGERPRINT_KEY, fp)) < 0) {
		/* The fingerprint says what this whole plan was made from:
		 * `ferry run` plans again when it no longer matches. */
		goto done;
	}
	for (i = 0; i < stats.n_objects; i++) {
		stats.staged += stats.objects[i].staged;
		stats.changed += stats.objects[i].changed;
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			stats.by_decision[d] += stats.objects[i].by_decision[d];
	}
	if (pl.partial) {
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			stats.replanned += stats.by_decision[d];
		stats.asked = (int64_t)n_refs;
	}
	order_stats(&pl);
	if (stats_out) {
		*stats_out = stats;
		memset(&stats, 0, sizeof(stats));
	}
done:
	pl_partial_free(&pl);
	pl_store_finalize(&pl);
	ferry_plan_stats_release(&stats);
	an_flat_free(&pl.flat);
	an_flat_free(&pl.mflat);
	an_flat_free(&pl.uflat);
	ferry_buf_release(&pl.payload);
	free(pl.vals);
	json_decref(pl.members);
	json_decref(pl.owners);
	return error;
}

int ferry_plan_run(struct ferry_workspace *ws, const struct ferry_mapfile *m,
                   const struct ferry_plan_opts *opts,
                   struct ferry_plan_stats *stats)
{
	return plan_go(ws, m, opts, NULL, 0, stats);
}

int ferry_plan_records(struct ferry_workspace *ws,
                       const struct ferry_mapfile *m,
                       const struct ferry_plan_opts *opts,
                       const struct ferry_plan_ref *refs, size_t n,
                       struct ferry_plan_stats *stats)
{
	static const struct ferry_plan_ref none;

	return plan_go(ws, m, opts, refs ? refs : &none, refs ? n : 0, stats);
}
