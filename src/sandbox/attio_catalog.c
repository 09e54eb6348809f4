/* attio_catalog.c: the catalogue of the Attio stand-in (objects, lists,
 * their attributes, select options and statuses), kept in memory for the
 * handlers and written through to the store on every change. */
#include "util.h"

#include <sqlite3.h>

#include "attio_sandbox.h"

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void col_copy(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static int step_done(struct attio_sb *sb, sqlite3_stmt *st, const char *what)
{
	int rc =
	    sqlite3_step(st) == SQLITE_DONE ? 0 : attio_store_fail(sb, what);

	sqlite3_finalize(st);
	return rc;
}

/* --- attributes and options --- */

#define ATTR_COLS                                                              \
	"attribute_id, object_id, api_slug, title, description, type,"         \
	" is_unique, is_required, is_multiselect, is_system, is_archived,"     \
	" target_object, rel_object, rel_slug, currency_code, display_type,"   \
	" default_value, created_at, position"

/* Parameters ?1..?19 in ATTR_COLS order (position: the attribute's). */
static void bind_attr(sqlite3_stmt *st, const struct attio_attr *a,
                      size_t position)
{
	char *dv = a->default_value ? json_dumps(a->default_value,
	                                         JSON_COMPACT | JSON_ENCODE_ANY)
	                            : NULL;

	bind_text(st, 1, a->id);
	bind_text(st, 2, a->object->id);
	bind_text(st, 3, a->slug);
	bind_text(st, 4, a->title);
	if (a->has_description)
		bind_text(st, 5, a->description);
	bind_text(st, 6, a->type);
	sqlite3_bind_int(st, 7, a->is_unique);
	sqlite3_bind_int(st, 8, a->is_required);
	sqlite3_bind_int(st, 9, a->is_multiselect);
	sqlite3_bind_int(st, 10, a->is_system);
	sqlite3_bind_int(st, 11, a->is_archived);
	bind_text(st, 12, a->target_object);
	bind_text(st, 13, a->rel_object);
	bind_text(st, 14, a->rel_slug);
	bind_text(st, 15, a->currency_code);
	bind_text(st, 16, a->display_type);
	if (dv)
		bind_text(st, 17, dv);
	bind_text(st, 18, a->created_at);
	sqlite3_bind_int64(st, 19, (sqlite3_int64)position);
	free(dv);
}

static void read_attr(sqlite3_stmt *st, struct attio_attr *a)
{
	const unsigned char *dv;

	memset(a, 0, sizeof(*a));
	col_copy(a->id, sizeof(a->id), st, 0);
	col_copy(a->slug, sizeof(a->slug), st, 2);
	col_copy(a->title, sizeof(a->title), st, 3);
	a->has_description = sqlite3_column_type(st, 4) != SQLITE_NULL;
	col_copy(a->description, sizeof(a->description), st, 4);
	col_copy(a->type, sizeof(a->type), st, 5);
	a->is_unique = sqlite3_column_int(st, 6) != 0;
	a->is_required = sqlite3_column_int(st, 7) != 0;
	a->is_multiselect = sqlite3_column_int(st, 8) != 0;
	a->is_system = sqlite3_column_int(st, 9) != 0;
	a->is_archived = sqlite3_column_int(st, 10) != 0;
	col_copy(a->target_object, sizeof(a->target_object), st, 11);
	col_copy(a->rel_object, sizeof(a->rel_object), st, 12);
	col_copy(a->rel_slug, sizeof(a->rel_slug), st, 13);
	col_copy(a->currency_code, sizeof(a->currency_code), st, 14);
	col_copy(a->display_type, sizeof(a->display_type), st, 15);
	dv = sqlite3_column_text(st, 16);
	a->default_value =
	    dv ? json_loads((const char *)dv, JSON_DECODE_ANY, NULL) : NULL;
	col_copy(a->created_at, sizeof(a->created_at), st, 17);
}

static void load_options(struct attio_sb *sb, struct attio_attr *a)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT option_id, title, is_archived, celebration_enabled,"
	        " target_time FROM select_options WHERE attribute_id = ?"
	        " ORDER BY position");

	bind_text(st, 1, a->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attio_option *op;

		a->options = ferry_xrealloc(a->options,
		                            (a->n_options + 1) * sizeof(*op));
		op = &a->options[a->n_options++];
		memset(op, 0, sizeof(*op));
		col_copy(op->id, sizeof(op->id), st, 0);
		col_copy(op->title, sizeof(op->title), st, 1);
		op->is_archived = sqlite3_column_int(st, 2) != 0;
		op->celebration_enabled = sqlite3_column_int(st, 3) != 0;
		col_copy(op->target_time, sizeof(op->target_time), st, 4);
	}
	sqlite3_finalize(st);
}

