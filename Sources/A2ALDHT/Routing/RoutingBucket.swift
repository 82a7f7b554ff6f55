import A2ALCore

/// One k-bucket: peers sharing exactly `index` leading bits with us.
///
/// Both lists are tiny (at most `bucketSize` and `replacementCacheSize`), so linear scans beat
/// any index structure; the table finds the bucket from the node ID in O(1).
struct RoutingBucket: Sendable {
    /// An outstanding liveness check of the least-recently-seen entry, started because a
    /// verified newcomer found the bucket full (docs/deviations.md §2).
    struct LRUCheck: Sendable {
        let nodeID: NodeID
        let startedAt: Tick
    }

    /// Main list, least recently seen first.
    var entries: [RoutingEntry] = []
    /// Replacement cache in arrival order, oldest first.
    var cache: [CachedContact] = []

    var lastRefillAt: Tick?
    var refillWasHealthy = false
    /// Consecutive refills that found nothing new; selects the refill cooldown.
    var futileRefills = 0
    var lruCheck: LRUCheck?

    func mainIndex(of id: NodeID) -> Int? {
        entries.firstIndex { $0.contact.nodeID == id }
    }

    func cacheIndex(of id: NodeID) -> Int? {
        cache.firstIndex { $0.contact.nodeID == id }
    }

    /// Moves the entry at `index` to the most-recently-seen end.
    mutating func moveToMostRecent(_ index: Int) {
        guard index != entries.count - 1 else { return }
        let entry = entries.remove(at: index)
        entries.append(entry)
    }

    func mainCount(in subnet: SubnetKey) -> Int {
        var n = 0
        for e in entries where e.subnet == subnet { n += 1 }
        return n
    }

    func cacheCount(in subnet: SubnetKey, excluding excluded: Int? = nil) -> Int {
        var n = 0
        for (i, c) in cache.enumerated() where i != excluded && c.subnet == subnet { n += 1 }
        return n
    }

    /// Number of main entries verified strictly after `cutoff`.
    func freshCount(cutoff: Tick) -> Int {
        var n = 0
        for e in entries where e.isFresh(cutoff: cutoff) { n += 1 }
        return n
    }

    /// Indices of cached candidates, best first: verified ones by most recent verification,
    /// then hearsay by most recent arrival.
    func candidateOrder() -> [Int] {
        cache.indices.sorted { a, b in
            let x = cache[a], y = cache[b]
            switch (x.verifiedAt, y.verifiedAt) {
            case let (vx?, vy?): return vx != vy ? vx > vy : x.arrivedAt > y.arrivedAt
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return x.arrivedAt > y.arrivedAt
            }
        }
    }
}
