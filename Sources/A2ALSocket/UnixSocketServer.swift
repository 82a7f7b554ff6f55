import A2ALRPC
import A2ALThreads
import CLinuxEvents
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's Unix-socket listener: newline-framed connections handed to whatever `accept`
/// returns for each (the JSON-RPC session), served on `threads` loop threads of its own
/// (`SocketLoop`, epoll; docs/architecture.md, "The JSON-RPC socket").
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
    /// Accepts per wake-up, so a connection storm cannot starve the loop's other connections.
    static let acceptsPerWakeup = 16
    /// Reads per wake-up of one connection, for the same fairness between clients.
    static let readsPerWakeup = 4
    /// The time slice a loop thread asks for (docs/architecture.md, "The JSON-RPC socket"): the
    /// shortest Linux grants. Under EEVDF a shorter slice gives a thread an earlier deadline, so a
    /// loop woken by a request runs before the client threads its replies just woke, instead of
    /// waiting behind them; its share of the CPU is unchanged.
    package static let loopTimeSliceNanoseconds: UInt64 = 100_000
    /// How long a closing connection may take to hand its queued lines to a slow reader.
    static let closeGraceNanoseconds: UInt64 = 5_000_000_000
    /// Loop threads by default, whatever the core count (docs/architecture.md, "The JSON-RPC
    /// socket"): up to 16 clients each get a thread of their own, which answers and goes back to
    /// waiting on that one connection, the shape of a thread-per-connection server; more share
    /// them, fewest first. With one loop per core, a loop thread that has just woken a client goes
    /// on to its other connections, and 16 clients of a 2-core machine got 0.39–0.50 of a
    /// thread-per-connection echo's round trips against 0.52–0.65 (median 0.58) with 16 loops
    /// (docs/benchmarks.md, "A lock that sleeps, and a loop per connection"). An idle loop costs
    /// a sleeping thread, an epoll set, an eventfd and its 64 KiB read buffer.
    package static let defaultThreads = 16

    /// The socket's path (for an inherited socket, the path it is bound to when it has one).
    package let path: String
    private let loops: [SocketLoop]
    /// The loop threads still running.
    private let running: OpenCount
    private let connections: OpenCount
    /// The file this server bound and removes on stop; nil for an inherited socket.
    private let boundFile: BoundSocketFile?
    private let stopped = Atomic<Bool>(false)

    private init(path: String, loops: [SocketLoop], running: OpenCount, connections: OpenCount,
                 boundFile: BoundSocketFile?) {
        self.path = path
        self.loops = loops
        self.running = running
        self.connections = connections
        self.boundFile = boundFile
    }

    /// Binds (or adopts `inheritedFD`, a listening socket from systemd) and starts accepting.
    package static func start(options: UnixSocketOptions, threads: Int = defaultThreads, inheritedFD: CInt? = nil,
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
        func fail(_ reason: String) -> SocketServerError {
            if let boundFile, boundFile.isStillAt(options.path) { unlink(options.path) }
            if boundFile != nil { close(descriptor) }
            return SocketServerError(path: options.path, reason: "cannot listen on \(options.path): \(reason)")
        }
        // systemd's socket has listened since boot with the backlog its unit sets; one that
        // does not listen yet, and ours, listen with ours.
        if boundFile != nil || !isListening(descriptor) {
            guard listen(descriptor, listenBacklog) == 0 else { throw fail("listen: \(SocketErrno.describe(errno))") }
        }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw fail("cannot make the socket non-blocking: \(SocketErrno.describe(errno))")
        }

        let connections = OpenCount(limit: options.maxConnections)
        let settings = SocketServerSettings(
            path: options.path, maxLineBytes: options.maxLineBytes, budget: OutputBudget(options: options),
            closeGraceNanoseconds: closeGraceNanoseconds, overCapacityLine: overCapacityLine,
            readsPerWakeup: readsPerWakeup, acceptsPerWakeup: acceptsPerWakeup,
            loopTimeSliceNanoseconds: loopTimeSliceNanoseconds, accept: accept)
        var loops: [SocketLoop] = []
        do {
            for index in 0..<max(1, threads) {
                // Tokens are unique across loops: each loop counts in its own range.
                let first = SocketLoop.firstConnectionToken + UInt64(index) << 56
                loops.append(try SocketLoop.make(settings: settings, registry: connections, firstToken: first, logger: logger))
            }
        } catch {
            for loop in loops { loop.discard() }
            throw fail(error.reason)
        }
        let first = loops[0]
        let listener = SocketListener(descriptor: descriptor, loops: loops, logger: logger)
        guard first.watch(descriptor, token: SocketLoop.listenerToken, events: UInt32(EPOLLIN.rawValue)) else {
            let reason = "epoll_ctl: \(SocketErrno.describe(errno))"
            for loop in loops { loop.discard() }
            throw fail(reason)
        }
        first.listener = listener
        let running = OpenCount(limit: Int.max)
        for (index, loop) in loops.enumerated() {
            loop.threadName = "a2al-rpc-\(index)"
            _ = running.admit()
            guard let thread = PosixThread.start({ loop.run(); running.release() }) else {
                running.release()
                // The loops already running stop; the others never ran and are closed here.
                for started in loops[..<index] { started.post(.exit) }
                await running.waitUntilEmpty()
                for idle in loops[index...] { idle.discard() }
                let reason = "cannot start a thread to serve it"
                if index == 0 { throw fail(reason) }
                // The first loop closed the listening socket as it ended.
                if let boundFile, boundFile.isStillAt(options.path) { unlink(options.path) }
                throw SocketServerError(path: options.path, reason: "cannot listen on \(options.path): \(reason)")
            }
            pthread_detach(thread)
        }
        let path = boundFile == nil ? (boundPath(ofInherited: descriptor) ?? options.path) : options.path
        logger.debug("listening on unix socket", metadata: [
            "path": "\(path)", "inherited": "\(boundFile == nil)", "threads": "\(loops.count)",
        ])
        return UnixSocketServer(path: path, loops: loops, running: running, connections: connections, boundFile: boundFile)
    }

    /// Whether `descriptor` already listens (SO_ACCEPTCONN).
    private static func isListening(_ descriptor: CInt) -> Bool {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value != 0
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

    /// The loop threads serving it (fewer than asked only when the open-file limit is tight).
    package var threads: Int { loops.count }

    /// Connections being served now (not counting refused ones).
    package var connectionCount: Int { connections.count }

    /// Requests read by loops waiting on their single connection in `recv` rather than in
    /// `epoll_wait`, since the start (docs/architecture.md, "The JSON-RPC socket").
    package var readsWhileAlone: Int { loops.reduce(0) { $0 + $1.readsWhileAlone.load(ordering: .relaxed) } }

    /// Stops accepting, asks every connection to answer what it owes and close (flushing
    /// queued lines), cuts those still open after the close grace, removes the socket file if
    /// we created it, and returns once the loop threads have ended. Later calls return at once.
    package func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        connections.stopAdmitting()
        loops[0].post(.stopListening)
        removeSocketFile()
        for loop in loops { loop.post(.quiesce) }
        // Connections close themselves within the grace; the extra second catches any not yet set up.
        let grace = Duration.nanoseconds(Int64(Self.closeGraceNanoseconds)) + .seconds(1)
        let connections = connections
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connections.waitUntilEmpty() }
            group.addTask { try? await Task.sleep(for: grace) }
            await group.next()
            group.cancelAll()
        }
        for loop in loops { loop.post(.exit) }
        await running.waitUntilEmpty()
    }

    /// Removes the file only while it is still the one we bound, never a successor's.
    private func removeSocketFile() {
        guard let boundFile, boundFile.isStillAt(path) else { return }
        unlink(path)
    }

    /// A server dropped without `stop()` still releases its socket, connections and file.
    deinit {
        guard !stopped.load(ordering: .acquiring) else { return }
        connections.stopAdmitting()
        for loop in loops { loop.post(.exit) }
        removeSocketFile()
    }
}
