/* sf_soql_int.h: what the SOQL files share: the parsed query (columns,
 * an n-ary condition tree, literals, the parent "hops") and the parser's
 * lexer and error helpers. */
#ifndef FERRY_SF_SOQL_INT_H
#define FERRY_SF_SOQL_INT_H

#include "sf_org_int.h"

/* --- tokens --- */

enum tk {
	TK_EOF,
	TK_IDENT,
	TK_STRING,
	TK_NUMBER,
	TK_DATETIME,
	TK_DATE,
	TK_COMMA,
	TK_LPAREN,
	TK_RPAREN,
	TK_OP,
	TK_BAD
};
enum op { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE };

struct tok {
	enum tk k;
	const char *s; /* into the query text */
	size_t n;
	enum op op;
};

/* --- the parsed query --- */

/* A parent reached through reference fields: base -> hop -> hop. */
struct hop {
	int parent; /* hop index, -1 for the queried record */
	int field;  /* the reference field in the parent's object */
	const struct sf_object *obj; /* NULL: polymorphic */
	/* per row */
	uint64_t stamp;
	const struct sf_object *cur;
	struct sf_record rec;
	bool have;
};

enum poly { P_NONE, P_FIELD, P_TYPE, P_NAME };

/* A field as a query names it. */
struct fref {
	int hop; /* -1: the queried record */
	int field;
	enum poly poly; /* through a polymorphic reference: by name */
	const char *leaf;
	enum sf_ftype type;
	const struct sf_field *fd; /* NULL when polymorphic */
	/* polymorphic lookups: the last object and its field */
	const struct sf_object *last_obj;
	long last_idx;
};

enum lk { LIT_NULL, LIT_STRING, LIT_NUMBER, LIT_BOOL, LIT_DATETIME, LIT_DATE };

struct lit {
	enum lk k;
	char *s; /* strings, dates (YYYY-MM-DD) */
	double num;
	int64_t ms; /* datetimes */
	bool b;
};

enum ck { C_AND, C_OR, C_NOT, C_CMP, C_IN, C_NOTIN, C_LIKE };

struct cnode {
	enum ck k;
	int child, next; /* first child, next sibling; -1 for none */
	enum op op;
	struct fref f;
	size_t lit, nlit; /* into lits */
};

struct col {
	char *written;
	struct fref f;
};

/* What sf_query_next and sf_query_count change as they run. */
struct qstate {
	uint64_t stamp;
	struct hop *hops;
	size_t n_hops;
	/* where OFFSET and LIMIT put the first and past-last raw index */
	bool bounds_known[2];
	int64_t start[2], end[2];
	struct sf_record scan;
	bool scan_init;
};

struct sf_query {
	const struct sf_org *org;
	const struct sf_object *obj;
	bool count, count_expr;
	struct fref *count_field; /* COUNT(field) */
	bool count_nonnull;       /* counts non-null values, not rows */
	struct col *cols;
	size_t n_cols;
	struct cnode *nodes;
	size_t n_nodes, a_nodes;
	struct lit *lits;
	size_t n_lits, a_lits;
	int where;             /* root node, -1 for none */
	int64_t limit, offset; /* -1: none */
	struct qstate *st;
};

struct parser {
	const char *text;
	const char *p; /* next char */
	struct tok t;  /* current token */
	struct sf_query *q;
	struct sf_err *e;
	bool tooling;
	int depth;
};

/* --- lexer and errors (sf_soql_lex.c) --- */

/* Reads the next token into ps->t. */
void sf_soql_next(struct parser *ps);
bool sf_soql_is_kw(const struct tok *t, const char *kw);
/* Consumes keyword kw if it is next. */
bool sf_soql_accept_kw(struct parser *ps, const char *kw);
int sf_soql_expect_kw(struct parser *ps, const char *kw);
/* A keyword that cannot be a field name. */
bool sf_soql_reserved(const struct tok *t);
/* Fills ps->e in Salesforce's words, pointing at `at`; returns -1. */
int sf_soql_fail(struct parser *ps, const char *at, const char *code,
                 const char *fmt, ...) FERRY_PRINTF(4, 5);
/* MALFORMED_QUERY "unexpected token: 'X'" at the current token. */
int sf_soql_unexpected(struct parser *ps);
/* The length of a date (YYYY-MM-DD) or datetime literal at s, 0 if
 * neither; *dt says which. */
size_t sf_soql_date_len(const char *s, bool *dt);
/* Milliseconds since the epoch of a datetime literal or stored value. */
bool sf_soql_parse_datetime(const char *s, size_t len, int64_t *ms);
/* A quoted literal's text, escapes resolved (LIKE's \% and \_ kept). */
char *sf_soql_unquote(const char *s, size_t n);

/* --- running (sf_soql_run.c) --- */

/* The value of f for the row whose record is base (NULL for null). */
const char *sf_soql_value(const struct sf_query *q, struct fref *f,
                          const struct sf_record *base);

#endif
