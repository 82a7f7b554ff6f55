import A2ALUDP
import NIOCore
import NIOHTTP1

/// Answers one connection of the metrics listener (docs/metrics.md): `GET /metrics` (and
/// HEAD) gets the exposition, any other path 404, any other method 405. A request must not
/// carry a body beyond `maxBodyBytes` (413, then the connection closes). Runs behind NIO's
/// HTTP/1 server pipeline, which answers malformed requests with 400.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let path = "/metrics"

    private let render: @Sendable () -> [UInt8]
    private let maxBodyBytes: Int
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    /// Set once a request was answered before its end: the rest of it is ignored and the
    /// connection closes, since the unread body would be taken for the next request.
    private var rejected = false

    init(maxBodyBytes: Int, render: @escaping @Sendable () -> [UInt8]) {
        self.maxBodyBytes = maxBodyBytes
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            bodyBytes = 0
            rejected = false
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
            answer(context, head)
        }
    }

    private func answer(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        let close = !head.isKeepAlive
        guard path == Self.path else {
            return respond(context, head, .notFound, text: "404 page not found\n", close: close)
        }
        guard head.method == .GET || head.method == .HEAD else {
            return respond(context, head, .methodNotAllowed, text: "method not allowed\n", close: close,
                           extra: [("Allow", "GET, HEAD")])
        }
        respond(context, head, .ok, body: render(), contentType: DaemonMetrics.contentType, close: close)
    }

    private func reject(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        rejected = true
        respond(context, head, .payloadTooLarge, text: "request body too large\n", close: true)
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus,
                         text: String, close: Bool, extra: [(String, String)] = []) {
        respond(context, head, status, body: Array(text.utf8), contentType: "text/plain; charset=utf-8", close: close,
                extra: extra + [("X-Content-Type-Options", "nosniff")])
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus,
                         body: [UInt8], contentType: String, close: Bool, extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in extra { headers.add(name: name, value: value) }
        if close {
            headers.add(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
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

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
