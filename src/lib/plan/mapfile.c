/* mapfile.c: loading mapping.yaml (libyaml's document API, checked entry
 * by entry like ferry.yaml) into a model that lives in one arena, and the
 * lookups the plan stage makes on it. The sections are read in the order
 * their references need (options and value tables before the objects that
 * use them), whatever order the file gives them in. The lookups are in
 * mapfile_lookup.c. */
#include "util.h"

#include <errno.h>
#include <stddef.h>

#include "ferry/normalize.h"
#include "mapfile_int.h"
#include "yaml_error.h"

/* Aliases may repeat this many entries beyond the document's own. */
#define ALIAS_BUDGET ((size_t)200000)
#define BLOCK_SIZE   ((size_t)64 * 1024)

/* --- the arena --- */

struct mf_block {
	struct mf_block *next;
	size_t used, cap;
	max_align_t data[];
};

struct mf_arena {
	struct mf_block *head;
};

struct mf_arena *mf_arena_new(void)
{
	return ferry_xcalloc(1, sizeof(struct mf_arena));
}

void mf_arena_free(struct mf_arena *a)
{
	struct mf_block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *mf_array(struct mf_arena *a, size_t n, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	struct mf_block *b;
	size_t bytes;
	void *p;

	if (size && n > (SIZE_MAX - align) / size / 2) {
		fputs("ferry: out of memory (mapping too large)\n", stderr);
		abort();
	}
	bytes = (n * size + align - 1) / align * align;
	if (!bytes)
		bytes = align;
	b = a->head;
	if (!b || b->cap - b->used < bytes) {
		size_t cap = bytes > BLOCK_SIZE / 4 ? bytes : BLOCK_SIZE;

		b = ferry_xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		/* A big one-off keeps the current block for what follows. */
		if (cap == bytes && a->head) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += bytes;
	memset(p, 0, bytes);
	return p;
}

char *mf_strdup(struct mf_arena *a, const char *s)
{
	size_t len = strlen(s);
	char *p = mf_array(a, len + 1, 1);

	memcpy(p, s, len);
	return p;
}

/* --- the index --- */

struct ferry_mapfile_index {
	size_t mask;
	const char **keys;
	void **vals;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct ferry_mapfile_index *mf_index_new(struct mf_arena *a, size_t n)
{
	struct ferry_mapfile_index *ix = mf_array(a, 1, sizeof(*ix));
	size_t cap = 8;

	while (cap < 2 * n + 1)
		cap *= 2;
	ix->mask = cap - 1;
	ix->keys = mf_array(a, cap, sizeof(*ix->keys));
	ix->vals = mf_array(a, cap, sizeof(*ix->vals));
	return ix;
}

void *mf_index_get(const struct ferry_mapfile_index *ix, const char *key)
{
	size_t i;

	if (!ix)
		return NULL;
	for (i = (size_t)hash(key) & ix->mask; ix->keys[i];
	     i = (i + 1) & ix->mask)
		if (!strcmp(ix->keys[i], key))
			return ix->vals[i];
	return NULL;
}

void *mf_index_put(struct ferry_mapfile_index *ix, const char *key, void *val)
{
	size_t i;

	for (i = (size_t)hash(key) & ix->mask; ix->keys[i];
	     i = (i + 1) & ix->mask)
		if (!strcmp(ix->keys[i], key))
			return ix->vals[i];
	/* The capacity was fixed for the entries the YAML holds; one more
	 * would be a bug, and a full table would never end the loop. */
	ix->keys[i] = key;
	ix->vals[i] = val;
	return NULL;
}

/* --- the top level --- */

enum top_key {
	TOP_VERSION,
	TOP_OBJECTS,
	TOP_TABLES,
	TOP_OWNERS,
	TOP_DOMAINS,
	TOP_OPTIONS,
	TOP_COUNT
};
static const char *const top_keys[] = {
    "version", "objects", "value_tables", "owners", "personal_domains",
    "options", NULL};
enum option_key { OPT_TIME_ZONE, OPT_COUNTRY, OPT_DATE_ORDER, OPT_CURRENCY };
static const char *const option_keys[] = {"time_zone", "default_country",
                                          "date_order", "currency", NULL};

struct top {
	struct mf_loader ld;
	const yaml_node_t *nodes[TOP_COUNT];
	int lines[TOP_COUNT];
};

static int on_top(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct top *t = (struct top *)ld;

	t->nodes[key] = value;
	t->lines[key] = ld->key_line;
	return 0;
}

static int on_option(struct mf_loader *ld, int key, yaml_node_t *value)
{
	struct ferry_mapfile *m = ld->m;

	switch ((enum option_key)key) {
	case OPT_TIME_ZONE:
		return mf_opt_time_zone(&m->time_zone, ld, "options.time_zone",
		                        value);
	case OPT_COUNTRY:
		return mf_opt_country(&m->default_country, ld,
		                      "options.default_country", value);
	case OPT_DATE_ORDER:
		return mf_opt_date_order(&m->date_order, ld,
		                         "options.date_order", value);
	case OPT_CURRENCY:
		return mf_opt_currency(&m->currency, ld, "options.currency",
		                       value);
	}
	return 0;
}

static int personal_domains(struct mf_loader *ld, const yaml_node_t *node)
{
	struct ferry_buf norm = FERRY_BUF_INIT;
	const char *const *list;
	const char **domains;
	char *lower = NULL;
	int *lines, error = 0;
	size_t n, i;

	if ((error = mf_list(&list, &lines, &n, ld, "personal_domains", node)) <
	    0)
		return error;
	domains = mf_array(ld->arena, n, sizeof(*domains));
	for (i = 0; i < n; i++) {
		free(lower);
		lower = ferry_str_lower(ferry_xstrdup(list[i]));
		ferry_buf_clear(&norm);
		if (ferry_normalize_domain(&norm, lower) < 0) {
			error = mf_fail(ld, lines[i],
			                "personal_domains: '%.80s' is not a "
			                "domain (%s)",
			                list[i], ferry_error_last());
			goto done;
		}
		if (strcmp(norm.ptr, lower)) {
			error = mf_fail(ld, lines[i],
			                "personal_domains: '%.80s' is not a "
			                "registrable domain (did you mean "
			                "'%.80s'?)",
			                list[i], norm.ptr);
			goto done;
		}
		domains[i] = mf_strdup(ld->arena, lower);
	}
	ld->m->personal_domains = domains;
	ld->m->n_personal_domains = n;
done:
	free(lower);
	ferry_buf_release(&norm);
	return error;
}

/* The sections, in the order their references need. */
static int read_sections(struct top *t, const yaml_node_t *root)
{
	struct mf_loader *ld = &t->ld;
	const char *v;
	int64_t version;
	int error;

	if ((error = mf_walk(ld, root, NULL, top_keys, on_top, NULL)) < 0)
		return error;
	if (!t->nodes[TOP_VERSION])
		return mf_fail(ld, 0,
		               "missing 'version' (write 'version: 1' "
		               "at the top)");
	if ((error = mf_scalar(&v, ld, "version", t->nodes[TOP_VERSION])) < 0)
		return error;
	if (ferry_parse_i64(v, &version) < 0 || version != 1)
		return mf_fail(ld, mf_line(t->nodes[TOP_VERSION]),
		               "version '%.80s' is not one this ferry reads "
		               "(it knows version 1)",
		               v);
	if (!t->nodes[TOP_OBJECTS])
		return mf_fail(ld, 0,
		               "missing 'objects' (run 'ferry analyze' "
		               "to draft them)");
	if (t->nodes[TOP_OPTIONS] &&
	    ((error = mf_need_mapping(ld, "options", t->nodes[TOP_OPTIONS],
	                              "{time_zone: \"+01:00\"}")) < 0 ||
	     (error = mf_walk(ld, t->nodes[TOP_OPTIONS], "options", option_keys,
	                      on_option, NULL)) < 0))
		return error;
	if (t->nodes[TOP_TABLES] &&
	    (error = mf_value_tables(ld, t->nodes[TOP_TABLES])) < 0)
		return error;
	if ((error = mf_objects(ld, t->nodes[TOP_OBJECTS])) < 0)
		return error;
	ld->m->owners.line = t->lines[TOP_OWNERS];
	if (t->nodes[TOP_OWNERS] &&
	    (error = mf_owners(ld, t->nodes[TOP_OWNERS])) < 0)
		return error;
	if (t->nodes[TOP_DOMAINS] &&
	    (error = personal_domains(ld, t->nodes[TOP_DOMAINS])) < 0)
		return error;
	if ((error = mf_check_all(ld)) < 0)
		return error;
	return mf_order(ld);
}

static void keep_warnings(struct mf_loader *ld)
{
	const char **list = mf_array(ld->arena, ld->n_warnings, sizeof(*list));
	size_t i;

	for (i = 0; i < ld->n_warnings; i++)
		list[i] = mf_strdup(ld->arena, ld->warnings[i]);
	ld->m->warnings = list;
	ld->m->n_warnings = ld->n_warnings;
}

int ferry_mapfile_parse(struct ferry_mapfile **out, const char *path,
                        const char *text, size_t len)
{
	struct ferry_mapfile *m = ferry_xcalloc(1, sizeof(*m));
	struct top t;
	struct mf_loader *ld = &t.ld;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool parser_ok = false, doc_ok = false;
	yaml_node_t *root;
	size_t i;
	int error;

	memset(&t, 0, sizeof(t));
	m->arena = mf_arena_new();
	m->owners.by_email = true;
	/* Messages say "mapping.yaml:7", not "./mapping.yaml:7". */
	m->path = mf_strdup(
	    m->arena, ferry_str_starts_with(path, "./") ? path + 2 : path);
	ld->m = m;
	ld->arena = m->arena;
	ld->path = m->path;
	if (len > FERRY_MAPFILE_MAX) {
		error = ferry_error_set(FERRY_ETOOBIG,
		                        "%s is larger than %zu bytes", ld->path,
		                        FERRY_MAPFILE_MAX);
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		error = ferry_error_set(FERRY_ERROR, "cannot start libyaml");
		goto done;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		error = ferry_yaml_parse_error(ld->path, &parser);
		goto done;
	}
	doc_ok = true;
	ld->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		error = mf_fail(ld, 0,
		                "the file is empty (run 'ferry "
		                "analyze' to draft it; see "
		                "docs/mapping.md)");
		goto done;
	}
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		error = ferry_yaml_parse_error(ld->path, &parser);
		goto done;
	}
	if (yaml_document_get_root_node(&extra)) {
		error = mf_fail(ld, (int)extra.start_mark.line + 1,
		                "more than one YAML document ('---'); "
		                "mapping.yaml holds one");
		yaml_document_delete(&extra);
		goto done;
	}
	yaml_document_delete(&extra);
	if (root->type != YAML_MAPPING_NODE) {
		error = mf_fail(ld, mf_line(root),
		                "expected 'key: value' entries at the top "
		                "level (version, objects, value_tables, ...)");
		goto done;
	}
	ld->budget = (size_t)(doc.nodes.top - doc.nodes.start) + ALIAS_BUDGET;
	if ((error = read_sections(&t, root)) < 0)
		goto done;
	keep_warnings(ld);
done:
	for (i = 0; i < ld->n_warnings; i++)
		free(ld->warnings[i]);
	free(ld->warnings);
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	if (error == 0) {
		*out = m;
		m = NULL;
	}
	ferry_mapfile_free(m);
	return error;
}

int ferry_mapfile_load(struct ferry_mapfile **out, const char *path)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	char chunk[65536];
	FILE *f;
	size_t n;
	int error = 0;

	ferry_buf_init(&text, FERRY_MAPFILE_MAX);
	if (!(f = fopen(path, "rb"))) {
		if (errno == ENOENT)
			return ferry_error_set(
			    FERRY_ENOTFOUND,
			    "no '%s' here (run 'ferry analyze' "
			    "to draft one)",
			    path);
		return ferry_error_set(FERRY_EIO, "cannot read '%s': %s", path,
		                       strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ferry_buf_put(&text, chunk, n) < 0) {
			error = ferry_error_set(
			    FERRY_ETOOBIG,
			    "'%s' is larger than %zu bytes: split the "
			    "migration, or leave objects out",
			    path, FERRY_MAPFILE_MAX);
			goto done;
		}
	if (ferror(f)) {
		error = ferry_error_set(FERRY_EIO, "cannot read '%s': %s", path,
		                        strerror(errno));
		goto done;
	}
	error = ferry_mapfile_parse(out, path, text.ptr, text.len);
done:
	fclose(f);
	ferry_buf_release(&text);
	return error;
}

void ferry_mapfile_free(struct ferry_mapfile *m)
{
	if (!m)
		return;
	mf_arena_free(m->arena);
	free(m);
}
