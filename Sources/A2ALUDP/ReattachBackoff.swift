/// Delays between attempts to re-establish reading the socket: the first at once, then 50 ms
/// doubling to a 5 s cap, forever (a node without a reader is deaf, so it never gives up; the
/// cap keeps a persistent failure from spinning). A reader that dies again soon after being
/// re-established keeps the backoff where it was, so a socket whose reader keeps dying is
/// retried every 5 s, not in a tight loop (docs/architecture.md, "A2ALUDP").
struct ReattachBackoff {
    static let first: Duration = .milliseconds(50)
    static let cap: Duration = .seconds(5)
    /// A reader that lived this long resets the backoff when it dies.
    static let stableAfter: Duration = .seconds(10)

    private(set) var attempts = 0

    mutating func next() -> Duration {
        defer { attempts += 1 }
        guard attempts > 0 else { return .zero }
        let doublings = min(attempts - 1, 16)
        return min(Self.first * (1 << doublings), Self.cap)
    }

    mutating func reset() { attempts = 0 }
}
