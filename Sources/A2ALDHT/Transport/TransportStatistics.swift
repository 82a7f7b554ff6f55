/// What a transport's socket has seen, for `node.stats` and `node.info` (docs/jsonrpc.md).
///
/// Together with the node's own counters these account for every datagram (docs/architecture.md,
/// "Datagram accounting"): each one that reached the socket was either read
/// (`datagramsReceived`) or dropped by the kernel first (`droppedKernel`); each one read was
/// dropped here (`droppedOversize`, `droppedUnreadable`) or handed to the node, which counts it
/// as verified, malformed, rate-limited or of an unknown type.
public struct TransportStatistics: Sendable, Equatable {
    /// Whether the transport can receive right now.
    public enum SocketState: String, Sendable {
        /// Reading and sending.
        case up
        /// The socket's reader died and is being re-established; sends still go out.
        case rebinding
        /// Closed by its owner.
        case closed
    }

    public var state: SocketState = .up
    /// Times reading had to be re-established after the socket's reader died.
    public var rebinds: UInt64 = 0
    /// The last thing that went wrong with the socket itself, if anything has.
    public var lastError: String?
    /// Datagrams read from the socket.
    public var datagramsReceived: UInt64 = 0
    /// Datagrams the kernel dropped because the receive queue was full (nil where the platform
    /// does not report it).
    public var droppedKernel: UInt64?
    /// Datagrams read but over the 1200-byte limit, dropped whole.
    public var droppedOversize: UInt64 = 0
    /// Datagrams read without a usable source address.
    public var droppedUnreadable: UInt64 = 0
    /// Datagrams read but dropped at a full queue of the transport's own. The UDP transport has
    /// none (docs/architecture.md, "Inbound workers"), so it reports 0; kept in `node.stats`.
    public var droppedQueueFull: UInt64 = 0
    /// Errors the socket reported while reading (not datagrams).
    public var receiveErrors: UInt64 = 0
    /// Datagrams the kernel accepted for sending.
    public var datagramsSent: UInt64 = 0
    /// Datagrams the kernel refused (no route, not permitted, buffer full, ...).
    public var sendErrors: UInt64 = 0
    /// The last refusal, with its destination.
    public var lastSendError: String?

    public init() {}
}

extension Transport {
    /// Transports without a socket (the in-memory one) report an idle, healthy socket.
    public var statistics: TransportStatistics { TransportStatistics() }
}
