import A2ALCore
import A2ALProtocol

/// The Kademlia routing table: 256 fixed buckets indexed by common prefix length with our ID.
///
/// A plain value: the node keeps it inside a `SleepingLock` and calls it synchronously, and nothing in
/// it waits on the network. Where the reference pings inside `Add`, this table hands the ping to
/// the caller (`AddOutcome.checkLRU`) and takes the answer later (`resolveLRUCheck`).
///
/// Invariants: a node ID appears at most once in the whole table (never in a main list and a
/// replacement cache at once); every entry sits in the bucket of its common prefix length;
/// `count` is the number of main-list entries.
public struct RoutingTable: Sendable {
    public let selfID: NodeID
    public let limits: RoutingLimits
    /// Allocated only down to the deepest bucket in use (docs/routing.md §8.1).
    var buckets = BucketList()
    /// Main-list entries in the whole table.
    public private(set) var count = 0
    /// Bumped whenever an entry joins or leaves the main lists, so a figure computed from the
    /// membership can be kept until it changes (`NodeState.routingHealthCounts`).
    public private(set) var membershipChanges: UInt64 = 0
    /// Main-list entries per counted prefix, for the table-wide Sybil limit.
    var subnetCounts: [SubnetKey: Int] = [:]
    /// Peers kept out for withholding records (docs/security.md, "Peers that drop records").
    var withholding = WithholdingPeers()

    public init(selfID: NodeID, limits: RoutingLimits = .default) {
        self.selfID = selfID
        self.limits = limits
    }

    /// Buckets holding storage (memory accounting; docs/routing.md §8.1).
    public var allocatedBuckets: Int { buckets.allocatedCount }

    /// True for a bucket index the table has (0…255), allocated or not.
    static func isBucketIndex(_ bucket: Int) -> Bool {
        (0..<bucketCount).contains(bucket)
    }

    /// Bucket of `id` (its common prefix length with us), or nil for our own ID.
    public func bucketIndex(of id: NodeID) -> Int? {
        let cpl = selfID.commonPrefixLength(with: id)
        return cpl < RoutingTable.bucketCount ? cpl : nil
    }

    /// True when `id` is a main-list entry (replacement-cache candidates do not count).
    public func contains(_ id: NodeID) -> Bool {
        entry(for: id) != nil
    }

    /// The main-list entry for `id`.
    public func entry(for id: NodeID) -> RoutingEntry? {
        guard let b = bucketIndex(of: id), let i = buckets[b].mainIndex(of: id) else { return nil }
        return buckets[b].entries[i]
    }

    /// The replacement-cache candidate for `id`.
    public func cachedContact(for id: NodeID) -> CachedContact? {
        guard let b = bucketIndex(of: id), let i = buckets[b].cacheIndex(of: id) else { return nil }
        return buckets[b].cache[i]
    }

    /// Main-list size of `bucket` (0 when out of range).
    public func bucketLength(_ bucket: Int) -> Int {
        guard RoutingTable.isBucketIndex(bucket) else { return 0 }
        return buckets[bucket].entries.count
    }

    /// Main list plus replacement cache of `bucket`: what a refill tries to grow.
    public func discoveryCount(bucket: Int) -> Int {
        guard RoutingTable.isBucketIndex(bucket) else { return 0 }
        return buckets[bucket].entries.count + buckets[bucket].cache.count
    }

    /// The least-recently-seen entry of `bucket`.
    public func leastRecentlySeen(inBucket bucket: Int) -> RoutingEntry? {
        guard RoutingTable.isBucketIndex(bucket) else { return nil }
        return buckets[bucket].entries.first
    }

    /// Every main-list entry, bucket 0 → 255, least → most recently seen inside a bucket.
    public func allEntries() -> [RoutingEntry] {
        var out: [RoutingEntry] = []
        out.reserveCapacity(count)
        for bucket in buckets { out.append(contentsOf: bucket.entries) }
        return out
    }

