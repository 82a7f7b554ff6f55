import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Rings of ground identities (docs/routing.md §3.14): how they are told from an honest
/// neighbourhood, where the search outside them goes, and the network size they are judged by.
@Suite struct EclipseRingTests {
    @Test func flippingABitSharesExactlyThePrefixBeforeIt() throws {
        var rng = RoutingTestRandom(seed: 1)
        let key = RoutingFixture.randomID(using: &rng)
        for index in [0, 1, 7, 8, 63, 64, 100, 191, 192, 255] {
            let flipped = try #require(key.flippingBit(index))
            #expect(flipped.commonPrefixLength(with: key) == index)
            #expect(flipped.flippingBit(index) == key)
        }
        #expect(key.flippingBit(-1) == nil)
        #expect(key.flippingBit(256) == nil)
    }

    @Test func anHonestNeighbourhoodIsNoRing() {
        var rng = RoutingTestRandom(seed: 2)
        let network = (0..<2000).map { _ in RoutingFixture.randomID(using: &rng) }
        var rings = 0
        for _ in 0..<200 {
            let key = RoutingFixture.randomID(using: &rng)
            if EclipseRing.detect(key: key, among: RoutingFixture.closest(network, to: key), networkSize: { _ in 2000 }) != nil { rings += 1 }
        }
        #expect(rings == 0)
        // An estimate a quarter of the truth still calls none of these a ring.
        let key = RoutingFixture.randomID(using: &rng)
        #expect(EclipseRing.detect(key: key, among: RoutingFixture.closest(network, to: key), networkSize: { _ in 500 }) == nil)
    }

    @Test func groundIdentitiesAroundAKeyAreARingAtTheirDepth() throws {
        var rng = RoutingTestRandom(seed: 3)
        let honest = (0..<1000).map { _ in RoutingFixture.randomID(using: &rng) }
        let key = RoutingFixture.randomID(using: &rng)
        // 25 identities sharing at least 10 bits with the key, as a 20% attack on 8 keys of a
        // 1,000-node network places them (docs/benchmarks.md, "Adversaries in the simulator").
        let ring = (0..<25).map { _ in RoutingFixture.ground(near: key, bits: 10, using: &rng) }
        let answers = RoutingFixture.closest(honest + ring, to: key)
        let found = try #require(EclipseRing.detect(key: key, among: answers, networkSize: { _ in 1025 }))
        #expect(found.key == key)
        // Packed deeper than 10 bits on the whole (10 to 13), the ring is still found at 10 or
        // wider, so that none of it counts as outside.
        #expect((8...10).contains(found.depth), "depth \(found.depth)")
        #expect(ring.allSatisfy(found.contains))
        #expect(honest.filter(found.contains).count <= 3)
        // No estimate, no judgement; too few answers, no ring.
        #expect(EclipseRing.detect(key: key, among: answers, networkSize: { _ in 0 }) == nil)
        #expect(EclipseRing.detect(key: key, among: Array(answers.prefix(EclipseRing.minimumMembers - 1)),
                                   networkSize: { _ in 1025 }) == nil)
    }

    @Test func shellTargetsLieJustOutsideTheRing() {
        var rng = RoutingTestRandom(seed: 4)
        let key = RoutingFixture.randomID(using: &rng)
        let ring = EclipseRing(key: key, depth: 10)
        let targets = ring.shellTargets(networkSize: 1000)
        // Shells j = 9, 8, … until about 2K nodes are expected: 1000/1024 + 1000/512 + … +
        // 1000/32 = 61 ≥ 32 after j = 4.
        #expect(targets.map { $0.commonPrefixLength(with: key) } == [9, 8, 7, 6, 5, 4])
        #expect(!targets.contains(where: ring.contains))
        // A large network fills the first shell alone; a tiny one stops at maxShells.
        #expect(ring.shellTargets(networkSize: 1 << 20).count == 1)
        #expect(ring.shellTargets(networkSize: 4).count == EclipseRing.maxShells)
        #expect(EclipseRing(key: key, depth: 1).shellTargets(networkSize: 1000).map { $0.commonPrefixLength(with: key) } == [0])
    }

    @Test func aRingAroundOurOwnIDDoesNotInflateTheSizeItIsJudgedBy() {
        var rng = RoutingTestRandom(seed: 5)
        let me = RoutingFixture.randomID(using: &rng)
        // A 1,000-node network as our table sees it: bucket c holds min(16, 1000/2^(c+1)).
        var t = RoutingFixture.table(of: me, network: 1000, buckets: 10, using: &rng)
        let honestEstimate = t.estimatedNetworkSize()
        #expect((500...2048).contains(honestEstimate), "estimate \(honestEstimate)")
        // Then 24 identities ground to share 10 to 13 bits with our ID.
        for _ in 0..<24 { RoutingFixture.addVerified(RoutingFixture.ground(near: me, bits: 10, using: &rng), to: &t) }
        #expect(t.estimatedNetworkSize() >= 8 * honestEstimate, "the ring fills the buckets the estimate samples")
        let judged = t.networkSize(judgingRingAround: me, depth: 10)
        #expect((500...2048).contains(judged), "judged by \(judged)")
        // A key elsewhere: only the bucket holding its region is left out.
        let far = RoutingFixture.id(inBucket: 0, of: me, using: &rng)
        #expect(t.networkSize(judgingRingAround: far, depth: 10) == t.estimatedNetworkSize())
        // Never below what a full bucket proves, nor below the table itself.
        #expect(t.networkSize(judgingRingAround: me, depth: 2) >= max(NodeConstants.k * 2, t.count + 1))
        #expect(RoutingTable(selfID: me, limits: .unlimited).networkSize(judgingRingAround: me, depth: 10) == 0)
    }
}
