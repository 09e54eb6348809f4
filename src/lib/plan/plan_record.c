/* plan_record.c: one record's decision. The rules run in the order a
 * person reads them in mapping.yaml: the object's filter, person accounts
 * and open or closed activities (any of which leaves the record out),
 * dedup (merged into its survivor, or held with its cluster), then every
 * field through its transform and value table (plan_values.c), record
 * types, owners, references and defaults, and last the destination's own
 * rules (plan_validate.c). A rule that leaves the record
 * out wins over reasons to hold it: nobody should fix a record that is not
 * going anywhere. */
#include "util.h"

#include <stdarg.h>

#include "plan_int.h"

const char *pl_val(const struct pl_rec *rec, int col)
{
	return col >= 0 ? rec->vals[col] : "";
}

bool pl_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* Replaces bytes that are not UTF-8 by '?': a reason quotes record
 * values, and the reasons are JSON. */
static void repair_utf8(char *s)
{
	size_t len = strlen(s), bad;

	while (!ferry_utf8_valid(s, len, &bad)) {
		s[bad] = '?';
	}
}

void pl_reason(json_t *list, const char *field, const char *code,
               const char *release, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	repair_utf8(msg);
	r = json_pack("{s:s, s:s, s:s}", "field", field ? field : "", "code",
	              code, "message", msg);
	if (r && release)
		json_object_set_new(r, "release", json_string(release));
	if (r)
		json_array_append_new(list, r);
}

struct pl_quote pl_quote(const char *v)
{
	struct pl_quote q = {{0}};

	ferry_str_append_clean(q.s, 84, v, strlen(v));
	if (strlen(v) > 83)
		memcpy(q.s + strlen(q.s), "...", 4);
	return q;
}

void pl_add_value(json_t *values, const char *attr, json_t *v)
{
	json_t *cur = json_object_get(values, attr), *item;
	size_t i, j;

	if (!v)
		return;
	if (!cur) {
		json_object_set_new(values, attr, v);
		return;
	}
	if (!json_is_array(cur)) {
		json_t *a = json_array();

		json_array_append(a, cur);
		json_object_set_new(values, attr, a);
		cur = a;
	}
	if (!json_is_array(v)) {
		json_t *a = json_array();

		json_array_append_new(a, v);
		v = a;
	}
	json_array_foreach(v, i, item)
	{
		bool seen = false;

		for (j = 0; j < json_array_size(cur) && !seen; j++)
			seen = json_equal(json_array_get(cur, j), item);
		if (!seen)
			json_array_append(cur, item);
	}
	json_decref(v);
}

void pl_rec_reset(struct pl_rec *rec)
{
	json_decref(rec->values);
	json_decref(rec->extra);
	json_decref(rec->reasons);
	json_decref(rec->notes);
	json_decref(rec->skip);
	rec->values = json_object();
	rec->extra = NULL;
	rec->reasons = json_array();
	rec->notes = json_array();
	rec->skip = NULL;
	rec->decision = FERRY_PLAN_WRITE;
	rec->match_attr = NULL;
	ferry_buf_clear(&rec->match_value);
	rec->survivor_object[0] = rec->survivor_id[0] = '\0';
	rec->role = -1;
	rec->dedup_reason = rec->merged = NULL;
	rec->mflat = NULL;
}

void pl_rec_release(struct pl_rec *rec)
{
	json_decref(rec->values);
	json_decref(rec->extra);
	json_decref(rec->reasons);
	json_decref(rec->notes);
	json_decref(rec->skip);
	ferry_buf_release(&rec->match_value);
	memset(rec, 0, sizeof(*rec));
}

void pl_skip(struct pl_rec *rec, const char *field, const char *code,
             const char *release, const char *message)
{
	if (rec->skip)
		return; /* the first rule that leaves it out is the reason */
	rec->skip = json_array();
	pl_reason(rec->skip, field, code, release, "%s", message);
}

static void extra_set(struct pl_rec *rec, const char *key, json_t *v)
{
	if (!rec->extra)
		rec->extra = json_object();
	json_object_set_new(rec->extra, key, v);
}

/*
 * The rules that leave a record out.
 */

