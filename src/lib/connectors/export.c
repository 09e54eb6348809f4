/* export.c: stages a Salesforce Data Export / Data Loader folder. Each
 * <Object>.csv becomes the staged object <Object>; each row a record keyed
 * by its Id column, stored as a JSON object of column -> text. */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "util.h"
#include "ferry/csv.h"
#include "ferry/export.h"

static int object_name(char *out, size_t outlen, const char *file)
{
	size_t len = strlen(file), i;

	if (len <= 4 || strcmp(file + len - 4, ".csv") != 0)
		return FERRY_ENOTFOUND;
	len -= 4;
	if (len >= outlen)
		return ferry_error_set(FERRY_EINVALID,
		                       "file name '%s' is too long for an "
		                       "object name",
		                       file);
	for (i = 0; i < len; i++) {
		char c = file[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return ferry_error_set(
			    FERRY_EINVALID,
			    "'%s' is not named after a Salesforce object "
			    "(letters, digits and _ only): rename it to "
			    "<Object>.csv or move it out of the folder",
			    file);
	}
	memcpy(out, file, len);
	out[len] = '\0';
	return 0;
}

int ferry_export_stage_file(struct ferry_workspace *ws, const char *path,
                            const char *object, int64_t *count_out)
{
	struct ferry_csv *csv = NULL;
	struct ferry_stage *st = NULL;
	long id_col;
	int64_t count = 0;
	int error, more;

	if ((error = ferry_csv_open(&csv, path)) < 0)
		goto done;
	id_col = ferry_csv_column_index(csv, FERRY_EXPORT_ID_COLUMN);
	if (id_col < 0) {
		error = ferry_error_set(
		    FERRY_EINVALID,
		    "%s:1: no '%s' column: ferry tracks every record by its "
		    "Salesforce id, so export the Id field too",
		    ferry_csv_name(csv), FERRY_EXPORT_ID_COLUMN);
		goto done;
	}
	if ((error = ferry_stage_begin(&st, ws, object, path)) < 0)
		goto done;
	while ((more = ferry_csv_next(csv)) > 0) {
		const char *id = ferry_csv_field(csv, (size_t)id_col);

		if (!*id) {
			error = ferry_error_set(
			    FERRY_EINVALID,
			    "%s:%zu: the Id field is empty: every record "
			    "needs its Salesforce id",
			    ferry_csv_name(csv), ferry_csv_line(csv));
			goto done;
		}
		error = ferry_stage_add_csv(st, id,
		                            (int64_t)ferry_csv_line(csv), csv);
		if (error < 0) {
			ferry_error_wrap(error, "%s:%zu", ferry_csv_name(csv),
			                 ferry_csv_line(csv));
			goto done;
		}
	}
	if ((error = more) < 0)
		goto done;
	error = ferry_stage_commit(st, &count);
	st = NULL;
	if (error < 0)
		goto done;
	*count_out = count;
done:
	if (st)
		ferry_stage_abort(st);
	ferry_csv_free(csv);
	return error;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ferry_export_stage(struct ferry_workspace *ws, const char *dir,
                       ferry_export_cb cb, void *payload)
{
	DIR *d = NULL;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int error = 0;

	if (!(d = opendir(dir))) {
		error = ferry_error_set(
		    errno == ENOENT ? FERRY_ENOTFOUND : FERRY_EIO,
		    "cannot open the export folder '%s': %s (set "
		    "source.path in ferry.yaml)",
		    dir, strerror(errno));
		goto done;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len <= 4 ||
		    strcmp(e->d_name + len - 4, ".csv") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = ferry_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = ferry_xstrdup(e->d_name);
	}
	if (n == 0) {
		error = ferry_error_set(FERRY_ENOTFOUND,
		                        "no .csv files in the export folder "
		                        "'%s': expected Account.csv, "
		                        "Contact.csv, ...",
		                        dir);
		goto done;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !error; i++) {
		struct ferry_export_file f;

		memset(&f, 0, sizeof(f));
		if ((error =
		         object_name(f.object, sizeof(f.object), names[i])) < 0)
			break;
		snprintf(f.path, sizeof(f.path), "%s/%s", dir, names[i]);
		if ((error = ferry_export_stage_file(ws, f.path, f.object,
		                                     &f.count)) < 0)
			break;
		if (cb)
			error = cb(&f, payload);
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return error;
}
