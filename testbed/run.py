#!/usr/bin/env python3
"""Runs testbed scenarios against real a2ald processes in network namespaces and prints a JSON
report (docs/testbed.md). Needs root, nftables and conntrack. Exits 1 if a scenario misses its
goal; everything the run made is removed on the way out, even on failure."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nat_scenarios
import scenarios
from netns import Topology

SCENARIOS = {"churn": scenarios.churn, "partition": scenarios.partition, "nat-kinds": nat_scenarios.nat_kinds,
             "nat-change": nat_scenarios.nat_change, "hairpin": nat_scenarios.hairpin}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--a2ald", required=True, help="path of the a2ald binary to run on every host")
    ap.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--loss", type=float, default=5.0, help="end-to-end loss in percent")
    ap.add_argument("--split-seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep-logs", help="copy every daemon's log here")
    args = ap.parse_args()
    report = {"started_at": time.time(), "nodes": args.nodes, "loss_pct": args.loss, "seed": args.seed,
              "scenarios": []}
    failed = False
    for name in args.scenario or sorted(SCENARIOS):
        run_dir = Path(tempfile.mkdtemp(prefix=f"a2al-testbed-{name}-"))
        try:
            with Topology() as topo:
                kwargs = {"split_s": args.split_seconds} if name == "partition" else {}
                result = SCENARIOS[name](topo, args.a2ald, run_dir, args.nodes, args.loss, args.seed, **kwargs)
        except Exception as e:  # reported, never swallowed: the run fails
            result = {"scenario": name, "ok": False, "error": f"{type(e).__name__}: {e}"}
        finally:
            if args.keep_logs:
                shutil.copytree(run_dir, Path(args.keep_logs) / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("*.sock"))
            shutil.rmtree(run_dir, ignore_errors=True)
        report["scenarios"].append(result)
        failed |= not result.get("ok")
        print(json.dumps(result), file=sys.stderr)
    print(json.dumps(report, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
