/* config.c: tests for ferry.yaml (the starter file, every kind of mistake
 * and its line) and for looking up secrets. */
#include "helpers.h"
#include "util.h"

#include <sys/stat.h>

#include "ferry/config.h"

#define TOKEN_VALUE "tok-s3cr3t-value-9f8e7d"

/* Writes `text` as dir/ferry.yaml and loads it; returns the code. */
static int load_text(struct ferry_config **out, const char *dir,
                     const char *text)
{
	char *path = test_write_file(dir, "ferry.yaml", text, strlen(text));
	int error = ferry_config_load(out, path);

	free(path);
	return error;
}

/* Loads `text` expecting FERRY_ECONFIG and a message containing `want`
 * (with "ferry.yaml" standing for the file's full path). */
static void expect_error(const char *text, const char *want)
{
	char *dir = test_tmpdir("config-bad");
	char *full = ferry_xasprintf("%s/ferry.yaml%s", dir,
	                             want + strlen("ferry.yaml"));
	struct ferry_config *cfg = NULL;

	assert_int_equal(load_text(&cfg, dir, text), FERRY_ECONFIG);
	assert_null(cfg);
	if (!strstr(ferry_error_last(), full))
		fail_msg("wanted '%s' in '%s'", full, ferry_error_last());
	free(full);
	free(dir);
}

static void test_default_file(void **state)
{
	char *dir = test_tmpdir("config-default");
	char *path = ferry_xasprintf("%s/ferry.yaml", dir);
	char *export = ferry_xasprintf("%s/export", dir);
	struct ferry_config *cfg = NULL;

	(void)state;
	assert_int_equal(ferry_config_write_default(dir), 0);
	assert_int_equal(ferry_config_write_default(dir), FERRY_EEXISTS);
	assert_int_equal(ferry_config_load(&cfg, path), 0);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->source_type, "salesforce-export");
	assert_string_equal(cfg->source_path, export);
	assert_string_equal(cfg->dest_type, "attio");
	assert_string_equal(cfg->dest_base_url, FERRY_ATTIO_DEFAULT_URL);
	assert_string_equal(cfg->dest_token_env, FERRY_ATTIO_DEFAULT_TOKEN_ENV);
	assert_true(cfg->dest_write_rate == 25.0);
	assert_true(cfg->dest_read_rate == 100.0);
	assert_true(cfg->dest_halt_error_rate == 0.2);
	assert_null(cfg->credentials_file);
	ferry_config_free(cfg);
	ferry_config_free(NULL);
	free(export);
	free(path);
	free(dir);
}

static void test_minimal_file_gets_defaults(void **state)
{
	char *dir = test_tmpdir("config-min");
	struct ferry_config *cfg = NULL;

	(void)state;
	assert_int_equal(load_text(&cfg, dir,
	                           "version: 1\n"
	                           "source: {type: salesforce-export, path: "
	                           "/data/export}\n"
	                           "destination:\n"
	                           "  type: attio\n"
	                           "  base_url: http://127.0.0.1:8080/\n"
	                           "  write_rate: 2.5\n"),
	                 0);
	assert_string_equal(cfg->source_path, "/data/export");
	assert_string_equal(cfg->dest_base_url, "http://127.0.0.1:8080");
	assert_string_equal(cfg->dest_token_env, "ATTIO_API_TOKEN");
	assert_true(cfg->dest_write_rate == 2.5);
	assert_true(cfg->dest_read_rate == 100.0);
	assert_true(cfg->dest_halt_error_rate == 0.2);
	ferry_config_free(cfg);
	free(dir);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error("version: 1\n"
	             "source:\n"
	             "  type: salesforce-export\n"
	             "  path: export\n"
	             "destinaton:\n"
	             "  type: attio\n",
	             "ferry.yaml:5: unknown key 'destinaton' (did you mean "
	             "'destination'?)");
	expect_error("version: 1\n"
	             "source:\n"
	             "  type: salesforce-export\n"
	             "  pth: export\n",
	             "ferry.yaml:4: unknown key 'pth' in 'source' (did you "
	             "mean 'path'?)");
	expect_error("version: 1\n"
	             "colour: blue\n",
	             "ferry.yaml:2: unknown key 'colour' (known keys: version, "
	             "source, destination, credentials_file)");
	expect_error("version: 1\nversion: 1\n",
	             "ferry.yaml:2: 'version' is given twice");
}

