import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// A batch of datagrams handed over together (docs/architecture.md, "Inbound workers") is
/// handled as the same datagrams one at a time would be: every datagram counted once, each
/// limit and check applied to each, every request answered with its own tx_id, in order.
@Suite struct InboundBatchTests {
    @Test func aMixedBatchIsAnsweredAndCountedDatagramByDatagram() async throws {
        // Three datagrams per source before the limiter refuses (burst 3, no refill to speak of).
        try await withCluster(TestCluster(size: 1, rateLimit: (perSecond: 0.001, burst: 3))) { c in
            let node = c.nodes[0]
            let a = try await RawPeer(c.network, ip: 0x0a09_0101)
            let b = try await RawPeer(c.network, ip: 0x0a09_0102)
            func datagram(_ body: MessageBody, tx: [UInt8], from peer: RawPeer) throws -> InboundDatagram {
                InboundDatagram(bytes: try Packet.encode(body: body, txID: tx, signer: peer.key), from: peer.transport.localAddress)
            }
            let (t1, t2, t3, t4, t5) = (Header.randomTxID(), Header.randomTxID(), Header.randomTxID(), Header.randomTxID(),
                                        Header.randomTxID())
            let before = node.debugStats()
            node.receive([
                try datagram(.ping(Ping(address: a.key.address)), tx: t1, from: a),
                InboundDatagram(bytes: [0xa4, 0x01, 0x02], from: a.transport.localAddress),
                try datagram(.findNode(FindNode(target: NodeID.random())), tx: t2, from: b),
                try datagram(.pong(Pong(address: b.key.address, observed: .unknown)), tx: t3, from: b),
                try datagram(.ping(Ping(address: a.key.address)), tx: t4, from: a),
                // A's fourth datagram of the batch: over its burst.
                try datagram(.ping(Ping(address: a.key.address)), tx: t5, from: a),
            ])
            try await waitUntil { a.inbox.items.withLock { $0.count } >= 2 && b.inbox.items.withLock { $0.count } >= 1 }
            let toA = try a.inbox.items.withLock { $0 }.map { try Packet.decode($0) }
            let toB = try b.inbox.items.withLock { $0 }.map { try Packet.decode($0) }
            #expect(toA.map(\.header.txID) == [t1, t4], "A's two admitted PINGs answered in order, the refused one not")
            #expect(toA.allSatisfy { if case .pong = $0.body { true } else { false } })
            #expect(toB.map(\.header.txID) == [t2])
            #expect(toB.allSatisfy { if case .findNodeResp = $0.body { true } else { false } })
            let after = node.debugStats()
            #expect(after.rxDatagrams - before.rxDatagrams == 6)
            #expect(after.droppedMalformed - before.droppedMalformed == 1)
            #expect(after.droppedRateLimited - before.droppedRateLimited == 1)
            #expect(after.rxPacketsVerified - before.rxPacketsVerified == 4)
            #expect(after.droppedUnsolicited - before.droppedUnsolicited == 1)
            // Both requesters were remembered as verified contacts.
            #expect(node.routingTableSize == 2)
        }
    }

    /// A batch of one is what a transport reading one datagram at a time hands over; an empty
    /// batch does nothing.
    @Test func anEmptyBatchChangesNothing() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let node = c.nodes[0]
            let before = node.debugStats()
            node.receive([])
            let after = node.debugStats()
            #expect(after.rxDatagrams == before.rxDatagrams)
            #expect(after.rxPacketsVerified == before.rxPacketsVerified)
        }
    }
}
