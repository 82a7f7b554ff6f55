import A2ALRPC
import Logging

import CLinuxEvents
#if canImport(Glibc)
import Glibc
#endif

/// One admitted connection, on its loop's thread only: reads and frames lines for the
/// receiver `accept` returned, tells it exactly once that the connection is gone, and holds it
/// to its `OutputBudget` (docs/jsonrpc.md, "Framing and protocol"; docs/security.md, "Local
/// clients").
///
/// Back-pressure: once a line leaves the unsent output past `budget.highWater`, no more of the
/// connection's requests are framed and the socket is taken out of the read set; the kernel's
/// buffer fills and the client's writes block. When the output drains to `budget.lowWater`
/// framing resumes with the held bytes. A connection that stays paused for
/// `budget.stallTimeout` is closed.
final class SocketConnection {
    static let readEvents = UInt32(EPOLLIN.rawValue)
    static let writeEvents = UInt32(EPOLLOUT.rawValue)

    let token: UInt64
    let descriptor: CInt
    let sink: SocketLineSink
    private let peer: PeerCredentials?
    /// Strong: the loop drops the connection when it closes (`closeNow`), which ends the
    /// cycle; an unowned or weak reference costs a side-table check on every use.
    private let loop: SocketLoop
    private var receiver: (any LineReceiver)?
    private var framer: LineFramer
    /// Set after a line was too long: the rest of the input is read and dropped, never buffered.
    private var discarding = false
    private var closed = false
    /// The client ended its input (read returned 0): the socket is no longer read.
    private var inputEnded = false
    /// Reading is paused: the client's unread replies are past the budget.
    private var paused = false
    /// Input read but not yet framed because framing paused in the middle of it.
    private var held: [UInt8] = []
    /// The client ended its input while lines were still held.
    private var inputEndedWhileHeld = false
    /// When a paused connection is closed for not reading its replies.
    private var stallDeadline: UInt64?
    /// When a closing connection is cut even though its output has not drained.
    private var closeDeadline: UInt64?
    /// Replies are held until the loop's wake-up is done (`SocketLoop.uncorkAll`).
    var corked = false
    /// The epoll events registered now.
    private var interest = SocketConnection.readEvents
    /// The socket's receive timeout is set, so a blocking `recv` of it ends.
    private let waitIsBounded: Bool

    init(token: UInt64, descriptor: CInt, peer: PeerCredentials?, loop: SocketLoop) {
        self.token = token
        self.descriptor = descriptor
        self.peer = peer
        self.loop = loop
        framer = LineFramer(maxLineBytes: loop.settings.maxLineBytes)
        // The inbox, not the loop: a sink outlives its connection in whatever holds it.
        let inbox = loop.inbox
        sink = SocketLineSink(descriptor: descriptor) { inbox.post(.service(token)) }
        // Bounds how long `SocketLoop.serveAlone` waits in `recv` before it looks at the loop
        // again; a connection whose wait could not be bounded is never waited on so.
        waitIsBounded = a2al_set_receive_timeout(descriptor, SocketLoop.soloReadTimeoutMicroseconds) == 0
    }

    /// Creates the receiver; the connection is in the epoll set by now.
    func start() {
        receiver = loop.settings.accept(peer, sink)
    }

    /// The earlier of the stall and close deadlines.
    var deadline: UInt64? {
        guard let stall = stallDeadline else { return closeDeadline }
        return min(stall, closeDeadline ?? stall)
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & UInt32(EPOLLIN.rawValue) != 0 { readAvailable() }
        if closed { return }
        if events & UInt32(EPOLLOUT.rawValue) != 0 { sink.writable() }
        if events & (UInt32(EPOLLERR.rawValue) | UInt32(EPOLLHUP.rawValue)) != 0 {
            // The client is gone in both directions: nothing more can be read or answered.
            closeNow()
            return
        }
        if !corked { settle() }  // else once the replies are written (`uncork`)
    }

    private func readAvailable() {
        corkForThisWakeUp()
        for _ in 0..<loop.settings.readsPerWakeup {
            guard !paused, !inputEnded, !closed else { return }
            switch read(flags: Int32(MSG_DONTWAIT)) {
            case .full, .interrupted: continue
            case .some, .none, .ended: return
            }
        }
    }

    /// The replies go out once the loop has read every connection this wake-up reported
    /// (`SocketLoop.uncorkAll`), so the clients they wake do not interrupt the work.
    private func corkForThisWakeUp() {
        guard !corked else { return }
        corked = true
        sink.cork()
        loop.corked.append(self)
    }

    private enum ReadOutcome {
        /// Bytes read and framed; `full` when they filled the buffer (more are likely waiting).
        case some, full
        /// Nothing to read (or, waiting, nothing came within the receive timeout).
        case none
        case interrupted
        /// End of input, or the connection failed and is closed.
        case ended
    }

