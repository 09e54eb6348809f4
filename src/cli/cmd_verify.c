/* cmd_verify.c: `ferry verify`: after `ferry run`, proof that Attio holds
 * what the plan said. Per object (and record type) a balanced or
 * unbalanced headline, then the problems with their ids: records written
 * and not in Attio, references naming another record, sampled values
 * that differ, records whose plan and ledger disagree. Also --json and
 * reports/verify.html. `--offline` does the counts alone. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/verify.h"

/* Problems printed per kind on a terminal (the page and --json list
 * more). */
#define SHOWN 20

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

struct view {
	bool tty, drawn;
};

static void on_progress(const struct ferry_verify_progress *p, void *payload)
{
	struct view *v = payload;

	if (!v->tty)
		return;
	v->drawn = true;
	if (p->total)
		fprintf(stderr, "\r  %-9s %-24.24s %9" PRId64 "/%-9" PRId64 " ",
		        p->phase, p->what, p->done, p->total);
	else
		fprintf(stderr, "\r  %-9s %-24.24s %9" PRId64 "%-10s ",
		        p->phase, p->what, p->done, "");
}

static int64_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
	return ferry_cli_jstr(o, key);
}

static bool problems_of(const json_t *o)
{
	return num(o, "missing") || num(o, "wrong_references") ||
	       num(o, "mismatched");
}

/* "32 staged = 19 written + 6 merged + 7 held + 0 skipped + 1 failed". */
static void equation(const json_t *o)
{
	static const char *const keys[][2] = {
	    {"written", "written"},
	    {"merged", "merged"},
	    {"held", "held"},
	    {"skipped", "skipped"},
	    {"rolled_back", "rolled back"},
	    {"deleted", "deleted"},
	    {"failed", "failed"},
	    {"pending", "pending"},
	    {"not_run", "not run"},
	};
	size_t i;

	printf("%" PRId64 " staged =", num(o, "staged"));
	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
		if (i > 3 && !num(o, keys[i][0]))
			continue;
		printf("%s%" PRId64 " %s", i ? " + " : " ", num(o, keys[i][0]),
		       keys[i][1]);
	}
	if (num(o, "disagreements"))
		printf("  (%" PRId64 " disagree with the plan)",
		       num(o, "disagreements"));
	printf("\n");
}

static const char *headline(const json_t *o)
{
	return json_is_true(json_object_get(o, "balanced")) ? "balanced"
	                                                    : "UNBALANCED";
}

/* "    in Attio: 1 missing, 2 values differ", when anything is wrong. */
static void attio_line(const json_t *o)
{
	static const char *const keys[][3] = {
	    {"missing", "missing", "missing"},
	    {"wrong_references", "wrong reference", "wrong references"},
	    {"mismatched", "value differs", "values differ"},
	};
	size_t i;
	bool first = true;

	if (!problems_of(o))
		return;
	printf("%-32s in Attio:", "");
	for (i = 0; i < FERRY_ARRAY_LEN(keys); i++) {
		int64_t n = num(o, keys[i][0]);

		if (!n)
			continue;
		printf("%s %" PRId64 " %s", first ? "" : ",", n,
		       keys[i][n == 1 ? 1 : 2]);
		first = false;
	}
	printf("\n");
}

static void print_objects(const json_t *report)
{
	const json_t *o, *t, *d;
	size_t i, k;

	json_array_foreach(json_object_get(report, "objects"), i, o)
	{
		char dest[200] = "";
		const json_t *types = json_object_get(o, "record_types");

		json_array_foreach(json_object_get(o, "destinations"), k, d)
		{
			size_t len = strlen(dest);

			snprintf(dest + len, sizeof(dest) - len, "%s%s",
			         k ? "," : "", json_string_value(d));
		}
		printf("%-16s -> %-12s %-10s  ", str(o, "object"),
		       *dest ? dest : "-", headline(o));
		equation(o);
		attio_line(o);
		if (json_array_size(types) < 2 &&
		    !*str(json_array_get(types, 0), "id"))
			continue;
		json_array_foreach(types, k, t)
		{
			char label[120];

			if (*str(t, "id"))
				snprintf(label, sizeof(label), "%s (%s)",
				         *str(t, "name") ? str(t, "name")
				                         : "record type",
				         str(t, "id"));
			else
				snprintf(label, sizeof(label),
				         "(no record type)");
			printf("    %-41s %-10s  ", label, headline(t));
			equation(t);
		}
	}
}

