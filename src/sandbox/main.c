/* main.c: ferry-sandbox's entry table and dispatcher. */
#include "util.h"

#include <stdio.h>
#include <string.h>

#include "sandbox.h"

static const struct sandbox_entry entries[] = {
    {"attio", "the Attio REST API v2 stand-in", sandbox_attio_main},
    {"salesforce",
     "the Salesforce REST, Bulk API 2.0, Tooling and OAuth stand-in",
     sandbox_salesforce_main},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ferry-sandbox <stand-in> [options]\n\n"
	           "Local stand-ins for the CRM APIs ferry talks to:\n");
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		fprintf(f, "  %-12s %s\n", entries[i].name, entries[i].summary);
	fprintf(f,
	        "\nRun 'ferry-sandbox <stand-in> --help' for its options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (!strcmp(argv[1], entries[i].name))
			return entries[i].main(argc - 1, argv + 1);
	fprintf(stderr, "ferry-sandbox: unknown stand-in '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
