import A2ALCore
import A2ALProtocol

extension RecordStore {
    /// Removes records at `key`: all of them when `recType` is 0, else those of exactly that type.
    /// A key left empty is removed. No validity checks; not an access.
    public mutating func invalidate(_ key: NodeID, recType: UInt8) {
        guard let slot = table.slot(of: key) else { return }
        guard recType != 0 else {
            dropKey(at: slot)
            return
        }
        let stored = table.records(at: slot)
        guard stored.contains(where: { $0.recType == recType }) else { return }
        let remaining = stored.filter { $0.recType != recType }
        if remaining.isEmpty {
            dropKey(at: slot)
            return
        }
        let removed = stored.filter { $0.recType == recType }
        table.setRecords(at: slot, remaining)
        recordCount -= removed.count
        released(removed, at: key)
        addressIndex.forget(removed, at: key, remaining: remaining)
    }

    /// Evicts least-recently-accessed keys while the store holds more than `maxKeys`, never the
    /// key just inserted (docs/deviations.md §6; the reference could evict it on a same-second tie).
    mutating func evictLeastRecentKeys(sparing protected: Int) {
        while table.count > maxKeys {
            var victim = table.leastRecentSlot
            if victim == protected { victim = table.newerSlot(than: victim) }
            guard victim != KeyAccessTable.noSlot else { return }
            dropKey(at: victim)
        }
    }

    /// Evicts least-recently-accessed keys while the store holds more than its byte budget,
    /// skipping pinned keys and `protected` (the key just written). What is pinned or protected
    /// may keep the store above the budget: our own publications and at most one key's caps.
    mutating func evictForBytes(sparing protected: Int) {
        var slot = table.leastRecentSlot
        while byteCount > budget.maxBytes, slot != KeyAccessTable.noSlot {
            let next = table.newerSlot(than: slot)
            if slot != protected && !pinned.contains(table.key(at: slot)) {
                dropKey(at: slot)
                evictedForBytes &+= 1
            }
            slot = next
        }
    }

    /// Takes records that left the store off the byte count and their sources' shares.
    mutating func released(_ records: [VerifiedRecord], at key: NodeID) {
        guard !records.isEmpty else { return }
        byteCount -= records.reduce(0) { $0 + $1.budgetBytes }
        sources.forget(records, at: key)
    }

    /// Removes a key with all its records and their index entries.
    mutating func dropKey(at slot: Int) {
        let key = table.key(at: slot)
        let records = table.remove(slot)
        recordCount -= records.count
        released(records, at: key)
        addressIndex.forget(records, at: key, remaining: [])
    }
}
