import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol
import A2ALRPC
import Testing

/// Two real daemons on loopback UDP; every method of the API is called at least once through
/// the socket, and every reply is checked against schema/.
@Suite(.serialized) struct EveryMethodEndToEndTests {
    /// A signed endpoint record made outside the daemon (what `store.put`, `publish.record`
    /// and `node.store_at` take), with its key.
    static func foreignRecord(endpoint: String) throws -> (key: String, base64: String) {
        let keys = Ed25519.KeyPair.generate()
        let now = UInt64(time(nil))
        let (ts, ttl) = SignedRecord.backdated(now: now, ttl: 600)
        let record = try SignedRecord.sign(recType: RecordType.endpoint,
                                           payload: EndpointPayload(endpoints: [endpoint]).encoded,
                                           seq: now, timestamp: ts, ttl: ttl, signer: keys)
        return (record.address.nodeID.description, Base64Text.encode(record.encoded))
    }

    @Test func everyMethodAnswersWithinItsSchema() async throws {
        let check = try ContractChecker()
        let a = try await DaemonProcess.start()
        let aInfo = try await check.ok(a, "node.info")
        let aUDP = try #require(aInfo["listen_addrs"]?.arrayValue?.first?.stringValue)
        let b = try await DaemonProcess.start(extraArguments: ["--bootstrap", aUDP])
        let bInfo = try await check.ok(b, "node.info")
        let bUDP = try #require(bInfo["listen_addrs"]?.arrayValue?.first?.stringValue)
        let bID = bInfo.str("node_id"), bAddress = bInfo.str("address")
        // B's bootstrap reaches A in the background; wait until A knows B.
        let joined = try await E2EPoll.until(within: .seconds(10)) {
            try await check.ok(a, "node.stats")["routing"]?["total_peers"]?.intValue ?? 0 > 0 ? true : nil
        }
        try #require(joined == true, "A never learnt of B")

        // rpc.* and subscriptions
        let discover = try await check.ok(a, "rpc.discover")
        let listed = Set(discover["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        #expect(listed == Set(check.catalog.methods.keys), "rpc.discover and schema/methods disagree")
        let sub = try await check.ok(a, "subscribe", ["event": "record_stored"])
        try await check.ok(a, "unsubscribe", ["subscription": .string(sub.str("subscription"))])
        try await check.fails(a, "unsubscribe", ["subscription": .string(sub.str("subscription"))], code: -32001)
        let watch = try await check.ok(a, "watch", ["topic": "e2e/echo", "poll_interval_ms": 60_000])
        try await check.ok(a, "unwatch", ["watch_id": .string(watch.str("watch_id"))])
        try await check.fails(a, "unwatch", ["watch_id": .string(watch.str("watch_id"))], code: -32602)

        // node.*: the local node
        try await check.ok(a, "node.stats")
        try await check.ok(a, "node.routing")
        try await check.ok(a, "node.network_size")
        try await check.ok(a, "node.network_size", ["cutoff_s": 3600])
        try await check.ok(a, "node.observed_addrs")
        try await check.ok(a, "node.bootstrap_candidates", ["max": 4])
        #expect(try await check.ok(a, "node.set_passive_routing", ["passive": true])["passive"] == true)
        try await check.ok(a, "node.set_passive_routing", ["passive": false])
        #expect(try await check.ok(a, "node.set_max_store_keys", ["max": 5000])["max_store_keys"]?.intValue == 5000)
        try await check.ok(a, "node.set_self_ext_ip", ["ip": "203.0.113.7"])
        #expect(try await check.ok(a, "node.self_ext_ip")["ip"]?.stringValue == "203.0.113.7")
        try await check.ok(a, "node.set_self_ext_ip", ["ip": .null])

        // node.*: one peer
        let pong = try await check.ok(a, "node.ping", ["addr": .string(bUDP), "timeout_ms": 5000])
        #expect(pong["node"]?["node_id"]?.stringValue == bID)
        try await check.fails(a, "node.ping", ["addr": "127.0.0.1:9", "timeout_ms": 300], code: -32002)
        try await check.ok(a, "node.find_node", ["addr": .string(bUDP), "target": .string(bID)])
        try await check.ok(a, "node.peer_health", ["node_id": .string(bID)])
        try await check.ok(a, "node.peer_rtt", ["addr": .string(bUDP)])
        try await check.ok(a, "node.add_contact", ["addr": .string(bUDP), "address": .string(bAddress)])
        try await check.ok(a, "node.bind_peer_addr", ["node_id": .string(bID), "addr": .string(bUDP)])
        try await check.ok(a, "node.bootstrap", ["peers": [.string(bUDP)], "timeout_ms": 5000])
        try await check.fails(a, "node.bootstrap", ["peers": ["127.0.0.1:9"], "timeout_ms": 1500], code: -32002)
        try await check.ok(a, "node.nat_probe", ["addr": .string(bUDP), "claimed_addr": "127.0.0.1:1", "timeout_ms": 500])
        let foreign = try Self.foreignRecord(endpoint: "quic://192.0.2.10:4433")
        #expect(try await check.ok(a, "node.store_at", ["addr": .string(bUDP), "key": .string(foreign.key),
                                                        "record": .string(foreign.base64)])["stored"] == true)
        let found = try await check.ok(a, "node.find_value", ["addr": .string(bUDP), "key": .string(foreign.key), "type": 1])
        #expect(found["records"]?.arrayValue?.count == 1)

