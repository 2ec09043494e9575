#!/usr/bin/env bash
# Round trip of the Citus backup runbook (docs/deployment.md, "Backups on Citus"):
# deploy/citus-backup.sh of a cluster taking writes, the cluster stopped as if lost, then
# `deploy/citus.sh restore` onto new ports. Run by deploy/test-citus.sh; exits non-zero on any
# difference.
#
#  1. a coordinator and two workers, migrated by `caseload-server migrate --citus`; two agencies
#     seeded (`admin seed-demo`) under fresh PII keys; their rows inventoried (deploy/inventory.sh);
#  2. deploy/citus-backup.sh refuses a database without Citus; a writer creates agencies one after another (each a distributed transaction: the agency's
#     rows on its worker, its token route in the reference table on every node) while
#     deploy/citus-backup.sh runs, and goes on after it;
#  3. the cluster stopped; citus.sh restore refuses a folder that is no backup and an existing
#     cluster folder; the backup restored as a new cluster;
#  4. the seeded agencies' rows identical; the writer's agencies restored are exactly its
#     first K acknowledged ones, K >= 1 and fewer than it acknowledged in all (the restore point
#     is a cut: no gap, nothing after it), each whole (owner, token, token route), and the token
#     route's copies on the nodes identical;
#  5. the restored cluster serves: caseload-server as its login role, a token from before the
#     backup and one of the writer's, a write, a reveal, and nothing alarming in its log;
#  6. with one of the restored cluster's workers marked inactive, citus-backup.sh refuses,
#     leaving no folder and no replication slot.
#
# Env: CASELOAD_BIN_PATH (default: `swift build --show-bin-path`; build first);
#      CASELOAD_KEEP_TEST_DB=1 keeps the work folder with both clusters (stopped).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
CITUS="$ROOT/deploy/citus.sh"
BIN="${CASELOAD_BIN_PATH:-$(swift build --show-bin-path)}"
SERVER="$BIN/caseload-server"
CLI="$BIN/caseload"
WORK="$ROOT/.caseload/citus-backup-test-$$"
PROG=test-citus-backup-restore
START=$SECONDS

