/* gone.c: the records Salesforce deleted, settled at the destination by
 * their ledger rows: what ferry created there (op "created") is deleted
 * (a DELETE; 404 means it is gone already) and the row becomes deleted;
 * a record that was in Attio before ferry (op "updated" or "existed"), a
 * link ferry appended, or a row that does not say what its write did, is
 * left as it is and listed; rows of records that never reached Attio
 * (merged, skipped, held, failed) become deleted. With --dry-run, only
 * counted. Sequential: a sync deletes few records. */
#include "util.h"

#include "sync_int.h"

struct settle {
	struct sy_run *run;
	struct ferry_http *http;
	bool refused;
};

/* Where the thing a ledger row names lives in Attio. */
static int dest_path(struct ferry_buf *path, struct sy_run *run,
                     const struct ferry_ledger_row *row)
{
	const struct ferry_mapfile_object *o =
	    ferry_mapfile_object(run->m, row->object);
	const char *dest = row->dest_object, *before, *after;
	int error;

	ferry_buf_clear(path);
	if (!strcmp(dest, "notes") || !strcmp(dest, "tasks")) {
		before = "/v2/";
		after = "/";
	} else if (o && o->kind == FERRY_MF_LIST_ENTRIES) {
		before = "/v2/lists/";
		after = "/entries/";
	} else {
		before = "/v2/objects/";
		after = "/records/";
	}
	if ((error = ferry_buf_puts(path, before)) < 0 ||
	    (error = ferry_buf_put_urlencoded(path, dest)) < 0 ||
	    (error = ferry_buf_puts(path, after)) < 0)
		return error;
	return ferry_buf_put_urlencoded(path, row->dest_id);
}

/* Why a record deleted in Salesforce is left in Attio. */
static const char *left_why(const struct ferry_ledger_row *row)
{
	if (!strcmp(row->op, "updated"))
		return "it was in Attio before ferry's first write to it "
		       "(ferry updated it, did not create it)";
	if (!strcmp(row->op, "existed"))
		return "it was in Attio before ferry (found there)";
	if (!strcmp(row->op, "appended"))
		return "a link ferry added to a record that stays";
	if (row->status == FERRY_LEDGER_PENDING && !row->dest_id[0])
		return "a write of it was in flight when a run stopped: look "
		       "for it in Attio";
	return "the ledger does not say whether ferry created it (written "
	       "before ferry recorded what a write did)";
}

static void list_left(struct sy_run *run, const struct ferry_ledger_row *row,
                      const char *why)
{
	json_array_append_new(
	    run->rep->left,
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", row->object,
	              "source_id", row->source_id, "dest_object",
	              row->dest_object, "dest_id", row->dest_id, "why", why));
}

static int audit(struct sy_run *run, const struct ferry_ledger_row *row,
                 const char *event, long status, const char *why)
{
	json_t *d = json_pack("{s:s, s:s}", "dest_object", row->dest_object,
	                      "dest_id", row->dest_id);
	char *text;
	int error;

	if (status)
		json_object_set_new(d, "http_status", json_integer(status));
	if (why)
		json_object_set_new(d, "why", json_string(why));
	text = json_dumps(d, JSON_COMPACT);
	error = ferry_audit_append(run->ws, "sync", row->object, row->source_id,
	                           event, text);
	free(text);
	json_decref(d);
	return error;
}

/* `mark`: the ledger row says so, and later syncs leave it be; a delete
 * Attio refused is not marked, so the next sync tries it again. */
static int leave(struct settle *s, struct sy_obj *obj,
                 struct ferry_ledger_row *row, const char *why, bool mark)
{
	char when[40];
	int error;

	obj->st->left++;
	list_left(s->run, row, why);
	if (s->run->cfg->dry_run)
		return 0;
	if (!mark)
		return audit(s->run, row, "left_in_attio", 0, why);
	ferry_clock_iso8601(ferry_clock_wall_us(), when, sizeof(when));
	snprintf(row->reason, sizeof(row->reason),
	         "deleted in Salesforce (seen %s), left in Attio: %s", when,
	         why);
	if ((error = ferry_ledger_put(s->run->ws, row)) < 0)
		return error;
	return audit(s->run, row, "left_in_attio", 0, why);
}

