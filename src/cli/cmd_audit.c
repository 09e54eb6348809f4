/* cmd_audit.c: `ferry audit`: the append-only story of the records. With
 * --record, one record's story: where it stands now (its plan decision,
 * with every reason and what releases it, and its ledger row), then what
 * happened to it, in order, in words. */
#include "util.h"
#include "cmd.h"
#include "ferry/plan.h"

struct audit_out {
	json_t *array;
	int64_t count;
};

static json_t *event_json(const struct ferry_audit_event *e)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
	                 (json_int_t)e->seq, "at", e->at, "stage", e->stage,
	                 "object", e->object, "record", e->source_id, "event",
	                 e->event, "detail", e->detail ? e->detail : "");
}

static int on_event(const struct ferry_audit_event *e, void *payload)
{
	struct audit_out *o = payload;

	o->count++;
	if (o->array) {
		json_array_append_new(o->array, event_json(e));
		return 0;
	}
	printf("%s  %-8s %-10s %-20s %-9s %s\n", e->at, e->stage, e->object,
	       e->source_id, e->event, e->detail ? e->detail : "");
	return 0;
}

/*
 * One record's story.
 */

/* The objects the record is found in: its events', then any staged
 * object that has a decision or a ledger row for it. */
struct story {
	struct ferry_workspace *ws;
	const char *record;
	char (*objects)[64];
	size_t n;
	json_t *events; /* --json: every event of the record */
};

static void add_object(struct story *s, const char *object)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->objects[i], object))
			return;
	s->objects =
	    ferry_xrealloc(s->objects, (s->n + 1) * sizeof(*s->objects));
	snprintf(s->objects[s->n++], sizeof(*s->objects), "%s", object);
}

static int on_story_event(const struct ferry_audit_event *e, void *payload)
{
	struct story *s = payload;

	add_object(s, e->object);
	if (s->events)
		json_array_append_new(s->events, event_json(e));
	return 0;
}

/* The record's decision in `object` (NULL when it has none). */
static int decision_of(json_t **out, struct story *s, const char *object)
{
	int error = ferry_plan_get(out, s->ws, object, s->record);

	if (error == FERRY_ENOTFOUND) {
		*out = NULL;
		return 0;
	}
	return error;
}

/* Its ledger row: 1 and *row when there is one, 0 when none. */
static int ledger_of(struct ferry_ledger_row *row, struct story *s,
                     const char *object)
{
	int error = ferry_ledger_get(row, s->ws, object, s->record);

	return error == FERRY_ENOTFOUND ? 0 : error < 0 ? error : 1;
}

