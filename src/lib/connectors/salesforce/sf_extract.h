/* sf_extract.h: what the files of the Salesforce extract share (describe.c,
 * bulk.c, rest_query.c, extract.c): the run being made, the sink that turns
 * a results page into staged records, and the readers of Bulk API 2.0's
 * job info and results-page headers (fuzzed: fuzz/sf_bulk_fuzzer.c). */
#ifndef FERRY_SF_EXTRACT_H
#define FERRY_SF_EXTRACT_H

#include <jansson.h>

#include "ferry/http.h"
#include "ferry/salesforce.h"
#include "ferry/workspace.h"

/* A REST URL longer than this is refused before it is sent: Salesforce
 * answers 414 or 431 somewhere around 16 KB. */
#define FERRY_SF_URL_MAX 15000

/* One extract run: the options with their defaults filled in, where
 * progress goes, and the report of the object being extracted. */
struct ferry_sf__run {
	struct ferry_sf *sf;
	struct ferry_workspace *ws;
	bool all;          /* queryAll */
	int64_t page_size; /* maxRecords */
	int64_t poll_min_ms, poll_max_ms;
	char run_id[40];
	ferry_sf_progress_cb cb;
	void *payload;
	/* The object in hand. */
	struct ferry_sf_object_report rep;
	int64_t obj_started_us, obj_calls0, last_tick_us;
	/* Salesforce's time (Unix seconds) at or before the moment the
	 * object's records were read, so that a change made while they were
	 * read is after it: the Bulk job's createdDate, or the Date of the
	 * last answer before a REST query; 0 when unknown. What `ferry sync`
	 * starts from (watermark.c). */
	int64_t read_at;
};

/* Calls the progress callback with done=false when `force` or when the
 * last call is a few seconds old: a long job or download shows progress
 * rather than silence. */
void ferry_sf__progress(struct ferry_sf__run *r, bool force);

/* True if `error` came from ferry_sf_call refusing a call with
 * Salesforce's errorCode `sf_code`, e.g. "INVALID_FIELD". */
bool ferry_sf__is_sf_error(const struct ferry_sf *sf, int error,
                           const char *sf_code);

/* --- turning pages into staged records --- */

struct ferry_sf__sink {
	struct ferry_stage *st;
	const char *object;
	int64_t staged;  /* records added so far (also the next line - 1) */
	json_t *columns; /* the first page's header, to check later pages */
};

/* Stages every row of a Bulk CSV page (a whole CSV with its own header,
 * `name` for messages). The Id column is required and normalised to 18
 * characters; an empty field (Salesforce's null) is staged as "". */
int ferry_sf__stage_csv(struct ferry_sf__sink *s, const char *name,
                        const char *data, size_t len, int64_t *rows_out);
/* Stages one REST query record: every key but "attributes", scalars as
 * text in the shape the Bulk CSV gives them. */
int ferry_sf__stage_json(struct ferry_sf__sink *s, json_t *rec);
/* The same record as the JSON object staging keeps (*out, the caller's)
 * and its id normalised to 18 characters; FERRY_EINVALID without a valid
 * Id (`object` and `n`, its place, for the message). */
int ferry_sf__flatten(json_t *rec, const char *object, int64_t n, char id[19],
                      json_t **out);
void ferry_sf__sink_release(struct ferry_sf__sink *s);

/* --- Salesforce's times (watermark.c) --- */

/* "2026-11-01T00:00:00.000+0000" (also Z, +00:00, other offsets, no
 * fraction) into Unix seconds (a fraction is dropped). FERRY_EINVALID for
 * anything else. */
int ferry_sf__parse_time(const char *s, int64_t *out);
/* Unix seconds as "2026-11-01T00:00:00Z" (out: at least 24 bytes). */
void ferry_sf__format_time(int64_t t, char *out, size_t outlen);

/* --- Bulk API 2.0 (bulk.c) --- */

