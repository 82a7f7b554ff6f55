/// A peer remembered for a warm bootstrap after a restart.
package struct CachedPeer: Codable, Sendable, Equatable {
    /// 64 lowercase hex characters.
    package var nodeID: String
    /// The peer's address text.
    package var address: String
    /// "ip:port" or "[v6]:port".
    package var addr: String
    /// Unix seconds.
    package var lastSeen: UInt64

    package init(nodeID: String, address: String, addr: String, lastSeen: UInt64) {
        self.nodeID = nodeID
        self.address = address
        self.addr = addr
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id", address, addr, lastSeen = "last_seen"
    }
}
