/* verify.c: one verify run: the counts (always), then online the reading
 * of Attio and the checks of every written record, each problem counted
 * and listed up to a cap, and the report that says whether it is clean.
 * The temporary tables live on the workspace's connection for the run
 * only. */
#include "util.h"

#include "store/store.h"
#include "verify_int.h"

static const char *const problem_keys[] = {
    [VF_DISAGREE] = "disagreements",
    [VF_MISSING] = "missing",
    [VF_REFERENCE] = "references",
    [VF_VALUE] = "values",
};
_Static_assert(FERRY_ARRAY_LEN(problem_keys) == VF_PROBLEMS,
               "a report key for every kind of problem");

void vf_count(struct vf_run *run, const char *object, const char *key,
              int64_t n)
{
	json_t *o = json_object_get(run->by_object, object);

	if (!o || !n)
		return;
	json_object_set_new(
	    o, key,
	    json_integer(json_integer_value(json_object_get(o, key)) + n));
}

void vf_problem(struct vf_run *run, enum vf_problem kind, const char *object,
                const char *counter, json_t *item)
{
	run->totals[kind]++;
	if (counter)
		vf_count(run, object, counter, 1);
	if (json_array_size(run->items[kind]) < run->list_max)
		json_array_append_new(run->items[kind], item);
	else
		json_decref(item);
}

void vf_progress(struct vf_run *run, const char *phase, const char *what,
                 int64_t done, int64_t total, bool force)
{
	struct ferry_verify_progress p;
	int64_t now = ferry_clock_mono_us();

	if (!run->o->progress ||
	    (!force && now - run->last_progress_us < 100000))
		return;
	run->last_progress_us = now;
	p.phase = phase;
	p.what = what ? what : "";
	p.done = done;
	p.total = total;
	run->o->progress(&p, run->o->payload);
}

/* What was read of Attio, and the sample, for this run only: TEMP
 * tables are the connection's own and never reach state.db. */
static int temp_tables(struct vf_run *run)
{
	return ferry_store__exec(
	    run->ws,
	    "DROP TABLE IF EXISTS temp.vf_seen;\n"
	    "DROP TABLE IF EXISTS temp.vf_sample;\n"
	    "CREATE TEMP TABLE vf_seen (\n"
	    "  kind TEXT NOT NULL,\n"
	    "  id TEXT NOT NULL,\n"
	    "  parent TEXT,\n"
	    "  label TEXT,\n"
	    "  refs TEXT,\n"
	    "  vals TEXT,\n"
	    "  PRIMARY KEY (kind, id)\n"
	    ") WITHOUT ROWID;\n"
	    "CREATE INDEX temp.vf_seen_parent ON vf_seen(kind, parent);\n"
	    "CREATE TEMP TABLE vf_sample (id TEXT PRIMARY KEY NOT NULL)\n"
	    "  WITHOUT ROWID;\n");
}

static void release(struct vf_run *run)
{
	size_t k;

	sqlite3_finalize(run->seen_put);
	sqlite3_finalize(run->seen_get);
	sqlite3_finalize(run->seen_child);
	sqlite3_finalize(run->sampled);
	if (run->ws && run->o->http)
		(void)ferry_store__exec(
		    run->ws, "DROP TABLE IF EXISTS temp.vf_seen;\n"
		             "DROP TABLE IF EXISTS temp.vf_sample;\n");
	ferry_multi_free(run->multi);
	for (k = 0; k < VF_PROBLEMS; k++)
		json_decref(run->items[k]);
	json_decref(run->by_object);
	json_decref(run->lists);
	json_decref(run->members);
	json_decref(run->report);
}

/* The list slugs of the mapping: entries of list_entries objects and the
 * lists record types add records to. */
static void mapping_lists(struct vf_run *run)
{
	const struct ferry_mapfile *m = run->o->m;
	size_t i, k;

	run->lists = json_object();
	for (i = 0; m && i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind == FERRY_MF_LIST_ENTRIES && o->list)
			json_object_set_new(run->lists, o->list, json_true());
		for (k = 0; k < o->n_record_types; k++)
			if (o->record_types[k].list)
				json_object_set_new(run->lists,
				                    o->record_types[k].list,
				                    json_true());
	}
}

