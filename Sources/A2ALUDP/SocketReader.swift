import A2ALDHT
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Keeps a SwiftNIO channel reading the transport's socket.
///
/// NIO gets a duplicate of the socket's descriptor (`UDPSocket.duplicate`). Should its channel
/// close anyway (a read error NIO deems fatal), the socket itself stays open and bound, because
/// the transport holds its own descriptor: reading resumes on a fresh duplicate of the same
/// socket, on the same port, so no other process can take the port in between. Attempts repeat
/// forever with `ReattachBackoff`; each change of state is logged and reported to the observer
/// (docs/architecture.md, "A2ALUDP").
final class SocketReader: Sendable {
    typealias Deliver = @Sendable ([UInt8], PeerAddress) -> Void

    private struct State {
        var channel: (any Channel)?
        var deliver: Deliver?
        var closed = false
        var socketState: TransportStatistics.SocketState = .up
        var rebinds: UInt64 = 0
        var lastError: String?
        var retry: Task<Void, Never>?
        var backoff = ReattachBackoff()
        var attachedAt = ContinuousClock.now
        var observer: (@Sendable (UDPTransport.StateChange) -> Void)?
    }

    private let socket: UDPSocket
    private let group: any EventLoopGroup
    private let counters: UDPCounters
    private let logger: Logger
    private let state = Mutex(State())

    private init(socket: UDPSocket, group: any EventLoopGroup, counters: UDPCounters, logger: Logger) {
        self.socket = socket
        self.group = group
        self.counters = counters
        self.logger = logger
    }

    /// A reader with its first channel open (not yet reading: `start` installs the handler).
    static func attach(socket: UDPSocket, group: any EventLoopGroup, counters: UDPCounters,
                       logger: Logger) async throws -> SocketReader {
        let reader = SocketReader(socket: socket, group: group, counters: counters, logger: logger)
        let channel = try await reader.openChannel()
        reader.state.withLock { $0.channel = channel }
        reader.watch(channel)
        return reader
    }

    var snapshot: (state: TransportStatistics.SocketState, rebinds: UInt64, lastError: String?) {
        state.withLock { ($0.socketState, $0.rebinds, $0.lastError) }
    }

    func observe(_ observer: @escaping @Sendable (UDPTransport.StateChange) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// Installs the handler on the live channel (and on every later one) and starts reading.
    func start(_ deliver: @escaping Deliver) async throws {
        let channel = state.withLock { s -> (any Channel)? in
            s.deliver = deliver
            return s.channel
        }
        // No channel: a re-attach is under way and installs the handler itself.
        guard let channel else { return }
        do {
            try await install(deliver, on: channel)
        } catch where !channel.isActive {
            // It died meanwhile; the re-attach that follows installs the handler.
        }
    }

    /// Stops reading for good.
    func close() async {
        let (channel, retry) = state.withLock { s -> ((any Channel)?, Task<Void, Never>?) in
            s.closed = true
            s.socketState = .closed
            // No re-attach starts once closed; a handler that holds the node (which holds the
            // transport) would otherwise keep both alive for good.
            defer { s.channel = nil; s.retry = nil; s.deliver = nil }
            return (s.channel, s.retry)
        }
        retry?.cancel()
        try? await channel?.close()
    }

    /// `close` for deinit, without waiting.
    func closeNow() {
        let (channel, retry) = state.withLock { s -> ((any Channel)?, Task<Void, Never>?) in
            s.closed = true
            s.socketState = .closed
            s.deliver = nil
            return (s.channel, s.retry)
        }
        retry?.cancel()
        channel?.close(promise: nil)
    }

    /// Closes the live channel as NIO does after a fatal error (tests of the recovery path).
    func killChannel() async {
        try? await state.withLock { $0.channel }?.close()
    }

    // MARK: Channels

    private func openChannel() async throws -> any Channel {
        let fd = try socket.duplicate()
        // On failure NIO has closed `fd` itself (DatagramChannel's init closes what it wraps).
        return try await DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.recvAllocator,
                           value: FixedSizeRecvByteBufferAllocator(capacity: UDPTransport.receiveBufferSize))
            // Nothing is read until `start` installs the handler; early datagrams wait in the
            // kernel buffer instead of being lost.
            .channelOption(ChannelOptions.autoRead, value: false)
            .withBoundSocket(fd).get()
    }

    private func install(_ deliver: @escaping Deliver, on channel: any Channel) async throws {
        let counters = self.counters
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(DatagramReceiver(counters: counters, deliver: deliver))
            try channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }.get()
    }

    private func watch(_ channel: any Channel) {
        channel.closeFuture.whenComplete { [weak self] _ in self?.died(channel) }
    }

    /// The live channel closed without `close()`: the node is deaf until a new one reads.
    private func died(_ channel: any Channel) {
        let reason = counters.lastReceiveError.withLock { $0 } ?? "socket reader closed"
        let change = state.withLock { s -> UDPTransport.StateChange? in
            guard !s.closed, let live = s.channel, ObjectIdentifier(live) == ObjectIdentifier(channel) else { return nil }
            s.channel = nil
            s.socketState = .rebinding
            s.lastError = reason
            if ContinuousClock.now - s.attachedAt >= ReattachBackoff.stableAfter { s.backoff.reset() }
            s.retry = Task { [weak self] in await self?.reattach() }
            return UDPTransport.StateChange(state: .rebinding, rebinds: s.rebinds, error: reason)
        }
        guard let change else { return }
        logger.error("udp socket reader closed; re-establishing it", metadata: ["err": "\(reason)"])
        notify(change)
    }

    /// Tries until a new channel reads the socket, or the transport closes.
    private func reattach() async {
        var failures = 0
        while !Task.isCancelled {
            let delay = state.withLock { $0.backoff.next() }
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return }
            }
            if state.withLock({ $0.closed }) { return }
            do {
                let channel = try await openChannel()
                // Publishing the channel and reading the handler in one step pairs with `start`:
                // whichever runs second installs the handler, so it is installed exactly once.
                let taken = state.withLock { s -> Deliver?? in
                    guard !s.closed else { return nil }
                    s.channel = channel
                    return .some(s.deliver)
                }
                guard let deliver = taken else {
                    try? await channel.close()
                    return
                }
                watch(channel)
                // If this fails the channel is already dead, and `died` starts the next attempt.
                if let deliver { try? await install(deliver, on: channel) }
                let change = state.withLock { s -> UDPTransport.StateChange? in
                    guard !s.closed, let live = s.channel, ObjectIdentifier(live) == ObjectIdentifier(channel) else { return nil }
                    s.socketState = .up
                    s.rebinds += 1
                    s.attachedAt = .now
                    s.retry = nil
                    return UDPTransport.StateChange(state: .up, rebinds: s.rebinds, error: nil)
                }
                // Nil: closed meanwhile, or this channel died already and another attempt runs.
                guard let change else { return }
                logger.notice("udp socket reading again", metadata: ["rebinds": "\(change.rebinds)"])
                notify(change)
                return
            } catch {
                failures += 1
                let text = "\(error)"
                state.withLock { $0.lastError = text }
                // Every failure is counted in lastError; the log gets the first and then one in 20.
                if failures == 1 || failures % 20 == 0 {
                    logger.error("udp socket reader could not be re-established", metadata: ["err": "\(text)", "attempts": "\(failures)"])
                    notify(UDPTransport.StateChange(state: .rebinding, rebinds: snapshot.rebinds, error: text))
                }
            }
        }
    }

    private func notify(_ change: UDPTransport.StateChange) {
        state.withLock { $0.observer }?(change)
    }
}
