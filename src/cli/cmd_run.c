/* cmd_run.c: `ferry run`: executes the plan against the destination (the
 * loader of load.h), planning again first when mapping.yaml or the staging
 * changed since the plan, with progress per object on a terminal and a
 * summary per object at the end. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/load.h"
#include "ferry/plan.h"
#include "ferry/plan_report.h"
#include "ferry/schema_setup.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

struct run_view {
	bool tty;
	int64_t last_draw_us;
	char object[64]; /* the object the line is about */
};

/* One line per object, redrawn at most 5 times a second. */
static void on_progress(const struct ferry_load_progress *p, void *payload)
{
	struct run_view *v = payload;
	int64_t now = ferry_clock_mono_us();
	double secs, rate, eta;
	bool other = strcmp(v->object, p->object) != 0;

	if (!v->tty ||
	    (!other && now - v->last_draw_us < 200000 && p->done < p->total))
		return;
	if (other && v->object[0])
		fprintf(stderr, "\n");
	snprintf(v->object, sizeof(v->object), "%s", p->object);
	v->last_draw_us = now;
	secs = (double)(now - p->started_us) / 1e6;
	rate = secs > 0 ? (double)p->done / secs : 0;
	eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr,
	        "\r  %-16s -> %-12s %8" PRId64 "/%-8" PRId64
	        " %7.1f rec/s  ETA %5.0fs ",
	        p->object, p->dest_object[0] ? p->dest_object : "-", p->done,
	        p->total, rate, eta);
}

static void on_plan_progress(const struct ferry_plan_progress *p, void *payload)
{
	struct run_view *v = payload;
	int64_t now = ferry_clock_mono_us();

	if (!v->tty || now - v->last_draw_us < 200000)
		return;
	v->last_draw_us = now;
	fprintf(stderr, "\r  planning %-22s %9" PRId64 "/%-9" PRId64 " ",
	        p->object, p->done, p->total);
}

static void print_summary(const struct ferry_load_report *r)
{
	const struct ferry_http_stats *hs = &r->http;
	int64_t failed = 0, deferred = 0, dropped = 0;
	size_t i;

	printf("\n%-16s %-12s %8s %8s %9s %7s %7s %7s %8s\n", "object",
	       "destination", "to write", "written", "unchanged", "failed",
	       "merged", "held", "skipped");
	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_load_object *o = &r->objects[i];

		printf("%-16s %-12s %8" PRId64 " %8" PRId64 " %9" PRId64
		       " %7" PRId64 " %7" PRId64 " %7" PRId64 " %8" PRId64 "\n",
		       o->object, o->dest_object[0] ? o->dest_object : "-",
		       o->to_write, o->written, o->unchanged, o->failed,
		       o->merged, o->held, o->skipped);
		failed += o->failed;
		deferred += o->deferred;
		dropped += o->dropped;
	}
	for (i = 0; i < r->n_objects; i++)
		if (r->objects[i].not_loaded)
			printf(
			    "\n%s: %" PRId64 " %s not loaded: this version "
			    "of ferry writes none (skipped in the ledger).\n",
			    r->objects[i].object, r->objects[i].not_loaded,
			    r->objects[i].dest_object);
	if (deferred)
		printf("\nSecond pass: %" PRId64 " record%s updated with "
		       "references to records of their own object.\n",
		       deferred, deferred == 1 ? "" : "s");
	if (dropped)
		printf("%" PRId64 " link%s written without a target that Attio "
		       "does not have ('ferry status' lists them).\n",
		       dropped, dropped == 1 ? " was" : "s were");
	printf("\nAttio: %" PRId64 " requests, %" PRId64 " retried, %" PRId64
	       " rate-limited (429), %" PRId64 " server errors (5xx).\n",
	       hs->requests, hs->retries, hs->rate_limited, hs->server_errors);
	if (failed)
		printf("%" PRId64 " record%s refused by Attio: each is back in "
		       "the conflict queue with Attio's message ('ferry "
		       "queue list'). Fix the cause, then 'ferry queue retry' "
		       "and 'ferry run'.\n",
		       failed, failed == 1 ? " was" : "s were");
	else
		printf("Every record to write is written; held records wait in "
		       "the conflict queue ('ferry queue list').\n");
}

