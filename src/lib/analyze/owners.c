/* owners.c: who will own the records in Attio. Every OwnerId seen was
 * counted into a TEMP table while streaming; here each distinct owner is
 * resolved: a queue (00G…) has no person, a User is looked up among the
 * staged users for its email and IsActive flag, and the email is matched
 * to an Attio workspace member when the destination answered. Offline,
 * the report says the match was not checked rather than guessing. */
#include "util.h"

#include "analyze_int.h"
#include "store/store.h"

enum verdict {
	OWNER_OK = 0,
	OWNER_QUEUE,
	OWNER_INACTIVE,
	OWNER_NO_USER,
	OWNER_NO_MEMBER,
	OWNER_UNCHECKED,
};

struct owners {
	int64_t owned, problem_records, unchecked_records;
	int64_t by[OWNER_UNCHECKED + 1]; /* owners per verdict */
	struct an_examples problems, unchecked;
};

static enum verdict judge(struct analyze *an, const char *id, char *email,
                          size_t email_len, int *error)
{
	const char *object = an_id_object(an, id);
	bool members = an->online && an->o->dest->members;
	const char *active;
	json_t *user = NULL;
	enum verdict v;
	int rc;

	*error = 0;
	email[0] = '\0';
	if (object && !strcmp(object, "Group"))
		return OWNER_QUEUE;
	if (!an_object_find(an, "User"))
		return members ? OWNER_NO_USER : OWNER_UNCHECKED;
	rc = ferry_stage_get(&user, an->ws, "User", id);
	if (rc == FERRY_ENOTFOUND)
		return OWNER_NO_USER;
	if (rc < 0) {
		*error = rc;
		return OWNER_UNCHECKED;
	}
	snprintf(email, email_len, "%s", an_get(user, "Email"));
	ferry_str_lower(ferry_str_trim(email));
	active = an_get(user, "IsActive");
	if (*active && !an_is_true(active))
		v = OWNER_INACTIVE;
	else if (!members)
		v = OWNER_UNCHECKED;
	else if (*email && an_map_get(&an->members, email))
		v = OWNER_OK;
	else
		v = OWNER_NO_MEMBER;
	json_decref(user);
	return v;
}

static const char *const why[] = {
    [OWNER_OK] = "",
    [OWNER_QUEUE] = "a queue, not a person",
    [OWNER_INACTIVE] = "inactive user",
    [OWNER_NO_USER] = "User not staged: email unknown",
    [OWNER_NO_MEMBER] = "no Attio member with this email",
    [OWNER_UNCHECKED] = "not checked",
};

static void emit(struct analyze *an, struct owners *ow)
{
	struct an_examples ex = {0};
	size_t i;
	int64_t problems = ow->by[OWNER_QUEUE] + ow->by[OWNER_INACTIVE] +
	                   ow->by[OWNER_NO_USER] + ow->by[OWNER_NO_MEMBER];

	for (i = 0; i < ow->problems.n; i++)
		an_examples_add(&ex, "%s", ow->problems.items[i]);
	for (i = 0; i < ow->unchecked.n; i++)
		an_examples_add(&ex, "%s", ow->unchecked.items[i]);
	if (an->online && an->o->dest->members) {
		if (problems)
			an_risk_add(
			    an, "owners_unresolved",
			    an_severity("medium", ow->problem_records,
			                ow->owned),
			    NULL, ow->problem_records, &ex,
			    "Invite these people to Attio, or map each to a "
			    "member under owners.table in mapping.yaml; deals "
			    "need an owner, so queue-owned records need one "
			    "too.",
			    "Owners with no Attio member: %s, owning %s "
			    "records "
			    "(%s queues, %s inactive, %s unknown users, %s "
			    "without a member)",
			    an_num(problems).s, an_num(ow->problem_records).s,
			    an_num(ow->by[OWNER_QUEUE]).s,
			    an_num(ow->by[OWNER_INACTIVE]).s,
			    an_num(ow->by[OWNER_NO_USER]).s,
			    an_num(ow->by[OWNER_NO_MEMBER]).s);
	} else if (ow->owned) {
		char extra[160] = "";

		if (ow->problem_records)
			snprintf(extra, sizeof(extra),
			         "; %s records belong to queues, inactive or "
			         "unknown users",
			         an_num(ow->problem_records).s);
		an_risk_add(
		    an, "owners_unresolved",
		    ow->problem_records
		        ? an_severity("medium", ow->problem_records, ow->owned)
		        : "low",
		    NULL, ow->problem_records + ow->unchecked_records, &ex,
		    "Run `ferry analyze` with the destination reachable to "
		    "match owners to Attio members by email; map queues and "
		    "inactive users to a member under owners.table in "
		    "mapping.yaml.",
		    "Owners not checked against Attio's workspace members "
		    "(%s): %s owners of %s records%s",
		    an->online ? "not read from the destination"
		               : "destination offline",
		    an_num(problems + ow->by[OWNER_UNCHECKED]).s,
		    an_num(ow->owned).s, extra);
	}
	an_examples_free(&ex);
}

int an_check_owners(struct analyze *an)
{
	static const char sql[] =
	    "SELECT owner_id, sum(n), group_concat(object, ', ') FROM "
	    "temp.analyze_owners GROUP BY owner_id ORDER BY sum(n) DESC, "
	    "owner_id";
	struct owners ow = {0};
	sqlite3_stmt *st = NULL;
	char email[256];
	enum verdict v;
	int error, rc;

	if ((error = ferry_store__prepare(&st, an->ws, sql)) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		const char *objects = (const char *)sqlite3_column_text(st, 2);

		if (!id)
			continue;
		v = judge(an, id, email, sizeof(email), &error);
		if (error < 0)
			goto done;
		ow.owned += n;
		ow.by[v]++;
		if (v == OWNER_OK)
			continue;
		if (v == OWNER_UNCHECKED) {
			ow.unchecked_records += n;
			an_examples_add(&ow.unchecked,
			                "%s: %s (%s records on %s)", id,
			                *email ? email : "email unknown",
			                an_num(n).s, objects ? objects : "");
			continue;
		}
		ow.problem_records += n;
		an_examples_add(&ow.problems, "%s: %s (%s records on %s; %s)",
		                id, *email ? email : "-", an_num(n).s,
		                objects ? objects : "", why[v]);
	}
	if (rc != SQLITE_DONE) {
		error = ferry_store__error(an->ws, "cannot count owners");
		goto done;
	}
	emit(an, &ow);
done:
	sqlite3_finalize(st);
	an_examples_free(&ow.problems);
	an_examples_free(&ow.unchecked);
	return error;
}
