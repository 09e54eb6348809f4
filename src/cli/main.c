/* main.c: the ferry command: global options, the command table, and the
 * shared setup a command declares it needs (after git's run_builtin). */
#include <errno.h>

#include "util.h"
#include "cmd.h"

const struct ferry_cmd *const ferry_cmds[] = {
    &ferry_cmd_init,
    &ferry_cmd_check,
    &ferry_cmd_extract,
    &ferry_cmd_analyze,
    &ferry_cmd_plan,
    &ferry_cmd_schema,
    &ferry_cmd_queue,
    &ferry_cmd_run,
    &ferry_cmd_status,
    &ferry_cmd_verify,
    &ferry_cmd_sync,
    &ferry_cmd_rollback,
    &ferry_cmd_audit,
    &ferry_cmd_help,
    NULL,
};

const struct ferry_cmd *ferry_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; ferry_cmds[i]; i++)
		if (!strcmp(ferry_cmds[i]->name, name))
			return ferry_cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ferry [-C <workspace>] <command> [<args>]\n"
	           "       ferry --version | --help | help <command>\n\n"
	           "ferry moves a CRM's data to another CRM as a controlled, "
	           "provable operation.\n\nCommands:\n");
	for (i = 0; ferry_cmds[i]; i++)
		fprintf(f, "  %-10s %s\n", ferry_cmds[i]->name,
		        ferry_cmds[i]->summary);
	fprintf(f, "\nOptions:\n"
	           "  -C <dir>   run in the workspace <dir> instead of the "
	           "current folder\n"
	           "  --version  print ferry's version\n"
	           "  --help     print this help\n\n"
	           "Exit status: 0 ok, 1 failure, 2 usage, 3 bad input data, "
	           "4 configuration,\n5 remote end failed, 6 some records not "
	           "written. See docs/cli/README.md.\n");
}

/* Loads what the command declared it needs. */
static int setup(struct ferry_cli *cli, const struct ferry_cmd *cmd)
{
	char *path = NULL;
	int error = 0;

	if (!(cmd->needs & FERRY_NEEDS_WORKSPACE))
		return 0;
	path = ferry_xasprintf("%s/%s", cli->dir, FERRY_CONFIG_FILE);
	if ((error = ferry_workspace_open(&cli->ws, cli->dir)) < 0)
		goto done;
	if ((error = ferry_config_load(&cli->cfg, path)) < 0)
		goto done;
done:
	free(path);
	return error;
}

/* A full disk must not pass silently: check that stdout got everything. */
static int finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ferry: cannot write the output: %s\n",
		        strerror(errno));
		return FERRY_EXIT_FAILURE;
	}
	return code;
}

int main(int argc, char **argv)
{
	struct ferry_cli cli;
	const struct ferry_cmd *cmd;
	int i = 1, code, error, j;

	memset(&cli, 0, sizeof(cli));
	cli.dir = ".";
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--version")) {
			printf("ferry %s\n", FERRY_VERSION);
			return finish_output(FERRY_EXIT_OK);
		} else if (!strcmp(argv[i], "--help") ||
		           !strcmp(argv[i], "-h")) {
			usage(stdout);
			return finish_output(FERRY_EXIT_OK);
		} else if (!strcmp(argv[i], "-C")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ferry: -C needs a folder\n");
				return FERRY_EXIT_USAGE;
			}
			cli.dir = argv[i + 1];
			i += 2;
		} else {
			fprintf(stderr,
			        "ferry: unknown option '%s'\n"
			        "See 'ferry --help'.\n",
			        argv[i]);
			return FERRY_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return FERRY_EXIT_USAGE;
	}
	if (!(cmd = ferry_cmd_find(argv[i]))) {
		fprintf(stderr,
		        "ferry: '%s' is not a ferry command\n"
		        "See 'ferry --help' for the list.\n",
		        argv[i]);
		return FERRY_EXIT_USAGE;
	}
	for (j = i + 1; j < argc; j++) {
		if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
			ferry_cmd_print_help(stdout, cmd);
			return finish_output(FERRY_EXIT_OK);
		}
	}
	if ((error = ferry_cli_parse(&cli, cmd, argc - i - 1, argv + i + 1)) <
	    0)
		return ferry_cli_usage(&cli, "%s", ferry_error_last());
	if ((error = setup(&cli, cmd)) < 0)
		code = ferry_cli_fail(&cli, error);
	else
		code = cmd->run(&cli);
	ferry_config_free(cli.cfg);
	ferry_workspace_free(cli.ws);
	return finish_output(code);
}
