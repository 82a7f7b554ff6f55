import A2ALCore
import A2ALProtocol

/// Errors of the node's operations.
public enum DHTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No reply before the deadline (a network outcome: counts against the peer).
    case timeout
    /// The caller cancelled (not the peer's fault).
    case cancelled
    /// The node is shutting down or closed.
    case closed
    /// The datagram could not be sent (local; not the peer's fault).
    case transport(TransportError)
    /// The reply was not what the request asked for.
    case unexpectedReply(String)
    /// We know no dial address for that node.
    case noAddress(NodeID)
    /// Outbound encoding failed (e.g. the message would exceed 1200 bytes).
    case encoding(PacketError)
    /// Something failed on this node (signing, a request built wrongly): never the peer's fault.
    case local(String)
    /// Bootstrap reached none of the seeds.
    case allSeedsUnreachable
    /// A host name did not resolve.
    case resolution(String)
    /// A host name's lookup gave no answer in time (docs/architecture.md, "Name resolution").
    case resolutionTimedOut(host: String, after: Duration)
    /// The keystore must hold exactly one identity.
    case identity(String)
    /// A record could not be stored locally.
    case store(StoreError)
    /// A lookup found no record matching the request.
    case noMatchingRecords
    /// A resolve found no valid endpoint record.
    case noEndpoint

    public var description: String {
        switch self {
        case .timeout: return "dht: request timed out"
        case .cancelled: return "dht: request cancelled"
        case .closed: return "dht: node closed"
        case .transport(let e): return "dht: \(e)"
        case .unexpectedReply(let r): return "dht: unexpected reply: \(r)"
        case .noAddress(let id): return "dht: no dial address for \(id)"
        case .encoding(let e): return "dht: \(e)"
        case .local(let r): return "dht: local failure: \(r)"
        case .allSeedsUnreachable: return "dht: all bootstrap seeds unreachable"
        case .resolution(let r): return "dht: cannot resolve \(r)"
        case .resolutionTimedOut(let host, let after):
            return "dht: no answer resolving \(host) within \(Int((after / .milliseconds(1)).rounded())) ms"
        case .identity(let r): return "dht: \(r)"
        case .store(let e): return "dht: \(e)"
        case .noMatchingRecords: return "dht: no matching records"
        case .noEndpoint: return "dht: no endpoint record"
        }
    }

    /// An outbound message that could not be built: our signer failing is a local failure,
    /// anything else (a datagram too large) an encoding one.
    static func outbound(_ e: PacketError) -> DHTError {
        if case .signingFailed(let why) = e { return .local("cannot sign: \(why)") }
        return .encoding(e)
    }

    /// True for outcomes that say something about the remote peer (docs/deviations.md §3):
    /// only these count against its health.
    public var isNetworkOutcome: Bool {
        switch self {
        case .timeout, .unexpectedReply: return true
        default: return false
        }
    }
}
