/* schema_setup_apply.c: making the changes ferry_schema_setup_plan()
 * worked out, in dependency order and idempotently (what Attio says is
 * already there counts as done, so running again after a failure finishes
 * the rest), and reading what the plan of changes looks at. */
#include "util.h"

#include "ferry/schema_setup.h"

static const char *const outcome_names[] = {
    [FERRY_SCHEMA_CREATED] = "created",
    [FERRY_SCHEMA_EXISTED] = "existed",
    [FERRY_SCHEMA_FAILED] = "failed",
    [FERRY_SCHEMA_SKIPPED] = "skipped",
};

const char *ferry_schema_setup_outcome_name(enum ferry_schema_setup_outcome o)
{
	if ((unsigned)o >= FERRY_ARRAY_LEN(outcome_names))
		return "unknown";
	return outcome_names[o];
}

/*
 * Reading.
 */

/* The lists the mapping writes entries to or puts record types in. */
static const char **mapping_lists(const struct ferry_mapfile *m)
{
	const char **list = NULL;
	size_t n = 0, i, j, k;

	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		for (j = 0; j <= o->n_record_types; j++) {
			const char *slug =
			    j == 0 ? (o->kind == FERRY_MF_LIST_ENTRIES ? o->list
			                                               : NULL)
			           : o->record_types[j - 1].list;

			if (!slug)
				continue;
			for (k = 0; k < n && strcmp(list[k], slug); k++)
				;
			if (k < n)
				continue;
			list = ferry_xrealloc(list, (n + 2) * sizeof(*list));
			list[n++] = slug;
			list[n] = NULL;
		}
	}
	return list;
}

int ferry_schema_setup_read(json_t *snapshot, struct ferry_attio *a,
                            const struct ferry_mapfile *m)
{
	const char **objects = ferry_schema_setup_objects(m);
	const char **lists = mapping_lists(m);
	int error;

	error = ferry_attio_schema_extra(snapshot, a, objects, lists);
	free(objects);
	free(lists);
	return error;
}

int ferry_schema_setup_snapshot(json_t **out, struct ferry_attio *a,
                                const struct ferry_mapfile *m)
{
	const char **objects = ferry_schema_setup_objects(m);
	json_t *snap = NULL;
	int error;

	if ((error = ferry_attio_schema(&snap, a, objects)) < 0 ||
	    (error = ferry_schema_setup_read(snap, a, m)) < 0)
		goto done;
	*out = snap;
	snap = NULL;
done:
	free(objects);
	json_decref(snap);
	return error;
}

/*
 * Applying.
 */

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool on_list(const json_t *c)
{
	const char *t = jstr(c, "target");

	return t && !strcmp(t, "lists");
}

/* The order of a change (the plan's phases), or -1 for an unknown kind. */
static int rank(const json_t *c)
{
	const char *kind = jstr(c, "kind");

	if (!kind)
		return -1;
	if (!strcmp(kind, "object"))
		return 0;
	if (!strcmp(kind, "attribute") || !strcmp(kind, "unique"))
		return on_list(c) ? 4 : 1;
	if (!strcmp(kind, "option") || !strcmp(kind, "status"))
		return on_list(c) ? 5 : 2;
	if (!strcmp(kind, "list"))
		return 3;
	return -1;
}

/* Every key a change of its kind needs, checked before anything is
 * sent. */
static int check_change(const json_t *c, size_t i)
{
	static const char *const attr_keys[] = {"target", "parent", "attribute",
	                                        NULL};
	const char *kind = jstr(c, "kind");
	const char *const *k;
	int r = rank(c);

	if (r < 0)
		goto bad;
	if (r == 0 || r == 3) {
		if (!json_is_object(json_object_get(c, "data")) ||
		    !jstr(json_object_get(c, "data"), "api_slug") ||
		    (r == 3 &&
		     !jstr(json_object_get(c, "data"), "parent_object")))
			goto bad;
		return 0;
	}
	for (k = attr_keys; *k; k++)
		if (!jstr(c, *k))
			goto bad;
	if (!strcmp(kind, "attribute") &&
	    !json_is_object(json_object_get(c, "data")))
		goto bad;
	if ((!strcmp(kind, "option") || !strcmp(kind, "status")) &&
	    !jstr(c, "title"))
		goto bad;
	return 0;
bad:
	return ferry_error_set(FERRY_EINVALID,
	                       "schema change %zu (%s) is not one ferry "
	                       "makes: nothing was changed",
	                       i + 1, kind ? kind : "no kind");
}

