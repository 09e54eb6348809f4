/* attio_options.c: select options and statuses of the Attio stand-in:
 * list, create and update (rename, archive) them. Writes never create an
 * option or a status, so a loader must make them here first; a duplicate
 * title is 409 slug_conflict, which a loader reads as "already there". */
#include "util.h"

#include <ctype.h>

#include "attio_sandbox.h"
#include "server.h"

static int attr_or_404(struct attio_sb *sb, struct attio_req *rq,
                       struct attio_attr **out, struct attio_err *e)
{
	bool list = !strcmp(rq->params[0], "lists");
	struct attio_object *o =
	    attio_container_find(sb, rq->params[0], rq->params[1]);

	if (!o)
		return attio_err_set(e, 404, "not_found",
		                     "%s with slug/ID \"%s\" not found.",
		                     list ? "List" : "Object", rq->params[1]);
	*out = attio_attr_find(o, rq->params[2]);
	if (!*out)
		return attio_err_set(e, 404, "not_found",
		                     "Attribute with slug/ID \"%s\" not found.",
		                     rq->params[2]);
	return 0;
}

static int wrong_type(struct attio_err *e, bool status)
{
	return attio_err_set(e, 400, "validation_type",
	                     "This attribute is not a %s attribute.",
	                     status ? "status" : "select");
}

static bool show_archived(struct attio_req *rq)
{
	char *s = sandbox_query_arg(rq->query, "show_archived");
	bool yes = s && !strcmp(s, "true");

	free(s);
	return yes;
}

static json_t *one_json(struct attio_sb *sb, struct attio_attr *a,
                        const struct attio_option *op, bool status)
{
	return status ? attio_status_json(sb, a, op)
	              : attio_option_json(sb, a, op);
}

static int list_all(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e, bool status)
{
	struct attio_attr *a;
	bool show = show_archived(rq);
	json_t *arr;
	size_t i;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	arr = json_array();
	/* a status attribute has no options: 200 with [] (reference §12.5) */
	if (!strcmp(a->type, status ? "status" : "select")) {
		for (i = 0; i < a->n_options; i++)
			if (show || !a->options[i].is_archived)
				json_array_append_new(
				    arr,
				    one_json(sb, a, &a->options[i], status));
	} else if (status || strcmp(a->type, "status")) {
		json_decref(arr);
		return wrong_type(e, status);
	}
	*out = json_pack("{s:o}", "data", arr);
	return 0;
}

int attio_h_options(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                    struct attio_err *e)
{
	return list_all(sb, rq, out, e, false);
}

int attio_h_statuses(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                     struct attio_err *e)
{
	return list_all(sb, rq, out, e, true);
}

/* An ISO 8601 duration as the spec's pattern has it: P, then numbers
 * with Y, M, W, D, and after a T with H, M, S. */
static bool duration_ok(const char *s)
{
	bool t = false, any = false;

	if (*s++ != 'P')
		return false;
	while (*s) {
		if (*s == 'T' && !t) {
			t = true;
			s++;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s) || *s == '.' || *s == ',')
			s++;
		if (!*s || !strchr(t ? "HMS" : "YMWD", *s))
			return false;
		s++;
		any = true;
	}
	return any || !t;
}

/* The fields of a create or PATCH body into op; `create` requires a
 * title. */
static int fields(struct attio_attr *a, json_t *d, struct attio_option *op,
                  bool status, bool create, const char *self,
                  struct attio_err *e)
{
	json_t *title = json_object_get(d, "title");
	json_t *arch = json_object_get(d, "is_archived");
	json_t *cel = json_object_get(d, "celebration_enabled");
	json_t *ttis = json_object_get(d, "target_time_in_status");
	struct attio_option *same;

