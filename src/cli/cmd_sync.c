/* cmd_sync.c: `ferry sync`: after a migration, what changed in Salesforce
 * since each object's watermark goes the same way to Attio (sync.h): a
 * line per object (new, changed, unchanged, deleted, left, held), then
 * the loader's summary; --dry-run reads and counts, and changes
 * nothing. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/plan.h"
#include "ferry/salesforce.h"
#include "ferry/schema_setup.h"
#include "ferry/sync.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

static void when(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, cap, "-");
}

static void print_objects(const struct ferry_sync_report *r)
{
	char since[32];
	size_t i;

	printf("%-20s %-12s %-19s %6s %8s %10s %8s %5s %5s %6s\n", "object",
	       "destination", "since", "new", "changed", "unchanged", "deleted",
	       "left", "held", "calls");
	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_sync_object *o = &r->objects[i];

		if (o->skipped[0]) {
			printf("%-20s %-12s not synced: %s\n", o->object,
			       o->dest_object[0] ? o->dest_object : "-",
			       o->skipped);
			continue;
		}
		when(o->since, since, sizeof(since));
		printf("%-20s %-12s %-19s %6" PRId64 " %8" PRId64 " %10" PRId64
		       " %8" PRId64 " %5" PRId64 " %5" PRId64 " %6" PRId64 "\n",
		       o->object, o->dest_object[0] ? o->dest_object : "-",
		       since, o->created, o->changed, o->unchanged, o->deleted,
		       o->left, o->held, o->calls);
	}
}

static void print_load(const struct ferry_load_report *r)
{
	int64_t written = 0, unchanged = 0, failed = 0;
	size_t i;

	printf("\nLoad: %-16s %-12s %8s %9s %7s\n", "object", "destination",
	       "written", "unchanged", "failed");
	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_load_object *o = &r->objects[i];

		written += o->written;
		unchanged += o->unchanged;
		failed += o->failed;
		if (!o->written && !o->failed)
			continue;
		printf("      %-16s %-12s %8" PRId64 " %9" PRId64 " %7" PRId64
		       "\n",
		       o->object, o->dest_object[0] ? o->dest_object : "-",
		       o->written, o->unchanged, o->failed);
	}
	printf("      %" PRId64 " written, %" PRId64
	       " unchanged (no call), %" PRId64 " refused by Attio (back in "
	       "the conflict queue: 'ferry queue list').\n",
	       written, unchanged, failed);
	printf("Attio: %" PRId64 " requests, %" PRId64 " retried, %" PRId64
	       " rate-limited (429), %" PRId64 " server errors (5xx).\n",
	       r->http.requests, r->http.retries, r->http.rate_limited,
	       r->http.server_errors);
}

static void print_text(const struct ferry_sync_report *r)
{
	const json_t *l;
	size_t i;

	print_objects(r);
	if (json_array_size(r->left)) {
		printf("\n%s in Attio (deleted in Salesforce, not ferry's to "
		       "delete):\n",
		       r->dry_run ? "Would be left" : "Left");
		json_array_foreach(r->left, i, l)
		{
			printf("  %s %s -> %s %s: %s\n",
			       ferry_cli_jstr(l, "object"),
			       ferry_cli_jstr(l, "source_id"),
			       ferry_cli_jstr(l, "dest_object"),
			       ferry_cli_jstr(l, "dest_id"),
			       ferry_cli_jstr(l, "why"));
		}
	}
	if (r->dry_run) {
		printf("\nDry run: nothing was staged, planned or written, and "
		       "the watermarks stay. 'changed' counts records whose "
		       "fields differ from the staging; a change of a field "
		       "mapping.yaml does not write costs no call when synced. "
		       "%" PRId64 " Salesforce API calls.\n",
		       r->sf_calls);
		return;
	}
	if (r->loaded)
		print_load(&r->load);
	printf("\nRe-planned %" PRId64 " records%s; %" PRId64
	       " deleted in Attio; %" PRId64 " Salesforce API calls; %.1f s.\n",
	       r->replanned,
	       r->whole_plan ? " (a whole plan: it was out of date)" : "",
	       r->dest_requests, r->sf_calls, r->seconds);
	if (r->advanced)
		printf("The watermarks moved forward: the next 'ferry sync' "
		       "reads from there.\n");
	else
		printf("Attio refused a delete: the watermarks stay, so the "
		       "next 'ferry sync' tries it again.\n");
}

static json_t *report_json(const struct ferry_sync_report *r)
{
	json_t *objects = json_array(), *load = json_array(), *doc;
	char since[32], until[32];
	size_t i;

	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_sync_object *o = &r->objects[i];
		json_t *j;

		if (o->skipped[0]) {
			json_array_append_new(
			    objects,
			    json_pack("{s:s, s:s, s:s}", "object", o->object,
			              "destination", o->dest_object, "skipped",
			              o->skipped));
			continue;
		}
		when(o->since, since, sizeof(since));
		when(o->until, until, sizeof(until));
		j = json_pack(
		    "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:I}",
		    "object", o->object, "destination", o->dest_object, "since",
		    since, "until", until, "read", (json_int_t)o->read, "new",
		    (json_int_t)o->created, "changed", (json_int_t)o->changed,
		    "unchanged", (json_int_t)o->unchanged, "held",
		    (json_int_t)o->held, "deleted", (json_int_t)o->deleted,
		    "deleted_in_attio", (json_int_t)o->dest_deleted, "left",
		    (json_int_t)o->left, "salesforce_calls",
		    (json_int_t)o->calls);
		json_array_append_new(objects, j);
	}
	for (i = 0; i < r->load.n_objects; i++) {
		const struct ferry_load_object *o = &r->load.objects[i];

		json_array_append_new(
		    load, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "object",
		                    o->object, "destination", o->dest_object,
		                    "to_write", (json_int_t)o->to_write,
		                    "written", (json_int_t)o->written,
		                    "unchanged", (json_int_t)o->unchanged,
		                    "failed", (json_int_t)o->failed));
	}
	doc = json_pack(
	    "{s:b, s:o, s:O, s:b, s:I, s:b, s:{s:o, s:I, s:I}, s:I, s:I, s:b, "
	    "s:f}",
	    "dry_run", r->dry_run, "objects", objects, "left", r->left,
	    "whole_plan", r->whole_plan, "replanned", (json_int_t)r->replanned,
	    "loaded", r->loaded, "load", "objects", load, "requests",
	    (json_int_t)r->load.http.requests, "retried",
	    (json_int_t)r->load.http.retries, "salesforce_calls",
	    (json_int_t)r->sf_calls, "attio_deletes",
	    (json_int_t)r->dest_requests, "advanced", r->advanced, "seconds",
	    r->seconds);
	return doc;
}

/* A Data Export folder is a snapshot: nothing to follow. */
static int check_source(struct ferry_cli *cli)
{
	if (!strcmp(cli->cfg->source_type, "salesforce"))
		return 0;
	return ferry_error_set(
	    FERRY_ECONFIG,
	    "this workspace was staged from a Salesforce Data Export folder "
	    "('%s'), a snapshot with nothing to sync from. To keep Attio "
	    "following the org, point ferry.yaml at it (source.type: "
	    "salesforce, with its login_url and auth), run 'ferry extract', "
	    "'ferry plan' and 'ferry run' once, then 'ferry sync' whenever "
	    "you like (see docs/cli/sync.md)",
	    cli->cfg->source_path ? cli->cfg->source_path : "");
}

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
		                       "nothing is planned yet: sync follows a "
		                       "migration; run 'ferry plan' and 'ferry "
		                       "run' first");
	return 0;
}