static void print_section(const json_t *report, const char *key,
                          const char *title, void (*line)(const json_t *item))
{
	const json_t *sec = json_object_get(report, key), *it;
	int64_t total = num(sec, "total");
	size_t i;

	if (!total)
		return;
	printf("\n%s: %" PRId64 "\n", title, total);
	json_array_foreach(json_object_get(sec, "items"), i, it)
	{
		if (i == SHOWN)
			break;
		printf("  ");
		line(it);
	}
	if (total > SHOWN)
		printf("  ... and %" PRId64 " more (ferry verify --json, "
		       "reports/verify.html)\n",
		       total - SHOWN);
}

static void missing_line(const json_t *it)
{
	printf("%s %s -> %s %s: %s\n", str(it, "object"), str(it, "source_id"),
	       str(it, "dest_object"), str(it, "dest_id"), str(it, "why"));
}

static void reference_line(const json_t *it)
{
	printf("%s %s -> %s %s: %s names %s, expected %s (%s %s)\n",
	       str(it, "object"), str(it, "source_id"), str(it, "dest_object"),
	       str(it, "dest_id"), str(it, "attribute"), str(it, "found"),
	       str(it, "expected"), str(it, "target_object"),
	       str(it, "target_source_id"));
}

static void value_line(const json_t *it)
{
	printf("%s %s -> %s %s: %s (%s): expected \"%s\", found \"%s\"\n",
	       str(it, "object"), str(it, "source_id"), str(it, "dest_object"),
	       str(it, "dest_id"), str(it, "attribute"), str(it, "type"),
	       str(it, "expected"), str(it, "found"));
}

static void disagree_line(const json_t *it)
{
	printf("%s %s: plan %s, ledger %s: %s\n", str(it, "object"),
	       str(it, "source_id"), str(it, "decision"), str(it, "ledger"),
	       str(it, "why"));
}

static void print_text(const json_t *r, const char *workspace, const char *url)
{
	const json_t *reads = json_object_get(r, "reads");
	const json_t *vals = json_object_get(r, "values");
	bool online = json_is_true(json_object_get(r, "online"));
	int64_t problems = 0;
	const json_t *o;
	size_t i;

	if (online)
		printf("Verified against Attio workspace '%s' at %s: %" PRId64
		       " records read back in %" PRId64
		       " requests, %.1f s.\n\n",
		       workspace, url, num(reads, "records"),
		       num(reads, "requests"),
		       json_number_value(json_object_get(reads, "seconds")));
	else
		printf("Verified offline: the counts only (Attio was not "
		       "read).\n\n");
	print_objects(r);
	print_section(r, "missing", "Written, not in Attio", missing_line);
	print_section(r, "references", "References naming another record",
	              reference_line);
	print_section(r, "values", "Sampled values that differ", value_line);
	print_section(r, "disagreements", "Plan and ledger disagree",
	              disagree_line);
	json_array_foreach(json_object_get(r, "objects"), i, o)
	{
		problems +=
		    num(o, "failed") + num(o, "pending") + num(o, "not_run");
	}
	problems += num(json_object_get(r, "missing"), "total") +
	            num(json_object_get(r, "references"), "total") +
	            num(vals, "total") +
	            num(json_object_get(r, "disagreements"), "total");
	printf("\n");
	if (online)
		printf("References checked: %" PRId64
		       "; values compared: %" PRId64 " in %" PRId64
		       " sampled records.\n",
		       num(json_object_get(r, "references"), "checked"),
		       num(vals, "compared"), num(vals, "records"));
	if (json_is_true(json_object_get(r, "clean")))
		printf("Clean: every staged record is accounted for%s.\n",
		       online ? ", and Attio holds what was written, as planned"
		              : "");
	else
		printf("Not clean: %" PRId64 " problem%s (above).\n", problems,
		       problems == 1 ? "" : "s");
	printf("Report: %s\n", FERRY_REPORT_VERIFY_HTML);
}

