#!/bin/sh
# Runs every example of clients/shell/README.md and the a2al-call wrapper against a fresh
# daemon ($A2ALD_BINARY, else ../../.build/debug/a2ald relative to this directory).
# Exits non-zero on the first failure; always stops the daemon.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${A2ALD_BINARY:-$HERE/../../.build/debug/a2ald}
if d=$(cd "$(dirname "$BIN")" 2>/dev/null && pwd); then BIN=$d/$(basename "$BIN"); fi
CALL=$HERE/a2al-call

command -v socat >/dev/null 2>&1 || { echo "test.sh: socat is required" >&2; exit 2; }
[ -x "$BIN" ] || { echo "test.sh: no daemon binary at $BIN" >&2; exit 2; }

T=$(mktemp -d /tmp/a2sh.XXXXXX) || exit 2
S=$T/s
DPID= FEED= SUBPID=
PASS=0

cleanup() {
    status=$?
    trap - EXIT INT TERM
    [ -n "$SUBPID" ] && kill "$SUBPID" 2>/dev/null
    [ -n "$FEED" ] && kill "$FEED" 2>/dev/null
    if [ -n "$DPID" ]; then
        kill -TERM "$DPID" 2>/dev/null
        wait "$DPID"; drc=$?
        if [ "$drc" -ne 0 ]; then
            echo "FAIL: a2ald exited with $drc on SIGTERM" >&2
            [ "$status" -eq 0 ] && status=1
        fi
    fi
    if [ "$status" -ne 0 ] && [ -f "$T/log" ]; then
        echo "--- daemon log (tail) ---" >&2; tail -n 20 "$T/log" >&2
    fi
    rm -rf "$T"
    [ "$status" -eq 0 ] && echo "all $PASS checks passed"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*" >&2; exit 1; }

# check NAME PATTERN OUTPUT — OUTPUT must contain PATTERN (a fixed string).
check() {
    case $3 in
        *"$2"*) PASS=$((PASS + 1)); echo "ok   $1" ;;
        *) fail "$1: expected '$2' in: $3" ;;
    esac
}

"$BIN" --data-dir "$T/d" --socket "$S" --listen 127.0.0.1:0 >"$T/log" 2>&1 &
DPID=$!
i=0
while [ ! -S "$S" ]; do
    kill -0 "$DPID" 2>/dev/null || { wait "$DPID"; DPID=; fail "a2ald exited early"; }
    i=$((i + 1)); [ "$i" -gt 200 ] && fail "a2ald did not create $S"
    sleep 0.1
done

# --- README: Node --------------------------------------------------------------------
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"node.info"}' | socat - UNIX-CONNECT:$S)
check node.info '"result":{"address"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"node.stats"}' | socat - UNIX-CONNECT:$S)
check node.stats '"result"' "$out"
# nothing answers on 127.0.0.1:9: an application error, still one reply line
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"node.ping","params":{"addr":"127.0.0.1:9","timeout_ms":500}}' | socat -t 5 - UNIX-CONNECT:$S)
check "node.ping (no peer)" '"error":{"code":-320' "$out"

# --- README: Agents ------------------------------------------------------------------
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"agent.create","params":{"label":"demo"}}' | socat - UNIX-CONNECT:$S)
check agent.create '"label":"demo"' "$out"
A=$(echo '{"jsonrpc":"2.0","id":1,"method":"agent.create","params":{"label":"demo"}}' | socat - UNIX-CONNECT:$S | sed 's/.*"result":{"address":"\([^"]*\)".*/\1/')
case $A in ''|*[!A-Za-z0-9]*) fail "agent address extraction gave '$A'" ;; esac
check "agent address via sed" "$A" "$A"
export A2AL_SOCKET="$S"
out=$("$CALL" agent.create '{"label":"b"}') || fail "a2al-call agent.create exited $?: $out"
check "a2al-call agent.create" '"label":"b"' "$out"
B=$(printf '%s\n' "$out" | sed 's/.*"result":{"address":"\([^"]*\)".*/\1/')
case $B in ''|*[!A-Za-z0-9]*) fail "agent address extraction gave '$B'" ;; esac
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"agent.list"}' | socat - UNIX-CONNECT:$S)
check agent.list "\"address\":\"$A\"" "$out"

# --- README: Streaming events (start before publishing) -------------------------------
# Same as: (echo ...; sleep infinity) | socat - UNIX-CONNECT:$S, via a fifo so both
# processes can be stopped by pid.
mkfifo "$T/fifo"
(echo '{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"event":"record_stored"}}'; exec sleep infinity) >"$T/fifo" &
FEED=$!
socat - UNIX-CONNECT:$S <"$T/fifo" >"$T/events" &
SUBPID=$!
i=0
until grep -q '"subscription"' "$T/events" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -gt 50 ] && fail "subscribe: no reply: $(cat "$T/events")"
    sleep 0.1
