/// Every number the node uses, in one place (docs/node-behaviour.md §13, docs/routing.md §6), with
/// the reference value unless docs/deviations.md changes it.
public enum NodeConstants {
    /// K, the one replication parameter of the DHT: capacity of a bucket's main list, nodes
    /// per FIND_NODE reply, results per lookup and the width of its convergence set. One
    /// value because a lookup converges on exactly the nodes a reply can name ("the K closest
    /// nodes", docs/reference.md, query.find_node).
    public static let k = 16
    /// Entries scanned when choosing reply neighbours (4·K).
    public static let replyScanWidth = 4 * k
    /// Below this many verified neighbours, replies are padded with healthy hearsay.
    public static let replyStarvationThreshold = 8
    /// Verified-fresh window for reply neighbours and maintenance.
    public static let verifiedFreshWindow: Duration = .seconds(30 * 60)
    /// Per-attempt RPC timeout and attempts when the caller gives no shorter deadline.
    public static let rpcAttemptTimeout: Duration = .seconds(5)
    public static let rpcMaxAttempts = 3
    /// Deadline of one RPC when the caller gives none: room for every attempt to time out.
    public static let rpcDeadline: Duration = rpcAttemptTimeout * rpcMaxAttempts
    /// Timeout of the ping that decides whether a full bucket's LRU entry is still alive.
    public static let lruCheckTimeout: Duration = .seconds(3)
    /// Bootstrap ping deadline per seed.
    public static let bootstrapPingTimeout: Duration = .seconds(10)
    /// Bootstrap pings retry quickly within the overall deadline.
    public static let bootstrapPingAttempts = 8
    public static let bootstrapPingAttemptTimeout: Duration = .seconds(1)
    /// NAT echo limit: 3 echoes per source IP per 10 s window.
    public static let natEchoLimit = 3
    /// Peers behind our own NAT remembered for `sameNATPeers()`.
    public static let sameNATPeersKept = 64
    public static let natEchoWindow: Duration = .seconds(10)
    /// Inbound datagrams per source IP: sustained rate and burst (docs/deviations.md §3).
    public static let inboundRatePerIP: Double = 400
    public static let inboundBurstPerIP: Double = 800
    /// Inbound datagrams from all sources together (docs/security.md): well above what a busy
    /// node answers, well below what floods its CPU with signature checks.
    public static let inboundRateGlobal: Double = 20_000
    public static let inboundBurstGlobal: Double = 40_000
    /// Source IPs tracked by the rate limiters before idle ones are forgotten.
    public static let maxTrackedSources = 16_384
    /// Dial-address book size.
    public static let maxDialEntries = 65_536
    /// Routing maintenance per pass: cached-contact probes, stale-entry probes, bucket refills.
    public static let maintenancePendingPerPass = 5
    public static let maintenanceStalePerPass = 10
    public static let maintenanceRefillsPerPass = 2
    /// Empty buckets are refilled only down to log2(estimated network size) + this margin.
    public static let refillDepthMargin = 2
    /// Deadline of a bucket-refill lookup.
    public static let refillLookupTimeout: Duration = .seconds(15)
    /// Keys whose trimmed FIND_VALUE answers are being rotated (forgotten wholesale when full).
    public static let maxAnswerCursors = 4096
    /// Decode-failure and reply-failure warnings are each logged at most this often.
    public static let decodeWarningInterval: Duration = .seconds(30)
    /// Seen-peers flush period.
    public static let seenPeersFlushInterval: Duration = .seconds(3600)
    /// Upper bound on the store sweeper's sleep (it normally wakes at the next expiry).
    public static let maxSweepInterval: Duration = .seconds(60)
    /// How long a peer caught withholding a record it acknowledged stays out of the routing
    /// table, our lookups and our replica sets (docs/security.md, "Peers that drop records").
    public static let withholdingBan: Duration = .seconds(3600)
    /// Peers the withholding ledger remembers at most; the oldest mark goes first.
    public static let withholdingLedgerCap = 1024
}
