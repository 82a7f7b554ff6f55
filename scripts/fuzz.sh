#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (with AddressSanitizer) and runs each for a bounded
# time: first every committed regression input of fuzz/regressions/<target>/, then the fuzzer
# itself from seeds made out of the reference vectors (fuzz/make-seeds.py). Exits non-zero on
# any crash, failed invariant, leak, timeout or out-of-memory, after copying the input that
# caused it to fuzz/regressions/<target>/ for a human to commit once it is fixed.
# docs/testing.md describes the targets.
#
#   scripts/fuzz.sh [target...]      # targets: packet cbor record rpc (default: all)
#
# Environment: FUZZ_SECONDS (per target, default 45), FUZZ_JOBS (targets fuzzed at once, default
# the number of cores), FUZZ_RSS_MB (memory limit, default 2048), FUZZ_TIMEOUT (seconds one
# input may take, default 10), FUZZ_WORK (scratch directory, default .build-fuzz/work; its
# corpora grow from run to run).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-45}
rss_mb=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}
scratch=.build-fuzz
work=${FUZZ_WORK:-$scratch/work}
targets=("$@")
((${#targets[@]})) || targets=(packet cbor record rpc)

# Longest input per target: a datagram is at most 1200 bytes; records, payloads and CBOR come
# from peers inside datagrams and from clients as base64; a JSON-RPC stream holds several lines
# around the fuzz build's 1024-byte line limit.
max_len() {
    case "$1" in
        packet) echo 1200 ;;
        cbor) echo 4096 ;;
        record) echo 2048 ;;
        rpc) echo 4096 ;;
        *) echo "fuzz.sh: unknown target $1 (packet, cbor, record, rpc)" >&2; exit 2 ;;
    esac
}
for t in "${targets[@]}"; do max_len "$t" >/dev/null; done

command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6 toolchain needed, e.g. /opt/swift/usr/bin)" >&2; exit 1; }
symbolizer="$(dirname "$(command -v swift)")/llvm-symbolizer"
if [ -x "$symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; fi
# Swift's own crash backtracer (CrashHandlerLinux.cpp) trips AddressSanitizer while it reads
# the crashed stack, burying the real report; libFuzzer and ASan print the stack instead.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
# Leaks are detected (libFuzzer checks every input that allocates more than it frees).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"

build=(swift build --package-path fuzz --scratch-path "$scratch" -c debug
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
start=$SECONDS
"${build[@]}"
bin=$("${build[@]}" --show-bin-path)
echo "fuzz targets built in $((SECONDS - start)) s"

rm -rf "$work/seeds"
python3 fuzz/make-seeds.py "$work/seeds" >/dev/null

# One target's replay and fuzzing run; its messages go to stdout, its summary line to
# $work/<target>.summary, and it returns non-zero on any failure.
fuzz_target() {
    local t=$1
    local exe="$bin/fuzz-$t"
    local regressions=fuzz/regressions/$t
    local summary="$work/$t.summary"
    mkdir -p "$regressions" "$work/corpus/$t" "$work/artifacts/$t"
    local common=(-rss_limit_mb="$rss_mb" -timeout="$timeout" -max_len="$(max_len "$t")")

    # Committed inputs that once crashed must keep passing.
    local replay=()
    while IFS= read -r -d '' f; do replay+=("$f"); done \
        < <(find "$regressions" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' -print0 | sort -z)
    if ((${#replay[@]})); then
        if ! "$exe" "${common[@]}" "${replay[@]}" >"$work/$t-replay.log" 2>&1; then
            echo "FAIL $t: a committed regression input crashes again (log: $work/$t-replay.log)"
            grep -E "Running: |ERROR|Fatal error|invariant" "$work/$t-replay.log" | head -20 || true
            echo "$t: REGRESSION (see $work/$t-replay.log)" >"$summary"
            return 1
        fi
    fi

    local log="$work/$t.log"
    rm -f "$work/artifacts/$t"/*
    local status=0
    "$exe" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$t/" "$work/corpus/$t" "$work/seeds/$t" >"$log" 2>&1 || status=$?

    local execs rate last cov ft corp line
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\)\/\([0-9]*[A-Za-z]*\).*/\1 inputs, \2/p' <<<"$last")
    line="$t: ${execs:-?} executions (${rate:-?}/s), coverage ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?}, ${#replay[@]} regression inputs replayed"
    if ((status != 0)); then
        local saved=() a
        for a in "$work/artifacts/$t"/{crash,leak,timeout,oom}-*; do
            [ -f "$a" ] || continue
            cp "$a" "$regressions/"
            saved+=("$regressions/$(basename "$a")")
        done
        echo "FAIL $t (exit $status); log: $log"
        grep -E "ERROR: |Fatal error|invariant violated|SUMMARY" "$log" | head -20 || true
        if ((${#saved[@]})); then echo "input saved to: ${saved[*]} (commit it once fixed)"; fi
        echo "FAIL $line" >"$summary"
        return 1
    fi
    echo "$line" >"$summary"
}

# A fuzzer runs on one thread, so the targets run side by side, one per core (FUZZ_JOBS, default
# the number of cores): each still gets FUZZ_SECONDS of a core, in a fraction of the wall time.
parallel=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[[ "$parallel" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: FUZZ_JOBS must be a positive number, not '$parallel'" >&2; exit 2; }
for t in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
    rm -f "$work/$t.summary" "$work/$t.out" "$work/$t.status"
    # errexit holds inside the target's own subshell; its exit status is written down, since
    # `wait -n` above may already have collected it.
    (set +e; (set -e; fuzz_target "$t"); echo $? >"$work/$t.status") >"$work/$t.out" 2>&1 &
done
wait

# Each target's messages and summary, in the order given.
failed=0
summaries=()
for t in "${targets[@]}"; do
    cat "$work/$t.out"
    status=$(cat "$work/$t.status" 2>/dev/null || echo missing)
    [ "$status" = 0 ] || failed=1
    summaries+=("$(cat "$work/$t.summary" 2>/dev/null || echo "FAIL $t: ended (status $status) without a summary; see $work/$t.out")")
done

echo
printf '%s\n' "${summaries[@]}"
exit "$failed"
