/* cmd_plan.c: `ferry plan`: the dry run. Every staged record gets its
 * decision (write, merged, held, skipped) from mapping.yaml, dedup and
 * the destination's schema; nothing is written to the destination. Per
 * object: the counts, the most common reasons, and a check that every
 * staged record has exactly one decision. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/plan.h"
#include "ferry/plan_report.h"

/* The decisions whose reasons are shown, in the order they are shown:
 * held first (the conflict queue), then skipped, merged, and the notes
 * of records to write. */
static const enum ferry_plan_decision shown[] = {
    FERRY_PLAN_HELD, FERRY_PLAN_SKIPPED, FERRY_PLAN_MERGED, FERRY_PLAN_WRITE};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

struct view {
	bool tty;
	bool drawn;
	int64_t last_draw_us;
};

/* One line on a terminal, redrawn at most 5 times a second. */
static void on_progress(const struct ferry_plan_progress *p, void *payload)
{
	struct view *v = payload;
	int64_t now = ferry_clock_mono_us();

	if (!v->tty || now - v->last_draw_us < 200000)
		return;
	v->last_draw_us = now;
	v->drawn = true;
	fprintf(stderr, "\r  planning %-22s %9" PRId64 "/%-9" PRId64 " ",
	        p->object, p->done, p->total);
}

/* The promise of the plan, checked on what was stored. */
static int check_identity(struct ferry_plan_count *c, size_t n)
{
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		int64_t sum = 0;

		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			sum += c[i].by_decision[d];
		if (sum != c[i].staged)
			return ferry_error_set(
			    FERRY_ERROR,
			    "%s: %" PRId64 " records staged but %" PRId64
			    " decisions (write %" PRId64 ", merged %" PRId64
			    ", held %" PRId64 ", skipped %" PRId64
			    "): a record without a decision, or one with two. "
			    "This is a bug in ferry: please report it with "
			    "'ferry plan --json'",
			    c[i].object, c[i].staged, sum,
			    c[i].by_decision[FERRY_PLAN_WRITE],
			    c[i].by_decision[FERRY_PLAN_MERGED],
			    c[i].by_decision[FERRY_PLAN_HELD],
			    c[i].by_decision[FERRY_PLAN_SKIPPED]);
	}
	return 0;
}

struct reasons {
	json_t *array; /* --json */
	bool header_done;
	const char *header;
};

static int on_reason(const char *field, const char *code, const char *message,
                     const char *release, int64_t count, void *payload)
{
	struct reasons *r = payload;

	if (r->array) {
		json_array_append_new(
		    r->array,
		    json_pack("{s:s, s:s, s:s, s:s, s:I}", "field", field,
		              "code", code, "example", message, "release",
		              release, "count", (json_int_t)count));
		return 0;
	}
	if (!r->header_done)
		printf("%s", r->header);
	r->header_done = true;
	printf("    %7" PRId64 "  %s%s%s: %s\n", count, field,
	       *field ? " " : "", code, message);
	if (*release)
		printf("             -> %s\n", release);
	return 0;
}

static const char *const titles[] = {
    [FERRY_PLAN_WRITE] = "Written, with a note",
    [FERRY_PLAN_MERGED] = "Merged",
    [FERRY_PLAN_HELD] = "Held, and what releases them",
    [FERRY_PLAN_SKIPPED] = "Skipped, and why",
};

static int print_text(struct ferry_cli *cli, const struct ferry_plan_stats *s,
                      struct ferry_plan_count *c, size_t n)
{
	int64_t tot[FERRY_PLAN_DECISIONS] = {0}, staged = 0, matched = 0;
	size_t i, k, j;
	int error, d;

