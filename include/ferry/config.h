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
#define FERRY_SF_LOGIN_URL_DEFAULT    "https://login.salesforce.com"
#define FERRY_SF_API_VERSION_DEFAULT  "66.0"

struct ferry_config {
	char *path; /* the file it was read from */

	/* source: */
	char *source_type; /* "salesforce-export" or "salesforce" */
	char *source_path; /* export folder, relative to the workspace */

	/* source, type salesforce: */
	char *sf_login_url;  /* default FERRY_SF_LOGIN_URL_DEFAULT */
	char *sf_auth;       /* client_credentials | refresh_token | jwt |
	                        access_token | password */
	char *sf_api_version; /* "66.0" */
	char *sf_instance_url; /* access_token mode: where the token works */
	char *sf_username;     /* jwt `sub`, password flow */
	char *sf_private_key_file; /* jwt: a PEM key, mode 0600 */
	/* Names of the environment variables (or credentials-file entries)
	 * holding each secret; defaults SF_CLIENT_ID, SF_CLIENT_SECRET,
	 * SF_REFRESH_TOKEN, SF_ACCESS_TOKEN, SF_PASSWORD. */
	char *sf_client_id_env, *sf_client_secret_env, *sf_refresh_token_env;
	char *sf_access_token_env, *sf_password_env;
	char **sf_objects;        /* NULL: the default set */
	size_t n_sf_objects;
	char **sf_custom_objects; /* added to the default set */
	size_t n_sf_custom_objects;
	bool sf_include_deleted;  /* queryAll */
	int64_t sf_page_size;     /* Bulk results maxRecords; 0: default */

	/* destination: */
	char *dest_type;        /* "attio" */
	char *dest_base_url;    /* default FERRY_ATTIO_DEFAULT_URL */
	char *dest_token_env;   /* default FERRY_ATTIO_DEFAULT_TOKEN_ENV */
	double dest_write_rate; /* writes per second, default 25 */
	double dest_read_rate;  /* reads per second, default 100 */
	int64_t dest_record_limit; /* the plan's record cap; 0: unknown */
	/* `ferry run` halts when more than this fraction of the last 200
	 * writes were refused; default 0.2, 1: never. */
	double dest_halt_error_rate;

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

/* Reads a file that holds a secret (a credentials file, a private key)
 * into `out` (whose cap bounds it), refusing one that group or others may
 * read, with messages that call it `what` ("credentials file"). */
int ferry_secret_file_read(struct ferry_buf *out, const char *path,
                           const char *what);

#endif
