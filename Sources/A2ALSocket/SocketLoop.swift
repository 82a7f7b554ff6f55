import A2ALRPC
import Logging
import Synchronization

import CLinuxEvents
#if canImport(Glibc)
import Glibc
#endif

/// One thread of the JSON-RPC socket server (docs/architecture.md, "The JSON-RPC socket"): an
/// epoll set of the connections it owns (and, on the first loop, the listening socket), read
/// and answered on this thread. Handlers that do not suspend answer before the loop reads the
/// next connection, with no thread hop; replies from other threads are written by those
/// threads (`SocketLineSink`).
///
/// Everything but the inbox is touched only by the loop's own thread. Other threads reach it
/// with `post`, which queues a command and wakes the thread through an eventfd.
final class SocketLoop: @unchecked Sendable {
    typealias Command = SocketLoopInbox.Command

    /// epoll tokens below this are not connections.
    static let firstConnectionToken: UInt64 = 2
    static let wakeToken: UInt64 = 0
    static let listenerToken: UInt64 = 1
    static let maxEvents: Int32 = 64
    static let readBufferBytes = 64 * 1024
    /// How long a loop serving one connection waits in `recv` before it goes back to
    /// `epoll_wait` (`serveAlone`); the kernel rounds it up to one tick (4 ms at HZ = 250).
    static let soloReadTimeoutMicroseconds: UInt32 = 1_000

    let settings: SocketServerSettings
    let registry: OpenCount
    let logger: Logger
    private let epollFD: CInt
    let inbox: SocketLoopInbox
    /// Connections handed to this loop and not yet closed, counted up by the listener when it
    /// chooses the loop and down by the loop when one closes (`SocketListener`).
    let load = Atomic<Int>(0)
    /// Requests read while waiting on a single connection (`serveAlone`), for tests and the
    /// benchmark's report.
    let readsWhileAlone = Atomic<Int>(0)
    private var nextToken: UInt64

    // Loop-thread state.
    var connections: [UInt64: SocketConnection] = [:]
    /// Connections with a stall or close deadline; only these are looked at for timers.
    var timed: Set<UInt64> = []
    var listener: SocketListener?
    /// Connections read in this wake-up whose replies are held until all are read.
    var corked: [SocketConnection] = []
    private var exiting = false
    /// `.quiesce` arrived: a connection adopted later is asked to finish at once.
    private var quiescing = false
    let readBuffer: UnsafeMutableRawBufferPointer
    /// "a2al-rpc-N", shown by `top -H` and `perf`.
    var threadName = "a2al-rpc"

    private init(epollFD: CInt, wakeFD: CInt, settings: SocketServerSettings, registry: OpenCount,
                 firstToken: UInt64, logger: Logger) {
        self.epollFD = epollFD
        self.inbox = SocketLoopInbox(wakeFD: wakeFD, registry: registry)
        self.settings = settings
        self.registry = registry
        self.nextToken = firstToken
        self.logger = logger
        readBuffer = .allocate(byteCount: Self.readBufferBytes, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    /// A loop with its epoll set and wake-up descriptor, not yet running.
    static func make(settings: SocketServerSettings, registry: OpenCount, firstToken: UInt64,
                     logger: Logger) throws(SocketServerError) -> SocketLoop {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else {
            throw SocketServerError(path: settings.path, reason: "epoll_create1: \(SocketErrno.describe(errno))")
        }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let reason = "eventfd: \(SocketErrno.describe(errno))"
            Glibc.close(epollFD)
            throw SocketServerError(path: settings.path, reason: reason)
        }
        let loop = SocketLoop(epollFD: epollFD, wakeFD: wakeFD, settings: settings, registry: registry,
                              firstToken: firstToken, logger: logger)
        guard loop.watch(wakeFD, token: wakeToken, events: UInt32(EPOLLIN.rawValue)) else {
            let reason = "epoll_ctl: \(SocketErrno.describe(errno))"
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            throw SocketServerError(path: settings.path, reason: reason)
        }
        return loop
    }

    /// Queues `command` for the loop thread and wakes it. Any thread.
    func post(_ command: Command) { inbox.post(command) }


    // MARK: epoll

    @discardableResult
    func watch(_ descriptor: CInt, token: UInt64, events: UInt32) -> Bool {
        var event = epoll_event(events: events, data: epoll_data_t(u64: token))
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, descriptor, &event) == 0
    }

    @discardableResult
    func rewatch(_ descriptor: CInt, token: UInt64, events: UInt32) -> Bool {
        var event = epoll_event(events: events, data: epoll_data_t(u64: token))
        return epoll_ctl(epollFD, EPOLL_CTL_MOD, descriptor, &event) == 0
    }

