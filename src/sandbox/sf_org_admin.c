/* sf_org_admin.c: User and RecordType, the objects that describe who and
 * what rather than customers. Every fourth user is inactive yet still
 * owns records, as in any org that has had staff leave. RecordType records are
 * the org's non-Master record types. */
#include "util.h"

#include "sf_org_int.h"

/* --- User --- */

enum {
	U_USERNAME = SFO_N_AUDIT_NODEL,
	U_LAST,
	U_FIRST,
	U_NAME,
	U_COMPANY,
	U_DEPARTMENT,
	U_TITLE,
	U_EMAIL,
	U_PHONE,
	U_ALIAS,
	U_ACTIVE,
	U_TIMEZONE,
	U_LOCALE,
	U_LANGUAGE,
	U_ENCODING,
	U_TYPE,
	U_MANAGER,
	U_LASTLOGIN,
	U_FEDERATION,
	U_N
};

static const char *const pl_timezone[] = {"America/Los_Angeles",
                                          "America/New_York",
                                          "Europe/London",
                                          "Europe/Paris",
                                          "Europe/Berlin",
                                          "Asia/Tokyo",
                                          NULL};
static const char *const pl_locale[] = {"en_US", "en_GB", "fr_FR",
                                        "de_DE", "ja_JP", NULL};
static const char *const pl_language[] = {"en_US", "fr", "de", "ja", NULL};
static const char *const pl_encoding[] = {"UTF-8", "ISO-8859-1", NULL};
static const char *const pl_usertype[] = {"Standard", "PowerPartner", "CsnOnly",
                                          "Guest", NULL};

static const struct sf_field user_fields[U_N] = {
    SFO_AUDIT_NODEL("User ID"),
    [U_USERNAME] =
        SFO_FLD("Username", "Username", SF_STRING, 80, SFO_CU, .unique = true),
    [U_LAST] = SFO_FLD("LastName", "Last Name", SF_STRING, 80, SFO_CU,
                       .compound = "Name"),
    [U_FIRST] = SFO_FLD("FirstName", "First Name", SF_STRING, 40, SFO_NCU,
                        .compound = "Name"),
    [U_NAME] = SFO_FLD("Name", "Full Name", SF_STRING, 121, SFO_RO,
                       .name_field = true),
    [U_COMPANY] =
        SFO_FLD("CompanyName", "Company Name", SF_STRING, 80, SFO_NCU),
    [U_DEPARTMENT] =
        SFO_FLD("Department", "Department", SF_STRING, 80, SFO_NCU),
    [U_TITLE] = SFO_FLD("Title", "Title", SF_STRING, 80, SFO_NCU),
    [U_EMAIL] = SFO_FLD("Email", "Email", SF_EMAIL, 128, SFO_CU),
    [U_PHONE] = SFO_FLD("Phone", "Phone", SF_PHONE, 40, SFO_NCU),
    [U_ALIAS] = SFO_FLD("Alias", "Alias", SF_STRING, 8, SFO_CU),
    [U_ACTIVE] = SFO_FLD("IsActive", "Active", SF_BOOLEAN, 0, SFO_CU),
    [U_TIMEZONE] =
        SFO_FLD("TimeZoneSidKey", "Time Zone", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_timezone),
    [U_LOCALE] = SFO_FLD("LocaleSidKey", "Locale", SF_PICKLIST, 40, SFO_CU,
                         .restricted_picklist = true, .picklist = pl_locale),
    [U_LANGUAGE] =
        SFO_FLD("LanguageLocaleKey", "Language", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_language),
    [U_ENCODING] =
        SFO_FLD("EmailEncodingKey", "Email Encoding", SF_PICKLIST, 40, SFO_CU,
                .restricted_picklist = true, .picklist = pl_encoding),
    [U_TYPE] = SFO_FLD("UserType", "User Type", SF_PICKLIST, 40, SFO_N,
                       .restricted_picklist = true, .picklist = pl_usertype),
    [U_MANAGER] = SFO_FLD("ManagerId", "Manager ID", SF_REFERENCE, 18, SFO_NCU,
                          .refs = sfo_refs_user, .relationship = "Manager",
                          .child_relationship = "ManagedUsers"),
    [U_LASTLOGIN] =
        SFO_FLD("LastLoginDate", "Last Login", SF_DATETIME, 0, SFO_N),
    [U_FEDERATION] = SFO_FLD("FederationIdentifier", "SAML Federation ID",
                             SF_STRING, 512, SFO_NCU, .external_id = true),
};

static struct sfo_person user_person(const struct sf_org *org, int64_t u)
{
	struct sfo_person p;

	if (u == 0) {
		p.first = "Admin";
		p.last = "User";
		p.cjk = false;
		return p;
	}
	return sfo_person_of(sfo_rk(sfo_rec_hash(org, SFO_USER, u), 20));
}