static const struct ferry_opt sync_opts[] = {
    {"--object", "<Object>", "sync only this Salesforce object"},
    {"--dry-run", NULL, "read what changed and count it; change nothing"},
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

static int run_sync(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	bool dry = ferry_cli_flag(cli, "--dry-run");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	struct ferry_mapfile *m = NULL;
	struct ferry_sf *sf = NULL;
	struct ferry_sync_report report;
	struct ferry_sync_config sc;
	struct ferry_http_opts ho;
	json_t *schema = NULL;
	size_t i;
	int error, code = FERRY_EXIT_OK;

	memset(&report, 0, sizeof(report));
	memset(&sc, 0, sizeof(sc));
	memset(&ho, 0, sizeof(ho));
	if ((error = check_source(cli)) < 0 ||
	    (error = ferry_cli_load_mapping(&m, cli)) < 0 ||
	    (error = planned(cli)) < 0 ||
	    (error = ferry_sf_connect(&sf, cli->cfg)) < 0)
		goto fail;
	if (!dry) {
		if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) <
		    0)
			goto fail;
		if ((error = ferry_schema_setup_snapshot(&schema, attio, m)) <
		    0) {
			ferry_error_wrap(error, "reading the Attio workspace's "
			                        "attributes");
			goto fail;
		}
		ho.base_url = cli->cfg->dest_base_url;
		ho.token = token.ptr;
		ho.name = "Attio";
		ho.write_rate = cli->cfg->dest_write_rate;
		ho.read_rate = cli->cfg->dest_read_rate;
		sc.http = &ho;
		sc.schema = schema;
		sc.dest = attio;
		sc.halt_error_rate = cli->cfg->dest_halt_error_rate;
	}
	sc.only = ferry_cli_opt(cli, "--object");
	sc.dry_run = dry;
	sc.stop = &stop_requested;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!json)
		printf("Syncing from Salesforce at %s%s%s%s:\n\n",
		       ferry_sf_instance_url(sf), dry ? " (dry run)" : "",
		       dry ? "" : " into Attio workspace ",
		       dry ? "" : (name.len ? name.ptr : "?"));
	fflush(stdout);
	error = ferry_sync_run(sf, cli->ws, m, &sc, &report);
	if (error < 0)
		goto fail;
	if (json) {
		json_t *doc = report_json(&report);

		ferry_cli_print_json(doc);
		json_decref(doc);
	} else {
		print_text(&report);
	}
	for (i = 0; i < report.load.n_objects; i++)
		if (report.load.objects[i].failed)
			code = FERRY_EXIT_RECORDS;
	if (!dry && !report.advanced)
		code = FERRY_EXIT_RECORDS;
	goto done;
