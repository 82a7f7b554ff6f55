import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// The behaviours of docs/routing.md §7 items 1–18, adapted where docs/deviations.md changes the
/// outcome (a full bucket no longer pings inside `add`: items 7/8 use checkLRU + resolveLRUCheck).
@Suite struct RoutingTableSpecTests {
    @Test func item1_selfHasNoBucket() {
        #expect(RoutingFixture.table().bucketIndex(of: .zero) == nil)
    }

    @Test func item2_farHalfIsBucketZero() {
        #expect(RoutingFixture.table().bucketIndex(of: RoutingFixture.id(0x80)) == 0)
        #expect(RoutingFixture.table().bucketIndex(of: RoutingFixture.id(0x40)) == 1)
        #expect(RoutingFixture.table().bucketIndex(of: RoutingFixture.id(0, 1)) == 255)
    }

    @Test func item3_xorCloseness() {
        let target = RoutingFixture.id(0, 0x01)
        #expect(target.isCloser(RoutingFixture.id(0, 0x02), than: RoutingFixture.id(0, 0x04)))
    }

    @Test func item4_verifiedAddLandsInBucketZero() {
        var t = RoutingFixture.table()
        let outcome = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 1)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(outcome.isInserted)
        #expect(t.bucketIndex(of: RoutingFixture.id(0x80)) == 0)
        #expect(t.bucketLength(0) == 1)
        #expect(t.count == 1)
    }

    @Test func item5_selfIsRejected() {
        var t = RoutingFixture.table(selfID: RoutingFixture.id(0x80))
        let outcome = t.add(RoutingFixture.contact(RoutingFixture.id(0x80)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(outcome.rejection == .isSelf)
        #expect(t.count == 0)
    }

    @Test func item6_nearestOrdersByXor() {
        var t = RoutingFixture.table()
        for tail: UInt8 in [0x11, 0x13, 0x12] {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        }
        let near = t.nearest(to: RoutingFixture.id(0x80, 0x10), count: 2)
        #expect(near.map(\.nodeID) == [RoutingFixture.id(0x80, 0x11), RoutingFixture.id(0x80, 0x12)])
        #expect(t.nearest(to: RoutingFixture.id(0x80, 0x10), count: 0).isEmpty)
    }

    @Test func item7_fullBucketDeadLRUIsReplaced() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let newcomer = RoutingFixture.id(0x80, 0x77)
        let outcome = t.add(RoutingFixture.contact(newcomer), verifiedAt: RoutingFixture.tick(seconds: 5), learnedFrom: nil,
                            now: RoutingFixture.tick(seconds: 5))
        let lru = try #require(outcome.checkedEntry)
        #expect(lru.nodeID == RoutingFixture.id(0x80, 1))   // the first added
        #expect(t.count == 16)
        #expect(!t.contains(newcomer))
        t.resolveLRUCheck(lru.nodeID, alive: false, now: RoutingFixture.tick(seconds: 8))
        #expect(t.contains(newcomer))
        #expect(!t.contains(lru.nodeID))
        #expect(t.count == 16)
        #expect(t.cachedContact(for: newcomer) == nil)
    }

    @Test func item8_fullBucketLiveLRUIsKept() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let newcomer = RoutingFixture.id(0x80, 0x77)
        let outcome = t.add(RoutingFixture.contact(newcomer), verifiedAt: RoutingFixture.tick(seconds: 5), learnedFrom: nil,
                            now: RoutingFixture.tick(seconds: 5))
        let lru = try #require(outcome.checkedEntry)
        t.resolveLRUCheck(lru.nodeID, alive: true, now: RoutingFixture.tick(seconds: 6))
        #expect(t.count == 16)
        #expect(!t.contains(newcomer))
        #expect(t.cachedContact(for: newcomer) != nil)   // kept as a replacement (deviation 1)
        #expect(t.allEntries().last?.nodeID == lru.nodeID)
        #expect(t.entry(for: lru.nodeID)?.verifiedAt == RoutingFixture.tick(seconds: 6))
    }

    @Test func item9_touchMovesToMostRecent() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1), b = RoutingFixture.id(0x80, 2)
        _ = t.add(RoutingFixture.contact(a), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(b), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(t.leastRecentlySeen(inBucket: 0)?.nodeID == a)
        let r1 = t.add(RoutingFixture.contact(a), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(r1.isRefreshed)
        #expect(t.leastRecentlySeen(inBucket: 0)?.nodeID == b)
    }

    @Test func item10_removeForgets() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        _ = t.add(RoutingFixture.contact(a), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        let r2 = t.remove(a)
        #expect(r2)
        #expect(!t.contains(a))
        #expect(t.count == 0)
        let r3 = t.remove(a)
        #expect(!r3)
    }

    @Test func item11_hearsayFillsFreeRoom() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        #expect(t.add(RoutingFixture.contact(a), verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero).isInserted)
        #expect(t.contains(a))
        #expect(t.entry(for: a)?.verifiedAt == nil)
        #expect(t.entry(for: a)?.learnedFrom == RoutingFixture.id(0x40))
    }

    @Test func item12_hearsayForFullBucketIsCachedAndProbed() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x55)
        #expect(t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero).isCached)
        #expect(t.count == 16)
        #expect(!t.contains(h))
        let now = RoutingFixture.tick(seconds: 1)
        let work = t.collectMaintenanceWork(now: now, freshCutoff: now - .seconds(1800), staleCutoff: now - .seconds(1800))
        #expect(work.pendingToProbe.map(\.nodeID) == [h])
    }

    @Test func item13_cacheIsFIFOOfFive() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        for tail: UInt8 in 0x50..<0x57 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        }
        let cached = t.cachedContacts(bucket: 0).map(\.nodeID)
        #expect(cached == (0x52..<0x57).map { RoutingFixture.id(0x80, $0) })
        #expect(t.discoveryCount(bucket: 0) == 21)
    }

    @Test func item14_oldCacheEntriesExpire() {
        var t = RoutingFixture.table()
        let now = RoutingFixture.tick(seconds: 10 * 3600)
        RoutingFixture.fillBucketZero(&t, verifiedAt: now, now: now)
        let old = now - .seconds(2 * 3600 + 60)
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x55)), verifiedAt: nil, learnedFrom: nil, now: old)
        let work = t.collectMaintenanceWork(now: now, freshCutoff: now - .seconds(1800), staleCutoff: now - .seconds(1800))
        #expect(work.pendingToProbe.isEmpty)
        #expect(t.cachedContacts(bucket: 0).isEmpty)
    }

    @Test func item15_cachedCandidatePromotedWhenRoom() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x55)
        _ = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: .zero)
        let r4 = t.markCachedVerified(h, now: RoutingFixture.tick(seconds: 1))
        #expect(!r4)   // no room yet
        let r5 = t.remove(RoutingFixture.id(0x80, 3))
        #expect(r5)
        let r6 = t.markCachedVerified(h, now: RoutingFixture.tick(seconds: 2))
        #expect(r6)
        #expect(t.contains(h))
        #expect(t.entry(for: h)?.verifiedAt == RoutingFixture.tick(seconds: 2))
        #expect(t.cachedContact(for: h) == nil)
    }

    @Test func item16_hearsayDoesNotMoveVerifiedEndpoint() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        _ = t.add(RoutingFixture.contact(a, ip: "1.2.3.4", port: 9000), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(a, ip: "9.9.9.9", port: 1111), verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero)
        #expect(t.entry(for: a)?.contact.endpoint == RoutingFixture.endpoint("1.2.3.4", 9000))
    }

    @Test func item17_networkSizeEstimate() {
        var t = RoutingFixture.table()
        let now = RoutingFixture.tick(seconds: 3600)
        for tail: UInt8 in 1...8 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: now, learnedFrom: nil, now: now)
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x40, tail)), verifiedAt: nil, learnedFrom: nil, now: now)
        }
        let filtered = t.estimatedNetworkSizeFiltered(cutoff: now - .seconds(1800))
        #expect(filtered.estimate == 16)
        #expect(filtered.confidence == 0.2)
        #expect(t.estimatedNetworkSize() > 0)
    }

    @Test func item18_updateVerifiedAtOnHearsay() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        _ = t.add(RoutingFixture.contact(a), verifiedAt: nil, learnedFrom: nil, now: .zero)
        t.updateVerifiedAt(a, RoutingFixture.tick(seconds: 42))
        #expect(t.entry(for: a)?.verifiedAt == RoutingFixture.tick(seconds: 42))
        t.updateVerifiedAt(a, RoutingFixture.tick(seconds: 7))   // never backwards
        #expect(t.entry(for: a)?.verifiedAt == RoutingFixture.tick(seconds: 42))
    }
}
