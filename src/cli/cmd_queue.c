/* cmd_queue.c: `ferry queue`: the conflict queue (queue.h) worked from the
 * command line: list the held records and why, show one, release one with
 * an override or a skip, or retry them after a fix in mapping.yaml or in
 * Attio. Each change re-plans at once the records it touches
 * (ferry_plan_records), with the inputs `ferry plan` reads, so the plan is
 * always the one a whole plan would give. */
#include <signal.h>
#include <unistd.h>

#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"
#include "ferry/plan.h"
#include "ferry/plan_report.h"
#include "ferry/queue.h"

#define LIST_MAX    50  /* held records listed without --all */
#define MESSAGE_MAX 110 /* bytes of a reason in a one-line listing */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	FERRY_UNUSED(sig);
	stop_requested = 1;
}

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
#define BIT(o) (1u << (o))

static const struct ferry_opt queue_opts[] = {
    [O_OBJECT] = {"--object", "<name>", "list: only this object's records"},
    [O_CODE] = {"--code", "<code>",
                "list, retry: only records with a reason of this code"},
    [O_FIELD] = {"--field", "<field>",
                 "list, retry: only records with a reason on this field"},
    [O_ALL] = {"--all", NULL, "list: every held record, not the first 50"},
    [O_JSON] = {"--json", NULL, "list, show, retry: print JSON"},
    [O_OFFLINE] = {"--offline", NULL,
                   "edit, retry, skip: re-plan without reading the "
                   "destination (as 'ferry plan --offline')"},
    [O_UNSET] = {"--unset", "<field>",
                 "edit: remove the override of this field"},
    [O_CLEAR] = {"--clear", NULL,
                 "edit: remove every override of the record, and its skip"},
    [O_REASON] = {"--reason", "<text>",
                  "skip: why the record is left out (required)"},
    {NULL, NULL, NULL},
};

static const char *opt(const struct ferry_cli *cli, int o)
{
	return cli->opt_values[o];
}

/* An option's value for a filter: "" is no filter, as in queue.h. */
static const char *filter_opt(const struct ferry_cli *cli, int o)
{
	const char *v = cli->opt_values[o];

	return v && *v ? v : NULL;
}

/* A JSON value as one line: strings quoted and escaped, so a value with
 * control characters cannot reach the terminal as they are. */
static void put_value(const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	printf("%s", s ? s : "(none)");
	free(s);
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* At most `max` bytes of `s`, cut on a character boundary, with "…". */
static void put_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max) {
		printf("%s", s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	printf("%.*s\xe2\x80\xa6", (int)max, s);
}

/*
 * Reasons grouped by object, field and code, as `ferry plan` groups them.
 */

struct groups {
	json_t *by_key; /* "object\x1f field\x1f code" -> group */
};

static void groups_add(struct groups *g, const char *object,
                       const json_t *reason)
{
	const char *field = jstr(reason, "field"), *code = jstr(reason, "code");
	const char *msg = jstr(reason, "message");
	char *key = ferry_xasprintf("%s\x1f%s\x1f%s", object, field, code);
	json_t *grp = json_object_get(g->by_key, key);

	if (!grp) {
		grp = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "object",
		                object, "field", field, "code", code, "count",
		                (json_int_t)0, "example", msg, "release",
		                jstr(reason, "release"));
		json_object_set_new(g->by_key, key, grp);
	} else if (strcmp(msg, jstr(grp, "example")) < 0) {
		/* The same example `ferry plan` shows: the least message. */
		json_object_set_new(grp, "example", json_string(msg));
		json_object_set_new(grp, "release",
		                    json_string(jstr(reason, "release")));
	}
	json_object_set_new(
	    grp, "count",
	    json_integer(json_integer_value(json_object_get(grp, "count")) +
	                 1));
	free(key);
}

/* By object, then most common first, then by field and code. */
static int group_cmp(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a;
	const json_t *y = *(const json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "count"));
	json_int_t ny = json_integer_value(json_object_get(y, "count"));
	int c;

	if ((c = strcmp(jstr(x, "object"), jstr(y, "object"))) != 0)
		return c;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if ((c = strcmp(jstr(x, "field"), jstr(y, "field"))) != 0)
		return c;
	return strcmp(jstr(x, "code"), jstr(y, "code"));
}