static void filter(struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_object *o = po->o;
	const struct ferry_mapfile_condition *why = NULL;
	size_t i, n = o->n_skip_if + o->n_only_if;
	bool is_skip;
	char msg[512], rel[256];

	for (i = 0; i < n; i++) {
		const struct ferry_mapfile_condition *c =
		    i < o->n_skip_if ? &o->skip_if[i]
		                     : &o->only_if[i - o->n_skip_if];
		const char *v = pl_val(rec, po->filter_col[i]);
		json_t *s = json_string(v);

		json_object_set_new(po->filter_rec, c->field,
		                    s ? s : json_string(""));
	}
	if (ferry_mapfile_keep(o, po->filter_rec, &why) || !why)
		return;
	is_skip = why >= o->skip_if && why < o->skip_if + o->n_skip_if;
	for (i = 0; i < n; i++)
		if ((i < o->n_skip_if ? &o->skip_if[i]
		                      : &o->only_if[i - o->n_skip_if]) == why)
			break;
	snprintf(msg, sizeof(msg),
	         "left out by %s.filter.%s: %s is '%s' (mapping.yaml:%d)",
	         o->name, is_skip ? "skip_if" : "only_if", why->field,
	         pl_quote(pl_val(rec, i < n ? po->filter_col[i] : -1)).s,
	         why->line);
	snprintf(rel, sizeof(rel),
	         "change %s's filter in mapping.yaml (line %d) to keep it",
	         o->name, why->line);
	pl_skip(rec, why->field, "filter", rel, msg);
}

static bool truthy(const char *s)
{
	bool b = false;

	return ferry_parse_bool(s, &b) == 0 && b;
}

static void person_account(struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;

	if (o->person_accounts != FERRY_MF_PA_PERSON ||
	    !truthy(pl_val(rec, rec->po->fixed[PL_C_PERSON])))
		return;
	pl_skip(rec, "IsPersonAccount", "person_account",
	        "set person_accounts: company_and_person on Account in "
	        "mapping.yaml to write it as a company too",
	        "a person account: migrated as a person, through its Contact "
	        "(person_accounts: person)");
}

/* A Task is open until IsClosed; an Event while it has not ended. */
static bool activity_open(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	struct ferry_tx_reason why;
	const char *end;
	json_t *ts = NULL;
	bool open = false;

	if (po->fixed[PL_C_CLOSED] >= 0)
		return !truthy(pl_val(rec, po->fixed[PL_C_CLOSED]));
	end = pl_val(rec, po->fixed[PL_C_END]);
	if (pl_blank(end))
		end = pl_val(rec, po->fixed[PL_C_START]);
	if (pl_blank(end))
		return false;
	if (ferry_tx_timestamp(&ts, end, NULL, &why) == 0 && ts)
		open = strncmp(json_string_value(ts), pl->now, 19) > 0;
	json_decref(ts);
	return open;
}

static void activity_kind(struct plan *pl, struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	bool open;

	if (o->open == o->closed)
		return;
	open = activity_open(pl, rec);
	rec->kind = open ? o->open : o->closed;
	if (rec->kind == FERRY_MF_NOWHERE)
		pl_skip(rec, "",
		        open ? "open_not_migrated" : "closed_not_migrated",
		        "set open/closed on it in mapping.yaml",
		        open ? "open work is not migrated (open: skip)"
		             : "closed history is not migrated (closed: skip)");
	else if (rec->kind == FERRY_MF_TASKS)
		rec->dest = "tasks";
	else if (rec->kind == FERRY_MF_NOTES)
		rec->dest = "notes";
}