/* The key a change makes ("objects/invoices",
 * "objects/companies/industry"), and those it needs. */
static char *made_key(const json_t *c)
{
	const char *kind = jstr(c, "kind");

	if (!strcmp(kind, "object"))
		return ferry_xasprintf(
		    "objects/%s", jstr(json_object_get(c, "data"), "api_slug"));
	if (!strcmp(kind, "list"))
		return ferry_xasprintf(
		    "lists/%s", jstr(json_object_get(c, "data"), "api_slug"));
	if (!strcmp(kind, "attribute"))
		return ferry_xasprintf("%s/%s/%s", jstr(c, "target"),
		                       jstr(c, "parent"), jstr(c, "attribute"));
	return NULL;
}

/* What failed before that this change needs, or NULL. */
static const char *blocked_by(const json_t *failed, const json_t *c)
{
	const char *kind = jstr(c, "kind"), *why = NULL;
	char *k1 = NULL, *k2 = NULL;

	if (!strcmp(kind, "object"))
		return NULL;
	if (!strcmp(kind, "list")) {
		k1 = ferry_xasprintf(
		    "objects/%s",
		    jstr(json_object_get(c, "data"), "parent_object"));
	} else {
		k1 = ferry_xasprintf("%s/%s", jstr(c, "target"),
		                     jstr(c, "parent"));
		if (strcmp(kind, "attribute"))
			k2 = ferry_xasprintf("%s/%s", k1, jstr(c, "attribute"));
	}
	why = json_string_value(json_object_get(failed, k1));
	if (!why && k2)
		why = json_string_value(json_object_get(failed, k2));
	free(k1);
	free(k2);
	return why;
}

/* Sends one change. */
static int send_change(struct ferry_attio *a, const json_t *c,
                       struct ferry_attio_result *res)
{
	const char *kind = jstr(c, "kind");
	const json_t *data = json_object_get(c, "data");

	if (!strcmp(kind, "object"))
		return ferry_attio_create_object(a, data, res);
	if (!strcmp(kind, "list"))
		return ferry_attio_create_list(a, data, res);
	if (!strcmp(kind, "attribute"))
		return ferry_attio_create_attribute(
		    a, jstr(c, "target"), jstr(c, "parent"), data, res);
	if (!strcmp(kind, "unique")) {
		json_t *patch = json_pack("{s:b}", "is_unique", 1);
		int error = ferry_attio_update_attribute(
		    a, jstr(c, "target"), jstr(c, "parent"),
		    jstr(c, "attribute"), patch, res);

		json_decref(patch);
		return error;
	}
	return ferry_attio_create_option(
	    a, jstr(c, "target"), jstr(c, "parent"), jstr(c, "attribute"),
	    !strcmp(kind, "status"), jstr(c, "title"), res);
}

/* A 409 on an object or a list may be a taken noun or name, not the
 * slug: it counts as there only when the slug answers. */
static int really_there(struct ferry_attio *a, const json_t *c, bool *yes)
{
	const char *kind = jstr(c, "kind");
	json_t *got = NULL;
	char *path;
	int error;

	*yes = true;
	if (strcmp(kind, "object") && strcmp(kind, "list"))
		return 0;
	path = ferry_xasprintf("/v2/%s/%s",
	                       strcmp(kind, "object") ? "lists" : "objects",
	                       jstr(json_object_get(c, "data"), "api_slug"));
	error = ferry_attio_get_data(&got, a, path);
	if (error == FERRY_ENOTFOUND) {
		*yes = false;
		error = 0;
	}
	json_decref(got);
	free(path);
	return error;
}

struct run {
	struct ferry_attio *a;
	ferry_schema_setup_progress_fn progress;
	void *payload;
	struct ferry_schema_setup_result res;
	json_t *failed; /* made_key -> why */
	char *first;    /* the first failure: "<description>: <why>" */
};

/* Whether an answer means the destination is gone for every change
 * (token refused, rate limit past the retries), not just this one. */
