/* queue_change.c: `ferry queue edit`, `skip` and `retry`, each a change
 * to the conflict queue that is then re-planned at once, and the printing
 * of what the re-plan decided. */
#include "util.h"
#include "queue_cmd.h"
#include "ferry/plan.h"
#include "ferry/plan_report.h"
#include "ferry/queue.h"

/*
 * edit, skip, retry: change, then re-plan.
 */

/* The stored decision of a record ("none" when it has none). */
static const char *decision_of(json_t **plan, struct ferry_cli *cli,
                               const char *object, const char *id)
{
	*plan = NULL;
	if (ferry_plan_get(plan, cli->ws, object, id) < 0) {
		ferry_error_clear();
		return "none";
	}
	return ferry_cli_jstr(*plan, "decision");
}

/* "Re-planned Contact 003…: held -> write", then its reasons if held. */
static void print_outcome(struct ferry_cli *cli, const char *object,
                          const char *id, const char *before)
{
	json_t *plan = NULL;
	const char *now = decision_of(&plan, cli, object, id);

	printf("%s %s: %s%s%s\n", object, id, before ? before : "",
	       before ? " -> " : "", now);
	if (!strcmp(now, "held") || !strcmp(now, "skipped"))
		queue_print_reasons(json_object_get(plan, "reasons"), "    ",
		                    !strcmp(now, "held"));
	json_decref(plan);
}

static void print_touched(const struct queue_replan *r)
{
	int64_t other = r->stats.replanned - r->stats.asked;

	if (other > 0)
		printf("(and %" PRId64 " other record%s %s touch%s "
		       "re-planned)\n",
		       other, other == 1 ? "" : "s",
		       r->stats.asked == 1 ? "it" : "they",
		       r->stats.asked == 1 ? "es" : "");
	printf("Report: %s\n", FERRY_REPORT_PLAN_HTML);
}

