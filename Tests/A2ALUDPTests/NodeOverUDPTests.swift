import A2ALCore
import A2ALDHT
import A2ALProtocol
import Testing
@testable import A2ALUDP

/// Nodes exchanging real packets over loopback UDP.
@Suite struct NodeOverUDPTests {
    func makeNode(host: String = "127.0.0.1") async throws -> (DHTNode, Ed25519.KeyPair) {
        let key = Ed25519.KeyPair.generate()
        let store = MemoryKeyStore()
        _ = try store.add(key)
        let transport = try await UDPTransport.bind(host: host, port: 0)
        let node = try DHTNode(config: .init(transport: transport, keyStore: store))
        try await node.start()
        return (node, key)
    }

    @Test func rpcsOverLoopback() async throws {
        let (a, keyA) = try await makeNode()
        let (b, _) = try await makeNode()
        let bAddr = b.localAddress
        let id = try await a.ping(bAddr, timeout: .seconds(5))
        #expect(id.nodeID == b.nodeID)
        #expect(id.observed == a.localAddress.udp)
        #expect(b.routingEntries().first?.contact.endpoint == a.localAddress.udp)

        let rec = try endpointRecordForUDP(keyA)
        #expect(try await a.storeAt(bAddr, key: .zero, record: rec, timeout: .seconds(60), attempts: 1))
        let found = try await a.findValue(at: bAddr, key: a.nodeID, timeout: .seconds(5))
        #expect(found.records == [rec])
        let nodes = try await a.findNode(at: bAddr, lookingFor: NodeID.random(), timeout: .seconds(5))
        #expect(nodes.isEmpty)  // B knows only A, and never returns the requester
        // Loopback is not a public address: no NAT echo.
        #expect(try await a.natProbe(via: bAddr, claimed: try #require(a.localAddress.udp), timeout: .milliseconds(300)) == false)
        #expect(b.debugStats().rxPacketsVerified >= 4)
        await a.close()
        await b.close()
    }

    @Test func bootstrapByHostName() async throws {
        let (seed, _) = try await makeNode()
        let (joiner, _) = try await makeNode()
        let port = try #require(seed.localAddress.udp?.port)
        #expect(try await joiner.bootstrap(hostPorts: ["localhost:\(port)"], timeout: .seconds(5)) >= 1)
        #expect(joiner.routingEntries().contains { $0.contact.nodeID == seed.nodeID })
        await #expect(throws: DHTError.allSeedsUnreachable) {
            try await joiner.bootstrap(hostPorts: ["no-such-host.invalid:4000"], timeout: .seconds(1))
        }
        await seed.close()
        await joiner.close()
    }

    @Test func ipv6LoopbackWhenAvailable() async throws {
        guard let (a, _) = try? await makeNode(host: "::1"), let (b, _) = try? await makeNode(host: "::1") else { return }
        let id = try await a.ping(b.localAddress, timeout: .seconds(5))
        #expect(id.observed?.ip == IPAddress(text: "::1"))
        await a.close()
        await b.close()
    }

    func endpointRecordForUDP(_ key: Ed25519.KeyPair) throws -> SignedRecord {
        let now = SystemClock().unixSeconds()
        return try SignedRecord.sign(recType: RecordType.endpoint,
                                     payload: EndpointPayload(endpoints: ["quic://127.0.0.1:4242"], natType: 0).encoded,
                                     seq: 1, timestamp: now, ttl: 600, signer: key)
    }
}
