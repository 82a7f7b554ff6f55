#!/usr/bin/env bash
# Runs the core test suites under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer,
# each in its own build directory (.build-asan, .build-tsan). docs/testing.md says what is
# checked, what is suppressed and why.
#
#   scripts/sanitizers.sh [--build-only] [address|thread ...]      # default: both
#
# --build-only builds and runs nothing: CI builds the ASan tests beside the testbed, at the
# lowest priority, and runs them later (.ci/run).
# SANITIZER_SUITES overrides the test filter (a regular expression over test identifiers).
set -euo pipefail
cd "$(dirname "$0")/.."

suites=${SANITIZER_SUITES:-'^(A2ALCoreTests|A2ALProtocolTests|A2ALRPCTests|A2ALDHTTests|A2ALSimulationTests|A2ALUDPTests|A2ALDebugHTTPTests|A2ALSocketTests|A2ALThreadsTests)\.'}
build_only=0
if [ "${1:-}" = --build-only ]; then
    build_only=1
    shift
fi
sanitizers=("$@")
((${#sanitizers[@]})) || sanitizers=(address thread)

command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6 toolchain needed, e.g. /opt/swift/usr/bin)" >&2; exit 1; }
toolchain="$(dirname "$(command -v swift)")"
tsan_symbolizer=""
if [ -x "$toolchain/llvm-symbolizer" ]; then
    export ASAN_SYMBOLIZER_PATH="$toolchain/llvm-symbolizer"
    tsan_symbolizer="external_symbolizer_path=$toolchain/llvm-symbolizer:"
fi
# The Swift runtime's crash backtracer reads the crashed thread's stack in ways the sanitizers
# report as errors of their own; the sanitizer's report is the one that matters.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
# Leaks are reported (LeakSanitizer): the suites leave nothing behind once they release what
# they start, so a report is a reference cycle or a task that never ends.
# scripts/sanitizers/lsan.supp names the one leak outside this project (in swift-nio) and why
# it is suppressed.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=0}"
# Every race is printed and fails the run at exit. No race is suppressed; the one false
# positive of this toolchain (contended Synchronization.Mutex) is annotated instead, see below.
export TSAN_OPTIONS="${TSAN_OPTIONS:-${tsan_symbolizer}halt_on_error=0:second_deadlock_stack=1}"

# Package.swift then leaves out what these suites do not test (the daemon's end-to-end suites,
# the clients, the MCP server, the executables), so each build compiles less. With fewer
# dependencies SwiftPM rewrites Package.resolved; the full package's pins are put back at exit.
export A2AL_SANITIZER_BUILD=1
if [ -f Package.resolved ]; then
    pins=$(mktemp)
    cp Package.resolved "$pins"
    trap 'cp "$pins" Package.resolved; rm -f "$pins"' EXIT
fi

summaries=()
failed=0
for s in "${sanitizers[@]}"; do
    case "$s" in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
        *) echo "sanitizers.sh: unknown sanitizer $s (address, thread)" >&2; exit 2 ;;
    esac
    args=(--sanitize="$s" --scratch-path "$scratch")
    start=$SECONDS
    swift build --build-tests "${args[@]}"
    built=$((SECONDS - start))
    if ((build_only)); then
        summaries+=("$s sanitizer: built in $built s (tests not run)")
        continue
    fi
    preload=()
    if [ "$s" = thread ]; then
        # TSan cannot see the kernel hand a contended Synchronization.Mutex from one thread to
        # the next (scripts/sanitizers/tsan-mutex-annotations.c); the preloaded wrappers tell it.
        lib="$scratch/libtsan-mutex-annotations.so"
        "$toolchain/clang" -O1 -shared -fPIC -o "$lib" scripts/sanitizers/tsan-mutex-annotations.c -ldl
        preload=(env LD_PRELOAD="$PWD/$lib")
    fi
    start=$SECONDS
    status=0
    # One test at a time for the reasons scripts/test.sh gives; more so here, as the
    # sanitizers slow every thread down.
    # The simulator tests run the a2al-sim binary in a process of its own (its virtual clock
    # takes over the process-wide executor hook); they check its report, not this process, and
    # the sanitized simulator takes minutes where the test suite takes seconds.
    skip='SimulatorRunTests|LossyAdversarialNetworkTests|EclipseNetworkTests'
    # Statistical tests of pure value code on one thread (honest networks of 1,000-2,000 IDs
    # searched for rings and clusters a few hundred times, a store filled to 100,000 keys):
    # no unsafe code, no second thread, and the paths they take at volume shorter tests take
    # once (about 60 s under ASan, 70 s under TSan).
    skip+='|honestShellsHoldNoCluster|aRegionHoldingTheKeyIsNeverACluster|anHonestNeighbourhoodIsNoRing|holdsTheDefaultKeyLimit'
    # The two longest multi-node tests (60 nodes publishing through 10% churn, a STORE flood
    # from many addresses) repeat at volume the Swift paths that shorter tests cover, with no
    # unsafe code of their own: they run under TSan only, where volume makes races likelier
    # (about 70 s less under ASan). The routing table's random-operation property test runs
    # under ASan only: it drives the selection's unsafe scratch buffers hard, on one thread.
    case "$s" in
        address) skip+='|tenPercentChurnKeepsEveryRecordResolvable|aFloodFromManyAddressesStaysWithinTheBudget' ;;
        thread) skip+='|randomOperationsKeepInvariants' ;;
    esac
    "${preload[@]}" swift test --skip-build "${args[@]}" --disable-xctest --no-parallel --filter "$suites" \
        --skip "($skip)" || status=$?
    ran=$((SECONDS - start))
    if ((status != 0)); then
        failed=1
        summaries+=("FAIL $s sanitizer: exit $status (build $built s, tests $ran s)")
    else
        summaries+=("$s sanitizer: clean (build $built s, tests $ran s)")
    fi
done

echo
printf '%s\n' "${summaries[@]}"
exit "$failed"
