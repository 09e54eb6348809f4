/* salesforce.h: the Salesforce source connector. A session logs in with
 * OAuth 2.0 (client credentials, refresh token, JWT bearer signed RS256,
 * the legacy username-password flow, or a given access token), then sends
 * every call to the returned instance_url under the pinned API version,
 * refreshes once on 401 INVALID_SESSION_ID, and reports any other failure
 * with Salesforce's own errorCode and message. Extract reads the schema
 * (describeGlobal, describe of every object in scope, Tooling counts of
 * the org's automation) into the workspace's source facts and the records
 * through Bulk API 2.0 query jobs, streamed page by page into staging (a
 * REST query with nextRecordsUrl for objects Bulk cannot serve), then
 * checks each object's staged count against the source's own COUNT().
 * Secrets come from ferry_config_secret() and never reach a message, a log
 * or the workspace. */
#ifndef FERRY_SALESFORCE_H
#define FERRY_SALESFORCE_H

#include <jansson.h>

#include "ferry/config.h"
#include "ferry/http.h"
#include "ferry/workspace.h"

/* --- ids (sfid.c) --- */

/* Normalises a 15- or 18-char id to 18 chars (out must hold 19).
 * FERRY_EINVALID for anything else. An 18-char id is returned as given
 * (its checksum is Salesforce's, not recomputed). */
int ferry_sf_id18(char out[19], const char *id);

/* --- the session (auth.c, session.c) --- */

struct ferry_sf;

/* Reads the source settings of `cfg` and their secrets, logs in, and
 * checks the pinned API version against GET /services/data/ (the error
 * names the newest version the org offers). FERRY_EAUTH with the OAuth
 * `error` and `error_description` when the login is refused;
 * FERRY_ECONFIG when a setting or secret is missing. */
int ferry_sf_connect(struct ferry_sf **out, const struct ferry_config *cfg);
void ferry_sf_free(struct ferry_sf *sf);

const char *ferry_sf_instance_url(const struct ferry_sf *sf);
const char *ferry_sf_api_version(const struct ferry_sf *sf);
/* The org and user ids from the token's identity URL ("" if none). */
const char *ferry_sf_org_id(const struct ferry_sf *sf);

/* A call to the instance. `path` is relative to /services/data/vXX.X
 * ("/sobjects", "/jobs/query/750…/results?maxRecords=1000"), or starts
 * with "/services/" (a nextRecordsUrl). On a 401 INVALID_SESSION_ID the
 * session logs in again once (when its grant can) and repeats the call.
 * Returns 0 with `resp` for any 2xx; for anything else a negative code
 * whose message quotes Salesforce's errorCode and message and the call:
 *   "Salesforce refused GET /sobjects/Foo/describe: NOT_FOUND: The
 *    requested resource does not exist (HTTP 404)"
 * FERRY_EAUTH for 401/403 auth failures, FERRY_ERATELIMIT for
 * REQUEST_LIMIT_EXCEEDED (with the budget seen), FERRY_ENOTFOUND for 404,
 * FERRY_EINVALID for other 400s, FERRY_EHTTP otherwise. */
int ferry_sf_call(struct ferry_sf *sf, const char *method, const char *path,
                  const struct ferry_http_req *req,
                  struct ferry_http_response *resp);
/* ferry_sf_call for a JSON answer: *out is the parsed body (decref). */
int ferry_sf_get_json(struct ferry_sf *sf, const char *path, json_t **out);

/* The API calls this session spent, and the org's own count of its daily
 * budget from the last Sforce-Limit-Info header (-1 until seen). */
struct ferry_sf_usage {
	int64_t calls;     /* requests sent to the instance */
	int64_t logins;    /* token requests, the first included */
	int64_t bulk_jobs; /* Bulk API 2.0 query jobs created */
	int64_t api_used, api_max;
};
const struct ferry_sf_usage *ferry_sf_usage(const struct ferry_sf *sf);

/* The org's budget from GET /limits (-1 where the org did not say). */
struct ferry_sf_limits {
	int64_t api_max, api_remaining;
	int64_t bulk_jobs_max, bulk_jobs_remaining;
	int64_t bulk_storage_mb_max, bulk_storage_mb_remaining;
};
int ferry_sf_limits(struct ferry_sf *sf, struct ferry_sf_limits *out);

/* SELECT COUNT() FROM `object` (queryAll when `all`): the total. */
int ferry_sf_count(struct ferry_sf *sf, const char *object, bool all,
                   int64_t *out);

/* --- extract (describe.c, bulk.c, rest_query.c, extract.c) --- */

/* The objects extracted when ferry.yaml names none (plus the custom
 * objects it lists under source.custom_objects). */
extern const char *const ferry_sf_default_objects[];

/* Source facts written by extract (see ferry_facts_put):
 *   "salesforce/describeGlobal"     the describeGlobal body
 *   "salesforce/describe/<Object>"  each object's describe body
 *   "salesforce/tooling/<Kind>"     {"total":n,"by_object":{"Account":n}}
 *                                   for ApexTrigger, ApexClass, Flow,
 *                                   ValidationRule, WorkflowRule
 *   "salesforce/limits"             the /limits body
 *   "salesforce/extract"            {"instance_url","api_version",
 *                                   "started_at","finished_at","objects":
 *                                   {"Account":{"staged":n,"source":n,
 *                                   "method":"bulk"|"rest","all":bool}},
 *                                   "calls":n,"bulk_jobs":n} */

