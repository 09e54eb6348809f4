/* csv_fuzzer.c: feeds arbitrary bytes to the CSV reader and reads every
 * record, touching every field, so a crash, a leak or an out-of-bounds
 * read in the parser shows up under the sanitizers. */
#include "util.h"

#include "ferry/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the reads of every field from being optimized away. */
static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ferry_csv *c = NULL;
	size_t i, sum = 0;
	int error;

	if (ferry_csv_open_mem(&c, "fuzz.csv", (const char *)data, size) < 0)
		return 0;
	for (i = 0; i < ferry_csv_columns(c); i++)
		sum += strlen(ferry_csv_header(c, i));
	(void)ferry_csv_column_index(c, "Id");
	while ((error = ferry_csv_next(c)) == 1) {
		for (i = 0; i < ferry_csv_columns(c); i++) {
			const char *f = ferry_csv_field(c, i);

			/* The length must agree with the string. */
			if (strlen(f) != ferry_csv_field_len(c, i))
				abort();
			sum += ferry_csv_field_len(c, i);
		}
		sum += ferry_csv_line(c);
	}
	if (error < 0 && !*ferry_error_last())
		abort();
	ferry_csv_free(c);
	sink = sum;
	return 0;
}
