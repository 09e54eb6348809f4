/* config.c: ferry.yaml, read with libyaml's document API and checked key
 * by key, so every mistake is reported with its line. The secrets it names
 * are looked up in secret.c. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ferry/config.h"
#include "yaml_error.h"

#define CONFIG_MAX         ((size_t)1024 * 1024)
#define DEFAULT_WRITE_RATE 25.0
#define DEFAULT_READ_RATE  100.0
#define DEFAULT_HALT_RATE  0.2

static const char default_config[] =
    "# ferry.yaml: what this migration moves, from where, to where.\n"
    "# Secrets never go in this file: name the environment variable that "
    "holds them.\n"
    "version: 1\n"
    "\n"
    "source:\n"
    "  # A Salesforce Data Export or Data Loader folder of CSV files\n"
    "  # (Account.csv, Contact.csv, ...), relative to this file.\n"
    "  type: salesforce-export\n"
    "  path: export\n"
    "  # Or the org itself, through its API (docs/config.md):\n"
    "  # type: salesforce\n"
    "  # login_url: https://acme.my.salesforce.com\n"
    "  # auth: client_credentials  # refresh_token | jwt | access_token\n"
    "  # client_id_env: SF_CLIENT_ID\n"
    "  # client_secret_env: SF_CLIENT_SECRET\n"
    "  # custom_objects: [Invoice__c]\n"
    "\n"
    "destination:\n"
    "  type: attio\n"
    "  # The real API; point it at `ferry-sandbox attio` to rehearse.\n"
    "  base_url: https://api.attio.com\n"
    "  # The environment variable holding the Attio API token.\n"
    "  token_env: ATTIO_API_TOKEN\n"
    "  # Attio allows 25 writes/s and 100 reads/s per workspace.\n"
    "  write_rate: 25\n"
    "  read_rate: 100\n"
    "  # `ferry run` halts when more than this fraction of the last 200\n"
    "  # writes were refused (the refused records wait in the queue).\n"
    "  halt_error_rate: 0.2\n"
    "  # Your Attio plan's record limit, if it has one (analyze warns).\n"
    "  # record_limit: 100000\n"
    "\n"
    "# Optional: a file of NAME=value lines, mode 0600, read when a "
    "variable is\n"
    "# not set in the environment.\n"
    "# credentials_file: ~/.config/ferry/credentials\n";

/* The keys each mapping may hold; the index is what the handlers switch
 * on, so keep the enums and the arrays in step. */
enum top_key { TOP_VERSION, TOP_SOURCE, TOP_DESTINATION, TOP_CREDENTIALS };
static const char *const top_keys[] = {"version", "source", "destination",
                                       "credentials_file", NULL};
enum source_key {
	SRC_TYPE,
	SRC_PATH,
	SRC_LOGIN_URL,
	SRC_AUTH,
	SRC_API_VERSION,
	SRC_INSTANCE_URL,
	SRC_USERNAME,
	SRC_PRIVATE_KEY,
	SRC_CLIENT_ID_ENV,
	SRC_CLIENT_SECRET_ENV,
	SRC_REFRESH_TOKEN_ENV,
	SRC_ACCESS_TOKEN_ENV,
	SRC_PASSWORD_ENV,
	SRC_OBJECTS,
	SRC_CUSTOM_OBJECTS,
	SRC_INCLUDE_DELETED,
	SRC_PAGE_SIZE,
};
static const char *const source_keys[] = {"type",
                                          "path",
                                          "login_url",
                                          "auth",
                                          "api_version",
                                          "instance_url",
                                          "username",
                                          "private_key_file",
                                          "client_id_env",
                                          "client_secret_env",
                                          "refresh_token_env",
                                          "access_token_env",
                                          "password_env",
                                          "objects",
                                          "custom_objects",
                                          "include_deleted",
                                          "page_size",
                                          NULL};
