#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDaemon
import A2ALProtocol
import A2ALRPC
import A2ALTestSupport
import Foundation
import Testing

/// Every error a method's schema declares is one a real daemon answers: for each method and
/// each declared kind, a call that produces it (docs/jsonrpc.md, "Errors"). A declared error
/// with no producer fails the test unless `notYetProduced` names it as a gap; a gap that is
/// produced after all, or no longer declared, fails it too.
@Suite(.serialized) struct DeclaredErrorsEndToEndTests {
    /// A daemon with no peers (so its lookups end at once) holding one agent, and an agent
    /// address it does not hold.
    struct Fixture: Sendable {
        let lone: DaemonProcess
        let loneAgent: String
        let stranger: String
    }

    /// Makes the error happen and returns the daemon's reply.
    typealias Producer = @Sendable (Fixture, String) async throws -> JSONValue

    static let silentPeer = "127.0.0.1:9"
    static let key = String(repeating: "0", count: 64)
    /// Valid base64 that is not a signed record.
    static let notARecord = "AAAA"

    static func lone(_ params: @escaping @Sendable (Fixture) -> JSONObject) -> Producer {
        { d, method in try await d.lone.call(method, params(d), timeout: .seconds(30)) }
    }

    /// `inner`, while the lone daemon's data `files` cannot be written (a directory stands in
    /// place of each), so the write the call makes fails.
    static func withUnwritable(_ files: [String], _ inner: @escaping Producer) -> Producer {
        { d, method in
            let paths = files.map { d.lone.dataDir + "/" + $0 }
            let saved = paths.map { FileManager.default.contents(atPath: $0) }
            for path in paths {
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.createDirectory(atPath: path + "/blocked", withIntermediateDirectories: true)
            }
            defer {
                for (path, contents) in zip(paths, saved) {
                    try? FileManager.default.removeItem(atPath: path)
                    if let contents { FileManager.default.createFile(atPath: path, contents: contents) }
                }
            }
            return try await inner(d, method)
        }
    }

    /// The agent store: a snapshot and a journal of the changes since (docs/jsonrpc.md,
    /// "Configuration and data directory").
    static let agentFiles = ["agents.json", "agents.journal"]

    /// A signed endpoint record of `keys` with sequence number `seq`, base64.
    static func record(_ keys: Ed25519.KeyPair, seq: UInt64) throws -> String {
        let (ts, ttl) = SignedRecord.backdated(now: UInt64(time(nil)), ttl: 600)
        let r = try SignedRecord.sign(recType: RecordType.endpoint, payload: EndpointPayload(endpoints: ["quic://192.0.2.1:1"]).encoded,
                                      seq: seq, timestamp: ts, ttl: ttl, signer: keys)
        return Base64Text.encode(r.encoded)
    }

    /// Stores a record at seq 2, then offers the same slot one at seq 1.
    static let staleRecord: Producer = { d, method in
        let keys = Ed25519.KeyPair.generate()
        let key = JSONValue.string(keys.address.nodeID.description)
        _ = try await d.lone.result(method, ["key": key, "record": .string(try record(keys, seq: 2))])
        return try await d.lone.call(method, ["key": key, "record": .string(try record(keys, seq: 1))])
    }

    /// A second held agent with a note from the first waiting for it.
    static func agentWithNote(_ d: Fixture) async throws -> JSONValue {
        let second = try await d.lone.result("agent.create")["address"] ?? .null
        _ = try await d.lone.result("mailbox.send", ["from": .string(d.loneAgent), "to": second, "text": "hi"])
        return second
    }

    /// `params` sent to a second daemon started on a data directory that already holds as many
    /// agents as a daemon may (`AgentLimits.maxAgents`).
    static func onFullDaemon(_ params: JSONObject) -> Producer {
        { _, method in
            let dir = try DaemonDirectory()
            try AgentLimitMethodsTests.writeFullAgentsFile(dir.dataDir + "/" + agentFiles[0])
            let full = try await DaemonProcess.start(directory: dir)
            do {
                let response = try await full.call(method, params)
                _ = try await full.stop()
                return response
            } catch {
                _ = try? await full.stop()
                throw error
            }
        }
    }

