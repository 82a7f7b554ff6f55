import A2ALDHT

/// Bounds and defaults of `watch` (docs/jsonrpc.md, "Watches"). A watch costs a lookup on the
/// network at every poll and memory for the records already announced, so one client can hold
/// only so many, and all clients together only so many more.
package enum WatchLimits {
    /// Watches one connection may hold.
    package static let maxPerConnection = 16
    /// Watches all connections together may hold (well under the node's own bound,
    /// `PushConstants.maxWatchedKeys`).
    package static let maxTotal = 256
    /// `poll_interval_ms` when not given, and the values a client may ask for.
    package static let defaultPollIntervalMs: Int64 = 15_000
    package static let pollIntervalRangeMs: ClosedRange<Int64> = 1_000...300_000
    /// A poll that finds nothing new doubles the wait before the next, up to this (as the
    /// v0.2.x daemon backs off to 5 min); anything new brings it back to the asked interval.
    package static let maxBackoff: Duration = .seconds(300)
    /// Deadline of one poll's lookup.
    package static let pollLookupTimeout: Duration = LookupConstants.defaultDeadline
    /// Records remembered per watched key so each is announced once. The store keeps at most
    /// 100 topic records and 50 notes per key (`StoreLimits`), so live records fit.
    package static let rememberedPerKey = 512
}
