/* cmd_queue.c: `ferry queue`, the conflict queue (queue.h) worked from the
 * command line: its options, its dispatch to the subcommands (list and show
 * in queue_view.c; edit, retry and skip in queue_change.c) and the re-plan
 * each change ends with. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "queue_cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/plan_report.h"

#define BIT(o) (1u << (o))

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

static const struct ferry_opt queue_opts[] = {
    [O_OBJECT] = {"--object", "<name>", "list: only this object's records"},
    [O_CODE] = {"--code", "<code>",
                "list, retry: only records with a reason of this code"},
    [O_FIELD] = {"--field", "<field>",
                 "list, retry: only records with a reason on this field"},
    [O_ALL] = {"--all", NULL, "list: every held record, not the first 50"},
    [O_JSON] = {"--json", NULL, "list, show, retry: print JSON"},
    [O_OFFLINE] = {"--offline", NULL,
                   "edit, retry, skip: re-plan without reading the "
                   "destination (as 'ferry plan --offline')"},
    [O_UNSET] = {"--unset", "<field>",
                 "edit: remove the override of this field"},
    [O_CLEAR] = {"--clear", NULL,
                 "edit: remove every override of the record, and its skip"},
    [O_REASON] = {"--reason", "<text>",
                  "skip: why the record is left out (required)"},
    {NULL, NULL, NULL},
};

const char *queue_opt(const struct ferry_cli *cli, int o)
{
	return cli->opt_values[o];
}

const char *queue_filter_opt(const struct ferry_cli *cli, int o)
{
	const char *v = cli->opt_values[o];

	return v && *v ? v : NULL;
}

/*
 * Re-planning: each change re-plans at once the records it touches
 * (ferry_plan_records), with the inputs `ferry plan` reads, so the plan is
 * always the one a whole plan would give.
 */

static void on_progress(const struct ferry_plan_progress *p, void *payload)
{
	struct queue_replan *r = payload;
	int64_t now = ferry_clock_mono_us();

	if (!r->tty || now - r->last_draw_us < 200000)
		return;
	r->last_draw_us = now;
	r->drawn = true;
	fprintf(stderr, "\r  re-planning %-22s %9" PRId64 "/%-9" PRId64 " ",
	        p->object, p->done, p->total);
}

