import A2ALRPC
import A2ALThreads

#if canImport(Glibc)
import Glibc
#endif

/// The outbound side of one JSON-RPC connection (docs/architecture.md, "The JSON-RPC socket").
///
/// Any thread may send. Lines go out in the order their `send` took the lock, and the thread
/// that sends writes them to the socket itself when it can: a reply produced on a handler's
/// thread costs one `send(2)` and no hand-off. While the connection's loop thread frames a
/// read (`cork`) lines are only queued, so all replies to what one read brought go out in one
/// write when it is done (`uncork`). When the kernel's buffer is full the rest waits for the
/// loop to see the socket writable again. The bytes not yet handed to the kernel are what the
/// loop holds against the connection's `OutputBudget`.
///
/// The loop is told (through `notify`) only of what it must act on: the socket went full, a
/// write failed, a paused connection drained to its low-water mark, a close was asked for.
final class SocketLineSink: LineSink {
    private struct State {
        /// Queued bytes; `buffer[head...]` is not yet written.
        var buffer: [UInt8] = []
        var head = 0
        /// Bytes queued and bytes written since the start, to count whole lines still unsent.
        var queuedTotal = 0
        var writtenTotal = 0
        /// `queuedTotal` at the end of each line not yet fully written, oldest first.
        var lineEnds: [Int] = []
        var lineHead = 0
        /// The loop is framing a read: queue only, it writes when done.
        var corked = false
        /// The kernel's buffer was full; the loop writes again once the socket is writable.
        var writeBlocked = false
        /// A write failed: the connection is dead, nothing more is written.
        var failed = false
        /// No more lines are taken (`close()` or `markClosed()`).
        var closed = false
        /// `close()` was called: the connection closes once what is queued is written.
        var closeRequested = false
        /// The loop closed the descriptor: nothing may touch it any more.
        var detached = false
        /// When set, the loop is told once the unsent bytes fall to this many.
        var drainMark: Int?

        var unsent: Int { queuedTotal - writtenTotal }
    }

    private let descriptor: CInt
    private let state = SleepingLock(State())
    private let notify: @Sendable () -> Void

    /// `notify` asks the connection's loop to look at this sink (`SocketLoop.service`).
    init(descriptor: CInt, notify: @escaping @Sendable () -> Void) {
        self.descriptor = descriptor
        self.notify = notify
    }

    // MARK: LineSink

    func send(_ line: [UInt8]) {
        let wake = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.buffer.append(contentsOf: line)
            s.buffer.append(UInt8(ascii: "\n"))
            s.queuedTotal += line.count + 1
            s.lineEnds.append(s.queuedTotal)
            guard !s.corked, !s.writeBlocked, !s.failed, !s.detached else { return false }
            return flush(&s)
        }
        if wake { notify() }
    }

    var backlog: Int { state.withLock { $0.lineEnds.count - $0.lineHead } }

    func close() {
        let fresh = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.closed = true
            s.closeRequested = true
            return true
        }
        if fresh { notify() }
    }

    // MARK: For the loop

    /// Bytes sent and not yet handed to the kernel (or dropped).
    var unsentBytes: Int { state.withLock { $0.unsent } }

    /// Whether `close()` was called or the connection is gone.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// What the loop needs to decide about the connection, read at once.
    struct Status {
        var unsent: Int
        var writeBlocked: Bool
        var failed: Bool
        var closeRequested: Bool
    }

    var status: Status {
        state.withLock { Status(unsent: $0.unsent, writeBlocked: $0.writeBlocked, failed: $0.failed,
                                closeRequested: $0.closeRequested) }
    }

    /// The connection went away: later sends are dropped at once.
    func markClosed() {
        state.withLock { $0.closed = true }
    }

    /// Queue only until `uncork`.
    func cork() {
        state.withLock { $0.corked = true }
    }

    /// Writes what was queued while corked.
    func uncork() {
        state.withLock { s in
            s.corked = false
            if !s.writeBlocked { _ = flush(&s) }
        }
    }

    /// Writes now, even while corked (a pipelining client's replies passed the budget); the
    /// bytes still unsent after it.
    func flushNow() -> Int {
        state.withLock { s in
            if !s.writeBlocked { _ = flush(&s) }
            return s.unsent
        }
    }

    /// The socket is writable again.
    func writable() {
        state.withLock { s in
            s.writeBlocked = false
            _ = flush(&s)
        }
    }

    /// Asks to be told once the unsent bytes are at most `mark`; true when they already are.
    func watchDrain(to mark: Int) -> Bool {
        state.withLock { s in
            if s.unsent <= mark {
                s.drainMark = nil
                return true
            }
            s.drainMark = mark
            return false
        }
    }

    /// The loop is about to close the descriptor: no thread writes to it from now on.
    func detach() {
        state.withLock { s in
            s.closed = true
            s.detached = true
            s.buffer = []
            s.head = 0
            s.writtenTotal = s.queuedTotal
            s.lineEnds = []
            s.lineHead = 0
        }
    }

    // MARK: Writing

    /// Writes as much of the queue as the kernel takes. Returns whether the loop must look at
    /// the connection: the socket filled, a write failed, the drain mark was reached, or a
    /// requested close can now proceed.
    private func flush(_ s: inout State) -> Bool {
        guard !s.failed, !s.detached else { return false }
        var wake = false
        while s.head < s.buffer.count {
            let head = s.head
            let written = s.buffer.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return Glibc.send(descriptor, base + head, raw.count - head, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if written > 0 {
                s.head += written
                s.writtenTotal += written
                continue
            }
            let error = errno
            if written < 0 && error == EINTR { continue }
            if written < 0 && (error == EAGAIN || error == EWOULDBLOCK) {
                s.writeBlocked = true
            } else {
                // EPIPE, ECONNRESET: the client is gone; the loop closes the connection.
                s.failed = true
                s.writtenTotal = s.queuedTotal
            }
            wake = true
            break
        }
        if s.head == s.buffer.count {
            s.buffer.removeAll(keepingCapacity: s.buffer.capacity <= 1 << 16)
            s.head = 0
        } else if s.head >= 1 << 16 && s.head * 2 >= s.buffer.count {
            s.buffer.removeFirst(s.head)
            s.head = 0
        }
        while s.lineHead < s.lineEnds.count, s.lineEnds[s.lineHead] <= s.writtenTotal { s.lineHead += 1 }
        if s.lineHead == s.lineEnds.count {
            s.lineEnds.removeAll(keepingCapacity: true)
            s.lineHead = 0
        } else if s.lineHead >= 1024 {
            s.lineEnds.removeFirst(s.lineHead)
            s.lineHead = 0
        }
        if let mark = s.drainMark, s.unsent <= mark {
            s.drainMark = nil
            wake = true
        }
        if s.closeRequested && s.unsent == 0 { wake = true }
        return wake
    }
}
