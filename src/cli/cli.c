/* cli.c: what every command shares: turning library errors into exit codes
 * (the one place that does), usage errors, option parsing, help text. */
#include <stdarg.h>

#include "util.h"
#include "cmd.h"

int ferry_cli_exit_code(int error)
{
	switch (error) {
	case FERRY_OK:
		return FERRY_EXIT_OK;
	case FERRY_EUSAGE:
		return FERRY_EXIT_USAGE;
	case FERRY_EINVALID:
	case FERRY_ETOOBIG:
	case FERRY_ECONFLICT:
		return FERRY_EXIT_INPUT;
	case FERRY_ECONFIG:
	case FERRY_ENOTFOUND:
	case FERRY_EEXISTS:
	case FERRY_EAUTH:
		return FERRY_EXIT_CONFIG;
	case FERRY_ECONN:
	case FERRY_ETIMEOUT:
	case FERRY_ERATELIMIT:
	case FERRY_EHTTP:
		return FERRY_EXIT_REMOTE;
	default:
		return FERRY_EXIT_FAILURE;
	}
}

int ferry_cli_fail(const struct ferry_cli *cli, int error)
{
	const char *msg = ferry_error_last();

	fflush(stdout); /* what was said before the error comes first */
	fprintf(stderr, "ferry %s: %s\n", cli->name ? cli->name : "",
	        *msg ? msg : ferry_error_name(error));
	return ferry_cli_exit_code(error);
}

int ferry_cli_usage(const struct ferry_cli *cli, const char *fmt, ...)
{
	const struct ferry_cmd *cmd = ferry_cmd_find(cli->name);
	va_list ap;

	fprintf(stderr, "ferry %s: ", cli->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: ferry %s\n", cmd ? cmd->usage : "");
	return FERRY_EXIT_USAGE;
}

static long opt_index(const struct ferry_opt *opts, const char *name)
{
	long i;

	for (i = 0; opts && opts[i].name && i < FERRY_CLI_MAX_OPTS; i++)
		if (!strcmp(opts[i].name, name))
			return i;
	return -1;
}

const char *ferry_cli_opt(const struct ferry_cli *cli, const char *name)
{
	long i = opt_index(cli->opts, name);

	return i < 0 ? NULL : cli->opt_values[i];
}

bool ferry_cli_flag(const struct ferry_cli *cli, const char *name)
{
	return ferry_cli_opt(cli, name) != NULL;
}

int ferry_cli_parse(struct ferry_cli *cli, const struct ferry_cmd *cmd,
                    int argc, char **argv)
{
	int i;
	long k;

	cli->name = cmd->name;
	cli->opts = cmd->opts;
	cli->args = argv;
	cli->nargs = 0;
	for (i = 0; i < argc; i++) {
		char *arg = argv[i];

		if (arg[0] != '-' || !arg[1]) {
			if (cli->nargs >= cmd->max_args)
				return ferry_error_set(FERRY_EUSAGE,
				                       "unexpected argument "
				                       "'%s'",
				                       arg);
			cli->args[cli->nargs++] = arg;
			continue;
		}
		if ((k = opt_index(cmd->opts, arg)) < 0)
			return ferry_error_set(FERRY_EUSAGE,
			                       "unknown option '%s'", arg);
		if (!cmd->opts[k].value_name) {
			cli->opt_values[k] = "";
			continue;
		}
		if (i + 1 >= argc)
			return ferry_error_set(FERRY_EUSAGE,
			                       "option '%s' needs a value %s",
			                       arg, cmd->opts[k].value_name);
		cli->opt_values[k] = argv[++i];
	}
	return 0;
}

void ferry_cmd_print_help(FILE *f, const struct ferry_cmd *cmd)
{
	const struct ferry_opt *o;

	fprintf(f, "usage: ferry %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help && *cmd->help)
		fprintf(f, "\n%s\n", cmd->help);
	if (!cmd->opts || !cmd->opts[0].name)
		return;
	fprintf(f, "\nOptions:\n");
	for (o = cmd->opts; o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s", o->name,
		         o->value_name ? " " : "",
		         o->value_name ? o->value_name : "");
		fprintf(f, "  %-20s %s\n", left, o->help);
	}
}

void ferry_cli_print_json(const json_t *doc)
{
	json_dumpf(doc, stdout, JSON_INDENT(2));
	printf("\n");
}

const char *ferry_cli_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}
