import A2ALCore

/// An agent identity the daemon holds, without its key.
public struct AgentInfo: Sendable, Equatable {
    public let address: Address
    public let label: String
    /// Unix seconds.
    public let createdAt: UInt64

    public init(address: Address, label: String, createdAt: UInt64) {
        self.address = address
        self.label = label
        self.createdAt = createdAt
    }

    /// The agent's DHT key.
    public var nodeID: NodeID { address.nodeID }
}
