import A2ALCore
import A2ALProtocol

/// What one watch looks at (docs/jsonrpc.md, "Watches"): a DHT key (optionally one record
/// type), a topic, or the mailbox of an agent the daemon holds. Each comes down to one key,
/// which is what the node watches and polls.
struct WatchTarget: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A raw key; `recType` 0 means every type.
        case key(recType: UInt8)
        case topic(String)
        /// Notes (0x80–0x8F) at the agent's node ID, opened with its key.
        case agent(Address)
    }

    let kind: Kind
    let key: NodeID

    static func key(_ key: NodeID, recType: UInt8) -> WatchTarget { WatchTarget(kind: .key(recType: recType), key: key) }

    /// Topic records live at `TopicKey.key(for:)`, as `query.topic` reads them.
    static func topic(_ topic: String) -> WatchTarget { WatchTarget(kind: .topic(topic), key: TopicKey.key(for: topic)) }

    /// Notes to an agent are stored at its node ID (docs/protocol.md §4.8), as `mailbox.read` reads
    /// them.
    static func agent(_ address: Address) -> WatchTarget { WatchTarget(kind: .agent(address), key: address.nodeID) }

    /// Whether a new record of `recType` at the key is announced as `record_pushed` for this watch.
    func announcesRecord(_ recType: UInt8) -> Bool {
        switch kind {
        case .key(let wanted): return wanted == 0 || wanted == recType
        case .topic: return recType == RecordType.topic
        case .agent: return false
        }
    }

    /// The agent whose `mailbox_received` a new record of `recType` at the key becomes, if any.
    func mailboxAgent(for recType: UInt8) -> Address? {
        guard case .agent(let agent) = kind, RecordCategory(recType: recType) == .mailbox else { return nil }
        return agent
    }

    func wants(_ recType: UInt8) -> Bool { announcesRecord(recType) || mailboxAgent(for: recType) != nil }

    /// The type a poll asks for: the one type this watch wants, or 0 (every type) when it
    /// wants several (a mailbox spans 0x80–0x8F, and FIND_VALUE selects one type or all).
    var pollType: UInt8 {
        switch kind {
        case .key(let wanted): return wanted
        case .topic: return RecordType.topic
        case .agent: return 0
        }
    }
}
