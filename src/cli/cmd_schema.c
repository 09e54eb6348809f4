/* cmd_schema.c: `ferry schema`: what the Attio workspace needs before the
 * first write (custom objects, attributes, select options, statuses,
 * lists) and what blocks it, from mapping.yaml and the workspace's
 * schema; with --apply, makes those changes once a person said yes (or
 * --yes), idempotently. */
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/schema_setup.h"

struct view {
	bool json;
	json_t *results; /* --json: one entry per change applied */
};

static void on_step(const struct ferry_schema_setup_step *st, void *payload)
{
	struct view *v = payload;
	const char *outcome = ferry_schema_setup_outcome_name(st->outcome);

	if (v->json) {
		json_array_append_new(
		    v->results,
		    json_pack("{s:s, s:s, s:s?}", "description",
		              st->description, "outcome", outcome, "message",
		              *st->message ? st->message : NULL));
		return;
	}
	printf("  %-8s %s\n", outcome, st->description);
	if (*st->message)
		printf("           %s\n", st->message);
	fflush(stdout);
}

static void print_reports(const json_t *list, const char *title)
{
	const json_t *x;
	size_t i;

	if (!json_array_size(list))
		return;
	printf("\n%s:\n", title);
	json_array_foreach(list, i, x)
	{
		printf("  - %s\n", ferry_cli_jstr(x, "message"));
	}
}

static void print_plan(const json_t *doc, const char *workspace,
                       const char *url)
{
	const json_t *changes = json_object_get(doc, "changes"), *c;
	size_t i, n = json_array_size(changes);

	if (n)
		printf("Attio workspace '%s' at %s needs %zu change%s for "
		       "mapping.yaml:\n",
		       workspace, url, n, n == 1 ? "" : "s");
	else
		printf("Attio workspace '%s' at %s has everything mapping.yaml "
		       "writes: no change needed.\n",
		       workspace, url);
	json_array_foreach(changes, i, c)
	{
		printf("  %3zu. %s\n", i + 1, ferry_cli_jstr(c, "description"));
	}
	print_reports(json_object_get(doc, "problems"),
	              "Problems (they block schema setup until fixed)");
	print_reports(json_object_get(doc, "warnings"), "Warnings");
}

/* "Apply these N changes ...? [y/N]" on the terminal. */
static bool confirm(size_t n, const char *workspace, bool json)
{
	FILE *f = json ? stderr : stdout;
	char line[64];

	if (n == 1)
		fprintf(f,
		        "\nApply this change to Attio workspace '%s'? [y/N] ",
		        workspace);
	else
		fprintf(f,
		        "\nApply these %zu changes to Attio workspace '%s'? "
		        "[y/N] ",
		        n, workspace);
	fflush(f);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	ferry_str_trim(line);
	return ferry_str_iequal(line, "y") || ferry_str_iequal(line, "yes");
}

static int apply(struct ferry_cli *cli, struct ferry_attio *a, json_t *doc,
                 const char *workspace, bool json)
{
	struct view v = {json, json_array()};
	struct ferry_schema_setup_result r;
	size_t n = json_array_size(json_object_get(doc, "changes"));
	int error;

	if (!json)
		printf("\nApplying:\n");
	error = ferry_schema_setup_apply(a, doc, on_step, &v, &r);
	if (json) {
		json_object_set_new(doc, "results", v.results);
		v.results = NULL;
		json_object_set_new(doc, "result",
		                    json_pack("{s:I, s:I, s:I, s:I}", "created",
		                              (json_int_t)r.created, "existed",
		                              (json_int_t)r.existed, "failed",
		                              (json_int_t)r.failed, "skipped",
		                              (json_int_t)r.skipped));
	} else {
		printf("\nSchema setup of '%s': %zu created, %zu already "
		       "there, %zu failed, %zu not tried (of %zu).\n",
		       workspace, r.created, r.existed, r.failed, r.skipped, n);
		if (error == 0)
			printf("Run 'ferry plan' to check the records against "
			       "the workspace as it is now.\n");
	}
	json_decref(v.results);
	FERRY_UNUSED(cli);
	return error;
}

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
	size_t n_changes, n_problems;
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
	n_problems = json_array_size(json_object_get(doc, "problems"));
	if (!json)
		print_plan(doc, name.ptr, cli->cfg->dest_base_url);
	if (n_problems) {
		if (json)
			ferry_cli_print_json(doc);
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "%zu problem%s block%s schema setup (listed %s): fix "
		    "mapping.yaml or the Attio workspace as each says, then "
		    "run 'ferry schema' again%s",
		    n_problems, n_problems == 1 ? "" : "s",
		    n_problems == 1 ? "s" : "",
		    json ? "in \"problems\"" : "above",
		    do_apply ? "; nothing was changed" : "");
		goto done;
	}
	if (do_apply && n_changes) {
		if (!yes && !isatty(STDIN_FILENO)) {
			if (json)
				ferry_cli_print_json(doc);
			error = ferry_error_set(
			    FERRY_EUSAGE,
			    "--apply asks before changing the Attio "
			    "workspace, and there is no terminal to ask on: "
			    "add --yes to apply without asking. Nothing was "
			    "changed");
			goto done;
		}
		if (!yes && !confirm(n_changes, name.ptr, json)) {
			if (json)
				ferry_cli_print_json(doc);
			error = ferry_error_set(FERRY_ERROR,
			                        "not confirmed: nothing was "
			                        "changed");
			goto done;
		}
		error = apply(cli, a, doc, name.ptr, json);
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
