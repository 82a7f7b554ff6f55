import A2ALTestSupport
import A2ALSimulation
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALProtocol
@testable import A2ALRPC
import Foundation
import Synchronization
import Testing
@testable import A2ALDaemon

/// The push path of `watch` (docs/jsonrpc.md, "Watches"), which daemons that never see a
/// v0.2.4+ peer do not exercise end to end: a pushed record is announced once with its pusher,
/// a record that does not verify never is, pushes for unwatched keys are ignored, and watches
/// end with their connection.
@Suite(.serialized) struct WatchRegistryTests {
    /// Lines a connection would have been sent.
    final class CapturedLines: LineSink {
        private let lines = Mutex<[[UInt8]]>([])
        func send(_ line: [UInt8]) { lines.withLock { $0.append(line) } }
        var backlog: Int { 0 }
        func close() {}

        /// The `result` of every event notification, in order.
        var results: [JSONValue] {
            lines.withLock { $0 }.compactMap { try? JSONParser.parse($0) }.compactMap { $0["params"]?["result"] }
        }
    }

    /// One node alone on an in-memory network, the daemon's hub and registry wired as
    /// `Daemon.start` wires them, and connection 1 subscribed to `record_pushed`.
    struct Setup {
        let node: DHTNode
        let hub: EventHub
        let watches: WatchRegistry
        let sink = CapturedLines()
        let directory: String

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("a2al-watch-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let network = MemoryNetwork(clock: SystemClock())
            let keys = MemoryKeyStore()
            _ = try keys.add(Ed25519.KeyPair.generate())
            let transport = try network.makeTransport(endpoint: WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0001), port: 4000))
            node = try DHTNode(config: .init(transport: transport, keyStore: keys))
            try await node.start()
            hub = EventHub(eventNames: NodeEventBridge.eventNames)
            watches = WatchRegistry(node: node, hub: hub, agents: try AgentStore(path: directory + "/agents.json"))
            let watches = self.watches
            hub.addCloseObserver { watches.connectionClosed($0) }
            hub.openConnection(1, sink: sink)
            _ = try hub.subscribe(event: "record_pushed", connection: 1, maxPerConnection: 8)
        }

        func close() async {
            watches.stopAll()
            await node.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func endpointRecord(_ keys: Ed25519.KeyPair, seq: UInt64) throws -> SignedRecord {
        let now = SystemClock().unixSeconds()
        let (timestamp, ttl) = SignedRecord.backdated(now: now, ttl: 600)
        return try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: ["quic://192.0.2.1:1"]).encoded,
                                     seq: seq, timestamp: timestamp, ttl: ttl, signer: keys)
    }

    @Test func pushedRecordsAreAnnouncedOnceWithTheirPusher() async throws {
        let s = try await Setup()
        func verified(_ r: SignedRecord) throws -> VerifiedRecord {
            try s.node.verifier.verify(r, at: .zero, now: SystemClock().unixSeconds())
        }
        let publisher = Ed25519.KeyPair.generate()
        let record = try verified(Self.endpointRecord(publisher, seq: 1))
        let key = record.address.nodeID
        let pusher = NodeID.random()
        let id = try s.watches.add(.key(key, recType: 0), interval: .seconds(300), connection: 1)
        #expect(id.count == 16 && s.node.isWatching(key))

        s.watches.pushed(record, from: pusher)
        s.watches.pushed(record, from: pusher)
        #expect(s.sink.results.count == 1)
        let event = try #require(s.sink.results.first)
        #expect(event.str("key") == key.description && event.str("source") == "push" && event.str("from") == pusher.description)
        #expect(event["record"]?.str("raw") == Base64Text.encode(record.encoded))
        let violations = try SchemaCatalog.shared().eventViolations("record_pushed", event)
        #expect(violations.isEmpty, "\(violations)")

        // A newer record of the same publisher is new; a type the watch does not want, or a key
        // nobody watches are not announced. A record whose signature does not verify cannot
        // even be handed over: it never becomes a VerifiedRecord.
        let stranger = try verified(Self.endpointRecord(.generate(), seq: 1))
        #expect(s.watches.deliver([stranger], key: stranger.address.nodeID, source: .poll) == 0)
        let newer = try Self.endpointRecord(publisher, seq: 2)
        var forged = newer
        forged.signature[0] ^= 0x01
        #expect(throws: StoreError.invalid(.badSignature)) { try verified(forged) }
        s.watches.pushed(try verified(newer), from: pusher)
        #expect(s.sink.results.count == 2 && s.sink.results.last?["record"]?["seq"] == "2")
        let typed = try s.watches.add(.key(key, recType: RecordType.topic), interval: .seconds(300), connection: 1)
        _ = s.watches.remove(id, connection: 1)
        s.watches.pushed(try verified(Self.endpointRecord(publisher, seq: 3)), from: pusher)
        #expect(s.sink.results.count == 2, "an endpoint record announced to a watch of topic records only")
        #expect(s.watches.remove(typed, connection: 1) && !s.node.isWatching(key))
        await s.close()
    }

    @Test func watchesEndWithTheirConnection() async throws {
        let s = try await Setup()
        let key = NodeID.random()
        _ = try s.watches.add(.key(key, recType: 0), interval: .seconds(1), connection: 1)
        _ = try s.watches.add(.topic("x"), interval: .seconds(1), connection: 1)
        #expect(s.watches.count == 2 && s.node.debugStats().push.watchedKeys == 2)
        s.hub.closeConnection(1)
        #expect(s.watches.count == 0 && s.node.debugStats().push.watchedKeys == 0 && !s.node.isWatching(key))
        // A closed (or never opened) connection cannot watch.
        #expect(throws: RPCError.self) { try s.watches.add(.key(key, recType: 0), interval: .seconds(1), connection: 1) }
        #expect(s.node.debugStats().push.watchedKeys == 0)
        await s.close()
    }

}
