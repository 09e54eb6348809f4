/* cmd_init.c: `ferry init [<dir>]`: a new migration workspace. */
#include "util.h"
#include "cmd.h"

static int init_run(struct ferry_cli *cli)
{
	const char *dir = cli->nargs == 1 ? cli->args[0] : cli->dir;
	int error;

	if ((error = ferry_workspace_init(dir)) < 0)
		return ferry_cli_fail(cli, error);
	printf("Initialized a ferry workspace in '%s':\n"
	       "  %s/ferry.yaml        what to move, from where, to where "
	       "(edit it)\n"
	       "  %s/.ferry/state.db   the workspace database\n\n"
	       "Next: put the Salesforce export in the folder named by "
	       "source.path,\nexport ATTIO_API_TOKEN, then run 'ferry "
	       "extract' and 'ferry run'.\n",
	       dir, dir, dir);
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_init = {
    .name = "init",
    .usage = "init [<dir>]",
    .summary = "Create a migration workspace (ferry.yaml, .ferry/state.db)",
    .help = "Creates <dir> (default: the current folder) with a commented\n"
            "ferry.yaml and the workspace database .ferry/state.db. An\n"
            "existing ferry.yaml is never overwritten, and running init\n"
            "again on a workspace only brings its database up to date.",
    .needs = 0,
    .max_args = 1,
    .run = init_run,
};
