/* mapfile_yaml.c: reading mapping.yaml's YAML nodes: scalars, lists,
 * mappings of known keys with a "did you mean" for the unknown ones, and
 * messages that name the file and the line. Follows config.c. */
#include "util.h"

#include <ctype.h>
#include <stdarg.h>

#include "mapfile_int.h"

int mf_line(const yaml_node_t *node)
{
	return node ? (int)node->start_mark.line + 1 : 0;
}

int mf_fail(struct mf_loader *ld, int line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return ferry_error_set(FERRY_ECONFIG, "%s:%d: %s", ld->path,
		                       line, msg);
	return ferry_error_set(FERRY_ECONFIG, "%s: %s", ld->path, msg);
}

void mf_warn(struct mf_loader *ld, int line, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->n_warnings == ld->cap_warnings) {
		ld->cap_warnings = ld->cap_warnings ? 2 * ld->cap_warnings : 8;
		ld->warnings = ferry_xrealloc(
		    ld->warnings, ld->cap_warnings * sizeof(*ld->warnings));
	}
	ld->warnings[ld->n_warnings++] =
	    ferry_xasprintf("%s:%d: %s", ld->path, line, msg);
}

int mf_visit(struct mf_loader *ld, const yaml_node_t *node)
{
	if (++ld->visits <= ld->budget)
		return 0;
	return mf_fail(ld, mf_line(node),
	               "aliases (*name) repeat more than %zu entries: write "
	               "the entries out instead",
	               ld->budget);
}

bool mf_is_null(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static const char *node_kind(const yaml_node_t *node)
{
	if (node->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (node->type == YAML_SEQUENCE_NODE)
		return "a list";
	return "a single value";
}

int mf_scalar(const char **out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE)
		return mf_fail(ld, mf_line(node),
		               "%s must be a single value, not %s", what,
		               node_kind(node));
	if (strlen((const char *)node->data.scalar.value) !=
	    node->data.scalar.length)
		return mf_fail(ld, mf_line(node), "%s contains a NUL character",
		               what);
	*out = (const char *)node->data.scalar.value;
	return 0;
}

int mf_string(const char **out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node)
{
	const char *v;
	int error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (!*v)
		return mf_fail(ld, mf_line(node), "%s is empty", what);
	*out = mf_strdup(ld->arena, v);
	return 0;
}

int mf_need_mapping(struct mf_loader *ld, const char *what,
                    const yaml_node_t *node, const char *example)
{
	if (node->type == YAML_MAPPING_NODE)
		return 0;
	return mf_fail(ld, mf_line(node),
	               "%s must be a mapping (key: value entries, e.g. %s), "
	               "not %s",
	               what, example, node_kind(node));
}

size_t mf_size(const yaml_node_t *node)
{
	if (node->type == YAML_MAPPING_NODE)
		return (size_t)(node->data.mapping.pairs.top -
		                node->data.mapping.pairs.start);
	if (node->type == YAML_SEQUENCE_NODE)
		return (size_t)(node->data.sequence.items.top -
		                node->data.sequence.items.start);
	return 0;
}

int mf_list(const char *const **out, int **lines, size_t *n,
            struct mf_loader *ld, const char *what, const yaml_node_t *node)
{
	const char **items;
	int *at;
	size_t count = 0;
	yaml_node_item_t *it;
	const char *v;
	int error;

	if (node->type == YAML_MAPPING_NODE)
		return mf_fail(ld, mf_line(node),
		               "%s must be a list, e.g. [a, b], not a mapping",
		               what);
	if (node->type == YAML_SCALAR_NODE) {
		items = mf_array(ld->arena, 1, sizeof(*items));
		at = mf_array(ld->arena, 1, sizeof(*at));
		if ((error = mf_string(&items[0], ld, what, node)) < 0)
			return error;
		at[0] = mf_line(node);
		count = 1;
		goto done;
	}
	items = mf_array(ld->arena, mf_size(node), sizeof(*items));
	at = mf_array(ld->arena, mf_size(node), sizeof(*at));
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

		if (!item)
			continue;
		if ((error = mf_visit(ld, item)) < 0)
			return error;
		if ((error = mf_scalar(&v, ld, what, item)) < 0)
			return error;
		if (!*v)
			return mf_fail(ld, mf_line(item),
			               "%s holds an empty entry", what);
		items[count] = mf_strdup(ld->arena, v);
		at[count++] = mf_line(item);
	}
done:
	*out = items;
	if (lines)
		*lines = at;
	*n = count;
	return 0;
}

int mf_choice(int *out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node, const char *const *names)
{
	struct ferry_buf list = FERRY_BUF_INIT;
	char hint[128];
	const char *v;
	size_t n;
	int error, i;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], v)) {
			*out = i;
			return 0;
		}
	n = (size_t)i;
	for (i = 0; names[i]; i++)
		if (ferry_buf_printf(&list, "%s%s", i ? ", " : "", names[i]) <
		    0)
			break;
	error = mf_fail(
	    ld, mf_line(node), "%s is '%.80s'%s; use one of %s", what, v,
	    mf_did_you_mean(hint, sizeof(hint), v, names, n), list.ptr);
	ferry_buf_release(&list);
	return error;
}

