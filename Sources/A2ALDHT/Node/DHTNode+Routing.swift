import A2ALCore
import A2ALProtocol

extension DHTNode {
    /// Acts on a routing insertion: a verified newcomer for a full bucket waits in the
    /// replacement cache while the bucket's oldest entry is pinged in the background
    /// (docs/deviations.md §2) — the caller never waits.
    func handle(_ outcome: AddOutcome) {
        guard case .checkLRU(let lru) = outcome else { return }
        let id = lru.contact.nodeID
        let target = state.withLock { $0.dial.address(of: id) } ?? lru.contact.endpoint.map { PeerAddress.udp($0) }
        guard let target, !isClosed else {
            state.withLock { $0.routing.resolveLRUCheck(id, alive: false, now: clock.now()) }
            return
        }
        spawnTracked { [weak self] in
            guard let self else { return }
            let alive: Bool
            do {
                _ = try await self.ping(target, expectedID: id, timeout: NodeConstants.lruCheckTimeout, attempts: 1)
                alive = true
            } catch {
                alive = false
            }
            self.state.withLock { $0.routing.resolveLRUCheck(id, alive: alive, now: self.clock.now()) }
        }
    }

    /// Adds a contact learned from a third party (FIND_*_RESP): hearsay that never evicts and
    /// never replaces a first-hand dial address (docs/deviations.md §2). Contacts whose node_id is
    /// not SHA-256(address) are dropped. Runs under the lock; nil means the contact was junk. The
    /// caller has checked that it is consistent and not us.
    func absorb(_ info: NodeInfo, learnedFrom: NodeID, now: Tick, _ s: inout NodeState) -> AddOutcome? {
        let contact = Contact(nodeInfo: info)
        if let e = contact.endpoint {
            guard admitsHearsay(e, from: learnedFrom, s) else { return nil }
            s.dial.bind(info.nodeID, .udp(e), firstHand: false)
        }
        return s.routing.add(contact, verifiedAt: nil, learnedFrom: learnedFrom, now: now)
    }

    /// Adds a contact we verified ourselves (a PONG, a user-configured contact).
    func addVerified(_ contact: Contact, dial: PeerAddress?) {
        let now = clock.now()
        let unix = clock.unixSeconds()
        let outcome = state.withLock { s -> AddOutcome in
            if let dial { s.dial.bind(contact.nodeID, dial, firstHand: true) }
            s.seen.record(contact.nodeID, unixSeconds: unix)
            return s.routing.add(contact, verifiedAt: now, learnedFrom: nil, now: now)
        }
        handle(outcome)
    }

    /// Neighbours for a FIND_NODE / FIND_VALUE answer (docs/node-behaviour.md §4.6): verified
    /// entries (fresh before stale) that are not Bad, padded with the healthiest hearsay when fewer
    /// than 8. Never the requester (docs/deviations.md §2) and never a contact that cannot be
    /// encoded. Junk endpoints are never passed on, and loopback ones only to a requester on
    /// loopback.
    func replyNeighbours(for target: NodeID, requester: NodeID?, requesterAddress: PeerAddress?, now: Tick) -> [NodeInfo] {
        state.withLock { s in
            let k = NodeConstants.k
            // Filtering during the table walk keeps this O(k) on the hot FIND_NODE path.
            let verified = s.routing.nearestVerified(to: target, count: k, freshCutoff: now - NodeConstants.verifiedFreshWindow) {
                guard $0.contact.nodeID != requester, $0.contact.address != nil, let e = $0.contact.endpoint else { return false }
                return sharesContact(e, with: requesterAddress) && s.health.health(of: $0.contact.nodeID) != .bad
            }
            var out = verified.compactMap(\.contact.nodeInfo)
            if out.count < NodeConstants.replyStarvationThreshold {
                var taken = Set(out.map(\.nodeID))
                for e in nearestHealthy(s, to: target, count: k) where out.count < k {
                    let id = e.contact.nodeID
                    guard id != requester, !taken.contains(id), let info = e.contact.nodeInfo,
                          sharesContact(info.endpoint, with: requesterAddress) else { continue }
                    out.append(info)
                    taken.insert(id)
                }
            }
            return out
        }
    }

