#!/usr/bin/env bash
# Back up the Caseload database: one pg_dump custom-format file (compressed, restorable with
# pg_restore, table by table if need be).
#
#   deploy/backup.sh [DIR]      writes DIR/caseload-YYYYMMDDTHHMMSSZ.dump and prints its path
#
# DIR defaults to $CASELOAD_BACKUP_DIR, else ./backups. Connects with
# CASELOAD_ADMIN_DATABASE_URL (the schema owner: it can read every agency's rows; the server's
# own role cannot, row-level security hides them from it).
#
# What the file does NOT hold, and must be backed up separately (docs/deployment.md):
#   - the keys for personal data (CASELOAD_PII_KEY, CASELOAD_PII_OLD_KEYS, CASELOAD_PII_LOOKUP_KEY):
#     without them the ID and phone numbers in the dump cannot be read, and with them the dump
#     is as sensitive as the live database. Keep the two in different places.
#   - roles (caseload_app, the server's login role): they belong to the cluster, not the
#     database; deploy/restore.sh re-creates them.
#
# pg_dump takes a consistent snapshot without blocking the servers (they keep serving).
# pg_dump must be of the server's major version or newer.
set -euo pipefail

PROG=backup.sh
die() { echo "$PROG: $*" >&2; exit 1; }

URL="${CASELOAD_ADMIN_DATABASE_URL:-}"
[ -n "$URL" ] || die "set CASELOAD_ADMIN_DATABASE_URL to the schema owner's URL"
DIR="${1:-${CASELOAD_BACKUP_DIR:-backups}}"
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client)"

# The dump holds sealed personal data and token hashes: readable by its owner only.
umask 077
mkdir -p "$DIR"
FILE="$DIR/caseload-$(date -u +%Y%m%dT%H%M%SZ).dump"
[ ! -e "$FILE" ] || die "$FILE already exists"
TMP="$FILE.partial"
trap 'rm -f "$TMP"' EXIT

# Written under a temporary name and renamed when complete, so a dump cut short (disk full,
# lost connection) never looks like a backup.
pg_dump --format=custom --file="$TMP" --dbname="$URL"
# A dump whose table of contents cannot be read is not a backup.
pg_restore --list "$TMP" >/dev/null || die "pg_restore cannot read the dump just written"
mv "$TMP" "$FILE"
trap - EXIT
echo "$FILE"
