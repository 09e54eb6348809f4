/* plan_refs.c: references. A Salesforce id in a reference field becomes
 * whatever the record it points at became: a record to write (the load
 * resolves the reference once that record exists: the payload keeps its
 * source object and id), its survivor when it was merged, and nothing
 * when it is held, skipped or was never staged: the record is then
 * written without that link and carries a note, unless the destination
 * requires the attribute (a note's parent), and then it waits too. The
 * plan table answers "what became of record X" through its index on
 * source_id. Also the rules built on references: an activity's two
 * parents, links (contact roles) and case comments. */
#include "util.h"

#include "ferry/salesforce.h"
#include "plan_int.h"
#include "store/store.h"

enum ref_state { REF_OK = 0, REF_HELD, REF_SKIPPED, REF_ABSENT };

struct ref {
	json_t *value; /* the reference, when REF_OK */
	enum ref_state state;
	char why[512]; /* otherwise: what became of the target */
};

static int lookup_row(struct plan *pl, const char *id, const char *dest,
                      struct pl_fate *out)
{
	sqlite3_stmt *st = pl->lookup;
	bool found = false;
	int rc;

	ferry_store__bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 2);
		bool better = !found || (dest && d && !strcmp(d, dest));

		if (!better)
			continue;
		found = true;
		ferry_store__column_copy(out->object, sizeof(out->object), st,
		                         0);
		ferry_plan_decision_parse(
		    (const char *)sqlite3_column_text(st, 1), &out->decision);
		ferry_store__column_copy(out->dest, sizeof(out->dest), st, 2);
		ferry_store__column_copy(out->survivor_object,
		                         sizeof(out->survivor_object), st, 3);
		ferry_store__column_copy(out->survivor_id,
		                         sizeof(out->survivor_id), st, 4);
		snprintf(out->source_id, sizeof(out->source_id), "%s", id);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return ferry_store__error(pl->ws, "cannot read the plan");
	return found ? 0 : FERRY_ENOTFOUND;
}

int pl_fate(struct plan *pl, const char *id, const char *dest_object,
            struct pl_fate *out)
{
	char cur[64];
	int hop, error;

	snprintf(cur, sizeof(cur), "%s", id);
	for (hop = 0; hop < 4; hop++) {
		struct pl_fate f;

		memset(&f, 0, sizeof(f));
		error = lookup_row(pl, cur, dest_object, &f);
		if (error == FERRY_ENOTFOUND && hop > 0) {
			/* A survivor not decided yet: it is written. */
			out->decision = FERRY_PLAN_WRITE;
			snprintf(out->source_id, sizeof(out->source_id), "%s",
			         cur);
			snprintf(out->object, sizeof(out->object), "%s",
			         out->survivor_object);
			return 0;
		}
		if (error < 0)
			return error;
		*out = f;
		if (f.decision != FERRY_PLAN_MERGED || !f.survivor_id[0])
			return 0;
		snprintf(cur, sizeof(cur), "%s", f.survivor_id);
	}
	return 0;
}

static json_t *ref_json(const char *target, const char *object, const char *id)
{
	return json_pack("{s:s, s:s, s:s}", "target_object",
	                 target ? target : "", "source_object", object,
	                 "source_id", id);
}

static bool staged(struct plan *pl, const char *object, const char *id)
{
	sqlite3_stmt *st = pl->staged;
	int rc;

	ferry_store__bind_text(st, 1, object);
	ferry_store__bind_text(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

/* A deferred reference is written in the load's second pass, once every
 * record exists: the plan keeps it when its target is staged (through
 * its survivor when dedup merged it) and leaves the rest to the load. */
static void deferred(struct plan *pl, const char *field, const char *object,
                     const char *id, struct ref *r)
{
	const struct ferry_mapfile *m = pl->m;
	sqlite3_stmt *st = pl->dedup;
	size_t i;

	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];
		const char *src = o->name, *sid = id;

		if (o->kind != FERRY_MF_RECORDS ||
		    (object && strcmp(o->to, object)) || !staged(pl, src, id))
			continue;
		ferry_store__bind_text(st, 1, src);
		ferry_store__bind_text(st, 2, id);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    !strcmp((const char *)sqlite3_column_text(st, 0),
		            "merged")) {
			r->value = json_pack(
			    "{s:s, s:s, s:s, s:b}", "target_object", o->to,
			    "source_object", sqlite3_column_text(st, 1),
			    "source_id", sqlite3_column_text(st, 2), "deferred",
			    1);
		} else {
			r->value =
			    json_pack("{s:s, s:s, s:s, s:b}", "target_object",
			              o->to, "source_object", src, "source_id",
			              sid, "deferred", 1);
		}
		sqlite3_reset(st);
		r->state = REF_OK;
		return;
	}
	r->state = REF_ABSENT;
	snprintf(r->why, sizeof(r->why), "%s %s is not a staged record", field,
	         id);
}

