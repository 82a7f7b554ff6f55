import NIOCore

/// Serves a connection refused for capacity: one line, then close. Input is read and dropped,
/// so closing does not find unread bytes (which would reset the connection instead of ending
/// it cleanly after the line).
final class OverCapacityHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let line: [UInt8]

    init(line: [UInt8]) {
        self.line = line
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: line.count + 1)
        buffer.writeBytes(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        let channel = context.channel
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
