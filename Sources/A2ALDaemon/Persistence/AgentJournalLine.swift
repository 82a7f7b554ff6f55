import A2ALCore
import Foundation

/// One line of `agents.journal` (compact JSON, then `\n`):
///
///     {"address": text, "created_at": unix, "label": str, "op": "add", "private_key": hex seed}
///     {"address": text, "op": "remove"}
///
/// Replaying a line sets the agent's state rather than changing it ("add" holds the agent with
/// these fields whether or not it was held, "remove" forgets it if held), so replaying lines that
/// `agents.json` already reflects — after a crash between writing the snapshot and emptying the
/// journal — changes nothing.
struct AgentJournalLine: Codable {
    enum Op: String, Codable {
        case add, remove
    }

    var op: Op
    var address: String
    var privateKey: String?
    var label: String?
    var createdAt: UInt64?

    enum CodingKeys: String, CodingKey {
        case op, address
        case privateKey = "private_key"
        case label
        case createdAt = "created_at"
    }

    static func add(_ agent: HeldAgent) -> AgentJournalLine {
        let entry = agent.fileEntry
        return AgentJournalLine(op: .add, address: entry.address, privateKey: entry.privateKey, label: entry.label,
                                createdAt: entry.createdAt)
    }

    static func remove(_ address: Address) -> AgentJournalLine {
        AgentJournalLine(op: .remove, address: address.text)
    }

    /// The line as written: compact JSON (which escapes every control character, so the only
    /// `\n` is the last byte).
    func encoded(path: String) throws(DataFileError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw DataFileError(path: path, reason: "cannot encode a journal line: \(error)")
        }
    }

    /// The agent an "add" line holds, validated as `agents.json` entries are.
    func agent() throws(AgentEntryFault) -> HeldAgent {
        guard let privateKey, let label, let createdAt else {
            throw AgentEntryFault("an \"add\" needs private_key, label and created_at")
        }
        return try HeldAgent(entry: AgentsFile.Entry(address: address, privateKey: privateKey, label: label,
                                                     createdAt: createdAt))
    }
}
