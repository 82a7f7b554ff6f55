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
    /// Deadline of each RPC (one attempt) when nothing is known about the peer's round trip.
    public static let peerTimeout: Duration = .seconds(2)
    /// With a measured round trip, a peer gets this many round trips (within the bounds below)
    /// before it counts as failed: a lost datagram then costs a few RTTs, not 2 s, which keeps
    /// lookups fast on lossy paths.
    public static let rttTimeoutFactor: Int64 = 4
    public static let minAdaptiveTimeout: Duration = .milliseconds(400)
    /// FIND_VALUE pages asked of one holder while aggregating (answers are limited to a datagram).
    public static let maxPagesPerPeer = 30
    /// Default deadline of a whole lookup.
    public static let defaultDeadline: Duration = .seconds(10)
}
