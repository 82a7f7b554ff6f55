import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

@Suite struct RoutingSelectionTests {
    /// A table with peers spread over low buckets (random IDs) and high buckets (IDs near self).
    private func randomTable(seed: UInt64, size: Int) -> (RoutingTable, RoutingTestRandom) {
        var rng = RoutingTestRandom(seed: seed)
        let selfID = RoutingFixture.randomID(using: &rng)
        var t = RoutingTable(selfID: selfID, limits: .unlimited)
        for n in 0..<size {
            let id = n % 2 == 0 ? RoutingFixture.randomID(using: &rng)
                                : RoutingFixture.id(inBucket: Int.random(in: 0..<40, using: &rng), of: selfID, using: &rng)
            let verified: Tick? = Bool.random(using: &rng) ? RoutingFixture.tick(seconds: Double(Int.random(in: 0...100, using: &rng))) : nil
            _ = t.add(RoutingFixture.contact(id), verifiedAt: verified, learnedFrom: nil, now: .zero)
        }
        return (t, rng)
    }

    private func targets(for t: RoutingTable, using rng: inout RoutingTestRandom) -> [NodeID] {
        var out = [t.selfID, RoutingFixture.randomID(using: &rng), RoutingFixture.randomID(using: &rng)]
        for b in [0, 1, 2, 5, 9, 20, 39, 60, 255] { out.append(RoutingFixture.id(inBucket: b, of: t.selfID, using: &rng)) }
        if let some = t.allEntries().randomElement(using: &rng) { out.append(some.nodeID) }
        return out
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func nearestMatchesBruteForce(seed: UInt64) {
        let (t, rngAfter) = randomTable(seed: seed, size: Int(seed) * 120)
        var rng = rngAfter
        let everything = t.allEntries()
        for target in targets(for: t, using: &rng) {
            let sorted = everything.sorted { target.distance(to: $0.nodeID) < target.distance(to: $1.nodeID) }
            for n in [1, 3, 16, 64, everything.count + 5] {
                #expect(t.nearest(to: target, count: n).map(\.nodeID) == sorted.prefix(n).map(\.nodeID))
            }
            let verifiedOnly = sorted.filter(\.isVerified)
            #expect(t.nearest(to: target, count: 20, where: \.isVerified).map(\.nodeID)
                    == verifiedOnly.prefix(20).map(\.nodeID))
        }
    }

    /// The filter is asked in distance order and no further than the entry that fills the
    /// result (a FIND_NODE answer's filter looks up health; docs/benchmarks.md, "Both cores for
    /// inbound work").
    @Test(arguments: [21, 22, 23] as [UInt64])
    func filterIsAskedInDistanceOrderUntilFull(seed: UInt64) {
        let (t, rngAfter) = randomTable(seed: seed, size: 600)
        var rng = rngAfter
        for target in targets(for: t, using: &rng) {
            let sorted = t.allEntries().sorted { target.distance(to: $0.nodeID) < target.distance(to: $1.nodeID) }
            let rejected = Set(sorted.enumerated().filter { $0.offset % 3 == 1 }.map(\.element.nodeID))
            for n in [1, 5, 16] {
                var asked: [NodeID] = []
                let got = t.nearest(to: target, count: n) { entry in
                    asked.append(entry.nodeID)
                    return !rejected.contains(entry.nodeID)
                }
                let accepted = sorted.filter { !rejected.contains($0.nodeID) }
                #expect(got.map(\.nodeID) == accepted.prefix(n).map(\.nodeID))
                // Asked: the closest entries up to the one that filled the result, in order,
                // and no others; every entry when the result never fills.
                var expected = sorted.map(\.nodeID)
                if got.count == n, let last = got.last, let at = sorted.firstIndex(where: { $0.nodeID == last.nodeID }) {
                    expected = Array(expected.prefix(at + 1))
                }
                #expect(asked == expected)
            }
        }
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func nearestVerifiedIsFreshThenStale(seed: UInt64) {
        let (t, rngAfter) = randomTable(seed: seed, size: 600)
        var rng = rngAfter
        let cutoff = RoutingFixture.tick(seconds: 50)
        for target in targets(for: t, using: &rng) {
            let byDistance = t.allEntries().sorted { target.distance(to: $0.nodeID) < target.distance(to: $1.nodeID) }
            let expected = byDistance.filter { $0.isFresh(cutoff: cutoff) }
                + byDistance.filter { $0.isVerifiedStale(cutoff: cutoff) }
            for n in [1, 8, 16, 64, 1000] {
                let got = t.nearestVerified(to: target, count: n, freshCutoff: cutoff)
                #expect(got.map(\.nodeID) == expected.prefix(n).map(\.nodeID))
                #expect(got.allSatisfy { $0.isVerified })
            }
        }
    }

    @Test func nearestVerifiedHonoursFilter() {
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...6 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: RoutingFixture.tick(seconds: Double(tail)), learnedFrom: nil, now: .zero)
        }
        let requester = RoutingFixture.id(0x80, 1)
        let got = t.nearestVerified(to: requester, count: 16, freshCutoff: RoutingFixture.tick(seconds: 3)) { $0.nodeID != requester }
        #expect(got.map(\.nodeID) == [5, 4, 6, 3, 2].map { RoutingFixture.id(0x80, $0) })
    }

    @Test func emptyTableAndZeroCount() {
        let t = RoutingFixture.table()
        #expect(t.nearest(to: .zero, count: 16).isEmpty)
        #expect(t.nearestVerified(to: .zero, count: 16, freshCutoff: .zero).isEmpty)
    }

    @Test func bucketOrderVisitsEveryBucketOnce() {
        var rng = RoutingTestRandom(seed: 99)
        let t = RoutingTable(selfID: RoutingFixture.randomID(using: &rng))
        for target in [t.selfID, RoutingFixture.randomID(using: &rng), RoutingFixture.id(inBucket: 255, of: t.selfID, using: &rng),
                       RoutingFixture.id(inBucket: 100, of: t.selfID, using: &rng)] {
            var visited: [Int] = []
            t.forEachBucketByDistance(to: target) { visited.append($0); return true }
            #expect(visited.sorted() == Array(0..<256))
        }
    }
}
