/* export.h: a Salesforce Data Export or Data Loader folder as a source.
 * Every `<Object>.csv` in the folder is staged into the workspace as that
 * object, one file per transaction: a file that fails to parse leaves no
 * trace (the previous staging of that object, if any, stays), and the
 * error names the file, line and column. */
#ifndef FERRY_EXPORT_H
#define FERRY_EXPORT_H

#include "ferry/workspace.h"

/* The column every exported file must have: the Salesforce record id. */
#define FERRY_EXPORT_ID_COLUMN "Id"

struct ferry_export_file {
	char object[64];
	char path[1024];
	int64_t count;
};

/* Called after each file is staged; a non-zero return stops the walk. */
typedef int (*ferry_export_cb)(const struct ferry_export_file *f,
                               void *payload);

/* Stages every *.csv file in `dir` in name order. Returns 0, or the
 * first error (FERRY_EINVALID for a malformed file, FERRY_ENOTFOUND for a
 * missing or empty folder, FERRY_EDB, FERRY_EIO). */
int ferry_export_stage(struct ferry_workspace *ws, const char *dir,
                       ferry_export_cb cb, void *payload);

/* Stages one file as `object`. *count_out gets the number of records. */
int ferry_export_stage_file(struct ferry_workspace *ws, const char *path,
                            const char *object, int64_t *count_out);

#endif