static int on_staged(const struct ferry_staged_object *o, void *payload)
{
	struct story *s = payload;
	struct ferry_ledger_row row;
	json_t *d = NULL;
	int error, found;

	if ((error = decision_of(&d, s, o->object)) < 0)
		return error;
	if (!d && (found = ledger_of(&row, s, o->object)) <= 0)
		return found;
	json_decref(d);
	add_object(s, o->object);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int find_objects(struct story *s, const char *object)
{
	int error;

	if (object) {
		add_object(s, object);
		return ferry_audit_foreach(s->ws, object, s->record,
		                           on_story_event, s);
	}
	if ((error = ferry_audit_foreach(s->ws, NULL, s->record, on_story_event,
	                                 s)) < 0 ||
	    (error = ferry_stage_foreach_object(s->ws, on_staged, s)) < 0)
		return error;
	if (s->n > 1)
		qsort(s->objects, s->n, sizeof(*s->objects), by_name);
	return 0;
}

/* Each reason (or note): "Website domain_invalid: ..." and, under it,
 * what releases it. */
static void print_reasons(const json_t *list, const char *indent)
{
	const json_t *r;
	size_t i;

	json_array_foreach(list, i, r)
	{
		const char *field = ferry_cli_jstr(r, "field");

		printf("%s%s%s%s: %s\n", indent, field, *field ? " " : "",
		       ferry_cli_jstr(r, "code"), ferry_cli_jstr(r, "message"));
		if (*ferry_cli_jstr(r, "release"))
			printf("%s  -> %s\n", indent,
			       ferry_cli_jstr(r, "release"));
	}
}

static void print_decision(const json_t *d)
{
	const char *decision = ferry_cli_jstr(d, "decision");
	const json_t *reasons = json_object_get(d, "reasons");
	const json_t *notes = json_object_get(d, "notes");

	if (!d) {
		printf("  Decision: none: the record is not planned (run "
		       "'ferry plan')\n");
		return;
	}
	printf("  Decision: %s", decision);
	if (!strcmp(decision, "merged"))
		printf(" into %s %s", ferry_cli_jstr(d, "survivor_object"),
		       ferry_cli_jstr(d, "survivor_id"));
	else if (!strcmp(decision, "held"))
		printf(": a person must act");
	else if (!strcmp(decision, "skipped"))
		printf(": a rule leaves it out");
	printf(" (planned %s)\n", ferry_cli_jstr(d, "planned_at"));
	if (*ferry_cli_jstr(d, "dest_object")) {
		printf("  To:       %s", ferry_cli_jstr(d, "dest_object"));
		if (*ferry_cli_jstr(d, "match_value"))
			printf(", matched on %s = %s",
			       ferry_cli_jstr(d, "match_attribute"),
			       ferry_cli_jstr(d, "match_value"));
		printf("\n");
	}
	if (json_array_size(reasons)) {
		printf("  %s\n", !strcmp(decision, "held")
		                     ? "Why, and what releases it:"
		                     : "Why:");
		print_reasons(reasons, "    ");
	}
	if (json_array_size(notes)) {
		printf("  Notes:\n");
		print_reasons(notes, "    ");
	}
}

static void print_ledger(const struct ferry_ledger_row *r, int found)
{
	if (!found) {
		printf("  Ledger:   nothing written to the destination yet\n");
		return;
	}
	printf("  Ledger:   %s", ferry_ledger_status_name(r->status));
	if (r->status == FERRY_LEDGER_WRITTEN)
		printf(" to %s as %s", r->dest_object, r->dest_id);
	else if (r->status == FERRY_LEDGER_PENDING)
		printf(": a write was started, its outcome is not known yet");
	if (*r->reason)
		printf(": %s", r->reason);
	printf(" (%d attempt%s", r->attempts, r->attempts == 1 ? "" : "s");
	if (r->http_status)
		printf(", HTTP %d", r->http_status);
	printf(", %s)\n", r->updated_at);
}

/* A plan event's detail: {"reasons", "notes", "survivor"}. */
static void print_plan_event(const struct ferry_audit_event *e,
                             const json_t *detail)
{
	const json_t *survivor = json_object_get(detail, "survivor");

	if (!strcmp(e->event, "merged") && survivor)
		printf("planned: merged into %s %s\n",
		       ferry_cli_jstr(survivor, "object"),
		       ferry_cli_jstr(survivor, "source_id"));
	else if (!strcmp(e->event, "write"))
		printf("planned: to be written\n");
	else
		printf("planned: %s\n", e->event);
	print_reasons(json_object_get(detail, "reasons"), "        ");
	print_reasons(json_object_get(detail, "notes"), "        note: ");
}

static int on_story_line(const struct ferry_audit_event *e, void *payload)
{
	json_t *detail = json_loads(e->detail ? e->detail : "", 0, NULL);
	int64_t *events = payload;
	char *text;

	(*events)++;
	printf("    %s  %-6s ", e->at, e->stage);
	if (!strcmp(e->stage, "plan") && json_is_object(detail)) {
		print_plan_event(e, detail);
	} else if (json_is_object(detail)) {
		text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s: %s\n", e->event, text ? text : "");
		free(text);
	} else if (e->detail && *e->detail) {
		printf("%s: %s\n", e->event, e->detail);
	} else {
		printf("%s\n", e->event);
	}
	json_decref(detail);
	return 0;
}

static int print_story(struct story *s, const char *object)
{
	struct ferry_ledger_row row;
	json_t *d = NULL;
	int error, found;

	int64_t events = 0;

	if ((error = decision_of(&d, s, object)) < 0)
		goto done;
	if ((found = ledger_of(&row, s, object)) < 0) {
		error = found;
		goto done;
	}
	printf("%s %s\n", object, s->record);
	print_decision(d);
	print_ledger(&row, found);
	printf("  Story:\n");
	error = ferry_audit_foreach(s->ws, object, s->record, on_story_line,
	                            &events);
	if (!error && !events)
		printf("    no audit events\n");
done:
	json_decref(d);
	return error;
}

static json_t *ledger_json(const struct ferry_ledger_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "status",
	                 ferry_ledger_status_name(r->status), "dest_object",
	                 r->dest_object, "dest_id", r->dest_id, "reason",
	                 r->reason, "attempts", r->attempts, "http_status",
	                 r->http_status, "updated_at", r->updated_at);
}