static void test_bad_values(void **state)
{
	static const char head[] = "version: 1\n"
	                           "source:\n"
	                           "  type: salesforce-export\n"
	                           "  path: export\n"
	                           "destination:\n"
	                           "  type: attio\n";
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), "%s  write_rate: fast\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.write_rate' must be a "
	                   "positive number");
	snprintf(text, sizeof(text), "%s  read_rate: -3\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.read_rate' must be a "
	                   "positive number");
	snprintf(text, sizeof(text), "%s  halt_error_rate: 1.5\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.halt_error_rate' must "
	                   "be a fraction above 0 and at most 1");
	snprintf(text, sizeof(text), "%s  halt_error_rate: 0\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.halt_error_rate' must");
	snprintf(text, sizeof(text), "%s  write_rate: [1, 2]\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.write_rate' must be a "
	                   "single value");
	snprintf(text, sizeof(text), "%s  base_url: ftp://x\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.base_url' must start");
	snprintf(text, sizeof(text), "%s  token_env: sk_live abc\n", head);
	expect_error(text, "ferry.yaml:7: 'destination.token_env' must be");
	expect_error("version: 2\n", "ferry.yaml:1: version '2' is not one");
	expect_error("version: 1\nsource:\n  type: salesforce-api\n",
	             "ferry.yaml:3: source type 'salesforce-api' is not "
	             "supported yet");
	expect_error("version: 1\nsource:\n  type: salesforce-export\n"
	             "  path: x\ndestination:\n  type: hubspot\n",
	             "ferry.yaml:6: destination type 'hubspot' is not");
	expect_error("version: 1\nsource: export\n",
	             "ferry.yaml:2: 'source' must be a mapping");
	expect_error("source:\n  type: salesforce-export\n",
	             "ferry.yaml: missing 'version'");
	expect_error("version: 1\nsource:\n  type: salesforce-export\n",
	             "ferry.yaml: missing 'source.path'");
	expect_error("version: 1\nsource:\n  type: salesforce-export\n"
	             "  path: x\n",
	             "ferry.yaml: missing 'destination.type'");
	expect_error("- a\n- b\n", "ferry.yaml:1: expected 'key: value'");
	expect_error("", "ferry.yaml: the file is empty");
	expect_error("version: 1\n---\nversion: 1\n",
	             "ferry.yaml:2: more than one YAML document");
}

static void test_bad_yaml(void **state)
{
	(void)state;
	expect_error("version: 1\nsource:\n  type: [salesforce\n",
	             "ferry.yaml:4:1: ");
	expect_error("version: 1\nsource: a: b\n",
	             "ferry.yaml:2:10: mapping values are not allowed");
}

static void test_missing_file(void **state)
{
	char *dir = test_tmpdir("config-missing");
	char *path = ferry_xasprintf("%s/ferry.yaml", dir);
	struct ferry_config *cfg = NULL;

	(void)state;
	assert_int_equal(ferry_config_load(&cfg, path), FERRY_ENOTFOUND);
	assert_non_null(strstr(ferry_error_last(), "ferry init"));
	free(path);
	free(dir);
}

