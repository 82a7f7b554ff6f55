import A2ALNIOSupport
import NIOCore
import NIOHTTP1

/// The opt-in Prometheus listener (`--metrics host:port`, docs/metrics.md). Nothing
/// authenticates a scraper, so bind loopback (127.0.0.1) unless the network is trusted.
///
/// It must not become a way to hurt the daemon: at most `maxConnections` at once (others are
/// closed on accept), a connection that sends nothing for `readIdleTimeout` is closed,
/// headers are capped at `maxHeaderBytes` and request bodies at `maxRequestBodyBytes` (413).
/// `GET /metrics` (and HEAD) gets the exposition, any other path 404, any other method 405.
/// Rendering runs on the daemon's event loop and only reads counters and table sizes.
final class MetricsHTTPServer: Sendable {
    static let path = "/metrics"
    static let maxConnections = 16
    static let maxHeaderBytes = 8 * 1024
    /// `GET` carries no body; a little slack for odd clients.
    static let maxRequestBodyBytes = 1024
    static let readIdleTimeout: TimeAmount = .seconds(10)
    static let shutdownGrace: TimeAmount = .seconds(2)
    static let limits = HTTPListener.Limits(maxConnections: maxConnections, maxHeaderBytes: maxHeaderBytes,
                                            maxRequestBodyBytes: maxRequestBodyBytes,
                                            readIdleTimeout: readIdleTimeout, backlog: 16)

    /// The address actually bound ("127.0.0.1:PORT"; the port is real when 0 was asked for).
    let boundAddress: String
    private let listener: HTTPListener

    private init(listener: HTTPListener, boundAddress: String) {
        self.listener = listener
        self.boundAddress = boundAddress
    }

    /// Binds `host:port`; errors name the address (`MetricsServerError`).
    static func start(host: String, port: Int, group: any EventLoopGroup,
                      render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsHTTPServer {
        let listener: HTTPListener
        do {
            listener = try await HTTPListener.start(host: host, port: port, group: group, limits: limits) {
                method, path in page(method: method, path: path, render: render)
            }
        } catch {
            throw MetricsServerError(address: "\(host):\(port)", reason: "\(error)")
        }
        guard let boundPort = listener.localPort else {
            await listener.stop(grace: .zero)
            throw MetricsServerError(address: "\(host):\(port)", reason: "bound socket has no local port")
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return MetricsHTTPServer(listener: listener, boundAddress: "\(shownHost):\(boundPort)")
    }

    static func page(method: HTTPMethod, path: String, render: () -> [UInt8]) -> HTTPPage {
        guard path == Self.path else { return .text(.notFound, "404 page not found\n") }
        guard method == .GET || method == .HEAD else {
            return .text(.methodNotAllowed, "method not allowed\n", extraHeaders: [("Allow", "GET, HEAD")])
        }
        return HTTPPage(status: .ok, contentType: DaemonMetrics.contentType, body: render())
    }

    /// Stops accepting, lets answers in progress finish, cuts what is left after
    /// `shutdownGrace`. Later calls return at once.
    func stop() async { await listener.stop(grace: Self.shutdownGrace) }
}

/// The metrics listener could not start.
struct MetricsServerError: Error, CustomStringConvertible {
    let address: String
    let reason: String
    var description: String { "metrics listener on \(address): \(reason)" }
}

extension Daemon {
    /// Starts the metrics listener on `address` ("host:port"); errors name the address.
    static func startMetrics(_ address: String, group: any EventLoopGroup,
                             render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsHTTPServer {
        let (host, port) = try listenAddress(address)
        return try await MetricsHTTPServer.start(host: host, port: port, group: group, render: render)
    }
}
