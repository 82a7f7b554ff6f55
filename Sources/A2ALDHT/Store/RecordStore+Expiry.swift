import A2ALCore
import A2ALProtocol

extension RecordStore {
    /// Physically removes every record expired at `now` (past `timestamp + ttl`) and every key
    /// left empty, visiting only keys the expiry queue names; returns the number of records
    /// removed. The reference has no sweeper (docs/deviations.md §6).
    @discardableResult
    public mutating func sweepExpired(now: UInt64) -> Int {
        var removedCount = 0
        while let earliest = expiryQueue.earliest, earliest.expiresAt < now {
            expiryQueue.popEarliest()
            removedCount += removeExpired(at: earliest.key, now: now)
        }
        dropStaleEarliestExpiries()
        return removedCount
    }

    /// The earliest `expiresAt` among stored records, or nil when the store is empty. A record is
    /// still valid at that second, so a sweeper should wake at `nextExpiry + 1`. Exact after
    /// `sweepExpired`; in between, a replaced or invalidated record can make it earlier than
    /// necessary (never later), which only costs an idle sweep.
    public var nextExpiry: UInt64? { expiryQueue.earliest?.expiresAt }

    // MARK: Internals

    /// Removes the records at `key` that expired before `now`; returns how many.
    private mutating func removeExpired(at key: NodeID, now: UInt64) -> Int {
        guard let slot = table.slot(of: key) else { return 0 }
        let stored = table.records(at: slot)
        guard stored.contains(where: { $0.isExpired(now: now) }) else { return 0 }
        let remaining = stored.filter { !$0.isExpired(now: now) }
        if remaining.isEmpty {
            dropKey(at: slot)
        } else {
            table.setRecords(at: slot, remaining)
            recordCount -= stored.count - remaining.count
            let expired = stored.filter { $0.isExpired(now: now) }
            released(expired, at: key)
            addressIndex.forget(expired, at: key, remaining: remaining)
        }
        return stored.count - remaining.count
    }

    /// Pops queue entries whose record is gone, so `nextExpiry` names a record that exists.
    private mutating func dropStaleEarliestExpiries() {
        while let earliest = expiryQueue.earliest {
            if let slot = table.slot(of: earliest.key),
               table.records(at: slot).contains(where: { $0.expiresAt == earliest.expiresAt }) {
                return
            }
            expiryQueue.popEarliest()
        }
    }

    /// Rebuilds the expiry queue from the stored records once stale entries outnumber the slack.
    mutating func compactExpiryQueueIfNeeded() {
        guard expiryQueue.needsCompaction(liveRecords: recordCount) else { return }
        var entries: [ExpiryQueue.Entry] = []
        entries.reserveCapacity(recordCount)
        for slot in table.slotsInAccessOrder {
            let key = table.key(at: slot)
            for record in table.records(at: slot) {
                entries.append(ExpiryQueue.Entry(expiresAt: record.expiresAt, key: key))
            }
        }
        expiryQueue.rebuild(entries)
    }
}
