import A2ALCore

extension RoutingTable {
    /// Network-size estimate from verified entries (docs/routing.md §1.8, docs/node-behaviour.md
    /// §7): bucket c holds peers from 2^-(c+1) of the ID space, so m of them suggest m·2^(c+1)
    /// nodes. Takes the nearest `estimateSampleBuckets` buckets with such entries (verified after
    /// `cutoff` when given) and returns the upper median, with confidence = samples / 5. Products
    /// saturate at `Int.max` instead of overflowing (docs/deviations.md §2).
    public func estimatedNetworkSizeFiltered(cutoff: Tick?) -> (estimate: Int, confidence: Double) {
        var samples: [Int] = []
        samples.reserveCapacity(RoutingTable.estimateSampleBuckets)
        for c in buckets.indices.reversed() where samples.count < RoutingTable.estimateSampleBuckets {
            var m = 0
            for entry in buckets[c].entries {
                guard let verifiedAt = entry.verifiedAt else { continue }
                if let cutoff, verifiedAt <= cutoff { continue }
                m += 1
            }
            if m > 0 { samples.append(RoutingTable.scaledSample(m, bucket: c)) }
        }
        guard !samples.isEmpty else { return (0, 0) }
        samples.sort()
        return (samples[samples.count / 2], Double(samples.count) / Double(RoutingTable.estimateSampleBuckets))
    }

    /// The estimate over all verified entries; when nothing is verified, falls back to the
    /// highest non-empty bucket counting hearsay too; 0 for an empty table.
    public func estimatedNetworkSize() -> Int {
        let filtered = estimatedNetworkSizeFiltered(cutoff: nil).estimate
        if filtered > 0 { return filtered }
        guard let c = highestNonEmptyBucket else { return 0 }
        return RoutingTable.scaledSample(buckets[c].entries.count, bucket: c)
    }

    /// The estimate to judge a suspected ring by: nodes sharing at least `depth` leading bits
    /// with `key` (docs/routing.md §3.14). Samples as in the estimate above, m · 2^(c+1) from the
    /// deepest buckets, counting every entry (verified or not), and without the buckets that
    /// region falls in, so that the ring being judged does not vouch for itself.
    /// With `p` the bits our own ID shares with the key: when `p ≥ depth` the region is our own
    /// neighbourhood, buckets `depth` and deeper (the very buckets the estimate samples first);
    /// otherwise the region lies inside bucket `p`. Never below what a full bucket proves (K
    /// entries in bucket c: at least K · 2^(c+1) nodes): a bucket that is short because the
    /// table has not heard of more peers yet, not because there are none, would otherwise put
    /// the network at a few dozen nodes and every neighbourhood in a ring; nor below the
    /// table's own entries plus us. 0 without samples: no judgement.
    public func networkSize(judgingRingAround key: NodeID, depth: Int) -> Int {
        networkSize(judgingRegions: [(key, depth)])
    }

    /// The same estimate without the buckets any of `regions` (key, depth) falls in: a ring
    /// found in the shells outside another one is judged with neither ring's buckets, since
    /// either, full of ground identities, would vouch for a network as dense as itself.
    public func networkSize(judgingRegions regions: [(key: NodeID, depth: Int)]) -> Int {
        let shared = regions.map { (p: selfID.commonPrefixLength(with: $0.key), depth: $0.depth) }
        var samples: [Int] = []
        var proven = 0
        for c in buckets.indices.reversed() {
            if shared.contains(where: { $0.p >= $0.depth ? c >= $0.depth : c == $0.p }) { continue }
            if buckets[c].entries.count >= NodeConstants.k {
                proven = Swift.max(proven, RoutingTable.scaledSample(NodeConstants.k, bucket: c))
            }
            guard samples.count < RoutingTable.estimateSampleBuckets else { continue }
            let m = buckets[c].entries.count
            if m > 0 { samples.append(RoutingTable.scaledSample(m, bucket: c)) }
        }
        guard !samples.isEmpty else { return 0 }
        samples.sort()
        return Swift.max(samples[samples.count / 2], proven, count + 1)
    }

    /// m · 2^min(c+1, 62), saturating.
    static func scaledSample(_ m: Int, bucket c: Int) -> Int {
        let shift = Swift.min(c + 1, estimateMaxShift)
        let (product, overflow) = m.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? Int.max : product
    }
}
