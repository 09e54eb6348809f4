/* plan_load.c: what the load asks of the plan: a record Attio refused goes
 * back to the conflict queue (held, with Attio's message and what releases
 * it), and the fingerprint of what a whole plan was made from (mapping.yaml
 * and the staging), so `ferry run` knows when to plan again first. */
#include "util.h"

#include <errno.h>

#include "ferry/hash.h"
#include "plan_int.h"
#include "store/store.h"

int ferry_plan_hold(struct ferry_workspace *ws, const char *object,
                    const char *source_id, const json_t *reason)
{
	sqlite3_stmt *st = NULL;
	char now[40], *reasons = NULL, *detail = NULL;
	json_t *list = json_array();
	int error;

	json_array_append_new(list, json_deep_copy(reason));
	reasons = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
	detail = json_dumps(reason, JSON_COMPACT | JSON_SORT_KEYS);
	if (!reasons || !detail) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "the reason to hold %s %s is not JSON",
		                        object, source_id);
		goto done;
	}
	if ((error = ferry_store__prepare(
	         &st, ws,
	         "UPDATE plan SET decision = 'held', reasons = ?1, planned_at "
	         "= ?2 WHERE object = ?3 AND source_id = ?4")) < 0)
		goto done;
	ferry_store__now(now, sizeof(now));
	ferry_store__bind_text(st, 1, reasons);
	ferry_store__bind_text(st, 2, now);
	ferry_store__bind_text(st, 3, object);
	ferry_store__bind_text(st, 4, source_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		error =
		    ferry_store__error(ws, "cannot hold a record in the plan");
		goto done;
	}
	if (sqlite3_changes(ws->db) == 0) {
		error = ferry_error_set(
		    FERRY_ENOTFOUND, "%s %s has no decision: run 'ferry plan'",
		    object, source_id);
		goto done;
	}
	error =
	    ferry_audit_append(ws, "load", object, source_id, "held", detail);
done:
	sqlite3_finalize(st);
	json_decref(list);
	free(reasons);
	free(detail);
	return error;
}

static int add_staged(const struct ferry_staged_object *o, void *payload)
{
	struct ferry_buf *b = payload;

	return ferry_buf_printf(b, "\n%s %" PRId64 " %s", o->object, o->count,
	                        o->staged_at);
}

int ferry_plan_fingerprint(struct ferry_workspace *ws, const char *mapping_path,
                           char out[65])
{
	struct ferry_buf b = FERRY_BUF_INIT;
	char chunk[8192];
	FILE *f = NULL;
	size_t n;
	int error = 0;

	if (mapping_path && !(f = fopen(mapping_path, "rb")) &&
	    errno != ENOENT) {
		error = ferry_error_set(FERRY_EIO, "cannot read '%s'",
		                        mapping_path);
		goto done;
	}
	while (f && !error && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		error = ferry_buf_put(&b, chunk, n);
	if (!error && f && ferror(f))
		error = ferry_error_set(FERRY_EIO, "cannot read '%s'",
		                        mapping_path);
	if (!error)
		error = ferry_buf_puts(&b, "\n--staging--");
	if (!error)
		error = ferry_stage_foreach_object(ws, add_staged, &b);
	if (!error)
		error = ferry_sha256_hex(out, b.ptr, b.len);
done:
	if (f)
		fclose(f);
	ferry_buf_release(&b);
	return error;
}
