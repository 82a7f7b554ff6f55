import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

extension MailboxMethods {
    /// mailbox.read: every mailbox record at the agent's node ID (the network's and our own
    /// copies), opened with the agent's key. Records that do not open — addressed to someone
    /// else, tampered with, malformed — are skipped and counted in `"undecryptable"`.
    static func read(_ call: RPCCall, node: DHTNode, agents: AgentStore) async throws(RPCError) -> JSONObject {
        let params = call.params
        let agent = try params.address("agent")
        let timeout = try params.timeout(defaultMs: defaultTimeoutMs)
        try params.finish()
        guard let keyPair = agents.privateKey(for: agent) else {
            throw .app(.notFound, "mailbox.read: no agent \(agent.text) is held by this daemon (see agent.list)",
                       ["agent": .string(agent.text)])
        }
        let records = try await withCallTimeout(timeout, "mailbox.read") { () async throws -> [SignedRecord] in
            do throws(DHTError) {
                return try await node.aggregateRecords(agent.nodeID, recType: RecordType.mailbox,
                                                       timeout: lookupDeadline(within: timeout))
            } catch .noMatchingRecords {
                return []
            }
        }
        var messages: [JSONValue] = []
        var undecryptable = 0
        for record in records.sorted(by: { ($0.timestamp, $0.seq) < ($1.timestamp, $1.seq) }) {
            guard let opened = try? MailboxCrypto.open(record: record, ownAddress: agent, ownSeed: keyPair.seed) else {
                undecryptable += 1
                continue
            }
            messages.append(.object(render(opened.message, from: opened.sender, record: record)))
        }
        return ["messages": .array(messages), "undecryptable": .integer(undecryptable)]
    }

    /// `{"from", "msg_type", "text", "data", "sent_at", "expires_at"}`; `text` is the body when
    /// it is valid UTF-8 (null otherwise), `data` is always the body.
    static func render(_ message: MailboxMessage, from sender: Address, record: SignedRecord) -> JSONObject {
        let body = message.body ?? []
        let text = String(validating: body, as: UTF8.self)
        return [
            "from": .string(sender.text),
            "msg_type": .integer(message.msgType),
            "text": .optional(text),
            "data": .string(Base64Text.encode(body)),
            "sent_at": .integer(record.timestamp),
            "expires_at": .integer(record.expiresAt),
        ]
    }
}
