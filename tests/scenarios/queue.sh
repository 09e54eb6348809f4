# queue.sh: `ferry queue` on the sample org against the Attio sandbox: list
# shows the held records grouped by reason; show names a record's reason
# and what releases it; an override of a bad value releases the record
# (an audit event, then its new decision); a field that does not exist is
# refused with its name; a value table fixed in mapping.yaml then `retry
# --code value_unmapped` releases those records and leaves the others; a
# skip leaves a record out with its reason and `edit --clear` brings it
# back. After all that a whole `ferry plan` changes nothing (the partial
# re-plans left what a whole plan would), and every staged record has
# exactly one decision.
. "$(dirname "$0")/lib.sh"

start_sandbox
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
q() { "$FERRY_BIN" -C "$ws" queue "$@"; }

expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --offline

# Owners mapped to the sandbox's members, a default country, and the
# Industry table without 'Technology': 8 accounts held as value_unmapped.
python3 - "$ws/mapping.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("  table: {}", "  table:\n"
                    "    005Dn000001AbCdIAK: ada@ferry.test\n"
                    "    005Dn000001QrStIAK: grace@ferry.test\n"
                    "    005Dn000001XyZwIAK: ada@ferry.test\n")
text += "options:\n  default_country: US\n"
assert "      Technology: Technology\n" in text
text = text.replace("      Technology: Technology\n", "")
open(path, "w").write(text)
PY

# Nothing planned yet.
expect_exit 0 q list
expect_output "Nothing is planned yet: run 'ferry plan'"
expect_exit 0 "$FERRY_BIN" -C "$ws" plan

# Usage errors, before anything changes.
expect_exit 2 q
expect_output "say which: list, show, edit, retry or skip"
expect_exit 2 q frobnicate
expect_output "'frobnicate' is not a queue command"
expect_exit 2 q show --all Contact 003Dn00000Y2723IAB
expect_output "'queue show' takes no --all"
expect_exit 2 q show Contact
expect_exit 2 q skip Contact 003Dn00000C2871IAB
expect_output "say why: --reason"
expect_exit 2 q edit Contact 003Dn00000Y2723IAB Email
expect_output "'Email' is not <Field>=<value>"
expect_exit 2 q edit Contact 003Dn00000Y2723IAB
expect_exit 2 q retry Contact 003Dn00000Y2723IAB --code email_invalid
expect_exit 0 "$FERRY_BIN" queue --help
expect_output "usage: ferry queue"

# list: the groups per object and reason, then the records.
expect_exit 0 q list
expect_output "^The conflict queue: 24 held records\.$"
expect_output "^  Account: 14 held$"
expect_output "^ +8  Industry value_unmapped: Industry 'Technology' is not in value table Account.Industry$"
expect_output "^ +-> add 'Technology' under value_tables.Account.Industry in mapping.yaml"
expect_output "^ +3  Email email_invalid: "
expect_output "^  Contact +003Dn00000Y2723IAB +Email: email 'kramer@kramerica' is not an address"
expect_output "^  Account +001Dn00000Jt7QaIAJ .*\(\+1 more\)$"
expect_exit 0 q list --json
echo "$out" >"$tmp/list1.json"
python3 - "$tmp/list1.json" <<'PY' || fail "list --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["held"] == 24 == len(d["records"]), d["held"]
n = {}
for r in d["records"]:
    assert r["reasons"] and r["overrides"] == 0, r
    n[r["object"]] = n.get(r["object"], 0) + 1
assert n == {"Account": 14, "Contact": 10}, n
g = {(x["object"], x["field"], x["code"]): x for x in d["groups"]}
x = g[("Account", "Industry", "value_unmapped")]
assert x["count"] == 8 and x["example"] and x["release"], x
assert sum(x["count"] for x in d["groups"]) == sum(len(r["reasons"]) for r in d["records"])
PY
expect_exit 0 q list --code value_unmapped --json
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["held"] == 8 and len(d["groups"]) == 1, d' <<<"$out" ||
	fail "list --code"
expect_exit 0 q list --object Contact --field Email
expect_output "^The conflict queue: 9 held records matching\.$"
expect_exit 0 q list --code no_such_code
expect_output "^No held record matches --code no_such_code\.$"

# show: the reason, what releases it, the field's staged value.
expect_exit 0 q show Contact 003Dn00000Y2723IAB
expect_output "^Contact 003Dn00000Y2723IAB -> people: held"
expect_output "^  Email email_invalid: email 'kramer@kramerica' is not an address"
expect_output "^    release: edit the record in Salesforce and extract again"
expect_output "^  Email +staged \"kramer@kramerica\", no override$"
expect_output "ferry queue edit Contact 003Dn00000Y2723IAB <Field>=<value>"
expect_exit 0 q show Contact 003Dn00000C1095IAB
expect_output "^Contact 003Dn00000C1095IAB -> people: write"
expect_exit 4 q show Contact 003Dn00000NOPEIAB
expect_output "Contact 003Dn00000NOPEIAB is not staged"

# edit: a field that does not exist is refused, naming it; nothing changes.
expect_exit 3 q edit Contact 003Dn00000Y2723IAB Emial=kramer@kramerica.com
expect_output "Contact has no field 'Emial' \(did you mean 'Email'\?\)"
expect_exit 4 q edit Contact 003Dn00000NOPEIAB Email=x@example.com

