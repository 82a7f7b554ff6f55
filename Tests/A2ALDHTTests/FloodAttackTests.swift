import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Sybil and distributed floods on the in-memory network (docs/security.md, "Remote peers"):
/// the routing table admits few identities per network, the global limit caps what reaches the
/// signature checks, a legitimate peer is still served, and every datagram is accounted for.
@Suite(.serialized) struct FloodAttackTests {
    /// rx = verified + every kind of drop, once the node has classified all it received.
    func accounted(_ s: DebugStats) -> Bool {
        s.rxDatagrams == s.rxPacketsVerified + s.droppedMalformed + s.droppedUnknownType + s.droppedRateLimited
            + s.droppedGlobalRateLimited
    }

    @Test func manyIdentitiesFromOneNetworkGetAFewRoutingSlots() async throws {
        try await withCluster(TestCluster(size: 2, rateLimit: nil)) { c in
            let node = c.nodes[0]
            let rssBefore = residentBytes()
            // 250 identities from 250 addresses of 198.51.100.0/24.
            var sybils: [RawPeer] = []
            for i in 0..<250 { sybils.append(try await RawPeer(c.network, ip: 0xC633_6400 + UInt32(i + 1))) }
            for s in sybils { try s.send(.ping(Ping(address: s.key.address)), to: c.address(0)) }
            #expect(try await eventually { sybils.allSatisfy { $0.inbox.items.withLock { !$0.isEmpty } } }, "every PING answered")
            let fromFlood = node.routingEntries().filter { $0.contact.endpoint?.ip.bytes.prefix(3) == [198, 51, 100] }
            #expect(fromFlood.count <= RoutingLimits.defaultMaxPerSubnet)
            // A legitimate peer on another network still gets in and is served.
            _ = try await c.nodes[1].ping(c.address(0), timeout: .seconds(5))
            #expect(node.routingEntries().contains { $0.contact.nodeID == c.nodes[1].nodeID })
            #expect(try await eventually { accounted(node.debugStats()) }, "not every datagram accounted for: \(node.debugStats())")
            if let before = rssBefore, let after = residentBytes() {
                #expect(after - before < 64 << 20, "resident memory grew by \(after - before) bytes")
            }
        }
    }

    @Test func aDistributedFloodIsCappedByTheGlobalLimitAndEveryDatagramIsCounted() async throws {
        try await withCluster(TestCluster(size: 1, rateLimit: nil)) { c in
            // A small global limit so the test floods past it quickly: 200 datagrams, then 50/s.
            let clock = c.clock
            let node = c.nodes[0]
            node.state.withLock { $0.globalLimiter = GlobalRateLimiter(ratePerSecond: 50, burst: 200) }
            let rssBefore = residentBytes()
            var flooders: [RawPeer] = []
            for i in 0..<100 { flooders.append(try await RawPeer(c.network, ip: 0xCB00_7100 + UInt32(i + 1))) }
            let start = clock.now()
            var sent = 0
            for f in flooders {
                for j in 0..<10 {
                    // Mixed: valid PINGs, garbage, and an unknown message type.
                    switch j % 3 {
                    case 0: try f.send(.ping(Ping(address: f.key.address)), to: c.address(0))
                    case 1: try f.transport.send([0xa4, 0x01, 0xff], to: c.address(0))
                    default:
                        var d = try Packet.encode(body: .ping(Ping(address: f.key.address)), txID: Header.randomTxID(), signer: f.key)
                        d[9] = 0x0d  // header msg_type → 0x0D, unknown in every generation
                        try f.transport.send(d, to: c.address(0))
                    }
                    sent += 1
                }
            }
            // A datagram is counted on arrival and classified a moment later, on an inbound
            // worker: wait until the last one is both.
            #expect(try await eventually {
                let s = node.debugStats()
                return s.rxDatagrams == UInt64(sent) && accounted(s)
            }, "\(sent) datagrams sent; not all arrived and were accounted for: \(node.debugStats())")
            let s = node.debugStats()
            let elapsed = (clock.now() - start).seconds
            #expect(s.droppedGlobalRateLimited > 0)
            #expect(Double(sent) - Double(s.droppedGlobalRateLimited) <= 200 + 50 * elapsed + 1, "more passed than the limit allows")
            #expect(s.droppedMalformed > 0 || s.droppedUnknownType > 0 || s.rxPacketsVerified > 0)
            if let before = rssBefore, let after = residentBytes() {
                #expect(after - before < 64 << 20, "resident memory grew by \(after - before) bytes")
            }
        }
    }
}
