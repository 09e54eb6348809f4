#!/usr/bin/env bash
# sync.sh: `ferry sync` after a migration from the Salesforce stand-in to
# the Attio stand-in. The org is changed the documented way (REST PATCH,
# POST, DELETE through curl): one account's mapped field (its name), one
# account's unmapped field (its description), one new account, one
# contact deleted. The sync writes exactly the changed name, the new
# company and the delete (the Attio stand-in's write count says so); the
# unmapped change costs nothing; a second sync costs nothing; syncs
# killed at several points and run again miss nothing and write nothing
# twice; a
# dry run changes nothing; a watermark older than Salesforce keeps says to
# extract again; a Data Export workspace says it cannot sync.
source "$(dirname "$0")/lib.sh"

start_sf_sandbox --scale small --bulk-polls 1
start_sandbox --write-rate 0 --latency-ms 100
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
ws="$tmp/ws"
make_sf_workspace "$ws" "objects: [User, Account, Contact]"
cat >"$ws/mapping.yaml" <<'YAML'
version: 1
objects:
  Account:
    to: companies
    match: domains
    fields:
      Name: {to: name, type: text}
      Website: {to: domains, type: domain}
  Contact:
    to: people
    match: email_addresses
    fields:
      FirstName: {to: name, type: name, part: first_name}
      LastName: {to: name, type: name, part: last_name}
      Email: {to: email_addresses, type: email}
      AccountId: {to: company, type: reference, object: companies}
YAML

expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_exit 0 "$FERRY_BIN" -C "$ws" plan
got=0
"$FERRY_BIN" -C "$ws" run --yes >"$tmp/run.out" 2>&1 || got=$?
[ "$got" -eq 0 ] || [ "$got" -eq 6 ] || fail "run exited $got: $(cat "$tmp/run.out")"

# Salesforce, the documented way: the stand-in's REST API.
sf_api="$sf_url/services/data/v66.0"
sf_auth=(-H "Authorization: Bearer ferry-sandbox-access-token")
soql() {
	curl -sf "${sf_auth[@]}" -G "$sf_api/query" --data-urlencode "q=$1"
}
# py FILE EXPR: a value out of a JSON file.
py() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
ledger() {
	python3 - "$ws/.ferry/state.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute(sys.argv[2]).fetchone()[0])
PY
}
# Two companies ferry created, a person it created.
acc1=$(ledger "SELECT source_id FROM ledger WHERE object = 'Account' AND
               status = 'written' ORDER BY source_id LIMIT 1")
acc2=$(ledger "SELECT source_id FROM ledger WHERE object = 'Account' AND
               status = 'written' ORDER BY source_id LIMIT 1 OFFSET 1")
con=$(ledger "SELECT source_id FROM ledger WHERE object = 'Contact' AND
              status = 'written' AND op = 'created' ORDER BY source_id LIMIT 1")
[ -n "$acc1" ] && [ -n "$acc2" ] && [ -n "$con" ] ||
	fail "no records written to pick changes from: $(cat "$tmp/run.out")"
con_dest=$(ledger "SELECT dest_id FROM ledger WHERE object = 'Contact' AND source_id = '$con'")

# A dry run before anything changed: nothing to do.
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --dry-run --json
echo "$out" >"$tmp/dry0.json"
py "$tmp/dry0.json" "sum(o.get('new', 0) + o.get('changed', 0) + o.get('deleted', 0) for o in d['objects'])" >"$tmp/n"
[ "$(cat "$tmp/n")" -eq 0 ] || fail "changes before anything changed: $out"

curl -sf -o /dev/null -X PATCH "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Name": "Renamed By Sync Test"}' "$sf_api/sobjects/Account/$acc1" ||
	fail "PATCH of a mapped field"
curl -sf -o /dev/null -X PATCH "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Description": "only an unmapped field changed"}' \
	"$sf_api/sobjects/Account/$acc2" || fail "PATCH of an unmapped field"
new=$(curl -sf -X POST "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Name": "Brand New Sync Co", "Website": "https://brand-new-sync.example"}' \
	"$sf_api/sobjects/Account" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') ||
	fail "POST of a new account"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${sf_auth[@]}" \
	"$sf_api/sobjects/Contact/$con")
[ "$code" = 204 ] || fail "DELETE answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${sf_auth[@]}" \
	"$sf_api/sobjects/Contact/$con")
[ "$code" = 404 ] || fail "a second DELETE answered $code, not 404"
soql "SELECT Id FROM Contact WHERE Id = '$con'" | grep -q '"totalSize":0' ||
	fail "a deleted contact is still queried"