struct ferry_sf__job {
	char id[19];
	char state[24];     /* UploadComplete InProgress JobComplete ... */
	char operation[16]; /* query | queryAll */
	char object[64];
	char api_version[16]; /* "62.0" (a JSON number in the answer) */
	int64_t records;      /* numberRecordsProcessed; -1 if absent */
	char error_message[512];
	int64_t created; /* createdDate, Unix seconds; 0 if absent */
};
/* Reads a job info body. FERRY_EINVALID, naming what is wrong, unless it
 * is a JSON object with a valid job id and a state. */
int ferry_sf__bulk_parse_job(struct ferry_sf__job *out, const char *body,
                             size_t len);

struct ferry_sf__page {
	bool last;         /* Sforce-Locator was "null" */
	char locator[256]; /* the next page's locator unless last */
	int64_t records;   /* Sforce-NumberOfRecords; -1 if absent */
};
/* Reads a results page's headers. FERRY_EINVALID when Sforce-Locator is
 * missing or is not a plausible locator (the page would be the last one
 * only by guesswork: never guess). */
int ferry_sf__bulk_parse_page(struct ferry_sf__page *out,
                              const struct ferry_http_response *resp);

/* Creates the Bulk job for `object` ahead of its turn (unless this run
 * already has one) and stores its id, so Salesforce works on several
 * objects while ferry reads another's results. Sets *unsupported if Bulk
 * refuses the object. */
int ferry_sf__bulk_prepare(struct ferry_sf__run *r, const char *object,
                           const char *soql, bool *unsupported);

/* Extracts `object` with `soql` through a Bulk job (resuming the job the
 * interrupted run stored for it), staging it whole. Sets *unsupported
 * (and returns 0, staging nothing) if Bulk refuses the object. */
int ferry_sf__bulk_extract(struct ferry_sf__run *r, const char *object,
                           const char *soql, bool *unsupported,
                           int64_t *staged_out);

/* --- REST query (rest_query.c) --- */

/* Runs `soql` through `resource` ("/query", "/queryAll" or
 * "/tooling/query") and follows nextRecordsUrl to the end, calling
 * `page_cb` with each page's body. *total_out (may be NULL) receives the
 * first page's totalSize. */
int ferry_sf__rest_query(struct ferry_sf__run *r, const char *resource,
                         const char *soql,
                         int (*page_cb)(json_t *page, void *payload),
                         void *payload, int64_t *total_out);

/* Extracts `object` with `soql` through REST query/queryAll, staged whole;
 * *total_out is the query's own totalSize. */
int ferry_sf__rest_extract(struct ferry_sf__run *r, const char *object,
                           const char *soql, int64_t *staged_out,
                           int64_t *total_out);

/* ContentDocumentLink, which Salesforce serves only filtered by ids:
 * `WHERE <filter_field> IN (...)` over the staged ids of each object of
 * `parents` in chunks small enough for a URL. *total_out is the sum of
 * the chunks' totalSize. */
int ferry_sf__rest_extract_links(struct ferry_sf__run *r,
                                 const char *select_list,
                                 const char *filter_field,
                                 const char *const *parents, size_t n_parents,
                                 int64_t *staged_out, int64_t *total_out);

/* --- describe and the org's facts (describe.c) --- */

/* GET /sobjects, saved as the fact "salesforce/describeGlobal". */
int ferry_sf__describe_global(struct ferry_sf__run *r, json_t **out);
/* GET /sobjects/<object>/describe, saved as "salesforce/describe/<o>". */
int ferry_sf__describe_object(struct ferry_sf__run *r, const char *object,
                              json_t **out);
/* "Id, Name, ..." from a describe: every field but compound (address,
 * location), base64 and deprecated-and-hidden ones; Id is always there. */
int ferry_sf__select_list(struct ferry_buf *out, const json_t *describe,
                          const char *object);
/* The Tooling counts of the org's automation ("salesforce/tooling/<Kind>")
 * and the /limits body ("salesforce/limits"). */
int ferry_sf__tooling_facts(struct ferry_sf__run *r);
int ferry_sf__limits_fact(struct ferry_sf__run *r, json_t **out);

#endif