	if (!json_is_object(d))
		return attio_err_set(e, 400, "validation_type",
		                     "Body payload validation error: expected "
		                     "{\"data\": {\"title\": string}}.");
	if ((create && !title) ||
	    (title &&
	     (!json_is_string(title) || !*json_string_value(title) ||
	      strlen(json_string_value(title)) >= sizeof(op->title))) ||
	    (arch && !json_is_boolean(arch)) ||
	    (status && cel && !json_is_boolean(cel)) ||
	    (status && ttis && !json_is_null(ttis) &&
	     (!json_is_string(ttis) ||
	      strlen(json_string_value(ttis)) >= sizeof(op->target_time) ||
	      !duration_ok(json_string_value(ttis)))))
		return attio_err_set(
		    e, 400, "validation_type",
		    "Body payload validation error: title must "
		    "be a non-empty string%s.",
		    status ? "; celebration_enabled a boolean; "
		             "target_time_in_status an ISO 8601 "
		             "duration or null"
		           : "");
	if (!create && json_object_size(d) == 0)
		return attio_err_set(
		    e, 400, "validation_type",
		    "You passed an empty payload. Please ensure "
		    "you are updating at least one property in "
		    "your request.");
	if (title) {
		same = attio_option_find(a, json_string_value(title));
		if (same && strcmp(same->id, self) &&
		    !strcmp(same->title, json_string_value(title)))
			return attio_err_set(e, 409, "slug_conflict",
			                     "There is already another %s with "
			                     "the title \"%s\".",
			                     status ? "status"
			                            : "select option",
			                     json_string_value(title));
		snprintf(op->title, sizeof(op->title), "%s",
		         json_string_value(title));
	}
	if (arch)
		op->is_archived = json_is_true(arch);
	if (status && cel)
		op->celebration_enabled = json_is_true(cel);
	if (status && ttis)
		snprintf(op->target_time, sizeof(op->target_time), "%s",
		         json_is_string(ttis) ? json_string_value(ttis) : "");
	return 0;
}

static int store_failed(struct attio_sb *sb, struct attio_err *e)
{
	attio_store_rollback(sb);
	return attio_err_set(e, 500, "internal_error",
	                     "Sandbox store failure: %s", ferry_error_last());
}

static int create(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                  struct attio_err *e, bool status)
{
	struct attio_attr *a;
	struct attio_option op;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	if (strcmp(a->type, status ? "status" : "select"))
		return wrong_type(e, status);
	memset(&op, 0, sizeof(op));
	attio_uuid(op.id);
	if (fields(a, json_object_get(rq->body, "data"), &op, status, true,
	           op.id, e) < 0)
		return -1;
	if (attio_store_begin(sb) < 0 ||
	    attio_catalog_add_option(sb, a, &op) < 0 ||
	    attio_store_commit(sb) < 0)
		return store_failed(sb, e);
	*out = json_pack("{s:o}", "data", one_json(sb, a, &op, status));
	return 0;
}

int attio_h_option_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	return create(sb, rq, out, e, false);
}

int attio_h_status_create(struct attio_sb *sb, struct attio_req *rq,
                          json_t **out, struct attio_err *e)
{
	return create(sb, rq, out, e, true);
}

static int patch(struct attio_sb *sb, struct attio_req *rq, json_t **out,
                 struct attio_err *e, bool status)
{
	struct attio_attr *a;
	struct attio_option *op, n;

	if (attr_or_404(sb, rq, &a, e) < 0)
		return -1;
	if (strcmp(a->type, status ? "status" : "select"))
		return wrong_type(e, status);
	if (!(op = attio_option_find(a, rq->params[3])))
		return attio_err_set(e, 400, "value_not_found",
		                     "Cannot find %s attribute with %s option "
		                     "title \"%s\".",
		                     status ? "status" : "select",
		                     status ? "status" : "select",
		                     rq->params[3]);
	n = *op;
	if (fields(a, json_object_get(rq->body, "data"), &n, status, false,
	           op->id, e) < 0)
		return -1;
	if (attio_store_begin(sb) < 0 ||
	    attio_catalog_update_option(sb, a, &n) < 0 ||
	    attio_store_commit(sb) < 0)
		return store_failed(sb, e);
	*op = n;
	*out = json_pack("{s:o}", "data", one_json(sb, a, op, status));
	return 0;
}

int attio_h_option_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	return patch(sb, rq, out, e, false);
}

int attio_h_status_patch(struct attio_sb *sb, struct attio_req *rq,
                         json_t **out, struct attio_err *e)
{
	return patch(sb, rq, out, e, true);
}