static json_t *summary_json(const struct ferry_load_report *r, bool replanned)
{
	json_t *objects = json_array();
	size_t i;

	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_load_object *o = &r->objects[i];

		json_array_append_new(
		    objects,
		    json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		              "s:I, s:I, s:I, s:I}",
		              "object", o->object, "destination",
		              o->dest_object[0] ? o->dest_object : NULL,
		              "staged", (json_int_t)o->staged, "to_write",
		              (json_int_t)o->to_write, "written",
		              (json_int_t)o->written, "unchanged",
		              (json_int_t)o->unchanged, "failed",
		              (json_int_t)o->failed, "merged",
		              (json_int_t)o->merged, "held",
		              (json_int_t)o->held, "skipped",
		              (json_int_t)o->skipped, "deferred",
		              (json_int_t)o->deferred, "dropped",
		              (json_int_t)o->dropped, "not_loaded",
		              (json_int_t)o->not_loaded));
	}
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:b, s:b}",
	                 "objects", objects, "requests", "sent",
	                 (json_int_t)r->http.requests, "retried",
	                 (json_int_t)r->http.retries, "rate_limited",
	                 (json_int_t)r->http.rate_limited, "server_errors",
	                 (json_int_t)r->http.server_errors, "transport_errors",
	                 (json_int_t)r->http.transport_errors, "halted",
	                 r->halted, "replanned", replanned);
}

/* Whether anything is planned. */
static int planned(struct ferry_cli *cli)
{
	struct ferry_plan_count *c = NULL;
	size_t n = 0, i;
	int64_t decided = 0;
	int error, d;

	if ((error = ferry_plan_counts(&c, &n, cli->ws)) < 0)
		return error;
	for (i = 0; i < n; i++)
		for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
			decided += c[i].by_decision[d];
	free(c);
	if (!decided)
		return ferry_error_set(FERRY_ECONFIG,
		                       "nothing is planned yet: run 'ferry "
		                       "plan' first (it shows every record's "
		                       "decision before anything is written)");
	return 0;
}

/* Schema setup before the first write: what the Attio workspace needs
 * for mapping.yaml (custom objects, attributes, options, statuses,
 * lists), shown and, once a person said yes (or --yes), made. *snap is
 * then read again, so the loader knows the attributes just made. */
static int setup_schema(struct ferry_cli *cli, struct ferry_attio *attio,
                        const struct ferry_mapfile *m, const char *workspace,
                        bool json, bool yes, json_t **snap, json_t **out)
{
	json_t *doc = NULL, *again = NULL;
	size_t n;
	int error;

	if ((error = ferry_schema_setup_plan(&doc, m, *snap)) < 0)
		goto done;
	n = json_array_size(json_object_get(doc, "changes"));
	if (!json && (n || json_array_size(json_object_get(doc, "problems"))))
		ferry_cli_schema_print(doc, workspace, cli->cfg->dest_base_url);
	if ((error = ferry_cli_schema_problems(doc, json, "ferry run")) < 0 ||
	    (error = ferry_cli_schema_ask(
	         doc, workspace, json, yes,
	         "review them with 'ferry schema', then run 'ferry run "
	         "--yes' (or 'ferry schema --apply --yes')")) < 0 ||
	    !n)
		goto done;
	if ((error = ferry_cli_schema_apply(attio, doc, workspace, json)) < 0) {
		ferry_error_wrap(error, "schema setup (no record was written; "
		                        "'ferry run' again finishes it)");
		goto done;
	}
	if ((error = ferry_schema_setup_snapshot(&again, attio, m)) < 0) {
		ferry_error_wrap(error, "reading the Attio workspace again "
		                        "after schema setup");
		goto done;
	}
	json_decref(*snap);
	*snap = again;
	if (!json)
		printf("\n");
done:
	if (error < 0)
		json_decref(doc);
	else
		*out = doc;
	return error;
}

/* Plans again when mapping.yaml or the staging changed since the plan:
 * the load executes what a plan of today's inputs decides. */
static int replan_if_stale(struct ferry_cli *cli, const struct ferry_mapfile *m,
                           const json_t *schema, struct ferry_attio *attio,
                           struct run_view *view, bool json, bool *replanned)
{
	struct ferry_buf stored = FERRY_BUF_INIT;
	struct ferry_plan_stats stats;
	struct ferry_plan_opts o;
	char fp[65];
	int error;

	memset(&stats, 0, sizeof(stats));
	*replanned = false;
	if ((error = ferry_plan_fingerprint(cli->ws, m->path, fp)) < 0)
		goto done;
	/* A plan made before plans kept their fingerprint: planned again. */
	error = ferry_workspace_meta_get(cli->ws, FERRY_PLAN_FINGERPRINT_KEY,
	                                 &stored);
	if (error == FERRY_ENOTFOUND)
		ferry_buf_clear(&stored);
	else if (error < 0)
		goto done;
	error = 0;
	if (!strcmp(stored.ptr, fp))
		goto done;
	if (!json)
		printf("mapping.yaml or the staging changed since the last "
		       "plan: planning again first.\n");
	memset(&o, 0, sizeof(o));
	o.schema = schema;
	o.dest = attio;
	o.progress = on_plan_progress;
	o.payload = view;
	o.stop = &stop_requested;
	if ((error = ferry_plan_run(cli->ws, m, &o, &stats)) < 0 ||
	    (error = ferry_report_plan_write(cli->ws, &stats)) < 0)
		goto done;
	if (view->tty)
		fprintf(stderr, "\r%60s\r", "");
	*replanned = true;
	if (!json)
		printf("Planned: %" PRId64 " to write, %" PRId64
		       " merged, %" PRId64 " held, %" PRId64
		       " skipped (%" PRId64 " decisions changed; 'ferry plan' "
		       "shows them).\n",
		       stats.by_decision[FERRY_PLAN_WRITE],
		       stats.by_decision[FERRY_PLAN_MERGED],
		       stats.by_decision[FERRY_PLAN_HELD],
		       stats.by_decision[FERRY_PLAN_SKIPPED], stats.changed);
done:
	ferry_plan_stats_release(&stats);
	ferry_buf_release(&stored);
	return error;
}

