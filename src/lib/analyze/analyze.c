/* analyze.c: `ferry analyze`'s engine. It lists the staged objects, loads
 * what extract learned about them, streams each object once (scan.c), runs
 * the duplicate, reference and owner checks in SQLite, derives the risks,
 * statuses, score and estimate, and assembles the readiness report; then
 * drafts mapping.yaml (never over a person's edits) and writes the report
 * files. See docs/internals/analyze.md. */
#include "util.h"

#include <time.h>

#include "analyze_int.h"
#include "ferry/hash.h"
#include "store/store.h"

#define MAPPING_FILE "mapping.yaml"
#define DRAFT_FILE   "reports/mapping.draft.yaml"
#define MAPPING_META "analyze.mapping_sha256"
#define REPORTS_DIR  "reports"

static const char temp_tables[] =
    "DROP TABLE IF EXISTS temp.analyze_keys;"
    "DROP TABLE IF EXISTS temp.analyze_refs;"
    "DROP TABLE IF EXISTS temp.analyze_owners;"
    "DROP TABLE IF EXISTS temp.analyze_broken;"
    "CREATE TEMP TABLE analyze_keys (kind TEXT NOT NULL, key TEXT NOT "
    "NULL, object TEXT NOT NULL, source_id TEXT NOT NULL);"
    "CREATE TEMP TABLE analyze_refs (object TEXT NOT NULL, field TEXT NOT "
    "NULL, source_id TEXT NOT NULL, target_object TEXT NOT NULL, "
    "target_id TEXT NOT NULL);"
    "CREATE TEMP TABLE analyze_owners (owner_id TEXT NOT NULL, object "
    "TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (owner_id, object)) "
    "WITHOUT ROWID;";

static const char drop_tables[] = "DROP TABLE IF EXISTS temp.analyze_keys;"
                                  "DROP TABLE IF EXISTS temp.analyze_refs;"
                                  "DROP TABLE IF EXISTS temp.analyze_owners;"
                                  "DROP TABLE IF EXISTS temp.analyze_broken;";

static int add_object(const struct ferry_staged_object *o, void *payload)
{
	struct analyze *an = payload;
	struct an_object *obj;

	an->objs =
	    ferry_xrealloc(an->objs, (an->n_objs + 1) * sizeof(*an->objs));
	obj = &an->objs[an->n_objs];
	memset(obj, 0, sizeof(*obj));
	snprintf(obj->name, sizeof(obj->name), "%s", o->object);
	obj->label = ferry_xstrdup(o->object);
	obj->staged = o->count;
	if (strcmp(o->staged_at, an->staged_at) > 0)
		snprintf(an->staged_at, sizeof(an->staged_at), "%s",
		         o->staged_at);
	obj->rule = an_rule_object(o->object);
	obj->triggers = obj->flows = obj->vrules = obj->wrules = -1;
	*an_map_put(&an->obj_index, o->object, NULL) = (int64_t)an->n_objs;
	an->n_objs++;
	return 0;
}

static void load_members(struct analyze *an)
{
	const struct ferry_analyze_dest *dest = an->o->dest;
	json_t *m;
	size_t i;
	char *email;

	an->online = dest && (dest->members || dest->attributes);
	if (!an->online || !dest->members)
		return;
	json_array_foreach(dest->members, i, m)
	{
		const char *e =
		    json_string_value(json_object_get(m, "email_address"));
		const char *level =
		    json_string_value(json_object_get(m, "access_level"));

		if (!e || (level && !strcmp(level, "suspended")))
			continue;
		email = ferry_xstrdup(e);
		an_map_put(&an->members, ferry_str_lower(ferry_str_trim(email)),
		           NULL);
		free(email);
	}
}

static int prepare(struct analyze *an)
{
	int error;

	if ((error = ferry_store__exec(an->ws, temp_tables)) < 0 ||
	    (error = ferry_store__prepare(
	         &an->ins_key, an->ws,
	         "INSERT INTO temp.analyze_keys VALUES (?, ?, ?, ?)")) < 0 ||
	    (error = ferry_store__prepare(
	         &an->ins_ref, an->ws,
	         "INSERT INTO temp.analyze_refs VALUES (?, ?, ?, ?, ?)")) < 0 ||
	    (error = ferry_store__prepare(
	         &an->ins_owner, an->ws,
	         "INSERT INTO temp.analyze_owners VALUES (?, ?, ?) ON "
	         "CONFLICT (owner_id, object) DO UPDATE SET n = n + "
	         "excluded.n")) < 0)
		return ferry_error_wrap(error, "preparing the analysis");
	return 0;
}

