# verify.sh: `ferry verify` after a run of the sample org is clean (exit
# 0, every object balanced, every written record found with its
# references, its values as planned; the page written). Then the sandbox
# is changed behind ferry's back (a person deleted, a person moved to
# another company, a company renamed) and a disagreement is put in the
# ledger: verify exits 6 and reports exactly those four, with their ids;
# offline it reports only the disagreement; with Attio gone it exits 5.
# Last, the time verify takes for a few thousand records at the default
# read budget.
. "$(dirname "$0")/lib.sh"

export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
start_sandbox --write-rate 0
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org" 1000
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
prepare_plan "$ws"
expect_exit 0 "$FERRY_BIN" -C "$ws" run --yes

# Clean.
expect_exit 0 "$FERRY_BIN" -C "$ws" verify
expect_output "^Account +-> companies +balanced +32 staged = "
expect_output "^Contact +-> people +balanced"
expect_output "^Clean: "
grep -q 'Content-Security-Policy' "$ws/reports/verify.html" ||
	fail "no reports/verify.html with its CSP"
expect_exit 0 "$FERRY_BIN" -C "$ws" verify --json --sample 5
python3 - "$out" <<'PY' || fail "clean report: $out"
import json, sys
r = json.loads(sys.argv[1])
assert r["clean"] and r["online"] and r["sample"] == 5, r
for o in r["objects"]:
    assert o["balanced"] and o["staged"] == o["written"] + o["merged"] + o["held"] + o["skipped"], o
    assert o["checked"] == o["written"] and o["sampled"] == min(5, o["written"]), o
assert r["references"]["checked"] > 0 and r["values"]["compared"] > 0, r
assert r["reads"]["requests"] <= 4, r["reads"]   # members + a page per object
PY

# Behind ferry's back.
db="$ws/.ferry/state.db"
sql() { python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); r = c.execute(sys.argv[2]).fetchall(); c.commit(); print('\n'.join('|'.join(map(str, x)) for x in r))" "$db" "$1"; }
# a person without a company, one with, a company, and one more person
gone=$(sql "SELECT source_id, dest_id FROM ledger WHERE object = 'Contact' AND status = 'written' ORDER BY source_id LIMIT 1")
moved=$(sql "SELECT l.source_id, l.dest_id, a.dest_id FROM ledger l JOIN plan p ON p.object = l.object AND p.source_id = l.source_id JOIN ledger a ON a.object = 'Account' AND a.source_id = json_extract(p.payload, '$.values.company.source_id') WHERE l.object = 'Contact' AND l.status = 'written' AND l.source_id != '${gone%%|*}' ORDER BY l.source_id LIMIT 1")
renamed=$(sql "SELECT source_id, dest_id FROM ledger WHERE object = 'Account' AND status = 'written' AND dest_id != '${moved##*|}' ORDER BY source_id LIMIT 1")
other=$(sql "SELECT source_id FROM ledger WHERE object = 'Contact' AND status = 'written' AND source_id NOT IN ('${gone%%|*}', '${moved%%|*}') ORDER BY source_id DESC LIMIT 1")
[ -n "$gone" ] && [ -n "$moved" ] && [ -n "$renamed" ] && [ -n "$other" ] ||
	fail "the sample org has no records to change"
