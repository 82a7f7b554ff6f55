import A2ALCore

/// How a remote peer has been answering our RPCs (docs/node-behaviour.md §6). The raw values are
/// the reference's numeric values and appear on the JSON-RPC surface.
public enum PeerHealth: Int, Sendable, CustomStringConvertible {
    /// Never heard from, or failed once without ever succeeding.
    case unknown = 0
    /// Answered at least once and has not failed twice in a row since.
    case good = 1
    /// Failed `PeerHealthTable.badFailureThreshold` or more times in a row.
    case bad = 2

    public var description: String {
        switch self {
        case .unknown: "unknown"
        case .good: "good"
        case .bad: "bad"
        }
    }
}

/// A change of a peer's classification, returned by the recording methods only when the
/// classification actually changed, so the daemon can publish it as a `peer_health` event
/// without comparing states itself.
public struct HealthTransition: Sendable, Equatable, CustomStringConvertible {
    public let id: NodeID
    public let old: PeerHealth
    public let new: PeerHealth

    public init(id: NodeID, old: PeerHealth, new: PeerHealth) {
        self.id = id
        self.old = old
        self.new = new
    }

    public var description: String { "\(id): \(old) -> \(new)" }
}

/// Everything the node remembers about one peer's RPC outcomes (docs/node-behaviour.md §6,
/// docs/routing.md §2). Ticks are on the node's monotonic clock; `nil` means "never"
/// (the reference's zero time).
public struct PeerHealthRecord: Sendable, Equatable {
    /// When the peer last answered an RPC.
    public var lastSuccess: Tick?
    /// When an RPC to the peer last failed.
    public var lastFailure: Tick?
    /// Consecutive failures since the last success (a health-probe failure takes one back).
    public var failCount: Int
    /// Lifetime number of recorded outcomes; the query engine's Bad track prefers peers tried
    /// less often.
    public var totalAttempts: UInt64
    /// Round-trip time of the last successful RPC that measured one; kept across failures.
    public var rtt: Duration?
    /// Contact is advised against until strictly after this instant.
    public var nextRetryAt: Tick?
    /// When any outcome was last recorded; drives eviction and pruning, not classification.
    public var lastTouched: Tick

    public init(lastSuccess: Tick? = nil, lastFailure: Tick? = nil, failCount: Int = 0,
                totalAttempts: UInt64 = 0, rtt: Duration? = nil, nextRetryAt: Tick? = nil,
                lastTouched: Tick) {
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.failCount = failCount
        self.totalAttempts = totalAttempts
        self.rtt = rtt
        self.nextRetryAt = nextRetryAt
        self.lastTouched = lastTouched
    }

    /// Classification rules of docs/node-behaviour.md §6 (steps 2–4; a missing record is step 1,
    /// Unknown).
    public var health: PeerHealth {
        if failCount >= PeerHealthTable.badFailureThreshold { return .bad }
        return lastSuccess != nil ? .good : .unknown
    }
}
