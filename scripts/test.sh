#!/usr/bin/env bash
# The project's test command: every test suite (Swift Testing). Needs the system libraries
# that scripts/setup.sh installs, and ../shared/vectors beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
# Some tests drive real Python clients (scripts/test-requirements.txt); install them if missing.
if ! python3 scripts/check-test-requirements.py scripts/test-requirements.txt 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
fi
# Code comments cite docs that exist, down to the section (docs/protocol.md §4.3); no old spec names.
python3 scripts/check-doc-citations.py
# XCTest is disabled because every suite uses Swift Testing; its empty run would only add noise.
# Tests run one at a time: multi-node tests wait on real timeouts, and CPU-bound tests running
# beside them on a 2-core machine would starve the cooperative thread pool they run on.
exec swift test --disable-xctest --no-parallel "$@"
