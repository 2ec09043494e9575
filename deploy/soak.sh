#!/usr/bin/env bash
# The failure tests with bigger parameters (`make soak`), on a throw-away cluster: longer
# write load, more PostgreSQL restarts and server kills, a longer fuzz run in the suite.
#
# Env (defaults in Tests/CaseloadIntegrationTests/Support/Soak.swift):
#   CASELOAD_SOAK_SECONDS (10: write load per phase), CASELOAD_SOAK_ROUNDS (5: restarts or
#   kills per test), CASELOAD_SOAK_DOWN_SECONDS (5: how long PostgreSQL stays down),
#   CASELOAD_SOAK_FUZZ_INPUTS (200000), SWIFT (swift).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PG="$ROOT/deploy/dev-postgres.sh"
SWIFT="${SWIFT:-swift}"
PG_DIR="$ROOT/.caseload/soak-$$"

trap '"$PG" destroy "$PG_DIR" || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$SWIFT" build --build-tests
export CASELOAD_BIN_PATH
CASELOAD_BIN_PATH=$("$SWIFT" build --show-bin-path)

started=""
for attempt in 1 2 3; do
    PORT=$("$PG" free-port)
    if "$PG" start "$PG_DIR" "$PORT"; then started=1; break; fi
    echo "soak.sh: cluster start failed on port $PORT (attempt $attempt); retrying" >&2
    "$PG" destroy "$PG_DIR" || true
done
[ -n "$started" ] || { echo "soak.sh: could not start a cluster" >&2; exit 1; }

export CASELOAD_TEST_ADMIN_DATABASE_URL="postgres://caseload_admin@127.0.0.1:$PORT/postgres"
export CASELOAD_SOAK=1
"$SWIFT" test --skip-build --filter 'FailureTests|ProtocolFuzzTests|ResourceAttackTests'
