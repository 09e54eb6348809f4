/* config.h: ferry.yaml, the workspace's configuration. It names the source
 * and the destination, their base URLs (the real ones by default, so the
 * same file works against the sandbox by changing a URL) and where the
 * credentials are: the name of an environment variable, or a credentials
 * file that must be mode 0600. Secrets themselves are never in ferry.yaml,
 * never on the command line, never in the workspace. */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include "ferry/buf.h"

#define FERRY_CONFIG_FILE             "ferry.yaml"
#define FERRY_ATTIO_DEFAULT_URL       "https://api.attio.com"
#define FERRY_ATTIO_DEFAULT_TOKEN_ENV "ATTIO_API_TOKEN"

struct ferry_config {
	char *path; /* the file it was read from */

	/* source: */
	char *source_type; /* "salesforce-export" */
	char *source_path; /* export folder, relative to the workspace */

	/* destination: */
	char *dest_type;        /* "attio" */
	char *dest_base_url;    /* default FERRY_ATTIO_DEFAULT_URL */
	char *dest_token_env;   /* default FERRY_ATTIO_DEFAULT_TOKEN_ENV */
	double dest_write_rate; /* writes per second, default 25 */
	double dest_read_rate;  /* reads per second, default 100 */

	char *credentials_file; /* optional NAME=value file, mode 0600 */
};

/* Reads and checks `path`. Unknown keys, wrong types and missing required
 * values are errors (FERRY_ECONFIG) naming the file and line:
 *   "ferry.yaml:7: unknown key 'destinaton' (did you mean 'destination'?)".
 * Relative paths in the file are resolved against the file's folder. */
int ferry_config_load(struct ferry_config **out, const char *path);
void ferry_config_free(struct ferry_config *cfg);

/* Writes the commented starter ferry.yaml into `dir`. FERRY_EEXISTS if one
 * is there already (it is never overwritten). */
int ferry_config_write_default(const char *dir);

/* Looks up a secret by name: first the environment variable `name`, then
 * the config's credentials file (lines NAME=value; the file must not be
 * readable by group or others). FERRY_ECONFIG with a message that names the
 * variable to set when it is in neither. `out` receives the value. */
int ferry_config_secret(const struct ferry_config *cfg, const char *name,
                        struct ferry_buf *out);

#endif
