#!/usr/bin/env bash
# Run caseload-server for development (called by `make run`; expects a finished `swift build`).
#
# If CASELOAD_DATABASE_URL is unset: start (or reuse) the private cluster in .caseload/pg on
# CASELOAD_PG_PORT (default 54329), export
#   CASELOAD_ADMIN_DATABASE_URL=postgres://caseload_admin@127.0.0.1:PORT/caseload
#   CASELOAD_DATABASE_URL=postgres://caseload_server@127.0.0.1:PORT/caseload
# run `caseload-server migrate --app-role caseload_server`, then `caseload-server serve`.
# On Ctrl-C / SIGTERM / server exit: the server gets SIGTERM, we wait for it, then stop the cluster.
#
# If CASELOAD_DATABASE_URL is set: no cluster; `caseload-server migrate` (it reads
# CASELOAD_ADMIN_DATABASE_URL if set, else CASELOAD_DATABASE_URL), then `caseload-server serve`.
#
# Env: SWIFT (default swift), BIN (default: `$SWIFT build --show-bin-path`),
#      CASELOAD_PG_PORT, CASELOAD_LISTEN (passed through to the server).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PG="$ROOT/deploy/dev-postgres.sh"
SWIFT="${SWIFT:-swift}"
PG_DIR="$ROOT/.caseload/pg"
PG_PORT="${CASELOAD_PG_PORT:-54329}"
SHUTDOWN_GRACE="${CASELOAD_SHUTDOWN_GRACE:-30}"   # seconds before SIGKILL

log() { echo "run-dev: $*" >&2; }

BIN="${BIN:-$("$SWIFT" build --show-bin-path)}"
SERVER="$BIN/caseload-server"
[ -x "$SERVER" ] || { log "$SERVER not found; run 'make build' first"; exit 1; }

cluster_started=""
server_pid=""

stop_server() {
    [ -n "$server_pid" ] || return 0
    if kill -0 "$server_pid" 2>/dev/null; then
        log "stopping caseload-server (pid $server_pid)"
        kill -TERM "$server_pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$server_pid" 2>/dev/null; do
            if [ "$waited" -ge $((SHUTDOWN_GRACE * 10)) ]; then
                log "caseload-server did not exit within ${SHUTDOWN_GRACE}s; killing it"
                kill -KILL "$server_pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
            waited=$((waited + 1))
        done
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

cleanup() {
    local rc=$?
    trap '' INT TERM          # a second Ctrl-C must not interrupt the shutdown
    stop_server
    if [ -n "$cluster_started" ]; then
        log "stopping private PostgreSQL cluster ($PG_DIR)"
        "$PG" stop "$PG_DIR" || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${CASELOAD_DATABASE_URL:-}" ]; then
    cluster_started=1
    "$PG" start "$PG_DIR" "$PG_PORT"
    export CASELOAD_ADMIN_DATABASE_URL="postgres://caseload_admin@127.0.0.1:$PG_PORT/caseload"
    export CASELOAD_DATABASE_URL="postgres://caseload_server@127.0.0.1:$PG_PORT/caseload"
    # Keys for personal data at rest: made once for this dev checkout, readable only by you.
    KEYS="$ROOT/.caseload/pii-keys.env"
    if [ ! -s "$KEYS" ]; then
        (umask 077 && "$SERVER" admin generate-keys >"$KEYS")
        log "generated keys for personal data in $KEYS"
    fi
    set -a
    # shellcheck disable=SC1090
    . "$KEYS"
    set +a
    "$SERVER" migrate --app-role caseload_server --demo-if-empty
else
    "$SERVER" migrate
fi

# Run the server as a background child so our traps fire immediately on a signal
# (bash defers traps while a foreground child runs). `wait` returns early on a signal.
# A crash is not an outage: the server is started again (as systemd's Restart=on-failure
# does), unless it keeps crashing: five times within a minute and we give up.
crashes=()
while true; do
    "$SERVER" serve &
    server_pid=$!
    set +e
    wait "$server_pid"
    rc=$?
    set -e
    server_pid=""
    if [ "$rc" -eq 0 ]; then
        log "caseload-server stopped (status 0)"
        exit 0
    fi
    if [ "$rc" -gt 128 ]; then why="killed by signal $((rc - 128))"; else why="exit status $rc"; fi
    now=$(date +%s)
    recent=()
    for t in "${crashes[@]}"; do [ $((now - t)) -lt 60 ] && recent+=("$t"); done
    crashes=("${recent[@]}" "$now")
    if [ "${#crashes[@]}" -ge 5 ]; then
        log "caseload-server CRASHED ($why), the fifth time within a minute: giving up; see the log above"
        exit "$rc"
    fi
    log "caseload-server CRASHED ($why); restarting it in 1 s (crash ${#crashes[@]} within a minute; Ctrl-C stops)"
    sleep 1
done
