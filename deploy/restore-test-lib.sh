# Sourced by the restore round trips (deploy/test-backup-restore.sh,
# deploy/test-citus-backup-restore.sh): caseload-server on the restored copy, and the CLI
# against it. Expects SERVER, CLI and WORK to be set, and log() and fail() to be defined.

# serve URL: starts the server on URL (the restored database, as the server's login role) in
# the background; sets server_pid, and addr once it listens.
serve() {
    CASELOAD_DATABASE_URL=$1 "$SERVER" serve --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
    server_pid=$!
    addr=""
    local _
    for _ in $(seq 1 200); do
        addr=$(sed -n 's/^caseload-server listening on //p' "$WORK/serve.out")
        [ -n "$addr" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || fail "the server did not start on the restored database"
        sleep 0.1
    done
    fail "the server did not say where it listens within 20 s"
}

# The CLI against that server, answering in JSON; CASELOAD_TOKEN chooses who calls.
cli() { HOME="$WORK" CASELOAD_ADDR=$addr "$CLI" "$@" --json; }

# The scheduled jobs and the event listener run as the server's role too: a missing grant, or
# a sequence behind its table, shows up as a warning or an error in its log.
expect_quiet_server_log() {
    if grep -E ' (warning|error|critical) ' "$WORK/serve.err" >&2; then
        fail "the server logged problems on the restored database"
    fi
}

# For the cleanup after a failure: the server's last words, when it ran.
show_server_log() {
    if [ -f "$WORK/serve.err" ]; then
        log "server log:"; tail -n 20 "$WORK/serve.err" >&2 || true
    fi
}
