/* cmd_run.c: `ferry run`: load the staged records into the destination,
 * with progress on a terminal and a per-object summary at the end. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/load.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

struct run_view {
	bool tty;
	int64_t last_draw_us;
};

/* One line per object, redrawn at most 5 times a second. */
static void on_progress(const struct ferry_load_progress *p, void *payload)
{
	struct run_view *v = payload;
	int64_t now = ferry_clock_mono_us();
	double secs, rate, eta;

	if (!v->tty || (now - v->last_draw_us < 200000 && p->done < p->total))
		return;
	v->last_draw_us = now;
	secs = (double)(now - p->started_us) / 1e6;
	rate = secs > 0 ? (double)p->done / secs : 0;
	eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
	fprintf(stderr,
	        "\r  %-12s -> %-10s %8" PRId64 "/%-8" PRId64
	        " %7.1f rec/s  ETA %5.0fs ",
	        p->object, p->dest_object[0] ? p->dest_object : "-", p->done,
	        p->total, rate, eta);
	if (p->done >= p->total)
		fprintf(stderr, "\n");
}

static void print_summary(const struct ferry_load_stats *s, size_t n,
                          const struct ferry_http_stats *hs)
{
	size_t i;

	printf("\n%-16s %-11s %8s %8s %9s %7s %8s %7s\n", "object",
	       "destination", "staged", "written", "unchanged", "merged",
	       "skipped", "failed");
	for (i = 0; i < n; i++)
		printf("%-16s %-11s %8" PRId64 " %8" PRId64 " %9" PRId64
		       " %7" PRId64 " %8" PRId64 " %7" PRId64 "\n",
		       s[i].object,
		       s[i].dest_object[0] ? s[i].dest_object : "-",
		       s[i].staged, s[i].written, s[i].unchanged, s[i].merged,
		       s[i].skipped, s[i].failed);
	printf("\nAttio: %" PRId64 " requests, %" PRId64 " retried, %" PRId64
	       " rate-limited (429).\n",
	       hs->requests, hs->retries, hs->rate_limited);
	printf("Every record has a decision: 'ferry status' shows why any "
	       "was not written.\n");
}

static json_t *summary_json(const struct ferry_load_stats *s, size_t n,
                            const struct ferry_http_stats *hs)
{
	json_t *objects = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(
		    objects,
		    json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I}",
		              "object", s[i].object, "destination",
		              s[i].dest_object[0] ? s[i].dest_object : NULL,
		              "staged", (json_int_t)s[i].staged, "written",
		              (json_int_t)s[i].written, "unchanged",
		              (json_int_t)s[i].unchanged, "merged",
		              (json_int_t)s[i].merged, "skipped",
		              (json_int_t)s[i].skipped, "failed",
		              (json_int_t)s[i].failed));
	return json_pack("{s:o, s:{s:I, s:I, s:I}}", "objects", objects,
	                 "requests", "sent", (json_int_t)hs->requests,
	                 "retried", (json_int_t)hs->retries, "rate_limited",
	                 (json_int_t)hs->rate_limited);
}

static const struct ferry_opt run_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

static int run_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	struct ferry_load_stats *stats = NULL;
	struct ferry_load_opts lo;
	struct run_view view = {false, 0};
	size_t n = 0, i;
	int error, code = FERRY_EXIT_OK;

	if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0) {
		code = ferry_cli_fail(cli, error);
		goto done;
	}
	if (!json)
		printf("Loading into Attio workspace '%s' at %s\n",
		       name.len ? name.ptr : "?", cli->cfg->dest_base_url);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	view.tty = !json && isatty(2);
	memset(&lo, 0, sizeof(lo));
	lo.progress = on_progress;
	lo.payload = &view;
	lo.stop = &stop_requested;
	error = ferry_load_run(cli->ws, attio, &lo, &stats, &n);
	if (view.tty)
		fprintf(stderr, "\n");
	if (error < 0) {
		code = ferry_cli_fail(cli, error);
		/* The destination failed us, not the workspace: say that
		 * the next run picks up where this one stopped. */
		if (error == FERRY_ECONN || error == FERRY_ETIMEOUT ||
		    error == FERRY_ERATELIMIT || error == FERRY_EHTTP)
			fprintf(stderr,
			        "Nothing is lost: the ledger holds every "
			        "record written so far. Run 'ferry run' again "
			        "to resume.\n");
		goto done;
	}
	if (json) {
		json_t *doc = summary_json(
		    stats, n, ferry_http_stats(ferry_attio_http(attio)));

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		print_summary(stats, n,
		              ferry_http_stats(ferry_attio_http(attio)));
	}
	for (i = 0; i < n; i++)
		if (stats[i].failed)
			code = FERRY_EXIT_RECORDS;
done:
	free(stats);
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return code;
}

const struct ferry_cmd ferry_cmd_run = {
    .name = "run",
    .usage = "run [--json]",
    .summary = "Load the staged records into the destination",
    .help = "Writes every staged record to the destination in dependency\n"
            "order (companies before the people linked to them), each one\n"
            "an assert on its unique attribute (domain, email), with a\n"
            "ledger row before and after every write. Records that cannot\n"
            "be written get a reason instead ('ferry status' lists them).\n"
            "Running it again sends only what is new or changed: a\n"
            "re-run of an unchanged workspace makes no write at all.\n"
            "Ctrl-C stops after the current record; run again to resume.\n"
            "The token is read from the environment variable named by\n"
            "destination.token_env (never from the command line).\n"
            "Exit status 6 when some records were refused by the\n"
            "destination.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = run_opts,
    .run = run_run,
};
