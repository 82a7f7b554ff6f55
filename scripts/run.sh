#!/usr/bin/env bash
# Sets up the machine if needed (scripts/setup.sh: system packages and a release build), then
# runs the daemon in the foreground with the embedded defaults: data in ~/.local/share/a2al
# (or /var/lib/a2al as root), JSON-RPC on $XDG_RUNTIME_DIR/a2al.sock (or /run/a2al.sock as
# root), UDP on port 4121. Extra arguments go to a2ald (see `a2ald --help`), e.g.
#   scripts/run.sh --bootstrap seed.example.org:4121
# Stop with Ctrl-C; state is flushed on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .build/release/a2ald ] || [ -n "$(find Sources clients/swift Package.swift -newer .build/release/a2ald -print -quit 2>/dev/null)" ]; then
    scripts/setup.sh
fi
exec .build/release/a2ald "$@"
