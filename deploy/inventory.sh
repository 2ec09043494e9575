#!/usr/bin/env bash
# What a database holds, one line per table in public: name, row count, md5 of its rows sorted
# bytewise; then one line per sequence with its value. Two databases with the same inventory
# hold the same rows (the backup round trips, deploy/test-backup-restore.sh and
# deploy/test-citus-backup-restore.sh, compare a source with its restored copy this way).
#
#   deploy/inventory.sh URL                   every table and sequence
#   deploy/inventory.sh URL AGENCY_ID...      only those agencies' rows of the tables that have
#                                             agency_id (the others whole), no sequences
#
# UTC and ISO dates, so that two sessions print timestamps alike. query_to_xml runs a query
# built per table inside one statement.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: inventory.sh URL [AGENCY_ID...]" >&2; exit 2; }
URL=$1; shift
AGENCIES="{$(IFS=,; echo "$*")}"
PGTZ=UTC PGDATESTYLE=ISO psql -X -A -t -F ' ' -v ON_ERROR_STOP=1 -v agencies="$AGENCIES" -d "$URL" <<'SQL'
WITH t AS (
    SELECT c.relname,
           CASE WHEN :'agencies' <> '{}' AND EXISTS (
                    SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'agency_id' AND NOT a.attisdropped)
                THEN format(' WHERE agency_id = ANY(%L::uuid[])', :'agencies') ELSE '' END AS filter
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
)
SELECT relname,
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM public.%I%s', relname, filter), false, true, '')))[1]::text,
       (xpath('/row/h/text()', query_to_xml(format(
           'SELECT md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C"), '''')) AS h FROM public.%I t%s',
           relname, filter), false, true, '')))[1]::text
FROM t
UNION ALL
SELECT 'sequence:' || sequencename, coalesce(last_value, 0)::text, '-'
FROM pg_sequences WHERE schemaname = 'public' AND :'agencies' = '{}'
ORDER BY 1;
SQL
