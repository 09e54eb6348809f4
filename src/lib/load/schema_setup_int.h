/* schema_setup_int.h: what the files of schema setup's plan share:
 * the attributes and lists the mapping writes, gathered
 * (schema_setup.c), and the setup they are checked in against the
 * destination's snapshot (schema_setup_check.c). Private to
 * src/lib/load/schema_setup*.c; helpers carry the prefix ss_. */
#ifndef FERRY_SCHEMA_SETUP_INT_H
#define FERRY_SCHEMA_SETUP_INT_H

#include <jansson.h>

#include "ferry/mapfile.h"

/* The order changes are made in (ferry_schema_setup_apply sorts by it
 * too). */
enum phase {
	PH_OBJECTS = 0,
	PH_ATTRS,
	PH_OPTIONS,
	PH_LISTS,
	PH_LIST_ATTRS,
	PH_LIST_OPTIONS,
	PH_COUNT
};

/* One attribute the mapping writes, gathered over every field, default
 * and record type that names it. */
struct want {
	const char *target; /* "objects" or "lists" */
	const char *parent; /* the object or list slug */
	const char *slug;
	const struct ferry_mapfile_object *o;       /* the first to name it */
	const struct ferry_mapfile_object *matcher; /* the first to match on
	                                                it */
	enum ferry_mapfile_type type;
	bool typed;     /* a field or record types give the type */
	bool conflict;  /* two fields give it two types (reported) */
	char from[160]; /* "Account.Industry", for descriptions */
	int line;
	bool unique, multi;
	const char *currency;
	json_t *allowed; /* reference: the objects it may point at */
	json_t *titles;  /* [{"title", "from"}]: the options it needs */
	const struct ferry_mapfile_field *untabled; /* a select field with no
	                                                value table */
};

struct list_want {
	const char *slug;
	const char *parent; /* NULL: unknown */
	const struct ferry_mapfile_object *o;
	int line;
	bool conflict;
};

struct setup {
	const struct ferry_mapfile *m;
	const json_t *snap;
	struct want *wants;
	size_t n_wants;
	struct list_want *lists;
	size_t n_lists;
	json_t *objects;     /* slug -> "exists", "create" or "missing" */
	json_t *list_states; /* the same for lists */
	json_t *phases[PH_COUNT];
	json_t *problems, *warnings;
};

/* A line for `list` (problems or warnings): {"object", "attribute" (or
 * null), "message"}. */
void ss_report(json_t *list, const char *object, const char *attribute,
               const char *fmt, ...) FERRY_PRINTF(4, 5);
/* Whether a mapping type writes option or status titles. */
bool ss_has_titles(enum ferry_mapfile_type t);

/* "exists", "create" (a custom object, whose creation is planned now,
 * once) or "missing" (a standard object not enabled: a problem). */
const char *ss_object_state(struct setup *s, const char *slug,
                            const struct ferry_mapfile_object *o);
/* The changes, problems and warnings of one list, then of one attribute
 * (after every list). */
void ss_eval_list(struct setup *s, const struct list_want *l);
void ss_eval_want(struct setup *s, const struct want *w);

#endif
