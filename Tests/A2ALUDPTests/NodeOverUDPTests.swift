import A2ALCore
import A2ALDHT
import A2ALProtocol
import Synchronization
import A2ALTestSupport
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
        #expect(try await a.storeAt(bAddr, key: .zero, record: rec, timeout: .seconds(60), attempts: 1) == .stored)
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

/// A send the kernel refuses must not take the node off the network.
@Suite struct UDPSendFailureTests {
    @Test func unroutableDestinationsDoNotKillTheSocket() async throws {
        let key = Ed25519.KeyPair.generate()
        let store = MemoryKeyStore()
        _ = try store.add(key)
        let transport = try await UDPTransport.bind(host: "::", port: 0)
        let node = try DHTNode(config: .init(transport: transport, keyStore: store))
        try await node.start()
        let peerKeys = MemoryKeyStore()
        _ = try peerKeys.add(Ed25519.KeyPair.generate())
        let peer = try DHTNode(config: .init(transport: try await UDPTransport.bind(host: "127.0.0.1", port: 0), keyStore: peerKeys))
        try await peer.start()
        // Destinations that fail locally: caught before the socket, or survived by rebinding.
        let bad: [PeerAddress] = [
            .udp(WireEndpoint(ip: IPAddress(text: "0.0.0.0")!, port: 4000)),
            .udp(WireEndpoint(ip: IPAddress(text: "224.0.0.1")!, port: 4000)),
            .udp(WireEndpoint(ip: IPAddress(text: "ff02::1")!, port: 4000)),
            .udp(WireEndpoint(ip: IPAddress(text: "2001:db8::1")!, port: 4000)),
            .udp(WireEndpoint(ip: IPAddress(text: "192.0.2.1")!, port: 0)),
        ]
        for b in bad { _ = try? transport.send([0xa4], to: b) }
        // Each send failed or went out on the spot; a reader killed by an error the kernel reports
        // later shows as `.rebinding` until it reads again.
        try await waitUntil { transport.stats.state == .up }
        // The node still talks to the world (a rebind, if one happened, keeps the same port).
        let port = transport.localAddress.udp?.port
        let id = try await peer.ping(.udp(WireEndpoint(ip: IPAddress(text: "127.0.0.1")!, port: try #require(port))),
                                     timeout: .seconds(10))
        #expect(id.nodeID == node.nodeID)
        #expect(try await node.ping(peer.localAddress, timeout: .seconds(10)).nodeID == peer.nodeID)
        await node.close()
        await peer.close()
    }

    @Test func socketClosedUnderneathIsRebound() async throws {
        let a = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let b = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
        let got = ReceivedLog()
        try await a.start { d, _ in got.append(d) }
        try await b.start { _, _ in }
        await a.simulateFatalSocketError()
        try await waitUntil { a.rebindCount == 1 }
        try b.send([1, 2, 3], to: a.localAddress)
        try await waitUntil { got.count == 1 }
        await a.close()
        await b.close()
    }
}

final class ReceivedLog: Sendable {
    private let items = Mutex<[[UInt8]]>([])
    func append(_ d: [UInt8]) { items.withLock { $0.append(d) } }
    var count: Int { items.withLock { $0.count } }
}
