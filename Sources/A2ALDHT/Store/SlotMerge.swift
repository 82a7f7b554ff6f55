import A2ALCore
import A2ALProtocol

/// Merges one record into the live records of a key (docs/routing.md §4.3 `merge_<cat>`
/// and `evict_<cat>`). Pure: the caller commits the result only when it does not throw.
enum SlotMerge {
    struct Outcome {
        /// The key's new list: other groups in their previous order, then this record's group
        /// in its previous order with the new record last, after the caps were applied.
        var records: [VerifiedRecord]
        /// Records that left the key: the replaced slot holder and any cap victims (which can be
        /// the new record itself — the reference reports success then too, and so do we).
        var removed: [VerifiedRecord]
    }

    /// - Parameter live: the key's records with expired ones already dropped.
    /// - Throws: `.stale` when the record's slot holds an equal or newer record.
    static func merge(_ live: [VerifiedRecord], adding record: VerifiedRecord) throws(StoreError) -> Outcome {
        let category = StoreCategory(record.recType)
        var removed: [VerifiedRecord] = []
        var out: [VerifiedRecord] = []
        out.reserveCapacity(live.count + 1)
        // Pass 1: refuse a stale record before building anything else; keep other groups in order.
        for existing in live {
            if StoreCategory(existing.recType) != category {
                out.append(existing)
            } else if category.sameSlot(existing.record, record.record) {
                guard record.isNewer(than: existing) else { throw .stale }
                removed.append(existing)
            }
        }
        // Pass 2: this group, previous order, slot holders dropped, the new record last.
        let groupStart = out.count
        for existing in live where StoreCategory(existing.recType) == category && !category.sameSlot(existing.record, record.record) {
            out.append(existing)
        }
        out.append(record)
        applyCaps(category, to: &out, groupStart: groupStart, newRecord: record, removed: &removed)
        return Outcome(records: out, removed: removed)
    }

    /// The per-category caps of §4.3. Every earlier put left its group within the caps, so only
    /// the new record can push a group (or, for mailbox, its signer's share) one over; the loops
    /// still run until the cap holds.
    private static func applyCaps(_ category: StoreCategory, to out: inout [VerifiedRecord], groupStart: Int,
                                  newRecord: VerifiedRecord, removed: inout [VerifiedRecord]) {
        switch category {
        case .sovereign:
            while out.count - groupStart > category.capPerKey {
                // Oldest-written non-endpoint first; endpoints only when nothing else is left.
                let victim = out[groupStart...].firstIndex { $0.recType != RecordType.endpoint }
                    ?? oldestIndex(in: out, from: groupStart) { _ in true }
                removed.append(out.remove(at: victim ?? groupStart))
            }
        case .topic:
            while out.count - groupStart > category.capPerKey {
                let victim = oldestIndex(in: out, from: groupStart) { _ in true }
                removed.append(out.remove(at: victim ?? groupStart))
            }
        case .mailbox:
            let signer = newRecord.pubkey
            while out[groupStart...].lazy.filter({ $0.pubkey == signer }).count > StoreLimits.maxMailboxPerPubkey {
                guard let victim = oldestIndex(in: out, from: groupStart, where: { $0.pubkey == signer }) else { break }
                removed.append(out.remove(at: victim))
            }
            while out.count - groupStart > category.capPerKey {
                let victim = oldestIndex(in: out, from: groupStart) { _ in true }
                removed.append(out.remove(at: victim ?? groupStart))
            }
        }
    }

    /// Index of the smallest-timestamp record from `start` matching `include`; the first wins ties.
    private static func oldestIndex(in records: [VerifiedRecord], from start: Int,
                                    where include: (VerifiedRecord) -> Bool) -> Int? {
        var best: Int?
        for index in start..<records.count where include(records[index]) {
            if let current = best, records[current].timestamp <= records[index].timestamp { continue }
            best = index
        }
        return best
    }
}
