/* cmd_extract.c: `ferry extract`: stage the source's records in the
 * workspace, object by object, and report the counts. */
#include "util.h"
#include "cmd.h"
#include "ferry/export.h"

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

static const struct ferry_opt extract_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

static int extract_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct extract_out out = {NULL, 0};
	int error;

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

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		printf("Staged %" PRId64 " records. Next: 'ferry run'.\n",
		       out.total);
	}
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_extract = {
    .name = "extract",
    .usage = "extract [--json]",
    .summary = "Stage the source's records in the workspace",
    .help = "Reads the source named in ferry.yaml and stages every record\n"
            "in the workspace. For a Salesforce Data Export folder, each\n"
            "<Object>.csv is staged whole or not at all: a malformed file\n"
            "stops with its file, line and column, and leaves the earlier\n"
            "staging of that object untouched. Extracting again replaces\n"
            "the staged records; the ledger of what was written is kept.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = extract_opts,
    .run = extract_run,
};
