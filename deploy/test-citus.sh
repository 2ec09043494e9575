#!/usr/bin/env bash
# The integration suites that matter for sharding, against a throw-away Citus cluster (called
# by `make test-citus`; docs/scaling.md §4).
#
# - skips, printing why, when Citus is neither installed nor buildable here (deploy/citus.sh
#   available), and exits 0
# - builds the package and its tests
# - starts a coordinator and two workers in .caseload/citus-test-<pid> (deploy/citus.sh, which
#   builds Citus from CITUS_SOURCE when missing) on PORT, PORT+1, PORT+2
# - migrates its `caseload` database once with `caseload-server migrate --citus` (every table
#   distributed on agency_id) and runs the suites below against it: a Citus coordinator cannot
#   create a distributed database per test, so CASELOAD_TEST_SHARED_DATABASE_URL makes every
#   test share that one (each makes its own agencies); suites that need an empty database or
#   a cluster of their own are not in the list
# - then, with the default suites, the backup round trip on a cluster of its own
#   (deploy/test-citus-backup-restore.sh)
# - always destroys the cluster
#
# Env: SWIFT, CITUS_SOURCE, CITUS_TEST_SUITES (a swift test --filter regex run in one go instead
#      of the defaults below),
#      CASELOAD_KEEP_TEST_DB=1 keeps the cluster folder (stopped).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SWIFT="${SWIFT:-swift}"
log() { echo "test-citus.sh: $*" >&2; }

# The integration suites that matter for sharding (issue 20's list; docs/scaling.md §4): the
# second wall on the workers, tenant isolation, login and tokens, roles, companies and
# applicants, cases, documents, deadlines, the agenda, import and reports, the audit log,
# contention, watch across two instances, jobs run once, and the process-failure tests.
DEFAULT_SUITES='CitusTests|TenantIsolationTests|TenantMatrixTests|AuthTests|AccessTests|TokenTests|CompanyTests|ApplicantTests|CaseWorkflowTests|DocumentTests|DeadlineTests|DeadlineTruthTests|AgendaTests|ImportReportTests|AuditIdempotencyTests|ContentionTests|ProcessFailureTests'
# Suites that run alone, after the rest: those whose server instances run the scheduled jobs
# over every agency (on one shared database they would sweep each other's agencies; a single
# node gives each its own database), and the shard move, which moves other agencies' rows too.
DEFAULT_ALONE='WatchTests JobSweepTests ShardMoveTests'
SUITES="${CITUS_TEST_SUITES:-$DEFAULT_SUITES}"
# A list given in CITUS_TEST_SUITES runs as given, in one run.
if [ -n "${CITUS_TEST_SUITES:-}" ]; then ALONE=""; else ALONE="$DEFAULT_ALONE"; fi

if ! reason=$("$ROOT/deploy/citus.sh" available 2>&1); then
    log "skipped: Citus is not available here:"
    echo "$reason" | sed 's/^/    /' >&2
    exit 0
fi

"$SWIFT" build --build-tests
BIN_PATH=$("$SWIFT" build --show-bin-path)
export CASELOAD_BIN_PATH="$BIN_PATH"

DIR="$ROOT/.caseload/citus-test-$$"
cleanup() {
    local rc=$?
    trap '' INT TERM
    if [ "${CASELOAD_KEEP_TEST_DB:-}" = 1 ]; then
        "$ROOT/deploy/citus.sh" stop "$DIR" || true
        log "kept $DIR (CASELOAD_KEEP_TEST_DB=1)"
    else
        "$ROOT/deploy/citus.sh" destroy "$DIR" || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$("$ROOT/deploy/dev-postgres.sh" free-port)
"$ROOT/deploy/citus.sh" start "$DIR" "$PORT"

SHARED="postgres://caseload_admin@127.0.0.1:$PORT/caseload"
started=$(date +%s)
"$BIN_PATH/caseload-server" migrate --citus --app-role caseload_server --database-url "$SHARED"
log "migrated and distributed in $(( $(date +%s) - started )) s"

export CASELOAD_TEST_ADMIN_DATABASE_URL="postgres://caseload_admin@127.0.0.1:$PORT/postgres"
export CASELOAD_TEST_SHARED_DATABASE_URL="$SHARED"
log "CASELOAD_TEST_SHARED_DATABASE_URL=$SHARED; suites: $SUITES${ALONE:+, then alone: $ALONE}"
status=0
"$SWIFT" test --skip-build --filter "$SUITES" || status=$?
for suite in $ALONE; do
    "$SWIFT" test --skip-build --filter "$suite" || status=$?
done
if [ -z "${CITUS_TEST_SUITES:-}" ]; then
    "$ROOT/deploy/test-citus-backup-restore.sh" || status=$?
fi
log "done in $(( $(date +%s) - started )) s after the build (status $status)"
exit "$status"