static void record_type(struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_object *o = po->o;
	const struct ferry_mapfile_record_type *rt;
	const char *id = pl_val(rec, po->fixed[PL_C_RECORD_TYPE]), *name;
	char rel[256];

	if (!o->n_record_types || pl_blank(id))
		return;
	name = json_string_value(json_object_get(po->record_types, id));
	if (!name) {
		pl_reason(rec->reasons, "RecordTypeId", "record_type_unknown",
		          "extract RecordType (or the object's describe) so "
		          "ferry can name the record type",
		          "record type %s is not known to ferry",
		          pl_quote(id).s);
		return;
	}
	if (!(rt = ferry_mapfile_record_type(o, name))) {
		snprintf(rel, sizeof(rel),
		         "add %s under %s.record_types in mapping.yaml", name,
		         o->name);
		pl_reason(rec->reasons, "RecordTypeId", "record_type_unmapped",
		          rel, "record type %s is not under %s.record_types",
		          name, o->name);
		return;
	}
	if (rt->option && o->record_type_attribute)
		pl_add_value(rec->values, o->record_type_attribute,
		             json_string(rt->option));
	if (rt->list) {
		json_t *lists = json_array();

		json_array_append_new(lists, json_string(rt->list));
		extra_set(rec, "lists", lists);
	}
}

static bool empty_value(const json_t *v)
{
	return !v || json_is_null(v) ||
	       (json_is_array(v) && !json_array_size(v)) ||
	       (json_is_string(v) && !*json_string_value(v));
}

static void defaults(struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	size_t i;

	for (i = 0; i < o->n_defaults; i++) {
		const struct ferry_mapfile_default *d = &o->defaults[i];

		if (!empty_value(json_object_get(rec->values, d->attribute)))
			continue;
		json_object_set_new(rec->values, d->attribute,
		                    json_string(d->value));
		pl_reason(rec->notes, "", "default", NULL,
		          "%s: the default '%s' (%s.defaults, mapping.yaml:%d)",
		          d->attribute, d->value, o->name, d->line);
	}
}

/* Notes and tasks take each other's shape when open work and closed
 * history go to different places. */
static void task_shape(struct pl_rec *rec)
{
	json_t *v = rec->values, *title, *content, *x;

	if (rec->kind == rec->po->o->kind)
		return;
	if (rec->kind == FERRY_MF_TASKS) {
		title = json_object_get(v, "title");
		content = json_object_get(v, "content");
		if (title && content && json_is_string(title) &&
		    json_is_string(content)) {
			char *s = ferry_xasprintf("%s\n\n%s",
			                          json_string_value(title),
			                          json_string_value(content));

			json_object_set_new(v, "content", json_string(s));
			free(s);
		} else if (title) {
			json_object_set(v, "content", title);
		}
		json_object_del(v, "title");
		if ((x = json_object_get(v, "created_at")))
			json_object_set(v, "deadline_at", x);
		json_object_del(v, "created_at");
		if ((x = json_object_get(v, "parent"))) {
			json_t *a = json_is_array(x) ? json_incref(x)
			                             : json_pack("[O]", x);

			json_object_set_new(v, "linked_records", a);
		}
		json_object_del(v, "parent");
		json_object_set_new(v, "is_completed", json_false());
		if (!json_object_get(v, "assignees"))
			json_object_set_new(v, "assignees", json_array());
	} else if (rec->kind == FERRY_MF_NOTES) {
		if ((x = json_object_get(v, "deadline_at")))
			json_object_set(v, "created_at", x);
		if ((x = json_object_get(v, "linked_records")))
			json_object_set(v, "parent", x);
		json_object_del(v, "deadline_at");
		json_object_del(v, "linked_records");
		json_object_del(v, "is_completed");
		json_object_del(v, "assignees");
	}
}

