import A2ALCore
import A2ALProtocol

/// Replication parameters (docs/routing.md §5.1).
public enum ReplicationConstants {
    /// Confirmed replicas a record should have.
    public static let target = 8
    /// Most replicas one set keeps.
    public static let hardCap = 16
    /// First probe of a new replica, and the retry after a failed probe.
    public static let probeInitialDelay: Duration = .seconds(30)
    /// Longest interval between probes of a healthy replica.
    public static let probeMaxDelay: Duration = .seconds(3600)
    /// Grace window of a replica marked bad before it is evicted.
    public static let probeBadDelay: Duration = .seconds(1800)
    /// Period of the maintenance pass (replica probes and routing maintenance).
    public static let tickInterval: Duration = .seconds(15)
    /// Deadline of one STORE and of one probe PING.
    public static let storeTimeout: Duration = .seconds(2)
    public static let probeTimeout: Duration = .seconds(2)
    /// Probes of one replica with no dial address before it is dropped (docs/deviations.md §5).
    public static let maxAddresslessProbes = 3
    /// Lookup deadline of a renewal.
    public static let renewalLookupDeadline: Duration = .seconds(15)
    /// A set still short of `target` after a renewal or refill is renewed again after this
    /// delay, doubling per short round up to `topUpMaxDelay` (docs/routing.md §5.6).
    public static let topUpInitialDelay: Duration = .seconds(2)
    public static let topUpMaxDelay: Duration = .seconds(600)
}

/// Identifies a replica set: one per (key, publisher, record type) (docs/deviations.md §5).
struct ReplicaKey: Hashable, Sendable {
    let storeKey: NodeID
    let publisher: NodeID
    let recType: UInt8
}

/// Makes a fresh copy of a record we publish, for republishing before it expires.
public typealias RecordRenewer = @Sendable (_ nowUnix: UInt64) throws -> SignedRecord

/// One replica holder and its probe schedule.
struct Replica: Sendable {
    var confirmedAt: Tick
    var failCount = 0
    var badSince: Tick?
    var nextProbeAt: Tick
    var probeDelay: Duration = ReplicationConstants.probeInitialDelay
    var addresslessProbes = 0
    /// Set by tests that drive the maintenance pass: probe with a real PING even if the peer
    /// answered us recently.
    var forcePing = false
    /// The member answered a FIND_VALUE with the record. Until then an endpoint record's probe
    /// asks for the record itself instead of pinging (docs/routing.md §5.7): a peer that
    /// acknowledges a STORE and drops the record answers every PING.
    var holdingConfirmed = false
}

/// The peers holding one of our records.
struct ReplicaSet: Sendable {
    var record: SignedRecord
    var renew: RecordRenewer?
    var members: [NodeID: Replica] = [:]
    var renewing = false
    /// A newer record arrived while a round was running: run another round when it ends, so
    /// the new record reaches the replicas without waiting for a probe or the half-life.
    var renewAgain = false
    /// Consecutive half-life renewals whose renewer threw (the key is gone, say).
    var renewFailures = 0
    /// A top-up round is waiting to run (at most one per set), and the wait before the next one.
    var topUpPending = false
    var topUpDelay = ReplicationConstants.topUpInitialDelay
    /// Peers that acknowledged a STORE of this record and then did not hold it: never asked to
    /// store it again (docs/routing.md §5.7).
    var dropped: Set<NodeID> = []

    /// The member farthest from the key.
    func farthest(from key: NodeID) -> NodeID? {
        members.keys.max { $0.distance(to: key) < $1.distance(to: key) }
    }
}
