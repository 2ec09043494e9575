#!/usr/bin/env bash
# Run the whole test suite against a throw-away PostgreSQL cluster (called by `make test`).
#
# - builds the package and its tests (`swift build --build-tests`)
# - starts a private cluster in .caseload/test-<pid> on a free 127.0.0.1 port
# - exports CASELOAD_TEST_ADMIN_DATABASE_URL=postgres://caseload_admin@127.0.0.1:PORT/postgres
#   (superuser, trust auth; tests create their own databases and the caseload_server role)
# - runs `swift test $SWIFT_TEST_FLAGS`, then the Python client's tests if there are any
# - always destroys the cluster; exits non-zero if any suite failed (swift test's status first)
#
# Env: SWIFT (default swift), SWIFT_TEST_FLAGS (word-split, e.g. "--parallel --filter Foo"),
#      CASELOAD_KEEP_TEST_DB=1 keeps the cluster folder for post-mortem (it is still stopped).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PG="$ROOT/deploy/dev-postgres.sh"
SWIFT="${SWIFT:-swift}"
read -r -a swift_test_flags <<<"${SWIFT_TEST_FLAGS:-}"

log() { echo "test.sh: $*" >&2; }

PG_DIR="$ROOT/.caseload/test-$$"

cleanup() {
    local rc=$?
    trap '' INT TERM
    if [ "${CASELOAD_KEEP_TEST_DB:-}" = 1 ]; then
        "$PG" stop "$PG_DIR" || true
        log "kept $PG_DIR (CASELOAD_KEEP_TEST_DB=1)"
    else
        "$PG" destroy "$PG_DIR" || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build first (no DB needed)
"$SWIFT" build --build-tests
BIN_PATH=$("$SWIFT" build --show-bin-path)
export CASELOAD_BIN_PATH="$BIN_PATH"   # for test suites that spawn caseload-server / caseload

# ---------------------------------------------------------------- throw-away cluster
# free-port can race with other processes grabbing the port, so retry with a new one.
started=""
for attempt in 1 2 3; do
    PORT=$("$PG" free-port)
    if "$PG" start "$PG_DIR" "$PORT"; then
        started=1
        break
    fi
    log "cluster start failed on port $PORT (attempt $attempt); retrying"
    "$PG" destroy "$PG_DIR" || true
done
[ -n "$started" ] || { log "could not start a test cluster"; exit 1; }

export CASELOAD_TEST_ADMIN_DATABASE_URL="postgres://caseload_admin@127.0.0.1:$PORT/postgres"
log "CASELOAD_TEST_ADMIN_DATABASE_URL=$CASELOAD_TEST_ADMIN_DATABASE_URL"

# ---------------------------------------------------------------- Swift tests
set +e
"$SWIFT" test "${swift_test_flags[@]}"
swift_status=$?
set -e

# ---------------------------------------------------------------- Python client tests
# >>> PYTHON CLIENT TESTS: hook for clients/python (to be filled in when the client lands).
# Runs only if clients/python has tests. Available env: CASELOAD_TEST_ADMIN_DATABASE_URL,
# CASELOAD_BIN_PATH (directory holding caseload-server). Adjust the runner here if needed.
run_python_client_tests() {
    local dir="$ROOT/clients/python"
    [ -d "$dir" ] || return 0
    if [ ! -d "$dir/tests" ] && ! compgen -G "$dir/test_*.py" >/dev/null && ! compgen -G "$dir/**/test_*.py" >/dev/null; then
        return 0
    fi
    log "running Python client tests in clients/python"
    if python3 -c 'import pytest' >/dev/null 2>&1; then
        (cd "$dir" && python3 -m pytest -q)
    else
        (cd "$dir" && python3 -m unittest discover -v)
    fi
}
# <<< PYTHON CLIENT TESTS

set +e
run_python_client_tests
python_status=$?
set -e

if [ "$swift_status" -ne 0 ]; then
    log "swift test failed (status $swift_status)"
    exit "$swift_status"
fi
if [ "$python_status" -ne 0 ]; then
    log "Python client tests failed (status $python_status)"
    exit "$python_status"
fi
exit 0