static void load_attrs(struct attio_sb *sb, struct attio_object *o)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT " ATTR_COLS " FROM attributes WHERE object_id = ?"
	        " ORDER BY position");
	size_t i;

	bind_text(st, 1, o->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		o->attrs = ferry_xrealloc(o->attrs,
		                          (o->n_attrs + 1) * sizeof(*o->attrs));
		read_attr(st, &o->attrs[o->n_attrs++]);
	}
	sqlite3_finalize(st);
	for (i = 0; i < o->n_attrs; i++) {
		o->attrs[i].object = o;
		load_options(sb, &o->attrs[i]);
	}
}

static void push(struct attio_object ***arr, size_t *n, struct attio_object *o)
{
	*arr = ferry_xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = o;
}

void attio_catalog_load(struct attio_sb *sb)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "SELECT object_id, api_slug, singular_noun, plural_noun,"
	        " created_at, is_system FROM objects ORDER BY position");
	size_t i;

	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attio_object *o = ferry_xcalloc(1, sizeof(*o));

		col_copy(o->id, sizeof(o->id), st, 0);
		col_copy(o->slug, sizeof(o->slug), st, 1);
		col_copy(o->singular, sizeof(o->singular), st, 2);
		col_copy(o->plural, sizeof(o->plural), st, 3);
		col_copy(o->created_at, sizeof(o->created_at), st, 4);
		o->is_system = sqlite3_column_int(st, 5) != 0;
		push(&sb->objects, &sb->n_objects, o);
	}
	sqlite3_finalize(st);
	st = attio_store_prep(sb, "SELECT list_id, api_slug, name,"
	                          " parent_object, workspace_access,"
	                          " member_access, created_at FROM lists"
	                          " ORDER BY position");
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct attio_object *l = ferry_xcalloc(1, sizeof(*l));

		l->is_list = true;
		col_copy(l->id, sizeof(l->id), st, 0);
		col_copy(l->slug, sizeof(l->slug), st, 1);
		col_copy(l->name, sizeof(l->name), st, 2);
		col_copy(l->parent_object, sizeof(l->parent_object), st, 3);
		col_copy(l->workspace_access, sizeof(l->workspace_access), st,
		         4);
		l->member_access = json_loads(
		    (const char *)sqlite3_column_text(st, 5), 0, NULL);
		if (!json_is_array(l->member_access)) {
			json_decref(l->member_access);
			l->member_access = json_array();
		}
		col_copy(l->created_at, sizeof(l->created_at), st, 6);
		push(&sb->lists, &sb->n_lists, l);
	}
	sqlite3_finalize(st);
	for (i = 0; i < sb->n_objects; i++)
		load_attrs(sb, sb->objects[i]);
	for (i = 0; i < sb->n_lists; i++)
		load_attrs(sb, sb->lists[i]);
}

static void free_container(struct attio_object *o)
{
	size_t j;

	for (j = 0; j < o->n_attrs; j++) {
		free(o->attrs[j].options);
		json_decref(o->attrs[j].default_value);
	}
	free(o->attrs);
	json_decref(o->member_access);
	free(o);
}