static const struct ferry_opt run_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {"--yes", NULL,
     "make the schema changes Attio needs without asking (for scripts)"},
    {NULL, NULL, NULL},
};

static int run_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json"), replanned = false;
	bool yes = ferry_cli_flag(cli, "--yes");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	struct ferry_mapfile *m = NULL;
	struct ferry_load_report report;
	struct ferry_load_config lc;
	struct ferry_http_opts ho;
	struct run_view view;
	json_t *schema = NULL, *setup = NULL;
	size_t i;
	int error, code = FERRY_EXIT_OK;

	memset(&report, 0, sizeof(report));
	memset(&view, 0, sizeof(view));
	view.tty = !json && isatty(2);
	if ((error = ferry_cli_load_mapping(&m, cli)) < 0 ||
	    (error = planned(cli)) < 0 ||
	    (error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0)
		goto fail;
	if ((error = ferry_schema_setup_snapshot(&schema, attio, m)) < 0) {
		ferry_error_wrap(error, "reading the Attio workspace's "
		                        "attributes");
		goto fail;
	}
	if ((error = setup_schema(cli, attio, m, name.len ? name.ptr : "?",
	                          json, yes, &schema, &setup)) < 0)
		goto fail;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((error = replan_if_stale(cli, m, schema, attio, &view, json,
	                             &replanned)) < 0)
		goto fail;
	if (!json)
		printf("Loading into Attio workspace '%s' at %s\n",
		       name.len ? name.ptr : "?", cli->cfg->dest_base_url);
	memset(&ho, 0, sizeof(ho));
	ho.base_url = cli->cfg->dest_base_url;
	ho.token = token.ptr;
	ho.name = "Attio";
	ho.write_rate = cli->cfg->dest_write_rate;
	ho.read_rate = cli->cfg->dest_read_rate;
	memset(&lc, 0, sizeof(lc));
	lc.http = &ho;
	lc.schema = schema;
	lc.halt_error_rate = cli->cfg->dest_halt_error_rate;
	lc.progress = on_progress;
	lc.payload = &view;
	lc.stop = &stop_requested;
	view.last_draw_us = 0;
	error = ferry_load_plan(cli->ws, m, &lc, &report);
	if (view.tty && view.object[0])
		fprintf(stderr, "\n");
	if (error < 0 && !(error == FERRY_EHALTED && report.halted))
		goto fail;
	if (json) {
		json_t *doc = summary_json(&report, replanned);

		json_object_set(doc, "schema", setup);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		print_summary(&report);
	}
	for (i = 0; i < report.n_objects; i++)
		if (report.objects[i].failed)
			code = FERRY_EXIT_RECORDS;
	if (error == FERRY_EHALTED) {
		/* Attio refused too many: the records are in the queue. */
		fprintf(stderr, "ferry run: %s\n", ferry_error_last());
		code = FERRY_EXIT_RECORDS;
	}
	goto done;
fail:
	code = ferry_cli_fail(cli, error);
done:
	ferry_load_report_release(&report);
	json_decref(setup);
	json_decref(schema);
	ferry_mapfile_free(m);
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return code;
}

const struct ferry_cmd ferry_cmd_run = {
    .name = "run",
    .usage = "run [--json] [--yes]",
    .summary = "Execute the plan: write its records to the destination",
    .help = "Writes what 'ferry plan' decided, object by object in the\n"
            "mapping's load order (parents before the records that point\n"
            "at them), the records of an object concurrently at the\n"
            "destination's write rate: records asserted on their matching\n"
            "attribute (or updated, or created), notes, tasks, list\n"
            "entries and links. mapping.yaml or the staging changed since\n"
            "the plan? It plans again first. A ledger row before and after\n"
            "every write makes it safe to stop at any moment (Ctrl-C, a\n"
            "crash, kill -9) and run again: nothing is written twice, and\n"
            "a record written before with the same request costs no call.\n"
            "A record Attio refuses goes back to the conflict queue with\n"
            "Attio's message ('ferry queue list'); when too many are\n"
            "refused (destination.halt_error_rate) the run halts.\n"
            "The token is read from the environment variable named by\n"
            "destination.token_env (never from the command line).\n"
            "Exit status 6 when Attio refused some records, 4 without a\n"
            "plan or a token, 5 when Attio cannot be reached.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = run_opts,
    .run = run_run,
};
