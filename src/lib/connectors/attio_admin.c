/* attio_admin.c: the Attio calls that change a workspace's schema
 * (objects, attributes, select options, statuses, lists) and the reads
 * schema setup needs beyond the plan's snapshot (archived attributes and
 * options, lists), over ferry's HTTP client. */
#include "util.h"

#include "ferry/attio.h"
#include "connectors/attio_parse.h"

/* Slugs go into paths: Attio's alphabet only (UUIDs fit it too). */
static int check_slug(const char *what, const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > 128)
		goto bad;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-')
			continue;
		goto bad;
	}
	return 0;
bad:
	return ferry_error_set(FERRY_EINVALID,
	                       "'%.128s' is not a valid Attio %s slug: use "
	                       "lower case letters, digits, '_' and '-'",
	                       s ? s : "", what);
}

static int check_target(const char *target)
{
	if (target && (!strcmp(target, "objects") || !strcmp(target, "lists")))
		return 0;
	return ferry_error_set(FERRY_EINVALID,
	                       "'%s' is not where Attio keeps attributes: "
	                       "objects or lists",
	                       target ? target : "");
}

/* Sends {"data": data} and reads the answer into res. */
static int admin_send(struct ferry_attio *a, const char *method,
                      const char *path, const json_t *data,
                      struct ferry_attio_result *res)
{
	struct ferry_http_response resp = FERRY_HTTP_RESPONSE_INIT;
	json_t *body = json_pack("{s:O}", "data", data);
	char *text = NULL;
	int error;

	memset(res, 0, sizeof(*res));
	if (!body || !(text = json_dumps(body, JSON_COMPACT))) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "cannot encode the request to Attio "
		                        "%s %s as JSON",
		                        method, path);
		goto done;
	}
	if ((error = ferry_http_request(ferry_attio_http(a), FERRY_HTTP_WRITE,
	                                method, path, text, &resp)) < 0)
		goto done;
	res->http_status = resp.status;
	res->attempts = resp.attempts;
	if (resp.status < 200 || resp.status > 299)
		ferry_attio__parse_error(res, resp.status, resp.body.ptr,
		                         resp.body.len);
done:
	if (error < 0)
		ferry_str_append_clean(res->message, sizeof(res->message),
		                       ferry_error_last(),
		                       strlen(ferry_error_last()));
	json_decref(body);
	free(text);
	ferry_http_response_release(&resp);
	return error;
}

/* "/v2/{target}/{parent}/attributes[/{attribute}[/{tail}]]" */
static int attr_path(struct ferry_buf *path, const char *target,
                     const char *parent, const char *attribute,
                     const char *tail)
{
	int error;

	if ((error = check_target(target)) < 0 ||
	    (error = check_slug(strcmp(target, "lists") ? "object" : "list",
	                        parent)) < 0 ||
	    (attribute && (error = check_slug("attribute", attribute)) < 0))
		return error;
	if (ferry_buf_printf(path, "/v2/%s/%s/attributes", target, parent) <
	        0 ||
	    (attribute && ferry_buf_printf(path, "/%s", attribute) < 0) ||
	    (tail && ferry_buf_printf(path, "/%s", tail) < 0))
		return ferry_error_set(FERRY_ETOOBIG, "an Attio path too long");
	return 0;
}

int ferry_attio_create_object(struct ferry_attio *a, const json_t *data,
                              struct ferry_attio_result *res)
{
	int error;

	memset(res, 0, sizeof(*res));
	if ((error = check_slug("object", json_string_value(json_object_get(
	                                      data, "api_slug")))) < 0)
		return error;
	return admin_send(a, "POST", "/v2/objects", data, res);
}

int ferry_attio_create_attribute(struct ferry_attio *a, const char *target,
                                 const char *parent, const json_t *data,
                                 struct ferry_attio_result *res)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	int error;

	memset(res, 0, sizeof(*res));
	if ((error = attr_path(&path, target, parent, NULL, NULL)) == 0)
		error = admin_send(a, "POST", path.ptr, data, res);
	ferry_buf_release(&path);
	return error;
}

