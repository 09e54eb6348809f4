# rollback.sh: `ferry rollback` on a sample-like migration (the bundled
# sample org plus tasks written as notes) into a sandbox that already held
# one of its people: the rollback asks (refused without a terminal), then
# deletes what ferry created and gives the person it matched its values
# before, so the sandbox holds exactly what it held before the migration;
# a second rollback does nothing; `ferry run` writes the migration again,
# exactly as the first time; and a rollback killed with -9 midway (a slow
# sandbox) and run again ends in the same state, a value someone changed
# by hand after ferry wrote it kept.
. "$(dirname "$0")/lib.sh"

export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
exp="$tmp/export"
cp -r "$FERRY_SOURCE_DIR/examples/sample-org" "$exp"
python3 - "$exp" <<'PY'
import csv, os, sys
out = sys.argv[1]
accounts = list(csv.DictReader(open(os.path.join(out, "Account.csv"),
                                    encoding="utf-8-sig")))
with open(os.path.join(out, "Task.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Id", "Subject", "Description", "WhatId", "ActivityDate",
                "Status", "IsClosed", "OwnerId", "CreatedDate",
                "LastModifiedDate"])
    for i, a in enumerate(accounts[:20]):
        w.writerow(["00T%015d" % i, "Call %d" % i, "Notes of call %d" % i,
                    a["Id"], "2024-02-%02d" % (1 + i % 28), "Completed",
                    "true", a["OwnerId"], "2024-01-01T00:00:00.000+0000",
                    "2024-01-01T00:00:00.000+0000"])
PY

api() {
	curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" \
		-H "Content-Type: application/json" "$@"
}

# What the sandbox holds, by keys that do not depend on Attio's ids: each
# company with its domains and name, each person with emails, name, job
# title and company, each note with its title, parent and content.
snapshot() {
	python3 - "$url" "$FERRY_SANDBOX_TOKEN" <<'PY'
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["data"]
def vals(rec, attr, key):
    return sorted(str(v.get(key)) for v in rec["values"].get(attr) or [])
companies = call("POST", "/v2/objects/companies/records/query", {"limit": 10000})
people = call("POST", "/v2/objects/people/records/query", {"limit": 10000})
key = {}
for c in companies:
    key[c["id"]["record_id"]] = "company:" + ",".join(vals(c, "domains", "domain"))
for p in people:
    key[p["id"]["record_id"]] = "person:" + ",".join(vals(p, "email_addresses", "email_address"))
out = []
for c in companies:
    out.append(["company", vals(c, "domains", "domain"), vals(c, "name", "value")])
for p in people:
    out.append(["person", vals(p, "email_addresses", "email_address"),
                vals(p, "name", "full_name"), vals(p, "job_title", "value"),
                [key.get(i) for i in vals(p, "company", "target_record_id")]])
offset = 0
while True:
    page = call("GET", "/v2/notes?limit=50&offset=%d" % offset)
    for n in page:
        out.append(["note", n["title"], key.get(n["parent_record_id"]),
                    n["content_plaintext"]])
    if len(page) < 50:
        break
    offset += 50
for row in sorted(out, key=lambda r: json.dumps(r)):
    print(json.dumps(row))
PY
}

same() {
	diff -u "$1" "$2" >"$tmp/diff.txt" ||
		fail "$3:
$(head -30 "$tmp/diff.txt")"
}

# ledger SQL...: a number from the workspace's ledger per query, on one
# line.
ledger() {
	python3 - "$ws/.ferry/state.db" "$@" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(" ".join(str(c.execute(q).fetchone()[0]) for q in sys.argv[2:]))
PY
}

# A person already in Attio that the plan matches (same email as a
# Contact): updated by the migration, restored by the rollback.
seed() {
	api -o /dev/null "$url/v2/objects/people/records" \
		-d '{"data":{"values":{"email_addresses":["ada.lovelace@acme.com"],
		     "name":"Lovelace, Augusta","job_title":"Pre-existing title"}}}' ||
		fail "cannot seed the sandbox"
}

start_sandbox --write-rate 0 --latency-ms 10 --jitter-ms 5
seed
snapshot >"$tmp/before.txt"
[ "$(wc -l <"$tmp/before.txt")" -eq 1 ] || fail "seed: $(cat "$tmp/before.txt")"
ws="$tmp/ws"
make_workspace "$ws" "$exp" 60
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
prepare_plan "$ws"
grep -q "exists_in_destination" "$tmp/plan.out" ||
	fail "the plan did not match the seeded person: $(cat "$tmp/plan.out")"
expect_exit 0 "$FERRY_BIN" -C "$ws" run --yes
snapshot >"$tmp/migrated.txt"
grep -q '"Pre-existing title"' "$tmp/migrated.txt" &&
	fail "the migration did not update the seeded person"
[ "$(ledger "SELECT count(*) FROM ledger WHERE op = 'updated'")" -eq 1 ] ||
	fail "the ledger has no updated row"

# What it will do, per object in reverse load order; without a terminal
# and without --yes it changes nothing.
expect_exit 0 "$FERRY_BIN" -C "$ws" rollback --dry-run
expect_output "Task +-> notes +delete [0-9]+ created by ferry"
expect_output "Contact +-> people +delete [0-9]+ created by ferry, restore 1 it updated"
grep -n "notes\|people\|companies" <<<"$out" | head -3 | cut -d: -f1 | tr '\n' ' ' |
	grep -qE '^2 3 4 $' || fail "not in reverse load order: $out"
