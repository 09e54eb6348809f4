/* cmd.h: a ferry subcommand, declared as data.
 *
 * Adding a subcommand:
 *  1. write src/cli/cmd_<name>.c exporting `const struct ferry_cmd
 *     ferry_cmd_<name>` (name, usage, summary, help, needs, run);
 *  2. declare it below and add it to the table in main.c (only when it
 *     works: the table has no placeholders);
 *  3. document it in docs/cli/<name>.md;
 *  4. test it: tests/unit/cli.c for its errors, a scenario for its work.
 */
#ifndef FERRY_CLI_CMD_H
#define FERRY_CLI_CMD_H

#include <jansson.h>
#include <stdio.h>

#include "ferry/config.h"
#include "ferry/workspace.h"

/* Exit codes scripts can rely on (docs/cli/exit-codes.md). */
enum ferry_exit {
	FERRY_EXIT_OK = 0,      /* done; every record accounted for */
	FERRY_EXIT_FAILURE = 1, /* a runtime error (message on stderr) */
	FERRY_EXIT_USAGE = 2,   /* unknown command or option, bad arguments */
	FERRY_EXIT_INPUT = 3,   /* bad input data: a malformed CSV, ... */
	FERRY_EXIT_CONFIG = 4,  /* ferry.yaml, workspace or credentials */
	FERRY_EXIT_REMOTE = 5,  /* the source or destination failed */
	FERRY_EXIT_RECORDS = 6, /* finished, some records were not written */
};

enum ferry_cmd_needs {
	FERRY_NEEDS_WORKSPACE = 1 << 0, /* open ./ferry.yaml and state.db */
};

/* An option a command takes, declared in its table. */
struct ferry_opt {
	const char *name;       /* "--record" */
	const char *value_name; /* "<id>"; NULL for a flag */
	const char *help;
};
/* `queue` takes 9 (its subcommands share one table). */
#define FERRY_CLI_MAX_OPTS 12

/* What main() hands to a command: its parsed options and arguments and,
 * per its `needs`, the loaded workspace. */
struct ferry_cli {
	const char *name; /* the command's name */
	const char *dir;  /* workspace root (-C or ".") */
	char **args;      /* positional arguments */
	int nargs;
	/* per entry of the command's opts: NULL if not given, "" for a flag
	 * that was, the value for an option that was */
	const char *opt_values[FERRY_CLI_MAX_OPTS];
	const struct ferry_opt *opts;
	struct ferry_config *cfg;   /* FERRY_NEEDS_WORKSPACE */
	struct ferry_workspace *ws; /* FERRY_NEEDS_WORKSPACE */
};

struct ferry_cmd {
	const char *name;
	const char *usage;   /* "run [--json]" */
	const char *summary; /* one line for `ferry --help` */
	const char *help;    /* the paragraph for `ferry help <name>` */
	unsigned needs;      /* enum ferry_cmd_needs */
	const struct ferry_opt *opts; /* NULL-name terminated; may be NULL */
	int max_args;                 /* positional arguments allowed */
	/* Returns an enum ferry_exit. */
	int (*run)(struct ferry_cli *cli);
};

extern const struct ferry_cmd ferry_cmd_init;
extern const struct ferry_cmd ferry_cmd_check;
extern const struct ferry_cmd ferry_cmd_extract;
extern const struct ferry_cmd ferry_cmd_analyze;
extern const struct ferry_cmd ferry_cmd_plan;
extern const struct ferry_cmd ferry_cmd_schema;
extern const struct ferry_cmd ferry_cmd_queue;
extern const struct ferry_cmd ferry_cmd_run;
extern const struct ferry_cmd ferry_cmd_status;
extern const struct ferry_cmd ferry_cmd_verify;
extern const struct ferry_cmd ferry_cmd_sync;
extern const struct ferry_cmd ferry_cmd_rollback;
extern const struct ferry_cmd ferry_cmd_audit;
extern const struct ferry_cmd ferry_cmd_help;

/* The table, for `help`. */
extern const struct ferry_cmd *const ferry_cmds[];
const struct ferry_cmd *ferry_cmd_find(const char *name);

