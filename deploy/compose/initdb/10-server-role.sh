#!/bin/sh
# Run once by the postgres image when it initialises an empty volume: the login role the
# server connects as, with the password from .env. `caseload-server migrate --app-role
# caseload_server` then makes it a member of caseload_app (and nothing more).
set -eu
psql -v ON_ERROR_STOP=1 -v pw="$CASELOAD_SERVER_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE caseload_server LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'pw';
SQL