    static let producers: [String: [String: Producer]] = [
        "agent.create": [
            "storage": withUnwritable(agentFiles, lone { _ in [:] }),
            "overloaded": onFullDaemon([:]),
        ],
        "agent.import": [
            "overloaded": onFullDaemon(["private_key": .string(Hex.encode(Ed25519.KeyPair.generate().seed))]),
            "conflict": { d, method in
                let seed = try await d.lone.result("agent.export", ["address": .string(d.loneAgent), "confirm": true])
                return try await d.lone.call(method, ["private_key": seed["private_key"] ?? .null])
            },
            "storage": withUnwritable(agentFiles, lone { _ in
                ["private_key": .string(Hex.encode(Ed25519.KeyPair.generate().seed))]
            }),
        ],
        "agent.export": ["not_found": lone { ["address": .string($0.stranger), "confirm": true] }],
        "agent.remove": [
            "not_found": lone { ["address": .string($0.stranger)] },
            "storage": { d, method in
                let doomed = try await d.lone.result("agent.create")["address"] ?? .null
                return try await withUnwritable(agentFiles, lone { _ in ["address": doomed] })(d, method)
            },
        ],
        "mailbox.ack": [
            "not_found": lone { ["agent": .string($0.stranger), "ids": [.string(key)]] },
            "storage": { d, method in
                let agent = try await agentWithNote(d)
                let id = try await d.lone.result("mailbox.read", ["agent": agent])["messages"]?.arrayValue?.first?["id"] ?? .null
                return try await withUnwritable([MailboxLedger.fileName], lone { _ in ["agent": agent, "ids": [id]] })(d, method)
            },
        ],
        "mailbox.read": [
            "not_found": lone { ["agent": .string($0.stranger)] },
            "storage": { d, method in
                let agent = try await agentWithNote(d)
                return try await withUnwritable([MailboxLedger.fileName], lone { _ in ["agent": agent] })(d, method)
            },
        ],
        "mailbox.send": [
            "not_found": lone { ["from": .string($0.stranger), "to": .string($0.stranger), "text": "hi"] },
            "bad_address": lone {
                let p256 = Address(version: Address.Version.p256.rawValue, hash20: [UInt8](repeating: 7, count: 20))?.text ?? ""
                return ["from": .string($0.loneAgent), "to": .string(p256), "text": "hi"]
            },
            // A body at the cap seals one byte past a record when msg_type takes two CBOR bytes.
            "invalid_record": lone {
                let body = Base64Text.encode([UInt8](repeating: 1, count: MailboxCrypto.maxBodySize))
                return ["from": .string($0.loneAgent), "to": .string($0.loneAgent), "data": .string(body), "msg_type": 255]
            },
        ],
        "node.ping": [
            "timeout": lone { _ in ["addr": .string(silentPeer), "timeout_ms": 300] },
            "bad_address": lone { _ in ["addr": "0.0.0.0:4000"] },
        ],
        "node.find_node": [
            "timeout": lone { _ in ["addr": .string(silentPeer), "target": .string(key), "timeout_ms": 300] },
            "bad_address": lone { _ in ["addr": "0.0.0.0:4000", "target": .string(key)] },
        ],
        "node.find_value": [
            "timeout": lone { _ in ["addr": .string(silentPeer), "key": .string(key), "timeout_ms": 300] },
            "bad_address": lone { _ in ["addr": "0.0.0.0:4000", "key": .string(key)] },
        ],
        "node.nat_probe": [
            "bad_address": lone { _ in ["addr": "0.0.0.0:4000", "claimed_addr": "127.0.0.1:1"] },
        ],
        "node.store_at": [
            "timeout": { d, method in
                let r = try record(.generate(), seq: 1)
                return try await d.lone.call(method, ["addr": .string(silentPeer), "key": .string(key), "record": .string(r), "timeout_ms": 300])
            },
            "bad_address": { d, method in
                try await d.lone.call(method, ["addr": "0.0.0.0:4000", "key": .string(key), "record": .string(try record(.generate(), seq: 1))])
            },
            "invalid_record": lone { _ in ["addr": .string(silentPeer), "key": .string(key), "record": .string(notARecord)] },
        ],
        "node.bootstrap": [
            "timeout": lone { _ in ["peers": [.string(silentPeer)], "timeout_ms": 1500] },
            "bad_address": lone { _ in ["peers": ["no-such-host.invalid:4121"], "timeout_ms": 5000] },
        ],
        "publish.custom": [
            "not_found": lone { ["agent": .string($0.stranger), "type": 0x21, "data": "AQI="] },
            "invalid_record": lone {
                ["agent": .string($0.loneAgent), "type": 0x21, "data": .string(Base64Text.encode([UInt8](repeating: 1, count: 1024)))]
            },
            "storage": withUnwritable(["publications.json"], lone { ["agent": .string($0.loneAgent), "type": 0x21, "data": "AQI="] }),
        ],
        "publish.endpoint": [
            "not_found": lone { ["agent": .string($0.stranger), "endpoints": ["quic://127.0.0.1:1"]] },
            "invalid_record": lone {
                ["agent": .string($0.loneAgent), "endpoints": .strings((0..<4).map { "quic://\($0).example:1/" + String(repeating: "x", count: 900) })]
            },
            "storage": withUnwritable(["publications.json"], lone { ["agent": .string($0.loneAgent), "endpoints": ["quic://127.0.0.1:1"]] }),
        ],
        "publish.topic": [
            "not_found": lone { ["agent": .string($0.stranger), "topic": "declared.errors"] },
            "invalid_record": lone {
                ["agent": .string($0.loneAgent), "topic": "declared.errors", "tags": .strings((0..<16).map { "tag-\($0)-" + String(repeating: "t", count: 50) })]
            },
            "storage": withUnwritable(["publications.json"], lone { ["agent": .string($0.loneAgent), "topic": "declared.errors"] }),
        ],
        "publish.record": [
            "invalid_record": lone { _ in ["key": .string(key), "record": .string(notARecord)] },
            "stale_record": staleRecord,
        ],
        "publish.withdraw": [
            "not_found": lone { _ in ["publication": "no-such-publication"] },
            "storage": { d, method in
                let published = try await d.lone.result("publish.custom", ["agent": .string(d.loneAgent), "type": 0x22, "data": "AQI="])
                let id = published["publication"] ?? .null
                return try await withUnwritable(["publications.json"], lone { _ in ["publication": id] })(d, method)
            },
        ],
        "query.aggregate_records": [
            "not_found": lone { _ in ["key": .string(key), "type": 0x21] },
        ],
        "query.find_records": [
            "not_found": lone { _ in ["key": .string(key), "type": 0x21] },
        ],
        "query.resolve": [
            "not_found": lone { ["address": .string($0.stranger)] },
        ],
        "store.put": [
            "invalid_record": lone { _ in ["key": .string(key), "record": .string(notARecord)] },
            "stale_record": staleRecord,
        ],
        "unsubscribe": ["not_found": lone { _ in ["subscription": "0123456789abcdef"] }],
        "watch": [
            "overloaded": { d, method in
                let client = try d.lone.connect()
                defer { client.close() }
                for i in 0..<WatchLimits.maxPerConnection {
                    _ = try await Offload.run { try client.result("watch", ["topic": .string("declared.errors.\(i)"), "poll_interval_ms": 60_000]) }
                }
                return try await Offload.run { try client.call("watch", ["topic": "declared.errors.last", "poll_interval_ms": 60_000]) }
            },
        ],
    ]

