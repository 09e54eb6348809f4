#!/usr/bin/env bash
# sf_faults.sh: what goes wrong with a Salesforce extract, and what the user
# sees: bad credentials, a session that expires mid-extract, a Bulk job that
# fails, a count that does not match, the daily budget used up, and an
# extract killed half way and resumed.
source "$(dirname "$0")/lib.sh"

ws="$tmp/ws"
start_sf_sandbox --scale small --bulk-polls 0
make_sf_workspace "$ws"

# check tests both ends even when one fails: the source answers, the
# destination has no token; the exit status is the failure's.
(unset ATTIO_API_TOKEN; expect_exit 4 "$FERRY_BIN" -C "$ws" check
expect_output "daily API calls"
expect_output "Destination: FAILED"
expect_output "ATTIO_API_TOKEN")

# A wrong secret: exit 4, the variable named, its value never printed.
SF_CLIENT_SECRET=wrong-s3cr3t expect_exit 4 "$FERRY_BIN" -C "$ws" extract
expect_output "SF_CLIENT_SECRET"
grep -q "wrong-s3cr3t" <<<"$out" && fail "the secret was printed: $out"
# A missing secret names the variable to set.
(unset SF_CLIENT_ID; expect_exit 4 "$FERRY_BIN" -C "$ws" extract; expect_output "SF_CLIENT_ID")
stop_sf_sandbox

# Tokens that die every 5 calls: renewed, and the extract completes.
start_sf_sandbox --scale small --bulk-polls 0 --expire-after 5
set_sf_url "$ws"
expect_exit 0 "$FERRY_BIN" -C "$ws" extract
[ "$(sf_stat expired_tokens)" -ge 2 ] || fail "tokens did not expire ($(sf_stat expired_tokens))"
stop_sf_sandbox

# A Bulk job that fails stops the extract with exit 5 and the object named;
# the next run resumes without fetching the objects already staged.
start_sf_sandbox --scale small --bulk-polls 0 --fail-job Contact
set_sf_url "$ws"
expect_exit 5 "$FERRY_BIN" -C "$ws" extract --restart
expect_output "Contact"
expect_output "again to resume"
stop_sf_sandbox
start_sf_sandbox --scale small --bulk-polls 0
set_sf_url "$ws"
expect_exit 0 "$FERRY_BIN" -C "$ws" extract --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin); o = {x["object"]: x for x in d["objects"]}
assert o["Account"]["resumed"] and o["Account"]["calls"] == 0, o["Account"]
assert not o["Contact"]["resumed"] and o["Contact"]["staged"] == o["Contact"]["source"], o["Contact"]
' || fail "the re-run did not resume: $out"
stop_sf_sandbox

# A count that does not match stops with exit 3, naming the object and
# both numbers.
start_sf_sandbox --scale small --bulk-polls 0 --count-skew Lead=2
set_sf_url "$ws"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract --restart
expect_output "Lead: staged [0-9,]+ records but Salesforce counts [0-9,]+ \(2 missing\)"
stop_sf_sandbox

# The org's daily budget runs out: exit 5 and Salesforce's own words.
start_sf_sandbox --scale small --bulk-polls 0 --api-limit 12
set_sf_url "$ws"
expect_exit 5 "$FERRY_BIN" -C "$ws" extract --restart
expect_output "REQUEST_LIMIT_EXCEEDED|daily API budget"
stop_sf_sandbox

# Killed half way (slow answers give time to kill), then resumed: the
# result is the same as an uninterrupted extract.
start_sf_sandbox --scale small --slow-ms 40
set_sf_url "$ws"
"$FERRY_BIN" -C "$ws" extract --restart >"$tmp/killed.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
	grep -q "records = " "$tmp/killed.out" 2>/dev/null && break
	sleep 0.05
done
kill -9 $pid 2>/dev/null || fail "extract finished before it could be killed"
wait $pid 2>/dev/null || true
grep -q "records = " "$tmp/killed.out" || fail "no object finished before the kill"
expect_exit 0 "$FERRY_BIN" -C "$ws" extract --json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any(x["resumed"] for x in d["objects"]), "nothing resumed"
for x in d["objects"]:
    if not x["skipped"]:
        assert x["staged"] == x["source"], x
' || fail "the resumed extract is wrong: $out"
stop_sf_sandbox

# Killed before any object is staged, while Salesforce works on the jobs
# it created ahead: the next run resumes that run and reads those jobs
# rather than making them again (one job per Bulk object in all).
posts() { grep -c 'POST /services/data/v[0-9.]*/jobs/query ' "$tmp/sf.log" || true; }
start_sf_sandbox --scale small --bulk-polls 0 --bulk-ms 3000
set_sf_url "$ws"
before=$(posts)
"$FERRY_BIN" -C "$ws" extract --restart >"$tmp/early.out" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
	[ $(($(posts) - before)) -ge 6 ] && break
	sleep 0.025
done
[ $(($(posts) - before)) -ge 6 ] || fail "the extract created no Bulk jobs ahead"
kill -9 $pid 2>/dev/null || fail "extract finished before it could be killed"
wait $pid 2>/dev/null || true
grep -q "records = " "$tmp/early.out" && fail "an object finished before the kill"
expect_exit 0 "$FERRY_BIN" -C "$ws" extract --json
jobs=$(sf_stat bulk_jobs)
bulk=$(echo "$out" | python3 -c 'import json,sys; print(sum(1 for o in json.load(sys.stdin)["objects"] if o["method"] == "bulk"))')
[ "$jobs" -eq "$bulk" ] || fail "$jobs Bulk jobs for $bulk Bulk objects: the resumed run made its jobs again"
echo "ok"
