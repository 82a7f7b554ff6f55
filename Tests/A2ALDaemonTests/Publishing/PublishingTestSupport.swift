import A2ALCore
import A2ALDHT
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import A2ALSimulation
import Foundation
import Glibc
import Synchronization
import Testing

/// A fresh directory under /tmp standing in for a daemon's data directory; removed with its
/// contents when released.
final class PubDataDir: Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/a2ald-publishing-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PubTestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var agentsPath: String { path + "/agents.json" }
    var publicationsPath: String { path + "/publications.json" }
}

struct PubTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// DHT nodes on one in-memory network, each transport named by a synthetic `ip:4000` endpoint
/// (as the DHT tests' `TestCluster` does).
final class PubNetwork: Sendable {
    let network = MemoryNetwork(clock: SystemClock())
    let ipBase: UInt32
    /// Every node made here, restarted ones included, so `close()` stops them all.
    private let made = Mutex<[DHTNode]>([])

    init(ipBase: UInt32 = 0x0a05_0001) { self.ipBase = ipBase }

    /// A started node at ip base + index, port 4000, with identity `identity` (a new one by
    /// default; pass a closed node's to restart it).
    func node(_ index: Int, identity: Ed25519.KeyPair = .generate()) async throws -> DHTNode {
        let keys = MemoryKeyStore()
        _ = try keys.add(identity)
        let transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: ipBase + UInt32(index)), port: 4000))
        let node = try DHTNode(config: .init(transport: transport, keyStore: keys))
        made.withLock { $0.append(node) }
        try await node.start()
        return node
    }

    func close() async {
        for n in made.withLock({ $0 }) { await n.close() }
    }

    /// `count` started nodes, every one after the first bootstrapped from the first.
    func nodes(_ count: Int) async throws -> [DHTNode] {
        var out: [DHTNode] = []
        for i in 0..<count {
            let n = try await node(i)
            if let first = out.first { try await n.bootstrap(addresses: [first.localAddress]) }
            out.append(n)
        }
        return out
    }
}

/// The daemon side of one node: its data directory's agent and publication stores, the
/// publisher and the agent/publish/mailbox methods, called the way the RPC session calls them.
final class PubDaemon: Sendable {
    let node: DHTNode
    let dir: PubDataDir
    let agents: AgentStore
    let publications: PublicationStore
    let publisher: Publisher
    let router: RPCRouter

    init(node: DHTNode, dir: PubDataDir) throws {
        self.node = node
        self.dir = dir
        agents = try AgentStore(path: dir.agentsPath)
        publications = try PublicationStore(path: dir.publicationsPath)
        publisher = Publisher(node: node, agents: agents, store: publications)
        var router = RPCRouter()
        let mailbox = try MailboxLedger(path: dir.path + "/" + MailboxLedger.fileName)
        AgentMethods.register(into: &router, agents: agents, publisher: publisher, mailbox: mailbox)
        PublishMethods.register(into: &router, node: node, publisher: publisher)
        MailboxMethods.register(into: &router, node: node, agents: agents, ledger: mailbox)
        self.router = router
    }

    convenience init(node: DHTNode) throws {
        try self.init(node: node, dir: PubDataDir())
    }

    func call(_ method: String, _ params: JSONObject = [:]) async throws -> JSONObject {
        let m = try #require(router.methods[method], "method \(method) is not registered")
        return try await m.handler(RPCCall(method: method, params: RPCParams(params),
                                           connection: RPCConnectionInfo(id: 7, peer: nil)))
    }

    /// The RPC error a call fails with; a call that succeeds fails the test.
    func failure(_ method: String, _ params: JSONObject = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
        do {
            let r = try await call(method, params)
            Issue.record("\(method) succeeded unexpectedly: \(r)", sourceLocation: sourceLocation)
            return nil
        } catch let e as RPCError {
            return e
        } catch {
            Issue.record("\(method) threw a non-RPC error: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// A new agent's address text.
    func createAgent(_ label: String = "") async throws -> String {
        let agent = try await call("agent.create", ["label": .string(label)])
        return try #require(agent["address"]?.stringValue)
    }
}

/// Expects -32602 naming `field`.
func expectPubInvalidParams(_ e: RPCError?, field: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(e?.code == RPCError.invalidParamsCode, "\(String(describing: e))", sourceLocation: sourceLocation)
    #expect(e?.data?["field"]?.stringValue == field, "\(String(describing: e))", sourceLocation: sourceLocation)
}

/// Expects the application error `kind` with its code.
func expectPubAppError(_ e: RPCError?, _ kind: RPCError.Kind, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(e?.code == kind.code, "\(String(describing: e))", sourceLocation: sourceLocation)
    #expect(e?.data?["kind"]?.stringValue == kind.rawValue, "\(String(describing: e))", sourceLocation: sourceLocation)
}

/// Required members of a result, failing the test when absent or of another type.
extension JSONObject {
    func pubString(_ key: String) throws -> String { try #require(self[key]?.stringValue, "\(key) in \(self)") }
    func pubInt(_ key: String) throws -> Int64 { try #require(self[key]?.intValue, "\(key) in \(self)") }
    /// A u64 the daemon sends as a decimal string (`seq`: docs/jsonrpc.md, "Safe integers").
    func pubU64(_ key: String) throws -> UInt64 {
        let v = try #require(self[key], "\(key) in \(self)")
        #expect(v.stringValue != nil, "\(key) must be a decimal string: \(v)")
        return try #require(v.u64FromEither, "\(key) in \(self)")
    }
    func pubObject(_ key: String) throws -> JSONObject { try #require(self[key]?.objectValue, "\(key) in \(self)") }
    func pubArray(_ key: String) throws -> [JSONValue] { try #require(self[key]?.arrayValue, "\(key) in \(self)") }
}

func pubAddress(_ text: String) throws -> Address { try Address(text: text) }
