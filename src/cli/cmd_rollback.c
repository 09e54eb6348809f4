/* cmd_rollback.c: `ferry rollback`: shows, object by object in the reverse
 * of the load order, what undoing the migration does at the destination
 * (deletes what ferry created, restores what it updated, takes out the
 * references it appended, leaves what it found there), asks, then does it
 * through the rollback of rollback.h, with progress on a terminal and a
 * summary at the end. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/rollback.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

struct rb_view {
	bool tty;
	int64_t last_draw_us, started_us;
	const struct ferry_rollback_object *object; /* the line's */
};

static void on_progress(const struct ferry_rollback_object *o, void *payload)
{
	struct rb_view *v = payload;
	int64_t now = ferry_clock_mono_us();
	double secs, rate, eta;
	bool other = v->object != o;

	if (!v->tty ||
	    (!other && now - v->last_draw_us < 200000 && o->done < o->total))
		return;
	if (other) {
		if (v->object)
			fprintf(stderr, "\n");
		v->started_us = now;
	}
	v->object = o;
	v->last_draw_us = now;
	secs = (double)(now - v->started_us) / 1e6;
	rate = secs > 0 ? (double)o->done / secs : 0;
	eta = rate > 0 ? (double)(o->total - o->done) / rate : 0;
	fprintf(stderr,
	        "\r  %-16s -> %-12s %8" PRId64 "/%-8" PRId64
	        " %7.1f rows/s  ETA %5.0fs ",
	        o->object, o->dest_object, o->done, o->total, rate, eta);
}

static int64_t sum_todo(const struct ferry_rollback_report *r,
                        enum ferry_rollback_todo t)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->n_objects; i++)
		n += r->objects[i].todo[t];
	return n;
}

static int64_t to_undo(const struct ferry_rollback_report *r)
{
	return sum_todo(r, FERRY_RB_DELETE) + sum_todo(r, FERRY_RB_RESTORE) +
	       sum_todo(r, FERRY_RB_UNLINK);
}

/* One line per (object, destination): what will be done and left. */
static void print_survey(const struct ferry_rollback_report *r)
{
	/* Before and after each count. */
	static const char *const words[FERRY_RB_TODOS][2] = {
	    [FERRY_RB_DELETE] = {"delete ", " created by ferry"},
	    [FERRY_RB_RESTORE] = {"restore ", " it updated"},
	    [FERRY_RB_UNLINK] = {"take out ", " reference(s) it added"},
	    [FERRY_RB_EXISTED] = {"leave ", " that existed before ferry"},
	    [FERRY_RB_UNKNOWN] = {"leave ", " whose write is not known "
	                                    "(written before ferry recorded "
	                                    "it)"},
	    [FERRY_RB_IN_DOUBT] = {"leave ", " whose write was cut off (no "
	                                     "Attio id)"},
	    [FERRY_RB_DONE] = {"", " rolled back before"},
	};
	size_t i;
	int t;

	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_rollback_object *o = &r->objects[i];
		bool first = true;

		printf("  %-16s -> %-12s ", o->object, o->dest_object);
		for (t = 0; t < FERRY_RB_TODOS; t++) {
			if (!o->todo[t])
				continue;
			printf("%s%s%" PRId64 "%s", first ? "" : ", ",
			       words[t][0], o->todo[t], words[t][1]);
			first = false;
		}
		printf("\n");
	}
}

static json_t *objects_json(const struct ferry_rollback_report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_rollback_object *o = &r->objects[i];

		json_array_append_new(
		    a, json_pack(
		           "{s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, "
		           "s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, "
		           "s:I}}",
		           "object", o->object, "destination", o->dest_object,
		           "kind", ferry_rollback_kind_name(o->kind), "plan",
		           "delete", (json_int_t)o->todo[FERRY_RB_DELETE],
		           "restore", (json_int_t)o->todo[FERRY_RB_RESTORE],
		           "unlink", (json_int_t)o->todo[FERRY_RB_UNLINK],
		           "existed", (json_int_t)o->todo[FERRY_RB_EXISTED],
		           "unknown", (json_int_t)o->todo[FERRY_RB_UNKNOWN],
		           "in_doubt", (json_int_t)o->todo[FERRY_RB_IN_DOUBT],
		           "rolled_back_before",
		           (json_int_t)o->todo[FERRY_RB_DONE], "done",
		           "deleted", (json_int_t)o->deleted, "restored",
		           (json_int_t)o->restored, "unlinked",
		           (json_int_t)o->unlinked, "gone", (json_int_t)o->gone,
		           "with_record", (json_int_t)o->with_it, "partial",
		           (json_int_t)o->partial, "refused",
		           (json_int_t)o->refused));
	}
	return a;
}

