import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// An attacker endpoint on the cluster's network that sends raw datagrams and records what
/// it receives.
final class RawPeer: Sendable {
    final class Inbox: Sendable { let items = Mutex<[[UInt8]]>([]) }

    let transport: MemoryTransport
    let key = Ed25519.KeyPair.generate()
    let inbox = Inbox()

    init(_ network: MemoryNetwork, ip: UInt32) async throws {
        transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ip), port: 9))
        let inbox = self.inbox
        try await transport.start { d, _ in inbox.items.withLock { $0.append(d) } }
    }

    func send(_ body: MessageBody, tx: [UInt8] = Header.randomTxID(), to: PeerAddress) throws {
        try transport.send(try Packet.encode(body: body, txID: tx, signer: key), to: to)
    }
}

/// Bad input from peers: dropped and counted, never a crash, never a state change.
@Suite struct NodeHostileInputTests {
    @Test func malformedDatagramsAreCountedAndChangeNothing() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let node = c.nodes[0]
            let attacker = try await RawPeer(c.network, ip: 0x0a09_0001)
            var rng = SystemRandomNumberGenerator()
            let valid = try Packet.encode(body: .ping(Ping(address: attacker.key.address)), txID: Header.randomTxID(), signer: attacker.key)
            var sent = 0
            for i in 0..<300 {
                var d: [UInt8]
                switch i % 4 {
                case 0: d = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                case 1: d = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &rng)))
                case 2:
                    d = valid
                    d[d.count - 1 - Int.random(in: 0..<64, using: &rng)] ^= 0x10  // signature bit
                default:
                    // Re-signed by a different key than the one it claims in the body (PING binding).
                    let other = Ed25519.KeyPair.generate()
                    d = try Packet.encode(body: .ping(Ping(address: attacker.key.address)), txID: Header.randomTxID(), signer: other)
                }
                try attacker.transport.send(d, to: c.address(0))
                sent += 1
            }
            try await waitUntil { node.debugStats().droppedMalformed >= UInt64(sent) }
            let stats = node.debugStats()
            #expect(stats.droppedMalformed == UInt64(sent))
            #expect(stats.rxPacketsVerified == 0)
            #expect(node.routingTableSize == 0)
            #expect(attacker.inbox.items.withLock { $0.isEmpty })
            // Oversize datagrams are refused by the sender side of every transport.
            #expect(throws: TransportError.packetTooLarge(1201)) {
                try attacker.transport.send([UInt8](repeating: 0xa4, count: 1201), to: c.address(0))
            }
            // Still healthy: a proper ping is answered.
            try attacker.send(.ping(Ping(address: attacker.key.address)), to: c.address(0))
            try await waitUntil { !attacker.inbox.items.withLock { $0.isEmpty } }
            #expect(attacker.inbox.items.withLock { $0.count } == 1)
        }
    }

    @Test func wrongTypeAndWrongPeerRepliesAreRejected() async throws {
        try await withCluster(TestCluster(size: 1)) { c in
            let node = c.nodes[0]
            let victim = try await RawPeer(c.network, ip: 0x0a09_0002)   // the peer we ping; it stays silent
            let forger = try await RawPeer(c.network, ip: 0x0a09_0003)
            let victimID = victim.key.address.nodeID
            let ping = Task { try await node.ping(victim.transport.localAddress, expectedID: victimID, timeout: .milliseconds(600), attempts: 1) }
            try await waitUntil { !victim.inbox.items.withLock { $0.isEmpty } }
            let request = try Packet.decode(try #require(victim.inbox.items.withLock { $0.first }))
            // Same tx_id, wrong type (signed by the right peer), then right type from the wrong peer.
            try victim.send(.storeResp(StoreResp(stored: true)), tx: request.txID, to: c.address(0))
            try forger.send(.pong(Pong(address: forger.key.address, observed: .unknown)), tx: request.txID, to: c.address(0))
            await #expect(throws: DHTError.timeout) { try await ping.value }
            let stats = node.debugStats()
            #expect(stats.droppedUnsolicited == 2)
            #expect(!node.routingEntries().contains { $0.contact.nodeID == forger.key.address.nodeID })
            // An unsolicited response changes nothing either.
            try forger.send(.findNodeResp(FindNodeResp(nodes: nil, observed: .unknown)), to: c.address(0))
            try await waitUntil { node.debugStats().droppedUnsolicited == 3 }
            #expect(node.debugStats().droppedUnsolicited == 3)
            #expect(node.routingTableSize == 0)
        }
    }

    @Test func floodOfNewcomersNeverStallsTheReceivePath() async throws {
        // Node 0 gets a full routing neighbourhood, then 1,500 PINGs from fresh identities at
        // fresh IPs arrive at once. An existing peer's ping must still be answered.
        try await withCluster(TestCluster(size: 40)) { c in
            for i in 1..<40 { try await c.nodes[i].ping(c.address(0)) }
            let fullBuckets = c.nodes[0].routingTableSize
            #expect(fullBuckets >= 20)  // bucket 0 full (16), the nearer buckets partly
            let flooders = try await withThrowingTaskGroup(of: RawPeer.self) { group in
                for i in 0..<60 { group.addTask { try await RawPeer(c.network, ip: 0x0b00_0000 + UInt32(i)) } }
                var out: [RawPeer] = []
                for try await p in group { out.append(p) }
                return out
            }
            var datagrams: [(RawPeer, [UInt8])] = []
            for f in flooders {
                for _ in 0..<25 {
                    let k = Ed25519.KeyPair.generate()
                    datagrams.append((f, try Packet.encode(body: .ping(Ping(address: k.address)), txID: Header.randomTxID(), signer: k)))
                }
            }
            for (f, d) in datagrams { try f.transport.send(d, to: c.address(0)) }
            // The existing peer is answered while the flood is being processed.
            let id = try await c.nodes[1].ping(c.address(0), timeout: .seconds(5), attempts: 1)
            #expect(id.nodeID == c.nodes[0].nodeID)
            try await waitUntil { c.nodes[0].debugStats().rxPacketsVerified >= 1_540 }
            // Every flood PING was answered (25 per flooder endpoint).
            try await waitUntil { flooders.allSatisfy { $0.inbox.items.withLock { $0.count } == 25 } }
            #expect(flooders.allSatisfy { $0.inbox.items.withLock { $0.count } == 25 })
            #expect(c.nodes[0].routingTableSize >= fullBuckets)
        }
    }

    @Test func perIPRateLimitDropsAFloodFromOneAddress() async throws {
        try await withCluster(TestCluster(size: 1, rateLimit: (perSecond: 10, burst: 20))) { c in
            let flooder = try await RawPeer(c.network, ip: 0x0a09_0009)
            for _ in 0..<100 { try flooder.send(.ping(Ping(address: flooder.key.address)), to: c.address(0)) }
            try await waitUntil { c.nodes[0].debugStats().droppedRateLimited + c.nodes[0].debugStats().rxPacketsVerified >= 100 }
            let stats = c.nodes[0].debugStats()
            #expect(stats.rxPacketsVerified >= 20 && stats.rxPacketsVerified < 40)
            #expect(stats.droppedRateLimited == 100 - stats.rxPacketsVerified)
            // Another address is unaffected.
            let other = try await RawPeer(c.network, ip: 0x0a09_000a)
            try other.send(.ping(Ping(address: other.key.address)), to: c.address(0))
            try await waitUntil { !other.inbox.items.withLock { $0.isEmpty } }
            #expect(other.inbox.items.withLock { $0.count } == 1)
        }
    }
}
