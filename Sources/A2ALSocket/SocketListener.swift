import A2ALRPC
import Logging

import CLinuxEvents
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket, watched by the server's first loop: accepts, admits each connection
/// against the cap (`OpenCount`), refuses one past it with the over-capacity line,
/// and hands each of the others to the loop serving the fewest connections (the next in turn
/// among equals), so while there are no more connections than loops each has a thread of its
/// own. A failing `accept` backs off (`AcceptBackoff`).
final class SocketListener {
    private let descriptor: CInt
    private let loops: [SocketLoop]
    private var nextLoop = 0
    private var backoff: AcceptBackoff
    private var watching = true

    init(descriptor: CInt, loops: [SocketLoop], logger: Logger) {
        self.descriptor = descriptor
        self.loops = loops
        backoff = AcceptBackoff(logger: logger)
    }

    /// When a backed-off listener is watched again.
    var resumeAt: UInt64? { backoff.resumeAt }

    func acceptPending(on loop: SocketLoop) {
        for _ in 0..<loop.settings.acceptsPerWakeup {
            let client = a2al_accept_client(descriptor)
            if client < 0 {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error == EAGAIN || error == EWOULDBLOCK { return }
                // Out of descriptors or memory: the kernel keeps the client queued and reports
                // the socket readable again at once, so stop watching it for a while.
                backoff.failed(error)
                if watching {
                    loop.unwatch(descriptor)
                    watching = false
                }
                return
            }
            admit(client, on: loop)
        }
    }

    private func admit(_ client: CInt, on loop: SocketLoop) {
        switch loop.registry.admit() {
        case .stopping:
            Glibc.close(client)
        case .full:
            loop.logger.notice("refusing unix socket connection: connection limit reached")
            refuse(client, line: loop.settings.overCapacityLine, scratch: loop.readBuffer)
        case .admitted:
            let peer = PeerCredentialsReader.read(client)
            loop.logger.debug("client connected \(peer?.description ?? "(credentials unavailable)")")
            let target = leastLoadedLoop(listening: loop)
            target.load.add(1, ordering: .relaxed)
            if target === loop {
                loop.adopt(client, peer: peer)
            } else {
                target.post(.adopt(client, peer))
            }
        }
    }

    /// The loop with the fewest connections, searched from the one after the last choice so
    /// that equals take turns. A count may be a moment stale (a loop closes connections on its
    /// own thread); that only makes the spread a little uneven. The listener's own loop counts
    /// the listener as one more connection: a loop that watches the listening socket can
    /// never wait on a single client (`SocketLoop.serveAlone`), so the others fill first.
    private func leastLoadedLoop(listening: SocketLoop) -> SocketLoop {
        func load(of loop: SocketLoop) -> Int {
            loop.load.load(ordering: .relaxed) + (loop === listening ? 1 : 0)
        }
        var best = loops[nextLoop % loops.count]
        var bestLoad = load(of: best)
        var index = nextLoop
        for offset in 1..<loops.count where bestLoad > 0 {
            let candidate = loops[(nextLoop + offset) % loops.count]
            let load = load(of: candidate)
            if load < bestLoad {
                best = candidate
                bestLoad = load
                index = nextLoop + offset
            }
        }
        nextLoop = (index + 1) % loops.count
        return best
    }

    /// One line, then close. What the client already sent is read and dropped first, so the
    /// close does not find unread bytes (which would reset the connection instead of ending it
    /// cleanly after the line).
    private func refuse(_ client: CInt, line: [UInt8], scratch: UnsafeMutableRawBufferPointer) {
        let framed = line + [UInt8(ascii: "\n")]
        _ = framed.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        _ = shutdown(client, Int32(SHUT_WR))
        while Glibc.recv(client, scratch.baseAddress, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
        Glibc.close(client)
    }

    /// The back-off is over: watch the socket again.
    func resume(on loop: SocketLoop) {
        backoff.resumed()
        guard !watching else { return }
        watching = loop.watch(descriptor, token: SocketLoop.listenerToken, events: UInt32(EPOLLIN.rawValue))
        if !watching { backoff.failed(errno) }
    }

    /// Stops accepting and closes the listening socket.
    func stop(on loop: SocketLoop) {
        if watching { loop.unwatch(descriptor) }
        watching = false
        Glibc.close(descriptor)
    }
}

/// What the listener does when `accept` fails (docs/security.md, "Local clients"). Out of
/// descriptors (EMFILE, ENFILE) or memory, the kernel keeps the pending connection queued and
/// reports the socket readable again at once: retrying at once spins a core at 100% (22,297
/// failed accepts in 3 s, measured). After a failure the listener leaves the epoll set and
/// returns `delay` later; the waiting clients stay queued and are served once descriptors are
/// free again.
struct AcceptBackoff {
    /// Between attempts while `accept` keeps failing.
    static let delayNanoseconds: UInt64 = 1_000_000_000
    /// Failures are logged at most this often (each attempt fails again while exhausted).
    static let logIntervalNanoseconds: UInt64 = 30_000_000_000

    private let logger: Logger
    private(set) var resumeAt: UInt64?
    private var lastLogged: UInt64?
    private var unlogged = 0

    init(logger: Logger) { self.logger = logger }

    mutating func failed(_ error: CInt) {
        let now = MonotonicClock.nanoseconds()
        resumeAt = now + Self.delayNanoseconds
        if let lastLogged, now - lastLogged < Self.logIntervalNanoseconds {
            unlogged += 1
            return
        }
        logger.warning("unix socket accept failed; not accepting for \(Self.delayNanoseconds / 1_000_000) ms",
                       metadata: ["error": "\(SocketErrno.describe(error))", "failures_since_last_warning": "\(unlogged)"])
        lastLogged = now
        unlogged = 0
    }

    mutating func resumed() { resumeAt = nil }
}
