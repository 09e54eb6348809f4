/* analyze.h: the readiness assessment. It reads what extract left in the
 * workspace (staged records, the source facts: describes, Tooling counts,
 * limits) and, when the destination answers, its members and attributes,
 * and builds one report: inventory, field profiles, automation, risks, a
 * status per object, a readiness score, a load-time estimate. The report
 * is a JSON document (reports/readiness.json) and a self-contained HTML
 * page drawn from it (reports/readiness.html); analyze also drafts
 * mapping.yaml without ever overwriting a person's edits. Records are
 * streamed from the workspace and duplicate and reference checks run in
 * SQLite, so memory does not grow with the org.
 *
 * The report (every key always present; null where unknown):
 * {
 *   "ferry_version": "0.1.0", "generated_at": "2026-11-23T10:00:00Z",
 *   "source": {"type": "salesforce"|"salesforce-export", "instance_url",
 *              "api_version", "extracted_at", "records": n},
 *   "destination": {"type": "attio", "reachable": bool, "write_rate": 25,
 *              "record_limit": n|null, "members": n|null},
 *   "score": {"value": 0..100, "status": "auto"|"partial"|"manual_review",
 *             "explanation": "one line", "formula": "the arithmetic"},
 *   "estimate": {"writes": n, "write_rate": 25, "seconds": s,
 *                "explanation": "one line"},
 *   "automation": {"apex_triggers": n, "apex_classes": n, "flows": n,
 *                  "validation_rules": n, "workflow_rules": n,
 *                  "known": bool},
 *   "objects": [{
 *      "name": "Account", "label": "Account", "count": n,
 *      "deleted": n, "destination": "companies"|null,
 *      "status": "auto"|"partial"|"manual_review",
 *      "status_reason": "one line",
 *      "automation": {"apex_triggers": n, "flows": n,
 *                     "validation_rules": n, "workflow_rules": n},
 *      "fields": [{
 *          "name": "Industry", "label": "Industry", "type": "picklist",
 *          "filled": n, "fill_rate": 0.0..1.0,
 *          "distinct": n, "distinct_exact": bool, "longest": n,
 *          "calculated": bool,
 *          "picklist": null | {"defined": n,
 *              "values": [{"value": "Banking", "count": n,
 *                          "defined": bool}]}}]}],
 *   "risks": [{
 *      "id": "duplicate_emails", "severity": "high"|"medium"|"low",
 *      "object": "Contact"|null, "title": "one line", "affected": n,
 *      "examples": ["003…: a@b.com (3 records)", …],  (at most 5)
 *      "action": "what to do, one or two sentences"}],
 *   "mapping": {"path": "mapping.yaml", "action": "written"|"updated"|
 *               "kept", "draft": "reports/mapping.draft.yaml"|null,
 *               "note": "one line"}
 * }
 */
#ifndef FERRY_ANALYZE_H
#define FERRY_ANALYZE_H

#include <jansson.h>

#include "ferry/buf.h"
#include "ferry/config.h"
#include "ferry/workspace.h"

/* What analyze may ask the destination. All NULL: analyze works offline
 * and says so in the report (owners and select options unchecked). */
struct ferry_analyze_dest {
	/* Workspace members: a JSON array of Attio member objects (the
	 * GET /v2/workspace_members "data"), or NULL. Borrowed. */
	json_t *members;
	/* Attributes per object: {"companies": [attribute, …], …} as GET
	 * /v2/objects/{o}/attributes gives them, options included under
	 * each select attribute's "options" array. Borrowed; may be NULL. */
	json_t *attributes;
};

struct ferry_analyze_opts {
	double write_rate;    /* destination writes/s (config) */
	int64_t record_limit; /* the destination plan's cap; 0: unknown */
	const struct ferry_analyze_dest *dest; /* NULL: offline */
	/* Distinct values counted exactly per field, then estimated. */
	size_t distinct_exact_max; /* default 1000 */
};

/* Builds the report from the workspace. *out is a new JSON object. */
int ferry_analyze_run(json_t **out, struct ferry_workspace *ws,
                      const struct ferry_analyze_opts *o);

/* Writes the draft mapping for `report` (from ferry_analyze_run) into the
 * workspace root: mapping.yaml when there is none, or when the one there
 * is still exactly as analyze last wrote it (its hash is kept in the
 * workspace meta); otherwise mapping.yaml is left alone and the draft goes
 * to reports/mapping.draft.yaml. Sets the report's "mapping" entry. */
int ferry_analyze_write_mapping(json_t *report, struct ferry_workspace *ws);

/* Renders the report as one self-contained HTML page (inline CSS and SVG
 * charts, no scripts or external assets) into `out`. */
int ferry_report_readiness_html(const json_t *report, struct ferry_buf *out);

/* Writes reports/readiness.json and reports/readiness.html (creating
 * reports/), each through a temporary file renamed into place. */
int ferry_analyze_write_reports(const json_t *report,
                                struct ferry_workspace *ws);

#endif
