/* sandbox.h: ferry-sandbox, local stand-ins for the CRM APIs ferry talks
 * to. One binary, one entry per stand-in (after curl's tests/server), each
 * a main-like function taking the arguments after the stand-in's name. */
#ifndef FERRY_SANDBOX_H
#define FERRY_SANDBOX_H

struct sandbox_entry {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

/* ferry-sandbox attio [options]: the Attio REST API v2 stand-in. */
int sandbox_attio_main(int argc, char **argv);
/* ferry-sandbox salesforce [options]: the Salesforce REST API, Bulk API
 * 2.0, Tooling API and OAuth token endpoint stand-in. */
int sandbox_salesforce_main(int argc, char **argv);

#endif
