import A2ALCore

/// Why a record failed signing or verification.
public enum RecordError: Error, Equatable, Sendable, CustomStringConvertible {
    case zeroTTL
    /// Self-signing for an address that is not 0xA0 || SHA-256(pubkey)[0:20].
    case addressNotDerivedFromKey
    case missingDelegation
    case badSignature
    case expired(expiresAt: UInt64, now: UInt64)
    case timestampInFuture(timestamp: UInt64, now: UInt64)
    case invalidPayload(String)
    case signingFailed(String)

    public var description: String {
        switch self {
        case .zeroTTL: return "record ttl must be positive"
        case .addressNotDerivedFromKey: return "record address is not derived from the signing key"
        case .missingDelegation: return "delegated record needs a delegation proof"
        case .badSignature: return "record signature does not verify"
        case .expired(let e, let n): return "record expired at \(e) (now \(n))"
        case .timestampInFuture(let t, let n): return "record timestamp \(t) is in the future (now \(n))"
        case .invalidPayload(let r): return "invalid record payload: \(r)"
        case .signingFailed(let r): return "record signing failed: \(r)"
        }
    }
}
