import Foundation
import Testing
import A2ALCore
@testable import A2ALProtocol

/// Every record of the reference vectors: payload bytes, signed fields, preimage, signature and
/// record bytes are reproduced; the reference bytes decode, verify, expire on time and pass the
/// authority policy at their store key.
@Suite struct GoldenRecordTests {
    let vectors: ReferenceVectors

    init() throws { vectors = try ReferenceVectors.load() }

    @Test func everyRecordIsByteIdentical() throws {
        let records = try vectors.list("records")
        #expect(records.count == 6)
        for r in records {
            let name = try string(r, "name")
            let signer = try vectors.keyPair(label: try string(r, "signer"))
            #expect(signer.publicKey == (try hex(r, "pubkey_hex")), "\(name)")
            let payload = try buildPayload(r)
            #expect(payload == (try hex(r, "payload_cbor_hex")), "\(name) payload")

            let ts = try int(r, "timestamp"), ttl = UInt32(try int(r, "ttl"))
            let signed = try SignedRecord.sign(recType: UInt8(try int(r, "rec_type")), payload: payload,
                                               seq: try int(r, "seq"), timestamp: ts, ttl: ttl, signer: signer)
            #expect(signed.signFieldsEncoded == (try hex(r, "sign_fields_cbor_hex")), "\(name) fields")
            #expect(signed.signingPreimage == (try hex(r, "sign_preimage_hex")), "\(name) preimage")
            #expect(signed.signature == (try hex(r, "signature_hex")), "\(name) signature")
            #expect(signed.encoded == (try hex(r, "signed_record_cbor_hex")), "\(name) record")

            let decoded = try SignedRecord(encoded: try hex(r, "signed_record_cbor_hex"))
            #expect(decoded == signed, "\(name) decode")
            #expect(r["verify_ok_at_timestamp_plus_1"] as? Bool == true)
            try decoded.verify(now: ts + 1)
            #expect(r["verify_error_at_timestamp_ttl_plus_1"] as? String == "a2al/protocol: record expired")
            #expect(throws: RecordError.expired(expiresAt: ts + UInt64(ttl), now: ts + UInt64(ttl) + 1)) {
                try decoded.verify(now: ts + UInt64(ttl) + 1)
            }

            let storeKey = try #require(NodeID(bytes: try hex(r, "store_key")))
            #expect(try expectedKey(r, decoded) == storeKey, "\(name) store key")
            try RecordAuthority.check(decoded, key: storeKey, now: ts + 1)
        }
    }

    /// The payload built from the vectors' fields (or, for opaque meta, re-encoded from bytes).
    func buildPayload(_ r: [String: Any]) throws -> [UInt8] {
        if let e = r["endpoint_payload"] as? [String: Any] {
            return EndpointPayload(endpoints: e["Endpoints"] as? [String], natType: UInt8(try int(e, "NatType")),
                                   signal: e["Signal"] as? String ?? "", turns: e["Turns"] as? [String] ?? [],
                                   signals: e["Signals"] as? [String] ?? []).encoded
        }
        if let t = r["topic_payload"] as? [String: Any] {
            #expect(t["Meta"] is NSNull)
            return TopicPayload(topic: try string(t, "Topic"), name: try string(t, "Name"),
                                protocols: t["Protocols"] as? [String], tags: t["Tags"] as? [String],
                                brief: try string(t, "Brief"), version: try int(t, "Version")).encoded
        }
        if let m = r["mailbox"] as? [String: Any] {
            return try mailboxPayload(m)
        }
        let bytes = try hex(r, "payload_cbor_hex")
        if try int(r, "rec_type") == 1 {
            // endpoint_nil_endpoints: a nil endpoint list must stay `null`, not become `[]`.
            let endpoint = try EndpointPayload(encoded: bytes)
            #expect(endpoint.endpoints == nil)
            return endpoint.encoded
        }
        // topic_with_meta: decode and re-encode; the canonical meta order must come back.
        let topic = try TopicPayload(encoded: bytes)
        #expect(topic.meta.count == 3)
        return topic.encoded
    }

    /// Seals the vector's mailbox note with its fixed ephemeral key and nonce, checking each step.
    func mailboxPayload(_ m: [String: Any]) throws -> [UInt8] {
        let sender = try vectors.keyPair(label: try string(m, "sender"))
        let recipient = try vectors.keyPair(label: try string(m, "recipient"))
        let message = MailboxMessage(msgType: UInt8(try int(m, "msg_type")), body: try hex(m, "body_hex"))
        #expect(message.encoded == (try hex(m, "plaintext_cbor_hex")))
        let ephPriv = try hex(m, "ephemeral_x25519_priv")
        #expect(try X25519.publicKey(fromPrivate: ephPriv) == (try hex(m, "ephemeral_x25519_pub")))
        let recipientX = try X25519.publicKey(fromEd25519: recipient.publicKey)
        #expect(recipientX == (try hex(m, "recipient_x25519_pub")))
        let shared = try X25519.sharedSecret(privateKey: ephPriv, publicKey: recipientX)
        #expect(shared == (try hex(m, "ecdh_shared_hex")))
        #expect(sender.address.bytes + recipient.address.bytes == (try hex(m, "hkdf_info_hex")))
        let key = try MailboxCrypto.deriveKey(shared: shared, sender: sender.address, recipient: recipient.address)
        #expect(key == (try hex(m, "aes256gcm_key_hex")))

        let payload = try MailboxCrypto.seal(message: message, sender: sender.address, recipient: recipient.address,
                                             recipientPublicKey: recipient.publicKey, ephemeralPrivateKey: ephPriv,
                                             nonce: try hex(m, "nonce_hex"))
        #expect(payload.ciphertext == (try hex(m, "ciphertext_hex")))
        #expect(payload.encoded == (try hex(m, "mailbox_payload_cbor_hex")))

        // The recipient opens it (the reference did too: reference_open_ok).
        #expect(m["reference_open_ok"] as? Bool == true)
        let record = try SignedRecord.sign(recType: RecordType.mailbox, payload: payload.encoded, seq: 1,
                                           timestamp: 1_700_000_000, ttl: 3600, signer: sender)
        let opened = try MailboxCrypto.open(record: record, ownAddress: recipient.address, ownSeed: recipient.seed)
        #expect(opened.sender == sender.address)
        #expect(opened.message.body == (try hex(m, "reference_open_body_hex")))
        return payload.encoded
    }

    func expectedKey(_ r: [String: Any], _ record: SignedRecord) throws -> NodeID {
        switch record.category {
        case .topic: return TopicKey.key(for: try string(r, "topic"))
        case .mailbox:
            let p = try MailboxPayload(encoded: record.payload ?? [])
            return try #require(Address(bytes: p.recipient ?? [])).nodeID
        default: return record.address.nodeID
        }
    }

    @Test func identitiesDeriveKeysAddressesAndX25519() throws {
        for id in try vectors.list("identities") {
            let kp = try Ed25519.KeyPair(seed: try hex(id, "seed"))
            #expect(kp.publicKey == (try hex(id, "ed25519_public_key")))
            #expect(kp.seed + kp.publicKey == (try hex(id, "ed25519_private_key_64")))
            #expect(kp.address.bytes == (try hex(id, "address_hex")))
            #expect(kp.address.nodeID.bytes == (try hex(id, "node_id")))
            #expect(kp.address.text == (try string(id, "address_text")))
            #expect(try X25519.privateKey(fromEd25519Seed: kp.seed) == (try hex(id, "x25519_private_from_ed25519")))
            #expect(try X25519.publicKey(fromEd25519: kp.publicKey) == (try hex(id, "x25519_public_from_ed25519")))
        }
    }

    @Test func observedAddressesAndXORMetric() throws {
        for o in try vectors.list("observed_addr") {
            let ep = WireEndpoint(ip: try #require(IPAddress(text: try string(o, "ip"))), port: UInt16(try int(o, "port")))
            #expect(ep.wire == (try hex(o, "wire_hex")))
            #expect(WireEndpoint(wire: try hex(o, "wire_hex")) == ep)
        }
        let x = try vectors.object("xor_metric")
        let a = try #require(NodeID(bytes: try hex(x, "a"))), b = try #require(NodeID(bytes: try hex(x, "b")))
        #expect(a.distance(to: b).bytes == (try hex(x, "xor_distance")))
        #expect(UInt64(a.commonPrefixLength(with: b)) == (try int(x, "common_prefix_len")))
        #expect(UInt64(a.bucketIndex(of: b)) == (try int(x, "bucket_index")))
    }

    @Test func addressFormsFromVectors() throws {
        for p in try vectors.list("address_parse") {
            let parsed = try Address(text: try string(p, "input"))
            #expect(p["ok"] as? Bool == true)
            #expect(parsed.bytes == (try hex(p, "address_hex")))
        }
        for f in try vectors.list("address_text_forms") {
            let a = try #require(Address(bytes: try hex(f, "address_hex")))
            #expect(a.text == (try string(f, "text")))
            #expect(a.nodeID.bytes == (try hex(f, "node_id")))
            #expect(try Address(text: a.text) == a)
        }
    }
}
