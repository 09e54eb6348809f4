# destination_dies.sh: the destination goes away in the middle of a run.
# ferry stops with a message that names Attio, exit 5, and a consistent
# ledger; when Attio is back (same records, new address), the next run
# finishes the job without duplicating anything.
. "$(dirname "$0")/lib.sh"

exp="$tmp/export"
python3 "$FERRY_SOURCE_DIR/bench/gen_export.py" "$exp" 120 20 3
start_sandbox --state "$tmp/attio.db"
ws="$tmp/ws"
make_workspace "$ws" "$exp"
export ATTIO_API_TOKEN=$FERRY_SANDBOX_TOKEN
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
prepare_plan "$ws"

"$FERRY_BIN" -C "$ws" run --yes >"$tmp/run1.out" 2>&1 &
run_pid=$!
sleep 1.5
stop_sandbox
got=0
wait $run_pid || got=$?
[ "$got" -eq 5 ] || fail "run exited $got, expected 5: $(cat "$tmp/run1.out")"
grep -q "Attio" "$tmp/run1.out" || fail "no mention of Attio: $(cat "$tmp/run1.out")"

# The ledger is consistent: some written, at most the records committed
# for the writes in flight pending (a batch of plan rows), the rest not
# run yet.
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
python3 -c "
import json,sys; d=json.loads(sys.argv[1])
a=[o for o in d['objects'] if o['object']=='Account'][0]
assert a['written'] > 0 and a['pending'] <= 64 and a['not_run'] > 0, a" "$out" ||
	fail "ledger after the outage: $out"

# Attio is back, at another address, with the records it had.
start_sandbox --state "$tmp/attio.db"
sed -i "s|^  base_url: .*|  base_url: $url|" "$ws/ferry.yaml"
expect_exit 0 "$FERRY_BIN" -C "$ws" run --json
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
python3 -c "
import json,sys; d=json.loads(sys.argv[1])
a=[o for o in d['objects'] if o['object']=='Account'][0]
assert a['pending'] == 0 and a['not_run'] == 0 and a['failed'] == 0, a
assert a['written'] + a['merged'] + a['held'] + a['skipped'] == a['staged'], a
print(a['written'])" "$out" >"$tmp/written" || fail "after resume: $out"
[ "$(sandbox_stat records_per_object.companies)" -eq "$(cat "$tmp/written")" ] ||
	fail "companies in Attio differ from the ledger's written count"
echo "ok: an outage mid-run leaves a consistent ledger; the next run finishes"
