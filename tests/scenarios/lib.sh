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

# prepare_plan DIR: what a person does between extract and run: analyze
# drafts mapping.yaml, scripts/prepare_mapping.py gives every unmatched
# owner a sandbox member, and `ferry plan` decides. The attributes the
# mapping writes are made by `ferry run --yes` (schema setup).
prepare_plan() {
	local dir=$1
	"$FERRY_BIN" -C "$dir" analyze --offline >"$tmp/analyze.out" 2>&1 ||
		fail "analyze: $(cat "$tmp/analyze.out")"
	python3 "$FERRY_SOURCE_DIR/scripts/prepare_mapping.py" "$dir" ||
		fail "preparing mapping.yaml"
	"$FERRY_BIN" -C "$dir" plan >"$tmp/plan.out" 2>&1 ||
		fail "plan: $(cat "$tmp/plan.out")"
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

# The Salesforce stand-in's connected app (a local stand-in's, not secrets).
export SF_CLIENT_ID=ferry-sandbox-client SF_CLIENT_SECRET=ferry-sandbox-secret
sf_pid=""
cleanup_sf() {
	if [ -n "$sf_pid" ]; then
		kill "$sf_pid" 2>/dev/null || true
		wait "$sf_pid" 2>/dev/null || true
	fi
	cleanup
}
trap cleanup_sf EXIT

# start_sf_sandbox [options...]: starts `ferry-sandbox salesforce` and sets
# $sf_url.
start_sf_sandbox() {
	rm -f "$tmp/sf.port"
	"$FERRY_SANDBOX_BIN" salesforce --port 0 --port-file "$tmp/sf.port" \
		--log "$tmp/sf.log" "$@" 2>>"$tmp/sf.err" &
	sf_pid=$!
	for _ in $(seq 1 400); do
		[ -s "$tmp/sf.port" ] && break
		kill -0 "$sf_pid" 2>/dev/null ||
			fail "salesforce sandbox did not start: $(cat "$tmp/sf.err")"
		sleep 0.025
	done
	[ -s "$tmp/sf.port" ] || fail "salesforce sandbox wrote no port file"
	sf_url="http://127.0.0.1:$(cat "$tmp/sf.port")"
}

stop_sf_sandbox() {
	kill "$sf_pid" 2>/dev/null || true
	wait "$sf_pid" 2>/dev/null || true
	sf_pid=""
}

# sf_stat KEY: a number from the Salesforce sandbox's /__sandbox/stats.
sf_stat() {
	curl -sf "$sf_url/__sandbox/stats" |
		python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"
}

# make_sf_workspace DIR [extra source lines]: a workspace whose source is
# the Salesforce sandbox (client credentials) and whose destination is the
# Attio sandbox, if one runs.
make_sf_workspace() {
	local dir=$1 extra=${2:-}
	"$FERRY_BIN" init "$dir" >/dev/null
	python3 - "$dir/ferry.yaml" "$sf_url" "${url:-http://127.0.0.1:9}" "$extra" <<'PY'
import re, sys
path, sf, attio, extra = sys.argv[1:5]
text = open(path).read()
src = "source:\n  type: salesforce\n  login_url: %s\n  auth: client_credentials\n" % sf
if extra:
    src += "".join("  %s\n" % l for l in extra.split(";"))
text = re.sub(r"source:\n(  .*\n|  #.*\n)*", src, text)
text = re.sub(r"  base_url: .*", "  base_url: " + attio, text)
open(path, "w").write(text)
PY
}

# set_sf_url DIR: points the workspace at the current $sf_url (a restarted
# sandbox has a new port).
set_sf_url() {
	sed -i -e "s|^  login_url: .*|  login_url: $sf_url|" "$1/ferry.yaml"
}
