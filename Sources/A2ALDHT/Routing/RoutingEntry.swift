import A2ALCore
import A2ALProtocol

/// One peer in a bucket's main list.
public struct RoutingEntry: Sendable {
    public internal(set) var contact: Contact
    /// Last time the peer proved itself to us (an inbound message, a reply to our RPC, a
    /// successful probe); nil for hearsay we never confirmed. Only ever moves forward.
    public internal(set) var verifiedAt: Tick?
    /// The peer that told us about this one; nil when we learned of it directly.
    public internal(set) var learnedFrom: NodeID?
    /// When the entry entered the main list.
    public internal(set) var addedAt: Tick
    /// Last time anything touched the entry (any add, hearsay included): what the LRU order
    /// inside a bucket follows.
    public internal(set) var lastSeen: Tick
    /// The prefix the entry counts against for Sybil limits; nil when exempt or unlimited.
    var subnet: SubnetKey?

    init(contact: Contact, verifiedAt: Tick?, learnedFrom: NodeID?, addedAt: Tick, lastSeen: Tick,
         subnet: SubnetKey?) {
        self.contact = contact
        self.verifiedAt = verifiedAt
        self.learnedFrom = learnedFrom
        self.addedAt = addedAt
        self.lastSeen = lastSeen
        self.subnet = subnet
    }

    public var nodeID: NodeID { contact.nodeID }

    /// True once the peer has been heard from directly.
    public var isVerified: Bool { verifiedAt != nil }

    /// Verified-Fresh (docs/routing.md §1.3): verified strictly after `cutoff`.
    public func isFresh(cutoff: Tick) -> Bool {
        guard let verifiedAt else { return false }
        return verifiedAt > cutoff
    }

    /// Verified-Stale (docs/routing.md §1.3): verified, but not after `cutoff`.
    public func isVerifiedStale(cutoff: Tick) -> Bool {
        guard let verifiedAt else { return false }
        return verifiedAt <= cutoff
    }

    /// Moves `verifiedAt` to `t` when that is later (it never moves back).
    mutating func advanceVerifiedAt(to t: Tick) {
        if let current = verifiedAt, current >= t { return }
        verifiedAt = t
    }
}

/// A peer waiting in a bucket's replacement cache for room in the main list.
public struct CachedContact: Sendable {
    public internal(set) var contact: Contact
    /// Set when the peer contacted us directly while its bucket was full; such candidates are
    /// kept in preference to hearsay and promoted first.
    public internal(set) var verifiedAt: Tick?
    public internal(set) var learnedFrom: NodeID?
    /// When the candidate entered the cache (refreshed by later direct contact, not by hearsay);
    /// candidates expire `RoutingTable.cacheEntryLifetime` after it.
    public internal(set) var arrivedAt: Tick
    var subnet: SubnetKey?

    public var nodeID: NodeID { contact.nodeID }
    public var isVerified: Bool { verifiedAt != nil }

    /// Moves `verifiedAt` to `t` when that is later (it never moves back).
    mutating func advanceVerifiedAt(to t: Tick) {
        if let current = verifiedAt, current >= t { return }
        verifiedAt = t
    }
}
