# rate_limit.sh: a destination stricter than ferry was told (the sandbox
# allows 5 writes/s, ferry.yaml says 50): ferry gets 429s with an HTTP-date
# Retry-After, waits, and still writes every record exactly once.
. "$(dirname "$0")/lib.sh"

exp="$tmp/export"
mkdir -p "$exp"
{
	echo 'Id,Name,Website'
	for i in $(seq 1 40); do
		printf '001R%014d,Company %d,https://www.company%d.com/\n' "$i" "$i" "$i"
	done
} >"$exp/Account.csv"

start_sandbox --write-rate 5
ws="$tmp/ws"
make_workspace "$ws" "$exp" 50
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
prepare_plan "$ws"
expect_exit 0 "$FERRY_BIN" -C "$ws" run --json --yes
python3 -c "
import json,sys; d=json.loads(sys.argv[1])
a=[o for o in d['objects'] if o['object']=='Account'][0]
assert a['written']==40, a
assert d['requests']['rate_limited'] > 0, d" "$out" || fail "run: $out"
[ "$(sandbox_stat records_per_object.companies)" -eq 40 ] ||
	fail "expected 40 companies"
[ "$(sandbox_stat rate_limited)" -gt 0 ] || fail "sandbox sent no 429"
echo "ok: 429s honoured, every record written once"