static int resolve(struct plan *pl, const char *field, const char *object,
                   bool is_deferred, const char *raw, struct ref *r)
{
	char id[64];
	struct pl_fate f;
	int error;

	memset(r, 0, sizeof(*r));
	memset(&f, 0, sizeof(f));
	/* The 18-character form is the one staged. */
	if (strlen(raw) != 15 || ferry_sf_id18(id, raw) < 0) {
		id[0] = '\0';
		ferry_str_append_clean(id, sizeof(id), raw, strlen(raw));
	}
	ferry_str_trim(id);
	if (is_deferred) {
		deferred(pl, field, object, id, r);
		return 0;
	}
	error = pl_fate(pl, id, object, &f);
	if (error == FERRY_ENOTFOUND) {
		r->state = REF_ABSENT;
		snprintf(r->why, sizeof(r->why),
		         "%s %s is not a staged record (or its object is not "
		         "extracted)",
		         field, id);
		return 0;
	}
	if (error < 0)
		return error;
	switch (f.decision) {
	case FERRY_PLAN_WRITE:
		if (object && f.dest[0] && strcmp(f.dest, object)) {
			r->state = REF_ABSENT;
			snprintf(r->why, sizeof(r->why),
			         "%s %s became a %s record, not one of %s",
			         field, id, f.dest, object);
			return 0;
		}
		r->value = ref_json(f.dest[0] ? f.dest : object, f.object,
		                    f.source_id);
		return 0;
	case FERRY_PLAN_HELD:
	case FERRY_PLAN_SKIPPED:
		r->state =
		    f.decision == FERRY_PLAN_HELD ? REF_HELD : REF_SKIPPED;
		if (!strcmp(f.source_id, id))
			snprintf(r->why, sizeof(r->why), "%s %s (%s) is %s",
			         field, id, f.object,
			         ferry_plan_decision_name(f.decision));
		else
			snprintf(r->why, sizeof(r->why),
			         "%s %s was merged into %s %s, which is %s",
			         field, id, f.object, f.source_id,
			         ferry_plan_decision_name(f.decision));
		return 0;
	default:
		r->state = REF_ABSENT;
		snprintf(r->why, sizeof(r->why),
		         "%s %s is merged into a record ferry could not follow",
		         field, id);
		return 0;
	}
}

/* A reference that did not resolve: a note, or the record waits (or is
 * left out with its target) when the destination requires the link. */
static void unresolved(struct plan *pl, struct pl_rec *rec, const char *field,
                       const char *attr, const struct ref *r)
{
	if (!pl_required(pl, rec, attr)) {
		pl_reason(rec->notes, field, "link_dropped", NULL,
		          "%s: written without this link (%s)", r->why, attr);
		return;
	}
	if (r->state == REF_SKIPPED) {
		char msg[640];

		snprintf(msg, sizeof(msg), "%s, and %s needs its %s", r->why,
		         rec->dest, attr);
		pl_skip(rec, field, "link_skipped",
		        "write the record it points at (see why it is "
		        "skipped)",
		        msg);
		return;
	}
	pl_reason(rec->reasons, field, "link_required",
	          "release or write the record it points at first; it is "
	          "planned again with it",
	          "%s, and %s needs its %s", r->why, rec->dest, attr);
}

/* Task and Event: WhatId and WhoId both mapped to one parent. */
static bool two_parents(const struct pl_object *po,
                        const struct ferry_mapfile_field *f)
{
	return po->two_parents && f->type == FERRY_MF_REFERENCE &&
	       (!strcmp(f->name, "WhatId") || !strcmp(f->name, "WhoId"));
}

static void parents(struct plan *pl, struct pl_rec *rec, struct ref *what,
                    struct ref *who, const char *attr)
{
	enum ferry_mapfile_parents rule = rec->po->o->two_parents;
	struct ref *first = rule == FERRY_MF_PARENTS_WHO ? who : what;
	struct ref *second = first == what ? who : what;
	const char *f1 = first == what ? "WhatId" : "WhoId";
	const char *f2 = first == what ? "WhoId" : "WhatId";
	bool has1 = first->value || first->why[0];
	bool has2 = second->value || second->why[0];

	if (rule == FERRY_MF_PARENTS_BOTH && first->value && second->value) {
		pl_add_value(rec->values, attr, first->value);
		pl_add_value(rec->values, attr, second->value);
		first->value = second->value = NULL;
		if (!rec->extra)
			rec->extra = json_object();
		json_object_set_new(rec->extra, "copies", json_integer(2));
		return;
	}
	if (first->value) {
		pl_add_value(rec->values, attr, first->value);
		first->value = NULL;
		if (has2 && rule == FERRY_MF_PARENTS_BOTH)
			pl_reason(rec->notes, f2, "link_dropped", NULL,
			          "%s: no copy on it", second->why);
		return;
	}
	if (second->value) {
		pl_add_value(rec->values, attr, second->value);
		second->value = NULL;
		if (has1 && rule == FERRY_MF_PARENTS_BOTH)
			pl_reason(rec->notes, f1, "link_dropped", NULL,
			          "%s: no copy on it", first->why);
		else if (has1)
			pl_reason(rec->notes, f1, "link_dropped", NULL,
			          "%s: written on %s's record instead",
			          first->why, f2);
		return;
	}
	if (has1)
		unresolved(pl, rec, f1, attr, first);
	else if (has2)
		unresolved(pl, rec, f2, attr, second);
}