static void test_paths(void **state)
{
	char *dir = test_tmpdir("config-paths");
	char *sub = ferry_xasprintf("%s/inner", dir);
	char *path = ferry_xasprintf("%s/inner/ferry.yaml", dir);
	char *want_src = ferry_xasprintf("%s/inner/../data/export", dir);
	const char *home = getenv("HOME");
	struct ferry_config *cfg = NULL;
	char *yaml;

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	yaml = test_write_file(
	    sub, "ferry.yaml",
	    "version: 1\n"
	    "source:\n"
	    "  type: salesforce-export\n"
	    "  path: ../data/export\n"
	    "destination:\n"
	    "  type: attio\n"
	    "credentials_file: ~/.config/ferry/creds\n",
	    strlen("version: 1\n"
	           "source:\n"
	           "  type: salesforce-export\n"
	           "  path: ../data/export\n"
	           "destination:\n"
	           "  type: attio\n"
	           "credentials_file: ~/.config/ferry/creds\n"));
	setenv("HOME", "/home/tester", 1);
	assert_int_equal(ferry_config_load(&cfg, path), 0);
	assert_string_equal(cfg->source_path, want_src);
	assert_string_equal(cfg->credentials_file,
	                    "/home/tester/.config/ferry/creds");
	ferry_config_free(cfg);
	if (home)
		setenv("HOME", home, 1);
	else
		unsetenv("HOME");
	free(yaml);
	free(want_src);
	free(path);
	free(sub);
	free(dir);
}

static struct ferry_config *
config_with_credentials(const char *dir, const char *creds, mode_t mode)
{
	struct ferry_config *cfg = NULL;
	char *credpath =
	    test_write_file(dir, "credentials", creds, strlen(creds));
	char *text = ferry_xasprintf("version: 1\n"
	                             "source: {type: salesforce-export, path: "
	                             "x}\n"
	                             "destination: {type: attio}\n"
	                             "credentials_file: credentials\n");

	assert_int_equal(chmod(credpath, mode), 0);
	assert_int_equal(load_text(&cfg, dir, text), 0);
	assert_string_equal(cfg->credentials_file, credpath);
	free(text);
	free(credpath);
	return cfg;
}

static void test_secret_from_env(void **state)
{
	char *dir = test_tmpdir("config-env");
	struct ferry_config *cfg =
	    config_with_credentials(dir, "FERRY_TEST_TOKEN=from-file\n", 0600);
	struct ferry_buf v = FERRY_BUF_INIT;

	(void)state;
	setenv("FERRY_TEST_TOKEN", TOKEN_VALUE, 1);
	assert_int_equal(ferry_config_secret(cfg, "FERRY_TEST_TOKEN", &v), 0);
	assert_string_equal(v.ptr, TOKEN_VALUE);
	unsetenv("FERRY_TEST_TOKEN");
	ferry_buf_release(&v);
	ferry_config_free(cfg);
	free(dir);
}

static void test_secret_from_file(void **state)
{
	char *dir = test_tmpdir("config-file");
	struct ferry_config *cfg =
	    config_with_credentials(dir,
	                            "# ferry credentials\n"
	                            "\n"
	                            "OTHER_TOKEN=nope\n"
	                            "  FERRY_TEST_TOKEN = " TOKEN_VALUE "  \n"
	                            "export QUOTED_TOKEN=\"q-value\"\n",
	                            0600);
	struct ferry_buf v = FERRY_BUF_INIT;

	(void)state;
	unsetenv("FERRY_TEST_TOKEN");
	unsetenv("QUOTED_TOKEN");
	assert_int_equal(ferry_config_secret(cfg, "FERRY_TEST_TOKEN", &v), 0);
	assert_string_equal(v.ptr, TOKEN_VALUE);
	assert_int_equal(ferry_config_secret(cfg, "QUOTED_TOKEN", &v), 0);
	assert_string_equal(v.ptr, "q-value");

	ferry_buf_clear(&v);
	assert_int_equal(ferry_config_secret(cfg, "ABSENT_TOKEN", &v),
	                 FERRY_ECONFIG);
	assert_non_null(strstr(ferry_error_last(), "'ABSENT_TOKEN'"));
	assert_null(strstr(ferry_error_last(), TOKEN_VALUE));
	assert_null(strstr(ferry_error_last(), "nope"));
	assert_string_equal(v.ptr, "");
	ferry_buf_release(&v);
	ferry_config_free(cfg);
	free(dir);
}

