import A2ALCore

/// Peers caught withholding a record: they acknowledged our STORE and later, asked for the
/// record, answered without it (docs/routing.md §5.7). First-hand evidence, from a signed
/// answer, of a peer that takes records in and serves none; such a peer is kept out of the
/// routing table, out of our lookups and out of every replica set for `NodeConstants.withholdingBan`
/// (docs/security.md, "Peers that drop records").
///
/// Bounded: every entry lasts the same time, so the oldest is the first to expire and is the one
/// evicted when the ledger is full.
struct WithholdingPeers: Sendable {
    private var until = RecencyTable<NodeID, Tick>()

    /// Marks `id` until `now + NodeConstants.withholdingBan`.
    mutating func mark(_ id: NodeID, now: Tick) {
        expire(now: now)
        until.setNewest(now + NodeConstants.withholdingBan, for: id)
        while until.count > NodeConstants.withholdingLedgerCap { until.removeOldest() }
    }

    /// True while `id`'s mark lasts.
    func contains(_ id: NodeID, now: Tick) -> Bool {
        guard let end = until.value(for: id) else { return false }
        return end > now
    }

    /// The peers whose mark lasts at `now` (a scan of at most `withholdingLedgerCap` entries,
    /// for stats).
    func lasting(now: Tick) -> [NodeID] {
        var ids: [NodeID] = []
        until.forEach { id, end in if end > now { ids.append(id) } }
        return ids
    }

    /// Forgets the marks that have run out.
    mutating func expire(now: Tick) {
        until.removeOldest(while: { _, end in end <= now })
    }
}
