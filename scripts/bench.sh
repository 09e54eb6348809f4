#!/usr/bin/env bash
# bench.sh: ferry's benchmarks (see bench/README.md). Prints one line per
# measurement; nothing here is timed inside a unit test.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry="$root/$build/ferry"
sandbox="$root/$build/ferry-sandbox"
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'kill ${spid:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
export FERRY_SANDBOX_TOKEN=bench-token ATTIO_API_TOKEN=bench-token

workspace() { # DIR EXPORT URL WRITE_RATE
	"$ferry" init "$1" >/dev/null
	sed -i -e "s|^  path: .*|  path: $2|" -e "s|^  base_url: .*|  base_url: $3|" \
		-e "s|^  write_rate: .*|  write_rate: $4|" "$1/ferry.yaml"
}

echo "== extract: staging a Data Export folder (records/s, peak memory)"
for scale in 1 4; do
	acc=$((25000 * scale)) con=$((75000 * scale))
	python3 "$root/bench/gen_export.py" "$work/export-$scale" $acc $con
	workspace "$work/ws-$scale" "$work/export-$scale" http://127.0.0.1:9 25
	line=$(python3 "$root/bench/measure.py" "extract-$((acc + con))" \
		"$ferry" -C "$work/ws-$scale" extract)
	python3 -c "
import json,sys; d=json.loads(sys.argv[1]); n=$((acc + con))
print('  %8d records  %6.2f s  %9.0f records/s  peak %6.1f MiB' % (n, d['seconds'], n/d['seconds'], d['peak_rss_mib']))" "$line"
done

echo "== load: writes against the Attio sandbox at its 25 writes/s limit"
n=500
python3 "$root/bench/gen_export.py" "$work/export-load" $n 20
rm -f "$work/port"
"$sandbox" attio --port 0 --port-file "$work/port" 2>/dev/null &
spid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$work/port")"
workspace "$work/ws-load" "$work/export-load" "$url" 25
"$ferry" -C "$work/ws-load" extract >/dev/null
"$ferry" -C "$work/ws-load" analyze --offline >/dev/null
python3 "$root/scripts/prepare_mapping.py" "$work/ws-load" "$url"
"$ferry" -C "$work/ws-load" plan >/dev/null
t0=$(date +%s.%N)
"$ferry" -C "$work/ws-load" run --json >"$work/run.json" || true
t1=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" "$url/__sandbox/stats" >"$work/stats.json"
python3 - "$work/run.json" "$t0" "$t1" "$work/stats.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
stats = json.load(open(sys.argv[4]))
secs = float(sys.argv[3]) - float(sys.argv[2])
written = sum(o["written"] for o in run["objects"])
rate = written / secs
print("  %d written in %.1f s: %.1f writes/s = %.0f%% of the 25/s limit; %d requests, %d 429s"
      % (written, secs, rate, 100 * rate / 25, run["requests"]["sent"],
         run["requests"]["rate_limited"]))
print("  the sandbox saw at most %d writes in any 1 s window"
      % stats["max_writes_in_any_1s_window"])
PY

"$root/scripts/bench_sf.sh" "$build"
