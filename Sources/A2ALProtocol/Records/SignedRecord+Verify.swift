import A2ALCore

extension SignedRecord {
    /// Future timestamps we tolerate, for clock skew (docs/deviations.md §8). The reference
    /// tolerates none; records we sign are backdated to cope with that.
    public static let futureSkewAllowance: UInt64 = 60

    /// Integrity check applied on every store and every read (docs/protocol.md §4.3): signature,
    /// type-specific payload rules, and time. Authority is separate (`RecordAuthority`).
    /// Returns the payload it decoded on the way.
    @discardableResult
    public func verify(now: UInt64, futureSkew: UInt64 = SignedRecord.futureSkewAllowance) throws(RecordError) -> RecordPayload {
        guard Ed25519.verify(signature: signature, message: signingPreimage, publicKey: pubkey) else {
            throw .badSignature
        }
        let decoded = try decodedPayload()
        if timestamp > now, timestamp - now > futureSkew {
            throw .timestampInFuture(timestamp: timestamp, now: now)
        }
        if expiresAt < now { throw .expired(expiresAt: expiresAt, now: now) }
        return decoded
    }

    /// True when the record is past its expiry at `now`.
    public func isExpired(now: UInt64) -> Bool { expiresAt < now }

    /// Type-specific payload checks; returns what they decoded.
    public func decodedPayload() throws(RecordError) -> RecordPayload {
        switch recType {
        case RecordType.endpoint:
            do {
                let endpoint = try EndpointPayload(encoded: payload ?? [])
                try endpoint.validate()
                return .endpoint(endpoint)
            } catch let e as RecordError {
                throw e
            } catch {
                throw .invalidPayload("endpoint: \(error)")
            }
        case RecordType.topic:
            let bytes = payload ?? []
            guard bytes.count <= TopicPayload.maxEncodedSize else {
                throw .invalidPayload("topic payload is \(bytes.count) bytes, limit \(TopicPayload.maxEncodedSize)")
            }
            do {
                let topic = try TopicPayload(encoded: bytes)
                try topic.validate()
                return .topic(topic)
            } catch let e as RecordError {
                throw e
            } catch {
                throw .invalidPayload("topic: \(error)")
            }
        case 0x80...0x8F:
            let n = payload?.count ?? 0
            guard n <= MailboxPayload.maxEncodedSize else {
                throw .invalidPayload("mailbox payload is \(n) bytes, limit \(MailboxPayload.maxEncodedSize)")
            }
            return .opaque
        default:
            return .opaque
        }
    }
}