void sfo_w_user_name(struct sfo_gen *g, int64_t u)
{
	sfo_w_person_name(g, user_person(g->org, u));
}

static void gen_user(struct sfo_gen *g)
{
	struct sfo_person p = user_person(g->org, g->i);
	const char *email;
	char *s;

	s = sfo_begin(g);
	sfo_w_local_part(g, p, g->i);
	sfo_wu(g, (uint64_t)g->i);
	sfo_w(g, "@ferry-sandbox.example.com");
	email = sfo_since(g, s);
	sfo_put(g, U_EMAIL, email);
	s = sfo_begin(g);
	sfo_w(g, email);
	sfo_w(g, ".prod");
	sfo_end(g, U_USERNAME, s);
	sfo_put(g, U_LAST, p.last);
	sfo_put(g, U_FIRST, p.first);
	s = sfo_begin(g);
	sfo_w_user_name(g, g->i);
	sfo_end(g, U_NAME, s);
	sfo_put(g, U_COMPANY, "Ferry Sandbox Org");
	sfo_put(g, U_DEPARTMENT, sfo_word(&sfo_departments, sfo_r(g, 21)));
	if (sfo_pct(g, 22) < 70)
		sfo_put(g, U_TITLE, sfo_word(&sfo_titles, sfo_r(g, 23)));
	if (sfo_pct(g, 24) < 60) {
		s = sfo_begin(g);
		sfo_wphone(g, sfo_r(g, 25));
		sfo_end(g, U_PHONE, s);
	}
	s = sfo_begin(g);
	sfo_w(g, "u");
	sfo_wu(g, (uint64_t)g->i);
	sfo_end(g, U_ALIAS, s);
	sfo_set_bool(g, U_ACTIVE, !(g->i % 4 == 3));
	sfo_put(g, U_TIMEZONE, sfo_pl_pick(pl_timezone, sfo_r(g, 26)));
	sfo_put(g, U_LOCALE, sfo_pl_pick(pl_locale, sfo_r(g, 27)));
	sfo_put(g, U_LANGUAGE, sfo_pl_pick(pl_language, sfo_r(g, 28)));
	sfo_put(g, U_ENCODING, "UTF-8");
	sfo_put(g, U_TYPE, "Standard");
	if (g->i > 0)
		sfo_set_id(g, U_MANAGER, SFO_USER, g->i < 4 ? 0 : g->i % 4);
	sfo_set_datetime(g, U_LASTLOGIN,
	                 g->i % 4 == 3 ? sfo_days_ago(200 + sfo_r(g, 29) % 400)
	                               : sfo_recent(sfo_r(g, 29)));
}

const struct sfo_objdef sfo_def_user = {
    .obj = SFO_USER,
    .name = "User",
    .label = "User",
    .label_plural = "Users",
    .key_prefix = "005",
    .master_rt = true,
    .fields = user_fields,
    .n_fields = U_N,
    .gen = gen_user,
};

/* --- RecordType --- */

enum {
	Y_NAME = SFO_N_AUDIT_NODEL,
	Y_DEVNAME,
	Y_NAMESPACE,
	Y_DESCRIPTION,
	Y_SOBJECT,
	Y_ACTIVE,
	Y_N
};

static const struct sf_field recordtype_fields[Y_N] = {
    SFO_AUDIT_NODEL("Record Type ID"),
    [Y_NAME] = SFO_FLD("Name", "Record Type Label", SF_STRING, 80, SFO_CU,
                       .name_field = true),
    [Y_DEVNAME] =
        SFO_FLD("DeveloperName", "Record Type Name", SF_STRING, 80, SFO_CU),
    [Y_NAMESPACE] =
        SFO_FLD("NamespacePrefix", "Namespace Prefix", SF_STRING, 15, SFO_N),
    [Y_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_STRING, 255, SFO_NCU),
    [Y_SOBJECT] = SFO_FLD("SobjectType", "SObject Type Name", SF_PICKLIST, 40,
                          .createable = true, .restricted_picklist = true),
    [Y_ACTIVE] = SFO_FLD("IsActive", "Active", SF_BOOLEAN, 0, SFO_CU),
};

static void gen_recordtype(struct sfo_gen *g)
{
	const struct sfo_rtdef *rt = g->org->rt[g->i];

	sfo_put(g, Y_NAME, rt->name);
	sfo_put(g, Y_DEVNAME, rt->developer_name);
	sfo_put(g, Y_DESCRIPTION, rt->description);
	sfo_put(g, Y_SOBJECT, g->org->objects[rt->obj].name);
	sfo_set_bool(g, Y_ACTIVE, true);
}

const struct sfo_objdef sfo_def_recordtype = {
    .obj = SFO_RECORDTYPE,
    .name = "RecordType",
    .label = "Record Type",
    .label_plural = "Record Types",
    .key_prefix = "012",
    .fields = recordtype_fields,
    .n_fields = Y_N,
    .gen = gen_recordtype,
};
