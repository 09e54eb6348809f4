/* delta.c: what changed in one object since its watermark, for `ferry
 * sync`: the deleted resource (the ids deleted in the window, how far
 * Salesforce vouches for it, and how far back its recycle bin reaches),
 * then one SOQL query through queryAll on SystemModstamp, which gives the
 * changed and new records with every field extract reads, and the
 * soft-deleted ones, in a call per 2,000 records. The updated resource is
 * not asked: it gives ids only (a second query would fetch the fields)
 * and by the minute, so a change made in the current minute would wait
 * for the next sync. See docs/internals/sync.md. */
#include <jansson.h>

#include "util.h"

#include "connectors/salesforce/sf_extract.h"
#include "connectors/salesforce/sf_int.h"

struct delta {
	struct ferry_sf__run r;
	const char *object;
	ferry_sf_change_cb cb;
	void *payload;
	json_t *deleted; /* ids the deleted resource gave, not yet passed */
	struct ferry_sf_delta *out;
	int64_t n; /* records read, for messages */
};

/* The describe extract saved, and the fields it read of it. */
static int read_describe(struct ferry_workspace *ws, const char *object,
                         struct ferry_buf *select)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	const json_t *f;
	json_t *doc = NULL;
	char name[128];
	bool modstamp = false;
	size_t i;
	int error;

	snprintf(name, sizeof(name), "salesforce/describe/%s", object);
	error = ferry_facts_get(ws, name, &text);
	if (error == FERRY_ENOTFOUND) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "the workspace has no describe of %s "
		                        "(the fact '%s'): run 'ferry extract' "
		                        "to stage %s from Salesforce, then "
		                        "'ferry sync'",
		                        object, name, object);
		goto done;
	}
	if (error < 0)
		goto done;
	if (!(doc = json_loadb(text.ptr, text.len, 0, NULL))) {
		error =
		    ferry_error_set(FERRY_EDB,
		                    "the describe of %s in the workspace is "
		                    "damaged: run 'ferry extract' again",
		                    object);
		goto done;
	}
	json_array_foreach(json_object_get(doc, "fields"), i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));

		if (n && !strcmp(n, "SystemModstamp"))
			modstamp = true;
	}
	if (!modstamp) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "%s has no SystemModstamp field, so "
		                        "Salesforce cannot say what changed in "
		                        "it: run 'ferry extract' to stage it "
		                        "again",
		                        object);
		goto done;
	}
	error = ferry_sf__select_list(select, doc, object);
done:
	json_decref(doc);
	ferry_buf_release(&text);
	return error;
}

static int too_old(const char *object, int64_t start, const char *why)
{
	char when[32];

	ferry_sf__format_time(start, when, sizeof(when));
	return ferry_error_set(
	    FERRY_ECONFIG,
	    "%s: the changes since %s cannot be read any more (%s): run "
	    "'ferry extract' to stage %s again (what is already in Attio "
	    "costs no call when it did not change), then 'ferry plan' and "
	    "'ferry run'; sync follows on from there",
	    object, when, why, object);
}

/* GET /sobjects/<object>/deleted/: the ids deleted from `start`, and
 * Salesforce's word on how far that goes. */
static int ask_deleted(struct delta *d, int64_t start)
{
	struct ferry_sf *sf = d->r.sf;
	struct ferry_buf path = FERRY_BUF_INIT;
	char from[32], to[32];
	const json_t *v;
	json_t *doc = NULL;
	int64_t end, covered = 0, earliest = 0;
	size_t i;
	int error;

	/* The end a little past Salesforce's now (its Date header): it
	 * answers up to what it covers. */
	end = (sf->server_time > start ? sf->server_time : start) + 3600;
	ferry_sf__format_time(start, from, sizeof(from));
	ferry_sf__format_time(end, to, sizeof(to));
	if ((error = ferry_buf_puts(&path, "/sobjects/")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, d->object)) < 0 ||
	    (error = ferry_buf_puts(&path, "/deleted/?start=")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, from)) < 0 ||
	    (error = ferry_buf_puts(&path, "&end=")) < 0 ||
	    (error = ferry_buf_put_urlencoded(&path, to)) < 0)
		goto done;
	error = ferry_sf_get_json(sf, path.ptr, &doc);
	if (error < 0 &&
	    ferry_sf__is_sf_error(sf, error, "INVALID_REPLICATION_DATE")) {
		error = too_old(d->object, start, ferry_error_last());
		goto done;
	}
	if (error < 0)
		goto done;
	v = json_object_get(doc, "latestDateCovered");
	if (!json_is_string(v) ||
	    ferry_sf__parse_time(json_string_value(v), &covered) < 0 ||
	    !json_is_array(json_object_get(doc, "deletedRecords"))) {
		error = ferry_error_set(FERRY_EHTTP,
		                        "Salesforce's answer to GET "
		                        "/sobjects/%s/deleted/ has no "
		                        "deletedRecords or latestDateCovered",
		                        d->object);
		goto done;
	}
	v = json_object_get(doc, "earliestDateAvailable");
	if (json_is_string(v))
		(void)ferry_sf__parse_time(json_string_value(v), &earliest);
	ferry_error_clear();
	if (start < covered - FERRY_SF_SYNC_MAX_AGE_S) {
		error = too_old(d->object, start,
		                "Salesforce keeps them for 30 days");
		goto done;
	}
	if (earliest > start) {
		error = too_old(d->object, start,
		                "Salesforce's recycle bin only reaches back to "
		                "its earliestDateAvailable, so a deletion "
		                "before that may be gone");
		goto done;
	}
	json_array_foreach(json_object_get(doc, "deletedRecords"), i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));
		char id18[19];

		if (id && ferry_sf_id18(id18, id) == 0)
			json_object_set_new(d->deleted, id18, json_true());
	}
	d->out->covered = covered;
	d->out->earliest = earliest;
