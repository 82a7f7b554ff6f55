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
            NodeSummary(
                routingTableSize: s.routing.count, goodPeers: s.routingHealthCounts().good,
                estimatedNetworkSize: s.routing.estimatedNetworkSize(), storeKeys: s.store.keyCount,
                passiveRouting: s.passiveRouting, sameNATPeers: s.sameNATPeersByRecency())
        }
    }
}

/// Health class counts of the routing table's entries, and the table membership and health
/// classes they were counted at.
struct HealthCountsMemo {
    var membershipChanges: UInt64
    var classChanges: UInt64
    var counts: (good: Int, bad: Int, unknown: Int)
}

extension NodeState {
    /// How many routing-table entries are in each health class. Counting walks the table with
    /// a health lookup per entry (several microseconds for a joined node's table, on every
    /// `node.info`), so the counts are kept until an entry joins or leaves the table or a
    /// peer's class may have changed (docs/benchmarks.md, "JSON-RPC").
    mutating func routingHealthCounts() -> (good: Int, bad: Int, unknown: Int) {
        if let memo = healthCountsMemo, memo.membershipChanges == routing.membershipChanges,
           memo.classChanges == health.classChanges {
            return memo.counts
        }
        var counts = (good: 0, bad: 0, unknown: 0)
        routing.forEachEntry { e in
            switch health.health(of: e.contact.nodeID) {
            case .good: counts.good += 1
            case .bad: counts.bad += 1
            case .unknown: counts.unknown += 1
            }
        }
        healthCountsMemo = HealthCountsMemo(membershipChanges: routing.membershipChanges,
                                            classChanges: health.classChanges, counts: counts)
        return counts
    }

    /// Peers met behind our own NAT, most recently seen first.
    func sameNATPeersByRecency() -> [NodeID] {
        sameNATPeers.sorted { $0.value > $1.value }.map(\.key)
    }
}
