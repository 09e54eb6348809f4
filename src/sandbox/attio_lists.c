/* attio_lists.c: the list endpoints of the Attio stand-in: list, get,
 * create and update lists (reference §6). A list has one parent object;
 * its attributes are made through /v2/lists/{list}/attributes and its
 * entries live in attio_entries.c. */
#include "util.h"

#include <ctype.h>

#include "attio_sandbox.h"

static const char *const levels[] = {"full-access", "read-and-write",
                                     "read-only"};

static bool level_ok(const char *s)
{
	size_t i;

	for (i = 0; s && i < FERRY_ARRAY_LEN(levels); i++)
		if (!strcmp(s, levels[i]))
			return true;
	return false;
}

static bool slug_ok(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n >= ATTIO_SLUG_LEN || !islower((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static int invalid(struct attio_err *e, const char *what)
{
	return attio_err_set(e, 400, "validation_type",
	                     "Body payload validation error: %s.", what);
}

static int list_or_404(struct attio_sb *sb, const char *key,
                       struct attio_object **out, struct attio_err *e)
{
	*out = attio_list_find(sb, key);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "List with slug/ID \"%s\" not found.",
		                     key);
	return 0;
}

int attio_h_lists(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e)
{
	json_t *arr = json_array();
	size_t i;

	FERRY_UNUSED(rq);
	FERRY_UNUSED(e);
	for (i = 0; i < sb->n_lists; i++)
		json_array_append_new(arr, attio_list_json(sb, sb->lists[i]));
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

int attio_h_list(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                 struct attio_err *e)
{
	struct attio_object *l;

	if (list_or_404(sb, rq->params[0], &l, e) < 0)
		return -1;
	*out = json_pack("{s:o}", "data", attio_list_json(sb, l));
	return 0;
}

/* workspace_member_access: [{workspace_member_id, level}], each member
 * known; sets *full when one has full access. */
static int member_access(struct attio_sb *sb, json_t *arr, bool *full,
                         struct attio_err *e)
{
	json_t *m;
	size_t i;

	if (!json_is_array(arr))
		return invalid(e, "workspace_member_access must be an array");
	json_array_foreach(arr, i, m)
	{
		const char *id = json_string_value(
		    json_object_get(m, "workspace_member_id"));
		const char *level =
		    json_string_value(json_object_get(m, "level"));

		if (!id || !level_ok(level))
			return invalid(e,
			               "each workspace_member_access entry "
			               "needs workspace_member_id and a level "
			               "(full-access, read-and-write, "
			               "read-only)");
		if (!attio_member_find(sb, id) || strchr(id, '@'))
			return attio_err_set(
			    e, 400, "value_not_found",
			    "Workspace member with ID \"%s\" not "
			    "found.",
			    id);
		if (!strcmp(level, "full-access"))
			*full = true;
	}
	return 0;
}

static bool members_full(const struct attio_object *l)
{
	json_t *m;
	size_t i;

	json_array_foreach(l->member_access, i, m)
	{
		if (!strcmp(json_string_value(json_object_get(m, "level"))
		                ? json_string_value(json_object_get(m, "level"))
		                : "",
		            "full-access"))
			return true;
	}
	return false;
}

/* The fields a create or PATCH may carry, into l. */
static int list_fields(struct attio_sb *sb, json_t *d, struct attio_object *l,
                       bool create, struct attio_err *e)
{
	json_t *name = json_object_get(d, "name");
	json_t *slug = json_object_get(d, "api_slug");
	json_t *access = json_object_get(d, "workspace_access");
	json_t *members = json_object_get(d, "workspace_member_access");
	const char *k;
	json_t *v;
	bool full = false;
	size_t i;

	json_object_foreach(d, k, v)
	{
		if (strcmp(k, "name") && strcmp(k, "api_slug") &&
		    strcmp(k, "workspace_access") &&
		    strcmp(k, "workspace_member_access") &&
		    (!create || strcmp(k, "parent_object")))
			return attio_err_set(e, 400, "validation_type",
			                     "Body payload validation error: "
			                     "unrecognized key \"%s\"%s.",
			                     k,
			                     !strcmp(k, "parent_object")
			                         ? " (a list's parent object "
			                           "cannot be changed)"
			                         : "");
	}
	if (create && (!name || !slug || !access || !members))
		return invalid(e,
		               "name, api_slug, parent_object, "
		               "workspace_access and workspace_member_access "
		               "are required");
	if (!create && json_object_size(d) == 0)
		return invalid(e, "You passed an empty payload. Please ensure "
		                  "you are updating at least one property in "
		                  "your request");
	if ((name && (!json_is_string(name) || !*json_string_value(name) ||
	              strlen(json_string_value(name)) >= sizeof(l->name))) ||
	    (slug && !slug_ok(json_string_value(slug))) ||
	    (access && !json_is_null(access) &&
	     !level_ok(json_string_value(access))))
		return invalid(e, "name must be a non-empty string, api_slug a "
		                  "snake_case slug, workspace_access one of "
		                  "full-access, read-and-write, read-only or "
		                  "null");
	if (members && member_access(sb, members, &full, e) < 0)
		return -1;
	if (slug) {
		for (i = 0; i < sb->n_lists; i++)
			if (sb->lists[i] != l &&
			    !strcmp(sb->lists[i]->slug,
			            json_string_value(slug)))
				return attio_err_set(
				    e, 409, "slug_conflict",
				    "A list with api_slug \"%s\" "
				    "already exists.",
				    json_string_value(slug));
		snprintf(l->slug, sizeof(l->slug), "%s",
		         json_string_value(slug));
	}
	if (name)
		snprintf(l->name, sizeof(l->name), "%s",
		         json_string_value(name));
	if (access)
		snprintf(l->workspace_access, sizeof(l->workspace_access), "%s",
		         json_is_string(access) ? json_string_value(access)
		                                : "");
	if (members) {
		json_decref(l->member_access);
		l->member_access = json_deep_copy(members);
	} else if (members_full(l)) {
		full = true;
	}
	if (strcmp(l->workspace_access, "full-access") && !full)
		return attio_err_set(
		    e, 403, "billing_error",
		    "You attempted to create a List using "
		    "permissions features that are not "
		    "currently supported on your plan. Please "
		    "upgrade, contact sales, or try a different "
		    "access configuration for your list.");
	return 0;
}

int attio_h_list_create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                        struct attio_err *e)
{
	json_t *d = json_object_get(rq->body, "data");
	const char *parent =
	    json_string_value(json_object_get(d, "parent_object"));
	struct attio_object l, *po, *made;
	int rc = -1;

	memset(&l, 0, sizeof(l));
	l.is_list = true;
	if (!json_is_object(d))
		return invalid(e, "expected {\"data\": {...}}");
	if (!parent)
		return invalid(e, "parent_object is required");
	if (list_fields(sb, d, &l, true, e) < 0)
		goto done;
	if (!(po = attio_object_find(sb, parent))) {
		attio_err_set(e, 404, "not_found",
		              "Parent object with slug/ID \"%s\" not found.",
		              parent);
		goto done;
	}
	snprintf(l.parent_object, sizeof(l.parent_object), "%s", po->slug);
	if (attio_store_begin(sb) < 0 ||
	    attio_catalog_add_object(sb, &l, &made) < 0 ||
	    attio_store_commit(sb) < 0) {
		attio_store_rollback(sb);
		attio_err_set(e, 500, "internal_error",
		              "Sandbox store failure: %s", ferry_error_last());
		goto done;
	}
	*out = json_pack("{s:o}", "data", attio_list_json(sb, made));
	rc = 0;
done:
	json_decref(l.member_access);
	return rc;
}

int attio_h_list_patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                       struct attio_err *e)
{
	struct attio_object *l, n;
	json_t *d = json_object_get(rq->body, "data");

	if (list_or_404(sb, rq->params[0], &l, e) < 0)
		return -1;
	if (!json_is_object(d))
		return invalid(e, "expected {\"data\": {...}}");
	n = *l;
	n.member_access = json_deep_copy(l->member_access);
	if (list_fields(sb, d, &n, false, e) < 0)
		goto fail;
	if (attio_store_begin(sb) < 0 ||
	    attio_catalog_update_object(sb, &n) < 0 ||
	    attio_store_commit(sb) < 0) {
		attio_store_rollback(sb);
		attio_err_set(e, 500, "internal_error",
		              "Sandbox store failure: %s", ferry_error_last());
		goto fail;
	}
	json_decref(l->member_access);
	*l = n;
	*out = json_pack("{s:o}", "data", attio_list_json(sb, l));
	return 0;
fail:
	json_decref(n.member_access);
	return -1;
}
