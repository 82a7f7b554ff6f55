#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import A2ALProtocol
import Logging
import NIOCore
import Synchronization

/// Why a UDP transport could not be bound or started.
public enum UDPTransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The socket bound but reported no local IP address.
    case noLocalAddress
    /// `start` was called a second time.
    case alreadyStarted

    public var description: String {
        switch self {
        case .noLocalAddress: return "udp: bound socket has no local IP address"
        case .alreadyStarted: return "udp: transport already started"
        }
    }
}

/// The node's UDP socket (docs/node-behaviour.md §15.2, docs/protocol.md §3.1): sent to with
/// `sendto`, read by the transport's own reader threads (docs/architecture.md, "A2ALUDP").
///
/// Inbound datagrams are read by one thread per usable core, each reading the socket itself
/// and running the start handler on what it read, with the source as `.udp` (IPv4-mapped
/// sources as IPv4; docs/architecture.md, "Inbound workers"), so the handler runs on several
/// threads at once. Datagrams over 1200 bytes are dropped and counted, never truncated.
/// `send` hands the datagram to the kernel at once and throws if the kernel refuses it; a
/// refusal concerns that datagram alone and never closes the socket (`UDPSocket` says why
/// NIO's own writes could not promise that).
public final class UDPTransport: Transport {
    /// The datagram limit in both directions.
    public static let maxDatagramSize = ProtocolConstants.maxDatagramSize
    /// One byte more than the limit, so an oversize datagram is recognisable by its length.
    static let receiveBufferSize = maxDatagramSize + 1
    /// Kernel receive buffer requested (the kernel may cap it): absorbs bursts while every
    /// reader is busy in a handler; it is the node's only inbound queue. What still overflows
    /// is counted (`Stats.kernelDrops`).
    static let socketReceiveBufferBytes = 4 << 20
    /// Kernel send buffer requested: lets bursts of replies leave without waiting.
    static let socketSendBufferBytes = 1 << 20
    /// The dual-stack wildcard, and the IPv4 wildcard used when the host has no IPv6.
    static let dualStackWildcard = "::"
    static let ipv4Wildcard = "0.0.0.0"
    /// The most socket readers a transport starts, however many cores the machine has.
    public static let maxInboundWorkers = 16

    public let localAddress: PeerAddress

    private let socket: UDPSocket
    /// Started by `start`, stopped by `close` (they hold the handler, which may hold this
    /// transport).
    private let readers: SocketReaders
    private let counters: UDPCounters
    private let isClosed = Atomic<Bool>(false)
    private let isStarted = Atomic<Bool>(false)
    private let workerCount: Int

    private init(socket: UDPSocket, endpoint: WireEndpoint, counters: UDPCounters, workerCount: Int, logger: Logger) {
        self.socket = socket
        self.localAddress = .udp(endpoint)
        self.counters = counters
        self.workerCount = workerCount
        readers = SocketReaders(socket: socket, counters: counters, logger: logger)
    }

    /// Counters, kernel drops and the socket's state.
    public var stats: Stats {
        var s = counters.snapshot
        s.kernelDrops = socket.kernelDrops
        let r = readers.snapshot
        let live = liveness(r)
        s.state = live.state
        s.rebinds = live.rebinds
        s.lastError = r.lastError
        s.inboundWorkers = readers.readerCount
        s.deliveredPerWorker = readers.deliveredPerReader
        s.received = s.deliveredPerWorker.reduce(0, +)
        s.batches = readers.batches
        return s
    }

    public var statistics: TransportStatistics { stats.statistics }

    public var liveness: TransportLiveness { liveness(readers.snapshot) }

    private func liveness(_ r: (state: TransportStatistics.SocketState, rebinds: UInt64, lastError: String?)) -> TransportLiveness {
        TransportLiveness(state: isClosed.load(ordering: .relaxed) ? .closed : r.state, rebinds: r.rebinds)
    }

    /// Number of times reading the socket had to be re-established.
    public var rebindCount: UInt64 { readers.snapshot.rebinds }

    /// The socket's inode: the same for the transport's whole life.
    public var socketInode: UInt64? { socket.inode }

    /// Calls `observer` (on any thread) when the socket's readers fail, cannot be re-established,
    /// or read again. It must not block.
    public func onStateChange(_ observer: @escaping @Sendable (StateChange) -> Void) {
        readers.observe(observer)
    }

    /// Makes every reader fail as on a fatal read error (tests of the recovery path).
    func simulateFatalSocketError() async {
        readers.killAll()
    }

    /// Binds a UDP socket. The default `::` is dual-stack (IPv6 and IPv4 peers on one socket);
    /// if the host has no IPv6 it falls back to `0.0.0.0`. Any other host is bound as given.
    /// Port 0 picks a free port; `localAddress` tells which. Reading starts with `start`.
    /// With a `group`, the socket is made on one of its threads (and so in that thread's network
    /// namespace). `inboundWorkers` threads read it and run the handler (nil: one per usable
    /// core; at least one).
    public static func bind(host: String = "::", port: Int = 0, group: (any EventLoopGroup)? = nil,
                            inboundWorkers: Int? = nil,
                            logger: Logger = DHTNode.silentLogger) async throws -> UDPTransport {
        let workerCount = min(max(1, inboundWorkers ?? UsableCores.count), maxInboundWorkers)
        let socket = if let group { try await open(host: host, port: port, on: group.next()) }
                     else { try open(host: host, port: port) }
        guard let endpoint = WireEndpoint(socketAddress: socket.local) else {
            socket.close()
            throw UDPTransportError.noLocalAddress
        }
        return UDPTransport(socket: socket, endpoint: endpoint, counters: UDPCounters(), workerCount: workerCount, logger: logger)
    }