static int remove_one(struct settle *s, struct sy_obj *obj,
                      struct ferry_ledger_row *row)
{
	struct sy_run *run = s->run;
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	struct ferry_buf path = FERRY_BUF_INIT;
	char why[768];
	int error;

	if (run->cfg->dry_run) {
		obj->st->dest_deleted++;
		return 0;
	}
	if (!s->http) {
		if (!run->cfg->http)
			return ferry_error_set(FERRY_ECONFIG,
			                       "no destination to delete %s %s "
			                       "from",
			                       row->object, row->source_id);
		if ((error = ferry_http_new(&s->http, run->cfg->http)) < 0)
			return error;
	}
	if ((error = dest_path(&path, run, row)) < 0)
		goto done;
	run->rep->dest_requests++;
	if ((error = ferry_http_request(s->http, FERRY_HTTP_WRITE, "DELETE",
	                                path.ptr, NULL, &resp)) < 0) {
		ferry_error_wrap(error,
		                 "deleting %s %s in Attio (%s was deleted in "
		                 "Salesforce); 'ferry sync' again retries it",
		                 row->dest_object, row->dest_id,
		                 row->source_id);
		goto done;
	}
	if ((resp.status >= 200 && resp.status <= 299) || resp.status == 404) {
		row->status = FERRY_LEDGER_DELETED;
		row->http_status = (int)resp.status;
		snprintf(
		    row->reason, sizeof(row->reason),
		    "deleted in Salesforce: ferry deleted %s %s in Attio%s",
		    row->dest_object, row->dest_id,
		    resp.status == 404 ? " (it was gone already)" : "");
		obj->st->dest_deleted++;
		if ((error = ferry_ledger_put(run->ws, row)) < 0 ||
		    (error = audit(run, row, "deleted_in_attio", resp.status,
		                   NULL)) < 0)
			goto done;
		goto done;
	}
	snprintf(why, sizeof(why),
	         "Attio refused the delete (HTTP %ld): %.600s", resp.status,
	         resp.body.len ? resp.body.ptr : "no message");
	s->refused = true;
	error = leave(s, obj, row, why, false);
done:
	ferry_http_response_release(&resp);
	ferry_buf_release(&path);
	return error;
}

static int settle_one(struct settle *s, const char *object, const char *id)
{
	struct sy_obj *obj = sy_find(s->run, object);
	struct ferry_ledger_row row;
	int error;

	error = ferry_ledger_get(&row, s->run->ws, object, id);
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		return 0;
	}
	if (error < 0 || !obj)
		return error;
	switch (row.status) {
	case FERRY_LEDGER_DELETED:
	case FERRY_LEDGER_ROLLED_BACK:
		return 0;
	case FERRY_LEDGER_WRITTEN:
	case FERRY_LEDGER_PENDING:
		if (ferry_str_starts_with(row.reason, "deleted in Salesforce"))
			return 0; /* left by an earlier sync */
		if (!strcmp(row.op, "created") && row.dest_id[0])
			return remove_one(s, obj, &row);
		return leave(s, obj, &row, left_why(&row), true);
	default:
		/* Nothing of it reached Attio (merged into a survivor,
		 * skipped, held or refused). */
		if (s->run->cfg->dry_run)
			return 0;
		row.status = FERRY_LEDGER_DELETED;
		snprintf(row.reason, sizeof(row.reason),
		         "deleted in Salesforce (nothing of it in Attio)");
		return ferry_ledger_put(s->run->ws, &row);
	}
}

int sy_settle_gone(struct sy_run *run, bool *refused)
{
	struct settle s;
	const json_t *g;
	size_t i;
	int error = 0;

	memset(&s, 0, sizeof(s));
	s.run = run;
	/* Children before parents: the reverse of the load order. */
	for (i = json_array_size(run->gone); i-- > 0 && !error;) {
		g = json_array_get(run->gone, i);
		error = settle_one(&s, json_string_value(json_array_get(g, 0)),
		                   json_string_value(json_array_get(g, 1)));
	}
	ferry_http_free(s.http);
	*refused = s.refused;
	return error;
}
