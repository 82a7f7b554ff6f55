import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1 listener of the project (debug pages, metrics), hardened the same way for both:
/// at most `maxConnections` are served at once (others are closed on accept), headers are
/// capped at `maxHeaderBytes`, bodies at `maxRequestBodyBytes` (413), and a connection that
/// reads nothing for `readIdleTimeout` is closed. `stop()` drains like Go's `Server.Shutdown`.
public final class HTTPListener: Sendable {
    public struct Limits: Sendable {
        public var maxConnections: Int
        public var maxHeaderBytes: Int
        public var maxRequestBodyBytes: Int
        public var readIdleTimeout: TimeAmount
        /// Pending accepts in the kernel.
        public var backlog: Int32

        public init(maxConnections: Int, maxHeaderBytes: Int, maxRequestBodyBytes: Int,
                    readIdleTimeout: TimeAmount, backlog: Int32) {
            self.maxConnections = maxConnections
            self.maxHeaderBytes = maxHeaderBytes
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.readIdleTimeout = readIdleTimeout
            self.backlog = backlog
        }
    }

    /// The port actually bound (the real one when port 0 was asked for); nil if the socket
    /// reports none.
    public let localPort: Int?
    private let serverChannel: any Channel
    private let connections: ChannelRegistry
    private let stopped = Atomic<Bool>(false)

    private init(serverChannel: any Channel, connections: ChannelRegistry) {
        self.serverChannel = serverChannel
        self.localPort = serverChannel.localAddress?.port
        self.connections = connections
    }

    /// Binds `host:port` and answers every request with `answer(method, path)`.
    public static func start(host: String, port: Int, group: any EventLoopGroup, limits: Limits,
                             answer: @escaping @Sendable (HTTPMethod, String) -> HTTPPage) async throws -> HTTPListener {
        let connections = ChannelRegistry(limit: limits.maxConnections)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: limits.backlog)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                guard connections.admit(child) == .admitted else { return child.close() }
                return child.eventLoop.makeCompletedFuture {
                    var decoderLimits = NIOHTTPDecoderLimitConfiguration()
                    decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
                    decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
                    let pipeline = child.pipeline.syncOperations
                    // First, so it sees raw reads and its idle event passes through the HTTP handlers.
                    try pipeline.addHandler(IdleStateHandler(readTimeout: limits.readIdleTimeout))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true, withEncoderConfiguration: .init(),
                                                             withDecoderLimitConfiguration: decoderLimits)
                    try pipeline.addHandler(HTTPPageHandler(maxBodyBytes: limits.maxRequestBodyBytes, answer: answer))
                }
            }
            .bind(host: host, port: port).get()
        return HTTPListener(serverChannel: channel, connections: connections)
    }

    /// Connections being served now.
    public var openConnections: Int { connections.count }

    /// Stops accepting, lets in-flight requests finish (idle keep-alive connections close at
    /// once) and cuts whatever is left after `grace`. Later calls return at once.
    public func stop(grace: TimeAmount) async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await serverChannel.close()
        await connections.drain(grace: grace, on: serverChannel.eventLoop)
    }

    /// Closes the socket and every connection at once, without draining: for an owner dropped
    /// without `stop`, before it releases the event loops.
    public func abandon() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        serverChannel.close(promise: nil)
        for child in connections.closeAll() { child.close(promise: nil) }
    }

    deinit { abandon() }
}
