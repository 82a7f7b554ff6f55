import A2ALCore
import A2ALProtocol
import Testing
@testable import A2ALDHT

@Suite struct RecentLookupsTests {
    func info(_ i: UInt8) -> NodeInfo {
        let address = Address.ed25519(publicKey: [UInt8](repeating: i, count: 32))
        return NodeInfo(address: address, endpoint: WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0000 | UInt32(i)), port: 4121))
    }

    func key(_ i: UInt8) -> NodeID { Address.ed25519(publicKey: [UInt8](repeating: 200 &+ i, count: 32)).nodeID }

    @Test func answersAreReusedUntilTheyAge() {
        var memo = RecentLookups()
        let t0 = Tick(nanoseconds: 1_000_000_000)
        memo.remember(key(1), [info(1), info(2)], at: t0)
        #expect(memo.fresh(key(1), now: t0 + .seconds(59))?.count == 2)
        #expect(memo.fresh(key(1), now: t0 + .seconds(61)) == nil)
        #expect(memo.fresh(key(2), now: t0) == nil)
        memo.remember(key(3), [], at: t0)
        #expect(memo.fresh(key(3), now: t0) == nil, "an empty answer is not remembered")
    }

    @Test func staysWithinCapacityDroppingTheOldest() {
        var memo = RecentLookups()
        let t0 = Tick(nanoseconds: 1_000_000_000)
        for i in 0..<UInt8(RecentLookups.capacity + 3) {
            memo.remember(key(i), [info(i)], at: t0 + .milliseconds(Int64(i)))
        }
        let now = t0 + .seconds(1)
        let kept = (0..<UInt8(RecentLookups.capacity + 3)).filter { memo.fresh(key($0), now: now) != nil }
        #expect(kept.count == RecentLookups.capacity)
        #expect(kept.first == 3, "the three oldest answers were dropped")
    }
}
