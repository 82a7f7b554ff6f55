import A2ALCore
import A2ALTestSupport
import A2ALProtocol
import A2ALRPC
import Testing

/// `watch` on real daemons on loopback UDP (docs/jsonrpc.md, "Watches"): a topic record and a
/// note published by another daemon are announced to the watcher's subscription, and watches
/// end with their connection. Our daemons ask only peers that proved v0.2.4+ for pushes, so
/// here the records arrive by polling — the fallback that must work on its own.
@Suite(.serialized) struct WatchEndToEndTests {
    /// Subscribes `client` to `event`; returns the subscription id.
    static func subscribe(_ client: RPCLineClient, _ event: String) async throws -> String {
        try await Offload.run { try client.result("subscribe", ["event": .string(event)]) }.str("subscription")
    }

    @discardableResult
    static func call(_ client: RPCLineClient, _ method: String, _ params: JSONObject) async throws -> JSONValue {
        try await Offload.run { try client.result(method, params) }
    }

    @Test func topicWatchAnnouncesARecordPublishedByAnotherDaemon() async throws {
        let catalog = try SchemaCatalog.shared()
        let (a, b) = try await DaemonProcess.startPair()
        let listener = try a.connect()
        defer { listener.close() }
        let sub = try await Self.subscribe(listener, "record_pushed")
        let topic = "e2e/watch-\(UInt32.random(in: 0...UInt32.max))"
        let watch = try await Self.call(listener, "watch", ["topic": .string(topic), "poll_interval_ms": 1000])
        #expect(watch.str("key") == TopicKey.key(for: topic).description)
        #expect(try catalog.resultViolations("watch", watch).isEmpty)

        let bob = try await b.result("agent.create", ["label": "bob"])
        try await b.result("publish.topic", ["agent": .string(bob.str("address")), "topic": .string(topic), "name": "bob",
                                             "protocols": ["mcp"], "timeout_ms": 5000])
        var seen: [JSONValue] = []
        let event = try await EventsEndToEndTests.await(listener, &seen, timeout: .seconds(40)) {
            $0["params"]?.str("subscription") == sub && $0["params"]?["result"]?["record"]?.str("address") == bob.str("address")
        }
        let result = try #require(event["params"]?["result"])
        #expect(result.str("key") == watch.str("key"))
        #expect(["poll", "push"].contains(result.str("source")))
        #expect(result["record"]?.str("type") == "topic" && result["record"]?["payload"]?.str("topic") == topic)
        #expect(result["record"]?.str("key") == watch.str("key"))
        let violations = try catalog.eventViolations("record_pushed", result)
        #expect(violations.isEmpty, "\(violations)")
        try await b.stop()
        try await a.stop()
    }

    @Test func agentWatchAnnouncesDecryptedNotesWithoutKeyMaterial() async throws {
        let catalog = try SchemaCatalog.shared()
        let (a, b) = try await DaemonProcess.startPair()
        // B needs alice's public key to encrypt to her: it finds her endpoint record.
        let alice = try await a.result("agent.create", ["label": "alice"])
        let aliceAddr = alice.str("address")
        try await a.result("publish.endpoint", ["agent": .string(aliceAddr), "endpoints": ["quic://127.0.0.1:4433"], "timeout_ms": 5000])
        let aliceSeed = try await a.result("agent.export", ["address": .string(aliceAddr), "confirm": true]).str("private_key")

        let listener = try a.connect()
        defer { listener.close() }
        let sub = try await Self.subscribe(listener, "mailbox_received")
        let watch = try await Self.call(listener, "watch", ["agent": .string(aliceAddr), "poll_interval_ms": 1000])
        #expect(watch.str("key") == alice.str("node_id"))

        let bob = try await b.result("agent.create", ["label": "bob"])
        let sent = try await b.result("mailbox.send", ["from": .string(bob.str("address")), "to": .string(aliceAddr),
                                                       "text": "hello alice", "timeout_ms": 5000])
        var seen: [JSONValue] = []
        let event = try await EventsEndToEndTests.await(listener, &seen, timeout: .seconds(40)) {
            $0["params"]?.str("subscription") == sub && $0["params"]?["result"]?["message"]?.str("text") == "hello alice"
        }
        let result = try #require(event["params"]?["result"])
        #expect(result.str("agent") == aliceAddr && result.str("key") == alice.str("node_id"))
        #expect(result["seq"] == sent["record"]?["seq"])
        #expect(result["message"]?.str("from") == bob.str("address") && result["message"]?["msg_type"] == 3)
        #expect(result["message"]?.str("data") == Base64Text.encode(Array("hello alice".utf8)))
        let violations = try catalog.eventViolations("mailbox_received", result)
        #expect(violations.isEmpty, "\(violations)")

        // No key material: not alice's seed in any form, not the note's ciphertext or record.
        let text = JSONWriter.write(event).text
        let seedBytes = Hex.decode(aliceSeed) ?? []
        #expect(!seedBytes.isEmpty)
        for secret in [aliceSeed, aliceSeed.uppercased(), Base64Text.encode(seedBytes)] {
            #expect(!text.contains(secret), "the event carries alice's private key")
        }
        #expect(!text.contains(sent["record"]?.str("raw") ?? "<none>"), "the event carries the encrypted record")
        #expect(result.objectValue?.keys.sorted() == ["agent", "key", "message", "seq", "source"])
        // Polls may find the note at several holders (B, and A itself as a replica): it is
        // announced once.
        let copies = seen.filter { $0["params"]?["result"]?["message"]?.str("text") == "hello alice" }
        #expect(copies.count == 1)
        try await b.stop()
        try await a.stop()
    }

    @Test func watchesEndWithTheirConnectionAndWithUnwatch() async throws {
        let d = try await DaemonProcess.start()
        /// [keys the node watches, watches the daemon holds].
        func watchedKeys() async throws -> [Int64] {
            let stats = try await d.result("node.stats")
            return [stats["push"]?["watched_keys"]?.intValue ?? -1, stats["rpc"]?["watches"]?.intValue ?? -1]
        }
        #expect(try await watchedKeys() == [0, 0])

        // Three watches on two keys: the node watches each key once.
        let client = try d.connect()
        let topicWatch = try await Self.call(client, "watch", ["topic": "e2e/closing", "poll_interval_ms": 1000])
        try await Self.call(client, "watch", ["topic": "e2e/closing", "poll_interval_ms": 5000])
        try await Self.call(client, "watch", ["key": .string(NodeID.random().description), "rec_type": 1])
        #expect(try await watchedKeys() == [2, 3])

        // unwatch ends one; the key stays watched while another watch shares it.
        try await Self.call(client, "unwatch", ["watch_id": .string(topicWatch.str("watch_id"))])
        #expect(try await watchedKeys() == [2, 2])

        // Another connection cannot end this one's watches.
        let other = try await d.call("unwatch", ["watch_id": .string(topicWatch.str("watch_id"))])
        #expect(other["error"]?["code"] == -32602)

        // Closing the connection ends the rest.
        client.close()
        try await DaemonProcess.waitFor("watches to end with their connection") { try await watchedKeys() == [0, 0] }
        try await d.stop()
    }
}
