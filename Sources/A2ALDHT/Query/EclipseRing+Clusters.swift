import A2ALCore

extension EclipseRing {
    /// The deepest prefix a cluster is looked for at: far past where any real network is
    /// dense (2^64 nodes), and it bounds the scan.
    static let maxClusterDepth = 64

    /// Regions of ID space that hold implausibly many of `nodes`, each as the ring of one member
    /// (every node sharing `depth` leading bits with it), widest first, no node in two
    /// (docs/routing.md §3.14, "Rings in the shells").
    ///
    /// The nodes found outside a ring are the closest to a few shell targets, so they are about
    /// as dense as the network around those targets. A second ring of ground identities (one an
    /// attacker grinds in a shell, or another victim's ring that a shell happens to cross) shows
    /// as a region with at least `minimumMembers` of them and `densityFactor` times as many as
    /// `networkSize(member, p) / 2^p` predicts: the test `detect` applies around a key, applied
    /// around every prefix the nodes share. Records stored there would be thrown away, and a
    /// search outside the first ring would end there.
    ///
    /// A cluster never contains `key`: the shells are gathered around it, so a region holding
    /// the key holds several shells' worth of closest nodes and would look dense for that alone;
    /// a region that excludes the key lies in one shell, where the nodes found cannot outnumber
    /// the nodes there.
    static func clusters(among nodes: [NodeID], outside key: NodeID, networkSize: (NodeID, Int) -> Int) -> [EclipseRing] {
        let sorted = Array(Set(nodes)).sorted()
        guard sorted.count >= minimumMembers else { return [] }
        var found: [EclipseRing] = []
        var inCluster = [Bool](repeating: false, count: sorted.count)
        for depth in 1...maxClusterDepth {
            // Sorted IDs that share a `depth`-bit prefix are contiguous: walk the runs.
            var start = 0
            while start < sorted.count {
                var end = start + 1
                while end < sorted.count, sorted[end].commonPrefixLength(with: sorted[start]) >= depth { end += 1 }
                let members = end - start
                // A run inside a wider cluster is already taken as a whole.
                if members >= minimumMembers, !inCluster[start], sorted[start].commonPrefixLength(with: key) < depth,
                   isImplausiblyDense(members, sharingBits: depth, networkSize: networkSize(sorted[start], depth)) {
                    found.append(EclipseRing(key: sorted[start], depth: depth))
                    for i in start..<end { inCluster[i] = true }
                }
                start = end
            }
        }
        return found
    }
}

extension Array where Element == EclipseRing {
    /// Whether `id` lies in any of these rings.
    func anyContains(_ id: NodeID) -> Bool { contains { $0.contains(id) } }
}
