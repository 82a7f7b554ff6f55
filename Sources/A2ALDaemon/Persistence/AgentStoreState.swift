import A2ALCore

/// What `AgentStore` guards with its lock: the agents (in order and by address) and where the
/// files stand.
struct AgentStoreState: Sendable {
    /// Ordered by creation time (ties in insertion order), as `agent.list` shows them.
    private(set) var agents: [HeldAgent]
    /// The same agents by address: lookups (every publish and renewal signs through one) must
    /// not walk thousands of agents.
    private var byAddress: [Address: HeldAgent]
    var journal: AgentJournal
    var snapshotExists: Bool
    /// Agents in `agents.json` when it was last written or read.
    var snapshotCount: Int
    /// Set when the journal was lost under us: the next change must write a snapshot first.
    var snapshotOwed = false
    var snapshotsWritten = 0
    var entriesSnapshotted = 0

    init(_ loaded: LoadedAgents, journalPath: String) {
        agents = loaded.agents
        byAddress = Dictionary(loaded.agents.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
        journal = AgentJournal(path: journalPath, length: loaded.journalLength, lines: loaded.journalLines)
        snapshotExists = loaded.snapshotExists
        snapshotCount = loaded.snapshotCount
    }

    func agent(_ address: Address) -> HeldAgent? { byAddress[address] }

    /// Adds an agent the state does not hold, after those created at or before it.
    mutating func insert(_ agent: HeldAgent) {
        let position = agents.lastIndex { $0.createdAt <= agent.createdAt }.map { $0 + 1 } ?? 0
        agents.insert(agent, at: position)
        byAddress[agent.address] = agent
    }

    mutating func remove(_ address: Address) {
        guard byAddress.removeValue(forKey: address) != nil else { return }
        agents.removeAll { $0.address == address }
    }
}
