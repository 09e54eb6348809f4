#!/usr/bin/env bash
# load_bench.sh: the load benchmark (bench/README.md). 5,000 records
# written by the real `ferry run` to `ferry-sandbox attio` answering after
# 250 ± 100 ms with 2% of writes failed 500, at ferry.yaml's default 25
# writes/s; at the same time, on sandboxes of their own with the same
# faults, the migration guide's load loop (bench/seed_script_load.py) as
# written, and with a retry on 5xx over --seq-limit records. Prints them
# side by side, then PASS or FAIL for ferry's targets (>= 95% of 25
# writes/s sustained, 429s <= 1% of requests, nothing lost, no duplicate);
# exits 1 on a FAIL. About four minutes.
#
# usage: bench/load_bench.sh [BUILD_DIR] [--records N] [--seq-limit N]
set -euo pipefail
build=build records=5000 seq_limit=600
while [ $# -gt 0 ]; do
	case $1 in
	--records) records=$2 && shift ;;
	--seq-limit) seq_limit=$2 && shift ;;
	-*) echo "usage: $0 [BUILD_DIR] [--records N] [--seq-limit N]" >&2 && exit 2 ;;
	*) build=$1 ;;
	esac
	shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
ferry="$root/$build/ferry"
sandbox="$root/$build/ferry-sandbox"
work=$(mktemp -d /tmp/ferry-load-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
# The sandboxes' token: a local stand-in's, not a secret.
export FERRY_SANDBOX_TOKEN=bench-token ATTIO_API_TOKEN=bench-token
faults=(--latency-ms 250 --jitter-ms 100 --fail-rate 0.02)

# start_sandbox NAME SEED: one Attio sandbox with the faults; its URL in
# $work/NAME.url, its request log in $work/NAME.log.
start_sandbox() {
	"$sandbox" attio --port 0 --port-file "$work/$1.port" \
		--log "$work/$1.log" "${faults[@]}" --seed "$2" 2>>"$work/$1.err" &
	pids+=($!)
	for _ in $(seq 1 200); do [ -s "$work/$1.port" ] && break; sleep 0.05; done
	[ -s "$work/$1.port" ] || { echo "sandbox $1 did not start" >&2 && exit 1; }
	echo "http://127.0.0.1:$(cat "$work/$1.port")" >"$work/$1.url"
}

# workspace NAME: a workspace on sandbox NAME, the export staged and the
# attributes the mapping writes made (`ferry schema --apply`), so the
# three sandboxes start alike.
workspace() {
	local ws="$work/ws-$1"
	"$ferry" init "$ws" >/dev/null
	sed -i -e "s|^  path: .*|  path: $work/export|" \
		-e "s|^  base_url: .*|  base_url: $(cat "$work/$1.url")|" "$ws/ferry.yaml"
	grep -q '^  write_rate: 25$' "$ws/ferry.yaml" ||
		{ echo "ferry.yaml's default write_rate is not 25" >&2 && exit 1; }
	cp "$work/mapping.yaml" "$ws/mapping.yaml"
	"$ferry" -C "$ws" extract >/dev/null
	"$ferry" -C "$ws" schema --apply --yes >"$work/schema-$1.out" ||
		{ cat "$work/schema-$1.out" >&2 && exit 1; }
}

echo "== load: $records records through 'ferry run' to ferry-sandbox attio" \
	"(latency 250 ± 100 ms, 2% 5xx, 25 writes/s), beside the guide's script"
python3 "$root/bench/gen_load_export.py" "$work/export" "$work/mapping.yaml" "$records"
start_sandbox ferry 1
start_sandbox faithful 2
start_sandbox retry 3
for s in ferry faithful retry; do workspace "$s"; done
"$ferry" -C "$work/ws-ferry" plan >/dev/null

(
	rc=0
	t0=$(date +%s.%N)
	"$ferry" -C "$work/ws-ferry" run --json >"$work/run.json" 2>"$work/run.err" || rc=$?
	echo "$t0 $(date +%s.%N) $rc" >"$work/run.times"
) &
ferry_job=$!
python3 "$root/bench/seed_script_load.py" --base "$(cat "$work/faithful.url")" \
	--export "$work/export" --mode faithful --out "$work/faithful.json" &
faithful_job=$!
python3 "$root/bench/seed_script_load.py" --base "$(cat "$work/retry.url")" \
	--export "$work/export" --mode retry-5xx --limit "$seq_limit" \
	--out "$work/retry.json" &
retry_job=$!
wait "$ferry_job" "$faithful_job" "$retry_job"
[ -s "$work/run.json" ] || { cat "$work/run.err" >&2 && exit 1; }

python3 "$root/bench/load_report.py" "$work" "$work/export" \
	"$(cat "$work/ferry.url")" "$(cat "$work/faithful.url")" "$(cat "$work/retry.url")"
