#if canImport(Glibc)
import Glibc
#endif

/// Progress lines on stderr, so stdout carries nothing but the JSON report.
func progress(_ message: String) { writeStderr(message + "\n") }

/// Writes straight to file descriptor 2: the C `stderr` global is shared mutable state that
/// strict concurrency rejects, and an unbuffered write keeps progress lines timely.
func writeStderr(_ text: String) {
    var text = text
    text.withUTF8 { buf in
        guard let base = buf.baseAddress else { return }
        var offset = 0
        while offset < buf.count {
            let n = write(2, base + offset, buf.count - offset)
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Wall-clock, process CPU and simulated time of one phase. CPU time next to wall time shows
/// whether a slow phase is busy (both cores working) or waiting (latency, timeouts); simulated
/// time is what the nodes lived through (equal to wall time on the real clock).
struct PhaseTimer {
    private let clock: SimClock
    private let wallStart = ContinuousClock.now
    private let cpuStart = processCPUSeconds()
    private let simStart: Double

    init(_ clock: SimClock) {
        self.clock = clock
        simStart = clock.seconds
    }

    struct Elapsed: Sendable {
        let wall: Double
        let cpu: Double
        let simulated: Double
        var json: JSON {
            .object([("wall_s", .double(wall)), ("cpu_s", .double(cpu)), ("simulated_s", .double(simulated))])
        }
    }

    func elapsed() -> Elapsed {
        let d = ContinuousClock.now - wallStart
        let (s, a) = d.components
        return Elapsed(wall: Double(s) + Double(a) / 1e18, cpu: processCPUSeconds() - cpuStart,
                       simulated: clock.seconds - simStart)
    }
}

/// CPU seconds used by the whole process (all threads).
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