# The dry run sees them and changes nothing.
writes0=$(sandbox_stat writes)
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --dry-run --json
echo "$out" >"$tmp/dry.json"
python3 - "$tmp/dry.json" <<'PY' || fail "dry run: $out"
import json, sys
d = json.load(open(sys.argv[1]))
o = {x["object"]: x for x in d["objects"]}
assert o["Account"]["new"] == 1 and o["Account"]["changed"] == 2, o["Account"]
assert o["Contact"]["deleted"] == 1 and o["Contact"]["deleted_in_attio"] == 1, o["Contact"]
assert d["dry_run"] and not d["advanced"] and not d["loaded"]
PY
[ "$(sandbox_stat writes)" -eq "$writes0" ] || fail "the dry run wrote to Attio"

# The sync.
t0=$(date +%s%N)
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --json
sync_ms=$((($(date +%s%N) - t0) / 1000000))
echo "$out" >"$tmp/sync.json"
writes1=$(sandbox_stat writes)
delta=$((writes1 - writes0))
echo "sync: $delta Attio writes in $sync_ms ms"
python3 - "$tmp/sync.json" <<'PY' || fail "sync: $out"
import json, sys
d = json.load(open(sys.argv[1]))
o = {x["object"]: x for x in d["objects"]}
a, c = o["Account"], o["Contact"]
assert a["read"] >= 3 and a["new"] == 1 and a["changed"] == 1, a
assert a["unchanged"] == a["read"] - 2 and a["held"] == 0, a
assert c["deleted"] == 1 and c["deleted_in_attio"] == 1 and c["left"] == 0, c
assert d["advanced"] and d["loaded"] and d["attio_deletes"] == 1, d
PY
# Exactly: the renamed company, the new company, the deleted person; the
# account whose description changed costs nothing.
[ "$delta" -eq 3 ] || fail "the sync made $delta Attio writes, expected 3: $out"
ledger "SELECT status || ' ' || op FROM ledger WHERE object = 'Contact' AND source_id = '$con'" >"$tmp/st"
[ "$(cat "$tmp/st")" = "deleted created" ] || fail "ledger row of the deleted contact: $(cat "$tmp/st")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" \
	"$url/v2/objects/people/records/$con_dest")
[ "$code" = 404 ] || fail "the deleted contact's person is still in Attio ($code)"
ledger "SELECT count(*) FROM staged_records WHERE object = 'Contact' AND source_id = '$con'" >"$tmp/st"
[ "$(cat "$tmp/st")" -eq 0 ] || fail "the deleted contact is still staged"
ledger "SELECT count(*) FROM staged_records WHERE object = 'Account' AND source_id = '$new'" >"$tmp/st"
[ "$(cat "$tmp/st")" -eq 1 ] || fail "the new account is not staged"
company_named() {
	curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" -H "Content-Type: application/json" \
		-d "{\"filter\": {\"name\": \"$1\"}}" "$url/v2/objects/companies/records/query" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))'
}
[ "$(company_named "Renamed By Sync Test")" -eq 1 ] || fail "the renamed company is not in Attio"
[ "$(company_named "Brand New Sync Co")" -eq 1 ] || fail "the new company is not in Attio once"

# Nothing changed since: a second sync costs no Attio call.
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --json
echo "$out" >"$tmp/sync2.json"
[ "$(sandbox_stat writes)" -eq "$writes1" ] || fail "a second sync wrote to Attio: $out"
py "$tmp/sync2.json" "sum(o.get('new', 0) + o.get('changed', 0) + o.get('deleted', 0) for o in d['objects'])" >"$tmp/n"
[ "$(cat "$tmp/n")" -eq 0 ] || fail "a second sync saw changes: $out"

# Killed midway and run again: another rename, another new account,
# another deleted contact; each kill point (after the staging, after the
# plan, after the first Attio write) and a run to the end write them once
# between them: 3 writes, as an uninterrupted sync.
acc3=$(ledger "SELECT source_id FROM ledger WHERE object = 'Account' AND
               status = 'written' ORDER BY source_id LIMIT 1 OFFSET 2")
con2=$(ledger "SELECT source_id FROM ledger WHERE object = 'Contact' AND
               status = 'written' AND op = 'created' ORDER BY source_id LIMIT 1")
curl -sf -o /dev/null -X PATCH "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Name": "Renamed While Killed"}' "$sf_api/sobjects/Account/$acc3" || fail "PATCH"
curl -sf -o /dev/null -X POST "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Name": "Killed Sync Co", "Website": "killed-sync.example"}' "$sf_api/sobjects/Account" ||
	fail "POST"
