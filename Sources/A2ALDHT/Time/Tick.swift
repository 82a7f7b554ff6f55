/// A point on a node's monotonic clock, in nanoseconds since the clock's own epoch. Plain value
/// so routing, store and health code can be driven by a simulated clock in tests.
public struct Tick: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The clock's epoch; also used as "never" for optional-free bookkeeping.
    public static let zero = Tick(nanoseconds: 0)

    public static func < (a: Tick, b: Tick) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (t: Tick, d: Duration) -> Tick { Tick(nanoseconds: t.nanoseconds &+ d.nanosecondsClamped) }
    public static func - (t: Tick, d: Duration) -> Tick { Tick(nanoseconds: t.nanoseconds &- d.nanosecondsClamped) }
    public static func - (a: Tick, b: Tick) -> Duration { .nanoseconds(a.nanoseconds &- b.nanoseconds) }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// Whole nanoseconds, saturating at Int64's range.
    public var nanosecondsClamped: Int64 {
        let (s, a) = components
        let (ns, o1) = s.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, o2) = ns.addingReportingOverflow(a / 1_000_000_000)
        if o1 || o2 { return s < 0 ? .min : .max }
        return sum
    }

    /// Seconds as a Double (for reports and JSON).
    public var seconds: Double {
        let (s, a) = components
        return Double(s) + Double(a) / 1e18
    }
}
