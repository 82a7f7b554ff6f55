import A2ALRPC
import NIOCore

/// The client's whole pipeline: frames the daemon's bytes into lines (the same `LineFramer` the
/// daemon frames requests with), hands each to the core, and ends everything when the
/// connection does.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ClientCore
    private var framer: LineFramer

    init(core: ClientCore, maxLineBytes: Int) {
        self.core = core
        self.framer = LineFramer(maxLineBytes: maxLineBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var fault: String?
        let outcome = unwrapInboundIn(data).withUnsafeReadableBytes { bytes in
            framer.feed(bytes) { line in
                fault = core.receive(line)
                return fault == nil
            }
        }
        if outcome == .tooLong { fault = "a line from the daemon exceeded \(framer.maxLineBytes) bytes" }
        if let fault {
            core.closeAll(.protocolViolation(fault))
            context.close(promise: nil)
        }
        // The daemon ends every reply with '\n'; bytes after the last one when the connection
        // ends belong to a line that never finished, so they are dropped with the framer.
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.closeAll(.connectionClosed("the daemon closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.closeAll(.connectionClosed("\(error)"))
        context.close(promise: nil)
    }
}
