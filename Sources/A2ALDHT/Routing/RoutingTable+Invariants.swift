import A2ALCore

extension RoutingTable {
    /// Descriptions of every broken structural invariant (empty when the table is sound).
    /// For tests and debug assertions; O(table size).
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var seen = Set<NodeID>()
        var mainTotal = 0
        var recount: [SubnetKey: Int] = [:]
        for (b, bucket) in buckets.enumerated() {
            if bucket.entries.count > NodeConstants.k { problems.append("bucket \(b) main overfull") }
            if bucket.cache.count > RoutingTable.replacementCacheSize { problems.append("bucket \(b) cache overfull") }
            for entry in bucket.entries {
                mainTotal += 1
                if bucketIndex(of: entry.nodeID) != b { problems.append("\(entry.nodeID) in wrong bucket \(b)") }
                if !seen.insert(entry.nodeID).inserted { problems.append("duplicate \(entry.nodeID)") }
                if entry.subnet != subnetKey(of: entry.contact) { problems.append("stale subnet for \(entry.nodeID)") }
                if let subnet = entry.subnet { recount[subnet, default: 0] += 1 }
            }
            for candidate in bucket.cache {
                if bucketIndex(of: candidate.nodeID) != b { problems.append("cached \(candidate.nodeID) in wrong bucket") }
                if !seen.insert(candidate.nodeID).inserted { problems.append("duplicate cached \(candidate.nodeID)") }
            }
        }
        if mainTotal != count { problems.append("count \(count) != \(mainTotal)") }
        if recount != subnetCounts { problems.append("subnet counts out of sync") }
        return problems
    }
}
