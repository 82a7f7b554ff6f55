import A2ALDHT
import NIOCore
import NIOHTTP1

/// Answers one connection's requests with `DebugRoutes`. Runs behind NIO's HTTP/1 server
/// pipeline, which decodes, serialises pipelined requests and answers malformed ones with 400.
///
/// Headers mirror Go's `net/http`: `Content-Length` on every response (clients can reuse the
/// connection without chunking), `X-Content-Type-Options: nosniff` on error pages as
/// `http.Error` sets it, and keep-alive as the request asks.
final class DebugHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let payloadTooLargeBody = "request body too large\n"
    static let querySeparator: Character = "?"

    private let node: DHTNode
    private let maxBodyBytes: Int
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    /// Set once a request was answered before its end (body too large): what remains of it is
    /// ignored and the connection closes, since the unread body would corrupt the next request.
    private var rejected = false

    init(node: DHTNode, maxBodyBytes: Int) {
        self.node = node
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            bodyBytes = 0
            rejected = false
            // A declared oversize body is refused before any of it is read.
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > maxBodyBytes {
                reject(context, head)
            }
        case .body(let chunk):
            guard !rejected, let head = request else { return }
            bodyBytes += chunk.readableBytes
            if bodyBytes > maxBodyBytes { reject(context, head) }
        case .end:
            guard !rejected, let head = request else { return }
            request = nil
            // Routing is on the path alone, as Go's mux matches `URL.Path`.
            let path = head.uri.split(separator: Self.querySeparator, maxSplits: 1, omittingEmptySubsequences: false)
                .first.map(String.init) ?? head.uri
            let page = DebugRoutes.respond(method: head.method.rawValue, path: path, node: node)
            respond(context, to: head, status: page.status, contentType: page.contentType, body: page.body,
                    close: !head.isKeepAlive)
        }
    }

    private func reject(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        rejected = true
        respond(context, to: head, status: Int(HTTPResponseStatus.payloadTooLarge.code),
                contentType: DebugRoutes.textContentType, body: Self.payloadTooLargeBody, close: true)
    }

    private func respond(_ context: ChannelHandlerContext, to head: HTTPRequestHead, status: Int,
                         contentType: String, body: String, close: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        if status != Int(HTTPResponseStatus.ok.code) { headers.add(name: "X-Content-Type-Options", value: "nosniff") }
        if close {
            headers.add(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            // HTTP/1.0 closes by default; confirm the keep-alive the client asked for.
            headers.add(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: status),
                                            headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        // A HEAD answer states the length but carries no body, or the next response would desync.
        if head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(string: body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: sent)
        if close {
            let channel = context.channel
            sent.futureResult.whenComplete { _ in HTTPLingeringClose.close(channel) }
        }
    }

    /// The read-idle timeout fired: the client is gone or stalling.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Decoder errors were already answered (400) upstream; anything reaching here ends the
    /// connection.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
