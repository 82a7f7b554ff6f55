import A2ALCore
import A2ALProtocol
import A2ALSimulation
import Synchronization
import Testing
@testable import A2ALDHT

/// What the daemon's metrics read from the node (docs/metrics.md): packets per message type,
/// which add up to the node's totals, and the latency observer told of answered requests and
/// finished lookups. Real nodes on the in-memory network.
@Suite struct NodeMetricsHooksTests {
    final class Latencies: DHTLatencyObserver {
        let requests = Mutex<[(MessageType, Duration)]>([])
        let lookups = Mutex<[(LookupKind, Duration)]>([])
        func requestAnswered(_ type: MessageType, after duration: Duration) { requests.withLock { $0.append((type, duration)) } }
        func lookupFinished(_ kind: LookupKind, after duration: Duration) { lookups.withLock { $0.append((kind, duration)) } }
    }

    static func node(_ network: MemoryNetwork, ip: UInt32, observer: Latencies?) throws -> DHTNode {
        let store = MemoryKeyStore()
        _ = try store.add(Ed25519.KeyPair.generate())
        let transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ip), port: 4000))
        return try DHTNode(config: .init(transport: transport, keyStore: store, latencyObserver: observer))
    }

    @Test func packetsPerTypeAddUpAndLatenciesAreReported() async throws {
        let network = MemoryNetwork(clock: SystemClock())
        let latencies = Latencies()
        let a = try Self.node(network, ip: 0x0a00_0001, observer: latencies)
        let b = try Self.node(network, ip: 0x0a00_0002, observer: nil)
        try await a.start()
        try await b.start()
        _ = try await a.ping(b.localAddress)
        _ = await a.lookup(NodeID(bytes: [UInt8](repeating: 0x5a, count: 32)) ?? b.nodeID)

        func count(_ node: DHTNode, _ type: MessageType) -> MessageTypeCount? { node.messageTypeCounts().first { $0.type == type } }
        #expect((count(a, .ping)?.sent ?? 0) >= 1)
        #expect((count(b, .ping)?.received ?? 0) >= 1)
        #expect((count(b, .pong)?.sent ?? 0) >= 1)
        #expect((count(a, .pong)?.received ?? 0) >= 1)
        #expect((count(a, .findNode)?.sent ?? 0) >= 1 && (count(b, .findNodeResp)?.sent ?? 0) >= 1)
        #expect(a.messageTypeCounts().map(\.type) == MessageType.allCases)

        // The per-type figures add up to the totals, read when no packet moved in between.
        for node in [a, b] {
            var agreed = false
            for _ in 0..<50 where !agreed {
                let before = node.messageTypeCounts()
                let stats = node.debugStats()
                guard node.messageTypeCounts() == before else { continue }
                agreed = before.reduce(0) { $0 + $1.received } == stats.rxPacketsVerified
                    && before.reduce(0) { $0 + $1.sent } == stats.txPackets
            }
            #expect(agreed, "per-type counts \(node.messageTypeCounts()) vs \(node.debugStats())")
        }

        let requests = latencies.requests.withLock { $0 }
        #expect(requests.contains { $0.0 == .ping && $0.1 > .zero })
        #expect(requests.contains { $0.0 == .findNode })
        #expect(requests.allSatisfy { $0.0.expectedResponse != nil })
        #expect(latencies.lookups.withLock { $0 }.contains { $0.0 == .nodes })
        await a.close()
        await b.close()
    }
}
