import Testing
import A2ALCore
@testable import A2ALProtocol

/// The receiver-leniency table of docs/protocol.md: deviations the reference accepts are
/// accepted, and the ones it rejects are rejected — except messages signed over their bytes as
/// sent, which our receive rule (signature over the received items first) accepts on purpose
/// while the references, which verify only a re-encoding, drop them.
@Suite struct LeniencyTests {
    let a = try! Ed25519.KeyPair(seed: SpecVectorTests.seedA)
    let tx = [UInt8](0..<20)
    var txHex: String { tx.hex }
    var addrA: String { a.address.bytes.hex }
    let observed = "46cb0071070fa1"

    func h(_ s: String) -> [UInt8] { [UInt8](hex: s)! }
    /// The canonical header of message type `type` with tx_id 00…13.
    func header(_ type: UInt8) -> String { "a40101020003" + [type].hex + "0454" + txHex }

    /// A packet with the given raw header/body, signed over `signedHeader || signedBody`.
    func packet(header: String, body: String, signedHeader: String? = nil, signedBody: String? = nil,
                outerExtra: String = "", outerCount: String = "a4", trailing: String = "") -> [UInt8] {
        let preimage = ProtocolConstants.messageSignPrefix + h(signedHeader ?? header) + h(signedBody ?? body)
        let sig = a.sign(preimage)
        return h(outerCount + "01" + header + "02" + body + "035820" + a.publicKey.hex + "045840" + sig.hex + outerExtra + trailing)
    }

    var pingBody: String { "a10155" + addrA }

    func accepts(_ bytes: [UInt8], _ note: Comment) {
        #expect(throws: Never.self, note) { _ = try Packet.decode(bytes) }
    }

    func rejects(_ bytes: [UInt8], _ note: Comment) {
        #expect(throws: PacketError.self, note) { _ = try Packet.decode(bytes) }
    }

    /// Signed as sent in a layout a reference receiver re-encodes differently: both reference
    /// generations drop it, we accept it.
    func acceptedOnlyByUs(_ bytes: [UInt8], _ note: Comment) {
        #expect(throws: Never.self, note) { _ = try Packet.decode(bytes) }
        #expect(throws: PacketError.badSignature, note) { _ = try Packet.decode(bytes, schema: .v029) }
        #expect(throws: PacketError.badSignature, note) { _ = try Packet.decode(bytes, schema: .v017) }
    }

    @Test func headerDeviations() {
        let canon = header(1)
        let order3124 = "a4" + "0301" + "0101" + "0200" + "0454" + txHex
        accepts(packet(header: order3124, body: pingBody, signedHeader: canon), "keys 3,1,2,4 signed canonical")
        acceptedOnlyByUs(packet(header: order3124, body: pingBody), "keys 3,1,2,4 signed raw")
        let nonMinimal = "a4" + "011801" + "02190000" + "0301" + "0454" + txHex
        accepts(packet(header: nonMinimal, body: pingBody, signedHeader: canon), "non-minimal ints")
        let missing2 = "a3" + "0101" + "0301" + "0454" + txHex
        accepts(packet(header: missing2, body: pingBody, signedHeader: canon), "missing key 2, canonical")
        acceptedOnlyByUs(packet(header: missing2, body: pingBody), "missing key 2, raw")
        let v2 = "a4" + "0102" + "0219ffff" + "0301" + "0454" + txHex
        accepts(packet(header: v2, body: pingBody), "version 2 / features 0xffff")
        let tx19 = "a40101020003010453" + String(txHex.prefix(38))
        rejects(packet(header: tx19, body: pingBody), "19-byte tx_id")
        let extra5 = "a5" + "0101" + "0200" + "0301" + "0454" + txHex + "0500"
        accepts(packet(header: extra5, body: pingBody, signedHeader: canon), "extra header key, canonical")
        acceptedOnlyByUs(packet(header: extra5, body: pingBody), "extra header key, raw")
    }

