#!/usr/bin/env bash
# Sets up a fresh Debian machine for this project: installs the system packages it needs
# (libsodium and libsecp256k1 it links, libcurl that the MCP SDK's Foundation networking links
# statically needs, jansson for the C client, python3 for the schema
# generator and tests, socat and jq for manual calls and the getting-started page), then builds
# the daemon, its command-line client and its MCP server in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsodium-dev libsecp256k1-dev libjansson-dev libcurl4-openssl-dev pkg-config python3 jq socat make gcc libc6-dev iproute2 util-linux)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "installing: ${missing[*]}"
    $sudo_cmd apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6 toolchain needed, e.g. /opt/swift/usr/bin)" >&2; exit 1; }
# The Swift runtime is linked in (--static-swift-stdlib), so the binaries run without the
# toolchain: scripts/package-deb.sh packages these very files (docs/systemd.md). Only the
# programs a user runs; the simulator and the benchmarks build with `swift build -c release`
# (docs/benchmarks.md).
for product in a2ald a2al-cli a2al-mcp; do
    swift build -c release --static-swift-stdlib --product "$product"
done
echo
echo "Built in .build/release/: a2ald (the daemon), a2al-cli (its command-line client), a2al-mcp (its MCP server)"
