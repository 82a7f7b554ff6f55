/// A peer remembered for a warm bootstrap after a restart.
public struct CachedPeer: Codable, Sendable, Equatable {
    /// 64 lowercase hex characters.
    public var nodeID: String
    /// The peer's address text.
    public var address: String
    /// "ip:port" or "[v6]:port".
    public var addr: String
    /// Unix seconds.
    public var lastSeen: UInt64

    public init(nodeID: String, address: String, addr: String, lastSeen: UInt64) {
        self.nodeID = nodeID
        self.address = address
        self.addr = addr
        self.lastSeen = lastSeen
    }

    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id", address, addr, lastSeen = "last_seen"
    }
}
