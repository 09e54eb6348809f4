/* cmd_schema.c: `ferry schema`: what the Attio workspace needs before the
 * first write (custom objects, attributes, select options, statuses,
 * lists) and what blocks it, from mapping.yaml and the workspace's
 * schema; with --apply, makes those changes once a person said yes (or
 * --yes), idempotently. */
#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/schema_setup.h"

static const struct ferry_opt schema_opts[] = {
    {"--json", NULL, "print the changes (and what was done) as JSON"},
    {"--apply", NULL, "make the changes in Attio (asks first)"},
    {"--yes", NULL, "with --apply: do not ask (for scripts)"},
    {NULL, NULL, NULL},
};

static int schema_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	bool do_apply = ferry_cli_flag(cli, "--apply");
	bool yes = ferry_cli_flag(cli, "--yes");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_mapfile *m = NULL;
	struct ferry_attio *a = NULL;
	json_t *snap = NULL, *doc = NULL;
	size_t n_changes;
	int error;

	if (yes && !do_apply)
		return ferry_cli_usage(cli, "--yes goes with --apply");
	if ((error = ferry_cli_load_mapping(&m, cli)) < 0)
		goto done;
	if ((error = ferry_cli_open_attio(&a, cli, &token, &name)) < 0 ||
	    (error = ferry_schema_setup_snapshot(&snap, a, m)) < 0) {
		ferry_error_wrap(error,
		                 "reading the Attio workspace at %s (schema "
		                 "setup needs it)",
		                 cli->cfg->dest_base_url);
		goto done;
	}
	if ((error = ferry_schema_setup_plan(&doc, m, snap)) < 0)
		goto done;
	json_object_set_new(doc, "workspace", json_string(name.ptr));
	n_changes = json_array_size(json_object_get(doc, "changes"));
	if (!json)
		ferry_cli_schema_print(doc, name.ptr, cli->cfg->dest_base_url);
	if ((error = ferry_cli_schema_problems(doc, json, "ferry schema")) <
	    0) {
		if (json)
			ferry_cli_print_json(doc);
		goto done;
	}
	if (do_apply && n_changes) {
		if ((error = ferry_cli_schema_ask(doc, name.ptr, json, yes,
		                                  "add --yes to apply without "
		                                  "asking")) < 0) {
			if (json)
				ferry_cli_print_json(doc);
			goto done;
		}
		error = ferry_cli_schema_apply(a, doc, name.ptr, json);
		if (!json && error == 0)
			printf("Run 'ferry plan' to check the records against "
			       "the workspace as it is now.\n");
	} else if (!json && n_changes) {
		printf("\nRun 'ferry schema --apply' to make them.\n");
	}
	if (json)
		ferry_cli_print_json(doc);
done:
	json_decref(doc);
	json_decref(snap);
	ferry_attio_free(a);
	ferry_mapfile_free(m);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_schema = {
    .name = "schema",
    .usage = "schema [--json] [--apply] [--yes]",
    .summary = "Show (and make) what the Attio workspace needs for the "
               "mapping",
    .help = "Compares mapping.yaml with the Attio workspace and lists the\n"
            "changes the workspace needs before the first write: custom\n"
            "objects, attributes with the type each field writes (a unique\n"
            "text salesforce_id where the mapping matches on it), select\n"
            "options and deal stages the value tables name, and lists.\n"
            "Problems that block them (a mapping that writes a select\n"
            "into a text attribute, a standard object not enabled) say\n"
            "what to do. With --apply it asks, then makes the changes in\n"
            "dependency order; whatever is already there counts as done,\n"
            "so running it again after a failure finishes the rest.\n"
            "Without a terminal, --apply needs --yes. Archived attributes\n"
            "and options are reported, never re-created.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = schema_opts,
    .run = schema_run,
};
