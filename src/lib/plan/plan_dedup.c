/* plan_dedup.c: mapping.yaml's dedup rules as dedup engine configs, and
 * the runs. An object with a dedup section is deduplicated by it (with
 * the objects of its `against` first); an object without one but matched
 * on emails or domains gets the key its match implies (email addresses ->
 * the email key over its email fields, domains -> the domain key over its
 * domain fields), against the objects written to the same Attio object
 * and matched the same way before it (leads against contacts): Attio
 * would make such records one anyway, and a merge the plan shows beats a
 * surprise at load time.
 *
 * The runs go in reverse load order: a run replaces the dedup rows of
 * every object it covers, so the run of leads against contacts comes
 * before the contacts' own, and each object keeps the rows of its own
 * rules. Online (opts->dest), each key also matches the records already
 * at the destination (plan_dest.c), read before the first run. */
#include "util.h"

#include "ferry/dedup.h"
#include "plan_int.h"
#include "store/store.h"

struct build {
	const char **objects;
	size_t n_objects;
	struct ferry_dedup_key *keys;
	const char ***key_fields;
	size_t n_keys;
	struct ferry_dedup_field *fields;
	size_t n_fields;
	const char **context; /* the country fields of `all` phones */
	size_t n_context;
};

static void build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < b->n_keys; i++)
		free(b->key_fields[i]);
	free(b->key_fields);
	free(b->keys);
	free(b->objects);
	free(b->fields);
	free(b->context);
	memset(b, 0, sizeof(*b));
}

static bool is_staged(struct plan *pl, const char *object)
{
	sqlite3_stmt *st = NULL;
	bool yes = false;

	if (ferry_store__prepare(&st, pl->ws,
	                         "SELECT 1 FROM main.staged_objects WHERE "
	                         "object = ? AND status = 'complete'") < 0)
		return false;
	ferry_store__bind_text(st, 1, object);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static enum ferry_mapfile_type type_of_key(enum ferry_mapfile_key_kind k)
{
	return k == FERRY_MF_KEY_EMAIL   ? FERRY_MF_EMAIL
	       : k == FERRY_MF_KEY_PHONE ? FERRY_MF_PHONE
	                                 : FERRY_MF_DOMAIN;
}

static enum ferry_dedup_kind dedup_kind(enum ferry_mapfile_key_kind k)
{
	return k == FERRY_MF_KEY_EMAIL         ? FERRY_DEDUP_EMAIL
	       : k == FERRY_MF_KEY_PHONE       ? FERRY_DEDUP_PHONE
	       : k == FERRY_MF_KEY_EXTERNAL_ID ? FERRY_DEDUP_EXTERNAL_ID
	                                       : FERRY_DEDUP_DOMAIN;
}

static void add_name(const char ***list, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i], name))
			return;
	*list = ferry_xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = name;
}

/* A key over the fields of its type in every object of the group. */
static void add_key(struct build *b, const struct ferry_mapfile *m,
                    enum ferry_mapfile_key_kind kind, const char *field)
{
	struct ferry_dedup_key *k;
	const char **names = NULL;
	const char *country = NULL;
	size_t n = 0, i, j;

	if (kind == FERRY_MF_KEY_EXTERNAL_ID) {
		add_name(&names, &n, field);
	} else {
		for (i = 0; i < b->n_objects; i++) {
			const struct ferry_mapfile_object *o =
			    ferry_mapfile_object(m, b->objects[i]);

			for (j = 0; o && j < o->n_fields; j++) {
				if (o->fields[j].type != type_of_key(kind) ||
				    !o->fields[j].to)
					continue;
				add_name(&names, &n, o->fields[j].name);
				if (!country && o->fields[j].country_field)
					country = o->fields[j].country_field;
			}
		}
	}
	if (!n)
		return;
	b->keys = ferry_xrealloc(b->keys, (b->n_keys + 1) * sizeof(*b->keys));
	b->key_fields = ferry_xrealloc(
	    b->key_fields, (b->n_keys + 1) * sizeof(*b->key_fields));
	k = &b->keys[b->n_keys];
	memset(k, 0, sizeof(*k));
	k->kind = dedup_kind(kind);
	k->fields = names;
	k->n_fields = n;
	k->country_field = country;
	b->key_fields[b->n_keys++] = names;
}

