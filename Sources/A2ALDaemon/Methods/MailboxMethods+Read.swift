import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

extension MailboxMethods {
    /// mailbox.read: every mailbox record at the agent's node ID (the network's and our own
    /// copies), opened with the agent's key. Records that do not open — addressed to someone
    /// else, tampered with, malformed — are skipped and counted in `"undecryptable"`. Each note
    /// is entered in the ledger (`MailboxLedger`), which gives it its cursor; `since` leaves out
    /// notes at or below a cursor an earlier read returned, and acked notes are left out unless
    /// `include_acked` (docs/jsonrpc.md, "mailbox.*").
    static func read(_ call: RPCCall, node: DHTNode, agents: AgentStore, ledger: MailboxLedger) async throws(RPCError) -> JSONObject {
        let params = call.params
        let agent = try params.address("agent")
        let since = try params.optionalU64("since") ?? 0
        let includeAcked = try params.bool("include_acked", default: false)
        let timeout = try params.timeout(defaultMs: defaultTimeoutMs)
        try params.finish()
        guard let keyPair = agents.privateKey(for: agent) else {
            throw .app(.notFound, "mailbox.read: no agent \(agent.text) is held by this daemon (see agent.list)",
                       ["agent": .string(agent.text)])
        }
        let records = try await withCallTimeout(timeout, "mailbox.read") { () async throws -> [SignedRecord] in
            do throws(DHTError) {
                return try await node.aggregateRecords(agent.nodeID, recType: RecordType.mailbox,
                                                       timeout: lookupDeadline(within: timeout)).map(\.record)
            } catch .noMatchingRecords {
                return []
            } catch {
                throw error
            }
        }
        var opened: [(record: SignedRecord, message: MailboxMessage, sender: Address)] = []
        var undecryptable = 0
        for record in records.sorted(by: { ($0.timestamp, $0.seq) < ($1.timestamp, $1.seq) }) {
            guard let o = try? MailboxCrypto.open(record: record, ownAddress: agent, ownSeed: keyPair.seed) else {
                undecryptable += 1
                continue
            }
            opened.append((record, o.message, o.sender))
        }
        let seen: (entries: [String: MailboxLedger.Entry], highest: UInt64)
        do throws(DataFileError) {
            seen = try ledger.observe(agent: agent.text,
                                      notes: opened.map { (MailboxLedger.noteID($0.record.encoded), $0.record.expiresAt) },
                                      now: SystemClock().unixSeconds())
        } catch {
            throw .storageError(error, "mailbox.read")
        }
        var messages: [JSONValue] = []
        for note in opened {
            guard let entry = seen.entries[MailboxLedger.noteID(note.record.encoded)] else { continue }
            guard entry.cursor > since, includeAcked || !entry.acked else { continue }
            var o = render(note.message, from: note.sender, record: note.record)
            o["acked"] = .bool(entry.acked)
            o["cursor"] = .decimal(entry.cursor)
            messages.append(.object(o))
        }
        return ["messages": .array(messages), "undecryptable": .integer(undecryptable),
                "cursor": .decimal(max(since, seen.highest))]
    }

    /// mailbox.ack: marks notes a read returned as handled, kept in the ledger across restarts.
    static func ack(_ call: RPCCall, agents: AgentStore, ledger: MailboxLedger) throws(RPCError) -> JSONObject {
        let params = call.params
        let agent = try params.address("agent")
        guard let ids = try params.stringArray("ids", maxCount: maxAckIDs, maxLength: 64) else {
            throw params.invalid("ids", "required array of note ids (the `id` of each message mailbox.read returned)")
        }
        try params.finish()
        guard !ids.isEmpty else { throw params.invalid("ids", "empty; give at least one note id") }
        guard agents.contains(agent) else {
            throw .app(.notFound, "mailbox.ack: no agent \(agent.text) is held by this daemon (see agent.list)",
                       ["agent": .string(agent.text)])
        }
        do throws(MailboxAckError) {
            return ["acked": .integer(try ledger.ack(agent: agent.text, ids: ids))]
        } catch {
            switch error {
            case .unknownNote(let index, let id):
                throw params.invalid("ids[\(index)]", "no note \(id) of this agent: give ids mailbox.read returned (notes that expired are forgotten)")
            case .storage(let e):
                throw .storageError(e, "mailbox.ack")
            }
        }
    }

    /// Most note ids one `mailbox.ack` takes.
    static let maxAckIDs = 1000

    /// `{"id", "from", "msg_type", "text", "data", "sent_at", "expires_at"}`; `text` is the
    /// body when it is valid UTF-8 (null otherwise), `data` is always the body.
    static func render(_ message: MailboxMessage, from sender: Address, record: SignedRecord) -> JSONObject {
        let body = message.body ?? []
        let text = String(validating: body, as: UTF8.self)
        return [
            "id": .string(MailboxLedger.noteID(record.encoded)),
            "from": .string(sender.text),
            "msg_type": .integer(message.msgType),
            "text": .optional(text),
            "data": .string(Base64Text.encode(body)),
            "sent_at": .integer(record.timestamp),
            "expires_at": .integer(record.expiresAt),
        ]
    }
}