enum dest_key {
	DST_TYPE,
	DST_BASE_URL,
	DST_TOKEN_ENV,
	DST_WRITE,
	DST_READ,
	DST_RECORD_LIMIT,
	DST_HALT_RATE
};
static const char *const dest_keys[] = {
    "type",      "base_url",     "token_env",       "write_rate",
    "read_rate", "record_limit", "halt_error_rate", NULL};
static const char *const sf_auth_modes[] = {
    "client_credentials", "refresh_token", "jwt",
    "access_token",       "password",      NULL};

struct loader {
	const char *path; /* as messages show it */
	yaml_document_t *doc;
	struct ferry_config *cfg;
	bool has_version;
};

typedef int (*key_handler)(struct loader *ld, int key, yaml_node_t *value);

static size_t line_of(const yaml_node_t *node)
{
	return node->start_mark.line + 1;
}

/* Levenshtein distance, for "did you mean"; long words are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t prev[65], cur[65], la = strlen(a), lb = strlen(b), i, j;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

static int unknown_key(struct loader *ld, const yaml_node_t *key_node,
                       const char *key, const char *section,
                       const char *const *keys)
{
	const char *best = NULL;
	size_t best_d = 3, d, i;
	struct ferry_buf list = FERRY_BUF_INIT;
	int error;

	for (i = 0; keys[i]; i++) {
		d = edit_distance(key, keys[i]);
		if (d < best_d) {
			best_d = d;
			best = keys[i];
		}
	}
	if (best) {
		error = ferry_error_set(
		    FERRY_ECONFIG,
		    "%s:%zu: unknown key '%.80s'%s%s%s (did you mean '%s'?)",
		    ld->path, line_of(key_node), key, section ? " in '" : "",
		    section ? section : "", section ? "'" : "", best);
		return error;
	}
	for (i = 0; keys[i]; i++)
		if (ferry_buf_printf(&list, "%s%s", i ? ", " : "", keys[i]) < 0)
			break;
	error = ferry_error_set(
	    FERRY_ECONFIG, "%s:%zu: unknown key '%.80s'%s%s%s (known keys: %s)",
	    ld->path, line_of(key_node), key, section ? " in '" : "",
	    section ? section : "", section ? "'" : "", list.ptr);
	ferry_buf_release(&list);
	return error;
}

/* A plain `~`, `null` or nothing at all is YAML's null: "not set". */
static bool is_null(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/* The scalar's text, or an error if the value is a list, a mapping, or
 * holds a NUL byte (a C string could not carry it faithfully). */
static int scalar(const char **out, struct loader *ld, const char *name,
                  const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE)
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "%s:%zu: '%s' must be a single value, "
		    "not a %s",
		    ld->path, line_of(node), name,
		    node->type == YAML_MAPPING_NODE ? "mapping" : "list");
	if (strlen((const char *)node->data.scalar.value) !=
	    node->data.scalar.length)
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' contains a NUL character",
		                       ld->path, line_of(node), name);
	*out = (const char *)node->data.scalar.value;
	return 0;
}

/* Walks a mapping, checking that every key is known and given once, and
 * hands each value to `handler` with the key's index in `keys`. */
static int walk_mapping(struct loader *ld, const yaml_node_t *map,
                        const char *section, const char *const *keys,
                        key_handler handler)
{
	yaml_node_pair_t *pair;
	unsigned seen = 0;
	int error = 0, i;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(ld->doc, pair->value);
		const char *name;

		if (!k || !v)
			continue;
		if (k->type != YAML_SCALAR_NODE ||
		    strlen((const char *)k->data.scalar.value) !=
		        k->data.scalar.length)
			return ferry_error_set(
			    FERRY_ECONFIG, "%s:%zu: keys must be plain words",
			    ld->path, line_of(k));
		name = (const char *)k->data.scalar.value;
		for (i = 0; keys[i] && strcmp(keys[i], name); i++)
			;
		if (!keys[i])
			return unknown_key(ld, k, name, section, keys);
		if (seen & (1u << i))
			return ferry_error_set(FERRY_ECONFIG,
			                       "%s:%zu: '%s' is given twice",
			                       ld->path, line_of(k), name);
		seen |= 1u << i;
		if (is_null(v))
			continue;
		if ((error = handler(ld, i, v)) < 0)
			return error;
	}
	return error;
}

