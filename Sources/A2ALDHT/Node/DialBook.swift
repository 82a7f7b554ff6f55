import A2ALCore
import A2ALProtocol

/// Where to send to reach a node, and which node sits behind an address.
///
/// Addresses learned first-hand (the source of a verified packet, a successful ping, a pinned
/// contact) are never overwritten by hearsay from a third party's node list (docs/deviations.md
/// §2). Bounded: when full, hearsay entries go first, then the least recently set.
struct DialBook {
    struct Entry {
        var address: PeerAddress
        var firstHand: Bool
        var stamp: UInt64
    }

    let capacity: Int
    private var byID: [NodeID: Entry] = [:]
    private var byAddress: [PeerAddress: NodeID] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    func address(of id: NodeID) -> PeerAddress? { byID[id]?.address }
    func node(at address: PeerAddress) -> NodeID? { byAddress[address] }
    func isFirstHand(_ id: NodeID) -> Bool { byID[id]?.firstHand ?? false }
    var count: Int { byID.count }

    /// Binds `id` ↔ `address`. Hearsay does not replace a first-hand address.
    mutating func bind(_ id: NodeID, _ address: PeerAddress, firstHand: Bool) {
        clock += 1
        if let old = byID[id] {
            if old.firstHand && !firstHand { return }
            if old.address != address, byAddress[old.address] == id { byAddress[old.address] = nil }
        } else if byID.count >= capacity {
            evict()
        }
        byID[id] = Entry(address: address, firstHand: firstHand || (byID[id]?.firstHand ?? false), stamp: clock)
        if firstHand || byAddress[address] == nil { byAddress[address] = id }
    }

    mutating func forget(_ id: NodeID) {
        guard let e = byID.removeValue(forKey: id) else { return }
        if byAddress[e.address] == id { byAddress[e.address] = nil }
    }

    /// Drops a tenth of the book: hearsay first, oldest first.
    private mutating func evict() {
        let victims = byID.sorted { a, b in
            a.value.firstHand != b.value.firstHand ? !a.value.firstHand : a.value.stamp < b.value.stamp
        }.prefix(max(1, capacity / 10))
        for (id, _) in victims { forget(id) }
    }
}
