/* attio_seed.c: the standard objects of reference §4 and their system
 * attributes. Companies and people always exist; deals, users and
 * workspaces only when enabled (Attio ships them disabled until an admin
 * turns them on), and the attributes linking two standard objects appear
 * once both exist. Seeding only adds what a store lacks, so enabling an
 * object on a later start adds it to an existing workspace. */
#include "util.h"

#include "attio_sandbox.h"

struct seed_object {
	const char *slug, *singular, *plural;
	bool optional;
};

static const struct seed_object seed_objects[] = {
    {"companies", "Company", "Companies", false},
    {"people", "Person", "People", false},
    {"deals", "Deal", "Deals", true},
    {"users", "User", "Users", true},
    {"workspaces", "Workspace", "Workspaces", true},
};

/* target: the object a record-reference points at; rel: the attribute
 * on it that is the other side of a two-way relationship. */
struct seed_attr {
	const char *object, *slug, *title, *type;
	bool unique, multi, required;
	const char *target, *rel;
	const char *currency;
};

#define TEXT(o, s, t)                                                          \
	{                                                                      \
		o, s, t, "text", false, false, false, NULL, NULL, NULL         \
	}
#define REF(o, s, t, multi, target, rel)                                       \
	{                                                                      \
		o, s, t, "record-reference", false, multi, false, target, rel, \
		    NULL                                                       \
	}

static const struct seed_attr seed_attrs[] = {
    {"companies", "domains", "Domains", "domain", true, true, false, NULL, NULL,
     NULL},
    TEXT("companies", "name", "Name"),
    TEXT("companies", "description", "Description"),
    REF("companies", "team", "Team", true, "people", "company"),
    {"companies", "categories", "Categories", "select", false, true, false,
     NULL, NULL, NULL},
    {"companies", "primary_location", "Primary location", "location", false,
     false, false, NULL, NULL, NULL},
    TEXT("companies", "angellist", "AngelList"),
    TEXT("companies", "facebook", "Facebook"),
    TEXT("companies", "instagram", "Instagram"),
    TEXT("companies", "linkedin", "LinkedIn"),
    TEXT("companies", "twitter", "Twitter"),
    REF("companies", "associated_deals", "Associated deals", true, "deals",
        "associated_company"),
    REF("companies", "associated_workspaces", "Associated workspaces", true,
        "workspaces", "company"),
    {"people", "email_addresses", "Email addresses", "email-address", true,
     true, false, NULL, NULL, NULL},
    {"people", "name", "Name", "personal-name", false, false, false, NULL, NULL,
     NULL},
    REF("people", "company", "Company", false, "companies", "team"),
    TEXT("people", "description", "Description"),
    TEXT("people", "job_title", "Job title"),
    {"people", "phone_numbers", "Phone numbers", "phone-number", false, true,
     false, NULL, NULL, NULL},
    {"people", "primary_location", "Primary location", "location", false, false,
     false, NULL, NULL, NULL},
    TEXT("people", "angellist", "AngelList"),
    TEXT("people", "facebook", "Facebook"),
    TEXT("people", "instagram", "Instagram"),
    TEXT("people", "linkedin", "LinkedIn"),
    TEXT("people", "twitter", "Twitter"),
    REF("people", "associated_deals", "Associated deals", true, "deals",
        "associated_people"),
    REF("people", "associated_users", "Associated users", true, "users",
        "person"),
    {"deals", "name", "Deal name", "text", false, false, true, NULL, NULL,
     NULL},
    {"deals", "stage", "Deal stage", "status", false, false, true, NULL, NULL,
     NULL},
    {"deals", "owner", "Deal owner", "actor-reference", false, false, true,
     NULL, NULL, NULL},
    {"deals", "value", "Deal value", "currency", false, false, false, NULL,
     NULL, "USD"},
    REF("deals", "associated_people", "Associated people", true, "people",
        "associated_deals"),
    REF("deals", "associated_company", "Associated company", false, "companies",
        "associated_deals"),
    {"users", "primary_email_address", "Primary email address", "email-address",
     true, false, true, NULL, NULL, NULL},
    {"users", "user_id", "ID", "text", true, false, true, NULL, NULL, NULL},
    REF("users", "person", "Person", false, "people", "associated_users"),
    REF("users", "workspace", "Workspace", false, "workspaces", "users"),
    {"workspaces", "workspace_id", "Workspace ID", "text", true, false, true,
     NULL, NULL, NULL},
    TEXT("workspaces", "name", "Name"),
    REF("workspaces", "users", "Users", true, "users", "workspace"),
    REF("workspaces", "company", "Company", false, "companies",
        "associated_workspaces"),
    TEXT("workspaces", "avatar_url", "Avatar URL"),
};

