#!/usr/bin/env bash
# The long protocol fuzz run (`make fuzz`), against a real server on a throw-away cluster.
#
# - builds caseload-server and caseload-fuzz (FUZZ_CONFIGURATION: debug, the default, or release)
# - starts a private cluster in .caseload/fuzz-<pid>, migrates it, makes keys and an agency
# - serves with CASELOAD_MAX_LINE_BYTES=$FUZZ_MAX_LINE_BYTES (small, so over-long lines are cheap)
# - runs caseload-fuzz: framing and parser in process, then FUZZ_INPUTS lines over TCP with a
#   canary connection; every reply is checked (Sources/CaseloadFuzz)
# - then the semantic phase: a second agency is made, and FUZZ_SEMANTIC_CALLS calls of every
#   method, built from its rpc.discover schema, go out as every role of both agencies (and
#   not logged in), with real ids set up through the API; every reply must be a result or a
#   documented error, never internal_error (Sources/CaseloadFuzz/Semantic)
# - checks the server is still up, then stops it with SIGTERM: it must exit with status 0,
#   and its log must hold no "internal error"
# - always destroys the cluster; exits non-zero on any finding
#
# Env: FUZZ_INPUTS (1000000), FUZZ_PARSER_INPUTS (200000), FUZZ_FRAMING_INPUTS (200000),
#      FUZZ_SEMANTIC_CALLS (200000; 0 skips the phase), FUZZ_SEMANTIC_CONNECTIONS (4),
#      FUZZ_SEED (default: from the clock), FUZZ_CONNECTIONS (4), FUZZ_OVERSIZE (100),
#      FUZZ_MAX_LINE_BYTES (65536), FUZZ_CONFIGURATION (debug), SWIFT (swift).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PG="$ROOT/deploy/dev-postgres.sh"
SWIFT="${SWIFT:-swift}"
CONFIGURATION="${FUZZ_CONFIGURATION:-debug}"
MAX_LINE="${FUZZ_MAX_LINE_BYTES:-65536}"

log() { echo "fuzz.sh: $*" >&2; }

DIR="$ROOT/.caseload/fuzz-$$"
SERVER_PID=""
cleanup() {
    local rc=$?
    trap '' INT TERM
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
    "$PG" destroy "$DIR" || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$SWIFT" build -c "$CONFIGURATION" --product caseload-server
"$SWIFT" build -c "$CONFIGURATION" --product caseload-fuzz
BIN=$("$SWIFT" build -c "$CONFIGURATION" --show-bin-path)

started=""
for attempt in 1 2 3; do
    PORT=$("$PG" free-port)
    if "$PG" start "$DIR" "$PORT"; then started=1; break; fi
    log "cluster start failed on port $PORT (attempt $attempt); retrying"
    "$PG" destroy "$DIR" || true
done
[ -n "$started" ] || { log "could not start a cluster"; exit 1; }

ADMIN_URL="postgres://caseload_admin@127.0.0.1:$PORT/caseload"
"$BIN/caseload-server" migrate --database-url "$ADMIN_URL" --app-role caseload_server >/dev/null
eval "$("$BIN/caseload-server" admin generate-keys | sed 's/^/export /')"
create_agency() {
    "$BIN/caseload-server" admin create-agency --name "$1" --database-url "$ADMIN_URL" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
TOKEN=$(create_agency "Fuzz agency")
[ -n "$TOKEN" ] || { log "could not create an agency"; exit 1; }
# The semantic phase works in two agencies: each one's ids must be not_found to the other.
TOKEN_B=$(create_agency "Fuzz agency B")
[ -n "$TOKEN_B" ] || { log "could not create the second agency"; exit 1; }

# The server's log goes to a file: scanned afterwards for crashes and internal errors.
# The fuzzer sends rpc.discover and failed logins from one address far more often than any
# client: the per-address limits that would refuse them are raised (ResourceLimitTests test them).
CASELOAD_MAX_LINE_BYTES="$MAX_LINE" CASELOAD_LOG_LEVEL=notice CASELOAD_DISCOVER_PER_MINUTE=100000 \
    "$BIN/caseload-server" serve --listen 127.0.0.1:0 --database-url "postgres://caseload_server@127.0.0.1:$PORT/caseload" \
    >"$DIR/server.out" 2>"$DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 300); do
    grep -q "listening on" "$DIR/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { log "the server did not start:"; tail -20 "$DIR/server.log" >&2; exit 1; }
    sleep 0.1
done
ADDR=$(sed -n 's/^caseload-server listening on //p' "$DIR/server.out")
[ -n "$ADDR" ] || { log "the server printed no listening line"; exit 1; }
log "server $ADDR (max_line_bytes $MAX_LINE), $CONFIGURATION build, $(nproc) cores"

status=0
"$BIN/caseload-fuzz" --addr "$ADDR" --token "$TOKEN" \
    --inputs "${FUZZ_INPUTS:-1000000}" --parser-inputs "${FUZZ_PARSER_INPUTS:-200000}" --framing-inputs "${FUZZ_FRAMING_INPUTS:-200000}" \
    --connections "${FUZZ_CONNECTIONS:-4}" --oversize "${FUZZ_OVERSIZE:-100}" --max-line-bytes "$MAX_LINE" \
    --semantic-calls "${FUZZ_SEMANTIC_CALLS:-200000}" --semantic-connections "${FUZZ_SEMANTIC_CONNECTIONS:-4}" --token-b "$TOKEN_B" \
    ${FUZZ_SEED:+--seed "$FUZZ_SEED"} || status=$?

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "FAILED: the server is not running any more"; tail -40 "$DIR/server.log" >&2; status=1
else
    kill -TERM "$SERVER_PID"
    server_status=0
    wait "$SERVER_PID" || server_status=$?
    SERVER_PID=""
    if [ "$server_status" -ne 0 ]; then log "FAILED: the server exited with status $server_status after SIGTERM"; status=1; fi
fi
internal=$(grep -c "internal error" "$DIR/server.log" || true)
if [ "$internal" -gt 0 ]; then
    log "FAILED: the server logged $internal internal errors:"; grep "internal error" "$DIR/server.log" | head -5 >&2; status=1
fi
[ "$status" -eq 0 ] && log "OK: no findings, the server stayed up and stopped cleanly" || log "FAILED (status $status)"
exit "$status"
