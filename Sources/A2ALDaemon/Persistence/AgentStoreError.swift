import A2ALCore

package enum AgentStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store already holds this agent.
    case conflict(Address)
    /// The key given is unusable; the text says why.
    case invalidKey(String)
    /// The label is too long (`AgentLimits.maxLabelBytes`); the text says by how much.
    case invalidLabel(String)
    /// The store holds `limit` agents, as many as it may (`AgentLimits.maxAgents`).
    case full(limit: Int)
    /// The change could not be saved; the store is unchanged.
    case storage(DataFileError)

    package var description: String {
        switch self {
        case .conflict(let address): return "agent \(address) is already held"
        case .invalidKey(let reason): return "invalid private key: \(reason)"
        case .invalidLabel(let reason): return "invalid label: \(reason)"
        case .full(let limit): return "the daemon holds \(limit) agents, as many as it may"
        case .storage(let error): return "cannot save agents: \(error)"
        }
    }
}