static enum ferry_dedup_fill fill_of(const struct ferry_mapfile_object *o,
                                     const char *attr)
{
	size_t i;

	for (i = 0; attr && i < o->dedup.n_attributes; i++) {
		if (strcmp(o->dedup.attributes[i].attribute, attr))
			continue;
		switch (o->dedup.attributes[i].pick) {
		case FERRY_MF_PICK_OLDEST:
			return FERRY_DEDUP_FILL_OLDEST;
		case FERRY_MF_PICK_NEWEST:
			return FERRY_DEDUP_FILL_NEWEST;
		case FERRY_MF_PICK_MOST_COMPLETE:
			return FERRY_DEDUP_FILL_MOST_COMPLETE;
		case FERRY_MF_PICK_ALL:
			return FERRY_DEDUP_FILL_ALL;
		default:
			return FERRY_DEDUP_FILL_DEFAULT;
		}
	}
	return FERRY_DEDUP_FILL_DEFAULT;
}

static void add_fields(struct build *b, const struct ferry_mapfile *m,
                       const struct ferry_mapfile_object *rules)
{
	size_t i, j, k;

	for (i = 0; i < b->n_objects; i++) {
		const struct ferry_mapfile_object *o =
		    ferry_mapfile_object(m, b->objects[i]);

		for (j = 0; o && j < o->n_fields; j++) {
			const struct ferry_mapfile_field *f = &o->fields[j];

			if (!f->to)
				continue;
			for (k = 0; k < b->n_fields; k++)
				if (!strcmp(b->fields[k].name, f->name))
					break;
			if (k < b->n_fields)
				continue;
			b->fields = ferry_xrealloc(
			    b->fields, (b->n_fields + 1) * sizeof(*b->fields));
			b->fields[b->n_fields].name = f->name;
			b->fields[b->n_fields].fill = fill_of(rules, f->to);
			/* Another record's phone is read with its own
			 * country, not the survivor's. */
			if (b->fields[b->n_fields].fill ==
			        FERRY_DEDUP_FILL_ALL &&
			    f->country_field)
				add_name(&b->context, &b->n_context,
				         f->country_field);
			b->n_fields++;
		}
	}
}

/* The key `match` implies: emails or domains, when every field that
 * fills it has that type. */
static bool implied_key(const struct ferry_mapfile_object *o,
                        enum ferry_mapfile_key_kind *out)
{
	enum ferry_mapfile_type t = FERRY_MF_TEXT;
	size_t i, n = 0;

	if (!o->match)
		return false;
	for (i = 0; i < o->n_fields; i++) {
		if (!o->fields[i].to || strcmp(o->fields[i].to, o->match))
			continue;
		if (n++ && o->fields[i].type != t)
			return false;
		t = o->fields[i].type;
	}
	if (!n || (t != FERRY_MF_EMAIL && t != FERRY_MF_DOMAIN))
		return false;
	*out = t == FERRY_MF_EMAIL ? FERRY_MF_KEY_EMAIL : FERRY_MF_KEY_DOMAIN;
	return true;
}

/* The dedup run of object `at`; with `dest`, its keys are matched at the
 * destination too (and when `run` is false, only named to `dest`, for
 * its snapshot). */
