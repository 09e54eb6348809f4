/* mapping.c: the built-in mapping of the first slice. Account -> companies
 * on the registrable domain of Website, Contact -> people on email with a
 * link to the company its Account became. Each rule decides per record:
 * write these values, or skip with a reason a person can act on. */
#include "util.h"
#include "ferry/mapping.h"
#include "ferry/normalize.h"

void ferry_mapped_release(struct ferry_mapped *m)
{
	json_decref(m->values);
	m->values = NULL;
}

static const char *field(json_t *fields, const char *name)
{
	const char *s = json_string_value(json_object_get(fields, name));

	return s ? s : "";
}

/* Copies a source text field into `values` when it holds something. */
static void put_text(json_t *values, const char *attr, json_t *fields,
                     const char *name)
{
	char *v = ferry_xstrdup(field(fields, name));

	if (*ferry_str_trim(v))
		json_object_set_new(values, attr, json_string(v));
	free(v);
}

static int map_account(struct ferry_mapped *out,
                       const struct ferry_map_rule *rule,
                       struct ferry_workspace *ws, const char *source_id,
                       json_t *fields)
{
	struct ferry_buf domain = FERRY_BUF_INIT;
	const char *website = field(fields, "Website");
	int error = 0;

	FERRY_UNUSED(rule);
	FERRY_UNUSED(ws);
	FERRY_UNUSED(source_id);
	memset(out, 0, sizeof(*out));
	if (ferry_normalize_domain(&domain, website) < 0) {
		out->decision = FERRY_MAP_SKIP;
		snprintf(out->reason, sizeof(out->reason),
		         "no usable website domain (%s): companies are "
		         "matched on their domain; add a Website in "
		         "Salesforce and extract again",
		         *website ? ferry_error_last() : "Website is blank");
		goto done;
	}
	if (ferry_is_personal_domain(domain.ptr)) {
		out->decision = FERRY_MAP_SKIP;
		snprintf(out->reason, sizeof(out->reason),
		         "website '%s' is a personal-email domain, which "
		         "never identifies a company: set the company's own "
		         "website",
		         domain.ptr);
		goto done;
	}
	out->decision = FERRY_MAP_WRITE;
	snprintf(out->key, sizeof(out->key), "%s", domain.ptr);
	out->values = json_object();
	put_text(out->values, "name", fields, "Name");
	json_object_set_new(out->values, "domains",
	                    json_pack("[s]", domain.ptr));
	put_text(out->values, "description", fields, "Description");
done:
	ferry_buf_release(&domain);
	return error;
}

/* Attio's personal-name needs all three parts. */
static json_t *person_name(json_t *fields)
{
	char *first = ferry_xstrdup(field(fields, "FirstName"));
	char *last = ferry_xstrdup(field(fields, "LastName"));
	char *full;
	json_t *name;

	ferry_str_trim(first);
	ferry_str_trim(last);
	full =
	    ferry_xasprintf("%s%s%s", first, *first && *last ? " " : "", last);
	name = json_pack("[{s:s, s:s, s:s}]", "first_name", first, "last_name",
	                 last, "full_name", full);
	free(first);
	free(last);
	free(full);
	return name;
}

/* The company link: the destination record the contact's Account became
 * (directly, or through the account it was merged into). */
static void link_company(struct ferry_mapped *out, struct ferry_workspace *ws,
                         json_t *fields)
{
	const char *account = field(fields, "AccountId");
	struct ferry_ledger_row row;

	if (!*account)
		return;
	if (ferry_ledger_get(&row, ws, "Account", account) < 0) {
		snprintf(out->reason, sizeof(out->reason),
		         "written without a company: Account '%s' is not in "
		         "the export",
		         account);
		return;
	}
	if ((row.status == FERRY_LEDGER_WRITTEN ||
	     row.status == FERRY_LEDGER_MERGED) &&
	    row.dest_id[0]) {
		json_object_set_new(out->values, "company",
		                    json_pack("[{s:s, s:s}]", "target_object",
		                              "companies", "target_record_id",
		                              row.dest_id));
		return;
	}
	snprintf(out->reason, sizeof(out->reason),
	         "written without a company: Account '%s' was not written "
	         "(%s)",
	         account, row.reason[0] ? row.reason : "see its ledger row");
}

static int map_contact(struct ferry_mapped *out,
                       const struct ferry_map_rule *rule,
                       struct ferry_workspace *ws, const char *source_id,
                       json_t *fields)
{
	struct ferry_buf display = FERRY_BUF_INIT, match = FERRY_BUF_INIT;
	const char *email = field(fields, "Email");
	int error = 0;

	FERRY_UNUSED(rule);
	FERRY_UNUSED(source_id);
	memset(out, 0, sizeof(*out));
	if (ferry_normalize_email(&display, &match, email) < 0) {
		out->decision = FERRY_MAP_SKIP;
		snprintf(out->reason, sizeof(out->reason),
		         "no usable email (%s): people are matched on their "
		         "email; add one in Salesforce and extract again",
		         *email ? ferry_error_last() : "Email is blank");
		goto done;
	}
	out->decision = FERRY_MAP_WRITE;
	snprintf(out->key, sizeof(out->key), "%s", match.ptr);
	out->values = json_object();
	json_object_set_new(out->values, "name", person_name(fields));
	json_object_set_new(out->values, "email_addresses",
	                    json_pack("[s]", display.ptr));
	put_text(out->values, "job_title", fields, "Title");
	link_company(out, ws, fields);
done:
	ferry_buf_release(&display);
	ferry_buf_release(&match);
	return error;
}

static const struct ferry_map_rule builtin[] = {
    {"Account", "companies", "domains", "domain", map_account},
    {"Contact", "people", "email_addresses", "email", map_contact},
};

const struct ferry_map_rule *ferry_mapping_builtin(size_t *n_out)
{
	*n_out = FERRY_ARRAY_LEN(builtin);
	return builtin;
}

const struct ferry_map_rule *ferry_mapping_find(const char *source_object)
{
	size_t i;

	for (i = 0; i < FERRY_ARRAY_LEN(builtin); i++)
		if (!strcmp(builtin[i].source_object, source_object))
			return &builtin[i];
	return NULL;
}
