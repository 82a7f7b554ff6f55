import A2ALCore
import A2ALProtocol

extension RecordStore {
    /// The live records at `key` in stored order (oldest write first), only those of `recType`
    /// unless it is 0. Counts as an access of the key. Never rewrites the stored list: expired
    /// records are filtered from the answer and left for `sweepExpired` (no aliasing duplicates).
    public mutating func getAll(_ key: NodeID, recType: UInt8, now: UInt64) -> [VerifiedRecord] {
        guard let slot = table.slot(of: key) else { return [] }
        table.touch(slot)
        let stored = table.records(at: slot)
        // Common case: everything qualifies, so the answer shares the stored buffer (no copy).
        if recType == 0, stored.allSatisfy({ $0.isLiveInStore(now: now) }) { return stored }
        return stored.filter { (recType == 0 || $0.recType == recType) && $0.isLiveInStore(now: now) }
    }

    /// The newest live endpoint record (type 0x01) at `key` by (seq, timestamp), the first stored
    /// winning ties; nil when there is none. Counts as an access of the key.
    public mutating func get(_ key: NodeID, now: UInt64) -> VerifiedRecord? {
        guard let slot = table.slot(of: key) else { return nil }
        table.touch(slot)
        var best: VerifiedRecord?
        for record in table.records(at: slot)
        where record.recType == RecordType.endpoint && record.isLiveInStore(now: now) {
            if let current = best, !record.isNewer(than: current) { continue }
            best = record
        }
        return best
    }

    /// Live records authored by `address` wherever they are stored (its sovereign records, the
    /// topics it announced, the mailbox messages it sent), only those of `recType` unless it is 0.
    /// Visits only the keys the address index names. Not an access of any key.
    public func records(by address: Address, recType: UInt8, now: UInt64) -> [(key: NodeID, record: VerifiedRecord)] {
        guard let keys = addressIndex.keys(of: address) else { return [] }
        var found: [(key: NodeID, record: VerifiedRecord)] = []
        keys.forEach { key in
            guard let slot = table.slot(of: key) else { return }
            for record in table.records(at: slot)
            where record.address == address && (recType == 0 || record.recType == recType)
                && record.isLiveInStore(now: now) {
                found.append((key, record))
            }
        }
        return found
    }

    /// One row per live record, keys from least to most recently accessed, records in stored
    /// order (the reference leaves the order unspecified). Not an access.
    public func debugRows(now: UInt64) -> [StoreDebugRow] {
        var rows: [StoreDebugRow] = []
        rows.reserveCapacity(recordCount)
        for slot in table.slotsInAccessOrder {
            let key = table.key(at: slot)
            for record in table.records(at: slot) where record.isLiveInStore(now: now) {
                rows.append(StoreDebugRow(key: key, record: record.record))
            }
        }
        return rows
    }

    /// True when `key` is present (even if all its records have expired but were not swept).
    public func contains(_ key: NodeID) -> Bool { table.slot(of: key) != nil }

    /// Keys from least to most recently accessed: the order in which they would be evicted.
    public var keysByAccess: [NodeID] { table.slotsInAccessOrder.map { table.key(at: $0) } }
}
