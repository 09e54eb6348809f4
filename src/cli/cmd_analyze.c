/* cmd_analyze.c: `ferry analyze`: the readiness report of what extract
 * staged (inventory, field profiles, automation, risks, a score, a time
 * estimate) and a draft mapping.yaml a person edits. */
#include "util.h"
#include "cmd.h"
#include "ferry/analyze.h"
#include "ferry/attio.h"

/* The objects a Salesforce migration writes to in Attio. */
static const char *const dest_objects[] = {"companies", "people", "deals",
                                           NULL};

/* Reads the destination's members and attributes. Any failure leaves
 * *out NULL and a note on stderr: the report is still worth having, and
 * says what it could not check. */
static void read_destination(json_t **out, struct ferry_cli *cli, bool quiet)
{
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	int error;

	*out = NULL;
	if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0 ||
	    (error = ferry_attio_schema(out, attio, dest_objects)) < 0) {
		fprintf(stderr,
		        "ferry analyze: the destination was not checked: %s\n"
		        "  Owners and select options are reported as "
		        "unchecked. Use --offline to skip this step.\n",
		        ferry_error_last());
		goto done;
	}
	if (!quiet)
		printf("Checked against Attio workspace '%s' at %s.\n",
		       name.ptr, cli->cfg->dest_base_url);
done:
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
}

static const char *jstr(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

static json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_summary(const json_t *r)
{
	const json_t *score = json_object_get(r, "score");
	const json_t *est = json_object_get(r, "estimate");
	const json_t *map = json_object_get(r, "mapping");
	const json_t *objects = json_object_get(r, "objects");
	const json_t *risks = json_object_get(r, "risks"), *x;
	int64_t records = 0, by_status[3] = {0, 0, 0};
	size_t i;

	json_array_foreach(objects, i, x)
	{
		const char *st = jstr(x, "status", "");

		records += jint(x, "count");
		by_status[!strcmp(st, "auto")      ? 0
		          : !strcmp(st, "partial") ? 1
		                                   : 2]++;
	}
	printf("\nReadiness: %" JSON_INTEGER_FORMAT "/100 (%s): %s\n",
	       jint(score, "value"), jstr(score, "status", "?"),
	       jstr(score, "explanation", ""));
	printf("Objects:   %zu (%" PRId64 " auto, %" PRId64 " partial, %" PRId64
	       " manual review), %" PRId64 " records\n",
	       json_array_size(objects), by_status[0], by_status[1],
	       by_status[2], records);
	printf("Estimate:  %s\n", jstr(est, "explanation", "?"));
	if (json_array_size(risks)) {
		printf("\nRisks (%zu):\n", json_array_size(risks));
		json_array_foreach(risks, i, x)
		{
			if (i == 12) {
				printf("  ... %zu more in the report\n",
				       json_array_size(risks) - i);
				break;
			}
			printf("  %-6s %-14s %9" JSON_INTEGER_FORMAT "  %s\n",
			       jstr(x, "severity", "?"),
			       jstr(x, "object", "(org)"), jint(x, "affected"),
			       jstr(x, "title", ""));
		}
	}
	printf("\nReports:   reports/readiness.html, reports/readiness.json\n");
	printf("Mapping:   %s\n", jstr(map, "note", "-"));
}

static const struct ferry_opt analyze_opts[] = {
    {"--json", NULL, "print the report as JSON"},
    {"--offline", NULL,
     "do not ask the destination (owners and options "
     "are left unchecked)"},
    {NULL, NULL, NULL},
};

static int analyze_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	struct ferry_analyze_opts o;
	struct ferry_analyze_dest dest;
	json_t *snapshot = NULL, *report = NULL;
	int error, code = FERRY_EXIT_OK;

	memset(&o, 0, sizeof(o));
	memset(&dest, 0, sizeof(dest));
	o.write_rate = cli->cfg->dest_write_rate;
	o.record_limit = cli->cfg->dest_record_limit;
	if (!ferry_cli_flag(cli, "--offline"))
		read_destination(&snapshot, cli, json);
	if (snapshot) {
		dest.members = json_object_get(snapshot, "members");
		dest.attributes = json_object_get(snapshot, "attributes");
		o.dest = &dest;
	}
	if ((error = ferry_analyze_run(&report, cli->ws, &o)) < 0 ||
	    (error = ferry_analyze_write_mapping(report, cli->ws)) < 0 ||
	    (error = ferry_analyze_write_reports(report, cli->ws)) < 0) {
		code = ferry_cli_fail(cli, error);
		goto done;
	}
	if (json) {
		ferry_cli_print_json(report);
	} else {
		print_summary(report);
	}
done:
	json_decref(report);
	json_decref(snapshot);
	return code;
}

const struct ferry_cmd ferry_cmd_analyze = {
    .name = "analyze",
    .usage = "analyze [--json] [--offline]",
    .summary = "Assess readiness and draft mapping.yaml",
    .help = "Reads what 'ferry extract' staged and writes the readiness\n"
            "report: every object with its count and status (auto,\n"
            "partial, manual review), field profiles (fill rate, distinct\n"
            "values, picklist values in use), the org's automation, the\n"
            "risks with the records they touch and what to do about them,\n"
            "a readiness score and the time the load will take at the\n"
            "destination's rate. reports/readiness.html is for people,\n"
            "reports/readiness.json for scripts. It also drafts\n"
            "mapping.yaml; once you edit that file, analyze never\n"
            "overwrites it and writes reports/mapping.draft.yaml instead.\n"
            "Owners and select options are checked against the Attio\n"
            "workspace when its token is set (--offline skips that).",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = analyze_opts,
    .run = analyze_run,
};
