# errors.sh: the CLI's own errors and the ones that come from the ends of
# the pipe: each says what is wrong and what to do, with the documented
# exit status, and no secret ever appears in the output.
. "$(dirname "$0")/lib.sh"

expect_exit 2 "$FERRY_BIN" frobnicate
expect_output "'frobnicate' is not a ferry command"
expect_exit 2 "$FERRY_BIN" --frobnicate
expect_output "unknown option '--frobnicate'"
expect_exit 2 "$FERRY_BIN" status --frobnicate
expect_output "unknown option '--frobnicate'"
expect_exit 2 "$FERRY_BIN"
expect_output "usage: ferry"
expect_exit 0 "$FERRY_BIN" --version
expect_output "^ferry [0-9]+\.[0-9]+\.[0-9]+"
expect_exit 0 "$FERRY_BIN" --help
expect_output "extract"
expect_exit 0 "$FERRY_BIN" help run
expect_output "usage: ferry run"
expect_exit 0 "$FERRY_BIN" status --help
expect_output "usage: ferry status"
expect_exit 2 "$FERRY_BIN" help frobnicate

# Not a workspace.
mkdir -p "$tmp/empty"
expect_exit 4 "$FERRY_BIN" -C "$tmp/empty" status
expect_output "ferry init"

# A broken ferry.yaml names the file and line.
ws="$tmp/ws"
make_workspace "$ws" "$FERRY_SOURCE_DIR/examples/sample-org"
cp "$ws/ferry.yaml" "$tmp/ferry.yaml.good"
sed -i 's/^destination:/destinaton:/' "$ws/ferry.yaml"
expect_exit 4 "$FERRY_BIN" -C "$ws" status
expect_output "ferry.yaml:[0-9]+"
expect_output "destinaton"
cp "$tmp/ferry.yaml.good" "$ws/ferry.yaml"

expect_exit 0 "$FERRY_BIN" -C "$ws" extract

# No mapping, then no plan: each says what to run first.
unset ATTIO_API_TOKEN
expect_exit 4 "$FERRY_BIN" -C "$ws" run
expect_output "run 'ferry analyze'"
expect_exit 0 "$FERRY_BIN" -C "$ws" analyze --offline
expect_exit 4 "$FERRY_BIN" -C "$ws" run
expect_output "run 'ferry plan' first"
expect_exit 0 "$FERRY_BIN" -C "$ws" plan --offline

# A missing credential names the variable to set.
unset ATTIO_API_TOKEN
expect_exit 4 "$FERRY_BIN" -C "$ws" run
expect_output "ATTIO_API_TOKEN"

# A refused connection says which end failed and where.
export ATTIO_API_TOKEN=secret-token-value-123
sed -i "s|^  base_url: .*|  base_url: http://127.0.0.1:9|" "$ws/ferry.yaml"
expect_exit 5 "$FERRY_BIN" -C "$ws" run
expect_output "Attio"
expect_output "127.0.0.1:9"
grep -q "secret-token-value-123" <<<"$out" && fail "token printed: $out"

# A wrong token: the destination says no, we name the variable.
start_sandbox
sed -i "s|^  base_url: .*|  base_url: $url|" "$ws/ferry.yaml"
expect_exit 4 "$FERRY_BIN" -C "$ws" run
expect_output "ATTIO_API_TOKEN"
grep -q "secret-token-value-123" <<<"$out" && fail "token printed: $out"
grep -q "secret-token-value-123" "$tmp/sandbox.log" && fail "token logged"
# Nothing was written, nothing marked.
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
python3 -c "
import json,sys; d=json.loads(sys.argv[1])
assert all(o['written']==0 and o['pending']==0 for o in d['objects']), d" "$out" ||
	fail "records marked after a refused token: $out"
echo "ok: errors are clear and exit codes documented"
