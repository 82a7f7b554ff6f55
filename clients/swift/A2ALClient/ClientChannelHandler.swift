import NIOCore

/// The end of the client's pipeline: hands each line to the core and ends everything when
/// the connection does.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ClientCore

    init(core: ClientCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let fault = core.receive(unwrapInboundIn(data)) {
            core.closeAll(.protocolViolation(fault))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.closeAll(.connectionClosed("the daemon closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tooLong = error as? ReplyLineDecoder.LineTooLong {
            core.closeAll(.protocolViolation(tooLong.description))
        } else {
            core.closeAll(.connectionClosed("\(error)"))
        }
        context.close(promise: nil)
    }
}
