import A2ALRPC
import Testing

/// Every error a method's schema declares is one a real daemon answers: for each method and
/// each declared kind, a call that produces it (docs/jsonrpc.md, "Errors"). A declared error
/// with no producer here fails the test unless it is listed in `notYetProduced`, which names
/// the gaps rather than hiding them; a listed pair the schema no longer declares fails too.
@Suite(.serialized) struct DeclaredErrorsEndToEndTests {
    /// An address no daemon holds an agent for, and a port nothing answers on.
    static let strangerAgent = "$stranger"
    static let silentPeer = "127.0.0.1:9"
    static let zeroKey = String(repeating: "0", count: 64)

    /// (method, kind) → params that produce it on a daemon with no peers. `$stranger` is
    /// replaced by the address of an agent that was created and removed again.
    static let producers: [String: [String: JSONObject]] = [
        "agent.export": ["not_found": ["address": "$stranger", "confirm": true]],
        "agent.remove": ["not_found": ["address": "$stranger"]],
        "mailbox.ack": ["not_found": ["agent": "$stranger", "ids": [.string(zeroKey)]]],
        "mailbox.read": ["not_found": ["agent": "$stranger"]],
        "mailbox.send": ["not_found": ["from": "$stranger", "to": "$stranger", "text": "hi"]],
        "publish.custom": ["not_found": ["agent": "$stranger", "type": 0x21, "data": "AQI="]],
        "publish.endpoint": ["not_found": ["agent": "$stranger", "endpoints": ["quic://127.0.0.1:1"]]],
        "publish.topic": ["not_found": ["agent": "$stranger", "topic": "declared.errors"]],
        "publish.withdraw": ["not_found": ["publication": "no-such-publication"]],
        "unsubscribe": ["not_found": ["subscription": "0123456789abcdef"]],
        "node.ping": ["timeout": ["addr": .string(silentPeer), "timeout_ms": 300]],
        "node.find_node": ["timeout": ["addr": .string(silentPeer), "target": .string(zeroKey), "timeout_ms": 300]],
        "node.find_value": ["timeout": ["addr": .string(silentPeer), "key": .string(zeroKey), "timeout_ms": 300]],
        "node.bootstrap": ["timeout": ["peers": [.string(silentPeer)], "timeout_ms": 1500]],
    ]

    /// Declared errors this test does not produce yet, each a gap to close (a producer or a
    /// schema that stops promising it).
    static let notYetProduced: Set<String> = [
        "agent.create/overloaded", "agent.create/storage", "agent.import/overloaded", "agent.import/conflict",
        "agent.import/storage", "agent.export/bad_address", "agent.remove/bad_address", "agent.remove/storage",
        "mailbox.ack/bad_address", "mailbox.ack/storage", "mailbox.read/bad_address", "mailbox.read/storage",
        "mailbox.read/timeout", "mailbox.send/bad_address", "mailbox.send/timeout", "mailbox.send/invalid_record",
        "mailbox.send/storage", "node.add_contact/bad_address", "node.bind_peer_addr/bad_address",
        "node.bootstrap/bad_address", "node.find_node/bad_address", "node.find_node/peer_error",
        "node.find_value/bad_address", "node.find_value/peer_error", "node.nat_probe/timeout",
        "node.nat_probe/bad_address", "node.nat_probe/peer_error", "node.ping/bad_address", "node.ping/peer_error",
        "node.set_self_ext_ip/bad_address", "node.store_at/timeout", "node.store_at/bad_address",
        "node.store_at/peer_error", "node.store_at/invalid_record", "publish.custom/bad_address",
        "publish.custom/invalid_record", "publish.custom/storage", "publish.endpoint/bad_address",
        "publish.endpoint/invalid_record", "publish.endpoint/storage", "publish.record/invalid_record",
        "publish.record/stale_record", "publish.topic/bad_address", "publish.topic/invalid_record",
        "publish.topic/storage", "publish.withdraw/storage", "query.aggregate_records/timeout",
        "query.aggregate_records/not_found", "query.find_node/timeout", "query.find_records/timeout",
        "query.find_records/not_found", "query.resolve/timeout", "query.resolve/not_found",
        "query.resolve/bad_address", "query.topic/timeout", "store.get_by_address/bad_address",
        "store.put/invalid_record", "store.put/stale_record", "watch/overloaded", "watch/unavailable",
    ]

    @Test func everyDeclaredErrorIsProduced() async throws {
        let catalog = try SchemaCatalog.shared()
        let d = try await DaemonProcess.start()
        let stranger = try await d.result("agent.create")["address"]?.stringValue ?? ""
        try await d.result("agent.remove", ["address": .string(stranger)])
        var declaredPairs: Set<String> = []
        for method in catalog.methods.keys.sorted() {
            for (code, kind) in try catalog.declaredErrors(method) {
                let pair = "\(method)/\(kind)"
                declaredPairs.insert(pair)
                // Every method refuses a parameter it does not know.
                let params: JSONObject? = kind == "invalid_params" ? ["no_such_param": 1] : Self.producers[method]?[kind]
                guard let params else {
                    #expect(Self.notYetProduced.contains(pair), "nothing produces \(pair), which the schema declares")
                    continue
                }
                #expect(!Self.notYetProduced.contains(pair), "\(pair) is produced: take it off notYetProduced")
                var filled = params
                for (key, value) in params where value == .string(Self.strangerAgent) { filled[key] = .string(stranger) }
                // RPCLineClient.call has already checked that the error is declared.
                let response = try await d.call(method, filled, timeout: .seconds(30))
                #expect(response["error"]?["code"]?.intValue == code, "\(pair): \(JSONSchemaValidator.show(response))")
            }
        }
        #expect(Self.notYetProduced.subtracting(declaredPairs).isEmpty,
                "listed but not declared: \(Self.notYetProduced.subtracting(declaredPairs).sorted())")
        _ = try await d.stop()
    }
}