fail:
	if (!json && report.n_objects)
		print_objects(&report);
	code = ferry_cli_fail(cli, error);
done:
	ferry_sync_report_release(&report);
	json_decref(schema);
	ferry_mapfile_free(m);
	ferry_attio_free(attio);
	ferry_sf_free(sf);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return code;
}

const struct ferry_cmd ferry_cmd_sync = {
    .name = "sync",
    .usage = "sync [--object <Object>] [--dry-run] [--json]",
    .summary = "Carry what changed in Salesforce since the migration to "
               "Attio",
    .help = "After 'ferry extract', 'ferry plan' and 'ferry run', asks\n"
            "Salesforce what changed in each object of mapping.yaml since\n"
            "its watermark (the moment extract or the last sync read it):\n"
            "records changed or created are staged again and planned\n"
            "again, with what they reach; records deleted in Salesforce\n"
            "are taken out, and deleted in Attio when ferry created them\n"
            "there (anything else is left, and listed). Then the plan is\n"
            "loaded: a record whose request did not change costs no call.\n"
            "The watermarks move forward only once everything read is\n"
            "written, so a sync stopped at any moment and run again\n"
            "misses nothing and writes nothing twice. --dry-run reads and\n"
            "counts, and changes nothing. A workspace staged from a Data\n"
            "Export folder cannot sync. Exit status 6 when Attio refused\n"
            "records or a delete, 4 when the workspace cannot sync (run\n"
            "'ferry extract' again when a watermark is over 30 days old),\n"
            "5 when Salesforce or Attio cannot be reached.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = sync_opts,
    .run = run_sync,
};