/* {"record", "decision", "ledger", "events", "objects"}: see
 * docs/cli/audit.md. */
static int story_json(struct story *s)
{
	json_t *objects = json_array(), *doc;
	struct ferry_ledger_row row;
	size_t i;
	int error = 0, found;

	for (i = 0; i < s->n && !error; i++) {
		json_t *d = NULL, *l = json_null();

		if ((error = decision_of(&d, s, s->objects[i])) < 0)
			break;
		if ((found = ledger_of(&row, s, s->objects[i])) < 0) {
			error = found;
			json_decref(d);
			break;
		}
		if (found)
			l = ledger_json(&row);
		json_array_append_new(
		    objects,
		    json_pack("{s:s, s:o, s:o}", "object", s->objects[i],
		              "decision", d ? d : json_null(), "ledger", l));
	}
	if (error < 0) {
		json_decref(objects);
		return error;
	}
	doc = json_pack(
	    "{s:s, s:O, s:O, s:O, s:o}", "record", s->record, "decision",
	    s->n == 1 ? json_object_get(json_array_get(objects, 0), "decision")
	              : json_null(),
	    "ledger",
	    s->n == 1 ? json_object_get(json_array_get(objects, 0), "ledger")
	              : json_null(),
	    "events", s->events, "objects", objects);
	ferry_cli_print_json(doc);
	json_decref(doc);
	return 0;
}

static int record_story(struct ferry_cli *cli, const char *object,
                        const char *record, bool json)
{
	struct story s = {cli->ws, record, NULL, 0, NULL};
	size_t i;
	int error;

	if (json)
		s.events = json_array();
	if ((error = find_objects(&s, object)) < 0)
		goto done;
	if (json) {
		error = story_json(&s);
		goto done;
	}
	if (!s.n)
		printf("No decision and no audit events for record %s.\n",
		       record);
	for (i = 0; i < s.n && !error; i++) {
		if (i)
			printf("\n");
		error = print_story(&s, s.objects[i]);
	}
done:
	json_decref(s.events);
	free(s.objects);
	return error;
}

static const struct ferry_opt audit_opts[] = {
    {"--object", "<name>", "only the events of this object"},
    {"--record", "<id>",
     "one record's story: its decision, its ledger row, its events"},
    {"--json", NULL,
     "print the events as a JSON array (with --record: the story as an "
     "object)"},
    {NULL, NULL, NULL},
};

static int audit_run(struct ferry_cli *cli)
{
	bool json = ferry_cli_flag(cli, "--json");
	const char *object = ferry_cli_opt(cli, "--object");
	const char *record = ferry_cli_opt(cli, "--record");
	struct audit_out out = {NULL, 0};
	int error;

	if (record) {
		error = record_story(cli, object, record, json);
		return error < 0 ? ferry_cli_fail(cli, error) : FERRY_EXIT_OK;
	}
	if (json)
		out.array = json_array();
	error = ferry_audit_foreach(cli->ws, object, NULL, on_event, &out);
	if (error < 0) {
		json_decref(out.array);
		return ferry_cli_fail(cli, error);
	}
	if (json) {
		ferry_cli_print_json(out.array);
		json_decref(out.array);
	} else if (out.count == 0) {
		printf("No audit events.\n");
	}
	return FERRY_EXIT_OK;
}

const struct ferry_cmd ferry_cmd_audit = {
    .name = "audit",
    .usage = "audit [--object <name>] [--record <id>] [--json]",
    .summary = "Show the audit log: every decision and write, in order",
    .help = "Prints the workspace's append-only audit log: when, which\n"
            "stage, which record, what happened and why. --object <name>\n"
            "keeps one object. --record <id> tells one record's story: its\n"
            "plan decision (every reason, and what releases it; the\n"
            "survivor of a merged record), its ledger row, then its events\n"
            "in order (each object that has the id, unless --object says\n"
            "which). With --json, --record prints {\"record\", \"decision\",\n"
            "\"ledger\", \"events\", \"objects\"}.",
    .needs = FERRY_NEEDS_WORKSPACE,
    .opts = audit_opts,
    .run = audit_run,
};
