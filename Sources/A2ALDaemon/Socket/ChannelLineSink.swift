import A2ALRPC
import NIOCore
import Synchronization

/// The outbound side of one connection. Any thread may send; the bytes are written on the
/// channel's event loop in the order the sends reached it, and flushed once per loop turn
/// however many lines arrived in it. It counts the bytes not yet handed to the kernel, which
/// the connection handler holds against its `OutputBudget` (docs/security.md, "Local clients").
final class ChannelLineSink: LineSink {
    /// State only the event loop touches.
    private struct LoopState {
        var flushScheduled = false
        /// Set once `close()` reached the loop: later writes are dropped.
        var closing = false
        /// The most recent write; NIO completes writes in order, so when this one is done, all are.
        var lastWrite: EventLoopFuture<Void>?
        /// Told on the loop after each write that completed (the handler resumes reading).
        var writeCompleted: (() -> Void)?
    }

    private let channel: any Channel
    private let closeGrace: TimeAmount
    private let unsent = Atomic<Int>(0)
    private let unsentByteCount = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let loopState: NIOLoopBoundBox<LoopState>

    /// Must be created on the channel's event loop.
    init(channel: any Channel, closeGrace: TimeAmount) {
        self.channel = channel
        self.closeGrace = closeGrace
        self.loopState = NIOLoopBoundBox(LoopState(), eventLoop: channel.eventLoop)
    }

    var backlog: Int { unsent.load(ordering: .relaxed) }

    /// Bytes sent and not yet written to the kernel (or dropped).
    var unsentBytes: Int { unsentByteCount.load(ordering: .relaxed) }

    /// Sets what to call on the loop after each completed write. Call on the loop.
    func onWriteCompleted(_ observer: @escaping () -> Void) {
        loopState.value.writeCompleted = observer
    }

    /// Whether `close()` was called or the connection is gone.
    var isClosed: Bool { closed.load(ordering: .acquiring) }

    func send(_ line: [UInt8]) {
        guard !isClosed else { return }
        var framed = channel.allocator.buffer(capacity: line.count + 1)
        framed.writeBytes(line)
        framed.writeInteger(UInt8(ascii: "\n"))
        let buffer = framed
        unsent.add(1, ordering: .relaxed)
        unsentByteCount.add(buffer.readableBytes, ordering: .relaxed)
        // Always through `execute`, even on the loop: a direct write from the loop could
        // overtake lines other threads queued earlier.
        channel.eventLoop.execute { self.write(buffer) }
    }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        channel.eventLoop.execute { self.closeAfterPendingWrites() }
    }

    /// The connection went away: later sends are dropped at once.
    func markClosed() {
        closed.store(true, ordering: .releasing)
    }

    private func write(_ buffer: ByteBuffer) {
        let size = buffer.readableBytes
        guard !loopState.value.closing else {
            unsent.subtract(1, ordering: .relaxed)
            unsentByteCount.subtract(size, ordering: .relaxed)
            return
        }
        let written = channel.write(buffer)
        written.whenComplete { _ in
            self.unsent.subtract(1, ordering: .relaxed)
            self.unsentByteCount.subtract(size, ordering: .relaxed)
            self.loopState.value.writeCompleted?()
        }
        loopState.value.lastWrite = written
        guard !loopState.value.flushScheduled else { return }
        loopState.value.flushScheduled = true
        channel.eventLoop.execute {
            self.loopState.value.flushScheduled = false
            self.channel.flush()
        }
    }

    /// Flushes what is queued and closes when the last write is out; a peer that stops reading
    /// gets `closeGrace` before the connection is cut anyway.
    private func closeAfterPendingWrites() {
        loopState.value.closing = true
        let channel = self.channel
        guard let last = loopState.value.lastWrite else {
            channel.close(promise: nil)
            return
        }
        channel.flush()
        let deadline = channel.eventLoop.scheduleTask(in: closeGrace) { channel.close(promise: nil) }
        last.whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }
}
