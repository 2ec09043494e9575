#!/usr/bin/env bash
# The Citus benchmark (`make bench-citus`; not part of `make test`; docs/scaling.md §4, "Citus,
# measured"). The same data with its shards on 2 workers, then on 1:
#
# - release build of caseload-server and caseload-bench (BENCH_SKIP_BUILD=1 reuses it)
# - a coordinator and two workers in .caseload/bench-citus-<pid> (deploy/citus.sh), destroyed
#   afterwards; `migrate --citus`; demo data by `admin seed-demo` (BENCH_CITUS_APPLICANTS
#   cases in 20 agencies, default 40,000)
# - two agencies whose shard groups are on different workers; the server (release, on the
#   coordinator) under the mixed load of both at once, 16 connections × BENCH_DEPTH in flight
#   each, for BENCH_SECONDS, BENCH_ROUNDS times
# - the coordinator hop: pgbench, one client, the case read's SQL (as the schema owner) sent to
#   the coordinator and straight to the worker that holds the agency (local execution there)
# - the second worker drained (`citus_drain_node`: its shards move to the first, same rows),
#   and the same runs again
# - prints one table, and writes it with every number and the machine as JSON to bench-results/
#
# Env: BENCH_CITUS_APPLICANTS, BENCH_SECONDS (default 10), BENCH_DEPTH (default 8),
#      BENCH_ROUNDS (default 3), BENCH_SKIP_BUILD=1, SWIFT, CITUS_SOURCE.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SWIFT="${SWIFT:-swift}"
APPLICANTS="${BENCH_CITUS_APPLICANTS:-40000}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
DEPTH="${BENCH_DEPTH:-8}"
ROUNDS="${BENCH_ROUNDS:-3}"
log() { echo "bench-citus: $*" >&2; }

if ! reason=$("$ROOT/deploy/citus.sh" available 2>&1); then
    log "Citus is not available here:"
    echo "$reason" | sed 's/^/    /' >&2
    exit 1
fi
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    for product in caseload-server caseload-bench; do
        log "swift build -c release --product $product"
        "$SWIFT" build -c release --product "$product"
    done
fi
BIN=$("$SWIFT" build -c release --show-bin-path)
SERVER="$BIN/caseload-server"
LOADGEN="$BIN/caseload-bench"

DIR="$ROOT/.caseload/bench-citus-$$"
WORK="$DIR/work"
server_pid=""
cleanup() {
    local rc=$?
    trap '' INT TERM
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    "$ROOT/deploy/citus.sh" destroy "$DIR" || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$("$ROOT/deploy/dev-postgres.sh" free-port)
"$ROOT/deploy/citus.sh" start "$DIR" "$PORT"
mkdir -p "$WORK"
W1=$((PORT + 1)); W2=$((PORT + 2))
export CASELOAD_ADMIN_DATABASE_URL="postgres://caseload_admin@127.0.0.1:$PORT/caseload"
export CASELOAD_DATABASE_URL="postgres://caseload_server@127.0.0.1:$PORT/caseload"
psql_on() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U caseload_admin -d caseload "${@:2}"; }
ADMIN() { psql_on "$PORT" "$@"; }

(umask 077 && "$SERVER" admin generate-keys >"$WORK/keys.env")
set -a; . "$WORK/keys.env"; set +a
"$SERVER" migrate --citus --app-role caseload_server >&2
log "seeding $APPLICANTS applicants and cases in 20 agencies"
"$SERVER" admin seed-demo --new-agencies 20 --applicants "$APPLICANTS" >"$WORK/seed.json"
ADMIN -c "VACUUM ANALYZE" >/dev/null