static int need_mapping(struct loader *ld, const char *name,
                        const yaml_node_t *node)
{
	if (node->type != YAML_MAPPING_NODE)
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' must be a mapping of "
		                       "settings (key: value lines indented "
		                       "under it)",
		                       ld->path, line_of(node), name);
	return 0;
}

/* `~/x` is $HOME/x; a relative path is relative to ferry.yaml's folder. */
static int resolve_path(char **out, struct loader *ld, const char *name,
                        const yaml_node_t *node, const char *value)
{
	const char *slash = strrchr(ld->path, '/');
	const char *home;

	if (!*value)
		return ferry_error_set(FERRY_ECONFIG, "%s:%zu: '%s' is empty",
		                       ld->path, line_of(node), name);
	if (value[0] == '~' && value[1] == '/') {
		home = getenv("HOME");
		if (!home || !*home)
			return ferry_error_set(FERRY_ECONFIG,
			                       "%s:%zu: '%s' starts with '~/' "
			                       "but HOME is not set",
			                       ld->path, line_of(node), name);
		*out = ferry_xasprintf("%s%s", home, value + 1);
	} else if (value[0] == '/' || !slash) {
		*out = ferry_xstrdup(value);
	} else {
		*out = ferry_xasprintf("%.*s/%s", (int)(slash - ld->path),
		                       ld->path, value);
	}
	return 0;
}

static int set_rate(double *out, struct loader *ld, const char *name,
                    const yaml_node_t *node)
{
	const char *v;
	double d;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (ferry_parse_double(v, &d) < 0 || !isfinite(d) || d <= 0)
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' must be a positive number "
		                       "(requests per second), not '%.80s'",
		                       ld->path, line_of(node), name, v);
	*out = d;
	return 0;
}

/* A fraction in (0, 1]: 1 never halts (every outcome a failure is not
 * over 100%). */
static int set_fraction(double *out, struct loader *ld, const char *name,
                        const yaml_node_t *node)
{
	const char *v;
	double d;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (ferry_parse_double(v, &d) < 0 || !isfinite(d) || d <= 0 || d > 1)
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "%s:%zu: '%s' must be a fraction above 0 "
		    "and at most 1 (0.2: halt when over 20%% "
		    "of the last writes fail), not '%.80s'",
		    ld->path, line_of(node), name, v);
	*out = d;
	return 0;
}

static bool valid_env_name(const char *s)
{
	size_t i;

	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* An http(s) URL without trailing slashes (paths are appended to it). */
static int set_url(char **out, struct loader *ld, const char *name,
                   const yaml_node_t *node)
{
	const char *v;
	size_t len;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (!ferry_str_starts_with(v, "https://") &&
	    !ferry_str_starts_with(v, "http://"))
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' must start with https:// "
		                       "or http://, not '%.80s'",
		                       ld->path, line_of(node), name, v);
	for (len = strlen(v); len > 8 && v[len - 1] == '/'; len--)
		;
	free(*out);
	*out = ferry_xstrndup(v, len);
	return 0;
}

static int set_env_name(char **out, struct loader *ld, const char *name,
                        const yaml_node_t *node)
{
	const char *v;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (!valid_env_name(v))
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "%s:%zu: '%s' must be the name of an environment "
		    "variable (letters, digits, _), not '%.80s': secrets "
		    "never go in ferry.yaml",
		    ld->path, line_of(node), name, v);
	free(*out);
	*out = ferry_xstrdup(v);
	return 0;
}

