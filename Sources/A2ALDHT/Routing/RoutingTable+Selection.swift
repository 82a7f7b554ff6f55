import A2ALCore

extension RoutingTable {
    /// The `count` main entries closest to `target` by XOR distance among those `include`
    /// accepts, closest first.
    ///
    /// Walks buckets in distance order (see `forEachBucketByDistance`) and sorts only inside
    /// the buckets it takes, so a lookup costs about O(count) rather than a sort of the table.
    public func nearest(to target: NodeID, count: Int,
                        where include: (RoutingEntry) -> Bool = { _ in true }) -> [RoutingEntry] {
        guard count > 0, self.count > 0 else { return [] }
        var result: [RoutingEntry] = []
        result.reserveCapacity(Swift.min(count, self.count))
        appendNearest(to: target, upTo: count, into: &result, where: include)
        return result
    }

    /// Verified entries for FIND_* replies (docs/routing.md §1.6 `NearestNVerified`,
    /// docs/node-behaviour.md §4.6): those verified after `freshCutoff` by distance, then the older
    /// verified ones by distance, at most `count`. Hearsay is never included. `include` filters
    /// further (e.g. the requester, contacts without an address, peers in Bad health).
    public func nearestVerified(to target: NodeID, count: Int, freshCutoff: Tick,
                                where include: (RoutingEntry) -> Bool = { _ in true }) -> [RoutingEntry] {
        guard count > 0, self.count > 0 else { return [] }
        var result: [RoutingEntry] = []
        result.reserveCapacity(Swift.min(count, self.count))
        appendNearest(to: target, upTo: count, into: &result) { $0.isFresh(cutoff: freshCutoff) && include($0) }
        if result.count < count {
            appendNearest(to: target, upTo: count, into: &result) {
                $0.isVerifiedStale(cutoff: freshCutoff) && include($0)
            }
        }
        return result
    }

    /// Appends the entries `include` accepts, closest to `target` first, until `result` holds
    /// `limit` entries or the table is exhausted.
    ///
    /// Each bucket's entries are ordered by insertion sort of (distance, index) pairs on the
    /// stack, and `include` is asked in that order only until the result is full: a FIND_NODE
    /// answer runs this under the node's lock for every request (docs/benchmarks.md, "Both
    /// cores for inbound work"), its filter looks up each candidate's health, and an XOR is
    /// cheaper than a lookup. Sorting the entries themselves would move whole routing entries.
    func appendNearest(to target: NodeID, upTo limit: Int, into result: inout [RoutingEntry],
                       where include: (RoutingEntry) -> Bool) {
        guard result.count < limit else { return }
        forEachBucketByDistance(to: target) { b in
            let entries = buckets[b].entries
            guard !entries.isEmpty else { return true }
            withUnsafeTemporaryAllocation(of: Distance.self, capacity: entries.count) { distances in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: entries.count) { order in
                    for (index, entry) in entries.enumerated() {
                        let distance = target.distance(to: entry.contact.nodeID)
                        var slot = index
                        while slot > 0, distance < distances[slot - 1] {
                            distances[slot] = distances[slot - 1]
                            order[slot] = order[slot - 1]
                            slot -= 1
                        }
                        distances[slot] = distance
                        order[slot] = index
                    }
                    for k in 0..<entries.count {
                        guard result.count < limit else { break }
                        let entry = entries[order[k]]
                        if include(entry) { result.append(entry) }
                    }
                }
            }
            return result.count < limit
        }
    }

    /// Calls `body` with every bucket index, ordered so that every entry of an earlier bucket
    /// is closer to `target` than every entry of a later one; stops when `body` returns false.
    ///
    /// With c = CPL(self, target) and x = self ⊕ target, a peer p in bucket i has distance
    /// p ⊕ target = (p ⊕ self) ⊕ x, where p ⊕ self has its first set bit at i. So:
    /// * bucket c: the first c+1 bits of the distance are zero — the closest group;
    /// * a bucket i > c: the first set bit is c, and bit i of the distance is ¬x[i] while every
    ///   bucket j > i has x[i] there: if x[i] = 1, bucket i precedes all higher buckets, else it
    ///   follows them. Hence the x[i] = 1 buckets ascending, then the x[i] = 0 ones descending;
    /// * a bucket i < c: the first set bit is i — the higher i, the closer.
    func forEachBucketByDistance(to target: NodeID, _ body: (Int) -> Bool) {
        let c = selfID.commonPrefixLength(with: target)
        let last = RoutingTable.bucketCount - 1
        if c <= last {
            // Bits read from the words: a FIND_NODE answer walks the buckets for every request,
            // and the distance's bytes would be an array allocated each time.
            let x = selfID.distance(to: target)
            func differs(_ bit: Int) -> Bool { x.isSet(bit: bit) }
            guard body(c) else { return }
            if c < last {
                for i in (c + 1)...last where differs(i) { guard body(i) else { return } }
                for i in stride(from: last, to: c, by: -1) where !differs(i) { guard body(i) else { return } }
            }
        }
        for i in stride(from: Swift.min(c, RoutingTable.bucketCount) - 1, through: 0, by: -1) {
            guard body(i) else { return }
        }
    }
}
