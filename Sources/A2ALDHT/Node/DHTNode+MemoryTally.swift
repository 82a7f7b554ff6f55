import A2ALCore

extension DHTNode {
    /// Entry counts of every per-peer structure the node keeps, for memory accounting
    /// (docs/routing.md §8.1): what a joined node's resident size is made of.
    public func memoryTally() -> [(name: String, count: Int)] {
        let s = state.withLock { s -> [(String, Int)] in
            var cached = 0
            for b in 0..<RoutingTable.bucketCount { cached += s.routing.cachedContacts(bucket: b).count }
            return [
                ("routing_main", s.routing.count), ("routing_cache", cached),
                ("routing_buckets_allocated", s.routing.allocatedBuckets),
                ("health", s.health.count), ("seen", s.seen.count), ("dial", s.dial.count),
                ("generations", s.generations.count), ("store_keys", s.store.keyCount),
                ("store_records", s.store.recordCount), ("same_nat", s.sameNATPeers.count),
                ("answer_cursors", s.answerCursors.count),
            ]
        }
        let replicas = replication.withLock { sets in sets.values.reduce(0) { $0 + $1.members.count } }
        let pendingRPCs = pending.withLock { $0.count }
        return s + [("replica_members", replicas), ("pending_rpcs", pendingRPCs)]
    }
}