static bool object_balanced(const json_t *o)
{
	return json_is_true(json_object_get(o, "balanced")) &&
	       !json_integer_value(json_object_get(o, "missing")) &&
	       !json_integer_value(json_object_get(o, "wrong_references")) &&
	       !json_integer_value(json_object_get(o, "mismatched"));
}

bool ferry_verify_clean(const json_t *report)
{
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(report, "objects"), i, o)
	{
		if (!object_balanced(o))
			return false;
	}
	for (i = 0; i < VF_PROBLEMS; i++)
		if (json_integer_value(json_object_get(
		        json_object_get(report, problem_keys[i]), "total")))
			return false;
	return true;
}

/* The report's sections besides the objects. */
static void finish(struct vf_run *run)
{
	json_t *r = run->report, *o;
	bool balanced = true;
	size_t i;
	int k;

	json_array_foreach(run->objects, i, o)
	{
		if (!json_is_true(json_object_get(o, "balanced")))
			balanced = false;
	}
	for (k = 0; k < VF_PROBLEMS; k++) {
		json_t *sec =
		    json_pack("{s:I, s:O}", "total", (json_int_t)run->totals[k],
		              "items", run->items[k]);

		if (k == VF_REFERENCE)
			json_object_set_new(sec, "checked",
			                    json_integer(run->refs_checked));
		if (k == VF_VALUE) {
			json_object_set_new(sec, "records",
			                    json_integer(run->records_sampled));
			json_object_set_new(sec, "compared",
			                    json_integer(run->values_compared));
		}
		json_object_set_new(r, problem_keys[k], sec);
	}
	json_object_set_new(r, "balanced", json_boolean(balanced));
	if (run->o->http)
		json_object_set_new(
		    r, "reads",
		    json_pack("{s:I, s:I, s:f, s:f}", "requests",
		              (json_int_t)(run->multi
		                               ? ferry_multi_stats(run->multi)
		                                     ->requests
		                               : 0),
		              "records", (json_int_t)run->read_records,
		              "seconds", run->read_seconds, "read_rate",
		              run->o->http->read_rate));
	json_object_set_new(r, "clean", json_boolean(ferry_verify_clean(r)));
}

int ferry_verify_run(json_t **out, struct ferry_workspace *ws,
                     const struct ferry_verify_opts *opts)
{
	struct vf_run run;
	int error;
	int k;

	memset(&run, 0, sizeof(run));
	run.ws = ws;
	run.o = opts;
	run.list_max =
	    opts->list_max ? opts->list_max : FERRY_VERIFY_LIST_DEFAULT;
	run.sample = opts->sample == 0  ? FERRY_VERIFY_SAMPLE_DEFAULT
	             : opts->sample < 0 ? -1
	                                : opts->sample;
	for (k = 0; k < VF_PROBLEMS; k++)
		run.items[k] = json_array();
	run.by_object = json_object();
	run.members = json_object();
	run.objects = json_array();
	run.report = json_pack("{s:b, s:O}", "online", opts->http != NULL,
	                       "objects", run.objects);
	json_decref(run.objects); /* the report holds it */
	if (run.sample < 0)
		json_object_set_new(run.report, "sample", json_string("all"));
	else
		json_object_set_new(run.report, "sample",
		                    json_integer(run.sample));
	mapping_lists(&run);
	if (opts->http && !opts->m) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "verify needs mapping.yaml to read the "
		                        "destination");
		goto done;
	}
	vf_progress(&run, "counting", "", 0, 0, true);
	if ((error = vf_counts(&run)) < 0)
		goto done;
	if (opts->http) {
		if ((error = temp_tables(&run)) < 0 ||
		    (error = vf_read(&run)) < 0 || (error = vf_check(&run)) < 0)
			goto done;
	}
	finish(&run);
	*out = json_incref(run.report);
done:
	release(&run);
	return error;
}
