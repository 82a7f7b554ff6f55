import A2ALCore

/// The storing side of one-shot push subscriptions (docs/protocol.md, "One-shot push
/// subscriptions"): who asked, with FIND_VALUE `one_shot_subscribe`, to be pushed the next
/// record newly stored at a key.
///
/// Keyed, as the reference does, by (key, source IP:port): a second registration from the same
/// source only refreshes the expiry. Unlike the reference it is bounded per key, per source IP
/// and in total, so a subscriber cannot make us hold or send without limit.
struct PushSubscriberTable {
    struct Subscriber: Equatable {
        let address: PeerAddress
        let peer: NodeID
        var expires: Tick
        var registered: UInt64
    }

    enum Registration: Equatable {
        case added
        case refreshed
        /// The source already holds its share of subscriptions.
        case refusedSourceFull
    }

    private(set) var byKey: [NodeID: [Subscriber]] = [:]
    private var perSource: [String: Int] = [:]
    private(set) var count = 0
    private var sequence: UInt64 = 0

    let maxPerKey: Int
    let maxPerSource: Int
    let maxTotal: Int

    init(maxPerKey: Int = PushConstants.maxSubscribersPerKey, maxPerSource: Int = PushConstants.maxSubscriptionsPerSource,
         maxTotal: Int = PushConstants.maxSubscriptions) {
        self.maxPerKey = maxPerKey
        self.maxPerSource = maxPerSource
        self.maxTotal = maxTotal
    }

    /// What limits a source: its IP for UDP (all its ports together), else its transport name.
    static func sourceKey(_ address: PeerAddress) -> String {
        if let e = address.udp { return e.ip.normalized.description }
        return address.description
    }

    mutating func register(key: NodeID, address: PeerAddress, peer: NodeID, now: Tick) -> Registration {
        let expires = now + PushConstants.subscriptionLifetime
        sequence &+= 1
        if let i = byKey[key]?.firstIndex(where: { $0.address == address }) {
            byKey[key]?[i].expires = expires
            byKey[key]?[i].registered = sequence
            return .refreshed
        }
        let source = Self.sourceKey(address)
        if perSource[source, default: 0] >= maxPerSource {
            pruneExpired(now: now)
            if perSource[source, default: 0] >= maxPerSource { return .refusedSourceFull }
        }
        if byKey[key, default: []].count >= maxPerKey { removeOldest(in: key) }
        if count >= maxTotal {
            pruneExpired(now: now)
            if count >= maxTotal { removeOldestOverall() }
        }
        byKey[key, default: []].append(Subscriber(address: address, peer: peer, expires: expires, registered: sequence))
        perSource[source, default: 0] += 1
        count += 1
        return .added
    }

    /// Removes and returns the live subscribers of `key` (a push consumes every one of them).
    mutating func consume(_ key: NodeID, now: Tick) -> [Subscriber] {
        guard let subs = byKey.removeValue(forKey: key) else { return [] }
        for s in subs { forgetSource(s.address) }
        count -= subs.count
        return subs.filter { $0.expires > now }
    }

    /// Drops every expired registration.
    mutating func pruneExpired(now: Tick) {
        for key in Array(byKey.keys) {
            guard let subs = byKey[key] else { continue }
            let live = subs.filter { $0.expires > now }
            guard live.count != subs.count else { continue }
            for s in subs where s.expires <= now { forgetSource(s.address) }
            count -= subs.count - live.count
            byKey[key] = live.isEmpty ? nil : live
        }
    }

    private mutating func removeOldest(in key: NodeID) {
        guard let subs = byKey[key], let i = subs.indices.min(by: { subs[$0].registered < subs[$1].registered }) else { return }
        forgetSource(subs[i].address)
        byKey[key]?.remove(at: i)
        if byKey[key]?.isEmpty == true { byKey[key] = nil }
        count -= 1
    }

    private mutating func removeOldestOverall() {
        var oldest: (key: NodeID, registered: UInt64)?
        for (key, subs) in byKey {
            for s in subs where oldest == nil || s.registered < oldest!.registered { oldest = (key, s.registered) }
        }
        if let oldest { removeOldest(in: oldest.key) }
    }

    private mutating func forgetSource(_ address: PeerAddress) {
        let source = Self.sourceKey(address)
        let n = perSource[source, default: 0] - 1
        perSource[source] = n > 0 ? n : nil
    }
}

/// The subscriber side: pushes we may accept, one per (key, peer) we sent `one_shot_subscribe`
/// to and that answered with records. Anything else pushed at us is dropped and counted.
struct PushExpectations {
    private var entries: [Pair: Tick] = [:]
    let capacity: Int

    struct Pair: Hashable {
        let key: NodeID
        let peer: NodeID
    }

    init(capacity: Int = PushConstants.maxExpectations) { self.capacity = capacity }

    var count: Int { entries.count }

    mutating func expect(key: NodeID, from peer: NodeID, now: Tick) {
        if entries.count >= capacity, entries[Pair(key: key, peer: peer)] == nil {
            entries = entries.filter { $0.value > now }
            if entries.count >= capacity, let oldest = entries.min(by: { $0.value < $1.value })?.key { entries[oldest] = nil }
        }
        entries[Pair(key: key, peer: peer)] = now + PushConstants.subscriptionLifetime
    }

    /// Takes the expectation a push from `peer` at `key` fulfils; false when there is none.
    mutating func fulfil(key: NodeID, from peer: NodeID, now: Tick) -> Bool {
        guard let expires = entries.removeValue(forKey: Pair(key: key, peer: peer)) else { return false }
        return expires > now
    }

    mutating func forget(key: NodeID) { entries = entries.filter { $0.key.key != key } }
}
