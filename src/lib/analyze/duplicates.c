/* duplicates.c: records that would become one Attio record. People are
 * matched on the trimmed, lower-cased email and companies on the
 * registrable domain of their website, so records sharing one are merged
 * at load time; the keys were kept in a TEMP table while streaming and are
 * grouped here by SQLite, never held in memory. */
#include "util.h"

#include "analyze_int.h"
#include "store/store.h"

struct dupes {
	int64_t records, keys;
	struct an_examples ex;
};

/* Runs `sql` with the parameters `p1`, `p2`: rows of (key, records,
 * first source id); `across`: leads matching contacts, one per row. */
static int group(struct analyze *an, const char *sql, const char *p1,
                 const char *p2, bool across, struct dupes *d)
{
	sqlite3_stmt *st = NULL;
	int error, rc;

	if ((error = ferry_store__prepare(&st, an->ws, sql)) < 0)
		return error;
	ferry_store__bind_text(st, 1, p1);
	ferry_store__bind_text(st, 2, p2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);

		d->records += n;
		d->keys++;
		if (across)
			an_examples_add(&d->ex, "%s: %s (a contact has it too)",
			                id ? id : "", key ? key : "");
		else
			an_examples_add(&d->ex, "%s: %s (%s records)",
			                id ? id : "", key ? key : "",
			                an_num(n).s);
	}
	if (rc != SQLITE_DONE)
		error = ferry_store__error(an->ws, "cannot group match keys");
	sqlite3_finalize(st);
	return error;
}

static const char within_sql[] =
    "SELECT key, count(*), min(source_id) FROM temp.analyze_keys "
    "WHERE kind = ? AND object = ? GROUP BY key HAVING count(*) > 1 "
    "ORDER BY count(*) DESC, key";

static int emails_within(struct analyze *an, const char *object)
{
	struct an_object *obj = an_object_find(an, object);
	struct an_text noun = an_noun_cap(object);
	struct dupes d = {0};
	int error;

	if (!obj)
		return 0;
	if ((error = group(an, within_sql, "email", object, false, &d)) < 0)
		goto done;
	if (d.records)
		an_risk_add(
		    an, "duplicate_emails",
		    an_severity("medium", d.records, obj->count), object,
		    d.records, &d.ex,
		    "Attio keeps one person per email address, so these "
		    "are merged into one (today the first record wins; "
		    "merge rules come with mapping.yaml): merge them in "
		    "Salesforce first if they are the same person, or "
		    "give each their own address if they are not.",
		    "%s sharing an email address: %s (%s addresses)", noun.s,
		    an_num(d.records).s, an_num(d.keys).s);
done:
	an_examples_free(&d.ex);
	return error;
}

/* Leads whose email a contact already has. */
static int emails_across(struct analyze *an)
{
	static const char sql[] =
	    "SELECT l.key, 1, l.source_id FROM temp.analyze_keys l WHERE "
	    "l.kind = 'email' AND l.object = ? AND EXISTS (SELECT 1 FROM "
	    "temp.analyze_keys c WHERE c.kind = 'email' AND c.object = ? AND "
	    "c.key = l.key) ORDER BY l.key, l.source_id";
	struct an_object *leads = an_object_find(an, "Lead");
	struct dupes d = {0};
	int error;

	if (!leads || !an_object_find(an, "Contact"))
		return 0;
	if ((error = group(an, sql, "Lead", "Contact", true, &d)) < 0)
		goto done;
	if (d.records)
		an_risk_add(
		    an, "duplicate_emails",
		    an_severity("medium", d.records, leads->count), NULL,
		    d.records, &d.ex,
		    "Contacts and leads both become Attio people, matched "
		    "on email: each of these leads is merged into the "
		    "contact with its address. Convert or delete the "
		    "leads in Salesforce if they are the same person.",
		    "Leads with the email address of a contact: %s",
		    an_num(d.records).s);
done:
	an_examples_free(&d.ex);
	return error;
}

static int domains(struct analyze *an)
{
	struct an_object *obj = an_object_find(an, "Account");
	struct dupes d = {0};
	int error;

	if (!obj)
		return 0;
	if ((error = group(an, within_sql, "domain", "Account", false, &d)) < 0)
		goto done;
	if (d.records)
		an_risk_add(
		    an, "duplicate_domains",
		    an_severity("medium", d.records, obj->count), "Account",
		    d.records, &d.ex,
		    "Attio keeps one company per domain, so accounts "
		    "sharing one are merged: merge them in Salesforce "
		    "first, or give subsidiaries their own website.",
		    "Accounts sharing a website domain: %s (%s domains)",
		    an_num(d.records).s, an_num(d.keys).s);
done:
	an_examples_free(&d.ex);
	return error;
}

int an_check_duplicates(struct analyze *an)
{
	int error;

	if ((error = ferry_store__exec(
	         an->ws, "CREATE INDEX temp.analyze_keys_key ON "
	                 "analyze_keys(kind, object, key)")) < 0 ||
	    (error = domains(an)) < 0 ||
	    (error = emails_within(an, "Contact")) < 0 ||
	    (error = emails_within(an, "Lead")) < 0 ||
	    (error = emails_across(an)) < 0)
		return ferry_error_wrap(error, "looking for duplicates");
	return 0;
}