    /// The `count` closest entries ordered Good, then Unknown, then Bad (distance order within
    /// each class) out of the 64 closest (docs/node-behaviour.md §4.6 NearestHealthy).
    func nearestHealthy(_ s: NodeState, to target: NodeID, count: Int) -> [RoutingEntry] {
        let near = s.routing.nearest(to: target, count: NodeConstants.replyScanWidth)
        var good: [RoutingEntry] = [], unknown: [RoutingEntry] = [], bad: [RoutingEntry] = []
        for e in near {
            switch s.health.health(of: e.contact.nodeID) {
            case .good: good.append(e)
            case .unknown: unknown.append(e)
            case .bad: bad.append(e)
            }
        }
        return Array((good + unknown + bad).prefix(count))
    }

    /// Public: the `count` closest known contacts ordered Good → Unknown → Bad.
    public func nearestHealthy(to target: NodeID, count: Int) -> [Contact] {
        state.withLock { nearestHealthy($0, to: target, count: count).map(\.contact) }
    }

    /// Public: the `count` closest contacts in the routing table, any health.
    public func nearest(to target: NodeID, count: Int) -> [Contact] {
        state.withLock { $0.routing.nearest(to: target, count: count).map(\.contact) }
    }

    /// Pins a user-configured contact (docs/node-behaviour.md §3.7): first-hand dial address and a
    /// verified routing entry; no traffic unless its bucket is full.
    public func addContact(_ address: PeerAddress, info: NodeInfo) {
        let contact = Contact(nodeID: info.nodeID, address: info.isConsistent ? info.address : nil, endpoint: address.udp)
        addVerified(contact, dial: address)
    }

    /// Makes `id` reachable at `address` without touching the routing table (docs/node-behaviour.md
    /// §3.8).
    public func bindPeerAddress(_ id: NodeID, _ address: PeerAddress) {
        state.withLock { $0.dial.bind(id, address, firstHand: true) }
    }

    /// The dial address known for `id`.
    public func dialAddress(of id: NodeID) -> PeerAddress? {
        state.withLock { $0.dial.address(of: id) }
    }

    /// Number of contacts in the routing table's main buckets.
    public var routingTableSize: Int { state.withLock { $0.routing.count } }

    /// Every contact in the routing table (bucket 0→255, oldest first within a bucket).
    public func routingEntries() -> [RoutingEntry] { state.withLock { $0.routing.allEntries() } }

    /// How many routing-table entries are in each health class, counted under one lock.
    public func routingHealthCounts() -> (good: Int, bad: Int, unknown: Int) {
        state.withLock { $0.routingHealthCounts() }
    }

    /// Addresses worth trying on the next cold start, Good → Unknown → Bad (docs/node-behaviour.md
    /// §10.4). UDP only.
    public func bootstrapCandidates(max: Int) -> [PeerAddress] {
        guard max > 0 else { return [] }
        return state.withLock { s in
            var seen = Set<PeerAddress>()
            var ranked: [(PeerHealth, PeerAddress)] = []
            for e in s.routing.allEntries() {
                let id = e.contact.nodeID
                let addr: PeerAddress?
                if let d = s.dial.address(of: id) {
                    addr = (d.udp?.port ?? 0) != 0 ? d : nil
                } else {
                    addr = e.contact.endpoint.map { .udp($0) }
                }
                guard let a = addr, seen.insert(a).inserted else { continue }
                ranked.append((s.health.health(of: id), a))
            }
            let order: [PeerHealth: Int] = [.good: 0, .unknown: 1, .bad: 2]
            // Stable within a class: keep table order.
            let sorted = ranked.enumerated().sorted {
                let (a, b) = (order[$0.element.0] ?? 3, order[$1.element.0] ?? 3)
                return a != b ? a < b : $0.offset < $1.offset
            }
            return sorted.prefix(max).map(\.element.1)
        }
    }

    /// Routing maintenance without the network: passive mode skips bucket refills
    /// (docs/node-behaviour.md §10.1).
    public func setPassiveRouting(_ passive: Bool) { state.withLock { $0.passiveRouting = passive } }
    public var isPassiveRouting: Bool { state.withLock { $0.passiveRouting } }
}
