/* mapfile_int.h: what the files of the mapping.yaml loader share: an arena
 * the model lives in, fixed-size name indexes, the loader's state and its
 * YAML helpers. Private to src/lib/plan; helpers carry the prefix mf_. */
#ifndef FERRY_MAPFILE_INT_H
#define FERRY_MAPFILE_INT_H

#include <yaml.h>

#include "ferry/mapfile.h"

/* --- memory (mapfile.c) --- */

/* A bump allocator: the whole model is freed at once. */
struct mf_arena;
struct mf_arena *mf_arena_new(void);
void mf_arena_free(struct mf_arena *a);
/* Zeroed memory for n items of `size` (n may be 0). */
void *mf_array(struct mf_arena *a, size_t n, size_t size);
char *mf_strdup(struct mf_arena *a, const char *s);

/* A string -> pointer map of a capacity fixed when it is made (the number
 * of entries a YAML mapping has is known before it is read). Keys are
 * borrowed: they live in the arena. */
struct ferry_mapfile_index *mf_index_new(struct mf_arena *a, size_t n);
void *mf_index_get(const struct ferry_mapfile_index *ix, const char *key);
/* Adds key -> val; returns NULL, or the value already there (nothing is
 * added then). */
void *mf_index_put(struct ferry_mapfile_index *ix, const char *key, void *val);

/* --- the loader --- */

struct mf_loader {
	struct ferry_mapfile *m;
	struct mf_arena *arena;
	yaml_document_t *doc;
	const char *path;      /* as messages show it */
	size_t visits, budget; /* entries read, with aliases expanded */
	char where[200];       /* "Account", "Account.Website": for messages */
	struct ferry_mapfile_object *obj;  /* the object being read */
	struct ferry_mapfile_field *field; /* the field being read */
	struct ferry_mapfile_table *table; /* the value table being read */
	void *cur;    /* what a small nested mapping fills in */
	unsigned set; /* the object keys given a value (not null) */
	int key_line; /* the line of the key mf_walk hands on */
	char **warnings;
	size_t n_warnings, cap_warnings;
};

/* The 1-based line of a node. */
int mf_line(const yaml_node_t *node);
/* Sets FERRY_ECONFIG "<path>:<line>: <message>" and returns it. */
int mf_fail(struct mf_loader *ld, int line, const char *fmt, ...)
    FERRY_PRINTF(3, 4);
void mf_warn(struct mf_loader *ld, int line, const char *fmt, ...)
    FERRY_PRINTF(3, 4);
/* Counts one entry read; FERRY_ECONFIG once aliases expand too far. */
int mf_visit(struct mf_loader *ld, const yaml_node_t *node);

/* A plain ~, null or nothing: "not set". */
bool mf_is_null(const yaml_node_t *node);
/* The text of a scalar; an error naming `what` for a list, a mapping or
 * a NUL byte. */
int mf_scalar(const char **out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node);
/* The same, copied into the arena and not empty. */
int mf_string(const char **out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node);
int mf_need_mapping(struct mf_loader *ld, const char *what,
                    const yaml_node_t *node, const char *example);
/* A list of scalars (a single scalar is a list of one): copies in the
 * arena, with the line of each. */
int mf_list(const char *const **out, int **lines, size_t *n,
            struct mf_loader *ld, const char *what, const yaml_node_t *node);
/* One of `names` (NULL-terminated): its index. */
int mf_choice(int *out, struct mf_loader *ld, const char *what,
              const yaml_node_t *node, const char *const *names);
int mf_bool(bool *out, struct mf_loader *ld, const char *what,
            const yaml_node_t *node);

/* Walks a mapping of known keys (`keys`, NULL-terminated, at most 32):
 * each key known and given once; `handler` gets the key's index and the
 * value (null values are skipped). *seen gets a bit per key given. */
typedef int (*mf_key_handler)(struct mf_loader *ld, int key,
                              yaml_node_t *value);