IFS='|' read -r gone_src gone_id <<<"$gone"
IFS='|' read -r moved_src moved_id moved_company <<<"$moved"
IFS='|' read -r renamed_src renamed_id <<<"$renamed"
auth=(-H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" -H "Content-Type: application/json")
curl -sf -o /dev/null -X DELETE "${auth[@]}" "$url/v2/objects/people/records/$gone_id" ||
	fail "cannot delete a person"
curl -sf -o /dev/null -X PUT "${auth[@]}" "$url/v2/objects/people/records/$moved_id" \
	-d "{\"data\":{\"values\":{\"company\":[{\"target_object\":\"companies\",\"target_record_id\":\"$renamed_id\"}]}}}" ||
	fail "cannot move a person"
curl -sf -o /dev/null -X PATCH "${auth[@]}" "$url/v2/objects/companies/records/$renamed_id" \
	-d '{"data":{"values":{"name":"Renamed <b>by hand</b>"}}}' || fail "cannot rename a company"
sql "UPDATE ledger SET status = 'skipped', reason = 'edited' WHERE object = 'Contact' AND source_id = '$other'" >/dev/null

expect_exit 6 "$FERRY_BIN" -C "$ws" verify --json
python3 - "$out" "$gone_src" "$gone_id" "$moved_src" "$moved_id" "$moved_company" \
	"$renamed_id" "$renamed_src" "$other" <<'PY' || fail "the report after the changes: $out"
import json, sys
r = json.loads(sys.argv[1])
gone_src, gone_id, moved_src, moved_id, moved_company, renamed_id, renamed_src, other = sys.argv[2:]
assert not r["clean"], r
m = r["missing"]["items"]
assert r["missing"]["total"] == 1 and (m[0]["object"], m[0]["source_id"], m[0]["dest_id"]) == ("Contact", gone_src, gone_id), m
x = r["references"]["items"]
assert r["references"]["total"] == 1, x
assert (x[0]["source_id"], x[0]["dest_id"], x[0]["attribute"], x[0]["expected"], x[0]["found"]) == \
    (moved_src, moved_id, "company", moved_company, renamed_id), x
v = r["values"]["items"]
assert r["values"]["total"] == 1, v
assert (v[0]["object"], v[0]["source_id"], v[0]["dest_id"], v[0]["attribute"], v[0]["found"]) == \
    ("Account", renamed_src, renamed_id, "name", "Renamed <b>by hand</b>"), v
d = r["disagreements"]["items"]
assert r["disagreements"]["total"] == 1 and (d[0]["source_id"], d[0]["decision"], d[0]["ledger"]) == (other, "write", "skipped"), d
objs = {o["object"]: o for o in r["objects"]}
assert objs["Contact"]["missing"] == 1 and objs["Contact"]["wrong_references"] == 1, objs
assert not objs["Contact"]["balanced"] and objs["Account"]["balanced"], objs
assert objs["Account"]["mismatched"] == 1, objs
PY
expect_exit 6 "$FERRY_BIN" -C "$ws" verify
expect_output "^Account +-> companies +balanced"
expect_output "^Contact +-> people +UNBALANCED .*\\(1 disagree with the plan\\)"
expect_output "^ +in Attio: 1 missing, 1 wrong reference$"
expect_output "^ +in Attio: 1 value differs$"
expect_output "Written, not in Attio: 1"
expect_output "Contact $gone_src -> people $gone_id"
expect_output "company names $renamed_id, expected $moved_company"
expect_output "name \\(text\\): expected .*, found \"Renamed <b>by hand</b>\""
expect_output "Contact $other: plan write, ledger skipped"
grep -q "Renamed &lt;b&gt;by hand&lt;/b&gt;" "$ws/reports/verify.html" ||
	fail "the page does not show the edited value escaped"
! grep -q "<b>by hand" "$ws/reports/verify.html" || fail "the page shows markup from Attio"
grep -q "$gone_id" "$ws/reports/verify.html" || fail "the page lacks the missing record's id"

# Offline: the counts alone.
expect_exit 6 "$FERRY_BIN" -C "$ws" verify --offline --json
python3 -c "
import json, sys
r = json.loads(sys.argv[1])
assert not r['online'] and r['disagreements']['total'] == 1, r
assert r['missing']['total'] == 0 and 'reads' not in r, r
" "$out" || fail "offline report: $out"
expect_exit 2 "$FERRY_BIN" -C "$ws" verify --sample 0
expect_output "--sample takes a number"

# Attio gone.
stop_sandbox
expect_exit 5 "$FERRY_BIN" -C "$ws" verify
expect_output "cannot connect"

# The figure: a few thousand records, the default read budget (100/s).
n=2000
exp="$tmp/export"
python3 - "$exp" "$n" <<'PY'
import csv, os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
def w(name, header, rows):
    with open(os.path.join(out, name), "w", newline="") as f:
        c = csv.writer(f)
        c.writerow(header)
        c.writerows(rows)
w("Account.csv", ["Id", "Name", "Website"],
  [["001V%014d" % i, "Company %d" % i, "company%d.test" % i] for i in range(n)])
w("Contact.csv", ["Id", "LastName", "Email", "AccountId"],
  [["003V%014d" % i, "Last%d" % i, "p%d@company%d.test" % (i, i), "001V%014d" % i] for i in range(n)])
w("Task.csv", ["Id", "Subject", "Description", "WhatId", "IsClosed"],
  [["00TV%014d" % i, "Call %d" % i, "Notes %d" % i, "001V%014d" % i, "true"] for i in range(n // 2)])
PY
start_sandbox --write-rate 0 --read-rate 100
big="$tmp/big"
make_workspace "$big" "$exp" 2000
cat >"$big/mapping.yaml" <<'YAML'
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
      LastName: {to: name, type: name, part: last_name}
      Email: {to: email_addresses, type: email}
      AccountId: {to: company, type: reference, object: companies}
  Task:
    to: notes
    fields:
      Subject: {to: title, type: text}
      Description: {to: content, type: text}
      WhatId: {to: parent, type: reference}
YAML
expect_exit 0 "$FERRY_BIN" -C "$big" extract
expect_exit 0 "$FERRY_BIN" -C "$big" plan
expect_exit 0 "$FERRY_BIN" -C "$big" run
t0=$(date +%s%N)
expect_exit 0 "$FERRY_BIN" -C "$big" verify --json --sample all
ms=$((($(date +%s%N) - t0) / 1000000))
python3 -c "
import json, sys
r = json.loads(sys.argv[1])
assert r['clean'], r['objects']
assert r['references']['checked'] == $n + $n // 2, r['references']
print('verify: %d records read back in %d requests (%d ms); %d references, %d values compared' % (
    r['reads']['records'], r['reads']['requests'], $ms, r['references']['checked'], r['values']['compared']))
" "$out" || fail "the big run's report: $(head -c 2000 <<<"$out")"
[ "$(sandbox_stat rate_limited)" -eq 0 ] || fail "verify went over the read budget"
echo "ok: verify clean after a run, and reports exactly what was changed behind its back"
