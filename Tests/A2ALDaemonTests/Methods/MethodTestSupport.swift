import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import A2ALSimulation
import Synchronization
import Testing

/// Nodes on one in-memory network, each transport named by a synthetic `ip:4000` endpoint so
/// contacts carry IP:port as over UDP (the approach of the DHT tests' `TestCluster`). Node 0
/// carries the JSON-RPC methods under test; its observed-address reports feed `observed`.
final class MethodCluster: Sendable {
    let network: MemoryNetwork
    let nodes: [DHTNode]
    let keys: [Ed25519.KeyPair]
    let observed = ObservedAddressTracker()
    let router: RPCRouter

    init(size: Int, ipBase: UInt32 = 0x0a00_0001) throws {
        network = MemoryNetwork(clock: SystemClock())
        var nodes: [DHTNode] = []
        var keys: [Ed25519.KeyPair] = []
        let observed = self.observed
        for i in 0..<size {
            let kp = Ed25519.KeyPair.generate()
            let store = MemoryKeyStore()
            _ = try store.add(kp)
            let transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ipBase + UInt32(i)), port: 4000))
            let events = i == 0
                ? NodeEvents(observedAddress: { reporter, wire in
                    _ = observed.report(reporter: reporter, wire: wire, now: SystemClock().unixSeconds())
                })
                : NodeEvents()
            nodes.append(try DHTNode(config: .init(transport: transport, keyStore: store, events: events)))
            keys.append(kp)
        }
        self.nodes = nodes
        self.keys = keys
        var router = RPCRouter()
        let status = DaemonStatus(version: DaemonVersion.string, startedAt: SystemClock().unixSeconds() - 5,
                                  socketPath: { "/tmp/a2al-test.sock" }, dataDir: "/tmp/a2al-test-data",
                                  listenAddrs: { ["10.0.0.1:4000"] }, agentCount: { 2 },
                                  rpcConnections: { 1 }, rpcSubscriptions: { 3 })
        NodeMethods.register(into: &router, node: nodes[0], observed: observed, status: status)
        StoreMethods.register(into: &router, node: nodes[0])
        QueryMethods.register(into: &router, node: nodes[0])
        self.router = router
    }

    func start() async throws { for n in nodes { try await n.start() } }
    func close() async { for n in nodes { await n.close() } }

    /// "10.0.0.x:4000" of node `i`.
    func addr(_ i: Int) -> String { nodes[i].localAddress.description }

    /// Every node bootstraps from node 0, so node 0 knows everyone.
    func join() async throws {
        for i in 1..<nodes.count { try await nodes[i].bootstrap(addresses: [nodes[0].localAddress]) }
    }

    func call(_ method: String, _ params: JSONObject = [:]) async throws -> JSONObject {
        try await Self.call(router, method, params)
    }

    /// The RPC error a call fails with (a call that succeeds fails the test).
    func failure(_ method: String, _ params: JSONObject = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
        await Self.failure(router, method, params, sourceLocation: sourceLocation)
    }

    static func call(_ router: RPCRouter, _ method: String, _ params: JSONObject = [:]) async throws -> JSONObject {
        let m = try #require(router.methods[method], "method \(method) is not registered")
        return try await m.handler(RPCCall(method: method, params: RPCParams(params),
                                           connection: RPCConnectionInfo(id: 1, peer: nil)))
    }

    static func failure(_ router: RPCRouter, _ method: String, _ params: JSONObject = [:],
                        sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
        do {
            let r = try await call(router, method, params)
            Issue.record("\(method) succeeded unexpectedly: \(r)", sourceLocation: sourceLocation)
            return nil
        } catch let e as RPCError {
            return e
        } catch {
            Issue.record("\(method) threw a non-RPC error: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

extension RPCError {
    /// `data.kind` of an application error.
    var kind: String? { data?["kind"]?.stringValue }
    /// `data.field` of an invalid-params error.
    var field: String? { data?["field"]?.stringValue }
}

/// Expects -32602 naming `field`.
func expectInvalidParams(_ e: RPCError?, field: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(e?.code == RPCError.invalidParamsCode, "\(String(describing: e))", sourceLocation: sourceLocation)
    #expect(e?.field == field, "\(String(describing: e))", sourceLocation: sourceLocation)
}

/// Expects the application error `kind` with its code.
func expectAppError(_ e: RPCError?, _ kind: RPCError.Kind, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(e?.code == kind.code, "\(String(describing: e))", sourceLocation: sourceLocation)
    #expect(e?.kind == kind.rawValue, "\(String(describing: e))", sourceLocation: sourceLocation)
}

/// A signed endpoint record valid now.
func endpointRecord(_ key: Ed25519.KeyPair, seq: UInt64 = 1, now: UInt64 = SystemClock().unixSeconds(), ttl: UInt32 = 3600,
                    endpoints: [String] = ["quic://10.0.0.1:4242"]) throws -> SignedRecord {
    try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: endpoints, natType: 1).encoded,
                          seq: seq, timestamp: now, ttl: ttl, signer: key)
}

/// A signed topic record.
func topicRecord(_ key: Ed25519.KeyPair, _ payload: TopicPayload, seq: UInt64 = 1,
                 now: UInt64 = SystemClock().unixSeconds()) throws -> SignedRecord {
    try SignedRecord.sign(recType: RecordType.topic, payload: payload.encoded, seq: seq, timestamp: now, ttl: 3600, signer: key)
}

/// A record as a client sends it: base64 of its canonical CBOR.
func raw(_ r: SignedRecord) -> JSONValue { .string(Base64Text.encode(r.encoded)) }
