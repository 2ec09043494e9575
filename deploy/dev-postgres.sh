#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster living entirely under one folder.
#
#   dev-postgres.sh start DIR PORT   create (first time) and start the cluster, ensure db "caseload"
#   dev-postgres.sh stop DIR         fast shutdown if running; quiet if not
#   dev-postgres.sh destroy DIR      stop, then rm -rf DIR
#   dev-postgres.sh status DIR       exit 0 if running, 3 if not
#   dev-postgres.sh free-port        print a currently free TCP port on 127.0.0.1
#
# Layout:  DIR/data (PGDATA)  DIR/run (unix socket)  DIR/postgres.log  DIR/initdb.log
# Superuser "caseload_admin", trust auth, listens on 127.0.0.1:PORT only.
# CASELOAD_PG_SETTINGS, when set, is appended to the cluster's settings on every start
# (deploy/citus.sh passes shared_preload_libraries = 'citus' this way).
# When run as root, the server runs as the "postgres" OS user (PostgreSQL refuses root).
set -euo pipefail

readonly SUPERUSER=caseload_admin
readonly APP_DB=caseload
readonly MARKER=.caseload-dev-postgres
readonly PROG="dev-postgres.sh"

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

usage() {
    cat >&2 <<EOF
usage: $PROG start DIR PORT
       $PROG stop DIR
       $PROG destroy DIR
       $PROG status DIR
       $PROG free-port
EOF
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------- binaries

find_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"; return 0
        fi
    fi
    # newest /usr/lib/postgresql/<major>/bin
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"; return 0
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"; return 0
    fi
    return 1
}

init_binaries() {
    BINDIR=$(find_bindir) || die "PostgreSQL server binaries (initdb, pg_ctl) not found; run deploy/ensure-deps.sh"
    INITDB="$BINDIR/initdb"
    PG_CTL="$BINDIR/pg_ctl"
    if [ -x "$BINDIR/psql" ]; then
        PSQL="$BINDIR/psql"
    else
        PSQL=$(command -v psql) || die "psql not found; run deploy/ensure-deps.sh"
    fi
}

# ---------------------------------------------------------------- paths / users

