# plan.sh: `ferry plan` on the sample org with the real binaries: no
# mapping yet is a clear error; analyze drafts one; plan (offline, then
# against the Attio sandbox) gives every staged record exactly one
# decision (staged = write + merged + held + skipped per object), held
# records carry reasons that say what releases them, a re-plan of the
# unchanged workspace adds no audit event, and a broken mapping.yaml is
# refused with its file and line.
. "$(dirname "$0")/lib.sh"

start_sandbox
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN

expect_exit 0 "$FERRY_BIN" -C "$ws" extract

# No mapping.yaml yet.
expect_exit 4 "$FERRY_BIN" -C "$ws" plan --offline
expect_output "no mapping.yaml: run 'ferry analyze' to draft one"

expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --offline
[ -f "$ws/mapping.yaml" ] || fail "analyze drafted no mapping.yaml"

expect_exit 0 "$FERRY_BIN" -C "$ws" plan --offline
expect_output "Every staged record has a decision: staged = write \+ merged \+ held \+ skipped"
expect_output "Account +companies +32 "
expect_output "add 005Dn000001[A-Za-z0-9]+ to owners.table in mapping.yaml"

# The promise, checked from the JSON document; every held record has a
# reason that says what releases it.
check_plan() { # FILE ONLINE
	python3 - "$1" "$2" <<'PY' || fail "plan document ($1)"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["online"] == (sys.argv[2] == "online"), doc["online"]
assert doc["every_record_decided"] is True
objs = {o["object"]: o for o in doc["objects"]}
total = 0
for name, o in objs.items():
    decided = o["write"] + o["merged"] + o["held"] + o["skipped"]
    assert o["staged"] == decided, (name, o)
    total += o["staged"]
    for r in o["reasons"]["held"]:
        assert r["code"] and r["example"] and r["release"], r
assert total == doc["staged"] == 112, total
assert objs["Account"]["staged"] == 32 and objs["Contact"]["staged"] == 80
# The planted duplicates: 6 accounts and 3 contacts merged.
assert objs["Account"]["merged"] == 6, objs["Account"]
assert objs["Contact"]["merged"] == 3, objs["Contact"]
print(sys.argv[2], {k: (v["write"], v["merged"], v["held"], v["skipped"])
                    for k, v in objs.items()})
PY
}

expect_exit 0 "$FERRY_BIN" -C "$ws" plan --offline --json
echo "$out" >"$tmp/plan1.json"
check_plan "$tmp/plan1.json" offline
# The sample org stages no User: every owner is unresolved, so every
# record not merged is held.
python3 - "$tmp/plan1.json" <<'PY' || fail "owners"
import json, sys
objs = {o["object"]: o for o in json.load(open(sys.argv[1]))["objects"]}
for name in ("Account", "Contact"):
    o = objs[name]
    assert o["write"] == 0 and o["held"] == o["staged"] - o["merged"], o
    assert o["reasons"]["held"][0]["code"] == "owner_no_user", o
PY

# Owners mapped to the sandbox's members, and a default country: records
# are written now, against the destination's schema.
python3 - "$ws/mapping.yaml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("  table: {}", "  table:\n"
                    "    005Dn000001AbCdIAK: ada@ferry.test\n"
                    "    005Dn000001QrStIAK: grace@ferry.test\n"
                    "    005Dn000001XyZwIAK: ada@ferry.test\n")
text += "options:\n  default_country: US\n"
open(path, "w").write(text)
PY
expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json
echo "$out" >"$tmp/plan2.json"
check_plan "$tmp/plan2.json" online
python3 - "$tmp/plan2.json" <<'PY' || fail "online plan"
import json, sys
objs = {o["object"]: o for o in json.load(open(sys.argv[1]))["objects"]}
a, c = objs["Account"], objs["Contact"]
assert a["write"] > 0 and c["write"] > 0, (a, c)
held = {r["code"] for r in a["reasons"]["held"]}
# Blank websites, websites with no domain, a personal-email domain.
assert {"match_missing", "domain_invalid", "domain_personal"} <= held, held
held = {r["code"] for r in c["reasons"]["held"]}
assert {"match_missing", "email_invalid"} <= held, held
# The sandbox has no salesforce_id attribute: schema setup creates it.
assert "salesforce_id" in a["to_create"], a["to_create"]
PY

# Planning the unchanged workspace again: no new audit event.
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --json
before=$(echo "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json
echo "$out" >"$tmp/plan3.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["changed"] == 0, d["changed"]' \
	"$tmp/plan3.json" || fail "an unchanged re-plan changed decisions"
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --json
after=$(echo "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$before" -eq "$after" ] || fail "re-plan added audit events: $before -> $after"
[ "$before" -ge 112 ] || fail "the first plans wrote $before audit events"
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record 001Dn00000AbCdFIAV
expect_output "planned: merged into Account 001Dn00000AbCdEIAV"

# A mistake in mapping.yaml: refused with its file and line.
sed -i 's/type: domain}/type: domian}/' "$ws/mapping.yaml"
expect_exit 4 "$FERRY_BIN" -C "$ws" plan --offline
expect_output "mapping.yaml:[0-9]+: .*domian"

# One record's story (audit --record): where it stands, then its events.
# A held record names its reason and what releases it (the mapping is
# broken now, but the plan and the log are still there to read).
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record 001Dn00000Kv2WdIAJ
expect_output "^Account 001Dn00000Kv2WdIAJ$"
expect_output "^  Decision: held: a person must act \(planned "
expect_output "^    Website domain_personal: website 'gmail.com' is a personal-email provider"
expect_output "^      -> edit the record in Salesforce and extract again"
expect_output "^  Ledger: +nothing written to the destination yet"
expect_output "plan +planned: held$"
# A merged one names its survivor.
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record 001Dn00000AbCdFIAV
expect_output "^  Decision: merged into Account 001Dn00000AbCdEIAV "
expect_output "^    merged: same domain 'acme.com' as Account 001Dn00000AbCdEIAV"
# --json: the events, with the decision.
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record 001Dn00000AbCdFIAV --json
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["record"] == "001Dn00000AbCdFIAV", d
dec = d["decision"]
assert dec["object"] == "Account" and dec["decision"] == "merged", dec
assert dec["survivor_id"] == "001Dn00000AbCdEIAV", dec
assert d["ledger"] is None, d["ledger"]
assert d["events"] and all(e["record"] == "001Dn00000AbCdFIAV"
                           for e in d["events"]), d["events"]
assert [o["object"] for o in d["objects"]] == ["Account"], d["objects"]
' "$out" || fail "audit --record --json: $out"
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record 001Dn00000NOSUCHIAV
expect_output "^No decision and no audit events for record 001Dn00000NOSUCHIAV.$"
# Without --record the log reads as before.
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --object Account
expect_output "plan +Account +001Dn00000AbCdFIAV +merged"

# reports/plan.html, written by the last plan that went through: the
# headline balances, the held records are listed, nothing runs.
html="$ws/reports/plan.html"
[ -f "$html" ] || fail "plan wrote no reports/plan.html"
grep -q "Content-Security-Policy" "$html" || fail "plan.html has no CSP"
grep -qi "<script" "$html" && fail "plan.html has a script"
grep -q "<b>112</b> staged = " "$html" || fail "plan.html: no headline"
grep -q "badge good\">balances" "$html" || fail "plan.html does not balance"
grep -q "ferry queue show Account 001Dn00000Kv2WdIAJ" "$html" ||
	fail "plan.html does not list the held account"

echo "plan: ok"
