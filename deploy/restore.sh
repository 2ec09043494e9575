#!/usr/bin/env bash
# Restore a deploy/backup.sh dump into a fresh, empty database.
#
#   deploy/restore.sh DUMP [--app-role ROLE]
#
# Connects with CASELOAD_ADMIN_DATABASE_URL, the URL of the NEW database as the schema owner
# (create it first, owned by that role: `createdb -O OWNER caseload`). It refuses a database
# that already has tables: restoring over live data is never what you want.
#
#  1. Creates the cluster-wide group role caseload_app if missing. Roles are not in a database
#     dump; without it every GRANT in the dump would fail. (Same statement as schema/001.)
#  2. pg_restore in one transaction, stopping at the first error: all or nothing. --no-owner
#     makes the restoring role own everything, whatever the old cluster's owner was called;
#     privileges (the GRANTs to caseload_app) are kept.
#  3. With --app-role: `caseload-server migrate --app-role ROLE`. It checks the dump's recorded
#     migrations against this binary's schema/ (refusing a changed one), applies any newer ones
#     (restoring an old backup under a newer release), and creates the server's login role and
#     its membership in caseload_app. Set the role's password afterwards if it logs in over the
#     network (ALTER ROLE ROLE PASSWORD ...). caseload-server is $CASELOAD_SERVER, else found on
#     PATH; it reads CASELOAD_SCHEMA_DIR and the CASELOAD_PII_* keys like any migrate.
#
# The restored personal data opens only with the keys it was sealed with: run the servers with
# the same CASELOAD_PII_* settings as when the backup was taken (or later ones that still list
# the old key in CASELOAD_PII_OLD_KEYS).
set -euo pipefail

PROG=restore.sh
die() { echo "$PROG: $*" >&2; exit 1; }
usage() { echo "usage: $PROG DUMP [--app-role ROLE]" >&2; exit 2; }

[ $# -ge 1 ] || usage
DUMP=$1; shift
APP_ROLE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --app-role) [ $# -ge 2 ] || usage; APP_ROLE=$2; shift 2 ;;
        *) usage ;;
    esac
done
URL="${CASELOAD_ADMIN_DATABASE_URL:-}"
[ -n "$URL" ] || die "set CASELOAD_ADMIN_DATABASE_URL to the new database's schema-owner URL"
[ -r "$DUMP" ] || die "cannot read $DUMP"
for tool in pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client)"
done

psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$URL" "$@"; }

tables=$(psql_q -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')")
[ "$tables" = 0 ] || die "the target database already has $tables tables: restore only into a fresh one"

psql_q <<'SQL'
DO $$
BEGIN
    CREATE ROLE caseload_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
SQL

pg_restore --no-owner --exit-on-error --single-transaction --dbname="$URL" "$DUMP"
echo "$PROG: restored $DUMP" >&2

if [ -n "$APP_ROLE" ]; then
    "${CASELOAD_SERVER:-caseload-server}" migrate --app-role "$APP_ROLE"
else
    echo "$PROG: next: caseload-server migrate --app-role <the server's login role>" >&2
fi
