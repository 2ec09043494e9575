"""One pgbench run as a result line like the load generator's: throughput from pgbench's own
tps, p50/p99 from its per-transaction log (-l; the third field is the latency in µs).
Usage: pgbench_result.py SCENARIO CLIENTS SECONDS DIR"""
import glob, json, math, re, sys

scenario, clients, seconds, folder = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
out = open(f"{folder}/out.txt").read()
tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out).group(1))
failed = re.search(r"number of failed transactions: (\d+)", out)
latencies = sorted(int(line.split()[2]) for path in glob.glob(f"{folder}/tx.*") for line in open(path))

def percentile(p):
    if not latencies:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(latencies)))
    return latencies[min(rank, len(latencies)) - 1] / 1000

print(json.dumps({"side": "pgbench", "scenario": scenario, "connections": clients, "depth": 1, "seconds": seconds,
                  "completed": len(latencies), "errors": int(failed.group(1)) if failed else 0, "throughput": tps,
                  "p50Milliseconds": percentile(50), "p99Milliseconds": percentile(99)}, sort_keys=True))
