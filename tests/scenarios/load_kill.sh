# load_kill.sh: `ferry run` killed with -9 at random points (several seeds)
# against a slow sandbox (--latency-ms: requests in flight when the kill
# comes), then run to the end, leaves the destination exactly as an
# uninterrupted run does: the same companies, people and notes, each
# once, with the same links (companies to their parent company, people to
# their company, notes to their parent), nothing missing, nothing twice;
# and the ledger says of each record that ferry created it, but of the one
# made by hand before the run that it existed.
. "$(dirname "$0")/lib.sh"

export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
exp="$tmp/export"
python3 - "$exp" <<'PY'
import csv, os, sys
out = sys.argv[1]
os.makedirs(out)
n = 40
def w(name, header, rows):
    with open(os.path.join(out, name), "w", newline="") as f:
        c = csv.writer(f)
        c.writerow(header)
        c.writerows(rows)
w("Account.csv", ["Id", "Name", "Website", "ParentId"],
  [["001K%014d" % i, "Company %d" % i, "company%d.test" % i,
    "001K%014d" % (i // 4) if i % 4 else ""] for i in range(n)])
w("Contact.csv", ["Id", "FirstName", "LastName", "Email", "AccountId"],
  [["003K%014d" % i, "First%d" % i, "Last%d" % i, "p%d@company%d.test" % (i, i),
    "001K%014d" % i] for i in range(n)])
w("Task.csv", ["Id", "Subject", "Description", "WhatId", "ActivityDate",
               "IsClosed"],
  [["00TK%014d" % i, "Call %d" % i, "Notes of call %d" % i,
    "001K%014d" % (i % n), "2024-02-%02d" % (1 + i % 28), "true"]
   for i in range(n)])
PY

mapping='version: 1
objects:
  Account:
    to: companies
    match: domains
    fields:
      Name: {to: name, type: text}
      Website: {to: domains, type: domain}
      ParentId: {to: parent_company, type: reference, object: companies}
  Contact:
    to: people
    match: email_addresses
    fields:
      FirstName: {to: name, type: name, part: first_name}
      LastName: {to: name, type: name, part: last_name}
      Email: {to: email_addresses, type: email}
      AccountId: {to: company, type: reference, object: companies}
  Task:
    to: notes
    fields:
      Subject: {to: title, type: text}
      Description: {to: content, type: text}
      WhatId: {to: parent, type: reference}
      ActivityDate: {to: created_at, type: date}'

# A workspace for a fresh sandbox: the parent_company attribute, the
# mapping, the plan.
setup() {
	local ws=$1
	curl -sf -o /dev/null -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" \
		-H "Content-Type: application/json" "$url/v2/objects/companies/attributes" \
		-d '{"data":{"title":"Parent","description":null,"api_slug":"parent_company",
		     "type":"record-reference","is_required":false,"is_unique":false,
		     "is_multiselect":false,"config":{"record_reference":{"allowed_objects":["companies"]}}}}' ||
		fail "cannot create companies.parent_company"
	make_workspace "$ws" "$exp" 60
	printf '%s\n' "$mapping" >"$ws/mapping.yaml"
	"$FERRY_BIN" -C "$ws" extract >/dev/null || fail "extract"
	"$FERRY_BIN" -C "$ws" plan >/dev/null || fail "plan"
	# Made by hand after the plan looked: the run's assert finds it
	# there ("existed": rollback must leave it). Two seconds before
	# the run, beyond the margin of ferry's created_at check.
	curl -sf -o /dev/null -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" \
		-H "Content-Type: application/json" "$url/v2/objects/companies/records" \
		-d '{"data":{"values":{"domains":["company7.test"],"name":"Company 7"}}}' ||
		fail "cannot make company7.test by hand"
	sleep 2
}

# ops WS: what each write did, by object: every record ferry made
# "created" (whatever the kills), the hand-made company "existed".
ops() {
	python3 - "$1/.ferry/state.db" <<'PY' || fail "ops of $1"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("SELECT object, source_id, op FROM ledger "
                 "WHERE status = 'written'").fetchall()
bad = [r for r in rows
       if r[2] != ("existed" if r[1] == "001K%014d" % 7 else "created")]
assert len(rows) == 120 and not bad, (len(rows), bad[:10])
PY
}

# What the sandbox holds, by Salesforce-side keys (Attio's ids differ
# from one sandbox to the next): each company with its parent, each person
# with its company, each note with its parent, sorted.
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
def first(rec, attr, key):
    v = rec["values"].get(attr) or []
    return v[0].get(key) if v else None
companies = call("POST", "/v2/objects/companies/records/query", {"limit": 10000})
people = call("POST", "/v2/objects/people/records/query", {"limit": 10000})
domain = {c["id"]["record_id"]: first(c, "domains", "domain") for c in companies}
out = []
for c in companies:
    out.append(("company", first(c, "domains", "domain"),
                domain.get(first(c, "parent_company", "target_record_id"))))
for p in people:
    out.append(("person", first(p, "email_addresses", "email_address"),
                domain.get(first(p, "company", "target_record_id"))))
offset = 0
while True:
    page = call("GET", "/v2/notes?limit=50&offset=%d" % offset)
    for n in page:
        out.append(("note", n["title"], domain.get(n["parent_record_id"]),
                    n["content_plaintext"], n["created_at"][:10]))
    if len(page) < 50:
        break
    offset += 50
for row in sorted(out, key=lambda r: json.dumps(r)):
    print(json.dumps(row))
PY
}

# The uninterrupted run.
start_sandbox --write-rate 0 --latency-ms 60 --jitter-ms 40
setup "$tmp/ref"
t0=$(date +%s%N)
expect_exit 0 "$FERRY_BIN" -C "$tmp/ref" run
run_ms=$((($(date +%s%N) - t0) / 1000000))
echo "uninterrupted run: $run_ms ms"
snapshot >"$tmp/ref.txt"
ops "$tmp/ref"
[ "$(grep -c '"company"' "$tmp/ref.txt")" -eq 40 ] || fail "reference run: $(head "$tmp/ref.txt")"
[ "$(grep -c '"note"' "$tmp/ref.txt")" -eq 40 ] || fail "reference run wrote no notes"
grep -q '"company", "company5.test", "company1.test"' "$tmp/ref.txt" ||
	fail "reference run: no parent company links"
stop_sandbox

# kill_when WS PID SQL: kills PID with -9 as soon as SQL (a count over
# the workspace's ledger, read as `ferry status` reads it) is non-zero.
kill_when() {
	python3 - "$1/.ferry/state.db" "$2" "$3" <<'PY'
import os, signal, sqlite3, sys, time
db, pid, sql = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = time.time() + 60
while time.time() < end:
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        n = c.execute(sql).fetchone()[0]
        c.close()
    except sqlite3.Error:
        n = 0
    if n:
        break
    time.sleep(0.005)
try:
    os.kill(pid, signal.SIGKILL)
except ProcessLookupError:
    pass
PY
}

# Each seed kills its first run at its own point: early ones at a share
# of what a whole run takes (companies, people), late ones when the
# ledger shows the notes begun and half written (so creates are in
# flight); the second run at a random point; then lets it finish.
share=(15 35 55)
notes_sql=(
	"SELECT count(*) FROM ledger WHERE object = 'Task'"
	"SELECT count(*) >= 20 FROM ledger WHERE object = 'Task' AND status = 'written'"
)
for k in 0 1 2 3 4; do
	seed=$((11 + 12 * k))
	RANDOM=$seed
	start_sandbox --write-rate 0 --latency-ms 60 --jitter-ms 40 --seed "$seed"
	ws="$tmp/ws-$seed"
	setup "$ws"
	kills=0
	for round in 1 2; do
		"$FERRY_BIN" -C "$ws" run >>"$tmp/kill-$seed.out" 2>&1 &
		pid=$!
		if [ "$round" -eq 1 ] && [ "$k" -ge 3 ]; then
			kill_when "$ws" "$pid" "${notes_sql[k - 3]}"
		else
			if [ "$round" -eq 1 ]; then
				at=$((run_ms * (share[k] + RANDOM % 7 - 3) / 100))
			else
				at=$((RANDOM % run_ms + 50))
			fi
			sleep "$((at / 1000)).$(printf '%03d' $((at % 1000)))"
			kill -9 "$pid" 2>/dev/null || true
		fi
		# Killed, or it had finished: its status says which.
		st=0
		wait "$pid" 2>/dev/null || st=$?
		[ "$st" -eq 137 ] && kills=$((kills + 1))
	done
	expect_exit 0 "$FERRY_BIN" -C "$ws" run --json
	snapshot >"$tmp/got-$seed.txt"
	ops "$ws"
	diff -u "$tmp/ref.txt" "$tmp/got-$seed.txt" >"$tmp/diff-$seed.txt" ||
		fail "seed $seed ($kills kills): the destination differs from an uninterrupted run:
$(head -40 "$tmp/diff-$seed.txt")"
	expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
	python3 -c "
import json, sys
d = json.loads(sys.argv[1])
for o in d['objects']:
    assert o['pending'] == 0 and o['not_run'] == 0 and o['failed'] == 0, o
" "$out" || fail "seed $seed: ledger after the kills: $out"
	[ "$kills" -gt 0 ] || fail "seed $seed: no run was killed"
	echo "seed $seed: $kills kills, destination identical"
	stop_sandbox
done
found=$(grep -c 'GET /v2/notes?parent' "$tmp/sandbox.log" || true)
echo "notes looked for after a kill: $found"
[ "$found" -gt 0 ] || fail "no kill came while notes were written"
echo "ok: killed runs resumed to exactly the uninterrupted destination"