	printf("%-22s %-14s %8s %8s %7s %7s %8s\n", "object", "to", "staged",
	       "write", "merged", "held", "skipped");
	for (i = 0; i < s->n_objects; i++) {
		const struct ferry_plan_object *o = &s->objects[i];

		printf("%-22s %-14s %8" PRId64 " %8" PRId64 " %7" PRId64
		       " %7" PRId64 " %8" PRId64 "\n",
		       o->object, *o->dest_object ? o->dest_object : "-",
		       o->staged, o->by_decision[FERRY_PLAN_WRITE],
		       o->by_decision[FERRY_PLAN_MERGED],
		       o->by_decision[FERRY_PLAN_HELD],
		       o->by_decision[FERRY_PLAN_SKIPPED]);
	}
	for (i = 0; i < n; i++) {
		staged += c[i].staged;
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			tot[d] += c[i].by_decision[d];
	}
	printf("\nEvery staged record has a decision: staged = write + merged "
	       "+ held + skipped\n  (%" PRId64 " = %" PRId64 " + %" PRId64
	       " + %" PRId64 " + %" PRId64 ", checked per object).\n",
	       staged, tot[FERRY_PLAN_WRITE], tot[FERRY_PLAN_MERGED],
	       tot[FERRY_PLAN_HELD], tot[FERRY_PLAN_SKIPPED]);
	for (k = 0; k < FERRY_ARRAY_LEN(shown); k++) {
		bool any = false;

		for (i = 0; i < s->n_objects; i++) {
			const struct ferry_plan_object *o = &s->objects[i];
			char header[160];
			struct reasons r = {NULL, false, header};

			if (!o->by_decision[shown[k]])
				continue;
			if (!any)
				printf("\n%s:\n", titles[shown[k]]);
			any = true;
			if (shown[k] == FERRY_PLAN_WRITE)
				snprintf(header, sizeof(header), "  %s:\n",
				         o->object);
			else
				snprintf(header, sizeof(header),
				         "  %s: %" PRId64 " %s\n", o->object,
				         o->by_decision[shown[k]],
				         ferry_plan_decision_name(shown[k]));
			if ((error = ferry_plan_top_reasons(cli->ws, o->object,
			                                    shown[k], 5,
			                                    on_reason, &r)) < 0)
				return error;
		}
	}
	for (i = 0; i < s->n_objects; i++) {
		const struct ferry_plan_object *o = &s->objects[i];

		if (!o->n_to_create)
			continue;
		printf("\n%s: %zu attribute%s Attio does not have yet (schema "
		       "setup creates them):",
		       o->dest_object, o->n_to_create,
		       o->n_to_create == 1 ? "" : "s");
		for (j = 0; j < o->n_to_create; j++)
			printf("%s %s", j ? "," : "", o->to_create[j]);
		printf("\n");
	}
	for (i = 0; i < s->n_objects; i++)
		matched += s->objects[i].matched;
	if (matched) {
		printf("\nAlready in Attio (matched on their dedup keys: each "
		       "is updated, not created):\n");
		for (i = 0; i < s->n_objects; i++)
			if (s->objects[i].matched)
				printf("  %-22s %-14s %8" PRId64 "\n",
				       s->objects[i].object,
				       s->objects[i].dest_object,
				       s->objects[i].matched);
	} else if (s->online) {
		printf("\nNo record is already in Attio (no dedup key matches "
		       "a record there).\n");
	}
	if (!s->online)
		printf(
		    "\nPlanned offline: owners were taken on the Salesforce "
		    "users' emails without checking Attio's members (%" PRId64
		    " records), select options and required attributes "
		    "were not checked.\n",
		    s->owners_unchecked);
	printf("\nDecisions new or changed since the last plan: %" PRId64
	       " (each one an audit event: 'ferry audit').\n",
	       s->changed);
	if (tot[FERRY_PLAN_HELD])
		printf("%" PRId64 " record%s held: each reason above says what "
		       "releases it. Fix them in Salesforce (then extract) or "
		       "in mapping.yaml, and run 'ferry plan' again.\n",
		       tot[FERRY_PLAN_HELD],
		       tot[FERRY_PLAN_HELD] == 1 ? " is" : "s are");
	return 0;
}