static void free_field(struct an_field *f)
{
	size_t i;

	free(f->name);
	free(f->label);
	free(f->type);
	an_map_free(&f->defined);
	for (i = 0; i < f->n_active; i++)
		free(f->active[i]);
	free(f->active);
	for (i = 0; i < f->n_ref_to; i++)
		free(f->ref_to[i]);
	free(f->ref_to);
	an_distinct_free(&f->distinct);
	an_map_free(&f->values);
}

static void free_object(struct an_object *obj)
{
	size_t i;

	for (i = 0; i < obj->n_fields; i++)
		free_field(&obj->fields[i]);
	free(obj->fields);
	an_map_free(&obj->field_index);
	for (i = 0; i < obj->n_refs; i++) {
		free(obj->refs[i].field);
		free(obj->refs[i].target);
	}
	free(obj->refs);
	free(obj->label);
	an_examples_free(&obj->person_accounts.ex);
	an_examples_free(&obj->converted.ex);
	an_examples_free(&obj->no_key.ex);
	an_examples_free(&obj->personal.ex);
	an_examples_free(&obj->two_parents.ex);
	an_examples_free(&obj->large_files.ex);
	an_map_free(&obj->owners);
	free(obj->status_reason);
}

static void free_analyze(struct analyze *an)
{
	size_t i;

	sqlite3_finalize(an->ins_key);
	sqlite3_finalize(an->ins_ref);
	sqlite3_finalize(an->ins_owner);
	for (i = 0; i < an->n_objs; i++)
		free_object(&an->objs[i]);
	free(an->objs);
	an_map_free(&an->obj_index);
	an_map_free(&an->prefixes);
	for (i = 0; i < an->n_prefix_names; i++)
		free(an->prefix_names[i]);
	free(an->prefix_names);
	an_map_free(&an->members);
	json_decref(an->extract);
	json_decref(an->risks);
}

static json_t *count_or_null(int64_t n)
{
	return n < 0 ? json_null() : json_integer(n);
}

