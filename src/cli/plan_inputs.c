/* plan_inputs.c: what every command that plans reads (`ferry plan`, `ferry
 * queue`): mapping.yaml and, online, the destination's members and
 * attributes, so a re-plan of a few records sees exactly what a whole
 * plan sees. */
#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"
#include "ferry/mapfile.h"

static void on_problem(const char *problem, void *payload)
{
	FERRY_UNUSED(payload);
	fprintf(stderr, "%s\n", problem);
}

/* The Attio objects the mapping writes records to, NULL-terminated. */
static const char **dest_objects(const struct ferry_mapfile *m)
{
	const char **list = ferry_xcalloc(m->n_objects + 1, sizeof(*list));
	size_t i, j, n = 0;

	for (i = 0; i < m->n_objects; i++) {
		const struct ferry_mapfile_object *o = &m->objects[i];

		if (o->kind != FERRY_MF_RECORDS)
			continue;
		for (j = 0; j < n && strcmp(list[j], o->to); j++)
			;
		if (j == n)
			list[n++] = o->to;
	}
	return list;
}

json_t *ferry_cli_read_destination(struct ferry_cli *cli,
                                   const struct ferry_mapfile *m, bool quiet,
                                   struct ferry_attio **client_out)
{
	struct ferry_buf token = FERRY_BUF_INIT, name = FERRY_BUF_INIT;
	struct ferry_attio *attio = NULL;
	const char **objects = dest_objects(m);
	json_t *schema = NULL;
	int error;

	if (client_out)
		*client_out = NULL;
	if ((error = ferry_cli_open_attio(&attio, cli, &token, &name)) < 0 ||
	    (error = ferry_attio_schema(&schema, attio, objects)) < 0) {
		fprintf(
		    stderr,
		    "ferry %s: the destination was not read: %s\n"
		    "  Planning offline: owners are taken on the Salesforce "
		    "users' emails unchecked, attributes and options are not "
		    "checked. Use --offline to skip this step.\n",
		    cli->name, ferry_error_last());
		schema = NULL;
		goto done;
	}
	if (!quiet)
		printf("Checked against Attio workspace '%s' at %s.\n\n",
		       name.ptr, cli->cfg->dest_base_url);
	if (client_out) {
		/* The HTTP client keeps its own copy of the token. */
		*client_out = attio;
		attio = NULL;
	}
done:
	free(objects);
	ferry_attio_free(attio);
	ferry_buf_release(&token);
	ferry_buf_release(&name);
	return schema;
}

int ferry_cli_load_mapping(struct ferry_mapfile **out, struct ferry_cli *cli)
{
	/* Messages name the file as the user would type it. */
	char *path = strcmp(cli->dir, ".") ? ferry_xasprintf("%s/%s", cli->dir,
	                                                     FERRY_MAPFILE_FILE)
	                                   : ferry_xstrdup(FERRY_MAPFILE_FILE);
	struct ferry_mapfile *m = NULL;
	size_t i;
	int error;

	error = ferry_mapfile_load(&m, path);
	if (error == FERRY_ENOTFOUND)
		error = ferry_error_set(
		    FERRY_ECONFIG, "no mapping.yaml: run 'ferry analyze' to "
		                   "draft one");
	if (error < 0)
		goto done;
	for (i = 0; i < m->n_warnings; i++)
		fprintf(stderr, "warning: %s\n", m->warnings[i]);
	if ((error = ferry_mapfile_check_fields(m, cli->ws, on_problem, NULL)) <
	    0) {
		ferry_error_set(error,
		                "mapping.yaml names fields that were not "
		                "staged (listed above): correct them, then "
		                "run 'ferry plan' again");
		goto done;
	}
	*out = m;
	m = NULL;
done:
	ferry_mapfile_free(m);
	free(path);
	return error;
}
