/* attio_schema.c: a snapshot of what an Attio workspace offers a
 * migration (its members, and the attributes and select options of the
 * objects ferry writes), for analyze and plan to check against. */
#include "util.h"

#include "ferry/attio.h"

/* Adds "options" to a select attribute, and a status attribute's
 * statuses (a deal's stages: their own route, since `…/options` answers
 * a status attribute with an empty list) under the same key. */
static int add_options(struct ferry_attio *a, const char *object, json_t *attr)
{
	const char *slug = json_string_value(json_object_get(attr, "api_slug"));
	const char *type = json_string_value(json_object_get(attr, "type"));
	json_t *options = NULL;
	char *path = NULL;
	int error = 0;

	if (!slug || !type ||
	    (strcmp(type, "select") && strcmp(type, "status")))
		goto done;
	path = ferry_xasprintf("/v2/objects/%s/attributes/%s/%s", object, slug,
	                       strcmp(type, "status") ? "options" : "statuses");
	/* A destination that has no such route leaves the values unchecked
	 * rather than the whole snapshot unread. */
	if ((error = ferry_attio_get_data(&options, a, path)) ==
	    FERRY_ENOTFOUND)
		error = 0;
	if (error < 0 || !options)
		goto done;
	json_object_set_new(attr, "options", options);
done:
	free(path);
	return error;
}

int ferry_attio_schema(json_t **out, struct ferry_attio *a,
                       const char *const *objects)
{
	json_t *snap = json_object(), *attrs = json_object(), *list = NULL;
	json_t *members = NULL, *attr;
	char *path = NULL;
	size_t i, j;
	int error;

	*out = NULL;
	if ((error = ferry_attio_get_data(&members, a,
	                                  "/v2/workspace_members")) < 0)
		goto done;
	for (i = 0; objects[i]; i++) {
		free(path);
		path = ferry_xasprintf("/v2/objects/%s/attributes", objects[i]);
		json_decref(list);
		list = NULL;
		error = ferry_attio_get_data(&list, a, path);
		if (error == FERRY_ENOTFOUND) {
			error = 0;
			continue;
		}
		if (error < 0)
			goto done;
		json_array_foreach(list, j, attr)
		{
			if ((error = add_options(a, objects[i], attr)) < 0)
				goto done;
		}
		json_object_set(attrs, objects[i], list);
	}
	json_object_set_new(snap, "members", members);
	members = NULL;
	json_object_set_new(snap, "attributes", attrs);
	attrs = NULL;
	*out = snap;
	snap = NULL;
done:
	free(path);
	json_decref(list);
	json_decref(members);
	json_decref(attrs);
	json_decref(snap);
	return error;
}