    @Test func bodyDeviations() {
        let hd = header(1)
        let extra9 = "a20155" + addrA + "0900"
        acceptedOnlyByUs(packet(header: hd, body: extra9), "body extra key 9 raw")
        accepts(packet(header: hd, body: extra9, signedBody: pingBody), "body extra key 9 canonical")
        accepts(packet(header: hd, body: "a1613155" + addrA, signedBody: pingBody), "text key \"1\"")
        let zeros = String(repeating: "00", count: 21)
        accepts(packet(header: hd, body: "a20155" + addrA + "0155" + zeros, signedBody: pingBody), "duplicate, correct first")
        rejects(packet(header: hd, body: "a20155" + zeros + "0155" + addrA, signedBody: pingBody), "duplicate, zeros first")
        let chunked = "bf01" + "5f" + "4a" + String(addrA.prefix(20)) + "4b" + String(addrA.dropFirst(20)) + "ff" + "ff"
        accepts(packet(header: hd, body: chunked, signedBody: pingBody), "indefinite map, chunked bytes")
        rejects(packet(header: hd, body: "5817" + pingBody, signedBody: pingBody), "body wrapped in a byte string")
        accepts(packet(header: hd, body: "d9d9f7" + pingBody, signedBody: pingBody), "tag 55799 prefix")
        rejects(packet(header: hd, body: pingBody, trailing: "00"), "trailing byte")
        accepts(packet(header: hd, body: pingBody, outerExtra: "0500", outerCount: "a5"), "outer extra key 5")
        rejects(packet(header: hd, body: "a10155" + String(addrA.dropLast(2)) + "00"), "body address not the sender's")
    }

    @Test func typeSpecificDeviations() {
        let target = String(repeating: "11", count: 32)
        let fvCanon = "a1015820" + target
        let fvExplicit0 = "a2015820" + target + "0200"
        acceptedOnlyByUs(packet(header: header(5), body: fvExplicit0), "FIND_VALUE explicit 02 00 raw")
        accepts(packet(header: header(5), body: fvExplicit0, signedBody: fvCanon), "FIND_VALUE explicit 02 00 canonical")
        for body in ["f6", "a0"] {
            let p = packet(header: header(8), body: body, signedBody: "a101f4")
            accepts(p, "STORE_RESP \(body)")
            #expect((try? Packet.decode(p))?.body == .storeResp(StoreResp(stored: false)))
        }
        rejects(packet(header: header(8), body: "a10101"), "STORE_RESP int is not bool")
        let fnr = "a102" + observed
        accepts(packet(header: header(4), body: fnr, signedBody: "a201f602" + observed), "FIND_NODE_RESP without key 1")
        acceptedOnlyByUs(packet(header: header(4), body: fnr), "FIND_NODE_RESP without key 1 raw")
        rejects(packet(header: header(2), body: "a20155" + addrA + "0245cb0071070f"), "observed_addr of 5 bytes")
        rejects(packet(header: header(5), body: "a2015820" + target + "02190100"), "rec_type 256")
        rejects(packet(header: "a40101020003000454" + txHex, body: pingBody), "msg_type 0")
        rejects(packet(header: "a401010200030b0454" + txHex, body: pingBody), "msg_type 0x0b (DHT_PUSH) with a PING body")
        #expect(throws: PacketError.unknownMessageType(0x0d)) {
            _ = try Packet.decode(packet(header: "a401010200030d0454" + txHex, body: pingBody))
        }
    }

    /// Generic decode/re-encode of `{1: bytes, 2: [text]}` without omitempty (§6.3 last lines).
    @Test func nilVersusEmpty() throws {
        func roundTrip(_ hex: String) throws -> String {
            let f = try CBORFields(try CBOR.decode(h(hex)), context: "t")
            var w = CBORWriter()
            w.mapHeader(2)
            w.uint(1); w.nullableBytes(try f.bytes(1))
            w.uint(2); w.nullableTextArray(try f.textArray(2))
            return w.bytes.hex
        }
        #expect(try roundTrip("a201f602f6") == "a201f602f6")
        #expect(try roundTrip("a0") == "a201f602f6")
        #expect(try roundTrip("a201400280") == "a201400280")
    }
}
