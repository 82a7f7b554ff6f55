import A2ALCore

/// What `node.info` reports about the node's tables, read under one acquisition of the node's
/// lock instead of one per figure: a caller polling it from many connections at once then
/// holds the lock once per call (docs/benchmarks.md, "JSON-RPC").
public struct NodeSummary: Sendable, Equatable {
    /// Contacts in the routing table's main buckets.
    public var routingTableSize: Int
    /// Of those, the ones whose health is good.
    public var goodPeers: Int
    public var estimatedNetworkSize: Int
    public var storeKeys: Int
    public var passiveRouting: Bool
    /// Peers met at our public IP on another port, most recently seen first.
    public var sameNATPeers: [NodeID]
}

extension DHTNode {
    public func summary() -> NodeSummary {
        state.withLock { s in
            var good = 0
            s.routing.forEachEntry { e in
                if s.health.health(of: e.contact.nodeID) == .good { good += 1 }
            }
            return NodeSummary(
                routingTableSize: s.routing.count, goodPeers: good,
                estimatedNetworkSize: s.routing.estimatedNetworkSize(), storeKeys: s.store.keyCount,
                passiveRouting: s.passiveRouting,
                sameNATPeers: s.sameNATPeers.isEmpty ? [] : s.sameNATPeers.sorted { $0.value > $1.value }.map(\.key))
        }
    }
}
