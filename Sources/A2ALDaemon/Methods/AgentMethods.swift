import A2ALCore
import A2ALRPC

/// The `agent.*` methods of docs/jsonrpc.md: identities the daemon holds. Keys stay in the
/// data directory; only `agent.export` hands one out, and only when asked to confirm.
package enum AgentMethods {
    /// Longest label accepted (a note for people, not a protocol field); the store enforces it
    /// too, so that `agents.json` always loads again (`AgentLimits`).
    package static let maxLabelBytes = AgentLimits.maxLabelBytes

    /// `mailbox`: where `agent.list` finds each agent's note counts (absent without it).
    package static func register(into router: inout RPCRouter, agents: AgentStore, publisher: Publisher,
                                mailbox: MailboxLedger? = nil) {
        router.register("agent.create", summary: "Create a new agent identity (Ed25519 key kept by the daemon)", blocks: true) { call in
            let label = try label(call.params)
            try call.params.finish()
            do throws(AgentStoreError) {
                return render(try agents.create(label: label, now: publisher.nowUnix()))
            } catch {
                throw error.rpcError("agent.create")
            }
        }
        router.register("agent.import", summary: "Import an agent identity from its 32-byte Ed25519 seed", blocks: true) { call in
            let seed = try call.params.hex("private_key", byteCount: 32)
            let label = try label(call.params)
            try call.params.finish()
            do throws(AgentStoreError) {
                return render(try agents.importSeed(seed, label: label, now: publisher.nowUnix()))
            } catch {
                throw error.rpcError("agent.import")
            }
        }
        router.register("agent.list", summary: "The agent identities the daemon holds") { call in
            try call.params.finish()
            let now = publisher.nowUnix()
            return ["agents": .array(agents.list().map { a in
                var o = render(a)
                if let mailbox {
                    let c = mailbox.counts(agent: a.address.text, now: now)
                    o["mailbox"] = ["unread": .integer(c.unread), "acked": .integer(c.acked)]
                }
                return .object(o)
            })]
        }
        router.register("agent.remove", summary: "Forget an agent and its key, withdrawing its publications", blocks: true) { call in
            let address = try call.params.address("address")
            try call.params.finish()
            // One step with its publications, so that a publish racing it cannot leave one behind.
            let withdrawn: Int?
            do throws(AgentRemovalError) {
                withdrawn = try publisher.removeAgent(address)
            } catch {
                switch error {
                case .publications(let e): throw e.rpcError("agent.remove")
                case .agents(let e): throw e.rpcError("agent.remove")
                }
            }
            guard let withdrawn else { throw unknown(address, "agent.remove") }
            return ["removed": true, "withdrawn": .integer(withdrawn)]
        }
        router.register("agent.export", summary: "An agent's private key (Ed25519 seed); needs confirm: true") { call in
            let address = try call.params.address("address")
            let confirm = try call.params.bool("confirm", default: false)
            try call.params.finish()
            guard confirm else {
                throw call.params.invalid("confirm", "must be true: agent.export returns the agent's private key in "
                                          + "clear text, and anyone holding it can sign as this agent")
            }
            guard let seed = agents.seed(for: address) else { throw unknown(address, "agent.export") }
            return ["address": .string(address.text), "private_key": .string(Hex.encode(seed))]
        }
    }

    /// `{"address", "node_id", "label", "created_at"}`.
    static func render(_ a: AgentInfo) -> JSONObject {
        [
            "address": .string(a.address.text),
            "node_id": .string(a.nodeID.description),
            "label": .string(a.label),
            "created_at": .integer(a.createdAt),
        ]
    }

    static func label(_ params: RPCParams) throws(RPCError) -> String {
        let label = try params.optionalString("label") ?? ""
        guard label.utf8.count <= maxLabelBytes else {
            throw params.invalid("label", "\(label.utf8.count) bytes; at most \(maxLabelBytes) allowed")
        }
        return label
    }

    static func unknown(_ address: Address, _ what: String) -> RPCError {
        .app(.notFound, "\(what): no agent \(address.text) is held by this daemon (see agent.list)",
             ["agent": .string(address.text)])
    }
}

extension AgentStoreError {
    func rpcError(_ what: String) -> RPCError {
        switch self {
        case .conflict(let address):
            return .app(.conflict, "\(what): agent \(address.text) is already held", ["agent": .string(address.text)])
        case .invalidKey(let why):
            return .invalidParams("private_key", why)
        case .invalidLabel(let why):
            return .invalidParams("label", why)
        case .full(let limit):
            // Like the watch limits (docs/jsonrpc.md, "Watches"): a bound of the daemon, named.
            return .app(.overloaded, "\(what): the daemon holds \(limit) agents, as many as it may; remove one (agent.remove) first",
                        ["scope": "daemon", "limit": .integer(limit)])
        case .storage(let e):
            return .storageError(e, what)
        }
    }
}
