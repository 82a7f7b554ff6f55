/// Limits on how many routing entries may share one network prefix (docs/deviations.md §2).
///
/// Without them one host with a /24 (or an IPv6 /64, which every ordinary customer gets) could
/// mint node IDs for every bucket and surround any key. Prefixes are IPv4 /24 and IPv6 /64;
/// loopback, private, link-local and CGNAT addresses are exempt (see `SubnetKey`).
public struct RoutingLimits: Hashable, Sendable {
    /// Most main-list entries of one bucket that may share a prefix (and, separately, most
    /// replacement-cache entries of one bucket that may share one).
    public var maxPerSubnetPerBucket: Int
    /// Most main-list entries of the whole table that may share a prefix.
    public var maxPerSubnet: Int

    public init(maxPerSubnetPerBucket: Int, maxPerSubnet: Int) {
        self.maxPerSubnetPerBucket = maxPerSubnetPerBucket
        self.maxPerSubnet = maxPerSubnet
    }

    /// Default per-bucket cap: two peers of one prefix in a bucket still leave room for
    /// fourteen independent ones.
    public static let defaultMaxPerSubnetPerBucket = 2
    /// Default table-wide cap: enough for a small operator's fleet, far below a table's size.
    public static let defaultMaxPerSubnet = 10

    public static let `default` = RoutingLimits(maxPerSubnetPerBucket: defaultMaxPerSubnetPerBucket,
                                                maxPerSubnet: defaultMaxPerSubnet)

    /// No prefix limits at all (the reference's behaviour; for simulations on public ranges).
    public static let unlimited = RoutingLimits(maxPerSubnetPerBucket: .max, maxPerSubnet: .max)

    /// True when the limits can never reject anything, so prefixes need not be computed.
    var isUnlimited: Bool { maxPerSubnetPerBucket == .max && maxPerSubnet == .max }
}

/// Every fixed limit of the routing table, in one place (reference values, docs/routing.md §6,
/// unless docs/deviations.md changes them).
extension RoutingTable {
    /// One bucket per common prefix length 0…255.
    public static let bucketCount = 256
    /// Capacity of a bucket's replacement cache.
    public static let replacementCacheSize = 5
    /// How long a candidate may wait in a replacement cache.
    public static let cacheEntryLifetime: Duration = .seconds(2 * 60 * 60)
    /// After this long an unanswered LRU check no longer blocks a new one for its bucket (the
    /// node's ping gives up after 3 s; this only guards against a lost `resolveLRUCheck`).
    public static let lruCheckTimeout: Duration = .seconds(30)
    /// A verified entry not verified again for this long is probed, and removed if it does not
    /// answer (docs/deviations.md §2; the reference never ages verified entries out).
    public static let verifiedStaleAge: Duration = .seconds(60 * 60)

    /// Refill cooldown by number of consecutive futile refills: 0, 1, 2, 3 or more.
    public static let refillCooldowns: [Duration] = [.seconds(30), .seconds(120), .seconds(600), .seconds(900)]
    /// A bucket with at least this many verified-fresh entries needs no refill (K/2).
    public static let healthyBucketThreshold = NodeConstants.k / 2

    /// How many non-empty buckets (from the nearest down) are sampled.
    public static let estimateSampleBuckets = 5
    /// Cap on the exponent of a bucket's scale factor 2^(c+1).
    public static let estimateMaxShift = 62

    /// Verified-fresh window the node uses when answering FIND_* (docs/routing.md §1.3,
    /// docs/node-behaviour.md §4.6).
    public static let verifiedFreshWindow: Duration = .seconds(30 * 60)
}