    /// Calls `body` for every main-list entry, without copying the table.
    public func forEachEntry(_ body: (RoutingEntry) -> Void) {
        guard count > 0 else { return }
        for bucket in buckets where !bucket.entries.isEmpty {
            for e in bucket.entries { body(e) }
        }
    }

    /// The replacement-cache candidates of `bucket`, oldest first.
    public func cachedContacts(bucket: Int) -> [CachedContact] {
        guard RoutingTable.isBucketIndex(bucket) else { return [] }
        return buckets[bucket].cache
    }

    /// Highest bucket index holding a main entry.
    public var highestNonEmptyBucket: Int? {
        buckets.lastIndex { !$0.entries.isEmpty }
    }
}

// MARK: - Storage primitives shared by the extensions

extension RoutingTable {
    /// The prefix `contact` counts against, or nil when exempt or when limits are off.
    func subnetKey(of contact: Contact) -> SubnetKey? {
        subnetKey(of: contact.endpoint)
    }

    func subnetKey(of endpoint: WireEndpoint?) -> SubnetKey? {
        guard !limits.isUnlimited, let endpoint else { return nil }
        return SubnetKey(endpoint)
    }

    /// True when one more main entry of `subnet` fits in `bucket` and in the table.
    func mainAdmits(_ subnet: SubnetKey?, bucket: Int) -> Bool {
        guard let subnet else { return true }
        return buckets[bucket].mainCount(in: subnet) < limits.maxPerSubnetPerBucket
            && subnetCounts[subnet, default: 0] < limits.maxPerSubnet
    }

    /// True when one more cache candidate of `subnet` fits in `bucket`'s cache.
    func cacheAdmits(_ subnet: SubnetKey?, bucket: Int, excluding excluded: Int? = nil) -> Bool {
        guard let subnet else { return true }
        return buckets[bucket].cacheCount(in: subnet, excluding: excluded) < limits.maxPerSubnetPerBucket
    }

    /// Appends `entry` at the MRU end of `bucket` (caller checked room and limits).
    mutating func appendToMain(_ entry: RoutingEntry, bucket: Int) {
        buckets[bucket].entries.append(entry)
        count += 1
        membershipChanges &+= 1
        if let subnet = entry.subnet { subnetCounts[subnet, default: 0] += 1 }
    }

    @discardableResult
    mutating func removeFromMain(bucket: Int, at index: Int) -> RoutingEntry {
        let entry = buckets[bucket].entries.remove(at: index)
        count -= 1
        membershipChanges &+= 1
        if let subnet = entry.subnet { releaseSubnet(subnet) }
        return entry
    }

    /// Re-labels a main entry with the prefix of its new endpoint.
    mutating func moveEntry(bucket: Int, at index: Int, toSubnet subnet: SubnetKey?) {
        let old = buckets[bucket].entries[index].subnet
        guard old != subnet else { return }
        if let old { releaseSubnet(old) }
        if let subnet { subnetCounts[subnet, default: 0] += 1 }
        buckets[bucket].entries[index].subnet = subnet
    }

    private mutating func releaseSubnet(_ subnet: SubnetKey) {
        let remaining = subnetCounts[subnet, default: 0] - 1
        subnetCounts[subnet] = remaining > 0 ? remaining : nil
    }

    /// Fills free main slots of `bucket` from its replacement cache, best candidate first
    /// (most recently verified, then newest hearsay), skipping any the prefix limits refuse.
    mutating func promoteCandidates(bucket: Int, now: Tick) {
        while buckets[bucket].entries.count < NodeConstants.k, !buckets[bucket].cache.isEmpty {
            let order = buckets[bucket].candidateOrder()
            guard let pick = order.first(where: { mainAdmits(buckets[bucket].cache[$0].subnet, bucket: bucket) })
            else { return }
            let candidate = buckets[bucket].cache.remove(at: pick)
            appendToMain(RoutingEntry(contact: candidate.contact, verifiedAt: candidate.verifiedAt,
                                      learnedFrom: candidate.learnedFrom, addedAt: now, lastSeen: now,
                                      subnet: candidate.subnet),
                         bucket: bucket)
        }
    }
}
