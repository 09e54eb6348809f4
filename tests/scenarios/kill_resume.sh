# kill_resume.sh: a short soak under ctest: `ferry run` killed with -9 at
# random moments several times, then finished; the destination holds every
# record exactly once and the ledger agrees (scripts/soak.sh checks).
set -euo pipefail
: "${FERRY_BIN:?run the scenarios through ctest}"
ROUNDS=4 RECORDS=150 bash "$FERRY_SOURCE_DIR/scripts/soak.sh"
