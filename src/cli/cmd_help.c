/* cmd_help.c: `ferry help [<command>]`. */
#include "util.h"
#include "cmd.h"

static int help_run(struct ferry_cli *cli)
{
	const struct ferry_cmd *cmd;
	size_t i;

	if (cli->nargs == 1) {
		if (!(cmd = ferry_cmd_find(cli->args[0]))) {
			fprintf(stderr,
			        "ferry help: '%s' is not a ferry command\n"
			        "See 'ferry --help' for the list.\n",
			        cli->args[0]);
			return FERRY_EXIT_USAGE;
		}
		ferry_cmd_print_help(stdout, cmd);
		return FERRY_EXIT_OK;
	}
	printf("ferry commands:\n");
	for (i = 0; ferry_cmds[i]; i++)
		printf("  %-10s %s\n", ferry_cmds[i]->name,
		       ferry_cmds[i]->summary);
	printf("\nRun 'ferry help <command>' for one command's help.\n");
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_help = {
    .name = "help",
    .usage = "help [<command>]",
    .summary = "Show the help of a command",
    .help = "",
    .needs = 0,
    .max_args = 1,
    .run = help_run,
};
