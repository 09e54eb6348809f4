/* references.c: references to records that are not there. While
 * streaming, every reference whose target object was staged went into a
 * TEMP table; here SQLite looks each one up in the staged records' primary
 * key and keeps only the broken ones, reported object by object. */
#include "util.h"

#include "analyze_int.h"
#include "store/store.h"

struct broken {
	char object[64];
	char last_id[64];
	int64_t records;
	struct an_map fields; /* field -> broken references */
	struct an_examples ex;
};

static void emit(struct analyze *an, struct broken *b)
{
	struct an_map_ent *by = an_map_sorted(&b->fields);
	struct an_text noun = an_noun_cap(b->object);
	struct an_object *obj = an_object_find(an, b->object);
	char fields[256] = "";
	size_t i, len = 0;

	for (i = 0; i < b->fields.len && len < sizeof(fields); i++)
		len += (size_t)snprintf(fields + len, sizeof(fields) - len,
		                        "%s%s: %s", i ? ", " : "", by[i].key,
		                        an_num(by[i].val).s);
	free(by);
	an_risk_add(an, "broken_references",
	            an_severity("medium", b->records, obj ? obj->count : 0),
	            b->object, b->records, &b->ex,
	            "The records they point at were deleted or are outside "
	            "the extract: ferry loads these without the link. Restore "
	            "or extract the missing records if the link matters.",
	            "%s pointing at records that are not staged: %s (%s)",
	            noun.s, an_num(b->records).s, fields);
	an_map_clear(&b->fields);
	an_examples_free(&b->ex);
	b->records = 0;
	b->last_id[0] = '\0';
}

int an_check_references(struct analyze *an)
{
	/* Looked up in the order of the staged records' primary key, so
	 * SQLite reads each page of it once rather than once per reference;
	 * the few broken ones are then grouped by object and record. */
	static const char find[] =
	    "CREATE INDEX temp.analyze_refs_target ON analyze_refs "
	    "(target_object, target_id);"
	    "CREATE TEMP TABLE analyze_broken AS SELECT r.object, r.field, "
	    "r.source_id, r.target_object, r.target_id FROM temp.analyze_refs "
	    "r "
	    "WHERE NOT EXISTS (SELECT 1 FROM main.staged_records s WHERE "
	    "s.object = r.target_object AND s.source_id = r.target_id) ORDER "
	    "BY r.target_object, r.target_id;";
	static const char sql[] =
	    "SELECT object, field, source_id, target_object, target_id FROM "
	    "temp.analyze_broken ORDER BY object, source_id, field";
	struct broken b = {0};
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__exec(an->ws, find)) < 0 ||
	    (error = ferry_store__prepare(&st, an->ws, sql)) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(st, 0);
		const char *field = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);
		const char *target = (const char *)sqlite3_column_text(st, 3);
		const char *tid = (const char *)sqlite3_column_text(st, 4);

		if (!object || !field || !id || !target || !tid)
			continue;
		if (b.records && strcmp(b.object, object))
			emit(an, &b);
		snprintf(b.object, sizeof(b.object), "%s", object);
		if (strcmp(b.last_id, id)) {
			b.records++;
			snprintf(b.last_id, sizeof(b.last_id), "%s", id);
			an_examples_add(&b.ex, "%s: %s %s (no such %s staged)",
			                id, field, tid, target);
		}
		(*an_map_put(&b.fields, field, NULL))++;
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(an->ws, "cannot check references");
		goto done;
	}
	if (b.records)
		emit(an, &b);
done:
	sqlite3_finalize(st);
	an_map_free(&b.fields);
	an_examples_free(&b.ex);
	return error;
}