# edit of the bad email releases the record at once.
expect_exit 0 q edit Contact 003Dn00000Y2723IAB Email=kramer@kramerica.com
expect_output "Email = \"kramer@kramerica\" -> \"kramer@kramerica.com\""
expect_output "Contact 003Dn00000Y2723IAB: held -> write"
[ -s "$ws/reports/plan.html" ] || fail "no reports/plan.html after a re-plan"
expect_exit 0 q show Contact 003Dn00000Y2723IAB
expect_output "^Contact 003Dn00000Y2723IAB -> people: write"
expect_output "override \"kramer@kramerica.com\""
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --json --record 003Dn00000Y2723IAB
python3 -c '
import json, sys
d = json.load(sys.stdin)
ev = d["events"] if isinstance(d, dict) else d
edits = [i for i, e in enumerate(ev) if e["stage"] == "queue" and e["event"] == "edit"]
assert len(edits) == 1, ev
e = ev[edits[0]]
detail = json.loads(e["detail"])
assert detail["field"] == "Email" and detail["value"] == "kramer@kramerica.com", detail
assert detail["staged"] == "kramer@kramerica", detail
after = [x for x in ev[edits[0] + 1:] if x["stage"] == "plan"]
assert after and after[-1]["event"] == "write", ev
' <<<"$out" || fail "audit of the edit: $out"

# A value table fixed in mapping.yaml: retry releases the value_unmapped
# records (one keeps its other reason), and leaves the others held.
python3 - "$ws/mapping.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("      Food & Beverage: Food & Beverage\n",
                    "      Technology: Technology\n"
                    "      Food & Beverage: Food & Beverage\n", 1)
open(path, "w").write(text)
PY
expect_exit 0 q retry --code value_unmapped
expect_output "^Retried 8 held records: 7 now write, 0 merged, 1 still held, 0 skipped \(and [0-9]+ other records they touch re-planned\)\.$"
expect_output "^ +1  Website match_missing: "
expect_exit 0 q list --code value_unmapped
expect_output "^No held record matches --code value_unmapped\.$"
expect_exit 0 q list --json
python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["held"] == 16, d["held"]
codes = {r["code"] for x in d["records"] for r in x["reasons"]}
assert "value_unmapped" not in codes and "email_invalid" in codes, codes
' <<<"$out" || fail "the queue after retry: $out"
expect_exit 0 q retry --code value_unmapped --json
python3 -c 'import json,sys; assert json.load(sys.stdin)["retried"] == 0' <<<"$out" ||
	fail "retry of nothing: $out"

# skip with a reason; edit --clear brings the record back.
expect_exit 0 q skip Contact 003Dn00000C2871IAB --reason "a test record, not a person"
expect_output "Contact 003Dn00000C2871IAB: skipped"
expect_exit 0 q show Contact 003Dn00000C2871IAB --json
python3 -c '
import json, sys
d = json.load(sys.stdin)
p, r = d["plan"], d["record"]
assert p["decision"] == "skipped", p
assert any("a test record, not a person" in x["message"] for x in p["reasons"]), p
assert r["skip"]["note"] == "a test record, not a person", r
' <<<"$out" || fail "the skip: $out"
expect_exit 0 q list --json
python3 -c 'import json,sys; assert json.load(sys.stdin)["held"] == 15' <<<"$out" ||
	fail "a skipped record still in the queue"
expect_exit 0 q edit Contact 003Dn00000C2871IAB --clear
expect_output "Contact 003Dn00000C2871IAB: removed the skip"
expect_output "Contact 003Dn00000C2871IAB: skipped -> held"
expect_exit 0 q show Contact 003Dn00000C2871IAB
expect_output "-> people: held"

# --unset: the staged value again, held again.
expect_exit 0 q edit Contact 003Dn00000E2945IAB Email=otto@oscorp.com
expect_output "held -> write"
expect_exit 0 q edit Contact 003Dn00000E2945IAB --unset Email
expect_output "write -> held"

# An override that makes a duplicate (the website of another company),
# then --clear: the record is held again, as a whole plan would say.
expect_exit 0 q edit Account 001Dn00000Kv2WdIAJ Website=acme.com "Phone=+1 415 555 0100"
expect_output "Account 001Dn00000Kv2WdIAJ: held -> merged"
expect_exit 0 q edit Account 001Dn00000Kv2WdIAJ --clear
expect_output "removed 2 overrides$"
expect_output "Account 001Dn00000Kv2WdIAJ: merged -> held"

# A whole plan now changes nothing: each partial re-plan left the plan as
# a whole plan would.
expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json
python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["changed"] == 0, d["changed"]
assert d["decisions"]["held"] == 16, d["decisions"]
for o in d["objects"]:
    assert o["staged"] == o["write"] + o["merged"] + o["held"] + o["skipped"], o
' <<<"$out" || fail "a whole plan after the queue changed decisions: $out"

# Every staged record has exactly one decision, and no decision is left
# for a record that is not staged.
python3 - "$ws/.ferry/state.db" <<'PY' || fail "decisions per record"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
bad = db.execute(
    "SELECT s.object, s.source_id, count(p.decision) FROM staged_records s "
    "LEFT JOIN plan p ON p.object = s.object AND p.source_id = s.source_id "
    "GROUP BY s.object, s.source_id HAVING count(p.decision) != 1").fetchall()
assert not bad, bad
orphans = db.execute(
    "SELECT count(*) FROM plan p WHERE NOT EXISTS (SELECT 1 FROM "
    "staged_records s WHERE s.object = p.object AND s.source_id = "
    "p.source_id)").fetchone()[0]
assert orphans == 0, orphans
assert db.execute("SELECT count(*) FROM staged_records").fetchone()[0] == 112
PY

echo "queue: ok"
