import A2ALCore
import A2ALProtocol

/// The DHT record store (docs/routing.md §4): signed records per DHT key, with per-category
/// slots and caps, strict-newer replacement, and least-recently-accessed key eviction.
///
/// A value type with no locking of its own: the node keeps it in a `SleepingLock` and calls it
/// synchronously. Differences from the reference (docs/deviations.md §6): reads never rewrite
/// stored lists (no aliasing duplicates), expired records are swept (`sweepExpired`), key
/// eviction follows a strict access sequence and never evicts the key being inserted, and a
/// `maxKeys` of zero or less means the default.
///
/// It holds `VerifiedRecord`s only: every record was verified in full once, before it was put
/// (outside the node's lock); afterwards only its time window can change, so reads check just
/// that. Inbound FIND_VALUE reads the store, which keeps those replies free of signature checks.
public struct RecordStore: Sendable {
    public static let defaultMaxKeys = StoreLimits.defaultMaxKeys

    /// Distinct keys held before the least-recently-accessed one is evicted. Zero or less means
    /// `defaultMaxKeys` (the reference stores those as-is and would then evict every key). A new
    /// limit takes effect the next time a new key is inserted, as in the reference.
    public var maxKeys: Int {
        get { keyLimit }
        set { keyLimit = Self.effectiveKeyLimit(newValue) }
    }

    /// Verifies the records of `put(_:at:now:source:)`; its authority policy may be nil.
    public let verifier: RecordVerifier

    /// Byte limits: in total (least-recently-accessed keys are evicted past it) and per source.
    public var budget: StoreBudget

    /// Record bytes held (as `SignedRecord.budgetBytes` counts them), expired ones included
    /// until they are swept.
    public internal(set) var byteCount = 0

    /// Keys whose records this node publishes: never evicted for the byte budget.
    public var pinned: Set<NodeID> = []

    /// Puts refused because their source held its share, and keys evicted for the byte budget.
    public internal(set) var refusedOverQuota: UInt64 = 0
    public internal(set) var evictedForBytes: UInt64 = 0

    var sources = SourceUsage()

    /// Keys present, including keys whose records have all expired but were not yet swept.
    public var keyCount: Int { table.count }

    /// Records held, including expired ones not yet swept.
    public internal(set) var recordCount = 0

    private var keyLimit: Int
    var table = KeyAccessTable()
    var addressIndex = AddressKeyIndex()
    var expiryQueue = ExpiryQueue()

    public init(maxKeys: Int = RecordStore.defaultMaxKeys, authority: StoreAuthority? = nil, budget: StoreBudget = .default) {
        keyLimit = Self.effectiveKeyLimit(maxKeys)
        verifier = RecordVerifier(authority: authority)
        self.budget = budget
    }

    /// The docs/protocol.md §4.11 authority policy (`RecordAuthority.check`) in the form a store
    /// takes.
    public static let recordAuthority: StoreAuthority = { key, record, now in
        do throws(AuthorityError) {
            try RecordAuthority.check(record, key: key, now: now)
            return nil
        } catch {
            return error.description
        }
    }

    private static func effectiveKeyLimit(_ requested: Int) -> Int {
        requested > 0 ? requested : defaultMaxKeys
    }

    /// Verifies `record` for `key` (the all-zero key means NodeID(record.address)) and stores
    /// it; returns the key used. For callers holding a raw record; the node verifies first.
    @discardableResult
    public mutating func put(_ record: SignedRecord, at key: NodeID, now: UInt64, source: SubnetKey? = nil) throws(StoreError) -> NodeID {
        try put(verifier.verify(record, at: key, now: now), now: now, source: source)
    }

    /// Stores a verified record at the key it was verified for — merge, caps, quota, eviction;
    /// the checks before those are `RecordVerifier.verify`'s — and returns that key.
    ///
    /// A successful put can still leave the record out when the category caps pick it as the
    /// victim (an old-timestamped record into a full key) — the reference reports success then,
    /// and so does this.
    ///
    /// `source` is the network an inbound STORE came from (nil for our own puts and exempt
    /// networks): its records may hold at most `budget.maxBytesPerSource` bytes. Past
    /// `budget.maxBytes` the least-recently-accessed keys are evicted — never a pinned key (our
    /// own publications) nor the key just written; keys recently served are recently accessed,
    /// so they go last.
    @discardableResult
    public mutating func put(_ record: VerifiedRecord, now: UInt64, source: SubnetKey? = nil) throws(StoreError) -> NodeID {
        let storeKey = record.key
        // Verified earlier; only its window can have closed since.
        guard record.isLiveInStore(now: now) else { throw .invalid(.expired(expiresAt: record.expiresAt, now: now)) }
        // 6.–7. Drop what expired, then merge; nothing changes if the record is stale.
        let existingSlot = table.slot(of: storeKey)
        let stored = existingSlot.map { table.records(at: $0) } ?? []
        let (live, expired) = Self.splitByLiveness(stored, now: now)
        let outcome = try SlotMerge.merge(live, adding: record)
        if let source {
            let used = sources.bytes(of: source)
            if used + record.budgetBytes > budget.maxBytesPerSource {
                refusedOverQuota &+= 1
                throw .overQuota(used: used, limit: budget.maxBytesPerSource)
            }
        }
        // 8. Commit and record the access.
        let slot: Int
        if let existingSlot {
            table.setRecords(at: existingSlot, outcome.records)
            table.touch(existingSlot)
            slot = existingSlot
        } else {
            slot = table.insert(storeKey, records: outcome.records)
        }
        recordCount += outcome.records.count - stored.count
        byteCount += record.budgetBytes
        if let source { sources.add(record, at: storeKey, from: source) }
        released(expired + outcome.removed, at: storeKey)
        addressIndex.forget(expired + outcome.removed, at: storeKey, remaining: outcome.records)
        if !outcome.removed.contains(record) {
            addressIndex.add(record.address, at: storeKey)
            expiryQueue.push(record.expiresAt, key: storeKey)
            compactExpiryQueueIfNeeded()
        }
        // 9. A new key may push the store over its key limit, any put over its byte budget.
        if existingSlot == nil {
            evictLeastRecentKeys(sparing: slot)
        }
        evictForBytes(sparing: slot)
        return storeKey
    }

    /// Splits a key's list into live records and those no longer live at `now`, keeping order.
    /// Allocates nothing when every record is live (the common case).
    static func splitByLiveness(_ records: [VerifiedRecord], now: UInt64) -> (live: [VerifiedRecord], dead: [VerifiedRecord]) {
        guard records.contains(where: { !$0.isLiveInStore(now: now) }) else { return (records, []) }
        var live: [VerifiedRecord] = [], dead: [VerifiedRecord] = []
        live.reserveCapacity(records.count)
        for record in records {
            if record.isLiveInStore(now: now) { live.append(record) } else { dead.append(record) }
        }
        return (live, dead)
    }
}