struct ferry_sf_extract_opts {
	/* Objects to extract; NULL: ferry_sf_default_objects + custom. */
	const char *const *objects;
	size_t n_objects;
	/* queryAll: include soft-deleted and archived records. */
	bool include_deleted;
	/* maxRecords per results page (default 50,000). */
	int64_t page_size;
	/* Ignore an unfinished earlier extract and start over. */
	bool restart;
	/* Poll interval bounds for Bulk jobs, ms (default 250 .. 5,000). */
	int64_t poll_min_ms, poll_max_ms;
};

/* What happened to one object; passed to the progress callback as each
 * object starts (done false), every few seconds while a long job or
 * download goes on (done false again), and when it ends (done true). */
struct ferry_sf_object_report {
	char object[64];
	bool done;
	bool resumed;       /* staged by the interrupted run: not fetched */
	bool skipped;       /* not in this org (not in describeGlobal) */
	char method[8];     /* "bulk" or "rest" */
	int64_t staged;     /* records staged */
	int64_t source;     /* the source's COUNT() */
	int64_t calls;      /* API calls spent on it */
	double seconds;
};
typedef void (*ferry_sf_progress_cb)(const struct ferry_sf_object_report *r,
                                     void *payload);

/* Extracts every object in scope into the workspace, the Bulk jobs of the
 * next few objects created ahead so that Salesforce works on them while
 * ferry reads another's results. An extract that was
 * interrupted resumes: objects it had staged completely are not fetched
 * again, and a Bulk job it had started is polled and read again rather
 * than created anew. A staged count that differs from the source's
 * COUNT() stops the extract with FERRY_ECONFLICT naming the object and
 * both numbers (the object stays staged, marked unverified, so analyze
 * can still look at it). */
int ferry_sf_extract(struct ferry_sf *sf, struct ferry_workspace *ws,
                     const struct ferry_sf_extract_opts *o,
                     ferry_sf_progress_cb cb, void *payload);

/* --- changes since the extract, for `ferry sync` (watermark.c, delta.c)
 * --- */

/* Where an object of the workspace stands against Salesforce: every
 * change made after `at` (Unix seconds, Salesforce's clock) is one the
 * staging may not have. Extract sets it to a moment before it read the
 * object (the Bulk job's createdDate, or the Date of Salesforce's answer
 * before a REST query); sync moves it forward once the changes it read
 * are written. Kept in the workspace's meta as "sf.watermark.<Object>":
 * {"at": "2026-11-01T00:00:00Z", "how": "..."}. */
struct ferry_sf_watermark {
	int64_t at;
	char how[64]; /* what set it, for `ferry sync` to show */
};
/* FERRY_ENOTFOUND when the object has none (staged from a Data Export
 * folder, or by a ferry that kept none). */
int ferry_sf_watermark_get(struct ferry_workspace *ws, const char *object,
                           struct ferry_sf_watermark *out);
int ferry_sf_watermark_set(struct ferry_workspace *ws, const char *object,
                           int64_t at, const char *how);

/* A record Salesforce changed, created or deleted: its 18-char id and
 * its fields in the shape staging keeps (the fields extract reads, values
 * as the Bulk CSV gives them; a deleted record's as queryAll gives them,
 * or NULL when only the deleted resource named it). Borrowed for the
 * call. */
struct ferry_sf_change {
	const char *id;
	bool deleted;
	json_t *fields;
};
typedef int (*ferry_sf_change_cb)(const struct ferry_sf_change *c,
                                  void *payload);

struct ferry_sf_delta {
	int64_t since;    /* the window's start (Unix seconds) */
	int64_t covered;  /* Salesforce's latestDateCovered: the next
	                     watermark once the changes are written */
	int64_t earliest; /* earliestDateAvailable of the deleted resource */
	int64_t changed, deleted; /* records passed to the callback */
	int64_t calls;            /* API calls spent */
};

/* The overlap: a change is looked for from this long before the
 * watermark, so a write whose transaction began before the watermark but
 * committed after the extract read the object is not missed (re-reading
 * a record that did not change costs no destination call). */
#define FERRY_SF_SYNC_OVERLAP_S (10 * 60)
/* Salesforce answers the deleted and updated resources for 30 days back
 * at most; a watermark older than that cannot be followed. */
#define FERRY_SF_SYNC_MAX_AGE_S (30 * 86400)

/* What changed in `object` since `since` - FERRY_SF_SYNC_OVERLAP_S: first
 * GET /sobjects/<object>/deleted/ (the deleted ids, and Salesforce's
 * latestDateCovered as the next watermark), then `SELECT <the fields
 * extract reads> FROM <object> WHERE SystemModstamp >= <start>` through
 * queryAll, page by page: each live record to `cb` as changed, each
 * IsDeleted one (and each id of the deleted resource) as deleted, each
 * once. The fields come from the describe extract saved. FERRY_ECONFIG,
 * saying to extract again, when the window is older than Salesforce
 * keeps (30 days, or the recycle bin's earliestDateAvailable), when the
 * object has no SystemModstamp, or its describe is not in the workspace;
 * a field Salesforce no longer has is its INVALID_FIELD, said the same
 * way. */
int ferry_sf_delta(struct ferry_sf *sf, struct ferry_workspace *ws,
                   const char *object, int64_t since, ferry_sf_change_cb cb,
                   void *payload, struct ferry_sf_delta *out);

#endif
