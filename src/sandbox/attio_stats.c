/* attio_stats.c: the store's part of GET /__sandbox/stats, for
 * zero-lost / zero-duplicate checks after a load: how many records each
 * object holds (entries each list, notes, tasks), and which values of a
 * unique attribute more than one record holds (possible when the
 * attribute became unique after the data, or when a client created the
 * same record twice through different keys). Also what a write is
 * counted under. */
#include "util.h"

#include <sqlite3.h>

#include "attio_sandbox.h"

static long long count_of(struct attio_sb *sb, const char *sql)
{
	sqlite3_stmt *st = attio_store_prep(sb, sql);
	long long n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* {attribute: [{value, record_ids}]} for the unique attributes of `o`
 * whose value more than one record holds; NULL if none. */
static json_t *duplicates_of(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT record_id, vals FROM records WHERE object_id = ?"
	        " ORDER BY seq");
	json_t *seen = json_object(), *out = NULL, *holders, *ids;
	const char *slug, *key;
	size_t i;

	sqlite3_bind_text(st, 1, o->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		json_t *vals = json_loads(
		    (const char *)sqlite3_column_text(st, 1), 0, NULL);

		for (i = 0; i < o->n_attrs; i++) {
			const struct attio_attr *a = &o->attrs[i];
			json_t *v, *by;
			size_t j;

			if (!a->is_unique)
				continue;
			if (!(by = json_object_get(seen, a->slug))) {
				by = json_object();
				json_object_set_new(seen, a->slug, by);
			}
			json_array_foreach(json_object_get(vals, a->slug), j, v)
			{
				char *k = attio_value_key(a, v);
				json_t *list = json_object_get(by, k);

				if (!list) {
					list = json_array();
					json_object_set_new(by, k, list);
				}
				if (!json_array_size(list) ||
				    strcmp(
				        json_string_value(json_array_get(
				            list, json_array_size(list) - 1)),
				        id))
					json_array_append_new(list,
					                      json_string(id));
				free(k);
			}
		}
		json_decref(vals);
	}
	sqlite3_finalize(st);
	json_object_foreach(seen, slug, holders)
	{
		json_t *dups = NULL;

		json_object_foreach(holders, key, ids)
		{
			if (json_array_size(ids) < 2)
				continue;
			if (!dups)
				dups = json_array();
			json_array_append_new(
			    dups, json_pack("{s:s,s:O}", "value", key,
			                    "record_ids", ids));
		}
		if (dups) {
			if (!out)
				out = json_object();
			json_object_set_new(out, slug, dups);
		}
	}
	json_decref(seen);
	return out;
}

void attio_stats_store(struct attio_sb *sb, json_t *stats)
{
	json_t *per = json_object(), *lists = json_object();
	json_t *dups = json_object(), *d;
	size_t i;

	for (i = 0; i < sb->n_objects; i++) {
		json_object_set_new(
		    per, sb->objects[i]->slug,
		    json_integer(attio_store_record_count(sb, sb->objects[i])));
		if ((d = duplicates_of(sb, sb->objects[i])))
			json_object_set_new(dups, sb->objects[i]->slug, d);
	}
	for (i = 0; i < sb->n_lists; i++)
		json_object_set_new(
		    lists, sb->lists[i]->slug,
		    json_integer(attio_store_record_count(sb, sb->lists[i])));
	json_object_set_new(stats, "records_per_object", per);
	json_object_set_new(stats, "entries_per_list", lists);
	json_object_set_new(stats, "notes",
	                    json_integer(count_of(sb, "SELECT count(*) FROM"
	                                              " notes")));
	json_object_set_new(stats, "tasks",
	                    json_integer(count_of(sb, "SELECT count(*) FROM"
	                                              " tasks")));
	json_object_set_new(stats, "duplicates", dups);
}

char *attio_stats_label(struct attio_sb *sb, const char *path)
{
	char seg[3][ATTIO_SLUG_LEN * 2];
	const char *p = path;
	size_t n = 0;

	while (*p == '/' && n < 3) {
		size_t len = strcspn(p + 1, "/");

		snprintf(seg[n++], sizeof(seg[0]), "%.*s", (int)len, p + 1);
		p += len + 1;
	}
	if (n >= 2 && !strcmp(seg[0], "v2") &&
	    (!strcmp(seg[1], "notes") || !strcmp(seg[1], "tasks")))
		return ferry_xstrdup(seg[1]);
	if (n == 3 && !strcmp(seg[0], "v2") && !strcmp(seg[1], "objects") &&
	    ferry_str_starts_with(p, "/records")) {
		struct attio_object *o = attio_object_find(sb, seg[2]);

		return ferry_xstrdup(o ? o->slug : seg[2]);
	}
	if (n == 3 && !strcmp(seg[0], "v2") && !strcmp(seg[1], "lists") &&
	    ferry_str_starts_with(p, "/entries")) {
		struct attio_object *l = attio_list_find(sb, seg[2]);

		return ferry_xasprintf("lists/%s", l ? l->slug : seg[2]);
	}
	return ferry_xstrdup("schema");
}