int queue_replan_prepare(struct ferry_cli *cli, struct queue_replan *r,
                         bool json)
{
	int error;

	memset(r, 0, sizeof(*r));
	r->tty = !json && isatty(2);
	/* From here a stop request is seen by the plan (opts.stop): a
	 * change being made completes, and the plan stops cleanly. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((error = ferry_cli_load_mapping(&r->m, cli)) < 0)
		return error;
	if (!queue_opt(cli, O_OFFLINE))
		r->schema =
		    ferry_cli_read_destination(cli, r->m, json, &r->dest);
	return 0;
}

void queue_replan_release(struct queue_replan *r)
{
	ferry_plan_stats_release(&r->stats);
	ferry_attio_free(r->dest);
	json_decref(r->schema);
	ferry_mapfile_free(r->m);
}

int queue_replan_run(struct ferry_cli *cli, struct queue_replan *r,
                     const struct ferry_plan_ref *refs, size_t n)
{
	struct ferry_plan_opts o;
	int error;

	memset(&o, 0, sizeof(o));
	o.schema = r->schema;
	o.dest = r->dest;
	o.progress = on_progress;
	o.payload = r;
	o.stop = &stop_requested;
	error = ferry_plan_records(cli->ws, r->m, &o, refs, n, &r->stats);
	if (r->drawn)
		fprintf(stderr, "\r%60s\r", "");
	if (error == FERRY_EHALTED)
		ferry_error_wrap(error,
		                 "the change is kept and the plan does not "
		                 "show it yet: run 'ferry queue retry' (or "
		                 "'ferry plan')");
	if (error < 0)
		return error;
	return ferry_report_plan_write(cli->ws, &r->stats);
}

/*
 * The subcommands.
 */

struct sub {
	const char *name;
	const char *usage;
	unsigned opts;
	int min_args, max_args; /* after the subcommand's name; -1: any */
	int (*run)(struct ferry_cli *cli, char **args, int nargs);
};

static const struct sub subs[] = {
    {"list", "queue list [--object O] [--code C] [--field F] [--all] [--json]",
     BIT(O_OBJECT) | BIT(O_CODE) | BIT(O_FIELD) | BIT(O_ALL) | BIT(O_JSON), 0,
     0, queue_list},
    {"show", "queue show <object> <id> [--json]", BIT(O_JSON), 2, 2,
     queue_show},
    {"edit",
     "queue edit <object> <id> <Field>=<value>... [--unset <Field>] "
     "[--clear] [--offline]",
     BIT(O_UNSET) | BIT(O_CLEAR) | BIT(O_OFFLINE), 2, -1, queue_edit},
    {"retry",
     "queue retry [<object> [<id>...]] [--code C] [--field F] [--json] "
     "[--offline]",
     BIT(O_CODE) | BIT(O_FIELD) | BIT(O_JSON) | BIT(O_OFFLINE), 0, -1,
     queue_retry},
    {"skip", "queue skip <object> <id>... --reason \"<text>\" [--offline]",
     BIT(O_REASON) | BIT(O_OFFLINE), 2, -1, queue_skip},
};

static int queue_run(struct ferry_cli *cli)
{
	const struct sub *s = NULL;
	int nargs = cli->nargs - 1, o;
	size_t i;

	if (cli->nargs < 1)
		return ferry_cli_usage(cli, "say which: list, show, edit, "
		                            "retry or skip");
	for (i = 0; i < FERRY_ARRAY_LEN(subs) && !s; i++)
		if (!strcmp(subs[i].name, cli->args[0]))
			s = &subs[i];
	if (!s)
		return ferry_cli_usage(cli,
		                       "'%s' is not a queue command: list, "
		                       "show, edit, retry or skip",
		                       cli->args[0]);
	for (o = O_OBJECT; o <= O_REASON; o++)
		if (cli->opt_values[o] && !(s->opts & BIT(o)))
			return ferry_cli_usage(cli,
			                       "'queue %s' takes no %s: ferry "
			                       "%s",
			                       s->name, queue_opts[o].name,
			                       s->usage);
	if (nargs < s->min_args || (s->max_args >= 0 && nargs > s->max_args))
		return ferry_cli_usage(cli, "wrong arguments: ferry %s",
		                       s->usage);
	return s->run(cli, cli->args + 1, nargs);
}

const struct ferry_cmd ferry_cmd_queue = {
    .name = "queue",
    .usage = "queue list | show | edit | retry | skip [<args>]",
    .summary = "Work the conflict queue: the held records and what "
               "releases them",
    .help =
        "The records the plan holds, each with its reasons and what\n"
        "releases it, and the ways to release them:\n"
        "  queue list [--object O] [--code C] [--field F] [--all] [--json]\n"
        "  queue show <object> <id> [--json]\n"
        "  queue edit <object> <id> <Field>=<value>... [--unset <Field>] "
        "[--clear]\n"
        "  queue retry [<object> [<id>...]] [--code C] [--field F] "
        "[--json]\n"
        "  queue skip <object> <id>... --reason \"<text>\"\n"
        "An override (edit) is a value the plan reads instead of the\n"
        "staged one, which stays as Salesforce gave it; a skip leaves the\n"
        "record out, with the reason given. After a fix in mapping.yaml\n"
        "or Attio, retry re-plans the held records. Each change re-plans\n"
        "at once the records it touches, with the inputs 'ferry plan'\n"
        "reads (--offline as there), and is an audit event.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = queue_opts,
    .max_args = 10000,
    .run = queue_run,
};