log() { echo "$PROG: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
. "$ROOT/deploy/restore-test-lib.sh"
if [ ! -x "$SERVER" ] || [ ! -x "$CLI" ]; then fail "$SERVER or $CLI missing: swift build first"; fi
command -v jq >/dev/null || fail "jq is needed (deploy/ensure-deps.sh installs it)"
if ! reason=$("$CITUS" available 2>&1); then
    log "skipped: Citus is not available here: $reason"
    exit 0
fi

server_pid="" writer_pid=""
cleanup() {
    local rc=$? p
    trap '' INT TERM
    for p in "$server_pid" "$writer_pid"; do
        [ -z "$p" ] || { kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; } || true
    done
    [ "$rc" -eq 0 ] || show_server_log
    if [ "${CASELOAD_KEEP_TEST_DB:-}" = 1 ]; then
        "$CITUS" stop "$WORK/src" >/dev/null 2>&1 || true
        "$CITUS" stop "$WORK/dst" >/dev/null 2>&1 || true
        log "kept $WORK (CASELOAD_KEEP_TEST_DB=1)"
    else
        "$CITUS" destroy "$WORK/src" >/dev/null 2>&1 || true
        "$CITUS" destroy "$WORK/dst" >/dev/null 2>&1 || true
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$WORK"

sql() { psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

# ---------------------------------------------------------------- 1. source
src_port=$("$ROOT/deploy/dev-postgres.sh" free-port)
"$CITUS" start "$WORK/src" "$src_port" 2>"$WORK/src.log" || { cat "$WORK/src.log" >&2; fail "could not start the source cluster"; }
SRC_URL="postgres://caseload_admin@127.0.0.1:$src_port/caseload"
export CASELOAD_ADMIN_DATABASE_URL=$SRC_URL
eval "$("$SERVER" admin generate-keys | sed 's/^/export /')"
"$SERVER" migrate --citus --app-role caseload_server 2>"$WORK/migrate.err" || { cat "$WORK/migrate.err" >&2; fail "migrate --citus"; }
a1=$("$SERVER" admin create-agency --name "备份测试甲 Citus Backup A" --owner "Owner A")
a2=$("$SERVER" admin create-agency --name "备份测试乙 Citus Backup B" --owner "Owner B")
agency1=$(jq -r .agency_id <<<"$a1"); token1=$(jq -r .token <<<"$a1")
agency2=$(jq -r .agency_id <<<"$a2")
"$SERVER" admin seed-demo --agency "$agency1" --companies 4 --applicants 40 --seed 1 >/dev/null
"$SERVER" admin seed-demo --agency "$agency2" --companies 2 --applicants 10 --seed 2 >/dev/null
[ "$(sql "$SRC_URL" "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'cases'::regclass")" = 2 ] \
    || fail "the cases table is not spread over both workers"
deploy/inventory.sh "$SRC_URL" "$agency1" "$agency2" >"$WORK/src.inv"
log "source seeded and inventoried ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- 2. backup under writes
# A database without Citus is refused, leaving nothing behind (a plain one takes backup.sh).
if CASELOAD_ADMIN_DATABASE_URL="${SRC_URL%/*}/postgres" deploy/citus-backup.sh "$WORK/backups" 2>"$WORK/refused.err"; then
    fail "citus-backup.sh backed up a database without the citus extension"
fi
grep -q "no citus extension: use deploy/backup.sh" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "citus-backup.sh refused without saying why"; }
[ -z "$(ls -A "$WORK/backups" 2>/dev/null)" ] || fail "the refused backup left files in $WORK/backups"

# Each line of writer.log is an acknowledged agency: its number and id.
writer() {
    local i=1 out
    while [ ! -e "$WORK/stop" ]; do
        out=$("$SERVER" admin create-agency --name "Writer $i" --owner "Writer owner $i") || return 1
        echo "$i $(jq -r .agency_id <<<"$out") $(jq -r .token <<<"$out")" >>"$WORK/writer.log"
        i=$((i + 1))
    done
}
acked() { wc -l <"$WORK/writer.log"; }
wait_acked_beyond() {
    local n=$1 _
    for _ in $(seq 1 300); do
        [ "$(acked)" -gt "$n" ] && return 0
        kill -0 "$writer_pid" 2>/dev/null || fail "the writer stopped"
        sleep 0.1
    done
    fail "the writer acknowledged nothing beyond $n in 30 s"
}
: >"$WORK/writer.log"
writer &
writer_pid=$!
wait_acked_beyond 0
backup=$(deploy/citus-backup.sh "$WORK/backups" 2>"$WORK/backup.err") || { cat "$WORK/backup.err" >&2; fail "citus-backup.sh"; }
sed 's/^/    /' "$WORK/backup.err" >&2
after_backup=$(acked)
wait_acked_beyond "$after_backup"
: >"$WORK/stop"
wait "$writer_pid" || fail "the writer failed"
writer_pid=""
total=$(acked)
[ "$(stat -c %a "$backup")" = 700 ] || fail "the backup folder is readable by others (mode $(stat -c %a "$backup"))"
for node in coordinator worker-1 worker-2; do
    [ -s "$backup/$node/base/base.tar.gz" ] || fail "no base backup of $node"
    ls "$backup/$node/wal/"*.gz >/dev/null 2>&1 || fail "no WAL of $node"
done
[ -z "$(sql "$SRC_URL" "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'caseload_backup%'")" ] \
    || fail "the backup left its replication slot on the coordinator"
log "backup $(basename "$backup"): $(du -sh "$backup" | cut -f1); the writer acknowledged $total agencies ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- 3. lost, restored
"$CITUS" stop "$WORK/src" 2>/dev/null
dst_port=$("$ROOT/deploy/dev-postgres.sh" free-port)
# Refused, starting nothing: a folder that is not a backup, and a cluster folder that exists.
"$CITUS" restore "$WORK/backups" "$WORK/dst" "$dst_port" 2>"$WORK/refused.err" && fail "citus.sh restore took a folder without cluster.tsv"
grep -q "not a deploy/citus-backup.sh folder" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "citus.sh restore refused a non-backup without saying why"; }
"$CITUS" restore "$backup" "$WORK/src" "$dst_port" 2>"$WORK/refused.err" && fail "citus.sh restore wrote over an existing cluster folder"
grep -q "exists: restore makes a new cluster" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "citus.sh restore refused an existing folder without saying why"; }
[ ! -e "$WORK/dst" ] || fail "a refused restore left $WORK/dst behind"
"$CITUS" restore "$backup" "$WORK/dst" "$dst_port" 2>"$WORK/restore.err" || { cat "$WORK/restore.err" >&2; fail "citus.sh restore"; }
DST_URL="postgres://caseload_admin@127.0.0.1:$dst_port/caseload"
export CASELOAD_ADMIN_DATABASE_URL=$DST_URL
[ "$(sql "$DST_URL" "SELECT string_agg(nodeport::text, ' ' ORDER BY groupid) FROM pg_dist_node")" = "$dst_port $((dst_port + 1)) $((dst_port + 2))" ] \
    || fail "pg_dist_node does not name the restored nodes: $(sql "$DST_URL" "SELECT string_agg(nodename || ':' || nodeport, ' ') FROM pg_dist_node")"