static void now_iso(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *source_json(struct analyze *an)
{
	json_t *s = json_object(), *x = an->extract;
	const char *at = json_string_value(json_object_get(x, "finished_at"));

	/* A CSV export was "extracted" when it was staged. */
	if (!at && !an->from_api && *an->staged_at)
		at = an->staged_at;

	json_object_set_new(
	    s, "type",
	    json_string(an->from_api ? "salesforce" : "salesforce-export"));
	json_object_set(s, "instance_url",
	                json_is_string(json_object_get(x, "instance_url"))
	                    ? json_object_get(x, "instance_url")
	                    : json_null());
	json_object_set(s, "api_version",
	                json_is_string(json_object_get(x, "api_version"))
	                    ? json_object_get(x, "api_version")
	                    : json_null());
	json_object_set_new(s, "extracted_at",
	                    at ? json_string(at) : json_null());
	json_object_set_new(s, "records", json_integer(an->total));
	return s;
}

static json_t *destination_json(struct analyze *an)
{
	json_t *d = json_object();
	const struct ferry_analyze_dest *dest = an->o->dest;

	json_object_set_new(d, "type", json_string("attio"));
	json_object_set_new(d, "reachable", json_boolean(an->online));
	json_object_set_new(
	    d, "write_rate",
	    an_rate_json(an->o->write_rate > 0.0 ? an->o->write_rate : 25.0));
	json_object_set_new(d, "record_limit",
	                    an->o->record_limit > 0
	                        ? json_integer(an->o->record_limit)
	                        : json_null());
	json_object_set_new(
	    d, "members",
	    an->online && dest->members
	        ? json_integer((json_int_t)json_array_size(dest->members))
	        : json_null());
	return d;
}

static json_t *automation_json(struct analyze *an)
{
	json_t *a = json_object();

	json_object_set_new(a, "apex_triggers",
	                    count_or_null(an->auto_totals[0]));
	json_object_set_new(a, "apex_classes",
	                    count_or_null(an->auto_totals[1]));
	json_object_set_new(a, "flows", count_or_null(an->auto_totals[2]));
	json_object_set_new(a, "validation_rules",
	                    count_or_null(an->auto_totals[3]));
	json_object_set_new(a, "workflow_rules",
	                    count_or_null(an->auto_totals[4]));
	json_object_set_new(a, "known", json_boolean(an->automation_known));
	return a;
}

static json_t *object_json(struct an_object *obj)
{
	json_t *o = json_object(), *a = json_object(), *fields = json_array();
	size_t i;

	json_object_set_new(o, "name", json_string(obj->name));
	json_object_set_new(o, "label", json_string(obj->label));
	json_object_set_new(o, "count", json_integer(obj->count));
	json_object_set_new(o, "deleted", json_integer(obj->deleted));
	json_object_set_new(o, "destination",
	                    obj->rule ? json_string(obj->rule->to)
	                              : json_null());
	json_object_set_new(o, "status", json_string(obj->status));
	json_object_set_new(o, "status_reason",
	                    json_string(obj->status_reason));
	json_object_set_new(a, "apex_triggers", count_or_null(obj->triggers));
	json_object_set_new(a, "flows", count_or_null(obj->flows));
	json_object_set_new(a, "validation_rules", count_or_null(obj->vrules));
	json_object_set_new(a, "workflow_rules", count_or_null(obj->wrules));
	json_object_set_new(o, "automation", a);
	for (i = 0; i < obj->n_fields; i++)
		if (obj->fields[i].seen)
			json_array_append_new(
			    fields, an_field_json(&obj->fields[i], obj->count));
	json_object_set_new(o, "fields", fields);
	return o;
}

static json_t *report_json(struct analyze *an, json_t *estimate)
{
	json_t *r = json_object(), *objects = json_array(), *m = json_object();
	char now[32];
	size_t i;

	now_iso(now, sizeof(now));
	json_object_set_new(r, "ferry_version", json_string(FERRY_VERSION));
	json_object_set_new(r, "generated_at", json_string(now));
	json_object_set_new(r, "source", source_json(an));
	json_object_set_new(r, "destination", destination_json(an));
	json_object_set_new(r, "score", an_score(an));
	json_object_set_new(r, "estimate", estimate);
	json_object_set_new(r, "automation", automation_json(an));
	for (i = 0; i < an->n_objs; i++)
		json_array_append_new(objects, object_json(&an->objs[i]));
	json_object_set_new(r, "objects", objects);
	json_object_set(r, "risks", an->risks);
	json_object_set_new(m, "path", json_string(MAPPING_FILE));
	json_object_set_new(m, "action", json_null());
	json_object_set_new(m, "draft", json_null());
	json_object_set_new(m, "note", json_string("not drafted yet"));
	json_object_set_new(r, "mapping", m);
	return r;
}

static int analyze(struct analyze *an, json_t **estimate)
{
	int error;

	if ((error = prepare(an)) < 0 || (error = an_load_facts(an)) < 0 ||
	    (error = an_scan(an)) < 0)
		return error;
	an_risks_records(an);
	if ((error = an_check_duplicates(an)) < 0 ||
	    (error = an_check_references(an)) < 0 ||
	    (error = an_check_owners(an)) < 0)
		return error;
	an_risks_formulas(an);
	an_risks_picklists(an);
	an_risks_automation(an);
	if ((error = an_estimate(an, estimate)) < 0)
		return error;
	an_risks_volume(an);
	an_risks_sort(an);
	an_statuses(an);
	return 0;
}

int ferry_analyze_run(json_t **out, struct ferry_workspace *ws,
                      const struct ferry_analyze_opts *o)
{
	struct analyze an = {.ws = ws, .o = o};
	json_t *estimate = NULL;
	bool begun = false;
	int error, rc;

	an.exact_max =
	    o->distinct_exact_max ? o->distinct_exact_max : AN_DISTINCT_DEFAULT;
	an.risks = json_array();
	load_members(&an);
	if ((error = ferry_stage_foreach_object(ws, add_object, &an)) < 0)
		goto done;
	if (!an.n_objs) {
		error = ferry_error_set(
		    FERRY_ENOTFOUND, "nothing is staged: run 'ferry extract' "
		                     "first");
		goto done;
	}
	/* One read transaction (a savepoint opens a deferred one): the
	 * records are read from one snapshot, the TEMP tables' inserts are
	 * not each their own commit, and since nothing in the workspace
	 * itself is written, no write lock is taken: another ferry can
	 * write meanwhile. */
	if ((error = ferry_store__exec(ws, "SAVEPOINT ferry_analyze")) < 0)
		goto done;
	begun = true;
	if ((error = analyze(&an, &estimate)) < 0)
		goto done;
	*out = report_json(&an, estimate);
	estimate = NULL;
done:
	sqlite3_finalize(an.ins_key);
	sqlite3_finalize(an.ins_ref);
	sqlite3_finalize(an.ins_owner);
	an.ins_key = an.ins_ref = an.ins_owner = NULL;
	if (begun) {
		ferry_store__exec(ws, drop_tables);
		if (error < 0)
			ferry_store__exec(ws, "ROLLBACK TO ferry_analyze");
		if ((rc = ferry_store__exec(ws, "RELEASE ferry_analyze")) < 0 &&
		    error == 0)
			error = rc;
	}
	json_decref(estimate);
	free_analyze(&an);
	return error;
}

static void set_mapping(json_t *report, const char *action, const char *draft,
                        const char *note)
{
	json_t *m = json_object();

	json_object_set_new(m, "path", json_string(MAPPING_FILE));
	json_object_set_new(m, "action", json_string(action));
	json_object_set_new(m, "draft",
	                    draft ? json_string(draft) : json_null());
	json_object_set_new(m, "note", json_string(note));
	json_object_set_new(report, "mapping", m);
}

/* True when the file at `path` is still exactly what analyze last wrote. */
static int untouched(struct ferry_workspace *ws, struct ferry_buf *current,
                     bool *out)
{
	struct ferry_buf stored = FERRY_BUF_INIT;
	char hash[FERRY_SHA256_HEX_LEN + 1];
	int error;

	*out = false;
	error = ferry_workspace_meta_get(ws, MAPPING_META, &stored);
	if (error == FERRY_ENOTFOUND) {
		error = 0;
		goto done;
	}
	if (error < 0 ||
	    (error = ferry_sha256_hex(hash, current->ptr, current->len)) < 0)
		goto done;
	*out = !strcmp(hash, stored.ptr);
done:
	ferry_buf_release(&stored);
	return error;
}

int ferry_analyze_write_mapping(json_t *report, struct ferry_workspace *ws)
{
	struct ferry_buf draft = FERRY_BUF_INIT, current = FERRY_BUF_INIT;
	const char *root = ferry_workspace_root(ws);
	char *path = ferry_xasprintf("%s/%s", root, MAPPING_FILE);
	char *dir = ferry_xasprintf("%s/%s", root, REPORTS_DIR);
	char *draft_path = ferry_xasprintf("%s/%s", root, DRAFT_FILE);
	char hash[FERRY_SHA256_HEX_LEN + 1];
	bool exists, same = false;
	int error;

	if ((error = an_mapping_render(&draft, report, ws)) < 0) {
		ferry_error_wrap(error, "drafting %s", MAPPING_FILE);
		goto done;
	}
	error = an_read_file(path, &current);
	exists = error == 0;
	if (error < 0 && error != FERRY_ENOTFOUND)
		goto done;
	if (exists && (error = untouched(ws, &current, &same)) < 0)
		goto done;
	if (exists && !same) {
		/* A person changed it (or wrote it): theirs stays. */
		if ((error = an_mkdir(dir, 0700)) < 0 ||
		    (error = an_write_file(draft_path, draft.ptr, draft.len,
		                           0644)) < 0)
			goto done;
		set_mapping(report, "kept", DRAFT_FILE,
		            "mapping.yaml has your changes and was left alone; "
		            "the new draft is reports/mapping.draft.yaml");
		goto done;
	}
	if ((error = ferry_sha256_hex(hash, draft.ptr, draft.len)) < 0 ||
	    (error = an_write_file(path, draft.ptr, draft.len, 0644)) < 0 ||
	    (error = ferry_workspace_meta_set(ws, MAPPING_META, hash)) < 0)
		goto done;
	set_mapping(report, exists ? "updated" : "written", NULL,
	            exists ? "mapping.yaml was as analyze left it, so it was "
	                     "drafted again from this analysis"
	                   : "mapping.yaml drafted: review and edit it before "
	                     "loading");
done:
	ferry_buf_release(&draft);
	ferry_buf_release(&current);
	free(path);
	free(dir);
	free(draft_path);
	return error;
}

int ferry_analyze_write_reports(const json_t *report,
                                struct ferry_workspace *ws)
{
	struct ferry_buf html = FERRY_BUF_INIT, body = FERRY_BUF_INIT;
	const char *root = ferry_workspace_root(ws);
	char *dir = ferry_xasprintf("%s/%s", root, REPORTS_DIR);
	char *json_path = ferry_xasprintf("%s/readiness.json", dir);
	char *html_path = ferry_xasprintf("%s/readiness.html", dir);
	char *text = NULL;
	int error;

	if ((error = an_mkdir(dir, 0700)) < 0)
		goto done;
	text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || ferry_buf_puts(&body, text) < 0 ||
	    ferry_buf_putc(&body, '\n') < 0) {
		error = ferry_error_set(FERRY_ERROR,
		                        "cannot encode the readiness report");
		goto done;
	}
	/* The report quotes records (emails, names): owner only. */
	if ((error = an_write_file(json_path, body.ptr, body.len, 0600)) < 0)
		goto done;
	if ((error = ferry_report_readiness_html(report, &html)) < 0) {
		ferry_error_wrap(error, "rendering %s", html_path);
		goto done;
	}
	error = an_write_file(html_path, html.ptr, html.len, 0600);
done:
	ferry_buf_release(&html);
	ferry_buf_release(&body);
	free(text);
	free(dir);
	free(json_path);
	free(html_path);
	return error;
}
