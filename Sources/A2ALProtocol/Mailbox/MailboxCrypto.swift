import A2ALCore

/// Why a mailbox note could not be sealed or opened.
public enum MailboxError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAMailboxRecord(recType: UInt8)
    case wrongRecipient
    case senderMismatch
    case badField(String)
    case payloadTooLarge(Int)
    case crypto(CryptoError)
    case malformed(CBORError)

    public var description: String {
        switch self {
        case .notAMailboxRecord(let t): return "record type 0x\(String(t, radix: 16)) is not a mailbox record"
        case .wrongRecipient: return "note is addressed to someone else"
        case .senderMismatch: return "payload sender does not match the record address"
        case .badField(let f): return "mailbox field \(f) has the wrong length"
        case .payloadTooLarge(let n): return "mailbox payload of \(n) bytes exceeds 512"
        case .crypto(let e): return "mailbox crypto: \(e)"
        case .malformed(let e): return "malformed mailbox payload: \(e)"
        }
    }
}

/// Mailbox encryption (docs/protocol.md §4.8): ephemeral X25519 to the recipient's Ed25519 key
/// converted to Montgomery form, HKDF-SHA256(salt "a2al-mailbox\0", info sender||recipient),
/// AES-256-GCM.
public enum MailboxCrypto {
    /// Largest plaintext body that still fits the 512-byte payload.
    public static let maxBodySize = 389

    /// Seals `message` for `recipient` (whose endpoint record carries `recipientPublicKey`).
    /// `ephemeralPrivateKey` and `nonce` are for tests; leave them nil to draw fresh randomness.
    public static func seal(message: MailboxMessage, sender: Address, recipient: Address,
                            recipientPublicKey: [UInt8], ephemeralPrivateKey: [UInt8]? = nil,
                            nonce: [UInt8]? = nil) throws(MailboxError) -> MailboxPayload {
        do {
            let recipientX = try X25519.publicKey(fromEd25519: recipientPublicKey)
            let ephPriv = ephemeralPrivateKey ?? SecureRandom.bytes(32)
            let ephPub = try X25519.publicKey(fromPrivate: ephPriv)
            let shared = try X25519.sharedSecret(privateKey: ephPriv, publicKey: recipientX)
            let key = try deriveKey(shared: shared, sender: sender, recipient: recipient)
            let n = nonce ?? SecureRandom.bytes(AES256GCM.nonceCount)
            let ct = try AES256GCM.seal(key: key, nonce: n, plaintext: message.encoded)
            let payload = MailboxPayload(recipient: recipient.bytes, senderAddr: sender.bytes, ephemeralPK: ephPub,
                                         ciphertext: ct, nonce: n)
            let size = payload.encoded.count
            guard size <= MailboxPayload.maxEncodedSize else { throw MailboxError.payloadTooLarge(size) }
            return payload
        } catch let e as MailboxError {
            throw e
        } catch let e as CryptoError {
            throw .crypto(e)
        } catch {
            throw .crypto(.authenticationFailed)
        }
    }

    /// Opens a mailbox record addressed to `ownAddress`, decrypting with the Ed25519 `ownSeed`.
    /// Returns the sender (the record's address) and the message.
    public static func open(record: SignedRecord, ownAddress: Address,
                            ownSeed: [UInt8]) throws(MailboxError) -> (sender: Address, message: MailboxMessage) {
        guard record.category == .mailbox else { throw .notAMailboxRecord(recType: record.recType) }
        let payload: MailboxPayload
        do {
            payload = try MailboxPayload(encoded: record.payload ?? [])
        } catch {
            throw .malformed(error)
        }
        guard let r = payload.recipient, r.count == 21 else { throw .badField("recipient") }
        guard r == ownAddress.bytes else { throw .wrongRecipient }
        guard let s = payload.senderAddr, s.count == 21, let sender = Address(bytes: s) else { throw .badField("sender_addr") }
        guard sender == record.address else { throw .senderMismatch }
        guard let eph = payload.ephemeralPK, eph.count == 32 else { throw .badField("ephemeral_pk") }
        guard let nonce = payload.nonce, nonce.count == AES256GCM.nonceCount else { throw .badField("nonce") }
        do {
            let scalar = try X25519.privateKey(fromEd25519Seed: ownSeed)
            let shared = try X25519.sharedSecret(privateKey: scalar, publicKey: eph)
            let key = try deriveKey(shared: shared, sender: sender, recipient: ownAddress)
            let plain = try AES256GCM.open(key: key, nonce: nonce, ciphertext: payload.ciphertext ?? [])
            return (sender, try MailboxMessage(encoded: plain))
        } catch let e as CryptoError {
            throw .crypto(e)
        } catch let e as CBORError {
            throw .malformed(e)
        } catch {
            throw .crypto(.authenticationFailed)
        }
    }

    static func deriveKey(shared: [UInt8], sender: Address, recipient: Address) throws(CryptoError) -> [UInt8] {
        try HKDFSHA256.deriveKey(inputKeyMaterial: shared, salt: ProtocolConstants.mailboxHKDFSalt,
                                 info: sender.bytes + recipient.bytes, outputCount: AES256GCM.keyCount)
    }
}
