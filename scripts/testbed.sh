#!/usr/bin/env bash
# The testbed at reduced size (docs/testbed.md): real a2ald processes in network namespaces
# behind nftables NATs, over a userspace WAN with delay, jitter and loss. Runs every scenario
# against the debug build the tests made, prints the JSON report, and exits non-zero when a
# scenario misses its goal. Needs root, nftables and conntrack. Full-size figures:
# docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
A2ALD="${A2ALD:-.build/debug/a2ald}"
NODES="${TESTBED_NODES:-20}"
SPLIT="${TESTBED_SPLIT_SECONDS:-20}"
# Debug logs by default: a scenario that misses its goal attaches the log lines that explain it
# to its report entry (e.g. the NAT prober's rounds), which is all a CI run leaves behind.
export TESTBED_LOG_LEVEL="${TESTBED_LOG_LEVEL:-debug}"
if [[ ! -x "$A2ALD" ]]; then
  echo "testbed: no $A2ALD; build it first (swift build --product a2ald)" >&2
  exit 2
fi
for tool in nft conntrack ip; do
  command -v "$tool" >/dev/null || { echo "testbed: $tool is missing (apt-get install nftables conntrack iproute2)" >&2; exit 2; }
done
exec python3 testbed/run.py --a2ald "$A2ALD" --nodes "$NODES" --split-seconds "$SPLIT" "$@"
