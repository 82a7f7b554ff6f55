import A2ALSimulation
import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

@Suite struct RoutingMaintenanceTests {
    private static let window: Duration = .seconds(30 * 60)

    private func collect(_ t: inout RoutingTable, at now: Tick) -> MaintenanceWork {
        t.collectMaintenanceWork(now: now, freshCutoff: now - Self.window, staleCutoff: now - Self.window)
    }

    @Test func refillCooldownsFollowFutileCount() {
        let clock = ManualClock()
        var t = RoutingFixture.table()
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 1)), verifiedAt: clock.now(), learnedFrom: nil, now: clock.now())
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [0])   // never refilled yet
        clock.advance(by: .seconds(10))
        #expect(collect(&t, at: clock.now()).bucketsToRefill.isEmpty)
        clock.advance(by: .seconds(20))
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [0])   // 30 s
        // Each futile refill lengthens the wait: 2 min, 10 min, then 15 min for good.
        for cooldown in [120, 600, 900, 900] {
            t.recordRefillOutcome(bucket: 0, improved: false)
            clock.advance(by: .seconds(cooldown - 1))
            #expect(collect(&t, at: clock.now()).bucketsToRefill.isEmpty)
            clock.advance(by: .seconds(1))
            #expect(collect(&t, at: clock.now()).bucketsToRefill == [0])
        }
        t.recordRefillOutcome(bucket: 0, improved: true)
        clock.advance(by: .seconds(30))
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [0])
        t.recordRefillOutcome(bucket: 999, improved: false)   // out of range: ignored
    }

    @Test func healthyBucketIsNotRefilledAndResetsBackoff() {
        let clock = ManualClock()
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...8 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: clock.now(), learnedFrom: nil, now: clock.now())
        }
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x40, 1)), verifiedAt: clock.now(), learnedFrom: nil, now: clock.now())
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [1])
        // Bucket 0 goes stale after the fresh window; its futile count starts from zero.
        t.recordRefillOutcome(bucket: 0, improved: false)
        t.recordRefillOutcome(bucket: 0, improved: false)
        clock.advance(by: .seconds(31 * 60))
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [0, 1])
        clock.advance(by: .seconds(30))
        #expect(collect(&t, at: clock.now()).bucketsToRefill == [0, 1])
    }

    @Test func emptyBucketsBelowTheHighestAreRefilled() {
        var t = RoutingFixture.table()
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x10, 1)), verifiedAt: .zero, learnedFrom: nil, now: .zero)   // bucket 3
        #expect(collect(&t, at: .zero).bucketsToRefill == [0, 1, 2, 3])
        var empty = RoutingFixture.table()
        #expect(collect(&empty, at: .zero).bucketsToRefill.isEmpty)
    }

    @Test func staleEntriesAreListed() {
        var t = RoutingFixture.table()
        let start = RoutingFixture.tick(seconds: 100)
        let gossip = RoutingFixture.id(0x80, 1), verified = RoutingFixture.id(0x80, 2), recent = RoutingFixture.id(0x80, 3)
        _ = t.add(RoutingFixture.contact(gossip), verifiedAt: nil, learnedFrom: nil, now: start)
        _ = t.add(RoutingFixture.contact(verified), verifiedAt: start, learnedFrom: nil, now: start)
        let almost = start + .seconds(30 * 60)
        #expect(collect(&t, at: almost).staleToProbe.isEmpty)   // added exactly at the cutoff: not stale
        let later = start + .seconds(31 * 60)
        #expect(collect(&t, at: later).staleToProbe.map(\.nodeID) == [gossip])
        _ = t.add(RoutingFixture.contact(recent), verifiedAt: later, learnedFrom: nil, now: later)
        let hourOn = start + RoutingTable.verifiedStaleAge + .seconds(1)
        #expect(collect(&t, at: hourOn).staleToProbe.map(\.nodeID) == [gossip, verified])
        // A successful probe refreshes it out of the list.
        t.updateVerifiedAt(verified, hourOn)
        #expect(collect(&t, at: hourOn).staleToProbe.map(\.nodeID) == [gossip])
    }

    @Test func verifiedCandidatesAreProbedOnlyWhenThereIsRoom() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let v = RoutingFixture.id(0x80, 0x60), h = RoutingFixture.id(0x80, 0x61)
        let outcome = t.add(RoutingFixture.contact(v), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: .zero)
        #expect(collect(&t, at: .zero).pendingToProbe.map(\.nodeID) == [h])
        let lru = try #require(outcome.checkedEntry)
        _ = t.remove(lru.nodeID)
        #expect(collect(&t, at: .zero).pendingToProbe.map(\.nodeID) == [v, h])
        let promoted = t.markCachedVerified(v, now: RoutingFixture.tick(seconds: 1))
        #expect(promoted)
        let dropped = t.dropCached(h)
        #expect(dropped)
        #expect(collect(&t, at: .zero).pendingToProbe.isEmpty)
        #expect(t.invariantViolations().isEmpty)
    }

    @Test func markCachedVerifiedWithoutRoomMarksTheCandidate() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x61)
        _ = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: .zero)
        let promoted = t.markCachedVerified(h, now: RoutingFixture.tick(seconds: 3))
        #expect(!promoted)
        #expect(t.cachedContact(for: h)?.verifiedAt == RoutingFixture.tick(seconds: 3))
        let unknown = t.markCachedVerified(RoutingFixture.id(0x80, 0x70), now: .zero)
        #expect(!unknown)
    }

    @Test func randomIDHasExactPrefix() {
        var rng = RoutingTestRandom(seed: 5)
        for selfID in [NodeID.zero, RoutingFixture.randomID(using: &rng), RoutingFixture.randomID(using: &rng)] {
            for bucket in 0..<RoutingTable.bucketCount {
                let id = RoutingTable.randomID(inBucket: bucket, of: selfID)
                #expect(selfID.commonPrefixLength(with: id) == bucket)
            }
            let a = RoutingTable.randomID(inBucket: 3, of: selfID), b = RoutingTable.randomID(inBucket: 3, of: selfID)
            #expect(a != b)   // 252 random bits
        }
    }
}
