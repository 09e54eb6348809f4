#!/usr/bin/env bash
# demo.sh: a whole migration of the bundled sample org (examples/sample-org)
# into the local Attio sandbox: init, extract, analyze, plan, run, status.
# Between analyze and plan, scripts/prepare_mapping.py does what a person
# would: owners for the draft mapping. `ferry run --yes` makes the
# attributes the mapping writes in the sandbox first (schema setup), then
# writes the records. The sandbox keeps its records in demo/attio.db, so running the demo again shows the
# second run writing nothing new. `make demo-clean` starts over.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry="$root/$build/ferry"
sandbox="$root/$build/ferry-sandbox"
demo="$root/demo"
ws="$demo/workspace"

mkdir -p "$demo"
rm -f "$demo/sandbox.port"
# The sandbox's token: a local stand-in's, not a secret.
export FERRY_SANDBOX_TOKEN=ferry-demo-token
"$sandbox" attio --port 0 --port-file "$demo/sandbox.port" \
	--state "$demo/attio.db" --log "$demo/sandbox.log" 2>>"$demo/sandbox.err" &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null; wait $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
	[ -s "$demo/sandbox.port" ] && break
	kill -0 $sandbox_pid 2>/dev/null || { cat "$demo/sandbox.err" >&2; exit 1; }
	sleep 0.05
done
port=$(cat "$demo/sandbox.port")
url="http://127.0.0.1:$port"
echo "== Attio sandbox listening on $url (state: demo/attio.db)"

if [ ! -f "$ws/ferry.yaml" ]; then
	echo "== ferry init demo/workspace"
	"$ferry" init "$ws"
fi
# Point the workspace at the sample org and at this run's sandbox port.
sed -i -e "s|^  path: .*|  path: $root/examples/sample-org|" \
	-e "s|^  base_url: .*|  base_url: $url|" "$ws/ferry.yaml"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN

echo
echo "== ferry extract"
"$ferry" -C "$ws" extract
echo
echo "== ferry analyze"
"$ferry" -C "$ws" analyze
echo
echo "== mapping.yaml: owners to a sandbox member, national phones read as US ones"
python3 "$root/scripts/prepare_mapping.py" "$ws"
echo
echo "== ferry plan"
"$ferry" -C "$ws" plan
echo
echo "== ferry run --yes (sets up the Attio schema the mapping needs, then writes)"
status=0
"$ferry" -C "$ws" run --yes || status=$?
echo
echo "== ferry status"
"$ferry" -C "$ws" status
echo
echo "== In the sandbox now:"
curl -s -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" "$url/__sandbox/stats" |
	python3 -c 'import json,sys; s=json.load(sys.stdin); print("  records per object:", s.get("records_per_object")); print("  requests served:", s.get("requests"), " writes:", s.get("writes"), " 429s sent:", s.get("rate_limited"))'
echo
echo "The readiness report: demo/workspace/reports/readiness.html"
echo "Run 'make demo' again: the second run writes nothing new. 'make demo-clean' starts over."
exit $status
