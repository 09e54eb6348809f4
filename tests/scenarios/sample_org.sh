# sample_org.sh: the whole flow on the bundled sample org (extract,
# analyze, plan, run): every staged record gets exactly one outcome, the
# sandbox holds one record per distinct domain and email, a second run
# (after a new extract, so it plans again first) writes nothing at all,
# and a run without its ledger duplicates nothing.
. "$(dirname "$0")/lib.sh"

start_sandbox
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN

expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_output "Account +[0-9]+ records"

# No plan, no run.
expect_exit 4 "$FERRY_BIN" -C "$ws" run
expect_output "run 'ferry analyze'"
prepare_plan "$ws"

# The sandbox lacks attributes mapping.yaml writes: `ferry run` shows the
# schema changes and, with no terminal to ask on, changes nothing and
# writes nothing without --yes.
expect_exit 2 "$FERRY_BIN" -C "$ws" run
expect_output "needs [0-9]+ changes? for mapping.yaml"
expect_output "create attribute companies.salesforce_id"
expect_output "no terminal to ask on: review them with 'ferry schema'"
[ "$(sandbox_stat writes)" -eq 0 ] || fail "run wrote without a yes"

expect_exit 0 "$FERRY_BIN" -C "$ws" run --json --yes
echo "$out" >"$tmp/run1.json"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
r = d['schema']['result']
assert r['created'] == len(d['schema']['changes']) > 0, r
assert r['failed'] == 0, r
" "$tmp/run1.json" || fail "schema setup in the run: $(cat "$tmp/run1.json")"
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
echo "$out" >"$tmp/status1.json"

# Every staged record accounted for: staged = written + merged + held +
# skipped + failed (the ledger's held are the plan's), nothing
# pending, nothing not run; the run's own counts agree with the plan's;
# and the sandbox holds exactly the distinct destination records the
# ledger says were written.
python3 - "$tmp/status1.json" "$tmp/run1.json" <<'PY' || fail "accounting"
import json, sys
status = json.load(open(sys.argv[1]))
run = json.load(open(sys.argv[2]))
objs = {o["object"]: o for o in status["objects"]}
ran = {o["object"]: o for o in run["objects"]}
for name in ("Account", "Contact"):
    o, r = objs[name], ran[name]
    total = o["written"] + o["merged"] + o["held"] + o["skipped"] + o["failed"]
    assert o["staged"] == total, (name, o)
    assert r["staged"] == r["to_write"] + r["merged"] + r["held"] + r["skipped"], r
    assert r["to_write"] == r["written"] + r["unchanged"] + r["failed"], r
    assert r["written"] == o["written"] and r["held"] > 0, (r, o)
    assert r["held"] == o["held"], (r, o)
    assert o["pending"] == 0 and o["not_run"] == 0, o
    assert o["written"] > 0 and o["merged"] > 0 and o["held"] + o["skipped"] > 0, o
    assert o["failed"] == 0, o
    for kind in ("merged", "held", "skipped"):
        reasons = o["reasons"].get(kind, [])
        assert sum(r["count"] for r in reasons) == o[kind], (name, kind)
        assert all(r["reason"] for r in reasons), reasons
print("accounted:", {k: (v["staged"], v["written"], v["merged"], v["skipped"]) for k, v in objs.items()})
PY

companies=$(sandbox_stat records_per_object.companies)
people=$(sandbox_stat records_per_object.people)
written_accounts=$(python3 -c "import json; print([o for o in json.load(open('$tmp/status1.json'))['objects'] if o['object']=='Account'][0]['written'])")
written_contacts=$(python3 -c "import json; print([o for o in json.load(open('$tmp/status1.json'))['objects'] if o['object']=='Contact'][0]['written'])")
[ "$companies" -eq "$written_accounts" ] ||
	fail "sandbox has $companies companies, ledger says $written_accounts written"
[ "$people" -eq "$written_contacts" ] ||
	fail "sandbox has $people people, ledger says $written_contacts written"

# The second run: a new extract (the plan is planned again first), nothing
# new, no call that writes.
writes_before=$(sandbox_stat writes)
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_exit 0 "$FERRY_BIN" -C "$ws" run --json
python3 -c "
import json, sys
run = json.loads(sys.argv[1])
assert run['replanned'], run
assert run['requests']['sent'] == 0, run
assert all(o['written'] == 0 for o in run['objects']), run
assert sum(o['unchanged'] for o in run['objects']) > 0, run
" "$out" || fail "second run wrote records: $out"
[ "$(sandbox_stat writes)" -eq "$writes_before" ] ||
	fail "second run sent writes to the sandbox"
[ "$(sandbox_stat records_per_object.companies)" -eq "$companies" ] ||
	fail "companies duplicated"

# Even with the ledger lost, asserts create no duplicate (the plan, made
# online, also matches the records already there: updated, not created).
rm -rf "$ws/.ferry"
expect_exit 0 "$FERRY_BIN" init "$ws"
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_exit 0 "$FERRY_BIN" -C "$ws" plan
expect_exit 0 "$FERRY_BIN" -C "$ws" run
[ "$(sandbox_stat records_per_object.companies)" -eq "$companies" ] ||
	fail "a run without a ledger duplicated companies"
[ "$(sandbox_stat records_per_object.people)" -eq "$people" ] ||
	fail "a run without a ledger duplicated people"

# The audit log tells one record's story.
acct=$(python3 -c "
import csv, io
data = open('$FERRY_SOURCE_DIR/examples/sample-org/Account.csv', encoding='utf-8-sig').read()
print(next(csv.DictReader(io.StringIO(data)))['Id'])")
expect_exit 0 "$FERRY_BIN" -C "$ws" audit --record "$acct"
expect_output "$acct"
echo "ok: sample org planned and migrated, re-run wrote nothing"