static int fatal(const struct ferry_attio_result *r)
{
	if (r->http_status == 401)
		return FERRY_EAUTH;
	if (r->http_status == 429)
		return FERRY_ERATELIMIT;
	return 0;
}

static int apply_one(struct run *rn, const json_t *c, size_t index,
                     size_t total)
{
	struct ferry_schema_setup_step st;
	struct ferry_attio_result r;
	const char *desc = jstr(c, "description"), *why;
	char *key = made_key(c), *msg = NULL;
	bool there;
	int error = 0;

	if (!desc)
		desc = jstr(c, "kind");
	memset(&st, 0, sizeof(st));
	st.index = index;
	st.total = total;
	st.change = c;
	st.description = desc;
	st.message = "";
	if ((why = blocked_by(rn->failed, c))) {
		msg = ferry_xasprintf("not tried: it needs %s", why);
		st.outcome = FERRY_SCHEMA_SKIPPED;
		rn->res.skipped++;
		goto report;
	}
	if ((error = send_change(rn->a, c, &r)) < 0) {
		error = ferry_error_wrap(error, "%s", desc);
		goto done;
	}
	if (r.http_status >= 200 && r.http_status <= 299) {
		st.outcome = FERRY_SCHEMA_CREATED;
		rn->res.created++;
		goto report;
	}
	if ((error = fatal(&r)) < 0) {
		error = ferry_error_set(error,
		                        "%s: Attio answered HTTP %ld %s: %s; "
		                        "nothing more was tried",
		                        desc, r.http_status, r.code, r.message);
		goto done;
	}
	if (ferry_attio_result_exists(&r)) {
		if ((error = really_there(rn->a, c, &there)) < 0) {
			error = ferry_error_wrap(error, "%s", desc);
			goto done;
		}
		if (there) {
			st.outcome = FERRY_SCHEMA_EXISTED;
			rn->res.existed++;
			goto report;
		}
	}
	msg = ferry_xasprintf("Attio answered HTTP %ld%s%s: %s", r.http_status,
	                      r.code[0] ? " " : "", r.code, r.message);
	st.outcome = FERRY_SCHEMA_FAILED;
	rn->res.failed++;
	if (key)
		json_object_set_new(rn->failed, key, json_string(desc));
	if (!rn->first)
		rn->first = ferry_xasprintf("%s: %s", desc, msg);
report:
	if (msg)
		st.message = msg;
	if (rn->progress)
		rn->progress(&st, rn->payload);
done:
	free(key);
	free(msg);
	return error;
}

int ferry_schema_setup_apply(struct ferry_attio *a, const json_t *changes,
                             ferry_schema_setup_progress_fn progress,
                             void *payload,
                             struct ferry_schema_setup_result *res)
{
	const json_t *list = json_is_object(changes)
	                         ? json_object_get(changes, "changes")
	                         : changes;
	struct run rn;
	size_t n = json_array_size(list), i, j, *order = NULL;
	int error = 0;

	memset(&rn, 0, sizeof(rn));
	rn.a = a;
	rn.progress = progress;
	rn.payload = payload;
	rn.failed = json_object();
	if (list && !json_is_array(list)) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "schema changes must be an array");
		goto done;
	}
	for (i = 0; i < n; i++)
		if ((error = check_change(json_array_get(list, i), i)) < 0)
			goto done;
	/* A stable sort by phase: n is a few hundred at most. */
	order = ferry_xcalloc(n ? n : 1, sizeof(*order));
	for (i = 0; i < n; i++) {
		int r = rank(json_array_get(list, i));

		for (j = i;
		     j > 0 && rank(json_array_get(list, order[j - 1])) > r; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < n; i++)
		if ((error = apply_one(&rn, json_array_get(list, order[i]), i,
		                       n)) < 0)
			goto done;
	if (rn.res.failed)
		error = ferry_error_set(
		    FERRY_EHTTP,
		    "%zu of %zu schema changes failed (%zu more not tried); "
		    "the first: %s. Fix what Attio says, then run again: what "
		    "was made stays, and the rest is finished",
		    rn.res.failed, n, rn.res.skipped, rn.first);
done:
	if (res)
		*res = rn.res;
	free(order);
	free(rn.first);
	json_decref(rn.failed);
	return error;
}
