/* tally.c: what became of each record sync read, told by the ledger: its
 * row before the load and after it. A record whose row the load wrote
 * (written, or refused) cost a call: new when it was not staged or not in
 * Attio before, changed otherwise; a record the plan holds is held;
 * anything else cost nothing (the same request as before, or not written
 * at all). */
#include "util.h"

#include "sync_int.h"

struct sy_obj *sy_find(struct sy_run *run, const char *object)
{
	size_t i;

	for (i = 0; i < run->n_objs; i++)
		if (!strcmp(run->objs[i].st->object, object))
			return &run->objs[i];
	return NULL;
}

/* The key's object and id ("Account 001..."), split in place. */
static const char *split(char *key)
{
	char *sp = strchr(key, ' ');

	if (!sp)
		return "";
	*sp = '\0';
	return sp + 1;
}

/* "status hash updated_at" of the record's ledger row, "" for none. */
static int ledger_state(struct sy_run *run, const char *object, const char *id,
                        char *out, size_t cap, enum ferry_ledger_status *status)
{
	struct ferry_ledger_row row;
	int error = ferry_ledger_get(&row, run->ws, object, id);

	out[0] = '\0';
	*status = FERRY_LEDGER_PENDING;
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		return 1;
	}
	if (error < 0)
		return error;
	snprintf(out, cap, "%s %s %s", ferry_ledger_status_name(row.status),
	         row.payload_hash, row.updated_at);
	*status = row.status;
	return 0;
}

int sy_snapshot(struct sy_run *run)
{
	const char *key;
	json_t *v;
	char state[256], *copy;
	enum ferry_ledger_status status;
	int error;

	json_object_foreach(run->reread, key, v)
	{
		copy = ferry_xstrdup(key);
		error = ledger_state(run, copy, split(copy), state,
		                     sizeof(state), &status);
		free(copy);
		if (error < 0)
			return error;
		json_object_set_new(
		    run->before, key,
		    json_pack("{s:s, s:b}", "state", state, "written",
		              error == 0 && status == FERRY_LEDGER_WRITTEN));
	}
	return 0;
}

static int decision(struct sy_run *run, const char *object, const char *id,
                    bool *held)
{
	json_t *plan = NULL;
	const char *d;
	int error = ferry_plan_get(&plan, run->ws, object, id);

	*held = false;
	if (error == FERRY_ENOTFOUND) {
		ferry_error_clear();
		return 0;
	}
	if (error < 0)
		return error;
	d = json_string_value(json_object_get(plan, "decision"));
	*held = d && !strcmp(d, "held");
	json_decref(plan);
	return 0;
}

/* Whether the load wrote the record's row: a call was made for it. */
static bool called(const json_t *before, int had, const char *state,
                   enum ferry_ledger_status status)
{
	return had == 0 &&
	       (status == FERRY_LEDGER_WRITTEN ||
	        status == FERRY_LEDGER_FAILED) &&
	       strcmp(state,
	              json_string_value(json_object_get(before, "state"))) != 0;
}

static int tally_one(struct sy_run *run, const char *key, const json_t *v)
{
	char state[256], *object = ferry_xstrdup(key);
	const char *id = split(object);
	struct sy_obj *obj = sy_find(run, object);
	const json_t *b = json_object_get(run->before, key);
	enum ferry_ledger_status status;
	bool held = false;
	int error = 0, had;

	if (!obj || (error = decision(run, object, id, &held)) < 0)
		goto done;
	if ((had = ledger_state(run, object, id, state, sizeof(state),
	                        &status)) < 0) {
		error = had;
		goto done;
	}
	if (held)
		obj->st->held++;
	else if (!called(b, had, state, status))
		obj->st->unchanged++;
	else if (json_is_true(json_object_get(v, "new")) ||
	         !json_is_true(json_object_get(b, "written")))
		obj->st->created++;
	else
		obj->st->changed++;
done:
	free(object);
	return error;
}

int sy_tally(struct sy_run *run)
{
	const char *key;
	json_t *v;
	int error;

	json_object_foreach(run->reread, key, v)
	{
		if ((error = tally_one(run, key, v)) < 0)
			return error;
	}
	return 0;
}
