import Testing
import A2ALCore
@testable import A2ALProtocol

/// Hostile and broken input: each case is a typed error, never a crash.
@Suite struct NegativeTests {
    let a = try! Ed25519.KeyPair(seed: SpecVectorTests.seedA)
    let b = try! Ed25519.KeyPair(seed: SpecVectorTests.seedB)
    let tx = [UInt8](0..<20)
    let observed = WireEndpoint(ip: IPAddress(text: "203.0.113.7")!, port: 4001)

    var ping: [UInt8] { try! Packet.encode(body: .ping(Ping(address: a.address)), txID: tx, signer: a) }

    @Test func everyTruncationIsRejected() {
        let p = ping
        for n in 0..<p.count {
            #expect(throws: PacketError.self) { try Packet.decode(Array(p.prefix(n))) }
        }
    }

    @Test func everyFlippedSignatureBitIsRejected() {
        let p = ping
        let sigStart = p.count - 64
        for bit in 0..<(64 * 8) {
            var bad = p
            bad[sigStart + bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(throws: PacketError.badSignature) { try Packet.decode(bad) }
        }
    }

    @Test func flippedBodyOrHeaderBytesNeverVerify() {
        let p = ping
        // Bytes of the header value and the body value (not the framing).
        for i in 3..<(p.count - 100) {
            var bad = p
            bad[i] ^= 0x01
            #expect(throws: PacketError.self) { try Packet.decode(bad) }
        }
    }

    @Test func wrongAddressBindingIsRejected() throws {
        var other = a.address.bytes
        other[20] ^= 0x01
        let body = MessageBody.ping(Ping(address: try #require(Address(bytes: other))))
        #expect(throws: PacketError.addressMismatch) { try Packet.decode(try Packet.encode(body: body, txID: tx, signer: a)) }
        let pong = MessageBody.pong(Pong(address: b.address, observed: observed))
        #expect(throws: PacketError.addressMismatch) { try Packet.decode(try Packet.encode(body: pong, txID: tx, signer: a)) }
    }

    @Test func wrongFieldLengths() {
        let key = a.publicKey.hex
        func packet(body: String, type: UInt8) -> [UInt8] {
            let header = "a40101020003" + [type].hex + "0454" + tx.hex
            let sig = a.sign(ProtocolConstants.messageSignPrefix + [UInt8](hex: header)! + [UInt8](hex: body)!)
            return [UInt8](hex: "a401" + header + "02" + body + "035820" + key + "045840" + sig.hex)!
        }
        let cases: [(String, UInt8, CBORError)] = [
            ("a10154" + String(a.address.bytes.hex.dropLast(2)), 1, .badLength(field: "PING.1", expected: "21", got: 20)),
            ("a101581f" + String(repeating: "11", count: 31), 3, .badLength(field: "FIND_NODE.1", expected: "32", got: 31)),
            ("a20147" + String(repeating: "01", count: 7) + "0246cb0071070fa1", 9,
             .badLength(field: "NAT_PROBE_REQ.1", expected: "8", got: 7)),
            ("a2014801020304050607080247cb0071070fa100", 9, .badLength(field: "NAT_PROBE_REQ.2", expected: "6 or 18", got: 7)),
            ("a101" + "a40155" + a.address.bytes.hex + "025820" + String(repeating: "00", count: 32) + "0343c63364" + "0401"
             + "0246cb0071070fa1", 4, .badLength(field: "FIND_NODE_RESP.1[].3", expected: "4 or 16", got: 3)),
        ]
        // The last case needs its nodes list as an array: wrap the NodeInfo map.
        for (body, type, error) in cases {
            let fixed = body.hasPrefix("a101a4") ? "a20181" + body.dropFirst(4) : Substring(body)
            #expect(throws: PacketError.cbor(error)) { try Packet.decode(packet(body: String(fixed), type: type)) }
        }
    }

    @Test func badEnvelopeFields() {
        let header = "a40101020003010454" + tx.hex
        let body = "a10155" + a.address.bytes.hex
        let sig = a.sign(ProtocolConstants.messageSignPrefix + [UInt8](hex: header + body)!).hex
        let shortKey = "035819" + String(a.publicKey.hex.dropLast(14))
        #expect(throws: PacketError.badPublicKeyLength(25)) {
            try Packet.decode([UInt8](hex: "a401" + header + "02" + body + shortKey + "045840" + sig)!)
        }
        #expect(throws: PacketError.badSignatureLength(63)) {
            try Packet.decode([UInt8](hex: "a401" + header + "02" + body + "035820" + a.publicKey.hex + "04583f" + String(sig.dropLast(2)))!)
        }
        #expect(throws: PacketError.missingBody) {
            try Packet.decode([UInt8](hex: "a301" + header + "035820" + a.publicKey.hex + "045840" + sig)!)
        }
        #expect(throws: PacketError.cbor(.typeMismatch(field: "packet", expected: "map", got: "array"))) {
            try Packet.decode([0x80])
        }
    }

    @Test func oversizeIsAnErrorNotATruncation() throws {
        let nodes = (0..<20).map { _ in
            NodeInfo(address: Ed25519.KeyPair.generate().address, endpoint: observed)
        }
        let body = MessageBody.findNodeResp(FindNodeResp(nodes: nodes, observed: observed))
        #expect(throws: PacketError.oversize(134 + body.encoded.count)) { try Packet.encode(body: body, txID: tx, signer: b) }
        // Exactly at the limit is fine: 16 contacts of 69 bytes fit.
        let fits = MessageBody.findNodeResp(FindNodeResp(nodes: Array(nodes.prefix(15)), observed: observed))
        #expect(try Packet.encode(body: fits, txID: tx, signer: b).count <= 1200)
        #expect(throws: PacketError.badTxIDLength(19)) { try Packet.encode(body: body, txID: Array(tx.prefix(19)), signer: b) }
    }

    @Test func randomAndMutatedDatagramsNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        let seeds: [[UInt8]] = [ping, try! Packet.encode(body: .findValueResp(FindValueResp(
            nodes: [NodeInfo(address: a.address, endpoint: observed)], record: nil, observed: observed, records: [])),
            txID: tx, signer: b)]
        var accepted = 0
        for i in 0..<30_000 {
            var bytes: [UInt8]
            if i % 3 == 0 {
                bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = seeds[i % 2]
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            if (try? Packet.decode(bytes)) != nil { accepted += 1 }
        }
        // A mutation that still verifies must have hit only unsigned framing; it is rare.
        #expect(accepted < 300)
    }

    @Test func recordTimeRules() throws {
        let payload = EndpointPayload(endpoints: ["quic://127.0.0.1:4001"], natType: 1).encoded
        let rec = try SignedRecord.sign(recType: 1, payload: payload, seq: 1, timestamp: 1_700_000_000, ttl: 3600, signer: a)
        try rec.verify(now: 1_700_000_000)
        try rec.verify(now: 1_700_003_600)  // valid through timestamp + ttl
        #expect(throws: RecordError.expired(expiresAt: 1_700_003_600, now: 1_700_003_601)) { try rec.verify(now: 1_700_003_601) }
        // Up to 60 s of clock skew is tolerated (docs/deviations.md §8); more is not.
        try rec.verify(now: 1_699_999_940)
        #expect(throws: RecordError.timestampInFuture(timestamp: 1_700_000_000, now: 1_699_999_939)) {
            try rec.verify(now: 1_699_999_939)
        }
        #expect(throws: RecordError.timestampInFuture(timestamp: 1_700_000_000, now: 1_699_999_999)) {
            try rec.verify(now: 1_699_999_999, futureSkew: 0)
        }
        var tampered = rec
        tampered.seq = 999
        #expect(throws: RecordError.badSignature) { try tampered.verify(now: 1_700_000_000) }
        let expiredShort = try SignedRecord.sign(recType: 1, payload: EndpointPayload(endpoints: nil).encoded, seq: 1,
                                                 timestamp: 1_700_000_000, ttl: 10, signer: a)
        #expect(throws: RecordError.expired(expiresAt: 1_700_000_010, now: 1_700_001_000)) { try expiredShort.verify(now: 1_700_001_000) }
        #expect(throws: RecordError.zeroTTL) {
            try SignedRecord.sign(recType: 1, payload: payload, seq: 1, timestamp: 1, ttl: 0, signer: a)
        }
        #expect(throws: RecordError.addressNotDerivedFromKey) {
            try SignedRecord.sign(address: b.address, recType: 1, payload: payload, seq: 1, timestamp: 1, ttl: 1, signer: a, delegation: [])
        }
        let back = SignedRecord.backdated(now: 1_700_000_000, ttl: 3600)
        #expect(back.timestamp == 1_699_999_995 && UInt64(back.ttl) + back.timestamp == 1_700_003_600)
    }

    @Test func freshnessOrdering() {
        func r(_ seq: UInt64, _ ts: UInt64) -> SignedRecord {
            SignedRecord(address: a.address, recType: 1, payload: nil, seq: seq, timestamp: ts, ttl: 1, pubkey: a.publicKey,
                         signature: [UInt8](repeating: 0, count: 64))
        }
        #expect(r(2, 100).isNewer(than: r(1, 200)))
        #expect(!r(2, 50).isNewer(than: r(2, 51)))
        #expect(r(2, 51).isNewer(than: r(2, 50)))
        #expect(!r(2, 50).isNewer(than: r(2, 50)))
    }

    @Test func payloadRules() throws {
        func verify(_ type: UInt8, _ payload: [UInt8]?) throws {
            try SignedRecord.sign(recType: type, payload: payload, seq: 1, timestamp: 100, ttl: 10, signer: a).verify(now: 100)
        }
        #expect(throws: RecordError.invalidPayload("nat_type 5 > 4")) { try verify(1, EndpointPayload(endpoints: [], natType: 5).encoded) }
        #expect(throws: RecordError.invalidPayload("more than 16 turns")) {
            try verify(1, EndpointPayload(endpoints: [], turns: Array(repeating: "t", count: 17)).encoded)
        }
        #expect(throws: RecordError.invalidPayload("more than 8 signals")) {
            try verify(1, EndpointPayload(endpoints: [], signals: Array(repeating: "s", count: 9)).encoded)
        }
        #expect(throws: RecordError.self) { try verify(1, nil) }
        #expect(throws: RecordError.self) { try verify(1, [0xff]) }
        #expect(throws: RecordError.invalidPayload("topic is empty")) { try verify(0x10, TopicPayload(topic: "").encoded) }
        let big = TopicPayload(topic: "t", brief: String(repeating: "x", count: 140), meta: ["k": .bytes([UInt8](repeating: 1, count: 400))])
        #expect(throws: RecordError.invalidPayload("topic payload is \(big.encoded.count) bytes, limit 512")) { try verify(0x10, big.encoded) }
        #expect(throws: RecordError.invalidPayload("mailbox payload is 513 bytes, limit 512")) { try verify(0x85, [UInt8](repeating: 0, count: 513)) }
        // No checks for types without a schema.
        try verify(0x11, [0xff])
        try verify(0x05, nil)
        // The largest plaintext body that fits.
        let fits = try MailboxCrypto.seal(message: MailboxMessage(msgType: 3, body: [UInt8](repeating: 1, count: 389)),
                                          sender: a.address, recipient: b.address, recipientPublicKey: b.publicKey)
        #expect(fits.encoded.count == 512)
        #expect(throws: MailboxError.payloadTooLarge(513)) {
            try MailboxCrypto.seal(message: MailboxMessage(msgType: 3, body: [UInt8](repeating: 1, count: 390)),
                                   sender: a.address, recipient: b.address, recipientPublicKey: b.publicKey)
        }
    }

    @Test func authorityPolicy() throws {
        let payload = EndpointPayload(endpoints: []).encoded
        let rec = try SignedRecord.sign(recType: 1, payload: payload, seq: 1, timestamp: 100, ttl: 10, signer: a)
        #expect(throws: AuthorityError.wrongKey(expected: a.address.nodeID, got: b.address.nodeID)) {
            try RecordAuthority.check(rec, key: b.address.nodeID, now: 100)
        }
        // Topic and mailbox records may sit at any key, but still need authority.
        let topic = try SignedRecord.sign(recType: 0x10, payload: TopicPayload(topic: "x").encoded, seq: 1, timestamp: 100, ttl: 10, signer: a)
        try RecordAuthority.check(topic, key: b.address.nodeID, now: 100)
        var forged = topic
        forged.address = b.address
        #expect(throws: AuthorityError.notAuthorized) { try RecordAuthority.check(forged, key: .zero, now: 100) }
        forged.delegation = [0x01]
        #expect(throws: AuthorityError.self) { try RecordAuthority.check(forged, key: .zero, now: 100) }
    }

    @Test func delegationFailures() throws {
        // issued 1000, expires 1010: valid at 1005 and through the 60 s grace (1069), expired at 1070.
        let proof = DelegationProof.signEd25519(master: a, opPub: b.publicKey, issuedAt: 1000, expiresAt: 1010)
        try proof.verify(now: 1005)
        try proof.verify(now: 1010)
        try proof.verify(now: 1069)
        #expect(throws: DelegationError.expired(expiresAt: 1010, now: 1070)) { try proof.verify(now: 1070) }
        var wrongScope = DelegationProof.signEd25519(master: a, opPub: b.publicKey, issuedAt: 1000, expiresAt: 0, scope: 2)
        #expect(throws: DelegationError.badScope(2)) { try wrongScope.verify(now: 1005) }
        wrongScope.scope = 1
        #expect(throws: DelegationError.badSignature) { try wrongScope.verify(now: 1005) }

        // A record signed by a key other than the delegated one.
        let c = Ed25519.KeyPair.generate()
        let rec = try SignedRecord.sign(address: a.address, recType: 1, payload: EndpointPayload(endpoints: []).encoded, seq: 1,
                                        timestamp: 1000, ttl: 100, signer: c, delegation: proof.encoded)
        #expect(throws: AuthorityError.delegationMismatch("op_pub is not the record's key")) {
            try RecordAuthority.check(rec, key: a.address.nodeID, now: 1005)
        }

        // Chain proofs: tampered message fields and signatures are caught.
        let one = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [1])
        var eth = try DelegationProof.signEthereum(master: one, opPub: b.publicKey, issuedAt: 1000, expiresAt: 0)
        try eth.verify(now: 1001)
        eth.issuedAt = 999
        #expect(throws: DelegationError.messageMismatch("issued_at differs")) { try eth.verify(now: 1001) }
        var par = try DelegationProof.signParalism(master: one, opPub: b.publicKey, issuedAt: 1000, expiresAt: 0)
        par.signature[10] ^= 1
        #expect(throws: DelegationError.self) { try par.verify(now: 1001) }
        let uncompressed = try DelegationProof.signParalism(master: one, compressed: false, opPub: b.publicKey, issuedAt: 1000, expiresAt: 0)
        try uncompressed.verify(now: 1001)

        // Parse-time shape rules.
        var noMaster = proof
        noMaster.masterPub = []
        #expect(throws: DelegationError.malformed("master_pub is 0 bytes, expected 32")) { try DelegationProof(encoded: noMaster.encoded) }
        var foreign = proof
        foreign.agentAddr = try #require(Address(bytes: [0xA1] + [UInt8](repeating: 0, count: 20)))
        #expect(throws: DelegationError.unsupportedMaster(0xA1)) { try DelegationProof(encoded: foreign.encoded) }
        #expect(throws: DelegationError.self) { try DelegationProof(encoded: Array("placeholder-proof".utf8)) }
        #expect(throws: DelegationError.messageMismatch("message lacks one of op_key, agent, scope, issued_at, expires_at")) {
            try DelegationMessage.parse("op_key:00\nscope:1")
        }
        let fields = try DelegationMessage.parse(" op_key : 0X" + b.publicKey.hex + "\nagent:" + a.address.text
                                                 + "\nscope:1\nscope:1\nissued_at:5\nexpires_at:0\nnoise\n")
        #expect(fields.opKey == b.publicKey && fields.agent == a.address && fields.issuedAt == 5)
        #expect(throws: DelegationError.messageMismatch("scope is not a uint8")) {
            try DelegationMessage.parse("scope:+1")
        }
    }
}

@Suite struct NodeInfoSizeTests {
    @Test(arguments: [UInt16(0), 23, 24, 255, 256, 4001, 65535])
    func computedSizeMatchesEncoding(port: UInt16) throws {
        let a = Ed25519.KeyPair.generate().address
        for ip in ["198.51.100.1", "2001:db8::1"] {
            let info = NodeInfo(address: a, endpoint: WireEndpoint(ip: try #require(IPAddress(text: ip)), port: port))
            #expect(info.encodedSize == info.encoded.count)
        }
    }
}
