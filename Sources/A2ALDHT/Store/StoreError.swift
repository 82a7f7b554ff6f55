import A2ALCore
import A2ALProtocol

/// Why `RecordStore.put` refused a record. Nothing is stored when it throws.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record failed verification at `now` (shape, signature, payload, or time window).
    case invalid(RecordError)
    /// A sovereign or unknown-category record offered at a key other than NodeID(record.address).
    case keyMismatch(expected: NodeID, got: NodeID)
    /// The authority policy refused the record; the associated value is its reason.
    case unauthorized(String)
    /// The record's slot already holds an equal or newer record (the reference's "dht: stale record").
    case stale
    /// The STORE's source network already holds its share of the store's bytes.
    case overQuota(used: Int, limit: Int)

    public var description: String {
        switch self {
        case .invalid(let e): return "dht: invalid record: \(e)"
        case .keyMismatch(let expected, let got): return "dht: sovereign key mismatch (expected \(expected), got \(got))"
        case .unauthorized(let reason): return "dht: record not authorised: \(reason)"
        case .stale: return "dht: stale record"
        case .overQuota(let used, let limit): return "dht: the source's store quota is used up (\(used) of \(limit) bytes)"
        }
    }
}

/// The authority policy `RecordVerifier` consults after signature, payload, time and key
/// binding: nil allows the record at `key`, a string refuses it and says why. It runs outside the
/// node's lock, on whichever thread verifies, so it must be synchronous and thread-safe.
public typealias StoreAuthority = @Sendable (_ key: NodeID, _ record: SignedRecord, _ nowUnix: UInt64) -> String?
