/* cmd_check.c: `ferry check`: prove that both ends answer with the
 * credentials ferry.yaml names, and show the budget each one gives. */
#include <dirent.h>
#include <errno.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/salesforce.h"

/* Prints the check of the source and returns its error (0 if it works). */
static int check_salesforce(struct ferry_cli *cli, json_t *doc)
{
	struct ferry_sf *sf = NULL;
	struct ferry_sf_limits lim;
	int error;

	if ((error = ferry_sf_connect(&sf, cli->cfg)) < 0)
		goto done;
	if ((error = ferry_sf_limits(sf, &lim)) < 0)
		goto done;
	if (doc) {
		json_object_set_new(
		    doc, "source",
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
		              "type", "salesforce", "status", "ok",
		              "instance_url", ferry_sf_instance_url(sf),
		              "api_version", ferry_sf_api_version(sf), "org_id",
		              ferry_sf_org_id(sf), "api_requests_max",
		              (json_int_t)lim.api_max, "api_requests_remaining",
		              (json_int_t)lim.api_remaining, "bulk_jobs_max",
		              (json_int_t)lim.bulk_jobs_max,
		              "bulk_jobs_remaining",
		              (json_int_t)lim.bulk_jobs_remaining));
		goto done;
	}
	printf("Source: Salesforce at %s (API %s, org %s)\n",
	       ferry_sf_instance_url(sf), ferry_sf_api_version(sf),
	       *ferry_sf_org_id(sf) ? ferry_sf_org_id(sf) : "?");
	printf("  login             ok (%s)\n", cli->cfg->sf_auth);
	if (lim.api_max >= 0)
		printf("  daily API calls   %" PRId64 " of %" PRId64 " left\n",
		       lim.api_remaining, lim.api_max);
	if (lim.bulk_jobs_max >= 0)
		printf("  Bulk query jobs   %" PRId64 " of %" PRId64
		       " left today\n",
		       lim.bulk_jobs_remaining, lim.bulk_jobs_max);
done:
	ferry_sf_free(sf);
	return error;
}

static int check_export(struct ferry_cli *cli, json_t *doc)
{
	const char *dir = cli->cfg->source_path;
	struct dirent *de;
	DIR *d = opendir(dir);
	int files = 0;

	if (!d)
		return ferry_error_set(FERRY_ENOTFOUND,
		                       "the export folder '%s' cannot be read "
		                       "(%s): check source.path in ferry.yaml",
		                       dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".csv"))
			files++;
	}
	closedir(d);
	if (doc)
		json_object_set_new(doc, "source",
		                    json_pack("{s:s, s:s, s:s, s:i}", "type",
		                              "salesforce-export", "status",
		                              "ok", "path", dir, "csv_files",
		                              files));
	else
		printf("Source: Salesforce export folder %s (%d CSV files)\n",
		       dir, files);
	return 0;
}

static int check_destination(struct ferry_cli *cli, json_t *doc)
{
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	int error;

	if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0)
		goto done;
	if (doc) {
		json_object_set_new(
		    doc, "destination",
		    json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "type", "attio",
		              "status", "ok", "base_url",
		              cli->cfg->dest_base_url, "workspace", name.ptr,
		              "write_rate", cli->cfg->dest_write_rate,
		              "read_rate", cli->cfg->dest_read_rate));
		goto done;
	}
	printf("Destination: Attio workspace '%s' at %s\n", name.ptr,
	       cli->cfg->dest_base_url);
	printf("  token             ok (%s)\n", cli->cfg->dest_token_env);
	printf("  rate              %g writes/s, %g reads/s\n",
	       cli->cfg->dest_write_rate, cli->cfg->dest_read_rate);
done:
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return error;
}

/* Records one end's failure: in the JSON, or as a line on stderr, so
 * the other end is still checked. */
static void failed(struct ferry_cli *cli, json_t *doc, const char *end,
                   int error)
{
	if (doc)
		json_object_set_new(doc, end,
		                    json_pack("{s:s, s:s}", "status", "failed",
		                              "error", ferry_error_last()));
	else
		printf("%s: FAILED\n",
		       !strcmp(end, "source") ? "Source" : "Destination");
	ferry_cli_fail(cli, error);
}

static const struct ferry_opt check_opts[] = {
    {"--json", NULL, "print the result as JSON"},
    {NULL, NULL, NULL},
};

static int check_run(struct ferry_cli *cli)
{
	json_t *doc = ferry_cli_flag(cli, "--json") ? json_object() : NULL;
	int src, dst, code = FERRY_EXIT_OK;

	if (!strcmp(cli->cfg->source_type, "salesforce"))
		src = check_salesforce(cli, doc);
	else
		src = check_export(cli, doc);
	if (src < 0)
		failed(cli, doc, "source", src);
	dst = check_destination(cli, doc);
	if (dst < 0)
		failed(cli, doc, "destination", dst);
	if (doc) {
		ferry_cli_print_json(doc);
		json_decref(doc);
	}
	/* The exit status is the first failure's. */
	if (src < 0)
		code = ferry_cli_exit_code(src);
	else if (dst < 0)
		code = ferry_cli_exit_code(dst);
	else if (!doc)
		printf("Both ends answer. Next: 'ferry extract'.\n");
	return code;
}

const struct ferry_cmd ferry_cmd_check = {
    .name = "check",
    .usage = "check [--json]",
    .summary = "Prove that the source and the destination answer",
    .help = "Logs in to the source and the destination with the\n"
            "credentials ferry.yaml names (environment variables or the\n"
            "credentials file) and shows what each allows: for\n"
            "Salesforce, the daily API calls and Bulk query jobs left;\n"
            "for Attio, the workspace and the rate ferry will hold.\n"
            "Both ends are checked even when the first fails; the exit\n"
            "status is the first failure's. Nothing is written anywhere.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = check_opts,
    .run = check_run,
};
