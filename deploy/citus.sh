#!/usr/bin/env bash
# A private Citus cluster on localhost: one coordinator and two workers, each a
# deploy/dev-postgres.sh cluster under one folder, for `make test-citus` and `make bench-citus`.
#
#   citus.sh install              make sure the citus extension is installed (builds it from
#                                 CITUS_SOURCE, default ../shared/citus, when missing)
#   citus.sh available            exit 0 if Citus is installed or can be built here, else 3
#                                 with the reason on stderr
#   citus.sh start DIR PORT       start the coordinator on PORT and workers on PORT+1, PORT+2
#                                 (created the first time), with the workers registered
#   citus.sh stop DIR             stop all three
#   citus.sh destroy DIR          stop, then remove DIR
#   citus.sh restore BACKUP DIR PORT
#                                 a new cluster in DIR from a deploy/citus-backup.sh folder:
#                                 each node recovered to the backup's restore point, the
#                                 coordinator on PORT and worker N on PORT+N, pg_dist_node
#                                 pointed at them (the backed-up cluster should be stopped)
#
# Layout: DIR/coordinator, DIR/worker1, DIR/worker2 (each a dev-postgres.sh folder).
# Debian has no Citus package: from source it needs postgresql-server-dev-15 and the libraries
# below, installed with apt-get when run as root.
set -euo pipefail

readonly PROG="citus.sh"
readonly HERE=$(cd "$(dirname "$0")" && pwd)
readonly ROOT=$(cd "$HERE/.." && pwd)
readonly DEV_POSTGRES="$HERE/dev-postgres.sh"
readonly CITUS_VERSION=13.2.2
readonly BUILD_PACKAGES=(postgresql-server-dev-15 liblz4-dev libzstd-dev libcurl4-openssl-dev libkrb5-dev)
CITUS_SOURCE=${CITUS_SOURCE:-$ROOT/../shared/citus}

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

usage() {
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# The server's pg_config (postgresql-server-dev's), not libpq-dev's client one.
server_pg_config() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/pg_config" ]; then echo "$d/pg_config"; return 0; fi
    command -v pg_config
}

pkglibdir() { "$(server_pg_config)" --pkglibdir; }

installed() { [ -f "$(pkglibdir)/citus.so" ]; }

tarball() { ls "$CITUS_SOURCE"/citus-"$CITUS_VERSION".tar.gz 2>/dev/null | head -n 1; }

cmd_available() {
    installed && return 0
    if [ -z "$(tarball)" ]; then
        note "Citus is not installed and its source is not at $CITUS_SOURCE (citus-$CITUS_VERSION.tar.gz)."
        note "Install Citus for PostgreSQL 15 (packages postgresql-15-citus-13.2 from packagecloud.io/citusdata,"
        note "or the citusdata/citus:13.2 image), or set CITUS_SOURCE to a folder holding the tarball."
        exit 3
    fi
    if [ "$(id -u)" -ne 0 ] && ! dpkg -s "${BUILD_PACKAGES[@]}" >/dev/null 2>&1; then
        note "building Citus needs: apt-get install ${BUILD_PACKAGES[*]} (run as root, or install them first)"
        exit 3
    fi
}

