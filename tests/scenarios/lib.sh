# lib.sh: what the scenario scripts share: a scratch folder, the Attio
# sandbox on an ephemeral port, a workspace pointed at it, and checks that
# fail loudly. Sourced, never run.
set -euo pipefail

: "${FERRY_BIN:?run the scenarios through ctest}"
: "${FERRY_SANDBOX_BIN:?run the scenarios through ctest}"
: "${FERRY_SOURCE_DIR:?run the scenarios through ctest}"

scenario=$(basename "$0" .sh)
tmp="${FERRY_TEST_TMP:-/tmp/ferry-tests}/scenario-$scenario-$$"
rm -rf "$tmp"
mkdir -p "$tmp"
sandbox_pid=""
export FERRY_SANDBOX_TOKEN=scenario-token

cleanup() {
	if [ -n "$sandbox_pid" ]; then
		kill "$sandbox_pid" 2>/dev/null || true
		wait "$sandbox_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL ($scenario): $*" >&2
	exit 1
}

# start_sandbox [options...]: starts `ferry-sandbox attio` and sets $url.
start_sandbox() {
	rm -f "$tmp/port"
	"$FERRY_SANDBOX_BIN" attio --port 0 --port-file "$tmp/port" \
		--log "$tmp/sandbox.log" "$@" 2>>"$tmp/sandbox.err" &
	sandbox_pid=$!
	for _ in $(seq 1 400); do
		[ -s "$tmp/port" ] && break
		kill -0 "$sandbox_pid" 2>/dev/null ||
			fail "sandbox did not start: $(cat "$tmp/sandbox.err")"
		sleep 0.025
	done
	[ -s "$tmp/port" ] || fail "sandbox wrote no port file"
	url="http://127.0.0.1:$(cat "$tmp/port")"
}

stop_sandbox() {
	kill "$sandbox_pid" 2>/dev/null || true
	wait "$sandbox_pid" 2>/dev/null || true
	sandbox_pid=""
}

# make_workspace DIR EXPORT_DIR [write_rate]: ferry init + point it at the
# export folder and the sandbox.
make_workspace() {
	local dir=$1 export_dir=$2 rate=${3:-25}
	"$FERRY_BIN" init "$dir" >/dev/null
	sed -i -e "s|^  path: .*|  path: $export_dir|" \
		-e "s|^  base_url: .*|  base_url: ${url:-http://127.0.0.1:9}|" \
		-e "s|^  write_rate: .*|  write_rate: $rate|" "$dir/ferry.yaml"
}

# sandbox_stat KEY: a number from the sandbox's /__sandbox/stats.
sandbox_stat() {
	curl -sf -H "Authorization: Bearer $FERRY_SANDBOX_TOKEN" \
		"$url/__sandbox/stats" |
		python3 -c "import json,sys; s=json.load(sys.stdin); k='$1'.split('.'); v=s
for p in k: v=v.get(p, 0) if isinstance(v, dict) else 0
print(v)"
}

# expect_exit CODE CMD...: runs CMD, keeps its output in $out, and fails
# unless it exits with CODE.
expect_exit() {
	local want=$1 got=0
	shift
	out=$("$@" 2>&1) || got=$?
	[ "$got" -eq "$want" ] ||
		fail "'$*' exited $got, expected $want; output:
$out"
}

# expect_output PATTERN: the last expect_exit's output matches PATTERN.
expect_output() {
	grep -qE -- "$1" <<<"$out" || fail "output lacks /$1/:
$out"
}
