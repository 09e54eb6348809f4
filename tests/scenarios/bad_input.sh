# bad_input.sh: a malformed export stops with file, line and column; the
# earlier staging of that object stays whole, and nothing half-staged is
# ever reported as complete.
. "$(dirname "$0")/lib.sh"

ws="$tmp/ws"
exp="$tmp/export"
mkdir -p "$exp"
printf '"Id","Name","Website"\r\n"001A","Acme","acme.com"\r\n"001B","Beta","beta.io"\r\n' >"$exp/Account.csv"
make_workspace "$ws" "$exp"

expect_exit 0 "$FERRY_BIN" -C "$ws" extract --json
python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['total']==2, d" "$out" ||
	fail "first extract: $out"

# An unbalanced quote on line 3: exit 3, the place and the problem named.
printf '"Id","Name","Website"\r\n"001A","Acme","acme.com"\r\n"001B","Be,ta,"beta.io"\r\n"001C","Gamma","gamma.io"\r\n' >"$exp/Account.csv"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract
expect_output "Account.csv:3:[0-9]+:"
expect_output "quote"
# The earlier staging is intact: 2 records, not 1 and not 0.
expect_exit 0 "$FERRY_BIN" -C "$ws" status --json
python3 -c "
import json,sys; d=json.loads(sys.argv[1])
a=[o for o in d['objects'] if o['object']=='Account'][0]
assert a['staged']==2, a" "$out" || fail "staging not intact: $out"

# Wrong column count.
printf 'Id,Name\n001A,Acme\n001B,Beta,extra\n' >"$exp/Account.csv"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract
expect_output "Account.csv:3"
expect_output "fields"

# Invalid UTF-8 in line 2.
printf 'Id,Name\n001A,Acme\xff\n' >"$exp/Account.csv"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract
expect_output "Account.csv:2:[0-9]+:.*UTF-8"

# No Id column.
printf 'Name,Website\nAcme,acme.com\n' >"$exp/Account.csv"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract
expect_output "no 'Id' column"

# Two records with one Id.
printf 'Id,Name\n001A,Acme\n001A,Acme again\n' >"$exp/Account.csv"
expect_exit 3 "$FERRY_BIN" -C "$ws" extract
expect_output "001A"

# A missing export folder names the setting to fix.
rm -rf "$exp"
expect_exit 4 "$FERRY_BIN" -C "$ws" extract
expect_output "source.path"
echo "ok: bad input reported with its place, staging kept whole"
