/* schema_changes.c: schema setup as a person sees it, shared by `ferry
 * schema --apply` and `ferry run` (which sets the workspace up before its
 * first write): the list of changes and what blocks them, the question
 * before Attio's schema is changed, and the outcome of each change. */
#include <stdarg.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/schema_setup.h"

struct view {
	bool json;
	json_t *results; /* --json: one entry per change applied */
};

static void on_step(const struct ferry_schema_setup_step *st, void *payload)
{
	struct view *v = payload;
	const char *outcome = ferry_schema_setup_outcome_name(st->outcome);

	if (v->json) {
		json_array_append_new(
		    v->results,
		    json_pack("{s:s, s:s, s:s?}", "description",
		              st->description, "outcome", outcome, "message",
		              *st->message ? st->message : NULL));
		return;
	}
	printf("  %-8s %s\n", outcome, st->description);
	if (*st->message)
		printf("           %s\n", st->message);
	fflush(stdout);
}

static void print_reports(const json_t *list, const char *title)
{
	const json_t *x;
	size_t i;

	if (!json_array_size(list))
		return;
	printf("\n%s:\n", title);
	json_array_foreach(list, i, x)
	{
		printf("  - %s\n", ferry_cli_jstr(x, "message"));
	}
}

void ferry_cli_schema_print(const json_t *doc, const char *workspace,
                            const char *url)
{
	const json_t *changes = json_object_get(doc, "changes"), *c;
	size_t i, n = json_array_size(changes);

	if (n)
		printf("Attio workspace '%s' at %s needs %zu change%s for "
		       "mapping.yaml:\n",
		       workspace, url, n, n == 1 ? "" : "s");
	else
		printf("Attio workspace '%s' at %s has everything mapping.yaml "
		       "writes: no change needed.\n",
		       workspace, url);
	json_array_foreach(changes, i, c)
	{
		printf("  %3zu. %s\n", i + 1, ferry_cli_jstr(c, "description"));
	}
	print_reports(json_object_get(doc, "problems"),
	              "Problems (they block schema setup until fixed)");
	print_reports(json_object_get(doc, "warnings"), "Warnings");
}

bool ferry_cli_confirm(bool json, const char *fmt, ...)
{
	FILE *f = json ? stderr : stdout;
	char line[64];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, " [y/N] ");
	fflush(f);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	ferry_str_trim(line);
	return ferry_str_iequal(line, "y") || ferry_str_iequal(line, "yes");
}

int ferry_cli_schema_problems(const json_t *doc, bool json, const char *again)
{
	size_t n = json_array_size(json_object_get(doc, "problems"));

	if (!n)
		return 0;
	return ferry_error_set(
	    FERRY_ECONFIG,
	    "%zu problem%s block%s schema setup (listed %s): "
	    "fix mapping.yaml or the Attio workspace as "
	    "each says, then run '%s' again; nothing was "
	    "changed",
	    n, n == 1 ? "" : "s", n == 1 ? "s" : "",
	    json ? "in \"problems\"" : "above", again);
}

int ferry_cli_schema_ask(const json_t *doc, const char *workspace, bool json,
                         bool yes, const char *how)
{
	size_t n = json_array_size(json_object_get(doc, "changes"));

	if (!n || yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return ferry_error_set(
		    FERRY_EUSAGE,
		    "the Attio workspace needs %zu schema change%s first, and "
		    "there is no terminal to ask on: %s. Nothing was changed",
		    n, n == 1 ? "" : "s", how);
	if (n == 1 ? !ferry_cli_confirm(json,
	                                "\nApply this change to Attio "
	                                "workspace '%s'?",
	                                workspace)
	           : !ferry_cli_confirm(json,
	                                "\nApply these %zu changes to Attio "
	                                "workspace '%s'?",
	                                n, workspace))
		return ferry_error_set(FERRY_ERROR,
		                       "not confirmed: nothing was changed");
	return 0;
}

int ferry_cli_schema_apply(struct ferry_attio *a, json_t *doc,
                           const char *workspace, bool json)
{
	struct view v = {json, json_array()};
	struct ferry_schema_setup_result r;
	size_t n = json_array_size(json_object_get(doc, "changes"));
	int error;

	if (!json)
		printf("\nApplying:\n");
	error = ferry_schema_setup_apply(a, doc, on_step, &v, &r);
	if (json) {
		json_object_set_new(doc, "results", v.results);
		v.results = NULL;
		json_object_set_new(doc, "result",
		                    json_pack("{s:I, s:I, s:I, s:I}", "created",
		                              (json_int_t)r.created, "existed",
		                              (json_int_t)r.existed, "failed",
		                              (json_int_t)r.failed, "skipped",
		                              (json_int_t)r.skipped));
	} else {
		printf("\nSchema setup of '%s': %zu created, %zu already "
		       "there, %zu failed, %zu not tried (of %zu).\n",
		       workspace, r.created, r.existed, r.failed, r.skipped, n);
	}
	json_decref(v.results);
	return error;
}
