/* destination.c: opening the destination of ferry.yaml for the commands
 * that talk to it (check, analyze, run). */
#include "util.h"
#include "cmd.h"
#include "ferry/attio.h"

int ferry_cli_open_attio(struct ferry_attio **out, struct ferry_cli *cli,
                         struct ferry_buf *token, struct ferry_buf *name)
{
	struct ferry_http_opts o;
	struct ferry_attio *attio = NULL;
	int error;

	if ((error = ferry_config_secret(cli->cfg, cli->cfg->dest_token_env,
	                                 token)) < 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.base_url = cli->cfg->dest_base_url;
	o.token = token->ptr;
	o.name = "Attio";
	o.read_rate = cli->cfg->dest_read_rate;
	o.write_rate = cli->cfg->dest_write_rate;
	if ((error = ferry_attio_new(&attio, &o)) < 0)
		goto done;
	if ((error = ferry_attio_check(attio, name)) < 0) {
		if (error == FERRY_EAUTH)
			ferry_error_wrap(error,
			                 "Attio refused the token in '%s'",
			                 cli->cfg->dest_token_env);
		goto done;
	}
	*out = attio;
	attio = NULL;
done:
	ferry_attio_free(attio);
	return error;
}
