/* cmd_extract.c: `ferry extract`: stage the source's records in the
 * workspace, object by object (a Salesforce org through its API, or a Data
 * Export folder), and report the counts. */
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/export.h"
#include "ferry/salesforce.h"

struct extract_out {
	json_t *objects; /* --json: the array being built */
	int64_t total;
};

static int on_file(const struct ferry_export_file *f, void *payload)
{
	struct extract_out *o = payload;

	o->total += f->count;
	if (o->objects)
		json_array_append_new(
		    o->objects,
		    json_pack("{s:s, s:s, s:I}", "object", f->object, "file",
		              f->path, "staged", (json_int_t)f->count));
	else
		printf("  %-24s %10" PRId64 " records   (%s)\n", f->object,
		       f->count, f->path);
	return 0;
}

struct sf_view {
	bool tty;
	json_t *objects; /* --json */
	int64_t total;
};

static void on_sf_object(const struct ferry_sf_object_report *r, void *payload)
{
	struct sf_view *v = payload;

	if (!r->done) {
		if (v->tty)
			fprintf(stderr, "  %-24s extracting...\r", r->object);
		return;
	}
	v->total += r->staged;
	if (v->objects) {
		json_array_append_new(
		    v->objects,
		    json_pack("{s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:f}",
		              "object", r->object, "method", r->method,
		              "resumed", r->resumed, "skipped", r->skipped,
		              "staged", (json_int_t)r->staged, "source",
		              (json_int_t)r->source, "calls",
		              (json_int_t)r->calls, "seconds", r->seconds));
		return;
	}
	if (v->tty)
		fprintf(stderr, "%-40s\r", "");
	if (r->skipped)
		printf("  %-24s not in this org: skipped\n", r->object);
	else if (r->resumed)
		printf("  %-24s %10" PRId64 " records   already staged by the "
		       "interrupted run\n",
		       r->object, r->staged);
	else
		printf("  %-24s %10" PRId64 " records = %" PRId64
		       " in Salesforce   %-4s %4" PRId64 " calls %7.1f s\n",
		       r->object, r->staged, r->source, r->method, r->calls,
		       r->seconds);
	fflush(stdout);
}

static int extract_salesforce(struct ferry_cli *cli, bool json)
{
	struct ferry_sf_extract_opts o;
	struct sf_view v = {false, NULL, 0};
	struct ferry_sf *sf = NULL;
	const struct ferry_sf_usage *u;
	int64_t t0 = ferry_clock_mono_us();
	int error, code = FERRY_EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.objects = (const char *const *)cli->cfg->sf_objects;
	o.n_objects = cli->cfg->n_sf_objects;
	o.include_deleted = cli->cfg->sf_include_deleted ||
	                    ferry_cli_flag(cli, "--include-deleted");
	o.page_size = cli->cfg->sf_page_size;
	o.restart = ferry_cli_flag(cli, "--restart");
	v.tty = !json && isatty(2);
	if (json)
		v.objects = json_array();
	if ((error = ferry_sf_connect(&sf, cli->cfg)) < 0) {
		code = ferry_cli_fail(cli, error);
		goto done;
	}
	if (!json)
		printf("Extracting from Salesforce at %s (API %s)%s:\n",
		       ferry_sf_instance_url(sf), ferry_sf_api_version(sf),
		       o.include_deleted ? ", deleted records included" : "");
	error = ferry_sf_extract(sf, cli->ws, &o, on_sf_object, &v);
	u = ferry_sf_usage(sf);
	if (error < 0) {
		code = ferry_cli_fail(cli, error);
		fprintf(stderr,
		        "Objects staged so far are kept: run 'ferry extract' "
		        "again to resume (%" PRId64 " Salesforce API calls "
		        "spent).\n",
		        u->calls);
		goto done;
	}
	if (json) {
		json_t *doc = json_pack(
		    "{s:o, s:I, s:I, s:I, s:I, s:I, s:f}", "objects", v.objects,
		    "total", (json_int_t)v.total, "api_calls",
		    (json_int_t)u->calls, "bulk_jobs", (json_int_t)u->bulk_jobs,
		    "api_used", (json_int_t)u->api_used, "api_max",
		    (json_int_t)u->api_max, "seconds",
		    (double)(ferry_clock_mono_us() - t0) / 1e6);

		v.objects = NULL;
		ferry_cli_print_json(doc);
		json_decref(doc);
		goto done;
	}
	printf("Staged %" PRId64 " records in %.1f s with %" PRId64
	       " Salesforce API calls (%" PRId64 " Bulk jobs)",
	       v.total, (double)(ferry_clock_mono_us() - t0) / 1e6, u->calls,
	       u->bulk_jobs);
	if (u->api_max > 0)
		printf("; the org's daily budget: %" PRId64 " of %" PRId64
		       " used",
		       u->api_used, u->api_max);
	printf(".\nEvery object's count matches Salesforce's own COUNT(). "
	       "Next: 'ferry analyze'.\n");
done:
	json_decref(v.objects);
	ferry_sf_free(sf);
	return code;
}

static const struct ferry_opt extract_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {"--restart", NULL,
     "start over instead of resuming an interrupted extract"},
    {"--include-deleted", NULL,
     "also fetch deleted and archived records (queryAll)"},
    {NULL, NULL, NULL},
};

static int extract_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct extract_out out = {NULL, 0};
	int error;

	if (!strcmp(cli->cfg->source_type, "salesforce"))
		return extract_salesforce(cli, json);
	if (json)
		out.objects = json_array();
	else
		printf("Staging the Salesforce export in '%s':\n",
		       cli->cfg->source_path);
	error =
	    ferry_export_stage(cli->ws, cli->cfg->source_path, on_file, &out);
	if (error < 0) {
		json_decref(out.objects);
		fflush(stdout);
		return ferry_cli_fail(cli, error);
	}
	if (json) {
		json_t *doc = json_pack("{s:o, s:I}", "objects", out.objects,
		                        "total", (json_int_t)out.total);

		ferry_cli_print_json(doc);
		json_decref(doc);
	} else {
		printf("Staged %" PRId64 " records. Next: 'ferry run'.\n",
		       out.total);
	}
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_extract = {
    .name = "extract",
    .usage = "extract [--json] [--restart] [--include-deleted]",
    .summary = "Stage the source's records in the workspace",
    .help = "Reads the source named in ferry.yaml and stages every record\n"
            "in the workspace. From a Salesforce org (source.type\n"
            "salesforce), it snapshots the schema (describe of every\n"
            "object, automation counts from the Tooling API), reads each\n"
            "object through a Bulk API 2.0 query job, page by page, and\n"
            "checks the staged count against Salesforce's own COUNT():\n"
            "a mismatch stops the extract and names the object. An\n"
            "interrupted extract resumes: objects already staged are not\n"
            "fetched again. For a Salesforce Data Export folder, each\n"
            "<Object>.csv is staged whole or not at all: a malformed file\n"
            "stops with its file, line and column, and leaves the earlier\n"
            "staging of that object untouched. Extracting again replaces\n"
            "the staged records; the ledger of what was written is kept.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = extract_opts,
    .run = extract_run,
};