int ferry_attio_update_attribute(struct ferry_attio *a, const char *target,
                                 const char *parent, const char *attribute,
                                 const json_t *data,
                                 struct ferry_attio_result *res)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	int error;

	memset(res, 0, sizeof(*res));
	if ((error = attr_path(&path, target, parent, attribute, NULL)) == 0)
		error = admin_send(a, "PATCH", path.ptr, data, res);
	ferry_buf_release(&path);
	return error;
}

int ferry_attio_create_option(struct ferry_attio *a, const char *target,
                              const char *parent, const char *attribute,
                              bool status, const char *title,
                              struct ferry_attio_result *res)
{
	struct ferry_buf path = FERRY_BUF_INIT;
	json_t *data = NULL;
	int error;

	memset(res, 0, sizeof(*res));
	if (!title || !*title)
		return ferry_error_set(FERRY_EINVALID,
		                       "an empty title for an option of %s.%s",
		                       parent ? parent : "", attribute);
	if ((error = attr_path(&path, target, parent, attribute,
	                       status ? "statuses" : "options")) < 0)
		goto done;
	data = json_pack("{s:s}", "title", title);
	if (!data) {
		error = ferry_error_set(FERRY_EINVALID,
		                        "the option title for %s.%s is not "
		                        "UTF-8",
		                        parent, attribute);
		goto done;
	}
	error = admin_send(a, "POST", path.ptr, data, res);
done:
	json_decref(data);
	ferry_buf_release(&path);
	return error;
}

int ferry_attio_create_list(struct ferry_attio *a, const json_t *data,
                            struct ferry_attio_result *res)
{
	int error;

	memset(res, 0, sizeof(*res));
	if ((error = check_slug("list", json_string_value(json_object_get(
	                                    data, "api_slug")))) < 0)
		return error;
	return admin_send(a, "POST", "/v2/lists", data, res);
}

bool ferry_attio_result_exists(const struct ferry_attio_result *res)
{
	return res->http_status == 409 && !strcmp(res->code, "slug_conflict");
}

/*
 * The reads.
 */

/* GET path: its "data" array; an absent route or thing is an empty one
 * (a destination without it has nothing archived there). */
static int get_array(json_t **out, struct ferry_attio *a, const char *path)
{
	json_t *data = NULL;
	int error = ferry_attio_get_data(&data, a, path);

	if (error == FERRY_ENOTFOUND)
		error = 0;
	if (error < 0)
		return error;
	if (!json_is_array(data)) {
		json_decref(data);
		data = json_array();
	}
	*out = data;
	return 0;
}

static bool archived(const json_t *x)
{
	return json_is_true(json_object_get(x, "is_archived"));
}

/* The archived options (or statuses) of a select or status attribute
 * under "archived_options"; the live ones under "options" when asked
 * (a list's attributes are not in the plan's snapshot). */
static int read_options(struct ferry_attio *a, const char *target,
                        const char *parent, json_t *attr, bool live_too)
{
	const char *slug = json_string_value(json_object_get(attr, "api_slug"));
	const char *type = json_string_value(json_object_get(attr, "type"));
	json_t *all = NULL, *live = json_array(), *old = json_array(), *o;
	char *path = NULL;
	size_t i;
	int error = 0;

	if (!slug || !type ||
	    (strcmp(type, "select") && strcmp(type, "status")) ||
	    check_slug("attribute", slug) < 0)
		goto done;
	path = ferry_xasprintf("/v2/%s/%s/attributes/%s/%s?show_archived=true",
	                       target, parent, slug,
	                       strcmp(type, "status") ? "options" : "statuses");
	if ((error = get_array(&all, a, path)) < 0)
		goto done;
	json_array_foreach(all, i, o)
	{
		json_array_append(archived(o) ? old : live, o);
	}
	json_object_set(attr, "archived_options", old);
	if (live_too)
		json_object_set(attr, "options", live);
done:
	free(path);
	json_decref(all);
	json_decref(live);
	json_decref(old);
	return error;
}

