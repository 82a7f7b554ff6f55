import A2ALRPC
import A2ALThreads
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// How other threads reach a `SocketLoop`: commands queued under a lock, and an eventfd the
/// loop's epoll set watches. Kept apart from the loop so that what holds it (every
/// connection's sink) holds nothing of the loop's: no reference cycle through the sessions
/// the loop's `accept` creates, and no weak reference on the loop's hot path.
final class SocketLoopInbox: Sendable {
    enum Command: Sendable {
        /// Serve a connection the listener accepted.
        case adopt(CInt, PeerCredentials?)
        /// A connection's sink wants attention (`SocketLineSink` says when).
        case service(UInt64)
        /// The server is stopping: every connection answers what it owes and closes.
        case quiesce
        /// Close every connection now (the close grace ran out).
        case closeAll
        /// Stop accepting and close the listening socket.
        case stopListening
        /// Close what is left and end the thread.
        case exit
    }

    private struct State {
        var commands: [Command] = []
        /// The loop has ended and its eventfd is closed: nothing more is queued.
        var closed = false
    }

    /// The eventfd the loop watches (non-blocking).
    let wakeFD: CInt
    private let registry: OpenCount
    private let state = SleepingLock(State())
    /// Commands are queued that the loop has not taken, so the eventfd was written: set by the
    /// first command of a wake-up (which writes it) and cleared when the loop takes them, both
    /// under the lock. Atomic so the loop waiting on a single connection can look without it.
    private let pending = Atomic<Bool>(false)

    init(wakeFD: CInt, registry: OpenCount) {
        self.wakeFD = wakeFD
        self.registry = registry
    }

    /// Queues `command` for the loop thread and wakes it. Any thread.
    func post(_ command: Command) {
        let queued = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.commands.append(command)
            if !pending.exchange(true, ordering: .acquiringAndReleasing) {
                // Under the lock, so never after `close` (which sets `closed` under it first);
                // one short non-blocking write per wake-up.
                var one: UInt64 = 1
                _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
            }
            return true
        }
        // The loop has ended (a server dropped without `stop()`): a connection handed to it
        // now is closed here rather than leaked.
        if !queued, case .adopt(let descriptor, _) = command { release(descriptor) }
    }

    /// Whether a command waits: the loop stops waiting on a single connection to take it.
    var hasCommands: Bool { pending.load(ordering: .acquiring) }

    /// The commands queued since the last call (loop thread).
    func take() -> [Command] {
        var counter: UInt64 = 0
        _ = Glibc.read(wakeFD, &counter, MemoryLayout<UInt64>.size)
        return state.withLock { s in
            pending.store(false, ordering: .releasing)
            defer { s.commands = [] }
            return s.commands
        }
    }

    /// The loop has ended: refuses later commands, closes connections still waiting to be
    /// adopted, and closes the eventfd.
    func close() {
        let left = state.withLock { s -> [Command] in
            s.closed = true
            defer { s.commands = [] }
            return s.commands
        }
        for case .adopt(let descriptor, _) in left { release(descriptor) }
        Glibc.close(wakeFD)
    }

    private func release(_ descriptor: CInt) {
        Glibc.close(descriptor)
        registry.release()
    }
}
