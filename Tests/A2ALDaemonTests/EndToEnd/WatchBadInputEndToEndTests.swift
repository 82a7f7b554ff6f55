import A2ALCore
import A2ALTestSupport
import A2ALRPC
import Testing

/// What `watch` and `unwatch` refuse on a real daemon (docs/jsonrpc.md, "Watches"): each bad
/// input is -32602 naming the field, and the watch limit is a clear `overloaded` error. The
/// daemon keeps serving, and nothing refused is left watched.
@Suite(.serialized) struct WatchBadInputEndToEndTests {
    static func expectInvalid(_ response: JSONValue, field: String, mentioning words: [String] = [],
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let error = response["error"]
        #expect(error?["code"] == -32602, "\(JSONWriter.write(response).text)", sourceLocation: sourceLocation)
        #expect(error?["data"]?.str("field") == field, "\(JSONWriter.write(response).text)", sourceLocation: sourceLocation)
        for word in words {
            #expect(error?.str("message").contains(word) == true, "no \"\(word)\" in \(JSONWriter.write(response).text)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func badParamsAreInvalidParamsNamingTheField() async throws {
        let d = try await DaemonProcess.start()
        let key = NodeID.random().description
        let stranger = Address.ed25519(publicKey: Ed25519.KeyPair.generate().publicKey).text

        Self.expectInvalid(try await d.call("watch", [:]), field: "key", mentioning: ["exactly one of key, topic or agent"])
        Self.expectInvalid(try await d.call("watch", ["key": .string(key), "topic": "t"]), field: "topic", mentioning: ["key and topic"])
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "agent": .string(stranger)]), field: "agent")
        Self.expectInvalid(try await d.call("watch", ["agent": .string(stranger)]), field: "agent", mentioning: ["no agent", "agent.list"])
        Self.expectInvalid(try await d.call("watch", ["agent": "not-an-address"]), field: "agent")
        Self.expectInvalid(try await d.call("watch", ["key": "abc"]), field: "key")
        Self.expectInvalid(try await d.call("watch", ["topic": ""]), field: "topic")
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "rec_type": 1]), field: "rec_type", mentioning: ["only with key"])
        Self.expectInvalid(try await d.call("watch", ["key": .string(key), "rec_type": 256]), field: "rec_type")
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "poll_interval_ms": 999]), field: "poll_interval_ms",
                           mentioning: ["1000...300000"])
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "poll_interval_ms": 300_001]), field: "poll_interval_ms")
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "poll_interval_ms": 1.5]), field: "poll_interval_ms")
        Self.expectInvalid(try await d.call("watch", ["topic": "t", "timeout_ms": 100]), field: "timeout_ms", mentioning: ["unknown"])
        Self.expectInvalid(try await d.call("unwatch", ["watch_id": "0011223344556677"]), field: "watch_id",
                           mentioning: ["no watch 0011223344556677"])
        Self.expectInvalid(try await d.call("unwatch", [:]), field: "watch_id")

        // Nothing refused was left watched, and the daemon still serves.
        let stats = try await d.result("node.stats")
        #expect(stats["push"]?["watched_keys"] == 0 && stats["rpc"]?["watches"] == 0)
        try await d.stop()
    }

    @Test func theWatchLimitIsAClearError() async throws {
        let d = try await DaemonProcess.start()
        let client = try d.connect()
        defer { client.close() }
        let limit = 16  // WatchLimits.maxPerConnection, as docs/jsonrpc.md states it
        for i in 0..<limit {
            let r = try await Offload.run { try client.call("watch", ["topic": .string("e2e/limit/\(i)"), "poll_interval_ms": 300_000]) }
            #expect(r["result"]?.str("watch_id").count == 16, "watch \(i): \(JSONWriter.write(r).text)")
        }
        let over = try await Offload.run { try client.call("watch", ["topic": "e2e/limit/over"]) }
        let error = over["error"]
        #expect(error?["code"] == -32007 && error?["data"]?.str("kind") == "overloaded", "\(JSONWriter.write(over).text)")
        #expect(error?["data"]?.str("scope") == "connection" && error?["data"]?["limit"] == .integer(limit))
        #expect(error?.str("message").contains("too many watches on this connection (limit 16)") == true)

        // The limit is per connection: another one may still watch.
        let other = try await d.call("watch", ["topic": "e2e/limit/other"])
        #expect(other["result"]?.str("watch_id").count == 16, "\(JSONWriter.write(other).text)")
        #expect(try await d.result("node.stats")["rpc"]?["watches"] == .integer(limit + 1))
        try await d.stop()
    }
}
