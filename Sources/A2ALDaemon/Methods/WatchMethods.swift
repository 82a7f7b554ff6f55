import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALRPC

/// `watch` and `unwatch` (docs/jsonrpc.md, "Watches"). A watch makes the daemon look for new
/// records at a key; what it finds arrives as the events `record_pushed` and
/// `mailbox_received`, which a client `subscribe`s to on the same connection like any other
/// event. Watches, like subscriptions, end with the connection that made them.
enum WatchMethods {
    static func register(into router: inout RPCRouter, watches: WatchRegistry, agents: AgentStore) {
        router.register("watch", summary: "Watch a key, a topic or an agent's mailbox for new records (events record_pushed, mailbox_received)") { call in
            let p = call.params
            let target = try target(p, agents: agents)
            let intervalMs = try p.int("poll_interval_ms", in: WatchLimits.pollIntervalRangeMs, default: WatchLimits.defaultPollIntervalMs)
            try p.finish()
            let id = try watches.add(target, interval: .milliseconds(intervalMs), connection: call.connection.id)
            return ["watch_id": .string(id), "key": .string(target.key.description)]
        }
        router.register("unwatch", summary: "End a watch of this connection") { call in
            let p = call.params
            let id = try p.string("watch_id")
            try p.finish()
            guard watches.remove(id, connection: call.connection.id) else {
                throw p.invalid("watch_id", "no watch \(id) on this connection")
            }
            return ["unwatched": true]
        }
    }

    /// Exactly one of `key` (with an optional `rec_type`), `topic` or `agent`.
    static func target(_ p: RPCParams, agents: AgentStore) throws(RPCError) -> WatchTarget {
        let key = try p.optionalNodeID("key")
        let topic = try p.optionalString("topic")
        let agent = try p.optionalAddress("agent")
        let recType = try p.optionalInt("rec_type", in: 0...255)
        let given = [(key != nil, "key"), (topic != nil, "topic"), (agent != nil, "agent")].filter(\.0).map(\.1)
        guard given.count == 1 else {
            if given.isEmpty { throw p.invalid("key", "give exactly one of key, topic or agent") }
            throw p.invalid(given[1], "give exactly one of key, topic or agent, not \(given.joined(separator: " and "))")
        }
        if recType != nil, key == nil {
            throw p.invalid("rec_type", "only with key: a topic watch reads topic records, an agent watch its notes (0x80-0x8F)")
        }
        switch (key, topic, agent) {
        case (let key?, _, _):
            return .key(key, recType: UInt8(recType ?? 0))
        case (_, let topic?, _):
            guard !topic.isEmpty else { throw p.invalid("topic", "must not be empty") }
            return .topic(topic)
        case (_, _, let agent?):
            // Only the daemon can open an agent's notes, so only its own agents' mailboxes
            // can be watched; anyone else's key can be watched raw with `key`.
            guard agents.contains(agent) else {
                throw p.invalid("agent", "no agent \(agent.text) is held by this daemon (see agent.list)")
            }
            return .agent(agent)
        default:
            throw p.invalid("key", "give exactly one of key, topic or agent")
        }
    }
}
