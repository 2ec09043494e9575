#!/usr/bin/env bash
# Round trip of the backup runbook (docs/deployment.md): deploy/backup.sh, then deploy/restore.sh
# onto a NEW cluster, the way a lost machine is replaced. Exits non-zero on any difference.
#
#  1. source database: migrated by the real `caseload-server migrate`, two agencies seeded
#     (`admin create-agency`, `admin seed-demo`, `admin create-user`) under fresh PII keys;
#  2. deploy/backup.sh;
#  3. a fresh cluster, with none of Caseload's roles: deploy/restore.sh --app-role caseload_server;
#  4. every table in public: same row count and same content (md5 of its sorted rows), and every
#     sequence at the same value; migrate reported nothing to apply (checksums matched);
#  5. the restored database serves: caseload-server as the new login role, the CLI logs in with a
#     token from before the backup, sees its agency's companies and applicants (and only its
#     own), reveals an ID number (the keys still open it, and the audit row it writes takes a
#     fresh id) and finds the applicant again by that number (the lookup hashes still match).
#
# Env: CASELOAD_BIN_PATH (default: `swift build --show-bin-path`; build first).
#      CASELOAD_TEST_ADMIN_DATABASE_URL: a superuser URL of a running cluster to hold the source
#      database (deploy/test.sh passes its own); without it a second throw-away cluster is made.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PG="$ROOT/deploy/dev-postgres.sh"
BIN="${CASELOAD_BIN_PATH:-$(swift build --show-bin-path)}"
SERVER="$BIN/caseload-server"
CLI="$BIN/caseload"
WORK="$ROOT/.caseload/backup-test-$$"
PROG=test-backup-restore
START=$SECONDS

