#!/usr/bin/env bash
# soak_extract.sh: kill -9 `ferry extract` at random moments against a
# generated Salesforce org whose Bulk jobs take time, again and again,
# then let it finish, and check that every object is staged once, whole,
# with the count Salesforce gives. ROUNDS and SCALE can be set in the
# environment.
set -euo pipefail
build=${1:-build}
rounds=${ROUNDS:-12}
scale=${SCALE:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry=${FERRY_BIN:-$root/$build/ferry}
sandbox=${FERRY_SANDBOX_BIN:-$root/$build/ferry-sandbox}
work=$(mktemp -d /tmp/ferry-soak-extract.XXXXXX)
trap 'kill ${spid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
export SF_CLIENT_ID=ferry-sandbox-client SF_CLIENT_SECRET=ferry-sandbox-secret

"$sandbox" salesforce --scale "$scale" --bulk-polls 0 --bulk-ms 300 \
	--port 0 --port-file "$work/port" --log "$work/sf.log" 2>/dev/null &
spid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")"
"$ferry" init "$work/ws" >/dev/null
python3 - "$work/ws/ferry.yaml" "$url" <<'PY'
import re, sys
path, sf = sys.argv[1:3]
text = open(path).read()
text = re.sub(r"source:\n(  .*\n|  #.*\n)*",
              "source:\n  type: salesforce\n  login_url: %s\n  page_size: 2000\n" % sf, text)
open(path, "w").write(text)
PY

for r in $(seq 1 "$rounds"); do
	"$ferry" -C "$work/ws" extract >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
done
echo "killed 'ferry extract' $rounds times"
"$ferry" -C "$work/ws" extract --json >"$work/extract.json"
jobs=$(grep -c "POST /services/data/v[0-9.]*/jobs/query " "$work/sf.log" || true)
python3 - "$work/extract.json" "$jobs" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
objs = [o for o in d["objects"] if not o["skipped"]]
for o in objs:
    assert o["staged"] == o["source"], o
resumed = sum(1 for o in objs if o["resumed"])
print("soak ok: %d objects, %d records, each count equal to Salesforce's; "
      "the last run resumed %d objects; %s Bulk jobs created in all"
      % (len(objs), sum(o["staged"] for o in objs), resumed, sys.argv[2]))
PY
