import A2ALTestSupport
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol
import A2ALRPC
import Foundation
import Testing

/// The limits and number handling a client relies on, against the real daemon
/// (docs/jsonrpc.md, "Framing and protocol"): a batch of the largest allowed size runs
/// entirely, request ids come back exactly as sent whatever their size, and 64-bit sequence
/// numbers are written with every digit, as decimal strings ("Safe integers").
@Suite(.serialized) struct BatchAndNumberEndToEndTests {
    /// docs/jsonrpc.md: batches of up to 100 entries.
    static let maxBatch = 100

    @Test func aFullBatchOfTheMaximumSizeSucceedsEntirely() async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        for method in ["node.info", "store.len"] {
            let line = "[" + (0..<Self.maxBatch).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"\#(method)"}"# }
                .joined(separator: ",") + "]"
            try c.send(line: line)
            let reply = try await Offload.run { try c.readJSON(timeout: .seconds(20)) }
            let entries = try #require(reply?.arrayValue, "batch of \(Self.maxBatch) \(method): \(String(describing: reply))")
            #expect(entries.count == Self.maxBatch)
            let failed = entries.filter { $0["result"] == nil }
            #expect(failed.count == 0, "\(failed.count) of \(Self.maxBatch) \(method) entries failed, e.g. \(failed.first.map { JSONWriter.write($0).text } ?? "")")
            #expect(Set(entries.compactMap { $0["id"]?.intValue }) == Set((0..<Int64(Self.maxBatch))))
        }
        #expect(try await d.stop() == 0)
    }

    @Test(arguments: ["123456789012345678901234567890", "-98765432109876543210", "18446744073709551615", "9223372036854775808"])
    func numericIdsComeBackDigitForDigit(_ id: String) async throws {
        let d = try await DaemonProcess.start()
        let c = try d.connect()
        defer { c.close() }
        try c.send(line: #"{"jsonrpc":"2.0","id":\#(id),"method":"store.len"}"#)
        let line = try #require(try await Offload.run { try c.readLine(timeout: .seconds(10)) })
        #expect(line.hasPrefix(#"{"jsonrpc":"2.0","id":\#(id),"result":"#), "reply: \(line)")
        // In a batch too.
        try c.send(line: #"[{"jsonrpc":"2.0","id":\#(id),"method":"store.len"}]"#)
        let batch = try #require(try await Offload.run { try c.readLine(timeout: .seconds(10)) })
        #expect(batch.hasPrefix(#"[{"jsonrpc":"2.0","id":\#(id),"result":"#), "batch reply: \(batch)")
        #expect(try await d.stop() == 0)
    }

    @Test func theLargestSequenceNumberIsWrittenExactly() async throws {
        let d = try await DaemonProcess.start()
        let subscriber = try d.connect()
        defer { subscriber.close() }
        _ = try await Offload.run { try subscriber.result("subscribe", ["event": "record_stored"]) }

        let keys = Ed25519.KeyPair.generate()
        let now = UInt64(time(nil))
        let (ts, ttl) = SignedRecord.backdated(now: now, ttl: 600)
        let record = try SignedRecord.sign(recType: RecordType.endpoint,
                                           payload: EndpointPayload(endpoints: ["quic://192.0.2.7:4000"]).encoded,
                                           seq: UInt64.max, timestamp: ts, ttl: ttl, signer: keys)
        let key = record.address.nodeID.description
        let c = try d.connect()
        defer { c.close() }
        let put = JSONWriter.write(.object([
            "jsonrpc": "2.0", "id": 1, "method": "store.put",
            "params": ["key": .string(key), "record": .string(Base64Text.encode(record.encoded))],
        ])).text
        try c.send(line: put)
        let stored = try #require(try await Offload.run { try c.readLine(timeout: .seconds(10)) })
        #expect(stored.contains(#""stored":true"#), "store.put: \(stored)")

        try c.send(line: #"{"jsonrpc":"2.0","id":2,"method":"store.get","params":{"key":"\#(key)"}}"#)
        let got = try #require(try await Offload.run { try c.readLine(timeout: .seconds(10)) })
        #expect(got.contains(#""seq":"18446744073709551615","#), "store.get: \(got)")

        let event = try #require(try await Offload.run { try subscriber.readLine(timeout: .seconds(10)) })
        #expect(event.contains(#""seq":"18446744073709551615""#), "record_stored: \(event)")
        #expect(try await d.stop() == 0)
    }
}
