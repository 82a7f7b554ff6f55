import A2ALTestSupport
import A2ALRPC
import Testing

/// a2al-mcp against a live network of two real daemons on loopback UDP, one MCP server per
/// daemon, each driven by the official MCP Python client (docs/mcp.md): status, publish on
/// one and resolve and search from the other, a note from an agent on A to an agent on B,
/// read on B, and `wait_for_event` returning the real `mailbox_received` event.
@Suite(.serialized) struct MCPLiveNetworkTests {
    /// Calls `tool` until `accept` holds (the network needs a moment to replicate); fails
    /// with the last answer after `timeout`.
    @discardableResult
    static func callUntil(_ proxy: MCPProxy, _ server: String, _ tool: String, _ args: JSONObject,
                          timeout: Duration = .seconds(40), _ accept: (MCPToolResult) -> Bool) async throws -> MCPToolResult {
        let deadline = ContinuousClock.now + timeout
        while true {
            let r = try await proxy.call(server, tool, args)
            if accept(r) { return r }
            if ContinuousClock.now >= deadline { throw TestFileError("\(tool) on \(server): never accepted within \(timeout); last: \(r)") }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The tool's result, which must not be an error.
    @discardableResult
    static func ok(_ proxy: MCPProxy, _ server: String, _ tool: String, _ args: JSONObject = JSONObject()) async throws -> JSONValue {
        let r = try await proxy.call(server, tool, args)
        guard !r.isError else { throw TestFileError("\(tool) on \(server) failed: \(r)") }
        return r.json
    }

    @Test func publishResolveSearchAndMailAcrossTwoDaemons() async throws {
        let (a, b) = try await DaemonProcess.startPair()
        let proxy = try MCPProxy()
        try await proxy.open("a", ["--socket", a.socketPath])
        try await proxy.open("b", ["--socket", b.socketPath])

        // Status: the daemon's node.info, as text and as structuredContent.
        let status = try await proxy.call("a", "node_info")
        #expect(!status.isError)
        #expect(status.json.str("socket") == a.socketPath)
        let direct = try await a.result("node.info")
        #expect(status.json.str("address") == direct.str("address"))
        let structured = try #require(status.structured)
        #expect(SchemaCanon.text(structured) == SchemaCanon.text(status.json))

        let alice = try await Self.ok(proxy, "a", "agent_create", ["label": "alice"]).str("address")
        let bob = try await Self.ok(proxy, "b", "agent_create", ["label": "bob"]).str("address")
        let listed = try await Self.ok(proxy, "a", "agent_list")
        #expect(listed["agents"]?.arrayValue?.contains { $0.str("address") == alice } == true, "\(listed.compactText)")

        // Publish alice's endpoint on A, resolve it from B.
        let url = "quic://127.0.0.1:4433"
        try await Self.ok(proxy, "a", "publish_endpoint", ["agent": .string(alice), "endpoints": [.string(url)], "timeout_ms": 5000])
        let resolved = try await Self.callUntil(proxy, "b", "query_resolve", ["address": .string(alice), "timeout_ms": 5000]) {
            !$0.isError && $0.json["endpoint"]?["endpoints"]?.arrayValue?.contains(.string(url)) == true
        }
        #expect(resolved.json.str("address") == alice)

        // Announce a topic on A, find it from B.
        let topic = "mcp/e2e-\(UInt32.random(in: 0...UInt32.max))"
        try await Self.ok(proxy, "a", "publish_topic", ["agent": .string(alice), "topic": .string(topic), "name": "alice-bot",
                                                         "protocols": ["mcp"], "timeout_ms": 5000])
        let found = try await Self.callUntil(proxy, "b", "query_topic", ["topic": .string(topic), "timeout_ms": 5000]) {
            !$0.isError && $0.json["entries"]?.arrayValue?.contains { $0.str("address") == alice && $0.str("name") == "alice-bot" } == true
        }
        #expect(found.json.str("topic") == topic)

        // A note from alice (A) to bob (B): A finds bob's key in his endpoint record.
        try await Self.ok(proxy, "b", "publish_endpoint", ["agent": .string(bob), "endpoints": ["quic://127.0.0.1:4434"], "timeout_ms": 5000])
        let text = "hello bob, from alice over MCP"
        try await Self.callUntil(proxy, "a", "mailbox_send", ["from": .string(alice), "to": .string(bob), "text": .string(text), "timeout_ms": 5000]) {
            !$0.isError
        }
        let mail = try await Self.callUntil(proxy, "b", "mailbox_read", ["agent": .string(bob), "timeout_ms": 5000]) {
            !$0.isError && $0.json["messages"]?.arrayValue?.contains { $0.str("text") == text } == true
        }
        let note = try #require(mail.json["messages"]?.arrayValue?.first { $0.str("text") == text })
        #expect(note.str("from") == alice)

        // wait_for_event: the mailbox watch on B announces the note as mailbox_received.
        let waited = try await proxy.call("b", "wait_for_event", ["event": "mailbox_received", "timeout_ms": 60000,
                                                                  "watch": ["agent": .string(bob), "poll_interval_ms": 1000]])
        #expect(!waited.isError, "\(waited)")
        #expect(waited.json.str("event") == "mailbox_received")
        #expect(waited.json["timed_out"] == nil, "\(waited)")
        let event = try #require(waited.json["result"])
        #expect(event.str("agent") == bob)
        #expect(event["message"]?.str("text") == text && event["message"]?.str("from") == alice, "\(event.compactText)")
        // The event carries no key material (schema/events/mailbox_received.json).
        #expect(!waited.text.contains("private_key"))

        try await proxy.finish()
        try await b.stop()
        try await a.stop()
    }

    /// A wait that starts before the event: `record_stored` fires when B stores a record, here
    /// a topic record published on B after the wait began. The publication repeats until the
    /// wait answers, since the subscription may not be in place when the first one lands.
    @Test func waitForEventReturnsAnEventThatHappensWhileWaiting() async throws {
        let daemon = try await DaemonProcess.start()
        let proxy = try MCPProxy()
        try await proxy.open("a", ["--socket", daemon.socketPath])
        let agent = try await Self.ok(proxy, "a", "agent_create", ["label": "waiter"]).str("address")
        async let waited = proxy.call("a", "wait_for_event", ["event": "record_stored", "timeout_ms": 60000])
        let trigger = Task {
            var n = 0
            while !Task.isCancelled {
                n += 1
                _ = try? await proxy.call("a", "publish_topic", ["agent": .string(agent), "topic": .string("mcp/wait-\(n)"),
                                                                  "name": "w", "timeout_ms": 1000])
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        let result = try await waited
        trigger.cancel()
        _ = await trigger.result
        #expect(!result.isError, "\(result)")
        #expect(result.json.str("event") == "record_stored")
        let stored = try #require(result.json["result"])
        #expect(stored.str("publisher") == agent && stored.str("type") == "topic", "\(stored.compactText)")
        try await proxy.finish()
        try await daemon.stop()
    }
}
