import Testing
import A2ALCore
@testable import A2ALDHT

/// Rings in the shells outside a ring (docs/routing.md §3.14, "Rings in the shells"): a second
/// cluster of ground identities among the nodes found outside a ring is told from the honest
/// shells, kept out, and judged by an estimate neither ring inflates.
@Suite struct EclipseShellRingTests {
    /// What `closestOutside` gathers: the K closest of `pool` to each shell target, none inside
    /// `ring`.
    private static func shells(of ring: EclipseRing, in pool: [NodeID], networkSize: Int) -> [NodeID] {
        let outside = pool.filter { !ring.contains($0) }
        return ring.shellTargets(networkSize: networkSize).flatMap { RoutingFixture.closest(outside, to: $0) }
    }

    @Test func honestShellsHoldNoCluster() {
        var rng = RoutingTestRandom(seed: 11)
        let network = (0..<2000).map { _ in RoutingFixture.randomID(using: &rng) }
        var clusters = 0
        for _ in 0..<100 {
            let ring = EclipseRing(key: RoutingFixture.randomID(using: &rng), depth: 10)
            let found = Self.shells(of: ring, in: network, networkSize: 2000)
            // Judged by half the true size: still no cluster.
            clusters += EclipseRing.clusters(among: found, outside: ring.key, networkSize: { _, _ in 1000 }).count
        }
        #expect(clusters == 0)
    }

    @Test func aRingInAShellIsFoundAndKeptOut() {
        var rng = RoutingTestRandom(seed: 12)
        let honest = (0..<300).map { _ in RoutingFixture.randomID(using: &rng) }
        let key = RoutingFixture.randomID(using: &rng)
        let ring = (0..<17).map { _ in RoutingFixture.ground(near: key, bits: 9, using: &rng) }
        // Another victim's key sharing exactly 5 bits with ours, and its own ring: it fills
        // shell 5 of ours, as two of a 300-node simulation's eight victims did.
        let other = RoutingFixture.id(inBucket: 5, of: key, using: &rng)
        let second = (0..<17).map { _ in RoutingFixture.ground(near: other, bits: 9, using: &rng) }
        let first = EclipseRing(key: key, depth: 6)
        let found = Self.shells(of: first, in: honest + ring + second, networkSize: 300)
        #expect(second.filter(found.contains).count >= 12, "the shell lookups find the second ring")
        let clusters = EclipseRing.clusters(among: found, outside: key, networkSize: { _, _ in 300 })
        #expect(clusters.count == 1)
        #expect(second.allSatisfy(clusters.anyContains), "every member of the second ring is kept out")
        #expect(honest.filter(clusters.anyContains).count <= 2)
        #expect(!clusters.anyContains(key))
        // Judged by the estimate a full bucket of the first ring would give (16 · 2^11), the
        // second ring hides: why the judging leaves both rings' buckets out.
        #expect(EclipseRing.clusters(among: found, outside: key, networkSize: { _, _ in 32_768 }).isEmpty)
    }

    @Test func aRegionHoldingTheKeyIsNeverACluster() {
        var rng = RoutingTestRandom(seed: 13)
        let network = (0..<1000).map { _ in RoutingFixture.randomID(using: &rng) }
        for _ in 0..<50 {
            let ring = EclipseRing(key: RoutingFixture.randomID(using: &rng), depth: 9)
            let found = Self.shells(of: ring, in: network, networkSize: 1000)
            // An estimate far too small makes the gathered shells dense around the key; only
            // regions that leave the key out may be called clusters.
            for c in EclipseRing.clusters(among: found, outside: ring.key, networkSize: { _, _ in 30 }) {
                #expect(!c.contains(ring.key), "cluster \(c.depth) bits deep holds the key")
            }
        }
    }

    @Test func bothRingsAreLeftOutOfTheSizeTheSecondIsJudgedBy() {
        var rng = RoutingTestRandom(seed: 14)
        let me = RoutingFixture.randomID(using: &rng)
        // A 300-node network as our table sees it, then a ring around our own ID (10–13 bits)
        // and a second one in bucket 5 (another victim's, 9 bits around its key).
        var t = RoutingFixture.table(of: me, network: 300, buckets: 9, using: &rng)
        let honestEstimate = t.estimatedNetworkSize()
        for _ in 0..<17 { RoutingFixture.addVerified(RoutingFixture.ground(near: me, bits: 10, using: &rng), to: &t) }
        let other = RoutingFixture.id(inBucket: 5, of: me, using: &rng)
        for _ in 0..<16 { RoutingFixture.addVerified(RoutingFixture.ground(near: other, bits: 9, using: &rng), to: &t) }
        let withoutOurRing = t.networkSize(judgingRingAround: other, depth: 9)
        #expect(withoutOurRing >= 8 * honestEstimate, "our own ring's full buckets vouch for \(withoutOurRing)")
        let judged = t.networkSize(judgingRegions: [(me, 10), (other, 9)])
        #expect(judged <= 2 * max(honestEstimate, t.count + 1), "judged by \(judged), honest \(honestEstimate)")
        #expect(judged >= t.count + 1)
    }
}