# Absolute, normalised path of $1 without requiring it to exist.
abspath() {
    if realpath -m / >/dev/null 2>&1; then
        realpath -m -- "$1"
    else
        case "$1" in
            /*) printf '%s\n' "$1" ;;
            *)  printf '%s\n' "$PWD/$1" ;;
        esac | sed -e 's#/\./#/#g' -e 's#/\.$##' -e 's#//*#/#g' -e 's#\(.\)/$#\1#'
    fi
}

set_dir() {
    [ -n "${1:-}" ] || usage
    DIR=$(abspath "$1")
    case "$DIR" in
        /|/bin|/boot|/dev|/etc|/home|/lib|/lib64|/mnt|/opt|/proc|/root|/run|/sbin|/srv|/sys|/tmp|/usr|/usr/local|/var|/work|"${HOME:-/}")
            die "refusing to use '$DIR' as a cluster folder" ;;
    esac
    DATA="$DIR/data"
    RUNDIR="$DIR/run"
    LOG="$DIR/postgres.log"
}

# Run "$@" as the postgres OS user from inside folder $1 (so the command never needs
# access to our current directory). fd 9 (our lock) is closed so the postmaster
# cannot inherit it.
as_postgres_in() {
    local where="$1"; shift
    if command -v runuser >/dev/null 2>&1; then
        (cd "$where" && exec 9>&- && runuser -u postgres -- "$@")
    else
        local q
        q=$(printf '%q ' "$@")
        (cd "$where" && exec 9>&- && su postgres -s /bin/sh -c "$q")
    fi
}

# Run a command as the cluster owner (postgres when we are root, else ourselves), from DIR.
as_owner() {
    if is_root; then
        as_postgres_in "$DIR" "$@"
    else
        (cd "$DIR" && exec 9>&- && "$@")
    fi
}

check_root_prereqs() {
    is_root || return 0
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user (install the postgresql package)"
    command -v runuser >/dev/null 2>&1 || command -v su >/dev/null 2>&1 \
        || die "running as root but neither runuser nor su is available"
}

# As root: make sure the postgres user can traverse every parent of DIR.
check_traversable() {
    is_root || return 0
    local p="$DIR" bad=""
    while [ "$p" != "/" ] && [ -n "$p" ]; do
        p=$(dirname "$p")
        if ! as_postgres_in / test -x "$p" 2>/dev/null; then
            bad="$p"
        fi
    done
    if [ -n "$bad" ]; then
        die "the 'postgres' OS user cannot traverse '$bad' (needed to reach $DIR).
  Fix with e.g.:  chmod o+x '$bad'   or choose a cluster folder elsewhere."
    fi
}

chown_owner() {
    if is_root; then chown postgres:postgres "$@"; fi
}

lock_dir() {
    # Serialise concurrent start/stop on the same folder (e.g. parallel make).
    if command -v flock >/dev/null 2>&1; then
        exec 9>>"$DIR/.lock"
        flock 9
    fi
}

# ---------------------------------------------------------------- state

# 0 = running, 3 = not running, 4 = no (valid) data directory
pg_status() {
    [ -f "$DATA/PG_VERSION" ] || return 4
    local rc=0
    as_owner "$PG_CTL" status -D "$DATA" >/dev/null 2>&1 || rc=$?
    return "$rc"
}

running_port() {
    # line 4 of postmaster.pid is the port
    sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true
}

show_log_tail() {
    local f="$1"
    if [ -f "$f" ]; then
        echo "---- last lines of $f ----" >&2
        tail -n 25 "$f" >&2 || true
        echo "----" >&2
    fi
}

# ---------------------------------------------------------------- start

do_initdb() {
    note "initialising new cluster in $DATA"
    local initlog="$DIR/initdb.log"
    : >"$initlog"
    chown_owner "$initlog"
    local common=(-D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8)
    if as_owner "$INITDB" "${common[@]}" --locale=C.UTF-8 >>"$initlog" 2>&1; then
        return 0
    fi
    note "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
    rm -rf "$DATA"
    if as_owner "$INITDB" "${common[@]}" --locale=C >>"$initlog" 2>&1; then
        return 0
    fi
    show_log_tail "$initlog"
    rm -rf "$DATA"
    die "initdb failed (see $initlog)"
}

write_config() {
    local port="$1" sockdir="$RUNDIR"
    # Unix socket paths are limited to ~107 bytes; we only use TCP, so drop the socket if too long.
    if [ $(( ${#RUNDIR} + 20 )) -gt 100 ]; then
        note "socket path under $RUNDIR would be too long; disabling the unix socket (TCP only)"
        sockdir=""
    fi
    local conf="$DATA/caseload-dev.conf"
    cat >"$conf" <<EOF
# Written by deploy/dev-postgres.sh on every start; edits will be overwritten.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockdir'
max_connections = 300
fsync = on
logging_collector = off
${CASELOAD_PG_SETTINGS:-}
EOF
    chown_owner "$conf"
    if ! grep -q "^include_if_exists = 'caseload-dev.conf'" "$DATA/postgresql.conf"; then
        printf "\n# Added by deploy/dev-postgres.sh\ninclude_if_exists = 'caseload-dev.conf'\n" >>"$DATA/postgresql.conf"
    fi
}

psql_admin() {
    local port="$1"; shift
    PGCONNECT_TIMEOUT=10 "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U "$SUPERUSER" -d postgres "$@"
}

ensure_database() {
    local port="$1" exists
    exists=$(psql_admin "$port" -c "SELECT 1 FROM pg_database WHERE datname = '$APP_DB'") \
        || die "cannot connect to the cluster at 127.0.0.1:$port as $SUPERUSER (see $LOG)"
    if [ "$exists" != "1" ]; then
        if ! psql_admin "$port" -c "CREATE DATABASE $APP_DB" >/dev/null 2>&1; then
            # tolerate a concurrent creator
            exists=$(psql_admin "$port" -c "SELECT 1 FROM pg_database WHERE datname = '$APP_DB'" || true)
            [ "$exists" = "1" ] || die "could not create database '$APP_DB'"
        fi
    fi
}

cmd_start() {
    [ $# -eq 2 ] || usage
    set_dir "$1"
    local port="$2"
    [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "invalid port '$port'"
    init_binaries
    check_root_prereqs

    if [ ! -d "$DIR" ]; then
        mkdir -p "$DIR"
    elif [ ! -f "$DIR/$MARKER" ] && [ ! -d "$DATA" ] && [ -n "$(ls -A "$DIR")" ]; then
        die "$DIR exists, is not empty and is not a dev-postgres.sh cluster folder"
    fi
    [ -f "$DIR/$MARKER" ] || : >"$DIR/$MARKER"
    chown_owner "$DIR"
    check_traversable
    lock_dir

    if [ -e "$DATA" ] && [ ! -f "$DATA/PG_VERSION" ]; then
        die "$DATA exists but is not a PostgreSQL data directory; run: $0 destroy $DIR"
    fi

    local st=0
    pg_status || st=$?
    if [ "$st" -eq 0 ]; then
        local actual
        actual=$(running_port)
        if [ -n "$actual" ] && [ "$actual" != "$port" ]; then
            die "cluster in $DIR is already running on port $actual, not $port; stop it first: $0 stop $DIR"
        fi
    else
        [ -d "$DATA" ] || do_initdb
        mkdir -p "$RUNDIR"
        chown_owner "$RUNDIR"
        write_config "$port"
        touch "$LOG"
        chown_owner "$LOG"
        if ! as_owner "$PG_CTL" -w -t 60 -s -D "$DATA" -l "$LOG" start >&2; then
            show_log_tail "$LOG"
            die "could not start PostgreSQL on 127.0.0.1:$port (is the port in use?)"
        fi
    fi

    ensure_database "$port"
    echo "postgres: running on 127.0.0.1:$port ($DIR)" >&2
}

# ---------------------------------------------------------------- stop / destroy

cmd_stop() {
    [ $# -eq 1 ] || usage
    set_dir "$1"
    [ -d "$DATA" ] || return 0
    init_binaries
    check_root_prereqs
    local st=0
    pg_status || st=$?
    [ "$st" -eq 0 ] || return 0
    if ! as_owner "$PG_CTL" -m fast -w -t 60 -s -D "$DATA" stop >&2; then
        note "fast shutdown did not finish in 60s; using immediate shutdown"
        as_owner "$PG_CTL" -m immediate -w -t 30 -s -D "$DATA" stop >&2 || die "could not stop the cluster in $DIR"
    fi
}

cmd_destroy() {
    [ $# -eq 1 ] || usage
    set_dir "$1"
    [ -e "$DIR" ] || return 0
    [ -d "$DIR" ] || die "$DIR is not a directory"
    # Only delete folders this script created (marker) or that hold nothing but a cluster.
    if [ ! -f "$DIR/$MARKER" ] && [ ! -f "$DATA/PG_VERSION" ] && [ -n "$(ls -A "$DIR")" ]; then
        die "refusing to delete $DIR: it does not look like a dev-postgres.sh cluster folder"
    fi
    cmd_stop "$1"
    rm -rf "$DIR"
}

cmd_status() {
    [ $# -eq 1 ] || usage
    set_dir "$1"
    init_binaries
    local st=0
    pg_status || st=$?
    if [ "$st" -eq 0 ]; then
        echo "postgres: running on 127.0.0.1:$(running_port) ($DIR)" >&2
        return 0
    fi
    echo "postgres: not running ($DIR)" >&2
    return 3
}

# ---------------------------------------------------------------- free-port

cmd_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' && return 0
    fi
    # Fallback: probe random high ports; "connection refused" means nobody listens.
    local i p
    for i in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    die "could not find a free port"
}

# ---------------------------------------------------------------- main

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
    start)     cmd_start "$@" ;;
    stop)      cmd_stop "$@" ;;
    destroy)   cmd_destroy "$@" ;;
    status)    cmd_status "$@" ;;
    free-port) [ $# -eq 0 ] || usage; cmd_free_port ;;
    *)         usage ;;
esac