/* The match attribute's first value, as the destination compares it. */
static void match_value(struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	json_t *v = json_object_get(rec->values, o->match);
	const char *s;
	size_t i;
	bool told = false;

	rec->match_attr = o->match;
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (ferry_buf_puts(&rec->match_value, s) == 0 &&
		    (!strcmp(o->match, "email_addresses") ||
		     !strcmp(o->match, "domains")))
			ferry_str_lower(rec->match_value.ptr);
		return;
	}
	if (v) {
		char *t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);

		if (t && ferry_buf_puts(&rec->match_value, t) < 0)
			ferry_buf_clear(&rec->match_value);
		free(t);
		return;
	}
	/* No value: a field that failed to convert already says why. */
	for (i = 0; i < o->n_fields && !told; i++) {
		const struct ferry_mapfile_field *f = &o->fields[i];
		json_t *r;
		size_t j;

		if (!f->to || strcmp(f->to, o->match))
			continue;
		json_array_foreach(rec->reasons, j, r)
		{
			if (!strcmp(
			        json_string_value(json_object_get(r, "field")),
			        f->name))
				told = true;
		}
	}
	if (told)
		return;
	for (i = 0; i < o->n_fields; i++)
		if (o->fields[i].to && !strcmp(o->fields[i].to, o->match))
			break;
	pl_reason(rec->reasons, i < o->n_fields ? o->fields[i].name : "",
	          "match_missing",
	          "fill it in Salesforce and extract again, or match the "
	          "object on another attribute (match in mapping.yaml)",
	          "no value for '%s', the attribute %s records are matched on "
	          "in Attio%s%s%s",
	          o->match, o->name, i < o->n_fields ? " (" : "",
	          i < o->n_fields ? o->fields[i].name : "",
	          i < o->n_fields ? " is blank)" : "");
}

static int fields(struct plan *pl, struct pl_rec *rec)
{
	const struct pl_object *po = rec->po;
	const struct ferry_mapfile_object *o = po->o;
	size_t i;
	int error;

	for (i = 0; i < o->n_fields; i++) {
		const struct ferry_mapfile_field *f = &o->fields[i];

		if (!f->to || po->compound_of[i] >= 0 ||
		    f->type == FERRY_MF_REFERENCE)
			continue;
		if (f->type == FERRY_MF_OWNER)
			error =
			    pl_owner(pl, rec, f, pl_val(rec, po->field_col[i]));
		else
			error = pl_field_value(pl, rec, i);
		if (error < 0)
			return error;
	}
	for (i = 0; i < po->n_compounds; i++)
		if ((error = pl_compound_value(rec, &po->compounds[i])) < 0)
			return error;
	return pl_references(pl, rec);
}

static void dedup_outcome(struct pl_rec *rec)
{
	if (rec->role == 1) { /* merged */
		rec->decision = FERRY_PLAN_MERGED;
		pl_reason(rec->reasons, "", "merged", NULL, "%s",
		          rec->dedup_reason && *rec->dedup_reason
		              ? rec->dedup_reason
		              : "merged into its duplicate");
	} else if (rec->role == 2) { /* held */
		pl_reason(rec->reasons, "", "dedup_held",
		          "decide the cluster: set dedup.undecided (oldest or "
		          "newest) for the object in mapping.yaml, or correct "
		          "the records in Salesforce so they no longer match",
		          "%s",
		          rec->dedup_reason && *rec->dedup_reason
		              ? rec->dedup_reason
		              : "held with its duplicates for review");
	}
}

int pl_decide(struct plan *pl, struct pl_rec *rec)
{
	const struct ferry_mapfile_object *o = rec->po->o;
	int error;

	rec->kind = o->kind;
	rec->dest = o->kind == FERRY_MF_LIST_ENTRIES ? o->list
	            : o->kind == FERRY_MF_LINKS      ? "links"
	                                             : o->to;
	if (o->n_skip_if || o->n_only_if)
		filter(rec);
	if (!rec->skip && rec->po->fixed[PL_C_PERSON] >= 0)
		person_account(rec);
	if (!rec->skip)
		activity_kind(pl, rec);
	if (rec->skip) {
		rec->decision = FERRY_PLAN_SKIPPED;
		return 0;
	}
	dedup_outcome(rec);
	if (rec->decision == FERRY_PLAN_MERGED)
		return 0;
	if ((error = pl_dest_note(pl, rec)) < 0)
		return error;
	if ((error = fields(pl, rec)) < 0)
		return error;
	record_type(rec);
	defaults(rec);
	task_shape(rec);
	if (o->match && rec->kind == FERRY_MF_RECORDS)
		match_value(rec);
	if (!rec->skip && (error = pl_validate(pl, rec)) < 0)
		return error;
	rec->decision = rec->skip                       ? FERRY_PLAN_SKIPPED
	                : json_array_size(rec->reasons) ? FERRY_PLAN_HELD
	                                                : FERRY_PLAN_WRITE;
	return pl_dest_unique(pl, rec);
}