# Two agencies of about the same size whose shard groups are on different workers.
# (The counts first, as an intermediate result: the placements are read on the coordinator.)
read -r A B < <(ADMIN -F ' ' -c "
    WITH sizes AS MATERIALIZED (SELECT agency_id, count(*) AS n FROM cases GROUP BY agency_id),
    placed AS (
        SELECT z.agency_id, z.n, s.nodeport FROM sizes z JOIN citus_shards s ON s.table_name = 'agencies'::regclass
            AND s.shardid = get_shard_id_for_distribution_column('agencies', z.agency_id))
    SELECT x.agency_id, y.agency_id FROM placed x JOIN placed y ON x.nodeport = $W1 AND y.nodeport = $W2
    ORDER BY abs(x.n - y.n), x.n DESC LIMIT 1")
[ -n "${A:-}" ] && [ -n "${B:-}" ] || { log "no two agencies on different workers"; exit 1; }
for agency in "$A" "$B"; do
    "$SERVER" admin create-user --agency "$agency" --name 基准 --role owner | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])" \
        >"$WORK/token-$agency"
    ADMIN -F $'\t' -c "SELECT case_id, company_id, kind, stage, status, version FROM cases WHERE agency_id = '$agency'" >"$WORK/cases-$agency.tsv"
done
ADMIN -c "SET client_min_messages = warning" -c "CREATE TABLE bench_cases AS SELECT row_number() OVER (ORDER BY case_id)::int AS n, agency_id, case_id FROM cases WHERE agency_id = '$A';
          ALTER TABLE bench_cases ADD PRIMARY KEY (n); SELECT create_reference_table('bench_cases');" >/dev/null
N_A=$(ADMIN -c "SELECT count(*) FROM bench_cases")
log "agencies $A ($N_A cases, worker :$W1) and $B (worker :$W2)"

SERVER_PORT=$("$ROOT/deploy/dev-postgres.sh" free-port)
CASELOAD_LISTEN="127.0.0.1:$SERVER_PORT" CASELOAD_LOG_LEVEL=warning "$SERVER" serve >"$WORK/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$SERVER_PORT") 2>/dev/null && break; sleep 0.1; done

RUNS="$WORK/runs.jsonl"
: >"$RUNS"
# Both agencies' mixed load at once, 16 connections each; one line per agency.
mixed_run() { # workers round
    local agency pids=()
    for agency in "$A" "$B"; do
        ADMIN -F $'\t' -c "SELECT case_id, company_id, kind, stage, status, version FROM cases WHERE agency_id = '$agency'" >"$WORK/cases-$agency.tsv"
    done
    for agency in "$A" "$B"; do
        "$LOADGEN" load --port "$SERVER_PORT" --token-file "$WORK/token-$agency" --cases "$WORK/cases-$agency.tsv" --scenario mixed \
            --connections 16 --depth "$DEPTH" --seconds "$SECONDS_PER_RUN" \
            | sed "s/^{/{\"side\":\"mixed\",\"workers\":$1,\"round\":$2,/" >>"$RUNS" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
}
# The case read as one routed query, to the coordinator or straight to a worker.
cat >"$WORK/hop.sql" <<SQL
\set n random(1, $N_A)
SELECT c.case_id, c.state::text, a.name, co.name FROM bench_cases b
JOIN cases c ON c.agency_id = '$A' AND c.case_id = b.case_id
JOIN applicants a ON a.agency_id = '$A' AND a.applicant_id = c.applicant_id
JOIN companies co ON co.agency_id = '$A' AND co.company_id = c.company_id
WHERE b.n = :n;
SQL
hop_run() { # workers round port side
    local dir="$WORK/hop-$1-$2-$4"
    mkdir -p "$dir"
    (cd "$dir" && pgbench -n -M prepared -h 127.0.0.1 -p "$3" -U caseload_admin -T "$SECONDS_PER_RUN" -c 1 -j 1 -l --log-prefix=tx \
        -f "$WORK/hop.sql" caseload >"$dir/out.txt" 2>&1) || { cat "$dir/out.txt" >&2; exit 1; }
    python3 "$ROOT/deploy/bench/pgbench_result.py" "read-$4" 1 "$SECONDS_PER_RUN" "$dir" \
        | sed "s/^{/{\"workers\":$1,\"round\":$2,/" >>"$RUNS"
}
measure() { # workers
    for round in $(seq 1 "$ROUNDS"); do
        log "$1 worker(s), round $round/$ROUNDS: mixed load of both agencies, 2 × 16 connections × $DEPTH, ${SECONDS_PER_RUN}s"
        mixed_run "$1" "$round"
        log "$1 worker(s), round $round/$ROUNDS: the case read through the coordinator and on worker :$W1, 1 client"
        hop_run "$1" "$round" "$PORT" coordinator
        hop_run "$1" "$round" "$W1" worker
        log "$1 worker(s), round $round/$ROUNDS: case.get of one agency through the server, 8 connections × 1 in flight"
        "$LOADGEN" load --port "$SERVER_PORT" --token-file "$WORK/token-$A" --cases "$WORK/cases-$A.tsv" --scenario get \
            --connections 8 --depth 1 --seconds "$SECONDS_PER_RUN" | sed "s/^{/{\"side\":\"get\",\"workers\":$1,\"round\":$round,/" >>"$RUNS"
    done
}

