/* queue_cmd.h: what the files of `ferry queue` share, private to src/cli
 * and prefixed queue_: its options and the re-plan every change ends with
 * (cmd_queue.c), reasons and their groups as they are printed
 * (queue_view.c), and the subcommands (list and show in queue_view.c; edit,
 * retry and skip in queue_change.c). */
#ifndef FERRY_CLI_QUEUE_CMD_H
#define FERRY_CLI_QUEUE_CMD_H

#include "cmd.h"
#include "ferry/plan.h"

/* The options, in queue_opts order: each subcommand says which it takes. */
enum {
	O_OBJECT,
	O_CODE,
	O_FIELD,
	O_ALL,
	O_JSON,
	O_OFFLINE,
	O_UNSET,
	O_CLEAR,
	O_REASON,
};

/* Option `o`'s value: NULL if it was not given, "" for a flag that was. */
const char *queue_opt(const struct ferry_cli *cli, int o);
/* An option's value for a filter: "" is no filter, as in queue.h. */
const char *queue_filter_opt(const struct ferry_cli *cli, int o);

/*
 * Re-planning: the inputs `ferry plan` reads, read before anything
 * changes (a mapping.yaml that does not load changes nothing), then the
 * records asked for and what they touch.
 */

struct queue_replan {
	struct ferry_mapfile *m;
	json_t *schema;
	struct ferry_attio *dest;
	struct ferry_plan_stats stats;
	bool tty, drawn;
	int64_t last_draw_us;
};

/* Reads the inputs into `r` (which queue_replan_release frees even when
 * this fails) and from then on lets SIGINT and SIGTERM stop the plan
 * cleanly. `json`: no progress line. */
int queue_replan_prepare(struct ferry_cli *cli, struct queue_replan *r,
                         bool json);
void queue_replan_release(struct queue_replan *r);
/* Re-plans `refs` and what they touch, then writes the plan report. */
int queue_replan_run(struct ferry_cli *cli, struct queue_replan *r,
                     const struct ferry_plan_ref *refs, size_t n);

/*
 * Printing (queue_view.c).
 */

/* A JSON value as one line: strings quoted and escaped, so a value with
 * control characters cannot reach the terminal as they are. */
void queue_put_value(const json_t *v);
/* Each reason of a decision, with what releases it when `release`. */
void queue_print_reasons(const json_t *reasons, const char *indent,
                         bool release);

/* Reasons grouped by object, field and code, as `ferry plan` groups them. */
struct queue_groups {
	json_t *by_key; /* "object\x1f field\x1f code" -> group */
};

void queue_groups_add(struct queue_groups *g, const char *object,
                      const json_t *reason);
/* The groups by object, then most common first, then by field and code:
 * a new reference. */
json_t *queue_groups_sorted(struct queue_groups *g);
/* "  Account: 7 held" then each group and what releases it. */
void queue_print_groups(const json_t *groups, const json_t *per_object);
/* One more held record of `object` in `per_object` (object -> count). */
void queue_count_object(json_t *per_object, const char *object);

/*
 * The subcommands: `args` are those after the subcommand's name, already
 * counted; each returns an enum ferry_exit.
 */

int queue_list(struct ferry_cli *cli, char **args, int nargs);
int queue_show(struct ferry_cli *cli, char **args, int nargs);
int queue_edit(struct ferry_cli *cli, char **args, int nargs);
int queue_retry(struct ferry_cli *cli, char **args, int nargs);
int queue_skip(struct ferry_cli *cli, char **args, int nargs);

#endif
