import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

@Suite struct RoutingInsertionTests {
    private func realContact(seed: UInt8, ip: String = "127.0.0.1") -> (Address, Contact) {
        let address = Address.ed25519(publicKey: [UInt8](repeating: seed, count: 32))
        return (address, Contact(nodeID: address.nodeID, address: address, endpoint: RoutingFixture.endpoint(ip)))
    }

    @Test func contactFromNodeInfo() {
        let (address, _) = realContact(seed: 1)
        let info = NodeInfo(address: address, endpoint: RoutingFixture.endpoint("1.2.3.4", 0))
        let c = Contact(nodeInfo: info)
        #expect(c.endpoint == nil)
        #expect(c.nodeInfo == nil)
        let mapped = Contact(nodeID: address.nodeID, address: address, endpoint: RoutingFixture.endpoint("::ffff:1.2.3.4", 9))
        #expect(mapped.endpoint == RoutingFixture.endpoint("1.2.3.4", 9))
        #expect(mapped.nodeInfo == NodeInfo(address: address, endpoint: RoutingFixture.endpoint("1.2.3.4", 9)))
        #expect(Contact(nodeID: address.nodeID, endpoint: RoutingFixture.endpoint("1.2.3.4", 9)).nodeInfo == nil)
    }

    @Test func hearsayNeverChangesAVerifiedEndpointEvenWhenUnknown() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        _ = t.add(Contact(nodeID: a), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(a, ip: "9.9.9.9", port: 1111), verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero)
        #expect(t.entry(for: a)?.contact.endpoint == nil)
        // A verified contact does move it.
        _ = t.add(RoutingFixture.contact(a, ip: "5.6.7.8", port: 2), verifiedAt: RoutingFixture.tick(seconds: 1), learnedFrom: nil, now: .zero)
        #expect(t.entry(for: a)?.contact.endpoint == RoutingFixture.endpoint("5.6.7.8", 2))
        // A verified contact without endpoint keeps the known one.
        _ = t.add(Contact(nodeID: a), verifiedAt: RoutingFixture.tick(seconds: 2), learnedFrom: nil, now: .zero)
        #expect(t.entry(for: a)?.contact.endpoint == RoutingFixture.endpoint("5.6.7.8", 2))
        #expect(t.entry(for: a)?.verifiedAt == RoutingFixture.tick(seconds: 2))
    }

    @Test func verifiedAtOnlyMovesForward() {
        var t = RoutingFixture.table()
        let a = RoutingFixture.id(0x80, 1)
        _ = t.add(RoutingFixture.contact(a), verifiedAt: RoutingFixture.tick(seconds: 100), learnedFrom: nil, now: RoutingFixture.tick(seconds: 100))
        _ = t.add(RoutingFixture.contact(a), verifiedAt: RoutingFixture.tick(seconds: 50), learnedFrom: nil, now: RoutingFixture.tick(seconds: 101))
        #expect(t.entry(for: a)?.verifiedAt == RoutingFixture.tick(seconds: 100))
        #expect(t.entry(for: a)?.lastSeen == RoutingFixture.tick(seconds: 101))
    }

    @Test func addressIsFilledInButNeverReplaced() {
        var t = RoutingFixture.table()
        let (address, full) = realContact(seed: 7)
        let bare = Contact(nodeID: full.nodeID, endpoint: full.endpoint)
        _ = t.add(bare, verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(t.entry(for: full.nodeID)?.contact.address == nil)
        #expect(t.entry(for: full.nodeID)?.contact.nodeInfo == nil)
        _ = t.add(full, verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero)   // consistent hearsay fills it
        #expect(t.entry(for: full.nodeID)?.contact.address == address)
        #expect(t.entry(for: full.nodeID)?.contact.nodeInfo != nil)
        let (other, _) = realContact(seed: 8)
        _ = t.add(Contact(nodeID: full.nodeID, address: other, endpoint: full.endpoint),
                  verifiedAt: .zero, learnedFrom: nil, now: .zero)
        #expect(t.entry(for: full.nodeID)?.contact.address == address)
    }

    @Test func inconsistentIdentityIsRejected() {
        var t = RoutingFixture.table()
        let (address, _) = realContact(seed: 9)
        let forged = Contact(nodeID: RoutingFixture.id(0x80, 1), address: address, endpoint: RoutingFixture.endpoint("127.0.0.1"))
        let outcome = t.add(forged, verifiedAt: nil, learnedFrom: RoutingFixture.id(0x40), now: .zero)
        #expect(outcome.rejection == .inconsistentIdentity)
        #expect(t.count == 0)
    }

    @Test func verifiedNewcomerPreferredOverHearsayInCache() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        for tail: UInt8 in 0x50..<0x55 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        }
        let v = RoutingFixture.id(0x80, 0x60)
        let outcome = t.add(RoutingFixture.contact(v), verifiedAt: RoutingFixture.tick(seconds: 1), learnedFrom: nil, now: RoutingFixture.tick(seconds: 1))
        #expect(outcome.checkedEntry?.nodeID == RoutingFixture.id(0x80, 1))   // the bucket's LRU
        let cached = t.cachedContacts(bucket: 0)
        #expect(cached.count == 5)
        #expect(!cached.contains { $0.nodeID == RoutingFixture.id(0x80, 0x50) })   // oldest hearsay made room
        #expect(cached.last?.nodeID == v)
        #expect(cached.last?.isVerified == true)
    }

    @Test func hearsayRefusedWhenCacheHoldsOnlyVerified() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        for tail: UInt8 in 0x50..<0x55 {
            _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, tail)), verifiedAt: RoutingFixture.tick(seconds: 1), learnedFrom: nil, now: .zero)
        }
        let outcome = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x70)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        #expect(outcome.rejection == .replacementCacheFull)
        // A further verified newcomer replaces the oldest verified candidate.
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x71)), verifiedAt: RoutingFixture.tick(seconds: 2), learnedFrom: nil, now: .zero)
        let cached = t.cachedContacts(bucket: 0).map(\.nodeID)
        #expect(cached == [0x51, 0x52, 0x53, 0x54, 0x71].map { RoutingFixture.id(0x80, $0) })
    }

    @Test func oneLRUCheckAtATimePerBucket() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let first = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x60)), verifiedAt: .zero, learnedFrom: nil, now: .zero)
        let lru = try #require(first.checkedEntry)
        let second = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x61)), verifiedAt: .zero, learnedFrom: nil, now: RoutingFixture.tick(seconds: 1))
        #expect(second.isCached)
        t.resolveLRUCheck(lru.nodeID, alive: true, now: RoutingFixture.tick(seconds: 2))
        let third = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x62)), verifiedAt: .zero, learnedFrom: nil, now: RoutingFixture.tick(seconds: 3))
        #expect(third.checkedEntry?.nodeID == RoutingFixture.id(0x80, 2))   // the new LRU
        // A lost answer stops blocking after the timeout.
        let fourth = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x63)), verifiedAt: .zero, learnedFrom: nil, now: RoutingFixture.tick(seconds: 4))
        #expect(fourth.isCached)
        let later = RoutingFixture.tick(seconds: 3) + RoutingTable.lruCheckTimeout
        let fifth = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x64)), verifiedAt: later, learnedFrom: nil, now: later)
        #expect(fifth.checkedEntry?.nodeID == RoutingFixture.id(0x80, 2))   // the unanswered LRU, asked again
    }

    @Test func hearsayNeverStartsAnLRUCheck() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let outcome = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x60)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        #expect(outcome.isCached)
        #expect(t.count == 16)
    }

    @Test func deadLRUPromotesMostRecentlyVerified() throws {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let older = RoutingFixture.id(0x80, 0x60), newer = RoutingFixture.id(0x80, 0x61), gossip = RoutingFixture.id(0x80, 0x62)
        let first = t.add(RoutingFixture.contact(older), verifiedAt: RoutingFixture.tick(seconds: 1), learnedFrom: nil, now: RoutingFixture.tick(seconds: 1))
        _ = t.add(RoutingFixture.contact(newer), verifiedAt: RoutingFixture.tick(seconds: 2), learnedFrom: nil, now: RoutingFixture.tick(seconds: 2))
        _ = t.add(RoutingFixture.contact(gossip), verifiedAt: nil, learnedFrom: nil, now: RoutingFixture.tick(seconds: 3))
        let lru = try #require(first.checkedEntry)
        t.resolveLRUCheck(lru.nodeID, alive: false, now: RoutingFixture.tick(seconds: 4))
        #expect(t.contains(newer))
        #expect(!t.contains(older) && t.cachedContact(for: older) != nil)
        #expect(t.entry(for: newer)?.verifiedAt == RoutingFixture.tick(seconds: 2))
        // Only hearsay left after two more removals: the newest hearsay comes after `older`.
        t.resolveLRUCheck(RoutingFixture.id(0x80, 2), alive: false, now: RoutingFixture.tick(seconds: 5))
        #expect(t.contains(older))
        t.resolveLRUCheck(RoutingFixture.id(0x80, 3), alive: false, now: RoutingFixture.tick(seconds: 6))
        #expect(t.contains(gossip))
        #expect(t.count == 16)
        #expect(t.invariantViolations().isEmpty)
    }

    @Test func cachedContactMovesToMainWhenRoomAppears() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x60)
        _ = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: .zero)
        _ = t.remove(RoutingFixture.id(0x80, 1))
        #expect(!t.contains(h))          // removal does not promote by itself
        let outcome = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: RoutingFixture.tick(seconds: 1))
        #expect(outcome.isInserted)
        #expect(t.contains(h))
        #expect(t.cachedContact(for: h) == nil)
    }

    @Test func verifiedContactForCachedNodeRefreshesIt() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x60)
        _ = t.add(RoutingFixture.contact(h, ip: "1.1.1.1"), verifiedAt: nil, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(RoutingFixture.id(0x80, 0x61)), verifiedAt: nil, learnedFrom: nil, now: .zero)
        _ = t.add(RoutingFixture.contact(h, ip: "2.2.2.2"), verifiedAt: RoutingFixture.tick(seconds: 9), learnedFrom: nil, now: RoutingFixture.tick(seconds: 9))
        let cached = t.cachedContacts(bucket: 0)
        #expect(cached.map(\.nodeID) == [RoutingFixture.id(0x80, 0x61), h])
        #expect(cached.last?.contact.endpoint == RoutingFixture.endpoint("2.2.2.2"))
        #expect(cached.last?.verifiedAt == RoutingFixture.tick(seconds: 9))
        #expect(cached.last?.arrivedAt == RoutingFixture.tick(seconds: 9))
        // Hearsay for a cached node changes neither endpoint nor arrival.
        _ = t.add(RoutingFixture.contact(h, ip: "3.3.3.3"), verifiedAt: nil, learnedFrom: nil, now: RoutingFixture.tick(seconds: 10))
        #expect(t.cachedContact(for: h)?.contact.endpoint == RoutingFixture.endpoint("2.2.2.2"))
        #expect(t.cachedContact(for: h)?.arrivedAt == RoutingFixture.tick(seconds: 9))
    }

    @Test func removeAlsoForgetsCachedCandidates() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let h = RoutingFixture.id(0x80, 0x60)
        _ = t.add(RoutingFixture.contact(h), verifiedAt: nil, learnedFrom: nil, now: .zero)
        let removed = t.remove(h)
        #expect(removed)
        #expect(t.cachedContact(for: h) == nil)
        #expect(t.count == 16)
    }

    @Test func allEntriesInBucketThenRecencyOrder() {
        var t = RoutingFixture.table()
        let order = [RoutingFixture.id(0x40, 1), RoutingFixture.id(0x80, 1), RoutingFixture.id(0x40, 2), RoutingFixture.id(0, 1), RoutingFixture.id(0x80, 2)]
        for id in order { _ = t.add(RoutingFixture.contact(id), verifiedAt: nil, learnedFrom: nil, now: .zero) }
        #expect(t.allEntries().map(\.nodeID) == [RoutingFixture.id(0x80, 1), RoutingFixture.id(0x80, 2), RoutingFixture.id(0x40, 1), RoutingFixture.id(0x40, 2), RoutingFixture.id(0, 1)])
        #expect(t.count == 5)
        #expect(t.highestNonEmptyBucket == 255)
    }
}