static int link(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_link *l = &po->o->link;
	struct ref a, b;
	const struct ref *bad;
	int error;

	if ((error = resolve(pl, l->record, NULL, false,
	                     pl_val(rec, po->link_col[0]), &a)) < 0)
		return error;
	if ((error = resolve(pl, l->add, NULL, false,
	                     pl_val(rec, po->link_col[1]), &b)) < 0) {
		json_decref(a.value);
		return error;
	}
	if (a.value && b.value) {
		if (!rec->extra)
			rec->extra = json_object();
		json_object_set_new(rec->extra, "link",
		                    json_pack("{s:o, s:s, s:o}", "record",
		                              a.value, "attribute",
		                              l->attribute, "add", b.value));
		return 0;
	}
	bad = a.value ? &b : &a;
	if (bad->state == REF_HELD)
		pl_reason(rec->reasons, bad == &a ? l->record : l->add,
		          "link_required",
		          "release the record it points at; it is planned "
		          "again with it",
		          "%s: nothing to link yet", bad->why);
	else
		pl_skip(rec, bad == &a ? l->record : l->add, "link_skipped",
		        "write the record it points at (see why it is not)",
		        bad->why);
	json_decref(a.value);
	json_decref(b.value);
	return 0;
}

int pl_references(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_object *o = po->o;
	struct ref what, who, r;
	const char *parent_attr = NULL;
	size_t i;
	int error = 0;

	memset(&what, 0, sizeof(what));
	memset(&who, 0, sizeof(who));
	for (i = 0; i < o->n_fields; i++) {
		const struct ferry_mapfile_field *f = &o->fields[i];
		const char *v = pl_val(rec, po->field_col[i]);

		if (f->type != FERRY_MF_REFERENCE || !f->to || !*v)
			continue;
		if ((error = resolve(pl, f->name, f->object, f->deferred, v,
		                     &r)) < 0)
			goto done;
		if (two_parents(po, f)) {
			parent_attr = f->to;
			*(!strcmp(f->name, "WhatId") ? &what : &who) = r;
			continue;
		}
		if (r.value)
			pl_add_value(rec->values, f->to, r.value);
		else
			unresolved(pl, rec, f->name, f->to, &r);
	}
	if (parent_attr)
		parents(pl, rec, &what, &who, parent_attr);
	if (o->kind == FERRY_MF_LINKS)
		error = link(pl, rec);
done:
	json_decref(what.value);
	json_decref(who.value);
	return error;
}

int pl_decide_comment(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_object *c = po->case_of;
	struct ferry_tx_reason why;
	json_t *v = NULL;
	struct ref r;
	int error;

	rec->kind = FERRY_MF_NOTES;
	rec->dest = "notes";
	if ((error = resolve(pl, "ParentId", NULL, false,
	                     pl_val(rec, po->fixed[PL_C_PARENT]), &r)) < 0)
		return error;
	if (!r.value) {
		char rel[256];

		snprintf(rel, sizeof(rel),
		         "write its case (%s), and this comment goes with it",
		         c->name);
		if (r.state == REF_HELD)
			pl_reason(rec->reasons, "ParentId", "case_held", rel,
			          "%s: its comments wait for it", r.why);
		else
			pl_skip(rec, "ParentId", "case_not_written", rel,
			        r.why);
		rec->decision =
		    r.state == REF_HELD ? FERRY_PLAN_HELD : FERRY_PLAN_SKIPPED;
		return 0;
	}
	if (c->kind == FERRY_MF_NOTES) {
		/* The case is a note: its comments go into it. */
		rec->decision = FERRY_PLAN_MERGED;
		snprintf(rec->survivor_object, sizeof(rec->survivor_object),
		         "%s",
		         json_string_value(
		             json_object_get(r.value, "source_object")));
		snprintf(
		    rec->survivor_id, sizeof(rec->survivor_id), "%s",
		    json_string_value(json_object_get(r.value, "source_id")));
		pl_reason(rec->reasons, "", "comment_appended", NULL,
		          "appended to its case's note (%s.comments)", c->name);
		json_decref(r.value);
		return 0;
	}
	json_object_set_new(rec->values, "parent", r.value);
	memset(&why, 0, sizeof(why));
	if (ferry_tx_text(&v, pl_val(rec, po->fixed[PL_C_BODY]), NULL, &why) ==
	        0 &&
	    v)
		json_object_set_new(rec->values, "content", v);
	v = NULL;
	if (ferry_tx_timestamp(&v, pl_val(rec, po->fixed[PL_C_CREATED]), NULL,
	                       &why) == 0 &&
	    v)
		json_object_set_new(rec->values, "created_at", v);
	rec->decision =
	    json_array_size(rec->reasons) ? FERRY_PLAN_HELD : FERRY_PLAN_WRITE;
	return 0;
}
