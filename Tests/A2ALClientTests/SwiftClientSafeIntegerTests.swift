import A2ALClient
import A2ALTestSupport
import A2ALRPC
import Foundation
import Testing

/// The Swift client's side of issue 14 on a real daemon: params by position, and `seq` read
/// exactly through `A2ALU64` and `u64FromEither` (docs/jsonrpc.md, "Safe integers").
@Suite(.serialized) struct SwiftClientSafeIntegerTests {
    struct Record: Decodable { let seq: A2ALU64 }
    struct Sent: Decodable { let key: String; let record: Record }
    struct Note: Encodable { let from: String; let to: String; let text: String; let timeout_ms: Int }

    @Test func positionalCallsAndNoteSeqsAboveTwoToThe53() async throws {
        let daemon = try await DaemonProcess.start()
        let client = try await A2ALClient.connect(to: daemon.socketPath)
        let agent = try await client.call("agent.create", positional: ["by-position"])
        #expect(agent["label"] == "by-position")
        let address = try #require(agent["address"]?.stringValue)

        let sent = try await client.call("mailbox.send", Note(from: address, to: address, text: "hi", timeout_ms: 300), as: Sent.self)
        #expect(sent.record.seq.value > 1 << 53)
        let stored = try await client.call("store.get_all", ["key": .string(sent.key)])
        let seq = stored["records"]?.arrayValue?.first?["seq"]
        #expect(seq == .string(String(sent.record.seq.value)))
        #expect(seq?.u64FromEither == sent.record.seq.value)

        // mailbox.read by position: agent, since, include_acked, timeout_ms.
        let read = try await client.call("mailbox.read", positional: [.string(address), .null, .null, 2000])
        #expect(read["messages"]?.arrayValue?.count == 1)
        let cursor = try #require(read["cursor"])
        let again = try await client.call("mailbox.read", positional: [.string(address), cursor, false, 2000])
        #expect(again["messages"] == [])

        await #expect(throws: A2ALClientError.self) {
            try await client.call("node.ping", positional: ["127.0.0.1:9", 100, 3])
        }
        #expect(try JSONDecoder().decode(A2ALU64.self, from: Data(#""18446744073709551615""#.utf8)).value == UInt64.max)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(A2ALU64.self, from: Data(#""-1""#.utf8)) }
        await client.close()
        try await daemon.stop()
    }
}