static int set_string(char **out, struct loader *ld, const char *name,
                      const yaml_node_t *node)
{
	const char *v;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	free(*out);
	*out = ferry_xstrdup(v);
	return 0;
}

static bool valid_object_name(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 63)
		return false;
	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* A YAML list of Salesforce object API names. */
static int set_object_list(char ***out, size_t *n_out, struct loader *ld,
                           const char *name, const yaml_node_t *node)
{
	yaml_node_item_t *it;
	char **list = NULL;
	size_t n = 0, i;
	int error = 0;

	if (node->type != YAML_SEQUENCE_NODE)
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' must be a list of object "
		                       "names, e.g. [Account, Contact]",
		                       ld->path, line_of(node), name);
	list = ferry_xcalloc((size_t)(node->data.sequence.items.top -
	                              node->data.sequence.items.start) +
	                         1,
	                     sizeof(*list));
	for (it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
		const char *v;

		if (!item)
			continue;
		if ((error = scalar(&v, ld, name, item)) < 0)
			goto done;
		if (!valid_object_name(v)) {
			error = ferry_error_set(
			    FERRY_ECONFIG,
			    "%s:%zu: '%.80s' in '%s' is not a Salesforce "
			    "object API name (letters, digits, _)",
			    ld->path, line_of(item), v, name);
			goto done;
		}
		list[n++] = ferry_xstrdup(v);
	}
	for (i = 0; i < *n_out; i++)
		free((*out)[i]);
	free(*out);
	*out = list;
	*n_out = n;
	list = NULL;
done:
	for (i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
	return error;
}

static int set_count(int64_t *out, struct loader *ld, const char *name,
                     const yaml_node_t *node, int64_t min, int64_t max)
{
	const char *v;
	int64_t n;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (ferry_parse_i64(v, &n) < 0 || n < min || n > max)
		return ferry_error_set(
		    FERRY_ECONFIG,
		    "%s:%zu: '%s' must be a whole number "
		    "from %" PRId64 " to %" PRId64 ", not '%.80s'",
		    ld->path, line_of(node), name, min, max, v);
	*out = n;
	return 0;
}

static int set_bool(bool *out, struct loader *ld, const char *name,
                    const yaml_node_t *node)
{
	const char *v;
	int error;

	if ((error = scalar(&v, ld, name, node)) < 0)
		return error;
	if (!strcmp(v, "true") || !strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no"))
		*out = false;
	else
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s:%zu: '%s' must be true or false, "
		                       "not '%.80s'",
		                       ld->path, line_of(node), name, v);
	return 0;
}

