# plan_generated.sh: `ferry plan` on generated Salesforce orgs through the
# API (2,000 accounts and ~29,000 records; then 500 accounts with person
# accounts on), with analyze's draft mapping, checked independently of
# ferry by bench/check_plan.py on the workspace database itself: per
# object, staged records = plan rows = write + merged + held + skipped of
# --json; every staged record has exactly one plan row and every row is a
# staged record; held and skipped records say why (held ones what releases
# them); merged ones name a survivor that has a decision. Planning the
# unchanged workspace again adds no audit event and leaves the plan table
# byte for byte the same.
. "$(dirname "$0")/lib.sh"

checker="$FERRY_SOURCE_DIR/bench/check_plan.py"

# plan_org NAME SANDBOX_OPTIONS...: extract, analyze and plan a generated
# org, check the plan, plan again; leaves the first plan in $tmp/NAME.json.
plan_org() {
	local name=$1 ws="$tmp/ws-$1" first second sha1 rows1 events1 sha2 rows2 \
		events2
	shift
	start_sf_sandbox --bulk-polls 0 "$@"
	make_sf_workspace "$ws"
	expect_exit 0 "$FERRY_BIN" -C "$ws" extract
	expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --offline
	[ -f "$ws/mapping.yaml" ] || fail "$name: analyze drafted no mapping.yaml"
	stop_sf_sandbox

	expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json --offline
	echo "$out" >"$tmp/$name.json"
	out=$(python3 "$checker" "$ws" "$tmp/$name.json" 2>&1) ||
		fail "$name: the plan does not keep its promise:
$out"
	echo "$name: $out"
	first=$(python3 "$checker" --digest "$ws") || fail "$name: digest"

	# Again, on the unchanged workspace: nothing changes, nothing is
	# audited, and the second document passes the same check.
	expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json --offline
	echo "$out" >"$tmp/$name-again.json"
	second=$(python3 "$checker" --digest "$ws") || fail "$name: digest"
	read -r sha1 rows1 events1 <<<"$first"
	read -r sha2 rows2 events2 <<<"$second"
	[ "$events1" -eq "$events2" ] ||
		fail "$name: the re-plan added $((events2 - events1)) audit events"
	if [ "$rows1" -ne "$rows2" ] || [ "$sha1" != "$sha2" ]; then
		fail "$name: the re-plan changed the plan table ($rows1 rows, sha $sha1 -> $rows2 rows, sha $sha2)"
	fi
	[ "$events1" -ge "$rows1" ] ||
		fail "$name: the first plan audited $events1 events for $rows1 new decisions"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["changed"] == 0, d["changed"]' \
		"$tmp/$name-again.json" || fail "$name: an unchanged re-plan reports changed decisions"
	out=$(python3 "$checker" "$ws" "$tmp/$name-again.json" 2>&1) ||
		fail "$name: the second plan does not keep its promise:
$out"
}

plan_org org --scale 2000
# The check must not be a vacuous one: the generated org's mess gives
# every decision, duplicates are merged by the key `match` implies, and
# there are a few tens of thousands of records.
python3 - "$tmp/org.json" <<'PY' || fail "the generated org's plan"
import json, sys
doc = json.load(open(sys.argv[1]))
objs = {o["object"]: o for o in doc["objects"]}
assert doc["staged"] > 25000, doc["staged"]
for d in ("write", "merged", "held", "skipped"):
    assert doc["decisions"][d] > 0, (d, doc["decisions"])
for name in ("Account", "Contact", "Lead"):
    assert objs[name]["merged"] > 0 and objs[name]["write"] > 0, objs[name]
# Staged objects the draft does not migrate are skipped whole, with why.
for name in ("User", "RecordType", "Campaign"):
    o = objs[name]
    assert o["skipped"] == o["staged"] > 0, o
    assert o["reasons"]["skipped"][0]["example"], o
PY

plan_org person --scale 500 --person-accounts
python3 - "$tmp/person.json" <<'PY' || fail "the person-account org's plan"
import json, sys
objs = {o["object"]: o for o in json.load(open(sys.argv[1]))["objects"]}
a = objs["Account"]
codes = {r["code"] for r in a["reasons"]["skipped"]}
# A person account is skipped: its Contact is the person.
assert a["skipped"] > 0 and "person_account" in codes, a
assert a["write"] > 0, a
PY

# The checker itself fails, naming the record, on a plan that breaks the
# promise: a staged record without a decision, a held one without a
# reason, a merged one whose survivor has no decision.
mkdir -p "$tmp/broken"
cp -r "$tmp/ws-person/.ferry" "$tmp/broken/"
broken=$(python3 - "$tmp/broken/.ferry/state.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def one(decision):
    return db.execute("SELECT object, source_id FROM plan WHERE decision = ? "
                      "ORDER BY object, source_id LIMIT 1", (decision,)).fetchone()
w, h, m = one("write"), one("held"), one("merged")
db.execute("DELETE FROM plan WHERE object = ? AND source_id = ?", w)
db.execute("UPDATE plan SET reasons = '[]' WHERE object = ? AND source_id = ?", h)
db.execute("UPDATE plan SET survivor_id = 'gone' WHERE object = ? AND source_id = ?", m)
db.commit()
print(" ".join(w + h + m))
PY
) || fail "could not break the plan"
read -r wo wid ho hid mo mid <<<"$broken"
out=$(python3 "$checker" "$tmp/broken" "$tmp/person.json" 2>&1) &&
	fail "the checker passed a broken plan:
$out"
for want in "$wo: [0-9]+ staged records but [0-9]+ plan rows" \
	"$wo $wid: staged but has no decision" "$ho $hid \(held\): no reason" \
	"$mo $mid: merged into [A-Za-z]+ gone, which has no decision"; do
	expect_output "$want"
done

echo "plan_generated: ok"