int mf_walk(struct mf_loader *ld, const yaml_node_t *map, const char *section,
            const char *const *keys, mf_key_handler handler, unsigned *seen);
/* Walks a mapping of names the file chooses (objects, fields, values):
 * keys are scalars given once; `each` gets the key's text and nodes. */
typedef int (*mf_name_handler)(struct mf_loader *ld, const char *name,
                               yaml_node_t *key, yaml_node_t *value,
                               void *payload);
int mf_names(struct mf_loader *ld, const yaml_node_t *map, const char *section,
             mf_name_handler each, void *payload);
/* The number of entries of a mapping or a list (0 for a scalar). */
size_t mf_size(const yaml_node_t *node);

/* Levenshtein distance (SIZE_MAX past 64 bytes), and the closest of
 * `words` to `word` (a different case counts as close), or NULL. */
size_t mf_distance(const char *a, const char *b);
const char *mf_closest(const char *word, const char *const *words, size_t n);
/* " (did you mean 'x'?)" or "". */
const char *mf_did_you_mean(char *buf, size_t size, const char *word,
                            const char *const *words, size_t n);

/* An Attio slug: lower-case letters, digits and _, starting with a
 * letter, at most 64 bytes. */
bool mf_valid_slug(const char *s);
/* A Salesforce API name: letters, digits and _, at most 80 bytes. */
bool mf_valid_api_name(const char *s);

/* --- the sections --- */

/* mapfile_tables.c */
int mf_value_tables(struct mf_loader *ld, const yaml_node_t *node);
int mf_owners(struct mf_loader *ld, const yaml_node_t *node);
/* The key owners.table is indexed by: an id's first 15 characters, an
 * email lower-cased (a new string the caller frees). */
char *mf_owner_key(const char *owner);
/* mapfile_objects.c */
int mf_objects(struct mf_loader *ld, const yaml_node_t *node);
/* An attribute slug / a Salesforce API name, checked ("what" names it). */
int mf_slug(const char **out, struct mf_loader *ld, const char *what,
            const yaml_node_t *node);
int mf_api_name(const char **out, struct mf_loader *ld, const char *what,
                const char *v, int line);
/* mapfile_rules.c: the rules of ld->obj */
int mf_filter(struct mf_loader *ld, yaml_node_t *value);
int mf_defaults(struct mf_loader *ld, yaml_node_t *value);
int mf_record_types(struct mf_loader *ld, yaml_node_t *value);
int mf_dedup(struct mf_loader *ld, yaml_node_t *value);
int mf_link(struct mf_loader *ld, yaml_node_t *value);
/* The object named `name` (by the line `line` for messages naming what
 * refers to it), or an error with a "did you mean". */
int mf_find_object(struct ferry_mapfile_object **out, struct mf_loader *ld,
                   const char *what, const char *name, int line);
/* mapfile_fields.c: the fields of ld->obj, and the transform options
 * fields and the top-level `options` share. */
int mf_fields(struct mf_loader *ld, const yaml_node_t *node);
/* Indexed by enum ferry_mapfile_type / ferry_mapfile_part; "" for NONE. */
const char *const *mf_type_names(void);
const char *const *mf_part_names(void);
int mf_opt_time_zone(const char **out, struct mf_loader *ld, const char *what,
                     const yaml_node_t *node);
int mf_opt_country(const char **out, struct mf_loader *ld, const char *what,
                   const yaml_node_t *node);
int mf_opt_date_order(enum ferry_tx_date_order *out, struct mf_loader *ld,
                      const char *what, const yaml_node_t *node);
int mf_opt_currency(const char **out, struct mf_loader *ld, const char *what,
                    const yaml_node_t *node);
/* mapfile_link.c: the checks that need a whole object or the whole file */
int mf_check_object(struct mf_loader *ld, struct ferry_mapfile_object *o);
int mf_check_all(struct mf_loader *ld);
/* mapfile_order.c */
int mf_order(struct mf_loader *ld);

#endif