curl -sf -o /dev/null -X DELETE "${sf_auth[@]}" "$sf_api/sobjects/Contact/$con2" || fail "DELETE"
kill_at=(
	"SELECT count(*) FROM audit WHERE stage = 'sync' AND source_id = '$con2'"
	"SELECT count(*) FROM audit WHERE stage = 'plan' AND source_id = '$acc3' AND seq > (SELECT max(seq) FROM audit WHERE stage = 'sync' AND event = 'changed' AND source_id = '$acc3')"
	"SELECT count(*) FROM ledger WHERE object = 'Contact' AND source_id = '$con2' AND status = 'deleted'"
)
kills=0
for sql in "${kill_at[@]}"; do
	# The sync is started by the watcher itself: it watches from the
	# first moment, and kills with -9 as soon as the workspace shows `sql`.
	st=$(python3 - "$ws" "$FERRY_BIN" "$tmp/kill.out" "$sql" <<'PY'
import os, signal, sqlite3, subprocess, sys, time
ws, ferry, log, sql = sys.argv[1:5]
db = os.path.join(ws, ".ferry", "state.db")
with open(log, "a") as out:
    p = subprocess.Popen([ferry, "-C", ws, "sync"], stdout=out, stderr=out)
    while p.poll() is None:
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
            n = c.execute(sql).fetchone()[0]
            c.close()
        except sqlite3.Error:
            n = 0
        if n:
            p.send_signal(signal.SIGKILL)
            break
        time.sleep(0.001)
    print(p.wait())
PY
)
	[ "$st" -eq -9 ] && kills=$((kills + 1))
done
[ "$kills" -gt 0 ] || fail "no sync was killed"
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --json
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --json
echo "$out" >"$tmp/resumed.json"
writes2=$(sandbox_stat writes)
echo "killed $kills times, then resumed: $((writes2 - writes1)) Attio writes"
# A kill between Attio's answer and the ledger's commit makes the next sync
# send that assert again (idempotent: the same record, no duplicate), so
# each kill may cost one write more; never a duplicate.
[ "$((writes2 - writes1))" -ge 3 ] && [ "$((writes2 - writes1))" -le $((3 + kills)) ] ||
	fail "killed and resumed syncs made $((writes2 - writes1)) Attio writes, expected 3 to $((3 + kills)): $(cat "$tmp/kill.out")"
[ "$(curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" "$url/__sandbox/stats" |
	python3 -c 'import json,sys; print(len(json.load(sys.stdin)["duplicates"]))')" -eq 0 ] ||
	fail "killed and resumed syncs duplicated records in Attio"
[ "$(company_named "Renamed While Killed")" -eq 1 ] || fail "the rename made while killed is missing"
[ "$(company_named "Killed Sync Co")" -eq 1 ] || fail "the company created while killed is not there once"
ledger "SELECT status FROM ledger WHERE object = 'Contact' AND source_id = '$con2'" >"$tmp/st"
[ "$(cat "$tmp/st")" = deleted ] || fail "the contact deleted while killed: $(cat "$tmp/st")"
py "$tmp/resumed.json" "d['advanced'] and sum(o.get('new', 0) + o.get('changed', 0) + o.get('deleted', 0) for o in d['objects']) == 0" >"$tmp/n"
[ "$(cat "$tmp/n")" = True ] || fail "after the resumed sync: $out"

# Minutes later the watermarks move to Salesforce's latestDateCovered,
# and a change after that is read from there.
curl -sf -o /dev/null -X POST "$sf_url/__sandbox/clock?advance=300"
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --json
echo "$out" >"$tmp/moved.json"
py "$tmp/moved.json" "[o['until'] for o in d['objects'] if o['object'] == 'Account'][0]" >"$tmp/until"
# (the stand-in's clock runs with the wall clock: 00:05 or later)
[[ "$(cat "$tmp/until")" > "2026-11-01 00:04:59" ]] || fail "the watermark did not move: $out"
curl -sf -o /dev/null -X PATCH "${sf_auth[@]}" -H "Content-Type: application/json" \
	-d '{"Name": "Renamed After The Watermark Moved"}' "$sf_api/sobjects/Account/$acc1" || fail "PATCH"
expect_exit 0 "$FERRY_BIN" -C "$ws" sync --object Account --json
echo "$out" >"$tmp/after.json"
[ "$(sandbox_stat writes)" -eq "$((writes2 + 1))" ] || fail "a change after the watermark moved: $out"
[ "$(company_named "Renamed After The Watermark Moved")" -eq 1 ] || fail "the last rename is missing"
py "$tmp/after.json" "[o['object'] for o in d['objects']]" | grep -q "Contact" &&
	fail "--object Account synced other objects: $out"

# A watermark older than Salesforce keeps changes: extract again.
curl -sf -o /dev/null -X POST "$sf_url/__sandbox/clock?advance=$((31 * 86400))"
expect_exit 4 "$FERRY_BIN" -C "$ws" sync
expect_output "run 'ferry extract'"

# A Data Export workspace cannot sync, and says what to do.
"$FERRY_BIN" init "$tmp/export-ws" >/dev/null
expect_exit 4 "$FERRY_BIN" -C "$tmp/export-ws" sync
expect_output "Data Export folder"
expect_output "source.type: salesforce"
echo "ok: sync wrote $delta changes in $sync_ms ms"
