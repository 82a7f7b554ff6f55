/// What `node.info` and `node.stats` report about the daemon around the node. The closures
/// read live values from the parts that own them (socket server, agent store), so the methods
/// need no reference to those parts.
public struct DaemonStatus: Sendable {
    public var version: String
    /// Unix seconds when the daemon started.
    public var startedAt: UInt64
    /// Read when asked: with systemd activation the socket is only known once adopted.
    public var socketPath: @Sendable () -> String
    public var dataDir: String
    /// The node's UDP listen addresses as "ip:port".
    public var listenAddrs: @Sendable () -> [String]
    /// Agents (identities) the daemon holds.
    public var agentCount: @Sendable () -> Int
    /// Open JSON-RPC connections.
    public var rpcConnections: @Sendable () -> Int
    /// Live subscriptions over all connections.
    public var rpcSubscriptions: @Sendable () -> Int
    /// Live watches over all connections (docs/jsonrpc.md, "Watches").
    public var rpcWatches: @Sendable () -> Int
    /// The NAT classification now (docs/protocol.md, "NAT classification").
    public var nat: @Sendable () -> NATClassifier.Verdict = {
        NATClassifier.Verdict(natClass: .unknown, publicAddress: nil, evidence: .init())
    }

    public init(version: String, startedAt: UInt64, socketPath: @escaping @Sendable () -> String, dataDir: String,
                listenAddrs: @escaping @Sendable () -> [String], agentCount: @escaping @Sendable () -> Int,
                rpcConnections: @escaping @Sendable () -> Int, rpcSubscriptions: @escaping @Sendable () -> Int,
                rpcWatches: @escaping @Sendable () -> Int = { 0 }) {
        self.version = version
        self.startedAt = startedAt
        self.socketPath = socketPath
        self.dataDir = dataDir
        self.listenAddrs = listenAddrs
        self.agentCount = agentCount
        self.rpcConnections = rpcConnections
        self.rpcSubscriptions = rpcSubscriptions
        self.rpcWatches = rpcWatches
    }
}
