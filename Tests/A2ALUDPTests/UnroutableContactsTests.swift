import A2ALCore
import A2ALDHT
import A2ALProtocol
import NIOPosix
import Testing
@testable import A2ALUDP

/// "A peer can deafen the node" (issue "Hostile peers and hostile clients"): a FIND_NODE answer
/// listing contacts at unroutable addresses made every send to them fail with ENETUNREACH,
/// SwiftNIO closed the socket each time and the transport rebound it (10 lookups, 11 socket
/// inodes), leaving a window in which another local process could take the port. Here the node
/// runs in a network namespace with only loopback, so those sends fail exactly so and nothing
/// leaves the machine.
@Suite(.serialized) struct UnroutableContactsTests {
    static let unroutable = ["8.8.8.8", "10.9.9.9", "2001:db8::1"]

    @Test(.timeLimit(.minutes(2))) func unroutableContactsLeaveTheSocketAlone() async throws {
        _ = try await NetworkNamespace.with("unroutable") { ns in
            let (node, transport) = try await Self.node(group: ns.group)
            let (hostile, _) = try await Self.node(group: ns.group)
            let port = try #require(node.localAddress.udp?.port)
            // Safety first: the socket must be the namespace's, or the datagrams below could
            // leave the machine.
            let before = try await ns.udpEntries(port: port)
            try #require(before.count == 1, "the node's socket is not in the namespace: \(before)")
            #expect(transport.socketInode == before.first?.inode)

            // The hostile peer's FIND_NODE answers carry contacts at addresses with no route.
            for (i, text) in Self.unroutable.enumerated() {
                for j in 0..<3 {
                    let ip = try #require(IPAddress(text: text))
                    let endpoint = WireEndpoint(ip: ip, port: UInt16(4000 + 10 * i + j))
                    let address = try #require(Address(version: 0xA0, hash20: SecureRandom.bytes(20)))
                    hostile.addContact(.udp(endpoint), info: NodeInfo(address: address, endpoint: endpoint))
                }
            }
            let hostilePort = try #require(hostile.localAddress.udp?.port)
            let hostileAddr = PeerAddress.udp(WireEndpoint(ip: try #require(IPAddress(text: "127.0.0.1")), port: hostilePort))
            _ = try await node.ping(hostileAddr, timeout: .seconds(5))
            for _ in 0..<10 { _ = await node.lookup(NodeID.random(), timeout: .seconds(2)) }

            #expect(transport.stats.sendErrors > 0, "the lookups never tried an unroutable contact")
            #expect(transport.rebindCount == 0)
            #expect(transport.stats.state == .up && transport.stats.lastError == nil)
            #expect(transport.stats.lastSendError?.hasPrefix("ENETUNREACH to ") == true, "\(String(describing: transport.stats.lastSendError))")
            #expect(transport.socketInode == before.first?.inode)
            let after = try await ns.udpEntries(port: port)
            #expect(after.map(\.inode) == before.map(\.inode), "socket replaced: \(before) -> \(after)")
            print("unroutable contacts: send errors \(transport.stats.sendErrors) (\(transport.stats.lastSendError ?? "-")), rebinds \(transport.rebindCount), inode \(before.map(\.inode)) -> \(after.map(\.inode))")
            // And the node still answers.
            let nodeAddr = PeerAddress.udp(WireEndpoint(ip: try #require(IPAddress(text: "127.0.0.1")), port: port))
            #expect(try await hostile.ping(nodeAddr, timeout: .seconds(5)).nodeID == node.nodeID)
            await node.close()
            await hostile.close()
        }
    }

    /// A node on a dual-stack socket, on `group` (whose thread is in the namespace).
    static func node(group: MultiThreadedEventLoopGroup) async throws -> (DHTNode, UDPTransport) {
        let store = MemoryKeyStore()
        _ = try store.add(Ed25519.KeyPair.generate())
        let transport = try await UDPTransport.bind(host: "::", port: 0, group: group)
        let node = try DHTNode(config: .init(transport: transport, keyStore: store))
        try await node.start()
        return (node, transport)
    }
}
