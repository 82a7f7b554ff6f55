#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time source of a node: a monotonic clock for timeouts and ages, the wall clock for record
/// timestamps, and sleeping. Injected so tests and the simulator can drive time themselves.
public protocol NodeClock: Sendable {
    /// Monotonic now.
    func now() -> Tick
    /// Wall-clock Unix seconds (record timestamps and expiry).
    func unixSeconds() -> UInt64
    /// Suspends until `deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Tick) async throws
}

extension NodeClock {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now() + duration)
    }
}

/// The real clocks: `ContinuousClock` for monotonic time, `clock_gettime(CLOCK_REALTIME)` for Unix time.
public struct SystemClock: NodeClock {
    private let epoch = ContinuousClock.now

    public init() {}

    public func now() -> Tick { Tick(nanoseconds: (ContinuousClock.now - epoch).nanosecondsClamped) }

    public func unixSeconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(max(0, ts.tv_sec))
    }

    public func sleep(until deadline: Tick) async throws {
        let remaining = deadline - now()
        if remaining > .zero { try await Task.sleep(for: remaining) }
        try Task.checkCancellation()
    }
}
