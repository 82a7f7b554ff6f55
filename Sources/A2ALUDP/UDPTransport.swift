import A2ALDHT
import A2ALProtocol
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

/// The node's UDP socket, on SwiftNIO (node.md §15.2, wire.md §3.1).
///
/// Inbound datagrams are handed to the start handler on the channel's event loop thread, with
/// their source as `.udp` (IPv4-mapped sources as IPv4). Datagrams over 1200 bytes are dropped
/// and counted, never truncated. `send` queues a write and returns at once; failures the socket
/// reports later are counted in `stats.sendErrors`.
public final class UDPTransport: Transport {
    /// The datagram limit in both directions.
    public static let maxDatagramSize = ProtocolConstants.maxDatagramSize
    /// One byte more than the limit, so an oversize datagram is recognisable by its length.
    static let receiveBufferSize = maxDatagramSize + 1
    /// Kernel receive buffer requested (the kernel may cap it): absorbs bursts while the event
    /// loop is busy in a handler.
    static let socketReceiveBufferBytes = 4 << 20
    /// Kernel send buffer requested: lets bursts of replies leave without waiting on the loop.
    static let socketSendBufferBytes = 1 << 20
    /// The dual-stack wildcard, and the IPv4 wildcard used when the host has no IPv6.
    static let dualStackWildcard = "::"
    static let ipv4Wildcard = "0.0.0.0"

    public let localAddress: PeerAddress
    public var stats: Stats { counters.snapshot }

    /// The live socket. Replaced when the kernel reports a send error that NIO treats as fatal
    /// (anything but EMSGSIZE and EHOSTUNREACH closes a datagram channel — e.g. ENETUNREACH for
    /// an IPv6 contact on a host without IPv6 routes): a peer's bad address must never take the
    /// node off the network, so the transport rebinds the same port and carries on.
    private let channelBox: Mutex<any Channel>
    private var channel: any Channel { channelBox.withLock { $0 } }
    private let group: any EventLoopGroup
    /// Shut down by `close()` only when this transport created it.
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let isIPv6Socket: Bool
    private let bindHost: String
    private let dualStack: Bool
    private let counters = UDPCounters()
    private let isClosed = Atomic<Bool>(false)
    private let isStarted = Atomic<Bool>(false)
    private let handler = Mutex<(@Sendable ([UInt8], PeerAddress) -> Void)?>(nil)
    /// Times the socket was rebound after an unexpected close.
    private let rebinds = Atomic<UInt64>(0)
    /// Delay between rebind attempts while the port is unavailable.
    static let rebindRetryDelay: TimeAmount = .milliseconds(200)
    static let rebindMaxAttempts = 50

    private init(channel: any Channel, endpoint: WireEndpoint, isIPv6Socket: Bool, group: any EventLoopGroup,
                 ownedGroup: MultiThreadedEventLoopGroup?, bindHost: String, dualStack: Bool) {
        self.channelBox = Mutex(channel)
        self.localAddress = .udp(endpoint)
        self.isIPv6Socket = isIPv6Socket
        self.group = group
        self.ownedGroup = ownedGroup
        self.bindHost = bindHost
        self.dualStack = dualStack
        watch(channel)
    }

    /// Closes the live socket as NIO does after a fatal send error (tests of the recovery path).
    func simulateFatalSocketError() async {
        try? await channel.close()
    }

    /// Number of times the socket had to be reopened.
    public var rebindCount: UInt64 { rebinds.load(ordering: .relaxed) }

