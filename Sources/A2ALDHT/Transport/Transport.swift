/// Why a datagram could not be sent. Local failures never count against a peer's health.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Larger than the 1200-byte datagram limit.
    case packetTooLarge(Int)
    /// The destination cannot be reached through this transport (wrong address kind, no route,
    /// unknown in-memory peer).
    case unreachable(String)
    /// The transport is closed.
    case closed
    /// The operating system refused the send.
    case io(String)

    public var description: String {
        switch self {
        case .packetTooLarge(let n): return "datagram of \(n) bytes exceeds 1200"
        case .unreachable(let r): return "unreachable: \(r)"
        case .closed: return "transport closed"
        case .io(let r): return "send failed: \(r)"
        }
    }
}

/// The datagram service a node runs on. Receiving is push-based: the transport calls the
/// handler for each inbound datagram, from any thread, and the handler must not block.
public protocol Transport: AnyObject, Sendable {
    /// The address peers reach us at (the bound UDP endpoint, or our in-memory name).
    var localAddress: PeerAddress { get }

    /// Starts delivering inbound datagrams to `handler`. Called once (this or `startBatches`).
    func start(_ handler: @escaping @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void) async throws

    /// Starts delivering inbound datagrams to `handler` in batches: what one reader found
    /// waiting on the socket, in arrival order (docs/architecture.md, "Inbound workers"). A
    /// transport that reads one datagram at a time delivers batches of one (the default).
    /// Called once (this or `start`).
    func startBatches(_ handler: @escaping @Sendable (_ batch: [InboundDatagram]) -> Void) async throws

    /// Queues one datagram. Never waits on the network.
    func send(_ datagram: [UInt8], to destination: PeerAddress) throws(TransportError)

    /// Stops receiving and releases the socket; later sends fail with `.closed`. Idempotent.
    func close() async

    /// The socket's state and datagram counters (`TransportStatistics.swift`).
    var statistics: TransportStatistics { get }

    /// Only the socket's state and rebind count: what `node.info` reports on every call,
    /// without the counters (a UDP transport reads the kernel's drop counter for those).
    var liveness: TransportLiveness { get }
}

/// Whether the transport reads its socket, and how often reading had to be re-established.
public struct TransportLiveness: Equatable, Sendable {
    public var state: TransportStatistics.SocketState
    public var rebinds: UInt64

    public init(state: TransportStatistics.SocketState, rebinds: UInt64) {
        self.state = state
        self.rebinds = rebinds
    }
}

/// One datagram as a transport read it, with its source.
public struct InboundDatagram: Sendable {
    public var bytes: [UInt8]
    public var from: PeerAddress

    public init(bytes: [UInt8], from: PeerAddress) {
        self.bytes = bytes
        self.from = from
    }
}

extension Transport {
    public func startBatches(_ handler: @escaping @Sendable (_ batch: [InboundDatagram]) -> Void) async throws {
        try await start { datagram, from in handler([InboundDatagram(bytes: datagram, from: from)]) }
    }

    public var liveness: TransportLiveness {
        let statistics = statistics
        return TransportLiveness(state: statistics.state, rebinds: statistics.rebinds)
    }
}