measure 2
log "draining worker :$W2 onto :$W1 (the same rows, moved by logical replication)"
drain_start=$(date +%s.%N)
ADMIN -c "SET client_min_messages = warning" -c "SELECT citus_drain_node('127.0.0.1', $W2)" >/dev/null
DRAIN_SECONDS=$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
ON_W2=$(ADMIN -c "SELECT count(*) FROM citus_shards WHERE citus_table_type = 'distributed' AND nodeport = $W2")
[ "$ON_W2" = 0 ] || { log "$ON_W2 shards still on :$W2 after the drain"; exit 1; }
measure 1

mkdir -p "$ROOT/bench-results"
OUT="$ROOT/bench-results/citus-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$RUNS" "$OUT" "$APPLICANTS" "$DRAIN_SECONDS" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PY'
import json, os, platform, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def median(xs): return statistics.median(xs) if xs else float("nan")
table = {}
for workers in (1, 2):
    mixed = [r for r in runs if r["side"] == "mixed" and r["workers"] == workers]
    per_round = {}
    for r in mixed: per_round.setdefault(r["round"], []).append(r)
    totals = [sum(x["throughput"] for x in rs) for rs in per_round.values()]
    p99 = [max(x["p99Milliseconds"] for x in rs) for rs in per_round.values()]
    errors = sum(x.get("errors", 0) for x in mixed)
    hop = {side: median([r["p50Milliseconds"] for r in runs if r.get("scenario") == "read-" + side and r["workers"] == workers])
           for side in ("coordinator", "worker")}
    get = [r for r in runs if r["side"] == "get" and r["workers"] == workers]
    table[workers] = {"mixed_calls_per_s": median(totals), "mixed_p99_ms": median(p99), "errors": errors,
                      "get_calls_per_s": median([r["throughput"] for r in get]), "get_p50_ms": median([r["p50Milliseconds"] for r in get]),
                      "read_p50_coordinator_ms": hop["coordinator"], "read_p50_worker_ms": hop["worker"],
                      "hop_ms": hop["coordinator"] - hop["worker"]}
print(f"{'':30}{'2 workers':>12}{'1 worker':>12}")
for key, label in [("mixed_calls_per_s", "mixed calls/s (2 agencies)"), ("mixed_p99_ms", "mixed p99 ms"), ("errors", "errors"),
                   ("get_calls_per_s", "case.get/s (8 × 1)"), ("get_p50_ms", "case.get p50 ms"),
                   ("read_p50_coordinator_ms", "read p50 via coordinator ms"), ("read_p50_worker_ms", "read p50 on the worker ms"),
                   ("hop_ms", "coordinator hop ms")]:
    print(f"{label:30}{table[2][key]:>12.2f}{table[1][key]:>12.2f}")
print(f"2 workers / 1 worker, mixed calls/s: {table[2]['mixed_calls_per_s'] / table[1]['mixed_calls_per_s']:.2f}×; drain took {sys.argv[4]} s")
json.dump({"commit": sys.argv[5], "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}, "applicants": int(sys.argv[3]),
           "drain_seconds": float(sys.argv[4]), "table": table, "runs": runs}, open(sys.argv[2], "w"), indent=1)
print(f"written to {sys.argv[2]}")
PY
