import A2ALCore
import A2ALDHT
import A2ALProtocol

/// Keeps `peers.json` current so a restarted daemon rejoins through peers it knew, without
/// depending on configured seeds. Saved soon after the table first holds a few verified peers,
/// when they change noticeably, every few minutes anyway (`PeerCacheSchedule`) and at shutdown.
struct PeerCacheKeeper: Sendable {
    static let saveInterval: Duration = .seconds(300)
    /// Cached peers tried at start-up; a handful answering is enough to rejoin.
    static let warmBootstrapPeers = 16

    let node: DHTNode
    let cache: PeerCache
    let clock: any NodeClock

    /// Peers we verified ourselves, most recently seen first.
    func snapshot() -> [CachedPeer] {
        let now = clock.now()
        let unix = clock.unixSeconds()
        let entries = node.routingEntries()
            .filter { $0.verifiedAt != nil && $0.contact.endpoint != nil && $0.contact.address != nil }
            .sorted { $0.lastSeen > $1.lastSeen }
        return entries.compactMap { e -> CachedPeer? in
            guard let endpoint = e.contact.endpoint, let address = e.contact.address else { return nil }
            let age = now - e.lastSeen
            let seconds = UInt64(max(0, age.components.seconds))
            return CachedPeer(nodeID: e.contact.nodeID.description, address: address.description,
                              addr: PeerAddress.udp(endpoint).description, lastSeen: unix >= seconds ? unix - seconds : 0)
        }
    }

    func save() throws(DataFileError) {
        let peers = snapshot()
        // An empty table (offline, or just started) must not wipe a useful cache.
        guard !peers.isEmpty else { return }
        try cache.save(peers)
    }

    /// Dialable addresses of cached peers, most recently seen first.
    func warmAddresses() -> [PeerAddress] {
        cache.load().sorted { $0.lastSeen > $1.lastSeen }.prefix(Self.warmBootstrapPeers).compactMap { p in
            guard let (host, port) = AddressResolver.split(p.addr), let ip = IPAddress(text: host) else { return nil }
            return .udp(WireEndpoint(ip: ip, port: port))
        }
    }
}
