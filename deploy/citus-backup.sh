#!/usr/bin/env bash
# Back up a Citus cluster: every node's files, and each node's WAL up to one restore point that
# Citus writes on all nodes at once, so that the nodes restored together agree
# (docs/deployment.md, "Backups on Citus"). deploy/backup.sh's pg_dump is for a single node: on
# a Citus coordinator it sees the distributed tables but not a consistent copy of the workers.
#
#   deploy/citus-backup.sh [DIR]   writes DIR/citus-YYYYMMDDTHHMMSSZ/ and prints its path
#
# DIR defaults to $CASELOAD_BACKUP_DIR, else ./backups. CASELOAD_ADMIN_DATABASE_URL names the
# coordinator; the workers are read from its pg_dist_node and reached as the same user (libpq's
# PGPASSFILE, PGSSLMODE and the like apply to every node). The role needs REPLICATION (or is a
# superuser), and every node's pg_hba.conf must let it open replication connections.
#
# What it does, node by node and in parallel where it can:
#  1. a physical replication slot on each node, so no WAL the backup needs is recycled;
#  2. pg_basebackup of each node (tar, gzip, no WAL of its own): the servers keep serving;
#  3. citus_create_restore_point(NAME) on the coordinator: Citus blocks distributed commits for
#     a moment and writes the same named point into every node's WAL;
#  4. pg_receivewal from each node's slot up to past that point, checked with pg_waldump to hold
#     the point, then gzipped; the slots are dropped.
#
# The backup folder (mode 0700; it holds sealed personal data and token hashes, as the live
# database does; the PII keys are NOT in it, see backup.sh):
#   cluster.tsv             restore point, then one line per node: name group nodeid host port
#   NODE/base/base.tar.gz   the node's data folder (NODE: coordinator, worker-GROUP)
#   NODE/wal/*.gz           its WAL from before the base backup to the restore point
# deploy/citus.sh restore BACKUP DIR PORT brings it up as a local cluster; the runbook in
# docs/deployment.md restores it onto new machines.
set -euo pipefail

PROG=citus-backup.sh
die() { echo "$PROG: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

URL="${CASELOAD_ADMIN_DATABASE_URL:-}"
[ -n "$URL" ] || die "set CASELOAD_ADMIN_DATABASE_URL to the coordinator's schema-owner URL"
DIR="${1:-${CASELOAD_BACKUP_DIR:-backups}}"

# The server's own tools (pg_waldump is not on PATH in Debian), else PATH's.
BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)
tool() {
    if [ -n "$BINDIR" ] && [ -x "$BINDIR/$1" ]; then echo "$BINDIR/$1"; return; fi
    command -v "$1" || die "$1 not found (Debian: apt-get install postgresql-15 or postgresql-client-15)"
}
PSQL=$(tool psql); BASEBACKUP=$(tool pg_basebackup); RECEIVEWAL=$(tool pg_receivewal); WALDUMP=$(tool pg_waldump)