static int parse_sample(struct ferry_cli *cli, int64_t *out)
{
	const char *s = ferry_cli_opt(cli, "--sample");
	int64_t n;

	*out = 0;
	if (!s)
		return 0;
	if (!strcmp(s, "all")) {
		*out = FERRY_VERIFY_SAMPLE_ALL;
		return 0;
	}
	if (ferry_parse_i64(s, &n) < 0 || n < 1)
		return ferry_cli_usage(cli,
		                       "--sample takes a number of records "
		                       "(1 or more) or 'all', not '%s'",
		                       s);
	*out = n;
	return 0;
}

static const struct ferry_opt verify_opts[] = {
    {"--json", NULL, "print the report as JSON"},
    {"--offline", NULL, "only the counts: do not read Attio"},
    {"--sample", "<n|all>",
     "written records per object whose values are compared (default 200)"},
    {NULL, NULL, NULL},
};

static int run_verify(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	bool offline = ferry_cli_flag(cli, "--offline");
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	struct ferry_mapfile *m = NULL;
	struct ferry_verify_opts vo;
	struct ferry_http_opts ho;
	struct view view = {false, false};
	json_t *report = NULL;
	int error, code;

	memset(&vo, 0, sizeof(vo));
	if ((code = parse_sample(cli, &vo.sample)) != 0)
		return code;
	view.tty = !json && isatty(2);
	if (!offline) {
		if ((error = ferry_cli_load_mapping(&m, cli)) < 0 ||
		    (error = ferry_cli_open_attio(&attio, cli, &token, &name)) <
		        0)
			goto fail;
		memset(&ho, 0, sizeof(ho));
		ho.base_url = cli->cfg->dest_base_url;
		ho.token = token.ptr;
		ho.name = "Attio";
		ho.read_rate = cli->cfg->dest_read_rate;
		ho.write_rate = cli->cfg->dest_write_rate;
		vo.http = &ho;
		vo.m = m;
	}
	vo.progress = on_progress;
	vo.payload = &view;
	vo.stop = &stop_requested;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	error = ferry_verify_run(&report, cli->ws, &vo);
	if (view.drawn)
		fprintf(stderr, "\r%-72s\r", "");
	if (error < 0)
		goto fail;
	if ((error = ferry_report_verify_write(cli->ws, report)) < 0)
		goto fail;
	if (json)
		ferry_cli_print_json(report);
	else
		print_text(report, name.len ? name.ptr : "?",
		           cli->cfg->dest_base_url);
	code = ferry_verify_clean(report) ? FERRY_EXIT_OK : FERRY_EXIT_RECORDS;
	goto done;
fail:
	code = ferry_cli_fail(cli, error);
done:
	json_decref(report);
	ferry_mapfile_free(m);
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return code;
}

const struct ferry_cmd ferry_cmd_verify = {
    .name = "verify",
    .usage = "verify [--json] [--offline] [--sample <n|all>]",
    .summary = "Prove that Attio holds what the plan said it would",
    .help = "After 'ferry run': per object and record type, whether every\n"
            "staged record is accounted for (staged = written + merged +\n"
            "held + skipped; failed, pending and not run keep it unbalanced)\n"
            "and whether the plan's decisions and the ledger agree. Then it\n"
            "reads Attio back under destination.read_rate (each object paged\n"
            "through, 500 records a request; notes, tasks and list entries\n"
            "through their listings): every written record must be there,\n"
            "each reference must name the record its target was written as,\n"
            "and for a sample of records per object (--sample, default 200;\n"
            "'all' for every one) each planned value must equal Attio's.\n"
            "Problems are listed with their Salesforce and Attio ids; the\n"
            "page reports/verify.html has them all. Nothing is written.\n"
            "Exit status 0 when clean, 6 when anything is unbalanced or\n"
            "wrong, 5 when Attio cannot be reached. --offline: counts only.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = verify_opts,
    .run = run_verify,
};
