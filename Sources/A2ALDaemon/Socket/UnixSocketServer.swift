import A2ALRPC
import A2ALNIOSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's Unix-socket listener: newline-framed connections handed to whatever `accept`
/// returns for each (the JSON-RPC session).
///
/// The socket file gets its mode and group before the socket listens, so no client ever
/// connects through wider permissions than configured. At most `maxConnections` connections are
/// served; a further one gets `overCapacityLine` and is closed. A line over `maxLineBytes` is
/// reported to the receiver and the rest of that connection's input is dropped unread. A
/// connection whose unsent output passes `maxOutputBytes` is not read until it drains, and is
/// closed when it stays full (`OutputBudget`); a failing `accept` backs off (`AcceptBackoff`).
/// On `stop()` every receiver is asked to answer what it owes before its connection closes.
package final class UnixSocketServer: Sendable {
    /// Pending connections the kernel queues before `accept`.
    static let listenBacklog: Int32 = 256
    /// Accepts per wake-up, so a connection storm cannot starve the loop's other channels.
    static let acceptsPerWakeup: UInt = 16
    /// Reads per wake-up of one connection, for the same fairness between clients.
    static let readsPerWakeup: UInt = 4
    /// How long a closing connection may take to hand its queued lines to a slow reader.
    static let closeGrace: TimeAmount = .seconds(5)

    /// The socket's path (for an inherited socket, the path it is bound to when it has one).
    package let path: String
    private let serverChannel: any Channel
    private let connections: ChannelRegistry
    /// The file this server bound and removes on stop; nil for an inherited socket.
    private let boundFile: BoundSocketFile?
    private let stopped = Atomic<Bool>(false)

    private init(path: String, serverChannel: any Channel, connections: ChannelRegistry,
                 boundFile: BoundSocketFile?) {
        self.path = path
        self.serverChannel = serverChannel
        self.connections = connections
        self.boundFile = boundFile
    }

    /// Binds (or adopts `inheritedFD`, a listening socket from systemd) and starts accepting.
    package static func start(options: UnixSocketOptions, group: any EventLoopGroup, inheritedFD: CInt? = nil,
                             logger: Logger,
                             overCapacityLine: [UInt8],
                             accept: @escaping @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver)
        async throws -> UnixSocketServer {
        try options.validate()
        let descriptor: CInt
        let boundFile: BoundSocketFile?
        if let inheritedFD {
            try checkInherited(inheritedFD, path: options.path)
            descriptor = inheritedFD
            boundFile = nil
        } else {
            try SocketPathPreparer.prepare(path: options.path, logger: logger)
            let file = try SocketFileBinder.makeBoundSocket(options: options)
            descriptor = file.descriptor
            boundFile = file
        }

        let connections = ChannelRegistry(limit: options.maxConnections)
        let maxLineBytes = options.maxLineBytes
        let budget = OutputBudget(options: options)
        let adopted = boundFile == nil
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: listenBacklog)
            .serverChannelOption(ChannelOptions.maxMessagesPerRead, value: acceptsPerWakeup)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: readsPerWakeup)
            // `echo '{...}' | socat - UNIX-CONNECT:...` shuts its sending side right after the
            // request; the replies still have to go out, so end of input is not end of connection.
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                initialize(child, connections: connections, maxLineBytes: maxLineBytes, budget: budget,
                           overCapacityLine: overCapacityLine, logger: logger, accept: accept)
            }
            .serverChannelInitializer { channel in
                if !adopted {
                    // NIO listens on an adopted socket with its default backlog; ours is larger.
                    // systemd's sockets keep the backlog their unit sets.
                    _ = listen(descriptor, listenBacklog)
                }
                // NIO adds no accept back-off on this bootstrap path; without it running out of
                // descriptors spins the loop (AcceptBackoff).
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoff(logger: logger))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.withBoundSocket(descriptor).get()
        } catch {
            // The descriptor is not closed here: NIO may already own (and have closed) it.
            if let boundFile, boundFile.isStillAt(options.path) { unlink(options.path) }
            throw SocketServerError(path: options.path, reason: "cannot listen on \(options.path): \(error)")
        }
        let path = boundFile == nil ? (channel.localAddress?.pathname ?? options.path) : options.path
        logger.debug("listening on unix socket", metadata: [
            "path": "\(path)", "inherited": "\(boundFile == nil)",
        ])
        return UnixSocketServer(path: path, serverChannel: channel, connections: connections, boundFile: boundFile)
    }

    /// The path an inherited socket is bound to, read before the daemon accepts on it: systemd's
    /// socket has listened since boot, so a client's first call may be served the moment accepting
    /// starts and must already see this path (nil for an unnamed, abstract or non-Unix socket).
    package static func boundPath(ofInherited descriptor: CInt) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) == 0 }
        }
        guard named, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return path.isEmpty ? nil : path
    }

    /// A descriptor from systemd must at least be a socket; NIO makes it listen if it is not yet.
    private static func checkInherited(_ descriptor: CInt, path: String) throws(SocketServerError) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SocketServerError(path: path, reason: "inherited file descriptor \(descriptor) for \(path) "
                                    + "is unusable: \(SocketErrno.describe(errno))")
        }
        guard UnixSocketAddress.isSocket(info.st_mode) else {
            throw SocketServerError(path: path, reason: "inherited file descriptor \(descriptor) for \(path) "
                                    + "is not a socket")
        }
    }

    private static func initialize(_ child: any Channel, connections: ChannelRegistry, maxLineBytes: Int,
                                   budget: OutputBudget, overCapacityLine: [UInt8], logger: Logger,
                                   accept: @escaping @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver)
        -> EventLoopFuture<Void> {
        switch connections.admit(child) {
        case .stopping:
            return child.close()
        case .full:
            logger.notice("refusing unix socket connection: connection limit reached")
            return child.eventLoop.makeCompletedFuture {
                try child.pipeline.syncOperations.addHandler(OverCapacityHandler(line: overCapacityLine))
            }
        case .admitted:
            return PeerCredentialsReader.read(child).flatMapThrowing { peer in
                logger.debug("client connected \(peer?.description ?? "(credentials unavailable)")")
                try child.pipeline.syncOperations.addHandler(
                    LineConnectionHandler(peer: peer, maxLineBytes: maxLineBytes, closeGrace: closeGrace,
                                          budget: budget, logger: logger, accept: accept))
            }
        }
    }

    /// Connections being served now (not counting refused ones).
    package var connectionCount: Int { connections.count }

    /// Stops accepting, closes every connection (flushing queued lines), removes the socket file
    /// if we created it. Later calls return at once.
    package func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await serverChannel.close()
        removeSocketFile()
        // Connections close themselves within closeGrace; the extra second catches any not yet set up.
        await connections.drain(grace: Self.closeGrace + .seconds(1), on: serverChannel.eventLoop)
    }

    /// Removes the file only while it is still the one we bound, never a successor's.
    private func removeSocketFile() {
        guard let boundFile, boundFile.isStillAt(path) else { return }
        unlink(path)
    }

    /// A server dropped without `stop()` still releases its socket and file.
    deinit {
        guard !stopped.load(ordering: .acquiring) else { return }
        serverChannel.close(promise: nil)
        for child in connections.closeAll() { child.close(promise: nil) }
        removeSocketFile()
    }
}
