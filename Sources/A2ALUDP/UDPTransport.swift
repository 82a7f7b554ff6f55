#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import A2ALNIOSupport
import A2ALProtocol
import Logging
import NIOCore
import NIOPosix
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
/// `sendto`, read through SwiftNIO (docs/architecture.md, "A2ALUDP").
///
/// Inbound datagrams are read on the channel's event loop thread and handed to the start
/// handler, with their source as `.udp` (IPv4-mapped sources as IPv4), by one of the inbound
/// workers (one thread per usable core; docs/architecture.md,
/// "Inbound workers"), so the handler runs on several threads at once. Datagrams over 1200 bytes
/// are dropped and counted, never truncated. `send` hands the datagram to the kernel at once and throws if
/// the kernel refuses it; a refusal concerns that datagram alone and never closes the socket
/// (`UDPSocket` says why NIO's own writes could not promise that).
public final class UDPTransport: Transport {
    /// The datagram limit in both directions.
    public static let maxDatagramSize = ProtocolConstants.maxDatagramSize
    /// One byte more than the limit, so an oversize datagram is recognisable by its length.
    static let receiveBufferSize = maxDatagramSize + 1
    /// Kernel receive buffer requested (the kernel may cap it): absorbs bursts while the event
    /// loop is busy in a handler. What still overflows is counted (`Stats.kernelDrops`).
    static let socketReceiveBufferBytes = 4 << 20
    /// Kernel send buffer requested: lets bursts of replies leave without waiting on the loop.
    static let socketSendBufferBytes = 1 << 20
    /// The dual-stack wildcard, and the IPv4 wildcard used when the host has no IPv6.
    static let dualStackWildcard = "::"
    static let ipv4Wildcard = "0.0.0.0"
    /// Datagrams waiting per inbound worker before further ones are dropped and counted: about
    /// 1.2 MB at most per worker, and at the node's rate a few tens of milliseconds of work.
    public static let defaultInboundQueueCapacity = 1024
    /// The most inbound workers a transport starts, however many cores the machine has.
    public static let maxInboundWorkers = 16

    public let localAddress: PeerAddress

    private let socket: UDPSocket
    private let reader: SocketReader
    private let counters: UDPCounters
    /// Shut down by `close()` only when this transport created it.
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let isClosed = Atomic<Bool>(false)
    private let isStarted = Atomic<Bool>(false)
    private let workerCount: Int
    private let queueCapacity: Int
    /// Made by `start`, let go by `close` (it holds the handler, which may hold this transport).
    private let dispatch = Mutex<InboundDispatch?>(nil)

    private init(socket: UDPSocket, endpoint: WireEndpoint, reader: SocketReader, counters: UDPCounters,
                 ownedGroup: MultiThreadedEventLoopGroup?, workerCount: Int, queueCapacity: Int) {
        self.socket = socket
        self.localAddress = .udp(endpoint)
        self.reader = reader
        self.counters = counters
        self.ownedGroup = ownedGroup
        self.workerCount = workerCount
        self.queueCapacity = queueCapacity
    }

    /// Counters, kernel drops and the socket's state.
    public var stats: Stats {
        var s = counters.snapshot
        s.kernelDrops = socket.kernelDrops
        let r = reader.snapshot
        s.state = isClosed.load(ordering: .relaxed) ? .closed : r.state
        s.rebinds = r.rebinds
        s.lastError = r.lastError
        let d = dispatch.withLock { $0 }
        s.inboundWorkers = d?.workerCount ?? 0
        s.deliveredPerWorker = d?.deliveredPerWorker ?? []
        return s
    }

    public var statistics: TransportStatistics { stats.statistics }

    /// Number of times reading the socket had to be re-established.
    public var rebindCount: UInt64 { reader.snapshot.rebinds }

    /// The socket's inode: the same for the transport's whole life.
    public var socketInode: UInt64? { socket.inode }

