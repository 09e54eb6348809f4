/* comments.c: a Case written as a note carries its comments. The plan
 * merges each comment of such a case into it (`comment_appended`); here
 * the case's note content is built whole before the request — the case's
 * own content, then each comment, oldest first — so the payload hash
 * covers the comments and a re-run appends nothing twice. The comments of
 * every case are found through one temporary table per run (indexed by
 * case), not one scan of the plan per case. */
#include "util.h"

#include "load_int.h"
#include "store/store.h"

/* Fills temp.ld_comments with the merged comments of `comments`, once. */
static int index_comments(struct ld_run *run, const char *comments,
                          const char *cases)
{
	sqlite3_stmt *st = NULL;
	int error;

	if (json_object_get(run->comments_indexed, comments))
		return 0;
	if ((error = ferry_store__exec(
	         run->ws,
	         "CREATE TEMP TABLE IF NOT EXISTS ld_comments (object TEXT "
	         "NOT NULL, survivor_id TEXT NOT NULL, source_id TEXT NOT "
	         "NULL);\n"
	         "CREATE INDEX IF NOT EXISTS temp.ld_comments_case ON "
	         "ld_comments(object, survivor_id);")) < 0 ||
	    (error = ferry_store__prepare(
	         &st, run->ws,
	         "INSERT INTO temp.ld_comments(object, survivor_id, "
	         "source_id) SELECT object, survivor_id, source_id FROM plan "
	         "WHERE object = ?1 AND decision = 'merged' AND "
	         "survivor_object = ?2")) < 0)
		goto done;
	ferry_store__bind_text(st, 1, comments);
	ferry_store__bind_text(st, 2, cases);
	if (sqlite3_step(st) != SQLITE_DONE) {
		error = ferry_store__error(run->ws, "cannot index the comments "
		                                    "of the cases");
		goto done;
	}
	if (!run->comments_indexed)
		run->comments_indexed = json_object();
	json_object_set_new(run->comments_indexed, comments, json_true());
done:
	sqlite3_finalize(st);
	return error;
}

/* "2024-03-05T10:00:00.000+0000" as "2024-03-05 10:00 UTC". */
static void when(char *out, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= 16 && s[10] == 'T' &&
	    (s[n - 1] == 'Z' || (n >= 5 && !strcmp(s + n - 5, "+0000"))))
		snprintf(out, cap, "%.10s %.5s UTC", s, s + 11);
	else
		snprintf(out, cap, "%s", s && *s ? s : "date unknown");
}

int ld_case_comments(struct ld_run *run, struct ld_rec *rec,
                     struct ferry_buf *content)
{
	const char *comments = rec->obj->o ? rec->obj->o->comments : NULL;
	sqlite3_stmt *st = NULL;
	char date[64];
	int error, rc;

	if (!comments)
		return 0;
	if ((error = index_comments(run, comments, rec->obj->name)) < 0 ||
	    (error = ferry_store__prepare(
	         &st, run->ws,
	         "SELECT json_extract(s.fields, '$.CommentBody'), "
	         "json_extract(s.fields, '$.CreatedDate') FROM "
	         "temp.ld_comments c JOIN staged_records s ON s.object = "
	         "c.object AND s.source_id = c.source_id WHERE c.object = ?1 "
	         "AND c.survivor_id = ?2 ORDER BY 2, c.source_id")) < 0)
		goto done;
	ferry_store__bind_text(st, 1, comments);
	ferry_store__bind_text(st, 2, rec->source_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !error) {
		const char *body = (const char *)sqlite3_column_text(st, 0);

		when(date, sizeof(date),
		     (const char *)sqlite3_column_text(st, 1));
		error = ferry_buf_printf(content, "%sComment, %s:\n%s",
		                         content->len ? "\n\n" : "", date,
		                         body ? body : "");
	}
	if (!error && rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = ferry_store__error(run->ws, "cannot read the comments "
		                                    "of a case");
done:
	if (error < 0)
		error = ferry_error_wrap(error, "%s %s: its comments",
		                         rec->obj->name, rec->source_id);
	sqlite3_finalize(st);
	return error;
}