    /// Opens the socket on one of the caller's event loop threads: the socket then belongs to
    /// that thread's network namespace (tests run a loop inside a namespace for that).
    private static func open(host: String, port: Int, on loop: any EventLoop) async throws -> UDPSocket {
        try await loop.submit { try open(host: host, port: port) }.get()
    }

    /// Opens the socket on the calling thread: the default `::` dual-stack, else IPv4's wildcard
    /// when the host has no IPv6; any other host as given. An IP literal costs a few system calls
    /// that never block; a host name is looked up here (getaddrinfo), which is why the daemon
    /// passes a `group`.
    private static func open(host: String, port: Int) throws -> UDPSocket {
        func open(_ host: String, dualStack: Bool) throws -> UDPSocket {
            try UDPSocket.open(host: host, port: port, dualStack: dualStack,
                               receiveBuffer: socketReceiveBufferBytes, sendBuffer: socketSendBufferBytes)
        }
        guard host == dualStackWildcard else { return try open(host, dualStack: false) }
        do {
            return try open(host, dualStack: true)
        } catch {
            return try open(ipv4Wildcard, dualStack: false)
        }
    }

    /// Installs a handler of single datagrams and starts reading: each batch the readers take
    /// is handed over one datagram at a time.
    public func start(_ deliver: @escaping @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void) async throws {
        try await startBatches { batch in
            for datagram in batch { deliver(datagram.bytes, datagram.from) }
        }
    }

    /// Installs the handler and starts reading. The handler runs on the reader threads, several
    /// at once, each with what it found waiting (at most `ReaderThread.maxBatch` datagrams), and
    /// must not block.
    public func startBatches(_ deliver: @escaping @Sendable (_ batch: [InboundDatagram]) -> Void) async throws {
        guard !isClosed.load(ordering: .acquiring) else { throw TransportError.closed }
        guard isStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw UDPTransportError.alreadyStarted
        }
        try readers.start(count: workerCount, deliver)
    }

    /// Hands one datagram to the kernel. A refusal throws (`.unreachable` for the destination's
    /// fault — no route, not permitted — `.io` otherwise) and is counted; the socket stays open.
    public func send(_ datagram: [UInt8], to destination: PeerAddress) throws(TransportError) {
        guard !isClosed.load(ordering: .relaxed) else { throw .closed }
        guard datagram.count <= Self.maxDatagramSize else { throw .packetTooLarge(datagram.count) }
        guard case .udp(let endpoint) = destination else {
            throw .unreachable("\(destination) is not a UDP address")
        }
        if let reason = undeliverableReason(endpoint) { throw .unreachable("\(endpoint): \(reason)") }
        guard let address = DestinationAddress(endpoint, fromIPv6Socket: socket.isIPv6) else {
            throw .unreachable("\(destination): IPv6 destination on an IPv4 socket")
        }
        guard let code = socket.send(datagram, to: address) else {
            counters.sent.add(1, ordering: .relaxed)
            return
        }
        if isClosed.load(ordering: .relaxed) { throw .closed }
        let name = ErrnoName.of(code)
        counters.sendErrors.add(1, ordering: .relaxed)
        counters.lastSendError.withLock { $0 = "\(name) to \(endpoint)" }
        switch code {
        case ENETUNREACH, EHOSTUNREACH, ENETDOWN, EACCES, EPERM, EINVAL, EAFNOSUPPORT, EADDRNOTAVAIL, ECONNREFUSED:
            throw .unreachable("\(endpoint): \(name)")
        default:
            throw .io(name)
        }
    }

    /// Destinations never sent to: port 0, unspecified, multicast and limited-broadcast
    /// addresses, and anything but loopback from a socket bound to loopback.
    private func undeliverableReason(_ e: WireEndpoint) -> String? {
        if e.port == 0 { return "port 0" }
        let ip = e.ip.normalized
        let b = ip.bytes
        if b.allSatisfy({ $0 == 0 }) { return "unspecified address" }
        if ip.isIPv4 {
            if b[0] >= 224 { return "multicast or reserved address" }
        } else if b[0] == 0xff {
            return "multicast address"
        }
        if let local = localAddress.udp?.ip, local.isLoopback, !ip.isLoopback {
            return "socket is bound to loopback"
        }
        return nil
    }

    /// Stops the readers, each after the batch in hand, and closes the socket. Idempotent.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        readers.close(wait: true)
        socket.close()
    }

    /// A transport dropped without `close()` still releases its socket and threads.
    deinit {
        guard !isClosed.load(ordering: .acquiring) else { return }
        readers.close(wait: false)
        socket.close()
    }
}
