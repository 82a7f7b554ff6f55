import A2ALCore
import A2ALProtocol

/// Where to send to reach a node, and which node sits behind an address.
///
/// Addresses learned first-hand (the source of a verified packet, a successful ping, a pinned
/// contact) are never overwritten by hearsay from a third party's node list (docs/deviations.md
/// §2). Bounded: when full, hearsay entries go first, then the least recently set.
///
/// Only the node-to-address direction is indexed. The reverse question (`node(at:)`) is asked
/// only when charging a failed RPC sent without an expected node ID and when an operator asks
/// for a peer's RTT by address, so it scans instead of keeping a second hash table of every
/// peer — which was a sixth of a joined node's memory (docs/routing.md §8.1).
struct DialBook {
    struct Entry {
        var address: PeerAddress
        var firstHand: Bool
        var stamp: UInt64
    }

    let capacity: Int
    private var byID: [NodeID: Entry] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    func address(of id: NodeID) -> PeerAddress? { byID[id]?.address }
    func isFirstHand(_ id: NodeID) -> Bool { byID[id]?.firstHand ?? false }
    var count: Int { byID.count }

    /// The node bound to `address`: the most recent first-hand binding, else the oldest hearsay
    /// one (docs/routing.md §8.1).
    func node(at address: PeerAddress) -> NodeID? {
        var best: (id: NodeID, entry: Entry)?
        for (id, entry) in byID where entry.address == address {
            guard let current = best else { best = (id, entry); continue }
            if Self.claims(entry, over: current.entry) { best = (id, entry) }
        }
        return best?.id
    }

    /// Binds `id` ↔ `address`. Hearsay does not replace a first-hand address.
    mutating func bind(_ id: NodeID, _ address: PeerAddress, firstHand: Bool) {
        clock += 1
        if let old = byID[id] {
            if old.firstHand && !firstHand { return }
        } else if byID.count >= capacity {
            evict()
        }
        byID[id] = Entry(address: address, firstHand: firstHand || (byID[id]?.firstHand ?? false), stamp: clock)
    }

    mutating func forget(_ id: NodeID) {
        byID.removeValue(forKey: id)
    }

    /// True when `candidate` owns a shared address rather than `current`: first-hand beats
    /// hearsay; among first-hand bindings the latest wins, among hearsay the earliest.
    private static func claims(_ candidate: Entry, over current: Entry) -> Bool {
        if candidate.firstHand != current.firstHand { return candidate.firstHand }
        return candidate.firstHand ? candidate.stamp > current.stamp : candidate.stamp < current.stamp
    }

    /// Drops a tenth of the book: hearsay first, oldest first.
    private mutating func evict() {
        let victims = byID.sorted { a, b in
            a.value.firstHand != b.value.firstHand ? !a.value.firstHand : a.value.stamp < b.value.stamp
        }.prefix(max(1, capacity / 10))
        for (id, _) in victims { forget(id) }
    }
}