static int dedup_object(struct plan *pl, size_t at, struct pl_dest *dest,
                        bool run)
{
	const struct ferry_mapfile *m = pl->m;
	const struct ferry_mapfile_object *o = m->order[at];
	struct ferry_dedup_config cfg;
	enum ferry_mapfile_key_kind implied;
	struct build b;
	size_t i;
	int error = 0;

	memset(&b, 0, sizeof(b));
	memset(&cfg, 0, sizeof(cfg));
	if (o->kind != FERRY_MF_RECORDS || !is_staged(pl, o->name))
		return 0;
	if (o->dedup.on) {
		for (i = 0; i < o->dedup.n_against; i++)
			if (is_staged(pl, o->dedup.against[i]->name))
				add_name(&b.objects, &b.n_objects,
				         o->dedup.against[i]->name);
		add_name(&b.objects, &b.n_objects, o->name);
		for (i = 0; i < o->dedup.n_keys; i++)
			add_key(&b, m, o->dedup.keys[i].kind,
			        o->dedup.keys[i].field);
		cfg.rule = o->dedup.survivor == FERRY_MF_PICK_NEWEST
		               ? FERRY_DEDUP_NEWEST
		           : o->dedup.survivor == FERRY_MF_PICK_MOST_COMPLETE
		               ? FERRY_DEDUP_MOST_COMPLETE
		               : FERRY_DEDUP_OLDEST;
		cfg.undecided = o->dedup.undecided == FERRY_MF_PICK_OLDEST
		                    ? FERRY_DEDUP_UNDECIDED_OLDEST
		                : o->dedup.undecided == FERRY_MF_PICK_NEWEST
		                    ? FERRY_DEDUP_UNDECIDED_NEWEST
		                    : FERRY_DEDUP_UNDECIDED_HOLD;
	} else if (implied_key(o, &implied)) {
		for (i = 0; i < at; i++) {
			const struct ferry_mapfile_object *e = m->order[i];

			if (e->kind == FERRY_MF_RECORDS && e->match &&
			    !strcmp(e->to, o->to) &&
			    !strcmp(e->match, o->match) &&
			    is_staged(pl, e->name))
				add_name(&b.objects, &b.n_objects, e->name);
		}
		add_name(&b.objects, &b.n_objects, o->name);
		add_key(&b, m, implied, NULL);
		cfg.rule = FERRY_DEDUP_OLDEST;
	}
	if (!b.n_keys)
		goto done;
	for (i = 0; dest && i < b.n_keys; i++)
		pl_dest_key(dest, &b.keys[i], b.objects, b.n_objects);
	if (!run)
		goto done;
	add_fields(&b, m, o);
	cfg.objects = b.objects;
	cfg.n_objects = b.n_objects;
	cfg.keys = b.keys;
	cfg.n_keys = b.n_keys;
	cfg.fields = b.fields;
	cfg.n_fields = b.n_fields;
	cfg.context_fields = b.context;
	cfg.n_context_fields = b.n_context;
	cfg.default_country = m->default_country;
	cfg.personal_domains = m->personal_domains;
	cfg.n_personal_domains = m->n_personal_domains;
	error = ferry_dedup_run(pl->ws, &cfg, NULL);
done:
	build_free(&b);
	return error;
}

int pl_dedup(struct plan *pl)
{
	struct pl_dest *dest = NULL;
	size_t i;
	int error = 0;

	/* The destination is read before anything changes: one that fails
	 * part way leaves the dedup rows and the plan as they were. */
	if (pl->opts->dest) {
		if ((error = pl_dest_open(&dest, pl)) < 0)
			goto done;
		for (i = pl->m->n_order; i-- > 0;)
			if ((error = dedup_object(pl, i, dest, false)) < 0)
				goto done;
		if ((error = pl_dest_load(dest)) < 0)
			goto done;
	}
	/* Rows of objects whose rules went away must not linger: every
	 * object that still has rules gets its rows again below. */
	if ((error = ferry_store__exec(pl->ws, "DELETE FROM main.dedup")) < 0)
		goto done;
	for (i = pl->m->n_order; i-- > 0;)
		if ((error = dedup_object(pl, i, dest, true)) < 0)
			goto done;
done:
	pl_dest_free(dest);
	return error;
}
