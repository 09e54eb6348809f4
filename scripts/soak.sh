#!/usr/bin/env bash
# soak.sh: kill -9 `ferry run` at random moments, again and again, then let
# it finish, and check that the destination holds every record exactly
# once and the ledger agrees. ROUNDS and RECORDS can be set in the
# environment (tests/scenarios/kill_resume.sh runs a short one under ctest).
set -euo pipefail
build=${1:-build}
rounds=${ROUNDS:-20}
records=${RECORDS:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry=${FERRY_BIN:-$root/$build/ferry}
sandbox=${FERRY_SANDBOX_BIN:-$root/$build/ferry-sandbox}
work=$(mktemp -d /tmp/ferry-soak.XXXXXX)
trap 'kill ${spid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
export FERRY_SANDBOX_TOKEN=soak-token ATTIO_API_TOKEN=soak-token

python3 "$root/bench/gen_export.py" "$work/export" "$records" $((records * 2)) 7
"$sandbox" attio --port 0 --port-file "$work/port" --write-rate 200 \
	--read-rate 400 2>/dev/null &
spid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")"
"$ferry" init "$work/ws" >/dev/null
sed -i -e "s|^  path: .*|  path: $work/export|" -e "s|^  base_url: .*|  base_url: $url|" \
	-e "s|^  write_rate: .*|  write_rate: 200|" -e "s|^  read_rate: .*|  read_rate: 400|" \
	"$work/ws/ferry.yaml"
"$ferry" -C "$work/ws" extract >/dev/null
# What a person does before the first run: the draft mapping, its owners
# and the sandbox's attributes, then the plan the runs execute.
"$ferry" -C "$work/ws" analyze --offline >/dev/null
python3 "$root/scripts/prepare_mapping.py" "$work/ws"
"$ferry" -C "$work/ws" plan >/dev/null

for r in $(seq 1 "$rounds"); do
	"$ferry" -C "$work/ws" run --yes >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
done
echo "killed 'ferry run' $rounds times"
"$ferry" -C "$work/ws" run --yes >/dev/null
"$ferry" -C "$work/ws" status --json >"$work/status.json"
curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" "$url/__sandbox/stats" >"$work/stats.json"
python3 - "$work/status.json" "$work/stats.json" <<'PY'
import json, sys
status = {o["object"]: o for o in json.load(open(sys.argv[1]))["objects"]}
stats = json.load(open(sys.argv[2]))
acc, con = status["Account"], status["Contact"]
for o in (acc, con):
    assert o["pending"] == 0 and o["not_run"] == 0 and o["failed"] == 0, o
    assert o["written"] + o["merged"] + o["held"] + o["skipped"] == o["staged"], o
for slug, dups in stats.get("duplicates", {}).items():
    assert not dups, ("duplicate values", slug, dups)
got_c = stats["records_per_object"]["companies"]
got_p = stats["records_per_object"]["people"]
assert got_c == acc["written"], ("companies", got_c, acc["written"])
assert got_p == con["written"], ("people", got_p, con["written"])
print("soak ok: %d companies and %d people, each exactly once, after the kills"
      % (got_c, got_p))
PY