/* The default deal stages (reference §4). */
static const char *const deal_stages[] = {"Lead", "In Progress",
                                          "Won \xf0\x9f\x8e\x89", "Lost"};

/* Is `slug` one of the comma-separated names in `list`? */
static bool listed(const char *list, const char *slug)
{
	size_t n = strlen(slug);

	while (list && *list) {
		size_t len = strcspn(list, ",");

		if (len == n && !strncmp(list, slug, n))
			return true;
		list += len;
		if (*list == ',')
			list++;
	}
	return false;
}

bool attio_seed_valid(const char *list)
{
	if (!strcmp(list, "none"))
		return true;
	while (*list) {
		size_t len = strcspn(list, ","), i;
		bool known = false;

		for (i = 0; i < FERRY_ARRAY_LEN(seed_objects); i++)
			if (seed_objects[i].optional &&
			    strlen(seed_objects[i].slug) == len &&
			    !strncmp(seed_objects[i].slug, list, len))
				known = true;
		if (!known)
			return false;
		list += len;
		if (*list == ',')
			list++;
	}
	return true;
}

static int seed_stages(struct attio_sb *sb, struct attio_attr *a)
{
	size_t i;
	int rc;

	for (i = 0; i < FERRY_ARRAY_LEN(deal_stages); i++) {
		struct attio_option op;

		memset(&op, 0, sizeof(op));
		attio_uuid(op.id);
		snprintf(op.title, sizeof(op.title), "%s", deal_stages[i]);
		op.celebration_enabled = i == 2;
		if ((rc = attio_catalog_add_option(sb, a, &op)) < 0)
			return rc;
	}
	return 0;
}

static int seed_attr(struct attio_sb *sb, const struct seed_attr *s)
{
	struct attio_object *o = attio_object_find(sb, s->object);
	struct attio_attr a, *made;
	int rc;

	if (!o || attio_attr_find(o, s->slug) ||
	    (s->target && !attio_object_find(sb, s->target)))
		return 0;
	memset(&a, 0, sizeof(a));
	snprintf(a.slug, sizeof(a.slug), "%s", s->slug);
	snprintf(a.title, sizeof(a.title), "%s", s->title);
	snprintf(a.type, sizeof(a.type), "%s", s->type);
	a.is_unique = s->unique;
	a.is_multiselect = s->multi;
	a.is_required = s->required;
	a.is_system = true;
	if (s->target) {
		snprintf(a.target_object, sizeof(a.target_object), "%s",
		         s->target);
		snprintf(a.rel_object, sizeof(a.rel_object), "%s", s->target);
		snprintf(a.rel_slug, sizeof(a.rel_slug), "%s", s->rel);
	}
	if (s->currency) {
		snprintf(a.currency_code, sizeof(a.currency_code), "%s",
		         s->currency);
		snprintf(a.display_type, sizeof(a.display_type), "symbol");
	}
	if ((rc = attio_catalog_add_attr(sb, o, &a, &made)) < 0)
		return rc;
	if (!strcmp(s->object, "deals") && !strcmp(s->slug, "stage"))
		return seed_stages(sb, made);
	return 0;
}

int attio_seed(struct attio_sb *sb)
{
	size_t i;
	int rc;

	for (i = 0; i < FERRY_ARRAY_LEN(seed_objects); i++) {
		const struct seed_object *s = &seed_objects[i];
		struct attio_object o, *made;

		if (attio_object_find(sb, s->slug) ||
		    (s->optional && !listed(sb->enable_objects, s->slug)))
			continue;
		memset(&o, 0, sizeof(o));
		snprintf(o.slug, sizeof(o.slug), "%s", s->slug);
		snprintf(o.singular, sizeof(o.singular), "%s", s->singular);
		snprintf(o.plural, sizeof(o.plural), "%s", s->plural);
		o.is_system = true;
		if ((rc = attio_catalog_add_object(sb, &o, &made)) < 0)
			return rc;
	}
	for (i = 0; i < FERRY_ARRAY_LEN(seed_attrs); i++)
		if ((rc = seed_attr(sb, &seed_attrs[i])) < 0)
			return rc;
	return 0;
}