void attio_catalog_free(struct attio_sb *sb)
{
	size_t i;

	for (i = 0; i < sb->n_objects; i++)
		free_container(sb->objects[i]);
	for (i = 0; i < sb->n_lists; i++)
		free_container(sb->lists[i]);
	free(sb->objects);
	free(sb->lists);
	sb->objects = sb->lists = NULL;
	sb->n_objects = sb->n_lists = 0;
}

static struct attio_object *find_in(struct attio_object **arr, size_t n,
                                    const char *key)
{
	size_t i;

	for (i = 0; key && i < n; i++)
		if (!strcmp(arr[i]->slug, key) || !strcmp(arr[i]->id, key))
			return arr[i];
	return NULL;
}

struct attio_object *attio_object_find(struct attio_sb *sb, const char *key)
{
	return find_in(sb->objects, sb->n_objects, key);
}

struct attio_object *attio_list_find(struct attio_sb *sb, const char *key)
{
	return find_in(sb->lists, sb->n_lists, key);
}

struct attio_object *attio_container_find(struct attio_sb *sb,
                                          const char *target, const char *key)
{
	if (!strcmp(target, "objects"))
		return attio_object_find(sb, key);
	if (!strcmp(target, "lists"))
		return attio_list_find(sb, key);
	return NULL;
}

struct attio_attr *attio_attr_find(struct attio_object *o, const char *key)
{
	size_t i;

	for (i = 0; o && key && i < o->n_attrs; i++)
		if (!strcmp(o->attrs[i].slug, key) ||
		    !strcmp(o->attrs[i].id, key))
			return &o->attrs[i];
	return NULL;
}

struct attio_option *attio_option_find(const struct attio_attr *a,
                                       const char *key)
{
	size_t i;

	for (i = 0; key && i < a->n_options; i++)
		if (!strcmp(a->options[i].title, key) ||
		    !strcmp(a->options[i].id, key))
			return &a->options[i];
	return NULL;
}

/* --- changes --- */

static int write_object(struct attio_sb *sb, const struct attio_object *o,
                        size_t position, bool insert)
{
	sqlite3_stmt *st;
	char *access = NULL;
	int rc;

	if (o->is_list) {
		access = json_dumps(o->member_access, JSON_COMPACT);
		st = attio_store_prep(
		    sb, insert ? "INSERT INTO lists(list_id, api_slug, name,"
		                 " parent_object, workspace_access,"
		                 " member_access, created_at, position)"
		                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		               : "UPDATE lists SET api_slug = ?2, name = ?3,"
		                 " workspace_access = ?5, member_access = ?6"
		                 " WHERE list_id = ?1");
		bind_text(st, 3, o->name);
		bind_text(st, 4, o->parent_object);
		if (o->workspace_access[0])
			bind_text(st, 5, o->workspace_access);
		bind_text(st, 6, access ? access : "[]");
	} else {
		st = attio_store_prep(
		    sb, insert ? "INSERT INTO objects(object_id, api_slug,"
		                 " created_at, position, is_system,"
		                 " singular_noun, plural_noun)"
		                 " VALUES(?1, ?2, ?7, ?8, ?9, ?3, ?4)"
		               : "UPDATE objects SET api_slug = ?2,"
		                 " singular_noun = ?3, plural_noun = ?4"
		                 " WHERE object_id = ?1");
		bind_text(st, 3, o->singular);
		bind_text(st, 4, o->plural);
		sqlite3_bind_int(st, 9, o->is_system);
	}
	bind_text(st, 1, o->id);
	bind_text(st, 2, o->slug);
	bind_text(st, 7, o->created_at);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)position);
	rc = step_done(sb, st,
	               o->is_list ? "writing a list" : "writing an object");
	free(access);
	return rc;
}

int attio_catalog_add_object(struct attio_sb *sb, const struct attio_object *o,
                             struct attio_object **out)
{
	struct attio_object *n = ferry_xcalloc(1, sizeof(*n));
	int rc;

