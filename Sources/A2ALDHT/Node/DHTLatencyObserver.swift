import A2ALProtocol

/// Told how long each DHT request and lookup took, for latency histograms (docs/metrics.md).
/// The node calls it from many tasks at once, so implementations must be thread-safe and cheap;
/// nil in `DHTNode.Config` (the default) costs nothing. The node records no histograms itself:
/// that would tie this library to one metrics backend.
public protocol DHTLatencyObserver: Sendable {
    /// A request of `type` (PING, FIND_NODE, ...) was answered after `duration`, retries included.
    func requestAnswered(_ type: MessageType, after duration: Duration)
    /// An iterative lookup finished (whatever its outcome) after `duration`.
    func lookupFinished(_ kind: LookupKind, after duration: Duration)
}

/// What an iterative lookup looked for.
public enum LookupKind: String, Sendable, CaseIterable {
    /// FIND_NODE: the closest nodes to a target.
    case nodes
    /// FIND_VALUE: records at a key.
    case records
}
