import Testing
import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

@Suite struct RoutingSybilTests {
    private func add(_ t: inout RoutingTable, _ id: NodeID, _ ip: String, verified: Bool = true) -> AddOutcome {
        t.add(RoutingFixture.contact(id, ip: ip), verifiedAt: verified ? .zero : nil, learnedFrom: nil, now: .zero)
    }

    @Test func perBucketIPv4Limit() {
        var t = RoutingFixture.table()
        let o1 = add(&t, RoutingFixture.id(0x80, 1), "8.8.8.1"); #expect(o1.isInserted)
        let o2 = add(&t, RoutingFixture.id(0x80, 2), "8.8.8.2"); #expect(o2.isInserted)
        let o3 = add(&t, RoutingFixture.id(0x80, 3), "8.8.8.3"); #expect(o3.rejection == .subnetLimit)
        let o4 = add(&t, RoutingFixture.id(0x80, 4), "8.8.8.4", verified: false); #expect(o4.rejection == .subnetLimit)
        let o5 = add(&t, RoutingFixture.id(0x80, 5), "8.8.9.1"); #expect(o5.isInserted)
        let o6 = add(&t, RoutingFixture.id(0x40, 1), "8.8.8.3"); #expect(o6.isInserted)   // another bucket
        let o7 = add(&t, RoutingFixture.id(0x80, 6), "::ffff:8.8.8.7"); #expect(o7.rejection == .subnetLimit)   // mapped IPv4 counts
        #expect(t.count == 4)
    }

    @Test func perBucketIPv6Limit() {
        var t = RoutingFixture.table()
        let o8 = add(&t, RoutingFixture.id(0x80, 1), "2001:db8:1:1::1"); #expect(o8.isInserted)
        let o9 = add(&t, RoutingFixture.id(0x80, 2), "2001:db8:1:1:ffff::2"); #expect(o9.isInserted)
        let o10 = add(&t, RoutingFixture.id(0x80, 3), "2001:db8:1:1::3"); #expect(o10.rejection == .subnetLimit)
        let o11 = add(&t, RoutingFixture.id(0x80, 4), "2001:db8:1:2::1"); #expect(o11.isInserted)
    }

    @Test func tableWideLimit() {
        var t = RoutingFixture.table()
        var accepted = 0, refused = 0
        for bucket: UInt8 in 0..<6 {
            for tail: UInt8 in 1...2 {
                let outcome = add(&t, RoutingFixture.id(0x80 >> bucket, tail), "8.8.8.\(bucket * 2 + tail)")
                if outcome.isInserted { accepted += 1 } else if outcome.rejection == .subnetLimit { refused += 1 }
            }
        }
        #expect(accepted == RoutingLimits.defaultMaxPerSubnet)
        #expect(refused == 2)
        // Removing one frees a slot.
        _ = t.remove(RoutingFixture.id(0x80, 1))
        let o12 = add(&t, RoutingFixture.id(0x80 >> 5, 1), "8.8.8.200"); #expect(o12.isInserted)
        #expect(t.invariantViolations().isEmpty)
    }

    @Test(arguments: ["127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.1", "192.168.1.1",
                      "169.254.3.4", "100.64.0.1", "100.127.255.1", "::1", "fe80::1", "febf::1", "fc00::1", "fd12::1"])
    func exemptRangesAreUnlimited(ip: String) {
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...16 { let o13 = add(&t, RoutingFixture.id(0x80, tail), ip); #expect(o13.isInserted) }
        #expect(t.count == 16)
    }

    @Test(arguments: ["172.32.0.1", "172.15.0.1", "100.128.0.1", "100.63.0.1", "11.0.0.1", "192.169.0.1",
                      "fec0::1", "fe00::1", "2001:db8::1", "::2"])
    func neighbouringRangesAreLimited(ip: String) {
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...2 { let o14 = add(&t, RoutingFixture.id(0x80, tail), ip); #expect(o14.isInserted) }
        let o15 = add(&t, RoutingFixture.id(0x80, 3), ip); #expect(o15.rejection == .subnetLimit)
    }

    @Test func unlimitedAcceptsOnePrefix() {
        var t = RoutingFixture.table(limits: .unlimited)
        for tail: UInt8 in 1...16 { let o16 = add(&t, RoutingFixture.id(0x80, tail), "8.8.8.8"); #expect(o16.isInserted) }
        #expect(t.count == 16)
    }

    @Test func endpointMoveIntoCrowdedPrefixIsRefused() {
        var t = RoutingFixture.table()
        _ = add(&t, RoutingFixture.id(0x80, 1), "8.8.8.1")
        _ = add(&t, RoutingFixture.id(0x80, 2), "8.8.8.2")
        _ = add(&t, RoutingFixture.id(0x80, 3), "9.9.9.9")
        let o17 = add(&t, RoutingFixture.id(0x80, 3), "8.8.8.3"); #expect(o17.rejection == .subnetLimit)
        #expect(t.entry(for: RoutingFixture.id(0x80, 3))?.contact.endpoint == RoutingFixture.endpoint("9.9.9.9"))
        let o18 = add(&t, RoutingFixture.id(0x80, 3), "7.7.7.7"); #expect(o18.isRefreshed)
        #expect(t.invariantViolations().isEmpty)
    }

    @Test func replacementCacheIsLimitedToo() {
        var t = RoutingFixture.table()
        RoutingFixture.fillBucketZero(&t)
        let o19 = add(&t, RoutingFixture.id(0x80, 0x60), "8.8.8.1", verified: false); #expect(o19.isCached)
        let o20 = add(&t, RoutingFixture.id(0x80, 0x61), "8.8.8.2", verified: false); #expect(o20.isCached)
        let o21 = add(&t, RoutingFixture.id(0x80, 0x62), "8.8.8.3", verified: false); #expect(o21.rejection == .subnetLimit)
        #expect(t.cachedContacts(bucket: 0).count == 2)
    }

    @Test func promotionSkipsCandidatesOverTheLimit() throws {
        var t = RoutingFixture.table()
        for tail: UInt8 in 1...14 { _ = add(&t, RoutingFixture.id(0x80, tail), "127.0.0.1") }
        _ = add(&t, RoutingFixture.id(0x80, 0x20), "8.8.8.1")
        _ = add(&t, RoutingFixture.id(0x80, 0x21), "8.8.8.2")
        let crowded = RoutingFixture.id(0x80, 0x60), fine = RoutingFixture.id(0x80, 0x61)
        _ = t.add(RoutingFixture.contact(fine, ip: "5.5.5.5"), verifiedAt: nil, learnedFrom: nil, now: .zero)
        let outcome = t.add(RoutingFixture.contact(crowded, ip: "8.8.8.3"), verifiedAt: RoutingFixture.tick(seconds: 1), learnedFrom: nil,
                            now: RoutingFixture.tick(seconds: 1))
        let lru = try #require(outcome.checkedEntry)
        t.resolveLRUCheck(lru.nodeID, alive: false, now: RoutingFixture.tick(seconds: 2))
        #expect(t.contains(fine))
        #expect(!t.contains(crowded))
        #expect(t.invariantViolations().isEmpty)
    }
}
