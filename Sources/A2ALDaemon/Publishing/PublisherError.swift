import A2ALCore
import A2ALDHT
import A2ALProtocol

/// Why the publisher could not publish, renew or withdraw a record.
package enum PublisherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The daemon holds no agent with this address (text form).
    case unknownAgent(String)
    /// No publication has this id.
    case unknownPublication(String)
    /// The payload breaks a wire rule (docs/protocol.md §4.3).
    case invalidPayload(RecordError)
    /// The signed record would not fit the datagram that has to carry it.
    case recordTooLarge(what: String, bytes: Int, limit: Int)
    /// A stored publication cannot be rebuilt (a hand-edited or damaged entry).
    case damagedPublication(id: String, reason: String)
    /// Signing failed.
    case signing(String)
    /// The node refused the record (stale, unauthorised, shutting down, ...).
    case node(DHTError)
    /// `publications.json` could not be written.
    case storage(DataFileError)

    package var description: String {
        switch self {
        case .unknownAgent(let a): return "no agent \(a) is held by this daemon"
        case .unknownPublication(let id): return "no publication \(id)"
        case .invalidPayload(let e): return "\(e)"
        case .recordTooLarge(let what, let bytes, let limit):
            return "the signed record is too large: \(what) would be \(bytes) bytes, at most \(limit) fit a datagram"
        case .damagedPublication(let id, let reason): return "publication \(id) cannot be rebuilt: \(reason)"
        case .signing(let why): return "cannot sign the record: \(why)"
        case .node(let e): return "\(e)"
        case .storage(let e): return "cannot save publications: \(e)"
        }
    }
}
