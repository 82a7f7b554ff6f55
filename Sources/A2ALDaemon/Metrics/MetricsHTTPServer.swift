import A2ALUDP
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The opt-in Prometheus listener (`--metrics host:port`, docs/metrics.md). Nothing
/// authenticates a scraper, so bind loopback (127.0.0.1) unless the network is trusted.
///
/// It must not become a way to hurt the daemon: at most `maxConnections` at once (others are
/// closed on accept), a connection that sends nothing for `readIdleTimeout` is closed,
/// headers are capped at `maxHeaderBytes` and request bodies at `maxRequestBodyBytes` (413).
/// Rendering runs on the daemon's event loop and only reads counters and table sizes.
final class MetricsHTTPServer: Sendable {
    static let maxConnections = 16
    static let maxHeaderBytes = 8 * 1024
    /// `GET` carries no body; a little slack for odd clients.
    static let maxRequestBodyBytes = 1024
    static let readIdleTimeout: TimeAmount = .seconds(10)
    static let shutdownGrace: TimeAmount = .seconds(2)

    /// The address actually bound ("127.0.0.1:PORT"; the port is real when 0 was asked for).
    let boundAddress: String
    private let serverChannel: any Channel
    private let connections: ChannelRegistry
    private let stopped = Atomic<Bool>(false)

    private init(serverChannel: any Channel, boundAddress: String, connections: ChannelRegistry) {
        self.serverChannel = serverChannel
        self.boundAddress = boundAddress
        self.connections = connections
    }

    /// Binds `host:port`; errors name the address (`MetricsServerError`).
    static func start(host: String, port: Int, group: any EventLoopGroup,
                      render: @escaping @Sendable () -> [UInt8]) async throws -> MetricsHTTPServer {
        let connections = ChannelRegistry(limit: maxConnections)
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 16)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    guard connections.admit(child) == .admitted else { return child.close() }
                    return child.eventLoop.makeCompletedFuture {
                        var limits = NIOHTTPDecoderLimitConfiguration()
                        limits.maxHeaderFieldSize = maxHeaderBytes
                        limits.maxHeaderListSize = maxHeaderBytes
                        let pipeline = child.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(readTimeout: readIdleTimeout))
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true, withEncoderConfiguration: .init(),
                                                                 withDecoderLimitConfiguration: limits)
                        try pipeline.addHandler(MetricsHTTPHandler(maxBodyBytes: maxRequestBodyBytes, render: render))
                    }
                }
                .bind(host: host, port: port).get()
        } catch {
            throw MetricsServerError(address: "\(host):\(port)", reason: "\(error)")
        }
        guard let local = channel.localAddress, let boundPort = local.port else {
            try? await channel.close()
            throw MetricsServerError(address: "\(host):\(port)", reason: "bound socket has no local port")
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return MetricsHTTPServer(serverChannel: channel, boundAddress: "\(shownHost):\(boundPort)", connections: connections)
    }

    /// Stops accepting, lets answers in progress finish, cuts what is left after
    /// `shutdownGrace`. Later calls return at once.
    func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await serverChannel.close()
        await connections.drain(grace: Self.shutdownGrace, on: serverChannel.eventLoop)
    }
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