    func unwatch(_ descriptor: CInt) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, descriptor, nil)
    }

    // MARK: The thread

    /// Runs until `.exit`; then every connection left is closed and the loop's descriptors too.
    func run() {
        a2al_name_this_thread(threadName)
        if settings.loopTimeSliceNanoseconds > 0 {
            let result = a2al_request_time_slice(settings.loopTimeSliceNanoseconds)
            // Kernels before 6.12 ignore the request or refuse it; the loop runs either way.
            if result != 0 {
                logger.debug("json-rpc socket loop: no time slice of our own",
                             metadata: ["error": "\(SocketErrno.describe(-result))"])
            }
        }
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(Self.maxEvents))
        defer { events.deallocate() }
        while !exiting {
            let count = epoll_wait(epollFD, events, Self.maxEvents, nextTimeoutMs())
            if count < 0 {
                guard errno == EINTR else {
                    logger.error("json-rpc socket loop: epoll_wait failed", metadata: ["error": "\(SocketErrno.describe(errno))"])
                    break
                }
                continue
            }
            for index in 0..<Int(count) {
                let event = events[index]
                switch event.data.u64 {
                case Self.wakeToken: runInbox()
                case Self.listenerToken: listener?.acceptPending(on: self)
                case let token: connections[token]?.handle(events: event.events)
                }
            }
            uncorkAll()
            runTimers()
            serveAlone()
        }
        for connection in connections.values { connection.closeNow() }
        listener?.stop(on: self)
        listener = nil
        inbox.close()
        Glibc.close(epollFD)
    }

    /// Closes the descriptors of a loop that never ran (the server failed to start).
    func discard() {
        inbox.close()
        Glibc.close(epollFD)
    }

    /// A loop with one connection and nothing else to watch waits for that connection's next
    /// request in `recv` rather than `epoll_wait`: the client's write then wakes this thread
    /// directly, with one system call less per request and no epoll bookkeeping
    /// (docs/architecture.md, "The JSON-RPC socket"). The wait ends after the socket's receive
    /// timeout (`soloReadTimeoutMicroseconds`), when a command is queued (seen after the next
    /// request or the timeout, whichever comes first) or when the connection needs more than
    /// reading; then the loop is back in `epoll_wait`.
    private func serveAlone() {
        // The connection's own deadlines are in `canWaitAlone`; with one connection they are
        // all `timed` holds.
        guard connections.count == 1, listener == nil, !exiting, let connection = connections.first?.value else { return }
        while connection.canWaitAlone, !inbox.hasCommands {
            let requested = connection.waitAlone()
            uncorkAll()
            guard requested else { return }
            readsWhileAlone.add(1, ordering: .relaxed)
        }
    }

    /// Writes the replies held while this wake-up's connections were read.
    private func uncorkAll() {
        guard !corked.isEmpty else { return }
        let held = corked
        corked.removeAll(keepingCapacity: true)
        for connection in held { connection.uncork() }
    }

    private func runInbox() {
        for command in inbox.take() { run(command) }
    }

    private func run(_ command: Command) {
        switch command {
        case .adopt(let descriptor, let peer):
            guard !exiting else {
                Glibc.close(descriptor)
                connectionGone()
                return
            }
            adopt(descriptor, peer: peer)
        case .service(let token):
            connections[token]?.settle()
        case .quiesce:
            quiescing = true
            for connection in Array(connections.values) { connection.quiesce() }
        case .closeAll:
            for connection in Array(connections.values) { connection.closeNow() }
        case .stopListening:
            listener?.stop(on: self)
            listener = nil
        case .exit:
            exiting = true
        }
    }

    /// Starts serving an admitted connection on this loop.
    func adopt(_ descriptor: CInt, peer: PeerCredentials?) {
        let token = nextToken
        nextToken += 1
        let connection = SocketConnection(token: token, descriptor: descriptor, peer: peer, loop: self)
        guard watch(descriptor, token: token, events: SocketConnection.readEvents) else {
            logger.debug("cannot watch a client connection", metadata: ["error": "\(SocketErrno.describe(errno))"])
            connection.sink.detach()
            Glibc.close(descriptor)
            connectionGone()
            return
        }
        connections[token] = connection
        connection.start()
        // Accepted just as the server began to stop, after this loop quiesced its others.
        if quiescing { connection.quiesce() }
    }

    /// A connection handed to this loop is closed: it leaves the loop's load and the server's cap.
    func connectionGone() {
        load.subtract(1, ordering: .relaxed)
        registry.release()
    }

    // MARK: Timers

    private func nextTimeoutMs() -> Int32 {
        var earliest = listener?.resumeAt
        for token in timed {
            guard let deadline = connections[token]?.deadline else { continue }
            earliest = min(earliest ?? deadline, deadline)
        }
        guard let earliest else { return -1 }
        let now = MonotonicClock.nanoseconds()
        guard earliest > now else { return 0 }
        // Rounded up, so the loop does not wake a moment early and spin.
        return Int32(clamping: (earliest - now + 999_999) / 1_000_000)
    }

    private func runTimers() {
        let now = MonotonicClock.nanoseconds()
        if let resumeAt = listener?.resumeAt, resumeAt <= now { listener?.resume(on: self) }
        guard !timed.isEmpty else { return }
        for token in Array(timed) {
            guard let connection = connections[token] else {
                timed.remove(token)
                continue
            }
            connection.deadlinePassed(now: now)
        }
    }
}
