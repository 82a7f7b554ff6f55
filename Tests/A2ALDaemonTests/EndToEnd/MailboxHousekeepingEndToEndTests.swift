import A2ALTestSupport
import A2ALRPC
import Testing

/// mailbox.read's cursor, mailbox.ack and agent.list's counts on a real daemon, across a
/// restart (docs/jsonrpc.md, "mailbox.*").
@Suite(.serialized) struct MailboxHousekeepingEndToEndTests {
    /// Sends a note to the agent itself; answers the params that store it again (`store.put`).
    @discardableResult
    static func send(_ c: RPCLineClient, _ agent: String, _ text: String) async throws -> JSONObject {
        let r = try await Offload.run {
            try c.result("mailbox.send", ["from": .string(agent), "to": .string(agent), "text": .string(text), "timeout_ms": 300])
        }
        return ["key": r["key"] ?? .null, "record": r["record"]?["raw"] ?? .null]
    }

    static func read(_ c: RPCLineClient, _ agent: String, _ extra: JSONObject = [:]) async throws -> JSONValue {
        var params: JSONObject = ["agent": .string(agent), "timeout_ms": 2000]
        for (k, v) in extra { params[k] = v }
        let sent = params
        return try await Offload.run { try c.result("mailbox.read", sent) }
    }

    static func texts(_ r: JSONValue) -> [String] { (r["messages"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue } }

    static func counts(_ c: RPCLineClient, _ agent: String) async throws -> JSONValue? {
        let list = try await Offload.run { try c.result("agent.list") }
        return list["agents"]?.arrayValue?.first { $0["address"]?.stringValue == agent }?["mailbox"]
    }

    @Test func cursorAckAndCountsSurviveARestart() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        let agent = try #require(try await Offload.run { try c.result("agent.create", ["label": "mail"]) }["address"]?.stringValue)
        #expect(try await Self.counts(c, agent) == ["unread": 0, "acked": 0])

        var notes = [try await Self.send(c, agent, "one"), try await Self.send(c, agent, "two")]
        let first = try await Self.read(c, agent)
        #expect(Set(Self.texts(first)) == ["one", "two"])
        let cursor = try #require(first["cursor"]?.stringValue)
        #expect(SafeInteger.parse(cursor) != nil && cursor != "0")
        #expect(first["messages"]?.arrayValue?.allSatisfy { $0["acked"] == false && $0["cursor"]?.stringValue != nil } == true)

        // Nothing new since the cursor; then only the new note.
        #expect(Self.texts(try await Self.read(c, agent, ["since": .string(cursor)])) == [])
        notes.append(try await Self.send(c, agent, "three"))
        let newer = try await Self.read(c, agent, ["since": .string(cursor)])
        #expect(Self.texts(newer) == ["three"])
        #expect(newer["cursor"] != first["cursor"])
        // The cursor as a JSON integer works the same.
        #expect(Self.texts(try await Self.read(c, agent, ["since": .int(Int64(cursor) ?? 0)])) == ["three"])

        // Ack "one": left out by default, shown (acked) on request, counted.
        let one = try #require(first["messages"]?.arrayValue?.first { $0["text"] == "one" }?["id"]?.stringValue)
        #expect(try await Offload.run { try c.result("mailbox.ack", ["agent": .string(agent), "ids": [.string(one)]]) }["acked"] == 1)
        #expect(try await Offload.run { try c.result("mailbox.ack", ["agent": .string(agent), "ids": [.string(one)]]) }["acked"] == 0)
        #expect(Set(Self.texts(try await Self.read(c, agent))) == ["two", "three"])
        let all = try await Self.read(c, agent, ["include_acked": true])
        #expect(all["messages"]?.arrayValue?.first { $0["text"] == "one" }?["acked"] == true)
        #expect(try await Self.counts(c, agent) == ["unread": 2, "acked": 1])

        // An unknown id changes nothing and is named.
        let bad = try await Offload.run {
            try c.call("mailbox.ack", ["agent": .string(agent), "ids": [.string(String(repeating: "0", count: 32)), .string(one)]])
        }
        #expect(bad["error"]?["code"] == -32602 && bad["error"]?["data"]?["field"] == "ids[0]", "\(JSONSchemaValidator.show(bad))")
        #expect(try await Self.counts(c, agent) == ["unread": 2, "acked": 1])

        // After a restart: the ack, the counts and the cursors are still there. The node's
        // record store lives in memory, so the notes are stored again as the network would
        // hand them back.
        c.close()
        try await d.stop()
        let again = try await d.restart()
        let c2 = try again.connect()
        defer { c2.close() }
        #expect(try await Self.counts(c2, agent) == ["unread": 2, "acked": 1])
        for note in notes { _ = try await Offload.run { try c2.result("store.put", note) } }
        #expect(Set(Self.texts(try await Self.read(c2, agent))) == ["two", "three"])
        #expect(Self.texts(try await Self.read(c2, agent, ["since": newer["cursor"] ?? .null])) == [])
        let after = try await Self.read(c2, agent, ["include_acked": true])
        #expect(after["messages"]?.arrayValue?.first { $0["text"] == "one" }?["acked"] == true)
        #expect(after["cursor"] == newer["cursor"])
        try await again.stop()
    }
}
