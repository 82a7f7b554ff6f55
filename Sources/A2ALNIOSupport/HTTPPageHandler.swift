import NIOCore
import NIOHTTP1

/// One answer of an HTTP listener.
public struct HTTPPage: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]
    /// Written after Content-Type and Content-Length (e.g. `Allow` on a 405).
    public var extraHeaders: [(String, String)]

    public init(status: HTTPResponseStatus, contentType: String, body: [UInt8], extraHeaders: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// A `text/plain` page, as Go's `http.Error` and `http.NotFound` write them.
    public static func text(_ status: HTTPResponseStatus, _ text: String, extraHeaders: [(String, String)] = []) -> HTTPPage {
        HTTPPage(status: status, contentType: textContentType, body: Array(text.utf8), extraHeaders: extraHeaders)
    }

    public static let textContentType = "text/plain; charset=utf-8"
}

/// Answers one connection's requests for the project's HTTP listeners (debug pages, metrics).
/// Runs behind NIO's HTTP/1 server pipeline, which decodes, serialises pipelined requests and
/// answers malformed ones with 400.
///
/// Headers mirror Go's `net/http`: `Content-Length` on every response (clients can reuse the
/// connection without chunking), `X-Content-Type-Options: nosniff` on error pages as
/// `http.Error` sets it, and keep-alive as the request asks. A body beyond `maxBodyBytes` gets
/// 413 and a closed connection.
final class HTTPPageHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let payloadTooLargeBody = "request body too large\n"
    static let querySeparator: Character = "?"

    /// The page for a request's method and path (without its query string).
    typealias Answer = @Sendable (_ method: HTTPMethod, _ path: String) -> HTTPPage

    private let answer: Answer
    private let maxBodyBytes: Int
    private var request: HTTPRequestHead?
    private var bodyBytes = 0
    /// Set once a request was answered before its end (body too large): what remains of it is
    /// ignored and the connection closes, since the unread body would corrupt the next request.
    private var rejected = false

    init(maxBodyBytes: Int, answer: @escaping Answer) {
        self.maxBodyBytes = maxBodyBytes
        self.answer = answer
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
            respond(context, to: head, answer(head.method, path), close: !head.isKeepAlive)
        }
    }

    private func reject(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        rejected = true
        respond(context, to: head, .text(.payloadTooLarge, Self.payloadTooLargeBody), close: true)
    }

    private func respond(_ context: ChannelHandlerContext, to head: HTTPRequestHead, _ page: HTTPPage, close: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: page.contentType)
        headers.add(name: "Content-Length", value: String(page.body.count))
        for (name, value) in page.extraHeaders { headers.add(name: name, value: value) }
        if page.status != .ok { headers.add(name: "X-Content-Type-Options", value: "nosniff") }
        if close {
            headers.add(name: "Connection", value: "close")
        } else if head.version == .http1_0 {
            // HTTP/1.0 closes by default; confirm the keep-alive the client asked for.
            headers.add(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: page.status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        // A HEAD answer states the length but carries no body, or the next response would desync.
        if head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: page.body)
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
