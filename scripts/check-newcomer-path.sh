#!/usr/bin/env bash
# The newcomer's path from README, checked on this machine: `scripts/run.sh` (set up, build,
# run with the embedded defaults) brings up a daemon that answers a2al-cli, and stops cleanly.
# CI runs it after the test command. It points the daemon's socket, data directory and UDP
# port into a temporary directory through the documented A2AL_* variables, so it touches
# nothing of the machine's and cannot collide with a daemon already running here.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d /tmp/a2al-newcomer-XXXXXX)
export A2AL_SOCKET="$tmp/a2al.sock" A2AL_DATA_DIR="$tmp/data" A2AL_LISTEN=127.0.0.1:0
log="$tmp/run.log"

scripts/run.sh >"$log" 2>&1 &
pid=$!   # run.sh execs a2ald, so this becomes the daemon's pid once the build is done
cleanup() {
    kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "newcomer path: $*" >&2
    echo "--- scripts/run.sh output (last 40 lines) ---" >&2
    tail -n 40 "$log" >&2
    exit 1
}

# The first run builds in release mode, which takes minutes on a small machine.
deadline=$((SECONDS + 1500))
until [ -S "$A2AL_SOCKET" ]; do
    kill -0 "$pid" 2>/dev/null || fail "scripts/run.sh exited before the daemon's socket appeared"
    [ "$SECONDS" -lt "$deadline" ] || fail "no socket at $A2AL_SOCKET after 1500 s"
    sleep 1
done

cli=.build/release/a2al-cli
info=$("$cli" --raw node.info) || fail "a2al-cli node.info failed"
case "$info" in
    *"\"socket\":\"$A2AL_SOCKET\""*) ;;
    *) fail "node.info does not report the socket: $info" ;;
esac
"$cli" --raw agent.create label=newcomer >/dev/null || fail "a2al-cli agent.create failed"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || fail "the daemon exited with status $status after SIGTERM"
echo "newcomer path: scripts/run.sh built and ran a2ald; a2al-cli answered; clean stop"
