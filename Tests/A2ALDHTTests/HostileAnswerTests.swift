import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Synchronization
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// A peer on the in-memory network that answers FIND_NODE with a scripted contact list.
final class ScriptedPeer: Sendable {
    final class Count: Sendable { let value = Atomic<Int>(0) }

    let transport: MemoryTransport
    let key = Ed25519.KeyPair.generate()
    let answered = Count()

    init(_ network: MemoryNetwork, ip: UInt32, contacts: [NodeInfo]) async throws {
        transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ip), port: 4000))
        let transport = self.transport, key = self.key, answered = self.answered
        // Weak: the transport holds this handler, so a strong capture would keep both alive.
        try await transport.start { [weak transport] datagram, from in
            guard let p = try? Packet.decode(datagram) else { return }
            let body: MessageBody
            switch p.body {
            case .ping: body = .pong(Pong(address: key.address, observed: from.udp ?? .unknown))
            case .findNode: body = .findNodeResp(FindNodeResp(nodes: contacts, observed: from.udp ?? .unknown))
            default: return
            }
            guard let reply = try? Packet.encode(body: body, txID: p.txID, signer: key) else { return }
            try? transport?.send(reply, to: from)
            answered.value.wrappingAdd(1, ordering: .relaxed)
        }
    }

    var address: PeerAddress { transport.localAddress }
}

/// Hostile answers and hostile contents (docs/security.md): junk contacts never enter the
/// routing table nor reach third peers, and a key crowded by third parties stays answerable.
@Suite(.serialized) struct HostileAnswerTests {
    func contact(_ ip: String, _ port: UInt16) -> NodeInfo {
        NodeInfo(address: Ed25519.KeyPair.generate().address,
                 endpoint: WireEndpoint(ip: IPAddress(text: ip)!, port: port))
    }

    @Test func junkContactsStayOutOfTheTableAndOutOfAnswers() async throws {
        try await withCluster(TestCluster(size: 2)) { c in
            let own = try #require(c.address(0).udp)
            let junk = [contact("0.0.0.0", 4000), contact("255.255.255.255", 4000), contact("224.0.0.1", 4000),
                        contact("ff02::1", 4000), contact("\(own.ip)", own.port), contact("127.0.0.1", 22),
                        contact("240.0.0.9", 4000), contact("::", 4000), contact("10.20.30.40", 0)]
            let fine = contact("10.20.30.40", 4000)
            let liar = try await ScriptedPeer(c.network, ip: 0x0a09_0001, contacts: junk + [fine])
            _ = try await c.nodes[0].ping(liar.address, timeout: .seconds(5))
            _ = await c.nodes[0].lookup(NodeID.random(), timeout: .seconds(3))
            #expect(liar.answered.value.load(ordering: .relaxed) >= 2)

            let known = Set(c.nodes[0].routingEntries().compactMap(\.contact.endpoint))
            for j in junk { #expect(!known.contains(j.endpoint), "junk \(j.endpoint) entered the table") }
            #expect(known.contains(fine.endpoint), "a good contact from the same answer is kept")
            #expect(c.nodes[0].debugStats().droppedJunkContacts >= UInt64(junk.count - 1))  // port 0 has no endpoint at all
            // A third peer asking us never hears of them.
            let told = try await c.nodes[1].findNode(at: c.address(0), lookingFor: NodeID.random(), timeout: .seconds(5))
            for j in junk { #expect(!told.contains { $0.endpoint == j.endpoint }) }
        }
    }

    @Test func aCrowdedAgentKeyStaysAnswerableAndShowsItsEndpoint() async throws {
        try await withCluster(TestCluster(size: 1, rateLimit: nil)) { c in
            let node = c.nodes[0]
            let agent = Ed25519.KeyPair.generate()
            let now = c.clock.unixSeconds()
            let endpoint = try endpointRecord(agent, now: now)
            try node.localPut(endpoint)
            // Twelve large mailbox notes from three senders at the agent's key.
            var notes: [SignedRecord] = []
            for s in 0..<3 {
                let sender = Ed25519.KeyPair.generate()
                for i in 0..<4 {
                    let note = try SignedRecord.sign(recType: RecordType.mailbox, payload: [UInt8](repeating: UInt8(i), count: 500),
                                                     seq: UInt64(i + 1), timestamp: now - UInt64(s * 4 + i), ttl: 600, signer: sender)
                    try node.localPut(note, at: agent.address.nodeID)
                    notes.append(note)
                }
            }
            // Plus a sovereign record too large for any answer.
            let huge = try SignedRecord.sign(recType: 0x05, payload: [UInt8](repeating: 7, count: 900), seq: 1, timestamp: now,
                                             ttl: 600, signer: agent)
            try node.localPut(huge)

            let asker = try await RawPeer(c.network, ip: 0x0a09_0002)
            let requests = 60
            for _ in 0..<requests {
                try asker.send(.findValue(FindValue(target: agent.address.nodeID)), to: c.address(0))
            }
            #expect(try await eventually { asker.inbox.items.withLock { $0.count } == requests })
            var seen = Set<SignedRecord>()
            for datagram in asker.inbox.items.withLock({ $0 }) {
                #expect(datagram.count <= ProtocolConstants.maxDatagramSize)
                guard case .findValueResp(let resp) = try Packet.decode(datagram).body else {
                    Issue.record("not a FIND_VALUE_RESP")
                    continue
                }
                #expect(resp.records.contains(endpoint), "the agent's own endpoint record is always in the answer")
                #expect(!resp.records.contains(huge))
                seen.formUnion(resp.records)
            }
            #expect(seen.isSuperset(of: notes), "repeated requests page through every note")
            #expect(node.debugStats().replySendFailures == 0)
        }
    }

    @Test func plannedAnswerSizesMatchTheEncoding() throws {
        var rng = SystemRandomNumberGenerator()
        let key = Ed25519.KeyPair.generate()
        for _ in 0..<300 {
            let nodes: [NodeInfo]? = Bool.random(using: &rng) ? nil : (0..<Int.random(in: 0...20, using: &rng)).map { _ in
                NodeInfo(address: Ed25519.KeyPair.generate().address,
                         endpoint: WireEndpoint(ip: IPAddress(ipv4: UInt32.random(in: 1...UInt32.max, using: &rng)), port: 4000))
            }
            let records = try (0..<Int.random(in: 0...30, using: &rng)).map { i in
                try SignedRecord.sign(recType: RecordType.mailbox, payload: [UInt8](repeating: 1, count: Int.random(in: 0...512, using: &rng)),
                                      seq: UInt64(i), timestamp: 1_700_000_000, ttl: 60, signer: key)
            }
            let legacy = Bool.random(using: &rng) ? records.first : nil
            let resp = FindValueResp(nodes: nodes, record: legacy, observed: WireEndpoint(ip: IPAddress(ipv4: 0x0a000001), port: 1),
                                     records: records)
            var plan = FindValueAnswerPlan(resp, owner: NodeID.random(), cursor: Int.random(in: 0...100, using: &rng))
            #expect(plan.size == plan.response.encodedSize)
            plan.trim(to: ProtocolConstants.responseBodyTrimTarget)
            #expect(plan.size == plan.response.encodedSize)
            #expect(plan.response.encodedSize <= FindValueAnswerPlan.maxBody)
        }
    }
}