static void print_summary(const struct ferry_rollback_report *r)
{
	int64_t refused = 0, partial = 0;
	size_t i;
	const json_t *n;

	printf("\n%-16s %-12s %8s %8s %8s %8s %8s %8s\n", "object",
	       "destination", "deleted", "restored", "unlinked", "gone",
	       "partial", "refused");
	for (i = 0; i < r->n_objects; i++) {
		const struct ferry_rollback_object *o = &r->objects[i];

		printf("%-16s %-12s %8" PRId64 " %8" PRId64 " %8" PRId64
		       " %8" PRId64 " %8" PRId64 " %8" PRId64 "\n",
		       o->object, o->dest_object, o->deleted, o->restored,
		       o->unlinked + o->with_it, o->gone, o->partial,
		       o->refused);
		refused += o->refused;
		partial += o->partial;
	}
	printf("\nAttio: %" PRId64 " requests, %" PRId64 " retried, %" PRId64
	       " rate-limited (429), %" PRId64 " server errors (5xx).\n",
	       r->http.requests, r->http.retries, r->http.rate_limited,
	       r->http.server_errors);
	json_array_foreach(r->notes, i, n)
	{
		if (i == 0)
			printf("\n");
		if (i == 20) {
			printf("  ... and %zu more ('ferry audit' has them "
			       "all)\n",
			       json_array_size(r->notes) - 20 +
			           (size_t)r->notes_dropped);
			break;
		}
		printf("  %s %s (%s %s): %s: %s\n", ferry_cli_jstr(n, "object"),
		       ferry_cli_jstr(n, "source_id"),
		       ferry_cli_jstr(n, "dest_object"),
		       ferry_cli_jstr(n, "dest_id"), ferry_cli_jstr(n, "what"),
		       ferry_cli_jstr(n, "message"));
	}
	if (partial)
		printf("\n%" PRId64 " record%s restored except attributes "
		       "changed in Attio after ferry wrote them (listed "
		       "above): those keep today's values.\n",
		       partial, partial == 1 ? " was" : "s were");
	if (refused)
		printf("\n%" PRId64 " row%s not undone (listed above): each "
		       "stays as it was in the ledger. Fix the cause, then "
		       "'ferry rollback' again does the rest.\n",
		       refused, refused == 1 ? " was" : "s were");
	else
		printf("\nRolled back. 'ferry run' writes the migration again "
		       "(it plans again first).\n");
}

/* 0 once a person said yes (or --yes); otherwise nothing is changed. */
static int ask(const struct ferry_rollback_report *r, const char *workspace,
               bool json, bool yes)
{
	int64_t n = to_undo(r);

	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return ferry_error_set(
		    FERRY_EUSAGE,
		    "rolling back changes %" PRId64 " row%s in Attio and there "
		    "is no terminal to ask on: review them with 'ferry "
		    "rollback --dry-run', then run 'ferry rollback --yes'. "
		    "Nothing was changed",
		    n, n == 1 ? "" : "s");
	if (!ferry_cli_confirm(json,
	                       "\nRoll back %" PRId64 " row%s in Attio "
	                       "workspace '%s'?",
	                       n, n == 1 ? "" : "s", workspace))
		return ferry_error_set(FERRY_ERROR,
		                       "not confirmed: nothing was changed");
	return 0;
}