cmd_install() {
    if installed; then return 0; fi
    cmd_available
    if ! dpkg -s "${BUILD_PACKAGES[@]}" >/dev/null 2>&1; then
        note "installing ${BUILD_PACKAGES[*]}"
        apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${BUILD_PACKAGES[@]}" >&2
    fi
    local build="$ROOT/.caseload/citus-build"
    rm -rf "$build" && mkdir -p "$build"
    note "building Citus $CITUS_VERSION from $(tarball) (about 5 minutes on 2 cores; log: $build/build.log)"
    tar xzf "$(tarball)" -C "$build"
    local src="$build/citus-$CITUS_VERSION"
    local patch
    for patch in "$CITUS_SOURCE"/*.patch; do
        [ -f "$patch" ] && (cd "$src" && patch -s -p1 <"$patch")
    done
    if ! (cd "$src" && ./configure PG_CONFIG="$(server_pg_config)" && make -j"$(nproc)" && make install) >"$build/build.log" 2>&1; then
        tail -n 30 "$build/build.log" >&2
        die "building Citus failed (see $build/build.log)"
    fi
    installed || die "make install finished but $(pkglibdir)/citus.so is missing"
    note "Citus $CITUS_VERSION installed in $(pkglibdir)"
}

node_dirs() { echo coordinator worker1 worker2; }

# Shard moves copy by logical replication; the coordinator's own connections to the workers
# count against max_connections, hence the larger pool.
readonly NODE_SETTINGS="shared_preload_libraries = 'citus'
wal_level = logical
max_worker_processes = 32
citus.max_client_connections = 200"

psql_node() {
    local port="$1"; shift
    PGCONNECT_TIMEOUT=10 psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U caseload_admin -d caseload "$@"
}

cmd_start() {
    [ $# -eq 2 ] || usage
    local dir="$1" port="$2" offset=0 node
    cmd_install
    export CASELOAD_PG_SETTINGS="$NODE_SETTINGS"
    for node in $(node_dirs); do
        "$DEV_POSTGRES" start "$dir/$node" $((port + offset))
        psql_node $((port + offset)) -c "CREATE EXTENSION IF NOT EXISTS citus"
        offset=$((offset + 1))
    done
    psql_node "$port" -c "SELECT citus_set_coordinator_host('127.0.0.1', $port)" >/dev/null
    for offset in 1 2; do
        if [ "$(psql_node "$port" -c "SELECT count(*) FROM pg_dist_node WHERE nodeport = $((port + offset))")" = "0" ]; then
            psql_node "$port" -c "SELECT citus_add_node('127.0.0.1', $((port + offset)))" >/dev/null
        fi
    done
    note "citus: coordinator 127.0.0.1:$port, workers :$((port + 1)) :$((port + 2)) ($dir)"
}

# The node folders there are (a restored cluster may have more workers than start makes).
present_nodes() { (cd "$1" 2>/dev/null && ls -d coordinator worker* 2>/dev/null) || true; }

cmd_stop() {
    [ $# -eq 1 ] || usage
    local node
    for node in $(present_nodes "$1"); do "$DEV_POSTGRES" stop "$1/$node"; done
}

cmd_destroy() {
    [ $# -eq 1 ] || usage
    local node
    for node in $(present_nodes "$1"); do "$DEV_POSTGRES" destroy "$1/$node"; done
    rm -rf "$1"
}

# Recovers one node of a backup into DIR/LOCAL on PORT and waits until it is promoted.
restore_node() {
    local backup="$1" name="$2" local_dir="$3" port="$4" point="$5"
    local data="$local_dir/data" wal="$local_dir/restore-wal" _
    mkdir -p "$data" "$wal"
    : >"$local_dir/.caseload-dev-postgres"
    tar xzf "$backup/$name/base/base.tar.gz" -C "$data"
    cp "$backup/$name/wal/"* "$wal/"
    chmod 700 "$data"
    : >"$data/recovery.signal"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$local_dir"; fi
    # Replays the WAL up to the point every node of the backup shares, then opens for writes.
    CASELOAD_PG_SETTINGS="$NODE_SETTINGS
restore_command = 'gunzip -c \"$wal/%f.gz\" > \"%p\"'
recovery_target_name = '$point'
recovery_target_action = 'promote'" "$DEV_POSTGRES" start "$local_dir" "$port"
    for _ in $(seq 1 600); do
        [ "$(psql_node "$port" -c "SELECT pg_is_in_recovery()")" = f ] && return 0
        sleep 0.2
    done
    die "$name (port $port) did not finish recovery in 120 s (see $local_dir/postgres.log)"
}

cmd_restore() {
    [ $# -eq 3 ] || usage
    local backup="$1" dir="$2" port="$3" point kind name group nodeid host oldport
    [ -f "$backup/cluster.tsv" ] || die "$backup is not a deploy/citus-backup.sh folder (no cluster.tsv)"
    [ ! -e "$dir" ] || die "$dir exists: restore makes a new cluster"
    point=$(awk -F '\t' '$1 == "restore_point" { print $2 }' "$backup/cluster.tsv")
    [ -n "$point" ] || die "$backup/cluster.tsv names no restore point"
    cmd_install
    local names=() nodeids=() locals=() ports=()
    while IFS=$'\t' read -r kind name group nodeid host oldport; do
        [ "$kind" = node ] || continue
        names+=("$name"); nodeids+=("$nodeid")
        if [ "$group" = 0 ]; then locals+=(coordinator); else locals+=("worker${#locals[@]}"); fi
        ports+=($((port + ${#ports[@]})))
    done <"$backup/cluster.tsv"
    [ "${locals[0]:-}" = coordinator ] || die "$backup/cluster.tsv does not list the coordinator first"
    local i pids=() failed=0
    for i in "${!names[@]}"; do
        restore_node "$backup" "${names[$i]}" "$dir/${locals[$i]}" "${ports[$i]}" "$point" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || failed=1; done
    [ "$failed" = 0 ] || die "a node did not recover"
    # The metadata still names the old addresses. citus_update_node changes them on the
    # coordinator, and its maintenance daemon passes the node list on to the workers. Not
    # start_metadata_sync_to_all_nodes(): it re-creates the workers' objects, their sequences
    # among them, and the audit ids drawn on a worker would start again at its first value.
    for i in "${!names[@]}"; do
        [ "${nodeids[$i]}" = - ] && continue
        psql_node "$port" -c "SELECT citus_update_node(${nodeids[$i]}, '127.0.0.1', ${ports[$i]})" >/dev/null
    done
    for i in $(seq 1 300); do
        [ "$(psql_node "$port" -c "SELECT coalesce(bool_and(metadatasynced), true) FROM pg_dist_node WHERE hasmetadata AND groupid <> 0")" = t ] && break
        [ "$i" -lt 300 ] || die "the workers did not take the new node list in 60 s"
        sleep 0.2
    done
    note "citus: restored $point into $dir: coordinator 127.0.0.1:$port, workers :$((port + 1))..:$((port + ${#names[@]} - 1))"
}

case "${1:-}" in
    install) shift; cmd_install "$@" ;;
    available) shift; cmd_available "$@" ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    destroy) shift; cmd_destroy "$@" ;;
    restore) shift; cmd_restore "$@" ;;
    *) usage ;;
esac
