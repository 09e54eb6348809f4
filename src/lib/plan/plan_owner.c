/* plan_owner.c: owners. A record's owner (a User or queue id) becomes an
 * Attio workspace member: owners.table by id first, then (match: email)
 * the staged User's email, through owners.table by email or to the member
 * with that email, then owners.default for the objects it is given for.
 * An owner none of these resolves holds the record: it is never written
 * unowned. Owners are few, so each one is resolved once per run and kept
 * (by id, not by record: memory follows the users, not the org). */
#include "util.h"

#include <stdarg.h>

#include "ferry/salesforce.h"
#include "plan_int.h"
#include "store/store.h"

/* The staged User `id`: its email and whether it is active. */
static int user_of(struct plan *pl, const char *id, char *email, size_t len,
                   bool *active, bool *found)
{
	sqlite3_stmt *st = pl->user;
	int rc, error = 0;
	size_t i;

	*found = false;
	*active = true;
	email[0] = '\0';
	ferry_store__bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);

		*found = true;
		if (an_flat_parse(&pl->uflat, text,
		                  (size_t)sqlite3_column_bytes(st, 0)) == 0) {
			for (i = 0; i < pl->uflat.n; i++) {
				const struct an_pair *p = &pl->uflat.pairs[i];
				bool b;

				if (!strcmp(p->key, "Email"))
					snprintf(email, len, "%s", p->val);
				else if (!strcmp(p->key, "IsActive") &&
				         ferry_parse_bool(p->val, &b) == 0)
					*active = b;
			}
		}
	} else if (rc != SQLITE_DONE) {
		error = ferry_store__error(pl->ws, "cannot read a staged User");
	}
	sqlite3_reset(st);
	ferry_str_trim(email);
	return error;
}

static json_t *unresolved(const char *code, const char *fmt, ...)
    FERRY_PRINTF(2, 3);
static json_t *unresolved(const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s, s:s}", "code", code, "message", msg);
}

/* Resolves `id` without owners.default (which depends on the object). */
static int resolve(struct plan *pl, const char *id, json_t **out)
{
	const struct ferry_mapfile *m = pl->m;
	const char *member;
	char email[320], lower[320];
	bool active, found;
	int error;

	*out = NULL;
	if ((member = ferry_mapfile_owner(m, id))) {
		*out = json_pack("{s:s}", "member", member);
		return 0;
	}
	if (!strncmp(id, "00G", 3)) {
		*out = unresolved("owner_queue",
		                  "owner %s is a queue, not a person", id);
		return 0;
	}
	if (!m->owners.by_email) {
		*out = unresolved("owner_not_in_table",
		                  "owner %s is not in owners.table (owners "
		                  "match: table)",
		                  id);
		return 0;
	}
	if (!pl->users_staged) {
		*out = unresolved("owner_no_user",
		                  "owner %s: User is not staged, so its email "
		                  "is unknown (extract User)",
		                  id);
		return 0;
	}
	if ((error = user_of(pl, id, email, sizeof(email), &active, &found)) <
	    0)
		return error;
	if (!found) {
		*out = unresolved("owner_no_user",
		                  "owner %s is not a staged User, so its email "
		                  "is unknown",
		                  id);
		return 0;
	}
	if (*email && (member = ferry_mapfile_owner(m, email))) {
		*out = json_pack("{s:s}", "member", member);
		return 0;
	}
	if (!*email) {
		*out =
		    unresolved("owner_no_email", "owner %s has no email", id);
		return 0;
	}
	snprintf(lower, sizeof(lower), "%s", email);
	ferry_str_lower(lower);
	if (pl->online && json_object_get(pl->members, lower)) {
		*out = json_pack("{s:s, s:b}", "member", email, "checked", 1);
		return 0;
	}
	if (!active) {
		*out = unresolved(
		    "owner_inactive",
		    pl->online ? "owner %s (%s) is inactive in Salesforce "
		                 "and no Attio member has that email"
		               : "owner %s (%s) is inactive in Salesforce "
		                 "(Attio's members were not checked: "
		                 "offline)",
		    id, email);
		return 0;
	}
	if (pl->online) {
		*out = unresolved("owner_no_member",
		                  "no Attio workspace member has the email of "
		                  "owner %s (%s)",
		                  id, email);
		return 0;
	}
	/* Offline: the user's email, unchecked (the summary says so). */
	*out = json_pack("{s:s, s:b}", "member", email, "unchecked", 1);
	return 0;
}

/* Online, a member mapping.yaml names must be one of the workspace's
 * (one found by the user's email already is). */
static bool member_ok(const struct plan *pl, const json_t *got,
                      const char *member)
{
	char lower[320];

	if (!pl->online || json_is_true(json_object_get(got, "checked")))
		return true;
	snprintf(lower, sizeof(lower), "%s", member);
	ferry_str_lower(ferry_str_trim(lower));
	return json_object_get(pl->members, lower) != NULL;
}

int pl_owner(struct plan *pl, struct pl_rec *rec,
             const struct ferry_mapfile_field *f, const char *raw)
{
	json_t *got;
	const char *member;
	char id[64], rel[256];
	int error;

	if (!*raw)
		return 0;
	if (strlen(raw) != 15 || ferry_sf_id18(id, raw) < 0) {
		id[0] = '\0';
		ferry_str_append_clean(id, sizeof(id), raw, strlen(raw));
	}
	ferry_str_trim(id);
	if (!(got = json_object_get(pl->owners, id))) {
		if (json_object_size(pl->owners) >= PL_OWNER_CACHE_MAX)
			json_object_clear(pl->owners);
		if ((error = resolve(pl, id, &got)) < 0)
			return error;
		if (!got) /* an email or id that is not text */
			got = json_pack("{s:s, s:s}", "code", "owner_no_email",
			                "message",
			                "the owner's id or email is not valid "
			                "text");
		json_object_set_new(pl->owners, id, got);
	}
	member = json_string_value(json_object_get(got, "member"));
	if (!member)
		member = ferry_mapfile_owner_default(pl->m, rec->po->name);
	if (member && !member_ok(pl, got, member)) {
		pl_reason(
		    rec->reasons, f->name, "owner_not_member",
		    "correct owners in mapping.yaml, or invite that "
		    "person to the Attio workspace",
		    "owner %s goes to %s (owners in mapping.yaml), and no "
		    "Attio workspace member has that email",
		    id, member);
		return 0;
	}
	if (member) {
		pl_add_value(rec->values, f->to, json_string(member));
		if (json_is_true(json_object_get(got, "unchecked")))
			pl->stats->owners_unchecked++;
		return 0;
	}
	snprintf(rel, sizeof(rel), "add %s to owners.table in mapping.yaml",
	         id);
	pl_reason(rec->reasons, f->name,
	          json_string_value(json_object_get(got, "code")), rel, "%s",
	          json_string_value(json_object_get(got, "message")));
	return 0;
}
