/* cmd_status.c: `ferry status`: per object, what was staged, what was
 * written, and for everything not written, why. It only reads the
 * workspace, so it works from another terminal while a run goes on. */
#include "util.h"
#include "cmd.h"

/* The statuses whose rows carry reasons, in the order they are shown:
 * the ones not written first; written rows last, for their notes. */
static const enum ferry_ledger_status with_reasons[] = {
    FERRY_LEDGER_FAILED,      FERRY_LEDGER_HELD,    FERRY_LEDGER_SKIPPED,
    FERRY_LEDGER_MERGED,      FERRY_LEDGER_PENDING, FERRY_LEDGER_DELETED,
    FERRY_LEDGER_ROLLED_BACK, FERRY_LEDGER_WRITTEN,
};

struct reasons {
	json_t *array; /* --json */
	const char *indent;
};

static int on_reason(const char *reason, int64_t count, void *payload)
{
	struct reasons *r = payload;

	if (r->array)
		json_array_append_new(r->array,
		                      json_pack("{s:s, s:I}", "reason", reason,
		                                "count", (json_int_t)count));
	else
		printf("%s%6" PRId64 "  %s\n", r->indent, count,
		       *reason ? reason : "(no reason recorded)");
	return 0;
}

/* Written records can carry a note too (a person written without the
 * company its account did not become): listed after the header, once. */
static int on_note(const char *reason, int64_t count, void *payload)
{
	bool *header_done = payload;

	if (!*header_done)
		printf("\nWritten, with a note:\n");
	*header_done = true;
	printf("  %6" PRId64 "  %s\n", count, reason);
	return 0;
}

static int64_t not_decided(const struct ferry_ledger_count *c)
{
	int64_t decided = 0;
	size_t s;

	for (s = 0; s < FERRY_ARRAY_LEN(c->by_status); s++)
		decided += c->by_status[s];
	return c->staged > decided ? c->staged - decided : 0;
}

static int print_text(struct ferry_cli *cli, struct ferry_ledger_count *c,
                      size_t n)
{
	struct reasons r = {NULL, "      "};
	size_t i, k;
	bool any = false, notes = false;
	int error;

	printf("%-16s %8s %8s %7s %7s %8s %7s %8s %10s\n", "object", "staged",
	       "written", "merged", "held", "skipped", "failed", "pending",
	       "not run");
	for (i = 0; i < n; i++)
		printf(
		    "%-16s %8" PRId64 " %8" PRId64 " %7" PRId64 " %7" PRId64
		    " %8" PRId64 " %7" PRId64 " %8" PRId64 " %10" PRId64 "\n",
		    c[i].object, c[i].staged,
		    c[i].by_status[FERRY_LEDGER_WRITTEN],
		    c[i].by_status[FERRY_LEDGER_MERGED],
		    c[i].by_status[FERRY_LEDGER_HELD],
		    c[i].by_status[FERRY_LEDGER_SKIPPED],
		    c[i].by_status[FERRY_LEDGER_FAILED],
		    c[i].by_status[FERRY_LEDGER_PENDING], not_decided(&c[i]));
	for (i = 0; i < n; i++) {
		for (k = 0; k < FERRY_ARRAY_LEN(with_reasons); k++) {
			enum ferry_ledger_status s = with_reasons[k];

			if (s == FERRY_LEDGER_WRITTEN || !c[i].by_status[s])
				continue;
			if (!any)
				printf("\nNot written, and why:\n");
			any = true;
			printf("  %s: %" PRId64 " %s\n", c[i].object,
			       c[i].by_status[s], ferry_ledger_status_name(s));
			if ((error = ferry_ledger_top_reasons(
			         cli->ws, c[i].object, s, 10, on_reason, &r)) <
			    0)
				return error;
		}
	}
	if (!any)
		printf("\nEvery staged record that was run is written.\n");
	for (i = 0; i < n; i++)
		if ((error = ferry_ledger_top_reasons(cli->ws, c[i].object,
		                                      FERRY_LEDGER_WRITTEN, 10,
		                                      on_note, &notes)) < 0)
			return error;
	return 0;
}

static int print_json(struct ferry_cli *cli, struct ferry_ledger_count *c,
                      size_t n)
{
	json_t *objects = json_array(), *doc;
	size_t i, k;
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		json_t *o = json_pack(
		    "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		    "object", c[i].object, "staged", (json_int_t)c[i].staged,
		    "written", (json_int_t)c[i].by_status[FERRY_LEDGER_WRITTEN],
		    "merged", (json_int_t)c[i].by_status[FERRY_LEDGER_MERGED],
		    "held", (json_int_t)c[i].by_status[FERRY_LEDGER_HELD],
		    "rolled_back",
		    (json_int_t)c[i].by_status[FERRY_LEDGER_ROLLED_BACK],
		    "deleted", (json_int_t)c[i].by_status[FERRY_LEDGER_DELETED],
		    "skipped", (json_int_t)c[i].by_status[FERRY_LEDGER_SKIPPED],
		    "failed", (json_int_t)c[i].by_status[FERRY_LEDGER_FAILED],
		    "pending", (json_int_t)c[i].by_status[FERRY_LEDGER_PENDING],
		    "not_run", (json_int_t)not_decided(&c[i]));
		json_t *why = json_object();

		for (k = 0; k < FERRY_ARRAY_LEN(with_reasons) && !error; k++) {
			struct reasons r = {json_array(), ""};

			error = ferry_ledger_top_reasons(cli->ws, c[i].object,
			                                 with_reasons[k], 10,
			                                 on_reason, &r);
			if (json_array_size(r.array))
				json_object_set(
				    why,
				    ferry_ledger_status_name(with_reasons[k]),
				    r.array);
			json_decref(r.array);
		}
		json_object_set_new(o, "reasons", why);
		json_array_append_new(objects, o);
	}
	doc = json_pack("{s:o}", "objects", objects);
	if (!error) {
		ferry_cli_print_json(doc);
	}
	json_decref(doc);
	return error;
}

static const struct ferry_opt status_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

static int status_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct ferry_ledger_count *counts = NULL;
	size_t n = 0;
	int error;

	if ((error = ferry_ledger_counts(&counts, &n, cli->ws)) < 0)
		goto done;
	if (n == 0 && !json) {
		printf("Nothing is staged yet: run 'ferry extract'.\n");
		goto done;
	}
	error = json ? print_json(cli, counts, n) : print_text(cli, counts, n);
done:
	free(counts);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_status = {
    .name = "status",
    .usage = "status [--json]",
    .summary = "Show per object what was staged, written, and why not",
    .help = "For every staged object: how many records were staged,\n"
            "written, merged into another record with the same match key,\n"
            "skipped by a rule, refused by the destination (failed), or\n"
            "are pending (a write was started and its outcome is not yet\n"
            "known: 'ferry run' resends them safely), and the reasons, most\n"
            "common first. It only reads the workspace, so it can run in\n"
            "another terminal while 'ferry run' goes on.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = status_opts,
    .run = status_run,
};
