#!/usr/bin/env bash
# Make sure the tools Caseload's build, dev cluster and tests need are present.
# Silent and exit 0 when everything is there.
#   - swift                          (never installed automatically)
#   - PostgreSQL server (initdb)      -> apt package: postgresql
#   - psql                            -> apt package: postgresql-client
#   - libpq headers (pg_config or /usr/include/postgresql/libpq-fe.h) -> libpq-dev
#   - nc with -N (OpenBSD netcat) and jq -> netcat-openbsd, jq (the docs' nc/jq transcript test)
# With --print (deploy/test.sh passes it), also what the report tests read reports back with:
#   - chromium (prints the HTML report to PDF)  -> chromium
#   - pdfinfo, pdftotext, pdftoppm              -> poppler-utils
#   - a font with Chinese glyphs (fc-list :lang=zh), or the PDF shows boxes -> fonts-wqy-microhei
#   - soffice (converts the xlsx report)        -> libreoffice-calc-nogui
# When something is missing: as root with apt-get, installs it; otherwise prints
# the exact command to run and exits 1.
set -euo pipefail

PROG="ensure-deps.sh"
err() { echo "$PROG: $*" >&2; }

PRINT_TOOLS=""
case "${1:-}" in
    --print) PRINT_TOOLS=1 ;;
    "") ;;
    *) err "unknown option: $1 (usage: ensure-deps.sh [--print])"; exit 2 ;;
esac

have_initdb() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        [ -n "$d" ] && [ -x "$d/initdb" ] && return 0
    fi
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && return 0
    done
    command -v initdb >/dev/null 2>&1
}

have_psql() {
    command -v psql >/dev/null 2>&1 && return 0
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/psql" ] && return 0
    done
    return 1
}

have_libpq_headers() {
    command -v pg_config >/dev/null 2>&1 || [ -f /usr/include/postgresql/libpq-fe.h ]
}

have_openbsd_nc() {
    # `nc -N` (shut down the socket after EOF on stdin) is OpenBSD netcat's; others lack it.
    command -v nc >/dev/null 2>&1 && nc -h 2>&1 | grep -q -- '-N'
}

missing_packages() {
    local pkgs=()
    if ! have_initdb; then
        pkgs+=(postgresql)          # depends on postgresql-client, so psql comes with it
    elif ! have_psql; then
        pkgs+=(postgresql-client)
    fi
    have_libpq_headers || pkgs+=(libpq-dev)
    have_openbsd_nc || pkgs+=(netcat-openbsd)
    command -v jq >/dev/null 2>&1 || pkgs+=(jq)
    if [ -n "$PRINT_TOOLS" ]; then
        command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
        command -v pdfinfo >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || pkgs+=(poppler-utils)
        [ -n "$(fc-list :lang=zh family 2>/dev/null)" ] || pkgs+=(fonts-wqy-microhei)
        command -v soffice >/dev/null 2>&1 || pkgs+=(libreoffice-calc-nogui)
    fi
    echo "${pkgs[*]:-}"
}

# ---- swift: we never install a toolchain ourselves
if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
        err "swift is not on PATH, but /opt/swift/usr/bin/swift exists; run: export PATH=/opt/swift/usr/bin:\$PATH"
    else
        err "swift not found. Install a Swift 6 toolchain (https://www.swift.org/install/) and put it on PATH."
    fi
    exit 1
fi

missing=$(missing_packages)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    err "missing system packages: $missing"
    if command -v apt-get >/dev/null 2>&1; then
        err "install them with:  sudo apt-get update && sudo apt-get install -y $missing"
    else
        err "install the equivalents of these Debian packages with your system package manager: $missing"
    fi
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    err "missing system packages: $missing (no apt-get here; install the equivalents manually)"
    exit 1
fi

err "installing missing packages: $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
# shellcheck disable=SC2086  # word splitting of the package list is intended
apt-get install -y --no-install-recommends $missing >&2

missing=$(missing_packages)
if [ -n "$missing" ]; then
    err "still missing after apt-get install: $missing"
    exit 1
fi