static void test_secret_file_too_open(void **state)
{
	char *dir = test_tmpdir("config-0644");
	struct ferry_config *cfg = config_with_credentials(
	    dir, "FERRY_TEST_TOKEN=" TOKEN_VALUE "\n", 0644);
	struct ferry_buf v = FERRY_BUF_INIT;
	char *want =
	    ferry_xasprintf("credentials file '%s' is readable by "
	                    "others (mode 0644): run chmod 600 '%s'",
	                    cfg->credentials_file, cfg->credentials_file);

	(void)state;
	unsetenv("FERRY_TEST_TOKEN");
	assert_int_equal(ferry_config_secret(cfg, "FERRY_TEST_TOKEN", &v),
	                 FERRY_ECONFIG);
	assert_string_equal(ferry_error_last(), want);
	assert_string_equal(v.ptr, "");
	free(want);
	ferry_buf_release(&v);
	ferry_config_free(cfg);
	free(dir);
}

static void test_secret_missing(void **state)
{
	char *dir = test_tmpdir("config-nosecret");
	struct ferry_config *cfg = NULL;
	struct ferry_buf v = FERRY_BUF_INIT;

	(void)state;
	setenv("OTHER_SECRET", TOKEN_VALUE, 1);
	unsetenv("ATTIO_API_TOKEN_TEST");
	assert_int_equal(ferry_config_write_default(dir), 0);
	assert_int_equal(load_text(&cfg, dir,
	                           "version: 1\n"
	                           "source: {type: salesforce-export, path: "
	                           "x}\n"
	                           "destination: {type: attio}\n"),
	                 0);
	assert_int_equal(ferry_config_secret(cfg, "ATTIO_API_TOKEN_TEST", &v),
	                 FERRY_ECONFIG);
	assert_string_equal(
	    ferry_error_last(),
	    "environment variable 'ATTIO_API_TOKEN_TEST' is not "
	    "set: export it (or add ATTIO_API_TOKEN_TEST=... "
	    "to a 0600 credentials file named in ferry.yaml)");
	assert_null(strstr(ferry_error_last(), TOKEN_VALUE));
	/* An empty variable counts as unset. */
	setenv("ATTIO_API_TOKEN_TEST", "", 1);
	assert_int_equal(ferry_config_secret(cfg, "ATTIO_API_TOKEN_TEST", &v),
	                 FERRY_ECONFIG);
	unsetenv("ATTIO_API_TOKEN_TEST");
	unsetenv("OTHER_SECRET");
	ferry_buf_release(&v);
	ferry_config_free(cfg);
	free(dir);
}

/* The Salesforce API source: every setting, the defaults, and what each
 * way of logging in needs. */