expect_exit 2 "$FERRY_BIN" -C "$ws" rollback </dev/null
expect_output "no terminal to ask on"
snapshot >"$tmp/after-refusal.txt"
same "$tmp/migrated.txt" "$tmp/after-refusal.txt" "rollback without --yes changed Attio"

expect_exit 0 "$FERRY_BIN" -C "$ws" rollback --yes --json
echo "$out" >"$tmp/rollback1.json"
python3 - "$tmp/rollback1.json" <<'PY' || fail "rollback summary: $out"
import json, sys
d = json.load(open(sys.argv[1]))
objs = {o["object"]: o for o in d["objects"]}
assert [o["object"] for o in d["objects"]] == ["Task", "Contact", "Account"], d["objects"]
assert objs["Contact"]["done"]["restored"] == 1, objs["Contact"]
for o in d["objects"]:
    assert o["done"]["deleted"] == o["plan"]["delete"] > 0, o
    assert o["done"]["refused"] == 0, o
assert d["notes"] == [], d["notes"]
PY
snapshot >"$tmp/rolled.txt"
same "$tmp/before.txt" "$tmp/rolled.txt" "after the rollback the sandbox is not as before the migration"
read -r not_back events back < <(ledger \
	"SELECT count(*) FROM ledger WHERE op != '' AND status != 'rolled_back'" \
	"SELECT count(*) FROM audit WHERE stage = 'rollback'" \
	"SELECT count(*) FROM ledger WHERE status = 'rolled_back'")
[ "$not_back" -eq 0 ] || fail "$not_back rows left that are not rolled back"
[ "$events" -eq "$back" ] || fail "$events audit events for $back rows rolled back"

# Again: nothing to do, no request.
before=$(sandbox_stat requests)
expect_exit 0 "$FERRY_BIN" -C "$ws" rollback --yes
expect_output "Nothing to roll back"
[ "$(sandbox_stat requests)" -eq "$before" ] || fail "a rollback with nothing to do sent requests"

# The migration again: as the first time.
expect_exit 0 "$FERRY_BIN" -C "$ws" run --yes
snapshot >"$tmp/migrated2.txt"
same "$tmp/migrated.txt" "$tmp/migrated2.txt" "'ferry run' after the rollback differs from the first migration"

# Someone changes the seeded person's job title by hand after ferry wrote
# it (a second later than ferry's write, past the clock allowance): the
# rollback keeps it. Then a rollback killed with -9 twice, and finished.
sleep 1.2
id=$(api -X POST "$url/v2/objects/people/records/query" \
	-d '{"filter":{"email_addresses":"ada.lovelace@acme.com"}}' |
	python3 -c "import json,sys; print(json.load(sys.stdin)['data'][0]['id']['record_id'])")
api -o /dev/null -X PATCH "$url/v2/objects/people/records/$id" \
	-d '{"data":{"values":{"job_title":"Changed by hand"}}}' || fail "cannot change the person"
sed 's/"Pre-existing title"/"Changed by hand"/' "$tmp/before.txt" >"$tmp/want.txt"

# Slower, so the kills land while rows are in flight (outcomes are
# committed every half second).
sed -i -e "s|^  write_rate: .*|  write_rate: 30|" "$ws/ferry.yaml"
total=$(ledger "SELECT count(*) FROM ledger WHERE op IN ('created', 'updated') AND status != 'rolled_back'")
kills=0 midway=""
for at in $((total / 4)) $((total / 2)); do
	"$FERRY_BIN" -C "$ws" rollback --yes >>"$tmp/kill.out" 2>&1 &
	pid=$!
	python3 - "$ws/.ferry/state.db" "$pid" "$at" <<'PY'
import os, signal, sqlite3, sys, time
db, pid, at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
end = time.time() + 60
while time.time() < end:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        n = c.execute("SELECT count(*) FROM ledger WHERE status = 'rolled_back' AND op != '' AND updated_at > (SELECT max(updated_at) FROM ledger WHERE status = 'written')").fetchone()[0]
        c.close()
    except sqlite3.Error:
        n = 0
    if n >= at:
        break
    time.sleep(0.005)
try:
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass
PY
	st=0
	wait "$pid" 2>/dev/null || st=$?
	[ "$st" -eq 137 ] || continue
	kills=$((kills + 1))
	left=$(ledger "SELECT count(*) FROM ledger WHERE op IN ('created', 'updated') AND status != 'rolled_back'")
	[ "$left" -gt 0 ] && [ "$left" -lt "$total" ] && midway="$midway $left"
done
[ -n "$midway" ] ||
	fail "no kill landed midway ($kills kills): $(cat "$tmp/kill.out")"
expect_exit 0 "$FERRY_BIN" -C "$ws" rollback --yes --json
python3 -c "
import json, sys
d = json.loads(sys.argv[1])
o = {o['object']: o for o in d['objects']}['Contact']
assert o['done']['partial'] + o['plan']['rolled_back_before'] >= 1, o
" "$out" || fail "the resumed rollback: $out"
snapshot >"$tmp/rolled2.txt"
same "$tmp/want.txt" "$tmp/rolled2.txt" "a killed and resumed rollback did not end as before the migration"
grep -q 'left job_title' <<<"$(ledger "SELECT reason FROM ledger WHERE op = 'updated'")" ||
	fail "the person's row does not say its job title was left"
echo "rollback killed $kills times, resumed (rows of $total left after each kill:$midway)"
echo "ok: rolled back to the sandbox as it was, twice, and migrated again"
