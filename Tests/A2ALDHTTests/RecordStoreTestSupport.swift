import A2ALCore
import A2ALProtocol
@testable import A2ALDHT

/// Signed records for store tests (docs/routing.md §7: now = unix 1 700 000 000,
/// record timestamp = now, TTL 60 unless a test says otherwise).
enum StoreFixture {
    static let now: UInt64 = 1_700_000_000
    static let ttl: UInt32 = 60
    static let topicName = "ai/test"
    static var topicKey: NodeID { TopicKey.key(for: topicName) }

    /// A deterministic signer; distinct `index` values give distinct keys and addresses.
    static func signer(_ index: Int) throws -> Ed25519.KeyPair {
        var seed = [UInt8](repeating: 0x5A, count: Ed25519.seedCount)
        seed[0] = UInt8(truncatingIfNeeded: index)
        seed[1] = UInt8(truncatingIfNeeded: index >> 8)
        seed[2] = UInt8(truncatingIfNeeded: index >> 16)
        return try Ed25519.KeyPair(seed: seed)
    }

    static func endpoint(_ signer: Ed25519.KeyPair, seq: UInt64 = 1, timestamp: UInt64 = now,
                         ttl: UInt32 = ttl, host: String = "10.0.0.1") throws -> SignedRecord {
        let payload = EndpointPayload(endpoints: ["quic://\(host):4242"]).encoded
        return try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: seq,
                                     timestamp: timestamp, ttl: ttl, signer: signer)
    }

    /// A custom sovereign (0x02–0x0F) or unknown-category record with opaque payload.
    static func sovereign(_ signer: Ed25519.KeyPair, type: UInt8, seq: UInt64 = 1, timestamp: UInt64 = now,
                          ttl: UInt32 = ttl) throws -> SignedRecord {
        try SignedRecord.sign(recType: type, payload: [0xA1, 0x01, 0x01], seq: seq, timestamp: timestamp,
                              ttl: ttl, signer: signer)
    }

    static func topic(_ signer: Ed25519.KeyPair, topic: String = topicName, type: UInt8 = RecordType.topic,
                      seq: UInt64 = 1, timestamp: UInt64 = now, ttl: UInt32 = ttl) throws -> SignedRecord {
        let payload = TopicPayload(topic: topic, name: "agent", protocols: ["mcp"], brief: "test agent").encoded
        return try SignedRecord.sign(recType: type, payload: payload, seq: seq, timestamp: timestamp,
                                     ttl: ttl, signer: signer)
    }

    /// A mailbox record from `signer` to `recipient`; `message` distinguishes payloads (slots).
    static func mailbox(_ signer: Ed25519.KeyPair, to recipient: Address, message: UInt8 = 0,
                        type: UInt8 = RecordType.mailbox, seq: UInt64 = 1, timestamp: UInt64 = now,
                        ttl: UInt32 = ttl) throws -> SignedRecord {
        let payload = MailboxPayload(recipient: recipient.bytes, senderAddr: signer.address.bytes,
                                     ephemeralPK: [UInt8](repeating: 7, count: 32),
                                     ciphertext: [message, 1, 2, 3], nonce: [UInt8](repeating: 9, count: 12)).encoded
        return try SignedRecord.sign(recType: type, payload: payload, seq: seq, timestamp: timestamp,
                                     ttl: ttl, signer: signer)
    }

    /// A key no record derives from.
    static func key(_ index: Int) -> NodeID {
        var bytes = [UInt8](repeating: 0, count: NodeID.byteCount)
        bytes[0] = 0xEE
        bytes[29] = UInt8(truncatingIfNeeded: index >> 16)
        bytes[30] = UInt8(truncatingIfNeeded: index >> 8)
        bytes[31] = UInt8(truncatingIfNeeded: index)
        return NodeID(bytes: bytes) ?? .zero
    }
}

extension RecordStore {
    /// Every stored record, expired or not, by key in access order: the raw state tests compare
    /// against (the reference's full-scan view).
    var storedEntries: [(key: NodeID, records: [SignedRecord])] {
        table.slotsInAccessOrder.map { (table.key(at: $0), table.records(at: $0).map(\.record)) }
    }

    /// The stored list at `key`, untouched by liveness filtering and without an access.
    func storedRecords(at key: NodeID) -> [SignedRecord] {
        table.slot(of: key).map { table.records(at: $0).map(\.record) } ?? []
    }
}

extension SignedRecord {
    /// The record verified at its own key with no authority policy (for store internals).
    func verified(now: UInt64) throws -> VerifiedRecord {
        try RecordVerifier(authority: nil).verify(self, at: .zero, now: now)
    }
}
