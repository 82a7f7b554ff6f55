#!/bin/sh
# test.sh - build the C client, start a private a2ald, run ./example against it.
# Daemon binary: $A2ALD_BINARY, else the newer of ../../.build/release/a2ald (what
# scripts/setup.sh builds) and ../../.build/debug/a2ald (what `swift build` makes).
set -u

here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

bin=${A2ALD_BINARY:-}
if [ -z "$bin" ]; then
    # ls -t: newest first; whichever build exists (or was made last) is used.
    bin=$(ls -t ../../.build/release/a2ald ../../.build/debug/a2ald 2>/dev/null | head -n 1)
    [ -n "$bin" ] || { echo "test.sh: no a2ald build found; run scripts/setup.sh or swift build (or set A2ALD_BINARY)" >&2; exit 1; }
fi
case $bin in
    /*) ;;
    *) bin=$(cd "$(dirname "$bin")" 2>/dev/null && pwd)/$(basename "$bin") ;;
esac
if [ ! -x "$bin" ]; then
    echo "test.sh: daemon binary not found or not executable: $bin" >&2
    exit 1
fi

make all test_framing >/dev/null || { echo "test.sh: build failed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/a2c.XXXXXX) || exit 1
pid=
cleanup() {
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        pid=
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sock=$tmp/s
"$bin" --data-dir "$tmp/d" --socket "$sock" --listen 127.0.0.1:0 >"$tmp/daemon.log" 2>&1 &
pid=$!

i=0
while [ ! -S "$sock" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "test.sh: daemon exited early:" >&2
        cat "$tmp/daemon.log" >&2
        pid=
        exit 1
    fi
    i=$((i + 1))
    if [ "$i" -gt 200 ]; then
        echo "test.sh: daemon socket did not appear within 20 s" >&2
        exit 1
    fi
    sleep 0.1
done

if command -v valgrind >/dev/null 2>&1; then
    runner="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3"
    echo "test.sh: running example under valgrind"
else
    runner=
    echo "test.sh: valgrind not found, running example directly"
fi

fail=0
# offline framing tests against a scripted fake server
# shellcheck disable=SC2086
if ! $runner ./test_framing; then
    echo "test.sh: test_framing failed" >&2
    fail=1
fi

# shellcheck disable=SC2086
$runner ./example "$sock" >"$tmp/out" 2>"$tmp/err"
status=$?
cat "$tmp/out"
if [ "$status" -ne 0 ]; then
    echo "test.sh: example exited with status $status" >&2
    cat "$tmp/err" >&2
    fail=1
fi

check() {
    if ! grep -Eq "$1" "$tmp/out"; then
        echo "test.sh: missing expected output: $1" >&2
        fail=1
    fi
}
check '^address: [0-9A-Za-z]+$'
check '^node_id: [0-9a-f]{64}$'
check '^agent: [0-9A-Za-z]+ label=c-example$'
check '^error: code=-32602 message=.+ field=node_id$'
check '^no event before subscribing: timeout$'
check '^subscribed: [0-9a-f]{16}$'
check '^published: publication=[0-9a-f]+ key=[0-9a-f]{64} replicas=[0-9]+$'
check '^event: record_stored key=[0-9a-f]{64} type=endpoint publisher=[0-9A-Za-z]+ seq=[0-9]+$'
check '^unsubscribed: [0-9a-f]{16}$'
check '^ok$'

# the event's publisher must be the agent created by the example
agent=$(sed -n 's/^agent: \([0-9A-Za-z]*\) .*/\1/p' "$tmp/out")
if [ -z "$agent" ] || ! grep -q "^event: record_stored .* publisher=$agent " "$tmp/out"; then
    echo "test.sh: record_stored event publisher does not match the agent" >&2
    fail=1
fi

# the daemon must stop cleanly on SIGTERM
kill -TERM "$pid"
wait "$pid"
dstatus=$?
pid=
if [ "$dstatus" -ne 0 ]; then
    echo "test.sh: daemon exited with status $dstatus after SIGTERM" >&2
    tail -20 "$tmp/daemon.log" >&2
    fail=1
fi

if [ "$fail" -ne 0 ]; then
    echo "test.sh: FAIL" >&2
    exit 1
fi
echo "test.sh: PASS"
exit 0