static int on_source(struct loader *ld, int key, yaml_node_t *value)
{
	struct ferry_config *cfg = ld->cfg;
	const char *v;
	int error;

	switch ((enum source_key)key) {
	case SRC_TYPE:
		if ((error = scalar(&v, ld, "source.type", value)) < 0)
			return error;
		if (strcmp(v, "salesforce-export") && strcmp(v, "salesforce"))
			return ferry_error_set(
			    FERRY_ECONFIG,
			    "%s:%zu: source type '%.80s' is not supported "
			    "yet (this ferry reads 'salesforce', through "
			    "the API, and 'salesforce-export', a folder of "
			    "CSV files; other sources come later)",
			    ld->path, line_of(value), v);
		free(cfg->source_type);
		cfg->source_type = ferry_xstrdup(v);
		return 0;
	case SRC_PATH:
		if ((error = scalar(&v, ld, "source.path", value)) < 0)
			return error;
		free(cfg->source_path);
		cfg->source_path = NULL;
		return resolve_path(&cfg->source_path, ld, "source.path", value,
		                    v);
	case SRC_LOGIN_URL:
		return set_url(&cfg->sf_login_url, ld, "source.login_url",
		               value);
	case SRC_AUTH: {
		size_t i;

		if ((error = scalar(&v, ld, "source.auth", value)) < 0)
			return error;
		for (i = 0; sf_auth_modes[i] && strcmp(sf_auth_modes[i], v);
		     i++)
			;
		if (!sf_auth_modes[i])
			return ferry_error_set(
			    FERRY_ECONFIG,
			    "%s:%zu: 'source.auth' is '%.80s'; use one of "
			    "client_credentials, refresh_token, jwt, "
			    "access_token, password",
			    ld->path, line_of(value), v);
		return set_string(&cfg->sf_auth, ld, "source.auth", value);
	}
	case SRC_API_VERSION: {
		double d;

		if ((error = scalar(&v, ld, "source.api_version", value)) < 0)
			return error;
		if (ferry_parse_double(v, &d) < 0 || d < 31 || d > 999 ||
		    !strchr(v, '.') || strlen(v) > 6)
			return ferry_error_set(
			    FERRY_ECONFIG,
			    "%s:%zu: 'source.api_version' must look like "
			    "\"66.0\" (31.0 or later), not '%.80s'",
			    ld->path, line_of(value), v);
		return set_string(&cfg->sf_api_version, ld,
		                  "source.api_version", value);
	}
	case SRC_INSTANCE_URL:
		return set_url(&cfg->sf_instance_url, ld, "source.instance_url",
		               value);
	case SRC_USERNAME:
		return set_string(&cfg->sf_username, ld, "source.username",
		                  value);
	case SRC_PRIVATE_KEY:
		if ((error = scalar(&v, ld, "source.private_key_file", value)) <
		    0)
			return error;
		free(cfg->sf_private_key_file);
		cfg->sf_private_key_file = NULL;
		return resolve_path(&cfg->sf_private_key_file, ld,
		                    "source.private_key_file", value, v);
	case SRC_CLIENT_ID_ENV:
		return set_env_name(&cfg->sf_client_id_env, ld,
		                    "source.client_id_env", value);
	case SRC_CLIENT_SECRET_ENV:
		return set_env_name(&cfg->sf_client_secret_env, ld,
		                    "source.client_secret_env", value);
	case SRC_REFRESH_TOKEN_ENV:
		return set_env_name(&cfg->sf_refresh_token_env, ld,
		                    "source.refresh_token_env", value);
	case SRC_ACCESS_TOKEN_ENV:
		return set_env_name(&cfg->sf_access_token_env, ld,
		                    "source.access_token_env", value);
	case SRC_PASSWORD_ENV:
		return set_env_name(&cfg->sf_password_env, ld,
		                    "source.password_env", value);
	case SRC_OBJECTS:
		return set_object_list(&cfg->sf_objects, &cfg->n_sf_objects, ld,
		                       "source.objects", value);
	case SRC_CUSTOM_OBJECTS:
		return set_object_list(&cfg->sf_custom_objects,
		                       &cfg->n_sf_custom_objects, ld,
		                       "source.custom_objects", value);
	case SRC_INCLUDE_DELETED:
		return set_bool(&cfg->sf_include_deleted, ld,
		                "source.include_deleted", value);
	case SRC_PAGE_SIZE:
		return set_count(&cfg->sf_page_size, ld, "source.page_size",
		                 value, 1, 1000000);
	}
	return 0;
}