log "restored ($((SECONDS - START)) s)"
# Ids drawn on a node come from its own range (its group << 48); a node whose sequence went
# back would repeat ids its rows already hold.
behind=$(sql "$DST_URL" "SELECT string_agg(nodeid || ': ' || result, ', ') FROM run_command_on_all_nodes(\$\$
    WITH g AS (SELECT groupid FROM pg_dist_local_group)
    SELECT count(*) FROM (
        SELECT (SELECT last_value FROM audit_log_audit_id_seq) AS seq,
               (SELECT max(audit_id) FROM audit_log, g WHERE audit_id >> 48 = g.groupid) AS top
        UNION ALL
        SELECT (SELECT last_value FROM event_log_event_id_seq),
               (SELECT max(event_id) FROM event_log, g WHERE event_id >> 48 = g.groupid)) s
    WHERE top > seq\$\$) WHERE result <> '0'")
[ -z "$behind" ] || fail "sequences behind the ids their node already used (node: count): $behind"

# ---------------------------------------------------------------- 4. the same rows, a clean cut
deploy/inventory.sh "$DST_URL" "$agency1" "$agency2" >"$WORK/dst.inv"
diff "$WORK/src.inv" "$WORK/dst.inv" >&2 || fail "the seeded agencies' rows differ (above: < source, > restored)"
for t in agencies:2 companies:6 applicants:50 cases:50; do
    got=$(awk -v t="${t%%:*}" '$1 == t { print $2 }' "$WORK/src.inv")
    [ "$got" = "${t##*:}" ] || fail "source table ${t%%:*} has ${got:-no} rows for the seeded agencies, expected ${t##*:}"
done