done
check subscribe '"result":{"subscription":"' "$(head -n 1 "$T/events")"

# --- README: Publish and query -------------------------------------------------------
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"publish.endpoint","params":{"agent":"'$A'","endpoints":["quic://127.0.0.1:1"],"timeout_ms":300}}' | socat -t 10 - UNIX-CONNECT:$S)
check publish.endpoint '"result":{"publication"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"publish.topic","params":{"agent":"'$A'","topic":"demo.chat","name":"demo","protocols":["chat/1"],"tags":["test"],"brief":"a demo","timeout_ms":300}}' | socat -t 10 - UNIX-CONNECT:$S)
check publish.topic '"result":{"publication"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"query.resolve","params":{"address":"'$A'","timeout_ms":1000}}' | socat -t 10 - UNIX-CONNECT:$S)
check query.resolve '"result"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"query.topic","params":{"topic":"demo.chat","protocols":["chat/1"],"timeout_ms":1000}}' | socat -t 10 - UNIX-CONNECT:$S)
check query.topic '"result":{"topic":"demo.chat"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"publish.list"}' | socat - UNIX-CONNECT:$S)
check publish.list '"result":{"publications":[' "$out"

# --- README: Mailbox -----------------------------------------------------------------
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"mailbox.send","params":{"from":"'$A'","to":"'$B'","text":"hello","timeout_ms":300}}' | socat -t 10 - UNIX-CONNECT:$S)
check mailbox.send '"result"' "$out"
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"mailbox.read","params":{"agent":"'$B'","timeout_ms":300}}' | socat -t 10 - UNIX-CONNECT:$S)
check mailbox.read '"text":"hello"' "$out"

# --- the stream saw the records stored above --------------------------------------------
i=0
until grep -q "\"publisher\":\"$A\"" "$T/events"; do
    i=$((i + 1)); [ "$i" -gt 50 ] && fail "no record_stored event: $(cat "$T/events")"
    sleep 0.1
done
check "record_stored event" '"method":"subscription","params":{"subscription":' "$(sed -n 2p "$T/events")"
kill "$SUBPID" "$FEED" 2>/dev/null; wait "$SUBPID" "$FEED" 2>/dev/null; SUBPID= FEED=

# --- README: Errors ------------------------------------------------------------------
out=$(echo '{"jsonrpc":"2.0","id":1,"method":"no.such"}' | socat - UNIX-CONNECT:$S)
check "error example" '"error":{"code":-32601' "$out"

# --- a2al-call -----------------------------------------------------------------------
out=$("$CALL" node.info) || fail "a2al-call node.info exited $?"
check "a2al-call node.info" '"result"' "$out"
out=$("$CALL" query.resolve '{"address":"'$A'","timeout_ms":1000}') || fail "a2al-call query.resolve exited $?"
check "a2al-call query.resolve" '"result"' "$out"
out=$("$CALL" store.len '{}') || fail "a2al-call store.len exited $?"
check "a2al-call store.len {}" '"result"' "$out"
out=$("$CALL" no.such); rc=$?
[ "$rc" -eq 1 ] || fail "a2al-call no.such: exit $rc, want 1"
check "a2al-call error exit 1" '"code":-32601' "$out"
out=$("$CALL" node.ping '{"addr":"127.0.0.1:1","bogus":1}'); rc=$?
[ "$rc" -eq 1 ] || fail "a2al-call bad params: exit $rc, want 1"
check "a2al-call invalid params" '"field":"bogus"' "$out"
"$CALL" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a2al-call without args: exit $rc, want 2"
check "a2al-call usage exit 2" 2 "$rc"
# params by position (docs/jsonrpc.md): node.ping's are addr, timeout_ms
out=$("$CALL" node.ping '["127.0.0.1:9", 300]'); rc=$?
[ "$rc" -eq 1 ] || fail "a2al-call positional node.ping: exit $rc, want 1 (timeout)"
check "a2al-call positional params" '"code":-32002' "$out"
out=$("$CALL" node.ping '["127.0.0.1:9", 300, 1]')
check "a2al-call too many positions" 'takes at most 2 parameters' "$out"
# seq is a decimal string: jq -r prints every digit (when jq is there)
if command -v jq >/dev/null 2>&1; then
    out=$("$CALL" mailbox.send '{"from":"'$A'","to":"'$B'","text":"seq","timeout_ms":300}') || fail "mailbox.send exited $?"
    seq=$(printf '%s\n' "$out" | jq -r .result.record.seq)
    case $seq in ''|*[!0-9]*) fail "seq via jq gave '$seq'" ;; esac
    check "seq via jq" "\"seq\":\"$seq\"" "$out"
fi
check "a2al-call --print-socket" "$S" "$("$CALL" --print-socket)"
A2AL_SOCKET=$T/nonexistent "$CALL" node.info >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "a2al-call to a missing socket: exit $rc, want 2"
check "a2al-call missing socket exit 2" 2 "$rc"
