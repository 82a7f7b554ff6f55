/// Per-connection bounds of the JSON-RPC layer (docs/jsonrpc.md, "Framing and protocol";
/// docs/security.md, "Local clients"). They keep one client from holding unbounded memory or
/// work in the daemon.
public struct RPCLimits: Sendable, Equatable {
    /// Entries in one batch array. The batch cap in force is `effectiveMaxBatch`.
    public var maxBatch: Int
    /// Calls running at once on one connection; past it a call fails at once with
    /// `overloaded`. Each batch entry counts one place (so the replies being built stay
    /// bounded whatever the batches ask for), and a batch is admitted only whole: it runs
    /// entirely or every call in it is answered `overloaded`.
    public var maxInFlightPerConnection: Int
    /// Undelivered lines a subscriber's connection may hold before its subscriptions end
    /// with a `slow_subscriber` notice.
    public var maxSubscriberBacklog: Int
    /// Subscriptions one connection may hold.
    public var maxSubscriptionsPerConnection: Int

    public static let defaultMaxBatch = 100
    /// Above the batch cap, so a full batch runs entirely on a connection with a few calls
    /// already running.
    public static let defaultMaxInFlightPerConnection = 128

    public init(maxBatch: Int = RPCLimits.defaultMaxBatch,
                maxInFlightPerConnection: Int = RPCLimits.defaultMaxInFlightPerConnection,
                maxSubscriberBacklog: Int = 1024, maxSubscriptionsPerConnection: Int = 32) {
        self.maxBatch = maxBatch
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxSubscriberBacklog = maxSubscriberBacklog
        self.maxSubscriptionsPerConnection = maxSubscriptionsPerConnection
    }

    /// The largest batch taken: `maxBatch`, but never more than the in-flight cap, so a batch
    /// that is accepted can always run entirely on an idle connection (a larger one is
    /// refused with -32600 naming this limit, never partly run).
    public var effectiveMaxBatch: Int { max(1, min(maxBatch, maxInFlightPerConnection)) }
}
