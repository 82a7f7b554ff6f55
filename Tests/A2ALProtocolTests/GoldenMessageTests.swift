import Foundation
import Testing
import A2ALCore
@testable import A2ALProtocol

/// Every message of the reference vectors: built from its decoded fields, signed with the named
/// identity, it must equal the reference bytes; decoded from the reference bytes, it must verify
/// and give back the same fields.
@Suite struct GoldenMessageTests {
    let vectors: ReferenceVectors

    init() throws { vectors = try ReferenceVectors.load() }

    @Test func everyMessageIsByteIdentical() throws {
        let messages = try vectors.list("messages")
        #expect(messages.count == 16)
        for m in messages {
            let name = try string(m, "name")
            let decoded = m["decoded"] as? [String: Any] ?? [:]
            let bodyJSON = decoded["body"] as? [String: Any] ?? [:]
            let header = m["header"] as? [String: Any] ?? [:]
            let txID = try hex(header, "tx_id")
            let type = try #require(MessageType(rawValue: UInt8(try int(m, "msg_type"))), "\(name)")
            let body = try buildBody(type: type, json: bodyJSON)
            let signer = try vectors.keyPair(label: try string(m, "signer"))

            #expect(Header(msgType: type, txID: txID).encoded == (try hex(m, "header_cbor_hex")), "\(name) header")
            #expect(body.encoded == (try hex(m, "body_cbor_hex")), "\(name) body")
            let wire = try Packet.encode(body: body, txID: txID, signer: signer)
            #expect(wire == (try hex(m, "wire_hex")), "\(name) wire")
            #expect(wire.count == Int(try int(m, "wire_len")), "\(name) length")

            let preimage = ProtocolConstants.messageSignPrefix + Header(msgType: type, txID: txID).encoded + body.encoded
            #expect(preimage == (try hex(m, "sign_preimage_hex")), "\(name) preimage")
            #expect(signer.sign(preimage) == (try hex(m, "signature_hex")), "\(name) signature")

            // Decode the reference bytes.
            let packet = try Packet.decode(try hex(m, "wire_hex"))
            #expect(packet.body == body, "\(name) decoded body")
            #expect(packet.header.txID == txID)
            #expect(UInt64(packet.header.version) == (try int(header, "version")))
            #expect(UInt64(packet.header.features) == (try int(header, "features")))
            #expect(packet.senderPublicKey == (try hex(decoded, "sender_pubkey")), "\(name) sender key")
            #expect(packet.senderAddress.bytes == signer.address.bytes)
            #expect(packet.signature == (try hex(m, "signature_hex")))
            #expect(m["reference_decode_ok"] as? Bool == true)
        }
    }

    /// Builds a body from the vectors' decoded JSON (not from the wire bytes).
    func buildBody(type: MessageType, json b: [String: Any]) throws -> MessageBody {
        func address() throws -> Address { try #require(Address(bytes: try hex(b, "address_hex"))) }
        func observed(_ key: String = "observed_addr") throws -> WireEndpoint { try endpoint(try string(b, key)) }
        func target() throws -> NodeID { try #require(NodeID(bytes: try hex(b, "target"))) }
        func nodes() throws -> [NodeInfo]? {
            guard let list = b["nodes"] as? [[String: Any]], !list.isEmpty else { return nil }
            return try list.map { n in
                NodeInfo(address: try #require(Address(bytes: try hex(n, "address_hex"))),
                         nodeID: try #require(NodeID(bytes: try hex(n, "node_id"))),
                         ip: try #require(IPAddress(text: try string(n, "ip"))),
                         port: UInt16(try int(n, "port")))
            }
        }
        func record(_ obj: [String: Any]) throws -> SignedRecord { try SignedRecord(encoded: try hex(obj, "cbor_hex")) }

        switch type {
        case .ping: return .ping(Ping(address: try address()))
        case .pong: return .pong(Pong(address: try address(), observed: try observed()))
        case .findNode: return .findNode(FindNode(target: try target()))
        case .findNodeResp: return .findNodeResp(FindNodeResp(nodes: try nodes(), observed: try observed()))
        case .findValue: return .findValue(FindValue(target: try target(), recType: UInt8(try int(b, "rec_type"))))
        case .findValueResp:
            let rec = try (b["record"] as? [String: Any]).map(record)
            let recs = try (b["records"] as? [[String: Any]] ?? []).map(record)
            return .findValueResp(FindValueResp(nodes: try nodes(), record: rec, observed: try observed(), records: recs))
        case .store:
            let keyBytes = try hex(b, "key")
            let r = try record(try #require(b["record"] as? [String: Any]))
            return .store(Store(record: r, key: keyBytes.isEmpty ? nil : NodeID(bytes: keyBytes)))
        case .storeResp: return .storeResp(StoreResp(stored: try #require(b["stored"] as? Bool)))
        case .natProbeReq:
            return .natProbeRequest(NATProbeRequest(token: try hex(b, "token"), claimed: try observed("claimed_addr")))
        case .natProbeEcho: return .natProbeEcho(NATProbeEcho(token: try hex(b, "token")))
        case .dhtPush, .dhtPushAck:
            // v0.1.7 vectors have no such messages; reference-v0.2.9.json is read by GoldenV029MessageTests.
            throw ReferenceVectors.LoadError.malformed("no v0.1.7 vector can carry \(type)")
        }
    }
}

/// Parses "1.2.3.4:5" or "[2001:db8::1]:443".
func endpoint(_ text: String) throws -> WireEndpoint {
    let colon = try #require(text.lastIndex(of: ":"))
    var host = String(text[..<colon])
    if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
    let port = try #require(UInt16(text[text.index(after: colon)...]))
    return WireEndpoint(ip: try #require(IPAddress(text: host)), port: port)
}
