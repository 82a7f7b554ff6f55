import A2ALCore
import A2ALProtocol

/// Storing and searching outside a ring of ground identities (docs/routing.md §3.14). Nothing
/// here changes what the node does where no ring is seen: the replica set and the lookup to the
/// key stay as the protocol has them, and the work outside a ring comes on top.
extension DHTNode {
    /// The network-size estimate to judge a ring of `depth` around `key` by, without the buckets
    /// of `alsoWithout` as well (docs/routing.md §3.14).
    func ringReferenceSize(around key: NodeID, depth: Int, alsoWithout other: EclipseRing? = nil) -> Int {
        let regions = [(key: key, depth: depth)] + (other.map { [(key: $0.key, depth: $0.depth)] } ?? [])
        return state.withLock { $0.routing.networkSize(judgingRegions: regions) }
    }

    /// The ring around `key` that a lookup's closest answers show, if any (counted).
    func eclipseRing(around key: NodeID, closest: [NodeID]) -> EclipseRing? {
        guard searchPastRings,
              let ring = EclipseRing.detect(key: key, among: closest, networkSize: { ringReferenceSize(around: key, depth: $0) })
        else { return nil }
        counters.bump(counters.eclipseRings)
        return ring
    }

    /// The K nodes closest to the ring's key outside the ring that answered, closest first, and
    /// the regions to keep out of a search there: the ring and any further ring the shells hold.
    /// One FIND_NODE lookup per shell target, all at once (docs/routing.md §3.14); what they find
    /// is checked for clusters of ground identities ("Rings in the shells"), whose members are
    /// left out as the ring's are.
    func closestOutside(_ ring: EclipseRing, timeout: Duration) async -> (nodes: [NodeInfo], excluded: [EclipseRing]) {
        let targets = ring.shellTargets(networkSize: ringReferenceSize(around: ring.key, depth: ring.depth))
        let found = await shellLookups(targets, outside: ring, timeout: timeout)
        let outside = found.filter { $0.nodeID != nodeID && !ring.contains($0.nodeID) }
        // Judged without the first ring's buckets as well as the cluster's own: a victim's deep
        // buckets full of the ring's identities would otherwise vouch for a network dense
        // enough to hide the second ring.
        let clusters = EclipseRing.clusters(among: outside.map(\.nodeID), outside: ring.key) {
            ringReferenceSize(around: $0, depth: $1, alsoWithout: ring)
        }
        if !clusters.isEmpty { counters.eclipseShellRings.wrappingAdd(UInt64(clusters.count), ordering: .relaxed) }
        var seen = Set<NodeID>()
        let kept = outside.filter { !clusters.anyContains($0.nodeID) && seen.insert($0.nodeID).inserted }
        let nodes = Array(kept.sorted { $0.nodeID.distance(to: ring.key) < $1.nodeID.distance(to: ring.key) }
            .prefix(NodeConstants.k))
        return (nodes, [ring] + clusters)
    }

    /// The nodes that answered FIND_NODE lookups to `targets`, none of them asking or counting a
    /// member of `ring`.
    private func shellLookups(_ targets: [NodeID], outside ring: EclipseRing, timeout: Duration) async -> [NodeInfo] {
        await withTaskGroup(of: [NodeInfo].self) { group in
            for target in targets {
                group.addTask { await self.runLookup(target, mode: .nodes, timeout: timeout, paths: 1, excluding: [ring]).nodes }
            }
            var all: [NodeInfo] = []
            for await nodes in group { all += nodes }
            return all
        }
    }

    /// Stores `record` at the K closest nodes outside the ring as well, each once, not as
    /// members of the replica set: the set keeps the protocol's closest nodes, and every renewal
    /// that sees the ring stores outside it again.
    func storeOutside(_ ring: EclipseRing, record: SignedRecord, key: NodeID) async {
        let nodes = await closestOutside(ring, timeout: ReplicationConstants.renewalLookupDeadline).nodes
        let stored = await withTaskGroup(of: Bool.self) { group in
            for n in nodes {
                guard let address = address(of: n) else { continue }
                group.addTask {
                    let outcome = try? await self.storeAt(address, expectedID: n.nodeID, key: key, record: record,
                                                          timeout: ReplicationConstants.storeTimeout, attempts: 1)
                    return outcome?.holdsRecord == true
                }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        counters.eclipseStoresPastRing.wrappingAdd(UInt64(stored), ordering: .relaxed)
    }

    /// A record search outside the ring: seeded with the closest nodes outside it, it asks
    /// FIND_VALUE of them closest first and never of a member of the ring or of a ring in its
    /// shells; with `hitThreshold` 1 it ends at its first record as `findRecords` does, with 0
    /// it gathers as `aggregateRecords`.
    func recordsOutside(_ ring: EclipseRing, recType: UInt8, hitThreshold: Int, timeout: Duration) async -> [VerifiedRecord] {
        let start = clock.now()
        let outside = await closestOutside(ring, timeout: timeout)
        let seeds = outside.nodes.map(Contact.init(nodeInfo:))
        let left = timeout - (clock.now() - start)
        guard !seeds.isEmpty, left > .zero else { return [] }
        var lookup = IterativeLookup(network: self, target: ring.key,
                                     mode: .records(recType: recType, hitThreshold: hitThreshold),
                                     deadline: clock.now() + left, paths: 1, excluding: outside.excluded)
        let records = await lookup.run(seeds: seeds, localRecords: []).records
        if !records.isEmpty { counters.bump(counters.eclipseRecordsPastRing) }
        return records
    }
}
