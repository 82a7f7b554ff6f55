import A2ALDHT
import A2ALNIOSupport
import NIOCore
import NIOPosix
import Synchronization

/// The debug HTTP listener of docs/node-behaviour.md §9.3, serving `DebugRoutes` on SwiftNIO.
///
/// It binds loopback (127.0.0.1:2634) by default. The pages expose the node's identity, its whole
/// routing table (peer IPs and ports) and its store, and nothing authenticates the caller:
/// binding any other address publishes those internals to whoever can reach it, so do that only
/// on a trusted network.
///
/// Hardening, since even loopback callers may be hostile or broken: request bodies over
/// `maxRequestBodyBytes` get 413 and a closed connection; headers are capped at
/// `maxHeaderBytes`; a connection that reads nothing for `readIdleTimeout` is closed; at most
/// `maxConnections` are served at once. `stop()` drains like Go's `Server.Shutdown`.
public final class DebugHTTPServer: Sendable {
    /// The suggested listen address of the reference (`DebugHTTPAddr`).
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 2634
    /// Every page is a GET, so any body is noise; a small allowance tolerates odd clients.
    static let maxRequestBodyBytes = 4096
    /// Header bytes per request; the pages take no headers worth more than a few hundred bytes.
    static let maxHeaderBytes = 16 * 1024
    /// The reference's read timeout (10 s): idle keep-alive and stalled clients are dropped.
    static let readIdleTimeout: TimeAmount = .seconds(10)
    /// The reference's shutdown deadline (3 s) before in-flight connections are cut.
    static let shutdownGrace: TimeAmount = .seconds(3)
    /// Simultaneous connections; further ones are closed on accept.
    static let maxConnections = 64
    /// Pending accepts in the kernel.
    static let listenBacklog: Int32 = 64

    static let limits = HTTPListener.Limits(maxConnections: maxConnections, maxHeaderBytes: maxHeaderBytes,
                                            maxRequestBodyBytes: maxRequestBodyBytes,
                                            readIdleTimeout: readIdleTimeout, backlog: listenBacklog)

    /// The port actually bound (useful when started with port 0).
    public let localPort: Int
    private let listener: HTTPListener
    /// Shut down by `stop()` only when this server created it.
    private let ownedGroup: MultiThreadedEventLoopGroup?
    private let stopped = Atomic<Bool>(false)

    private init(listener: HTTPListener, localPort: Int, ownedGroup: MultiThreadedEventLoopGroup?) {
        self.listener = listener
        self.localPort = localPort
        self.ownedGroup = ownedGroup
    }

    /// Binds and starts serving. Port 0 picks a free port (see `localPort`). Without a `group`
    /// the server runs its own one-thread group and shuts it down in `stop()`.
    public static func start(node: DHTNode, host: String = defaultHost, port: Int = defaultPort,
                             group: (any EventLoopGroup)? = nil) async throws -> DebugHTTPServer {
        let choice = EventLoopChoice(group)
        do {
            let listener = try await HTTPListener.start(host: host, port: port, group: choice.loops, limits: limits) {
                method, path in DebugRoutes.page(method: method, path: path, node: node)
            }
            guard let boundPort = listener.localPort else {
                await listener.stop(grace: .zero)
                throw DebugHTTPServerError.noLocalAddress
            }
            return DebugHTTPServer(listener: listener, localPort: boundPort, ownedGroup: choice.owned)
        } catch {
            try? await choice.owned?.shutdownGracefully()
            throw error
        }
    }

    /// Connections being served now.
    var openConnections: Int { listener.openConnections }

    /// Stops accepting, lets in-flight requests finish (idle keep-alive connections close at
    /// once), cuts whatever is left after `shutdownGrace`, then releases an owned event loop
    /// group. Errors are ignored; later calls return at once.
    public func stop() async {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await listener.stop(grace: Self.shutdownGrace)
        try? await ownedGroup?.shutdownGracefully()
    }

    /// A server dropped without `stop()` still releases its socket and threads.
    deinit {
        guard !stopped.load(ordering: .acquiring) else { return }
        listener.abandon()
        ownedGroup?.shutdownGracefully { _ in }
    }
}

/// Why the debug listener could not start.
public enum DebugHTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The socket bound but reported no port.
    case noLocalAddress

    public var description: String {
        switch self {
        case .noLocalAddress: return "debug http: bound socket has no local port"
        }
    }
}
