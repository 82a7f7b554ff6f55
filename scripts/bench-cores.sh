#!/usr/bin/env bash
# Runs the inbound and RPC benchmarks three times each (docs/benchmarks.md, "Node (`bench/node`)"
# and "JSON-RPC (`bench/rpc`)"): a2al-bench-node on every usable core, pinned to one core
# (taskset -c 0) with its load generator on that core too, and, on a machine with a second
# CPU, pinned with the generator on CPU 1 (the node alone on its core); a2al-bench-rpc,
# a2al-bench-wire. Prints each run's JSON on its own line under a header, then min/median/max
# of the ratios the goals are stated in.
# Usage: scripts/bench-cores.sh [runs] [seconds]   (builds the release products first)
set -euo pipefail
runs=${1:-3}
seconds=${2:-3}
cd "$(dirname "$0")/.."
for p in a2al-bench-node a2al-bench-rpc a2al-bench-wire; do swift build -c release --product "$p" >/dev/null; done
bin=.build/release
out=$(mktemp -d)
for i in $(seq 1 "$runs"); do
  "$bin/a2al-bench-node" --seconds "$seconds" --records 1000 >"$out/node-all-$i.json"
  taskset -c 0 "$bin/a2al-bench-node" --seconds "$seconds" --records 1000 >"$out/node-one-$i.json"
  if [ "$(nproc --all)" -ge 2 ]; then
    taskset -c 0 "$bin/a2al-bench-node" --seconds "$seconds" --records 1000 --generator-cpu 1 >"$out/node-alone-$i.json"
  fi
  "$bin/a2al-bench-rpc" --seconds "$seconds" | tr -d '\n' >"$out/rpc-$i.json"; echo >>"$out/rpc-$i.json"
done
"$bin/a2al-bench-wire" --seconds 1 --only store_endpoint_record >"$out/wire-store.json"
for f in "$out"/*.json; do echo "== $(basename "$f")"; cat "$f"; done
python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
d = pathlib.Path(sys.argv[1])
def runs(prefix):
    return [json.loads(p.read_text()) for p in sorted(d.glob(prefix + "-*.json"))]
def row(name, values):
    values = sorted(values)
    print(f"{name}: min {values[0]:.3f}  median {statistics.median(values):.3f}  max {values[-1]:.3f}  runs {values}")
for cores, name in (("all", "every core"), ("one", "one core, generator on it too"), ("alone", "one core, generator on CPU 1")):
    r = runs("node-" + cores)
    if not r:
        continue
    row(f"node {name}: ping / limit", [x["ping_vs_physical_limit"] for x in r])
    row(f"node {name}: find_node / limit", [x["find_node_vs_physical_limit"] for x in r])
r = runs("rpc")
for c in ("connections_1", "connections_16"):
    row(f"rpc {c}: node.info / POSIX echo", [x["rpc_over_baseline"][c] for x in r])
PY
