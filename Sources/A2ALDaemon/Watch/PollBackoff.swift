/// The wait between polls of a watched key: the interval asked for while records keep
/// arriving, doubling after each poll that finds nothing new up to `WatchLimits.maxBackoff`
/// (never below the asked interval), and back to the asked interval on any new record,
/// polled or pushed — the v0.2.x daemon's schedule (docs/jsonrpc.md, "Watches").
struct PollBackoff: Sendable, Equatable {
    private(set) var base: Duration
    private(set) var current: Duration
    let ceiling: Duration

    init(base: Duration, ceiling: Duration = WatchLimits.maxBackoff) {
        self.base = base
        self.current = base
        self.ceiling = ceiling
    }

    /// A poll found nothing new.
    mutating func quiet() { current = min(current * 2, max(base, ceiling)) }

    /// Something new arrived.
    mutating func activity() { current = base }

    /// The watches of the key changed: the shortest asked interval is the new base.
    mutating func rebase(_ newBase: Duration) {
        base = newBase
        current = min(current, newBase)
    }
}
