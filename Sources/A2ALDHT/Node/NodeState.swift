import A2ALCore
import A2ALProtocol

/// Everything the node mutates, kept together under one lock. Every operation on it is
/// synchronous and short; nothing here waits on the network.
struct NodeState {
    var routing: RoutingTable
    var store: RecordStore
    var health: PeerHealthTable
    var seen: SeenPeers
    var dial: DialBook
    /// nil when the node runs without an inbound limit.
    var inboundLimiter: SourceRateLimiter?
    var natEchoLimiter: FixedWindowLimiter
    /// nil when the node runs without a global inbound limit.
    var globalLimiter: GlobalRateLimiter?
    /// What each peer has shown of the wire protocol; decides which fields we send it.
    var generations: PeerGenerationTable
    /// Pushes sent per destination source.
    var pushLimiter: FixedWindowLimiter
    /// Peers subscribed (FIND_VALUE `one_shot_subscribe`) to records newly stored here.
    var pushSubscribers = PushSubscriberTable()
    /// Pushes we asked for and may accept.
    var pushExpectations = PushExpectations()
    /// Keys the host watches (reference counts): lookups at them ask for pushes.
    var watched: [NodeID: Int] = [:]
    /// Waiters for NAT probe echoes, by token.
    var natWaiters: [[UInt8]: CheckedContinuation<Bool, Never>] = [:]
    /// Per-key rotation of FIND_VALUE answers that must be trimmed, so successive requests page
    /// through every record at a busy key (bounded; see `DHTNode.findValueAnswer`).
    var answerCursors: [NodeID: Int] = [:]
    var recentLookups = RecentLookups()
    /// Round trips of every answered request: lookup RPC deadlines (docs/routing.md §3.6).
    var roundTrips = RoundTripEstimator()
    var passiveRouting = false
    /// `routingHealthCounts()` as last computed, with the table and health changes it saw.
    var healthCountsMemo: HealthCountsMemo?
    var selfExternalIP: IPAddress?
    /// The port peers see us at on `selfExternalIP`, when the host knows it (its agreed public
    /// address); nil means "our socket's port".
    var selfExternalPort: UInt16?
    /// Peers met at our own public IP on another port: behind the same NAT (docs/node-behaviour.md
    /// §10.2).
    var sameNATPeers: [NodeID: Tick] = [:]
    var nextDecodeWarning = Tick.zero
    var nextReplyWarning = Tick.zero
    var started = false
    var closed = false
}