static int on_destination(struct loader *ld, int key, yaml_node_t *value)
{
	struct ferry_config *cfg = ld->cfg;
	const char *v;
	int error;

	switch ((enum dest_key)key) {
	case DST_TYPE:
		if ((error = scalar(&v, ld, "destination.type", value)) < 0)
			return error;
		if (strcmp(v, "attio"))
			return ferry_error_set(
			    FERRY_ECONFIG,
			    "%s:%zu: destination type '%.80s' is not "
			    "supported (this ferry writes to 'attio')",
			    ld->path, line_of(value), v);
		free(cfg->dest_type);
		cfg->dest_type = ferry_xstrdup(v);
		return 0;
	case DST_BASE_URL:
		return set_url(&cfg->dest_base_url, ld, "destination.base_url",
		               value);
	case DST_TOKEN_ENV:
		return set_env_name(&cfg->dest_token_env, ld,
		                    "destination.token_env", value);
	case DST_RECORD_LIMIT:
		return set_count(&cfg->dest_record_limit, ld,
		                 "destination.record_limit", value, 1,
		                 INT64_MAX);
	case DST_WRITE:
		return set_rate(&cfg->dest_write_rate, ld,
		                "destination.write_rate", value);
	case DST_READ:
		return set_rate(&cfg->dest_read_rate, ld,
		                "destination.read_rate", value);
	case DST_HALT_RATE:
		return set_fraction(&cfg->dest_halt_error_rate, ld,
		                    "destination.halt_error_rate", value);
	}
	return 0;
}

static int on_top(struct loader *ld, int key, yaml_node_t *value)
{
	struct ferry_config *cfg = ld->cfg;
	const char *v;
	int64_t version;
	int error;

	switch ((enum top_key)key) {
	case TOP_VERSION:
		if ((error = scalar(&v, ld, "version", value)) < 0)
			return error;
		if (ferry_parse_i64(v, &version) < 0 || version != 1)
			return ferry_error_set(FERRY_ECONFIG,
			                       "%s:%zu: version '%.80s' is not "
			                       "one this ferry reads (it knows "
			                       "version 1)",
			                       ld->path, line_of(value), v);
		ld->has_version = true;
		return 0;
	case TOP_SOURCE:
		if ((error = need_mapping(ld, "source", value)) < 0)
			return error;
		return walk_mapping(ld, value, "source", source_keys,
		                    on_source);
	case TOP_DESTINATION:
		if ((error = need_mapping(ld, "destination", value)) < 0)
			return error;
		return walk_mapping(ld, value, "destination", dest_keys,
		                    on_destination);
	case TOP_CREDENTIALS:
		if ((error = scalar(&v, ld, "credentials_file", value)) < 0)
			return error;
		free(cfg->credentials_file);
		cfg->credentials_file = NULL;
		return resolve_path(&cfg->credentials_file, ld,
		                    "credentials_file", value, v);
	}
	return 0;
}

static int missing(struct loader *ld, const char *key, const char *what)
{
	return ferry_error_set(FERRY_ECONFIG, "%s: missing '%s' (%s)", ld->path,
	                       key, what);
}

