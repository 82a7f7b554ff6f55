/// Per-connection bounds of the JSON-RPC layer (docs/jsonrpc.md). They keep one client
/// from holding unbounded memory or work in the daemon.
public struct RPCLimits: Sendable, Equatable {
    /// Entries in one batch array.
    public var maxBatch: Int
    /// Calls running at once on one connection (batch entries count one each); past it a
    /// call fails at once with `overloaded`.
    public var maxInFlightPerConnection: Int
    /// Undelivered lines a subscriber's connection may hold before its subscriptions end
    /// with a `slow_subscriber` notice.
    public var maxSubscriberBacklog: Int
    /// Subscriptions one connection may hold.
    public var maxSubscriptionsPerConnection: Int

    public init(maxBatch: Int = 100, maxInFlightPerConnection: Int = 64,
                maxSubscriberBacklog: Int = 1024, maxSubscriptionsPerConnection: Int = 32) {
        self.maxBatch = maxBatch
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxSubscriberBacklog = maxSubscriberBacklog
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
    }
}
