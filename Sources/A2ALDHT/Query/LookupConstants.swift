/// Parameters of iterative lookups (docs/routing.md §3.1, with the convergence rule of
/// docs/deviations.md §4).
public enum LookupConstants {
    /// Concurrent RPCs to Good or Unknown candidates.
    public static let alpha = 5
    /// Concurrency of a search that ends at its first record (resolve, findRecords). Records
    /// sit on the K closest nodes, so such a search needs depth, not breadth: with α = 5 the
    /// answers still in flight when the hit arrives were a third of its packets.
    public static let firstHitAlpha = 3
    /// Concurrent RPCs to Bad candidates; they are tried only when nothing better is left.
    public static let beta = 3
    /// Requests sent to one candidate, each a hedge of the ones before (fresh tx_id, the
    /// earlier ones still open), one attempt deadline apart (docs/routing.md §3.6): a lost
    /// datagram costs one attempt deadline — a few RTTs — instead of the whole RPC.
    public static let attemptsPerPeer = 3
    /// The least a lookup RPC stays open (docs/routing.md §3.6): the lookup stops waiting for a
    /// straggler sooner, but a slow peer's answer still counts and it is not charged a failure.
    public static let minRPCTimeout: Duration = .seconds(1)
    /// The least a node lookup waits on a candidate before it turns overdue and stops holding
    /// convergence (docs/routing.md §3.8); past its last hedge's deadline otherwise. A loaded
    /// host answers late without losing anything: the lookup then still converges on the
    /// closest peers, not on the next ones out.
    public static let minOverdueWait: Duration = .milliseconds(400)
    /// An attempt's deadline before the node has measured any round trip (docs/routing.md §3.6).
    public static let unmeasuredAttemptTimeout: Duration = .seconds(1)
    /// Bounds of an attempt's deadline from measured round trips.
    public static let minAttemptTimeout: Duration = .milliseconds(20)
    public static let maxAttemptTimeout: Duration = .seconds(2)
    /// Added to every measured deadline: scheduling noise that the RTT spread does not show.
    public static let attemptTimeoutMargin: Duration = .milliseconds(5)
    /// Candidates beyond the K closest that a path of a first-record search must also have heard
    /// from before it gives up without a record (docs/routing.md §3.8).
    public static let firstHitExtraCandidates = 8
    /// Disjoint paths of a lookup (S/Kademlia; docs/routing.md §3.13): the most a caller may ask for.
    public static let maxDisjointPaths = 8
    /// Disjoint paths of a FIND_NODE or aggregating lookup when neither the caller nor the
    /// node's config says otherwise: each path converges on its own K, so d paths cost about d
    /// times the packets (docs/routing.md §3.13).
    public static let defaultDisjointPaths = 1
    /// Disjoint paths of a search that ends at its first record (resolve, findRecords) when
    /// neither the caller nor the config says otherwise: the paths share its width (one RPC each
    /// at a time), so three cost no more packets than one and survive lying peers far better
    /// (docs/routing.md §3.13).
    public static let defaultFirstHitDisjointPaths = 3
    /// FIND_VALUE pages asked of one holder while aggregating (answers are limited to a datagram).
    public static let maxPagesPerPeer = 30
    /// Default deadline of a whole lookup.
    public static let defaultDeadline: Duration = .seconds(10)
}
