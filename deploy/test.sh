#!/usr/bin/env bash
# Run the whole test suite against a throw-away PostgreSQL cluster (called by `make test`).
#
# - installs the report tests' readers (deploy/ensure-deps.sh --print: Chromium, poppler, a CJK
#   font, LibreOffice)
# - builds the package and its tests (`swift build --build-tests`)
# - starts a private cluster in .caseload/test-<pid> on a free 127.0.0.1 port
# - exports CASELOAD_TEST_ADMIN_DATABASE_URL=postgres://caseload_admin@127.0.0.1:PORT/postgres
#   (superuser, trust auth; tests create their own databases and the caseload_server role)
# - runs `swift test $SWIFT_TEST_FLAGS`, then the Python client's tests if there are any,
#   then the backup/restore round trip (deploy/test-backup-restore.sh)
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

# ---------------------------------------------------------------- the report tests' readers
# Chromium, poppler and a CJK font (the printed report), LibreOffice (the xlsx report): the
# tests fail, naming the tool, without them, so install them here as the other tools are.
"$ROOT/deploy/ensure-deps.sh" --print

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
# >>> PYTHON CLIENT TESTS: clients/python (pytest, against a real server the fixture starts).
# Uses the virtual environment .caseload/venv (created if missing, reused otherwise) with the
# pinned clients/python/requirements-test.txt (pytest, jsonrpcclient, setuptools, openpyxl) and the
# package itself installed from clients/python. Env the tests need: CASELOAD_TEST_ADMIN_DATABASE_URL,
# CASELOAD_BIN_PATH. PYTHON overrides the interpreter that creates the venv (default python3).
run_python_client_tests() {
    local dir="$ROOT/clients/python"
    [ -d "$dir/tests" ] || return 0
    local venv="$ROOT/.caseload/venv" py="${PYTHON:-python3}"
    log "running Python client tests in clients/python (venv $venv)"
    if ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
        command -v "$py" >/dev/null 2>&1 || { log "$py not found: Python >= 3.9 is needed for clients/python"; return 1; }
        "$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { log "$py is older than 3.9"; return 1; }
        rm -rf "$venv"
        "$py" -m venv "$venv" || { log "cannot create $venv (on Debian: apt-get install python3-venv)"; return 1; }
    fi
    local pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
    "${pip[@]}" install -r "$dir/requirements-test.txt" || { log "pip could not install $dir/requirements-test.txt"; return 1; }
    "${pip[@]}" install --no-build-isolation --no-deps --force-reinstall "$dir" || { log "pip could not install $dir"; return 1; }
    local status=0
    (cd "$ROOT" && "$venv/bin/python" -I -m pytest clients/python/tests -q -p no:cacheprovider) || status=$?
    if [ "$status" -eq 5 ]; then
        log "pytest collected no tests in clients/python/tests (exit 5): counted as a failure"
        return 1
    fi
    return "$status"
}
# <<< PYTHON CLIENT TESTS

set +e
run_python_client_tests
python_status=$?
set -e

# >>> BACKUP/RESTORE ROUND TRIP: deploy/test-backup-restore.sh (the runbook in docs/deployment.md).
# Its source database lives in this cluster; it restores into a throw-away cluster of its own.
set +e
"$ROOT/deploy/test-backup-restore.sh"
backup_status=$?
set -e
# <<< BACKUP/RESTORE ROUND TRIP

if [ "$swift_status" -ne 0 ]; then
    log "swift test failed (status $swift_status)"
    exit "$swift_status"
fi
if [ "$python_status" -ne 0 ]; then
    log "Python client tests failed (status $python_status)"
    exit "$python_status"
fi
if [ "$backup_status" -ne 0 ]; then
    log "backup/restore round trip failed (status $backup_status)"
    exit "$backup_status"
fi
exit 0
