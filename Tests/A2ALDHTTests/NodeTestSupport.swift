import A2ALCore
import A2ALProtocol
import A2ALSimulation
import A2ALTestSupport
import Synchronization
import Testing
@testable import A2ALDHT

/// What a cluster's nodes reported through their events.
final class EventLog: Sendable {
    struct Observation: Sendable {
        let node: Int
        let reporter: NodeID
        let wire: [UInt8]
    }

    let observations = Mutex<[Observation]>([])
    let transitions = Mutex<[HealthTransition]>([])
    let stored = Mutex<[(node: Int, key: NodeID)]>([])
    let pushed = Mutex<[(node: Int, key: NodeID, record: SignedRecord, from: NodeID)]>([])
}

/// A set of nodes on one in-memory network. Each node's transport is named by a synthetic
/// `ip:4000` endpoint so contacts carry IP:port exactly as over UDP.
final class TestCluster: Sendable {
    let network: MemoryNetwork
    let clock: any NodeClock
    let nodes: [DHTNode]
    let keys: [Ed25519.KeyPair]
    let log = EventLog()

    init(size: Int, clock: any NodeClock = SystemClock(), config: MemoryNetwork.Config = .init(),
         limits: RoutingLimits = .default, ipBase: UInt32 = 0x0a00_0001, authority: StoreAuthority? = DHTNode.referenceAuthority,
         rateLimit: (perSecond: Double, burst: Double)? = (NodeConstants.inboundRatePerIP, NodeConstants.inboundBurstPerIP),
         profiles: (Int) -> WireProfile = { _ in .current },
         key: (Int) -> Ed25519.KeyPair = { _ in .generate() }) throws {
        self.clock = clock
        network = MemoryNetwork(clock: clock, config: config)
        var nodes: [DHTNode] = []
        var keys: [Ed25519.KeyPair] = []
        for i in 0..<size {
            let kp = key(i)
            let store = MemoryKeyStore()
            _ = try store.add(kp)
            let endpoint = WireEndpoint(ip: IPAddress(ipv4: ipBase + UInt32(i)), port: 4000)
            let transport = try network.makeTransport(endpoint: endpoint)
            let log = self.log
            let events = NodeEvents(
                observedAddress: { reporter, wire in log.observations.withLock { $0.append(.init(node: i, reporter: reporter, wire: wire)) } },
                peerHealthChanged: { t in log.transitions.withLock { $0.append(t) } },
                recordStored: { record in log.stored.withLock { $0.append((i, record.key)) } },
                recordPushed: { record, from in log.pushed.withLock { $0.append((i, record.key, record.record, from)) } })
            nodes.append(try DHTNode(config: .init(transport: transport, keyStore: store, clock: clock, events: events,
                                                   authority: authority, routingLimits: limits, inboundRateLimit: rateLimit,
                                                   wireProfile: profiles(i))))
            keys.append(kp)
        }
        self.nodes = nodes
        self.keys = keys
    }

    func start() async throws {
        for n in nodes { try await n.start() }
    }

    func close() async {
        for n in nodes { await n.close() }
    }

    func address(_ i: Int) -> PeerAddress { nodes[i].localAddress }
}

/// A signed endpoint record for `key` valid at `now`.
func endpointRecord(_ key: Ed25519.KeyPair, seq: UInt64 = 1, now: UInt64, ttl: UInt32 = 3600,
                    endpoint: String = "quic://10.0.0.1:4242") throws -> SignedRecord {
    try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: [endpoint], natType: 1).encoded,
                          seq: seq, timestamp: now, ttl: ttl, signer: key)
}

/// Starts `cluster` (every node bootstrapping through node 0 when `joined`), runs `body` on it,
/// and awaits every node's close — also when `body` throws — so no test leaves nodes and their
/// workers running into the next one.
func withCluster<T>(_ cluster: TestCluster, joined: Bool = false,
                    _ body: (TestCluster) async throws -> T) async throws -> T {
    try await withClosing(cluster, close: { await $0.close() }) { cluster in
        try await cluster.start()
        if joined {
            for i in cluster.nodes.indices.dropFirst() { try await cluster.nodes[i].bootstrap(addresses: [cluster.address(0)]) }
        }
        return try await body(cluster)
    }
}