restored=$(sql "$DST_URL" "SELECT string_agg(agency_id::text, ' ' ORDER BY substr(name, 8)::int) FROM agencies WHERE name LIKE 'Writer %'")
read -r -a restored <<<"$restored"
k=${#restored[@]}
[ "$k" -ge 1 ] || fail "no agency the writer made during the backup was restored"
[ "$k" -lt "$total" ] || fail "all $total of the writer's agencies were restored: the restore point is not before the end"
expected=$(head -n "$k" "$WORK/writer.log" | awk '{ print tolower($2) }' | paste -sd ' ')
[ "${restored[*]}" = "$expected" ] || fail "the restored writer agencies are not its first $k acknowledged ones"
# (Joins rather than correlated subqueries, which Citus refuses next to a reference table.)
incomplete=$(sql "$DST_URL" "SELECT count(*) FROM agencies a
    LEFT JOIN (SELECT DISTINCT agency_id FROM users WHERE role = 'owner') o ON o.agency_id = a.agency_id
    LEFT JOIN (SELECT DISTINCT t.agency_id FROM tokens t
               JOIN token_routes r ON r.token_hash = t.token_hash AND r.agency_id = t.agency_id) k ON k.agency_id = a.agency_id
    WHERE a.name LIKE 'Writer %' AND (o.agency_id IS NULL OR k.agency_id IS NULL)")
[ "$incomplete" = 0 ] || fail "$incomplete restored agencies lack their owner, token or token route"
orphans=$(sql "$DST_URL" "SELECT count(*) FROM token_routes WHERE agency_id NOT IN (SELECT agency_id FROM agencies)")
[ "$orphans" = 0 ] || fail "$orphans token routes name agencies that were not restored"
copies=$(sql "$DST_URL" "SELECT count(DISTINCT result), count(*) FROM run_command_on_placements('token_routes',
    \$\$SELECT md5(string_agg(token_hash::text || agency_id::text, ',' ORDER BY token_hash)) FROM %s\$\$)")
[ "${copies%% *}" = 1 ] && [ "${copies##* }" -ge 3 ] || fail "the token route's copies on the nodes differ ($copies: distinct, placements)"
log "seeded rows identical; the writer's first $k of $total agencies restored, whole; token routes alike on ${copies##* } nodes"

# ---------------------------------------------------------------- 5. it serves
serve "postgres://caseload_server@127.0.0.1:$dst_port/caseload"
[ "$(CASELOAD_TOKEN=$token1 cli company list | jq length)" = 4 ] || fail "agency A does not see its 4 companies"
writer_token=$(sed -n "${k}p" "$WORK/writer.log" | awk '{ print $3 }')
[ "$(CASELOAD_TOKEN=$writer_token cli company list | jq length)" = 0 ] || fail "the writer's last restored agency cannot log in"
lost_token=$(sed -n "$((k + 1))p" "$WORK/writer.log" | awk '{ print $3 }')
CASELOAD_TOKEN=$lost_token cli company list >/dev/null 2>&1 && fail "a token made after the restore point logs in"
CASELOAD_TOKEN=$token1 cli company add --name "恢复后 After restore" --credit-code 91350200776049653A >/dev/null || fail "the restored cluster refused a write"
[ "$(CASELOAD_TOKEN=$token1 cli company list | jq length)" = 5 ] || fail "the write after the restore is not read back"
applicant=$(CASELOAD_TOKEN=$token1 cli applicant list --all | jq -r '.[0].id')
id_number=$(CASELOAD_TOKEN=$token1 cli applicant reveal "$applicant" | jq -r .id_number)
[[ "$id_number" =~ ^[0-9]{17}[0-9X]$ ]] || fail "reveal after restore did not give an ID number"
expect_quiet_server_log
log "restored cluster serves: logins from before the backup and from during it, a write, a reveal"

# ---------------------------------------------------------------- 6. a node down: no backup
# On the restored cluster (ours to break): with a worker marked inactive, a backup would miss
# its shards, so citus-backup.sh refuses before it makes a slot or a folder.
sql "$DST_URL" "UPDATE pg_dist_node SET isactive = false WHERE nodeport = $((dst_port + 2))" >/dev/null
if deploy/citus-backup.sh "$WORK/backups-refused" 2>"$WORK/refused.err"; then
    fail "citus-backup.sh backed up a cluster with an inactive node"
fi
grep -q "1 node(s) inactive in pg_dist_node" "$WORK/refused.err" || { cat "$WORK/refused.err" >&2; fail "citus-backup.sh refused an inactive node without saying why"; }
[ ! -e "$WORK/backups-refused" ] || fail "the refused backup left $WORK/backups-refused behind"
# Each node asked directly (run_command_on_all_nodes skips the inactive one).
slots=$(for port in "$dst_port" $((dst_port + 1)) $((dst_port + 2)); do
    sql "postgres://caseload_admin@127.0.0.1:$port/caseload" "SELECT count(*) FROM pg_replication_slots"; done | paste -sd ' ')
[ "$slots" = "0 0 0" ] || fail "the refused backup left replication slots (per node: $slots)"
log "a backup with a node inactive is refused, leaving no folder and no slot"

log "passed in $((SECONDS - START)) s"