    /// Declared errors nothing here produces yet, each a gap to close with a producer.
    static let notYetProduced: Set<String> = [
        // Lookups and the NAT probe answer at their own deadline, just inside the call's: the
        // call's `timeout` wins only on a daemon too loaded to answer in time (docs/jsonrpc.md).
        "mailbox.read/timeout", "mailbox.send/timeout", "node.nat_probe/timeout", "query.aggregate_records/timeout",
        "query.find_node/timeout", "query.find_records/timeout", "query.resolve/timeout", "query.topic/timeout",
        // Needs a watch call racing the daemon's shutdown.
        "watch/unavailable",
    ]

    @Test(.timeLimit(.minutes(5))) func everyDeclaredErrorIsProduced() async throws {
        let catalog = try SchemaCatalog.shared()
        let lone = try await DaemonProcess.start()
        let stranger = try await lone.result("agent.create")["address"] ?? .null
        try await lone.result("agent.remove", ["address": stranger])
        let d = Fixture(lone: lone, loneAgent: try await lone.result("agent.create")["address"]?.stringValue ?? "",
                        stranger: stranger.stringValue ?? "")
        var declaredPairs: Set<String> = []
        for method in catalog.methods.keys.sorted() {
            for (code, kind) in try catalog.declaredErrors(method) {
                let pair = "\(method)/\(kind)"
                declaredPairs.insert(pair)
                // Every method refuses a parameter it does not know.
                let produce = kind == "invalid_params" ? Self.lone { _ in ["no_such_param": 1] } : Self.producers[method]?[kind]
                guard let produce else {
                    #expect(Self.notYetProduced.contains(pair), "nothing produces \(pair), which the schema declares")
                    continue
                }
                #expect(!Self.notYetProduced.contains(pair), "\(pair) has a producer: take it off notYetProduced")
                // RPCLineClient.call has already checked that an error is a declared one.
                let response = try await produce(d, method)
                #expect(response["error"]?["code"]?.intValue == code, "\(pair): \(JSONSchemaValidator.show(response))")
            }
        }
        let stale = Self.notYetProduced.subtracting(declaredPairs)
        #expect(stale.isEmpty, "listed as not yet produced but not declared: \(stale.sorted())")
        _ = try await lone.stop()
    }
}