static int print_json(struct ferry_cli *cli, const struct ferry_plan_stats *s)
{
	json_t *objects = json_array(), *doc;
	int64_t matched = 0;
	size_t i, k, j;
	int error = 0;

	for (i = 0; i < s->n_objects && !error; i++) {
		const struct ferry_plan_object *o = &s->objects[i];
		json_t *why = json_object(), *create = json_array();
		json_t *x = json_pack(
		    "{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "object",
		    o->object, "dest_object",
		    *o->dest_object ? o->dest_object : NULL, "staged",
		    (json_int_t)o->staged, "write",
		    (json_int_t)o->by_decision[FERRY_PLAN_WRITE], "merged",
		    (json_int_t)o->by_decision[FERRY_PLAN_MERGED], "held",
		    (json_int_t)o->by_decision[FERRY_PLAN_HELD], "skipped",
		    (json_int_t)o->by_decision[FERRY_PLAN_SKIPPED], "changed",
		    (json_int_t)o->changed);

		for (k = 0; k < FERRY_ARRAY_LEN(shown) && !error; k++) {
			struct reasons r = {json_array(), false, ""};

			error = ferry_plan_top_reasons(
			    cli->ws, o->object, shown[k], 10, on_reason, &r);
			json_object_set_new(
			    why,
			    shown[k] == FERRY_PLAN_WRITE
			        ? "notes"
			        : ferry_plan_decision_name(shown[k]),
			    r.array);
		}
		for (j = 0; j < o->n_to_create; j++)
			json_array_append_new(create,
			                      json_string(o->to_create[j]));
		json_object_set_new(x, "reasons", why);
		json_object_set_new(x, "to_create", create);
		json_object_set_new(x, "matched", json_integer(o->matched));
		matched += o->matched;
		json_array_append_new(objects, x);
	}
	doc =
	    json_pack("{s:b, s:b, s:I, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:o}",
	              "online", s->online, "every_record_decided", 1, "staged",
	              (json_int_t)s->staged, "decisions", "write",
	              (json_int_t)s->by_decision[FERRY_PLAN_WRITE], "merged",
	              (json_int_t)s->by_decision[FERRY_PLAN_MERGED], "held",
	              (json_int_t)s->by_decision[FERRY_PLAN_HELD], "skipped",
	              (json_int_t)s->by_decision[FERRY_PLAN_SKIPPED], "changed",
	              (json_int_t)s->changed, "owners_unchecked",
	              (json_int_t)s->owners_unchecked, "objects", objects);
	json_object_set_new(doc, "matched", json_integer(matched));
	if (!error) {
		ferry_cli_print_json(doc);
	}
	json_decref(doc);
	return error;
}

static const struct ferry_opt plan_opts[] = {
    {"--json", NULL, "print the plan as JSON"},
    {"--offline", NULL,
     "do not read the destination (owners, options and required "
     "attributes are left unchecked)"},
    {NULL, NULL, NULL},
};

static int plan_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct ferry_plan_stats stats;
	struct ferry_plan_count *counts = NULL;
	struct ferry_plan_opts o;
	struct ferry_mapfile *m = NULL;
	struct ferry_attio *dest = NULL;
	json_t *schema = NULL;
	struct view view = {false, false, 0};
	size_t n = 0;
	int error;

	memset(&stats, 0, sizeof(stats));
	memset(&o, 0, sizeof(o));
	view.tty = !json && isatty(2);
	o.progress = on_progress;
	o.payload = &view;
	o.stop = &stop_requested;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((error = ferry_cli_load_mapping(&m, cli)) < 0)
		goto done;
	if (!ferry_cli_flag(cli, "--offline"))
		schema = ferry_cli_read_destination(cli, m, json, &dest);
	o.schema = schema;
	o.dest = dest;
	error = ferry_plan_run(cli->ws, m, &o, &stats);
	if (view.drawn)
		fprintf(stderr, "\r%60s\r", "");
	if (error < 0 ||
	    (error = ferry_plan_counts(&counts, &n, cli->ws)) < 0 ||
	    (error = check_identity(counts, n)) < 0 ||
	    (error = ferry_report_plan_write(cli->ws, &stats)) < 0)
		goto done;
	error =
	    json ? print_json(cli, &stats) : print_text(cli, &stats, counts, n);
	if (!error && !json)
		printf("\nReport: %s\n", FERRY_REPORT_PLAN_HTML);
done:
	free(counts);
	ferry_plan_stats_release(&stats);
	ferry_mapfile_free(m);
	json_decref(schema);
	ferry_attio_free(dest);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_plan = {
    .name = "plan",
    .usage = "plan [--json] [--offline]",
    .summary = "Decide every staged record: write, merged, held or skipped",
    .help = "The dry run: reads mapping.yaml and gives every staged record\n"
            "exactly one decision, writing nothing to the destination:\n"
            "write (the values a load will send), merged (into the record\n"
            "that survives its duplicates), held (a person must act; the\n"
            "reason says what releases it) or skipped (a rule leaves it\n"
            "out). Per object it prints the counts and the most common\n"
            "reasons, and checks that staged = write + merged + held +\n"
            "skipped. Owners, select options and required attributes are\n"
            "checked against the Attio workspace when its token is set,\n"
            "and records already there are matched on the dedup keys\n"
            "(updated, not created); --offline skips both. Held records\n"
            "are not an error: they\n"
            "are the conflict queue. Decisions that changed since the last\n"
            "plan are audit events ('ferry audit'). The plan is drawn for\n"
            "people in reports/plan.html.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = plan_opts,
    .run = plan_run,
};