int queue_edit(struct ferry_cli *cli, char **args, int nargs)
{
	const char *object = args[0], *id = args[1],
	           *unset = queue_opt(cli, O_UNSET);
	struct ferry_plan_ref ref = {object, id};
	json_t *rec = NULL, *fields, *plan = NULL;
	char *before = NULL;
	struct queue_replan r;
	bool skipped;
	int error = 0, i, n;

	memset(&r, 0, sizeof(r));
	for (i = 2; i < nargs; i++) {
		const char *eq = strchr(args[i], '=');

		if (!eq || eq == args[i])
			return ferry_cli_usage(cli,
			                       "'%s' is not <Field>=<value> "
			                       "(an empty value is "
			                       "'<Field>=')",
			                       args[i]);
	}
	if (nargs == 2 && !unset && !queue_opt(cli, O_CLEAR))
		return ferry_cli_usage(
		    cli, "say what to change: <Field>=<value>, --unset "
		         "<Field> or --clear");
	if ((error = ferry_queue_record(&rec, cli->ws, object, id)) < 0)
		goto done;
	/* Every field checked before anything changes: the library's
	 * message names the field and the nearest ones. */
	fields = json_object_get(rec, "fields");
	for (i = 2; i < nargs; i++) {
		char *name = ferry_xstrdup(args[i]);

		*strchr(name, '=') = '\0';
		if (!json_object_get(fields, name))
			error = ferry_queue_set(cli->ws, object, id, name,
			                        strchr(args[i], '=') + 1);
		free(name);
		if (error < 0)
			goto done;
	}
	if ((error = queue_replan_prepare(cli, &r, false)) < 0)
		goto done;
	before = ferry_xstrdup(decision_of(&plan, cli, object, id));
	if (queue_opt(cli, O_CLEAR)) {
		if ((n = ferry_queue_unset(cli->ws, object, id, NULL)) < 0) {
			error = n;
			goto done;
		}
		n = (int)json_object_size(json_object_get(rec, "overrides"));
		skipped = json_is_object(json_object_get(rec, "skip"));
		if (!n && !skipped)
			printf("%s %s: had no override and no skip\n", object,
			       id);
		else if (!n)
			printf("%s %s: removed the skip\n", object, id);
		else
			printf("%s %s: removed %d override%s%s\n", object, id,
			       n, n == 1 ? "" : "s",
			       skipped ? " and the skip" : "");
	}
	if (unset) {
		if ((n = ferry_queue_unset(cli->ws, object, id, unset)) < 0) {
			error = n;
			goto done;
		}
		printf("%s %s: %s %s\n", object, id, unset,
		       n ? "override removed: the staged value again"
		         : "had no override");
	}
	for (i = 2; i < nargs; i++) {
		char *name = ferry_xstrdup(args[i]);
		const char *value = strchr(args[i], '=') + 1;

		*strchr(name, '=') = '\0';
		error = ferry_queue_set(cli->ws, object, id, name, value);
		if (!error) {
			json_t *now = json_string(value);

			printf("%s %s: %s = ", object, id, name);
			queue_put_value(json_object_get(fields, name));
			printf(" -> ");
			queue_put_value(now);
			printf("\n");
			json_decref(now);
		}
		free(name);
		if (error < 0)
			goto done;
	}
	if ((error = queue_replan_run(cli, &r, &ref, 1)) < 0)
		goto done;
	printf("\nRe-planned:\n  ");
	print_outcome(cli, object, id, before);
	print_touched(&r);
done:
	free(before);
	json_decref(plan);
	json_decref(rec);
	queue_replan_release(&r);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

int queue_skip(struct ferry_cli *cli, char **args, int nargs)
{
	const char *reason = queue_opt(cli, O_REASON);
	struct ferry_plan_ref *refs = NULL;
	struct queue_replan r;
	json_t *rec = NULL;
	size_t n = 0, i;
	int error = 0, k;

	memset(&r, 0, sizeof(r));
	if (!reason || !*reason)
		return ferry_cli_usage(cli, "say why: --reason \"duplicate of "
		                            "001\xe2\x80\xa6\"");
	refs = ferry_xcalloc((size_t)nargs, sizeof(*refs));
	/* Every record checked before any is skipped. */
	for (k = 1; k < nargs; k++) {
		if ((error = ferry_queue_record(&rec, cli->ws, args[0],
		                                args[k])) < 0)
			goto done;
		json_decref(rec);
		rec = NULL;
		refs[n].object = args[0];
		refs[n++].source_id = args[k];
	}
	if ((error = queue_replan_prepare(cli, &r, false)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((error = ferry_queue_skip(cli->ws, refs[i].object,
		                              refs[i].source_id, reason)) < 0)
			goto done;
	if ((error = queue_replan_run(cli, &r, refs, n)) < 0)
		goto done;
	printf("Left out %zu record%s: \"%s\". Re-planned:\n", n,
	       n == 1 ? "" : "s", reason);
	for (i = 0; i < n; i++) {
		printf("  ");
		print_outcome(cli, refs[i].object, refs[i].source_id, NULL);
	}
	print_touched(&r);
	printf("To bring one back: ferry queue edit <object> <id> --clear\n");
done:
	free(refs);
	queue_replan_release(&r);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

/* The held records to retry, copied out of the walk (re-planning inside
 * it would change what is walked). */
struct retry_list {
	struct ferry_plan_ref *refs;
	size_t n, cap;
};

static int on_retry(const struct ferry_queue_item *it, void *payload)
{
	struct retry_list *l = payload;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->refs = ferry_xrealloc(l->refs, l->cap * sizeof(*l->refs));
	}
	l->refs[l->n].object = ferry_xstrdup(it->object);
	l->refs[l->n++].source_id = ferry_xstrdup(it->source_id);
	return 0;
}

static int retry_print(struct ferry_cli *cli, const struct queue_replan *r,
                       const struct retry_list *l, bool from_queue)
{
	int64_t by[FERRY_PLAN_DECISIONS] = {0};
	struct queue_groups g = {json_object()};
	json_t *per_object = json_object(), *records = json_array(), *groups;
	size_t i, k;
	json_t *plan, *reason;

	for (i = 0; i < l->n; i++) {
		const char *now = decision_of(&plan, cli, l->refs[i].object,
		                              l->refs[i].source_id);
		enum ferry_plan_decision d = FERRY_PLAN_WRITE;
		bool known = ferry_plan_decision_parse(now, &d) == 0;

		if (known)
			by[d]++;
		else
			ferry_error_clear();
		if (known && d == FERRY_PLAN_HELD) {
			queue_count_object(per_object, l->refs[i].object);
			json_array_foreach(json_object_get(plan, "reasons"), k,
			                   reason)
			    queue_groups_add(&g, l->refs[i].object, reason);
		}
		json_array_append_new(
		    records, json_pack("{s:s, s:s, s:s}", "object",
		                       l->refs[i].object, "source_id",
		                       l->refs[i].source_id, "decision", now));
		json_decref(plan);
	}
	groups = queue_groups_sorted(&g);
	if (queue_opt(cli, O_JSON)) {
		json_t *doc = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O, s:O}", "retried",
		    (json_int_t)l->n, "write", (json_int_t)by[FERRY_PLAN_WRITE],
		    "merged", (json_int_t)by[FERRY_PLAN_MERGED], "held",
		    (json_int_t)by[FERRY_PLAN_HELD], "skipped",
		    (json_int_t)by[FERRY_PLAN_SKIPPED], "touched",
		    (json_int_t)(r->stats.replanned - r->stats.asked),
		    "changed", (json_int_t)r->stats.changed, "still_held",
		    groups, "records", records);

		ferry_cli_print_json(doc);
		json_decref(doc);
	} else {
		printf("Retried %zu %srecord%s: %" PRId64 " now write, %" PRId64
		       " merged, %" PRId64 " still held, %" PRId64
		       " skipped (and %" PRId64
		       " other records they touch re-planned).\n",
		       l->n, from_queue ? "held " : "", l->n == 1 ? "" : "s",
		       by[FERRY_PLAN_WRITE], by[FERRY_PLAN_MERGED],
		       by[FERRY_PLAN_HELD], by[FERRY_PLAN_SKIPPED],
		       r->stats.replanned - r->stats.asked);
		if (json_array_size(groups)) {
			printf("\nStill held, and what releases them:\n");
			queue_print_groups(groups, per_object);
		}
		printf("Decisions new or changed: %" PRId64
		       " (each one an audit event: 'ferry audit').\n"
		       "Report: %s\n",
		       r->stats.changed, FERRY_REPORT_PLAN_HTML);
	}
	json_decref(groups);
	json_decref(g.by_key);
	json_decref(per_object);
	json_decref(records);
	return 0;
}

int queue_retry(struct ferry_cli *cli, char **args, int nargs)
{
	struct ferry_queue_filter f = {nargs > 0 ? args[0] : NULL,
	                               queue_filter_opt(cli, O_CODE),
	                               queue_filter_opt(cli, O_FIELD)};
	bool json = queue_opt(cli, O_JSON) != NULL;
	struct retry_list l = {NULL, 0, 0};
	struct queue_replan r;
	size_t i;
	int error, k;

	memset(&r, 0, sizeof(r));
	if (nargs > 1 && (f.code || f.field))
		return ferry_cli_usage(cli, "name records or filter the queue "
		                            "(--code, --field), not both");
	if ((error = queue_replan_prepare(cli, &r, json)) < 0)
		goto done;
	if (nargs > 1) {
		/* Named records: re-planned whatever their decision. */
		l.refs = ferry_xcalloc((size_t)nargs, sizeof(*l.refs));
		for (k = 1; k < nargs; k++) {
			l.refs[l.n].object = ferry_xstrdup(args[0]);
			l.refs[l.n++].source_id = ferry_xstrdup(args[k]);
		}
	} else if ((error = ferry_queue_foreach(cli->ws, &f, on_retry, &l)) <
	           0) {
		goto done;
	}
	if (l.n == 0) {
		if (json)
			printf("{\"retried\": 0}\n");
		else
			printf("No held record matches: nothing to retry.\n");
		goto done;
	}
	if ((error = queue_replan_run(cli, &r, l.refs, l.n)) < 0)
		goto done;
	error = retry_print(cli, &r, &l, nargs <= 1);
done:
	for (i = 0; i < l.n; i++) {
		free((char *)(uintptr_t)l.refs[i].object);
		free((char *)(uintptr_t)l.refs[i].source_id);
	}
	free(l.refs);
	queue_replan_release(&r);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}
