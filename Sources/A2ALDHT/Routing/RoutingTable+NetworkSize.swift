
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

    /// m · 2^min(c+1, 62), saturating.
    static func scaledSample(_ m: Int, bucket c: Int) -> Int {
        let shift = Swift.min(c + 1, estimateMaxShift)
        let (product, overflow) = m.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? Int.max : product
    }
}
