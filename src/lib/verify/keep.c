/* keep.c: what verify keeps of each record Attio answers, in the
 * temporary table vf_seen: its id, its parent (a list entry's, a note's),
 * a note's title, the record ids its current references name per
 * attribute and, only when it was sampled, its current values; the rest
 * of the answer is dropped at once, so memory does not grow with the org.
 * Also the workspace members (for actor values), and Attio's amounts kept
 * to their last digit. */
#include "util.h"

#include "store/store.h"
#include "verify_int.h"

/* The value objects of `list` that hold now (Attio keeps history). */
static json_t *current(const json_t *list)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		json_t *until = json_object_get(v, "active_until");

		if (!until || json_is_null(until))
			json_array_append(out, v);
	}
	return out;
}

/* attribute -> the record ids its values name, from Attio's values. */
static void refs_of(json_t *refs, json_t *values)
{
	const char *attr;
	json_t *list, *v;
	size_t i;

	json_object_foreach(values, attr, list)
	{
		json_array_foreach(list, i, v)
		{
			json_t *id = json_object_get(v, "target_record_id");
			json_t *until = json_object_get(v, "active_until");
			json_t *a;

			if (!json_is_string(id) ||
			    (until && !json_is_null(until)))
				continue;
			if (!(a = json_object_get(refs, attr))) {
				a = json_array();
				json_object_set_new(refs, attr, a);
			}
			json_array_append(a, id);
		}
	}
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int put(struct vf_run *run, const char *key, const char *id,
               const char *parent, const char *label, json_t *refs,
               json_t *vals)
{
	char *r = json_object_size(refs)
	              ? json_dumps(refs, JSON_COMPACT | JSON_SORT_KEYS)
	              : NULL;
	char *v =
	    vals ? json_dumps(vals, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	sqlite3_stmt *st = run->seen_put;
	int error = 0;

	ferry_store__bind_text(st, 1, key);
	ferry_store__bind_text(st, 2, id);
	ferry_store__bind_text(st, 3, parent);
	ferry_store__bind_text(st, 4, label);
	ferry_store__bind_text(st, 5, r);
	ferry_store__bind_text(st, 6, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = ferry_store__error(run->ws, "cannot keep what was "
		                                    "read of Attio");
	sqlite3_reset(st);
	free(r);
	free(v);
	run->read_records++;
	return error;
}

static bool is_sampled(struct vf_run *run, const char *id)
{
	sqlite3_stmt *st = run->sampled;
	bool yes;

	ferry_store__bind_text(st, 1, id);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return yes;
}

int vf_keep(struct vf_run *run, enum vf_src kind, const char *key,
            const json_t *item)
{
	const json_t *ids = json_object_get(item, "id");
	json_t *refs = json_object(), *vals = NULL, *cur;
	const char *id, *parent = NULL, *label = NULL, *attr;
	const json_t *list, *v;
	size_t i;
	int error;

	switch (kind) {
	case VF_SRC_RECORDS:
	case VF_SRC_ENTRIES: {
		json_t *values = json_object_get(
		    item, kind == VF_SRC_RECORDS ? "values" : "entry_values");

		id =
		    str(ids, kind == VF_SRC_RECORDS ? "record_id" : "entry_id");
		if (kind == VF_SRC_ENTRIES) {
			parent = str(item, "parent_record_id");
			if (parent)
				json_object_set_new(refs, "parent",
				                    json_pack("[s]", parent));
		}
		refs_of(refs, values);
		if (id && is_sampled(run, id)) {
			vals = json_object();
			json_object_foreach(values, attr, cur)
			    json_object_set_new(vals, attr, current(cur));
		}
		break;
	}
	case VF_SRC_NOTES:
		id = str(ids, "note_id");
		parent = str(item, "parent_record_id");
		label = str(item, "title");
		if (parent)
			json_object_set_new(refs, "parent",
			                    json_pack("[s]", parent));
		if (id && is_sampled(run, id))
			vals = json_pack(
			    "{s:O?, s:O?, s:O?}", "title",
			    json_object_get(item, "title"), "content",
			    json_object_get(item, "content_plaintext"),
			    "created_at", json_object_get(item, "created_at"));
		break;
	default:
		id = str(ids, "task_id");
		list = json_object_get(item, "linked_records");
		json_array_foreach(list, i, v)
		{
			const char *t = str(v, "target_record_id");

			if (!t)
				continue;
			if (!json_object_get(refs, "linked_records"))
				json_object_set_new(refs, "linked_records",
				                    json_array());
			json_array_append_new(
			    json_object_get(refs, "linked_records"),
			    json_string(t));
		}
		if (id && is_sampled(run, id))
			vals = json_pack(
			    "{s:O?, s:O?, s:O?}", "content",
			    json_object_get(item, "content_plaintext"),
			    "deadline_at", json_object_get(item, "deadline_at"),
			    "is_completed",
			    json_object_get(item, "is_completed"));
		break;
	}
	error = id ? put(run, key, id, parent, label, refs, vals) : 0;
	json_decref(refs);
	json_decref(vals);
	return error;
}

char *vf_exact_amounts(const char *body, size_t len)
{
	static const char key[] = "\"currency_value\"";
	struct ferry_buf b = FERRY_BUF_INIT;
	size_t i, str_start = 0;
	/* 1: the last token was the key, 2: the key and its colon */
	int after_key = 0;
	bool in_str = false;
	int error = ferry_buf_grow(&b, len + 64);

	for (i = 0; i < len && !error; i++) {
		char c = body[i];

		if (in_str) {
			if (c == '\\' && i + 1 < len) {
				error = ferry_buf_put(&b, body + i, 2);
				i++;
				continue;
			}
			if (c == '"') {
				in_str = false;
				after_key =
				    i + 1 - str_start == sizeof(key) - 1 &&
				    !memcmp(body + str_start, key,
				            sizeof(key) - 1);
			}
			error = ferry_buf_putc(&b, c);
			continue;
		}
		if (c == '"') {
			in_str = true;
			str_start = i;
		} else if (c == ':' && after_key == 1) {
			after_key = 2;
		} else if (after_key == 2 && c && strchr("-0123456789", c)) {
			size_t k = i;

			while (k < len && strchr("+-0123456789.eE", body[k]) &&
			       body[k])
				k++;
			error = ferry_buf_putc(&b, '"');
			if (!error)
				error = ferry_buf_put(&b, body + i, k - i);
			if (!error)
				error = ferry_buf_putc(&b, '"');
			i = k - 1;
			after_key = 0;
			continue;
		} else if (!strchr(" \t\r\n", c)) {
			after_key = 0;
		}
		error = ferry_buf_putc(&b, c);
	}
	if (error < 0) {
		ferry_buf_release(&b);
		return NULL;
	}
	return ferry_buf_detach(&b, NULL);
}

void vf_keep_members(struct vf_run *run, const json_t *data)
{
	const json_t *m;
	size_t i;

	json_array_foreach(data, i, m)
	{
		const char *id =
		    str(json_object_get(m, "id"), "workspace_member_id");
		const char *email = str(m, "email_address");
		char *low;

		if (!id || !email)
			continue;
		low = ferry_str_lower(ferry_xstrdup(email));
		json_object_set_new(run->members, id, json_string(low));
		free(low);
	}
}