int mf_bool(bool *out, struct mf_loader *ld, const char *what,
            const yaml_node_t *node)
{
	const char *v;
	int error;

	if ((error = mf_scalar(&v, ld, what, node)) < 0)
		return error;
	if (!strcmp(v, "true") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no"))
		*out = false;
	else
		return mf_fail(ld, mf_line(node),
		               "%s must be true or false, not '%.80s'", what,
		               v);
	return 0;
}

static int key_text(const char **out, struct mf_loader *ld,
                    const yaml_node_t *k)
{
	if (k->type != YAML_SCALAR_NODE ||
	    strlen((const char *)k->data.scalar.value) != k->data.scalar.length)
		return mf_fail(ld, mf_line(k),
		               "keys must be plain words, not %s",
		               k->type == YAML_SCALAR_NODE ? "text with a NUL"
		                                           : node_kind(k));
	*out = (const char *)k->data.scalar.value;
	return 0;
}

static int unknown_key(struct mf_loader *ld, const yaml_node_t *k,
                       const char *key, const char *section,
                       const char *const *keys, size_t n)
{
	struct ferry_buf list = FERRY_BUF_INIT;
	const char *best = mf_closest(key, keys, n);
	size_t i;
	int error;

	if (best)
		return mf_fail(ld, mf_line(k),
		               "unknown key '%.80s'%s%s (did you mean '%s'?)",
		               key, section ? " in " : "",
		               section ? section : "", best);
	for (i = 0; i < n; i++)
		if (ferry_buf_printf(&list, "%s%s", i ? ", " : "", keys[i]) < 0)
			break;
	error = mf_fail(
	    ld, mf_line(k), "unknown key '%.80s'%s%s (known keys: %s)", key,
	    section ? " in " : "", section ? section : "", list.ptr);
	ferry_buf_release(&list);
	return error;
}

int mf_walk(struct mf_loader *ld, const yaml_node_t *map, const char *section,
            const char *const *keys, mf_key_handler handler, unsigned *seen)
{
	yaml_node_pair_t *pair;
	unsigned bits = 0;
	const char *name;
	size_t n;
	int error, i;

	for (n = 0; keys[n]; n++)
		;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, pair->value);

		if (!k || !v)
			continue;
		if ((error = mf_visit(ld, k)) < 0 ||
		    (error = key_text(&name, ld, k)) < 0)
			return error;
		for (i = 0; keys[i] && strcmp(keys[i], name); i++)
			;
		if (!keys[i])
			return unknown_key(ld, k, name, section, keys, n);
		if (bits & (1u << i))
			return mf_fail(
			    ld, mf_line(k), "'%s' is given twice%s%s", name,
			    section ? " in " : "", section ? section : "");
		bits |= 1u << i;
		if (mf_is_null(v))
			continue;
		ld->key_line = mf_line(k);
		if ((error = handler(ld, i, v)) < 0)
			return error;
	}
	if (seen)
		*seen = bits;
	return 0;
}

int mf_names(struct mf_loader *ld, const yaml_node_t *map, const char *section,
             mf_name_handler each, void *payload)
{
	struct ferry_mapfile_index *seen =
	    mf_index_new(ld->arena, mf_size(map));
	yaml_node_pair_t *pair;
	const yaml_node_t *first;
	const char *name;
	int error;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, pair->value);

		if (!k || !v)
			continue;
		if ((error = mf_visit(ld, k)) < 0 ||
		    (error = key_text(&name, ld, k)) < 0)
			return error;
		if ((first = mf_index_put(seen, name, k)) != NULL)
			return mf_fail(ld, mf_line(k),
			               "'%.80s' is given twice in %s (first on "
			               "line %d)",
			               name, section, mf_line(first));
		if ((error = each(ld, name, k, v, payload)) < 0)
			return error;
	}
	return 0;
}

/* Edits between a and b, a swap of two neighbours counting as one
 * ("Emial" is one edit from "Email"): the optimal string alignment
 * distance. */
size_t mf_distance(const char *a, const char *b)
{
	size_t d[65][65], la = strlen(a), lb = strlen(b), i, j;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *mf_closest(const char *word, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t len = strlen(word), best_d, allowed, d, i;

	/* Short words are close to everything: they get fewer edits. A
	 * word that starts another ("skip", "skip_if") is close too. */
	allowed = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	best_d = allowed + 1;
	for (i = 0; i < n; i++) {
		if (ferry_str_iequal(word, words[i]))
			return words[i];
		d = mf_distance(word, words[i]);
		if (d > allowed && len >= 3 &&
		    ferry_str_starts_with(words[i], word))
			d = allowed;
		if (d < best_d) {
			best_d = d;
			best = words[i];
		}
	}
	return best;
}

const char *mf_did_you_mean(char *buf, size_t size, const char *word,
                            const char *const *words, size_t n)
{
	const char *best = mf_closest(word, words, n);

	if (!best || !strcmp(best, word))
		return "";
	snprintf(buf, size, " (did you mean '%s'?)", best);
	return buf;
}

bool mf_valid_slug(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 64 || !islower((unsigned char)s[0]))
		return false;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

bool mf_valid_api_name(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 80)
		return false;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}
