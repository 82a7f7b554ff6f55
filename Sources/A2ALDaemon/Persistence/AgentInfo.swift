import A2ALCore

/// An agent identity the daemon holds, without its key.
package struct AgentInfo: Sendable, Equatable {
    package let address: Address
    package let label: String
    /// Unix seconds.
    package let createdAt: UInt64

    package init(address: Address, label: String, createdAt: UInt64) {
        self.address = address
        self.label = label
        self.createdAt = createdAt
    }

    /// The agent's DHT key.
    package var nodeID: NodeID { address.nodeID }
}
