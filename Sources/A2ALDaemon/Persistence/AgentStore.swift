import A2ALCore
import Glibc
import Synchronization

/// The agent identities the daemon holds, kept in `agents.json` (mode 0600).
///
/// Every change rewrites the file atomically before it takes effect in memory, so what the
/// daemon uses is always what a restart would load; a failed write leaves the store as it was.
public final class AgentStore: Sendable {
    public let path: String
    /// Ordered by creation time (ties in insertion order).
    private let agents: Mutex<[HeldAgent]>

    /// Loads the store; a missing file is an empty store. Every entry is checked (its seed
    /// must derive its address), and any fault is an error naming the file and the entry.
    public init(path: String) throws(DataFileError) {
        self.path = path
        agents = Mutex(try Self.load(path))
    }

    public func list() -> [AgentInfo] {
        agents.withLock { $0.map(\.info) }
    }

    /// Agents held.
    public var count: Int { agents.withLock { $0.count } }

    public func contains(_ address: Address) -> Bool {
        agents.withLock { $0.contains { $0.address == address } }
    }

    /// The agent's signing key pair (which holds its seed and public key).
    public func privateKey(for address: Address) -> Ed25519.KeyPair? {
        agents.withLock { $0.first { $0.address == address }?.keyPair }
    }

    /// The agent's 32-byte Ed25519 seed, for export.
    public func seed(for address: Address) -> [UInt8]? {
        privateKey(for: address)?.seed
    }

    public func info(for address: Address) -> AgentInfo? {
        agents.withLock { $0.first { $0.address == address }?.info }
    }

    /// Creates a fresh identity and saves it before returning it.
    public func create(label: String, now: UInt64) throws(AgentStoreError) -> AgentInfo {
        try add(HeldAgent(keyPair: .generate(), label: label, createdAt: now))
    }

    /// Adds an existing identity from its 32-byte Ed25519 seed.
    public func importSeed(_ seed: [UInt8], label: String, now: UInt64) throws(AgentStoreError) -> AgentInfo {
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
    public func remove(_ address: Address) throws(AgentStoreError) -> Bool {
        try agents.withLock { (held: inout [HeldAgent]) throws(AgentStoreError) -> Bool in
            guard let index = held.firstIndex(where: { $0.address == address }) else { return false }
            var next = held
            next.remove(at: index)
            try save(next)
            held = next
            return true
        }
    }

    private func add(_ agent: HeldAgent) throws(AgentStoreError) -> AgentInfo {
        try agents.withLock { (held: inout [HeldAgent]) throws(AgentStoreError) -> AgentInfo in
            guard !held.contains(where: { $0.address == agent.address }) else { throw .conflict(agent.address) }
            var next = held
            let position = next.lastIndex { $0.createdAt <= agent.createdAt }.map { $0 + 1 } ?? 0
            next.insert(agent, at: position)
            try save(next)
            held = next
            return agent.info
        }
    }

    private func save(_ agents: [HeldAgent]) throws(AgentStoreError) {
        do throws(DataFileError) {
            try JSONDataFile.write(AgentsFile(version: AgentsFile.currentVersion, agents: agents.map(\.fileEntry)),
                                   to: path)
        } catch {
            throw .storage(error)
        }
    }

    private static func load(_ path: String) throws(DataFileError) -> [HeldAgent] {
        guard let bytes = try JSONDataFile.readIfPresent(path) else { return [] }
        try refuseOpenPermissions(path)
        let file = try JSONDataFile.decode(AgentsFile.self, from: bytes, path: path,
                                           version: AgentsFile.currentVersion)
        var loaded: [HeldAgent] = []
        loaded.reserveCapacity(file.agents.count)
        for (index, entry) in file.agents.enumerated() {
            let agent: HeldAgent
            do throws(AgentEntryFault) {
                agent = try HeldAgent(entry: entry)
            } catch {
                throw DataFileError(path: path, reason: "agents[\(index)]: \(error.text)")
            }
            if let first = loaded.firstIndex(where: { $0.address == agent.address }) {
                throw DataFileError(path: path, reason: "agents[\(index)]: the same address as agents[\(first)]")
            }
            loaded.append(agent)
        }
        // Keep the documented order even if someone edited the file by hand.
        return loaded.enumerated()
            .sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }
            .map(\.element)
    }

    /// The ssh rule, as for identity.key: private keys that group or others can read may
    /// already be compromised, and silently using them would hide that.
    private static func refuseOpenPermissions(_ path: String) throws(DataFileError) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }  // just read; a race here changes nothing
        let mode = UInt16(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else {
            throw DataFileError(path: path, reason: "permissions \(ConfigRules.octal(mode)) are too open: "
                + "the file holds private keys and must not be accessible by group or others; run chmod 600 on it")
        }
    }
}
