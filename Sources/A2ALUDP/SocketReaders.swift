#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALDHT
import A2ALThreads
import Logging
import Synchronization

/// The threads that read the transport's socket and answer what they read, one per usable core
/// (docs/architecture.md, "Inbound workers").
///
/// Each `ReaderThread` reads the socket directly, so a datagram goes from the kernel to the
/// handler on one thread, with no hand-off between threads. The socket's state is theirs
/// together: a reader that meets a fatal read error drops its descriptor, the state turns
/// `.rebinding` and is reported; once every dead reader reads again on a fresh descriptor for
/// the same socket (same port, so no other process can take it in between) the state is `.up`
/// again and that counts as one rebind. Attempts repeat forever with `ReattachBackoff`.
final class SocketReaders: Sendable {
    typealias Deliver = ReaderThread.Deliver

    private struct State {
        var readers: [ReaderThread] = []
        /// What each reader handed over; kept after `close`, so the counts outlive the threads.
        var tallies: [ReaderTally] = []
        var threads: [pthread_t] = []
        var socketState: TransportStatistics.SocketState = .up
        var rebinds: UInt64 = 0
        var lastError: String?
        /// Readers without a descriptor right now.
        var dead = 0
        var failedAttempts = 0
        var closed = false
        var observer: (@Sendable (UDPTransport.StateChange) -> Void)?

        /// `count` more readers have no descriptor: the first death of an episode turns the
        /// state to `.rebinding`, which is the change to report.
        mutating func markDead(_ count: Int, reason: String) -> UDPTransport.StateChange? {
            dead += count
            lastError = reason
            guard socketState == .up else { return nil }
            socketState = .rebinding
            failedAttempts = 0
            return UDPTransport.StateChange(state: .rebinding, rebinds: rebinds, error: reason)
        }
    }

    private let socket: UDPSocket
    private let counters: UDPCounters
    private let logger: Logger
    private let state = SleepingLock(State())

    init(socket: UDPSocket, counters: UDPCounters, logger: Logger) {
        self.socket = socket
        self.counters = counters
        self.logger = logger
    }

    /// Starts `count` readers (at least one) that hand what they read to `deliver`. Throws when
    /// not even one could be started; fewer threads than asked are logged and run.
    func start(count: Int, _ deliver: @escaping Deliver) throws {
        var readers: [ReaderThread] = []
        var threads: [pthread_t] = []
        var failure: (any Error)?
        for _ in 0..<max(1, count) {
            do {
                let reader = try ReaderThread(socket: socket, counters: counters, tally: ReaderTally(), group: self,
                                              deliver: deliver)
                guard let thread = PosixThread.start({ reader.run() }) else {
                    failure = UDPSocketError(call: "pthread_create", errno: EAGAIN)
                    break
                }
                readers.append(reader)
                threads.append(thread)
            } catch {
                failure = error
                break
            }
        }
        if readers.isEmpty, let failure { throw failure }
        if let failure {
            logger.error("udp: fewer socket readers than cores", metadata: ["started": "\(readers.count)", "err": "\(failure)"])
        }
        let stillOpen = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.readers = readers
            s.threads = threads
            s.tallies = readers.map(\.tally)
            return true
        }
        if !stillOpen { Self.stop(readers, threads, wait: true) }
    }

    var readerCount: Int { state.withLock { $0.readers.count } }

    /// Datagrams each reader handed to the handler, also after `close`.
    var deliveredPerReader: [UInt64] {
        state.withLock { $0.tallies.map { $0.delivered.load(ordering: .relaxed) } }
    }

    /// Batches all readers handed over, also after `close`.
    var batches: UInt64 {
        state.withLock { $0.tallies.reduce(0) { $0 + $1.batches.load(ordering: .relaxed) } }
    }

    var snapshot: (state: TransportStatistics.SocketState, rebinds: UInt64, lastError: String?) {
        state.withLock { ($0.socketState, $0.rebinds, $0.lastError) }
    }

    func observe(_ observer: @escaping @Sendable (UDPTransport.StateChange) -> Void) {
        state.withLock { $0.observer = observer }
    }

    /// Makes every reader fail as on a fatal read error, all in one episode: counted dead
    /// together before any of them can re-attach (tests of the recovery path).
    func killAll() {
        let reason = "simulated fatal read error"
        let (readers, change) = state.withLock { s -> ([ReaderThread], UDPTransport.StateChange?) in
            guard !s.closed, !s.readers.isEmpty, s.socketState == .up, s.dead == 0 else { return ([], nil) }
            return (s.readers, s.markDead(s.readers.count, reason: reason))
        }
        guard let change else { return }
        reportDeath(change)
        for reader in readers { reader.kill() }
    }

    /// Stops the readers; with `wait`, waits for each to finish the batch in hand (a handler
    /// never blocks, so that is short). Without (deinit) the threads finish on their own.
    /// Idempotent.
    func close(wait: Bool) {
        let (readers, threads) = state.withLock { s -> ([ReaderThread], [pthread_t]) in
            s.closed = true
            s.socketState = .closed
            defer { s.readers = []; s.threads = [] }
            return (s.readers, s.threads)
        }
        Self.stop(readers, threads, wait: wait)
    }

    private static func stop(_ readers: [ReaderThread], _ threads: [pthread_t], wait: Bool) {
        for reader in readers { reader.stop() }
        for thread in threads {
            if wait { pthread_join(thread, nil) } else { pthread_detach(thread) }
        }
    }

    // MARK: Called by the readers

    func readerDied(_ reason: String) {
        counters.lastReceiveError.withLock { $0 = reason }
        let change = state.withLock { s in s.closed ? nil : s.markDead(1, reason: reason) }
        if let change { reportDeath(change) }
    }

    private func reportDeath(_ change: UDPTransport.StateChange) {
        logger.error("udp socket reader failed; re-establishing it", metadata: ["err": "\(change.error ?? "")"])
        notify(change)
    }

    func readerBack() {
        let change = state.withLock { s -> UDPTransport.StateChange? in
            guard !s.closed else { return nil }
            s.dead -= 1
            guard s.dead == 0 else { return nil }
            s.socketState = .up
            s.rebinds += 1
            return UDPTransport.StateChange(state: .up, rebinds: s.rebinds, error: nil)
        }
        guard let change else { return }
        logger.notice("udp socket reading again", metadata: ["rebinds": "\(change.rebinds)"])
        notify(change)
    }

    func reattachFailed(_ reason: String) {
        let (failures, rebinds) = state.withLock { s -> (Int, UInt64) in
            s.lastError = reason
            s.failedAttempts += 1
            return (s.failedAttempts, s.rebinds)
        }
        // Every failure is in lastError; the log gets the first and then one in 20.
        guard failures == 1 || failures % 20 == 0 else { return }
        logger.error("udp socket reader could not be re-established", metadata: ["err": "\(reason)", "attempts": "\(failures)"])
        notify(UDPTransport.StateChange(state: .rebinding, rebinds: rebinds, error: reason))
    }

    private func notify(_ change: UDPTransport.StateChange) {
        state.withLock { $0.observer }?(change)
    }
}

/// Datagrams one reader handed to the handler: the per-reader figure of the stats, and their
/// sum is `received`. One counter per reader, so readers on different cores never write the
/// same cache line for it.
final class ReaderTally: Sendable {
    let delivered = Atomic<UInt64>(0)
    /// Batches those datagrams came in.
    let batches = Atomic<UInt64>(0)
}
