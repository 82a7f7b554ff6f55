import NIOCore

/// Cuts the daemon's byte stream into lines (without '\n' and an optional '\r'), refusing a
/// line longer than `maxLineBytes` so a misbehaving peer cannot make the client buffer without
/// bound.
struct ReplyLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLineBytes: Int
    /// Where the search for '\n' resumes, so a long line arriving in many reads is scanned once.
    private var scanned = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let from = view.startIndex + min(scanned, view.count)
        guard let newline = view[from...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if view.count > maxLineBytes + 1 { throw LineTooLong(limit: maxLineBytes) }
            return .needMoreData
        }
        let length = newline - view.startIndex
        if length > maxLineBytes + 1 { throw LineTooLong(limit: maxLineBytes) }
        guard var line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        if line.readableBytesView.last == UInt8(ascii: "\r") { line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1) ?? line }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // The daemon ends every reply with '\n'; bytes after the last one are an unfinished
        // line of a connection that died, so they are dropped.
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    struct LineTooLong: Error, CustomStringConvertible {
        let limit: Int
        var description: String { "a line from the daemon exceeded \(limit) bytes" }
    }
}
