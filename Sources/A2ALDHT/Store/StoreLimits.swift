import A2ALCore
import A2ALProtocol

/// Every limit of the record store in one place (docs/routing.md §4.2, §6).
public enum StoreLimits {
    /// Sovereign (and unknown-category) records kept per key.
    public static let maxSovereignPerKey = 8
    /// Topic records kept per key.
    public static let maxTopicPerKey = 100
    /// Mailbox records kept per key.
    public static let maxMailboxPerKey = 50
    /// Mailbox records one signing key may hold at one key, so a single sender cannot fill an inbox.
    public static let maxMailboxPerPubkey = 4
    /// Distinct keys held before the least-recently-accessed key is evicted.
    public static let defaultMaxKeys = 100_000
    /// Record bytes held before least-recently-accessed keys are evicted: sized for a small VM
    /// (the store's resident memory stays within about twice this).
    public static let defaultMaxBytes = 64 << 20
    /// Record bytes one source network's STOREs may hold at once (1/16 of the default budget).
    public static let defaultMaxBytesPerSource = 4 << 20
    /// Below this many entries the expiry queue is never compacted; compaction would cost more
    /// than the stale entries it drops.
    public static let expiryQueueCompactionFloor = 1_024
    /// The expiry queue is rebuilt once it holds more than this many entries per stored record
    /// (replaced and invalidated records leave stale entries behind until they would expire).
    public static let expiryQueueSlackFactor = 2
}