static const struct ferry_opt rollback_opts[] = {
    {"--dry-run", NULL, "show what would be done; change nothing"},
    {"--yes", NULL, "do not ask (for scripts)"},
    {"--object", "<name>", "only the rows of this Salesforce object"},
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

/* mapping.yaml for the order; without it (or when it does not load) the
 * order goes by kind. */
static struct ferry_mapfile *mapping(struct ferry_cli *cli)
{
	struct ferry_mapfile *m = NULL;

	if (ferry_cli_load_mapping(&m, cli) < 0) {
		fprintf(stderr,
		        "ferry rollback: %s\n  Rolling back in the order of "
		        "kinds instead: links, notes and tasks, list entries, "
		        "then records.\n",
		        ferry_error_last());
		return NULL;
	}
	return m;
}

static int run_rollback(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	bool yes = ferry_cli_flag(cli, "--yes");
	bool dry = ferry_cli_flag(cli, "--dry-run");
	const char *only = ferry_cli_opt(cli, "--object");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_rollback_report survey, report;
	struct ferry_rollback_config rc;
	struct ferry_attio *attio = NULL;
	struct ferry_mapfile *m = NULL;
	struct ferry_http_opts ho;
	struct rb_view view;
	json_t *doc = NULL;
	size_t i;
	int error = 0, code = FERRY_EXIT_OK;

	memset(&survey, 0, sizeof(survey));
	memset(&report, 0, sizeof(report));
	memset(&view, 0, sizeof(view));
	if (dry && yes)
		return ferry_cli_usage(cli, "--dry-run changes nothing: it "
		                            "takes no --yes");
	m = mapping(cli);
	if ((error = ferry_rollback_survey(&survey, cli->ws, m, only)) < 0)
		goto fail;
	if (only && !survey.n_objects) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "the ledger has no row of '%s' that "
		                        "reached Attio ('ferry status' lists "
		                        "the objects)",
		                        only);
		goto fail;
	}
	if (!json) {
		if (survey.n_objects)
			printf("What ferry wrote to Attio (%s), in reverse "
			       "load order:\n",
			       cli->cfg->dest_base_url);
		print_survey(&survey);
	}
	if (!to_undo(&survey) || dry) {
		if (json) {
			doc = json_pack(
			    "{s:o, s:b, s:s}", "objects", objects_json(&survey),
			    "dry_run", dry, "result",
			    to_undo(&survey) ? "dry_run" : "nothing");
			ferry_cli_print_json(doc);
		} else if (!to_undo(&survey)) {
			printf("%sNothing to roll back.\n",
			       survey.n_objects ? "\n" : "");
		} else {
			printf("\nDry run: nothing was changed. 'ferry "
			       "rollback' does it (it asks first).\n");
		}
		goto done;
	}
	if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0 ||
	    (error = ask(&survey, name.len ? name.ptr : "?", json, yes)) < 0)
		goto fail;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!json)
		printf("\nRolling back in Attio workspace '%s'\n",
		       name.len ? name.ptr : "?");
	memset(&ho, 0, sizeof(ho));
	ho.base_url = cli->cfg->dest_base_url;
	ho.token = token.ptr;
	ho.name = "Attio";
	ho.write_rate = cli->cfg->dest_write_rate;
	ho.read_rate = cli->cfg->dest_read_rate;
	memset(&rc, 0, sizeof(rc));
	rc.http = &ho;
	rc.only = only;
	rc.progress = on_progress;
	rc.payload = &view;
	rc.stop = &stop_requested;
	view.tty = !json && isatty(2);
	error = ferry_rollback_run(cli->ws, m, &rc, &report);
	if (view.tty && view.object)
		fprintf(stderr, "\n");
	/* The plan may name records this rollback deleted: the next run
	 * plans again first, against Attio as it is now. */
	if (ferry_workspace_meta_set(cli->ws, FERRY_PLAN_FINGERPRINT_KEY,
	                             "rolled back") < 0 &&
	    !error)
		error = FERRY_EDB;
	if (error < 0 && error != FERRY_EHALTED && !report.n_objects)
		goto fail;
	if (json) {
		doc = json_pack(
		    "{s:o, s:b, s:s, s:O, s:I, s:{s:I, s:I, s:I, s:I, s:I}}",
		    "objects", objects_json(&report), "dry_run", 0, "workspace",
		    name.len ? name.ptr : "", "notes", report.notes,
		    "notes_dropped", (json_int_t)report.notes_dropped,
		    "requests", "sent", (json_int_t)report.http.requests,
		    "retried", (json_int_t)report.http.retries, "rate_limited",
		    (json_int_t)report.http.rate_limited, "server_errors",
		    (json_int_t)report.http.server_errors, "transport_errors",
		    (json_int_t)report.http.transport_errors);
		json_object_set_new(
		    doc, "result", json_string(error < 0 ? "stopped" : "done"));
		ferry_cli_print_json(doc);
	} else {
		print_summary(&report);
	}
	for (i = 0; i < report.n_objects; i++)
		if (report.objects[i].refused)
			code = FERRY_EXIT_RECORDS;
	if (error < 0)
		goto fail;
	goto done;
fail:
	code = ferry_cli_fail(cli, error);
done:
	json_decref(doc);
	ferry_rollback_report_release(&survey);
	ferry_rollback_report_release(&report);
	ferry_mapfile_free(m);
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return code;
}

const struct ferry_cmd ferry_cmd_rollback = {
    .name = "rollback",
    .usage = "rollback [--dry-run] [--yes] [--object <name>] [--json]",
    .summary = "Undo the migration in the destination",
    .help = "Undoes what 'ferry run' wrote to Attio, by the ledger, object\n"
            "by object in the reverse of the load order: what ferry\n"
            "created is deleted (notes, tasks and list entries too), what\n"
            "it updated gets back the values it had before ferry's first\n"
            "write, a reference it added to a record is taken out again,\n"
            "and what an assert found there is left, said so. An attribute\n"
            "someone changed in Attio after ferry wrote it keeps today's\n"
            "value (the summary lists it). It first shows what it will do\n"
            "and asks (without a terminal it needs --yes; --dry-run only\n"
            "shows). Safe to stop at any moment and run again: rows done\n"
            "are skipped, the rest goes on. Each undone row is\n"
            "rolled_back in the ledger, with an audit event; 'ferry run'\n"
            "afterwards writes the migration again.\n"
            "The token is read from the environment variable named by\n"
            "destination.token_env (never from the command line).\n"
            "Exit status 6 when Attio refused some rows (they stay as\n"
            "they were), 5 when Attio cannot be reached.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = rollback_opts,
    .run = run_rollback,
};