static json_t *groups_sorted(struct groups *g)
{
	size_t n = json_object_size(g->by_key), i = 0;
	json_t **all = ferry_xcalloc(n ? n : 1, sizeof(*all));
	json_t *out = json_array(), *v;
	const char *key;

	json_object_foreach(g->by_key, key, v) all[i++] = v;
	qsort(all, n, sizeof(*all), group_cmp);
	for (i = 0; i < n; i++)
		json_array_append(out, all[i]);
	free(all);
	return out;
}

/* "  Account: 7 held" then each group and what releases it. */
static void print_groups(const json_t *groups, const json_t *per_object)
{
	const char *last = "";
	size_t i;
	json_t *g;

	json_array_foreach(groups, i, g)
	{
		const char *field = jstr(g, "field");

		if (strcmp(last, jstr(g, "object"))) {
			last = jstr(g, "object");
			printf("  %s: %" JSON_INTEGER_FORMAT " held\n", last,
			       json_integer_value(
			           json_object_get(per_object, last)));
		}
		printf("    %7" JSON_INTEGER_FORMAT "  %s%s%s: %s\n",
		       json_integer_value(json_object_get(g, "count")), field,
		       *field ? " " : "", jstr(g, "code"), jstr(g, "example"));
		if (*jstr(g, "release"))
			printf("             -> %s\n", jstr(g, "release"));
	}
}

static void count_object(json_t *per_object, const char *object)
{
	json_object_set_new(
	    per_object, object,
	    json_integer(
	        json_integer_value(json_object_get(per_object, object)) + 1));
}

static bool reason_matches(const json_t *r, const struct ferry_queue_filter *f)
{
	return (!f->code || !strcmp(jstr(r, "code"), f->code)) &&
	       (!f->field || !strcmp(jstr(r, "field"), f->field));
}

/*
 * Re-planning: the inputs `ferry plan` reads, read before anything
 * changes (a mapping.yaml that does not load changes nothing), then the
 * records asked for and what they touch.
 */

struct replan {
	struct ferry_mapfile *m;
	json_t *schema;
	struct ferry_attio *dest;
	struct ferry_plan_stats stats;
	bool tty, drawn;
	int64_t last_draw_us;
};

static void on_progress(const struct ferry_plan_progress *p, void *payload)
{
	struct replan *r = payload;
	int64_t now = ferry_clock_mono_us();

	if (!r->tty || now - r->last_draw_us < 200000)
		return;
	r->last_draw_us = now;
	r->drawn = true;
	fprintf(stderr, "\r  re-planning %-22s %9" PRId64 "/%-9" PRId64 " ",
	        p->object, p->done, p->total);
}

