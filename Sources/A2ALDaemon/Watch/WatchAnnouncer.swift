import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// Where a new record at a watched key came from.
enum WatchSource: Sendable, Equatable {
    case poll
    /// A peer's DHT_PUSH answering our one-shot subscription; `from` is the pusher's node id.
    case push(from: NodeID)

    var name: String {
        switch self {
        case .poll: return "poll"
        case .push: return "push"
        }
    }
}

/// Turns a watched key's new records into the `record_pushed` and `mailbox_received` events
/// of docs/jsonrpc.md ("Watches"). It is handed only records that verified and were not
/// announced before; it renders them and queues lines (`EventHub.publish` never waits on a
/// client), and skips the rendering when nobody is subscribed.
struct WatchAnnouncer: Sendable {
    static let recordPushed = "record_pushed"
    static let mailboxReceived = "mailbox_received"
    static let eventNames = [recordPushed, mailboxReceived]

    let hub: EventHub
    let agents: AgentStore

    /// One new record at `key`, wanted by at least one of `targets` (the key's watches).
    func announce(_ record: VerifiedRecord, key: NodeID, targets: [WatchTarget], source: WatchSource) {
        if targets.contains(where: { $0.announcesRecord(record.recType) }), hub.hasSubscribers(Self.recordPushed) {
            hub.publish(Self.recordPushed, Self.recordPushedEvent(record, key: key, source: source))
        }
        guard hub.hasSubscribers(Self.mailboxReceived) else { return }
        var opened: [Address] = []
        for agent in targets.compactMap({ $0.mailboxAgent(for: record.recType) }) where !opened.contains(agent) {
            opened.append(agent)
            if let event = mailboxReceivedEvent(record.record, key: key, agent: agent, source: source) {
                hub.publish(Self.mailboxReceived, event)
            }
        }
    }

    /// `{"key", "source", "from"?, "record"}`; the record as every method renders one.
    static func recordPushedEvent(_ record: VerifiedRecord, key: NodeID, source: WatchSource) -> JSONObject {
        var event: JSONObject = ["key": .string(key.description), "source": .string(source.name)]
        if case .push(let from) = source { event["from"] = .string(from.description) }
        event["record"] = RecordJSON.render(record, key: key)
        return event
    }

    /// `{"agent", "key", "seq", "source", "message"}`, the note opened with the agent's key
    /// and rendered as `mailbox.read` renders it; nil when the daemon no longer holds the agent
    /// or the note does not open with its key (addressed to someone else, or damaged). Only
    /// the decrypted note leaves: never the agent's key, nor the note's ciphertext.
    func mailboxReceivedEvent(_ record: SignedRecord, key: NodeID, agent: Address, source: WatchSource) -> JSONObject? {
        guard let keyPair = agents.privateKey(for: agent),
              let opened = try? MailboxCrypto.open(record: record, ownAddress: agent, ownSeed: keyPair.seed) else { return nil }
        return [
            "agent": .string(agent.text),
            "key": .string(key.description),
            "seq": .decimal(record.seq),
            "source": .string(source.name),
            "message": .object(MailboxMethods.render(opened.message, from: opened.sender, record: record)),
        ]
    }
}