    /// Rebinds when `channel` closes without `close()` having been called.
    private func watch(_ channel: any Channel) {
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self, !self.isClosed.load(ordering: .acquiring) else { return }
            Task { await self.rebind() }
        }
    }

    private func rebind() async {
        guard let port = localAddress.udp?.port else { return }
        for _ in 0..<Self.rebindMaxAttempts where !isClosed.load(ordering: .acquiring) {
            do {
                let fresh = try await Self.bindChannel(host: bindHost, port: Int(port), group: group, dualStack: dualStack)
                if let handler = handler.withLock({ $0 }) {
                    let counters = self.counters
                    try await fresh.eventLoop.submit {
                        try fresh.pipeline.syncOperations.addHandler(DatagramReceiver(counters: counters, deliver: handler))
                        try fresh.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
                    }.get()
                }
                if isClosed.load(ordering: .acquiring) {
                    try? await fresh.close()
                    return
                }
                channelBox.withLock { $0 = fresh }
                rebinds.add(1, ordering: .relaxed)
                watch(fresh)
                return
            } catch {
                try? await Task.sleep(for: .milliseconds(Self.rebindRetryDelay.nanoseconds / 1_000_000))
            }
        }
    }

    /// Binds a UDP socket. The default `::` is dual-stack (IPv6 and IPv4 peers on one socket);
    /// if the host has no IPv6 it falls back to `0.0.0.0`. Any other host is bound as given.
    /// Port 0 picks a free port; `localAddress` tells which. Reading starts with `start`.
    /// Without a `group`, the transport runs its own one-thread group and shuts it down on `close`.
    public static func bind(host: String = "::", port: Int = 0,
                            group: (any EventLoopGroup)? = nil) async throws -> UDPTransport {
        let choice = EventLoopChoice(group)
        let loops = choice.loops
        let ownedGroup = choice.owned
        do {
            let channel: any Channel
            if host == dualStackWildcard {
                do {
                    channel = try await bindChannel(host: host, port: port, group: loops, dualStack: true)
                } catch {
                    channel = try await bindChannel(host: ipv4Wildcard, port: port, group: loops, dualStack: false)
                }
            } else {
                channel = try await bindChannel(host: host, port: port, group: loops, dualStack: false)
            }
            guard let local = channel.localAddress, let endpoint = WireEndpoint(socketAddress: local) else {
                try? await channel.close()
                throw UDPTransportError.noLocalAddress
            }
            return UDPTransport(channel: channel, endpoint: endpoint, isIPv6Socket: local.protocol == .inet6,
                                group: loops, ownedGroup: ownedGroup,
                                // A `::` request that fell back to IPv4 rebinds the IPv4 wildcard.
                                bindHost: host == dualStackWildcard && local.protocol != .inet6 ? ipv4Wildcard : host,
                                dualStack: host == dualStackWildcard && local.protocol == .inet6)
        } catch {
            try? await ownedGroup?.shutdownGracefully()
            throw error
        }
    }

    private static func bindChannel(host: String, port: Int, group: any EventLoopGroup,
                                    dualStack: Bool) async throws -> any Channel {
        var bootstrap = DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.recvAllocator,
                           value: FixedSizeRecvByteBufferAllocator(capacity: receiveBufferSize))
            // Nothing is read until `start` installs the handler; early datagrams wait in the
            // kernel buffer instead of being lost.
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: socketReceiveBufferBytes)
            .channelOption(ChannelOptions.socketOption(.so_sndbuf), value: socketSendBufferBytes)
        if dualStack {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 0)
        }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    /// Installs the handler and starts reading. The handler runs on the event loop thread and
    /// must not block.
    public func start(_ deliver: @escaping @Sendable (_ datagram: [UInt8], _ from: PeerAddress) -> Void) async throws {
        guard !isClosed.load(ordering: .acquiring) else { throw TransportError.closed }
        guard isStarted.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            throw UDPTransportError.alreadyStarted
        }
        handler.withLock { $0 = deliver }
        let counters = self.counters
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(DatagramReceiver(counters: counters, deliver: deliver))
            try channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }.get()
    }

    public func send(_ datagram: [UInt8], to destination: PeerAddress) throws(TransportError) {
        guard !isClosed.load(ordering: .relaxed) else { throw .closed }
        guard datagram.count <= Self.maxDatagramSize else { throw .packetTooLarge(datagram.count) }
        guard case .udp(let endpoint) = destination else {
            throw .unreachable("\(destination) is not a UDP address")
        }
        if let reason = undeliverableReason(endpoint) { throw .unreachable("\(endpoint): \(reason)") }
        guard let address = SocketAddress(destination: endpoint, fromIPv6Socket: isIPv6Socket) else {
            throw .unreachable("\(destination): IPv6 destination on an IPv4 socket")
        }
        var buffer = channel.allocator.buffer(capacity: datagram.count)
        buffer.writeBytes(datagram)
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let counters = self.counters
        promise.futureResult.whenFailure { _ in counters.sendErrors.add(1, ordering: .relaxed) }
        counters.sent.add(1, ordering: .relaxed)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: promise)
    }

    /// Destinations the kernel would refuse (refusals close NIO datagram channels, so they are
    /// caught here): port 0, unspecified, multicast and limited-broadcast addresses, and anything
    /// but loopback from a socket bound to loopback.
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
        // Only a rebind reads it, and none starts once closed; a handler that holds this
        // transport would otherwise keep it alive for good.
        handler.withLock { $0 = nil }
        try? await channel.close()
        try? await ownedGroup?.shutdownGracefully()
    }

    /// A transport dropped without `close()` still releases its socket and threads.
    deinit {
        guard !isClosed.load(ordering: .acquiring) else { return }
        channel.close(promise: nil)
        ownedGroup?.shutdownGracefully { _ in }
    }
}
