/* queue_view.c: `ferry queue list` and `ferry queue show`, and the printing
 * of held records, their reasons and the groups of reasons that the changes
 * (queue_change.c) print too. */
#include "util.h"
#include "queue_cmd.h"
#include "ferry/plan.h"
#include "ferry/queue.h"

#define LIST_MAX    50  /* held records listed without --all */
#define MESSAGE_MAX 110 /* bytes of a reason in a one-line listing */

void queue_put_value(const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	printf("%s", s ? s : "(none)");
	free(s);
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
 * Reasons grouped by object, field and code.
 */

void queue_groups_add(struct queue_groups *g, const char *object,
                      const json_t *reason)
{
	const char *field = ferry_cli_jstr(reason, "field"),
	           *code = ferry_cli_jstr(reason, "code");
	const char *msg = ferry_cli_jstr(reason, "message");
	char *key = ferry_xasprintf("%s\x1f%s\x1f%s", object, field, code);
	json_t *grp = json_object_get(g->by_key, key);

	if (!grp) {
		grp = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "object",
		                object, "field", field, "code", code, "count",
		                (json_int_t)0, "example", msg, "release",
		                ferry_cli_jstr(reason, "release"));
		json_object_set_new(g->by_key, key, grp);
	} else if (strcmp(msg, ferry_cli_jstr(grp, "example")) < 0) {
		/* The same example `ferry plan` shows: the least message. */
		json_object_set_new(grp, "example", json_string(msg));
		json_object_set_new(
		    grp, "release",
		    json_string(ferry_cli_jstr(reason, "release")));
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

	if ((c = strcmp(ferry_cli_jstr(x, "object"),
	                ferry_cli_jstr(y, "object"))) != 0)
		return c;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if ((c = strcmp(ferry_cli_jstr(x, "field"),
	                ferry_cli_jstr(y, "field"))) != 0)
		return c;
	return strcmp(ferry_cli_jstr(x, "code"), ferry_cli_jstr(y, "code"));
}

json_t *queue_groups_sorted(struct queue_groups *g)
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
void queue_print_groups(const json_t *groups, const json_t *per_object)
{
	const char *last = "";
	size_t i;
	json_t *g;

	json_array_foreach(groups, i, g)
	{
		const char *field = ferry_cli_jstr(g, "field");

		if (strcmp(last, ferry_cli_jstr(g, "object"))) {
			last = ferry_cli_jstr(g, "object");
			printf("  %s: %" JSON_INTEGER_FORMAT " held\n", last,
			       json_integer_value(
			           json_object_get(per_object, last)));
		}
		printf("    %7" JSON_INTEGER_FORMAT "  %s%s%s: %s\n",
		       json_integer_value(json_object_get(g, "count")), field,
		       *field ? " " : "", ferry_cli_jstr(g, "code"),
		       ferry_cli_jstr(g, "example"));
		if (*ferry_cli_jstr(g, "release"))
			printf("             -> %s\n",
			       ferry_cli_jstr(g, "release"));
	}
}

void queue_count_object(json_t *per_object, const char *object)
{
	json_object_set_new(
	    per_object, object,
	    json_integer(
	        json_integer_value(json_object_get(per_object, object)) + 1));
}

static bool reason_matches(const json_t *r, const struct ferry_queue_filter *f)
{
	return (!f->code || !strcmp(ferry_cli_jstr(r, "code"), f->code)) &&
	       (!f->field || !strcmp(ferry_cli_jstr(r, "field"), f->field));
}

void queue_print_reasons(const json_t *reasons, const char *indent,
                         bool release)
{
	size_t i;
	json_t *r;

	json_array_foreach(reasons, i, r)
	{
		const char *field = ferry_cli_jstr(r, "field");

		printf("%s%s%s%s: %s\n", indent, field, *field ? " " : "",
		       ferry_cli_jstr(r, "code"), ferry_cli_jstr(r, "message"));
		if (release && *ferry_cli_jstr(r, "release"))
			printf("%s  release: %s\n", indent,
			       ferry_cli_jstr(r, "release"));
	}
}

/*
 * list
 */

struct list {
	const struct ferry_queue_filter *filter;
	struct queue_groups groups;
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
	queue_count_object(l->per_object, it->object);
	json_array_foreach(it->reasons, i, r)
	{
		if (!reason_matches(r, l->filter))
			continue;
		queue_groups_add(&l->groups, it->object, r);
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
	const char *field = ferry_cli_jstr(first, "field");

	printf("  %-10s %-20s %s ", ferry_cli_jstr(rec, "object"),
	       ferry_cli_jstr(rec, "source_id"),
	       json_integer_value(json_object_get(rec, "overrides")) ? "*"
	                                                             : " ");
	printf("%s%s", field, *field ? ": " : "");
	put_cut(ferry_cli_jstr(first, "message"), MESSAGE_MAX);
	if (more > 1)
		printf(" (+%zu more)", more - 1);
	printf("\n");
}

static int list_text(struct ferry_cli *cli, struct list *l)
{
	json_t *groups = queue_groups_sorted(&l->groups), *rec;
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
	queue_print_groups(groups, l->per_object);
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
	                queue_groups_sorted(&l->groups), "records", records);
	ferry_cli_print_json(doc);
	json_decref(doc);
	return 0;
}

int queue_list(struct ferry_cli *cli, char **args, int nargs)
{
	struct ferry_queue_filter f = {queue_filter_opt(cli, O_OBJECT),
	                               queue_filter_opt(cli, O_CODE),
	                               queue_filter_opt(cli, O_FIELD)};
	struct list l;
	int error;

	FERRY_UNUSED(args);
	FERRY_UNUSED(nargs);
	memset(&l, 0, sizeof(l));
	l.filter = &f;
	l.groups.by_key = json_object();
	l.per_object = json_object();
	l.records = json_array();
	l.all = queue_opt(cli, O_ALL) != NULL;
	l.json = queue_opt(cli, O_JSON) != NULL;
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
			const char *f = ferry_cli_jstr(r, "field");

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
	const char *object = ferry_cli_jstr(plan, "object"),
	           *id = ferry_cli_jstr(plan, "source_id");
	const char *decision = ferry_cli_jstr(plan, "decision");
	const json_t *overrides = json_object_get(rec, "overrides");
	const json_t *skip = json_object_get(rec, "skip");
	json_t *names = fields_named(plan, rec), *values, *v;
	const char *key;

	printf("%s %s -> %s: %s (planned %s)\n", object, id,
	       *ferry_cli_jstr(plan, "dest_object")
	           ? ferry_cli_jstr(plan, "dest_object")
	           : "-",
	       decision, ferry_cli_jstr(plan, "planned_at"));
	if (!strcmp(decision, "merged"))
		printf("  merged into %s %s\n",
		       ferry_cli_jstr(plan, "survivor_object"),
		       ferry_cli_jstr(plan, "survivor_id"));
	if (*ferry_cli_jstr(plan, "match_value"))
		printf("  matched in Attio on %s = \"%s\"\n",
		       ferry_cli_jstr(plan, "match_attribute"),
		       ferry_cli_jstr(plan, "match_value"));
	if (json_array_size(json_object_get(plan, "reasons"))) {
		printf("\n%s:\n", !strcmp(decision, "held") ? "Why it is held"
		                  : !strcmp(decision, "skipped")
		                      ? "Why it is skipped"
		                      : "Reasons");
		queue_print_reasons(json_object_get(plan, "reasons"), "  ",
		                    true);
	}
	if (json_array_size(json_object_get(plan, "notes"))) {
		printf("\nNotes:\n");
		queue_print_reasons(json_object_get(plan, "notes"), "  ", true);
	}
	values = json_object_get(json_object_get(plan, "payload"), "values");
	if (!strcmp(decision, "write") && json_object_size(values)) {
		printf("\nValues to write:\n");
		json_object_foreach(values, key, v)
		{
			printf("  %-22s ", key);
			queue_put_value(v);
			printf("\n");
		}
	}
	if (json_object_size(names)) {
		printf("\nFields:\n");
		json_object_foreach(names, key, v)
		{
			const json_t *ov = json_object_get(overrides, key);

			printf("  %-18s staged ", key);
			queue_put_value(
			    ov ? json_object_get(ov, "staged")
			       : json_object_get(json_object_get(rec, "fields"),
			                         key));
			if (ov) {
				printf(", override ");
				queue_put_value(json_object_get(ov, "value"));
				printf(" (set %s)",
				       ferry_cli_jstr(ov, "set_at"));
			} else {
				printf(", no override");
			}
			printf("\n");
		}
	}
	put_other_fields(json_object_get(rec, "fields"), names);
	if (json_is_object(skip))
		printf("\nLeft out by a person: %s (set %s)\n",
		       ferry_cli_jstr(skip, "note"),
		       ferry_cli_jstr(skip, "set_at"));
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

int queue_show(struct ferry_cli *cli, char **args, int nargs)
{
	json_t *plan = NULL, *rec = NULL, *doc;
	int error;

	FERRY_UNUSED(nargs);
	if ((error = ferry_queue_record(&rec, cli->ws, args[0], args[1])) < 0 ||
	    (error = ferry_plan_get(&plan, cli->ws, args[0], args[1])) < 0)
		goto done;
	if (queue_opt(cli, O_JSON)) {
		doc = json_pack("{s:O, s:O}", "plan", plan, "record", rec);
		ferry_cli_print_json(doc);
		json_decref(doc);
	} else {
		show_text(plan, rec);
	}
done:
	json_decref(plan);
	json_decref(rec);
	return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
}
