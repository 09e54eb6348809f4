#!/usr/bin/env bash
# sf_extract.sh: a Salesforce org through the API, the way a user runs it:
# check, extract (counts checked against the source), analyze (reports and
# a mapping that keeps a person's edits), then load what was extracted.
# No secret may appear in any output, log or the workspace.
source "$(dirname "$0")/lib.sh"

start_sf_sandbox --scale small --bulk-polls 1
start_sandbox --write-rate 0
ws="$tmp/ws"
make_sf_workspace "$ws"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN

expect_exit 0 "$FERRY_BIN" -C "$ws" check
expect_output "Source: Salesforce at $sf_url \(API 66.0"
expect_output "daily API calls +[0-9]+ of 15000 left"
expect_output "Destination: Attio workspace"

expect_exit 0 "$FERRY_BIN" -C "$ws" extract --json
echo "$out" >"$tmp/extract.json"
python3 - "$tmp/extract.json" <<'PY' || fail "extract counts: $out"
import json, sys
d = json.load(open(sys.argv[1]))
objs = {o["object"]: o for o in d["objects"]}
for name in ["User", "Account", "Contact", "Lead", "Opportunity", "Task",
             "Event", "Case", "ContentDocumentLink"]:
    o = objs[name]
    assert o["staged"] == o["source"] > 0, o
assert objs["ContentDocumentLink"]["method"] == "rest", objs["ContentDocumentLink"]
assert objs["Account"]["method"] == "bulk"
assert d["total"] == sum(o["staged"] for o in d["objects"])
# No per-record calls: a handful per object, whatever its size.
n = len(d["objects"])
assert d["api_calls"] <= 10 * n + 10, (d["api_calls"], n)
for o in d["objects"]:
    assert o["calls"] <= 10, o
PY
[ "$(sf_stat bulk_jobs)" -ge 10 ] || fail "expected Bulk jobs, saw $(sf_stat bulk_jobs)"

# A finished extract, run again, starts a new run (every object fetched).
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_output "Every object's count matches Salesforce's own COUNT\(\)"

expect_exit 0 "$FERRY_BIN" -C "$ws" analyze
expect_output "Readiness: [0-9]+/100"
expect_output "Estimate: "
[ -s "$ws/reports/readiness.html" ] || fail "no readiness.html"
[ -s "$ws/reports/readiness.json" ] || fail "no readiness.json"
[ -s "$ws/mapping.yaml" ] || fail "no mapping.yaml"
grep -q "<script" "$ws/reports/readiness.html" && fail "script in the report"
python3 - "$ws/reports/readiness.json" <<'PY' || fail "readiness.json"
import json, sys
r = json.load(open(sys.argv[1]))
ids = {x["id"] for x in r["risks"]}
for want in ["duplicate_emails", "contacts_without_email",
             "activities_with_two_parents", "broken_references",
             "formula_fields", "attachments_too_large", "automation"]:
    assert want in ids, (want, sorted(ids))
assert r["automation"]["known"] is True
assert r["automation"]["apex_triggers"] > 0
assert 0 <= r["score"]["value"] <= 100 and r["score"]["explanation"]
assert r["estimate"]["seconds"] > 0
PY

# The mapping: rewritten while untouched, kept once a person edits it.
expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --json
echo "$out" | python3 -c 'import json,sys; assert json.load(sys.stdin)["mapping"]["action"] == "updated"' ||
	fail "an untouched mapping.yaml should be updated"
echo "# edited by a person" >>"$ws/mapping.yaml"
cp "$ws/mapping.yaml" "$tmp/mapping.edited"
expect_exit 0 "$FERRY_BIN" -C "$ws" analyze
expect_output "mapping.draft.yaml"
cmp -s "$ws/mapping.yaml" "$tmp/mapping.edited" || fail "analyze overwrote an edited mapping.yaml"
[ -s "$ws/reports/mapping.draft.yaml" ] || fail "no mapping.draft.yaml"

# What came through the API is planned and loads like an export does.
python3 "$FERRY_SOURCE_DIR/scripts/prepare_mapping.py" "$ws" ||
	fail "preparing mapping.yaml"
expect_exit 0 "$FERRY_BIN" -C "$ws" plan
got=0
"$FERRY_BIN" -C "$ws" run --yes >"$tmp/run.out" 2>&1 || got=$?
[ "$got" -eq 0 ] || [ "$got" -eq 6 ] || fail "run exited $got: $(cat "$tmp/run.out")"
# An Event still to come (the draft mapping makes events notes) would be a
# note dated in the future, which Attio refuses: the plan holds it instead,
# so Attio refuses nothing.
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
python3 -c "
import json, sys
d = json.loads(sys.argv[1])
assert all(o['failed'] == 0 for o in d['objects']), d
" "$out" || fail "unexpected refusals: $out"
[ "$got" -eq 0 ] || fail "run exited $got: $(cat "$tmp/run.out")"
[ "$(sandbox_stat records_per_object.companies)" -gt 0 ] || fail "no companies written"
[ "$(sandbox_stat records_per_object.people)" -gt 0 ] || fail "no people written"

# The client secret appears nowhere ferry writes.
grep -rqa "$SF_CLIENT_SECRET" "$ws" "$tmp"/*.json && fail "the client secret leaked into the workspace"
grep -qa "$SF_CLIENT_SECRET" "$tmp/sf.log" && fail "the client secret is in the sandbox log"
echo "ok"
