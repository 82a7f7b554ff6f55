import A2ALCore

/// The on-disk form of `agents.json`:
///
///     {"version": 1, "agents": [{"address": text, "private_key": hex seed,
///                                "label": str, "created_at": unix}]}
struct AgentsFile: Codable {
    static let currentVersion = 1

    var version: Int
    var agents: [Entry]

    struct Entry: Codable {
        var address: String
        var privateKey: String
        var label: String
        var createdAt: UInt64

        enum CodingKeys: String, CodingKey {
            case address
            case privateKey = "private_key"
            case label
            case createdAt = "created_at"
        }
    }
}

/// One agent as the store holds it in memory.
struct HeldAgent: Sendable {
    let keyPair: Ed25519.KeyPair
    let label: String
    let createdAt: UInt64
    /// Derived once: `keyPair.address` hashes the public key every time it is asked.
    let address: Address

    var info: AgentInfo { AgentInfo(address: address, label: label, createdAt: createdAt) }

    var fileEntry: AgentsFile.Entry {
        AgentsFile.Entry(address: address.text, privateKey: Hex.encode(keyPair.seed),
                         label: label, createdAt: createdAt)
    }

    /// Validates an entry read from disk; the reason says what is wrong with it.
    init(entry: AgentsFile.Entry) throws(AgentEntryFault) {
        let address: Address
        do {
            address = try Address(text: entry.address)
        } catch {
            throw AgentEntryFault("address \"\(entry.address)\" is not a valid address (\(error))")
        }
        guard address.version == Address.Version.ed25519.rawValue else {
            throw AgentEntryFault("address \(entry.address) is not an Ed25519 (0xa0) address")
        }
        guard entry.privateKey.utf8.count == 64, let seed = Hex.decode(entry.privateKey) else {
            throw AgentEntryFault("private_key must be 64 hex characters (a 32-byte Ed25519 seed)")
        }
        let pair: Ed25519.KeyPair
        do {
            pair = try Ed25519.KeyPair(seed: seed)
        } catch {
            throw AgentEntryFault("private_key is unusable: \(error)")
        }
        guard pair.address == address else {
            throw AgentEntryFault("private_key does not belong to address \(entry.address) (it derives \(pair.address))")
        }
        self.init(keyPair: pair, label: entry.label, createdAt: entry.createdAt)
    }

    init(keyPair: Ed25519.KeyPair, label: String, createdAt: UInt64) {
        self.keyPair = keyPair
        self.label = label
        self.createdAt = createdAt
        address = keyPair.address
    }
}

struct AgentEntryFault: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
