/// What `RoutingTable.add` did with a contact.
public enum AddOutcome: Sendable {
    /// The contact is now a new main-list entry.
    case inserted
    /// The contact was already a main-list entry and has been touched (moved to MRU; for a
    /// verified contact, endpoint, address and verifiedAt refreshed).
    case refreshed
    /// The contact waits in its bucket's replacement cache (new there or already there).
    case cached
    /// The contact was not stored.
    case rejected(RejectReason)
    /// The verified contact is cached because its bucket is full; the caller should ping this
    /// least-recently-seen entry without blocking and report with `resolveLRUCheck`.
    case checkLRU(RoutingEntry)
}

public enum RejectReason: Hashable, Sendable {
    /// The contact is this node.
    case isSelf
    /// Its address does not hash to its node ID (docs/deviations.md §2).
    case inconsistentIdentity
    /// Too many entries already share its IPv4 /24 or IPv6 /64 (docs/deviations.md §2).
    case subnetLimit
    /// Hearsay for a full bucket whose replacement cache holds only verified candidates,
    /// which are worth more than hearsay.
    case replacementCacheFull
    /// Banned for a while: it acknowledged a record and later answered without it
    /// (docs/security.md, "Peers that drop records").
    case withholdsRecords
}

extension AddOutcome {
    /// True when the contact is now stored (main list or replacement cache).
    public var isStored: Bool {
        if case .rejected = self { return false }
        return true
    }
}
