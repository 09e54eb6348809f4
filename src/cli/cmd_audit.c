/* cmd_audit.c: `ferry audit`: the append-only story of the records. */
#include "util.h"
#include "cmd.h"

struct audit_out {
	json_t *array;
	int64_t count;
};

static int on_event(const struct ferry_audit_event *e, void *payload)
{
	struct audit_out *o = payload;

	o->count++;
	if (o->array) {
		json_array_append_new(
		    o->array,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
		              (json_int_t)e->seq, "at", e->at, "stage",
		              e->stage, "object", e->object, "record",
		              e->source_id, "event", e->event, "detail",
		              e->detail ? e->detail : ""));
		return 0;
	}
	printf("%s  %-8s %-10s %-20s %-9s %s\n", e->at, e->stage, e->object,
	       e->source_id, e->event, e->detail ? e->detail : "");
	return 0;
}

static const struct ferry_opt audit_opts[] = {
    {"--object", "<name>", "only the events of this object"},
    {"--record", "<id>", "only the events of this source record"},
    {"--json", NULL, "print the events as a JSON array"},
    {NULL, NULL, NULL},
};

static int audit_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	const char *object = ferry_cli_opt(cli, "--object");
	const char *record = ferry_cli_opt(cli, "--record");
	struct audit_out out = {NULL, 0};
	int error;

	if (json)
		out.array = json_array();
	error = ferry_audit_foreach(cli->ws, object, record, on_event, &out);
	if (error < 0) {
		json_decref(out.array);
		return ferry_cli_fail(cli, error);
	}
	if (json) {
		json_dumpf(out.array, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(out.array);
	} else if (out.count == 0) {
		printf("No audit events%s%s.\n", record ? " for record " : "",
		       record ? record : "");
	}
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_audit = {
    .name = "audit",
    .usage = "audit [--object <name>] [--record <id>] [--json]",
    .summary = "Show the audit log: every decision and write, in order",
    .help = "Prints the workspace's append-only audit log: when, which\n"
            "stage, which record, what happened and why. --record <id>\n"
            "tells one record's story; --object <name> keeps one object.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = audit_opts,
    .run = audit_run,
};
