#!/usr/bin/env bash
# bench_sf.sh: extract and analyze a generated Salesforce org from the
# sandbox at three sizes (a quarter of the bench org, ~1,000,000 records,
# then the bench org: 100k accounts, 300k contacts, 100k leads, 150k
# opportunities, 500k activities), printing records/s and peak memory of
# each step. Memory should stay flat as the org grows. The ~1,000,000
# record org (70,000 accounts) is planned too, twice: the plan is checked
# independently by bench/check_plan.py (staged = write + merged + held +
# skipped per object, one decision per record, reasons), and the re-plan of
# the unchanged workspace must change no decision and add no audit event.
# Called by scripts/bench.sh; the scale list can be given as SF_SCALES
# ("25000 70000 bench") and the one planned as SF_PLAN_SCALE (70000).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry="$root/$build/ferry"
sandbox="$root/$build/ferry-sandbox"
work=$(mktemp -d /tmp/ferry-bench-sf.XXXXXX)
trap 'kill ${sfpid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
export SF_CLIENT_ID=ferry-sandbox-client SF_CLIENT_SECRET=ferry-sandbox-secret

report() { # LABEL JSON RECORDS
	python3 -c "
import json,sys; d=json.loads(sys.argv[2]); n=int(sys.argv[3])
print('  %-8s %9d records  %7.2f s  %9.0f records/s  peak %6.1f MiB' % (sys.argv[1], n, d['seconds'], n/d['seconds'], d['peak_rss_mib']))" "$@"
}

# The audit log's length, read from the workspace database.
events() { # WORKSPACE
	python3 -c 'import sqlite3,sys
db = sqlite3.connect("file:%s/.ferry/state.db?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT count(*) FROM audit").fetchone()[0])' "$1"
}

plan_scale=${SF_PLAN_SCALE:-70000}
echo "== Salesforce org through the API: extract (Bulk 2.0), analyze; plan at scale $plan_scale"
for scale in ${SF_SCALES:-25000 $plan_scale bench}; do
	rm -f "$work/sf.port"
	"$sandbox" salesforce --scale "$scale" --bulk-polls 0 --bulk-ms 1000 --port 0 --port-file "$work/sf.port" 2>/dev/null &
	sfpid=$!
	for _ in $(seq 1 200); do [ -s "$work/sf.port" ] && break; sleep 0.05; done
	ws="$work/ws-$scale"
	"$ferry" init "$ws" >/dev/null
	python3 - "$ws/ferry.yaml" "http://127.0.0.1:$(cat "$work/sf.port")" <<'PY'
import re, sys
path, sf = sys.argv[1:3]
text = open(path).read()
text = re.sub(r"source:\n(  .*\n|  #.*\n)*",
              "source:\n  type: salesforce\n  login_url: %s\n" % sf, text)
open(path, "w").write(text)
PY
	line=$(python3 "$root/bench/measure.py" "extract" "$ferry" -C "$ws" extract)
	n=$("$ferry" -C "$ws" status --json | python3 -c '
import json,sys; print(sum(o["staged"] for o in json.load(sys.stdin)["objects"]))')
	echo " scale $scale:"
	report extract "$line" "$n"
	line=$(python3 "$root/bench/measure.py" "analyze" "$ferry" -C "$ws" analyze --offline)
	report analyze "$line" "$n"
	kill $sfpid; wait $sfpid 2>/dev/null || true
	if [ "$scale" = "$plan_scale" ]; then
		# The dry run with analyze's draft mapping: every record decided,
		# checked by another program than ferry; then the same again.
		line=$(python3 "$root/bench/measure.py" --stdout "$work/plan.json" \
			"plan" "$ferry" -C "$ws" plan --json --offline)
		report plan "$line" "$n"
		balanced=$(python3 "$root/bench/check_plan.py" "$ws" "$work/plan.json")
		before=$(events "$ws")
		line=$(python3 "$root/bench/measure.py" --stdout "$work/replan.json" \
			"re-plan" "$ferry" -C "$ws" plan --json --offline)
		report re-plan "$line" "$n"
		echo "  $balanced"
		python3 - "$work/replan.json" "$before" "$(events "$ws")" <<'PY'
import json, sys
changed = json.load(open(sys.argv[1]))["changed"]
added = int(sys.argv[3]) - int(sys.argv[2])
print("  re-plan of the unchanged workspace: %d decisions changed, %d audit "
      "events added" % (changed, added))
if changed or added:
    sys.exit("bench_sf.sh: a re-plan of an unchanged workspace changed it")
PY
	fi
	rm -rf "$ws"
done
