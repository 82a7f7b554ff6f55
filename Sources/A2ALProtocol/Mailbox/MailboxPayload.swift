import A2ALCore

/// Payload of a mailbox record (rec_type 0x80, docs/protocol.md §4.8): an encrypted note to a
/// recipient.
public struct MailboxPayload: Hashable, Sendable, CBOREncodable {
    public static let maxEncodedSize = 512
    public static let defaultTTL: UInt32 = 3600

    public var recipient: [UInt8]?
    public var senderAddr: [UInt8]?
    /// X25519 public key of the sender's one-off key pair.
    public var ephemeralPK: [UInt8]?
    /// AES-256-GCM ciphertext with its 16-byte tag.
    public var ciphertext: [UInt8]?
    public var nonce: [UInt8]?

    public init(recipient: [UInt8]?, senderAddr: [UInt8]?, ephemeralPK: [UInt8]?, ciphertext: [UInt8]?, nonce: [UInt8]?) {
        self.recipient = recipient
        self.senderAddr = senderAddr
        self.ephemeralPK = ephemeralPK
        self.ciphertext = ciphertext
        self.nonce = nonce
    }

    public func encode(to w: inout CBORWriter) {
        w.mapHeader(5)
        w.uint(1); w.nullableBytes(recipient)
        w.uint(2); w.nullableBytes(senderAddr)
        w.uint(3); w.nullableBytes(ephemeralPK)
        w.uint(4); w.nullableBytes(ciphertext)
        w.uint(5); w.nullableBytes(nonce)
    }

    public var encodedSizeHint: Int { 160 + (ciphertext?.count ?? 0) }

    public init(cbor: CBOR) throws(CBORError) {
        let f = try CBORFields(cbor, context: "mailbox")
        recipient = try f.bytes(1)
        senderAddr = try f.bytes(2)
        ephemeralPK = try f.bytes(3)
        ciphertext = try f.bytes(4)
        nonce = try f.bytes(5)
    }

    public init(encoded bytes: [UInt8]) throws(CBORError) {
        try self.init(cbor: try CBOR.decode(bytes))
    }
}

/// The decrypted content of a mailbox note: `{1: msg_type, 2: body}`.
public struct MailboxMessage: Hashable, Sendable {
    /// Known types; the field is not range-checked.
    public enum Kind {
        public static let connectRequest: UInt8 = 0x01
        public static let candidates: UInt8 = 0x02
        public static let text: UInt8 = 0x03
    }

    public var msgType: UInt8
    /// nil is encoded as `null`.
    public var body: [UInt8]?

    public init(msgType: UInt8, body: [UInt8]?) {
        self.msgType = msgType
        self.body = body
    }

    public var encoded: [UInt8] {
        var w = CBORWriter(capacity: 8 + (body?.count ?? 0))
        w.mapHeader(2)
        w.uint(1); w.uint(msgType)
        w.uint(2); w.nullableBytes(body)
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(CBORError) {
        let f = try CBORFields(try CBOR.decode(bytes), context: "mailbox plaintext")
        msgType = UInt8(try f.uint(1, max: UInt64(UInt8.max)))
        body = try f.bytes(2)
    }
}