    /// One `recv` into the loop's buffer, framed; end of input and failures handled.
    private func read(flags: Int32) -> ReadOutcome {
        let buffer = loop.readBuffer
        guard let base = buffer.baseAddress else { return .none }
        let count = Glibc.recv(descriptor, base, buffer.count, flags)
        if count > 0 {
            consume(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            return count < buffer.count ? .some : .full
        }
        if count == 0 {
            inputEnded = true
            if !held.isEmpty {
                // The held lines come first; end of input is handled once they are framed.
                inputEndedWhileHeld = true
            } else {
                endOfInput()
            }
            return .ended
        }
        let error = errno
        if error == EINTR { return .interrupted }
        if error == EAGAIN || error == EWOULDBLOCK { return .none }
        loop.logger.debug("client connection failed", metadata: ["error": "\(SocketErrno.describe(error))"])
        closeNow()
        return .ended
    }

    // MARK: Waiting on the one connection

    /// Whether the loop may wait for this connection's next request in `recv` itself rather
    /// than in `epoll_wait` (`SocketLoop.serveAlone`): it is being read normally, owes the
    /// loop nothing (no held input, no blocked or closing output) and has no deadline. The
    /// sink's state needs no look here: `settle` has just acted on it, and whatever changes it
    /// later (a reply from another thread filling the socket, a close) queues a command,
    /// which ends the wait.
    var canWaitAlone: Bool {
        waitIsBounded && !closed && !paused && !inputEnded && !discarding && !corked && held.isEmpty
            && deadline == nil && receiver != nil && interest == Self.readEvents
    }

    /// Waits (at most the socket's receive timeout) for the next request and frames it; its
    /// replies are held until the loop uncorks. True when a request came (or a signal cut the
    /// wait short), so waiting again may pay.
    func waitAlone() -> Bool {
        corkForThisWakeUp()
        switch read(flags: 0) {
        case .some, .full, .interrupted: return true
        case .none, .ended: return false
        }
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        // After an overflow, or once the receiver closed its sink, input is read and dropped.
        guard !discarding, !sink.isClosed else { return }
        if paused || !held.isEmpty {
            held.append(contentsOf: bytes)
            return
        }
        frame(bytes)
    }

    /// Delivers the complete lines in `bytes`, stopping (and holding the rest) as soon as a
    /// line leaves the connection's output past its budget.
    private func frame(_ bytes: UnsafeRawBufferPointer) {
        guard let receiver else { return }
        let sink = sink
        let highWater = loop.settings.budget.highWater
        let outcome = framer.feed(bytes) { line in
            // Once the receiver closed its sink, nothing more would be answered.
            guard !sink.isClosed else { return false }
            receiver.receive(line: line)
            // Corked replies are written now rather than counted against the budget.
            return sink.unsentBytes <= highWater || sink.flushNow() <= highWater
        }
        switch outcome {
        case .consumed:
            return
        case .tooLong:
            discarding = true
            loop.logger.debug("client line too long", metadata: ["limit": "\(framer.maxLineBytes)"])
            receiver.lineTooLong(limit: framer.maxLineBytes)
        case .stopped(let consumed):
            guard !sink.isClosed else { return }
            held.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
            pause()
        }
    }

    /// The client half-closed and every line it sent has been framed.
    private func endOfInput() {
        guard let receiver, !discarding, !sink.isClosed else {
            sink.close()
            return
        }
        if let last = framer.takeUnterminated() { receiver.receive(line: last) }
        receiver.inputEnded()
    }

    /// Writes what this wake-up's reads produced, then settles the connection.
    func uncork() {
        corked = false
        sink.uncork()
        settle()
    }

    // MARK: Back-pressure

    private func pause() {
        guard !paused else { return }
        paused = true
        stallDeadline = MonotonicClock.nanoseconds() + loop.settings.budget.stallTimeoutNanoseconds
        loop.timed.insert(token)
    }

    private func resume() {
        paused = false
        stallDeadline = nil
        if !held.isEmpty {
            let pending = held
            held = []
            if !corked { sink.cork() }
            pending.withUnsafeBytes { frame($0) }
            if !corked { sink.uncork() }
            if paused { return }  // the held lines alone filled the budget again
        }
        if inputEndedWhileHeld {
            inputEndedWhileHeld = false
            endOfInput()
        }
    }

    // MARK: State

    /// Acts on what the sink reports and brings the epoll interest up to date. Called after
    /// every event on the connection and when the sink asks for it.
    func settle() {
        guard !closed else { return }
        var status = sink.status
        if status.failed {
            closeNow()
            return
        }
        if paused, sink.watchDrain(to: loop.settings.budget.lowWater) {
            resume()
            if closed { return }
            status = sink.status
        }
        if status.closeRequested {
            if status.unsent == 0 {
                closeNow()
                return
            }
            if closeDeadline == nil {
                closeDeadline = MonotonicClock.nanoseconds() + loop.settings.closeGraceNanoseconds
                loop.timed.insert(token)
            }
        }
        var wanted: UInt32 = 0
        if !paused && !inputEnded { wanted |= Self.readEvents }
        if status.writeBlocked { wanted |= Self.writeEvents }
        if wanted != interest {
            interest = wanted
            loop.rewatch(descriptor, token: token, events: wanted)
        }
        if deadline == nil { loop.timed.remove(token) }
    }

    func deadlinePassed(now: UInt64) {
        if let stallDeadline, paused, stallDeadline <= now {
            loop.logger.notice("closing rpc connection: client not reading its replies", metadata: [
                "unsent_bytes": "\(sink.unsentBytes)",
                "stalled_ms": "\(loop.settings.budget.stallTimeoutNanoseconds / 1_000_000)",
            ])
            closeNow()
            return
        }
        if let closeDeadline, closeDeadline <= now {
            closeNow()
            return
        }
        if deadline == nil { loop.timed.remove(token) }
    }

    /// The server is stopping: calls still running are answered `unavailable` before the close
    /// (docs/jsonrpc.md, "Errors"); the sink closes after those lines are out.
    func quiesce() {
        guard !closed else { return }
        receiver?.shutdown()
        sink.close()
        settle()
    }

    /// Closes the descriptor and tells the receiver, once.
    func closeNow() {
        guard !closed else { return }
        closed = true
        loop.unwatch(descriptor)
        sink.detach()
        Glibc.close(descriptor)
        loop.connections[token] = nil
        loop.timed.remove(token)
        held = []
        receiver?.connectionClosed()
        receiver = nil
        loop.connectionGone()
    }
}