/* The attributes of one object or list with show_archived: the live ones
 * and the archived ones apart. */
static int read_attributes(json_t **live_out, json_t **old_out,
                           struct ferry_attio *a, const char *target,
                           const char *parent)
{
	json_t *all = NULL, *live = json_array(), *old = json_array(), *x;
	char *path = ferry_xasprintf("/v2/%s/%s/attributes?show_archived=true",
	                             target, parent);
	size_t i;
	int error;

	if ((error = get_array(&all, a, path)) < 0)
		goto done;
	json_array_foreach(all, i, x)
	{
		json_array_append(archived(x) ? old : live, x);
	}
	*live_out = live;
	*old_out = old;
	live = old = NULL;
done:
	free(path);
	json_decref(all);
	json_decref(live);
	json_decref(old);
	return error;
}

static int extra_objects(json_t *snap, struct ferry_attio *a,
                         const char *const *objects)
{
	json_t *attrs = json_object_get(snap, "attributes");
	json_t *store = json_object(), *live = NULL, *old = NULL, *x;
	size_t i, j;
	int error = 0;

	for (i = 0; objects && objects[i]; i++) {
		json_t *have = json_object_get(attrs, objects[i]);

		if (!json_is_array(have) ||
		    check_slug("object", objects[i]) < 0)
			continue;
		if ((error = read_attributes(&live, &old, a, "objects",
		                             objects[i])) < 0)
			goto done;
		json_object_set_new(store, objects[i], old);
		old = NULL;
		json_decref(live);
		live = NULL;
		json_array_foreach(have, j, x)
		{
			if ((error = read_options(a, "objects", objects[i], x,
			                          false)) < 0)
				goto done;
		}
	}
	json_object_set(snap, "archived", store);
done:
	json_decref(store);
	json_decref(live);
	json_decref(old);
	return error;
}

static bool named(const char *const *names, const char *s)
{
	size_t i;

	for (i = 0; names && s && names[i]; i++)
		if (!strcmp(names[i], s))
			return true;
	return false;
}

static int extra_lists(json_t *snap, struct ferry_attio *a,
                       const char *const *lists)
{
	json_t *all = NULL, *live = NULL, *old = NULL, *l, *x;
	size_t i, j;
	int error;

	if ((error = get_array(&all, a, "/v2/lists")) < 0)
		goto done;
	json_array_foreach(all, i, l)
	{
		const char *slug =
		    json_string_value(json_object_get(l, "api_slug"));

		if (!named(lists, slug) || check_slug("list", slug) < 0)
			continue;
		if ((error = read_attributes(&live, &old, a, "lists", slug)) <
		    0)
			goto done;
		json_array_foreach(live, j, x)
		{
			if ((error = read_options(a, "lists", slug, x, true)) <
			    0)
				goto done;
		}
		json_object_set_new(l, "attributes", live);
		json_object_set_new(l, "archived_attributes", old);
		live = old = NULL;
	}
	json_object_set(snap, "lists", all);
done:
	json_decref(all);
	json_decref(live);
	json_decref(old);
	return error;
}

int ferry_attio_schema_extra(json_t *snapshot, struct ferry_attio *a,
                             const char *const *objects,
                             const char *const *lists)
{
	int error;

	if (!json_is_object(snapshot))
		return ferry_error_set(FERRY_EINVALID,
		                       "no Attio schema snapshot to complete");
	if ((error = extra_objects(snapshot, a, objects)) < 0 ||
	    (error = extra_lists(snapshot, a, lists)) < 0)
		return ferry_error_wrap(error,
		                        "reading Attio's archived attributes, "
		                        "options and lists for schema setup");
	return 0;
}
