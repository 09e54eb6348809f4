#!/usr/bin/env bash
# bench.sh: ferry's benchmarks (see bench/README.md). Prints one line per
# measurement; nothing here is timed inside a unit test.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
ferry="$root/$build/ferry"
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
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

# The load: ferry run beside the migration guide's script (about four
# minutes); its FAIL is the bench's exit status, after the rest has run.
load_status=0
"$root/bench/load_bench.sh" "$build" || load_status=$?

"$root/scripts/bench_sf.sh" "$build"
exit $load_status
