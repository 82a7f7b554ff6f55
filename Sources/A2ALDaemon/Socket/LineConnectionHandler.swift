import A2ALRPC
import Logging
import NIOCore

/// The inbound side of one admitted connection: frames lines for the receiver `accept` returns,
/// tells it exactly once that the connection is gone, and holds the connection to its
/// `OutputBudget` (the back-pressure half lives in `LineConnectionHandler+BackPressure.swift`).
final class LineConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let peer: PeerCredentials?
    private let accept: @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver
    private let closeGrace: TimeAmount
    let budget: OutputBudget
    let logger: Logger
    private var framer: LineFramer
    private(set) var connection: (sink: ChannelLineSink, receiver: any LineReceiver)?
    /// Set after a line was too long: the rest of the input is read and dropped, never buffered.
    private var discarding = false
    private var closeReported = false

    // Back-pressure state (see the extension).
    /// Reading is paused: the client's unread replies are past the budget.
    var paused = false
    /// NIO asked to read while paused; the read is issued on resume.
    var readPending = false
    /// Input read but not yet framed because reading paused in the middle of it.
    var held: ByteBuffer?
    /// The client ended its input while lines were still held.
    var inputEndedWhileHeld = false
    /// Closes the connection when it stays paused for the budget's stall timeout.
    var stallTimer: Scheduled<Void>?

    init(peer: PeerCredentials?, maxLineBytes: Int, closeGrace: TimeAmount, budget: OutputBudget, logger: Logger,
         accept: @escaping @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver) {
        self.peer = peer
        self.accept = accept
        self.closeGrace = closeGrace
        self.budget = budget
        self.logger = logger
        self.framer = LineFramer(maxLineBytes: maxLineBytes)
    }

    func channelActive(context: ChannelHandlerContext) {
        let sink = ChannelLineSink(channel: context.channel, closeGrace: closeGrace)
        connection = (sink, accept(peer, sink))
        // Weak: the sink outlives neither, and must not keep the pipeline alive.
        sink.onWriteCompleted { [weak self, weak context] in
            guard let self, let context else { return }
            self.outputDrained(context: context)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After an overflow, or once the receiver closed its sink, input is read and dropped.
        guard let connection, !discarding, !connection.sink.isClosed else { return }
        var buffer = Self.unwrapInboundIn(data)
        if paused || held != nil {
            hold(&buffer)
            return
        }
        frame(&buffer, context: context)
    }

    /// Delivers the complete lines in `buffer`, stopping (and holding the rest) as soon as a
    /// line leaves the connection's output past its budget.
    func frame(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        guard let connection else { return }
        let budget = budget
        let outcome = buffer.withUnsafeReadableBytes { bytes in
            framer.feed(bytes) { line in
                // Once the receiver closed its sink, nothing more would be answered.
                guard !connection.sink.isClosed else { return false }
                connection.receiver.receive(line: line)
                return connection.sink.unsentBytes <= budget.highWater
            }
        }
        switch outcome {
        case .consumed:
            return
        case .tooLong:
            discarding = true
            logger.debug("client line too long", metadata: ["limit": "\(framer.maxLineBytes)"])
            connection.receiver.lineTooLong(limit: framer.maxLineBytes)
        case .stopped(let consumed):
            guard !connection.sink.isClosed else { return }
            buffer.moveReaderIndex(forwardBy: consumed)
            hold(&buffer)
            pause(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stallTimer?.cancel()
        stallTimer = nil
        held = nil
        if let connection, !closeReported {
            closeReported = true
            connection.sink.markClosed()
            connection.receiver.connectionClosed()
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            if held != nil {
                // The held lines come first; end of input is handled once they are framed.
                inputEndedWhileHeld = true
            } else {
                endOfInput(context: context)
            }
            return
        }
        if event is ChannelShouldQuiesceEvent {
            if let connection {
                // Calls still running are answered `unavailable` before the close
                // (docs/jsonrpc.md, "Errors"); the sink closes after those lines are out.
                connection.receiver.shutdown()
                connection.sink.close()
            } else {
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The client half-closed and every line it sent has been framed.
    func endOfInput(context: ChannelHandlerContext) {
        if let connection, !discarding, !connection.sink.isClosed {
            if let last = framer.takeUnterminated() { connection.receiver.receive(line: last) }
            connection.receiver.inputEnded()
        } else {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("client connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