	*n = *o;
	attio_uuid(n->id);
	attio_now(n->created_at);
	n->attrs = NULL;
	n->n_attrs = 0;
	n->member_access =
	    o->member_access ? json_deep_copy(o->member_access) : json_array();
	if ((rc = write_object(sb, n, n->is_list ? sb->n_lists : sb->n_objects,
	                       true)) < 0) {
		json_decref(n->member_access);
		free(n);
		return rc;
	}
	if (n->is_list)
		push(&sb->lists, &sb->n_lists, n);
	else
		push(&sb->objects, &sb->n_objects, n);
	*out = n;
	return 0;
}

int attio_catalog_update_object(struct attio_sb *sb, struct attio_object *o)
{
	return write_object(sb, o, 0, false);
}

int attio_catalog_add_attr(struct attio_sb *sb, struct attio_object *o,
                           const struct attio_attr *a, struct attio_attr **out)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "INSERT INTO attributes(" ATTR_COLS ") VALUES(?1, ?2, ?3, ?4,"
	        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	        " ?18, ?19)");
	struct attio_attr n = *a;
	size_t i;
	int rc;

	attio_uuid(n.id);
	attio_now(n.created_at);
	n.object = o;
	n.options = NULL;
	n.n_options = 0;
	n.default_value =
	    a->default_value ? json_deep_copy(a->default_value) : NULL;
	bind_attr(st, &n, o->n_attrs);
	if ((rc = step_done(sb, st, "adding an attribute")) < 0) {
		json_decref(n.default_value);
		return rc;
	}
	o->attrs = ferry_xrealloc(o->attrs, (o->n_attrs + 1) * sizeof(n));
	o->attrs[o->n_attrs++] = n;
	for (i = 0; i < o->n_attrs; i++)
		o->attrs[i].object = o;
	*out = &o->attrs[o->n_attrs - 1];
	return 0;
}

int attio_catalog_update_attr(struct attio_sb *sb, struct attio_attr *a)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "UPDATE attributes SET api_slug = ?3, title = ?4,"
	        " description = ?5, is_unique = ?7, is_required = ?8,"
	        " is_archived = ?11, target_object = ?12,"
	        " currency_code = ?15, display_type = ?16,"
	        " default_value = ?17 WHERE attribute_id = ?1");

	bind_attr(st, a, 0);
	return step_done(sb, st, "updating an attribute");
}

int attio_catalog_add_option(struct attio_sb *sb, struct attio_attr *a,
                             const struct attio_option *op)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "INSERT INTO select_options(option_id, attribute_id, title,"
	        " is_archived, celebration_enabled, target_time, position)"
	        " VALUES(?, ?, ?, ?, ?, ?, ?)");
	int rc;

	bind_text(st, 1, op->id);
	bind_text(st, 2, a->id);
	bind_text(st, 3, op->title);
	sqlite3_bind_int(st, 4, op->is_archived);
	sqlite3_bind_int(st, 5, op->celebration_enabled);
	bind_text(st, 6, op->target_time);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)a->n_options);
	if ((rc = step_done(sb, st, "adding an option")) < 0)
		return rc;
	a->options =
	    ferry_xrealloc(a->options, (a->n_options + 1) * sizeof(*op));
	a->options[a->n_options++] = *op;
	return 0;
}

int attio_catalog_update_option(struct attio_sb *sb, struct attio_attr *a,
                                const struct attio_option *op)
{
	sqlite3_stmt *st = attio_store_prep(
	    sb, "UPDATE select_options SET title = ?, is_archived = ?,"
	        " celebration_enabled = ?, target_time = ? WHERE"
	        " option_id = ? AND attribute_id = ?");

	bind_text(st, 1, op->title);
	sqlite3_bind_int(st, 2, op->is_archived);
	sqlite3_bind_int(st, 3, op->celebration_enabled);
	bind_text(st, 4, op->target_time);
	bind_text(st, 5, op->id);
	bind_text(st, 6, a->id);
	return step_done(sb, st, "updating an option");
}