static int replan_prepare(struct ferry_cli *cli, struct replan *r, bool json)
{
	int error;

	memset(r, 0, sizeof(*r));
	r->tty = !json && isatty(2);
	/* From here a stop request is seen by the plan (opts.stop): a
	 * change being made completes, and the plan stops cleanly. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if ((error = ferry_cli_load_mapping(&r->m, cli)) < 0)
		return error;
	if (!opt(cli, O_OFFLINE))
		r->schema =
		    ferry_cli_read_destination(cli, r->m, json, &r->dest);
	return 0;
}

static void replan_release(struct replan *r)
{
	ferry_plan_stats_release(&r->stats);
	ferry_attio_free(r->dest);
	json_decref(r->schema);
	ferry_mapfile_free(r->m);
}

static int replan_run(struct ferry_cli *cli, struct replan *r,
                      const struct ferry_plan_ref *refs, size_t n)
{
	struct ferry_plan_opts o;
	int error;

	memset(&o, 0, sizeof(o));
	o.schema = r->schema;
	o.dest = r->dest;
	o.progress = on_progress;
	o.payload = r;
	o.stop = &stop_requested;
	error = ferry_plan_records(cli->ws, r->m, &o, refs, n, &r->stats);
	if (r->drawn)
		fprintf(stderr, "\r%60s\r", "");
	if (error == FERRY_EHALTED)
		ferry_error_wrap(error,
		                 "the change is kept and the plan does not "
		                 "show it yet: run 'ferry queue retry' (or "
		                 "'ferry plan')");
	if (error < 0)
		return error;
	return ferry_report_plan_write(cli->ws, &r->stats);
}

/* The stored decision of a record ("none" when it has none). */
static const char *decision_of(json_t **plan, struct ferry_cli *cli,
                               const char *object, const char *id)
{
	*plan = NULL;
	if (ferry_plan_get(plan, cli->ws, object, id) < 0) {
		ferry_error_clear();
		return "none";
	}
	return jstr(*plan, "decision");
}

/* Each reason of a decision, with what releases it. */
static void print_reasons(const json_t *reasons, const char *indent,
                          bool release)
{
	size_t i;
	json_t *r;

	json_array_foreach(reasons, i, r)
	{
		const char *field = jstr(r, "field");

		printf("%s%s%s%s: %s\n", indent, field, *field ? " " : "",
		       jstr(r, "code"), jstr(r, "message"));
		if (release && *jstr(r, "release"))
			printf("%s  release: %s\n", indent, jstr(r, "release"));
	}
}

/*
 * list
 */

struct list {
	const struct ferry_queue_filter *filter;
	struct groups groups;
	json_t *per_object; /* object -> held count */
	json_t *records;    /* --json: every record; text: the first ones */
	bool all, json;
	int64_t n, marked;
};

static int on_held(const struct ferry_queue_item *it, void *payload)
{
	struct list *l = payload;
	const json_t *first = NULL, *r;
	size_t i;

	l->n++;
	count_object(l->per_object, it->object);
	json_array_foreach(it->reasons, i, r)
	{
		if (!reason_matches(r, l->filter))
			continue;
		groups_add(&l->groups, it->object, r);
		if (!first)
			first = r;
	}
	if (!l->json && !l->all && l->n > LIST_MAX)
		return 0;
	if (!first)
		first = json_array_get(it->reasons, 0);
	json_array_append_new(
	    l->records,
	    json_pack("{s:s, s:s, s:s, s:O, s:i, s:O?}", "object", it->object,
	              "source_id", it->source_id, "dest_object",
	              it->dest_object ? it->dest_object : "", "reasons",
	              it->reasons, "overrides", it->overrides, "first", first));
	return 0;
}

static void print_record_line(const json_t *rec)
{
	const json_t *first = json_object_get(rec, "first");
	size_t more = json_array_size(json_object_get(rec, "reasons"));
	const char *field = jstr(first, "field");

	printf("  %-10s %-20s %s ", jstr(rec, "object"), jstr(rec, "source_id"),
	       json_integer_value(json_object_get(rec, "overrides")) ? "*"
	                                                             : " ");
	printf("%s%s", field, *field ? ": " : "");
	put_cut(jstr(first, "message"), MESSAGE_MAX);
	if (more > 1)
		printf(" (+%zu more)", more - 1);
	printf("\n");
}

static int list_text(struct ferry_cli *cli, struct list *l)
{
	json_t *groups = groups_sorted(&l->groups), *rec;
	bool filtered =
	    l->filter->object || l->filter->code || l->filter->field;
	struct ferry_plan_count *counts = NULL;
	size_t i, n = 0;
	int64_t decided = 0;
	int error, d;

	if (l->n == 0) {
		if ((error = ferry_plan_counts(&counts, &n, cli->ws)) < 0)
			goto done;
		for (i = 0; i < n; i++)
			for (d = 0; d < FERRY_PLAN_DECISIONS; d++)
				decided += counts[i].by_decision[d];
		if (filtered)
			printf("No held record matches%s%s%s%s%s%s.\n",
			       l->filter->object ? " --object " : "",
			       l->filter->object ? l->filter->object : "",
			       l->filter->code ? " --code " : "",
			       l->filter->code ? l->filter->code : "",
			       l->filter->field ? " --field " : "",
			       l->filter->field ? l->filter->field : "");
		else if (n && !decided)
			printf("Nothing is planned yet: run 'ferry plan'.\n");
		else
			printf("The conflict queue is empty: every staged "
			       "record is written, merged or skipped by a "
			       "rule.\n");
		goto done;
	}
	printf("The conflict queue: %" PRId64 " held record%s%s.\n\n"
	       "Held, and what releases them:\n",
	       l->n, l->n == 1 ? "" : "s", filtered ? " matching" : "");
	print_groups(groups, l->per_object);
	printf("\nHeld records:\n");
	json_array_foreach(l->records, i, rec)
	{
		print_record_line(rec);
		if (json_integer_value(json_object_get(rec, "overrides")))
			l->marked++;
	}
	if (l->n > (int64_t)json_array_size(l->records))
		printf("  \xe2\x80\xa6 %" PRId64
		       " more: ferry queue list --all\n",
		       l->n - (int64_t)json_array_size(l->records));
	if (l->marked)
		printf("  (* has a person's override: 'ferry queue show' shows "
		       "it)\n");
	printf("\nOne record and what acts on it: ferry queue show <object> "
	       "<id>\nRelease one: ferry queue edit <object> <id> "
	       "<Field>=<value>, or ferry queue skip <object> <id> --reason "
	       "\"...\"\nAfter fixing mapping.yaml or Attio: ferry queue "
	       "retry\n");
	error = 0;
done:
	free(counts);
	json_decref(groups);
	return error;
}

static int list_json(struct list *l)
{
	json_t *records = json_array(), *rec, *doc;
	size_t i;

	json_array_foreach(l->records, i, rec) json_array_append_new(
	    records, json_pack("{s:O, s:O, s:O, s:O, s:O}", "object",
	                       json_object_get(rec, "object"), "source_id",
	                       json_object_get(rec, "source_id"), "dest_object",
	                       json_object_get(rec, "dest_object"), "reasons",
	                       json_object_get(rec, "reasons"), "overrides",
	                       json_object_get(rec, "overrides")));
	doc = json_pack("{s:I, s:o, s:o}", "held", (json_int_t)l->n, "groups",
	                groups_sorted(&l->groups), "records", records);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(doc);
	return 0;
}

static int queue_list(struct ferry_cli *cli, char **args, int nargs)
{
	struct ferry_queue_filter f = {filter_opt(cli, O_OBJECT),
	                               filter_opt(cli, O_CODE),
	                               filter_opt(cli, O_FIELD)};
	struct list l;
	int error;

	FERRY_UNUSED(args);
	FERRY_UNUSED(nargs);
	memset(&l, 0, sizeof(l));
	l.filter = &f;
	l.groups.by_key = json_object();
	l.per_object = json_object();
	l.records = json_array();
	l.all = opt(cli, O_ALL) != NULL;
	l.json = opt(cli, O_JSON) != NULL;
	if ((error = ferry_queue_foreach(cli->ws, &f, on_held, &l)) >= 0)
		error = l.json ? list_json(&l) : list_text(cli, &l);
	json_decref(l.groups.by_key);
	json_decref(l.per_object);
	json_decref(l.records);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

/*
 * show
 */

/* The fields the reasons name, then those with an override. */
static json_t *fields_named(const json_t *plan, const json_t *rec)
{
	static const char *const lists[] = {"reasons", "notes"};
	json_t *names = json_object(), *r, *v;
	const char *key;
	size_t i, k;

	for (k = 0; k < FERRY_ARRAY_LEN(lists); k++)
		json_array_foreach(json_object_get(plan, lists[k]), i, r)
		{
			const char *f = jstr(r, "field");

			if (*f &&
			    json_object_get(json_object_get(rec, "fields"), f))
				json_object_set_new(names, f, json_true());
		}
	json_object_foreach(json_object_get(rec, "overrides"), key, v)
	    json_object_set_new(names, key, json_true());
	return names;
}

static void put_action(const char *object, const char *id, const char *verb,
                       const char *rest, const char *what)
{
	char *cmd =
	    ferry_xasprintf("ferry queue %s %s %s %s", verb, object, id, rest);

	printf("  %-62s %s\n", cmd, what);
	free(cmd);
}

/* The names of the record's other fields, wrapped: what an edit can
 * name. */
static void put_other_fields(json_t *fields, const json_t *named)
{
	size_t col = 0, n = 0;
	const char *key;
	json_t *v;

	json_object_foreach(fields, key, v)
	{
		if (json_object_get(named, key))
			continue;
		if (n++ == 0) {
			printf("\nIts other fields:\n ");
			col = 1;
		} else {
			printf(",");
			col++;
		}
		if (col + strlen(key) > 76) {
			printf("\n ");
			col = 1;
		}
		printf(" %s", key);
		col += 1 + strlen(key);
	}
	if (n)
		printf("\n");
}

static void show_text(const json_t *plan, const json_t *rec)
{
	const char *object = jstr(plan, "object"),
	           *id = jstr(plan, "source_id");
	const char *decision = jstr(plan, "decision");
	const json_t *overrides = json_object_get(rec, "overrides");
	const json_t *skip = json_object_get(rec, "skip");
	json_t *names = fields_named(plan, rec), *values, *v;
	const char *key;

	printf("%s %s -> %s: %s (planned %s)\n", object, id,
	       *jstr(plan, "dest_object") ? jstr(plan, "dest_object") : "-",
	       decision, jstr(plan, "planned_at"));
	if (!strcmp(decision, "merged"))
		printf("  merged into %s %s\n", jstr(plan, "survivor_object"),
		       jstr(plan, "survivor_id"));
	if (*jstr(plan, "match_value"))
		printf("  matched in Attio on %s = \"%s\"\n",
		       jstr(plan, "match_attribute"),
		       jstr(plan, "match_value"));
	if (json_array_size(json_object_get(plan, "reasons"))) {
		printf("\n%s:\n", !strcmp(decision, "held") ? "Why it is held"
		                  : !strcmp(decision, "skipped")
		                      ? "Why it is skipped"
		                      : "Reasons");
		print_reasons(json_object_get(plan, "reasons"), "  ", true);
	}
	if (json_array_size(json_object_get(plan, "notes"))) {
		printf("\nNotes:\n");
		print_reasons(json_object_get(plan, "notes"), "  ", true);
	}
	values = json_object_get(json_object_get(plan, "payload"), "values");
	if (!strcmp(decision, "write") && json_object_size(values)) {
		printf("\nValues to write:\n");
		json_object_foreach(values, key, v)
		{
			printf("  %-22s ", key);
			put_value(v);
			printf("\n");
		}
	}
	if (json_object_size(names)) {
		printf("\nFields:\n");
		json_object_foreach(names, key, v)
		{
			const json_t *ov = json_object_get(overrides, key);

			printf("  %-18s staged ", key);
			put_value(
			    ov ? json_object_get(ov, "staged")
			       : json_object_get(json_object_get(rec, "fields"),
			                         key));
			if (ov) {
				printf(", override ");
				put_value(json_object_get(ov, "value"));
				printf(" (set %s)", jstr(ov, "set_at"));
			} else {
				printf(", no override");
			}
			printf("\n");
		}
	}
	put_other_fields(json_object_get(rec, "fields"), names);
	if (json_is_object(skip))
		printf("\nLeft out by a person: %s (set %s)\n",
		       jstr(skip, "note"), jstr(skip, "set_at"));
	printf("\nWhat acts on it:\n");
	put_action(object, id, "edit", "<Field>=<value>",
	           "a value the plan reads (the staging keeps Salesforce's)");
	put_action(object, id, "skip", "--reason \"...\"", "leave it out");
	put_action(object, id, "retry", "",
	           "re-plan it after fixing mapping.yaml or Attio");
	if (json_object_size(overrides) || json_is_object(skip))
		put_action(object, id, "edit", "--clear",
		           "remove every override, and the skip");
	json_decref(names);
}

static int queue_show(struct ferry_cli *cli, char **args, int nargs)
{
	json_t *plan = NULL, *rec = NULL, *doc;
	int error;

	FERRY_UNUSED(nargs);
	if ((error = ferry_queue_record(&rec, cli->ws, args[0], args[1])) < 0 ||
	    (error = ferry_plan_get(&plan, cli->ws, args[0], args[1])) < 0)
		goto done;
	if (opt(cli, O_JSON)) {
		doc = json_pack("{s:O, s:O}", "plan", plan, "record", rec);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
	} else {
		show_text(plan, rec);
	}
done:
	json_decref(plan);
	json_decref(rec);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

/*
 * edit, skip, retry: change, then re-plan.
 */

/* "Re-planned Contact 003…: held -> write", then its reasons if held. */
static void print_outcome(struct ferry_cli *cli, const char *object,
                          const char *id, const char *before)
{
	json_t *plan = NULL;
	const char *now = decision_of(&plan, cli, object, id);

	printf("%s %s: %s%s%s\n", object, id, before ? before : "",
	       before ? " -> " : "", now);
	if (!strcmp(now, "held") || !strcmp(now, "skipped"))
		print_reasons(json_object_get(plan, "reasons"), "    ",
		              !strcmp(now, "held"));
	json_decref(plan);
}

static void print_touched(const struct replan *r)
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

static int queue_edit(struct ferry_cli *cli, char **args, int nargs)
{
	const char *object = args[0], *id = args[1], *unset = opt(cli, O_UNSET);
	struct ferry_plan_ref ref = {object, id};
	json_t *rec = NULL, *fields, *plan = NULL;
	char *before = NULL;
	struct replan r;
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
	if (nargs == 2 && !unset && !opt(cli, O_CLEAR))
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
	if ((error = replan_prepare(cli, &r, false)) < 0)
		goto done;
	before = ferry_xstrdup(decision_of(&plan, cli, object, id));
	if (opt(cli, O_CLEAR)) {
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
			put_value(json_object_get(fields, name));
			printf(" -> ");
			put_value(now);
			printf("\n");
			json_decref(now);
		}
		free(name);
		if (error < 0)
			goto done;
	}
	if ((error = replan_run(cli, &r, &ref, 1)) < 0)
		goto done;
	printf("\nRe-planned:\n  ");
	print_outcome(cli, object, id, before);
	print_touched(&r);
done:
	free(before);
	json_decref(plan);
	json_decref(rec);
	replan_release(&r);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

static int queue_skip(struct ferry_cli *cli, char **args, int nargs)
{
	const char *reason = opt(cli, O_REASON);
	struct ferry_plan_ref *refs = NULL;
	struct replan r;
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
	if ((error = replan_prepare(cli, &r, false)) < 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((error = ferry_queue_skip(cli->ws, refs[i].object,
		                              refs[i].source_id, reason)) < 0)
			goto done;
	if ((error = replan_run(cli, &r, refs, n)) < 0)
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
	replan_release(&r);
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

static int retry_print(struct ferry_cli *cli, const struct replan *r,
                       const struct retry_list *l, bool from_queue)
{
	int64_t by[FERRY_PLAN_DECISIONS] = {0};
	struct groups g = {json_object()};
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
			count_object(per_object, l->refs[i].object);
			json_array_foreach(json_object_get(plan, "reasons"), k,
			                   reason)
			    groups_add(&g, l->refs[i].object, reason);
		}
		json_array_append_new(
		    records, json_pack("{s:s, s:s, s:s}", "object",
		                       l->refs[i].object, "source_id",
		                       l->refs[i].source_id, "decision", now));
		json_decref(plan);
	}
	groups = groups_sorted(&g);
	if (opt(cli, O_JSON)) {
		json_t *doc = json_pack(
		    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O, s:O}", "retried",
		    (json_int_t)l->n, "write", (json_int_t)by[FERRY_PLAN_WRITE],
		    "merged", (json_int_t)by[FERRY_PLAN_MERGED], "held",
		    (json_int_t)by[FERRY_PLAN_HELD], "skipped",
		    (json_int_t)by[FERRY_PLAN_SKIPPED], "touched",
		    (json_int_t)(r->stats.replanned - r->stats.asked),
		    "changed", (json_int_t)r->stats.changed, "still_held",
		    groups, "records", records);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
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
			print_groups(groups, per_object);
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

static int queue_retry(struct ferry_cli *cli, char **args, int nargs)
{
	struct ferry_queue_filter f = {nargs > 0 ? args[0] : NULL,
	                               filter_opt(cli, O_CODE),
	                               filter_opt(cli, O_FIELD)};
	bool json = opt(cli, O_JSON) != NULL;
	struct retry_list l = {NULL, 0, 0};
	struct replan r;
	size_t i;
	int error, k;

	memset(&r, 0, sizeof(r));
	if (nargs > 1 && (f.code || f.field))
		return ferry_cli_usage(cli, "name records or filter the queue "
		                            "(--code, --field), not both");
	if ((error = replan_prepare(cli, &r, json)) < 0)
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
	if ((error = replan_run(cli, &r, l.refs, l.n)) < 0)
		goto done;
	error = retry_print(cli, &r, &l, nargs <= 1);
done:
	for (i = 0; i < l.n; i++) {
		free((char *)(uintptr_t)l.refs[i].object);
		free((char *)(uintptr_t)l.refs[i].source_id);
	}
	free(l.refs);
	replan_release(&r);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}

/*
 * The subcommands.
 */

struct sub {
	const char *name;
	const char *usage;
	unsigned opts;
	int min_args, max_args; /* after the subcommand's name; -1: any */
	int (*run)(struct ferry_cli *cli, char **args, int nargs);
};

static const struct sub subs[] = {
    {"list", "queue list [--object O] [--code C] [--field F] [--all] [--json]",
     BIT(O_OBJECT) | BIT(O_CODE) | BIT(O_FIELD) | BIT(O_ALL) | BIT(O_JSON), 0,
     0, queue_list},
    {"show", "queue show <object> <id> [--json]", BIT(O_JSON), 2, 2,
     queue_show},
    {"edit",
     "queue edit <object> <id> <Field>=<value>... [--unset <Field>] "
     "[--clear] [--offline]",
     BIT(O_UNSET) | BIT(O_CLEAR) | BIT(O_OFFLINE), 2, -1, queue_edit},
    {"retry",
     "queue retry [<object> [<id>...]] [--code C] [--field F] [--json] "
     "[--offline]",
     BIT(O_CODE) | BIT(O_FIELD) | BIT(O_JSON) | BIT(O_OFFLINE), 0, -1,
     queue_retry},
    {"skip", "queue skip <object> <id>... --reason \"<text>\" [--offline]",
     BIT(O_REASON) | BIT(O_OFFLINE), 2, -1, queue_skip},
};

static int queue_run(struct ferry_cli *cli)
{
	const struct sub *s = NULL;
	int nargs = cli->nargs - 1, o;
	size_t i;

	if (cli->nargs < 1)
		return ferry_cli_usage(cli, "say which: list, show, edit, "
		                            "retry or skip");
	for (i = 0; i < FERRY_ARRAY_LEN(subs) && !s; i++)
		if (!strcmp(subs[i].name, cli->args[0]))
			s = &subs[i];
	if (!s)
		return ferry_cli_usage(cli,
		                       "'%s' is not a queue command: list, "
		                       "show, edit, retry or skip",
		                       cli->args[0]);
	for (o = O_OBJECT; o <= O_REASON; o++)
		if (cli->opt_values[o] && !(s->opts & BIT(o)))
			return ferry_cli_usage(cli,
			                       "'queue %s' takes no %s: ferry "
			                       "%s",
			                       s->name, queue_opts[o].name,
			                       s->usage);
	if (nargs < s->min_args || (s->max_args >= 0 && nargs > s->max_args))
		return ferry_cli_usage(cli, "wrong arguments: ferry %s",
		                       s->usage);
	return s->run(cli, cli->args + 1, nargs);
}

const struct ferry_cmd ferry_cmd_queue = {
    .name = "queue",
    .usage = "queue list | show | edit | retry | skip [<args>]",
    .summary = "Work the conflict queue: the held records and what "
               "releases them",
    .help =
        "The records the plan holds, each with its reasons and what\n"
        "releases it, and the ways to release them:\n"
        "  queue list [--object O] [--code C] [--field F] [--all] [--json]\n"
        "  queue show <object> <id> [--json]\n"
        "  queue edit <object> <id> <Field>=<value>... [--unset <Field>] "
        "[--clear]\n"
        "  queue retry [<object> [<id>...]] [--code C] [--field F] "
        "[--json]\n"
        "  queue skip <object> <id>... --reason \"<text>\"\n"
        "An override (edit) is a value the plan reads instead of the\n"
        "staged one, which stays as Salesforce gave it; a skip leaves the\n"
        "record out, with the reason given. After a fix in mapping.yaml\n"
        "or Attio, retry re-plans the held records. Each change re-plans\n"
        "at once the records it touches, with the inputs 'ferry plan'\n"
        "reads (--offline as there), and is an audit event.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = queue_opts,
    .max_args = 10000,
    .run = queue_run,
};
