#!/usr/bin/env bash
# The project's test command: every test suite (Swift Testing). Needs the system libraries
# that scripts/setup.sh installs, and ../shared/vectors beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
# XCTest is disabled because every suite uses Swift Testing; its empty run would only add noise.
exec swift test --disable-xctest "$@"