static int read_file(struct ferry_buf *out, const char *path)
{
	char chunk[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	int error = 0;

	if (!f) {
		if (errno == ENOENT)
			return ferry_error_set(FERRY_ENOTFOUND,
			                       "no '%s' here (run 'ferry init' "
			                       "to write a starter one)",
			                       path);
		return ferry_error_set(FERRY_EIO, "cannot read '%s': %s", path,
		                       strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ferry_buf_put(out, chunk, n) < 0) {
			error = ferry_error_set(FERRY_ETOOBIG,
			                        "'%s' is larger than %zu bytes",
			                        path, out->max);
			goto done;
		}
	if (ferror(f))
		error = ferry_error_set(FERRY_EIO, "cannot read '%s': %s", path,
		                        strerror(errno));
done:
	fclose(f);
	return error;
}

int ferry_yaml_parse_error(const char *path, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_READER_ERROR)
		return ferry_error_set(FERRY_ECONFIG,
		                       "%s: %s at byte %zu (is it UTF-8 text?)",
		                       path, problem, p->problem_offset);
	if (p->context)
		return ferry_error_set(FERRY_ECONFIG, "%s:%zu:%zu: %s %s", path,
		                       p->problem_mark.line + 1,
		                       p->problem_mark.column + 1, problem,
		                       p->context);
	return ferry_error_set(FERRY_ECONFIG, "%s:%zu:%zu: %s", path,
	                       p->problem_mark.line + 1,
	                       p->problem_mark.column + 1, problem);
}

/* What each way of logging in needs besides its secrets. */
static int check_salesforce(struct loader *ld)
{
	struct ferry_config *cfg = ld->cfg;
	const char *auth = cfg->sf_auth ? cfg->sf_auth : "client_credentials";

	if (!strcmp(auth, "jwt") && !cfg->sf_username)
		return missing(ld, "source.username",
		               "the Salesforce user the JWT signs in as");
	if (!strcmp(auth, "jwt") && !cfg->sf_private_key_file)
		return missing(ld, "source.private_key_file",
		               "the PEM private key matching the connected "
		               "app's certificate, mode 0600");
	if (!strcmp(auth, "password") && !cfg->sf_username)
		return missing(ld, "source.username",
		               "the Salesforce user to sign in as");
	if (!strcmp(auth, "access_token") && !cfg->sf_instance_url)
		return missing(ld, "source.instance_url",
		               "the org URL the access token works on, e.g. "
		               "https://acme.my.salesforce.com");
	return 0;
}

static void set_defaults(struct ferry_config *cfg)
{
	if (!cfg->dest_base_url)
		cfg->dest_base_url = ferry_xstrdup(FERRY_ATTIO_DEFAULT_URL);
	if (!cfg->dest_token_env)
		cfg->dest_token_env =
		    ferry_xstrdup(FERRY_ATTIO_DEFAULT_TOKEN_ENV);
	if (strcmp(cfg->source_type, "salesforce"))
		return;
	if (!cfg->sf_login_url)
		cfg->sf_login_url = ferry_xstrdup(FERRY_SF_LOGIN_URL_DEFAULT);
	if (!cfg->sf_auth)
		cfg->sf_auth = ferry_xstrdup("client_credentials");
	if (!cfg->sf_api_version)
		cfg->sf_api_version =
		    ferry_xstrdup(FERRY_SF_API_VERSION_DEFAULT);
	if (!cfg->sf_client_id_env)
		cfg->sf_client_id_env = ferry_xstrdup("SF_CLIENT_ID");
	if (!cfg->sf_client_secret_env)
		cfg->sf_client_secret_env = ferry_xstrdup("SF_CLIENT_SECRET");
	if (!cfg->sf_refresh_token_env)
		cfg->sf_refresh_token_env = ferry_xstrdup("SF_REFRESH_TOKEN");
	if (!cfg->sf_access_token_env)
		cfg->sf_access_token_env = ferry_xstrdup("SF_ACCESS_TOKEN");
	if (!cfg->sf_password_env)
		cfg->sf_password_env = ferry_xstrdup("SF_PASSWORD");
}

int ferry_config_load(struct ferry_config **out, const char *path)
{
	struct ferry_buf text = FERRY_BUF_INIT;
	struct ferry_config *cfg = ferry_xcalloc(1, sizeof(*cfg));
	/* Messages say "ferry.yaml:7", not "./ferry.yaml:7". */
	struct loader ld = {ferry_str_starts_with(path, "./") ? path + 2 : path,
	                    NULL, cfg, false};
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool parser_ok = false, doc_ok = false;
	yaml_node_t *root;
	int error;

	*out = NULL;
	cfg->path = ferry_xstrdup(path);
	cfg->dest_write_rate = DEFAULT_WRITE_RATE;
	cfg->dest_read_rate = DEFAULT_READ_RATE;
	cfg->dest_halt_error_rate = DEFAULT_HALT_RATE;
	ferry_buf_init(&text, CONFIG_MAX);
	if ((error = read_file(&text, path)) < 0)
		goto done;

	if (!yaml_parser_initialize(&parser)) {
		error = ferry_error_set(FERRY_ERROR, "cannot start libyaml");
		goto done;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text.ptr,
	                             text.len);
	if (!yaml_parser_load(&parser, &doc)) {
		error = ferry_yaml_parse_error(ld.path, &parser);
		goto done;
	}
	doc_ok = true;
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "%s: the file is empty (see docs/"
		                        "config.md, or move it aside and run "
		                        "'ferry init')",
		                        path);
		goto done;
	}
	/* A second document would be silently ignored: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		error = ferry_yaml_parse_error(ld.path, &parser);
		goto done;
	}
	if (yaml_document_get_root_node(&extra)) {
		error = ferry_error_set(FERRY_ECONFIG,
		                        "%s:%zu: more than one YAML document "
		                        "('---'); ferry.yaml holds one",
		                        path, extra.start_mark.line + 1);
		yaml_document_delete(&extra);
		goto done;
	}
	yaml_document_delete(&extra);

	if (root->type != YAML_MAPPING_NODE) {
		error =
		    ferry_error_set(FERRY_ECONFIG,
		                    "%s:%zu: expected 'key: value' settings "
		                    "at the top level",
		                    path, line_of(root));
		goto done;
	}
	if ((error = walk_mapping(&ld, root, NULL, top_keys, on_top)) < 0)
		goto done;
	if (!ld.has_version)
		error = missing(&ld, "version", "write 'version: 1'");
	else if (!cfg->source_type)
		error = missing(&ld, "source.type",
		                "'salesforce' or 'salesforce-export'");
	else if (!strcmp(cfg->source_type, "salesforce-export") &&
	         !cfg->source_path)
		error = missing(&ld, "source.path",
		                "the export folder, relative to ferry.yaml");
	else if (!strcmp(cfg->source_type, "salesforce") &&
	         (error = check_salesforce(&ld)) < 0)
		;
	else if (!cfg->dest_type)
		error = missing(&ld, "destination.type", "'attio'");
done:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	ferry_buf_release(&text);
	if (error == 0) {
		set_defaults(cfg);
		*out = cfg;
		cfg = NULL;
	}
	ferry_config_free(cfg);
	return error;
}

static void free_list(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void ferry_config_free(struct ferry_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->source_type);
	free(cfg->source_path);
	free(cfg->dest_type);
	free(cfg->dest_base_url);
	free(cfg->dest_token_env);
	free(cfg->credentials_file);
	free(cfg->sf_login_url);
	free(cfg->sf_auth);
	free(cfg->sf_api_version);
	free(cfg->sf_instance_url);
	free(cfg->sf_username);
	free(cfg->sf_private_key_file);
	free(cfg->sf_client_id_env);
	free(cfg->sf_client_secret_env);
	free(cfg->sf_refresh_token_env);
	free(cfg->sf_access_token_env);
	free(cfg->sf_password_env);
	free_list(cfg->sf_objects, cfg->n_sf_objects);
	free_list(cfg->sf_custom_objects, cfg->n_sf_custom_objects);
	free(cfg);
}

int ferry_config_write_default(const char *dir)
{
	char *path = ferry_xasprintf("%s/" FERRY_CONFIG_FILE, dir);
	size_t off = 0, len = sizeof(default_config) - 1;
	ssize_t n;
	int fd, error = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			error =
			    ferry_error_set(FERRY_EEXISTS,
			                    "'%s' already exists (ferry never "
			                    "overwrites it)",
			                    path);
		else
			error =
			    ferry_error_set(FERRY_EIO, "cannot create '%s': %s",
			                    path, strerror(errno));
		goto done;
	}
	while (off < len) {
		n = write(fd, default_config + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error =
			    ferry_error_set(FERRY_EIO, "cannot write '%s': %s",
			                    path, strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
done:
	if (fd >= 0 && close(fd) < 0 && error == 0)
		error = ferry_error_set(FERRY_EIO, "cannot write '%s': %s",
		                        path, strerror(errno));
	free(path);
	return error;
}
