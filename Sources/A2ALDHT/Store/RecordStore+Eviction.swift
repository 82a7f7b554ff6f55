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
        addressIndex.forget(removed, at: key, remaining: remaining)
    }

    /// Evicts least-recently-accessed keys while the store holds more than `maxKeys`, never the
    /// key just inserted (design.md deviation 5; the reference could evict it on a same-second tie).
    mutating func evictLeastRecentKeys(sparing protected: Int) {
        while table.count > maxKeys {
            var victim = table.leastRecentSlot
            if victim == protected { victim = table.newerSlot(than: victim) }
            guard victim != KeyAccessTable.noSlot else { return }
            dropKey(at: victim)
        }
    }

    /// Removes a key with all its records and their index entries.
    mutating func dropKey(at slot: Int) {
        let key = table.key(at: slot)
        let records = table.remove(slot)
        recordCount -= records.count
        addressIndex.forget(records, at: key, remaining: [])
    }
}