log() { echo "$PROG: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
. "$ROOT/deploy/restore-test-lib.sh"
if [ ! -x "$SERVER" ] || [ ! -x "$CLI" ]; then fail "$SERVER or $CLI missing: swift build first"; fi
command -v jq >/dev/null || fail "jq is needed (deploy/ensure-deps.sh installs it)"

server_pid=""
src_admin=""     # set when the source database lives in someone else's cluster: dropped at the end
src_db="caseload_backup_src_$$"
cleanup() {
    local rc=$?
    trap '' INT TERM
    [ -z "$server_pid" ] || { kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; } || true
    [ -z "$src_admin" ] || psql -X -q -d "$src_admin" -c "DROP DATABASE IF EXISTS $src_db WITH (FORCE)" >/dev/null 2>&1 || true
    "$PG" destroy "$WORK/pg-src" >/dev/null 2>&1 || true
    "$PG" destroy "$WORK/pg-dst" >/dev/null 2>&1 || true
    [ "$rc" -eq 0 ] || show_server_log
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$WORK"

# A throw-away cluster in DIR on a free port (retried: another process may take the port).
start_cluster() {
    local dir=$1 port _
    for _ in 1 2 3; do
        port=$("$PG" free-port)
        if "$PG" start "$dir" "$port" 2>"$dir.log"; then echo "$port"; return 0; fi
        "$PG" destroy "$dir" >/dev/null 2>&1 || true
    done
    cat "$dir.log" >&2
    return 1
}

# The destination cluster starts in the background while the source is prepared.
start_cluster "$WORK/pg-dst" >"$WORK/dst.port" &
dst_starter=$!

if [ -n "${CASELOAD_TEST_ADMIN_DATABASE_URL:-}" ]; then
    src_admin=$CASELOAD_TEST_ADMIN_DATABASE_URL
    psql -X -q -v ON_ERROR_STOP=1 -d "$src_admin" -c "CREATE DATABASE $src_db" >/dev/null
    SRC_URL="${src_admin%/*}/$src_db"
else
    src_port=$(start_cluster "$WORK/pg-src") || fail "could not start the source cluster"
    SRC_URL="postgres://caseload_admin@127.0.0.1:$src_port/caseload"
fi

# Sealed personal data needs keys; the restored copy must open with the same ones.
eval "$("$SERVER" admin generate-keys | sed 's/^/export /')"

# ---------------------------------------------------------------- 1. source
export CASELOAD_ADMIN_DATABASE_URL=$SRC_URL
"$SERVER" migrate --app-role caseload_server 2>"$WORK/migrate-src.err" || { cat "$WORK/migrate-src.err" >&2; fail "migrate (source)"; }
a1=$("$SERVER" admin create-agency --name "备份测试甲 Backup A" --owner "Owner A")
a2=$("$SERVER" admin create-agency --name "备份测试乙 Backup B" --owner "Owner B")
agency1=$(jq -r .agency_id <<<"$a1"); token1=$(jq -r .token <<<"$a1")
agency2=$(jq -r .agency_id <<<"$a2"); token2=$(jq -r .token <<<"$a2")
"$SERVER" admin seed-demo --agency "$agency1" --companies 4 --applicants 40 --seed 1 >/dev/null
"$SERVER" admin seed-demo --agency "$agency2" --companies 2 --applicants 10 --seed 2 >/dev/null
"$SERVER" admin create-user --agency "$agency1" --name "顾问 Consultant" --role consultant --token-days 30 >/dev/null
log "source seeded ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- 2. backup
dump=$(deploy/backup.sh "$WORK/backups")
[ -s "$dump" ] || fail "backup.sh wrote no file"
[ "$(stat -c %a "$dump")" = 600 ] || fail "the dump is readable by others (mode $(stat -c %a "$dump"))"
log "backup: $(basename "$dump"), $(stat -c %s "$dump") bytes ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- 3. restore onto a new cluster
wait "$dst_starter" || fail "could not start the destination cluster"
dst_port=$(cat "$WORK/dst.port")
dst_admin="postgres://caseload_admin@127.0.0.1:$dst_port/postgres"
roles=$(psql -X -A -t -d "$dst_admin" -c "SELECT count(*) FROM pg_roles WHERE rolname IN ('caseload_app', 'caseload_server')")
[ "$roles" = 0 ] || fail "the destination cluster is not fresh"
psql -X -q -v ON_ERROR_STOP=1 -d "$dst_admin" -c "CREATE DATABASE caseload_restored" >/dev/null
DST_URL="postgres://caseload_admin@127.0.0.1:$dst_port/caseload_restored"
CASELOAD_ADMIN_DATABASE_URL=$DST_URL CASELOAD_SERVER=$SERVER \
    deploy/restore.sh "$dump" --app-role caseload_server 2>"$WORK/restore.err" || { cat "$WORK/restore.err" >&2; fail "restore.sh"; }
grep -q "migrate: 0 applied" "$WORK/restore.err" || { cat "$WORK/restore.err" >&2; fail "migrate after restore applied something or failed"; }
CASELOAD_ADMIN_DATABASE_URL=$DST_URL deploy/restore.sh "$dump" 2>/dev/null && fail "restore.sh accepted a database that has tables"
log "restored ($((SECONDS - START)) s)"

# ---------------------------------------------------------------- 4. same rows
deploy/inventory.sh "$SRC_URL" >"$WORK/src.inv"
deploy/inventory.sh "$DST_URL" >"$WORK/dst.inv"
diff "$WORK/src.inv" "$WORK/dst.inv" >&2 || fail "restored tables differ from the source (above: < source, > restored)"
tables=$(grep -vc '^sequence:' "$WORK/src.inv")
rows=$(awk '$1 !~ /^sequence:/ { s += $2 } END { print s }' "$WORK/src.inv")
# The comparison means something only if the data reached the tables that matter.
for t in agencies:2 companies:6 applicants:50 cases:50; do
    got=$(awk -v t="${t%%:*}" '$1 == t { print $2 }' "$WORK/src.inv")
    [ "$got" = "${t##*:}" ] || fail "source table ${t%%:*} has ${got:-no} rows, expected ${t##*:}"
done
[ "$tables" -ge 20 ] || fail "only $tables tables in public: is the schema there?"
log "$tables tables, $rows rows: counts and contents identical"

# ---------------------------------------------------------------- 5. it serves
serve "postgres://caseload_server@127.0.0.1:$dst_port/caseload_restored"
[ "$(CASELOAD_TOKEN=$token1 cli company list | jq length)" = 4 ] || fail "agency A does not see its 4 companies"
[ "$(CASELOAD_TOKEN=$token2 cli company list | jq length)" = 2 ] || fail "agency B does not see exactly its 2 companies"
applicants=$(CASELOAD_TOKEN=$token1 cli applicant list --all)
[ "$(jq length <<<"$applicants")" = 40 ] || fail "agency A does not see its 40 applicants"
applicant=$(jq -r '.[0].id' <<<"$applicants")
id_number=$(CASELOAD_TOKEN=$token1 cli applicant reveal "$applicant" | jq -r .id_number)
[[ "$id_number" =~ ^[0-9]{17}[0-9X]$ ]] || fail "reveal after restore did not give an ID number"
found=$(CASELOAD_TOKEN=$token1 cli applicant list --id-number "$id_number" | jq -r '.[].id')
[ "$found" = "$applicant" ] || fail "lookup by ID number after restore did not find the applicant"
expect_quiet_server_log
log "restored database serves: logins, isolation, reveal, lookup"

log "passed in $((SECONDS - START)) s"