done:
	json_decref(doc);
	ferry_buf_release(&path);
	return error;
}

static int pass(struct delta *d, const char *id, bool deleted, json_t *fields)
{
	struct ferry_sf_change c;

	c.id = id;
	c.deleted = deleted;
	c.fields = fields;
	if (deleted)
		d->out->deleted++;
	else
		d->out->changed++;
	return d->cb(&c, d->payload);
}

static int on_page(json_t *page, void *payload)
{
	struct delta *d = payload;
	json_t *rec, *fields = NULL;
	char id[19];
	size_t i;
	int error = 0;

	json_array_foreach(json_object_get(page, "records"), i, rec)
	{
		const char *del;

		if ((error = ferry_sf__flatten(rec, d->object, ++d->n, id,
		                               &fields)) < 0)
			break;
		del = json_string_value(json_object_get(fields, "IsDeleted"));
		json_object_del(d->deleted, id);
		error = pass(d, id, del && !strcmp(del, "true"), fields);
		json_decref(fields);
		fields = NULL;
		if (error < 0)
			break;
	}
	return error < 0 ? error : 0;
}

int ferry_sf_delta(struct ferry_sf *sf, struct ferry_workspace *ws,
                   const char *object, int64_t since, ferry_sf_change_cb cb,
                   void *payload, struct ferry_sf_delta *out)
{
	struct ferry_buf select = FERRY_BUF_INIT;
	struct ferry_sf_delta res;
	struct delta d;
	int64_t start = since - FERRY_SF_SYNC_OVERLAP_S, calls0;
	char from[32], *soql = NULL;
	const char *key;
	json_t *v;
	void *tmp;
	int error;

	memset(&res, 0, sizeof(res));
	memset(&d, 0, sizeof(d));
	d.r.sf = sf;
	d.r.ws = ws;
	d.r.all = true;
	d.object = object;
	d.cb = cb;
	d.payload = payload;
	d.out = &res;
	d.deleted = json_object();
	res.since = start;
	calls0 = ferry_sf_usage(sf)->calls;
	if (sf->server_time > 0 &&
	    start < sf->server_time - FERRY_SF_SYNC_MAX_AGE_S) {
		error =
		    too_old(object, start, "Salesforce keeps them for 30 days");
		goto done;
	}
	if ((error = read_describe(ws, object, &select)) < 0 ||
	    (error = ask_deleted(&d, start)) < 0)
		goto done;
	/* Seconds, not minutes: a change made a moment ago is in. */
	ferry_sf__format_time(start, from, sizeof(from));
	soql = ferry_xasprintf("SELECT %s FROM %s WHERE SystemModstamp >= %s",
	                       select.ptr, object, from);
	error =
	    ferry_sf__rest_query(&d.r, "/queryAll", soql, on_page, &d, NULL);
	if (error < 0 && ferry_sf__is_sf_error(sf, error, "INVALID_FIELD")) {
		error =
		    ferry_error_wrap(error,
		                     "%s: its fields changed in Salesforce "
		                     "since the extract; run 'ferry extract' "
		                     "to stage it again",
		                     object);
		goto done;
	}
	if (error < 0)
		goto done;
	/* Deleted and already purged, or deleted between the two calls. */
	json_object_foreach_safe(d.deleted, tmp, key, v)
	{
		if ((error = pass(&d, key, true, NULL)) < 0)
			goto done;
	}
	res.calls = ferry_sf_usage(sf)->calls - calls0;
	*out = res;
done:
	if (error < 0)
		ferry_error_wrap(error, "reading what changed in %s", object);
	json_decref(d.deleted);
	ferry_buf_release(&select);
	free(soql);
	return error;
}