        // agent.*
        let alice = try await check.ok(a, "agent.create", ["label": "alice"])
        let aliceAddr = alice.str("address"), aliceID = alice.str("node_id")
        let seed = Hex.encode(Ed25519.KeyPair.generate().seed)
        let imported = try await check.ok(a, "agent.import", ["private_key": .string(seed), "label": "imported"])
        try await check.fails(a, "agent.import", ["private_key": .string(seed)], code: -32008)
        #expect(try await check.ok(a, "agent.list")["agents"]?.arrayValue?.count == 2)
        #expect(try await check.ok(a, "agent.export", ["address": .string(imported.str("address")), "confirm": true])
            .str("private_key") == seed)
        try await check.fails(a, "agent.export", ["address": .string(imported.str("address"))], code: -32602)
        try await check.ok(a, "agent.remove", ["address": .string(imported.str("address"))])
        let bob = try await check.ok(b, "agent.create", ["label": "bob"])

        // publish.*
        let endpoint = try await check.ok(a, "publish.endpoint", ["agent": .string(aliceAddr),
                                                                  "endpoints": ["quic://127.0.0.1:4433"], "timeout_ms": 5000])
        let topic = try await check.ok(a, "publish.topic", ["agent": .string(aliceAddr), "topic": "e2e/echo", "name": "alice",
                                                            "protocols": ["mcp"], "tags": ["test"], "brief": "echo service",
                                                            "meta": ["version": 2], "timeout_ms": 5000])
        let custom = try await check.ok(a, "publish.custom", ["agent": .string(aliceAddr), "type": 0x20,
                                                              "data": .string(Base64Text.encode(Array("hello".utf8))), "timeout_ms": 5000])
        #expect(endpoint["record"]?.str("address") == aliceAddr)
        let signedElsewhere = try Self.foreignRecord(endpoint: "quic://192.0.2.12:4433")
        try await check.ok(a, "publish.record", ["key": .string(signedElsewhere.key), "record": .string(signedElsewhere.base64),
                                                 "timeout_ms": 5000])
        try await check.fails(a, "publish.record", ["key": .string(signedElsewhere.key), "record": .string(signedElsewhere.base64)],
                              code: -32003)
        #expect(try await check.ok(a, "publish.list")["publications"]?.arrayValue?.count == 3)
        try await check.ok(a, "publish.withdraw", ["publication": .string(custom.str("publication"))])
        try await check.fails(a, "publish.withdraw", ["publication": .string(custom.str("publication"))], code: -32001)
        try await check.fails(a, "publish.endpoint", ["agent": .string(bob.str("address")), "endpoints": ["x"]], code: -32001)

        // query.* from the other daemon
        let resolved = try await check.ok(b, "query.resolve", ["address": .string(aliceAddr)])
        #expect(resolved["endpoint"]?["endpoints"] == ["quic://127.0.0.1:4433"])
        try await check.ok(b, "query.find_node", ["target": .string(aliceID)])
        try await check.ok(b, "query.find_records", ["key": .string(aliceID), "type": 1])
        try await check.ok(b, "query.aggregate_records", ["key": .string(topic.str("key")), "type": 16])
        let entries = try await check.ok(b, "query.topic", ["topic": "e2e/echo", "protocols": ["mcp"]])
        #expect(entries["entries"]?.arrayValue?.first?.str("address") == aliceAddr)
        #expect(try await check.ok(b, "query.topic", ["topic": "e2e/echo", "tags": ["absent"]])["entries"] == [])
        try await check.fails(b, "query.resolve", ["address": .string(bob.str("address")), "timeout_ms": 2000], code: -32001)

        // store.*
        let other = try Self.foreignRecord(endpoint: "quic://192.0.2.11:4433")
        try await check.ok(a, "store.put", ["key": .string(other.key), "record": .string(other.base64)])
        try await check.fails(a, "store.put", ["key": .string(aliceID), "record": .string(other.base64)], code: -32004)
        #expect(try await check.ok(a, "store.get", ["key": .string(other.key), "type": 1])["record"] != .null)
        try await check.ok(a, "store.get_all", ["key": .string(aliceID)])
        try await check.ok(a, "store.get_by_address", ["address": .string(aliceAddr)])
        try await check.ok(a, "store.len")
        try await check.ok(a, "store.records", ["limit": 5])
        try await check.ok(a, "store.invalidate", ["key": .string(other.key), "type": 1])
        #expect(try await check.ok(a, "store.get", ["key": .string(other.key), "type": 1])["record"] == .null)

        // mailbox.*: the sender learns bob's public key from his endpoint record.
        try await check.ok(b, "publish.endpoint", ["agent": .string(bob.str("address")), "endpoints": ["quic://127.0.0.1:5544"],
                                                   "timeout_ms": 5000])
        try await check.ok(a, "mailbox.send", ["from": .string(aliceAddr), "to": .string(bob.str("address")),
                                               "text": "hello bob", "timeout_ms": 5000])
        let mail = try await check.ok(b, "mailbox.read", ["agent": .string(bob.str("address"))])
        #expect(mail["messages"]?.arrayValue?.first?.str("text") == "hello bob")
        #expect(mail["messages"]?.arrayValue?.first?.str("from") == aliceAddr)
        let noteID = try #require(mail["messages"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(try await check.ok(b, "mailbox.ack", ["agent": .string(bob.str("address")), "ids": [.string(noteID)]])["acked"] == 1)

        let missing = Set(check.catalog.methods.keys).subtracting(check.calledMethods)
        #expect(missing.isEmpty, "methods never called: \(missing.sorted())")
        try await b.stop()
        try await a.stop()
    }
}
