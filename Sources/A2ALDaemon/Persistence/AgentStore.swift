import A2ALCore
import A2ALDHT
import A2ALThreads
import Logging

/// The agent identities the daemon holds: `agents.json` (a snapshot) and `agents.journal` (the
/// changes since), both mode 0600 (docs/jsonrpc.md, "Configuration and data directory").
///
/// A change is appended to the journal and fsynced before it takes effect in memory, so what
/// the daemon uses is always what a restart would load, a failed write leaves the store as it
/// was, and a change costs the same with 10 agents or 4,000. The snapshot is rewritten (and the
/// journal emptied) only after at least as many changes as it held agents, so its cost is
/// amortised to a constant per change. The number of agents and their labels are bounded
/// (`AgentLimits`) so that both files always load again.
package final class AgentStore: Sendable {
    package let path: String
    package let journalPath: String
    package let maxAgents: Int
    /// Fewest changes between two snapshots, so a small store is not rewritten at every change.
    static let minChangesPerSnapshot = 64

    private let state: SleepingLock<AgentStoreState>
    private let logger: Logger

    /// Loads the store; missing files are an empty store. Every entry is checked (its seed must
    /// derive its address), and any fault is an error naming the file and the entry. A torn last
    /// journal line (a crash mid-write) is ignored and logged.
    package init(path: String, journalPath: String? = nil, maxAgents: Int = AgentLimits.maxAgents,
                logger: Logger = DHTNode.silentLogger) throws(DataFileError) {
        self.path = path
        self.journalPath = journalPath ?? Self.defaultJournalPath(for: path)
        self.maxAgents = maxAgents
        self.logger = logger
        let loaded = try AgentStoreLoader.load(snapshot: path, journal: self.journalPath)
        if loaded.tornTailBytes > 0 {
            logger.warning("ignoring the torn last line of the agents journal (an interrupted write)",
                           metadata: ["file": "\(self.journalPath)", "bytes": "\(loaded.tornTailBytes)"])
        }
        state = SleepingLock(AgentStoreState(loaded, journalPath: self.journalPath))
    }

    /// `agents.journal` beside `agents.json`.
    static func defaultJournalPath(for path: String) -> String {
        (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".journal"
    }

    package func list() -> [AgentInfo] {
        state.withLock { $0.agents.map(\.info) }
    }

    /// Agents held.
    package var count: Int { state.withLock { $0.agents.count } }

    package func contains(_ address: Address) -> Bool {
        state.withLock { $0.agent(address) != nil }
    }

    /// The agent's signing key pair (which holds its seed and public key).
    package func privateKey(for address: Address) -> Ed25519.KeyPair? {
        state.withLock { $0.agent(address)?.keyPair }
    }

    /// The agent's 32-byte Ed25519 seed, for export.
    package func seed(for address: Address) -> [UInt8]? {
        privateKey(for: address)?.seed
    }

    package func info(for address: Address) -> AgentInfo? {
        state.withLock { $0.agent(address)?.info }
    }

    /// Creates a fresh identity and saves it before returning it.
    package func create(label: String, now: UInt64) throws(AgentStoreError) -> AgentInfo {
        try add(HeldAgent(keyPair: .generate(), label: label, createdAt: now))
    }

    /// Adds an existing identity from its 32-byte Ed25519 seed.
    package func importSeed(_ seed: [UInt8], label: String, now: UInt64) throws(AgentStoreError) -> AgentInfo {
        guard seed.count == Ed25519.seedCount else {
            throw .invalidKey("an Ed25519 seed is 32 bytes, got \(seed.count)")
        }
        let pair: Ed25519.KeyPair
        do {
            pair = try Ed25519.KeyPair(seed: seed)
        } catch {
            throw .invalidKey("\(error)")
        }
        return try add(HeldAgent(keyPair: pair, label: label, createdAt: now))
    }

    /// Forgets an agent and its key. False when the store did not hold it.
    package func remove(_ address: Address) throws(AgentStoreError) -> Bool {
        try state.withLock { (s: inout AgentStoreState) throws(AgentStoreError) -> Bool in
            guard s.agent(address) != nil else { return false }
            try record(.remove(address), in: &s)
            s.remove(address)
            snapshotIfDue(&s)
            return true
        }
    }

    private func add(_ agent: HeldAgent) throws(AgentStoreError) -> AgentInfo {
        guard agent.label.utf8.count <= AgentLimits.maxLabelBytes else {
            throw .invalidLabel("\(agent.label.utf8.count) bytes; at most \(AgentLimits.maxLabelBytes) allowed")
        }
        return try state.withLock { (s: inout AgentStoreState) throws(AgentStoreError) -> AgentInfo in
            guard s.agent(agent.address) == nil else { throw .conflict(agent.address) }
            guard s.agents.count < maxAgents else { throw .full(limit: maxAgents) }
            try record(.add(agent), in: &s)
            s.insert(agent)
            snapshotIfDue(&s)
            return agent.info
        }
    }

    /// Makes one change durable in the journal. A journal that a failing snapshot let grow
    /// towards what the loader reads, or that was deleted under us, is replaced by a snapshot
    /// first, and the change refused if that fails.
    private func record(_ line: AgentJournalLine, in s: inout AgentStoreState) throws(AgentStoreError) {
        do throws(DataFileError) {
            let bytes = try line.encoded(path: journalPath)
            if s.journal.isDetached() {
                // Its lines are out of reach: only a snapshot keeps them, and until one is written
                // no new journal may start (it would lack them).
                s.snapshotOwed = true
            }
            if s.snapshotOwed || s.journal.length + bytes.count > JSONDataFile.maxBytes / 2 {
                try snapshot(&s)
            }
            try s.journal.append(bytes)
        } catch {
            throw .storage(error)
        }
    }

    /// Rewrites `agents.json` once the journal holds at least as many changes as the snapshot
    /// held agents (and no fewer than `minChangesPerSnapshot`), or when there is no snapshot
    /// yet. The change is already durable in the journal, so a failure here is only logged.
    private func snapshotIfDue(_ s: inout AgentStoreState) {
        guard !s.snapshotExists || s.journal.lines >= max(s.snapshotCount, Self.minChangesPerSnapshot) else { return }
        do throws(DataFileError) {
            try snapshot(&s)
        } catch {
            logger.warning("cannot rewrite the agents snapshot; the journal keeps every change",
                           metadata: ["err": "\(error)"])
        }
    }

    /// Writes every agent to `agents.json` atomically, then empties the journal. A crash in
    /// between leaves a journal whose lines the snapshot already holds, which replay ignores.
    private func snapshot(_ s: inout AgentStoreState) throws(DataFileError) {
        try JSONDataFile.write(AgentsFile(version: AgentsFile.currentVersion, agents: s.agents.map(\.fileEntry)), to: path)
        s.snapshotExists = true
        s.snapshotCount = s.agents.count
        s.snapshotsWritten += 1
        s.entriesSnapshotted += s.agents.count
        try s.journal.empty()
        s.snapshotOwed = false
    }

    /// Writes `agents.json` now and empties the journal (tests use it to stage crashes).
    func writeSnapshot() throws(DataFileError) {
        try state.withLock { (s: inout AgentStoreState) throws(DataFileError) in try snapshot(&s) }
    }

    /// Snapshots written since the store was opened, and the entries they held in all: what
    /// tests of the amortisation count.
    var snapshotWrites: (snapshots: Int, entries: Int) {
        state.withLock { ($0.snapshotsWritten, $0.entriesSnapshotted) }
    }
}
