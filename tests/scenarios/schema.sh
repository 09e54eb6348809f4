# schema.sh: `ferry schema` on the sample org against the Attio sandbox:
# the drafted mapping needs attributes (salesforce_id, the selects with
# their options) that the plan lists as to create; `ferry schema` shows
# them, --apply refuses without a terminal and asks on one, --apply
# --yes makes them (once: a second run changes nothing), after which the
# online plan has nothing left to create; a value added to a table is
# one more option; a mapping that writes into an attribute of another
# type is a problem that blocks, naming both types.
. "$(dirname "$0")/lib.sh"

start_sandbox
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN

expect_exit 0 "$FERRY_BIN" -C "$ws" extract
expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --offline
# Owners to sandbox members, a default country (no sandbox changes).
python3 "$FERRY_SOURCE_DIR/scripts/prepare_mapping.py" "$ws" ||
	fail "preparing mapping.yaml"

# to_create of each object of an online plan, as "Object:attr,attr".
to_create() {
	expect_exit 0 "$FERRY_BIN" -C "$ws" plan --json
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["online"], "the plan was made offline"
print(" ".join("%s:%s" % (o["object"], ",".join(o["to_create"]))
               for o in doc["objects"] if o["to_create"]))' <<<"$out"
}
before=$(to_create)
grep -q "Account:.*salesforce_id" <<<"$before" ||
	fail "the plan lists no salesforce_id to create: $before"

# What the workspace needs, for people and as JSON.
expect_exit 0 "$FERRY_BIN" -C "$ws" schema
expect_output "Attio workspace 'ferry sandbox' at http://127.0.0.1:[0-9]+ needs 22 changes"
expect_output "create attribute companies.salesforce_id \(text\)"
expect_output "create attribute companies.industry \(select\)"
expect_output "create attribute people.owner \(actor-reference\)"
expect_output "add option 'Banking' to companies.industry \(value table Account.Industry\)"
expect_output "Run 'ferry schema --apply' to make them"
expect_exit 0 "$FERRY_BIN" -C "$ws" schema --json
echo "$out" >"$tmp/schema.json"
python3 - "$tmp/schema.json" "$before" <<'PY' || fail "schema --json"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["workspace"] == "ferry sandbox", doc["workspace"]
assert doc["problems"] == [], doc["problems"]
kinds = [c["kind"] for c in doc["changes"]]
assert kinds == ["attribute"] * 7 + ["option"] * 15, kinds
made = {"%s.%s" % (c["parent"], c["attribute"])
        for c in doc["changes"] if c["kind"] == "attribute"}
# Every attribute the plan counts as to create is made, and only those.
want = set()
for part in sys.argv[2].split():
    obj, attrs = part.split(":")
    dest = {"Account": "companies", "Contact": "people"}[obj]
    want |= {"%s.%s" % (dest, a) for a in attrs.split(",")}
assert made == want, (made, want)
PY

# --apply asks; without a terminal it refuses, and nothing changes.
writes=$(sandbox_stat writes)
expect_exit 2 "$FERRY_BIN" -C "$ws" schema --apply </dev/null
expect_output "no terminal to ask on: add --yes"
expect_exit 2 "$FERRY_BIN" -C "$ws" schema --yes
expect_output "--yes goes with --apply"
[ "$(sandbox_stat writes)" -eq "$writes" ] || fail "a refused --apply wrote"

# On a terminal: the question, and "no" changes nothing.
ask() { # ANSWER: runs `ferry schema --apply` on a pseudo-terminal
	python3 - "$FERRY_BIN" "$ws" "$1" <<'PY'
import os, pty, sys
ferry, ws, answer = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(ferry, [ferry, "-C", ws, "schema", "--apply"])
out, asked = b"", False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not asked and b"[y/N]" in out:
        os.write(fd, answer.encode() + b"\n")
        asked = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode())
sys.exit(os.WEXITSTATUS(status))
PY
}
got=0
out=$(ask n) || got=$?
[ "$got" -eq 1 ] || fail "answering no exited $got: $out"
grep -q "Apply these 22 changes to Attio workspace 'ferry sandbox'? \[y/N\]" <<<"$out" ||
	fail "no question: $out"
grep -q "not confirmed: nothing was changed" <<<"$out" || fail "no: $out"
[ "$(sandbox_stat writes)" -eq "$writes" ] || fail "answering no wrote"

# --apply --yes makes them; a second run has nothing to do.
expect_exit 0 "$FERRY_BIN" -C "$ws" schema --apply --yes
expect_output "created +create attribute companies.salesforce_id \(text\)"
expect_output "22 created, 0 already there, 0 failed, 0 not tried \(of 22\)"
[ "$(sandbox_stat writes)" -eq $((writes + 22)) ] ||
	fail "22 changes took $(($(sandbox_stat writes) - writes)) writes"
expect_exit 0 "$FERRY_BIN" -C "$ws" schema --apply --yes
expect_output "has everything mapping.yaml writes: no change needed"
[ "$(sandbox_stat writes)" -eq $((writes + 22)) ] || fail "a second run wrote"
after=$(to_create)
[ -z "$after" ] || fail "the plan still lists attributes to create: $after"

# A value added to a table: one option more, and "yes" on the terminal.
sed -i 's/^      Banking: Banking$/      Banking: Banking\n      Fintech: Fintech/' "$ws/mapping.yaml"
expect_exit 0 "$FERRY_BIN" -C "$ws" schema
expect_output "needs 1 change for mapping.yaml"
expect_output "add option 'Fintech' to companies.industry"
got=0
out=$(ask y) || got=$?
[ "$got" -eq 0 ] || fail "answering yes exited $got: $out"
grep -q "Apply this change to Attio workspace 'ferry sandbox'? \[y/N\]" <<<"$out" ||
	fail "no question: $out"
grep -q "1 created" <<<"$out" || fail "yes: $out"

# A select written into a text attribute is a problem: it blocks.
sed -i 's/Description: {to: description, type: text}/Description: {to: industry, type: text}/' "$ws/mapping.yaml"
sed -i 's/Industry: {to: industry, type: select/Industry: {to: sector, type: select/' "$ws/mapping.yaml"
expect_exit 4 "$FERRY_BIN" -C "$ws" schema --apply --yes
expect_output "mapping.yaml:[0-9]+: Account.Description writes a text \(Attio type text\) into companies.industry, which is a select attribute in Attio: change the field's type to select"
expect_output "1 problem blocks schema setup \(listed above\).*nothing was changed"
[ "$(sandbox_stat writes)" -eq $((writes + 23)) ] || fail "a blocked run wrote"
echo "schema: ok"