/* Turns a library error code into an exit code (the one place that
 * does), and prints "ferry <cmd>: <message>" to stderr. */
int ferry_cli_fail(const struct ferry_cli *cli, int error);
/* The exit code for a library error code, without printing. */
int ferry_cli_exit_code(int error);
/* Prints a usage error for the command and returns FERRY_EXIT_USAGE. */
int ferry_cli_usage(const struct ferry_cli *cli, const char *fmt, ...)
    FERRY_PRINTF(2, 3);

/* Prints a --json answer: `doc` indented, then a newline. */
void ferry_cli_print_json(const json_t *doc);
/* The string member `key` of `o`, or "" (for printing). */
const char *ferry_cli_jstr(const json_t *o, const char *key);

/* The value of option `name` (NULL if it was not given; "" for a flag). */
const char *ferry_cli_opt(const struct ferry_cli *cli, const char *name);
bool ferry_cli_flag(const struct ferry_cli *cli, const char *name);

/* Parses argv (after the command name) against cmd's declared options and
 * argument count, before any setup: a wrong option is a usage error even
 * outside a workspace. FERRY_EUSAGE with a message. */
int ferry_cli_parse(struct ferry_cli *cli, const struct ferry_cmd *cmd,
                    int argc, char **argv);

/* Connects to the Attio workspace of ferry.yaml and proves the token
 * works (GET /v2/self): the token goes into `token` (which the caller
 * releases, after the client), the workspace's name into `name`. */
struct ferry_attio;
int ferry_cli_open_attio(struct ferry_attio **out, struct ferry_cli *cli,
                         struct ferry_buf *token, struct ferry_buf *name);

/* What a plan reads (plan_inputs.c), shared by `plan` and `queue` so a
 * re-plan of a few records sees what a whole plan sees. */
struct ferry_mapfile;
/* mapping.yaml, its warnings printed and its fields checked against the
 * staging; FERRY_ECONFIG when there is none. */
int ferry_cli_load_mapping(struct ferry_mapfile **out, struct ferry_cli *cli);
/* The destination's members and attributes (ferry_attio_schema) for the
 * objects `m` writes to, or NULL, with a note on stderr, when it cannot be
 * read: the plan is then made offline. Unless `quiet`, says on stdout
 * which workspace was read. With `client_out`, the client is handed over
 * open (for ferry_plan_opts.dest; NULL when the schema is NULL). */
json_t *ferry_cli_read_destination(struct ferry_cli *cli,
                                   const struct ferry_mapfile *m, bool quiet,
                                   struct ferry_attio **client_out);

/* Asks a yes/no question on the terminal (stderr with --json, so the
 * JSON on stdout stays whole); true only for "y" or "yes". */
bool ferry_cli_confirm(bool json, const char *fmt, ...) FERRY_PRINTF(2, 3);

/* Schema setup as a person sees it (schema_changes.c), for `ferry schema`
 * and `ferry run`; `doc` is ferry_schema_setup_plan()'s. */
/* The changes, problems and warnings, for a terminal. */
void ferry_cli_schema_print(const json_t *doc, const char *workspace,
                            const char *url);
/* FERRY_ECONFIG, with a message, when problems block schema setup;
 * `again` is the command to run once they are fixed. */
int ferry_cli_schema_problems(const json_t *doc, bool json, const char *again);
/* 0 when there is nothing to change, `yes` was given, or a person said
 * yes on the terminal; otherwise an error saying nothing was changed
 * (`how`: what to do without a terminal, e.g. "add --yes"). */
int ferry_cli_schema_ask(const json_t *doc, const char *workspace, bool json,
                         bool yes, const char *how);
/* Makes the changes, printing each outcome (or adding "results" and
 * "result" to `doc` with --json). ferry_schema_setup_apply()'s result. */
int ferry_cli_schema_apply(struct ferry_attio *a, json_t *doc,
                           const char *workspace, bool json);

/* `ferry help <cmd>` and `ferry <cmd> --help`. */
void ferry_cmd_print_help(FILE *f, const struct ferry_cmd *cmd);

#endif