    /// Calls `observer` (on any thread) when the socket's reader dies, cannot be re-established,
    /// or reads again. It must not block.
    public func onStateChange(_ observer: @escaping @Sendable (StateChange) -> Void) {
        reader.observe(observer)
    }

    /// Closes NIO's channel as NIO does after a fatal error (tests of the recovery path).
    func simulateFatalSocketError() async {
        await reader.killChannel()
    }

    /// Binds a UDP socket. The default `::` is dual-stack (IPv6 and IPv4 peers on one socket);
    /// if the host has no IPv6 it falls back to `0.0.0.0`. Any other host is bound as given.
    /// Port 0 picks a free port; `localAddress` tells which. Reading starts with `start`.
    /// Without a `group`, the transport runs its own one-thread group and shuts it down on `close`.
    /// `inboundWorkers` threads run the handler (nil: one per usable core; 0: the reader runs it
    /// itself), each with a queue of `inboundQueueCapacity` datagrams.
    public static func bind(host: String = "::", port: Int = 0, group: (any EventLoopGroup)? = nil,
                            inboundWorkers: Int? = nil, inboundQueueCapacity: Int = defaultInboundQueueCapacity,
                            logger: Logger = DHTNode.silentLogger) async throws -> UDPTransport {
        let workerCount = min(max(0, inboundWorkers ?? UsableCores.count), maxInboundWorkers)
        let choice = EventLoopChoice(group)
        do {
            let socket = try await open(host: host, port: port, on: choice.loops.next())
            guard let endpoint = WireEndpoint(socketAddress: socket.local) else {
                socket.close()
                throw UDPTransportError.noLocalAddress
            }
            let counters = UDPCounters()
            let reader: SocketReader
            do {
                reader = try await SocketReader.attach(socket: socket, group: choice.loops, counters: counters, logger: logger)
            } catch {
                socket.close()
                throw error
            }
            return UDPTransport(socket: socket, endpoint: endpoint, reader: reader, counters: counters,
                                ownedGroup: choice.owned, workerCount: workerCount,
                                queueCapacity: max(1, inboundQueueCapacity))
        } catch {
            try? await choice.owned?.shutdownGracefully()
            throw error
        }
    }

    /// Opens the socket on the event loop that will read it: the socket then belongs to that
    /// thread's network namespace (the namespace tests rely on it), and no caller's executor
    /// makes the system calls.
    private static func open(host: String, port: Int, on loop: any EventLoop) async throws -> UDPSocket {
        try await loop.submit {
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
        }.get()
    }

    /// Installs the handler and starts reading. The handler runs on the inbound workers' threads,
    /// several at once, and must not block.
    public func start(_ deliver: @escaping @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void) async throws {
        guard !isClosed.load(ordering: .acquiring) else { throw TransportError.closed }
        guard isStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw UDPTransportError.alreadyStarted
        }
        let fanOut = InboundDispatch(workerCount: workerCount, queueCapacity: queueCapacity,
                                     counters: counters, deliver: deliver)
        dispatch.withLock { $0 = fanOut }
        try await reader.start { datagram, from in fanOut.submit(datagram, from: from) }
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
        guard let address = SocketAddress(destination: endpoint, fromIPv6Socket: socket.isIPv6) else {
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

    /// Closes the socket (and the event loop group if this transport made it). Idempotent.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await reader.close()
        // Nothing reads any more; the workers finish the datagram in hand and stop.
        dispatch.withLock { d -> InboundDispatch? in
            defer { d = nil }
            return d
        }?.stop(wait: true)
        socket.close()
        try? await ownedGroup?.shutdownGracefully()
    }

    /// A transport dropped without `close()` still releases its socket and threads.
    deinit {
        guard !isClosed.load(ordering: .acquiring) else { return }
        reader.closeNow()
        dispatch.withLock { $0 }?.stop(wait: false)
        socket.close()
        ownedGroup?.shutdownGracefully { _ in }
    }
}
