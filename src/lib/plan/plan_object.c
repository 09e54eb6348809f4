/* plan_object.c: what planning one object needs before its first
 * record: the columns it reads (its fields, their country fields, its
 * filter's, and the few fixed ones its rules need), its compound
 * attributes (a name or a location from their parts), the record type
 * names, and the destination's rules for its attributes. */
#include "util.h"

#include "ferry/salesforce.h"
#include "plan_int.h"
#include "store/store.h"

static int col_add(struct pl_object *po, const char *name)
{
	size_t i;

	for (i = 0; i < po->n_cols; i++)
		if (!strcmp(po->cols[i].name, name))
			return (int)i;
	po->cols =
	    ferry_xrealloc(po->cols, (po->n_cols + 1) * sizeof(*po->cols));
	po->cols[po->n_cols].name = name;
	po->cols[po->n_cols].pos = 0;
	return (int)po->n_cols++;
}

void pl_object_free(struct pl_object *po)
{
	free(po->cols);
	free(po->field_col);
	free(po->country_col);
	free(po->compound_of);
	free(po->compounds);
	free(po->filter_col);
	free(po->attrs);
	json_decref(po->filter_rec);
	json_decref(po->record_types);
	memset(po, 0, sizeof(*po));
}

static void compound_add(struct pl_object *po, size_t i)
{
	const struct ferry_mapfile_field *f = &po->o->fields[i];
	struct pl_compound *c = NULL;
	int part = f->part;
	size_t k, p;

	for (k = 0; k < po->n_compounds; k++)
		if (!strcmp(po->compounds[k].attribute, f->to))
			c = &po->compounds[k];
	if (!c) {
		po->compounds = ferry_xrealloc(
		    po->compounds, (po->n_compounds + 1) * sizeof(*c));
		c = &po->compounds[po->n_compounds++];
		memset(c, 0, sizeof(*c));
		c->attribute = f->to;
		c->type = f->type;
		c->first = f;
		for (p = 0; p < FERRY_MF_PART_COUNT; p++)
			c->col[p] = -1;
	}
	if (part == FERRY_MF_PART_NONE)
		part = f->type == FERRY_MF_NAME ? FERRY_MF_PART_FULL_NAME
		                                : FERRY_MF_PART_LINE_1;
	c->col[part] = po->field_col[i];
	c->part[part] = f;
	po->compound_of[i] = (int)(c - po->compounds);
}

static void record_type_add(json_t *map, const char *id, const char *name)
{
	char id18[19];

	if (!id || !name || ferry_sf_id18(id18, id) < 0)
		return;
	json_object_set_new(map, id18, json_string(name));
}

/* Record type ids -> DeveloperName: from the object's describe, and from
 * staged RecordType records. */
static int record_types_load(struct plan *pl, struct pl_object *po)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	sqlite3_stmt *st = NULL;
	json_t *d = NULL, *rt;
	char *name;
	size_t i;
	int error, rc;

	po->record_types = json_object();
	name = ferry_xasprintf("salesforce/describe/%s", po->name);
	error = ferry_facts_get(pl->ws, name, &text);
	free(name);
	if (error == 0 && (d = json_loads(text.ptr, 0, NULL)))
		json_array_foreach(json_object_get(d, "recordTypeInfos"), i, rt)
		    record_type_add(
		        po->record_types,
		        json_string_value(json_object_get(rt, "recordTypeId")),
		        json_string_value(
		            json_object_get(rt, "developerName")));
	json_decref(d);
	ferry_buf_release(&text);
	if (error < 0 && error != FERRY_ENOTFOUND)
		return error;
	if ((error = ferry_store__prepare(
	         &st, pl->ws,
	         "SELECT json_extract(fields, '$.Id'), json_extract(fields, "
	         "'$.DeveloperName') FROM main.staged_records WHERE object = "
	         "'RecordType' AND json_extract(fields, '$.SobjectType') = "
	         "?")) < 0)
		return error;
	ferry_store__bind_text(st, 1, po->name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		record_type_add(po->record_types,
		                (const char *)sqlite3_column_text(st, 0),
		                (const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		error = ferry_store__error(pl->ws, "cannot read record types");
	sqlite3_finalize(st);
	return error;
}

static bool has_type(const struct ferry_mapfile_object *o,
                     enum ferry_mapfile_type t)
{
	size_t i;

	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to && o->fields[i].type == t)
			return true;
	return false;
}

static const char *field_to(const struct ferry_mapfile_object *o,
                            const char *name)
{
	const struct ferry_mapfile_field *f = ferry_mapfile_field(o, name);

	return f && f->to && f->type == FERRY_MF_REFERENCE ? f->to : NULL;
}

int pl_object_init(struct plan *pl, struct pl_object *po,
                   const struct ferry_mapfile_object *o)
{
	size_t i, n;
	const char *what, *who;

	for (i = 0; i < PL_C__COUNT; i++)
		po->fixed[i] = -1;
	if (po->case_of) {
		po->fixed[PL_C_PARENT] = col_add(po, "ParentId");
		po->fixed[PL_C_BODY] = col_add(po, "CommentBody");
		po->fixed[PL_C_CREATED] = col_add(po, "CreatedDate");
		return 0;
	}
	if (!(po->o = o))
		return 0;
	n = o->n_fields ? o->n_fields : 1;
	po->field_col = ferry_xcalloc(n, sizeof(int));
	po->country_col = ferry_xcalloc(n, sizeof(int));
	po->compound_of = ferry_xcalloc(n, sizeof(int));
	for (i = 0; i < o->n_fields; i++) {
		const struct ferry_mapfile_field *f = &o->fields[i];

		po->field_col[i] = col_add(po, f->name);
		po->country_col[i] =
		    f->country_field ? col_add(po, f->country_field) : -1;
		po->compound_of[i] = -1;
		if (f->to &&
		    (f->type == FERRY_MF_NAME || f->type == FERRY_MF_LOCATION))
			compound_add(po, i);
	}
	n = o->n_skip_if + o->n_only_if;
	po->filter_col = ferry_xcalloc(n ? n : 1, sizeof(int));
	for (i = 0; i < n; i++)
		po->filter_col[i] = col_add(
		    po, i < o->n_skip_if ? o->skip_if[i].field
		                         : o->only_if[i - o->n_skip_if].field);
	po->filter_rec = json_object();
	if (has_type(o, FERRY_MF_CURRENCY))
		po->fixed[PL_C_CURRENCY] = col_add(po, "CurrencyIsoCode");
	if (o->n_record_types)
		po->fixed[PL_C_RECORD_TYPE] = col_add(po, "RecordTypeId");
	if (!strcmp(o->name, "Account") && o->kind == FERRY_MF_RECORDS)
		po->fixed[PL_C_PERSON] = col_add(po, "IsPersonAccount");
	if (o->open != o->closed) {
		if (!strcmp(o->name, "Event")) {
			po->fixed[PL_C_END] = col_add(po, "EndDateTime");
			po->fixed[PL_C_START] = col_add(po, "ActivityDateTime");
		} else {
			po->fixed[PL_C_CLOSED] = col_add(po, "IsClosed");
		}
	}
	what = field_to(o, "WhatId");
	who = field_to(o, "WhoId");
	po->two_parents = what && who && !strcmp(what, who);
	if (o->kind == FERRY_MF_LINKS) {
		po->link_col[0] = col_add(po, o->link.record);
		po->link_col[1] = col_add(po, o->link.add);
	}
	pl_dest_init(pl, po);
	pl_to_create(pl, po);
	return o->n_record_types ? record_types_load(pl, po) : 0;
}
