import A2ALCore
import Testing
@testable import A2ALDHT

/// The routing table's health class counts (`node.info`'s `good_peers`, `node.stats`' health)
/// are kept between calls, and every change that can move them is seen.
@Suite struct HealthCountsMemoTests {
    private static func state(healthCapacity: Int) -> NodeState {
        NodeState(
            routing: RoutingFixture.table(), store: RecordStore(maxKeys: 16), health: PeerHealthTable(maxEntries: healthCapacity),
            seen: SeenPeers(selfID: .zero), dial: DialBook(capacity: 16), inboundLimiter: nil,
            natEchoLimiter: FixedWindowLimiter(limit: 1, window: .seconds(1), maxSources: 1), globalLimiter: nil,
            generations: PeerGenerationTable(capacity: 16),
            pushLimiter: FixedWindowLimiter(limit: 1, window: .seconds(1), maxSources: 1))
    }

    private static func counts(_ s: inout NodeState) -> [Int] {
        let c = s.routingHealthCounts()
        return [c.good, c.bad, c.unknown]
    }

    @Test func countsFollowEveryChangeOfTheTableAndOfThePeersClasses() {
        var s = Self.state(healthCapacity: 2)
        let now = RoutingFixture.tick(seconds: 100)
        let (a, b, c, outsider) = (RoutingFixture.id(0x80, 1), RoutingFixture.id(0x80, 2), RoutingFixture.id(0x80, 3),
                                   RoutingFixture.id(0x80, 4))
        for id in [a, b, c] {
            _ = s.routing.add(RoutingFixture.contact(id), verifiedAt: now, learnedFrom: nil, now: now)
        }
        #expect(Self.counts(&s) == [0, 0, 3])

        s.health.recordSuccess(a, rtt: nil, now: now)
        #expect(Self.counts(&s) == [1, 0, 2])
        #expect(Self.counts(&s) == [1, 0, 2])  // kept, nothing changed

        s.health.recordFailure(a, now: now)
        s.health.recordFailure(a, now: now)
        #expect(Self.counts(&s) == [0, 1, 2])

        _ = s.routing.remove(a)
        #expect(Self.counts(&s) == [0, 0, 2])

        // Room for two records: a third evicts the least recently touched (b's), so b is unknown
        // again. One failure leaves the outsider unknown: no transition, only the eviction.
        s.health.recordSuccess(b, rtt: nil, now: now)
        s.health.recordSuccess(c, rtt: nil, now: now)
        #expect(Self.counts(&s) == [2, 0, 0])
        #expect(s.health.recordFailure(outsider, now: now) == nil)
        #expect(Self.counts(&s) == [1, 0, 1])

        // Records untouched for a day are pruned: every peer is unknown.
        s.health.prune(now: now + PeerHealthTable.entryTTL + .seconds(1))
        #expect(Self.counts(&s) == [0, 0, 2])

        _ = s.routing.add(RoutingFixture.contact(a), verifiedAt: now, learnedFrom: nil, now: now)
        #expect(Self.counts(&s) == [0, 0, 3])
    }
}
