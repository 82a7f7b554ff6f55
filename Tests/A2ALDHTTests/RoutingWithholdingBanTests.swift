import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// The routing table's ban on peers caught withholding records (docs/security.md, "Peers that
/// drop records"): out at once, refused while the ban lasts, admitted again after it.
@Suite struct RoutingWithholdingBanTests {
    private func add(_ t: inout RoutingTable, _ id: NodeID, now: Tick, verified: Bool = true) -> AddOutcome {
        t.add(RoutingFixture.contact(id), verifiedAt: verified ? now : nil, learnedFrom: nil, now: now)
    }

    @Test func aBannedPeerLeavesAndStaysOutUntilItsBanEnds() {
        var t = RoutingFixture.table()
        let liar = RoutingFixture.id(0x80, 1), honest = RoutingFixture.id(0x80, 2)
        let start = RoutingFixture.tick(seconds: 100)
        #expect(add(&t, liar, now: start).isInserted)
        #expect(add(&t, honest, now: start).isInserted)

        t.banForWithholding(liar, now: start)
        #expect(!t.contains(liar))
        #expect(t.contains(honest))
        #expect(t.count == 1)
        #expect(t.isBannedForWithholding(liar, now: start))
        #expect(!t.isBannedForWithholding(honest, now: start))
        #expect(t.bannedForWithholding(now: start).count == 1)

        let during = start + NodeConstants.withholdingBan - .seconds(1)
        #expect(add(&t, liar, now: during).rejection == .withholdsRecords)
        #expect(add(&t, liar, now: during, verified: false).rejection == .withholdsRecords)
        #expect(!t.contains(liar))

        let after = start + NodeConstants.withholdingBan
        #expect(!t.isBannedForWithholding(liar, now: after))
        #expect(t.bannedForWithholding(now: after).count == 0)
        #expect(add(&t, liar, now: after).isInserted)
        #expect(t.invariantViolations().isEmpty)
    }

    @Test func aCachedCandidateIsBannedToo() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let waiting = RoutingFixture.id(0x80, 200)
        #expect(add(&t, waiting, now: .zero, verified: false).isStored)
        #expect(t.cachedContact(for: waiting) != nil)
        t.banForWithholding(waiting, now: .zero)
        #expect(t.cachedContact(for: waiting) == nil)
        #expect(t.count == NodeConstants.k)
    }

    @Test func theLedgerKeepsTheNewestBansWithinItsCap() {
        var ledger = WithholdingPeers()
        let cap = NodeConstants.withholdingLedgerCap
        var rng = RoutingTestRandom(seed: 7)
        let ids = (0..<(cap + 10)).map { _ in RoutingFixture.randomID(using: &rng) }
        for (i, id) in ids.enumerated() { ledger.mark(id, now: RoutingFixture.tick(seconds: Double(i) / 1000)) }
        let now = RoutingFixture.tick(seconds: 60)
        #expect(ledger.lasting(now: now).count == cap)
        #expect(!ledger.contains(ids[0], now: now), "the oldest ban outlived the cap")
        #expect(!ledger.contains(ids[9], now: now))
        #expect(ledger.contains(ids[10], now: now))
        #expect(ledger.contains(ids[cap + 9], now: now))
    }
}
