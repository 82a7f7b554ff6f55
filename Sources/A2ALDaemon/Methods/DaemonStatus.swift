/// What `node.info` and `node.stats` report about the daemon around the node. The closures
/// read live values from the parts that own them (socket server, agent store), so the methods
/// need no reference to those parts.
package struct DaemonStatus: Sendable {
    package var version: String
    /// Unix seconds when the daemon started.
    package var startedAt: UInt64
    /// Read when asked: with systemd activation the socket is only known once adopted.
    package var socketPath: @Sendable () -> String
    package var dataDir: String
    /// The node's UDP listen addresses as "ip:port".
    package var listenAddrs: @Sendable () -> [String]
    /// Agents (identities) the daemon holds.
    package var agentCount: @Sendable () -> Int
    /// Open JSON-RPC connections.
    package var rpcConnections: @Sendable () -> Int
    /// Live subscriptions over all connections.
    package var rpcSubscriptions: @Sendable () -> Int
    /// Live watches over all connections (docs/jsonrpc.md, "Watches").
    package var rpcWatches: @Sendable () -> Int
    /// The NAT classification now (docs/protocol.md, "NAT classification").
    package var nat: @Sendable () -> NATClassifier.Verdict = {
        NATClassifier.Verdict(natClass: .unknown, publicAddress: nil, evidence: .init())
    }

    package init(version: String, startedAt: UInt64, socketPath: @escaping @Sendable () -> String, dataDir: String,
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