static void test_salesforce_source(void **state)
{
	char *dir = test_tmpdir("config-sf");
	char *key = ferry_xasprintf("%s/keys/sf.pem", dir);
	struct ferry_config *cfg = NULL;

	(void)state;
	assert_int_equal(
	    load_text(&cfg, dir,
	              "version: 1\n"
	              "source:\n"
	              "  type: salesforce\n"
	              "  login_url: https://acme.my.salesforce.com/\n"
	              "  auth: jwt\n"
	              "  username: int@acme.com\n"
	              "  private_key_file: keys/sf.pem\n"
	              "  api_version: \"62.0\"\n"
	              "  client_id_env: ACME_SF_ID\n"
	              "  objects: [Account, Contact]\n"
	              "  custom_objects:\n"
	              "    - Invoice__c\n"
	              "  include_deleted: true\n"
	              "  page_size: 10000\n"
	              "destination:\n"
	              "  type: attio\n"
	              "  record_limit: 100000\n"),
	    0);
	assert_string_equal(cfg->source_type, "salesforce");
	assert_null(cfg->source_path);
	assert_string_equal(cfg->sf_login_url, "https://acme.my.salesforce.com");
	assert_string_equal(cfg->sf_auth, "jwt");
	assert_string_equal(cfg->sf_username, "int@acme.com");
	assert_string_equal(cfg->sf_private_key_file, key);
	assert_string_equal(cfg->sf_api_version, "62.0");
	assert_string_equal(cfg->sf_client_id_env, "ACME_SF_ID");
	assert_string_equal(cfg->sf_client_secret_env, "SF_CLIENT_SECRET");
	assert_int_equal(cfg->n_sf_objects, 2);
	assert_string_equal(cfg->sf_objects[1], "Contact");
	assert_int_equal(cfg->n_sf_custom_objects, 1);
	assert_string_equal(cfg->sf_custom_objects[0], "Invoice__c");
	assert_true(cfg->sf_include_deleted);
	assert_int_equal(cfg->sf_page_size, 10000);
	assert_int_equal(cfg->dest_record_limit, 100000);
	ferry_config_free(cfg);

	assert_int_equal(load_text(&cfg, dir,
	                           "version: 1\nsource: {type: salesforce}\n"
	                           "destination: {type: attio}\n"),
	                 0);
	assert_string_equal(cfg->sf_login_url, FERRY_SF_LOGIN_URL_DEFAULT);
	assert_string_equal(cfg->sf_auth, "client_credentials");
	assert_string_equal(cfg->sf_api_version, FERRY_SF_API_VERSION_DEFAULT);
	assert_string_equal(cfg->sf_client_id_env, "SF_CLIENT_ID");
	assert_null(cfg->sf_objects);
	assert_false(cfg->sf_include_deleted);
	ferry_config_free(cfg);

	expect_error("version: 1\nsource: {type: salesforce, auth: jwt}\n"
	             "destination: {type: attio}\n",
	             "ferry.yaml: missing 'source.username'");
	expect_error("version: 1\nsource: {type: salesforce, auth: "
	             "access_token}\ndestination: {type: attio}\n",
	             "ferry.yaml: missing 'source.instance_url'");
	expect_error("version: 1\nsource: {type: salesforce, auth: oauth}\n",
	             "ferry.yaml:2: 'source.auth' is 'oauth'");
	expect_error("version: 1\nsource: {type: salesforce, api_version: "
	             "v62}\n",
	             "ferry.yaml:2: 'source.api_version' must look like");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  objects: [Account, \"Drop Table\"]\n",
	             "ferry.yaml:4: 'Drop Table' in 'source.objects'");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  objects: Account\n",
	             "ferry.yaml:4: 'source.objects' must be a list");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  client_secret_env: s3cr3t-value!\n",
	             "ferry.yaml:4: 'source.client_secret_env' must be the "
	             "name");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  include_deleted: maybe\n",
	             "ferry.yaml:4: 'source.include_deleted' must be true");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  page_size: 0\n",
	             "ferry.yaml:4: 'source.page_size' must be a whole");
	expect_error("version: 1\nsource:\n  type: salesforce\n"
	             "  login_url: login.salesforce.com\n",
	             "ferry.yaml:4: 'source.login_url' must start with");
	free(key);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_file),
	    cmocka_unit_test(test_minimal_file_gets_defaults),
	    cmocka_unit_test(test_unknown_keys),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_bad_yaml),
	    cmocka_unit_test(test_missing_file),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_secret_from_env),
	    cmocka_unit_test(test_secret_from_file),
	    cmocka_unit_test(test_secret_file_too_open),
	    cmocka_unit_test(test_secret_missing),
	    cmocka_unit_test(test_salesforce_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