q() { PGCONNECT_TIMEOUT=10 "$PSQL" -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

[ -n "$(q "$URL" "SELECT 1 FROM pg_extension WHERE extname = 'citus'")" ] \
    || die "the database at CASELOAD_ADMIN_DATABASE_URL has no citus extension: use deploy/backup.sh"
inactive=$(q "$URL" "SELECT count(*) FROM pg_dist_node WHERE NOT isactive")
[ "$inactive" = 0 ] || die "$inactive node(s) inactive in pg_dist_node: a backup without them would not restore"
IFS=$'\t' read -r DB_USER DB_NAME < <(q "$URL" "SELECT current_user, current_database()")

# Nodes: the coordinator through the URL as given, the primaries of the worker groups by address.
# The coordinator is in pg_dist_node only once it was given an address ('-' otherwise).
IFS=$'\t' read -r nodeid host port < <(q "$URL" "SELECT coalesce(max(nodeid)::text, '-'), coalesce(max(nodename), '-'),
    coalesce(max(nodeport)::text, '-') FROM pg_dist_node WHERE groupid = 0")
NAMES=(coordinator) GROUPS_=(0) CONNS=("$URL") NODEIDS=("$nodeid") HOSTS=("$host") PORTS=("$port")
while IFS=$'\t' read -r group nodeid host port; do
    [ -n "$group" ] || continue
    NAMES+=("worker-$group"); GROUPS_+=("$group"); NODEIDS+=("$nodeid"); HOSTS+=("$host"); PORTS+=("$port")
    CONNS+=("host=$host port=$port user=$DB_USER dbname=$DB_NAME")
done < <(q "$URL" "SELECT groupid, nodeid, nodename, nodeport FROM pg_dist_node
                   WHERE groupid <> 0 AND noderole = 'primary' ORDER BY groupid")
[ "${#NAMES[@]}" -gt 1 ] || die "the coordinator lists no workers"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
POINT="caseload-$STAMP"
SLOT="caseload_backup_${STAMP,,}"
umask 077
mkdir -p "$DIR"
OUT="$DIR/citus-$STAMP"
[ ! -e "$OUT" ] || die "$OUT already exists"
# Built under a temporary name and renamed when complete, so a backup cut short never looks
# like one.
TMP="$OUT.partial"
mkdir "$TMP"

slotted=()
pids=()
cleanup() {
    local rc=$? i
    trap '' INT TERM
    for i in "${pids[@]}"; do kill "$i" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for i in "${slotted[@]}"; do
        q "${CONNS[$i]}" "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null 2>&1 \
            || note "could not drop the replication slot $SLOT on ${NAMES[$i]}: drop it by hand, it holds WAL back"
    done
    [ "$rc" -eq 0 ] || rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" once per node in the background (the node's index in $i), then waits for all.
each_node() {
    local i failed=0 pid
    pids=()
    for i in "${!NAMES[@]}"; do
        "$@" "$i" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    pids=()
    return "$failed"
}

# 1. Slots first: WAL from here on stays on each node until the slot is dropped.
for i in "${!NAMES[@]}"; do
    q "${CONNS[$i]}" "SELECT pg_create_physical_replication_slot('$SLOT', true)" >/dev/null \
        || die "could not create a replication slot on ${NAMES[$i]} (the role needs REPLICATION)"
    slotted+=("$i")
    mkdir -p "$TMP/${NAMES[$i]}/base" "$TMP/${NAMES[$i]}/wal"
done

# 2. Base backups, in parallel.
base_backup() {
    # -X none: the WAL comes from the slot (step 4), which the server's notice cannot know.
    PGOPTIONS="-c client_min_messages=warning" "$BASEBACKUP" -d "${CONNS[$1]}" -D "$TMP/${NAMES[$1]}/base" -F tar -z -X none -c fast \
        || { note "pg_basebackup of ${NAMES[$1]} failed"; return 1; }
}
started=$SECONDS
each_node base_backup || die "a base backup failed"
note "base backups of ${#NAMES[@]} nodes in $((SECONDS - started)) s"

# 3. The point every node is restored to.
point_lsn=$(q "$URL" "SELECT citus_create_restore_point('$POINT')") || die "citus_create_restore_point failed"
note "restore point $POINT (coordinator at $point_lsn)"

# 4. Each node's WAL from its slot to past the point; the segment being written is kept whole
#    (pg_receivewal pads it) under its final name, as recovery asks for it.
receive_wal() {
    local wal="$TMP/${NAMES[$1]}/wal" end f segments records rc
    # The switch flushes the point to disk, where streaming can read it, and its end is past it.
    end=$(q "${CONNS[$1]}" "SELECT pg_switch_wal()")
    # It leaves the segment it stopped in as .partial (with a note saying so), padded to full size.
    rc=0
    "$RECEIVEWAL" -d "${CONNS[$1]}" -S "$SLOT" -D "$wal" -E "$end" -n --synchronous 2>"$wal.log" || rc=$?
    grep -v 'not renaming .*segment is not complete' "$wal.log" >&2 || true
    rm -f "$wal.log"
    [ "$rc" -eq 0 ] || { note "pg_receivewal from ${NAMES[$1]} failed"; return 1; }
    for f in "$wal"/*.partial; do
        if [ -e "$f" ]; then mv "$f" "${f%.partial}"; fi
    done
    # pg_waldump stops with an error at the end of the WAL it has; the point must be before it.
    segments=$(ls "$wal" | grep -E '^[0-9A-F]{24}$' | sort)
    records=$("$WALDUMP" -p "$wal" --rmgr=XLOG "$(head -n 1 <<<"$segments")" "$(tail -n 1 <<<"$segments")" 2>/dev/null || true)
    if ! grep -qF "desc: RESTORE_POINT $POINT" <<<"$records"; then
        note "the WAL received from ${NAMES[$1]} does not hold the restore point $POINT"
        return 1
    fi
    gzip -q "$wal"/*
}
each_node receive_wal || die "receiving WAL failed"

{
    printf 'restore_point\t%s\n' "$POINT"
    for i in "${!NAMES[@]}"; do
        printf 'node\t%s\t%s\t%s\t%s\t%s\n' "${NAMES[$i]}" "${GROUPS_[$i]}" "${NODEIDS[$i]}" "${HOSTS[$i]}" "${PORTS[$i]}"
    done
} >"$TMP/cluster.tsv"
mv "$TMP" "$OUT"
note "$(du -sh "$OUT" | cut -f1) in $((SECONDS - started)) s"
echo "$OUT"
