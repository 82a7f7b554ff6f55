import A2ALRPC
import Logging
import NIOCore

/// The inbound side of one admitted connection: frames lines for the receiver `accept` returns,
/// and tells it exactly once that the connection is gone.
final class LineConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: PeerCredentials?
    private let accept: @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver
    private let closeGrace: TimeAmount
    private let logger: Logger
    private var framer: LineFramer
    private var connection: (sink: ChannelLineSink, receiver: any LineReceiver)?
    /// Set after a line was too long: the rest of the input is read and dropped, never buffered.
    private var discarding = false
    private var closeReported = false

    init(peer: PeerCredentials?, maxLineBytes: Int, closeGrace: TimeAmount, logger: Logger,
         accept: @escaping @Sendable (PeerCredentials?, any LineSink) -> any LineReceiver) {
        self.peer = peer
        self.accept = accept
        self.closeGrace = closeGrace
        self.logger = logger
        self.framer = LineFramer(maxLineBytes: maxLineBytes)
    }

    func channelActive(context: ChannelHandlerContext) {
        let sink = ChannelLineSink(channel: context.channel, closeGrace: closeGrace)
        connection = (sink, accept(peer, sink))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After an overflow, or once the receiver closed its sink, input is read and dropped.
        guard let connection, !discarding, !connection.sink.isClosed else { return }
        let buffer = Self.unwrapInboundIn(data)
        let outcome = buffer.withUnsafeReadableBytes { bytes in
            framer.feed(bytes) { line in
                // Once the receiver closed its sink, nothing more would be answered.
                guard !connection.sink.isClosed else { return false }
                connection.receiver.receive(line: line)
                return true
            }
        }
        if outcome == .tooLong {
            discarding = true
            logger.debug("client line too long", metadata: ["limit": "\(framer.maxLineBytes)"])
            connection.receiver.lineTooLong(limit: framer.maxLineBytes)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection, !closeReported {
            closeReported = true
            connection.sink.markClosed()
            connection.receiver.connectionClosed()
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            if let connection, !discarding, !connection.sink.isClosed {
                if let last = framer.takeUnterminated() { connection.receiver.receive(line: last) }
                connection.receiver.inputEnded()
            } else {
                context.close(promise: nil)
            }
            return
        }
        if event is ChannelShouldQuiesceEvent {
            if let connection {
                connection.sink.close()
            } else {
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("client connection failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
